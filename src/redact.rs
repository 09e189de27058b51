//! Masking evidence and keyed fingerprints: what lets a report be shared without
//! shipping the data it found.
//!
//! There are only about 10^9 SSNs, so any unkeyed hash of one is reversible by
//! brute force. Fingerprints are keyed BLAKE3 with a per-installation secret key.

use crate::rules::MaskStyle;
use std::fmt::Write;

/// Masks a value for display. Separators are kept so the shape stays recognisable.
pub fn mask(value: &[u8], style: MaskStyle) -> String {
    // Built byte by byte: every byte pushed is printable ASCII.
    let mut out = Vec::with_capacity(value.len() + 3);
    match style {
        MaskStyle::Email => match value.iter().rposition(|&b| b == b'@') {
            Some(at) => {
                out.push(value.first().map_or(b'*', |&b| printable(b)));
                out.extend_from_slice(b"***@");
                out.extend(value[at + 1..].iter().map(|&b| printable(b)));
            }
            None => return mask(value, MaskStyle::All),
        },
        MaskStyle::All => out.extend(value.iter().map(|&b| masked(b))),
        MaskStyle::Last4 => {
            let alnum = value.iter().filter(|b| b.is_ascii_alphanumeric()).count();
            // Short values would be mostly revealed by their last four: mask them whole.
            let keep = if alnum >= 8 { 4 } else { 0 };
            // The byte after which the last `keep` letters and digits start.
            let mut seen = 0;
            let shown_from = value
                .iter()
                .position(|b| {
                    seen += usize::from(b.is_ascii_alphanumeric());
                    seen > alnum - keep
                })
                .unwrap_or(value.len());
            out.extend(value[..shown_from].iter().map(|&b| masked(b)));
            out.extend(value[shown_from..].iter().map(|&b| printable(b)));
        }
    }
    String::from_utf8(out).expect("masks are ASCII")
}

/// A byte as shown: itself when printable ASCII, `?` otherwise.
fn printable(b: u8) -> u8 {
    if b.is_ascii_graphic() || b == b' ' {
        b
    } else {
        b'?'
    }
}

/// A letter or digit hidden, anything else as shown.
fn masked(b: u8) -> u8 {
    if b.is_ascii_alphanumeric() {
        b'*'
    } else {
        printable(b)
    }
}

/// Computes keyed fingerprints. Identity is rule + storage location + value, never the
/// line number, so moving data around a file keeps its fingerprint.
#[derive(Clone)]
pub struct Fingerprinter {
    key: [u8; 32],
}

impl std::fmt::Debug for Fingerprinter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Fingerprinter { key: <redacted> }")
    }
}

impl Fingerprinter {
    pub fn new(key: [u8; 32]) -> Self {
        Fingerprinter { key }
    }

    /// Derives a key from arbitrary key-file bytes.
    pub fn from_key_material(material: &[u8]) -> Self {
        Fingerprinter::new(blake3::derive_key("piiscan fingerprint key v1", material))
    }

