//! Anonymous pipes: a one-way byte stream between a process and the
//! children it forks or spawns.
//!
//! [`pipe`] makes a connected [`ReadEnd`] and [`WriteEnd`]. Both fds are
//! always close-on-exec, so an end reaches a child only when you hand it
//! over on purpose (as a child's stdin or stdout, or with `dup2` after
//! `fork`).
//!
//! ```
//! # #[cfg(feature = "std")] fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::process::{Command, Stdio};
//! use bareipc::fd::OwnedFd;
//!
//! let (reader, writer) = bareipc::pipe::pipe()?;
//! // The child's stdout becomes our write end (dup2 clears close-on-exec
//! // on the child's copy only).
//! let mut child = Command::new("echo")
//!     .arg("hello from the child")
//!     .stdout(Stdio::from(std::os::fd::OwnedFd::from(writer)))
//!     .spawn()?;
//! // The parent's copy of the write end is gone (moved into the Command and
//! // dropped with it), so end of stream arrives when the child exits.
//! let mut got = [0u8; 64];
//! let mut len = 0;
//! loop {
//!     let n = reader.read(&mut got[len..])?;
//!     if n == 0 { break; }
//!     len += n;
//! }
//! assert_eq!(&got[..len], b"hello from the child\n");
//! child.wait()?;
//! # let _ = core::marker::PhantomData::<OwnedFd>;
//! # Ok(()) }
//! # #[cfg(not(feature = "std"))] fn main() {}
//! ```
//!
//! # Atomicity
//! A write of at most [`PIPE_BUF`] (4096) bytes is atomic: its bytes are
//! never interleaved with those of another writer, so several processes can
//! share one write end for records of up to 4096 bytes. Larger writes may be
//! split, and in non-blocking mode may be partial.
//!
//! # No reader: `SIGPIPE` and `EPIPE`
//! Writing when every read end is closed sends `SIGPIPE` to the writing
//! thread; its default action kills the process. Only when `SIGPIPE` is
//! ignored, blocked or handled does the write return [`Errno::PIPE`]
//! instead. Rust's std runtime sets `SIGPIPE` to ignored before `main`; a
//! `no_std` program (or a child after `exec`) starts with the default.
//!
//! # Packet mode
//! [`PipeFlags::DIRECT`] (`O_DIRECT`, Linux 3.4+) makes each write of up to
//! `PIPE_BUF` bytes a packet; each read returns at most one packet, and
//! discards what of it does not fit the buffer.
//!
//! # Capacity
//! The kernel buffers 65536 bytes by default;
//! [`WriteEnd::set_capacity`] changes it up to
//! `/proc/sys/fs/pipe-max-size` (1 MiB by default) for unprivileged callers.
//!
//! [`Errno::PIPE`]: crate::Errno::PIPE

use rustix::fd::AsFd;

pub use crate::ends::{ReadEnd, WriteEnd};
#[doc(no_inline)]
pub use rustix::pipe::{IoSliceRaw, PIPE_BUF, PipeFlags, SpliceFlags};

use crate::Result;

/// `pipe2(fds, O_CLOEXEC)` — create a pipe.
///
/// Returns the read end and the write end, both close-on-exec and
/// blocking.
///
/// Syscalls: `pipe2`.
///
/// # Examples
/// ```
/// # fn main() -> bareipc::Result<()> {
/// let (reader, writer) = bareipc::pipe::pipe()?;
/// writer.write(b"ping")?;
/// drop(writer); // the last write end: the reader sees end of stream next
/// let mut buf = [0u8; 16];
/// let n = reader.read(&mut buf)?;
/// assert_eq!(&buf[..n], b"ping");
/// assert_eq!(reader.read(&mut buf)?, 0);
/// # Ok(()) }
/// ```
///
/// # Errors
/// - [`Errno::MFILE`](crate::Errno::MFILE): the process has reached
///   `RLIMIT_NOFILE`.
/// - [`Errno::NFILE`](crate::Errno::NFILE): the system-wide file limit
///   was reached.
///
/// # References
/// - [pipe(2)](https://man7.org/linux/man-pages/man2/pipe.2.html)
/// - [pipe(7)](https://man7.org/linux/man-pages/man7/pipe.7.html)
/// - [POSIX pipe](https://pubs.opengroup.org/onlinepubs/9799919799/functions/pipe.html)
#[doc(alias = "pipe2")]
pub fn pipe() -> Result<(ReadEnd, WriteEnd)> {
    pipe_with(PipeFlags::empty())
}

