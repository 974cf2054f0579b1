//! Audit cases for `socket`.

use std::time::Duration;

use bareipc::Errno;
use bareipc::socket::{
    self, BindOptions, Credentials, MAX_FDS, ReceiveFlags, SendFlags, Shutdown, SocketFlags,
    SocketType, UnixAddr,
};
use rustix::fd::{AsFd, OwnedFd};

use crate::common::{TempDir, unique_name};
use crate::{audit, audit_drop};

pub fn run() {
    addresses_and_credentials();
    binding();
    data();
    fds();
    options();
}

fn addresses_and_credentials() {
    let _ = audit("socket::UnixAddr::path", &[], || {
        UnixAddr::path("/tmp/x.sock").unwrap()
    });
    audit("socket::UnixAddr::path", &[], || {
        assert_eq!(UnixAddr::path("").err(), Some(Errno::INVAL))
    });
    let _ = audit("socket::UnixAddr::abstract_name", &[], || {
        UnixAddr::abstract_name(b"x").unwrap()
    });
    audit("socket::UnixAddr::abstract_name", &[], || {
        assert_eq!(UnixAddr::abstract_name(b"").err(), Some(Errno::INVAL))
    });
    let me = audit(
        "socket::Credentials::current",
        &["getpid", "geteuid", "getegid"],
        Credentials::current,
    );
    assert_eq!(
        me.pid.map(|p| p.as_raw_nonzero().get() as u32),
        Some(std::process::id())
    );
}

