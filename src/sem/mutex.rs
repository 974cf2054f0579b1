//! A process-shared mutex in shared memory that survives its owner's
//! death: the next locker gets the lock and is told
//! ([`Locked::OwnerDied`]).
//!
//! # How the death is detected
//!
//! The lock word holds the owner's thread id, and contention goes through
//! the kernel's priority-inheritance futex operations (`FUTEX_LOCK_PI`,
//! `FUTEX_UNLOCK_PI`, `FUTEX_TRYLOCK_PI`), which look the owner up by
//! that id:
//!
//! - if the owner dies while someone is blocked in `FUTEX_LOCK_PI`, the
//!   kernel hands the lock to a waiter as the owner exits;
//! - if nobody was blocked, the word keeps the dead thread's id, and the
//!   next `FUTEX_LOCK_PI` fails with `ESRCH` ("no such owner"); the locker
//!   then takes the word over with a compare-and-swap.
//!
//! Either way the new owner finds the *state* the dead owner left behind —
//! "inside the critical section" — and [`lock`](RobustMutex::lock) returns
//! [`Locked::OwnerDied`]. The new owner repairs what the lock protects and
//! calls [`MutexGuard::mark_consistent`]; if it unlocks without doing so,
//! the mutex becomes unusable for good (`ENOTRECOVERABLE`), as a POSIX
//! robust mutex does.
//!
//! # Why not the kernel's robust list
//!
//! The classic design (glibc's `PTHREAD_MUTEX_ROBUST`) registers a list of
//! held mutexes with `set_robust_list(2)`, which the kernel walks when a
//! thread exits. The kernel keeps **one** list head per thread, and the
//! C library owns it: glibc registers its head for every thread at start
//! and after `fork`, musl on a thread's first robust `pthread_mutex_lock`.
//! Registering ours would silently disable the C library's robust
//! mutexes, and chaining into its list would mean writing its private
//! list nodes (their layout and link conventions differ between glibc and
//! musl). A library without libc cannot know which program it is in, so
//! this mutex leaves the robust list alone and relies on the PI futexes'
//! owner lookup, which needs nothing registered.
//!
//! # Layout and limits
//!
//! A mutex takes [`SIZE`] (8) bytes at an 8-aligned offset of a
//! [`Mapping<ReadWrite>`]: one 64-bit word whose low 32 bits (at the
//! lower address on these little-endian targets) are the futex word
//! (`owner tid | FUTEX_WAITERS | FUTEX_OWNER_DIED`), and whose high 32 bits
//! hold a generation count and the consistency state. The generation
//! changes on every acquisition, so a takeover (a 64-bit compare-and-swap
//! of the word the dead owner left) can never seize the lock from a live
//! thread that happens to hold it again with the same id.
//!
//! Limits, stated honestly:
//!
//! - Thread ids are recycled. If the dead owner's id is given to a new
//!   thread before anyone contends, the kernel takes that thread for the
//!   owner, and lockers wait until it exits (then they are told).
//!   Linux hands out ids in increasing order up to `kernel.pid_max`
//!   (4194304 on 64-bit systems by default) before wrapping, so this
//!   needs that many threads created meanwhile.
//! - All users must share a pid namespace: the ids in the word are
//!   meaningless in another one.
//! - A lock is held by a thread, not a process: unlock on the thread that
//!   locked ([`MutexGuard`] is not `Send`). A child forked while the
//!   parent holds the lock must not drop its copy of the guard
//!   (`mem::forget` it): it does not own the lock.
//! - [`lock`](RobustMutex::lock) is not interrupted by signals: the kernel
//!   restarts `FUTEX_LOCK_PI` after a handler. Bound it with
//!   [`lock_timeout`](RobustMutex::lock_timeout).
//! - Every lock call asks the kernel for the thread id (`gettid`): there is
//!   no libc thread-local storage to cache it in.
//!
//! # Example
//!
//! ```no_run
//! use bareipc::sem::mutex::{Locked, RobustMutex};
//! use bareipc::shm::memfd::{self, MemfdFlags, Seals};
//! use bareipc::shm::ReadWrite;
//!
//! let fd = memfd::create(c"lock", MemfdFlags::empty())?;
//! fd.set_len(4096)?;
//! fd.add_seals(Seals::SHRINK | Seals::GROW)?;
//! let map = fd.map::<ReadWrite>(4096)?;
//! let mutex = RobustMutex::init(&map, 0)?;
//! // ... hand `fd` to the other process, which uses RobustMutex::at(&map, 0).
//!
//! let guard = match mutex.lock()? {
//!     Locked::Consistent(guard) => guard,
//!     Locked::OwnerDied(guard) => {
//!         // The previous owner died inside: repair the data, then say so.
//!         guard.mark_consistent();
//!         guard
//!     }
//! };
//! map.write_at(8, b"protected")?;
//! drop(guard); // unlocks
//! # Ok::<(), bareipc::Errno>(())
//! ```

