//! The tour's signals: sigqueue with sigwait and signalfd, handlers, pidfds.

use super::*;

/// The real-time signals of the two sigqueue lines: 36 and 37 (the
/// crate counts from 35, the first one free in both glibc and musl).
pub(crate) const SIG_WAIT: Signal = match Signal::rt(1) {
    Ok(s) => s,
    Err(_) => panic!("SIGRTMIN+1 exists"),
};
pub(crate) const SIG_FD: Signal = match Signal::rt(2) {
    Ok(s) => s,
    Err(_) => panic!("SIGRTMIN+2 exists"),
};

/// The parent's side of a signal ping-pong: `send(i)` to the child, then
/// wait for `reply` from the child carrying `i + 1` (if `valued`).
pub(crate) fn signal_rounds(
    peer: &Peer,
    reply: Signal,
    valued: bool,
    mut send: impl FnMut(u64) -> Res<()>,
) -> Res<Vec<Duration>> {
    let set = SigSet::empty().with(reply);
    timed(|i| {
        send(i)?;
        let info = signal::wait_timeout(&set, TIMEOUT).ctx("sigtimedwait")?;
        let want_value = valued.then(|| SigVal::from_int(i as i32 + 1));
        check(
            info.sender_pid() == Some(peer.pid()) && (!valued || info.value() == want_value),
            || format!("round {i}: {info:?}"),
        )
    })
}

/// Checks a signal the child got in round `i`: from `parent`, queued
/// with value `i`.
pub(crate) fn check_queued(info: &signal::SigInfo, parent: Pid, i: u64) -> Res<()> {
    check(
        info.code() == Code::QUEUE
            && info.sender_pid() == Some(parent)
            && info.value() == Some(SigVal::from_int(i as i32)),
        || format!("round {i}: {info:?}"),
    )
}

pub(crate) fn queue_to(pid: Pid, sig: Signal, value: u64) -> Res<()> {
    signal::queue(pid, sig, SigVal::from_int(value as i32)).ctx("sigqueue")
}

/// `sigqueue` both ways, each side taking it with `sigtimedwait`.
pub(crate) fn sigqueue_parent() -> Res<Line> {
    let peer = Peer::spawn("sigqueue+sigwait", &[], vec![])?;
    let rtts = signal_rounds(&peer, SIG_WAIT, true, |i| queue_to(peer.pid(), SIG_WAIT, i))?;
    peer.finish()?;
    Ok(Line {
        exchanged: format!(
            "signal {} with an int, back with int + 1",
            SIG_WAIT.as_raw()
        ),
        rtts,
        syscalls: format!(
            "rt_sigprocmask | getpid, {}, rt_sigqueueinfo, {}",
            getuid(),
            sigtimedwait()
        ),
    })
}

pub(crate) fn sigqueue_child(_: &[String]) -> Res<()> {
    let set = SigSet::empty().with(SIG_WAIT);
    signal::block(&set).ctx("sigprocmask")?;
    ready()?;
    let parent = parent_pid()?;
    each_round(|i| {
        let info = signal::wait_timeout(&set, TIMEOUT).ctx("sigtimedwait")?;
        check_queued(&info, parent, i)?;
        queue_to(parent, SIG_WAIT, i + 1)
    })
}

/// As above, but the child reads the signals from a signalfd.
pub(crate) fn signalfd_parent() -> Res<Line> {
    let peer = Peer::spawn("sigqueue+signalfd", &[], vec![])?;
    let rtts = signal_rounds(&peer, SIG_FD, true, |i| queue_to(peer.pid(), SIG_FD, i))?;
    peer.finish()?;
    Ok(Line {
        exchanged: format!(
            "signal {} with an int, read from a signalfd; +1",
            SIG_FD.as_raw()
        ),
        rtts,
        syscalls: format!(
            "rt_sigprocmask, signalfd4 | getpid, {}, rt_sigqueueinfo, read, {}",
            getuid(),
            sigtimedwait()
        ),
    })
}

