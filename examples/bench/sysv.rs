//! SysV message queue (one queue, mtype 1 = ping, 2 = pong) and SysV
//! semaphores (one `semop` with one sembuf per call): 4 syscalls per round
//! trip in both arms.

use bareipc::mq::sysv::{Message, MsgQueue, MsgType, ReceiveFlags, Select, SendFlags};
use bareipc::sem::sysv::{SemOp, SemSet};

use crate::harness::{RoundTrip, Stream};
use crate::sys::{c_int, die, lc, ok};

/// The largest SysV message the bench sends (the default `msgmax`).
pub const MSG_MAX: usize = 8192;

const PING: MsgType = match MsgType::new(1) {
    Ok(t) => t,
    Err(_) => panic!(),
};
const PONG: MsgType = match MsgType::new(2) {
    Ok(t) => t,
    Err(_) => panic!(),
};

fn check_size(size: usize) -> usize {
    if size > MSG_MAX {
        die(
            "size",
            format!("SysV and POSIX queues are capped at {MSG_MAX}"),
        );
    }
    size
}

// ------------------------------------------------------------- msg, bare

pub struct MsgBare {
    q: MsgQueue,
    m: Box<Message<MSG_MAX>>,
}

impl MsgBare {
    fn build(size: usize) -> Self {
        let mut m = Box::new(Message::new(PING));
        ok(m.set_len(check_size(size)), "set_len");
        MsgBare {
            q: ok(MsgQueue::private(), "msgget"),
            m,
        }
    }
}

impl Drop for MsgBare {
    fn drop(&mut self) {
        let _ = MsgQueue::from_id(self.q.id()).remove();
    }
}

impl RoundTrip for MsgBare {
    fn new(size: usize) -> Self {
        Self::build(size)
    }
    #[inline(always)]
    fn echo(&mut self) {
        ok(
            self.q
                .receive(&mut self.m, Select::Exactly(PING), ReceiveFlags::empty()),
            "msgrcv",
        );
        self.m.set_msg_type(PONG);
        ok(self.q.send(&self.m, SendFlags::empty()), "msgsnd");
    }
    #[inline(always)]
    fn ping(&mut self) {
        self.m.set_msg_type(PING);
        ok(self.q.send(&self.m, SendFlags::empty()), "msgsnd");
        ok(
            self.q
                .receive(&mut self.m, Select::Exactly(PONG), ReceiveFlags::empty()),
            "msgrcv",
        );
    }
}

impl Stream for MsgBare {
    fn new(size: usize) -> Self {
        Self::build(size)
    }
    #[inline(always)]
    fn send(&mut self) {
        ok(self.q.send(&self.m, SendFlags::empty()), "msgsnd");
    }
    #[inline(always)]
    fn recv(&mut self) -> usize {
        ok(
            self.q
                .receive(&mut self.m, Select::Exactly(PING), ReceiveFlags::empty()),
            "msgrcv",
        )
    }
}

// ------------------------------------------------------------- msg, libc

/// `struct msgbuf` with room for [`MSG_MAX`] bytes.
#[repr(C, align(64))]
struct MsgBuf {
    mtype: libc::c_long,
    mtext: [u8; MSG_MAX],
}

pub struct MsgLibc {
    id: c_int,
    size: usize,
    m: Box<MsgBuf>,
}

impl MsgLibc {
    fn build(size: usize) -> Self {
        // SAFETY: integers only.
        let id = lc(
            unsafe { libc::msgget(libc::IPC_PRIVATE, libc::IPC_CREAT | 0o600) },
            "msgget",
        );
        MsgLibc {
            id,
            size: check_size(size),
            m: Box::new(MsgBuf {
                mtype: 1,
                mtext: [0; MSG_MAX],
            }),
        }
    }

    #[inline(always)]
    fn snd(&mut self, ty: libc::c_long) {
        self.m.mtype = ty;
        // SAFETY: `m` is a msgbuf with at least `size` bytes of text.
        lc(
            unsafe { libc::msgsnd(self.id, (&raw const *self.m).cast(), self.size, 0) },
            "msgsnd",
        );
    }

    #[inline(always)]
    fn rcv(&mut self, ty: libc::c_long) -> usize {
        // SAFETY: `m` is a msgbuf with MSG_MAX bytes of text.
        lc(
            unsafe { libc::msgrcv(self.id, (&raw mut *self.m).cast(), MSG_MAX, ty, 0) },
            "msgrcv",
        ) as usize
    }
}

impl Drop for MsgLibc {
    fn drop(&mut self) {
        // SAFETY: IPC_RMID takes no buffer.
        unsafe { libc::msgctl(self.id, libc::IPC_RMID, std::ptr::null_mut()) };
    }
}

impl RoundTrip for MsgLibc {
    fn new(size: usize) -> Self {
        Self::build(size)
    }
    #[inline(always)]
    fn echo(&mut self) {
        self.size = self.rcv(1);
        self.snd(2);
    }
    #[inline(always)]
    fn ping(&mut self) {
        self.snd(1);
        self.rcv(2);
    }
}

impl Stream for MsgLibc {
    fn new(size: usize) -> Self {
        Self::build(size)
    }
    #[inline(always)]
    fn send(&mut self) {
        self.snd(1);
    }
    #[inline(always)]
    fn recv(&mut self) -> usize {
        self.rcv(1)
    }
}

// ------------------------------------------------------------- sem

/// Semaphore 0 says "ping", 1 says "pong".
pub struct SemBare(SemSet);

impl Drop for SemBare {
    fn drop(&mut self) {
        let _ = self.0.remove();
    }
}

impl RoundTrip for SemBare {
    fn new(_: usize) -> Self {
        SemBare(ok(SemSet::private(2), "semget"))
    }
    #[inline(always)]
    fn echo(&mut self) {
        ok(self.0.op(&[SemOp::wait(0)]), "semop");
        ok(self.0.op(&[SemOp::post(1)]), "semop");
    }
    #[inline(always)]
    fn ping(&mut self) {
        ok(self.0.op(&[SemOp::post(0)]), "semop");
        ok(self.0.op(&[SemOp::wait(1)]), "semop");
    }
}

pub struct SemLibc(c_int);

impl SemLibc {
    #[inline(always)]
    fn op(&self, num: u16, delta: i16) {
        let mut b = libc::sembuf {
            sem_num: num,
            sem_op: delta,
            sem_flg: 0,
        };
        // SAFETY: one valid sembuf.
        lc(unsafe { libc::semop(self.0, &mut b, 1) }, "semop");
    }
}

impl Drop for SemLibc {
    fn drop(&mut self) {
        // SAFETY: IPC_RMID takes no argument.
        unsafe { libc::semctl(self.0, 0, libc::IPC_RMID) };
    }
}

impl RoundTrip for SemLibc {
    fn new(_: usize) -> Self {
        // SAFETY: integers only.
        let id = lc(
            unsafe { libc::semget(libc::IPC_PRIVATE, 2, libc::IPC_CREAT | 0o600) },
            "semget",
        );
        SemLibc(id)
    }
    #[inline(always)]
    fn echo(&mut self) {
        self.op(0, -1);
        self.op(1, 1);
    }
    #[inline(always)]
    fn ping(&mut self) {
        self.op(0, 1);
        self.op(1, -1);
    }
}
