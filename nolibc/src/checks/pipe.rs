//! Anonymous pipe: create, check close-on-exec, write 64 bytes, read them
//! back, compare, close both ends.
//!
//! Expected syscalls: `pipe2`, `fcntl(F_GETFD)` x2 (`fcntl64` on x86/arm),
//! `write`, `read`, `close` x2.

use bareipc::pipe::{ReadEnd, WriteEnd, pipe};
use rustix::fd::AsFd;
use rustix::io::{FdFlags, fcntl_getfd};

/// The step that failed; its value is the exit code.
#[derive(Clone, Copy)]
#[repr(u8)]
pub enum Failed {
    /// `pipe()` returned an error.
    Create = 10,
    /// `fcntl(F_GETFD)` on the read end returned an error.
    GetFdRead = 11,
    /// The read end is not close-on-exec.
    CloexecRead = 12,
    /// `fcntl(F_GETFD)` on the write end returned an error.
    GetFdWrite = 13,
    /// The write end is not close-on-exec.
    CloexecWrite = 14,
    /// `WriteEnd::write` returned an error.
    Write = 15,
    /// The write took fewer than 64 bytes (a pipe write of at most
    /// `PIPE_BUF` bytes is all or nothing).
    ShortWrite = 16,
    /// `ReadEnd::read` returned an error.
    Read = 17,
    /// The read returned fewer than 64 bytes.
    ShortRead = 18,
    /// The bytes read differ from the bytes written.
    Mismatch = 19,
}

/// Bytes that are neither zero nor a simple counter, so a stale or shifted
/// buffer cannot pass the comparison by accident.
const MESSAGE: [u8; 64] = {
    let mut m = [0u8; 64];
    let mut i = 0;
    while i < m.len() {
        m[i] = (i as u8).wrapping_mul(37) ^ 0xA5;
        i += 1;
    }
    m
};

/// Runs the round trip. Both ends are dropped (closed) before returning,
/// on success and on failure.
pub fn check() -> Result<(), Failed> {
    let (reader, writer) = pipe().map_err(|_| Failed::Create)?;
    round_trip(&reader, &writer)?;
    // Close explicitly, write end first, so the order is visible in strace.
    drop(writer);
    drop(reader);
    Ok(())
}

fn round_trip(reader: &ReadEnd, writer: &WriteEnd) -> Result<(), Failed> {
    expect_cloexec(reader, Failed::GetFdRead, Failed::CloexecRead)?;
    expect_cloexec(writer, Failed::GetFdWrite, Failed::CloexecWrite)?;

    let written = writer.write(&MESSAGE).map_err(|_| Failed::Write)?;
    if written != MESSAGE.len() {
        return Err(Failed::ShortWrite);
    }

    let mut got = [0u8; 64];
    let read = reader.read(&mut got).map_err(|_| Failed::Read)?;
    if read != got.len() {
        return Err(Failed::ShortRead);
    }
    if got != MESSAGE {
        return Err(Failed::Mismatch);
    }
    Ok(())
}

/// bareipc promises that every fd it creates is close-on-exec.
fn expect_cloexec(fd: impl AsFd, failed_call: Failed, not_cloexec: Failed) -> Result<(), Failed> {
    let flags = fcntl_getfd(fd).map_err(|_| failed_call)?;
    if flags.contains(FdFlags::CLOEXEC) {
        Ok(())
    } else {
        Err(not_cloexec)
    }
}
