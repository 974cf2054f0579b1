//! Sending signals: to a process, a group, a thread, with a value, through
//! a pidfd.

use core::time::Duration;

use linux_raw_sys::general as g;
use rustix::fd::{AsFd, OwnedFd};
use rustix::process::{Pid, PidfdFlags};

use super::{ChildStatus, Code, SigInfo, SigVal, Signal};
use crate::backend::signal as raw;
use crate::{Errno, Result};

/// `kill(pid, sig)` — send `sig` to process `pid`.
///
/// The signal goes to one thread of the process that does not block it.
/// The receiver sees code [`Code::USER`] and this process as the sender.
/// To signal the calling thread synchronously use [`raise`], which is
/// thread-directed.
///
/// Syscalls: `kill`.
///
/// # Examples
/// ```,standalone_crate
/// # fn main() -> bareipc::Result<()> {
/// use std::os::unix::process::ExitStatusExt;
/// use bareipc::signal::{self, Signal};
///
/// let mut child = std::process::Command::new("sleep").arg("10").spawn().expect("spawned");
/// // A number names whatever has it now: fine for a child not yet reaped.
/// signal::kill(bareipc::Pid::from_child(&child), Signal::TERM)?;
/// let status = child.wait().expect("reaped");
/// assert_eq!(status.signal(), Some(Signal::TERM.as_raw()));
/// # Ok(()) }
/// ```
///
/// # Errors
/// - [`Errno::SRCH`](crate::Errno::SRCH): no such process.
/// - [`Errno::PERM`](crate::Errno::PERM): not allowed to signal it (its
///   real or saved uid differs from ours, and we lack `CAP_KILL`).
/// - [`Errno::AGAIN`](crate::Errno::AGAIN): a real-time signal, and the
///   queue of pending signals is at `RLIMIT_SIGPENDING`.
///
/// # References
/// - [kill(2)](https://man7.org/linux/man-pages/man2/kill.2.html)
pub fn kill(pid: Pid, sig: Signal) -> Result<()> {
    rustix::process::kill_process(pid, sig.into())
}

/// `kill(-pgid, sig)` — send `sig` to every process of process group
/// `pgid` that we may signal.
///
/// Group 1 is refused: `kill(-1, sig)` is not "group 1" but every process
/// the caller may signal, which is what C's `killpg(1, sig)` does by
/// accident. (Broadcasting is never what a group id means; no supported
/// way to address process group 1 exists.)
///
/// Syscalls: `kill` (none for group 1).
///
/// # Errors
/// - [`Errno::INVAL`](crate::Errno::INVAL): `pgid` is 1.
/// - [`Errno::SRCH`](crate::Errno::SRCH): no such group.
/// - [`Errno::PERM`](crate::Errno::PERM): not allowed to signal any of its
///   members.
///
/// # References
/// - [kill(2)](https://man7.org/linux/man-pages/man2/kill.2.html)
/// - [killpg(3)](https://man7.org/linux/man-pages/man3/killpg.3.html)
#[doc(alias = "killpg")]
pub fn kill_group(pgid: Pid, sig: Signal) -> Result<()> {
    not_everyone(pgid)?;
    rustix::process::kill_process_group(pgid, sig.into())
}

/// `getpid()` — the calling process's id, as the sends and
/// [`PidFd::open`] take it.
///
/// Syscalls: `getpid`.
///
/// # Errors
/// None: `getpid` always succeeds.
///
/// # References
/// - [getpid(2)](https://man7.org/linux/man-pages/man2/getpid.2.html)
pub fn getpid() -> Pid {
    rustix::process::getpid()
}

/// `gettid()` — the calling thread's id, as [`tgkill`] and
/// [`queue_thread`] take it.
///
/// Syscalls: `gettid`.
///
/// # Errors
/// None: `gettid` always succeeds.
///
/// # References
/// - [gettid(2)](https://man7.org/linux/man-pages/man2/gettid.2.html)
pub fn gettid() -> Pid {
    rustix::thread::gettid()
}

/// `kill(pid, 0)` — is process `pid` there, and may we signal it? The
/// checks of [`kill`] without a signal.
///
/// `Ok` and `PERM` both mean the process exists (a zombie not yet reaped
/// included); only `SRCH` means it does not. A number can be reused as
/// soon as its process is reaped, so for a process of one's own prefer
/// [`PidFd::probe`], which cannot name another one.
///
/// Syscalls: `kill`.
///
/// # Errors
/// - [`Errno::SRCH`](crate::Errno::SRCH): no such process.
/// - [`Errno::PERM`](crate::Errno::PERM): it exists, but we may not
///   signal it.
///
/// # References
/// - [kill(2)](https://man7.org/linux/man-pages/man2/kill.2.html)
pub fn probe(pid: Pid) -> Result<()> {
    rustix::process::test_kill_process(pid)
}

