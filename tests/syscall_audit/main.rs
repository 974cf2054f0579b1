//! The syscall surface, verified: every public item's `Syscalls:` line is
//! checked against what the item really does under strace (x86_64).
//!
//! How:
//! 1. `surface` reads every `Syscalls:` line in `src/` (grammar in its
//!    module docs) into (key, x86_64 syscall set).
//! 2. The test re-executes itself under `strace -ff` as the `audit_child`
//!    test. There each family module calls [`audit`] around one operation:
//!    marker writes to fd 999999 (always `EBADF`) bracket it, and the
//!    marker names the item's key and the exact sequence the case expects.
//! 3. The parent reads the trace and checks, for every bracketed case,
//!    that the sequence equals the case's expectation and stays inside the
//!    item's documented set; and for every documented item, that some case
//!    covers it and the cases together make every syscall its docs name.
//!
//! So a doc that names too much, a doc that names too little, a new item
//! without a case, and a change in what an item does all fail here.
//!
//! SYSCALLS.md's tables (every public item and its syscalls) are
//! generated from the same parse; `syscalls_md_is_current` fails when they
//! drift (`BAREIPC_BLESS=1 cargo test --test syscall_audit` rewrites them).
//!
//! Skips (with a `NOTE:`) off x86_64 (under qemu strace would trace qemu)
//! and where strace is missing or ptrace is refused; `BAREIPC_AUDIT=required`
//! (set by CI) turns such a skip into a failure.

#[path = "../common/mod.rs"]
mod common;
mod surface;

mod eventfd;
mod fifo;
mod file;
mod key;
mod mq;
mod pipe;
mod sem;
mod shm;
mod signal;
mod socket;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

/// The fd the markers are written to: never open, so the write is a cheap
/// `EBADF` that cannot happen otherwise.
const MARK_FD: i32 = 999_999;
const END: &str = "@@E@@";

fn mark(s: &str) {
    // SAFETY: a write of a valid buffer to a (closed) fd number.
    let r = unsafe { libc::write(MARK_FD, s.as_ptr().cast(), s.len()) };
    assert_eq!(r, -1);
}

/// The thread that runs `audit_child` (0 before it starts).
static AUDIT_THREAD: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);

/// The begin marker's text, or `None` if this case is not marked. Under
/// qemu's strace, which shows no strings and prefixes every line with the
/// process id rather than the thread's, the text is also echoed to stderr
/// (`BAREIPC_AUDIT_ECHO`) before the marker, and only cases on the audit
/// thread are marked, so that segments cannot interleave.
fn begin_marker(key: &str, expect: &[&str]) -> Option<String> {
    let begin = format!("@@B|{key}|{}@@", expect.join(","));
    if std::env::var_os("BAREIPC_AUDIT_ECHO").is_some() {
        // SAFETY: gettid has no preconditions.
        let tid = unsafe { libc::gettid() };
        if tid != AUDIT_THREAD.load(std::sync::atomic::Ordering::Relaxed) {
            return None;
        }
        eprintln!("{begin}");
    }
    Some(begin)
}

/// Runs `op` between markers that name the item `key` and the syscalls
/// this case expects, in order. The result is returned, so it is dropped
/// after the end marker.
pub fn audit<R>(key: &str, expect: &[&str], op: impl FnOnce() -> R) -> R {
    let begin = begin_marker(key, expect);
    if let Some(b) = &begin {
        mark(b);
    }
    let r = op();
    if begin.is_some() {
        mark(END);
    }
    r
}

/// As [`audit`], for a case during which another thread of this process
/// makes syscalls too: strace keeps threads apart (`-ff`), qemu's log does
/// not, so under qemu the case is not marked.
pub fn audit_mt<R>(key: &str, expect: &[&str], op: impl FnOnce() -> R) -> R {
    if std::env::var_os("BAREIPC_AUDIT_ECHO").is_some() {
        return op();
    }
    audit(key, expect, op)
}

/// As [`audit`], and drops the result before the end marker: for items
/// whose drop is the point (guards, handles whose `Syscalls:` line is on
/// the type).
pub fn audit_drop<T>(key: &str, expect: &[&str], value: T) {
    audit(key, expect, || drop(value));
}

