//! Audit cases for `sem`: SysV sets, the futex semaphore and the robust
//! mutex, each on its fast path (often no syscall) and its slow paths (a
//! waiter present, contention, a dead owner), provoked without blocking
//! for long: timed waits that time out, a waiter on a thread of this
//! process (its cases are in that thread's trace), an owner forked to die
//! holding the lock.

use std::sync::atomic::Ordering;
use std::time::Duration;

use bareipc::Errno;
use bareipc::key::Key;
use bareipc::sem::futex::{self, MAX_VALUE, NamedSemaphore, Semaphore};
use bareipc::sem::mutex::{Locked, RobustMutex};
use bareipc::sem::sysv::{self, IpcFlags, Mode, OpFlags, SemOp, SemSet};
use bareipc::shm::memfd::{self, MemfdFlags, Seals};
use bareipc::shm::{Mapping, ReadWrite};

use crate::{audit, audit_drop, audit_mt, common};

/// A timeout that expires at once for the cases that want it to.
const SHORT: Duration = Duration::from_millis(1);

pub fn run() {
    let fd = memfd::create(c"bareipc-audit-sem", MemfdFlags::empty()).unwrap();
    fd.set_len(4096).unwrap();
    fd.add_seals(Seals::SHRINK | Seals::GROW).unwrap();
    let map = fd.map::<ReadWrite>(4096).unwrap();
    // The first deadline of the process may look up the vDSO (reading the
    // aux vector); do that here, outside every case.
    let warm = Semaphore::init(&map, 64, 0).unwrap();
    assert_eq!(warm.wait_timeout(Duration::ZERO), Err(Errno::TIMEDOUT));

    sysv_sets();
    futex_semaphore(&map);
    named_semaphore();
    robust_mutex(&map);
}

