//! Single-process costs of one operation, both arms in one process,
//! interleaved repetition by repetition (libc, bare, libc, bare, ...).

use bareipc::eventfd::{EventFd, EventFdFlags};
use bareipc::mq::sysv::{Message, MsgQueue, MsgType, ReceiveFlags, Select, SendFlags};
use bareipc::pipe::{self, ReadEnd, WriteEnd};
use bareipc::sem::futex::Semaphore;
use bareipc::sem::sysv::{SemOp, SemSet};
use bareipc::signal::{self, Code, SigInfo, SigSet, SigVal, Signal};
use bareipc::socket::{self, Socket, SocketFlags, SocketType};
use rustix::process::Pid;

use crate::harness::{Arm, Batch, Cfg, Id, line, measure, timed};
use crate::sys::{self, c_int, die, lc, ok};

/// One operation in both arms, on objects made once.
pub trait Op {
    fn new() -> Self;
    fn bare(&mut self);
    fn libc(&mut self);
}

/// An op: name, what one call does in each arm (syscalls), runner.
pub struct OpDef {
    pub name: &'static str,
    pub what: &'static str,
    pub bare_calls: &'static str,
    pub libc_calls: &'static str,
    pub run: fn(&Id, &Cfg) -> Vec<String>,
}

/// Runs op `O`: one arm alone (`cfg.reps` repetitions), or both,
/// `cfg.op_pairs` pairs of repetitions in one process.
pub fn run<O: Op>(id: &Id, cfg: &Cfg) -> Vec<String> {
    let mut o = O::new();
    let lines = match cfg.arm {
        Some(Arm::Bare) => vec![line(
            id,
            Arm::Bare,
            &[measure(|| o.bare(), cfg, false)],
            None,
        )],
        Some(Arm::Libc) => vec![line(
            id,
            Arm::Libc,
            &[measure(|| o.libc(), cfg, false)],
            None,
        )],
        None => {
            timed(|| o.libc(), cfg.warmup);
            timed(|| o.bare(), cfg.warmup);
            let (mut l, mut b) = (Batch::default(), Batch::default());
            let mut ratios = Vec::new();
            for _ in 0..cfg.op_pairs {
                let (n, el) = timed(|| o.libc(), cfg.rep);
                l.reps.push(el.as_nanos() as f64 / n as f64);
                l.count += n;
                let (n, el) = timed(|| o.bare(), cfg.rep);
                b.reps.push(el.as_nanos() as f64 / n as f64);
                b.count += n;
                ratios.push(b.reps[b.reps.len() - 1] / l.reps[l.reps.len() - 1]);
            }
            vec![
                line(id, Arm::Libc, &[l], None),
                line(id, Arm::Bare, &[b], Some(&ratios)),
            ]
        }
    };
    for l in &lines {
        println!("{l}");
    }
    lines
}

macro_rules! op {
    ($name:literal, $ty:ty, $what:literal, $bare:literal, $libc:literal) => {
        OpDef {
            name: $name,
            what: $what,
            bare_calls: $bare,
            libc_calls: $libc,
            run: run::<$ty>,
        }
    };
}

