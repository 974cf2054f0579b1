//! The typed siginfo: who sent a signal, why, and with what value.

use core::fmt;

use linux_raw_sys::general as g;
use rustix::process::{Pid, Uid};

use super::Signal;
use crate::backend::signal::{self as raw, Layout};

/// What the kernel knows about one delivered signal (`siginfo_t`): the
/// signal, why it was sent ([`Code`]), the sender, and, depending on both,
/// a value, a child's status or a fault address.
///
/// Handlers installed with [`Handler::Info`](super::Handler::Info) get a
/// reference to the kernel's own record; [`wait`](super::wait) and
/// [`SignalFd`](super::SignalFd) return one (a signalfd record is
/// converted to the same layout). It has the kernel's layout: 128 bytes.
///
/// Which accessors return `Some` follows the kernel's rule for which
/// fields a record fills, decided by the signal and the code: a sender for
/// codes from processes (`kill`, `sigqueue`, `tgkill`) and for `SIGCHLD`; a
/// value for `sigqueue` and timers; a status for `SIGCHLD`; an address for
/// faults (`SIGSEGV`, `SIGBUS`, `SIGILL`, `SIGFPE`, `SIGTRAP`).
#[doc(alias = "siginfo_t")]
#[repr(transparent)]
#[derive(Clone, Copy)]
pub struct SigInfo(raw::KSiginfo);

impl SigInfo {
    /// Wraps a fully initialised kernel siginfo.
    pub(crate) const fn from_raw(info: g::siginfo) -> SigInfo {
        SigInfo(raw::KSiginfo(info))
    }

    /// The kernel record, to send.
    pub(crate) const fn as_raw(&self) -> &g::siginfo {
        &self.0.0
    }

    /// A record from this process, as `sigqueue` builds it: `signal`,
    /// `code`, `value`, and this process's pid and real uid as the sender.
    ///
    /// Send it with [`queue_info`](super::queue_info),
    /// [`queue_thread_info`](super::queue_thread_info) or
    /// [`PidFd::send_info`](super::PidFd::send_info). The kernel accepts a
    /// `code` of 0 or above ([`Code::USER`], kernel codes) and
    /// [`Code::TKILL`] only when the target is the calling *thread*'s own
    /// id: nobody may pretend to be `kill` or the kernel to another
    /// process. The check compares the target with the caller's thread id,
    /// so from any thread but the main one even
    /// `queue_info(getpid(), &info)` is `EPERM`; use
    /// [`queue_thread_info`](super::queue_thread_info)`(getpid(), gettid(),
    /// ..)` to forge a code to oneself.
    ///
    /// Syscalls: `getpid`, `getuid` (`getuid32` on x86 and arm).
    ///
    /// # References
    /// - [sigqueue(3)](https://man7.org/linux/man-pages/man3/sigqueue.3.html)
    /// - [rt_sigqueueinfo(2)](https://man7.org/linux/man-pages/man2/rt_sigqueueinfo.2.html)
    pub fn new(signal: Signal, code: Code, value: SigVal) -> SigInfo {
        let pid = rustix::process::getpid().as_raw_nonzero().get();
        let uid = rustix::process::getuid().as_raw();
        SigInfo::from_raw(raw::siginfo_rt(
            signal.as_raw(),
            code.as_raw(),
            pid,
            uid,
            value.as_addr(),
        ))
    }

    fn layout(&self) -> Layout {
        let (signo, _, code) = raw::siginfo_header(&self.0.0);
        raw::layout(signo, code)
    }

    /// The signal (`si_signo`), or `None` for 32, 33 and 34, which a libc
    /// in this process reserves for itself: safe code may not hold a
    /// [`Signal`] for them (see [`Signal::new_reserved`]). The number is
    /// always in [`signo`](Self::signo).
    pub fn signal(&self) -> Option<Signal> {
        Signal::from_kernel(self.signo())
    }

    /// The signal number (`si_signo`), 1 to 64, reserved ones included.
    pub fn signo(&self) -> i32 {
        raw::siginfo_header(&self.0.0).0
    }

    /// Why the signal was sent (`si_code`).
    pub fn code(&self) -> Code {
        Code(raw::siginfo_header(&self.0.0).2)
    }

    /// `si_errno`: an errno value some kernel senders attach; 0 for almost
    /// every signal.
    pub fn errno(&self) -> i32 {
        raw::siginfo_header(&self.0.0).1
    }

    fn has_sender(&self) -> bool {
        matches!(self.layout(), Layout::Kill | Layout::Rt | Layout::Child)
    }

