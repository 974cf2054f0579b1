//! System V shared memory segments: found by [`Key`], sized once for
//! good, attached and detached.
//!
//! A segment outlives the processes that use it: it is destroyed only by
//! [`Segment::remove`] (`IPC_RMID`), and then only once the last process
//! has detached. Dropping a [`Segment`] does nothing; dropping its
//! [`Mapping`] detaches. Since a segment's size never changes, attaching is
//! safe: no access through the mapping can fault.
//!
//! ```no_run
//! use bareipc::key::Key;
//! use bareipc::shm::sysv::{DEFAULT_MODE, Segment};
//! use bareipc::shm::{ReadOnly, ReadWrite};
//!
//! let key = Key::from_path("/etc/hostname", b's')?;
//! // Process A: create (0o600), attach, write.
//! let seg = Segment::create(key, 4096, DEFAULT_MODE)?;
//! let map = seg.attach::<ReadWrite>()?;
//! map.write_at(0, b"hello")?;
//!
//! // Process B: find it by key, attach read-only, read.
//! let seg = Segment::open(key)?;
//! let map = seg.attach::<ReadOnly>()?;
//! let mut buf = [0u8; 5];
//! map.read_at(0, &mut buf)?;
//!
//! // When everyone is done (it lives on until the last detach):
//! seg.remove()?;
//! # Ok::<(), bareipc::Errno>(())
//! ```

use core::ffi::c_int;
use core::ptr::NonNull;

use bitflags::bitflags;
#[doc(no_inline)]
pub use rustix::fs::Mode;
use rustix::fs::{Gid, Uid};
use rustix::process::Pid;

use super::{Access, Mapping, hint};
use crate::backend::mm;
use crate::backend::sysv::{self as raw, ShmCmd, StatCmd};
use crate::backend::types::{self as t, shm_info, shmid64_ds, shminfo64};
pub use crate::key::{DEFAULT_MODE, IpcFlags};
use crate::key::{Identity, IpcPerm, Key, existing, get_flags};
use crate::{Errno, Result};

bitflags! {
    /// Huge pages for [`Segment::get_huge`].
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct HugePages: c_int {
        /// `SHM_HUGETLB`: back the segment with huge pages (needs
        /// `CAP_IPC_LOCK` or membership of `vm.hugetlb_shm_group`, and
        /// reserved huge pages).
        const HUGETLB = t::SHM_HUGETLB;
        /// `SHM_NORESERVE`: set no pages aside for it (a huge-page
        /// segment's pages may then be missing when touched: attaching
        /// faults them all in, or refuses).
        const NORESERVE = t::SHM_NORESERVE;
    }
}

bitflags! {
    /// How [`Segment::attach_with`] attaches.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct AttachFlags: c_int {
        /// `SHM_RND`: round the address hint down to a multiple of
        /// `SHMLBA` (the page size here) instead of refusing an unaligned
        /// one with `EINVAL`.
        const ROUND = t::SHM_RND;
        /// `SHM_EXEC`: map the pages executable too.
        const EXEC = t::SHM_EXEC;
    }
}

/// The largest `SHMLBA` of the supported targets (arm's `4 * PAGE_SIZE`
/// with 64 KiB pages): a [`AttachFlags::ROUND`] hint below it could round
/// down to address 0.
const MAX_SHMLBA: usize = 256 * 1024;

/// A SysV shared memory segment, by id. Not a handle that owns anything:
/// dropping it neither detaches nor removes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Segment {
    id: c_int,
}

