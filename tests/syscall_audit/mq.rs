//! Audit cases for `mq::posix` and `mq::sysv`.

use std::time::Duration;

use bareipc::Errno;
use bareipc::key::Key;
use bareipc::mq::posix::{
    self, Access, Capacity, Mq, Notify, NotifyEvent, NotifySocket, OpenFlags, Priority, Signal,
    UnlinkOnDrop,
};
use bareipc::mq::sysv::{
    self, CreateFlags, Message, MsgQueue, MsgType, RecvFlags, Select, SendFlags,
};
use rustix::time::Timespec;

use crate::common::{unique_key, unique_name};
use crate::{audit, audit_drop};

pub fn run() {
    posix_queue();
    posix_notify();
    sysv_values();
    sysv_queue();
}

const CAP: Capacity = Capacity {
    max_messages: 2,
    message_size: 16,
};

/// One second from now on `CLOCK_REALTIME`.
fn soon() -> Timespec {
    let now = rustix::time::clock_gettime(rustix::time::ClockId::Realtime);
    Timespec {
        tv_sec: now.tv_sec + 1,
        tv_nsec: now.tv_nsec,
    }
}

const BAD_DEADLINE: Timespec = Timespec {
    tv_sec: 0,
    tv_nsec: 1_000_000_000,
};

fn posix_queue() {
    let name = unique_name("/bareipc-audit-mq");
    let other = unique_name("/bareipc-audit-mq");
    // The first clock read of the process finds the vDSO (`prctl`, see
    // the docs of `send_timeout`): done here, so the cases show the rest.
    let _ = soon();

    // Names and modes are checked before any syscall.
    audit("mq::posix::create", &[], || {
        assert_eq!(
            posix::create("no-slash", Access::ReadWrite, OpenFlags::EXCLUSIVE, None).err(),
            Some(Errno::INVAL)
        )
    });
    let q = audit("mq::posix::create", &["mq_open"], || {
        posix::create(&name, Access::ReadWrite, OpenFlags::EXCLUSIVE, Some(CAP)).unwrap()
    });
    audit("mq::posix::create", &["mq_open"], || {
        assert_eq!(
            posix::create(&name, Access::ReadWrite, OpenFlags::EXCLUSIVE, Some(CAP)).err(),
            Some(Errno::EXIST)
        )
    });
    audit("mq::posix::create_with_mode", &[], || {
        assert_eq!(
            posix::create_with_mode(
                &other,
                Access::ReadWrite,
                OpenFlags::EXCLUSIVE,
                posix::Mode::from_bits_retain(0o1600),
                None
            )
            .err(),
            Some(Errno::INVAL)
        )
    });
    let q2 = audit("mq::posix::create_with_mode", &["mq_open"], || {
        posix::create_with_mode(
            &other,
            Access::ReadOnly,
            OpenFlags::EXCLUSIVE,
            posix::Mode::from_bits_retain(0o640),
            None,
        )
        .unwrap()
    });
    drop(q2);
    let guard = audit("mq::posix::UnlinkOnDrop::new", &[], || {
        UnlinkOnDrop::new(&other).unwrap()
    });
    audit("mq::posix::UnlinkOnDrop::new", &[], || {
        assert_eq!(UnlinkOnDrop::new("/a/b").err(), Some(Errno::INVAL))
    });
    audit_drop("mq::posix::UnlinkOnDrop", &["mq_unlink"], guard);

    let w = audit("mq::posix::open", &["mq_open"], || {
        posix::open(&name, Access::WriteOnly, OpenFlags::NONBLOCK).unwrap()
    });
    audit("mq::posix::open", &[], || {
        assert_eq!(
            posix::open(&name, Access::WriteOnly, OpenFlags::EXCLUSIVE).err(),
            Some(Errno::INVAL)
        )
    });
    audit("mq::posix::open", &["mq_open"], || {
        assert_eq!(
            posix::open(&other, Access::ReadOnly, OpenFlags::empty()).err(),
            Some(Errno::NOENT)
        )
    });

    let p = audit("mq::posix::Priority::new", &[], || {
        Priority::new(7).unwrap()
    });
    audit("mq::posix::Priority::new", &[], || {
        assert_eq!(Priority::new(32768), Err(Errno::INVAL))
    });

    audit("mq::posix::Mq::send", &["mq_timedsend"], || {
        w.send(b"one", p).unwrap()
    });
    audit("mq::posix::Mq::send_timeout", &["mq_timedsend"], || {
        w.send_timeout(b"two", p, Duration::from_secs(1)).unwrap()
    });
    // Full, and non-blocking.
    let deadline = soon();
    audit("mq::posix::Mq::send_until", &["mq_timedsend"], || {
        assert_eq!(w.send_until(b"three", p, &deadline), Err(Errno::AGAIN))
    });
    audit("mq::posix::Mq::send_until", &[], || {
        assert_eq!(w.send_until(b"three", p, &BAD_DEADLINE), Err(Errno::INVAL))
    });

    let mut buf = [0u8; 16];
    audit("mq::posix::Mq::receive", &["mq_timedreceive"], || {
        assert_eq!(q.receive(&mut buf).map(|(n, _)| n), Ok(3))
    });
    audit(
        "mq::posix::Mq::receive_timeout",
        &["mq_timedreceive"],
        || {
            assert_eq!(
                q.receive_timeout(&mut buf, Duration::from_secs(1))
                    .map(|(n, _)| n),
                Ok(3)
            )
        },
    );
    audit("mq::posix::Mq::receive_until", &[], || {
        assert_eq!(
            q.receive_until(&mut buf, &BAD_DEADLINE).err(),
            Some(Errno::INVAL)
        )
    });
    // Empty: a deadline already past times out at once.
    let past = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    audit("mq::posix::Mq::receive_until", &["mq_timedreceive"], || {
        assert_eq!(
            q.receive_until(&mut buf, &past).err(),
            Some(Errno::TIMEDOUT)
        )
    });

    let a = audit("mq::posix::Mq::attr", &["mq_getsetattr"], || {
        q.attr().unwrap()
    });
    assert_eq!((a.max_messages, a.message_size), (2, 16));
    audit("mq::posix::Mq::set_attr", &["mq_getsetattr"], || {
        assert!(!q.set_attr(true).unwrap().nonblocking)
    });
    drop((q, w));
    audit("mq::posix::unlink", &["mq_unlink"], || {
        posix::unlink(&name).unwrap()
    });
    audit("mq::posix::unlink", &["mq_unlink"], || {
        assert_eq!(posix::unlink(&name), Err(Errno::NOENT))
    });
    audit("mq::posix::unlink", &[], || {
        assert_eq!(posix::unlink("/"), Err(Errno::INVAL))
    });
}

