//! The tour's anonymous pipes.

use super::*;

/// Parent -> child on one pipe, child -> parent on another.
pub(crate) fn pipe_parent() -> Res<Line> {
    let (to_r, to_w) = pipe::pipe().ctx("pipe2")?;
    let (back_r, back_w) = pipe::pipe().ctx("pipe2")?;
    let peer = Peer::spawn("pipe", &[], vec![to_r.into(), back_w.into()])?;
    let rtts = echo_parent(|b| to_w.write(b), |b| back_r.read(b))?;
    peer.finish()?;
    Ok(Line {
        exchanged: echoed(),
        rtts,
        syscalls: "pipe2 | write, read".into(),
    })
}

pub(crate) fn pipe_child(_: &[String]) -> Res<()> {
    let r = ReadEnd::from(take(0));
    let w = WriteEnd::from(take(1));
    ready()?;
    echo_child(|b| r.read(b), |b| w.write(b))
}
