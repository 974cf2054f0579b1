//! Shared memory between real processes through all three flavours, the
//! name rules, permissions, the SysV life cycle, seals, and the mapping's
//! bounds.
#![cfg(all(feature = "shm", feature = "std"))]

mod common;

use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::fs::MetadataExt;
use std::ptr::NonNull;
use std::sync::atomic::Ordering;

use bareipc::Errno;
use bareipc::key::Key;
use bareipc::shm::memfd::{self, Memfd, MemfdFlags, Seals};
use bareipc::shm::posix::{self, ShmFlags, UnlinkOnDrop};
use bareipc::shm::sysv::{self, AttachFlags, IpcFlags, Segment};
use bareipc::shm::{Mapping, ReadOnly, ReadWrite};
use common::{assert_child_ok, child, child_role};

/// The fd number a parent hands a child's memfd on.
const CHILD_MEMFD: i32 = 10;

const CREATE_NEW: ShmFlags = ShmFlags::CREATE.union(ShmFlags::EXCLUSIVE);

/// CI runs these targets under qemu-user, which lacks a few commands.
const QEMU: bool = cfg!(any(
    target_arch = "aarch64",
    target_arch = "riscv64",
    target_arch = "arm"
));

fn shm_name() -> String {
    format!("/{}", common::unique_name("bareipc-shm"))
}

/// A new POSIX object of `len` bytes, and the guard that removes its name.
fn new_object(len: u64) -> (String, posix::SharedMemory, UnlinkOnDrop) {
    let name = shm_name();
    let shm = posix::open_with::<bareipc::shm::ReadWrite>(&name, CREATE_NEW, posix::DEFAULT_MODE)
        .unwrap();
    let guard = UnlinkOnDrop::new(&name, &shm).unwrap();
    shm.set_len(len).unwrap();
    (name, shm, guard)
}

/// What every child writes: the bytes, then a published length.
fn child_writes(map: &Mapping<ReadWrite>) {
    map.write_at(8, b"written by the child").unwrap();
    map.atomic_u32(0).unwrap().store(20, Ordering::Release);
}

/// What every parent checks once the child is gone.
fn parent_sees(map: &Mapping<ReadWrite>) {
    let n = map.atomic_u32(0).unwrap().load(Ordering::Acquire) as usize;
    assert_eq!(n, 20, "the child's length arrived");
    let mut buf = [0u8; 20];
    map.read_at(8, &mut buf).unwrap();
    assert_eq!(&buf, b"written by the child");
}

#[test]
fn posix_object_shared_with_a_child() {
    if child_role().as_deref() == Some("writer") {
        let shm = posix::open::<bareipc::shm::ReadWrite>(common::env("SHM_NAME")).unwrap();
        assert_eq!(shm.len().unwrap(), 4096);
        // SAFETY: nobody truncates the test's object.
        let map = unsafe { shm.map::<ReadWrite>(4096) }.unwrap();
        child_writes(&map);
        return;
    }
    let (name, shm, _guard) = new_object(4096);
    // The object is a 0o600 file under /dev/shm.
    let md = std::fs::symlink_metadata(format!("/dev/shm{name}")).unwrap();
    assert!(md.file_type().is_file());
    assert_eq!(md.mode() & 0o777, 0o600);
    // SAFETY: nobody truncates the test's object.
    let map = unsafe { shm.map::<ReadWrite>(4096) }.unwrap();
    assert_eq!(map.atomic_u32(0).unwrap().load(Ordering::Relaxed), 0);
    let mut cmd = child("posix_object_shared_with_a_child", "writer");
    cmd.env("SHM_NAME", &name);
    common::run_child(cmd);
    parent_sees(&map);
}