fn posix_notify() {
    let name = unique_name("/bareipc-audit-mq");
    let q: Mq = posix::create(&name, Access::ReadWrite, OpenFlags::EXCLUSIVE, Some(CAP)).unwrap();
    posix::unlink(&name).unwrap();

    if q.notify(Notify::NoEvent) == Err(Errno::NOSYS) {
        eprintln!("NOTE: mq_notify is not implemented (qemu-user 7.2): socket cases only");
        let sock = audit("mq::posix::NotifySocket::new", &["socket"], || {
            NotifySocket::new().unwrap()
        });
        nothing_waits(&sock);
        return;
    }
    q.cancel_notify().unwrap();
    audit("mq::posix::Mq::notify", &["mq_notify"], || {
        q.notify(Notify::NoEvent).unwrap()
    });
    audit("mq::posix::Mq::notify", &["mq_notify"], || {
        assert_eq!(q.notify(Notify::NoEvent), Err(Errno::BUSY))
    });
    audit("mq::posix::Mq::cancel_notify", &["mq_notify"], || {
        q.cancel_notify().unwrap()
    });
    // A signal libc reserves is refused before the syscall.
    // SAFETY: the value is only looked at, never sent.
    let reserved = unsafe { Signal::from_raw_unchecked(33) };
    audit("mq::posix::Mq::notify", &[], || {
        assert_eq!(
            q.notify(Notify::Signal {
                signal: reserved,
                value: 0
            }),
            Err(Errno::INVAL)
        )
    });

    let sock = audit("mq::posix::NotifySocket::new", &["socket"], || {
        NotifySocket::new().unwrap()
    });
    let cookie = *b"bareipc syscall audit cookie...";
    let register = || {
        q.notify(Notify::Socket {
            socket: &sock,
            cookie,
        })
        .unwrap()
    };
    // Each cancellation of a socket registration sends `Removed`.
    register();
    q.cancel_notify().unwrap();
    let n = audit("mq::posix::NotifySocket::recv", &["recvfrom"], || {
        sock.recv().unwrap()
    });
    assert_eq!((n.cookie, n.event), (cookie, NotifyEvent::Removed));
    register();
    q.cancel_notify().unwrap();
    let n = audit(
        "mq::posix::NotifySocket::recv_timeout",
        &["ppoll", "recvfrom"],
        || sock.recv_timeout(Duration::from_secs(5)).unwrap(),
    );
    assert_eq!(n.event, NotifyEvent::Removed);
    nothing_waits(&sock);
    register();
    q.send(b"x", Priority::MIN).unwrap();
    let n = audit("mq::posix::NotifySocket::try_recv", &["recvfrom"], || {
        sock.try_recv().unwrap()
    });
    assert_eq!(n.event, NotifyEvent::Message);
}

fn sysv_values() {
    let t = audit("mq::sysv::MsgType::new", &[], || MsgType::new(3).unwrap());
    audit("mq::sysv::MsgType::new", &[], || {
        assert_eq!(MsgType::new(0), Err(Errno::INVAL))
    });
    let _ = audit("mq::sysv::Message::new", &[], || Message::<8>::new(t));
    let _ = audit("mq::sysv::Message::with_text", &[], || {
        Message::<8>::with_text(t, b"text").unwrap()
    });
    audit("mq::sysv::Message::with_text", &[], || {
        assert_eq!(
            Message::<2>::with_text(t, b"text").err(),
            Some(Errno::TOOBIG)
        )
    });
}

