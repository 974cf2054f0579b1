//! POSIX message queues: named queues of prioritised messages behind a
//! pollable file descriptor.
//!
//! [`create`] makes a queue (mode `0o600`, optionally with its
//! [`Capacity`]), [`open`] opens an existing one, [`Mq::send`] and
//! [`Mq::receive`] move whole messages, highest [`Priority`] first and in
//! FIFO order within one priority, and [`unlink`] removes the name. The
//! syscalls need no mounted file system (`/dev/mqueue` is only a view).
//!
//! ```no_run
//! # #[cfg(feature = "std")] fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::process::Command;
//! use bareipc::mq::posix::{self, Access, OpenFlags, Priority};
//!
//! if std::env::var_os("JOBS_CHILD").is_some() {
//!     // The child: opens the queue by name and sends one message.
//!     let jobs = posix::open("/jobs-demo", Access::WriteOnly, OpenFlags::empty())?;
//!     jobs.send(b"resize 42.png", Priority::new(7)?)?;
//!     return Ok(());
//! }
//! // The parent: creates the queue (0o600; one that exists is EEXIST),
//! // starts the child (here: this program again) and waits for its message.
//! let jobs = posix::create("/jobs-demo", Access::ReadOnly, posix::DEFAULT_MODE, None)?;
//! let _unlink = posix::UnlinkOnDrop::new("/jobs-demo")?;
//! let mut child = Command::new(std::env::current_exe()?).env("JOBS_CHILD", "1").spawn()?;
//! // The buffer must hold the largest message the queue accepts.
//! let mut buf = [0u8; 8192];
//! let (len, prio) = jobs.receive(&mut buf[..jobs.attr()?.message_size])?;
//! assert_eq!((&buf[..len], prio.get()), (&b"resize 42.png"[..], 7));
//! child.wait()?;
//! # Ok(()) }
//! # #[cfg(not(feature = "std"))] fn main() {}
//! ```
//!
//! # Names
//! A name is a `/`, then 1 to [`NAME_MAX`] (255) bytes with no other `/`
//! and no NUL, and not `.` or `..`. A bad name gets the errno a C program
//! gets from glibc and the kernel, before any syscall: no leading `/` is
//! [`Errno::INVAL`] (glibc's check), `/` alone [`Errno::NOENT`], another
//! `/` or a name of `.` or `..` [`Errno::ACCESS`], more than 255 bytes
//! [`Errno::NAMETOOLONG`] (and a NUL, which a C string cannot hold,
//! `EINVAL`). The kernel takes the name without its slash; this crate
//! strips it, as libc does. Names live in the caller's IPC namespace.
//!
//! # The descriptor
//! An [`Mq`] owns a file descriptor, which the kernel always makes
//! close-on-exec. It works with `poll`, `select` and `epoll`: readable
//! while the queue holds a message, writable while it has room.
//!
//! ```
//! # fn main() -> bareipc::Result<()> {
//! use bareipc::mq::posix::{self, Access, Capacity, Priority};
//! use bareipc::poll::{PollFd, PollFlags, poll};
//! use core::time::Duration;
//!
//! # let name = format!("/bareipc-doc-poll-{}", std::process::id());
//! let cap = Capacity { max_messages: 1, message_size: 16 };
//! let q = posix::create(&name, Access::ReadWrite, posix::DEFAULT_MODE, Some(cap))?;
//! posix::unlink(&name)?; // the descriptor keeps the queue alive
//! let mut fds = [PollFd::new(&q, PollFlags::IN | PollFlags::OUT)];
//! poll(&mut fds, Some(Duration::ZERO))?;
//! assert_eq!(fds[0].revents(), PollFlags::OUT); // empty: room, nothing to read
//! q.send(b"x", Priority::MIN)?;
//! poll(&mut fds, Some(Duration::ZERO))?;
//! assert_eq!(fds[0].revents(), PollFlags::IN); // full: a message, no room
//! # Ok(()) }
//! ```
//!
//! # Timeouts
//! The `*_timeout` methods take a [`Duration`]; the kernel wants an
//! absolute deadline on `CLOCK_REALTIME` (unlike `semtimedop` and `futex`,
//! which take relative timeouts), so they read the clock and add the
//! duration. A change of the wall clock while waiting moves the deadline
//! with it. The `*_until` methods take the absolute deadline themselves,
//! which keeps a retry after [`Errno::INTR`] from extending the wait. A
//! deadline already past fails at once with [`Errno::TIMEDOUT`] if the
//! call would have to wait.
//!
//! On 32-bit arches the timed calls are `mq_timedsend_time64` and
//! `mq_timedreceive_time64` (Linux 5.1); on an older kernel the first
//! `ENOSYS` switches the process to the old calls, whose deadline
//! saturates at 2038-01-19.
//!
//! # Non-blocking mode
//! With [`OpenFlags::NONBLOCK`], or after
//! [`set_nonblocking`](Mq::set_nonblocking), a send to a full queue and a receive from
//! an empty one fail with [`Errno::AGAIN`] instead of waiting. The mode
//! belongs to the open file description (shared by `dup`s and inherited
//! copies), not to the queue.
//!
//! # Notification
//! [`Mq::notify`] asks the kernel to tell one process when a message
//! arrives in the empty queue: by a signal carrying a value, or by a
//! message on a [`NotifySocket`] (the kernel mechanism behind libc's
//! `SIGEV_THREAD`, here without the thread: poll the socket yourself).
//! Details on [`Mq::notify`].
//!
//! [`Errno::INVAL`]: crate::Errno::INVAL
//! [`Errno::NAMETOOLONG`]: crate::Errno::NAMETOOLONG
//! [`Errno::INTR`]: crate::Errno::INTR
//! [`Errno::TIMEDOUT`]: crate::Errno::TIMEDOUT
//! [`Errno::AGAIN`]: crate::Errno::AGAIN

use core::ffi::{CStr, c_int, c_long, c_uint};
use core::fmt;
use core::time::Duration;

use linux_raw_sys::general as g;
use rustix::fd::{AsFd, OwnedFd};
use rustix::net::{AddressFamily, RecvFlags, SocketFlags, SocketType};
use rustix::time::{ClockId, Timespec};

use crate::signal::{SigVal, Signal};
#[doc(no_inline)]
pub use rustix::fs::Mode;

use crate::backend::mq as raw;
use crate::backend::types::{
    MQ_PRIO_MAX, NOTIFY_COOKIE_LEN, NOTIFY_REMOVED, NOTIFY_WOKENUP, mq_attr,
};
use crate::{Errno, Result};

/// The longest name, in bytes after the leading `/` (`NAME_MAX`).
pub const NAME_MAX: usize = crate::posix_name::NAME_MAX;

