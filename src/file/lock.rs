//! Advisory locks on a shared file: open-file-description byte-range locks
//! (`fcntl(F_OFD_*)`) and whole-file `flock` locks, each with a guard that
//! unlocks on drop.
//!
//! ```no_run
//! # #[cfg(feature = "std")] fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use bareipc::file::lock::{self, LockKind, Range};
//!
//! // Two processes run this, each opening the file itself.
//! let file = std::fs::OpenOptions::new().read(true).write(true).open("/run/app/state")?;
//! // Bytes 0..64 are the header: one writer at a time.
//! let guard = lock::lock(&file, LockKind::Exclusive, Range::new(0, 64))?;
//! // ... read, modify and write the header ...
//! drop(guard); // F_UNLCK on bytes 0..64; the other process may go on
//! # Ok(()) }
//! # #[cfg(not(feature = "std"))] fn main() {}
//! ```
//!
//! # Why open-file-description locks
//! Classic POSIX record locks (`F_SETLK`) belong to a *process*: closing
//! *any* fd of the file in that process drops all of its locks on it (a
//! library that opens and closes the same file silently unlocks yours), and
//! threads of one process never exclude each other. Open-file-description
//! (OFD) locks, Linux 3.15+ and POSIX.1-2024, belong to the open file
//! description that `open` created:
//! - they are released when the last fd referring to that description is
//!   closed, which includes every fd closed when the process dies, even by
//!   `SIGKILL`: a crashed holder never leaves the file locked;
//! - closing an unrelated fd of the same file does not release them;
//! - two descriptions conflict even inside one process, so threads that
//!   each `open` the file exclude each other; duplicates of one fd (`dup`,
//!   `fork`, `SCM_RIGHTS`) share the locks of their description.
//!
//! OFD locks and classic POSIX locks on the same file conflict with each
//! other as expected. `flock` locks are a separate, whole-file kind, also
//! owned by the open file description; on local file systems they do not
//! interact with byte-range locks.
//!
//! All these locks are advisory: they exclude only processes that ask for
//! them, never a plain `read` or `write`.
//!
//! # Ranges
//! A [`Range`] is a start offset and a length in bytes; a length of 0 means
//! "to the end of the file, however large it grows" ([`Range::WHOLE`] is
//! the whole file). Offsets may lie beyond the end of the file. The last
//! byte, `start + len - 1`, must fit in an `i64` (`off_t`): a start or
//! length above `i64::MAX` is refused with [`Errno::INVAL`] and a range that
//! ends beyond it with [`Errno::OVERFLOW`], before any syscall (these are
//! the kernel's own answers; refusing early also keeps a huge `u64` length
//! from reaching the kernel as a negative `off_t`, which would lock the
//! bytes *before* `start`).
//!
//! Locks of one description never conflict with each other: locking a
//! range it already holds converts the lock (shared to exclusive or back),
//! and adjacent or overlapping ranges of the same kind merge. Dropping a
//! guard unlocks its whole range, including parts another guard of the same
//! description also covered.
//!
//! # Waiting
//! [`lock`] and [`flock`] wait as long as a conflicting lock exists; the
//! kernel offers no timeout for either. Use [`try_lock`] / [`try_flock`]
//! (`EAGAIN` at once) to poll, or let a signal interrupt the wait: it then
//! fails with [`Errno::INTR`], unless the handler was installed with
//! `SA_RESTART`, in which case the kernel restarts it. The kernel does not
//! detect deadlocks between OFD locks (`EDEADLK` is reported only for
//! classic POSIX locks), so take several ranges in one agreed order.
//!
//! [`Errno::INVAL`]: crate::Errno::INVAL
//! [`Errno::OVERFLOW`]: crate::Errno::OVERFLOW
//! [`Errno::INTR`]: crate::Errno::INTR

use core::ops::{Deref, DerefMut};

use rustix::fd::AsFd;
use rustix::fs::FlockOperation;
use rustix::process::Pid;