impl Segment {
    /// `shmget(key, size, flags | mode)` — finds the segment of `key`, or
    /// creates it ([`IpcFlags::CREATE`]), or creates a new private one
    /// ([`Key::PRIVATE`]). The constructors below are this with fixed
    /// flags.
    ///
    /// `size` is the size of a new segment (rounded up to whole pages in
    /// memory; [`SegmentStat::size`] keeps the exact value); for an
    /// existing one it must not exceed its size (0 accepts any). `mode` is
    /// used only when creating: the permission bits `0o777`.
    ///
    /// Syscalls: `shmget` (on i386 before Linux 5.1: `ipc(SHMGET)`); none
    /// for bad flags or mode.
    ///
    /// # Errors
    /// - `EINVAL`: `mode` has bits outside `0o777`, `flags` bits that are
    ///   not [`IpcFlags`] (both before the syscall); a new segment smaller
    ///   than `SHMMIN` (1) or larger than `SHMMAX`; an existing one smaller
    ///   than `size`.
    /// - `ENOENT`: no segment for `key` and no `CREATE`.
    /// - `EEXIST`: `CREATE | EXCLUSIVE` and it exists.
    /// - `EACCES`: the segment's mode denies us.
    /// - `ENOSPC`: `SHMMNI` segments or `SHMALL` pages exist; `ENOMEM`.
    ///
    /// # References
    /// - [shmget(2)](https://man7.org/linux/man-pages/man2/shmget.2.html)
    #[doc(alias = "shmget")]
    pub fn get(key: Key, size: usize, flags: IpcFlags, mode: Mode) -> Result<Segment> {
        Self::get_huge(key, size, flags, HugePages::empty(), mode)
    }

    /// [`get`](Self::get) with huge pages: `shmget(key, size, flags |
    /// huge | mode)`.
    ///
    /// `huge` may be `HUGETLB` and `NORESERVE`; any other bit would be read
    /// as another `shmget` flag (`IPC_CREAT`, say) and is refused.
    ///
    /// Syscalls: `shmget` (on i386 before Linux 5.1: `ipc(SHMGET)`); none
    /// for bad flags or mode.
    ///
    /// # Errors
    /// As [`get`](Self::get); `EPERM` for `HUGETLB` without the privilege,
    /// `ENOMEM` when it cannot reserve the pages; `EINVAL` for a bit of
    /// `huge` that is not a [`HugePages`] (before the syscall).
    ///
    /// # References
    /// - [shmget(2)](https://man7.org/linux/man-pages/man2/shmget.2.html)
    #[doc(alias = "SHM_HUGETLB")]
    pub fn get_huge(
        key: Key,
        size: usize,
        flags: IpcFlags,
        huge: HugePages,
        mode: Mode,
    ) -> Result<Segment> {
        crate::flags::only(huge, HugePages::all())?;
        let flags = get_flags(flags, mode)? | huge.bits();
        raw::shmget(key.as_raw(), size, flags).map(|id| Segment { id })
    }

    /// `shmget(key, 0, 0)` — the existing segment of `key`, whatever its
    /// size. Permissions are checked when attaching.
    ///
    /// Syscalls: `shmget` (on i386 before Linux 5.1: `ipc(SHMGET)`); none
    /// for [`Key::PRIVATE`].
    ///
    /// # Errors
    /// `ENOENT` if `key` has no segment; `EINVAL` for [`Key::PRIVATE`],
    /// which names no existing segment (before the syscall).
    ///
    /// # References
    /// - [shmget(2)](https://man7.org/linux/man-pages/man2/shmget.2.html)
    #[doc(alias = "shmget")]
    pub fn open(key: Key) -> Result<Segment> {
        raw::shmget(existing(key)?, 0, 0).map(|id| Segment { id })
    }

