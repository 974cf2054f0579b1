//! x86_64: `syscall`.
//!
//! | nr  | a0  | a1  | a2  | a3  | a4 | a5 | ret | clobbered |
//! |-----|-----|-----|-----|-----|----|----|-----|-----------|
//! | rax | rdi | rsi | rdx | r10 | r8 | r9 | rax | rcx (return rip), r11 (saved rflags) |
#![allow(unsafe_code, dead_code)]

use core::arch::asm;

use crate::backend::reg::{Arg, Ret};

#[inline]
pub(crate) unsafe fn syscall0(nr: u32) -> Ret {
    let r0;
    // SAFETY: the caller upholds the syscall's contract (module docs).
    unsafe {
        asm!("syscall", inlateout("rax") nr as usize => r0,
            lateout("rcx") _, lateout("r11") _, options(nostack, preserves_flags));
    }
    Ret::from_raw(r0)
}

#[inline]
pub(crate) unsafe fn syscall1(nr: u32, a0: Arg<'_>) -> Ret {
    let r0;
    // SAFETY: the caller upholds the syscall's contract (module docs).
    unsafe {
        asm!("syscall", inlateout("rax") nr as usize => r0, in("rdi") a0.raw(),
            lateout("rcx") _, lateout("r11") _, options(nostack, preserves_flags));
    }
    Ret::from_raw(r0)
}

#[inline]
pub(crate) unsafe fn syscall2(nr: u32, a0: Arg<'_>, a1: Arg<'_>) -> Ret {
    let r0;
    // SAFETY: the caller upholds the syscall's contract (module docs).
    unsafe {
        asm!("syscall", inlateout("rax") nr as usize => r0, in("rdi") a0.raw(), in("rsi") a1.raw(),
            lateout("rcx") _, lateout("r11") _, options(nostack, preserves_flags));
    }
    Ret::from_raw(r0)
}

#[inline]
pub(crate) unsafe fn syscall3(nr: u32, a0: Arg<'_>, a1: Arg<'_>, a2: Arg<'_>) -> Ret {
    let r0;
    // SAFETY: the caller upholds the syscall's contract (module docs).
    unsafe {
        asm!("syscall", inlateout("rax") nr as usize => r0,
            in("rdi") a0.raw(), in("rsi") a1.raw(), in("rdx") a2.raw(),
            lateout("rcx") _, lateout("r11") _, options(nostack, preserves_flags));
    }
    Ret::from_raw(r0)
}

#[inline]
pub(crate) unsafe fn syscall4(nr: u32, a0: Arg<'_>, a1: Arg<'_>, a2: Arg<'_>, a3: Arg<'_>) -> Ret {
    let r0;
    // SAFETY: the caller upholds the syscall's contract (module docs).
    unsafe {
        asm!("syscall", inlateout("rax") nr as usize => r0,
            in("rdi") a0.raw(), in("rsi") a1.raw(), in("rdx") a2.raw(), in("r10") a3.raw(),
            lateout("rcx") _, lateout("r11") _, options(nostack, preserves_flags));
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
        asm!("syscall", inlateout("rax") nr as usize => r0,
            in("rdi") a0.raw(), in("rsi") a1.raw(), in("rdx") a2.raw(), in("r10") a3.raw(),
            in("r8") a4.raw(),
            lateout("rcx") _, lateout("r11") _, options(nostack, preserves_flags));
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
        asm!("syscall", inlateout("rax") nr as usize => r0,
            in("rdi") a0.raw(), in("rsi") a1.raw(), in("rdx") a2.raw(), in("r10") a3.raw(),
            in("r8") a4.raw(), in("r9") a5.raw(),
            lateout("rcx") _, lateout("r11") _, options(nostack, preserves_flags));
    }
    Ret::from_raw(r0)
}

/// The signal restorer: the kernel stores it as the handler's return
/// address (`SA_RESTORER`, mandatory on x86_64), so a handler's `ret` lands
/// here with `rsp` at the signal frame. It must not touch the stack:
/// `rt_sigreturn` restores every register, the mask and the stack from that
/// frame. Never returns; the trap is unreachable.
#[cfg(feature = "signal")]
#[unsafe(naked)]
pub(crate) unsafe extern "C" fn restore_rt() {
    core::arch::naked_asm!(
        "mov eax, {nr}",
        "syscall",
        "ud2",
        nr = const linux_raw_sys::general::__NR_rt_sigreturn,
    );
}