use crate::backend::file::{OfdCmd, fcntl, flock as Flock};
use crate::{Errno, Result};

use linux_raw_sys::general as g;

/// Shared or exclusive: the kind of a lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LockKind {
    /// A read lock (`F_RDLCK`, `LOCK_SH`): any number of holders at once,
    /// but no exclusive holder. A byte-range read lock needs an fd open
    /// for reading.
    Shared,
    /// A write lock (`F_WRLCK`, `LOCK_EX`): one holder, and no shared
    /// holders. A byte-range write lock needs an fd open for writing.
    Exclusive,
}

impl LockKind {
    const fn l_type(self) -> u32 {
        match self {
            LockKind::Shared => g::F_RDLCK,
            LockKind::Exclusive => g::F_WRLCK,
        }
    }
}

/// A byte range of a file: `len` bytes from offset `start`, where a `len`
/// of 0 means "to the end of the file, however large it grows".
///
/// See [the module docs](self#ranges) for the limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Range {
    /// The offset of the first byte.
    pub start: u64,
    /// The number of bytes; 0 means up to the end of the file, now and
    /// after it grows.
    pub len: u64,
}

impl Range {
    /// The whole file, however large it grows: start 0, length 0.
    pub const WHOLE: Range = Range { start: 0, len: 0 };

    /// `len` bytes from `start`; a `len` of 0 means to the end of the file.
    ///
    /// Syscalls: none.
    #[inline]
    pub const fn new(start: u64, len: u64) -> Range {
        Range { start, len }
    }

    /// From `start` to the end of the file, however large it grows.
    ///
    /// Syscalls: none.
    #[inline]
    pub const fn to_end(start: u64) -> Range {
        Range { start, len: 0 }
    }

    /// The `struct flock` for `l_type` on this range, or the kernel's errno
    /// for a range it refuses.
    fn to_flock(self, l_type: u32) -> Result<Flock> {
        let start = i64::try_from(self.start).map_err(|_| Errno::INVAL)?;
        let len = i64::try_from(self.len).map_err(|_| Errno::INVAL)?;
        // The last byte, start + len - 1, must be an off_t.
        if len > 0 && len - 1 > i64::MAX - start {
            return Err(Errno::OVERFLOW);
        }
        Ok(Flock {
            l_type: l_type as _,
            l_whence: g::SEEK_SET as _,
            l_start: start,
            l_len: len,
            // The kernel requires 0 for OFD locks (EINVAL otherwise).
            l_pid: 0,
        })
    }
}

/// The lock [`query`] found in the way.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Conflict {
    /// Its kind.
    pub kind: LockKind,
    /// The range it covers (`len` 0: to the end of the file). This is the
    /// holder's range, not the range asked about.
    pub range: Range,
    /// The holding process, for a classic POSIX lock (`F_SETLK`) held by a
    /// process visible in the caller's pid namespace. `None` for an OFD
    /// lock: the kernel reports `l_pid = -1` for those, since a description
    /// may be shared by many processes. `None` too for a holder outside the
    /// caller's pid namespace (reported as 0).
    pub pid: Option<Pid>,
}

