//! POSIX message queues (two queues, `mq_timedsend`/`mq_timedreceive` with
//! no timeout) and the process-shared futex semaphore (bareipc's
//! `sem::futex::Semaphore` against glibc's `sem_t` with `pshared = 1`;
//! both wake only when a waiter is registered).

use std::ffi::CString;
use std::sync::atomic::{AtomicU32, Ordering};

use bareipc::mq::posix::{self, Access, Capacity, Mq, Priority};
use bareipc::sem::futex::Semaphore;

use crate::fds::Buf;
use crate::harness::{RoundTrip, Stream};
use crate::sys::{self, die, lc, ok};
use crate::sysv::MSG_MAX;

/// Queue depth (the default `msg_max`).
const DEPTH: usize = 10;

/// A fresh queue name for this process.
fn mq_name(which: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "/bareipc-bench-{}-{}-{which}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// A new queue of [`DEPTH`] messages of [`MSG_MAX`] bytes, its name
/// already unlinked (bare arm).
pub fn bare_queue() -> Mq {
    let cap = Capacity {
        max_messages: DEPTH,
        message_size: MSG_MAX,
    };
    let name = mq_name("q");
    let q = ok(
        posix::create(&name, Access::ReadWrite, posix::DEFAULT_MODE, Some(cap)),
        "mq_open",
    );
    ok(posix::unlink(&name), "mq_unlink");
    q
}

/// The same through glibc's `mq_open` (libc arm).
pub fn libc_queue() -> libc::mqd_t {
    let name = CString::new(mq_name("q")).unwrap_or_else(|e| die("name", e));
    // SAFETY: mq_attr is plain integers.
    let mut attr: libc::mq_attr = unsafe { std::mem::zeroed() };
    attr.mq_maxmsg = DEPTH as _;
    attr.mq_msgsize = MSG_MAX as _;
    // SAFETY: `name` is NUL-terminated; the variadic mode and attr are
    // what O_CREAT asks for.
    let q = lc(
        unsafe {
            libc::mq_open(
                name.as_ptr(),
                libc::O_RDWR | libc::O_CREAT | libc::O_EXCL | libc::O_CLOEXEC,
                0o600 as libc::mode_t,
                &attr as *const libc::mq_attr,
            )
        },
        "mq_open",
    );
    // SAFETY: `name` is NUL-terminated.
    lc(unsafe { libc::mq_unlink(name.as_ptr()) }, "mq_unlink");
    q
}

// ------------------------------------------------------------- mq, bare

pub struct MqBare {
    down: Mq,
    up: Mq,
    size: usize,
    buf: Box<Buf>,
}

impl MqBare {
    fn build(size: usize) -> Self {
        if size > MSG_MAX {
            die("size", format!("POSIX queues are capped at {MSG_MAX}"));
        }
        MqBare {
            down: bare_queue(),
            up: bare_queue(),
            size,
            buf: Buf::new(0x5a),
        }
    }
}

impl RoundTrip for MqBare {
    fn new(size: usize) -> Self {
        Self::build(size)
    }
    #[inline(always)]
    fn echo(&mut self) {
        let (n, _) = ok(self.down.receive(&mut self.buf.0[..MSG_MAX]), "mq_receive");
        ok(self.up.send(&self.buf.0[..n], Priority::MIN), "mq_send");
    }
    #[inline(always)]
    fn ping(&mut self) {
        ok(
            self.down.send(&self.buf.0[..self.size], Priority::MIN),
            "mq_send",
        );
        ok(self.up.receive(&mut self.buf.0[..MSG_MAX]), "mq_receive");
    }
}

impl Stream for MqBare {
    fn new(size: usize) -> Self {
        Self::build(size)
    }
    #[inline(always)]
    fn send(&mut self) {
        ok(
            self.down.send(&self.buf.0[..self.size], Priority::MIN),
            "mq_send",
        );
    }
    #[inline(always)]
    fn recv(&mut self) -> usize {
        ok(self.down.receive(&mut self.buf.0[..MSG_MAX]), "mq_receive").0
    }
}

// ------------------------------------------------------------- mq, libc

pub struct MqLibc {
    down: libc::mqd_t,
    up: libc::mqd_t,
    size: usize,
    buf: Box<Buf>,
}

impl MqLibc {
    fn build(size: usize) -> Self {
        if size > MSG_MAX {
            die("size", format!("POSIX queues are capped at {MSG_MAX}"));
        }
        MqLibc {
            down: libc_queue(),
            up: libc_queue(),
            size,
            buf: Buf::new(0x5a),
        }
    }

    #[inline(always)]
    pub fn snd(q: libc::mqd_t, b: &[u8]) {
        // SAFETY: `b` is readable for its length; no timeout.
        lc(
            unsafe { libc::mq_timedsend(q, b.as_ptr().cast(), b.len(), 0, std::ptr::null()) },
            "mq_timedsend",
        );
    }

    #[inline(always)]
    pub fn rcv(q: libc::mqd_t, b: &mut [u8]) -> usize {
        let mut prio = 0;
        // SAFETY: `b` is writable for its length; no timeout.
        lc(
            unsafe {
                libc::mq_timedreceive(
                    q,
                    b.as_mut_ptr().cast(),
                    b.len(),
                    &mut prio,
                    std::ptr::null(),
                )
            },
            "mq_timedreceive",
        ) as usize
    }
}

impl Drop for MqLibc {
    fn drop(&mut self) {
        // SAFETY: the descriptors are ours and not used again.
        unsafe {
            libc::mq_close(self.down);
            libc::mq_close(self.up);
        }
    }
}

impl RoundTrip for MqLibc {
    fn new(size: usize) -> Self {
        Self::build(size)
    }
    #[inline(always)]
    fn echo(&mut self) {
        let n = Self::rcv(self.down, &mut self.buf.0[..MSG_MAX]);
        Self::snd(self.up, &self.buf.0[..n]);
    }
    #[inline(always)]
    fn ping(&mut self) {
        Self::snd(self.down, &self.buf.0[..self.size]);
        Self::rcv(self.up, &mut self.buf.0[..MSG_MAX]);
    }
}

impl Stream for MqLibc {
    fn new(size: usize) -> Self {
        Self::build(size)
    }
    #[inline(always)]
    fn send(&mut self) {
        Self::snd(self.down, &self.buf.0[..self.size]);
    }
    #[inline(always)]
    fn recv(&mut self) -> usize {
        Self::rcv(self.down, &mut self.buf.0[..MSG_MAX])
    }
}

// ------------------------------------------------------------- futex semaphore

/// Semaphore at 0 says "ping", the one at 64 "pong".
pub struct FutexBare {
    ping: Semaphore<'static>,
    pong: Semaphore<'static>,
}

impl RoundTrip for FutexBare {
    fn new(_: usize) -> Self {
        let map = crate::spin::leaked_map(4096);
        FutexBare {
            ping: ok(Semaphore::init(map, 0, 0), "sem_init"),
            pong: ok(Semaphore::init(map, 64, 0), "sem_init"),
        }
    }
    #[inline(always)]
    fn echo(&mut self) {
        ok(self.ping.wait(), "sem_wait");
        ok(self.pong.post(), "sem_post");
    }
    #[inline(always)]
    fn ping(&mut self) {
        ok(self.ping.post(), "sem_post");
        ok(self.pong.wait(), "sem_wait");
    }
}

pub struct FutexLibc {
    page: *mut u8,
    ping: *mut libc::sem_t,
    pong: *mut libc::sem_t,
}

impl FutexLibc {
    #[inline(always)]
    fn post(s: *mut libc::sem_t) {
        // SAFETY: `s` is an initialised sem_t in our shared page.
        lc(unsafe { libc::sem_post(s) }, "sem_post");
    }
    #[inline(always)]
    fn wait(s: *mut libc::sem_t) {
        // SAFETY: as in post.
        lc(unsafe { libc::sem_wait(s) }, "sem_wait");
    }
}

impl Drop for FutexLibc {
    fn drop(&mut self) {
        // SAFETY: nobody waits on them any more (the child is gone).
        unsafe {
            libc::sem_destroy(self.ping);
            libc::sem_destroy(self.pong);
        }
        sys::shm_detach(self.page);
    }
}

impl RoundTrip for FutexLibc {
    fn new(_: usize) -> Self {
        let page = sys::shm_private(4096);
        // SAFETY: offsets 0 and 64 of a page hold a sem_t (32 bytes) each,
        // aligned.
        let (ping, pong) = unsafe { (page.cast::<libc::sem_t>(), page.add(64).cast()) };
        // SAFETY: as above; pshared = 1 for a semaphore shared across fork.
        unsafe {
            lc(libc::sem_init(ping, 1, 0), "sem_init");
            lc(libc::sem_init(pong, 1, 0), "sem_init");
        }
        FutexLibc { page, ping, pong }
    }
    #[inline(always)]
    fn echo(&mut self) {
        Self::wait(self.ping);
        Self::post(self.pong);
    }
    #[inline(always)]
    fn ping(&mut self) {
        Self::post(self.ping);
        Self::wait(self.pong);
    }
}
