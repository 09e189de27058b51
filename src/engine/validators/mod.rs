//! Checksum and structure validators, by name. Pure functions over the matched bytes.
//!
//! A rule names its validator in TOML (`validator = "us_ssn"`). A validator says
//! whether a candidate is real (`Valid`), impossible (`Invalid`), or well-formed but
//! a known placeholder/test/reserved value (`Weak`, which lowers confidence).

pub mod card;
pub mod date;
pub mod iban;
pub mod ip;
pub mod phone;
pub mod routing;
pub mod simple;
pub mod ssn;

use serde::{Deserialize, Serialize};

/// What a validator concluded about a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Invalid,
    /// Structurally valid but reserved, fictional or a documentation value.
    Weak,
    Valid,
}

impl From<bool> for Verdict {
    fn from(ok: bool) -> Self {
        if ok { Verdict::Valid } else { Verdict::Invalid }
    }
}

/// The built-in validators a rule can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Validator {
    /// US SSN: area/group/serial rules, advertising numbers, consistent separators.
    UsSsn,
    /// US ITIN: 9xx area with the IRS group ranges.
    UsItin,
    /// Payment card: Luhn, issuer prefix and length, consistent grouping.
    PaymentCard,
    /// IBAN: country length and ISO 7064 mod-97.
    Iban,
    /// ABA routing transit number: prefix ranges and the 3-7-1 checksum.
    AbaRouting,
    /// E-mail address: label syntax, reserved documentation domains are weak.
    Email,
    /// Phone: NANP area/exchange rules (fictional 555-01xx weak) or E.164 length.
    Phone,
    Ipv4,
    Ipv6,
    /// IPv4 or IPv6, whichever the candidate parses as.
    IpAddress,
    /// A calendar date that could be a birth date: real day, 1900..=this year.
    BirthDate,
    /// A digit run that is not one repeated digit or a simple ascending run.
    NotTrivial,
}

impl Validator {
    /// Every validator (for fuzzing and property tests).
    pub const ALL: [Validator; 12] = [
        Validator::UsSsn,
        Validator::UsItin,
        Validator::PaymentCard,
        Validator::Iban,
        Validator::AbaRouting,
        Validator::Email,
        Validator::Phone,
        Validator::Ipv4,
        Validator::Ipv6,
        Validator::IpAddress,
        Validator::BirthDate,
        Validator::NotTrivial,
    ];

    pub fn validate(self, candidate: &[u8]) -> Verdict {
        match self {
            Validator::UsSsn => ssn::validate_ssn(candidate),
            Validator::UsItin => ssn::validate_itin(candidate).into(),
            Validator::PaymentCard => card::validate(candidate),
            Validator::Iban => iban::is_valid(candidate).into(),
            Validator::AbaRouting => routing::is_valid_aba(candidate).into(),
            Validator::Email => simple::validate_email(candidate),
            Validator::Phone => phone::validate(candidate),
            Validator::Ipv4 => ip::validate_v4(candidate),
            Validator::Ipv6 => ip::validate_v6(candidate),
            Validator::IpAddress => match ip::validate_v4(candidate) {
                Verdict::Invalid => ip::validate_v6(candidate),
                v => v,
            },
            Validator::BirthDate => date::validate_birth_date(candidate),
            Validator::NotTrivial => simple::not_trivial_digits(candidate).into(),
        }
    }

    /// True when a value passing this validator is strong evidence of its type on its
    /// own: a checksum or strict structure. `not_trivial` accepts almost any number and
    /// `birth_date` any date, so neither can tell a column's type from its values.
    pub fn discriminates(self) -> bool {
        !matches!(self, Validator::NotTrivial | Validator::BirthDate)
    }

    pub fn name(self) -> &'static str {
        match self {
            Validator::UsSsn => "us_ssn",
            Validator::UsItin => "us_itin",
            Validator::PaymentCard => "payment_card",
            Validator::Iban => "iban",
            Validator::AbaRouting => "aba_routing",
            Validator::Email => "email",
            Validator::Phone => "phone",
            Validator::Ipv4 => "ipv4",
            Validator::Ipv6 => "ipv6",
            Validator::IpAddress => "ip_address",
            Validator::BirthDate => "birth_date",
            Validator::NotTrivial => "not_trivial",
        }
    }
}

