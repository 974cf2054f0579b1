//! System V semaphore sets: arrays of counters in the kernel, found by
//! [`Key`], changed by batches of operations that apply all at once or not
//! at all.
//!
//! A set outlives the processes that use it: it is destroyed only by
//! [`SemSet::remove`] (`IPC_RMID`), which wakes every waiter with `EIDRM`.
//! Dropping a [`SemSet`] does nothing (it is an id, `Copy`);
//! [`SemSet::remove_on_drop`] is the creator's opt-in cleanup.
//!
//! Each operation in a batch can carry [`OpFlags::UNDO`] (`SEM_UNDO`): the
//! kernel records the opposite adjustment and applies it when the process
//! exits, however it exits — the crash recovery of SysV semaphores: a
//! holder that is killed gives its units back.
//!
//! ```no_run
//! use bareipc::key::Key;
//! use bareipc::sem::sysv::{DEFAULT_MODE, SemOp, SemSet};
//!
//! let key = Key::from_path("/etc/hostname", b'm')?;
//! // Process A: create a set of one semaphore (0o600), open it (value 1).
//! let set = SemSet::create(key, 1, DEFAULT_MODE)?;
//! set.set_value(0, 1)?;
//!
//! // Process A and process B, around each critical section: P, then V.
//! // UNDO gives the unit back if the holder dies inside.
//! let set = SemSet::open(key)?;
//! set.op(&[SemOp::wait(0).undo()])?;
//! // ... the critical section ...
//! set.op(&[SemOp::post(0).undo()])?;
//!
//! // When everyone is done:
//! set.remove()?;
//! # Ok::<(), bareipc::Errno>(())
//! ```
//!
//! Values are `u16` in `0..=`[`MAX_VALUE`] (`SEMVMX`, 32767); a semaphore is
//! named by its index `num` in the set, a `u16` as in `struct sembuf`.

use core::ffi::c_int;
use core::time::Duration;

use bitflags::bitflags;
#[doc(no_inline)]
pub use rustix::fs::Mode;
use rustix::fs::{Gid, Uid};
use rustix::process::Pid;

use crate::backend::sysv::{self as raw, SemValCmd, StatCmd};
use crate::backend::types::{self as t, sembuf, semid64_ds, seminfo};
pub use crate::key::{DEFAULT_MODE, IpcFlags};
use crate::key::{Identity, IpcPerm, Key, existing, get_flags};
use crate::{Errno, Result};

/// The largest value a semaphore can hold (`SEMVMX`, 32767). Setting a
/// larger one, or an operation whose result would be larger, fails with
/// `ERANGE`.
#[doc(alias = "SEMVMX")]
pub const MAX_VALUE: u16 = t::SEMVMX as u16;

bitflags! {
    /// The flags of one [`SemOp`] (`sembuf::sem_flg`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct OpFlags: i16 {
        /// `IPC_NOWAIT`: where the operation would block, the whole batch
        /// fails with `EAGAIN` instead (and nothing is applied).
        const NOWAIT = t::IPC_NOWAIT as i16;
        /// `SEM_UNDO`: the kernel keeps the opposite adjustment for this
        /// process and applies it when the process exits, so a killed
        /// holder gives its units back.
        const UNDO = t::SEM_UNDO as i16;
    }
}

crate::backend::transparent_newtype! {
    /// One semaphore operation (`struct sembuf`): add `delta` to semaphore
    /// `num`, wait until the result would not be negative, or (`delta` 0)
    /// wait until the value is zero.
    ///
    /// `#[repr(transparent)]` over the kernel's 6-byte `sembuf`, so a
    /// `&[SemOp]` is passed to the kernel as it is.
    ///
    /// ```
    /// use bareipc::sem::sysv::{OpFlags, SemOp};
    ///
    /// let op = SemOp::decrement(3, 2)?.undo().nowait();
    /// assert_eq!((op.num(), op.delta()), (3, -2));
    /// assert_eq!(op.flags(), OpFlags::UNDO | OpFlags::NOWAIT);
    /// # Ok::<(), bareipc::Errno>(())
    /// ```
    #[derive(Clone, Copy, PartialEq, Eq)]
    #[doc(alias = "sembuf")]
    pub struct SemOp(sembuf);
}

impl SemOp {
    /// Adds `delta` to semaphore `num`: a positive `delta` posts, a
    /// negative one waits until the value is at least `-delta` and
    /// subtracts it, 0 waits until the value is zero. No flags.
    ///
    /// Syscalls: none.
    #[inline]
    pub const fn new(num: u16, delta: i16) -> SemOp {
        SemOp(sembuf {
            sem_num: num,
            sem_op: delta,
            sem_flg: 0,
        })
    }

