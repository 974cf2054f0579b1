//! The hostile peer: tests that attack each family as another process
//! would — another uid, or the same uid compromised — and assert that no
//! safe call corrupts memory, faults, touches the wrong file, panics,
//! hangs or is denied service by a name the peer could predict.
//!
//! Each test names the attack it plays. Races are run in bounded loops
//! until the attack would have won, and each such test also asserts that
//! the race was really exercised (a check that cannot fail is not a
//! check). Attacks that need a second uid switch a re-executed child to
//! [`common::OTHER_UID`] (as root only; skipped with a `NOTE:` otherwise).
//! Attacks that need to steer the kernel (reusing a SysV id at once with
//! `kernel.sem_next_id`) run in a private IPC namespace, so nothing leaks
//! to the host and no global limit changes.

#[path = "../common/mod.rs"]
mod common;

mod key;
mod names;
mod pipe;

mod sem;
mod shm;
mod signal;
mod socket;
mod trace;

/// CI runs these targets under qemu-user, which neither traces its guest
/// nor acts on `madvise`.
pub const QEMU: bool = cfg!(any(
    target_arch = "aarch64",
    target_arch = "riscv64",
    target_arch = "arm"
));

/// Reports that (part of) a test cannot run here, and why. Under
/// `BAREIPC_HOSTILE=required` (CI's native stages, which run as root) a
/// skip is a failure: there every attack must really be played.
pub fn skip(test: &str, why: &str) {
    if std::env::var_os("BAREIPC_HOSTILE").is_some_and(|v| v == "required") {
        panic!("{test}: cannot be skipped under BAREIPC_HOSTILE=required: {why}");
    }
    eprintln!("NOTE: {test}: skipped: {why}");
}

/// Moves the calling thread into a private IPC namespace (threads it
/// spawns afterwards share it), or returns `false` after a `NOTE:` where
/// that is not allowed (not root, or a sandbox that forbids it).
pub fn private_ipc_namespace(test: &str) -> bool {
    // SAFETY: NEWIPC unshares no fd table, the one flag that makes
    // `unshare` unsafe.
    match unsafe { rustix::thread::unshare_unsafe(rustix::thread::UnshareFlags::NEWIPC) } {
        Ok(()) => true,
        Err(e) => {
            skip(test, &format!("no private IPC namespace ({e})"));
            false
        }
    }
}