/// The mode [`create`] gives a new queue: read and write for the owner.
pub const DEFAULT_MODE: Mode = Mode::from_bits_retain(0o600);

// ---------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------

/// A validated queue name, NUL-terminated in a buffer of its own, so the
/// kernel gets a pointer just past the slash with the slash before it.
#[derive(Clone)]
struct Name {
    buf: [u8; NAME_MAX + 2],
    /// Bytes of the name, the slash included, the NUL not.
    len: usize,
}

impl Name {
    fn new(name: &[u8]) -> Result<Name> {
        crate::posix_name::mq_name(name)?;
        let mut buf = [0; NAME_MAX + 2];
        buf[..name.len()].copy_from_slice(name);
        Ok(Name {
            buf,
            len: name.len(),
        })
    }

    fn as_c_str(&self) -> Result<&CStr> {
        // Cannot fail: `new` put a NUL after the name and none inside it.
        CStr::from_bytes_with_nul(&self.buf[..=self.len]).map_err(|_| Errno::INVAL)
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.as_c_str().unwrap_or_default(), f)
    }
}

// ---------------------------------------------------------------------------
// Opening
// ---------------------------------------------------------------------------

/// Which of send and receive a handle may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Access {
    /// `O_RDONLY`: receive only.
    ReadOnly,
    /// `O_WRONLY`: send only.
    WriteOnly,
    /// `O_RDWR`: both.
    ReadWrite,
}

impl Access {
    fn oflag(self) -> c_int {
        (match self {
            Access::ReadOnly => g::O_RDONLY,
            Access::WriteOnly => g::O_WRONLY,
            Access::ReadWrite => g::O_RDWR,
        }) as c_int
    }
}

bitflags::bitflags! {
    /// Options for [`open`] and [`open_with`]. Every queue descriptor is
    /// close-on-exec; that is not a flag here.
    #[repr(transparent)]
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct OpenFlags: u32 {
        /// `O_NONBLOCK`: sends to a full queue and receives from an empty
        /// one fail with `EAGAIN` instead of waiting.
        const NONBLOCK = linux_raw_sys::general::O_NONBLOCK;
        /// `O_CREAT`, for [`open_with`]: create the queue if the name has
        /// none.
        const CREATE = linux_raw_sys::general::O_CREAT;
        /// `O_EXCL`, with `CREATE`: fail with `EEXIST` if the name exists.
        /// Without `CREATE` it is refused with `EINVAL` (the kernel would
        /// ignore it).
        const EXCLUSIVE = linux_raw_sys::general::O_EXCL;
    }
}

/// The size of a new queue, for [`create`].
///
/// Without one the kernel uses the namespace's defaults,
/// `/proc/sys/fs/mqueue/msg_default` messages of `msgsize_default` bytes
/// (10 and 8192 unless changed). Beyond `msg_max` / `msgsize_max` (10 and
/// 8192 by default) only a process with `CAP_SYS_RESOURCE` may go.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Capacity {
    /// `mq_maxmsg`: how many messages the queue holds; at least 1.
    pub max_messages: usize,
    /// `mq_msgsize`: the largest message in bytes; at least 1.
    pub message_size: usize,
}

/// `mq_open(name, access | flags, mode, attr)` — opens or creates a queue:
/// the one call behind [`open`], [`create`] and [`open_or_create`].
///
/// With [`OpenFlags::CREATE`] a new queue gets `mode` less the umask
/// (only read and write bits mean anything for a queue) and `capacity`,
/// or the kernel's defaults for `None`; an existing queue is opened as it
/// is (its capacity and mode do not change, and `capacity` is not checked
/// against it). Without `CREATE`, `mode` and `capacity` are not used.
///
/// Syscalls: `mq_open`; none for a bad name, flags, mode or capacity.
///
/// # Errors
/// - [`Errno::INVAL`](crate::Errno::INVAL): a bad name (see
///   [Names](self#names)), `EXCLUSIVE` without `CREATE`, bits of `flags`
///   that are not [`OpenFlags`], `mode` bits outside `0o777`, or a capacity
///   that does not fit a C `long` (all before the syscall); or, from the
///   kernel, a capacity of 0, or beyond `msg_max`/`msgsize_max` without
///   `CAP_SYS_RESOURCE`.
/// - [`Errno::NAMETOOLONG`](crate::Errno::NAMETOOLONG): a name longer than
///   [`NAME_MAX`] bytes after the slash.
/// - [`Errno::NOENT`](crate::Errno::NOENT): no queue has this name, and
///   no `CREATE`.
/// - [`Errno::EXIST`](crate::Errno::EXIST): `CREATE | EXCLUSIVE` and the
///   name exists.
/// - [`Errno::ACCESS`](crate::Errno::ACCESS): the queue exists and its
///   mode does not allow `access`.
/// - [`Errno::MFILE`](crate::Errno::MFILE): the queue would exceed the
///   owner's `RLIMIT_MSGQUEUE` bytes (or the process is out of fds).
/// - [`Errno::NOSPC`](crate::Errno::NOSPC): the namespace has
///   `queues_max` queues already.
/// - [`Errno::OVERFLOW`](crate::Errno::OVERFLOW): the capacity's byte
///   count overflows.
///
/// # References
/// - [mq_open(3)](https://man7.org/linux/man-pages/man3/mq_open.3.html)
/// - [mq_overview(7)](https://man7.org/linux/man-pages/man7/mq_overview.7.html)
#[doc(alias = "mq_open")]
pub fn open_with(
    name: impl AsRef<[u8]>,
    access: Access,
    flags: OpenFlags,
    mode: Mode,
    capacity: Option<Capacity>,
) -> Result<Mq> {
    let name = Name::new(name.as_ref())?;
    crate::flags::only(flags, OpenFlags::all())?;
    crate::flags::only(mode, Mode::from_raw_mode(0o777))?;
    if flags.contains(OpenFlags::EXCLUSIVE) && !flags.contains(OpenFlags::CREATE) {
        return Err(Errno::INVAL);
    }
    let attr = match capacity {
        Some(c) if flags.contains(OpenFlags::CREATE) => Some(mq_attr {
            mq_maxmsg: long(c.max_messages)?,
            mq_msgsize: long(c.message_size)?,
            ..mq_attr::default()
        }),
        _ => None,
    };
    let oflag = access.oflag() | flags.bits() as c_int;
    raw::mq_open(name.as_c_str()?, oflag, mode.bits(), attr.as_ref()).map(Mq)
}

