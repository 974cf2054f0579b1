//! Signal syscalls: one `pub(crate) fn` per syscall, plus the kernel
//! `siginfo` builders and readers that the public `signal` module decodes.
//!
//! Every per-arch decision of the family lives here:
//! - `sigsetsize` is 8 on every supported arch (`_NSIG` = 64); the kernel
//!   refuses any other value with `EINVAL`.
//! - `rt_sigaction` carries `SA_RESTORER` and our own restorer (a naked
//!   function in `arch/<arch>.rs`) on x86_64, x86, aarch64 and arm. x86 and
//!   arm build a different frame without `SA_SIGINFO`, which needs the
//!   non-rt restorer (`sigreturn`). riscv64 has neither the flag nor the
//!   field: the kernel always returns through the vDSO.
//! - `rt_sigtimedwait` is `rt_sigtimedwait_time64` on 32-bit, so the
//!   timeout is a 64-bit `__kernel_timespec` everywhere.
//! - A signal set is one `u64`: bit `n - 1` is signal `n`. On 32-bit the
//!   kernel's `kernel_sigset_t` is two `unsigned long`s, low word first,
//!   which is the same 8 bytes on these little-endian targets.
//!
//! No public type is named here: a signalfd read lands straight in a
//! caller's `heapless::Vec<T, N>` of any `T` built from a kernel `siginfo`
//! ([`FromSiginfo`], which `signal::SigInfo` implements).

use core::ffi::{c_int, c_ulong, c_void};
use core::mem::MaybeUninit;
use core::ptr;
use core::time::Duration;

use linux_raw_sys::general as g;
use linux_raw_sys::general::{kernel_sigaction, siginfo, stack_t};
use rustix::fd::{BorrowedFd, OwnedFd};
use rustix::io::Errno;

use super::arch::{syscall2, syscall3, syscall4, syscall5};
use super::reg::Arg;
use super::types::signalfd_siginfo;

/// The kernel's `sizeof(sigset_t)` on every supported arch: 64 signals.
const SIGSETSIZE: usize = 8;

const _: () = assert!(size_of::<g::kernel_sigset_t>() == SIGSETSIZE);
const _: () = assert!(size_of::<siginfo>() == 128);
const _: () = assert!(size_of::<signalfd_siginfo>() == size_of::<siginfo>());

#[cfg(target_pointer_width = "64")]
const NR_RT_SIGTIMEDWAIT: u32 = g::__NR_rt_sigtimedwait;
#[cfg(target_pointer_width = "32")]
const NR_RT_SIGTIMEDWAIT: u32 = g::__NR_rt_sigtimedwait_time64;

// ---------------------------------------------------------------------------
// rt_sigaction
// ---------------------------------------------------------------------------

/// One signal action in arch-neutral form. `handler` is the kernel's
/// encoding: null is `SIG_DFL`, address 1 is `SIG_IGN`, anything else a
/// function. `flags` never carries `SA_RESTORER` (added and stripped here).
#[derive(Clone, Copy, Debug)]
pub(crate) struct SigAction {
    pub(crate) handler: *const (),
    pub(crate) flags: u32,
    pub(crate) mask: u64,
}

/// `SIG_IGN` as a handler address.
pub(crate) const SIG_IGN: *const () = ptr::without_provenance(1);

impl SigAction {
    fn to_kernel(self) -> kernel_sigaction {
        let handler = if self.handler.is_null() {
            None
        } else if self.handler == SIG_IGN {
            linux_raw_sys::signal_macros::sig_ign()
        } else {
            // Whether the kernel may call it is the contract of
            // `rt_sigaction`'s caller.
            // SAFETY: function and data pointers have the same size and
            // representation on every supported arch; `handler` is not null.
            Some(unsafe {
                core::mem::transmute::<*const (), unsafe extern "C" fn(c_int)>(self.handler)
            })
        };
        kernel_sigaction {
            sa_handler_kernel: handler,
            sa_flags: c_ulong::from(self.flags | SA_RESTORER),
            #[cfg(not(target_arch = "riscv64"))]
            sa_restorer: Some(restorer(self.flags)),
            sa_mask: sigset(self.mask),
        }
    }

    fn from_kernel(k: &kernel_sigaction) -> Self {
        Self {
            handler: k.sa_handler_kernel.map_or(ptr::null(), |f| f as *const ()),
            // Every flag is below 2^32; `c_ulong` is u32 on 32-bit already.
            #[allow(clippy::unnecessary_cast)]
            flags: k.sa_flags as u32 & !SA_RESTORER,
            mask: sigset_bits(&k.sa_mask),
        }
    }
}

