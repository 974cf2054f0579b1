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
const GUARD: usize = 64 * 1024;

/// Private scratch memory of `len` bytes that ends exactly where an
/// inaccessible (`PROT_NONE`) region begins, unmapped on drop.
///
/// For kernel calls whose length the caller cannot bound (`semctl`'s
/// `GETALL` and `SETALL` access as many values as the set has *now*, and
/// the id may name another set by then): a kernel copy that runs past
/// `len` faults on the guard and the call fails with `EFAULT`, instead of
/// reading or writing whatever memory follows the caller's buffer.
pub(crate) struct Guarded {
    base: NonNull<u8>,
    total: usize,
    len: usize,
}

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

impl Drop for Guarded {
    fn drop(&mut self) {
        // SAFETY: the mapping was made by `new` and no borrow of it
        // outlives `self`.
        let _ = unsafe { rustix::mm::munmap(self.base.as_ptr().cast(), self.total) };
    }
}
