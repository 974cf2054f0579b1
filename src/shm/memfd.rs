//! Anonymous shared memory: a memfd, passed as an fd (inherited across
//! fork, or sent over a Unix socket), with seals that let the receiver
//! trust its size.
//!
//! A memfd has no name anyone can open, so only processes given the fd can
//! reach it, and it disappears with the last fd and mapping. Its seals are
//! one-way: once [`Seals::SHRINK`] is on, nobody — not the creator, not a
//! receiver — can make the file smaller, so a mapping of it can never
//! fault (a huge-page memfd also needs a write seal: see [`Memfd::map`]). [`Memfd::map`] maps only such memfds; [`Memfd::require_seals`]
//! is the receiver's check that a peer's fd carries the seals it needs.
//!
//! ```no_run
//! use bareipc::shm::memfd::{self, Memfd, MemfdFlags, Seals};
//! use bareipc::shm::{ReadOnly, ReadWrite};
//!
//! // Sender: create, size, fill, seal, send.
//! let fd = memfd::create(c"frame", MemfdFlags::empty())?;
//! fd.set_len(1 << 20)?;
//! fd.add_seals(Seals::SHRINK | Seals::GROW)?;
//! fd.map::<ReadWrite>(1 << 20)?.write_at(0, b"pixels...")?;
//! // ... socket.send_msg(..., &[fd.as_fd()]) ...
//!
//! // Receiver: refuse anything the sender could still shrink.
//! # let received: bareipc::fd::OwnedFd = unimplemented!();
//! let fd = Memfd::require_seals(received, Seals::SHRINK | Seals::GROW)?;
//! let len = fd.len()? as usize;
//! let frame = fd.map::<ReadOnly>(len)?;
//! # Ok::<(), bareipc::Errno>(())
//! ```

use core::ffi::CStr;

use rustix::fd::{AsFd, OwnedFd};
/// Options for [`create`] (`MFD_*`): `HUGETLB` with a `HUGE_*` page
/// size, `NOEXEC_SEAL`, `EXEC`. `CLOEXEC` and `ALLOW_SEALING` are always
/// added by [`create`].
pub type MemfdFlags = rustix::fs::MemfdFlags;
/// File seals (`F_SEAL_*`): restrictions that, once added, can never be
/// removed. `SHRINK` (no smaller), `GROW` (no larger), `WRITE` (no writes
/// at all; refused while a writable shared mapping exists),
/// `FUTURE_WRITE` (no new writable mappings or writes, existing mappings
/// keep writing), `SEAL` (no more seals), `EXEC` (the exec bits are
/// fixed).
pub type Seals = rustix::fs::SealFlags;

use super::{Access, Mapping};
use crate::{Errno, Result};

/// `memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | flags)` —
/// creates an anonymous file of size 0 that can be sealed.
///
/// `name` is only a label (shown in `/proc/<pid>/fd` as
/// `/memfd:<name> (deleted)`); several memfds may share it. The fd is
/// always close-on-exec and sealing is always allowed: both flags are
/// added whatever `flags` says. `flags` may add `HUGETLB` (with a
/// `HUGE_*` size), `NOEXEC_SEAL` or `EXEC`; any other bit, and a page
/// size without `HUGETLB`, is refused before the syscall.
///
/// Syscalls: `memfd_create` (none for unknown flags).
///
/// # Examples
/// ```
/// # fn main() -> bareipc::Result<()> {
/// use bareipc::Errno;
/// use bareipc::shm::ReadWrite;
/// use bareipc::shm::memfd::{self, MemfdFlags, Seals};
///
/// let fd = memfd::create(c"bareipc-doc", MemfdFlags::empty())?;
/// fd.set_len(4096)?;
/// // Until it is sealed against shrinking, a memfd is not mapped safely.
/// assert_eq!(fd.map::<ReadWrite>(4096).err(), Some(Errno::PERM));
/// fd.add_seals(Seals::SHRINK | Seals::GROW)?;
/// assert_eq!(fd.set_len(0), Err(Errno::PERM)); // for good, for every holder
/// let map = fd.map::<ReadWrite>(4096)?;
/// map.write_at(0, b"frame")?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// - `EINVAL`: `name` longer than 249 bytes; a flag other than those
///   above, or a `HUGE_*` size without `HUGETLB` (before the syscall);
///   `HUGETLB`
///   where the kernel has no hugetlbfs (or `ALLOW_SEALING` with
///   `HUGETLB` on kernels before 4.16).
/// - `EMFILE`, `ENFILE`, `ENOMEM`.
///
/// # References
/// - [memfd_create(2)](https://man7.org/linux/man-pages/man2/memfd_create.2.html)
#[doc(alias = "memfd_create")]
pub fn create(name: &CStr, flags: MemfdFlags) -> Result<Memfd> {
    let allowed = if flags.contains(MemfdFlags::HUGETLB) {
        MEMFD_FLAGS.union(HUGE_SIZE)
    } else {
        MEMFD_FLAGS
    };
    crate::flags::only(flags, allowed)?;
    let flags = flags | MemfdFlags::CLOEXEC | MemfdFlags::ALLOW_SEALING;
    rustix::fs::memfd_create(name, flags).map(Memfd)
}