/// `SA_RESTORER` where the arch has it; 0 on riscv64 (nothing to strip).
#[cfg(not(target_arch = "riscv64"))]
const SA_RESTORER: u32 = g::SA_RESTORER;
#[cfg(target_arch = "riscv64")]
const SA_RESTORER: u32 = 0;

/// The restorer the kernel returns to after a handler: the rt one for an
/// `SA_SIGINFO` frame, the old one otherwise (x86 and arm only; x86_64 and
/// aarch64 always build rt frames).
#[cfg(not(target_arch = "riscv64"))]
fn restorer(flags: u32) -> unsafe extern "C" fn() {
    #[cfg(any(target_arch = "x86", target_arch = "arm"))]
    if flags & g::SA_SIGINFO == 0 {
        return super::arch::restore;
    }
    let _ = flags;
    super::arch::restore_rt
}

fn sigset(bits: u64) -> g::kernel_sigset_t {
    // SAFETY: kernel_sigset_t is 8 bytes of unsigned longs on every
    // supported arch (asserted above), valid for any bit pattern; the low
    // word comes first on these little-endian targets.
    unsafe { core::mem::transmute::<u64, g::kernel_sigset_t>(bits) }
}

fn sigset_bits(set: &g::kernel_sigset_t) -> u64 {
    // SAFETY: as in `sigset`, the reverse direction.
    unsafe { core::mem::transmute::<g::kernel_sigset_t, u64>(*set) }
}

/// `rt_sigaction(sig, new, &old, 8)`: installs `new` (if any) with our
/// restorer, and returns the action that was in place.
///
/// # Safety
/// If `new` names a function, the kernel will call it on a signal, on any
/// thread, at any instruction: it must be an `extern "C"` function taking
/// `(c_int)` (without `SA_SIGINFO`) or `(c_int, *mut siginfo, *mut c_void)`
/// (with it), and must be safe to run in signal context.
pub(crate) unsafe fn rt_sigaction(sig: c_int, new: Option<&SigAction>) -> Result<SigAction, Errno> {
    let new = new.map(|a| {
        let k = a.to_kernel();
        Slack {
            #[cfg(target_arch = "riscv64")]
            qemu_mask: a.mask as usize,
            #[cfg(not(target_arch = "riscv64"))]
            qemu_mask: (),
            k,
        }
    });
    let mut old = MaybeUninit::<Slack>::zeroed();
    // SAFETY: `new` is a live kernel_sigaction the kernel only reads; `old`
    // is writable for its size; the size of the sets is the kernel's. The
    // handler contract is the caller's.
    unsafe {
        syscall4(
            g::__NR_rt_sigaction,
            Arg::c_int(sig),
            Arg::opt_ref(new.as_ref()),
            Arg::by_mut(&mut old),
            Arg::usize(SIGSETSIZE),
        )
    }
    .decode_void()?;
    // SAFETY: zeroed is a valid kernel_sigaction (null handler and
    // restorer), and the kernel filled it on success.
    Ok(SigAction::from_kernel(&unsafe { old.assume_init_ref() }.k))
}

/// A `kernel_sigaction` followed, on riscv64, by one more word holding
/// the mask again. The kernel reads and writes only the `kernel_sigaction`
/// at the front. qemu-user (7.2, the version CI runs) lays out riscv64's
/// action as `{handler, flags, restorer, mask}`, one word longer than the
/// kernel's `{handler, flags, mask}`: without the extra word it writes the
/// old action past the end of ours (verified: it overwrote a saved return
/// address in a release build), and it reads the mask from that word. With
/// the mask there, a program under qemu gets the mask it asked for, and the
/// old action's mask comes back at the kernel's offset (qemu stores our
/// mask word as its "restorer" and returns it there).
#[repr(C)]
struct Slack {
    k: kernel_sigaction,
    #[cfg(target_arch = "riscv64")]
    qemu_mask: usize,
    #[cfg(not(target_arch = "riscv64"))]
    qemu_mask: (),
}

/// `rt_sigaction(sig, NULL, &old, 8)`: the current action.
pub(crate) fn rt_sigaction_get(sig: c_int) -> Result<SigAction, Errno> {
    // SAFETY: no new action: nothing will be called.
    unsafe { rt_sigaction(sig, None) }
}

