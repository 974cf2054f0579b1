//! riscv64: `ecall`.
//!
//! | nr | a0 | a1 | a2 | a3 | a4 | a5 | ret | clobbered |
//! |----|----|----|----|----|----|----|-----|-----------|
//! | a7 | a0 | a1 | a2 | a3 | a4 | a5 | a0  | v0..v31   |
//!
//! The kernel does not preserve the vector registers across a syscall, so
//! all 32 are declared clobbered; and because the vector CSRs count as flags
//! for `asm!` on RISC-V, no block claims `preserves_flags`.
#![allow(unsafe_code, dead_code)]

use core::arch::asm;

use crate::backend::reg::{Arg, Ret};

/// `ecall` with the given operands, all vector registers clobbered.
macro_rules! ecall {
    ($($operands:tt)*) => {
        asm!(
            "ecall",
            $($operands)*
            lateout("v0") _, lateout("v1") _, lateout("v2") _, lateout("v3") _,
            lateout("v4") _, lateout("v5") _, lateout("v6") _, lateout("v7") _,
            lateout("v8") _, lateout("v9") _, lateout("v10") _, lateout("v11") _,
            lateout("v12") _, lateout("v13") _, lateout("v14") _, lateout("v15") _,
            lateout("v16") _, lateout("v17") _, lateout("v18") _, lateout("v19") _,
            lateout("v20") _, lateout("v21") _, lateout("v22") _, lateout("v23") _,
            lateout("v24") _, lateout("v25") _, lateout("v26") _, lateout("v27") _,
            lateout("v28") _, lateout("v29") _, lateout("v30") _, lateout("v31") _,
            options(nostack)
        )
    };
}

#[inline]
pub(crate) unsafe fn syscall0(nr: u32) -> Ret {
    let r0;
    // SAFETY: the caller upholds the syscall's contract (module docs).
    unsafe {
        ecall!(in("a7") nr as usize, lateout("a0") r0,);
    }
    Ret::from_raw(r0)
}

#[inline]
pub(crate) unsafe fn syscall1(nr: u32, a0: Arg<'_>) -> Ret {
    let r0;
    // SAFETY: the caller upholds the syscall's contract (module docs).
    unsafe {
        ecall!(in("a7") nr as usize, inlateout("a0") a0.raw() => r0,);
    }
    Ret::from_raw(r0)
}

#[inline]
pub(crate) unsafe fn syscall2(nr: u32, a0: Arg<'_>, a1: Arg<'_>) -> Ret {
    let r0;
    // SAFETY: the caller upholds the syscall's contract (module docs).
    unsafe {
        ecall!(in("a7") nr as usize, inlateout("a0") a0.raw() => r0, in("a1") a1.raw(),);
    }
    Ret::from_raw(r0)
}

#[inline]
pub(crate) unsafe fn syscall3(nr: u32, a0: Arg<'_>, a1: Arg<'_>, a2: Arg<'_>) -> Ret {
    let r0;
    // SAFETY: the caller upholds the syscall's contract (module docs).
    unsafe {
        ecall!(in("a7") nr as usize, inlateout("a0") a0.raw() => r0, in("a1") a1.raw(), in("a2") a2.raw(),);
    }
    Ret::from_raw(r0)
}

#[inline]
pub(crate) unsafe fn syscall4(nr: u32, a0: Arg<'_>, a1: Arg<'_>, a2: Arg<'_>, a3: Arg<'_>) -> Ret {
    let r0;
    // SAFETY: the caller upholds the syscall's contract (module docs).
    unsafe {
        ecall!(in("a7") nr as usize, inlateout("a0") a0.raw() => r0, in("a1") a1.raw(), in("a2") a2.raw(), in("a3") a3.raw(),);
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
        ecall!(in("a7") nr as usize, inlateout("a0") a0.raw() => r0, in("a1") a1.raw(), in("a2") a2.raw(), in("a3") a3.raw(), in("a4") a4.raw(),);
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
        ecall!(in("a7") nr as usize, inlateout("a0") a0.raw() => r0, in("a1") a1.raw(), in("a2") a2.raw(), in("a3") a3.raw(), in("a4") a4.raw(), in("a5") a5.raw(),);
    }
    Ret::from_raw(r0)
}

// No signal restorer: riscv64 has no `SA_RESTORER` flag and no
// `sa_restorer` field; the kernel always returns from a handler through the
// vDSO's `rt_sigreturn` trampoline.
