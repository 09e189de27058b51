//! Decompressing inputs on the fly (gzip, zstd, bzip2, xz), by magic bytes, with
//! limits: decoders do not stop bombs, so output size and compression ratio are
//! watched here and exceeding either ends the stream with a `LimitExceeded` error.

use super::sniff::Compression;
use std::io::{self, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Bounds on what one compressed input may expand to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most decompressed bytes per input.
    pub max_output: u64,
    /// Most decompressed bytes per compressed byte, checked once the output passes
    /// `RATIO_GRACE` (small inputs legitimately compress very well).
    pub max_ratio: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_output: 64 << 30,
            max_ratio: 250,
        }
    }
}

/// Output size below which the ratio is not checked.
const RATIO_GRACE: u64 = 16 << 20;

/// Nested compression levels followed (`.tar.gz.gz` style wrapping); deeper is an error.
pub const MAX_DEPTH: usize = 3;

/// The error carried when a limit is hit; `scan` turns it into a diagnostic.
#[derive(Debug)]
pub struct LimitExceeded(pub String);

impl std::fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LimitExceeded {}

/// Counts the compressed bytes read.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Watches the decompressed output against the limits.
struct Limited<R> {
    inner: R,
    produced: u64,
    consumed: Arc<AtomicU64>,
    limits: Limits,
    format: Compression,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.produced += n as u64;
        let consumed = self.consumed.load(Ordering::Relaxed).max(1);
        let fail = |msg: String| Err(io::Error::other(LimitExceeded(msg)));
        if self.produced > self.limits.max_output {
            return fail(format!(
                "{:?} input expands past --max-decompressed-size ({} bytes); the rest was not scanned",
                self.format, self.limits.max_output
            ));
        }
        if self.produced > RATIO_GRACE && self.produced / consumed > self.limits.max_ratio {
            return fail(format!(
                "{:?} input expands more than {}:1 (a decompression bomb?); stopped after {} bytes",
                self.format, self.limits.max_ratio, self.produced
            ));
        }
        Ok(n)
    }
}

/// Wraps `reader` (positioned at the compressed stream's start) in a decoder.
pub fn decoder(
    format: Compression,
    reader: Box<dyn Read>,
    limits: Limits,
) -> io::Result<Box<dyn Read>> {
    let count = Arc::new(AtomicU64::new(0));
    let counted = Counting {
        inner: reader,
        count: count.clone(),
    };
    let inner: Box<dyn Read> = match format {
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(counted)),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(counted)?),
        Compression::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(counted)),
        Compression::Xz => Box::new(liblzma::read::XzDecoder::new_multi_decoder(counted)),
    };
    Ok(Box::new(Limited {
        inner,
        produced: 0,
        consumed: count,
        limits,
        format,
    }))
}

/// True when `e` (or what it wraps) is a limit being hit.
pub fn is_limit(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<LimitExceeded>())
}

/// The file name without compression extensions (`users.csv.gz` → `users.csv`), so
/// the inner format can be guessed from it.
pub fn inner_name(name: &str) -> &str {
    let mut n = name;
    'strip: loop {
        for ext in [".gz", ".gzip", ".zst", ".zstd", ".bz2", ".xz"] {
            if n.len() > ext.len() && n.to_ascii_lowercase().ends_with(ext) {
                n = &n[..n.len() - ext.len()];
                continue 'strip;
            }
        }
        return n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn round_trips_each_format() {
        let text = b"ssn: 536-22-8119\n".repeat(100);
        let zst = zstd::encode_all(&text[..], 3).unwrap();
        let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
        bz.write_all(&text).unwrap();
        let bz = bz.finish().unwrap();
        let mut xz = liblzma::write::XzEncoder::new(Vec::new(), 6);
        xz.write_all(&text).unwrap();
        let xz = xz.finish().unwrap();
        for (fmt, data) in [
            (Compression::Gzip, gz(&text)),
            (Compression::Zstd, zst),
            (Compression::Bzip2, bz),
            (Compression::Xz, xz),
        ] {
            assert_eq!(
                crate::source::sniff::sniff(&data),
                crate::source::sniff::Kind::Compressed(fmt)
            );
            let mut out = Vec::new();
            decoder(fmt, Box::new(io::Cursor::new(data)), Limits::default())
                .unwrap()
                .read_to_end(&mut out)
                .unwrap();
            assert_eq!(out, text);
        }
    }

    #[test]
    fn bombs_hit_the_ratio_limit() {
        let zeros = vec![0u8; 64 << 20];
        let bomb = gz(&zeros);
        let mut out = Vec::new();
        let err = decoder(
            Compression::Gzip,
            Box::new(io::Cursor::new(bomb)),
            Limits::default(),
        )
        .unwrap()
        .read_to_end(&mut out)
        .unwrap_err();
        assert!(is_limit(&err), "{err}");
        assert!(out.len() < 40 << 20);
    }

    #[test]
    fn size_limit() {
        let data = gz(&b"x".repeat(1 << 20));
        let limits = Limits {
            max_output: 1000,
            max_ratio: 1_000_000,
        };
        let err = decoder(Compression::Gzip, Box::new(io::Cursor::new(data)), limits)
            .unwrap()
            .read_to_end(&mut Vec::new())
            .unwrap_err();
        assert!(is_limit(&err));
    }

    #[test]
    fn inner_names() {
        assert_eq!(inner_name("exports/users.csv.gz"), "exports/users.csv");
        assert_eq!(inner_name("dump.sql.zst"), "dump.sql");
        assert_eq!(inner_name("m.csv.gz.gz"), "m.csv");
        assert_eq!(inner_name("plain.txt"), "plain.txt");
    }
}
