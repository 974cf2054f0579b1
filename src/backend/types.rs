//! Kernel structs and constants for SysV IPC, POSIX message queues and
//! signalfd: the part of the kernel ABI that linux-raw-sys does not carry.
//!
//! Every item keeps its C name and field names so it can be read side by
//! side with the kernel's UAPI headers it was written from:
//! `include/uapi/linux/{ipc,sem,msg,shm,mqueue,signalfd}.h`,
//! `include/uapi/asm-generic/{ipcbuf,sembuf,msgbuf,shmbuf}.h` and
//! `arch/x86/include/uapi/asm/sembuf.h` (the only per-arch override among
//! the five supported architectures). Scalar kernel types
//! (`__kernel_mode_t`, `__kernel_long_t`, ...) come from
//! `linux_raw_sys::general`, which already has them per arch.
//!
//! The `*64_ds` structs are what the kernel reads and writes when the
//! command carries `IPC_64`: always for the direct `semctl`/`msgctl`/`shmctl`
//! syscalls on x86_64, aarch64, riscv64 and i386; on arm and through i386's
//! `ipc()` only when the caller ORs [`IPC_64`] into the command (`sysv.rs`
//! decides that, see `notes/arch.md`).
//!
//! On 32-bit arches the kernel splits each time into two `unsigned long`
//! halves, low first. That order is right for the little-endian targets
//! supported here and would be wrong on a big-endian one.
//!
//! Each struct's size and the offsets of the fields the crate reads are
//! asserted at compile time per architecture (the numbers from the headers,
//! see `notes/kernel-abi.md`). The tests check the same layouts against the
//! running kernel on every target and against glibc (the `libc` crate) on
//! gnu targets.
#![allow(non_camel_case_types)]

use core::ffi::{c_int, c_uint, c_ulong, c_ushort};
use core::mem::offset_of;

use linux_raw_sys::general::{
    __kernel_gid32_t, __kernel_key_t, __kernel_long_t, __kernel_mode_t, __kernel_pid_t,
    __kernel_size_t, __kernel_uid32_t, __kernel_ulong_t, O_CLOEXEC, O_NONBLOCK, sigevent,
};

// ---------------------------------------------------------------------------
// Structs
// ---------------------------------------------------------------------------

/// Owner and permissions of a SysV object (`asm-generic/ipcbuf.h`), the
/// first member of each `*64_ds`. `mode` is 16 bits on i386 and arm, padded
/// to 4 bytes, so `seq` is at offset 24 everywhere.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ipc64_perm {
    pub(crate) key: __kernel_key_t,
    pub(crate) uid: __kernel_uid32_t,
    pub(crate) gid: __kernel_gid32_t,
    pub(crate) cuid: __kernel_uid32_t,
    pub(crate) cgid: __kernel_gid32_t,
    pub(crate) mode: __kernel_mode_t,
    pub(crate) __pad1: [u8; 4 - size_of::<__kernel_mode_t>()],
    pub(crate) seq: c_ushort,
    pub(crate) __pad2: c_ushort,
    pub(crate) __unused1: c_ulong,
    pub(crate) __unused2: c_ulong,
}

/// Semaphore set status for `semctl(IPC_STAT/IPC_SET/SEM_STAT)`, x86_64
/// layout (`arch/x86/include/uapi/asm/sembuf.h`): a padding word follows
/// each time, so it is 104 bytes where the generic 64-bit layout is 88.
#[cfg(target_arch = "x86_64")]
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct semid64_ds {
    pub(crate) sem_perm: ipc64_perm,
    pub(crate) sem_otime: __kernel_long_t,
    pub(crate) __unused1: __kernel_ulong_t,
    pub(crate) sem_ctime: __kernel_long_t,
    pub(crate) __unused2: __kernel_ulong_t,
    pub(crate) sem_nsems: __kernel_ulong_t,
    pub(crate) __unused3: __kernel_ulong_t,
    pub(crate) __unused4: __kernel_ulong_t,
}

/// Semaphore set status for `semctl(IPC_STAT/IPC_SET/SEM_STAT)`, generic
/// 64-bit layout (`asm-generic/sembuf.h`; aarch64, riscv64): no padding
/// after the times.
#[cfg(all(target_pointer_width = "64", not(target_arch = "x86_64")))]
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct semid64_ds {
    pub(crate) sem_perm: ipc64_perm,
    pub(crate) sem_otime: __kernel_long_t,
    pub(crate) sem_ctime: __kernel_long_t,
    pub(crate) sem_nsems: c_ulong,
    pub(crate) __unused3: c_ulong,
    pub(crate) __unused4: c_ulong,
}

/// Semaphore set status for `semctl(IPC_STAT/IPC_SET/SEM_STAT)`, 32-bit
/// layout (i386 and arm): each time is a low and a high `unsigned long`.
#[cfg(target_pointer_width = "32")]
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct semid64_ds {
    pub(crate) sem_perm: ipc64_perm,
    pub(crate) sem_otime: c_ulong,
    pub(crate) sem_otime_high: c_ulong,
    pub(crate) sem_ctime: c_ulong,
    pub(crate) sem_ctime_high: c_ulong,
    pub(crate) sem_nsems: c_ulong,
    pub(crate) __unused3: c_ulong,
    pub(crate) __unused4: c_ulong,
}

/// Message queue status for `msgctl(IPC_STAT/IPC_SET/MSG_STAT)`, 64-bit
/// layout (`asm-generic/msgbuf.h`; the same on x86_64, aarch64, riscv64).
#[cfg(target_pointer_width = "64")]
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct msqid64_ds {
    pub(crate) msg_perm: ipc64_perm,
    pub(crate) msg_stime: __kernel_long_t,
    pub(crate) msg_rtime: __kernel_long_t,
    pub(crate) msg_ctime: __kernel_long_t,
    pub(crate) msg_cbytes: c_ulong,
    pub(crate) msg_qnum: c_ulong,
    pub(crate) msg_qbytes: c_ulong,
    pub(crate) msg_lspid: __kernel_pid_t,
    pub(crate) msg_lrpid: __kernel_pid_t,
    pub(crate) __unused4: c_ulong,
    pub(crate) __unused5: c_ulong,
}

/// Message queue status for `msgctl(IPC_STAT/IPC_SET/MSG_STAT)`, 32-bit
/// layout (i386 and arm): each time is a low and a high `unsigned long`.
#[cfg(target_pointer_width = "32")]
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct msqid64_ds {
    pub(crate) msg_perm: ipc64_perm,
    pub(crate) msg_stime: c_ulong,
    pub(crate) msg_stime_high: c_ulong,
    pub(crate) msg_rtime: c_ulong,
    pub(crate) msg_rtime_high: c_ulong,
    pub(crate) msg_ctime: c_ulong,
    pub(crate) msg_ctime_high: c_ulong,
    pub(crate) msg_cbytes: c_ulong,
    pub(crate) msg_qnum: c_ulong,
    pub(crate) msg_qbytes: c_ulong,
    pub(crate) msg_lspid: __kernel_pid_t,
    pub(crate) msg_lrpid: __kernel_pid_t,
    pub(crate) __unused4: c_ulong,
    pub(crate) __unused5: c_ulong,
}

