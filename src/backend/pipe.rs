//! Safe wrappers over rustix's `unsafe` vmsplice, whose contract depends on
//! the direction of the fd: this is where that direction is pinned down.

use linux_raw_sys::general as g;
use rustix::fd::BorrowedFd;
use rustix::io::Errno;
use rustix::pipe::{IoSliceRaw, SpliceFlags};

use super::arch::syscall2;
use super::reg::Arg;

#[cfg(target_pointer_width = "64")]
const NR_FCNTL: u32 = g::__NR_fcntl;
#[cfg(target_pointer_width = "32")]
const NR_FCNTL: u32 = g::__NR_fcntl64;

/// `fcntl(fd, F_GETFL) & O_ACCMODE`.
fn access_mode(fd: BorrowedFd<'_>) -> Result<u32, Errno> {
    // SAFETY: F_GETFL takes no pointer argument.
    let flags =
        unsafe { syscall2(NR_FCNTL, Arg::fd(fd), Arg::c_uint(g::F_GETFL)) }.decode_c_int()?;
    Ok(flags as u32 & g::O_ACCMODE)
}

/// `vmsplice` from a pipe's read end into `buf`.
///
/// If `fd` is open for writing the kernel reads from `buf` instead, which
/// is harmless; callers pass read ends only.
pub(crate) fn vmsplice_read(
    fd: BorrowedFd<'_>,
    buf: &mut [u8],
    flags: SpliceFlags,
) -> Result<usize, Errno> {
    let iov = [IoSliceRaw::from_slice_mut(buf)];
    // SAFETY: `iov` describes `buf`, live and exclusively borrowed for the
    // call, so the kernel may write into it; GIFT has no meaning on a read.
    unsafe { rustix::pipe::vmsplice(fd, &iov, flags) }
}

/// `vmsplice` of `bufs` into a pipe's write end. `GIFT` is refused with
/// `EINVAL`, and so is an fd not open for writing: the kernel would write
/// into `bufs`, which are shared borrows.
pub(crate) fn vmsplice_write(
    fd: BorrowedFd<'_>,
    bufs: &[IoSliceRaw<'_>],
    flags: SpliceFlags,
) -> Result<usize, Errno> {
    if flags.contains(SpliceFlags::GIFT) {
        return Err(Errno::INVAL);
    }
    // An open file description's access mode never changes, so this check
    // cannot go stale before the call.
    if access_mode(fd)? == g::O_RDONLY {
        return Err(Errno::BADF);
    }
    // SAFETY: `bufs` are live for the call, and `fd` is open for writing, so
    // the kernel moves data from them into the pipe and never writes through
    // them. Without GIFT nothing is required of the buffers after the call.
    unsafe { rustix::pipe::vmsplice(fd, bufs, flags) }
}