/// `mq_open(name, access | O_CREAT | O_EXCL, mode, attr)` — a new queue;
/// an existing one is `EEXIST`, never silently shared. Pass
/// [`DEFAULT_MODE`] for `0o600` (less the umask); `None` for the kernel's
/// default capacity.
///
/// Syscalls: `mq_open`; none for a bad name, mode or capacity.
///
/// # Examples
/// ```
/// # fn main() -> bareipc::Result<()> {
/// use bareipc::mq::posix::{self, Access, Capacity};
///
/// let name = format!("/bareipc-doc-mq-create-{}", std::process::id());
/// let cap = Capacity { max_messages: 4, message_size: 64 };
/// let q = posix::create(&name, Access::ReadWrite, posix::DEFAULT_MODE, Some(cap))?;
/// let _unlink = posix::UnlinkOnDrop::new(&name)?; // the name outlives processes
/// let again = posix::create(&name, Access::ReadWrite, posix::DEFAULT_MODE, None);
/// assert_eq!(again.err(), Some(bareipc::Errno::EXIST)); // never silently shared
/// assert_eq!((q.attr()?.max_messages, q.attr()?.message_size), (4, 64));
/// # Ok(()) }
/// ```
///
/// # Errors
/// As [`open_with`].
///
/// # References
/// - [mq_open(3)](https://man7.org/linux/man-pages/man3/mq_open.3.html)
#[doc(alias = "mq_open")]
pub fn create(
    name: impl AsRef<[u8]>,
    access: Access,
    mode: Mode,
    capacity: Option<Capacity>,
) -> Result<Mq> {
    let flags = OpenFlags::CREATE | OpenFlags::EXCLUSIVE;
    open_with(name, access, flags, mode, capacity)
}

/// `mq_open(name, access | O_CREAT, mode, attr)` — the queue of `name`,
/// created with `mode` and `capacity` if there is none.
///
/// Syscalls: `mq_open`; none for a bad name, mode or capacity.
///
/// # Errors
/// As [`open_with`].
///
/// # References
/// - [mq_open(3)](https://man7.org/linux/man-pages/man3/mq_open.3.html)
#[doc(alias = "mq_open")]
pub fn open_or_create(
    name: impl AsRef<[u8]>,
    access: Access,
    mode: Mode,
    capacity: Option<Capacity>,
) -> Result<Mq> {
    open_with(name, access, OpenFlags::CREATE, mode, capacity)
}

/// `mq_open(name, access [| O_NONBLOCK])` — open an existing queue.
///
/// Syscalls: `mq_open`; none for a bad name or flags (any but non-blocking).
///
/// # Errors
/// - [`Errno::NOENT`](crate::Errno::NOENT): no queue has this name.
/// - [`Errno::ACCESS`](crate::Errno::ACCESS): its mode does not allow
///   `access`.
/// - [`Errno::INVAL`](crate::Errno::INVAL): a bad name (see
///   [Names](self#names)), or flags other than [`OpenFlags::NONBLOCK`]
///   (use [`open_with`] to create).
/// - [`Errno::NAMETOOLONG`](crate::Errno::NAMETOOLONG): a name longer than
///   [`NAME_MAX`] bytes after the slash.
/// - [`Errno::MFILE`](crate::Errno::MFILE),
///   [`Errno::NFILE`](crate::Errno::NFILE): out of file descriptors.
///
/// # References
/// - [mq_open(3)](https://man7.org/linux/man-pages/man3/mq_open.3.html)
#[doc(alias = "mq_open")]
pub fn open(name: impl AsRef<[u8]>, access: Access, flags: OpenFlags) -> Result<Mq> {
    crate::flags::only(flags, OpenFlags::NONBLOCK)?;
    open_with(name, access, flags, Mode::empty(), None)
}

/// `mq_unlink(name)` — remove a queue's name. Processes that have it open
/// keep using it; the queue and its messages go with the last descriptor.
///
/// Syscalls: `mq_unlink`; none for a bad name.
///
/// # Errors
/// - [`Errno::NOENT`](crate::Errno::NOENT): no queue has this name.
/// - [`Errno::ACCESS`](crate::Errno::ACCESS): the caller may not remove
///   it (the queue directory is sticky: only the owner, or a privileged
///   process, may). The kernel says `EPERM`; glibc, musl and POSIX say
///   `EACCES`, and so does this.
/// - [`Errno::INVAL`](crate::Errno::INVAL),
///   [`Errno::NOENT`](crate::Errno::NOENT),
///   [`Errno::ACCESS`](crate::Errno::ACCESS),
///   [`Errno::NAMETOOLONG`](crate::Errno::NAMETOOLONG): a bad name (see
///   [Names](self#names)).
///
/// # References
/// - [mq_unlink(3)](https://man7.org/linux/man-pages/man3/mq_unlink.3.html)
#[doc(alias = "mq_unlink")]
pub fn unlink(name: impl AsRef<[u8]>) -> Result<()> {
    crate::posix_name::unlink_errno(raw::mq_unlink(Name::new(name.as_ref())?.as_c_str()?))
}

/// Unlinks a queue name when dropped: the opt-in cleanup for the process
/// that created the queue. Errors on drop are ignored (the name may be
/// gone already).
///
/// Syscalls: none until dropped; then `mq_unlink`.
#[must_use = "the name is unlinked when the guard drops"]
#[derive(Debug)]
pub struct UnlinkOnDrop(Name);

impl UnlinkOnDrop {
    /// Guards `name`, validated now.
    ///
    /// Syscalls: none (`mq_unlink` on drop).
    ///
    /// # Errors
    /// [`Errno::INVAL`](crate::Errno::INVAL),
    /// [`Errno::NAMETOOLONG`](crate::Errno::NAMETOOLONG): a bad name.
    ///
    /// # References
    /// - [mq_unlink(3)](https://man7.org/linux/man-pages/man3/mq_unlink.3.html)
    pub fn new(name: impl AsRef<[u8]>) -> Result<UnlinkOnDrop> {
        Name::new(name.as_ref()).map(UnlinkOnDrop)
    }
}

impl Drop for UnlinkOnDrop {
    fn drop(&mut self) {
        if let Ok(name) = self.0.as_c_str() {
            let _ = raw::mq_unlink(name);
        }
    }
}

fn long(v: usize) -> Result<c_long> {
    c_long::try_from(v).map_err(|_| Errno::INVAL)
}

// ---------------------------------------------------------------------------
// Priorities, attributes, deadlines
// ---------------------------------------------------------------------------

/// A message priority, `0..=32767` (below `MQ_PRIO_MAX`). Higher comes out
/// first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Priority(u16);

impl Priority {
    /// Priority 0, the lowest.
    pub const MIN: Priority = Priority(0);
    /// Priority 32767, the highest.
    pub const MAX: Priority = Priority(MQ_PRIO_MAX as u16 - 1);

