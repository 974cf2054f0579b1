//! Event counters: the lightest pollable notification between processes or
//! threads, as a 64-bit counter held by the kernel behind one fd.
//!
//! [`EventFd::new`] creates the counter with an initial value.
//! [`write`](EventFd::write) adds to it and wakes whoever waits;
//! [`read`](EventFd::read) waits until it is non-zero, then returns it and
//! resets it to 0 (or, in [semaphore mode](#semaphore-mode), returns 1 and
//! decrements it). The fd is always close-on-exec: it reaches another
//! process when you hand it over on purpose (inherited with `dup2` after
//! `fork`, as a child's stdin or stdout, or sent over a Unix socket).
//!
//! ```
//! # #[cfg(feature = "std")] fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::process::{Command, Stdio};
//! use bareipc::eventfd::{EventFd, EventFdFlags};
//! use bareipc::fd::AsFd;
//!
//! let done = EventFd::new(0, EventFdFlags::empty())?;
//! // A copy of the fd becomes the child's stdout (dup2 clears close-on-exec
//! // on the child's copy only). The child signals by writing 8 bytes: here
//! // 0x0101_0101_0101_0101, which reads the same in either byte order.
//! let mut child = Command::new("sh")
//!     .arg("-c")
//!     .arg(r"printf '\001\001\001\001\001\001\001\001'")
//!     .stdout(Stdio::from(done.as_fd().try_clone_to_owned()?))
//!     .spawn()?;
//! // Blocks until the child has written, then resets the counter to 0.
//! assert_eq!(done.read()?, 0x0101_0101_0101_0101);
//! child.wait()?;
//! # Ok(()) }
//! # #[cfg(not(feature = "std"))] fn main() {}
//! ```
//!
//! # The counter
//! The counter is a `u64` from 0 to `0xffff_ffff_ffff_fffe`. On the fd it
//! is 8 bytes in native byte order, which [`read`](EventFd::read) and
//! [`write`](EventFd::write) convert for you; a peer that uses the raw fd
//! must read and write exactly 8 bytes (the kernel refuses a shorter buffer
//! with `EINVAL`).
//! - A write of `n` adds `n`, unless the sum would exceed
//!   `0xffff_ffff_ffff_fffe`: then the write blocks until a read makes
//!   room, or fails with [`Errno::AGAIN`] when non-blocking. Nothing is
//!   added partially.
//! - A write of `u64::MAX` is refused with [`Errno::INVAL`] (the kernel
//!   refuses it too; this crate checks before the syscall).
//! - A write of 0 succeeds, leaves the counter alone, and still wakes
//!   waiters (who find the counter unchanged).
//! - A read of a counter at 0 blocks until a write, or fails with
//!   [`Errno::AGAIN`] when non-blocking. A read never returns 0.
//!
//! The initial value of [`EventFd::new`] is a `u32`, as in the syscall;
//! start higher by writing after creation.
//!
//! # Semaphore mode
//! With [`EventFdFlags::SEMAPHORE`] a read takes one unit instead of all of
//! them: it returns 1 and decrements the counter. Writes are unchanged, so
//! a producer posts `n` units with one write and `n` readers (in any
//! processes sharing the fd) each take one.
//!
//! # Polling
//! The fd works with `poll`, `select` and `epoll`: it is readable while the
//! counter is above 0, and writable while a write of 1 would not block
//! (the counter is below `0xffff_ffff_ffff_fffe`).
//!
//! ```
//! # fn main() -> bareipc::Result<()> {
//! use bareipc::eventfd::{EventFd, EventFdFlags};
//! use bareipc::poll::{PollFd, PollFlags, poll};
//! use core::time::Duration;
//!
//! let ev = EventFd::new(0, EventFdFlags::empty())?;
//! let mut fds = [PollFd::new(&ev, PollFlags::IN)];
//! assert_eq!(poll(&mut fds, Some(Duration::ZERO))?, 0); // counter is 0: not readable
//! ev.write(1)?;
//! assert_eq!(poll(&mut fds, Some(Duration::ZERO))?, 1);
//! assert!(fds[0].revents().contains(PollFlags::IN));
//! # Ok(()) }
//! ```
//!
//! # Blocking mode and signals
//! Blocking mode belongs to the open file description, so
//! [`set_nonblocking`](EventFd::set_nonblocking) changes it for every
//! duplicate of the fd, in every process that shares it. A blocked read or
//! write interrupted by a signal handler fails with [`Errno::INTR`], unless
//! the handler was installed with `SA_RESTART`, in which case the kernel
//! restarts it.
//!
//! [`Errno::AGAIN`]: crate::Errno::AGAIN
//! [`Errno::INVAL`]: crate::Errno::INVAL
//! [`Errno::INTR`]: crate::Errno::INTR

