//! Baselines: accepted exposures, so a CI gate fails only on new ones.
//!
//! An entry is a storage location and a rule (`column:customers.ssn` + `us-ssn`),
//! never a line number: inserting lines or adding rows to a dump does not make an
//! accepted exposure new. Values in free text (a log) are entries with their keyed
//! fingerprint, so a new SSN in an accepted log file is new. The file is sorted JSON,
//! diff-friendly, and holds no value and no unkeyed hash of one.

use crate::aggregate::locate;
use crate::finding::{Finding, Scope};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::Path;

/// Version of the baseline file format.
pub const FORMAT: u32 = 1;

/// One accepted exposure (and, in free text, one accepted value).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub exposure: String,
    pub rule: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
}

impl Entry {
    pub fn of(f: &Finding) -> Entry {
        Entry {
            exposure: locate(f).0,
            rule: f.rule_id.to_string(),
            fingerprint: (f.scope == Scope::FreeText).then(|| f.fingerprint.clone()),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    piiscan_baseline: u32,
    #[serde(default)]
    note: Option<String>,
    entries: BTreeSet<Entry>,
}

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("cannot read baseline {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("baseline {path} is not a piiscan baseline: {message}")]
    Invalid { path: String, message: String },
}

/// The accepted entries.
#[derive(Debug, Default, Clone)]
pub struct Baseline {
    entries: BTreeSet<Entry>,
}

impl Baseline {
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Read {
            path: name.clone(),
            source,
        })?;
        let file: File = serde_json::from_str(&text).map_err(|e| BaselineError::Invalid {
            path: name.clone(),
            message: e.to_string(),
        })?;
        if file.piiscan_baseline != FORMAT {
            return Err(BaselineError::Invalid {
                path: name,
                message: format!(
                    "format {} (this piiscan reads {FORMAT})",
                    file.piiscan_baseline
                ),
            });
        }
        Ok(Baseline {
            entries: file.entries,
        })
    }

    pub fn accepts(&self, f: &Finding) -> bool {
        self.entries.contains(&Entry::of(f))
    }

    /// The baseline file text for `entries`: sorted, one entry per line group.
    pub fn render(entries: &BTreeSet<Entry>) -> String {
        let file = File {
            piiscan_baseline: FORMAT,
            note: Some("Exposures accepted by `piiscan scan --baseline`; regenerate with --write-baseline.".into()),
            entries: entries.clone(),
        };
        let mut s = serde_json::to_string_pretty(&file).expect("baseline serializes");
        s.push('\n');
        s
    }
}