#[test]
fn memfd_shared_with_a_child() {
    if child_role().as_deref() == Some("writer") {
        let fd = Memfd::require_seals(common::take_fd(CHILD_MEMFD), Seals::SHRINK).unwrap();
        let map = fd.map::<ReadWrite>(4096).unwrap();
        child_writes(&map);
        // The seal holds for the receiver too.
        assert_eq!(fd.set_len(100), Err(Errno::PERM));
        return;
    }
    let fd = memfd::create(c"bareipc-test", MemfdFlags::empty()).unwrap();
    fd.set_len(4096).unwrap();
    fd.add_seals(Seals::SHRINK).unwrap();
    let map = fd.map::<ReadWrite>(4096).unwrap();
    let mut cmd = child("memfd_shared_with_a_child", "writer");
    common::give_fd(
        &mut cmd,
        fd.as_fd().try_clone_to_owned().unwrap(),
        CHILD_MEMFD,
    );
    common::run_child(cmd);
    parent_sees(&map);
    // Growing is still allowed (no GROW seal), shrinking is not.
    fd.set_len(8192).unwrap();
    assert_eq!(fd.set_len(4096), Err(Errno::PERM));
}

#[test]
fn sysv_segment_shared_with_a_child() {
    let key = Key::from_raw(common::unique_key());
    if child_role().as_deref() == Some("writer") {
        let key = Key::from_raw(common::env("SHM_KEY").parse().unwrap());
        let seg = Segment::get(key, 0, IpcFlags::empty(), posix::DEFAULT_MODE).unwrap();
        let map = seg.attach::<ReadWrite>().unwrap();
        assert_eq!(map.len(), 5000);
        assert_eq!(seg.stat().unwrap().nattch, 2);
        child_writes(&map);
        return;
    }
    let seg = Segment::create(key, 5000, sysv::DEFAULT_MODE)
        .unwrap()
        .remove_on_drop()
        .unwrap();
    let map = seg.attach::<ReadWrite>().unwrap();
    assert_eq!(map.len(), 5000, "the exact size, not the page-rounded one");
    let st = seg.stat().unwrap();
    let me = rustix::process::Pid::from_raw(std::process::id() as i32);
    assert_eq!((st.size, st.cpid, st.lpid, st.nattch), (5000, me, me, 1));
    assert_eq!(st.perm.key, key);
    assert_eq!(st.perm.mode.as_raw_mode(), 0o600);
    assert_eq!(st.perm.uid, rustix::process::geteuid());
    assert!(st.atime > 0 && st.ctime > 0 && st.dtime == 0);
    assert!(!st.removed && !st.locked);

    let mut cmd = child("sysv_segment_shared_with_a_child", "writer");
    cmd.env("SHM_KEY", key.as_raw().to_string());
    let c = cmd.spawn().unwrap();
    let child_pid = rustix::process::Pid::from_raw(c.id() as i32);
    assert_child_ok(c.wait_with_output().unwrap().status);
    parent_sees(&map);
    let st = seg.stat().unwrap();
    assert_eq!(
        (st.nattch, st.lpid),
        (1, child_pid),
        "the child detached last"
    );
    assert!(st.dtime > 0);
}