pub fn all() -> Vec<OpDef> {
    vec![
        op!(
            "getppid",
            Getppid,
            "null syscall (bare arm: rustix, on which bareipc is built)",
            "getppid",
            "getppid"
        ),
        op!(
            "clock",
            Clock,
            "clock_gettime(CLOCK_MONOTONIC) (bare arm: rustix; vDSO)",
            "-",
            "-"
        ),
        op!(
            "pipe_1",
            PipeOp,
            "pipe write 1 B + read 1 B",
            "write, read",
            "write, read"
        ),
        op!(
            "eventfd",
            EventOp,
            "eventfd write 8 B + read 8 B",
            "write, read",
            "write, read"
        ),
        op!(
            "dgram_1",
            DgramOp,
            "unix dgram send 1 B + recv 1 B",
            "sendto, recvfrom",
            "sendto, recvfrom"
        ),
        op!(
            "sigmask",
            MaskOp<true>,
            "block + unblock one signal; both arms get the old mask back",
            "rt_sigprocmask x2",
            "rt_sigprocmask x2"
        ),
        op!(
            "sigmask_null",
            MaskOp<false>,
            "as sigmask, neither arm asking for the old mask (bare: change_mask; libc: NULL)",
            "rt_sigprocmask x2",
            "rt_sigprocmask x2"
        ),
        op!(
            "futex_wake",
            WakeOp,
            "FUTEX_WAKE (shared) with no waiter (bare arm: rustix)",
            "futex",
            "futex"
        ),
        op!(
            "sem_post_wait",
            SemPostOp,
            "futex semaphore post + wait, uncontended (glibc sem_t)",
            "-",
            "-"
        ),
        op!(
            "semop",
            SemopOp,
            "SysV semop +1 then -1 on own set",
            "semop x2",
            "semop x2"
        ),
        op!(
            "msg_1",
            MsgOp,
            "SysV msgsnd + msgrcv 1 B on own queue",
            "msgsnd, msgrcv",
            "msgsnd, msgrcv"
        ),
        op!(
            "mq_1",
            MqOp,
            "POSIX mq send + receive 1 B on own queue",
            "mq_timedsend, mq_timedreceive",
            "mq_timedsend, mq_timedreceive"
        ),
        op!(
            "shm_copy_100",
            ShmCopyOp<100>,
            "copy 100 B into shared memory and back out (bare: write_at/read_at; libc: memcpy)",
            "-",
            "-"
        ),
        op!(
            "shm_copy_1024",
            ShmCopyOp<1024>,
            "copy 1 KiB into shared memory and back out (bare: write_at/read_at; libc: memcpy)",
            "-",
            "-"
        ),
        op!(
            "shm_copy_4096",
            ShmCopyOp<4096>,
            "copy 4 KiB into shared memory and back out (bare: write_at/read_at; libc: memcpy)",
            "-",
            "-"
        ),
        op!(
            "sigqueue",
            SigqOp::<false>,
            "sigqueue to self + take it (sigtimedwait, zero timeout)",
            "rt_sigqueueinfo, rt_sigtimedwait",
            "getpid, getuid, rt_sigqueueinfo, rt_sigtimedwait"
        ),
        op!(
            "sigqueue3",
            SigqOp::<true>,
            "as sigqueue, bare arm with signal::queue (like glibc)",
            "getpid, getuid, rt_sigqueueinfo, rt_sigtimedwait",
            "getpid, getuid, rt_sigqueueinfo, rt_sigtimedwait"
        ),
    ]
}

pub struct Getppid;
impl Op for Getppid {
    fn new() -> Self {
        Getppid
    }
    #[inline(always)]
    fn bare(&mut self) {
        std::hint::black_box(rustix::process::getppid());
    }
    #[inline(always)]
    fn libc(&mut self) {
        std::hint::black_box(sys::getppid());
    }
}

pub struct Clock;
impl Op for Clock {
    fn new() -> Self {
        Clock
    }
    #[inline(always)]
    fn bare(&mut self) {
        std::hint::black_box(rustix::time::clock_gettime(
            rustix::time::ClockId::Monotonic,
        ));
    }
    #[inline(always)]
    fn libc(&mut self) {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is writable.
        unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
        std::hint::black_box(ts);
    }
}

pub struct PipeOp {
    b: (ReadEnd, WriteEnd),
    l: (c_int, c_int),
    buf: [u8; 1],
}
impl Op for PipeOp {
    fn new() -> Self {
        PipeOp {
            b: ok(pipe::pipe(), "pipe2"),
            l: sys::pipe(),
            buf: [1],
        }
    }
    #[inline(always)]
    fn bare(&mut self) {
        ok(self.b.1.write(&self.buf), "write");
        ok(self.b.0.read(&mut self.buf), "read");
    }
    #[inline(always)]
    fn libc(&mut self) {
        sys::write(self.l.1, &self.buf);
        sys::read(self.l.0, &mut self.buf);
    }
}