/// Shared memory segment status for `shmctl(IPC_STAT/IPC_SET/SHM_STAT)`,
/// 64-bit layout (`asm-generic/shmbuf.h`; the same on x86_64, aarch64,
/// riscv64).
#[cfg(target_pointer_width = "64")]
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct shmid64_ds {
    pub(crate) shm_perm: ipc64_perm,
    pub(crate) shm_segsz: __kernel_size_t,
    pub(crate) shm_atime: __kernel_long_t,
    pub(crate) shm_dtime: __kernel_long_t,
    pub(crate) shm_ctime: __kernel_long_t,
    pub(crate) shm_cpid: __kernel_pid_t,
    pub(crate) shm_lpid: __kernel_pid_t,
    pub(crate) shm_nattch: __kernel_ulong_t,
    pub(crate) __unused4: __kernel_ulong_t,
    pub(crate) __unused5: __kernel_ulong_t,
}

/// Shared memory segment status for `shmctl(IPC_STAT/IPC_SET/SHM_STAT)`,
/// 32-bit layout (i386 and arm): each time is a low and a high
/// `unsigned long`.
#[cfg(target_pointer_width = "32")]
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct shmid64_ds {
    pub(crate) shm_perm: ipc64_perm,
    pub(crate) shm_segsz: __kernel_size_t,
    pub(crate) shm_atime: c_ulong,
    pub(crate) shm_atime_high: c_ulong,
    pub(crate) shm_dtime: c_ulong,
    pub(crate) shm_dtime_high: c_ulong,
    pub(crate) shm_ctime: c_ulong,
    pub(crate) shm_ctime_high: c_ulong,
    pub(crate) shm_cpid: __kernel_pid_t,
    pub(crate) shm_lpid: __kernel_pid_t,
    pub(crate) shm_nattch: __kernel_ulong_t,
    pub(crate) __unused4: __kernel_ulong_t,
    pub(crate) __unused5: __kernel_ulong_t,
}

/// One semaphore operation for `semop`/`semtimedop` (`linux/sem.h`),
/// 6 bytes on every arch. `sem_flg` takes [`IPC_NOWAIT`] and [`SEM_UNDO`].
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct sembuf {
    pub(crate) sem_num: c_ushort,
    pub(crate) sem_op: i16,
    pub(crate) sem_flg: i16,
}

/// A SysV message as `msgsnd`/`msgrcv` see it (`linux/msg.h`): a positive
/// type followed by the text. The kernel's `msgsz` counts only `mtext`.
/// `msgbuf<0>` is the bare header; `N` is the capacity of the text, so a
/// message can be built or received in place without allocation.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub(crate) struct msgbuf<const N: usize> {
    pub(crate) mtype: __kernel_long_t,
    pub(crate) mtext: [u8; N],
}

impl<const N: usize> msgbuf<N> {
    /// A message of type `mtype` with an all-zero text.
    pub(crate) const fn new(mtype: __kernel_long_t) -> Self {
        Self {
            mtype,
            mtext: [0; N],
        }
    }
}

/// POSIX message queue attributes for `mq_open` and `mq_getsetattr`
/// (`linux/mqueue.h`): four `long`s and four reserved ones the kernel
/// zeroes on output.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct mq_attr {
    pub(crate) mq_flags: __kernel_long_t,
    pub(crate) mq_maxmsg: __kernel_long_t,
    pub(crate) mq_msgsize: __kernel_long_t,
    pub(crate) mq_curmsgs: __kernel_long_t,
    pub(crate) __reserved: [__kernel_long_t; 4],
}

/// One record read from a signalfd (`linux/signalfd.h`): fixed-width
/// fields, padded to 128 bytes on every arch.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct signalfd_siginfo {
    pub(crate) ssi_signo: u32,
    pub(crate) ssi_errno: i32,
    pub(crate) ssi_code: i32,
    pub(crate) ssi_pid: u32,
    pub(crate) ssi_uid: u32,
    pub(crate) ssi_fd: i32,
    pub(crate) ssi_tid: u32,
    pub(crate) ssi_band: u32,
    pub(crate) ssi_overrun: u32,
    pub(crate) ssi_trapno: u32,
    pub(crate) ssi_status: i32,
    pub(crate) ssi_int: i32,
    pub(crate) ssi_ptr: u64,
    pub(crate) ssi_utime: u64,
    pub(crate) ssi_stime: u64,
    pub(crate) ssi_addr: u64,
    pub(crate) ssi_addr_lsb: u16,
    pub(crate) __pad2: u16,
    pub(crate) ssi_syscall: i32,
    pub(crate) ssi_call_addr: u64,
    pub(crate) ssi_arch: u32,
    pub(crate) ssi_perf_type: u32,
    pub(crate) ssi_perf_data: u64,
    pub(crate) __pad: [u8; 16],
}

/// System-wide semaphore limits from `semctl(IPC_INFO/SEM_INFO)`
/// (`linux/sem.h`): ten `int`s. With `SEM_INFO` the kernel puts usage
/// counts in `semusz` and `semaem`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct seminfo {
    pub(crate) semmap: c_int,
    pub(crate) semmni: c_int,
    pub(crate) semmns: c_int,
    pub(crate) semmnu: c_int,
    pub(crate) semmsl: c_int,
    pub(crate) semopm: c_int,
    pub(crate) semume: c_int,
    pub(crate) semusz: c_int,
    pub(crate) semvmx: c_int,
    pub(crate) semaem: c_int,
}

/// System-wide message queue limits from `msgctl(IPC_INFO/MSG_INFO)`
/// (`linux/msg.h`): seven `int`s and a `u16`, 32 bytes. With `MSG_INFO` the
/// kernel puts usage counts in `msgpool`, `msgmap` and `msgtql`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct msginfo {
    pub(crate) msgpool: c_int,
    pub(crate) msgmap: c_int,
    pub(crate) msgmax: c_int,
    pub(crate) msgmnb: c_int,
    pub(crate) msgmni: c_int,
    pub(crate) msgssz: c_int,
    pub(crate) msgtql: c_int,
    pub(crate) msgseg: c_ushort,
}

/// System-wide shared memory limits from `shmctl(IPC_INFO)` with `IPC_64`
/// (`asm-generic/shmbuf.h`). The `int`-sized `struct shminfo` of
/// `linux/shm.h` is the pre-`IPC_64` form and is not defined here.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct shminfo64 {
    pub(crate) shmmax: __kernel_ulong_t,
    pub(crate) shmmin: __kernel_ulong_t,
    pub(crate) shmmni: __kernel_ulong_t,
    pub(crate) shmseg: __kernel_ulong_t,
    pub(crate) shmall: __kernel_ulong_t,
    pub(crate) __unused1: __kernel_ulong_t,
    pub(crate) __unused2: __kernel_ulong_t,
    pub(crate) __unused3: __kernel_ulong_t,
    pub(crate) __unused4: __kernel_ulong_t,
}

/// System-wide shared memory usage from `shmctl(SHM_INFO)` (`linux/shm.h`);
/// the sizes are in pages.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct shm_info {
    pub(crate) used_ids: c_int,
    pub(crate) shm_tot: __kernel_ulong_t,
    pub(crate) shm_rss: __kernel_ulong_t,
    pub(crate) shm_swp: __kernel_ulong_t,
    pub(crate) swap_attempts: __kernel_ulong_t,
    pub(crate) swap_successes: __kernel_ulong_t,
}

/// A 64-bit time from the low and high words that the 32-bit `*64_ds`
/// layouts split it into.
#[cfg(target_pointer_width = "32")]
pub(crate) const fn time64(lo: c_ulong, hi: c_ulong) -> i64 {
    (((hi as u64) << 32) | lo as u64) as i64
}