/// `fcntl(fd, F_OFD_SETLKW, &{kind, SEEK_SET, start, len, 0})` — take an
/// open-file-description lock on `range`, waiting while another
/// description holds a conflicting one.
///
/// The lock belongs to `fd`'s open file description and lasts until the
/// returned guard is dropped (which unlocks `range`), or until the last fd
/// of the description is closed, whichever comes first. If the description
/// already holds locks on `range`, they are converted to `kind`.
///
/// `fd` is anything `AsFd`, and the guard holds it: `&file` (several locks
/// through one fd), `&mut file` (read and write through the guard), or an
/// owned fd (dropped with the guard, and on failure; pass a reference to
/// keep it).
///
/// Syscalls: `fcntl` (`fcntl64` on x86 and arm) unless the range is
/// refused first, and `close` of an fd passed by value when the call fails.
///
/// # Examples
/// ```
/// # fn main() -> bareipc::Result<()> {
/// use bareipc::file::lock::{self, LockKind, Range};
///
/// let path = std::env::temp_dir().join(format!("bareipc-doc-lock-{}", std::process::id()));
/// let open = || std::fs::OpenOptions::new().read(true).write(true).create(true).open(&path);
/// let (a, b) = (open().expect("opened"), open().expect("opened")); // as two processes would
/// let header = Range::new(0, 64);
/// let guard = lock::lock(&a, LockKind::Exclusive, header)?;
/// // Another open file description is kept out, even in this process.
/// let refused = lock::try_lock(&b, LockKind::Shared, header);
/// assert_eq!(refused.err(), Some(bareipc::Errno::AGAIN));
/// drop(guard); // unlocks bytes 0..64 (as does the holder's death)
/// let _shared = lock::try_lock(&b, LockKind::Shared, header)?;
/// std::fs::remove_file(&path).expect("removed");
/// # Ok(()) }
/// ```
///
/// # Errors
/// - [`Errno::BADF`](crate::Errno::BADF): `fd` is not open, or is not open
///   for reading (a [`Shared`](LockKind::Shared) lock) or for writing (an
///   [`Exclusive`](LockKind::Exclusive) one).
/// - [`Errno::INTR`](crate::Errno::INTR): a signal handler ran while
///   waiting (the kernel restarts the wait instead if it was installed
///   with `SA_RESTART`).
/// - [`Errno::INVAL`](crate::Errno::INVAL): `range.start` or `range.len`
///   is above `i64::MAX` (before the syscall), or the file does not support
///   locking.
/// - [`Errno::OVERFLOW`](crate::Errno::OVERFLOW): the range ends beyond
///   `i64::MAX` (before the syscall).
/// - [`Errno::NOLCK`](crate::Errno::NOLCK): the kernel could not allocate
///   the lock, or (on NFS) the lock server refused it.
///
/// # References
/// - [fcntl(2), "Open file description locks"](https://man7.org/linux/man-pages/man2/fcntl.2.html)
/// - [POSIX fcntl](https://pubs.opengroup.org/onlinepubs/9799919799/functions/fcntl.html)
#[doc(alias = "F_OFD_SETLKW")]
#[doc(alias = "fcntl")]
pub fn lock<F: AsFd>(fd: F, kind: LockKind, range: Range) -> Result<OfdGuard<F>> {
    set(fd, OfdCmd::SetLkW, kind, range)
}

/// `fcntl(fd, F_OFD_SETLK, &{kind, SEEK_SET, start, len, 0})` — take an
/// open-file-description lock on `range` if no other description holds a
/// conflicting one, without waiting.
///
/// As [`lock`] otherwise.
///
/// Syscalls: `fcntl` (`fcntl64` on x86 and arm) unless the range is
/// refused first, and `close` of an fd passed by value when the call fails.
///
/// # Errors
/// - [`Errno::AGAIN`](crate::Errno::AGAIN): another open file description
///   holds a conflicting lock on part of `range` ([`query`] says which).
/// - [`Errno::BADF`](crate::Errno::BADF), [`Errno::INVAL`](crate::Errno::INVAL),
///   [`Errno::OVERFLOW`](crate::Errno::OVERFLOW),
///   [`Errno::NOLCK`](crate::Errno::NOLCK): as for [`lock`].
///
/// # References
/// - [fcntl(2)](https://man7.org/linux/man-pages/man2/fcntl.2.html)
#[doc(alias = "F_OFD_SETLK")]
pub fn try_lock<F: AsFd>(fd: F, kind: LockKind, range: Range) -> Result<OfdGuard<F>> {
    set(fd, OfdCmd::SetLk, kind, range)
}

