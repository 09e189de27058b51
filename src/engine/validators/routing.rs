//! ABA routing transit numbers (US bank routing numbers).

use super::digits_in;

/// Nine digits, a Federal Reserve prefix (00–12, 21–32, 61–72, 80) and the
/// 3-7-1 weighted checksum.
pub fn is_valid_aba(candidate: &[u8]) -> bool {
    if candidate.len() != 9 || !candidate.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let mut buf = [0; 32];
    let Some(d) = digits_in(candidate, &mut buf) else {
        return false;
    };
    let prefix = u32::from(d[0]) * 10 + u32::from(d[1]);
    if !matches!(prefix, 0..=12 | 21..=32 | 61..=72 | 80) || d.iter().all(|&x| x == 0) {
        return false;
    }
    let w = [3u32, 7, 1];
    let sum: u32 = d
        .iter()
        .enumerate()
        .map(|(i, &x)| u32::from(x) * w[i % 3])
        .sum();
    sum % 10 == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn completed_checksums_validate(prefix in 0u32..13, body in prop::collection::vec(0u8..10, 6)) {
            let mut d = vec![(prefix / 10) as u8, (prefix % 10) as u8];
            d.extend(&body);
            let w = [3u32, 7, 1];
            let partial: u32 = d.iter().enumerate().map(|(i, &x)| u32::from(x) * w[i % 3]).sum();
            d.push(((10 - partial % 10) % 10) as u8);
            prop_assume!(d.iter().any(|&x| x != 0));
            let s: String = d.iter().map(|x| char::from(b'0' + x)).collect();
            prop_assert!(is_valid_aba(s.as_bytes()), "{}", s);
            // Any other last digit fails.
            let mut bad = s.into_bytes();
            bad[8] = b'0' + (bad[8] - b'0' + 1) % 10;
            prop_assert!(!is_valid_aba(&bad));
        }
    }

    #[test]
    fn real_routing_numbers() {
        for n in [
            "011000015",
            "021000021",
            "026009593",
            "111000025",
            "322271627",
        ] {
            assert!(is_valid_aba(n.as_bytes()), "{n}");
        }
        for n in ["021000022", "123456789", "991000021", "000000000"] {
            assert!(!is_valid_aba(n.as_bytes()), "{n}");
        }
    }
}
