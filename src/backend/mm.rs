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
