//! Signals against a hostile peer: records whose every field the sender
//! chose.
#![cfg(all(feature = "signal", feature = "std"))]

use bareipc::Errno;
use bareipc::signal::{self, Code, SigSet, Signal};

use crate::common::{child, child_role, env, my_tid, run_child};

/// `rt_tgsigqueueinfo(pid, tid, sig, {sig, code, pid: si_pid, uid:
/// si_uid})`, raw: what a peer that forges a record sends. siginfo
/// offsets (all targets here): signo 0, code 8, pid 12 on 32-bit and 16 on
/// 64-bit, uid after it.
fn forge(pid: i32, tid: i32, sig: i32, code: i32, si_pid: i32, si_uid: u32) {
    let mut info = [0u8; 128];
    info[0..4].copy_from_slice(&sig.to_ne_bytes());
    info[8..12].copy_from_slice(&code.to_ne_bytes());
    let at = if cfg!(target_pointer_width = "64") {
        16
    } else {
        12
    };
    info[at..at + 4].copy_from_slice(&si_pid.to_ne_bytes());
    info[at + 4..at + 8].copy_from_slice(&si_uid.to_ne_bytes());
    // SAFETY: the kernel reads 128 bytes of `info`.
    let r = unsafe {
        libc::syscall(
            libc::SYS_rt_tgsigqueueinfo,
            pid as libc::c_long,
            tid as libc::c_long,
            sig as libc::c_long,
            info.as_ptr(),
        )
    };
    assert_eq!(
        r,
        0,
        "rt_tgsigqueueinfo: {}",
        std::io::Error::last_os_error()
    );
}

/// Blocks `sig` (any number, reserved ones too) in this thread, with the
/// raw syscall, as a libc could not (glibc hides 32 and 33).
fn block_raw(sig: i32) {
    let set: u64 = 1 << (sig - 1);
    // SAFETY: the kernel reads 8 bytes of `set`.
    let r = unsafe {
        libc::syscall(
            libc::SYS_rt_sigprocmask,
            libc::SIG_BLOCK as libc::c_long,
            &set as *const u64,
            std::ptr::null_mut::<u64>(),
            8 as libc::c_long,
        )
    };
    assert_eq!(r, 0);
}

/// In a victim: starts the forger as a child process, runs `block` (a
/// libc may change the signal mask while it spawns: musl's restores it
/// without 32 to 34), then lets the forger queue its records to this
/// thread (closing its stdin, which it reads to the end first) and waits
/// for it to exit.
fn let_the_forger_send(test: &str, block: impl FnOnce()) {
    let mut cmd = child(test, "forger");
    cmd.env("VICTIM_PID", std::process::id().to_string())
        .env("VICTIM_TID", my_tid().to_string())
        .stdin(std::process::Stdio::piped());
    let mut forger = cmd.spawn().unwrap();
    block();
    drop(forger.stdin.take());
    crate::common::assert_child_ok(forger.wait().unwrap());
}

/// In the forger: waits until the victim closes our stdin.
fn wait_for_the_victim() {
    std::io::Read::read_to_end(&mut std::io::stdin(), &mut Vec::new()).unwrap();
}

/// Attack: a process allowed to signal us (the same uid) queues `SIGUSR1`
/// with `SI_QUEUE` and a sender pid and uid of -1, which
/// `rt_sigqueueinfo` lets it choose. Before the fix, decoding the pid
/// panicked in debug builds (in `sender_pid` and in the record's `Debug`),
/// and in release gave pid -1, which a supervisor answering with
/// `kill(sender)` would turn into "signal every process"; the uid came
/// back as -1, which `setuid` reads as "leave unchanged".
///
/// Asserts: no sender pid or uid, the record formats, and it is not
/// reported as kernel-verified; a claimed pid 1 is reported as the claim
/// it is (unverified).
#[test]
fn a_forged_sender_is_never_a_pid() {
    let test = "signal::a_forged_sender_is_never_a_pid";
    match child_role().as_deref() {
        Some("forger") => {
            let (pid, tid) = (
                env("VICTIM_PID").parse().unwrap(),
                env("VICTIM_TID").parse().unwrap(),
            );
            wait_for_the_victim();
            let usr1 = Signal::USR1.as_raw();
            forge(pid, tid, usr1, Code::QUEUE.as_raw(), -1, u32::MAX);
            forge(pid, tid, usr1, Code::MESGQ.as_raw(), 1, 0);
            return;
        }
        Some("victim") => {
            let usr1 = SigSet::empty().with(Signal::USR1);
            let_the_forger_send(test, || {
                signal::block(&usr1).unwrap();
            });
            let info = signal::try_wait(&usr1).unwrap();
            assert_eq!(info.code(), Code::QUEUE);
            assert_eq!(info.sender_pid(), None, "a negative si_pid became a pid");
            assert_eq!(info.sender_uid(), None, "si_uid -1 became a uid");
            assert!(!info.sender_is_verified());
            let shown = format!("{info:?}");
            assert!(shown.contains("SIGUSR1"), "{shown}");
            // USR1 is not a real-time signal: the second record was
            // merged into the first's pending bit, unless it came later.
            if let Ok(claim) = signal::try_wait(&usr1) {
                assert!(!claim.sender_is_verified());
            }
            return;
        }
        _ => {}
    }
    run_child(child(test, "victim"));
}

/// Attack: a peer queues signal 32 — reserved by glibc (thread
/// cancellation) and musl — to a process that has it blocked (as a
/// process that blocks everything for a signalfd has). Before the fix the
/// crate's safe decoding handed out a `Signal` for it (from the record,
/// and from iterating the pending set), which safe code could then block,
/// handle or send, breaking the libc: only the `unsafe`
/// `Signal::new_reserved` may make one.
///
/// Asserts: the record's `signal()` is `None` (its number is in
/// `signo()`), iterating the pending set skips it, and re-sending the
/// received record is refused (`EINVAL`).
#[test]
fn reserved_signals_never_come_out_of_safe_decoding() {
    let test = "signal::reserved_signals_never_come_out_of_safe_decoding";
    match child_role().as_deref() {
        Some("forger") => {
            let (pid, tid) = (
                env("VICTIM_PID").parse().unwrap(),
                env("VICTIM_TID").parse().unwrap(),
            );
            wait_for_the_victim();
            forge(pid, tid, 32, Code::QUEUE.as_raw(), pid, 0);
            return;
        }
        Some("victim") => {
            let_the_forger_send(test, || block_raw(32));
            let pending = signal::pending().unwrap();
            // SAFETY: the signal is only tested for and waited for here,
            // never handled or sent.
            let reserved = unsafe { Signal::new_reserved(32) }.unwrap();
            assert!(
                pending.contains(reserved),
                "the forged signal is pending: {pending:?}"
            );
            for s in pending.iter() {
                assert!(!(32..=34).contains(&s.as_raw()), "iterated {s:?}");
            }
            let info = signal::try_wait(&SigSet::empty().with(reserved)).unwrap();
            assert_eq!(info.signo(), 32);
            assert_eq!(
                info.signal(),
                None,
                "a reserved signal came out of a record"
            );
            let me = rustix::process::getpid();
            assert_eq!(signal::queue_info(me, &info), Err(Errno::INVAL));
            return;
        }
        _ => {}
    }
    run_child(child(test, "victim"));
}
