//! Names and paths the crate builds on the stack: `/proc/self/fd/N`
//! (optionally with a name after it), and temporary names no other
//! process can predict.
//!
//! A temporary name that a peer can guess (a pid, a thread id, a counter)
//! lets it deny service: it creates the names first, and the crate's
//! `O_EXCL` create fails each time (in a sticky shared directory such as
//! `/dev/shm` or `/tmp`, it cannot even be removed). Here the variable
//! part is 64 bits from `getrandom`, so a squatter would have to plant
//! more files than any file system holds.

use core::ffi::CStr;

use rustix::fd::{AsRawFd, BorrowedFd};

#[cfg(any(feature = "file", feature = "sem"))]
use crate::{Errno, Result};

/// Bytes on the stack, always NUL-terminated after the last pushed byte:
/// a path to hand to the kernel.
#[derive(Clone)]
pub(crate) struct StackPath<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> StackPath<N> {
    /// Empty.
    pub(crate) const fn new() -> Self {
        Self {
            buf: [0; N],
            len: 0,
        }
    }

    /// `/proc/self/fd/<fd>`.
    pub(crate) fn proc_fd(fd: BorrowedFd<'_>) -> Option<Self> {
        let mut p = Self::new();
        p.push(b"/proc/self/fd/")?;
        p.push_decimal(fd.as_raw_fd().unsigned_abs())?;
        Some(p)
    }

    /// Appends `bytes`, keeping room for the NUL; `None` if they do not
    /// fit (nothing is appended then).
    pub(crate) fn push(&mut self, bytes: &[u8]) -> Option<()> {
        let end = self.len.checked_add(bytes.len()).filter(|&e| e < N)?;
        self.buf[self.len..end].copy_from_slice(bytes);
        self.len = end;
        Some(())
    }

    /// Appends `v` in decimal.
    pub(crate) fn push_decimal(&mut self, mut v: u32) -> Option<()> {
        let mut digits = [0u8; 10];
        let mut i = digits.len();
        loop {
            i -= 1;
            digits[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        self.push(&digits[i..])
    }

    /// Appends 16 lowercase hexadecimal digits of fresh randomness: one
    /// `getrandom` call (two on kernels before 5.6, which refuse
    /// `GRND_INSECURE`).
    #[cfg(any(feature = "file", feature = "sem"))]
    pub(crate) fn push_random(&mut self) -> Result<()> {
        let mut bytes = [0u8; 8];
        fill_random(&mut bytes)?;
        let mut hex = [0u8; 16];
        for (pair, b) in hex.chunks_exact_mut(2).zip(bytes) {
            pair[0] = b"0123456789abcdef"[usize::from(b >> 4)];
            pair[1] = b"0123456789abcdef"[usize::from(b & 0xf)];
        }
        self.push(&hex).ok_or(Errno::NAMETOOLONG)
    }

    /// The bytes, without the NUL.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// The bytes up to the first NUL, as a C string (the whole path when
    /// no pushed byte was a NUL).
    pub(crate) fn as_c_str(&self) -> &CStr {
        // `buf[len]` is always 0 (`push` keeps room for it).
        CStr::from_bytes_until_nul(&self.buf).unwrap_or(c"")
    }
}

/// Fills `buf` from the kernel's random pool. `GRND_INSECURE` (Linux 5.6)
/// never blocks, even at early boot, where an init system runs; names only
/// need to be unpredictable to other processes, not key material. Older
/// kernels refuse it (`EINVAL`): then the plain call, which blocks only
/// until the pool is first initialised.
#[cfg(any(feature = "file", feature = "sem"))]
fn fill_random(buf: &mut [u8]) -> Result<()> {
    use rustix::rand::{GetRandomFlags, getrandom};
    let mut flags = GetRandomFlags::INSECURE;
    let mut filled = 0;
    // A signal can cut a call short (EINTR, or a partial count); the pool
    // cannot run dry, so a few rounds always finish.
    for _ in 0..16 {
        match getrandom(&mut buf[filled..], flags) {
            Ok(n) => filled += n,
            Err(Errno::INVAL) if flags == GetRandomFlags::INSECURE => {
                flags = GetRandomFlags::empty();
            }
            Err(Errno::INTR) => {}
            Err(e) => return Err(e),
        }
        if filled == buf.len() {
            return Ok(());
        }
    }
    Err(Errno::INTR)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_build_and_stop_at_their_capacity() {
        let mut p = StackPath::<8>::new();
        assert_eq!(p.push(b"/ab"), Some(()));
        assert_eq!(p.push_decimal(1234), Some(()));
        assert_eq!(p.as_bytes(), b"/ab1234");
        assert_eq!(p.as_c_str().to_bytes(), b"/ab1234");
        // 8 bytes would leave no room for the NUL.
        assert_eq!(p.push(b"x"), None);
        assert_eq!(p.as_bytes(), b"/ab1234");
        let mut q = StackPath::<16>::new();
        q.push_decimal(0).unwrap();
        q.push_decimal(u32::MAX).unwrap();
        assert_eq!(q.as_bytes(), b"04294967295");
    }

    #[cfg(any(feature = "file", feature = "sem"))]
    #[test]
    fn random_names_differ_and_are_hex() {
        let mut a = StackPath::<32>::new();
        let mut b = StackPath::<32>::new();
        a.push_random().unwrap();
        b.push_random().unwrap();
        assert_eq!(a.as_bytes().len(), 16);
        assert!(a.as_bytes().iter().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a.as_bytes(), b.as_bytes());
    }
}