/// `kill(-pgid, 0)` — does process group `pgid` have a member we may
/// signal? Group 1 is refused, as in [`kill_group`].
///
/// Syscalls: `kill` (none for group 1).
///
/// # Errors
/// - [`Errno::INVAL`](crate::Errno::INVAL): `pgid` is 1.
/// - [`Errno::SRCH`](crate::Errno::SRCH): no such group.
/// - [`Errno::PERM`](crate::Errno::PERM): it exists, but we may signal
///   none of its members.
///
/// # References
/// - [kill(2)](https://man7.org/linux/man-pages/man2/kill.2.html)
pub fn probe_group(pgid: Pid) -> Result<()> {
    not_everyone(pgid)?;
    rustix::process::test_kill_process_group(pgid)
}

/// `EINVAL` for process group 1, which `kill(-1, ..)` would turn into
/// every process.
fn not_everyone(pgid: Pid) -> Result<()> {
    if pgid == Pid::INIT {
        return Err(crate::Errno::INVAL);
    }
    Ok(())
}

/// `tgkill(tgid, tid, sig)` — send `sig` to thread `tid` of process `tgid`.
///
/// The receiver sees code [`Code::TKILL`]. Naming the process too guards
/// against a thread id that was reused by another process.
///
/// Syscalls: `tgkill`.
///
/// # Examples
/// ```,standalone_crate
/// # fn main() -> bareipc::Result<()> {
/// use bareipc::signal::{self, Code, SigSet, Signal};
///
/// let usr1 = SigSet::empty().with(Signal::USR1);
/// signal::block(&usr1)?; // in the main thread
/// // The main thread's id is the process id.
/// let main = bareipc::Pid::from_raw(std::process::id() as i32).expect("a pid");
/// let worker = std::thread::spawn(move || signal::tgkill(main, main, Signal::USR1));
/// worker.join().expect("joined")?;
/// // Directed at the main thread: no other thread could have taken it.
/// assert_eq!(signal::wait(&usr1)?.code(), Code::TKILL);
/// # Ok(()) }
/// ```
///
/// # Errors
/// - [`Errno::SRCH`](crate::Errno::SRCH): no such thread in that process.
/// - [`Errno::PERM`](crate::Errno::PERM): not allowed to signal it.
/// - [`Errno::AGAIN`](crate::Errno::AGAIN): a real-time signal, and the
///   queue of pending signals is at `RLIMIT_SIGPENDING`.
///
/// # References
/// - [tgkill(2)](https://man7.org/linux/man-pages/man2/tgkill.2.html)
pub fn tgkill(tgid: Pid, tid: Pid, sig: Signal) -> Result<()> {
    raw::tgkill(pid_raw(tgid), pid_raw(tid), sig.as_raw())
}

/// `tgkill(getpid(), gettid(), sig)` — send `sig` to the calling thread.
///
/// If `sig` is not blocked, its handler has run (or its default action
/// happened) by the time this returns.
///
/// Syscalls: `getpid`, `gettid`, `tgkill`.
///
/// # Errors
/// - [`Errno::AGAIN`](crate::Errno::AGAIN): a real-time signal, and this
///   user's queued signals are at `RLIMIT_SIGPENDING` (a standard signal
///   that is already pending is merged instead, and this succeeds).
///
/// # References
/// - [raise(3)](https://man7.org/linux/man-pages/man3/raise.3.html)
pub fn raise(sig: Signal) -> Result<()> {
    tgkill(rustix::process::getpid(), rustix::thread::gettid(), sig)
}

