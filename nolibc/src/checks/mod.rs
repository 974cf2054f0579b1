//! One module and one `check()` per IPC family, each behind the cargo
//! feature that enables the family in bareipc.
//!
//! A check returns `Err(step)` where `step` is a `#[repr(u8)]` enum whose
//! values are the family's block of exit codes (see the table in `main.rs`).

#[cfg(feature = "file")]
pub mod file;
#[cfg(feature = "mq")]
pub mod mq;
#[cfg(feature = "pipe")]
pub mod pipe;
#[cfg(feature = "sem")]
pub mod sem;
#[cfg(feature = "shm")]
pub mod shm;
#[cfg(feature = "signal")]
pub mod signal;
#[cfg(feature = "socket")]
pub mod socket;
