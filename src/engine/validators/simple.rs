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

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn trivial_runs() {
        assert!(not_trivial_digits(b"48213379"));
        assert!(!not_trivial_digits(b"00000000"));
        assert!(!not_trivial_digits(b"123456789"));
        assert!(!not_trivial_digits(b"987654321"));
    }
}
