//! System V message queues: typed messages in a kernel queue found by a
//! [`Key`], received in order or selectively by type.
//!
//! [`MsgQueue::create`] makes a queue (mode `0o600`), [`MsgQueue::open`]
//! finds an existing one, [`MsgQueue::send`] and [`MsgQueue::receive`]
//! move [`Message`]s (a [`MsgType`] and up to `N` bytes, no allocation),
//! and [`MsgQueue::remove`] destroys the queue. A queue has no fd: its id
//! is valid in every process of the IPC namespace, and nothing needs
//! closing.
//!
//! ```no_run
//! # #[cfg(feature = "std")] fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::process::Command;
//! use bareipc::key::Key;
//! use bareipc::mq::sysv::{DEFAULT_MODE, Message, MsgQueue, MsgType, ReceiveFlags, Select, SendFlags};
//!
//! let key = Key::from_path("/etc/hostname", b'q')?;
//! let (request, reply) = (MsgType::new(1)?, MsgType::new(2)?);
//! if std::env::var_os("ECHO_SERVER").is_some() {
//!     // The child: answers one request in upper case.
//!     let q = MsgQueue::open(key)?;
//!     let mut msg = Message::<64>::new(request);
//!     q.receive(&mut msg, Select::Exactly(request), ReceiveFlags::empty())?;
//!     msg.text_mut().make_ascii_uppercase();
//!     msg.set_msg_type(reply);
//!     q.send(&msg, SendFlags::empty())?;
//!     return Ok(());
//! }
//! // The parent: creates the queue, starts the child (this program again),
//! // asks, and waits for the answer, which has its own type.
//! let q = MsgQueue::create(key, DEFAULT_MODE)?.remove_on_drop()?;
//! let mut child = Command::new(std::env::current_exe()?).env("ECHO_SERVER", "1").spawn()?;
//! q.send(&Message::<64>::with_text(request, b"hello")?, SendFlags::empty())?;
//! let mut answer = Message::<64>::new(reply);
//! q.receive(&mut answer, Select::Exactly(reply), ReceiveFlags::empty())?;
//! assert_eq!(answer.text(), b"HELLO");
//! child.wait()?;
//! # Ok(()) }
//! # #[cfg(not(feature = "std"))] fn main() {}
//! ```
//!
//! # Messages and their size
//! The kernel's message is a `long` type followed by the text, and its
//! size argument counts only the text. [`Message<N>`] holds exactly that
//! layout with room for `N` bytes, and passes `N` (receive) or the text
//! length (send) as the size, so the kernel never reads or writes past
//! it. A queue holds at most `msg_qbytes` bytes of text (by default
//! `/proc/sys/kernel/msgmnb`, 16384), and one message at most
//! `/proc/sys/kernel/msgmax` (8192) bytes.
//!
//! # Selecting what to receive
//! [`Select`] picks the message: the oldest of all, of one type, of the
//! lowest type up to a bound, of any type but one, or a copy of the
//! message at a position without removing it. A message longer than the
//! buffer is refused with [`Errno::TOOBIG`] and stays queued, unless
//! [`ReceiveFlags::TRUNCATE`] asks for its first `N` bytes (the rest is
//! lost).
//!
//! # Blocking
//! A send to a full queue and a receive that finds no matching message
//! wait, until the queue changes, the queue is removed
//! ([`Errno::IDRM`]), or a signal handler runs ([`Errno::INTR`], never
//! restarted). The kernel offers no timeout for either; the non-blocking
//! forms are [`SendFlags::NOWAIT`] ([`Errno::AGAIN`]) and
//! [`ReceiveFlags::NOWAIT`] ([`Errno::NOMSG`]). For timeouts use
//! [POSIX queues](crate::mq::posix).
//!
//! [`Errno::TOOBIG`]: crate::Errno::TOOBIG
//! [`Errno::IDRM`]: crate::Errno::IDRM
//! [`Errno::INTR`]: crate::Errno::INTR
//! [`Errno::AGAIN`]: crate::Errno::AGAIN
//! [`Errno::NOMSG`]: crate::Errno::NOMSG

use core::ffi::{c_int, c_long, c_ulong};
use core::fmt;
use core::num::NonZero;

use rustix::process::{Gid, Pid, Uid};

#[doc(no_inline)]
pub use rustix::fs::Mode;

use crate::backend::sysv::{self as raw, StatCmd};
use crate::backend::types::{
    IPC_NOWAIT, MSG_COPY, MSG_EXCEPT, MSG_NOERROR, msgbuf, msginfo, msqid64_ds,
};
pub use crate::key::{DEFAULT_MODE, IpcFlags};
use crate::key::{Identity, IpcPerm, Key, existing, get_flags, perm_bits};
use crate::{Errno, Result};

// ---------------------------------------------------------------------------
// Types and messages
// ---------------------------------------------------------------------------

