//! Signal actions: default, ignore, or a handler with our own restorer.

use core::ffi::c_void;

use linux_raw_sys::general as g;

use super::{SigInfo, SigSet, Signal};
use crate::Result;
use crate::backend::signal::{self as raw, SIG_IGN, SigAction};

bitflags::bitflags! {
    /// Options of an action (`sa_flags`). `SA_SIGINFO` is set by the
    /// choice of [`Handler`], and `SA_RESTORER` by this crate; neither is
    /// a flag here.
    #[repr(transparent)]
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct ActionFlags: u32 {
        /// `SA_NOCLDSTOP`: for `SIGCHLD`, no signal when a child stops or
        /// continues, only when it ends.
        const NOCLDSTOP = g::SA_NOCLDSTOP;
        /// `SA_NOCLDWAIT`: for `SIGCHLD`, children that end are reaped by
        /// the kernel and never become zombies (`wait` then fails with
        /// `ECHILD`).
        const NOCLDWAIT = g::SA_NOCLDWAIT;
        /// `SA_ONSTACK`: run the handler on the thread's alternate stack
        /// ([`set_alt_stack`](super::set_alt_stack)), if it has one.
        const ONSTACK = g::SA_ONSTACK;
        /// `SA_RESTART`: a blocking call the handler interrupted is
        /// restarted instead of failing with `EINTR`, where the kernel
        /// restarts that call (see signal(7)).
        const RESTART = g::SA_RESTART;
        /// `SA_NODEFER`: do not block the signal while its handler runs, so
        /// the handler can be re-entered.
        const NODEFER = g::SA_NODEFER;
        /// `SA_RESETHAND`: reset the action to the default when the handler
        /// is entered (a one-shot handler).
        const RESETHAND = g::SA_RESETHAND;
    }
}

/// A handler that takes the signal number.
pub type PlainHandler = extern "C" fn(Signal);

/// A handler that takes the signal number, what the kernel knows about it
/// and the interrupted context (`SA_SIGINFO`). The context is the kernel's
/// `ucontext_t`, whose layout is per arch; this crate does not decode it.
pub type InfoHandler = for<'a> extern "C" fn(Signal, &'a SigInfo, *mut c_void);

/// The function an installed action calls.
#[derive(Clone, Copy, Debug)]
pub enum Handler {
    /// `sa_handler`: called with the signal.
    Plain(PlainHandler),
    /// `sa_sigaction` with `SA_SIGINFO`: called with the signal, a
    /// [`SigInfo`] and the context.
    Info(InfoHandler),
}

/// A handler, its flags, and the signals blocked while it runs (`struct
/// sigaction` with a handler). The handler's own signal is blocked too,
/// unless [`ActionFlags::NODEFER`] is set.
#[derive(Clone, Copy, Debug)]
pub struct Action {
    /// The function to call.
    pub handler: Handler,
    /// Options.
    pub flags: ActionFlags,
    /// Signals added to the thread's mask while the handler runs
    /// (`sa_mask`).
    pub mask: SigSet,
}

impl Action {
    /// `handler` with no flags and an empty mask.
    pub const fn new(handler: Handler) -> Action {
        Action {
            handler,
            flags: ActionFlags::empty(),
            mask: SigSet::empty(),
        }
    }

    /// This action with `flags`.
    #[must_use]
    pub const fn with_flags(self, flags: ActionFlags) -> Action {
        Action { flags, ..self }
    }

    /// This action with `mask` blocked while the handler runs.
    #[must_use]
    pub const fn with_mask(self, mask: SigSet) -> Action {
        Action { mask, ..self }
    }

    fn to_raw(self) -> SigAction {
        let (handler, siginfo) = match self.handler {
            Handler::Plain(f) => (f as *const (), 0),
            Handler::Info(f) => (f as *const (), g::SA_SIGINFO),
        };
        SigAction {
            handler,
            flags: self.flags.bits() | siginfo,
            mask: self.mask.bits(),
        }
    }
}

/// What a signal does now, as the kernel reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Disposition {
    /// `SIG_DFL`: the signal's default action (terminate, dump core,
    /// stop, continue or ignore; see signal(7)).
    Default,
    /// `SIG_IGN`: discarded on arrival.
    Ignore,
    /// A handler function, at this address, installed by this crate or by
    /// anyone else in the process (a libc, the Rust runtime). `siginfo`
    /// says whether it takes three arguments (`SA_SIGINFO`).
    Handler {
        /// The function's address.
        addr: usize,
        /// Whether it was installed with `SA_SIGINFO`.
        siginfo: bool,
    },
}

/// An action as the kernel reports it: returned by [`action`] and by every
/// change, so that the previous one can be put back with [`restore`].
#[derive(Clone, Copy, Debug)]
pub struct Installed {
    raw: SigAction,
}

