//! Audit cases for `mq`: POSIX queues (opening, sending and receiving on
//! full and empty queues, attributes, notification by signal and by a
//! netlink socket) and SysV queues, never blocking: non-blocking forms,
//! short timeouts, pre-filled queues.

use std::time::Duration;

use bareipc::Errno;
use bareipc::key::Key;
use bareipc::mq::posix::{
    self, Access, Capacity, Notify, NotifyEvent, NotifySocket, OpenFlags, Priority, UnlinkOnDrop,
};
use bareipc::mq::sysv::{
    self, IpcFlags, Message, MsgQueue, MsgType, ReceiveFlags, Select, SendFlags,
};
use bareipc::signal::{SigVal, Signal};
use rustix::time::{ClockId, Timespec};

use crate::{audit, audit_drop, common};

/// A timeout that expires at once for the cases that want it to.
const SHORT: Duration = Duration::from_millis(1);

pub fn run() {
    // The first deadline of the process may look up the vDSO (reading the
    // aux vector); do that here, outside every case.
    let _ = rustix::time::clock_gettime(ClockId::Realtime);

    posix_queues();
    notification();
    sysv_queues();
}

/// `mq_notify` is missing from qemu-user 7.2: `ENOSYS` there, only.
fn under_qemu() -> bool {
    std::env::consts::ARCH != "x86_64"
}

