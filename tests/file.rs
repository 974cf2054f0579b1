//! File-based IPC between real processes: byte-range locks that exclude
//! and free themselves when the holder dies, replacements no reader sees
//! torn, change notification, and every errno a user can hit.
#![cfg(all(feature = "file", feature = "std"))]

mod common;

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::Duration;

use bareipc::Errno;
use bareipc::file::lock::{self, Conflict, LockKind, Range};
use bareipc::file::replace::{self, Durability, Options, Replacement};
use bareipc::file::watch::{self, ReadFlags, WatchFlags, Watcher, WatcherFlags};
use common::{TempDir, assert_child_ok, child, child_role};
use rustix::fs::{CWD, Mode};

/// The fd on which a child says it is ready (a pipe: EOF if it dies).
const READY_FD: i32 = 10;
/// The fd of a pipe a child reads until EOF before it lets go.
const GO_FD: i32 = 11;
/// The env var that names the shared file for a child.
const PATH_VAR: &str = "BAREIPC_FILE_PATH";

fn open_rw(path: &Path) -> File {
    OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .unwrap()
}

/// A file of `len` zero bytes in a fresh directory.
fn shared_file(len: usize) -> (TempDir, PathBuf) {
    let dir = TempDir::new("bareipc-file");
    let path = dir.join("shared");
    std::fs::write(&path, vec![0u8; len]).unwrap();
    (dir, path)
}

/// Spawns `test` as `role` with the shared file's path, a readiness pipe
/// and a go pipe; returns once the child said it is ready, with the
/// child and the go pipe's write end (drop it to let the child go on).
fn spawn_ready(test: &str, role: &str, path: &Path) -> (Child, File) {
    let (mut ready, ready_theirs) = std::io::pipe().unwrap();
    let (go_theirs, go) = std::io::pipe().unwrap();
    let mut cmd = child(test, role);
    cmd.env(PATH_VAR, path);
    common::give_fd(&mut cmd, ready_theirs.into(), READY_FD);
    common::give_fd(&mut cmd, go_theirs.into(), GO_FD);
    let c = cmd.spawn().unwrap();
    // Our copies of the child's ends close here, so a child that dies
    // before it is ready gives us end-of-file, not a hang.
    drop(cmd);
    let mut byte = [0u8; 1];
    assert_eq!(
        ready.read(&mut byte).unwrap(),
        1,
        "child died before it was ready"
    );
    (c, File::from(OwnedFd::from(go)))
}

/// In a child: the shared file's path.
fn given_path() -> PathBuf {
    PathBuf::from(common::env(PATH_VAR))
}

/// In a child: tell the parent we are ready.
fn say_ready() {
    File::from(common::take_fd(READY_FD))
        .write_all(b"r")
        .unwrap();
}

/// In a child: wait until the parent closes the go pipe (or dies).
fn wait_for_go() {
    let mut rest = Vec::new();
    File::from(common::take_fd(GO_FD))
        .read_to_end(&mut rest)
        .unwrap();
}

// ------------------------------------------------------------------ locks

/// Adds 1 to the counter in bytes 0..8, `n` times, each under an
/// exclusive lock of a description of its own.
fn bump(path: &Path, n: u32) {
    for _ in 0..n {
        let mut f = open_rw(path);
        // Through the guard, which holds `&mut f`.
        let mut locked = lock::lock(&mut f, LockKind::Exclusive, Range::new(0, 8)).unwrap();
        let mut buf = [0u8; 8];
        locked.read_exact(&mut buf).unwrap();
        locked.rewind().unwrap();
        locked
            .write_all(&(u64::from_ne_bytes(buf) + 1).to_ne_bytes())
            .unwrap();
        drop(locked);
    }
}

#[test]
fn exclusive_lock_makes_two_processes_take_turns() {
    const N: u32 = 300;
    if child_role().as_deref() == Some("bumper") {
        say_ready();
        bump(&given_path(), N);
        return;
    }
    let (_dir, path) = shared_file(8);
    let (mut c, go) = spawn_ready(
        "exclusive_lock_makes_two_processes_take_turns",
        "bumper",
        &path,
    );
    drop(go);
    // Both processes read-modify-write the counter at once; without the
    // lock, updates get lost.
    bump(&path, N);
    assert_child_ok(c.wait().unwrap());
    let total = u64::from_ne_bytes(std::fs::read(&path).unwrap()[..8].try_into().unwrap());
    assert_eq!(total, 2 * u64::from(N));
}

