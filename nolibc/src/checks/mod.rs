//! One module and one `check()` per IPC family, each behind the cargo
//! feature that enables the family in bareipc.
//!
//! A check returns `Err(step)` where `step` is a `#[repr(u8)]` enum whose
//! values are the family's block of exit codes (see the table in `main.rs`).

#[cfg(feature = "pipe")]
pub mod pipe;
#[cfg(feature = "signal")]
pub mod signal;
#[cfg(feature = "socket")]
pub mod socket;