fn posix_queues() {
    let name = format!("/{}", common::unique_name("bareipc-audit-mq"));
    let cap = Some(Capacity {
        max_messages: 2,
        message_size: 16,
    });

    // Names and modes refused before any syscall.
    let bad = audit("mq::posix::open_or_create", &[], || {
        posix::open_or_create("no-slash", Access::ReadWrite, posix::DEFAULT_MODE, cap)
    });
    assert_eq!(bad.err(), Some(Errno::INVAL));
    let bad = audit("mq::posix::open_with", &[], || {
        posix::open_with(
            &name,
            Access::ReadWrite,
            OpenFlags::CREATE | OpenFlags::empty(),
            posix::Mode::from_bits_retain(0o1000),
            cap,
        )
    });
    assert_eq!(bad.err(), Some(Errno::INVAL));
    let bad = audit("mq::posix::open", &[], || {
        posix::open(&name, Access::ReadOnly, OpenFlags::EXCLUSIVE)
    });
    assert_eq!(bad.err(), Some(Errno::INVAL));
    let bad = audit("mq::posix::unlink", &[], || posix::unlink("//x"));
    assert_eq!(bad.err(), Some(Errno::ACCESS));
    let bad = audit("mq::posix::UnlinkOnDrop::new", &[], || {
        UnlinkOnDrop::new("bad")
    });
    assert_eq!(bad.err(), Some(Errno::INVAL));

    let missing = audit("mq::posix::open", &["mq_open"], || {
        posix::open(&name, Access::ReadOnly, OpenFlags::empty())
    });
    assert_eq!(missing.err(), Some(Errno::NOENT));
    let q = audit("mq::posix::create", &["mq_open"], || {
        posix::create(&name, Access::ReadWrite, posix::DEFAULT_MODE, cap)
    })
    .unwrap();
    let guard = audit("mq::posix::UnlinkOnDrop::new", &[], || {
        UnlinkOnDrop::new(&name)
    })
    .unwrap();
    let either = audit("mq::posix::open_or_create", &["mq_open"], || {
        posix::open_or_create(&name, Access::ReadOnly, posix::DEFAULT_MODE, None)
    });
    assert!(either.is_ok());
    let again = audit("mq::posix::open_with", &["mq_open"], || {
        posix::open_with(
            &name,
            Access::WriteOnly,
            OpenFlags::CREATE | OpenFlags::NONBLOCK,
            posix::DEFAULT_MODE,
            None,
        )
    })
    .unwrap();
    let reader = audit("mq::posix::open", &["mq_open"], || {
        posix::open(&name, Access::ReadOnly, OpenFlags::NONBLOCK)
    })
    .unwrap();

    let p = audit("mq::posix::Priority::new", &[], || Priority::new(3)).unwrap();
    let bad = audit("mq::posix::Priority::new", &[], || Priority::new(1 << 15));
    assert_eq!(bad, Err(Errno::INVAL));

    // Fill the queue (capacity 2), then the full cases.
    audit("mq::posix::Mq::send", &["mq_timedsend"], || {
        q.send(b"one", p)
    })
    .unwrap();
    audit("mq::posix::Mq::send_timeout", &["mq_timedsend"], || {
        q.send_timeout(b"two", Priority::MIN, SHORT)
    })
    .unwrap();
    let full = audit("mq::posix::Mq::send", &["mq_timedsend"], || {
        again.send(b"three", p)
    });
    assert_eq!(full, Err(Errno::AGAIN));
    let expired = audit("mq::posix::Mq::send_timeout", &["mq_timedsend"], || {
        q.send_timeout(b"three", p, SHORT)
    });
    assert_eq!(expired, Err(Errno::TIMEDOUT));
    let past = Timespec {
        tv_sec: 1,
        tv_nsec: 0,
    };
    let expired = audit("mq::posix::Mq::send_until", &["mq_timedsend"], || {
        q.send_until(b"three", p, &past)
    });
    assert_eq!(expired, Err(Errno::TIMEDOUT));
    let invalid = Timespec {
        tv_sec: 1,
        tv_nsec: 1_000_000_000,
    };
    let refused = audit("mq::posix::Mq::send_until", &[], || {
        q.send_until(b"three", p, &invalid)
    });
    assert_eq!(refused, Err(Errno::INVAL));

    let attr = audit("mq::posix::Mq::attr", &["mq_getsetattr"], || q.attr()).unwrap();
    assert_eq!(attr.current_messages, 2);

    // Empty it, then the empty cases.
    let mut buf = [0u8; 16];
    let got = audit("mq::posix::Mq::receive", &["mq_timedreceive"], || {
        reader.receive(&mut buf)
    });
    assert_eq!(got, Ok((3, p)));
    let short = audit("mq::posix::Mq::receive", &["mq_timedreceive"], || {
        reader.receive(&mut buf[..4])
    });
    assert_eq!(short, Err(Errno::MSGSIZE));
    let got = audit(
        "mq::posix::Mq::receive_timeout",
        &["mq_timedreceive"],
        || q.receive_timeout(&mut buf, SHORT),
    );
    assert_eq!(got, Ok((3, Priority::MIN)));
    let empty = audit("mq::posix::Mq::receive", &["mq_timedreceive"], || {
        reader.receive(&mut buf)
    });
    assert_eq!(empty, Err(Errno::AGAIN));
    let empty = audit("mq::posix::Mq::try_receive", &["mq_timedreceive"], || {
        q.try_receive(&mut buf)
    });
    assert_eq!(empty, Err(Errno::AGAIN));
    audit("mq::posix::Mq::try_send", &["mq_timedsend"], || {
        q.try_send(b"t", Priority::MIN)
    })
    .unwrap();
    assert_eq!(
        audit("mq::posix::Mq::try_receive", &["mq_timedreceive"], || {
            q.try_receive(&mut buf)
        }),
        Ok((1, Priority::MIN))
    );
    let expired = audit(
        "mq::posix::Mq::receive_timeout",
        &["mq_timedreceive"],
        || q.receive_timeout(&mut buf, SHORT),
    );
    assert_eq!(expired, Err(Errno::TIMEDOUT));
    let expired = audit("mq::posix::Mq::receive_until", &["mq_timedreceive"], || {
        q.receive_until(&mut buf, &past)
    });
    assert_eq!(expired, Err(Errno::TIMEDOUT));
    let refused = audit("mq::posix::Mq::receive_until", &[], || {
        q.receive_until(&mut buf, &invalid)
    });
    assert_eq!(refused, Err(Errno::INVAL));

    drop((again, reader));
    audit_drop("mq::posix::Mq", &["close"], q);
    audit("mq::posix::unlink", &["mq_unlink"], || posix::unlink(&name)).unwrap();
    let gone = audit("mq::posix::unlink", &["mq_unlink"], || posix::unlink(&name));
    assert_eq!(gone, Err(Errno::NOENT));
    // The name is gone already: the error is ignored.
    audit_drop("mq::posix::UnlinkOnDrop", &["mq_unlink"], guard);
}

