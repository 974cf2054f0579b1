//! The tour's semaphores: SysV sets, named futex semaphores, the robust mutex.

use super::*;

/// A SysV set of three: 0 and 1 are the two directions of a ping-pong of
/// units, 2 starts at 1 and the child takes it with `SEM_UNDO` and exits
/// holding it: the kernel gives it back.
pub(crate) fn sysv_sem_parent() -> Res<Line> {
    let key = bareipc::key::Key::from_raw(common::unique_key());
    let set = SemSet::create(key, 3, bareipc::key::DEFAULT_MODE)
        .ctx("semget")?
        .remove_on_drop()
        .ctx("IPC_STAT")?;
    set.set_value(2, 1).ctx("semctl(SETVAL)")?;
    let key_arg = key.as_raw().to_string();
    let peer = Peer::spawn("SysV semaphore", &[key_arg.as_ref()], vec![])?;
    check(set.value(2).ctx("semctl(GETVAL)")? == 0, || {
        "the child's unit is not taken".into()
    })?;
    let rtts = timed(|_| {
        set.op(&[SemOp::post(0)]).ctx("semop")?;
        set.op_timeout(&[SemOp::wait(1)], TIMEOUT).ctx("semtimedop")
    })?;
    peer.finish()?;
    let values = [set.value(0), set.value(1), set.value(2)];
    check(values == [Ok(0), Ok(0), Ok(1)], || {
        format!("values after the exchange: {values:?}, want 0, 0 and 1 (undone)")
    })?;
    Ok(Line {
        exchanged: "a unit each way; the exited child's unit undone".into(),
        rtts,
        syscalls: format!(
            "semget, semctl(SETVAL, GETVAL, IPC_RMID) | {}",
            if X86 {
                "semtimedop_time64"
            } else if ARM {
                "semop, semtimedop_time64"
            } else {
                "semop, semtimedop"
            }
        ),
    })
}

pub(crate) fn sysv_sem_child(args: &[String]) -> Res<()> {
    let key = bareipc::key::Key::from_raw(parse(args, 0)?);
    let set =
        SemSet::get(key, 3, IpcFlags::empty(), bareipc::sem::sysv::DEFAULT_MODE).ctx("semget")?;
    set.op(&[SemOp::wait(2).undo()]).ctx("semop(SEM_UNDO)")?;
    ready()?;
    each_round(|_| {
        set.op_timeout(&[SemOp::wait(0)], TIMEOUT)
            .ctx("semtimedop")?;
        set.op(&[SemOp::post(1)]).ctx("semop")
    })
    // Exiting holding unit 2: SEM_UNDO returns it.
}

/// Two named futex semaphores (`sem_open` without libc) the child opens by
/// name. Every wait must get its unit, and both end at 0.
pub(crate) fn named_sem_parent() -> Res<Line> {
    use bareipc::sem::futex as fsem;
    let [a, b] = two_names();
    let there = named_sem(&a, true)?;
    let _unlink_a = common::Guard(|| {
        let _ = fsem::unlink(&a);
    });
    let back = named_sem(&b, true)?;
    let _unlink_b = common::Guard(|| {
        let _ = fsem::unlink(&b);
    });
    let peer = Peer::spawn("named futex sem", &[a.as_ref(), b.as_ref()], vec![])?;
    let (there, back) = (there.semaphore(), back.semaphore());
    let rtts = timed(|_| {
        there.post().ctx("sem_post")?;
        back.wait_timeout(TIMEOUT).ctx("sem_timedwait")
    })?;
    peer.finish()?;
    check(there.value() == 0 && back.value() == 0, || {
        "units left over".into()
    })?;
    Ok(Line {
        exchanged: "a unit each way (P and V), by name".into(),
        rtts,
        syscalls: format!(
            "gettid, openat, {}, {}, linkat, unlinkat, {} | futex(FUTEX_WAKE), futex(FUTEX_WAIT_BITSET)",
            ftruncate(),
            mmap(),
            fstat()
        ),
    })
}

