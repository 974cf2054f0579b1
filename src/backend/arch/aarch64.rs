//! aarch64: `svc 0`.
//!
//! | nr | a0 | a1 | a2 | a3 | a4 | a5 | ret | clobbered |
//! |----|----|----|----|----|----|----|-----|-----------|
//! | x8 | x0 | x1 | x2 | x3 | x4 | x5 | x0  | none      |
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
            in("x8") nr as usize,
            lateout("x0") r0,
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
            in("x8") nr as usize,
            inlateout("x0") a0.raw() => r0,
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
            in("x8") nr as usize,
            inlateout("x0") a0.raw() => r0,
            in("x1") a1.raw(),
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
            in("x8") nr as usize,
            inlateout("x0") a0.raw() => r0,
            in("x1") a1.raw(),
            in("x2") a2.raw(),
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
            in("x8") nr as usize,
            inlateout("x0") a0.raw() => r0,
            in("x1") a1.raw(),
            in("x2") a2.raw(),
            in("x3") a3.raw(),
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
            in("x8") nr as usize,
            inlateout("x0") a0.raw() => r0,
            in("x1") a1.raw(),
            in("x2") a2.raw(),
            in("x3") a3.raw(),
            in("x4") a4.raw(),
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
            in("x8") nr as usize,
            inlateout("x0") a0.raw() => r0,
            in("x1") a1.raw(),
            in("x2") a2.raw(),
            in("x3") a3.raw(),
            in("x4") a4.raw(),
            in("x5") a5.raw(),
            options(nostack, preserves_flags)
        );
    }
    Ret::from_raw(r0)
}

/// The signal restorer: with `SA_RESTORER` the kernel sets the handler's
/// link register here (otherwise it uses the vDSO's `sigtramp`), so a
/// handler's `ret` lands here with `sp` at the signal frame. No stack use.
/// Never returns.
#[cfg(feature = "signal")]
#[unsafe(naked)]
pub(crate) unsafe extern "C" fn restore_rt() {
    core::arch::naked_asm!(
        "mov x8, #{nr}",
        "svc #0",
        "brk #0x1",
        nr = const linux_raw_sys::general::__NR_rt_sigreturn,
    );
}