    /// The priority `p`.
    ///
    /// Syscalls: none.
    ///
    /// # Errors
    /// [`Errno::INVAL`](crate::Errno::INVAL) if `p` ≥ 32768
    /// (`MQ_PRIO_MAX`), as `mq_send` would give.
    ///
    /// # References
    /// - [mq_send(3)](https://man7.org/linux/man-pages/man3/mq_send.3.html)
    #[doc(alias = "MQ_PRIO_MAX")]
    pub const fn new(p: u32) -> Result<Priority> {
        if p < MQ_PRIO_MAX {
            Ok(Priority(p as u16))
        } else {
            Err(Errno::INVAL)
        }
    }

    /// The number.
    pub const fn get(self) -> u32 {
        self.0 as u32
    }
}

/// A queue's attributes (`struct mq_attr`), from [`Mq::attr`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Attr {
    /// `mq_flags & O_NONBLOCK`: this descriptor is non-blocking.
    pub nonblocking: bool,
    /// `mq_maxmsg`: how many messages the queue holds.
    pub max_messages: usize,
    /// `mq_msgsize`: the largest message, and the smallest receive buffer.
    pub message_size: usize,
    /// `mq_curmsgs`: how many messages are queued now.
    pub current_messages: usize,
}

impl From<mq_attr> for Attr {
    fn from(a: mq_attr) -> Attr {
        // The kernel's counts are never negative.
        let count = |v: c_long| usize::try_from(v).unwrap_or(0);
        Attr {
            nonblocking: a.mq_flags & g::O_NONBLOCK as c_long != 0,
            max_messages: count(a.mq_maxmsg),
            message_size: count(a.mq_msgsize),
            current_messages: count(a.mq_curmsgs),
        }
    }
}

/// A deadline that has always passed: the epoch.
///
/// Passed as a copy on the stack, never as the constant's
/// own read-only address: qemu-user writes the deadline back after a
/// successful `mq_timedsend` / `mq_timedreceive`, and fails the call with
/// `EFAULT` (the message already sent or taken) when it cannot.
const PASSED: Timespec = Timespec {
    tv_sec: 0,
    tv_nsec: 0,
};

/// `timeout` from now on `CLOCK_REALTIME`, saturating.
fn deadline_after(timeout: Duration) -> Timespec {
    let now = rustix::time::clock_gettime(ClockId::Realtime);
    crate::backend::time::deadline(now, timeout)
}

/// A caller's absolute deadline for the kernel. The nanoseconds are
/// checked here: a 32-bit kernel, or a 64-bit one serving a 32-bit
/// process, keeps only their low 32 bits, which would turn some invalid
/// values into valid ones. Negative seconds are the kernel's to refuse.
fn caller_deadline(t: &Timespec) -> Result<Timespec> {
    if !(0..1_000_000_000).contains(&t.tv_nsec) {
        return Err(Errno::INVAL);
    }
    Ok(*t)
}

// ---------------------------------------------------------------------------
// The queue
// ---------------------------------------------------------------------------

/// An open POSIX message queue (`mqd_t`): an owned, close-on-exec file
/// descriptor, closed on drop. Closing does not remove the queue.
///
/// Closing any descriptor of the queue in the process that registered
/// for [notification](Mq::notify) cancels the registration.
///
/// Syscalls: none until dropped; then `close`.
#[doc(alias = "mqd_t")]
#[derive(Debug)]
pub struct Mq(OwnedFd);

fd_handle!(Mq);

impl Mq {
    /// `mq_timedsend(mq, msg, len, prio, NULL)` — queue one message; wait
    /// while the queue is full (unless non-blocking).
    ///
    /// A message of 0 bytes is a message. A receiver blocked on the empty
    /// queue gets it directly.
    ///
    /// Syscalls: `mq_timedsend` (`mq_timedsend_time64` on 32-bit arches;
    /// `mq_timedsend` before Linux 5.1).
    ///
    /// # Examples
    /// ```
    /// # fn main() -> bareipc::Result<()> {
    /// use bareipc::mq::posix::{self, Access, Capacity, Priority};
    ///
    /// let name = format!("/bareipc-doc-mq-send-{}", std::process::id());
    /// let cap = Capacity { max_messages: 4, message_size: 16 };
    /// let q = posix::create(&name, Access::ReadWrite, posix::DEFAULT_MODE, Some(cap))?;
    /// posix::unlink(&name)?; // the descriptor keeps the queue alive
    /// q.send(b"routine", Priority::MIN)?;
    /// q.send(b"urgent", Priority::new(9)?)?;
    /// let mut buf = [0u8; 16];
    /// let (n, prio) = q.receive(&mut buf)?; // highest priority first
    /// assert_eq!((&buf[..n], prio.get()), (&b"urgent"[..], 9));
    /// assert_eq!(q.send(&[0; 17], Priority::MIN), Err(bareipc::Errno::MSGSIZE));
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// - [`Errno::MSGSIZE`](crate::Errno::MSGSIZE): `msg` is longer than
    ///   the queue's [`message_size`](Attr::message_size).
    /// - [`Errno::AGAIN`](crate::Errno::AGAIN): non-blocking and the queue
    ///   is full.
    /// - [`Errno::BADF`](crate::Errno::BADF): not opened for writing.
    /// - [`Errno::INTR`](crate::Errno::INTR): a signal handler ran while
    ///   waiting (restarted instead if it was installed with `SA_RESTART`;
    ///   the deadline, being absolute, stays the same).
    /// - [`Errno::NOMEM`](crate::Errno::NOMEM): the kernel could not
    ///   allocate the message.
    ///
    /// # References
    /// - [mq_send(3)](https://man7.org/linux/man-pages/man3/mq_send.3.html)
    #[doc(alias = "mq_send")]
    #[doc(alias = "mq_timedsend")]
    pub fn send(&self, msg: &[u8], prio: Priority) -> Result<()> {
        raw::mq_timedsend(self.0.as_fd(), msg, prio.get(), None)
    }

    /// `mq_timedsend(mq, msg, len, prio, now + timeout)` — [`send`](Self::send),
    /// waiting at most `timeout` for room (see [Timeouts](self#timeouts)).
    ///
    /// Syscalls: `mq_timedsend` (`mq_timedsend_time64` on 32-bit
    /// arches, `mq_timedsend` before Linux 5.1; the clock is read in the
    /// vDSO, which the first deadline of a process looks up with
    /// `prctl(PR_GET_AUXV)`, or before Linux 6.4 by reading
    /// /proc/self/auxv, and without a vDSO by a `clock_gettime` syscall,
    /// `clock_gettime64` on 32-bit).
    ///
    /// # Errors
    /// As [`send`](Self::send), and
    /// [`Errno::TIMEDOUT`](crate::Errno::TIMEDOUT): the queue was still full
    /// at the deadline.
    ///
    /// # References
    /// - [mq_send(3)](https://man7.org/linux/man-pages/man3/mq_send.3.html)
    #[doc(alias = "mq_timedsend")]
    pub fn send_timeout(&self, msg: &[u8], prio: Priority, timeout: Duration) -> Result<()> {
        let deadline = deadline_after(timeout);
        raw::mq_timedsend(self.0.as_fd(), msg, prio.get(), Some(&deadline))
    }

