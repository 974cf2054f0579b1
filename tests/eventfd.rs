//! Event counters between real processes, the kernel's overflow rules, and
//! every errno a user can hit.
#![cfg(all(feature = "eventfd", feature = "std"))]

mod common;

use std::os::fd::{AsFd, OwnedFd};

use bareipc::Errno;
use bareipc::eventfd::{self, EventFd, EventFdFlags};
use common::{assert_child_ok, child, child_role, say_ready, wait_until_asleep};
use rustix::event::{PollFd, PollFlags, Timespec, poll};

/// The fd number a parent hands a child's eventfd on.
const CHILD_EVENT_FD: i32 = 10;

/// The eventfd a parent handed this child on `n`.
fn given(n: i32) -> EventFd {
    EventFd::from(common::take_fd(n))
}

/// A duplicate of `ev` to give to a child; `ev` stays ours.
fn dup(ev: &EventFd) -> OwnedFd {
    ev.as_fd().try_clone_to_owned().unwrap()
}

/// Takes what is left in the counter without blocking: `None` if it is 0.
/// Switches the (shared) description to non-blocking for good.
fn drain(ev: &EventFd) -> Option<u64> {
    ev.set_nonblocking(true).unwrap();
    match ev.read() {
        Ok(v) => Some(v),
        Err(e) => {
            assert_eq!(e, Errno::AGAIN);
            None
        }
    }
}

#[test]
fn counter_mode_sums_writes_and_resets_on_read() {
    let ev = EventFd::new(3, EventFdFlags::empty()).unwrap();
    ev.write(4).unwrap();
    ev.write(5).unwrap();
    // A write of 0 changes nothing.
    ev.write(0).unwrap();
    assert_eq!(ev.read().unwrap(), 12);
    // The read reset the counter to 0.
    assert_eq!(drain(&ev), None);
    // Counting again from 0, above the u32 range of the initial value.
    ev.write(1 << 40).unwrap();
    ev.write(1).unwrap();
    assert_eq!(ev.read().unwrap(), (1 << 40) + 1);
    assert_eq!(drain(&ev), None);
}

#[test]
fn semaphore_mode_shared_with_a_child() {
    if child_role().as_deref() == Some("taker") {
        let n: u64 = common::env("EVENTFD_N").parse().unwrap();
        let ev = given(CHILD_EVENT_FD);
        for _ in 0..n {
            assert_eq!(ev.read().unwrap(), 1);
        }
        assert_eq!(ev.read(), Err(Errno::AGAIN));
        return;
    }
    const N: u64 = 5;
    let ev = EventFd::new(0, EventFdFlags::SEMAPHORE | EventFdFlags::NONBLOCK).unwrap();
    ev.write(N).unwrap();
    let mut cmd = child("semaphore_mode_shared_with_a_child", "taker");
    cmd.env("EVENTFD_N", N.to_string());
    common::give_fd(&mut cmd, dup(&ev), CHILD_EVENT_FD);
    common::run_child(cmd);
    // The child took every unit: the shared counter is 0.
    assert_eq!(ev.read(), Err(Errno::AGAIN));
    // Still one unit per read here too.
    ev.write(2).unwrap();
    assert_eq!(ev.read().unwrap(), 1);
    assert_eq!(ev.read().unwrap(), 1);
    assert_eq!(ev.read(), Err(Errno::AGAIN));
}

#[test]
fn empty_nonblocking_read_is_eagain() {
    let ev = EventFd::new(0, EventFdFlags::NONBLOCK).unwrap();
    assert_eq!(ev.read(), Err(Errno::AGAIN));
    let sem = EventFd::new(0, EventFdFlags::NONBLOCK | EventFdFlags::SEMAPHORE).unwrap();
    assert_eq!(sem.read(), Err(Errno::AGAIN));

    // set_nonblocking has the same effect on a blocking eventfd, and can be
    // undone.
    let ev = EventFd::new(0, EventFdFlags::empty()).unwrap();
    ev.set_nonblocking(true).unwrap();
    assert!(
        rustix::fs::fcntl_getfl(&ev)
            .unwrap()
            .contains(rustix::fs::OFlags::NONBLOCK)
    );
    assert_eq!(ev.read(), Err(Errno::AGAIN));
    ev.set_nonblocking(false).unwrap();
    assert!(
        !rustix::fs::fcntl_getfl(&ev)
            .unwrap()
            .contains(rustix::fs::OFlags::NONBLOCK)
    );
}

#[test]
fn overflowing_write_is_eagain() {
    assert_eq!(eventfd::MAX, 0xffff_ffff_ffff_fffe);
    let ev = EventFd::new(0, EventFdFlags::NONBLOCK).unwrap();
    ev.write(eventfd::MAX).unwrap();
    assert_eq!(ev.write(1), Err(Errno::AGAIN));
    // Nothing was added partially, and a write of 0 still fits.
    ev.write(0).unwrap();
    assert_eq!(ev.read().unwrap(), eventfd::MAX);

    // The same edge from a non-zero start: 10 + (MAX - 10) fits, one more
    // does not.
    let ev = EventFd::new(10, EventFdFlags::NONBLOCK).unwrap();
    assert_eq!(ev.write(eventfd::MAX - 9), Err(Errno::AGAIN));
    ev.write(eventfd::MAX - 10).unwrap();
    assert_eq!(ev.read().unwrap(), eventfd::MAX);
}