/// `rt_sigqueueinfo(pid, sig, &{SI_QUEUE, getpid(), getuid(), value})` —
/// send `sig` with `value` to process `pid` (`sigqueue`).
///
/// The receiver sees code [`Code::QUEUE`], our pid and uid, and `value`
/// ([`SigInfo::value`]). Real-time signals queue: each send is one record,
/// delivered in order. Standard signals coalesce: while one is pending, the
/// next is dropped (with its value).
///
/// Syscalls: `getpid`, `getuid` (`getuid32` on x86 and arm),
/// `rt_sigqueueinfo`. The kernel does not fill the sender for this call,
/// so, like glibc's `sigqueue`, this asks for our ids first.
///
/// # Examples
/// ```,standalone_crate
/// # fn main() -> bareipc::Result<()> {
/// use bareipc::signal::{self, Code, SigSet, SigVal, Signal};
///
/// let rt = Signal::rt(0)?;
/// let set = SigSet::empty().with(rt);
/// signal::block(&set)?; // in the main thread, before any other starts
/// let me = bareipc::Pid::from_raw(std::process::id() as i32).expect("a pid");
/// signal::queue(me, rt, SigVal::from_int(42))?;
/// signal::queue(me, rt, SigVal::from_int(43))?; // real-time: both queue, in order
/// let first = signal::wait(&set)?;
/// assert_eq!((first.code(), first.value()), (Code::QUEUE, Some(SigVal::from_int(42))));
/// assert_eq!(signal::wait(&set)?.value(), Some(SigVal::from_int(43)));
/// # Ok(()) }
/// ```
///
/// # Errors
/// - [`Errno::SRCH`](crate::Errno::SRCH): no such process.
/// - [`Errno::PERM`](crate::Errno::PERM): not allowed to signal it.
/// - [`Errno::AGAIN`](crate::Errno::AGAIN): the receiver's queue of
///   real-time signals is full (`RLIMIT_SIGPENDING`).
///
/// # References
/// - [sigqueue(3)](https://man7.org/linux/man-pages/man3/sigqueue.3.html)
/// - [rt_sigqueueinfo(2)](https://man7.org/linux/man-pages/man2/rt_sigqueueinfo.2.html)
#[doc(alias = "sigqueue")]
pub fn queue(pid: Pid, sig: Signal, value: SigVal) -> Result<()> {
    queue_info(pid, &SigInfo::new(sig, Code::QUEUE, value))
}

/// `rt_sigqueueinfo(pid, info.signal(), info)` — send a record built with
/// [`SigInfo::new`] (or one received) to process `pid`.
///
/// Syscalls: `rt_sigqueueinfo` (none for a reserved signal).
///
/// # Errors
/// - [`Errno::INVAL`](crate::Errno::INVAL): a received record of signal
///   32, 33 or 34, which only `unsafe` code may send
///   ([`Signal::new_reserved`]); checked before the syscall.
/// - [`Errno::PERM`](crate::Errno::PERM): the code is 0 or above, or
///   [`Code::TKILL`], and `pid` is not the calling thread's id (nobody may
///   pretend to be `kill` or the kernel to another process; the kernel
///   compares with the thread id, so from a thread other than the main one
///   this holds for `getpid()` too); or not allowed to signal it.
/// - [`Errno::SRCH`](crate::Errno::SRCH): no such process.
/// - [`Errno::AGAIN`](crate::Errno::AGAIN): the receiver's queue of
///   real-time signals is full.
///
/// # References
/// - [rt_sigqueueinfo(2)](https://man7.org/linux/man-pages/man2/rt_sigqueueinfo.2.html)
#[doc(alias = "rt_sigqueueinfo")]
pub fn queue_info(pid: Pid, info: &SigInfo) -> Result<()> {
    raw::rt_sigqueueinfo(
        pid_raw(pid),
        info.signal().ok_or(crate::Errno::INVAL)?.as_raw(),
        info.as_raw(),
    )
}

/// `rt_tgsigqueueinfo(tgid, tid, sig, &{SI_QUEUE, getpid(), getuid(),
/// value})` — [`queue`] to one thread.
///
/// Syscalls: `getpid`, `getuid` (`getuid32` on x86 and arm),
/// `rt_tgsigqueueinfo`.
///
/// # Errors
/// As [`queue`]; [`Errno::SRCH`](crate::Errno::SRCH) also when `tid` is not
/// a thread of `tgid`.
///
/// # References
/// - [rt_tgsigqueueinfo(2)](https://man7.org/linux/man-pages/man2/rt_tgsigqueueinfo.2.html)
#[doc(alias = "pthread_sigqueue")]
pub fn queue_thread(tgid: Pid, tid: Pid, sig: Signal, value: SigVal) -> Result<()> {
    queue_thread_info(tgid, tid, &SigInfo::new(sig, Code::QUEUE, value))
}

