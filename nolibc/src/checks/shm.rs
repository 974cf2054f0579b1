//! Shared memory: bytes written through one mapping are read back through
//! a second, independent mapping of the same object, for each flavour — a
//! sealed memfd, a private SysV segment, and a POSIX object under
//! `/dev/shm` — and an atomic view sees what the copies wrote.
//!
//! Expected syscalls: `memfd_create`, `ftruncate`, `fcntl(F_ADD_SEALS)`,
//! `fcntl(F_GET_SEALS)` x2, `fstat` (`statx` on 32-bit) x2, `mmap` x2,
//! `munmap` x2, `close`; `shmget`, `shmat` x2, `shmctl(IPC_STAT)` x2,
//! `shmdt` x2, `shmctl(IPC_RMID)`; `unlinkat` (a name left by a killed
//! run), `openat` x2, `ftruncate`, `mmap` x2,
//! `munmap` x2, `unlinkat`, `close` x2.

use core::sync::atomic::Ordering;

use bareipc::shm::memfd::{self, MemfdFlags, Seals};
use bareipc::shm::posix;
use bareipc::shm::sysv::Segment;
use bareipc::shm::{Mapping, ReadOnly, ReadWrite};

/// The step that failed; its value is the exit code.
#[derive(Clone, Copy)]
#[repr(u8)]
pub enum Failed {
    /// Creating, sizing or sealing the memfd failed.
    Memfd = 30,
    /// Mapping the memfd failed.
    MemfdMap = 31,
    /// Creating or attaching the SysV segment failed.
    Sysv = 32,
    /// Removing the SysV segment failed.
    SysvRemove = 33,
    /// Creating or sizing the POSIX object failed.
    Posix = 34,
    /// Mapping the POSIX object failed.
    PosixMap = 35,
    /// Unlinking the POSIX object failed.
    PosixUnlink = 36,
    /// The second mapping did not see the bytes or the atomic.
    Contents = 37,
}

const MESSAGE: &[u8] = b"across two mappings";

/// Writes through `w`, reads back through `r`.
fn round_trip(w: &Mapping<ReadWrite>, r: &Mapping<ReadOnly>) -> Result<(), Failed> {
    w.write_at(8, MESSAGE).map_err(|_| Failed::Contents)?;
    let flag = w.atomic_u32(0).map_err(|_| Failed::Contents)?;
    flag.store(MESSAGE.len() as u32, Ordering::Release);
    let mut len = [0u8; 4];
    r.read_at(0, &mut len).map_err(|_| Failed::Contents)?;
    let mut buf = [0u8; 32];
    let n = u32::from_ne_bytes(len) as usize;
    let got = buf.get_mut(..n).ok_or(Failed::Contents)?;
    r.read_at(8, got).map_err(|_| Failed::Contents)?;
    if got != MESSAGE || r.len() != w.len() {
        return Err(Failed::Contents);
    }
    Ok(())
}

pub fn check() -> Result<(), Failed> {
    let fd = memfd::create(c"nolibc", MemfdFlags::empty()).map_err(|_| Failed::Memfd)?;
    fd.set_len(4096).map_err(|_| Failed::Memfd)?;
    fd.add_seals(Seals::SHRINK | Seals::GROW)
        .map_err(|_| Failed::Memfd)?;
    let w = fd.map::<ReadWrite>(4096).map_err(|_| Failed::MemfdMap)?;
    let r = fd.map::<ReadOnly>(4096).map_err(|_| Failed::MemfdMap)?;
    round_trip(&w, &r)?;
    drop((w, r, fd));

    let seg = Segment::private(4096).map_err(|_| Failed::Sysv)?;
    let attached = seg
        .attach::<ReadWrite>()
        .and_then(|w| Ok((w, seg.attach::<ReadOnly>()?)));
    let result = match &attached {
        Ok((w, r)) => round_trip(w, r),
        Err(_) => Err(Failed::Sysv),
    };
    drop(attached);
    seg.remove().map_err(|_| Failed::SysvRemove)?;
    result?;

    let name = "/bareipc-nolibc-check";
    let _ = posix::unlink(name);
    let shm = posix::create(name, posix::DEFAULT_MODE)
    .map_err(|_| Failed::Posix)?;
    let result = shm.set_len(4096).map_err(|_| Failed::Posix).and_then(|()| {
        let other =
            posix::open::<bareipc::shm::ReadOnly>(name).map_err(|_| Failed::Posix)?;
        // SAFETY: this program alone uses the object, and does not shrink
        // it while mapped.
        let w = unsafe { shm.map::<ReadWrite>(4096) }.map_err(|_| Failed::PosixMap)?;
        // SAFETY: as above.
        let r = unsafe { other.map::<ReadOnly>(4096) }.map_err(|_| Failed::PosixMap)?;
        round_trip(&w, &r)
    });
    posix::unlink(name).map_err(|_| Failed::PosixUnlink)?;
    result
}