#[test]
fn audit_child() {
    if std::env::var_os("BAREIPC_AUDIT_CHILD").is_none() {
        return;
    }
    // SAFETY: gettid has no preconditions.
    AUDIT_THREAD.store(
        unsafe { libc::gettid() },
        std::sync::atomic::Ordering::Relaxed,
    );
    if std::env::var_os("BAREIPC_AUDIT_ECHO").is_some() {
        main_thread_parked();
    }
    pipe::run();
    fifo::run();
    socket::run();
    eventfd::run();
    key::run();
    shm::run();
    mq::run();
    sem::run();
    signal::run();
    file::run();
}

/// Under qemu, waits (at most 10 s) until libtest's main thread sleeps in
/// its futex wait for this test's result: its log lines could otherwise
/// land inside the first case (qemu's log does not say which thread made
/// a call; seen once on armv7). `/proc` shows the host's syscall number,
/// and qemu-user runs on x86_64 hosts here (202 is the host's `futex`).
fn main_thread_parked() {
    let path = format!("/proc/self/task/{}/syscall", std::process::id());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        let s = std::fs::read_to_string(&path).unwrap_or_default();
        if s.split(' ').next() == Some("202") {
            return;
        }
        std::thread::yield_now();
    }
}

/// One bracketed case, as traced.
#[derive(Debug)]
struct Traced {
    key: String,
    expect: Vec<String>,
    seen: Vec<String>,
}

fn skip(why: &str) {
    if std::env::var("BAREIPC_AUDIT").as_deref() == Ok("required") {
        panic!("syscall audit required but skipped: {why}");
    }
    eprintln!("NOTE: syscall audit skipped: {why}");
}

/// Runs `args` under strace into a fresh directory; the traces, one per
/// thread, or `None` after a skip.
fn strace(exe: &Path, args: &[&str], envs: &[(&str, &str)]) -> Option<Vec<String>> {
    if !matches!(std::env::consts::ARCH, "x86_64" | "x86") {
        eprintln!(
            "NOTE: strace under qemu-user would trace qemu; see documented_syscalls_under_qemu"
        );
        return None;
    }
    let dir = common::TempDir::new("audit");
    let mut cmd = Command::new("strace");
    cmd.args(["-ff", "-qq", "-e", "signal=none", "-s", "4096", "-o"])
        .arg(dir.join("t"))
        .arg(exe)
        .args(args);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = match cmd.output() {
        Ok(o) => o,
        Err(e) => {
            skip(&format!("cannot run strace: {e}"));
            return None;
        }
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("Operation not permitted") && stderr.contains("strace") {
        skip(&format!("ptrace refused: {stderr}"));
        return None;
    }
    assert!(
        out.status.success(),
        "the traced program failed: {}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        stderr
    );
    let mut traces = Vec::new();
    for e in std::fs::read_dir(dir.path()).unwrap() {
        traces.push(std::fs::read_to_string(e.unwrap().path()).unwrap());
    }
    Some(traces)
}

/// The name of a traced call: the text before its `(`.
fn call_name(line: &str) -> Option<&str> {
    let name = &line[..line.find('(')?];
    name.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_')
        .then_some(name)
}

/// The first integer argument of a traced call.
fn first_arg(line: &str) -> &str {
    let a = &line[line.find('(').map_or(0, |i| i + 1)..];
    &a[..a.find([',', ')']).unwrap_or(a.len())]
}

fn marker_text(line: &str) -> Option<&str> {
    let rest = line.strip_prefix(&format!("write({MARK_FD}, \""))?;
    Some(&rest[..rest.find('"')?])
}

/// The calls of one segment, without std's debug-build check before each
/// `close` of an `OwnedFd` (`fcntl(fd, F_GETFD)`, compiled into this test
/// in a debug build; see notes/testing.md).
fn calls(lines: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i];
        if cfg!(debug_assertions)
            && (l.starts_with("fcntl(") || l.starts_with("fcntl64("))
            && l.contains("F_GETFD")
            && lines
                .get(i + 1)
                .is_some_and(|n| n.starts_with("close(") && first_arg(n) == first_arg(l))
        {
            i += 1;
            continue;
        }
        if let Some(n) = call_name(l) {
            out.push(n.to_string());
        }
        i += 1;
    }
    out
}

