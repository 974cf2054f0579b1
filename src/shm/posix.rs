//! POSIX shared memory objects: named files on the tmpfs at `/dev/shm`,
//! found by name by unrelated processes.
//!
//! `shm_open` is not a syscall: libc opens `/dev/shm/<name>`, and so does
//! this module, with `O_NOFOLLOW | O_CLOEXEC` (which libc's `shm_open`
//! also sets, and `rustix::shm::open` leaves out the first of).
//!
//! ```no_run
//! use bareipc::shm::posix;
//! use bareipc::shm::{ReadOnly, ReadWrite};
//!
//! // Process A: create (0o600, less the umask), size, map, write.
//! let shm = posix::create("/demo", posix::DEFAULT_MODE)?;
//! shm.set_len(4096)?;
//! // SAFETY: only our two processes use "/demo", and neither truncates it.
//! let map = unsafe { shm.map::<ReadWrite>(4096) }?;
//! map.write_at(0, b"hello")?;
//!
//! // Process B: open the same name and read.
//! let shm = posix::open::<ReadOnly>("/demo")?;
//! // SAFETY: as above.
//! let map = unsafe { shm.map::<ReadOnly>(4096) }?;
//! let mut buf = [0u8; 5];
//! map.read_at(0, &mut buf)?;
//!
//! // Either side, when done: the name is not removed on drop.
//! posix::unlink("/demo")?;
//! # Ok::<(), bareipc::Errno>(())
//! ```
//!
//! Mapping is `unsafe` because any process that may write the object can
//! also truncate it, and access to a page past the new end raises
//! `SIGBUS`. Where the peer is not trusted that far, use a
//! [`memfd`](super::memfd) sealed against shrinking, or a SysV segment.

use core::ffi::CStr;

use bitflags::bitflags;
use linux_raw_sys::general as g;
use rustix::fd::{AsFd, OwnedFd};
#[doc(no_inline)]
pub use rustix::fs::Mode;
use rustix::fs::{CWD, OFlags};

use super::{Access, Mapping};
use crate::{Errno, Result};

/// The mode of objects this crate creates unless told otherwise: read and
/// write for the owner only.
pub const DEFAULT_MODE: Mode = Mode::from_raw_mode(0o600);

/// The longest name after the leading `/`: the tmpfs limit on a file name
/// (`NAME_MAX`).
pub const NAME_MAX: usize = crate::posix_name::NAME_MAX;

/// Where the objects live.
const DIR: &[u8] = b"/dev/shm/";

bitflags! {
    /// How [`open_with`] opens or creates an object.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct ShmFlags: u32 {
        /// `O_CREAT`: create the object if it does not exist, with the
        /// given mode (and size 0).
        const CREATE = g::O_CREAT;
        /// `O_EXCL`: with `CREATE`, fail with `EEXIST` if it exists.
        const EXCLUSIVE = g::O_EXCL;
        /// `O_TRUNC`: truncate an existing object to 0 (for a
        /// [`ReadWrite`](super::ReadWrite) open only).
        const TRUNCATE = g::O_TRUNC;
    }
}

/// The path `/dev/shm/<prefix><name>` with its NUL, built on the stack.
/// The prefix lets another family keep its objects apart from plain
/// shared memory (the futex semaphores' `bareipc.sem.`).
pub(crate) struct ShmPath {
    buf: [u8; DIR.len() + NAME_MAX + 1],
    len: usize,
}

impl ShmPath {
    /// Validates `name` — leading slashes dropped, then 1 to 255 bytes
    /// with no `/` and no NUL, and not `.` or `..` — and builds the path.
    fn new(name: &[u8]) -> Result<Self> {
        Self::with_prefix(b"", name)
    }

