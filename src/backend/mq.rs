//! POSIX message queues: `mq_open`, `mq_unlink`, `mq_timedsend`,
//! `mq_timedreceive`, `mq_notify`, `mq_getsetattr`.
//!
//! Per-arch rules, all here:
//!
//! - Names: the kernel takes the name *without* its leading `/`. The
//!   callers pass the whole validated name (`"/name"`, NUL-terminated) and
//!   this file passes a pointer just past the slash, into the same buffer,
//!   as glibc and musl do. qemu-user relies on that: it reads the byte
//!   before the pointer to restore the slash (notes/building.md §3).
//! - Timeouts: absolute `CLOCK_REALTIME` deadlines. 64-bit arches take a
//!   `Timespec`. On i386 and arm `mq_timedsend_time64` /
//!   `mq_timedreceive_time64` (Linux 5.1) take the same struct; the first
//!   `ENOSYS` from them switches the process, for good, to the old
//!   `mq_timedsend` / `mq_timedreceive` with a 32-bit `old_timespec32`,
//!   whose seconds saturate at 2038-01-19.
//! - `mq_notify`'s `struct sigevent` comes from linux-raw-sys per arch (64
//!   bytes everywhere; a 32-bit process on a 64-bit kernel goes through the
//!   kernel's compat conversion, which takes the same layout).

use core::ffi::{CStr, c_int, c_uint, c_void};
use core::ptr;

use linux_raw_sys::general::{self as g, sigevent};

use super::time::Timespec;
use rustix::fd::{BorrowedFd, OwnedFd};
use rustix::io::Errno;

use super::arch::{syscall1, syscall2, syscall3, syscall4, syscall5};
use super::reg::Arg;
use super::types::{NOTIFY_COOKIE_LEN, mq_attr};

/// The part of `name` after its leading `/`, still NUL-terminated and
/// still inside `name`'s buffer, so the slash is the byte before it.
/// `EINVAL` if `name` does not start with `/`.
fn after_slash(name: &CStr) -> Result<&CStr, Errno> {
    match name.to_bytes_with_nul().split_first() {
        Some((b'/', rest)) => CStr::from_bytes_with_nul(rest).map_err(|_| Errno::INVAL),
        _ => Err(Errno::INVAL),
    }
}

/// `mq_open(name + 1, oflag, mode, attr)`. `name` starts with `/`.
pub(crate) fn mq_open(
    name: &CStr,
    oflag: c_int,
    mode: c_uint,
    attr: Option<&mq_attr>,
) -> Result<OwnedFd, Errno> {
    let name = after_slash(name)?;
    // SAFETY: `name` is a live NUL-terminated string and `attr` a live
    // mq_attr (or null); the kernel only reads them. mq_open returns a new
    // fd that nothing else owns.
    unsafe {
        syscall4(
            g::__NR_mq_open,
            Arg::c_str(name),
            Arg::c_int(oflag),
            Arg::c_uint(mode),
            Arg::opt_ref(attr),
        )
        .decode_fd()
    }
}

/// `mq_unlink(name + 1)`. `name` starts with `/`.
pub(crate) fn mq_unlink(name: &CStr) -> Result<(), Errno> {
    let name = after_slash(name)?;
    // SAFETY: `name` is a live NUL-terminated string the kernel reads.
    unsafe { syscall1(g::__NR_mq_unlink, Arg::c_str(name)) }.decode_void()
}

#[cfg(target_pointer_width = "32")]
mod route {
    use core::sync::atomic::{AtomicBool, Ordering};

    /// Set once a `*_time64` call returned `ENOSYS` (a kernel before 5.1).
    static OLD_TIME: AtomicBool = AtomicBool::new(false);

    pub(super) fn old_time() -> bool {
        OLD_TIME.load(Ordering::Relaxed)
    }

    pub(super) fn set_old_time(v: bool) {
        OLD_TIME.store(v, Ordering::Relaxed);
    }
}

