//! The byte-stream ends shared by anonymous pipes and FIFOs.
//!
//! A pipe and an opened FIFO are the same kernel object (a pipe inode), so
//! both families hand out these types, re-exported from [`crate::pipe`] and
//! [`crate::fifo`]. The public docs of the rules (PIPE_BUF atomicity,
//! SIGPIPE) live on the types and in those modules.

use rustix::fd::{AsFd, OwnedFd};
use rustix::pipe::{IoSliceRaw, SpliceFlags};

use crate::Result;

/// Items every end has: fd conversions, pipe capacity and blocking mode.
macro_rules! end_common {
    ($ty:ident) => {
        impl $ty {
            /// `fcntl(fd, F_GETPIPE_SZ)` — the capacity of the pipe buffer in
            /// bytes (a power of two; 65536 by default).
            ///
            /// Syscalls: `fcntl` (`fcntl64` on 32-bit arches).
            ///
            /// # Errors
            /// [`Errno::BADF`](crate::Errno::BADF) if the fd is not open.
            ///
            /// # References
            /// - [fcntl(2)](https://man7.org/linux/man-pages/man2/fcntl.2.html)
            #[doc(alias = "F_GETPIPE_SZ")]
            pub fn capacity(&self) -> Result<usize> {
                rustix::pipe::fcntl_getpipe_size(self)
            }

            /// `fcntl(fd, F_SETPIPE_SZ, size)` — set the capacity of the pipe
            /// buffer; the kernel rounds `size` up to a power of two of at
            /// least a page. Returns the capacity actually set.
            ///
            /// Syscalls: `fcntl` (`fcntl64` on 32-bit arches; none when
            /// `size` exceeds `i32::MAX`).
            ///
            /// # Errors
            /// - [`Errno::BUSY`](crate::Errno::BUSY): `size` is smaller than
            ///   the data now in the pipe.
            /// - [`Errno::PERM`](crate::Errno::PERM): an unprivileged caller
            ///   asked for more than `/proc/sys/fs/pipe-max-size`, or is over
            ///   its pipe-buffer quota.
            /// - [`Errno::INVAL`](crate::Errno::INVAL): `size` exceeds the
            ///   largest possible pipe (2^31 bytes, which the kernel refuses
            ///   to go beyond for every caller); above `i32::MAX` this is
            ///   checked before the syscall.
            ///
            /// # References
            /// - [fcntl(2)](https://man7.org/linux/man-pages/man2/fcntl.2.html)
            /// - [pipe(7)](https://man7.org/linux/man-pages/man7/pipe.7.html)
            #[doc(alias = "F_SETPIPE_SZ")]
            pub fn set_capacity(&self, size: usize) -> Result<usize> {
                // rustix would say EPERM for a size beyond `int`; the
                // kernel says EINVAL above 2^31, whoever asks.
                if size > i32::MAX as usize {
                    return Err(crate::Errno::INVAL);
                }
                rustix::pipe::fcntl_setpipe_size(self, size)
            }
        }

        fd_handle!($ty);
    };
}