fn segments(traces: &[String]) -> Vec<Traced> {
    let mut out = Vec::new();
    for t in traces {
        let mut open: Option<(String, Vec<String>, Vec<&str>)> = None;
        for line in t.lines() {
            if line.starts_with("+++") || line.starts_with("---") {
                continue;
            }
            match marker_text(line) {
                Some(m) if m.starts_with("@@B|") => {
                    assert!(open.is_none(), "nested audit markers at {line}");
                    let body = m.trim_start_matches("@@B|").trim_end_matches("@@");
                    let (key, expect) = body.split_once('|').unwrap();
                    let expect = expect
                        .split(',')
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .collect();
                    open = Some((key.to_string(), expect, Vec::new()));
                }
                Some(END) => {
                    let (key, expect, lines) = open.take().expect("an end marker without a begin");
                    out.push(Traced {
                        key,
                        expect,
                        seen: calls(&lines),
                    });
                }
                _ => {
                    if let Some((_, _, lines)) = open.as_mut() {
                        lines.push(line);
                    }
                }
            }
        }
        assert!(open.is_none(), "a begin marker without an end");
    }
    out
}

fn documented() -> Vec<surface::Entry> {
    match surface::entries() {
        Ok(e) => e,
        Err(errors) => panic!(
            "{} `Syscalls:` line(s) do not follow the grammar (tests/syscall_audit/surface.rs):\n{}",
            errors.len(),
            errors.join("\n")
        ),
    }
}

#[test]
fn every_syscalls_line_parses() {
    let entries = documented();
    assert!(entries.len() > 100, "only {} entries", entries.len());
}

