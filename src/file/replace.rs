//! Atomic replacement: readers of a path see the whole old file or the
//! whole new one, never a mix and never a half-written file.
//!
//! ```no_run
//! # #[cfg(feature = "std")] fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use bareipc::file::replace::{self, Durability, Options};
//! use bareipc::fd::AsFd;
//!
//! let dir = std::fs::File::open("/run/app")?;
//! // Writer: publish a new configuration.
//! replace::replace(&dir, "config", b"workers = 4\n", &Options::new())?;
//! // Any reader that opens /run/app/config, in any process, now or at any
//! // moment during the call, reads either the previous content or exactly
//! // "workers = 4\n".
//!
//! // Or write through the temporary file first, then commit.
//! let r = replace::Replacement::new(&dir, "state", &Options::new().durability(Durability::None))?;
//! r.write_all(b"part one, ")?;
//! r.write_all(b"part two")?;
//! r.commit()?;
//! # Ok(()) }
//! # #[cfg(not(feature = "std"))] fn main() {}
//! ```
//!
//! # How
//! The new content goes into a temporary file in the target's directory
//! (the same file system, so the last step is a rename, not a copy), which
//! is synced as [`Durability`] asks and then renamed over the target. A
//! rename replaces the name in one step: a reader that opens the path gets
//! the old inode or the new one, and an fd opened on the old inode keeps
//! reading the old content.
//!
//! The temporary file is unnamed (`O_TMPFILE`, Linux 3.11+) where the file
//! system supports it: nobody can see or open it while it is written, and
//! if the process dies before the commit, nothing is left behind. To
//! rename it, it is first given a name with `linkat`, through its
//! `/proc/self/fd/N` link (which needs `/proc` mounted), or with
//! `AT_EMPTY_PATH` where `/proc` is missing (which needs
//! `CAP_DAC_READ_SEARCH`). Where `O_TMPFILE` is refused (`EOPNOTSUPP`,
//! `EISDIR` or `EINVAL` from an old kernel or a file system without it),
//! or when [`Options::named_temporary`] asks, the temporary file is created
//! under a unique name (`O_CREAT | O_EXCL | O_NOFOLLOW`) instead. Either
//! way the name is `.bareipc-` and 16 random hexadecimal digits (from
//! `getrandom`: a name a peer cannot predict, so it cannot take the names
//! first and make the create fail), lives only between
//! the link or creation and the rename, and is removed on every error
//! path; only a process killed in that window leaves it behind.
//!
//! The exact syscalls, in order, for [`replace`]:
//! 1. `openat(dir, parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)`: the
//!    target's directory, kept for every later step.
//! 2. `openat(parent, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, mode)`; if it is
//!    refused, `getrandom` and `openat(parent, ".bareipc-…", O_CREAT | O_EXCL |
//!    O_NOFOLLOW | O_RDWR | O_CLOEXEC, mode)`, once more per name taken.
//! 3. `write` until every byte is written.
//! 4. `fdatasync(file)`, for [`Durability::Data`] and above.
//! 5. Unnamed file: `getrandom`, then `linkat(AT_FDCWD, "/proc/self/fd/N",
//!    parent, ".bareipc-…", AT_SYMLINK_FOLLOW)`, and on `ENOENT`
//!    `linkat(file, "", parent, ".bareipc-…", AT_EMPTY_PATH)`, once more
//!    per name taken.
//! 6. `renameat(parent, ".bareipc-…", parent, name)` (`renameat2` with no
//!    flags on riscv64); on failure `unlinkat(parent, ".bareipc-…")`.
//! 7. `fsync(parent)`, for [`Durability::DataAndDirectory`].
//! 8. `close` of both fds.
//!
//! [`create`] differs in the last steps: an unnamed file is linked straight
//! to `name` (step 5 with `name`, no rename), a named one is renamed with
//! `renameat2(…, RENAME_NOREPLACE)`; either fails with `EEXIST` if `name`
//! exists.
//!
//! # What is not covered
//! Atomicity is about the name: a process that keeps the old file open, or
//! maps it, goes on seeing the old content, and hard links to the old file
//! keep it. Renaming does not carry over the old file's owner, mode,
//! extended attributes or ACLs: the new file has [`Options::mode`] (less the
//! umask) and the caller's uid and gid.

