//! Waiting for several file descriptors at once: `poll`, as event loops
//! use it beside this crate's handles (every handle that is an fd
//! implements `AsFd`: pipe ends, FIFOs, sockets and listeners, eventfds,
//! signalfds, POSIX queues, inotify watchers, pidfds, memfds).
//!
//! ```
//! # fn main() -> bareipc::Result<()> {
//! use core::time::Duration;
//! use bareipc::poll::{self, PollFd, PollFlags};
//!
//! let (r, w) = bareipc::pipe::pipe()?;
//! let ev = bareipc::eventfd::EventFd::new(0, bareipc::eventfd::EventFdFlags::empty())?;
//! ev.write(1)?;
//! let mut fds = [PollFd::new(&r, PollFlags::IN), PollFd::new(&ev, PollFlags::IN)];
//! assert_eq!(poll::poll(&mut fds, Some(Duration::from_millis(10)))?, 1);
//! assert!(fds[1].revents().contains(PollFlags::IN)); // the eventfd, not the pipe
//! # drop(w);
//! # Ok(()) }
//! ```
//!
//! The `_timeout` and `try_` forms of the blocking calls on fds (reads
//! and writes of pipes, eventfds and signalfds, `accept`) are a poll of
//! the one fd and then the call. Where several processes or threads read
//! the same open file description, another reader can take what the poll
//! saw before the call runs, and the call then waits for more: give such
//! a shared fd non-blocking mode (`set_nonblocking`), where every call
//! returns `EAGAIN` instead of waiting.

use core::time::Duration;

use rustix::event::Timespec;
#[doc(no_inline)]
pub use rustix::event::{PollFd, PollFlags};
use rustix::fd::BorrowedFd;

use crate::{Errno, Result};

/// `timeout` as a `timespec`, saturated at the largest one.
fn timespec(timeout: Duration) -> Timespec {
    Timespec::try_from(timeout).unwrap_or(Timespec {
        tv_sec: i64::MAX,
        tv_nsec: 999_999_999,
    })
}

/// `ppoll(fds, n, timeout, NULL)` — waits until one of `fds` is ready for
/// what its flags ask (or has an error or a hang-up, which are always
/// reported), at most `timeout` (`None`: for ever); returns how many fds
/// have events, 0 when the time ran out. Each fd's events are in its
/// [`PollFd::revents`].
///
/// Syscalls: `ppoll` (`ppoll_time64` on x86 and arm for a timeout beyond
/// `i32::MAX` seconds).
///
/// # Errors
/// - [`Errno::INTR`](crate::Errno::INTR): a signal handler ran (`ppoll`
///   is never restarted, whatever `SA_RESTART` says).
/// - [`Errno::INVAL`](crate::Errno::INVAL): more fds than
///   `RLIMIT_NOFILE`.
/// - [`Errno::NOMEM`](crate::Errno::NOMEM).
///
/// # References
/// - [poll(2)](https://man7.org/linux/man-pages/man2/poll.2.html)
#[doc(alias = "ppoll")]
pub fn poll(fds: &mut [PollFd<'_>], timeout: Option<Duration>) -> Result<usize> {
    let ts = timeout.map(timespec);
    rustix::event::poll(fds, ts.as_ref())
}

/// Waits at most `timeout` until `fd` has one of `events` (or an error or
/// hang-up): `ETIMEDOUT` when the time runs out, a zero `timeout`
/// included (every `_timeout` form answers so).
pub(crate) fn wait(fd: BorrowedFd<'_>, events: PollFlags, timeout: Duration) -> Result<()> {
    let mut fds = [PollFd::from_borrowed_fd(fd, events)];
    match poll(&mut fds, Some(timeout))? {
        0 => Err(Errno::TIMEDOUT),
        _ => Ok(()),
    }
}

/// `fd` has one of `events` now, or `EAGAIN`, as a non-blocking call's
/// answer would be (every `try_` form answers so).
pub(crate) fn ready(fd: BorrowedFd<'_>, events: PollFlags) -> Result<()> {
    match wait(fd, events, Duration::ZERO) {
        Err(Errno::TIMEDOUT) => Err(Errno::AGAIN),
        r => r,
    }
}