    /// `shmget(key, size, IPC_CREAT | IPC_EXCL | mode)` — a new segment of
    /// `size` bytes (zeroed) for `key`; an existing one is `EEXIST`, never
    /// silently shared. Pass [`DEFAULT_MODE`] for `0o600`.
    ///
    /// Syscalls: `shmget` (on i386 before Linux 5.1: `ipc(SHMGET)`); none
    /// for a bad mode.
    ///
    /// # Examples
    /// ```
    /// # fn main() -> bareipc::Result<()> {
    /// use bareipc::key::Key;
    /// use bareipc::shm::sysv::{DEFAULT_MODE, Segment};
    ///
    /// let file = std::env::temp_dir().join(format!("bareipc-doc-seg-create-{}", std::process::id()));
    /// std::fs::write(&file, b"").expect("a key file");
    /// let key = Key::from_path(&*file, b'S')?; // the processes agree on the file
    /// let seg = Segment::create(key, 4096, DEFAULT_MODE)?.remove_on_drop()?;
    /// assert_eq!(Segment::create(key, 4096, DEFAULT_MODE), Err(bareipc::Errno::EXIST));
    /// // Another process finds it by the same key.
    /// assert_eq!(Segment::open(key)?, *seg);
    /// # drop(seg);
    /// std::fs::remove_file(&file).expect("removed");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`get`](Self::get).
    ///
    /// # References
    /// - [shmget(2)](https://man7.org/linux/man-pages/man2/shmget.2.html)
    #[doc(alias = "shmget")]
    pub fn create(key: Key, size: usize, mode: Mode) -> Result<Segment> {
        Self::get(key, size, IpcFlags::CREATE | IpcFlags::EXCLUSIVE, mode)
    }

    /// `shmget(key, size, IPC_CREAT | mode)` — the segment of `key`,
    /// created with `size` bytes if there is none.
    ///
    /// Syscalls: `shmget` (on i386 before Linux 5.1: `ipc(SHMGET)`); none
    /// for a bad mode.
    ///
    /// # Errors
    /// As [`get`](Self::get).
    ///
    /// # References
    /// - [shmget(2)](https://man7.org/linux/man-pages/man2/shmget.2.html)
    #[doc(alias = "shmget")]
    pub fn open_or_create(key: Key, size: usize, mode: Mode) -> Result<Segment> {
        Self::get(key, size, IpcFlags::CREATE, mode)
    }

    /// `shmget(IPC_PRIVATE, size, IPC_CREAT | 0o600)` — a new segment no key
    /// finds: share its [`id`](Self::id) (children inherit it).
    ///
    /// Syscalls: `shmget` (on i386 before Linux 5.1: `ipc(SHMGET)`).
    ///
    /// # Examples
    /// ```
    /// # fn main() -> bareipc::Result<()> {
    /// use bareipc::shm::sysv::Segment;
    /// use bareipc::shm::{ReadOnly, ReadWrite};
    ///
    /// // No key finds it: children inherit the id, others are told it.
    /// let seg = Segment::private(4096)?.remove_on_drop()?; // IPC_RMID when done
    /// let map = seg.attach::<ReadWrite>()?;
    /// map.write_at(0, b"hello")?;
    /// let view = Segment::from_id(seg.id()).attach::<ReadOnly>()?;
    /// let mut buf = [0u8; 5];
    /// view.read_at(0, &mut buf)?;
    /// assert_eq!(&buf, b"hello");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`get`](Self::get).
    ///
    /// # References
    /// - [shmget(2)](https://man7.org/linux/man-pages/man2/shmget.2.html)
    #[doc(alias = "IPC_PRIVATE")]
    pub fn private(size: usize) -> Result<Segment> {
        Self::get(Key::PRIVATE, size, IpcFlags::CREATE, DEFAULT_MODE)
    }

