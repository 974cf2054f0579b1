//! Unix sockets: two-way local IPC for much data, with fd passing and peer
//! credentials.
//!
//! - [`pair`]: a connected pair (`socketpair`), for a parent and the child
//!   it forks or spawns.
//! - [`listen`] / [`connect`]: stream and seqpacket sockets on a path or an
//!   abstract name; [`bind`] for a datagram socket that receives.
//! - [`Socket::send_msg`] / [`Socket::receive_msg`]: data plus file
//!   descriptors (`SCM_RIGHTS`) and credentials (`SCM_CREDENTIALS`), with no
//!   allocation: fds are sent from a `&[BorrowedFd]` and received into a
//!   [`heapless::Vec<OwnedFd, N>`].
//!
//! Every fd is close-on-exec, including received ones (`MSG_CMSG_CLOEXEC`).
//! Sends never raise `SIGPIPE` (they pass `MSG_NOSIGNAL`) unless
//! [`SendFlags::RAISE_SIGPIPE`] asks for it: a peer that went away is
//! [`Errno::PIPE`].
//!
//! ```
//! # #[cfg(feature = "std")] fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::process::{Command, Stdio};
//! use bareipc::socket::{self, SocketType, SocketFlags};
//!
//! // A parent and a child talking both ways over one socketpair: the child
//! // (here `tr`) gets its end as stdin and stdout.
//! let (ours, theirs) = socket::pair(SocketType::Stream, SocketFlags::empty())?;
//! let theirs = std::os::fd::OwnedFd::from(theirs);
//! let mut child = Command::new("tr")
//!     .arg("a-z").arg("A-Z")
//!     .stdin(Stdio::from(theirs.try_clone()?))
//!     .stdout(Stdio::from(theirs))
//!     .spawn()?;
//! ours.send(b"shout this")?;
//! ours.shutdown(socket::Shutdown::Write)?; // end of input for tr
//! let mut buf = [0u8; 32];
//! let mut len = 0;
//! while len < 10 {
//!     len += ours.receive(&mut buf[len..])?;
//! }
//! assert_eq!(&buf[..len], b"SHOUT THIS");
//! child.wait()?;
//! # Ok(()) }
//! # #[cfg(not(feature = "std"))] fn main() {}
//! ```
//!
//! # Syscalls on x86 (i686)
//! Socket creation and setup made through rustix (`socket`, `socketpair`,
//! `bind`, `listen`, `accept4`, `connect`, `shutdown`, `setsockopt`) go
//! through the `socketcall` multiplexer on x86; the data calls this crate
//! makes itself (`sendto`, `recvfrom`, `sendmsg`, `recvmsg`, `getsockopt`,
//! and `setsockopt` for `SO_PASSRIGHTS`) are direct syscalls on every arch.

use core::time::Duration;

use rustix::fd::{AsFd, BorrowedFd, OwnedFd};
use rustix::fs::{AtFlags, FileType, Mode};
use rustix::net::{AddressFamily, SocketAddrUnix, sockopt};

#[doc(no_inline)]
pub use rustix::net::Shutdown;

use rustix::process::{Gid, Pid, Uid};

use crate::backend::net as raw;
use crate::names::StackPath;
use crate::{Errno, Result};

/// The most fds one message can carry (`SCM_MAX_FD`).
pub const MAX_FDS: usize = raw::SCM_MAX_FD;

/// The longest path or abstract name a Unix address holds: 108 bytes of
/// `sun_path` (a path may use all 108 without a terminating NUL; an
/// abstract name loses one to its leading NUL).
pub const MAX_PATH: usize = 108;

/// The three Unix socket types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SocketType {
    /// `SOCK_STREAM`: a byte stream, like a two-way pipe. No message
    /// boundaries.
    Stream,
    /// `SOCK_DGRAM`: messages with boundaries, reliable and ordered on Unix
    /// sockets; an oversized message is `EMSGSIZE`.
    Datagram,
    /// `SOCK_SEQPACKET`: connection-oriented messages with boundaries.
    SeqPacket,
}

impl SocketType {
    fn raw(self) -> rustix::net::SocketType {
        match self {
            Self::Stream => rustix::net::SocketType::STREAM,
            Self::Datagram => rustix::net::SocketType::DGRAM,
            Self::SeqPacket => rustix::net::SocketType::SEQPACKET,
        }
    }
}

bitflags::bitflags! {
    /// Options for creating a socket. `SOCK_CLOEXEC` is always set.
    #[repr(transparent)]
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct SocketFlags: u32 {
        /// `SOCK_NONBLOCK`: operations that would block fail with `EAGAIN`.
        const NONBLOCK = linux_raw_sys::general::O_NONBLOCK;
    }
}

impl SocketFlags {
    /// The kernel's flags, `SOCK_CLOEXEC` added; `EINVAL` for a bit that
    /// is not [`NONBLOCK`](Self::NONBLOCK).
    fn raw(self) -> Result<rustix::net::SocketFlags> {
        crate::flags::only(self, Self::all())?;
        let mut f = rustix::net::SocketFlags::CLOEXEC;
        if self.contains(Self::NONBLOCK) {
            f |= rustix::net::SocketFlags::NONBLOCK;
        }
        Ok(f)
    }
}

bitflags::bitflags! {
    /// Flags for sends. `MSG_NOSIGNAL` is always passed unless
    /// [`RAISE_SIGPIPE`](Self::RAISE_SIGPIPE) is set.
    #[repr(transparent)]
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct SendFlags: u32 {
        /// `MSG_DONTWAIT`: do not block this once.
        const DONTWAIT = linux_raw_sys::net::MSG_DONTWAIT;
        /// `MSG_EOR`: end of record (seqpacket).
        const EOR = linux_raw_sys::net::MSG_EOR;
        /// Not a kernel flag: leave out `MSG_NOSIGNAL`, so that sending to a
        /// peer that is gone raises `SIGPIPE` as `write` would.
        const RAISE_SIGPIPE = 1 << 31;
    }
}

impl SendFlags {
    fn raw(self) -> u32 {
        let kernel = (self - Self::RAISE_SIGPIPE).bits();
        if self.contains(Self::RAISE_SIGPIPE) {
            kernel
        } else {
            kernel | linux_raw_sys::net::MSG_NOSIGNAL
        }
    }
}

bitflags::bitflags! {
    /// Flags for receives.
    #[repr(transparent)]
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct ReceiveFlags: u32 {
        /// `MSG_DONTWAIT`: do not block this once.
        const DONTWAIT = linux_raw_sys::net::MSG_DONTWAIT;
        /// `MSG_PEEK`: return the data without consuming it.
        const PEEK = linux_raw_sys::net::MSG_PEEK;
        /// `MSG_WAITALL`: on a stream, wait for the whole buffer (a signal,
        /// an error or end of stream can still cut it short).
        const WAITALL = linux_raw_sys::net::MSG_WAITALL;
        /// `MSG_TRUNC`: for datagrams, return the real length of the
        /// message even if it was longer than the buffer.
        const TRUNC = linux_raw_sys::net::MSG_TRUNC;
    }
}

/// A Unix socket address: a path in the file system or an abstract name
/// (Linux; a name in the network namespace, gone when the socket closes).
#[derive(Clone)]
pub struct UnixAddr {
    inner: SocketAddrUnix,
    is_path: bool,
}

impl core::fmt::Debug for UnixAddr {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.inner.fmt(f)
    }
}

impl UnixAddr {
    /// An address on a path. Checked here, before any syscall: an empty
    /// path or one with an interior NUL is [`Errno::INVAL`], one longer than
    /// [`MAX_PATH`] bytes [`Errno::NAMETOOLONG`].
    ///
    /// Syscalls: none.
    ///
    /// # Errors
    /// [`Errno::INVAL`], [`Errno::NAMETOOLONG`] as above.
    ///
    /// # References
    /// - [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
    pub fn path<P: rustix::path::Arg>(path: P) -> Result<Self> {
        path.into_with_c_str(|c| {
            if c.is_empty() {
                return Err(Errno::INVAL);
            }
            Ok(Self {
                inner: SocketAddrUnix::new(c)?,
                is_path: true,
            })
        })
    }

    /// An abstract address. The name is any bytes (NULs included), 1 to
    /// `MAX_PATH - 1` (107) of them: empty is [`Errno::INVAL`], longer is
    /// [`Errno::NAMETOOLONG`].
    ///
    /// Syscalls: none.
    ///
    /// # Errors
    /// [`Errno::INVAL`], [`Errno::NAMETOOLONG`] as above.
    ///
    /// # References
    /// - [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
    pub fn abstract_name(name: &[u8]) -> Result<Self> {
        if name.is_empty() {
            return Err(Errno::INVAL);
        }
        Ok(Self {
            inner: SocketAddrUnix::new_abstract_name(name)?,
            is_path: false,
        })
    }