    /// `mq_timedsend(mq, msg, len, prio, deadline)` — [`send`](Self::send),
    /// waiting for room until the absolute `CLOCK_REALTIME` time
    /// `deadline`.
    ///
    /// Syscalls: `mq_timedsend` (`mq_timedsend_time64` on 32-bit arches;
    /// `mq_timedsend` before Linux 5.1); none for an invalid deadline.
    ///
    /// # Errors
    /// As [`send_timeout`](Self::send_timeout), and
    /// [`Errno::INVAL`](crate::Errno::INVAL): `deadline` is not a valid
    /// time, even when the queue has room: nanoseconds outside
    /// `0..1_000_000_000` (checked before the syscall: 32-bit kernels look
    /// at the low 32 bits only) or negative seconds (checked by the
    /// kernel).
    ///
    /// # References
    /// - [mq_send(3)](https://man7.org/linux/man-pages/man3/mq_send.3.html)
    #[doc(alias = "mq_timedsend")]
    pub fn send_until(&self, msg: &[u8], prio: Priority, deadline: &Timespec) -> Result<()> {
        let deadline = caller_deadline(deadline)?;
        raw::mq_timedsend(self.0.as_fd(), msg, prio.get(), Some(&deadline))
    }

    /// `mq_timedreceive(mq, buf, len, &prio, NULL)` — take the oldest
    /// message of the highest priority into `buf`; wait while the queue is
    /// empty (unless non-blocking). Returns its length and priority.
    ///
    /// `buf` must be at least the queue's
    /// [`message_size`](Attr::message_size) long, whatever the length of
    /// the message waiting: the kernel checks the buffer against the
    /// largest message the queue accepts before it looks at the queue,
    /// and refuses rather than truncate, so no message is ever cut or
    /// lost. Read the size once with [`attr`](Self::attr).
    ///
    /// Syscalls: `mq_timedreceive` (`mq_timedreceive_time64` on 32-bit
    /// arches; `mq_timedreceive` before Linux 5.1).
    ///
    /// # Examples
    /// ```
    /// # fn main() -> bareipc::Result<()> {
    /// use bareipc::mq::posix::{self, Access, Capacity, Priority};
    ///
    /// let name = format!("/bareipc-doc-mq-receive-{}", std::process::id());
    /// let cap = Capacity { max_messages: 4, message_size: 128 };
    /// let q = posix::create(&name, Access::ReadWrite, posix::DEFAULT_MODE, Some(cap))?;
    /// let _unlink = posix::UnlinkOnDrop::new(&name)?;
    /// q.send(b"short", Priority::MIN)?;
    /// // The buffer must hold the largest message the queue accepts.
    /// let mut small = [0u8; 64];
    /// assert_eq!(q.receive(&mut small), Err(bareipc::Errno::MSGSIZE));
    /// let mut buf = [0u8; 128];
    /// let (n, _) = q.receive(&mut buf[..q.attr()?.message_size])?;
    /// assert_eq!(&buf[..n], b"short");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// - [`Errno::MSGSIZE`](crate::Errno::MSGSIZE): `buf` is shorter than
    ///   the queue's `message_size`. Nothing was taken.
    /// - [`Errno::AGAIN`](crate::Errno::AGAIN): non-blocking and the queue
    ///   is empty.
    /// - [`Errno::BADF`](crate::Errno::BADF): not opened for reading.
    /// - [`Errno::INTR`](crate::Errno::INTR): a signal handler ran while
    ///   waiting (restarted instead if it was installed with `SA_RESTART`;
    ///   the deadline, being absolute, stays the same).
    ///
    /// # References
    /// - [mq_receive(3)](https://man7.org/linux/man-pages/man3/mq_receive.3.html)
    #[doc(alias = "mq_receive")]
    #[doc(alias = "mq_timedreceive")]
    pub fn receive(&self, buf: &mut [u8]) -> Result<(usize, Priority)> {
        received(raw::mq_timedreceive(self.0.as_fd(), buf, None))
    }

    /// `mq_timedreceive(mq, buf, len, &prio, now + timeout)` —
    /// [`receive`](Self::receive), waiting at most `timeout` for a message
    /// (see [Timeouts](self#timeouts)).
    ///
    /// Syscalls: `mq_timedreceive` (`mq_timedreceive_time64` on 32-bit
    /// arches, `mq_timedreceive` before Linux 5.1; the clock is read in the
    /// vDSO, which the first deadline of a process looks up with
    /// `prctl(PR_GET_AUXV)`, or before Linux 6.4 by reading
    /// /proc/self/auxv, and without a vDSO by a `clock_gettime` syscall,
    /// `clock_gettime64` on 32-bit).
    ///
    /// # Errors
    /// As [`receive`](Self::receive), and
    /// [`Errno::TIMEDOUT`](crate::Errno::TIMEDOUT): the queue was still
    /// empty at the deadline.
    ///
    /// # References
    /// - [mq_receive(3)](https://man7.org/linux/man-pages/man3/mq_receive.3.html)
    #[doc(alias = "mq_timedreceive")]
    pub fn receive_timeout(&self, buf: &mut [u8], timeout: Duration) -> Result<(usize, Priority)> {
        let deadline = deadline_after(timeout);
        received(raw::mq_timedreceive(self.0.as_fd(), buf, Some(&deadline)))
    }

    /// `mq_timedreceive(mq, buf, len, &prio, deadline)` —
    /// [`receive`](Self::receive), waiting for a message until the
    /// absolute `CLOCK_REALTIME` time `deadline`.
    ///
    /// Syscalls: `mq_timedreceive` (`mq_timedreceive_time64` on 32-bit
    /// arches; `mq_timedreceive` before Linux 5.1); none for an invalid
    /// deadline.
    ///
    /// # Errors
    /// As [`receive_timeout`](Self::receive_timeout), and
    /// [`Errno::INVAL`](crate::Errno::INVAL): `deadline` is not a valid
    /// time, even when a message waits (see
    /// [`send_until`](Self::send_until)).
    ///
    /// # References
    /// - [mq_receive(3)](https://man7.org/linux/man-pages/man3/mq_receive.3.html)
    #[doc(alias = "mq_timedreceive")]
    pub fn receive_until(&self, buf: &mut [u8], deadline: &Timespec) -> Result<(usize, Priority)> {
        let deadline = caller_deadline(deadline)?;
        received(raw::mq_timedreceive(self.0.as_fd(), buf, Some(&deadline)))
    }