use core::marker::PhantomData;
use core::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use core::sync::atomic::{AtomicU32, AtomicU64, fence};
use core::time::Duration;

use rustix::thread::futex::{self as fx, Flags, WAITERS};
use rustix::time::ClockId;

use crate::shm::{Mapping, ReadWrite};
use crate::{Errno, Result};

/// The bytes a mutex takes in a mapping, at an 8-aligned offset.
pub const SIZE: usize = 8;

/// The owner's thread id in the futex word.
const TID_MASK: u32 = linux_raw_sys::general::FUTEX_TID_MASK;

/// Consistency states, in the low 2 bits of the high half.
const FREE: u32 = 0;
/// An owner is inside the critical section, and the data is consistent.
const HELD: u32 = 1;
/// The owner is inside after a predecessor died there; not yet repaired.
const DIED: u32 = 2;
/// Unlocked without repair after a death: unusable.
const UNRECOVERABLE: u32 = 3;
const STATE_MASK: u32 = 3;
/// One step of the generation count above the state bits.
const GENERATION: u32 = 4;
/// The rounds `try_lock` makes, each lost to another writer of the word,
/// before it answers `EBUSY`.
const TRY_ROUNDS: u32 = 64;

/// Where the futex word sits in the 64-bit word.
#[cfg(target_endian = "little")]
const FUTEX_OFFSET: usize = 0;
#[cfg(target_endian = "big")]
const FUTEX_OFFSET: usize = 4;

/// The futex word (low half) of a 64-bit value.
#[inline]
const fn futex_of(v: u64) -> u32 {
    v as u32
}

/// The high half: generation and state.
#[inline]
const fn aux_of(v: u64) -> u32 {
    (v >> 32) as u32
}

#[inline]
const fn pack(futex: u32, aux: u32) -> u64 {
    (aux as u64) << 32 | futex as u64
}

/// How a lock was acquired: after a clean unlock, or after the previous
/// owner died holding it. Either way the caller holds the lock.
#[derive(Debug)]
#[must_use = "dropping the guard unlocks at once"]
pub enum Locked<'a> {
    /// The previous owner unlocked normally: the data is consistent.
    Consistent(MutexGuard<'a>),
    /// The previous owner (or one after it that was told the same and did
    /// not [`mark_consistent`](MutexGuard::mark_consistent)) died while
    /// holding the lock: the data it protects may be half-changed. Repair
    /// it and call [`MutexGuard::mark_consistent`], or unlock without it
    /// to make the mutex unusable (`ENOTRECOVERABLE`) for everyone.
    #[doc(alias = "EOWNERDEAD")]
    OwnerDied(MutexGuard<'a>),
}

impl<'a> Locked<'a> {
    /// Whether the previous owner died holding the lock.
    ///
    /// Syscalls: none.
    pub fn owner_died(&self) -> bool {
        matches!(self, Locked::OwnerDied(_))
    }

    /// The guard, whichever way the lock was acquired.
    ///
    /// Syscalls: none.
    pub fn into_guard(self) -> MutexGuard<'a> {
        match self {
            Locked::Consistent(g) | Locked::OwnerDied(g) => g,
        }
    }
}