    /// The sending process (`si_pid`), or the child for `SIGCHLD`. `None`
    /// when the record has no sender field (faults, timers, I/O), or the
    /// sender is the kernel or lives in a pid namespace this process cannot
    /// see (pid 0), or the field is not a pid at all (negative).
    ///
    /// **Only as trustworthy as the code** (see
    /// [`sender_is_verified`](Self::sender_is_verified)): for codes below 0 ([`Code::QUEUE`], [`Code::MESGQ`], [`Code::TIMER`]
    /// and the others a process may pass to `rt_sigqueueinfo`) the sender
    /// wrote this field itself, and it can name any process. A negative
    /// value, which only such a forged record can carry, is `None`, never
    /// a pid: given to `kill`, -1 would mean "every process". Before
    /// acting on a sender (signalling it back, trusting its uid), check
    /// the code, or learn the peer another way (a pidfd, socket
    /// credentials).
    pub fn sender_pid(&self) -> Option<Pid> {
        if !self.has_sender() {
            return None;
        }
        crate::checked_pid(raw::siginfo_sender(&self.0.0).0)
    }

    /// The real uid of the sender (`si_uid`), or of the child for
    /// `SIGCHLD`, where the record has a sender field; `None` also for the
    /// invalid uid -1, which only a forged record carries (to `setuid` and
    /// friends it means "leave unchanged"). The same caveat as
    /// [`sender_pid`](Self::sender_pid) for codes below 0.
    pub fn sender_uid(&self) -> Option<Uid> {
        if !self.has_sender() {
            return None;
        }
        crate::checked_uid(raw::siginfo_sender(&self.0.0).1)
    }

    /// Whether the kernel itself filled [`sender_pid`](Self::sender_pid)
    /// and [`sender_uid`](Self::sender_uid): true for [`Code::USER`]
    /// (`kill`, `pidfd_send_signal` without a record) and [`Code::TKILL`]
    /// (`tgkill`), which no process can claim towards another, and for a
    /// `SIGCHLD` with a `CLD_*` code (kernels since 4.15 never let a peer
    /// arrange a `SIGCHLD` with a positive code through `F_SETSIG`; on
    /// older ones it could, with `POLL_*` codes 1 to 6 that overlap
    /// `CLD_*`). False for every code a process may pass to
    /// `rt_sigqueueinfo` (all below 0 but `TKILL`), whose sender fields
    /// are the sender's own claim.
    pub fn sender_is_verified(&self) -> bool {
        let code = self.code();
        code == Code::USER
            || code == Code::TKILL
            || (self.signo() == Signal::CHILD.as_raw() && self.layout() == Layout::Child)
    }

    /// The value sent with [`queue`](super::queue) or set on a POSIX timer
    /// (`si_value`); `None` for other codes, [`Code::TKILL`] included (the
    /// kernel's `tgkill` sends none).
    pub fn value(&self) -> Option<SigVal> {
        match self.layout() {
            Layout::Rt | Layout::Timer => Some(SigVal(raw::siginfo_value(&self.0.0))),
            _ => None,
        }
    }

    /// For `SIGCHLD` sent by the kernel: what happened to the child (whose
    /// pid is [`sender_pid`](Self::sender_pid)) and its CPU times.
    pub fn child(&self) -> Option<ChildStatus> {
        if self.layout() != Layout::Child {
            return None;
        }
        let (status, utime, stime) = raw::siginfo_child(&self.0.0);
        let event = match self.code().as_raw() as u32 {
            g::CLD_EXITED => ChildEvent::Exited(status),
            g::CLD_KILLED => ChildEvent::Killed(status),
            g::CLD_DUMPED => ChildEvent::Dumped(status),
            g::CLD_TRAPPED => ChildEvent::Trapped(status),
            g::CLD_STOPPED => ChildEvent::Stopped(status),
            g::CLD_CONTINUED => ChildEvent::Continued,
            _ => ChildEvent::Other(status),
        };
        Some(ChildStatus {
            event,
            utime,
            stime,
        })
    }

    /// For a fault raised by the kernel (`SIGSEGV`, `SIGBUS`, `SIGILL`,
    /// `SIGFPE`, `SIGTRAP`): the faulting address (`si_addr`).
    pub fn fault_addr(&self) -> Option<usize> {
        match self.layout() {
            Layout::Fault => Some(raw::siginfo_addr(&self.0.0)),
            _ => None,
        }
    }
}

impl crate::backend::signal::FromSiginfo for SigInfo {
    fn from_siginfo(info: g::siginfo) -> SigInfo {
        SigInfo::from_raw(info)
    }
}

impl fmt::Debug for SigInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("SigInfo");
        match self.signal() {
            Some(s) => d.field("signal", &s),
            None => d.field("signo", &self.signo()),
        };
        d.field("code", &self.code()).field("errno", &self.errno());
        if let Some(pid) = self.sender_pid() {
            d.field("sender_pid", &pid);
        }
        if let Some(uid) = self.sender_uid() {
            d.field("sender_uid", &uid);
        }
        if let Some(v) = self.value() {
            d.field("value", &v);
        }
        if let Some(c) = self.child() {
            d.field("child", &c);
        }
        if let Some(a) = self.fault_addr() {
            d.field("fault_addr", &a);
        }
        d.finish()
    }
}

/// Why a signal was sent (`si_code`): below 0 from a process's own call,
/// 0 from `kill`, above 0 from the kernel (then its meaning depends on the
/// signal, e.g. `CLD_EXITED` for `SIGCHLD`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Code(i32);