    /// `shmat(id, NULL, flags)` — attaches the whole segment where the
    /// kernel chooses, [`ReadOnly`](super::ReadOnly) (`SHM_RDONLY`) or
    /// [`ReadWrite`](super::ReadWrite). The mapping detaches on drop.
    ///
    /// A segment of huge pages made with `SHM_NORESERVE` (by anyone) has
    /// no pages set aside: touching one when the pool is empty would raise
    /// `SIGBUS`. So attaching asks whether the mapping may be of huge
    /// pages and, if so, faults every page in at once; a segment whose
    /// pages cannot all be had is refused (`ENOMEM`) instead of faulting
    /// later. Ordinary segments are not touched (their pages come on
    /// first use, and never fault).
    ///
    /// Syscalls: `shmat`, `shmctl(IPC_STAT)` for the size, `madvise`
    /// (`MADV_COLD` on the first page: refused only for a huge-page,
    /// locked or old-kernel mapping), then for those a second `madvise`
    /// (`MADV_POPULATE_*`); and `shmdt` when a step after `shmat` fails
    /// (before Linux 5.14, a third `madvise`, then `mlock` and `munlock`,
    /// instead of `MADV_POPULATE_*`; on i386 before Linux 5.1:
    /// `ipc(SHMAT)`, `ipc(SHMCTL)`, `ipc(SHMDT)`).
    ///
    /// # Errors
    /// - `EACCES`: the mode denies read (or write, for
    ///   [`ReadWrite`](super::ReadWrite)).
    /// - `EINVAL`: no such segment (a bad id); `EIDRM`: it was removed.
    /// - `ENOMEM`: no room in the address space, or a huge-page segment
    ///   whose pages cannot all be had now.
    /// - `EAGAIN`, `EPERM`: before Linux 5.14, a huge-page segment larger
    ///   than `RLIMIT_MEMLOCK` allows this process to lock while faulting
    ///   it in.
    ///
    /// # References
    /// - [shmat(2)](https://man7.org/linux/man-pages/man2/shmat.2.html)
    #[doc(alias = "shmat")]
    pub fn attach<A: Access>(self) -> Result<Mapping<A>> {
        self.attach_with(None, AttachFlags::empty())
    }

    /// `shmat(id, addr, flags)` — attaches at the address hint `addr`
    /// (which must be page-aligned unless [`AttachFlags::ROUND`]), or
    /// where the kernel chooses for `None`. An `addr` range that overlaps
    /// any existing mapping is refused (`EINVAL`): this never replaces
    /// memory (`SHM_REMAP` is not offered).
    ///
    /// A segment of huge pages made with `SHM_NORESERVE` (by anyone) has
    /// no pages set aside: touching one when the pool is empty would raise
    /// `SIGBUS`. So attaching asks whether the mapping may be of huge
    /// pages and, if so, faults every page in at once; a segment whose
    /// pages cannot all be had is refused (`ENOMEM`) instead of faulting
    /// later. Ordinary segments are not touched (their pages come on
    /// first use, and never fault).
    ///
    /// Syscalls: `shmat`, `shmctl(IPC_STAT)` for the size, `madvise`
    /// (`MADV_COLD` on the first page: refused only for a huge-page,
    /// locked or old-kernel mapping), then for those a second `madvise`
    /// (`MADV_POPULATE_*`); and `shmdt` when a step after `shmat` fails
    /// (before Linux 5.14, a third `madvise`, then `mlock` and `munlock`,
    /// instead of `MADV_POPULATE_*`; on i386 before Linux 5.1:
    /// `ipc(SHMAT)`, `ipc(SHMCTL)`, `ipc(SHMDT)`; none for unknown flags or a
    /// `ROUND` hint below 256 KiB).
    ///
    /// With `ROUND`, an `addr` below 256 KiB is refused (`EINVAL`, before
    /// any syscall): it could round down to 0, and at 0 the kernel maps
    /// without its overlap check, over whatever the process has there.
    /// So is any bit of `flags` that is not an [`AttachFlags`]:
    /// `SHM_REMAP` would replace mappings in use, `SHM_RDONLY` would make
    /// a [`ReadWrite`](super::ReadWrite) mapping fault on its first write.
    ///
    /// # Errors
    /// As [`attach`](Self::attach), and `EINVAL` for an unaligned `addr`
    /// without `ROUND`, a range in use, a `ROUND` hint below 256 KiB, or a
    /// bit of `flags` other than `ROUND` and `EXEC` (the last two before
    /// any syscall).
    ///
    /// # References
    /// - [shmat(2)](https://man7.org/linux/man-pages/man2/shmat.2.html)
    #[doc(alias = "shmat")]
    pub fn attach_with<A: Access>(
        self,
        addr: Option<NonNull<u8>>,
        flags: AttachFlags,
    ) -> Result<Mapping<A>> {
        crate::flags::only(flags, AttachFlags::all())?;
        if flags.contains(AttachFlags::ROUND) && addr.is_some_and(|a| a.addr().get() < MAX_SHMLBA) {
            // It would round down to address 0, where the kernel skips its
            // overlap check and maps over whatever is there (MAP_FIXED).
            return Err(Errno::INVAL);
        }
        let mut shmflg = flags.bits();
        if !A::WRITABLE {
            shmflg |= t::SHM_RDONLY;
        }
        // SAFETY: without SHM_REMAP, and with no hint that rounds to 0
        // (refused above), the kernel refuses a range that overlaps any
        // existing mapping, so nothing in use is replaced.
        let p = unsafe { raw::shmat(self.id, hint(addr), shmflg) }?;
        let Some(p) = NonNull::new(p.cast::<u8>()) else {
            // Cannot happen (see above); should it, detach rather than
            // leave an attachment nobody owns.
            // SAFETY: the attachment at 0 was made just now and nothing
            // refers to it.
            let _ = unsafe { raw::shmdt(core::ptr::null_mut()) };
            return Err(Errno::NOMEM);
        };
        // While attached the segment cannot be destroyed and its id cannot
        // be reused, so this size is the attached segment's.
        let mut ds = shmid64_ds::default();
        let size = raw::shmctl_stat(self.id, StatCmd::Id, &mut ds)
            .map(|_| ds.shm_segsz as usize)
            .and_then(|size| {
                if size == 0 {
                    Err(Errno::INVAL)
                } else {
                    Ok(size)
                }
            })
            // A huge-page segment may have no pages to fault in (made with
            // SHM_NORESERVE): have them all now, or refuse.
            .and_then(|size| mm::prefault_if_huge(p, size, A::WRITABLE).map(|()| size));
        match size {
            // SAFETY: `p` is the fresh attachment of a segment of `size`
            // bytes, writable iff `A` is ReadWrite (SHM_RDONLY above),
            // every page of it backed for good (ordinary shared memory, or
            // huge pages faulted in just now), and nothing else owns it.
            Ok(size) => Ok(unsafe { Mapping::from_attachment(p, size) }),
            Err(e) => {
                // SAFETY: `p` was attached above and nothing refers to it.
                let _ = unsafe { raw::shmdt(p.as_ptr().cast()) };
                Err(e)
            }
        }
    }

