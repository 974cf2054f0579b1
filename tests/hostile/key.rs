//! SysV keys and ids against a hostile peer.
#![cfg(all(feature = "shm", feature = "sem", feature = "mq", feature = "std"))]

use bareipc::Errno;
use bareipc::key::Key;
use bareipc::mq::sysv::{DEFAULT_MODE, MsgQueue};
use bareipc::sem::sysv::SemSet;
use bareipc::shm::sysv::Segment;

use crate::common::TempDir;
use crate::private_ipc_namespace;

/// Attack: ftok with project id 0 on a file whose low inode and device
/// bits are 0 gives key 0, `IPC_PRIVATE`: two `IPC_CREAT | IPC_EXCL`
/// creates of "the same key" then both succeed, with two unrelated
/// private objects, and the peers never meet (a peer that can choose the
/// file, or wait for an inode number, splits them at will).
///
/// Asserts: `proj_id` 0 is `EINVAL` whatever the file, before any stat,
/// and every other project id yields a key that is not `PRIVATE`.
#[test]
fn no_project_id_can_derive_the_private_key() {
    let dir = TempDir::new("bareipc-hostile-ftok");
    let file = dir.join("f");
    std::fs::write(&file, b"").unwrap();
    assert_eq!(Key::from_path(&*file, 0), Err(Errno::INVAL));
    assert_eq!(
        Key::from_path(dir.join("missing").as_path(), 0),
        Err(Errno::INVAL)
    );
    for id in 1..=255u8 {
        assert_ne!(Key::from_path(&*file, id).unwrap(), Key::PRIVATE);
    }
}

/// Steers the next object of kind `kind` (`shm`, `sem`, `msg`) created in
/// this IPC namespace to `id`, or says why not.
fn steer(kind: &str, id: i32) -> std::io::Result<()> {
    std::fs::write(format!("/proc/sys/kernel/{kind}_next_id"), id.to_string())
}

/// Attack: the creator keeps a `RemoveOnDrop` guard for cleanup. The
/// object is removed meanwhile (by its owner, a peer it was handed to),
/// and the id comes back for another object — the peer's, or a third
/// party's — after the sequence number wraps (a peer can force that in
/// seconds; here `kernel.*_next_id`, in a private IPC namespace, does it
/// at once). Before the fix the guard's drop removed the other object.
///
/// Asserts, for a segment, a semaphore set and a queue: the new object
/// really has the old id, and it survives the guard's drop; a guard whose
/// object is still there removes it.
#[test]
fn remove_on_drop_never_removes_an_object_that_took_the_id() {
    let test = "key::remove_on_drop_never_removes_an_object_that_took_the_id";
    if !private_ipc_namespace(test) {
        return;
    }
    let seg = Segment::private(4096).unwrap();
    if steer("shm", seg.id()).is_err() {
        crate::skip(test, "kernel.shm_next_id is not writable here");
        seg.remove().unwrap();
        return;
    }
    // The steer holds for the next segment: the one made after the
    // removal below.
    let guard = seg.remove_on_drop().unwrap();
    seg.remove().unwrap();
    let other = Segment::private(8192).unwrap();
    assert_eq!(other.id(), seg.id(), "shm_next_id did not give the id back");
    drop(guard);
    assert_eq!(
        other.stat().unwrap().size,
        8192,
        "the guard removed another segment"
    );
    other.remove().unwrap();

    let set = SemSet::private(1).unwrap();
    steer("sem", set.id()).unwrap();
    let guard = set.remove_on_drop().unwrap();
    set.remove().unwrap();
    let other = SemSet::private(2).unwrap();
    assert_eq!(other.id(), set.id());
    drop(guard);
    assert_eq!(
        other.stat().unwrap().nsems,
        2,
        "the guard removed another set"
    );
    other.remove().unwrap();

    let q = MsgQueue::private().unwrap();
    steer("msg", q.id()).unwrap();
    let guard = q.remove_on_drop().unwrap();
    q.remove().unwrap();
    let other = MsgQueue::create(Key::from_raw(0x4b1d), DEFAULT_MODE).unwrap();
    assert_eq!(other.id(), q.id());
    drop(guard);
    assert!(other.stat().is_ok(), "the guard removed another queue");
    other.remove().unwrap();

    // And the guard still does its job.
    let seg = Segment::private(4096).unwrap();
    drop(seg.remove_on_drop().unwrap());
    assert!(matches!(seg.stat(), Err(Errno::INVAL | Errno::IDRM)));
}