    /// P: waits until semaphore `num` is positive, then takes one unit
    /// (`sem_op = -1`).
    ///
    /// Syscalls: none.
    #[inline]
    pub const fn wait(num: u16) -> SemOp {
        SemOp::new(num, -1)
    }

    /// V: gives one unit back to semaphore `num` (`sem_op = 1`), waking
    /// waiters it satisfies.
    ///
    /// Syscalls: none.
    #[inline]
    pub const fn post(num: u16) -> SemOp {
        SemOp::new(num, 1)
    }

    /// Waits until semaphore `num` is at least `by`, then takes `by`
    /// units.
    ///
    /// Syscalls: none.
    ///
    /// # Errors
    /// `EINVAL` for `by` 0 (that would be [`wait_for_zero`](Self::wait_for_zero));
    /// `ERANGE` for `by` above [`MAX_VALUE`] (no semaphore can ever hold
    /// that much).
    #[inline]
    pub const fn decrement(num: u16, by: u16) -> Result<SemOp> {
        match by {
            0 => Err(Errno::INVAL),
            1..=MAX_VALUE => Ok(SemOp::new(num, -(by as i16))),
            _ => Err(Errno::RANGE),
        }
    }

    /// Adds `by` units to semaphore `num`.
    ///
    /// Syscalls: none.
    ///
    /// # Errors
    /// `EINVAL` for `by` 0 (an operation that does nothing is almost
    /// certainly a mistake; [`new`](Self::new) allows it); `ERANGE` for
    /// `by` above [`MAX_VALUE`].
    #[inline]
    pub const fn increment(num: u16, by: u16) -> Result<SemOp> {
        match by {
            0 => Err(Errno::INVAL),
            1..=MAX_VALUE => Ok(SemOp::new(num, by as i16)),
            _ => Err(Errno::RANGE),
        }
    }

    /// Waits until semaphore `num` is zero (`sem_op = 0`).
    ///
    /// Syscalls: none.
    #[inline]
    pub const fn wait_for_zero(num: u16) -> SemOp {
        SemOp::new(num, 0)
    }

    /// The same operation with [`OpFlags::UNDO`] (`SEM_UNDO`): undone by
    /// the kernel when this process exits.
    ///
    /// Syscalls: none.
    #[inline]
    #[must_use]
    pub const fn undo(self) -> SemOp {
        self.with_flags(OpFlags::UNDO)
    }

    /// The same operation with [`OpFlags::NOWAIT`] (`IPC_NOWAIT`): the
    /// batch fails with `EAGAIN` where it would block on this operation.
    ///
    /// Syscalls: none.
    #[inline]
    #[must_use]
    pub const fn nowait(self) -> SemOp {
        self.with_flags(OpFlags::NOWAIT)
    }

    /// The same operation with `flags` added.
    ///
    /// Syscalls: none.
    #[inline]
    #[must_use]
    pub const fn with_flags(mut self, flags: OpFlags) -> SemOp {
        self.0.sem_flg |= flags.bits();
        self
    }

    /// The semaphore's index in the set.
    ///
    /// Syscalls: none.
    #[inline]
    pub const fn num(self) -> u16 {
        self.0.sem_num
    }

    /// What the operation adds (negative: takes; 0: waits for zero).
    ///
    /// Syscalls: none.
    #[inline]
    pub const fn delta(self) -> i16 {
        self.0.sem_op
    }

    /// The operation's flags.
    ///
    /// Syscalls: none.
    #[inline]
    pub const fn flags(self) -> OpFlags {
        OpFlags::from_bits_retain(self.0.sem_flg)
    }
}

impl core::fmt::Debug for SemOp {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SemOp")
            .field("num", &self.num())
            .field("delta", &self.delta())
            .field("flags", &self.flags())
            .finish()
    }
}

/// A SysV semaphore set, by id. Not a handle that owns anything: dropping
/// it does not remove the set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SemSet {
    id: c_int,
}