    /// Whether this is a path address.
    pub fn is_path(&self) -> bool {
        self.is_path
    }
}

/// How [`bind`] and [`listen`] treat the address. Build with
/// [`BindOptions::new`] and the setters.
#[derive(Clone, Copy, Debug)]
pub struct BindOptions {
    mode: Option<Mode>,
    pass_rights: Option<bool>,
    remove_stale: bool,
    flags: SocketFlags,
    backlog: i32,
}

impl Default for BindOptions {
    fn default() -> Self {
        Self::new()
    }
}

/// The mode of a path socket's file unless [`BindOptions::mode`] says
/// otherwise: read and write (connect) for the owner only.
pub const DEFAULT_MODE: Mode = Mode::RUSR.union(Mode::WUSR);

impl BindOptions {
    /// Mode [`DEFAULT_MODE`] (`0o600`), no stale-socket removal, blocking,
    /// backlog 128.
    pub const fn new() -> Self {
        Self {
            mode: None,
            pass_rights: None,
            remove_stale: false,
            flags: SocketFlags::empty(),
            backlog: 128,
        }
    }

    /// The permission bits of a path socket's file (connecting needs write
    /// permission on it), less the process umask, as for every file the
    /// process creates. They are in force from the instant the file
    /// exists: the socket gets them (`fchmod` on the socket) before
    /// `bind` creates the file, so there is no window in which another
    /// user could connect, and no step by path after the bind.
    ///
    /// An abstract name has no permissions (anyone in the network
    /// namespace may connect: check [`Socket::peer_credentials`]), so
    /// [`bind`] and [`listen`] refuse a mode for one with `EINVAL`, as
    /// they do bits outside `0o7777`.
    pub const fn mode(mut self, mode: Mode) -> Self {
        self.mode = Some(mode);
        self
    }

    /// Before binding a path, remove what is there if, and only if, it is
    /// a *stale* socket: a socket file that nobody listens on any more (a
    /// probe connection to it is refused), typically a leftover of a
    /// previous run. A live socket, and anything that is not a socket, is
    /// left in place and the bind fails with `EADDRINUSE`.
    ///
    /// The check and the removal name the file through one open handle
    /// of its directory, so a peer that renames directories of the path
    /// meanwhile cannot make them reach another file (the probe connects
    /// through `/proc/self/fd`; without `/proc` it connects by the path,
    /// which such a peer could then point elsewhere).
    pub const fn remove_stale(mut self, on: bool) -> Self {
        self.remove_stale = on;
        self
    }

    /// `SO_PASSRIGHTS` (Linux 6.16), set on the socket before it is bound:
    /// `false` makes the socket — and every socket a listener accepts,
    /// which inherit it when the client connects — refuse file
    /// descriptors (see [`Socket::set_pass_rights`] for why a service
    /// that expects none from untrusted clients wants that). By default
    /// the option is left as the kernel has it (on).
    pub const fn pass_rights(mut self, on: bool) -> Self {
        self.pass_rights = Some(on);
        self
    }

    /// Socket flags (non-blocking); [`bind`] and [`listen`] refuse any
    /// other bit with `EINVAL`.
    pub const fn flags(mut self, flags: SocketFlags) -> Self {
        self.flags = flags;
        self
    }

    /// The `listen` backlog.
    pub const fn backlog(mut self, backlog: i32) -> Self {
        self.backlog = backlog;
        self
    }
}

/// Credentials of a process: what `SCM_CREDENTIALS` carries and
/// `SO_PEERCRED` reports.
///
/// The kernel checks them, but not against one fixed identity: a sender
/// may claim its real, effective or saved uid (and gid), and the
/// credentials the kernel attaches by itself to a receiver with
/// `SO_PASSCRED` are the sender's *real* ids, while `SO_PEERCRED` and
/// [`Credentials::current`] are the effective ones; a set-uid program
/// shows both. The types are those of [`SigInfo`](crate::signal::SigInfo)'s
/// sender.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Credentials {
    /// The process: `None` when it is not visible from this pid namespace
    /// (the kernel reports 0).
    pub pid: Option<Pid>,
    /// The user.
    pub uid: Uid,
    /// The group.
    pub gid: Gid,
}

impl Credentials {
    fn from_raw(c: raw::Creds) -> Self {
        Self {
            pid: if c.pid > 0 {
                Pid::from_raw(c.pid)
            } else {
                None
            },
            // The kernel maps ids it cannot show to the overflow id, never
            // to -1.
            uid: Uid::from_raw_unchecked(c.uid),
            gid: Gid::from_raw_unchecked(c.gid),
        }
    }

    /// The calling process's pid, effective uid and effective gid: what the
    /// kernel accepts from an unprivileged sender.
    ///
    /// Syscalls: `getpid`, `geteuid`, `getegid` (`geteuid32` and
    /// `getegid32` on x86 and arm; none of them fails).
    ///
    /// # References
    /// - [getpid(2)](https://man7.org/linux/man-pages/man2/getpid.2.html)
    /// - [geteuid(2)](https://man7.org/linux/man-pages/man2/geteuid.2.html)
    pub fn current() -> Self {
        Self {
            pid: Some(rustix::process::getpid()),
            uid: rustix::process::geteuid(),
            gid: rustix::process::getegid(),
        }
    }
}

/// What [`Socket::receive_msg`] received besides the bytes.
#[derive(Debug)]
pub struct Received {
    /// Bytes received into the buffer (with [`ReceiveFlags::TRUNC`], the full
    /// length of the datagram, which can exceed the buffer).
    pub bytes: usize,
    /// Fds that arrived and were appended to the caller's vector: every
    /// fd of the message (a partial set is an error, never a result).
    pub fds: usize,
    /// `MSG_TRUNC`, asked for with [`ReceiveFlags::TRUNC`]: the message was
    /// longer than the buffer, `bytes` is its full length, and the rest is
    /// lost. (Without that flag a cut message is `EMSGSIZE`.)
    pub data_truncated: bool,
    /// The sender's credentials, when `SO_PASSCRED` is on (see
    /// [`Socket::set_pass_credentials`]).
    pub credentials: Option<Credentials>,
    /// A pidfd of the sending process, when `SO_PASSPIDFD` is on (see
    /// [`Socket::set_pass_pidfd`]): unlike a pid in the credentials, it
    /// cannot come to name another process.
    pub pidfd: Option<crate::signal::PidFd>,
}

/// The most messages one [`Socket::send_batch`] or
/// [`Socket::receive_batch`] carries.
pub const BATCH_MAX: usize = raw::BATCH_MAX;

/// A receive of `n` bytes into `len`: `EMSGSIZE` for a cut message,
/// unless the caller asked for the full length with `MSG_TRUNC`.
fn truncation(n: usize, len: usize, flags: ReceiveFlags) -> Result<usize> {
    if n > len && !flags.contains(ReceiveFlags::TRUNC) {
        return Err(Errno::MSGSIZE);
    }
    Ok(n)
}

/// A Unix socket: one end of a pair, an accepted or connected stream or
/// seqpacket socket, or a datagram socket. Closes its fd on drop.
///
/// Syscalls: none until dropped; then `close`.
#[derive(Debug)]
pub struct Socket(OwnedFd);

/// A listening stream or seqpacket socket. Closes its fd on drop; a path
/// socket's file stays (remove it with [`unlink`]).
///
/// Syscalls: none until dropped; then `close`.
#[derive(Debug)]
pub struct Listener(OwnedFd);

fd_handle!(Socket);
fd_handle!(Listener);

fn new_socket(ty: SocketType, flags: SocketFlags) -> Result<OwnedFd> {
    rustix::net::socket_with(AddressFamily::UNIX, ty.raw(), flags.raw()?, None)
}