    /// `shmctl(id, SHM_LOCK)` — keeps the segment's pages in memory (never
    /// swapped). Needs `CAP_IPC_LOCK`, or an `RLIMIT_MEMLOCK` that covers
    /// it, for the owner or creator.
    ///
    /// Syscalls: `shmctl` (on i386 before Linux 5.1: `ipc(SHMCTL)`).
    ///
    /// # Errors
    /// `EPERM`, `ENOMEM` (the memlock limit), `EINVAL`, `EIDRM`.
    ///
    /// # References
    /// - [shmctl(2)](https://man7.org/linux/man-pages/man2/shmctl.2.html)
    #[doc(alias = "SHM_LOCK")]
    pub fn lock(self) -> Result<()> {
        raw::shmctl_cmd(self.id, ShmCmd::Lock)
    }

    /// `shmctl(id, SHM_UNLOCK)` — lets the pages be swapped again.
    ///
    /// Syscalls: `shmctl` (on i386 before Linux 5.1: `ipc(SHMCTL)`).
    ///
    /// # Errors
    /// `EPERM`, `EINVAL`, `EIDRM`.
    ///
    /// # References
    /// - [shmctl(2)](https://man7.org/linux/man-pages/man2/shmctl.2.html)
    #[doc(alias = "SHM_UNLOCK")]
    pub fn unlock(self) -> Result<()> {
        raw::shmctl_cmd(self.id, ShmCmd::Unlock)
    }
}

crate::key::sysv_common!(Segment, SegmentStat);

