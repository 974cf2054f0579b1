//! The tour's unix sockets: stream, seqpacket, datagram.

use super::*;

/// A listening stream socket on a path; the child connects, we check its
/// credentials and send it a pipe's write end, and the child answers every
/// message through that pipe.
pub(crate) fn stream_parent() -> Res<Line> {
    let dir = common::TempDir::new("bareipc-tour");
    let path = dir.join("sock");
    let addr = UnixAddr::path(&*path).ctx("socket path")?;
    let listener = socket::listen(&addr, SocketType::Stream, BindOptions::new()).ctx("listen")?;
    let peer = Peer::spawn("unix stream", &[path.as_os_str()], vec![])?;
    // The child connected before it said it was ready: this does not wait.
    let conn = listener.accept().ctx("accept4")?;
    let cred = conn.peer_credentials().ctx("SO_PEERCRED")?;
    check(
        cred.pid == Some(peer.pid()) && cred.uid == rustix::process::geteuid(),
        || format!("SO_PEERCRED says {cred:?}, not the child"),
    )?;
    let (back_r, back_w) = pipe::pipe().ctx("pipe2")?;
    conn.send_msg(b"fd", &[back_w.as_fd()], None, SendFlags::empty())
        .ctx("sendmsg(SCM_RIGHTS)")?;
    // Only the child holds the write end now: its death is end of file.
    drop(back_w);
    let rtts = echo_parent(|b| conn.send(b), |b| back_r.read(b))?;
    peer.finish()?;
    Ok(Line {
        exchanged: format!("creds, a pipe fd, then {MSG} B out, back through it"),
        rtts,
        syscalls: format!(
            "{}, fchmod, getsockopt(SO_PEERCRED), pipe2, sendmsg+recvmsg(SCM_RIGHTS) | sendto, recvfrom, write, read",
            net("socket, bind, listen, connect, accept4")
        ),
    })
}

pub(crate) fn stream_child(args: &[String]) -> Res<()> {
    let addr = UnixAddr::path(arg(args, 0)?).ctx("socket path")?;
    let s = socket::connect(&addr, SocketType::Stream, SocketFlags::empty()).ctx("connect")?;
    ready()?;
    let mut fds = heapless::Vec::<OwnedFd, 1>::new();
    let mut buf = [0u8; 2];
    let got = s
        .receive_msg(&mut buf, &mut fds, ReceiveFlags::empty())
        .ctx("recvmsg")?;
    check(got.bytes == 2 && got.fds == 1, || {
        format!("expected 2 bytes and an fd, got {got:?}")
    })?;
    let back = WriteEnd::from(fds.pop().expect("one fd arrived"));
    echo_child(|b| s.receive(b), |b| back.write(b))
}

/// A seqpacket socketpair; the parent receives with `SO_PASSCRED`, so every
/// answer carries the child's credentials, checked.
pub(crate) fn seqpacket_parent() -> Res<Line> {
    let (ours, theirs) =
        socket::pair(SocketType::SeqPacket, SocketFlags::empty()).ctx("socketpair")?;
    ours.set_pass_credentials(true).ctx("SO_PASSCRED")?;
    let peer = Peer::spawn("unix seqpacket", &[], vec![theirs.into()])?;
    let child = peer.pid().as_raw_nonzero().get();
    let rtts = echo_parent(
        |b| ours.send(b),
        |b| {
            let mut none = heapless::Vec::<OwnedFd, 0>::new();
            let got = ours.receive_msg(b, &mut none, ReceiveFlags::empty())?;
            // A message from anyone but the child is a protocol error here.
            match got.credentials {
                Some(c) if c.pid.map(|p| p.as_raw_nonzero().get()) == Some(child) => Ok(got.bytes),
                _ if got.bytes == 0 => Ok(0),
                _ => Err(Errno::PROTO),
            }
        },
    )?;
    peer.finish()?;
    Ok(Line {
        exchanged: format!("{MSG} B messages (each +1), sender creds checked"),
        rtts,
        syscalls: format!(
            "{} | sendto, recvfrom, recvmsg(SCM_CREDENTIALS)",
            net("socketpair, setsockopt(SO_PASSCRED)")
        ),
    })
}

pub(crate) fn seqpacket_child(_: &[String]) -> Res<()> {
    let s = Socket::from(take(0));
    ready()?;
    echo_child(|b| s.receive(b), |b| s.send(b))
}

/// Two datagram sockets bound to paths: the address travels with every
/// message. Receives time out, since nothing ends when the other side dies.
pub(crate) fn datagram_parent() -> Res<Line> {
    let dir = common::TempDir::new("bareipc-tour");
    let ours = bind_datagram(&dir.join("parent"))?;
    let theirs = UnixAddr::path(&*dir.join("child")).ctx("socket path")?;
    let peer = Peer::spawn("unix datagram", &[dir.path().as_os_str()], vec![])?;
    let rtts = echo_parent(|b| ours.send_to(b, &theirs), |b| ours.receive(b))?;
    peer.finish()?;
    Ok(Line {
        exchanged: format!("{MSG} B datagrams (each +1) between two paths"),
        rtts,
        syscalls: format!(
            "{}, fchmod | {}, recvfrom",
            net("socket, bind, setsockopt(SO_RCVTIMEO)"),
            net("sendto")
        ),
    })
}

pub(crate) fn datagram_child(args: &[String]) -> Res<()> {
    let dir = Path::new(arg(args, 0)?);
    let ours = bind_datagram(&dir.join("child"))?;
    let theirs = UnixAddr::path(&*dir.join("parent")).ctx("socket path")?;
    ready()?;
    echo_child(|b| ours.receive(b), |b| ours.send_to(b, &theirs))
}

pub(crate) fn bind_datagram(path: &Path) -> Res<Socket> {
    let addr = UnixAddr::path(path).ctx("socket path")?;
    let s = socket::bind(&addr, SocketType::Datagram, BindOptions::new()).ctx("bind")?;
    s.set_read_timeout(Some(TIMEOUT)).ctx("SO_RCVTIMEO")?;
    Ok(s)
}