#[test]
fn held_ranges_block_others_and_disjoint_ranges_do_not() {
    if child_role().as_deref() == Some("holder") {
        let f = open_rw(&given_path());
        let _x = lock::lock(&f, LockKind::Exclusive, Range::new(0, 100)).unwrap();
        let _s = lock::lock(&f, LockKind::Shared, Range::to_end(200)).unwrap();
        say_ready();
        wait_for_go();
        return;
    }
    let (_dir, path) = shared_file(300);
    let (mut c, go) = spawn_ready(
        "held_ranges_block_others_and_disjoint_ranges_do_not",
        "holder",
        &path,
    );
    let f = open_rw(&path);
    // Inside the exclusive range: neither kind is granted.
    assert_eq!(
        lock::try_lock(&f, LockKind::Exclusive, Range::new(50, 10)).err(),
        Some(Errno::AGAIN)
    );
    assert_eq!(
        lock::try_lock(&f, LockKind::Shared, Range::new(99, 1)).err(),
        Some(Errno::AGAIN)
    );
    // The query names the holder's range, not ours; OFD holders have no pid.
    assert_eq!(
        lock::query(&f, LockKind::Shared, Range::new(50, 10)).unwrap(),
        Some(Conflict {
            kind: LockKind::Exclusive,
            range: Range::new(0, 100),
            pid: None,
        })
    );
    // The shared range to the end of the file: shared is fine, exclusive
    // is not, and the query reports length 0 ("to the end").
    let shared = lock::try_lock(&f, LockKind::Shared, Range::new(1000, 5)).unwrap();
    assert_eq!(
        lock::query(&f, LockKind::Exclusive, Range::new(5000, 1)).unwrap(),
        Some(Conflict {
            kind: LockKind::Shared,
            range: Range::to_end(200),
            pid: None,
        })
    );
    drop(shared);
    // Disjoint ranges do not wait for each other.
    let between = lock::try_lock(&f, LockKind::Exclusive, Range::new(100, 100)).unwrap();
    assert_eq!(
        lock::query(&f, LockKind::Exclusive, Range::new(100, 100)).unwrap(),
        None
    );
    assert_eq!(between.range(), Range::new(100, 100));
    assert_eq!(between.kind(), LockKind::Exclusive);
    between.unlock().unwrap();
    // The holder lets go; a blocking lock on the whole file then succeeds.
    drop(go);
    let all = lock::lock(&f, LockKind::Exclusive, Range::WHOLE).unwrap();
    assert_child_ok(c.wait().unwrap());
    drop(all);
}

/// The `kind` of lock a "killed" child holds: an OFD byte-range lock or a
/// `flock` lock.
fn hold_until_killed(kind: &str) {
    let f = open_rw(&given_path());
    match kind {
        "ofd" => lock::lock(&f, LockKind::Exclusive, Range::WHOLE)
            .unwrap()
            .forget(),
        _ => lock::flock(&f, LockKind::Exclusive).unwrap().forget(),
    }
    say_ready();
    wait_for_go();
    unreachable!("the parent kills this child before it lets go");
}

fn kill_holder_then_lock(test: &str, kind: &str) {
    let (_dir, path) = shared_file(16);
    let (mut c, go) = spawn_ready(test, kind, &path);
    let f = open_rw(&path);
    match kind {
        "ofd" => assert_eq!(
            lock::try_lock(&f, LockKind::Exclusive, Range::new(3, 1)).err(),
            Some(Errno::AGAIN)
        ),
        _ => assert_eq!(
            lock::try_flock(&f, LockKind::Shared).err(),
            Some(Errno::WOULDBLOCK)
        ),
    }
    c.kill().unwrap(); // SIGKILL: no destructor, no unlock, only the exit
    // Blocks until the kernel has closed the dead holder's fds.
    match kind {
        "ofd" => drop(lock::lock(&f, LockKind::Exclusive, Range::WHOLE).unwrap()),
        _ => drop(lock::flock(&f, LockKind::Exclusive).unwrap()),
    }
    let status = c.wait().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(libc::SIGKILL));
    drop(go);
}

#[test]
fn sigkilled_ofd_holder_frees_its_lock() {
    if let Some(kind) = child_role() {
        return hold_until_killed(&kind);
    }
    kill_holder_then_lock("sigkilled_ofd_holder_frees_its_lock", "ofd");
}

#[test]
fn sigkilled_flock_holder_frees_its_lock() {
    if let Some(kind) = child_role() {
        return hold_until_killed(&kind);
    }
    kill_holder_then_lock("sigkilled_flock_holder_frees_its_lock", "flock");
}

#[test]
fn closing_another_fd_of_the_file_keeps_the_lock() {
    // The classic POSIX-lock trap: closing any fd of the file dropped all
    // the process's locks on it. OFD locks stay with their description.
    let (_dir, path) = shared_file(8);
    let a = open_rw(&path);
    let _held = lock::lock(&a, LockKind::Exclusive, Range::WHOLE).unwrap();
    drop(open_rw(&path));
    // A second description in the same process conflicts (threads that
    // each open the file exclude each other).
    let b = open_rw(&path);
    assert_eq!(
        lock::try_lock(&b, LockKind::Shared, Range::WHOLE).err(),
        Some(Errno::AGAIN)
    );
    // A duplicate of `a` is the same description: no conflict, and its
    // lock request converts the existing lock.
    let a2 = a.try_clone().unwrap();
    lock::try_lock(&a2, LockKind::Shared, Range::WHOLE)
        .unwrap()
        .forget();
    assert_eq!(
        lock::query(&b, LockKind::Exclusive, Range::WHOLE)
            .unwrap()
            .map(|c| c.kind),
        Some(LockKind::Shared)
    );
    lock::unlock(&a, Range::WHOLE).unwrap();
    assert_eq!(
        lock::query(&b, LockKind::Exclusive, Range::WHOLE).unwrap(),
        None
    );
}