fn sysv_sets() {
    let key = Key::from_raw(common::unique_key());
    // Checked before any syscall: mode bits outside 0o777.
    let bad = audit("sem::sysv::SemSet::get", &[], || {
        SemSet::get(key, 1, IpcFlags::CREATE, Mode::from_raw_mode(0o1000))
    });
    assert_eq!(bad.err(), Some(Errno::INVAL));
    let set = audit("sem::sysv::SemSet::create", &["semget"], || {
        SemSet::create(key, 2, sysv::DEFAULT_MODE)
    })
    .unwrap();
    let set = audit("key::sysv_common!::remove_on_drop", &["semctl"], || {
        set.remove_on_drop()
    })
    .unwrap();
    let found = audit("sem::sysv::SemSet::get", &["semget"], || {
        SemSet::get(key, 0, IpcFlags::empty(), Mode::empty())
    })
    .unwrap();
    assert_eq!(found, *set);
    let opened = audit("sem::sysv::SemSet::open", &["semget"], || SemSet::open(key)).unwrap();
    assert_eq!(opened, *set);
    audit("sem::sysv::SemSet::open", &[], || {
        assert_eq!(SemSet::open(Key::PRIVATE), Err(Errno::INVAL))
    });
    let either = audit("sem::sysv::SemSet::open_or_create", &["semget"], || {
        SemSet::open_or_create(key, 2, sysv::DEFAULT_MODE)
    })
    .unwrap();
    assert_eq!(either, *set);
    let id = audit("key::sysv_common!::id", &[], || set.id());
    assert_eq!(
        audit("key::sysv_common!::from_id", &[], || SemSet::from_id(id)),
        *set
    );

    semop_builders();
    audit("sem::sysv::SemSet::op", &["semop"], || {
        set.op(&[SemOp::post(0).undo()])
    })
    .unwrap();
    let busy = audit("sem::sysv::SemSet::op", &["semop"], || {
        set.op(&[SemOp::wait(1).nowait()])
    });
    assert_eq!(busy.err(), Some(Errno::AGAIN));
    let expired = audit("sem::sysv::SemSet::op_timeout", &["semtimedop"], || {
        set.op_timeout(&[SemOp::wait(1)], SHORT)
    });
    assert_eq!(expired.err(), Some(Errno::AGAIN));
    audit("sem::sysv::SemSet::op_timeout", &["semtimedop"], || {
        set.op_timeout(&[SemOp::wait(0).undo()], SHORT)
    })
    .unwrap();

    audit("sem::sysv::SemSet::set_value", &["semctl"], || {
        set.set_value(1, 3)
    })
    .unwrap();
    assert_eq!(
        audit("sem::sysv::SemSet::value", &["semctl"], || set.value(1)),
        Ok(3)
    );
    let mut values = [0u16; 2];
    let n = audit(
        "sem::sysv::SemSet::values",
        &["semctl", "mmap", "mprotect", "semctl", "munmap"],
        || set.values(&mut values),
    );
    assert_eq!((n, values), (Ok(2), [0, 3]));
    // Too short a buffer: refused after the size is read.
    let mut short = [0u16; 1];
    let refused = audit("sem::sysv::SemSet::values", &["semctl"], || {
        set.values(&mut short)
    });
    assert_eq!(refused, Err(Errno::RANGE));
    let new = [4u16, 5];
    audit(
        "sem::sysv::SemSet::set_values",
        &["semctl", "mmap", "mprotect", "semctl", "munmap"],
        || set.set_values(&new),
    )
    .unwrap();
    let wrong = [1u16; 3];
    let refused = audit("sem::sysv::SemSet::set_values", &["semctl"], || {
        set.set_values(&wrong)
    });
    assert_eq!(refused, Err(Errno::INVAL));
    let pid = audit("sem::sysv::SemSet::last_pid", &["semctl"], || {
        set.last_pid(0)
    });
    assert!(pid.unwrap().is_some());
    let n = audit(
        "sem::sysv::SemSet::waiting_for_increase",
        &["semctl"],
        || set.waiting_for_increase(0),
    );
    assert_eq!(n, Ok(0));
    let n = audit("sem::sysv::SemSet::waiting_for_zero", &["semctl"], || {
        set.waiting_for_zero(0)
    });
    assert_eq!(n, Ok(0));
    let st = audit("key::sysv_common!::stat", &["semctl"], || set.stat()).unwrap();
    assert_eq!(st.nsems, 2);
    audit("key::sysv_common!::set_owner", &["semctl"], || {
        set.set_owner(st.perm.uid, st.perm.gid, Mode::from_raw_mode(0o640))
    })
    .unwrap();

    let usage = audit("sem::sysv::usage", &["semctl"], sysv::usage).unwrap();
    assert!(usage.sets >= 1);
    audit("sem::sysv::limits", &["semctl"], sysv::limits).unwrap();
    // Slot 0 may be empty (EINVAL): one call either way.
    let _ = audit("sem::sysv::stat_index", &["semctl"], || sysv::stat_index(0));
    let _ = audit("sem::sysv::stat_index_any", &["semctl"], || {
        sysv::stat_index_any(0)
    });

    let private = audit("sem::sysv::SemSet::private", &["semget"], || {
        SemSet::private(1)
    })
    .unwrap();
    audit("key::sysv_common!::remove", &["semctl"], || {
        private.remove()
    })
    .unwrap();
    let gone = audit("key::sysv_common!::remove", &["semctl"], || {
        private.remove()
    });
    assert!(gone.is_err());
    drop(set);
}

/// The `SemOp` builders and getters: plain values, no syscall.
fn semop_builders() {
    let op = audit("sem::sysv::SemOp::new", &[], || SemOp::new(1, -2));
    assert_eq!(audit("sem::sysv::SemOp::num", &[], || op.num()), 1);
    assert_eq!(audit("sem::sysv::SemOp::delta", &[], || op.delta()), -2);
    audit("sem::sysv::SemOp::wait", &[], || SemOp::wait(0));
    audit("sem::sysv::SemOp::post", &[], || SemOp::post(0));
    audit("sem::sysv::SemOp::wait_for_zero", &[], || {
        SemOp::wait_for_zero(0)
    });
    audit("sem::sysv::SemOp::decrement", &[], || {
        SemOp::decrement(0, 2)
    })
    .unwrap();
    audit("sem::sysv::SemOp::increment", &[], || {
        SemOp::increment(0, 2)
    })
    .unwrap();
    let op = audit("sem::sysv::SemOp::undo", &[], || op.undo());
    let op = audit("sem::sysv::SemOp::nowait", &[], || op.nowait());
    let op = audit("sem::sysv::SemOp::with_flags", &[], || {
        op.with_flags(OpFlags::empty())
    });
    let flags = audit("sem::sysv::SemOp::flags", &[], || op.flags());
    assert_eq!(flags, OpFlags::UNDO | OpFlags::NOWAIT);
}

