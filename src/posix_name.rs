//! The one rule for POSIX IPC names, shared by shared memory objects,
//! message queues and named semaphores: a leading `/`, then 1 to
//! [`NAME_MAX`] bytes with no other `/`, no NUL, and not `.` or `..`.
//! Checked before any syscall.

use crate::{Errno, Result};

/// The longest name after the leading `/`: the kernel's limit on a file
/// name (`NAME_MAX`), for tmpfs and the mqueue filesystem alike.
pub(crate) const NAME_MAX: usize = 255;

/// The part of `name` after its leading `/`, if `name` follows the rule:
/// `EINVAL` for a bad shape, then `ENAMETOOLONG` for more than `max`
/// bytes after the slash (`max` is [`NAME_MAX`] less any prefix the caller
/// adds to the file name).
pub(crate) fn after_slash(name: &[u8], max: usize) -> Result<&[u8]> {
    let Some((b'/', rest)) = name.split_first() else {
        return Err(Errno::INVAL);
    };
    if matches!(rest, b"" | b"." | b"..") || rest.iter().any(|&b| b == b'/' || b == 0) {
        return Err(Errno::INVAL);
    }
    if rest.len() > max {
        return Err(Errno::NAMETOOLONG);
    }
    Ok(rest)
}
