//! The signal techniques. Each side sends the other a signal and takes the
//! answer:
//!
//! - `sigqueue_sigwaitinfo`, `sigqueue_signalfd`: a real-time signal with
//!   a value, blocked in both processes, taken by `rt_sigtimedwait` or by
//!   reading a signalfd. glibc's `sigqueue` makes `getpid` + `getuid` +
//!   `rt_sigqueueinfo` each time; bareipc's arm builds the record once
//!   (`SigInfo::new`) and sends it with `queue_info`: `rt_sigqueueinfo`
//!   alone. The `sigqueue3_*` rows are the like-for-like variant: bareipc's
//!   `signal::queue`, which makes the same three calls as glibc.
//! - `kill_handler_sigsuspend`: SIGUSR1 with a handler, blocked except in
//!   `sigsuspend`: `kill` + `rt_sigsuspend` + `rt_sigreturn` per side.

use bareipc::signal::{
    self, Action, Code, Handler, SigInfo, SigSet, SigVal, Signal, SignalFd, SignalFdFlags,
};
use rustix::process::Pid;

use crate::harness::RoundTrip;
use crate::sys::{self, c_int, die, lc, ok, pid_t};

/// The real-time signal used: SIGRTMIN + 6 under glibc (34 + 6).
pub const RT: c_int = 40;

fn rt_bare() -> Signal {
    ok(Signal::new(RT), "signal")
}

fn pid(p: pid_t) -> Pid {
    Pid::from_raw(p).unwrap_or_else(|| die("pid", p))
}

// ------------------------------------------------------------- bare

/// How the bare arm takes a signal.
pub trait Take {
    fn new(set: &SigSet) -> Self;
    fn take(&self, set: &SigSet);
}

/// `rt_sigtimedwait(set, &info, NULL)`.
pub struct Wait;

impl Take for Wait {
    fn new(_: &SigSet) -> Self {
        Wait
    }
    #[inline(always)]
    fn take(&self, set: &SigSet) {
        ok(signal::wait(set), "sigwaitinfo");
    }
}

/// `read(signalfd, &info, 128)`.
pub struct Fd(SignalFd);

impl Take for Fd {
    fn new(set: &SigSet) -> Self {
        Fd(ok(SignalFd::new(set, SignalFdFlags::empty()), "signalfd"))
    }
    #[inline(always)]
    fn take(&self, _: &SigSet) {
        ok(self.0.read(), "signalfd read");
    }
}

/// A queued real-time signal each way; `Q3` sends with `signal::queue`
/// (getpid + getuid + rt_sigqueueinfo, as glibc), else with `queue_info`
/// of a record built once (rt_sigqueueinfo alone).
pub struct QueueBare<T: Take, const Q3: bool> {
    set: SigSet,
    sig: Signal,
    info: Option<SigInfo>,
    peer: Option<Pid>,
    take: Option<T>,
}

impl<T: Take, const Q3: bool> QueueBare<T, Q3> {
    fn init(&mut self, peer: pid_t) {
        self.peer = Some(pid(peer));
        self.info = Some(SigInfo::new(self.sig, Code::QUEUE, SigVal::from_int(7)));
        self.take = Some(T::new(&self.set));
    }

    #[inline(always)]
    fn send(&self) {
        let (Some(peer), Some(info)) = (self.peer, &self.info) else {
            die("sigqueue", "not initialised")
        };
        if Q3 {
            ok(
                signal::queue(peer, self.sig, SigVal::from_int(7)),
                "sigqueue",
            );
        } else {
            ok(signal::queue_info(peer, info), "rt_sigqueueinfo");
        }
    }

    #[inline(always)]
    fn take(&self) {
        match &self.take {
            Some(t) => t.take(&self.set),
            None => die("take", "not initialised"),
        }
    }
}

impl<T: Take, const Q3: bool> Drop for QueueBare<T, Q3> {
    fn drop(&mut self) {
        self.take = None;
        while signal::try_wait(&self.set).is_ok() {}
        ok(signal::unblock(&self.set), "sigprocmask");
    }
}

