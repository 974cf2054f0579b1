//! The rules for POSIX IPC names, as glibc and musl apply them before the
//! syscall, so that every bad name gets the errno a C program gets.
//! Checked before any syscall.
//!
//! - Shared memory objects and named semaphores (`shm_open`, `sem_open`):
//!   any number of leading `/` (none included) are dropped, then 1 to
//!   [`NAME_MAX`] bytes with no `/` and no NUL, and not `.` or `..`; a bad
//!   shape is `EINVAL`, a long name `ENAMETOOLONG`. The name is a file of
//!   `/dev/shm` and nothing can make it reach outside.
//! - Message queues (`mq_open`, `mq_unlink`): exactly one leading `/`
//!   (glibc's `EINVAL` otherwise), then the kernel's rule for the rest:
//!   empty is `ENOENT`, a `/` or a name of `.` or `..` is `EACCES`, more
//!   than [`NAME_MAX`] bytes `ENAMETOOLONG`. (A NUL, which a C string
//!   cannot hold, is `EINVAL`.)

use crate::{Errno, Result};

/// The longest name, not counting leading slashes: the kernel's limit on
/// a file name (`NAME_MAX`), for tmpfs and the mqueue filesystem alike.
pub(crate) const NAME_MAX: usize = 255;

/// The file name a shared-memory or semaphore `name` stands for (its
/// leading slashes dropped), if it follows the rule: `EINVAL` for a bad
/// shape, then `ENAMETOOLONG` for more than `max` bytes (`max` is
/// [`NAME_MAX`] less any prefix the caller adds to the file name).
#[cfg(feature = "shm")]
pub(crate) fn shm_file(name: &[u8], max: usize) -> Result<&[u8]> {
    let first = name.iter().position(|&b| b != b'/').unwrap_or(name.len());
    let rest = &name[first..];
    if matches!(rest, b"" | b"." | b"..") || rest.iter().any(|&b| b == b'/' || b == 0) {
        return Err(Errno::INVAL);
    }
    if rest.len() > max {
        return Err(Errno::NAMETOOLONG);
    }
    Ok(rest)
}

/// Checks a message queue's `name` as glibc and the kernel do (see the
/// module docs): `Ok` means the kernel will look up exactly `name[1..]`
/// in the mqueue root.
#[cfg(feature = "mq")]
pub(crate) fn mq_name(name: &[u8]) -> Result<()> {
    let Some((b'/', rest)) = name.split_first() else {
        return Err(Errno::INVAL);
    };
    if rest.contains(&0) {
        return Err(Errno::INVAL);
    }
    if rest.is_empty() {
        return Err(Errno::NOENT);
    }
    if matches!(rest, b"." | b"..") || rest.contains(&b'/') {
        return Err(Errno::ACCESS);
    }
    if rest.len() > NAME_MAX {
        return Err(Errno::NAMETOOLONG);
    }
    Ok(())
}

/// An unlink's answer as the C call gives it: the kernel's `EPERM` for a
/// name in a sticky directory the caller may not remove from is `EACCES`
/// in glibc's `mq_unlink`, `shm_unlink` and `sem_unlink` (and POSIX).
pub(crate) fn unlink_errno(r: Result<()>) -> Result<()> {
    r.map_err(|e| if e == Errno::PERM { Errno::ACCESS } else { e })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_memory_names_as_glibc_and_musl_take_them() {
        assert_eq!(shm_file(b"/a", NAME_MAX), Ok(&b"a"[..]));
        assert_eq!(shm_file(b"a", NAME_MAX), Ok(&b"a"[..]), "no slash");
        assert_eq!(shm_file(b"///a", NAME_MAX), Ok(&b"a"[..]), "several");
        for bad in [&b""[..], b"/", b"//", b"/.", b"/..", b"/a/b", b"/a\0"] {
            assert_eq!(shm_file(bad, NAME_MAX), Err(Errno::INVAL), "{bad:?}");
        }
        let long = [b'x'; NAME_MAX + 1];
        assert_eq!(shm_file(&long, NAME_MAX), Err(Errno::NAMETOOLONG));
        assert_eq!(
            shm_file(&long[..NAME_MAX], NAME_MAX).map(<[u8]>::len),
            Ok(NAME_MAX)
        );
        assert_eq!(
            shm_file(b"/abc", 2),
            Err(Errno::NAMETOOLONG),
            "with a prefix"
        );
    }

    #[test]
    fn queue_names_as_glibc_and_the_kernel_take_them() {
        assert_eq!(mq_name(b"/q"), Ok(()));
        assert_eq!(mq_name(b"q"), Err(Errno::INVAL), "glibc wants the slash");
        assert_eq!(mq_name(b""), Err(Errno::INVAL));
        assert_eq!(mq_name(b"/"), Err(Errno::NOENT));
        for bad in [&b"//q"[..], b"/a/b", b"/.", b"/.."] {
            assert_eq!(mq_name(bad), Err(Errno::ACCESS), "{bad:?}");
        }
        assert_eq!(mq_name(b"/a\0b"), Err(Errno::INVAL));
        let mut long = [b'x'; NAME_MAX + 2];
        long[0] = b'/';
        assert_eq!(mq_name(&long), Err(Errno::NAMETOOLONG));
        assert_eq!(mq_name(&long[..NAME_MAX + 1]), Ok(()));
    }
}
