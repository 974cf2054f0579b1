//! The one check every flags argument passes before its bits reach the
//! kernel: only the bits the operation documents.
//!
//! A bitflags value can carry any bit (`from_bits_retain`), and rustix's
//! flag types count every bit as known (`const _ = !0`), so neither
//! `all()` nor `!` of such a type says which bits are meant. The check is
//! on the raw bits, against the operation's own list: a bit the kernel
//! would refuse is refused here, before the syscall, and so is a bit it
//! would accept with another meaning (`O_CREAT` in a FIFO open,
//! `O_NOTIFICATION_PIPE` in `pipe2`, `SHM_REMAP` in `shmat`).

use bitflags::Bits;

use crate::{Errno, Result};

/// `EINVAL` unless every bit of `flags` is one of `allowed`.
#[inline]
pub(crate) fn only<F: bitflags::Flags>(flags: F, allowed: F) -> Result<()> {
    if flags.bits() & !allowed.bits() == F::Bits::EMPTY {
        Ok(())
    } else {
        Err(Errno::INVAL)
    }
}

#[cfg(test)]
mod tests {
    use super::only;
    use crate::Errno;

    bitflags::bitflags! {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        struct Named: u32 {
            const A = 1;
            const B = 2;
        }
    }

    bitflags::bitflags! {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        struct Open: u32 {
            const A = 1;
            const B = 2;
            const _ = !0;
        }
    }

    #[test]
    fn only_the_allowed_bits_pass() {
        assert_eq!(only(Named::A | Named::B, Named::all()), Ok(()));
        assert_eq!(only(Named::empty(), Named::A), Ok(()));
        assert_eq!(only(Named::B, Named::A), Err(Errno::INVAL));
        for i in 2..32 {
            let bad = Named::from_bits_retain(1 << i);
            assert_eq!(only(bad, Named::all()), Err(Errno::INVAL), "bit {i}");
            // A type whose `all()` is every bit: the list given decides.
            let bad = Open::from_bits_retain(1 << i);
            assert_eq!(only(bad, Open::A | Open::B), Err(Errno::INVAL), "bit {i}");
        }
    }
}
