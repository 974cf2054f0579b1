//! The harness's own system calls (fork, pinning, kill, wait), and the
//! checked libc calls the baseline arm is written with.
//!
//! Every libc call sits in one small function here, so each `unsafe` has
//! its reason next to it and the technique files read like the C they
//! mirror.

use std::ffi::CStr;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};

pub use libc::{c_int, pid_t};

/// Set in the forked echo child: a failure there must not leave the
/// parent waiting for ever.
static IN_CHILD: AtomicBool = AtomicBool::new(false);

/// Reports a failure and ends the run: in the child, SIGTERM to the parent
/// first (it may be blocked waiting for us), then `_exit`.
#[cold]
#[inline(never)]
pub fn die(what: &str, err: impl std::fmt::Debug) -> ! {
    let who = if IN_CHILD.load(Ordering::Relaxed) {
        "child"
    } else {
        "parent"
    };
    eprintln!("bench: {who}: {what}: {err:?}");
    if IN_CHILD.load(Ordering::Relaxed) {
        // SAFETY: kill and _exit take plain integers.
        unsafe {
            libc::kill(libc::getppid(), libc::SIGTERM);
            libc::_exit(101)
        }
    }
    std::process::exit(1)
}

/// The value of a bareipc call, or the end of the run.
#[inline(always)]
pub fn ok<T, E: std::fmt::Debug>(r: Result<T, E>, what: &str) -> T {
    match r {
        Ok(v) => v,
        Err(e) => die(what, e),
    }
}

/// A libc return value that is not -1, or the end of the run.
#[inline(always)]
pub fn lc<T: PartialEq + From<i8>>(r: T, what: &str) -> T {
    if r == T::from(-1) {
        die(what, io::Error::last_os_error());
    }
    r
}

/// `fork()`; the child is marked so that [`die`] ends the parent too.
pub fn fork() -> pid_t {
    // SAFETY: the bench is single-threaded, so the child may run any code.
    let pid = lc(unsafe { libc::fork() }, "fork");
    if pid == 0 {
        IN_CHILD.store(true, Ordering::Relaxed);
    }
    pid
}

/// `sched_setaffinity(0, {cpus})`; `None` allows every CPU.
pub fn pin(cpu: Option<usize>) {
    // SAFETY: cpu_set_t is plain bits; CPU_SET stays inside it.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        match cpu {
            Some(c) => libc::CPU_SET(c, &mut set),
            None => {
                for c in 0..online_cpus() {
                    libc::CPU_SET(c, &mut set);
                }
            }
        }
        lc(
            libc::sched_setaffinity(0, size_of::<libc::cpu_set_t>(), &set),
            "sched_setaffinity",
        );
    }
}

/// How many CPUs are online.
pub fn online_cpus() -> usize {
    // SAFETY: sysconf takes an integer.
    let n = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) };
    n.max(1) as usize
}

/// Ends the echo child: `kill(pid, SIGKILL)` and `waitpid`.
pub fn reap(pid: pid_t) {
    // SAFETY: kill and waitpid take integers and a writable int.
    unsafe {
        libc::kill(pid, libc::SIGKILL);
        let mut status = 0;
        libc::waitpid(pid, &mut status, 0);
    }
}

/// `getpid()`.
pub fn getpid() -> pid_t {
    // SAFETY: no arguments.
    unsafe { libc::getpid() }
}

/// `getppid()`.
pub fn getppid() -> pid_t {
    // SAFETY: no arguments.
    unsafe { libc::getppid() }
}

// ---------------------------------------------------------------- libc arm

/// `write(fd, buf, len)`, checked.
#[inline(always)]
pub fn write(fd: c_int, buf: &[u8]) -> usize {
    // SAFETY: `buf` is readable for its length.
    lc(
        unsafe { libc::write(fd, buf.as_ptr().cast(), buf.len()) },
        "write",
    ) as usize
}

/// `read(fd, buf, len)`, checked.
#[inline(always)]
pub fn read(fd: c_int, buf: &mut [u8]) -> usize {
    // SAFETY: `buf` is writable for its length.
    lc(
        unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) },
        "read",
    ) as usize
}

/// `send(fd, buf, len, 0)`, checked.
#[inline(always)]
pub fn send(fd: c_int, buf: &[u8]) -> usize {
    // SAFETY: `buf` is readable for its length.
    lc(
        unsafe { libc::send(fd, buf.as_ptr().cast(), buf.len(), 0) },
        "send",
    ) as usize
}