fn set<F: AsFd>(fd: F, cmd: OfdCmd, kind: LockKind, range: Range) -> Result<OfdGuard<F>> {
    fcntl(fd.as_fd(), cmd, &mut range.to_flock(kind.l_type())?)?;
    Ok(OfdGuard {
        fd,
        kind,
        range,
        released: false,
    })
}

/// `fcntl(fd, F_OFD_SETLK, &{F_UNLCK, SEEK_SET, start, len, 0})` — release
/// whatever open-file-description locks `fd`'s description holds on
/// `range`.
///
/// Unlocking bytes that are not locked succeeds and changes nothing.
/// Unlocking the middle of a locked range splits it in two. This is what a
/// guard's drop does; call it directly for locks whose guard was
/// [forgotten](OfdGuard::forget).
///
/// Syscalls: `fcntl` (`fcntl64` on x86 and arm), or none if the range is
/// refused.
///
/// # Errors
/// - [`Errno::BADF`](crate::Errno::BADF): `fd` is not open.
/// - [`Errno::INVAL`](crate::Errno::INVAL),
///   [`Errno::OVERFLOW`](crate::Errno::OVERFLOW): as for [`lock`].
/// - [`Errno::NOLCK`](crate::Errno::NOLCK): splitting a lock needed memory
///   the kernel could not allocate.
///
/// # References
/// - [fcntl(2)](https://man7.org/linux/man-pages/man2/fcntl.2.html)
#[doc(alias = "F_UNLCK")]
pub fn unlock<F: AsFd>(fd: F, range: Range) -> Result<()> {
    fcntl(fd.as_fd(), OfdCmd::SetLk, &mut range.to_flock(g::F_UNLCK)?)
}

/// `fcntl(fd, F_OFD_GETLK, &{kind, SEEK_SET, start, len, 0})` — find a lock
/// of another open file description that would stop `fd` from taking a
/// `kind` lock on `range`.
///
/// Returns `None` if the lock could be taken now (which may change at any
/// moment: use [`try_lock`] to take it). Otherwise returns one conflicting
/// lock, with its own range and kind. Locks of `fd`'s own description never
/// conflict. Unlike [`lock`], the access mode of `fd` does not matter.
///
/// Syscalls: `fcntl` (`fcntl64` on x86 and arm), or none if the range is
/// refused.
///
/// # Errors
/// - [`Errno::BADF`](crate::Errno::BADF): `fd` is not open.
/// - [`Errno::INVAL`](crate::Errno::INVAL),
///   [`Errno::OVERFLOW`](crate::Errno::OVERFLOW): as for [`lock`].
///
/// # References
/// - [fcntl(2)](https://man7.org/linux/man-pages/man2/fcntl.2.html)
#[doc(alias = "F_OFD_GETLK")]
pub fn query<F: AsFd>(fd: F, kind: LockKind, range: Range) -> Result<Option<Conflict>> {
    let mut fl = range.to_flock(kind.l_type())?;
    fcntl(fd.as_fd(), OfdCmd::GetLk, &mut fl)?;
    Ok(reported(&fl)?.map(|(kind, range)| Conflict {
        kind,
        range,
        // -1 for an OFD lock, 0 for a holder outside our pid namespace.
        pid: crate::checked_pid(fl.l_pid),
    }))
}