/// A robust process-shared mutex in shared memory, borrowed from the
/// [`Mapping`] it lives in. See the [module docs](self) for the design.
#[derive(Clone, Copy)]
pub struct RobustMutex<'a> {
    word: &'a AtomicU64,
    futex: &'a AtomicU32,
}

impl core::fmt::Debug for RobustMutex<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let v = self.word.load(Relaxed);
        f.debug_struct("RobustMutex")
            .field("owner", &(futex_of(v) & TID_MASK))
            .field("state", &(aux_of(v) & STATE_MASK))
            .finish()
    }
}

impl<'a> RobustMutex<'a> {
    /// `pthread_mutex_init` with `PTHREAD_PROCESS_SHARED` and
    /// `PTHREAD_MUTEX_ROBUST` — makes an unlocked mutex at `offset` in
    /// `map` (its [`SIZE`] bytes are overwritten). Do this once, before any
    /// other process uses it; the others take it with [`at`](Self::at).
    ///
    /// Syscalls: none.
    ///
    /// # Examples
    /// ```
    /// # fn main() -> bareipc::Result<()> {
    /// use bareipc::sem::mutex::RobustMutex;
    /// use bareipc::shm::{ReadWrite, sysv::Segment};
    ///
    /// let seg = Segment::private(4096)?.remove_on_drop()?;
    /// let map = seg.attach::<ReadWrite>()?;
    /// let mutex = RobustMutex::init(&map, 0)?; // once, by the creator
    /// let guard = mutex.lock()?.into_guard();
    /// // Another thread (or a process, with `RobustMutex::at`) finds it held.
    /// let other = std::thread::scope(|s| s.spawn(|| mutex.try_lock().err()).join().expect("joined"));
    /// assert_eq!(other, Some(bareipc::Errno::BUSY));
    /// guard.unlock()?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// `EINVAL` for an `offset` that is not a multiple of 8; `EFAULT` if
    /// the [`SIZE`] bytes do not fit in the mapping.
    ///
    /// # References
    /// - [pthread_mutexattr_setrobust(3)](https://man7.org/linux/man-pages/man3/pthread_mutexattr_setrobust.3.html)
    #[doc(alias = "pthread_mutex_init")]
    pub fn init(map: &'a Mapping<ReadWrite>, offset: usize) -> Result<Self> {
        let m = Self::at(map, offset)?;
        m.word.store(0, Release);
        Ok(m)
    }

    /// The mutex that [`init`](Self::init) made at `offset` in `map` (in
    /// this or another process). Nothing is checked or written.
    ///
    /// Syscalls: none.
    ///
    /// # Errors
    /// `EINVAL` for an `offset` that is not a multiple of 8; `EFAULT` if
    /// the [`SIZE`] bytes do not fit in the mapping.
    pub fn at(map: &'a Mapping<ReadWrite>, offset: usize) -> Result<Self> {
        let word = map.atomic_u64(offset)?;
        let futex = map.atomic_u32(offset + FUTEX_OFFSET)?;
        Ok(Self { word, futex })
    }