#[test]
fn documented_syscalls_are_the_traced_ones() {
    let entries = documented();
    let exe = std::env::current_exe().unwrap();
    let Some(traces) = strace(
        &exe,
        &["--exact", "audit_child", "--test-threads=1", "--nocapture"],
        &[("BAREIPC_AUDIT_CHILD", "1")],
    ) else {
        return;
    };
    let segs = segments(&traces);
    if std::env::consts::ARCH != "x86_64" {
        // i686, natively: the 32-bit names, checked as under qemu. Before
        // its first syscall rustix finds the vDSO's `__kernel_vsyscall`
        // through the aux vector, once per process: `prctl(PR_GET_AUXV)`
        // (see the crate docs' "Syscall surface"). That one is not the
        // item's.
        let mut seen: Vec<Vec<String>> = segs.iter().map(|s| s.seen.clone()).collect();
        if let Some(v) = seen.iter_mut().find(|v| v.iter().any(|c| c == "prctl")) {
            let i = v.iter().position(|c| c == "prctl").unwrap();
            v.remove(i);
        }
        let pairs: Vec<(&str, &[String])> = segs
            .iter()
            .zip(&seen)
            .map(|(s, v)| (s.key.as_str(), &v[..]))
            .collect();
        named_somewhere(&entries, &pairs);
        return;
    }
    let docs: BTreeMap<&str, &surface::Entry> =
        entries.iter().map(|e| (e.key.as_str(), e)).collect();
    let mut failures = Vec::new();
    let mut union: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for s in &segs {
        if s.seen != s.expect {
            failures.push(format!(
                "{}: the case expects {:?}, the trace shows {:?}",
                s.key, s.expect, s.seen
            ));
        }
        let Some(doc) = docs.get(s.key.as_str()) else {
            failures.push(format!(
                "{}: audited, but no `Syscalls:` line has this key",
                s.key
            ));
            continue;
        };
        let u = union.entry(doc.key.as_str()).or_default();
        for c in &s.seen {
            if !doc.x86_64.contains(c) {
                failures.push(format!(
                    "{} ({}): made `{}`, which its docs do not name: {}",
                    s.key, doc.at, c, doc.spec
                ));
            }
            u.insert(c.as_str());
        }
    }
    for e in &entries {
        match union.get(e.key.as_str()) {
            None => failures.push(format!("{} ({}): no audit case", e.key, e.at)),
            Some(u) => {
                let missing: Vec<_> = e
                    .x86_64
                    .iter()
                    .filter(|c| !u.contains(c.as_str()))
                    .collect();
                if !missing.is_empty() {
                    failures.push(format!(
                        "{} ({}): docs name {:?}, which no case made: {}",
                        e.key, e.at, missing, e.spec
                    ));
                }
            }
        }
    }
    eprintln!(
        "audited {} cases over {} documented items",
        segs.len(),
        entries.len()
    );
    assert!(
        failures.is_empty(),
        "{} audit failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

const TABLE_BEGIN: &str = "<!-- syscall-surface:begin (generated by tests/syscall_audit) -->";
const TABLE_END: &str = "<!-- syscall-surface:end -->";

#[test]
fn syscalls_md_is_current() {
    let entries = documented();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("SYSCALLS.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (Some(b), Some(e)) = (readme.find(TABLE_BEGIN), readme.find(TABLE_END)) else {
        panic!("SYSCALLS.md lacks the {TABLE_BEGIN} / {TABLE_END} markers");
    };
    let want = surface::readme_section(&entries);
    let have = &readme[b + TABLE_BEGIN.len()..e];
    if have != want {
        if std::env::var_os("BAREIPC_BLESS").is_some() {
            let new = format!(
                "{}{}{}",
                &readme[..b + TABLE_BEGIN.len()],
                want,
                &readme[e..]
            );
            std::fs::write(&path, new).unwrap();
            return;
        }
        panic!(
            "SYSCALLS.md's tables are stale: run `BAREIPC_BLESS=1 cargo test --test syscall_audit syscalls_md`"
        );
    }
}

/// The no-libc program's whole trace: `execve`, then only syscalls that
/// the crate documents, then `exit_group`. CI sets `BAREIPC_NOLIBC_BIN` to
/// the x86_64 static binary after building it.
#[test]
fn nolibc_trace_is_execve_crate_calls_exit_group() {
    let Some(bin) = std::env::var_os("BAREIPC_NOLIBC_BIN") else {
        eprintln!(
            "NOTE: BAREIPC_NOLIBC_BIN not set; the nolibc trace is checked by CI's nolibc stage"
        );
        return;
    };
    let entries = documented();
    // `rt_sigreturn` is no function's: the crate's restorer makes it when a
    // handler returns (see the `signal::action` module docs).
    let allowed: BTreeSet<&str> = entries
        .iter()
        .flat_map(|e| e.x86_64.iter().map(String::as_str))
        .chain(["rt_sigreturn"])
        .collect();
    let Some(traces) = strace(Path::new(&bin), &[], &[]) else {
        return;
    };
    assert_eq!(traces.len(), 1, "the nolibc program is single-threaded");
    let lines: Vec<&str> = traces[0]
        .lines()
        .filter(|l| !l.starts_with("+++") && !l.starts_with("---"))
        .collect();
    let names = calls(&lines);
    assert_eq!(
        names.first().map(String::as_str),
        Some("execve"),
        "{names:?}"
    );
    assert_eq!(
        names.last().map(String::as_str),
        Some("exit_group"),
        "{names:?}"
    );
    let foreign: Vec<&String> = names[1..names.len() - 1]
        .iter()
        .filter(|n| !allowed.contains(n.as_str()))
        .collect();
    assert!(
        foreign.is_empty(),
        "the nolibc program made syscalls no `Syscalls:` line names: {foreign:?}\nwhole trace: {names:?}"
    );
    let expected_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("nolibc/syscalls.txt");
    let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
    let expected: Vec<&str> = expected
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .collect();
    if expected != names {
        if std::env::var_os("BAREIPC_BLESS").is_some() {
            let mut s = String::from(
                "# The x86_64 static nolibc program's whole syscall sequence, one per line,\n# checked by tests/syscall_audit (BAREIPC_BLESS=1 rewrites it).\n",
            );
            for n in &names {
                s.push_str(n);
                s.push('\n');
            }
            std::fs::write(&expected_path, s).unwrap();
            return;
        }
        panic!(
            "the nolibc trace differs from nolibc/syscalls.txt\nexpected: {expected:?}\ntraced:   {names:?}"
        );
    }
}

/// Under qemu-user (aarch64, riscv64, armv7 in CI) strace would trace qemu,
/// so the child runs with qemu's own syscall log (`QEMU_STRACE`), which
/// shows the guest's calls with raw arguments and no strings. Segments are
/// found by the marker fd and paired, in order, with the keys the child
/// echoes. The check is weaker than on x86_64, by necessity: every call an
/// item makes here must be named somewhere in its `Syscalls:` sentence
/// (parentheses included, where other arches are described).
#[test]
fn documented_syscalls_under_qemu() {
    if matches!(std::env::consts::ARCH, "x86_64" | "x86") {
        return; // strace covers these natively
    }
    let entries = documented();
    let dir = common::TempDir::new("qaudit");
    let log = dir.join("log");
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "audit_child", "--test-threads=1", "--nocapture"])
        .env("BAREIPC_AUDIT_CHILD", "1")
        .env("BAREIPC_AUDIT_ECHO", "1")
        .env("QEMU_STRACE", "1")
        .env("QEMU_LOG_FILENAME", &log)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the audit child failed: {}\n{stderr}",
        out.status
    );
    let Ok(trace) = std::fs::read_to_string(&log) else {
        skip("not under qemu-user (no QEMU_STRACE log appeared)");
        return;
    };
    let keys: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("@@B|"))
        .map(|l| l.trim_end_matches("@@").split('|').next().unwrap())
        .collect();
    // "PID name(args) = ret" → "name(args) = ret", then segments.
    let lines: Vec<&str> = trace
        .lines()
        .filter_map(|l| l.split_once(' ').map(|(_, rest)| rest))
        .collect();
    let marker = |l: &str| -> Option<bool> {
        let args = l.strip_prefix(&format!("write({MARK_FD},"))?;
        let len = args[..args.find(')')?].rsplit(',').next()?;
        Some(len == END.len().to_string())
    };
    let mut segs: Vec<Vec<String>> = Vec::new();
    let mut open: Option<Vec<&str>> = None;
    for l in &lines {
        match marker(l) {
            Some(false) => open = Some(Vec::new()),
            Some(true) => segs.push(calls(&open.take().expect("end before begin"))),
            None => {
                if let Some(o) = open.as_mut() {
                    o.push(l);
                }
            }
        }
    }
    assert_eq!(
        segs.len(),
        keys.len(),
        "{} traced segments, {} echoed keys",
        segs.len(),
        keys.len()
    );
    let pairs: Vec<(&str, &[String])> = keys
        .iter()
        .copied()
        .zip(segs.iter().map(|s| &s[..]))
        .collect();
    named_somewhere(&entries, &pairs);
}

/// The check off x86_64: every call an audited item made on this
/// architecture is named somewhere in its `Syscalls:` sentence.
fn named_somewhere(entries: &[surface::Entry], cases: &[(&str, &[String])]) {
    let docs: BTreeMap<&str, &surface::Entry> =
        entries.iter().map(|e| (e.key.as_str(), e)).collect();
    let mut failures = Vec::new();
    for &(key, seen) in cases {
        let Some(doc) = docs.get(key) else {
            failures.push(format!(
                "{key}: audited, but no `Syscalls:` line has this key"
            ));
            continue;
        };
        let named = surface::all_names(&doc.spec);
        for c in seen {
            if !named.contains(c) {
                failures.push(format!(
                    "{key} ({}): made `{c}` on {}, which its docs do not name: {}",
                    doc.at,
                    std::env::consts::ARCH,
                    doc.spec
                ));
            }
        }
    }
    eprintln!(
        "audited {} cases on {}",
        cases.len(),
        std::env::consts::ARCH
    );
    assert!(
        failures.is_empty(),
        "{} audit failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
