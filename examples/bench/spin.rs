//! Shared memory with spin-waiting, no syscalls: sequence counters on
//! separate 64-byte lines, `pause` (`spin_loop`) while waiting, the payload
//! copied in and out. bareipc's arm uses its `Mapping` (volatile
//! `read_at`/`write_at`, `atomic_u32` views); the libc arm a raw
//! `shmat` pointer, `copy_nonoverlapping` (memcpy) and atomics made from it.
//! Split layout only: on one vCPU each handoff waits for a scheduler tick.

use std::hint::spin_loop;
use std::sync::atomic::AtomicU32;
use std::sync::atomic::Ordering::{Acquire, Release};

use bareipc::shm::sysv::Segment;
use bareipc::shm::{Mapping, ReadWrite};

use crate::fds::{Buf, MAX};
use crate::harness::{RoundTrip, Stream};
use crate::sys::{self, ok};

/// Where the data starts; the counters are at 0 and 64.
const DATA: usize = 4096;
/// Ring slots for the stream.
const SLOTS: u32 = 16;
/// The segment: counters, then room for the ring (or two RT buffers).
const LEN: usize = DATA + SLOTS as usize * MAX;

/// A private SysV segment of `len` bytes, attached, marked for removal,
/// and leaked for the life of the bench (one per batch), so that the
/// atomics in it can be held as `'static` borrows.
pub fn leaked_map(len: usize) -> &'static Mapping<ReadWrite> {
    let seg = ok(Segment::private(len), "shmget");
    let map = ok(seg.attach::<ReadWrite>(), "shmat");
    ok(seg.remove(), "shmctl");
    Box::leak(Box::new(map))
}

#[inline(always)]
fn wait_for(a: &AtomicU32, v: u32) {
    while a.load(Acquire) != v {
        spin_loop();
    }
}

// ------------------------------------------------------------- bare

pub struct SpinBare {
    map: &'static Mapping<ReadWrite>,
    a: &'static AtomicU32,
    b: &'static AtomicU32,
    seq: u32,
    size: usize,
    buf: Box<Buf>,
}

impl SpinBare {
    fn build(size: usize) -> Self {
        let map = leaked_map(LEN);
        SpinBare {
            map,
            a: ok(map.atomic_u32(0), "atomic"),
            b: ok(map.atomic_u32(64), "atomic"),
            seq: 0,
            size,
            buf: Buf::new(0x5a),
        }
    }
}

impl RoundTrip for SpinBare {
    fn new(size: usize) -> Self {
        Self::build(size)
    }
    #[inline(always)]
    fn echo(&mut self) {
        self.seq = self.seq.wrapping_add(1);
        wait_for(self.a, self.seq);
        let n = self.size;
        ok(self.map.read_at(DATA, &mut self.buf.0[..n]), "read_at");
        ok(self.map.write_at(DATA + MAX, &self.buf.0[..n]), "write_at");
        self.b.store(self.seq, Release);
    }
    #[inline(always)]
    fn ping(&mut self) {
        self.seq = self.seq.wrapping_add(1);
        let n = self.size;
        ok(self.map.write_at(DATA, &self.buf.0[..n]), "write_at");
        self.a.store(self.seq, Release);
        wait_for(self.b, self.seq);
        ok(
            self.map.read_at(DATA + MAX, &mut self.buf.0[..n]),
            "read_at",
        );
    }
}

/// The ring: `a` counts messages written (producer), `b` messages taken.
impl Stream for SpinBare {
    fn new(size: usize) -> Self {
        Self::build(size)
    }
    #[inline(always)]
    fn send(&mut self) {
        while self.seq.wrapping_sub(self.b.load(Acquire)) >= SLOTS {
            spin_loop();
        }
        let n = self.size;
        let at = DATA + (self.seq % SLOTS) as usize * n;
        ok(self.map.write_at(at, &self.buf.0[..n]), "write_at");
        self.seq = self.seq.wrapping_add(1);
        self.a.store(self.seq, Release);
    }
    #[inline(always)]
    fn recv(&mut self) -> usize {
        while self.a.load(Acquire) == self.seq {
            spin_loop();
        }
        let n = self.size;
        let at = DATA + (self.seq % SLOTS) as usize * n;
        ok(self.map.read_at(at, &mut self.buf.0[..n]), "read_at");
        self.seq = self.seq.wrapping_add(1);
        self.b.store(self.seq, Release);
        n
    }
}

// ------------------------------------------------------------- libc

pub struct SpinLibc {
    base: *mut u8,
    a: &'static AtomicU32,
    b: &'static AtomicU32,
    seq: u32,
    size: usize,
    buf: Box<Buf>,
}

impl SpinLibc {
    fn build(size: usize) -> Self {
        let base = sys::shm_private(LEN);
        // SAFETY: offsets 0 and 64 of the segment are 4-aligned, live until
        // the process ends (never detached while these are used: see Drop),
        // and only ever accessed atomically.
        let (a, b) = unsafe {
            (
                &*base.cast::<AtomicU32>(),
                &*base.add(64).cast::<AtomicU32>(),
            )
        };
        SpinLibc {
            base,
            a,
            b,
            seq: 0,
            size,
            buf: Buf::new(0x5a),
        }
    }

    #[inline(always)]
    fn copy_in(&self, at: usize, n: usize) {
        // SAFETY: `at + n` stays inside the segment; the other side does
        // not touch this range until the counter says so.
        unsafe { std::ptr::copy_nonoverlapping(self.buf.0.as_ptr(), self.base.add(at), n) };
    }

    #[inline(always)]
    fn copy_out(&mut self, at: usize, n: usize) {
        // SAFETY: as in copy_in.
        unsafe { std::ptr::copy_nonoverlapping(self.base.add(at), self.buf.0.as_mut_ptr(), n) };
    }
}

impl RoundTrip for SpinLibc {
    fn new(size: usize) -> Self {
        Self::build(size)
    }
    #[inline(always)]
    fn echo(&mut self) {
        self.seq = self.seq.wrapping_add(1);
        wait_for(self.a, self.seq);
        self.copy_out(DATA, self.size);
        self.copy_in(DATA + MAX, self.size);
        self.b.store(self.seq, Release);
    }
    #[inline(always)]
    fn ping(&mut self) {
        self.seq = self.seq.wrapping_add(1);
        self.copy_in(DATA, self.size);
        self.a.store(self.seq, Release);
        wait_for(self.b, self.seq);
        self.copy_out(DATA + MAX, self.size);
    }
}

impl Stream for SpinLibc {
    fn new(size: usize) -> Self {
        Self::build(size)
    }
    #[inline(always)]
    fn send(&mut self) {
        while self.seq.wrapping_sub(self.b.load(Acquire)) >= SLOTS {
            spin_loop();
        }
        let at = DATA + (self.seq % SLOTS) as usize * self.size;
        self.copy_in(at, self.size);
        self.seq = self.seq.wrapping_add(1);
        self.a.store(self.seq, Release);
    }
    #[inline(always)]
    fn recv(&mut self) -> usize {
        while self.a.load(Acquire) == self.seq {
            spin_loop();
        }
        let at = DATA + (self.seq % SLOTS) as usize * self.size;
        self.copy_out(at, self.size);
        self.seq = self.seq.wrapping_add(1);
        self.b.store(self.seq, Release);
        self.size
    }
}