#[test]
fn posix_names_are_validated_before_any_syscall() {
    let long = format!("/{}", "x".repeat(posix::NAME_MAX + 1));
    let (_, some, _some_guard) = new_object(1);
    for (name, errno) in [
        ("", Errno::INVAL),
        ("/", Errno::INVAL),
        ("/a/b", Errno::INVAL),
        ("//", Errno::INVAL),
        (".", Errno::INVAL),
        ("..", Errno::INVAL),
        ("/.", Errno::INVAL),
        ("/..", Errno::INVAL),
        ("/../etc/passwd", Errno::INVAL),
        ("/nul\0inside", Errno::INVAL),
        (long.as_str(), Errno::NAMETOOLONG),
    ] {
        let got =
            posix::open_with::<bareipc::shm::ReadWrite>(name, CREATE_NEW, posix::DEFAULT_MODE);
        assert_eq!(got.err(), Some(errno), "open {name:?}");
        assert_eq!(posix::unlink(name), Err(errno), "unlink {name:?}");
        assert_eq!(UnlinkOnDrop::new(name, &some).err(), Some(errno));
    }
    // 255 bytes after the slash is the longest name, and it works.
    let longest =
        format!("/{}", common::unique_name("m").repeat(60))[..posix::NAME_MAX + 1].to_string();
    let obj =
        posix::open_with::<bareipc::shm::ReadWrite>(&longest, CREATE_NEW, posix::DEFAULT_MODE)
            .unwrap();
    let _guard = UnlinkOnDrop::new(&longest, &obj).unwrap();
    posix::unlink(&longest).unwrap();
    // Bad flag combinations are refused, not silently ignored.
    let name = shm_name();
    for flags in [ShmFlags::EXCLUSIVE, ShmFlags::CREATE | ShmFlags::TRUNCATE] {
        assert_eq!(
            posix::open_with::<bareipc::shm::ReadOnly>(&name, flags, posix::DEFAULT_MODE).err(),
            Some(Errno::INVAL)
        );
    }
}

#[test]
fn posix_existence_errors() {
    let (name, _shm, _guard) = new_object(0);
    assert_eq!(
        posix::open_with::<bareipc::shm::ReadWrite>(&name, CREATE_NEW, posix::DEFAULT_MODE).err(),
        Some(Errno::EXIST)
    );
    // Without EXCLUSIVE an existing object is opened, and TRUNCATE empties it.
    let shm =
        posix::open_with::<bareipc::shm::ReadWrite>(&name, ShmFlags::CREATE, posix::DEFAULT_MODE)
            .unwrap();
    shm.set_len(10).unwrap();
    posix::open_with::<bareipc::shm::ReadWrite>(&name, ShmFlags::TRUNCATE, posix::DEFAULT_MODE)
        .unwrap();
    assert_eq!(shm.len().unwrap(), 0);
    posix::unlink(&name).unwrap();
    assert_eq!(posix::unlink(&name), Err(Errno::NOENT));
    assert_eq!(
        posix::open::<bareipc::shm::ReadOnly>(&name).err(),
        Some(Errno::NOENT)
    );
}

#[test]
fn posix_open_refuses_a_symlink_and_sets_cloexec() {
    let name = shm_name();
    let target = shm_name();
    let (_t, _shm, _tguard) = {
        let shm =
            posix::open_with::<bareipc::shm::ReadWrite>(&target, CREATE_NEW, posix::DEFAULT_MODE)
                .unwrap();
        let guard = UnlinkOnDrop::new(&target, &shm).unwrap();
        (target.clone(), shm, guard)
    };
    let link = format!("/dev/shm{name}");
    std::os::unix::fs::symlink(format!("/dev/shm{target}"), &link).unwrap();
    let _guard = common::Guard(|| {
        let _ = std::fs::remove_file(&link);
    });
    assert_eq!(
        posix::open::<bareipc::shm::ReadWrite>(&name).err(),
        Some(Errno::LOOP)
    );
    let shm = posix::open::<bareipc::shm::ReadOnly>(&target).unwrap();
    let flags = rustix::io::fcntl_getfd(&shm).unwrap();
    assert!(flags.contains(rustix::io::FdFlags::CLOEXEC));
    let fl = rustix::fs::fcntl_getfl(&shm).unwrap();
    assert!(fl.contains(rustix::fs::OFlags::NOFOLLOW));
    // A read-only object cannot be mapped writable, nor resized.
    // SAFETY: nobody truncates it.
    let got = unsafe { shm.map::<ReadWrite>(1) };
    assert_eq!(got.err(), Some(Errno::ACCESS));
    assert_eq!(shm.set_len(1), Err(Errno::INVAL));
}

