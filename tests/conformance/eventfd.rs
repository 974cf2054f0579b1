//! Conformance cases: `eventfd2`, from LTP's `eventfd01`–`eventfd06` and
//! `eventfd2_01`–`eventfd2_03`.
//!
//! Not reachable: LTP's reads and writes of fewer than 8 bytes (`EINVAL`)
//! — the crate always transfers one `u64` — and `eventfd05`/`06` (AIO
//! completion through an eventfd, which the crate does not wrap).

use std::os::fd::{AsFd, AsRawFd};

use bareipc::Errno;
use bareipc::eventfd::{EventFd, EventFdFlags, MAX};

use crate::common::{self, child, child_role};
use crate::same_errno;

/// ltp eventfd01 (read/write cases): the initial value is read back and
/// the read resets the counter; writes add; a read of 0 in non-blocking
/// mode is `EAGAIN`.
#[test]
fn eventfd01_counter_reads_and_resets() {
    let ev = EventFd::new(7, EventFdFlags::NONBLOCK).unwrap();
    assert_eq!(ev.read().unwrap(), 7);
    assert_eq!(ev.read(), Err(Errno::AGAIN));
    ev.write(3).unwrap();
    ev.write(4).unwrap();
    assert_eq!(ev.read().unwrap(), 7);
}

/// ltp eventfd01 (EINVAL case): writing `0xffffffffffffffff` is `EINVAL`,
/// as from C's `write`, and leaves the counter alone.
#[test]
fn eventfd01_write_of_all_ones_is_einval() {
    let ev = EventFd::new(1, EventFdFlags::NONBLOCK).unwrap();
    let all = u64::MAX.to_ne_bytes();
    // SAFETY: an 8-byte write from a live buffer to our own eventfd.
    let c = unsafe { libc::write(ev.as_raw_fd(), all.as_ptr().cast(), 8) } as i64;
    same_errno("eventfd01 EINVAL", ev.write(u64::MAX), c, Errno::INVAL);
    assert_eq!(ev.read().unwrap(), 1);
}

/// ltp eventfd01 (overflow cases): the counter holds at most
/// `0xfffffffffffffffe`; a non-blocking write past it is `EAGAIN` and
/// changes nothing.
#[test]
fn eventfd01_counter_overflow_is_eagain() {
    let ev = EventFd::new(0, EventFdFlags::NONBLOCK).unwrap();
    ev.write(MAX).unwrap();
    assert_eq!(ev.write(1), Err(Errno::AGAIN));
    assert_eq!(ev.try_write(1), Err(Errno::AGAIN));
    assert_eq!(ev.read().unwrap(), MAX);
}

/// ltp eventfd01 (poll cases): readable exactly when the counter is
/// non-zero, writable unless a write of 1 would overflow.
#[test]
fn eventfd01_poll_follows_the_counter() {
    use bareipc::poll::{PollFd, PollFlags, poll};
    let ev = EventFd::new(0, EventFdFlags::NONBLOCK).unwrap();
    let ready = |ev: &EventFd| {
        let mut fds = [PollFd::new(ev, PollFlags::IN | PollFlags::OUT)];
        poll(&mut fds, Some(std::time::Duration::ZERO)).unwrap();
        fds[0].revents()
    };
    assert_eq!(ready(&ev), PollFlags::OUT);
    ev.write(1).unwrap();
    assert_eq!(ready(&ev), PollFlags::IN | PollFlags::OUT);
    ev.write(MAX - 1).unwrap();
    assert_eq!(ready(&ev), PollFlags::IN);
}

/// ltp eventfd2_01: `EFD_CLOEXEC` is always set (the crate adds it), and
/// the fd is closed in an exec'd program.
#[test]
fn eventfd2_01_close_on_exec() {
    if child_role().as_deref() == Some("exec") {
        let fd: i32 = common::env("EV_FD").parse().unwrap();
        // SAFETY: only asks whether the number is an open fd.
        assert_eq!(unsafe { libc::fcntl(fd, libc::F_GETFD) }, -1);
        return;
    }
    let ev = EventFd::new(0, EventFdFlags::empty()).unwrap();
    let fdfl = rustix::io::fcntl_getfd(&ev).unwrap();
    assert!(fdfl.contains(rustix::io::FdFlags::CLOEXEC));
    let mut cmd = child("eventfd::eventfd2_01_close_on_exec", "exec");
    cmd.env("EV_FD", ev.as_raw_fd().to_string());
    common::run_child(cmd);
}

/// ltp eventfd2_02: `EFD_NONBLOCK` sets `O_NONBLOCK` on the file; without
/// it the file blocks.
#[test]
fn eventfd2_02_nonblock_flag() {
    let nb = EventFd::new(0, EventFdFlags::NONBLOCK).unwrap();
    let bl = EventFd::new(0, EventFdFlags::empty()).unwrap();
    let fl = |e: &EventFd| rustix::fs::fcntl_getfl(e).unwrap();
    assert!(fl(&nb).contains(rustix::fs::OFlags::NONBLOCK));
    assert!(!fl(&bl).contains(rustix::fs::OFlags::NONBLOCK));
}

/// ltp eventfd2_03 / eventfd02: with `EFD_SEMAPHORE` each read takes 1
/// and returns 1, until the counter is 0.
#[test]
fn eventfd2_03_semaphore_reads_one_at_a_time() {
    let ev = EventFd::new(3, EventFdFlags::SEMAPHORE | EventFdFlags::NONBLOCK).unwrap();
    for _ in 0..3 {
        assert_eq!(ev.read().unwrap(), 1);
    }
    assert_eq!(ev.read(), Err(Errno::AGAIN));
}

/// ltp eventfd2 (EINVAL case): a flag `eventfd2` does not know is
/// `EINVAL`, as from C's `eventfd`.
#[test]
fn eventfd2_unknown_flag_is_einval() {
    // O_APPEND: neither EFD_CLOEXEC, EFD_NONBLOCK nor EFD_SEMAPHORE.
    let bad = libc::O_APPEND;
    // SAFETY: the call fails and creates nothing.
    let c = unsafe { libc::eventfd(0, bad) } as i64;
    let ours = EventFd::new(0, EventFdFlags::from_bits_retain(bad as u32));
    same_errno("eventfd2 EINVAL", ours, c, Errno::INVAL);
}

/// ltp eventfd01 (blocking read): a blocking read waits until another
/// process writes, and returns what it wrote.
#[test]
fn eventfd01_blocking_read_is_woken_by_another_process() {
    if child_role().as_deref() == Some("writer") {
        let ev = EventFd::from(common::take_fd(10));
        ev.write(42).unwrap();
        return;
    }
    let ev = EventFd::new(0, EventFdFlags::empty()).unwrap();
    let mut cmd = child(
        "eventfd::eventfd01_blocking_read_is_woken_by_another_process",
        "writer",
    );
    common::give_fd(&mut cmd, ev.as_fd().try_clone_to_owned().unwrap(), 10);
    let mut c = cmd.spawn().unwrap();
    assert_eq!(ev.read().unwrap(), 42);
    common::assert_child_ok(c.wait().unwrap());
}
