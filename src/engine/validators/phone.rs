//! Telephone numbers: North American Numbering Plan and E.164.

use super::{Verdict, digits_in};

/// NANP: area code and exchange start 2–9 and are not N11 service codes;
/// 555-0100..0199 are reserved for fiction (weak). E.164 (`+` then 8–15 digits).
pub fn validate(candidate: &[u8]) -> Verdict {
    let mut buf = [0; 32];
    let Some(d) = digits_in(candidate, &mut buf) else {
        return Verdict::Invalid;
    };
    let plus = candidate.first() == Some(&b'+');
    let nanp = match d.len() {
        10 => Some(d),
        11 if d[0] == 1 => Some(&d[1..]),
        _ => None,
    };
    if let Some(n) = nanp.filter(|_| !plus || d.len() == 11) {
        let n11 = |x: &[u8]| x[1] == 1 && x[2] == 1;
        if n[0] < 2 || n[3] < 2 || n11(&n[0..3]) || n11(&n[3..6]) {
            return Verdict::Invalid;
        }
        if n.iter().all(|&x| x == n[0]) {
            return Verdict::Invalid;
        }
        let fictional = n[3..6] == [5, 5, 5] && n[6] == 0 && n[7] == 1;
        return if fictional {
            Verdict::Weak
        } else {
            Verdict::Valid
        };
    }
    (plus && (8..=15).contains(&d.len()) && d[0] != 0).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nanp_and_e164() {
        assert_eq!(validate(b"(212) 867-5309"), Verdict::Valid);
        assert_eq!(validate(b"+1 415-867-5309"), Verdict::Valid);
        assert_eq!(validate(b"+44 20 7946 0958"), Verdict::Valid);
        assert_eq!(validate(b"212-555-0147"), Verdict::Weak);
        assert_eq!(validate(b"112-867-5309"), Verdict::Invalid);
        assert_eq!(validate(b"212-911-5309"), Verdict::Invalid);
        assert_eq!(validate(b"+0123456789"), Verdict::Invalid);
    }
}
