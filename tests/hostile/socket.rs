//! Unix sockets against a hostile peer.
#![cfg(all(feature = "socket", feature = "std"))]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use bareipc::Errno;
use bareipc::socket::{self, BindOptions, SocketFlags, SocketType, UnixAddr};

use crate::common::{TempDir, child, child_as_other_user, child_role, env};
use crate::trace::{self, Net};

fn mode_of(p: &Path) -> u32 {
    std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777
}

/// Attack: whoever can write the directory of a fresh socket renames a
/// symlink over it right after `bind`, so that a chmod of the socket by
/// path (what `bind` and `listen` did after binding) changes the
/// symlink's target instead: a root-owned 0644 file. And in that same
/// instant another uid sends to the socket, which it may only do if the
/// socket's file is writable by others then (with umask 0, it was 0777
/// until the chmod).
///
/// The victim binds with the default mode (0600) under umask 0. A tracer
/// stops it at its first syscall after `bind` and plays both moves there.
/// Asserts: the moves were made in that window, the other uid was
/// refused (`EACCES`), the socket file had mode 0600 from the start, and
/// the symlink's target kept its mode.
#[test]
fn a_fresh_socket_has_its_mode_at_once_and_is_never_chmodded_by_path() {
    let test = "socket::a_fresh_socket_has_its_mode_at_once_and_is_never_chmodded_by_path";
    match child_role().as_deref() {
        Some("victim") => {
            // SAFETY: umask only sets the process's file creation mask.
            unsafe { libc::umask(0) };
            let addr = UnixAddr::path(env("SOCK")).unwrap();
            let _s = socket::bind(&addr, SocketType::Datagram, BindOptions::new()).unwrap();
            return;
        }
        Some("sender") => {
            let to = UnixAddr::path(env("SOCK")).unwrap();
            let r = socket::connect(&to, SocketType::Datagram, SocketFlags::empty())
                .and_then(|s| s.send(b"in"));
            std::process::exit(match r {
                Ok(_) => 0,
                Err(Errno::ACCESS) => 13,
                Err(e) => panic!("send_to: {e}"),
            });
        }
        _ => {}
    }
    if !trace::available(test) {
        return;
    }
    let dir = TempDir::new("bareipc-hostile-sock");
    // Others may look in (to reach the socket), not write.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let sock = dir.join("s");
    let target = dir.join("root-owned");
    std::fs::write(&target, b"keep my mode").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).unwrap();
    let planted = dir.join("planted");
    std::os::unix::fs::symlink(&target, &planted).unwrap();

    let mut cmd = child(test, "victim");
    cmd.env("SOCK", &sock);
    let (mut bound, mut moved) = (false, false);
    let mut mode_at_once = None;
    let mut sender = None;
    let status = trace::run(cmd, |e| {
        if moved {
            return;
        }
        if e.is_net(Net::Bind) {
            bound = true;
            return;
        }
        if !bound {
            return;
        }
        // The first syscall after bind: the socket file exists now.
        moved = true;
        mode_at_once = Some(mode_of(&sock));
        match child_as_other_user(test, "sender") {
            Some(mut s) => {
                s.env("SOCK", &sock);
                sender = Some(s.status().unwrap().code());
            }
            None => crate::skip(test, "the other-uid sender (see the NOTE above)"),
        }
        std::fs::rename(&planted, &sock).unwrap();
    });
    assert!(status.success(), "the victim failed: {status}");
    assert!(moved, "the tracer never saw the victim's bind");
    assert_eq!(
        mode_at_once,
        Some(0o600),
        "the socket's mode right after bind"
    );
    if let Some(code) = sender {
        assert_eq!(
            code,
            Some(13),
            "another uid could send before the mode was set"
        );
    }
    assert_eq!(mode_of(&target), 0o644, "the symlink's target was chmodded");
}

/// Attack (or accident): a second instance of a service binds the path of
/// a live listener with stale-socket removal on. A stale socket is one
/// nobody listens on; before the fix any socket file counted, so the live
/// listener's file was unlinked and new clients could no longer reach it.
///
/// Asserts: `EADDRINUSE`, and the live listener is still reachable by its
/// path; then, once it is gone, the same call removes the stale file and
/// binds.
#[test]
fn remove_stale_leaves_a_live_listener_alone() {
    let dir = TempDir::new("bareipc-hostile-stale");
    let addr = UnixAddr::path(&*dir.join("live")).unwrap();
    let live = socket::listen(&addr, SocketType::Stream, BindOptions::new()).unwrap();
    let opts = BindOptions::new().remove_stale(true);
    for ty in [SocketType::Stream, SocketType::SeqPacket] {
        assert_eq!(
            socket::listen(&addr, ty, opts).err(),
            Some(Errno::ADDRINUSE)
        );
    }
    assert_eq!(
        socket::bind(&addr, SocketType::Datagram, opts).err(),
        Some(Errno::ADDRINUSE)
    );
    let c = socket::connect(&addr, SocketType::Stream, SocketFlags::empty()).unwrap();
    c.send(b"still here").unwrap();
    // The stale check's probe connected too (and hung up): the listener
    // sees it as a connection that ends at once, before ours.
    let mut buf = [0u8; 16];
    let mut probes = 0;
    loop {
        let a = live.accept().unwrap();
        match a.receive(&mut buf).unwrap() {
            0 => probes += 1,
            n => {
                assert_eq!(&buf[..n], b"still here");
                break;
            }
        }
    }
    assert_eq!(probes, 1, "one probe of the same type");
    drop((c, live));
    // Now it is stale.
    let again = socket::listen(&addr, SocketType::Stream, opts).unwrap();
    let c = socket::connect(&addr, SocketType::Stream, SocketFlags::empty()).unwrap();
    drop((again.accept().unwrap(), c));
}