/// A message type: a positive `long`. The kernel refuses type 0 and
/// negative types on send, and gives them special meanings on receive,
/// which [`Select`] spells out instead.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MsgType(NonZero<c_long>);

impl MsgType {
    /// Type 1, the lowest.
    pub const MIN: MsgType = match MsgType::new(1) {
        Ok(t) => t,
        Err(_) => panic!("1 is a valid type"),
    };

    /// The type `t`.
    ///
    /// Syscalls: none.
    ///
    /// # Errors
    /// [`Errno::INVAL`](crate::Errno::INVAL) if `t` < 1, as `msgsnd` would
    /// give.
    ///
    /// # References
    /// - [msgsnd(2)](https://man7.org/linux/man-pages/man2/msgsnd.2.html)
    #[doc(alias = "mtype")]
    pub const fn new(t: c_long) -> Result<MsgType> {
        match NonZero::new(t) {
            Some(n) if t > 0 => Ok(MsgType(n)),
            _ => Err(Errno::INVAL),
        }
    }

    /// The number.
    pub const fn get(self) -> c_long {
        self.0.get()
    }
}

/// A message with room for `N` bytes of text: the kernel's `struct
/// msgbuf` (a `long` type, then the text) and the length of the text.
///
/// Build one with [`new`](Self::new) or [`with_text`](Self::with_text),
/// receive into one with [`MsgQueue::receive`]. `repr(C)`: the length,
/// then the type, then the `N` text bytes, last.
#[repr(C)]
#[derive(Clone)]
pub struct Message<const N: usize> {
    len: usize,
    raw: msgbuf<N>,
}

impl<const N: usize> Message<N> {
    /// Room for this many bytes of text.
    pub const CAPACITY: usize = N;

    /// A message of type `ty` with no text.
    ///
    /// Syscalls: none.
    ///
    /// # References
    /// - [msgsnd(2)](https://man7.org/linux/man-pages/man2/msgsnd.2.html)
    pub const fn new(ty: MsgType) -> Self {
        Message {
            len: 0,
            raw: msgbuf::new(ty.get()),
        }
    }

    /// A message of type `ty` with `text`.
    ///
    /// Syscalls: none.
    ///
    /// # Errors
    /// [`Errno::TOOBIG`](crate::Errno::TOOBIG) if `text` is longer than
    /// `N`.
    ///
    /// # References
    /// - [msgsnd(2)](https://man7.org/linux/man-pages/man2/msgsnd.2.html)
    pub fn with_text(ty: MsgType, text: &[u8]) -> Result<Self> {
        let mut m = Self::new(ty);
        m.set_text(text)?;
        Ok(m)
    }

    /// The type.
    pub fn msg_type(&self) -> MsgType {
        // Only a MsgType or a successful msgrcv writes the field, and the
        // kernel's types are positive.
        MsgType::new(self.raw.mtype).unwrap_or(MsgType::MIN)
    }

    /// Sets the type.
    pub fn set_msg_type(&mut self, ty: MsgType) {
        self.raw.mtype = ty.get();
    }

    /// The text.
    pub fn text(&self) -> &[u8] {
        &self.raw.mtext[..self.len.min(N)]
    }

    /// The text, to change in place.
    pub fn text_mut(&mut self) -> &mut [u8] {
        &mut self.raw.mtext[..self.len.min(N)]
    }

    /// Replaces the text.
    ///
    /// # Errors
    /// [`Errno::TOOBIG`](crate::Errno::TOOBIG) if `text` is longer than
    /// `N`; the message is unchanged.
    pub fn set_text(&mut self, text: &[u8]) -> Result<()> {
        let dst = self.raw.mtext.get_mut(..text.len()).ok_or(Errno::TOOBIG)?;
        dst.copy_from_slice(text);
        self.len = text.len();
        Ok(())
    }

    /// Sets the length of the text, keeping the bytes already in the
    /// buffer (zero in a new message). For filling
    /// [`buffer_mut`](Self::buffer_mut) in place.
    ///
    /// # Errors
    /// [`Errno::TOOBIG`](crate::Errno::TOOBIG) if `len` > `N`.
    pub fn set_len(&mut self, len: usize) -> Result<()> {
        if len > N {
            return Err(Errno::TOOBIG);
        }
        self.len = len;
        Ok(())
    }

    /// The whole `N`-byte buffer, whatever the text length.
    pub fn buffer_mut(&mut self) -> &mut [u8; N] {
        &mut self.raw.mtext
    }

    /// The length of the text.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the text is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl<const N: usize> fmt::Debug for Message<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Message")
            .field("msg_type", &self.raw.mtype)
            .field("text", &self.text())
            .finish()
    }
}

