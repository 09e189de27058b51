//! Byte-class masks of 64 bytes at once: one bit per byte, bit `i` for byte `i`.
//!
//! On x86-64 the classes are SSE2 compares of 16 bytes, packed into bits by
//! `pmovmskb`, through `safe_arch`'s safe wrappers (the crate has no `unsafe` of its
//! own). Elsewhere each class is computed in a plain loop over the 64 bytes that
//! yields a 0 or 1 per byte, which the compiler turns into vector compares, and the
//! bytes are packed into bits eight at a time with one multiply (the compiler does not
//! make `pmovmskb` of it). The tests hold both to the classes byte by byte.

/// The SSE2 versions of the classes below.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
mod sse2 {
    use super::{BLOCK, Window};
    use safe_arch::{
        bitandnot_m128i, bitor_m128i, cmp_eq_mask_i8_m128i, load_unaligned_m128i, m128i,
        min_u8_m128i, move_mask_i8_m128i, set_splat_i8_m128i, sub_i8_m128i,
    };

    /// The 16 bytes at `at` of `bytes`.
    #[inline(always)]
    fn load(bytes: &[u8], at: usize) -> m128i {
        load_unaligned_m128i(bytes[at..at + 16].try_into().expect("16 bytes"))
    }

    #[inline(always)]
    fn splat(b: u8) -> m128i {
        set_splat_i8_m128i(b as i8)
    }

    /// All ones in the lanes whose byte is in `lo..=hi`.
    #[inline(always)]
    fn in_range(v: m128i, lo: u8, hi: u8) -> m128i {
        let d = sub_i8_m128i(v, splat(lo));
        cmp_eq_mask_i8_m128i(min_u8_m128i(d, splat(hi.wrapping_sub(lo))), d)
    }

    #[inline(always)]
    fn letters(v: m128i) -> m128i {
        in_range(bitor_m128i(v, splat(0x20)), b'a', b'z')
    }

    #[inline(always)]
    fn digits(v: m128i) -> m128i {
        in_range(v, b'0', b'9')
    }

    #[inline(always)]
    fn bits(v: m128i) -> u64 {
        u64::from(move_mask_i8_m128i(v) as u16)
    }

    #[inline(always)]
    pub fn starts<const R: usize, const E: usize>(
        window: &Window,
        ranges: &[(u8, u8); R],
        bytes: &[u8; E],
        underscore: bool,
    ) -> u64 {
        let mut mask = 0;
        for k in 0..BLOCK / 16 {
            let (before, v) = (load(window, 16 * k), load(window, 16 * k + 1));
            let mut word = bitor_m128i(letters(before), digits(before));
            if underscore {
                word = bitor_m128i(word, cmp_eq_mask_i8_m128i(before, splat(b'_')));
            }
            let mut lanes = m128i::default();
            for &(lo, hi) in ranges {
                lanes = bitor_m128i(lanes, in_range(v, lo, hi));
            }
            lanes = bitandnot_m128i(word, lanes);
            for &e in bytes {
                lanes = bitor_m128i(lanes, cmp_eq_mask_i8_m128i(v, splat(e)));
            }
            mask |= bits(lanes) << (16 * k);
        }
        mask
    }

    /// (letters, letters or digits) of the 64 bytes before a window's block.
    #[inline(always)]
    pub fn letters_and_words(window: &Window) -> (u64, u64) {
        let (mut l, mut w) = (0, 0);
        for k in 0..BLOCK / 16 {
            let v = load(window, 16 * k);
            let letter = letters(v);
            l |= bits(letter) << (16 * k);
            w |= bits(bitor_m128i(letter, digits(v))) << (16 * k);
        }
        (l, w)
    }

    #[inline(always)]
    pub fn block_digits(block: &[u8; BLOCK]) -> u64 {
        let mut mask = 0;
        for k in 0..BLOCK / 16 {
            mask |= bits(digits(load(block, 16 * k))) << (16 * k);
        }
        mask
    }
}

