//! Audit cases for `file`: locks, atomic replacement, inotify. Everything
//! lives in one private temporary directory, removed at the end.

use std::fs::{File, OpenOptions};
use std::path::Path;
use std::time::Duration;

use bareipc::Errno;
use bareipc::file::lock::{self, LockKind, Range};
use bareipc::file::replace::{self, Durability, Options, Replacement};
use bareipc::file::watch::{self, Watcher, WatcherFlags};
use rustix::fs::{CWD, Mode, OFlags};

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
    // EINVAL before Linux 6.6 and under qemu-user: the fcntl is made either way.
    let own = audit("file::lock::held", &["fcntl"], || lock::held(&a, head));
    assert!(
        matches!(own, Ok(Some((LockKind::Exclusive, _))) | Err(Errno::INVAL)),
        "{own:?}"
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
    let r = audit("file::lock::held", &[], || {
        lock::held(&a, refused).map(drop)
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
    let o_path = rustix::fs::open(&path, OFlags::PATH | OFlags::CLOEXEC, Mode::empty()).unwrap();
    let r = audit("file::lock::flock", &["flock", "close"], || {
        lock::flock(o_path, LockKind::Shared).map(drop)
    });
    assert_eq!(r, Err(Errno::BADF));
}

// The phases of a replacement, as traced.
/// The directory, then an unnamed (`O_TMPFILE`) temporary file.
const OPEN_UNNAMED: &[&str] = &["openat", "openat"];
/// The directory, then a named temporary file under a fresh name.
const OPEN_NAMED: &[&str] = &["openat", "getrandom", "openat"];
/// An unnamed temporary file given a fresh name.
const LINK_TEMP: &[&str] = &["getrandom", "linkat"];
/// The directory and the file.
const CLOSE_BOTH: &[&str] = &["close", "close"];

fn replacement(tmp: &TempDir) {
    let dir = File::open(tmp.path()).unwrap();
    let data = audit("file::replace::Options::new", &[], Options::new);
    let named = audit("file::replace::Options::named_temporary", &[], || {
        data.named_temporary(true)
    });
    let all = audit("file::replace::Options::durability", &[], || {
        data.durability(Durability::DataAndDirectory)
    });
    let nosync = data.durability(Durability::None);
    let _ = audit("file::replace::Options::mode", &[], || {
        data.mode(Mode::from_raw_mode(0o640))
    });
    let read = |name: &str| std::fs::read(tmp.join(name)).unwrap();
    // A directory: a file cannot be renamed over it.
    std::fs::create_dir(tmp.join("d")).unwrap();

    // replace: unnamed and named temporary files, synced as asked; a
    // failed rename removes the temporary name.
    let write_sync = &["write", "fdatasync"][..];
    let cases: [(&Options, &str, &[&[&str]]); 5] = [
        (
            &data,
            "r",
            &[OPEN_UNNAMED, write_sync, LINK_TEMP, &["renameat"]],
        ),
        (
            &all,
            "r",
            &[OPEN_UNNAMED, write_sync, LINK_TEMP, &["renameat", "fsync"]],
        ),
        (&named, "r", &[OPEN_NAMED, write_sync, &["renameat"]]),
        (
            &data,
            "d",
            &[
                OPEN_UNNAMED,
                write_sync,
                LINK_TEMP,
                &["renameat", "unlinkat"],
            ],
        ),
        (
            &named,
            "d",
            &[OPEN_NAMED, write_sync, &["renameat", "unlinkat"]],
        ),
    ];
    for (opts, name, expect) in cases {
        let expect = [expect.concat(), CLOSE_BOTH.to_vec()].concat();
        let r = audit("file::replace::replace", &expect, || {
            replace::replace(&dir, name, name.as_bytes(), opts)
        });
        assert_eq!(
            r,
            if name == "d" {
                Err(Errno::ISDIR)
            } else {
                Ok(())
            }
        );
    }
    assert_eq!(read("r"), b"r");

    // create: an unnamed file is linked straight to its name, a named one
    // renamed without replacing; both fail if the name exists.
    let named_all = named.durability(Durability::DataAndDirectory);
    let cases: [(&Options, &str, &[&[&str]], _); 4] = [
        (
            &data,
            "c1",
            &[OPEN_UNNAMED, write_sync, &["linkat"]],
            Ok(()),
        ),
        (
            &named_all,
            "c2",
            &[OPEN_NAMED, write_sync, &["renameat2", "fsync"]],
            Ok(()),
        ),
        (
            &data,
            "c1",
            &[OPEN_UNNAMED, write_sync, &["linkat"]],
            Err(Errno::EXIST),
        ),
        (
            &named,
            "c1",
            &[OPEN_NAMED, write_sync, &["renameat2", "unlinkat"]],
            Err(Errno::EXIST),
        ),
    ];
    for (opts, name, expect, result) in cases {
        let expect = [expect.concat(), CLOSE_BOTH.to_vec()].concat();
        let r = audit("file::replace::create", &expect, || {
            replace::create(&dir, name, name.as_bytes(), opts)
        });
        assert_eq!(r, result);
    }
    assert_eq!((read("c1"), read("c2")), (b"c1".to_vec(), b"c2".to_vec()));

    audit("file::replace::exchange", &["renameat2"], || {
        replace::exchange(&dir, "c1", &dir, "c2").unwrap()
    });
    assert_eq!((read("c1"), read("c2")), (b"c2".to_vec(), b"c1".to_vec()));

    // Replacement, step by step.
    let r = audit("file::replace::Replacement::new", OPEN_UNNAMED, || {
        Replacement::new(&dir, "s", &nosync).unwrap()
    });
    audit("file::replace::Replacement::write_all", &["write"], || {
        r.write_all(b"step").unwrap()
    });
    let expect = [LINK_TEMP, &["renameat"], CLOSE_BOTH].concat();
    audit("file::replace::Replacement::commit", &expect, || {
        r.commit().unwrap()
    });
    assert_eq!(read("s"), b"step");
    let r = audit("file::replace::Replacement::new", OPEN_NAMED, || {
        Replacement::new(&dir, "s", &named).unwrap()
    });
    let expect = [&["fdatasync", "renameat"], CLOSE_BOTH].concat();
    audit("file::replace::Replacement::commit", &expect, || {
        r.commit().unwrap()
    });
    let cases: [(&str, &Options, &[&[&str]], _); 2] = [
        (
            "s",
            &all,
            &[&["fdatasync"], LINK_TEMP, &["renameat", "fsync"]],
            Ok(()),
        ),
        (
            "d",
            &all,
            &[&["fdatasync"], LINK_TEMP, &["renameat", "unlinkat"]],
            Err(Errno::ISDIR),
        ),
    ];
    for (name, opts, expect, result) in cases {
        let r = Replacement::new(&dir, name, opts).unwrap();
        let expect = [expect.concat(), CLOSE_BOTH.to_vec()].concat();
        assert_eq!(
            audit("file::replace::Replacement::commit", &expect, || r.commit()),
            result
        );
    }
    let cases: [(&str, &Options, &[&str], _); 4] = [
        ("n1", &all, &["fdatasync", "linkat", "fsync"], Ok(())),
        ("n2", &named, &["fdatasync", "renameat2"], Ok(())),
        (
            "n1",
            &named,
            &["fdatasync", "renameat2", "unlinkat"],
            Err(Errno::EXIST),
        ),
        ("n1", &data, &["fdatasync", "linkat"], Err(Errno::EXIST)),
    ];
    for (name, opts, expect, result) in cases {
        let r = Replacement::new(&dir, name, opts).unwrap();
        let expect = [expect, CLOSE_BOTH].concat();
        assert_eq!(
            audit("file::replace::Replacement::commit_new", &expect, || r
                .commit_new()),
            result
        );
    }

    // Dropped uncommitted: a named temporary file is removed.
    let r = Replacement::new(&dir, "s", &data).unwrap();
    audit_drop("file::replace::Replacement", CLOSE_BOTH, r);
    let r = Replacement::new(&dir, "s", &named).unwrap();
    let expect = [&["unlinkat"], CLOSE_BOTH].concat();
    audit_drop("file::replace::Replacement", &expect, r);

    // procfs refuses `O_TMPFILE` (`EOPNOTSUPP`), then the named file
    // (`ENOENT`): the directory fd is closed again.
    let expect = [OPEN_UNNAMED, &["getrandom", "openat", "close"]].concat();
    let r = audit("file::replace::Replacement::new", &expect, || {
        Replacement::new(CWD, "/proc/bareipc-audit", &data).map(drop)
    });
    assert_eq!(r, Err(Errno::NOENT));
    let temps = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with(".bareipc-"))
        .count();
    assert_eq!(temps, 0, "a temporary file was left behind");
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
    let r = audit("file::watch::Watcher::try_read", &["ppoll"], || {
        w.try_read(&mut buf).map(|e| e.count())
    });
    assert_eq!(r.err(), Some(Errno::AGAIN));
    let r = audit("file::watch::Watcher::try_read", &[], || {
        w.try_read(&mut small).map(|e| e.count())
    });
    assert_eq!(r.err(), Some(Errno::INVAL));
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
    File::create(tmp.join("w1b")).unwrap();
    let n = audit("file::watch::Watcher::try_read", &["ppoll", "read"], || {
        w.try_read(&mut buf).unwrap().count()
    });
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
    audit_drop("file::watch::Watcher", &["close"], w);
}
