//! The raw syscall layer: private, small, and the only code in the crate
//! that issues a syscall rustix does not offer.
//!
//! - [`arch`]: `syscall0` .. `syscall6` in `asm!`, one file per architecture.
//! - [`reg`]: typed argument and return registers that keep pointer
//!   provenance and decode `-errno`.
//! - `types`: the kernel structs and constants linux-raw-sys lacks.
//!
//! Family files (`sysv.rs`, `mq.rs`, `signal.rs`) add one `pub(crate) fn`
//! per syscall, named as the syscall, and hold every per-arch decision
//! (`ipc()` on i386, `*_time64` on 32-bit, `IPC_64`).
//!
//! # What is here, and why not rustix or linux-raw-sys
//! Everything else goes through rustix, and every constant and struct
//! linux-raw-sys has comes from it. What is hand-written, one line each:
//! - SysV IPC (`sysv.rs`), POSIX message queues (`mq.rs`), signal actions,
//!   masks, waits, queued sends, signalfd and `sigaltstack` (`signal.rs`),
//!   OFD locks (`file.rs`): rustix does not offer them.
//! - `types.rs`: the IPC structs and constants linux-raw-sys does not
//!   generate (`ipc.h`, `msg.h`, `sem.h`, `shm.h`, `mqueue.h`).
//! - `net.rs`: rustix's socket calls use `socketcall` on i386 (we make the
//!   direct calls, auditable and seccomp-filterable), drop control
//!   messages it does not know, and assert on short option lengths.
//! - `pidfd_send_signal` with a siginfo or signal 0, and `waitid` keeping
//!   `si_utime` / `si_stime`: rustix takes only a `Signal`, and keeps the
//!   record's times to itself.
//! - `pipe.rs` pins the direction of rustix's `unsafe` vmsplice; `mm.rs`
//!   the contracts of its mmap; `time.rs` saturates `Duration`s into
//!   rustix's `Timespec` (asserted to be the kernel's layout).
//!
//! Outside the backend, `file::watch` decodes inotify records itself:
//! rustix's `inotify::Reader` makes the `read` inside `next` (so no
//! timeout or try form), needs an aligned `MaybeUninit` buffer, and trusts
//! the kernel's lengths through pointer casts; ours is a bounds-checked
//! slice parser without `unsafe`.
//!
//! # Safety
//! The functions of `arch` are `unsafe` and their callers in this module
//! tree are the only places that turn references into syscall arguments;
//! each such block states why the kernel's access stays inside the borrowed
//! memory.
#![allow(unsafe_code)]

pub(crate) mod arch;
#[cfg(all(feature = "shm", target_arch = "x86_64"))]
pub(crate) mod copy;
#[cfg(feature = "file")]
pub(crate) mod file;
#[cfg(feature = "shm")]
pub(crate) mod mm;
#[cfg(feature = "mq")]
pub(crate) mod mq;
#[cfg(feature = "socket")]
pub(crate) mod net;
#[cfg(any(feature = "pipe", feature = "fifo"))]
pub(crate) mod pipe;
#[allow(dead_code)] // the full register toolkit; each family uses part of it
pub(crate) mod reg;
#[cfg(feature = "signal")]
pub(crate) mod signal;
#[cfg(any(feature = "shm", feature = "mq", feature = "sem"))]
#[allow(dead_code)] // each family uses part of it
pub(crate) mod sysv;
#[cfg(any(
    feature = "shm",
    feature = "sem",
    feature = "mq",
    feature = "signal",
    feature = "file"
))]
#[allow(dead_code)] // each family uses part of it
pub(crate) mod time;
#[allow(dead_code)]
pub(crate) mod types;

#[cfg(test)]
mod tests;

/// A public newtype that is `#[repr(transparent)]` over a kernel struct of
/// this layer, so that the backend can pass a slice of it to the kernel
/// as it is, without naming the public type.
///
/// # Safety
/// Implemented only by [`transparent_newtype!`], which defines the type as
/// `#[repr(transparent)]` over `Inner` in the same expansion.
#[cfg(feature = "sem")]
pub(crate) unsafe trait Transparent: Sized {
    /// The kernel struct the type wraps.
    type Inner;
}

/// `&[T]` as the `&[T::Inner]` it is.
#[cfg(feature = "sem")]
#[inline]
pub(crate) fn inner_slice<T: Transparent>(s: &[T]) -> &[T::Inner] {
    const {
        assert!(core::mem::size_of::<T>() == core::mem::size_of::<T::Inner>());
        assert!(core::mem::align_of::<T>() == core::mem::align_of::<T::Inner>());
    }
    // SAFETY: `T` is `#[repr(transparent)]` over `T::Inner` (the trait's
    // contract; size and alignment checked above): `s.len()` valid
    // `T::Inner`s at the same address, borrowed for the same lifetime.
    unsafe { core::slice::from_raw_parts(s.as_ptr().cast::<T::Inner>(), s.len()) }
}

/// Defines a public newtype `#[repr(transparent)]` over a kernel struct,
/// and marks it [`Transparent`]: the one way to implement that trait.
#[cfg(feature = "sem")]
macro_rules! transparent_newtype {
    ($(#[$m:meta])* $vis:vis struct $name:ident($inner:ty);) => {
        $(#[$m])*
        #[repr(transparent)]
        $vis struct $name($inner);

        // SAFETY: defined just above as `#[repr(transparent)]` over
        // `$inner`, its only field.
        #[allow(unsafe_code)]
        unsafe impl $crate::backend::Transparent for $name {
            type Inner = $inner;
        }
    };
}
#[cfg(feature = "sem")]
pub(crate) use transparent_newtype;