/// `rt_sigaction` to `SIG_DFL` or `SIG_IGN`, with `flags` and an empty
/// mask.
pub(crate) fn rt_sigaction_dfl_ign(
    sig: c_int,
    ignore: bool,
    flags: u32,
) -> Result<SigAction, Errno> {
    let act = SigAction {
        handler: if ignore { SIG_IGN } else { ptr::null() },
        flags: flags & !g::SA_SIGINFO,
        mask: 0,
    };
    // SAFETY: SIG_DFL and SIG_IGN are not functions: nothing will be called.
    unsafe { rt_sigaction(sig, Some(&act)) }
}

// ---------------------------------------------------------------------------
// Masks
// ---------------------------------------------------------------------------

/// `rt_sigprocmask(how, set, old, 8)` for the calling thread. `set` None
/// only queries (then `how` is ignored); `old` None does not ask for the
/// previous mask (the kernel then skips copying it out).
pub(crate) fn rt_sigprocmask(
    how: u32,
    set: Option<&u64>,
    old: Option<&mut u64>,
) -> Result<(), Errno> {
    // SAFETY: `set` is 8 live bytes the kernel reads, `old` 8 it writes.
    unsafe {
        syscall4(
            g::__NR_rt_sigprocmask,
            Arg::c_uint(how),
            Arg::opt_ref(set),
            Arg::opt_mut(old),
            Arg::usize(SIGSETSIZE),
        )
    }
    .decode_void()
}

/// Makes `cmd`'s child set an empty signal mask between `fork` and
/// `execve`, so that the program it runs starts with nothing blocked.
#[cfg(feature = "std")]
pub(crate) fn clear_mask_on_exec(cmd: &mut std::process::Command) -> &mut std::process::Command {
    use std::os::unix::process::CommandExt;
    // SAFETY: the hook runs in the forked child before `execve`. It makes
    // one syscall on a local and allocates, locks and unwinds nothing
    // (`io::Error::from_raw_os_error` stores an integer), which is all
    // `pre_exec` asks of it.
    unsafe {
        cmd.pre_exec(|| {
            rt_sigprocmask(g::SIG_SETMASK, Some(&0), None)
                .map_err(|e| std::io::Error::from_raw_os_error(e.raw_os_error()))
        })
    }
}

/// `rt_sigpending(&set, 8)`: signals pending for the thread or process.
pub(crate) fn rt_sigpending() -> Result<u64, Errno> {
    let mut set = 0u64;
    // SAFETY: `set` is 8 writable bytes.
    unsafe {
        syscall2(
            g::__NR_rt_sigpending,
            Arg::by_mut(&mut set),
            Arg::usize(SIGSETSIZE),
        )
    }
    .decode_void()?;
    Ok(set)
}

/// `rt_sigsuspend(&mask, 8)`: waits with `mask` for a handler to run;
/// always fails, with `EINTR` after a handler ran.
pub(crate) fn rt_sigsuspend(mask: &u64) -> Errno {
    // SAFETY: `mask` is 8 live bytes the kernel reads.
    let r = unsafe {
        syscall2(
            g::__NR_rt_sigsuspend,
            Arg::by_ref(mask),
            Arg::usize(SIGSETSIZE),
        )
    }
    .decode_void();
    match r {
        Err(e) => e,
        // The kernel never returns success; do not invent one.
        Ok(()) => Errno::INTR,
    }
}

// ---------------------------------------------------------------------------
// Waiting
// ---------------------------------------------------------------------------

/// `rt_sigtimedwait(set, &info, timeout, 8)` (`rt_sigtimedwait_time64` on
/// 32-bit): takes one pending signal of `set`. `None` waits for ever.
pub(crate) fn rt_sigtimedwait(set: &u64, timeout: Option<Duration>) -> Result<siginfo, Errno> {
    let ts = timeout.map(super::time::relative);
    let mut info = zeroed_siginfo();
    // SAFETY: `set` and `ts` are live and only read; `info` is 128 writable
    // bytes.
    unsafe {
        syscall4(
            NR_RT_SIGTIMEDWAIT,
            Arg::by_ref(set),
            Arg::by_mut(&mut info),
            Arg::opt_ref(ts.as_ref()),
            Arg::usize(SIGSETSIZE),
        )
    }
    .decode_c_int()?;
    Ok(info)
}

// ---------------------------------------------------------------------------
// signalfd
// ---------------------------------------------------------------------------

