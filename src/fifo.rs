//! Named pipes (FIFOs): a pipe with a name in the file system, so
//! unrelated processes that agree on a path can share a byte stream.
//!
//! [`create`] makes the node (`mknodat`, mode `0o600` by default, relative
//! to a directory fd), [`open`] opens it as a [`ReadEnd`], [`WriteEnd`] or
//! [`ReadWriteEnd`], and [`unlink`] removes the name. Opens always use
//! `O_NOFOLLOW` and `O_CLOEXEC`. The ends behave exactly as a pipe's (see
//! [`crate::pipe`] for `PIPE_BUF` atomicity and `SIGPIPE`).
//!
//! ```
//! # #[cfg(feature = "std")] fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use bareipc::fifo::{self, FifoFlags, ReadEnd, WriteEnd, CWD};
//!
//! let dir = std::env::temp_dir().join(format!("bareipc-doc-{}", std::process::id()));
//! std::fs::create_dir(&dir)?;
//! let path = dir.join("requests");
//! fifo::create(CWD, &*path)?;
//!
//! // A writer in another process: here a child shell.
//! let mut child = std::process::Command::new("sh")
//!     .arg("-c").arg("printf ping > \"$0\"").arg(&path)
//!     .spawn()?;
//! // Only ever open a FIFO you created, or verify it (see `open_verified`).
//! let reader: ReadEnd = fifo::open_verified(CWD, &*path, fifo::Mode::from_raw_mode(0o600), FifoFlags::empty())?;
//! let mut buf = [0u8; 16];
//! let n = reader.read(&mut buf)?;
//! assert_eq!(&buf[..n], b"ping");
//! child.wait()?;
//! fifo::unlink(CWD, &*path)?;
//! std::fs::remove_dir(&dir)?;
//! # let _ = core::marker::PhantomData::<WriteEnd>;
//! # Ok(()) }
//! # #[cfg(not(feature = "std"))] fn main() {}
//! ```
//!
//! # Opening blocks until the other side arrives
//! A blocking open for reading waits until some process opens the FIFO for
//! writing, and vice versa. With [`FifoFlags::NONBLOCK`], an open for
//! reading succeeds at once, and an open for writing fails with
//! [`Errno::NXIO`] while no reader exists. An open for both (the Linux
//! extension [`ReadWriteEnd`]) never blocks.
//!
//! # Squatting
//! In a directory others can write to (`/tmp`, a shared runtime dir), an
//! attacker can create the FIFO first, or a FIFO, file or symlink of their
//! own under the expected name, and then read what you write or feed you
//! what you read. [`create`] fails with [`Errno::EXIST`] on any existing
//! name, and [`open_verified`] checks that the node is a FIFO owned by your
//! effective uid with exactly the mode you expect before and after opening
//! it, as systemd and s6 do for their FIFOs.
//!
//! [`Errno::NXIO`]: crate::Errno::NXIO
//! [`Errno::EXIST`]: crate::Errno::EXIST

use core::ffi::CStr;

use rustix::fd::{AsFd, BorrowedFd, OwnedFd};
use rustix::fs::{AtFlags, FileType, OFlags, Stat};
use rustix::path::Arg;

pub use crate::ends::{ReadEnd, ReadWriteEnd, WriteEnd};
#[doc(no_inline)]
pub use rustix::fs::{CWD, Mode};

use crate::names::StackPath;
use crate::{Errno, Result};

bitflags::bitflags! {
    /// Options for [`open`] and [`open_verified`]. `O_NOFOLLOW` and
    /// `O_CLOEXEC` are always set and are not flags here.
    #[repr(transparent)]
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct FifoFlags: u32 {
        /// `O_NONBLOCK`: the open does not wait for the other side (a
        /// writer then fails with `ENXIO` if there is no reader), and the
        /// end is non-blocking afterwards.
        const NONBLOCK = linux_raw_sys::general::O_NONBLOCK;
    }
}

/// An end a FIFO can be opened as: [`ReadEnd`], [`WriteEnd`] or
/// [`ReadWriteEnd`]. Sealed.
pub trait End: From<OwnedFd> + AsFd + sealed::Sealed {
    /// The access mode `open` uses for this end.
    #[doc(hidden)]
    const ACCESS: OFlags;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::ReadEnd {}
    impl Sealed for super::WriteEnd {}
    impl Sealed for super::ReadWriteEnd {}
}

impl End for ReadEnd {
    const ACCESS: OFlags = OFlags::RDONLY;
}
impl End for WriteEnd {
    const ACCESS: OFlags = OFlags::WRONLY;
}
impl End for ReadWriteEnd {
    const ACCESS: OFlags = OFlags::RDWR;
}

/// The default mode of [`create`]: `0o600`, read and write for the owner.
pub const DEFAULT_MODE: Mode = Mode::RUSR.union(Mode::WUSR);

