//! Every Linux IPC technique as a thin, safe wrapper over the raw system
//! calls, with no libc anywhere: `#![no_std]`, no allocation, and every
//! public function names the syscalls it makes.
//!
//! # Quick start
//! Two processes usually share one of these; here both ends are in one
//! process to keep it short. A socket pair carries bytes and an fd, and
//! the receiver learns who is at the other end:
//!
//! ```
//! # fn main() -> bareipc::Result<()> {
//! use bareipc::fd::AsFd;
//! use bareipc::socket::{self, ReceiveFlags, SendFlags, SocketFlags, SocketType};
//!
//! let (a, b) = socket::pair(SocketType::Stream, SocketFlags::empty())?;
//! let (r, w) = bareipc::pipe::pipe()?; // an fd to hand over
//! a.send_msg(b"take this", &[w.as_fd()], None, SendFlags::empty())?;
//!
//! let mut buf = [0u8; 32];
//! let mut fds = bareipc::heapless::Vec::<_, 1>::new();
//! let got = b.receive_msg(&mut buf, &mut fds, ReceiveFlags::empty())?;
//! assert_eq!((&buf[..got.bytes], got.fds), (&b"take this"[..], 1));
//! let w2 = bareipc::pipe::WriteEnd::from(fds.pop().unwrap());
//! w2.write(b"through the passed fd")?;
//! assert_eq!(r.read(&mut buf)?, 21);
//! // The kernel, not the peer, says who is on the other end.
//! let me = bareipc::Pid::from_raw(std::process::id() as i32);
//! assert_eq!(b.peer_credentials()?.pid, me);
//! # Ok(()) }
//! ```
//!
//! | technique | module | pick it when |
//! |---|---|---|
//! | Anonymous pipe | [`pipe`] | a one-way byte stream between a parent and the children it forks |
//! | Named pipe (FIFO) | [`fifo`] | a one-way byte stream between unrelated processes that agree on a path |
//! | Shared file | [`file`](mod@file) | state that must survive the processes, with crash-safe locks, atomic replacement and change notification |
//! | Shared memory | [`shm`] | the fastest exchange of large data, with your own synchronisation |
//! | Message queue | [`mq`] | asynchronous, prioritised ([`mq::posix`]) or typed ([`mq::sysv`]) messages that outlive the sender |
//! | Signal | [`signal`] | telling another process that an event happened, with an optional payload |
//! | Unix socket | [`socket`] | two-way traffic, much data, fd passing and peer credentials |
//! | Event counter | [`eventfd`] | the lightest pollable notification |
//! | Semaphore | [`sem`] | counting access to a critical section without busy waiting; SysV undo or a robust mutex when a holder may die |
//! | Waiting | [`poll`] | several fds of the above at once |
//!
//! # One shape across families
//! - SysV objects (shared memory segments, semaphore sets, message
//!   queues) are found by a [`key::Key`] and made with `get` / `open` /
//!   `create` (exclusive) / `open_or_create` / `private`; POSIX named
//!   objects with `open` / `create` / `open_or_create` / `open_with`.
//! - Every blocking call has a blocking form, a `_timeout(Duration)` form
//!   that fails with [`Errno::TIMEDOUT`], and a `try_` form that fails
//!   with [`Errno::AGAIN`] instead of waiting; where the kernel takes an
//!   absolute deadline there is an `_until` form too. Two `_timeout`
//!   forms answer `EAGAIN` instead, because the C calls they are say so:
//!   `SemSet::op_timeout` (`semtimedop`) and `signal::wait_timeout`
//!   (`sigtimedwait`).
//! - Receiving is `receive` everywhere; ids are [`Pid`], [`Uid`], [`Gid`].
//!
//! # Rules the whole crate keeps
//! - Errors are [`Errno`]. Bad arguments get the errno the kernel or libc
//!   would give, checked before the syscall where the kernel would do
//!   something worse. Nothing panics on any input.
//! - Every file descriptor the crate creates is close-on-exec.
//! - Named objects are created with mode `0o600` unless the caller says
//!   otherwise, and opened with `O_NOFOLLOW`.
//! - Kernel objects that outlive a process are never removed behind the
//!   caller's back: removal is explicit.
//! - Blocking calls return [`Errno::INTR`] when a signal interrupts them;
//!   the crate never retries silently.
//! - Whatever shares an object with the caller is untrusted: no safe call
//!   can be made to corrupt memory, fault, touch the wrong file, panic,
//!   hang or be squatted by it. See [`threat_model`] for what a peer of
//!   another uid or of the same uid can and cannot do, family by family,
//!   and which calls are `unsafe` because no check can make them safe.
//!
//! # Syscall surface
//! Every public item names the syscalls it may make in a `Syscalls:` line,
//! error paths included. The backticked names outside parentheses are the
//! syscalls on x86_64 (and the other 64-bit arches unless a parenthesis
//! says otherwise); parentheses name what differs on other architectures
//! or kernels. `tests/syscall_audit` runs every item under `strace` and
//! fails when the two disagree. Two calls belong to no item:
//! - `rt_sigreturn`, made by the crate's signal restorer when a handler
//!   returns;
//! - `prctl(PR_GET_AUXV)`, once per process, when rustix first needs the
//!   vDSO: for the clock read behind a timeout's deadline, and on i686
//!   before the first syscall rustix makes (to find `__kernel_vsyscall`).
//!   On kernels before 6.4 rustix reads `/proc/self/auxv` instead.
//!
//! # Supported targets
//! x86_64 (gnu and musl), x86 (i686), aarch64, riscv64gc and armv7 (ARM
//! mode), all on Linux. Any other target fails to compile with a message
//! naming these; there is no fallback to libc.
//!
//! # Features
//! One feature per family (`pipe`, `fifo`, `file`, `socket`, `eventfd`,
//! `shm`, `mq`, `sem`, `signal`), all on by default, plus `std` (default)
//! for std fd interop. `--no-default-features --features pipe` builds one
//! family for a `no_std` program.
#![no_std]
#![deny(unsafe_code, missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "std")]
extern crate std;