    /// As [`new`](Self::new), with `prefix` (no `/`, no NUL) before the
    /// name: the file name `prefix + name[1..]` must fit in [`NAME_MAX`]
    /// bytes (`ENAMETOOLONG` otherwise).
    pub(crate) fn with_prefix(prefix: &[u8], name: &[u8]) -> Result<Self> {
        let max = NAME_MAX
            .checked_sub(prefix.len())
            .ok_or(Errno::NAMETOOLONG)?;
        let rest = crate::posix_name::shm_file(name, max)?;
        let file_len = prefix.len() + rest.len();
        let mut buf = [0; DIR.len() + NAME_MAX + 1];
        buf[..DIR.len()].copy_from_slice(DIR);
        buf[DIR.len()..DIR.len() + prefix.len()].copy_from_slice(prefix);
        buf[DIR.len() + prefix.len()..DIR.len() + file_len].copy_from_slice(rest);
        Ok(Self {
            buf,
            len: DIR.len() + file_len + 1,
        })
    }

    pub(crate) fn as_c_str(&self) -> Result<&CStr> {
        // Cannot fail: one NUL, at the end (checked in `new`).
        CStr::from_bytes_with_nul(&self.buf[..self.len]).map_err(|_| Errno::INVAL)
    }
}

/// `shm_open(name, access | flags, mode)` — opens or creates the POSIX
/// shared memory object `name`, [`ReadOnly`](super::ReadOnly) or
/// [`ReadWrite`](super::ReadWrite): the one call behind [`open`],
/// [`create`] and [`open_or_create`].
///
/// `name` is 1 to [`NAME_MAX`] bytes, none of them `/` or NUL, and not
/// `.` or `..`, after any leading slashes (which glibc and musl drop, and
/// so does this: `/jobs`, `jobs` and `//jobs` are one object); it names the
/// file `/dev/shm/<name>` and can never reach outside that directory. The file is opened with
/// `O_NOFOLLOW` (a symlink planted at the name is refused with `ELOOP`),
/// `O_CLOEXEC`, `O_NOCTTY` and `O_NONBLOCK` (so a FIFO planted at the name
/// cannot block the open; it has no effect on a regular file). `mode` is
/// used only when the object is created, and then as the open(2) mode,
/// under the umask; bits outside `0o7777` are refused (open(2) would drop
/// them).
///
/// Syscalls: `openat`; none for a bad name, flags or mode.
///
/// # Errors
/// - `EINVAL`: a bad name (no leading `/`, empty, `.`, `..`, another `/`,
///   a NUL); `EXCLUSIVE` without `CREATE`; `TRUNCATE` for a read-only
///   open; bits of `flags` that are not [`ShmFlags`]; `mode` bits
///   outside `0o7777` (all before the syscall).
/// - `ENAMETOOLONG`: more than [`NAME_MAX`] bytes after the `/`.
/// - `ENOENT`: no such object and no `CREATE`.
/// - `EEXIST`: it exists and `CREATE | EXCLUSIVE` was given.
/// - `EACCES`: the object's mode does not allow the access.
/// - `ELOOP`: the name is a symlink.
/// - `EMFILE`, `ENFILE`, `ENOSPC`, `ENOMEM`.
///
/// # References
/// - [shm_open(3)](https://man7.org/linux/man-pages/man3/shm_open.3.html)
/// - [shm_overview(7)](https://man7.org/linux/man-pages/man7/shm_overview.7.html)
/// - [open(2)](https://man7.org/linux/man-pages/man2/open.2.html)
#[doc(alias = "shm_open")]
pub fn open_with<A: Access>(
    name: impl AsRef<[u8]>,
    flags: ShmFlags,
    mode: Mode,
) -> Result<SharedMemory> {
    let path = ShmPath::new(name.as_ref())?;
    if flags.contains(ShmFlags::EXCLUSIVE) && !flags.contains(ShmFlags::CREATE)
        || flags.contains(ShmFlags::TRUNCATE) && !A::WRITABLE
    {
        return Err(Errno::INVAL);
    }
    crate::flags::only(flags, ShmFlags::all())?;
    crate::flags::only(mode, Mode::from_raw_mode(0o7777))?;
    let access = if A::WRITABLE {
        OFlags::RDWR
    } else {
        OFlags::RDONLY
    };
    let oflags = access
        | OFlags::from_bits_retain(flags.bits())
        | OFlags::NOFOLLOW
        | OFlags::CLOEXEC
        | OFlags::NOCTTY
        | OFlags::NONBLOCK;
    let fd = rustix::fs::openat(CWD, path.as_c_str()?, oflags, mode)?;
    Ok(SharedMemory(fd))
}

