//! signalfd: blocked signals read from a pollable fd.

use rustix::fd::OwnedFd;

use super::{SigInfo, SigSet};
use crate::backend::signal as raw;
use crate::backend::types::{SFD_CLOEXEC, SFD_NONBLOCK};
use crate::{Errno, Result};

bitflags::bitflags! {
    /// Options for [`SignalFd::new`]. `SFD_CLOEXEC` is always set and is
    /// not a flag here.
    #[repr(transparent)]
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct SignalFdFlags: u32 {
        /// `SFD_NONBLOCK`: a read with no signal pending fails with
        /// `EAGAIN` instead of waiting.
        const NONBLOCK = SFD_NONBLOCK as u32;
    }
}

/// A signalfd: the pending signals of a mask, read as records from an fd.
///
/// The signals must be blocked (with [`block`](super::block)): a signalfd
/// does not stop delivery, it only offers a blocked pending signal as a
/// record. The fd is readable (for `poll`, `epoll`, `select`) while a
/// signal of its mask is pending for the reading thread or the process.
/// Reading takes the signal, as [`wait`](super::wait) would.
///
/// The init-system pattern: block every signal in the main thread before
/// anything else starts, open one signalfd for all of them, and poll it
/// beside the other fds; signals then arrive as data, in order, with no
/// handler and no `EINTR` anywhere in the program.
///
/// ```no_run
/// # fn main() -> bareipc::Result<()> {
/// use bareipc::signal::{self, SigSet, Signal, SignalFd, SignalFdFlags};
/// use bareipc::poll::{self, PollFd, PollFlags};
///
/// let all = SigSet::full();
/// signal::block(&all)?; // first thing, before any thread exists
/// let signals = SignalFd::new(&all, SignalFdFlags::NONBLOCK)?;
/// let (control, _peer) = bareipc::pipe::pipe()?; // any other fd to watch
///
/// let mut batch = bareipc::heapless::Vec::<signal::SigInfo, 16>::new();
/// loop {
///     let mut fds = [
///         PollFd::new(&signals, PollFlags::IN),
///         PollFd::new(&control, PollFlags::IN),
///     ];
///     poll::poll(&mut fds, None)?;
///     if fds[0].revents().contains(PollFlags::IN) {
///         batch.clear();
///         signals.read_batch(&mut batch)?; // every pending one, one read
///         for info in &batch {
///             match info.signal() {
///                 Some(Signal::CHILD) => { /* PidFd::try_wait each child */ }
///                 Some(Signal::TERM | Signal::INT) => return Ok(()), // shut down
///                 Some(Signal::HUP) => { /* reload the configuration */ }
///                 _ => {}
///             }
///         }
///     }
///     if fds[1].revents().contains(PollFlags::IN) { /* ... */ }
/// }
/// # }
/// ```
///
/// Several `SIGCHLD`s coalesce into one record: reap in a loop after each.
/// A child does not inherit the fd (close-on-exec), but it does inherit the
/// mask, across `execve` too, with std's `Command` as with any other way of
/// spawning: give the children that must react to the blocked signals an
/// empty mask with [`clear_mask_on_exec`](super::clear_mask_on_exec).
///
/// Syscalls: none until dropped; then `close`.
#[doc(alias = "signalfd")]
#[derive(Debug)]
pub struct SignalFd(OwnedFd);

impl SignalFd {
    /// `signalfd4(-1, mask, 8, flags | SFD_CLOEXEC)` — a signalfd for the
    /// signals of `mask`.
    ///
    /// `SIGKILL` and `SIGSTOP` are silently left out by the kernel.
    ///
    /// Syscalls: `signalfd4` (none for unknown flags).
    ///
    /// # Examples
    /// ```
    /// # fn main() -> bareipc::Result<()> {
    /// use bareipc::signal::{self, SigSet, Signal, SignalFd, SignalFdFlags};
    ///
    /// let usr2 = SigSet::empty().with(Signal::USR2);
    /// let old = signal::block(&usr2)?; // a signalfd reports blocked signals only
    /// let fd = SignalFd::new(&usr2, SignalFdFlags::NONBLOCK)?; // poll it with your other fds
    /// assert_eq!(fd.try_read().err(), Some(bareipc::Errno::AGAIN)); // nothing pending
    /// signal::raise(Signal::USR2)?;
    /// assert_eq!(fd.read()?.signal(), Some(Signal::USR2));
    /// signal::set_mask(&old)?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// - [`Errno::INVAL`](crate::Errno::INVAL): a flag other than
    ///   [`SignalFdFlags::NONBLOCK`], before the syscall.
    /// - [`Errno::MFILE`](crate::Errno::MFILE): the process has reached
    ///   `RLIMIT_NOFILE`.
    /// - [`Errno::NFILE`](crate::Errno::NFILE): the system-wide file limit
    ///   was reached.
    /// - [`Errno::NOMEM`](crate::Errno::NOMEM),
    ///   [`Errno::NODEV`](crate::Errno::NODEV): the kernel could not
    ///   allocate the object or its anonymous inode.
    ///
    /// # References
    /// - [signalfd(2)](https://man7.org/linux/man-pages/man2/signalfd.2.html)
    #[doc(alias = "signalfd4")]
    pub fn new(mask: &SigSet, flags: SignalFdFlags) -> Result<SignalFd> {
        crate::flags::only(flags, SignalFdFlags::all())?;
        let flags = flags.bits() as i32 | SFD_CLOEXEC;
        raw::signalfd4_new(&mask.bits(), flags).map(SignalFd)
    }

