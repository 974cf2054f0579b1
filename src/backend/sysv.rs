//! System V IPC: `semget`/`semop`/`semtimedop`/`semctl`,
//! `msgget`/`msgsnd`/`msgrcv`/`msgctl`, `shmget`/`shmat`/`shmdt`/`shmctl`.
//!
//! Every per-arch rule of the SysV calls is here and nowhere else
//! (notes/arch.md):
//!
//! - x86_64, aarch64, riscv64: the direct syscalls; `*ctl` commands go
//!   without `IPC_64` (the kernel adds it; passing it is `EINVAL`).
//! - arm: the direct syscalls, but the `*ctl` entries are the kernel's
//!   `sys_old_*ctl`, so `IPC_64` is ORed into every command. Timed
//!   `semtimedop` uses `semtimedop_time64`, falling back to the old
//!   `semtimedop` (32-bit seconds) on kernels before 5.1.
//! - i386: the direct syscalls exist since Linux 5.1 (and there is no
//!   `semop`/`semtimedop`, only `semtimedop_time64`). On an older kernel
//!   the first `ENOSYS` switches the process, for good, to the `ipc()`
//!   multiplexer, whose `*ctl` commands need `IPC_64`.
//!
//! Every `*ctl` command that passes a pointer has its own function taking
//! the struct the command reads or writes, so the pairing of command and
//! buffer is fixed here and callers cannot get it wrong.

use core::ffi::{c_int, c_long, c_void};
use core::time::Duration;

use linux_raw_sys::general as g;
use rustix::io::Errno;

#[cfg(target_arch = "x86")]
use super::arch::syscall6;
use super::arch::{syscall1, syscall2, syscall3, syscall4, syscall5};
use super::reg::Arg;
#[cfg(target_arch = "x86")]
use super::reg::Ret;
use super::types::*;

// ---------------------------------------------------------------------------
// Routing: direct syscall or the i386 ipc() multiplexer
// ---------------------------------------------------------------------------

/// What the `*ctl` commands need ORed in on the direct path.
#[cfg(target_arch = "arm")]
const DIRECT_VERSION: c_int = IPC_64;
#[cfg(not(target_arch = "arm"))]
const DIRECT_VERSION: c_int = 0;

#[cfg(target_arch = "x86")]
mod route {
    use core::sync::atomic::{AtomicBool, Ordering};

    /// Set once a direct SysV syscall returned `ENOSYS` (a kernel before
    /// 5.1): from then on every call goes through `ipc()`.
    static VIA_IPC: AtomicBool = AtomicBool::new(false);

    pub(super) fn via_ipc() -> bool {
        VIA_IPC.load(Ordering::Relaxed)
    }

    pub(super) fn set_via_ipc(v: bool) {
        VIA_IPC.store(v, Ordering::Relaxed);
    }
}

/// Runs `direct`, or `ipc` where the direct syscalls are missing.
#[cfg(target_arch = "x86")]
#[inline]
fn dispatch<T>(
    direct: impl FnOnce() -> Result<T, Errno>,
    ipc: impl FnOnce() -> Result<T, Errno>,
) -> Result<T, Errno> {
    if !route::via_ipc() {
        match direct() {
            Err(Errno::NOSYS) => route::set_via_ipc(true),
            r => return r,
        }
    }
    ipc()
}

/// `ipc(call, first, second, third, ptr, fifth)`.
///
/// # Safety
/// `ptr` and `fifth` must be what `call` expects (notes/arch.md).
#[cfg(target_arch = "x86")]
unsafe fn ipc(
    call: core::ffi::c_uint,
    first: c_int,
    second: Arg<'_>,
    third: Arg<'_>,
    ptr: Arg<'_>,
    fifth: Arg<'_>,
) -> Ret {
    // SAFETY: the caller pairs `call` with its arguments.
    unsafe {
        syscall6(
            g::__NR_ipc,
            Arg::c_uint(call),
            Arg::c_int(first),
            second,
            third,
            ptr,
            fifth,
        )
    }
}

