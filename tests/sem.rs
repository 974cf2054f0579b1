//! Semaphores between real processes: SysV sets (P/V, SEM_UNDO after a
//! kill, removal under a waiter, every semctl command and errno), the
//! futex semaphore (unnamed and named, EINTR, EOVERFLOW, no stale
//! waiters), the robust mutex (owner killed), and a stress test of mutual
//! exclusion under all three.
#![cfg(all(feature = "sem", feature = "std"))]

mod common;

use std::os::fd::AsFd;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use bareipc::Errno;
use bareipc::key::Key;
use bareipc::sem::futex::{self, NamedSemaphore, Semaphore};
use bareipc::sem::mutex::{Locked, RobustMutex};
use bareipc::sem::sysv::{self, IpcFlags, MAX_VALUE, Mode, OpFlags, SemOp, SemSet};
use bareipc::shm::memfd::{self, Memfd, MemfdFlags, Seals};
use bareipc::shm::{Mapping, ReadWrite};
use common::{assert_child_ok, child, child_role, say_ready, spawn_until_ready, wait_until_asleep};
use rustix::process::Pid;

/// CI runs these targets under qemu-user.
const QEMU: bool = cfg!(any(
    target_arch = "aarch64",
    target_arch = "riscv64",
    target_arch = "arm"
));

/// The fd number a parent hands a child's memfd on.
const CHILD_MEMFD: i32 = 10;

/// How long a child may wait for anything before the test fails instead
/// of hanging: far above any correct run.
const PATIENCE: Duration = Duration::from_secs(60);

/// A sealed 4096-byte memfd, mapped.
fn shared() -> (Memfd, Mapping<ReadWrite>) {
    let fd = memfd::create(c"bareipc-sem-test", MemfdFlags::empty()).unwrap();
    fd.set_len(4096).unwrap();
    fd.add_seals(Seals::SHRINK | Seals::GROW).unwrap();
    let map = fd.map::<ReadWrite>(4096).unwrap();
    (fd, map)
}

/// Gives `cmd` a duplicate of `fd` at [`CHILD_MEMFD`].
fn give_memfd(cmd: &mut Command, fd: &Memfd) {
    common::give_fd(cmd, fd.as_fd().try_clone_to_owned().unwrap(), CHILD_MEMFD);
}

/// In a child: the memfd the parent gave, mapped.
fn taken_memfd() -> Mapping<ReadWrite> {
    let fd = Memfd::require_seals(common::take_fd(CHILD_MEMFD), Seals::SHRINK).unwrap();
    fd.map::<ReadWrite>(4096).unwrap()
}

/// In a child: a set whose id the parent put in `SEM_ID`.
fn given_set() -> SemSet {
    SemSet::from_id(common::env("SEM_ID").parse().unwrap())
}

/// A named-semaphore name unique to this process and call.
fn sem_name() -> String {
    format!("/{}", common::unique_name("bareipc-test"))
}

/// Creates a named semaphore.
fn create_named(name: &str, value: u32, mode: Mode) -> bareipc::Result<NamedSemaphore> {
    // SAFETY: no process truncates the tests' semaphore files.
    unsafe { NamedSemaphore::create(name, value, mode) }
}

/// Opens a named semaphore.
fn open_named(name: &str) -> bareipc::Result<NamedSemaphore> {
    // SAFETY: no process truncates the tests' semaphore files.
    unsafe { NamedSemaphore::open(name) }
}

/// A guard that unlinks a named semaphore.
fn unlink_on_drop(name: &str) -> common::Guard<impl FnMut()> {
    let name = name.to_owned();
    common::Guard(move || {
        let _ = futex::unlink(&name);
    })
}

/// Blocks until the parent closes our stdin (or dies): how a child that
/// must be killed while holding something waits for it.
fn block_until_killed() -> ! {
    use std::io::Read;
    let _ = std::io::stdin().read(&mut [0]);
    panic!("the parent was supposed to kill this child");
}

/// A child that blocks in [`block_until_killed`]: stdin is a pipe the
/// parent holds.
fn killable(mut cmd: Command) -> (Child, u64) {
    cmd.stdin(Stdio::piped());
    spawn_until_ready(cmd)
}

/// Kills `c` with SIGKILL and reaps it.
fn kill(mut c: Child) {
    c.kill().unwrap();
    let status = c.wait().unwrap();
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(libc::SIGKILL)
    );
}

// ---------------------------------------------------------------------------
// SysV
// ---------------------------------------------------------------------------

