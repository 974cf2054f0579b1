//! Semaphores against a hostile peer.
#![cfg(all(feature = "sem", feature = "std"))]

use bareipc::Errno;
use bareipc::sem::sysv::SemSet;

use crate::common::{child, child_role, env};
use crate::{private_ipc_namespace, trace};

const GETALL: u64 = 13;
const SETALL: u64 = 17;
const IPC_STAT: u64 = 2;

/// What follows a one-value slice in the victim: GETALL must not
/// overwrite it, SETALL must not read it (a valid semaphore value, which
/// the kernel would take).
const CANARY: u16 = 0x0777;

/// Attack: the peer owns the set we read. Between our `IPC_STAT` (which
/// says 1 semaphore) and our `GETALL` / `SETALL`, it removes the set and
/// gets the *same id* for a set of 64 — a peer with time does this by
/// wrapping the id's sequence number; here `kernel.sem_next_id`, in a
/// private IPC namespace, does it at once, and a tracer makes the swap at
/// the entry of the victim's `GETALL` and `SETALL`, inside the window,
/// every time. Before the fix the kernel wrote 64 values into the 1-value
/// slice (GETALL) and read 63 values of the victim's memory past it into
/// the peer's set (SETALL).
///
/// Asserts: both swaps were made inside the window; the victim's calls
/// fail with `EIDRM` (the set they measured is gone); the memory after
/// the victim's slice is unchanged; the peer's set received nothing.
#[test]
fn getall_and_setall_stay_inside_the_slice_when_the_id_is_reused() {
    let test = "sem::getall_and_setall_stay_inside_the_slice_when_the_id_is_reused";
    if let Some(role) = child_role() {
        assert_eq!(role, "victim");
        let set = SemSet::from_id(env("SEM_ID").parse().unwrap());
        let mut buf = [CANARY; 64];
        let r = set.values(&mut buf[..1]);
        assert!(
            buf[1..].iter().all(|&v| v == CANARY),
            "GETALL wrote past the caller's slice: {:?}",
            &buf[..8]
        );
        assert_eq!(r, Err(Errno::IDRM));
        let vals = [3, CANARY, CANARY, CANARY];
        assert_eq!(set.set_values(&vals[..1]), Err(Errno::IDRM));
        return;
    }
    if !trace::available(test) || !private_ipc_namespace(test) {
        return;
    }
    let next_id = "/proc/sys/kernel/sem_next_id";
    let first = SemSet::private(1).unwrap();
    let id = first.id();
    // Steers the next semget of this namespace to `id`.
    let steer = || std::fs::write(next_id, id.to_string());
    if steer().is_err() {
        crate::skip(test, &format!("{next_id} is not writable here"));
        first.remove().unwrap();
        return;
    }
    // The steer above is used by the first swap; each swap steers the
    // next one.
    let mut current = first;
    let mut big = false;
    let swap_to = |want_big: bool, current: &mut SemSet, big: &mut bool| {
        if *big == want_big {
            return false;
        }
        current.remove().unwrap();
        *current = SemSet::private(if want_big { 64 } else { 1 }).unwrap();
        assert_eq!(current.id(), id, "sem_next_id did not give the id back");
        steer().unwrap();
        *big = want_big;
        true
    };

    let mut cmd = child(test, "victim");
    cmd.env("SEM_ID", id.to_string());
    let mut swaps_in_window = 0;
    let status = trace::run(cmd, |e| {
        if e.nr != linux_raw_sys::general::__NR_semctl as libc::c_long || e.args[0] as i32 != id {
            return;
        }
        match e.args[2] & 0xff {
            // The victim measures a 1-semaphore set...
            IPC_STAT => {
                swap_to(false, &mut current, &mut big);
            }
            // ... and its GETALL / SETALL meet a 64-semaphore one.
            GETALL | SETALL if swap_to(true, &mut current, &mut big) => swaps_in_window += 1,
            _ => {}
        }
    });
    // What did the peer's big set receive?
    let mut vals = [0u16; 64];
    let got = if big {
        current.values(&mut vals)
    } else {
        Ok(0)
    };
    current.remove().unwrap();
    assert!(status.success(), "the victim failed: {status}");
    assert_eq!(
        swaps_in_window, 2,
        "the swaps were not made inside the window"
    );
    assert_eq!(got, Ok(64));
    assert!(
        vals.iter().all(|&v| v == 0),
        "SETALL read the victim's memory into the peer's set: {:?}",
        &vals[..8]
    );
}

