//! A process-shared counting semaphore on a futex: what `sem_init(pshared)`
//! and `sem_open` do inside libc, without libc.
//!
//! The semaphore is two 32-bit words in shared memory. Unnamed, it sits at
//! any 4-aligned offset of a [`Mapping<ReadWrite>`] (a memfd passed to the
//! other process, a SysV segment, a POSIX object, or memory inherited
//! across `fork`): [`Semaphore::init`] there once, [`Semaphore::at`]
//! everywhere else. Named, it is a small file under `/dev/shm` that
//! unrelated processes open by name: [`NamedSemaphore`].
//!
//! # Layout
//!
//! | offset | field | meaning |
//! |---|---|---|
//! | 0 | `value: u32` | the count, `0..=`[`MAX_VALUE`]; the futex word waiters sleep on |
//! | 4 | `waiters: u32` | how many threads are in (or entering) the slow path of a wait |
//!
//! [`post`](Semaphore::post) adds one to `value` with a compare-and-swap
//! and calls `futex(FUTEX_WAKE)` only if `waiters` is non-zero;
//! [`wait`](Semaphore::wait) takes one with a compare-and-swap when `value`
//! is positive, and only otherwise counts itself in `waiters` and sleeps
//! with `futex(FUTEX_WAIT)` on a **shared** (never `FUTEX_PRIVATE_FLAG`)
//! futex, so a post in another process wakes it. Every way out of the slow
//! path — success, timeout, `EINTR`, any error — takes the waiter back out
//! of `waiters`, so no stale count is left (except by a process killed
//! while asleep; see the [module docs](super)).
//!
//! A named semaphore is the file `/dev/shm/bareipc.sem.<name>` (for the
//! name `/<name>`), exactly 16 bytes: a magic number (the bytes `bsem`), a
//! layout version ([`VERSION`]), then the two words above.
//!
//! **This is not libc's `sem_t`.** glibc and musl lay out `sem_t`
//! differently (from each other too) and name their files
//! `/dev/shm/sem.<name>` (glibc) and `/dev/shm/<name>` (musl); a semaphore made here can be used only through
//! this module, by processes that map it.
//!
//! # Safety
//!
//! Opening a named semaphore maps a file that any process allowed to
//! write it could truncate, after which touching the semaphore raises
//! `SIGBUS`; so [`NamedSemaphore::create`] and [`NamedSemaphore::open`]
//! are `unsafe`, with the same contract as
//! [`SharedMemory::map`](crate::shm::posix::SharedMemory::map). They are
//! the only `unsafe` in this family outside the backend. Unnamed
//! semaphores live in a [`Mapping`] whose constructors already answer for
//! its size, and are safe.
//!
//! # Example
//!
//! Two unrelated processes, one semaphore by name:
//!
//! ```no_run
//! use bareipc::sem::futex::{self, NamedSemaphore, DEFAULT_MODE};
//!
//! // Process A: create it with the value 0 (EEXIST if it exists).
//! // SAFETY: no process truncates /dev/shm/bareipc.sem.jobs.
//! let jobs = unsafe { NamedSemaphore::create("/jobs", 0, DEFAULT_MODE) }?;
//! jobs.semaphore().post()?;
//!
//! // Process B: open it and take the unit A posted.
//! // SAFETY: as above.
//! let jobs = unsafe { NamedSemaphore::open("/jobs") }?;
//! jobs.semaphore().wait()?;
//!
//! // When it is no longer needed (open handles keep working):
//! futex::unlink("/jobs")?;
//! # Ok::<(), bareipc::Errno>(())
//! ```

use core::num::NonZeroU32;
use core::sync::atomic::Ordering::{Acquire, Relaxed, Release, SeqCst};
use core::sync::atomic::{AtomicU32, Ordering};
use core::time::Duration;

use rustix::fd::{AsFd, OwnedFd};
#[doc(no_inline)]
pub use rustix::fs::Mode;
use rustix::fs::{AtFlags, CWD, FileType, OFlags};
use rustix::process::Uid;
use rustix::thread::futex::{self as fx, Flags};
use rustix::time::ClockId;