#[test]
fn another_user_is_refused() {
    if child_role().as_deref() == Some("stranger") {
        let name = common::env("SHM_NAME");
        let got = posix::open::<bareipc::shm::ReadOnly>(&name);
        assert_eq!(got.err(), Some(Errno::ACCESS), "POSIX object, mode 0o600");
        let key = Key::from_raw(common::env("SHM_KEY").parse().unwrap());
        // Asking for no access finds the segment; attaching needs read.
        let seg = Segment::get(key, 0, IpcFlags::empty(), posix::Mode::empty()).unwrap();
        assert_eq!(seg.attach::<ReadOnly>().err(), Some(Errno::ACCESS));
        assert_eq!(
            Segment::get(key, 0, IpcFlags::empty(), posix::DEFAULT_MODE).err(),
            Some(Errno::ACCESS)
        );
        assert_eq!(seg.stat().err(), Some(Errno::ACCESS));
        assert_eq!(seg.remove(), Err(Errno::PERM));
        return;
    }
    let (name, _shm, _guard) = new_object(4096);
    let key = Key::from_raw(common::unique_key());
    let seg = Segment::create(key, 4096, sysv::DEFAULT_MODE)
        .unwrap()
        .remove_on_drop()
        .unwrap();
    let Some(mut cmd) = common::child_as_other_user("another_user_is_refused", "stranger") else {
        return;
    };
    cmd.env("SHM_NAME", &name)
        .env("SHM_KEY", key.as_raw().to_string());
    common::run_child(cmd);
    assert!(seg.stat().is_ok(), "the stranger could not remove it");
}

#[test]
fn sysv_removal_waits_for_the_last_detach() {
    let seg = Segment::private(4096).unwrap();
    let _guard = seg.remove_on_drop().unwrap();
    let a = seg.attach::<ReadWrite>().unwrap();
    let b = seg.attach::<ReadOnly>().unwrap();
    a.write_at(0, b"still here").unwrap();
    assert_eq!(seg.stat().unwrap().nattch, 2);
    seg.remove().unwrap();
    let st = seg.stat().unwrap();
    assert!(st.removed, "marked SHM_DEST");
    assert_eq!(st.perm.key, Key::PRIVATE, "the key is freed at once");
    assert_eq!(st.nattch, 2);
    drop(a);
    assert_eq!(seg.stat().unwrap().nattch, 1);
    let mut buf = [0u8; 10];
    b.read_at(0, &mut buf).unwrap();
    assert_eq!(&buf, b"still here", "the memory outlives the removal");
    drop(b);
    // The last detach destroyed it: the id names nothing now.
    let gone = seg.stat().unwrap_err();
    assert!(gone == Errno::INVAL || gone == Errno::IDRM, "{gone:?}");
    assert!(seg.attach::<ReadOnly>().is_err());
}

#[test]
fn sysv_attach_addresses() {
    // Address games need a process where no other test thread maps
    // memory between our detach and the next attach at the same address.
    if child_role().as_deref() != Some("alone") {
        return common::run_child(child("sysv_attach_addresses", "alone"));
    }
    let seg = Segment::private(8192).unwrap();
    let _guard = seg.remove_on_drop().unwrap();
    // Find a free, page-aligned range: attach, note the address, detach.
    let base = {
        let m = seg.attach::<ReadOnly>().unwrap();
        m.as_ptr() as usize
    };
    let page = rustix::param::page_size();
    let at =
        |addr: usize, flags| seg.attach_with::<ReadWrite>(NonNull::new(addr as *mut u8), flags);
    assert_eq!(at(base + 1, AttachFlags::empty()).err(), Some(Errno::INVAL));
    let m = at(base + 1, AttachFlags::ROUND).unwrap();
    assert_eq!(m.as_ptr() as usize, base, "rounded down to SHMLBA");
    // The range is in use now: a second attach there is refused, not
    // mapped over it.
    assert_eq!(at(base, AttachFlags::empty()).err(), Some(Errno::INVAL));
    assert_eq!(
        at(base + page, AttachFlags::empty()).err(),
        Some(Errno::INVAL)
    );
    drop(m);
    let m = at(base, AttachFlags::empty()).unwrap();
    assert_eq!(m.as_ptr() as usize, base);
}

