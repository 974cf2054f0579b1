//! `exit_group(code)`: end every thread of the process. Our own `asm!`,
//! because rustix keeps its exit in a deliberately hidden module.

use linux_raw_sys::general::__NR_exit_group;

/// Ends the process with exit status `code`.
pub fn exit_group(code: u8) -> ! {
    let code = code as usize;
    // SAFETY: `exit_group` takes one integer, touches no memory of ours and
    // does not return (`noreturn`), so no register or memory state after
    // the trap instruction matters.
    unsafe {
        #[cfg(target_arch = "x86_64")]
        core::arch::asm!(
            "syscall",
            in("rax") __NR_exit_group as usize,
            in("rdi") code,
            options(noreturn, nostack)
        );
        #[cfg(target_arch = "x86")]
        core::arch::asm!(
            "int 0x80",
            in("eax") __NR_exit_group as usize,
            in("ebx") code,
            options(noreturn, nostack)
        );
        #[cfg(target_arch = "aarch64")]
        core::arch::asm!(
            "svc 0",
            in("x8") __NR_exit_group as usize,
            in("x0") code,
            options(noreturn, nostack)
        );
        #[cfg(target_arch = "riscv64")]
        core::arch::asm!(
            "ecall",
            in("a7") __NR_exit_group as usize,
            in("a0") code,
            options(noreturn, nostack)
        );
        #[cfg(target_arch = "arm")]
        core::arch::asm!(
            "svc 0",
            in("r7") __NR_exit_group as usize,
            in("r0") code,
            options(noreturn, nostack)
        );
    }
}
