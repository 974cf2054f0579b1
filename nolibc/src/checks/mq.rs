//! Message queues, both flavours.
//!
//! POSIX: create `/bareipc-nolibc-<pid>` (exclusive, non-blocking, 2
//! messages of 16 bytes), send priority 1 then 9, receive with a timeout
//! (an absolute `CLOCK_REALTIME` deadline: the `_time64` call on 32-bit)
//! and without: priority 9 must come first; then unlink.
//!
//! SysV: a private queue, send type 2 then type 1, receive type 2 by
//! selection, then the rest; remove.
//!
//! Expected syscalls: `getpid`, `mq_open`, `mq_timedsend` x2,
//! `clock_gettime` (vDSO where there is one), `mq_timedreceive` x2
//! (`mq_timed*_time64` on x86/arm), `close`, `mq_unlink`, `msgget`,
//! `msgsnd` x2, `msgrcv` x2, `msgctl`.

use bareipc::mq::posix::{self, Access, Capacity, OpenFlags, Priority};
use bareipc::mq::sysv::{Message, MsgQueue, MsgType, ReceiveFlags, Select, SendFlags};
use core::time::Duration;

/// The step that failed; its value is the exit code.
#[derive(Clone, Copy)]
#[repr(u8)]
pub enum Failed {
    /// `posix::create` returned an error.
    PosixCreate = 40,
    /// `Mq::send` returned an error.
    PosixSend = 41,
    /// `Mq::receive_timeout` or `Mq::receive` returned an error.
    PosixReceive = 42,
    /// The messages did not come out whole, highest priority first.
    PosixOrder = 43,
    /// `posix::unlink` returned an error.
    PosixUnlink = 44,
    /// `MsgQueue::private` returned an error.
    SysvCreate = 45,
    /// `MsgQueue::send` returned an error.
    SysvSend = 46,
    /// `MsgQueue::receive` returned an error.
    SysvReceive = 47,
    /// The messages did not come out whole, type 2 by selection first.
    SysvSelect = 48,
    /// `MsgQueue::remove` returned an error.
    SysvRemove = 49,
}

/// Runs both round trips; the queues are removed before returning.
pub fn check() -> Result<(), Failed> {
    posix_round_trip()?;
    sysv_round_trip()
}

/// `/bareipc-nolibc-` and the pid in decimal, in `buf`.
fn queue_name(buf: &mut [u8; 40]) -> &[u8] {
    const PREFIX: &[u8] = b"/bareipc-nolibc-";
    buf[..PREFIX.len()].copy_from_slice(PREFIX);
    let mut pid = rustix::process::getpid()
        .as_raw_nonzero()
        .get()
        .unsigned_abs();
    let mut digits = [0u8; 10];
    let mut n = 0;
    loop {
        digits[n] = b'0' + (pid % 10) as u8;
        n += 1;
        pid /= 10;
        if pid == 0 {
            break;
        }
    }
    for (i, d) in digits[..n].iter().rev().enumerate() {
        buf[PREFIX.len() + i] = *d;
    }
    &buf[..PREFIX.len() + n]
}

fn posix_round_trip() -> Result<(), Failed> {
    let mut buf = [0u8; 40];
    let name = queue_name(&mut buf);
    let capacity = Capacity {
        max_messages: 2,
        message_size: 16,
    };
    let flags = OpenFlags::EXCLUSIVE | OpenFlags::NONBLOCK;
    let q = posix::open_with(name, Access::ReadWrite, OpenFlags::CREATE | flags, posix::DEFAULT_MODE, Some(capacity))
        .map_err(|_| Failed::PosixCreate)?;
    let result = (|| {
        let prio = |p| Priority::new(p).map_err(|_| Failed::PosixSend);
        q.send(b"low", prio(1)?).map_err(|_| Failed::PosixSend)?;
        q.send(b"high", prio(9)?).map_err(|_| Failed::PosixSend)?;
        let mut msg = [0u8; 16];
        let (n, p) = q
            .receive_timeout(&mut msg, Duration::from_secs(5))
            .map_err(|_| Failed::PosixReceive)?;
        if (&msg[..n], p.get()) != (&b"high"[..], 9) {
            return Err(Failed::PosixOrder);
        }
        let (n, p) = q.receive(&mut msg).map_err(|_| Failed::PosixReceive)?;
        if (&msg[..n], p.get()) != (&b"low"[..], 1) {
            return Err(Failed::PosixOrder);
        }
        Ok(())
    })();
    drop(q);
    let unlinked = posix::unlink(name).map_err(|_| Failed::PosixUnlink);
    result.and(unlinked)
}

fn sysv_round_trip() -> Result<(), Failed> {
    let q = MsgQueue::private().map_err(|_| Failed::SysvCreate)?;
    let result = (|| {
        let ty = |t| MsgType::new(t).map_err(|_| Failed::SysvSend);
        for (t, text) in [(2, &b"two"[..]), (1, b"one")] {
            let msg = Message::<16>::with_text(ty(t)?, text).map_err(|_| Failed::SysvSend)?;
            q.send(&msg, SendFlags::NOWAIT)
                .map_err(|_| Failed::SysvSend)?;
        }
        let mut msg = Message::<16>::new(MsgType::MIN);
        let two = ty(2)?;
        q.receive(&mut msg, Select::Exactly(two), ReceiveFlags::NOWAIT)
            .map_err(|_| Failed::SysvReceive)?;
        if (msg.msg_type(), msg.text()) != (two, &b"two"[..]) {
            return Err(Failed::SysvSelect);
        }
        q.receive(&mut msg, Select::Any, ReceiveFlags::NOWAIT)
            .map_err(|_| Failed::SysvReceive)?;
        if (msg.msg_type(), msg.text()) != (MsgType::MIN, &b"one"[..]) {
            return Err(Failed::SysvSelect);
        }
        Ok(())
    })();
    let removed = q.remove().map_err(|_| Failed::SysvRemove);
    result.and(removed)
}