use core::ffi::CStr;

use rustix::fd::{AsFd, BorrowedFd, OwnedFd};
/// The current directory, as the `dir` of [`replace`] and [`Replacement::new`].
#[doc(no_inline)]
pub use rustix::fs::CWD;
use rustix::fs::{AtFlags, Mode, OFlags, RenameFlags};
use rustix::path::Arg;

use crate::names::StackPath;
use crate::{Errno, Result};

/// What must be on stable storage when a commit returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Durability {
    /// No sync. Other processes see exactly the same thing (atomicity
    /// between live processes does not depend on syncing), but after a
    /// power loss or kernel crash the file may be empty or partly written,
    /// depending on the file system. Right for state that does not outlive
    /// a boot (`/run`, `/dev/shm`, tmpfs).
    None,
    /// `fdatasync` of the new file before it is renamed into place: after
    /// a crash the path holds the whole old content or the whole new one.
    /// The rename itself may be lost, so an old version can reappear.
    Data,
    /// [`Data`](Durability::Data), then `fsync` of the directory after the
    /// rename: when the commit returns, the new content survives a crash.
    DataAndDirectory,
}

/// Options of [`replace`], [`create`] and [`Replacement::new`]; start from
/// [`Options::new`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Options {
    mode: Mode,
    durability: Durability,
    named: bool,
}

impl Options {
    /// Mode `0o600`, [`Durability::Data`], an unnamed temporary file where
    /// the file system allows.
    ///
    /// Syscalls: none.
    #[inline]
    pub const fn new() -> Options {
        Options {
            mode: DEFAULT_MODE,
            durability: Durability::Data,
            named: false,
        }
    }

    /// The permission bits of the new file (the umask still applies).
    /// Bits outside `0o7777` are refused with `EINVAL`.
    ///
    /// Syscalls: none.
    #[inline]
    pub const fn mode(self, mode: Mode) -> Options {
        Options { mode, ..self }
    }

    /// What to sync before the commit returns.
    ///
    /// Syscalls: none.
    #[inline]
    pub const fn durability(self, durability: Durability) -> Options {
        Options { durability, ..self }
    }

    /// Skip `O_TMPFILE` and always use a named temporary file: for a
    /// process that has neither `/proc` nor `CAP_DAC_READ_SEARCH`, which an
    /// unnamed file needs to be linked into place.
    ///
    /// Syscalls: none.
    #[inline]
    pub const fn named_temporary(self, named: bool) -> Options {
        Options { named, ..self }
    }
}

impl Default for Options {
    #[inline]
    fn default() -> Options {
        Options::new()
    }
}

/// The default mode of the new file: `0o600`, read and write for the owner.
pub const DEFAULT_MODE: Mode = Mode::RUSR.union(Mode::WUSR);

/// The longest file name Linux accepts, `NAME_MAX`.
const NAME_MAX: usize = linux_raw_sys::general::NAME_MAX as usize;

