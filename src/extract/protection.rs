//! Judging how a stored column or key protects its values, from what the schema says:
//! the declared type, the name and any comment.
//!
//! `ssn_hash char(40) -- sha1(ssn), unsalted` → `weak_hash`: there are only ~10^9 SSNs,
//! so a fast unkeyed hash of one is reversed by enumeration.

use crate::engine::context::words;
use crate::finding::{Protection, Severity};

/// PII types with so few possible values that a fast unkeyed hash is reversible.
const LOW_ENTROPY: &[&str] = &[
    "ssn",
    "itin",
    "date_of_birth",
    "phone",
    "postal_code",
    "credit_card",
    "bank_account",
    "routing_number",
    "passport",
    "drivers_license",
    "national_id",
];

const TOKEN_WORDS: &[&str] = &["token", "tokenized", "tokenised", "tok", "surrogate"];
const ENCRYPTED_WORDS: &[&str] = &[
    "encrypted",
    "encrypt",
    "enc",
    "cipher",
    "ciphertext",
    "crypted",
    "encr",
    "aes",
    "kms",
    "sealed",
];
const HASH_WORDS: &[&str] = &[
    "hash", "hashed", "digest", "sha", "sha1", "sha256", "sha512", "md5", "hmac", "bcrypt",
    "scrypt", "argon2", "argon2id", "pbkdf2", "crypt",
];
const STRONG_HASH_WORDS: &[&str] = &[
    "hmac", "bcrypt", "scrypt", "argon2", "argon2id", "pbkdf2", "salted", "keyed", "peppered",
];
const WEAK_HASH_WORDS: &[&str] = &["md5", "sha1", "unsalted", "unkeyed"];
const PARTIAL_WORDS: &[&str] = &[
    "last4",
    "lastfour",
    "masked",
    "mask",
    "truncated",
    "partial",
    "redacted",
];

/// True for binary column types, which usually hold ciphertext.
fn is_binary_type(t: &str) -> bool {
    let base = t.split(['(', ' ']).next().unwrap_or(t);
    matches!(
        base,
        "bytea"
            | "blob"
            | "tinyblob"
            | "mediumblob"
            | "longblob"
            | "binary"
            | "varbinary"
            | "image"
            | "raw"
            | "long raw"
            | "bytes"
    )
}

/// Length in a declared type such as `char(40)` or `varchar(60)`.
fn declared_length(t: &str) -> Option<u32> {
    let open = t.find('(')?;
    let close = t[open..].find(')')? + open;
    t[open + 1..close].split(',').next()?.trim().parse().ok()
}

/// Words in a comment that make its protection words an intention, not a fact
/// (`'Should be encrypted in application'`).
const NOT_DONE_WORDS: &[&str] = &[
    "should",
    "must",
    "todo",
    "not",
    "unencrypted",
    "plaintext",
    "plain",
    "clear",
    "cleartext",
    "will",
    "to",
];

/// The protection of a column or key holding `pii_type`.
pub fn judge(
    pii_type: &str,
    name: &str,
    declared_type: Option<&str>,
    comment: Option<&str>,
) -> Protection {
    let mut w = words(name);
    let mut plaintext_said = false;
    if let Some(c) = comment {
        let cw = words(c);
        if cw.iter().any(|x| NOT_DONE_WORDS.contains(&x.as_str())) {
            plaintext_said = true;
        } else {
            w.extend(cw);
        }
    }
    let has = |list: &[&str]| w.iter().any(|x| list.contains(&x.as_str()));
    let ty = declared_type.map(|t| t.trim().to_ascii_lowercase());
    let weak_marker = has(WEAK_HASH_WORDS);
    if has(TOKEN_WORDS) {
        return Protection::Tokenized;
    }
    let last_n = w
        .windows(2)
        .any(|p| p[0] == "last" && matches!(p[1].as_str(), "4" | "four" | "digits"));
    if has(PARTIAL_WORDS) || last_n {
        return Protection::Partial;
    }
    // Names are read literally: `encrypted_password` is encrypted (Devise stores a bcrypt
    // hash there, attr_encrypted a ciphertext; both are protected).
    if has(HASH_WORDS) {
        return if weak_marker {
            Protection::WeakHash
        } else if has(STRONG_HASH_WORDS) {
            Protection::Hashed
        } else if LOW_ENTROPY.contains(&pii_type) {
            Protection::WeakHash
        } else {
            Protection::Hashed
        };
    }
    if has(ENCRYPTED_WORDS) {
        return Protection::Encrypted;
    }
    if plaintext_said {
        return Protection::Plaintext;
    }
    match ty.as_deref() {
        // Binary types alone prove nothing: MySQL schemas (MediaWiki) keep text in VARBINARY.
        Some(t) if is_binary_type(t) => Protection::Unknown,
        // A password column sized for a hex digest most likely holds one.
        Some(t) if pii_type == "password" => match declared_length(t) {
            Some(32 | 40) => Protection::WeakHash,
            Some(60) => Protection::Hashed,
            _ => Protection::Unknown,
        },
        Some(_) => Protection::Plaintext,
        None => Protection::Unknown,
    }
}