/// Forces the `ipc()` path on or off, so tests can cover both routes on
/// one kernel. Both are always correct; only the syscalls differ.
#[cfg(all(test, target_arch = "x86"))]
pub(crate) fn force_ipc_route(on: bool) {
    route::set_via_ipc(on);
}

// ---------------------------------------------------------------------------
// The *ctl multiplexer shared by the three families
// ---------------------------------------------------------------------------

/// Which of the three `*ctl` syscalls.
#[derive(Clone, Copy)]
enum Ctl {
    Sem,
    Msg,
    Shm,
}

/// `semctl(id, num, cmd, arg)`, `msgctl(id, cmd, arg)` or
/// `shmctl(id, cmd, arg)`, with `IPC_64` added where the route needs it.
///
/// # Safety
/// `arg` must be what `cmd` expects: a value for commands that take one,
/// or a pointer to a live buffer of the type the command reads or writes,
/// of the length it accesses.
unsafe fn ctl(which: Ctl, id: c_int, num: c_int, cmd: c_int, arg: Arg<'_>) -> Result<c_int, Errno> {
    // Both routes need the register value; `arg`'s borrow outlives this
    // call, so re-wrapping the raw value keeps the pointer valid.
    let raw = arg.raw();
    let direct = || {
        let (cmd, arg) = (Arg::c_int(cmd | DIRECT_VERSION), Arg::raw_ptr(raw));
        // SAFETY: the caller pairs `cmd` and `arg`.
        unsafe {
            match which {
                Ctl::Sem => syscall4(g::__NR_semctl, Arg::c_int(id), Arg::c_int(num), cmd, arg),
                Ctl::Msg => syscall3(g::__NR_msgctl, Arg::c_int(id), cmd, arg),
                Ctl::Shm => syscall3(g::__NR_shmctl, Arg::c_int(id), cmd, arg),
            }
        }
        .decode_c_int()
    };
    #[cfg(not(target_arch = "x86"))]
    return direct();
    #[cfg(target_arch = "x86")]
    dispatch(direct, || {
        let cmd = Arg::c_int(cmd | IPC_64);
        // SAFETY: as above; for SEMCTL `ptr` points at the semun value on
        // our stack (the kernel reads it first), for the others it is the
        // buffer itself.
        unsafe {
            match which {
                Ctl::Sem => ipc(
                    SEMCTL,
                    id,
                    Arg::c_int(num),
                    cmd,
                    Arg::by_ref(&raw),
                    Arg::null(),
                ),
                Ctl::Msg => ipc(MSGCTL, id, cmd, Arg::null(), Arg::raw_ptr(raw), Arg::null()),
                Ctl::Shm => ipc(SHMCTL, id, cmd, Arg::null(), Arg::raw_ptr(raw), Arg::null()),
            }
        }
        .decode_c_int()
    })
}

// ---------------------------------------------------------------------------
// Semaphores
// ---------------------------------------------------------------------------

/// `semget(key, nsems, semflg)`.
pub(crate) fn semget(key: c_int, nsems: c_int, flags: c_int) -> Result<c_int, Errno> {
    let direct = || {
        // SAFETY: no pointer arguments.
        unsafe {
            syscall3(
                g::__NR_semget,
                Arg::c_int(key),
                Arg::c_int(nsems),
                Arg::c_int(flags),
            )
        }
        .decode_c_int()
    };
    #[cfg(not(target_arch = "x86"))]
    return direct();
    #[cfg(target_arch = "x86")]
    dispatch(direct, || {
        // SAFETY: SEMGET takes no pointer.
        unsafe {
            ipc(
                SEMGET,
                key,
                Arg::c_int(nsems),
                Arg::c_int(flags),
                Arg::null(),
                Arg::null(),
            )
        }
        .decode_c_int()
    })
}

