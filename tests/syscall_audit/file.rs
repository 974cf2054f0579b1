//! Audit cases for `file`: locks, atomic replacement, inotify. Everything
//! lives in one private temporary directory, removed at the end.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::time::Duration;

use bareipc::Errno;
use bareipc::file::lock::{self, LockKind, Range};
use bareipc::file::replace::{self, Durability, Options, Replacement};
use bareipc::file::watch::{self, Watcher, WatcherFlags};
use rustix::fs::CWD;

use crate::audit;
use crate::audit_drop;
use crate::common::TempDir;

pub fn run() {
    let tmp = TempDir::new("audit-file");
    locks(&tmp);
    replacement(&tmp);
    watching(&tmp);
}

fn open_rw(path: &Path) -> File {
    OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .unwrap()
}

fn locks(tmp: &TempDir) {
    let path = tmp.join("locked");
    std::fs::write(&path, [0u8; 64]).unwrap();
    // Two open file descriptions: locks of one conflict with the other's.
    let (a, b) = (open_rw(&path), open_rw(&path));
    let head = audit("file::lock::Range::new", &[], || Range::new(0, 8));
    let tail = audit("file::lock::Range::to_end", &[], || Range::to_end(32));
    let refused = Range::new(u64::MAX, 1);

    // Byte-range (OFD) locks.
    let g = audit("file::lock::lock", &["fcntl"], || {
        lock::lock(&a, LockKind::Exclusive, head).unwrap()
    });
    audit("file::lock::OfdGuard::kind", &[], || {
        assert_eq!(g.kind(), LockKind::Exclusive)
    });
    audit("file::lock::OfdGuard::range", &[], || {
        assert_eq!(g.range(), head)
    });
    let c = audit("file::lock::query", &["fcntl"], || {
        lock::query(&b, LockKind::Shared, head).unwrap()
    });
    assert_eq!(
        c.map(|c| (c.kind, c.range)),
        Some((LockKind::Exclusive, head))
    );
    let r = audit("file::lock::try_lock", &["fcntl"], || {
        lock::try_lock(&b, LockKind::Shared, head).map(drop)
    });
    assert_eq!(r, Err(Errno::AGAIN));
    // An fd passed by value is closed when the call fails.
    let owned = open_rw(&path);
    let r = audit("file::lock::try_lock", &["fcntl", "close"], || {
        lock::try_lock(owned, LockKind::Shared, head).map(drop)
    });
    assert_eq!(r, Err(Errno::AGAIN));
    audit("file::lock::OfdGuard::unlock", &["fcntl"], || {
        g.unlock().unwrap()
    });
    let g = audit("file::lock::try_lock", &["fcntl"], || {
        lock::try_lock(&a, LockKind::Shared, tail).unwrap()
    });
    audit_drop("file::lock::OfdGuard", &["fcntl"], g);
    let g = lock::lock(&a, LockKind::Shared, head).unwrap();
    audit("file::lock::OfdGuard::forget", &[], || g.forget());
    audit("file::lock::unlock", &["fcntl"], || {
        lock::unlock(&a, head).unwrap()
    });
    // Owned fds: closed with the guard.
    let owned = open_rw(&path);
    let g = lock::lock(owned, LockKind::Shared, head).unwrap();
    audit("file::lock::OfdGuard::forget", &["close"], || g.forget());
    let g = lock::lock(open_rw(&path), LockKind::Shared, head).unwrap();
    audit("file::lock::OfdGuard::unlock", &["fcntl", "close"], || {
        g.unlock().unwrap()
    });
    let g = lock::lock(open_rw(&path), LockKind::Shared, head).unwrap();
    audit_drop("file::lock::OfdGuard", &["fcntl", "close"], g);
    // Ranges the kernel would refuse are refused before any syscall.
    let r = audit("file::lock::lock", &[], || {
        lock::lock(&a, LockKind::Shared, refused).map(drop)
    });
    assert_eq!(r, Err(Errno::INVAL));
    let r = audit("file::lock::try_lock", &[], || {
        lock::try_lock(&a, LockKind::Shared, refused).map(drop)
    });
    assert_eq!(r, Err(Errno::INVAL));
    let r = audit("file::lock::unlock", &[], || lock::unlock(&a, refused));
    assert_eq!(r, Err(Errno::INVAL));
    let r = audit("file::lock::query", &[], || {
        lock::query(&a, LockKind::Shared, refused).map(drop)
    });
    assert_eq!(r, Err(Errno::INVAL));

    // Whole-file flock locks.
    let g = audit("file::lock::flock", &["flock"], || {
        lock::flock(&a, LockKind::Exclusive).unwrap()
    });
    audit("file::lock::FlockGuard::kind", &[], || {
        assert_eq!(g.kind(), LockKind::Exclusive)
    });
    let r = audit("file::lock::try_flock", &["flock"], || {
        lock::try_flock(&b, LockKind::Shared).map(drop)
    });
    assert_eq!(r, Err(Errno::WOULDBLOCK));
    let owned = open_rw(&path);
    let r = audit("file::lock::try_flock", &["flock", "close"], || {
        lock::try_flock(owned, LockKind::Shared).map(drop)
    });
    assert_eq!(r, Err(Errno::WOULDBLOCK));
    audit("file::lock::FlockGuard::unlock", &["flock"], || {
        g.unlock().unwrap()
    });
    let g = audit("file::lock::try_flock", &["flock"], || {
        lock::try_flock(&b, LockKind::Shared).unwrap()
    });
    audit_drop("file::lock::FlockGuard", &["flock"], g);
    let g = lock::flock(&a, LockKind::Shared).unwrap();
    audit("file::lock::FlockGuard::forget", &[], || g.forget());
    rustix::fs::flock(&a, rustix::fs::FlockOperation::Unlock).unwrap();
    let g = lock::flock(open_rw(&path), LockKind::Shared).unwrap();
    audit("file::lock::FlockGuard::forget", &["close"], || g.forget());
    let g = lock::flock(open_rw(&path), LockKind::Shared).unwrap();
    audit(
        "file::lock::FlockGuard::unlock",
        &["flock", "close"],
        || g.unlock().unwrap(),
    );
    let g = lock::flock(open_rw(&path), LockKind::Shared).unwrap();
    audit_drop("file::lock::FlockGuard", &["flock", "close"], g);
    // Failing on fds passed by value, which are then closed: a refused
    // range (no syscall), and an `O_PATH` fd, which `flock` refuses.
    let owned = open_rw(&path);
    let r = audit("file::lock::lock", &["close"], || {
        lock::lock(owned, LockKind::Shared, refused).map(drop)
    });
    assert_eq!(r, Err(Errno::INVAL));
    let o_path = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_PATH)
        .open(&path)
        .unwrap();
    let r = audit("file::lock::flock", &["flock", "close"], || {
        lock::flock(o_path, LockKind::Shared).map(drop)
    });
    assert_eq!(r, Err(Errno::BADF));
}

