//! Audit cases for `signal`.
//!
//! This runs in the audit child, beside other families, on libtest's test
//! thread (the main thread waits beside it). So:
//! - signals to this process are thread-directed (`raise`, `tgkill`,
//!   `queue_thread*`), sent while blocked here, and taken back with a wait
//!   or a signalfd read; a process-directed one could land on the main
//!   thread, which does not block it;
//! - process-directed sends (`kill`, `queue`, pidfds) go to a child `cat`
//!   in a process group of its own, as `SIGCONT`, which a running process
//!   ignores; it ends when its stdin closes;
//! - every disposition, the mask and the alternate stack are put back as
//!   they were.

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
use std::time::Duration;

use bareipc::Errno;
use bareipc::signal::{
    self, Action, AltStackFlags, ChildEvent, Code, Handler, MaskHow, PidFd, SigInfo, SigSet,
    SigVal, Signal, SignalFd, SignalFdFlags, WaitFlags,
};
use rustix::process::{Pid, getpid};
use rustix::thread::gettid;

use crate::{audit, audit_drop};

pub fn run() {
    numbers();
    masks_waits_and_signalfd();
    actions_and_suspend();
    alt_stack();
    to_another_process();
}

fn numbers() {
    audit("signal::Signal::new", &[], || Signal::new(10).unwrap());
    audit("signal::Signal::rt", &[], || Signal::rt(3).unwrap());
    // SAFETY: 40 is no libc's; the signal is only built.
    audit("signal::Signal::new_reserved", &[], || unsafe {
        Signal::new_reserved(40).unwrap()
    });
    let info = audit("signal::info::SigInfo::new", &["getpid", "getuid"], || {
        SigInfo::new(Signal::USR1, Code::QUEUE, SigVal::from_int(7))
    });
    assert_eq!(info.value(), Some(SigVal::from_int(7)));
}

/// Blocks a few signals, sends each to this thread, and takes each back.
fn masks_waits_and_signalfd() {
    let (pid, tid) = (getpid(), gettid());
    let rt1 = Signal::rt(1).unwrap();
    let rt2 = Signal::rt(2).unwrap();
    let set = SigSet::empty()
        .with(Signal::USR1)
        .with(Signal::USR2)
        .with(rt1)
        .with(rt2);
    let usr1 = SigSet::empty().with(Signal::USR1);
    let usr2 = SigSet::empty().with(Signal::USR2);

    let before = audit("signal::mask::mask", &["rt_sigprocmask"], || {
        signal::mask().unwrap()
    });
    assert!(before.intersection(set).is_empty(), "{before:?}");
    audit("signal::mask::block", &["rt_sigprocmask"], || {
        signal::block(&set).unwrap()
    });

    audit(
        "signal::send::raise",
        &["getpid", "gettid", "tgkill"],
        || signal::raise(Signal::USR1).unwrap(),
    );
    let pending = audit("signal::mask::pending", &["rt_sigpending"], || {
        signal::pending().unwrap()
    });
    assert!(pending.contains(Signal::USR1));
    let info = audit("signal::wait::try_wait", &["rt_sigtimedwait"], || {
        signal::try_wait(&usr1).unwrap()
    });
    assert_eq!(
        (info.signal(), info.code()),
        (Some(Signal::USR1), Code::TKILL)
    );

    audit("signal::send::tgkill", &["tgkill"], || {
        signal::tgkill(pid, tid, Signal::USR2).unwrap()
    });
    let info = audit("signal::wait::wait", &["rt_sigtimedwait"], || {
        signal::wait(&usr2).unwrap()
    });
    assert_eq!(info.signal(), Some(Signal::USR2));
    let r = audit("signal::wait::wait_timeout", &["rt_sigtimedwait"], || {
        signal::wait_timeout(&usr2, Duration::from_millis(1))
    });
    assert_eq!(r.err(), Some(Errno::AGAIN));

    audit(
        "signal::send::queue_thread",
        &["getpid", "getuid", "rt_tgsigqueueinfo"],
        || signal::queue_thread(pid, tid, rt1, SigVal::from_int(1)).unwrap(),
    );
    let sfd = audit("signal::signalfd::SignalFd::new", &["signalfd4"], || {
        SignalFd::new(&SigSet::empty().with(rt1), SignalFdFlags::NONBLOCK).unwrap()
    });
    let info = audit(
        "signal::signalfd::SignalFd::try_read",
        &["ppoll", "read"],
        || sfd.try_read().unwrap(),
    );
    assert_eq!(info.signal(), Some(rt1));
    audit("signal::signalfd::SignalFd::try_read", &["ppoll"], || {
        assert_eq!(sfd.try_read().err(), Some(Errno::AGAIN))
    });
    audit(
        "signal::signalfd::SignalFd::read_timeout",
        &["ppoll"],
        || {
            assert_eq!(
                sfd.read_timeout(Duration::from_millis(1)).err(),
                Some(Errno::TIMEDOUT)
            )
        },
    );
    signal::queue_thread(pid, tid, rt1, SigVal::from_int(1)).unwrap();
    audit(
        "signal::signalfd::SignalFd::read_timeout",
        &["ppoll", "read"],
        || sfd.read_timeout(Duration::from_secs(1)).unwrap(),
    );
    signal::queue_thread(pid, tid, rt1, SigVal::from_int(1)).unwrap();
    let info = audit("signal::signalfd::SignalFd::read", &["read"], || {
        sfd.read().unwrap()
    });
    assert_eq!(
        (info.signal(), info.value()),
        (Some(rt1), Some(SigVal::from_int(1)))
    );
    audit(
        "signal::signalfd::SignalFd::set_mask",
        &["signalfd4"],
        || sfd.set_mask(&SigSet::empty().with(rt2)).unwrap(),
    );
    let info = SigInfo::new(rt2, Code::QUEUE, SigVal::from_int(2));
    audit(
        "signal::send::queue_thread_info",
        &["rt_tgsigqueueinfo"],
        || signal::queue_thread_info(pid, tid, &info).unwrap(),
    );
    let mut batch = heapless::Vec::<SigInfo, 4>::new();
    let n = audit("signal::signalfd::SignalFd::read_batch", &["read"], || {
        sfd.read_batch(&mut batch).unwrap()
    });
    assert_eq!((n, batch[0].value()), (1, Some(SigVal::from_int(2))));
    // A full batch: refused before the syscall.
    let mut full = heapless::Vec::<SigInfo, 1>::new();
    full.push(info).unwrap();
    let r = audit("signal::signalfd::SignalFd::read_batch", &[], || {
        sfd.read_batch(&mut full)
    });
    assert_eq!(r, Err(Errno::INVAL));
    audit_drop("signal::signalfd::SignalFd", &["close"], sfd);

    assert!(signal::pending().unwrap().intersection(set).is_empty());
    audit("signal::mask::unblock", &["rt_sigprocmask"], || {
        signal::unblock(&set).unwrap()
    });
    audit("signal::mask::set_mask", &["rt_sigprocmask"], || {
        signal::set_mask(&before).unwrap()
    });
    audit("signal::mask::change_mask", &["rt_sigprocmask"], || {
        signal::change_mask(MaskHow::Block, &usr2).unwrap()
    });
    assert_eq!(signal::set_mask(&before).unwrap(), before.union(usr2));
}