fn binding() {
    let tmp = TempDir::new("bareipc-audit-socket");
    let path = tmp.join("s");
    let addr = UnixAddr::path(&*path).unwrap();
    let opts = BindOptions::new();
    let stale = opts.remove_stale(true);

    // A path: the mode on the socket, then bind.
    let l = audit(
        "socket::listen",
        &["socket", "fchmod", "bind", "listen"],
        || socket::listen(&addr, SocketType::Stream, opts).unwrap(),
    );
    let c = audit("socket::connect", &["socket", "connect"], || {
        socket::connect(&addr, SocketType::Stream, SocketFlags::empty()).unwrap()
    });
    let a = audit("socket::Listener::accept", &["accept4"], || {
        l.accept().unwrap()
    });
    let c2 = socket::connect(&addr, SocketType::Stream, SocketFlags::empty()).unwrap();
    let a2 = audit("socket::Listener::accept_with", &["accept4"], || {
        l.accept_with(SocketFlags::NONBLOCK).unwrap()
    });
    let ms = Duration::from_millis(1);
    audit("socket::Listener::try_accept", &["ppoll"], || {
        assert_eq!(l.try_accept().err(), Some(Errno::AGAIN))
    });
    audit("socket::Listener::accept_timeout", &["ppoll"], || {
        assert_eq!(l.accept_timeout(ms).err(), Some(Errno::TIMEDOUT))
    });
    let c3 = socket::connect(&addr, SocketType::Stream, SocketFlags::empty()).unwrap();
    let a3 = audit(
        "socket::Listener::try_accept",
        &["ppoll", "accept4"],
        || l.try_accept().unwrap(),
    );
    let c4 = socket::connect(&addr, SocketType::Stream, SocketFlags::empty()).unwrap();
    let a4 = audit(
        "socket::Listener::accept_timeout",
        &["ppoll", "accept4"],
        || l.accept_timeout(Duration::from_secs(1)).unwrap(),
    );
    drop((c3, a3, c4, a4));
    l.set_nonblocking(true).unwrap();
    audit("socket::Listener::accept", &["accept4"], || {
        assert_eq!(l.accept().err(), Some(Errno::AGAIN))
    });
    drop((c, a2, c2));
    audit_drop("socket::Socket", &["close"], a);
    // The name is taken: the new socket is closed again.
    audit(
        "socket::listen",
        &["socket", "fchmod", "bind", "close"],
        || {
            assert_eq!(
                socket::listen(&addr, SocketType::Stream, opts).err(),
                Some(Errno::ADDRINUSE)
            )
        },
    );
    // A live listener is not stale: the probe connects, nothing is
    // removed, and the bind fails.
    audit(
        "socket::listen",
        &[
            "socket",
            "fchmod",
            "openat",
            "newfstatat",
            "socket",
            "connect",
            "close",
            "close",
            "bind",
            "close",
        ],
        || {
            assert_eq!(
                socket::listen(&addr, SocketType::Stream, stale).err(),
                Some(Errno::ADDRINUSE)
            )
        },
    );
    // SO_PASSRIGHTS set before the bind (an abstract name: no fchmod).
    let name = UnixAddr::abstract_name(b"bareipc-audit-rights").unwrap();
    let _ = audit(
        "socket::listen",
        &["socket", "setsockopt", "bind", "listen"],
        || socket::listen(&name, SocketType::Stream, opts.pass_rights(false)),
    );
    let _ = audit("socket::bind", &["socket", "setsockopt", "bind"], || {
        socket::bind(&name, SocketType::Datagram, opts.pass_rights(false))
    });
    // A mode for an abstract name: refused before any syscall.
    audit("socket::listen", &[], || {
        let name = UnixAddr::abstract_name(b"bareipc-audit-mode").unwrap();
        let opts = opts.mode(rustix::fs::Mode::from_raw_mode(0o666));
        assert_eq!(
            socket::listen(&name, SocketType::Stream, opts).err(),
            Some(Errno::INVAL)
        )
    });
    audit("socket::listen", &[], || {
        assert_eq!(
            socket::listen(&addr, SocketType::Datagram, opts).err(),
            Some(Errno::OPNOTSUPP)
        )
    });
    audit_drop("socket::Listener", &["close"], l);
    // The listener is gone, its file stays: a stale socket to remove.
    let l = audit(
        "socket::listen",
        &[
            "socket",
            "fchmod",
            "openat",
            "newfstatat",
            "socket",
            "connect",
            "close",
            "unlinkat",
            "close",
            "bind",
            "listen",
        ],
        || socket::listen(&addr, SocketType::SeqPacket, stale).unwrap(),
    );
    drop(l);
    let d = audit(
        "socket::bind",
        &[
            "socket",
            "fchmod",
            "openat",
            "newfstatat",
            "socket",
            "connect",
            "close",
            "unlinkat",
            "close",
            "bind",
        ],
        || socket::bind(&addr, SocketType::Datagram, stale).unwrap(),
    );
    drop(d);
    audit(
        "socket::bind",
        &["socket", "fchmod", "bind", "close"],
        || {
            assert_eq!(
                socket::bind(&addr, SocketType::Datagram, opts).err(),
                Some(Errno::ADDRINUSE)
            )
        },
    );
    audit("socket::unlink", &["unlinkat"], || {
        socket::unlink(&*path).unwrap()
    });
    audit("socket::unlink", &["unlinkat"], || {
        assert_eq!(socket::unlink(&*path), Err(Errno::NOENT))
    });
    let d = audit("socket::bind", &["socket", "fchmod", "bind"], || {
        socket::bind(&addr, SocketType::Datagram, opts).unwrap()
    });
    drop(d);
    // Not a socket: left in place, and the bind fails.
    socket::unlink(&*path).unwrap();
    std::fs::write(&path, b"").unwrap();
    audit(
        "socket::bind",
        &[
            "socket",
            "fchmod",
            "openat",
            "newfstatat",
            "close",
            "bind",
            "close",
        ],
        || {
            assert_eq!(
                socket::bind(&addr, SocketType::Datagram, stale).err(),
                Some(Errno::ADDRINUSE)
            )
        },
    );
    // A path through a regular file: opening its directory fails, the
    // socket is closed.
    let notdir = UnixAddr::path(&*path.join("s")).unwrap();
    audit(
        "socket::bind",
        &["socket", "fchmod", "openat", "close"],
        || {
            assert_eq!(
                socket::bind(&notdir, SocketType::Datagram, stale).err(),
                Some(Errno::NOTDIR)
            )
        },
    );

    // An abstract name: no file.
    let name = unique_name("bareipc-audit-socket");
    let abs = UnixAddr::abstract_name(name.as_bytes()).unwrap();
    let l = audit("socket::listen", &["socket", "bind", "listen"], || {
        socket::listen(&abs, SocketType::Stream, stale).unwrap()
    });
    drop(l);
    let d = audit("socket::bind", &["socket", "bind"], || {
        socket::bind(&abs, SocketType::Datagram, stale).unwrap()
    });
    // Nothing listens on it (a datagram name): the new socket is closed again.
    audit("socket::connect", &["socket", "connect", "close"], || {
        assert_eq!(
            socket::connect(&abs, SocketType::Stream, SocketFlags::empty()).err(),
            Some(Errno::CONNREFUSED)
        )
    });
    let u = socket::bind(
        &UnixAddr::abstract_name(unique_name("bareipc-audit-socket").as_bytes()).unwrap(),
        SocketType::Datagram,
        opts,
    )
    .unwrap();
    audit("socket::Socket::send_to", &["sendto"], || {
        assert_eq!(u.send_to(b"dgram", &abs), Ok(5))
    });
    let mut buf = [0u8; 8];
    audit("socket::Socket::receive", &["recvfrom"], || {
        assert_eq!(d.receive(&mut buf), Ok(5))
    });
}

