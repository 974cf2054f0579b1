//! `cargo run --release --example tour`: every technique of bareipc between
//! two real processes, one line each.
//!
//! The parent runs each technique against a child that is this program
//! again (`current_exe`, with the technique's name as its role). Each line
//! says what was exchanged (bytes, a value, an fd, a signal with its
//! payload), how many round trips were made and their median time, and the
//! syscalls involved: once for the setup, then those of one round trip
//! (both sides), as the functions' `Syscalls:` docs name them for the arch
//! the tour was built for. Every exchange is checked: the reply must be
//! what the child computes from the request, or the line fails.
//!
//! A technique the kernel (or qemu-user) lacks, or that we may not use
//! (`ENOSYS`, `EPERM`, `EACCES`), is shown as unavailable with the reason,
//! and the tour goes on. Any other failure shows `FAILED` and the exit
//! status is 1 at the end.
//!
//! A child that dies never hangs the parent: readiness and failure reports
//! come over a pipe only the child writes (end of file when it dies), every
//! blocking receive either sees end of file when the child is gone or has a
//! timeout, and those that can have neither (reading an eventfd the parent
//! also holds, `msgrcv`) are woken by a watcher thread when the child
//! exits. Every named object has a unique name and is removed by a guard,
//! on failure paths too. The robust mutex line is one exchange, not 500:
//! its child dies in it.

// The test suites' helper: unique names and keys, a self-removing temporary
// directory, and handing fds to a child at fixed numbers.
#[path = "../tests/common/mod.rs"]
mod common;

use std::cell::RefCell;
use std::ffi::OsStr;
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsFd, OwnedFd, RawFd};
use std::os::unix::fs::FileExt;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Command, ExitCode, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use bareipc::Errno;
use bareipc::signal::{self, SigSet, Signal};
use rustix::process::Pid;

/// Round trips per technique; the RTT column is their median.
const ROUNDS: u64 = 500;
/// The longest any blocking receive waits for the other process.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Bytes per message of the message-passing techniques.
const MSG: usize = 64;
/// Bytes each way per round of the shared-memory techniques.
const PAGE: usize = 4096;

/// Every technique: its name (also the child's role), the parent's side
/// and the child's side.
const TOUR: &[Technique] = &[
    t("pipe", pipe_parent, pipe_child),
    t("FIFO", fifo_parent, fifo_child),
    t("unix stream", stream_parent, stream_child),
    t("unix seqpacket", seqpacket_parent, seqpacket_child),
    t("unix datagram", datagram_parent, datagram_child),
    t("eventfd", eventfd_parent, eventfd_child),
    t("POSIX shm", posix_shm_parent, posix_shm_child),
    t("memfd", memfd_parent, memfd_child),
    t("SysV shm", sysv_shm_parent, sysv_shm_child),
    t("POSIX mq", posix_mq_parent, posix_mq_child),
    t("POSIX mq notify", mq_notify_parent, mq_notify_child),
    t("SysV msg", sysv_msg_parent, sysv_msg_child),
    t("SysV semaphore", sysv_sem_parent, sysv_sem_child),
    t("named futex sem", named_sem_parent, named_sem_child),
    t("robust mutex", robust_mutex_parent, robust_mutex_child),
    t("sigqueue+sigwait", sigqueue_parent, sigqueue_child),
    t("sigqueue+signalfd", signalfd_parent, signalfd_child),
    t("kill+handler", handler_parent, handler_child),
    t("pidfd signal", pidfd_parent, pidfd_child),
    t("OFD lock handoff", ofd_parent, ofd_child),
    t("replace+inotify", replace_parent, replace_child),
];

// ===========================================================================
// The runner
// ===========================================================================

struct Technique {
    name: &'static str,
    parent: fn() -> Res<Line>,
    child: fn(&[String]) -> Res<()>,
}

const fn t(
    name: &'static str,
    parent: fn() -> Res<Line>,
    child: fn(&[String]) -> Res<()>,
) -> Technique {
    Technique {
        name,
        parent,
        child,
    }
}

/// What a technique that worked reports.
struct Line {
    exchanged: String,
    rtts: Vec<Duration>,
    syscalls: String,
}

/// Why a technique did not work.
#[derive(Debug)]
enum Fail {
    /// The kernel lacks it, or we may not use it.
    Unavailable(String),
    /// Anything else.
    Failed(String),
}

type Res<T> = Result<T, Fail>;

/// The first argument of a child, followed by its role.
const CHILD_FLAG: &str = "--tour-child";

/// The signals children send the parent; blocked in the parent before any
/// thread starts, so that they wait for `sigtimedwait`.
fn parent_signals() -> SigSet {
    SigSet::empty()
        .with(SIG_WAIT)
        .with(SIG_FD)
        .with(Signal::USR1)
        .with(Signal::USR2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some(CHILD_FLAG) {
        child_main(&args[2], &args[3..]);
    }
    if let Err(e) = signal::block(&parent_signals()) {
        eprintln!("rt_sigprocmask: {e}");
        return ExitCode::FAILURE;
    }
    println!(
        "{:<18} {:<50} {:>6} {:>9}  syscalls: setup | each round trip (both sides)",
        "technique", "exchanged (each checked)", "rounds", "median"
    );
    let (mut worked, mut unavailable, mut failed) = (0, 0, 0);
    for t in TOUR {
        let outcome = (t.parent)().map_err(|e| match CHILD_REPORT.take() {
            // The child's failure came first; ours followed from it.
            Some(Fail::Unavailable(c)) => Fail::Unavailable(format!("{c}; then {e}")),
            Some(Fail::Failed(c)) => Fail::Failed(format!("{c}; then {e}")),
            None => e,
        });
        match outcome {
            Ok(line) => {
                worked += 1;
                println!(
                    "{:<18} {:<50} {:>6} {:>9}  {}",
                    t.name,
                    line.exchanged,
                    line.rtts.len(),
                    show(median(line.rtts)),
                    line.syscalls
                );
            }
            Err(Fail::Unavailable(why)) => {
                unavailable += 1;
                println!("{:<18} unavailable: {why}", t.name);
            }
            Err(Fail::Failed(why)) => {
                failed += 1;
                println!("{:<18} FAILED: {why}", t.name);
            }
        }
    }
    println!("{worked} worked, {unavailable} unavailable, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn show(d: Duration) -> String {
    let ns = d.as_nanos();
    if ns < 10_000 {
        format!("{:.2} µs", ns as f64 / 1e3)
    } else if ns < 1_000_000 {
        format!("{:.1} µs", ns as f64 / 1e3)
    } else {
        format!("{:.2} ms", ns as f64 / 1e6)
    }
}

/// Runs `round(i)` for every round, timing each.
fn timed(mut round: impl FnMut(u64) -> Res<()>) -> Res<Vec<Duration>> {
    let mut rtts = Vec::with_capacity(ROUNDS as usize);
    for i in 0..ROUNDS {
        let start = Instant::now();
        round(i)?;
        rtts.push(start.elapsed());
    }
    Ok(rtts)
}

/// The child's side of [`timed`].
fn each_round(mut round: impl FnMut(u64) -> Res<()>) -> Res<()> {
    (0..ROUNDS).try_for_each(&mut round)
}

// ---------------------------------------------------------------- errors

/// A failure that is not ours to fix. In a child, reported at once.
fn unavailable(why: String) -> Fail {
    reported(Fail::Unavailable(why))
}

/// Any other failure. In a child, reported at once.
fn failed(why: String) -> Fail {
    reported(Fail::Failed(why))
}

fn errno_fail(what: &str, e: Errno) -> Fail {
    let text = format!(
        "{what}: {}",
        std::io::Error::from_raw_os_error(e.raw_os_error())
    );
    if [Errno::NOSYS, Errno::PERM, Errno::ACCESS].contains(&e) {
        unavailable(text)
    } else if [Errno::TIMEDOUT, Errno::AGAIN].contains(&e) {
        // Every blocking receive here has a timeout, and nothing else
        // makes these errors.
        failed(format!("{what}: no answer within {}s", TIMEOUT.as_secs()))
    } else {
        failed(text)
    }
}

/// Names the step that failed, and sorts its errno.
trait Ctx<T> {
    fn ctx(self, what: &str) -> Res<T>;
}

impl<T> Ctx<T> for Result<T, Errno> {
    fn ctx(self, what: &str) -> Res<T> {
        self.map_err(|e| errno_fail(what, e))
    }
}

impl<T> Ctx<T> for std::io::Result<T> {
    fn ctx(self, what: &str) -> Res<T> {
        self.map_err(|e| match e.raw_os_error() {
            Some(n) => errno_fail(what, Errno::from_raw_os_error(n)),
            None => failed(format!("{what}: {e}")),
        })
    }
}

/// Fails with `what()` unless `ok`.
fn check(ok: bool, what: impl FnOnce() -> String) -> Res<()> {
    if ok { Ok(()) } else { Err(failed(what())) }
}

/// An `ENOENT` from opening under `/dev/shm` means there is no `/dev/shm`.
fn shm_ctx<T>(r: Result<T, Errno>, what: &str) -> Res<T> {
    r.map_err(|e| match e {
        Errno::NOENT => unavailable(format!("{what}: no /dev/shm")),
        e => errno_fail(what, e),
    })
}

// ---------------------------------------------------------------- payloads

/// Round `i`'s request: `len` bytes counting up from `i`.
fn request(i: u64, buf: &mut [u8]) {
    for (k, b) in buf.iter_mut().enumerate() {
        *b = (i as u8).wrapping_add(k as u8);
    }
}

/// What the child makes of a request: every byte plus one.
fn bump(buf: &mut [u8]) {
    for b in buf {
        *b = b.wrapping_add(1);
    }
}

/// Checks that `got` is the child's answer to round `i`'s request.
fn check_reply(i: u64, got: &[u8], len: usize) -> Res<()> {
    let want = |k: usize| (i as u8).wrapping_add(k as u8).wrapping_add(1);
    let ok = got.len() == len && got.iter().enumerate().all(|(k, &b)| b == want(k));
    check(ok, || {
        format!("round {i}: the reply is not the request plus one")
    })
}

/// Sends all of `buf` through `send`, which may take part of it.
fn send_all(mut send: impl FnMut(&[u8]) -> Result<usize, Errno>, mut buf: &[u8]) -> Res<()> {
    while !buf.is_empty() {
        let n = send(buf).ctx("write")?;
        buf = &buf[n..];
    }
    Ok(())
}

/// Fills `buf` from `recv`; end of stream means the peer is gone.
fn recv_all(mut recv: impl FnMut(&mut [u8]) -> Result<usize, Errno>, buf: &mut [u8]) -> Res<()> {
    let mut got = 0;
    while got < buf.len() {
        let n = recv(&mut buf[got..]).ctx("read")?;
        check(n > 0, || "end of stream: the other process is gone".into())?;
        got += n;
    }
    Ok(())
}

/// The parent's side of a byte echo: `MSG` bytes out, the bumped bytes
/// back, every round.
fn echo_parent(
    mut send: impl FnMut(&[u8]) -> Result<usize, Errno>,
    mut recv: impl FnMut(&mut [u8]) -> Result<usize, Errno>,
) -> Res<Vec<Duration>> {
    let (mut out, mut back) = ([0u8; MSG], [0u8; MSG]);
    timed(|i| {
        request(i, &mut out);
        send_all(&mut send, &out)?;
        recv_all(&mut recv, &mut back)?;
        check_reply(i, &back, MSG)
    })
}

/// The child's side of [`echo_parent`].
fn echo_child(
    mut recv: impl FnMut(&mut [u8]) -> Result<usize, Errno>,
    mut send: impl FnMut(&[u8]) -> Result<usize, Errno>,
) -> Res<()> {
    let mut buf = [0u8; MSG];
    each_round(|_| {
        recv_all(&mut recv, &mut buf)?;
        bump(&mut buf);
        send_all(&mut send, &buf)
    })
}

fn echoed() -> String {
    format!("{MSG} B there, {MSG} B back (each +1)")
}

// ---------------------------------------------------------------- syscall names

const X86: bool = cfg!(target_arch = "x86");
const ARM: bool = cfg!(target_arch = "arm");
const BITS32: bool = cfg!(target_pointer_width = "32");

/// `name` on 64-bit arches, `name32` on 32-bit ones.
fn per_width(name: &'static str, name32: &'static str) -> &'static str {
    if BITS32 { name32 } else { name }
}

fn fcntl() -> &'static str {
    if X86 || ARM { "fcntl64" } else { "fcntl" }
}

