//! Pipes and FIFOs against a hostile peer.
#![cfg(all(feature = "pipe", feature = "fifo", feature = "std"))]

use bareipc::Errno;
use bareipc::fifo::{self, FifoFlags, Mode, ReadEnd};
use bareipc::pipe::{self, SpliceFlags};
use rustix::fs::OFlags;

use crate::common::{TempDir, child, child_role, env};
use crate::trace;

/// Attack: the peer hands over (or the caller mistakes) a write-capable
/// fd as a read end. `vmsplice` picks its direction from the fd: on a
/// write end it would put the caller's buffer pages into the pipe for the
/// peer to read, still referenced. Before the fix `ReadEnd::vmsplice`
/// did not look (its `WriteEnd` twin did).
///
/// Asserts: `EBADF`, and nothing reached the pipe.
#[test]
fn a_write_end_adopted_as_a_read_end_never_sends_our_memory() {
    let (r, w) = pipe::pipe().unwrap();
    let fake = ReadEnd::from(rustix::io::fcntl_dupfd_cloexec(&w, 0).unwrap());
    let mut secret = *b"the caller's own memory";
    assert_eq!(
        fake.vmsplice(&mut secret, SpliceFlags::NONBLOCK),
        Err(Errno::BADF)
    );
    r.set_nonblocking(true).unwrap();
    let mut got = [0u8; 64];
    assert_eq!(
        r.read(&mut got),
        Err(Errno::AGAIN),
        "bytes reached the pipe"
    );
}

/// Attack: the peer can write the (non-sticky) directory of our FIFO.
/// Between `open_verified`'s check of the name and its open, it renames
/// our FIFO away and its own FIFO, which nobody will ever open for
/// writing, into its place. Before the fix the open went by name again, so
/// it opened the peer's FIFO and blocked for ever (and our writer talked
/// to nobody).
///
/// A tracer makes the swap at the first `openat` after the victim's
/// check (a stat), every time. Asserts: the swap was made, the victim
/// did not block (a 20 s alarm would kill it), and it read what our
/// writer wrote into our FIFO.
#[test]
fn a_fifo_swapped_after_its_check_is_never_the_one_opened() {
    let test = "pipe::a_fifo_swapped_after_its_check_is_never_the_one_opened";
    if let Some(role) = child_role() {
        assert_eq!(role, "victim");
        // SAFETY: alarm only schedules a signal, whose default action
        // ends this child should the open hang.
        unsafe { libc::alarm(20) };
        let dir = rustix::fs::open(
            env("DIR").as_str(),
            OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .unwrap();
        let r: ReadEnd =
            fifo::open_verified(&dir, "ctl", fifo::DEFAULT_MODE, FifoFlags::empty()).unwrap();
        let mut buf = [0u8; 4];
        assert_eq!(r.read(&mut buf), Ok(4));
        assert_eq!(&buf, b"ours");
        return;
    }
    if !trace::available(test) {
        return;
    }
    let tmp = TempDir::new("bareipc-hostile-fifo");
    let dir = rustix::fs::open(
        tmp.path(),
        OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .unwrap();
    fifo::create(&dir, "ctl").unwrap();
    fifo::create(&dir, "evil").unwrap();
    // Our writer, holding our FIFO open (read-write, so this open does
    // not block), with the bytes the victim must get.
    let ours: fifo::ReadWriteEnd = fifo::open(&dir, "ctl", FifoFlags::empty()).unwrap();
    ours.write(b"ours").unwrap();

    let mut cmd = child(test, "victim");
    cmd.env("DIR", tmp.path());
    // The check starts with geteuid (nothing else of the child makes it),
    // then stats the node; the open after that is the one to race.
    let (mut euid, mut checked, mut swapped) = (false, false, false);
    #[cfg(target_pointer_width = "64")]
    let geteuid = libc::SYS_geteuid;
    #[cfg(target_pointer_width = "32")]
    let geteuid = libc::SYS_geteuid32;
    #[cfg(target_pointer_width = "64")]
    let stats = [libc::SYS_newfstatat, libc::SYS_fstat, libc::SYS_statx];
    #[cfg(target_pointer_width = "32")]
    let stats = [libc::SYS_fstatat64, libc::SYS_fstat64, libc::SYS_statx];
    let status = trace::run(cmd, |e| {
        if swapped {
            return;
        }
        if e.nr == geteuid {
            euid = true;
        } else if euid && stats.contains(&e.nr) {
            checked = true;
        } else if checked && e.nr == libc::SYS_openat {
            swapped = true;
            std::fs::rename(tmp.join("ctl"), tmp.join("hold")).unwrap();
            std::fs::rename(tmp.join("evil"), tmp.join("ctl")).unwrap();
        }
    });
    assert!(swapped, "the tracer never saw the victim's check and open");
    assert!(
        status.success(),
        "the victim failed (killed by its alarm if it hung): {status}"
    );
    drop(ours);
}
