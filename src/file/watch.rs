//! Change notification with inotify: the kernel tells a pollable fd when a
//! watched file or directory changes, so a reader need not poll the file.
//!
//! ```no_run
//! # #[cfg(feature = "std")] fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use bareipc::file::watch::{self, Watcher, WatcherFlags};
//!
//! // Reader process: watch the directory, since a replace puts a new
//! // file (a new inode) under the name.
//! let watcher = Watcher::new(WatcherFlags::empty())?;
//! watcher.add("/run/app", watch::CHANGES)?;
//!
//! // Writer process (here a child running a shell, as any writer would):
//! // a rename into place is one MOVED_TO event naming the file.
//! std::process::Command::new("sh")
//!     .args(["-c", "echo 42 > /run/app/.new && mv /run/app/.new /run/app/config"])
//!     .status()?;
//!
//! let mut buf = [0u8; watch::BUFFER_LEN];
//! for event in watcher.read(&mut buf)? {
//!     if event.mask().contains(watch::ReadFlags::MOVED_TO) && event.name_bytes() == b"config" {
//!         let config = std::fs::read("/run/app/config")?;
//!         # let _ = config;
//!     }
//! }
//! # Ok(()) }
//! # #[cfg(not(feature = "std"))] fn main() {}
//! ```
//!
//! # What to watch
//! | the other process | watch | event |
//! |---|---|---|
//! | replaces the file ([`replace`](super::replace::replace), `mv`) | the directory | [`MOVED_TO`](ReadFlags::MOVED_TO) with the file's name |
//! | creates it ([`create`](super::replace::create), `link`, `open(O_CREAT)`) | the directory | [`CREATE`](ReadFlags::CREATE) with the name |
//! | writes it in place | the file (or the directory) | [`MODIFY`](ReadFlags::MODIFY) per write, [`CLOSE_WRITE`](ReadFlags::CLOSE_WRITE) when it closes |
//! | removes it | the directory / the file | [`DELETE`](ReadFlags::DELETE) with the name / [`DELETE_SELF`](ReadFlags::DELETE_SELF) |
//!
//! A watch follows an inode, not a name: a watch on a file that is then
//! replaced keeps watching the old file (it gets `DELETE_SELF` and
//! [`IGNORED`](ReadFlags::IGNORED) when the last link goes). Watch the
//! directory and filter by name to follow a name across replacements.
//!
//! # Events
//! [`Watcher::read`] reads as many whole events as fit into the caller's
//! buffer and iterates over them in place: no allocation. Identical
//! consecutive events (same watch, mask, cookie and name) are merged by
//! the kernel, so count renames (each has its own cookie), not writes. If
//! the queue overflows (`/proc/sys/fs/inotify/max_queued_events`), events
//! are dropped and the kernel queues one
//! [`QUEUE_OVERFLOW`](ReadFlags::QUEUE_OVERFLOW) marker; the read that
//! meets it fails with `EOVERFLOW`, so the loss cannot go unnoticed:
//! rescan what you watch.
//!
//! The fd is close-on-exec and works with `poll`, `select` and `epoll`: it
//! is readable while events are queued.

use core::ffi::CStr;
use core::time::Duration;

use rustix::fd::OwnedFd;
use rustix::fs::inotify::{self, CreateFlags};
use rustix::path::Arg;

#[doc(no_inline)]
pub use rustix::fs::inotify::{ReadFlags, WatchFlags};

use crate::{Errno, Result};

/// The size of an event without its name: `struct inotify_event`.
pub const EVENT_HEADER_LEN: usize = size_of::<linux_raw_sys::general::inotify_event>();

/// A buffer of this many bytes always holds the next event: the header
/// plus the longest name (255 bytes), its NUL and padding.
pub const BUFFER_LEN: usize = EVENT_HEADER_LEN + linux_raw_sys::general::NAME_MAX as usize + 1;