/// `shm_open(name, access, 0)` — the existing object `name`,
/// [`ReadOnly`](super::ReadOnly) or [`ReadWrite`](super::ReadWrite).
///
/// Syscalls: `openat`; none for a bad name.
///
/// # Examples
/// ```
/// # fn main() -> bareipc::Result<()> {
/// use bareipc::Errno;
/// use bareipc::shm::{ReadOnly, ReadWrite, posix};
///
/// let name = format!("/bareipc-doc-shm-open-{}", std::process::id());
/// assert_eq!(posix::open::<ReadWrite>(&name).err(), Some(Errno::NOENT)); // never creates
/// let shm = posix::open_or_create(&name, posix::DEFAULT_MODE)?;
/// let _unlink = posix::UnlinkOnDrop::new(&name, &shm)?;
/// shm.set_len(64)?;
/// let ro = posix::open::<ReadOnly>(&name)?;
/// assert_eq!(ro.len()?, 64);
/// assert_eq!(ro.set_len(0), Err(Errno::INVAL)); // not open for writing
/// # Ok(()) }
/// ```
///
/// # Errors
/// As [`open_with`].
///
/// # References
/// - [shm_open(3)](https://man7.org/linux/man-pages/man3/shm_open.3.html)
#[doc(alias = "shm_open")]
pub fn open<A: Access>(name: impl AsRef<[u8]>) -> Result<SharedMemory> {
    open_with::<A>(name, ShmFlags::empty(), Mode::empty())
}

/// `shm_open(name, O_RDWR | O_CREAT | O_EXCL, mode)` — a new object of
/// size 0, read-write; an existing one is `EEXIST`, never silently
/// shared. Pass [`DEFAULT_MODE`] for `0o600` (less the umask).
///
/// Syscalls: `openat`; none for a bad name or mode.
///
/// # Examples
/// ```
/// # fn main() -> bareipc::Result<()> {
/// use bareipc::shm::{ReadOnly, posix};
///
/// let name = format!("/bareipc-doc-shm-create-{}", std::process::id());
/// let shm = posix::create(&name, posix::DEFAULT_MODE)?;
/// let _unlink = posix::UnlinkOnDrop::new(&name, &shm)?; // names outlive processes
/// shm.set_len(4096)?;
/// // Exclusive: an existing name is an error, never silently shared.
/// assert_eq!(posix::create(&name, posix::DEFAULT_MODE).err(), Some(bareipc::Errno::EXIST));
/// // Another process opens it by name.
/// let other = posix::open::<ReadOnly>(&name)?;
/// assert_eq!(other.len()?, 4096);
/// # Ok(()) }
/// ```
///
/// # Errors
/// As [`open_with`].
///
/// # References
/// - [shm_open(3)](https://man7.org/linux/man-pages/man3/shm_open.3.html)
#[doc(alias = "shm_open")]
pub fn create(name: impl AsRef<[u8]>, mode: Mode) -> Result<SharedMemory> {
    open_with::<super::ReadWrite>(name, ShmFlags::CREATE | ShmFlags::EXCLUSIVE, mode)
}

/// `shm_open(name, O_RDWR | O_CREAT, mode)` — the object `name`, created
/// (size 0) if there is none, read-write.
///
/// Syscalls: `openat`; none for a bad name or mode.
///
/// # Errors
/// As [`open_with`].
///
/// # References
/// - [shm_open(3)](https://man7.org/linux/man-pages/man3/shm_open.3.html)
#[doc(alias = "shm_open")]
pub fn open_or_create(name: impl AsRef<[u8]>, mode: Mode) -> Result<SharedMemory> {
    open_with::<super::ReadWrite>(name, ShmFlags::CREATE, mode)
}