/// The flags [`create`] takes (`MFD_CLOEXEC` and `MFD_ALLOW_SEALING`
/// change nothing: they are always added).
const MEMFD_FLAGS: MemfdFlags = MemfdFlags::CLOEXEC
    .union(MemfdFlags::ALLOW_SEALING)
    .union(MemfdFlags::HUGETLB)
    .union(MemfdFlags::NOEXEC_SEAL)
    .union(MemfdFlags::EXEC);

/// The page size field of the flags (`MFD_HUGE_MASK << MFD_HUGE_SHIFT`),
/// which only `MFD_HUGETLB` gives a meaning.
const HUGE_SIZE: MemfdFlags = MemfdFlags::from_bits_retain(
    linux_raw_sys::general::MFD_HUGE_MASK << linux_raw_sys::general::MFD_HUGE_SHIFT,
);

/// Every seal there is: what [`Memfd::add_seals`] and
/// [`Memfd::require_seals`] take.
const ALL_SEALS: Seals = Seals::SEAL
    .union(Seals::SHRINK)
    .union(Seals::GROW)
    .union(Seals::WRITE)
    .union(Seals::FUTURE_WRITE)
    .union(Seals::EXEC);

/// A memfd: an fd (close-on-exec) on an anonymous, sealable file.
///
/// Syscalls: none until dropped; then `close`.
#[derive(Debug)]
pub struct Memfd(OwnedFd);

fd_handle!(Memfd);

// `len` is a file size that costs a syscall; an `is_empty` would only
// invite a second one.
#[allow(clippy::len_without_is_empty)]
impl Memfd {
    /// Adopts a memfd received from a peer, after checking that it carries
    /// at least the seals `required` — the receiver's defence against a
    /// sender that could shrink the memory under its mapping (pass
    /// [`Seals::SHRINK`] at least, to map it).
    ///
    /// On error the fd is dropped (closed).
    ///
    /// Syscalls: `fcntl(F_GET_SEALS)` (`fcntl64` on 32-bit); `close` on
    /// error (only that for a bit of `required` that is no seal).
    ///
    /// # Errors
    /// - `EPERM`: a seal in `required` is missing.
    /// - `EINVAL`: the fd is not a memfd (or other sealable file); or,
    ///   before any other syscall, `required` has a bit that is not one of
    ///   the [`Seals`].
    ///
    /// # References
    /// - [memfd_create(2)](https://man7.org/linux/man-pages/man2/memfd_create.2.html)
    ///   ("File sealing")
    /// - [fcntl(2)](https://man7.org/linux/man-pages/man2/fcntl.2.html)
    #[doc(alias = "F_GET_SEALS")]
    pub fn require_seals(fd: OwnedFd, required: Seals) -> Result<Memfd> {
        crate::flags::only(required, ALL_SEALS)?;
        let have = rustix::fs::fcntl_get_seals(&fd)?;
        if !have.contains(required) {
            return Err(Errno::PERM);
        }
        Ok(Memfd(fd))
    }

    file_size_methods!(
        "`EPERM` if a seal forbids it (`SHRINK` for a smaller size, `GROW` \
         for a larger one); `EINVAL` if the fd is not writable; `EFBIG`, \
         `ENOMEM`."
    );

    /// `fcntl(fd, F_ADD_SEALS, seals)` — adds seals, for good.
    ///
    /// Syscalls: `fcntl` (`fcntl64` on 32-bit; none for unknown seals).
    ///
    /// # Examples
    /// ```
    /// # fn main() -> bareipc::Result<()> {
    /// use bareipc::Errno;
    /// use bareipc::fd::OwnedFd;
    /// use bareipc::shm::memfd::{self, Memfd, MemfdFlags, Seals};
    ///
    /// let fd = memfd::create(c"bareipc-doc", MemfdFlags::empty())?;
    /// fd.add_seals(Seals::SHRINK | Seals::SEAL)?;
    /// assert!(fd.seals()?.contains(Seals::SHRINK | Seals::SEAL));
    /// assert_eq!(fd.add_seals(Seals::GROW), Err(Errno::PERM)); // SEAL: no more seals
    /// // A receiver refuses an fd that lacks a seal it needs (here GROW):
    /// let received = OwnedFd::from(fd);
    /// let refused = Memfd::require_seals(received, Seals::SHRINK | Seals::GROW);
    /// assert_eq!(refused.err(), Some(Errno::PERM));
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// - `EPERM`: [`Seals::SEAL`] is already set.
    /// - `EBUSY`: [`Seals::WRITE`] while a writable shared mapping exists.
    /// - `EINVAL`: a bit that is not one of the [`Seals`] (before the
    ///   syscall).
    ///
    /// # References
    /// - [fcntl(2)](https://man7.org/linux/man-pages/man2/fcntl.2.html)
    #[doc(alias = "F_ADD_SEALS")]
    pub fn add_seals(&self, seals: Seals) -> Result<()> {
        crate::flags::only(seals, ALL_SEALS)?;
        rustix::fs::fcntl_add_seals(&self.0, seals)
    }