/// The events of [`add`](Watcher::add) for following a file's content
/// through the ways another process changes it: `MODIFY`, `CLOSE_WRITE`,
/// `CREATE`, `MOVED_TO`, `DELETE`, `DELETE_SELF` and `MOVE_SELF`.
pub const CHANGES: WatchFlags = WatchFlags::MODIFY
    .union(WatchFlags::CLOSE_WRITE)
    .union(WatchFlags::CREATE)
    .union(WatchFlags::MOVED_TO)
    .union(WatchFlags::DELETE)
    .union(WatchFlags::DELETE_SELF)
    .union(WatchFlags::MOVE_SELF);

const _: () = assert!(EVENT_HEADER_LEN == 16);

/// What [`Watcher::add`] takes: the events, and the options of a watch.
const WATCH_FLAGS: WatchFlags = WatchFlags::ALL_EVENTS
    .union(WatchFlags::DONT_FOLLOW)
    .union(WatchFlags::EXCL_UNLINK)
    .union(WatchFlags::MASK_ADD)
    .union(WatchFlags::MASK_CREATE)
    .union(WatchFlags::ONESHOT)
    .union(WatchFlags::ONLYDIR);

bitflags::bitflags! {
    /// Options for [`Watcher::new`]. `IN_CLOEXEC` is always set and is not
    /// a flag here.
    #[repr(transparent)]
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct WatcherFlags: u32 {
        /// `IN_NONBLOCK`: [`Watcher::read`] fails with `EAGAIN` instead of
        /// waiting when no event is queued.
        const NONBLOCK = linux_raw_sys::general::IN_NONBLOCK;
    }
}

/// A watch: what [`Watcher::add`] returns and each [`Event`] names
/// (`wd` in C).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Watch(i32);

impl Watch {
    /// The watch descriptor as the kernel numbers it; `-1` in a
    /// [`QUEUE_OVERFLOW`](ReadFlags::QUEUE_OVERFLOW) event.
    ///
    /// Syscalls: none.
    #[inline]
    pub const fn as_raw(self) -> i32 {
        self.0
    }
}

/// An inotify instance: a queue of change events for the watches added to
/// it, behind a pollable fd.
///
/// Closing it (drop) removes all its watches.
///
/// Syscalls: none until dropped; then `close`.
#[doc(alias = "inotify")]
#[derive(Debug)]
pub struct Watcher(OwnedFd);

impl Watcher {
    /// `inotify_init1(IN_CLOEXEC | flags)` — create an inotify instance
    /// with no watches.
    ///
    /// Syscalls: `inotify_init1` (none for unknown flags).
    ///
    /// # Examples
    /// ```
    /// # fn main() -> bareipc::Result<()> {
    /// use bareipc::file::watch::{self, Watcher, WatcherFlags};
    ///
    /// let dir = std::env::temp_dir().join(format!("bareipc-doc-watcher-{}", std::process::id()));
    /// std::fs::create_dir(&dir).expect("a directory");
    /// let watcher = Watcher::new(WatcherFlags::NONBLOCK)?; // poll it beside your other fds
    /// watcher.add(&*dir, watch::CHANGES)?;
    /// let mut buf = [0u8; watch::BUFFER_LEN];
    /// assert_eq!(watcher.read(&mut buf).err(), Some(bareipc::Errno::AGAIN)); // nothing yet
    /// std::fs::write(dir.join("state"), b"1").expect("written"); // by any process
    /// assert!(watcher.read(&mut buf)?.any(|event| event.name_bytes() == b"state"));
    /// std::fs::remove_dir_all(&dir).expect("removed");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// - [`Errno::MFILE`](crate::Errno::MFILE): the user's
    ///   `/proc/sys/fs/inotify/max_user_instances`, or the process's
    ///   `RLIMIT_NOFILE`, is reached.
    /// - [`Errno::NFILE`](crate::Errno::NFILE): the system-wide file limit.
    /// - [`Errno::NOMEM`](crate::Errno::NOMEM).
    /// - [`Errno::INVAL`](crate::Errno::INVAL): a flag other than
    ///   [`WatcherFlags::NONBLOCK`], before the syscall.
    ///
    /// # References
    /// - [inotify_init1(2)](https://man7.org/linux/man-pages/man2/inotify_init1.2.html)
    /// - [inotify(7)](https://man7.org/linux/man-pages/man7/inotify.7.html)
    #[doc(alias = "inotify_init1")]
    pub fn new(flags: WatcherFlags) -> Result<Watcher> {
        crate::flags::only(flags, WatcherFlags::all())?;
        let flags = CreateFlags::from_bits_retain(flags.bits()) | CreateFlags::CLOEXEC;
        inotify::init(flags).map(Watcher)
    }