impl SemSet {
    /// `semget(key, nsems, flags | mode)` — finds the set of `key`, or
    /// creates it ([`IpcFlags::CREATE`]), or creates a new private one
    /// ([`Key::PRIVATE`]). The constructors below are this with fixed
    /// flags.
    ///
    /// `nsems` is the number of semaphores of a new set (1 up to `SEMMSL`,
    /// see [`limits`]); for an existing set it must not exceed its size
    /// (0 accepts any). A new set's values are all 0. `mode` is used only
    /// when creating: the permission bits `0o777` (read lets a process
    /// query the set, write lets it operate on it).
    ///
    /// Syscalls: `semget` (on i386 before Linux 5.1: `ipc(SEMGET)`); none
    /// for bad flags or mode.
    ///
    /// # Errors
    /// - `EINVAL`: `mode` has bits outside `0o777`, `flags` bits that are
    ///   not [`IpcFlags`] (both before the syscall); `nsems` is 0 or above
    ///   `SEMMSL` for a new set, or above the size of an existing one.
    /// - `ENOENT`: no set for `key` and no `CREATE`.
    /// - `EEXIST`: `CREATE | EXCLUSIVE` and it exists.
    /// - `EACCES`: the set's mode denies us.
    /// - `ENOSPC`: `SEMMNI` sets or `SEMMNS` semaphores exist; `ENOMEM`.
    ///
    /// # References
    /// - [semget(2)](https://man7.org/linux/man-pages/man2/semget.2.html)
    #[doc(alias = "semget")]
    pub fn get(key: Key, nsems: usize, flags: IpcFlags, mode: Mode) -> Result<SemSet> {
        let flags = get_flags(flags, mode)?;
        let nsems = c_int::try_from(nsems).map_err(|_| Errno::INVAL)?;
        raw::semget(key.as_raw(), nsems, flags).map(|id| SemSet { id })
    }

    /// `semget(key, 0, 0)` — the existing set of `key`, whatever its size.
    /// Permissions are checked by each operation.
    ///
    /// Syscalls: `semget` (on i386 before Linux 5.1: `ipc(SEMGET)`); none
    /// for [`Key::PRIVATE`].
    ///
    /// # Errors
    /// `ENOENT` if `key` has no set; `EINVAL` for [`Key::PRIVATE`], which
    /// names no existing set (before the syscall).
    ///
    /// # References
    /// - [semget(2)](https://man7.org/linux/man-pages/man2/semget.2.html)
    #[doc(alias = "semget")]
    pub fn open(key: Key) -> Result<SemSet> {
        raw::semget(existing(key)?, 0, 0).map(|id| SemSet { id })
    }

    /// `semget(key, nsems, IPC_CREAT | IPC_EXCL | mode)` — a new set of
    /// `nsems` semaphores (all 0) for `key`; an existing one is `EEXIST`,
    /// never silently shared. Pass [`DEFAULT_MODE`] for `0o600`.
    ///
    /// Syscalls: `semget` (on i386 before Linux 5.1: `ipc(SEMGET)`); none
    /// for a bad mode.
    ///
    /// # Examples
    /// ```
    /// # fn main() -> bareipc::Result<()> {
    /// use bareipc::key::Key;
    /// use bareipc::sem::sysv::{DEFAULT_MODE, SemSet};
    ///
    /// let file = std::env::temp_dir().join(format!("bareipc-doc-sem-create-{}", std::process::id()));
    /// std::fs::write(&file, b"").expect("a key file");
    /// let key = Key::from_path(&*file, b'M')?; // the processes agree on the file
    /// let set = SemSet::create(key, 1, DEFAULT_MODE)?.remove_on_drop()?;
    /// set.set_value(0, 1)?; // before anyone else uses it
    /// assert_eq!(SemSet::create(key, 1, DEFAULT_MODE), Err(bareipc::Errno::EXIST));
    /// assert_eq!(SemSet::open(key)?.value(0)?, 1); // another process finds it by key
    /// # drop(set);
    /// std::fs::remove_file(&file).expect("removed");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`get`](Self::get).
    ///
    /// # References
    /// - [semget(2)](https://man7.org/linux/man-pages/man2/semget.2.html)
    #[doc(alias = "semget")]
    pub fn create(key: Key, nsems: usize, mode: Mode) -> Result<SemSet> {
        Self::get(key, nsems, IpcFlags::CREATE | IpcFlags::EXCLUSIVE, mode)
    }

    /// `semget(key, nsems, IPC_CREAT | mode)` — the set of `key`, created
    /// with `nsems` semaphores if there is none.
    ///
    /// Syscalls: `semget` (on i386 before Linux 5.1: `ipc(SEMGET)`); none
    /// for a bad mode.
    ///
    /// # Errors
    /// As [`get`](Self::get).
    ///
    /// # References
    /// - [semget(2)](https://man7.org/linux/man-pages/man2/semget.2.html)
    #[doc(alias = "semget")]
    pub fn open_or_create(key: Key, nsems: usize, mode: Mode) -> Result<SemSet> {
        Self::get(key, nsems, IpcFlags::CREATE, mode)
    }