/// `shm_unlink(name)` — removes the name. Processes that have the object
/// open or mapped keep it; it is freed when the last of them lets go.
///
/// Syscalls: `unlinkat`.
///
/// # Errors
/// `EINVAL` / `ENAMETOOLONG` for a bad name (as [`open`]; glibc says
/// `ENOENT` for every bad name here, musl and POSIX as this does);
/// `ENOENT` if there is no such object; `EACCES` if `/dev/shm` (sticky)
/// does not let us remove another user's object (the kernel's `EPERM`,
/// turned into `EACCES` as glibc and POSIX do).
///
/// # References
/// - [shm_unlink(3)](https://man7.org/linux/man-pages/man3/shm_unlink.3.html)
#[doc(alias = "shm_unlink")]
pub fn unlink(name: impl AsRef<[u8]>) -> Result<()> {
    let path = ShmPath::new(name.as_ref())?;
    crate::posix_name::unlink_errno(rustix::fs::unlinkat(
        CWD,
        path.as_c_str()?,
        rustix::fs::AtFlags::empty(),
    ))
}

/// An open POSIX shared memory object: an fd (close-on-exec) on its file.
///
/// Dropping it closes the fd; the object and its name remain until
/// [`unlink`] (see [`UnlinkOnDrop`] for the creator's guard).
///
/// Syscalls: none until dropped; then `close`.
#[derive(Debug)]
pub struct SharedMemory(OwnedFd);

fd_handle!(SharedMemory);

// `len` is a file size that costs a syscall; an `is_empty` would only
// invite a second one.
#[allow(clippy::len_without_is_empty)]
impl SharedMemory {
    file_size_methods!(
        "`EINVAL` if the fd is not open for writing or `len` is too large \
         (`EFBIG` beyond the file size limit); `ENOSPC` / `ENOMEM` when \
         `/dev/shm` is full."
    );

    /// `mmap(NULL, len, prot, MAP_SHARED, fd, 0)` — maps the first `len`
    /// bytes of the object, [`ReadOnly`](super::ReadOnly) or
    /// [`ReadWrite`](super::ReadWrite).
    ///
    /// Syscalls: `mmap` (`mmap2` on 32-bit).
    ///
    /// # Examples
    /// ```
    /// # fn main() -> bareipc::Result<()> {
    /// use bareipc::shm::{ReadOnly, ReadWrite, posix};
    ///
    /// let name = format!("/bareipc-doc-shm-map-{}", std::process::id());
    /// let shm = posix::create(&name, posix::DEFAULT_MODE)?;
    /// let _unlink = posix::UnlinkOnDrop::new(&name, &shm)?;
    /// shm.set_len(4096)?;
    /// // SAFETY: the object is ours alone (mode 0o600) and nothing truncates it.
    /// let map = unsafe { shm.map::<ReadWrite>(4096) }?;
    /// map.write_at(0, b"hello")?;
    /// // A reader elsewhere opens the name and maps the same pages.
    /// // SAFETY: as above.
    /// let view = unsafe { posix::open::<ReadOnly>(&name)?.map::<ReadOnly>(4096) }?;
    /// let mut buf = [0u8; 5];
    /// view.read_at(0, &mut buf)?;
    /// assert_eq!(&buf, b"hello");
    /// # Ok(()) }
    /// ```
    ///
    /// # Safety
    /// The object must be at least `len` bytes long now and stay so while
    /// the mapping lives: no process may shrink it (with
    /// [`set_len`](Self::set_len), `ftruncate`, or `O_TRUNC`). Access past
    /// the end of the file raises `SIGBUS`.
    ///
    /// # Errors
    /// `EINVAL` for `len` 0; `EACCES` for a [`ReadWrite`](super::ReadWrite)
    /// mapping of an object opened [`ReadOnly`](super::ReadOnly); `ENOMEM`.
    ///
    /// # References
    /// - [mmap(2)](https://man7.org/linux/man-pages/man2/mmap.2.html)
    #[doc(alias = "mmap")]
    pub unsafe fn map<A: Access>(&self, len: usize) -> Result<Mapping<A>> {
        // SAFETY: the caller keeps the object at least `len` bytes long.
        unsafe { Mapping::map_fd(self.0.as_fd(), len, 0) }
    }
}

