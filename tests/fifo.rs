//! FIFOs between real processes, the squatting defence, and every errno a
//! user can hit.

mod common;

use std::os::unix::fs::{MetadataExt, PermissionsExt};

use bareipc::Errno;
use bareipc::fifo::{self, CWD, FifoFlags, Mode, ReadEnd, ReadWriteEnd, WriteEnd};
use common::{TempDir, child, child_role};

const OWNER_RW: Mode = fifo::DEFAULT_MODE;

#[test]
fn unrelated_processes_exchange_through_a_fifo() {
    if child_role().as_deref() == Some("writer") {
        let path = common::env("FIFO_PATH");
        // A blocking open: waits for the parent to open for reading.
        let w: WriteEnd = fifo::open(CWD, path.as_str(), FifoFlags::empty()).unwrap();
        w.write(b"request 1").unwrap();
        // And the answer comes back on a second FIFO.
        let back: ReadEnd =
            fifo::open(CWD, common::env("FIFO_BACK").as_str(), FifoFlags::empty()).unwrap();
        let mut buf = [0u8; 32];
        let n = back.read(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"reply 1");
        return;
    }
    let dir = TempDir::new("bareipc-fifo");
    let (there, back) = (dir.join("there"), dir.join("back"));
    fifo::create(CWD, &*there).unwrap();
    fifo::create(CWD, &*back).unwrap();
    let mut cmd = child("unrelated_processes_exchange_through_a_fifo", "writer");
    cmd.env("FIFO_PATH", &there).env("FIFO_BACK", &back);
    let mut c = cmd.spawn().unwrap();
    let r: ReadEnd = fifo::open_verified(CWD, &*there, OWNER_RW, FifoFlags::empty()).unwrap();
    let mut buf = [0u8; 32];
    let n = r.read(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"request 1");
    let w: WriteEnd = fifo::open_verified(CWD, &*back, OWNER_RW, FifoFlags::empty()).unwrap();
    w.write(b"reply 1").unwrap();
    common::assert_child_ok(c.wait().unwrap());
    // The writer is gone: end of stream.
    assert_eq!(r.read(&mut buf).unwrap(), 0);
}

#[test]
fn created_with_mode_0600_relative_to_a_directory_fd() {
    let dir = TempDir::new("bareipc-fifo");
    let dirfd = rustix::fs::open(
        dir.path(),
        rustix::fs::OFlags::DIRECTORY | rustix::fs::OFlags::CLOEXEC,
        Mode::empty(),
    )
    .unwrap();
    fifo::create(&dirfd, "rel").unwrap();
    let md = std::fs::symlink_metadata(dir.join("rel")).unwrap();
    assert!(std::os::unix::fs::FileTypeExt::is_fifo(&md.file_type()));
    assert_eq!(md.permissions().mode() & 0o7777, 0o600);
    assert_eq!(md.uid(), rustix::process::geteuid().as_raw());

    fifo::create_with_mode(&dirfd, "wide", Mode::from_raw_mode(0o640)).unwrap();
    let md = std::fs::symlink_metadata(dir.join("wide")).unwrap();
    // 0o640 survives any umask that leaves the owner and group read bits.
    assert_eq!(md.permissions().mode() & 0o7777 & !0o022, 0o640);

    fifo::unlink(&dirfd, "rel").unwrap();
    assert!(!dir.join("rel").exists());
    assert_eq!(fifo::unlink(&dirfd, "rel"), Err(Errno::NOENT));
}

#[test]
fn fds_are_close_on_exec() {
    let dir = TempDir::new("bareipc-fifo");
    let p = dir.join("f");
    fifo::create(CWD, &*p).unwrap();
    let rw: ReadWriteEnd = fifo::open(CWD, &*p, FifoFlags::empty()).unwrap();
    let r: ReadEnd = fifo::open(CWD, &*p, FifoFlags::NONBLOCK).unwrap();
    let w: WriteEnd = fifo::open(CWD, &*p, FifoFlags::NONBLOCK).unwrap();
    for fd in [common::borrow(&rw), common::borrow(&r), common::borrow(&w)] {
        assert!(
            rustix::io::fcntl_getfd(fd)
                .unwrap()
                .contains(rustix::io::FdFlags::CLOEXEC)
        );
    }
}