/// Which message [`MsgQueue::receive`] takes (`msgtyp` and its flags).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Select {
    /// `msgtyp = 0`: the oldest message.
    Any,
    /// `msgtyp = t`: the oldest message of type `t`.
    Exactly(MsgType),
    /// `msgtyp = -t`: the oldest message of the lowest type that is at
    /// most `t` (a priority queue where low types go first).
    AtMost(MsgType),
    /// `msgtyp = t` with `MSG_EXCEPT`: the oldest message of any type but
    /// `t`.
    Except(MsgType),
    /// `msgtyp = n` with `MSG_COPY | IPC_NOWAIT`: a copy of the message at
    /// position `n` (0 is the oldest), left in the queue. Never waits: no
    /// such message is [`Errno::NOMSG`](crate::Errno::NOMSG). A kernel
    /// built without `CONFIG_CHECKPOINT_RESTORE` gives
    /// [`Errno::NOSYS`](crate::Errno::NOSYS). With
    /// [`ReceiveFlags::TRUNCATE`], a message longer than the buffer is
    /// [`Errno::INVAL`](crate::Errno::INVAL): a copy is never truncated.
    Copy(usize),
}

impl Select {
    fn raw(self) -> Result<(c_long, c_int)> {
        Ok(match self {
            Select::Any => (0, 0),
            Select::Exactly(t) => (t.get(), 0),
            Select::AtMost(t) => (-t.get(), 0),
            Select::Except(t) => (t.get(), MSG_EXCEPT),
            Select::Copy(n) => (
                c_long::try_from(n).map_err(|_| Errno::INVAL)?,
                MSG_COPY | IPC_NOWAIT,
            ),
        })
    }
}

bitflags::bitflags! {
    /// Options for [`MsgQueue::send`].
    #[repr(transparent)]
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct SendFlags: u32 {
        /// `IPC_NOWAIT`: fail with `EAGAIN` instead of waiting for room.
        const NOWAIT = IPC_NOWAIT as u32;
    }
}

bitflags::bitflags! {
    /// Options for [`MsgQueue::receive`].
    #[repr(transparent)]
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct ReceiveFlags: u32 {
        /// `IPC_NOWAIT`: fail with `ENOMSG` instead of waiting for a
        /// matching message.
        const NOWAIT = IPC_NOWAIT as u32;
        /// `MSG_NOERROR`: take a message longer than the buffer, keeping
        /// its first `N` bytes, instead of failing with `E2BIG`.
        const TRUNCATE = MSG_NOERROR as u32;
    }
}

// ---------------------------------------------------------------------------
// Status
// ---------------------------------------------------------------------------

/// A queue's status (`struct msqid64_ds`), from [`MsgQueue::stat`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MsgQueueStat {
    /// Owner and permissions.
    pub perm: IpcPerm,
    /// `msg_stime`: the last send, in seconds since the epoch (0: never).
    pub send_time: i64,
    /// `msg_rtime`: the last receive (0: never).
    pub receive_time: i64,
    /// `msg_ctime`: creation or the last [`MsgQueue::set`].
    pub change_time: i64,
    /// `msg_cbytes`: bytes of text queued.
    pub bytes: usize,
    /// `msg_qnum`: messages queued.
    pub messages: usize,
    /// `msg_qbytes`: the most bytes of text the queue holds.
    pub max_bytes: usize,
    /// `msg_lspid`: the last sender.
    pub last_sender: Option<Pid>,
    /// `msg_lrpid`: the last receiver.
    pub last_receiver: Option<Pid>,
}

impl From<&msqid64_ds> for MsgQueueStat {
    fn from(d: &msqid64_ds) -> MsgQueueStat {
        #[cfg(target_pointer_width = "64")]
        let (stime, rtime, ctime) = (d.msg_stime, d.msg_rtime, d.msg_ctime);
        #[cfg(target_pointer_width = "32")]
        let (stime, rtime, ctime) = (
            crate::backend::types::time64(d.msg_stime, d.msg_stime_high),
            crate::backend::types::time64(d.msg_rtime, d.msg_rtime_high),
            crate::backend::types::time64(d.msg_ctime, d.msg_ctime_high),
        );
        MsgQueueStat {
            perm: IpcPerm::from_kernel(&d.msg_perm),
            send_time: stime,
            receive_time: rtime,
            change_time: ctime,
            bytes: d.msg_cbytes as usize,
            messages: d.msg_qnum as usize,
            max_bytes: d.msg_qbytes as usize,
            last_sender: crate::checked_pid(d.msg_lspid),
            last_receiver: crate::checked_pid(d.msg_lrpid),
        }
    }
}

/// The namespace's limits, from [`limits`] (`struct msginfo`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Limits {
    /// `msgmax`: the largest message text (`/proc/sys/kernel/msgmax`).
    pub max_message: usize,
    /// `msgmnb`: a new queue's `max_bytes` (`/proc/sys/kernel/msgmnb`).
    pub default_max_bytes: usize,
    /// `msgmni`: the most queues (`/proc/sys/kernel/msgmni`).
    pub max_queues: usize,
}

