//! ABA routing transit numbers (US bank routing numbers).

use super::digits;

/// Nine digits, a Federal Reserve prefix (00–12, 21–32, 61–72, 80) and the
/// 3-7-1 weighted checksum.
pub fn is_valid_aba(candidate: &[u8]) -> bool {
    if candidate.len() != 9 || !candidate.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let d = digits(candidate);
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