impl crate::key::Sysv for Segment {
    type Stat = SegmentStat;
    fn raw_id(self) -> c_int {
        self.id
    }
    fn raw_stat(id: c_int) -> Result<SegmentStat> {
        let mut ds = shmid64_ds::default();
        raw::shmctl_stat(id, StatCmd::Id, &mut ds)?;
        Ok(SegmentStat::from_kernel(&ds))
    }
    fn raw_set_owner(id: c_int, uid: Uid, gid: Gid, mode: u32) -> Result<()> {
        let mut ds = shmid64_ds::default();
        ds.shm_perm.uid = uid.as_raw();
        ds.shm_perm.gid = gid.as_raw();
        ds.shm_perm.mode = mode as _;
        raw::shmctl_set(id, &ds)
    }
    fn raw_remove(id: c_int) -> Result<()> {
        raw::shmctl_cmd(id, ShmCmd::Rmid)
    }
    fn identity_of(st: &SegmentStat) -> Identity {
        let cpid = st.cpid.map_or(0, |p| p.as_raw_nonzero().get());
        Identity::new(&st.perm, st.size as u64, cpid)
    }
}

/// A segment's state, from `IPC_STAT` or `SHM_STAT`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SegmentStat {
    /// Owner, creator and permission bits.
    pub perm: IpcPerm,
    /// The size given at creation, in bytes.
    pub size: usize,
    /// Last attach, in seconds since the epoch (0: never).
    pub atime: i64,
    /// Last detach, in seconds since the epoch (0: never).
    pub dtime: i64,
    /// Creation or last `IPC_SET`, in seconds since the epoch.
    pub ctime: i64,
    /// The creator's pid (`None` if it is not visible in our pid
    /// namespace).
    pub cpid: Option<Pid>,
    /// The pid of the last `shmat`/`shmdt` (`None`: none yet).
    pub lpid: Option<Pid>,
    /// How many attachments exist now, in all processes.
    pub nattch: u64,
    /// `SHM_DEST`: marked for removal, destroyed at the last detach.
    pub removed: bool,
    /// `SHM_LOCKED`: locked in memory ([`Segment::lock`]).
    pub locked: bool,
}

impl SegmentStat {
    // The kernel's field types differ per arch (c_ulong, long): the casts
    // are conversions on some targets and no-ops on others.
    #[allow(clippy::unnecessary_cast, clippy::useless_conversion)]
    fn from_kernel(ds: &shmid64_ds) -> Self {
        #[cfg(target_pointer_width = "64")]
        let [atime, dtime, ctime] = [ds.shm_atime, ds.shm_dtime, ds.shm_ctime].map(|t| t as i64);
        #[cfg(target_pointer_width = "32")]
        let [atime, dtime, ctime] = [
            t::time64(ds.shm_atime, ds.shm_atime_high),
            t::time64(ds.shm_dtime, ds.shm_dtime_high),
            t::time64(ds.shm_ctime, ds.shm_ctime_high),
        ];
        let mode = u32::from(ds.shm_perm.mode);
        Self {
            perm: IpcPerm::from_kernel(&ds.shm_perm),
            size: ds.shm_segsz as usize,
            atime,
            dtime,
            ctime,
            cpid: crate::checked_pid(ds.shm_cpid),
            lpid: crate::checked_pid(ds.shm_lpid),
            nattch: ds.shm_nattch as u64,
            removed: mode & t::SHM_DEST as u32 != 0,
            locked: mode & t::SHM_LOCKED as u32 != 0,
        }
    }
}

/// `shmctl(index, SHM_STAT)` — the segment in slot `index` of the kernel's
/// table (0 up to the value [`usage`] returns), and its state: how `ipcs`
/// lists segments. Needs read permission on it.
///
/// Syscalls: `shmctl` (on i386 before Linux 5.1: `ipc(SHMCTL)`).
///
/// # Errors
/// `EINVAL` for an empty slot or an index out of range; `EACCES` without
/// read permission.
///
/// # References
/// - [shmctl(2)](https://man7.org/linux/man-pages/man2/shmctl.2.html)
#[doc(alias = "SHM_STAT")]
pub fn stat_index(index: c_int) -> Result<(Segment, SegmentStat)> {
    stat_slot(index, StatCmd::Index)
}