    /// `fcntl(fd, F_GET_SEALS)` — the seals set now.
    ///
    /// Syscalls: `fcntl` (`fcntl64` on 32-bit).
    ///
    /// # Errors
    /// `EINVAL` if the fd does not support sealing.
    ///
    /// # References
    /// - [fcntl(2)](https://man7.org/linux/man-pages/man2/fcntl.2.html)
    #[doc(alias = "F_GET_SEALS")]
    pub fn seals(&self) -> Result<Seals> {
        rustix::fs::fcntl_get_seals(&self.0)
    }

    /// Maps the first `len` bytes, [`ReadOnly`](super::ReadOnly) or
    /// [`ReadWrite`](super::ReadWrite) — safely, because it first checks
    /// that no holder of the fd can take the memory back: the memfd is
    /// sealed against shrinking and holds `len` bytes, so no access
    /// through the mapping can fault.
    ///
    /// A huge-page memfd (`MFD_HUGETLB`, or any hugetlbfs file) needs more:
    /// punching a hole in it gives its pages back to the pool, and a later
    /// touch of the mapping may then find none and fault. Its holders can
    /// punch holes unless it is also sealed with [`Seals::WRITE`] or
    /// [`Seals::FUTURE_WRITE`], so only such a huge-page memfd is mapped
    /// (read-only, as those seals require); its pages are reserved by the
    /// `mmap` (`ENOMEM` if the pool lacks them).
    ///
    /// Syscalls: `fcntl(F_GET_SEALS)`, `fstatfs` (unless a write seal is
    /// on), `fstat` and `mmap` (on 32-bit `fcntl64`, `fstatfs64`, `statx`
    /// or before Linux 4.11 `fstat64`, and `mmap2`); only the first, or
    /// the first two, when a check fails.
    ///
    /// # Errors
    /// - `EPERM`: [`Seals::SHRINK`] is not set (add it, or see
    ///   [`map_unchecked`](Self::map_unchecked)); a huge-page memfd
    ///   without [`Seals::WRITE`] or [`Seals::FUTURE_WRITE`]; or a
    ///   [`ReadWrite`](super::ReadWrite) mapping of a memfd sealed with
    ///   `WRITE` or `FUTURE_WRITE`.
    /// - `EINVAL`: `len` is 0 or larger than the memfd.
    /// - `EACCES`: a [`ReadWrite`](super::ReadWrite) mapping of an fd not
    ///   open for writing.
    /// - `ENOMEM`: no room, or (huge pages) not enough pages in the pool.
    ///
    /// # References
    /// - [mmap(2)](https://man7.org/linux/man-pages/man2/mmap.2.html)
    /// - [memfd_create(2)](https://man7.org/linux/man-pages/man2/memfd_create.2.html)
    ///   ("File sealing")
    #[doc(alias = "mmap")]
    pub fn map<A: Access>(&self, len: usize) -> Result<Mapping<A>> {
        let seals = self.seals()?;
        if !seals.contains(Seals::SHRINK) {
            return Err(Errno::PERM);
        }
        let write_sealed = seals.intersects(Seals::WRITE | Seals::FUTURE_WRITE);
        if !write_sealed && crate::backend::mm::is_hugetlbfs(self.0.as_fd())? {
            return Err(Errno::PERM);
        }
        if len as u64 > self.len()? {
            return Err(Errno::INVAL);
        }
        // SAFETY: SHRINK is sealed, so the size can never drop below its
        // current value, which is at least `len`; and its pages cannot be
        // taken back: ordinary shared memory refaults a punched page (no
        // fault), and a huge-page file is write-sealed, so no hole can be
        // punched in it, and the mmap reserves its pages.
        unsafe { Mapping::map_fd(self.0.as_fd(), len, 0) }
    }

    /// Maps the first `len` bytes without checking seals or size.
    ///
    /// Syscalls: `mmap` (`mmap2` on 32-bit).
    ///
    /// # Safety
    /// The memfd must be at least `len` bytes long and stay so while the
    /// mapping lives: nobody holding the fd may shrink it.
    ///
    /// # Errors
    /// As [`map`](Self::map), less the checks.
    ///
    /// # References
    /// - [mmap(2)](https://man7.org/linux/man-pages/man2/mmap.2.html)
    pub unsafe fn map_unchecked<A: Access>(&self, len: usize) -> Result<Mapping<A>> {
        // SAFETY: the caller's contract.
        unsafe { Mapping::map_fd(self.0.as_fd(), len, 0) }
    }
}
