//! Unix-socket syscalls rustix lacks or wraps in a way we cannot use:
//! `sendto` / `recvfrom` / `sendmsg` / `recvmsg` with our own control-message
//! handling (so no received fd can leak and no unexpected control message is
//! silently skipped), and a `getsockopt` that reports a short option length
//! instead of panicking.
//!
//! All are direct syscalls on every arch (i386 has had `sendto`, `recvmsg`
//! and friends since Linux 4.3); rustix's own socket calls go through
//! `socketcall` on x86.

use core::ffi::c_int;
use core::mem::size_of;

use linux_raw_sys::general as g;
use linux_raw_sys::net as n;
use rustix::fd::{BorrowedFd, FromRawFd, OwnedFd};
use rustix::io::Errno;

use super::arch::{syscall3, syscall4, syscall5, syscall6};
use super::reg::Arg;

/// The kernel's limit of fds in one `SCM_RIGHTS` message.
pub(crate) const SCM_MAX_FD: usize = 253;
/// `SCM_PIDFD` (Linux 6.5): a pidfd of the sender, sent when the receiver
/// set `SO_PASSPIDFD`. Not in linux-raw-sys.
const SCM_PIDFD: u32 = 4;
/// `SO_PASSPIDFD` (Linux 6.5).
pub(crate) const SO_PASSPIDFD: u32 = n::SO_PASSPIDFD;
/// `sizeof(struct ucred)`.
const UCRED_LEN: usize = size_of::<n::ucred>();

/// `CMSG_ALIGN`: control messages are aligned to `sizeof(long)`.
const fn cmsg_align(len: usize) -> usize {
    (len + size_of::<usize>() - 1) & !(size_of::<usize>() - 1)
}
/// The aligned size of a `cmsghdr`.
const HDR: usize = cmsg_align(size_of::<n::cmsghdr>());
/// `CMSG_LEN`.
const fn cmsg_len(data: usize) -> usize {
    HDR + data
}
/// `CMSG_SPACE`.
pub(crate) const fn cmsg_space(data: usize) -> usize {
    HDR + cmsg_align(data)
}
/// Room for credentials, a pidfd and the most fds one message can carry.
const CONTROL_MAX: usize = cmsg_space(UCRED_LEN)
    + cmsg_space(size_of::<c_int>())
    + cmsg_space(SCM_MAX_FD * size_of::<c_int>());

/// A control-message buffer on the stack, aligned for `cmsghdr`.
#[repr(C, align(8))]
pub(crate) struct Control {
    bytes: [u8; CONTROL_MAX],
    len: usize,
}

impl Control {
    pub(crate) const fn new() -> Self {
        Self {
            bytes: [0; CONTROL_MAX],
            len: 0,
        }
    }

    /// Appends one control message; `false` if it does not fit.
    fn push(
        &mut self,
        level: u32,
        ty: u32,
        data: impl Iterator<Item = [u8; 4]>,
        data_len: usize,
    ) -> bool {
        let space = cmsg_space(data_len);
        let Some(msg) = self.bytes.get_mut(self.len..self.len + space) else {
            return false;
        };
        msg.fill(0);
        let (hdr, body) = msg.split_at_mut(HDR);
        let len = cmsg_len(data_len);
        hdr[..size_of::<usize>()].copy_from_slice(&len.to_ne_bytes());
        hdr[size_of::<usize>()..size_of::<usize>() + 4].copy_from_slice(&level.to_ne_bytes());
        hdr[size_of::<usize>() + 4..size_of::<usize>() + 8].copy_from_slice(&ty.to_ne_bytes());
        for (dst, word) in body.chunks_exact_mut(4).zip(data) {
            dst.copy_from_slice(&word);
        }
        self.len += space;
        true
    }

