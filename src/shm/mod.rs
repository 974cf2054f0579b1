//! Shared memory: POSIX objects, memfds with seals and SysV segments,
//! behind one mapping type that stays sound while other processes write.
//!
//! The fastest technique: once mapped, bytes move between processes with
//! no syscall at all. Its two costs are synchronisation and not knowing
//! when to read. Pair it with a
//! notification (an [`eventfd`](crate::eventfd), a futex on an
//! [`AtomicU32`] view, a pipe) and a lock or protocol of your own.
//!
//! | flavour | module | name | size fixed by |
//! |---|---|---|---|
//! | POSIX | [`posix`] | `/name` under `/dev/shm` | `ftruncate`, by anyone with write access |
//! | memfd | [`memfd`] | none: the fd is passed (fork, `SCM_RIGHTS`) | seals ([`memfd::Seals::SHRINK`]) |
//! | SysV | [`sysv`] | a [`Key`](crate::key::Key) or a private id | `shmget`, for good |
//!
//! # Why no `&[u8]` into shared memory
//!
//! A `&[u8]` promises that the bytes do not change while it lives, and a
//! `&mut [u8]` that nobody else reads or writes them. Another process
//! writes shared pages whenever it likes, so handing out either would let
//! safe code observe "immutable" memory changing — undefined behaviour the
//! compiler may exploit (say, by reading a length once and trusting it
//! twice). So the safe API of [`Mapping`] is:
//!
//! - [`read_at`](Mapping::read_at) / [`write_at`](Mapping::write_at):
//!   bounds-checked copies between the mapping and your own buffers, made
//!   with volatile accesses (on x86_64, vector moves and `rep movsb` in
//!   `asm!`, which the compiler cannot elide or split either) so each copy
//!   really reads or writes the shared memory (`memcpy` itself may not be
//!   used on memory that others write; on x86_64 bulk copies are as fast
//!   as glibc's, using AVX or AVX-512 when the CPU has it);
//! - [`atomic_u32`](Mapping::atomic_u32) /
//!   [`atomic_u64`](Mapping::atomic_u64): aligned atomic views, the right
//!   tool for flags, counters, sequence numbers and futex words;
//! - [`as_ptr`](Mapping::as_ptr) and [`len`](Mapping::len) for your own
//!   `unsafe` code;
//! - and, `unsafe`, [`as_slice`](Mapping::as_slice) /
//!   [`as_mut_slice`](Mapping::as_mut_slice), whose contract is that no
//!   other process or thread writes (or, for the mutable view, touches) the
//!   memory while the slice lives.
//!
//! No safe method can fault: every access is checked against the mapped
//! length, and a mapping is only made safely where the length cannot
//! shrink under it (a SysV segment, a memfd sealed against shrinking). A
//! POSIX object can be truncated by any process that may write it, which
//! would make access beyond the new end raise `SIGBUS`; mapping one is
//! therefore [`unsafe`](posix::SharedMemory::map).
//!
//! A read-only mapping is a [`Mapping<ReadOnly>`]: it has no write
//! methods and no atomic views (whose stores would fault), by type:
//!
//! ```compile_fail
//! fn scribble(map: &bareipc::shm::Mapping<bareipc::shm::ReadOnly>) {
//!     map.write_at(0, b"no such method").unwrap();
//! }
//! ```
//!
//! # Example
//!
//! A parent creates a sealed memfd, the child (a fork, or a process that
//! received the fd over a Unix socket) writes a greeting and raises a flag;
//! the parent waits for the flag and reads.
//!
//! ```no_run
//! use core::sync::atomic::Ordering;
//! use bareipc::shm::{memfd::{self, Memfd, MemfdFlags, Seals}, ReadWrite};
//!
//! let fd = memfd::create(c"greeting", MemfdFlags::empty())?;
//! fd.set_len(4096)?;
//! fd.add_seals(Seals::SHRINK | Seals::GROW)?;
//! let map = fd.map::<ReadWrite>(4096)?;
//!
//! // ... hand `fd` to the other process; there:
//! //     let fd = Memfd::require_seals(received, Seals::SHRINK)?;
//! //     let map = fd.map::<ReadWrite>(4096)?;
//! //     map.write_at(8, b"hello")?;
//! //     map.atomic_u32(0)?.store(5, Ordering::Release);
//!
//! // Back here, once the flag is up (spin, or futex-wait on it):
//! let len = map.atomic_u32(0)?.load(Ordering::Acquire) as usize;
//! let mut buf = [0u8; 64];
//! map.read_at(8, &mut buf[..len])?;
//! # Ok::<(), bareipc::Errno>(())
//! ```
//!
//! # Soundness
//!
//! This module is where the crate turns a mapping into memory accesses. Its
//! invariants: `ptr..ptr + len` is mapped, readable (and writable for
//! [`ReadWrite`]) for as long as the [`Mapping`] lives, because the
//! mapping is only created over objects whose size cannot drop below
//! `len` (or by an `unsafe` constructor whose caller promises it), and it
//! is unmapped only by `Drop`, when no borrow of it remains. Every access
//! of the safe API is inside that range; shared memory is only read and
//! written through volatile or atomic operations, never through
//! references, except by the `unsafe` slice views.
#![allow(unsafe_code)]