// ---------------------------------------------------------------------------
// Constants (`linux/ipc.h`, `linux/sem.h`, `linux/msg.h`, `linux/shm.h`,
// `linux/mqueue.h`, `linux/signalfd.h`). Flags and commands are `c_int`, the
// type of the syscall parameters they go into; the `sembuf::sem_flg` bits fit
// in its `i16`.
// ---------------------------------------------------------------------------

/// Key that always creates a new object (`linux/ipc.h`).
pub(crate) const IPC_PRIVATE: __kernel_key_t = 0;
/// `*get` flag: create the object if the key has none.
pub(crate) const IPC_CREAT: c_int = 0o1000;
/// `*get` flag with `IPC_CREAT`: fail with `EEXIST` if the key has one.
pub(crate) const IPC_EXCL: c_int = 0o2000;
/// Operation flag: fail with `EAGAIN`/`ENOMSG` instead of blocking.
pub(crate) const IPC_NOWAIT: c_int = 0o4000;

/// `*ctl` command: remove the object.
pub(crate) const IPC_RMID: c_int = 0;
/// `*ctl` command: set owner, mode (and `msg_qbytes`) from the `*64_ds`.
pub(crate) const IPC_SET: c_int = 1;
/// `*ctl` command: read the `*64_ds`.
pub(crate) const IPC_STAT: c_int = 2;
/// `*ctl` command: read the system-wide limits (`seminfo`, `msginfo`,
/// `shminfo64`).
pub(crate) const IPC_INFO: c_int = 3;
/// `*ctl` command flag selecting the `*64_ds`/`ipc64_perm` layouts on the
/// entry points that also accept the old ones (arm, i386 `ipc()`).
pub(crate) const IPC_64: c_int = 0x100;

/// `sembuf::sem_flg`: undo the operation when the process exits.
pub(crate) const SEM_UNDO: c_int = 0x1000;
/// `semctl` command: pid of the last `semop` on one semaphore.
pub(crate) const GETPID: c_int = 11;
/// `semctl` command: value of one semaphore.
pub(crate) const GETVAL: c_int = 12;
/// `semctl` command: values of all semaphores into a `u16` array.
pub(crate) const GETALL: c_int = 13;
/// `semctl` command: number of tasks waiting for an increase.
pub(crate) const GETNCNT: c_int = 14;
/// `semctl` command: number of tasks waiting for zero.
pub(crate) const GETZCNT: c_int = 15;
/// `semctl` command: set one semaphore's value.
pub(crate) const SETVAL: c_int = 16;
/// `semctl` command: set all values from a `u16` array.
pub(crate) const SETALL: c_int = 17;
/// `semctl` command: `IPC_STAT` by index in the kernel's table.
pub(crate) const SEM_STAT: c_int = 18;
/// `semctl` command: `IPC_INFO` with usage counts.
pub(crate) const SEM_INFO: c_int = 19;
/// `semctl` command: `SEM_STAT` without the read-permission check.
pub(crate) const SEM_STAT_ANY: c_int = 20;
/// Largest value a semaphore can hold; `SETVAL`/`SETALL`/`semop` beyond it
/// fail with `ERANGE` (`linux/sem.h`).
pub(crate) const SEMVMX: c_int = 32767;

/// `msgrcv` flag: truncate a message longer than the buffer instead of
/// failing with `E2BIG`.
pub(crate) const MSG_NOERROR: c_int = 0o10000;
/// `msgrcv` flag: receive the first message whose type is not `msgtyp`.
pub(crate) const MSG_EXCEPT: c_int = 0o20000;
/// `msgrcv` flag: copy the message at index `msgtyp` without removing it
/// (only with `IPC_NOWAIT`; needs `CONFIG_CHECKPOINT_RESTORE`).
pub(crate) const MSG_COPY: c_int = 0o40000;
/// `msgctl` command: `IPC_STAT` by index in the kernel's table.
pub(crate) const MSG_STAT: c_int = 11;
/// `msgctl` command: `IPC_INFO` with usage counts.
pub(crate) const MSG_INFO: c_int = 12;
/// `msgctl` command: `MSG_STAT` without the read-permission check.
pub(crate) const MSG_STAT_ANY: c_int = 13;

/// `shmat` flag: attach read-only.
pub(crate) const SHM_RDONLY: c_int = 0o10000;
/// `shmat` flag: round the address down to `SHMLBA`.
pub(crate) const SHM_RND: c_int = 0o20000;
/// `shmat` flag: replace any mapping at the address.
pub(crate) const SHM_REMAP: c_int = 0o40000;
/// `shmat` flag: map executable.
pub(crate) const SHM_EXEC: c_int = 0o100000;
/// `shmget` flag: back the segment with huge pages.
pub(crate) const SHM_HUGETLB: c_int = 0o4000;
/// `shmget` flag: do not reserve swap for the segment. Same value as the
/// `shmat` flag [`SHM_RDONLY`]; the two never meet in one call.
pub(crate) const SHM_NORESERVE: c_int = 0o10000;
/// `shm_perm.mode` bit from `IPC_STAT`: removal is pending until the last
/// detach.
pub(crate) const SHM_DEST: c_int = 0o1000;
/// `shm_perm.mode` bit from `IPC_STAT`: the segment is locked in memory.
pub(crate) const SHM_LOCKED: c_int = 0o2000;
/// `shmctl` command: lock the segment in memory.
pub(crate) const SHM_LOCK: c_int = 11;
/// `shmctl` command: unlock the segment.
pub(crate) const SHM_UNLOCK: c_int = 12;
/// `shmctl` command: `IPC_STAT` by index in the kernel's table.
pub(crate) const SHM_STAT: c_int = 13;
/// `shmctl` command: usage counts into a `shm_info`.
pub(crate) const SHM_INFO: c_int = 14;
/// `shmctl` command: `SHM_STAT` without the read-permission check.
pub(crate) const SHM_STAT_ANY: c_int = 15;

/// Exclusive upper bound of a POSIX message priority (`linux/mqueue.h`).
pub(crate) const MQ_PRIO_MAX: c_uint = 32768;
/// Length of the cookie `mq_notify(SIGEV_THREAD)` copies from
/// `sigev_value.sival_ptr` and later sends to the netlink socket named by
/// `sigev_signo` (`linux/mqueue.h`).
pub(crate) const NOTIFY_COOKIE_LEN: usize = 32;
/// Last byte of a delivered cookie: a message arrived in the empty queue.
pub(crate) const NOTIFY_WOKENUP: u8 = 1;
/// Last byte of a delivered cookie: the registration was removed.
pub(crate) const NOTIFY_REMOVED: u8 = 2;

/// `signalfd4` flag: close-on-exec (`O_CLOEXEC`).
pub(crate) const SFD_CLOEXEC: c_int = O_CLOEXEC as c_int;
/// `signalfd4` flag: non-blocking reads (`O_NONBLOCK`).
pub(crate) const SFD_NONBLOCK: c_int = O_NONBLOCK as c_int;

