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
        eprintln!("NOTE: {test}: skipped: {next_id} is not writable here");
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