/// `rt_tgsigqueueinfo(tgid, tid, info.signal(), info)` — [`queue_info`] to
/// one thread.
///
/// Syscalls: `rt_tgsigqueueinfo` (none for a reserved signal).
///
/// # Errors
/// As [`queue_info`]; [`Errno::SRCH`](crate::Errno::SRCH) also when `tid`
/// is not a thread of `tgid`.
///
/// # References
/// - [rt_tgsigqueueinfo(2)](https://man7.org/linux/man-pages/man2/rt_tgsigqueueinfo.2.html)
#[doc(alias = "rt_tgsigqueueinfo")]
pub fn queue_thread_info(tgid: Pid, tid: Pid, info: &SigInfo) -> Result<()> {
    raw::rt_tgsigqueueinfo(
        pid_raw(tgid),
        pid_raw(tid),
        info.signal().ok_or(crate::Errno::INVAL)?.as_raw(),
        info.as_raw(),
    )
}

fn pid_raw(pid: Pid) -> i32 {
    pid.as_raw_nonzero().get()
}

/// A pidfd: a process named by an fd instead of a number, so a signal
/// sent through it can never reach another process that reused the pid
/// after the pidfd was opened.
///
/// Opening one from a number ([`PidFd::open`]) names whatever process has
/// that number *then*: a number taken from a peer's claim
/// ([`SigInfo::sender_pid`] for a queued signal, a pid in a message) or
/// from a process that may already have exited and been reaped can name
/// another process. Get the pidfd from a source tied to the process
/// itself instead: [`Socket::peer_pidfd`](crate::socket::Socket::peer_pidfd)
/// (`SO_PEERPIDFD`), a child not yet reaped, or `clone3(CLONE_PIDFD)`.
///
/// Always close-on-exec. It becomes readable (`poll`) when the process
/// exits.
///
/// Syscalls: none until dropped; then `close`.
#[doc(alias = "pidfd")]
#[derive(Debug)]
pub struct PidFd(OwnedFd);

impl PidFd {
    /// `pidfd_open(pid, 0)` — a pidfd for process `pid`.
    ///
    /// Syscalls: `pidfd_open`.
    ///
    /// # Examples
    /// ```,standalone_crate
    /// # fn main() -> bareipc::Result<()> {
    /// use bareipc::signal::{ChildEvent, PidFd, Signal};
    ///
    /// let child = std::process::Command::new("sleep").arg("10").spawn().expect("spawned");
    /// // Opened while the child cannot be reaped: it names this process and no other.
    /// let pidfd = PidFd::open(bareipc::Pid::from_child(&child))?;
    /// pidfd.send(Signal::KILL)?;
    /// let status = pidfd.wait()?; // reaps it
    /// assert_eq!(status.event, ChildEvent::Killed(Signal::KILL.as_raw()));
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// - [`Errno::SRCH`](crate::Errno::SRCH): no such process (already
    ///   reaped, or never existed).
    /// - [`Errno::INVAL`](crate::Errno::INVAL): `pid` is a thread, not a
    ///   process.
    /// - [`Errno::MFILE`](crate::Errno::MFILE),
    ///   [`Errno::NFILE`](crate::Errno::NFILE): fd limits.
    /// - [`Errno::NOSYS`](crate::Errno::NOSYS): Linux before 5.3.
    ///
    /// # References
    /// - [pidfd_open(2)](https://man7.org/linux/man-pages/man2/pidfd_open.2.html)
    #[doc(alias = "pidfd_open")]
    pub fn open(pid: Pid) -> Result<PidFd> {
        rustix::process::pidfd_open(pid, PidfdFlags::empty()).map(PidFd)
    }

    /// `pidfd_send_signal(fd, sig, NULL, 0)` — send `sig` to the process,
    /// as [`kill`] does.
    ///
    /// Syscalls: `pidfd_send_signal`.
    ///
    /// # Errors
    /// - [`Errno::SRCH`](crate::Errno::SRCH): the process has exited and
    ///   been reaped.
    /// - [`Errno::PERM`](crate::Errno::PERM): not allowed to signal it.
    ///
    /// # References
    /// - [pidfd_send_signal(2)](https://man7.org/linux/man-pages/man2/pidfd_send_signal.2.html)
    #[doc(alias = "pidfd_send_signal")]
    pub fn send(&self, sig: Signal) -> Result<()> {
        rustix::process::pidfd_send_signal(&self.0, sig.into())
    }

