//! Exposures: findings joined per storage location.
//!
//! A consultant's question is not "which lines match" but "where do we store SSNs":
//! one exposure per `table.column` (joining the schema, migrations, dumps and live
//! data that refer to it, with table names normalised for schema prefix, quoting and
//! case), per field of an export (CSV header, JSON path, XML element), per config key,
//! or per file for free text (logs). The aggregator keeps counters and a few samples
//! per location, never every value, so memory grows with locations, not findings.

use crate::finding::{
    Confidence, CountedFindings, CountedSample, Finding, FindingKind, Protection, Scope, Severity,
};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Files listed per exposure, and masked samples kept.
const MAX_SIGHTINGS: usize = 10;
pub const MAX_SAMPLES: usize = 3;

/// What kind of storage an exposure is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StorageKind {
    /// A database column (`customers.ssn`), from schemas, dumps or live databases.
    Column,
    /// A field of an export file (CSV header, JSON path, XML element).
    Field,
    /// A key of a configuration file.
    ConfigKey,
    /// Free text: the file itself (logs, notes, SQL comments).
    File,
}

/// Where an exposure was seen: a file, the first line there, and how.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Sighting {
    pub path: String,
    pub line: u64,
    /// `column` for a declaration, `value` for stored values.
    pub kind: FindingKind,
    /// A live database (`path` is then its masked URL and `line` means nothing).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub database: bool,
}

impl Sighting {
    /// `path:line` for a file, the URL for a database.
    pub fn place(&self) -> String {
        if self.database {
            self.path.clone()
        } else {
            format!("{}:{}", self.path, self.line)
        }
    }
}

/// One storage location that holds PII.
#[derive(Debug, Clone, Serialize)]
pub struct Exposure {
    /// Stable identity (baselines use it): `column:customers.ssn`,
    /// `field:exports/users.csv#ssn`, `key:config/app.yml#admin.ssn`, `file:logs/app.log`.
    pub id: String,
    pub storage: StorageKind,
    /// Human-readable place: `customers.ssn`, `exports/users.csv: ssn`, `logs/app.log`.
    pub location: String,
    pub pii_types: Vec<String>,
    /// Values found, per PII type.
    pub values: BTreeMap<String, u64>,
    /// True when a schema declares the column.
    pub declared: bool,
    /// Declared type, when a schema gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declared_type: Option<String>,
    /// How the stored values are protected: the declaration's verdict, or `plaintext`
    /// when values were found in clear.
    pub protection: Protection,
    pub severity: Severity,
    pub confidence: Confidence,
    pub rules: Vec<String>,
    pub seen_in: Vec<Sighting>,
    /// A few masked values.
    pub samples: Vec<String>,
    /// For columns read from a database: how many sampled values hold PII, per database.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub prevalence: Vec<Prevalence>,
    /// Remediation text of the rules involved (for the remediation list).
    #[serde(skip)]
    pub rule_remediation: Vec<String>,
}

impl Exposure {
    fn new(id: String, storage: StorageKind, location: String) -> Exposure {
        Exposure {
            id,
            storage,
            location,
            pii_types: Vec::new(),
            values: BTreeMap::new(),
            declared: false,
            declared_type: None,
            protection: Protection::Unknown,
            severity: Severity::Info,
            confidence: Confidence::Low,
            rules: Vec::new(),
            seen_in: Vec::new(),
            samples: Vec::new(),
            prevalence: Vec::new(),
            rule_remediation: Vec::new(),
        }
    }
}

/// Sampled values of a database column: `matching` of `sampled` non-null values hold
/// PII (the ratio estimates the share of the table's rows that do).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prevalence {
    /// The database, password masked.
    pub source: String,
    /// `schema.table` as the database names it.
    pub table: String,
    pub matching: u64,
    pub sampled: u64,
    /// Sampled values that are hash or crypt strings.
    pub hashed: u64,
    /// `matching / sampled`, 0 when nothing was sampled.
    pub ratio: f64,
    /// The database's estimate of the table's rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows_estimate: Option<u64>,
}

/// Table names compare without schema prefix, quotes or case (`"Public"."Customers"` = `customers`).
pub fn normalize_table(table: &str) -> String {
    let last = table.rsplit('.').next().unwrap_or(table);
    last.trim_matches(|c| matches!(c, '"' | '`' | '[' | ']'))
        .to_ascii_lowercase()
}

