//! POSIX message queues between real processes: request/response, priority
//! order, the descriptor's properties, notification by signal and by the
//! thread-free netlink socket, and every errno a user can hit.
#![cfg(all(feature = "mq", feature = "std"))]

mod common;

use std::os::fd::AsRawFd;
use std::time::{Duration, SystemTime};

use bareipc::Errno;
use bareipc::mq::posix::{
    self, Access, Capacity, Mode, Mq, Notify, NotifyEvent, NotifySocket, OpenFlags, Priority,
    UnlinkOnDrop,
};
use bareipc::signal::{SigVal, Signal};
use common::{child, child_role};
use rustix::event::{PollFd, PollFlags, Timespec, poll};

/// Long enough never to fire in a passing test, short enough that a
/// broken one fails instead of hanging CI.
const PATIENCE: Duration = Duration::from_secs(30);

/// A fresh name, and a guard that unlinks it.
fn fresh() -> (String, UnlinkOnDrop) {
    let name = format!("/{}", common::unique_name("bareipc-mq"));
    let guard = UnlinkOnDrop::new(&name).unwrap();
    (name, guard)
}

/// A small capacity, so that concurrent tests stay far below the per-user
/// `RLIMIT_MSGQUEUE` (819200 bytes: nine default-sized queues).
fn cap(max_messages: usize, message_size: usize) -> Option<Capacity> {
    Some(Capacity {
        max_messages,
        message_size,
    })
}

/// A new read-write queue with `capacity`, its name and its guard.
fn queue(capacity: Option<Capacity>, flags: OpenFlags) -> (Mq, String, UnlinkOnDrop) {
    let (name, guard) = fresh();
    let q = posix::open_with(
        &name,
        Access::ReadWrite,
        OpenFlags::CREATE | flags | OpenFlags::EXCLUSIVE,
        posix::DEFAULT_MODE,
        capacity,
    )
    .unwrap();
    (q, name, guard)
}

fn prio(p: u32) -> Priority {
    Priority::new(p).unwrap()
}

/// Whether `mq_notify` is missing because this runs under qemu-user (7.2
/// does not implement it): then prints why the test is skipped. A native
/// `ENOSYS` fails the test.
fn notify_unsupported(r: bareipc::Result<()>, test: &str) -> bool {
    if r != Err(Errno::NOSYS) {
        r.unwrap();
        return false;
    }
    assert!(
        under_qemu(),
        "mq_notify is ENOSYS on a natively run arch ({})",
        std::env::consts::ARCH
    );
    eprintln!(
        "NOTE: {test}: skipped: mq_notify is ENOSYS under qemu-user (7.2 does not implement it)"
    );
    true
}

/// The arches the tests run under qemu-user (this host is x86_64; i686
/// runs natively).
fn under_qemu() -> bool {
    matches!(std::env::consts::ARCH, "aarch64" | "riscv64" | "arm")
}

/// Checks `mq_notify` support with a registration that is removed again.
fn notify_supported(q: &Mq, test: &str) -> bool {
    if notify_unsupported(q.notify(Notify::NoEvent), test) {
        return false;
    }
    q.cancel_notify().unwrap();
    true
}

#[test]
fn request_and_response_between_two_processes() {
    const N: u32 = 3;
    if child_role().as_deref() == Some("server") {
        let requests =
            posix::open(common::env("MQ_REQ"), Access::ReadOnly, OpenFlags::empty()).unwrap();
        let replies =
            posix::open(common::env("MQ_REP"), Access::WriteOnly, OpenFlags::empty()).unwrap();
        let mut buf = [0u8; 32];
        for _ in 0..N {
            let (n, p) = requests.receive_timeout(&mut buf, PATIENCE).unwrap();
            buf[..n].make_ascii_uppercase();
            replies.send(&buf[..n], p).unwrap();
        }
        return;
    }
    let (requests, req_name, _g1) = queue(cap(4, 32), OpenFlags::empty());
    let (replies, rep_name, _g2) = queue(cap(4, 32), OpenFlags::empty());
    let mut cmd = child("request_and_response_between_two_processes", "server");
    cmd.env("MQ_REQ", &req_name).env("MQ_REP", &rep_name);
    let mut c = cmd.spawn().unwrap();
    let mut buf = [0u8; 32];
    for i in 0..N {
        let text = format!("request {i}");
        requests.send(text.as_bytes(), prio(i)).unwrap();
        let (n, p) = replies.receive_timeout(&mut buf, PATIENCE).unwrap();
        assert_eq!(&buf[..n], text.to_uppercase().as_bytes());
        assert_eq!(p, prio(i));
    }
    common::assert_child_ok(c.wait().unwrap());
}