/// `mknodat(dir, path, S_IFIFO | 0o600, 0)` — create a FIFO readable and
/// writable by its owner only.
///
/// `path` is relative to `dir` (or absolute); pass [`CWD`] for the current
/// directory. The process umask still applies, as for every `mknod`.
///
/// Syscalls: `mknodat`.
///
/// # Examples
/// ```
/// # fn main() -> bareipc::Result<()> {
/// use bareipc::fifo::{self, CWD, FifoFlags, ReadWriteEnd};
///
/// let path = std::env::temp_dir().join(format!("bareipc-doc-fifo-create-{}", std::process::id()));
/// fifo::create(CWD, &*path)?;
/// assert_eq!(fifo::create(CWD, &*path), Err(bareipc::Errno::EXIST)); // never reuses a name
/// // An end that reads and writes opens at once, without a peer.
/// let end: ReadWriteEnd = fifo::open(CWD, &*path, FifoFlags::empty())?;
/// end.write(b"queued")?;
/// let mut buf = [0u8; 16];
/// let n = end.read(&mut buf)?;
/// assert_eq!(&buf[..n], b"queued");
/// fifo::unlink(CWD, &*path)?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// - [`Errno::EXIST`](crate::Errno::EXIST): the name exists (of any type,
///   including a dangling symlink).
/// - [`Errno::NOENT`](crate::Errno::NOENT): a directory in `path` does not
///   exist.
/// - [`Errno::ACCESS`](crate::Errno::ACCESS): no write permission on the
///   directory.
/// - [`Errno::NAMETOOLONG`](crate::Errno::NAMETOOLONG),
///   [`Errno::INVAL`](crate::Errno::INVAL) (an interior NUL in `path`).
///
/// # References
/// - [mknod(2)](https://man7.org/linux/man-pages/man2/mknod.2.html)
/// - [mkfifo(3)](https://man7.org/linux/man-pages/man3/mkfifo.3.html)
/// - [fifo(7)](https://man7.org/linux/man-pages/man7/fifo.7.html)
#[doc(alias = "mkfifo")]
#[doc(alias = "mkfifoat")]
#[doc(alias = "mknodat")]
pub fn create<P: Arg>(dir: impl AsFd, path: P) -> Result<()> {
    create_with_mode(dir, path, DEFAULT_MODE)
}

/// `mknodat(dir, path, S_IFIFO | mode, 0)` — create a FIFO with the given
/// permission bits (less the umask).
///
/// `mode` may carry the file type `S_IFIFO` (as C's `mkfifo` allows, the
/// kernel getting `S_IFIFO | S_IFIFO`); any other file type is refused, as
/// the C call refuses it.
///
/// Syscalls: `mknodat` (none for a `mode` with a file type other than
/// `S_IFIFO`, or other bits outside `0o7777`).
///
/// # Errors
/// As [`create`], and [`Errno::INVAL`](crate::Errno::INVAL) before any
/// syscall if `mode` has bits outside `0o7777` other than `S_IFIFO`.
///
/// # References
/// - [mknod(2)](https://man7.org/linux/man-pages/man2/mknod.2.html)
pub fn create_with_mode<P: Arg>(dir: impl AsFd, path: P, mode: Mode) -> Result<()> {
    let perm = mode.bits() & !linux_raw_sys::general::S_IFIFO;
    if perm & !0o7777 != 0 {
        return Err(Errno::INVAL);
    }
    rustix::fs::mkfifoat(dir, path, Mode::from_bits_retain(perm))
}