    /// `semget(IPC_PRIVATE, nsems, IPC_CREAT | 0o600)` — a new set no key
    /// finds: share its [`id`](Self::id) (children inherit it).
    ///
    /// Syscalls: `semget` (on i386 before Linux 5.1: `ipc(SEMGET)`).
    ///
    /// # Examples
    /// ```
    /// # fn main() -> bareipc::Result<()> {
    /// use bareipc::sem::sysv::{SemOp, SemSet};
    ///
    /// // Two semaphores no key finds: children inherit the id, others are told it.
    /// let set = SemSet::private(2)?.remove_on_drop()?; // IPC_RMID when done
    /// assert_eq!((set.value(0)?, set.value(1)?), (0, 0)); // a new set is all 0
    /// set.set_value(0, 1)?;
    /// SemSet::from_id(set.id()).op(&[SemOp::wait(0), SemOp::post(1)])?; // as another process
    /// assert_eq!((set.value(0)?, set.value(1)?), (0, 1));
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`get`](Self::get).
    ///
    /// # References
    /// - [semget(2)](https://man7.org/linux/man-pages/man2/semget.2.html)
    #[doc(alias = "IPC_PRIVATE")]
    pub fn private(nsems: usize) -> Result<SemSet> {
        Self::get(Key::PRIVATE, nsems, IpcFlags::CREATE, DEFAULT_MODE)
    }

    /// `semop(id, ops, ops.len())` — applies every operation of `ops`
    /// atomically: the call waits until all of them can be applied
    /// together, then applies them all; it never applies some.
    ///
    /// An operation with [`OpFlags::NOWAIT`] that would wait makes the
    /// whole call fail with `EAGAIN` at once. A signal interrupts the wait
    /// with `EINTR` (never restarted, whatever `SA_RESTART` says).
    ///
    /// Syscalls: `semop` (on i386, which has no `semop`,
    /// `semtimedop_time64` without a timeout, or before Linux 5.1
    /// `ipc(SEMTIMEDOP)`; none for unknown flags).
    ///
    /// # Examples
    /// ```
    /// # fn main() -> bareipc::Result<()> {
    /// use bareipc::sem::sysv::{SemOp, SemSet};
    ///
    /// let set = SemSet::private(2)?.remove_on_drop()?;
    /// set.set_values(&[1, 0])?;
    /// // All or nothing: semaphore 1 is 0, so the batch cannot apply, and
    /// // with NOWAIT it fails at once without taking the unit of semaphore 0.
    /// let both = [SemOp::wait(0).nowait(), SemOp::wait(1).nowait()];
    /// assert_eq!(set.op(&both), Err(bareipc::Errno::AGAIN));
    /// assert_eq!(set.value(0)?, 1);
    /// // P and V around a critical section; UNDO gives the unit back if we die inside.
    /// set.op(&[SemOp::wait(0).undo()])?;
    /// set.op(&[SemOp::post(0).undo()])?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// - `EAGAIN`: an operation with `NOWAIT` would wait.
    /// - `EFBIG`: an operation's `num` is not below the set's size.
    /// - `E2BIG`: more than `SEMOPM` operations (see [`limits`]).
    /// - `ERANGE`: a result, or an undo adjustment, would leave
    ///   `0..=`[`MAX_VALUE`] (or `-MAX_VALUE..=MAX_VALUE`).
    /// - `EIDRM`: the set was removed (also while waiting); `EINVAL`: a
    ///   bad id, or `ops` is empty; or, before the syscall, an operation
    ///   whose flags (from [`SemOp::with_flags`]) have a bit other than
    ///   `NOWAIT` and `UNDO`, which the kernel would ignore.
    /// - `EACCES`: the mode denies us write (alter) permission, or read
    ///   for a batch of wait-for-zero operations only.
    /// - `EINTR`: a signal arrived while waiting; `ENOMEM` (undo records).
    ///
    /// # References
    /// - [semop(2)](https://man7.org/linux/man-pages/man2/semop.2.html)
    #[doc(alias = "semop")]
    pub fn op(self, ops: &[SemOp]) -> Result<()> {
        known_flags(ops)?;
        raw::semtimedop(self.id, crate::backend::inner_slice(ops), None)
    }

    /// `semtimedop(id, ops, ops.len(), timeout)` — [`op`](Self::op), but
    /// waiting at most `timeout` (a relative time, measured on
    /// `CLOCK_MONOTONIC`).
    ///
    /// Expiry is **`EAGAIN`**, the same errno as a `NOWAIT` operation
    /// that would block — not `ETIMEDOUT`, which POSIX's `sem_timedwait`
    /// and `mq_timedreceive` return; and those take an absolute
    /// `CLOCK_REALTIME` deadline where `semtimedop` takes a relative
    /// timeout.
    ///
    /// Syscalls: `semtimedop` (`semtimedop_time64` on i386 and arm;
    /// before Linux 5.1, `ipc(SEMTIMEDOP)` on i386 and `semtimedop` with a
    /// 32-bit timeout on arm; none for unknown flags).
    ///
    /// # Errors
    /// As [`op`](Self::op); `EAGAIN` also when the timeout expires.
    ///
    /// # References
    /// - [semop(2)](https://man7.org/linux/man-pages/man2/semop.2.html)
    #[doc(alias = "semtimedop")]
    pub fn op_timeout(self, ops: &[SemOp], timeout: Duration) -> Result<()> {
        known_flags(ops)?;
        raw::semtimedop(self.id, crate::backend::inner_slice(ops), Some(timeout))
    }

    /// `semctl(id, num, GETVAL)` — the value of semaphore `num`. Needs read
    /// permission.
    ///
    /// Syscalls: `semctl` (on i386 before Linux 5.1: `ipc(SEMCTL)`).
    ///
    /// # Errors
    /// `EINVAL` for a bad id or `num` not below the set's size; `EIDRM`;
    /// `EACCES`.
    ///
    /// # References
    /// - [semctl(2)](https://man7.org/linux/man-pages/man2/semctl.2.html)
    #[doc(alias = "GETVAL")]
    pub fn value(self, num: u16) -> Result<u16> {
        raw::semctl_val(self.id, c_int::from(num), SemValCmd::GetVal).map(|v| v as u16)
    }

    /// `semctl(id, num, SETVAL, value)` — sets semaphore `num`, wakes the
    /// waiters the new value satisfies, and clears every process's undo
    /// adjustment for it. Needs write permission.
    ///
    /// Syscalls: `semctl` (on i386 before Linux 5.1: `ipc(SEMCTL)`).
    ///
    /// # Errors
    /// `ERANGE` for `value` above [`MAX_VALUE`]; `EINVAL` for a bad id or
    /// `num`; `EIDRM`; `EACCES`.
    ///
    /// # References
    /// - [semctl(2)](https://man7.org/linux/man-pages/man2/semctl.2.html)
    #[doc(alias = "SETVAL")]
    pub fn set_value(self, num: u16, value: u16) -> Result<()> {
        let cmd = SemValCmd::SetVal(c_int::from(value));
        raw::semctl_val(self.id, c_int::from(num), cmd).map(drop)
    }

    /// `semctl(id, 0, GETALL, values)` — every semaphore's value, into the
    /// first `n` entries of `values`, where `n` (returned) is the set's
    /// size. Needs read permission.
    ///
    /// The size comes from `IPC_STAT`, and by the time `GETALL` runs the
    /// id may name another set (its owner can remove it and get the same
    /// id back for a set of any size). So the kernel writes into a private
    /// scratch buffer of exactly `n` values that ends at an inaccessible
    /// guard page, and only a complete answer of `n` values reaches
    /// `values`: whatever the peer does, nothing past `values[..n]` is
    /// written.
    ///
    /// Syscalls: `semctl(IPC_STAT)` for the size, `mmap` and `mprotect`
    /// for the guarded scratch, `semctl(GETALL)`, `munmap` (on 32-bit
    /// `mmap2`; on i386 before Linux 5.1 `ipc(SEMCTL)` for the two
    /// `semctl`s).
    ///
    /// # Errors
    /// - `ERANGE`: `values` is shorter than the set.
    /// - `EIDRM`: the set was removed (also when its id came to name a set
    ///   of another size between the two steps; `values` is untouched
    ///   then).
    /// - `EINVAL`: a bad id; `EACCES`: no read permission; `ENOMEM`.
    ///
    /// # References
    /// - [semctl(2)](https://man7.org/linux/man-pages/man2/semctl.2.html)
    #[doc(alias = "GETALL")]
    pub fn values(self, values: &mut [u16]) -> Result<usize> {
        raw::semctl_getall(self.id, values)
    }

    /// `semctl(id, 0, SETALL, values)` — sets every semaphore of the set at
    /// once; `values` has exactly one entry per semaphore. Wakes the
    /// waiters the new values satisfy and clears every undo adjustment for
    /// the set. Needs write permission.
    ///
    /// As for [`values`](Self::values), the size comes from `IPC_STAT` and
    /// the id may name another set by the time `SETALL` runs: the kernel
    /// reads from a guarded private copy of `values`, so a larger set's
    /// read stops at the guard (`EIDRM`, and nothing is set) instead of
    /// taking the memory that follows `values` into the set.
    ///
    /// Under qemu-user 7.2 the array must be writable memory: qemu checks
    /// it for write access. The copy is writable, so any `values` works.
    ///
    /// Syscalls: `semctl(IPC_STAT)` for the size, `mmap` and `mprotect`
    /// for the guarded copy, `semctl(SETALL)`, `munmap` (on 32-bit
    /// `mmap2`; on i386 before Linux 5.1 `ipc(SEMCTL)` for the two
    /// `semctl`s).
    ///
    /// # Errors
    /// - `EINVAL`: `values.len()` is not the set's size, or a bad id.
    /// - `ERANGE`: a value above [`MAX_VALUE`].
    /// - `EIDRM`: the set was removed (also when its id came to name a
    ///   larger set between the two steps; nothing is set then).
    /// - `EACCES`: no write permission; `ENOMEM`.
    ///
    /// # References
    /// - [semctl(2)](https://man7.org/linux/man-pages/man2/semctl.2.html)
    #[doc(alias = "SETALL")]
    pub fn set_values(self, values: &[u16]) -> Result<()> {
        raw::semctl_setall(self.id, values)
    }

    /// `semctl(id, num, GETPID)` — the pid of the process that last
    /// operated on semaphore `num` (`None`: none yet, or not visible in our
    /// pid namespace). Needs read permission.
    ///
    /// Syscalls: `semctl` (on i386 before Linux 5.1: `ipc(SEMCTL)`).
    ///
    /// # Errors
    /// `EINVAL` for a bad id or `num`; `EIDRM`; `EACCES`.
    ///
    /// # References
    /// - [semctl(2)](https://man7.org/linux/man-pages/man2/semctl.2.html)
    #[doc(alias = "GETPID")]
    pub fn last_pid(self, num: u16) -> Result<Option<Pid>> {
        raw::semctl_val(self.id, c_int::from(num), SemValCmd::GetPid).map(crate::checked_pid)
    }

    /// `semctl(id, num, GETNCNT)` — how many tasks wait for semaphore `num`
    /// to increase. Needs read permission.
    ///
    /// Syscalls: `semctl` (on i386 before Linux 5.1: `ipc(SEMCTL)`).
    ///
    /// # Errors
    /// `EINVAL` for a bad id or `num`; `EIDRM`; `EACCES`.
    ///
    /// # References
    /// - [semctl(2)](https://man7.org/linux/man-pages/man2/semctl.2.html)
    #[doc(alias = "GETNCNT")]
    pub fn waiting_for_increase(self, num: u16) -> Result<u32> {
        raw::semctl_val(self.id, c_int::from(num), SemValCmd::GetNcnt).map(|n| n as u32)
    }

    /// `semctl(id, num, GETZCNT)` — how many tasks wait for semaphore `num`
    /// to become zero. Needs read permission.
    ///
    /// Syscalls: `semctl` (on i386 before Linux 5.1: `ipc(SEMCTL)`).
    ///
    /// # Errors
    /// `EINVAL` for a bad id or `num`; `EIDRM`; `EACCES`.
    ///
    /// # References
    /// - [semctl(2)](https://man7.org/linux/man-pages/man2/semctl.2.html)
    #[doc(alias = "GETZCNT")]
    pub fn waiting_for_zero(self, num: u16) -> Result<u32> {
        raw::semctl_val(self.id, c_int::from(num), SemValCmd::GetZcnt).map(|n| n as u32)
    }
}

