//! Audit cases for `shm`: POSIX objects, memfds, SysV segments and the
//! [`Mapping`] they all make, with the error paths that cost a syscall of
//! their own (a `close` when a received fd is refused, a `shmat` that
//! fails alone).

use std::os::fd::AsFd;
use std::ptr::NonNull;

use bareipc::Errno;
use bareipc::key::Key;
use bareipc::shm::memfd::{self, Memfd, MemfdFlags, Seals};
use bareipc::shm::posix::{self, ShmFlags, UnlinkOnDrop};
use bareipc::shm::sysv::{self, AttachFlags, IpcFlags, Segment};
use bareipc::shm::{Mapping, ReadOnly, ReadWrite};

use crate::{audit, audit_drop, common};

pub fn run() {
    posix_objects();
    memfds();
    sysv_segments();
}

/// A name for a POSIX object of this run.
fn shm_name() -> String {
    format!("/{}", common::unique_name("bareipc-audit-shm"))
}

fn posix_objects() {
    let name = shm_name();
    let create = ShmFlags::CREATE | ShmFlags::EXCLUSIVE;
    // Checked before any syscall: a bad name.
    let bad = audit("shm::posix::open_with", &[], || {
        posix::open_with::<bareipc::shm::ReadWrite>("/a/b", create, posix::DEFAULT_MODE)
    });
    assert_eq!(bad.err(), Some(Errno::INVAL));
    let shm = audit("shm::posix::open_with", &["openat"], || {
        posix::open_with::<bareipc::shm::ReadWrite>(&name, create, posix::DEFAULT_MODE)
    })
    .unwrap();
    let guard = audit("shm::posix::UnlinkOnDrop::new", &["fstat"], || {
        UnlinkOnDrop::new(&name, &shm)
    })
    .unwrap();
    let ro = audit("shm::posix::open", &["openat"], || {
        posix::open::<bareipc::shm::ReadOnly>(&name)
    });
    assert!(ro.is_ok());
    let exists = audit("shm::posix::create", &["openat"], || {
        posix::create(&name, posix::DEFAULT_MODE)
    });
    assert_eq!(exists.err(), Some(Errno::EXIST));
    let either = audit("shm::posix::open_or_create", &["openat"], || {
        posix::open_or_create(&name, posix::DEFAULT_MODE)
    });
    assert!(either.is_ok());
    audit("shm::file_size_methods!::set_len", &["ftruncate"], || {
        shm.set_len(4096)
    })
    .unwrap();
    let len = audit("shm::file_size_methods!::len", &["fstat"], || shm.len()).unwrap();
    assert_eq!(len, 4096);
    // SAFETY: nothing truncates this object while it is mapped.
    let empty = audit("shm::posix::SharedMemory::map", &[], || unsafe {
        shm.map::<ReadWrite>(0)
    });
    assert_eq!(empty.err(), Some(Errno::INVAL));
    // SAFETY: as above.
    let map = audit("shm::posix::SharedMemory::map", &["mmap"], || unsafe {
        shm.map::<ReadWrite>(4096)
    })
    .unwrap();
    mapping_accessors(map);
    audit_drop("shm::posix::SharedMemory", &["close"], shm);
    audit_drop(
        "shm::posix::UnlinkOnDrop",
        &["newfstatat", "unlinkat"],
        guard,
    );

    let other = shm_name();
    drop(posix::open_with::<bareipc::shm::ReadWrite>(&other, create, posix::DEFAULT_MODE).unwrap());
    audit("shm::posix::unlink", &["unlinkat"], || {
        posix::unlink(&other)
    })
    .unwrap();
    let gone = audit("shm::posix::unlink", &["unlinkat"], || {
        posix::unlink(&other)
    });
    assert_eq!(gone.err(), Some(Errno::NOENT));
}

/// Every accessor of a read-write mapping (no syscall), then its drop.
fn mapping_accessors(mut map: Mapping<ReadWrite>) {
    assert_eq!(audit("shm::Mapping::len", &[], || map.len()), 4096);
    assert!(!audit("shm::Mapping::is_empty", &[], || map.is_empty()));
    assert!(!audit("shm::Mapping::as_ptr", &[], || map.as_ptr()).is_null());
    assert!(!audit("shm::Mapping::as_mut_ptr", &[], || map.as_mut_ptr()).is_null());
    audit("shm::Mapping::write_at", &[], || map.write_at(16, b"audit")).unwrap();
    let outside = audit("shm::Mapping::write_at", &[], || map.write_at(4095, b"xy"));
    assert_eq!(outside.err(), Some(Errno::FAULT));
    let mut buf = [0u8; 5];
    audit("shm::Mapping::read_at", &[], || map.read_at(16, &mut buf)).unwrap();
    assert_eq!(&buf, b"audit");
    audit("shm::Mapping::atomic_u32", &[], || {
        map.atomic_u32(0).map(|_| ())
    })
    .unwrap();
    audit("shm::Mapping::atomic_u64", &[], || {
        map.atomic_u64(8).map(|_| ())
    })
    .unwrap();
    // SAFETY: no other thread or process touches this mapping.
    let first = audit("shm::Mapping::as_slice", &[], || unsafe {
        map.as_slice()[16]
    });
    assert_eq!(first, b'a');
    // SAFETY: as above, and no other view of it is in use.
    audit("shm::Mapping::as_mut_slice", &[], || unsafe {
        map.as_mut_slice()[16] = b'A';
    });
    audit_drop("shm::Mapping", &["munmap"], map);
}