static HITS: AtomicU32 = AtomicU32::new(0);

extern "C" fn count(_: Signal) {
    HITS.fetch_add(1, SeqCst);
}

/// Every way to change `SIGUSR1`'s action, and a suspend that a pending
/// `SIGUSR1` ends at once; then the old action back.
fn actions_and_suspend() {
    let sig = Signal::USR1;
    let old = audit("signal::action::action", &["rt_sigaction"], || {
        signal::action(sig).unwrap()
    });
    audit("signal::action::set_ignore", &["rt_sigaction"], || {
        signal::set_ignore(sig, signal::ActionFlags::empty()).unwrap()
    });
    audit("signal::action::set_default", &["rt_sigaction"], || {
        signal::set_default(sig, signal::ActionFlags::empty()).unwrap()
    });
    let handler = Action::new(Handler::Plain(count));
    // SAFETY: `count` only touches an atomic.
    audit(
        "signal::action::set_handler",
        &["rt_sigaction"],
        || unsafe { signal::set_handler(sig, &handler).unwrap() },
    );

    // Pending and blocked, then let through by the suspend's mask: the
    // handler runs as the suspend starts, and its return (the crate's
    // restorer) is the `rt_sigreturn`.
    let mask = signal::block(&SigSet::empty().with(sig)).unwrap();
    signal::raise(sig).unwrap();
    let e = audit(
        "signal::mask::suspend",
        &["rt_sigsuspend", "rt_sigreturn"],
        || signal::suspend(&mask.without(sig)),
    );
    assert_eq!((e, HITS.load(SeqCst)), (Errno::INTR, 1));
    signal::set_mask(&mask).unwrap();

    // SAFETY: `old` is what the process had before: a handler in it is
    // still installed code of this process.
    audit("signal::action::restore", &["rt_sigaction"], || unsafe {
        signal::restore(sig, &old).unwrap()
    });
}

fn alt_stack() {
    let stack: &'static mut [u8] = Vec::leak(vec![0u8; 64 * 1024]);
    let (addr, size) = (stack.as_ptr() as usize, stack.len());
    let old = audit("signal::altstack::alt_stack", &["sigaltstack"], || {
        signal::alt_stack().unwrap()
    });
    audit("signal::altstack::set_alt_stack", &["sigaltstack"], || {
        signal::set_alt_stack(stack, AltStackFlags::empty()).unwrap()
    });
    let ours = audit(
        "signal::altstack::disable_alt_stack",
        &["sigaltstack"],
        || signal::disable_alt_stack().unwrap(),
    );
    assert_eq!((ours.addr, ours.size), (addr, size));
    // Put std's stack (if any) back; ours stays leaked, as the API asks.
    if !old.flags.contains(AltStackFlags::DISABLE) {
        let ss = libc::stack_t {
            ss_sp: old.addr as *mut libc::c_void,
            ss_flags: 0,
            ss_size: old.size,
        };
        // SAFETY: the stack the thread had a moment ago, still allocated.
        assert_eq!(unsafe { libc::sigaltstack(&ss, std::ptr::null_mut()) }, 0);
    }
    assert_eq!(signal::alt_stack().unwrap(), old);
}