/// `openat(dir, path, access | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC [|
/// O_NONBLOCK])` — open an existing FIFO as the end `E` chooses.
///
/// `open::<ReadEnd>` opens for reading, `open::<WriteEnd>` for writing and
/// `open::<ReadWriteEnd>` for both. The opened node must be a FIFO (a file,
/// a device or a socket planted at the name is closed again and refused,
/// so nothing is ever written into another file through a pipe end), but
/// nothing else is checked and the open itself may block on a planted
/// FIFO: use [`open_verified`] for a path in a directory others can write
/// to.
///
/// Syscalls: `openat`, `fstat`, and `close` when the node is not a FIFO
/// (on 32-bit `statx`, or `fstat64` before Linux 4.11; none for unknown
/// flags).
///
/// # Examples
/// ```
/// # fn main() -> bareipc::Result<()> {
/// use bareipc::fifo::{self, CWD, FifoFlags, ReadEnd, WriteEnd};
///
/// let path = std::env::temp_dir().join(format!("bareipc-doc-fifo-open-{}", std::process::id()));
/// fifo::create(CWD, &*path)?;
/// // Non-blocking, the reader need not wait for a writer; the writer then finds it.
/// let reader: ReadEnd = fifo::open(CWD, &*path, FifoFlags::NONBLOCK)?;
/// let writer: WriteEnd = fifo::open(CWD, &*path, FifoFlags::empty())?;
/// writer.write(b"ping")?;
/// let mut buf = [0u8; 16];
/// let n = reader.read(&mut buf)?;
/// assert_eq!(&buf[..n], b"ping");
/// fifo::unlink(CWD, &*path)?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// - [`Errno::NXIO`](crate::Errno::NXIO): `WriteEnd` with
///   [`FifoFlags::NONBLOCK`] and no process has the FIFO open for reading.
/// - [`Errno::BADFD`](crate::Errno::BADFD): the node is not a FIFO.
/// - [`Errno::INVAL`](crate::Errno::INVAL): `flags` has bits that are not
///   [`FifoFlags`] (say, built with `from_bits_retain(O_CREAT)`), checked
///   before the syscall.
/// - [`Errno::LOOP`](crate::Errno::LOOP): the last component of `path` is a
///   symlink.
/// - [`Errno::NOENT`](crate::Errno::NOENT): no such path.
/// - [`Errno::ACCESS`](crate::Errno::ACCESS): the mode does not allow the
///   access asked for.
/// - [`Errno::INTR`](crate::Errno::INTR): a signal arrived while a blocking
///   open waited for the other side.
///
/// # References
/// - [open(2)](https://man7.org/linux/man-pages/man2/open.2.html)
/// - [fifo(7)](https://man7.org/linux/man-pages/man7/fifo.7.html)
#[doc(alias = "openat")]
pub fn open<E: End, P: Arg>(dir: impl AsFd, path: P, flags: FifoFlags) -> Result<E> {
    let fd = rustix::fs::openat(dir, path, open_flags::<E>(flags)?, Mode::empty())?;
    if FileType::from_raw_mode(rustix::fs::fstat(&fd)?.st_mode) != FileType::Fifo {
        return Err(Errno::BADFD);
    }
    Ok(E::from(fd))
}

/// Open an existing FIFO as [`open`] does, but only if it is a FIFO owned
/// by the caller's effective uid whose permission bits are exactly `mode`.
///
/// The node is first opened with `O_PATH` (which never opens the FIFO
/// itself, so a squatter's FIFO cannot make it wait) and checked through
/// that fd; the FIFO is then opened through the same fd's
/// `/proc/self/fd/N` link, which names that very inode: a node swapped in
/// under the name meanwhile is never the one opened. Only then does a
/// blocking open wait for the other side, on the verified FIFO.
///
/// Without `/proc`, the FIFO is opened by name with `O_NONBLOCK` (which
/// cannot wait either) and must be the inode checked; `O_NONBLOCK` is then
/// cleared unless asked for. That open does not wait for the other side:
/// a reader succeeds at once (a `read` before any writer arrives sees end
/// of stream), and a writer with no reader fails with `ENXIO`.
///
/// Syscalls: `geteuid`, `openat` (`O_PATH`), `fstat`, `openat` (of
/// `/proc/self/fd/N`), `close` (of the `O_PATH` fd), and `close` of the
/// opened fd when a check refuses it (without `/proc`: `openat` by name,
/// `fstat`, and `fcntl` for `F_GETFL` and `F_SETFL`; on x86 and arm
/// `geteuid32`, `statx` or `fstat64` before Linux 4.11, and `fcntl64`;
/// none for a bad `mode` or unknown flags).
///
/// # Examples
/// ```
/// # fn main() -> bareipc::Result<()> {
/// use bareipc::fifo::{self, CWD, DEFAULT_MODE, FifoFlags, ReadEnd, WriteEnd};
///
/// let path = std::env::temp_dir().join(format!("bareipc-doc-fifo-verified-{}", std::process::id()));
/// fifo::create(CWD, &*path)?; // mode 0o600
/// let reader: ReadEnd = fifo::open_verified(CWD, &*path, DEFAULT_MODE, FifoFlags::NONBLOCK)?;
/// // A node of the wrong mode (or owner, or type) is refused.
/// let lax = fifo::Mode::from_raw_mode(0o666);
/// let refused = fifo::open_verified::<WriteEnd, _>(CWD, &*path, lax, FifoFlags::empty());
/// assert_eq!(refused.err(), Some(bareipc::Errno::PERM));
/// # drop(reader);
/// fifo::unlink(CWD, &*path)?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// - [`Errno::BADFD`](crate::Errno::BADFD): the path names something other
///   than a FIFO or a directory.
/// - [`Errno::ISDIR`](crate::Errno::ISDIR): the path names a directory.
/// - [`Errno::LOOP`](crate::Errno::LOOP): the path names a symlink.
/// - [`Errno::PERM`](crate::Errno::PERM): the FIFO belongs to another uid,
///   or its permission bits are not exactly `mode`; or (without `/proc`)
///   another node took the name between the check and the open.
/// - [`Errno::INVAL`](crate::Errno::INVAL): `mode` has bits outside
///   `0o7777`, or `flags` bits that are not [`FifoFlags`].
/// - Everything [`open`] can return.
///
/// # References
/// - [open(2)](https://man7.org/linux/man-pages/man2/open.2.html)
/// - [stat(2)](https://man7.org/linux/man-pages/man2/stat.2.html)
pub fn open_verified<E: End, P: Arg>(
    dir: impl AsFd,
    path: P,
    mode: Mode,
    flags: FifoFlags,
) -> Result<E> {
    if mode.bits() & !0o7777 != 0 {
        return Err(Errno::INVAL);
    }
    let access = open_flags::<E>(flags)?;
    let dir = dir.as_fd();
    path.into_with_c_str(|path| open_verified_cstr(dir, path, mode, access, flags))
}

