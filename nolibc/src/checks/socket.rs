//! Unix socket: a SEQPACKET socketpair carries a message with a pipe's
//! write end attached (`SCM_RIGHTS`); the received fd must be a new,
//! close-on-exec fd that writes into the same pipe.
//!
//! Expected syscalls: `socketpair` (`socketcall` on x86), `pipe2`,
//! `sendmsg`, `recvmsg`, `fcntl(F_GETFD)` (`fcntl64` on x86/arm), `write`,
//! `read`, `close` x5.

use bareipc::pipe::{WriteEnd, pipe};
use bareipc::socket::{self, ReceiveFlags, SendFlags, SocketFlags, SocketType};
use rustix::fd::{AsFd, AsRawFd, OwnedFd};
use rustix::io::{FdFlags, fcntl_getfd};

/// The step that failed; its value is the exit code.
#[derive(Clone, Copy)]
#[repr(u8)]
pub enum Failed {
    /// `socket::pair` returned an error.
    Pair = 20,
    /// `pipe()` returned an error.
    Pipe = 21,
    /// `send_msg` returned an error or sent a short message.
    Send = 22,
    /// `recv_msg` returned an error.
    Recv = 23,
    /// The message or its single fd did not arrive whole.
    Contents = 24,
    /// The received fd is the sent one, or is not close-on-exec.
    NotNewCloexec = 25,
    /// Writing through the received fd failed.
    WriteThrough = 26,
    /// The pipe did not deliver what was written through the received fd.
    ReadBack = 27,
}

/// Runs the round trip; everything is closed before returning.
pub fn check() -> Result<(), Failed> {
    let (a, b) =
        socket::pair(SocketType::SeqPacket, SocketFlags::empty()).map_err(|_| Failed::Pair)?;
    let (reader, writer) = pipe().map_err(|_| Failed::Pipe)?;
    let sent = a
        .send_msg(b"fd", &[writer.as_fd()], None, SendFlags::empty())
        .map_err(|_| Failed::Send)?;
    if sent != 2 {
        return Err(Failed::Send);
    }
    let mut fds = heapless::Vec::<OwnedFd, 1>::new();
    let mut buf = [0u8; 8];
    let got = b
        .receive_msg(&mut buf, &mut fds, ReceiveFlags::empty())
        .map_err(|_| Failed::Recv)?;
    if got.bytes != 2 || &buf[..2] != b"fd" {
        return Err(Failed::Contents);
    }
    let Some(received) = fds.pop() else {
        return Err(Failed::Contents);
    };
    let cloexec = fcntl_getfd(&received)
        .map(|f| f.contains(FdFlags::CLOEXEC))
        .unwrap_or(false);
    if received.as_raw_fd() == writer.as_raw_fd() || !cloexec {
        return Err(Failed::NotNewCloexec);
    }
    let through = WriteEnd::from(received);
    if through.write(b"via SCM_RIGHTS") != Ok(14) {
        return Err(Failed::WriteThrough);
    }
    let mut back = [0u8; 14];
    if reader.read(&mut back) != Ok(14) || &back != b"via SCM_RIGHTS" {
        return Err(Failed::ReadBack);
    }
    Ok(())
}