/// Items of an end that can read.
macro_rules! end_read {
    ($ty:ident) => {
        impl $ty {
            /// `read(fd, buf)` — read up to `buf.len()` bytes.
            ///
            /// Blocks while the pipe is empty and a writer exists. Returns
            /// `Ok(0)` at end of stream: every write end is closed and the
            /// pipe is drained. In packet mode (`O_DIRECT`) each read returns
            /// one packet, and bytes of the packet beyond `buf.len()` are
            /// discarded.
            ///
            /// Syscalls: `read`.
            ///
            /// # Examples
            /// ```
            /// # fn main() -> bareipc::Result<()> {
            /// let (reader, writer) = bareipc::pipe::pipe()?;
            /// writer.write(b"hello, ")?;
            /// writer.write(b"world")?;
            /// drop(writer);
            /// // A read returns what is there now: loop until end of stream.
            /// let (mut buf, mut len) = ([0u8; 64], 0);
            /// loop {
            ///     match reader.read(&mut buf[len..])? {
            ///         0 => break,
            ///         n => len += n,
            ///     }
            /// }
            /// assert_eq!(&buf[..len], b"hello, world");
            /// # Ok(()) }
            /// ```
            ///
            /// # Errors
            /// - [`Errno::AGAIN`](crate::Errno::AGAIN): non-blocking and
            ///   empty.
            /// - [`Errno::INTR`](crate::Errno::INTR): a signal handler ran
            ///   before any byte was read (not restarted unless the handler
            ///   was installed with `SA_RESTART`).
            ///
            /// # References
            /// - [read(2)](https://man7.org/linux/man-pages/man2/read.2.html)
            /// - [pipe(7)](https://man7.org/linux/man-pages/man7/pipe.7.html)
            #[inline]
            pub fn read(&self, buf: &mut [u8]) -> Result<usize> {
                rustix::io::read(self, buf)
            }

            /// `ppoll(&{fd, POLLIN}, timeout)`, then `read(fd, buf)` — as
            /// [`read`](Self::read), waiting at most `timeout` for bytes (or
            /// end of stream). See [`crate::poll`] for a read end shared by
            /// several readers.
            ///
            /// Syscalls: `ppoll` (`ppoll_time64` on x86 and arm for a
            /// timeout beyond `i32::MAX` seconds), then `read` once ready.
            ///
            /// # Errors
            /// - [`Errno::TIMEDOUT`](crate::Errno::TIMEDOUT): nothing came
            ///   within `timeout`.
            /// - As [`read`](Self::read).
            ///
            /// # References
            /// - [poll(2)](https://man7.org/linux/man-pages/man2/poll.2.html)
            /// - [read(2)](https://man7.org/linux/man-pages/man2/read.2.html)
            pub fn read_timeout(
                &self,
                buf: &mut [u8],
                timeout: core::time::Duration,
            ) -> Result<usize> {
                crate::poll::wait(self.as_fd(), crate::poll::PollFlags::IN, timeout)?;
                self.read(buf)
            }

            /// `ppoll(&{fd, POLLIN}, 0)`, then `read(fd, buf)` if there are
            /// bytes (or end of stream) — a read that never waits, whatever
            /// the fd's mode.
            ///
            /// Syscalls: `ppoll`, then `read` if ready.
            ///
            /// # Errors
            /// - [`Errno::AGAIN`](crate::Errno::AGAIN): nothing to read now.
            /// - As [`read`](Self::read).
            ///
            /// # References
            /// - [poll(2)](https://man7.org/linux/man-pages/man2/poll.2.html)
            /// - [read(2)](https://man7.org/linux/man-pages/man2/read.2.html)
            pub fn try_read(&self, buf: &mut [u8]) -> Result<usize> {
                crate::poll::ready(self.as_fd(), crate::poll::PollFlags::IN)?;
                self.read(buf)
            }

            /// `ioctl(fd, FIONREAD)` — the number of bytes waiting to be
            /// read.
            ///
            /// Syscalls: `ioctl`.
            ///
            /// # Errors
            /// [`Errno::BADF`](crate::Errno::BADF) if the fd is not open;
            /// [`Errno::IO`](crate::Errno::IO) for a count that is not one
            /// (negative, as for an adopted fd of a file read past its end,
            /// which FIONREAD reports as `size - offset`).
            ///
            /// # References
            /// - [ioctl_fionread(2const)](https://man7.org/linux/man-pages/man2/FIONREAD.2const.html)
            #[doc(alias = "FIONREAD")]
            pub fn available(&self) -> Result<usize> {
                let n = rustix::io::ioctl_fionread(self)?;
                // The kernel's count is an int: anything above i32::MAX is
                // a negative one, sign-extended.
                match usize::try_from(n) {
                    Ok(n) if n <= i32::MAX as usize => Ok(n),
                    _ => Err(crate::Errno::IO),
                }
            }
        }

        #[cfg(feature = "std")]
        impl std::io::Read for $ty {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                Ok($ty::read(self, buf)?)
            }
        }

        #[cfg(feature = "std")]
        impl std::io::Read for &$ty {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                Ok($ty::read(self, buf)?)
            }
        }
    };
}

