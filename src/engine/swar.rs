//! Byte-class masks of eight bytes at once (SIMD within a register).
//!
//! Every mask holds the high bit of each byte lane that is in the class; lanes are
//! little-endian (the first byte of the word is the lowest lane).

const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
pub const HIGH: u64 = 0x8080_8080_8080_8080;

const fn splat(b: u8) -> u64 {
    0x0101_0101_0101_0101 * b as u64
}

/// High bit of each byte of `x` (all below 0x80) that is at least `k` (`k` ≥ 1).
fn at_least(x: u64, k: u8) -> u64 {
    x.wrapping_add(splat(0x80 - k)) & HIGH
}

/// High bit of each byte of `x` (all below 0x80) in `lo..=hi`.
fn in_range(x: u64, lo: u8, hi: u8) -> u64 {
    at_least(x, lo) & !at_least(x, hi + 1)
}

/// (ASCII letters, ASCII letters and digits) of the eight bytes of `word`.
pub fn letters_and_alnum(word: u64) -> (u64, u64) {
    let ascii = !word & HIGH;
    let low = word & LOW7;
    let letters = in_range(low | splat(0x20), b'a', b'z') & ascii;
    let digits = in_range(low, b'0', b'9') & ascii;
    (letters, letters | digits)
}

/// A mask whose lowest bit is the high bit of the first space or tab of `word`'s
/// lanes (zero without one); the bits above it may be wrong, as a borrow runs on.
pub fn first_blank(word: u64) -> u64 {
    let zero = |x: u64| x.wrapping_sub(splat(1)) & !x & HIGH;
    zero(word ^ splat(b' ')) | zero(word ^ splat(b'\t'))
}

/// Up to eight bytes as a little-endian word, zero-padded, read with at most two
/// overlapping loads: not copied into a zeroed array and read back, whose wide load
/// would wait on the copy's narrower stores.
#[inline(always)]
pub fn load(bytes: &[u8]) -> u64 {
    let n = bytes.len();
    match n {
        8.. => u64::from_le_bytes(bytes[..8].try_into().expect("eight bytes")),
        4..=7 => {
            let lo = u32::from_le_bytes(bytes[..4].try_into().expect("four bytes"));
            let hi = u32::from_le_bytes(bytes[n - 4..n].try_into().expect("four bytes"));
            u64::from(lo) | u64::from(hi) << (8 * (n - 4))
        }
        2..=3 => {
            let lo = u16::from_le_bytes(bytes[..2].try_into().expect("two bytes"));
            let hi = u16::from_le_bytes(bytes[n - 2..n].try_into().expect("two bytes"));
            u64::from(lo) | u64::from(hi) << (8 * (n - 2))
        }
        1 => u64::from(bytes[0]),
        0 => 0,
    }
}

/// [`load`] for the rare short read at a haystack's end, kept out of the hot loop.
#[cold]
#[inline(never)]
pub fn load_cold(bytes: &[u8]) -> u64 {
    load(bytes)
}

/// The high bits of the first `n` lanes (`n` ≤ 8).
pub fn lanes(n: usize) -> u64 {
    if n >= 8 {
        HIGH
    } else {
        HIGH & ((1u64 << (8 * n)) - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn a_load_is_the_bytes_zero_padded(bytes in prop::collection::vec(any::<u8>(), 0..=12)) {
            let mut padded = [0u8; 8];
            let n = bytes.len().min(8);
            padded[..n].copy_from_slice(&bytes[..n]);
            prop_assert_eq!(load(&bytes), u64::from_le_bytes(padded));
        }

        #[test]
        fn the_first_blank_is_the_lowest_bit(
            bytes in prop::array::uniform8(prop::sample::select(b" \t0aZ\x00\x01\x08\x09\x1f\x20\x21\xff\x80".to_vec())),
            n in 0usize..=8,
        ) {
            let word = u64::from_le_bytes(bytes);
            let m = first_blank(word) & lanes(n);
            let want = bytes[..n].iter().position(|&b| b == b' ' || b == b'\t');
            prop_assert_eq!((m != 0).then(|| m.trailing_zeros() as usize / 8), want);
        }
    }

    /// Every byte value in every lane, among neighbours that differ from it.
    fn each_lane(mut check: impl FnMut(u8, u64, u32)) {
        for b in 0..=255u8 {
            for lane in 0..8 {
                let filler = if b == 0x20 { 0x41u64 } else { 0x20 };
                let word = u64::from(b) << (8 * lane)
                    | ((filler * 0x0101_0101_0101_0101) & !(0xff << (8 * lane)));
                check(b, word, 8 * lane + 7);
            }
        }
    }

    #[test]
    fn classes_match_the_std_predicates() {
        each_lane(|b, word, bit| {
            let (letters, alnum) = letters_and_alnum(word);
            let on = |m: u64| m >> bit & 1 == 1;
            assert_eq!(on(letters), b.is_ascii_alphabetic(), "{b:#x}");
            assert_eq!(on(alnum), b.is_ascii_alphanumeric(), "{b:#x}");
        });
    }
}