fn notification() {
    let name = format!("/{}", common::unique_name("bareipc-audit-mq"));
    let q = posix::open_with(
        &name,
        Access::ReadWrite,
        OpenFlags::CREATE | OpenFlags::NONBLOCK,
        posix::DEFAULT_MODE,
        None,
    )
    .unwrap();
    let guard = UnlinkOnDrop::new(&name).unwrap();

    // A signal registration, never fired: cancelled before any message.
    let how = Notify::Signal {
        signal: Signal::USR1,
        value: SigVal::from_int(7),
    };
    let r = audit("mq::posix::Mq::notify", &["mq_notify"], || q.notify(how));
    let works = match r {
        Ok(()) => true,
        Err(Errno::NOSYS) if under_qemu() => false,
        Err(e) => panic!("mq_notify: {e}"),
    };
    if works {
        let busy = audit("mq::posix::Mq::notify", &["mq_notify"], || {
            q.notify(Notify::NoEvent)
        });
        assert_eq!(busy, Err(Errno::BUSY));
    }
    let r = audit("mq::posix::Mq::cancel_notify", &["mq_notify"], || {
        q.cancel_notify()
    });
    assert!(
        r.is_ok() || (under_qemu() && r == Err(Errno::NOSYS)),
        "{r:?}"
    );

    // By a netlink socket.
    let sock = audit(
        "mq::posix::NotifySocket::new",
        &["socket"],
        NotifySocket::new,
    )
    .unwrap();
    let none = audit(
        "mq::posix::NotifySocket::try_receive",
        &["recvfrom"],
        || sock.try_receive(),
    );
    assert_eq!(none.err(), Some(Errno::AGAIN));
    let none = audit(
        "mq::posix::NotifySocket::receive_timeout",
        &["ppoll"],
        || sock.receive_timeout(SHORT),
    );
    assert_eq!(none.err(), Some(Errno::TIMEDOUT));
    let cookie = [5u8; posix::COOKIE_LEN];
    let how = Notify::Socket {
        socket: &sock,
        cookie,
    };
    let r = q.notify(how);
    if r == Err(Errno::NOSYS) && under_qemu() {
        return;
    }
    r.unwrap();
    // Each message into the empty queue fires the registration once.
    q.send(b"m", Priority::MIN).unwrap();
    let n = audit("mq::posix::NotifySocket::receive", &["recvfrom"], || {
        sock.receive()
    })
    .unwrap();
    assert_eq!((n.cookie, n.event), (cookie, NotifyEvent::Message));
    let mut buf = [0u8; 8192];
    q.receive(&mut buf).unwrap();
    q.notify(how).unwrap();
    q.send(b"m", Priority::MIN).unwrap();
    let n = audit(
        "mq::posix::NotifySocket::try_receive",
        &["recvfrom"],
        || sock.try_receive(),
    )
    .unwrap();
    assert_eq!(n.event, NotifyEvent::Message);
    q.receive(&mut buf).unwrap();
    q.notify(how).unwrap();
    q.send(b"m", Priority::MIN).unwrap();
    let n = audit(
        "mq::posix::NotifySocket::receive_timeout",
        &["ppoll", "recvfrom"],
        || sock.receive_timeout(SHORT),
    )
    .unwrap();
    assert_eq!(n.event, NotifyEvent::Message);
    q.receive(&mut buf).unwrap();
    // Registered again: closing the queue's only descriptor ends the
    // registration in the kernel, with no call of its own.
    q.notify(how).unwrap();
    audit_drop("mq::posix::Mq", &["close"], q);
    audit_drop("mq::posix::NotifySocket", &["close"], sock);
    audit_drop("mq::posix::UnlinkOnDrop", &["mq_unlink"], guard);
}

