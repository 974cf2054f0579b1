//! arm (EABI, ARM mode): `svc 0`.
//!
//! | nr | a0 | a1 | a2 | a3 | a4 | a5 | ret | clobbered |
//! |----|----|----|----|----|----|----|-----|-----------|
//! | r7 | r0 | r1 | r2 | r3 | r4 | r5 | r0  | none      |
//!
//! r7 is an ordinary register in ARM mode (the frame pointer is r11); Thumb
//! mode, where r7 is the frame pointer, is refused in `arch/mod.rs`.
#![allow(unsafe_code, dead_code)]

use core::arch::asm;

use crate::backend::reg::{Arg, Ret};

#[inline]
pub(crate) unsafe fn syscall0(nr: u32) -> Ret {
    let r0;
    // SAFETY: the caller upholds the syscall's contract (module docs).
    unsafe {
        asm!(
            "svc 0",
            in("r7") nr as usize,
            lateout("r0") r0,
            options(nostack, preserves_flags)
        );
    }
    Ret::from_raw(r0)
}

#[inline]
pub(crate) unsafe fn syscall1(nr: u32, a0: Arg<'_>) -> Ret {
    let r0;
    // SAFETY: the caller upholds the syscall's contract (module docs).
    unsafe {
        asm!(
            "svc 0",
            in("r7") nr as usize,
            inlateout("r0") a0.raw() => r0,
            options(nostack, preserves_flags)
        );
    }
    Ret::from_raw(r0)
}

#[inline]
pub(crate) unsafe fn syscall2(nr: u32, a0: Arg<'_>, a1: Arg<'_>) -> Ret {
    let r0;
    // SAFETY: the caller upholds the syscall's contract (module docs).
    unsafe {
        asm!(
            "svc 0",
            in("r7") nr as usize,
            inlateout("r0") a0.raw() => r0,
            in("r1") a1.raw(),
            options(nostack, preserves_flags)
        );
    }
    Ret::from_raw(r0)
}

#[inline]
pub(crate) unsafe fn syscall3(nr: u32, a0: Arg<'_>, a1: Arg<'_>, a2: Arg<'_>) -> Ret {
    let r0;
    // SAFETY: the caller upholds the syscall's contract (module docs).
    unsafe {
        asm!(
            "svc 0",
            in("r7") nr as usize,
            inlateout("r0") a0.raw() => r0,
            in("r1") a1.raw(),
            in("r2") a2.raw(),
            options(nostack, preserves_flags)
        );
    }
    Ret::from_raw(r0)
}

#[inline]
pub(crate) unsafe fn syscall4(nr: u32, a0: Arg<'_>, a1: Arg<'_>, a2: Arg<'_>, a3: Arg<'_>) -> Ret {
    let r0;
    // SAFETY: the caller upholds the syscall's contract (module docs).
    unsafe {
        asm!(
            "svc 0",
            in("r7") nr as usize,
            inlateout("r0") a0.raw() => r0,
            in("r1") a1.raw(),
            in("r2") a2.raw(),
            in("r3") a3.raw(),
            options(nostack, preserves_flags)
        );
    }
    Ret::from_raw(r0)
}

#[inline]
pub(crate) unsafe fn syscall5(
    nr: u32,
    a0: Arg<'_>,
    a1: Arg<'_>,
    a2: Arg<'_>,
    a3: Arg<'_>,
    a4: Arg<'_>,
) -> Ret {
    let r0;
    // SAFETY: the caller upholds the syscall's contract (module docs).
    unsafe {
        asm!(
            "svc 0",
            in("r7") nr as usize,
            inlateout("r0") a0.raw() => r0,
            in("r1") a1.raw(),
            in("r2") a2.raw(),
            in("r3") a3.raw(),
            in("r4") a4.raw(),
            options(nostack, preserves_flags)
        );
    }
    Ret::from_raw(r0)
}

#[inline]
pub(crate) unsafe fn syscall6(
    nr: u32,
    a0: Arg<'_>,
    a1: Arg<'_>,
    a2: Arg<'_>,
    a3: Arg<'_>,
    a4: Arg<'_>,
    a5: Arg<'_>,
) -> Ret {
    let r0;
    // SAFETY: the caller upholds the syscall's contract (module docs).
    unsafe {
        asm!(
            "svc 0",
            in("r7") nr as usize,
            inlateout("r0") a0.raw() => r0,
            in("r1") a1.raw(),
            in("r2") a2.raw(),
            in("r3") a3.raw(),
            in("r4") a4.raw(),
            in("r5") a5.raw(),
            options(nostack, preserves_flags)
        );
    }
    Ret::from_raw(r0)
}

/// The restorer for an `SA_SIGINFO` (rt) frame: with `SA_RESTORER` the
/// kernel sets the handler's `lr` here. No stack use. Never returns.
#[cfg(feature = "signal")]
#[unsafe(naked)]
pub(crate) unsafe extern "C" fn restore_rt() {
    core::arch::naked_asm!(
        "mov r7, #{nr}",
        "svc 0",
        "udf #0",
        nr = const linux_raw_sys::general::__NR_rt_sigreturn,
    );
}

/// The restorer for an old (non-`SA_SIGINFO`) frame: `sigreturn`. No
/// stack use. Never returns.
#[cfg(feature = "signal")]
#[unsafe(naked)]
pub(crate) unsafe extern "C" fn restore() {
    core::arch::naked_asm!(
        "mov r7, #{nr}",
        "svc 0",
        "udf #0",
        nr = const linux_raw_sys::general::__NR_sigreturn,
    );
}