    /// Appends `SCM_RIGHTS` carrying `fds`.
    pub(crate) fn push_fds(&mut self, fds: &[BorrowedFd<'_>]) -> bool {
        use rustix::fd::AsRawFd;
        let words = fds.iter().map(|fd| fd.as_raw_fd().to_ne_bytes());
        self.push(n::SOL_SOCKET, n::SCM_RIGHTS, words, fds.len() * 4)
    }

    /// Appends `SCM_CREDENTIALS` carrying `(pid, uid, gid)`.
    pub(crate) fn push_credentials(&mut self, pid: i32, uid: u32, gid: u32) -> bool {
        let words = [pid.to_ne_bytes(), uid.to_ne_bytes(), gid.to_ne_bytes()];
        self.push(
            n::SOL_SOCKET,
            n::SCM_CREDENTIALS,
            words.into_iter(),
            UCRED_LEN,
        )
    }

    fn filled(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// One control message as found in a received buffer.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Cmsg<'a> {
    pub(crate) level: u32,
    pub(crate) ty: u32,
    pub(crate) data: &'a [u8],
}

/// Walks the control messages in `buf` (what the kernel filled). A header
/// whose length runs past the buffer, or is shorter than a header, ends
/// the walk with `Err(())`.
pub(crate) fn parse(buf: &[u8]) -> impl Iterator<Item = Result<Cmsg<'_>, ()>> {
    let mut rest = buf;
    core::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        if rest.len() < HDR {
            rest = &[];
            return Some(Err(()));
        }
        let word = size_of::<usize>();
        let len = usize::from_ne_bytes(rest[..word].try_into().ok()?);
        let level = u32::from_ne_bytes(rest[word..word + 4].try_into().ok()?);
        let ty = u32::from_ne_bytes(rest[word + 4..word + 8].try_into().ok()?);
        if len < HDR || len > rest.len() {
            rest = &[];
            return Some(Err(()));
        }
        let data = &rest[HDR..len];
        rest = rest.get(cmsg_align(len)..).unwrap_or(&[]);
        Some(Ok(Cmsg { level, ty, data }))
    })
}

/// The credentials of a received `SCM_CREDENTIALS` message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Creds {
    pub(crate) pid: i32,
    pub(crate) uid: u32,
    pub(crate) gid: u32,
}

impl Creds {
    /// Decodes a `struct ucred` from exactly its bytes; `None` for any
    /// other length.
    fn decode(b: &[u8]) -> Option<Self> {
        let b: &[u8; UCRED_LEN] = b.try_into().ok()?;
        let w = |i: usize| [b[i], b[i + 1], b[i + 2], b[i + 3]];
        Some(Self {
            pid: i32::from_ne_bytes(w(0)),
            uid: u32::from_ne_bytes(w(4)),
            gid: u32::from_ne_bytes(w(8)),
        })
    }
}

/// What `recvmsg` delivered besides the data.
#[derive(Debug, Default)]
pub(crate) struct Received {
    pub(crate) bytes: usize,
    pub(crate) msg_flags: u32,
    pub(crate) creds: Option<Creds>,
    pub(crate) fds_truncated: bool,
    /// The sender's pidfd (`SCM_PIDFD`, with `SO_PASSPIDFD` on).
    pub(crate) pidfd: Option<OwnedFd>,
}

/// `sendto(fd, buf, len, flags, NULL, 0)`.
pub(crate) fn send(fd: BorrowedFd<'_>, buf: &[u8], flags: u32) -> Result<usize, Errno> {
    let len = buf.len();
    // SAFETY: `buf` is live for the call and the kernel only reads `len`
    // bytes of it; no address is passed.
    unsafe {
        syscall6(
            g::__NR_sendto,
            Arg::fd(fd),
            Arg::by_ref(buf),
            Arg::usize(len),
            Arg::c_uint(flags),
            Arg::null(),
            Arg::usize(0),
        )
    }
    .decode_usize()
}

/// `recvfrom(fd, buf, len, flags, NULL, NULL)`.
pub(crate) fn recv(fd: BorrowedFd<'_>, buf: &mut [u8], flags: u32) -> Result<usize, Errno> {
    let len = buf.len();
    // SAFETY: `buf` is live and writable for `len` bytes; no address is
    // asked for.
    unsafe {
        syscall6(
            g::__NR_recvfrom,
            Arg::fd(fd),
            Arg::by_mut(buf),
            Arg::usize(len),
            Arg::c_uint(flags),
            Arg::null(),
            Arg::null(),
        )
    }
    .decode_usize()
}