#[test]
fn highest_priority_first_then_fifo() {
    let (q, _, _g) = queue(cap(8, 16), OpenFlags::NONBLOCK);
    let sent: [(&[u8], u32); 6] = [
        (b"low", 1),
        (b"top-a", 32767),
        (b"mid", 3),
        (b"top-b", 32767),
        (b"zero", 0),
        (b"", 3),
    ];
    for (text, p) in sent {
        q.send(text, prio(p)).unwrap();
    }
    assert_eq!(q.attr().unwrap().current_messages, 6);
    let mut buf = [0u8; 16];
    let mut got = Vec::new();
    while let Ok((n, p)) = q.receive(&mut buf) {
        got.push((buf[..n].to_vec(), p.get()));
    }
    let want: Vec<(Vec<u8>, u32)> = [
        (&b"top-a"[..], 32767),
        (b"top-b", 32767),
        (b"mid", 3),
        (b"", 3),
        (b"low", 1),
        (b"zero", 0),
    ]
    .iter()
    .map(|&(t, p)| (t.to_vec(), p))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn descriptors_are_close_on_exec_and_not_inherited() {
    if child_role().as_deref() == Some("inspector") {
        for fd in common::env("MQ_FDS").split(',') {
            // SAFETY: only asks whether the number is an open fd.
            let r = unsafe { libc::fcntl(fd.parse().unwrap(), libc::F_GETFD) };
            assert_eq!(r, -1, "fd {fd} was inherited");
        }
        return;
    }
    let (a, name, _g) = queue(cap(1, 8), OpenFlags::empty());
    let b = posix::open(&name, Access::ReadOnly, OpenFlags::NONBLOCK).unwrap();
    let c = posix::open_or_create(&name, Access::WriteOnly, posix::DEFAULT_MODE, None).unwrap();
    let fds: Vec<String> = [&a, &b, &c]
        .iter()
        .map(|q| {
            let flags = rustix::io::fcntl_getfd(*q).unwrap();
            assert!(flags.contains(rustix::io::FdFlags::CLOEXEC));
            q.as_raw_fd().to_string()
        })
        .collect();
    let mut cmd = child(
        "descriptors_are_close_on_exec_and_not_inherited",
        "inspector",
    );
    cmd.env("MQ_FDS", fds.join(","));
    common::run_child(cmd);
}

#[test]
fn pollable_readable_with_a_message_writable_with_room() {
    let (q, _, _g) = queue(cap(2, 8), OpenFlags::NONBLOCK);
    let zero = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    let revents = |q: &Mq| {
        let mut fds = [PollFd::new(q, PollFlags::IN | PollFlags::OUT)];
        poll(&mut fds, Some(&zero)).unwrap();
        fds[0].revents()
    };
    assert_eq!(revents(&q), PollFlags::OUT);
    q.send(b"1", Priority::MIN).unwrap();
    assert_eq!(revents(&q), PollFlags::IN | PollFlags::OUT);
    q.send(b"2", Priority::MIN).unwrap();
    assert_eq!(revents(&q), PollFlags::IN);
    let mut buf = [0u8; 8];
    q.receive(&mut buf).unwrap();
    q.receive(&mut buf).unwrap();
    assert_eq!(revents(&q), PollFlags::OUT);
}

#[test]
fn attributes_and_nonblocking_mode() {
    let (q, name, _g) = queue(cap(3, 16), OpenFlags::empty());
    let a = q.attr().unwrap();
    assert_eq!(
        (
            a.nonblocking,
            a.max_messages,
            a.message_size,
            a.current_messages
        ),
        (false, 3, 16, 0)
    );
    q.send(b"a", Priority::MIN).unwrap();
    q.send(b"b", Priority::MIN).unwrap();
    assert_eq!(q.attr().unwrap().current_messages, 2);

    // FIONBIO changes the flag mq_getattr reports.
    assert!(!q.attr().unwrap().nonblocking);
    q.set_nonblocking(true).unwrap();
    assert!(q.attr().unwrap().nonblocking);
    // The mode is the descriptor's: another descriptor is not affected.
    let other = posix::open(&name, Access::ReadOnly, OpenFlags::empty()).unwrap();
    assert!(!other.attr().unwrap().nonblocking);
    assert!(
        posix::open(&name, Access::ReadOnly, OpenFlags::NONBLOCK)
            .unwrap()
            .attr()
            .unwrap()
            .nonblocking
    );

    // Creating an existing queue opens it as it is.
    let same =
        posix::open_or_create(&name, Access::ReadOnly, posix::DEFAULT_MODE, cap(1, 1)).unwrap();
    let a = same.attr().unwrap();
    assert_eq!(
        (a.max_messages, a.message_size, a.current_messages),
        (3, 16, 2)
    );
}

#[test]
fn default_capacity_is_the_namespace_default() {
    let read = |f: &str| -> usize {
        std::fs::read_to_string(format!("/proc/sys/fs/mqueue/{f}"))
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    };
    let (q, _, _g) = queue(None, OpenFlags::empty());
    let a = q.attr().unwrap();
    assert_eq!(a.max_messages, read("msg_default").min(read("msg_max")));
    assert_eq!(
        a.message_size,
        read("msgsize_default").min(read("msgsize_max"))
    );
}

#[test]
fn unlink_removes_the_name_not_the_open_queue() {
    let (name, _g) = fresh();
    let q = posix::create(&name, Access::ReadWrite, posix::DEFAULT_MODE, cap(2, 8)).unwrap();
    q.send(b"kept", prio(2)).unwrap();
    posix::unlink(&name).unwrap();
    assert_eq!(
        posix::open(&name, Access::ReadOnly, OpenFlags::empty()).err(),
        Some(Errno::NOENT)
    );
    assert_eq!(posix::unlink(&name), Err(Errno::NOENT));
    let mut buf = [0u8; 8];
    assert_eq!(q.receive(&mut buf).unwrap(), (4, prio(2)));
    // The name is free again.
    posix::create(&name, Access::ReadOnly, posix::DEFAULT_MODE, cap(1, 1)).unwrap();
}

#[test]
fn longest_name_works_one_more_byte_is_enametoolong() {
    let longest = format!(
        "/{}",
        "n".repeat(posix::NAME_MAX - 12) + &format!("{:012}", std::process::id())
    );
    assert_eq!(longest.len(), 256);
    let _g = UnlinkOnDrop::new(&longest).unwrap();
    let q = posix::create(&longest, Access::ReadWrite, posix::DEFAULT_MODE, cap(1, 4)).unwrap();
    q.send(b"ok", Priority::MIN).unwrap();
    posix::unlink(&longest).unwrap();

    let too_long = format!("{longest}n");
    assert_eq!(
        posix::open_or_create(&too_long, Access::ReadWrite, posix::DEFAULT_MODE, cap(1, 4)).err(),
        Some(Errno::NAMETOOLONG)
    );
    assert_eq!(
        posix::open(&too_long, Access::ReadOnly, OpenFlags::empty()).err(),
        Some(Errno::NAMETOOLONG)
    );
    assert_eq!(posix::unlink(&too_long), Err(Errno::NAMETOOLONG));
}

#[test]
fn bad_names_priorities_deadlines_and_sizes_are_einval() {
    let suffix = common::unique_name("x");
    // The errnos of glibc's mq_open / mq_unlink and the kernel's lookup.
    let bad = [
        (String::new(), Errno::INVAL),
        (suffix.clone(), Errno::INVAL),
        ("/".into(), Errno::NOENT),
        (format!("//{suffix}"), Errno::ACCESS),
        (format!("/{suffix}/x"), Errno::ACCESS),
        (format!("/{suffix}/"), Errno::ACCESS),
        ("/.".into(), Errno::ACCESS),
        ("/..".into(), Errno::ACCESS),
        (format!("/{suffix}\0x"), Errno::INVAL),
    ];
    for (name, e) in &bad {
        let create = posix::open_or_create(name, Access::ReadWrite, posix::DEFAULT_MODE, cap(1, 4));
        assert_eq!(create.err(), Some(*e), "{name:?}");
        let open = posix::open(name, Access::ReadOnly, OpenFlags::empty());
        assert_eq!(open.err(), Some(*e), "{name:?}");
        assert_eq!(posix::unlink(name), Err(*e), "{name:?}");
    }

    // Priorities: 32768 (MQ_PRIO_MAX) and beyond.
    assert_eq!(Priority::new(32768), Err(Errno::INVAL));
    assert_eq!(Priority::new(u32::MAX), Err(Errno::INVAL));

    // Capacities: zero (the kernel), beyond a C long (before the syscall).
    let (name, _g) = fresh();
    for c in [cap(0, 8), cap(1, 0), cap(usize::MAX, 1)] {
        let r = posix::open_or_create(&name, Access::ReadWrite, posix::DEFAULT_MODE, c);
        assert_eq!(r.err(), Some(Errno::INVAL), "{c:?}");
    }
    // A mode with bits that are not permissions; EXCLUSIVE on open.
    let r = posix::open_with(
        &name,
        Access::ReadWrite,
        OpenFlags::CREATE | OpenFlags::empty(),
        Mode::from_bits_retain(0o1600),
        None,
    );
    assert_eq!(r.err(), Some(Errno::INVAL));
    let (q, name, _g) = queue(cap(2, 8), OpenFlags::empty());
    assert_eq!(
        posix::open(&name, Access::ReadOnly, OpenFlags::EXCLUSIVE).err(),
        Some(Errno::INVAL)
    );

    // Deadlines the kernel refuses before anything else, even with room
    // to send and a message to receive.
    q.send(b"stays", Priority::MIN).unwrap();
    let mut buf = [0u8; 8];
    for bad in [
        Timespec {
            tv_sec: 0,
            tv_nsec: 1_000_000_000,
        },
        Timespec {
            tv_sec: 0,
            tv_nsec: -1,
        },
        Timespec {
            tv_sec: -1,
            tv_nsec: 0,
        },
        Timespec {
            tv_sec: 0,
            tv_nsec: (1 << 32) + 5,
        },
    ] {
        assert_eq!(
            q.send_until(b"x", Priority::MIN, &bad),
            Err(Errno::INVAL),
            "{bad:?}"
        );
        assert_eq!(
            q.receive_until(&mut buf, &bad),
            Err(Errno::INVAL),
            "{bad:?}"
        );
    }
    assert_eq!(q.attr().unwrap().current_messages, 1);
}

#[test]
fn exclusive_create_of_an_existing_name_is_eexist() {
    let (q, name, _g) = queue(cap(1, 4), OpenFlags::empty());
    for access in [Access::ReadOnly, Access::WriteOnly, Access::ReadWrite] {
        let r = posix::create(&name, access, posix::DEFAULT_MODE, cap(1, 4));
        assert_eq!(r.err(), Some(Errno::EXIST));
    }
    drop(q);
}

#[test]
fn open_of_a_missing_name_is_enoent() {
    let (name, _g) = fresh();
    assert_eq!(
        posix::open(&name, Access::ReadWrite, OpenFlags::empty()).err(),
        Some(Errno::NOENT)
    );
}

#[test]
fn send_on_a_read_only_and_receive_on_a_write_only_descriptor_is_ebadf() {
    let (_q, name, _g) = queue(cap(1, 4), OpenFlags::empty());
    let r = posix::open(&name, Access::ReadOnly, OpenFlags::NONBLOCK).unwrap();
    let w = posix::open(&name, Access::WriteOnly, OpenFlags::NONBLOCK).unwrap();
    assert_eq!(r.send(b"x", Priority::MIN), Err(Errno::BADF));
    let mut buf = [0u8; 4];
    assert_eq!(w.receive(&mut buf).err(), Some(Errno::BADF));
}

#[test]
fn short_receive_buffer_and_long_message_are_emsgsize() {
    let (q, _, _g) = queue(cap(2, 16), OpenFlags::NONBLOCK);
    q.send(b"abc", Priority::MIN).unwrap();
    // The buffer must hold mq_msgsize (16), not the 3 bytes waiting.
    let mut buf = [0u8; 17];
    assert_eq!(q.receive(&mut buf[..15]).err(), Some(Errno::MSGSIZE));
    assert_eq!(q.attr().unwrap().current_messages, 1, "nothing was taken");
    assert_eq!(q.receive(&mut buf[..16]).unwrap(), (3, Priority::MIN));
    // Sending more than mq_msgsize.
    assert_eq!(q.send(&buf[..17], Priority::MIN), Err(Errno::MSGSIZE));
    q.send(&buf[..16], Priority::MIN).unwrap();
}

#[test]
fn nonblocking_empty_and_full_are_eagain() {
    let (q, _, _g) = queue(cap(1, 4), OpenFlags::NONBLOCK);
    let mut buf = [0u8; 4];
    assert_eq!(q.receive(&mut buf).err(), Some(Errno::AGAIN));
    q.send(b"one", Priority::MIN).unwrap();
    assert_eq!(q.send(b"two", Priority::MAX), Err(Errno::AGAIN));
    assert_eq!(q.receive(&mut buf).unwrap(), (3, Priority::MIN));
    // Timed calls on a non-blocking descriptor do not wait either.
    assert_eq!(
        q.receive_timeout(&mut buf, PATIENCE).err(),
        Some(Errno::AGAIN)
    );
}

#[test]
fn deadlines_pass_with_etimedout() {
    const WAIT: Duration = Duration::from_millis(50);
    let (q, _, _g) = queue(cap(1, 4), OpenFlags::empty());
    let mut buf = [0u8; 4];
    // The deadline is on CLOCK_REALTIME, so the wait is measured there: a
    // virtual machine's realtime clock can run fast against the monotonic
    // one while it is being slewed (0.5 % seen here), which makes the wait
    // look short on an Instant.
    let elapsed = |start: SystemTime| start.elapsed().unwrap_or_default();

    let start = SystemTime::now();
    assert_eq!(
        q.receive_timeout(&mut buf, WAIT).err(),
        Some(Errno::TIMEDOUT)
    );
    assert!(elapsed(start) >= WAIT, "{:?}", elapsed(start));

    q.send(b"full", Priority::MIN).unwrap();
    let start = SystemTime::now();
    assert_eq!(
        q.send_timeout(b"more", Priority::MIN, WAIT),
        Err(Errno::TIMEDOUT)
    );
    assert!(elapsed(start) >= WAIT, "{:?}", elapsed(start));

    // A deadline in the past (1970): fails at once when it must wait, and
    // does not matter when it need not.
    let past = Timespec {
        tv_sec: 1,
        tv_nsec: 0,
    };
    assert_eq!(
        q.send_until(b"more", Priority::MIN, &past),
        Err(Errno::TIMEDOUT)
    );
    assert_eq!(
        q.receive_until(&mut buf, &past).unwrap(),
        (4, Priority::MIN)
    );
    assert_eq!(
        q.receive_until(&mut buf, &past).err(),
        Some(Errno::TIMEDOUT)
    );
    // The largest timeout saturates instead of failing.
    q.send_timeout(b"ok", Priority::MIN, Duration::MAX).unwrap();
}

#[test]
fn a_second_uid_is_refused_with_eacces() {
    if child_role().as_deref() == Some("stranger") {
        let private = common::env("MQ_PRIVATE");
        for access in [Access::ReadOnly, Access::WriteOnly, Access::ReadWrite] {
            let r = posix::open(&private, access, OpenFlags::empty());
            assert_eq!(r.err(), Some(Errno::ACCESS), "{access:?}");
        }
        // Only the owner may remove a name (the directory is sticky): the
        // kernel's EPERM is EACCES, as glibc, musl and POSIX say
        // (LTP mq_unlink01, "unlink as nobody").
        assert_eq!(posix::unlink(&private), Err(Errno::ACCESS));
        let shared = common::env("MQ_SHARED");
        let q = posix::open(&shared, Access::ReadOnly, OpenFlags::NONBLOCK).unwrap();
        let mut buf = [0u8; 8];
        assert_eq!(q.receive(&mut buf).unwrap().0, 6);
        let r = posix::open(&shared, Access::WriteOnly, OpenFlags::empty());
        assert_eq!(r.err(), Some(Errno::ACCESS));
        return;
    }
    let Some(mut cmd) =
        common::child_as_other_user("a_second_uid_is_refused_with_eacces", "stranger")
    else {
        return;
    };
    let (_private, private_name, _g1) = queue(cap(1, 8), OpenFlags::empty());
    let (shared_name, _g2) = fresh();
    let shared = posix::open_with(
        &shared_name,
        Access::ReadWrite,
        OpenFlags::CREATE | OpenFlags::EXCLUSIVE,
        Mode::from_bits_retain(0o644),
        cap(1, 8),
    )
    .unwrap();
    shared.send(b"public", Priority::MIN).unwrap();
    cmd.env("MQ_PRIVATE", &private_name)
        .env("MQ_SHARED", &shared_name);
    common::run_child(cmd);
}

#[test]
fn socket_notification_fires_once_on_empty_to_non_empty() {
    const T: &str = "socket_notification_fires_once_on_empty_to_non_empty";
    let (q, _, _g) = queue(cap(4, 8), OpenFlags::NONBLOCK);
    let sock = NotifySocket::new().unwrap();
    let cookie_a = *b"registration A, with 31 bytes.!";
    if notify_unsupported(
        q.notify(Notify::Socket {
            socket: &sock,
            cookie: cookie_a,
        }),
        T,
    ) {
        return;
    }
    assert_eq!(
        sock.try_receive(),
        Err(Errno::AGAIN),
        "nothing has arrived yet"
    );

    q.send(b"1", Priority::MIN).unwrap();
    let n = sock.receive_timeout(PATIENCE).unwrap();
    assert_eq!((n.cookie, n.event), (cookie_a, NotifyEvent::Message));

    // Used up: neither a message to the non-empty queue nor, after
    // draining, one to the empty queue fires again.
    q.send(b"2", Priority::MIN).unwrap();
    let mut buf = [0u8; 8];
    q.receive(&mut buf).unwrap();
    q.receive(&mut buf).unwrap();
    q.send(b"3", Priority::MIN).unwrap();
    assert_eq!(sock.try_receive(), Err(Errno::AGAIN));

    // Registered again while the queue holds a message: only the next
    // empty to non-empty transition counts.
    let cookie_b = [0xb; posix::COOKIE_LEN];
    q.notify(Notify::Socket {
        socket: &sock,
        cookie: cookie_b,
    })
    .unwrap();
    q.send(b"4", Priority::MIN).unwrap();
    assert_eq!(sock.try_receive(), Err(Errno::AGAIN));
    q.receive(&mut buf).unwrap();
    q.receive(&mut buf).unwrap();
    q.send(b"5", Priority::MIN).unwrap();
    let n = sock.receive_timeout(PATIENCE).unwrap();
    assert_eq!((n.cookie, n.event), (cookie_b, NotifyEvent::Message));

    // Cancelling a registration tells the socket so.
    q.notify(Notify::Socket {
        socket: &sock,
        cookie: cookie_a,
    })
    .unwrap();
    q.cancel_notify().unwrap();
    let n = sock.receive_timeout(PATIENCE).unwrap();
    assert_eq!((n.cookie, n.event), (cookie_a, NotifyEvent::Removed));
    // Cancelling with nothing registered does nothing.
    q.cancel_notify().unwrap();
    assert_eq!(sock.try_receive(), Err(Errno::AGAIN));
    assert_eq!(
        sock.receive_timeout(Duration::from_millis(10)),
        Err(Errno::TIMEDOUT)
    );
}

#[test]
fn the_socket_is_pollable_and_close_on_exec() {
    const T: &str = "the_socket_is_pollable_and_close_on_exec";
    let (q, _, _g) = queue(cap(1, 8), OpenFlags::NONBLOCK);
    let sock = NotifySocket::new().unwrap();
    assert!(
        rustix::io::fcntl_getfd(&sock)
            .unwrap()
            .contains(rustix::io::FdFlags::CLOEXEC)
    );
    if notify_unsupported(
        q.notify(Notify::Socket {
            socket: &sock,
            cookie: [1; 31],
        }),
        T,
    ) {
        return;
    }
    let zero = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    let mut fds = [PollFd::new(&sock, PollFlags::IN)];
    assert_eq!(poll(&mut fds, Some(&zero)).unwrap(), 0);
    q.send(b"x", Priority::MIN).unwrap();
    assert_eq!(poll(&mut fds, Some(&zero)).unwrap(), 1);
    assert_eq!(sock.receive().unwrap().event, NotifyEvent::Message);
}

#[test]
fn a_second_registration_is_ebusy() {
    const T: &str = "a_second_registration_is_ebusy";
    if child_role().as_deref() == Some("rival") {
        let q = posix::open(common::env("MQ_NAME"), Access::ReadOnly, OpenFlags::empty()).unwrap();
        assert_eq!(q.notify(Notify::NoEvent), Err(Errno::BUSY));
        // Not the owner: cancelling does nothing.
        q.cancel_notify().unwrap();
        return;
    }
    let (q, name, _g) = queue(cap(1, 8), OpenFlags::NONBLOCK);
    if notify_unsupported(q.notify(Notify::NoEvent), T) {
        return;
    }
    let sock = NotifySocket::new().unwrap();
    // The owner itself cannot register twice either.
    assert_eq!(q.notify(Notify::NoEvent), Err(Errno::BUSY));
    assert_eq!(
        q.notify(Notify::Socket {
            socket: &sock,
            cookie: [0; 31]
        }),
        Err(Errno::BUSY)
    );
    let mut cmd = child(T, "rival");
    cmd.env("MQ_NAME", &name);
    common::run_child(cmd);
    // Still ours.
    assert_eq!(q.notify(Notify::NoEvent), Err(Errno::BUSY));
    q.cancel_notify().unwrap();
    q.notify(Notify::NoEvent).unwrap();
}

#[test]
fn no_event_registration_is_used_up_by_the_first_message() {
    const T: &str = "no_event_registration_is_used_up_by_the_first_message";
    let (q, _, _g) = queue(cap(1, 8), OpenFlags::NONBLOCK);
    if notify_unsupported(q.notify(Notify::NoEvent), T) {
        return;
    }
    assert_eq!(q.notify(Notify::NoEvent), Err(Errno::BUSY));
    q.send(b"x", Priority::MIN).unwrap();
    q.notify(Notify::NoEvent).unwrap();
}

#[test]
fn closing_any_descriptor_of_the_queue_cancels_the_registration() {
    const T: &str = "closing_any_descriptor_of_the_queue_cancels_the_registration";
    let (q, name, _g) = queue(cap(1, 8), OpenFlags::NONBLOCK);
    let sock = NotifySocket::new().unwrap();
    let cookie = *b"cancelled by a close, not by me";
    if notify_unsupported(
        q.notify(Notify::Socket {
            socket: &sock,
            cookie,
        }),
        T,
    ) {
        return;
    }
    drop(posix::open(&name, Access::ReadOnly, OpenFlags::empty()).unwrap());
    let n = sock.receive_timeout(PATIENCE).unwrap();
    assert_eq!((n.cookie, n.event), (cookie, NotifyEvent::Removed));
    q.notify(Notify::NoEvent).unwrap();
}

#[test]
fn a_blocked_receiver_takes_the_message_and_nothing_fires() {
    const T: &str = "a_blocked_receiver_takes_the_message_and_nothing_fires";
    if child_role().as_deref() == Some("receiver") {
        let q = posix::open(common::env("MQ_NAME"), Access::ReadOnly, OpenFlags::empty()).unwrap();
        common::say_ready();
        let mut buf = [0u8; 8];
        let (n, _) = q.receive_timeout(&mut buf, PATIENCE).unwrap();
        assert_eq!(&buf[..n], b"direct");
        return;
    }
    let (q, name, _g) = queue(cap(1, 8), OpenFlags::NONBLOCK);
    let sock = NotifySocket::new().unwrap();
    if notify_unsupported(
        q.notify(Notify::Socket {
            socket: &sock,
            cookie: [2; 31],
        }),
        T,
    ) {
        return;
    }
    let mut cmd = child(T, "receiver");
    cmd.env("MQ_NAME", &name);
    let (mut c, tid) = common::spawn_until_ready(cmd);
    common::wait_until_asleep(c.id(), tid);
    q.send(b"direct", Priority::MIN).unwrap();
    common::assert_child_ok(c.wait().unwrap());
    // The message went straight to the receiver: no notification, and the
    // registration is still there.
    assert_eq!(sock.try_receive(), Err(Errno::AGAIN));
    assert_eq!(q.notify(Notify::NoEvent), Err(Errno::BUSY));
}

#[test]
fn signal_notification_carries_a_value() {
    const T: &str = "signal_notification_carries_a_value";
    const VALUE: usize = 0x5eed_cafe;
    if child_role().as_deref() == Some("waiter") {
        // SIGUSR1 arrives blocked (the parent blocked it before exec, so
        // every thread here has it blocked and none dies of it).
        // SAFETY: plain libc calls on local, initialised sigsets.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, libc::SIGUSR1);
            let mut old: libc::sigset_t = std::mem::zeroed();
            libc::pthread_sigmask(libc::SIG_BLOCK, std::ptr::null(), &mut old);
            assert_eq!(libc::sigismember(&old, libc::SIGUSR1), 1);

            let q = posix::open(
                common::env("MQ_NAME"),
                Access::ReadOnly,
                OpenFlags::NONBLOCK,
            )
            .unwrap();
            q.notify(Notify::Signal {
                signal: Signal::USR1,
                value: SigVal::from_addr(VALUE),
            })
            .unwrap();
            common::say_ready();

            let mut info: libc::siginfo_t = std::mem::zeroed();
            let timeout = libc::timespec {
                tv_sec: PATIENCE.as_secs() as _,
                tv_nsec: 0,
            };
            assert_eq!(libc::sigtimedwait(&set, &mut info, &timeout), libc::SIGUSR1);
            assert_eq!(info.si_code, libc::SI_MESGQ);
            assert_eq!(info.si_value().sival_ptr as usize, VALUE);
            assert_eq!(info.si_pid(), libc::getppid(), "the sender's pid");
            assert_eq!(info.si_uid(), libc::getuid());
            let mut buf = [0u8; 8];
            assert_eq!(q.receive(&mut buf).unwrap().0, 4);
        }
        return;
    }
    let (q, name, _g) = queue(cap(1, 8), OpenFlags::NONBLOCK);
    if !notify_supported(&q, T) {
        return;
    }
    let mut cmd = child(T, "waiter");
    cmd.env("MQ_NAME", &name);
    // SAFETY: between fork and exec only sigprocmask, async-signal-safe,
    // on a set built inside the closure.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut cmd, || {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, libc::SIGUSR1);
            libc::sigprocmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
            Ok(())
        });
    }
    let (mut c, _) = common::spawn_until_ready(cmd);
    q.send(b"ping", Priority::MIN).unwrap();
    common::assert_child_ok(c.wait().unwrap());
}

#[test]
fn a_signal_interrupts_a_blocked_receive_with_eintr() {
    const T: &str = "a_signal_interrupts_a_blocked_receive_with_eintr";
    if child_role().as_deref() == Some("interrupted") {
        // Without SA_RESTART the receive is not restarted (with it, it
        // would be: the child would wait on until its deadline).
        common::install_noop_handler(libc::SIGUSR1, false);
        let q = posix::open(common::env("MQ_NAME"), Access::ReadOnly, OpenFlags::empty()).unwrap();
        common::say_ready();
        let mut buf = [0u8; 8];
        assert_eq!(
            q.receive_timeout(&mut buf, PATIENCE).err(),
            Some(Errno::INTR)
        );
        return;
    }
    let (q, name, _g) = queue(cap(1, 8), OpenFlags::NONBLOCK);
    let mut cmd = child(T, "interrupted");
    cmd.env("MQ_NAME", &name);
    let (mut c, tid) = common::spawn_until_ready(cmd);
    common::assert_child_ok(common::interrupt_until_exit(&mut c, tid, libc::SIGUSR1));
    assert_eq!(q.attr().unwrap().current_messages, 0);
}