/// `ipc()` call: `semop`. i386 only: the multiplexer's `call` argument
/// (`linux/ipc.h`); the version goes in the high 16 bits, see [`ipccall`].
#[cfg(target_arch = "x86")]
pub(crate) const SEMOP: c_uint = 1;
/// `ipc()` call: `semget`.
#[cfg(target_arch = "x86")]
pub(crate) const SEMGET: c_uint = 2;
/// `ipc()` call: `semctl`.
#[cfg(target_arch = "x86")]
pub(crate) const SEMCTL: c_uint = 3;
/// `ipc()` call: `semtimedop`.
#[cfg(target_arch = "x86")]
pub(crate) const SEMTIMEDOP: c_uint = 4;
/// `ipc()` call: `msgsnd`.
#[cfg(target_arch = "x86")]
pub(crate) const MSGSND: c_uint = 11;
/// `ipc()` call: `msgrcv`.
#[cfg(target_arch = "x86")]
pub(crate) const MSGRCV: c_uint = 12;
/// `ipc()` call: `msgget`.
#[cfg(target_arch = "x86")]
pub(crate) const MSGGET: c_uint = 13;
/// `ipc()` call: `msgctl`.
#[cfg(target_arch = "x86")]
pub(crate) const MSGCTL: c_uint = 14;
/// `ipc()` call: `shmat`.
#[cfg(target_arch = "x86")]
pub(crate) const SHMAT: c_uint = 21;
/// `ipc()` call: `shmdt`.
#[cfg(target_arch = "x86")]
pub(crate) const SHMDT: c_uint = 22;
/// `ipc()` call: `shmget`.
#[cfg(target_arch = "x86")]
pub(crate) const SHMGET: c_uint = 23;
/// `ipc()` call: `shmctl`.
#[cfg(target_arch = "x86")]
pub(crate) const SHMCTL: c_uint = 24;

/// The `ipc()` `call` argument for `op` at interface `version`, as the C
/// macro `IPCCALL` builds it. Version 1 of `MSGRCV` takes `msgp` and
/// `msgtyp` directly instead of through `struct ipc_kludge`.
#[cfg(target_arch = "x86")]
pub(crate) const fn ipccall(version: c_uint, op: c_uint) -> c_uint {
    (version << 16) | op
}

// ---------------------------------------------------------------------------
// Layout assertions, per architecture
// ---------------------------------------------------------------------------

/// Asserts, at compile time, each struct's size and the offsets of the
/// listed fields, and keeps the same numbers as a table for the tests.
macro_rules! kernel_layout {
    ($($t:ty = $size:literal { $($f:ident @ $off:literal),* $(,)? })*) => {
        const _: () = {
            $(
                assert!(size_of::<$t>() == $size, concat!("size of ", stringify!($t)));
                $(assert!(
                    offset_of!($t, $f) == $off,
                    concat!("offset of ", stringify!($t), ".", stringify!($f)),
                );)*
            )*
        };

        /// `(type, field or "size", actual, from the headers)` for every
        /// assertion above.
        #[cfg(test)]
        const KERNEL_LAYOUT: &[(&str, &str, usize, usize)] = &[$(
            (stringify!($t), "size", size_of::<$t>(), $size),
            $((stringify!($t), stringify!($f), offset_of!($t, $f), $off),)*
        )*];
    };
}

// x86_64: generic 64-bit layouts except the padded `semid64_ds`.
#[cfg(target_arch = "x86_64")]
kernel_layout! {
    ipc64_perm = 48 { key @ 0, uid @ 4, gid @ 8, cuid @ 12, cgid @ 16, mode @ 20, seq @ 24, __unused1 @ 32, __unused2 @ 40 }
    semid64_ds = 104 { sem_perm @ 0, sem_otime @ 48, sem_ctime @ 64, sem_nsems @ 80 }
    msqid64_ds = 120 { msg_perm @ 0, msg_stime @ 48, msg_rtime @ 56, msg_ctime @ 64, msg_cbytes @ 72, msg_qnum @ 80, msg_qbytes @ 88, msg_lspid @ 96, msg_lrpid @ 100 }
    shmid64_ds = 112 { shm_perm @ 0, shm_segsz @ 48, shm_atime @ 56, shm_dtime @ 64, shm_ctime @ 72, shm_cpid @ 80, shm_lpid @ 84, shm_nattch @ 88 }
    sembuf = 6 { sem_num @ 0, sem_op @ 2, sem_flg @ 4 }
    msgbuf<0> = 8 { mtype @ 0, mtext @ 8 }
    mq_attr = 64 { mq_flags @ 0, mq_maxmsg @ 8, mq_msgsize @ 16, mq_curmsgs @ 24, __reserved @ 32 }
    sigevent = 64 { sigev_value @ 0, sigev_signo @ 8, sigev_notify @ 12 }
    signalfd_siginfo = 128 { ssi_signo @ 0, ssi_code @ 8, ssi_pid @ 12, ssi_uid @ 16, ssi_int @ 44, ssi_ptr @ 48, ssi_addr_lsb @ 80, ssi_syscall @ 84, ssi_call_addr @ 88, ssi_arch @ 96, ssi_perf_data @ 104, __pad @ 112 }
    seminfo = 40 { semmap @ 0, semmsl @ 16, semopm @ 20, semusz @ 28, semvmx @ 32, semaem @ 36 }
    msginfo = 32 { msgpool @ 0, msgmax @ 8, msgmnb @ 12, msgssz @ 20, msgtql @ 24, msgseg @ 28 }
    shminfo64 = 72 { shmmax @ 0, shmmin @ 8, shmmni @ 16, shmseg @ 24, shmall @ 32 }
    shm_info = 48 { used_ids @ 0, shm_tot @ 8, shm_rss @ 16, shm_swp @ 24, swap_attempts @ 32, swap_successes @ 40 }
}

// aarch64 and riscv64: the asm-generic 64-bit layouts.
#[cfg(all(
    target_pointer_width = "64",
    any(target_arch = "aarch64", target_arch = "riscv64")
))]
kernel_layout! {
    ipc64_perm = 48 { key @ 0, uid @ 4, gid @ 8, cuid @ 12, cgid @ 16, mode @ 20, seq @ 24, __unused1 @ 32, __unused2 @ 40 }
    semid64_ds = 88 { sem_perm @ 0, sem_otime @ 48, sem_ctime @ 56, sem_nsems @ 64 }
    msqid64_ds = 120 { msg_perm @ 0, msg_stime @ 48, msg_rtime @ 56, msg_ctime @ 64, msg_cbytes @ 72, msg_qnum @ 80, msg_qbytes @ 88, msg_lspid @ 96, msg_lrpid @ 100 }
    shmid64_ds = 112 { shm_perm @ 0, shm_segsz @ 48, shm_atime @ 56, shm_dtime @ 64, shm_ctime @ 72, shm_cpid @ 80, shm_lpid @ 84, shm_nattch @ 88 }
    sembuf = 6 { sem_num @ 0, sem_op @ 2, sem_flg @ 4 }
    msgbuf<0> = 8 { mtype @ 0, mtext @ 8 }
    mq_attr = 64 { mq_flags @ 0, mq_maxmsg @ 8, mq_msgsize @ 16, mq_curmsgs @ 24, __reserved @ 32 }
    sigevent = 64 { sigev_value @ 0, sigev_signo @ 8, sigev_notify @ 12 }
    signalfd_siginfo = 128 { ssi_signo @ 0, ssi_code @ 8, ssi_pid @ 12, ssi_uid @ 16, ssi_int @ 44, ssi_ptr @ 48, ssi_addr_lsb @ 80, ssi_syscall @ 84, ssi_call_addr @ 88, ssi_arch @ 96, ssi_perf_data @ 104, __pad @ 112 }
    seminfo = 40 { semmap @ 0, semmsl @ 16, semopm @ 20, semusz @ 28, semvmx @ 32, semaem @ 36 }
    msginfo = 32 { msgpool @ 0, msgmax @ 8, msgmnb @ 12, msgssz @ 20, msgtql @ 24, msgseg @ 28 }
    shminfo64 = 72 { shmmax @ 0, shmmin @ 8, shmmni @ 16, shmseg @ 24, shmall @ 32 }
    shm_info = 48 { used_ids @ 0, shm_tot @ 8, shm_rss @ 16, shm_swp @ 24, swap_attempts @ 32, swap_successes @ 40 }
}