    /// `pidfd_send_signal(fd, info.signal(), info, 0)` — send a record
    /// built with [`SigInfo::new`], as [`queue_info`] does.
    ///
    /// Syscalls: `pidfd_send_signal` (none for a reserved signal).
    ///
    /// # Errors
    /// - [`Errno::INVAL`](crate::Errno::INVAL): a received record of
    ///   signal 32, 33 or 34 (as [`queue_info`]).
    /// - [`Errno::SRCH`](crate::Errno::SRCH): the process has exited and
    ///   been reaped.
    /// - [`Errno::PERM`](crate::Errno::PERM): a code of 0 or above, or
    ///   [`Code::TKILL`], unless the calling thread is the main thread of
    ///   the process the pidfd names (the kernel compares the pidfd's pid
    ///   with the caller's thread); or not allowed to signal it.
    /// - [`Errno::AGAIN`](crate::Errno::AGAIN): the receiver's queue of
    ///   real-time signals is full.
    ///
    /// # References
    /// - [pidfd_send_signal(2)](https://man7.org/linux/man-pages/man2/pidfd_send_signal.2.html)
    pub fn send_info(&self, info: &SigInfo) -> Result<()> {
        raw::pidfd_send_signal(
            self.0.as_fd(),
            info.signal().ok_or(crate::Errno::INVAL)?.as_raw(),
            info.as_raw(),
        )
    }

    /// `pidfd_send_signal(fd, sig, &{SI_QUEUE, getpid(), getuid(), value},
    /// 0)` — [`queue`] through the pidfd.
    ///
    /// Syscalls: `getpid`, `getuid` (`getuid32` on x86 and arm),
    /// `pidfd_send_signal`.
    ///
    /// # Errors
    /// As [`send_info`](Self::send_info).
    ///
    /// # References
    /// - [pidfd_send_signal(2)](https://man7.org/linux/man-pages/man2/pidfd_send_signal.2.html)
    pub fn queue(&self, sig: Signal, value: SigVal) -> Result<()> {
        self.send_info(&SigInfo::new(sig, Code::QUEUE, value))
    }

    /// `pidfd_send_signal(fd, 0, NULL, 0)` — is the process still there
    /// (a zombie counts), and may we signal it? As [`probe`], but of this
    /// process and no other.
    ///
    /// Syscalls: `pidfd_send_signal`.
    ///
    /// # Errors
    /// - [`Errno::SRCH`](crate::Errno::SRCH): the process has exited and
    ///   been reaped.
    /// - [`Errno::PERM`](crate::Errno::PERM): it is there, but we may not
    ///   signal it.
    ///
    /// # References
    /// - [pidfd_send_signal(2)](https://man7.org/linux/man-pages/man2/pidfd_send_signal.2.html)
    pub fn probe(&self) -> Result<()> {
        raw::pidfd_probe(self.0.as_fd())
    }

    /// `waitid(P_PIDFD, fd, &info, WEXITED, NULL)` — waits until this
    /// child exits, reaps it, and says how it ended.
    ///
    /// Only a child of the calling process can be waited for. If `SIGCHLD`
    /// is ignored (`SIG_IGN`, or `SA_NOCLDWAIT`), the kernel reaps
    /// children itself and this returns `ECHILD` once the child is gone.
    /// The pidfd itself becomes readable when the child exits, so an event
    /// loop can poll it beside other fds and then call
    /// [`try_wait`](Self::try_wait).
    ///
    /// Syscalls: `waitid`.
    ///
    /// # Examples
    /// ```,standalone_crate
    /// # fn main() -> bareipc::Result<()> {
    /// use bareipc::signal::{ChildEvent, PidFd};
    ///
    /// let child = std::process::Command::new("sh").args(["-c", "exit 3"]).spawn().expect("spawned");
    /// let pidfd = PidFd::open(bareipc::Pid::from_child(&child))?;
    /// // Blocks until it exits (or poll `pidfd`, readable then, and `try_wait`).
    /// assert_eq!(pidfd.wait()?.event, ChildEvent::Exited(3));
    /// assert_eq!(pidfd.try_wait().err(), Some(bareipc::Errno::CHILD)); // reaped already
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// - [`Errno::CHILD`](crate::Errno::CHILD): not a child of this
    ///   process, or already reaped.
    /// - [`Errno::INTR`](crate::Errno::INTR): a handler without
    ///   `SA_RESTART` ran.
    ///
    /// # References
    /// - [waitid(2)](https://man7.org/linux/man-pages/man2/waitid.2.html)
    /// - [pidfd_open(2)](https://man7.org/linux/man-pages/man2/pidfd_open.2.html)
    #[doc(alias = "waitid")]
    pub fn wait(&self) -> Result<ChildStatus> {
        self.wait_with(WaitFlags::EXITED)
    }