#[test]
fn guards_unlock_on_drop() {
    let (_dir, path) = shared_file(8);
    let (a, b) = (open_rw(&path), open_rw(&path));
    {
        let g = lock::try_lock(&a, LockKind::Exclusive, Range::new(2, 2)).unwrap();
        assert_eq!(
            lock::try_lock(&b, LockKind::Shared, Range::new(3, 1)).err(),
            Some(Errno::AGAIN)
        );
        drop(g);
    }
    drop(lock::try_lock(&b, LockKind::Exclusive, Range::new(3, 1)).unwrap());
    {
        let g = lock::try_flock(&a, LockKind::Shared).unwrap();
        assert_eq!(g.kind(), LockKind::Shared);
        // Shared flock locks coexist; an exclusive one waits.
        drop(lock::try_flock(&b, LockKind::Shared).unwrap());
        assert_eq!(
            lock::try_flock(&b, LockKind::Exclusive).err(),
            Some(Errno::WOULDBLOCK)
        );
    }
    lock::try_flock(&b, LockKind::Exclusive)
        .unwrap()
        .unlock()
        .unwrap();
}

#[test]
fn lock_needs_the_matching_access_mode() {
    let (_dir, path) = shared_file(8);
    let read_only = File::open(&path).unwrap();
    let write_only = OpenOptions::new().write(true).open(&path).unwrap();
    assert_eq!(
        lock::try_lock(&read_only, LockKind::Exclusive, Range::WHOLE).err(),
        Some(Errno::BADF)
    );
    assert_eq!(
        lock::lock(&write_only, LockKind::Shared, Range::WHOLE).err(),
        Some(Errno::BADF)
    );
    // The matching modes work, and the query does not care.
    drop(lock::try_lock(&read_only, LockKind::Shared, Range::WHOLE).unwrap());
    drop(lock::try_lock(&write_only, LockKind::Exclusive, Range::WHOLE).unwrap());
    assert_eq!(
        lock::query(&read_only, LockKind::Exclusive, Range::WHOLE).unwrap(),
        None
    );
    // flock needs no access mode.
    drop(lock::try_flock(&read_only, LockKind::Exclusive).unwrap());
    // An fd number that cannot be open.
    // SAFETY: no fd can have this number (it is above the kernel's
    // ceiling for fs.nr_open), so the calls below only fail with EBADF.
    let closed = unsafe { std::os::fd::BorrowedFd::borrow_raw(i32::MAX) };
    assert_eq!(
        lock::query(closed, LockKind::Shared, Range::WHOLE).err(),
        Some(Errno::BADF)
    );
    assert_eq!(lock::unlock(closed, Range::WHOLE).err(), Some(Errno::BADF));
    assert_eq!(
        lock::try_flock(closed, LockKind::Shared).err(),
        Some(Errno::BADF)
    );
}

#[test]
fn ranges_the_kernel_refuses() {
    let (_dir, path) = shared_file(8);
    let f = open_rw(&path);
    let max = i64::MAX as u64;
    // (range, our errno, the kernel's answer to the same bits as off_t)
    for (range, errno, kernel) in [
        (Range::new(max + 1, 1), Errno::INVAL, Some(Errno::INVAL)),
        (Range::new(u64::MAX, 0), Errno::INVAL, Some(Errno::INVAL)),
        (Range::new(0, max + 1), Errno::INVAL, Some(Errno::INVAL)),
        // As an off_t this length is -1: the kernel would lock byte 9,
        // which is why a length above i64::MAX never reaches it.
        (Range::new(10, u64::MAX), Errno::INVAL, None),
        (Range::new(2, max), Errno::OVERFLOW, Some(Errno::OVERFLOW)),
        (Range::new(max, 2), Errno::OVERFLOW, Some(Errno::OVERFLOW)),
    ] {
        assert_eq!(
            lock::try_lock(&f, LockKind::Exclusive, range).err(),
            Some(errno),
            "{range:?}"
        );
        assert_eq!(
            lock::lock(&f, LockKind::Shared, range).err(),
            Some(errno),
            "{range:?}"
        );
        assert_eq!(
            lock::query(&f, LockKind::Shared, range).err(),
            Some(errno),
            "{range:?}"
        );
        assert_eq!(lock::unlock(&f, range).err(), Some(errno), "{range:?}");
        #[cfg(target_pointer_width = "64")]
        assert_eq!(kernel_says(&f, range), kernel, "{range:?}");
        let _ = kernel;
    }
    // The largest ranges that fit are granted, ranges beyond the end of
    // the file too.
    drop(lock::try_lock(&f, LockKind::Exclusive, Range::new(0, max)).unwrap());
    drop(lock::try_lock(&f, LockKind::Exclusive, Range::new(max, 1)).unwrap());
    drop(lock::try_lock(&f, LockKind::Exclusive, Range::to_end(max)).unwrap());
}