fn open_verified_cstr<E: End>(
    dir: BorrowedFd<'_>,
    path: &CStr,
    mode: Mode,
    access: OFlags,
    flags: FifoFlags,
) -> Result<E> {
    let uid = rustix::process::geteuid();
    let node = rustix::fs::openat(
        dir,
        path,
        OFlags::PATH | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    let checked = rustix::fs::fstat(&node)?;
    verify(&checked, uid, mode)?;
    if let Some(link) = StackPath::<32>::proc_fd(node.as_fd()) {
        // Following the magic link is the point: no O_NOFOLLOW here.
        let via_link = access - OFlags::NOFOLLOW;
        match rustix::fs::openat(rustix::fs::CWD, link.as_c_str(), via_link, Mode::empty()) {
            // The magic link names the inode of `node`: the one checked.
            Ok(fd) => return Ok(E::from(fd)),
            Err(Errno::NOENT) => {} // no /proc (the O_PATH fd is open)
            Err(e) => return Err(e),
        }
    }
    let fd = rustix::fs::openat(dir, path, access | OFlags::NONBLOCK, Mode::empty())?;
    let st = rustix::fs::fstat(&fd)?;
    if (st.st_dev, st.st_ino) != (checked.st_dev, checked.st_ino) {
        return Err(Errno::PERM);
    }
    if !flags.contains(FifoFlags::NONBLOCK) {
        let fl = rustix::fs::fcntl_getfl(&fd)?;
        rustix::fs::fcntl_setfl(&fd, fl - OFlags::NONBLOCK)?;
    }
    Ok(E::from(fd))
}

/// The squatting checks of [`open_verified`].
fn verify(st: &Stat, uid: rustix::process::Uid, mode: Mode) -> Result<()> {
    match FileType::from_raw_mode(st.st_mode) {
        FileType::Fifo => {}
        FileType::Directory => return Err(Errno::ISDIR),
        FileType::Symlink => return Err(Errno::LOOP),
        _ => return Err(Errno::BADFD),
    }
    if st.st_uid != uid.as_raw() || Mode::from_raw_mode(st.st_mode) != mode {
        return Err(Errno::PERM);
    }
    Ok(())
}

/// The open flags for end `E`: its access mode, `O_NOFOLLOW`, `O_NOCTTY`
/// (a planted terminal must never become ours), `O_CLOEXEC`, and the
/// caller's flags, which may only be [`FifoFlags`]: any other bit
/// (`O_CREAT` would make a regular file) is `EINVAL`.
fn open_flags<E: End>(flags: FifoFlags) -> Result<OFlags> {
    crate::flags::only(flags, FifoFlags::all())?;
    Ok(E::ACCESS
        | OFlags::NOFOLLOW
        | OFlags::NOCTTY
        | OFlags::CLOEXEC
        | OFlags::from_bits_retain(flags.bits()))
}

/// `unlinkat(dir, path, 0)` — remove a FIFO's name. Processes that have it
/// open keep using it; the pipe itself goes away with the last fd.
///
/// Syscalls: `unlinkat`.
///
/// # Errors
/// - [`Errno::NOENT`](crate::Errno::NOENT): no such name.
/// - [`Errno::ISDIR`](crate::Errno::ISDIR): the name is a directory.
/// - [`Errno::ACCESS`](crate::Errno::ACCESS),
///   [`Errno::PERM`](crate::Errno::PERM): no permission to remove it.
///
/// # References
/// - [unlink(2)](https://man7.org/linux/man-pages/man2/unlink.2.html)
#[doc(alias = "unlinkat")]
pub fn unlink<P: Arg>(dir: impl AsFd, path: P) -> Result<()> {
    rustix::fs::unlinkat(dir, path, AtFlags::empty())
}