// i386 and arm: 16-bit `mode`, times split into low and high words.
#[cfg(any(target_arch = "x86", target_arch = "arm"))]
kernel_layout! {
    ipc64_perm = 36 { key @ 0, uid @ 4, gid @ 8, cuid @ 12, cgid @ 16, mode @ 20, __pad1 @ 22, seq @ 24, __unused1 @ 28, __unused2 @ 32 }
    semid64_ds = 64 { sem_perm @ 0, sem_otime @ 36, sem_otime_high @ 40, sem_ctime @ 44, sem_ctime_high @ 48, sem_nsems @ 52 }
    msqid64_ds = 88 { msg_perm @ 0, msg_stime @ 36, msg_stime_high @ 40, msg_rtime @ 44, msg_ctime @ 52, msg_cbytes @ 60, msg_qnum @ 64, msg_qbytes @ 68, msg_lspid @ 72, msg_lrpid @ 76 }
    shmid64_ds = 84 { shm_perm @ 0, shm_segsz @ 36, shm_atime @ 40, shm_atime_high @ 44, shm_dtime @ 48, shm_ctime @ 56, shm_cpid @ 64, shm_lpid @ 68, shm_nattch @ 72 }
    sembuf = 6 { sem_num @ 0, sem_op @ 2, sem_flg @ 4 }
    msgbuf<0> = 4 { mtype @ 0, mtext @ 4 }
    mq_attr = 32 { mq_flags @ 0, mq_maxmsg @ 4, mq_msgsize @ 8, mq_curmsgs @ 12, __reserved @ 16 }
    sigevent = 64 { sigev_value @ 0, sigev_signo @ 4, sigev_notify @ 8 }
    signalfd_siginfo = 128 { ssi_signo @ 0, ssi_code @ 8, ssi_pid @ 12, ssi_uid @ 16, ssi_int @ 44, ssi_ptr @ 48, ssi_addr_lsb @ 80, ssi_syscall @ 84, ssi_call_addr @ 88, ssi_arch @ 96, ssi_perf_data @ 104, __pad @ 112 }
    seminfo = 40 { semmap @ 0, semmsl @ 16, semopm @ 20, semusz @ 28, semvmx @ 32, semaem @ 36 }
    msginfo = 32 { msgpool @ 0, msgmax @ 8, msgmnb @ 12, msgssz @ 20, msgtql @ 24, msgseg @ 28 }
    shminfo64 = 36 { shmmax @ 0, shmmin @ 4, shmmni @ 8, shmseg @ 12, shmall @ 16 }
    shm_info = 24 { used_ids @ 0, shm_tot @ 4, shm_rss @ 8, shm_swp @ 12, swap_attempts @ 16, swap_successes @ 20 }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The per-arch table above covers every struct of this file, and its
    /// numbers (already checked at compile time) hold at run time.
    #[test]
    fn layout_table_covers_every_struct() {
        let structs = [
            "ipc64_perm",
            "semid64_ds",
            "msqid64_ds",
            "shmid64_ds",
            "sembuf",
            "msgbuf<0>",
            "mq_attr",
            "sigevent",
            "signalfd_siginfo",
            "seminfo",
            "msginfo",
            "shminfo64",
            "shm_info",
        ];
        for name in structs {
            assert!(
                KERNEL_LAYOUT
                    .iter()
                    .any(|&(t, f, _, _)| t == name && f == "size"),
                "{name} has no size in the layout table"
            );
        }
        for &(t, f, actual, expected) in KERNEL_LAYOUT {
            assert_eq!(actual, expected, "{t}.{f}");
        }
    }

    #[test]
    fn constants_match_kernel_headers() {
        // The values of notes/kernel-abi.md and the UAPI headers, including
        // the ones glibc does not export (checked against libc below).
        assert_eq!(
            [IPC_CREAT, IPC_EXCL, IPC_NOWAIT, IPC_64],
            [0o1000, 0o2000, 0o4000, 0x100]
        );
        assert_eq!(
            [MSG_STAT_ANY, SHM_STAT, SHM_INFO, SHM_STAT_ANY],
            [13, 13, 14, 15]
        );
        assert_eq!(MQ_PRIO_MAX, 32768);
        assert_eq!(
            (NOTIFY_COOKIE_LEN, NOTIFY_WOKENUP, NOTIFY_REMOVED),
            (32, 1, 2)
        );
        // Every `sem_flg` bit fits the `i16` field.
        assert_eq!(
            i32::from((IPC_NOWAIT | SEM_UNDO) as i16),
            IPC_NOWAIT | SEM_UNDO
        );
        assert_eq!(size_of_val(&msgbuf::<5>::new(1).mtext), 5);
    }

    #[cfg(target_arch = "x86")]
    #[test]
    fn ipc_call_numbers() {
        assert_eq!([SEMOP, SEMGET, SEMCTL, SEMTIMEDOP], [1, 2, 3, 4]);
        assert_eq!([MSGSND, MSGRCV, MSGGET, MSGCTL], [11, 12, 13, 14]);
        assert_eq!([SHMAT, SHMDT, SHMGET, SHMCTL], [21, 22, 23, 24]);
        assert_eq!(ipccall(1, MSGRCV), 0x1_000c);
    }

    /// Round trips through the running kernel (through qemu-user's
    /// translation on the emulated targets): each struct is filled by the
    /// kernel and the fields land where this file says they are.
    /// The layouts through the running kernel, via the backend's SysV
    /// calls (so on i686 also through the `ipc()` route, see
    /// [`ipc_route_gives_the_same_layouts`]).
    #[cfg(all(feature = "shm", feature = "mq", feature = "sem"))]
    mod kernel {
        use core::ffi::c_ulong;

        use super::super::*;
        use crate::backend::sysv::{self, SemValCmd, ShmCmd, StatCmd};

        fn pid() -> i32 {
            rustix::process::getpid().as_raw_nonzero().get()
        }

        fn uid() -> u32 {
            rustix::process::getuid().as_raw()
        }

        fn gid() -> u32 {
            rustix::process::getgid().as_raw()
        }

        /// Removes a SysV object on drop, so a failed assertion leaks
        /// nothing.
        enum Rmid {
            Sem(c_int),
            Msg(c_int),
            Shm(c_int),
        }

        impl Drop for Rmid {
            fn drop(&mut self) {
                match *self {
                    Self::Sem(id) => sysv::semctl_val(id, 0, SemValCmd::Rmid).map(drop),
                    Self::Msg(id) => sysv::msgctl_rmid(id),
                    Self::Shm(id) => sysv::shmctl_cmd(id, ShmCmd::Rmid),
                }
                .unwrap();
            }
        }

        fn check_perm(perm: &ipc64_perm) {
            assert_eq!(perm.key, IPC_PRIVATE);
            assert_eq!([perm.uid, perm.cuid], [uid(); 2]);
            assert_eq!([perm.gid, perm.cgid], [gid(); 2]);
            assert_eq!(perm.mode & 0o777, 0o600);
            assert_eq!(perm.__unused1 | perm.__unused2, 0);
        }

        #[test]
        fn semid64_ds_and_seminfo() {
            sem_layouts();
        }

        pub(super) fn sem_layouts() {
            let id = sysv::semget(IPC_PRIVATE, 3, IPC_CREAT | 0o600).unwrap();
            let _rm = Rmid::Sem(id);

            let mut ds = semid64_ds::default();
            sysv::semctl_stat(id, StatCmd::Id, &mut ds).unwrap();
            check_perm(&ds.sem_perm);
            assert_eq!(ds.sem_nsems, 3);
            assert_eq!(ds.sem_otime, 0);
            assert_ne!(ds.sem_ctime, 0);
            #[cfg(target_pointer_width = "32")]
            assert_eq!([ds.sem_otime_high, ds.sem_ctime_high], [0, 0]);
            assert_eq!(ds.__unused3 | ds.__unused4, 0);

            let mut info = seminfo::default();
            sysv::semctl_info(false, &mut info).unwrap();
            // Compile-time constants of ipc/sem.c, unlike the sysctl limits.
            assert_eq!(
                [info.semvmx, info.semaem, info.semusz],
                [SEMVMX, SEMVMX, 20]
            );
            assert!(info.semmsl > 0 && info.semopm > 0 && info.semmni > 0);
        }

        #[test]
        fn msqid64_ds_msginfo_and_msgbuf() {
            msg_layouts();
        }

        pub(super) fn msg_layouts() {
            let id = sysv::msgget(IPC_PRIVATE, IPC_CREAT | 0o600).unwrap();
            let _rm = Rmid::Msg(id);

            let mut info = msginfo::default();
            sysv::msgctl_info(false, &mut info).unwrap();
            // MSGSSZ and MSGSEG are compile-time constants of ipc/msg.c.
            assert_eq!((info.msgssz, info.msgseg), (16, 0xffff));
            assert!(info.msgmax > 0 && info.msgmni > 0);

            let mut ds = msqid64_ds::default();
            sysv::msgctl_stat(id, StatCmd::Id, &mut ds).unwrap();
            check_perm(&ds.msg_perm);
            // A new queue's byte limit is the namespace's msgmnb.
            assert_eq!(ds.msg_qbytes, info.msgmnb as c_ulong);
            assert_eq!((ds.msg_cbytes, ds.msg_qnum, ds.msg_lspid), (0, 0, 0));

            let mut msg = msgbuf::<5>::new(7);
            msg.mtext = *b"hello";
            sysv::msgsnd(id, &msg, 5, IPC_NOWAIT).unwrap();
            sysv::msgctl_stat(id, StatCmd::Id, &mut ds).unwrap();
            assert_eq!((ds.msg_cbytes, ds.msg_qnum), (5, 1));
            assert_eq!((ds.msg_lspid, ds.msg_lrpid), (pid(), 0));
            assert_ne!(ds.msg_stime, 0);
            assert_eq!(ds.msg_rtime, 0);

            let mut back = msgbuf::<8>::new(0);
            let n = sysv::msgrcv(id, &mut back, 8, 0, IPC_NOWAIT).unwrap();
            assert_eq!((back.mtype, &back.mtext[..n]), (7, &b"hello"[..]));
            sysv::msgctl_stat(id, StatCmd::Id, &mut ds).unwrap();
            assert_eq!((ds.msg_cbytes, ds.msg_qnum), (0, 0));
            // qemu-user without the October 2025 fix ("linux-user: fix
            // layout of struct target_msq_id_ds"; 7.2 here) gives a 64-bit
            // guest's msg_lspid/msg_lrpid 8 bytes each, so it writes lrpid
            // at 104, over `__unused4`. The kernel (checked natively on
            // x86_64) and glibc put it at 100.
            #[cfg(all(target_pointer_width = "64", not(target_arch = "x86_64")))]
            let old_qemu = ds.msg_lrpid == 0 && ds.__unused4 == pid() as c_ulong;
            #[cfg(not(all(target_pointer_width = "64", not(target_arch = "x86_64"))))]
            let old_qemu = false;
            assert!(ds.msg_lrpid == pid() || old_qemu, "{ds:?}");
        }

        #[test]
        fn shmid64_ds_shminfo64_and_shm_info() {
            shm_layouts();
        }

        pub(super) fn shm_layouts() {
            const SIZE: usize = 8192;
            let id = sysv::shmget(IPC_PRIVATE, SIZE, IPC_CREAT | 0o600).unwrap();
            let _rm = Rmid::Shm(id);

            let mut ds = shmid64_ds::default();
            sysv::shmctl_stat(id, StatCmd::Id, &mut ds).unwrap();
            check_perm(&ds.shm_perm);
            assert_eq!(ds.shm_segsz as usize, SIZE);
            assert_eq!((ds.shm_cpid, ds.shm_lpid, ds.shm_nattch), (pid(), 0, 0));
            assert_eq!(ds.shm_atime, 0);
            assert_ne!(ds.shm_ctime, 0);

            // SAFETY: a null address lets the kernel choose where to map
            // the segment; nothing in this process refers to that range.
            let addr = unsafe { sysv::shmat(id, core::ptr::null_mut(), 0) }.unwrap();
            sysv::shmctl_stat(id, StatCmd::Id, &mut ds).unwrap();
            assert_eq!((ds.shm_lpid, ds.shm_nattch), (pid(), 1));
            assert_ne!(ds.shm_atime, 0);
            // SAFETY: `addr` is the attachment made above, unused since.
            unsafe { sysv::shmdt(addr) }.unwrap();
            sysv::shmctl_stat(id, StatCmd::Id, &mut ds).unwrap();
            assert_eq!(ds.shm_nattch, 0);
            assert_ne!(ds.shm_dtime, 0);

            let mut info = shminfo64::default();
            sysv::shmctl_ipc_info(&mut info).unwrap();
            // ipc/shm.c reports SHMMIN (1) and copies shmmni into shmseg.
            assert_eq!(info.shmmin, 1);
            assert_eq!(info.shmseg, info.shmmni);
            assert!(info.shmmax > 0 && info.shmmni > 0 && info.shmall > 0);
            assert_eq!(info.__unused1 | info.__unused4, 0);

            let mut usage = shm_info::default();
            sysv::shmctl_shm_info(&mut usage).unwrap();
            assert!(usage.used_ids >= 1);
            // In pages: our 8 KiB segment is at least one.
            assert!(usage.shm_tot >= 1);
        }

        #[test]
        fn sem_values_and_operations() {
            sem_ops();
        }

        /// SETALL/GETALL, semop and semtimedop: the calls whose arguments
        /// differ most between the routes.
        pub(super) fn sem_ops() {
            let id = sysv::semget(IPC_PRIVATE, 2, IPC_CREAT | 0o600).unwrap();
            let _rm = Rmid::Sem(id);
            // A local, not `&[1, 2]`: qemu-user 7.2 checks SETALL's array
            // for write access, so a promoted constant in read-only memory
            // gets EFAULT there (the kernel only reads it).
            let init = [1, 2];
            sysv::semctl_setall(id, &init).unwrap();
            assert_eq!(sysv::semctl_setall(id, &[1]), Err(rustix::io::Errno::INVAL));
            let mut vals = [9u16; 3];
            assert_eq!(sysv::semctl_getall(id, &mut vals), Ok(2));
            assert_eq!(vals, [1, 2, 9], "nothing written past the set");
            assert_eq!(
                sysv::semctl_getall(id, &mut [0; 1]),
                Err(rustix::io::Errno::RANGE)
            );

            let op = |num, op| sembuf {
                sem_num: num,
                sem_op: op,
                sem_flg: 0,
            };
            sysv::semtimedop(id, &[op(0, -1), op(1, 3)], None).unwrap();
            let get = |num| sysv::semctl_val(id, num, SemValCmd::GetVal).unwrap();
            assert_eq!((get(0), get(1)), (0, 5));
            assert_eq!(sysv::semctl_val(id, 1, SemValCmd::GetPid), Ok(pid()));
            // Semaphore 0 is 0: a decrement waits, and the timeout ends it.
            let timeout = Some(core::time::Duration::from_millis(1));
            assert_eq!(
                sysv::semtimedop(id, &[op(0, -1)], timeout),
                Err(rustix::io::Errno::AGAIN)
            );
            sysv::semctl_val(id, 0, SemValCmd::SetVal(4)).unwrap();
            sysv::semtimedop(id, &[op(0, -4)], timeout).unwrap();
            assert_eq!(get(0), 0);
        }

        /// The same checks through i386's `ipc()` multiplexer, whose `*ctl`
        /// commands take `IPC_64` and whose `SHMAT` returns the address
        /// through memory.
        #[cfg(target_arch = "x86")]
        #[test]
        fn ipc_route_gives_the_same_layouts() {
            sysv::force_ipc_route(true);
            let _back = Restore;
            sem_layouts();
            sem_ops();
            msg_layouts();
            shm_layouts();
        }

        /// Puts the direct route back, even when an assertion fails.
        #[cfg(target_arch = "x86")]
        struct Restore;

        #[cfg(target_arch = "x86")]
        impl Drop for Restore {
            fn drop(&mut self) {
                sysv::force_ipc_route(false);
            }
        }
    }

    /// The same layouts and constants as glibc sees them, through the
    /// `libc` crate's definitions for this target.
    #[cfg(target_env = "gnu")]
    mod glibc {
        use super::super::*;

        /// Asserts that field `$cf` of libc's type and field `$kf` of ours
        /// sit at the same offset.
        macro_rules! same_offset {
            ($c:ty, $cf:ident, $k:ty, $kf:ident) => {
                assert_eq!(
                    offset_of!($c, $cf),
                    offset_of!($k, $kf),
                    concat!(stringify!($c), ".", stringify!($cf))
                )
            };
        }

        /// The size of a field, read from the type alone.
        fn field_size<T, F>(_: fn(&T) -> &F) -> usize {
            size_of::<F>()
        }

        /// glibc's 32-bit arches have a time32 and a time64 ABI; only the
        /// former (the `libc` crate's default) shares the kernel's layout,
        /// since glibc converts to and from its time64 structs.
        fn time32_or_64bit() -> bool {
            size_of::<libc::time_t>() == size_of::<c_ulong>()
        }

        #[test]
        fn ipc_perm() {
            assert_eq!(size_of::<libc::ipc_perm>(), size_of::<ipc64_perm>());
            same_offset!(libc::ipc_perm, __key, ipc64_perm, key);
            same_offset!(libc::ipc_perm, uid, ipc64_perm, uid);
            same_offset!(libc::ipc_perm, gid, ipc64_perm, gid);
            same_offset!(libc::ipc_perm, cuid, ipc64_perm, cuid);
            same_offset!(libc::ipc_perm, cgid, ipc64_perm, cgid);
            same_offset!(libc::ipc_perm, mode, ipc64_perm, mode);
            same_offset!(libc::ipc_perm, __seq, ipc64_perm, seq);
            assert_eq!(field_size(|p: &libc::ipc_perm| &p.__seq), 2);
            // `libc` declares `mode` as u16 + u16 padding on every gnu arch;
            // the kernel's is u32 on 64-bit: same offset, same low half on
            // little-endian, so only arm and i386 compare equal in size.
            #[cfg(target_pointer_width = "32")]
            assert_eq!(
                field_size(|p: &libc::ipc_perm| &p.mode),
                size_of::<__kernel_mode_t>()
            );
        }

        #[test]
        fn semid_ds() {
            if !time32_or_64bit() {
                return;
            }
            assert_eq!(size_of::<libc::semid_ds>(), size_of::<semid64_ds>());
            same_offset!(libc::semid_ds, sem_perm, semid64_ds, sem_perm);
            same_offset!(libc::semid_ds, sem_otime, semid64_ds, sem_otime);
            same_offset!(libc::semid_ds, sem_ctime, semid64_ds, sem_ctime);
            same_offset!(libc::semid_ds, sem_nsems, semid64_ds, sem_nsems);
            assert_eq!(
                field_size(|d: &libc::semid_ds| &d.sem_nsems),
                field_size(|d: &semid64_ds| &d.sem_nsems)
            );
        }

        #[test]
        fn msqid_ds() {
            if !time32_or_64bit() {
                return;
            }
            assert_eq!(size_of::<libc::msqid_ds>(), size_of::<msqid64_ds>());
            same_offset!(libc::msqid_ds, msg_perm, msqid64_ds, msg_perm);
            same_offset!(libc::msqid_ds, msg_stime, msqid64_ds, msg_stime);
            same_offset!(libc::msqid_ds, msg_rtime, msqid64_ds, msg_rtime);
            same_offset!(libc::msqid_ds, msg_ctime, msqid64_ds, msg_ctime);
            same_offset!(libc::msqid_ds, __msg_cbytes, msqid64_ds, msg_cbytes);
            same_offset!(libc::msqid_ds, msg_qnum, msqid64_ds, msg_qnum);
            same_offset!(libc::msqid_ds, msg_qbytes, msqid64_ds, msg_qbytes);
            same_offset!(libc::msqid_ds, msg_lspid, msqid64_ds, msg_lspid);
            same_offset!(libc::msqid_ds, msg_lrpid, msqid64_ds, msg_lrpid);
            assert_eq!(
                field_size(|d: &libc::msqid_ds| &d.msg_qbytes),
                field_size(|d: &msqid64_ds| &d.msg_qbytes)
            );
        }

        #[test]
        fn shmid_ds() {
            if !time32_or_64bit() {
                return;
            }
            assert_eq!(size_of::<libc::shmid_ds>(), size_of::<shmid64_ds>());
            same_offset!(libc::shmid_ds, shm_perm, shmid64_ds, shm_perm);
            same_offset!(libc::shmid_ds, shm_segsz, shmid64_ds, shm_segsz);
            same_offset!(libc::shmid_ds, shm_atime, shmid64_ds, shm_atime);
            same_offset!(libc::shmid_ds, shm_dtime, shmid64_ds, shm_dtime);
            same_offset!(libc::shmid_ds, shm_ctime, shmid64_ds, shm_ctime);
            same_offset!(libc::shmid_ds, shm_cpid, shmid64_ds, shm_cpid);
            same_offset!(libc::shmid_ds, shm_lpid, shmid64_ds, shm_lpid);
            same_offset!(libc::shmid_ds, shm_nattch, shmid64_ds, shm_nattch);
            assert_eq!(
                field_size(|d: &libc::shmid_ds| &d.shm_nattch),
                field_size(|d: &shmid64_ds| &d.shm_nattch)
            );
        }

        #[test]
        fn sembuf_and_mq_attr() {
            assert_eq!(size_of::<libc::sembuf>(), size_of::<sembuf>());
            same_offset!(libc::sembuf, sem_num, sembuf, sem_num);
            same_offset!(libc::sembuf, sem_op, sembuf, sem_op);
            same_offset!(libc::sembuf, sem_flg, sembuf, sem_flg);

            assert_eq!(size_of::<libc::mq_attr>(), size_of::<mq_attr>());
            same_offset!(libc::mq_attr, mq_flags, mq_attr, mq_flags);
            same_offset!(libc::mq_attr, mq_maxmsg, mq_attr, mq_maxmsg);
            same_offset!(libc::mq_attr, mq_msgsize, mq_attr, mq_msgsize);
            same_offset!(libc::mq_attr, mq_curmsgs, mq_attr, mq_curmsgs);

            // linux-raw-sys's, checked here because mq_notify passes it.
            assert_eq!(size_of::<libc::sigevent>(), size_of::<sigevent>());
            same_offset!(libc::sigevent, sigev_value, sigevent, sigev_value);
            same_offset!(libc::sigevent, sigev_signo, sigevent, sigev_signo);
            same_offset!(libc::sigevent, sigev_notify, sigevent, sigev_notify);
        }

        #[test]
        fn signalfd_siginfo() {
            type K = super::super::signalfd_siginfo;
            type L = libc::signalfd_siginfo;
            assert_eq!(size_of::<L>(), size_of::<K>());
            same_offset!(L, ssi_signo, K, ssi_signo);
            same_offset!(L, ssi_errno, K, ssi_errno);
            same_offset!(L, ssi_code, K, ssi_code);
            same_offset!(L, ssi_pid, K, ssi_pid);
            same_offset!(L, ssi_uid, K, ssi_uid);
            same_offset!(L, ssi_fd, K, ssi_fd);
            same_offset!(L, ssi_tid, K, ssi_tid);
            same_offset!(L, ssi_band, K, ssi_band);
            same_offset!(L, ssi_overrun, K, ssi_overrun);
            same_offset!(L, ssi_trapno, K, ssi_trapno);
            same_offset!(L, ssi_status, K, ssi_status);
            same_offset!(L, ssi_int, K, ssi_int);
            same_offset!(L, ssi_ptr, K, ssi_ptr);
            same_offset!(L, ssi_utime, K, ssi_utime);
            same_offset!(L, ssi_stime, K, ssi_stime);
            same_offset!(L, ssi_addr, K, ssi_addr);
            same_offset!(L, ssi_addr_lsb, K, ssi_addr_lsb);
            same_offset!(L, ssi_syscall, K, ssi_syscall);
            same_offset!(L, ssi_call_addr, K, ssi_call_addr);
            same_offset!(L, ssi_arch, K, ssi_arch);
            // `libc` has no ssi_perf_type/ssi_perf_data (Linux 6.6): they sit
            // in its trailing padding.
        }

        #[test]
        fn seminfo_and_msginfo() {
            assert_eq!(size_of::<libc::seminfo>(), size_of::<seminfo>());
            same_offset!(libc::seminfo, semmap, seminfo, semmap);
            same_offset!(libc::seminfo, semmni, seminfo, semmni);
            same_offset!(libc::seminfo, semmns, seminfo, semmns);
            same_offset!(libc::seminfo, semmnu, seminfo, semmnu);
            same_offset!(libc::seminfo, semmsl, seminfo, semmsl);
            same_offset!(libc::seminfo, semopm, seminfo, semopm);
            same_offset!(libc::seminfo, semume, seminfo, semume);
            same_offset!(libc::seminfo, semusz, seminfo, semusz);
            same_offset!(libc::seminfo, semvmx, seminfo, semvmx);
            same_offset!(libc::seminfo, semaem, seminfo, semaem);

            assert_eq!(size_of::<libc::msginfo>(), size_of::<msginfo>());
            same_offset!(libc::msginfo, msgpool, msginfo, msgpool);
            same_offset!(libc::msginfo, msgmap, msginfo, msgmap);
            same_offset!(libc::msginfo, msgmax, msginfo, msgmax);
            same_offset!(libc::msginfo, msgmnb, msginfo, msgmnb);
            same_offset!(libc::msginfo, msgmni, msginfo, msgmni);
            same_offset!(libc::msginfo, msgssz, msginfo, msgssz);
            same_offset!(libc::msginfo, msgtql, msginfo, msgtql);
            same_offset!(libc::msginfo, msgseg, msginfo, msgseg);
            // `libc` 0.2.191 has no shminfo or shm_info for Linux: those two
            // are checked against the kernel only.
        }

        #[test]
        fn constants() {
            assert_eq!(IPC_PRIVATE, libc::IPC_PRIVATE);
            assert_eq!(IPC_CREAT, libc::IPC_CREAT);
            assert_eq!(IPC_EXCL, libc::IPC_EXCL);
            assert_eq!(IPC_NOWAIT, libc::IPC_NOWAIT);
            assert_eq!(IPC_RMID, libc::IPC_RMID);
            assert_eq!(IPC_SET, libc::IPC_SET);
            assert_eq!(IPC_STAT, libc::IPC_STAT);
            assert_eq!(IPC_INFO, libc::IPC_INFO);
            assert_eq!(SEM_UNDO, libc::SEM_UNDO);
            assert_eq!(GETPID, libc::GETPID);
            assert_eq!(GETVAL, libc::GETVAL);
            assert_eq!(GETALL, libc::GETALL);
            assert_eq!(GETNCNT, libc::GETNCNT);
            assert_eq!(GETZCNT, libc::GETZCNT);
            assert_eq!(SETVAL, libc::SETVAL);
            assert_eq!(SETALL, libc::SETALL);
            assert_eq!(SEM_STAT, libc::SEM_STAT);
            assert_eq!(SEM_INFO, libc::SEM_INFO);
            assert_eq!(SEM_STAT_ANY, libc::SEM_STAT_ANY);
            assert_eq!(MSG_NOERROR, libc::MSG_NOERROR);
            assert_eq!(MSG_EXCEPT, libc::MSG_EXCEPT);
            assert_eq!(MSG_COPY, libc::MSG_COPY);
            assert_eq!(MSG_STAT, libc::MSG_STAT);
            assert_eq!(MSG_INFO, libc::MSG_INFO);
            assert_eq!(SHM_RDONLY, libc::SHM_RDONLY);
            assert_eq!(SHM_RND, libc::SHM_RND);
            assert_eq!(SHM_REMAP, libc::SHM_REMAP);
            assert_eq!(SHM_EXEC, libc::SHM_EXEC);
            assert_eq!(SHM_HUGETLB, libc::SHM_HUGETLB);
            assert_eq!(SHM_NORESERVE, libc::SHM_NORESERVE);
            assert_eq!(SHM_LOCK, libc::SHM_LOCK);
            assert_eq!(SHM_UNLOCK, libc::SHM_UNLOCK);
            assert_eq!(SFD_CLOEXEC, libc::SFD_CLOEXEC);
            assert_eq!(SFD_NONBLOCK, libc::SFD_NONBLOCK);
            // `libc` lacks IPC_64, MSG_STAT_ANY, SHM_STAT, SHM_INFO,
            // SHM_STAT_ANY, SHM_DEST, SHM_LOCKED, SEMVMX and MQ_PRIO_MAX:
            // they are checked against the headers above, and IPC_64,
            // SHM_INFO and SEMVMX also by the kernel round trips.
        }
    }
}