/// `set_len` and `len` for a handle over a file (`self.0` an `OwnedFd`):
/// the same two calls on a POSIX object and a memfd. The argument is the
/// `# Errors` text of `set_len`, where the two differ.
macro_rules! file_size_methods {
    ($set_len_errors:literal) => {
        /// `ftruncate(fd, len)` — sets the size; new bytes read as zero.
        ///
        /// Shrinking memory that another process has mapped makes its
        /// accesses past the new end fault (`SIGBUS`), unless seals forbid
        /// shrinking.
        ///
        /// Syscalls: `ftruncate` (`ftruncate64` on 32-bit).
        ///
        /// # Errors
        #[doc = $set_len_errors]
        ///
        /// # References
        /// - [ftruncate(2)](https://man7.org/linux/man-pages/man2/ftruncate.2.html)
        #[doc(alias = "ftruncate")]
        pub fn set_len(&self, len: u64) -> $crate::Result<()> {
            rustix::fs::ftruncate(&self.0, len)
        }

        /// The current size in bytes (`fstat`'s `st_size`).
        ///
        /// Syscalls: `fstat` (on 32-bit `statx`, or `fstat64` on kernels
        /// before 4.11).
        ///
        /// # Errors
        /// `EOVERFLOW` and `ENOMEM` only, in practice.
        ///
        /// # References
        /// - [fstat(2)](https://man7.org/linux/man-pages/man2/fstat.2.html)
        #[doc(alias = "fstat")]
        pub fn len(&self) -> $crate::Result<u64> {
            Ok(rustix::fs::fstat(&self.0)?.st_size as u64)
        }
    };
}

pub mod memfd;
pub mod posix;
pub mod sysv;

use core::marker::PhantomData;
use core::mem::size_of;
use core::ptr::{self, NonNull};
use core::sync::atomic::{AtomicU32, AtomicU64};
use core::{fmt, slice};

use crate::{Errno, Result};

mod sealed {
    pub trait Sealed {}
}

/// What a [`Mapping`] may do: [`ReadOnly`] or [`ReadWrite`].
pub trait Access: sealed::Sealed {
    /// Whether the pages are mapped writable.
    #[doc(hidden)]
    const WRITABLE: bool;
}

/// A mapping that can only be read (`PROT_READ`, `SHM_RDONLY`).
#[derive(Debug)]
pub enum ReadOnly {}

/// A mapping that can be read and written (`PROT_READ | PROT_WRITE`).
#[derive(Debug)]
pub enum ReadWrite {}

impl sealed::Sealed for ReadOnly {}
impl sealed::Sealed for ReadWrite {}

impl Access for ReadOnly {
    const WRITABLE: bool = false;
}

impl Access for ReadWrite {
    const WRITABLE: bool = true;
}

/// How a mapping is taken down.
#[derive(Clone, Copy, Debug)]
enum Release {
    /// `munmap(ptr, len)`: POSIX and memfd.
    Munmap,
    /// `shmdt(ptr)`: a SysV attachment.
    Shmdt,
}

