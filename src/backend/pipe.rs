//! Safe wrappers over rustix's `unsafe` vmsplice, whose contract depends on
//! the direction of the fd: this is where that direction is pinned down.

use rustix::fd::BorrowedFd;
use rustix::fs::OFlags;
use rustix::io::Errno;
use rustix::pipe::{IoSliceRaw, SpliceFlags};

/// The splice flags the public calls take: `MOVE`, `NONBLOCK`, `MORE`.
/// `GIFT` is left out: meaningless for `splice`, `tee` and a read, and
/// for a write a contract (page-aligned buffers never touched again) no
/// check can confirm.
pub(crate) const SPLICE_FLAGS: SpliceFlags = SpliceFlags::MOVE
    .union(SpliceFlags::NONBLOCK)
    .union(SpliceFlags::MORE);

/// `fcntl(fd, F_GETFL) & O_ACCMODE`.
fn access_mode(fd: BorrowedFd<'_>) -> Result<OFlags, Errno> {
    Ok(rustix::fs::fcntl_getfl(fd)? & OFlags::RWMODE)
}

/// `vmsplice` from a pipe's read end into `buf`. Flags outside
/// [`SPLICE_FLAGS`] are refused with `EINVAL`, and an fd open for writing
/// with `EBADF`: the kernel would move `buf`'s pages into the pipe
/// instead, for the reader to see whatever they hold later.
pub(crate) fn vmsplice_read(
    fd: BorrowedFd<'_>,
    buf: &mut [u8],
    flags: SpliceFlags,
) -> Result<usize, Errno> {
    crate::flags::only(flags, SPLICE_FLAGS)?;
    // An open file description's access mode never changes.
    if access_mode(fd)? != OFlags::RDONLY {
        return Err(Errno::BADF);
    }
    let iov = [IoSliceRaw::from_slice_mut(buf)];
    // SAFETY: `fd` is read-only (checked), so the kernel copies from the
    // pipe into `buf`, live and exclusively borrowed for the call.
    unsafe { rustix::pipe::vmsplice(fd, &iov, flags) }
}

/// `vmsplice` of `bufs` into a pipe's write end. Flags outside
/// [`SPLICE_FLAGS`] (`GIFT` among them) are refused with `EINVAL`, and an
/// fd not open for writing with `EBADF`: the kernel would write into
/// `bufs`, which are shared borrows.
///
/// # Safety
/// The bytes of `bufs` must stay allocated and unchanged until the reader
/// has read them: the pipe refers to their pages, not to a copy.
pub(crate) unsafe fn vmsplice_write(
    fd: BorrowedFd<'_>,
    bufs: &[IoSliceRaw<'_>],
    flags: SpliceFlags,
) -> Result<usize, Errno> {
    crate::flags::only(flags, SPLICE_FLAGS)?;
    // An open file description's access mode never changes, so this check
    // cannot go stale before the call.
    if access_mode(fd)? == OFlags::RDONLY {
        return Err(Errno::BADF);
    }
    // SAFETY: `bufs` are live for the call, and `fd` is open for writing, so
    // the kernel only reads through them, taking references to their pages
    // into the pipe; the caller keeps those bytes as they are until read.
    unsafe { rustix::pipe::vmsplice(fd, bufs, flags) }
}

/// [`vmsplice_write`] of buffers that live for ever and, borrowed for
/// ever, never change: what the pipe refers to stays what was written.
pub(crate) fn vmsplice_write_static(
    fd: BorrowedFd<'_>,
    bufs: &[IoSliceRaw<'static>],
    flags: SpliceFlags,
) -> Result<usize, Errno> {
    // SAFETY: a `'static` shared (or moved-in) borrow keeps its bytes
    // allocated and unchanged for the rest of the process.
    unsafe { vmsplice_write(fd, bufs, flags) }
}
