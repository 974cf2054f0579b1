//! Typed syscall registers.
//!
//! An [`Arg`] is one register-sized syscall argument. Integers become
//! pointers with no provenance; references and slices become pointers that
//! keep theirs, and the `'a` lifetime ties the argument to the buffer it
//! points into, so a buffer cannot be freed or moved while a call that names
//! it is being set up. Nothing is ever cast through `usize`.
//!
//! A [`Ret`] is the raw return register. Its `decode_*` methods apply the kernel's
//! rule: values in `-4095..=-1` are a negated errno, anything else is the
//! result.

use core::ffi::{CStr, c_int, c_uint, c_void};
use core::marker::PhantomData;
use core::ptr;

use rustix::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use rustix::io::Errno;

/// One syscall argument register.
#[repr(transparent)]
pub(crate) struct Arg<'a> {
    raw: *mut c_void,
    _borrow: PhantomData<&'a mut [u8]>,
}

impl<'a> Arg<'a> {
    #[inline]
    const fn from_ptr(raw: *mut c_void) -> Self {
        Self {
            raw,
            _borrow: PhantomData,
        }
    }

    /// The register value, for the asm operand.
    #[inline]
    pub(crate) const fn raw(self) -> *mut c_void {
        self.raw
    }

    /// An unsigned integer argument.
    #[inline]
    pub(crate) const fn usize(v: usize) -> Self {
        Self::from_ptr(ptr::without_provenance_mut(v))
    }

    /// A signed integer argument, sign-extended to the register width.
    #[inline]
    pub(crate) const fn isize(v: isize) -> Self {
        Self::usize(v as usize)
    }

    /// A C `int`, sign-extended as the C calling convention does.
    #[inline]
    pub(crate) const fn c_int(v: c_int) -> Self {
        Self::isize(v as isize)
    }

    /// A C `unsigned int`, zero-extended.
    #[inline]
    pub(crate) const fn c_uint(v: c_uint) -> Self {
        Self::usize(v as usize)
    }

    /// A null pointer.
    #[inline]
    pub(crate) const fn null() -> Self {
        Self::from_ptr(ptr::null_mut())
    }

    /// A file descriptor, borrowed for the duration of the call.
    #[inline]
    pub(crate) fn fd(fd: BorrowedFd<'a>) -> Self {
        Self::c_int(fd.as_raw_fd())
    }

    /// A pointer to `*r`, which the kernel only reads.
    #[inline]
    pub(crate) fn by_ref<T: ?Sized>(r: &'a T) -> Self {
        Self::from_ptr(ptr::from_ref(r).cast::<c_void>().cast_mut())
    }

    /// A pointer to `*r`, which the kernel may write.
    #[inline]
    pub(crate) fn by_mut<T: ?Sized>(r: &'a mut T) -> Self {
        Self::from_ptr(ptr::from_mut(r).cast::<c_void>())
    }

    /// An optional pointer: null for `None`.
    #[inline]
    pub(crate) fn opt_ref<T>(r: Option<&'a T>) -> Self {
        r.map_or_else(Self::null, Self::by_ref)
    }

    /// An optional pointer the kernel may write through: null for `None`.
    #[inline]
    pub(crate) fn opt_mut<T>(r: Option<&'a mut T>) -> Self {
        r.map_or_else(Self::null, Self::by_mut)
    }

    /// A NUL-terminated string the kernel reads.
    #[inline]
    pub(crate) fn c_str(s: &'a CStr) -> Self {
        Self::from_ptr(s.as_ptr().cast::<c_void>().cast_mut())
    }

    /// A raw address the caller vouches for (a mapping to unmap, an address
    /// hint). Its provenance is kept as given.
    #[inline]
    pub(crate) const fn raw_ptr(p: *mut c_void) -> Self {
        Self::from_ptr(p)
    }
}

/// The raw return register of a syscall.
#[repr(transparent)]
pub(crate) struct Ret(*mut c_void);

impl Ret {
    /// Wraps the register value the asm produced.
    #[inline]
    pub(crate) const fn from_raw(raw: *mut c_void) -> Self {
        Self(raw)
    }

    /// The kernel's rule: `-4095..=-1` is `-errno`, anything else a result.
    #[inline]
    fn check(self) -> Result<*mut c_void, Errno> {
        let signed = self.0.addr() as isize;
        if (-4095..0).contains(&signed) {
            Err(Errno::from_raw_os_error(-signed as i32))
        } else {
            Ok(self.0)
        }
    }

    /// A result that is a count or a size.
    #[inline]
    pub(crate) fn decode_usize(self) -> Result<usize, Errno> {
        self.check().map(<*mut c_void>::addr)
    }

    /// A result that is a C `int` (an id, a count, a value).
    #[inline]
    pub(crate) fn decode_c_int(self) -> Result<c_int, Errno> {
        self.check().map(|p| p.addr() as c_int)
    }

    /// A result that carries nothing but success.
    #[inline]
    pub(crate) fn decode_void(self) -> Result<(), Errno> {
        self.check().map(drop)
    }

    /// A result that is an address in this process, with the provenance the
    /// asm output gave it.
    #[inline]
    pub(crate) fn decode_ptr(self) -> Result<*mut c_void, Errno> {
        self.check()
    }

    /// A result that is a new file descriptor.
    ///
    /// # Safety
    /// The syscall must return a newly opened descriptor that nothing else
    /// owns.
    #[inline]
    pub(crate) unsafe fn decode_fd(self) -> Result<OwnedFd, Errno> {
        let fd = self.decode_c_int()?;
        // SAFETY: the caller guarantees the kernel just gave us this fd.
        Ok(unsafe { OwnedFd::from_raw_fd(fd) })
    }
}