/// Atomically replace (or create) `path` with a file holding `contents`.
///
/// `path` is relative to `dir` (pass [`CWD`] for the
/// current directory) or absolute. The new file has `opts`'s mode (default
/// `0o600`, less the umask) and is synced as `opts`'s [`Durability`] asks
/// (default [`Durability::Data`]). See the [module docs](self) for how, and
/// what a reader sees.
///
/// Syscalls: `openat` of the directory and of the temporary file, `write`,
/// `fdatasync` (unless `Durability::None`), `getrandom` and `linkat` to give
/// an unnamed temporary file a name, `renameat` (`renameat2` on riscv64),
/// `unlinkat` of the temporary name if that fails, `fsync` of the
/// directory (`Durability::DataAndDirectory`), and `close` of both fds (a
/// named temporary file takes its `getrandom` before its `openat`, and no
/// `linkat`). The [module docs](self#how) list the steps in order.
///
/// # Examples
/// ```
/// # fn main() -> bareipc::Result<()> {
/// use bareipc::file::replace::{self, Options};
///
/// let name = format!("bareipc-doc-replace-{}", std::process::id());
/// let dir = std::fs::File::open(std::env::temp_dir()).expect("the temp directory");
/// replace::replace(&dir, &*name, b"workers = 2\n", &Options::new())?;
/// // A reader that opens the name meanwhile gets one version or the other, whole.
/// replace::replace(&dir, &*name, b"workers = 4\n", &Options::new())?;
/// let path = std::env::temp_dir().join(&name);
/// assert_eq!(std::fs::read(&path).expect("read"), b"workers = 4\n");
/// std::fs::remove_file(&path).expect("removed");
/// # Ok(()) }
/// ```
///
/// # Errors
/// - [`Errno::NOENT`](crate::Errno::NOENT): the target's directory does not
///   exist, `path` is empty, or (unnamed temporary) neither `/proc` nor
///   `CAP_DAC_READ_SEARCH` is available to link the file.
/// - [`Errno::INVAL`](crate::Errno::INVAL): `path` ends with `/`, `.` or
///   `..`, or the mode has bits outside `0o7777` (before any syscall).
/// - [`Errno::NAMETOOLONG`](crate::Errno::NAMETOOLONG): the last component
///   is longer than 255 bytes (before any syscall), or `path` is.
/// - [`Errno::ACCESS`](crate::Errno::ACCESS): the directory is not readable,
///   writable and searchable by the caller.
/// - [`Errno::ISDIR`](crate::Errno::ISDIR): the target is a directory.
/// - [`Errno::NOTDIR`](crate::Errno::NOTDIR): a component of the directory
///   part is not a directory.
/// - [`Errno::NOSPC`](crate::Errno::NOSPC),
///   [`Errno::DQUOT`](crate::Errno::DQUOT), [`Errno::IO`](crate::Errno::IO):
///   writing or syncing failed.
/// - [`Errno::ROFS`](crate::Errno::ROFS): the file system is read-only.
/// - [`Errno::EXIST`](crate::Errno::EXIST): no free temporary name after 32
///   tries.
/// - [`Errno::INTR`](crate::Errno::INTR): a signal interrupted a write.
///
/// On every error the target is untouched and no temporary file is left,
/// except when syncing the directory fails: the new file is then in place
/// but maybe not yet durable.
///
/// # References
/// - [open(2), O_TMPFILE](https://man7.org/linux/man-pages/man2/open.2.html)
/// - [link(2)](https://man7.org/linux/man-pages/man2/link.2.html)
/// - [rename(2)](https://man7.org/linux/man-pages/man2/rename.2.html)
/// - [fsync(2)](https://man7.org/linux/man-pages/man2/fsync.2.html)
#[doc(alias = "O_TMPFILE")]
#[doc(alias = "rename")]
pub fn replace<P: Arg>(dir: impl AsFd, path: P, contents: &[u8], opts: &Options) -> Result<()> {
    let r = Replacement::new(dir, path, opts)?;
    r.write_all(contents)?;
    r.commit()
}

