//! `cargo run --example demo`: the techniques built so far, each between
//! this process and a re-executed copy of itself, one line each.
//!
//! (The full tour of every technique replaces this once the other families
//! exist.) The shared memory line pairs a SysV segment with two eventfds,
//! the remedy for not knowing when to read.

use std::os::fd::OwnedFd;
use std::process::{Command, Stdio};
use std::time::Instant;

use bareipc::fifo::{self, CWD, FifoFlags, ReadEnd, WriteEnd};
use bareipc::pipe;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("pipe-child") => return pipe_child(),
        Some("fifo-child") => return fifo_child(&args[2]),
        Some("socket-child") => return socket_child(),
        Some("eventfd-child") => return eventfd_child(),
        Some("shm-child") => return shm_child(&args[2]),
        _ => {}
    }
    println!(
        "{:<10} {:<34} {:>9}  syscalls",
        "technique", "exchanged", "mean RTT"
    );
    demo_pipe()?;
    demo_fifo()?;
    demo_socket()?;
    demo_eventfd()?;
    demo_shm()?;
    Ok(())
}

fn me() -> Command {
    Command::new(std::env::current_exe().expect("current_exe"))
}

/// Parent -> child on one pipe, child -> parent on another.
fn demo_pipe() -> Result<(), Box<dyn std::error::Error>> {
    let (to_child_r, to_child_w) = pipe::pipe()?;
    let (from_child_r, from_child_w) = pipe::pipe()?;
    let mut child = me()
        .arg("pipe-child")
        .stdin(Stdio::from(OwnedFd::from(to_child_r)))
        .stdout(Stdio::from(OwnedFd::from(from_child_w)))
        .spawn()?;
    let msg = b"ping over an anonymous pipe";
    let rtt = ping(&to_child_w, &from_child_r, msg)?;
    drop(to_child_w);
    let status = child.wait()?;
    assert!(status.success());
    println!(
        "{:<10} {:<34} {:>7.1}us  pipe2, write, read",
        "pipe",
        format!("{} bytes there and back, x1000", msg.len()),
        rtt.as_secs_f64() * 1e6
    );
    Ok(())
}

fn pipe_child() -> Result<(), Box<dyn std::error::Error>> {
    let r = ReadEnd::from(std::io::stdin().lock().try_clone_fd()?);
    let w = WriteEnd::from(std::io::stdout().lock().try_clone_fd()?);
    echo(&r, &w)
}

/// The child's side: echo every message until end of stream.
fn echo(r: &ReadEnd, w: &WriteEnd) -> Result<(), Box<dyn std::error::Error>> {
    let mut buf = [0u8; 64];
    loop {
        let n = r.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        w.write(&buf[..n])?;
    }
}

/// The parent's side: one warm-up exchange (the child is still starting),
/// then the mean of `ROUNDS` timed round trips, each checked.
fn ping(
    w: &WriteEnd,
    r: &ReadEnd,
    msg: &[u8],
) -> Result<std::time::Duration, Box<dyn std::error::Error>> {
    const ROUNDS: u32 = 1000;
    let mut buf = [0u8; 64];
    let mut start = Instant::now();
    for i in 0..=ROUNDS {
        if i == 1 {
            start = Instant::now();
        }
        w.write(msg)?;
        let n = r.read(&mut buf)?;
        assert_eq!(&buf[..n], msg, "the child echoes what it got");
    }
    Ok(start.elapsed() / ROUNDS)
}

