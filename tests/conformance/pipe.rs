//! Conformance cases: anonymous pipes (`pipe2`, `F_{GET,SET}PIPE_SZ`,
//! `splice`, `tee`), from LTP's `pipe*`, `pipe2_*`, `fcntl30`/`fcntl37`,
//! `tee02` and `splice*`, and the Open POSIX Test Suite's `pipe`/`write`.

use std::os::fd::{AsFd, AsRawFd};

use bareipc::Errno;
use bareipc::pipe::{self, PIPE_BUF, PipeFlags, SpliceFlags};

use crate::common::{self, child, child_role};
use crate::{as_other_user, same_errno};

/// Fills a non-blocking write end; returns how many bytes it took.
fn fill(w: &pipe::WriteEnd) -> usize {
    let chunk = [0x5a_u8; 4096];
    let mut total = 0;
    loop {
        match w.try_write(&chunk) {
            Ok(n) => total += n,
            Err(Errno::AGAIN) => return total,
            Err(e) => panic!("filling the pipe: {e}"),
        }
    }
}

/// ltp pipe01: what is written to the write end is read, whole and in
/// order, from the read end.
#[test]
fn pipe01_bytes_written_are_read_back() {
    let (r, w) = pipe::pipe().unwrap();
    let msg = b"pipe01: A pipe is a unidirectional data channel";
    assert_eq!(w.write(msg).unwrap(), msg.len());
    let mut buf = [0u8; 64];
    let n = r.read(&mut buf).unwrap();
    assert_eq!(&buf[..n], msg);
}

/// ltp pipe02 / pipe08, opts write/…: a write with no reader left is
/// `EPIPE` (the test harness, like Rust's runtime, ignores `SIGPIPE`).
#[test]
fn pipe02_write_without_reader_is_epipe() {
    let (r, w) = pipe::pipe().unwrap();
    drop(r);
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two fds `pipe2` writes.
    assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    // SAFETY: closes the read end this case just created.
    unsafe { libc::close(fds[0]) };
    // SAFETY: a one-byte write from a live buffer to our own fd.
    let c = unsafe { libc::write(fds[1], b"x".as_ptr().cast(), 1) } as i64;
    same_errno("pipe02", w.write(b"x"), c, Errno::PIPE);
    // SAFETY: closes the write end this case created.
    unsafe { libc::close(fds[1]) };
}

/// ltp pipe13: once every write end is closed, a read drains what is left
/// and then reads 0 (end of stream), without blocking.
#[test]
fn pipe13_reader_sees_end_of_stream_after_last_writer() {
    let (r, w) = pipe::pipe().unwrap();
    let w2 = pipe::WriteEnd::from(w.as_fd().try_clone_to_owned().unwrap());
    w.write(b"last").unwrap();
    drop(w);
    let mut buf = [0u8; 8];
    assert_eq!(r.read(&mut buf).unwrap(), 4);
    // w2 still writes: a read would block, the poll form says so.
    assert_eq!(r.try_read(&mut buf), Err(Errno::AGAIN));
    drop(w2);
    assert_eq!(r.read(&mut buf).unwrap(), 0);
}

/// ltp pipe06 (and opts pipe/…): at `RLIMIT_NOFILE`, `pipe2` is `EMFILE`,
/// as from the C call; run in a child so the limit does not bind other
/// tests.
#[test]
fn pipe06_fd_limit_is_emfile() {
    if child_role().as_deref() == Some("limited") {
        let next = common::lowest_free_fd();
        let lim = libc::rlimit {
            rlim_cur: next as libc::rlim_t + 1,
            rlim_max: next as libc::rlim_t + 1,
        };
        // SAFETY: sets this child's own fd limit from a live struct.
        assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) }, 0);
        let mut fds = [0; 2];
        // SAFETY: `fds` has room for two fds.
        let c = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } as i64;
        same_errno("pipe06", pipe::pipe(), c, Errno::MFILE);
        return;
    }
    common::run_child(child("pipe::pipe06_fd_limit_is_emfile", "limited"));
}

