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
//! use bareipc::shm::sysv::{Mode, Segment, SegmentFlags};
//! use bareipc::shm::{ReadOnly, ReadWrite};
//!
//! let key = Key::from_path("/etc/hostname", b's')?;
//! // Process A: create (0o600), attach, write.
//! let seg = Segment::create(key, 4096)?;
//! let map = seg.attach::<ReadWrite>()?;
//! map.write_at(0, b"hello")?;
//!
//! // Process B: find it by key, attach read-only, read.
//! let seg = Segment::get(key, 0, SegmentFlags::empty(), Mode::empty())?;
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
use crate::key::{IpcPerm, Key, RemoveOnDrop, perm_bits};
use crate::{Errno, Result};

/// The mode of segments this crate creates unless told otherwise: read and
/// write for the owner only.
pub const DEFAULT_MODE: Mode = Mode::from_raw_mode(0o600);

bitflags! {
    /// How [`Segment::get`] finds or creates a segment.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct SegmentFlags: c_int {
        /// `IPC_CREAT`: create the segment if the key has none.
        const CREATE = t::IPC_CREAT;
        /// `IPC_EXCL`: with `CREATE`, fail with `EEXIST` if it exists.
        const EXCLUSIVE = t::IPC_EXCL;
        /// `SHM_HUGETLB`: back the segment with huge pages (needs
        /// `CAP_IPC_LOCK` or membership of `vm.hugetlb_shm_group`, and
        /// reserved huge pages).
        const HUGETLB = t::SHM_HUGETLB;
        /// `SHM_NORESERVE`: do not reserve swap space for it.
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
    /// creates it (`CREATE`), or creates a new private one
    /// ([`Key::PRIVATE`]).
    ///
    /// `size` is the size of a new segment (rounded up to whole pages in
    /// memory; [`SegmentStat::size`] keeps the exact value); for an
    /// existing one it must not exceed its size (0 accepts any). `mode` is
    /// used only when creating: the permission bits `0o777`.
    ///
    /// Syscalls: `shmget` (on i386 before Linux 5.1: `ipc(SHMGET)`).
    ///
    /// # Errors
    /// - `EINVAL`: `mode` has bits outside `0o777`; a new segment smaller
    ///   than `SHMMIN` (1) or larger than `SHMMAX`; an existing one smaller
    ///   than `size`.
    /// - `ENOENT`: no segment for `key` and no `CREATE`.
    /// - `EEXIST`: `CREATE | EXCLUSIVE` and it exists.
    /// - `EACCES`: the segment's mode denies us; `EPERM`: `HUGETLB`
    ///   without the privilege.
    /// - `ENOSPC`: `SHMMNI` segments or `SHMALL` pages exist; `ENOMEM`.
    ///
    /// # References
    /// - [shmget(2)](https://man7.org/linux/man-pages/man2/shmget.2.html)
    #[doc(alias = "shmget")]
    pub fn get(key: Key, size: usize, flags: SegmentFlags, mode: Mode) -> Result<Segment> {
        let mode = perm_bits(mode)?;
        raw::shmget(key.as_raw(), size, flags.bits() | mode as c_int).map(|id| Segment { id })
    }

    /// Creates a new segment of `size` bytes for `key` with
    /// [`DEFAULT_MODE`]: `get(key, size, CREATE | EXCLUSIVE,
    /// DEFAULT_MODE)`, so an existing segment is `EEXIST`, never silently
    /// shared.
    ///
    /// Syscalls: `shmget` (on i386 before Linux 5.1: `ipc(SHMGET)`).
    ///
    /// # Errors
    /// As [`get`](Self::get).
    ///
    /// # References
    /// - [shmget(2)](https://man7.org/linux/man-pages/man2/shmget.2.html)
    #[doc(alias = "shmget")]
    pub fn create(key: Key, size: usize) -> Result<Segment> {
        Self::get(
            key,
            size,
            SegmentFlags::CREATE | SegmentFlags::EXCLUSIVE,
            DEFAULT_MODE,
        )
    }

    /// Creates a new private segment ([`Key::PRIVATE`], [`DEFAULT_MODE`]):
    /// reachable only through its id, which children inherit.
    ///
    /// Syscalls: `shmget` (on i386 before Linux 5.1: `ipc(SHMGET)`).
    ///
    /// # Errors
    /// As [`get`](Self::get).
    ///
    /// # References
    /// - [shmget(2)](https://man7.org/linux/man-pages/man2/shmget.2.html)
    pub fn private(size: usize) -> Result<Segment> {
        Self::get(Key::PRIVATE, size, SegmentFlags::CREATE, DEFAULT_MODE)
    }

    /// The segment with id `id`, as another process reported it. No
    /// syscall and no check: a wrong id makes later calls fail with
    /// `EINVAL` or `EIDRM` (or names another segment, which is why ids
    /// should come from a trusted peer). Safe, because a segment is never
    /// resized and every mapping is sized from the segment it maps.
    ///
    /// Syscalls: none.
    pub const fn from_id(id: c_int) -> Segment {
        Segment { id }
    }

    /// The segment's id, for another process's [`from_id`](Self::from_id).
    ///
    /// Syscalls: none.
    pub const fn id(self) -> c_int {
        self.id
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
    /// `ipc(SHMAT)`, `ipc(SHMCTL)`, `ipc(SHMDT)`).
    ///
    /// With `ROUND`, an `addr` below 256 KiB is refused (`EINVAL`, before
    /// any syscall): it could round down to 0, and at 0 the kernel maps
    /// without its overlap check, over whatever the process has there.
    ///
    /// # Errors
    /// As [`attach`](Self::attach), and `EINVAL` for an unaligned `addr`
    /// without `ROUND`, a range in use, or a `ROUND` hint below 256 KiB.
    ///
    /// # References
    /// - [shmat(2)](https://man7.org/linux/man-pages/man2/shmat.2.html)
    #[doc(alias = "shmat")]
    pub fn attach_with<A: Access>(
        self,
        addr: Option<NonNull<u8>>,
        flags: AttachFlags,
    ) -> Result<Mapping<A>> {
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

    /// `shmctl(id, IPC_STAT)` — the segment's size, owner, times and
    /// attach count.
    ///
    /// Syscalls: `shmctl` (on i386 before Linux 5.1: `ipc(SHMCTL)`).
    ///
    /// # Errors
    /// `EACCES` without read permission; `EINVAL` for a bad id; `EIDRM`.
    ///
    /// # References
    /// - [shmctl(2)](https://man7.org/linux/man-pages/man2/shmctl.2.html)
    #[doc(alias = "shmctl")]
    #[doc(alias = "IPC_STAT")]
    pub fn stat(self) -> Result<SegmentStat> {
        let mut ds = shmid64_ds::default();
        raw::shmctl_stat(self.id, StatCmd::Id, &mut ds)?;
        Ok(SegmentStat::from_kernel(&ds))
    }

    /// `shmctl(id, IPC_SET)` — changes the owner and the permission bits.
    /// Allowed to the owner, the creator, and `CAP_SYS_ADMIN`.
    ///
    /// Syscalls: `shmctl` (on i386 before Linux 5.1: `ipc(SHMCTL)`).
    ///
    /// # Errors
    /// `EINVAL` if `mode` has bits outside `0o777`, or a bad id / uid /
    /// gid; `EPERM` if we are not allowed; `EIDRM`.
    ///
    /// # References
    /// - [shmctl(2)](https://man7.org/linux/man-pages/man2/shmctl.2.html)
    #[doc(alias = "IPC_SET")]
    pub fn set_owner(self, uid: Uid, gid: Gid, mode: Mode) -> Result<()> {
        let mut ds = shmid64_ds::default();
        ds.shm_perm.uid = uid.as_raw();
        ds.shm_perm.gid = gid.as_raw();
        ds.shm_perm.mode = perm_bits(mode)? as _;
        raw::shmctl_set(self.id, &ds)
    }

    /// `shmctl(id, IPC_RMID)` — marks the segment for destruction: its key
    /// is freed at once (so [`get`](Self::get) no longer finds it), and the
    /// memory goes when the last process detaches. Existing mappings keep
    /// working. Allowed to the owner, the creator, and `CAP_SYS_ADMIN`.
    ///
    /// Syscalls: `shmctl` (on i386 before Linux 5.1: `ipc(SHMCTL)`).
    ///
    /// # Errors
    /// `EPERM` if we are not allowed; `EINVAL` for a bad id; `EIDRM` if it
    /// is already removed and gone.
    ///
    /// # References
    /// - [shmctl(2)](https://man7.org/linux/man-pages/man2/shmctl.2.html)
    #[doc(alias = "IPC_RMID")]
    pub fn remove(self) -> Result<()> {
        raw::shmctl_cmd(self.id, ShmCmd::Rmid)
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

    /// Wraps the segment in a [`RemoveOnDrop`] guard that removes it
    /// (`IPC_RMID`) when dropped, if the id still names this segment then:
    /// the creator's opt-in cleanup. The guard notes the segment's identity
    /// now (`IPC_STAT`), so that an id that has come to name another
    /// object by the time of the drop (ids wrap) is left alone.
    ///
    /// Syscalls: `shmctl(IPC_STAT)` (`ipc(SHMCTL)` on i386 before Linux
    /// 5.1).
    ///
    /// # Errors
    /// Those of `IPC_STAT`: `EACCES` without read permission, `EINVAL`
    /// for a bad id, `EIDRM`.
    ///
    /// # References
    /// - [shmctl(2)](https://man7.org/linux/man-pages/man2/shmctl.2.html)
    pub fn remove_on_drop(self) -> Result<RemoveOnDrop<Self>> {
        RemoveOnDrop::new(self)
    }
}

crate::key::sysv_object!(
    Segment,
    |st| st.size as u64,
    st.cpid.map_or(0, |p| p.as_raw_nonzero().get())
);

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