fn sysv_queue() {
    let key = Key::from_raw(unique_key());
    let q = audit("mq::sysv::MsgQueue::create", &["msgget"], || {
        MsgQueue::create(key, CreateFlags::EXCLUSIVE).unwrap()
    });
    let q = q.remove_on_drop();
    audit("mq::sysv::MsgQueue::create_with_mode", &["msgget"], || {
        assert_eq!(
            MsgQueue::create_with_mode(key, CreateFlags::empty(), sysv::Mode::from_raw_mode(0o600)),
            Ok(*q)
        )
    });
    audit("mq::sysv::MsgQueue::create_with_mode", &[], || {
        assert_eq!(
            MsgQueue::create_with_mode(
                key,
                CreateFlags::empty(),
                sysv::Mode::from_bits_retain(0o1600)
            ),
            Err(Errno::INVAL)
        )
    });
    audit("mq::sysv::MsgQueue::open", &["msgget"], || {
        assert_eq!(MsgQueue::open(key), Ok(*q))
    });
    audit("mq::sysv::MsgQueue::open", &[], || {
        assert_eq!(MsgQueue::open(Key::PRIVATE), Err(Errno::INVAL))
    });

    let t = MsgType::new(1).unwrap();
    let msg = Message::<8>::with_text(t, b"hello").unwrap();
    audit("mq::sysv::MsgQueue::send", &["msgsnd"], || {
        q.send(&msg, SendFlags::NOWAIT).unwrap()
    });
    let mut into = Message::<8>::new(t);
    audit("mq::sysv::MsgQueue::receive", &["msgrcv"], || {
        assert_eq!(q.receive(&mut into, Select::Any, RecvFlags::NOWAIT), Ok(5))
    });
    assert_eq!(into.text(), b"hello");
    audit("mq::sysv::MsgQueue::receive", &["msgrcv"], || {
        assert_eq!(
            q.receive(&mut into, Select::Any, RecvFlags::NOWAIT),
            Err(Errno::NOMSG)
        )
    });
    audit("mq::sysv::MsgQueue::receive", &[], || {
        assert_eq!(
            q.receive(&mut into, Select::Copy(usize::MAX), RecvFlags::NOWAIT),
            Err(Errno::INVAL)
        )
    });

    let st = audit("mq::sysv::MsgQueue::stat", &["msgctl"], || {
        q.stat().unwrap()
    });
    audit("mq::sysv::MsgQueue::set", &["msgctl"], || {
        q.set(st.perm.uid, st.perm.gid, st.perm.mode, st.max_bytes)
            .unwrap()
    });
    audit("mq::sysv::MsgQueue::set", &[], || {
        assert_eq!(
            q.set(
                st.perm.uid,
                st.perm.gid,
                sysv::Mode::from_bits_retain(0o1600),
                st.max_bytes
            ),
            Err(Errno::INVAL)
        )
    });
    let limits = audit("mq::sysv::MsgQueue::limits", &["msgctl"], || {
        MsgQueue::limits().unwrap()
    });
    let usage = audit("mq::sysv::MsgQueue::usage", &["msgctl"], || {
        MsgQueue::usage().unwrap()
    });
    assert!(limits.max_queues > 0);
    let index = (0..=usage.highest_index)
        .find(|&i| MsgQueue::stat_index(i).is_ok_and(|(found, _)| found == *q))
        .expect("our queue is in the table");
    audit("mq::sysv::MsgQueue::stat_index", &["msgctl"], || {
        assert_eq!(MsgQueue::stat_index(index).map(|(found, _)| found), Ok(*q))
    });
    // qemu-user refuses MSG_STAT_ANY with EINVAL, after the same syscall.
    let any = audit("mq::sysv::MsgQueue::stat_index_any", &["msgctl"], || {
        MsgQueue::stat_index_any(index).map(|(found, _)| found)
    });
    assert!(matches!(any, Err(Errno::INVAL)) || any == Ok(*q), "{any:?}");
    let q = q.into_inner();
    audit("mq::sysv::MsgQueue::remove", &["msgctl"], || {
        q.remove().unwrap()
    });
    audit("mq::sysv::MsgQueue::remove", &["msgctl"], || {
        assert!(matches!(q.remove(), Err(Errno::INVAL | Errno::IDRM)))
    });

    let p = audit("mq::sysv::MsgQueue::private", &["msgget"], || {
        MsgQueue::private().unwrap()
    });
    let guard = audit("mq::sysv::MsgQueue::remove_on_drop", &[], || {
        p.remove_on_drop()
    });
    drop(guard);
}

/// The reads of an empty notification socket.
fn nothing_waits(sock: &NotifySocket) {
    audit("mq::posix::NotifySocket::try_recv", &["recvfrom"], || {
        assert_eq!(sock.try_recv().err(), Some(Errno::AGAIN))
    });
    audit("mq::posix::NotifySocket::recv_timeout", &["ppoll"], || {
        assert_eq!(
            sock.recv_timeout(Duration::from_millis(1)).err(),
            Some(Errno::TIMEDOUT)
        )
    });
}