#[test]
fn nonblocking_write_open_without_reader_is_enxio() {
    let dir = TempDir::new("bareipc-fifo");
    let p = dir.join("f");
    fifo::create(CWD, &*p).unwrap();
    assert_eq!(
        fifo::open::<WriteEnd, _>(CWD, &*p, FifoFlags::NONBLOCK).err(),
        Some(Errno::NXIO)
    );
    // With a reader present, the same open succeeds.
    let r: ReadEnd = fifo::open(CWD, &*p, FifoFlags::NONBLOCK).unwrap();
    let w: WriteEnd = fifo::open(CWD, &*p, FifoFlags::NONBLOCK).unwrap();
    w.write(b"x").unwrap();
    let mut b = [0u8; 4];
    assert_eq!(r.read(&mut b).unwrap(), 1);
    // No writer now and nothing buffered: a non-blocking reader sees EOF.
    drop(w);
    assert_eq!(r.read(&mut b).unwrap(), 0);
}

#[test]
fn read_write_end_never_blocks_on_open() {
    let dir = TempDir::new("bareipc-fifo");
    let p = dir.join("f");
    fifo::create(CWD, &*p).unwrap();
    let rw: ReadWriteEnd = fifo::open(CWD, &*p, FifoFlags::empty()).unwrap();
    rw.write(b"loop").unwrap();
    let mut b = [0u8; 8];
    assert_eq!(rw.read(&mut b).unwrap(), 4);
    assert_eq!(&b[..4], b"loop");
    assert_eq!(rw.capacity().unwrap(), 65536);
}

#[test]
fn creation_errors() {
    let dir = TempDir::new("bareipc-fifo");
    let p = dir.join("f");
    fifo::create(CWD, &*p).unwrap();
    assert_eq!(fifo::create(CWD, &*p), Err(Errno::EXIST));
    // A dangling symlink also occupies the name.
    let link = dir.join("dangling");
    std::os::unix::fs::symlink(dir.join("nowhere"), &link).unwrap();
    assert_eq!(fifo::create(CWD, &*link), Err(Errno::EXIST));
    assert_eq!(
        fifo::create(CWD, &*dir.join("missing/f")),
        Err(Errno::NOENT)
    );
    assert_eq!(
        fifo::create_with_mode(CWD, &*dir.join("typed"), Mode::from_bits_retain(0o100600)),
        Err(Errno::INVAL)
    );
    assert!(!dir.join("typed").exists(), "refused before the syscall");
    assert_eq!(fifo::create(CWD, "bad\0name"), Err(Errno::INVAL));
    let long = "x".repeat(300);
    assert_eq!(fifo::create(CWD, &*dir.join(long)), Err(Errno::NAMETOOLONG));
}

#[test]
fn open_never_follows_a_symlink() {
    let dir = TempDir::new("bareipc-fifo");
    let real = dir.join("real");
    fifo::create(CWD, &*real).unwrap();
    let link = dir.join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    assert_eq!(
        fifo::open::<ReadWriteEnd, _>(CWD, &*link, FifoFlags::empty()).err(),
        Some(Errno::LOOP)
    );
    assert_eq!(
        fifo::open_verified::<ReadWriteEnd, _>(CWD, &*link, OWNER_RW, FifoFlags::empty()).err(),
        Some(Errno::LOOP)
    );
}

#[test]
fn verified_open_refuses_squatters() {
    if child_role().as_deref() == Some("squat") {
        let before = common::open_fds();
        squatter_cases();
        common::assert_no_fd_leak(&before);
        return;
    }
    common::run_child(child("verified_open_refuses_squatters", "squat"));
}

