//! Open-file-description byte-range locks: `fcntl` with `F_OFD_SETLK`,
//! `F_OFD_SETLKW` and `F_OFD_GETLK`, which rustix does not offer.
//!
//! Per-arch policy, here and only here: 64-bit arches call `fcntl` with a
//! `struct flock` (its offsets are already 64-bit). 32-bit arches must call
//! `fcntl64` with a `struct flock64`: the kernel's plain `fcntl` accepts the
//! `F_OFD_*` commands only where `long` is 64 bits (`fs/fcntl.c`), and
//! refuses them with `EINVAL` on 32-bit. Both structs come from
//! linux-raw-sys; their layouts are asserted below per arch, and checked
//! against the C library's in the tests.

use core::mem::offset_of;

use linux_raw_sys::general as g;
use rustix::fd::BorrowedFd;
use rustix::io::Errno;

use super::arch::syscall3;
use super::reg::Arg;

/// The lock description `fcntl` takes with the `F_OFD_*` commands.
#[cfg(target_pointer_width = "64")]
#[allow(non_camel_case_types)]
pub(crate) type flock = g::flock;
/// The lock description `fcntl64` takes with the `F_OFD_*` commands.
#[cfg(target_pointer_width = "32")]
#[allow(non_camel_case_types)]
pub(crate) type flock = g::flock64;

#[cfg(target_pointer_width = "64")]
const NR_FCNTL: u32 = g::__NR_fcntl;
#[cfg(target_pointer_width = "32")]
const NR_FCNTL: u32 = g::__NR_fcntl64;

// The layouts of `include/uapi/asm-generic/fcntl.h`: `short l_type, short
// l_whence`, then two 64-bit offsets and the pid. i386 aligns a 64-bit
// integer to 4 inside a struct, so its `flock64` has no padding (24 bytes);
// arm EABI and the 64-bit arches align it to 8 (32 bytes).
const _: () = {
    assert!(offset_of!(flock, l_type) == 0);
    assert!(offset_of!(flock, l_whence) == 2);
    assert!(size_of::<g::__kernel_pid_t>() == 4);
    #[cfg(target_arch = "x86")]
    {
        assert!(offset_of!(flock, l_start) == 4);
        assert!(offset_of!(flock, l_len) == 12);
        assert!(offset_of!(flock, l_pid) == 20);
        assert!(size_of::<flock>() == 24);
    }
    #[cfg(not(target_arch = "x86"))]
    {
        assert!(offset_of!(flock, l_start) == 8);
        assert!(offset_of!(flock, l_len) == 16);
        assert!(offset_of!(flock, l_pid) == 24);
        assert!(size_of::<flock>() == 32);
    }
};

/// The three `fcntl` commands of open-file-description locks; no other
/// command can reach [`fcntl`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub(crate) enum OfdCmd {
    /// `F_OFD_GETLK`: report the first lock that would conflict.
    GetLk = g::F_OFD_GETLK,
    /// `F_OFD_SETLK`: take, convert or release a lock without waiting.
    SetLk = g::F_OFD_SETLK,
    /// `F_OFD_SETLKW`: as `SetLk`, but wait for conflicting locks to go.
    SetLkW = g::F_OFD_SETLKW,
}

/// `fcntl(fd, cmd, lock)` (`fcntl64` on 32-bit arches) for an
/// open-file-description lock command. `F_OFD_GETLK` overwrites `*lock`
/// with the conflicting lock, or sets its `l_type` to `F_UNLCK`.
pub(crate) fn fcntl(fd: BorrowedFd<'_>, cmd: OfdCmd, lock: &mut flock) -> Result<(), Errno> {
    // The kernel reads `lock`, and for `F_OFD_GETLK` writes the same struct
    // back; it touches nothing outside it.
    // SAFETY: `lock` is a live, exclusively borrowed `flock` with the layout
    // this arch's syscall expects for `F_OFD_*` (asserted above).
    unsafe {
        syscall3(
            NR_FCNTL,
            Arg::fd(fd),
            Arg::c_uint(cmd as u32),
            Arg::by_mut(lock),
        )
    }
    .decode_void()
}

#[cfg(test)]
mod tests {
    use core::mem::offset_of;

    use super::flock;

    /// glibc calls the 64-bit-offset struct `flock64` on every arch (equal
    /// to `flock` on 64-bit ones); musl has only `flock`, with a 64-bit
    /// `off_t` everywhere. Either must match what we give the kernel.
    #[cfg(target_env = "gnu")]
    type CFlock = libc::flock64;
    #[cfg(target_env = "musl")]
    type CFlock = libc::flock;

    #[test]
    fn flock_matches_the_c_library() {
        assert_eq!(size_of::<flock>(), size_of::<CFlock>());
        assert_eq!(align_of::<flock>(), align_of::<CFlock>());
        assert_eq!(offset_of!(flock, l_type), offset_of!(CFlock, l_type));
        assert_eq!(offset_of!(flock, l_whence), offset_of!(CFlock, l_whence));
        assert_eq!(offset_of!(flock, l_start), offset_of!(CFlock, l_start));
        assert_eq!(offset_of!(flock, l_len), offset_of!(CFlock, l_len));
        assert_eq!(offset_of!(flock, l_pid), offset_of!(CFlock, l_pid));
    }

    #[test]
    fn ofd_commands_match_the_c_library() {
        assert_eq!(super::OfdCmd::GetLk as i32, libc::F_OFD_GETLK);
        assert_eq!(super::OfdCmd::SetLk as i32, libc::F_OFD_SETLK);
        assert_eq!(super::OfdCmd::SetLkW as i32, libc::F_OFD_SETLKW);
    }
}