#[test]
fn sysv_creation_errors() {
    let key = Key::from_raw(common::unique_key());
    assert_eq!(
        Segment::get(key, 4096, IpcFlags::empty(), posix::DEFAULT_MODE).err(),
        Some(Errno::NOENT)
    );
    let seg = Segment::create(key, 4096, sysv::DEFAULT_MODE).unwrap();
    let _guard = seg.remove_on_drop().unwrap();
    assert_eq!(
        Segment::create(key, 4096, sysv::DEFAULT_MODE).err(),
        Some(Errno::EXIST)
    );
    // An existing segment is found with a size up to its own, not above.
    assert_eq!(
        Segment::get(key, 4096, IpcFlags::CREATE, posix::DEFAULT_MODE),
        Ok(seg)
    );
    assert_eq!(
        Segment::get(key, 4097, IpcFlags::empty(), posix::DEFAULT_MODE).err(),
        Some(Errno::INVAL)
    );
    // Mode bits above 0o777 would be read as IPC_CREAT & co.
    assert_eq!(
        Segment::get(
            key,
            0,
            IpcFlags::empty(),
            posix::Mode::from_raw_mode(0o1600)
        )
        .err(),
        Some(Errno::INVAL)
    );
    assert_eq!(
        Segment::private(0).err(),
        Some(Errno::INVAL),
        "below SHMMIN"
    );
    let bad = Segment::from_id(-1);
    assert_eq!(bad.stat().err(), Some(Errno::INVAL));
    assert_eq!(bad.attach::<ReadOnly>().err(), Some(Errno::INVAL));
    assert_eq!(bad.remove(), Err(Errno::INVAL));
}

#[test]
fn sysv_owner_lock_and_system_tables() {
    let seg = Segment::private(4096).unwrap();
    let _guard = seg.remove_on_drop().unwrap();
    let me = seg.stat().unwrap().perm;
    seg.set_owner(me.uid, me.gid, posix::Mode::from_raw_mode(0o640))
        .unwrap();
    let st = seg.stat().unwrap();
    assert_eq!(st.perm.mode.as_raw_mode(), 0o640);
    assert_eq!(
        seg.set_owner(me.uid, me.gid, posix::Mode::from_raw_mode(0o4640)),
        Err(Errno::INVAL)
    );
    match seg.lock() {
        Ok(()) => {
            assert!(seg.stat().unwrap().locked);
            seg.unlock().unwrap();
            assert!(!seg.stat().unwrap().locked);
        }
        Err(e) => {
            eprintln!("NOTE: SHM_LOCK refused here ({e:?}): no CAP_IPC_LOCK or memlock limit")
        }
    }
    let limits = sysv::limits().unwrap();
    assert_eq!(limits.min_size, 1);
    assert!(limits.max_segments > 0 && limits.max_size >= 4096);
    let usage = sysv::usage().unwrap();
    assert!(usage.segments >= 1 && usage.total_pages >= 1);
    // Our segment is somewhere in the table that SHM_STAT walks.
    let found = (0..=usage.max_index)
        .filter_map(|i| sysv::stat_index(i).ok())
        .any(|(s, st)| s == seg && st.size == 4096);
    assert!(found, "SHM_STAT lists our segment");
    let found_any = (0..=usage.max_index)
        .filter_map(|i| sysv::stat_index_any(i).ok())
        .any(|(s, _)| s == seg);
    if QEMU && !found_any {
        eprintln!("NOTE: SHM_STAT_ANY unchecked: qemu-user 7.2 does not translate it (EINVAL)");
    } else {
        assert!(found_any, "SHM_STAT_ANY lists it too");
    }
}