/// Attack: the peer owns a directory on the socket's path
/// (`dir/d/sock`) and, between the victim's check of `sock` and its
/// removal, swaps `d` for a symlink to a root-only directory that holds a
/// root service's live socket of the same name. Before the fix the check
/// and the unlink each resolved the path again, so the live socket of
/// the other service was removed.
///
/// A tracer makes the swap at the victim's first probe `connect` or
/// `unlinkat`, whichever comes first (the probe comes first since the
/// fix). Asserts: the swap was made in that window, the root service's
/// socket is still there and reachable, and the stale socket the victim
/// meant is the one that was removed.
#[test]
fn remove_stale_unlinks_only_in_the_directory_it_checked() {
    let test = "socket::remove_stale_unlinks_only_in_the_directory_it_checked";
    if let Some(role) = child_role() {
        assert_eq!(role, "victim");
        let addr = UnixAddr::path(env("SOCK")).unwrap();
        let opts = BindOptions::new().remove_stale(true);
        // The path now leads into the root service's directory, whose
        // `sock` is live: the bind there fails, as it should.
        let r = socket::bind(&addr, SocketType::Stream, opts);
        assert_eq!(r.err(), Some(Errno::ADDRINUSE));
        return;
    }
    if !trace::available(test) {
        return;
    }
    let tmp = TempDir::new("bareipc-hostile-stalerace");
    let d = tmp.join("d");
    std::fs::create_dir(&d).unwrap();
    let stale = UnixAddr::path(&*d.join("sock")).unwrap();
    drop(socket::listen(&stale, SocketType::Stream, BindOptions::new()).unwrap());
    let service = tmp.join("service");
    std::fs::create_dir(&service).unwrap();
    let service_addr = UnixAddr::path(&*service.join("sock")).unwrap();
    let live = socket::listen(&service_addr, SocketType::Stream, BindOptions::new()).unwrap();

    let mut cmd = child(test, "victim");
    cmd.env("SOCK", d.join("sock"));
    let mut swapped = false;
    let status = trace::run(cmd, |e| {
        let unlink = e.nr == libc::SYS_unlinkat;
        if swapped || !(unlink || e.is_net(Net::Connect)) {
            return;
        }
        swapped = true;
        std::fs::rename(&d, tmp.join("d.checked")).unwrap();
        std::os::unix::fs::symlink(&service, &d).unwrap();
    });
    assert!(status.success(), "the victim failed: {status}");
    assert!(swapped, "the victim never probed nor unlinked");
    let c = socket::connect(&service_addr, SocketType::Stream, SocketFlags::empty())
        .expect("the root service's live socket was removed");
    drop((live.accept().unwrap(), c));
    assert!(
        !tmp.join("d.checked").join("sock").exists(),
        "the stale socket the victim checked is still there"
    );
}

/// Attack: a client passes a file descriptor whose close blocks (a TCP
/// socket with `SO_LINGER` and a full send buffer, a file on a FUSE mount
/// it serves). Whoever drops it runs that close: the kernel inside our
/// receive when there is no room for it, this crate for the extras it
/// cannot return, or our close of the socket while it is still queued —
/// and no `MSG_DONTWAIT` or timeout bounds it. Before `SO_PASSRIGHTS` a
/// service could not refuse fds at all.
///
/// Asserts: on a listener made with `pass_rights(false)`, the accepted
/// socket refuses fds too (inherited): the client's `send_msg` with an
/// fd fails with `EPERM` at the client, and the service receives the
/// client's data with no fd. Skipped where the kernel lacks the option
/// (before 6.16, and qemu-user).
#[test]
fn a_service_can_refuse_fds_outright() {
    let dir = TempDir::new("bareipc-hostile-rights");
    let addr = UnixAddr::path(&*dir.join("svc")).unwrap();
    let opts = BindOptions::new().pass_rights(false);
    let l = match socket::listen(&addr, SocketType::Stream, opts) {
        Ok(l) => l,
        Err(Errno::NOPROTOOPT) => {
            crate::skip(
                "socket::a_service_can_refuse_fds_outright",
                "SO_PASSRIGHTS is not known here (Linux < 6.16, or qemu)",
            );
            return;
        }
        Err(e) => panic!("listen: {e}"),
    };
    let c = socket::connect(&addr, SocketType::Stream, SocketFlags::empty()).unwrap();
    let a = l.accept().unwrap();
    assert_eq!(
        a.pass_rights(),
        Ok(false),
        "the accepted socket did not inherit it"
    );
    let (r, _w) = bareipc::pipe::pipe().unwrap();
    let sent = c.send_msg(
        b"x",
        &[rustix::fd::AsFd::as_fd(&r)],
        None,
        socket::SendFlags::empty(),
    );
    assert_eq!(sent, Err(Errno::PERM), "an fd was queued");
    c.send(b"data").unwrap();
    let mut fds = heapless::Vec::<rustix::fd::OwnedFd, 4>::new();
    let mut buf = [0u8; 8];
    let got = a
        .receive_msg(&mut buf, &mut fds, socket::ReceiveFlags::empty())
        .unwrap();
    assert_eq!((&buf[..got.bytes], got.fds), (&b"data"[..], 0));
}