fn replacement(tmp: &TempDir) {
    let dir = File::open(tmp.path()).unwrap();
    let none = audit("file::replace::Options::new", &[], Options::new);
    let named = audit("file::replace::Options::named_temporary", &[], || {
        none.named_temporary(true)
    });
    let synced = audit("file::replace::Options::durability", &[], || {
        none.durability(Durability::DataAndDirectory)
    });
    let _ = audit("file::replace::Options::mode", &[], || {
        none.mode(rustix::fs::Mode::from_raw_mode(0o640))
    });
    let read = |name: &str| std::fs::read(tmp.join(name)).unwrap();
    let leftovers = || {
        std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.starts_with(".bareipc-"))
            .collect::<Vec<_>>()
    };

    // replace: unnamed (O_TMPFILE) and named temporary files, each synced
    // as asked; a failed rename (onto a directory) removes the name.
    audit(
        "file::replace::replace",
        &[
            "openat",
            "openat",
            "write",
            "fdatasync",
            "getpid",
            "linkat",
            "renameat",
            "close",
            "close",
        ],
        || replace::replace(&dir, "r", b"one", &none).unwrap(),
    );
    audit(
        "file::replace::replace",
        &[
            "openat",
            "openat",
            "write",
            "fdatasync",
            "getpid",
            "linkat",
            "renameat",
            "fsync",
            "close",
            "close",
        ],
        || replace::replace(&dir, "r", b"two", &synced).unwrap(),
    );
    audit(
        "file::replace::replace",
        &[
            "openat",
            "getpid",
            "openat",
            "write",
            "fdatasync",
            "renameat",
            "close",
            "close",
        ],
        || replace::replace(&dir, "r", b"three", &named).unwrap(),
    );
    assert_eq!(read("r"), b"three");
    std::fs::create_dir(tmp.join("d")).unwrap();
    let r = audit(
        "file::replace::replace",
        &[
            "openat",
            "openat",
            "write",
            "fdatasync",
            "getpid",
            "linkat",
            "renameat",
            "unlinkat",
            "close",
            "close",
        ],
        || replace::replace(&dir, "d", b"x", &none),
    );
    assert_eq!(r, Err(Errno::ISDIR));
    let r = audit(
        "file::replace::replace",
        &[
            "openat",
            "getpid",
            "openat",
            "write",
            "fdatasync",
            "renameat",
            "unlinkat",
            "close",
            "close",
        ],
        || replace::replace(&dir, "d", b"x", &named),
    );
    assert_eq!(r, Err(Errno::ISDIR));

    // create: linked straight to its name, or renamed without replacing.
    audit(
        "file::replace::create",
        &[
            "openat",
            "openat",
            "write",
            "fdatasync",
            "linkat",
            "close",
            "close",
        ],
        || replace::create(&dir, "c1", b"one", &none).unwrap(),
    );
    audit(
        "file::replace::create",
        &[
            "openat",
            "getpid",
            "openat",
            "write",
            "fdatasync",
            "renameat2",
            "fsync",
            "close",
            "close",
        ],
        || {
            replace::create(
                &dir,
                "c2",
                b"two",
                &named.durability(Durability::DataAndDirectory),
            )
            .unwrap()
        },
    );
    let r = audit(
        "file::replace::create",
        &[
            "openat",
            "openat",
            "write",
            "fdatasync",
            "linkat",
            "close",
            "close",
        ],
        || replace::create(&dir, "c1", b"x", &none),
    );
    assert_eq!(r, Err(Errno::EXIST));
    let r = audit(
        "file::replace::create",
        &[
            "openat",
            "getpid",
            "openat",
            "write",
            "fdatasync",
            "renameat2",
            "unlinkat",
            "close",
            "close",
        ],
        || replace::create(&dir, "c1", b"x", &named),
    );
    assert_eq!(r, Err(Errno::EXIST));
    assert_eq!((read("c1"), read("c2")), (b"one".to_vec(), b"two".to_vec()));

    audit("file::replace::exchange", &["renameat2"], || {
        replace::exchange(&dir, "c1", &dir, "c2").unwrap()
    });
    assert_eq!((read("c1"), read("c2")), (b"two".to_vec(), b"one".to_vec()));

    // Replacement, step by step.
    let nosync = none.durability(Durability::None);
    let r = audit(
        "file::replace::Replacement::new",
        &["openat", "openat"],
        || Replacement::new(&dir, "s", &nosync).unwrap(),
    );
    audit("file::replace::Replacement::write_all", &["write"], || {
        r.write_all(b"step").unwrap()
    });
    audit(
        "file::replace::Replacement::commit",
        &["getpid", "linkat", "renameat", "close", "close"],
        || r.commit().unwrap(),
    );
    let r = audit(
        "file::replace::Replacement::new",
        &["openat", "getpid", "openat"],
        || Replacement::new(&dir, "s", &named).unwrap(),
    );
    r.write_all(b"named").unwrap();
    audit(
        "file::replace::Replacement::commit",
        &["fdatasync", "renameat", "close", "close"],
        || r.commit().unwrap(),
    );
    assert_eq!(read("s"), b"named");
    let r = Replacement::new(&dir, "d", &synced).unwrap();
    let e = audit(
        "file::replace::Replacement::commit",
        &[
            "fdatasync",
            "getpid",
            "linkat",
            "renameat",
            "unlinkat",
            "close",
            "close",
        ],
        || r.commit(),
    );
    assert_eq!(e, Err(Errno::ISDIR));
    let r = Replacement::new(&dir, "s", &synced).unwrap();
    audit(
        "file::replace::Replacement::commit",
        &[
            "fdatasync",
            "getpid",
            "linkat",
            "renameat",
            "fsync",
            "close",
            "close",
        ],
        || r.commit().unwrap(),
    );
    let r = Replacement::new(&dir, "n1", &synced).unwrap();
    audit(
        "file::replace::Replacement::commit_new",
        &["fdatasync", "linkat", "fsync", "close", "close"],
        || r.commit_new().unwrap(),
    );
    let r = Replacement::new(&dir, "n2", &named).unwrap();
    audit(
        "file::replace::Replacement::commit_new",
        &["fdatasync", "renameat2", "close", "close"],
        || r.commit_new().unwrap(),
    );
    let r = Replacement::new(&dir, "n1", &named).unwrap();
    let e = audit(
        "file::replace::Replacement::commit_new",
        &["fdatasync", "renameat2", "unlinkat", "close", "close"],
        || r.commit_new(),
    );
    assert_eq!(e, Err(Errno::EXIST));
    let r = Replacement::new(&dir, "n1", &none).unwrap();
    let e = audit(
        "file::replace::Replacement::commit_new",
        &["fdatasync", "linkat", "close", "close"],
        || r.commit_new(),
    );
    assert_eq!(e, Err(Errno::EXIST));

    // Dropped uncommitted: a named temporary file is removed.
    let r = Replacement::new(&dir, "s", &none).unwrap();
    audit_drop("file::replace::Replacement", &["close", "close"], r);
    let r = Replacement::new(&dir, "s", &named).unwrap();
    audit_drop(
        "file::replace::Replacement",
        &["unlinkat", "close", "close"],
        r,
    );

    // O_TMPFILE refused (procfs has no tmpfile), then a named file that
    // cannot be created: the directory fd is closed again.
    let r = audit(
        "file::replace::Replacement::new",
        &["openat", "openat", "getpid", "openat", "close"],
        || Replacement::new(CWD, "/proc/bareipc-audit", &none).map(drop),
    );
    assert!(r.is_err());
    assert_eq!(leftovers(), Vec::<String>::new());
}

