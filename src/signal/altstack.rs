//! The alternate signal stack of the calling thread.

use linux_raw_sys::general as g;

use crate::Result;
use crate::backend::signal::{self as raw, AltStack as RawAltStack};

/// The kernel's minimum size for an alternate stack on this arch
/// (`MINSIGSTKSZ`: 2048 bytes, 5120 on aarch64). A handler needs more than
/// that for anything but a few instructions; 64 KiB is a comfortable size
/// (CPUs with large vector state make the kernel's own frame several KiB).
pub const MIN_STACK_SIZE: usize = g::MINSIGSTKSZ as usize;

bitflags::bitflags! {
    /// Flags of an alternate stack (`ss_flags`).
    #[repr(transparent)]
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct AltStackFlags: u32 {
        /// `SS_ONSTACK` (reported only): the thread is running on the
        /// alternate stack now, in a handler.
        const ONSTACK = g::SS_ONSTACK;
        /// `SS_DISABLE` (reported only): there is no alternate stack. Use
        /// [`disable_alt_stack`] to remove one.
        const DISABLE = g::SS_DISABLE;
        /// `SS_AUTODISARM`: forget the stack while a handler runs on it, so
        /// a handler that switches context (and a nested signal) cannot
        /// corrupt it.
        const AUTODISARM = g::SS_AUTODISARM;
    }
}

/// An alternate signal stack as the kernel reports it (`stack_t`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AltStack {
    /// The stack's lowest address (`ss_sp`); 0 when disabled.
    pub addr: usize,
    /// Its size in bytes (`ss_size`).
    pub size: usize,
    /// Its state.
    pub flags: AltStackFlags,
}

impl From<RawAltStack> for AltStack {
    fn from(s: RawAltStack) -> AltStack {
        AltStack {
            addr: s.addr,
            size: s.size,
            flags: AltStackFlags::from_bits_retain(s.flags as u32),
        }
    }
}

/// `sigaltstack(&{stack, flags}, &old)` — give the calling thread `stack` to
/// run [`ONSTACK`](super::ActionFlags::ONSTACK) handlers on; returns the
/// previous one.
///
/// The stack is what a handler for a stack overflow needs: the thread's own
/// stack is full then. The kernel may write to `stack` whenever such a
/// handler runs, for the rest of the thread's life (even after another
/// stack replaces it, if a handler still runs on it), hence the
/// `&'static mut`: a leaked allocation or a `static` buffer given up for
/// good. `flags` may be [`AltStackFlags::AUTODISARM`]; the reported-only
/// `ONSTACK` and `DISABLE`, and any other bit, are refused.
///
/// Syscalls: `sigaltstack` (none for other flags).
///
/// # Errors
/// - [`Errno::NOMEM`](crate::Errno::NOMEM): `stack` is shorter than
///   [`MIN_STACK_SIZE`] (or than the kernel's larger limit on CPUs with
///   big vector state).
/// - [`Errno::PERM`](crate::Errno::PERM): the thread is running on its
///   alternate stack now (a handler calls this).
/// - [`Errno::INVAL`](crate::Errno::INVAL): a flag other than
///   `AUTODISARM`, before the syscall.
///
/// # References
/// - [sigaltstack(2)](https://man7.org/linux/man-pages/man2/sigaltstack.2.html)
#[doc(alias = "sigaltstack")]
pub fn set_alt_stack(stack: &'static mut [u8], flags: AltStackFlags) -> Result<AltStack> {
    crate::flags::only(flags, AltStackFlags::AUTODISARM)?;
    raw::sigaltstack_set(stack, flags.bits() as i32).map(AltStack::from)
}

/// `sigaltstack(&{SS_DISABLE}, &old)` — remove the calling thread's
/// alternate stack; returns it.
///
/// Syscalls: `sigaltstack`.
///
/// # Errors
/// - [`Errno::PERM`](crate::Errno::PERM): the thread is running on its
///   alternate stack now.
///
/// # References
/// - [sigaltstack(2)](https://man7.org/linux/man-pages/man2/sigaltstack.2.html)
pub fn disable_alt_stack() -> Result<AltStack> {
    raw::sigaltstack_disable().map(AltStack::from)
}

/// `sigaltstack(NULL, &old)` — the calling thread's alternate stack.
///
/// Syscalls: `sigaltstack`.
///
/// # Errors
/// None in practice.
///
/// # References
/// - [sigaltstack(2)](https://man7.org/linux/man-pages/man2/sigaltstack.2.html)
pub fn alt_stack() -> Result<AltStack> {
    raw::sigaltstack_get().map(AltStack::from)
}