use crate::names::StackPath;
use crate::shm::posix::ShmPath;
use crate::shm::{Mapping, ReadWrite};
use crate::{Errno, Result};

/// The largest value a semaphore can hold (`SEM_VALUE_MAX`, `i32::MAX`,
/// as in glibc and musl). [`Semaphore::post`] at this value fails with
/// `EOVERFLOW`.
#[doc(alias = "SEM_VALUE_MAX")]
pub const MAX_VALUE: u32 = i32::MAX as u32;

/// The bytes an unnamed semaphore takes in a mapping, at a 4-aligned
/// offset: `value`, then `waiters`.
pub const SIZE: usize = 8;

/// The mode of named semaphores this crate creates unless told otherwise:
/// read and write for the owner only.
pub const DEFAULT_MODE: Mode = Mode::from_raw_mode(0o600);

/// The layout version of named semaphores written by this crate, checked
/// by [`NamedSemaphore::open`].
pub const VERSION: u32 = 1;

/// What a named semaphore's file starts with: the bytes `bsem`.
const MAGIC: u32 = u32::from_ne_bytes(*b"bsem");
/// The size of a named semaphore's file: magic, version, value, waiters.
const FILE_SIZE: usize = 16;
/// Where the semaphore's words start in the file.
const FILE_WORDS: usize = 8;
/// The file name prefix of named semaphores under `/dev/shm`.
const PREFIX: &[u8] = b"bareipc.sem.";
/// The file name prefix of named semaphores under construction: not
/// inside the [`PREFIX`] namespace, so no user name can collide with one.
const TEMP_PREFIX: &[u8] = b"bareipc.sem-tmp.";

/// A counting semaphore in shared memory, borrowed from the
/// [`Mapping`] it lives in. `Copy`: it is two references.
#[derive(Clone, Copy)]
pub struct Semaphore<'a> {
    value: &'a AtomicU32,
    waiters: &'a AtomicU32,
}

impl core::fmt::Debug for Semaphore<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Semaphore")
            .field("value", &self.value())
            .field("waiters", &self.waiters())
            .finish()
    }
}

impl<'a> Semaphore<'a> {
    /// `sem_init(sem, 1, value)` — makes a semaphore with `value` at
    /// `offset` in `map` (its [`SIZE`] bytes are overwritten). Do this
    /// once, before any other process uses it; the others take it with
    /// [`at`](Self::at).
    ///
    /// Syscalls: none.
    ///
    /// # Examples
    /// ```
    /// # fn main() -> bareipc::Result<()> {
    /// use bareipc::sem::futex::Semaphore;
    /// use bareipc::shm::ReadWrite;
    /// use bareipc::shm::memfd::{self, MemfdFlags, Seals};
    ///
    /// let fd = memfd::create(c"bareipc-doc-sem", MemfdFlags::empty())?;
    /// fd.set_len(4096)?;
    /// fd.add_seals(Seals::SHRINK)?; // so that it maps safely
    /// let map = fd.map::<ReadWrite>(4096)?;
    /// let sem = Semaphore::init(&map, 0, 2)?; // once, by the creator
    /// // Another process, given the fd, maps it and takes the same semaphore.
    /// let theirs = Semaphore::at(&map, 0)?;
    /// theirs.wait()?;
    /// assert_eq!(sem.value(), 1);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// `EINVAL` for `value` above [`MAX_VALUE`] or an `offset` that is not
    /// a multiple of 4; `EFAULT` if the [`SIZE`] bytes do not fit in the
    /// mapping.
    ///
    /// # References
    /// - [sem_init(3)](https://man7.org/linux/man-pages/man3/sem_init.3.html)
    #[doc(alias = "sem_init")]
    pub fn init(map: &'a Mapping<ReadWrite>, offset: usize, value: u32) -> Result<Self> {
        if value > MAX_VALUE {
            return Err(Errno::INVAL);
        }
        let sem = Self::at(map, offset)?;
        sem.waiters.store(0, Relaxed);
        sem.value.store(value, Release);
        Ok(sem)
    }