impl Installed {
    /// What the signal does.
    pub fn disposition(&self) -> Disposition {
        if self.raw.handler.is_null() {
            Disposition::Default
        } else if self.raw.handler == SIG_IGN {
            Disposition::Ignore
        } else {
            Disposition::Handler {
                addr: self.raw.handler.addr(),
                siginfo: self.raw.flags & g::SA_SIGINFO != 0,
            }
        }
    }

    /// The action's flags. Bits this type does not name are dropped.
    pub fn flags(&self) -> ActionFlags {
        ActionFlags::from_bits_truncate(self.raw.flags)
    }

    /// The signals blocked while the handler runs.
    pub fn mask(&self) -> SigSet {
        SigSet::from_kernel(self.raw.mask)
    }
}

/// `rt_sigaction(sig, NULL, &old, 8)` — the current action of `sig`.
///
/// Works for every signal, `SIGKILL` and `SIGSTOP` included (always
/// [`Disposition::Default`]).
///
/// Syscalls: `rt_sigaction`.
///
/// # Errors
/// None in practice: `sig` is always a valid number.
///
/// # References
/// - [sigaction(2)](https://man7.org/linux/man-pages/man2/sigaction.2.html)
#[doc(alias = "sigaction")]
pub fn action(sig: Signal) -> Result<Installed> {
    raw::rt_sigaction_get(sig.as_raw()).map(|raw| Installed { raw })
}

/// `rt_sigaction(sig, {SIG_DFL, flags}, &old, 8)` — give `sig` its default
/// action; returns the previous one.
///
/// A pending signal whose default is to be ignored (`SIGCHLD`, `SIGURG`,
/// `SIGWINCH`) is discarded. `flags` matters for `SIGCHLD`
/// ([`ActionFlags::NOCLDWAIT`], [`ActionFlags::NOCLDSTOP`]).
///
/// Syscalls: `rt_sigaction` (none for unknown flags).
///
/// # Errors
/// - [`Errno::INVAL`](crate::Errno::INVAL): `sig` is `SIGKILL` or
///   `SIGSTOP`, whose actions cannot change; or, before the syscall, a
///   bit of `flags` that is not an [`ActionFlags`].
///
/// # References
/// - [sigaction(2)](https://man7.org/linux/man-pages/man2/sigaction.2.html)
/// - [signal(7)](https://man7.org/linux/man-pages/man7/signal.7.html)
#[doc(alias = "SIG_DFL")]
pub fn set_default(sig: Signal, flags: ActionFlags) -> Result<Installed> {
    crate::flags::only(flags, ActionFlags::all())?;
    raw::rt_sigaction_dfl_ign(sig.as_raw(), false, flags.bits()).map(|raw| Installed { raw })
}

/// `rt_sigaction(sig, {SIG_IGN, flags}, &old, 8)` — discard `sig` on
/// arrival; returns the previous action.
///
/// A pending `sig` is discarded too. An ignored signal stays ignored
/// across `execve`, which is how a supervisor starts a child that ignores
/// `SIGPIPE` or `SIGHUP`. Ignoring `SIGCHLD` makes the kernel reap ended
/// children itself.
///
/// Syscalls: `rt_sigaction` (none for unknown flags).
///
/// # Errors
/// - [`Errno::INVAL`](crate::Errno::INVAL): `sig` is `SIGKILL` or
///   `SIGSTOP`; or, before the syscall, a bit of `flags` that is not an
///   [`ActionFlags`].
///
/// # References
/// - [sigaction(2)](https://man7.org/linux/man-pages/man2/sigaction.2.html)
#[doc(alias = "SIG_IGN")]
pub fn set_ignore(sig: Signal, flags: ActionFlags) -> Result<Installed> {
    crate::flags::only(flags, ActionFlags::all())?;
    raw::rt_sigaction_dfl_ign(sig.as_raw(), true, flags.bits()).map(|raw| Installed { raw })
}