#[test]
fn writing_u64_max_is_einval_and_changes_nothing() {
    let ev = EventFd::new(5, EventFdFlags::NONBLOCK).unwrap();
    assert_eq!(ev.write(u64::MAX), Err(Errno::INVAL));
    assert_eq!(ev.read().unwrap(), 5);
    // On a blocking eventfd too (it must not block: it is refused).
    let ev = EventFd::new(0, EventFdFlags::empty()).unwrap();
    assert_eq!(ev.write(u64::MAX), Err(Errno::INVAL));
    assert_eq!(drain(&ev), None);
}

#[test]
fn unknown_flag_is_einval() {
    // O_RDWR is not an eventfd2 flag.
    let bad = EventFdFlags::from_bits_retain(linux_raw_sys::general::O_RDWR);
    assert_eq!(EventFd::new(0, bad).err(), Some(Errno::INVAL));
}

#[test]
fn fd_limit_reached_is_emfile() {
    if child_role().as_deref() == Some("limited") {
        // Room for no more fds. Listing the open fds takes one, so list
        // them while there is still room.
        let limit = common::lowest_free_fd() as u64;
        let before = common::open_fds();
        let old = rustix::process::getrlimit(rustix::process::Resource::Nofile);
        let set = |current| {
            rustix::process::setrlimit(
                rustix::process::Resource::Nofile,
                rustix::process::Rlimit {
                    current,
                    maximum: old.maximum,
                },
            )
            .unwrap()
        };
        set(Some(limit));
        let got = EventFd::new(0, EventFdFlags::empty());
        set(old.current);
        assert_eq!(got.err(), Some(Errno::MFILE));
        common::assert_no_fd_leak(&before);
        return;
    }
    common::run_child(child("fd_limit_reached_is_emfile", "limited"));
}

#[test]
fn close_on_exec_always_and_not_inherited() {
    if child_role().as_deref() == Some("inspector") {
        for entry in std::fs::read_dir("/proc/self/fd").unwrap() {
            let link = std::fs::read_link(entry.unwrap().path()).unwrap_or_default();
            assert_ne!(
                link.to_string_lossy(),
                "anon_inode:[eventfd]",
                "an eventfd leaked into the child"
            );
        }
        return;
    }
    let all = [
        EventFdFlags::empty(),
        EventFdFlags::NONBLOCK,
        EventFdFlags::SEMAPHORE,
        EventFdFlags::all(),
    ];
    let evs: Vec<EventFd> = all.map(|f| EventFd::new(0, f).unwrap()).into();
    for ev in &evs {
        let flags = rustix::io::fcntl_getfd(ev).unwrap();
        assert!(flags.contains(rustix::io::FdFlags::CLOEXEC));
        let link = std::fs::read_link(format!(
            "/proc/self/fd/{}",
            std::os::fd::AsRawFd::as_raw_fd(ev)
        ))
        .unwrap();
        assert_eq!(link.to_string_lossy(), "anon_inode:[eventfd]");
    }
    common::run_child(child("close_on_exec_always_and_not_inherited", "inspector"));
    drop(evs);
}

#[test]
fn child_blocks_in_read_until_the_parent_writes() {
    const VALUE: u64 = 0x1234_5678_9abc;
    if child_role().as_deref() == Some("waiter") {
        let ev = given(CHILD_EVENT_FD);
        say_ready();
        // Blocking: the counter is 0 until the parent writes.
        assert_eq!(ev.read().unwrap(), VALUE);
        return;
    }
    let ev = EventFd::new(0, EventFdFlags::empty()).unwrap();
    let (mut c, tid) = spawn_with_ready(
        "child_blocks_in_read_until_the_parent_writes",
        "waiter",
        &ev,
    );
    wait_until_asleep(c.id(), tid);
    ev.write(VALUE).unwrap();
    assert_child_ok(c.wait().unwrap());
    // The child's read took everything.
    assert_eq!(drain(&ev), None);
}

#[test]
fn child_blocks_in_write_until_a_read_makes_room() {
    if child_role().as_deref() == Some("writer") {
        let ev = given(CHILD_EVENT_FD);
        say_ready();
        // The counter is at MAX: this waits for the parent's read.
        ev.write(1).unwrap();
        return;
    }
    let ev = EventFd::new(0, EventFdFlags::empty()).unwrap();
    ev.write(eventfd::MAX).unwrap();
    let (mut c, tid) = spawn_with_ready(
        "child_blocks_in_write_until_a_read_makes_room",
        "writer",
        &ev,
    );
    wait_until_asleep(c.id(), tid);
    // The child's 1 cannot have been added yet, in whole or in part.
    assert_eq!(ev.read().unwrap(), eventfd::MAX);
    assert_child_ok(c.wait().unwrap());
    assert_eq!(ev.read().unwrap(), 1);
}