    /// `inotify_add_watch(fd, path, mask)` — watch `path` (a file or a
    /// directory) for the events in `mask`.
    ///
    /// `path` is relative to the current directory, or absolute; symlinks
    /// are followed unless `mask` has [`WatchFlags::DONT_FOLLOW`]. A
    /// directory watch reports events on the directory and on the entries
    /// in it (not recursively), naming the entry. Adding a path already
    /// watched by this instance returns the same [`Watch`] and replaces its
    /// mask (or adds to it with [`WatchFlags::MASK_ADD`]).
    ///
    /// `mask` may hold the events of [`WatchFlags::ALL_EVENTS`] and the
    /// options `DONT_FOLLOW`, `EXCL_UNLINK`, `MASK_ADD`, `MASK_CREATE`,
    /// `ONESHOT` and `ONLYDIR`; any other bit is refused, also the
    /// reported-only `IN_ISDIR`, `IN_UNMOUNT` and `IN_IGNORED`, which the
    /// kernel accepts in a mask (alone, they make a watch of no event).
    ///
    /// Syscalls: `inotify_add_watch` (none for unknown flags).
    ///
    /// # Errors
    /// - [`Errno::NOENT`](crate::Errno::NOENT): `path` does not exist.
    /// - [`Errno::ACCESS`](crate::Errno::ACCESS): `path` is not readable by
    ///   the caller.
    /// - [`Errno::NOTDIR`](crate::Errno::NOTDIR): [`WatchFlags::ONLYDIR`]
    ///   and `path` is not a directory.
    /// - [`Errno::EXIST`](crate::Errno::EXIST): [`WatchFlags::MASK_CREATE`]
    ///   and `path` is already watched.
    /// - [`Errno::INVAL`](crate::Errno::INVAL): `mask` has no event, or both
    ///   `MASK_ADD` and `MASK_CREATE`; or, before the syscall, a bit that
    ///   is neither an event nor one of the options above.
    /// - [`Errno::NOSPC`](crate::Errno::NOSPC): the user's
    ///   `/proc/sys/fs/inotify/max_user_watches` is reached.
    /// - [`Errno::NAMETOOLONG`](crate::Errno::NAMETOOLONG),
    ///   [`Errno::LOOP`](crate::Errno::LOOP), [`Errno::NOMEM`](crate::Errno::NOMEM).
    ///
    /// # References
    /// - [inotify_add_watch(2)](https://man7.org/linux/man-pages/man2/inotify_add_watch.2.html)
    #[doc(alias = "inotify_add_watch")]
    pub fn add<P: Arg>(&self, path: P, mask: WatchFlags) -> Result<Watch> {
        crate::flags::only(mask, WATCH_FLAGS)?;
        inotify::add_watch(&self.0, path, mask).map(Watch)
    }

    /// `inotify_rm_watch(fd, wd)` — stop a watch. An
    /// [`IGNORED`](ReadFlags::IGNORED) event for it follows.
    ///
    /// Syscalls: `inotify_rm_watch`.
    ///
    /// # Errors
    /// [`Errno::INVAL`](crate::Errno::INVAL): `watch` is not a watch of this
    /// instance (or was removed already, also by the kernel when its inode
    /// went away).
    ///
    /// # References
    /// - [inotify_rm_watch(2)](https://man7.org/linux/man-pages/man2/inotify_rm_watch.2.html)
    #[doc(alias = "inotify_rm_watch")]
    pub fn remove(&self, watch: Watch) -> Result<()> {
        inotify::remove_watch(&self.0, watch.0)
    }