#[test]
fn sysv_p_and_v_between_processes() {
    // Semaphore 0: the parent's V lets the child in; semaphore 1: the
    // child's V answers. Ten rounds of ping-pong.
    const ROUNDS: usize = 10;
    if child_role().as_deref() == Some("ponger") {
        let key = Key::from_raw(common::env("SEM_KEY").parse().unwrap());
        let set = SemSet::get(key, 2, IpcFlags::empty(), sysv::DEFAULT_MODE).unwrap();
        for _ in 0..ROUNDS {
            set.op_timeout(&[SemOp::wait(0)], PATIENCE).unwrap();
            set.op(&[SemOp::post(1)]).unwrap();
        }
        return;
    }
    let key = Key::from_raw(common::unique_key());
    let set = SemSet::create(key, 2, sysv::DEFAULT_MODE).unwrap();
    let _guard = set.remove_on_drop().unwrap();
    let st = set.stat().unwrap();
    assert_eq!((st.nsems, st.otime), (2, 0));
    assert_eq!(st.perm.key, key);
    assert_eq!(st.perm.mode.as_raw_mode(), 0o600);
    assert!(st.ctime > 0);
    let mut cmd = child("sysv_p_and_v_between_processes", "ponger");
    cmd.env("SEM_KEY", key.as_raw().to_string());
    let c = cmd.spawn().unwrap();
    for _ in 0..ROUNDS {
        set.op(&[SemOp::post(0)]).unwrap();
        set.op_timeout(&[SemOp::wait(1)], PATIENCE).unwrap();
    }
    let pid = Pid::from_raw(c.id() as i32);
    assert_child_ok(c.wait_with_output().unwrap().status);
    let mut vals = [9u16; 3];
    assert_eq!(set.values(&mut vals).unwrap(), 2);
    assert_eq!(vals, [0, 0, 9], "only the set's two entries written");
    assert_eq!(
        set.last_pid(0).unwrap(),
        pid,
        "the child took the last unit"
    );
    assert_eq!(
        set.last_pid(1).unwrap(),
        Pid::from_raw(std::process::id() as i32)
    );
    assert!(set.stat().unwrap().otime > 0);
}

#[test]
fn sysv_undo_gives_a_killed_holders_unit_back() {
    if child_role().as_deref() == Some("holder") {
        let set = given_set();
        set.op(&[SemOp::wait(0).undo()]).unwrap();
        say_ready();
        block_until_killed();
    }
    let set = SemSet::private(1).unwrap();
    let _guard = set.remove_on_drop().unwrap();
    set.set_value(0, 1).unwrap();
    let mut cmd = child("sysv_undo_gives_a_killed_holders_unit_back", "holder");
    cmd.env("SEM_ID", set.id().to_string());
    let (c, _) = killable(cmd);
    assert_eq!(set.value(0).unwrap(), 0, "the child holds the unit");
    assert_eq!(set.last_pid(0).unwrap(), Pid::from_raw(c.id() as i32));
    kill(c);
    assert_eq!(set.value(0).unwrap(), 1, "SEM_UNDO restored it at exit");
}

#[test]
fn sysv_removal_wakes_a_waiter_with_eidrm() {
    if child_role().as_deref() == Some("waiter") {
        let set = given_set();
        assert_eq!(
            set.op_timeout(&[SemOp::wait(0)], PATIENCE),
            Err(Errno::IDRM)
        );
        return;
    }
    let set = SemSet::private(1).unwrap();
    let mut cmd = child("sysv_removal_wakes_a_waiter_with_eidrm", "waiter");
    cmd.env("SEM_ID", set.id().to_string());
    let c = cmd.spawn().unwrap();
    // The kernel's own count says when the child sleeps in semop.
    while set.waiting_for_increase(0).unwrap() == 0 {
        std::thread::yield_now();
    }
    set.remove().unwrap();
    assert_child_ok(c.wait_with_output().unwrap().status);
    assert_eq!(
        set.value(0).err(),
        Some(Errno::INVAL),
        "the id names nothing"
    );
}

#[test]
fn sysv_batches_are_atomic_and_wait_for_zero() {
    if child_role().as_deref() == Some("zero") {
        given_set()
            .op_timeout(&[SemOp::wait_for_zero(1)], PATIENCE)
            .unwrap();
        return;
    }
    let set = SemSet::private(2).unwrap();
    let _guard = set.remove_on_drop().unwrap();
    let mut vals = [3, 0];
    set.set_values(&vals).unwrap();
    // Semaphore 1 is 0: the batch fails as a whole, semaphore 0 untouched.
    let batch = [SemOp::decrement(0, 2).unwrap(), SemOp::wait(1).nowait()];
    assert_eq!(set.op(&batch), Err(Errno::AGAIN));
    assert_eq!(set.value(0).unwrap(), 3);
    set.op(&[SemOp::increment(1, 4).unwrap()]).unwrap();
    set.op(&batch).unwrap();
    set.values(&mut vals).unwrap();
    assert_eq!(vals, [1, 3]);

    // A waiter for zero on semaphore 1, released by SETVAL.
    let mut cmd = child("sysv_batches_are_atomic_and_wait_for_zero", "zero");
    cmd.env("SEM_ID", set.id().to_string());
    let c = cmd.spawn().unwrap();
    while set.waiting_for_zero(1).unwrap() == 0 {
        std::thread::yield_now();
    }
    assert_eq!(set.waiting_for_increase(1).unwrap(), 0);
    set.set_value(1, 0).unwrap();
    assert_child_ok(c.wait_with_output().unwrap().status);
    assert_eq!(set.waiting_for_zero(1).unwrap(), 0);
}