/// `semop(id, ops, n)` without a timeout, `semtimedop` with one (a
/// relative timeout; expiry is `EAGAIN`).
///
/// Per arch: `semop` / `semtimedop` on 64-bit; `semop` /
/// `semtimedop_time64` (then `semtimedop`) on arm; `semtimedop_time64`
/// (then `ipc(SEMOP)` / `ipc(SEMTIMEDOP)`) on i386.
pub(crate) fn semtimedop(
    id: c_int,
    ops: &[sembuf],
    timeout: Option<Duration>,
) -> Result<(), Errno> {
    // More operations than fit in an unsigned int cannot be valid; the
    // kernel's own limit (SEMOPM) gives E2BIG, and so does this.
    let n = core::ffi::c_uint::try_from(ops.len()).map_err(|_| Errno::TOOBIG)?;
    let ts = timeout.map(super::time::relative);

    #[cfg(target_pointer_width = "64")]
    {
        match &ts {
            // SAFETY: `ops` is a live slice of `n` repr(C) sembufs; the
            // kernel only reads it.
            None => unsafe {
                syscall3(
                    g::__NR_semop,
                    Arg::c_int(id),
                    Arg::by_ref(ops),
                    Arg::c_uint(n),
                )
            },
            // SAFETY: as above, and `ts` is a live timespec it reads.
            Some(ts) => unsafe {
                syscall4(
                    g::__NR_semtimedop,
                    Arg::c_int(id),
                    Arg::by_ref(ops),
                    Arg::c_uint(n),
                    Arg::by_ref(ts),
                )
            },
        }
        .decode_void()
    }

    #[cfg(target_arch = "arm")]
    {
        let Some(ts) = ts else {
            // SAFETY: as on 64-bit.
            return unsafe {
                syscall3(
                    g::__NR_semop,
                    Arg::c_int(id),
                    Arg::by_ref(ops),
                    Arg::c_uint(n),
                )
            }
            .decode_void();
        };
        // SAFETY: as on 64-bit.
        match unsafe {
            syscall4(
                g::__NR_semtimedop_time64,
                Arg::c_int(id),
                Arg::by_ref(ops),
                Arg::c_uint(n),
                Arg::by_ref(&ts),
            )
        }
        .decode_void()
        {
            Err(Errno::NOSYS) => {
                let old = g::__kernel_old_timespec {
                    tv_sec: i32::try_from(ts.tv_sec).unwrap_or(i32::MAX) as _,
                    tv_nsec: ts.tv_nsec as _,
                };
                // SAFETY: as on 64-bit, with the 32-bit timespec.
                unsafe {
                    syscall4(
                        g::__NR_semtimedop,
                        Arg::c_int(id),
                        Arg::by_ref(ops),
                        Arg::c_uint(n),
                        Arg::by_ref(&old),
                    )
                }
                .decode_void()
            }
            r => r,
        }
    }

    #[cfg(target_arch = "x86")]
    dispatch(
        || {
            // SAFETY: as on 64-bit; a null timeout waits for ever.
            unsafe {
                syscall4(
                    g::__NR_semtimedop_time64,
                    Arg::c_int(id),
                    Arg::by_ref(ops),
                    Arg::c_uint(n),
                    Arg::opt_ref(ts.as_ref()),
                )
            }
            .decode_void()
        },
        || {
            let old = timeout.map(super::time::relative_old);
            // SAFETY: SEMTIMEDOP reads `n` sembufs at `ptr` and the
            // 32-bit timespec at `fifth` (null: no timeout).
            unsafe {
                ipc(
                    SEMTIMEDOP,
                    id,
                    Arg::c_uint(n),
                    Arg::null(),
                    Arg::by_ref(ops),
                    Arg::opt_ref(old.as_ref()),
                )
            }
            .decode_void()
        },
    )
}