/// What the kernel itself answers to `F_OFD_SETLK` of `range`'s bits
/// taken as `off_t`, through the C library (64-bit targets, where its
/// `flock` is the kernel's): our early refusals must agree with it. A
/// lock it grants is released again.
#[cfg(target_pointer_width = "64")]
fn kernel_says(f: &File, range: Range) -> Option<Errno> {
    let fd = std::os::fd::AsRawFd::as_raw_fd(f);
    // SAFETY: a zeroed flock is valid; fcntl only reads and writes it.
    unsafe {
        let mut fl: libc::flock = std::mem::zeroed();
        fl.l_type = libc::F_WRLCK as _;
        fl.l_whence = libc::SEEK_SET as _;
        fl.l_start = range.start as i64;
        fl.l_len = range.len as i64;
        if libc::fcntl(fd, libc::F_OFD_SETLK, &mut fl) == 0 {
            fl.l_type = libc::F_UNLCK as _;
            assert_eq!(libc::fcntl(fd, libc::F_OFD_SETLK, &mut fl), 0);
            return None;
        }
        Some(Errno::from_io_error(&std::io::Error::last_os_error()).unwrap())
    }
}

#[test]
fn a_signal_interrupts_a_blocked_lock_with_eintr() {
    if child_role().as_deref() == Some("interrupted") {
        // A handler without SA_RESTART, so the wait is not restarted.
        common::install_noop_handler(libc::SIGUSR1, false);
        let path = given_path();
        let (holder, waiter) = (open_rw(&path), open_rw(&path));
        let _held = lock::lock(&holder, LockKind::Exclusive, Range::WHOLE).unwrap();
        let _flocked = lock::flock(&holder, LockKind::Exclusive).unwrap();
        // Signal this thread until the blocked call returns: a signal that
        // lands before the call only runs the handler.
        let blocked =
            interrupting(|| lock::lock(&waiter, LockKind::Shared, Range::new(4, 4)).err());
        assert_eq!(blocked, Some(Errno::INTR));
        let blocked = interrupting(|| lock::flock(&waiter, LockKind::Shared).err());
        assert_eq!(blocked, Some(Errno::INTR));
        return;
    }
    let (_dir, path) = shared_file(8);
    let mut cmd = child(
        "a_signal_interrupts_a_blocked_lock_with_eintr",
        "interrupted",
    );
    cmd.env(PATH_VAR, &path);
    common::run_child(cmd);
}

/// Runs `f` on this thread while another thread sends it SIGUSR1 over and
/// over, until `f` returns.
fn interrupting<T>(f: impl FnOnce() -> T) -> T {
    use std::sync::atomic::{AtomicBool, Ordering};
    // SAFETY: gettid takes no arguments and cannot fail.
    let tid = unsafe { libc::syscall(libc::SYS_gettid) };
    let done = AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            while !done.load(Ordering::Relaxed) {
                // SAFETY: tgkill only sends a signal to a thread of ours.
                unsafe {
                    libc::syscall(
                        libc::SYS_tgkill,
                        libc::getpid() as libc::c_long,
                        tid,
                        libc::SIGUSR1 as libc::c_long,
                    )
                };
                std::thread::yield_now();
            }
        });
        let r = f();
        done.store(true, Ordering::Relaxed);
        r
    })
}

// ---------------------------------------------------------------- replace

/// The size of every version the writer publishes.
const VERSION_LEN: usize = 64 * 1024;

/// Version `v`: its number repeated to fill `VERSION_LEN` bytes, so any
/// mix of two versions, or a short file, is detectable.
fn version(v: u32) -> Vec<u8> {
    v.to_ne_bytes().repeat(VERSION_LEN / 4)
}

/// The version `bytes` is, if it is exactly one whole version.
fn version_of(bytes: &[u8]) -> Option<u32> {
    if bytes.len() != VERSION_LEN {
        return None;
    }
    let first: [u8; 4] = bytes[..4].try_into().unwrap();
    bytes
        .chunks_exact(4)
        .all(|c| c == first)
        .then(|| u32::from_ne_bytes(first))
}

/// Options for version `v`: odd versions use an unnamed temporary file,
/// even ones a named one, so both paths run concurrently with readers.
fn options_for(v: u32) -> Options {
    Options::new()
        .durability(Durability::None)
        .named_temporary(v.is_multiple_of(2))
}

/// In a child: publish versions 1..=n of the given file.
fn publish_versions(n: u32) {
    let path = given_path();
    say_ready();
    for v in 1..=n {
        replace::replace(CWD, &*path, &version(v), &options_for(v)).unwrap();
    }
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    v.sort();
    v
}

#[test]
fn readers_see_whole_versions_only() {
    const N: u32 = 200;
    if child_role().as_deref() == Some("writer") {
        return publish_versions(N);
    }
    let dir = TempDir::new("bareipc-replace");
    let path = dir.join("current");
    replace::replace(CWD, &*path, &version(0), &Options::new()).unwrap();
    let (mut c, go) = spawn_ready("readers_see_whole_versions_only", "writer", &path);
    drop(go);
    let (mut last, mut reads, mut seen) = (0, 0u32, 1u32);
    // Bounded: once the writer is done, the next read sees version N.
    while last != N {
        let bytes = std::fs::read(&path).unwrap();
        reads += 1;
        let v = version_of(&bytes).unwrap_or_else(|| panic!("torn read of {} bytes", bytes.len()));
        assert!(v >= last, "version went back from {last} to {v}");
        if v != last {
            seen += 1;
        }
        last = v;
        if let Some(status) = c.try_wait().unwrap() {
            assert_child_ok(status);
        }
    }
    assert_child_ok(c.wait().unwrap());
    eprintln!("NOTE: {reads} whole reads saw {seen} of {} versions", N + 1);
    // Every temporary name is gone; only the target is left.
    assert_eq!(names(dir.path()), ["current"]);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o7777, 0o600);
}