fn futex_semaphore(map: &Mapping<ReadWrite>) {
    let sem = audit("sem::futex::Semaphore::init", &[], || {
        Semaphore::init(map, 0, 1)
    })
    .unwrap();
    let same = audit("sem::futex::Semaphore::at", &[], || Semaphore::at(map, 0)).unwrap();
    assert_eq!(
        audit("sem::futex::Semaphore::value", &[], || same.value()),
        1
    );
    assert_eq!(
        audit("sem::futex::Semaphore::waiters", &[], || same.waiters()),
        0
    );

    // Fast paths: a unit is there, nobody waits.
    audit("sem::futex::Semaphore::try_wait", &[], || sem.try_wait()).unwrap();
    let empty = audit("sem::futex::Semaphore::try_wait", &[], || sem.try_wait());
    assert_eq!(empty, Err(Errno::AGAIN));
    audit("sem::futex::Semaphore::post", &[], || sem.post()).unwrap();
    audit("sem::futex::Semaphore::wait", &[], || sem.wait()).unwrap();
    sem.post().unwrap();
    audit("sem::futex::Semaphore::wait_timeout", &[], || {
        sem.wait_timeout(SHORT)
    })
    .unwrap();

    // Slow path of a timed wait: nothing comes, one sleep until the
    // deadline (the clock is read in the vDSO).
    let expired = audit("sem::futex::Semaphore::wait_timeout", &["futex"], || {
        sem.wait_timeout(SHORT)
    });
    assert_eq!(expired, Err(Errno::TIMEDOUT));
    assert_eq!(sem.waiters(), 0);
    // An absolute deadline, on either clock: already passed.
    let past = bareipc::Timespec {
        tv_sec: 1,
        tv_nsec: 0,
    };
    for clock in [bareipc::ClockId::Monotonic, bareipc::ClockId::Realtime] {
        let passed = audit("sem::futex::Semaphore::wait_until", &["futex"], || {
            sem.wait_until(&past, clock)
        });
        assert_eq!(passed, Err(Errno::TIMEDOUT));
    }
    let bad = audit("sem::futex::Semaphore::wait_until", &[], || {
        sem.wait_until(&past, bareipc::ClockId::ProcessCPUTime)
    });
    assert_eq!(bad, Err(Errno::INVAL));

    // Slow path of a wait: a thread sleeps until this one posts. Its case
    // is in its own trace.
    std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::channel();
        let waiter = s.spawn(move || {
            tx.send(common::my_tid()).unwrap();
            audit("sem::futex::Semaphore::wait", &["futex"], || sem.wait())
        });
        let tid = rx.recv().unwrap();
        while sem.waiters() == 0 && !waiter.is_finished() {
            std::thread::yield_now();
        }
        common::wait_until_asleep(std::process::id(), tid);
        // A waiter is counted: the post wakes it.
        // The woken waiter exits at once, beside this case.
        audit_mt("sem::futex::Semaphore::post", &["futex"], || sem.post()).unwrap();
        waiter.join().unwrap().unwrap();
    });

    // At the maximum: refused before any syscall.
    let full = Semaphore::init(map, 0, MAX_VALUE).unwrap();
    let overflow = audit("sem::futex::Semaphore::post", &[], || full.post());
    assert_eq!(overflow, Err(Errno::OVERFLOW));
    map.atomic_u32(0).unwrap().store(0, Ordering::Relaxed);
}

/// `NamedSemaphore::create`.
fn create_named(name: &str, value: u32, mode: Mode) -> bareipc::Result<NamedSemaphore> {
    // SAFETY: nothing truncates the semaphore files of these cases.
    unsafe { NamedSemaphore::create(name, value, mode) }
}

/// `NamedSemaphore::open`.
fn open_named(name: &str) -> bareipc::Result<NamedSemaphore> {
    // SAFETY: as in `create_named`.
    unsafe { NamedSemaphore::open(name) }
}

