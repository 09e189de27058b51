//! Problems met while scanning: what could not be read, skipped, or parsed.
//!
//! Messages never quote scanned content (it may be the very PII being hunted).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiagnosticKind {
    /// A binary file found while walking a directory (named files are scanned anyway).
    SkippedBinary,
    /// A symbolic link not followed (use `--follow`).
    SkippedSymlink,
    /// A FIFO, socket or device file.
    SkippedSpecial,
    /// A file over `--max-file-size`.
    TooLarge,
    /// A path given on the command line that does not exist.
    NotFound,
    /// Reading failed part-way or could not start (permissions, I/O error).
    ReadError,
    /// A directory could not be walked (permissions, symlink loop).
    WalkError,
    /// A format piiscan recognises but cannot scan directly (e.g. pg_dump custom format).
    Unsupported,
    /// piiscan itself failed on this input (a bug: please report it).
    InternalError,
    /// Some statements could not be parsed and were read leniently instead (a note:
    /// nothing was skipped).
    ParseFallback,
    /// A resource limit stopped the scan of this input part-way (decompressed size,
    /// compression ratio, nesting depth).
    LimitExceeded,
    /// A database could not be read, or only in part: connection, authentication,
    /// privileges, a statement timeout.
    Database,
}

impl DiagnosticKind {
    /// True when data that should have been scanned was not: the scan is incomplete.
    pub fn makes_incomplete(self) -> bool {
        matches!(
            self,
            DiagnosticKind::TooLarge
                | DiagnosticKind::NotFound
                | DiagnosticKind::ReadError
                | DiagnosticKind::WalkError
                | DiagnosticKind::Unsupported
                | DiagnosticKind::InternalError
                | DiagnosticKind::LimitExceeded
                | DiagnosticKind::Database
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DiagnosticKind::SkippedBinary => "skipped_binary",
            DiagnosticKind::SkippedSymlink => "skipped_symlink",
            DiagnosticKind::SkippedSpecial => "skipped_special",
            DiagnosticKind::TooLarge => "too_large",
            DiagnosticKind::NotFound => "not_found",
            DiagnosticKind::ReadError => "read_error",
            DiagnosticKind::WalkError => "walk_error",
            DiagnosticKind::Unsupported => "unsupported",
            DiagnosticKind::InternalError => "internal_error",
            DiagnosticKind::LimitExceeded => "limit_exceeded",
            DiagnosticKind::ParseFallback => "parse_fallback",
            DiagnosticKind::Database => "database",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub path: String,
    pub kind: DiagnosticKind,
    pub message: String,
}

impl Diagnostic {
    pub fn new(path: impl Into<String>, kind: DiagnosticKind, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.into(),
            kind,
            message: message.into(),
        }
    }
}