/// The namespace's usage, from [`usage`] (`struct msginfo` filled by
/// `MSG_INFO`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Usage {
    /// `msgpool`: queues that exist.
    pub queues: usize,
    /// `msgmap`: messages queued, in all queues.
    pub messages: usize,
    /// `msgtql`: bytes of text queued, in all queues.
    pub bytes: usize,
    /// The highest slot index in use in the kernel's queue table (for
    /// [`stat_index`]).
    pub max_index: i32,
}

fn count(v: c_int) -> usize {
    usize::try_from(v).unwrap_or(0)
}

// ---------------------------------------------------------------------------
// The queue
// ---------------------------------------------------------------------------

/// A System V message queue, named by its id (`msqid`).
///
/// Dropping it does nothing: the queue lives until [`remove`](Self::remove)
/// (or [`remove_on_drop`](Self::remove_on_drop)).
#[doc(alias = "msqid")]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MsgQueue {
    id: c_int,
}

impl MsgQueue {
    /// `msgget(key, flags | mode)` — finds the queue of `key`, or creates
    /// it ([`IpcFlags::CREATE`]), or creates a new private one
    /// ([`Key::PRIVATE`]). The constructors below are this with fixed
    /// flags.
    ///
    /// `mode` is used only when creating: the permission bits `0o777`
    /// (the umask does not apply). For an existing queue it is the access
    /// asked for: the call fails with `EACCES` unless the queue grants it.
    ///
    /// Syscalls: `msgget` (`ipc` on i386 before Linux 5.1); none for bad
    /// flags or mode.
    ///
    /// # Errors
    /// - [`Errno::INVAL`](crate::Errno::INVAL): `mode` has bits outside
    ///   `0o777`, or `flags` bits that are not [`IpcFlags`] (before the
    ///   syscall).
    /// - [`Errno::NOENT`](crate::Errno::NOENT): no queue for `key` and no
    ///   `CREATE`.
    /// - [`Errno::EXIST`](crate::Errno::EXIST): `CREATE | EXCLUSIVE` and
    ///   `key` has a queue.
    /// - [`Errno::ACCESS`](crate::Errno::ACCESS): the existing queue does
    ///   not grant the access `mode` asks for.
    /// - [`Errno::NOSPC`](crate::Errno::NOSPC): the namespace has `msgmni`
    ///   queues already.
    ///
    /// # References
    /// - [msgget(2)](https://man7.org/linux/man-pages/man2/msgget.2.html)
    #[doc(alias = "msgget")]
    pub fn get(key: Key, flags: IpcFlags, mode: Mode) -> Result<MsgQueue> {
        raw::msgget(key.as_raw(), get_flags(flags, mode)?).map(|id| MsgQueue { id })
    }

    /// `msgget(key, 0)` — the existing queue of `key`. Permissions are
    /// checked by each operation, not here: a queue that only its owner
    /// may use still opens.
    ///
    /// Syscalls: `msgget` (`ipc` on i386 before Linux 5.1); none for the
    /// private key.
    ///
    /// # Errors
    /// - [`Errno::NOENT`](crate::Errno::NOENT): `key` has no queue.
    /// - [`Errno::INVAL`](crate::Errno::INVAL): `key` is
    ///   [`Key::PRIVATE`], refused before the syscall (which would create
    ///   a queue with mode `0`).
    ///
    /// # References
    /// - [msgget(2)](https://man7.org/linux/man-pages/man2/msgget.2.html)
    #[doc(alias = "msgget")]
    pub fn open(key: Key) -> Result<MsgQueue> {
        raw::msgget(existing(key)?, 0).map(|id| MsgQueue { id })
    }

    /// `msgget(key, IPC_CREAT | IPC_EXCL | mode)` — a new queue for `key`;
    /// an existing one is `EEXIST`, never silently shared. Pass
    /// [`DEFAULT_MODE`] for `0o600`.
    ///
    /// Syscalls: `msgget` (`ipc` on i386 before Linux 5.1); none for a bad
    /// mode.
    ///
    /// # Examples
    /// ```
    /// # fn main() -> bareipc::Result<()> {
    /// use bareipc::key::Key;
    /// use bareipc::mq::sysv::{DEFAULT_MODE, MsgQueue};
    ///
    /// let file = std::env::temp_dir().join(format!("bareipc-doc-msq-create-{}", std::process::id()));
    /// std::fs::write(&file, b"").expect("a key file");
    /// let key = Key::from_path(&*file, b'Q')?; // the processes agree on the file
    /// let q = MsgQueue::create(key, DEFAULT_MODE)?.remove_on_drop()?;
    /// assert_eq!(MsgQueue::create(key, DEFAULT_MODE), Err(bareipc::Errno::EXIST));
    /// assert_eq!(MsgQueue::open(key)?, *q); // another process finds it by key
    /// # drop(q);
    /// std::fs::remove_file(&file).expect("removed");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`get`](Self::get).
    ///
    /// # References
    /// - [msgget(2)](https://man7.org/linux/man-pages/man2/msgget.2.html)
    #[doc(alias = "msgget")]
    pub fn create(key: Key, mode: Mode) -> Result<MsgQueue> {
        Self::get(key, IpcFlags::CREATE | IpcFlags::EXCLUSIVE, mode)
    }