#[test]
fn sysv_errors() {
    let key = Key::from_raw(common::unique_key());
    // ENOENT, EEXIST.
    assert_eq!(
        SemSet::get(key, 1, IpcFlags::empty(), sysv::DEFAULT_MODE).err(),
        Some(Errno::NOENT)
    );
    let set = SemSet::create(key, 2, sysv::DEFAULT_MODE).unwrap();
    let _guard = set.remove_on_drop().unwrap();
    assert_eq!(
        SemSet::create(key, 2, sysv::DEFAULT_MODE).err(),
        Some(Errno::EXIST)
    );
    assert_eq!(
        SemSet::get(key, 2, IpcFlags::CREATE, sysv::DEFAULT_MODE),
        Ok(set)
    );
    // EINVAL: nsems (0 for a new set, above SEMMSL, above the existing
    // set's size), a bad id, mode bits, an index out of range for semctl.
    let limits = sysv::limits().unwrap();
    assert_eq!(SemSet::private(0).err(), Some(Errno::INVAL));
    assert_eq!(
        SemSet::private(limits.max_per_set as usize + 1).err(),
        Some(Errno::INVAL)
    );
    assert_eq!(
        SemSet::get(key, 3, IpcFlags::empty(), sysv::DEFAULT_MODE).err(),
        Some(Errno::INVAL)
    );
    assert_eq!(
        SemSet::get(key, 0, IpcFlags::empty(), Mode::from_raw_mode(0o1600)).err(),
        Some(Errno::INVAL)
    );
    let bad = SemSet::from_id(-1);
    assert_eq!(bad.value(0).err(), Some(Errno::INVAL));
    assert_eq!(bad.op(&[SemOp::post(0)]), Err(Errno::INVAL));
    assert_eq!(bad.remove(), Err(Errno::INVAL));
    assert_eq!(set.value(2).err(), Some(Errno::INVAL));
    assert_eq!(set.op(&[]), Err(Errno::INVAL));
    // EFBIG: an operation on a semaphore the set does not have.
    assert_eq!(set.op(&[SemOp::post(2)]), Err(Errno::FBIG));
    // E2BIG: more operations than SEMOPM.
    let many = vec![SemOp::post(0); limits.max_ops as usize + 1];
    assert_eq!(set.op(&many), Err(Errno::TOOBIG));
    // ERANGE: a value above SEMVMX, by SETVAL, SETALL or an operation.
    assert_eq!(set.set_value(0, MAX_VALUE + 1), Err(Errno::RANGE));
    let too_big = [0, MAX_VALUE + 1];
    assert_eq!(set.set_values(&too_big), Err(Errno::RANGE));
    set.set_value(0, MAX_VALUE).unwrap();
    assert_eq!(set.op(&[SemOp::post(0)]), Err(Errno::RANGE));
    assert_eq!(set.value(0).unwrap(), MAX_VALUE);
    // EAGAIN: no-wait, and a timeout (EAGAIN too, not ETIMEDOUT).
    assert_eq!(set.op(&[SemOp::wait(1).nowait()]), Err(Errno::AGAIN));
    let t0 = Instant::now();
    assert_eq!(
        set.op_timeout(&[SemOp::wait(1)], Duration::from_millis(20)),
        Err(Errno::AGAIN)
    );
    assert!(t0.elapsed() >= Duration::from_millis(20));
    // Buffers sized from the set: GETALL into too few, SETALL of the
    // wrong length.
    let mut one = [0u16; 1];
    assert_eq!(set.values(&mut one), Err(Errno::RANGE));
    let three = [1u16, 2, 3];
    assert_eq!(set.set_values(&three), Err(Errno::INVAL));
    assert_eq!(set.set_values(&three[..1]), Err(Errno::INVAL));
}

#[test]
fn sysv_owner_and_system_tables() {
    let set = SemSet::private(3).unwrap();
    let _guard = set.remove_on_drop().unwrap();
    let me = set.stat().unwrap().perm;
    set.set_owner(me.uid, me.gid, Mode::from_raw_mode(0o640))
        .unwrap();
    assert_eq!(set.stat().unwrap().perm.mode.as_raw_mode(), 0o640);
    assert_eq!(
        set.set_owner(me.uid, me.gid, Mode::from_raw_mode(0o4640)),
        Err(Errno::INVAL)
    );
    let limits = sysv::limits().unwrap();
    assert_eq!(limits.max_value, u32::from(MAX_VALUE));
    assert!(limits.max_per_set >= 3 && limits.max_ops >= 1 && limits.max_sets >= 1);
    assert!(limits.max_total >= limits.max_per_set);
    let usage = sysv::usage().unwrap();
    assert!(usage.sets >= 1 && usage.semaphores >= 3);
    let found = (0..=usage.max_index)
        .filter_map(|i| sysv::stat_index(i).ok())
        .any(|(s, st)| s == set && st.nsems == 3);
    assert!(found, "SEM_STAT lists our set");
    let found_any = (0..=usage.max_index)
        .filter_map(|i| sysv::stat_index_any(i).ok())
        .any(|(s, _)| s == set);
    if QEMU && !found_any {
        eprintln!("NOTE: SEM_STAT_ANY unchecked: qemu-user 7.2 does not translate it (EINVAL)");
    } else {
        assert!(found_any, "SEM_STAT_ANY lists it too");
    }
    // Mode and flag constants reach the kernel as the C values.
    assert_eq!(OpFlags::UNDO.bits(), 0x1000);
    assert_eq!(OpFlags::NOWAIT.bits(), 0o4000);
}