fn memfds() {
    let fd = audit("shm::memfd::create", &["memfd_create"], || {
        memfd::create(c"bareipc-audit", MemfdFlags::empty())
    })
    .unwrap();
    audit("shm::file_size_methods!::set_len", &["ftruncate"], || {
        fd.set_len(8192)
    })
    .unwrap();
    assert_eq!(
        audit("shm::file_size_methods!::len", &["fstat"], || fd.len()).unwrap(),
        8192
    );
    // Not sealed against shrinking: refused after the seals are read.
    let unsealed = audit("shm::memfd::Memfd::map", &["fcntl"], || {
        fd.map::<ReadWrite>(4096)
    });
    assert_eq!(unsealed.err(), Some(Errno::PERM));
    audit("shm::memfd::Memfd::add_seals", &["fcntl"], || {
        fd.add_seals(Seals::SHRINK | Seals::GROW)
    })
    .unwrap();
    let seals = audit("shm::memfd::Memfd::seals", &["fcntl"], || fd.seals()).unwrap();
    assert!(seals.contains(Seals::SHRINK | Seals::GROW));
    // Longer than the memfd: refused after its size is read.
    let long = audit(
        "shm::memfd::Memfd::map",
        &["fcntl", "fstatfs", "fstat"],
        || fd.map::<ReadWrite>(8193),
    );
    assert_eq!(long.err(), Some(Errno::INVAL));
    let map = audit(
        "shm::memfd::Memfd::map",
        &["fcntl", "fstatfs", "fstat", "mmap"],
        || fd.map::<ReadOnly>(8192),
    )
    .unwrap();
    drop(map);
    // SAFETY: the memfd is sealed against shrinking and holds 8192 bytes.
    let map = audit("shm::memfd::Memfd::map_unchecked", &["mmap"], || unsafe {
        fd.map_unchecked::<ReadWrite>(4096)
    })
    .unwrap();
    drop(map);

    // A receiver's check: accepted, or refused (and the fd closed).
    let dup = fd.as_fd().try_clone_to_owned().unwrap();
    let ok = audit("shm::memfd::Memfd::require_seals", &["fcntl"], || {
        Memfd::require_seals(dup, Seals::SHRINK)
    });
    drop(ok.unwrap());
    let dup = fd.as_fd().try_clone_to_owned().unwrap();
    let missing = audit(
        "shm::memfd::Memfd::require_seals",
        &["fcntl", "close"],
        || Memfd::require_seals(dup, Seals::WRITE),
    );
    assert_eq!(missing.err(), Some(Errno::PERM));
    let (r, w) = rustix::pipe::pipe().unwrap();
    let not_memfd = audit(
        "shm::memfd::Memfd::require_seals",
        &["fcntl", "close"],
        || Memfd::require_seals(r, Seals::SHRINK),
    );
    assert_eq!(not_memfd.err(), Some(Errno::INVAL));
    drop(w);
    audit_drop("shm::memfd::Memfd", &["close"], fd);
}