fn data() {
    let (a, b) = audit("socket::pair", &["socketpair"], || {
        socket::pair(SocketType::SeqPacket, SocketFlags::empty()).unwrap()
    });
    let mut buf = [0u8; 8];
    audit("socket::Socket::send", &["sendto"], || {
        assert_eq!(a.send(b"one"), Ok(3))
    });
    audit("socket::Socket::send_with", &["sendto"], || {
        assert_eq!(a.send_with(b"two", SendFlags::DONTWAIT), Ok(3))
    });
    audit("socket::Socket::peek", &["recvfrom"], || {
        assert_eq!(b.peek(&mut buf), Ok(3))
    });
    audit("socket::Socket::receive", &["recvfrom"], || {
        assert_eq!(b.receive(&mut buf), Ok(3))
    });
    audit("socket::Socket::receive_with", &["recvfrom"], || {
        assert_eq!(b.receive_with(&mut buf, ReceiveFlags::DONTWAIT), Ok(3))
    });
    audit("socket::Socket::receive_with", &["recvfrom"], || {
        assert_eq!(
            b.receive_with(&mut buf, ReceiveFlags::DONTWAIT),
            Err(Errno::AGAIN)
        )
    });
    let ms = Duration::from_millis(1);
    audit("socket::Socket::try_receive", &["recvfrom"], || {
        assert_eq!(b.try_receive(&mut buf), Err(Errno::AGAIN))
    });
    audit("socket::Socket::receive_timeout", &["ppoll"], || {
        assert_eq!(b.receive_timeout(&mut buf, ms), Err(Errno::TIMEDOUT))
    });
    audit("socket::Socket::try_send", &["sendto"], || {
        assert_eq!(a.try_send(b"three"), Ok(5))
    });
    audit("socket::Socket::send_timeout", &["ppoll", "sendto"], || {
        assert_eq!(a.send_timeout(b"four", ms), Ok(4))
    });
    audit(
        "socket::Socket::receive_timeout",
        &["ppoll", "recvfrom"],
        || assert_eq!(b.receive_timeout(&mut buf, ms), Ok(5)),
    );
    assert_eq!(b.try_receive(&mut buf), Ok(4));
    audit("socket::Socket::shutdown", &["shutdown"], || {
        a.shutdown(Shutdown::Write).unwrap()
    });
    audit("socket::Socket::send", &["sendto"], || {
        assert_eq!(a.send(b"x"), Err(Errno::PIPE))
    });
}

