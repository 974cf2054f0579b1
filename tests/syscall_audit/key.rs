//! Audit cases for `key`, and the drop of its `RemoveOnDrop` guard for
//! each kind of SysV object.

use bareipc::Errno;
use bareipc::key::Key;
use bareipc::mq::sysv::MsgQueue;
use bareipc::sem::sysv::SemSet;
use bareipc::shm::sysv::Segment;

use crate::common::TempDir;
use crate::{audit, audit_drop};

pub fn run() {
    let tmp = TempDir::new("bareipc-audit-key");
    let file = tmp.join("f");
    std::fs::write(&file, b"").unwrap();
    let missing = tmp.join("missing");

    let k = audit("key::Key::from_path", &["newfstatat"], || {
        Key::from_path(&*file, b'a').unwrap()
    });
    assert_ne!(k, Key::PRIVATE);
    audit("key::Key::from_path", &["newfstatat"], || {
        assert_eq!(Key::from_path(&*missing, b'a'), Err(Errno::NOENT))
    });
    audit("key::Key::from_path", &[], || {
        assert_eq!(Key::from_path(&*file, 0), Err(Errno::INVAL))
    });

    let q = MsgQueue::private().unwrap().remove_on_drop().unwrap();
    audit_drop("key::RemoveOnDrop", &["msgctl", "msgctl"], q);
    let s = Segment::private(4096).unwrap().remove_on_drop().unwrap();
    audit_drop("key::RemoveOnDrop", &["shmctl", "shmctl"], s);
    let s = SemSet::private(1).unwrap().remove_on_drop().unwrap();
    audit_drop("key::RemoveOnDrop", &["semctl", "semctl"], s);
}
