//! UTF-16 inputs (SQL Server and Excel exports, PowerShell logs) transcoded to UTF-8 as
//! they stream, so every extractor sees the text it expects. Line numbers are kept;
//! columns count UTF-8 bytes of the transcoded line. Unpaired surrogates and a dangling
//! odd byte become U+FFFD: nothing stops the scan.

use std::io::{self, Read};

/// How a UTF-16 stream was recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Utf16 {
    pub big_endian: bool,
    /// The stream starts with a byte-order mark (dropped when transcoding).
    pub bom: bool,
}

/// Recognises UTF-16 from a byte-order mark, or without one from the pattern of NUL
/// bytes that ASCII text has in UTF-16 (every other byte NUL, the others not).
pub fn detect(head: &[u8]) -> Option<Utf16> {
    if head.starts_with(&[0xff, 0xfe]) && !head.starts_with(&[0xff, 0xfe, 0, 0]) {
        return Some(Utf16 {
            big_endian: false,
            bom: true,
        });
    }
    if head.starts_with(&[0xfe, 0xff]) {
        return Some(Utf16 {
            big_endian: true,
            bom: true,
        });
    }
    let sample = &head[..head.len().min(1024) & !1];
    if sample.len() < 16 {
        return None;
    }
    let pairs = sample.len() / 2;
    let (mut even_nul, mut odd_nul) = (0, 0);
    for p in sample.chunks_exact(2) {
        even_nul += usize::from(p[0] == 0);
        odd_nul += usize::from(p[1] == 0);
    }
    // ASCII-range text: one half (nearly) all NUL, the other (nearly) none.
    let mostly = |n: usize| n * 10 >= pairs * 9;
    let rarely = |n: usize| n * 20 <= pairs;
    if mostly(odd_nul) && rarely(even_nul) {
        Some(Utf16 {
            big_endian: false,
            bom: false,
        })
    } else if mostly(even_nul) && rarely(odd_nul) {
        Some(Utf16 {
            big_endian: true,
            bom: false,
        })
    } else {
        None
    }
}

/// Reads UTF-16 from `inner`, yields UTF-8.
pub struct Utf16Reader<R> {
    inner: R,
    kind: Utf16,
    raw: Vec<u8>,
    /// Transcoded bytes not handed out yet: `out[pos..]`.
    out: Vec<u8>,
    pos: usize,
    started: bool,
    eof: bool,
    /// A high surrogate waiting for its low half.
    pending_high: Option<u16>,
}

impl<R: Read> Utf16Reader<R> {
    pub fn new(inner: R, kind: Utf16) -> Self {
        Utf16Reader {
            inner,
            kind,
            raw: Vec::with_capacity(64 * 1024),
            out: Vec::with_capacity(64 * 1024),
            pos: 0,
            started: false,
            eof: false,
            pending_high: None,
        }
    }

    fn push(&mut self, c: char) {
        let mut buf = [0; 4];
        self.out
            .extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    }

    /// Reads more raw bytes and transcodes every complete code unit.
    fn fill(&mut self) -> io::Result<()> {
        self.out.clear();
        self.pos = 0;
        while self.out.is_empty() && !self.eof {
            let have = self.raw.len();
            self.raw.resize(have + 64 * 1024, 0);
            let n = self.inner.read(&mut self.raw[have..])?;
            self.raw.truncate(have + n);
            if n == 0 {
                self.eof = true;
            }
            let mut units = self.raw.chunks_exact(2);
            let mut decoded: Vec<u16> = Vec::with_capacity(self.raw.len() / 2);
            for u in units.by_ref() {
                decoded.push(if self.kind.big_endian {
                    u16::from_be_bytes([u[0], u[1]])
                } else {
                    u16::from_le_bytes([u[0], u[1]])
                });
            }
            let rest = units.remainder().to_vec();
            let mut first = !self.started;
            self.started = true;
            for unit in decoded {
                if first {
                    first = false;
                    if self.kind.bom && unit == 0xfeff {
                        continue;
                    }
                }
                match (self.pending_high.take(), unit) {
                    (Some(high), 0xdc00..=0xdfff) => {
                        let c = 0x10000
                            + ((u32::from(high) - 0xd800) << 10)
                            + (u32::from(unit) - 0xdc00);
                        self.push(char::from_u32(c).unwrap_or('\u{fffd}'));
                    }
                    (pending, 0xd800..=0xdbff) => {
                        if pending.is_some() {
                            self.push('\u{fffd}');
                        }
                        self.pending_high = Some(unit);
                    }
                    (pending, u) => {
                        if pending.is_some() {
                            self.push('\u{fffd}');
                        }
                        self.push(char::from_u32(u32::from(u)).unwrap_or('\u{fffd}'));
                    }
                }
            }
            self.raw = rest;
            if self.eof {
                if self.pending_high.take().is_some() || !self.raw.is_empty() {
                    self.push('\u{fffd}');
                }
                self.raw.clear();
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for Utf16Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.out.len() {
            if self.eof {
                return Ok(0);
            }
            self.fill()?;
        }
        let n = buf.len().min(self.out.len() - self.pos);
        buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn encode(s: &str, big_endian: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        let units = bom.then_some(0xfeffu16).into_iter().chain(s.encode_utf16());
        for u in units {
            out.extend(if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            });
        }
        out
    }

    fn decode(bytes: &[u8]) -> String {
        let kind = detect(bytes).expect("recognised");
        let mut out = String::new();
        Utf16Reader::new(bytes, kind)
            .read_to_string(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn bom_and_bomless_in_both_orders() {
        let text = "INSERT INTO dbo.Customers (SSN) VALUES (N'536-22-8119'); -- Zoë 😀\r\n";
        for be in [false, true] {
            for bom in [false, true] {
                assert_eq!(decode(&encode(text, be, bom)), text, "be={be} bom={bom}");
            }
        }
    }

    #[test]
    fn plain_text_and_binary_are_not_utf16() {
        assert_eq!(
            detect(b"-- PostgreSQL database dump\n-- more text here\n"),
            None
        );
        assert_eq!(detect(&[0u8; 64]), None);
        assert_eq!(detect(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0"), None);
    }

    #[test]
    fn broken_input_becomes_replacement_characters() {
        // A lone high surrogate, then a dangling odd byte.
        let bytes = [0xff, 0xfe, b'a', 0, 0x00, 0xd8, b'b', 0, b'c'];
        assert_eq!(decode(&bytes), "a\u{fffd}b\u{fffd}");
    }

    proptest! {
        #[test]
        fn round_trips_any_text(s in "\\PC{0,200}", be in any::<bool>()) {
            let bytes = encode(&s, be, true);
            prop_assert_eq!(decode(&bytes), s);
        }

        #[test]
        fn any_bytes_decode_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let mut with_bom = vec![0xff, 0xfe];
            with_bom.extend(&bytes);
            let mut out = Vec::new();
            let kind = Utf16 { big_endian: false, bom: true };
            Utf16Reader::new(&with_bom[..], kind).read_to_end(&mut out).unwrap();
            prop_assert!(std::str::from_utf8(&out).is_ok());
        }
    }
}