/// A block: 64 bytes of the haystack.
pub const BLOCK: usize = 64;

/// A block with the byte before it and the byte after it.
pub type Window = [u8; BLOCK + 2];

/// Packs 64 lanes of 0 or 1 into a mask, lane `i` to bit `i`.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
#[inline(always)]
fn pack(lanes: &[u8; BLOCK]) -> u64 {
    let mut mask = 0u64;
    for (k, eight) in lanes.chunks_exact(8).enumerate() {
        let x = u64::from_le_bytes(eight.try_into().expect("eight lanes"));
        // Lane j (0 or 1, at bit 8j) lands on bit 56 + j of the product.
        mask |= (x.wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * k);
    }
    mask
}

/// 1 for an ASCII letter or digit, and for `_` if `underscore`.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
#[inline(always)]
fn is_word(b: u8, underscore: bool) -> u8 {
    u8::from(
        b.wrapping_sub(b'0') < 10
            || (b | 0x20).wrapping_sub(b'a') < 26
            || (underscore && b == b'_'),
    )
}

/// The starts in the block of a window: bit `i` is set
/// when byte `i` of the block is in one of `ranges` (inclusive) and the byte before it
/// is not a word byte (an ASCII letter or digit; `_` too if `underscore`, as for `\b`),
/// or when it equals one of `bytes`. With word bytes in `ranges`, those are the word
/// starts there. Fixed counts, so that the loops unroll; repeat an entry to pad.
#[inline(always)]
pub fn starts<const R: usize, const E: usize>(
    window: &Window,
    ranges: &[(u8, u8); R],
    bytes: &[u8; E],
    underscore: bool,
) -> u64 {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    return sse2::starts(window, ranges, bytes, underscore);
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    return starts_by_lanes(window, ranges, bytes, underscore);
}

/// [`starts`] without SSE2.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
#[inline(always)]
fn starts_by_lanes<const R: usize, const E: usize>(
    window: &Window,
    ranges: &[(u8, u8); R],
    bytes: &[u8; E],
    underscore: bool,
) -> u64 {
    let (before, block) = (&window[..BLOCK], &window[1..=BLOCK]);
    let mut in_range = [0u8; BLOCK];
    for &(lo, hi) in ranges {
        let span = hi.wrapping_sub(lo);
        for (lane, &b) in in_range.iter_mut().zip(block) {
            *lane |= u8::from(b.wrapping_sub(lo) <= span);
        }
    }
    let mut equal = [0u8; BLOCK];
    for &e in bytes {
        for (lane, &b) in equal.iter_mut().zip(block) {
            *lane |= u8::from(b == e);
        }
    }
    let mut lanes = [0u8; BLOCK];
    for (i, lane) in lanes.iter_mut().enumerate() {
        *lane = (in_range[i] & !is_word(before[i], underscore)) | equal[i];
    }
    pack(&lanes)
}

/// [`starts`] at word boundaries (`_` a word byte), for slices of the lengths it was
/// chosen for by [`starts_fn`].
pub type StartsFn = fn(&Window, &[(u8, u8)], &[u8]) -> u64;

/// The [`StartsFn`] for exactly `ranges` ranges and `bytes` bytes (up to 4 each), so
/// that no padding entry is tested.
pub fn starts_fn(ranges: usize, bytes: usize) -> Option<StartsFn> {
    fn exact<const R: usize, const E: usize>(
        window: &Window,
        ranges: &[(u8, u8)],
        bytes: &[u8],
    ) -> u64 {
        let ranges: &[(u8, u8); R] = ranges.try_into().expect("the chosen range count");
        let bytes: &[u8; E] = bytes.try_into().expect("the chosen byte count");
        starts(window, ranges, bytes, true)
    }
    macro_rules! pick {
        ($(($r:literal, $e:literal)),*) => {
            match (ranges, bytes) {
                $(($r, $e) => Some(exact::<$r, $e> as StartsFn),)*
                _ => None,
            }
        };
    }
    pick!(
        (0, 0),
        (0, 1),
        (0, 2),
        (0, 3),
        (0, 4),
        (1, 0),
        (1, 1),
        (1, 2),
        (1, 3),
        (1, 4),
        (2, 0),
        (2, 1),
        (2, 2),
        (2, 3),
        (2, 4),
        (3, 0),
        (3, 1),
        (3, 2),
        (3, 3),
        (3, 4),
        (4, 0),
        (4, 1),
        (4, 2),
        (4, 3),
        (4, 4)
    )
}