use rustix::event::EventfdFlags;
use rustix::fd::OwnedFd;

use crate::{Errno, Result};

bitflags::bitflags! {
    /// Options for [`EventFd::new`]. `EFD_CLOEXEC` is always set and is not
    /// a flag here.
    #[repr(transparent)]
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct EventFdFlags: u32 {
        /// `EFD_SEMAPHORE`: a read returns 1 and decrements the counter,
        /// instead of returning the whole counter and resetting it to 0.
        const SEMAPHORE = linux_raw_sys::general::EFD_SEMAPHORE;
        /// `EFD_NONBLOCK`: a read of a zero counter, or a write that would
        /// overflow it, fails with `EAGAIN` instead of waiting.
        ///
        /// The flag belongs to the open file description, which every
        /// duplicate of the fd shares (fork, `SCM_RIGHTS`): a process that
        /// holds one can clear it, and this process's reads and writes then
        /// block. Where such a peer holds the fd, `poll` before reading.
        const NONBLOCK = linux_raw_sys::general::EFD_NONBLOCK;
    }
}

/// The largest value the counter can hold: `0xffff_ffff_ffff_fffe`.
pub const MAX: u64 = u64::MAX - 1;

/// An eventfd: a kernel-held 64-bit counter behind a file descriptor.
///
/// Closes its fd on drop. Share it with another process by handing over the
/// fd; every holder sees the same counter.
///
/// Syscalls: none until dropped; then `close`.
#[doc(alias = "eventfd")]
#[derive(Debug)]
pub struct EventFd(OwnedFd);

impl EventFd {
    /// `eventfd2(initial, flags | EFD_CLOEXEC)` — create an event counter
    /// holding `initial`.
    ///
    /// `EFD_CLOEXEC` is always added. [`EventFdFlags::SEMAPHORE`] selects
    /// [semaphore mode](self#semaphore-mode); [`EventFdFlags::NONBLOCK`]
    /// makes reads and writes fail with `EAGAIN` instead of waiting. Any
    /// other bit is refused before the syscall.
    ///
    /// Syscalls: `eventfd2` (none for unknown flags).
    ///
    /// # Examples
    /// ```
    /// # fn main() -> bareipc::Result<()> {
    /// use bareipc::eventfd::{EventFd, EventFdFlags};
    ///
    /// // Semaphore mode: each read takes one unit.
    /// let units = EventFd::new(2, EventFdFlags::SEMAPHORE | EventFdFlags::NONBLOCK)?;
    /// assert_eq!(units.read()?, 1);
    /// assert_eq!(units.read()?, 1);
    /// assert_eq!(units.read(), Err(bareipc::Errno::AGAIN)); // none left
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// - [`Errno::INVAL`](crate::Errno::INVAL): a flag other than
    ///   `SEMAPHORE` and `NONBLOCK`, before the syscall.
    /// - [`Errno::MFILE`](crate::Errno::MFILE): the process has reached
    ///   `RLIMIT_NOFILE`.
    /// - [`Errno::NFILE`](crate::Errno::NFILE): the system-wide file limit
    ///   was reached.
    /// - [`Errno::NOMEM`](crate::Errno::NOMEM),
    ///   [`Errno::NODEV`](crate::Errno::NODEV): the kernel could not
    ///   allocate the object or its anonymous inode.
    ///
    /// # References
    /// - [eventfd(2)](https://man7.org/linux/man-pages/man2/eventfd.2.html)
    #[doc(alias = "eventfd")]
    #[doc(alias = "eventfd2")]
    pub fn new(initial: u32, flags: EventFdFlags) -> Result<EventFd> {
        crate::flags::only(flags, EventFdFlags::all())?;
        let flags = EventfdFlags::from_bits_retain(flags.bits()) | EventfdFlags::CLOEXEC;
        rustix::event::eventfd(initial, flags).map(EventFd)
    }

