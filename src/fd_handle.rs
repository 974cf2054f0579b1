//! What every fd-backed handle of the crate implements, defined once.

/// Implements, for a newtype over `OwnedFd`: `AsFd`, `AsRawFd`,
/// `From<OwnedFd>` (adopting an fd; nothing is checked, operations on a fd
/// of the wrong kind fail with the kernel's errno), `From<$ty> for OwnedFd`,
/// and `set_nonblocking`.
#[allow(unused_macros)] // a build with no fd-backed family has no handle
macro_rules! fd_handle {
    ($ty:ident) => {
        impl rustix::fd::AsFd for $ty {
            #[inline]
            fn as_fd(&self) -> rustix::fd::BorrowedFd<'_> {
                rustix::fd::AsFd::as_fd(&self.0)
            }
        }

        impl rustix::fd::AsRawFd for $ty {
            #[inline]
            fn as_raw_fd(&self) -> rustix::fd::RawFd {
                rustix::fd::AsRawFd::as_raw_fd(&self.0)
            }
        }

        impl From<rustix::fd::OwnedFd> for $ty {
            /// Adopts an fd. Nothing is checked: operations on an fd of
            /// another kind fail with the kernel's errno.
            #[inline]
            fn from(fd: rustix::fd::OwnedFd) -> Self {
                Self(fd)
            }
        }

        impl From<$ty> for rustix::fd::OwnedFd {
            #[inline]
            fn from(handle: $ty) -> rustix::fd::OwnedFd {
                handle.0
            }
        }

        impl $ty {
            /// `ioctl(fd, FIONBIO, &on)` — switch between blocking and
            /// non-blocking mode. In non-blocking mode an operation that
            /// would wait fails with [`Errno::AGAIN`](crate::Errno::AGAIN)
            /// instead.
            ///
            /// The mode belongs to the open file description: every
            /// duplicate of this fd (in this or another process) shares it.
            ///
            /// Syscalls: `ioctl`.
            ///
            /// # Errors
            /// [`Errno::BADF`](crate::Errno::BADF) if the fd is not open.
            ///
            /// # References
            /// - [ioctl(2)](https://man7.org/linux/man-pages/man2/ioctl.2.html)
            #[doc(alias = "FIONBIO")]
            pub fn set_nonblocking(&self, on: bool) -> crate::Result<()> {
                rustix::io::ioctl_fionbio(&self.0, on)
            }
        }
    };
}
