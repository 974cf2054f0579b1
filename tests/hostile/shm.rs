//! Shared memory against a hostile peer: mappings that could lose their
//! pages, and attach addresses that could replace memory.
#![cfg(all(feature = "shm", feature = "std"))]

use std::ptr::NonNull;

use bareipc::Errno;
use bareipc::key::Key;
use bareipc::shm::memfd::{self, MemfdFlags, Seals};
use bareipc::shm::sysv::{AttachFlags, HugePages, IpcFlags, Mode, Segment};
use bareipc::shm::{ReadOnly, ReadWrite};
use rustix::fd::AsFd;

use crate::common::{Guard, child, child_role, env};

/// The huge page size the tests ask for (the default on x86_64; the
/// kernel rounds a segment up to whole huge pages).
const HUGE: usize = 2 << 20;

/// The free huge pages of the default size, from /proc/meminfo.
fn free_huge_pages() -> u64 {
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap();
    meminfo
        .lines()
        .find_map(|l| l.strip_prefix("HugePages_Free:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

/// Exit codes of the victims below, for the parent's assertions.
const REFUSED: i32 = 0;
const MAPPED_AND_READ: i32 = 3;

/// Attack: the peer creates a segment of huge pages with
/// `SHM_NORESERVE`, so that none is set aside for it, while the pool is
/// empty (`vm.nr_hugepages` 0, the default); the victim attaches it
/// safely and reads. Before the fix the read raised `SIGBUS`.
///
/// Then, with one huge page in the pool for the test (restored after), a
/// huge-page memfd sealed only against shrinking: the victim maps it,
/// the peer punches a hole (taking the page and its reservation back) and
/// another process takes the page; the victim's next read faulted.
///
/// Asserts: the victims survive; the segment is refused (`ENOMEM`) when
/// the pool is empty, and the memfd without a write seal is refused
/// (`EPERM`), while one with `FUTURE_WRITE` maps, cannot be punched, and
/// reads.
#[test]
fn huge_pages_cannot_be_taken_from_under_a_safe_mapping() {
    let test = "shm::huge_pages_cannot_be_taken_from_under_a_safe_mapping";
    match child_role().as_deref() {
        Some("segment") => {
            let seg = Segment::from_id(env("SHM_ID").parse().unwrap());
            let ro = seg.attach::<ReadOnly>();
            let rw = seg.attach::<ReadWrite>();
            match (ro, rw) {
                (Err(Errno::NOMEM), Err(Errno::NOMEM)) => std::process::exit(REFUSED),
                (Ok(ro), Ok(rw)) => {
                    rw.write_at(HUGE - 1, b"x").unwrap();
                    let mut b = [0u8; 1];
                    ro.read_at(HUGE - 1, &mut b).unwrap();
                    assert_eq!(&b, b"x");
                    std::process::exit(MAPPED_AND_READ);
                }
                other => panic!("attach: {other:?}"),
            }
        }
        Some("memfd") => memfd_victim(),
        _ => {}
    }

    if crate::QEMU {
        eprintln!("NOTE: {test}: skipped: qemu-user ignores madvise and maps for its guest itself");
        return;
    }
    // The segment, with the pool empty.
    let free = free_huge_pages();
    let seg = Segment::get_huge(
        Key::PRIVATE,
        HUGE,
        IpcFlags::CREATE,
        HugePages::HUGETLB | HugePages::NORESERVE,
        Mode::from_raw_mode(0o600),
    );
    match seg {
        Ok(seg) => {
            let _rm = Guard(|| seg.remove().unwrap());
            let mut cmd = child(test, "segment");
            cmd.env("SHM_ID", seg.id().to_string());
            let status = cmd.status().unwrap();
            if free == 0 {
                assert_eq!(status.code(), Some(REFUSED), "the victim: {status}");
            } else {
                eprintln!("NOTE: {test}: {free} free huge pages: the segment could be had");
                assert_eq!(status.code(), Some(MAPPED_AND_READ), "the victim: {status}");
            }
        }
        Err(e) => crate::skip(
            test,
            &format!("the segment part: no huge-page segment ({e})"),
        ),
    }

    // The memfd, with one huge page for the test.
    let nr = "/proc/sys/vm/nr_hugepages";
    let before: u64 = std::fs::read_to_string(nr).unwrap().trim().parse().unwrap();
    if std::fs::write(nr, (before + 1).to_string()).is_err() {
        crate::skip(test, &format!("the memfd part: {nr} is not writable"));
        return;
    }
    let _restore = Guard(|| std::fs::write(nr, before.to_string()).unwrap());
    if free_huge_pages() == 0 {
        crate::skip(test, "the memfd part: no huge page could be had");
        return;
    }
    let status = child(test, "memfd").status().unwrap();
    assert_eq!(status.code(), Some(REFUSED), "the memfd victim: {status}");
}

/// `fallocate(fd, PUNCH_HOLE | KEEP_SIZE, 0, len)`, what the peer holding
/// the fd does.
fn punch(fd: &impl AsFd, len: usize) -> Result<(), Errno> {
    rustix::fs::fallocate(
        fd,
        rustix::fs::FallocateFlags::PUNCH_HOLE | rustix::fs::FallocateFlags::KEEP_SIZE,
        0,
        len as u64,
    )
}

fn memfd_victim() -> ! {
    let fd = match memfd::create(c"bareipc-hostile-huge", MemfdFlags::HUGETLB) {
        Ok(fd) => fd,
        Err(e) => panic!("memfd_create(MFD_HUGETLB): {e}"),
    };
    fd.set_len(HUGE as u64).unwrap();
    fd.add_seals(Seals::SHRINK | Seals::GROW).unwrap();
    match fd.map::<ReadOnly>(HUGE) {
        Err(Errno::PERM) => {}
        Ok(map) => {
            // The attack, had the map been allowed: the page is touched,
            // taken back, and the pool emptied by someone else.
            let mut b = [0u8; 1];
            map.read_at(0, &mut b).unwrap();
            punch(&fd, HUGE).unwrap();
            let thief = memfd::create(c"bareipc-hostile-thief", MemfdFlags::HUGETLB).unwrap();
            thief.set_len(HUGE as u64).unwrap();
            thief.add_seals(Seals::SHRINK).unwrap();
            // SAFETY: nobody shrinks the thief's memfd.
            let t = unsafe { thief.map_unchecked::<ReadWrite>(HUGE) }.unwrap();
            t.write_at(0, b"mine").unwrap();
            map.read_at(0, &mut b).unwrap(); // faults here
            std::process::exit(MAPPED_AND_READ);
        }
        Err(e) => panic!("map: {e}"),
    }
    // With a write seal the holders cannot punch: it maps, and reads.
    fd.add_seals(Seals::FUTURE_WRITE).unwrap();
    let map = fd.map::<ReadOnly>(HUGE).unwrap();
    assert_eq!(punch(&fd, HUGE), Err(Errno::PERM));
    let mut b = [1u8; 1];
    map.read_at(HUGE - 1, &mut b).unwrap();
    assert_eq!(b, [0]);
    assert_eq!(fd.map::<ReadWrite>(HUGE).err(), Some(Errno::PERM));
    std::process::exit(REFUSED);
}

/// Attack (on the caller's own address space): a `ROUND` hint below
/// `SHMLBA` rounds down to 0, where the kernel maps with `MAP_FIXED` and
/// no overlap check, replacing whatever the process has there (as root,
/// which may map low addresses). Before the fix the crate passed it on,
/// then saw a null pointer and returned `ENOMEM` with the segment still
/// attached.
///
/// Asserts: `EINVAL`, and the segment has no attachment afterwards.
#[test]
fn a_rounded_hint_can_never_reach_address_zero() {
    let seg = Segment::private(4096).unwrap();
    let _rm = Guard(|| seg.remove().unwrap());
    for addr in [1usize, 4095, 4096, 8191, 0x3ffff] {
        let hint = NonNull::new(std::ptr::without_provenance_mut::<u8>(addr));
        let r = seg.attach_with::<ReadWrite>(hint, AttachFlags::ROUND);
        assert_eq!(r.err(), Some(Errno::INVAL), "hint {addr:#x}");
    }
    assert_eq!(
        seg.stat().unwrap().nattch,
        0,
        "an attachment was left behind"
    );
}