fn squatter_cases() {
    let dir = TempDir::new("bareipc-fifo");
    let verified = |name: &str, mode: Mode| {
        fifo::open_verified::<ReadEnd, _>(CWD, &*dir.join(name), mode, FifoFlags::NONBLOCK).err()
    };
    // A regular file where the FIFO should be.
    std::fs::write(dir.join("file"), b"not a fifo").unwrap();
    std::fs::set_permissions(dir.join("file"), std::fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(verified("file", OWNER_RW), Some(Errno::BADFD));
    // A directory.
    std::fs::create_dir(dir.join("dir")).unwrap();
    assert_eq!(verified("dir", OWNER_RW), Some(Errno::ISDIR));
    // A FIFO with a wider mode than expected (group/other could read it).
    fifo::create(CWD, &*dir.join("wide")).unwrap();
    std::fs::set_permissions(dir.join("wide"), std::fs::Permissions::from_mode(0o666)).unwrap();
    assert_eq!(verified("wide", OWNER_RW), Some(Errno::PERM));
    // ...which is accepted when that mode is what the caller expects.
    assert_eq!(verified("wide", Mode::from_raw_mode(0o666)), None);
    // A mode argument with file-type bits is refused.
    assert_eq!(
        verified("wide", Mode::from_bits_retain(0o010666)),
        Some(Errno::INVAL)
    );
    // Missing.
    assert_eq!(verified("absent", OWNER_RW), Some(Errno::NOENT));

    // A FIFO of another owner. Changing the owner needs CAP_CHOWN over the
    // target uid: root has it natively, but not inside the user namespace
    // the qemu test stages run in, where uids other than 0 are unmapped.
    let theirs = dir.join("theirs");
    fifo::create(CWD, &*theirs).unwrap();
    match std::os::unix::fs::chown(&theirs, Some(65534), None) {
        Ok(()) => assert_eq!(verified("theirs", OWNER_RW), Some(Errno::PERM)),
        Err(e) => eprintln!(
            "NOTE verified_open_refuses_squatters: the other-owner case did not run: chown: {e}"
        ),
    }
    // Our own FIFO with the right mode passes.
    fifo::create(CWD, &*dir.join("ours")).unwrap();
    assert_eq!(verified("ours", OWNER_RW), None);
}

#[test]
fn another_user_is_refused_by_the_default_mode() {
    if child_role().as_deref() == Some("stranger") {
        let path = common::env("FIFO_PATH");
        let got = fifo::open::<ReadEnd, _>(CWD, path.as_str(), FifoFlags::NONBLOCK);
        assert_eq!(got.err(), Some(Errno::ACCESS));
        return;
    }
    let dir = TempDir::new("bareipc-fifo");
    // Others may reach the FIFO; only its own mode keeps them out.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o711)).unwrap();
    let path = dir.join("private");
    fifo::create(CWD, &*path).unwrap();
    let Some(mut cmd) =
        common::child_as_other_user("another_user_is_refused_by_the_default_mode", "stranger")
    else {
        return;
    };
    cmd.env("FIFO_PATH", &path);
    common::run_child(cmd);
    // The same open succeeds for us, so the refusal was the mode's doing.
    let _: ReadEnd = fifo::open(CWD, &*path, FifoFlags::NONBLOCK).unwrap();
}

#[test]
fn every_flag_outside_the_whitelist_is_einval_and_creates_nothing() {
    let dir = TempDir::new("bareipc-fifo-flags");
    let (absent, present) = (dir.join("absent"), dir.join("present"));
    fifo::create(CWD, &*present).unwrap();
    for bit in common::bits_outside(FifoFlags::all().bits()) {
        // O_CREAT among them: it would make a regular file at `absent`.
        let f = FifoFlags::from_bits_retain(bit);
        for path in [&absent, &present] {
            let open = fifo::open::<ReadWriteEnd, _>(CWD, &**path, f);
            assert_eq!(open.err(), Some(Errno::INVAL), "open {bit:#x} {path:?}");
            let verified = fifo::open_verified::<ReadWriteEnd, _>(CWD, &**path, OWNER_RW, f);
            assert_eq!(
                verified.err(),
                Some(Errno::INVAL),
                "verified {bit:#x} {path:?}"
            );
        }
    }
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["present"], "nothing was created");
    let meta = std::fs::symlink_metadata(&present).unwrap();
    assert_eq!(meta.mode() & 0o170000, 0o010000, "still a FIFO");
}
