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
    let ms = std::time::Duration::from_millis(1);
    audit("eventfd::EventFd::try_read", &["ppoll"], || {
        assert_eq!(e.try_read(), Err(Errno::AGAIN))
    });
    audit("eventfd::EventFd::read_timeout", &["ppoll"], || {
        assert_eq!(e.read_timeout(ms), Err(Errno::TIMEDOUT))
    });
    audit("eventfd::EventFd::try_write", &["ppoll", "write"], || {
        e.try_write(2).unwrap()
    });
    audit("eventfd::EventFd::try_write", &[], || {
        assert_eq!(e.try_write(u64::MAX), Err(Errno::INVAL))
    });
    audit(
        "eventfd::EventFd::write_timeout",
        &["ppoll", "write"],
        || e.write_timeout(2, ms).unwrap(),
    );
    audit("eventfd::EventFd::write_timeout", &[], || {
        assert_eq!(e.write_timeout(u64::MAX, ms), Err(Errno::INVAL))
    });
    audit("eventfd::EventFd::try_read", &["ppoll", "read"], || {
        assert_eq!(e.try_read(), Ok(4))
    });
    e.write(1).unwrap();
    audit("eventfd::EventFd::read_timeout", &["ppoll", "read"], || {
        assert_eq!(e.read_timeout(ms), Ok(1))
    });
    // A full counter: no room now, nor within the timeout.
    e.write(bareipc::eventfd::MAX).unwrap();
    audit("eventfd::EventFd::try_write", &["ppoll"], || {
        assert_eq!(e.try_write(1), Err(Errno::AGAIN))
    });
    audit("eventfd::EventFd::write_timeout", &["ppoll"], || {
        assert_eq!(e.write_timeout(1, ms), Err(Errno::TIMEDOUT))
    });
    audit_drop("eventfd::EventFd", &["close"], e);
}