fn sysv_queues() {
    let key = Key::from_raw(common::unique_key());
    let t = audit("mq::sysv::MsgType::new", &[], || MsgType::new(2)).unwrap();
    let bad = audit("mq::sysv::MsgType::new", &[], || MsgType::new(0));
    assert_eq!(bad, Err(Errno::INVAL));
    let mut into = audit("mq::sysv::Message::new", &[], || Message::<4>::new(t));
    let msg = audit("mq::sysv::Message::with_text", &[], || {
        Message::<8>::with_text(t, b"hello")
    })
    .unwrap();
    let long = audit("mq::sysv::Message::with_text", &[], || {
        Message::<2>::with_text(t, b"hello")
    });
    assert_eq!(long.err(), Some(Errno::TOOBIG));

    let refused = audit("mq::sysv::MsgQueue::open", &[], || {
        MsgQueue::open(Key::PRIVATE)
    });
    assert_eq!(refused.err(), Some(Errno::INVAL));
    let missing = audit("mq::sysv::MsgQueue::open", &["msgget"], || {
        MsgQueue::open(key)
    });
    assert_eq!(missing.err(), Some(Errno::NOENT));
    let q = audit("mq::sysv::MsgQueue::create", &["msgget"], || {
        MsgQueue::create(key, sysv::DEFAULT_MODE)
    })
    .unwrap();
    let q = audit("key::sysv_common!::remove_on_drop", &["msgctl"], || {
        q.remove_on_drop()
    })
    .unwrap();
    let same = audit("mq::sysv::MsgQueue::open", &["msgget"], || {
        MsgQueue::open(key)
    })
    .unwrap();
    assert_eq!(same, *q);
    let bad = audit("mq::sysv::MsgQueue::open_or_create", &[], || {
        MsgQueue::open_or_create(key, posix::Mode::from_bits_retain(0o1000))
    });
    assert_eq!(bad.err(), Some(Errno::INVAL));
    let same = audit("mq::sysv::MsgQueue::open_or_create", &["msgget"], || {
        MsgQueue::open_or_create(key, sysv::DEFAULT_MODE)
    })
    .unwrap();
    assert_eq!(same, *q);
    let got = audit("mq::sysv::MsgQueue::get", &["msgget"], || {
        MsgQueue::get(key, IpcFlags::empty(), posix::Mode::empty())
    })
    .unwrap();
    assert_eq!(got, *q);
    let bad = audit("mq::sysv::MsgQueue::get", &[], || {
        MsgQueue::get(key, IpcFlags::from_bits_retain(0o4000), sysv::DEFAULT_MODE)
    });
    assert_eq!(bad.err(), Some(Errno::INVAL));
    let exists = audit("mq::sysv::MsgQueue::create", &["msgget"], || {
        MsgQueue::create(key, sysv::DEFAULT_MODE)
    });
    assert_eq!(exists.err(), Some(Errno::EXIST));

    audit("mq::sysv::MsgQueue::send", &["msgsnd"], || {
        q.send(&msg, SendFlags::NOWAIT)
    })
    .unwrap();
    audit("mq::sysv::MsgQueue::try_send", &["msgsnd"], || {
        q.try_send(&msg)
    })
    .unwrap();
    let mut whole = Message::<64>::new(t);
    audit("mq::sysv::MsgQueue::try_receive", &["msgrcv"], || {
        q.try_receive(&mut whole, Select::Any)
    })
    .unwrap();
    // Longer than the buffer: refused, and left queued.
    let big = audit("mq::sysv::MsgQueue::receive", &["msgrcv"], || {
        q.receive(&mut into, Select::Any, ReceiveFlags::NOWAIT)
    });
    assert_eq!(big, Err(Errno::TOOBIG));
    let n = audit("mq::sysv::MsgQueue::receive", &["msgrcv"], || {
        q.receive(&mut into, Select::Exactly(t), ReceiveFlags::TRUNCATE)
    });
    assert_eq!(n, Ok(4));
    let empty = audit("mq::sysv::MsgQueue::receive", &["msgrcv"], || {
        q.receive(&mut into, Select::Any, ReceiveFlags::NOWAIT)
    });
    assert_eq!(empty, Err(Errno::NOMSG));
    // A copy position no `long` holds: refused before the syscall.
    #[cfg(target_pointer_width = "64")]
    {
        let far = audit("mq::sysv::MsgQueue::receive", &[], || {
            q.receive(&mut into, Select::Copy(usize::MAX), ReceiveFlags::empty())
        });
        assert_eq!(far, Err(Errno::INVAL));
    }

    let st = audit("key::sysv_common!::stat", &["msgctl"], || q.stat()).unwrap();
    audit("mq::sysv::MsgQueue::set", &["msgctl"], || {
        q.set(
            st.perm.uid,
            st.perm.gid,
            posix::Mode::from_bits_retain(0o640),
            st.max_bytes,
        )
    })
    .unwrap();
    // set_owner keeps the byte limit: it reads it first.
    audit(
        "key::sysv_common!::set_owner",
        &["msgctl", "msgctl"],
        || {
            q.set_owner(
                st.perm.uid,
                st.perm.gid,
                posix::Mode::from_bits_retain(0o600),
            )
        },
    )
    .unwrap();
    assert_eq!(q.stat().unwrap().max_bytes, st.max_bytes);
    let bad = audit("mq::sysv::MsgQueue::set", &[], || {
        q.set(
            st.perm.uid,
            st.perm.gid,
            posix::Mode::from_bits_retain(0o1000),
            st.max_bytes,
        )
    });
    assert_eq!(bad, Err(Errno::INVAL));
    let limits = audit("mq::sysv::limits", &["msgctl"], sysv::limits).unwrap();
    assert!(limits.max_queues > 0);
    let usage = audit("mq::sysv::usage", &["msgctl"], sysv::usage).unwrap();
    assert!(usage.queues >= 1);
    // Slot 0 may be empty (EINVAL): one call either way.
    let _ = audit("mq::sysv::stat_index", &["msgctl"], || sysv::stat_index(0));
    let _ = audit("mq::sysv::stat_index_any", &["msgctl"], || {
        sysv::stat_index_any(0)
    });

    let private = audit(
        "mq::sysv::MsgQueue::private",
        &["msgget"],
        MsgQueue::private,
    )
    .unwrap();
    audit("key::sysv_common!::remove", &["msgctl"], || {
        private.remove()
    })
    .unwrap();
    let gone = audit("key::sysv_common!::remove", &["msgctl"], || {
        private.remove()
    });
    assert!(gone.is_err());
    drop(q);
}
