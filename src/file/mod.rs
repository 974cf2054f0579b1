//! File-based IPC done right: a shared file with locks that free
//! themselves when a holder dies, replacement that no reader sees half
//! done, and notification when it changed.
//!
//! The plain shared file has two faults: concurrent writers corrupt it,
//! and a reader cannot tell when it changed. This module fixes both:
//! - [`lock`]: open-file-description byte-range locks (`fcntl(F_OFD_*)`)
//!   and `flock`, shared or exclusive, blocking or not, with guards that
//!   unlock on drop. The kernel drops them when the holder dies.
//! - [`replace`]: write a new version into a temporary file and rename it
//!   into place, so every reader sees a whole version.
//! - [`watch`]: inotify, a pollable fd that says which file changed how.
//!
//! Two processes sharing a counter in a file, under an exclusive lock:
//!
//! ```no_run
//! # #[cfg(feature = "std")] fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::io::{Read, Seek, Write};
//! use bareipc::file::lock::{self, LockKind, Range};
//!
//! let path = std::env::temp_dir().join("bareipc-doc-counter");
//! std::fs::write(&path, 0u64.to_ne_bytes())?;
//!
//! // Adds one to the counter under the lock; both processes run this.
//! let bump = |path: &std::path::Path| -> Result<(), Box<dyn std::error::Error>> {
//!     // Each process opens the file itself: its own open file description.
//!     let f = std::fs::OpenOptions::new().read(true).write(true).open(path)?;
//!     // The guard holds the file and derefs to it.
//!     let mut f = lock::lock(f, LockKind::Exclusive, Range::new(0, 8))?;
//!     let mut n = [0u8; 8];
//!     f.read_exact(&mut n)?;
//!     f.rewind()?;
//!     f.write_all(&(u64::from_ne_bytes(n) + 1).to_ne_bytes())?;
//!     Ok(()) // the guard unlocks and closes here; so would the process's death
//! };
//!
//! if std::env::var_os("BAREIPC_DOC_CHILD").is_some() {
//!     return bump(&path); // the second process
//! }
//! let mut child = std::process::Command::new(std::env::current_exe()?)
//!     .env("BAREIPC_DOC_CHILD", "1")
//!     .spawn()?;
//! bump(&path)?;
//! child.wait()?;
//! assert_eq!(std::fs::read(&path)?, 2u64.to_ne_bytes());
//! # Ok(()) }
//! # #[cfg(not(feature = "std"))] fn main() {}
//! ```
//!
//! Each submodule opens with an example of its own and lists the exact
//! syscalls of every function.

pub mod lock;
pub mod replace;
pub mod watch;
