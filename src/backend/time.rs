//! Timeouts: `Duration` to the kernel's timespecs, shared by every family
//! with a timed wait (semtimedop, mq_timed*, rt_sigtimedwait, futex).
//!
//! The conversions saturate rather than fail: a timeout too large to
//! represent is a wait that does not end in this process's lifetime, which
//! is what the caller asked for. Nothing here can panic.

use core::time::Duration;

use linux_raw_sys::general::__kernel_timespec;

/// `d` as a relative `__kernel_timespec` (the 64-bit layout every
/// `*_time64` syscall and every 64-bit arch takes). Seconds beyond
/// `i64::MAX` saturate.
#[inline]
pub(crate) fn relative(d: Duration) -> __kernel_timespec {
    __kernel_timespec {
        tv_sec: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        tv_nsec: i64::from(d.subsec_nanos()),
    }
}

/// The absolute time `d` after `now` on the same clock, saturating at the
/// largest representable instant.
#[inline]
pub(crate) fn deadline(now: __kernel_timespec, d: Duration) -> __kernel_timespec {
    const MAX: __kernel_timespec = __kernel_timespec {
        tv_sec: i64::MAX,
        tv_nsec: 999_999_999,
    };
    let add = relative(d);
    // Both nanosecond fields are below 10^9, so their sum fits easily.
    let (carry, tv_nsec) = match now.tv_nsec + add.tv_nsec {
        n if n >= 1_000_000_000 => (1, n - 1_000_000_000),
        n => (0, n),
    };
    match now
        .tv_sec
        .checked_add(add.tv_sec)
        .and_then(|s| s.checked_add(carry))
    {
        Some(tv_sec) => __kernel_timespec { tv_sec, tv_nsec },
        None => MAX,
    }
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

    fn ts(tv_sec: i64, tv_nsec: i64) -> __kernel_timespec {
        __kernel_timespec { tv_sec, tv_nsec }
    }

    fn pair(t: __kernel_timespec) -> (i64, i64) {
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