/// The `semctl` commands that take or return a plain value.
#[derive(Clone, Copy)]
pub(crate) enum SemValCmd {
    /// `GETVAL`: the value of semaphore `num`.
    GetVal,
    /// `SETVAL`: set semaphore `num` to the value.
    SetVal(c_int),
    /// `GETPID`: the pid of the last process that operated on `num`.
    GetPid,
    /// `GETNCNT`: how many wait for `num` to increase.
    GetNcnt,
    /// `GETZCNT`: how many wait for `num` to become zero.
    GetZcnt,
    /// `IPC_RMID`: remove the set, waking every waiter with `EIDRM`.
    Rmid,
}

/// `semctl(id, num, cmd[, val])` for the value commands.
pub(crate) fn semctl_val(id: c_int, num: c_int, cmd: SemValCmd) -> Result<c_int, Errno> {
    let (cmd, val) = match cmd {
        SemValCmd::GetVal => (GETVAL, 0),
        SemValCmd::SetVal(v) => (SETVAL, v),
        SemValCmd::GetPid => (GETPID, 0),
        SemValCmd::GetNcnt => (GETNCNT, 0),
        SemValCmd::GetZcnt => (GETZCNT, 0),
        SemValCmd::Rmid => (IPC_RMID, 0),
    };
    // SAFETY: these commands take an int (SETVAL) or nothing, never a
    // pointer.
    unsafe { ctl(Ctl::Sem, id, num, cmd, Arg::c_int(val)) }
}

/// `semctl(id, 0, IPC_STAT | SEM_STAT | SEM_STAT_ANY, &ds)`. For the
/// `*_STAT` commands `id` is an index and the result is the set's id.
pub(crate) fn semctl_stat(id: c_int, cmd: StatCmd, ds: &mut semid64_ds) -> Result<c_int, Errno> {
    let cmd = match cmd {
        StatCmd::Id => IPC_STAT,
        StatCmd::Index => SEM_STAT,
        StatCmd::IndexAny => SEM_STAT_ANY,
    };
    // SAFETY: these commands write one semid64_ds to `ds`.
    unsafe { ctl(Ctl::Sem, id, 0, cmd, Arg::by_mut(ds)) }
}

/// `semctl(id, 0, IPC_SET, &ds)`: the kernel reads uid, gid and mode.
pub(crate) fn semctl_set(id: c_int, ds: &semid64_ds) -> Result<(), Errno> {
    // SAFETY: IPC_SET reads one semid64_ds from `ds`.
    unsafe { ctl(Ctl::Sem, id, 0, IPC_SET, Arg::by_ref(ds)) }.map(drop)
}

/// `semctl(0, 0, IPC_INFO | SEM_INFO, &info)`: system-wide limits or
/// usage. Returns the highest used index.
pub(crate) fn semctl_info(usage: bool, info: &mut seminfo) -> Result<c_int, Errno> {
    let cmd = if usage { SEM_INFO } else { IPC_INFO };
    // SAFETY: both commands write one seminfo to `info`.
    unsafe { ctl(Ctl::Sem, 0, 0, cmd, Arg::by_mut(info)) }
}

/// The number of semaphores in set `id` now. GETALL and SETALL access as
/// many values as the set has when *they* run, and by then the id may name
/// another set (a peer that owns the set can remove it and, once the id's
/// sequence number wraps, get the same id for a set of any size): this
/// size only picks the buffer and the up-front error, never a bound the
/// kernel keeps.
#[cfg(feature = "sem")]
fn nsems(id: c_int) -> Result<usize, Errno> {
    let mut ds = semid64_ds::default();
    semctl_stat(id, StatCmd::Id, &mut ds)?;
    Ok(ds.sem_nsems as usize)
}

/// A value no semaphore can hold (values are `0..=SEMVMX`, 32767): marks
/// the scratch entries `GETALL` did not write.
#[cfg(feature = "sem")]
const UNWRITTEN: u16 = u16::MAX;

