//! Tests of the raw layer itself, run on every target: a raw call agrees
//! with rustix, a failing call decodes to the right errno, and every arity
//! from 0 to 6 reaches the kernel with its arguments intact.

use core::ffi::c_void;
use core::ptr;

use linux_raw_sys::general as g;
use rustix::fd::AsFd;
use rustix::io::Errno;

use super::arch::*;
use super::reg::{Arg, Ret};

#[test]
fn syscall0_agrees_with_rustix() {
    // SAFETY: getpid takes no arguments.
    let pid = unsafe { syscall0(g::__NR_getpid) }.decode_c_int().unwrap();
    assert_eq!(pid, rustix::process::getpid().as_raw_nonzero().get());
}

#[test]
fn bad_fd_decodes_to_ebadf() {
    // SAFETY: close takes an int; an fd that cannot be open is harmless.
    let r = unsafe { syscall1(g::__NR_close, Arg::c_int(-1)) }.decode_void();
    assert_eq!(r, Err(Errno::BADF));
}

#[test]
fn errno_boundaries() {
    let at = |v: isize| Ret::from_raw(ptr::without_provenance_mut::<c_void>(v as usize));
    assert_eq!(at(-1).decode_usize(), Err(Errno::PERM));
    assert_eq!(
        at(-4095).decode_usize(),
        Err(Errno::from_raw_os_error(4095))
    );
    assert_eq!(at(-4096).decode_usize(), Ok((-4096isize) as usize));
    assert_eq!(at(0).decode_usize(), Ok(0));
    assert_eq!(at(isize::MAX).decode_usize(), Ok(isize::MAX as usize));
}

#[test]
fn syscall3_write_read_through_a_pipe() {
    let (r, w) = rustix::pipe::pipe().unwrap();
    let msg = *b"raw layer";
    // SAFETY: `msg` is live for the call and the kernel only reads it.
    let n = unsafe {
        syscall3(
            g::__NR_write,
            Arg::fd(w.as_fd()),
            Arg::by_ref(&msg[..]),
            Arg::usize(msg.len()),
        )
    }
    .decode_usize()
    .unwrap();
    assert_eq!(n, msg.len());
    let mut buf = [0u8; 16];
    let len = buf.len();
    // SAFETY: `buf` is live and writable for `len` bytes.
    let n = unsafe {
        syscall3(
            g::__NR_read,
            Arg::fd(r.as_fd()),
            Arg::by_mut(&mut buf[..]),
            Arg::usize(len),
        )
    }
    .decode_usize()
    .unwrap();
    assert_eq!(&buf[..n], &msg);
}

#[test]
fn syscall4_openat_and_its_errors() {
    let flags = g::O_RDONLY | g::O_CLOEXEC;
    // SAFETY: the path is a NUL-terminated literal; openat returns a new fd.
    let fd = unsafe {
        syscall4(
            g::__NR_openat,
            Arg::c_int(g::AT_FDCWD),
            Arg::c_str(c"/dev/null"),
            Arg::c_uint(flags),
            Arg::usize(0),
        )
        .decode_fd()
    }
    .unwrap();
    let st = rustix::fs::fstat(&fd).unwrap();
    assert_eq!(st.st_mode & g::S_IFMT, g::S_IFCHR);
    let fdflags = rustix::io::fcntl_getfd(&fd).unwrap();
    assert!(fdflags.contains(rustix::io::FdFlags::CLOEXEC));
    // SAFETY: as above, for a path that does not exist.
    let missing = unsafe {
        syscall4(
            g::__NR_openat,
            Arg::c_int(g::AT_FDCWD),
            Arg::c_str(c"/nonexistent/bareipc"),
            Arg::c_uint(flags),
            Arg::usize(0),
        )
        .decode_fd()
    };
    assert_eq!(missing.err(), Some(Errno::NOENT));
}

#[test]
fn syscall5_statx_fills_the_callers_buffer() {
    let (_r, w) = rustix::pipe::pipe().unwrap();
    rustix::io::write(&w, b"12345").unwrap();
    let mut stx = core::mem::MaybeUninit::<g::statx>::zeroed();
    // SAFETY: `stx` is a live, writable statx; the empty path with
    // AT_EMPTY_PATH names the fd itself.
    unsafe {
        syscall5(
            g::__NR_statx,
            Arg::fd(w.as_fd()),
            Arg::c_str(c""),
            Arg::c_uint(g::AT_EMPTY_PATH),
            Arg::c_uint(g::STATX_TYPE | g::STATX_INO),
            Arg::by_mut(&mut stx),
        )
    }
    .decode_void()
    .unwrap();
    // SAFETY: zero-initialised and then filled by the kernel.
    let stx = unsafe { stx.assume_init() };
    let st = rustix::fs::fstat(&w).unwrap();
    assert_eq!(u32::from(stx.stx_mode) & g::S_IFMT, g::S_IFIFO);
    assert_eq!(stx.stx_ino, st.st_ino as u64);
}

#[test]
fn syscall6_mmap_honours_every_argument() {
    let page = rustix::param::page_size();
    let fd = rustix::fs::memfd_create("bareipc-raw", rustix::fs::MemfdFlags::CLOEXEC).unwrap();
    rustix::fs::ftruncate(&fd, 2 * page as u64).unwrap();
    rustix::io::pwrite(&fd, b"second page", page as u64).unwrap();
    #[cfg(target_pointer_width = "64")]
    let (nr, offset) = (g::__NR_mmap, page);
    #[cfg(target_pointer_width = "32")]
    let (nr, offset) = (g::__NR_mmap2, 1usize); // mmap2 counts in 4096-byte units
    // SAFETY: a fresh shared read-only mapping of our own memfd, at an
    // address the kernel picks; it is unmapped below.
    let addr = unsafe {
        syscall6(
            nr,
            Arg::null(),
            Arg::usize(page),
            Arg::c_uint(g::PROT_READ),
            Arg::c_uint(g::MAP_SHARED),
            Arg::fd(fd.as_fd()),
            Arg::usize(offset),
        )
    }
    .decode_ptr()
    .unwrap();
    // SAFETY: the mapping is `page` bytes long and readable.
    let seen = unsafe { core::slice::from_raw_parts(addr.cast::<u8>(), 11) };
    assert_eq!(seen, b"second page");
    // SAFETY: `addr` is the mapping made above; nothing refers to it now.
    unsafe { syscall2(g::__NR_munmap, Arg::raw_ptr(addr), Arg::usize(page)) }
        .decode_void()
        .unwrap();
}
