//! SysV IPC keys: how unrelated processes find the same message queue,
//! semaphore set or shared memory segment.
//!
//! A key is a 32-bit number that `msgget`, `semget` and `shmget` map to an
//! object in the caller's IPC namespace. Either agree on a number, derive
//! one from a file both sides can see ([`Key::from_path`], the `ftok`
//! convention), or use [`Key::PRIVATE`] for an object that only this
//! process and its children (which inherit the id) can reach.
//!
//! ```no_run
//! use bareipc::key::Key;
//!
//! // Both processes run this and get the same key while the file exists
//! // (and is not replaced: the key is derived from its inode).
//! let key = Key::from_path("/etc/hostname", b'q')?;
//! assert_ne!(key, Key::PRIVATE);
//! # Ok::<(), bareipc::Errno>(())
//! ```

use core::fmt;

use rustix::fs::{Gid, Mode, Uid};
use rustix::path::Arg;

use crate::backend::types::ipc64_perm;
use crate::{Errno, Result};

/// A SysV IPC key (`key_t`).
#[repr(transparent)]
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[doc(alias = "key_t")]
pub struct Key(i32);

impl Key {
    /// `IPC_PRIVATE`: asks for a new object that no key can find. Its id
    /// is the only way to it; children inherit ids, other processes can be
    /// told them.
    #[doc(alias = "IPC_PRIVATE")]
    pub const PRIVATE: Key = Key(0);

    /// The key with this raw value. `0` is [`Key::PRIVATE`].
    #[inline]
    pub const fn from_raw(raw: i32) -> Key {
        Key(raw)
    }

    /// The raw value, as the kernel and C see it.
    #[inline]
    pub const fn as_raw(self) -> i32 {
        self.0
    }

    /// `ftok(path, proj_id)` — derives a key from a file, as glibc's and
    /// musl's `ftok` do, so a C program using `ftok` with the same file
    /// and project id finds the same object.
    ///
    /// The key is `(st_ino & 0xffff) | (st_dev & 0xff) << 16 | proj_id << 24`:
    /// the low 16 bits of the inode number, the low 8 bits of the device
    /// number (`st_dev` as libc encodes it, so the minor number's low
    /// byte), and the project id. `path` is followed if it is a symlink.
    ///
    /// The key depends on the inode: a file that is deleted and recreated,
    /// or replaced by rename, gives a different key. Distinct files can
    /// give the same key (only 16 inode bits are used), so create with
    /// `IPC_EXCL` where a collision would matter. C takes an `int` and uses
    /// its low 8 bits; this takes those 8 bits.
    ///
    /// `proj_id` must not be 0, as the man page asks. Neither libc checks,
    /// but this does: with 0, a file whose inode and device bits are 0
    /// would give key 0, which is [`Key::PRIVATE`], and then two
    /// "exclusive" creates of the same key would both succeed with two
    /// private objects, and the peers would never meet. A non-zero
    /// `proj_id` is the key's top byte, so no other key can be
    /// `PRIVATE`.
    ///
    /// Syscalls: `newfstatat` (on x86 and arm `statx`, or `fstatat64`
    /// before Linux 4.11; when the first `statx` of a process fails, a
    /// second one probes whether `statx` exists); none for a project id 0.
    ///
    /// # Examples
    /// ```
    /// # fn main() -> bareipc::Result<()> {
    /// use bareipc::key::Key;
    ///
    /// let file = std::env::temp_dir().join(format!("bareipc-doc-ftok-{}", std::process::id()));
    /// std::fs::write(&file, b"").expect("a key file");
    /// let key = Key::from_path(&*file, b'q')?;
    /// assert_eq!(Key::from_path(&*file, b'q')?, key); // the same for every process
    /// assert_ne!(Key::from_path(&*file, b'r')?, key); // another project id, another key
    /// assert_eq!(Key::from_path(&*file, 0), Err(bareipc::Errno::INVAL)); // 0 is refused
    /// std::fs::remove_file(&file).expect("removed");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// `EINVAL` for `proj_id` 0 (before any syscall) or a path with an
    /// interior NUL; those of `stat`: `ENOENT` for a missing path,
    /// `EACCES`, `ENOTDIR`, `ENAMETOOLONG`, `ELOOP`.
    ///
    /// # References
    /// - [ftok(3)](https://man7.org/linux/man-pages/man3/ftok.3.html)
    /// - [stat(2)](https://man7.org/linux/man-pages/man2/stat.2.html)
    #[doc(alias = "ftok")]
    pub fn from_path<P: Arg>(path: P, proj_id: u8) -> Result<Key> {
        if proj_id == 0 {
            return Err(Errno::INVAL);
        }
        let st = rustix::fs::stat(path)?;
        Ok(Key::derive(st.st_ino as u64, st.st_dev as u64, proj_id))
    }

