//! Handing a listening socket to another process, with credential checks on
//! both sides: the parent binds a Unix listener in a private directory and
//! sends its fd (SCM_RIGHTS) over a socketpair to a child; the child checks
//! who sent it (SO_PASSCRED), accepts one connection on it, checks who
//! connected (SO_PEERCRED), and answers "ping" with "pong".
//!
//! Run: `cargo run --example fd_handoff`

use std::io::Read;
use std::os::fd::{AsFd, OwnedFd};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use bareipc::socket::{self, BindOptions, Credentials, Listener, ReceiveFlags, SendFlags};
use bareipc::socket::{Socket, SocketFlags, SocketType, UnixAddr};
use bareipc::{Pid, heapless};

/// A directory only we can enter, removed (with the socket file) on drop.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("server") {
        return server();
    }

    let dir = TempDir(std::env::temp_dir().join(format!("bareipc-handoff-{}", std::process::id())));
    // Mode 0o700, and an existing directory of that name is an error.
    std::os::unix::fs::DirBuilderExt::mode(&mut std::fs::DirBuilder::new(), 0o700)
        .create(&dir.0)
        .expect("a fresh private directory");
    let addr = UnixAddr::path(dir.0.join("service.sock")).expect("a short enough path");
    let listener = socket::listen(&addr, SocketType::Stream, BindOptions::new()).expect("listen");

    let (ours, theirs) = socket::pair(SocketType::Stream, SocketFlags::empty()).expect("pair");
    // On the child's end, before it exists: the kernel attaches each
    // sender's credentials to what it receives.
    theirs.set_pass_credentials(true).expect("SO_PASSCRED");
    let mut child = Command::new(std::env::current_exe().expect("current_exe"))
        .arg("server")
        .stdin(Stdio::from(OwnedFd::from(theirs)))
        .spawn()
        .expect("spawn the server");
    ours.send_msg(b"listener", &[listener.as_fd()], None, SendFlags::empty())
        .expect("send the listener");
    drop(listener); // the child's copy is the only one now

    // A client: connections queue on the listener whoever accepts them.
    let conn = socket::connect(&addr, SocketType::Stream, SocketFlags::empty()).expect("connect");
    conn.send(b"ping").expect("send");
    conn.shutdown(socket::Shutdown::Write).expect("shutdown");
    let mut reply = String::new();
    (&conn).read_to_string(&mut reply).expect("receive"); // until the server closes
    assert_eq!(reply, "pong");
    assert!(child.wait().expect("wait").success(), "the server failed");
    println!(
        "client: sent ping, got {reply}; removing {}",
        dir.0.display()
    );
}

fn server() {
    let me = Credentials::current();
    let pair = Socket::from(std::io::stdin().as_fd().try_clone_to_owned().expect("dup"));
    let (mut buf, mut fds) = ([0u8; 16], heapless::Vec::<OwnedFd, 1>::new());
    let got = pair.receive_msg(&mut buf, &mut fds, ReceiveFlags::empty());
    let got = got.expect("recvmsg");
    assert_eq!((&buf[..got.bytes], got.fds), (&b"listener"[..], 1));

    // Who sent the fd, as the kernel saw it (not as the sender claims).
    let sender = got.credentials.expect("SO_PASSCRED was on");
    let parent = Pid::from_raw(std::os::unix::process::parent_id() as i32);
    assert_eq!(sender.pid, parent, "the fd came from someone else");
    assert_eq!(sender.uid, me.uid, "the fd came from another user");

    let listener = Listener::from(fds.pop().expect("one fd"));
    // Bounded, in case the parent died after handing the listener over.
    let conn = listener.accept_timeout(Duration::from_secs(5));
    let conn = conn.expect("accept");
    // Who connected: anyone who can reach the path could have.
    let peer = conn.peer_credentials().expect("SO_PEERCRED");
    assert_eq!(peer.uid, me.uid, "a client of another user");

    let mut request = Vec::new();
    (&conn).read_to_end(&mut request).expect("receive"); // until the client shuts down
    assert_eq!(request, b"ping");
    println!(
        "server: listener from pid {}, client pid {} (uid {}): ping -> pong",
        parent.expect("a parent"),
        peer.pid.expect("a visible client"),
        peer.uid.as_raw(),
    );
    conn.send(b"pong").expect("send");
}
