//! `_start`, the ELF entry point, one naked function per architecture.
//!
//! The kernel enters with the stack pointer at `argc` (then argv, envp,
//! auxv) and no return address. Each version:
//! 1. clears the frame pointer and/or link register, so that a debugger's
//!    backtrace stops here;
//! 2. passes the untouched stack pointer as the first argument;
//! 3. aligns the stack as the ABI requires at a call (16 bytes; arm's AAPCS
//!    needs 8, 16 is used anyway);
//! 4. calls `crate::start_rust`, which never returns (a trap follows just
//!    in case).

#[cfg(target_arch = "x86_64")]
#[unsafe(naked)]
#[unsafe(no_mangle)]
unsafe extern "C" fn _start() -> ! {
    core::arch::naked_asm!(
        "xor ebp, ebp",       // outermost frame
        "mov rdi, rsp",       // arg 0: initial stack pointer
        "and rsp, -16",       // SysV: rsp % 16 == 0 before `call`
        "call {start_rust}",
        "ud2",
        start_rust = sym crate::start_rust,
    )
}

#[cfg(target_arch = "x86")]
#[unsafe(naked)]
#[unsafe(no_mangle)]
unsafe extern "C" fn _start() -> ! {
    core::arch::naked_asm!(
        "xor ebp, ebp",       // outermost frame
        "mov eax, esp",       // initial stack pointer
        "and esp, -16",
        "sub esp, 12",        // 12 + the 4-byte argument: esp % 16 == 0 at `call`
        "push eax",           // arg 0 (cdecl: on the stack)
        "call {start_rust}",
        "ud2",
        start_rust = sym crate::start_rust,
    )
}

#[cfg(target_arch = "aarch64")]
#[unsafe(naked)]
#[unsafe(no_mangle)]
unsafe extern "C" fn _start() -> ! {
    core::arch::naked_asm!(
        "mov x29, xzr",       // outermost frame
        "mov x30, xzr",
        "mov x0, sp",         // arg 0: initial stack pointer
        "and sp, x0, #-16",   // AAPCS64: sp % 16 == 0 (already is; cheap)
        "bl {start_rust}",
        "udf #0",
        start_rust = sym crate::start_rust,
    )
}

#[cfg(target_arch = "riscv64")]
#[unsafe(naked)]
#[unsafe(no_mangle)]
unsafe extern "C" fn _start() -> ! {
    // `gp` is not set: rust-lld does not relax to gp-relative accesses
    // unless asked (--relax-gp), and nothing else here reads it.
    core::arch::naked_asm!(
        "mv s0, zero",        // outermost frame
        "mv ra, zero",
        "mv a0, sp",          // arg 0: initial stack pointer
        "andi sp, sp, -16",   // psABI: sp % 16 == 0
        "call {start_rust}",
        "unimp",
        start_rust = sym crate::start_rust,
    )
}

#[cfg(target_arch = "arm")]
#[unsafe(naked)]
#[unsafe(no_mangle)]
unsafe extern "C" fn _start() -> ! {
    core::arch::naked_asm!(
        "mov fp, #0",         // outermost frame (r11 in ARM mode)
        "mov lr, #0",
        "mov r0, sp",         // arg 0: initial stack pointer
        "bic r1, r0, #15",    // AAPCS: sp % 8 == 0 at a public call; use 16
        "mov sp, r1",
        "bl {start_rust}",
        "udf #0",
        start_rust = sym crate::start_rust,
    )
}