/// Attack: a peer that can write the shared mapping keeps the robust
/// mutex's word naming a thread that does not exist, and changes its high
/// half whenever the victim asks the kernel about the owner. Each attempt
/// then finds a "dead owner" (`ESRCH`), and the takeover's
/// compare-and-swap always loses. Before the fix `try_lock` (which must
/// never sleep) and `lock_timeout` (which must keep its deadline) looped
/// for as long as the peer went on.
///
/// A tracer plays the peer at the entry of each of the victim's `futex`
/// calls, so it wins every round. Asserts: `try_lock` answers `EBUSY` and
/// `lock_timeout(50 ms)` `ETIMEDOUT` (a 20 s alarm kills a victim that
/// spins instead), after the peer moved the word at least once per round.
#[test]
fn a_scribbled_mutex_word_cannot_keep_a_bounded_lock_spinning() {
    use std::os::fd::AsFd;
    use std::sync::atomic::Ordering;
    use std::time::Duration;

    use bareipc::sem::mutex::RobustMutex;
    use bareipc::shm::ReadWrite;
    use bareipc::shm::memfd::{self, Memfd, MemfdFlags, Seals};

    let test = "sem::a_scribbled_mutex_word_cannot_keep_a_bounded_lock_spinning";
    if child_role().is_some() {
        // SAFETY: alarm only schedules a signal that ends a hung child.
        unsafe { libc::alarm(20) };
        let fd = Memfd::require_seals(crate::common::take_fd(10), Seals::SHRINK).unwrap();
        let map = fd.map::<ReadWrite>(4096).unwrap();
        let m = RobustMutex::at(&map, 0).unwrap();
        assert_eq!(m.try_lock().err(), Some(Errno::BUSY));
        let r = m.lock_timeout(Duration::from_millis(50));
        assert_eq!(r.err(), Some(Errno::TIMEDOUT));
        return;
    }
    if !trace::available(test) {
        return;
    }
    let fd = memfd::create(c"bareipc-hostile-mutex", MemfdFlags::empty()).unwrap();
    fd.set_len(4096).unwrap();
    fd.add_seals(Seals::SHRINK).unwrap();
    let map = fd.map::<ReadWrite>(4096).unwrap();
    RobustMutex::init(&map, 0).unwrap();
    let word = map.atomic_u64(0).unwrap();
    // An owner tid no thread has, in the futex half of the word.
    let ghost = 0x3fff_fff0u64;
    let futex_low = cfg!(target_endian = "little");
    let with_aux = |aux: u64| {
        if futex_low {
            ghost | (aux << 32)
        } else {
            (ghost << 32) | aux
        }
    };
    word.store(with_aux(0), Ordering::SeqCst);
    let mut cmd = child(test, "victim");
    crate::common::give_fd(&mut cmd, fd.as_fd().try_clone_to_owned().unwrap(), 10);
    #[cfg(target_pointer_width = "64")]
    let futex_nrs = [libc::SYS_futex];
    #[cfg(target_pointer_width = "32")]
    let futex_nrs = [libc::SYS_futex, 422 /* futex_time64 */];
    let mut moves = 0u64;
    let status = trace::run(cmd, |e| {
        // FUTEX_LOCK_PI (6), FUTEX_TRYLOCK_PI (8), FUTEX_LOCK_PI2 (13),
        // whatever the clock and private bits.
        if futex_nrs.contains(&e.nr) && matches!(e.args[1] & 0x7f, 6 | 8 | 13) {
            moves += 1;
            word.store(with_aux(moves << 2), Ordering::SeqCst);
        }
    });
    assert!(
        status.success(),
        "the victim failed (killed by its alarm if it spun): {status}"
    );
    assert!(moves >= 2, "the peer never moved the word ({moves} moves)");
}