/// `table.column`, normalised: schema prefix, quotes and case dropped.
pub fn column_place(table: &str, field: &str) -> String {
    let t = normalize_table(table);
    let c = field
        .trim_matches(|c| matches!(c, '"' | '`' | '[' | ']'))
        .to_ascii_lowercase();
    format!("{t}.{c}")
}

/// The exposure a finding belongs to: (id, storage kind, display location).
pub fn locate(f: &Finding) -> (String, StorageKind, String) {
    let loc = &f.location;
    let config_file = f.scope == Scope::ConfigKey;
    match (&loc.table, &loc.field) {
        (Some(table), Some(field)) => {
            let place = column_place(table, field);
            (format!("column:{place}"), StorageKind::Column, place)
        }
        (None, Some(field)) if f.scope != Scope::FreeText => {
            if config_file {
                (
                    format!("key:{}#{field}", loc.path),
                    StorageKind::ConfigKey,
                    format!("{}: {field}", loc.path),
                )
            } else {
                (
                    format!("field:{}#{field}", loc.path),
                    StorageKind::Field,
                    format!("{}: {field}", loc.path),
                )
            }
        }
        _ => (
            format!("file:{}", loc.path),
            StorageKind::File,
            loc.path.to_string(),
        ),
    }
}

/// A stand-in for findings counted, not built, at a place of `path`: what the
/// aggregator reads of them (the place; the rule and grades are set by the caller).
/// Its location already has the sighting of `path`, and its samples come separately.
pub(crate) fn counted_finding(
    path: &str,
    table: Option<String>,
    field: Option<String>,
    scope: Scope,
) -> Finding {
    Finding {
        rule_id: "".into(),
        pii_type: "".into(),
        severity: Severity::Info,
        confidence: Confidence::Low,
        kind: FindingKind::Value,
        location: crate::finding::Location {
            path: path.into(),
            line: 0,
            column: 0,
            table,
            field,
            record: None,
            source: None,
        },
        column: None,
        evidence: String::new(),
        fingerprint: String::new(),
        value: None,
        suppressed: None,
        scope,
    }
}

/// The kind of `f`'s exposure: `locate(f).1` without building its id.
pub fn storage_kind(f: &Finding) -> StorageKind {
    match (&f.location.table, &f.location.field) {
        (Some(_), Some(_)) => StorageKind::Column,
        (None, Some(_)) if f.scope != Scope::FreeText => {
            if f.scope == Scope::ConfigKey {
                StorageKind::ConfigKey
            } else {
                StorageKind::Field
            }
        }
        _ => StorageKind::File,
    }
}

/// Collects findings into exposures.
#[derive(Debug, Default)]
pub struct Aggregator {
    /// Exposure id → its index in `places`: a finding's place is looked up by id
    /// once, not once per finding.
    slots: HashMap<String, usize>,
    places: Vec<Collected>,
    /// Database column samples by exposure id, attached to the exposures at the end.
    prevalence: BTreeMap<String, Vec<Prevalence>>,
    /// The places seen last: findings come in runs of a few places (a log file, a
    /// table's columns, row after row), so the id is rarely built again.
    recent: Vec<RecentPlace>,
    /// The index in `recent` of the place used last: the next finding is usually at
    /// the same place or, in the next field of a row, the one after it.
    last: usize,
    /// The index in `recent` the next new place replaces, once it is full.
    evict: usize,
}

/// What is known of one exposure id while findings come in.
#[derive(Debug)]
struct Collected {
    exposure: Exposure,
    /// A finding was added (`count_listed` alone does not make an exposure).
    added: bool,
    /// Path → first sighting, to keep one line per file.
    sightings: BTreeMap<String, Sighting>,
    /// Values were found in clear.
    clear_values: bool,
    /// Findings listed (`count_listed`).
    listed: u64,
}

/// A place findings came from (what `locate` computes an exposure id from), and the
/// slot of that id.
#[derive(Debug)]
struct RecentPlace {
    path: String,
    table: Option<String>,
    field: Option<String>,
    scope: Scope,
    slot: usize,
    /// Its sighting was recorded: later findings there cannot change it.
    sighted: bool,
}

impl RecentPlace {
    /// Compares the field first: it tells apart the places of one file's fields.
    fn is_of(&self, f: &Finding) -> bool {
        self.field == f.location.field
            && self.table == f.location.table
            && self.scope == f.scope
            && *self.path == *f.location.path
    }
}