/// `EINVAL` if an operation's flags have a bit that is not an [`OpFlags`]
/// ([`SemOp::with_flags`] takes any): the kernel reads only `IPC_NOWAIT`
/// and `SEM_UNDO` and would drop the rest.
fn known_flags(ops: &[SemOp]) -> Result<()> {
    ops.iter()
        .try_for_each(|op| crate::flags::only(op.flags(), OpFlags::all()))
}

crate::key::sysv_common!(SemSet, SemSetStat);

impl crate::key::Sysv for SemSet {
    type Stat = SemSetStat;
    fn raw_id(self) -> c_int {
        self.id
    }
    fn raw_stat(id: c_int) -> Result<SemSetStat> {
        let mut ds = semid64_ds::default();
        raw::semctl_stat(id, StatCmd::Id, &mut ds)?;
        Ok(SemSetStat::from_kernel(&ds))
    }
    fn raw_set_owner(id: c_int, uid: Uid, gid: Gid, mode: u32) -> Result<()> {
        let mut ds = semid64_ds::default();
        ds.sem_perm.uid = uid.as_raw();
        ds.sem_perm.gid = gid.as_raw();
        ds.sem_perm.mode = mode as _;
        raw::semctl_set(id, &ds)
    }
    fn raw_remove(id: c_int) -> Result<()> {
        raw::semctl_val(id, 0, SemValCmd::Rmid).map(drop)
    }
    fn identity_of(st: &SemSetStat) -> Identity {
        Identity::new(&st.perm, st.nsems as u64, 0)
    }
}