/// `socketpair(AF_UNIX, type | SOCK_CLOEXEC [| SOCK_NONBLOCK], 0)` — two
/// connected sockets.
///
/// Syscalls: `socketpair` (`socketcall` on x86; none for unknown flags).
///
/// # Examples
/// ```
/// # fn main() -> bareipc::Result<()> {
/// use bareipc::socket::{self, SocketFlags, SocketType};
///
/// let (a, b) = socket::pair(SocketType::SeqPacket, SocketFlags::empty())?;
/// a.send(b"one")?;
/// a.send(b"two")?;
/// let mut buf = [0u8; 16];
/// assert_eq!(b.receive(&mut buf)?, 3); // a seqpacket keeps message boundaries
/// assert_eq!(&buf[..3], b"one");
/// b.send(b"back")?; // and both ends can send
/// let n = a.receive(&mut buf)?;
/// assert_eq!(&buf[..n], b"back");
/// # Ok(()) }
/// ```
///
/// # Errors
/// - [`Errno::MFILE`](crate::Errno::MFILE) /
///   [`Errno::NFILE`](crate::Errno::NFILE): fd limits.
/// - [`Errno::INVAL`](crate::Errno::INVAL): a flag other than
///   [`SocketFlags::NONBLOCK`], before the syscall.
///
/// # References
/// - [socketpair(2)](https://man7.org/linux/man-pages/man2/socketpair.2.html)
/// - [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
#[doc(alias = "socketpair")]
pub fn pair(ty: SocketType, flags: SocketFlags) -> Result<(Socket, Socket)> {
    let (a, b) = rustix::net::socketpair(AddressFamily::UNIX, ty.raw(), flags.raw()?, None)?;
    Ok((Socket(a), Socket(b)))
}

/// Creates a socket and binds it to `addr`, following `opts` (stale-socket
/// removal, mode `0o600` on a path socket's file by default).
///
/// Use it for a datagram socket that receives. A path socket's file has
/// its mode (less the umask) from the instant it exists: the mode is set
/// on the socket before `bind` creates the file (see
/// [`BindOptions::mode`]).
///
/// Syscalls: `socket`; with [`BindOptions::pass_rights`], `setsockopt`;
/// for a path, `fchmod`; with stale-socket removal on, `openat` (the
/// directory, `O_PATH`), `newfstatat`, and when that finds a socket, a
/// probe `socket` and `connect` (a second `newfstatat` and `connect` when
/// `/proc` is missing), `close`, then `unlinkat` if the probe was refused,
/// and `close` of the directory; `bind`; and `close` when a step after
/// `socket` fails (on x86 `socketcall` for the
/// `socket`s, `connect` and `bind`; on x86 and arm `statx`, or
/// `fstatat64` before Linux 4.11, for the stat; none for a bad mode or
/// unknown flags).
///
/// # Errors
/// - [`Errno::ADDRINUSE`](crate::Errno::ADDRINUSE): the name is taken (a
///   file of any kind at the path, unless it is a stale socket and
///   [`BindOptions::remove_stale`] is on; or a bound abstract name).
/// - [`Errno::INVAL`](crate::Errno::INVAL): a mode for an abstract name,
///   mode bits outside `0o7777`, or a flag other than
///   [`SocketFlags::NONBLOCK`], all checked before any syscall.
/// - [`Errno::NOPROTOOPT`](crate::Errno::NOPROTOOPT):
///   [`BindOptions::pass_rights`] before Linux 6.16.
/// - [`Errno::NOENT`](crate::Errno::NOENT): a directory of the path is
///   missing.
/// - [`Errno::ACCESS`](crate::Errno::ACCESS): no write permission on the
///   directory.
///
/// # References
/// - [bind(2)](https://man7.org/linux/man-pages/man2/bind.2.html)
/// - [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
pub fn bind(addr: &UnixAddr, ty: SocketType, opts: BindOptions) -> Result<Socket> {
    bind_fd(addr, ty, &opts).map(Socket)
}

fn bind_fd(addr: &UnixAddr, ty: SocketType, opts: &BindOptions) -> Result<OwnedFd> {
    let path = addr.inner.path_bytes().filter(|_| addr.is_path);
    if path.is_none() && opts.mode.is_some() {
        return Err(Errno::INVAL);
    }
    if let Some(mode) = opts.mode {
        // fchmod would drop them silently.
        crate::flags::only(mode, Mode::from_raw_mode(0o7777))?;
    }
    let fd = new_socket(ty, opts.flags)?;
    if let Some(on) = opts.pass_rights {
        raw::set_socket_int(fd.as_fd(), linux_raw_sys::net::SO_PASSRIGHTS, on.into())?;
    }
    if let Some(path) = path {
        // The kernel creates the file with the socket's own mode, less
        // the umask: set here, it is in force from the first instant.
        rustix::fs::fchmod(&fd, opts.mode.unwrap_or(DEFAULT_MODE))?;
        if opts.remove_stale {
            remove_stale_socket(path, ty)?;
        }
    }
    rustix::net::bind(&fd, &addr.inner)?;
    Ok(fd)
}

/// Removes the socket file at `path` if nobody listens on it. The stat,
/// the probe and the unlink all go through one `O_PATH` handle of the
/// directory (the probe through `/proc/self/fd/N/name` where `/proc` is
/// there), so they name the same directory entry whatever a peer renames
/// meanwhile.
fn remove_stale_socket(path: &[u8], ty: SocketType) -> Result<()> {
    use rustix::fs::{Mode, OFlags};
    let (dir, name) = match path.iter().rposition(|&b| b == b'/') {
        Some(0) => (&b"/"[..], &path[1..]),
        Some(i) => (&path[..i], &path[i + 1..]),
        None => (&b"."[..], path),
    };
    if name.is_empty() || name == b"." || name == b".." {
        // Not a name a socket can be bound to; let bind report it.
        return Ok(());
    }
    let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
    let dirfd = rustix::fs::openat(rustix::fs::CWD, dir, flags, Mode::empty())?;
    match rustix::fs::statat(&dirfd, name, AtFlags::SYMLINK_NOFOLLOW) {
        Ok(st) if FileType::from_raw_mode(st.st_mode) == FileType::Socket => {}
        Ok(_) | Err(Errno::NOENT) => return Ok(()),
        Err(e) => return Err(e),
    }
    let probe = new_socket(ty, SocketFlags::NONBLOCK)?;
    // `/proc/self/fd/<dir>` and `/proc/self/fd/<dir>/<name>`, if that
    // fits in a socket address.
    let dir_link = StackPath::<{ MAX_PATH + 1 }>::proc_fd(dirfd.as_fd());
    let proc = dir_link.clone().and_then(|mut p| {
        p.push(b"/")?;
        p.push(name)?;
        Some(p)
    });
    let mut r = Err(Errno::NOENT);
    let mut proc_works = false;
    if let (Some(p), Some(d)) = (&proc, &dir_link) {
        r = rustix::net::connect(&probe, &SocketAddrUnix::new(p.as_bytes())?);
        // ENOENT: the socket is gone, or there is no /proc (then the
        // directory's own magic link is missing too).
        proc_works = r != Err(Errno::NOENT)
            || rustix::fs::statat(rustix::fs::CWD, d.as_c_str(), AtFlags::empty()).is_ok();
    }
    if !proc_works {
        r = rustix::net::connect(&probe, &SocketAddrUnix::new(path)?);
    }
    let refused = r == Err(Errno::CONNREFUSED);
    drop(probe);
    if !refused {
        // Live (connected, or a full backlog), gone, not ours to judge
        // (EACCES), or no /proc where we expected it: leave it; bind says
        // EADDRINUSE if the name is still taken.
        return Ok(());
    }
    match rustix::fs::unlinkat(&dirfd, name, AtFlags::empty()) {
        Ok(()) | Err(Errno::NOENT) => Ok(()),
        Err(e) => Err(e),
    }
}

/// `socket` + `bind` + `listen` — a listening stream or seqpacket socket
/// on `addr`. Accept connections with [`Listener::accept`].
///
/// The mode of a path socket's file is in force from the instant the
/// file exists, before anyone could connect (see [`BindOptions::mode`]).
///
/// Syscalls: `socket`; with [`BindOptions::pass_rights`], `setsockopt`;
/// for a path, `fchmod`; with stale-socket removal on, `openat` (the
/// directory, `O_PATH`), `newfstatat`, and when that finds a socket, a
/// probe `socket` and `connect` (a second `newfstatat` and `connect` when
/// `/proc` is missing), `close`, then `unlinkat` if the probe was refused,
/// and `close` of the directory; `bind`; `listen`; and
/// `close` when a step after `socket` fails; none for a datagram type, a
/// bad mode or unknown flags (on x86 `socketcall` for the `socket`s,
/// `connect`, `bind` and `listen`; on x86 and arm `statx`, or `fstatat64`
/// before Linux 4.11, for the stat).
///
/// # Examples
/// ```
/// # fn main() -> bareipc::Result<()> {
/// use bareipc::socket::{self, BindOptions, SocketFlags, SocketType, UnixAddr};
///
/// let path = std::env::temp_dir().join(format!("bareipc-doc-listen-{}.sock", std::process::id()));
/// let addr = UnixAddr::path(&*path)?;
/// let listener = socket::listen(&addr, SocketType::Stream, BindOptions::new())?; // mode 0o600
/// let client = socket::connect(&addr, SocketType::Stream, SocketFlags::empty())?;
/// let server = listener.accept()?;
/// client.send(b"hello")?;
/// let mut buf = [0u8; 16];
/// let n = server.receive(&mut buf)?;
/// assert_eq!(&buf[..n], b"hello");
/// socket::unlink(&*path)?; // the file outlives the listener
/// # Ok(()) }
/// ```
///
/// # Errors
/// - Everything [`bind`] can return.
/// - [`Errno::OPNOTSUPP`](crate::Errno::OPNOTSUPP): `ty` is
///   [`SocketType::Datagram`], which cannot listen (use [`bind`]); checked
///   before any syscall.
///
/// # References
/// - [listen(2)](https://man7.org/linux/man-pages/man2/listen.2.html)
pub fn listen(addr: &UnixAddr, ty: SocketType, opts: BindOptions) -> Result<Listener> {
    if ty == SocketType::Datagram {
        return Err(Errno::OPNOTSUPP);
    }
    let fd = bind_fd(addr, ty, &opts)?;
    rustix::net::listen(&fd, opts.backlog)?;
    Ok(Listener(fd))
}