    /// `read(fd, buf, len)` — take as many whole queued events as fit in
    /// `buf`, waiting for one if none is queued (unless non-blocking).
    ///
    /// The returned iterator decodes them from `buf` in place. A buffer of
    /// [`BUFFER_LEN`] bytes always fits the next event; a smaller one may
    /// fail with `EINVAL`, and the event then stays queued.
    ///
    /// Syscalls: `read` (none if `buf` is shorter than `EVENT_HEADER_LEN`).
    ///
    /// # Examples
    /// ```
    /// # fn main() -> bareipc::Result<()> {
    /// use bareipc::file::watch::{self, ReadFlags, Watcher, WatcherFlags};
    ///
    /// let dir = std::env::temp_dir().join(format!("bareipc-doc-watch-read-{}", std::process::id()));
    /// std::fs::create_dir(&dir).expect("a directory");
    /// let watcher = Watcher::new(WatcherFlags::empty())?;
    /// watcher.add(&*dir, watch::CHANGES)?; // the directory: a replace brings a new inode
    /// std::fs::write(dir.join(".new"), b"workers = 4\n").expect("written"); // another process
    /// std::fs::rename(dir.join(".new"), dir.join("config")).expect("renamed"); // replaces config
    /// let mut buf = [0u8; 4096]; // room for several events
    /// let mut replaced = false;
    /// for event in watcher.read(&mut buf)? {
    ///     replaced |= event.mask().contains(ReadFlags::MOVED_TO) && event.name_bytes() == b"config";
    /// }
    /// assert!(replaced);
    /// std::fs::remove_dir_all(&dir).expect("removed");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// - [`Errno::OVERFLOW`](crate::Errno::OVERFLOW): the kernel's queue
    ///   overflowed and dropped events (it queued a
    ///   [`QUEUE_OVERFLOW`](ReadFlags::QUEUE_OVERFLOW) marker, which this
    ///   read met). The events read with the marker are discarded too: only
    ///   a rescan of what is watched is correct now. The next read returns
    ///   what was queued after it.
    /// - [`Errno::INVAL`](crate::Errno::INVAL): `buf` is too small for the
    ///   next event (checked before the syscall when it cannot hold even a
    ///   header, where the kernel would first wait for an event).
    /// - [`Errno::AGAIN`](crate::Errno::AGAIN): non-blocking and no event is
    ///   queued.
    /// - [`Errno::INTR`](crate::Errno::INTR): a signal handler ran while
    ///   waiting (restarted instead with `SA_RESTART`).
    ///
    /// # References
    /// - [inotify(7), "Reading events"](https://man7.org/linux/man-pages/man7/inotify.7.html)
    /// - [read(2)](https://man7.org/linux/man-pages/man2/read.2.html)
    pub fn read<'b>(&self, buf: &'b mut [u8]) -> Result<Events<'b>> {
        if buf.len() < EVENT_HEADER_LEN {
            return Err(Errno::INVAL);
        }
        let n = rustix::io::read(&self.0, &mut *buf)?;
        let filled: &'b [u8] = buf;
        let events = Events {
            rest: filled.get(..n).unwrap_or_default(),
        };
        // Events were dropped: what came with the marker is no basis to go
        // on from either, so none of it is returned.
        if events
            .clone()
            .any(|e| e.mask().contains(ReadFlags::QUEUE_OVERFLOW))
        {
            return Err(Errno::OVERFLOW);
        }
        Ok(events)
    }

    /// `ppoll(&{fd, POLLIN}, timeout)`, then `read(fd, buf, len)` — as
    /// [`read`](Watcher::read), but wait at most `timeout` for an event.
    ///
    /// A `timeout` of zero checks without waiting. If another reader of the
    /// same open file description takes the events between the poll and the
    /// read, a blocking watcher's read then waits for the next event: share
    /// a watcher between readers only in non-blocking mode.
    ///
    /// Syscalls: `ppoll` (`ppoll_time64` on x86 and arm when `timeout`
    /// exceeds `i32::MAX` seconds), then `read` if an event is queued (none
    /// at all if `buf` is shorter than `EVENT_HEADER_LEN`).
    ///
    /// # Errors
    /// - [`Errno::TIMEDOUT`](crate::Errno::TIMEDOUT): no event arrived
    ///   within `timeout`.
    /// - [`Errno::INTR`](crate::Errno::INTR): a signal handler ran while
    ///   waiting (`ppoll` is never restarted, whatever `SA_RESTART` says).
    /// - [`Errno::INVAL`](crate::Errno::INVAL),
    ///   [`Errno::AGAIN`](crate::Errno::AGAIN): as for
    ///   [`read`](Watcher::read).
    ///
    /// # References
    /// - [ppoll(2)](https://man7.org/linux/man-pages/man2/ppoll.2.html)
    /// - [inotify(7)](https://man7.org/linux/man-pages/man7/inotify.7.html)
    pub fn read_timeout<'b>(&self, buf: &'b mut [u8], timeout: Duration) -> Result<Events<'b>> {
        if buf.len() < EVENT_HEADER_LEN {
            return Err(Errno::INVAL);
        }
        crate::poll::wait(
            rustix::fd::AsFd::as_fd(&self.0),
            crate::poll::PollFlags::IN,
            timeout,
        )?;
        self.read(buf)
    }

    /// `ppoll(&{fd, POLLIN}, 0)`, then `read(fd, buf, len)` if an event is
    /// queued — a read that never waits, whatever the watcher's mode.
    ///
    /// Syscalls: `ppoll`, then `read` if ready (none at all if `buf` is
    /// shorter than `EVENT_HEADER_LEN`).
    ///
    /// # Errors
    /// - [`Errno::AGAIN`](crate::Errno::AGAIN): no event is queued.
    /// - [`Errno::INVAL`](crate::Errno::INVAL): as for
    ///   [`read`](Watcher::read).
    ///
    /// # References
    /// - [poll(2)](https://man7.org/linux/man-pages/man2/poll.2.html)
    /// - [inotify(7)](https://man7.org/linux/man-pages/man7/inotify.7.html)
    pub fn try_read<'b>(&self, buf: &'b mut [u8]) -> Result<Events<'b>> {
        if buf.len() < EVENT_HEADER_LEN {
            return Err(Errno::INVAL);
        }
        crate::poll::ready(rustix::fd::AsFd::as_fd(&self.0), crate::poll::PollFlags::IN)?;
        self.read(buf)
    }
}

