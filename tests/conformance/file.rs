//! Conformance cases: file-based IPC — open-file-description locks
//! (`F_OFD_*`), `flock`, and inotify — from LTP's `fcntl34`/`fcntl36`,
//! `flock01`–`flock06`, `inotify01`/`02`/`04`/`05`,
//! `inotify_init1_01`/`02`, and the kernel's `filelock/ofdlocks`
//! selftest.
//!
//! Not reachable: LTP's bad-operation and bad-fd cases (`flock02`
//! `EINVAL`/`EBADF` for a bad op or fd) — the operation is a `LockKind`
//! and the fd a borrowed one; the classic POSIX record-lock cases
//! (`fcntl11`–`fcntl27`, deadlock detection in `fcntl17`), since the
//! crate offers only OFD locks on purpose (see `file::lock`).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::fd::AsRawFd;

use bareipc::Errno;
use bareipc::file::lock::{self, LockKind, Range};
use bareipc::file::watch::{self, ReadFlags, WatchFlags, Watcher, WatcherFlags};

use crate::common::{self, TempDir, child, child_role};

fn open_rw(path: &std::path::Path) -> File {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .unwrap()
}

/// All events a non-blocking watcher has queued, as (mask, name) pairs.
fn drain(w: &Watcher) -> Vec<(ReadFlags, Vec<u8>)> {
    let mut buf = [0u8; watch::BUFFER_LEN * 8];
    let mut out = Vec::new();
    loop {
        match w.read(&mut buf) {
            Ok(evs) => out.extend(evs.map(|e| (e.mask(), e.name_bytes().to_vec()))),
            Err(Errno::AGAIN) => return out,
            Err(e) => panic!("read: {e}"),
        }
    }
}

/// kernel selftests filelock/ofdlocks, ltp fcntl34: two open file
/// descriptions of one file exclude each other (even in one process); a
/// query from the other reports the holder's range and no pid.
#[test]
fn ofdlocks_two_descriptions_conflict_and_query_reports() {
    let dir = TempDir::new("conf-ofd");
    let path = dir.join("f");
    let (a, b) = (open_rw(&path), open_rw(&path));
    let _g = lock::try_lock(&a, LockKind::Exclusive, Range::new(0, 10)).unwrap();
    assert_eq!(
        lock::try_lock(&b, LockKind::Shared, Range::new(5, 1)).err(),
        Some(Errno::AGAIN)
    );
    let c = lock::query(&b, LockKind::Shared, Range::new(5, 1))
        .unwrap()
        .expect("a conflict");
    assert_eq!(
        (c.kind, c.range, c.pid),
        (LockKind::Exclusive, Range::new(0, 10), None)
    );
    // A description's own locks never conflict with it.
    assert_eq!(
        lock::query(&a, LockKind::Exclusive, Range::new(0, 10)).unwrap(),
        None
    );
    // Disjoint bytes are free.
    let _h = lock::try_lock(&b, LockKind::Exclusive, Range::new(10, 5)).unwrap();
}

/// kernel selftests filelock/ofdlocks (the F_UNLCK query, Linux 6.6): a
/// description asks which of its own locks cover a range; another
/// description of the same file sees none of them.
#[test]
fn ofdlocks_query_of_own_locks_with_f_unlck() {
    let dir = TempDir::new("conf-ofd-own");
    let path = dir.join("f");
    let (a, b) = (open_rw(&path), open_rw(&path));
    let _r = lock::try_lock(&a, LockKind::Shared, Range::new(0, 4)).unwrap();
    let _w = lock::try_lock(&a, LockKind::Exclusive, Range::new(100, 0)).unwrap();
    match lock::held(&a, Range::new(2, 1)) {
        Err(Errno::INVAL) => {
            crate::skip(
                "ofdlocks F_UNLCK",
                "F_OFD_GETLK refuses F_UNLCK (Linux < 6.6, or qemu-user)",
            );
            return;
        }
        r => assert_eq!(r.unwrap(), Some((LockKind::Shared, Range::new(0, 4)))),
    }
    assert_eq!(
        lock::held(&a, Range::new(200, 1)).unwrap(),
        Some((LockKind::Exclusive, Range::new(100, 0)))
    );
    assert_eq!(
        lock::held(&a, Range::new(10, 50)).unwrap(),
        None,
        "no lock there"
    );
    assert_eq!(lock::held(&b, Range::WHOLE).unwrap(), None, "not b's locks");
}