/// `fcntl(fd, F_OFD_GETLK, &{F_UNLCK, SEEK_SET, start, len, 0})` — find a
/// lock that `fd`'s own open file description holds on part of `range`
/// (Linux 6.6+).
///
/// Returns the kind and the whole range of the first such lock, or `None`
/// if the description holds none there. Locks of other descriptions, and
/// classic POSIX locks, are not looked at: [`query`] reports those. This
/// is how a process that lost track of its guards (a restarted library,
/// a [forgotten](OfdGuard::forget) guard, a description received from a
/// peer) learns what the description it holds still locks.
///
/// Syscalls: `fcntl` (`fcntl64` on x86 and arm), or none if the range is
/// refused.
///
/// # Errors
/// - [`Errno::BADF`](crate::Errno::BADF): `fd` is not open.
/// - [`Errno::INVAL`](crate::Errno::INVAL): a kernel before 6.6, which
///   refuses `F_UNLCK` in a query; or as for [`lock`] (range).
/// - [`Errno::OVERFLOW`](crate::Errno::OVERFLOW): as for [`lock`].
///
/// # References
/// - [fcntl(2)](https://man7.org/linux/man-pages/man2/fcntl.2.html)
/// - the kernel change that added it: "fs/locks: F_UNLCK extension for
///   F_OFD_GETLK" (Linux 6.6)
pub fn held<F: AsFd>(fd: F, range: Range) -> Result<Option<(LockKind, Range)>> {
    let mut fl = range.to_flock(g::F_UNLCK)?;
    fcntl(fd.as_fd(), OfdCmd::GetLk, &mut fl)?;
    reported(&fl)
}

/// The lock an `F_OFD_GETLK` wrote back, if any.
fn reported(fl: &Flock) -> Result<Option<(LockKind, Range)>> {
    let kind = match fl.l_type as u32 {
        g::F_UNLCK => return Ok(None),
        g::F_RDLCK => LockKind::Shared,
        g::F_WRLCK => LockKind::Exclusive,
        // No other value is defined; only an fd that is not a file could
        // make the kernel leave something else here, and it refuses those.
        _ => return Err(Errno::IO),
    };
    // The kernel reports the holder's range from SEEK_SET, with l_len 0
    // for "to the end", and never a negative start or length.
    let range = Range {
        start: u64::try_from(fl.l_start).map_err(|_| Errno::IO)?,
        len: u64::try_from(fl.l_len).map_err(|_| Errno::IO)?,
    };
    Ok(Some((kind, range)))
}

/// An open-file-description lock on a range, released on drop.
///
/// Returned by [`lock`] and [`try_lock`], it holds what was passed as the
/// fd and dereferences to it. Pass a reference (`&file`) to take several
/// locks through one fd, a mutable one (`&mut file`) to read and write
/// through the guard, or an owned fd to tie the fd's life to the lock.
/// Drop runs `fcntl(fd, F_OFD_SETLK, F_UNLCK)` on the range and ignores its
/// result (which can only be `ENOLCK`, when unlocking part of a larger
/// lock of the same description needs memory); [`OfdGuard::unlock`]
/// reports it.
///
/// Syscalls: none until dropped; then `fcntl` (`fcntl64` on x86 and arm),
/// and `close` if the guard owns the fd.
#[must_use = "the lock is released when the guard is dropped"]
#[derive(Debug)]
pub struct OfdGuard<F: AsFd> {
    fd: F,
    kind: LockKind,
    range: Range,
    /// Set once the lock was released or given up: drop does nothing.
    released: bool,
}

impl<F: AsFd> OfdGuard<F> {
    /// The kind the lock was taken as.
    ///
    /// Syscalls: none.
    #[inline]
    pub fn kind(&self) -> LockKind {
        self.kind
    }

    /// The locked range.
    ///
    /// Syscalls: none.
    #[inline]
    pub fn range(&self) -> Range {
        self.range
    }

    /// `fcntl(fd, F_OFD_SETLK, F_UNLCK)` on the range — release the lock
    /// now and report the result, which drop cannot.
    ///
    /// Syscalls: `fcntl` (`fcntl64` on x86 and arm), then `close` if the
    /// guard owns the fd.
    ///
    /// # Errors
    /// As [`unlock`].
    ///
    /// # References
    /// - [fcntl(2)](https://man7.org/linux/man-pages/man2/fcntl.2.html)
    pub fn unlock(mut self) -> Result<()> {
        self.released = true;
        unlock(&self.fd, self.range)
    }

    /// Give up the guard and keep the lock: it then lasts until it is
    /// [unlocked](unlock) explicitly or the description's last fd is
    /// closed (which dropping an owned fd here may be).
    ///
    /// Syscalls: none, or `close` if the guard owns the fd.
    #[inline]
    pub fn forget(mut self) {
        self.released = true;
    }
}