/// `semctl(id, 0, GETALL, vals)`: the values of every semaphore in the
/// set, into the first `n` entries of `vals`; returns `n`.
///
/// `semctl(IPC_STAT)` first gives `n` (`vals` shorter → `ERANGE`). The
/// kernel then writes into a [`Guarded`](super::mm::Guarded) scratch of
/// exactly `n` values, pre-filled with [`UNWRITTEN`], and only a complete
/// answer is copied to `vals`: a set that grew (another set under the
/// same id) faults on the guard, one that shrank leaves its last entry
/// unwritten, and both are `EIDRM`, since the set we measured is gone.
#[cfg(feature = "sem")]
pub(crate) fn semctl_getall(id: c_int, vals: &mut [u16]) -> Result<usize, Errno> {
    let n = nsems(id)?;
    if vals.len() < n {
        return Err(Errno::RANGE);
    }
    let scratch = super::mm::Guarded::new(n * 2)?;
    let p = scratch.as_mut_ptr().cast::<u16>();
    // SAFETY: the scratch holds `n` u16s at `p` (2-aligned: the guard
    // is page-aligned and `n * 2` is even), private to this process.
    unsafe { core::slice::from_raw_parts_mut(p, n) }.fill(UNWRITTEN);
    // SAFETY: GETALL writes as many u16s as the set has now, from `p`;
    // the first `n` are our scratch and the rest would be the guard, where
    // the kernel's copy stops with EFAULT: it writes nothing outside the
    // scratch, whatever the set is by then.
    match unsafe { ctl(Ctl::Sem, id, 0, GETALL, Arg::raw_ptr(p.cast())) } {
        Err(Errno::FAULT) => return Err(Errno::IDRM),
        r => r?,
    };
    // SAFETY: as above; the kernel's write is over.
    let tmp = unsafe { core::slice::from_raw_parts(p, n) };
    if tmp.last() == Some(&UNWRITTEN) {
        return Err(Errno::IDRM);
    }
    vals[..n].copy_from_slice(tmp);
    Ok(n)
}

/// `semctl(id, 0, SETALL, vals)`: sets every semaphore of the set.
/// `vals.len()` must equal the set's size (`EINVAL` otherwise), checked
/// with `semctl(IPC_STAT)` first.
///
/// The kernel reads the values from a [`Guarded`](super::mm::Guarded)
/// copy of `vals`: should the id name a larger set by then, its read
/// faults on the guard (`EFAULT`, reported as `EIDRM`) and nothing is
/// set, instead of reading the memory after `vals` into the set.
#[cfg(feature = "sem")]
pub(crate) fn semctl_setall(id: c_int, vals: &[u16]) -> Result<(), Errno> {
    if vals.len() != nsems(id)? {
        return Err(Errno::INVAL);
    }
    let scratch = super::mm::Guarded::new(vals.len() * 2)?;
    let p = scratch.as_mut_ptr().cast::<u16>();
    // SAFETY: the scratch holds `vals.len()` u16s at `p`, 2-aligned and
    // private; `vals` is ours, elsewhere.
    unsafe { core::slice::from_raw_parts_mut(p, vals.len()) }.copy_from_slice(vals);
    // SAFETY: SETALL reads as many u16s as the set has now, from `p`:
    // the scratch, then the guard, where the kernel's copy stops with
    // EFAULT before anything is set.
    match unsafe { ctl(Ctl::Sem, id, 0, SETALL, Arg::raw_ptr(p.cast())) } {
        Err(Errno::FAULT) => Err(Errno::IDRM),
        r => r.map(drop),
    }
}

/// Which object an `IPC_STAT`-like command names.
#[derive(Clone, Copy)]
pub(crate) enum StatCmd {
    /// `IPC_STAT`: `id` is an identifier.
    Id,
    /// `SEM_STAT` / `MSG_STAT` / `SHM_STAT`: `id` is an index into the
    /// kernel's table, and read permission is required.
    Index,
    /// `*_STAT_ANY`: an index, without the permission check (Linux 4.17).
    IndexAny,
}