fd_handle!(Watcher);

/// The events one [`Watcher::read`] returned, decoded in place.
#[derive(Clone, Debug)]
pub struct Events<'b> {
    rest: &'b [u8],
}

impl<'b> Iterator for Events<'b> {
    type Item = Event<'b>;

    fn next(&mut self) -> Option<Event<'b>> {
        let (header, after) = self.rest.split_first_chunk::<EVENT_HEADER_LEN>()?;
        let field = |i: usize| {
            let mut b = [0u8; 4];
            b.copy_from_slice(&header[i * 4..i * 4 + 4]);
            u32::from_ne_bytes(b)
        };
        let len = field(3) as usize;
        // The kernel only returns whole events; stop at anything else.
        let Some((name, rest)) = after.split_at_checked(len) else {
            self.rest = &[];
            return None;
        };
        self.rest = rest;
        Some(Event {
            watch: Watch(field(0) as i32),
            mask: ReadFlags::from_bits_retain(field(1)),
            cookie: field(2),
            name,
        })
    }
}

impl core::iter::FusedIterator for Events<'_> {}

/// One inotify event (`struct inotify_event`), borrowed from the buffer it
/// was read into.
#[doc(alias = "inotify_event")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event<'b> {
    watch: Watch,
    mask: ReadFlags,
    cookie: u32,
    /// The name field: the name, then one or more NULs of padding.
    name: &'b [u8],
}