#[test]
fn another_user_is_refused() {
    if child_role().as_deref() == Some("stranger") {
        let key = Key::from_raw(common::env("SEM_KEY").parse().unwrap());
        // Asking for no permission finds the set; using it needs some.
        let set = SemSet::get(key, 0, IpcFlags::empty(), Mode::empty()).unwrap();
        assert_eq!(
            SemSet::get(key, 0, IpcFlags::empty(), sysv::DEFAULT_MODE).err(),
            Some(Errno::ACCESS)
        );
        assert_eq!(set.op(&[SemOp::post(0)]), Err(Errno::ACCESS));
        assert_eq!(set.value(0).err(), Some(Errno::ACCESS));
        assert_eq!(set.stat().err(), Some(Errno::ACCESS));
        assert_eq!(set.remove(), Err(Errno::PERM));
        let named = open_named(&common::env("SEM_NAME"));
        assert_eq!(named.err(), Some(Errno::ACCESS));
        return;
    }
    let key = Key::from_raw(common::unique_key());
    let set = SemSet::create(key, 1, sysv::DEFAULT_MODE)
        .unwrap()
        .remove_on_drop()
        .unwrap();
    let name = sem_name();
    let _named = create_named(&name, 0, futex::DEFAULT_MODE).unwrap();
    let _unlink = unlink_on_drop(&name);
    let Some(mut cmd) = common::child_as_other_user("another_user_is_refused", "stranger") else {
        return;
    };
    cmd.env("SEM_KEY", key.as_raw().to_string())
        .env("SEM_NAME", &name);
    common::run_child(cmd);
    assert!(set.stat().is_ok(), "the stranger could not remove it");
}

// ---------------------------------------------------------------------------
// Futex semaphore
// ---------------------------------------------------------------------------

#[test]
fn futex_p_and_v_between_processes() {
    const ROUNDS: usize = 10;
    if child_role().as_deref() == Some("ponger") {
        let map = taken_memfd();
        let (ping, pong) = (
            Semaphore::at(&map, 0).unwrap(),
            Semaphore::at(&map, 8).unwrap(),
        );
        for _ in 0..ROUNDS {
            ping.wait_timeout(PATIENCE).unwrap();
            pong.post().unwrap();
        }
        return;
    }
    let (fd, map) = shared();
    let ping = Semaphore::init(&map, 0, 0).unwrap();
    let pong = Semaphore::init(&map, 8, 0).unwrap();
    let mut cmd = child("futex_p_and_v_between_processes", "ponger");
    give_memfd(&mut cmd, &fd);
    let c = cmd.spawn().unwrap();
    for _ in 0..ROUNDS {
        ping.post().unwrap();
        pong.wait_timeout(PATIENCE).unwrap();
    }
    assert_child_ok(c.wait_with_output().unwrap().status);
    assert_eq!((ping.value(), pong.value()), (0, 0));
    assert_eq!((ping.waiters(), pong.waiters()), (0, 0), "no stale waiters");
}

#[test]
fn futex_sleeper_in_another_process_is_woken_by_post() {
    if child_role().as_deref() == Some("sleeper") {
        let map = taken_memfd();
        let sem = Semaphore::at(&map, 0).unwrap();
        say_ready();
        sem.wait().unwrap();
        return;
    }
    let (fd, map) = shared();
    let sem = Semaphore::init(&map, 0, 0).unwrap();
    let mut cmd = child(
        "futex_sleeper_in_another_process_is_woken_by_post",
        "sleeper",
    );
    give_memfd(&mut cmd, &fd);
    let (mut c, tid) = spawn_until_ready(cmd);
    // Asleep in futex(FUTEX_WAIT), counted as a waiter.
    wait_until_asleep(c.id(), tid);
    while sem.waiters() == 0 {
        std::thread::yield_now();
    }
    wait_until_asleep(c.id(), tid);
    sem.post().unwrap();
    assert_child_ok(c.wait().unwrap());
    assert_eq!((sem.value(), sem.waiters()), (0, 0));
}