    /// The `ftok` formula.
    #[inline]
    const fn derive(ino: u64, dev: u64, proj_id: u8) -> Key {
        let k = (ino & 0xffff) as u32 | ((dev & 0xff) as u32) << 16 | (proj_id as u32) << 24;
        Key(k as i32)
    }
}

pub(crate) mod sealed {
    pub trait Sealed {}
}

/// The mode of the SysV objects this crate's constructors create when the
/// caller takes the default: read and write for the owner only.
pub const DEFAULT_MODE: Mode = Mode::from_raw_mode(0o600);

bitflags::bitflags! {
    /// How `get` finds or creates a SysV object — the same two flags for
    /// [`MsgQueue`](crate::mq::sysv::MsgQueue),
    /// [`SemSet`](crate::sem::sysv::SemSet) and
    /// [`Segment`](crate::shm::sysv::Segment).
    #[repr(transparent)]
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct IpcFlags: i32 {
        /// `IPC_CREAT`: create the object if the key has none.
        const CREATE = 0o1000;
        /// `IPC_EXCL`: with `CREATE`, fail with `EEXIST` if it exists.
        const EXCLUSIVE = 0o2000;
    }
}

/// The flag word of `msgget`, `semget` or `shmget` for `flags | mode`:
/// `EINVAL` for a bit of `flags` that is not an [`IpcFlags`] (built with
/// `from_bits_retain`) or a `mode` bit outside `0o777` (both would be read
/// as other flags).
#[cfg_attr(
    not(all(feature = "shm", feature = "mq", feature = "sem")),
    allow(dead_code)
)]
pub(crate) fn get_flags(flags: IpcFlags, mode: Mode) -> Result<i32> {
    crate::flags::only(flags, IpcFlags::all())?;
    Ok(flags.bits() | perm_bits(mode)? as i32)
}

/// The key of an existing object for `open`: [`Key::PRIVATE`] would make
/// a new object instead of finding one, so it is `EINVAL`.
#[cfg_attr(
    not(all(feature = "shm", feature = "mq", feature = "sem")),
    allow(dead_code)
)]
pub(crate) fn existing(key: Key) -> Result<i32> {
    if key == Key::PRIVATE {
        return Err(Errno::INVAL);
    }
    Ok(key.as_raw())
}

/// A SysV object — a shared memory segment, a semaphore set, a message
/// queue — that a [`RemoveOnDrop`] guard can remove. Sealed: implemented
/// by this crate's id types only.
pub trait SysvObject: Copy + sealed::Sealed {
    /// `IPC_STAT`, reduced to what cannot change while the object lives.
    #[doc(hidden)]
    fn identity(self) -> Result<Identity>;
    /// `IPC_RMID`, as the type's own `remove`.
    #[doc(hidden)]
    fn rmid(self) -> Result<()>;
}

/// What the three families share, each through its own `*ctl`: the
/// methods [`sysv_common!`] gives every id type are written once, on top
/// of these.
pub(crate) trait Sysv: Copy {
    /// The family's `IPC_STAT` record, decoded.
    type Stat;
    /// The raw id.
    fn raw_id(self) -> i32;
    /// `IPC_STAT`.
    fn raw_stat(id: i32) -> Result<Self::Stat>;
    /// `IPC_SET` of owner, group and mode (for a queue, keeping its
    /// `msg_qbytes`).
    fn raw_set_owner(id: i32, uid: Uid, gid: Gid, mode: u32) -> Result<()>;
    /// `IPC_RMID`.
    fn raw_remove(id: i32) -> Result<()>;
    /// The fixed part of a stat: [`Identity`].
    fn identity_of(stat: &Self::Stat) -> Identity;
}