/// Forces the pre-5.1 `mq_timedsend`/`mq_timedreceive` on or off, so the
/// tests cover both on one kernel.
#[cfg(all(test, target_pointer_width = "32"))]
pub(crate) fn force_old_time(on: bool) {
    route::set_old_time(on);
}

/// `ts` as the 32-bit `old_timespec32` of the pre-5.1 calls. Seconds
/// saturate into `i32` (a negative value stays negative, so the kernel
/// still refuses it); a nanosecond field out of range is `EINVAL` here,
/// since narrowing could otherwise turn it into a valid one.
#[cfg(target_pointer_width = "32")]
fn old_timespec(ts: &Timespec) -> Result<g::__kernel_old_timespec, Errno> {
    if !(0..1_000_000_000).contains(&ts.tv_nsec) {
        return Err(Errno::INVAL);
    }
    let sec = ts.tv_sec.clamp(i64::from(i32::MIN), i64::from(i32::MAX));
    Ok(g::__kernel_old_timespec {
        tv_sec: sec as _,
        tv_nsec: ts.tv_nsec as _,
    })
}

/// Runs the `*_time64` syscall `new`, or, once it has been seen to be
/// missing, the old one through `old` (which gets the deadline converted).
#[cfg(target_pointer_width = "32")]
fn time64_or_old(
    deadline: Option<&Timespec>,
    new: impl FnOnce() -> Result<usize, Errno>,
    old: impl FnOnce(Option<&g::__kernel_old_timespec>) -> Result<usize, Errno>,
) -> Result<usize, Errno> {
    if !route::old_time() {
        match new() {
            Err(Errno::NOSYS) => route::set_old_time(true),
            r => return r,
        }
    }
    let old_ts = deadline.map(old_timespec).transpose()?;
    old(old_ts.as_ref())
}

/// `mq_timedsend(fd, msg, len, prio, deadline)`; no deadline waits for
/// ever (or not at all on a non-blocking description).
pub(crate) fn mq_timedsend(
    fd: BorrowedFd<'_>,
    msg: &[u8],
    prio: c_uint,
    deadline: Option<&Timespec>,
) -> Result<(), Errno> {
    let call = |nr: u32, ts: Arg<'_>| {
        // SAFETY: `msg` is live for `msg.len()` bytes and `ts` is a live
        // timespec of the layout `nr` takes (or null); the kernel only
        // reads them.
        unsafe {
            syscall5(
                nr,
                Arg::fd(fd),
                Arg::by_ref(msg),
                Arg::usize(msg.len()),
                Arg::c_uint(prio),
                ts,
            )
        }
        .decode_usize()
    };
    #[cfg(target_pointer_width = "64")]
    return call(g::__NR_mq_timedsend, Arg::opt_ref(deadline)).map(drop);
    #[cfg(target_pointer_width = "32")]
    time64_or_old(
        deadline,
        || call(g::__NR_mq_timedsend_time64, Arg::opt_ref(deadline)),
        |old| call(g::__NR_mq_timedsend, Arg::opt_ref(old)),
    )
    .map(drop)
}

