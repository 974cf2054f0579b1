//! The tour's event counters.

use super::*;

/// What the watcher adds to an eventfd when the child exits: far above any
/// value the exchange uses, and far below the counter's maximum (where a
/// write would block).
pub(crate) const CHILD_GONE: u64 = 1 << 62;

/// Two eventfds, `ping` and `pong`, shared with a child; if the child exits,
/// `pong` gets [`CHILD_GONE`] so a parent blocked reading it wakes up.
pub(crate) struct EventPair {
    pub(crate) ping: EventFd,
    pub(crate) pong: EventFd,
}

impl EventPair {
    pub(crate) fn new() -> Res<EventPair> {
        Ok(EventPair {
            ping: EventFd::new(0, EventFdFlags::empty()).ctx("eventfd2")?,
            pong: EventFd::new(0, EventFdFlags::empty()).ctx("eventfd2")?,
        })
    }

    /// Copies of both fds for the child, and the exit hook.
    pub(crate) fn for_child(&self) -> Res<(Vec<OwnedFd>, OnExit)> {
        let dup = |e: &EventFd| e.as_fd().try_clone_to_owned().ctx("dup");
        let fds = vec![dup(&self.ping)?, dup(&self.pong)?];
        let pong = EventFd::from(dup(&self.pong)?);
        Ok((
            fds,
            Box::new(move || {
                let _ = pong.write(CHILD_GONE);
            }),
        ))
    }

    /// The parent's read of `pong`.
    pub(crate) fn answer(&self) -> Res<u64> {
        let v = self.pong.read().ctx("read")?;
        check(v < CHILD_GONE, || "the child exited mid-exchange".into())?;
        Ok(v)
    }

    /// The parent's last word: the child may exit now. (Had it exited
    /// right after its last answer, the exit hook could add to `pong`
    /// before the parent read that answer.)
    pub(crate) fn release(&self) -> Res<()> {
        self.ping.write(1).ctx("write")
    }

    /// In the child: waits for [`release`](Self::release).
    pub(crate) fn released(&self) -> Res<()> {
        self.ping.read().ctx("read").map(drop)
    }

    /// In the child: the pair at fds 0 and 1.
    pub(crate) fn take() -> EventPair {
        EventPair {
            ping: EventFd::from(take(0)),
            pong: EventFd::from(take(1)),
        }
    }
}

/// A ping-pong of counter values: the child answers `v` with `v + 1`.
pub(crate) fn eventfd_parent() -> Res<Line> {
    let ev = EventPair::new()?;
    let (fds, on_exit) = ev.for_child()?;
    let peer = Peer::spawn_with("eventfd", &[], fds, Some(on_exit))?;
    let rtts = timed(|i| {
        ev.ping.write(i + 1).ctx("write")?;
        let v = ev.answer()?;
        check(v == i + 2, || format!("round {i}: got {v}, not {}", i + 2))
    })?;
    ev.release()?;
    peer.finish()?;
    Ok(Line {
        exchanged: "a u64 there, the u64 + 1 back".into(),
        rtts,
        syscalls: "eventfd2 | write, read".into(),
    })
}

pub(crate) fn eventfd_child(_: &[String]) -> Res<()> {
    let ev = EventPair::take();
    ready()?;
    each_round(|_| {
        let v = ev.ping.read().ctx("read")?;
        ev.pong.write(v + 1).ctx("write")
    })?;
    ev.released()
}