/// `socket` + `connect` — a socket connected to `addr`.
///
/// For [`SocketType::Datagram`] this sets the default destination of
/// [`Socket::send`].
///
/// Syscalls: `socket`, `connect`, and `close` when `connect` fails
/// (`socket` and `connect` go through `socketcall` on x86; none for
/// unknown flags).
///
/// # Examples
/// ```
/// # fn main() -> bareipc::Result<()> {
/// use bareipc::socket::{self, BindOptions, SocketFlags, SocketType, UnixAddr};
///
/// // An abstract name: no file to remove, gone with the listener.
/// let name = format!("bareipc-doc-connect-{}", std::process::id());
/// let addr = UnixAddr::abstract_name(name.as_bytes())?;
/// let listener = socket::listen(&addr, SocketType::SeqPacket, BindOptions::new())?;
/// let client = socket::connect(&addr, SocketType::SeqPacket, SocketFlags::empty())?;
/// listener.accept()?.send(b"welcome")?;
/// let mut buf = [0u8; 16];
/// let n = client.receive(&mut buf)?;
/// assert_eq!(&buf[..n], b"welcome");
/// drop(listener);
/// let refused = socket::connect(&addr, SocketType::SeqPacket, SocketFlags::empty());
/// assert_eq!(refused.err(), Some(bareipc::Errno::CONNREFUSED));
/// # Ok(()) }
/// ```
///
/// # Errors
/// - [`Errno::CONNREFUSED`](crate::Errno::CONNREFUSED): nothing listens on
///   the address (or, for a path, the file is a socket nobody owns any
///   more).
/// - [`Errno::NOENT`](crate::Errno::NOENT): no file at the path.
/// - [`Errno::ACCESS`](crate::Errno::ACCESS): no write permission on the
///   socket file.
/// - [`Errno::PROTOTYPE`](crate::Errno::PROTOTYPE): the listener is of
///   another type.
/// - [`Errno::AGAIN`](crate::Errno::AGAIN): non-blocking and the
///   listener's backlog is full.
/// - [`Errno::INVAL`](crate::Errno::INVAL): a flag other than
///   [`SocketFlags::NONBLOCK`], before any syscall.
///
/// # References
/// - [connect(2)](https://man7.org/linux/man-pages/man2/connect.2.html)
pub fn connect(addr: &UnixAddr, ty: SocketType, flags: SocketFlags) -> Result<Socket> {
    let fd = new_socket(ty, flags)?;
    rustix::net::connect(&fd, &addr.inner)?;
    Ok(Socket(fd))
}

/// `unlinkat(AT_FDCWD, path, 0)` — remove a path socket's file. Not needed
/// for abstract names.
///
/// Syscalls: `unlinkat`.
///
/// # Errors
/// - [`Errno::NOENT`](crate::Errno::NOENT): no such file.
///
/// # References
/// - [unlink(2)](https://man7.org/linux/man-pages/man2/unlink.2.html)
pub fn unlink<P: rustix::path::Arg>(path: P) -> Result<()> {
    rustix::fs::unlinkat(rustix::fs::CWD, path, AtFlags::empty())
}

impl Listener {
    /// `accept4(fd, NULL, NULL, SOCK_CLOEXEC)` — the next connection.
    ///
    /// Syscalls: `accept4` (`socketcall` on x86).
    ///
    /// # Examples
    /// ```
    /// # fn main() -> bareipc::Result<()> {
    /// use bareipc::socket::{self, BindOptions, Credentials, SocketFlags, SocketType, UnixAddr};
    ///
    /// let name = format!("bareipc-doc-accept-{}", std::process::id());
    /// let addr = UnixAddr::abstract_name(name.as_bytes())?;
    /// let listener = socket::listen(&addr, SocketType::Stream, BindOptions::new())?;
    /// assert_eq!(listener.try_accept().err(), Some(bareipc::Errno::AGAIN)); // nobody yet
    /// let client = socket::connect(&addr, SocketType::Stream, SocketFlags::empty())?;
    /// let conn = listener.accept()?; // waits for the next client
    /// // Anyone may connect to an abstract name: check who it is.
    /// assert_eq!(conn.peer_credentials()?, Credentials::current());
    /// # drop(client);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// - [`Errno::AGAIN`](crate::Errno::AGAIN): non-blocking and no
    ///   connection is waiting.
    /// - [`Errno::INTR`](crate::Errno::INTR): interrupted by a signal.
    /// - [`Errno::MFILE`](crate::Errno::MFILE): fd limit.
    ///
    /// # References
    /// - [accept(2)](https://man7.org/linux/man-pages/man2/accept.2.html)
    #[doc(alias = "accept4")]
    pub fn accept(&self) -> Result<Socket> {
        self.accept_with(SocketFlags::empty())
    }

    /// `accept4(fd, NULL, NULL, SOCK_CLOEXEC | flags)` — the next
    /// connection, as a socket that is non-blocking if `flags` asks. The
    /// flags are the new socket's: whether the wait for a connection
    /// blocks follows the listener's own mode.
    ///
    /// Syscalls: `accept4` (`socketcall` on x86; none for unknown flags).
    ///
    /// # Errors
    /// As [`accept`](Self::accept), and
    /// [`Errno::INVAL`](crate::Errno::INVAL) for a flag other than
    /// [`SocketFlags::NONBLOCK`], before the syscall.
    ///
    /// # References
    /// - [accept(2)](https://man7.org/linux/man-pages/man2/accept.2.html)
    pub fn accept_with(&self, flags: SocketFlags) -> Result<Socket> {
        rustix::net::accept_with(self, flags.raw()?).map(Socket)
    }

    /// `ppoll(&{fd, POLLIN}, timeout)`, then `accept4` — as
    /// [`accept`](Self::accept), waiting at most `timeout` for a
    /// connection. See [`crate::poll`] for a listener shared by several
    /// acceptors.
    ///
    /// Syscalls: `ppoll` (`ppoll_time64` on x86 and arm for a timeout
    /// beyond `i32::MAX` seconds), then `accept4` once ready (`socketcall`
    /// on x86).
    ///
    /// # Errors
    /// - [`Errno::TIMEDOUT`](crate::Errno::TIMEDOUT): no connection came.
    /// - As [`accept`](Self::accept).
    ///
    /// # References
    /// - [accept(2)](https://man7.org/linux/man-pages/man2/accept.2.html)
    /// - [poll(2)](https://man7.org/linux/man-pages/man2/poll.2.html)
    pub fn accept_timeout(&self, timeout: Duration) -> Result<Socket> {
        crate::poll::wait(self.as_fd(), crate::poll::PollFlags::IN, timeout)?;
        self.accept()
    }

    /// `ppoll(&{fd, POLLIN}, 0)`, then `accept4` if a connection is waiting
    /// — an accept that never waits, whatever the listener's mode.
    ///
    /// Syscalls: `ppoll`, then `accept4` if ready (`socketcall` on x86).
    ///
    /// # Errors
    /// - [`Errno::AGAIN`](crate::Errno::AGAIN): no connection is waiting.
    /// - As [`accept`](Self::accept).
    ///
    /// # References
    /// - [accept(2)](https://man7.org/linux/man-pages/man2/accept.2.html)
    /// - [poll(2)](https://man7.org/linux/man-pages/man2/poll.2.html)
    pub fn try_accept(&self) -> Result<Socket> {
        crate::poll::ready(self.as_fd(), crate::poll::PollFlags::IN)?;
        self.accept()
    }
}