/// `recv(fd, buf, len, 0)`, checked.
#[inline(always)]
pub fn recv(fd: c_int, buf: &mut [u8]) -> usize {
    // SAFETY: `buf` is writable for its length.
    lc(
        unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), 0) },
        "recv",
    ) as usize
}

/// `close(fd)`.
pub fn close(fd: c_int) {
    // SAFETY: the caller owns `fd` and never uses it again.
    unsafe { libc::close(fd) };
}

/// `pipe2(fds, O_CLOEXEC)`: (read, write).
pub fn pipe() -> (c_int, c_int) {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for two ints.
    lc(
        unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) },
        "pipe2",
    );
    (fds[0], fds[1])
}

/// `socketpair(AF_UNIX, ty | SOCK_CLOEXEC, 0, fds)`.
pub fn socketpair(ty: c_int) -> (c_int, c_int) {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for two ints.
    lc(
        unsafe { libc::socketpair(libc::AF_UNIX, ty | libc::SOCK_CLOEXEC, 0, fds.as_mut_ptr()) },
        "socketpair",
    );
    (fds[0], fds[1])
}

/// `eventfd(0, EFD_CLOEXEC)`.
pub fn eventfd() -> c_int {
    // SAFETY: integers only.
    lc(unsafe { libc::eventfd(0, libc::EFD_CLOEXEC) }, "eventfd")
}

/// `mkfifo(path, 0600)`.
pub fn mkfifo(path: &CStr) {
    // SAFETY: `path` is NUL-terminated.
    lc(unsafe { libc::mkfifo(path.as_ptr(), 0o600) }, "mkfifo");
}

/// `open(path, flags | O_CLOEXEC)`.
pub fn open(path: &CStr, flags: c_int) -> c_int {
    // SAFETY: `path` is NUL-terminated.
    lc(
        unsafe { libc::open(path.as_ptr(), flags | libc::O_CLOEXEC) },
        "open",
    )
}

/// A private SysV segment of `len` bytes, attached and already marked for
/// removal (it goes with the last detach, the child's included).
pub fn shm_private(len: usize) -> *mut u8 {
    // SAFETY: integers in; shmat's result is checked before use; IPC_RMID
    // with a null buffer.
    unsafe {
        let id = lc(
            libc::shmget(libc::IPC_PRIVATE, len, libc::IPC_CREAT | 0o600),
            "shmget",
        );
        let p = libc::shmat(id, std::ptr::null(), 0);
        if p as isize == -1 {
            die("shmat", io::Error::last_os_error());
        }
        lc(
            libc::shmctl(id, libc::IPC_RMID, std::ptr::null_mut()),
            "shmctl",
        );
        p.cast()
    }
}

/// Detaches what [`shm_private`] attached.
pub fn shm_detach(p: *mut u8) {
    // SAFETY: `p` came from shmat and is not used again.
    unsafe { libc::shmdt(p.cast()) };
}

/// The sigset with `sigs` in it.
pub fn sigset(sigs: &[c_int]) -> libc::sigset_t {
    // SAFETY: sigemptyset/sigaddset write inside the set.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for &s in sigs {
            libc::sigaddset(&mut set, s);
        }
        set
    }
}

/// `sigprocmask(how, set, NULL)`.
#[inline(always)]
pub fn sigprocmask(how: c_int, set: &libc::sigset_t) {
    // SAFETY: `set` is a valid sigset; no old set is asked for.
    lc(
        unsafe { libc::sigprocmask(how, set, std::ptr::null_mut()) },
        "sigprocmask",
    );
}

/// `sigprocmask(how, set, &old)`: the old mask, as bareipc's `block`
/// and `unblock` return it.
#[inline(always)]
pub fn sigprocmask_old(how: c_int, set: &libc::sigset_t) -> libc::sigset_t {
    // SAFETY: `set` is a valid sigset, `old` a writable one.
    unsafe {
        let mut old: libc::sigset_t = std::mem::zeroed();
        lc(libc::sigprocmask(how, set, &mut old), "sigprocmask");
        old
    }
}

/// The calling process's uname release and the CPU model, for headers.
pub fn machine() -> (String, String, String) {
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|_| "?".into());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "?".into());
    let cmdline = std::fs::read_to_string("/proc/cmdline")
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|_| "?".into());
    (kernel, cpu, cmdline)
}

/// Now, in UTC, as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0) as i64;
    let (days, rem) = (secs.div_euclid(86400), secs.rem_euclid(86400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}