/// A set's state, from `IPC_STAT` or `SEM_STAT`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SemSetStat {
    /// Owner, creator and permission bits.
    pub perm: IpcPerm,
    /// Last successful `semop`, in seconds since the epoch (0: never).
    pub otime: i64,
    /// Creation or last `IPC_SET`/`SETVAL`/`SETALL`, in seconds since the
    /// epoch.
    pub ctime: i64,
    /// The number of semaphores in the set.
    pub nsems: usize,
}

impl SemSetStat {
    // The kernel's field types differ per arch (c_ulong, long): the casts
    // are conversions on some targets and no-ops on others.
    #[allow(clippy::unnecessary_cast, clippy::useless_conversion)]
    fn from_kernel(ds: &semid64_ds) -> Self {
        #[cfg(target_pointer_width = "64")]
        let [otime, ctime] = [ds.sem_otime, ds.sem_ctime].map(|t| t as i64);
        #[cfg(target_pointer_width = "32")]
        let [otime, ctime] = [
            t::time64(ds.sem_otime, ds.sem_otime_high),
            t::time64(ds.sem_ctime, ds.sem_ctime_high),
        ];
        Self {
            perm: IpcPerm::from_kernel(&ds.sem_perm),
            otime,
            ctime,
            nsems: ds.sem_nsems as usize,
        }
    }
}

