//! Winning a race on purpose: a tracer that stops a child at the entry of
//! the syscalls it chooses and plays the peer's move there, before the
//! kernel runs the call.
//!
//! A two-step sequence (stat, then act on the same id or path) is only as
//! safe as what happens if the object changes in between. A loop that
//! hopes to land in that window wins rarely and at random; stopping the
//! child at the second step's syscall and changing the object then wins
//! every time. So each two-step test asserts both that the peer's move was
//! made in the window (the attack happened) and that the crate's call
//! survived it.
//!
//! Works natively (x86_64, i686) with `PTRACE_GET_SYSCALL_INFO` (Linux
//! 5.3), which gives the syscall number and arguments on every arch.
//! qemu-user cannot trace its guest, so [`available`] says no there.

use std::os::unix::process::CommandExt;
use std::process::{Command, ExitStatus};

use std::os::unix::process::ExitStatusExt;

/// `struct ptrace_syscall_info` (linux/ptrace.h), the entry variant.
#[repr(C)]
#[derive(Default)]
struct SyscallInfo {
    op: u8,
    _pad: [u8; 3],
    _arch: u32,
    _ip: u64,
    _sp: u64,
    nr: u64,
    args: [u64; 6],
    _ret_data: u32,
    _pad2: u32,
}

const PTRACE_GET_SYSCALL_INFO: libc::c_uint = 0x420e;
const PTRACE_SYSCALL_INFO_ENTRY: u8 = 1;

/// Whether tests can trace a child here: not under qemu-user (which does
/// not emulate ptrace for its guest); prints a `NOTE:` naming `test`
/// otherwise.
pub fn available(test: &str) -> bool {
    if crate::QEMU {
        eprintln!("NOTE: {test}: skipped: qemu-user cannot trace its guest (no ptrace)");
        return false;
    }
    true
}

/// One syscall entry the tracer saw: its number and arguments.
pub struct Entry {
    /// The syscall number (the target's `SYS_*`).
    pub nr: libc::c_long,
    /// Its six argument registers.
    pub args: [u64; 6],
}

/// Runs `cmd` (a re-executed test child) under trace, calling `at_entry`
/// at the entry of every syscall of every thread of the child, before the
/// kernel runs it; returns the child's exit status.
///
/// The child runs in its own process group, which the tracer waits on, so
/// no other test's children are reaped here. Call this from the thread
/// that should be the tracer (it forks the child).
pub fn run(mut cmd: Command, mut at_entry: impl FnMut(&Entry)) -> ExitStatus {
    // SAFETY: between fork and exec the closure makes one ptrace call,
    // which is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            if libc::ptrace(libc::PTRACE_TRACEME, 0, 0, 0) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    cmd.process_group(0);
    // Reaped below with waitpid, which ptrace needs (std's wait would
    // swallow the stops).
    #[allow(clippy::zombie_processes)]
    let child = cmd.spawn().expect("spawn the traced child");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // The exec stop.
    // SAFETY: waitpid writes one int.
    let got = unsafe { libc::waitpid(pid, &mut status, libc::__WALL) };
    assert_eq!(got, pid, "waitpid for the exec stop");
    assert!(libc::WIFSTOPPED(status), "the child did not stop at exec");
    let options = libc::PTRACE_O_TRACESYSGOOD | libc::PTRACE_O_TRACECLONE | libc::PTRACE_O_EXITKILL;
    // SAFETY: plain ptrace requests on our stopped tracee.
    unsafe {
        assert_eq!(libc::ptrace(libc::PTRACE_SETOPTIONS, pid, 0, options), 0);
        assert_eq!(libc::ptrace(libc::PTRACE_SYSCALL, pid, 0, 0), 0);
    }
    loop {
        // SAFETY: waitpid writes one int; the group is the child's.
        let tid = unsafe { libc::waitpid(-pid, &mut status, libc::__WALL) };
        assert!(tid > 0, "waitpid: {}", std::io::Error::last_os_error());
        if libc::WIFEXITED(status) || libc::WIFSIGNALED(status) {
            if tid == pid {
                return ExitStatus::from_raw(status);
            }
            continue;
        }
        let sig = libc::WSTOPSIG(status);
        let mut inject = 0;
        if sig == libc::SIGTRAP | 0x80 {
            let mut info = SyscallInfo::default();
            // SAFETY: the kernel writes at most size_of::<SyscallInfo>()
            // bytes into `info`.
            let n = unsafe {
                libc::ptrace(
                    PTRACE_GET_SYSCALL_INFO as _,
                    tid,
                    std::mem::size_of::<SyscallInfo>(),
                    &mut info,
                )
            };
            assert!(
                n > 0,
                "PTRACE_GET_SYSCALL_INFO: {}",
                std::io::Error::last_os_error()
            );
            if info.op == PTRACE_SYSCALL_INFO_ENTRY {
                at_entry(&Entry {
                    nr: info.nr as libc::c_long,
                    args: info.args,
                });
            }
        } else if sig == libc::SIGTRAP || sig == libc::SIGSTOP {
            // A clone event, or a new thread's first stop: not a signal
            // for the child.
        } else {
            inject = sig;
        }
        // SAFETY: `tid` is a stopped tracee of ours.
        unsafe { libc::ptrace(libc::PTRACE_SYSCALL, tid, 0, inject) };
    }
}

/// The socket calls a test may stop at. On x86 (i686) rustix makes them
/// through `socketcall`, whose first argument says which.
#[derive(Clone, Copy, PartialEq, Eq)]
#[allow(dead_code)] // each test uses some
pub enum Net {
    /// `socket`.
    Socket = 1,
    /// `bind`.
    Bind = 2,
    /// `connect`.
    Connect = 3,
    /// `listen`.
    Listen = 4,
}

impl Entry {
    /// Whether this is socket call `call`, directly or through
    /// `socketcall`.
    pub fn is_net(&self, call: Net) -> bool {
        #[cfg(target_arch = "x86")]
        if self.nr == libc::SYS_socketcall {
            return self.args[0] == call as u64;
        }
        let nr = match call {
            Net::Socket => libc::SYS_socket,
            Net::Bind => libc::SYS_bind,
            Net::Connect => libc::SYS_connect,
            Net::Listen => libc::SYS_listen,
        };
        self.nr == nr
    }
}