fn getuid() -> &'static str {
    if X86 || ARM { "getuid32" } else { "getuid" }
}

fn sigtimedwait() -> &'static str {
    per_width("rt_sigtimedwait", "rt_sigtimedwait_time64")
}

/// Socket calls made through rustix go through `socketcall` on x86.
fn net(calls: &str) -> String {
    if X86 {
        format!("socketcall({calls})")
    } else {
        calls.to_string()
    }
}

/// `fstat` as rustix makes it on each arch.
fn fstat() -> &'static str {
    if BITS32 {
        "statx"
    } else if cfg!(any(target_arch = "aarch64", target_arch = "riscv64")) {
        "newfstatat"
    } else {
        "fstat"
    }
}

fn mmap() -> &'static str {
    per_width("mmap", "mmap2")
}

fn ftruncate() -> &'static str {
    per_width("ftruncate", "ftruncate64")
}

/// A shared file mapped by both: create, size, map.
fn shm_setup(create: &str, seals: bool) -> String {
    let seals = if seals {
        format!(", {}(F_ADD_SEALS)", fcntl())
    } else {
        String::new()
    };
    format!("{create}, {}{seals}, {}", ftruncate(), mmap())
}

// ===========================================================================
// Both sides of a technique: the child process
// ===========================================================================

/// Where a child finds the pipe it reports on: one byte when it is ready,
/// then, if it fails, `U` or `F` and the reason.
const REPORT_FD: RawFd = 10;
/// Where a child finds the fds its parent hands it: this one and up.
const FIRST_FD: RawFd = 11;
const READY: u8 = b'R';

thread_local! {
    /// What the last child that failed reported, for the runner.
    static CHILD_REPORT: RefCell<Option<Fail>> = const { RefCell::new(None) };
}

type OnExit = Box<dyn FnOnce() + Send>;

/// A running child. Dropping it (on a failure path) kills it.
struct Peer {
    child: Child,
    /// Reads the report pipe to its end (the child's exit), then runs the
    /// technique's exit hook; returns what the child reported.
    watcher: Option<JoinHandle<Vec<u8>>>,
}

impl Peer {
    /// Starts the child for `role` with `args`, hands it `fds` (at
    /// [`FIRST_FD`] and up), and waits until it says it is ready.
    fn spawn(role: &str, args: &[&OsStr], fds: Vec<OwnedFd>) -> Res<Peer> {
        Peer::spawn_with(role, args, fds, None)
    }

    /// As [`spawn`](Self::spawn); `on_exit` runs as soon as the child has
    /// exited, to wake a parent blocked where it cannot see the exit.
    fn spawn_with(
        role: &str,
        args: &[&OsStr],
        fds: Vec<OwnedFd>,
        on_exit: Option<OnExit>,
    ) -> Res<Peer> {
        let (mut report, theirs) = std::io::pipe().ctx("pipe2")?;
        let mut cmd = Command::new(std::env::current_exe().ctx("current_exe")?);
        cmd.arg(CHILD_FLAG)
            .arg(role)
            .args(args)
            .stdin(Stdio::null());
        common::give_fd(&mut cmd, theirs.into(), REPORT_FD);
        for (n, fd) in (FIRST_FD..).zip(fds) {
            common::give_fd(&mut cmd, fd, n);
        }
        let mut child = cmd.spawn().ctx("spawn the child")?;
        // Our copies of the child's fds close with the command, so the
        // report pipe ends when the child does.
        drop(cmd);
        let mut first = [0u8; 1];
        let n = report.read(&mut first).ctx("read the child's report")?;
        if n == 1 && first[0] == READY {
            let watcher = std::thread::spawn(move || {
                let mut rest = Vec::new();
                let _ = report.read_to_end(&mut rest);
                if let Some(f) = on_exit {
                    f();
                }
                rest
            });
            return Ok(Peer {
                child,
                watcher: Some(watcher),
            });
        }
        let mut rest = first[..n].to_vec();
        let _ = report.read_to_end(&mut rest);
        let status = child.wait().ctx("wait for the child")?;
        Err(child_failure(&rest, status))
    }

    fn pid(&self) -> Pid {
        Pid::from_raw(self.child.id() as i32).expect("a child's pid is positive")
    }

    /// Waits for the child to exit; it must have succeeded.
    fn finish(mut self) -> Res<()> {
        let (status, report) = self.reap()?;
        if status.success() {
            Ok(())
        } else {
            Err(child_failure(&report, status))
        }
    }

    /// `SIGKILL`s the child, without reaping it.
    fn kill(&mut self) -> Res<()> {
        self.child.kill().ctx("kill")
    }