/// `signalfd4(-1, mask, 8, flags)`: a new signalfd.
pub(crate) fn signalfd4_new(mask: &u64, flags: c_int) -> Result<OwnedFd, Errno> {
    // SAFETY: `mask` is 8 live bytes the kernel reads; fd -1 asks for a new
    // descriptor, which nothing else owns.
    unsafe {
        syscall4(
            g::__NR_signalfd4,
            Arg::c_int(-1),
            Arg::by_ref(mask),
            Arg::usize(SIGSETSIZE),
            Arg::c_int(flags),
        )
        .decode_fd()
    }
}

/// `signalfd4(fd, mask, 8, 0)`: replaces the mask of an existing signalfd.
pub(crate) fn signalfd4_set(fd: BorrowedFd<'_>, mask: &u64) -> Result<(), Errno> {
    // SAFETY: `mask` is 8 live bytes the kernel reads; the returned fd is
    // `fd` itself, which we do not take ownership of.
    unsafe {
        syscall4(
            g::__NR_signalfd4,
            Arg::fd(fd),
            Arg::by_ref(mask),
            Arg::usize(SIGSETSIZE),
            Arg::c_int(0),
        )
    }
    .decode_void()
}

/// A kernel `siginfo` as plain data that may cross threads: its pointer
/// fields (`sival_ptr`, `si_addr`) are addresses the kernel reported,
/// never dereferenced through this type.
#[repr(transparent)]
#[derive(Clone, Copy)]
pub(crate) struct KSiginfo(pub(crate) siginfo);

// SAFETY: plain data (see above): sending or sharing it sends integers.
unsafe impl Send for KSiginfo {}
// SAFETY: as above; `&KSiginfo` gives no access to any pointee.
unsafe impl Sync for KSiginfo {}

// SAFETY: plain data: the handler address is never called or
// dereferenced through this struct (the kernel calls handlers).
unsafe impl Send for SigAction {}
// SAFETY: as above.
unsafe impl Sync for SigAction {}

/// A value made from a kernel `siginfo`, 128 bytes like a signalfd
/// record: what [`read_signalfd`] fills a vector with.
pub(crate) trait FromSiginfo {
    /// The value for one record.
    fn from_siginfo(info: siginfo) -> Self;
}

/// `read(fd, spare, n * 128)` from a signalfd straight into the spare
/// capacity of `out`; each record is converted in place from
/// `signalfd_siginfo` to the kernel `siginfo` layout and appended. Returns
/// the number of records. A full `out` is `EINVAL`, as the kernel answers
/// a read shorter than one record.
pub(crate) fn read_signalfd<T: FromSiginfo, const N: usize>(
    fd: BorrowedFd<'_>,
    out: &mut heapless::Vec<T, N>,
) -> Result<usize, Errno> {
    // Each slot first receives a raw record from the kernel, then the
    // converted value.
    const { assert!(size_of::<T>() == size_of::<signalfd_siginfo>()) };
    let spare = out.spare_capacity_mut();
    if spare.is_empty() {
        return Err(Errno::INVAL);
    }
    let bytes = spare.len() * size_of::<T>();
    // SAFETY: `spare` is writable for `bytes` bytes and exclusively
    // borrowed; the kernel writes whole 128-byte records into it.
    let n = unsafe {
        syscall3(
            g::__NR_read,
            Arg::fd(fd),
            Arg::raw_ptr(spare.as_mut_ptr().cast::<c_void>()),
            Arg::usize(bytes),
        )
    }
    .decode_usize()?;
    // A signalfd returns whole records; a partial one cannot happen, and is
    // dropped rather than decoded.
    let records = n / size_of::<signalfd_siginfo>();
    for slot in &mut spare[..records] {
        // The slot may be less aligned than signalfd_siginfo (u64 fields on
        // 32-bit), hence the unaligned read.
        // SAFETY: the kernel wrote all 128 bytes of this slot, and a
        // signalfd_siginfo is plain integers, valid for any bytes.
        let rec = unsafe { ptr::read_unaligned(slot.as_ptr().cast::<signalfd_siginfo>()) };
        slot.write(T::from_siginfo(siginfo_from_signalfd(&rec)));
    }
    let len = out.len() + records;
    // SAFETY: the first `records` spare slots were initialised just above,
    // and `len` is within the capacity (records <= spare.len()).
    unsafe { out.set_len(len) };
    Ok(records)
}

// ---------------------------------------------------------------------------
// Sending
// ---------------------------------------------------------------------------

