//! Conformance cases: named pipes (`mkfifo` / `mknodat(S_IFIFO)`, FIFO
//! `open`), from LTP's `mkfifo01`/`mkfifo02`, `mknod*`, `mknodat*`, and
//! the Open POSIX Test Suite's `mkfifo`/`open` cases.
//!
//! Two deliberate departures from C's `open`, each asserted here: the
//! crate opens with `O_NOFOLLOW` (a symlink is `ELOOP`, never followed)
//! and refuses a node that is not a FIFO with `EBADFD` (C would open the
//! file and write into it).

use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};

use bareipc::Errno;
use bareipc::fifo::{self, CWD, FifoFlags, ReadEnd, WriteEnd};
use rustix::fs::Mode;

use crate::common::{self, TempDir, child, child_role};
use crate::{as_other_user, c_string, same_errno};

/// C's `mkfifo(path, mode)`.
fn c_mkfifo(path: &std::path::Path, mode: u32) -> i64 {
    let p = c_string(path.as_os_str().as_encoded_bytes());
    // SAFETY: a live NUL-terminated path.
    unsafe { libc::mkfifo(p.as_ptr(), mode as libc::mode_t) }.into()
}

/// ltp mkfifo01: the node made is a FIFO, owned by the caller, with mode
/// 0600 by default (and the mode asked for, less the umask, otherwise).
#[test]
fn mkfifo01_makes_a_fifo_of_the_callers() {
    let dir = TempDir::new("conf-fifo");
    fifo::create(CWD, &*dir.join("f")).unwrap();
    let m = std::fs::symlink_metadata(dir.join("f")).unwrap();
    assert!(m.file_type().is_fifo());
    assert_eq!(m.permissions().mode() & 0o7777, 0o600);
    assert_eq!(m.uid(), rustix::process::geteuid().as_raw());
    // As C's mkfifo, the file type S_IFIFO may be part of the mode.
    fifo::create_with_mode(CWD, &*dir.join("g"), Mode::from_bits_retain(0o010600)).unwrap();
    assert!(
        std::fs::symlink_metadata(dir.join("g"))
            .unwrap()
            .file_type()
            .is_fifo()
    );
}

/// ltp mknodat01 / mknod01: the mode asked for is reduced by the umask
/// (run in a child, since the umask is per process).
#[test]
fn mknodat01_mode_less_umask() {
    if child_role().as_deref() == Some("umask") {
        let dir = TempDir::new("conf-fifo-umask");
        rustix::process::umask(Mode::from_raw_mode(0o027));
        fifo::create_with_mode(CWD, &*dir.join("f"), Mode::from_raw_mode(0o666)).unwrap();
        let mode = std::fs::metadata(dir.join("f"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o7777, 0o640);
        return;
    }
    common::run_child(child("fifo::mknodat01_mode_less_umask", "umask"));
}

/// ltp mkfifo02 / mknod07 / mknodat02: `EEXIST`, `ENOENT`, `ENOTDIR`,
/// `ENAMETOOLONG`, `ELOOP` and, for a file type other than `S_IFIFO` in
/// the mode, `EINVAL` — each as from C's `mkfifo`.
#[test]
fn mkfifo02_errors_are_those_of_mkfifo() {
    let dir = TempDir::new("conf-fifo-err");
    std::fs::write(dir.join("file"), b"").unwrap();
    std::os::unix::fs::symlink("loop", dir.join("loop")).unwrap();
    let long = "n".repeat(256);
    let cases: [(&str, std::path::PathBuf, u32, Errno); 6] = [
        ("EEXIST", dir.join("file"), 0o600, Errno::EXIST),
        ("ENOENT", dir.join("missing/f"), 0o600, Errno::NOENT),
        ("ENOTDIR", dir.join("file/f"), 0o600, Errno::NOTDIR),
        ("ENAMETOOLONG", dir.join(&long), 0o600, Errno::NAMETOOLONG),
        ("ELOOP", dir.join("loop/f"), 0o600, Errno::LOOP),
        ("EINVAL", dir.join("typed"), 0o100600, Errno::INVAL),
    ];
    for (what, path, mode, want) in cases {
        let c = c_mkfifo(&path, mode);
        let ours = fifo::create_with_mode(CWD, &*path, Mode::from_bits_retain(mode));
        same_errno(&format!("mkfifo02 {what}"), ours, c, want);
    }
    // The EEXIST case left the file as it was.
    assert!(std::fs::metadata(dir.join("file")).unwrap().is_file());
}

/// ltp mknod06 / mkfifo02 (EACCES): a directory the caller may not write
/// (or search) is `EACCES`, as from C's `mkfifo`.
#[test]
fn mknod06_unwritable_directory_is_eacces() {
    if child_role().as_deref() == Some("stranger") {
        let path = std::path::PathBuf::from(common::env("FIFO_PATH"));
        let c = c_mkfifo(&path, 0o600);
        same_errno("mknod06", fifo::create(CWD, &*path), c, Errno::ACCESS);
        return;
    }
    // World-searchable but owned by root, mode 0755: others may not write.
    let dir = TempDir::new("conf-fifo-acc");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let Some(mut cmd) = as_other_user("fifo::mknod06_unwritable_directory_is_eacces", "stranger")
    else {
        return;
    };
    cmd.env("FIFO_PATH", dir.join("f"));
    common::run_child(cmd);
    assert!(!dir.join("f").exists());
}

/// opts open/… (O_NONBLOCK on a FIFO), fifo(7): a non-blocking open for
/// writing with no reader is `ENXIO`, as from C's `open`; for reading it
/// succeeds at once and a read then sees end of stream.
#[test]
fn open_nonblocking_ends_without_a_peer() {
    let dir = TempDir::new("conf-fifo-nb");
    let path = dir.join("f");
    fifo::create(CWD, &*path).unwrap();
    let p = c_string(path.as_os_str().as_encoded_bytes());
    // SAFETY: a live NUL-terminated path; the call fails and opens nothing.
    let c = unsafe { libc::open(p.as_ptr(), libc::O_WRONLY | libc::O_NONBLOCK) };
    same_errno(
        "open ENXIO",
        fifo::open::<WriteEnd, _>(CWD, &*path, FifoFlags::NONBLOCK),
        c.into(),
        Errno::NXIO,
    );
    let r: ReadEnd = fifo::open(CWD, &*path, FifoFlags::NONBLOCK).unwrap();
    let mut buf = [0u8; 4];
    assert_eq!(r.read(&mut buf).unwrap(), 0, "no writer yet: end of stream");
    // With a reader, the non-blocking writer opens, and its bytes arrive.
    let w: WriteEnd = fifo::open(CWD, &*path, FifoFlags::NONBLOCK).unwrap();
    w.write(b"nb").unwrap();
    assert_eq!(r.read(&mut buf).unwrap(), 2);
}

/// opts mkfifo/…, fifo(7): a blocking open for reading waits until another
/// process opens the FIFO for writing, and then reads what it wrote.
#[test]
fn blocking_open_meets_a_writer_in_another_process() {
    if child_role().as_deref() == Some("writer") {
        let w: WriteEnd = fifo::open(CWD, common::env("FIFO_PATH"), FifoFlags::empty()).unwrap();
        w.write(b"from the writer").unwrap();
        return;
    }
    let dir = TempDir::new("conf-fifo-block");
    let path = dir.join("f");
    fifo::create(CWD, &*path).unwrap();
    let mut cmd = child(
        "fifo::blocking_open_meets_a_writer_in_another_process",
        "writer",
    );
    cmd.env("FIFO_PATH", &path);
    let mut c = cmd.spawn().unwrap();
    let r: ReadEnd = fifo::open(CWD, &*path, FifoFlags::empty()).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 64];
    loop {
        match r.read(&mut buf).unwrap() {
            0 => break,
            n => got.extend_from_slice(&buf[..n]),
        }
    }
    assert_eq!(got, b"from the writer");
    common::assert_child_ok(c.wait().unwrap());
}

