//! Shared file: create a file atomically in `/tmp` (unnamed `O_TMPFILE`
//! linked into place), open it twice (two open file descriptions), take an
//! exclusive OFD lock on bytes 0..4 through one; through the other, a
//! conflicting lock must fail with `EAGAIN`, the query must name the
//! holder's range and a disjoint range must lock. After the unlock the
//! whole file locks. The file is removed whatever happened.
//!
//! Expected syscalls: `getpid`; `openat` x2, `write`, `linkat`, `close` x2
//! (`replace::create`); `openat` x2;
//! `fcntl` x8 (`fcntl64` on x86/arm); `read`; `close` x2; `unlinkat`.

use bareipc::Errno;
use bareipc::file::lock::{self, Conflict, LockKind, Range};
use bareipc::file::replace::{self, Durability, Options};
use core::ffi::CStr;
use rustix::fd::OwnedFd;
use rustix::fs::{AtFlags, CWD, Mode, OFlags};

/// The step that failed; its value is the exit code.
#[derive(Clone, Copy)]
#[repr(u8)]
pub enum Failed {
    /// `replace::create` returned an error.
    Create = 70,
    /// Opening the created file returned an error.
    Open = 71,
    /// The exclusive lock on bytes 0..4 was refused.
    Lock = 72,
    /// A conflicting lock through the other description did not fail with
    /// `EAGAIN`.
    NotExcluded = 73,
    /// The query failed, or did not name the exclusive lock on 0..4.
    Query = 74,
    /// A lock on a disjoint range was refused.
    Disjoint = 75,
    /// Unlocking failed, or the whole file did not lock afterwards.
    Unlock = 76,
    /// The file does not hold the bytes it was created with.
    Contents = 77,
    /// Removing the file failed.
    Unlink = 78,
}

const CONTENTS: &[u8] = b"bareipc file check";

/// Runs the round trip; the file is removed and everything closed before
/// returning.
pub fn check() -> Result<(), Failed> {
    let path = TmpPath::new();
    let opts = Options::new().durability(Durability::None);
    replace::create(CWD, path.as_c_str(), CONTENTS, &opts).map_err(|_| Failed::Create)?;
    let result = locks(path.as_c_str());
    let removed = rustix::fs::unlinkat(CWD, path.as_c_str(), AtFlags::empty());
    result?;
    removed.map_err(|_| Failed::Unlink)
}

fn locks(path: &CStr) -> Result<(), Failed> {
    let open = || -> Result<OwnedFd, Failed> {
        rustix::fs::openat(CWD, path, OFlags::RDWR | OFlags::CLOEXEC, Mode::empty())
            .map_err(|_| Failed::Open)
    };
    let (a, b) = (open()?, open()?);
    let held =
        lock::try_lock(&a, LockKind::Exclusive, Range::new(0, 4)).map_err(|_| Failed::Lock)?;
    if lock::try_lock(&b, LockKind::Shared, Range::new(2, 1)).err() != Some(Errno::AGAIN) {
        return Err(Failed::NotExcluded);
    }
    let conflict =
        lock::query(&b, LockKind::Shared, Range::new(2, 1)).map_err(|_| Failed::Query)?;
    let expected = Conflict {
        kind: LockKind::Exclusive,
        range: Range::new(0, 4),
        pid: None,
    };
    if conflict != Some(expected) {
        return Err(Failed::Query);
    }
    let disjoint =
        lock::try_lock(&b, LockKind::Exclusive, Range::to_end(4)).map_err(|_| Failed::Disjoint)?;
    drop(disjoint);
    held.unlock().map_err(|_| Failed::Unlock)?;
    let whole =
        lock::try_lock(&b, LockKind::Exclusive, Range::WHOLE).map_err(|_| Failed::Unlock)?;
    drop(whole);
    let mut buf = [0u8; 32];
    match rustix::io::read(&a, &mut buf) {
        Ok(n) if buf.get(..n) == Some(CONTENTS) => Ok(()),
        _ => Err(Failed::Contents),
    }
}

/// `/tmp/.bareipc-nolibc-PPPPPPPP` (the pid in hexadecimal), on the stack.
struct TmpPath {
    buf: [u8; 31],
}

impl TmpPath {
    fn new() -> TmpPath {
        let mut buf = *b"/tmp/.bareipc-nolibc-00000000\0\0";
        let mut pid = rustix::process::getpid().as_raw_nonzero().get() as u32;
        for b in buf[21..29].iter_mut().rev() {
            *b = b"0123456789abcdef"[(pid & 0xf) as usize];
            pid >>= 4;
        }
        TmpPath { buf }
    }

    fn as_c_str(&self) -> &CStr {
        CStr::from_bytes_until_nul(&self.buf).unwrap_or(c"/")
    }
}
