//! Signals: handlers installed with bareipc's own restorer run and return
//! (the strongest proof that the restorer works with no libc: nothing else
//! in this program could return from a handler), then a value sent with
//! `sigqueue` comes back through `sigtimedwait` and a signalfd.
//!
//! A plain handler (old frame and `sigreturn` on x86 and arm) and a siginfo
//! handler (rt frame, `rt_sigreturn`) are both raised with `tgkill` to this
//! thread; each must have set its flag by the time `raise` returns, and the
//! program must go on. The handler's effect is checked, not the absence of
//! a crash.
//!
//! Expected syscalls: `rt_sigaction` x4, `getpid`/`gettid`/`tgkill` x2,
//! `rt_sigprocmask`, `getpid`, `getuid` (`getuid32` on x86/arm),
//! `rt_sigqueueinfo` x2, `rt_sigtimedwait` (`_time64` on 32-bit),
//! `signalfd4`, `read`, `close`.

use core::ffi::c_void;
use core::sync::atomic::{AtomicI32, AtomicU32, AtomicUsize, Ordering::SeqCst};

use bareipc::signal::{
    self, Action, ActionFlags, Code, Handler, SigInfo, SigSet, SigVal, Signal, SignalFd,
    SignalFdFlags,
};

/// The step that failed; its value is the exit code.
#[derive(Clone, Copy)]
#[repr(u8)]
pub enum Failed {
    /// `set_handler` returned an error.
    SetHandler = 60,
    /// `raise` returned an error.
    Raise = 61,
    /// The plain handler did not run (or ran for the wrong signal).
    PlainNotRun = 62,
    /// The siginfo handler did not run, or saw the wrong record.
    InfoNotRun = 63,
    /// `block` returned an error.
    Block = 64,
    /// `queue` returned an error.
    Queue = 65,
    /// `wait_timeout` returned an error.
    Wait = 66,
    /// The record taken by `wait_timeout` is not what was queued.
    WaitRecord = 67,
    /// `SignalFd::new` or its read failed, or the record is wrong.
    SignalFd = 68,
    /// `set_default` returned an error.
    Restore = 69,
}

static PLAIN: AtomicI32 = AtomicI32::new(0);
static INFO_RUNS: AtomicU32 = AtomicU32::new(0);
static INFO_VALUE: AtomicUsize = AtomicUsize::new(0);

extern "C" fn plain(sig: Signal) {
    PLAIN.store(sig.as_raw(), SeqCst);
}

extern "C" fn with_info(_sig: Signal, info: &SigInfo, _ctx: *mut c_void) {
    if info.code() == Code::TKILL && info.sender_pid() == Some(rustix::process::getpid()) {
        INFO_RUNS.fetch_add(1, SeqCst);
    }
    INFO_VALUE.store(info.value().map_or(1, SigVal::as_addr), SeqCst);
}

/// The value sent with `sigqueue`.
const VALUE: i32 = 0x5eed;

/// Runs the round trips; dispositions are put back to the default.
pub fn check() -> Result<(), Failed> {
    // SAFETY: both handlers only touch atomics (and `getpid`, a syscall).
    unsafe {
        signal::set_handler(Signal::USR1, &Action::new(Handler::Plain(plain)))
            .map_err(|_| Failed::SetHandler)?;
        signal::set_handler(Signal::USR2, &Action::new(Handler::Info(with_info)))
            .map_err(|_| Failed::SetHandler)?;
    }
    signal::raise(Signal::USR1).map_err(|_| Failed::Raise)?;
    if PLAIN.load(SeqCst) != Signal::USR1.as_raw() {
        return Err(Failed::PlainNotRun);
    }
    signal::raise(Signal::USR2).map_err(|_| Failed::Raise)?;
    // tgkill carries no value: the handler stored 1 for "none".
    if INFO_RUNS.load(SeqCst) != 1 || INFO_VALUE.load(SeqCst) != 1 {
        return Err(Failed::InfoNotRun);
    }
    for sig in [Signal::USR1, Signal::USR2] {
        signal::set_default(sig, ActionFlags::empty()).map_err(|_| Failed::Restore)?;
    }

    // One thread: a process-directed signal can only come here.
    // Not RTMAX: qemu-user cannot map the highest guest signals to host ones.
    let (a, b) = (Signal::RTMIN, Signal::rt(1).map_err(|_| Failed::Queue)?);
    let set = SigSet::empty().with(a).with(b);
    signal::block(&set).map_err(|_| Failed::Block)?;
    let me = rustix::process::getpid();
    signal::queue(me, a, SigVal::from_int(VALUE)).map_err(|_| Failed::Queue)?;
    let got = signal::wait_timeout(
        &SigSet::empty().with(a),
        core::time::Duration::from_secs(10),
    )
    .map_err(|_| Failed::Wait)?;
    if got.signal() != Some(a)
        || got.code() != Code::QUEUE
        || got.value() != Some(SigVal::from_int(VALUE))
        || got.sender_pid() != Some(me)
    {
        return Err(Failed::WaitRecord);
    }

    let fd = SignalFd::new(&SigSet::empty().with(b), SignalFdFlags::NONBLOCK)
        .map_err(|_| Failed::SignalFd)?;
    signal::queue(me, b, SigVal::from_int(-VALUE)).map_err(|_| Failed::Queue)?;
    let rec = fd.read().map_err(|_| Failed::SignalFd)?;
    if rec.signal() != Some(b) || rec.value().map(SigVal::as_int) != Some(-VALUE) {
        return Err(Failed::SignalFd);
    }
    Ok(())
}