const RECENT_PLACES: usize = 16;

impl Aggregator {
    /// The index in `recent` of the place of `f`, added when new.
    fn touch_place(&mut self, f: &Finding) -> usize {
        let n = self.recent.len();
        let next = if self.last + 1 < n { self.last + 1 } else { 0 };
        let found = if n > 0 && self.recent[self.last].is_of(f) {
            Some(self.last)
        } else if n > 0 && self.recent[next].is_of(f) {
            Some(next)
        } else {
            self.recent.iter().position(|r| r.is_of(f))
        };
        let i = found.unwrap_or_else(|| {
            let (id, storage, location) = locate(f);
            let slot = match self.slots.get(&id) {
                Some(&slot) => slot,
                None => {
                    self.places.push(Collected {
                        exposure: Exposure::new(id.clone(), storage, location),
                        added: false,
                        sightings: BTreeMap::new(),
                        clear_values: false,
                        listed: 0,
                    });
                    self.slots.insert(id, self.places.len() - 1);
                    self.places.len() - 1
                }
            };
            let place = RecentPlace {
                path: f.location.path.to_string(),
                table: f.location.table.clone(),
                field: f.location.field.clone(),
                scope: f.scope,
                slot,
                sighted: false,
            };
            if self.recent.len() < RECENT_PLACES {
                self.recent.push(place);
                self.recent.len() - 1
            } else {
                let i = self.evict;
                self.evict = (i + 1) % RECENT_PLACES;
                self.recent[i] = place;
                i
            }
        });
        self.last = i;
        i
    }

    /// Counts `f` among the findings listed for its storage location; returns how many
    /// that location has listed, this one included (for `--max-findings-per-location`).
    pub fn count_listed(&mut self, f: &Finding) -> u64 {
        let i = self.touch_place(f);
        let c = &mut self.places[self.recent[i].slot];
        c.listed += 1;
        c.listed
    }

    pub fn add(&mut self, f: &Finding, remediation: Option<&str>) {
        let i = self.touch_place(f);
        self.add_at(i, f, remediation, 1, true);
    }

    /// The masked value of a finding of `path` counted, not built, while its
    /// location was short of samples: a sample when new (as `add` takes them).
    pub fn add_counted_sample(&mut self, path: &str, c: &CountedSample) {
        let f = counted_finding(path, c.table.clone(), c.field.clone(), c.scope);
        let i = self.touch_place(&f);
        let e = &mut self.places[self.recent[i].slot].exposure;
        if e.samples.len() < MAX_SAMPLES && !e.samples.contains(&c.evidence) {
            e.samples.push(c.evidence.clone());
        }
    }

    /// Value findings of `path` that were counted, not built (past the listing cap of
    /// their location, which already listed findings of `path`): what they add to its
    /// exposure, as if each had been added and counted.
    pub fn add_counted(&mut self, path: &str, c: &CountedFindings, remediation: Option<&str>) {
        if c.n == 0 {
            return;
        }
        let mut f = counted_finding(path, c.table.clone(), c.field.clone(), c.scope);
        f.rule_id = c.rule_id.clone();
        f.pii_type = c.pii_type.clone();
        f.severity = c.severity;
        f.confidence = c.confidence;
        let i = self.touch_place(&f);
        self.add_at(i, &f, remediation, c.n, false);
        self.places[self.recent[i].slot].listed += c.n;
    }

    /// [`add`](Self::add) and [`count_listed`](Self::count_listed) in one look-up of
    /// the place.
    pub fn add_and_count(&mut self, f: &Finding, remediation: Option<&str>) -> u64 {
        let i = self.touch_place(f);
        self.add_at(i, f, remediation, 1, true);
        let c = &mut self.places[self.recent[i].slot];
        c.listed += 1;
        c.listed
    }