/// Shared memory mapped into this process: `len` bytes at a fixed
/// address, unmapped (`munmap`) or detached (`shmdt`) on drop.
///
/// Made by [`posix::SharedMemory::map`], [`memfd::Memfd::map`] and
/// [`sysv::Segment::attach`]. See the [module docs](self) for the access
/// model.
///
/// Syscalls: none until dropped; then `munmap`, or `shmdt` for a SysV
/// attachment (`ipc(SHMDT)` on i386 before Linux 5.1).
pub struct Mapping<A: Access> {
    ptr: NonNull<u8>,
    len: usize,
    release: Release,
    _access: PhantomData<A>,
}

// A Mapping owns its address range and the safe API touches it only
// through volatile copies and atomics, which are sound to run from several
// threads at once (other processes do so anyway).
// SAFETY: moving a Mapping to another thread moves only the address.
unsafe impl<A: Access> Send for Mapping<A> {}
// SAFETY: as above: `&Mapping` gives no access that a concurrent writer
// could make unsound.
unsafe impl<A: Access> Sync for Mapping<A> {}

impl<A: Access> fmt::Debug for Mapping<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mapping")
            .field("ptr", &self.ptr)
            .field("len", &self.len)
            .field("writable", &A::WRITABLE)
            .field("release", &self.release)
            .finish()
    }
}

impl<A: Access> Mapping<A> {
    /// `mmap(NULL, len, prot, MAP_SHARED, fd, offset)`, with `len` bytes
    /// from `offset` guaranteed (by the caller) to stay backed by the
    /// object for the mapping's life.
    ///
    /// # Safety
    /// Nothing may shrink the object below `offset + len` while the
    /// mapping lives.
    pub(crate) unsafe fn map_fd(
        fd: rustix::fd::BorrowedFd<'_>,
        len: usize,
        offset: u64,
    ) -> Result<Self> {
        if len == 0 {
            return Err(Errno::INVAL);
        }
        let ptr = crate::backend::mm::mmap_shared(fd, len, A::WRITABLE, offset)?;
        Ok(Self {
            ptr,
            len,
            release: Release::Munmap,
            _access: PhantomData,
        })
    }

    /// A SysV attachment of `len` bytes at `ptr`, detached on drop.
    ///
    /// # Safety
    /// `ptr` must be a fresh attachment (`shmat`) of a segment of at least
    /// `len` bytes, mapped writable if `A` is [`ReadWrite`], that nothing
    /// else in this process owns.
    pub(crate) unsafe fn from_attachment(ptr: NonNull<u8>, len: usize) -> Self {
        Self {
            ptr,
            len,
            release: Release::Shmdt,
            _access: PhantomData,
        }
    }

    /// The mapped length in bytes.
    ///
    /// Syscalls: none.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the mapping is empty (never: a mapping has at least one
    /// byte; present for the API convention).
    ///
    /// Syscalls: none.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The first byte of the mapping, for your own `unsafe` code. The
    /// pointer is valid for [`len`](Self::len) bytes while `self` lives;
    /// other processes may write through it at any time.
    ///
    /// Syscalls: none.
    #[inline]
    pub fn as_ptr(&self) -> *const u8 {
        self.ptr.as_ptr()
    }

    /// `offset..offset + n` as a pointer into the mapping, or `EFAULT` if
    /// any of it lies outside.
    #[inline]
    fn range(&self, offset: usize, n: usize) -> Result<*mut u8> {
        match offset.checked_add(n) {
            Some(end) if end <= self.len => {
                // SAFETY: `offset <= len`, so the result stays inside (or
                // one past the end of) the mapping.
                Ok(unsafe { self.ptr.as_ptr().add(offset) })
            }
            _ => Err(Errno::FAULT),
        }
    }