#[macro_use]
mod fd_handle;

mod backend;
#[cfg(any(feature = "pipe", feature = "fifo"))]
mod ends;

#[cfg(feature = "eventfd")]
pub mod eventfd;
#[cfg(feature = "fifo")]
pub mod fifo;
#[cfg(feature = "file")]
pub mod file;
#[cfg(any(
    feature = "pipe",
    feature = "fifo",
    feature = "file",
    feature = "socket",
    feature = "eventfd",
    feature = "shm",
    feature = "mq",
    feature = "sem",
    feature = "signal"
))]
mod flags;
#[cfg(any(feature = "shm", feature = "mq", feature = "sem"))]
pub mod key;
#[cfg(feature = "mq")]
pub mod mq;
#[cfg(any(
    feature = "file",
    feature = "fifo",
    feature = "socket",
    feature = "sem"
))]
#[allow(dead_code)] // each family uses part of it
mod names;
#[cfg(feature = "pipe")]
pub mod pipe;
#[cfg(any(
    feature = "pipe",
    feature = "fifo",
    feature = "file",
    feature = "socket",
    feature = "eventfd",
    feature = "mq",
    feature = "signal"
))]
pub mod poll;
#[cfg(any(feature = "shm", feature = "mq"))]
mod posix_name;
#[cfg(feature = "sem")]
pub mod sem;
#[cfg(feature = "shm")]
pub mod shm;
#[cfg(feature = "signal")]
pub mod signal;
#[cfg(feature = "socket")]
pub mod socket;

#[doc = include_str!("threat_model.md")]
pub mod threat_model {}

// The README's examples are compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

#[doc(no_inline)]
pub use rustix::io::Errno;

/// The result of every fallible operation in this crate.
pub type Result<T> = core::result::Result<T, Errno>;

#[doc(no_inline)]
pub use rustix::fd;

/// The crates and types of other crates that this crate's signatures use,
/// re-exported so that a caller needs neither as a dependency of its own
/// (at a version that matches this crate's): `heapless` for the
/// fixed-capacity vectors and strings some calls fill, rustix's id, mode
/// and time types, and the path argument trait.
pub use heapless;
/// The current directory, for the calls that take a directory fd.
#[cfg(any(feature = "fifo", feature = "file"))]
#[doc(no_inline)]
pub use rustix::fs::CWD;
#[cfg(any(
    feature = "fifo",
    feature = "file",
    feature = "shm",
    feature = "mq",
    feature = "sem",
    feature = "signal",
    feature = "socket"
))]
#[doc(no_inline)]
pub use rustix::process::{Gid, Pid, Uid};
#[cfg(any(feature = "mq", feature = "sem"))]
#[doc(no_inline)]
pub use rustix::time::{ClockId, Timespec};
#[cfg(any(
    feature = "fifo",
    feature = "file",
    feature = "shm",
    feature = "mq",
    feature = "sem",
    feature = "socket"
))]
#[doc(no_inline)]
pub use rustix::{fs::Mode, path::Arg};

/// A pid from a record the kernel or a peer filled: `None` unless it is
/// positive. 0 means "none" or "not visible from this pid namespace"; a
/// negative value names no single process (to `kill` it is a process
/// group, or every process) and comes only from a forged record.
/// rustix's `Pid::from_raw` asserts on negative values in debug builds,
/// which a peer must not be able to trigger.
#[cfg(any(feature = "signal", feature = "file", feature = "shm", feature = "mq"))]
pub(crate) fn checked_pid(raw: i32) -> Option<rustix::process::Pid> {
    if raw > 0 {
        rustix::process::Pid::from_raw(raw)
    } else {
        None
    }
}

/// A uid from a record the kernel or a peer filled: `None` for -1, which
/// is no user (and to `setuid` and friends means "leave unchanged").
#[cfg(feature = "signal")]
pub(crate) fn checked_uid(raw: u32) -> Option<rustix::process::Uid> {
    (raw != u32::MAX).then(|| rustix::process::Uid::from_raw_unchecked(raw))
}