    /// `mq_timedsend(mq, msg, len, prio, 1970)` — [`send`](Self::send)
    /// that never waits, whatever the descriptor's mode: the deadline has
    /// passed before the call, so a full queue answers at once.
    ///
    /// Syscalls: `mq_timedsend` (`mq_timedsend_time64` on 32-bit arches;
    /// `mq_timedsend` before Linux 5.1).
    ///
    /// # Errors
    /// - [`Errno::AGAIN`](crate::Errno::AGAIN): the queue is full (the
    ///   kernel's `ETIMEDOUT` for a passed deadline, reported as a
    ///   non-blocking send's).
    /// - As [`send`](Self::send).
    ///
    /// # References
    /// - [mq_send(3)](https://man7.org/linux/man-pages/man3/mq_send.3.html)
    pub fn try_send(&self, msg: &[u8], prio: Priority) -> Result<()> {
        let passed = PASSED;
        match raw::mq_timedsend(self.0.as_fd(), msg, prio.get(), Some(&passed)) {
            Err(Errno::TIMEDOUT) => Err(Errno::AGAIN),
            r => r,
        }
    }

    /// `mq_timedreceive(mq, buf, len, &prio, 1970)` —
    /// [`receive`](Self::receive) that never waits, whatever the
    /// descriptor's mode.
    ///
    /// Syscalls: `mq_timedreceive` (`mq_timedreceive_time64` on 32-bit
    /// arches; `mq_timedreceive` before Linux 5.1).
    ///
    /// # Errors
    /// - [`Errno::AGAIN`](crate::Errno::AGAIN): the queue is empty.
    /// - As [`receive`](Self::receive).
    ///
    /// # References
    /// - [mq_receive(3)](https://man7.org/linux/man-pages/man3/mq_receive.3.html)
    pub fn try_receive(&self, buf: &mut [u8]) -> Result<(usize, Priority)> {
        let passed = PASSED;
        match raw::mq_timedreceive(self.0.as_fd(), buf, Some(&passed)) {
            Err(Errno::TIMEDOUT) => Err(Errno::AGAIN),
            r => received(r),
        }
    }

    /// `mq_getsetattr(mq, NULL, &attr)` — the queue's size and current
    /// count, and whether this descriptor is non-blocking.
    ///
    /// Syscalls: `mq_getsetattr`.
    ///
    /// # Errors
    /// [`Errno::BADF`](crate::Errno::BADF): the fd is not a queue (only
    /// possible for a handle made with `From<OwnedFd>`).
    ///
    /// # References
    /// - [mq_getattr(3)](https://man7.org/linux/man-pages/man3/mq_getattr.3.html)
    #[doc(alias = "mq_getattr")]
    #[doc(alias = "mq_getsetattr")]
    pub fn attr(&self) -> Result<Attr> {
        let mut old = mq_attr::default();
        raw::mq_getsetattr(self.0.as_fd(), None, Some(&mut old))?;
        Ok(old.into())
    }

    /// `mq_notify(mq, &sigevent)` — register this process to be told when
    /// a message arrives in the empty queue.
    ///
    /// - One registration per queue, system-wide: while any process is
    ///   registered (this one included), a registration fails with
    ///   [`Errno::BUSY`](crate::Errno::BUSY).
    /// - It fires once, when a message arrives in an *empty* queue, and is
    ///   then gone: register again (before reading, so as not to miss the
    ///   next arrival) to be told again. Messages sent to a queue that
    ///   already holds some fire nothing.
    /// - A message handed straight to a process blocked in
    ///   [`receive`](Self::receive) never enters the queue: it fires
    ///   nothing, and the registration stays.
    /// - It ends without firing when the process calls
    ///   [`cancel_notify`](Self::cancel_notify), closes *any* descriptor
    ///   of this queue, or exits. A [`Notify::Socket`] registration then
    ///   delivers [`NotifyEvent::Removed`].
    ///
    /// How the process is told is [`Notify`]: nothing, a signal with a
    /// value, or a message on a [`NotifySocket`].
    ///
    /// Syscalls: `mq_notify`.
    ///
    /// # Examples
    /// ```
    /// # fn main() -> bareipc::Result<()> {
    /// use bareipc::mq::posix::{self, Access, Notify, NotifyEvent, NotifySocket, Priority};
    ///
    /// let name = format!("/bareipc-doc-mq-notify-{}", std::process::id());
    /// let q = posix::create(&name, Access::ReadWrite, posix::DEFAULT_MODE, None)?;
    /// let _unlink = posix::UnlinkOnDrop::new(&name)?;
    /// let sock = NotifySocket::new()?;
    /// # if q.notify(Notify::NoEvent) == Err(bareipc::Errno::NOSYS) { return Ok(()); } // qemu-user
    /// # q.cancel_notify()?;
    /// let mut cookie = [0u8; posix::COOKIE_LEN];
    /// cookie[..4].copy_from_slice(b"jobs");
    /// q.notify(Notify::Socket { socket: &sock, cookie })?;
    /// q.send(b"job 1", Priority::MIN)?; // into the empty queue: the kernel tells us
    /// let n = sock.receive()?; // or poll `sock` beside your other fds
    /// assert_eq!((n.event, &n.cookie[..4]), (NotifyEvent::Message, &b"jobs"[..]));
    /// // Used up: register again for the next message into an empty queue.
    /// q.notify(Notify::Socket { socket: &sock, cookie })?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// - [`Errno::BUSY`](crate::Errno::BUSY): a process is registered.
    /// - [`Errno::BADF`](crate::Errno::BADF): the fd is not a queue, or the
    ///   [`NotifySocket`] is not open.
    /// - [`Errno::NOTSOCK`](crate::Errno::NOTSOCK),
    ///   [`Errno::CONNREFUSED`](crate::Errno::CONNREFUSED): the socket fd is
    ///   not a netlink socket (only possible for a socket made with
    ///   `From<OwnedFd>`).
    /// - [`Errno::NOSYS`](crate::Errno::NOSYS): the kernel was built
    ///   without POSIX message queues, or (qemu-user 7.2) the emulator
    ///   does not implement `mq_notify`.
    ///
    /// # References
    /// - [mq_notify(3)](https://man7.org/linux/man-pages/man3/mq_notify.3.html)
    /// - [sigevent(3type)](https://man7.org/linux/man-pages/man3/sigevent.3type.html)
    #[doc(alias = "mq_notify")]
    pub fn notify(&self, how: Notify<'_>) -> Result<()> {
        let mut cookie = [0u8; NOTIFY_COOKIE_LEN];
        let how = match how {
            Notify::NoEvent => raw::Notify::None,
            // A `Signal` is never one of the reserved 32..=34 unless the
            // caller opted in with `unsafe` (`Signal::new_reserved`).
            Notify::Signal { signal, value } => raw::Notify::Signal {
                signo: signal.as_raw(),
                value: value.as_addr(),
            },
            Notify::Socket { socket, cookie: c } => {
                cookie[..COOKIE_LEN].copy_from_slice(&c);
                raw::Notify::Netlink {
                    sock: socket.0.as_fd(),
                    cookie: &cookie,
                }
            }
        };
        raw::mq_notify(self.0.as_fd(), Some(how))
    }

