//! The calling thread's signal mask, its pending signals, and suspending
//! until a handler runs.

use linux_raw_sys::general as g;

use super::SigSet;
use crate::backend::signal as raw;
use crate::{Errno, Result};

/// `rt_sigprocmask(SIG_BLOCK, set, &old, 8)` — add `set` to the calling
/// thread's mask; returns the previous mask.
///
/// A blocked signal is not delivered: it stays pending until it is
/// unblocked (then handled), taken by [`wait`](super::wait) or read from a
/// [`SignalFd`](super::SignalFd). `SIGKILL` and `SIGSTOP` cannot be
/// blocked; the kernel silently leaves them out. Threads created later
/// inherit the mask; a process-directed signal goes to a thread that does
/// not block it, if there is one.
///
/// Syscalls: `rt_sigprocmask`.
///
/// # Examples
/// ```
/// # fn main() -> bareipc::Result<()> {
/// use bareipc::signal::{self, SigSet, Signal};
///
/// let usr1 = SigSet::empty().with(Signal::USR1);
/// let old = signal::block(&usr1)?; // this thread's mask; threads it starts inherit it
/// signal::raise(Signal::USR1)?; // stays pending instead of killing the process
/// assert!(signal::pending()?.contains(Signal::USR1));
/// let info = signal::try_wait(&usr1)?; // taken synchronously, no handler
/// assert_eq!(info.signal(), Some(Signal::USR1));
/// signal::set_mask(&old)?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// None in practice (the set is always the kernel's size).
///
/// # References
/// - [sigprocmask(2)](https://man7.org/linux/man-pages/man2/sigprocmask.2.html)
/// - [pthread_sigmask(3)](https://man7.org/linux/man-pages/man3/pthread_sigmask.3.html)
#[doc(alias = "sigprocmask")]
#[doc(alias = "pthread_sigmask")]
#[doc(alias = "SIG_BLOCK")]
pub fn block(set: &SigSet) -> Result<SigSet> {
    swap(g::SIG_BLOCK, Some(set))
}

/// `rt_sigprocmask(SIG_UNBLOCK, set, &old, 8)` — remove `set` from the
/// calling thread's mask; returns the previous mask.
///
/// A signal of `set` that was pending is delivered before this returns
/// (its handler runs first, or its default action happens).
///
/// Syscalls: `rt_sigprocmask`.
///
/// # Errors
/// None in practice.
///
/// # References
/// - [sigprocmask(2)](https://man7.org/linux/man-pages/man2/sigprocmask.2.html)
#[doc(alias = "SIG_UNBLOCK")]
pub fn unblock(set: &SigSet) -> Result<SigSet> {
    swap(g::SIG_UNBLOCK, Some(set))
}

/// Makes the program `cmd` spawns start with an empty signal mask.
///
/// A child inherits its parent's mask across `fork` and `execve`, and
/// std's `Command` passes it on unchanged. So a supervisor that blocks
/// `SIGTERM` and `SIGCHLD` for a [`SignalFd`](super::SignalFd) would start
/// workers that cannot be stopped with `SIGTERM`; this clears the mask in
/// the child, between `fork` and `execve`, and leaves the caller's alone.
/// (Dispositions need no such step: handlers reset to the default at
/// `execve`, and std resets an ignored `SIGPIPE`; other ignored signals
/// stay ignored.) A pre-exec hook makes std fork instead of using
/// `posix_spawn`.
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// use bareipc::signal::{self, SigSet, Signal};
/// use std::process::Command;
///
/// let term = SigSet::empty().with(Signal::TERM);
/// let old = signal::block(&term)?;
/// let mut cmd = Command::new("grep");
/// cmd.args(["SigBlk", "/proc/self/status"]);
/// let out = signal::clear_mask_on_exec(&mut cmd).output()?;
/// assert_eq!(out.stdout, b"SigBlk:\t0000000000000000\n");
/// signal::set_mask(&old)?;
/// # Ok(()) }
/// ```
///
/// Syscalls: none in this process (the child makes `rt_sigprocmask`
/// between `fork` and `execve`).
///
/// # Errors
/// None here; a failure in the child is the spawn's error.
///
/// # References
/// - [sigprocmask(2)](https://man7.org/linux/man-pages/man2/sigprocmask.2.html)
/// - [execve(2)](https://man7.org/linux/man-pages/man2/execve.2.html)
#[cfg(feature = "std")]
pub fn clear_mask_on_exec(cmd: &mut std::process::Command) -> &mut std::process::Command {
    raw::clear_mask_on_exec(cmd)
}