    /// `signalfd4(fd, mask, 8, 0)` — replace the signals this fd reports.
    ///
    /// Syscalls: `signalfd4`.
    ///
    /// # Errors
    /// - [`Errno::INVAL`](crate::Errno::INVAL): the fd is not a signalfd
    ///   (only possible for one adopted with `From<OwnedFd>`).
    ///
    /// # References
    /// - [signalfd(2)](https://man7.org/linux/man-pages/man2/signalfd.2.html)
    pub fn set_mask(&self, mask: &SigSet) -> Result<()> {
        raw::signalfd4_set(rustix::fd::AsFd::as_fd(&self.0), &mask.bits())
    }

    /// `read(fd, buf, 128)` — take one pending signal of the mask.
    ///
    /// Waits while none is pending (unless non-blocking).
    ///
    /// Syscalls: `read`.
    ///
    /// # Examples
    /// ```
    /// # fn main() -> bareipc::Result<()> {
    /// use bareipc::signal::{self, Code, SigSet, Signal, SignalFd, SignalFdFlags};
    ///
    /// let rt = Signal::rt(1)?;
    /// let set = SigSet::empty().with(rt);
    /// let old = signal::block(&set)?;
    /// let fd = SignalFd::new(&set, SignalFdFlags::empty())?;
    /// signal::raise(rt)?;
    /// signal::raise(rt)?; // real-time signals queue: two records, not one
    /// let info = fd.read()?;
    /// assert_eq!((info.signal(), info.code()), (Some(rt), Code::TKILL));
    /// assert!(info.sender_is_verified()); // the kernel filled in the sender
    /// assert_eq!(info.sender_pid(), bareipc::Pid::from_raw(std::process::id() as i32));
    /// assert_eq!(fd.read()?.signal(), Some(rt));
    /// signal::set_mask(&old)?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// - [`Errno::AGAIN`](crate::Errno::AGAIN): non-blocking and nothing is
    ///   pending.
    /// - [`Errno::INTR`](crate::Errno::INTR): a handler ran while waiting
    ///   (restarted instead if installed with `SA_RESTART`).
    ///
    /// # References
    /// - [signalfd(2)](https://man7.org/linux/man-pages/man2/signalfd.2.html)
    pub fn read(&self) -> Result<SigInfo> {
        let mut one = heapless::Vec::<SigInfo, 1>::new();
        self.read_batch(&mut one)?;
        one.pop().ok_or(Errno::IO)
    }

    /// `ppoll(&{fd, POLLIN}, timeout)`, then `read(fd, buf, 128)` — as
    /// [`read`](Self::read), waiting at most `timeout` for a signal.
    ///
    /// Syscalls: `ppoll` (`ppoll_time64` on x86 and arm for a timeout
    /// beyond `i32::MAX` seconds), then `read` once ready.
    ///
    /// # Errors
    /// - [`Errno::TIMEDOUT`](crate::Errno::TIMEDOUT): none came in time.
    /// - As [`read`](Self::read).
    ///
    /// # References
    /// - [signalfd(2)](https://man7.org/linux/man-pages/man2/signalfd.2.html)
    /// - [poll(2)](https://man7.org/linux/man-pages/man2/poll.2.html)
    pub fn read_timeout(&self, timeout: core::time::Duration) -> Result<SigInfo> {
        let fd = rustix::fd::AsFd::as_fd(&self.0);
        crate::poll::wait(fd, crate::poll::PollFlags::IN, timeout)?;
        self.read()
    }

    /// `ppoll(&{fd, POLLIN}, 0)`, then `read(fd, buf, 128)` if a signal is
    /// pending — a read that never waits, whatever the fd's mode.
    ///
    /// Syscalls: `ppoll`, then `read` if ready.
    ///
    /// # Errors
    /// - [`Errno::AGAIN`](crate::Errno::AGAIN): nothing is pending.
    /// - As [`read`](Self::read).
    ///
    /// # References
    /// - [signalfd(2)](https://man7.org/linux/man-pages/man2/signalfd.2.html)
    /// - [poll(2)](https://man7.org/linux/man-pages/man2/poll.2.html)
    pub fn try_read(&self) -> Result<SigInfo> {
        crate::poll::ready(rustix::fd::AsFd::as_fd(&self.0), crate::poll::PollFlags::IN)?;
        self.read()
    }

    /// `read(fd, spare, n * 128)` — take as many pending signals as fit in
    /// the free capacity of `out` with one read, and append them; returns
    /// how many.
    ///
    /// Waits while none is pending (unless non-blocking), then returns what
    /// is pending, at least one. The records are read straight into `out`'s
    /// storage and converted in place: no allocation, no copy through a
    /// second buffer.
    ///
    /// Syscalls: `read` (none when `out` is already full).
    ///
    /// # Errors
    /// - [`Errno::INVAL`](crate::Errno::INVAL): `out` is full (the kernel
    ///   gives the same for a buffer shorter than one record). Checked
    ///   before the syscall.
    /// - [`Errno::AGAIN`](crate::Errno::AGAIN): non-blocking and nothing is
    ///   pending.
    /// - [`Errno::INTR`](crate::Errno::INTR): a handler ran while waiting.
    ///
    /// # References
    /// - [signalfd(2)](https://man7.org/linux/man-pages/man2/signalfd.2.html)
    pub fn read_batch<const N: usize>(&self, out: &mut heapless::Vec<SigInfo, N>) -> Result<usize> {
        raw::read_signalfd(rustix::fd::AsFd::as_fd(&self.0), out)
    }
}

fd_handle!(SignalFd);