/// `rt_sigaction(sig, {handler, flags | SA_RESTORER, mask, restorer},
/// &old, 8)` — run `action.handler` when `sig` arrives; returns the
/// previous action.
///
/// The kernel returns from the handler through this crate's restorer (a
/// function that only calls `rt_sigreturn`; `sigreturn` for a
/// [`Handler::Plain`] frame on x86 and arm). riscv64 has no restorer field:
/// the kernel uses the vDSO's. The handler's own signal is blocked while it
/// runs, plus `action.mask`, unless [`ActionFlags::NODEFER`].
///
/// Syscalls: `rt_sigaction` (none for unknown flags).
///
/// # Examples
/// ```,standalone_crate
/// # fn main() -> bareipc::Result<()> {
/// use core::sync::atomic::{AtomicBool, Ordering};
/// use bareipc::signal::{self, Action, Handler, Signal};
///
/// static GOT: AtomicBool = AtomicBool::new(false);
/// extern "C" fn on_usr1(_: Signal) {
///     GOT.store(true, Ordering::Relaxed); // async-signal-safe: an atomic store
/// }
/// // SAFETY: the handler only stores to an atomic.
/// let old = unsafe { signal::set_handler(Signal::USR1, &Action::new(Handler::Plain(on_usr1))) }?;
/// signal::raise(Signal::USR1)?; // the handler has run when this returns
/// assert!(GOT.load(Ordering::Relaxed));
/// // SAFETY: `old` is the action that was there before (the default).
/// unsafe { signal::restore(Signal::USR1, &old) }?;
/// # Ok(()) }
/// ```
///
/// # Safety
/// The handler runs in signal context: on whichever thread receives the
/// signal, between any two instructions of it, possibly while that thread
/// holds a lock or is inside the allocator. So it must only do what is
/// async-signal-safe: atomics, raw syscalls (this crate's functions that
/// make no allocation are fine), and writes to memory nothing else touches
/// meanwhile. No locks, no allocation, no `println!`, no `Mutex`, no
/// unwinding (a panic aborts, as it cannot cross `extern "C"`). It must
/// save and restore `errno` if it calls libc functions that set it; this
/// crate never touches `errno`.
///
/// With a libc in the process: the kernel sees one action per signal,
/// whoever set it, and this replaces the libc's or the Rust runtime's (for
/// instance std's `SIGSEGV` handler for stack overflows). The libc's own
/// bookkeeping does not see this call: its `sigaction` will report what
/// the kernel reports, but state it keeps on the side (musl's record of
/// which signals have handlers, a runtime's chained handlers) does not
/// learn of the change. The libc's reserved signals 32 to 34 are out of
/// reach unless the [`Signal`] came from the `unsafe`
/// [`Signal::new_reserved`].
///
/// # Errors
/// - [`Errno::INVAL`](crate::Errno::INVAL): `sig` is `SIGKILL` or
///   `SIGSTOP`; or, before the syscall, a bit of `action.flags` that is
///   not an [`ActionFlags`] (`SA_SIGINFO` among them, which would call a
///   [`Handler::Plain`] with the arguments of an [`InfoHandler`]).
///
/// # References
/// - [sigaction(2)](https://man7.org/linux/man-pages/man2/sigaction.2.html)
/// - [signal-safety(7)](https://man7.org/linux/man-pages/man7/signal-safety.7.html)
#[doc(alias = "sigaction")]
#[allow(unsafe_code)] // installing a handler: the contract is the caller's
pub unsafe fn set_handler(sig: Signal, action: &Action) -> Result<Installed> {
    crate::flags::only(action.flags, ActionFlags::all())?;
    let new = action.to_raw();
    // `PlainHandler` takes a `Signal` (the ABI of a C int), `InfoHandler` a
    // `&SigInfo` (the ABI of the kernel's siginfo pointer).
    // SAFETY: `new.handler` is an `extern "C"` fn of the type its SA_SIGINFO
    // flag says; being safe in signal context is our caller's contract.
    unsafe { raw::rt_sigaction(sig.as_raw(), Some(&new)) }.map(|raw| Installed { raw })
}

/// `rt_sigaction(sig, old, &prev, 8)` — put back an action reported by
/// [`action`] or by a previous change; returns the one it replaces.
///
/// A handler comes back with its flags and mask, and with this crate's
/// restorer, which does what every restorer does (only `rt_sigreturn` or
/// `sigreturn`).
///
/// Syscalls: `rt_sigaction`.
///
/// # Safety
/// If `old` names a handler, it must still be valid to call as the
/// signal's handler: the [`set_handler`] contract, which for a handler
/// another part of the process installed is that part's contract (it must
/// not have been unloaded or torn down meanwhile).
///
/// # Errors
/// - [`Errno::INVAL`](crate::Errno::INVAL): `sig` is `SIGKILL` or
///   `SIGSTOP`.
///
/// # References
/// - [sigaction(2)](https://man7.org/linux/man-pages/man2/sigaction.2.html)
#[allow(unsafe_code)] // re-installing a handler: the contract is the caller's
pub unsafe fn restore(sig: Signal, old: &Installed) -> Result<Installed> {
    // SAFETY: the handler (if any) was installed for a signal before, with
    // these flags; that it is still valid is our caller's contract.
    unsafe { raw::rt_sigaction(sig.as_raw(), Some(&old.raw)) }.map(|raw| Installed { raw })
}
