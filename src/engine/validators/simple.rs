//! Small syntactic validators: e-mail addresses and non-trivial digit runs.

use super::Verdict;

/// Second-level and top-level domains reserved for documentation and tests (RFC 2606/6761).
const RESERVED: &[&str] = &[
    "example.com",
    "example.org",
    "example.net",
    "example",
    "test",
    "invalid",
    "localhost",
    "local",
];

pub fn validate_email(candidate: &[u8]) -> Verdict {
    let Some(at) = candidate.iter().rposition(|&b| b == b'@') else {
        return Verdict::Invalid;
    };
    let (local, domain) = (&candidate[..at], &candidate[at + 1..]);
    if local.is_empty() || local.len() > 64 || domain.len() > 253 {
        return Verdict::Invalid;
    }
    if local.starts_with(b".") || local.ends_with(b".") || local.windows(2).any(|w| w == b"..") {
        return Verdict::Invalid;
    }
    let mut labels = 0;
    let mut tld: &[u8] = b"";
    for l in domain.split(|&b| b == b'.') {
        if l.is_empty() || l.len() > 63 || l.starts_with(b"-") || l.ends_with(b"-") {
            return Verdict::Invalid;
        }
        labels += 1;
        tld = l;
    }
    if labels < 2 || tld.len() < 2 || !tld.iter().all(u8::is_ascii_alphabetic) {
        return Verdict::Invalid;
    }
    // `domain` is a reserved name or a subdomain of one, compared without case.
    let reserved = RESERVED.iter().any(|r| {
        let r = r.as_bytes();
        domain.eq_ignore_ascii_case(r)
            || (domain.len() > r.len()
                && domain[domain.len() - r.len() - 1] == b'.'
                && domain[domain.len() - r.len()..].eq_ignore_ascii_case(r))
    });
    if reserved {
        Verdict::Weak
    } else {
        Verdict::Valid
    }
}

/// Rejects one repeated digit (`000000000`) and straight ascending/descending runs
/// (`123456789`, `987654321`), which are placeholders rather than identifiers.
pub fn not_trivial_digits(candidate: &[u8]) -> bool {
    // One pass over the digits, without collecting them: whether all are the same,
    // each one more than the last (9 then 0 included), each one less.
    let mut digits = candidate.iter().copied().filter(u8::is_ascii_digit);
    let Some(first) = digits.next() else {
        return false;
    };
    let (mut same, mut up, mut down, mut last, mut n) = (true, true, true, first, 1);
    for d in digits {
        same &= d == first;
        up &= d == last + 1 || (last == b'9' && d == b'0');
        down &= last == d + 1;
        last = d;
        n += 1;
    }
    n < 2 || !(same || up || down)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::prop;

    #[test]
    fn emails() {
        assert_eq!(
            validate_email(b"mary.smith@sakilacustomer.org"),
            Verdict::Valid
        );
        assert_eq!(validate_email(b"admin@example.com"), Verdict::Weak);
        assert_eq!(validate_email(b"a..b@x.com"), Verdict::Invalid);
        assert_eq!(validate_email(b"a@-x.com"), Verdict::Invalid);
        assert_eq!(validate_email(b"a@x.c0m"), Verdict::Invalid);
    }

    /// The collecting version the one-pass check replaced.
    fn reference_not_trivial(candidate: &[u8]) -> bool {
        let d: Vec<u8> = candidate
            .iter()
            .copied()
            .filter(u8::is_ascii_digit)
            .collect();
        if d.len() < 2 {
            return !d.is_empty();
        }
        let same = d.iter().all(|&x| x == d[0]);
        let up = d
            .windows(2)
            .all(|w| w[1] == w[0] + 1 || (w[0] == b'9' && w[1] == b'0'));
        let down = d.windows(2).all(|w| w[0] == w[1] + 1);
        !(same || up || down)
    }

    proptest::proptest! {
        #[test]
        fn not_trivial_is_the_reference(
            bytes in proptest::collection::vec(
                proptest::sample::select(b"0123456789-x 9087".to_vec()),
                0..14,
            ),
        ) {
            proptest::prop_assert_eq!(not_trivial_digits(&bytes), reference_not_trivial(&bytes));
        }

        /// Runs up (wrapping from 9 to 0), down and flat, one digit changed or not.
        #[test]
        fn runs_are_told_as_the_reference_tells_them(
            first in 0u8..10,
            step in prop::sample::select(vec![0u8, 1, 9]),
            len in 0usize..12,
            changed in proptest::option::of((0usize..12, 0u8..10)),
        ) {
            let mut bytes: Vec<u8> = (0..len)
                .map(|i| b'0' + (first + step * i as u8 % 10) % 10)
                .collect();
            if let Some((at, digit)) = changed.filter(|&(at, _)| at < len) {
                bytes[at] = b'0' + digit;
            }
            proptest::prop_assert_eq!(not_trivial_digits(&bytes), reference_not_trivial(&bytes));
        }
    }

    #[test]
    fn trivial_runs() {
        assert!(not_trivial_digits(b"48213379"));
        assert!(!not_trivial_digits(b"00000000"));
        assert!(!not_trivial_digits(b"123456789"));
        assert!(!not_trivial_digits(b"987654321"));
        assert!(!not_trivial_digits(b"7890-123"));
        assert!(!not_trivial_digits(b"--"));
        assert!(not_trivial_digits(b"7"));
    }
}