pub(crate) fn signalfd_child(_: &[String]) -> Res<()> {
    let set = SigSet::empty().with(SIG_FD);
    signal::block(&set).ctx("sigprocmask")?;
    let fd = SignalFd::new(&set, SignalFdFlags::empty()).ctx("signalfd")?;
    ready()?;
    let parent = parent_pid()?;
    each_round(|i| {
        let info = fd.read().ctx("read")?;
        check_queued(&info, parent, i)?;
        queue_to(parent, SIG_FD, i + 1)
    })
}

/// Runs of the child's handler.
pub(crate) static HANDLED: AtomicU32 = AtomicU32::new(0);

extern "C" fn on_usr1(_: Signal) {
    HANDLED.fetch_add(1, Ordering::Relaxed);
}

/// `kill` both ways: SIGUSR1 runs the child's handler (which counts; the
/// child checks the count), SIGUSR2 comes back.
pub(crate) fn handler_parent() -> Res<Line> {
    let peer = Peer::spawn("kill+handler", &[], vec![])?;
    let rtts = signal_rounds(&peer, Signal::USR2, false, |_| {
        signal::kill(peer.pid(), Signal::USR1).ctx("kill")
    })?;
    peer.finish()?;
    Ok(Line {
        exchanged: "SIGUSR1 runs a counted handler; SIGUSR2 back".into(),
        rtts,
        syscalls: format!(
            "rt_sigaction, rt_sigprocmask | kill, rt_sigsuspend, {}, {}",
            if X86 || ARM {
                "sigreturn"
            } else {
                "rt_sigreturn"
            },
            sigtimedwait()
        ),
    })
}

pub(crate) fn handler_child(_: &[String]) -> Res<()> {
    use bareipc::signal::{Action, Handler};
    let usr1 = SigSet::empty().with(Signal::USR1);
    // SAFETY: the handler only increments an atomic.
    unsafe { signal::set_handler(Signal::USR1, &Action::new(Handler::Plain(on_usr1))) }
        .ctx("sigaction")?;
    // Blocked except while suspended, so it runs only there.
    signal::block(&usr1).ctx("sigprocmask")?;
    ready()?;
    let parent = parent_pid()?;
    each_round(|i| {
        let e = signal::suspend(&SigSet::empty());
        check(e == Errno::INTR, || format!("sigsuspend: {e}"))?;
        let n = HANDLED.load(Ordering::Relaxed);
        check(n as u64 == i + 1, || {
            format!("round {i}: handler ran {n} times")
        })?;
        signal::kill(parent, Signal::USR2).ctx("kill")
    })
}

/// `pidfd_send_signal` both ways, each side holding a pidfd of the other;
/// SIGUSR1 with a value there, SIGUSR2 with value + 1 back. (Standard
/// signals: qemu-user does not translate a real-time signal's siginfo.)
pub(crate) fn pidfd_parent() -> Res<Line> {
    use bareipc::signal::PidFd;
    let peer = Peer::spawn("pidfd signal", &[], vec![])?;
    let pidfd = PidFd::open(peer.pid()).ctx("pidfd_open")?;
    let rtts = signal_rounds(&peer, Signal::USR2, true, |i| {
        pidfd
            .queue(Signal::USR1, SigVal::from_int(i as i32))
            .ctx("pidfd_send_signal")
    })?;
    peer.finish()?;
    Ok(Line {
        exchanged: "SIGUSR1 with an int, SIGUSR2 with int + 1 back".into(),
        rtts,
        syscalls: format!(
            "pidfd_open, rt_sigprocmask | getpid, {}, pidfd_send_signal, {}",
            getuid(),
            sigtimedwait()
        ),
    })
}

pub(crate) fn pidfd_child(_: &[String]) -> Res<()> {
    use bareipc::signal::PidFd;
    let set = SigSet::empty().with(Signal::USR1);
    signal::block(&set).ctx("sigprocmask")?;
    let parent = parent_pid()?;
    let pidfd = PidFd::open(parent).ctx("pidfd_open")?;
    ready()?;
    each_round(|i| {
        let info = signal::wait_timeout(&set, TIMEOUT).ctx("sigtimedwait")?;
        check_queued(&info, parent, i)?;
        pidfd
            .queue(Signal::USR2, SigVal::from_int(i as i32 + 1))
            .ctx("pidfd_send_signal")
    })
}