/// The ASCII letters of a window's block that start a word: the byte before each is
/// not an ASCII letter or digit (`_` does not join words here). Letters and digits
/// are classified once, for the byte before the block and its first 63 bytes, and
/// the block's letters are the same lanes moved by one.
#[inline(always)]
pub fn letter_starts(window: &Window) -> u64 {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    let (letters, words) = sse2::letters_and_words(window);
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    let (letters, words) = letters_and_words_by_lanes(window);
    let last = u64::from((window[BLOCK] | 0x20).wrapping_sub(b'a') < 26);
    (letters >> 1 | last << (BLOCK - 1)) & !words
}

/// (letters, letters or digits) of the 64 bytes before a window's block, without SSE2.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
#[inline(always)]
fn letters_and_words_by_lanes(window: &Window) -> (u64, u64) {
    let before: &[u8; BLOCK] = window[..BLOCK].try_into().expect("a block");
    let mut letters = [0u8; BLOCK];
    let mut digits = [0u8; BLOCK];
    for ((l, d), &b) in letters.iter_mut().zip(digits.iter_mut()).zip(before) {
        *l = u8::from((b | 0x20).wrapping_sub(b'a') < 26);
        *d = u8::from(b.wrapping_sub(b'0') < 10);
    }
    let (letters, digits) = (pack(&letters), pack(&digits));
    (letters, letters | digits)
}

/// The ASCII digits of a block.
#[inline(always)]
pub fn digits(block: &[u8; BLOCK]) -> u64 {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    return sse2::block_digits(block);
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    return digits_by_lanes(block);
}

/// [`digits`] without SSE2.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
#[inline(always)]
fn digits_by_lanes(block: &[u8; BLOCK]) -> u64 {
    let mut lanes = [0u8; BLOCK];
    for (lane, &b) in lanes.iter_mut().zip(block) {
        *lane = u8::from(b.wrapping_sub(b'0') < 10);
    }
    pack(&lanes)
}

/// The window of the 64 bytes at `at` (or the rest of `hay`), with the bytes before
/// and after them, `pad` where `hay` has none; and how many bytes of the block are
/// `hay`'s. Borrowed from `hay` where it holds the whole window; built in `spare`
/// only at its ends. (A copy on the stack cost more than the copying: the classes'
/// vector loads at other offsets than the copy's stores wait for those stores.)
#[inline(always)]
pub fn window<'a>(hay: &'a [u8], at: usize, pad: u8, spare: &'a mut Window) -> (&'a Window, usize) {
    if let Some(w) = at
        .checked_sub(1)
        .and_then(|from| hay.get(from..=at + BLOCK))
    {
        return (w.try_into().expect("a window"), BLOCK);
    }
    *spare = [pad; BLOCK + 2];
    if at > 0 {
        spare[0] = hay[at - 1];
    }
    let rest = &hay[at..(at + BLOCK + 1).min(hay.len())];
    spare[1..=rest.len()].copy_from_slice(rest);
    (spare, rest.len().min(BLOCK))
}

