//! The tour's message queues: POSIX (with notification) and SysV.

use super::*;

pub(crate) const MQ_CAPACITY: Capacity = Capacity {
    max_messages: 4,
    message_size: MSG,
};

/// Two queues the child opens by name. Before the child starts, the parent
/// queues "low" at priority 1 and then "high" at priority 9; the child must
/// receive "high" first and says so. Then each round a u64 goes out at
/// priority `i % 32` and comes back + 1 at the same priority.
pub(crate) fn posix_mq_parent() -> Res<Line> {
    let MqPair {
        names: [there, back],
        to,
        from,
        _unlink,
    } = mq_pair()?;
    to.send(b"low", prio(1)?).ctx("mq_send")?;
    to.send(b"high", prio(9)?).ctx("mq_send")?;
    let peer = Peer::spawn("POSIX mq", &[there.as_ref(), back.as_ref()], vec![])?;
    let mut buf = [0u8; MSG];
    let (n, _) = from.receive_timeout(&mut buf, TIMEOUT).ctx("mq_receive")?;
    check(&buf[..n] == b"high,low", || {
        format!(
            "the child received {:?}",
            String::from_utf8_lossy(&buf[..n])
        )
    })?;
    let rtts = timed(|i| {
        to.send(&i.to_ne_bytes(), prio(i as u32 % 32)?)
            .ctx("mq_send")?;
        let (n, p) = from.receive_timeout(&mut buf, TIMEOUT).ctx("mq_receive")?;
        check(
            buf[..n] == (i + 1).to_ne_bytes() && p.get() == i as u32 % 32,
            || format!("round {i}: wrong answer or priority"),
        )
    })?;
    peer.finish()?;
    Ok(Line {
        exchanged: "prio 9 overtook prio 1; a u64 +1 back at its prio".into(),
        rtts,
        syscalls: format!(
            "mq_open, mq_unlink | {}, {} (clock_gettime: vDSO)",
            per_width("mq_timedsend", "mq_timedsend_time64"),
            per_width("mq_timedreceive", "mq_timedreceive_time64")
        ),
    })
}

pub(crate) fn posix_mq_child(args: &[String]) -> Res<()> {
    let from = mq::open(arg(args, 0)?, Access::ReadOnly, OpenFlags::empty()).ctx("mq_open")?;
    let to = mq::open(arg(args, 1)?, Access::WriteOnly, OpenFlags::empty()).ctx("mq_open")?;
    ready()?;
    let mut buf = [0u8; MSG];
    let mut order = Vec::new();
    for _ in 0..2 {
        let (n, _) = from.receive_timeout(&mut buf, TIMEOUT).ctx("mq_receive")?;
        if !order.is_empty() {
            order.push(b',');
        }
        order.extend_from_slice(&buf[..n]);
    }
    to.send(&order, Priority::MIN).ctx("mq_send")?;
    each_round(|_| {
        let (n, p) = from.receive_timeout(&mut buf, TIMEOUT).ctx("mq_receive")?;
        let v = u64::from_ne_bytes(buf[..n].try_into().map_err(|_| bad_length(n))?);
        to.send(&(v + 1).to_ne_bytes(), p).ctx("mq_send")
    })
}

/// The two queues of the mq lines: made by the parent with unique names
/// (the child opens them by name), unlinked when `_unlink` drops.
pub(crate) struct MqPair {
    names: [String; 2],
    to: mq::Mq,
    from: mq::Mq,
    _unlink: [mq::UnlinkOnDrop; 2],
}

/// Two unique names for objects the child opens by name.
pub(crate) fn two_names() -> [String; 2] {
    [
        common::unique_name("/bareipc-tour"),
        common::unique_name("/bareipc-tour"),
    ]
}

pub(crate) fn mq_pair() -> Res<MqPair> {
    let names = two_names();
    let make = |name: &str, access| -> Res<(mq::Mq, mq::UnlinkOnDrop)> {
        let q = mq::create(name, access, mq::DEFAULT_MODE, Some(MQ_CAPACITY)).ctx("mq_open")?;
        Ok((q, mq::UnlinkOnDrop::new(name).ctx("mq name")?))
    };
    let (to, unlink_to) = make(&names[0], Access::WriteOnly)?;
    let (from, unlink_from) = make(&names[1], Access::ReadOnly)?;
    Ok(MqPair {
        names,
        to,
        from,
        _unlink: [unlink_to, unlink_from],
    })
}

pub(crate) fn prio(p: u32) -> Res<Priority> {
    Priority::new(p).ctx("priority")
}

pub(crate) fn bad_length(n: usize) -> Fail {
    failed(format!("a message of {n} bytes"))
}