/// Two unrelated-looking processes that only share a directory.
fn demo_fifo() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("bareipc-demo-{}", std::process::id()));
    std::os::unix::fs::DirBuilderExt::mode(&mut std::fs::DirBuilder::new(), 0o700).create(&dir)?;
    let there = dir.join("there");
    let back = dir.join("back");
    fifo::create(CWD, &*there)?;
    fifo::create(CWD, &*back)?;
    let mut child = me().arg("fifo-child").arg(&dir).spawn()?;
    let mode = fifo::DEFAULT_MODE;
    let w: WriteEnd = fifo::open_verified(CWD, &*there, mode, FifoFlags::empty())?;
    let r: ReadEnd = fifo::open_verified(CWD, &*back, mode, FifoFlags::empty())?;
    let msg = b"ping over two named pipes";
    let rtt = ping(&w, &r, msg)?;
    drop(w);
    let status = child.wait()?;
    fifo::unlink(CWD, &*there)?;
    fifo::unlink(CWD, &*back)?;
    std::fs::remove_dir(&dir)?;
    assert!(status.success());
    println!(
        "{:<10} {:<34} {:>7.1}us  mknodat, newfstatat, openat, fstat, write, read, unlinkat",
        "fifo",
        format!("{} bytes there and back, x1000", msg.len()),
        rtt.as_secs_f64() * 1e6
    );
    Ok(())
}

fn fifo_child(dir: &str) -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::Path::new(dir);
    let mode = fifo::DEFAULT_MODE;
    let r: ReadEnd = fifo::open_verified(CWD, &*dir.join("there"), mode, FifoFlags::empty())?;
    let w: WriteEnd = fifo::open_verified(CWD, &*dir.join("back"), mode, FifoFlags::empty())?;
    echo(&r, &w)
}

/// A duplicate of a std handle's fd, owned.
trait TryCloneFd {
    fn try_clone_fd(&self) -> std::io::Result<OwnedFd>;
}

impl<T: std::os::fd::AsFd> TryCloneFd for T {
    fn try_clone_fd(&self) -> std::io::Result<OwnedFd> {
        self.as_fd().try_clone_to_owned()
    }
}

/// A seqpacket socketpair: the child echoes messages and, first, sends a
/// pipe's write end back to us over the socket.
fn demo_socket() -> Result<(), Box<dyn std::error::Error>> {
    use bareipc::socket::{self, RecvFlags, SocketFlags, SocketType};
    let (ours, theirs) = socket::pair(SocketType::SeqPacket, SocketFlags::empty())?;
    let theirs = OwnedFd::from(theirs);
    let mut child = me()
        .arg("socket-child")
        .stdin(Stdio::from(theirs.try_clone()?))
        .stdout(Stdio::from(theirs))
        .spawn()?;
    // The child passes us a pipe write end; we read what it wrote there.
    let mut fds = heapless::Vec::<OwnedFd, 1>::new();
    let mut buf = [0u8; 64];
    let got = ours.recv_msg(&mut buf, &mut fds, RecvFlags::empty())?;
    assert_eq!((got.bytes, got.fds), (4, 1));
    let msg = b"ping over a seqpacket socketpair";
    let start = Instant::now();
    const ROUNDS: u32 = 1000;
    for _ in 0..ROUNDS {
        ours.send(msg)?;
        let n = ours.recv(&mut buf)?;
        assert_eq!(&buf[..n], msg);
    }
    let rtt = start.elapsed() / ROUNDS;
    drop(ours);
    assert!(child.wait()?.success());
    println!(
        "{:<10} {:<34} {:>7.1}us  socketpair, sendmsg/recvmsg (SCM_RIGHTS), sendto, recvfrom",
        "socket",
        format!("an fd, then {} bytes x1000", msg.len()),
        rtt.as_secs_f64() * 1e6
    );
    Ok(())
}