/// ltp pipe2_01 / pipe2_03: `O_NONBLOCK` is set on both ends and
/// `O_CLOEXEC` always; `O_DIRECT` makes the write end a packet writer.
#[test]
fn pipe2_01_flags_land_on_both_ends() {
    let (r, w) = pipe::pipe_with(PipeFlags::NONBLOCK | PipeFlags::DIRECT).unwrap();
    for fd in [r.as_raw_fd(), w.as_raw_fd()] {
        // SAFETY: F_GETFL/F_GETFD on our own open fds.
        let fl = unsafe { libc::fcntl(fd, libc::F_GETFL) };
        // SAFETY: as above.
        let fdfl = unsafe { libc::fcntl(fd, libc::F_GETFD) };
        assert_ne!(fl & libc::O_NONBLOCK, 0, "O_NONBLOCK on {fd}");
        assert_ne!(fdfl & libc::FD_CLOEXEC, 0, "FD_CLOEXEC on {fd}");
    }
    // Packet mode is a property of the writer: the kernel sets O_DIRECT on
    // the write end only.
    // SAFETY: F_GETFL on our own open fd.
    let wfl = unsafe { libc::fcntl(w.as_raw_fd(), libc::F_GETFL) };
    assert_ne!(wfl & libc::O_DIRECT, 0);
    w.write(b"one").unwrap();
    w.write(b"two").unwrap();
    let mut buf = [0u8; 16];
    assert_eq!(r.read(&mut buf).unwrap(), 3, "one packet per read");
}

/// ltp pipe2_02: an fd of `pipe2(O_CLOEXEC)` is closed in an exec'd
/// program.
#[test]
fn pipe2_02_ends_are_not_inherited_across_exec() {
    if child_role().as_deref() == Some("exec") {
        for fd in common::env("PIPE_FDS").split(',') {
            // SAFETY: only asks whether the number is an open fd.
            let r = unsafe { libc::fcntl(fd.parse().unwrap(), libc::F_GETFD) };
            assert_eq!(r, -1, "fd {fd} was inherited");
        }
        return;
    }
    let (r, w) = pipe::pipe().unwrap();
    let mut cmd = child("pipe::pipe2_02_ends_are_not_inherited_across_exec", "exec");
    cmd.env("PIPE_FDS", format!("{},{}", r.as_raw_fd(), w.as_raw_fd()));
    common::run_child(cmd);
}

/// ltp pipe2 (EINVAL case): a flag `pipe2` does not know is `EINVAL`, as
/// from the C call (`O_APPEND` here, refused by both).
#[test]
fn pipe2_unknown_flag_is_einval() {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for two fds; the call fails and writes none.
    let c = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_APPEND) } as i64;
    let ours = pipe::pipe_with(PipeFlags::from_bits_retain(libc::O_APPEND as _));
    same_errno("pipe2 EINVAL", ours, c, Errno::INVAL);
}

/// ltp pipe2_04 / pipe14: a full non-blocking pipe is `EAGAIN`, and a
/// read of one byte makes room for a write again.
#[test]
fn pipe2_04_full_nonblocking_pipe_is_eagain() {
    let (r, w) = pipe::pipe_with(PipeFlags::NONBLOCK).unwrap();
    let cap = r.capacity().unwrap();
    assert_eq!(fill(&w), cap);
    assert_eq!(w.try_write(b"x"), Err(Errno::AGAIN));
    let mut buf = vec![0u8; PIPE_BUF];
    assert_eq!(r.read(&mut buf).unwrap(), PIPE_BUF);
    assert_eq!(w.try_write(b"x").unwrap(), 1);
}

/// ltp pipe12 / opts write/…: a non-blocking write of at most
/// `PIPE_BUF` bytes that does not fit is all or nothing (`EAGAIN`,
/// nothing written); a larger one is a partial write.
#[test]
fn pipe12_atomic_writes_are_all_or_nothing() {
    let (r, w) = pipe::pipe_with(PipeFlags::NONBLOCK).unwrap();
    // `write` on the O_NONBLOCK pipe: the kernel's own answer (the
    // `try_` forms poll first, and a full slot polls as not writable).
    // One page of room, 100 bytes of it used.
    assert_eq!(w.set_capacity(rustix::param::page_size()).unwrap(), 4096);
    w.write(&[1u8; 100]).unwrap();
    assert_eq!(w.write(&[2u8; PIPE_BUF]), Err(Errno::AGAIN));
    assert_eq!(
        r.available().unwrap(),
        100,
        "the atomic write wrote nothing"
    );
    let big = vec![3u8; 2 * PIPE_BUF + 100];
    let n = w.write(&big).unwrap();
    assert!(n > 0 && n < big.len(), "a partial write, got {n}");
    assert_eq!(r.available().unwrap(), 100 + n);
}