/// `mq_timedreceive(fd, buf, len, &prio, deadline)`: the message length
/// and its priority.
pub(crate) fn mq_timedreceive(
    fd: BorrowedFd<'_>,
    buf: &mut [u8],
    deadline: Option<&Timespec>,
) -> Result<(usize, c_uint), Errno> {
    let len = buf.len();
    let buf: *mut [u8] = buf;
    let mut prio: c_uint = 0;
    let prio_ptr: *mut c_uint = &mut prio;
    let call = |nr: u32, ts: Arg<'_>| {
        // The kernel writes at most `len` bytes (a longer message is
        // EMSGSIZE before anything is copied) and the priority, and reads
        // `ts` (or nothing, for null).
        // SAFETY: `buf` is exclusively borrowed for `len` bytes, `prio_ptr`
        // is a live local, `ts` a live timespec of the layout `nr` takes.
        unsafe {
            syscall5(
                nr,
                Arg::fd(fd),
                Arg::raw_ptr(buf.cast::<c_void>()),
                Arg::usize(len),
                Arg::raw_ptr(prio_ptr.cast::<c_void>()),
                ts,
            )
        }
        .decode_usize()
    };
    #[cfg(target_pointer_width = "64")]
    let n = call(g::__NR_mq_timedreceive, Arg::opt_ref(deadline))?;
    #[cfg(target_pointer_width = "32")]
    let n = time64_or_old(
        deadline,
        || call(g::__NR_mq_timedreceive_time64, Arg::opt_ref(deadline)),
        |old| call(g::__NR_mq_timedreceive, Arg::opt_ref(old)),
    )?;
    Ok((n, prio))
}

/// How `mq_notify` is to notify.
pub(crate) enum Notify<'a> {
    /// `SIGEV_NONE`.
    None,
    /// `SIGEV_SIGNAL`: `signo` with `value` in `si_value`.
    Signal { signo: c_int, value: usize },
    /// `SIGEV_THREAD`: the kernel copies `cookie` now and later sends it,
    /// last byte replaced by `NOTIFY_WOKENUP`/`NOTIFY_REMOVED`, to the
    /// netlink socket `sock`.
    Netlink {
        sock: BorrowedFd<'a>,
        cookie: &'a [u8; NOTIFY_COOKIE_LEN],
    },
}

/// `mq_notify(fd, &sev)`, or `mq_notify(fd, NULL)` for `None` (remove
/// this process's registration).
pub(crate) fn mq_notify(fd: BorrowedFd<'_>, how: Option<Notify<'_>>) -> Result<(), Errno> {
    let Some(how) = how else {
        // SAFETY: a null sigevent removes the registration.
        return unsafe { syscall2(g::__NR_mq_notify, Arg::fd(fd), Arg::null()) }.decode_void();
    };
    // SAFETY: sigevent is plain data (ints, a pointer, unions of them);
    // all zeroes is a valid value of it.
    let mut sev: sigevent = unsafe { core::mem::zeroed() };
    match how {
        Notify::None => sev.sigev_notify = g::SIGEV_NONE as c_int,
        Notify::Signal { signo, value } => {
            sev.sigev_notify = g::SIGEV_SIGNAL as c_int;
            sev.sigev_signo = signo;
            // The value is a number the kernel hands back in `si_value`,
            // never dereferenced.
            sev.sigev_value.sival_ptr = ptr::without_provenance_mut(value);
        }
        Notify::Netlink { sock, cookie } => {
            use rustix::fd::AsRawFd;
            sev.sigev_notify = g::SIGEV_THREAD as c_int;
            sev.sigev_signo = sock.as_raw_fd();
            sev.sigev_value.sival_ptr = cookie.as_ptr().cast::<c_void>().cast_mut();
        }
    }
    // For SIGEV_THREAD the kernel copies NOTIFY_COOKIE_LEN bytes of
    // `cookie` during the call and never touches them afterwards.
    // SAFETY: `sev` is a live sigevent the kernel reads; its pointer names
    // `cookie`, live for the call; its signo is the borrowed socket fd.
    unsafe { syscall2(g::__NR_mq_notify, Arg::fd(fd), Arg::by_ref(&sev)) }.decode_void()
}

