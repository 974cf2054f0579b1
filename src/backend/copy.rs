//! Bulk copies to and from shared memory on x86_64 ([`crate::shm`]'s
//! `read_at` / `write_at`).
//!
//! Every load and store is made inside an `asm!` statement (one access,
//! or four vectors at once), which the compiler can neither elide, merge,
//! split nor repeat: each call really reads and writes the memory, as
//! volatile accesses would, but with the instructions chosen here. The shapes are those of a good `memcpy`:
//!
//! - below 16 bytes, two overlapping moves of the widest size that fits;
//! - then vector moves of the widest kind the CPU and kernel support
//!   (detected once, see [`detect`]): 64-byte AVX-512, 32-byte AVX or
//!   16-byte SSE2 (the x86_64 baseline); up to eight vectors all loaded
//!   before any is stored, beyond that a loop of four a round, the last
//!   vectors overlapping the previous ones instead of a byte loop;
//! - from a size that depends on the vector width
//!   ([`Vectors::rep_movsb_min`]) on, one `rep movsb`, which ERMS/FSRM
//!   CPUs (every x86_64 CPU of the last decade) run at about 32 bytes a
//!   cycle and which is better than any loop once the copy leaves L1.
//!
//! No copy promises atomicity at any size; a concurrent writer may make a
//! reader see a mix of old and new bytes, as with any `memcpy`.
//!
//! Measured on an AMD Zen 5 (one vector store a cycle, whatever its
//! width), one copy in and one out, cache-hot, glibc's `memcpy` (which uses
//! AVX-512 there) in parentheses: 100 B 7.7 ns (7.6), 1 KiB 13.5 (11.7),
//! 4 KiB 88 (88), 64 KiB 1020 (1081).
use core::arch::asm;
use core::arch::x86_64::{__m128i, __m256i, __m512i};
use core::sync::atomic::{AtomicU8, Ordering};