#[test]
fn futex_wait_interrupted_is_eintr_and_leaves_no_waiter() {
    if child_role().as_deref() == Some("interrupted") {
        // A handler without SA_RESTART (futex waits return EINTR either way).
        common::install_noop_handler(libc::SIGUSR1, false);
        let map = taken_memfd();
        let sem = Semaphore::at(&map, 0).unwrap();
        say_ready();
        assert_eq!(sem.wait(), Err(Errno::INTR));
        assert_eq!(sem.waiters(), 0, "EINTR took the waiter back out");
        assert_eq!(sem.value(), 0, "and no unit");
        return;
    }
    let (fd, map) = shared();
    let sem = Semaphore::init(&map, 0, 0).unwrap();
    let mut cmd = child(
        "futex_wait_interrupted_is_eintr_and_leaves_no_waiter",
        "interrupted",
    );
    give_memfd(&mut cmd, &fd);
    let (mut c, tid) = spawn_until_ready(cmd);
    // Signal only once the child is counted and asleep: a signal that
    // lands before the wait only runs the handler, so keep signalling
    // until the child exits.
    while sem.waiters() == 0 {
        std::thread::yield_now();
    }
    let status = common::interrupt_until_exit(&mut c, tid, libc::SIGUSR1);
    assert_child_ok(status);
    assert_eq!((sem.value(), sem.waiters()), (0, 0));
}

#[test]
fn futex_semaphore_limits_and_errors() {
    let (_fd, map) = shared();
    // EOVERFLOW at the maximum, value unchanged.
    let sem = Semaphore::init(&map, 0, futex::MAX_VALUE).unwrap();
    assert_eq!(sem.post(), Err(Errno::OVERFLOW));
    assert_eq!(sem.value(), futex::MAX_VALUE);
    sem.try_wait().unwrap();
    sem.post().unwrap();
    assert_eq!(
        Semaphore::init(&map, 0, futex::MAX_VALUE + 1).err(),
        Some(Errno::INVAL)
    );
    // EAGAIN without waiting, ETIMEDOUT after the timeout: both leave no
    // waiter and take nothing.
    let sem = Semaphore::init(&map, 16, 2).unwrap();
    sem.try_wait().unwrap();
    sem.wait().unwrap();
    assert_eq!(sem.try_wait(), Err(Errno::AGAIN));
    let t0 = Instant::now();
    assert_eq!(
        sem.wait_timeout(Duration::from_millis(20)),
        Err(Errno::TIMEDOUT)
    );
    assert!(t0.elapsed() >= Duration::from_millis(20));
    assert_eq!(sem.wait_timeout(Duration::ZERO), Err(Errno::TIMEDOUT));
    assert_eq!((sem.value(), sem.waiters()), (0, 0));
    sem.post().unwrap();
    sem.wait_timeout(Duration::ZERO).unwrap();
    // Placement: 4-aligned, inside the mapping.
    assert_eq!(Semaphore::at(&map, 2).err(), Some(Errno::INVAL));
    assert_eq!(Semaphore::at(&map, 4092).err(), Some(Errno::FAULT));
    assert_eq!(
        Semaphore::at(&map, usize::MAX - 3).err(),
        Some(Errno::FAULT)
    );
    Semaphore::at(&map, 4088).unwrap();
}

#[test]
fn futex_timed_wait_is_woken_by_a_post_from_another_thread() {
    let (_fd, map) = shared();
    let sem = Semaphore::init(&map, 0, 0).unwrap();
    std::thread::scope(|s| {
        let waiter = s.spawn(|| sem.wait_timeout(PATIENCE));
        while sem.waiters() == 0 {
            std::thread::yield_now();
        }
        sem.post().unwrap();
        waiter.join().unwrap().unwrap();
    });
    assert_eq!((sem.value(), sem.waiters()), (0, 0));
}

#[test]
fn named_semaphore_between_processes() {
    if child_role().as_deref() == Some("poster") {
        let named = open_named(&common::env("SEM_NAME")).unwrap();
        named.semaphore().post().unwrap();
        return;
    }
    let name = sem_name();
    let named = create_named(&name, 0, futex::DEFAULT_MODE).unwrap();
    let _unlink = unlink_on_drop(&name);
    let path = format!("/dev/shm/bareipc.sem.{}", &name[1..]);
    let md = std::fs::symlink_metadata(&path).unwrap();
    assert!(md.file_type().is_file());
    assert_eq!(std::os::unix::fs::MetadataExt::mode(&md) & 0o777, 0o600);
    assert_eq!(md.len(), 16);
    let mut head = [0u8; 8];
    std::io::Read::read_exact(&mut std::fs::File::open(&path).unwrap(), &mut head).unwrap();
    assert_eq!(&head[..4], b"bsem");
    assert_eq!(
        u32::from_ne_bytes(head[4..].try_into().unwrap()),
        futex::VERSION
    );

    let mut cmd = child("named_semaphore_between_processes", "poster");
    cmd.env("SEM_NAME", &name);
    common::run_child(cmd);
    named.semaphore().wait_timeout(PATIENCE).unwrap();
    assert_eq!(named.semaphore().value(), 0);
    // Unlinked, it keeps working for whoever has it open.
    futex::unlink(&name).unwrap();
    assert_eq!(open_named(&name).err(), Some(Errno::NOENT));
    assert_eq!(futex::unlink(&name), Err(Errno::NOENT));
    named.semaphore().post().unwrap();
    named.semaphore().try_wait().unwrap();
}

