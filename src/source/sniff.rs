//! Deciding what a file is from its first bytes (content decides, not the extension).

/// How many leading bytes are sniffed.
pub const SNIFF_LEN: usize = 8 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    Gzip,
    Zstd,
    Bzip2,
    Xz,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Binary,
    Compressed(Compression),
    /// pg_dump custom or tar archive format: needs `pg_restore` first.
    PgDumpArchive,
    /// An SQLite database file.
    Sqlite,
    /// UTF-16 text (with a byte-order mark, or recognised by its NUL pattern).
    Utf16(super::utf16::Utf16),
}

pub fn sniff(head: &[u8]) -> Kind {
    if head.starts_with(b"PGDMP") {
        return Kind::PgDumpArchive;
    }
    if head.starts_with(b"SQLite format 3\0") {
        return Kind::Sqlite;
    }
    if head.starts_with(&[0x1f, 0x8b]) {
        return Kind::Compressed(Compression::Gzip);
    }
    if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        return Kind::Compressed(Compression::Zstd);
    }
    if head.starts_with(b"BZh") && head.get(3).is_some_and(|b| (b'1'..=b'9').contains(b)) {
        return Kind::Compressed(Compression::Bzip2);
    }
    if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
        return Kind::Compressed(Compression::Xz);
    }
    if let Some(u) = super::utf16::detect(head) {
        return Kind::Utf16(u);
    }
    if looks_binary(&head[..head.len().min(SNIFF_LEN)]) {
        return Kind::Binary;
    }
    Kind::Text
}

/// Binary content has control bytes other than line ends, tabs and NULs, or NULs
/// scattered through it. Text padded with NULs (fixed-width records, preallocated
/// logs) is text: its non-NUL bytes are printable.
fn looks_binary(head: &[u8]) -> bool {
    let nuls = memchr::memchr_iter(0, head).count();
    if nuls == 0 {
        return false;
    }
    let controls = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, 0 | b'\t' | b'\n' | b'\r' | 0x0c))
        .count();
    // NUL runs: padding comes in runs, binary structures scatter single NULs.
    let runs =
        head.windows(2).filter(|w| w[0] != 0 && w[1] == 0).count() + usize::from(head[0] == 0);
    let text_bytes = head.len() - nuls;
    controls * 100 > text_bytes.max(1) || runs * 16 > head.len() || text_bytes == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert_eq!(sniff(b"-- PostgreSQL dump\n"), Kind::Text);
        assert_eq!(sniff(b"PGDMP\x01\x0e"), Kind::PgDumpArchive);
        assert_eq!(
            sniff(&[0x1f, 0x8b, 8, 0]),
            Kind::Compressed(Compression::Gzip)
        );
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0"), Kind::Binary);
        assert_eq!(sniff(b"caf\xe9 latin-1 text"), Kind::Text);
        // Fixed-width records padded with NULs, a preallocated log: text.
        let mut padded = Vec::new();
        for i in 0..40 {
            let mut rec = format!("{i:04} Ana Diaz 536-22-8119").into_bytes();
            rec.resize(64, 0);
            padded.extend(rec);
        }
        assert_eq!(sniff(&padded), Kind::Text);
        let mut log = b"2026-11-30 started\nssn=536-22-8119\n".to_vec();
        log.resize(8192, 0);
        assert_eq!(sniff(&log), Kind::Text);
        // Binary structures: scattered NULs and control bytes.
        let elf: Vec<u8> = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0\x01\0\0\0"
            .iter()
            .copied()
            .cycle()
            .take(4096)
            .collect();
        assert_eq!(sniff(&elf), Kind::Binary);
        assert_eq!(sniff(&[0u8; 512]), Kind::Binary);
    }
}