fn named_semaphore() {
    let name = format!("/{}", common::unique_name("bareipc-audit-sem"));
    let bad = audit("sem::futex::NamedSemaphore::create", &[], || {
        create_named("/a/b", 0, futex::DEFAULT_MODE)
    });
    assert_eq!(bad.err(), Some(Errno::INVAL));
    let made = [
        "getrandom",
        "openat",
        "ftruncate",
        "mmap",
        "fstat",
        "linkat",
        "unlinkat",
        "close",
    ];
    let sem = audit("sem::futex::NamedSemaphore::create", &made, || {
        create_named(&name, 1, futex::DEFAULT_MODE)
    })
    .unwrap();
    // The name is taken: the finished file is unmapped again.
    let taken = [
        "getrandom",
        "openat",
        "ftruncate",
        "mmap",
        "fstat",
        "linkat",
        "munmap",
        "unlinkat",
        "close",
    ];
    let exists = audit("sem::futex::NamedSemaphore::create", &taken, || {
        create_named(&name, 1, futex::DEFAULT_MODE)
    });
    assert_eq!(exists.err(), Some(Errno::EXIST));
    let value = audit("sem::futex::NamedSemaphore::semaphore", &[], || {
        sem.semaphore().value()
    });
    assert_eq!(value, 1);

    let opened = audit(
        "sem::futex::NamedSemaphore::open",
        &["openat", "fstat", "geteuid", "mmap", "close"],
        || open_named(&name),
    )
    .unwrap();
    let (owner, mode) = audit("sem::futex::NamedSemaphore::owner", &[], || opened.owner());
    assert_eq!((owner.as_raw(), mode.as_raw_mode()), (0, 0o600));
    audit_drop("sem::futex::NamedSemaphore", &["munmap"], opened);
    // SAFETY: this test is the only user of the name.
    let any = audit(
        "sem::futex::NamedSemaphore::open_any_owner",
        &["openat", "fstat", "mmap", "close"],
        || unsafe { NamedSemaphore::open_any_owner(&name) },
    )
    .unwrap();
    drop(any);
    drop(sem);
    audit("sem::futex::unlink", &["unlinkat"], || futex::unlink(&name)).unwrap();
    let missing = audit("sem::futex::NamedSemaphore::open", &["openat"], || {
        open_named(&name)
    });
    assert_eq!(missing.err(), Some(Errno::NOENT));

    // Files at a semaphore's name that are not semaphores: the wrong size
    // is seen in fstat, the wrong contents only once mapped.
    let path = |n: &str| format!("/dev/shm/bareipc.sem.{}", &n[1..]);
    let small = format!("/{}", common::unique_name("bareipc-audit-sem"));
    std::fs::write(path(&small), [0u8; 3]).unwrap();
    let refused = audit(
        "sem::futex::NamedSemaphore::open",
        &["openat", "fstat", "close"],
        || open_named(&small),
    );
    assert_eq!(refused.err(), Some(Errno::INVAL));
    let zeros = format!("/{}", common::unique_name("bareipc-audit-sem"));
    std::fs::write(path(&zeros), [0u8; 16]).unwrap();
    let refused = audit(
        "sem::futex::NamedSemaphore::open",
        &["openat", "fstat", "geteuid", "mmap", "munmap", "close"],
        || open_named(&zeros),
    );
    assert_eq!(refused.err(), Some(Errno::INVAL));
    let refused = audit(
        "sem::futex::NamedSemaphore::open_any_owner",
        &["openat", "fstat", "mmap", "munmap", "close"],
        // SAFETY: nobody truncates the test's file.
        || unsafe { NamedSemaphore::open_any_owner(&zeros) },
    );
    assert_eq!(refused.err(), Some(Errno::INVAL));
    for n in [&small, &zeros] {
        std::fs::remove_file(path(n)).unwrap();
    }
}

/// Forks a child that takes `m` and exits holding it, and reaps it: the
/// lock word is left naming a thread that no longer exists.
fn die_holding(m: RobustMutex<'_>) {
    // SAFETY: the child only locks (gettid and atomics) and `_exit`s.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0);
    if pid == 0 {
        let code = match m.lock() {
            Ok(locked) => {
                std::mem::forget(locked);
                0
            }
            Err(_) => 1,
        };
        // SAFETY: ends the child without running anything of the parent's.
        unsafe { libc::_exit(code) };
    }
    let mut status = 0;
    // SAFETY: reaps our own child into a local.
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert_eq!(status, 0, "the child could not take the lock");
}

