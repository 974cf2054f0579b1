//! x86 (i686): `int 0x80`.
//!
//! | nr  | a0  | a1  | a2  | a3  | a4  | a5  | ret | clobbered |
//! |-----|-----|-----|-----|-----|-----|-----|-----|-----------|
//! | eax | ebx | ecx | edx | esi | edi | ebp | eax | none      |
//!
//! `esi` and `ebp` cannot be named as `asm!` operands (LLVM reserves them), so
//! a3 is swapped into `esi` around the trap, and the five- and six-argument
//! forms pass `[a3, (a5,) nr]` through `eax` as a pointer to an array on the
//! stack and load the registers from it after saving them with `push` (so
//! those two forms cannot claim `nostack`). The kernel's `int 0x80` path
//! preserves EFLAGS. The vDSO's `__kernel_vsyscall` is faster but needs the
//! auxiliary vector; the trap needs nothing.
#![allow(unsafe_code, dead_code)]

use core::arch::asm;
use core::ffi::c_void;

use crate::backend::reg::{Arg, Ret};

#[inline]
pub(crate) unsafe fn syscall0(nr: u32) -> Ret {
    let r0;
    // SAFETY: the caller upholds the syscall's contract (module docs).
    unsafe {
        asm!("int $$0x80", inlateout("eax") nr as usize => r0,
            options(nostack, preserves_flags));
    }
    Ret::from_raw(r0)
}

#[inline]
pub(crate) unsafe fn syscall1(nr: u32, a0: Arg<'_>) -> Ret {
    let r0;
    // SAFETY: the caller upholds the syscall's contract (module docs).
    unsafe {
        asm!("int $$0x80", inlateout("eax") nr as usize => r0, in("ebx") a0.raw(),
            options(nostack, preserves_flags));
    }
    Ret::from_raw(r0)
}

#[inline]
pub(crate) unsafe fn syscall2(nr: u32, a0: Arg<'_>, a1: Arg<'_>) -> Ret {
    let r0;
    // SAFETY: the caller upholds the syscall's contract (module docs).
    unsafe {
        asm!("int $$0x80", inlateout("eax") nr as usize => r0, in("ebx") a0.raw(),
            in("ecx") a1.raw(), options(nostack, preserves_flags));
    }
    Ret::from_raw(r0)
}

#[inline]
pub(crate) unsafe fn syscall3(nr: u32, a0: Arg<'_>, a1: Arg<'_>, a2: Arg<'_>) -> Ret {
    let r0;
    // SAFETY: the caller upholds the syscall's contract (module docs).
    unsafe {
        asm!("int $$0x80", inlateout("eax") nr as usize => r0, in("ebx") a0.raw(),
            in("ecx") a1.raw(), in("edx") a2.raw(), options(nostack, preserves_flags));
    }
    Ret::from_raw(r0)
}

#[inline]
pub(crate) unsafe fn syscall4(nr: u32, a0: Arg<'_>, a1: Arg<'_>, a2: Arg<'_>, a3: Arg<'_>) -> Ret {
    let r0;
    // SAFETY: the caller upholds the syscall's contract (module docs). `esi`
    // is swapped back after the trap, so `{a3}` is unchanged on exit.
    unsafe {
        asm!(
            "xchg esi, {a3}",
            "int $$0x80",
            "xchg esi, {a3}",
            a3 = in(reg) a3.raw(),
            inlateout("eax") nr as usize => r0,
            in("ebx") a0.raw(), in("ecx") a1.raw(), in("edx") a2.raw(),
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
    let regs: [*mut c_void; 2] = [a3.raw(), core::ptr::without_provenance_mut(nr as usize)];
    // SAFETY: the caller upholds the syscall's contract (module docs). `eax`
    // points at `regs`, live on our stack; `esi` is restored before the end.
    unsafe {
        asm!(
            "push esi",
            "mov esi, [eax]",
            "mov eax, [eax + 4]",
            "int $$0x80",
            "pop esi",
            inlateout("eax") regs.as_ptr() => r0,
            in("ebx") a0.raw(), in("ecx") a1.raw(), in("edx") a2.raw(), in("edi") a4.raw(),
            options(preserves_flags)
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
    let regs: [*mut c_void; 3] = [
        a3.raw(),
        a5.raw(),
        core::ptr::without_provenance_mut(nr as usize),
    ];
    // SAFETY: the caller upholds the syscall's contract (module docs). `eax`
    // points at `regs`, live on our stack; `esi` and `ebp` are restored
    // before the end.
    unsafe {
        asm!(
            "push ebp",
            "push esi",
            "mov esi, [eax]",
            "mov ebp, [eax + 4]",
            "mov eax, [eax + 8]",
            "int $$0x80",
            "pop esi",
            "pop ebp",
            inlateout("eax") regs.as_ptr() => r0,
            in("ebx") a0.raw(), in("ecx") a1.raw(), in("edx") a2.raw(), in("edi") a4.raw(),
            options(preserves_flags)
        );
    }
    Ret::from_raw(r0)
}

/// The restorer for an `SA_SIGINFO` (rt) frame: a handler's `ret` lands
/// here with `esp` just past the return address, where `rt_sigreturn`
/// expects it. No stack use. Never returns.
#[cfg(feature = "signal")]
#[unsafe(naked)]
pub(crate) unsafe extern "C" fn restore_rt() {
    core::arch::naked_asm!(
        "mov eax, {nr}",
        "int 0x80",
        "ud2",
        nr = const linux_raw_sys::general::__NR_rt_sigreturn,
    );
}

/// The restorer for an old (non-`SA_SIGINFO`) frame: the signal number
/// follows the return address, so it is popped before `sigreturn`, which
/// finds the frame 8 bytes below `esp`. Never returns.
#[cfg(feature = "signal")]
#[unsafe(naked)]
pub(crate) unsafe extern "C" fn restore() {
    core::arch::naked_asm!(
        "pop eax",
        "mov eax, {nr}",
        "int 0x80",
        "ud2",
        nr = const linux_raw_sys::general::__NR_sigreturn,
    );
}