/// Sends to a child `cat` in its own process group, as `SIGCONT`.
fn to_another_process() {
    let mut cat = Command::new("cat")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap();
    // Under qemu-user, spawn can return before the child's exec is done
    // (its vfork is a fork), and a signal queued then fails with ESRCH:
    // wait for cat to echo a byte.
    {
        use std::io::{Read, Write};
        cat.stdin.as_mut().unwrap().write_all(b"x").unwrap();
        let mut b = [0u8; 1];
        cat.stdout.as_mut().unwrap().read_exact(&mut b).unwrap();
        assert_eq!(&b, b"x");
    }
    let pid = Pid::from_raw(cat.id() as i32).unwrap();
    let cont = Signal::CONT;
    let value = SigVal::from_int(3);

    audit("signal::send::kill", &["kill"], || {
        signal::kill(pid, cont).unwrap()
    });
    audit("signal::send::kill_group", &["kill"], || {
        signal::kill_group(pid, cont).unwrap()
    });
    audit(
        "signal::send::queue",
        &["getpid", "getuid", "rt_sigqueueinfo"],
        || signal::queue(pid, cont, value).unwrap(),
    );
    let info = SigInfo::new(cont, Code::QUEUE, value);
    audit("signal::send::queue_info", &["rt_sigqueueinfo"], || {
        signal::queue_info(pid, &info).unwrap()
    });
    let pidfd = audit("signal::send::PidFd::open", &["pidfd_open"], || {
        PidFd::open(pid).unwrap()
    });
    audit("signal::send::PidFd::send", &["pidfd_send_signal"], || {
        pidfd.send(cont).unwrap()
    });
    audit(
        "signal::send::PidFd::send_info",
        &["pidfd_send_signal"],
        || pidfd.send_info(&info).unwrap(),
    );
    audit(
        "signal::send::PidFd::queue",
        &["getpid", "getuid", "pidfd_send_signal"],
        || pidfd.queue(cont, value).unwrap(),
    );
    let me = audit("signal::send::getpid", &["getpid"], signal::getpid);
    assert_eq!(me, getpid());
    let tid = audit("signal::send::gettid", &["gettid"], signal::gettid);
    assert_eq!(tid, gettid());
    let mut cmd = Command::new("true");
    audit("signal::mask::clear_mask_on_exec", &[], || {
        signal::clear_mask_on_exec(&mut cmd);
    });
    assert!(cmd.status().unwrap().success());
    audit("signal::send::probe", &["kill"], || {
        signal::probe(pid).unwrap()
    });
    audit("signal::send::kill_group", &[], || {
        assert_eq!(signal::kill_group(Pid::INIT, cont), Err(Errno::INVAL))
    });
    audit("signal::send::probe_group", &[], || {
        assert_eq!(signal::probe_group(Pid::INIT), Err(Errno::INVAL))
    });
    audit("signal::send::probe_group", &["kill"], || {
        signal::probe_group(pid).unwrap()
    });
    audit("signal::send::PidFd::probe", &["pidfd_send_signal"], || {
        pidfd.probe().unwrap()
    });
    audit("signal::send::PidFd::try_wait", &["waitid"], || {
        assert_eq!(pidfd.try_wait().err(), Some(Errno::AGAIN))
    });
    audit("signal::send::PidFd::wait_timeout", &["ppoll"], || {
        assert_eq!(
            pidfd.wait_timeout(Duration::ZERO).err(),
            Some(Errno::TIMEDOUT)
        )
    });
    audit("signal::send::PidFd::wait_with", &[], || {
        assert_eq!(pidfd.wait_with(WaitFlags::NOHANG).err(), Some(Errno::INVAL))
    });

    // Still running: SIGCONT did nothing to it. End it through its stdin,
    // and reap it through the pidfd (std's Child is never waited for).
    let mut stdin = cat.stdin.take().unwrap();
    stdin.write_all(b"done\n").unwrap();
    drop(stdin);
    let st = audit("signal::send::PidFd::wait_with", &["waitid"], || {
        pidfd
            .wait_with(WaitFlags::EXITED | WaitFlags::NOWAIT)
            .unwrap()
    });
    assert_eq!(st.event, ChildEvent::Exited(0));
    let st = audit(
        "signal::send::PidFd::wait_timeout",
        &["ppoll", "waitid"],
        || pidfd.wait_timeout(Duration::from_secs(30)).unwrap(),
    );
    assert_eq!(st.event, ChildEvent::Exited(0));
    audit("signal::send::PidFd::wait", &["waitid"], || {
        assert_eq!(pidfd.wait().err(), Some(Errno::CHILD))
    });
    audit_drop("signal::send::PidFd", &["close"], pidfd);
    drop(cat);
}