    /// `msgget(key, IPC_CREAT | mode)` — the queue of `key`, created if
    /// there is none.
    ///
    /// Syscalls: `msgget` (`ipc` on i386 before Linux 5.1); none for a bad
    /// mode.
    ///
    /// # Errors
    /// As [`get`](Self::get).
    ///
    /// # References
    /// - [msgget(2)](https://man7.org/linux/man-pages/man2/msgget.2.html)
    #[doc(alias = "msgget")]
    pub fn open_or_create(key: Key, mode: Mode) -> Result<MsgQueue> {
        Self::get(key, IpcFlags::CREATE, mode)
    }

    /// `msgget(IPC_PRIVATE, IPC_CREAT | 0o600)` — a new queue no key finds:
    /// share its [`id`](Self::id) with the processes that should use it.
    ///
    /// Syscalls: `msgget` (`ipc` on i386 before Linux 5.1).
    ///
    /// # Examples
    /// ```
    /// # fn main() -> bareipc::Result<()> {
    /// use bareipc::mq::sysv::{Message, MsgQueue, MsgType, ReceiveFlags, Select, SendFlags};
    ///
    /// // No key finds it: children inherit the id, other processes are told it.
    /// let q = MsgQueue::private()?.remove_on_drop()?; // IPC_RMID when done
    /// let ty = MsgType::new(1)?;
    /// q.send(&Message::<32>::with_text(ty, b"hello")?, SendFlags::empty())?;
    /// let other = MsgQueue::from_id(q.id()); // as another process would
    /// let mut msg = Message::<32>::new(ty);
    /// other.receive(&mut msg, Select::Any, ReceiveFlags::empty())?;
    /// assert_eq!(msg.text(), b"hello");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Errno::NOSPC`](crate::Errno::NOSPC): the namespace has `msgmni`
    /// queues already.
    ///
    /// # References
    /// - [msgget(2)](https://man7.org/linux/man-pages/man2/msgget.2.html)
    #[doc(alias = "IPC_PRIVATE")]
    pub fn private() -> Result<MsgQueue> {
        Self::get(Key::PRIVATE, IpcFlags::CREATE, DEFAULT_MODE)
    }

    /// `msgrcv(id, &msg, N, msgtyp, IPC_NOWAIT)` —
    /// [`receive`](Self::receive) that never waits. (The kernel has no
    /// timed `msgrcv`: for a timeout, use a [POSIX
    /// queue](crate::mq::posix).)
    ///
    /// Syscalls: `msgrcv` (`ipc` on i386 before Linux 5.1); none for a copy
    /// index that does not fit.
    ///
    /// # Errors
    /// [`Errno::NOMSG`](crate::Errno::NOMSG) when no message matches; as
    /// [`receive`](Self::receive) otherwise.
    ///
    /// # References
    /// - [msgrcv(2)](https://man7.org/linux/man-pages/man2/msgrcv.2.html)
    pub fn try_receive<const N: usize>(
        &self,
        msg: &mut Message<N>,
        select: Select,
    ) -> Result<usize> {
        self.receive(msg, select, ReceiveFlags::NOWAIT)
    }