    /// `ppoll(&{fd, POLLIN}, timeout)`, then `waitid(P_PIDFD, fd, &info,
    /// WEXITED | WNOHANG, NULL)` — [`wait`](Self::wait), waiting at most
    /// `timeout` for the child to exit.
    ///
    /// Syscalls: `ppoll` (`ppoll_time64` on x86 and arm for a timeout
    /// beyond `i32::MAX` seconds), then `waitid` once it has exited.
    ///
    /// # Errors
    /// - [`Errno::TIMEDOUT`](crate::Errno::TIMEDOUT): still running after
    ///   `timeout`.
    /// - As [`wait`](Self::wait).
    ///
    /// # References
    /// - [waitid(2)](https://man7.org/linux/man-pages/man2/waitid.2.html)
    /// - [poll(2)](https://man7.org/linux/man-pages/man2/poll.2.html)
    pub fn wait_timeout(&self, timeout: Duration) -> Result<ChildStatus> {
        crate::poll::wait(self.0.as_fd(), crate::poll::PollFlags::IN, timeout)?;
        self.try_wait()
    }

    /// `waitid(P_PIDFD, fd, &info, WEXITED | WNOHANG, NULL)` — reap the
    /// child if it has exited, without waiting.
    ///
    /// Syscalls: `waitid`.
    ///
    /// # Errors
    /// - [`Errno::AGAIN`](crate::Errno::AGAIN): still running.
    /// - As [`wait`](Self::wait).
    ///
    /// # References
    /// - [waitid(2)](https://man7.org/linux/man-pages/man2/waitid.2.html)
    pub fn try_wait(&self) -> Result<ChildStatus> {
        self.wait_with(WaitFlags::EXITED | WaitFlags::NOHANG)
    }

    /// `waitid(P_PIDFD, fd, &info, flags, NULL)` — the general form: wait
    /// for the changes `flags` name (exit, stop, continue), with or without
    /// reaping (`NOWAIT`) or waiting (`NOHANG`).
    ///
    /// Syscalls: `waitid` (none for `flags` without `EXITED`, `STOPPED` or
    /// `CONTINUED`, or with unknown flags).
    ///
    /// # Errors
    /// - [`Errno::INVAL`](crate::Errno::INVAL): `flags` name no change to
    ///   wait for, or have a bit that is not a [`WaitFlags`] (such as
    ///   `__WCLONE` or `__WNOTHREAD`, which the kernel would take); both
    ///   before the syscall.
    /// - [`Errno::AGAIN`](crate::Errno::AGAIN): `NOHANG`, and no such
    ///   change has happened.
    /// - As [`wait`](Self::wait).
    ///
    /// # References
    /// - [waitid(2)](https://man7.org/linux/man-pages/man2/waitid.2.html)
    pub fn wait_with(&self, flags: WaitFlags) -> Result<ChildStatus> {
        crate::flags::only(flags, WaitFlags::all())?;
        if !flags.intersects(WaitFlags::EXITED | WaitFlags::STOPPED | WaitFlags::CONTINUED) {
            return Err(Errno::INVAL);
        }
        let info = SigInfo::from_raw(raw::waitid_pidfd(self.0.as_fd(), flags.bits() as i32)?);
        if info.signo() == 0 {
            return Err(Errno::AGAIN); // WNOHANG, nothing to report
        }
        // The kernel fills a SIGCHLD record; anything else would be a
        // kernel bug, reported rather than trusted.
        info.child().ok_or(Errno::IO)
    }
}

bitflags::bitflags! {
    /// What [`PidFd::wait_with`] waits for, and how (`W*`).
    #[repr(transparent)]
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct WaitFlags: u32 {
        /// `WEXITED`: the child exited or was killed (and is reaped,
        /// unless `NOWAIT`).
        const EXITED = g::WEXITED;
        /// `WSTOPPED`: the child was stopped by a signal.
        const STOPPED = g::WSTOPPED;
        /// `WCONTINUED`: the stopped child was continued by `SIGCONT`.
        const CONTINUED = g::WCONTINUED;
        /// `WNOHANG`: do not wait; `EAGAIN` if nothing has changed.
        const NOHANG = g::WNOHANG;
        /// `WNOWAIT`: report the change but leave it to be reported again
        /// (an exited child stays a zombie).
        const NOWAIT = g::WNOWAIT;
        /// `__WALL`: wait for any child, whatever signal it sends its
        /// parent on exit (a `clone3` child with no exit signal needs it).
        const ALL = g::__WALL;
    }
}

fd_handle!(PidFd);