/// `sendmsg` of one data buffer and the control messages in `control`.
pub(crate) fn sendmsg(
    fd: BorrowedFd<'_>,
    buf: &[u8],
    control: &Control,
    flags: u32,
) -> Result<usize, Errno> {
    let mut iov = g::iovec {
        iov_base: buf.as_ptr().cast_mut().cast(),
        iov_len: buf.len() as _,
    };
    let ctl = control.filled();
    let msg = n::msghdr {
        msg_name: core::ptr::null_mut(),
        msg_namelen: 0,
        msg_iov: (&raw mut iov).cast::<n::iovec>(),
        msg_iovlen: 1,
        msg_control: if ctl.is_empty() {
            core::ptr::null_mut()
        } else {
            ctl.as_ptr().cast_mut().cast()
        },
        msg_controllen: ctl.len() as _,
        msg_flags: 0,
    };
    // SAFETY: `msg` points at `iov` (describing `buf`) and at the filled
    // part of `control`, all live for the call; the kernel only reads them.
    unsafe {
        syscall3(
            g::__NR_sendmsg,
            Arg::fd(fd),
            Arg::by_ref(&msg),
            Arg::c_uint(flags),
        )
    }
    .decode_usize()
}

/// `recvmsg` into `buf`, with room for credentials, a pidfd and `max_fds`
/// fds, and `MSG_CMSG_CLOEXEC` always. Every `SCM_RIGHTS` fd received is
/// handed to `on_fd` (owned) in order; an `SCM_PIDFD` is returned in
/// `pidfd`. An unexpected control message (unknown type, or a length that
/// is not exactly what its type needs) makes the result `EPROTO`, and a
/// pidfd the kernel could not make (it writes a negative errno instead)
/// that errno, after every fd in the message has been closed; the caller
/// then drops the fds `on_fd` got.
pub(crate) fn recvmsg(
    fd: BorrowedFd<'_>,
    buf: &mut [u8],
    max_fds: usize,
    flags: u32,
    mut on_fd: impl FnMut(OwnedFd),
) -> Result<Received, Errno> {
    let mut control = Control::new();
    let room = cmsg_space(UCRED_LEN)
        + cmsg_space(4)
        + if max_fds == 0 {
            0
        } else {
            cmsg_space(max_fds.min(SCM_MAX_FD) * 4)
        };
    let mut iov = g::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len() as _,
    };
    let mut msg = n::msghdr {
        msg_name: core::ptr::null_mut(),
        msg_namelen: 0,
        msg_iov: (&raw mut iov).cast::<n::iovec>(),
        msg_iovlen: 1,
        msg_control: control.bytes.as_mut_ptr().cast(),
        msg_controllen: room as _,
        msg_flags: 0,
    };
    let flags = flags | n::MSG_CMSG_CLOEXEC;
    // SAFETY: `msg` points at `iov` (describing `buf`, writable) and at the
    // first `room` bytes of `control.bytes` (room <= CONTROL_MAX), all live
    // and exclusively borrowed for the call.
    let bytes = unsafe {
        syscall3(
            g::__NR_recvmsg,
            Arg::fd(fd),
            Arg::by_mut(&mut msg),
            Arg::c_uint(flags),
        )
    }
    .decode_usize()?;
    let filled = (msg.msg_controllen as usize).min(room);
    let mut out = Received {
        bytes,
        msg_flags: msg.msg_flags,
        creds: None,
        fds_truncated: msg.msg_flags & n::MSG_CTRUNC != 0,
        pidfd: None,
    };
    let mut unexpected = false;
    let mut pidfd_error = None;
    for item in parse(&control.bytes[..filled]) {
        let Ok(cmsg) = item else {
            unexpected = true;
            break;
        };
        match (cmsg.level, cmsg.ty) {
            (n::SOL_SOCKET, n::SCM_RIGHTS | SCM_PIDFD) => {
                // One pidfd per message, and at most one SCM_PIDFD.
                if cmsg.data.len() % 4 != 0
                    || (cmsg.ty == SCM_PIDFD && (cmsg.data.len() != 4 || out.pidfd.is_some()))
                {
                    unexpected = true;
                }
                for word in cmsg.data.chunks_exact(4) {
                    let raw = i32::from_ne_bytes([word[0], word[1], word[2], word[3]]);
                    if raw < 0 {
                        // Not an fd: when the kernel cannot make the pidfd
                        // (a full fd table, a sender gone), it writes the
                        // negative errno in its place.
                        if cmsg.ty == SCM_PIDFD && raw > -4096 {
                            pidfd_error = Some(Errno::from_raw_os_error(-raw));
                        } else {
                            unexpected = true;
                        }
                        continue;
                    }
                    // SAFETY: a non-negative value here is an fd the
                    // kernel installed in our table for this recvmsg
                    // (SCM_RIGHTS / SCM_PIDFD payload); nothing else knows
                    // it, so we are its only owner.
                    let owned = unsafe { OwnedFd::from_raw_fd(raw) };
                    if cmsg.ty == SCM_PIDFD {
                        if unexpected {
                            drop(owned);
                        } else {
                            out.pidfd = Some(owned);
                        }
                    } else {
                        on_fd(owned);
                    }
                }
            }
            (n::SOL_SOCKET, n::SCM_CREDENTIALS) => match Creds::decode(cmsg.data) {
                Some(c) => out.creds = Some(c),
                None => unexpected = true,
            },
            _ => unexpected = true,
        }
    }
    if unexpected {
        Err(Errno::PROTO)
    } else if let Some(e) = pidfd_error {
        Err(e)
    } else {
        Ok(out)
    }
}