/// `pipe2(fds, flags | O_CLOEXEC)` — create a pipe with options.
///
/// `O_CLOEXEC` is always added. [`PipeFlags::NONBLOCK`] makes both ends
/// non-blocking; [`PipeFlags::DIRECT`] selects packet mode (see the
/// [module docs](self#packet-mode)); [`PipeFlags::CLOEXEC`] changes
/// nothing. Any other bit is refused before the syscall, also those the
/// kernel would take (`O_NOTIFICATION_PIPE`, which is `O_EXCL`, makes a
/// notification pipe).
///
/// Syscalls: `pipe2` (none for unknown flags).
///
/// # Errors
/// - [`Errno::INVAL`](crate::Errno::INVAL): a flag other than `NONBLOCK`,
///   `DIRECT` and `CLOEXEC`.
/// - [`Errno::MFILE`](crate::Errno::MFILE): the process has reached
///   `RLIMIT_NOFILE`.
/// - [`Errno::NFILE`](crate::Errno::NFILE): the system-wide file limit
///   was reached.
///
/// # References
/// - [pipe(2)](https://man7.org/linux/man-pages/man2/pipe.2.html)
#[doc(alias = "pipe2")]
pub fn pipe_with(flags: PipeFlags) -> Result<(ReadEnd, WriteEnd)> {
    let allowed = PipeFlags::NONBLOCK | PipeFlags::DIRECT | PipeFlags::CLOEXEC;
    crate::flags::only(flags, allowed)?;
    let (r, w) = rustix::pipe::pipe_with(flags | PipeFlags::CLOEXEC)?;
    Ok((ReadEnd::from(r), WriteEnd::from(w)))
}

/// `splice(fd_in, off_in, fd_out, off_out, len, flags)` — move up to `len`
/// bytes between two fds, at least one of which is a pipe, without copying
/// through user space.
///
/// An offset must be `None` for the side that is a pipe. For the side that
/// is a file, `Some(off)` reads or writes at `*off` and advances it, leaving
/// the file position alone; `None` uses and advances the file position.
/// Returns the number of bytes moved; 0 means end of input. `flags` may
/// be `MOVE`, `NONBLOCK` and `MORE` (`GIFT` means nothing here).
///
/// Syscalls: `splice` (none for other flags).
///
/// # Errors
/// - [`Errno::INVAL`](crate::Errno::INVAL): neither fd is a pipe, an
///   offset was given for a pipe, or both fds are the same pipe; or,
///   before the syscall, a flag other than `MOVE`, `NONBLOCK` and `MORE`.
/// - [`Errno::SPIPE`](crate::Errno::SPIPE): an offset was given for a
///   pipe or socket.
/// - [`Errno::AGAIN`](crate::Errno::AGAIN): `SpliceFlags::NONBLOCK` and the
///   pipe would block.
/// - [`Errno::BADF`](crate::Errno::BADF): an fd is not open for the
///   direction used.
///
/// # References
/// - [splice(2)](https://man7.org/linux/man-pages/man2/splice.2.html)
pub fn splice(
    fd_in: impl AsFd,
    off_in: Option<&mut u64>,
    fd_out: impl AsFd,
    off_out: Option<&mut u64>,
    len: usize,
    flags: SpliceFlags,
) -> Result<usize> {
    crate::flags::only(flags, crate::backend::pipe::SPLICE_FLAGS)?;
    rustix::pipe::splice(fd_in, off_in, fd_out, off_out, len, flags)
}

/// `tee(fd_in, fd_out, len, flags)` — copy up to `len` bytes from one pipe
/// to another without consuming them from the first.
///
/// Returns the number of bytes copied; 0 means `input` is empty and has no
/// writer. `flags` may be `MOVE`, `NONBLOCK` and `MORE`, as for
/// [`splice`].
///
/// Syscalls: `tee` (none for other flags).
///
/// # Errors
/// - [`Errno::INVAL`](crate::Errno::INVAL): both ends belong to the same
///   pipe, or an end is not a pipe; or, before the syscall, a flag other
///   than `MOVE`, `NONBLOCK` and `MORE`.
/// - [`Errno::AGAIN`](crate::Errno::AGAIN): `SpliceFlags::NONBLOCK` and
///   nothing to copy yet.
///
/// # References
/// - [tee(2)](https://man7.org/linux/man-pages/man2/tee.2.html)
pub fn tee(input: &ReadEnd, output: &WriteEnd, len: usize, flags: SpliceFlags) -> Result<usize> {
    crate::flags::only(flags, crate::backend::pipe::SPLICE_FLAGS)?;
    rustix::pipe::tee(input, output, len, flags)
}