/// One load and one store of a width, each a single opaque instruction
/// that needs no alignment.
macro_rules! opaque_move {
    ($(#[$m:meta])* $load:ident, $store:ident, $t:ty, $class:ident, $ld:literal, $st:literal) => {
        $(#[$m])*
        #[inline]
        unsafe fn $load(p: *const u8) -> $t {
            let v: $t;
            // SAFETY: the caller's contract: `size_of::<$t>()` readable
            // bytes at `p`.
            unsafe {
                asm!($ld, v = out($class) v, p = in(reg) p,
                    options(nostack, preserves_flags, readonly));
            }
            v
        }
        $(#[$m])*
        #[inline]
        unsafe fn $store(p: *mut u8, v: $t) {
            // SAFETY: the caller's contract: `size_of::<$t>()` writable
            // bytes at `p`.
            unsafe {
                asm!($st, p = in(reg) p, v = in($class) v,
                    options(nostack, preserves_flags));
            }
        }
    };
}

opaque_move!(
    ld1,
    st1,
    u8,
    reg_byte,
    "mov {v}, byte ptr [{p}]",
    "mov byte ptr [{p}], {v}"
);
opaque_move!(
    ld2,
    st2,
    u16,
    reg,
    "mov {v:x}, word ptr [{p}]",
    "mov word ptr [{p}], {v:x}"
);
opaque_move!(
    ld4,
    st4,
    u32,
    reg,
    "mov {v:e}, dword ptr [{p}]",
    "mov dword ptr [{p}], {v:e}"
);
opaque_move!(
    ld8,
    st8,
    u64,
    reg,
    "mov {v:r}, qword ptr [{p}]",
    "mov qword ptr [{p}], {v:r}"
);
opaque_move!(
    ld16,
    st16,
    __m128i,
    xmm_reg,
    "movdqu {v}, xmmword ptr [{p}]",
    "movdqu xmmword ptr [{p}], {v}"
);
opaque_move!(
    #[target_feature(enable = "avx")]
    ld32,
    st32,
    __m256i,
    ymm_reg,
    "vmovdqu {v}, ymmword ptr [{p}]",
    "vmovdqu ymmword ptr [{p}], {v}"
);

opaque_move!(
    #[target_feature(enable = "avx512f")]
    ld64,
    st64,
    __m512i,
    zmm_reg,
    "vmovdqu64 {v}, zmmword ptr [{p}]",
    "vmovdqu64 zmmword ptr [{p}], {v}"
);

/// Four vectors at once, at `p`, `p + W`, `p + 2W` and `p + 3W`, in one
/// opaque statement each way (the loops then need one pointer register
/// and no address arithmetic per vector); `cp4` loads four and stores
/// them.
macro_rules! opaque_quad {
    ($(#[$m:meta])* $ld4:ident, $st4:ident, $cp4:ident, $t:ty, $class:ident,
     $mov:literal, $size:literal, $w:literal) => {
        $(#[$m])*
        #[inline]
        unsafe fn $ld4(p: *const u8) -> [$t; 4] {
            let (a, b, c, e): ($t, $t, $t, $t);
            // SAFETY: the caller's contract: `4 W` readable bytes at `p`.
            unsafe {
                asm!(
                    concat!($mov, " {a}, ", $size, " ptr [{p}]"),
                    concat!($mov, " {b}, ", $size, " ptr [{p} + ", $w, "]"),
                    concat!($mov, " {c}, ", $size, " ptr [{p} + 2*", $w, "]"),
                    concat!($mov, " {e}, ", $size, " ptr [{p} + 3*", $w, "]"),
                    p = in(reg) p, a = out($class) a, b = out($class) b,
                    c = out($class) c, e = out($class) e,
                    options(nostack, preserves_flags, readonly),
                );
            }
            [a, b, c, e]
        }
        $(#[$m])*
        #[inline]
        unsafe fn $st4(p: *mut u8, [a, b, c, e]: [$t; 4]) {
            // SAFETY: the caller's contract: `4 W` writable bytes at `p`.
            unsafe {
                asm!(
                    concat!($mov, " ", $size, " ptr [{p}], {a}"),
                    concat!($mov, " ", $size, " ptr [{p} + ", $w, "], {b}"),
                    concat!($mov, " ", $size, " ptr [{p} + 2*", $w, "], {c}"),
                    concat!($mov, " ", $size, " ptr [{p} + 3*", $w, "], {e}"),
                    p = in(reg) p, a = in($class) a, b = in($class) b,
                    c = in($class) c, e = in($class) e,
                    options(nostack, preserves_flags),
                );
            }
        }
        $(#[$m])*
        #[inline]
        unsafe fn $cp4(d: *mut u8, s: *const u8) {
            // SAFETY: the caller's contract: `4 W` readable bytes at `s`,
            // `4 W` writable ones at `d`.
            unsafe { $st4(d, $ld4(s)) }
        }
    };
}

opaque_quad!(
    ld4x16, st4x16, cp4x16, __m128i, xmm_reg, "movdqu", "xmmword", "16"
);
opaque_quad!(
    #[target_feature(enable = "avx")]
    ld4x32,
    st4x32,
    cp4x32,
    __m256i,
    ymm_reg,
    "vmovdqu",
    "ymmword",
    "32"
);
opaque_quad!(
    #[target_feature(enable = "avx512f")]
    ld4x64,
    st4x64,
    cp4x64,
    __m512i,
    zmm_reg,
    "vmovdqu64",
    "zmmword",
    "64"
);

/// Copies `n` bytes from `src` to `dst`; see the module docs.
///
/// # Safety
/// `src..src + n` readable, `dst..dst + n` writable, not overlapping.
#[inline]
pub(crate) unsafe fn copy_bytes(dst: *mut u8, src: *const u8, n: usize) {
    let v = vectors();
    if n >= v.rep_movsb_min() {
        // SAFETY: the caller's contract, passed on.
        unsafe { rep_movsb(dst, src, n) }
    } else if n >= 64 && v == Vectors::Avx512 {
        // SAFETY: the caller's contract, `n >= 64`, and AVX-512 (checked).
        unsafe { copy_avx512(dst, src, n) }
    } else if n >= 32 && v >= Vectors::Avx {
        // SAFETY: the caller's contract, `n >= 32`, and AVX (checked).
        unsafe { copy_avx(dst, src, n) }
    } else {
        // SAFETY: the caller's contract, passed on.
        unsafe { copy_sse2(dst, src, n) }
    }
}

/// `rep movsb`: one instruction for the whole copy.
///
/// # Safety
/// As [`copy_bytes`].
#[inline]
unsafe fn rep_movsb(dst: *mut u8, src: *const u8, n: usize) {
    // SAFETY: the caller's contract; the direction flag is clear (ABI).
    unsafe {
        asm!("rep movsb", inout("rcx") n => _, inout("rdi") dst => _, inout("rsi") src => _,
            options(nostack, preserves_flags));
    }
}

/// Below 16 bytes: two overlapping moves of the widest size `<= n` (one
/// byte for `n == 1`, nothing for 0). All loads come before the stores,
/// which is harmless as the ranges do not overlap.
///
/// # Safety
/// As [`copy_bytes`], with `n < 16`.
#[inline]
unsafe fn copy_small(d: *mut u8, s: *const u8, n: usize) {
    // SAFETY: each pair covers `0..w` and `n - w..n` with `w <= n`.
    unsafe {
        if n >= 8 {
            let (a, b) = (ld8(s), ld8(s.add(n - 8)));
            st8(d, a);
            st8(d.add(n - 8), b);
        } else if n >= 4 {
            let (a, b) = (ld4(s), ld4(s.add(n - 4)));
            st4(d, a);
            st4(d.add(n - 4), b);
        } else if n >= 2 {
            let (a, b) = (ld2(s), ld2(s.add(n - 2)));
            st2(d, a);
            st2(d.add(n - 2), b);
        } else if n == 1 {
            st1(d, ld1(s));
        }
    }
}

/// Below this distance from the source to the destination (mod 4 KiB)
/// the vector loop copies backwards. Forwards, a load would follow a store
/// to an address with the same low 12 bits, which the CPU takes for a
/// possible dependency and waits on ("4K aliasing"; reading a page-aligned
/// mapping into a heap buffer 16 bytes past a page start is such a case).
const ALIAS_WINDOW: usize = 256;

/// The vector copy for one width `W`, needing `n >= W`. Up to `8 W`, every
/// load comes before every store (no dependency between them can stall);
/// the vectors of a size class overlap to cover `n` exactly. Beyond, a
/// loop of four vectors a round, forwards or (for 4K aliasing) backwards,
/// its stores aligned; the ends it leaves out (four vectors at one end,
/// one at the other) are loaded before it and stored after.
macro_rules! vector_copy {
    ($d:ident, $s:ident, $n:ident, $w:literal, $ld:ident, $st:ident,
     $ld4:ident, $st4:ident, $cp4:ident) => {{
        let (d, s, n, w) = ($d, $s, $n, $w);
        // Every vector starts at an offset `o` with `0 <= o <= n - W`, and
        // every group of four at most at `n - 4 W`.
        // SAFETY: so each stays inside both ranges (the caller's contract,
        // and `n >= W`).
        unsafe {
            if n <= 2 * w {
                let (a, b) = ($ld(s), $ld(s.add(n - w)));
                $st(d, a);
                $st(d.add(n - w), b);
            } else if n <= 4 * w {
                let (a, b) = ($ld(s), $ld(s.add(w)));
                let (c, e) = ($ld(s.add(n - 2 * w)), $ld(s.add(n - w)));
                $st(d, a);
                $st(d.add(w), b);
                $st(d.add(n - 2 * w), c);
                $st(d.add(n - w), e);
            } else if n <= 8 * w {
                let t = n - 4 * w;
                let (v, u) = ($ld4(s), $ld4(s.add(t)));
                $st4(d, v);
                $st4(d.add(t), u);
            } else if (d as usize).wrapping_sub(s as usize) % 4096 < ALIAS_WINDOW {
                // Backwards, from the last `4 W` block whose destination
                // is aligned (no store splits a cache line); the first
                // four vectors and the last one wait to the end.
                let (head, last) = ($ld4(s), $ld(s.add(n - w)));
                let mut o = n - 4 * w - (d as usize + n - 4 * w) % w;
                while o > 0 {
                    $cp4(d.add(o), s.add(o));
                    o = o.saturating_sub(4 * w);
                }
                $st(d.add(n - w), last);
                $st4(d, head);
            } else {
                // Forwards, from the first aligned destination; the first
                // vector and the last four wait to the end.
                let t = n - 4 * w;
                let (first, tail) = ($ld(s), $ld4(s.add(t)));
                let mut i = (w - d as usize % w) % w;
                while i < t {
                    $cp4(d.add(i), s.add(i));
                    i += 4 * w;
                }
                $st4(d.add(t), tail);
                $st(d, first);
            }
        }
    }};
}

/// 16-byte SSE2 moves (below 16 bytes, [`copy_small`]).
///
/// # Safety
/// As [`copy_bytes`].
unsafe fn copy_sse2(d: *mut u8, s: *const u8, n: usize) {
    if n < 16 {
        // SAFETY: the caller's contract, `n < 16`.
        unsafe { copy_small(d, s, n) };
        return;
    }
    vector_copy!(d, s, n, 16, ld16, st16, ld4x16, st4x16, cp4x16);
}

/// 32-byte AVX moves. The compiler ends it with `vzeroupper` (it does for
/// every function that dirties the upper halves of the vector registers),
/// so later SSE code pays no transition penalty.
///
/// # Safety
/// As [`copy_bytes`], with `n >= 32`, on a CPU and kernel with AVX.
#[target_feature(enable = "avx")]
unsafe fn copy_avx(d: *mut u8, s: *const u8, n: usize) {
    vector_copy!(d, s, n, 32, ld32, st32, ld4x32, st4x32, cp4x32);
    // SAFETY: touches registers only; every vector register is declared
    // clobbered (nothing is live in them here anyway).
    unsafe {
        asm!(
            "vzeroupper",
            clobber_abi("C"),
            options(nomem, nostack, preserves_flags)
        )
    };
}

/// 64-byte AVX-512 moves; the compiler ends it with `vzeroupper` too.
///
/// # Safety
/// As [`copy_bytes`], with `n >= 64`, on a CPU and kernel with AVX-512F.
#[target_feature(enable = "avx512f")]
unsafe fn copy_avx512(d: *mut u8, s: *const u8, n: usize) {
    vector_copy!(d, s, n, 64, ld64, st64, ld4x64, st4x64, cp4x64);
}

/// The widest vectors the copies use on this machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Vectors {
    /// 16 bytes: the x86_64 baseline.
    Sse2 = 1,
    /// 32 bytes.
    Avx = 2,
    /// 64 bytes.
    Avx512 = 3,
}

impl Vectors {
    /// From this many bytes on, copies use `rep movsb`. Measured on Zen 5,
    /// one copy each way, cache-hot (`rep movsb` / the loop): 16-byte moves
    /// lose from 1 KiB (12.4 / 18.9 ns); 32-byte ones win at 1 KiB (12.4 /
    /// 9.9) and lose at 2 KiB (16.2 / 19.1); 64-byte ones win cache-hot up
    /// to 24 KiB (145 / 105), but shared memory is mostly read on another
    /// core than the one that wrote it, and there `rep movsb` is ahead
    /// from 2 KiB (the `shm_spin` round trip between two CPUs: 0.86 of
    /// glibc's at 2 KiB against 0.96 with the loop, 0.98 at 4 KiB against
    /// 1.14).
    const fn rep_movsb_min(self) -> usize {
        match self {
            Vectors::Sse2 => 512,
            Vectors::Avx => 2048,
            Vectors::Avx512 => 2048,
        }
    }
}

/// [`detect`]'s answer, found once; racing first calls agree.
#[inline]
fn vectors() -> Vectors {
    static FOUND: AtomicU8 = AtomicU8::new(0);
    match FOUND.load(Ordering::Relaxed) {
        1 => Vectors::Sse2,
        2 => Vectors::Avx,
        3 => Vectors::Avx512,
        _ => {
            let v = detect();
            FOUND.store(v as u8, Ordering::Relaxed);
            v
        }
    }
}

/// What the CPU has and the kernel saves the registers of.
///
/// - AVX: `cpuid` leaf 1 ECX bits 27 (OSXSAVE) and 28 (AVX), and XCR0
///   bits 1 and 2 (SSE and AVX state) from `xgetbv`.
/// - AVX-512: also leaf 7 EBX bit 16 (AVX512F) and XCR0 bits 5 to 7
///   (opmask and the upper ZMM state), on AMD CPUs only. glibc's choice
///   too: Intel CPUs may lower their clock for 512-bit work, AMD's
///   (Zen 4 on) do not; there 64-byte moves halve the stores (1 KiB in +
///   out, measured on Zen 5: 20 ns with 32-byte moves, the same as glibc's
///   `memcpy` with 64-byte ones).
#[cold]
fn detect() -> Vectors {
    use core::arch::x86_64::{__cpuid, __cpuid_count};
    const OSXSAVE_AVX: u32 = 1 << 27 | 1 << 28;
    const AVX_STATE: u64 = 0b110;
    const AVX512_STATE: u64 = 0b1110_0110;
    const AVX512F: u32 = 1 << 16;
    #[allow(unused_unsafe)] // safe since Rust 1.94; unsafe before
    // SAFETY: cpuid is in the x86_64 baseline; leaves 0 and 1 always exist.
    let (leaf0, leaf1) = unsafe { (__cpuid(0), __cpuid(1)) };
    if leaf1.ecx & OSXSAVE_AVX != OSXSAVE_AVX {
        return Vectors::Sse2;
    }
    let (lo, hi): (u32, u32);
    // SAFETY: xgetbv with ECX = 0 is valid once OSXSAVE is set (checked);
    // it reads XCR0 into EDX:EAX and touches nothing else.
    unsafe {
        asm!("xgetbv", in("ecx") 0, out("eax") lo, out("edx") hi,
            options(nomem, nostack, preserves_flags));
    }
    let xcr0 = u64::from(hi) << 32 | u64::from(lo);
    if xcr0 & AVX_STATE != AVX_STATE {
        return Vectors::Sse2;
    }
    // "AuthenticAMD" in EBX, EDX, ECX.
    let amd = (leaf0.ebx, leaf0.edx, leaf0.ecx) == (0x6874_7541, 0x6974_6e65, 0x444d_4163);
    if amd && leaf0.eax >= 7 && xcr0 & AVX512_STATE == AVX512_STATE {
        #[allow(unused_unsafe)] // as above
        // SAFETY: leaf 7 exists (the highest leaf, checked, is >= 7).
        let leaf7 = unsafe { __cpuid_count(7, 0) };
        if leaf7.ebx & AVX512F != 0 {
            return Vectors::Avx512;
        }
    }
    Vectors::Avx
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;

    type Path = unsafe fn(*mut u8, *const u8, usize);

    /// `copy_avx` through a plain `unsafe fn` pointer.
    unsafe fn avx(d: *mut u8, s: *const u8, n: usize) {
        assert!(std::is_x86_feature_detected!("avx") && n >= 32);
        // SAFETY: the caller's contract, and AVX support (checked).
        unsafe { copy_avx(d, s, n) }
    }

    /// `copy_avx512` through a plain `unsafe fn` pointer.
    unsafe fn avx512(d: *mut u8, s: *const u8, n: usize) {
        assert!(std::is_x86_feature_detected!("avx512f") && n >= 64);
        // SAFETY: the caller's contract, and AVX-512F support (checked).
        unsafe { copy_avx512(d, s, n) }
    }

    /// Every path against a plain copy: every size up to 300 and around
    /// the `rep movsb` threshold; source offsets covering every alignment
    /// class of a vector; distances from source to destination (mod 4 KiB)
    /// on both sides of `ALIAS_WINDOW`, so the loop runs both ways. Right
    /// bytes, and nothing written outside the destination.
    #[test]
    fn every_path_matches_a_plain_copy() {
        const GAP: usize = 8192;
        const LEN: usize = 2 * GAP + 256;
        let init: [u8; LEN] = core::array::from_fn(|i| (i * 7 + i / 251) as u8 ^ 0x5a);
        let near = |t: usize| t - 70..t + 70;
        let sizes = (0..300)
            .chain(near(Vectors::Sse2.rep_movsb_min()))
            .chain(near(Vectors::Avx.rep_movsb_min()))
            .chain(near(Vectors::Avx512.rep_movsb_min()));
        // What the dispatch picks agrees with std's detection (which
        // ignores the vendor).
        let v = vectors();
        assert_eq!(v >= Vectors::Avx, std::is_x86_feature_detected!("avx"));
        if v == Vectors::Avx512 {
            assert!(std::is_x86_feature_detected!("avx512f"));
        }
        // Every path the machine can run, whatever the dispatch picks.
        let all: [(&str, Path, usize); 5] = [
            ("copy_bytes", copy_bytes, 0),
            ("sse2", copy_sse2, 0),
            ("rep_movsb", rep_movsb, 0),
            ("avx", avx, 32),
            ("avx512", avx512, 64),
        ];
        let paths = all.iter().filter(|p| match p.0 {
            "avx" => std::is_x86_feature_detected!("avx"),
            "avx512" => std::is_x86_feature_detected!("avx512f"),
            _ => true,
        });
        let (mut buf, mut want) = (init, init);
        for &(name, path, min) in paths {
            for n in sizes.clone().filter(|&n| n >= min) {
                assert!(n + 32 + 4096 < GAP);
                for (so, delta) in [
                    (0, 0),
                    (1, 16),
                    (16, 1),
                    (5, 255),
                    (31, 256),
                    (8, 4000),
                    (3, 4095),
                ] {
                    let d = GAP + so + delta;
                    want.copy_within(so..so + n, d);
                    let p = buf.as_mut_ptr();
                    // SAFETY: `so + n < GAP <= d` and `d + n <= LEN` (the
                    // assertion above): both ranges inside `buf`, disjoint.
                    unsafe { path(p.add(d), p.add(so), n) };
                    assert!(buf == want, "{name} n={n} so={so} delta={delta}");
                    // Back to `init` (only the destination changed).
                    buf[d..d + n].copy_from_slice(&init[d..d + n]);
                    want[d..d + n].copy_from_slice(&init[d..d + n]);
                }
            }
        }
    }
}