    /// Copies `buf.len()` bytes at `offset` out of the mapping.
    ///
    /// The bytes are read with volatile loads (aligned 16-byte chunks
    /// where possible; on x86_64, vector moves or `rep movsb`, as opaque
    /// to the compiler), so each call really reads the shared memory; a
    /// concurrent writer can make the copy a mix of old and new bytes, as
    /// with any unsynchronised shared memory — synchronise for consistency.
    ///
    /// Syscalls: none.
    ///
    /// # Examples
    /// ```
    /// # fn main() -> bareipc::Result<()> {
    /// use bareipc::shm::memfd::{self, MemfdFlags, Seals};
    /// use bareipc::shm::{ReadOnly, ReadWrite};
    ///
    /// let fd = memfd::create(c"bareipc-doc", MemfdFlags::empty())?;
    /// fd.set_len(4096)?;
    /// fd.add_seals(Seals::SHRINK)?;
    /// let writer = fd.map::<ReadWrite>(4096)?;
    /// let reader = fd.map::<ReadOnly>(4096)?; // the same pages, as a peer maps them
    /// writer.write_at(100, b"shared")?;
    /// let mut buf = [0u8; 6];
    /// reader.read_at(100, &mut buf)?;
    /// assert_eq!(&buf, b"shared");
    /// assert_eq!(reader.read_at(4095, &mut buf), Err(bareipc::Errno::FAULT)); // bounds-checked
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// `EFAULT` if `offset..offset + buf.len()` is not inside the mapping;
    /// nothing is copied then.
    pub fn read_at(&self, offset: usize, buf: &mut [u8]) -> Result<()> {
        let src = self.range(offset, buf.len())?;
        // `buf` cannot overlap the mapping: a `&mut` into it cannot be had
        // in safe code, and the unsafe views' contracts forbid it.
        // SAFETY: `src..src + buf.len()` is inside the mapping (checked)
        // and readable; `buf` is ours and disjoint from it.
        unsafe { copy_from_shared(src, buf.as_mut_ptr(), buf.len()) };
        Ok(())
    }