    /// `msgsnd(id, &msg, msg.len(), flags)` — queue a copy of `msg`; wait
    /// for room unless [`SendFlags::NOWAIT`].
    ///
    /// Only the type and the [`len`](Message::len) bytes of text are read.
    ///
    /// Syscalls: `msgsnd` (`ipc` on i386 before Linux 5.1; none for
    /// unknown flags).
    ///
    /// # Examples
    /// ```
    /// # fn main() -> bareipc::Result<()> {
    /// use bareipc::mq::sysv::{Message, MsgQueue, MsgType, ReceiveFlags, Select, SendFlags};
    ///
    /// let q = MsgQueue::private()?.remove_on_drop()?;
    /// let (log, job) = (MsgType::new(1)?, MsgType::new(2)?);
    /// q.send(&Message::<32>::with_text(log, b"started")?, SendFlags::empty())?;
    /// q.send(&Message::<32>::with_text(job, b"resize 42.png")?, SendFlags::empty())?;
    /// // A receiver picks by type: the job, though the log line came first.
    /// let mut msg = Message::<32>::new(job);
    /// q.receive(&mut msg, Select::Exactly(job), ReceiveFlags::empty())?;
    /// assert_eq!(msg.text(), b"resize 42.png");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// - [`Errno::AGAIN`](crate::Errno::AGAIN): `NOWAIT` and the queue is
    ///   full (its `max_bytes`, or as many messages as `max_bytes`).
    /// - [`Errno::INVAL`](crate::Errno::INVAL): the text is longer than
    ///   `msgmax`, or the id names no queue; or, before the syscall, a bit
    ///   of `flags` other than `NOWAIT` (which the kernel would ignore).
    /// - [`Errno::IDRM`](crate::Errno::IDRM): the queue was removed
    ///   (while waiting, or before).
    /// - [`Errno::ACCESS`](crate::Errno::ACCESS): no write permission.
    /// - [`Errno::INTR`](crate::Errno::INTR): a signal handler ran while
    ///   waiting, even with `SA_RESTART`: the SysV calls are never
    ///   restarted.
    /// - [`Errno::NOMEM`](crate::Errno::NOMEM): no memory for the copy.
    ///
    /// # References
    /// - [msgsnd(2)](https://man7.org/linux/man-pages/man2/msgsnd.2.html)
    #[doc(alias = "msgsnd")]
    pub fn send<const N: usize>(&self, msg: &Message<N>, flags: SendFlags) -> Result<()> {
        crate::flags::only(flags, SendFlags::all())?;
        raw::msgsnd(self.id, &msg.raw, msg.len, flags.bits() as c_int)
    }

    /// `msgsnd(id, &msg, msg.len(), IPC_NOWAIT)` — [`send`](Self::send)
    /// that never waits. (The kernel has no timed `msgsnd`: for a timeout,
    /// use a [POSIX queue](crate::mq::posix).)
    ///
    /// Syscalls: `msgsnd` (`ipc` on i386 before Linux 5.1).
    ///
    /// # Errors
    /// [`Errno::AGAIN`](crate::Errno::AGAIN) when the queue is full; as
    /// [`send`](Self::send) otherwise.
    ///
    /// # References
    /// - [msgsnd(2)](https://man7.org/linux/man-pages/man2/msgsnd.2.html)
    pub fn try_send<const N: usize>(&self, msg: &Message<N>) -> Result<()> {
        self.send(msg, SendFlags::NOWAIT)
    }

    /// `msgrcv(id, &msg, N, msgtyp, flags)` — take the message `select`
    /// picks into `msg` (type and text); wait for one unless
    /// [`ReceiveFlags::NOWAIT`]. Returns the text length.
    ///
    /// The kernel writes the type and at most `N` bytes. A longer message
    /// fails with `E2BIG` and stays queued, unless
    /// [`ReceiveFlags::TRUNCATE`] (then its first `N` bytes arrive, the rest
    /// is discarded, and nothing tells the two apart). On an error `msg`
    /// is unchanged.
    ///
    /// Syscalls: `msgrcv` (`ipc` on i386 before Linux 5.1); none for a copy
    /// position beyond the range of a long or unknown flags.
    ///
    /// # Examples
    /// ```
    /// # fn main() -> bareipc::Result<()> {
    /// use bareipc::Errno;
    /// use bareipc::mq::sysv::{Message, MsgQueue, MsgType, ReceiveFlags, Select, SendFlags};
    ///
    /// let q = MsgQueue::private()?.remove_on_drop()?;
    /// let ty = MsgType::MIN;
    /// q.send(&Message::<16>::with_text(ty, b"a longer message")?, SendFlags::empty())?;
    /// let mut small = Message::<8>::new(ty);
    /// // Too long for the buffer: refused, and it stays queued...
    /// assert_eq!(q.receive(&mut small, Select::Any, ReceiveFlags::NOWAIT), Err(Errno::TOOBIG));
    /// // ...unless the caller takes its first bytes.
    /// q.receive(&mut small, Select::Any, ReceiveFlags::TRUNCATE)?;
    /// assert_eq!(small.text(), b"a longer");
    /// assert_eq!(q.try_receive(&mut small, Select::Any), Err(Errno::NOMSG)); // empty now
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// - [`Errno::TOOBIG`](crate::Errno::TOOBIG): the message is longer
    ///   than `N` and not `TRUNCATE`; it stays queued.
    /// - [`Errno::NOMSG`](crate::Errno::NOMSG): `NOWAIT` (or
    ///   [`Select::Copy`]) and no message matches.
    /// - [`Errno::IDRM`](crate::Errno::IDRM): the queue was removed
    ///   (while waiting, or before).
    /// - [`Errno::ACCESS`](crate::Errno::ACCESS): no read permission.
    /// - [`Errno::INTR`](crate::Errno::INTR): a signal handler ran while
    ///   waiting, even with `SA_RESTART`: the SysV calls are never
    ///   restarted.
    /// - [`Errno::INVAL`](crate::Errno::INVAL): the id names no queue; a
    ///   [`Select::Copy`] position beyond `c_long` or a bit of `flags` that
    ///   is not a [`ReceiveFlags`] (both before the syscall); `Copy` of a
    ///   longer message with `TRUNCATE`.
    /// - [`Errno::NOSYS`](crate::Errno::NOSYS): [`Select::Copy`] on a
    ///   kernel without `CONFIG_CHECKPOINT_RESTORE`.
    ///
    /// # References
    /// - [msgrcv(2)](https://man7.org/linux/man-pages/man2/msgrcv.2.html)
    #[doc(alias = "msgrcv")]
    pub fn receive<const N: usize>(
        &self,
        msg: &mut Message<N>,
        select: Select,
        flags: ReceiveFlags,
    ) -> Result<usize> {
        let (msgtyp, extra) = select.raw()?;
        crate::flags::only(flags, ReceiveFlags::all())?;
        let flags = flags.bits() as c_int | extra;
        let mtype = msg.raw.mtype;
        match raw::msgrcv(self.id, &mut msg.raw, N, msgtyp, flags) {
            Ok(n) => {
                msg.len = n.min(N);
                Ok(msg.len)
            }
            Err(e) => {
                // The kernel writes nothing on failure; qemu-user 7.2
                // writes an uninitialised type even then.
                msg.raw.mtype = mtype;
                Err(e)
            }
        }
    }