    /// Waits for a child that was killed with `SIGKILL`.
    fn finish_killed(mut self) -> Res<()> {
        let (status, report) = self.reap()?;
        check(status.signal() == Some(9), || {
            child_failure(&report, status).to_string()
        })
    }

    fn reap(&mut self) -> Res<(ExitStatus, Vec<u8>)> {
        let status = self.child.wait().ctx("wait for the child")?;
        let report = self
            .watcher
            .take()
            .map(|w| w.join().unwrap_or_default())
            .unwrap_or_default();
        Ok((status, report))
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        if self.watcher.is_some() {
            let exited = matches!(self.child.try_wait(), Ok(Some(_)));
            let _ = self.child.kill();
            if let Ok((status, report)) = self.reap() {
                let fail = if !report.is_empty() {
                    child_failure(&report, status)
                } else if exited {
                    Fail::Failed(format!("the child exited first ({status})"))
                } else {
                    return;
                };
                CHILD_REPORT.set(Some(fail));
            }
        }
    }
}

impl std::fmt::Display for Fail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fail::Unavailable(why) => write!(f, "unavailable: {why}"),
            Fail::Failed(why) => f.write_str(why),
        }
    }
}

/// What a child's report and exit status say.
fn child_failure(report: &[u8], status: ExitStatus) -> Fail {
    let text = String::from_utf8_lossy(report.get(1..).unwrap_or_default());
    match report.first() {
        Some(b'U') => Fail::Unavailable(format!("child: {text}")),
        Some(b'F') => Fail::Failed(format!("child: {text}")),
        _ => Fail::Failed(format!("the child ended unexpectedly ({status})")),
    }
}

static REPORT: OnceLock<File> = OnceLock::new();

/// Whether this child has reported its failure.
static REPORTED: AtomicBool = AtomicBool::new(false);

/// In a child, sends the parent the first failure as soon as it happens:
/// before the role's fds close on the way out, which the parent may see
/// (and act on) first.
fn reported(fail: Fail) -> Fail {
    if let Some(report) = REPORT.get()
        && !REPORTED.swap(true, Ordering::Relaxed)
    {
        let (tag, why) = match &fail {
            Fail::Unavailable(why) => (b'U', why),
            Fail::Failed(why) => (b'F', why),
        };
        let mut msg = vec![tag];
        msg.extend_from_slice(why.as_bytes());
        let _ = (&*report).write_all(&msg);
    }
    fail
}

/// A child: runs its role and reports a failure to the parent.
fn child_main(role: &str, args: &[String]) -> ! {
    REPORT.get_or_init(|| File::from(common::take_fd(REPORT_FD)));
    let result = match TOUR.iter().find(|t| t.name == role) {
        Some(t) => (t.child)(args),
        None => Err(Fail::Failed(format!("no role {role:?}"))),
    };
    let code = match result {
        Ok(()) => 0,
        Err(fail) => {
            reported(fail);
            1
        }
    };
    std::process::exit(code)
}

/// In a child: tells the parent it is ready.
fn ready() -> Res<()> {
    let report = REPORT.get().expect("set up by child_main");
    (&*report).write_all(&[READY]).ctx("report ready")
}

/// In a child: the `n`th fd the parent handed over.
fn take(n: RawFd) -> OwnedFd {
    common::take_fd(FIRST_FD + n)
}

fn parent_pid() -> Res<Pid> {
    rustix::process::getppid().ok_or_else(|| failed("no parent".into()))
}

fn arg(args: &[String], n: usize) -> Res<&str> {
    args.get(n)
        .map(String::as_str)
        .ok_or_else(|| failed(format!("argument {n} missing")))
}

fn parse<T: std::str::FromStr>(args: &[String], n: usize) -> Res<T> {
    arg(args, n)?
        .parse()
        .map_err(|_| failed(format!("argument {n} is not a number")))
}

// ===========================================================================
// Byte streams and messages
// ===========================================================================

use bareipc::fifo::{self, CWD, FifoFlags, ReadEnd, WriteEnd};
use bareipc::pipe;
use bareipc::socket::{
    self, BindOptions, ReceiveFlags, SendFlags, Socket, SocketFlags, SocketType, UnixAddr,
};

/// Parent -> child on one pipe, child -> parent on another.
fn pipe_parent() -> Res<Line> {
    let (to_r, to_w) = pipe::pipe().ctx("pipe2")?;
    let (back_r, back_w) = pipe::pipe().ctx("pipe2")?;
    let peer = Peer::spawn("pipe", &[], vec![to_r.into(), back_w.into()])?;
    let rtts = echo_parent(|b| to_w.write(b), |b| back_r.read(b))?;
    peer.finish()?;
    Ok(Line {
        exchanged: echoed(),
        rtts,
        syscalls: "pipe2 | write, read".into(),
    })
}

fn pipe_child(_: &[String]) -> Res<()> {
    let r = ReadEnd::from(take(0));
    let w = WriteEnd::from(take(1));
    ready()?;
    echo_child(|b| r.read(b), |b| w.write(b))
}

/// Two named pipes in a private directory, opened by each process itself.
/// The parent never waits in an open (for a child that may have died): it
/// opens its read end non-blocking before the child starts, and its write
/// end non-blocking once the child has a reader.
fn fifo_parent() -> Res<Line> {
    let dir = common::TempDir::new("bareipc-tour");
    let (there, back) = (dir.join("there"), dir.join("back"));
    fifo::create(CWD, &*there).ctx("mknodat")?;
    fifo::create(CWD, &*back).ctx("mknodat")?;
    let back_r: ReadEnd = open_fifo(&back)?;
    let peer = Peer::spawn("FIFO", &[dir.path().as_os_str()], vec![])?;
    // The child has its read end open: a non-blocking open for writing
    // succeeds now.
    let there_w: WriteEnd = open_fifo(&there)?;
    let rtts = echo_parent(|b| there_w.write(b), |b| back_r.read(b))?;
    peer.finish()?;
    Ok(Line {
        exchanged: echoed(),
        rtts,
        syscalls: format!(
            "mknodat, {}, openat, {}, ioctl(FIONBIO), unlinkat | write, read",
            per_width("newfstatat", "statx"),
            per_width("fstat", "statx")
        ),
    })
}

fn fifo_child(args: &[String]) -> Res<()> {
    let dir = Path::new(arg(args, 0)?);
    let there = dir.join("there");
    // A reader for the parent's non-blocking open for writing to find.
    let first: ReadEnd = open_fifo(&there)?;
    let back_w: WriteEnd = open_fifo(&dir.join("back"))?;
    ready()?;
    // A read before the parent's writer exists would be end of file: this
    // blocking open returns once it does (the parent opens it right away).
    let there_r: ReadEnd =
        fifo::open_verified(CWD, &*there, fifo::DEFAULT_MODE, FifoFlags::empty())
            .ctx("open the FIFO")?;
    drop(first);
    echo_child(|b| there_r.read(b), |b| back_w.write(b))
}

/// Opens a FIFO we created, verified, without waiting, then makes it
/// blocking.
fn open_fifo<E: fifo::End>(path: &Path) -> Res<E> {
    let end: E = fifo::open_verified(CWD, path, fifo::DEFAULT_MODE, FifoFlags::NONBLOCK)
        .ctx("open the FIFO")?;
    rustix::io::ioctl_fionbio(&end, false).ctx("ioctl(FIONBIO)")?;
    Ok(end)
}

/// A listening stream socket on a path; the child connects, we check its
/// credentials and send it a pipe's write end, and the child answers every
/// message through that pipe.
fn stream_parent() -> Res<Line> {
    let dir = common::TempDir::new("bareipc-tour");
    let path = dir.join("sock");
    let addr = UnixAddr::path(&*path).ctx("socket path")?;
    let listener = socket::listen(&addr, SocketType::Stream, BindOptions::new()).ctx("listen")?;
    let peer = Peer::spawn("unix stream", &[path.as_os_str()], vec![])?;
    // The child connected before it said it was ready: this does not wait.
    let conn = listener.accept().ctx("accept4")?;
    let cred = conn.peer_credentials().ctx("SO_PEERCRED")?;
    check(
        cred.pid == Some(peer.pid()) && cred.uid == rustix::process::geteuid(),
        || format!("SO_PEERCRED says {cred:?}, not the child"),
    )?;
    let (back_r, back_w) = pipe::pipe().ctx("pipe2")?;
    conn.send_msg(b"fd", &[back_w.as_fd()], None, SendFlags::empty())
        .ctx("sendmsg(SCM_RIGHTS)")?;
    // Only the child holds the write end now: its death is end of file.
    drop(back_w);
    let rtts = echo_parent(|b| conn.send(b), |b| back_r.read(b))?;
    peer.finish()?;
    Ok(Line {
        exchanged: format!("creds, a pipe fd, then {MSG} B out, back through it"),
        rtts,
        syscalls: format!(
            "{}, fchmod, getsockopt(SO_PEERCRED), pipe2, sendmsg+recvmsg(SCM_RIGHTS) | sendto, recvfrom, write, read",
            net("socket, bind, listen, connect, accept4")
        ),
    })
}