/// False when a column of `declared_type` cannot hold `pii_type` at all: a flag or a
/// timestamp is never a password, a number never an e-mail address or a name.
pub fn type_can_hold(pii_type: &str, declared_type: Option<&str>) -> bool {
    let Some(t) = declared_type else { return true };
    let t = t.trim().to_ascii_lowercase();
    let base = t.split(['(', ' ']).next().unwrap_or(&t);
    if matches!(base, "bool" | "boolean" | "bit") || t.starts_with("tinyint(1)") {
        return false;
    }
    let temporal = matches!(
        base,
        "date"
            | "datetime"
            | "datetime2"
            | "smalldatetime"
            | "timestamp"
            | "timestamptz"
            | "time"
            | "timetz"
            | "interval"
            | "year"
    );
    if temporal {
        return pii_type == "date_of_birth";
    }
    let numeric = matches!(
        base,
        "int"
            | "integer"
            | "bigint"
            | "smallint"
            | "tinyint"
            | "mediumint"
            | "serial"
            | "bigserial"
            | "smallserial"
            | "numeric"
            | "decimal"
            | "number"
            | "float"
            | "double"
            | "real"
            | "money"
            | "int2"
            | "int4"
            | "int8"
            | "float4"
            | "float8"
    );
    !(numeric && matches!(pii_type, "email" | "person_name" | "street_address"))
}

