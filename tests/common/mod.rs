//! The test helper every family's integration tests share: unique names
//! and keys, cleanup guards, a child-process runner that re-executes the
//! test binary, and an fd-leak check.
//!
//! Child processes: a test that needs a second process calls
//! [`child`]`(test_name, role)`, which re-executes this test binary running
//! only `test_name`, with `BAREIPC_TEST_ROLE=role` in the environment. The
//! same test function starts with `if let Some(role) = child_role() { ... }`
//! and runs the child's side instead. The child runs only that one test
//! (`--test-threads=1`), so nothing else in it opens fds or changes
//! process-global state; libtest still runs the test on a thread of its
//! own, so a thread-directed signal must target that thread (its tid), not
//! the process's main thread.
#![allow(dead_code)] // each test binary uses part of the helper

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

/// The environment variable naming a child's role.
pub const ROLE_VAR: &str = "BAREIPC_TEST_ROLE";

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The role this process was started with, if it is a child.
pub fn child_role() -> Option<String> {
    std::env::var(ROLE_VAR).ok()
}

/// A name unique to this process and call: `prefix-pid-n`.
pub fn unique_name(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{prefix}-{}-{n}", std::process::id())
}

/// Each single bit of a 32-bit flag word that `allowed` does not have,
/// lowest first: what a whitelist test passes one by one.
pub fn bits_outside(allowed: u32) -> impl Iterator<Item = u32> {
    (0..32).map(|i| 1u32 << i).filter(move |b| b & allowed == 0)
}

/// A SysV key unique to this process and call (never `IPC_PRIVATE`).
pub fn unique_key() -> i32 {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    // 0x4b (K) in the top byte marks our keys; pid and counter below.
    let k = 0x4b00_0000u32 | ((std::process::id() & 0xffff) << 8) | (n & 0xff);
    k as i32
}

/// Runs a closure when dropped: cleanup that happens even if the test
/// panics.
pub struct Guard<F: FnMut()>(pub F);

impl<F: FnMut()> Drop for Guard<F> {
    fn drop(&mut self) {
        (self.0)();
    }
}

/// A private directory (mode 0o700) removed with its contents on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    /// Creates a fresh directory under the system temp dir.
    pub fn new(prefix: &str) -> TempDir {
        let path = std::env::temp_dir().join(unique_name(prefix));
        std::fs::create_dir(&path).expect("create temp dir");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700))
            .expect("chmod temp dir");
        TempDir(path)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// A path inside the directory.
    pub fn join(&self, name: impl AsRef<Path>) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A command that re-executes this test binary to run only `test` as
/// `role`. Add env vars or stdio before spawning it.
pub fn child(test: &str, role: &str) -> Command {
    let exe = std::env::current_exe().expect("current_exe");
    let mut cmd = Command::new(exe);
    cmd.args([test, "--exact", "--nocapture", "--test-threads=1", "-q"])
        .env(ROLE_VAR, role)
        .stdin(Stdio::null())
        // libtest's chatter would mix with the parent's; a failing child's
        // panic message goes to stderr, which stays.
        .stdout(Stdio::null());
    cmd
}

/// The uid and gid of the throwaway second user that permission tests run
/// children as. No passwd entry is needed: a root parent's child switches
/// to these ids itself (setgroups, setgid, setuid) before exec, so nothing
/// is created and nothing is left to remove.
pub const OTHER_UID: u32 = 54_321;
/// See [`OTHER_UID`].
pub const OTHER_GID: u32 = 54_321;

/// `child(test, role)` running as [`OTHER_UID`]/[`OTHER_GID`], or `None`
/// (after printing a NOTE that says why the test is skipped) where that
/// cannot work: when we are not root, when the uid is not mapped in this
/// user namespace (CI's qemu stages run in one), or when the test binary
/// is not readable and executable by others.
pub fn child_as_other_user(test: &str, role: &str) -> Option<Command> {
    let skip = |why: &str| {
        eprintln!("NOTE: {test}: the second-uid check is skipped: {why}");
        None
    };
    if rustix::process::getuid().as_raw() != 0 {
        return skip("not running as root, so there is no second uid to switch to");
    }
    let mapped = std::fs::read_to_string("/proc/self/uid_map")
        .unwrap_or_default()
        .lines()
        .any(|l| {
            let v: Vec<u64> = l
                .split_whitespace()
                .filter_map(|w| w.parse().ok())
                .collect();
            v.len() == 3 && (v[0]..v[0] + v[2]).contains(&u64::from(OTHER_UID))
        });
    if !mapped {
        return skip("the uid is not mapped in this user namespace");
    }
    let exe = std::env::current_exe().expect("current_exe");
    let mode = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.permissions().mode());
    if mode(&exe) & 0o005 != 0o005 || exe.ancestors().skip(1).any(|d| mode(d) & 0o001 == 0) {
        return skip("the test binary is not readable and executable by other users");
    }
    let mut cmd = child(test, role);
    // std drops supplementary groups (setgroups(0)) when a root parent
    // sets the uid.
    cmd.uid(OTHER_UID).gid(OTHER_GID);
    Some(cmd)
}