fn stream_child(args: &[String]) -> Res<()> {
    let addr = UnixAddr::path(arg(args, 0)?).ctx("socket path")?;
    let s = socket::connect(&addr, SocketType::Stream, SocketFlags::empty()).ctx("connect")?;
    ready()?;
    let mut fds = heapless::Vec::<OwnedFd, 1>::new();
    let mut buf = [0u8; 2];
    let got = s
        .receive_msg(&mut buf, &mut fds, ReceiveFlags::empty())
        .ctx("recvmsg")?;
    check(got.bytes == 2 && got.fds == 1, || {
        format!("expected 2 bytes and an fd, got {got:?}")
    })?;
    let back = WriteEnd::from(fds.pop().expect("one fd arrived"));
    echo_child(|b| s.receive(b), |b| back.write(b))
}

/// A seqpacket socketpair; the parent receives with `SO_PASSCRED`, so every
/// answer carries the child's credentials, checked.
fn seqpacket_parent() -> Res<Line> {
    let (ours, theirs) =
        socket::pair(SocketType::SeqPacket, SocketFlags::empty()).ctx("socketpair")?;
    ours.set_pass_credentials(true).ctx("SO_PASSCRED")?;
    let peer = Peer::spawn("unix seqpacket", &[], vec![theirs.into()])?;
    let child = peer.pid().as_raw_nonzero().get();
    let rtts = echo_parent(
        |b| ours.send(b),
        |b| {
            let mut none = heapless::Vec::<OwnedFd, 0>::new();
            let got = ours.receive_msg(b, &mut none, ReceiveFlags::empty())?;
            // A message from anyone but the child is a protocol error here.
            match got.credentials {
                Some(c) if c.pid.map(|p| p.as_raw_nonzero().get()) == Some(child) => Ok(got.bytes),
                _ if got.bytes == 0 => Ok(0),
                _ => Err(Errno::PROTO),
            }
        },
    )?;
    peer.finish()?;
    Ok(Line {
        exchanged: format!("{MSG} B messages (each +1), sender creds checked"),
        rtts,
        syscalls: format!(
            "{} | sendto, recvfrom, recvmsg(SCM_CREDENTIALS)",
            net("socketpair, setsockopt(SO_PASSCRED)")
        ),
    })
}

fn seqpacket_child(_: &[String]) -> Res<()> {
    let s = Socket::from(take(0));
    ready()?;
    echo_child(|b| s.receive(b), |b| s.send(b))
}

/// Two datagram sockets bound to paths: the address travels with every
/// message. Receives time out, since nothing ends when the other side dies.
fn datagram_parent() -> Res<Line> {
    let dir = common::TempDir::new("bareipc-tour");
    let ours = bind_datagram(&dir.join("parent"))?;
    let theirs = UnixAddr::path(&*dir.join("child")).ctx("socket path")?;
    let peer = Peer::spawn("unix datagram", &[dir.path().as_os_str()], vec![])?;
    let rtts = echo_parent(|b| ours.send_to(b, &theirs), |b| ours.receive(b))?;
    peer.finish()?;
    Ok(Line {
        exchanged: format!("{MSG} B datagrams (each +1) between two paths"),
        rtts,
        syscalls: format!(
            "{}, fchmod | {}, recvfrom",
            net("socket, bind, setsockopt(SO_RCVTIMEO)"),
            net("sendto")
        ),
    })
}

fn datagram_child(args: &[String]) -> Res<()> {
    let dir = Path::new(arg(args, 0)?);
    let ours = bind_datagram(&dir.join("child"))?;
    let theirs = UnixAddr::path(&*dir.join("parent")).ctx("socket path")?;
    ready()?;
    echo_child(|b| ours.receive(b), |b| ours.send_to(b, &theirs))
}

fn bind_datagram(path: &Path) -> Res<Socket> {
    let addr = UnixAddr::path(path).ctx("socket path")?;
    let s = socket::bind(&addr, SocketType::Datagram, BindOptions::new()).ctx("bind")?;
    s.set_read_timeout(Some(TIMEOUT)).ctx("SO_RCVTIMEO")?;
    Ok(s)
}

// ===========================================================================
// Event counters and shared memory
// ===========================================================================

use bareipc::eventfd::{EventFd, EventFdFlags};
use bareipc::shm::{ReadWrite, memfd, posix, sysv};

/// What the watcher adds to an eventfd when the child exits: far above any
/// value the exchange uses, and far below the counter's maximum (where a
/// write would block).
const CHILD_GONE: u64 = 1 << 62;

/// Two eventfds, `ping` and `pong`, shared with a child; if the child exits,
/// `pong` gets [`CHILD_GONE`] so a parent blocked reading it wakes up.
struct EventPair {
    ping: EventFd,
    pong: EventFd,
}

impl EventPair {
    fn new() -> Res<EventPair> {
        Ok(EventPair {
            ping: EventFd::new(0, EventFdFlags::empty()).ctx("eventfd2")?,
            pong: EventFd::new(0, EventFdFlags::empty()).ctx("eventfd2")?,
        })
    }

    /// Copies of both fds for the child, and the exit hook.
    fn for_child(&self) -> Res<(Vec<OwnedFd>, OnExit)> {
        let dup = |e: &EventFd| e.as_fd().try_clone_to_owned().ctx("dup");
        let fds = vec![dup(&self.ping)?, dup(&self.pong)?];
        let pong = EventFd::from(dup(&self.pong)?);
        Ok((
            fds,
            Box::new(move || {
                let _ = pong.write(CHILD_GONE);
            }),
        ))
    }

    /// The parent's read of `pong`.
    fn answer(&self) -> Res<u64> {
        let v = self.pong.read().ctx("read")?;
        check(v < CHILD_GONE, || "the child exited mid-exchange".into())?;
        Ok(v)
    }

    /// The parent's last word: the child may exit now. (Had it exited
    /// right after its last answer, the exit hook could add to `pong`
    /// before the parent read that answer.)
    fn release(&self) -> Res<()> {
        self.ping.write(1).ctx("write")
    }

    /// In the child: waits for [`release`](Self::release).
    fn released(&self) -> Res<()> {
        self.ping.read().ctx("read").map(drop)
    }

    /// In the child: the pair at fds 0 and 1.
    fn take() -> EventPair {
        EventPair {
            ping: EventFd::from(take(0)),
            pong: EventFd::from(take(1)),
        }
    }
}

/// A ping-pong of counter values: the child answers `v` with `v + 1`.
fn eventfd_parent() -> Res<Line> {
    let ev = EventPair::new()?;
    let (fds, on_exit) = ev.for_child()?;
    let peer = Peer::spawn_with("eventfd", &[], fds, Some(on_exit))?;
    let rtts = timed(|i| {
        ev.ping.write(i + 1).ctx("write")?;
        let v = ev.answer()?;
        check(v == i + 2, || format!("round {i}: got {v}, not {}", i + 2))
    })?;
    ev.release()?;
    peer.finish()?;
    Ok(Line {
        exchanged: "a u64 there, the u64 + 1 back".into(),
        rtts,
        syscalls: "eventfd2 | write, read".into(),
    })
}

fn eventfd_child(_: &[String]) -> Res<()> {
    let ev = EventPair::take();
    ready()?;
    each_round(|_| {
        let v = ev.ping.read().ctx("read")?;
        ev.pong.write(v + 1).ctx("write")
    })?;
    ev.released()
}

/// The parent's side of a shared-memory exchange: a page of requests at 0,
/// the child's answer at `PAGE`, `notify` and `wait` around it.
fn shm_parent(
    map: &bareipc::shm::Mapping<ReadWrite>,
    mut notify: impl FnMut() -> Res<()>,
    mut wait: impl FnMut() -> Res<()>,
) -> Res<Vec<Duration>> {
    let (mut out, mut back) = (vec![0u8; PAGE], vec![0u8; PAGE]);
    timed(|i| {
        request(i, &mut out);
        map.write_at(0, &out).ctx("write_at")?;
        notify()?;
        wait()?;
        map.read_at(PAGE, &mut back).ctx("read_at")?;
        check_reply(i, &back, PAGE)
    })
}