/// As the POSIX mq line, but the parent learns of each answer from
/// `mq_notify`: a cookie on a netlink socket, registered anew each round.
pub(crate) fn mq_notify_parent() -> Res<Line> {
    use mq::{Notify, NotifyEvent, NotifySocket};
    let MqPair {
        names: [there, back],
        to,
        from,
        _unlink,
    } = mq_pair()?;
    let sock = NotifySocket::new().ctx("socket(AF_NETLINK)")?;
    // Before starting a child: is mq_notify there at all?
    from.notify(Notify::NoEvent).ctx("mq_notify")?;
    from.cancel_notify().ctx("mq_notify")?;
    let peer = Peer::spawn("POSIX mq notify", &[there.as_ref(), back.as_ref()], vec![])?;
    let mut buf = [0u8; MSG];
    let rtts = timed(|i| {
        let mut cookie = [0u8; mq::COOKIE_LEN];
        cookie[..8].copy_from_slice(&i.to_ne_bytes());
        from.notify(Notify::Socket {
            socket: &sock,
            cookie,
        })
        .ctx("mq_notify")?;
        to.send(&i.to_ne_bytes(), Priority::MIN).ctx("mq_send")?;
        let n = sock.receive_timeout(TIMEOUT).ctx("notification")?;
        check(
            n.event == NotifyEvent::Message && n.cookie == cookie,
            || format!("round {i}: notification {n:?}"),
        )?;
        let (len, _) = from.receive_timeout(&mut buf, TIMEOUT).ctx("mq_receive")?;
        check(buf[..len] == (i + 1).to_ne_bytes(), || {
            format!("round {i}: wrong answer")
        })
    })?;
    peer.finish()?;
    Ok(Line {
        exchanged: "a u64 there, +1 back; a cookie says it arrived".into(),
        rtts,
        syscalls: format!(
            "mq_open, {}, mq_unlink | mq_notify, {}, {}, {}, {}",
            net("socket"),
            per_width("mq_timedsend", "mq_timedsend_time64"),
            per_width("mq_timedreceive", "mq_timedreceive_time64"),
            // ppoll_time64 only for a timeout past 2038 (strace shows
            // ppoll on i686).
            "ppoll",
            if X86 {
                "socketcall(recv)"
            } else if ARM {
                "recv"
            } else {
                "recvfrom"
            }
        ),
    })
}

pub(crate) fn mq_notify_child(args: &[String]) -> Res<()> {
    let from = mq::open(arg(args, 0)?, Access::ReadOnly, OpenFlags::empty()).ctx("mq_open")?;
    let to = mq::open(arg(args, 1)?, Access::WriteOnly, OpenFlags::empty()).ctx("mq_open")?;
    ready()?;
    let mut buf = [0u8; MSG];
    each_round(|_| {
        let (n, _) = from.receive_timeout(&mut buf, TIMEOUT).ctx("mq_receive")?;
        let v = u64::from_ne_bytes(buf[..n].try_into().map_err(|_| bad_length(n))?);
        to.send(&(v + 1).to_ne_bytes(), Priority::MIN)
            .ctx("mq_send")
    })
}

/// Message types of the SysV line: requests, answers, one that waits its
/// turn, and the last word.
pub(crate) const TO_CHILD: i64 = 1;
pub(crate) const TO_PARENT: i64 = 2;
pub(crate) const PARKED: i64 = 3;
pub(crate) const STOP: i64 = 4;

pub(crate) fn msg_type(t: i64) -> MsgType {
    MsgType::new(t as _).expect("a positive type")
}

/// One SysV queue both ways: the type says who a message is for. A
/// message of a third type sits in the queue the whole time, skipped by
/// every receive, and is taken last. `msgrcv` has no timeout, so the queue
/// is removed as soon as the child exits (a blocked receive then fails
/// with `EIDRM`).
pub(crate) fn sysv_msg_parent() -> Res<Line> {
    let key = bareipc::key::Key::from_raw(common::unique_key());
    let q = MsgQueue::create(key, msg::DEFAULT_MODE)
        .ctx("msgget")?
        .remove_on_drop()
        .ctx("IPC_STAT")?;
    let id = q.id();
    let on_exit: OnExit = Box::new(move || {
        let _ = MsgQueue::from_id(id).remove();
    });
    let send = |t: i64, text: &[u8]| -> Res<()> {
        let m = Message::<8>::with_text(msg_type(t), text).ctx("message")?;
        q.send(&m, msg::SendFlags::empty()).ctx("msgsnd")
    };
    send(PARKED, b"parked")?;
    let key_arg = key.as_raw().to_string();
    let peer = Peer::spawn_with("SysV msg", &[key_arg.as_ref()], vec![], Some(on_exit))?;
    let mut m = Message::<8>::new(msg_type(TO_PARENT));
    let rtts = timed(|i| {
        send(TO_CHILD, &i.to_ne_bytes())?;
        q.receive(
            &mut m,
            Select::Exactly(msg_type(TO_PARENT)),
            msg::ReceiveFlags::empty(),
        )
        .ctx("msgrcv")?;
        check(m.text() == (i + 1).to_ne_bytes(), || {
            format!("round {i}: wrong answer")
        })
    })?;
    q.receive(&mut m, Select::Any, msg::ReceiveFlags::NOWAIT)
        .ctx("msgrcv")?;
    check(
        m.msg_type() == msg_type(PARKED) && m.text() == b"parked",
        || "the parked message is gone".into(),
    )?;
    send(STOP, b"")?;
    peer.finish()?;
    Ok(Line {
        exchanged: "a u64 as type 1, +1 back as type 2; type 3 skipped".into(),
        rtts,
        syscalls: "msgget, msgctl(IPC_RMID) | msgsnd, msgrcv".into(),
    })
}

pub(crate) fn sysv_msg_child(args: &[String]) -> Res<()> {
    let q = MsgQueue::open(bareipc::key::Key::from_raw(parse(args, 0)?)).ctx("msgget")?;
    ready()?;
    let mut m = Message::<8>::new(msg_type(TO_CHILD));
    each_round(|_| {
        q.receive(
            &mut m,
            Select::Exactly(msg_type(TO_CHILD)),
            msg::ReceiveFlags::empty(),
        )
        .ctx("msgrcv")?;
        let v = u64::from_ne_bytes(m.text().try_into().map_err(|_| bad_length(m.len()))?);
        let reply =
            Message::<8>::with_text(msg_type(TO_PARENT), &(v + 1).to_ne_bytes()).ctx("message")?;
        q.send(&reply, msg::SendFlags::empty()).ctx("msgsnd")
    })?;
    q.receive(
        &mut m,
        Select::Exactly(msg_type(STOP)),
        msg::ReceiveFlags::empty(),
    )
    .ctx("msgrcv")
    .map(drop)
}