    /// `read(fd, &mut value, 8)` — take from the counter.
    ///
    /// Waits while the counter is 0 (unless non-blocking). Then, in counter
    /// mode, returns the counter and resets it to 0; in semaphore mode,
    /// returns 1 and decrements it. Never returns 0.
    ///
    /// Syscalls: `read`.
    ///
    /// # Examples
    /// ```
    /// # fn main() -> bareipc::Result<()> {
    /// use bareipc::eventfd::{EventFd, EventFdFlags};
    ///
    /// let ev = EventFd::new(0, EventFdFlags::empty())?;
    /// ev.write(3)?;
    /// ev.write(4)?;
    /// assert_eq!(ev.read()?, 7); // the whole count, and the counter is 0 again
    /// assert_eq!(ev.try_read(), Err(bareipc::Errno::AGAIN));
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// - [`Errno::AGAIN`](crate::Errno::AGAIN): non-blocking and the counter
    ///   is 0.
    /// - [`Errno::INTR`](crate::Errno::INTR): a signal handler ran while
    ///   waiting (restarted instead if it was installed with `SA_RESTART`).
    /// - [`Errno::IO`](crate::Errno::IO): the read returned fewer than 8
    ///   bytes, which only an fd adopted with `From<OwnedFd>` that is not an
    ///   eventfd can do.
    ///
    /// # References
    /// - [eventfd(2)](https://man7.org/linux/man-pages/man2/eventfd.2.html)
    /// - [read(2)](https://man7.org/linux/man-pages/man2/read.2.html)
    #[doc(alias = "eventfd_read")]
    pub fn read(&self) -> Result<u64> {
        let mut buf = [0u8; 8];
        match rustix::io::read(&self.0, &mut buf)? {
            8 => Ok(u64::from_ne_bytes(buf)),
            _ => Err(Errno::IO),
        }
    }

    /// `write(fd, &value, 8)` — add `value` to the counter and wake the
    /// readers and pollers.
    ///
    /// If the sum would exceed [`MAX`] (`0xffff_ffff_ffff_fffe`), waits
    /// until reads make room (unless non-blocking); nothing is ever added
    /// partially. A `value` of 0 leaves the counter alone.
    ///
    /// Syscalls: `write` (none when `value` is `u64::MAX`).
    ///
    /// # Examples
    /// ```
    /// # fn main() -> bareipc::Result<()> {
    /// use bareipc::eventfd::{self, EventFd, EventFdFlags};
    ///
    /// let ev = EventFd::new(0, EventFdFlags::NONBLOCK)?;
    /// ev.write(eventfd::MAX)?;
    /// // Full: a write that would overflow waits, or here fails, adding nothing.
    /// assert_eq!(ev.write(1), Err(bareipc::Errno::AGAIN));
    /// assert_eq!(ev.read()?, eventfd::MAX);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// - [`Errno::INVAL`](crate::Errno::INVAL): `value` is `u64::MAX`.
    ///   Checked before the syscall (the kernel refuses it the same way).
    /// - [`Errno::AGAIN`](crate::Errno::AGAIN): non-blocking and the sum
    ///   would exceed [`MAX`].
    /// - [`Errno::INTR`](crate::Errno::INTR): a signal handler ran while
    ///   waiting (restarted instead if it was installed with `SA_RESTART`).
    /// - [`Errno::IO`](crate::Errno::IO): the write took fewer than 8
    ///   bytes, which only an fd adopted with `From<OwnedFd>` that is not an
    ///   eventfd can do.
    ///
    /// # References
    /// - [eventfd(2)](https://man7.org/linux/man-pages/man2/eventfd.2.html)
    /// - [write(2)](https://man7.org/linux/man-pages/man2/write.2.html)
    #[doc(alias = "eventfd_write")]
    pub fn write(&self, value: u64) -> Result<()> {
        self.write_now(value)
    }

    fn write_now(&self, value: u64) -> Result<()> {
        if value == u64::MAX {
            return Err(Errno::INVAL);
        }
        match rustix::io::write(&self.0, &value.to_ne_bytes())? {
            8 => Ok(()),
            _ => Err(Errno::IO),
        }
    }
}