/// The child's side of [`shm_parent`].
fn shm_child(
    map: &bareipc::shm::Mapping<ReadWrite>,
    mut wait: impl FnMut() -> Res<()>,
    mut notify: impl FnMut() -> Res<()>,
) -> Res<()> {
    let mut buf = vec![0u8; PAGE];
    each_round(|_| {
        wait()?;
        map.read_at(0, &mut buf).ctx("read_at")?;
        bump(&mut buf);
        map.write_at(PAGE, &buf).ctx("write_at")?;
        notify()
    })
}

fn shm_exchanged(how: &str) -> String {
    format!("4 KiB each way (+1); {how}")
}

/// A POSIX shared memory object the child opens by name; two eventfds say
/// when to read.
fn posix_shm_parent() -> Res<Line> {
    let name = common::unique_name("/bareipc-tour");
    let shm = shm_ctx(posix::create(&name, posix::DEFAULT_MODE), "shm_open")?;
    let _unlink = posix::UnlinkOnDrop::new(&name, &shm).ctx("shm name")?;
    shm.set_len(2 * PAGE as u64).ctx("ftruncate")?;
    // SAFETY: only this process and its child use the object, and neither
    // changes its size.
    let map = unsafe { shm.map::<ReadWrite>(2 * PAGE) }.ctx("mmap")?;
    let ev = EventPair::new()?;
    let (fds, on_exit) = ev.for_child()?;
    let peer = Peer::spawn_with("POSIX shm", &[name.as_ref()], fds, Some(on_exit))?;
    let rtts = shm_parent(
        &map,
        || ev.ping.write(1).ctx("write"),
        || ev.answer().map(drop),
    )?;
    ev.release()?;
    peer.finish()?;
    Ok(Line {
        exchanged: shm_exchanged("eventfds say when"),
        rtts,
        syscalls: format!(
            "{}, eventfd2, unlinkat | write, read",
            shm_setup("openat", false)
        ),
    })
}

fn posix_shm_child(args: &[String]) -> Res<()> {
    let shm = shm_ctx(
        posix::open::<bareipc::shm::ReadWrite>(arg(args, 0)?),
        "shm_open",
    )?;
    // SAFETY: as in the parent.
    let map = unsafe { shm.map::<ReadWrite>(2 * PAGE) }.ctx("mmap")?;
    let ev = EventPair::take();
    ready()?;
    shm_child(
        &map,
        || ev.ping.read().ctx("read").map(drop),
        || ev.pong.write(1).ctx("write"),
    )?;
    ev.released()
}

/// A memfd, sealed against resizing, sent to the child over a socket; the
/// child refuses it without the seals, and checks that it cannot shrink it.
/// One-byte messages on the socket say when to read.
fn memfd_parent() -> Res<Line> {
    use memfd::{MemfdFlags, Seals};
    let fd = memfd::create(c"bareipc-tour", MemfdFlags::empty()).ctx("memfd_create")?;
    fd.set_len(2 * PAGE as u64).ctx("ftruncate")?;
    fd.add_seals(Seals::SHRINK | Seals::GROW)
        .ctx("F_ADD_SEALS")?;
    let map = fd.map::<ReadWrite>(2 * PAGE).ctx("mmap")?;
    let (ours, theirs) =
        socket::pair(SocketType::SeqPacket, SocketFlags::empty()).ctx("socketpair")?;
    let peer = Peer::spawn("memfd", &[], vec![theirs.into()])?;
    ours.send_msg(b"m", &[fd.as_fd()], None, SendFlags::empty())
        .ctx("sendmsg(SCM_RIGHTS)")?;
    let mut byte = [0u8; 1];
    let rtts = shm_parent(
        &map,
        || send_all(|b| ours.send(b), b"x"),
        || recv_all(|b| ours.receive(b), &mut byte),
    )?;
    peer.finish()?;
    Ok(Line {
        exchanged: shm_exchanged("sealed fd sent over a socket"),
        rtts,
        syscalls: format!(
            "{}, {}, sendmsg+recvmsg(SCM_RIGHTS), {f}(F_GET_SEALS), {} | sendto, recvfrom",
            shm_setup("memfd_create", true),
            net("socketpair"),
            fstat(),
            f = fcntl()
        ),
    })
}

fn memfd_child(_: &[String]) -> Res<()> {
    use memfd::{Memfd, Seals};
    let s = Socket::from(take(0));
    ready()?;
    let mut fds = heapless::Vec::<OwnedFd, 1>::new();
    let got = s
        .receive_msg(&mut [0u8; 1], &mut fds, ReceiveFlags::empty())
        .ctx("recvmsg")?;
    check(got.fds == 1, || format!("expected an fd, got {got:?}"))?;
    let fd = Memfd::require_seals(fds.pop().expect("one fd"), Seals::SHRINK | Seals::GROW)
        .ctx("require the seals")?;
    check(fd.set_len(0) == Err(Errno::PERM), || {
        "the sealed memfd could be shrunk".into()
    })?;
    let map = fd.map::<ReadWrite>(2 * PAGE).ctx("mmap")?;
    let mut byte = [0u8; 1];
    shm_child(
        &map,
        || recv_all(|b| s.receive(b), &mut byte),
        || send_all(|b| s.send(b), b"y"),
    )
}

/// A SysV segment found by key; two futex semaphores inside it say when
/// to read.
fn sysv_shm_parent() -> Res<Line> {
    use bareipc::sem::futex::Semaphore;
    let key = bareipc::key::Key::from_raw(common::unique_key());
    let seg = sysv::Segment::create(key, SYSV_SHM_LEN, sysv::DEFAULT_MODE)
        .ctx("shmget")?
        .remove_on_drop()
        .ctx("IPC_STAT")?;
    let map = seg.attach::<ReadWrite>().ctx("shmat")?;
    let there = Semaphore::init(&map, 2 * PAGE, 0).ctx("sem_init")?;
    let back = Semaphore::init(&map, 2 * PAGE + 8, 0).ctx("sem_init")?;
    let key_arg = key.as_raw().to_string();
    let peer = Peer::spawn("SysV shm", &[key_arg.as_ref()], vec![])?;
    let rtts = shm_parent(
        &map,
        || there.post().ctx("sem_post"),
        || back.wait_timeout(TIMEOUT).ctx("sem_timedwait"),
    )?;
    peer.finish()?;
    Ok(Line {
        exchanged: shm_exchanged("futex semaphores inside"),
        rtts,
        syscalls: "shmget, shmat, shmctl(IPC_STAT), shmctl(IPC_RMID) | futex(FUTEX_WAKE), futex(FUTEX_WAIT_BITSET)".into(),
    })
}

const SYSV_SHM_LEN: usize = 2 * PAGE + 16;

fn sysv_shm_child(args: &[String]) -> Res<()> {
    use bareipc::sem::futex::Semaphore;
    let key = bareipc::key::Key::from_raw(parse(args, 0)?);
    let seg =
        sysv::Segment::get(key, 0, sysv::IpcFlags::empty(), sysv::DEFAULT_MODE).ctx("shmget")?;
    let map = seg.attach::<ReadWrite>().ctx("shmat")?;
    check(map.len() >= SYSV_SHM_LEN, || "segment too small".into())?;
    let there = Semaphore::at(&map, 2 * PAGE).ctx("sem")?;
    let back = Semaphore::at(&map, 2 * PAGE + 8).ctx("sem")?;
    ready()?;
    shm_child(
        &map,
        || there.wait_timeout(TIMEOUT).ctx("sem_timedwait"),
        || back.post().ctx("sem_post"),
    )
}

// ===========================================================================
// Message queues
// ===========================================================================

use bareipc::mq::posix::{self as mq, Access, Capacity, OpenFlags, Priority};
use bareipc::mq::sysv::{self as msg, Message, MsgQueue, MsgType, Select};

const MQ_CAPACITY: Capacity = Capacity {
    max_messages: 4,
    message_size: MSG,
};

