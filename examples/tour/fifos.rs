//! The tour's named pipes (FIFOs).

use super::*;

/// Two named pipes in a private directory, opened by each process itself.
/// The parent never waits in an open (for a child that may have died): it
/// opens its read end non-blocking before the child starts, and its write
/// end non-blocking once the child has a reader.
pub(crate) fn fifo_parent() -> Res<Line> {
    let dir = common::TempDir::new("bareipc-tour");
    let (there, back) = (dir.join("there"), dir.join("back"));
    fifo::create(CWD, &*there).ctx("mknodat")?;
    fifo::create(CWD, &*back).ctx("mknodat")?;
    let back_r: ReadEnd = open_fifo(&back)?;
    let peer = Peer::spawn("FIFO", &[dir.path().as_os_str()], vec![])?;
    // The child has its read end open: a non-blocking open for writing
    // succeeds now.
    let there_w: WriteEnd = open_fifo(&there)?;
    let rtts = echo_parent(|b| there_w.write(b), |b| back_r.read(b))?;
    peer.finish()?;
    Ok(Line {
        exchanged: echoed(),
        rtts,
        syscalls: format!(
            "mknodat, {}, openat, {}, ioctl(FIONBIO), unlinkat | write, read",
            per_width("newfstatat", "statx"),
            per_width("fstat", "statx")
        ),
    })
}

pub(crate) fn fifo_child(args: &[String]) -> Res<()> {
    let dir = Path::new(arg(args, 0)?);
    let there = dir.join("there");
    // A reader for the parent's non-blocking open for writing to find.
    let first: ReadEnd = open_fifo(&there)?;
    let back_w: WriteEnd = open_fifo(&dir.join("back"))?;
    ready()?;
    // A read before the parent's writer exists would be end of file: this
    // blocking open returns once it does (the parent opens it right away).
    let there_r: ReadEnd =
        fifo::open_verified(CWD, &*there, fifo::DEFAULT_MODE, FifoFlags::empty())
            .ctx("open the FIFO")?;
    drop(first);
    echo_child(|b| there_r.read(b), |b| back_w.write(b))
}

/// Opens a FIFO we created, verified, without waiting, then makes it
/// blocking.
pub(crate) fn open_fifo<E: fifo::End>(path: &Path) -> Res<E> {
    let end: E = fifo::open_verified(CWD, path, fifo::DEFAULT_MODE, FifoFlags::NONBLOCK)
        .ctx("open the FIFO")?;
    rustix::io::ioctl_fionbio(&end, false).ctx("ioctl(FIONBIO)")?;
    Ok(end)
}
