//! Semaphores: P and V between processes, with a wait queue in the kernel
//! instead of busy waiting.
//!
//! | kind | module | lives in | blocking costs | a killed holder |
//! |---|---|---|---|---|
//! | SysV set | [`sysv`] | the kernel, by [`Key`](crate::key::Key) or id | a `semop` per P and V | [`OpFlags::UNDO`](sysv::OpFlags::UNDO) gives its units back |
//! | futex semaphore | [`futex`] | a [`Mapping`](crate::shm::Mapping), or a named file under `/dev/shm` | no syscall unless someone must sleep or be woken | its units are lost (see below) |
//! | robust mutex | [`mutex`] | a [`Mapping`](crate::shm::Mapping) | no syscall uncontended except `gettid` | the next locker is told ([`Locked::OwnerDied`](mutex::Locked::OwnerDied)) |
//!
//! # Crash recovery, exactly
//!
//! - **SysV**: an operation with `SEM_UNDO` records its inverse for the
//!   calling process; when the process exits for any reason (`SIGKILL`
//!   included) the kernel applies it, clamped so the value stays
//!   non-negative. A P with undo whose holder is killed is therefore
//!   released. Without undo the units are lost.
//! - **futex semaphore**: a count has no owner, so nothing can tell who
//!   held a unit: units taken by a process that dies are lost, and waiters
//!   keep waiting for a post that never comes (bound the wait with
//!   [`wait_timeout`](futex::Semaphore::wait_timeout)). A process killed
//!   while asleep in `wait` leaves the waiter count one too high, which
//!   costs later posts a useless `futex(FUTEX_WAKE)` and nothing else.
//! - **robust mutex**: the lock word holds the owner's thread id, and the
//!   kernel's priority-inheritance futexes check it: when the owner dies,
//!   the next locker gets the lock together with
//!   [`Locked::OwnerDied`](mutex::Locked::OwnerDied), and decides whether
//!   the data it protects is consistent again.
//!
//! # Example: Dijkstra's P and V between two processes
//!
//! A futex semaphore in a sealed memfd shared with a child: the child
//! waits (P) until the parent posts (V).
//!
//! ```no_run
//! use bareipc::sem::futex::Semaphore;
//! use bareipc::shm::memfd::{self, MemfdFlags, Seals};
//! use bareipc::shm::ReadWrite;
//!
//! let fd = memfd::create(c"sem", MemfdFlags::empty())?;
//! fd.set_len(4096)?;
//! fd.add_seals(Seals::SHRINK | Seals::GROW)?;
//! let map = fd.map::<ReadWrite>(4096)?;
//! let sem = Semaphore::init(&map, 0, 0)?;
//!
//! // ... hand `fd` to the other process (fork, SCM_RIGHTS); there:
//! //     let map = Memfd::require_seals(fd, Seals::SHRINK)?.map::<ReadWrite>(4096)?;
//! //     Semaphore::at(&map, 0)?.wait()?;   // P: sleeps until the post
//!
//! sem.post()?; // V: wakes it
//! # Ok::<(), bareipc::Errno>(())
//! ```

pub mod futex;
pub mod mutex;
pub mod sysv;

use core::time::Duration;

use rustix::thread::futex::Timespec;
use rustix::time::{ClockId, clock_gettime};

/// The absolute time `timeout` from now on `clock`, as the futex
/// operations that take a deadline want it.
fn deadline(clock: ClockId, timeout: Duration) -> Timespec {
    crate::backend::time::deadline(clock_gettime(clock), timeout)
}

/// Whether `deadline` on `clock` has passed.
fn passed(clock: ClockId, deadline: &Timespec) -> bool {
    clock_gettime(clock) >= *deadline
}