    /// The semaphore that [`init`](Self::init) made at `offset` in `map`
    /// (in this or another process). Nothing is checked or written: an
    /// unnamed semaphore carries no header.
    ///
    /// Syscalls: none.
    ///
    /// # Errors
    /// `EINVAL` for an `offset` that is not a multiple of 4; `EFAULT` if
    /// the [`SIZE`] bytes do not fit in the mapping.
    pub fn at(map: &'a Mapping<ReadWrite>, offset: usize) -> Result<Self> {
        let second = offset.checked_add(4).ok_or(Errno::FAULT)?;
        Ok(Self {
            value: map.atomic_u32(offset)?,
            waiters: map.atomic_u32(second)?,
        })
    }

    /// `sem_post(sem)` — V: adds one to the value and wakes one waiter, if
    /// there is any. No syscall when nobody waits.
    ///
    /// Syscalls: none, or `futex(FUTEX_WAKE)` when a waiter is counted
    /// (`futex` on every arch).
    ///
    /// # Examples
    /// ```
    /// # fn main() -> bareipc::Result<()> {
    /// use bareipc::sem::futex::Semaphore;
    /// use bareipc::shm::ReadWrite;
    /// use bareipc::shm::sysv::Segment;
    ///
    /// let seg = Segment::private(4096)?.remove_on_drop()?;
    /// let map = seg.attach::<ReadWrite>()?;
    /// let sem = Semaphore::init(&map, 0, 0)?;
    /// std::thread::scope(|s| {
    ///     s.spawn(|| sem.post().expect("posted")); // another thread, or process
    ///     sem.wait() // sleeps until the post, if it has not come yet
    /// })?;
    /// assert_eq!(sem.value(), 0);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// `EOVERFLOW` if the value is [`MAX_VALUE`] (it is left unchanged).
    ///
    /// # References
    /// - [sem_post(3)](https://man7.org/linux/man-pages/man3/sem_post.3.html)
    /// - [futex(2)](https://man7.org/linux/man-pages/man2/futex.2.html)
    #[doc(alias = "sem_post")]
    #[inline]
    pub fn post(&self) -> Result<()> {
        let mut v = self.value.load(Relaxed);
        loop {
            if v >= MAX_VALUE {
                return Err(Errno::OVERFLOW);
            }
            // SeqCst pairs with the waiter's SeqCst increment of `waiters`
            // followed by its load of `value`: either it sees our unit, or
            // we see it waiting and wake it.
            match self.value.compare_exchange_weak(v, v + 1, SeqCst, Relaxed) {
                Ok(_) => break,
                Err(now) => v = now,
            }
        }
        if self.waiters.load(SeqCst) != 0 {
            fx::wake(self.value, Flags::empty(), 1)?;
        }
        Ok(())
    }

    /// `sem_trywait(sem)` — takes one unit if the value is positive, else
    /// fails at once.
    ///
    /// Syscalls: none.
    ///
    /// # Errors
    /// `EAGAIN` if the value is 0.
    ///
    /// # References
    /// - [sem_trywait(3)](https://man7.org/linux/man-pages/man3/sem_wait.3.html)
    #[doc(alias = "sem_trywait")]
    pub fn try_wait(&self) -> Result<()> {
        if self.try_take(Acquire) {
            Ok(())
        } else {
            Err(Errno::AGAIN)
        }
    }

