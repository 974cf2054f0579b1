//! Shared mappings of an fd: `mmap(MAP_SHARED)` and `munmap`, through
//! rustix, with their contracts pinned down for the shm family.

use core::ffi::c_void;
use core::ptr::NonNull;

use rustix::fd::BorrowedFd;
use rustix::io::Errno;
use rustix::mm::{MapFlags, ProtFlags};

/// `mmap(NULL, len, prot, MAP_SHARED, fd, offset)`: a new shared mapping
/// wherever the kernel puts it.
///
/// Safe: without `MAP_FIXED` and with a null hint, the kernel picks an
/// unused range, so no memory of this process changes meaning.
pub(crate) fn mmap_shared(
    fd: BorrowedFd<'_>,
    len: usize,
    writable: bool,
    offset: u64,
) -> Result<NonNull<u8>, Errno> {
    let prot = if writable {
        ProtFlags::READ | ProtFlags::WRITE
    } else {
        ProtFlags::READ
    };
    // SAFETY: a null address without MAP_FIXED makes a fresh mapping that
    // overlaps nothing in use (see above).
    let p = unsafe {
        rustix::mm::mmap(
            core::ptr::null_mut(),
            len,
            prot,
            MapFlags::SHARED,
            fd,
            offset,
        )
    }?;
    // A successful mmap never returns null (mmap_min_addr keeps page 0
    // unmapped); refuse it rather than trust it.
    NonNull::new(p.cast::<u8>()).ok_or(Errno::NOMEM)
}

/// `munmap(addr, len)`.
///
/// # Safety
/// `addr..addr + len` must be a mapping made by [`mmap_shared`] that
/// nothing references any more.
pub(crate) unsafe fn munmap(addr: NonNull<u8>, len: usize) -> Result<(), Errno> {
    // SAFETY: the caller's contract.
    unsafe { rustix::mm::munmap(addr.as_ptr().cast::<c_void>(), len) }
}

/// The size of the inaccessible region after a [`Guarded`] buffer: 64 KiB,
/// a multiple of every page size of the supported targets (4 KiB, and 16
/// or 64 KiB on some aarch64 kernels), so no page size is needed.
#[cfg(feature = "sem")]
const GUARD: usize = 64 * 1024;

/// Private scratch memory of `len` bytes that ends exactly where an
/// inaccessible (`PROT_NONE`) region begins, unmapped on drop.
///
/// For kernel calls whose length the caller cannot bound (`semctl`'s
/// `GETALL` and `SETALL` access as many values as the set has *now*, and
/// the id may name another set by then): a kernel copy that runs past
/// `len` faults on the guard and the call fails with `EFAULT`, instead of
/// reading or writing whatever memory follows the caller's buffer.
#[cfg(feature = "sem")]
pub(crate) struct Guarded {
    base: NonNull<u8>,
    total: usize,
    len: usize,
}

#[cfg(feature = "sem")]
impl Guarded {
    /// `mmap(NULL, body + GUARD, RW, MAP_PRIVATE | MAP_ANONYMOUS)`, then
    /// `mprotect(guard, PROT_NONE)`; `body` is `len` rounded up to
    /// [`GUARD`]. Only the pages the caller touches get memory.
    pub(crate) fn new(len: usize) -> Result<Self, Errno> {
        let body = len.checked_next_multiple_of(GUARD).ok_or(Errno::NOMEM)?;
        let total = body.checked_add(GUARD).ok_or(Errno::NOMEM)?;
        // SAFETY: a null address without MAP_FIXED makes a fresh private
        // mapping that overlaps nothing in use.
        let base = unsafe {
            rustix::mm::mmap_anonymous(
                core::ptr::null_mut(),
                total,
                ProtFlags::READ | ProtFlags::WRITE,
                MapFlags::PRIVATE,
            )
        }?;
        let base = NonNull::new(base.cast::<u8>()).ok_or(Errno::NOMEM)?;
        let this = Self { base, total, len };
        // SAFETY: `body..total` lies inside the mapping just made, which
        // nothing references yet; `body` is a multiple of every page size.
        unsafe {
            rustix::mm::mprotect(
                this.base.as_ptr().add(body).cast(),
                GUARD,
                rustix::mm::MprotectFlags::empty(),
            )
        }?;
        Ok(this)
    }