/// ltp fcntl36 (OFD vs POSIX): an OFD lock and a classic POSIX lock on the
/// same bytes conflict, whichever comes first.
#[test]
fn fcntl36_ofd_and_posix_locks_conflict() {
    let dir = TempDir::new("conf-ofd-posix");
    let path = dir.join("f");
    let (a, b) = (open_rw(&path), open_rw(&path));
    // SAFETY: all-zero is a valid flock.
    let mut fl: libc::flock = unsafe { std::mem::zeroed() };
    fl.l_type = libc::F_WRLCK as _;
    fl.l_whence = libc::SEEK_SET as _;
    fl.l_len = 10;
    // SAFETY: F_SETLK with a live flock on our own fd.
    assert_eq!(unsafe { libc::fcntl(b.as_raw_fd(), libc::F_SETLK, &fl) }, 0);
    assert_eq!(
        lock::try_lock(&a, LockKind::Shared, Range::new(0, 1)).err(),
        Some(Errno::AGAIN)
    );
    let c = lock::query(&a, LockKind::Shared, Range::WHOLE)
        .unwrap()
        .expect("the POSIX lock");
    assert_eq!(
        c.pid.map(|p| p.as_raw_nonzero().get() as u32),
        Some(std::process::id())
    );
    fl.l_type = libc::F_UNLCK as _;
    // SAFETY: as above, unlocking.
    assert_eq!(unsafe { libc::fcntl(b.as_raw_fd(), libc::F_SETLK, &fl) }, 0);
    let _g = lock::try_lock(&a, LockKind::Exclusive, Range::new(0, 1)).unwrap();
    fl.l_type = libc::F_RDLCK as _;
    // SAFETY: as above.
    let r = unsafe { libc::fcntl(b.as_raw_fd(), libc::F_SETLK, &fl) };
    assert_eq!(
        (r, crate::c_errno()),
        (-1, Errno::AGAIN),
        "the OFD lock holds POSIX off"
    );
}

/// ltp flock01 / flock04 / flock06: shared locks of two descriptions
/// coexist; an exclusive one waits for neither to be taken and is
/// refused (`EWOULDBLOCK`) while either is held.
#[test]
fn flock04_shared_and_exclusive() {
    let dir = TempDir::new("conf-flock");
    let path = dir.join("f");
    let (a, b, c) = (open_rw(&path), open_rw(&path), open_rw(&path));
    let sa = lock::try_flock(&a, LockKind::Shared).unwrap();
    let sb = lock::try_flock(&b, LockKind::Shared).unwrap();
    assert_eq!(
        lock::try_flock(&c, LockKind::Exclusive).err(),
        Some(Errno::WOULDBLOCK)
    );
    drop(sa);
    assert_eq!(
        lock::try_flock(&c, LockKind::Exclusive).err(),
        Some(Errno::WOULDBLOCK)
    );
    drop(sb);
    let _x = lock::try_flock(&c, LockKind::Exclusive).unwrap();
    assert_eq!(
        lock::try_flock(&a, LockKind::Shared).err(),
        Some(Errno::WOULDBLOCK)
    );
}

