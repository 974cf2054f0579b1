//! Taking blocked signals synchronously: sigwaitinfo and sigtimedwait.

use core::time::Duration;

use super::{SigInfo, SigSet};
use crate::Result;
use crate::backend::signal as raw;

/// `rt_sigtimedwait(set, &info, NULL, 8)` — wait until a signal of `set` is
/// pending, take it and return what the kernel knows about it
/// (`sigwaitinfo`).
///
/// The signals of `set` must be blocked in the calling thread (and, for
/// process-directed ones, in every other thread), or they are delivered
/// (handled, ignored or fatal) instead of waited for. Real-time signals
/// come out lowest number first, and in the order they were sent within one
/// number; standard ones coalesce (one pending instance at most).
///
/// Syscalls: `rt_sigtimedwait` (`rt_sigtimedwait_time64` on 32-bit).
///
/// # Examples
/// ```
/// # fn main() -> bareipc::Result<()> {
/// use core::time::Duration;
/// use bareipc::signal::{self, SigSet, Signal};
///
/// let set = SigSet::empty().with(Signal::USR1);
/// let old = signal::block(&set)?; // blocked, it waits to be taken
/// signal::raise(Signal::USR1)?;
/// let info = signal::wait(&set)?;
/// assert_eq!(info.signal(), Some(Signal::USR1));
/// let none = signal::wait_timeout(&set, Duration::from_millis(10));
/// assert_eq!(none.err(), Some(bareipc::Errno::AGAIN)); // taken: nothing left
/// signal::set_mask(&old)?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// - [`Errno::INTR`](crate::Errno::INTR): a signal outside `set` ran a
///   handler.
///
/// # References
/// - [sigwaitinfo(2)](https://man7.org/linux/man-pages/man2/sigwaitinfo.2.html)
#[doc(alias = "sigwaitinfo")]
#[doc(alias = "sigwait")]
pub fn wait(set: &SigSet) -> Result<SigInfo> {
    raw::rt_sigtimedwait(&set.bits(), None).map(SigInfo::from_raw)
}

/// `rt_sigtimedwait(set, &info, &timeout, 8)` — [`wait`], giving up after
/// `timeout` (`sigtimedwait`). The timeout is relative and measured on
/// `CLOCK_MONOTONIC`; one too large to represent waits for ever.
///
/// Syscalls: `rt_sigtimedwait` (`rt_sigtimedwait_time64` on 32-bit).
///
/// # Errors
/// - [`Errno::AGAIN`](crate::Errno::AGAIN): `timeout` passed with no
///   signal of `set` pending.
/// - [`Errno::INTR`](crate::Errno::INTR): a signal outside `set` ran a
///   handler (never restarted, whatever `SA_RESTART` says).
///
/// # References
/// - [sigtimedwait(2)](https://man7.org/linux/man-pages/man2/sigtimedwait.2.html)
#[doc(alias = "sigtimedwait")]
pub fn wait_timeout(set: &SigSet, timeout: Duration) -> Result<SigInfo> {
    raw::rt_sigtimedwait(&set.bits(), Some(timeout)).map(SigInfo::from_raw)
}

/// `rt_sigtimedwait(set, &info, &{0, 0}, 8)` — take a pending signal of
/// `set` without waiting.
///
/// Syscalls: `rt_sigtimedwait` (`rt_sigtimedwait_time64` on 32-bit).
///
/// # Errors
/// - [`Errno::AGAIN`](crate::Errno::AGAIN): no signal of `set` is pending.
///
/// # References
/// - [sigtimedwait(2)](https://man7.org/linux/man-pages/man2/sigtimedwait.2.html)
pub fn try_wait(set: &SigSet) -> Result<SigInfo> {
    wait_timeout(set, Duration::ZERO)
}