    /// The first of the `len` bytes: `len` bytes of readable and writable
    /// private memory, followed directly by the guard. Aligned to 2 (the
    /// guard is page-aligned and `len` is the caller's, so use an even
    /// `len` for `u16` data).
    pub(crate) fn as_mut_ptr(&self) -> *mut u8 {
        let body = self.total - GUARD;
        // SAFETY: `len <= body`, so the result is inside the mapping.
        unsafe { self.base.as_ptr().add(body - self.len) }
    }
}

#[cfg(feature = "sem")]
impl Drop for Guarded {
    fn drop(&mut self) {
        // SAFETY: the mapping was made by `new` and no borrow of it
        // outlives `self`.
        let _ = unsafe { rustix::mm::munmap(self.base.as_ptr().cast(), self.total) };
    }
}

/// Makes sure every page of a fresh SysV attachment is in memory now, if
/// the segment might be backed by huge pages; or says why it cannot.
///
/// A huge-page segment made with `SHM_NORESERVE` has no pages reserved
/// for it: a first touch of a page finds the pool empty and raises
/// `SIGBUS`. The attachment has no fd to ask about the file system, so
/// the mapping is asked: `MADV_COLD` on its first page is refused
/// (`EINVAL`) only for huge-page, locked or `VM_PFNMAP` mappings (and by
/// kernels before 5.4); on an ordinary fresh attachment it has nothing to
/// do. Only then are the pages faulted in, with `MADV_POPULATE_READ` /
/// `_WRITE` (Linux 5.14), or `mlock` and `munlock` before that, which
/// fail with an error where a touch would have faulted. Once in, huge
/// pages stay: a segment's file cannot be truncated or punched, and huge
/// pages are never swapped.
///
/// Syscalls: `madvise`; where that is refused, `madvise` again, or on
/// kernels before 5.14 a third `madvise`, `mlock` and `munlock`.
///
/// # Errors
/// `ENOMEM` where some page cannot be had (`EFAULT`, `ENOMEM` or `EBUSY`
/// from the kernel); `EAGAIN`, `EPERM` from `mlock`.
pub(crate) fn prefault_if_huge(ptr: NonNull<u8>, len: usize, writable: bool) -> Result<(), Errno> {
    use rustix::mm::Advice;
    let p = ptr.as_ptr().cast::<c_void>();
    // SAFETY: `ptr..ptr + len` is an attachment of this process; the
    // advice changes no contents (COLD only ages pages; POPULATE faults
    // them in, as a touch would).
    match unsafe { rustix::mm::madvise(p, 1, Advice::LinuxCold) } {
        Err(Errno::INVAL) => {}
        // Ordinary shared memory (or qemu-user, which ignores advice).
        _ => return Ok(()),
    }
    let populate = if writable {
        Advice::LinuxPopulateWrite
    } else {
        Advice::LinuxPopulateRead
    };
    // SAFETY: as above.
    match unsafe { rustix::mm::madvise(p, len, populate) } {
        Ok(()) => Ok(()),
        Err(Errno::INVAL) => {
            // Before 5.14: locking faults every page in, or fails.
            // SAFETY: locking and unlocking change no contents.
            unsafe { rustix::mm::mlock(p, len) }.map_err(|e| match e {
                Errno::FAULT | Errno::BUSY => Errno::NOMEM,
                e => e,
            })?;
            // SAFETY: as above.
            let _ = unsafe { rustix::mm::munlock(p, len) };
            Ok(())
        }
        Err(Errno::FAULT | Errno::NOMEM | Errno::BUSY | Errno::HWPOISON) => Err(Errno::NOMEM),
        Err(e) => Err(e),
    }
}

/// Whether `fd` is a file of hugetlbfs (an `MFD_HUGETLB` memfd, or a file
/// under a hugetlbfs mount), whose pages a holder of the fd can take back
/// (punching a hole returns them to the pool, so that a later touch of a
/// mapping may find none and fault).
///
/// Syscalls: `fstatfs` (`fstatfs64` on 32-bit).
pub(crate) fn is_hugetlbfs(fd: BorrowedFd<'_>) -> Result<bool, Errno> {
    let st = rustix::fs::fstatfs(fd)?;
    // f_type is a word of any width; the magic fits in 32 bits.
    #[allow(clippy::unnecessary_cast)]
    Ok(st.f_type as u32 == linux_raw_sys::general::HUGETLBFS_MAGIC)
}