/// The most messages one `sendmmsg` / `recvmmsg` call here carries: the
/// headers live on the stack (64 of them take 5 KiB on 64-bit).
pub(crate) const BATCH_MAX: usize = 64;

/// `MSG_WAITFORONE` (Linux 2.6.34): after the first message, `recvmmsg`
/// takes only what is queued. Not in linux-raw-sys.
const MSG_WAITFORONE: u32 = 0x10000;

/// An empty header for one message of a batch, its data at `iov`.
fn batch_header(iov: *mut g::iovec) -> n::mmsghdr {
    n::mmsghdr {
        msg_hdr: n::msghdr {
            msg_name: core::ptr::null_mut(),
            msg_namelen: 0,
            msg_iov: iov.cast::<n::iovec>(),
            msg_iovlen: 1,
            msg_control: core::ptr::null_mut(),
            msg_controllen: 0,
            msg_flags: 0,
        },
        msg_len: 0,
    }
}

/// `sendmmsg(fd, msgs, n, flags)` of the first `BATCH_MAX` buffers of
/// `bufs`, one message each: how many were sent.
pub(crate) fn sendmmsg(fd: BorrowedFd<'_>, bufs: &[&[u8]], flags: u32) -> Result<usize, Errno> {
    let n = bufs.len().min(BATCH_MAX);
    let mut iov = [g::iovec {
        iov_base: core::ptr::null_mut(),
        iov_len: 0,
    }; BATCH_MAX];
    for (v, b) in iov.iter_mut().zip(bufs) {
        v.iov_base = b.as_ptr().cast_mut().cast();
        v.iov_len = b.len() as _;
    }
    let base = iov.as_mut_ptr();
    // Each header points at its own iovec; `wrapping_add` stays in `iov`.
    let mut msgs: [n::mmsghdr; BATCH_MAX] =
        core::array::from_fn(|i| batch_header(base.wrapping_add(i)));
    // SAFETY: the first `n` headers each describe one live buffer of
    // `bufs`, which the kernel only reads; it writes only `msg_len` of
    // those headers, which are ours and live for the call.
    unsafe {
        syscall4(
            g::__NR_sendmmsg,
            Arg::fd(fd),
            Arg::raw_ptr(msgs.as_mut_ptr().cast()),
            Arg::c_uint(n as u32),
            Arg::c_uint(flags),
        )
    }
    .decode_usize()
}