/// ltp flock03: a lock belongs to the open file description, so a child
/// that inherited the description holds it too, and unlocking there frees
/// it for the parent's other description.
#[test]
fn flock03_lock_is_shared_through_an_inherited_description() {
    if child_role().as_deref() == Some("heir") {
        let f = File::from(common::take_fd(10));
        // Same description: converting/unlocking acts on the parent's lock.
        assert_eq!(
            lock::try_flock(&f, LockKind::Exclusive)
                .map(|g| g.unlock())
                .err(),
            None
        );
        return;
    }
    let dir = TempDir::new("conf-flock-fork");
    let path = dir.join("f");
    let (a, other) = (open_rw(&path), open_rw(&path));
    lock::try_flock(&a, LockKind::Exclusive).unwrap().forget();
    assert_eq!(
        lock::try_flock(&other, LockKind::Shared).err(),
        Some(Errno::WOULDBLOCK)
    );
    let mut cmd = child(
        "file::flock03_lock_is_shared_through_an_inherited_description",
        "heir",
    );
    common::give_fd(&mut cmd, a.try_clone().unwrap().into(), 10);
    common::run_child(cmd);
    let _s = lock::try_flock(&other, LockKind::Shared).expect("the heir unlocked it");
}

/// ltp inotify_init1_01 / inotify_init1_02: the instance is close-on-exec
/// always and non-blocking when asked (an empty read is `EAGAIN`); an
/// unknown flag is `EINVAL`, as from C's `inotify_init1`.
#[test]
fn inotify_init1_flags() {
    let w = Watcher::new(WatcherFlags::NONBLOCK).unwrap();
    assert!(
        rustix::io::fcntl_getfd(&w)
            .unwrap()
            .contains(rustix::io::FdFlags::CLOEXEC)
    );
    assert!(
        rustix::fs::fcntl_getfl(&w)
            .unwrap()
            .contains(rustix::fs::OFlags::NONBLOCK)
    );
    let mut buf = [0u8; watch::BUFFER_LEN];
    assert_eq!(w.read(&mut buf).err(), Some(Errno::AGAIN));
    // SAFETY: the call fails and creates nothing.
    let c = unsafe { libc::inotify_init1(libc::O_APPEND) } as i64;
    let ours = Watcher::new(WatcherFlags::from_bits_retain(libc::O_APPEND as u32));
    crate::same_errno("inotify_init1 EINVAL", ours, c, Errno::INVAL);
}

/// ltp inotify01: a watch on a file reports its attribute change, open,
/// read, write and close, each once, in order.
#[test]
fn inotify01_file_events_in_order() {
    let dir = TempDir::new("conf-inotify1");
    let path = dir.join("f");
    std::fs::write(&path, b"data").unwrap();
    let w = Watcher::new(WatcherFlags::NONBLOCK).unwrap();
    let mask = WatchFlags::ATTRIB
        | WatchFlags::OPEN
        | WatchFlags::ACCESS
        | WatchFlags::MODIFY
        | WatchFlags::CLOSE_WRITE
        | WatchFlags::CLOSE_NOWRITE;
    w.add(&*path, mask).unwrap();
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o640)).unwrap();
    let mut f = File::open(&path).unwrap();
    std::io::Read::read(&mut f, &mut [0u8; 4]).unwrap();
    drop(f);
    let mut f = OpenOptions::new().write(true).open(&path).unwrap();
    f.write_all(b"x").unwrap();
    drop(f);
    let got: Vec<ReadFlags> = drain(&w).into_iter().map(|(m, _)| m).collect();
    assert_eq!(
        got,
        [
            ReadFlags::ATTRIB,
            ReadFlags::OPEN,
            ReadFlags::ACCESS,
            ReadFlags::CLOSE_NOWRITE,
            ReadFlags::OPEN,
            ReadFlags::MODIFY,
            ReadFlags::CLOSE_WRITE,
        ]
    );
}