impl EventFd {
    /// `ppoll(&{fd, POLLIN}, timeout)`, then `read(fd, &mut value, 8)` — as
    /// [`read`](Self::read), waiting at most `timeout` for the counter to
    /// become non-zero. See [`crate::poll`] for an eventfd shared by several
    /// readers.
    ///
    /// Syscalls: `ppoll` (`ppoll_time64` on x86 and arm for a timeout
    /// beyond `i32::MAX` seconds), then `read` once ready.
    ///
    /// # Errors
    /// - [`Errno::TIMEDOUT`](crate::Errno::TIMEDOUT): the counter stayed 0.
    /// - As [`read`](Self::read).
    ///
    /// # References
    /// - [eventfd(2)](https://man7.org/linux/man-pages/man2/eventfd.2.html)
    /// - [poll(2)](https://man7.org/linux/man-pages/man2/poll.2.html)
    pub fn read_timeout(&self, timeout: core::time::Duration) -> Result<u64> {
        crate::poll::wait(
            rustix::fd::AsFd::as_fd(&self.0),
            crate::poll::PollFlags::IN,
            timeout,
        )?;
        self.read()
    }

    /// `ppoll(&{fd, POLLIN}, 0)`, then `read(fd, &mut value, 8)` if the
    /// counter is non-zero — a read that never waits, whatever the fd's
    /// mode.
    ///
    /// Syscalls: `ppoll`, then `read` if ready.
    ///
    /// # Errors
    /// - [`Errno::AGAIN`](crate::Errno::AGAIN): the counter is 0.
    /// - As [`read`](Self::read).
    ///
    /// # References
    /// - [eventfd(2)](https://man7.org/linux/man-pages/man2/eventfd.2.html)
    /// - [poll(2)](https://man7.org/linux/man-pages/man2/poll.2.html)
    pub fn try_read(&self) -> Result<u64> {
        crate::poll::ready(rustix::fd::AsFd::as_fd(&self.0), crate::poll::PollFlags::IN)?;
        self.read()
    }

    /// `ppoll(&{fd, POLLOUT}, timeout)`, then `write(fd, &value, 8)` — as
    /// [`write`](Self::write), waiting at most `timeout` for room (`POLLOUT`
    /// means at least 1 can be added; a larger `value` may still wait).
    ///
    /// Syscalls: `ppoll` (`ppoll_time64` on x86 and arm for a timeout
    /// beyond `i32::MAX` seconds), then `write` once ready (none for a
    /// `value` of `u64::MAX`).
    ///
    /// # Errors
    /// - [`Errno::TIMEDOUT`](crate::Errno::TIMEDOUT): the counter stayed at
    ///   [`MAX`].
    /// - As [`write`](Self::write).
    ///
    /// # References
    /// - [eventfd(2)](https://man7.org/linux/man-pages/man2/eventfd.2.html)
    /// - [poll(2)](https://man7.org/linux/man-pages/man2/poll.2.html)
    pub fn write_timeout(&self, value: u64, timeout: core::time::Duration) -> Result<()> {
        if value == u64::MAX {
            return Err(Errno::INVAL);
        }
        crate::poll::wait(
            rustix::fd::AsFd::as_fd(&self.0),
            crate::poll::PollFlags::OUT,
            timeout,
        )?;
        self.write_now(value)
    }

    /// `ppoll(&{fd, POLLOUT}, 0)`, then `write(fd, &value, 8)` if there is
    /// room — a write that does not wait for room.
    ///
    /// Syscalls: `ppoll`, then `write` if ready (none for a `value` of
    /// `u64::MAX`).
    ///
    /// # Errors
    /// - [`Errno::AGAIN`](crate::Errno::AGAIN): the counter is at [`MAX`].
    /// - As [`write`](Self::write).
    ///
    /// # References
    /// - [eventfd(2)](https://man7.org/linux/man-pages/man2/eventfd.2.html)
    /// - [poll(2)](https://man7.org/linux/man-pages/man2/poll.2.html)
    pub fn try_write(&self, value: u64) -> Result<()> {
        if value == u64::MAX {
            return Err(Errno::INVAL);
        }
        crate::poll::ready(
            rustix::fd::AsFd::as_fd(&self.0),
            crate::poll::PollFlags::OUT,
        )?;
        self.write_now(value)
    }
}

fd_handle!(EventFd);
