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