#[test]
fn replace_and_create_put_whole_files_in_place() {
    let dir = TempDir::new("bareipc-replace");
    let d = File::open(dir.path()).unwrap();
    for named in [false, true] {
        for durability in [
            Durability::None,
            Durability::Data,
            Durability::DataAndDirectory,
        ] {
            let opts = Options::new().durability(durability).named_temporary(named);
            let name = format!("f-{named}-{durability:?}");
            // Relative to a directory fd.
            replace::create(&d, &*name, b"first", &opts).unwrap();
            assert_eq!(
                replace::create(&d, &*name, b"second", &opts).err(),
                Some(Errno::EXIST)
            );
            assert_eq!(std::fs::read(dir.join(&name)).unwrap(), b"first");
            replace::replace(&d, &*name, b"third", &opts).unwrap();
            assert_eq!(std::fs::read(dir.join(&name)).unwrap(), b"third");
            // Written through the fd before the commit.
            let r = Replacement::new(&d, &*name, &opts.mode(Mode::from_raw_mode(0o640))).unwrap();
            r.write_all(b"four").unwrap();
            rustix::io::write(&r, b"th").unwrap();
            r.commit().unwrap();
            assert_eq!(std::fs::read(dir.join(&name)).unwrap(), b"fourth");
            let mode = std::fs::metadata(dir.join(&name))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o7777, 0o640 & !umask());
            // A replacement dropped without a commit changes nothing.
            let r = Replacement::new(&d, &*name, &opts).unwrap();
            r.write_all(b"never").unwrap();
            drop(r);
            assert_eq!(std::fs::read(dir.join(&name)).unwrap(), b"fourth");
        }
    }
    // A path with a directory part, and an absolute one.
    std::fs::create_dir(dir.join("sub")).unwrap();
    replace::replace(&d, "sub/x", b"rel", &Options::new()).unwrap();
    replace::replace(CWD, &*dir.join("sub/y"), b"abs", &Options::new()).unwrap();
    assert_eq!(names(&dir.join("sub")), ["x", "y"]);
    // Nothing but the targets is left: no temporary names.
    let left = names(dir.path());
    assert!(
        left.iter().all(|n| n.starts_with("f-") || n == "sub"),
        "{left:?}"
    );
    assert_eq!(left.len(), 7);
}

/// This process's umask (read without changing it, from /proc).
fn umask() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("Umask:")).unwrap();
    u32::from_str_radix(line.split_whitespace().nth(1).unwrap(), 8).unwrap()
}

#[test]
fn exchange_swaps_two_names() {
    let dir = TempDir::new("bareipc-replace");
    std::fs::write(dir.join("a"), b"A").unwrap();
    std::fs::create_dir(dir.join("b")).unwrap();
    replace::exchange(CWD, &*dir.join("a"), CWD, &*dir.join("b")).unwrap();
    assert!(dir.join("a").is_dir());
    assert_eq!(std::fs::read(dir.join("b")).unwrap(), b"A");
    assert_eq!(
        replace::exchange(CWD, &*dir.join("a"), CWD, &*dir.join("missing")).err(),
        Some(Errno::NOENT)
    );
}

#[test]
fn replace_errors() {
    let dir = TempDir::new("bareipc-replace");
    let opts = Options::new();
    // The directory for the temporary file does not exist.
    let missing = dir.join("no-such-dir/file");
    assert_eq!(
        replace::replace(CWD, &*missing, b"x", &opts).err(),
        Some(Errno::NOENT)
    );
    assert_eq!(
        Replacement::new(CWD, &*missing, &opts).err(),
        Some(Errno::NOENT)
    );
    assert_eq!(
        replace::replace(CWD, "", b"x", &opts).err(),
        Some(Errno::NOENT)
    );
    // Names a rename cannot take, refused before any syscall.
    let d = File::open(dir.path()).unwrap();
    for bad in ["x/", ".", "x/..", "/"] {
        assert_eq!(
            replace::replace(&d, bad, b"x", &opts).err(),
            Some(Errno::INVAL),
            "{bad}"
        );
    }
    let long = "n".repeat(256);
    assert_eq!(
        replace::replace(&d, &*long, b"x", &opts).err(),
        Some(Errno::NAMETOOLONG)
    );
    replace::replace(&d, &long[..255], b"x", &opts).unwrap();
    let bad_mode = opts.mode(Mode::from_bits_retain(0o100600));
    assert_eq!(
        replace::replace(&d, "m", b"x", &bad_mode).err(),
        Some(Errno::INVAL)
    );
    // The target is a directory: refused, and nothing is left behind.
    std::fs::create_dir(dir.join("adir")).unwrap();
    for named in [false, true] {
        let o = opts.named_temporary(named);
        assert_eq!(
            replace::replace(&d, "adir", b"x", &o).err(),
            Some(Errno::ISDIR)
        );
    }
    // A directory part that is a file.
    assert_eq!(
        replace::replace(&d, &*format!("{}/x", &long[..255]), b"x", &opts).err(),
        Some(Errno::NOTDIR)
    );
    assert_eq!(
        names(dir.path()),
        ["adir".to_string(), long[..255].to_string()]
    );
}