/// `recvmmsg(fd, msgs, n, flags | MSG_WAITFORONE, NULL)` into the first
/// `BATCH_MAX` buffers of `bufs`: how many messages came; `lens[i]` is
/// what `recvmmsg` said of message `i` (its length with `MSG_TRUNC`), and
/// `msg_flags[i]` its flags (`MSG_TRUNC`: longer than its buffer;
/// `MSG_CTRUNC`: it carried fds or credentials, which had no room).
pub(crate) fn recvmmsg(
    fd: BorrowedFd<'_>,
    bufs: &mut [&mut [u8]],
    lens: &mut [usize; BATCH_MAX],
    msg_flags: &mut [u32; BATCH_MAX],
    flags: u32,
) -> Result<usize, Errno> {
    let n = bufs.len().min(BATCH_MAX);
    let mut iov = [g::iovec {
        iov_base: core::ptr::null_mut(),
        iov_len: 0,
    }; BATCH_MAX];
    for (v, b) in iov.iter_mut().zip(bufs.iter_mut()) {
        v.iov_base = b.as_mut_ptr().cast();
        v.iov_len = b.len() as _;
    }
    let base = iov.as_mut_ptr();
    let mut msgs: [n::mmsghdr; BATCH_MAX] =
        core::array::from_fn(|i| batch_header(base.wrapping_add(i)));
    // SAFETY: the first `n` headers each describe one buffer of `bufs`,
    // writable and exclusively borrowed for the call; the kernel writes
    // those buffers (at most their length) and the headers' `msg_len` and
    // `msg_flags`; no control buffer or address is given, and the timeout
    // is null.
    let got = unsafe {
        syscall5(
            g::__NR_recvmmsg,
            Arg::fd(fd),
            Arg::raw_ptr(msgs.as_mut_ptr().cast()),
            Arg::c_uint(n as u32),
            Arg::c_uint(flags | MSG_WAITFORONE | n::MSG_CMSG_CLOEXEC),
            Arg::null(),
        )
    }
    .decode_usize()?;
    for i in 0..got.min(n) {
        lens[i] = msgs[i].msg_len as usize;
        msg_flags[i] = msgs[i].msg_hdr.msg_flags;
    }
    Ok(got.min(n))
}

/// `getsockopt(fd, level, name, out, &len)`: the option's length.
fn getsockopt(fd: BorrowedFd<'_>, level: u32, name: u32, out: &mut [u8]) -> Result<usize, Errno> {
    let mut len: u32 = out.len() as u32;
    // SAFETY: `out` is writable for `len` bytes and `len` is a live u32 the
    // kernel updates; both are borrowed for the call.
    unsafe {
        syscall5(
            g::__NR_getsockopt,
            Arg::fd(fd),
            Arg::c_uint(level),
            Arg::c_uint(name),
            Arg::by_mut(out),
            Arg::by_mut(&mut len),
        )
    }
    .decode_void()?;
    Ok(len as usize)
}

/// `setsockopt(fd, SOL_SOCKET, name, &value, 4)` for an `int` option.
pub(crate) fn set_socket_int(fd: BorrowedFd<'_>, name: u32, value: i32) -> Result<(), Errno> {
    // SAFETY: the kernel reads 4 bytes of `value`, a live local.
    unsafe {
        syscall5(
            g::__NR_setsockopt,
            Arg::fd(fd),
            Arg::c_uint(n::SOL_SOCKET),
            Arg::c_uint(name),
            Arg::by_ref(&value),
            Arg::c_uint(4),
        )
    }
    .decode_void()
}

/// `getsockopt(fd, SOL_SOCKET, name)` for an `int` option, its length
/// checked.
pub(crate) fn socket_int(fd: BorrowedFd<'_>, name: u32) -> Result<i32, Errno> {
    let mut b = [0u8; 4];
    match getsockopt(fd, n::SOL_SOCKET, name, &mut b)? {
        4 => Ok(i32::from_ne_bytes(b)),
        _ => Err(Errno::INVAL),
    }
}

