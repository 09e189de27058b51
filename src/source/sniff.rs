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
    if memchr::memchr(0, &head[..head.len().min(SNIFF_LEN)]).is_some() {
        return Kind::Binary;
    }
    Kind::Text
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
    }
}
