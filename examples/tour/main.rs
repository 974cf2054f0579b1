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
//!
//! This file holds the runner and what every technique shares (payloads,
//! the child plumbing, the syscall names per arch); each family's
//! techniques, both sides, are in a file of their own: `pipes.rs`,
//! `fifos.rs`, `sockets.rs`, `eventfds.rs`, `shared_memory.rs`,
//! `queues.rs`, `semaphores.rs`, `signals.rs`, `files.rs`.

// The test suites' helper: unique names and keys, a self-removing temporary
// directory, and handing fds to a child at fixed numbers.
#[path = "../../tests/common/mod.rs"]
mod common;
mod eventfds;
mod fifos;
mod files;
mod pipes;
mod queues;
mod semaphores;
mod shared_memory;
mod signals;
mod sockets;

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

use bareipc::eventfd::{EventFd, EventFdFlags};
use bareipc::fifo::{self, CWD, FifoFlags, ReadEnd, WriteEnd};
use bareipc::file::lock::{self, LockKind, OfdGuard, Range};
use bareipc::file::replace::{self, Durability, Options};
use bareipc::file::watch::{self, ReadFlags, WatchFlags, Watcher, WatcherFlags};
use bareipc::mq::posix::{self as mq, Access, Capacity, OpenFlags, Priority};
use bareipc::mq::sysv::{self as msg, Message, MsgQueue, MsgType, Select};
use bareipc::pipe;
use bareipc::sem::sysv::{IpcFlags, SemOp, SemSet};
use bareipc::shm::{ReadWrite, memfd, posix, sysv};
use bareipc::signal::{Code, SigVal, SignalFd, SignalFdFlags};
use bareipc::socket::{
    self, BindOptions, ReceiveFlags, SendFlags, Socket, SocketFlags, SocketType, UnixAddr,
};
use {
    eventfds::*, fifos::*, files::*, pipes::*, queues::*, semaphores::*, shared_memory::*,
    signals::*, sockets::*,
};

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