fn socket_child() -> Result<(), Box<dyn std::error::Error>> {
    use bareipc::socket::{SendFlags, Socket};
    let s = Socket::from(std::io::stdin().lock().try_clone_fd()?);
    let (_r, w) = pipe::pipe()?;
    s.send_msg(
        b"pipe",
        &[std::os::fd::AsFd::as_fd(&w)],
        None,
        SendFlags::empty(),
    )?;
    let mut buf = [0u8; 64];
    loop {
        let n = s.recv(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        s.send(&buf[..n])?;
    }
}

/// Two eventfds as a ping-pong of counters.
fn demo_eventfd() -> Result<(), Box<dyn std::error::Error>> {
    use bareipc::eventfd::{EventFd, EventFdFlags};
    let ping = EventFd::new(0, EventFdFlags::empty())?;
    let pong = EventFd::new(0, EventFdFlags::empty())?;
    let mut child = me()
        .arg("eventfd-child")
        .stdin(Stdio::from(ping.try_clone_fd()?))
        .stdout(Stdio::from(pong.try_clone_fd()?))
        .spawn()?;
    const ROUNDS: u32 = 1000;
    let mut start = Instant::now();
    for i in 1..=u64::from(ROUNDS) + 1 {
        if i == 2 {
            start = Instant::now();
        }
        ping.write(i)?;
        assert_eq!(pong.read()?, i + 1, "the child adds one");
    }
    let rtt = start.elapsed() / ROUNDS;
    ping.write(u64::MAX - 1)?; // the stop value
    assert!(child.wait()?.success());
    println!(
        "{:<10} {:<34} {:>7.1}us  eventfd2, write, read",
        "eventfd",
        "a u64 there, +1 back, x1000",
        rtt.as_secs_f64() * 1e6
    );
    Ok(())
}

fn eventfd_child() -> Result<(), Box<dyn std::error::Error>> {
    use bareipc::eventfd::EventFd;
    let ping = EventFd::from(std::io::stdin().lock().try_clone_fd()?);
    let pong = EventFd::from(std::io::stdout().lock().try_clone_fd()?);
    loop {
        let v = ping.read()?;
        if v == u64::MAX - 1 {
            return Ok(());
        }
        pong.write(v + 1)?;
    }
}

/// A SysV segment carries 4 KiB each way; two eventfds say when to read.
fn demo_shm() -> Result<(), Box<dyn std::error::Error>> {
    use bareipc::eventfd::{EventFd, EventFdFlags};
    use bareipc::shm::{ReadWrite, sysv::Segment};
    let seg = Segment::private(8192)?.remove_on_drop();
    let map = seg.attach::<ReadWrite>()?;
    let ping = EventFd::new(0, EventFdFlags::empty())?;
    let pong = EventFd::new(0, EventFdFlags::empty())?;
    let mut child = me()
        .arg("shm-child")
        .arg(seg.id().to_string())
        .stdin(Stdio::from(ping.try_clone_fd()?))
        .stdout(Stdio::from(pong.try_clone_fd()?))
        .spawn()?;
    const ROUNDS: u32 = 1000;
    let mut out = [0u8; 4096];
    let mut back = [0u8; 4096];
    let mut start = Instant::now();
    for i in 0..=ROUNDS {
        if i == 1 {
            start = Instant::now();
        }
        out.fill(i as u8);
        map.write_at(0, &out)?;
        ping.write(1)?;
        pong.read()?;
        map.read_at(4096, &mut back)?;
        let want = (i as u8).wrapping_add(1);
        assert!(
            back.iter().all(|&b| b == want),
            "the child adds one to each byte"
        );
    }
    let rtt = start.elapsed() / ROUNDS;
    ping.write(2)?; // the stop value
    assert!(child.wait()?.success());
    println!(
        "{:<10} {:<34} {:>7.1}us  shmget, shmat, eventfd2, write, read",
        "shm",
        "4 KiB there, +1 each back, x1000",
        rtt.as_secs_f64() * 1e6
    );
    Ok(())
}

fn shm_child(id: &str) -> Result<(), Box<dyn std::error::Error>> {
    use bareipc::eventfd::EventFd;
    use bareipc::shm::{ReadWrite, sysv::Segment};
    let map = Segment::from_id(id.parse()?).attach::<ReadWrite>()?;
    let ping = EventFd::from(std::io::stdin().lock().try_clone_fd()?);
    let pong = EventFd::from(std::io::stdout().lock().try_clone_fd()?);
    let mut buf = [0u8; 4096];
    loop {
        if ping.read()? == 2 {
            return Ok(());
        }
        map.read_at(0, &mut buf)?;
        for b in &mut buf {
            *b = b.wrapping_add(1);
        }
        map.write_at(4096, &buf)?;
        pong.write(1)?;
    }
}