/// Items of an end that can write.
macro_rules! end_write {
    ($ty:ident) => {
        impl $ty {
            /// `write(fd, buf)` — write up to `buf.len()` bytes.
            ///
            /// A write of at most `PIPE_BUF` (4096) bytes is
            /// atomic. Blocks while the pipe is full, unless non-blocking. In
            /// packet mode (`O_DIRECT`) each write of up to `PIPE_BUF` bytes
            /// is one packet.
            ///
            /// Syscalls: `write`.
            ///
            /// # Examples
            /// ```
            /// # fn main() -> bareipc::Result<()> {
            /// use bareipc::pipe::{self, PIPE_BUF, PipeFlags};
            ///
            /// let (reader, writer) = pipe::pipe_with(PipeFlags::NONBLOCK)?;
            /// // A record of at most PIPE_BUF bytes goes in whole, never interleaved.
            /// let record = [7u8; PIPE_BUF];
            /// assert_eq!(writer.write(&record)?, PIPE_BUF);
            /// let mut buf = [0u8; PIPE_BUF];
            /// assert_eq!(reader.read(&mut buf)?, PIPE_BUF);
            /// assert_eq!(buf, record);
            /// # Ok(()) }
            /// ```
            ///
            /// # Errors
            /// - [`Errno::PIPE`](crate::Errno::PIPE): no read end is open and
            ///   `SIGPIPE` is ignored, blocked or handled. With `SIGPIPE` at
            ///   its default action the kernel kills the process instead.
            ///   Rust's std runtime ignores `SIGPIPE` before `main`; a
            ///   `no_std` program does not.
            /// - [`Errno::AGAIN`](crate::Errno::AGAIN): non-blocking and full
            ///   (for a write of at most `PIPE_BUF` bytes, not even partly
            ///   written).
            /// - [`Errno::INTR`](crate::Errno::INTR): a signal handler ran
            ///   before any byte was written.
            ///
            /// # References
            /// - [write(2)](https://man7.org/linux/man-pages/man2/write.2.html)
            /// - [pipe(7)](https://man7.org/linux/man-pages/man7/pipe.7.html)
            #[inline]
            pub fn write(&self, buf: &[u8]) -> Result<usize> {
                rustix::io::write(self, buf)
            }

            /// `ppoll(&{fd, POLLOUT}, timeout)`, then `write(fd, buf, n)` — as
            /// [`write`](Self::write), waiting at most `timeout` for room.
            /// `POLLOUT` promises room for `PIPE_BUF` bytes, so at most
            /// `n = min(len, PIPE_BUF)` bytes are written and the write
            /// itself never waits (unless another writer of the same pipe
            /// fills it first: see [`crate::poll`]); the count says how many
            /// went.
            ///
            /// Syscalls: `ppoll` (`ppoll_time64` on x86 and arm for a
            /// timeout beyond `i32::MAX` seconds), then `write` once ready.
            ///
            /// # Errors
            /// - [`Errno::TIMEDOUT`](crate::Errno::TIMEDOUT): no room within
            ///   `timeout`.
            /// - As [`write`](Self::write).
            ///
            /// # References
            /// - [poll(2)](https://man7.org/linux/man-pages/man2/poll.2.html)
            /// - [write(2)](https://man7.org/linux/man-pages/man2/write.2.html)
            pub fn write_timeout(
                &self,
                buf: &[u8],
                timeout: core::time::Duration,
            ) -> Result<usize> {
                crate::poll::wait(self.as_fd(), crate::poll::PollFlags::OUT, timeout)?;
                self.write(&buf[..buf.len().min(rustix::pipe::PIPE_BUF)])
            }

            /// `ppoll(&{fd, POLLOUT}, 0)`, then `write(fd, buf, n)` if there
            /// is room — a write that never waits, whatever the fd's mode:
            /// `n = min(len, PIPE_BUF)`, the room `POLLOUT` promises.
            ///
            /// Syscalls: `ppoll`, then `write` if ready.
            ///
            /// # Errors
            /// - [`Errno::AGAIN`](crate::Errno::AGAIN): no room now.
            /// - As [`write`](Self::write).
            ///
            /// # References
            /// - [poll(2)](https://man7.org/linux/man-pages/man2/poll.2.html)
            /// - [write(2)](https://man7.org/linux/man-pages/man2/write.2.html)
            pub fn try_write(&self, buf: &[u8]) -> Result<usize> {
                crate::poll::ready(self.as_fd(), crate::poll::PollFlags::OUT)?;
                self.write(&buf[..buf.len().min(rustix::pipe::PIPE_BUF)])
            }

            /// `vmsplice(fd, iov, n, flags)` on the write end — gather
            /// buffers that never change into the pipe, without copying.
            ///
            /// Without `GIFT` the kernel does not copy the bytes: it puts
            /// references to the buffers' pages into the pipe, and the
            /// reader copies from those pages only when it reads, however
            /// late. Whatever this process stores at those addresses by
            /// then is what the reader gets: a stack buffer reused by the
            /// next call, a heap block freed and reallocated, would hand
            /// the peer unrelated memory of this process. So this safe form
            /// takes only `'static` buffers (a `&'static [u8]`, or leaked
            /// memory no one can change again); see
            /// [`vmsplice_unchecked`](Self::vmsplice_unchecked) for others,
            /// and [`write`](Self::write), which copies.
            ///
            /// `flags` may be `NONBLOCK`, `MOVE` and `MORE` (the last two
            /// change nothing here). `SpliceFlags::GIFT` is refused with
            /// [`Errno::INVAL`](crate::Errno::INVAL) before the syscall, as
            /// is any other bit: its contract (page-aligned buffers never
            /// touched again) cannot be checked here.
            ///
            /// Syscalls: `fcntl` (`fcntl64` on 32-bit arches) to check the fd
            /// is open for writing, then `vmsplice` (none at all for `GIFT`
            /// or another flag outside `NONBLOCK`, `MOVE` and `MORE`).
            ///
            /// # Errors
            /// - [`Errno::INVAL`](crate::Errno::INVAL): a flag other than
            ///   `NONBLOCK`, `MOVE` and `MORE` (`GIFT` included), before any
            ///   syscall; or more than `IOV_MAX` buffers.
            /// - [`Errno::BADF`](crate::Errno::BADF): the fd is not open for
            ///   writing (an end adopted with `From<OwnedFd>` from a read-only
            ///   fd); checked before `vmsplice`, which would otherwise write
            ///   into `bufs`.
            /// - [`Errno::AGAIN`](crate::Errno::AGAIN): `NONBLOCK` and full.
            /// - [`Errno::PIPE`](crate::Errno::PIPE): no read end (see
            ///   [`write`](Self::write)).
            ///
            /// # References
            /// - [vmsplice(2)](https://man7.org/linux/man-pages/man2/vmsplice.2.html)
            pub fn vmsplice(
                &self,
                bufs: &[IoSliceRaw<'static>],
                flags: SpliceFlags,
            ) -> Result<usize> {
                crate::backend::pipe::vmsplice_write_static(self.as_fd(), bufs, flags)
            }

            /// As [`vmsplice`](Self::vmsplice), for buffers of any
            /// lifetime.
            ///
            /// Syscalls: `fcntl` (`fcntl64` on 32-bit arches) to check the fd
            /// is open for writing, then `vmsplice` (none at all for `GIFT`
            /// or another flag outside `NONBLOCK`, `MOVE` and `MORE`).
            ///
            /// # Safety
            /// The bytes of `bufs` must stay allocated and unchanged until
            /// the reader has read them (or the pipe is gone): the pipe
            /// refers to their pages, and the reader sees what they hold
            /// when it reads.
            ///
            /// # Errors
            /// As [`vmsplice`](Self::vmsplice).
            ///
            /// # References
            /// - [vmsplice(2)](https://man7.org/linux/man-pages/man2/vmsplice.2.html)
            #[allow(unsafe_code)] // the contract is about the buffers' future
            pub unsafe fn vmsplice_unchecked(
                &self,
                bufs: &[IoSliceRaw<'_>],
                flags: SpliceFlags,
            ) -> Result<usize> {
                // SAFETY: the caller's contract.
                unsafe { crate::backend::pipe::vmsplice_write(self.as_fd(), bufs, flags) }
            }
        }

        #[cfg(feature = "std")]
        impl std::io::Write for $ty {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                Ok($ty::write(self, buf)?)
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }

        #[cfg(feature = "std")]
        impl std::io::Write for &$ty {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                Ok($ty::write(self, buf)?)
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
    };
}

/// The read end of a pipe, or a FIFO opened for reading.
///
/// Closes its fd on drop. A read returns `Ok(0)` (end of stream) once every
/// write end is closed and the pipe is drained.
///
/// Syscalls: none until dropped; then `close`.
#[derive(Debug)]
pub struct ReadEnd(OwnedFd);

/// The write end of a pipe, or a FIFO opened for writing.
///
/// Closes its fd on drop; when the last write end closes, readers see end of
/// stream. Writes of at most `PIPE_BUF` (4096) bytes are atomic: never
/// interleaved with another writer's bytes. Writing with no read end open
/// raises `SIGPIPE` (see [`write`](Self::write)).
///
/// Syscalls: none until dropped; then `close`.
#[derive(Debug)]
pub struct WriteEnd(OwnedFd);

/// A FIFO opened for both reading and writing (`O_RDWR`).
///
/// Linux-specific: such an open never blocks and never fails with `ENXIO`,
/// because the opener is its own reader and writer; for the same reason a
/// read never sees end of stream while this end is open.
///
/// Syscalls: none until dropped; then `close`.
#[derive(Debug)]
pub struct ReadWriteEnd(OwnedFd);

end_common!(ReadEnd);
end_common!(WriteEnd);
end_common!(ReadWriteEnd);
end_read!(ReadEnd);
end_read!(ReadWriteEnd);
end_write!(WriteEnd);
end_write!(ReadWriteEnd);

impl ReadEnd {
    /// `vmsplice(fd, iov, 1, flags)` on the read end — move bytes from
    /// the pipe into `buf`, like [`read`](Self::read) but through the
    /// splice machinery.
    ///
    /// The kernel picks the direction from the fd: on an fd open for
    /// writing it would put `buf`'s pages *into* the pipe for the peer to
    /// read. So the fd is checked to be read-only first (a `ReadEnd`
    /// adopted with `From<OwnedFd>` can hold any fd). `flags` may be
    /// `NONBLOCK`, `MOVE` and `MORE`.
    ///
    /// Syscalls: `fcntl` (`fcntl64` on 32-bit arches), then `vmsplice`
    /// (none at all for another flag).
    ///
    /// # Errors
    /// - [`Errno::INVAL`](crate::Errno::INVAL): a flag other than
    ///   `NONBLOCK`, `MOVE` and `MORE` (`GIFT` included), before any
    ///   syscall.
    /// - [`Errno::AGAIN`](crate::Errno::AGAIN): `SpliceFlags::NONBLOCK`
    ///   (or a non-blocking fd) and the pipe is empty.
    /// - [`Errno::BADF`](crate::Errno::BADF): the fd is not open for
    ///   reading only (checked before `vmsplice`), or not readable.
    ///
    /// # References
    /// - [vmsplice(2)](https://man7.org/linux/man-pages/man2/vmsplice.2.html)
    pub fn vmsplice(&self, buf: &mut [u8], flags: SpliceFlags) -> Result<usize> {
        crate::backend::pipe::vmsplice_read(self.as_fd(), buf, flags)
    }
}
