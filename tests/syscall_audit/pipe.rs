//! Audit cases for `pipe` and the pipe ends (`ends`).

use bareipc::pipe::{self, PipeFlags};

use crate::audit;

pub fn run() {
    let (r, w) = audit("pipe::pipe", &["pipe2"], || pipe::pipe().unwrap());
    audit("ends::end_write!::write", &["write"], || {
        w.write(b"x").unwrap()
    });
    let mut buf = [0u8; 1];
    audit("ends::end_read!::read", &["read"], || {
        r.read(&mut buf).unwrap()
    });
    assert_eq!(&buf, b"x");
    drop((r, w));
    let _ = audit("pipe::pipe_with", &["pipe2"], || {
        pipe::pipe_with(PipeFlags::NONBLOCK).unwrap()
    });
}
