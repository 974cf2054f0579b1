//! The tour's files: OFD lock hand-off, atomic replace with inotify.

use super::*;

/// Where the OFD line's counter lives in the file, past the lock bytes.
pub(crate) const COUNTER_AT: u64 = 8;

/// Three one-byte OFD locks passed round like batons: each process always
/// holds two, releases one to let the other go on, and then waits for the
/// one the other holds. A u64 in the file goes there and back + 1, and no
/// other signal is used. A process that dies releases its locks: the other
/// goes on and finds the counter wrong, and never waits for ever.
pub(crate) fn ofd_parent() -> Res<Line> {
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

pub(crate) fn ofd_child(args: &[String]) -> Res<()> {
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
pub(crate) fn ofd_turn(i: u64) -> (usize, usize) {
    let k = (i % 3) as usize;
    ((3 - k) % 3, (4 - k) % 3)
}

pub(crate) fn ofd_lock(file: &File, n: usize) -> Res<OfdGuard<&File>> {
    lock::lock(file, LockKind::Exclusive, Range::new(n as u64, 1)).ctx("F_OFD_SETLKW")
}

/// Each side replaces a file atomically in the other's inbox directory,
/// and the other learns of it from inotify (`IN_MOVED_TO` on its inbox)
/// and reads it: a u64 there, + 1 back.
pub(crate) fn replace_parent() -> Res<Line> {
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

pub(crate) fn replace_child(args: &[String]) -> Res<()> {
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
pub(crate) const VALUE: &str = "value";

pub(crate) fn watch_dir(dir: &Path) -> Res<Watcher> {
    let w = Watcher::new(WatcherFlags::empty()).ctx("inotify_init1")?;
    w.add(dir, WatchFlags::MOVED_TO).ctx("inotify_add_watch")?;
    Ok(w)
}

pub(crate) fn publish(inbox: &Path, v: u64) -> Res<()> {
    let opts = Options::new().durability(Durability::None);
    replace::replace(CWD, &*inbox.join(VALUE), &v.to_ne_bytes(), &opts).ctx("replace")
}

/// Waits until the value is renamed into `inbox`, then reads it.
pub(crate) fn wait_for(watcher: &Watcher, inbox: &Path) -> Res<u64> {
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