/// Creates (in the parent) or opens (in the child) a named semaphore at 0.
pub(crate) fn named_sem(name: &str, create: bool) -> Res<bareipc::sem::futex::NamedSemaphore> {
    use bareipc::sem::futex::{DEFAULT_MODE, NamedSemaphore};
    // SAFETY: only the tour's parent and child map these files, and
    // neither truncates them.
    let sem = unsafe {
        if create {
            NamedSemaphore::create(name, 0, DEFAULT_MODE)
        } else {
            NamedSemaphore::open(name)
        }
    };
    shm_ctx(sem, "sem_open")
}

pub(crate) fn named_sem_child(args: &[String]) -> Res<()> {
    let there = named_sem(arg(args, 0)?, false)?;
    let back = named_sem(arg(args, 1)?, false)?;
    let (there, back) = (there.semaphore(), back.semaphore());
    ready()?;
    each_round(|_| {
        there.wait_timeout(TIMEOUT).ctx("sem_timedwait")?;
        back.post().ctx("sem_post")
    })
}

/// A robust mutex in a memfd: the child locks it, writes its pid under the
/// lock and is killed holding it. The parent's lock then succeeds with
/// `OwnerDied`, reads the pid, repairs, and locks again cleanly. Timed:
/// from `kill` to holding the lock.
pub(crate) fn robust_mutex_parent() -> Res<Line> {
    use bareipc::sem::mutex::{Locked, RobustMutex};
    use memfd::{MemfdFlags, Seals};
    let fd = memfd::create(c"bareipc-tour", MemfdFlags::empty()).ctx("memfd_create")?;
    fd.set_len(PAGE as u64).ctx("ftruncate")?;
    fd.add_seals(Seals::SHRINK | Seals::GROW)
        .ctx("F_ADD_SEALS")?;
    let map = fd.map::<ReadWrite>(PAGE).ctx("mmap")?;
    let mutex = RobustMutex::init(&map, 0).ctx("mutex init")?;
    let dup = fd.as_fd().try_clone_to_owned().ctx("dup")?;
    // The child waits on this pipe until it is killed (or we are gone).
    let (hold_r, _hold_w) = pipe::pipe().ctx("pipe2")?;
    let mut peer = Peer::spawn("robust mutex", &[], vec![dup, hold_r.into()])?;
    let start = Instant::now();
    peer.kill()?;
    let locked = mutex.lock_timeout(TIMEOUT).ctx("lock")?;
    let rtt = start.elapsed();
    let died = locked.owner_died();
    let guard = locked.into_guard();
    let mut pid = [0u8; 4];
    map.read_at(8, &mut pid).ctx("read_at")?;
    check(died, || "no OwnerDied after the holder was killed".into())?;
    check(u32::from_ne_bytes(pid) == peer.child.id(), || {
        "the dead holder's data is not there".into()
    })?;
    guard.mark_consistent();
    guard.unlock().ctx("unlock")?;
    check(
        matches!(mutex.try_lock().ctx("lock")?, Locked::Consistent(_)),
        || "the repaired mutex is not consistent".into(),
    )?;
    peer.finish_killed()?;
    Ok(Line {
        exchanged: "lock held by a SIGKILLed child -> OwnerDied, pid".into(),
        rtts: vec![rtt],
        syscalls: format!(
            "{}, gettid | kill, gettid, futex(FUTEX_LOCK_PI), futex(FUTEX_UNLOCK_PI)",
            shm_setup("memfd_create", true)
        ),
    })
}

pub(crate) fn robust_mutex_child(_: &[String]) -> Res<()> {
    use bareipc::sem::mutex::RobustMutex;
    use memfd::{Memfd, Seals};
    let fd = Memfd::require_seals(take(0), Seals::SHRINK).ctx("require the seals")?;
    let map = fd.map::<ReadWrite>(PAGE).ctx("mmap")?;
    let mutex = RobustMutex::at(&map, 0).ctx("mutex")?;
    let guard = mutex.lock_timeout(TIMEOUT).ctx("lock")?.into_guard();
    map.write_at(8, &std::process::id().to_ne_bytes())
        .ctx("write_at")?;
    ready()?;
    // Held until we die: the parent kills us now. (If the parent dies
    // instead, its end of the pipe closes and we exit, holding it.)
    std::mem::forget(guard);
    let _ = ReadEnd::from(take(1)).read(&mut [0u8; 1]);
    Ok(())
}