/// Two queues the child opens by name. Before the child starts, the parent
/// queues "low" at priority 1 and then "high" at priority 9; the child must
/// receive "high" first and says so. Then each round a u64 goes out at
/// priority `i % 32` and comes back + 1 at the same priority.
fn posix_mq_parent() -> Res<Line> {
    let MqPair {
        names: [there, back],
        to,
        from,
        _unlink,
    } = mq_pair()?;
    to.send(b"low", prio(1)?).ctx("mq_send")?;
    to.send(b"high", prio(9)?).ctx("mq_send")?;
    let peer = Peer::spawn("POSIX mq", &[there.as_ref(), back.as_ref()], vec![])?;
    let mut buf = [0u8; MSG];
    let (n, _) = from.receive_timeout(&mut buf, TIMEOUT).ctx("mq_receive")?;
    check(&buf[..n] == b"high,low", || {
        format!(
            "the child received {:?}",
            String::from_utf8_lossy(&buf[..n])
        )
    })?;
    let rtts = timed(|i| {
        to.send(&i.to_ne_bytes(), prio(i as u32 % 32)?)
            .ctx("mq_send")?;
        let (n, p) = from.receive_timeout(&mut buf, TIMEOUT).ctx("mq_receive")?;
        check(
            buf[..n] == (i + 1).to_ne_bytes() && p.get() == i as u32 % 32,
            || format!("round {i}: wrong answer or priority"),
        )
    })?;
    peer.finish()?;
    Ok(Line {
        exchanged: "prio 9 overtook prio 1; a u64 +1 back at its prio".into(),
        rtts,
        syscalls: format!(
            "mq_open, mq_unlink | {}, {} (clock_gettime: vDSO)",
            per_width("mq_timedsend", "mq_timedsend_time64"),
            per_width("mq_timedreceive", "mq_timedreceive_time64")
        ),
    })
}

fn posix_mq_child(args: &[String]) -> Res<()> {
    let from = mq::open(arg(args, 0)?, Access::ReadOnly, OpenFlags::empty()).ctx("mq_open")?;
    let to = mq::open(arg(args, 1)?, Access::WriteOnly, OpenFlags::empty()).ctx("mq_open")?;
    ready()?;
    let mut buf = [0u8; MSG];
    let mut order = Vec::new();
    for _ in 0..2 {
        let (n, _) = from.receive_timeout(&mut buf, TIMEOUT).ctx("mq_receive")?;
        if !order.is_empty() {
            order.push(b',');
        }
        order.extend_from_slice(&buf[..n]);
    }
    to.send(&order, Priority::MIN).ctx("mq_send")?;
    each_round(|_| {
        let (n, p) = from.receive_timeout(&mut buf, TIMEOUT).ctx("mq_receive")?;
        let v = u64::from_ne_bytes(buf[..n].try_into().map_err(|_| bad_length(n))?);
        to.send(&(v + 1).to_ne_bytes(), p).ctx("mq_send")
    })
}

/// The two queues of the mq lines: made by the parent with unique names
/// (the child opens them by name), unlinked when `_unlink` drops.
struct MqPair {
    names: [String; 2],
    to: mq::Mq,
    from: mq::Mq,
    _unlink: [mq::UnlinkOnDrop; 2],
}

/// Two unique names for objects the child opens by name.
fn two_names() -> [String; 2] {
    [
        common::unique_name("/bareipc-tour"),
        common::unique_name("/bareipc-tour"),
    ]
}

fn mq_pair() -> Res<MqPair> {
    let names = two_names();
    let make = |name: &str, access| -> Res<(mq::Mq, mq::UnlinkOnDrop)> {
        let q = mq::create(name, access, mq::DEFAULT_MODE, Some(MQ_CAPACITY)).ctx("mq_open")?;
        Ok((q, mq::UnlinkOnDrop::new(name).ctx("mq name")?))
    };
    let (to, unlink_to) = make(&names[0], Access::WriteOnly)?;
    let (from, unlink_from) = make(&names[1], Access::ReadOnly)?;
    Ok(MqPair {
        names,
        to,
        from,
        _unlink: [unlink_to, unlink_from],
    })
}

fn prio(p: u32) -> Res<Priority> {
    Priority::new(p).ctx("priority")
}

fn bad_length(n: usize) -> Fail {
    failed(format!("a message of {n} bytes"))
}

/// As the POSIX mq line, but the parent learns of each answer from
/// `mq_notify`: a cookie on a netlink socket, registered anew each round.
fn mq_notify_parent() -> Res<Line> {
    use mq::{Notify, NotifyEvent, NotifySocket};
    let MqPair {
        names: [there, back],
        to,
        from,
        _unlink,
    } = mq_pair()?;
    let sock = NotifySocket::new().ctx("socket(AF_NETLINK)")?;
    // Before starting a child: is mq_notify there at all?
    from.notify(Notify::NoEvent).ctx("mq_notify")?;
    from.cancel_notify().ctx("mq_notify")?;
    let peer = Peer::spawn("POSIX mq notify", &[there.as_ref(), back.as_ref()], vec![])?;
    let mut buf = [0u8; MSG];
    let rtts = timed(|i| {
        let mut cookie = [0u8; mq::COOKIE_LEN];
        cookie[..8].copy_from_slice(&i.to_ne_bytes());
        from.notify(Notify::Socket {
            socket: &sock,
            cookie,
        })
        .ctx("mq_notify")?;
        to.send(&i.to_ne_bytes(), Priority::MIN).ctx("mq_send")?;
        let n = sock.receive_timeout(TIMEOUT).ctx("notification")?;
        check(
            n.event == NotifyEvent::Message && n.cookie == cookie,
            || format!("round {i}: notification {n:?}"),
        )?;
        let (len, _) = from.receive_timeout(&mut buf, TIMEOUT).ctx("mq_receive")?;
        check(buf[..len] == (i + 1).to_ne_bytes(), || {
            format!("round {i}: wrong answer")
        })
    })?;
    peer.finish()?;
    Ok(Line {
        exchanged: "a u64 there, +1 back; a cookie says it arrived".into(),
        rtts,
        syscalls: format!(
            "mq_open, {}, mq_unlink | mq_notify, {}, {}, {}, {}",
            net("socket"),
            per_width("mq_timedsend", "mq_timedsend_time64"),
            per_width("mq_timedreceive", "mq_timedreceive_time64"),
            // ppoll_time64 only for a timeout past 2038 (strace shows
            // ppoll on i686).
            "ppoll",
            if X86 {
                "socketcall(recv)"
            } else if ARM {
                "recv"
            } else {
                "recvfrom"
            }
        ),
    })
}

fn mq_notify_child(args: &[String]) -> Res<()> {
    let from = mq::open(arg(args, 0)?, Access::ReadOnly, OpenFlags::empty()).ctx("mq_open")?;
    let to = mq::open(arg(args, 1)?, Access::WriteOnly, OpenFlags::empty()).ctx("mq_open")?;
    ready()?;
    let mut buf = [0u8; MSG];
    each_round(|_| {
        let (n, _) = from.receive_timeout(&mut buf, TIMEOUT).ctx("mq_receive")?;
        let v = u64::from_ne_bytes(buf[..n].try_into().map_err(|_| bad_length(n))?);
        to.send(&(v + 1).to_ne_bytes(), Priority::MIN)
            .ctx("mq_send")
    })
}

/// Message types of the SysV line: requests, answers, one that waits its
/// turn, and the last word.
const TO_CHILD: i64 = 1;
const TO_PARENT: i64 = 2;
const PARKED: i64 = 3;
const STOP: i64 = 4;

fn msg_type(t: i64) -> MsgType {
    MsgType::new(t as _).expect("a positive type")
}

/// One SysV queue both ways: the type says who a message is for. A
/// message of a third type sits in the queue the whole time, skipped by
/// every receive, and is taken last. `msgrcv` has no timeout, so the queue
/// is removed as soon as the child exits (a blocked receive then fails
/// with `EIDRM`).
fn sysv_msg_parent() -> Res<Line> {
    let key = bareipc::key::Key::from_raw(common::unique_key());
    let q = MsgQueue::create(key, msg::DEFAULT_MODE)
        .ctx("msgget")?
        .remove_on_drop()
        .ctx("IPC_STAT")?;
    let id = q.id();
    let on_exit: OnExit = Box::new(move || {
        let _ = MsgQueue::from_id(id).remove();
    });
    let send = |t: i64, text: &[u8]| -> Res<()> {
        let m = Message::<8>::with_text(msg_type(t), text).ctx("message")?;
        q.send(&m, msg::SendFlags::empty()).ctx("msgsnd")
    };
    send(PARKED, b"parked")?;
    let key_arg = key.as_raw().to_string();
    let peer = Peer::spawn_with("SysV msg", &[key_arg.as_ref()], vec![], Some(on_exit))?;
    let mut m = Message::<8>::new(msg_type(TO_PARENT));
    let rtts = timed(|i| {
        send(TO_CHILD, &i.to_ne_bytes())?;
        q.receive(
            &mut m,
            Select::Exactly(msg_type(TO_PARENT)),
            msg::ReceiveFlags::empty(),
        )
        .ctx("msgrcv")?;
        check(m.text() == (i + 1).to_ne_bytes(), || {
            format!("round {i}: wrong answer")
        })
    })?;
    q.receive(&mut m, Select::Any, msg::ReceiveFlags::NOWAIT)
        .ctx("msgrcv")?;
    check(
        m.msg_type() == msg_type(PARKED) && m.text() == b"parked",
        || "the parked message is gone".into(),
    )?;
    send(STOP, b"")?;
    peer.finish()?;
    Ok(Line {
        exchanged: "a u64 as type 1, +1 back as type 2; type 3 skipped".into(),
        rtts,
        syscalls: "msgget, msgctl(IPC_RMID) | msgsnd, msgrcv".into(),
    })
}