impl Socket {
    /// `sendto(fd, buf, len, MSG_NOSIGNAL, NULL, 0)` — send bytes (a
    /// message, for datagram and seqpacket sockets).
    ///
    /// Syscalls: `sendto`.
    ///
    /// # Examples
    /// ```
    /// # fn main() -> bareipc::Result<()> {
    /// use bareipc::socket::{self, SocketFlags, SocketType};
    ///
    /// let (a, b) = socket::pair(SocketType::Stream, SocketFlags::empty())?;
    /// assert_eq!(a.send(b"data")?, 4);
    /// drop(b);
    /// // A peer that is gone is an error, not a SIGPIPE.
    /// assert_eq!(a.send(b"more"), Err(bareipc::Errno::PIPE));
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// - [`Errno::PIPE`](crate::Errno::PIPE): the peer is gone (no
    ///   `SIGPIPE` is raised).
    /// - [`Errno::AGAIN`](crate::Errno::AGAIN): non-blocking and the peer's
    ///   buffer is full, or the send timeout expired.
    /// - [`Errno::MSGSIZE`](crate::Errno::MSGSIZE): a datagram or seqpacket
    ///   message larger than the socket's send buffer allows.
    /// - [`Errno::NOTCONN`](crate::Errno::NOTCONN) /
    ///   [`Errno::CONNREFUSED`](crate::Errno::CONNREFUSED): not connected,
    ///   or the datagram peer closed.
    /// - [`Errno::INTR`](crate::Errno::INTR): interrupted by a signal.
    ///
    /// # References
    /// - [send(2)](https://man7.org/linux/man-pages/man2/send.2.html)
    #[doc(alias = "sendto")]
    pub fn send(&self, buf: &[u8]) -> Result<usize> {
        self.send_with(buf, SendFlags::empty())
    }

    /// `sendto(fd, buf, len, flags, NULL, 0)` — send with flags
    /// (`MSG_NOSIGNAL` added unless [`SendFlags::RAISE_SIGPIPE`]).
    ///
    /// Syscalls: `sendto` (none for unknown flags).
    ///
    /// # Errors
    /// As [`send`](Self::send); with `RAISE_SIGPIPE`, a gone peer raises
    /// `SIGPIPE` before `EPIPE` is returned. A bit that is not a
    /// [`SendFlags`] (`MSG_OOB`, `MSG_MORE`, ...) is
    /// [`Errno::INVAL`](crate::Errno::INVAL), before the syscall.
    ///
    /// # References
    /// - [send(2)](https://man7.org/linux/man-pages/man2/send.2.html)
    pub fn send_with(&self, buf: &[u8], flags: SendFlags) -> Result<usize> {
        crate::flags::only(flags, SendFlags::all())?;
        raw::send(self.as_fd(), buf, flags.raw())
    }

    /// `sendto(fd, buf, len, MSG_NOSIGNAL, addr, addrlen)` — send a
    /// datagram to `addr` from an unconnected datagram socket.
    ///
    /// Syscalls: `sendto` (`socketcall` on x86).
    ///
    /// # Errors
    /// As [`send`](Self::send), and [`Errno::NOENT`](crate::Errno::NOENT) /
    /// [`Errno::CONNREFUSED`](crate::Errno::CONNREFUSED) when nothing is
    /// bound at `addr`.
    ///
    /// # References
    /// - [sendto(2)](https://man7.org/linux/man-pages/man2/sendto.2.html)
    pub fn send_to(&self, buf: &[u8], addr: &UnixAddr) -> Result<usize> {
        rustix::net::sendto(self, buf, rustix::net::SendFlags::NOSIGNAL, &addr.inner)
    }

    /// `recvfrom(fd, buf, len, MSG_TRUNC, NULL, NULL)` — receive bytes
    /// (one message, for datagram and seqpacket sockets). `Ok(0)` on a
    /// stream means the peer shut down or closed.
    ///
    /// A message longer than `buf` is an error, never a silent truncation:
    /// its first `buf.len()` bytes are in `buf`, the rest is gone, and the
    /// call fails with `EMSGSIZE`. To accept truncation, use
    /// [`receive_with`](Self::receive_with) and [`ReceiveFlags::TRUNC`],
    /// which returns the message's full length instead; to size a buffer
    /// first, [`peek`](Self::peek) with `TRUNC`.
    ///
    /// Only bytes are received. Fds a peer sent with them (`SCM_RIGHTS`)
    /// are closed by the kernel, and credentials or a pidfd it attaches
    /// are dropped: the kernel reports that only as `MSG_CTRUNC`, which
    /// does not tell dropped fds from dropped credentials. A service that
    /// takes fds or credentials receives with
    /// [`receive_msg`](Self::receive_msg), which fails rather than lose
    /// any; one that takes none turns
    /// [`set_pass_rights`](Self::set_pass_rights) off, so that a peer's
    /// fds are refused when sent.
    ///
    /// Syscalls: `recvfrom`.
    ///
    /// # Examples
    /// ```
    /// # fn main() -> bareipc::Result<()> {
    /// use bareipc::socket::{self, SocketFlags, SocketType};
    ///
    /// let (a, b) = socket::pair(SocketType::Datagram, SocketFlags::empty())?;
    /// a.send(b"first")?;
    /// a.send(b"second")?;
    /// let mut buf = [0u8; 16];
    /// let n = b.receive(&mut buf)?; // one message per receive
    /// assert_eq!(&buf[..n], b"first");
    /// let n = b.receive(&mut buf)?;
    /// assert_eq!(&buf[..n], b"second");
    /// assert_eq!(b.try_receive(&mut buf), Err(bareipc::Errno::AGAIN)); // nothing left
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// - [`Errno::MSGSIZE`](crate::Errno::MSGSIZE): a datagram or seqpacket
    ///   message longer than `buf` (received and cut; see above).
    /// - [`Errno::AGAIN`](crate::Errno::AGAIN): non-blocking and nothing to
    ///   read, or the receive timeout expired.
    /// - [`Errno::INTR`](crate::Errno::INTR): interrupted by a signal.
    ///
    /// # References
    /// - [recv(2)](https://man7.org/linux/man-pages/man2/recv.2.html)
    #[doc(alias = "recvfrom")]
    pub fn receive(&self, buf: &mut [u8]) -> Result<usize> {
        self.receive_with(buf, ReceiveFlags::empty())
    }

    /// `recvfrom(fd, buf, len, MSG_PEEK | MSG_TRUNC, NULL, NULL)` — look
    /// at the next bytes without consuming them; `EMSGSIZE` if the next
    /// message is longer than `buf` (it stays queued; `receive_with(buf,
    /// PEEK | TRUNC)` tells its length).
    ///
    /// Syscalls: `recvfrom`.
    ///
    /// # Errors
    /// As [`receive`](Self::receive).
    ///
    /// # References
    /// - [recv(2)](https://man7.org/linux/man-pages/man2/recv.2.html)
    pub fn peek(&self, buf: &mut [u8]) -> Result<usize> {
        self.receive_with(buf, ReceiveFlags::PEEK)
    }

    /// `recvfrom(fd, buf, len, flags | MSG_TRUNC, NULL, NULL)` — receive
    /// with flags. Without [`ReceiveFlags::TRUNC`] a message longer than
    /// `buf` fails with `EMSGSIZE`, as in [`receive`](Self::receive); with
    /// it, the result is the message's full length, which can exceed
    /// `buf.len()`.
    ///
    /// Syscalls: `recvfrom` (none for unknown flags).
    ///
    /// # Errors
    /// As [`receive`](Self::receive), and
    /// [`Errno::INVAL`](crate::Errno::INVAL) for a bit that is not a
    /// [`ReceiveFlags`] (`MSG_OOB`, `MSG_ERRQUEUE`, ...), before the
    /// syscall.
    ///
    /// # References
    /// - [recv(2)](https://man7.org/linux/man-pages/man2/recv.2.html)
    pub fn receive_with(&self, buf: &mut [u8], flags: ReceiveFlags) -> Result<usize> {
        crate::flags::only(flags, ReceiveFlags::all())?;
        // MSG_TRUNC makes a datagram or seqpacket receive return the
        // message's length (a stream ignores it), so a cut is never silent.
        let n = raw::recv(self.as_fd(), buf, (flags | ReceiveFlags::TRUNC).bits())?;
        truncation(n, buf.len(), flags)
    }