    /// `pthread_mutex_lock` — takes the lock, sleeping while another
    /// thread (of any process) holds it.
    ///
    /// Uncontended, this is a `gettid` and a compare-and-swap; contended,
    /// the thread sleeps in `FUTEX_LOCK_PI` (lending its priority to the
    /// owner). Not interrupted by signals.
    ///
    /// Syscalls: `gettid`; `futex(FUTEX_LOCK_PI)` when the lock is held
    /// or its owner died (`futex` on every arch), again after taking over
    /// from a dead owner fails a race.
    ///
    /// # Examples
    /// ```
    /// # fn main() -> bareipc::Result<()> {
    /// use bareipc::sem::mutex::{Locked, RobustMutex};
    /// use bareipc::shm::{ReadWrite, sysv::Segment};
    ///
    /// let seg = Segment::private(4096)?.remove_on_drop()?;
    /// let map = seg.attach::<ReadWrite>()?;
    /// let mutex = RobustMutex::init(&map, 0)?;
    /// // A thread (or a process) that dies holding the lock:
    /// std::thread::scope(|s| { s.spawn(|| std::mem::forget(mutex.lock())); });
    /// match mutex.lock()? {
    ///     Locked::OwnerDied(guard) => guard.mark_consistent(), // repair the data first
    ///     Locked::Consistent(_) => unreachable!("the owner is gone"),
    /// }
    /// assert!(!mutex.lock()?.owner_died()); // usable as before
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// - `EDEADLK`: this thread holds the lock already.
    /// - `ENOTRECOVERABLE`: an owner died and its successor unlocked
    ///   without [`MutexGuard::mark_consistent`].
    ///
    /// # References
    /// - [pthread_mutex_lock(3p)](https://man7.org/linux/man-pages/man3/pthread_mutex_lock.3p.html)
    /// - [futex(2)](https://man7.org/linux/man-pages/man2/futex.2.html)
    #[doc(alias = "pthread_mutex_lock")]
    pub fn lock(&self) -> Result<Locked<'a>> {
        self.acquire(Wait::Forever)
    }

    /// `pthread_mutex_timedlock` — as [`lock`](Self::lock), giving up
    /// after `timeout`.
    ///
    /// `FUTEX_LOCK_PI` takes an absolute `CLOCK_REALTIME` deadline, so the
    /// deadline is now + `timeout` on the wall clock: setting the clock
    /// moves it. The deadline also bounds the rounds lost to another
    /// writer of the word (a peer that keeps changing it cannot keep this
    /// call spinning past it).
    ///
    /// Syscalls: `gettid`; `futex(FUTEX_LOCK_PI)` when the lock is held
    /// or its owner died, again after taking over from a dead owner fails
    /// a race (on 32-bit `futex_time64` for a deadline past 2038; the
    /// clock is read in the vDSO, which the first deadline of a process
    /// looks up with `prctl(PR_GET_AUXV)`, or before Linux 6.4 by reading
    /// /proc/self/auxv, and without a vDSO by a `clock_gettime` syscall, `clock_gettime64` on 32-bit).
    ///
    /// # Errors
    /// As [`lock`](Self::lock), and `ETIMEDOUT` when the deadline passes.
    ///
    /// # References
    /// - [pthread_mutex_timedlock(3p)](https://man7.org/linux/man-pages/man3/pthread_mutex_timedlock.3p.html)
    #[doc(alias = "pthread_mutex_timedlock")]
    pub fn lock_timeout(&self, timeout: Duration) -> Result<Locked<'a>> {
        self.acquire(Wait::For(timeout))
    }

    /// `pthread_mutex_trylock` — takes the lock if nobody holds it (or its
    /// holder is dead), without sleeping.
    ///
    /// Syscalls: `gettid`; `futex(FUTEX_TRYLOCK_PI)` when the lock is held
    /// (to learn whether the holder is alive), again after taking over
    /// from a dead owner fails a race.
    ///
    /// A peer that keeps rewriting the word makes each round fail; after
    /// 64 such rounds this gives up with `EBUSY` rather than spin on.
    ///
    /// # Errors
    /// `EBUSY` if a live thread holds it (as `pthread_mutex_trylock`), or
    /// the word kept changing under every attempt; `EDEADLK` if that
    /// thread is this one; `ENOTRECOVERABLE`.
    ///
    /// # References
    /// - [pthread_mutex_trylock(3p)](https://man7.org/linux/man-pages/man3/pthread_mutex_lock.3p.html)
    #[doc(alias = "pthread_mutex_trylock")]
    pub fn try_lock(&self) -> Result<Locked<'a>> {
        self.acquire(Wait::Never)
    }

    fn acquire(&self, wait: Wait) -> Result<Locked<'a>> {
        let me = rustix::thread::gettid().as_raw_nonzero().get() as u32;
        let mut deadline = None;
        let mut rounds = 0u32;
        loop {
            // Every round after the first lost a race for the word, which
            // a peer that writes it can make happen at will: `try_lock`
            // gives up as `pthread_mutex_trylock` would, and a timed lock
            // keeps to its deadline, instead of spinning for ever.
            if rounds > 0 {
                match wait {
                    Wait::Never if rounds >= TRY_ROUNDS => return Err(Errno::BUSY),
                    Wait::For(_)
                        if deadline
                            .as_ref()
                            .is_some_and(|d| super::passed(ClockId::Realtime, d)) =>
                    {
                        return Err(Errno::TIMEDOUT);
                    }
                    _ => {}
                }
            }
            rounds = rounds.saturating_add(1);
            let seen = self.word.load(Relaxed);
            let owner = futex_of(seen) & TID_MASK;
            if futex_of(seen) == 0 {
                let mine = pack(me, aux_of(seen));
                if self
                    .word
                    .compare_exchange(seen, mine, Acquire, Relaxed)
                    .is_ok()
                {
                    break;
                }
                continue;
            }
            if owner == me {
                return Err(Errno::DEADLK);
            }
            let r = match wait {
                Wait::Never => match fx::trylock_pi(self.futex, Flags::empty()) {
                    Ok(true) => Ok(()),
                    Ok(false) | Err(Errno::AGAIN) => Err(Errno::BUSY),
                    Err(e) => Err(e),
                },
                Wait::Forever => fx::lock_pi(self.futex, Flags::empty(), None),
                Wait::For(t) => {
                    let d = *deadline.get_or_insert_with(|| super::deadline(ClockId::Realtime, t));
                    fx::lock_pi(self.futex, Flags::empty(), Some(&d))
                }
            };
            match r {
                Ok(()) => break,
                // The owner in the word is gone without unlocking. Take
                // over from exactly the word seen before the call (or that
                // word with FUTEX_WAITERS, which the kernel may have set):
                // the generation in the high half makes the swap fail if
                // anyone acquired the lock in between.
                Err(Errno::SRCH) => {
                    let mine = pack(me, aux_of(seen).wrapping_add(GENERATION));
                    let with_waiters = pack(futex_of(seen) | WAITERS, aux_of(seen));
                    if self
                        .word
                        .compare_exchange(seen, mine, Acquire, Relaxed)
                        .or_else(|_| {
                            self.word
                                .compare_exchange(with_waiters, mine, Acquire, Relaxed)
                        })
                        .is_ok()
                    {
                        break;
                    }
                }
                Err(e) => return Err(e),
            }
        }
        // The kernel's acquisitions are full barriers in practice; this
        // states the ordering in Rust's terms too.
        fence(Acquire);
        self.enter(me)
    }

    /// Called holding the lock: advances the generation and reads (and
    /// updates) the state the previous owner left.
    fn enter(&self, me: u32) -> Result<Locked<'a>> {
        let mut cur = self.word.load(Relaxed);
        loop {
            let aux = aux_of(cur);
            let state = match aux & STATE_MASK {
                FREE => HELD,
                HELD | DIED => DIED,
                _ => UNRECOVERABLE,
            };
            let next_aux = (aux & !STATE_MASK).wrapping_add(GENERATION) | state;
            // Only the high half changes; the kernel may change the low
            // half (FUTEX_WAITERS) meanwhile, which just retries.
            match self.word.compare_exchange_weak(
                cur,
                pack(futex_of(cur), next_aux),
                Acquire,
                Relaxed,
            ) {
                Ok(_) => {
                    let guard = MutexGuard {
                        mutex: *self,
                        me,
                        _not_send: PhantomData,
                    };
                    return match state {
                        HELD => Ok(Locked::Consistent(guard)),
                        DIED => Ok(Locked::OwnerDied(guard)),
                        _ => {
                            // Give it back (dropping the guard), still
                            // unrecoverable.
                            drop(guard);
                            Err(Errno::NOTRECOVERABLE)
                        }
                    };
                }
                Err(now) => cur = now,
            }
        }
    }
}

