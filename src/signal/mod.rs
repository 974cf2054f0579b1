//! Signals without libc: actions with the crate's own restorer, masks,
//! waiting, signalfd, and sending with a payload.
//!
//! A signal tells another process (or thread) that an event happened. The
//! receiver chooses what a signal does: its default action, nothing
//! ([`set_ignore`]), a handler ([`set_handler`], `unsafe`), or nothing
//! asynchronous at all: block it ([`block`]) and take it synchronously with
//! [`wait`] or from a [`SignalFd`] that `poll` watches beside other fds.
//! Real-time signals ([`Signal::rt`]) queue instead of coalescing and carry
//! a value ([`queue`]).
//!
//! ```no_run
//! # #[cfg(feature = "std")] fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::process::Command;
//! use bareipc::signal::{self, SigSet, Signal, SignalFd, SignalFdFlags};
//!
//! // Take SIGUSR1 from a signalfd instead of a handler: block it first, so
//! // that it stays pending until read. (Do this before starting threads:
//! // the mask is per thread, and threads inherit it.)
//! let usr1 = SigSet::empty().with(Signal::USR1);
//! signal::block(&usr1)?;
//! let fd = SignalFd::new(&usr1, SignalFdFlags::empty())?;
//!
//! // The other process: a shell that signals its parent. (It inherits
//! // the mask through `execve`; `clear_mask_on_exec` would give it an
//! // empty one, which a child that must die of a signal needs.)
//! let child = Command::new("sh").arg("-c").arg("kill -USR1 $PPID").spawn()?;
//!
//! let info = fd.read()?; // blocks until the signal is pending
//! assert_eq!(info.signal(), Some(Signal::USR1));
//! assert_eq!(
//!     info.sender_pid().map(|p| p.as_raw_nonzero().get() as u32),
//!     Some(child.id())
//! );
//! # Ok(()) }
//! # #[cfg(not(feature = "std"))] fn main() {}
//! ```
//!
//! # Signal numbers
//! [`Signal`] holds a kernel signal number, 1 to 64, and refuses 32, 33 and
//! 34 unless the caller opts in with the `unsafe` [`Signal::new_reserved`]:
//! glibc uses 32 and 33 internally (thread cancellation, `setuid` across
//! threads) and musl 32 to 34, so in a process with a libc, blocking,
//! handling or sending those breaks the libc. The real-time signals free in
//! both are [`Signal::RTMIN`] (35) to [`Signal::RTMAX`] (64). rustix's own
//! `Signal` cannot be built for a real-time signal without `unsafe`, which
//! is why this type exists; it converts to and from rustix's.
//!
//! # Threads
//! Dispositions ([`set_handler`], [`set_ignore`]) belong to the process;
//! masks ([`block`]) and the alternate stack ([`set_alt_stack`]) belong to
//! the calling thread. A process-directed signal ([`kill`], [`queue`]) goes
//! to any one thread that does not block it, so a program that waits for
//! signals synchronously blocks them in every thread: in the main thread
//! before it starts any other, which then inherit the mask.
//! [`tgkill`], [`raise`] and [`queue_thread`] direct a signal at one thread.
//!
//! # Interrupted calls
//! A blocking call interrupted by a handler fails with
//! [`Errno::INTR`](crate::Errno::INTR), unless the handler was installed
//! with [`ActionFlags::RESTART`] and the call is one the kernel restarts
//! (reads and writes on pipes, sockets and eventfds; not
//! [`wait_timeout`], [`suspend`], `poll` or anything with a timeout). The
//! crate never retries by itself.
//!
//! # Coexisting with a libc
//! Every call here is the raw syscall, as a libc would make it; the kernel
//! state is the same whoever changes it. But a libc's own bookkeeping does
//! not see these calls (see [`set_handler`]), and glibc hides signals 32 and
//! 33 from its callers where this crate refuses them.

mod action;
mod altstack;
mod info;
mod mask;
mod send;
mod set;
mod signalfd;
mod wait;