/// `getsockopt(fd, SOL_SOCKET, SO_PEERCRED)`, its length checked: any
/// length but that of `struct ucred` is `EINVAL`.
pub(crate) fn peer_cred(fd: BorrowedFd<'_>) -> Result<Creds, Errno> {
    let mut b = [0u8; UCRED_LEN];
    let len = getsockopt(fd, n::SOL_SOCKET, n::SO_PEERCRED, &mut b)?;
    b.get(..len).and_then(Creds::decode).ok_or(Errno::INVAL)
}

/// `getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD)`: a new pidfd, whose length
/// is checked.
pub(crate) fn peer_pidfd(fd: BorrowedFd<'_>) -> Result<OwnedFd, Errno> {
    let mut b = [0u8; 4];
    let len = getsockopt(fd, n::SOL_SOCKET, n::SO_PEERPIDFD, &mut b)?;
    if len != b.len() {
        return Err(Errno::INVAL);
    }
    let raw = i32::from_ne_bytes(b);
    if raw < 0 {
        return Err(Errno::INVAL);
    }
    // SAFETY: SO_PEERPIDFD installs a new fd (O_CLOEXEC) in our table and
    // returns its number, non-negative (checked); we are its only owner.
    Ok(unsafe { OwnedFd::from_raw_fd(raw) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_round_trips_through_the_parser() {
        let mut c = Control::new();
        assert!(c.push_credentials(7, 8, 9));
        let items: heapless::Vec<_, 4> = parse(c.filled()).collect();
        assert_eq!(items.len(), 1);
        let m = items[0].as_ref().unwrap();
        assert_eq!(
            (m.level, m.ty, m.data.len()),
            (n::SOL_SOCKET, n::SCM_CREDENTIALS, UCRED_LEN)
        );
        assert_eq!(&m.data[..4], &7i32.to_ne_bytes());
    }

    #[test]
    fn credentials_decode_only_from_their_exact_length() {
        let mut b = [0u8; UCRED_LEN + 1];
        b[..4].copy_from_slice(&42i32.to_ne_bytes());
        assert_eq!(Creds::decode(&b[..UCRED_LEN]).map(|c| c.pid), Some(42));
        assert_eq!(Creds::decode(&b), None);
        assert_eq!(Creds::decode(&b[..UCRED_LEN - 1]), None);
    }

    #[test]
    fn parser_refuses_bad_lengths_without_panicking() {
        // Shorter than a header.
        assert_eq!(
            parse(&[1, 2, 3])
                .collect::<heapless::Vec<_, 2>>()
                .as_slice(),
            &[Err(())]
        );
        // Length past the buffer.
        let mut b = [0u8; 32];
        b[..size_of::<usize>()].copy_from_slice(&1000usize.to_ne_bytes());
        assert_eq!(
            parse(&b).collect::<heapless::Vec<_, 2>>().as_slice(),
            &[Err(())]
        );
        // Length shorter than a header.
        b[..size_of::<usize>()].copy_from_slice(&3usize.to_ne_bytes());
        assert_eq!(
            parse(&b).collect::<heapless::Vec<_, 2>>().as_slice(),
            &[Err(())]
        );
        assert_eq!(parse(&[]).count(), 0);
    }

    #[test]
    fn the_control_buffer_holds_the_kernel_maximum() {
        assert_eq!(
            CONTROL_MAX,
            cmsg_space(12) + cmsg_space(4) + cmsg_space(253 * 4)
        );
        let mut c = Control::new();
        assert!(c.push_credentials(1, 2, 3));
        let (_r, w) = rustix::pipe::pipe().unwrap();
        let fds = [rustix::fd::AsFd::as_fd(&w); SCM_MAX_FD];
        assert!(c.push_fds(&fds));
        assert!(c.push_fds(&fds[..1]), "the room a pidfd takes on receipt");
        assert!(!c.push_fds(&fds[..1]), "full");
    }
}