    /// `add` for the place `recent[i]`, which is `f`'s: `n` findings like `f` (only
    /// counted ones come more than one at a time, and bring no sample: `sample`
    /// false).
    fn add_at(&mut self, i: usize, f: &Finding, remediation: Option<&str>, n: u64, sample: bool) {
        let place = &mut self.recent[i];
        let c = &mut self.places[place.slot];
        c.added = true;
        let e = &mut c.exposure;
        if !e.pii_types.iter().any(|t| **t == *f.pii_type) {
            e.pii_types.push(f.pii_type.to_string());
            e.pii_types.sort();
        }
        if !e.rules.iter().any(|r| **r == *f.rule_id) {
            e.rules.push(f.rule_id.to_string());
            e.rules.sort();
            // A rule's remediation text is the same for each of its findings.
            if let Some(r) = remediation.filter(|r| !e.rule_remediation.iter().any(|x| x == r)) {
                e.rule_remediation.push(r.to_string());
            }
        }
        e.confidence = e.confidence.max(f.confidence);
        match f.kind {
            FindingKind::Value => {
                match e.values.get_mut(&*f.pii_type) {
                    Some(v) => *v += n,
                    None => {
                        e.values.insert(f.pii_type.to_string(), n);
                    }
                }
                e.severity = e.severity.max(f.severity);
                if sample && e.samples.len() < MAX_SAMPLES && !e.samples.contains(&f.evidence) {
                    e.samples.push(f.evidence.clone());
                }
                c.clear_values = true;
            }
            FindingKind::Column | FindingKind::Key => {
                e.declared = true;
                if let Some(col) = &f.column {
                    e.declared_type = e.declared_type.take().or_else(|| col.declared_type.clone());
                    // Several declarations (schema, migrations): the weakest protection wins.
                    e.protection = if e.protection == Protection::Unknown {
                        col.protection
                    } else {
                        e.protection.min(col.protection)
                    };
                }
                e.severity = e.severity.max(f.severity);
            }
        }
        if !place.sighted {
            place.sighted = true;
            let seen = &mut c.sightings;
            if !seen.contains_key(&*f.location.path) && seen.len() < MAX_SIGHTINGS {
                seen.insert(
                    f.location.path.to_string(),
                    Sighting {
                        path: f.location.path.to_string(),
                        line: f.location.line,
                        kind: f.kind,
                        database: f.location.source.is_some(),
                    },
                );
            }
        }
    }

    /// Records what a database's sample showed per column (`source`: the database).
    pub fn add_samples(&mut self, source: &str, samples: &[crate::db::ColumnSample]) {
        for c in samples {
            let id = format!("column:{}", column_place(&c.table, &c.column));
            self.prevalence.entry(id).or_default().push(Prevalence {
                source: source.to_string(),
                table: c.table.clone(),
                matching: c.matching,
                sampled: c.sampled,
                hashed: c.hashed,
                ratio: if c.sampled == 0 {
                    0.0
                } else {
                    c.matching as f64 / c.sampled as f64
                },
                rows_estimate: c.rows_estimate,
            });
        }
    }

    /// The exposures findings were added to, with their sightings, and the ids of
    /// those whose values were found in clear.
    fn collected(self) -> Joined {
        let mut j = Joined {
            prevalence: self.prevalence,
            ..Joined::default()
        };
        for c in self.places.into_iter().filter(|c| c.added) {
            let id = c.exposure.id.clone();
            if c.clear_values {
                j.clear_values.insert(id.clone());
            }
            j.sightings.insert(id.clone(), c.sightings);
            j.exposures.insert(id, c.exposure);
        }
        j
    }

    /// The exposures, in location order. Values found in clear make an exposure
    /// `plaintext` whatever its declaration says, and give it their severity.
    pub fn finish(self) -> Vec<Exposure> {
        self.collected().finish()
    }
}

/// The exposures by id once every finding is in, joined and finished.
#[derive(Debug, Default)]
struct Joined {
    exposures: BTreeMap<String, Exposure>,
    /// Per exposure: (path → first sighting).
    sightings: BTreeMap<String, BTreeMap<String, Sighting>>,
    clear_values: BTreeSet<String>,
    prevalence: BTreeMap<String, Vec<Prevalence>>,
}