impl<T: Take, const Q3: bool> RoundTrip for QueueBare<T, Q3> {
    fn new(_: usize) -> Self {
        let sig = rt_bare();
        let set = SigSet::empty().with(sig);
        ok(signal::block(&set), "sigprocmask");
        QueueBare {
            set,
            sig,
            info: None,
            peer: None,
            take: None,
        }
    }
    fn child_init(&mut self, parent: pid_t) {
        self.init(parent);
    }
    fn parent_init(&mut self, child: pid_t) {
        self.init(child);
    }
    #[inline(always)]
    fn echo(&mut self) {
        self.take();
        self.send();
    }
    #[inline(always)]
    fn ping(&mut self) {
        self.send();
        self.take();
    }
}

extern "C" fn on_usr1_bare(_: Signal) {}

/// `kill(peer, SIGUSR1)` + `sigsuspend(empty)`, the handler doing nothing.
pub struct KillBare {
    usr1: SigSet,
    peer: Option<Pid>,
}

impl Drop for KillBare {
    fn drop(&mut self) {
        ok(signal::unblock(&self.usr1), "sigprocmask");
    }
}

impl KillBare {
    #[inline(always)]
    fn send(&self) {
        let Some(peer) = self.peer else {
            die("kill", "not initialised")
        };
        ok(signal::kill(peer, Signal::USR1), "kill");
    }
    #[inline(always)]
    fn take(&self) {
        let e = signal::suspend(&SigSet::empty());
        if e != bareipc::Errno::INTR {
            die("sigsuspend", e);
        }
    }
}

impl RoundTrip for KillBare {
    fn new(_: usize) -> Self {
        let usr1 = SigSet::empty().with(Signal::USR1);
        ok(signal::block(&usr1), "sigprocmask");
        // SAFETY: the handler does nothing, so it is async-signal-safe.
        ok(
            unsafe {
                signal::set_handler(Signal::USR1, &Action::new(Handler::Plain(on_usr1_bare)))
            },
            "sigaction",
        );
        KillBare { usr1, peer: None }
    }
    fn child_init(&mut self, parent: pid_t) {
        self.peer = Some(pid(parent));
    }
    fn parent_init(&mut self, child: pid_t) {
        self.peer = Some(pid(child));
    }
    #[inline(always)]
    fn echo(&mut self) {
        self.take();
        self.send();
    }
    #[inline(always)]
    fn ping(&mut self) {
        self.send();
        self.take();
    }
}

// ------------------------------------------------------------- libc

/// How the libc arm takes a signal.
pub trait TakeLibc {
    fn new(set: &libc::sigset_t) -> Self;
    fn take(&self, set: &libc::sigset_t);
}

/// `sigwaitinfo(set, &info)`.
pub struct WaitLibc;

impl TakeLibc for WaitLibc {
    fn new(_: &libc::sigset_t) -> Self {
        WaitLibc
    }
    #[inline(always)]
    fn take(&self, set: &libc::sigset_t) {
        // SAFETY: siginfo_t is plain data, written by the kernel.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: `set` and `info` are valid.
        lc(unsafe { libc::sigwaitinfo(set, &mut info) }, "sigwaitinfo");
    }
}

/// `read(signalfd, &ssi, sizeof ssi)`.
pub struct FdLibc(c_int);

impl TakeLibc for FdLibc {
    fn new(set: &libc::sigset_t) -> Self {
        // SAFETY: `set` is valid; -1 asks for a new fd.
        FdLibc(lc(
            unsafe { libc::signalfd(-1, set, libc::SFD_CLOEXEC) },
            "signalfd",
        ))
    }
    #[inline(always)]
    fn take(&self, _: &libc::sigset_t) {
        // SAFETY: signalfd_siginfo is plain integers.
        let mut ssi: libc::signalfd_siginfo = unsafe { std::mem::zeroed() };
        // SAFETY: `ssi` is writable for its size.
        let n = lc(
            unsafe {
                libc::read(
                    self.0,
                    (&raw mut ssi).cast(),
                    size_of::<libc::signalfd_siginfo>(),
                )
            },
            "signalfd read",
        );
        if n as usize != size_of::<libc::signalfd_siginfo>() {
            die("signalfd read", n);
        }
    }
}

