//! Audit cases for `pipe` and the pipe ends (`ends`, `fd_handle`).

use bareipc::Errno;
use bareipc::pipe::{self, IoSliceRaw, PipeFlags, ReadEnd, SpliceFlags, WriteEnd};

use crate::{audit, audit_drop};

pub fn run() {
    let (r, w) = audit("pipe::pipe", &["pipe2"], || pipe::pipe().unwrap());
    audit("ends::end_write!::write", &["write"], || {
        w.write(b"x").unwrap()
    });
    audit("ends::end_read!::available", &["ioctl"], || {
        assert_eq!(r.available(), Ok(1))
    });
    let mut buf = [0u8; 1];
    audit("ends::end_read!::read", &["read"], || {
        r.read(&mut buf).unwrap()
    });
    assert_eq!(&buf, b"x");
    // The three forms: nothing there (poll only), then a byte.
    audit("ends::end_read!::try_read", &["ppoll"], || {
        assert_eq!(r.try_read(&mut buf), Err(Errno::AGAIN))
    });
    audit("ends::end_read!::read_timeout", &["ppoll"], || {
        assert_eq!(
            r.read_timeout(&mut buf, std::time::Duration::from_millis(1)),
            Err(Errno::TIMEDOUT)
        )
    });
    audit("ends::end_write!::try_write", &["ppoll", "write"], || {
        assert_eq!(w.try_write(b"y"), Ok(1))
    });
    audit(
        "ends::end_write!::write_timeout",
        &["ppoll", "write"],
        || {
            assert_eq!(
                w.write_timeout(b"z", std::time::Duration::from_secs(1)),
                Ok(1)
            )
        },
    );
    audit("ends::end_read!::try_read", &["ppoll", "read"], || {
        assert_eq!(r.try_read(&mut buf), Ok(1))
    });
    audit("ends::end_read!::read_timeout", &["ppoll", "read"], || {
        assert_eq!(
            r.read_timeout(&mut buf, std::time::Duration::from_secs(1)),
            Ok(1)
        )
    });
    assert_eq!(&buf, b"z");
    let mut fds = [bareipc::poll::PollFd::new(&r, bareipc::poll::PollFlags::IN)];
    audit("poll::poll", &["ppoll"], || {
        assert_eq!(
            bareipc::poll::poll(&mut fds, Some(std::time::Duration::ZERO)),
            Ok(0)
        )
    });

    audit("ends::end_common!::capacity", &["fcntl"], || {
        assert!(r.capacity().unwrap() >= 4096)
    });
    audit("ends::end_common!::set_capacity", &["fcntl"], || {
        assert!(w.set_capacity(4096).unwrap() >= 4096)
    });
    // A size beyond `int` is refused before the syscall.
    audit("ends::end_common!::set_capacity", &[], || {
        assert_eq!(w.set_capacity(usize::MAX), Err(Errno::INVAL))
    });

    // One instance type for the macro's key.
    audit("fd_handle::fd_handle!::set_nonblocking", &["ioctl"], || {
        r.set_nonblocking(true).unwrap()
    });
    audit("ends::end_read!::read", &["read"], || {
        assert_eq!(r.read(&mut buf), Err(Errno::AGAIN))
    });
    r.set_nonblocking(false).unwrap();

    // vmsplice into the write end: the access-mode check, then the call.
    let iov = [IoSliceRaw::from_slice(b"spliced")];
    audit("ends::end_write!::vmsplice", &["fcntl", "vmsplice"], || {
        assert_eq!(w.vmsplice(&iov, SpliceFlags::empty()), Ok(7))
    });
    // GIFT is refused before any syscall.
    audit("ends::end_write!::vmsplice", &[], || {
        assert_eq!(w.vmsplice(&iov, SpliceFlags::GIFT), Err(Errno::INVAL))
    });
    // A read-only fd adopted as a write end: the check refuses it.
    let ro = WriteEnd::from(rustix::io::fcntl_dupfd_cloexec(&r, 0).unwrap());
    audit("ends::end_write!::vmsplice", &["fcntl"], || {
        assert_eq!(ro.vmsplice(&iov, SpliceFlags::empty()), Err(Errno::BADF))
    });
    drop(ro);
    let mut out = [0u8; 7];
    audit("ends::ReadEnd::vmsplice", &["fcntl", "vmsplice"], || {
        assert_eq!(r.vmsplice(&mut out, SpliceFlags::empty()), Ok(7))
    });
    assert_eq!(&out, b"spliced");
    let data = *b"local";
    let local = [IoSliceRaw::from_slice(&data)];
    audit(
        "ends::end_write!::vmsplice_unchecked",
        &["fcntl", "vmsplice"],
        || {
            assert_eq!(
                // SAFETY: `data` stays as it is until read below.
                unsafe { w.vmsplice_unchecked(&local, SpliceFlags::empty()) },
                Ok(5)
            )
        },
    );
    assert_eq!(r.read(&mut out), Ok(5));
    assert_eq!(&out[..5], b"local");
    // A write-capable fd adopted as a read end: refused after the check.
    let wr = ReadEnd::from(rustix::io::fcntl_dupfd_cloexec(&w, 0).unwrap());
    audit("ends::ReadEnd::vmsplice", &["fcntl"], || {
        assert_eq!(
            wr.vmsplice(&mut out, SpliceFlags::empty()),
            Err(Errno::BADF)
        )
    });
    drop(wr);

    // tee and splice between two pipes.
    let (r2, w2) = pipe::pipe().unwrap();
    w.write(b"abc").unwrap();
    audit("pipe::tee", &["tee"], || {
        assert_eq!(pipe::tee(&r, &w2, 3, SpliceFlags::empty()), Ok(3))
    });
    audit("pipe::splice", &["splice"], || {
        assert_eq!(
            pipe::splice(&r, None, &w2, None, 3, SpliceFlags::empty()),
            Ok(3)
        )
    });
    let mut six = [0u8; 6];
    assert_eq!(r2.read(&mut six), Ok(6));
    assert_eq!(&six, b"abcabc");
    drop((r2, w2));
    audit_drop("ends::ReadEnd", &["close"], r);
    audit_drop("ends::WriteEnd", &["close"], w);

    let _ = audit("pipe::pipe_with", &["pipe2"], || {
        pipe::pipe_with(PipeFlags::NONBLOCK).unwrap()
    });
}