impl Joined {
    /// Joins export fields into the table column they copy: a file named after a table
    /// (`exports/customers.csv`, `customers.ndjson.gz`) whose field names a column of
    /// that table (`ssn`) is the same storage location as `customers.ssn`.
    fn join_exports(&mut self) {
        let ids: Vec<String> = self
            .exposures
            .keys()
            .filter(|k| k.starts_with("field:"))
            .cloned()
            .collect();
        for id in ids {
            let Some((path, field)) = id["field:".len()..].rsplit_once('#') else {
                continue;
            };
            let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
            let stem = file.split('.').next().unwrap_or(file).to_ascii_lowercase();
            let leaf = crate::engine::context::leaf(field).to_ascii_lowercase();
            let column_id = format!("column:{stem}.{leaf}");
            if !self.exposures.contains_key(&column_id) {
                continue;
            }
            let field_exposure = self.exposures.remove(&id).expect("listed");
            let sightings = self.sightings.remove(&id).unwrap_or_default();
            let target = self.exposures.get_mut(&column_id).expect("checked");
            for (t, n) in field_exposure.values {
                *target.values.entry(t).or_default() += n;
            }
            for t in field_exposure.pii_types {
                if !target.pii_types.contains(&t) {
                    target.pii_types.push(t);
                }
            }
            for r in field_exposure.rules {
                if !target.rules.contains(&r) {
                    target.rules.push(r);
                }
            }
            target.rules.sort();
            target.severity = target.severity.max(field_exposure.severity);
            target.confidence = target.confidence.max(field_exposure.confidence);
            for sample in field_exposure.samples {
                if target.samples.len() < MAX_SAMPLES && !target.samples.contains(&sample) {
                    target.samples.push(sample);
                }
            }
            let seen = self.sightings.entry(column_id.clone()).or_default();
            for (p, s) in sightings {
                if seen.len() < MAX_SIGHTINGS {
                    seen.entry(p).or_insert(s);
                }
            }
            if self.clear_values.remove(&id) {
                self.clear_values.insert(column_id);
            }
        }
    }