pub struct EventOp {
    b: EventFd,
    l: c_int,
}
impl Op for EventOp {
    fn new() -> Self {
        EventOp {
            b: ok(EventFd::new(0, EventFdFlags::empty()), "eventfd2"),
            l: sys::eventfd(),
        }
    }
    #[inline(always)]
    fn bare(&mut self) {
        ok(self.b.write(1), "write");
        ok(self.b.read(), "read");
    }
    #[inline(always)]
    fn libc(&mut self) {
        let mut v = 1u64.to_ne_bytes();
        sys::write(self.l, &v);
        sys::read(self.l, &mut v);
    }
}

pub struct DgramOp {
    b: (Socket, Socket),
    l: (c_int, c_int),
    buf: [u8; 1],
}
impl Op for DgramOp {
    fn new() -> Self {
        DgramOp {
            b: ok(
                socket::pair(SocketType::Datagram, SocketFlags::empty()),
                "socketpair",
            ),
            l: sys::socketpair(libc::SOCK_DGRAM),
            buf: [1],
        }
    }
    #[inline(always)]
    fn bare(&mut self) {
        ok(self.b.0.send(&self.buf), "send");
        ok(self.b.1.receive(&mut self.buf), "recv");
    }
    #[inline(always)]
    fn libc(&mut self) {
        sys::send(self.l.0, &self.buf);
        sys::recv(self.l.1, &mut self.buf);
    }
}

/// `OLD`: the libc arm asks for the old mask too, as bareipc always does.
pub struct MaskOp<const OLD: bool> {
    b: SigSet,
    l: libc::sigset_t,
}
impl<const OLD: bool> Op for MaskOp<OLD> {
    fn new() -> Self {
        MaskOp {
            b: SigSet::empty().with(Signal::USR2),
            l: sys::sigset(&[libc::SIGUSR2]),
        }
    }
    #[inline(always)]
    fn bare(&mut self) {
        if OLD {
            std::hint::black_box(ok(signal::block(&self.b), "block"));
            std::hint::black_box(ok(signal::unblock(&self.b), "unblock"));
        } else {
            use signal::MaskHow::{Block, Unblock};
            ok(signal::change_mask(Block, &self.b), "change_mask");
            ok(signal::change_mask(Unblock, &self.b), "change_mask");
        }
    }
    #[inline(always)]
    fn libc(&mut self) {
        if OLD {
            std::hint::black_box(sys::sigprocmask_old(libc::SIG_BLOCK, &self.l));
            std::hint::black_box(sys::sigprocmask_old(libc::SIG_UNBLOCK, &self.l));
        } else {
            sys::sigprocmask(libc::SIG_BLOCK, &self.l);
            sys::sigprocmask(libc::SIG_UNBLOCK, &self.l);
        }
    }
}

pub struct WakeOp {
    word: &'static std::sync::atomic::AtomicU32,
}
impl Op for WakeOp {
    fn new() -> Self {
        WakeOp {
            word: ok(crate::spin::leaked_map(4096).atomic_u32(0), "atomic"),
        }
    }
    #[inline(always)]
    fn bare(&mut self) {
        use rustix::thread::futex;
        ok(futex::wake(self.word, futex::Flags::empty(), 1), "futex");
    }
    #[inline(always)]
    fn libc(&mut self) {
        // SAFETY: a shared futex word we own; FUTEX_WAKE of one.
        lc(
            unsafe {
                libc::syscall(
                    libc::SYS_futex,
                    self.word.as_ptr(),
                    libc::FUTEX_WAKE,
                    1,
                    0,
                    0,
                    0,
                )
            },
            "futex",
        );
    }
}

