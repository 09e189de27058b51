//! The project config `.piiscan.toml`: allowlist entries, each with a required reason.
//!
//! ```toml
//! [[allow]]
//! path = "logs/**"                          # glob relative to the scan root
//! reason = "mail logs are purged daily"
//! [[allow]]
//! location = "public.clients.display_name"  # table.column, CSV/JSON field or config key path
//!                                           # (`db:public.clients.display_name`: live databases only)
//! rule = "person-name-column"               # optional: narrows to one rule id
//! reason = "business contact names, approved by DPO"
//! ```

use crate::aggregate::normalize_table;
use crate::finding::Finding;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The config file name looked for at the scan root.
pub const FILE_NAME: &str = ".piiscan.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    allow: Vec<Spanned<AllowEntry>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AllowEntry {
    path: Option<String>,
    location: Option<String>,
    rule: Option<String>,
    reason: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Invalid {
        path: String,
        line: usize,
        message: String,
    },
}

#[derive(Debug)]
struct Allow {
    path: Option<globset::GlobMatcher>,
    /// `table.column` normalised (`clients.display_name`), or a field / key path.
    location: Option<String>,
    /// `location = "db:…"`: only findings read from a live database.
    db_only: bool,
    rule: Option<String>,
}

/// The loaded allowlist and where it came from.
#[derive(Debug)]
pub struct Allowlist {
    pub source: PathBuf,
    /// Paths in findings are as given; globs are relative to this root.
    root: String,
    entries: Vec<Allow>,
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|b| *b == b'\n')
        .count()
        + 1
}

/// Normalises a `schema.table.column` location to `table.column`.
fn column_form(location: &str) -> Option<String> {
    let (table, column) = location.rsplit_once('.')?;
    Some(format!(
        "{}.{}",
        normalize_table(table),
        column.to_ascii_lowercase()
    ))
}

impl Allowlist {
    /// Loads `path`; globs are relative to `root`. `rule_ids` validates `rule = …`.
    pub fn load(path: &Path, root: &str, rule_ids: &[&str]) -> Result<Allowlist, ConfigError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: name.clone(),
            source,
        })?;
        let invalid = |offset: usize, message: String| ConfigError::Invalid {
            path: name.clone(),
            line: line_of(&text, offset),
            message,
        };
        let file: ConfigFile = toml::from_str(&text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            let entry = text[..(offset + 9).min(text.len())]
                .matches("[[allow]]")
                .count();
            let which = if entry > 0 {
                format!("allow entry {entry}: ")
            } else {
                String::new()
            };
            invalid(offset, format!("{which}{}", e.message().trim()))
        })?;
        let mut entries = Vec::new();
        for (i, spanned) in file.allow.into_iter().enumerate() {
            let at = spanned.span().start;
            let e = spanned.into_inner();
            let entry = format!("allow entry {}", i + 1);
            if e.reason.trim().is_empty() {
                return Err(invalid(
                    at,
                    format!("{entry}: `reason` must say why this is accepted"),
                ));
            }
            if e.path.is_none() && e.location.is_none() && e.rule.is_none() {
                return Err(invalid(
                    at,
                    format!(
                        "{entry}: give `path`, `location` or `rule` (an entry must not allow everything)"
                    ),
                ));
            }
            if let Some(rule) = &e.rule {
                if !rule_ids.contains(&rule.as_str()) {
                    return Err(invalid(
                        at,
                        format!(
                            "{entry}: `rule` names unknown rule id `{rule}` (see `piiscan rules list`)"
                        ),
                    ));
                }
            }
            let glob = match &e.path {
                Some(p) => Some(
                    globset::Glob::new(p)
                        .map_err(|err| invalid(at, format!("{entry}: bad `path` glob: {err}")))?
                        .compile_matcher(),
                ),
                None => None,
            };
            let db_only = e.location.as_deref().is_some_and(|l| l.starts_with("db:"));
            entries.push(Allow {
                path: glob,
                location: e
                    .location
                    .map(|l| l.strip_prefix("db:").map(str::to_string).unwrap_or(l)),
                db_only,
                rule: e.rule,
            });
        }
        Ok(Allowlist {
            source: path.to_path_buf(),
            root: root.to_string(),
            entries,
        })
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// True when an entry allows this finding.
    pub fn allows(&self, f: &Finding) -> bool {
        let rel = f
            .location
            .path
            .strip_prefix(&self.root)
            .map_or(&*f.location.path, |r| r.trim_start_matches('/'));
        let column = match (&f.location.table, &f.location.field) {
            (Some(t), Some(c)) => {
                Some(format!("{}.{}", normalize_table(t), c.to_ascii_lowercase()))
            }
            _ => None,
        };
        self.entries.iter().any(|a| {
            a.path.as_ref().is_none_or(|g| g.is_match(rel))
                && (!a.db_only || f.location.source.is_some())
                && a.rule.as_ref().is_none_or(|r| **r == *f.rule_id)
                && a.location.as_ref().is_none_or(|l| {
                    f.location.field.as_deref() == Some(l.as_str())
                        || column.is_some() && column == column_form(l)
                })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Allowlist, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(FILE_NAME);
        std::fs::write(&p, text).unwrap();
        Allowlist::load(&p, "repo", &["person-name-column", "us-ssn"])
    }

    #[test]
    fn errors_name_the_entry() {
        let e =
            load("[[allow]]\npath = \"logs/**\"\nreason = \"ok\"\n[[allow]]\nlocation = \"a.b\"\n")
                .unwrap_err()
                .to_string();
        assert!(
            e.contains(":4: allow entry 2: missing field `reason`"),
            "{e}"
        );
        let e = load("[[allow]]\npath = \"x\"\nreason = \"r\"\nreasn = \"typo\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("allow entry 1: unknown field `reasn`"), "{e}");
        let e = load("[[allow]]\nrule = \"person-name\"\nreason = \"r\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown rule id `person-name`"), "{e}");
    }
}
