//! Timeouts: `Duration` to the kernel's timespecs, shared by every family
//! with a timed wait (semtimedop, mq_timed*, rt_sigtimedwait, futex).
//!
//! The conversions saturate rather than fail: a timeout too large to
//! represent is a wait that does not end in this process's lifetime, which
//! is what the caller asked for. Nothing here can panic.

use core::mem::{align_of, offset_of, size_of};
use core::time::Duration;

use linux_raw_sys::general::__kernel_timespec;
/// rustix's `Timespec`: on the linux_raw backend it is the kernel's
/// `__kernel_timespec` (checked below), so it goes to the kernel as is.
pub(crate) use rustix::event::Timespec;

const _: () = {
    assert!(size_of::<Timespec>() == size_of::<__kernel_timespec>());
    assert!(align_of::<Timespec>() == align_of::<__kernel_timespec>());
    assert!(offset_of!(Timespec, tv_sec) == offset_of!(__kernel_timespec, tv_sec));
    assert!(offset_of!(Timespec, tv_nsec) == offset_of!(__kernel_timespec, tv_nsec));
};

/// The largest instant (or wait) a timespec can hold.
const MAX: Timespec = Timespec {
    tv_sec: i64::MAX,
    tv_nsec: 999_999_999,
};

/// `d` as a relative timespec (the 64-bit layout every `*_time64`
/// syscall and every 64-bit arch takes), saturating at [`MAX`].
#[inline]
pub(crate) fn relative(d: Duration) -> Timespec {
    Timespec::try_from(d).unwrap_or(MAX)
}

/// The absolute time `d` after `now` (a clock's reading, so its
/// nanoseconds are in range) on the same clock, saturating at [`MAX`].
#[inline]
pub(crate) fn deadline(now: Timespec, d: Duration) -> Timespec {
    now.checked_add(relative(d)).unwrap_or(MAX)
}

/// A relative timeout in the 32-bit `old_timespec32` layout that the
/// `ipc()` multiplexer on i386 takes, saturating at `i32::MAX` seconds
/// (68 years).
#[cfg(target_arch = "x86")]
#[inline]
pub(crate) fn relative_old(d: Duration) -> linux_raw_sys::general::__kernel_old_timespec {
    linux_raw_sys::general::__kernel_old_timespec {
        tv_sec: i32::try_from(d.as_secs()).unwrap_or(i32::MAX) as _,
        tv_nsec: d.subsec_nanos() as _,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(tv_sec: i64, tv_nsec: i64) -> Timespec {
        Timespec { tv_sec, tv_nsec }
    }

    fn pair(t: Timespec) -> (i64, i64) {
        (t.tv_sec, t.tv_nsec)
    }

    #[test]
    fn relative_splits_and_saturates() {
        assert_eq!(pair(relative(Duration::new(3, 5))), (3, 5));
        assert_eq!(pair(relative(Duration::ZERO)), (0, 0));
        assert_eq!(
            pair(relative(Duration::MAX)),
            (i64::MAX, 999_999_999),
            "u64 seconds beyond i64 saturate"
        );
    }

    #[test]
    fn deadline_carries_and_saturates() {
        let now = ts(10, 999_999_999);
        assert_eq!(pair(deadline(now, Duration::from_nanos(1))), (11, 0));
        assert_eq!(
            pair(deadline(now, Duration::new(1, 999_999_999))),
            (12, 999_999_998)
        );
        assert_eq!(pair(deadline(now, Duration::MAX)), (i64::MAX, 999_999_999));
        assert_eq!(
            pair(deadline(
                ts(i64::MAX - 1, 999_999_999),
                Duration::from_nanos(1)
            )),
            (i64::MAX, 0)
        );
    }

    #[cfg(target_arch = "x86")]
    #[test]
    fn relative_old_saturates_at_i32() {
        let t = relative_old(Duration::from_secs(1 << 40));
        assert_eq!((t.tv_sec, t.tv_nsec), (i32::MAX, 0));
        let t = relative_old(Duration::new(7, 9));
        assert_eq!((t.tv_sec, t.tv_nsec), (7, 9));
    }
}