    /// `sem_wait(sem)` — P: takes one unit, sleeping until there is one.
    /// No syscall when the value is positive.
    ///
    /// A signal handler installed without `SA_RESTART` that runs while it
    /// sleeps makes it return `EINTR` without a unit. With `SA_RESTART` the
    /// kernel restarts the sleep (an untimed futex wait is restartable),
    /// and the wait goes on; the timed forms return `EINTR` after any
    /// handler, since the kernel restarts no timed futex wait.
    ///
    /// Syscalls: none, or `futex(FUTEX_WAIT)` (`futex` on every arch),
    /// as often as it is woken without getting a unit.
    ///
    /// # Examples
    /// ```
    /// # fn main() -> bareipc::Result<()> {
    /// use core::time::Duration;
    /// use bareipc::Errno;
    /// use bareipc::sem::futex::Semaphore;
    /// use bareipc::shm::{ReadWrite, sysv::Segment};
    ///
    /// let seg = Segment::private(4096)?.remove_on_drop()?;
    /// let map = seg.attach::<ReadWrite>()?;
    /// let sem = Semaphore::init(&map, 0, 1)?;
    /// sem.wait()?; // a unit is there: taken without a syscall
    /// assert_eq!(sem.try_wait(), Err(Errno::AGAIN));
    /// assert_eq!(sem.wait_timeout(Duration::from_millis(10)), Err(Errno::TIMEDOUT));
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// `EINTR`: a signal handler without `SA_RESTART` ran.
    ///
    /// # References
    /// - [sem_wait(3)](https://man7.org/linux/man-pages/man3/sem_wait.3.html)
    /// - [futex(2)](https://man7.org/linux/man-pages/man2/futex.2.html)
    #[doc(alias = "sem_wait")]
    #[inline]
    pub fn wait(&self) -> Result<()> {
        // The fast path inline, as glibc's sem_wait has it.
        if self.try_take(Acquire) {
            return Ok(());
        }
        self.wait_slow(None, Flags::empty())
    }

    /// `sem_clockwait(sem, CLOCK_MONOTONIC, now + timeout)` — as
    /// [`wait`](Self::wait), giving up after `timeout`.
    ///
    /// The deadline is computed once, on `CLOCK_MONOTONIC` (so changes of
    /// the wall clock do not move it), and wakeups that find no unit sleep
    /// again only until that deadline. A unit that is there at the
    /// deadline is still taken.
    ///
    /// Syscalls: none, or `futex(FUTEX_WAIT_BITSET)` as often as it is
    /// woken without getting a unit (on 32-bit `futex_time64` for a
    /// deadline past 2038; the clock is read in the vDSO, which the first
    /// deadline of a process looks up with `prctl(PR_GET_AUXV)`, or before
    /// Linux 6.4 by reading /proc/self/auxv, and without a vDSO by a
    /// `clock_gettime` syscall, `clock_gettime64` on 32-bit).
    ///
    /// # Errors
    /// `ETIMEDOUT` when the deadline passes (not `EAGAIN`, unlike
    /// [`SemSet::op_timeout`](super::sysv::SemSet::op_timeout)); `EINTR`.
    ///
    /// # References
    /// - [sem_timedwait(3)](https://man7.org/linux/man-pages/man3/sem_wait.3.html)
    /// - [futex(2)](https://man7.org/linux/man-pages/man2/futex.2.html)
    #[doc(alias = "sem_timedwait")]
    #[doc(alias = "sem_clockwait")]
    pub fn wait_timeout(&self, timeout: Duration) -> Result<()> {
        if self.try_take(Acquire) {
            return Ok(());
        }
        self.wait_slow(
            Some(super::deadline(ClockId::Monotonic, timeout)),
            Flags::empty(),
        )
    }

    /// `sem_clockwait(sem, clock, deadline)` — as [`wait`](Self::wait),
    /// giving up at the absolute time `deadline` on `clock`
    /// (`ClockId::Monotonic` or `ClockId::Realtime`; `sem_timedwait` is the
    /// latter). A realtime deadline follows changes of the wall clock.
    ///
    /// Syscalls: none, or `futex(FUTEX_WAIT_BITSET)` as often as it is
    /// woken without getting a unit (on 32-bit `futex_time64` for a
    /// deadline past 2038); none for a bad clock or deadline, or one before
    /// the epoch.
    ///
    /// # Errors
    /// `ETIMEDOUT` when the deadline passes (at once, without a syscall,
    /// for negative seconds, as glibc does); `EINTR`; `EINVAL` for another
    /// clock or nanoseconds outside `0..1_000_000_000`, checked first, as
    /// glibc's `sem_clockwait` does: even a unit that is there is not
    /// taken.
    ///
    /// # References
    /// - [sem_clockwait(3)](https://man7.org/linux/man-pages/man3/sem_wait.3.html)
    /// - [futex(2)](https://man7.org/linux/man-pages/man2/futex.2.html)
    #[doc(alias = "sem_clockwait")]
    #[doc(alias = "sem_timedwait")]
    pub fn wait_until(&self, deadline: &fx::Timespec, clock: ClockId) -> Result<()> {
        let flags = match clock {
            ClockId::Monotonic => Flags::empty(),
            ClockId::Realtime => Flags::CLOCK_REALTIME,
            _ => return Err(Errno::INVAL),
        };
        if !(0..1_000_000_000).contains(&deadline.tv_nsec) {
            return Err(Errno::INVAL);
        }
        if self.try_take(Acquire) {
            return Ok(());
        }
        if deadline.tv_sec < 0 {
            return Err(Errno::TIMEDOUT); // before the epoch: long passed
        }
        self.wait_slow(Some(*deadline), flags)
    }

