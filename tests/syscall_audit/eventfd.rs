//! Audit cases for `eventfd`.

use bareipc::Errno;
use bareipc::eventfd::{EventFd, EventFdFlags};

use crate::{audit, audit_drop};

pub fn run() {
    let e = audit("eventfd::EventFd::new", &["eventfd2"], || {
        EventFd::new(0, EventFdFlags::NONBLOCK).unwrap()
    });
    audit("eventfd::EventFd::write", &["write"], || {
        e.write(3).unwrap()
    });
    // Refused before the syscall.
    audit("eventfd::EventFd::write", &[], || {
        assert_eq!(e.write(u64::MAX), Err(Errno::INVAL))
    });
    audit("eventfd::EventFd::read", &["read"], || {
        assert_eq!(e.read(), Ok(3))
    });
    audit("eventfd::EventFd::read", &["read"], || {
        assert_eq!(e.read(), Err(Errno::AGAIN))
    });
    audit_drop("eventfd::EventFd", &["close"], e);
}