use core::fmt;
use core::num::NonZeroI32;

pub use action::{
    Action, ActionFlags, Disposition, Handler, InfoHandler, Installed, PlainHandler, action,
    restore, set_default, set_handler, set_ignore,
};
pub use altstack::{
    AltStack, AltStackFlags, MIN_STACK_SIZE, alt_stack, disable_alt_stack, set_alt_stack,
};
pub use info::{ChildEvent, ChildStatus, Code, SigInfo, SigVal};
#[cfg(feature = "std")]
pub use mask::clear_mask_on_exec;
pub use mask::{MaskHow, block, change_mask, mask, pending, set_mask, suspend, unblock};
pub use send::{
    PidFd, WaitFlags, getpid, gettid, kill, kill_group, probe, probe_group, queue, queue_info,
    queue_thread, queue_thread_info, raise, tgkill,
};
pub use set::{SigSet, SigSetIter};
pub use signalfd::{SignalFd, SignalFdFlags};
pub use wait::{try_wait, wait, wait_timeout};

use crate::{Errno, Result};

/// A signal number: 1 to 64, and not 32, 33 or 34 unless the creator
/// opted in with [`Signal::new_reserved`].
///
/// Passed to handlers as their first argument (it has the ABI of a C
/// `int`). Build one from the named constants, [`Signal::rt`] for a
/// real-time signal, or [`Signal::new`] from a number.
#[doc(alias = "SIGRTMIN")]
#[doc(alias = "SIGRTMAX")]
#[repr(transparent)]
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Signal(NonZeroI32);

/// Defines the named standard signals from rustix's values.
macro_rules! named {
    ($($name:ident = $c:literal,)*) => {
        impl Signal {
            $(
                #[doc = concat!("`", $c, "`.")]
                #[doc(alias = $c)]
                pub const $name: Signal = Signal::from_rustix_const(rustix::process::Signal::$name);
            )*
        }

        /// The C name of a standard signal.
        const fn c_name(raw: i32) -> Option<&'static str> {
            $(
                if raw == Signal::$name.as_raw() {
                    return Some($c);
                }
            )*
            None
        }
    };
}

named! {
    HUP = "SIGHUP",
    INT = "SIGINT",
    QUIT = "SIGQUIT",
    ILL = "SIGILL",
    TRAP = "SIGTRAP",
    ABORT = "SIGABRT",
    BUS = "SIGBUS",
    FPE = "SIGFPE",
    KILL = "SIGKILL",
    USR1 = "SIGUSR1",
    SEGV = "SIGSEGV",
    USR2 = "SIGUSR2",
    PIPE = "SIGPIPE",
    ALARM = "SIGALRM",
    TERM = "SIGTERM",
    STKFLT = "SIGSTKFLT",
    CHILD = "SIGCHLD",
    CONT = "SIGCONT",
    STOP = "SIGSTOP",
    TSTP = "SIGTSTP",
    TTIN = "SIGTTIN",
    TTOU = "SIGTTOU",
    URG = "SIGURG",
    XCPU = "SIGXCPU",
    XFSZ = "SIGXFSZ",
    VTALARM = "SIGVTALRM",
    PROF = "SIGPROF",
    WINCH = "SIGWINCH",
    IO = "SIGIO",
    POWER = "SIGPWR",
    SYS = "SIGSYS",
}

/// The highest signal number the kernel knows (`_NSIG`).
const NSIG: i32 = linux_raw_sys::general::_NSIG as i32;
/// The numbers a libc reserves: glibc 32 and 33, musl 32 to 34.
const RESERVED: core::ops::RangeInclusive<i32> = 32..=34;

impl Signal {
    /// The first real-time signal free in both glibc and musl: 35.
    /// (glibc's `SIGRTMIN` is 34, musl's 35.)
    pub const RTMIN: Signal = Signal::from_valid(35);
    /// The last real-time signal: 64 (`SIGRTMAX`).
    pub const RTMAX: Signal = Signal::from_valid(NSIG);

