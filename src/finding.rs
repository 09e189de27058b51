//! What a scan reports: findings, their locations, severities and confidences.
//!
//! These types are the JSON output contract (`DESIGN.md` §3); field names and
//! enum spellings are stable.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// How bad it is when this kind of data leaks. Ordered: `Info < … < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How sure piiscan is that a finding is real PII. Ordered: `Low < Medium < High`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }

    /// One level up, saturating at `High`.
    pub fn raised(self) -> Confidence {
        match self {
            Confidence::Low => Confidence::Medium,
            _ => Confidence::High,
        }
    }

    /// One level down, or `None` below `Low`.
    pub fn lowered(self) -> Option<Confidence> {
        match self {
            Confidence::High => Some(Confidence::Medium),
            Confidence::Medium => Some(Confidence::Low),
            Confidence::Low => None,
        }
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What was found: a value, a column declaration, or a config key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingKind {
    /// A PII value stored in the data (`123-45-6789` in a dump row).
    Value,
    /// A schema column whose name or comment says it stores PII.
    Column,
    /// A configuration key whose name says its value is PII or a credential.
    Key,
}

/// How a stored value is protected. Judged from the declared type, the column or key
/// name and comments (`ssn_hash char(40) -- sha1(ssn), unsalted`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Protection {
    Plaintext,
    /// Only part of the value is kept (`ssn_last4`, masked).
    Partial,
    /// An unsalted or fast hash of a low-entropy value: reversible by enumeration.
    WeakHash,
    /// A salted, keyed or slow hash.
    Hashed,
    Encrypted,
    Tokenized,
    Unknown,
}

impl Protection {
    pub fn as_str(self) -> &'static str {
        match self {
            Protection::Plaintext => "plaintext",
            Protection::Partial => "partial",
            Protection::WeakHash => "weak_hash",
            Protection::Hashed => "hashed",
            Protection::Encrypted => "encrypted",
            Protection::Tokenized => "tokenized",
            Protection::Unknown => "unknown",
        }
    }
}

/// What a schema says about a column that holds PII.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnInfo {
    /// The type as declared (`varchar(11)`), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declared_type: Option<String>,
    pub protection: Protection,
}

/// Where a finding sits. Lines and columns are 1-based; `column` counts bytes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    /// The path as given on the command line (relative stays relative), `-` for stdin.
    /// Shared by the findings of one input.
    pub path: Arc<str>,
    pub line: u64,
    pub column: u64,
    /// Table name for SQL data (`public.customers`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// Column name, JSON path (`$.customer.ssn`) or config key path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Row number within `table` (1-based), or record number in a CSV/NDJSON file;
    /// for a database, the row's position in the sample.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<u64>,
    /// The database the finding comes from (`postgres://user@host:5432/db`, password
    /// never included, or `sqlite:PATH`); absent for files.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub source: Option<String>,
}

/// Whether a finding sits in structured storage (a column, a field, a key) or in free
/// text (a log line, a comment), which decides what storage location it belongs to.
/// Internal: not part of the JSON contract.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Scope {
    /// A column, an export field (CSV header, JSON path, XML element).
    #[default]
    Structured,
    /// A key of a configuration file.
    ConfigKey,
    /// Free text: the file is the storage location.
    FreeText,
}

/// One reported occurrence of PII.
///
/// Never holds the raw value unless the user asked for `--show-values`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Shared with the rule (and `pii_type` with the rule's type): a finding is made
    /// for every value found, and these are the same for each of a rule's findings.
    pub rule_id: Arc<str>,
    pub pii_type: Arc<str>,
    pub severity: Severity,
    pub confidence: Confidence,
    pub kind: FindingKind,
    pub location: Location,
    /// For `kind: column` (and `key`): declared type and protection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<ColumnInfo>,
    /// Masked evidence (`***-**-6789`), safe to print.
    pub evidence: String,
    /// Keyed, non-reversible identity of this finding (see `redact::Fingerprinter`).
    pub fingerprint: String,
    /// The unmasked value, only with `--show-values`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Why a finding that is reported anyway (`--show-suppressed`) is accepted: `baseline`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<String>,
    #[serde(skip)]
    pub scope: Scope,
}

/// `n` findings of one rule at one confidence, counted, not built (past the
/// listing cap: they make exposures and the summary, never a listed finding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountedFindings {
    pub rule_id: Arc<str>,
    pub pii_type: Arc<str>,
    pub severity: Severity,
    pub confidence: Confidence,
    pub n: u64,
    /// Where they are: the place of their location (as `Location` and `Finding`
    /// name it).
    pub table: Option<String>,
    pub field: Option<String>,
    pub scope: Scope,
}

/// The masked value of a finding counted, not built, while its exposure still lacked
/// samples, and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountedSample {
    pub table: Option<String>,
    pub field: Option<String>,
    pub scope: Scope,
    pub evidence: String,
}
