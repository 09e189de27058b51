//! International Bank Account Numbers: per-country length and ISO 7064 mod-97-10.

/// IBAN lengths by ISO country code (SWIFT IBAN registry).
const LENGTHS: &[(&str, usize)] = &[
    ("AD", 24),
    ("AE", 23),
    ("AL", 28),
    ("AT", 20),
    ("AZ", 28),
    ("BA", 20),
    ("BE", 16),
    ("BG", 22),
    ("BH", 22),
    ("BR", 29),
    ("BY", 28),
    ("CH", 21),
    ("CR", 22),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DK", 18),
    ("DO", 28),
    ("EE", 20),
    ("EG", 29),
    ("ES", 24),
    ("FI", 18),
    ("FO", 18),
    ("FR", 27),
    ("GB", 22),
    ("GE", 22),
    ("GI", 23),
    ("GL", 18),
    ("GR", 27),
    ("GT", 28),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IL", 23),
    ("IQ", 23),
    ("IS", 26),
    ("IT", 27),
    ("JO", 30),
    ("KW", 30),
    ("KZ", 20),
    ("LB", 28),
    ("LC", 32),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("MC", 27),
    ("MD", 24),
    ("ME", 22),
    ("MK", 19),
    ("MR", 27),
    ("MT", 31),
    ("MU", 30),
    ("NL", 18),
    ("NO", 15),
    ("PK", 24),
    ("PL", 28),
    ("PS", 29),
    ("PT", 25),
    ("QA", 29),
    ("RO", 24),
    ("RS", 22),
    ("SA", 24),
    ("SC", 31),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("ST", 25),
    ("SV", 28),
    ("TL", 23),
    ("TN", 24),
    ("TR", 26),
    ("UA", 29),
    ("VA", 22),
    ("VG", 24),
    ("XK", 20),
];

pub fn is_valid(candidate: &[u8]) -> bool {
    let compact: Vec<u8> = candidate
        .iter()
        .filter(|b| **b != b' ')
        .map(|b| b.to_ascii_uppercase())
        .collect();
    if compact.len() < 15 || !compact.iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    let Ok(country) = std::str::from_utf8(&compact[..2]) else {
        return false;
    };
    let Some(&(_, len)) = LENGTHS.iter().find(|(c, _)| *c == country) else {
        return false;
    };
    if compact.len() != len || !compact[2..4].iter().all(u8::is_ascii_digit) {
        return false;
    }
    // Move the first four characters to the end; mod 97 must be 1.
    mod97(compact[4..].iter().chain(&compact[..4]).copied()) == 1
}

/// ISO 7064 mod 97-10 over digits and letters (A=10 … Z=35).
pub fn mod97(chars: impl Iterator<Item = u8>) -> u32 {
    chars.fold(0, |rem, b| {
        let v = if b.is_ascii_digit() {
            u32::from(b - b'0')
        } else {
            u32::from(b.to_ascii_uppercase() - b'A') + 10
        };
        if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Computes the two check digits for a country and BBAN (ISO 13616).
    fn with_check_digits(country: &str, bban: &str) -> String {
        let rem = mod97(bban.bytes().chain(country.bytes()).chain(*b"00"));
        format!("{country}{:02}{bban}", 98 - rem)
    }

    proptest! {
        #[test]
        fn generated_ibans_validate_and_one_changed_digit_does_not(
            idx in 0usize..LENGTHS.len(), seed in prop::collection::vec(0u8..10, 30), pos in 4usize..15, delta in 1u8..10,
        ) {
            let (country, len) = LENGTHS[idx];
            let bban: String = seed[..len - 4].iter().map(|d| char::from(b'0' + d)).collect();
            let iban = with_check_digits(country, &bban);
            prop_assert!(is_valid(iban.as_bytes()), "{}", iban);
            let mut bad = iban.into_bytes();
            bad[pos] = b'0' + (bad[pos] - b'0' + delta) % 10;
            prop_assert!(!is_valid(&bad));
        }
    }

    #[test]
    fn registry_examples() {
        for iban in [
            "GB82WEST12345698765432",
            "GB82 WEST 1234 5698 7654 32",
            "DE89370400440532013000",
            "FR1420041010050500013M02606",
            "NL91ABNA0417164300",
            "BE68539007547034",
        ] {
            assert!(is_valid(iban.as_bytes()), "{iban}");
        }
    }

    #[test]
    fn rejects_bad_checksum_length_or_country() {
        for iban in [
            "GB82WEST12345698765433",
            "GB82WEST1234569876543",
            "ZZ82WEST12345698765432",
            "DE89370400440532013001",
        ] {
            assert!(!is_valid(iban.as_bytes()), "{iban}");
        }
    }
}
