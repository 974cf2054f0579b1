//! Semaphores: a SysV set (a P with undo that empties it, a no-wait P
//! that must fail, a V, the value read back, removal), a futex semaphore
//! in a sealed memfd mapping (post, wait, try_wait on empty), a named
//! futex semaphore under `/dev/shm` (create, open a second mapping, post
//! through one, wait through the other, unlink), and a robust mutex (lock,
//! unlock, lock again: consistent both times).
//!
//! Expected syscalls: `semget`, `semctl(SETVAL)`, `semop` x3
//! (`semtimedop_time64` on i386), `semctl(GETVAL)`, `semctl(IPC_RMID)`;
//! `memfd_create`, `ftruncate`, `fcntl(F_ADD_SEALS)`, `fcntl(F_GET_SEALS)`,
//! `fstat`, `mmap`, `gettid` x2 (one per mutex lock), `munmap`, `close`;
//! `unlinkat` (a name left by a killed run), `gettid`, `openat`,
//! `ftruncate`, `mmap`, `linkat`, `unlinkat`, `close`, `openat`, `fstat`,
//! `mmap`, `close`, `munmap`, `unlinkat`, `munmap`. No `futex`: nobody
//! ever waits, and uncontended posts, waits and locks stay in user space
//! (checked with strace on x86_64).

use bareipc::Errno;
use bareipc::sem::futex::{self, NamedSemaphore, Semaphore};
use bareipc::sem::mutex::RobustMutex;
use bareipc::sem::sysv::{SemOp, SemSet};
use bareipc::shm::ReadWrite;
use bareipc::shm::memfd::{self, MemfdFlags, Seals};

/// The step that failed; its value is the exit code.
#[derive(Clone, Copy)]
#[repr(u8)]
pub enum Failed {
    /// Creating or setting the SysV set failed.
    SysvCreate = 50,
    /// A SysV operation or value did not behave.
    SysvOp = 51,
    /// Removing the SysV set failed.
    SysvRemove = 52,
    /// Creating or mapping the memfd failed.
    Memfd = 53,
    /// The unnamed futex semaphore did not behave.
    Futex = 54,
    /// Creating or opening the named semaphore failed.
    Named = 55,
    /// The named semaphore did not count across its two mappings.
    NamedCount = 56,
    /// Unlinking the named semaphore failed.
    NamedUnlink = 57,
    /// The robust mutex did not lock and unlock cleanly.
    Mutex = 58,
}

fn sysv() -> Result<(), Failed> {
    let set = SemSet::private(1).map_err(|_| Failed::SysvCreate)?;
    let result = set
        .set_value(0, 1)
        .map_err(|_| Failed::SysvCreate)
        .and_then(|()| {
            set.op(&[SemOp::wait(0).undo()])
                .map_err(|_| Failed::SysvOp)?;
            if set.op(&[SemOp::wait(0).nowait()]) != Err(Errno::AGAIN) {
                return Err(Failed::SysvOp);
            }
            set.op(&[SemOp::post(0).undo()])
                .map_err(|_| Failed::SysvOp)?;
            match set.value(0) {
                Ok(1) => Ok(()),
                _ => Err(Failed::SysvOp),
            }
        });
    set.remove().map_err(|_| Failed::SysvRemove)?;
    result
}

fn unnamed() -> Result<(), Failed> {
    let fd = memfd::create(c"nolibc-sem", MemfdFlags::empty()).map_err(|_| Failed::Memfd)?;
    fd.set_len(4096).map_err(|_| Failed::Memfd)?;
    fd.add_seals(Seals::SHRINK | Seals::GROW)
        .map_err(|_| Failed::Memfd)?;
    let map = fd.map::<ReadWrite>(4096).map_err(|_| Failed::Memfd)?;
    let sem = Semaphore::init(&map, 0, 0).map_err(|_| Failed::Futex)?;
    sem.post().map_err(|_| Failed::Futex)?;
    sem.wait().map_err(|_| Failed::Futex)?;
    if sem.try_wait() != Err(Errno::AGAIN) || sem.waiters() != 0 {
        return Err(Failed::Futex);
    }
    let mutex = RobustMutex::init(&map, 64).map_err(|_| Failed::Mutex)?;
    for _ in 0..2 {
        let locked = mutex.lock().map_err(|_| Failed::Mutex)?;
        if locked.owner_died() {
            return Err(Failed::Mutex);
        }
        locked.into_guard().unlock().map_err(|_| Failed::Mutex)?;
    }
    Ok(())
}

fn named() -> Result<(), Failed> {
    let name = "/bareipc-nolibc-check";
    let _ = futex::unlink(name);
    // SAFETY: this program alone uses the name, and never truncates it.
    let a = unsafe { NamedSemaphore::create(name, 0, futex::DEFAULT_MODE) }
        .map_err(|_| Failed::Named)?;
    // SAFETY: as above.
    let result = unsafe { NamedSemaphore::open(name) }
        .map_err(|_| Failed::Named)
        .and_then(|b| {
            a.semaphore().post().map_err(|_| Failed::NamedCount)?;
            b.semaphore().try_wait().map_err(|_| Failed::NamedCount)?;
            if a.semaphore().value() != 0 {
                return Err(Failed::NamedCount);
            }
            Ok(())
        });
    futex::unlink(name).map_err(|_| Failed::NamedUnlink)?;
    result
}

pub fn check() -> Result<(), Failed> {
    sysv()?;
    unnamed()?;
    named()
}