/// Atomically create `path` with `contents`, failing if it exists: the
/// file appears whole or not at all.
///
/// As [`replace`], but the last step never overwrites: an unnamed
/// temporary file is linked straight to `path`, a named one is renamed with
/// `RENAME_NOREPLACE`.
///
/// Syscalls: `openat` of the directory and of the temporary file, `write`,
/// `fdatasync` (unless `Durability::None`), `linkat` of an unnamed
/// temporary file to its final name, `fsync` of the directory
/// (`Durability::DataAndDirectory`), and `close` of both fds; a named
/// temporary file takes `getrandom` before its `openat`, then `renameat2`
/// (`RENAME_NOREPLACE`) instead of `linkat`, and `unlinkat` if that fails.
///
/// # Errors
/// - [`Errno::EXIST`](crate::Errno::EXIST): `path` exists (of any type,
///   including a dangling symlink).
/// - [`Errno::INVAL`](crate::Errno::INVAL): as for [`replace`], or (named
///   temporary only) the file system does not support `RENAME_NOREPLACE`.
/// - the others of [`replace`].
///
/// # References
/// - [link(2)](https://man7.org/linux/man-pages/man2/link.2.html)
/// - [rename(2), RENAME_NOREPLACE](https://man7.org/linux/man-pages/man2/rename.2.html)
#[doc(alias = "RENAME_NOREPLACE")]
pub fn create<P: Arg>(dir: impl AsFd, path: P, contents: &[u8], opts: &Options) -> Result<()> {
    let r = Replacement::new(dir, path, opts)?;
    r.write_all(contents)?;
    r.commit_new()
}

/// `renameat2(dir_a, a, dir_b, b, RENAME_EXCHANGE)` — atomically swap two
/// existing names, which may be files or directories of any kind.
///
/// Useful where a rename cannot replace the target (a non-empty directory,
/// such as a tree of generated files), or to keep the old version under the
/// other name. Both names must be on one file system.
///
/// Syscalls: `renameat2`.
///
/// # Errors
/// - [`Errno::NOENT`](crate::Errno::NOENT): either name does not exist.
/// - [`Errno::INVAL`](crate::Errno::INVAL): the file system does not
///   support `RENAME_EXCHANGE`, or one is an ancestor of the other.
/// - [`Errno::XDEV`](crate::Errno::XDEV): the names are on different
///   mounts.
/// - [`Errno::ACCESS`](crate::Errno::ACCESS),
///   [`Errno::PERM`](crate::Errno::PERM) (sticky directory),
///   [`Errno::ROFS`](crate::Errno::ROFS), [`Errno::BUSY`](crate::Errno::BUSY)
///   (a mount point).
///
/// # References
/// - [rename(2), RENAME_EXCHANGE](https://man7.org/linux/man-pages/man2/rename.2.html)
#[doc(alias = "RENAME_EXCHANGE")]
#[doc(alias = "renameat2")]
pub fn exchange<P: Arg, Q: Arg>(dir_a: impl AsFd, a: P, dir_b: impl AsFd, b: Q) -> Result<()> {
    rustix::fs::renameat_with(dir_a, a, dir_b, b, RenameFlags::EXCHANGE)
}

/// A new file being written, not yet visible under its final name:
/// [`commit`](Replacement::commit) puts it in place.
///
/// Write through [`write_all`](Replacement::write_all) or through the fd
/// (`AsFd`; it is open read-write, with its offset at the end of what was
/// written). Dropping it without committing leaves the target untouched and
/// removes the temporary file.
///
/// Syscalls: none until dropped uncommitted; then `unlinkat` of a named
/// temporary file, and `close` of both fds.
#[derive(Debug)]
pub struct Replacement {
    dir: OwnedFd,
    file: OwnedFd,
    name: Name,
    /// The name of a named temporary file; `None` for an unnamed one.
    temp: Option<TempName>,
    durability: Durability,
}