// ---------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------

/// `msgget(key, msgflg)`.
pub(crate) fn msgget(key: c_int, flags: c_int) -> Result<c_int, Errno> {
    let direct = || {
        // SAFETY: no pointer arguments.
        unsafe { syscall2(g::__NR_msgget, Arg::c_int(key), Arg::c_int(flags)) }.decode_c_int()
    };
    #[cfg(not(target_arch = "x86"))]
    return direct();
    #[cfg(target_arch = "x86")]
    dispatch(direct, || {
        // SAFETY: MSGGET takes no pointer.
        unsafe {
            ipc(
                MSGGET,
                key,
                Arg::c_int(flags),
                Arg::null(),
                Arg::null(),
                Arg::null(),
            )
        }
        .decode_c_int()
    })
}

/// `msgsnd(id, msg, len, msgflg)`: sends the type and the first `len`
/// bytes of the text. `len > N` → `EINVAL`.
pub(crate) fn msgsnd<const N: usize>(
    id: c_int,
    msg: &msgbuf<N>,
    len: usize,
    flags: c_int,
) -> Result<(), Errno> {
    if len > N {
        return Err(Errno::INVAL);
    }
    let direct = || {
        // SAFETY: the kernel reads the type and `len` <= N bytes of text,
        // all inside `*msg`.
        unsafe {
            syscall4(
                g::__NR_msgsnd,
                Arg::c_int(id),
                Arg::by_ref(msg),
                Arg::usize(len),
                Arg::c_int(flags),
            )
        }
        .decode_void()
    };
    #[cfg(not(target_arch = "x86"))]
    return direct();
    #[cfg(target_arch = "x86")]
    dispatch(direct, || {
        // SAFETY: as above; MSGSND takes (id, msgsz, msgflg, msgp).
        unsafe {
            ipc(
                MSGSND,
                id,
                Arg::usize(len),
                Arg::c_int(flags),
                Arg::by_ref(msg),
                Arg::null(),
            )
        }
        .decode_void()
    })
}

/// `msgrcv(id, msg, max, msgtyp, msgflg)`: receives into `msg`, at most
/// `max` bytes of text; returns the text length. `max > N` → `EINVAL`.
pub(crate) fn msgrcv<const N: usize>(
    id: c_int,
    msg: &mut msgbuf<N>,
    max: usize,
    msgtyp: c_long,
    flags: c_int,
) -> Result<usize, Errno> {
    if max > N {
        return Err(Errno::INVAL);
    }
    let ptr: *mut msgbuf<N> = msg;
    let direct = || {
        // SAFETY: the kernel writes the type and at most `max` <= N bytes
        // of text, all inside `*msg`, which is exclusively borrowed.
        unsafe {
            syscall5(
                g::__NR_msgrcv,
                Arg::c_int(id),
                Arg::raw_ptr(ptr.cast()),
                Arg::usize(max),
                Arg::isize(msgtyp as isize),
                Arg::c_int(flags),
            )
        }
        .decode_usize()
    };
    #[cfg(not(target_arch = "x86"))]
    return direct();
    #[cfg(target_arch = "x86")]
    dispatch(direct, || {
        // SAFETY: as above. Version 1 of MSGRCV takes `msgp` and `msgtyp`
        // directly: (id, msgsz, msgflg, msgp, msgtyp).
        unsafe {
            ipc(
                ipccall(1, MSGRCV),
                id,
                Arg::usize(max),
                Arg::c_int(flags),
                Arg::raw_ptr(ptr.cast()),
                Arg::isize(msgtyp as isize),
            )
        }
        .decode_usize()
    })
}

/// `msgctl(id, IPC_RMID)`.
pub(crate) fn msgctl_rmid(id: c_int) -> Result<(), Errno> {
    // SAFETY: IPC_RMID takes no buffer.
    unsafe { ctl(Ctl::Msg, id, 0, IPC_RMID, Arg::null()) }.map(drop)
}