/// The ASCII digits of `bytes`, in order, as numbers (a test helper; validators use
/// `digits_in`, which does not allocate).
#[cfg(test)]
pub(crate) fn digits(bytes: &[u8]) -> Vec<u8> {
    bytes
        .iter()
        .filter(|b| b.is_ascii_digit())
        .map(|b| b - b'0')
        .collect()
}

/// The ASCII digits of `bytes`, in order, as numbers, in `buf`; `None` when there
/// are more than it holds (no validator accepts more than 19).
pub(crate) fn digits_in<'b>(bytes: &[u8], buf: &'b mut [u8; 32]) -> Option<&'b [u8]> {
    let mut n = 0;
    for &b in bytes {
        if b.is_ascii_digit() {
            *buf.get_mut(n)? = b - b'0';
            n += 1;
        }
    }
    Some(&buf[..n])
}

/// A candidate's digit groups and the separators between them (`digit_groups`).
pub(crate) struct DigitGroups<'a> {
    groups: [&'a [u8]; MAX_GROUPS],
    seps: [u8; MAX_GROUPS - 1],
    len: usize,
}

/// More digit groups than any validator accepts (5).
const MAX_GROUPS: usize = 8;

impl<'a> DigitGroups<'a> {
    pub(crate) fn groups(&self) -> &[&'a [u8]] {
        &self.groups[..self.len]
    }

    pub(crate) fn seps(&self) -> &[u8] {
        &self.seps[..self.len - 1]
    }
}

/// Splits on every non-digit byte: the digit groups and the separators between them.
/// `None` if two separators are adjacent, the input starts/ends with one, or it has
/// more than `MAX_GROUPS` groups.
pub(crate) fn digit_groups(bytes: &[u8]) -> Option<DigitGroups<'_>> {
    let mut g = DigitGroups {
        groups: [&[]; MAX_GROUPS],
        seps: [0; MAX_GROUPS - 1],
        len: 0,
    };
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !b.is_ascii_digit() {
            if i == start {
                return None;
            }
            *g.groups.get_mut(g.len)? = &bytes[start..i];
            *g.seps.get_mut(g.len)? = b;
            g.len += 1;
            start = i + 1;
        }
    }
    if start >= bytes.len() {
        return None;
    }
    *g.groups.get_mut(g.len)? = &bytes[start..];
    g.len += 1;
    Some(g)
}

/// Number value of a short ASCII digit slice.
pub(crate) fn number(digits: &[u8]) -> u32 {
    digits
        .iter()
        .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The allocating split `digit_groups` replaced: (groups, separators).
    fn reference_groups(bytes: &[u8]) -> Option<(Vec<&[u8]>, Vec<u8>)> {
        let mut groups = Vec::new();
        let mut seps = Vec::new();
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            if !b.is_ascii_digit() {
                if i == start {
                    return None;
                }
                groups.push(&bytes[start..i]);
                seps.push(b);
                start = i + 1;
            }
        }
        if start >= bytes.len() {
            return None;
        }
        groups.push(&bytes[start..]);
        Some((groups, seps))
    }

    proptest::proptest! {
        /// The same groups and separators as the reference split, up to `MAX_GROUPS`
        /// groups (more: `None`, which every validator reads as invalid); the same
        /// digits as `digits`, up to 32.
        #[test]
        fn digit_groups_and_digits_are_the_reference_ones(
            bytes in proptest::collection::vec(
                proptest::sample::select(b"0123456789-- ./x".to_vec()),
                0..48,
            ),
        ) {
            let got = digit_groups(&bytes).map(|g| (g.groups().to_vec(), g.seps().to_vec()));
            let want = reference_groups(&bytes).filter(|(g, _)| g.len() <= MAX_GROUPS);
            proptest::prop_assert_eq!(got, want);
            let mut buf = [0; 32];
            let all = digits(&bytes);
            let want = (all.len() <= 32).then_some(&all[..]);
            proptest::prop_assert_eq!(digits_in(&bytes, &mut buf), want);
        }
    }
}