/// `semctl(index, 0, SEM_STAT)` — the set in slot `index` of the kernel's
/// table (0 up to [`Usage::max_index`]) and its state: how `ipcs` lists
/// sets. Needs read permission on it.
///
/// Syscalls: `semctl` (on i386 before Linux 5.1: `ipc(SEMCTL)`).
///
/// # Errors
/// `EINVAL` for an empty slot or an index out of range; `EACCES` without
/// read permission.
///
/// # References
/// - [semctl(2)](https://man7.org/linux/man-pages/man2/semctl.2.html)
#[doc(alias = "SEM_STAT")]
pub fn stat_index(index: c_int) -> Result<(SemSet, SemSetStat)> {
    stat_slot(index, StatCmd::Index)
}

/// `semctl(index, 0, SEM_STAT_ANY)` — as [`stat_index`], without the
/// permission check (Linux 4.17; what `/proc/sysvipc/sem` shows everyone).
///
/// Syscalls: `semctl` (on i386 before Linux 5.1: `ipc(SEMCTL)`).
///
/// # Errors
/// `EINVAL` for an empty slot, an index out of range, or a kernel before
/// 4.17.
///
/// # References
/// - [semctl(2)](https://man7.org/linux/man-pages/man2/semctl.2.html)
#[doc(alias = "SEM_STAT_ANY")]
pub fn stat_index_any(index: c_int) -> Result<(SemSet, SemSetStat)> {
    stat_slot(index, StatCmd::IndexAny)
}

fn stat_slot(index: c_int, cmd: StatCmd) -> Result<(SemSet, SemSetStat)> {
    let mut ds = semid64_ds::default();
    let id = raw::semctl_stat(index, cmd, &mut ds)?;
    Ok((SemSet { id }, SemSetStat::from_kernel(&ds)))
}

/// The system's semaphore limits, from `semctl(IPC_INFO)` (the
/// `kernel.sem` sysctl of this IPC namespace: `SEMMSL SEMMNS SEMOPM
/// SEMMNI`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// `SEMMSL`: the most semaphores in one set.
    pub max_per_set: u32,
    /// `SEMMNS`: the most semaphores in all sets together.
    pub max_total: u32,
    /// `SEMOPM`: the most operations in one [`SemSet::op`] call.
    pub max_ops: u32,
    /// `SEMMNI`: the most sets.
    pub max_sets: u32,
    /// `SEMVMX`: the largest value ([`MAX_VALUE`]).
    pub max_value: u32,
    /// `SEMAEM`: the largest undo adjustment one process can accumulate
    /// for one semaphore.
    pub max_undo: u32,
}

