//! Findings past the listing cap, counted instead of built.
//!
//! `--max-findings-per-location` lists the first findings of each exposure; the rest
//! only add to its counters. Building them (keyed fingerprint, masked evidence, the
//! location's strings), queueing them and dropping them unlisted was most of the cost
//! of a PII-dense dump or log. So the scan hands each input a set of [`Switches`],
//! one per location the input's findings go to; the ordering thread turns a location's
//! switch on once that exposure has listed all it may and holds its samples, and from
//! then on the extractor counts the location's hits per rule and confidence
//! ([`Tally`]) for the exposures and the summary. While the exposure still lacks
//! its samples, a counted hit brings its masked value along (a new sample is taken
//! in order). `docs/ARCHITECTURE.md` says why this is exact.

use super::{FindingSink, Replay};
use crate::finding::{Confidence, Finding, Scope};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
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

    /// True when `f`'s place has this key (`of_finding`, without building it).
    pub fn holds(&self, f: &Finding) -> bool {
        let l = &f.location;
        match self {
            CountKey::File => {
                matches!((&l.table, &l.field), (Some(_), None) | (None, None))
                    || (l.table.is_none() && f.scope == Scope::FreeText)
            }
            CountKey::Place {
                table,
                field,
                config,
            } => {
                l.field.as_deref() == Some(field.as_str())
                    && l.table == *table
                    && (table.is_some()
                        || (f.scope != Scope::FreeText && (f.scope == Scope::ConfigKey) == *config))
            }
        }
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

/// What an extractor does with a hit at a location.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Build the finding.
    Build,
    /// Count it and bring its masked value along: the exposure listed all it may but
    /// lacks samples.
    CountWithSample,
    /// Count it.
    Count,
}

/// One location's switch: set by the ordering thread once the location's exposure
/// listed all it may (and again once it holds its samples); off for good once an
/// inline directive was read in the input (a directive is matched against each
/// finding's line, so findings must be built again).
#[derive(Debug)]
pub struct CountOnly {
    pub key: CountKey,
    /// 0 build, 1 count with samples, 2 count.
    level: AtomicU8,
    /// The input's: set when a directive is read.
    blocked: Arc<AtomicBool>,
}

impl CountOnly {
    pub fn mode(&self) -> Mode {
        if self.blocked.load(Ordering::Acquire) {
            return Mode::Build;
        }
        match self.level.load(Ordering::Acquire) {
            0 => Mode::Build,
            1 => Mode::CountWithSample,
            _ => Mode::Count,
        }
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
                    level: AtomicU8::new(0),
                    blocked: self.blocked.clone(),
                })
            })
            .clone()
    }

    /// `key`'s exposure is past the cap: count its hits, with their samples while
    /// `samples_full` is false.
    pub fn set(&self, key: CountKey, samples_full: bool) {
        let level = if samples_full { 2 } else { 1 };
        self.get(key).level.fetch_max(level, Ordering::AcqRel);
    }

    /// An inline directive was read: every switch of the input is off from now on.
    pub fn block(&self) {
        self.blocked.store(true, Ordering::Release);
    }
}

/// Findings counted instead of built, per location, rule and confidence, in the order
/// first seen (a few entries: the rules that match at a few locations), and the
/// distinct masked values they brought along per location (at most
/// `aggregate::MAX_SAMPLES` each), in order.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    pub counts: Vec<(Arc<CountOnly>, usize, Confidence, u64)>,
    pub samples: Vec<(Arc<CountOnly>, String)>,
}

impl Tally {
    pub fn add(&mut self, at: &Arc<CountOnly>, rule: usize, confidence: Confidence, n: u64) {
        match self
            .counts
            .iter_mut()
            .find(|(a, r, c, _)| *r == rule && *c == confidence && Arc::ptr_eq(a, at))
        {
            Some(e) => e.3 += n,
            None => self.counts.push((at.clone(), rule, confidence, n)),
        }
    }