#[test]
fn named_semaphore_creation_is_atomic_and_open_checks_the_file() {
    let name = sem_name();
    let _unlink = unlink_on_drop(&name);
    // Eight threads race to create one name: exactly one wins, the others
    // get EEXIST, and every open sees a complete semaphore.
    let tids: Vec<u64> = std::thread::scope(|s| {
        let racers: Vec<_> = (0..8)
            .map(|_| {
                s.spawn(|| {
                    let got = create_named(&name, 5, futex::DEFAULT_MODE);
                    let opened = open_named(&name);
                    if let Ok(sem) = &opened {
                        assert!(sem.semaphore().value() <= 5);
                    }
                    (got.map(drop), opened.map(drop), common::my_tid())
                })
            })
            .collect();
        let results: Vec<_> = racers.into_iter().map(|r| r.join().unwrap()).collect();
        let won = results.iter().filter(|r| r.0.is_ok()).count();
        assert_eq!(won, 1, "{results:?}");
        assert!(
            results
                .iter()
                .all(|r| r.0.is_ok() || r.0 == Err(Errno::EXIST))
        );
        assert!(results.iter().all(|r| r.1.is_ok()), "{results:?}");
        results.iter().map(|r| r.2).collect()
    });
    // No temporary name is left behind by any of them.
    for entry in std::fs::read_dir("/dev/shm").unwrap() {
        let file = entry.unwrap().file_name().into_string().unwrap();
        for tid in &tids {
            assert!(
                !file.starts_with(&format!("bareipc.sem-tmp.{tid}.")),
                "left behind: {file}"
            );
        }
    }

    // Names: validated before any syscall, by glibc's and musl's rule
    // (leading slashes dropped: "noslash" is a name like any other).
    let long = format!("/{}", "x".repeat(256 - "bareipc.sem.".len()));
    for (bad, errno) in [
        ("", Errno::INVAL),
        ("/", Errno::INVAL),
        ("//", Errno::INVAL),
        ("/a/b", Errno::INVAL),
        ("/..", Errno::INVAL),
        (long.as_str(), Errno::NAMETOOLONG),
    ] {
        let got = create_named(bad, 0, futex::DEFAULT_MODE);
        assert_eq!(got.err(), Some(errno), "{bad:?}");
        assert_eq!(open_named(bad).err(), Some(errno));
        assert_eq!(futex::unlink(bad), Err(errno));
    }
    let fresh = sem_name();
    let refused = |value, mode| create_named(&fresh, value, mode).err();
    assert_eq!(
        refused(futex::MAX_VALUE + 1, futex::DEFAULT_MODE),
        Some(Errno::INVAL)
    );
    assert_eq!(refused(0, Mode::from_raw_mode(0o4600)), Some(Errno::INVAL));

    // open refuses files that are not this crate's semaphores.
    let other = sem_name();
    let _unlink_other = unlink_on_drop(&other);
    let path = format!("/dev/shm/bareipc.sem.{}", &other[1..]);
    let open_other = || open_named(&other).err();
    std::fs::write(&path, [0u8; 16]).unwrap();
    assert_eq!(open_other(), Some(Errno::INVAL), "no magic");
    let mut bytes = [0u8; 16];
    bytes[..4].copy_from_slice(b"bsem");
    bytes[4..8].copy_from_slice(&(futex::VERSION + 1).to_ne_bytes());
    std::fs::write(&path, bytes).unwrap();
    assert_eq!(open_other(), Some(Errno::INVAL), "another version");
    bytes[4..8].copy_from_slice(&futex::VERSION.to_ne_bytes());
    std::fs::write(&path, &bytes[..12]).unwrap();
    assert_eq!(open_other(), Some(Errno::INVAL), "too short");
    std::fs::write(&path, bytes).unwrap();
    let sem = open_named(&other).unwrap();
    assert_eq!(sem.semaphore().value(), 0);
    std::fs::remove_file(&path).unwrap();
    std::os::unix::fs::symlink(format!("/dev/shm/bareipc.sem.{}", &name[1..]), &path).unwrap();
    assert_eq!(open_other(), Some(Errno::LOOP), "a symlink");
    std::fs::remove_file(&path).unwrap();
    std::fs::create_dir(&path).unwrap();
    let refused = open_other();
    std::fs::remove_dir(&path).unwrap();
    assert!(
        matches!(refused, Some(Errno::INVAL | Errno::ISDIR)),
        "{refused:?}"
    );
}

// ---------------------------------------------------------------------------
// Robust mutex
// ---------------------------------------------------------------------------