/// Runs a child to completion and asserts it exited 0.
pub fn run_child(mut cmd: Command) {
    let status = cmd.status().expect("spawn child");
    assert_child_ok(status);
}

/// Asserts that a child exited with status 0, naming what it did instead.
pub fn assert_child_ok(status: ExitStatus) {
    assert!(status.success(), "child failed: {status}");
}

/// The set of fds open in this process now.
pub fn open_fds() -> BTreeSet<i32> {
    let dir = std::fs::read_dir("/proc/self/fd").expect("read /proc/self/fd");
    let all: BTreeSet<i32> = dir
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    // The read_dir handle itself was open while listing; drop any fd that
    // is no longer open now.
    all.into_iter()
        .filter(|fd| Path::new("/proc/self/fd").join(fd.to_string()).exists())
        .collect()
}

/// Asserts that the fds open now are exactly `before`. Only meaningful in
/// a single-threaded process (a child), where nothing else opens fds.
pub fn assert_no_fd_leak(before: &BTreeSet<i32>) {
    let now = open_fds();
    assert_eq!(&now, before, "fds open before vs now");
}

/// The lowest fd number not open now.
pub fn lowest_free_fd() -> i32 {
    let open = open_fds();
    (0..).find(|fd| !open.contains(fd)).expect("a free fd")
}

/// The argument value of an env var set by the parent for a child.
pub fn env(name: impl AsRef<OsStr>) -> String {
    std::env::var(name.as_ref()).unwrap_or_else(|_| panic!("{:?} not set", name.as_ref()))
}

/// Fd numbers [`give_fd`] may place fds at in a child: 10 up to here.
pub const GIVEN_FD_END: RawFd = 100;