impl Drop for FdLibc {
    fn drop(&mut self) {
        sys::close(self.0);
    }
}

/// glibc's `sigqueue` each way.
pub struct QueueLibc<T: TakeLibc> {
    set: libc::sigset_t,
    peer: pid_t,
    take: Option<T>,
}

impl<T: TakeLibc> QueueLibc<T> {
    #[inline(always)]
    fn send(&self) {
        let v = libc::sigval {
            sival_ptr: 7 as *mut libc::c_void,
        };
        // SAFETY: integers and a sigval.
        lc(unsafe { libc::sigqueue(self.peer, RT, v) }, "sigqueue");
    }
    #[inline(always)]
    fn take(&self) {
        match &self.take {
            Some(t) => t.take(&self.set),
            None => die("take", "not initialised"),
        }
    }
}

impl<T: TakeLibc> Drop for QueueLibc<T> {
    fn drop(&mut self) {
        self.take = None;
        let zero = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: valid set, no info wanted, a zero timeout.
        while unsafe { libc::sigtimedwait(&self.set, std::ptr::null_mut(), &zero) } > 0 {}
        sys::sigprocmask(libc::SIG_UNBLOCK, &self.set);
    }
}

impl<T: TakeLibc> RoundTrip for QueueLibc<T> {
    fn new(_: usize) -> Self {
        let set = sys::sigset(&[RT]);
        sys::sigprocmask(libc::SIG_BLOCK, &set);
        QueueLibc {
            set,
            peer: 0,
            take: None,
        }
    }
    fn child_init(&mut self, parent: pid_t) {
        self.peer = parent;
        self.take = Some(T::new(&self.set));
    }
    fn parent_init(&mut self, child: pid_t) {
        self.peer = child;
        self.take = Some(T::new(&self.set));
    }
    #[inline(always)]
    fn echo(&mut self) {
        self.take();
        self.send();
    }
    #[inline(always)]
    fn ping(&mut self) {
        self.send();
        self.take();
    }
}

extern "C" fn on_usr1_libc(_: c_int) {}

pub struct KillLibc {
    usr1: libc::sigset_t,
    empty: libc::sigset_t,
    peer: pid_t,
}

impl Drop for KillLibc {
    fn drop(&mut self) {
        sys::sigprocmask(libc::SIG_UNBLOCK, &self.usr1);
    }
}

impl KillLibc {
    #[inline(always)]
    fn send(&self) {
        // SAFETY: integers only.
        lc(unsafe { libc::kill(self.peer, libc::SIGUSR1) }, "kill");
    }
    #[inline(always)]
    fn take(&self) {
        // SAFETY: a valid set; returns -1/EINTR after the handler.
        unsafe { libc::sigsuspend(&self.empty) };
    }
}

impl RoundTrip for KillLibc {
    fn new(_: usize) -> Self {
        let usr1 = sys::sigset(&[libc::SIGUSR1]);
        sys::sigprocmask(libc::SIG_BLOCK, &usr1);
        // SAFETY: sigaction is plain data; the handler does nothing.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_usr1_libc as extern "C" fn(c_int) as libc::sighandler_t;
            libc::sigemptyset(&mut sa.sa_mask);
            lc(
                libc::sigaction(libc::SIGUSR1, &sa, std::ptr::null_mut()),
                "sigaction",
            );
        }
        KillLibc {
            usr1,
            empty: sys::sigset(&[]),
            peer: 0,
        }
    }
    fn child_init(&mut self, parent: pid_t) {
        self.peer = parent;
    }
    fn parent_init(&mut self, child: pid_t) {
        self.peer = child;
    }
    #[inline(always)]
    fn echo(&mut self) {
        self.take();
        self.send();
    }
    #[inline(always)]
    fn ping(&mut self) {
        self.send();
        self.take();
    }
}
