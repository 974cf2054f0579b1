//! A ring buffer in shared memory between two processes, with two futex
//! semaphores in the same memory counting free and filled slots. The memory
//! is a sealed memfd handed to the consumer as its stdin: no name to clean
//! up, and the seals let the consumer map it safely (no one can shrink it).
//! The producer sends 10,000 numbers; the consumer checks their sum.
//!
//! Run: `cargo run --example shm_ring`

use std::os::fd::{AsFd, OwnedFd};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bareipc::sem::futex::Semaphore;
use bareipc::shm::memfd::{self, Memfd, MemfdFlags, Seals};
use bareipc::shm::{Mapping, ReadWrite};

const COUNT: u64 = 10_000;
const SLOTS: usize = 64;
// The layout: two semaphores (8 bytes each), then SLOTS slots of one u64.
const FREE: usize = 0; // slots the producer may fill, starts at SLOTS
const FILLED: usize = 8; // slots the consumer may take, starts at 0
const RING: usize = 16;
const LEN: usize = RING + SLOTS * 8;
// A peer that dies would leave the other waiting for ever: bound each wait.
const PATIENCE: Duration = Duration::from_secs(5);

fn slot(i: u64) -> usize {
    RING + (i as usize % SLOTS) * 8
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("consumer") {
        return consumer();
    }

    let fd = memfd::create(c"bareipc-ring", MemfdFlags::empty()).expect("memfd_create");
    fd.set_len(LEN as u64).expect("ftruncate");
    fd.add_seals(Seals::SHRINK | Seals::GROW).expect("seal"); // for good, for everyone
    let map = fd.map::<ReadWrite>(LEN).expect("mmap");
    let free = Semaphore::init(&map, FREE, SLOTS as u32).expect("init");
    let filled = Semaphore::init(&map, FILLED, 0).expect("init");

    // The memfd becomes the consumer's stdin; our mapping stays without it.
    let mut consumer = Command::new(std::env::current_exe().expect("current_exe"))
        .arg("consumer")
        .stdin(Stdio::from(OwnedFd::from(fd)))
        .spawn()
        .expect("spawn the consumer");

    let start = Instant::now();
    for i in 0..COUNT {
        free.wait_timeout(PATIENCE).expect("a free slot");
        let value = i + 1;
        map.write_at(slot(i), &value.to_ne_bytes())
            .expect("in bounds");
        filled.post().expect("post"); // publishes the slot's bytes
    }
    let status = consumer.wait().expect("wait");
    assert!(status.success(), "consumer failed: {status}");
    println!("producer: sent {COUNT} values in {:?}", start.elapsed());
}

fn consumer() {
    // Our own fd for stdin (a dup); refuse it unless it can never shrink.
    let fd = std::io::stdin().as_fd().try_clone_to_owned().expect("dup");
    let fd = Memfd::require_seals(fd, Seals::SHRINK).expect("a memfd sealed against shrinking");
    let map: Mapping<ReadWrite> = fd.map(LEN).expect("mmap");
    let free = Semaphore::at(&map, FREE).expect("in bounds");
    let filled = Semaphore::at(&map, FILLED).expect("in bounds");

    let start = Instant::now();
    let mut sum = 0u64;
    for i in 0..COUNT {
        filled.wait_timeout(PATIENCE).expect("a filled slot");
        let mut value = [0u8; 8];
        map.read_at(slot(i), &mut value).expect("in bounds");
        free.post().expect("post"); // the slot may be reused
        sum += u64::from_ne_bytes(value);
    }
    assert_eq!(sum, COUNT * (COUNT + 1) / 2);
    println!(
        "consumer: sum of {COUNT} values {sum}, in {:?}",
        start.elapsed()
    );
}