impl<F: AsFd> Deref for OfdGuard<F> {
    type Target = F;

    #[inline]
    fn deref(&self) -> &F {
        &self.fd
    }
}

impl<F: AsFd> DerefMut for OfdGuard<F> {
    #[inline]
    fn deref_mut(&mut self) -> &mut F {
        &mut self.fd
    }
}

impl<F: AsFd> Drop for OfdGuard<F> {
    fn drop(&mut self) {
        if !self.released {
            let _ = unlock(&self.fd, self.range);
        }
    }
}

/// `flock(fd, LOCK_SH | LOCK_EX)` — take a whole-file `flock` lock, waiting
/// while another open file description holds a conflicting one.
///
/// Like an OFD lock, a `flock` lock belongs to the open file description
/// and is released when its last fd closes (the holder's death included),
/// or when the returned guard is dropped (`LOCK_UN`). It covers the whole
/// file, needs no particular access mode, and converts an existing `flock`
/// lock of the same description (the conversion is not atomic: the kernel
/// releases the old lock first). On NFS the kernel emulates it with a
/// byte-range lock, which then does need the matching access mode.
///
/// Syscalls: `flock`, and `close` of an fd passed by value when the call
/// fails.
///
/// # Errors
/// - [`Errno::BADF`](crate::Errno::BADF): `fd` is not open (or is an
///   `O_PATH` fd).
/// - [`Errno::INTR`](crate::Errno::INTR): a signal handler ran while
///   waiting (restarted instead with `SA_RESTART`).
/// - [`Errno::INVAL`](crate::Errno::INVAL): the file does not support
///   `flock`.
/// - [`Errno::NOLCK`](crate::Errno::NOLCK): the kernel could not allocate
///   the lock.
///
/// # References
/// - [flock(2)](https://man7.org/linux/man-pages/man2/flock.2.html)
#[doc(alias = "LOCK_SH")]
#[doc(alias = "LOCK_EX")]
pub fn flock<F: AsFd>(fd: F, kind: LockKind) -> Result<FlockGuard<F>> {
    let op = match kind {
        LockKind::Shared => FlockOperation::LockShared,
        LockKind::Exclusive => FlockOperation::LockExclusive,
    };
    take_flock(fd, op, kind)
}

/// `flock(fd, (LOCK_SH | LOCK_EX) | LOCK_NB)` — take a whole-file `flock`
/// lock if no other open file description holds a conflicting one, without
/// waiting.
///
/// As [`flock`] otherwise.
///
/// Syscalls: `flock`, and `close` of an fd passed by value when the call
/// fails.
///
/// # Errors
/// - [`Errno::WOULDBLOCK`](crate::Errno::WOULDBLOCK) (the same value as
///   `EAGAIN`): another description holds a conflicting lock.
/// - [`Errno::BADF`](crate::Errno::BADF), [`Errno::INVAL`](crate::Errno::INVAL),
///   [`Errno::NOLCK`](crate::Errno::NOLCK): as for [`flock`].
///
/// # References
/// - [flock(2)](https://man7.org/linux/man-pages/man2/flock.2.html)
#[doc(alias = "LOCK_NB")]
pub fn try_flock<F: AsFd>(fd: F, kind: LockKind) -> Result<FlockGuard<F>> {
    let op = match kind {
        LockKind::Shared => FlockOperation::NonBlockingLockShared,
        LockKind::Exclusive => FlockOperation::NonBlockingLockExclusive,
    };
    take_flock(fd, op, kind)
}

fn take_flock<F: AsFd>(fd: F, op: FlockOperation, kind: LockKind) -> Result<FlockGuard<F>> {
    rustix::fs::flock(fd.as_fd(), op)?;
    Ok(FlockGuard {
        fd,
        kind,
        released: false,
    })
}