pub struct SemPostOp {
    b: Semaphore<'static>,
    l: *mut libc::sem_t,
}
impl Op for SemPostOp {
    fn new() -> Self {
        let map = crate::spin::leaked_map(4096);
        let l = sys::shm_private(4096).cast::<libc::sem_t>();
        // SAFETY: a page-aligned, page-sized shared segment holds a sem_t.
        lc(unsafe { libc::sem_init(l, 1, 0) }, "sem_init");
        SemPostOp {
            b: ok(Semaphore::init(map, 0, 0), "sem_init"),
            l,
        }
    }
    #[inline(always)]
    fn bare(&mut self) {
        ok(self.b.post(), "post");
        ok(self.b.wait(), "wait");
    }
    #[inline(always)]
    fn libc(&mut self) {
        // SAFETY: an initialised semaphore.
        unsafe {
            lc(libc::sem_post(self.l), "sem_post");
            lc(libc::sem_wait(self.l), "sem_wait");
        }
    }
}

pub struct SemopOp {
    b: SemSet,
    l: c_int,
}
impl Drop for SemopOp {
    fn drop(&mut self) {
        let _ = self.b.remove();
        // SAFETY: IPC_RMID takes no argument.
        unsafe { libc::semctl(self.l, 0, libc::IPC_RMID) };
    }
}
impl Op for SemopOp {
    fn new() -> Self {
        SemopOp {
            b: ok(SemSet::private(1), "semget"),
            // SAFETY: integers only.
            l: lc(
                unsafe { libc::semget(libc::IPC_PRIVATE, 1, libc::IPC_CREAT | 0o600) },
                "semget",
            ),
        }
    }
    #[inline(always)]
    fn bare(&mut self) {
        ok(self.b.op(&[SemOp::post(0)]), "semop");
        ok(self.b.op(&[SemOp::wait(0)]), "semop");
    }
    #[inline(always)]
    fn libc(&mut self) {
        for d in [1, -1] {
            let mut b = libc::sembuf {
                sem_num: 0,
                sem_op: d,
                sem_flg: 0,
            };
            // SAFETY: one valid sembuf.
            lc(unsafe { libc::semop(self.l, &mut b, 1) }, "semop");
        }
    }
}

#[repr(C)]
struct MsgBuf1 {
    mtype: libc::c_long,
    mtext: [u8; 8],
}

pub struct MsgOp {
    bq: MsgQueue,
    bm: Message<8>,
    l: c_int,
    lm: MsgBuf1,
}
impl Drop for MsgOp {
    fn drop(&mut self) {
        let _ = MsgQueue::from_id(self.bq.id()).remove();
        // SAFETY: IPC_RMID takes no buffer.
        unsafe { libc::msgctl(self.l, libc::IPC_RMID, std::ptr::null_mut()) };
    }
}
impl Op for MsgOp {
    fn new() -> Self {
        let ty = ok(MsgType::new(1), "type");
        MsgOp {
            bq: ok(MsgQueue::private(), "msgget"),
            bm: ok(Message::with_text(ty, &[1]), "message"),
            // SAFETY: integers only.
            l: lc(
                unsafe { libc::msgget(libc::IPC_PRIVATE, libc::IPC_CREAT | 0o600) },
                "msgget",
            ),
            lm: MsgBuf1 {
                mtype: 1,
                mtext: [1; 8],
            },
        }
    }
    #[inline(always)]
    fn bare(&mut self) {
        ok(self.bq.send(&self.bm, SendFlags::empty()), "msgsnd");
        ok(
            self.bq
                .receive(&mut self.bm, Select::Any, ReceiveFlags::empty()),
            "msgrcv",
        );
    }
    #[inline(always)]
    fn libc(&mut self) {
        // SAFETY: a msgbuf with 8 bytes of text; we send 1.
        unsafe {
            lc(
                libc::msgsnd(self.l, (&raw const self.lm).cast(), 1, 0),
                "msgsnd",
            );
            lc(
                libc::msgrcv(self.l, (&raw mut self.lm).cast(), 8, 0, 0),
                "msgrcv",
            );
        }
    }
}