/// How long [`RobustMutex::acquire`] may sleep.
#[derive(Clone, Copy)]
enum Wait {
    Never,
    Forever,
    For(Duration),
}

/// Holds a [`RobustMutex`]; unlocks when dropped (or by
/// [`unlock`](Self::unlock)). Not `Send`: the lock belongs to the thread
/// that took it.
///
/// Syscalls: none, or `futex(FUTEX_UNLOCK_PI)` when dropped while
/// another thread waits (or the kernel marked the word after an owner's
/// death).
#[must_use = "dropping the guard unlocks at once"]
pub struct MutexGuard<'a> {
    mutex: RobustMutex<'a>,
    /// The thread id in the lock word while we hold it.
    me: u32,
    _not_send: PhantomData<*const ()>,
}

impl core::fmt::Debug for MutexGuard<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("MutexGuard")
            .field("mutex", &self.mutex)
            .finish()
    }
}

impl MutexGuard<'_> {
    /// `pthread_mutex_consistent` — after [`Locked::OwnerDied`], declares
    /// the protected data repaired: the mutex works normally again. Does
    /// nothing after [`Locked::Consistent`].
    ///
    /// Syscalls: none.
    #[doc(alias = "pthread_mutex_consistent")]
    pub fn mark_consistent(&self) {
        self.set_state(|s| if s == DIED { HELD } else { s });
    }

    /// `pthread_mutex_unlock` — unlocks now, reporting errors that drop
    /// ignores.
    ///
    /// Syscalls: none, or `futex(FUTEX_UNLOCK_PI)` when another thread
    /// waits (or the kernel marked the word after an owner's death).
    ///
    /// # Errors
    /// `EPERM` if the lock word no longer names this thread (the shared
    /// memory was overwritten).
    ///
    /// # References
    /// - [pthread_mutex_unlock(3p)](https://man7.org/linux/man-pages/man3/pthread_mutex_lock.3p.html)
    #[doc(alias = "pthread_mutex_unlock")]
    pub fn unlock(self) -> Result<()> {
        let this = core::mem::ManuallyDrop::new(self);
        this.leave();
        this.release()
    }

    /// Records how this owner leaves: `HELD` → `FREE`, an unrepaired
    /// `DIED` → `UNRECOVERABLE`.
    fn leave(&self) {
        self.set_state(|s| match s {
            HELD => FREE,
            _ => UNRECOVERABLE,
        });
    }

    fn set_state(&self, f: impl Fn(u32) -> u32) {
        let word = self.mutex.word;
        let mut cur = word.load(Relaxed);
        loop {
            let aux = aux_of(cur);
            let next = pack(futex_of(cur), (aux & !STATE_MASK) | f(aux & STATE_MASK));
            match word.compare_exchange_weak(cur, next, Relaxed, Relaxed) {
                Ok(_) => return,
                Err(now) => cur = now,
            }
        }
    }

    /// Gives the futex word back: a compare-and-swap from our bare thread
    /// id to 0, or `FUTEX_UNLOCK_PI` when the kernel has marked the word
    /// (it then hands the lock to the top waiter).
    fn release(&self) -> Result<()> {
        let word = self.mutex.word;
        let mut cur = word.load(Relaxed);
        loop {
            let futex = futex_of(cur);
            if futex & TID_MASK != self.me {
                return Err(Errno::PERM);
            }
            if futex != self.me {
                fence(Release);
                return fx::unlock_pi(self.mutex.futex, Flags::empty());
            }
            match word.compare_exchange_weak(cur, pack(0, aux_of(cur)), Release, Relaxed) {
                Ok(_) => return Ok(()),
                Err(now) => cur = now,
            }
        }
    }
}

impl Drop for MutexGuard<'_> {
    fn drop(&mut self) {
        self.leave();
        let _ = self.release();
    }
}
