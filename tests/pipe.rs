//! Anonymous pipes between real processes, and every errno a user can hit.

mod common;

use std::io::{Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::process::Stdio;

use bareipc::Errno;
use bareipc::pipe::{self, IoSliceRaw, PIPE_BUF, PipeFlags, ReadEnd, SpliceFlags, WriteEnd};
use common::{assert_child_ok, child, child_role};

/// The child's stdin, adopted as a read end.
fn stdin_end() -> ReadEnd {
    ReadEnd::from(std::io::stdin().as_fd().try_clone_to_owned().unwrap())
}

/// The fd number a parent hands a child's write end on.
const CHILD_WRITE_FD: i32 = 10;

/// The write end a parent handed this child.
fn given_write_end() -> WriteEnd {
    WriteEnd::from(common::take_fd(CHILD_WRITE_FD))
}

fn read_to_end(r: &ReadEnd) -> Vec<u8> {
    let mut all = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let n = r.read(&mut buf).unwrap();
        if n == 0 {
            return all;
        }
        all.extend_from_slice(&buf[..n]);
    }
}

#[test]
fn parent_writes_child_reads() {
    if child_role().as_deref() == Some("reader") {
        let got = read_to_end(&stdin_end());
        assert_eq!(got, b"to the child through a pipe");
        return;
    }
    let (r, w) = pipe::pipe().unwrap();
    let mut c = child("parent_writes_child_reads", "reader")
        .stdin(Stdio::from(OwnedFd::from(r)))
        .spawn()
        .unwrap();
    assert_eq!(w.write(b"to the child through a pipe").unwrap(), 27);
    drop(w); // end of stream for the child
    assert_child_ok(c.wait().unwrap());
}

#[test]
fn child_writes_parent_reads() {
    if child_role().as_deref() == Some("writer") {
        let w = given_write_end();
        w.write(b"from the child").unwrap();
        return;
    }
    let (r, w) = pipe::pipe().unwrap();
    let mut cmd = child("child_writes_parent_reads", "writer");
    common::give_fd(&mut cmd, OwnedFd::from(w), CHILD_WRITE_FD);
    let mut c = cmd.spawn().unwrap();
    // Our copy of the write end goes with the Command, so EOF comes when
    // the child exits.
    drop(cmd);
    let got = read_to_end(&r);
    assert_child_ok(c.wait().unwrap());
    assert_eq!(got, b"from the child");
}

#[test]
fn both_ends_are_close_on_exec_and_not_inherited() {
    if child_role().as_deref() == Some("inspector") {
        let needle = common::env("PIPE_LINK");
        for entry in std::fs::read_dir("/proc/self/fd").unwrap() {
            let link = std::fs::read_link(entry.unwrap().path()).unwrap_or_default();
            assert_ne!(
                link.to_string_lossy(),
                needle,
                "the pipe leaked into the child"
            );
        }
        return;
    }
    let (r, w) = pipe::pipe().unwrap();
    for fd in [r.as_fd(), w.as_fd()] {
        let flags = rustix::io::fcntl_getfd(fd).unwrap();
        assert!(flags.contains(rustix::io::FdFlags::CLOEXEC));
    }
    let ino = rustix::fs::fstat(&r).unwrap().st_ino;
    let mut cmd = child("both_ends_are_close_on_exec_and_not_inherited", "inspector");
    cmd.env("PIPE_LINK", format!("pipe:[{ino}]"));
    common::run_child(cmd);
    drop((r, w));
}

#[test]
fn writes_of_pipe_buf_bytes_never_interleave() {
    const RECORDS: usize = 64;
    if let Some(role) = child_role() {
        let byte = role.as_bytes()[0];
        let w = given_write_end();
        let record = [byte; PIPE_BUF];
        for _ in 0..RECORDS {
            assert_eq!(w.write(&record).unwrap(), PIPE_BUF);
        }
        return;
    }
    assert_eq!(PIPE_BUF, 4096);
    let (r, w) = pipe::pipe().unwrap();
    let mut children = Vec::new();
    for role in ["a", "b"] {
        let end = w.as_fd().try_clone_to_owned().unwrap();
        let mut cmd = child("writes_of_pipe_buf_bytes_never_interleave", role);
        common::give_fd(&mut cmd, end, CHILD_WRITE_FD);
        children.push(cmd.spawn().unwrap());
    }
    drop(w);
    let all = read_to_end(&r);
    for c in &mut children {
        assert_child_ok(c.wait().unwrap());
    }
    assert_eq!(all.len(), 2 * RECORDS * PIPE_BUF);
    let mut counts = [0usize; 2];
    for chunk in all.chunks_exact(PIPE_BUF) {
        if chunk.iter().all(|&b| b == b'a') {
            counts[0] += 1;
        } else if chunk.iter().all(|&b| b == b'b') {
            counts[1] += 1;
        } else {
            panic!("a record was torn");
        }
    }
    assert_eq!(counts, [RECORDS, RECORDS], "records were torn or lost");
}