#[test]
fn memfd_receiver_refuses_missing_seals() {
    if child_role().as_deref() == Some("peer") {
        // The peer keeps a writable fd and tries to shrink the memory.
        let fd = Memfd::from(common::take_fd(CHILD_MEMFD));
        assert_eq!(fd.set_len(0), Err(Errno::PERM));
        assert_eq!(fd.set_len(1 << 20), Err(Errno::PERM), "GROW is sealed too");
        assert_eq!(fd.add_seals(Seals::WRITE), Err(Errno::PERM), "SEAL is set");
        return;
    }
    let unsealed = memfd::create(c"unsealed", MemfdFlags::empty()).unwrap();
    unsealed.set_len(4096).unwrap();
    let dup = || unsealed.as_fd().try_clone_to_owned().unwrap();
    assert_eq!(
        Memfd::require_seals(dup(), Seals::SHRINK).err(),
        Some(Errno::PERM)
    );
    // Mapping refuses it too, whatever the size.
    assert_eq!(unsealed.map::<ReadOnly>(4096).err(), Some(Errno::PERM));
    // SAFETY: nobody else has this memfd, and we do not shrink it.
    let m = unsafe { unsealed.map_unchecked::<ReadOnly>(4096) }.unwrap();
    assert_eq!(m.len(), 4096);
    // Not a memfd at all.
    let (r, _w) = rustix::pipe::pipe().unwrap();
    assert_eq!(
        Memfd::require_seals(r, Seals::empty()).err(),
        Some(Errno::INVAL)
    );

    let fd = memfd::create(c"sealed", MemfdFlags::empty()).unwrap();
    fd.set_len(4096).unwrap();
    fd.add_seals(Seals::SHRINK | Seals::GROW | Seals::SEAL)
        .unwrap();
    assert_eq!(
        fd.seals().unwrap(),
        Seals::SHRINK | Seals::GROW | Seals::SEAL
    );
    let fd = Memfd::require_seals(OwnedFd::from(fd), Seals::SHRINK).unwrap();
    let map = fd.map::<ReadOnly>(4096).unwrap();
    assert_eq!(
        fd.map::<ReadOnly>(4097).err(),
        Some(Errno::INVAL),
        "longer than the memfd"
    );
    assert_eq!(fd.map::<ReadOnly>(0).err(), Some(Errno::INVAL));
    let mut cmd = child("memfd_receiver_refuses_missing_seals", "peer");
    common::give_fd(
        &mut cmd,
        fd.as_fd().try_clone_to_owned().unwrap(),
        CHILD_MEMFD,
    );
    common::run_child(cmd);
    assert_eq!(fd.len().unwrap(), 4096);
    let mut last = [1u8; 1];
    map.read_at(4095, &mut last).unwrap();
    assert_eq!(last, [0]);
}

#[test]
fn memfd_write_seals_and_flags() {
    let fd = memfd::create(c"ro", MemfdFlags::empty()).unwrap();
    let link = std::fs::read_link(format!("/proc/self/fd/{}", fd.as_raw_fd())).unwrap();
    assert!(link.to_string_lossy().starts_with("/memfd:ro"), "{link:?}");
    assert!(
        rustix::io::fcntl_getfd(&fd)
            .unwrap()
            .contains(rustix::io::FdFlags::CLOEXEC)
    );
    fd.set_len(4096).unwrap();
    {
        let w = {
            fd.add_seals(Seals::SHRINK).unwrap();
            fd.map::<ReadWrite>(4096).unwrap()
        };
        w.write_at(0, b"final").unwrap();
        // A writable mapping exists: WRITE cannot be sealed yet.
        assert_eq!(fd.add_seals(Seals::WRITE), Err(Errno::BUSY));
    }
    fd.add_seals(Seals::WRITE).unwrap();
    assert_eq!(fd.map::<ReadWrite>(4096).err(), Some(Errno::PERM));
    let r = fd.map::<ReadOnly>(4096).unwrap();
    // With WRITE sealed nobody can change the bytes: the slice view's
    // contract holds.
    // SAFETY: the memfd is sealed against every write.
    assert_eq!(&unsafe { r.as_slice() }[..5], b"final");
    let name = [b'n'; 250];
    let long = std::ffi::CString::new(&name[..]).unwrap();
    assert_eq!(
        memfd::create(&long, MemfdFlags::empty()).err(),
        Some(Errno::INVAL)
    );
}

