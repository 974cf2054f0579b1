//! `cargo run --example demo`: the techniques built so far, each between
//! this process and a re-executed copy of itself, one line each.
//!
//! (The full tour of every technique replaces this once the other families
//! exist.)

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
        _ => {}
    }
    println!(
        "{:<10} {:<34} {:>9}  syscalls",
        "technique", "exchanged", "mean RTT"
    );
    demo_pipe()?;
    demo_fifo()?;
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