#[test]
fn invalid_flag_is_einval() {
    // O_WRONLY is not a pipe2 flag.
    let bad = PipeFlags::from_bits_retain(linux_raw_sys::general::O_WRONLY);
    assert_eq!(pipe::pipe_with(bad).err(), Some(Errno::INVAL));
}

#[test]
fn fd_limit_reached_is_emfile() {
    if child_role().as_deref() == Some("limited") {
        // Room for exactly one more fd: pipe2 needs two.
        let limit = common::lowest_free_fd() as u64 + 1;
        let old = rustix::process::getrlimit(rustix::process::Resource::Nofile);
        rustix::process::setrlimit(
            rustix::process::Resource::Nofile,
            rustix::process::Rlimit {
                current: Some(limit),
                maximum: old.maximum,
            },
        )
        .unwrap();
        let before = common::open_fds();
        assert_eq!(pipe::pipe().err(), Some(Errno::MFILE));
        common::assert_no_fd_leak(&before);
        return;
    }
    common::run_child(child("fd_limit_reached_is_emfile", "limited"));
}

#[test]
fn write_with_no_reader_is_epipe_when_sigpipe_is_ignored() {
    // The Rust runtime of this test binary set SIGPIPE to ignored before
    // main; check that rather than assume it.
    let mut old = std::mem::MaybeUninit::<libc::sigaction>::zeroed();
    // SAFETY: a query only (act is null); `old` is writable.
    let rc = unsafe { libc::sigaction(libc::SIGPIPE, std::ptr::null(), old.as_mut_ptr()) };
    assert_eq!(rc, 0);
    // SAFETY: filled by the kernel above.
    assert_eq!(unsafe { old.assume_init() }.sa_sigaction, libc::SIG_IGN);
    let (r, w) = pipe::pipe().unwrap();
    drop(r);
    assert_eq!(w.write(b"nobody listens"), Err(Errno::PIPE));
}

#[test]
fn nonblocking_empty_read_and_full_write_are_eagain() {
    let (r, w) = pipe::pipe_with(PipeFlags::NONBLOCK).unwrap();
    let mut buf = [0u8; 16];
    assert_eq!(r.read(&mut buf), Err(Errno::AGAIN));

    // Fill it exactly: the capacity is what the kernel reports.
    let cap = w.set_capacity(4096).unwrap();
    assert_eq!(cap, w.capacity().unwrap());
    let chunk = [7u8; 512];
    let mut total = 0;
    loop {
        match w.write(&chunk) {
            Ok(n) => total += n,
            Err(e) => {
                assert_eq!(e, Errno::AGAIN);
                break;
            }
        }
    }
    assert_eq!(total, cap);
    assert_eq!(r.available().unwrap(), cap);

    // Switching a blocking pipe to non-blocking has the same effect.
    let (r2, _w2) = pipe::pipe().unwrap();
    r2.set_nonblocking(true).unwrap();
    assert_eq!(r2.read(&mut buf), Err(Errno::AGAIN));
}

#[test]
fn capacity_can_grow_and_shrink() {
    let (r, w) = pipe::pipe().unwrap();
    assert_eq!(r.capacity().unwrap(), 65536);
    assert_eq!(w.set_capacity(1 << 18).unwrap(), 1 << 18);
    assert_eq!(r.capacity().unwrap(), 1 << 18);
    // The kernel rounds up to a power of two of at least a page.
    assert_eq!(w.set_capacity(5000).unwrap(), 8192);
    // Beyond 2^31 the kernel refuses every caller with EINVAL; so does the
    // check before it for anything beyond `int`.
    assert_eq!(w.set_capacity((1 << 31) + 1), Err(Errno::INVAL));
    assert_eq!(w.set_capacity(usize::MAX), Err(Errno::INVAL));
    // Shrinking below what is buffered is EBUSY.
    w.write(&[1u8; 8192]).unwrap();
    assert_eq!(w.set_capacity(4096), Err(Errno::BUSY));
}

#[test]
fn packet_mode_keeps_write_boundaries() {
    let (r, w) = pipe::pipe_with(PipeFlags::DIRECT).unwrap();
    w.write(b"first").unwrap();
    w.write(b"second packet").unwrap();
    w.write(b"third").unwrap();
    let mut buf = [0u8; 64];
    assert_eq!(r.read(&mut buf).unwrap(), 5);
    assert_eq!(&buf[..5], b"first");
    // A short buffer gets the start of the packet; the rest is dropped.
    let mut small = [0u8; 6];
    assert_eq!(r.read(&mut small).unwrap(), 6);
    assert_eq!(&small, b"second");
    assert_eq!(r.read(&mut buf).unwrap(), 5);
    assert_eq!(&buf[..5], b"third");
}