impl<T: Sysv + sealed::Sealed> SysvObject for T {
    fn identity(self) -> Result<Identity> {
        T::raw_stat(self.raw_id()).map(|st| T::identity_of(&st))
    }
    fn rmid(self) -> Result<()> {
        T::raw_remove(self.raw_id())
    }
}

/// What tells one SysV object from another that later got the same id:
/// the fields of `IPC_STAT` that are fixed for the object's life (its
/// key, creator and creator's group, and for a segment its size and
/// creator's pid, for a set its number of semaphores). An id alone is not
/// enough: its sequence number wraps, and a peer that creates and removes
/// objects in a loop (about 4 million, 35 seconds on a small VM) brings
/// any id back for an object of its own making, or of a third party's.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Identity {
    key: Key,
    cuid: u32,
    cgid: u32,
    size: u64,
    cpid: i32,
}

impl Identity {
    #[cfg_attr(
        not(all(feature = "shm", feature = "mq", feature = "sem")),
        allow(dead_code)
    )]
    pub(crate) fn new(perm: &IpcPerm, size: u64, cpid: i32) -> Self {
        Self {
            key: perm.key,
            cuid: perm.cuid.as_raw(),
            cgid: perm.cgid.as_raw(),
            size,
            cpid,
        }
    }
}

/// Removes a SysV object (`IPC_RMID`) when dropped, if it is still the
/// object the guard was made for: the creator's opt-in cleanup, from
/// `remove_on_drop` on [`Segment`](crate::shm::sysv::Segment),
/// [`SemSet`](crate::sem::sysv::SemSet) or
/// [`MsgQueue`](crate::mq::sysv::MsgQueue). Dereferences to the object.
///
/// The guard notes the object's [`Identity`] (`IPC_STAT`) when made and
/// checks it again just before `IPC_RMID`: should the id have come to name
/// another object meanwhile (someone removed ours, and ids wrap), that
/// object is left alone. Errors on drop are ignored (someone may have
/// removed it already).
///
/// Syscalls: none until dropped; then `shmctl`, `semctl` or `msgctl`
/// twice (for `IPC_STAT`, then `IPC_RMID`), or once when the first fails
/// or the object differs (`ipc` on i386 before Linux 5.1).
#[derive(Debug)]
#[must_use = "the object is removed when the guard is dropped"]
pub struct RemoveOnDrop<T: SysvObject> {
    object: T,
    identity: Identity,
}

impl<T: SysvObject> RemoveOnDrop<T> {
    #[cfg_attr(
        not(all(feature = "shm", feature = "mq", feature = "sem")),
        allow(dead_code)
    )]
    pub(crate) fn new(object: T) -> Result<Self> {
        Ok(Self {
            object,
            identity: object.identity()?,
        })
    }

    /// Disarms the guard: the object stays. No syscall.
    pub fn into_inner(self) -> T {
        let object = self.object;
        core::mem::forget(self);
        object
    }
}

impl<T: SysvObject> core::ops::Deref for RemoveOnDrop<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.object
    }
}

impl<T: SysvObject> Drop for RemoveOnDrop<T> {
    fn drop(&mut self) {
        // The window between the check and the removal is two syscalls;
        // reusing an id takes millions.
        if self.object.identity() == Ok(self.identity) {
            let _ = self.object.rmid();
        }
    }
}