    /// The memory as a slice.
    ///
    /// Syscalls: none.
    ///
    /// # Safety
    /// While the slice lives, nothing — no other process, no other thread,
    /// no alias in this one — may write to the mapping (a reader-side lock
    /// held, a protocol that has handed the region over, or a memfd sealed
    /// with [`memfd::Seals::WRITE`] all qualify).
    #[inline]
    pub unsafe fn as_slice(&self) -> &[u8] {
        // SAFETY: the range is mapped and readable for `self`'s life; the
        // caller promises no writes while the slice lives.
        unsafe { slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl Mapping<ReadWrite> {
    /// The first byte of the mapping, writable, for your own `unsafe` code.
    ///
    /// Syscalls: none.
    #[inline]
    pub fn as_mut_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }

    /// Copies `data` into the mapping at `offset`, with volatile stores
    /// (aligned 16-byte chunks where possible; on x86_64, vector moves or
    /// `rep movsb`, as opaque). Readers in other processes may see
    /// the bytes arrive in any order and a mix of old and new: publish
    /// with an atomic (a `Release` store of a length or sequence number
    /// after the copy) or a lock.
    ///
    /// Syscalls: none.
    ///
    /// # Examples
    /// ```
    /// # fn main() -> bareipc::Result<()> {
    /// use core::sync::atomic::Ordering;
    /// use bareipc::shm::ReadWrite;
    /// use bareipc::shm::sysv::Segment;
    ///
    /// let seg = Segment::private(4096)?.remove_on_drop()?;
    /// let map = seg.attach::<ReadWrite>()?;
    /// // Copy the data in, then publish its length with a Release store.
    /// map.write_at(8, b"payload")?;
    /// map.atomic_u32(0)?.store(7, Ordering::Release);
    /// // The reader: an Acquire load, then the copy out.
    /// let len = map.atomic_u32(0)?.load(Ordering::Acquire) as usize;
    /// let mut buf = [0u8; 64];
    /// map.read_at(8, &mut buf[..len])?;
    /// assert_eq!(&buf[..len], b"payload");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// `EFAULT` if `offset..offset + data.len()` is not inside the mapping;
    /// nothing is written then.
    pub fn write_at(&self, offset: usize, data: &[u8]) -> Result<()> {
        let dst = self.range(offset, data.len())?;
        // SAFETY: `dst..dst + data.len()` is inside the mapping (checked)
        // and writable; `data` cannot overlap it (as in `read_at`).
        unsafe { copy_to_shared(data.as_ptr(), dst, data.len()) };
        Ok(())
    }

    /// The aligned atomic at `offset`, or `EINVAL`/`EFAULT`.
    fn atomic<T>(&self, offset: usize) -> Result<&T> {
        let p = self.range(offset, size_of::<T>())?;
        if !p.cast::<T>().is_aligned() {
            return Err(Errno::INVAL);
        }
        // SAFETY: `p` is inside the mapping, aligned for `T` (an atomic
        // integer, valid for any bit pattern), and lives as long as `&self`;
        // atomics may be shared and mutated through `&`.
        Ok(unsafe { &*p.cast::<T>() })
    }

    /// The 4 bytes at `offset` as an [`AtomicU32`]: a flag, a counter, or a
    /// futex word (wait and wake with `rustix::thread::futex` using
    /// *shared*, not `PRIVATE`, futexes).
    ///
    /// Syscalls: none.
    ///
    /// # Errors
    /// `EINVAL` if `offset` is not a multiple of 4; `EFAULT` if the 4 bytes
    /// are not all inside the mapping.
    pub fn atomic_u32(&self, offset: usize) -> Result<&AtomicU32> {
        self.atomic(offset)
    }

    /// The 8 bytes at `offset` as an [`AtomicU64`] (lock-free on every
    /// supported target, including i686 and armv7).
    ///
    /// Syscalls: none.
    ///
    /// # Errors
    /// `EINVAL` if `offset` is not a multiple of 8 (the alignment of
    /// `AtomicU64` on every supported target, 32-bit ones included);
    /// `EFAULT` if the 8 bytes are not all inside the mapping.
    pub fn atomic_u64(&self, offset: usize) -> Result<&AtomicU64> {
        self.atomic(offset)
    }

    /// The memory as a mutable slice.
    ///
    /// Syscalls: none.
    ///
    /// # Safety
    /// While the slice lives, nothing else — no other process, no other
    /// thread — may read or write the mapping, and the caller must not
    /// use any other access to it (`&mut self` rules out the others in
    /// this process that go through this `Mapping`).
    #[inline]
    pub unsafe fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: the range is mapped and writable for `self`'s life; the
        // caller promises exclusive access while the slice lives.
        unsafe { slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl<A: Access> Drop for Mapping<A> {
    fn drop(&mut self) {
        // SAFETY: `&mut self` in drop: no borrow of the mapping remains,
        // and nothing else owns it (the constructors' contracts).
        let r = unsafe {
            match self.release {
                Release::Munmap => crate::backend::mm::munmap(self.ptr, self.len),
                Release::Shmdt => crate::backend::sysv::shmdt(self.ptr.as_ptr().cast()),
            }
        };
        // Both fail only for an address that is not a mapping, which the
        // invariants rule out; there is nothing to do about it in drop.
        debug_assert!(r.is_ok(), "unmapping shared memory failed: {r:?}");
    }
}

/// Copies `n` bytes from shared memory at `src` to private memory at
/// `dst`. On x86_64 with opaque vector moves and `rep movsb`
/// (`backend::copy`), elsewhere with volatile loads.
///
/// # Safety
/// `src..src + n` readable, `dst..dst + n` writable, no overlap.
#[cfg(target_arch = "x86_64")]
unsafe fn copy_from_shared(src: *const u8, dst: *mut u8, n: usize) {
    // SAFETY: the caller's contract is `copy_bytes`'s.
    unsafe { crate::backend::copy::copy_bytes(dst, src, n) };
}

/// Copies `n` bytes from private memory at `src` to shared memory at
/// `dst`; as [`copy_from_shared`].
///
/// # Safety
/// `src..src + n` readable, `dst..dst + n` writable, no overlap.
#[cfg(target_arch = "x86_64")]
unsafe fn copy_to_shared(src: *const u8, dst: *mut u8, n: usize) {
    // SAFETY: the caller's contract is `copy_bytes`'s.
    unsafe { crate::backend::copy::copy_bytes(dst, src, n) };
}

/// The unit of bulk volatile copies: 16 bytes, which the compiler moves in
/// one access where the target has one. Copies promise no atomicity at any
/// size.
#[cfg(not(target_arch = "x86_64"))]
type Chunk = u128;
/// Its size.
#[cfg(not(target_arch = "x86_64"))]
const WORD: usize = size_of::<Chunk>();

/// Copies `n` bytes from shared memory at `src` to private memory at
/// `dst`: volatile loads, a word at a time once `src` is aligned.
///
/// # Safety
/// `src..src + n` readable, `dst..dst + n` writable, no overlap.
#[cfg(not(target_arch = "x86_64"))]
unsafe fn copy_from_shared(src: *const u8, dst: *mut u8, n: usize) {
    let head = src.align_offset(WORD).min(n);
    let mut i = 0;
    // Every byte index is `< n` and every chunk covers `i..i + WORD <= n`;
    // after `head` bytes the shared side is aligned for chunks.
    // SAFETY: all accesses are inside both ranges (the caller's contract),
    // aligned on the shared side and unaligned-tolerant on the private one.
    unsafe {
        while i < head {
            dst.add(i).write(src.add(i).read_volatile());
            i += 1;
        }
        while i + WORD <= n {
            let w = src.add(i).cast::<Chunk>().read_volatile();
            dst.add(i).cast::<Chunk>().write_unaligned(w);
            i += WORD;
        }
        while i < n {
            dst.add(i).write(src.add(i).read_volatile());
            i += 1;
        }
    }
}

/// Copies `n` bytes from private memory at `src` to shared memory at
/// `dst`: volatile stores, a word at a time once `dst` is aligned.
///
/// # Safety
/// `src..src + n` readable, `dst..dst + n` writable, no overlap.
#[cfg(not(target_arch = "x86_64"))]
unsafe fn copy_to_shared(src: *const u8, dst: *mut u8, n: usize) {
    let head = dst.align_offset(WORD).min(n);
    let mut i = 0;
    // SAFETY: as in `copy_from_shared`, with `dst` the shared, aligned
    // side and `src` read unaligned.
    unsafe {
        while i < head {
            dst.add(i).write_volatile(src.add(i).read());
            i += 1;
        }
        while i + WORD <= n {
            let w = src.add(i).cast::<Chunk>().read_unaligned();
            dst.add(i).cast::<Chunk>().write_volatile(w);
            i += WORD;
        }
        while i < n {
            dst.add(i).write_volatile(src.add(i).read());
            i += 1;
        }
    }
}

/// `ptr` with no provenance for an address hint, as the kernel takes it.
#[inline]
pub(crate) fn hint(addr: Option<NonNull<u8>>) -> *mut core::ffi::c_void {
    addr.map_or(ptr::null_mut(), |p| p.as_ptr().cast())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_copies_match_a_plain_copy() {
        let src: [u8; 1100] = core::array::from_fn(|i| (i * 7) as u8 ^ 0x5a);
        for off in 0..=16 {
            for n in [255, 256, 257, 511, 1024, 1100 - 16] {
                let mut a = [0u8; 1100];
                // SAFETY: both ranges are inside the arrays, which are
                // distinct.
                unsafe { copy_from_shared(src.as_ptr().add(off), a.as_mut_ptr(), n) };
                assert_eq!(&a[..n], &src[off..off + n]);
                assert!(a[n..].iter().all(|&b| b == 0), "wrote past n");
                let mut b = [0u8; 1100];
                // SAFETY: as above.
                unsafe { copy_to_shared(src.as_ptr(), b.as_mut_ptr().add(off), n) };
                assert_eq!(&b[off..off + n], &src[..n]);
                assert!(b[..off].iter().chain(&b[off + n..]).all(|&x| x == 0));
            }
        }
    }

    #[test]
    fn volatile_copies_match_a_plain_copy_at_every_alignment() {
        let src: [u8; 67] = core::array::from_fn(|i| i as u8 ^ 0x5a);
        for off in 0..=16 {
            for n in 0..src.len() - off {
                let mut a = [0u8; 67];
                // SAFETY: both ranges are inside the arrays, which are
                // distinct.
                unsafe { copy_from_shared(src.as_ptr().add(off), a.as_mut_ptr(), n) };
                assert_eq!(&a[..n], &src[off..off + n]);
                assert!(a[n..].iter().all(|&b| b == 0), "wrote past n");
                let mut b = [0u8; 67];
                // SAFETY: as above.
                unsafe { copy_to_shared(src.as_ptr(), b.as_mut_ptr().add(off), n) };
                assert_eq!(&b[off..off + n], &src[..n]);
                assert!(b[..off].iter().chain(&b[off + n..]).all(|&x| x == 0));
            }
        }
    }
}