/// `semctl(0, 0, IPC_INFO)` — the system's limits.
///
/// Syscalls: `semctl` (on i386 before Linux 5.1: `ipc(SEMCTL)`).
///
/// # Errors
/// None in practice (`EFAULT` cannot happen with our buffer).
///
/// # References
/// - [semctl(2)](https://man7.org/linux/man-pages/man2/semctl.2.html)
#[doc(alias = "IPC_INFO")]
pub fn limits() -> Result<Limits> {
    let mut i = seminfo::default();
    raw::semctl_info(false, &mut i)?;
    Ok(Limits {
        max_per_set: i.semmsl as u32,
        max_total: i.semmns as u32,
        max_ops: i.semopm as u32,
        max_sets: i.semmni as u32,
        max_value: i.semvmx as u32,
        max_undo: i.semaem as u32,
    })
}

/// What semaphore sets use now, from `semctl(SEM_INFO)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Usage {
    /// How many sets exist.
    pub sets: u32,
    /// How many semaphores they hold together.
    pub semaphores: u32,
    /// The highest slot index in use (for [`stat_index`]).
    pub max_index: c_int,
}

/// `semctl(0, 0, SEM_INFO)` — system-wide usage.
///
/// Syscalls: `semctl` (on i386 before Linux 5.1: `ipc(SEMCTL)`).
///
/// # Errors
/// None in practice.
///
/// # References
/// - [semctl(2)](https://man7.org/linux/man-pages/man2/semctl.2.html)
#[doc(alias = "SEM_INFO")]
pub fn usage() -> Result<Usage> {
    let mut i = seminfo::default();
    let max_index = raw::semctl_info(true, &mut i)?;
    Ok(Usage {
        sets: i.semusz as u32,
        semaphores: i.semaem as u32,
        max_index,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn op_constructors_and_flags() {
        assert_eq!(SemOp::wait(2).delta(), -1);
        assert_eq!(SemOp::post(2).delta(), 1);
        assert_eq!(SemOp::wait_for_zero(7).delta(), 0);
        assert_eq!(SemOp::wait_for_zero(7).num(), 7);
        assert_eq!(SemOp::decrement(0, MAX_VALUE).unwrap().delta(), -32767);
        assert_eq!(SemOp::increment(0, 5).unwrap().delta(), 5);
        assert_eq!(SemOp::decrement(0, 0), Err(Errno::INVAL));
        assert_eq!(SemOp::increment(0, 0), Err(Errno::INVAL));
        assert_eq!(SemOp::decrement(0, MAX_VALUE + 1), Err(Errno::RANGE));
        assert_eq!(SemOp::increment(0, u16::MAX), Err(Errno::RANGE));
        let op = SemOp::post(1).undo().nowait();
        assert_eq!(op.flags(), OpFlags::UNDO | OpFlags::NOWAIT);
        assert_eq!(op.0.sem_flg, 0x1000 | 0o4000);
        assert_eq!(SemOp::post(1).flags(), OpFlags::empty());
    }

    #[test]
    fn ops_reach_the_kernel_as_sembufs() {
        let ops = [SemOp::wait(1).undo(), SemOp::post(65535)];
        let raw = crate::backend::inner_slice(&ops);
        assert_eq!(raw.len(), 2);
        assert_eq!(raw.as_ptr().cast::<u8>(), ops.as_ptr().cast::<u8>());
        assert_eq!(
            (raw[0].sem_num, raw[0].sem_op, raw[0].sem_flg),
            (1, -1, 0x1000)
        );
        assert_eq!((raw[1].sem_num, raw[1].sem_op), (65535, 1));
        assert_eq!(core::mem::size_of_val(raw), 12);
    }

    #[cfg(all(target_env = "gnu", feature = "std"))]
    #[test]
    fn sembuf_matches_libc() {
        use core::mem::{offset_of, size_of};
        assert_eq!(size_of::<SemOp>(), size_of::<libc::sembuf>());
        assert_eq!(offset_of!(sembuf, sem_op), offset_of!(libc::sembuf, sem_op));
        assert_eq!(
            offset_of!(sembuf, sem_flg),
            offset_of!(libc::sembuf, sem_flg)
        );
        assert_eq!(OpFlags::UNDO.bits() as i32, libc::SEM_UNDO);
        assert_eq!(OpFlags::NOWAIT.bits() as i32, libc::IPC_NOWAIT);
    }
}