    /// A counted hit's masked value, kept when new at its location (and while the
    /// location has fewer than `MAX_SAMPLES` here: later ones cannot be taken).
    pub fn add_sample(&mut self, at: &Arc<CountOnly>, evidence: &str) {
        let mut here = 0;
        for (a, e) in &self.samples {
            if Arc::ptr_eq(a, at) {
                if e == evidence {
                    return;
                }
                here += 1;
            }
        }
        if here < crate::aggregate::MAX_SAMPLES {
            self.samples.push((at.clone(), evidence.to_string()));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty() && self.samples.is_empty()
    }

    /// How many findings are counted.
    pub fn total(&self) -> u64 {
        self.counts.iter().map(|c| c.3).sum()
    }

    /// True when `f` is at a location this tally counts: `f` must then be handed on
    /// after the tally, so that the location's samples are taken in order.
    pub fn holds(&self, f: &Finding) -> bool {
        self.counts.iter().any(|c| c.0.key.holds(f))
            || self.samples.iter().any(|s| s.0.key.holds(f))
    }

    /// Every count and sample, handed to `out`.
    pub fn replay_to(self, out: &mut dyn FindingSink) {
        for (at, evidence) in self.samples {
            out.sample(&at, evidence);
        }
        for (at, rule, confidence, n) in &self.counts {
            out.counted(at, *rule, *confidence, *n);
        }
    }
}

/// Findings and counts of one piece of work done on the pool (a part of a file, a
/// batch of records), in an order that keeps each location's own order.
#[derive(Debug, Default)]
pub struct Collected {
    /// Findings and counts handed on before `findings` and `counts`.
    earlier: Vec<(Vec<Finding>, Tally)>,
    pub findings: Vec<Finding>,
    pub counts: Tally,
}

impl FindingSink for Collected {
    fn finding(&mut self, finding: Finding) {
        if !self.counts.is_empty() && self.counts.holds(&finding) {
            let before = std::mem::take(&mut self.findings);
            self.earlier
                .push((before, std::mem::take(&mut self.counts)));
        }
        self.findings.push(finding);
    }

    fn counted(&mut self, at: &Arc<CountOnly>, rule: usize, confidence: Confidence, n: u64) {
        self.counts.add(at, rule, confidence, n);
    }

    fn sample(&mut self, at: &Arc<CountOnly>, evidence: String) {
        self.counts.add_sample(at, &evidence);
    }
}

impl Replay for Collected {
    fn replay(self, out: &mut dyn FindingSink) {
        for (findings, counts) in self.earlier {
            findings.replay(out);
            counts.replay_to(out);
        }
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
                    let mut f = crate::aggregate::counted_finding(
                        "x",
                        table.map(str::to_string),
                        field.map(str::to_string),
                        scope,
                    );
                    assert!(key.holds(&f), "{table:?} {field:?} {scope:?}");
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
    fn switches_go_up_and_a_directive_turns_every_one_off() {
        let s = Switches::default();
        let a = s.get(CountKey::File);
        assert_eq!(a.mode(), Mode::Build);
        s.set(CountKey::File, false);
        assert_eq!(a.mode(), Mode::CountWithSample, "the same switch");
        s.set(CountKey::File, true);
        s.set(CountKey::File, false);
        assert_eq!(a.mode(), Mode::Count, "never back down");
        let b = s.get(CountKey::of(Some("t"), Some("c"), Scope::Structured));
        s.set(b.key.clone(), true);
        assert_eq!(b.mode(), Mode::Count);
        s.block();
        assert_eq!((a.mode(), b.mode()), (Mode::Build, Mode::Build));
    }

    /// A tally keeps at most `MAX_SAMPLES` distinct values per location, in order.
    #[test]
    fn a_tally_keeps_a_few_distinct_samples_per_location() {
        let s = Switches::default();
        let (a, b) = (
            s.get(CountKey::File),
            s.get(CountKey::of(None, Some("x"), Scope::Structured)),
        );
        let mut t = Tally::default();
        for e in ["1", "1", "2", "3", "4"] {
            t.add_sample(&a, e);
        }
        t.add_sample(&b, "9");
        let got: Vec<_> = t.samples.iter().map(|(_, e)| e.as_str()).collect();
        assert_eq!(got, ["1", "2", "3", "9"]);
    }
}