/// `tgkill(tgid, tid, sig)`: a thread-directed signal.
pub(crate) fn tgkill(tgid: c_int, tid: c_int, sig: c_int) -> Result<(), Errno> {
    // SAFETY: three integers, no memory.
    unsafe {
        syscall3(
            g::__NR_tgkill,
            Arg::c_int(tgid),
            Arg::c_int(tid),
            Arg::c_int(sig),
        )
    }
    .decode_void()
}

/// `rt_sigqueueinfo(pid, sig, info)`.
pub(crate) fn rt_sigqueueinfo(pid: c_int, sig: c_int, info: &siginfo) -> Result<(), Errno> {
    // SAFETY: `info` is 128 live bytes the kernel only reads.
    unsafe {
        syscall3(
            g::__NR_rt_sigqueueinfo,
            Arg::c_int(pid),
            Arg::c_int(sig),
            Arg::by_ref(info),
        )
    }
    .decode_void()
}

/// `rt_tgsigqueueinfo(tgid, tid, sig, info)`.
pub(crate) fn rt_tgsigqueueinfo(
    tgid: c_int,
    tid: c_int,
    sig: c_int,
    info: &siginfo,
) -> Result<(), Errno> {
    // SAFETY: `info` is 128 live bytes the kernel only reads.
    unsafe {
        syscall4(
            g::__NR_rt_tgsigqueueinfo,
            Arg::c_int(tgid),
            Arg::c_int(tid),
            Arg::c_int(sig),
            Arg::by_ref(info),
        )
    }
    .decode_void()
}

/// `pidfd_send_signal(pidfd, sig, info, 0)` with a siginfo payload
/// (rustix's `pidfd_send_signal` passes none).
pub(crate) fn pidfd_send_signal(
    pidfd: BorrowedFd<'_>,
    sig: c_int,
    info: &siginfo,
) -> Result<(), Errno> {
    // SAFETY: `info` is 128 live bytes the kernel only reads.
    unsafe {
        syscall4(
            g::__NR_pidfd_send_signal,
            Arg::fd(pidfd),
            Arg::c_int(sig),
            Arg::by_ref(info),
            Arg::c_uint(0),
        )
    }
    .decode_void()
}

/// `pidfd_send_signal(pidfd, 0, NULL, 0)`: the checks of a send, no
/// signal (rustix's `pidfd_send_signal` takes a `Signal`, which 0 is not).
pub(crate) fn pidfd_probe(pidfd: BorrowedFd<'_>) -> Result<(), Errno> {
    // SAFETY: no pointer is passed; signal 0 delivers nothing.
    unsafe {
        syscall4(
            g::__NR_pidfd_send_signal,
            Arg::fd(pidfd),
            Arg::c_int(0),
            Arg::null(),
            Arg::c_uint(0),
        )
    }
    .decode_void()
}

/// `waitid(P_PIDFD, pidfd, &info, options, NULL)`, the record whole:
/// rustix's `waitid` keeps `si_utime` and `si_stime` to itself, and the
/// crate's `ChildStatus` (the same as a `SIGCHLD` record's) has them. A
/// zero `si_signo` means `WNOHANG` found nothing.
pub(crate) fn waitid_pidfd(pidfd: BorrowedFd<'_>, options: c_int) -> Result<siginfo, Errno> {
    let mut info = zeroed_siginfo();
    // SAFETY: `info` is 128 writable bytes; no rusage is asked for.
    unsafe {
        syscall5(
            g::__NR_waitid,
            Arg::c_uint(g::P_PIDFD),
            Arg::fd(pidfd),
            Arg::by_mut(&mut info),
            Arg::c_int(options),
            Arg::null(),
        )
    }
    .decode_void()?;
    Ok(info)
}

/// Our `Signal` as rustix's, for `kill`, `kill_process_group` and
/// `pidfd_send_signal` through rustix.
pub(crate) fn rustix_signal(sig: c_int) -> rustix::process::Signal {
    // rustix's contract: a signal number, and not one a libc reserves
    // unless the caller coordinates with that libc.
    // SAFETY: `Signal` holds only 1..=64, and a reserved one (32..=34) only
    // if its creator accepted that contract via `unsafe Signal::new_reserved`.
    unsafe { rustix::process::Signal::from_raw_unchecked(sig) }
}

// ---------------------------------------------------------------------------
// sigaltstack
// ---------------------------------------------------------------------------