/// A whole-file `flock` lock, released on drop (`flock(fd, LOCK_UN)`,
/// whose result is ignored; use [`FlockGuard::unlock`] to see it).
///
/// Holds and dereferences to what was passed as the fd, as [`OfdGuard`]
/// does.
///
/// Syscalls: none until dropped; then `flock`, and `close` if the guard
/// owns the fd.
#[must_use = "the lock is released when the guard is dropped"]
#[derive(Debug)]
pub struct FlockGuard<F: AsFd> {
    fd: F,
    kind: LockKind,
    /// Set once the lock was released or given up: drop does nothing.
    released: bool,
}

impl<F: AsFd> FlockGuard<F> {
    /// The kind the lock was taken as.
    ///
    /// Syscalls: none.
    #[inline]
    pub fn kind(&self) -> LockKind {
        self.kind
    }

    /// `flock(fd, LOCK_UN)` — release the lock now and report the result.
    ///
    /// Syscalls: `flock`, then `close` if the guard owns the fd.
    ///
    /// # Errors
    /// [`Errno::BADF`](crate::Errno::BADF) if the fd was closed behind the
    /// guard's back (through a raw fd).
    ///
    /// # References
    /// - [flock(2)](https://man7.org/linux/man-pages/man2/flock.2.html)
    #[doc(alias = "LOCK_UN")]
    pub fn unlock(mut self) -> Result<()> {
        self.released = true;
        rustix::fs::flock(self.fd.as_fd(), FlockOperation::Unlock)
    }

    /// Give up the guard and keep the lock until the description's last fd
    /// is closed (which dropping an owned fd here may be) or
    /// `flock(fd, LOCK_UN)`.
    ///
    /// Syscalls: none, or `close` if the guard owns the fd.
    #[inline]
    pub fn forget(mut self) {
        self.released = true;
    }
}

impl<F: AsFd> Deref for FlockGuard<F> {
    type Target = F;

    #[inline]
    fn deref(&self) -> &F {
        &self.fd
    }
}

impl<F: AsFd> DerefMut for FlockGuard<F> {
    #[inline]
    fn deref_mut(&mut self) -> &mut F {
        &mut self.fd
    }
}

impl<F: AsFd> Drop for FlockGuard<F> {
    fn drop(&mut self) {
        if !self.released {
            let _ = rustix::fs::flock(self.fd.as_fd(), FlockOperation::Unlock);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_the_kernel_refuses_are_refused_first() {
        let big = i64::MAX as u64;
        assert_eq!(
            Range::new(big + 1, 1).to_flock(g::F_RDLCK).err(),
            Some(Errno::INVAL)
        );
        assert_eq!(
            Range::new(0, big + 1).to_flock(g::F_RDLCK).err(),
            Some(Errno::INVAL)
        );
        assert_eq!(
            Range::new(0, u64::MAX).to_flock(g::F_RDLCK).err(),
            Some(Errno::INVAL)
        );
        assert_eq!(
            Range::new(2, big).to_flock(g::F_RDLCK).err(),
            Some(Errno::OVERFLOW)
        );
        assert_eq!(
            Range::new(big, 2).to_flock(g::F_RDLCK).err(),
            Some(Errno::OVERFLOW)
        );
        // The largest ranges that fit: the last byte is i64::MAX.
        assert!(Range::new(0, big).to_flock(g::F_RDLCK).is_ok());
        assert!(Range::new(1, big).to_flock(g::F_RDLCK).is_ok());
        assert!(Range::new(big, 1).to_flock(g::F_RDLCK).is_ok());
        assert!(Range::to_end(big).to_flock(g::F_RDLCK).is_ok());
        let fl = Range::new(5, 7).to_flock(g::F_WRLCK).unwrap();
        assert_eq!(
            (fl.l_type as u32, fl.l_start, fl.l_len, fl.l_pid),
            (g::F_WRLCK, 5, 7, 0)
        );
    }
}