impl Code {
    /// `SI_USER`: `kill`, `raise` through kill, `pidfd_send_signal` without
    /// a siginfo.
    pub const USER: Code = Code(g::SI_USER as i32);
    /// `SI_KERNEL`: the kernel, with no more specific reason.
    pub const KERNEL: Code = Code(g::SI_KERNEL as i32);
    /// `SI_QUEUE`: `sigqueue` ([`queue`](super::queue)).
    pub const QUEUE: Code = Code(g::SI_QUEUE);
    /// `SI_TIMER`: a POSIX timer expired.
    pub const TIMER: Code = Code(g::SI_TIMER);
    /// `SI_MESGQ`: a message arrived on an empty POSIX message queue.
    pub const MESGQ: Code = Code(g::SI_MESGQ);
    /// `SI_ASYNCIO`: an asynchronous I/O completed.
    pub const ASYNCIO: Code = Code(g::SI_ASYNCIO);
    /// `SI_SIGIO`: queued `SIGIO`.
    pub const SIGIO: Code = Code(g::SI_SIGIO);
    /// `SI_TKILL`: `tgkill` ([`tgkill`](super::tgkill),
    /// [`raise`](super::raise)).
    pub const TKILL: Code = Code(g::SI_TKILL);

    /// A code from its number (for [`SigInfo::new`]).
    pub const fn from_raw(raw: i32) -> Code {
        Code(raw)
    }

    /// The number.
    pub const fn as_raw(self) -> i32 {
        self.0
    }

    /// Whether the code is one only the kernel writes (above 0).
    ///
    /// The record then comes from the kernel, but a peer may still have
    /// arranged it: with `F_SETOWN` (to our pid) and `F_SETSIG` on a file
    /// it owns, a process allowed to signal us makes the kernel queue any
    /// signal but the fault signals, `SIGCHLD` and `SIGSYS`, with a
    /// `POLL_*` code (1 to 6), and with `F_SETOWN` alone or `MSG_OOB` on a
    /// socket, `SIGIO` / `SIGURG` with [`Code::KERNEL`]. So a positive code
    /// says who wrote the record, not who caused it; for the sender, see
    /// [`SigInfo::sender_is_verified`].
    pub const fn is_from_kernel(self) -> bool {
        self.0 > 0
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match *self {
            Code::USER => "SI_USER",
            Code::KERNEL => "SI_KERNEL",
            Code::QUEUE => "SI_QUEUE",
            Code::TIMER => "SI_TIMER",
            Code::MESGQ => "SI_MESGQ",
            Code::ASYNCIO => "SI_ASYNCIO",
            Code::SIGIO => "SI_SIGIO",
            Code::TKILL => "SI_TKILL",
            _ => return write!(f, "Code({})", self.0),
        };
        f.write_str(name)
    }
}

/// The value a signal carries (`union sigval`): an `int` or a pointer-sized
/// word, the same storage. Between processes a pointer means nothing, so
/// the word is an address (`usize`) here.
///
/// On these little-endian targets, [`as_int`](Self::as_int) is the low 32
/// bits of [`as_addr`](Self::as_addr), as C's `sival_int` reads them.
#[doc(alias = "sigval")]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct SigVal(usize);

impl SigVal {
    /// A value set through `sival_int`. The rest of the word is zero.
    pub const fn from_int(v: i32) -> SigVal {
        SigVal(v as u32 as usize)
    }

    /// A value set through `sival_ptr`, as an address.
    pub const fn from_addr(addr: usize) -> SigVal {
        SigVal(addr)
    }

    /// `sival_int`: the low 32 bits.
    pub const fn as_int(self) -> i32 {
        self.0 as u32 as i32
    }

    /// `sival_ptr` as an address: the whole word.
    pub const fn as_addr(self) -> usize {
        self.0
    }
}

/// What happened to a child, from a `SIGCHLD` record ([`SigInfo::child`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChildStatus {
    /// The event and its status value.
    pub event: ChildEvent,
    /// User CPU time consumed, in clock ticks (`si_utime`).
    pub utime: i64,
    /// System CPU time consumed, in clock ticks (`si_stime`).
    pub stime: i64,
}

/// The `SIGCHLD` codes (`CLD_*`) with their `si_status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChildEvent {
    /// `CLD_EXITED`: exited with this status.
    Exited(i32),
    /// `CLD_KILLED`: killed by this signal number.
    Killed(i32),
    /// `CLD_DUMPED`: killed by this signal number and dumped core.
    Dumped(i32),
    /// `CLD_TRAPPED`: a traced child trapped, with this signal number.
    Trapped(i32),
    /// `CLD_STOPPED`: stopped by this signal number.
    Stopped(i32),
    /// `CLD_CONTINUED`: continued by `SIGCONT`.
    Continued,
    /// A code the kernel added after this crate was written.
    Other(i32),
}

// Plain data, so a record can be kept across an `.await` or handed to
// another thread: checked at compile time.
const _: fn() = || {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<SigInfo>();
    send_sync::<super::Installed>();
    send_sync::<super::Action>();
};