/// `shmctl(index, SHM_STAT_ANY)` — as [`stat_index`], without the
/// permission check (Linux 4.17; the same information `/proc/sysvipc/shm`
/// shows everyone).
///
/// Syscalls: `shmctl` (on i386 before Linux 5.1: `ipc(SHMCTL)`).
///
/// # Errors
/// `EINVAL` for an empty slot, an index out of range, or a kernel before
/// 4.17.
///
/// # References
/// - [shmctl(2)](https://man7.org/linux/man-pages/man2/shmctl.2.html)
#[doc(alias = "SHM_STAT_ANY")]
pub fn stat_index_any(index: c_int) -> Result<(Segment, SegmentStat)> {
    stat_slot(index, StatCmd::IndexAny)
}

fn stat_slot(index: c_int, cmd: StatCmd) -> Result<(Segment, SegmentStat)> {
    let mut ds = shmid64_ds::default();
    let id = raw::shmctl_stat(index, cmd, &mut ds)?;
    Ok((Segment { id }, SegmentStat::from_kernel(&ds)))
}

/// The system's shared memory limits, from `shmctl(IPC_INFO)` (the
/// `kernel.shm*` sysctls of this IPC namespace).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// `SHMMAX`: the largest segment, in bytes.
    pub max_size: u64,
    /// `SHMMIN`: the smallest segment, in bytes (1).
    pub min_size: u64,
    /// `SHMMNI`: the most segments.
    pub max_segments: u64,
    /// `SHMALL`: the most pages in all segments together.
    pub max_total_pages: u64,
}

/// `shmctl(0, IPC_INFO)` — the system's limits.
///
/// Syscalls: `shmctl` (on i386 before Linux 5.1: `ipc(SHMCTL)`).
///
/// # Errors
/// None in practice (`EFAULT` cannot happen with our buffer).
///
/// # References
/// - [shmctl(2)](https://man7.org/linux/man-pages/man2/shmctl.2.html)
#[doc(alias = "IPC_INFO")]
#[allow(clippy::unnecessary_cast)] // c_ulong is u64 on 64-bit targets
pub fn limits() -> Result<Limits> {
    let mut i = shminfo64::default();
    raw::shmctl_ipc_info(&mut i)?;
    Ok(Limits {
        max_size: i.shmmax as u64,
        min_size: i.shmmin as u64,
        max_segments: i.shmmni as u64,
        max_total_pages: i.shmall as u64,
    })
}

/// What segments use now, from `shmctl(SHM_INFO)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Usage {
    /// How many segments exist.
    pub segments: u32,
    /// Their total size, in pages.
    pub total_pages: u64,
    /// Pages resident in memory.
    pub resident_pages: u64,
    /// Pages swapped out.
    pub swapped_pages: u64,
    /// The highest slot index in use (for [`stat_index`]).
    pub max_index: c_int,
}

/// `shmctl(0, SHM_INFO)` — system-wide usage.
///
/// Syscalls: `shmctl` (on i386 before Linux 5.1: `ipc(SHMCTL)`).
///
/// # Errors
/// None in practice.
///
/// # References
/// - [shmctl(2)](https://man7.org/linux/man-pages/man2/shmctl.2.html)
#[doc(alias = "SHM_INFO")]
#[allow(clippy::unnecessary_cast)] // c_ulong is u64 on 64-bit targets
pub fn usage() -> Result<Usage> {
    let mut i = shm_info::default();
    let max_index = raw::shmctl_shm_info(&mut i)?;
    Ok(Usage {
        segments: i.used_ids as u32,
        total_pages: i.shm_tot as u64,
        resident_pages: i.shm_rss as u64,
        swapped_pages: i.shm_swp as u64,
        max_index,
    })
}