/// The methods every SysV id type has, written once: `from_id`, `id`,
/// `stat`, `set_owner`, `remove` and `remove_on_drop`, over the type's
/// [`Sysv`] implementation.
macro_rules! sysv_common {
    ($t:ty, $stat:ty) => {
        impl $crate::key::sealed::Sealed for $t {}

        impl $t {
            /// The object with id `id`, as another process reported it. No
            /// syscall and no check: an id that names no object makes later
            /// calls fail with `EINVAL` or `EIDRM`, and one that names
            /// another object (a peer's, an id reused) reaches that object,
            /// which is why ids should come from a trusted peer. Safe: no
            /// call trusts an id to keep naming one object from one syscall
            /// to the next.
            ///
            /// Syscalls: none.
            pub const fn from_id(id: i32) -> Self {
                Self { id }
            }

            /// The id, valid in every process of the IPC namespace: for
            /// another process's [`from_id`](Self::from_id).
            ///
            /// Syscalls: none.
            pub const fn id(self) -> i32 {
                self.id
            }

            /// `IPC_STAT` — the object's owner, mode, size, times and
            /// users. Needs read permission.
            ///
            /// Syscalls: `shmctl`, `semctl` or `msgctl`, the object's
            /// (`ipc` on i386 before Linux 5.1).
            ///
            /// # Errors
            /// `EACCES` without read permission; `EINVAL` for a bad id;
            /// `EIDRM` once removed.
            ///
            /// # References
            /// - [shmctl(2)](https://man7.org/linux/man-pages/man2/shmctl.2.html),
            ///   [semctl(2)](https://man7.org/linux/man-pages/man2/semctl.2.html),
            ///   [msgctl(2)](https://man7.org/linux/man-pages/man2/msgctl.2.html)
            #[doc(alias = "IPC_STAT")]
            pub fn stat(self) -> $crate::Result<$stat> {
                <Self as $crate::key::Sysv>::raw_stat(self.id)
            }

            /// `IPC_SET` — changes the owner, its group and the permission
            /// bits. Allowed to the owner, the creator and `CAP_SYS_ADMIN`.
            /// For a message queue its byte limit is kept: its current value
            /// is read first (`IPC_STAT`, then `IPC_SET`; a queue's owner
            /// changing the limit in between would see it reverted).
            ///
            /// Syscalls: `shmctl`, `semctl`, or `msgctl` twice, the object's
            /// (`ipc` on i386 before Linux 5.1); none for a bad mode.
            ///
            /// # Errors
            /// `EINVAL` if `mode` has bits outside `0o777` (before any
            /// syscall), for a bad id or an unmapped uid or gid; `EPERM`
            /// if we are not allowed; `EIDRM`.
            ///
            /// # References
            /// - [shmctl(2)](https://man7.org/linux/man-pages/man2/shmctl.2.html),
            ///   [semctl(2)](https://man7.org/linux/man-pages/man2/semctl.2.html),
            ///   [msgctl(2)](https://man7.org/linux/man-pages/man2/msgctl.2.html)
            #[doc(alias = "IPC_SET")]
            pub fn set_owner(
                self,
                uid: $crate::Uid,
                gid: $crate::Gid,
                mode: $crate::Mode,
            ) -> $crate::Result<()> {
                let mode = $crate::key::perm_bits(mode)?;
                <Self as $crate::key::Sysv>::raw_set_owner(self.id, uid, gid, mode)
            }

            /// `IPC_RMID` — removes the object: a queue or a set at once
            /// (every process waiting on it wakes with `EIDRM`), a segment
            /// once the last process has detached (its key is freed at
            /// once). Allowed to the owner, the creator and
            /// `CAP_SYS_ADMIN`.
            ///
            /// Syscalls: `shmctl`, `semctl` or `msgctl`, the object's
            /// (`ipc` on i386 before Linux 5.1).
            ///
            /// # Errors
            /// `EPERM` if we are not allowed; `EINVAL` for a bad id (or one
            /// already removed); `EIDRM`.
            ///
            /// # References
            /// - [shmctl(2)](https://man7.org/linux/man-pages/man2/shmctl.2.html),
            ///   [semctl(2)](https://man7.org/linux/man-pages/man2/semctl.2.html),
            ///   [msgctl(2)](https://man7.org/linux/man-pages/man2/msgctl.2.html)
            #[doc(alias = "IPC_RMID")]
            pub fn remove(self) -> $crate::Result<()> {
                <Self as $crate::key::Sysv>::raw_remove(self.id)
            }

            /// Wraps the object in a [`RemoveOnDrop`](crate::key::RemoveOnDrop)
            /// guard that removes it (`IPC_RMID`) when dropped, if the id
            /// still names this object then: the creator's opt-in cleanup.
            /// The guard notes the object's identity now (`IPC_STAT`), so
            /// that an id that has come to name another object by the time
            /// of the drop (ids wrap) is left alone.
            ///
            /// Syscalls: `shmctl`, `semctl` or `msgctl`, the object's
            /// (`ipc` on i386 before Linux 5.1).
            ///
            /// # Errors
            /// Those of `IPC_STAT`: `EACCES` without read permission,
            /// `EINVAL` for a bad id, `EIDRM`.
            ///
            /// # References
            /// - [shmctl(2)](https://man7.org/linux/man-pages/man2/shmctl.2.html),
            ///   [semctl(2)](https://man7.org/linux/man-pages/man2/semctl.2.html),
            ///   [msgctl(2)](https://man7.org/linux/man-pages/man2/msgctl.2.html)
            pub fn remove_on_drop(self) -> $crate::Result<$crate::key::RemoveOnDrop<Self>> {
                $crate::key::RemoveOnDrop::new(self)
            }
        }
    };
}
pub(crate) use sysv_common;

