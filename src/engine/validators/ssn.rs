//! US Social Security numbers and Individual Taxpayer Identification Numbers.
//!
//! SSA rules (since randomization in 2011 the area is no longer geographic):
//! area 001–899 except 666, group 01–99, serial 0001–9999; numbers published in
//! advertising or otherwise known to be invalid are rejected. ITINs use area 9xx
//! with the IRS group ranges 50–65, 70–88, 90–92 and 94–99.

use super::{Verdict, number};

/// Numbers that are well-formed but known never to belong to a person
/// (the Woolworth wallet card, advertising and SSA documentation numbers).
const KNOWN_INVALID: &[&str] = &["078051120", "219099999", "457555462"];

/// Splits a candidate into (area, group, serial) when it is `AAA-GG-SSSS`,
/// `AAA GG SSSS` (same separator both sides) or nine bare digits.
pub fn parts(candidate: &[u8]) -> Option<(u32, u32, u32, [u8; 9])> {
    // The two shapes by their bytes: no split into groups for a value this short.
    let nine: [u8; 9] = match *candidate {
        [a0, a1, a2, s1, g0, g1, s2, r0, r1, r2, r3] if s1 == s2 && matches!(s1, b'-' | b' ') => {
            [a0, a1, a2, g0, g1, r0, r1, r2, r3]
        }
        [_, _, _, _, _, _, _, _, _] => candidate.try_into().ok()?,
        _ => return None,
    };
    if !nine.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some((
        number(&nine[0..3]),
        number(&nine[3..5]),
        number(&nine[5..9]),
        nine,
    ))
}

pub fn validate_ssn(candidate: &[u8]) -> Verdict {
    let Some((area, group, serial, nine)) = parts(candidate) else {
        return Verdict::Invalid;
    };
    if area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0 {
        return Verdict::Invalid;
    }
    // 987-65-4320..4329 (advertising) fall in area 9xx and are already rejected.
    if KNOWN_INVALID.iter().any(|k| k.as_bytes() == nine) {
        return Verdict::Invalid;
    }
    Verdict::Valid
}

pub fn validate_itin(candidate: &[u8]) -> bool {
    let Some((area, group, serial, _)) = parts(candidate) else {
        return false;
    };
    // 987-65-4320..4329 are reserved for advertising.
    let advertising = area == 987 && group == 65 && (4320..=4329).contains(&serial);
    !advertising
        && (900..=999).contains(&area)
        && matches!(group, 50..=65 | 70..=88 | 90..=92 | 94..=99)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_each_form() {
        for s in [
            "123-45-6789",
            "123 45 6789",
            "123456789",
            "001-01-0001",
            "899-99-9999",
        ] {
            assert_eq!(validate_ssn(s.as_bytes()), Verdict::Valid, "{s}");
        }
    }

    #[test]
    fn rejects_invalid_parts_and_known_numbers() {
        for s in [
            "000-12-3456",
            "666-12-3456",
            "900-12-3456",
            "999-12-3456",
            "123-00-4567",
            "123-45-0000",
            "078-05-1120",
            "219-09-9999",
            "457-55-5462",
            "987-65-4320",
            "987-65-4329",
            "123-456789",
            "12345-6789",
            "123-45 6789",
            "123.45.6789",
            "12-345-6789",
            "1234567890",
            "12345678",
        ] {
            assert_eq!(validate_ssn(s.as_bytes()), Verdict::Invalid, "{s}");
        }
    }

    #[test]
    fn itin_groups() {
        assert!(validate_itin(b"912-70-1234"));
        assert!(validate_itin(b"999 99 1234"));
        assert!(validate_itin(b"950501234"));
        assert!(!validate_itin(b"912-93-1234"));
        assert!(!validate_itin(b"912-66-1234"));
        assert!(!validate_itin(b"812-70-1234"));
        assert!(!validate_itin(b"987-65-4321"));
    }

    /// The split into digit groups that `parts` replaced.
    fn reference_parts(candidate: &[u8]) -> Option<(u32, u32, u32, [u8; 9])> {
        let g = super::super::digit_groups(candidate)?;
        let (groups, seps) = (g.groups(), g.seps());
        let ok_shape = match groups {
            [all] => all.len() == 9,
            [a, g, s] => a.len() == 3 && g.len() == 2 && s.len() == 4 && seps[0] == seps[1],
            _ => false,
        };
        if !ok_shape || seps.iter().any(|&s| s != b'-' && s != b' ') {
            return None;
        }
        let digits: Vec<u8> = groups.concat();
        let nine: [u8; 9] = digits.try_into().ok()?;
        Some((
            number(&nine[0..3]),
            number(&nine[3..5]),
            number(&nine[5..9]),
            nine,
        ))
    }

    proptest! {
        #[test]
        fn parts_are_the_digit_groups_split(
            bytes in prop::collection::vec(prop::sample::select(b"0123456789- .x".to_vec()), 7..13),
            shaped in (0u32..1000, 0u32..100, 0u32..10000),
            seps in prop::array::uniform2(prop::sample::select(vec!["-", " ", "", ".", "- "])),
        ) {
            prop_assert_eq!(parts(&bytes), reference_parts(&bytes));
            let ((a, g, s), [one, two]) = (shaped, seps);
            let text = format!("{a:03}{one}{g:02}{two}{s:04}");
            prop_assert_eq!(parts(text.as_bytes()), reference_parts(text.as_bytes()));
        }

        #[test]
        fn every_valid_ssn_passes(area in 1u32..900, group in 1u32..100, serial in 1u32..10000, sep in prop::sample::select(vec!["-", " ", ""])) {
            prop_assume!(area != 666);
            let s = format!("{area:03}{sep}{group:02}{sep}{serial:04}");
            prop_assume!(!["078051120", "219099999", "457555462"].contains(&s.replace(['-', ' '], "").as_str()));
            prop_assert_eq!(validate_ssn(s.as_bytes()), Verdict::Valid);
        }

        #[test]
        fn invalid_area_group_or_serial_fails(
            bad_area in prop::sample::select(vec![0u32, 666, 900, 950, 999]),
            area in 1u32..900, group in 1u32..100, serial in 1u32..10000, which in 0usize..3,
        ) {
            let (a, g, s) = match which {
                0 => (bad_area, group, serial),
                1 => (area, 0, serial),
                _ => (area, group, 0),
            };
            let text = format!("{a:03}-{g:02}-{s:04}");
            prop_assert_eq!(validate_ssn(text.as_bytes()), Verdict::Invalid);
        }

        #[test]
        fn mixed_separators_fail(area in 1u32..900, group in 1u32..100, serial in 1u32..10000) {
            let s = format!("{area:03}-{group:02} {serial:04}");
            prop_assert_eq!(validate_ssn(s.as_bytes()), Verdict::Invalid);
        }

        #[test]
        fn itin_never_valid_ssn(group in 0u32..100, serial in 0u32..10000, area in 900u32..1000) {
            let s = format!("{area}-{group:02}-{serial:04}");
            prop_assert_eq!(validate_ssn(s.as_bytes()), Verdict::Invalid);
        }
    }
}
