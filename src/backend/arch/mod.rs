//! One file per architecture: `syscall0` .. `syscall6` in `asm!` and nothing
//! else. No policy lives here: which number to call, which struct layout to
//! pass and how to decode the result are decided in the files above.
//!
//! # Safety
//! Every function here is `unsafe`: the caller must pass a valid syscall
//! number and arguments that are valid for that syscall (pointers into live
//! memory of the right size and mutability, for as long as the call runs).
//!
//! None of the asm blocks is marked `readonly` or `nomem`: several of the
//! crate's syscalls write through pointers (`msgrcv`, `semctl(GETALL)`,
//! `rt_sigtimedwait`) or can run a signal handler before they return (`kill`
//! to self, unblocking `rt_sigprocmask`), and one conservative contract for
//! all of them is cheaper to audit than a per-call choice. The cost is a
//! compiler barrier around each syscall, far below the syscall itself.

#[cfg(all(target_arch = "x86_64", target_pointer_width = "64"))]
mod x86_64;
#[cfg(all(target_arch = "x86_64", target_pointer_width = "64"))]
#[allow(unused_imports)] // each family uses the arities it needs
pub(crate) use x86_64::*;

#[cfg(target_arch = "x86")]
mod x86;
#[cfg(target_arch = "x86")]
#[allow(unused_imports)] // each family uses the arities it needs
pub(crate) use x86::*;

#[cfg(all(target_arch = "aarch64", target_pointer_width = "64"))]
mod aarch64;
#[cfg(all(target_arch = "aarch64", target_pointer_width = "64"))]
#[allow(unused_imports)] // each family uses the arities it needs
pub(crate) use aarch64::*;

#[cfg(target_arch = "riscv64")]
mod riscv64;
#[cfg(target_arch = "riscv64")]
#[allow(unused_imports)] // each family uses the arities it needs
pub(crate) use riscv64::*;

#[cfg(all(target_arch = "arm", not(target_feature = "thumb-mode")))]
mod arm;
#[cfg(all(target_arch = "arm", not(target_feature = "thumb-mode")))]
#[allow(unused_imports)] // each family uses the arities it needs
pub(crate) use arm::*;

#[cfg(not(target_os = "linux"))]
compile_error!("bareipc talks to the Linux kernel directly and supports only Linux targets");

#[cfg(all(target_arch = "x86_64", target_pointer_width = "32"))]
compile_error!(
    "bareipc does not support the x32 ABI; supported: x86_64, x86 (i686), aarch64, riscv64, arm (armv7, ARM mode)"
);

#[cfg(all(target_arch = "aarch64", target_pointer_width = "32"))]
compile_error!(
    "bareipc does not support arm64 ILP32; supported: x86_64, x86 (i686), aarch64, riscv64, arm (armv7, ARM mode)"
);

#[cfg(all(target_arch = "arm", target_feature = "thumb-mode"))]
compile_error!(
    "bareipc does not support Thumb-mode ARM targets (r7 is the frame pointer there); supported: x86_64, x86 (i686), aarch64, riscv64, arm (armv7, ARM mode)"
);

#[cfg(not(any(
    target_arch = "x86_64",
    target_arch = "x86",
    target_arch = "aarch64",
    target_arch = "riscv64",
    target_arch = "arm"
)))]
compile_error!(
    "bareipc has no syscall layer for this architecture; supported: x86_64, x86 (i686), aarch64, riscv64, arm (armv7, ARM mode)"
);