    /// `mq_notify(mq, NULL)` — cancel this process's registration. Does
    /// nothing if another process (or none) is registered. A
    /// [`Notify::Socket`] registration delivers
    /// [`NotifyEvent::Removed`].
    ///
    /// Syscalls: `mq_notify`.
    ///
    /// # Errors
    /// - [`Errno::BADF`](crate::Errno::BADF): the fd is not a queue.
    /// - [`Errno::NOSYS`](crate::Errno::NOSYS): as for
    ///   [`notify`](Self::notify).
    ///
    /// # References
    /// - [mq_notify(3)](https://man7.org/linux/man-pages/man3/mq_notify.3.html)
    #[doc(alias = "mq_notify")]
    pub fn cancel_notify(&self) -> Result<()> {
        raw::mq_notify(self.0.as_fd(), None)
    }
}

fn received(r: Result<(usize, c_uint)>) -> Result<(usize, Priority)> {
    // The kernel refuses priorities >= MQ_PRIO_MAX on send.
    r.map(|(n, p)| (n, Priority(p.min(Priority::MAX.get()) as u16)))
}

// ---------------------------------------------------------------------------
// Notification
// ---------------------------------------------------------------------------

/// The caller's part of a notification cookie: [`NOTIFY_COOKIE_LEN`] (32)
/// bytes less the last, which the kernel overwrites with the event.
///
/// [`NOTIFY_COOKIE_LEN`]: https://man7.org/linux/man-pages/man3/mq_notify.3.html
pub const COOKIE_LEN: usize = NOTIFY_COOKIE_LEN - 1;

/// The bytes a [`Notify::Socket`] registration hands back in its
/// [`Notification`]: anything that tells the registrations sharing one
/// socket apart.
pub type Cookie = [u8; COOKIE_LEN];

/// How [`Mq::notify`] tells the process (`struct sigevent`).
#[derive(Clone, Copy, Debug)]
pub enum Notify<'a> {
    /// `SIGEV_NONE`: tell nothing. The registration still takes the
    /// queue's one slot (keeping other processes from registering) and is
    /// used up by the first message.
    NoEvent,
    /// `SIGEV_SIGNAL`: send `signal` to the process, with `si_code`
    /// `SI_MESGQ` ([`Code::MESGQ`](crate::signal::Code::MESGQ)), `si_value`
    /// = `value` ([`SigInfo::value`](crate::signal::SigInfo::value)), and
    /// the sender's pid and uid. Block the signal and take it with
    /// [`signal::wait`](crate::signal::wait) or a
    /// [`SignalFd`](crate::signal::SignalFd), or install a handler.
    Signal {
        /// The signal to send (any [`Signal`], real-time ones included).
        signal: Signal,
        /// The value delivered with it.
        value: SigVal,
    },
    /// `SIGEV_THREAD` as the kernel implements it: it takes the 32-byte
    /// cookie (this cookie and a byte it sets) now, and later sends it as
    /// one datagram to `socket`, where [`NotifySocket::receive`] reads it.
    /// This is what glibc's and musl's `SIGEV_THREAD` run on, without their
    /// thread.
    Socket {
        /// Where the cookie goes.
        socket: &'a NotifySocket,
        /// What it says.
        cookie: Cookie,
    },
}

/// What happened to a [`Notify::Socket`] registration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NotifyEvent {
    /// `NOTIFY_WOKENUP`: a message arrived in the empty queue. The
    /// registration is used up.
    Message,
    /// `NOTIFY_REMOVED`: the registration ended without a message
    /// ([`Mq::cancel_notify`], or the registering process closed a
    /// descriptor of the queue or exited).
    Removed,
}

/// One datagram read from a [`NotifySocket`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Notification {
    /// The registration's [`Cookie`].
    pub cookie: Cookie,
    /// What happened.
    pub event: NotifyEvent,
}

/// A netlink socket that receives [`Notify::Socket`] notifications: a
/// pollable, close-on-exec fd, readable while a notification waits.
///
/// One socket can serve many registrations (tell them apart by cookie).
/// Each registration reserves room for its 32-byte datagram in the
/// socket's receive buffer; if that is full (hundreds of unread
/// notifications), [`Mq::notify`] waits for room.
///
/// Syscalls: none until dropped; then `close`.
///
/// ```
/// # fn main() -> bareipc::Result<()> {
/// use bareipc::mq::posix::{self, Access, Capacity, Notify, NotifyEvent, NotifySocket, Priority};
///
/// # let name = format!("/bareipc-doc-notify-{}", std::process::id());
/// let cap = Capacity { max_messages: 4, message_size: 32 };
/// let q = posix::create(&name, Access::ReadWrite, posix::DEFAULT_MODE, Some(cap))?;
/// posix::unlink(&name)?;
/// let sock = NotifySocket::new()?;
/// # if q.notify(Notify::NoEvent) == Err(bareipc::Errno::NOSYS) { return Ok(()); } // qemu-user
/// # q.cancel_notify()?;
/// q.notify(Notify::Socket { socket: &sock, cookie: *b"jobs queue, worker 1..........." })?;
/// q.send(b"job", Priority::MIN)?;  // any process may send
/// let n = sock.receive()?;           // or poll `sock` with your other fds
/// assert_eq!(n.event, NotifyEvent::Message);
/// assert_eq!(&n.cookie[..10], b"jobs queue");
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct NotifySocket(OwnedFd);

fd_handle!(NotifySocket);

impl NotifySocket {
    /// `socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)` — a
    /// socket for [`Notify::Socket`], as glibc creates it. It joins no
    /// multicast group and sends nothing, so nothing but notifications
    /// arrives on it.
    ///
    /// Syscalls: `socket` (`socketcall` on x86).
    ///
    /// # Errors
    /// - [`Errno::MFILE`](crate::Errno::MFILE),
    ///   [`Errno::NFILE`](crate::Errno::NFILE): out of file descriptors.
    /// - [`Errno::AFNOSUPPORT`](crate::Errno::AFNOSUPPORT): a kernel
    ///   without netlink.
    ///
    /// # References
    /// - [netlink(7)](https://man7.org/linux/man-pages/man7/netlink.7.html)
    /// - [mq_notify(3)](https://man7.org/linux/man-pages/man3/mq_notify.3.html)
    #[doc(alias = "socket")]
    pub fn new() -> Result<NotifySocket> {
        rustix::net::socket_with(
            AddressFamily::NETLINK,
            SocketType::RAW,
            SocketFlags::CLOEXEC,
            None,
        )
        .map(NotifySocket)
    }