    /// A 32-hex-digit keyed digest of the parts, each length-prefixed so that
    /// ("ab","c") and ("a","bc") differ.
    pub fn fingerprint(&self, parts: &[&[u8]]) -> String {
        // The length-prefixed parts hashed at once when they fit on the stack (the same
        // digest as updating a hasher part by part, without its set-up and ten calls'
        // overhead per finding).
        const STACK: usize = 512;
        let len: usize = parts.iter().map(|p| 8 + p.len()).sum();
        let digest = if len <= STACK {
            let mut buf = [0u8; STACK];
            let mut at = 0;
            for p in parts {
                buf[at..at + 8].copy_from_slice(&(p.len() as u64).to_le_bytes());
                buf[at + 8..at + 8 + p.len()].copy_from_slice(p);
                at += 8 + p.len();
            }
            blake3::keyed_hash(&self.key, &buf[..at])
        } else {
            let mut h = blake3::Hasher::new_keyed(&self.key);
            for p in parts {
                h.update(&(p.len() as u64).to_le_bytes());
                h.update(p);
            }
            h.finalize()
        };
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = Vec::with_capacity(32);
        for &b in &digest.as_bytes()[..16] {
            out.extend_from_slice(&[HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
        }
        String::from_utf8(out).expect("hex digits are ASCII")
    }
}

/// A path as reports show it: valid UTF-8 as is, each byte of invalid UTF-8 and each
/// control character (a newline in a file name) as `\xNN`, so one name is one line
/// in every format and two different names never show the same.
pub fn display_path(p: &std::path::Path) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let mut out = String::new();
        for chunk in p.as_os_str().as_bytes().utf8_chunks() {
            out.push_str(&escape_control(chunk.valid()));
            for b in chunk.invalid() {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
        out
    }
    #[cfg(not(unix))]
    {
        escape_control(&p.display().to_string())
    }
}

/// Makes a path or value safe for a terminal: control characters become `\xNN`.
pub fn escape_control(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() {
            let _ = write!(out, "\\x{:02x}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(mask(b"123-45-6789", MaskStyle::Last4), "***-**-6789");
        assert_eq!(
            mask(b"4111111111111111", MaskStyle::Last4),
            "************1111"
        );
        assert_eq!(mask(b"1985-03-12", MaskStyle::All), "****-**-**");
        assert_eq!(
            mask(b"john.doe@corp.com", MaskStyle::Email),
            "j***@corp.com"
        );
        assert_eq!(mask(b"94105", MaskStyle::Last4), "*****");
    }

    /// The character-by-character masking `mask` replaced, kept as its reference.
    fn reference_mask(value: &[u8], style: MaskStyle) -> String {
        let printable = |b: u8| {
            if b.is_ascii_graphic() || b == b' ' {
                char::from(b)
            } else {
                '?'
            }
        };
        match style {
            MaskStyle::Email => {
                if let Some(at) = value.iter().rposition(|&b| b == b'@') {
                    let first = value.first().map_or('*', |&b| printable(b));
                    let domain: String = value[at + 1..].iter().map(|&b| printable(b)).collect();
                    return format!("{first}***@{domain}");
                }
                reference_mask(value, MaskStyle::All)
            }
            MaskStyle::All => value
                .iter()
                .map(|&b| {
                    if b.is_ascii_alphanumeric() {
                        '*'
                    } else {
                        printable(b)
                    }
                })
                .collect(),
            MaskStyle::Last4 => {
                let alnum = value.iter().filter(|b| b.is_ascii_alphanumeric()).count();
                let keep = if alnum >= 8 { 4 } else { 0 };
                let mut seen = 0;
                value
                    .iter()
                    .map(|&b| {
                        if b.is_ascii_alphanumeric() {
                            seen += 1;
                            if seen > alnum - keep {
                                char::from(b)
                            } else {
                                '*'
                            }
                        } else {
                            printable(b)
                        }
                    })
                    .collect()
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn masks_are_the_reference_masks(
            value in proptest::collection::vec(proptest::prop_oneof![
                proptest::num::u8::ANY,
                proptest::sample::select(b"0123456789-@. aZ".to_vec()),
            ], 0..40),
        ) {
            for style in [MaskStyle::Last4, MaskStyle::All, MaskStyle::Email] {
                proptest::prop_assert_eq!(mask(&value, style), reference_mask(&value, style));
            }
        }
    }

    #[test]
    fn fingerprints_are_keyed() {
        let a = Fingerprinter::new([1; 32]).fingerprint(&[b"us-ssn", b"123456789"]);
        let b = Fingerprinter::new([2; 32]).fingerprint(&[b"us-ssn", b"123456789"]);
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
        assert_ne!(a, blake3::hash(b"123456789").to_hex()[..32]);
    }

    #[test]
    fn fingerprints_are_the_digest_of_the_length_prefixed_parts() {
        let f = Fingerprinter::new([3; 32]);
        let long = vec![b'x'; 600];
        for parts in [
            &[&b"us-ssn"[..], b"dump.sql", b"", b"ssn", b"536-22-8119"][..],
            &[&b"email"[..], &long, b"a@b.org"][..],
        ] {
            let mut h = blake3::Hasher::new_keyed(&[3; 32]);
            for p in parts {
                h.update(&(p.len() as u64).to_le_bytes());
                h.update(p);
            }
            assert_eq!(f.fingerprint(parts), h.finalize().to_hex()[..32]);
        }
    }
}