fn watching(tmp: &TempDir) {
    let w = audit("file::watch::Watcher::new", &["inotify_init1"], || {
        Watcher::new(WatcherFlags::NONBLOCK).unwrap()
    });
    let path = tmp.path();
    let wd = audit("file::watch::Watcher::add", &["inotify_add_watch"], || {
        w.add(path, watch::CHANGES).unwrap()
    });
    audit("file::watch::Watch::as_raw", &[], || wd.as_raw());

    let mut small = [0u8; 8];
    let mut buf = [0u8; watch::BUFFER_LEN];
    let r = audit("file::watch::Watcher::read", &["read"], || {
        w.read(&mut buf).map(|e| e.count())
    });
    assert_eq!(r.err(), Some(Errno::AGAIN));
    let r = audit("file::watch::Watcher::read", &[], || {
        w.read(&mut small).map(|e| e.count())
    });
    assert_eq!(r.err(), Some(Errno::INVAL));
    let r = audit("file::watch::Watcher::read_timeout", &["ppoll"], || {
        w.read_timeout(&mut buf, Duration::ZERO).map(|e| e.count())
    });
    assert_eq!(r.err(), Some(Errno::TIMEDOUT));
    let r = audit("file::watch::Watcher::read_timeout", &[], || {
        w.read_timeout(&mut small, Duration::ZERO)
            .map(|e| e.count())
    });
    assert_eq!(r.err(), Some(Errno::INVAL));

    File::create(tmp.join("w1")).unwrap();
    let n = audit(
        "file::watch::Watcher::read_timeout",
        &["ppoll", "read"],
        || {
            w.read_timeout(&mut buf, Duration::from_secs(10))
                .unwrap()
                .count()
        },
    );
    assert!(n >= 1);
    File::create(tmp.join("w2")).unwrap();
    let events = audit("file::watch::Watcher::read", &["read"], || {
        w.read(&mut buf).unwrap()
    });
    let e = events.clone().next().unwrap();
    audit("file::watch::Event::watch", &[], || {
        assert_eq!(e.watch(), wd)
    });
    audit("file::watch::Event::mask", &[], || {
        assert!(e.mask().contains(watch::ReadFlags::CREATE))
    });
    audit("file::watch::Event::cookie", &[], || {
        assert_eq!(e.cookie(), 0)
    });
    audit("file::watch::Event::name", &[], || {
        assert_eq!(e.name(), Some(c"w2"))
    });
    audit("file::watch::Event::name_bytes", &[], || {
        assert_eq!(e.name_bytes(), b"w2")
    });
    audit(
        "file::watch::Watcher::remove",
        &["inotify_rm_watch"],
        || w.remove(wd).unwrap(),
    );
}