/// The alternate signal stack as the kernel reports it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct AltStack {
    pub(crate) addr: usize,
    pub(crate) size: usize,
    pub(crate) flags: c_int,
}

/// `sigaltstack(&new, &old)` with `new` on `stack`, which the kernel may
/// write for the rest of the thread's life (hence `'static`).
pub(crate) fn sigaltstack_set(stack: &'static mut [u8], flags: c_int) -> Result<AltStack, Errno> {
    let new = stack_t {
        ss_sp: stack.as_mut_ptr().cast::<c_void>(),
        ss_flags: flags,
        ss_size: stack.len() as _,
    };
    sigaltstack(Some(&new))
}

/// `sigaltstack(&{SS_DISABLE}, &old)`.
pub(crate) fn sigaltstack_disable() -> Result<AltStack, Errno> {
    let new = stack_t {
        ss_sp: ptr::null_mut(),
        ss_flags: g::SS_DISABLE as c_int,
        ss_size: 0,
    };
    sigaltstack(Some(&new))
}

/// `sigaltstack(NULL, &old)`.
pub(crate) fn sigaltstack_get() -> Result<AltStack, Errno> {
    sigaltstack(None)
}

fn sigaltstack(new: Option<&stack_t>) -> Result<AltStack, Errno> {
    let mut old = stack_t {
        ss_sp: ptr::null_mut(),
        ss_flags: 0,
        ss_size: 0,
    };
    // SAFETY: `new` is read by the kernel; its memory is either absent,
    // disabled, or a `&'static mut` the caller gave up (sigaltstack_set).
    // `old` is writable.
    unsafe {
        syscall2(
            g::__NR_sigaltstack,
            Arg::opt_ref(new),
            Arg::by_mut(&mut old),
        )
    }
    .decode_void()?;
    Ok(AltStack {
        addr: old.ss_sp.addr(),
        size: old.ss_size as usize,
        flags: old.ss_flags,
    })
}

// ---------------------------------------------------------------------------
// siginfo: builders and readers
// ---------------------------------------------------------------------------

/// An all-zero siginfo: every union member reads as zeros, and no stack
/// bytes can leak into a siginfo we send.
pub(crate) const fn zeroed_siginfo() -> siginfo {
    siginfo {
        __bindgen_anon_1: g::siginfo__bindgen_ty_1 { _si_pad: [0; 32] },
    }
}

/// The header words: `(si_signo, si_errno, si_code)`.
pub(crate) fn siginfo_header(info: &siginfo) -> (c_int, c_int, c_int) {
    // SAFETY: every siginfo we hold is fully initialised (zeroed first, or
    // written whole by the kernel); these members are plain integers.
    let h = unsafe { &info.__bindgen_anon_1.__bindgen_anon_1 };
    (h.si_signo, h.si_errno, h.si_code)
}

fn fields(info: &siginfo) -> &g::__sifields {
    // SAFETY: as in `siginfo_header`; the union of plain-data structs is
    // valid for any initialised bytes.
    unsafe { &info.__bindgen_anon_1.__bindgen_anon_1._sifields }
}

/// `(si_pid, si_uid)`: the sender in the kill, rt and sigchld layouts
/// (they share these offsets).
pub(crate) fn siginfo_sender(info: &siginfo) -> (c_int, u32) {
    // SAFETY: integers in a fully initialised union (see `fields`).
    let k = unsafe { fields(info)._kill };
    (k._pid, k._uid)
}

/// `si_value` as a word: the rt and timer layouts (same offset).
pub(crate) fn siginfo_value(info: &siginfo) -> usize {
    // SAFETY: as above; a pointer member read as an address only.
    unsafe { fields(info)._rt._sigval.sival_ptr }.addr()
}

/// `(si_status, si_utime, si_stime)`: the sigchld layout.
pub(crate) fn siginfo_child(info: &siginfo) -> (c_int, i64, i64) {
    // SAFETY: integers in a fully initialised union.
    let c = unsafe { fields(info)._sigchld };
    // `clock_t` is `long`: already i64 on 64-bit, widened on 32-bit.
    #[allow(clippy::useless_conversion)]
    (c._status, i64::from(c._utime), i64::from(c._stime))
}

/// `si_addr`: the fault layout.
pub(crate) fn siginfo_addr(info: &siginfo) -> usize {
    // SAFETY: a pointer member of a fully initialised union, read as an
    // address only.
    unsafe { fields(info)._sigfault._addr }.addr()
}