/// Owner, creator and access mode of a SysV object (`struct ipc_perm`),
/// as `IPC_STAT` reports them for a segment, a semaphore set or a message
/// queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[doc(alias = "ipc_perm")]
pub struct IpcPerm {
    /// The key the object was created with ([`Key::PRIVATE`] once a
    /// segment is marked for removal).
    pub key: Key,
    /// The owner, who may change these fields and remove the object
    /// (`IPC_SET` can change it).
    pub uid: Uid,
    /// The owner's group, for the permission check (`IPC_SET` can change
    /// it).
    pub gid: Gid,
    /// The creator, who may also change and remove the object (fixed).
    pub cuid: Uid,
    /// The creator's group (fixed).
    pub cgid: Gid,
    /// The permission bits (`0o777`): read and write for owner, group and
    /// others; execute bits are ignored by SysV IPC.
    pub mode: Mode,
    /// The slot's sequence number, part of the id.
    pub seq: u16,
}

impl IpcPerm {
    /// Decodes the kernel's record, keeping only the permission bits of
    /// `mode` (the bits above are object state, reported separately).
    #[cfg_attr(not(feature = "shm"), allow(dead_code))]
    #[allow(clippy::useless_conversion)] // `mode` is u16 on 32-bit targets
    pub(crate) fn from_kernel(p: &ipc64_perm) -> Self {
        Self {
            key: Key(p.key),
            uid: Uid::from_raw_unchecked(p.uid),
            gid: Gid::from_raw_unchecked(p.gid),
            cuid: Uid::from_raw_unchecked(p.cuid),
            cgid: Gid::from_raw_unchecked(p.cgid),
            mode: Mode::from_raw_mode(u32::from(p.mode) & 0o777),
            seq: p.seq,
        }
    }
}

/// The permission bits of `mode` for `*get` and `IPC_SET`: `EINVAL` if it
/// has any bit outside `0o777` (in a `*get` call those bits would be read
/// as `IPC_CREAT`, `IPC_EXCL` and friends).
pub(crate) fn perm_bits(mode: Mode) -> Result<u32> {
    crate::flags::only(mode, Mode::from_raw_mode(0o777))?;
    Ok(mode.as_raw_mode())
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == Key::PRIVATE {
            f.write_str("Key::PRIVATE")
        } else {
            write!(f, "Key({:#010x})", self.0 as u32)
        }
    }
}

/// As `ipcs` prints keys: `0x` and eight hex digits.
impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#010x}", self.0 as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_uses_the_low_bits_of_each_part() {
        assert_eq!(
            Key::derive(0x1234_5678_9abc, 0xfe_dc_ba, 0x7f).as_raw(),
            0x7fba_9abc
        );
        // A project id with the top bit set makes a negative key, as in C.
        assert_eq!(Key::derive(1, 2, 0x80).as_raw(), 0x8002_0001_u32 as i32);
        assert_eq!(Key::derive(0, 0, 0), Key::PRIVATE);
    }

    #[test]
    fn formats_as_ipcs_does() {
        extern crate std;
        use std::format;
        assert_eq!(format!("{}", Key::from_raw(0x4b)), "0x0000004b");
        assert_eq!(format!("{}", Key::from_raw(-1)), "0xffffffff");
        assert_eq!(format!("{:?}", Key::PRIVATE), "Key::PRIVATE");
        assert_eq!(format!("{:?}", Key::from_raw(0x10)), "Key(0x00000010)");
    }
}