/// Hands `fd` to the child as fd number `target` (inheritable there; our
/// copy stays close-on-exec and is closed when `cmd` is dropped). Targets
/// lie in `10..GIVEN_FD_END`. The child takes it back with [`take_fd`].
///
/// Several fds may be given to one child: each source is first moved to
/// a number at or above [`GIVEN_FD_END`], so that no `dup2` onto one
/// target can overwrite the source of a later one (an fd the parent got
/// as 10 would otherwise be clobbered by the first `dup2(_, 10)`).
///
/// Not stdout: libtest prints its own lines there even with `-q`.
pub fn give_fd(cmd: &mut Command, fd: OwnedFd, target: RawFd) {
    assert!(
        (10..GIVEN_FD_END).contains(&target),
        "target {target} out of range"
    );
    let fd = rustix::io::fcntl_dupfd_cloexec(&fd, GIVEN_FD_END).expect("an fd above the targets");
    // SAFETY: between fork and exec the closure only calls dup2, which is
    // async-signal-safe, on an fd this closure owns.
    unsafe {
        cmd.pre_exec(move || {
            if libc::dup2(fd.as_raw_fd(), target) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// In a child: adopts fd number `n`, given with [`give_fd`], as an owned
/// (close-on-exec) fd.
pub fn take_fd(n: RawFd) -> OwnedFd {
    // SAFETY: the parent put an open fd at `n` before exec; we only borrow
    // it long enough to duplicate it.
    let fd = unsafe { BorrowedFd::borrow_raw(n) };
    let owned = fd.try_clone_to_owned().expect("the parent gave this fd");
    // SAFETY: `n` was inherited and nothing else in this process owns it.
    unsafe { libc::close(n) };
    owned
}

/// `fd` as a `BorrowedFd`, for helper signatures.
pub fn borrow(fd: &impl AsFd) -> BorrowedFd<'_> {
    fd.as_fd()
}

/// The fd number of the pipe's write end on which a child started with
/// [`spawn_until_ready`] says it is ready. A pipe, not an object the
/// parent also holds: if the child dies first, the parent's read sees
/// end-of-file instead of waiting for ever.
pub const READY_FD: RawFd = 11;

/// Spawns `cmd` with a readiness pipe at [`READY_FD`] and waits until the
/// child has called [`say_ready`]: returns the child and the id of the
/// thread that said it (the one to watch with [`wait_until_asleep`]).
/// Panics if the child exits without saying it.
pub fn spawn_until_ready(mut cmd: Command) -> (Child, u64) {
    use std::io::Read;
    let (mut ready, theirs) = std::io::pipe().unwrap();
    give_fd(&mut cmd, theirs.into(), READY_FD);
    let c = cmd.spawn().unwrap();
    // Our copies of the child's fds close here, so a child that dies
    // before it is ready gives us end-of-file below.
    drop(cmd);
    let mut tid = [0; 8];
    ready
        .read_exact(&mut tid)
        .expect("the child died before it said it was ready");
    (c, u64::from_ne_bytes(tid))
}

/// In a child started with [`spawn_until_ready`]: writes this thread's id
/// to the readiness pipe and closes it.
pub fn say_ready() {
    use std::io::Write;
    let mut ready = std::fs::File::from(take_fd(READY_FD));
    ready.write_all(&my_tid().to_ne_bytes()).unwrap();
}

/// This thread's id, which a parent needs because libtest runs the test
/// on a thread of its own, not on the main thread.
pub fn my_tid() -> u64 {
    // SAFETY: gettid takes no arguments and cannot fail.
    unsafe { libc::syscall(libc::SYS_gettid) as u64 }
}

/// Waits, without sleeping, until thread `tid` of process `pid` is asleep
/// in a syscall whose first argument is `first` (the fd of a blocking
/// `read`, the id of a blocking `msgrcv`), or gone. Stricter than [`wait_until_asleep`]: under qemu-user a
/// guest thread also sleeps inside the emulator (its own locks), so "asleep"
/// alone does not mean "in the call the test is about". Reads
/// `/proc/<pid>/task/<tid>/syscall`, which shows the host's syscall: under
/// qemu the guest's fds and SysV ids are passed through unchanged, so the
/// check holds there too.
pub fn wait_until_blocked_on(pid: u32, tid: u64, first: i32) {
    let path = format!("/proc/{pid}/task/{tid}/syscall");
    let want = format!("{first:#x}");
    loop {
        let Ok(line) = std::fs::read_to_string(&path) else {
            return; // the thread has exited
        };
        if line.split_whitespace().nth(1) == Some(want.as_str()) {
            wait_until_asleep(pid, tid);
            // Still in that call once asleep? Then it blocks there.
            let again = std::fs::read_to_string(&path).unwrap_or_default();
            if again.split_whitespace().nth(1) == Some(want.as_str()) {
                return;
            }
        }
        std::thread::yield_now();
    }
}

/// Waits, without sleeping, until thread `tid` of process `pid` is asleep
/// in the kernel (state `S`) or gone, so that what the caller does next
/// happens while that thread waits in a syscall.
pub fn wait_until_asleep(pid: u32, tid: u64) {
    let path = format!("/proc/{pid}/task/{tid}/stat");
    loop {
        let Ok(stat) = std::fs::read_to_string(&path) else {
            return; // the thread has exited
        };
        // The state follows the command name, which is in parentheses.
        let state = stat[stat.rfind(')').unwrap() + 2..].chars().next().unwrap();
        if matches!(state, 'S' | 'Z' | 'X') {
            return;
        }
        std::thread::yield_now();
    }
}

extern "C" fn noop_handler(_: libc::c_int) {}

/// In a child: installs a handler for `signal` that does nothing, with or
/// without `SA_RESTART`, so that the signal interrupts a blocked call
/// instead of killing the process.
pub fn install_noop_handler(signal: libc::c_int, restart: bool) {
    // SAFETY: a zeroed sigaction is valid; the handler does nothing, so it
    // is async-signal-safe.
    unsafe {
        let mut act: libc::sigaction = std::mem::zeroed();
        act.sa_sigaction = noop_handler as extern "C" fn(libc::c_int) as libc::sighandler_t;
        if restart {
            act.sa_flags = libc::SA_RESTART;
        }
        assert_eq!(libc::sigaction(signal, &act, std::ptr::null_mut()), 0);
    }
}

/// Sends `signal` to thread `tid` of child `c` each time that thread is
/// asleep in the kernel, until the child exits; returns its status.
///
/// A signal that lands before the child enters its blocking call only runs
/// the handler, hence the loop. Directed at the thread (tgkill): a signal
/// to the process could go to another of its threads.
pub fn interrupt_until_exit(c: &mut Child, tid: u64, signal: libc::c_int) -> ExitStatus {
    loop {
        wait_until_asleep(c.id(), tid);
        // SAFETY: tgkill only sends a signal; a stale tid fails with ESRCH.
        unsafe {
            libc::syscall(
                libc::SYS_tgkill,
                c.id() as libc::c_long,
                tid as libc::c_long,
                signal as libc::c_long,
            )
        };
        if let Some(status) = c.try_wait().unwrap() {
            return status;
        }
        std::thread::yield_now();
    }
}