/// The severity of stored PII given its protection: plaintext keeps the rule's
/// severity; a weak hash is one level lower; partial or properly hashed values are
/// `low`; encrypted or tokenized ones `info`.
pub fn adjusted_severity(rule: Severity, protection: Protection) -> Severity {
    match protection {
        Protection::Plaintext | Protection::Unknown => rule,
        Protection::WeakHash => match rule {
            Severity::Critical => Severity::High,
            Severity::High => Severity::Medium,
            other => other,
        },
        Protection::Partial | Protection::Hashed => rule.min(Severity::Low),
        Protection::Encrypted | Protection::Tokenized => Severity::Info,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts() {
        assert_eq!(
            judge("ssn", "ssn", Some("varchar(11)"), None),
            Protection::Plaintext
        );
        assert_eq!(
            judge(
                "ssn",
                "ssn_hash",
                Some("char(40)"),
                Some("sha1(ssn), unsalted")
            ),
            Protection::WeakHash
        );
        assert_eq!(
            judge("ssn", "ssn_hmac", Some("bytea"), None),
            Protection::Hashed
        );
        assert_eq!(
            judge("ssn", "ssn_encrypted", Some("text"), None),
            Protection::Encrypted
        );
        assert_eq!(
            judge("ssn", "ssn", Some("bytea"), None),
            Protection::Unknown
        );
        assert_eq!(
            judge("person_name", "last_name", Some("text"), None),
            Protection::Plaintext
        );
        assert_eq!(
            judge("ssn", "SSN_Last_4", Some("char(4)"), None),
            Protection::Partial
        );
        assert_eq!(
            judge("ssn", "ssn_token", Some("varchar(36)"), None),
            Protection::Tokenized
        );
        assert_eq!(
            judge("ssn", "ssn_last4", Some("char(4)"), None),
            Protection::Partial
        );
        assert_eq!(
            judge(
                "password",
                "encrypted_password",
                Some("character varying"),
                None
            ),
            Protection::Encrypted
        );
        assert_eq!(
            judge("password", "password", Some("character varying(40)"), None),
            Protection::WeakHash
        );
        assert_eq!(
            judge("password", "password_md5", Some("varchar(32)"), None),
            Protection::WeakHash
        );
        assert_eq!(judge("email", "email", None, None), Protection::Unknown);
        assert_eq!(
            judge(
                "ssn",
                "ssn",
                Some("VARCHAR(31)"),
                Some("Should be encrypted in application")
            ),
            Protection::Plaintext
        );
        assert_eq!(
            judge(
                "ssn",
                "tax_id",
                Some("varchar(11)"),
                Some("encrypted with KMS key")
            ),
            Protection::Encrypted
        );
    }

    #[test]
    fn types_that_cannot_hold_the_value() {
        assert!(!type_can_hold("password", Some("DATETIME")));
        assert!(!type_can_hold("password", Some("TINYINT(1)")));
        assert!(!type_can_hold("email", Some("integer")));
        assert!(type_can_hold("date_of_birth", Some("date")));
        assert!(type_can_hold("ssn", Some("bigint")));
        assert!(type_can_hold("ssn", None));
    }

    #[test]
    fn severities() {
        assert_eq!(
            adjusted_severity(Severity::Critical, Protection::Plaintext),
            Severity::Critical
        );
        assert_eq!(
            adjusted_severity(Severity::Critical, Protection::WeakHash),
            Severity::High
        );
        assert_eq!(
            adjusted_severity(Severity::Critical, Protection::Encrypted),
            Severity::Info
        );
        assert_eq!(
            adjusted_severity(Severity::Medium, Protection::Hashed),
            Severity::Low
        );
    }
}

/// Whether a stored value is itself a hash or crypt string rather than the clear value:
/// modular crypt (`$2b$12$…`, `$argon2id$…`, `$6$…`), Django/Werkzeug style
/// (`pbkdf2_sha256$…`, `pbkdf2:sha256:…`), LDAP (`{SSHA}…`), or a bare hex digest
/// (32, 40, 56, 64, 96 or 128 hex digits). A password column full of these holds no
/// password in clear.
pub fn value_is_hash(v: &[u8]) -> bool {
    let v = v.trim_ascii();
    let modular = v.len() >= 20
        && v[0] == b'$'
        && v[1..].iter().take(12).any(|&b| b == b'$')
        && !v.contains(&b' ');
    let named = [
        &b"pbkdf2"[..],
        b"argon2",
        b"bcrypt",
        b"scrypt",
        b"sha1$",
        b"md5$",
        b"{SSHA",
        b"{SHA",
        b"{CRYPT}",
    ]
    .iter()
    .any(|p| v.len() > p.len() + 8 && v[..p.len()].eq_ignore_ascii_case(p));
    let hex =
        matches!(v.len(), 32 | 40 | 56 | 64 | 96 | 128) && v.iter().all(u8::is_ascii_hexdigit);
    modular || named || hex
}

#[cfg(test)]
mod value_tests {
    use super::value_is_hash;

    #[test]
    fn hashes_are_recognised_and_passwords_are_not() {
        for h in [
            "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
            "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
            "$6$rounds=5000$salt$IxDD3jeSOb5eB1CX5LBsqZFVkJdido3OUILO5Ifz5iwMuTS4XMS130MTSuDDl3aCI6WouIL9AjRbLCelDCy.g.",
            "pbkdf2_sha256$260000$abc$Zm9vYmFyYmF6cXV4",
            "{SSHA}dGhpcyBpcyBhIHRlc3Q=",
            "5f4dcc3b5aa765d61d8327deb882cf99",
        ] {
            assert!(value_is_hash(h.as_bytes()), "{h}");
        }
        for p in [
            "hunter2",
            "P@ssw0rd!",
            "$money$",
            "correct horse battery staple",
            "123456",
        ] {
            assert!(!value_is_hash(p.as_bytes()), "{p}");
        }
    }
}
