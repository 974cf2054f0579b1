//! The tour's shared memory: POSIX, memfd, SysV.

use super::*;

/// The parent's side of a shared-memory exchange: a page of requests at 0,
/// the child's answer at `PAGE`, `notify` and `wait` around it.
pub(crate) fn shm_parent(
    map: &bareipc::shm::Mapping<ReadWrite>,
    mut notify: impl FnMut() -> Res<()>,
    mut wait: impl FnMut() -> Res<()>,
) -> Res<Vec<Duration>> {
    let (mut out, mut back) = (vec![0u8; PAGE], vec![0u8; PAGE]);
    timed(|i| {
        request(i, &mut out);
        map.write_at(0, &out).ctx("write_at")?;
        notify()?;
        wait()?;
        map.read_at(PAGE, &mut back).ctx("read_at")?;
        check_reply(i, &back, PAGE)
    })
}

/// The child's side of [`shm_parent`].
pub(crate) fn shm_child(
    map: &bareipc::shm::Mapping<ReadWrite>,
    mut wait: impl FnMut() -> Res<()>,
    mut notify: impl FnMut() -> Res<()>,
) -> Res<()> {
    let mut buf = vec![0u8; PAGE];
    each_round(|_| {
        wait()?;
        map.read_at(0, &mut buf).ctx("read_at")?;
        bump(&mut buf);
        map.write_at(PAGE, &buf).ctx("write_at")?;
        notify()
    })
}

pub(crate) fn shm_exchanged(how: &str) -> String {
    format!("4 KiB each way (+1); {how}")
}

/// A POSIX shared memory object the child opens by name; two eventfds say
/// when to read.
pub(crate) fn posix_shm_parent() -> Res<Line> {
    let name = common::unique_name("/bareipc-tour");
    let shm = shm_ctx(posix::create(&name, posix::DEFAULT_MODE), "shm_open")?;
    let _unlink = posix::UnlinkOnDrop::new(&name, &shm).ctx("shm name")?;
    shm.set_len(2 * PAGE as u64).ctx("ftruncate")?;
    // SAFETY: only this process and its child use the object, and neither
    // changes its size.
    let map = unsafe { shm.map::<ReadWrite>(2 * PAGE) }.ctx("mmap")?;
    let ev = EventPair::new()?;
    let (fds, on_exit) = ev.for_child()?;
    let peer = Peer::spawn_with("POSIX shm", &[name.as_ref()], fds, Some(on_exit))?;
    let rtts = shm_parent(
        &map,
        || ev.ping.write(1).ctx("write"),
        || ev.answer().map(drop),
    )?;
    ev.release()?;
    peer.finish()?;
    Ok(Line {
        exchanged: shm_exchanged("eventfds say when"),
        rtts,
        syscalls: format!(
            "{}, eventfd2, unlinkat | write, read",
            shm_setup("openat", false)
        ),
    })
}

pub(crate) fn posix_shm_child(args: &[String]) -> Res<()> {
    let shm = shm_ctx(
        posix::open::<bareipc::shm::ReadWrite>(arg(args, 0)?),
        "shm_open",
    )?;
    // SAFETY: as in the parent.
    let map = unsafe { shm.map::<ReadWrite>(2 * PAGE) }.ctx("mmap")?;
    let ev = EventPair::take();
    ready()?;
    shm_child(
        &map,
        || ev.ping.read().ctx("read").map(drop),
        || ev.pong.write(1).ctx("write"),
    )?;
    ev.released()
}