/// The mask of the first `n` bytes of a block.
pub fn first(n: usize) -> u64 {
    if n >= BLOCK { !0 } else { (1u64 << n) - 1 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn any_window() -> impl Strategy<Value = Window> {
        // Bytes around the class edges as often as any others.
        let edgy = prop::sample::select(b"/09:@AZ[`az{_+-( \x00\x7f\x80\xff".to_vec());
        prop::collection::vec(prop_oneof![any::<u8>(), edgy], BLOCK + 2)
            .prop_map(|v| v.try_into().expect("66 bytes"))
    }

    proptest! {
        #[test]
        fn starts_are_the_classes_byte_by_byte(
            window in any_window(),
            ranges in prop::array::uniform3((any::<u8>(), any::<u8>())),
            bytes in prop::array::uniform2(any::<u8>()),
            underscore in any::<bool>(),
        ) {
            let ranges = ranges.map(|(a, b)| (a.min(b), a.max(b)));
            let word = |b: u8| b.is_ascii_alphanumeric() || (underscore && b == b'_');
            let expected = (0..BLOCK).fold(0u64, |m, i| {
                let b = window[i + 1];
                let start = ranges.iter().any(|&(lo, hi)| (lo..=hi).contains(&b)) && !word(window[i]);
                m | u64::from(start || bytes.contains(&b)) << i
            });
            prop_assert_eq!(starts(&window, &ranges, &bytes, underscore), expected);
            prop_assert_eq!(starts_by_lanes(&window, &ranges, &bytes, underscore), expected);
            const LETTERS: [(u8, u8); 2] = [(b'A', b'Z'), (b'a', b'z')];
            let letter_starts_want = starts_by_lanes(&window, &LETTERS, &[], false);
            prop_assert_eq!(letter_starts(&window), letter_starts_want);
            let (letters, words) = letters_and_words_by_lanes(&window);
            let last = u64::from(window[BLOCK].is_ascii_alphabetic());
            prop_assert_eq!((letters >> 1 | last << (BLOCK - 1)) & !words, letter_starts_want);
            let block: [u8; BLOCK] = window[1..=BLOCK].try_into().expect("a block");
            let want = (0..BLOCK).fold(0u64, |m, i| m | u64::from(block[i].is_ascii_digit()) << i);
            prop_assert_eq!(digits(&block), want);
            prop_assert_eq!(digits_by_lanes(&block), want);
        }

        #[test]
        fn a_window_is_the_byte_before_and_the_block(
            hay in prop::collection::vec(any::<u8>(), 0..200),
            at in 0usize..200,
        ) {
            let at = at.min(hay.len());
            let mut spare = [0; BLOCK + 2];
            let (window, n) = window(&hay, at, 0xAA, &mut spare);
            prop_assert_eq!(n, (hay.len() - at).min(BLOCK));
            prop_assert_eq!(window[0], if at > 0 { hay[at - 1] } else { 0xAA });
            prop_assert_eq!(&window[1..=n], &hay[at..at + n]);
            let after = hay.get(at + BLOCK).copied().unwrap_or(0xAA);
            prop_assert_eq!(window[BLOCK + 1], after);
            prop_assert!(window[n + 1..=BLOCK].iter().all(|&b| b == 0xAA));
        }
    }

    #[test]
    fn a_starts_fn_for_every_count_tests_what_it_is_given() {
        let mut window = [b' '; BLOCK + 2];
        window[1..12].copy_from_slice(b"1a+B(c2_ -@");
        let ranges = [(b'0', b'9'), (b'A', b'Z'), (b'a', b'z'), (b'_', b'_')];
        let bytes = [b'+', b'(', b'-', b'@'];
        let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        for r in 0..=4 {
            for e in 0..=4 {
                let (ranges, bytes) = (&ranges[..r], &bytes[..e]);
                let want = (0..BLOCK).fold(0u64, |m, i| {
                    let b = window[i + 1];
                    let start =
                        ranges.iter().any(|&(lo, hi)| (lo..=hi).contains(&b)) && !word(window[i]);
                    m | u64::from(start || bytes.contains(&b)) << i
                });
                let f = starts_fn(r, e).expect("counts up to 4");
                assert_eq!(f(&window, ranges, bytes), want, "{r} {e}");
            }
        }
        assert!(starts_fn(5, 0).is_none());
        assert!(starts_fn(0, 5).is_none());
    }
}
