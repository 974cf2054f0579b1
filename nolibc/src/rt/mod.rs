//! The smallest runtime a Linux process needs when there is no libc and no
//! crt object: an entry point, a way out, and the few C symbols that LLVM
//! and the prebuilt `core` call.
//!
//! - [`entry`]: `_start` for each architecture, calling `crate::start_rust`.
//! - [`exit`]: `exit_group` as a raw syscall.
//! - [`mem`]: `memcpy`, `memmove`, `memset`, `memcmp`, `bcmp`, `strlen`,
//!   `rust_eh_personality`, and `getauxval` on aarch64.

#[cfg(not(all(
    target_os = "linux",
    any(
        target_arch = "x86_64",
        target_arch = "x86",
        target_arch = "aarch64",
        target_arch = "riscv64",
        target_arch = "arm"
    )
)))]
compile_error!(
    "bareipc-nolibc supports Linux on x86_64, x86 (i686), aarch64, riscv64 and arm (armv7) only"
);

mod entry;
mod exit;
mod mem;

pub use exit::exit_group;