impl Replacement {
    /// Create the temporary file for replacing `path`, in `path`'s
    /// directory.
    ///
    /// Nothing is visible under `path` until a commit. See
    /// [`replace`] for `dir`, `path` and `opts`.
    ///
    /// Syscalls: `openat` of the directory, `openat` of an unnamed
    /// temporary file (`O_TMPFILE`) unless the options ask for a named one,
    /// then, if they do or that is refused, `getrandom` and `openat` of a
    /// named temporary file (`O_CREAT | O_EXCL`, once more per name taken),
    /// and `close` of the directory if the call fails.
    ///
    /// # Errors
    /// - [`Errno::NOENT`](crate::Errno::NOENT): the directory does not
    ///   exist, or `path` is empty.
    /// - [`Errno::INVAL`](crate::Errno::INVAL),
    ///   [`Errno::NAMETOOLONG`](crate::Errno::NAMETOOLONG): a bad `path` or
    ///   mode, before any syscall (see [`replace`]).
    /// - [`Errno::ACCESS`](crate::Errno::ACCESS),
    ///   [`Errno::NOTDIR`](crate::Errno::NOTDIR),
    ///   [`Errno::ROFS`](crate::Errno::ROFS),
    ///   [`Errno::NOSPC`](crate::Errno::NOSPC),
    ///   [`Errno::DQUOT`](crate::Errno::DQUOT),
    ///   [`Errno::MFILE`](crate::Errno::MFILE): from the opens.
    /// - [`Errno::EXIST`](crate::Errno::EXIST): no free temporary name
    ///   after 32 tries.
    ///
    /// # References
    /// - [open(2)](https://man7.org/linux/man-pages/man2/open.2.html)
    pub fn new<P: Arg>(dir: impl AsFd, path: P, opts: &Options) -> Result<Replacement> {
        if opts.mode.bits() & !0o7777 != 0 {
            return Err(Errno::INVAL);
        }
        let dir = dir.as_fd();
        path.into_with_c_str(|path| {
            let (parent, name) = split(path)?;
            let parent = match parent {
                Parent::Cwd => open_dir(dir, c"."),
                Parent::Root => open_dir(dir, c"/"),
                Parent::Path(p) => p.into_with_c_str(|p| open_dir(dir, p)),
            }?;
            let (file, temp) = create_temp(parent.as_fd(), opts)?;
            Ok(Replacement {
                dir: parent,
                file,
                name,
                temp,
                durability: opts.durability,
            })
        })
    }

    /// `write` until all of `bytes` is in the temporary file.
    ///
    /// Syscalls: `write`, as often as the kernel takes fewer bytes.
    ///
    /// # Errors
    /// - [`Errno::NOSPC`](crate::Errno::NOSPC),
    ///   [`Errno::DQUOT`](crate::Errno::DQUOT),
    ///   [`Errno::FBIG`](crate::Errno::FBIG),
    ///   [`Errno::IO`](crate::Errno::IO) (also if the kernel took no bytes).
    /// - [`Errno::INTR`](crate::Errno::INTR): a signal interrupted a write;
    ///   how much was written is unknown, so drop the replacement and start
    ///   again.
    ///
    /// # References
    /// - [write(2)](https://man7.org/linux/man-pages/man2/write.2.html)
    pub fn write_all(&self, mut bytes: &[u8]) -> Result<()> {
        while !bytes.is_empty() {
            match rustix::io::write(&self.file, bytes)? {
                0 => return Err(Errno::IO),
                n => bytes = bytes.get(n..).unwrap_or_default(),
            }
        }
        Ok(())
    }