/// `msgctl(id, IPC_STAT | MSG_STAT | MSG_STAT_ANY, &ds)`.
pub(crate) fn msgctl_stat(id: c_int, cmd: StatCmd, ds: &mut msqid64_ds) -> Result<c_int, Errno> {
    let cmd = match cmd {
        StatCmd::Id => IPC_STAT,
        StatCmd::Index => MSG_STAT,
        StatCmd::IndexAny => MSG_STAT_ANY,
    };
    // SAFETY: these commands write one msqid64_ds to `ds`.
    unsafe { ctl(Ctl::Msg, id, 0, cmd, Arg::by_mut(ds)) }
}

/// `msgctl(id, IPC_SET, &ds)`: the kernel reads uid, gid, mode and
/// qbytes.
pub(crate) fn msgctl_set(id: c_int, ds: &msqid64_ds) -> Result<(), Errno> {
    // SAFETY: IPC_SET reads one msqid64_ds.
    unsafe { ctl(Ctl::Msg, id, 0, IPC_SET, Arg::by_ref(ds)) }.map(drop)
}

/// `msgctl(0, IPC_INFO | MSG_INFO, &info)`. Returns the highest used
/// index.
pub(crate) fn msgctl_info(usage: bool, info: &mut msginfo) -> Result<c_int, Errno> {
    let cmd = if usage { MSG_INFO } else { IPC_INFO };
    // SAFETY: both commands write one msginfo.
    unsafe { ctl(Ctl::Msg, 0, 0, cmd, Arg::by_mut(info)) }
}

// ---------------------------------------------------------------------------
// Shared memory
// ---------------------------------------------------------------------------

/// `shmget(key, size, shmflg)`.
pub(crate) fn shmget(key: c_int, size: usize, flags: c_int) -> Result<c_int, Errno> {
    let direct = || {
        // SAFETY: no pointer arguments.
        unsafe {
            syscall3(
                g::__NR_shmget,
                Arg::c_int(key),
                Arg::usize(size),
                Arg::c_int(flags),
            )
        }
        .decode_c_int()
    };
    #[cfg(not(target_arch = "x86"))]
    return direct();
    #[cfg(target_arch = "x86")]
    dispatch(direct, || {
        // SAFETY: SHMGET takes no pointer.
        unsafe {
            ipc(
                SHMGET,
                key,
                Arg::usize(size),
                Arg::c_int(flags),
                Arg::null(),
                Arg::null(),
            )
        }
        .decode_c_int()
    })
}

/// `shmat(id, addr, shmflg)`: the address the segment is attached at.
///
/// # Safety
/// With `SHM_REMAP` and a non-null `addr`, whatever was mapped in the
/// range is replaced: the caller guarantees nothing there is in use.
/// Without it the kernel refuses an overlap (`EINVAL`) and the call is
/// harmless.
pub(crate) unsafe fn shmat(
    id: c_int,
    addr: *mut c_void,
    flags: c_int,
) -> Result<*mut c_void, Errno> {
    let direct = || {
        // SAFETY: the kernel maps the segment; it dereferences nothing of
        // ours. Replacing existing memory is the caller's contract.
        unsafe {
            syscall3(
                g::__NR_shmat,
                Arg::c_int(id),
                Arg::raw_ptr(addr),
                Arg::c_int(flags),
            )
        }
        .decode_ptr()
    };
    #[cfg(not(target_arch = "x86"))]
    return direct();
    #[cfg(target_arch = "x86")]
    dispatch(direct, || {
        let mut raddr: *mut c_void = core::ptr::null_mut();
        // SAFETY: SHMAT (version 0) stores the address in `raddr`, a live
        // local: (id, shmflg, &raddr, shmaddr).
        unsafe {
            ipc(
                SHMAT,
                id,
                Arg::c_int(flags),
                Arg::by_mut(&mut raddr),
                Arg::raw_ptr(addr),
                Arg::null(),
            )
        }
        .decode_void()?;
        Ok(raddr)
    })
}