#[test]
fn signal_interrupts_a_blocked_read_with_eintr() {
    if child_role().as_deref() == Some("interrupted") {
        // A handler without SA_RESTART: the read is not restarted.
        common::install_noop_handler(libc::SIGUSR1, false);
        let ev = given(CHILD_EVENT_FD);
        say_ready();
        assert_eq!(ev.read(), Err(Errno::INTR));
        return;
    }
    let ev = EventFd::new(0, EventFdFlags::empty()).unwrap();
    let (mut c, tid) = spawn_with_ready(
        "signal_interrupts_a_blocked_read_with_eintr",
        "interrupted",
        &ev,
    );
    let status = common::interrupt_until_exit(&mut c, tid, libc::SIGUSR1);
    assert_child_ok(status);
    // Nothing was consumed or added.
    assert_eq!(drain(&ev), None);
}

#[test]
fn poll_readable_when_nonzero_writable_below_max() {
    let ev = EventFd::new(0, EventFdFlags::empty()).unwrap();
    let now = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    let revents = |ev: &EventFd| {
        let mut fds = [PollFd::new(ev, PollFlags::IN | PollFlags::OUT)];
        poll(&mut fds, Some(&now)).unwrap();
        fds[0].revents()
    };
    assert_eq!(revents(&ev), PollFlags::OUT, "at 0: writable only");
    ev.write(1).unwrap();
    assert_eq!(revents(&ev), PollFlags::IN | PollFlags::OUT);
    ev.write(eventfd::MAX - 2).unwrap();
    assert_eq!(revents(&ev), PollFlags::IN | PollFlags::OUT, "at MAX - 1");
    ev.write(1).unwrap();
    assert_eq!(
        revents(&ev),
        PollFlags::IN,
        "at MAX: a write of 1 would block"
    );
    assert_eq!(ev.read().unwrap(), eventfd::MAX);
    assert_eq!(revents(&ev), PollFlags::OUT);

    // Waiting for readability with no timeout returns once it is readable.
    ev.write(7).unwrap();
    let mut fds = [PollFd::new(&ev, PollFlags::IN)];
    assert_eq!(poll(&mut fds, None).unwrap(), 1);
    assert_eq!(fds[0].revents(), PollFlags::IN);
}

#[test]
fn owned_fd_round_trip() {
    let ev = EventFd::new(9, EventFdFlags::NONBLOCK).unwrap();
    let raw = std::os::fd::AsRawFd::as_raw_fd(&ev);
    let fd = OwnedFd::from(ev);
    assert_eq!(std::os::fd::AsRawFd::as_raw_fd(&fd), raw);
    let ev = EventFd::from(fd);
    assert_eq!(ev.read().unwrap(), 9);
}

#[test]
fn no_fd_leaks_across_the_api() {
    if child_role().as_deref() == Some("leakcheck") {
        let before = common::open_fds();
        for _ in 0..16 {
            let ev = EventFd::new(1, EventFdFlags::NONBLOCK | EventFdFlags::SEMAPHORE).unwrap();
            ev.write(2).unwrap();
            assert_eq!(ev.read().unwrap(), 1);
            assert_eq!(ev.write(u64::MAX), Err(Errno::INVAL));
            assert_eq!(ev.write(eventfd::MAX), Err(Errno::AGAIN));
            ev.set_nonblocking(false).unwrap();
            let ev = EventFd::from(OwnedFd::from(ev));
            assert_eq!(ev.read().unwrap(), 1);
            let bad = EventFdFlags::from_bits_retain(linux_raw_sys::general::O_RDWR);
            assert!(EventFd::new(0, bad).is_err());
        }
        common::assert_no_fd_leak(&before);
        return;
    }
    common::run_child(child("no_fd_leaks_across_the_api", "leakcheck"));
}

/// Spawns `test` as `role` with a dup of `ev` at `CHILD_EVENT_FD`, and
/// waits until it is ready (see [`common::spawn_until_ready`]).
fn spawn_with_ready(test: &str, role: &str, ev: &EventFd) -> (std::process::Child, u64) {
    let mut cmd = child(test, role);
    common::give_fd(&mut cmd, dup(ev), CHILD_EVENT_FD);
    common::spawn_until_ready(cmd)
}

#[test]
fn every_flag_outside_the_whitelist_is_einval_and_makes_nothing() {
    if child_role().as_deref() == Some("whitelist") {
        let before = common::open_fds();
        // EFD_CLOEXEC among them: it is always set, never a flag here.
        for bit in common::bits_outside(EventFdFlags::all().bits()) {
            let f = EventFdFlags::from_bits_retain(bit);
            assert_eq!(EventFd::new(0, f).err(), Some(Errno::INVAL), "{bit:#x}");
        }
        common::assert_no_fd_leak(&before);
        return;
    }
    common::run_child(child(
        "every_flag_outside_the_whitelist_is_einval_and_makes_nothing",
        "whitelist",
    ));
}