#[test]
fn mapping_bounds_and_alignment() {
    let seg = Segment::private(100).unwrap();
    let _guard = seg.remove_on_drop().unwrap();
    let map = seg.attach::<ReadWrite>().unwrap();
    assert_eq!(map.len(), 100);
    let mut buf = [0u8; 10];
    map.write_at(90, &[7; 10]).unwrap();
    map.read_at(90, &mut buf).unwrap();
    assert_eq!(buf, [7; 10]);
    map.read_at(100, &mut []).unwrap();
    for (off, n) in [(91, 10), (100, 1), (usize::MAX, 1), (usize::MAX - 3, 10)] {
        assert_eq!(
            map.read_at(off, &mut buf[..n]),
            Err(Errno::FAULT),
            "{off} {n}"
        );
        assert_eq!(map.write_at(off, &buf[..n]), Err(Errno::FAULT), "{off} {n}");
    }
    assert_eq!(map.atomic_u32(2).err(), Some(Errno::INVAL));
    assert_eq!(map.atomic_u64(4).err(), Some(Errno::INVAL));
    assert_eq!(map.atomic_u32(100).err(), Some(Errno::FAULT));
    assert_eq!(map.atomic_u32(usize::MAX - 3).err(), Some(Errno::FAULT));
    assert_eq!(
        map.atomic_u64(96).err(),
        Some(Errno::FAULT),
        "4 of 8 bytes outside"
    );
    map.atomic_u32(96)
        .unwrap()
        .store(0xdead_beef, Ordering::Relaxed);
    map.atomic_u64(88).unwrap().fetch_add(1, Ordering::Relaxed);
    // Bytes 88..90 were 0 and 90..96 were 7: little-endian plus one.
    map.read_at(88, &mut buf[..8]).unwrap();
    assert_eq!(
        u64::from_ne_bytes(buf[..8].try_into().unwrap()),
        0x0707_0707_0707_0001
    );
    // Atomics are views of the same bytes the copies see.
    let mut four = [0u8; 4];
    map.read_at(96, &mut four).unwrap();
    assert_eq!(u32::from_ne_bytes(four), 0xdead_beef);
}

#[test]
fn no_fd_leaks_across_the_api() {
    if child_role().as_deref() == Some("leakcheck") {
        let before = common::open_fds();
        for _ in 0..8 {
            let (name, shm, _guard) = new_object(4096);
            // SAFETY: nobody truncates the test's object.
            drop(unsafe { shm.map::<ReadWrite>(4096) }.unwrap());
            let _ =
                posix::open_with::<bareipc::shm::ReadWrite>(&name, CREATE_NEW, posix::DEFAULT_MODE);
            let fd = memfd::create(c"leak", MemfdFlags::empty()).unwrap();
            let _ = fd.map::<ReadOnly>(1);
            let _ = Memfd::require_seals(OwnedFd::from(fd), Seals::SHRINK);
        }
        common::assert_no_fd_leak(&before);
        return;
    }
    common::run_child(child("no_fd_leaks_across_the_api", "leakcheck"));
}

#[test]
fn every_flag_outside_the_whitelist_is_einval_and_makes_nothing() {
    if child_role().as_deref() == Some("whitelist") {
        whitelist_memfd();
        whitelist_posix();
        whitelist_sysv();
        return;
    }
    common::run_child(child(
        "every_flag_outside_the_whitelist_is_einval_and_makes_nothing",
        "whitelist",
    ));
}

