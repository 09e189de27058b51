//! Findings past the listing cap, counted instead of built.
//!
//! `--max-findings-per-location` lists the first findings of each exposure; the rest
//! only add to its counters. Building them (keyed fingerprint, masked evidence, the
//! location's strings), queueing them and dropping them unlisted was most of the cost
//! of a PII-dense dump or log. So the scan hands each input a set of [`Switches`],
//! one per location the input's findings go to; the ordering thread turns a location's
//! switch on once that exposure has listed all it may and holds its samples, and from
//! then on the extractor counts the location's hits per rule and confidence
//! ([`Tally`]) for the exposures and the summary. `docs/ARCHITECTURE.md` says why
//! this is exact.

use super::{FindingSink, Replay};
use crate::finding::{Confidence, Finding, Scope};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// The location a finding reports to, within one input, as extractors and the
/// ordering thread both can name it: the file itself (free text, and a table
/// without a field), or a table's column, an export's field or a config key as the
/// input spells them (the aggregator's `locate` decides what joins across inputs).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CountKey {
    File,
    Place {
        table: Option<String>,
        field: String,
        config: bool,
    },
}

impl CountKey {
    /// The key of a place (the aggregator's `storage_kind` rule: a place without a
    /// field, and free text without a table, report to the file).
    pub fn of(table: Option<&str>, field: Option<&str>, scope: Scope) -> CountKey {
        match (table, field) {
            (Some(_), Some(field)) => CountKey::Place {
                table: table.map(str::to_string),
                field: field.to_string(),
                config: false,
            },
            (None, Some(field)) if scope != Scope::FreeText => CountKey::Place {
                table: None,
                field: field.to_string(),
                config: scope == Scope::ConfigKey,
            },
            _ => CountKey::File,
        }
    }

    /// The key of a finding's place.
    pub fn of_finding(f: &Finding) -> CountKey {
        CountKey::of(
            f.location.table.as_deref(),
            f.location.field.as_deref(),
            f.scope,
        )
    }

    /// A place with this key: (table, field, scope).
    pub fn place(&self) -> (Option<&str>, Option<&str>, Scope) {
        match self {
            CountKey::File => (None, None, Scope::FreeText),
            CountKey::Place {
                table,
                field,
                config,
            } => (
                table.as_deref(),
                Some(field),
                if *config {
                    Scope::ConfigKey
                } else {
                    Scope::Structured
                },
            ),
        }
    }
}

/// One location's switch: on once its exposure listed all it may and holds its
/// samples, unless an inline directive was read in the input (a directive is
/// matched against each finding's line, so findings must be built again).
#[derive(Debug)]
pub struct CountOnly {
    pub key: CountKey,
    full: AtomicBool,
    /// The input's: set when a directive is read.
    blocked: Arc<AtomicBool>,
}

impl CountOnly {
    pub fn is_on(&self) -> bool {
        self.full.load(Ordering::Acquire) && !self.blocked.load(Ordering::Acquire)
    }
}

/// The switches of one input's locations, made on first use by either side.
#[derive(Debug, Default)]
pub struct Switches {
    blocked: Arc<AtomicBool>,
    by_key: Mutex<HashMap<CountKey, Arc<CountOnly>>>,
}

impl Switches {
    /// The switch of `key` (extractors ask once per location and keep it).
    pub fn get(&self, key: CountKey) -> Arc<CountOnly> {
        let mut m = self.by_key.lock().unwrap_or_else(|e| e.into_inner());
        m.entry(key.clone())
            .or_insert_with(|| {
                Arc::new(CountOnly {
                    key,
                    full: AtomicBool::new(false),
                    blocked: self.blocked.clone(),
                })
            })
            .clone()
    }

    /// Turns `key`'s switch on: its exposure is past the cap.
    pub fn set_full(&self, key: CountKey) {
        self.get(key).full.store(true, Ordering::Release);
    }

    /// An inline directive was read: every switch of the input is off from now on.
    pub fn block(&self) {
        self.blocked.store(true, Ordering::Release);
    }
}

/// Findings counted instead of built, per location, rule and confidence, in the order
/// first seen (a few entries: the rules that match at a few locations).
#[derive(Debug, Default, Clone)]
pub struct Tally(pub Vec<(Arc<CountOnly>, usize, Confidence, u64)>);

impl Tally {
    pub fn add(&mut self, at: &Arc<CountOnly>, rule: usize, confidence: Confidence, n: u64) {
        match self
            .0
            .iter_mut()
            .find(|(a, r, c, _)| *r == rule && *c == confidence && Arc::ptr_eq(a, at))
        {
            Some(e) => e.3 += n,
            None => self.0.push((at.clone(), rule, confidence, n)),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every count, handed to `out`.
    pub fn replay_to(&self, out: &mut dyn FindingSink) {
        for (at, rule, confidence, n) in &self.0 {
            out.counted(at, *rule, *confidence, *n);
        }
    }
}

/// Findings and counts of one piece of work done on the pool (a part of a file, a
/// batch of records).
#[derive(Debug, Default)]
pub struct Collected {
    pub findings: Vec<Finding>,
    pub counts: Tally,
}

impl FindingSink for Collected {
    fn finding(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    fn counted(&mut self, at: &Arc<CountOnly>, rule: usize, confidence: Confidence, n: u64) {
        self.counts.add(at, rule, confidence, n);
    }
}

impl Replay for Collected {
    fn replay(self, out: &mut dyn FindingSink) {
        self.findings.replay(out);
        self.counts.replay_to(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The key says what the aggregator's `storage_kind` says of the same place.
    #[test]
    fn keys_follow_the_exposure_kinds() {
        use crate::aggregate::{StorageKind, storage_kind};
        for table in [None, Some("customers")] {
            for field in [None, Some("ssn")] {
                for scope in [Scope::Structured, Scope::ConfigKey, Scope::FreeText] {
                    let key = CountKey::of(table, field, scope);
                    let mut f = crate::finding::Finding {
                        rule_id: "us-ssn".into(),
                        pii_type: "ssn".into(),
                        severity: crate::finding::Severity::Critical,
                        confidence: Confidence::High,
                        kind: crate::finding::FindingKind::Value,
                        location: crate::finding::Location {
                            path: "x".into(),
                            line: 1,
                            column: 1,
                            table: table.map(str::to_string),
                            field: field.map(str::to_string),
                            record: None,
                            source: None,
                        },
                        column: None,
                        evidence: String::new(),
                        fingerprint: String::new(),
                        value: None,
                        suppressed: None,
                        scope,
                    };
                    let kind = storage_kind(&f);
                    assert_eq!(key == CountKey::File, kind == StorageKind::File);
                    // The key's own place reports to the same kind of exposure.
                    let (t, fl, s) = key.place();
                    f.location.table = t.map(str::to_string);
                    f.location.field = fl.map(str::to_string);
                    f.scope = s;
                    assert_eq!(storage_kind(&f), kind, "{table:?} {field:?} {scope:?}");
                    assert_eq!(CountKey::of_finding(&f), key);
                }
            }
        }
    }

    #[test]
    fn a_directive_turns_every_switch_off() {
        let s = Switches::default();
        let a = s.get(CountKey::File);
        assert!(!a.is_on());
        s.set_full(CountKey::File);
        assert!(a.is_on(), "the same switch");
        let b = s.get(CountKey::of(Some("t"), Some("c"), Scope::Structured));
        s.set_full(b.key.clone());
        assert!(b.is_on());
        s.block();
        assert!(!a.is_on() && !b.is_on());
    }
}