/// Which members of `_sifields` a `(signo, code)` pair fills: the kernel's
/// `siginfo_layout`, for the layouts the public decoder reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Layout {
    /// `si_pid`, `si_uid` (`SI_USER` from kill, `SI_TKILL` from tgkill,
    /// `SI_KERNEL`).
    Kill,
    /// `si_pid`, `si_uid`, `si_value` (sigqueue and other negative codes).
    Rt,
    /// `si_tid`, `si_overrun`, `si_value` (POSIX timers).
    Timer,
    /// `si_pid`, `si_uid`, `si_status`, `si_utime`, `si_stime`.
    Child,
    /// `si_addr` (and arch-specific extras).
    Fault,
    /// `si_band`, `si_fd`.
    Poll,
    /// `si_call_addr`, `si_syscall`, `si_arch` (seccomp).
    Sys,
}

/// `SI_KERNEL`: the kernel sent it with no more specific code.
pub(crate) const SI_KERNEL: c_int = g::SI_KERNEL as c_int;
/// `SI_TIMER`: a POSIX timer expired.
pub(crate) const SI_TIMER: c_int = g::SI_TIMER;
/// `SI_SIGIO`: queued SIGIO.
pub(crate) const SI_SIGIO: c_int = g::SI_SIGIO;

/// The kernel's `siginfo_layout(sig, code)` (kernel/signal.c), without the
/// per-signal code limits: a kernel-generated code (1..0x80) of a fault
/// signal is the fault layout, of SIGCHLD the child layout, and so on.
pub(crate) const fn layout(signo: c_int, code: c_int) -> Layout {
    if code > 0 && code < SI_KERNEL {
        match signo as u32 {
            g::SIGILL | g::SIGFPE | g::SIGSEGV | g::SIGBUS | g::SIGTRAP => Layout::Fault,
            g::SIGCHLD => Layout::Child,
            g::SIGSYS => Layout::Sys,
            _ => Layout::Poll,
        }
    } else if code == SI_TIMER {
        Layout::Timer
    } else if code == SI_SIGIO {
        Layout::Poll
    } else if code == g::SI_TKILL {
        // The kernel files tgkill under the rt layout but fills only the
        // sender: no value was sent.
        Layout::Kill
    } else if code < 0 {
        Layout::Rt
    } else {
        Layout::Kill
    }
}

/// A siginfo in the rt layout: what `sigqueue` sends.
pub(crate) fn siginfo_rt(signo: c_int, code: c_int, pid: c_int, uid: u32, value: usize) -> siginfo {
    let mut info = zeroed_siginfo();
    let h = header_mut(&mut info);
    h.si_signo = signo;
    h.si_code = code;
    h._sifields._rt = g::__sifields__bindgen_ty_3 {
        _pid: pid,
        _uid: uid,
        _sigval: g::sigval {
            sival_ptr: ptr::without_provenance_mut(value),
        },
    };
    info
}

fn header_mut(info: &mut siginfo) -> &mut g::siginfo__bindgen_ty_1__bindgen_ty_1 {
    // SAFETY: a mutable view of the header struct over the fully
    // initialised union; every member is plain data, so writes through it
    // leave the union valid in every reading.
    unsafe { &mut info.__bindgen_anon_1.__bindgen_anon_1 }
}