pub struct MqOp {
    b: bareipc::mq::posix::Mq,
    l: libc::mqd_t,
    buf: Box<crate::fds::Buf>,
}
impl Op for MqOp {
    fn new() -> Self {
        MqOp {
            b: crate::posix::bare_queue(),
            l: crate::posix::libc_queue(),
            buf: crate::fds::Buf::new(1),
        }
    }
    #[inline(always)]
    fn bare(&mut self) {
        use bareipc::mq::posix::Priority;
        ok(self.b.send(&self.buf.0[..1], Priority::MIN), "mq_send");
        ok(
            self.b.receive(&mut self.buf.0[..crate::sysv::MSG_MAX]),
            "mq_receive",
        );
    }
    #[inline(always)]
    fn libc(&mut self) {
        crate::posix::MqLibc::snd(self.l, &self.buf.0[..1]);
        crate::posix::MqLibc::rcv(self.l, &mut self.buf.0[..crate::sysv::MSG_MAX]);
    }
}

impl Drop for MqOp {
    fn drop(&mut self) {
        // SAFETY: the descriptor is ours and not used again.
        unsafe { libc::mq_close(self.l) };
    }
}

pub struct SigqOp<const Q3: bool> {
    sig: Signal,
    set: SigSet,
    lset: libc::sigset_t,
    me: Pid,
    info: SigInfo,
}
impl<const Q3: bool> Drop for SigqOp<Q3> {
    fn drop(&mut self) {
        ok(signal::unblock(&self.set), "unblock");
    }
}
impl<const Q3: bool> Op for SigqOp<Q3> {
    fn new() -> Self {
        let sig = ok(Signal::new(crate::signals::RT), "signal");
        let set = SigSet::empty().with(sig);
        ok(signal::block(&set), "block");
        SigqOp {
            sig,
            set,
            lset: sys::sigset(&[crate::signals::RT]),
            me: rustix::process::getpid(),
            info: SigInfo::new(sig, Code::QUEUE, SigVal::from_int(7)),
        }
    }
    #[inline(always)]
    fn bare(&mut self) {
        if Q3 {
            ok(
                signal::queue(self.me, self.sig, SigVal::from_int(7)),
                "sigqueue",
            );
        } else {
            ok(signal::queue_info(self.me, &self.info), "rt_sigqueueinfo");
        }
        ok(signal::try_wait(&self.set), "sigtimedwait");
    }
    #[inline(always)]
    fn libc(&mut self) {
        let v = libc::sigval {
            sival_ptr: 7 as *mut libc::c_void,
        };
        let zero = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: integers, a sigval, a valid set and timeout.
        unsafe {
            lc(
                libc::sigqueue(self.me.as_raw_nonzero().get(), crate::signals::RT, v),
                "sigqueue",
            );
            if libc::sigtimedwait(&self.lset, std::ptr::null_mut(), &zero) < 0 {
                die("sigtimedwait", std::io::Error::last_os_error());
            }
        }
    }
}

pub struct ShmCopyOp<const N: usize> {
    b: &'static bareipc::shm::Mapping<bareipc::shm::ReadWrite>,
    l: *mut u8,
    buf: Box<crate::fds::Buf>,
}
impl<const N: usize> Op for ShmCopyOp<N> {
    fn new() -> Self {
        ShmCopyOp {
            b: crate::spin::leaked_map(8192),
            l: sys::shm_private(8192),
            buf: crate::fds::Buf::new(1),
        }
    }
    #[inline(always)]
    fn bare(&mut self) {
        ok(self.b.write_at(0, &self.buf.0[..N]), "write_at");
        ok(self.b.read_at(0, &mut self.buf.0[..N]), "read_at");
    }
    #[inline(always)]
    fn libc(&mut self) {
        // SAFETY: the segment has 8192 bytes; only this process uses it.
        unsafe {
            // black_box: the compiler must not see that the copy back
            // returns the bytes it just wrote (it would drop it), nor the
            // length: with a constant one it inlines short copies instead
            // of calling memcpy, which a C program copying a message of
            // run-time length (as read_at/write_at take) does not get.
            let n = std::hint::black_box(N);
            let l = std::hint::black_box(self.l);
            std::ptr::copy_nonoverlapping(self.buf.0.as_ptr(), l, n);
            let l = std::hint::black_box(l);
            std::ptr::copy_nonoverlapping(l, self.buf.0.as_mut_ptr(), n);
        }
    }
}