// ------------------------------------------------------------------ watch

/// Reads every queued event without waiting (the watcher is
/// non-blocking) and returns (mask, name) pairs.
fn drain(w: &Watcher) -> Vec<(ReadFlags, Vec<u8>)> {
    let mut all = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match w.read(&mut buf) {
            Ok(events) => all.extend(events.map(|e| (e.mask(), e.name_bytes().to_vec()))),
            Err(Errno::AGAIN) => return all,
            Err(e) => panic!("read: {e}"),
        }
    }
}

#[test]
fn a_watcher_sees_one_event_per_replace() {
    const N: u32 = 50;
    if child_role().as_deref() == Some("writer") {
        return publish_versions(N);
    }
    let dir = TempDir::new("bareipc-watch");
    let path = dir.join("current");
    std::fs::write(&path, version(0)).unwrap();
    let w = Watcher::new(WatcherFlags::NONBLOCK).unwrap();
    let wd = w.add(dir.path(), watch::CHANGES).unwrap();
    let (mut c, go) = spawn_ready("a_watcher_sees_one_event_per_replace", "writer", &path);
    drop(go);
    assert_child_ok(c.wait().unwrap());
    let events = drain(&w);
    let into_place = events
        .iter()
        .filter(|(m, name)| m.contains(ReadFlags::MOVED_TO) && name == b"current")
        .count();
    assert_eq!(into_place, N as usize, "{events:?}");
    // No event was lost, and none says the target itself was written.
    assert!(
        !events
            .iter()
            .any(|(m, _)| m.contains(ReadFlags::QUEUE_OVERFLOW))
    );
    assert!(
        !events
            .iter()
            .any(|(m, name)| m.contains(ReadFlags::MODIFY) && name == b"current")
    );
    w.remove(wd).unwrap();
    let last = drain(&w);
    assert_eq!(last, [(ReadFlags::IGNORED, Vec::new())]);
}

#[test]
fn watch_reports_writes_closes_and_deletes() {
    let dir = TempDir::new("bareipc-watch");
    let path = dir.join("f");
    std::fs::write(&path, b"0").unwrap();
    let w = Watcher::new(WatcherFlags::NONBLOCK).unwrap();
    let on_dir = w.add(dir.path(), watch::CHANGES).unwrap();
    let on_file = w
        .add(&*path, WatchFlags::MODIFY | WatchFlags::CLOSE_WRITE)
        .unwrap();
    assert_ne!(on_dir, on_file);
    assert_eq!(drain(&w), []);
    // Pollable: not readable while empty, readable once an event is queued.
    let now = rustix::event::Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    let mut fds = [rustix::event::PollFd::new(&w, rustix::event::PollFlags::IN)];
    assert_eq!(rustix::event::poll(&mut fds, Some(&now)).unwrap(), 0);
    OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap()
        .write_all(b"1")
        .unwrap();
    assert_eq!(rustix::event::poll(&mut fds, Some(&now)).unwrap(), 1);
    let mut buf = [0u8; watch::BUFFER_LEN * 4];
    let mut got: Vec<_> = w
        .read(&mut buf)
        .unwrap()
        .map(|e| {
            (
                e.mask().bits(),
                e.watch(),
                e.name().map(|n| n.to_owned()),
                e.cookie(),
            )
        })
        .collect();
    // The kernel's order between the directory's and the file's watch
    // varies across versions; the set does not.
    got.sort();
    let name = Some(c"f".to_owned());
    let (modify, close_write) = (ReadFlags::MODIFY.bits(), ReadFlags::CLOSE_WRITE.bits());
    let mut want = [
        (modify, on_dir, name.clone(), 0),
        (modify, on_file, None, 0),
        (close_write, on_dir, name.clone(), 0),
        (close_write, on_file, None, 0),
    ];
    want.sort();
    assert_eq!(got, want);
    std::fs::remove_file(&path).unwrap();
    let got = drain(&w);
    assert!(got.contains(&(ReadFlags::DELETE, b"f".to_vec())), "{got:?}");
    // The file's watch went with its inode.
    assert!(got.contains(&(ReadFlags::IGNORED, Vec::new())), "{got:?}");
    assert_eq!(w.remove(on_file).err(), Some(Errno::INVAL));
    w.remove(on_dir).unwrap();
}