#[test]
fn tee_copies_and_splice_moves() {
    let (r1, w1) = pipe::pipe().unwrap();
    let (r2, w2) = pipe::pipe().unwrap();
    w1.write(b"duplicated").unwrap();
    assert_eq!(pipe::tee(&r1, &w2, 64, SpliceFlags::empty()).unwrap(), 10);
    let mut buf = [0u8; 32];
    assert_eq!(r2.read(&mut buf).unwrap(), 10);
    assert_eq!(&buf[..10], b"duplicated");

    // splice the still-unconsumed bytes of r1 into a file at offset 100.
    let file = rustix::fs::memfd_create("bareipc-splice", rustix::fs::MemfdFlags::CLOEXEC).unwrap();
    let mut off = 100u64;
    assert_eq!(
        pipe::splice(&r1, None, &file, Some(&mut off), 64, SpliceFlags::empty()).unwrap(),
        10
    );
    assert_eq!(off, 110);
    let mut back = [0u8; 10];
    rustix::io::pread(&file, &mut back, 100).unwrap();
    assert_eq!(&back, b"duplicated");
    // Consumed: r1 is empty now.
    r1.set_nonblocking(true).unwrap();
    assert_eq!(r1.read(&mut buf), Err(Errno::AGAIN));

    // An offset on the pipe side is ESPIPE; tee of a pipe into itself EINVAL.
    let mut zero = 0u64;
    w1.write(b"x").unwrap();
    assert_eq!(
        pipe::splice(&r1, Some(&mut zero), &file, None, 1, SpliceFlags::empty()),
        Err(Errno::SPIPE)
    );
    assert_eq!(
        pipe::tee(&r1, &w1, 1, SpliceFlags::empty()),
        Err(Errno::INVAL)
    );
    assert_eq!(
        pipe::tee(&r2, &w2, 1, SpliceFlags::NONBLOCK),
        Err(Errno::INVAL),
        "same pipe on both sides"
    );
}

#[test]
fn vmsplice_both_directions() {
    let (r, w) = pipe::pipe().unwrap();
    let parts = [
        IoSliceRaw::from_slice(b"gather "),
        IoSliceRaw::from_slice(b"write"),
    ];
    assert_eq!(w.vmsplice(&parts, SpliceFlags::empty()).unwrap(), 12);
    let mut buf = [0u8; 12];
    assert_eq!(r.vmsplice(&mut buf, SpliceFlags::empty()).unwrap(), 12);
    assert_eq!(&buf, b"gather write");
    assert_eq!(
        r.vmsplice(&mut buf, SpliceFlags::NONBLOCK),
        Err(Errno::AGAIN)
    );

    // GIFT is refused before the syscall.
    assert_eq!(w.vmsplice(&parts, SpliceFlags::GIFT), Err(Errno::INVAL));
    // A "write end" adopted from a read-only fd is refused before the kernel
    // could write into the shared buffers.
    // And a "read end" adopted from the write end is refused before the
    // kernel could put `buf`'s pages into the pipe.
    let fake_read = ReadEnd::from(rustix::io::fcntl_dupfd_cloexec(&w, 0).unwrap());
    assert_eq!(
        fake_read.vmsplice(&mut buf, SpliceFlags::empty()),
        Err(Errno::BADF)
    );
    let fake = WriteEnd::from(OwnedFd::from(r));
    assert_eq!(
        fake.vmsplice(&parts, SpliceFlags::empty()),
        Err(Errno::BADF)
    );
}

#[test]
fn std_io_traits() {
    let (r, w) = pipe::pipe().unwrap();
    (&w).write_all(b"via std::io").unwrap();
    drop(w);
    let mut s = String::new();
    (&r).read_to_string(&mut s).unwrap();
    assert_eq!(s, "via std::io");
}

#[test]
fn no_fd_leaks_across_the_api() {
    if child_role().as_deref() == Some("leakcheck") {
        let before = common::open_fds();
        for _ in 0..16 {
            let (r, w) = pipe::pipe_with(PipeFlags::NONBLOCK | PipeFlags::DIRECT).unwrap();
            w.write(b"x").unwrap();
            let mut b = [0u8; 1];
            r.read(&mut b).unwrap();
            let _ = pipe::pipe_with(PipeFlags::from_bits_retain(1));
        }
        common::assert_no_fd_leak(&before);
        return;
    }
    common::run_child(child("no_fd_leaks_across_the_api", "leakcheck"));
}

