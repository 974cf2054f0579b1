//! The kernel's 64-bit signal set.

use core::fmt;

use super::{RESERVED, Signal};

/// A set of signals, in the kernel's layout (`kernel_sigset_t`: 64 bits,
/// bit `n - 1` for signal `n`), for masks, waits and signalfds.
///
/// A set holds a reserved signal (32 to 34) only if one was added from a
/// [`Signal`] made with the `unsafe` [`Signal::new_reserved`]:
/// [`SigSet::full`] leaves them out.
#[doc(alias = "sigset_t")]
#[repr(transparent)]
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct SigSet(u64);

/// The bits of the reserved signals 32..=34.
const RESERVED_BITS: u64 = {
    let mut bits = 0;
    let mut n = *RESERVED.start();
    while n <= *RESERVED.end() {
        bits |= 1u64 << (n - 1);
        n += 1;
    }
    bits
};

impl SigSet {
    /// The empty set (`sigemptyset`).
    #[doc(alias = "sigemptyset")]
    pub const fn empty() -> SigSet {
        SigSet(0)
    }

    /// Every signal except the reserved 32, 33 and 34 (`sigfillset`, which
    /// in glibc leaves out its own reserved ones the same way).
    ///
    /// `SIGKILL` and `SIGSTOP` are in the set; the kernel silently leaves
    /// them out of any mask.
    #[doc(alias = "sigfillset")]
    pub const fn full() -> SigSet {
        SigSet(!RESERVED_BITS)
    }

    /// This set with `sig` added, for building a set in one expression.
    #[must_use]
    pub const fn with(self, sig: Signal) -> SigSet {
        SigSet(self.0 | sig.bit())
    }

    /// This set without `sig`.
    #[must_use]
    pub const fn without(self, sig: Signal) -> SigSet {
        SigSet(self.0 & !sig.bit())
    }

    /// Adds `sig` (`sigaddset`).
    #[doc(alias = "sigaddset")]
    pub fn add(&mut self, sig: Signal) {
        self.0 |= sig.bit();
    }

    /// Removes `sig` (`sigdelset`).
    #[doc(alias = "sigdelset")]
    pub fn remove(&mut self, sig: Signal) {
        self.0 &= !sig.bit();
    }

    /// Whether `sig` is in the set (`sigismember`).
    #[doc(alias = "sigismember")]
    pub const fn contains(self, sig: Signal) -> bool {
        self.0 & sig.bit() != 0
    }

    /// Whether the set is empty (`sigisemptyset`).
    #[doc(alias = "sigisemptyset")]
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The signals in both sets.
    #[must_use]
    pub const fn intersection(self, other: SigSet) -> SigSet {
        SigSet(self.0 & other.0)
    }

    /// The signals in either set.
    #[must_use]
    pub const fn union(self, other: SigSet) -> SigSet {
        SigSet(self.0 | other.0)
    }

    /// The signals in the set, lowest number first, without the reserved
    /// 32, 33 and 34 (see [`SigSetIter`]).
    pub const fn iter(self) -> SigSetIter {
        SigSetIter(self.0)
    }

    /// The kernel's bits: bit `n - 1` for signal `n`.
    pub const fn bits(self) -> u64 {
        self.0
    }

    /// A set the kernel reported (a mask, the pending set): any bits.
    pub(crate) const fn from_kernel(bits: u64) -> SigSet {
        SigSet(bits)
    }
}

/// The signals of a [`SigSet`], lowest number first; the reserved 32, 33
/// and 34 are left out, even where the set holds them (a mask the kernel
/// reports can), since only the `unsafe` [`Signal::new_reserved`] may
/// hand those out: test for one with [`SigSet::contains`].
#[derive(Clone, Debug)]
pub struct SigSetIter(u64);

impl Iterator for SigSetIter {
    type Item = Signal;

    fn next(&mut self) -> Option<Signal> {
        while self.0 != 0 {
            let n = self.0.trailing_zeros();
            self.0 &= self.0 - 1;
            if let Some(s) = Signal::from_kernel(n as i32 + 1) {
                return Some(s);
            }
        }
        None
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        // Signals 32..=34 are bits 31..=33, which `next` skips.
        let n = (self.0 & !(0b111 << 31)).count_ones() as usize;
        (n, Some(n))
    }
}

impl ExactSizeIterator for SigSetIter {}

impl IntoIterator for SigSet {
    type Item = Signal;
    type IntoIter = SigSetIter;

    fn into_iter(self) -> SigSetIter {
        self.iter()
    }
}

impl FromIterator<Signal> for SigSet {
    fn from_iter<I: IntoIterator<Item = Signal>>(iter: I) -> SigSet {
        iter.into_iter().fold(SigSet::empty(), SigSet::with)
    }
}

impl Extend<Signal> for SigSet {
    fn extend<I: IntoIterator<Item = Signal>>(&mut self, iter: I) {
        for sig in iter {
            self.add(sig);
        }
    }
}

impl fmt::Debug for SigSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_remove_contains_iterate() {
        let mut set = SigSet::empty();
        assert!(set.is_empty());
        set.add(Signal::USR1);
        set.add(Signal::RTMAX);
        set.add(Signal::HUP);
        assert!(set.contains(Signal::USR1) && set.contains(Signal::RTMAX));
        assert!(!set.contains(Signal::USR2));
        assert_eq!(set.bits(), 1 | 1 << 9 | 1 << 63);
        let mut it = set.iter();
        assert_eq!(it.len(), 3);
        assert_eq!(it.next(), Some(Signal::HUP));
        assert_eq!(it.next(), Some(Signal::USR1));
        assert_eq!(it.next(), Some(Signal::RTMAX));
        assert_eq!(it.next(), None);
        set.remove(Signal::USR1);
        assert!(!set.contains(Signal::USR1));
        assert_eq!(set, SigSet::empty().with(Signal::HUP).with(Signal::RTMAX));
        assert_eq!(
            set.without(Signal::HUP),
            SigSet::empty().with(Signal::RTMAX)
        );
        let collected: SigSet = [Signal::TERM, Signal::INT].into_iter().collect();
        assert_eq!(collected.iter().count(), 2);
    }

    #[test]
    #[allow(unsafe_code)] // a reserved number is only put in a set
    fn full_leaves_out_the_reserved() {
        let full = SigSet::full();
        assert_eq!(full.iter().count(), 61);
        for sig in full {
            assert!(!(32..=34).contains(&sig.as_raw()));
        }
        // SAFETY: only used as a set member here.
        let reserved = unsafe { Signal::new_reserved(33) }.unwrap();
        assert!(!full.contains(reserved));
        assert!(SigSet::empty().with(reserved).contains(reserved));
    }
}