/// Departure from C's `open`: the crate never follows a symlink at the
/// last component (`ELOOP`, where C would open the FIFO behind it), and
/// refuses a node that is not a FIFO with `EBADFD` (C would open it);
/// both without writing anything.
#[test]
fn open_refuses_symlinks_and_non_fifos() {
    let dir = TempDir::new("conf-fifo-kind");
    fifo::create(CWD, &*dir.join("f")).unwrap();
    std::os::unix::fs::symlink(dir.join("f"), dir.join("link")).unwrap();
    std::fs::write(dir.join("file"), b"keep").unwrap();
    assert_eq!(
        fifo::open::<ReadEnd, _>(CWD, &*dir.join("link"), FifoFlags::NONBLOCK).err(),
        Some(Errno::LOOP)
    );
    assert_eq!(
        fifo::open::<WriteEnd, _>(CWD, &*dir.join("file"), FifoFlags::NONBLOCK).err(),
        Some(Errno::BADFD)
    );
    assert_eq!(std::fs::read(dir.join("file")).unwrap(), b"keep");
    // And a flag that would change the open's meaning is EINVAL first.
    let creat = FifoFlags::from_bits_retain(libc::O_CREAT as u32);
    assert_eq!(
        fifo::open::<ReadEnd, _>(CWD, &*dir.join("new"), creat).err(),
        Some(Errno::INVAL)
    );
    assert!(!dir.join("new").exists());
}

/// ltp mkfifo (open modes), opts open/…: opening without the permission
/// the mode gives is `EACCES` for another uid, as from C's `open`.
#[test]
fn open_without_permission_is_eacces() {
    if child_role().as_deref() == Some("stranger") {
        let path = std::path::PathBuf::from(common::env("FIFO_PATH"));
        let p = c_string(path.as_os_str().as_encoded_bytes());
        // SAFETY: a live NUL-terminated path; the call fails.
        let c = unsafe { libc::open(p.as_ptr(), libc::O_RDONLY | libc::O_NONBLOCK) };
        let ours = fifo::open::<ReadEnd, _>(CWD, &*path, FifoFlags::NONBLOCK);
        same_errno("open EACCES", ours, c.into(), Errno::ACCESS);
        if c >= 0 {
            // SAFETY: closes the fd the C call should not have opened.
            unsafe { libc::close(c) };
        }
        return;
    }
    let dir = TempDir::new("conf-fifo-perm");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    fifo::create(CWD, &*dir.join("f")).unwrap(); // 0600, root's
    let Some(mut cmd) = as_other_user("fifo::open_without_permission_is_eacces", "stranger") else {
        return;
    };
    cmd.env("FIFO_PATH", dir.join("f"));
    common::run_child(cmd);
}