#[test]
fn robust_mutex_owner_killed_next_locker_is_told() {
    if child_role().as_deref() == Some("owner") {
        let map = taken_memfd();
        let m = RobustMutex::at(&map, common::env("MUTEX_AT").parse().unwrap()).unwrap();
        let guard = m.lock().unwrap();
        assert!(!guard.owner_died());
        say_ready();
        block_until_killed();
    }
    let (fd, map) = shared();
    let spawn_owner = |at: usize| {
        let mut cmd = child("robust_mutex_owner_killed_next_locker_is_told", "owner");
        give_memfd(&mut cmd, &fd);
        cmd.env("MUTEX_AT", at.to_string());
        killable(cmd).0
    };

    // 1. Nobody waits when the owner dies: the next lock finds the dead
    //    thread's id in the word (FUTEX_LOCK_PI says ESRCH) and takes over.
    let m = RobustMutex::init(&map, 0).unwrap();
    let owner = spawn_owner(0);
    assert_eq!(
        m.try_lock().err(),
        Some(Errno::BUSY),
        "held by a live child"
    );
    kill(owner);
    let Locked::OwnerDied(guard) = m.lock().unwrap() else {
        panic!("the owner's death was not reported");
    };
    // Unlocked without repair: unusable for good.
    drop(guard);
    assert_eq!(m.lock().err(), Some(Errno::NOTRECOVERABLE));
    assert_eq!(m.try_lock().err(), Some(Errno::NOTRECOVERABLE));

    // 2. A thread is asleep in FUTEX_LOCK_PI when the owner dies: the
    //    kernel hands it the lock as the owner exits.
    let m = RobustMutex::init(&map, 8).unwrap();
    let owner = spawn_owner(8);
    std::thread::scope(|s| {
        let (tid_tx, tid_rx) = std::sync::mpsc::channel();
        let waiter = s.spawn(move || {
            tid_tx.send(common::my_tid()).unwrap();
            let locked = m.lock_timeout(PATIENCE).unwrap();
            let died = locked.owner_died();
            let guard = locked.into_guard();
            guard.mark_consistent();
            guard.unlock().unwrap();
            died
        });
        let tid = tid_rx.recv().unwrap();
        // The kernel sets FUTEX_WAITERS in FUTEX_LOCK_PI before it sleeps.
        let word = map.atomic_u32(8).unwrap();
        while word.load(Ordering::Relaxed) & rustix::thread::futex::WAITERS == 0 {
            std::thread::yield_now();
        }
        wait_until_asleep(std::process::id(), tid);
        kill(owner);
        assert!(waiter.join().unwrap(), "the owner's death was not reported");
    });
    // Repaired: the next owner finds it consistent.
    let locked = m.lock().unwrap();
    assert!(!locked.owner_died());
    locked.into_guard().unlock().unwrap();
}

#[test]
fn robust_mutex_between_threads() {
    let (_fd, map) = shared();
    assert_eq!(RobustMutex::init(&map, 4).err(), Some(Errno::INVAL));
    assert_eq!(RobustMutex::init(&map, 4096).err(), Some(Errno::FAULT));
    let m = RobustMutex::init(&map, 0).unwrap();
    let guard = m.lock().unwrap().into_guard();
    assert_eq!(m.lock().err(), Some(Errno::DEADLK));
    assert_eq!(m.try_lock().err(), Some(Errno::DEADLK));
    std::thread::scope(|s| {
        let (timed_out_tx, timed_out) = std::sync::mpsc::channel();
        let other = s.spawn(move || {
            assert_eq!(m.try_lock().err(), Some(Errno::BUSY));
            // FUTEX_LOCK_PI waits for a CLOCK_REALTIME deadline: measure
            // there (a VM's realtime clock can run fast while slewed).
            let t0 = std::time::SystemTime::now();
            assert_eq!(
                m.lock_timeout(Duration::from_millis(20)).err(),
                Some(Errno::TIMEDOUT)
            );
            assert!(t0.elapsed().unwrap_or_default() >= Duration::from_millis(20));
            timed_out_tx.send(()).unwrap();
            // Then wait for real: the owner's unlock hands it over.
            m.lock().unwrap().into_guard().unlock().unwrap();
        });
        // Unlock once the other thread has timed out and tries again
        // (FUTEX_WAITERS is in the word from then on, so the unlock goes
        // through FUTEX_UNLOCK_PI).
        timed_out.recv().unwrap();
        let word = map.atomic_u32(0).unwrap();
        while word.load(Ordering::Relaxed) & rustix::thread::futex::WAITERS == 0 {
            std::thread::yield_now();
        }
        guard.unlock().unwrap();
        other.join().unwrap();
    });
    let locked = m.try_lock().unwrap();
    assert!(!locked.owner_died());
    assert_eq!(
        map.atomic_u32(0).unwrap().load(Ordering::Relaxed),
        common::my_tid() as u32
    );
    drop(locked);
    assert_eq!(map.atomic_u32(0).unwrap().load(Ordering::Relaxed), 0);
}

// ---------------------------------------------------------------------------
// Stress: mutual exclusion and no lost wakeup, under each kind
// ---------------------------------------------------------------------------

/// Processes in each stress test.
const WORKERS: usize = 4;
/// Iterations per process. Even under qemu-user each kind takes about a
/// second (measured: aarch64 2,000 iterations in 0.1 to 0.2 s), so the
/// count is the same everywhere.
const ITERATIONS: u32 = 10_000;