    /// Put the new file in place of the target, replacing it if it exists.
    ///
    /// Syscalls: `fdatasync` (unless `Durability::None`), `getrandom` and
    /// `linkat` to give an unnamed temporary file a name, `renameat`
    /// (`renameat2` on riscv64), `unlinkat` of the temporary name if that
    /// fails, `fsync` of the directory (`Durability::DataAndDirectory`), and
    /// `close` of both fds. These are steps 4 to 8 of the
    /// [module docs](self#how).
    ///
    /// # Errors
    /// - [`Errno::ISDIR`](crate::Errno::ISDIR): the target is a directory.
    /// - [`Errno::NOENT`](crate::Errno::NOENT): an unnamed temporary file
    ///   could not be linked (no `/proc`, no `CAP_DAC_READ_SEARCH`), or the
    ///   directory was removed.
    /// - [`Errno::IO`](crate::Errno::IO), [`Errno::NOSPC`](crate::Errno::NOSPC),
    ///   [`Errno::DQUOT`](crate::Errno::DQUOT): syncing or linking failed.
    /// - [`Errno::ACCESS`](crate::Errno::ACCESS),
    ///   [`Errno::PERM`](crate::Errno::PERM) (a sticky directory and a target
    ///   owned by someone else), [`Errno::BUSY`](crate::Errno::BUSY),
    ///   [`Errno::ROFS`](crate::Errno::ROFS), [`Errno::MLINK`](crate::Errno::MLINK).
    /// - [`Errno::EXIST`](crate::Errno::EXIST): no free temporary name
    ///   after 32 tries.
    ///
    /// # References
    /// - [rename(2)](https://man7.org/linux/man-pages/man2/rename.2.html)
    /// - [link(2)](https://man7.org/linux/man-pages/man2/link.2.html)
    /// - [fdatasync(2)](https://man7.org/linux/man-pages/man2/fdatasync.2.html)
    #[doc(alias = "renameat")]
    pub fn commit(self) -> Result<()> {
        self.sync_file()?;
        let dir = self.dir.as_fd();
        let name = self.name.as_c_str();
        match &self.temp {
            Some(temp) => rustix::fs::renameat(dir, temp.as_c_str(), dir, name)?,
            None => {
                let temp = link_temp(self.file.as_fd(), dir)?;
                if let Err(e) = rustix::fs::renameat(dir, temp.as_c_str(), dir, name) {
                    let _ = rustix::fs::unlinkat(dir, temp.as_c_str(), AtFlags::empty());
                    return Err(e);
                }
            }
        }
        self.finish()
    }

    /// Put the new file in place of the target only if the target does not
    /// exist.
    ///
    /// Syscalls: `fdatasync` (unless `Durability::None`), then `linkat` of
    /// an unnamed temporary file straight to the final name (through
    /// `/proc/self/fd/N`, or `AT_EMPTY_PATH` without `/proc`), or
    /// `renameat2` of a named one (`RENAME_NOREPLACE`) and `unlinkat` of it
    /// if that fails; then `fsync` of the directory
    /// (`Durability::DataAndDirectory`) and `close` of both fds.
    ///
    /// # Errors
    /// - [`Errno::EXIST`](crate::Errno::EXIST): the target exists.
    /// - [`Errno::INVAL`](crate::Errno::INVAL): named temporary only: the
    ///   file system does not support `RENAME_NOREPLACE`.
    /// - the others of [`commit`](Replacement::commit).
    ///
    /// # References
    /// - [link(2)](https://man7.org/linux/man-pages/man2/link.2.html)
    /// - [rename(2)](https://man7.org/linux/man-pages/man2/rename.2.html)
    #[doc(alias = "RENAME_NOREPLACE")]
    pub fn commit_new(self) -> Result<()> {
        self.sync_file()?;
        let dir = self.dir.as_fd();
        let name = self.name.as_c_str();
        match &self.temp {
            Some(temp) => {
                rustix::fs::renameat_with(dir, temp.as_c_str(), dir, name, RenameFlags::NOREPLACE)?
            }
            None => link_unnamed(self.file.as_fd(), dir, name)?,
        }
        self.finish()
    }

    fn sync_file(&self) -> Result<()> {
        match self.durability {
            Durability::None => Ok(()),
            Durability::Data | Durability::DataAndDirectory => rustix::fs::fdatasync(&self.file),
        }
    }

    /// After the new file has its final name: nothing is left to remove,
    /// and the directory is synced if asked.
    fn finish(mut self) -> Result<()> {
        self.temp = None;
        match self.durability {
            Durability::DataAndDirectory => rustix::fs::fsync(&self.dir),
            Durability::None | Durability::Data => Ok(()),
        }
    }
}