    /// `msgctl(id, IPC_SET, &ds)` — set the owner, group, permission bits
    /// and byte limit together (read the current ones with
    /// [`stat`](Self::stat)).
    ///
    /// Syscalls: `msgctl` (`ipc` on i386 before Linux 5.1); none for a bad
    /// mode.
    ///
    /// # Errors
    /// - [`Errno::PERM`](crate::Errno::PERM): the caller is neither owner
    ///   nor creator (nor privileged), or raises `max_bytes` above
    ///   `msgmnb` without `CAP_SYS_RESOURCE`.
    /// - [`Errno::INVAL`](crate::Errno::INVAL): `mode` has bits outside
    ///   `0o777` (checked before the syscall: the kernel would drop them),
    ///   an owner or group with no mapping in the caller's user namespace,
    ///   or no such queue.
    /// - [`Errno::IDRM`](crate::Errno::IDRM): the queue was removed.
    ///
    /// # References
    /// - [msgctl(2)](https://man7.org/linux/man-pages/man2/msgctl.2.html)
    #[doc(alias = "msgctl")]
    #[doc(alias = "IPC_SET")]
    pub fn set(&self, owner: Uid, group: Gid, mode: Mode, max_bytes: usize) -> Result<()> {
        let mut ds = msqid64_ds::default();
        ds.msg_perm.uid = owner.as_raw();
        ds.msg_perm.gid = group.as_raw();
        ds.msg_perm.mode = perm_bits(mode)? as _;
        ds.msg_qbytes = max_bytes as c_ulong;
        raw::msgctl_set(self.id, &ds)
    }
}

crate::key::sysv_common!(MsgQueue, MsgQueueStat);

impl crate::key::Sysv for MsgQueue {
    type Stat = MsgQueueStat;
    fn raw_id(self) -> c_int {
        self.id
    }
    fn raw_stat(id: c_int) -> Result<MsgQueueStat> {
        let mut ds = msqid64_ds::default();
        raw::msgctl_stat(id, StatCmd::Id, &mut ds)?;
        Ok((&ds).into())
    }
    fn raw_set_owner(id: c_int, uid: Uid, gid: Gid, mode: u32) -> Result<()> {
        // IPC_SET also sets msg_qbytes: keep the current limit.
        let mut ds = msqid64_ds::default();
        raw::msgctl_stat(id, StatCmd::Id, &mut ds)?;
        ds.msg_perm.uid = uid.as_raw();
        ds.msg_perm.gid = gid.as_raw();
        ds.msg_perm.mode = mode as _;
        raw::msgctl_set(id, &ds)
    }
    fn raw_remove(id: c_int) -> Result<()> {
        raw::msgctl_rmid(id)
    }
    fn identity_of(st: &MsgQueueStat) -> Identity {
        Identity::new(&st.perm, 0, 0)
    }
}

/// `msgctl(0, IPC_INFO, &info)` — the namespace's limits.
///
/// Syscalls: `msgctl` (`ipc` on i386 before Linux 5.1).
///
/// # Errors
/// None in practice (`EFAULT` cannot happen: the buffer is ours).
///
/// # References
/// - [msgctl(2)](https://man7.org/linux/man-pages/man2/msgctl.2.html)
#[doc(alias = "msgctl")]
#[doc(alias = "IPC_INFO")]
pub fn limits() -> Result<Limits> {
    let mut info = msginfo::default();
    raw::msgctl_info(false, &mut info)?;
    Ok(Limits {
        max_message: count(info.msgmax),
        default_max_bytes: count(info.msgmnb),
        max_queues: count(info.msgmni),
    })
}