/// `shmdt(addr)`.
///
/// # Safety
/// `addr` must be an attachment of this process that nothing references
/// any more.
pub(crate) unsafe fn shmdt(addr: *mut c_void) -> Result<(), Errno> {
    let direct = || {
        // SAFETY: the caller's contract.
        unsafe { syscall1(g::__NR_shmdt, Arg::raw_ptr(addr)) }.decode_void()
    };
    #[cfg(not(target_arch = "x86"))]
    return direct();
    #[cfg(target_arch = "x86")]
    dispatch(direct, || {
        // SAFETY: the caller's contract; SHMDT takes (0, 0, 0, shmaddr).
        unsafe {
            ipc(
                SHMDT,
                0,
                Arg::null(),
                Arg::null(),
                Arg::raw_ptr(addr),
                Arg::null(),
            )
        }
        .decode_void()
    })
}

/// The `shmctl` commands that take no buffer.
#[derive(Clone, Copy)]
pub(crate) enum ShmCmd {
    /// `IPC_RMID`: destroy after the last detach.
    Rmid,
    /// `SHM_LOCK`: keep the pages in memory.
    Lock,
    /// `SHM_UNLOCK`: let them be swapped again.
    Unlock,
}

/// `shmctl(id, IPC_RMID | SHM_LOCK | SHM_UNLOCK, NULL)`.
pub(crate) fn shmctl_cmd(id: c_int, cmd: ShmCmd) -> Result<(), Errno> {
    let cmd = match cmd {
        ShmCmd::Rmid => IPC_RMID,
        ShmCmd::Lock => SHM_LOCK,
        ShmCmd::Unlock => SHM_UNLOCK,
    };
    // SAFETY: these commands take no buffer.
    unsafe { ctl(Ctl::Shm, id, 0, cmd, Arg::null()) }.map(drop)
}

/// `shmctl(id, IPC_STAT | SHM_STAT | SHM_STAT_ANY, &ds)`.
pub(crate) fn shmctl_stat(id: c_int, cmd: StatCmd, ds: &mut shmid64_ds) -> Result<c_int, Errno> {
    let cmd = match cmd {
        StatCmd::Id => IPC_STAT,
        StatCmd::Index => SHM_STAT,
        StatCmd::IndexAny => SHM_STAT_ANY,
    };
    // SAFETY: these commands write one shmid64_ds.
    unsafe { ctl(Ctl::Shm, id, 0, cmd, Arg::by_mut(ds)) }
}

/// `shmctl(id, IPC_SET, &ds)`: the kernel reads uid, gid and mode.
pub(crate) fn shmctl_set(id: c_int, ds: &shmid64_ds) -> Result<(), Errno> {
    // SAFETY: IPC_SET reads one shmid64_ds.
    unsafe { ctl(Ctl::Shm, id, 0, IPC_SET, Arg::by_ref(ds)) }.map(drop)
}

/// `shmctl(0, IPC_INFO, &info)`: system-wide limits. Returns the highest
/// used index.
pub(crate) fn shmctl_ipc_info(info: &mut shminfo64) -> Result<c_int, Errno> {
    // SAFETY: IPC_INFO writes one shminfo64 (the 64-bit `shminfo`).
    unsafe { ctl(Ctl::Shm, 0, 0, IPC_INFO, Arg::by_mut(info)) }
}

/// `shmctl(0, SHM_INFO, &info)`: system-wide usage. Returns the highest
/// used index.
pub(crate) fn shmctl_shm_info(info: &mut shm_info) -> Result<c_int, Errno> {
    // SAFETY: SHM_INFO writes one shm_info.
    unsafe { ctl(Ctl::Shm, 0, 0, SHM_INFO, Arg::by_mut(info)) }
}