    /// `ppoll(&{fd, POLLIN}, timeout)`, then `recvfrom(..., MSG_DONTWAIT)`
    /// — as [`receive`](Self::receive), waiting at most `timeout` for data.
    /// The receive itself never waits: `EAGAIN` if another reader took the
    /// data first.
    ///
    /// Syscalls: `ppoll` (`ppoll_time64` on x86 and arm for a timeout
    /// beyond `i32::MAX` seconds), then `recvfrom` once ready.
    ///
    /// # Errors
    /// - [`Errno::TIMEDOUT`](crate::Errno::TIMEDOUT): nothing came in time.
    /// - [`Errno::AGAIN`](crate::Errno::AGAIN): another reader took it.
    /// - As [`receive`](Self::receive).
    ///
    /// # References
    /// - [recv(2)](https://man7.org/linux/man-pages/man2/recv.2.html)
    /// - [poll(2)](https://man7.org/linux/man-pages/man2/poll.2.html)
    pub fn receive_timeout(&self, buf: &mut [u8], timeout: Duration) -> Result<usize> {
        crate::poll::wait(self.as_fd(), crate::poll::PollFlags::IN, timeout)?;
        self.try_receive(buf)
    }

    /// `recvfrom(fd, buf, len, MSG_DONTWAIT, NULL, NULL)` — a receive that
    /// never waits, whatever the socket's mode.
    ///
    /// Syscalls: `recvfrom`.
    ///
    /// # Errors
    /// - [`Errno::AGAIN`](crate::Errno::AGAIN): nothing to read now.
    /// - As [`receive`](Self::receive).
    ///
    /// # References
    /// - [recv(2)](https://man7.org/linux/man-pages/man2/recv.2.html)
    pub fn try_receive(&self, buf: &mut [u8]) -> Result<usize> {
        self.receive_with(buf, ReceiveFlags::DONTWAIT)
    }

    /// `ppoll(&{fd, POLLOUT}, timeout)`, then `sendto(..., MSG_DONTWAIT |
    /// MSG_NOSIGNAL)` — as [`send`](Self::send), waiting at most `timeout`
    /// for room. The send itself never waits (a partial count on a stream
    /// when only part fits).
    ///
    /// Syscalls: `ppoll` (`ppoll_time64` on x86 and arm for a timeout
    /// beyond `i32::MAX` seconds), then `sendto` once ready.
    ///
    /// # Errors
    /// - [`Errno::TIMEDOUT`](crate::Errno::TIMEDOUT): no room in time.
    /// - [`Errno::AGAIN`](crate::Errno::AGAIN): another writer took the
    ///   room first.
    /// - As [`send`](Self::send).
    ///
    /// # References
    /// - [send(2)](https://man7.org/linux/man-pages/man2/send.2.html)
    /// - [poll(2)](https://man7.org/linux/man-pages/man2/poll.2.html)
    pub fn send_timeout(&self, buf: &[u8], timeout: Duration) -> Result<usize> {
        crate::poll::wait(self.as_fd(), crate::poll::PollFlags::OUT, timeout)?;
        self.try_send(buf)
    }

    /// `sendto(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL, NULL, 0)` — a send
    /// that never waits, whatever the socket's mode.
    ///
    /// Syscalls: `sendto`.
    ///
    /// # Errors
    /// - [`Errno::AGAIN`](crate::Errno::AGAIN): no room now.
    /// - As [`send`](Self::send).
    ///
    /// # References
    /// - [send(2)](https://man7.org/linux/man-pages/man2/send.2.html)
    pub fn try_send(&self, buf: &[u8]) -> Result<usize> {
        self.send_with(buf, SendFlags::DONTWAIT)
    }