impl AsFd for Replacement {
    /// The temporary file, open for reading and writing.
    #[inline]
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.file.as_fd()
    }
}

impl Drop for Replacement {
    fn drop(&mut self) {
        if let Some(temp) = &self.temp {
            let _ = rustix::fs::unlinkat(&self.dir, temp.as_c_str(), AtFlags::empty());
        }
    }
}

/// The directory part of a path.
enum Parent<'a> {
    /// No `/`: the directory `dir` itself.
    Cwd,
    /// The only `/` is the first byte.
    Root,
    /// Everything before the last `/`.
    Path(&'a [u8]),
}

/// Splits `path` at its last `/` into the directory and the final name,
/// refusing a name the rename could not take.
fn split(path: &CStr) -> Result<(Parent<'_>, Name)> {
    let bytes = path.to_bytes();
    let (parent, name) = match bytes.iter().rposition(|&b| b == b'/') {
        None => (Parent::Cwd, bytes),
        Some(0) => (Parent::Root, bytes.get(1..).unwrap_or_default()),
        Some(i) => (
            Parent::Path(bytes.get(..i).unwrap_or_default()),
            bytes.get(i + 1..).unwrap_or_default(),
        ),
    };
    if bytes.is_empty() {
        return Err(Errno::NOENT);
    }
    Ok((parent, Name::new(name)?))
}

fn open_dir(dir: BorrowedFd<'_>, path: &CStr) -> Result<OwnedFd> {
    rustix::fs::openat(
        dir,
        path,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
}

/// The target's final name, NUL-terminated, at most `NAME_MAX` bytes.
struct Name {
    buf: [u8; NAME_MAX + 1],
}

impl Name {
    fn new(name: &[u8]) -> Result<Name> {
        if name.is_empty() || name == b"." || name == b".." {
            return Err(Errno::INVAL);
        }
        if name.len() > NAME_MAX {
            return Err(Errno::NAMETOOLONG);
        }
        let mut buf = [0u8; NAME_MAX + 1];
        for (out, b) in buf.iter_mut().zip(name) {
            *out = *b;
        }
        Ok(Name { buf })
    }

    fn as_c_str(&self) -> &CStr {
        // `buf` ends with at least one NUL and the name has none.
        CStr::from_bytes_until_nul(&self.buf).unwrap_or(c"")
    }
}

/// How many temporary names to try before giving up with `EEXIST`: with
/// random names, a second try only ever follows a leftover of our own.
const TEMP_TRIES: u32 = 32;

/// `.bareipc-` and 16 random hexadecimal digits, NUL-terminated: a name no
/// other process can predict, so none can take it first.
struct TempName(StackPath<26>);

impl TempName {
    /// A fresh random name.
    ///
    /// Makes one `getrandom` call (through [`StackPath::push_random`]).
    fn next() -> Result<TempName> {
        let mut p = StackPath::new();
        p.push(b".bareipc-").ok_or(Errno::NAMETOOLONG)?;
        p.push_random()?;
        Ok(TempName(p))
    }

    fn as_c_str(&self) -> &CStr {
        self.0.as_c_str()
    }
}

impl core::fmt::Debug for Name {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.as_c_str().fmt(f)
    }
}

impl core::fmt::Debug for TempName {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.as_c_str().fmt(f)
    }
}