#[test]
fn too_small_a_buffer_is_einval() {
    let dir = TempDir::new("bareipc-watch");
    // Blocking: a buffer that cannot hold a header is refused before the
    // read, which would otherwise wait for an event first.
    let w = Watcher::new(WatcherFlags::empty()).unwrap();
    w.add(dir.path(), WatchFlags::CREATE).unwrap();
    let mut tiny = [0u8; watch::EVENT_HEADER_LEN - 1];
    assert_eq!(w.read(&mut tiny).err(), Some(Errno::INVAL));
    // A header fits but the name does not: the kernel says EINVAL and
    // keeps the event.
    std::fs::write(dir.join("a-rather-long-name"), b"").unwrap();
    let mut header = [0u8; watch::EVENT_HEADER_LEN];
    assert_eq!(w.read(&mut header).err(), Some(Errno::INVAL));
    assert_eq!(
        w.read_timeout(&mut header, Duration::ZERO).err(),
        Some(Errno::INVAL)
    );
    assert_eq!(
        w.read_timeout(&mut tiny, Duration::MAX).err(),
        Some(Errno::INVAL)
    );
    let mut buf = [0u8; watch::BUFFER_LEN];
    // An event is queued: even the longest timeout returns at once.
    let events: Vec<_> = w.read_timeout(&mut buf, Duration::MAX).unwrap().collect();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].mask(), ReadFlags::CREATE);
    assert_eq!(events[0].name_bytes(), b"a-rather-long-name");
    // Nothing queued: a zero timeout reports ETIMEDOUT without waiting.
    assert_eq!(
        w.read_timeout(&mut buf, Duration::ZERO).err(),
        Some(Errno::TIMEDOUT)
    );
}

#[test]
fn watch_errors() {
    let dir = TempDir::new("bareipc-watch");
    let file = dir.join("f");
    std::fs::write(&file, b"").unwrap();
    let w = Watcher::new(WatcherFlags::NONBLOCK).unwrap();
    assert_eq!(
        w.add(&*dir.join("missing"), watch::CHANGES).err(),
        Some(Errno::NOENT)
    );
    assert_eq!(
        w.add(&*file, WatchFlags::MODIFY | WatchFlags::ONLYDIR)
            .err(),
        Some(Errno::NOTDIR)
    );
    assert_eq!(w.add(&*file, WatchFlags::empty()).err(), Some(Errno::INVAL));
    w.add(&*file, WatchFlags::MODIFY | WatchFlags::MASK_CREATE)
        .unwrap();
    assert_eq!(
        w.add(&*file, WatchFlags::MODIFY | WatchFlags::MASK_CREATE)
            .err(),
        Some(Errno::EXIST)
    );
    let unknown = WatcherFlags::from_bits_retain(linux_raw_sys::general::O_RDWR);
    assert_eq!(Watcher::new(unknown).err(), Some(Errno::INVAL));
    let mut buf = [0u8; watch::BUFFER_LEN];
    assert_eq!(w.read(&mut buf).err(), Some(Errno::AGAIN));
    w.set_nonblocking(false).unwrap();
    assert!(
        !rustix::fs::fcntl_getfl(&w)
            .unwrap()
            .contains(rustix::fs::OFlags::NONBLOCK)
    );
    let fd_flags = rustix::io::fcntl_getfd(&w).unwrap();
    assert!(fd_flags.contains(rustix::io::FdFlags::CLOEXEC));
}

#[test]
fn no_fd_leaks_across_the_api() {
    if child_role().as_deref() == Some("leakcheck") {
        let dir = TempDir::new("bareipc-leak");
        let before = common::open_fds();
        for named in [false, true] {
            let opts = Options::new().named_temporary(named);
            replace::replace(CWD, &*dir.join("t"), b"x", &opts).unwrap();
            assert!(replace::create(CWD, &*dir.join("t"), b"x", &opts).is_err());
            assert!(replace::replace(CWD, &*dir.join("none/t"), b"x", &opts).is_err());
            drop(Replacement::new(CWD, &*dir.join("t"), &opts).unwrap());
            let f = open_rw(&dir.join("t"));
            drop(lock::lock(&f, LockKind::Exclusive, Range::WHOLE).unwrap());
            drop(f);
            let w = Watcher::new(WatcherFlags::NONBLOCK).unwrap();
            w.add(dir.path(), watch::CHANGES).unwrap();
            drop(drain(&w));
        }
        common::assert_no_fd_leak(&before);
        return;
    }
    common::run_child(child("no_fd_leaks_across_the_api", "leakcheck"));
}

/// `AsFd` on the guards' fd type: a `BorrowedFd` works as well as a file.
#[test]
fn borrowed_fds_lock_too() {
    let (_dir, path) = shared_file(8);
    let f = open_rw(&path);
    let b = f.as_fd();
    let g = lock::try_lock(&b, LockKind::Exclusive, Range::new(0, 1)).unwrap();
    g.unlock().unwrap();
}