    /// `sendmsg` — send `buf` with `fds` (`SCM_RIGHTS`) and, optionally,
    /// explicit `credentials` (`SCM_CREDENTIALS`). The receiver gets its own
    /// duplicates of the fds; ours stay open.
    ///
    /// On a stream socket ancillary data rides on data: fds or credentials
    /// with an empty `buf` would be dropped by the kernel with a success of
    /// 0, so that is refused with `EINVAL` (the type is asked of the socket
    /// only then). Credentials other than
    /// [`Credentials::current`] need privilege (`CAP_SYS_ADMIN` for the pid,
    /// `CAP_SETUID` / `CAP_SETGID` for the ids). A receiver with
    /// `SO_PASSCRED` gets the sender's credentials even when none are sent.
    ///
    /// Syscalls: `sendmsg`; with no data but fds or credentials,
    /// `getsockopt` first, and no `sendmsg` on a stream socket (none at all
    /// for more than `MAX_FDS` fds or unknown flags).
    ///
    /// # Examples
    /// ```
    /// # fn main() -> bareipc::Result<()> {
    /// use bareipc::fd::{AsFd, OwnedFd};
    /// use bareipc::socket::{self, ReceiveFlags, SendFlags, SocketFlags, SocketType};
    ///
    /// let (ours, theirs) = socket::pair(SocketType::Stream, SocketFlags::empty())?;
    /// let (reader, writer) = bareipc::pipe::pipe()?;
    /// // Hand over the pipe's write end, riding on one byte of data.
    /// ours.send_msg(b"w", &[writer.as_fd()], None, SendFlags::empty())?;
    /// // The peer (here, the same process) gets its own copy of the fd.
    /// let (mut fds, mut byte) = (bareipc::heapless::Vec::<OwnedFd, 1>::new(), [0u8; 1]);
    /// let got = theirs.receive_msg(&mut byte, &mut fds, ReceiveFlags::empty())?;
    /// assert_eq!((got.bytes, got.fds), (1, 1));
    /// bareipc::pipe::WriteEnd::from(fds.pop().expect("one fd")).write(b"through the passed fd")?;
    /// let mut buf = [0u8; 32];
    /// let n = reader.read(&mut buf)?;
    /// assert_eq!(&buf[..n], b"through the passed fd");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// - [`Errno::INVAL`](crate::Errno::INVAL): more than [`MAX_FDS`] fds,
    ///   or a bit that is not a [`SendFlags`], checked before any syscall;
    ///   or fds or credentials with no data on
    ///   a stream socket, which the kernel would drop.
    /// - [`Errno::PERM`](crate::Errno::PERM): credentials the caller may
    ///   not claim.
    /// - [`Errno::TOOMANYREFS`](crate::Errno::TOOMANYREFS): fds in flight
    ///   exceed `RLIMIT_NOFILE`.
    /// - Everything [`send`](Self::send) can return.
    ///
    /// # References
    /// - [sendmsg(2)](https://man7.org/linux/man-pages/man2/sendmsg.2.html)
    /// - [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
    #[doc(alias = "sendmsg")]
    #[doc(alias = "SCM_RIGHTS")]
    #[doc(alias = "SCM_CREDENTIALS")]
    pub fn send_msg(
        &self,
        buf: &[u8],
        fds: &[BorrowedFd<'_>],
        credentials: Option<Credentials>,
        flags: SendFlags,
    ) -> Result<usize> {
        crate::flags::only(flags, SendFlags::all())?;
        if fds.len() > MAX_FDS {
            return Err(Errno::INVAL);
        }
        if buf.is_empty()
            && (!fds.is_empty() || credentials.is_some())
            && raw::socket_int(self.as_fd(), linux_raw_sys::net::SO_TYPE)?
                == linux_raw_sys::net::SOCK_STREAM as i32
        {
            return Err(Errno::INVAL); // the kernel would drop them, and say 0
        }
        let mut control = raw::Control::new();
        if let Some(c) = credentials {
            let pid = c.pid.map_or(0, |p| p.as_raw_nonzero().get());
            control.push_credentials(pid, c.uid.as_raw(), c.gid.as_raw());
        }
        if !fds.is_empty() {
            control.push_fds(fds);
        }
        raw::sendmsg(self.as_fd(), buf, &control, flags.raw())
    }

    /// `recvmsg` with `MSG_CMSG_CLOEXEC` — receive into `buf`, appending
    /// any fds that arrive to `fds` (owned and close-on-exec) and reporting
    /// credentials if `SO_PASSCRED` is on.
    ///
    /// Room is made for `N - fds.len()` fds. If the sender sent more, the
    /// call fails with `ENOBUFS` and every fd of the message is closed (the
    /// kernel closes those that did not fit, this call the rest), leaving
    /// `fds` as it was: a caller can never go on with part of a set. A
    /// message longer than `buf` is `EMSGSIZE` in the same way, unless
    /// [`ReceiveFlags::TRUNC`] asks for its full length. Either way the
    /// message is consumed; on a stream its bytes are gone, so the stream
    /// has lost its place and should be closed.
    ///
    /// With [`set_pass_pidfd`](Self::set_pass_pidfd) on, the sender's
    /// pidfd comes in [`Received::pidfd`]; if the kernel could not make it
    /// (a full fd table), the call fails with the errno it reported rather
    /// than return a message without it. A control message of any other
    /// kind (or of a wrong length) is refused with
    /// [`Errno::PROTO`](crate::Errno::PROTO). Either way every fd this call
    /// received is closed, `fds` is left as it was, and the data bytes of
    /// that message are lost.
    ///
    /// Syscalls: `recvmsg`, and `close` for fds that are refused (none for
    /// unknown flags).
    ///
    /// # Examples
    /// ```
    /// # fn main() -> bareipc::Result<()> {
    /// use bareipc::fd::OwnedFd;
    /// use bareipc::socket::{self, Credentials, ReceiveFlags, SocketFlags, SocketType};
    ///
    /// let (a, b) = socket::pair(SocketType::Datagram, SocketFlags::empty())?;
    /// b.set_pass_credentials(true)?; // the kernel attaches the sender's ids
    /// a.send(b"who is this?")?;
    /// let mut buf = [0u8; 32];
    /// let mut fds = bareipc::heapless::Vec::<OwnedFd, 4>::new();
    /// let got = b.receive_msg(&mut buf, &mut fds, ReceiveFlags::empty())?;
    /// assert_eq!(&buf[..got.bytes], b"who is this?");
    /// assert_eq!((got.fds, got.data_truncated), (0, false));
    /// assert_eq!(got.credentials.map(|c| c.pid), Some(Credentials::current().pid));
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// - [`Errno::NOBUFS`](crate::Errno::NOBUFS): more fds than `fds` had
    ///   room for; all of them closed.
    /// - [`Errno::MSGSIZE`](crate::Errno::MSGSIZE): a message longer than
    ///   `buf`, without [`ReceiveFlags::TRUNC`]; its fds closed.
    /// - [`Errno::PROTO`](crate::Errno::PROTO): an unexpected control
    ///   message.
    /// - [`Errno::INVAL`](crate::Errno::INVAL): a bit that is not a
    ///   [`ReceiveFlags`], before the syscall.
    /// - Everything [`receive`](Self::receive) can return.
    ///
    /// # References
    /// - [recvmsg(2)](https://man7.org/linux/man-pages/man2/recvmsg.2.html)
    /// - [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
    #[doc(alias = "recvmsg")]
    pub fn receive_msg<const N: usize>(
        &self,
        buf: &mut [u8],
        fds: &mut heapless::Vec<OwnedFd, N>,
        flags: ReceiveFlags,
    ) -> Result<Received> {
        crate::flags::only(flags, ReceiveFlags::all())?;
        let before = fds.len();
        let room = N - before;
        let mut closed_extra = false;
        let got = raw::recvmsg(self.as_fd(), buf, room, flags.bits(), |fd| {
            // The control buffer also reserves room for credentials; when
            // none come, the kernel can fit a few more fds than `room` into
            // it. Those are closed here, and reported as truncation.
            if let Err(extra) = fds.push(fd) {
                drop(extra);
                closed_extra = true;
            }
        });
        match got {
            Ok(r) => {
                let data_cut = r.msg_flags & linux_raw_sys::net::MSG_TRUNC != 0;
                let refused = if r.fds_truncated || closed_extra {
                    Some(Errno::NOBUFS)
                } else if data_cut && !flags.contains(ReceiveFlags::TRUNC) {
                    Some(Errno::MSGSIZE)
                } else {
                    None
                };
                if let Some(e) = refused {
                    fds.truncate(before); // closes what this message brought
                    return Err(e);
                }
                Ok(Received {
                    bytes: r.bytes,
                    fds: fds.len() - before,
                    data_truncated: data_cut,
                    credentials: r.creds.map(Credentials::from_raw),
                    pidfd: r.pidfd.map(crate::signal::PidFd::from),
                })
            }
            Err(e) => {
                fds.truncate(before);
                Err(e)
            }
        }
    }

    /// `shutdown(fd, how)` — stop reading, writing or both. After
    /// `Shutdown::Write` the peer reads end of stream.
    ///
    /// Syscalls: `shutdown` (`socketcall` on x86).
    ///
    /// # Errors
    /// - [`Errno::NOTCONN`](crate::Errno::NOTCONN): not connected.
    ///
    /// # References
    /// - [shutdown(2)](https://man7.org/linux/man-pages/man2/shutdown.2.html)
    pub fn shutdown(&self, how: Shutdown) -> Result<()> {
        rustix::net::shutdown(self, how)
    }

    /// `setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, ...)` — make blocking
    /// receives fail with `EAGAIN` after `timeout`; `None` waits forever.
    ///
    /// Syscalls: `setsockopt` (`socketcall` on x86; none for
    /// `Some(Duration::ZERO)`).
    ///
    /// # Errors
    /// - [`Errno::INVAL`](crate::Errno::INVAL): `Some(Duration::ZERO)`
    ///   (which the kernel would read as "no timeout"), checked before the
    ///   syscall.
    ///
    /// # References
    /// - [socket(7)](https://man7.org/linux/man-pages/man7/socket.7.html)
    #[doc(alias = "SO_RCVTIMEO")]
    pub fn set_read_timeout(&self, timeout: Option<Duration>) -> Result<()> {
        set_timeout(self, sockopt::Timeout::Recv, timeout)
    }

    /// `setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, ...)` — make blocking sends
    /// fail with `EAGAIN` after `timeout`; `None` waits forever.
    ///
    /// Syscalls: `setsockopt` (`socketcall` on x86; none for
    /// `Some(Duration::ZERO)`).
    ///
    /// # Errors
    /// As [`set_read_timeout`](Self::set_read_timeout).
    ///
    /// # References
    /// - [socket(7)](https://man7.org/linux/man-pages/man7/socket.7.html)
    #[doc(alias = "SO_SNDTIMEO")]
    pub fn set_write_timeout(&self, timeout: Option<Duration>) -> Result<()> {
        set_timeout(self, sockopt::Timeout::Send, timeout)
    }

    /// `setsockopt(fd, SOL_SOCKET, SO_PASSCRED, on)` — receive the
    /// sender's credentials with every message ([`Received::credentials`]).
    ///
    /// The kernel attaches credentials when a message is sent, if the
    /// receiving socket has the option on then: turn it on before the peer
    /// can send (for a socket pair handed to a child, in the parent before
    /// spawning), or the first messages may arrive without them.
    ///
    /// Syscalls: `setsockopt` (`socketcall` on x86).
    ///
    /// # Errors
    /// [`Errno::BADF`](crate::Errno::BADF) /
    /// [`Errno::NOTSOCK`](crate::Errno::NOTSOCK) for a bad fd.
    ///
    /// # References
    /// - [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
    #[doc(alias = "SO_PASSCRED")]
    pub fn set_pass_credentials(&self, on: bool) -> Result<()> {
        sockopt::set_socket_passcred(self, on)
    }

    /// `setsockopt(fd, SOL_SOCKET, SO_PASSRIGHTS, on)` (Linux 6.16) —
    /// whether this socket accepts file descriptors at all. Off, a peer's
    /// `sendmsg` with `SCM_RIGHTS` fails with `EPERM` at the peer, and no
    /// fd ever reaches this socket's queue.
    ///
    /// Turn it off on every socket that does not expect fds from an
    /// untrusted peer: a received fd that is dropped — by the kernel (a
    /// receive with no room for it, or a plain [`receive`](Self::receive)), by
    /// [`receive_msg`](Self::receive_msg) for the ones that do not fit, or when
    /// the socket closes with the fd still queued — is closed *inside this
    /// process's call*, and closing can block for as long as the peer
    /// arranged (a TCP socket with `SO_LINGER` and a full send buffer, a
    /// file on a FUSE mount the peer serves), whatever `MSG_DONTWAIT`,
    /// `O_NONBLOCK` or a receive timeout say. Before Linux 6.16 nothing
    /// prevents that.
    ///
    /// Syscalls: `setsockopt`.
    ///
    /// # Errors
    /// [`Errno::NOPROTOOPT`](crate::Errno::NOPROTOOPT) before Linux 6.16
    /// (and under qemu-user, which does not know the option).
    ///
    /// # References
    /// - [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
    #[doc(alias = "SO_PASSRIGHTS")]
    pub fn set_pass_rights(&self, on: bool) -> Result<()> {
        raw::set_socket_int(self.as_fd(), linux_raw_sys::net::SO_PASSRIGHTS, on.into())
    }

    /// `sendmmsg(fd, msgs, n, MSG_NOSIGNAL)` — send each buffer of `msgs`
    /// as one message (a datagram, a seqpacket record, or bytes appended
    /// to a stream), up to [`BATCH_MAX`] of them in one syscall; returns
    /// how many were sent. Fewer than asked (the socket filled up, or past
    /// `BATCH_MAX`) is not an error: send the rest with another call.
    ///
    /// Syscalls: `sendmmsg` (none for an empty `msgs` or unknown flags).
    ///
    /// # Examples
    /// ```
    /// # fn main() -> bareipc::Result<()> {
    /// use bareipc::socket::{self, ReceiveFlags, SendFlags, SocketFlags, SocketType};
    ///
    /// let (a, b) = socket::pair(SocketType::Datagram, SocketFlags::empty())?;
    /// assert_eq!(a.send_batch(&[b"one", b"two", b"three"], SendFlags::empty())?, 3);
    /// let (mut x, mut y, mut z) = ([0u8; 8], [0u8; 8], [0u8; 8]);
    /// let mut lens = [Ok(0); 3];
    /// let n = b.receive_batch(&mut [&mut x, &mut y, &mut z], &mut lens, ReceiveFlags::empty())?;
    /// assert_eq!((n, lens[2]), (3, Ok(5)));
    /// assert_eq!(&z[..5], b"three");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// - [`Errno::INVAL`](crate::Errno::INVAL): a flag other than those of
    ///   [`SendFlags`].
    /// - Everything [`send`](Self::send) can return, when not even the
    ///   first message could be sent.
    ///
    /// # References
    /// - [sendmmsg(2)](https://man7.org/linux/man-pages/man2/sendmmsg.2.html)
    #[doc(alias = "sendmmsg")]
    pub fn send_batch(&self, msgs: &[&[u8]], flags: SendFlags) -> Result<usize> {
        crate::flags::only(flags, SendFlags::all())?;
        if msgs.is_empty() {
            return Ok(0);
        }
        raw::sendmmsg(self.as_fd(), msgs, flags.raw())
    }

    /// `recvmmsg(fd, msgs, n, MSG_WAITFORONE | MSG_TRUNC, NULL)` — receive
    /// up to `bufs.len()` messages (at most [`BATCH_MAX`]) in one syscall,
    /// one into each buffer: it waits for the first (unless non-blocking),
    /// then takes only what is already queued. Returns how many came;
    /// `lens[i]` says how message `i` went.
    ///
    /// Nothing is cut or dropped silently: `lens[i]` is `Ok(length)`, or
    /// `Err(EMSGSIZE)` for a message longer than its buffer (its first
    /// bytes are there; with [`ReceiveFlags::TRUNC`] it is
    /// `Ok(full length)` instead), or `Err(ENOBUFS)` for one that carried
    /// fds or credentials, which a batch has no room for (the kernel closes
    /// such fds: use [`receive_msg`](Self::receive_msg) for those).
    ///
    /// Syscalls: `recvmmsg` (none for an empty `bufs`, a `lens` shorter
    /// than `bufs`, or unknown flags).
    ///
    /// # Errors
    /// - [`Errno::INVAL`](crate::Errno::INVAL): `lens` shorter than `bufs`,
    ///   or a flag other than `DONTWAIT` and `TRUNC`.
    /// - Everything [`receive`](Self::receive) can return, when no message
    ///   came.
    ///
    /// # References
    /// - [recvmmsg(2)](https://man7.org/linux/man-pages/man2/recvmmsg.2.html)
    #[doc(alias = "recvmmsg")]
    pub fn receive_batch(
        &self,
        bufs: &mut [&mut [u8]],
        lens: &mut [Result<usize>],
        flags: ReceiveFlags,
    ) -> Result<usize> {
        crate::flags::only(flags, ReceiveFlags::DONTWAIT | ReceiveFlags::TRUNC)?;
        if lens.len() < bufs.len() {
            return Err(Errno::INVAL);
        }
        if bufs.is_empty() {
            return Ok(0);
        }
        let mut got = [0usize; raw::BATCH_MAX];
        let mut msg_flags = [0u32; raw::BATCH_MAX];
        let asked = (flags | ReceiveFlags::TRUNC).bits();
        let n = raw::recvmmsg(self.as_fd(), bufs, &mut got, &mut msg_flags, asked)?;
        for i in 0..n {
            lens[i] = if msg_flags[i] & linux_raw_sys::net::MSG_CTRUNC != 0 {
                Err(Errno::NOBUFS)
            } else {
                truncation(got[i], bufs[i].len(), flags)
            };
        }
        Ok(n)
    }

    /// `setsockopt(fd, SOL_SOCKET, SO_PASSPIDFD, on)` (Linux 6.5) — receive
    /// a pidfd of the sender with every message ([`Received::pidfd`]), as
    /// the kernel knows it when the message is sent.
    ///
    /// As with [`set_pass_credentials`](Self::set_pass_credentials), turn
    /// it on before the peer can send.
    ///
    /// Syscalls: `setsockopt`.
    ///
    /// # Errors
    /// [`Errno::NOPROTOOPT`](crate::Errno::NOPROTOOPT) before Linux 6.5
    /// (and under qemu-user, which does not know the option).
    ///
    /// # References
    /// - [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
    #[doc(alias = "SO_PASSPIDFD")]
    #[doc(alias = "SCM_PIDFD")]
    pub fn set_pass_pidfd(&self, on: bool) -> Result<()> {
        raw::set_socket_int(self.as_fd(), raw::SO_PASSPIDFD, on.into())
    }

    /// `getsockopt(fd, SOL_SOCKET, SO_PASSRIGHTS)` — whether this socket
    /// accepts file descriptors (see [`set_pass_rights`](Self::set_pass_rights)).
    ///
    /// Syscalls: `getsockopt`.
    ///
    /// # Errors
    /// [`Errno::NOPROTOOPT`](crate::Errno::NOPROTOOPT) before Linux 6.16.
    ///
    /// # References
    /// - [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
    pub fn pass_rights(&self) -> Result<bool> {
        raw::socket_int(self.as_fd(), linux_raw_sys::net::SO_PASSRIGHTS).map(|v| v != 0)
    }

    /// `getsockopt(fd, SOL_SOCKET, SO_PEERCRED)` — the credentials of the
    /// peer process as of `connect` or `socketpair`.
    ///
    /// Syscalls: `getsockopt`.
    ///
    /// # Examples
    /// ```
    /// # fn main() -> bareipc::Result<()> {
    /// use bareipc::socket::{self, Credentials, SocketFlags, SocketType};
    ///
    /// let (a, b) = socket::pair(SocketType::Stream, SocketFlags::empty())?;
    /// let peer = b.peer_credentials()?;
    /// // Both ends were made by this process.
    /// assert_eq!(peer.pid, bareipc::Pid::from_raw(std::process::id() as i32));
    /// assert_eq!(peer.uid, Credentials::current().uid);
    /// # drop(a);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// - [`Errno::INVAL`](crate::Errno::INVAL): the kernel returned an
    ///   option of an unexpected length (never silently accepted).
    /// - [`Errno::NOTSOCK`](crate::Errno::NOTSOCK): the fd is not a
    ///   socket.
    ///
    /// # References
    /// - [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
    #[doc(alias = "SO_PEERCRED")]
    pub fn peer_credentials(&self) -> Result<Credentials> {
        raw::peer_cred(self.as_fd()).map(Credentials::from_raw)
    }

    /// `getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD)` — a pidfd of the peer
    /// process (Linux 6.5+), close-on-exec: it names the peer even if its
    /// pid is reused later.
    ///
    /// Syscalls: `getsockopt`.
    ///
    /// # Errors
    /// - [`Errno::NOPROTOOPT`](crate::Errno::NOPROTOOPT): the kernel (or
    ///   qemu-user) does not offer it. Reported, never papered over with
    ///   `SO_PEERCRED`.
    /// - [`Errno::NODATA`](crate::Errno::NODATA): the peer has no process
    ///   (for example it was created by a kernel thread).
    ///
    /// # References
    /// - [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
    #[doc(alias = "SO_PEERPIDFD")]
    pub fn peer_pidfd(&self) -> Result<crate::signal::PidFd> {
        raw::peer_pidfd(self.as_fd()).map(crate::signal::PidFd::from)
    }
}

fn set_timeout(s: &Socket, id: sockopt::Timeout, t: Option<Duration>) -> Result<()> {
    if t == Some(Duration::ZERO) {
        return Err(Errno::INVAL);
    }
    sockopt::set_socket_timeout(s, id, t)
}

#[cfg(feature = "std")]
impl std::io::Read for &Socket {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        Ok(Socket::receive(self, buf)?)
    }
}

#[cfg(feature = "std")]
impl std::io::Write for &Socket {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        Ok(Socket::send(self, buf)?)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