impl<'b> Event<'b> {
    /// The watch it happened on (`wd`).
    ///
    /// Syscalls: none.
    #[inline]
    pub fn watch(&self) -> Watch {
        self.watch
    }

    /// What happened (`mask`): one event bit, plus
    /// [`ISDIR`](ReadFlags::ISDIR) if the subject is a directory, or one of
    /// [`IGNORED`](ReadFlags::IGNORED),
    /// [`QUEUE_OVERFLOW`](ReadFlags::QUEUE_OVERFLOW),
    /// [`UNMOUNT`](ReadFlags::UNMOUNT).
    ///
    /// Syscalls: none.
    #[inline]
    pub fn mask(&self) -> ReadFlags {
        self.mask
    }

    /// Pairs the [`MOVED_FROM`](ReadFlags::MOVED_FROM) and
    /// [`MOVED_TO`](ReadFlags::MOVED_TO) events of one rename; 0 for other
    /// events.
    ///
    /// Syscalls: none.
    #[inline]
    pub fn cookie(&self) -> u32 {
        self.cookie
    }

    /// The name of the entry, for an event on an entry of a watched
    /// directory; `None` for an event on the watched object itself.
    ///
    /// Syscalls: none.
    #[inline]
    pub fn name(&self) -> Option<&'b CStr> {
        CStr::from_bytes_until_nul(self.name).ok()
    }

    /// The name's bytes without NUL: empty for an event on the watched
    /// object itself.
    ///
    /// Syscalls: none.
    #[inline]
    pub fn name_bytes(&self) -> &'b [u8] {
        let end = self
            .name
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(self.name.len());
        self.name.get(..end).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn push(buf: &mut Vec<u8>, wd: i32, mask: u32, cookie: u32, name: &[u8]) {
        let len = if name.is_empty() {
            0
        } else {
            (name.len() + 1).next_multiple_of(16)
        };
        buf.extend_from_slice(&wd.to_ne_bytes());
        buf.extend_from_slice(&mask.to_ne_bytes());
        buf.extend_from_slice(&cookie.to_ne_bytes());
        buf.extend_from_slice(&(len as u32).to_ne_bytes());
        let mut padded = name.to_vec();
        padded.resize(len, 0);
        buf.extend_from_slice(&padded);
    }

    extern crate std;
    use std::vec::Vec;

    #[test]
    fn events_decode_in_place() {
        let mut buf = Vec::new();
        push(&mut buf, 1, ReadFlags::MOVED_TO.bits(), 7, b"config");
        push(&mut buf, 2, ReadFlags::CLOSE_WRITE.bits(), 0, b"");
        push(&mut buf, 1, ReadFlags::CREATE.bits(), 0, &[b'n'; 16]);
        let mut events = Events { rest: &buf };
        let e = events.next().unwrap();
        assert_eq!((e.watch().as_raw(), e.cookie()), (1, 7));
        assert_eq!(e.mask(), ReadFlags::MOVED_TO);
        assert_eq!(e.name(), Some(c"config"));
        assert_eq!(e.name_bytes(), b"config");
        let e = events.next().unwrap();
        assert_eq!(
            (e.watch().as_raw(), e.name(), e.name_bytes()),
            (2, None, &b""[..])
        );
        let e = events.next().unwrap();
        assert_eq!(e.name_bytes(), &[b'n'; 16]);
        assert!(events.next().is_none());
        // A truncated event ends the iteration rather than misreading.
        let mut events = Events { rest: &buf[..20] };
        assert!(events.next().is_none());
        assert!(events.next().is_none());
    }
}