    /// A value known to be in 1..=64.
    const fn from_valid(raw: i32) -> Signal {
        match NonZeroI32::new(raw) {
            Some(n) => Signal(n),
            // Only reached with a literal 0, which no caller passes; a
            // const evaluation would fail to compile rather than run this.
            None => Signal::SYS,
        }
    }

    const fn from_rustix_const(sig: rustix::process::Signal) -> Signal {
        Signal(sig.as_raw_nonzero())
    }

    /// A signal number the kernel reported (a siginfo's `si_signo`, a bit
    /// of a mask), as a `Signal` if safe code may hold one: `None` for 32,
    /// 33 and 34, which only the `unsafe` [`Signal::new_reserved`] hands
    /// out (and, defensively, for a number outside 1..=64, which the
    /// kernel never reports).
    pub(crate) const fn from_kernel(raw: i32) -> Option<Signal> {
        match Signal::new(raw) {
            Ok(s) => Some(s),
            Err(_) => None,
        }
    }

    /// The signal with number `raw`, if it is 1 to 64 and not reserved.
    ///
    /// Syscalls: none.
    ///
    /// # Errors
    /// [`Errno::INVAL`](crate::Errno::INVAL): 0 (the "does the process
    /// exist" probe of `kill`, not a signal), negative, above 64, or 32, 33
    /// or 34 (reserved by glibc and musl; see [`Signal::new_reserved`]).
    ///
    /// # References
    /// - [signal(7)](https://man7.org/linux/man-pages/man7/signal.7.html)
    pub const fn new(raw: i32) -> Result<Signal> {
        if raw >= *RESERVED.start() && raw <= *RESERVED.end() {
            return Err(Errno::INVAL);
        }
        Self::checked(raw)
    }

    const fn checked(raw: i32) -> Result<Signal> {
        if raw >= 1 && raw <= NSIG {
            Ok(Signal::from_valid(raw))
        } else {
            Err(Errno::INVAL)
        }
    }

    /// Real-time signal number `n` counted from [`Signal::RTMIN`]:
    /// `rt(0)` is 35, `rt(29)` is 64 ([`Signal::RTMAX`]).
    ///
    /// Syscalls: none.
    ///
    /// # Errors
    /// [`Errno::INVAL`](crate::Errno::INVAL): `n` above 29.
    ///
    /// # References
    /// - [signal(7), "Real-time signals"](https://man7.org/linux/man-pages/man7/signal.7.html)
    #[doc(alias = "SIGRTMIN")]
    pub const fn rt(n: u32) -> Result<Signal> {
        if n > (NSIG - Signal::RTMIN.as_raw()) as u32 {
            return Err(Errno::INVAL);
        }
        Ok(Signal::from_valid(Signal::RTMIN.as_raw() + n as i32))
    }

    /// The signal with number `raw`, 1 to 64, including the reserved 32, 33
    /// and 34.
    ///
    /// Syscalls: none.
    ///
    /// # Safety
    /// If `raw` is 32, 33 or 34, a libc in this process may rely on owning
    /// it: glibc cancels threads with 32 and makes `setuid` and friends
    /// apply to every thread with 33; musl also uses 34. Blocking one of
    /// them, changing its action or sending it can then leave threads
    /// running with other credentials than the rest, or deadlock the
    /// process. The caller must know that no libc in the process uses the
    /// number (a libc-free program), or coordinate with the one that does.
    /// The same contract as rustix's `Signal::from_raw_unchecked`.
    ///
    /// # Errors
    /// [`Errno::INVAL`](crate::Errno::INVAL): 0, negative, or above 64.
    ///
    /// # References
    /// - [signal(7)](https://man7.org/linux/man-pages/man7/signal.7.html)
    /// - [nptl(7)](https://man7.org/linux/man-pages/man7/nptl.7.html)
    #[allow(unsafe_code)] // the opt-in is the contract; the body is safe
    pub const unsafe fn new_reserved(raw: i32) -> Result<Signal> {
        Self::checked(raw)
    }