#[test]
fn unnamed_temporary_links_without_proc() {
    if child_role().as_deref() == Some("noproc") {
        // A private mount namespace without /proc: the /proc/self/fd/N
        // link path is gone, so the commit needs AT_EMPTY_PATH.
        // SAFETY: plain syscalls on constant arguments, in a child that
        // runs nothing else.
        let hidden = unsafe {
            libc::unshare(libc::CLONE_NEWNS) == 0
                && libc::mount(
                    std::ptr::null(),
                    c"/".as_ptr(),
                    std::ptr::null(),
                    libc::MS_REC | libc::MS_PRIVATE,
                    std::ptr::null(),
                ) == 0
                && libc::umount2(c"/proc".as_ptr(), libc::MNT_DETACH) == 0
        };
        if !hidden || Path::new("/proc/self/fd").exists() {
            eprintln!(
                "NOTE: unnamed_temporary_links_without_proc: skipped: cannot unmount /proc in a \
                 private mount namespace here ({})",
                std::io::Error::last_os_error()
            );
            return;
        }
        let dir = given_path();
        let target = dir.join("t");
        match replace::replace(CWD, &*target, b"linked by fd", &Options::new()) {
            Ok(()) => {
                assert_eq!(std::fs::read(&target).unwrap(), b"linked by fd");
                eprintln!("NOTE: without /proc the unnamed file was linked with AT_EMPTY_PATH");
            }
            // Without CAP_DAC_READ_SEARCH: refused, and nothing is left.
            Err(e) => {
                assert_eq!(e, Errno::NOENT);
                assert_eq!(names(&dir), Vec::<String>::new());
                let named = Options::new().named_temporary(true);
                replace::replace(CWD, &*target, b"named", &named).unwrap();
                eprintln!("NOTE: without /proc and CAP_DAC_READ_SEARCH: ENOENT, named works");
            }
        }
        assert_eq!(names(&dir), ["t"]);
        return;
    }
    let dir = TempDir::new("bareipc-noproc");
    let mut cmd = child("unnamed_temporary_links_without_proc", "noproc");
    cmd.env(PATH_VAR, dir.path());
    common::run_child(cmd);
}

#[test]
fn another_user_is_refused_with_eacces() {
    if child_role().as_deref() == Some("other") {
        let dir = given_path();
        assert_eq!(
            replace::replace(CWD, &*dir.join("x"), b"x", &Options::new()).err(),
            Some(Errno::ACCESS)
        );
        let w = Watcher::new(WatcherFlags::empty()).unwrap();
        assert_eq!(w.add(&*dir, watch::CHANGES).err(), Some(Errno::ACCESS));
        return;
    }
    // A 0o700 directory of ours: the other user may not enter or read it.
    let dir = TempDir::new("bareipc-other");
    let Some(mut cmd) = common::child_as_other_user("another_user_is_refused_with_eacces", "other")
    else {
        return;
    };
    cmd.env(PATH_VAR, dir.path());
    common::run_child(cmd);
    assert_eq!(names(dir.path()), Vec::<String>::new());
}

#[test]
fn a_queue_overflow_is_an_error_not_a_quiet_marker() {
    let max: usize = std::fs::read_to_string("/proc/sys/fs/inotify/max_queued_events")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let dir = TempDir::new("bareipc-overflow");
    let w = Watcher::new(WatcherFlags::NONBLOCK).unwrap();
    w.add(dir.path(), WatchFlags::MODIFY).unwrap();
    // Alternate between two files, so the kernel cannot merge consecutive
    // events: max + 10 of them overflow the queue.
    let mut files = [
        File::create(dir.join("a")).unwrap(),
        File::create(dir.join("b")).unwrap(),
    ];
    for i in 0..max + 10 {
        files[i % 2].write_all(b"x").unwrap();
    }
    let mut buf = vec![0u8; 64 * 1024];
    let mut overflowed = false;
    loop {
        match w.read(&mut buf) {
            Ok(events) => {
                assert!(
                    events
                        .clone()
                        .all(|e| !e.mask().contains(ReadFlags::QUEUE_OVERFLOW)),
                    "the marker never comes out as an event"
                );
            }
            Err(Errno::OVERFLOW) => overflowed = true,
            Err(Errno::AGAIN) => break,
            Err(e) => panic!("read: {e}"),
        }
    }
    assert!(
        overflowed,
        "{} events overflowed a queue of {max}",
        max + 10
    );
    // After the overflow, events are reported again.
    files[0].write_all(b"y").unwrap();
    let n = w.read(&mut buf).unwrap().count();
    assert_eq!(n, 1);
}

#[test]
fn every_watch_flag_outside_the_whitelist_is_einval_and_makes_nothing() {
    if child_role().as_deref() == Some("whitelist") {
        let dir = TempDir::new("bareipc-watch-flags");
        let w = Watcher::new(WatcherFlags::NONBLOCK).unwrap();
        let before = common::open_fds();
        for bit in common::bits_outside(WatcherFlags::all().bits()) {
            let f = WatcherFlags::from_bits_retain(bit);
            assert_eq!(Watcher::new(f).err(), Some(Errno::INVAL), "{bit:#x}");
        }
        common::assert_no_fd_leak(&before);
        let events = WatchFlags::ALL_EVENTS.bits();
        let options = WatchFlags::DONT_FOLLOW
            | WatchFlags::EXCL_UNLINK
            | WatchFlags::MASK_ADD
            | WatchFlags::MASK_CREATE
            | WatchFlags::ONESHOT
            | WatchFlags::ONLYDIR;
        for bit in common::bits_outside(events | options.bits()) {
            // With an event, so that only the unknown bit is wrong.
            let mask = WatchFlags::MODIFY | WatchFlags::from_bits_retain(bit);
            assert_eq!(
                w.add(dir.path(), mask).err(),
                Some(Errno::INVAL),
                "{bit:#x}"
            );
        }
        // No watch was added: the first one the kernel numbers is this.
        assert_eq!(w.add(dir.path(), watch::CHANGES).unwrap().as_raw(), 1);
        return;
    }
    common::run_child(child(
        "every_watch_flag_outside_the_whitelist_is_einval_and_makes_nothing",
        "whitelist",
    ));
}