/// `mq_getsetattr(fd, new, old)`: sets `O_NONBLOCK` from `new.mq_flags`
/// (any other flag is `EINVAL`) and/or reads the attributes into `old`
/// (as they were before `new`).
pub(crate) fn mq_getsetattr(
    fd: BorrowedFd<'_>,
    new: Option<&mq_attr>,
    old: Option<&mut mq_attr>,
) -> Result<(), Errno> {
    let old = match old {
        Some(o) => Arg::by_mut(o),
        None => Arg::null(),
    };
    // SAFETY: `new` (or null) is a live mq_attr the kernel reads, `old` (or
    // null) a live, exclusively borrowed one it writes.
    unsafe { syscall3(g::__NR_mq_getsetattr, Arg::fd(fd), Arg::opt_ref(new), old) }.decode_void()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn after_slash_stays_in_the_buffer() {
        let name = c"/queue";
        let rest = after_slash(name).unwrap();
        assert_eq!(rest, c"queue");
        // The same buffer, one byte in: qemu-user reads the slash there.
        assert_eq!(rest.as_ptr(), name.as_ptr().wrapping_add(1));
        assert_eq!(after_slash(c"queue"), Err(Errno::INVAL));
        assert_eq!(after_slash(c""), Err(Errno::INVAL));
    }

    /// The pre-5.1 route, forced on a kernel that has both: a timed round
    /// trip, a deadline that passes, and a bad deadline. (Both routes are
    /// correct, so other tests running meanwhile are unaffected.)
    #[cfg(target_pointer_width = "32")]
    #[test]
    fn old_time_route_round_trip() {
        extern crate std;
        use rustix::fd::AsFd;
        let pid = rustix::process::getpid().as_raw_nonzero().get();
        let name = std::ffi::CString::new(std::format!("/bareipc-old-time-{pid}")).unwrap();
        let name = name.as_c_str();
        let attr = mq_attr {
            mq_maxmsg: 1,
            mq_msgsize: 8,
            ..mq_attr::default()
        };
        let flags = (g::O_RDWR | g::O_CREAT | g::O_EXCL) as c_int;
        let q = mq_open(name, flags, 0o600, Some(&attr)).unwrap();
        mq_unlink(name).unwrap();

        force_old_time(true);
        let now = rustix::time::clock_gettime(rustix::time::ClockId::Realtime);
        let soon = super::super::time::deadline(
            Timespec {
                tv_sec: now.tv_sec,
                tv_nsec: now.tv_nsec,
            },
            core::time::Duration::from_millis(20),
        );
        let q = q.as_fd();
        mq_timedsend(q, b"old", 9, Some(&soon)).unwrap();
        // Full: waits until the deadline.
        assert_eq!(mq_timedsend(q, b"x", 0, Some(&soon)), Err(Errno::TIMEDOUT));
        let mut buf = [0u8; 8];
        assert_eq!(mq_timedreceive(q, &mut buf, Some(&soon)), Ok((3, 9)));
        assert_eq!(&buf[..3], b"old");
        assert_eq!(
            mq_timedreceive(q, &mut buf, Some(&soon)),
            Err(Errno::TIMEDOUT)
        );
        let bad = Timespec {
            tv_sec: 0,
            tv_nsec: 1_000_000_000,
        };
        assert_eq!(mq_timedreceive(q, &mut buf, Some(&bad)), Err(Errno::INVAL));
        force_old_time(false);
    }

    #[cfg(target_pointer_width = "32")]
    #[test]
    fn old_timespec_saturates_and_refuses_bad_nanoseconds() {
        let ts = |tv_sec, tv_nsec| Timespec { tv_sec, tv_nsec };
        let t = old_timespec(&ts(1 << 40, 5)).unwrap();
        assert_eq!((t.tv_sec as i64, t.tv_nsec as i64), (i32::MAX.into(), 5));
        let t = old_timespec(&ts(-(1 << 40), 0)).unwrap();
        assert_eq!(t.tv_sec as i64, i32::MIN.into());
        assert_eq!(
            old_timespec(&ts(0, 1_000_000_000)).err(),
            Some(Errno::INVAL)
        );
        // 2^32 + 5 would narrow to a valid 5.
        assert_eq!(
            old_timespec(&ts(0, (1 << 32) + 5)).err(),
            Some(Errno::INVAL)
        );
        assert_eq!(old_timespec(&ts(0, -1)).err(), Some(Errno::INVAL));
    }
}