/// Creates the temporary file in `dir`: unnamed if possible, else under a
/// fresh name.
fn create_temp(dir: BorrowedFd<'_>, opts: &Options) -> Result<(OwnedFd, Option<TempName>)> {
    if !opts.named {
        let flags = OFlags::TMPFILE | OFlags::RDWR | OFlags::CLOEXEC;
        match rustix::fs::openat(dir, c".", flags, opts.mode) {
            Ok(fd) => return Ok((fd, None)),
            // The file system (EOPNOTSUPP) or the kernel (before 3.11:
            // EISDIR, as O_TMPFILE includes O_DIRECTORY; or EINVAL) cannot.
            Err(Errno::OPNOTSUPP | Errno::ISDIR | Errno::INVAL) => {}
            Err(e) => return Err(e),
        }
    }
    let flags = OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::RDWR | OFlags::CLOEXEC;
    with_fresh_name(|temp| {
        let fd = rustix::fs::openat(dir, temp.as_c_str(), flags, opts.mode)?;
        Ok((fd, Some(temp)))
    })
}

/// Runs `f` with fresh temporary names until one is not taken.
fn with_fresh_name<T>(mut f: impl FnMut(TempName) -> Result<T>) -> Result<T> {
    for _ in 0..TEMP_TRIES {
        match f(TempName::next()?) {
            Err(Errno::EXIST) => continue,
            done => return done,
        }
    }
    Err(Errno::EXIST)
}

/// Gives the unnamed `file` a fresh temporary name in `dir`.
fn link_temp(file: BorrowedFd<'_>, dir: BorrowedFd<'_>) -> Result<TempName> {
    with_fresh_name(|temp| {
        link_unnamed(file, dir, temp.as_c_str())?;
        Ok(temp)
    })
}

/// Links the unnamed (`O_TMPFILE`) `file` as `name` in `dir`: through its
/// `/proc/self/fd/N` magic link, or, where that path does not exist (no
/// `/proc`), by fd with `AT_EMPTY_PATH`, which needs `CAP_DAC_READ_SEARCH`.
fn link_unnamed(file: BorrowedFd<'_>, dir: BorrowedFd<'_>, name: &CStr) -> Result<()> {
    let proc_path = StackPath::<32>::proc_fd(file).ok_or(Errno::NAMETOOLONG)?;
    match rustix::fs::linkat(
        CWD,
        proc_path.as_c_str(),
        dir,
        name,
        AtFlags::SYMLINK_FOLLOW,
    ) {
        Err(Errno::NOENT) => rustix::fs::linkat(file, c"", dir, name, AtFlags::EMPTY_PATH),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_into_directory_and_name() {
        let name = |p: &CStr| split(p).map(|(_, n)| n.as_c_str().to_bytes().to_vec());
        assert_eq!(name(c"file").unwrap(), b"file");
        assert_eq!(name(c"/file").unwrap(), b"file");
        assert_eq!(name(c"a/b/file").unwrap(), b"file");
        assert!(matches!(split(c"file").unwrap().0, Parent::Cwd));
        assert!(matches!(split(c"/file").unwrap().0, Parent::Root));
        assert!(matches!(split(c"a/b/f").unwrap().0, Parent::Path(b"a/b")));
        assert_eq!(name(c"").err(), Some(Errno::NOENT));
        assert_eq!(name(c"dir/").err(), Some(Errno::INVAL));
        assert_eq!(name(c"/").err(), Some(Errno::INVAL));
        assert_eq!(name(c"a/.").err(), Some(Errno::INVAL));
        assert_eq!(name(c"..").err(), Some(Errno::INVAL));
        let long = [b'x'; NAME_MAX + 1];
        assert_eq!(split(c"ok").map(|_| ()), Ok(()));
        assert_eq!(Name::new(&long).err(), Some(Errno::NAMETOOLONG));
        assert!(Name::new(&long[..NAME_MAX]).is_ok());
    }

    #[test]
    fn temporary_names_are_random_hex() {
        let a = TempName::next().unwrap();
        let b = TempName::next().unwrap();
        assert_ne!(a.as_c_str(), b.as_c_str());
        let s = a.as_c_str().to_bytes();
        assert_eq!(s.len(), 25);
        assert!(s.starts_with(b".bareipc-"));
        assert!(s[9..].iter().all(|c| c.is_ascii_hexdigit()));
    }
}