/// `msgctl(0, MSG_INFO, &info)` — what the namespace's queues hold
/// now.
///
/// Syscalls: `msgctl` (`ipc` on i386 before Linux 5.1).
///
/// # Errors
/// None in practice.
///
/// # References
/// - [msgctl(2)](https://man7.org/linux/man-pages/man2/msgctl.2.html)
#[doc(alias = "msgctl")]
#[doc(alias = "MSG_INFO")]
pub fn usage() -> Result<Usage> {
    let mut info = msginfo::default();
    let max_index = raw::msgctl_info(true, &mut info)?;
    Ok(Usage {
        queues: count(info.msgpool),
        messages: count(info.msgmap),
        bytes: count(info.msgtql),
        max_index,
    })
}

/// `msgctl(index, MSG_STAT, &ds)` — the queue at `index` in the
/// kernel's table (0 to [`Usage::max_index`]) and its status,
/// as `ipcs` lists them.
///
/// Syscalls: `msgctl` (`ipc` on i386 before Linux 5.1).
///
/// # Errors
/// - [`Errno::INVAL`](crate::Errno::INVAL): no queue at `index`.
/// - [`Errno::ACCESS`](crate::Errno::ACCESS): no read permission on
///   it (see [`stat_index_any`]).
///
/// # References
/// - [msgctl(2)](https://man7.org/linux/man-pages/man2/msgctl.2.html)
#[doc(alias = "msgctl")]
#[doc(alias = "MSG_STAT")]
pub fn stat_index(index: i32) -> Result<(MsgQueue, MsgQueueStat)> {
    stat_index_with(index, StatCmd::Index)
}

/// `msgctl(index, MSG_STAT_ANY, &ds)` — [`stat_index`]
/// without the read-permission check (Linux 4.17).
///
/// Syscalls: `msgctl` (`ipc` on i386 before Linux 5.1).
///
/// # Errors
/// [`Errno::INVAL`](crate::Errno::INVAL): no queue at `index`, or a
/// kernel before 4.17.
///
/// # References
/// - [msgctl(2)](https://man7.org/linux/man-pages/man2/msgctl.2.html)
#[doc(alias = "msgctl")]
#[doc(alias = "MSG_STAT_ANY")]
pub fn stat_index_any(index: i32) -> Result<(MsgQueue, MsgQueueStat)> {
    stat_index_with(index, StatCmd::IndexAny)
}

fn stat_index_with(index: i32, cmd: StatCmd) -> Result<(MsgQueue, MsgQueueStat)> {
    let mut ds = msqid64_ds::default();
    let id = raw::msgctl_stat(index, cmd, &mut ds)?;
    Ok((MsgQueue { id }, (&ds).into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types() {
        assert_eq!(MsgType::new(1), Ok(MsgType::MIN));
        assert_eq!(MsgType::new(c_long::MAX).map(MsgType::get), Ok(c_long::MAX));
        for bad in [0, -1, c_long::MIN] {
            assert_eq!(MsgType::new(bad), Err(Errno::INVAL));
        }
    }

    #[test]
    fn selections() {
        let t = MsgType::new(5).unwrap();
        assert_eq!(Select::Any.raw(), Ok((0, 0)));
        assert_eq!(Select::Exactly(t).raw(), Ok((5, 0)));
        assert_eq!(Select::AtMost(t).raw(), Ok((-5, 0)));
        assert_eq!(Select::Except(t).raw(), Ok((5, MSG_EXCEPT)));
        assert_eq!(Select::Copy(3).raw(), Ok((3, MSG_COPY | IPC_NOWAIT)));
        // The largest type negates without overflow.
        let max = MsgType::new(c_long::MAX).unwrap();
        assert_eq!(Select::AtMost(max).raw(), Ok((-c_long::MAX, 0)));
        #[cfg(target_pointer_width = "64")]
        assert_eq!(Select::Copy(usize::MAX).raw(), Err(Errno::INVAL));
    }

    #[test]
    fn message_text_bounds() {
        let mut m = Message::<4>::with_text(MsgType::MIN, b"abcd").unwrap();
        assert_eq!((m.text(), m.len()), (&b"abcd"[..], 4));
        assert_eq!(m.set_text(b"abcde"), Err(Errno::TOOBIG));
        assert_eq!(m.text(), b"abcd", "unchanged after a refused text");
        m.set_text(b"xy").unwrap();
        assert_eq!(m.text(), b"xy");
        assert_eq!(m.set_len(5), Err(Errno::TOOBIG));
        m.set_len(4).unwrap();
        assert_eq!(m.text(), b"xycd");
        assert!(Message::<0>::new(MsgType::MIN).is_empty());
        assert_eq!(
            Message::<0>::with_text(MsgType::MIN, b"x").err(),
            Some(Errno::TOOBIG)
        );
    }
}