    /// The kernel's number for this signal.
    #[inline]
    pub const fn as_raw(self) -> i32 {
        self.0.get()
    }

    /// Whether this is a real-time signal (32 and above): several of them
    /// queue instead of coalescing, and they arrive lowest number first.
    #[inline]
    pub const fn is_realtime(self) -> bool {
        self.as_raw() >= 32
    }

    /// The bit of this signal in a kernel signal set.
    #[inline]
    pub(crate) const fn bit(self) -> u64 {
        1u64 << (self.as_raw() - 1)
    }
}

impl fmt::Debug for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let raw = self.as_raw();
        match c_name(raw) {
            Some(name) => f.write_str(name),
            None if raw >= Signal::RTMIN.as_raw() => {
                write!(f, "SIGRTMIN+{}", raw - Signal::RTMIN.as_raw())
            }
            None => write!(f, "SIG{raw}"),
        }
    }
}

impl TryFrom<rustix::process::Signal> for Signal {
    type Error = Errno;

    /// rustix's signal as ours. Every named rustix signal converts; a
    /// number rustix was handed unsafely converts if it is 1 to 64 (its
    /// `from_raw_unchecked` contract already covers the reserved ones).
    fn try_from(sig: rustix::process::Signal) -> Result<Signal> {
        Signal::checked(sig.as_raw())
    }
}

impl From<Signal> for rustix::process::Signal {
    /// Ours as rustix's, to call rustix functions that take a signal.
    fn from(sig: Signal) -> rustix::process::Signal {
        crate::backend::signal::rustix_signal(sig.as_raw())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(unsafe_code)] // the reserved numbers are only inspected
    fn numbers() {
        assert_eq!(Signal::new(0), Err(Errno::INVAL));
        assert_eq!(Signal::new(-1), Err(Errno::INVAL));
        assert_eq!(Signal::new(65), Err(Errno::INVAL));
        for r in 32..=34 {
            assert_eq!(Signal::new(r), Err(Errno::INVAL));
            // SAFETY: only inspected, never used with the kernel.
            let reserved = unsafe { Signal::new_reserved(r) };
            assert_eq!(reserved.map(Signal::as_raw), Ok(r));
        }
        // SAFETY: as above.
        assert_eq!(unsafe { Signal::new_reserved(65) }, Err(Errno::INVAL));
        assert_eq!(Signal::new(10), Ok(Signal::USR1));
        assert_eq!(Signal::rt(0), Ok(Signal::RTMIN));
        assert_eq!(Signal::rt(29), Ok(Signal::RTMAX));
        assert_eq!(Signal::rt(30), Err(Errno::INVAL));
        assert_eq!(Signal::RTMIN.as_raw(), 35);
        assert!(Signal::RTMIN.is_realtime() && !Signal::TERM.is_realtime());
        for r in (1..=31).chain(35..=64) {
            assert_eq!(Signal::new(r).map(Signal::as_raw), Ok(r));
        }
    }

    #[test]
    #[allow(unsafe_code)] // a reserved number is only formatted
    fn names() {
        extern crate std;
        use std::format;
        assert_eq!(format!("{:?}", Signal::CHILD), "SIGCHLD");
        assert_eq!(format!("{:?}", Signal::rt(3).unwrap()), "SIGRTMIN+3");
        // SAFETY: only formatted.
        let reserved = unsafe { Signal::new_reserved(33) }.unwrap();
        assert_eq!(format!("{reserved:?}"), "SIG33");
    }

    #[test]
    fn rustix_round_trip() {
        let r: rustix::process::Signal = Signal::TERM.into();
        assert_eq!(r, rustix::process::Signal::TERM);
        assert_eq!(
            Signal::try_from(rustix::process::Signal::WINCH),
            Ok(Signal::WINCH)
        );
    }
}