fn fds() {
    let (a, b) = socket::pair(SocketType::Stream, SocketFlags::empty()).unwrap();
    let (r, w) = bareipc::pipe::pipe().unwrap();
    let three = [r.as_fd(), w.as_fd(), r.as_fd()];
    let mut buf = [0u8; 8];

    audit("socket::Socket::send_msg", &["sendmsg"], || {
        assert_eq!(
            a.send_msg(b"f", &three[..1], None, SendFlags::empty()),
            Ok(1)
        )
    });
    let mut got: heapless::Vec<OwnedFd, 4> = heapless::Vec::new();
    audit("socket::Socket::receive_msg", &["recvmsg"], || {
        assert_eq!(
            b.receive_msg(&mut buf, &mut got, ReceiveFlags::empty())
                .unwrap()
                .fds,
            1
        )
    });
    drop(got);

    // No data with an fd: the type decides (a stream would drop the fd).
    audit("socket::Socket::send_msg", &["getsockopt"], || {
        assert_eq!(
            a.send_msg(b"", &three[..1], None, SendFlags::empty()),
            Err(Errno::INVAL)
        )
    });
    let (qa, qb) = socket::pair(SocketType::SeqPacket, SocketFlags::empty()).unwrap();
    audit(
        "socket::Socket::send_msg",
        &["getsockopt", "sendmsg"],
        || {
            assert_eq!(
                qa.send_msg(b"", &three[..1], None, SendFlags::empty()),
                Ok(0)
            )
        },
    );
    let mut one: heapless::Vec<OwnedFd, 1> = heapless::Vec::new();
    qb.receive_msg(&mut buf, &mut one, ReceiveFlags::empty())
        .unwrap();
    drop((one, qa, qb));

    // More fds than room: an error, and every fd that arrived is closed.
    a.send_msg(b"g", &three, None, SendFlags::empty()).unwrap();
    let mut one: heapless::Vec<OwnedFd, 1> = heapless::Vec::new();
    audit(
        "socket::Socket::receive_msg",
        &["recvmsg", "close", "close", "close"],
        || {
            let m = b.receive_msg(&mut buf, &mut one, ReceiveFlags::empty());
            assert_eq!(m.err(), Some(Errno::NOBUFS));
            assert!(one.is_empty());
        },
    );
    drop(one);

    // Batches.
    let (da, db) = socket::pair(SocketType::Datagram, SocketFlags::empty()).unwrap();
    let sent = audit("socket::Socket::send_batch", &["sendmmsg"], || {
        da.send_batch(&[b"1", b"22"], SendFlags::empty()).unwrap()
    });
    assert_eq!(sent, 2);
    audit("socket::Socket::send_batch", &[], || {
        assert_eq!(da.send_batch(&[], SendFlags::empty()), Ok(0))
    });
    let (mut x, mut y, mut z) = ([0u8; 4], [0u8; 4], [0u8; 4]);
    let mut lens = [Ok(0); 3];
    let n = audit("socket::Socket::receive_batch", &["recvmmsg"], || {
        db.receive_batch(
            &mut [&mut x, &mut y, &mut z],
            &mut lens,
            ReceiveFlags::empty(),
        )
        .unwrap()
    });
    assert_eq!((n, lens[0], lens[1]), (2, Ok(1), Ok(2)));
    audit("socket::Socket::receive_batch", &[], || {
        assert_eq!(
            db.receive_batch(&mut [&mut x, &mut y], &mut lens[..1], ReceiveFlags::empty()),
            Err(Errno::INVAL)
        )
    });
    drop((da, db));

    // SO_PASSPIDFD: the sender's pidfd comes with the message.
    let passed = audit("socket::Socket::set_pass_pidfd", &["setsockopt"], || {
        b.set_pass_pidfd(true)
    });
    if passed.is_ok() {
        a.send(b"h").unwrap();
        let mut none: heapless::Vec<OwnedFd, 4> = heapless::Vec::new();
        let got = audit("socket::Socket::receive_msg", &["recvmsg"], || {
            b.receive_msg(&mut buf, &mut none, ReceiveFlags::empty())
                .unwrap()
        });
        assert!(got.pidfd.is_some());
        drop(got);
        b.set_pass_pidfd(false).unwrap();
    } else {
        eprintln!("NOTE: SO_PASSPIDFD refused (qemu-user, or Linux before 6.5): no SCM_PIDFD case");
    }

    let too_many = [r.as_fd(); MAX_FDS + 1];
    audit("socket::Socket::send_msg", &[], || {
        assert_eq!(
            a.send_msg(b"x", &too_many, None, SendFlags::empty()),
            Err(Errno::INVAL)
        )
    });
}

fn options() {
    let (a, b) = socket::pair(SocketType::Stream, SocketFlags::empty()).unwrap();
    let t = Some(Duration::from_millis(250));
    audit("socket::Socket::set_read_timeout", &["setsockopt"], || {
        a.set_read_timeout(t).unwrap()
    });
    audit("socket::Socket::set_read_timeout", &[], || {
        assert_eq!(a.set_read_timeout(Some(Duration::ZERO)), Err(Errno::INVAL))
    });
    audit("socket::Socket::set_write_timeout", &["setsockopt"], || {
        a.set_write_timeout(None).unwrap()
    });
    audit("socket::Socket::set_write_timeout", &[], || {
        assert_eq!(a.set_write_timeout(Some(Duration::ZERO)), Err(Errno::INVAL))
    });
    audit(
        "socket::Socket::set_pass_credentials",
        &["setsockopt"],
        || a.set_pass_credentials(true).unwrap(),
    );
    // Refused with ENOPROTOOPT before Linux 6.16 (and by qemu-user): the
    // same syscall either way.
    let _ = audit("socket::Socket::set_pass_rights", &["setsockopt"], || {
        a.set_pass_rights(true)
    });
    let _ = audit("socket::Socket::pass_rights", &["getsockopt"], || {
        a.pass_rights()
    });
    let peer = audit("socket::Socket::peer_credentials", &["getsockopt"], || {
        b.peer_credentials().unwrap()
    });
    assert_eq!(
        peer.pid.map(|p| p.as_raw_nonzero().get() as u32),
        Some(std::process::id())
    );
    // qemu-user refuses SO_PEERPIDFD, after the same syscall.
    let pidfd = audit("socket::Socket::peer_pidfd", &["getsockopt"], || {
        b.peer_pidfd()
    });
    assert!(matches!(pidfd, Ok(_) | Err(Errno::NOPROTOOPT)), "{pidfd:?}");
}