/// The kernel siginfo a signalfd record describes: the same values at the
/// siginfo offsets of the record's layout.
pub(crate) fn siginfo_from_signalfd(r: &signalfd_siginfo) -> siginfo {
    let mut info = zeroed_siginfo();
    let signo = r.ssi_signo as c_int;
    let h = header_mut(&mut info);
    h.si_signo = signo;
    h.si_errno = r.ssi_errno;
    h.si_code = r.ssi_code;
    let f = &mut h._sifields;
    match layout(signo, r.ssi_code) {
        Layout::Kill => {
            f._kill = g::__sifields__bindgen_ty_1 {
                _pid: r.ssi_pid as c_int,
                _uid: r.ssi_uid,
            }
        }
        Layout::Rt => {
            f._rt = g::__sifields__bindgen_ty_3 {
                _pid: r.ssi_pid as c_int,
                _uid: r.ssi_uid,
                _sigval: g::sigval {
                    sival_ptr: ptr::without_provenance_mut(r.ssi_ptr as usize),
                },
            }
        }
        Layout::Timer => {
            f._timer = g::__sifields__bindgen_ty_2 {
                _tid: r.ssi_tid as c_int,
                _overrun: r.ssi_overrun as c_int,
                _sigval: g::sigval {
                    sival_ptr: ptr::without_provenance_mut(r.ssi_ptr as usize),
                },
                _sys_private: 0,
            }
        }
        Layout::Child => {
            f._sigchld = g::__sifields__bindgen_ty_4 {
                _pid: r.ssi_pid as c_int,
                _uid: r.ssi_uid,
                _status: r.ssi_status,
                _utime: r.ssi_utime as _,
                _stime: r.ssi_stime as _,
            }
        }
        Layout::Fault => {
            f._sigfault._addr = ptr::without_provenance_mut(r.ssi_addr as usize);
        }
        Layout::Poll => {
            f._sigpoll = g::__sifields__bindgen_ty_6 {
                _band: r.ssi_band as _,
                _fd: r.ssi_fd,
            }
        }
        Layout::Sys => {
            f._sigsys = g::__sifields__bindgen_ty_7 {
                _call_addr: ptr::without_provenance_mut(r.ssi_call_addr as usize),
                _syscall: r.ssi_syscall,
                _arch: r.ssi_arch,
            }
        }
    }
    info
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signalfd_record_keeps_its_values() {
        let rec = signalfd_siginfo {
            ssi_signo: 40,
            ssi_code: -1,
            ssi_pid: 1234,
            ssi_uid: 77,
            ssi_ptr: 0xfeed,
            ..Default::default()
        };
        let info = siginfo_from_signalfd(&rec);
        assert_eq!(siginfo_header(&info), (40, 0, -1));
        assert_eq!(siginfo_sender(&info), (1234, 77));
        assert_eq!(siginfo_value(&info), 0xfeed);

        let rec = signalfd_siginfo {
            ssi_signo: g::SIGCHLD,
            ssi_code: 1,
            ssi_pid: 9,
            ssi_status: 3,
            ssi_utime: 5,
            ssi_stime: 6,
            ..Default::default()
        };
        let info = siginfo_from_signalfd(&rec);
        assert_eq!(siginfo_child(&info), (3, 5, 6));
        assert_eq!(siginfo_sender(&info).0, 9);

        let rec = signalfd_siginfo {
            ssi_signo: g::SIGSEGV,
            ssi_code: 1,
            ssi_addr: 0x1000,
            ..Default::default()
        };
        assert_eq!(siginfo_addr(&siginfo_from_signalfd(&rec)), 0x1000);
    }

    #[test]
    fn layouts() {
        assert_eq!(layout(g::SIGUSR1 as c_int, 0), Layout::Kill);
        assert_eq!(layout(g::SIGUSR1 as c_int, SI_KERNEL), Layout::Kill);
        assert_eq!(layout(40, -1), Layout::Rt);
        assert_eq!(layout(40, -6), Layout::Kill);
        assert_eq!(layout(40, -3), Layout::Rt);
        assert_eq!(layout(40, SI_TIMER), Layout::Timer);
        assert_eq!(layout(g::SIGCHLD as c_int, 1), Layout::Child);
        assert_eq!(layout(g::SIGSEGV as c_int, 2), Layout::Fault);
        assert_eq!(layout(g::SIGSYS as c_int, 1), Layout::Sys);
        assert_eq!(layout(g::SIGIO as c_int, 1), Layout::Poll);
    }

    /// The siginfo offsets the public docs state, against linux-raw-sys.
    #[test]
    fn siginfo_offsets() {
        let info = siginfo_rt(1, 2, 3, 4, 5);
        let base = ptr::from_ref(&info).addr();
        let f = fields(&info);
        let at = |p: *const u8| p.addr() - base;
        // The union starts after three ints, aligned for a pointer.
        let fbase = if size_of::<usize>() == 8 { 16 } else { 12 };
        // SAFETY: only the addresses of union members are taken; nothing is
        // read.
        unsafe {
            assert_eq!(at((&raw const f._kill._pid).cast()), fbase);
            assert_eq!(at((&raw const f._kill._uid).cast()), fbase + 4);
            assert_eq!(at((&raw const f._rt._sigval).cast()), fbase + 8);
            assert_eq!(at((&raw const f._timer._sigval).cast()), fbase + 8);
            assert_eq!(at((&raw const f._sigfault._addr).cast()), fbase);
            assert_eq!(at((&raw const f._sigchld._status).cast()), fbase + 8);
        }
    }
}