/// `rt_sigprocmask(SIG_SETMASK, set, &old, 8)` — make `set` the calling
/// thread's mask; returns the previous mask (to put back later).
///
/// Syscalls: `rt_sigprocmask`.
///
/// # Errors
/// None in practice.
///
/// # References
/// - [sigprocmask(2)](https://man7.org/linux/man-pages/man2/sigprocmask.2.html)
#[doc(alias = "SIG_SETMASK")]
pub fn set_mask(set: &SigSet) -> Result<SigSet> {
    swap(g::SIG_SETMASK, Some(set))
}

/// `rt_sigprocmask(SIG_BLOCK, NULL, &old, 8)` — the calling thread's mask.
///
/// Syscalls: `rt_sigprocmask`.
///
/// # Errors
/// None in practice.
///
/// # References
/// - [sigprocmask(2)](https://man7.org/linux/man-pages/man2/sigprocmask.2.html)
pub fn mask() -> Result<SigSet> {
    swap(g::SIG_BLOCK, None)
}

/// `rt_sigprocmask(how, set, &old, 8)`: the change and the old mask.
fn swap(how: u32, set: Option<&SigSet>) -> Result<SigSet> {
    let mut old = 0;
    raw::rt_sigprocmask(how, set.map(|s| s.bits()).as_ref(), Some(&mut old))?;
    Ok(SigSet::from_kernel(old))
}

/// How [`change_mask`] changes the calling thread's mask.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MaskHow {
    /// `SIG_BLOCK`: add the set, as [`block`].
    Block,
    /// `SIG_UNBLOCK`: remove the set, as [`unblock`].
    Unblock,
    /// `SIG_SETMASK`: replace the mask with the set, as [`set_mask`].
    SetMask,
}

/// `rt_sigprocmask(how, set, NULL, 8)` — change the calling thread's mask
/// as [`block`], [`unblock`] or [`set_mask`] do, without asking for the
/// previous mask.
///
/// For code that never puts the old mask back: the kernel skips copying it
/// out, which makes the call a few percent cheaper (C's usual
/// `sigprocmask(how, &set, NULL)`). What the change does is the same,
/// including delivery of newly unblocked pending signals before it returns.
///
/// Syscalls: `rt_sigprocmask`.
///
/// # Errors
/// None in practice (the set is always the kernel's size, and every
/// [`MaskHow`] is valid).
///
/// # References
/// - [sigprocmask(2)](https://man7.org/linux/man-pages/man2/sigprocmask.2.html)
pub fn change_mask(how: MaskHow, set: &SigSet) -> Result<()> {
    let how = match how {
        MaskHow::Block => g::SIG_BLOCK,
        MaskHow::Unblock => g::SIG_UNBLOCK,
        MaskHow::SetMask => g::SIG_SETMASK,
    };
    raw::rt_sigprocmask(how, Some(&set.bits()), None)
}

/// `rt_sigpending(&set, 8)` — the signals pending for the calling thread or
/// the whole process (blocked ones, waiting for delivery).
///
/// Syscalls: `rt_sigpending`.
///
/// # Errors
/// None in practice.
///
/// # References
/// - [sigpending(2)](https://man7.org/linux/man-pages/man2/sigpending.2.html)
#[doc(alias = "sigpending")]
pub fn pending() -> Result<SigSet> {
    raw::rt_sigpending().map(SigSet::from_kernel)
}

/// `rt_sigsuspend(mask, 8)` — replace the calling thread's mask with
/// `mask` and sleep until a signal runs a handler (or terminates the
/// process); then put the old mask back and return.
///
/// The mask change and the sleep are one atomic step, so a signal blocked
/// before the call and left out of `mask` cannot slip in between: block it,
/// check your condition, then suspend with a mask that lets it through.
/// Always returns [`Errno::INTR`] (the call has no success).
///
/// Syscalls: `rt_sigsuspend`, then `rt_sigreturn` as the handler that ends
/// it returns (through its restorer; `sigreturn` for a plain handler on x86
/// and arm).
///
/// # References
/// - [sigsuspend(2)](https://man7.org/linux/man-pages/man2/sigsuspend.2.html)
#[doc(alias = "sigsuspend")]
pub fn suspend(mask: &SigSet) -> Errno {
    raw::rt_sigsuspend(&mask.bits())
}