    fn finish(mut self) -> Vec<Exposure> {
        self.join_exports();
        for (id, e) in &mut self.exposures {
            if self.clear_values.contains(id) {
                e.protection = Protection::Plaintext;
            } else if !e.declared {
                e.protection = Protection::Unknown;
            }
            e.prevalence = self.prevalence.remove(id).unwrap_or_default();
            // A live sample whose every value is a hash shows what the declaration
            // could not (`users.password text` holding bcrypt strings).
            let all_hashed = !e.prevalence.is_empty()
                && e.prevalence
                    .iter()
                    .all(|p| p.sampled > 0 && p.hashed == p.sampled);
            if all_hashed
                && !self.clear_values.contains(id)
                && matches!(e.protection, Protection::Unknown | Protection::Plaintext)
            {
                e.protection = Protection::Hashed;
            }
            e.seen_in = self
                .sightings
                .remove(id)
                .map(|m| m.into_values().collect())
                .unwrap_or_default();
        }
        self.exposures.into_values().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{ColumnInfo, Location};

    fn finding(
        path: &str,
        table: Option<&str>,
        field: Option<&str>,
        kind: FindingKind,
        protection: Option<Protection>,
    ) -> Finding {
        Finding {
            rule_id: "us-ssn".into(),
            pii_type: "ssn".into(),
            severity: Severity::Critical,
            confidence: Confidence::High,
            kind,
            location: Location {
                path: path.into(),
                line: 3,
                column: 1,
                table: table.map(Into::into),
                field: field.map(Into::into),
                record: None,
                source: None,
            },
            column: protection.map(|p| ColumnInfo {
                declared_type: Some("varchar(11)".into()),
                protection: p,
            }),
            evidence: "***-**-6789".into(),
            fingerprint: String::new(),
            value: None,
            suppressed: None,
            scope: Scope::Structured,
        }
    }

    #[test]
    fn schema_dump_and_migration_join_on_normalised_names() {
        let mut a = Aggregator::default();
        a.add(
            &finding(
                "schema.sql",
                Some("public.customers"),
                Some("ssn"),
                FindingKind::Column,
                Some(Protection::Encrypted),
            ),
            None,
        );
        a.add(
            &finding(
                "dump.sql",
                Some("\"Customers\""),
                Some("SSN"),
                FindingKind::Value,
                None,
            ),
            None,
        );
        a.add(
            &finding(
                "dump.sql",
                Some("customers"),
                Some("ssn"),
                FindingKind::Value,
                None,
            ),
            None,
        );
        let e = a.finish();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].id, "column:customers.ssn");
        assert_eq!(e[0].values["ssn"], 2);
        assert_eq!(
            e[0].protection,
            Protection::Plaintext,
            "values in clear beat the declaration"
        );
        assert_eq!(
            e[0].seen_in
                .iter()
                .map(|s| s.path.as_str())
                .collect::<Vec<_>>(),
            ["dump.sql", "schema.sql"]
        );
    }

    proptest::proptest! {
        /// Findings from more places than the aggregator keeps as recent, in any
        /// order: each exposure counts its values, lists its first line per file, and
        /// `count_listed` counts the findings of its place, as a plain tally does
        /// (after `add`, or within `add_and_count`).
        #[test]
        fn exposures_tally_findings_from_many_places_in_any_order(
            seq in proptest::collection::vec((0..3usize, 0..3usize, 0..24usize, 0..3usize, proptest::bool::ANY, 1..500u64), 1..300),
            at_once in proptest::collection::vec(proptest::bool::ANY, 300),
        ) {
            let mut a = Aggregator::default();
            let mut values: BTreeMap<String, u64> = BTreeMap::new();
            let mut first: BTreeMap<(String, String), u64> = BTreeMap::new();
            let mut listed: BTreeMap<String, u64> = BTreeMap::new();
            for ((path, table, field, scope, column, line), at_once) in seq.into_iter().zip(at_once) {
                let path = ["a.sql", "b.sql", "x/customers.csv"][path];
                let table = [None, Some("customers"), Some("public.Orders")][table];
                let field = format!("f{field}");
                let kind = if column { FindingKind::Column } else { FindingKind::Value };
                let mut f = finding(path, table, Some(&field), kind, None);
                f.location.line = line;
                f.scope = [Scope::Structured, Scope::ConfigKey, Scope::FreeText][scope];
                let (id, storage, _) = locate(&f);
                proptest::prop_assert_eq!(storage_kind(&f), storage);
                let n = listed.entry(id.clone()).or_default();
                *n += 1;
                let counted = if at_once {
                    a.add_and_count(&f, None)
                } else {
                    a.add(&f, None);
                    a.count_listed(&f)
                };
                proptest::prop_assert_eq!(counted, *n);
                if !column {
                    *values.entry(id.clone()).or_default() += 1;
                }
                first.entry((id.clone(), path.to_string())).or_insert(line);
            }
            // Before exports are joined to table columns, exposures are `locate`'s ids.
            let joined = a.collected();
            for (id, e) in &joined.exposures {
                proptest::prop_assert_eq!(e.values.get("ssn").copied(), values.get(id).copied());
                let seen: Vec<(String, u64)> = joined.sightings[id]
                    .values()
                    .map(|s| (s.path.clone(), s.line))
                    .collect();
                let want: Vec<(String, u64)> = first
                    .iter()
                    .filter(|((i, _), _)| i == id)
                    .map(|((_, p), l)| (p.clone(), *l))
                    .collect();
                proptest::prop_assert_eq!(seen, want);
            }
            proptest::prop_assert_eq!(joined.exposures.len(), listed.len());
        }
    }

    #[test]
    fn fields_keys_and_files() {
        let mut a = Aggregator::default();
        a.add(
            &finding("x.csv", None, Some("ssn"), FindingKind::Value, None),
            None,
        );
        let mut key = finding("app.yml", None, Some("admin.ssn"), FindingKind::Value, None);
        key.scope = Scope::ConfigKey;
        a.add(&key, None);
        let mut free = finding("app.log", None, Some("ssn"), FindingKind::Value, None);
        free.scope = Scope::FreeText;
        a.add(&free, None);
        let ids: Vec<String> = a.finish().into_iter().map(|e| e.id).collect();
        assert_eq!(
            ids,
            ["field:x.csv#ssn", "file:app.log", "key:app.yml#admin.ssn"]
        );
    }

    #[test]
    fn exports_named_after_a_table_join_its_columns() {
        let mut a = Aggregator::default();
        a.add(
            &finding(
                "db/schema.sql",
                Some("public.customers"),
                Some("ssn"),
                FindingKind::Column,
                Some(Protection::Plaintext),
            ),
            None,
        );
        a.add(
            &finding(
                "exports/customers.csv.gz",
                None,
                Some("ssn"),
                FindingKind::Value,
                None,
            ),
            None,
        );
        a.add(
            &finding(
                "exports/customers.csv.gz",
                None,
                Some("notes"),
                FindingKind::Value,
                None,
            ),
            None,
        );
        let e = a.finish();
        let ids: Vec<&str> = e.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "column:customers.ssn",
                "field:exports/customers.csv.gz#notes"
            ]
        );
        assert_eq!(e[0].seen_in.len(), 2);
        assert_eq!(e[0].values["ssn"], 1);
    }
}
