//! Payment card numbers (PANs): Luhn checksum, issuer prefix and length, grouping.

use super::{Verdict, digit_groups, digits_in};

/// The Luhn (mod 10) checksum over decimal digits (values 0–9).
pub fn luhn(digits: &[u8]) -> bool {
    if digits.len() < 2 {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                let dd = d * 2;
                if dd > 9 { dd - 9 } else { dd }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

/// The card brand for a digit string, if its prefix and length fit a major network.
pub fn brand(d: &[u8]) -> Option<&'static str> {
    let len = d.len();
    let p = |n: usize| {
        d[..n.min(len)]
            .iter()
            .fold(0u32, |acc, &x| acc * 10 + u32::from(x))
    };
    let p1 = p(1);
    let p2 = p(2);
    let p3 = p(3);
    let p4 = p(4);
    let p6 = p(6);
    if p1 == 4 && matches!(len, 13 | 16 | 19) {
        return Some("visa");
    }
    if ((51..=55).contains(&p2) || (2221..=2720).contains(&p4)) && len == 16 {
        return Some("mastercard");
    }
    if (p2 == 34 || p2 == 37) && len == 15 {
        return Some("amex");
    }
    if (p4 == 6011 || (644..=649).contains(&p3) || p2 == 65 || (622126..=622925).contains(&p6))
        && (16..=19).contains(&len)
    {
        return Some("discover");
    }
    if (3528..=3589).contains(&p4) && (16..=19).contains(&len) {
        return Some("jcb");
    }
    if ((300..=305).contains(&p3) || p2 == 36 || p2 == 38 || p2 == 39) && (14..=19).contains(&len) {
        return Some("diners");
    }
    if p2 == 62 && (16..=19).contains(&len) {
        return Some("unionpay");
    }
    None
}

/// Group layouts printed on cards and in forms: 4-4-4-4(-1..3), Amex 4-6-5, Diners 4-6-4.
fn grouping_ok(groups: &[&[u8]], seps: &[u8]) -> bool {
    if groups.len() == 1 {
        return true;
    }
    if seps.iter().any(|&s| s != seps[0]) || !matches!(seps[0], b' ' | b'-') {
        return false;
    }
    let mut lens = [0usize; 8];
    for (len, g) in lens.iter_mut().zip(groups) {
        *len = g.len();
    }
    match &lens[..groups.len().min(8)] {
        [4, 6, 5] | [4, 6, 4] | [4, 4, 4, 4] => true,
        [4, 4, 4, 4, last] => (1..=3).contains(last),
        [4, 4, 4, last] => (1..=3).contains(last), // 13/15-digit Visa-style
        _ => false,
    }
}

pub fn validate(candidate: &[u8]) -> Verdict {
    let Some(g) = digit_groups(candidate) else {
        return Verdict::Invalid;
    };
    if !grouping_ok(g.groups(), g.seps()) {
        return Verdict::Invalid;
    }
    let mut buf = [0; 32];
    let Some(d) = digits_in(candidate, &mut buf) else {
        return Verdict::Invalid;
    };
    if !(13..=19).contains(&d.len()) || d.iter().all(|&x| x == d[0]) {
        return Verdict::Invalid;
    }
    (luhn(d) && brand(d).is_some()).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::validators::digits;
    use proptest::prelude::*;

    /// Published test PANs of each major brand.
    const TEST_PANS: &[(&str, &str)] = &[
        ("4111111111111111", "visa"),
        ("4012888888881881", "visa"),
        ("4222222222222", "visa"),
        ("5555555555554444", "mastercard"),
        ("2223003122003222", "mastercard"),
        ("378282246310005", "amex"),
        ("371449635398431", "amex"),
        ("6011111111111117", "discover"),
        ("6011000990139424", "discover"),
        ("3530111333300000", "jcb"),
        ("3566002020360505", "jcb"),
        ("30569309025904", "diners"),
        ("38520000023237", "diners"),
        ("6200000000000005", "unionpay"),
    ];

    #[test]
    fn test_pans_of_each_brand_validate() {
        for (pan, want) in TEST_PANS {
            assert_eq!(validate(pan.as_bytes()), Verdict::Valid, "{pan}");
            assert_eq!(brand(&digits(pan.as_bytes())), Some(*want), "{pan}");
        }
    }

    #[test]
    fn grouped_forms() {
        assert_eq!(validate(b"4111 1111 1111 1111"), Verdict::Valid);
        assert_eq!(validate(b"4111-1111-1111-1111"), Verdict::Valid);
        assert_eq!(validate(b"3782 822463 10005"), Verdict::Valid);
        assert_eq!(validate(b"4111-1111 1111-1111"), Verdict::Invalid);
        assert_eq!(validate(b"41111 11111 111111"), Verdict::Invalid);
    }

    #[test]
    fn luhn_invalid_rejected() {
        for pan in [
            "4111111111111112",
            "5555555555554443",
            "378282246310006",
            "1234567812345678",
        ] {
            assert_eq!(validate(pan.as_bytes()), Verdict::Invalid, "{pan}");
        }
    }

    proptest! {
        #[test]
        fn changing_one_digit_breaks_luhn(pos in 0usize..16, delta in 1u8..10) {
            let mut d = digits(b"4111111111111111");
            d[pos] = (d[pos] + delta) % 10;
            prop_assert!(!luhn(&d));
        }

        #[test]
        fn check_digit_completion_always_valid(body in prop::collection::vec(0u8..10, 15)) {
            let mut d = vec![4u8];
            d.extend(&body[..14]);
            let check = (0..10).find(|c| { let mut t = d.clone(); t.push(*c); luhn(&t) }).unwrap();
            d.push(check);
            prop_assume!(!d.iter().all(|&x| x == d[0]));
            let s: String = d.iter().map(|x| char::from(x + b'0')).collect();
            prop_assert_eq!(validate(s.as_bytes()), Verdict::Valid);
        }
    }
}