fn sysv_msg_child(args: &[String]) -> Res<()> {
    let q = MsgQueue::open(bareipc::key::Key::from_raw(parse(args, 0)?)).ctx("msgget")?;
    ready()?;
    let mut m = Message::<8>::new(msg_type(TO_CHILD));
    each_round(|_| {
        q.receive(
            &mut m,
            Select::Exactly(msg_type(TO_CHILD)),
            msg::ReceiveFlags::empty(),
        )
        .ctx("msgrcv")?;
        let v = u64::from_ne_bytes(m.text().try_into().map_err(|_| bad_length(m.len()))?);
        let reply =
            Message::<8>::with_text(msg_type(TO_PARENT), &(v + 1).to_ne_bytes()).ctx("message")?;
        q.send(&reply, msg::SendFlags::empty()).ctx("msgsnd")
    })?;
    q.receive(
        &mut m,
        Select::Exactly(msg_type(STOP)),
        msg::ReceiveFlags::empty(),
    )
    .ctx("msgrcv")
    .map(drop)
}

// ===========================================================================
// Semaphores
// ===========================================================================

use bareipc::sem::sysv::{IpcFlags, SemOp, SemSet};

/// A SysV set of three: 0 and 1 are the two directions of a ping-pong of
/// units, 2 starts at 1 and the child takes it with `SEM_UNDO` and exits
/// holding it: the kernel gives it back.
fn sysv_sem_parent() -> Res<Line> {
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

fn sysv_sem_child(args: &[String]) -> Res<()> {
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
fn named_sem_parent() -> Res<Line> {
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
fn named_sem(name: &str, create: bool) -> Res<bareipc::sem::futex::NamedSemaphore> {
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

fn named_sem_child(args: &[String]) -> Res<()> {
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
fn robust_mutex_parent() -> Res<Line> {
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

fn robust_mutex_child(_: &[String]) -> Res<()> {
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

// ===========================================================================
// Signals
// ===========================================================================

use bareipc::signal::{Code, SigVal, SignalFd, SignalFdFlags};

/// The real-time signals of the two sigqueue lines: 36 and 37 (the
/// crate counts from 35, the first one free in both glibc and musl).
const SIG_WAIT: Signal = match Signal::rt(1) {
    Ok(s) => s,
    Err(_) => panic!("SIGRTMIN+1 exists"),
};
const SIG_FD: Signal = match Signal::rt(2) {
    Ok(s) => s,
    Err(_) => panic!("SIGRTMIN+2 exists"),
};

/// The parent's side of a signal ping-pong: `send(i)` to the child, then
/// wait for `reply` from the child carrying `i + 1` (if `valued`).
fn signal_rounds(
    peer: &Peer,
    reply: Signal,
    valued: bool,
    mut send: impl FnMut(u64) -> Res<()>,
) -> Res<Vec<Duration>> {
    let set = SigSet::empty().with(reply);
    timed(|i| {
        send(i)?;
        let info = signal::wait_timeout(&set, TIMEOUT).ctx("sigtimedwait")?;
        let want_value = valued.then(|| SigVal::from_int(i as i32 + 1));
        check(
            info.sender_pid() == Some(peer.pid()) && (!valued || info.value() == want_value),
            || format!("round {i}: {info:?}"),
        )
    })
}

/// Checks a signal the child got in round `i`: from `parent`, queued
/// with value `i`.
fn check_queued(info: &signal::SigInfo, parent: Pid, i: u64) -> Res<()> {
    check(
        info.code() == Code::QUEUE
            && info.sender_pid() == Some(parent)
            && info.value() == Some(SigVal::from_int(i as i32)),
        || format!("round {i}: {info:?}"),
    )
}

fn queue_to(pid: Pid, sig: Signal, value: u64) -> Res<()> {
    signal::queue(pid, sig, SigVal::from_int(value as i32)).ctx("sigqueue")
}

/// `sigqueue` both ways, each side taking it with `sigtimedwait`.
fn sigqueue_parent() -> Res<Line> {
    let peer = Peer::spawn("sigqueue+sigwait", &[], vec![])?;
    let rtts = signal_rounds(&peer, SIG_WAIT, true, |i| queue_to(peer.pid(), SIG_WAIT, i))?;
    peer.finish()?;
    Ok(Line {
        exchanged: format!(
            "signal {} with an int, back with int + 1",
            SIG_WAIT.as_raw()
        ),
        rtts,
        syscalls: format!(
            "rt_sigprocmask | getpid, {}, rt_sigqueueinfo, {}",
            getuid(),
            sigtimedwait()
        ),
    })
}

fn sigqueue_child(_: &[String]) -> Res<()> {
    let set = SigSet::empty().with(SIG_WAIT);
    signal::block(&set).ctx("sigprocmask")?;
    ready()?;
    let parent = parent_pid()?;
    each_round(|i| {
        let info = signal::wait_timeout(&set, TIMEOUT).ctx("sigtimedwait")?;
        check_queued(&info, parent, i)?;
        queue_to(parent, SIG_WAIT, i + 1)
    })
}

/// As above, but the child reads the signals from a signalfd.
fn signalfd_parent() -> Res<Line> {
    let peer = Peer::spawn("sigqueue+signalfd", &[], vec![])?;
    let rtts = signal_rounds(&peer, SIG_FD, true, |i| queue_to(peer.pid(), SIG_FD, i))?;
    peer.finish()?;
    Ok(Line {
        exchanged: format!(
            "signal {} with an int, read from a signalfd; +1",
            SIG_FD.as_raw()
        ),
        rtts,
        syscalls: format!(
            "rt_sigprocmask, signalfd4 | getpid, {}, rt_sigqueueinfo, read, {}",
            getuid(),
            sigtimedwait()
        ),
    })
}

fn signalfd_child(_: &[String]) -> Res<()> {
    let set = SigSet::empty().with(SIG_FD);
    signal::block(&set).ctx("sigprocmask")?;
    let fd = SignalFd::new(&set, SignalFdFlags::empty()).ctx("signalfd")?;
    ready()?;
    let parent = parent_pid()?;
    each_round(|i| {
        let info = fd.read().ctx("read")?;
        check_queued(&info, parent, i)?;
        queue_to(parent, SIG_FD, i + 1)
    })
}

/// Runs of the child's handler.
static HANDLED: AtomicU32 = AtomicU32::new(0);

extern "C" fn on_usr1(_: Signal) {
    HANDLED.fetch_add(1, Ordering::Relaxed);
}

/// `kill` both ways: SIGUSR1 runs the child's handler (which counts; the
/// child checks the count), SIGUSR2 comes back.
fn handler_parent() -> Res<Line> {
    let peer = Peer::spawn("kill+handler", &[], vec![])?;
    let rtts = signal_rounds(&peer, Signal::USR2, false, |_| {
        signal::kill(peer.pid(), Signal::USR1).ctx("kill")
    })?;
    peer.finish()?;
    Ok(Line {
        exchanged: "SIGUSR1 runs a counted handler; SIGUSR2 back".into(),
        rtts,
        syscalls: format!(
            "rt_sigaction, rt_sigprocmask | kill, rt_sigsuspend, {}, {}",
            if X86 || ARM {
                "sigreturn"
            } else {
                "rt_sigreturn"
            },
            sigtimedwait()
        ),
    })
}

fn handler_child(_: &[String]) -> Res<()> {
    use bareipc::signal::{Action, Handler};
    let usr1 = SigSet::empty().with(Signal::USR1);
    // SAFETY: the handler only increments an atomic.
    unsafe { signal::set_handler(Signal::USR1, &Action::new(Handler::Plain(on_usr1))) }
        .ctx("sigaction")?;
    // Blocked except while suspended, so it runs only there.
    signal::block(&usr1).ctx("sigprocmask")?;
    ready()?;
    let parent = parent_pid()?;
    each_round(|i| {
        let e = signal::suspend(&SigSet::empty());
        check(e == Errno::INTR, || format!("sigsuspend: {e}"))?;
        let n = HANDLED.load(Ordering::Relaxed);
        check(n as u64 == i + 1, || {
            format!("round {i}: handler ran {n} times")
        })?;
        signal::kill(parent, Signal::USR2).ctx("kill")
    })
}

/// `pidfd_send_signal` both ways, each side holding a pidfd of the other;
/// SIGUSR1 with a value there, SIGUSR2 with value + 1 back. (Standard
/// signals: qemu-user does not translate a real-time signal's siginfo.)
fn pidfd_parent() -> Res<Line> {
    use bareipc::signal::PidFd;
    let peer = Peer::spawn("pidfd signal", &[], vec![])?;
    let pidfd = PidFd::open(peer.pid()).ctx("pidfd_open")?;
    let rtts = signal_rounds(&peer, Signal::USR2, true, |i| {
        pidfd
            .queue(Signal::USR1, SigVal::from_int(i as i32))
            .ctx("pidfd_send_signal")
    })?;
    peer.finish()?;
    Ok(Line {
        exchanged: "SIGUSR1 with an int, SIGUSR2 with int + 1 back".into(),
        rtts,
        syscalls: format!(
            "pidfd_open, rt_sigprocmask | getpid, {}, pidfd_send_signal, {}",
            getuid(),
            sigtimedwait()
        ),
    })
}

fn pidfd_child(_: &[String]) -> Res<()> {
    use bareipc::signal::PidFd;
    let set = SigSet::empty().with(Signal::USR1);
    signal::block(&set).ctx("sigprocmask")?;
    let parent = parent_pid()?;
    let pidfd = PidFd::open(parent).ctx("pidfd_open")?;
    ready()?;
    each_round(|i| {
        let info = signal::wait_timeout(&set, TIMEOUT).ctx("sigtimedwait")?;
        check_queued(&info, parent, i)?;
        pidfd
            .queue(Signal::USR2, SigVal::from_int(i as i32 + 1))
            .ctx("pidfd_send_signal")
    })
}

// ===========================================================================
// Files
// ===========================================================================

use bareipc::file::lock::{self, LockKind, OfdGuard, Range};
use bareipc::file::replace::{self, Durability, Options};
use bareipc::file::watch::{self, ReadFlags, WatchFlags, Watcher, WatcherFlags};

/// Where the OFD line's counter lives in the file, past the lock bytes.
const COUNTER_AT: u64 = 8;

/// Three one-byte OFD locks passed round like batons: each process always
/// holds two, releases one to let the other go on, and then waits for the
/// one the other holds. A u64 in the file goes there and back + 1, and no
/// other signal is used. A process that dies releases its locks: the other
/// goes on and finds the counter wrong, and never waits for ever.
fn ofd_parent() -> Res<Line> {
    let dir = common::TempDir::new("bareipc-tour");
    let path = dir.join("baton");
    let file = File::options()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)
        .ctx("openat")?;
    let mut held: [Option<OfdGuard<&File>>; 3] = [None, None, None];
    held[0] = Some(ofd_lock(&file, 0)?);
    held[2] = Some(ofd_lock(&file, 2)?);
    let peer = Peer::spawn("OFD lock handoff", &[path.as_os_str()], vec![])?;
    let mut buf = [0u8; 8];
    let rtts = timed(|i| {
        let (release, acquire) = ofd_turn(i);
        file.write_at(&(2 * i).to_ne_bytes(), COUNTER_AT)
            .ctx("pwrite64")?;
        drop(held[release].take());
        held[acquire] = Some(ofd_lock(&file, acquire)?);
        file.read_at(&mut buf, COUNTER_AT).ctx("pread64")?;
        check(u64::from_ne_bytes(buf) == 2 * i + 1, || {
            format!("round {i}: the counter is not +1 (the child is gone?)")
        })
    })?;
    peer.finish()?;
    Ok(Line {
        exchanged: "a u64 in the file, +1 back; 3 locks as batons".into(),
        rtts,
        syscalls: format!(
            "openat | {f}(F_OFD_SETLK), {f}(F_OFD_SETLKW), pwrite64, pread64",
            f = fcntl()
        ),
    })
}

fn ofd_child(args: &[String]) -> Res<()> {
    let file = File::options()
        .read(true)
        .write(true)
        .open(arg(args, 0)?)
        .ctx("openat")?;
    let mut held: [Option<OfdGuard<&File>>; 3] = [None, None, None];
    held[1] = Some(ofd_lock(&file, 1)?);
    ready()?;
    let mut buf = [0u8; 8];
    each_round(|i| {
        // We take what the parent releases and release what it takes.
        let (take, release) = ofd_turn(i);
        held[take] = Some(ofd_lock(&file, take)?);
        file.read_at(&mut buf, COUNTER_AT).ctx("pread64")?;
        check(u64::from_ne_bytes(buf) == 2 * i, || {
            format!("round {i}: the counter is wrong")
        })?;
        file.write_at(&(2 * i + 1).to_ne_bytes(), COUNTER_AT)
            .ctx("pwrite64")?;
        drop(held[release].take());
        Ok(())
    })
}

/// The locks of the parent's round `i`: the one it releases (the child's
/// next) and the one it acquires (the child's last).
fn ofd_turn(i: u64) -> (usize, usize) {
    let k = (i % 3) as usize;
    ((3 - k) % 3, (4 - k) % 3)
}

fn ofd_lock(file: &File, n: usize) -> Res<OfdGuard<&File>> {
    lock::lock(file, LockKind::Exclusive, Range::new(n as u64, 1)).ctx("F_OFD_SETLKW")
}

/// Each side replaces a file atomically in the other's inbox directory,
/// and the other learns of it from inotify (`IN_MOVED_TO` on its inbox)
/// and reads it: a u64 there, + 1 back.
fn replace_parent() -> Res<Line> {
    let dir = common::TempDir::new("bareipc-tour");
    let (inbox, theirs) = (dir.join("parent"), dir.join("child"));
    std::fs::create_dir(&inbox).ctx("mkdir")?;
    std::fs::create_dir(&theirs).ctx("mkdir")?;
    let watcher = watch_dir(&inbox)?;
    let peer = Peer::spawn("replace+inotify", &[dir.path().as_os_str()], vec![])?;
    let rtts = timed(|i| {
        publish(&theirs, i)?;
        let v = wait_for(&watcher, &inbox)?;
        check(v == i + 1, || format!("round {i}: read {v}"))
    })?;
    peer.finish()?;
    Ok(Line {
        exchanged: "a u64 file replaced there, +1 back; inotify tells".into(),
        rtts,
        syscalls: format!(
            "inotify_init1, inotify_add_watch | openat, write, getpid, linkat, {}, close, ppoll, read",
            if cfg!(target_arch = "riscv64") {
                "renameat2"
            } else {
                "renameat"
            }
        ),
    })
}

fn replace_child(args: &[String]) -> Res<()> {
    let dir = Path::new(arg(args, 0)?);
    let (inbox, theirs) = (dir.join("child"), dir.join("parent"));
    let watcher = watch_dir(&inbox)?;
    ready()?;
    each_round(|i| {
        let v = wait_for(&watcher, &inbox)?;
        check(v == i, || format!("round {i}: read {v}"))?;
        publish(&theirs, v + 1)
    })
}

/// The file each side replaces in the other's inbox.
const VALUE: &str = "value";

fn watch_dir(dir: &Path) -> Res<Watcher> {
    let w = Watcher::new(WatcherFlags::empty()).ctx("inotify_init1")?;
    w.add(dir, WatchFlags::MOVED_TO).ctx("inotify_add_watch")?;
    Ok(w)
}

fn publish(inbox: &Path, v: u64) -> Res<()> {
    let opts = Options::new().durability(Durability::None);
    replace::replace(CWD, &*inbox.join(VALUE), &v.to_ne_bytes(), &opts).ctx("replace")
}

/// Waits until the value is renamed into `inbox`, then reads it.
fn wait_for(watcher: &Watcher, inbox: &Path) -> Res<u64> {
    let mut buf = [0u8; watch::BUFFER_LEN];
    loop {
        let events = watcher.read_timeout(&mut buf, TIMEOUT).ctx("inotify")?;
        let mut seen = false;
        for e in events {
            seen |= e.mask().contains(ReadFlags::MOVED_TO) && e.name_bytes() == VALUE.as_bytes();
        }
        if seen {
            break;
        }
    }
    let fd = rustix::fs::openat(
        CWD,
        &*inbox.join(VALUE),
        rustix::fs::OFlags::RDONLY | rustix::fs::OFlags::CLOEXEC,
        rustix::fs::Mode::empty(),
    )
    .ctx("openat")?;
    let mut v = [0u8; 8];
    recv_all(|b| rustix::io::read(&fd, b), &mut v)?;
    Ok(u64::from_ne_bytes(v))
}