/// A memfd, sealed against resizing, sent to the child over a socket; the
/// child refuses it without the seals, and checks that it cannot shrink it.
/// One-byte messages on the socket say when to read.
pub(crate) fn memfd_parent() -> Res<Line> {
    use memfd::{MemfdFlags, Seals};
    let fd = memfd::create(c"bareipc-tour", MemfdFlags::empty()).ctx("memfd_create")?;
    fd.set_len(2 * PAGE as u64).ctx("ftruncate")?;
    fd.add_seals(Seals::SHRINK | Seals::GROW)
        .ctx("F_ADD_SEALS")?;
    let map = fd.map::<ReadWrite>(2 * PAGE).ctx("mmap")?;
    let (ours, theirs) =
        socket::pair(SocketType::SeqPacket, SocketFlags::empty()).ctx("socketpair")?;
    let peer = Peer::spawn("memfd", &[], vec![theirs.into()])?;
    ours.send_msg(b"m", &[fd.as_fd()], None, SendFlags::empty())
        .ctx("sendmsg(SCM_RIGHTS)")?;
    let mut byte = [0u8; 1];
    let rtts = shm_parent(
        &map,
        || send_all(|b| ours.send(b), b"x"),
        || recv_all(|b| ours.receive(b), &mut byte),
    )?;
    peer.finish()?;
    Ok(Line {
        exchanged: shm_exchanged("sealed fd sent over a socket"),
        rtts,
        syscalls: format!(
            "{}, {}, sendmsg+recvmsg(SCM_RIGHTS), {f}(F_GET_SEALS), {} | sendto, recvfrom",
            shm_setup("memfd_create", true),
            net("socketpair"),
            fstat(),
            f = fcntl()
        ),
    })
}

pub(crate) fn memfd_child(_: &[String]) -> Res<()> {
    use memfd::{Memfd, Seals};
    let s = Socket::from(take(0));
    ready()?;
    let mut fds = heapless::Vec::<OwnedFd, 1>::new();
    let got = s
        .receive_msg(&mut [0u8; 1], &mut fds, ReceiveFlags::empty())
        .ctx("recvmsg")?;
    check(got.fds == 1, || format!("expected an fd, got {got:?}"))?;
    let fd = Memfd::require_seals(fds.pop().expect("one fd"), Seals::SHRINK | Seals::GROW)
        .ctx("require the seals")?;
    check(fd.set_len(0) == Err(Errno::PERM), || {
        "the sealed memfd could be shrunk".into()
    })?;
    let map = fd.map::<ReadWrite>(2 * PAGE).ctx("mmap")?;
    let mut byte = [0u8; 1];
    shm_child(
        &map,
        || recv_all(|b| s.receive(b), &mut byte),
        || send_all(|b| s.send(b), b"y"),
    )
}

/// A SysV segment found by key; two futex semaphores inside it say when
/// to read.
pub(crate) fn sysv_shm_parent() -> Res<Line> {
    use bareipc::sem::futex::Semaphore;
    let key = bareipc::key::Key::from_raw(common::unique_key());
    let seg = sysv::Segment::create(key, SYSV_SHM_LEN, sysv::DEFAULT_MODE)
        .ctx("shmget")?
        .remove_on_drop()
        .ctx("IPC_STAT")?;
    let map = seg.attach::<ReadWrite>().ctx("shmat")?;
    let there = Semaphore::init(&map, 2 * PAGE, 0).ctx("sem_init")?;
    let back = Semaphore::init(&map, 2 * PAGE + 8, 0).ctx("sem_init")?;
    let key_arg = key.as_raw().to_string();
    let peer = Peer::spawn("SysV shm", &[key_arg.as_ref()], vec![])?;
    let rtts = shm_parent(
        &map,
        || there.post().ctx("sem_post"),
        || back.wait_timeout(TIMEOUT).ctx("sem_timedwait"),
    )?;
    peer.finish()?;
    Ok(Line {
        exchanged: shm_exchanged("futex semaphores inside"),
        rtts,
        syscalls: "shmget, shmat, shmctl(IPC_STAT), shmctl(IPC_RMID) | futex(FUTEX_WAKE), futex(FUTEX_WAIT_BITSET)".into(),
    })
}

pub(crate) const SYSV_SHM_LEN: usize = 2 * PAGE + 16;

pub(crate) fn sysv_shm_child(args: &[String]) -> Res<()> {
    use bareipc::sem::futex::Semaphore;
    let key = bareipc::key::Key::from_raw(parse(args, 0)?);
    let seg =
        sysv::Segment::get(key, 0, sysv::IpcFlags::empty(), sysv::DEFAULT_MODE).ctx("shmget")?;
    let map = seg.attach::<ReadWrite>().ctx("shmat")?;
    check(map.len() >= SYSV_SHM_LEN, || "segment too small".into())?;
    let there = Semaphore::at(&map, 2 * PAGE).ctx("sem")?;
    let back = Semaphore::at(&map, 2 * PAGE + 8).ctx("sem")?;
    ready()?;
    shm_child(
        &map,
        || there.wait_timeout(TIMEOUT).ctx("sem_timedwait"),
        || back.post().ctx("sem_post"),
    )
}