#[test]
fn timeout_and_try_forms_never_block_a_blocking_pipe() {
    use std::time::Duration;
    if child_role().as_deref() == Some("late-writer") {
        given_write_end().write(b"late").unwrap();
        return;
    }
    let (r, w) = pipe::pipe().unwrap();
    let mut buf = [0u8; 16];
    assert_eq!(r.try_read(&mut buf).err(), Some(Errno::AGAIN));
    assert_eq!(
        r.read_timeout(&mut buf, Duration::ZERO).err(),
        Some(Errno::TIMEDOUT)
    );
    // A child writes; the parent's wait ends with its bytes.
    let mut cmd = child(
        "timeout_and_try_forms_never_block_a_blocking_pipe",
        "late-writer",
    );
    common::give_fd(
        &mut cmd,
        w.as_fd().try_clone_to_owned().unwrap(),
        CHILD_WRITE_FD,
    );
    let mut c = cmd.spawn().unwrap();
    drop(cmd);
    assert_eq!(
        r.read_timeout(&mut buf, Duration::from_secs(30)).unwrap(),
        4
    );
    assert_eq!(&buf[..4], b"late");
    assert_child_ok(c.wait().unwrap());

    // Fill the (blocking) pipe with try_write: each write is at most
    // PIPE_BUF bytes and none waits, so the loop ends with EAGAIN.
    let big = [7u8; 3 * PIPE_BUF];
    let mut total = 0;
    loop {
        match w.try_write(&big) {
            Ok(n) => {
                assert!(n > 0 && n <= PIPE_BUF);
                total += n;
            }
            Err(e) => {
                assert_eq!(e, Errno::AGAIN);
                break;
            }
        }
    }
    assert_eq!(total, w.capacity().unwrap());
    assert_eq!(
        w.write_timeout(&big, Duration::from_millis(1)).err(),
        Some(Errno::TIMEDOUT)
    );
    // One page read makes room for exactly one more bounded write.
    let mut page = [0u8; PIPE_BUF];
    assert_eq!(r.read(&mut page).unwrap(), PIPE_BUF);
    assert_eq!(
        w.write_timeout(&big, Duration::from_secs(30)).unwrap(),
        PIPE_BUF
    );
}

#[test]
fn every_flag_outside_the_whitelist_is_einval_and_makes_nothing() {
    if child_role().as_deref() == Some("whitelist") {
        let (r, w) = pipe::pipe().unwrap();
        let (r2, w2) = pipe::pipe().unwrap();
        w.write(b"kept").unwrap();
        let before = common::open_fds();
        let pipe_ok = PipeFlags::NONBLOCK | PipeFlags::DIRECT | PipeFlags::CLOEXEC;
        for bit in common::bits_outside(pipe_ok.bits()) {
            let flags = PipeFlags::from_bits_retain(bit);
            assert_eq!(pipe::pipe_with(flags).err(), Some(Errno::INVAL), "{bit:#x}");
        }
        let splice_ok = SpliceFlags::MOVE | SpliceFlags::NONBLOCK | SpliceFlags::MORE;
        let iov = [IoSliceRaw::from_slice(b"never")];
        let mut buf = [0u8; 4];
        for bit in common::bits_outside(splice_ok.bits()) {
            let f = SpliceFlags::from_bits_retain(bit);
            let splice = pipe::splice(&r, None, &w2, None, 4, f);
            assert_eq!(splice, Err(Errno::INVAL), "splice {bit:#x}");
            assert_eq!(pipe::tee(&r, &w2, 4, f), Err(Errno::INVAL), "tee {bit:#x}");
            assert_eq!(w.vmsplice(&iov, f), Err(Errno::INVAL), "vmsplice {bit:#x}");
            // SAFETY: never called: the flags are refused first.
            let unchecked = unsafe { w.vmsplice_unchecked(&iov, f) };
            assert_eq!(unchecked, Err(Errno::INVAL), "unchecked {bit:#x}");
            assert_eq!(r.vmsplice(&mut buf, f), Err(Errno::INVAL), "read {bit:#x}");
        }
        // No pipe was made, and nothing moved: the bytes are where they were.
        common::assert_no_fd_leak(&before);
        assert_eq!(r2.available(), Ok(0));
        assert_eq!(r.available(), Ok(4));
        drop((w, w2));
        assert_eq!(read_to_end(&r), b"kept");
        return;
    }
    common::run_child(child(
        "every_flag_outside_the_whitelist_is_einval_and_makes_nothing",
        "whitelist",
    ));
}