    /// `sem_getvalue(sem)` — the value now (it may change at once).
    ///
    /// Syscalls: none.
    #[doc(alias = "sem_getvalue")]
    pub fn value(&self) -> u32 {
        self.value.load(Relaxed)
    }

    /// How many threads are in the slow path of a wait now (it may change
    /// at once): those asleep and those about to sleep or leave.
    ///
    /// Syscalls: none.
    pub fn waiters(&self) -> u32 {
        self.waiters.load(Relaxed)
    }

    /// Takes one unit if the value is positive.
    fn try_take(&self, order: Ordering) -> bool {
        let mut v = self.value.load(Relaxed);
        while v > 0 {
            match self.value.compare_exchange_weak(v, v - 1, order, Relaxed) {
                Ok(_) => return true,
                Err(now) => v = now,
            }
        }
        false
    }

    /// The slow path: registered in `waiters` for its whole length.
    /// `clock` is `CLOCK_REALTIME` or nothing (`CLOCK_MONOTONIC`).
    fn wait_slow(&self, deadline: Option<fx::Timespec>, clock: Flags) -> Result<()> {
        if self.try_take(Acquire) {
            return Ok(());
        }
        self.waiters.fetch_add(1, SeqCst);
        let result = loop {
            if self.try_take(SeqCst) {
                break Ok(());
            }
            let slept = match &deadline {
                None => fx::wait(self.value, Flags::empty(), 0, None),
                // The bitset form takes an absolute CLOCK_MONOTONIC time.
                Some(d) => fx::wait_bitset(self.value, clock, 0, Some(d), NonZeroU32::MAX),
            };
            match slept {
                // Woken, or the value was not 0 any more: try again.
                Ok(()) | Err(Errno::AGAIN) => {}
                Err(Errno::TIMEDOUT) if self.try_take(Acquire) => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        self.waiters.fetch_sub(1, SeqCst);
        result
    }
}

/// A named semaphore: the file `/dev/shm/bareipc.sem.<name>`, mapped.
///
/// Made by [`create`](Self::create) or [`open`](Self::open); dropping it
/// unmaps the file (the name stays until [`unlink`]).
///
/// Syscalls: none until dropped; then `munmap`.
#[derive(Debug)]
pub struct NamedSemaphore {
    map: Mapping<ReadWrite>,
    owner: Uid,
    mode: Mode,
}

impl NamedSemaphore {
    /// `sem_open(name, O_CREAT | O_EXCL, mode, value)` — creates the
    /// named semaphore `name` with `value`, atomically: the file is built
    /// and initialised under a temporary name in `/dev/shm`, then linked
    /// to its final name (which fails with `EEXIST` if the name exists),
    /// and the temporary name is removed. No process can ever open a
    /// half-built semaphore, and of several processes creating the same
    /// name, exactly one succeeds.
    ///
    /// `name` is 1 to 243 bytes (255 minus the prefix) after any leading
    /// slashes, none of them `/` or NUL, and not `.` or `..` (as
    /// [`shm::posix`](crate::shm::posix) names). `mode` (bits in
    /// `0o777`, under the umask) decides who may open it; opening needs
    /// read and write.
    ///
    /// Syscalls: `getrandom` (for the temporary name, which no peer can
    /// predict), `openat` (both again if a temporary name is taken),
    /// `ftruncate`, `mmap`, `fstat`, `linkat`, `munmap` if the name
    /// exists, `unlinkat`, `close` (on 32-bit `ftruncate64`, `mmap2` and
    /// `statx`, or `fstat64` before Linux 4.11).
    ///
    /// # Safety
    /// No process may truncate the file while this process has it mapped
    /// (access past the end of a file raises `SIGBUS`): anyone allowed to
    /// write the file could, as for [`SharedMemory::map`](crate::shm::posix::SharedMemory::map).
    /// This crate never does.
    ///
    /// # Errors
    /// - `EINVAL`: a bad name (as for [`shm::posix::open`](crate::shm::posix::open)),
    ///   `value` above [`MAX_VALUE`], or `mode` bits outside `0o777`.
    /// - `ENAMETOOLONG`: the name is too long.
    /// - `EEXIST`: a semaphore (or any file) of that name exists.
    /// - `EACCES`, `ENOSPC`, `ENOMEM`, `EMFILE`, `ENFILE`.
    ///
    /// # References
    /// - [sem_open(3)](https://man7.org/linux/man-pages/man3/sem_open.3.html)
    /// - [sem_overview(7)](https://man7.org/linux/man-pages/man7/sem_overview.7.html)
    /// - [link(2)](https://man7.org/linux/man-pages/man2/link.2.html)
    #[doc(alias = "sem_open")]
    #[allow(unsafe_code)] // the contract of mapping a POSIX shm file
    pub unsafe fn create(name: impl AsRef<[u8]>, value: u32, mode: Mode) -> Result<Self> {
        let path = ShmPath::with_prefix(PREFIX, name.as_ref())?;
        if value > MAX_VALUE || mode.as_raw_mode() & !0o777 != 0 {
            return Err(Errno::INVAL);
        }
        let (temp, fd) = create_temp(mode)?;
        let built = Self::build(&fd, value).and_then(|sem| {
            rustix::fs::linkat(
                CWD,
                temp.as_c_str()?,
                CWD,
                path.as_c_str()?,
                AtFlags::empty(),
            )?;
            Ok(sem)
        });
        // Whatever happened, the temporary name goes (the final name, if
        // linked, keeps the file).
        let _ = rustix::fs::unlinkat(CWD, temp.as_c_str()?, AtFlags::empty());
        built
    }

    /// Sizes the new file, maps it and writes the header and the words.
    #[allow(unsafe_code)] // mapping the file we just created
    fn build(fd: &OwnedFd, value: u32) -> Result<Self> {
        rustix::fs::ftruncate(fd, FILE_SIZE as u64)?;
        // SAFETY: the file was just created by us with O_EXCL under a name
        // no one else uses, and is FILE_SIZE bytes long; the caller of
        // `create` promises no one truncates it later.
        let map = unsafe { Mapping::<ReadWrite>::map_fd(fd.as_fd(), FILE_SIZE, 0) }?;
        map.atomic_u32(4)?.store(VERSION, Relaxed);
        Semaphore::init(&map, FILE_WORDS, value)?;
        map.atomic_u32(0)?.store(MAGIC, Release);
        let st = rustix::fs::fstat(fd)?;
        Ok(Self {
            map,
            owner: Uid::from_raw_unchecked(st.st_uid),
            mode: Mode::from_raw_mode(st.st_mode as u32 & 0o7777),
        })
    }

    /// `sem_open(name, 0)` — opens the named semaphore `name`, made by
    /// [`create`](Self::create) in this or another process, if only this
    /// user could have made it and only this user (and root) can change
    /// it: the file must belong to the effective uid and be writable by
    /// nobody else (no group or other write bit).
    ///
    /// That makes the contract below one the caller can keep: a file of
    /// another owner, or one others may write, can be truncated by a peer
    /// at any moment (another uid could also plant a valid header in a
    /// 0666 file and shrink it under us), and the next access through the
    /// mapping would raise `SIGBUS`. Such a file is refused with `EPERM`;
    /// [`open_any_owner`](Self::open_any_owner) takes it, for callers that
    /// trust its writers.
    ///
    /// The file is opened with `O_NOFOLLOW` (a symlink is refused with
    /// `ELOOP`) and `O_NONBLOCK` (a FIFO planted at the name cannot block
    /// the open), and must be a regular file of exactly 16 bytes starting
    /// with this crate's magic number and layout [`VERSION`].
    ///
    /// Syscalls: `openat`, `fstat`, `geteuid`, `mmap`, then `munmap` if
    /// the header is not this crate's, and `close` (on 32-bit `statx`, or
    /// `fstat64` before Linux 4.11, `geteuid32` and `mmap2`); a file of the
    /// wrong type, size, owner or mode is refused before `mmap`.
    ///
    /// # Safety
    /// No process may truncate the file while this process has it mapped:
    /// after the checks above, that is a promise about the processes of
    /// this user and root only (which could also write this process's
    /// memory through `/proc`, unless it is not dumpable).
    ///
    /// # Errors
    /// - `ENOENT`: no semaphore of that name.
    /// - `EPERM`: the file belongs to another user, or its group or others
    ///   may write it.
    /// - `EINVAL`: a bad name; or the file is not one of this crate's
    ///   semaphores (wrong type, size, magic number or version — a libc
    ///   `sem_t` is never at these names, but any file could be).
    /// - `ENAMETOOLONG`; `EACCES` without read and write permission;
    ///   `ELOOP` for a symlink; `EMFILE`, `ENFILE`, `ENOMEM`.
    ///
    /// # References
    /// - [sem_open(3)](https://man7.org/linux/man-pages/man3/sem_open.3.html)
    #[doc(alias = "sem_open")]
    #[allow(unsafe_code)] // the contract of mapping a POSIX shm file
    pub unsafe fn open(name: impl AsRef<[u8]>) -> Result<Self> {
        // SAFETY: the caller's contract, about this user and root only,
        // which the owner check makes sufficient.
        unsafe { Self::open_checked(name.as_ref(), true) }
    }

    /// As [`open`](Self::open), without the owner and mode check: a
    /// semaphore that another user created, or that others may write.
    ///
    /// Syscalls: `openat`, `fstat`, `mmap`, then `munmap` if the header
    /// is not this crate's, and `close` (on 32-bit `statx`, or `fstat64`
    /// before Linux 4.11, and `mmap2`); a file of the wrong type or size
    /// is refused after `fstat`.
    ///
    /// # Safety
    /// No process may truncate the file while this process has it mapped:
    /// its owner and everyone its mode lets write it must be trusted not
    /// to. [`owner`](Self::owner) says who that is.
    ///
    /// # Errors
    /// As [`open`](Self::open), less `EPERM`.
    ///
    /// # References
    /// - [sem_open(3)](https://man7.org/linux/man-pages/man3/sem_open.3.html)
    #[allow(unsafe_code)] // the contract of mapping a POSIX shm file
    pub unsafe fn open_any_owner(name: impl AsRef<[u8]>) -> Result<Self> {
        // SAFETY: the caller's contract.
        unsafe { Self::open_checked(name.as_ref(), false) }
    }

    /// The file's owner and permission bits, as found when it was opened
    /// (or created).
    ///
    /// Syscalls: none.
    pub fn owner(&self) -> (Uid, Mode) {
        (self.owner, self.mode)
    }

    /// # Safety
    /// As [`open_any_owner`](Self::open_any_owner), or with `own_only`, as
    /// [`open`](Self::open).
    #[allow(unsafe_code)]
    unsafe fn open_checked(name: &[u8], own_only: bool) -> Result<Self> {
        let path = ShmPath::with_prefix(PREFIX, name)?;
        let flags = OFlags::RDWR | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NOCTTY;
        let fd = rustix::fs::openat(
            CWD,
            path.as_c_str()?,
            flags | OFlags::NONBLOCK,
            Mode::empty(),
        )?;
        let st = rustix::fs::fstat(&fd)?;
        if FileType::from_raw_mode(st.st_mode as _) != FileType::RegularFile
            || st.st_size != FILE_SIZE as i64
        {
            return Err(Errno::INVAL);
        }
        let owner = Uid::from_raw_unchecked(st.st_uid);
        let mode = Mode::from_raw_mode(st.st_mode as u32 & 0o7777);
        if own_only && (owner != rustix::process::geteuid() || mode.as_raw_mode() & 0o022 != 0) {
            return Err(Errno::PERM);
        }
        // SAFETY: the file is FILE_SIZE bytes long (checked) and the
        // caller promises no one truncates it while mapped (for `open`,
        // a promise about this user and root, the only ones who can).
        let map = unsafe { Mapping::<ReadWrite>::map_fd(fd.as_fd(), FILE_SIZE, 0) }?;
        if map.atomic_u32(0)?.load(Acquire) != MAGIC || map.atomic_u32(4)?.load(Relaxed) != VERSION
        {
            return Err(Errno::INVAL);
        }
        Ok(Self { map, owner, mode })
    }

    /// The semaphore, to [`post`](Semaphore::post) and
    /// [`wait`](Semaphore::wait) on.
    ///
    /// Syscalls: none.
    pub fn semaphore(&self) -> Semaphore<'_> {
        // Cannot fail: the words are inside the mapping, 4-aligned (the
        // mapping is page-aligned).
        Semaphore {
            value: self.word(FILE_WORDS),
            waiters: self.word(FILE_WORDS + 4),
        }
    }

    fn word(&self, offset: usize) -> &AtomicU32 {
        // The offsets are 4-aligned constants inside FILE_SIZE, so
        // `atomic_u32` cannot fail for them; the fallback only keeps this
        // free of a panic path.
        static UNREACHABLE: AtomicU32 = AtomicU32::new(0);
        self.map.atomic_u32(offset).unwrap_or(&UNREACHABLE)
    }
}

/// Creates and opens a fresh temporary file
/// `/dev/shm/bareipc.sem-tmp.<16 random hex digits>` with `O_EXCL`,
/// retrying with another name if it is taken. The name comes from
/// `getrandom`: a peer that could predict it (a thread id, a counter) could
/// plant the names first, in sticky `/dev/shm` where we cannot remove
/// them, and make every create fail.
fn create_temp(mode: Mode) -> Result<(ShmPath, OwnedFd)> {
    let flags = OFlags::RDWR
        | OFlags::CREATE
        | OFlags::EXCL
        | OFlags::NOFOLLOW
        | OFlags::CLOEXEC
        | OFlags::NOCTTY;
    for _ in 0..8 {
        let mut name = StackPath::<24>::new();
        name.push(b"/").ok_or(Errno::NAMETOOLONG)?;
        name.push_random()?;
        let temp = ShmPath::with_prefix(TEMP_PREFIX, name.as_bytes())?;
        match rustix::fs::openat(CWD, temp.as_c_str()?, flags, mode) {
            Ok(fd) => return Ok((temp, fd)),
            Err(Errno::EXIST) => {}
            Err(e) => return Err(e),
        }
    }
    Err(Errno::EXIST)
}

/// `sem_unlink(name)` — removes the name of a named semaphore. Processes
/// that have it open keep using it; it is freed when the last of them
/// drops it.
///
/// Syscalls: `unlinkat`.
///
/// # Errors
/// `EINVAL` / `ENAMETOOLONG` for a bad name (as
/// [`NamedSemaphore::create`]); `ENOENT` if there is no such semaphore;
/// `EACCES` if `/dev/shm` (sticky) does not let us remove another user's
/// file (the kernel's `EPERM`, turned into `EACCES` as glibc does).
///
/// # References
/// - [sem_unlink(3)](https://man7.org/linux/man-pages/man3/sem_unlink.3.html)
#[doc(alias = "sem_unlink")]
pub fn unlink(name: impl AsRef<[u8]>) -> Result<()> {
    let path = ShmPath::with_prefix(PREFIX, name.as_ref())?;
    crate::posix_name::unlink_errno(rustix::fs::unlinkat(
        CWD,
        path.as_c_str()?,
        AtFlags::empty(),
    ))
}
