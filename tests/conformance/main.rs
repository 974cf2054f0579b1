//! Conformance: cases taken from the suites that C programs are held to —
//! LTP (`testcases/kernel/syscalls/*`), the Open POSIX Test Suite
//! (`conformance/interfaces/*`), the kernel's selftests, and glibc's and
//! musl's own tests — played against bareipc.
//!
//! Each test names the case it comes from (`ltp mq_open01`, `opts
//! sem_wait/7-1`, …) in its doc comment, and asserts what that case
//! asserts: the errno a C program gets from the libc call of the same
//! name, the bytes that arrive, the state left behind. Where glibc and
//! musl agree, a case also makes the C call through the `libc`
//! dev-dependency (glibc on `-gnu` targets, musl on `-musl`) and checks
//! that both answers are the same errno, so a case cannot drift from
//! the C library it claims to match. Where they disagree, the doc
//! comment says which one we follow and why.
//!
//! Cases that need a second user run a re-executed child as
//! [`common::OTHER_UID`] (as root only; skipped with a `NOTE:`
//! otherwise). Cases that change a global limit (`kernel.msgmnb`,
//! `fs.mqueue.*`) do it inside a private IPC namespace on a thread of
//! their own, so nothing leaks to the host. A case that cannot run here
//! (qemu-user lacks the call, or the kernel is too old) says so with a
//! `NOTE:` and its reason.

#![allow(dead_code)] // helpers the families use in part

#[path = "../common/mod.rs"]
mod common;

mod eventfd;
mod fifo;
mod file;
mod mq;
mod msg;
mod pipe;
mod sem;
mod shm;
mod signal;
mod socket;

use bareipc::Errno;

/// CI runs these targets under qemu-user.
pub const QEMU: bool = cfg!(any(
    target_arch = "aarch64",
    target_arch = "riscv64",
    target_arch = "arm"
));

/// Says that (part of) a case cannot run here, and why. Under
/// `BAREIPC_CONFORMANCE=required` (CI's native root stage) a skip is a
/// failure, unless `QEMU` is set (the emulator's limits are stated, not
/// failed).
pub fn skip(case: &str, why: &str) {
    if !QEMU && std::env::var_os("BAREIPC_CONFORMANCE").is_some_and(|v| v == "required") {
        panic!("{case}: cannot be skipped under BAREIPC_CONFORMANCE=required: {why}");
    }
    eprintln!("NOTE: {case}: skipped: {why}");
}

/// [`common::child_as_other_user`] for a conformance case: `test` is the
/// full test path (`mq::mq_unlink01_…`). `None` where no second uid is
/// available, after [`skip`] (so a required run fails there).
pub fn as_other_user(test: &str, role: &str) -> Option<std::process::Command> {
    let cmd = common::child_as_other_user(test, role);
    if cmd.is_none() {
        skip(test, "no second uid here (see the NOTE above)");
    }
    cmd
}

/// The errno of a C call that has just failed (returned -1 or
/// `MAP_FAILED`/`SEM_FAILED`), as a bareipc [`Errno`].
pub fn c_errno() -> Errno {
    let raw = std::io::Error::last_os_error()
        .raw_os_error()
        .expect("an OS error");
    Errno::from_raw_os_error(raw)
}

/// Asserts that our call failed with `want`, and that the C call (already
/// made, returning `c_ret`) failed the same way.
#[track_caller]
pub fn same_errno<T: std::fmt::Debug>(
    case: &str,
    ours: bareipc::Result<T>,
    c_ret: i64,
    want: Errno,
) {
    let c = if c_ret == -1 { Some(c_errno()) } else { None };
    assert_eq!(ours.err(), Some(want), "{case}: bareipc");
    assert_eq!(c, Some(want), "{case}: the C library (returned {c_ret})");
}

/// Runs `f` on a new thread inside a private IPC namespace (a fresh set
/// of SysV objects, POSIX queues and limits, gone when the thread ends),
/// or returns `None` after a `NOTE:` where that is not allowed.
pub fn in_private_ipc_namespace<R: Send + 'static>(
    case: &'static str,
    f: impl FnOnce() -> R + Send + 'static,
) -> Option<R> {
    std::thread::spawn(move || {
        // SAFETY: NEWIPC unshares no fd table, the one flag that makes
        // `unshare` unsafe; it affects this new thread only.
        match unsafe { rustix::thread::unshare_unsafe(rustix::thread::UnshareFlags::NEWIPC) } {
            Ok(()) => Some(f()),
            Err(e) => {
                skip(case, &format!("no private IPC namespace ({e})"));
                None
            }
        }
    })
    .join()
    .expect("the namespaced thread panicked")
}

/// Writes a sysctl under `/proc/sys` (`path` like `kernel/msgmnb`): only
/// inside [`in_private_ipc_namespace`], where IPC sysctls are per
/// namespace.
pub fn set_ipc_sysctl(path: &str, value: &str) {
    std::fs::write(format!("/proc/sys/{path}"), value).expect("write the namespace's sysctl");
}

/// A NUL-terminated copy of `s`, for the C calls.
pub fn c_string(s: impl AsRef<[u8]>) -> std::ffi::CString {
    std::ffi::CString::new(s.as_ref()).expect("no NUL")
}