fn robust_mutex(map: &Mapping<ReadWrite>) {
    audit("sem::mutex::RobustMutex::init", &[], || {
        RobustMutex::init(map, 8)
    })
    .unwrap();
    let m = audit("sem::mutex::RobustMutex::at", &[], || {
        RobustMutex::at(map, 8)
    })
    .unwrap();

    // Uncontended: a gettid and atomics, on the way in and out.
    let locked = audit("sem::mutex::RobustMutex::lock", &["gettid"], || m.lock()).unwrap();
    let died = audit("sem::mutex::Locked::owner_died", &[], || {
        locked.owner_died()
    });
    assert!(!died);
    let guard = audit("sem::mutex::Locked::into_guard", &[], || {
        locked.into_guard()
    });
    // This thread holds it already: refused after the gettid.
    let again = audit("sem::mutex::RobustMutex::lock", &["gettid"], || m.lock());
    assert_eq!(again.err(), Some(Errno::DEADLK));
    let again = audit("sem::mutex::RobustMutex::try_lock", &["gettid"], || {
        m.try_lock()
    });
    assert_eq!(again.err(), Some(Errno::DEADLK));
    let again = audit("sem::mutex::RobustMutex::lock_timeout", &["gettid"], || {
        m.lock_timeout(SHORT)
    });
    assert_eq!(again.err(), Some(Errno::DEADLK));
    audit("sem::mutex::MutexGuard::mark_consistent", &[], || {
        guard.mark_consistent()
    });
    audit("sem::mutex::MutexGuard::unlock", &[], || guard.unlock()).unwrap();
    let locked = audit("sem::mutex::RobustMutex::try_lock", &["gettid"], || {
        m.try_lock()
    });
    audit_drop("sem::mutex::MutexGuard", &[], locked.unwrap().into_guard());
    let locked = audit("sem::mutex::RobustMutex::lock_timeout", &["gettid"], || {
        m.lock_timeout(SHORT)
    });
    drop(locked.unwrap());

    // Contended: this thread holds the lock while another tries and times
    // out in the kernel, which leaves FUTEX_WAITERS in the word, so the
    // unlock (and then a drop) goes through the kernel too.
    let contend = |m: RobustMutex<'_>| {
        std::thread::scope(|s| {
            s.spawn(|| {
                let busy = audit(
                    "sem::mutex::RobustMutex::try_lock",
                    &["gettid", "futex"],
                    || m.try_lock(),
                );
                assert_eq!(busy.err(), Some(Errno::BUSY));
                let expired = audit(
                    "sem::mutex::RobustMutex::lock_timeout",
                    &["gettid", "futex"],
                    || m.lock_timeout(SHORT),
                );
                assert_eq!(expired.err(), Some(Errno::TIMEDOUT));
            });
        });
    };
    let guard = m.lock().unwrap().into_guard();
    contend(m);
    // qemu's log may show the joined thread's last calls (its exit) after
    // the join: `audit_mt` keeps these two cases out of the qemu check.
    audit_mt("sem::mutex::MutexGuard::unlock", &["futex"], || {
        guard.unlock()
    })
    .unwrap();
    let guard = m.lock().unwrap().into_guard();
    contend(m);
    audit_mt("sem::mutex::MutexGuard", &["futex"], || drop(guard));

    // The owner died holding it: the kernel says so (ESRCH) and the lock
    // is taken over; each way in sees it once.
    die_holding(m);
    let locked = audit(
        "sem::mutex::RobustMutex::lock",
        &["gettid", "futex"],
        || m.lock(),
    )
    .unwrap();
    assert!(matches!(locked, Locked::OwnerDied(_)));
    locked.into_guard().mark_consistent();
    die_holding(m);
    let locked = audit(
        "sem::mutex::RobustMutex::try_lock",
        &["gettid", "futex"],
        || m.try_lock(),
    )
    .unwrap();
    assert!(locked.owner_died());
    locked.into_guard().mark_consistent();
    die_holding(m);
    let locked = audit(
        "sem::mutex::RobustMutex::lock_timeout",
        &["gettid", "futex"],
        || m.lock_timeout(SHORT),
    )
    .unwrap();
    assert!(locked.owner_died());
    // Unlocked without repair: unusable, which the next lock sees alone.
    drop(locked);
    let dead = audit("sem::mutex::RobustMutex::lock", &["gettid"], || m.lock());
    assert_eq!(dead.err(), Some(Errno::NOTRECOVERABLE));
}