    /// `recv(fd, buf, 32, 0)` — read one notification, waiting for it
    /// (unless the socket was set non-blocking).
    ///
    /// Syscalls: `recvfrom` (`recv` on arm, `socketcall` on x86).
    ///
    /// # Errors
    /// - [`Errno::AGAIN`](crate::Errno::AGAIN): non-blocking and nothing
    ///   waits.
    /// - [`Errno::INTR`](crate::Errno::INTR): a signal handler ran while
    ///   waiting (restarted instead if it was installed with `SA_RESTART`).
    /// - [`Errno::BADMSG`](crate::Errno::BADMSG): the datagram was not a
    ///   notification (not 32 bytes, or an unknown event byte); it is
    ///   consumed.
    ///
    /// # References
    /// - [recv(2)](https://man7.org/linux/man-pages/man2/recv.2.html)
    pub fn receive(&self) -> Result<Notification> {
        self.recv_with(RecvFlags::empty())
    }

    /// `recv(fd, buf, 32, MSG_DONTWAIT)` — read a notification if one
    /// waits, without blocking.
    ///
    /// Syscalls: `recvfrom` (`recv` on arm, `socketcall` on x86).
    ///
    /// # Errors
    /// [`Errno::AGAIN`](crate::Errno::AGAIN) if none waits; otherwise as
    /// [`receive`](Self::receive).
    ///
    /// # References
    /// - [recv(2)](https://man7.org/linux/man-pages/man2/recv.2.html)
    #[doc(alias = "recv")]
    pub fn try_receive(&self) -> Result<Notification> {
        self.recv_with(RecvFlags::DONTWAIT)
    }

    /// `ppoll` for up to `timeout`, then `recv(fd, buf, 32, MSG_DONTWAIT)`
    /// — read a notification, waiting at most `timeout` for one.
    ///
    /// Syscalls: `ppoll` (`ppoll_time64` on x86 and arm when `timeout`
    /// exceeds `i32::MAX` seconds), then `recvfrom` (`recv` on arm,
    /// `socketcall` on x86) if it became readable.
    ///
    /// # Errors
    /// - [`Errno::TIMEDOUT`](crate::Errno::TIMEDOUT): none arrived in time.
    /// - [`Errno::AGAIN`](crate::Errno::AGAIN): another reader of the same
    ///   socket took it between the poll and the read.
    /// - Otherwise as [`receive`](Self::receive).
    ///
    /// # References
    /// - [poll(2)](https://man7.org/linux/man-pages/man2/poll.2.html)
    /// - [recv(2)](https://man7.org/linux/man-pages/man2/recv.2.html)
    #[doc(alias = "ppoll")]
    pub fn receive_timeout(&self, timeout: Duration) -> Result<Notification> {
        crate::poll::wait(self.0.as_fd(), crate::poll::PollFlags::IN, timeout)?;
        self.try_receive()
    }

    fn recv_with(&self, flags: RecvFlags) -> Result<Notification> {
        let mut buf = [0u8; NOTIFY_COOKIE_LEN];
        // TRUNC: the real length of a longer datagram, so it is refused.
        let (_, len) = rustix::net::recv(&self.0, &mut buf, flags | RecvFlags::TRUNC)?;
        decode(&buf, len)
    }
}

/// A received datagram of `len` bytes (of which `buf` holds the first 32)
/// as a notification.
fn decode(buf: &[u8; NOTIFY_COOKIE_LEN], len: usize) -> Result<Notification> {
    if len != NOTIFY_COOKIE_LEN {
        return Err(Errno::BADMSG);
    }
    let (cookie, event) = buf.split_at(COOKIE_LEN);
    let event = match event {
        [NOTIFY_WOKENUP] => NotifyEvent::Message,
        [NOTIFY_REMOVED] => NotifyEvent::Removed,
        _ => return Err(Errno::BADMSG),
    };
    let mut c = [0; COOKIE_LEN];
    c.copy_from_slice(cookie);
    Ok(Notification { cookie: c, event })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let ok = |n: &[u8]| Name::new(n).map(|n| n.as_c_str().unwrap().to_bytes().len());
        assert_eq!(ok(b"/q"), Ok(2));
        assert_eq!(ok(b"/.q"), Ok(3));
        assert_eq!(ok(b"/..."), Ok(4));
        let longest = [b'/'].iter().chain([b'n'; NAME_MAX].iter()).copied();
        let longest: heapless::Vec<u8, 300> = longest.collect();
        assert_eq!(ok(&longest), Ok(NAME_MAX + 1));
        let mut too_long = longest.clone();
        too_long.push(b'n').unwrap();
        assert_eq!(ok(&too_long), Err(Errno::NAMETOOLONG));
        // The errnos glibc and the kernel give (see crate::posix_name).
        for (bad, e) in [
            (&b""[..], Errno::INVAL),
            (b"q", Errno::INVAL),
            (b"q/", Errno::INVAL),
            (b"/", Errno::NOENT),
            (b"//q", Errno::ACCESS),
            (b"/a/b", Errno::ACCESS),
            (b"/q/", Errno::ACCESS),
            (b"/.", Errno::ACCESS),
            (b"/..", Errno::ACCESS),
            (b"/a\0b", Errno::INVAL),
            (b"/q\0", Errno::INVAL),
        ] {
            assert_eq!(ok(bad), Err(e), "{bad:?}");
        }
    }

    #[test]
    fn priorities() {
        assert_eq!(Priority::new(0), Ok(Priority::MIN));
        assert_eq!(Priority::new(32767), Ok(Priority::MAX));
        assert_eq!(Priority::new(32768), Err(Errno::INVAL));
        assert_eq!(Priority::new(u32::MAX), Err(Errno::INVAL));
        assert_eq!(Priority::MAX.get(), 32767);
    }

    #[test]
    fn decoding() {
        let mut buf = [7u8; NOTIFY_COOKIE_LEN];
        buf[31] = NOTIFY_WOKENUP;
        let n = decode(&buf, 32).unwrap();
        assert_eq!((n.cookie, n.event), ([7; COOKIE_LEN], NotifyEvent::Message));
        buf[31] = NOTIFY_REMOVED;
        assert_eq!(decode(&buf, 32).unwrap().event, NotifyEvent::Removed);
        buf[31] = 0;
        assert_eq!(decode(&buf, 32), Err(Errno::BADMSG));
        buf[31] = NOTIFY_WOKENUP;
        assert_eq!(decode(&buf, 33), Err(Errno::BADMSG));
        assert_eq!(decode(&buf, 31), Err(Errno::BADMSG));
    }
}