/// ltp fcntl30: `F_SETPIPE_SZ` sets a capacity of at least the size asked
/// (a power of two of pages) and `F_GETPIPE_SZ` reports it; that many
/// bytes then fit without blocking.
#[test]
fn fcntl30_set_and_get_pipe_size() {
    let (r, w) = pipe::pipe_with(PipeFlags::NONBLOCK).unwrap();
    let page = rustix::param::page_size();
    for ask in [page, 3 * page, 16 * page] {
        let got = w.set_capacity(ask).unwrap();
        assert!(
            got >= ask && got.is_power_of_two(),
            "asked {ask}, got {got}"
        );
        assert_eq!(r.capacity().unwrap(), got);
    }
    assert_eq!(fill(&w), 16 * page);
}

/// ltp fcntl37: `F_SETPIPE_SZ` beyond 2^31 is `EINVAL`; below the data
/// already in the pipe is `EBUSY`; above `/proc/sys/fs/pipe-max-size` as
/// an unprivileged user is `EPERM` (as from the C call).
#[test]
fn fcntl37_pipe_size_errors() {
    let max: usize = std::fs::read_to_string("/proc/sys/fs/pipe-max-size")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    if child_role().as_deref() == Some("unprivileged") {
        let (_r, w) = pipe::pipe().unwrap();
        let mut fds = [0; 2];
        // SAFETY: `fds` has room for two fds.
        assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
        // SAFETY: F_SETPIPE_SZ on our own pipe.
        let c = unsafe { libc::fcntl(fds[1], libc::F_SETPIPE_SZ, (max * 2) as libc::c_int) };
        same_errno(
            "fcntl37 EPERM",
            w.set_capacity(max * 2),
            c.into(),
            Errno::PERM,
        );
        return;
    }
    let (r, w) = pipe::pipe().unwrap();
    assert_eq!(w.set_capacity((1 << 31) + 1), Err(Errno::INVAL));
    assert_eq!(w.set_capacity(usize::MAX), Err(Errno::INVAL));
    let page = rustix::param::page_size();
    w.write(&vec![7u8; 2 * page]).unwrap();
    assert_eq!(w.set_capacity(page), Err(Errno::BUSY));
    assert_eq!(r.available().unwrap(), 2 * page, "nothing was lost");
    if let Some(cmd) = as_other_user("pipe::fcntl37_pipe_size_errors", "unprivileged") {
        common::run_child(cmd);
    }
}

/// ltp tee01 / tee02: `tee` copies without consuming; the same pipe on
/// both sides is `EINVAL`.
#[test]
fn tee02_same_pipe_is_einval() {
    let (r, w) = pipe::pipe().unwrap();
    let (r2, w2) = pipe::pipe().unwrap();
    w.write(b"tee").unwrap();
    assert_eq!(
        pipe::tee(&r, &w, 3, SpliceFlags::empty()),
        Err(Errno::INVAL)
    );
    assert_eq!(pipe::tee(&r, &w2, 3, SpliceFlags::empty()).unwrap(), 3);
    drop(w2);
    let mut buf = [0u8; 8];
    assert_eq!(r2.read(&mut buf).unwrap(), 3);
    assert_eq!(&buf[..3], b"tee");
    assert_eq!(r.read(&mut buf).unwrap(), 3, "tee left the source whole");
}

/// ltp splice01 / splice02: splice moves bytes from a file through a pipe
/// to another file at the offsets given, leaving the file positions
/// alone; an offset for the pipe side is `ESPIPE`.
#[test]
fn splice01_file_to_pipe_to_file() {
    let dir = common::TempDir::new("conf-splice");
    let src = std::fs::File::create_new(dir.path().join("in")).unwrap();
    use std::io::Write;
    (&src).write_all(b"0123456789").unwrap();
    let src = std::fs::File::open(dir.path().join("in")).unwrap();
    let dst = std::fs::File::create_new(dir.path().join("out")).unwrap();
    let (r, w) = pipe::pipe().unwrap();
    let mut off_in = 2u64;
    let n = pipe::splice(&src, Some(&mut off_in), &w, None, 6, SpliceFlags::empty()).unwrap();
    assert_eq!((n, off_in), (6, 8));
    let mut bad = 0u64;
    assert_eq!(
        pipe::splice(&r, Some(&mut bad), &dst, None, 6, SpliceFlags::empty()),
        Err(Errno::SPIPE)
    );
    let mut off_out = 0u64;
    let n = pipe::splice(&r, None, &dst, Some(&mut off_out), 6, SpliceFlags::empty()).unwrap();
    assert_eq!((n, off_out), (6, 6));
    assert_eq!(std::fs::read(dir.path().join("out")).unwrap(), b"234567");
    // SAFETY: asks for the file position of our own fd.
    let pos = unsafe { libc::lseek(src.as_raw_fd(), 0, libc::SEEK_CUR) };
    assert_eq!(pos, 0, "the file position was left alone");
}