fn sysv_segments() {
    let key = Key::from_raw(common::unique_key());
    // Checked before any syscall: mode bits outside 0o777.
    let bad = audit("shm::sysv::Segment::get", &[], || {
        Segment::get(
            key,
            4096,
            IpcFlags::CREATE,
            sysv::Mode::from_raw_mode(0o1000),
        )
    });
    assert_eq!(bad.err(), Some(Errno::INVAL));
    let seg = audit("shm::sysv::Segment::create", &["shmget"], || {
        Segment::create(key, 4096, sysv::DEFAULT_MODE)
    })
    .unwrap();
    let seg = audit("key::sysv_common!::remove_on_drop", &["shmctl"], || {
        seg.remove_on_drop()
    })
    .unwrap();
    let found = audit("shm::sysv::Segment::get", &["shmget"], || {
        Segment::get(key, 0, IpcFlags::empty(), sysv::Mode::empty())
    })
    .unwrap();
    assert_eq!(found, *seg);
    let opened = audit("shm::sysv::Segment::open", &["shmget"], || {
        Segment::open(key)
    })
    .unwrap();
    assert_eq!(opened, *seg);
    audit("shm::sysv::Segment::open", &[], || {
        assert_eq!(Segment::open(Key::PRIVATE), Err(Errno::INVAL))
    });
    let either = audit("shm::sysv::Segment::open_or_create", &["shmget"], || {
        Segment::open_or_create(key, 4096, sysv::DEFAULT_MODE)
    })
    .unwrap();
    assert_eq!(either, *seg);
    let id = audit("key::sysv_common!::id", &[], || seg.id());
    assert_eq!(
        audit("key::sysv_common!::from_id", &[], || Segment::from_id(id)),
        *seg
    );

    let map = audit(
        "shm::sysv::Segment::attach",
        &["shmat", "shmctl", "madvise"],
        || seg.attach::<ReadWrite>(),
    )
    .unwrap();
    assert_eq!(map.len(), 4096);
    // An unaligned hint without ROUND: refused by shmat alone.
    let hint = NonNull::new(map.as_mut_ptr().wrapping_add(1));
    let unaligned = audit("shm::sysv::Segment::attach_with", &["shmat"], || {
        seg.attach_with::<ReadOnly>(hint, AttachFlags::empty())
    });
    assert_eq!(unaligned.err(), Some(Errno::INVAL));
    let ro = audit(
        "shm::sysv::Segment::attach_with",
        &["shmat", "shmctl", "madvise"],
        || seg.attach_with::<ReadOnly>(None, AttachFlags::empty()),
    )
    .unwrap();
    audit_drop("shm::Mapping", &["shmdt"], ro);

    let st = audit("key::sysv_common!::stat", &["shmctl"], || seg.stat()).unwrap();
    assert_eq!(st.nattch, 1);
    audit("key::sysv_common!::set_owner", &["shmctl"], || {
        seg.set_owner(st.perm.uid, st.perm.gid, sysv::Mode::from_raw_mode(0o640))
    })
    .unwrap();
    // Locking needs CAP_IPC_LOCK or a memlock limit: either way one call.
    let locked = audit("shm::sysv::Segment::lock", &["shmctl"], || seg.lock());
    let unlocked = audit("shm::sysv::Segment::unlock", &["shmctl"], || seg.unlock());
    assert!(
        locked.is_ok() == unlocked.is_ok(),
        "{locked:?} {unlocked:?}"
    );

    let usage = audit("shm::sysv::usage", &["shmctl"], sysv::usage).unwrap();
    assert!(usage.segments >= 1);
    audit("shm::sysv::limits", &["shmctl"], sysv::limits).unwrap();
    // Slot 0 may be empty (EINVAL): one call either way.
    let _ = audit("shm::sysv::stat_index", &["shmctl"], || sysv::stat_index(0));
    let _ = audit("shm::sysv::stat_index_any", &["shmctl"], || {
        sysv::stat_index_any(0)
    });

    // A private segment, attached once more and removed by hand.
    let private = audit("shm::sysv::Segment::private", &["shmget"], || {
        Segment::private(100)
    })
    .unwrap();
    audit("key::sysv_common!::remove", &["shmctl"], || {
        private.remove()
    })
    .unwrap();
    // Removed and never attached, so gone: attaching fails in shmat.
    let gone = audit("shm::sysv::Segment::attach", &["shmat"], || {
        private.attach::<ReadOnly>()
    });
    assert!(gone.is_err());
    // A ROUND hint that could round to 0: refused before any syscall.
    let low = NonNull::new(std::ptr::without_provenance_mut::<u8>(4095));
    audit("shm::sysv::Segment::attach_with", &[], || {
        assert_eq!(
            seg.attach_with::<ReadOnly>(low, AttachFlags::ROUND).err(),
            Some(Errno::INVAL)
        )
    });
    // A huge-page segment without reserve, while the pool is empty (the
    // default): its pages cannot be had, so it is detached and refused.
    // Not under qemu-user, which ignores madvise (and so cannot tell).
    if cfg!(any(target_arch = "x86_64", target_arch = "x86")) {
        huge_segment_refused();
    }
    audit_drop("shm::Mapping", &["shmdt"], map);
    drop(seg);
}

/// The refusal of a huge-page segment whose pages cannot be had.
fn huge_segment_refused() {
    let huge = audit("shm::sysv::Segment::get_huge", &["shmget"], || {
        Segment::get_huge(
            Key::PRIVATE,
            2 << 20,
            IpcFlags::CREATE,
            sysv::HugePages::HUGETLB | sysv::HugePages::NORESERVE,
            sysv::Mode::from_raw_mode(0o600),
        )
    })
    .expect("a huge-page segment (SHM_HUGETLB needs root or vm.hugetlb_shm_group)");
    let refused = audit(
        "shm::sysv::Segment::attach",
        &["shmat", "shmctl", "madvise", "madvise", "shmdt"],
        || huge.attach::<ReadWrite>(),
    );
    assert_eq!(
        refused.err(),
        Some(Errno::NOMEM),
        "is vm.nr_hugepages 0 here?"
    );
    let refused = audit(
        "shm::sysv::Segment::attach_with",
        &["shmat", "shmctl", "madvise", "madvise", "shmdt"],
        || huge.attach_with::<ReadOnly>(None, AttachFlags::empty()),
    );
    assert_eq!(refused.err(), Some(Errno::NOMEM));
    huge.remove().unwrap();
}