/// memfd flags (a page size only with `HUGETLB`) and seals.
fn whitelist_memfd() {
    let fd = memfd::create(c"bareipc-flags", MemfdFlags::empty()).unwrap();
    let before = common::open_fds();
    let base = MemfdFlags::CLOEXEC
        | MemfdFlags::ALLOW_SEALING
        | MemfdFlags::HUGETLB
        | MemfdFlags::NOEXEC_SEAL
        | MemfdFlags::EXEC;
    let huge_size = linux_raw_sys::general::MFD_HUGE_MASK << linux_raw_sys::general::MFD_HUGE_SHIFT;
    for bit in common::bits_outside(base.bits()) {
        let f = MemfdFlags::from_bits_retain(bit);
        assert_eq!(memfd::create(c"x", f).err(), Some(Errno::INVAL), "{bit:#x}");
    }
    for bit in common::bits_outside(base.bits() | huge_size) {
        let f = MemfdFlags::HUGETLB | MemfdFlags::from_bits_retain(bit);
        assert_eq!(
            memfd::create(c"x", f).err(),
            Some(Errno::INVAL),
            "huge {bit:#x}"
        );
    }
    let all_seals = Seals::SEAL
        | Seals::SHRINK
        | Seals::GROW
        | Seals::WRITE
        | Seals::FUTURE_WRITE
        | Seals::EXEC;
    for bit in common::bits_outside(all_seals.bits()) {
        let s = Seals::from_bits_retain(bit);
        assert_eq!(fd.add_seals(s), Err(Errno::INVAL), "seal {bit:#x}");
        let dup = rustix::io::fcntl_dupfd_cloexec(&fd, 0).unwrap();
        let required = Memfd::require_seals(dup, s);
        assert_eq!(required.err(), Some(Errno::INVAL), "required {bit:#x}");
    }
    assert_eq!(fd.seals(), Ok(Seals::empty()), "no seal was added");
    common::assert_no_fd_leak(&before);
}

/// `shm_open` flags and mode: nothing appears in `/dev/shm`.
fn whitelist_posix() {
    let name = shm_name();
    for bit in common::bits_outside(ShmFlags::all().bits()) {
        let f = ShmFlags::CREATE | ShmFlags::from_bits_retain(bit);
        let open = posix::open_with::<ReadWrite>(&name, f, posix::DEFAULT_MODE);
        assert_eq!(open.err(), Some(Errno::INVAL), "{bit:#x}");
    }
    for bit in common::bits_outside(0o7777) {
        let mode = posix::Mode::from_bits_retain(bit);
        assert_eq!(
            posix::create(&name, mode).err(),
            Some(Errno::INVAL),
            "{bit:#o}"
        );
        assert_eq!(posix::open_or_create(&name, mode).err(), Some(Errno::INVAL));
    }
    assert_eq!(posix::open::<ReadOnly>(&name).err(), Some(Errno::NOENT));
}

/// `shmget`'s huge-page flags (`IPC_CREAT` among the bits: it would
/// create) and `shmat`'s flags (`SHM_REMAP`, `SHM_RDONLY` among them).
fn whitelist_sysv() {
    let key = Key::from_raw(common::unique_key());
    let huge = sysv::HugePages::all().bits() as u32;
    for bit in common::bits_outside(huge) {
        let h = sysv::HugePages::from_bits_retain(bit as i32);
        let got = Segment::get_huge(key, 4096, IpcFlags::empty(), h, sysv::DEFAULT_MODE);
        assert_eq!(got, Err(Errno::INVAL), "{bit:#o}");
    }
    assert_eq!(Segment::open(key), Err(Errno::NOENT), "no segment was made");
    let seg = Segment::private(4096).unwrap().remove_on_drop().unwrap();
    for bit in common::bits_outside(AttachFlags::all().bits() as u32) {
        let f = AttachFlags::from_bits_retain(bit as i32);
        let got = seg.attach_with::<ReadWrite>(None, f);
        assert_eq!(got.err(), Some(Errno::INVAL), "{bit:#o}");
    }
    assert_eq!(seg.stat().unwrap().nattch, 0, "nothing was attached");
}