/// Removes a POSIX shared memory name when dropped, if it still names the
/// object the guard was made for: the creator's opt-in cleanup (objects
/// outlive processes, and other processes may still want the name, so
/// nothing is removed implicitly).
///
/// The guard notes the object's device and inode when made; at drop the
/// name is looked up again (without following a symlink) and removed only
/// if it still leads to that inode, so a file that took the name
/// meanwhile (the object was unlinked, and someone created another) is
/// left alone. The check and the removal are two syscalls apart: in sticky
/// `/dev/shm` only the name's owner (or root) could swap it in between.
///
/// Syscalls: none until dropped; then `newfstatat` (`statx` on 32-bit, or
/// `fstatat64` before Linux 4.11) and, if the name still leads to the
/// object, `unlinkat`, whose errors (say, `ENOENT` because someone already
/// removed the name) are ignored.
#[derive(Debug)]
#[must_use = "the name is removed when the guard is dropped"]
pub struct UnlinkOnDrop {
    path: ShmPath,
    dev: u64,
    ino: u64,
}

impl core::fmt::Debug for ShmPath {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let name = &self.buf[DIR.len() - 1..self.len - 1];
        write!(
            f,
            "{:?}",
            core::str::from_utf8(name).unwrap_or("<non-UTF-8>")
        )
    }
}

impl UnlinkOnDrop {
    /// A guard for `name`, the name of `object` (usually the one just
    /// created with it). The name is validated now, so that drop cannot
    /// fail for a bad one, and `object`'s inode is noted.
    ///
    /// Syscalls: `fstat` (`statx` on 32-bit, or `fstat64` before Linux
    /// 4.11; none for a bad name).
    ///
    /// # Errors
    /// `EINVAL` / `ENAMETOOLONG` for a bad name, as [`open`].
    ///
    /// # References
    /// - [shm_unlink(3)](https://man7.org/linux/man-pages/man3/shm_unlink.3.html)
    pub fn new(name: impl AsRef<[u8]>, object: &SharedMemory) -> Result<Self> {
        let path = ShmPath::new(name.as_ref())?;
        let st = rustix::fs::fstat(&object.0)?;
        Ok(Self {
            path,
            dev: st.st_dev as u64,
            ino: st.st_ino as u64,
        })
    }
}

impl Drop for UnlinkOnDrop {
    // st_dev and st_ino are u64 on some targets and narrower on others.
    #[allow(clippy::unnecessary_cast)]
    fn drop(&mut self) {
        let Ok(path) = self.path.as_c_str() else {
            return;
        };
        let flags = rustix::fs::AtFlags::SYMLINK_NOFOLLOW;
        match rustix::fs::statat(CWD, path, flags) {
            Ok(st) if (st.st_dev as u64, st.st_ino as u64) == (self.dev, self.ino) => {
                let _ = rustix::fs::unlinkat(CWD, path, rustix::fs::AtFlags::empty());
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The path bytes `name` maps to.
    fn path(name: &[u8]) -> Result<heapless::Vec<u8, 300>> {
        let p = ShmPath::new(name)?;
        Ok(heapless::Vec::from_slice(&p.buf[..p.len]).unwrap())
    }

    #[test]
    fn names_map_into_dev_shm_only() {
        assert_eq!(&path(b"/a").unwrap()[..], b"/dev/shm/a\0");
        assert_eq!(&path(b"/..a").unwrap()[..], b"/dev/shm/..a\0");
        let long = [b'x'; NAME_MAX];
        let mut name = [b'/'; NAME_MAX + 2];
        name[1..=NAME_MAX].copy_from_slice(&long);
        assert_eq!(path(&name[..=NAME_MAX]).unwrap().len(), 9 + NAME_MAX + 1);
        assert_eq!(path(&name[..]).err(), Some(Errno::INVAL), "a second '/'");
        name[NAME_MAX + 1] = b'x';
        assert_eq!(path(&name[..]).err(), Some(Errno::NAMETOOLONG));
        for bad in [
            &b""[..],
            b"/",
            b"//",
            b"/a/b",
            b".",
            b"..",
            b"/.",
            b"/..",
            b"/a\0b",
        ] {
            assert_eq!(path(bad).err(), Some(Errno::INVAL), "{bad:?}");
        }
        // Leading slashes are dropped, as glibc and musl drop them.
        for same in [&b"no-slash"[..], b"/no-slash", b"//no-slash"] {
            assert_eq!(&path(same).unwrap()[..], b"/dev/shm/no-slash\0");
        }
    }
}
