//! Audit cases for `fifo`.

use std::sync::mpsc;

use bareipc::Errno;
use bareipc::fifo::{self, FifoFlags, Mode, ReadEnd, ReadWriteEnd};
use rustix::fs::OFlags;

use crate::common::{self, TempDir};
use crate::{audit, audit_drop};

const OWNER_RW: Mode = fifo::DEFAULT_MODE;

pub fn run() {
    let tmp = TempDir::new("bareipc-audit-fifo");
    let dir = rustix::fs::open(
        tmp.path(),
        OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .unwrap();

    audit("fifo::create", &["mknodat"], || {
        fifo::create(&dir, "a").unwrap()
    });
    audit("fifo::create_with_mode", &["mknodat"], || {
        fifo::create_with_mode(&dir, "b", Mode::from_raw_mode(0o640)).unwrap()
    });
    // A file type in the mode is refused before the syscall.
    audit("fifo::create_with_mode", &[], || {
        assert_eq!(
            fifo::create_with_mode(&dir, "c", Mode::from_bits_retain(0o100600)),
            Err(Errno::INVAL)
        )
    });

    let rw = audit("fifo::open", &["openat", "fstat"], || {
        fifo::open::<ReadWriteEnd, _>(&dir, "a", FifoFlags::empty()).unwrap()
    });
    audit_drop("ends::ReadWriteEnd", &["close"], rw);
    // Not a FIFO: opened, seen by fstat, closed again.
    std::fs::write(tmp.join("plain"), b"").unwrap();
    audit("fifo::open", &["openat", "fstat", "close"], || {
        assert_eq!(
            fifo::open::<ReadWriteEnd, _>(&dir, "plain", FifoFlags::empty()).err(),
            Some(Errno::BADFD)
        )
    });
    // A bit that is not a FifoFlags (O_CREAT): refused before the syscall.
    audit("fifo::open", &[], || {
        let creat = FifoFlags::from_bits_retain(OFlags::CREATE.bits());
        assert_eq!(
            fifo::open::<ReadWriteEnd, _>(&dir, "new", creat).err(),
            Some(Errno::INVAL)
        )
    });

    // Both checks pass.
    let r = audit(
        "fifo::open_verified",
        &["geteuid", "openat", "fstat", "openat", "close"],
        || fifo::open_verified::<ReadEnd, _>(&dir, "a", OWNER_RW, FifoFlags::NONBLOCK).unwrap(),
    );
    drop(r);
    // The check refuses: the FIFO itself is never opened.
    audit(
        "fifo::open_verified",
        &["geteuid", "openat", "fstat", "close"],
        || {
            assert_eq!(
                fifo::open_verified::<ReadEnd, _>(&dir, "b", OWNER_RW, FifoFlags::NONBLOCK).err(),
                Some(Errno::PERM)
            )
        },
    );
    // A mode with a file type is refused before any syscall.
    audit("fifo::open_verified", &[], || {
        assert_eq!(
            fifo::open_verified::<ReadEnd, _>(
                &dir,
                "a",
                Mode::from_bits_retain(0o10600),
                FifoFlags::NONBLOCK
            )
            .err(),
            Some(Errno::INVAL)
        )
    });
    if std::env::var_os("QEMU_STRACE").is_some() {
        // qemu's log tags every thread with the same pid: the helper
        // thread's calls would land in this case's segment.
        eprintln!("NOTE: under QEMU_STRACE: no case for the blocking open_verified");
    } else {
        blocking_open_waits_on_the_checked_fifo(&tmp, &dir);
    }

    audit("fifo::unlink", &["unlinkat"], || {
        fifo::unlink(&dir, "a").unwrap()
    });
    audit("fifo::unlink", &["unlinkat"], || {
        assert_eq!(fifo::unlink(&dir, "a"), Err(Errno::NOENT))
    });
    fifo::unlink(&dir, "b").unwrap();
}

/// A blocking open waits for a writer on the FIFO it checked, opened
/// through the `O_PATH` fd's `/proc/self/fd` link: another thread waits
/// until the open is blocked there (`openat(AT_FDCWD, ...)`), then opens
/// the FIFO for writing.
fn blocking_open_waits_on_the_checked_fifo(tmp: &TempDir, dir: &rustix::fd::OwnedFd) {
    let path = tmp.join("a");
    let (tx, rx) = mpsc::channel();
    let helper = std::thread::spawn(move || {
        let tid: u64 = rx.recv().unwrap();
        common::wait_until_blocked_on(std::process::id(), tid, -100);
        rustix::fs::open(
            &path,
            OFlags::WRONLY | OFlags::NONBLOCK | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .unwrap()
    });
    tx.send(common::my_tid()).unwrap();
    let r = audit(
        "fifo::open_verified",
        &["geteuid", "openat", "fstat", "openat", "close"],
        || fifo::open_verified::<ReadEnd, _>(dir, "a", OWNER_RW, FifoFlags::empty()).unwrap(),
    );
    drop((r, helper.join().unwrap()));
}