/// ltp inotify02: a watch on a directory reports create, a rename as
/// `MOVED_FROM`/`MOVED_TO` with one cookie, and delete, each with the name.
#[test]
fn inotify02_directory_events_with_names_and_cookies() {
    let dir = TempDir::new("conf-inotify2");
    let w = Watcher::new(WatcherFlags::NONBLOCK).unwrap();
    w.add(
        dir.path(),
        WatchFlags::CREATE | WatchFlags::MOVED_FROM | WatchFlags::MOVED_TO | WatchFlags::DELETE,
    )
    .unwrap();
    std::fs::write(dir.join("a"), b"").unwrap();
    std::fs::rename(dir.join("a"), dir.join("b")).unwrap();
    std::fs::remove_file(dir.join("b")).unwrap();
    let mut buf = [0u8; watch::BUFFER_LEN * 8];
    let evs: Vec<_> = w
        .read(&mut buf)
        .unwrap()
        .map(|e| (e.mask(), e.name_bytes().to_vec(), e.cookie()))
        .collect();
    assert_eq!(evs.len(), 4, "{evs:?}");
    assert_eq!((evs[0].0, &evs[0].1[..]), (ReadFlags::CREATE, &b"a"[..]));
    assert_eq!(
        (evs[1].0, &evs[1].1[..]),
        (ReadFlags::MOVED_FROM, &b"a"[..])
    );
    assert_eq!((evs[2].0, &evs[2].1[..]), (ReadFlags::MOVED_TO, &b"b"[..]));
    assert!(
        evs[1].2 != 0 && evs[1].2 == evs[2].2,
        "one cookie for the rename"
    );
    assert_eq!((evs[3].0, &evs[3].1[..]), (ReadFlags::DELETE, &b"b"[..]));
}

/// ltp inotify04: removing a watched file gives `DELETE_SELF` and then
/// `IGNORED`; the watch is gone afterwards (`EINVAL` to remove it).
#[test]
fn inotify04_delete_self_then_ignored() {
    let dir = TempDir::new("conf-inotify4");
    let path = dir.join("f");
    std::fs::write(&path, b"").unwrap();
    let w = Watcher::new(WatcherFlags::NONBLOCK).unwrap();
    let wd = w.add(&*path, WatchFlags::DELETE_SELF).unwrap();
    std::fs::remove_file(&path).unwrap();
    let got: Vec<ReadFlags> = drain(&w).into_iter().map(|(m, _)| m).collect();
    assert_eq!(got, [ReadFlags::DELETE_SELF, ReadFlags::IGNORED]);
    assert_eq!(w.remove(wd).err(), Some(Errno::INVAL));
}

/// ltp inotify05: more events than `max_queued_events` make the kernel
/// queue `IN_Q_OVERFLOW`; the crate reports it as `EOVERFLOW` rather than
/// as a marker a reader could skip, and the queue works again after.
#[test]
fn inotify05_queue_overflow_is_eoverflow() {
    let max: usize = std::fs::read_to_string("/proc/sys/fs/inotify/max_queued_events")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    if max > 1 << 16 {
        crate::skip(
            "inotify05",
            &format!("max_queued_events is {max}: too many writes to overflow"),
        );
        return;
    }
    let dir = TempDir::new("conf-inotify5");
    let path = dir.join("f");
    let w = Watcher::new(WatcherFlags::NONBLOCK).unwrap();
    w.add(dir.path(), WatchFlags::CREATE | WatchFlags::DELETE)
        .unwrap();
    // Distinct events (the kernel merges identical consecutive ones).
    for _ in 0..=max / 2 + 1 {
        std::fs::write(&path, b"").unwrap();
        std::fs::remove_file(&path).unwrap();
    }
    let mut buf = [0u8; watch::BUFFER_LEN * 64];
    let mut saw = false;
    loop {
        match w.read(&mut buf) {
            Ok(_) => {}
            Err(Errno::OVERFLOW) => saw = true,
            Err(Errno::AGAIN) => break,
            Err(e) => panic!("read: {e}"),
        }
    }
    assert!(saw, "no EOVERFLOW after {} events", max + 2);
    std::fs::write(&path, b"").unwrap();
    assert_eq!(drain(&w), [(ReadFlags::CREATE, b"f".to_vec())]);
}