/// Where the counter lives: after the lock's own bytes.
const COUNTER_AT: usize = 64;
/// How many workers have arrived at the start line.
const ARRIVED_AT: usize = 128;
/// The start gate: a futex semaphore the parent posts once per worker
/// when all have arrived, so that they really run at the same time.
const GATE_AT: usize = 136;

/// One increment that is only correct under mutual exclusion: a load and
/// a separate store, so two processes inside at once lose an update.
fn bump(counter: &AtomicU32) {
    let v = counter.load(Ordering::Relaxed);
    std::hint::spin_loop();
    counter.store(v + 1, Ordering::Relaxed);
}

/// Runs the stress worker `role` in [`WORKERS`] processes sharing `fd`
/// (and a SysV set, for that kind), and checks the counter.
fn stress(role: &str, fd: &Memfd, map: &Mapping<ReadWrite>, set: Option<SemSet>) {
    let gate = Semaphore::init(map, GATE_AT, 0).unwrap();
    let t0 = Instant::now();
    let children: Vec<Child> = (0..WORKERS)
        .map(|_| {
            let mut cmd = child("stress_mutual_exclusion", role);
            give_memfd(&mut cmd, fd);
            if let Some(set) = set {
                cmd.env("SEM_ID", set.id().to_string());
            }
            cmd.spawn().unwrap()
        })
        .collect();
    let arrived = map.atomic_u32(ARRIVED_AT).unwrap();
    while (arrived.load(Ordering::Acquire) as usize) < WORKERS {
        std::thread::yield_now();
    }
    for _ in 0..WORKERS {
        gate.post().unwrap();
    }
    for c in children {
        assert_child_ok(c.wait_with_output().unwrap().status);
    }
    let count = map.atomic_u32(COUNTER_AT).unwrap().load(Ordering::Relaxed);
    assert_eq!(count, WORKERS as u32 * ITERATIONS, "{role}: lost updates");
    eprintln!(
        "{role}: {WORKERS} processes x {ITERATIONS} iterations in {:?}",
        t0.elapsed()
    );
}

#[test]
fn stress_mutual_exclusion() {
    if let Some(role) = child_role() {
        let map = taken_memfd();
        let counter = map.atomic_u32(COUNTER_AT).unwrap();
        map.atomic_u32(ARRIVED_AT)
            .unwrap()
            .fetch_add(1, Ordering::Release);
        Semaphore::at(&map, GATE_AT)
            .unwrap()
            .wait_timeout(PATIENCE)
            .unwrap();
        match role.as_str() {
            "sysv" => {
                let set = given_set();
                for _ in 0..ITERATIONS {
                    set.op_timeout(&[SemOp::wait(0).undo()], PATIENCE).unwrap();
                    bump(counter);
                    set.op(&[SemOp::post(0).undo()]).unwrap();
                }
            }
            "futex" => {
                let sem = Semaphore::at(&map, 0).unwrap();
                for _ in 0..ITERATIONS {
                    sem.wait_timeout(PATIENCE).unwrap();
                    bump(counter);
                    sem.post().unwrap();
                }
            }
            "mutex" => {
                let m = RobustMutex::at(&map, 0).unwrap();
                for _ in 0..ITERATIONS {
                    let guard = m.lock_timeout(PATIENCE).unwrap();
                    assert!(!guard.owner_died());
                    bump(counter);
                    drop(guard);
                }
            }
            other => panic!("unknown role {other}"),
        }
        return;
    }
    let set = SemSet::private(1).unwrap();
    let _guard = set.remove_on_drop().unwrap();
    set.set_value(0, 1).unwrap();
    let (fd, map) = shared();
    stress("sysv", &fd, &map, Some(set));
    assert_eq!(set.value(0).unwrap(), 1);

    let (fd, map) = shared();
    let sem = Semaphore::init(&map, 0, 1).unwrap();
    stress("futex", &fd, &map, None);
    assert_eq!((sem.value(), sem.waiters()), (1, 0), "no stale waiters");

    let (fd, map) = shared();
    RobustMutex::init(&map, 0).unwrap();
    stress("mutex", &fd, &map, None);
    assert_eq!(
        map.atomic_u32(0).unwrap().load(Ordering::Relaxed),
        0,
        "unlocked"
    );
}

#[test]
fn no_fd_leaks_across_the_api() {
    if child_role().as_deref() == Some("leakcheck") {
        let before = common::open_fds();
        let name = sem_name();
        for _ in 0..8 {
            let created = create_named(&name, 1, futex::DEFAULT_MODE).unwrap();
            assert_eq!(
                create_named(&name, 1, futex::DEFAULT_MODE).err(),
                Some(Errno::EXIST)
            );
            let opened = open_named(&name).unwrap();
            opened.semaphore().wait().unwrap();
            created.semaphore().post().unwrap();
            futex::unlink(&name).unwrap();
        }
        common::assert_no_fd_leak(&before);
        return;
    }
    common::run_child(child("no_fd_leaks_across_the_api", "leakcheck"));
}
