//! Extractors: turn bytes of one format into scanned fields with locations.
//!
//! Every extractor streams with bounded buffers and hands `(bytes, context)` to the
//! engine, then turns the engine's hits into `Finding`s through a `FindingBuilder`,
//! which owns masking, fingerprints and the confidence threshold.

pub mod config;
pub mod count;
pub mod delimited;
pub mod format;
pub mod infer;
pub mod json;
pub mod protection;
pub mod sql;
pub mod text;
pub mod xml;

use crate::engine::{Engine, FieldContext, FieldName, NameHit, ValueHit};
use crate::finding::{ColumnInfo, Confidence, Finding, FindingKind, Location, Scope};
use crate::redact::{self, Fingerprinter};
pub use count::{Collected, CountKey, CountOnly, Mode, Switches, Tally};
use std::collections::HashMap;
use std::sync::Arc;

/// Feeds every byte of `reader` to `on_byte` with its 1-based line and column (the
/// newline itself is reported at column 0 of the next line). Stops at the first error
/// from `on_byte`. Returns the bytes read.
pub fn for_each_byte(
    mut reader: impl std::io::BufRead,
    mut on_byte: impl FnMut(u8, u64, u64) -> std::io::Result<()>,
) -> (u64, std::io::Result<()>) {
    let (mut line, mut column, mut total) = (1u64, 0u64, 0u64);
    loop {
        let buf = match reader.fill_buf() {
            Ok([]) => return (total, Ok(())),
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return (total, Err(e)),
        };
        let n = buf.len();
        for &b in buf {
            if b == b'\n' {
                line += 1;
                column = 0;
            } else {
                column += 1;
            }
            if let Err(e) = on_byte(b, line, column) {
                return (total + n as u64, Err(e));
            }
        }
        total += n as u64;
        reader.consume(n);
    }
}

/// Where extractors put findings as they find them (streamed, never collected per file).
/// Work handed to the rayon pool whose results must be taken in the order it was
/// handed over (parts of one file, batches of records), however the pool runs it.
pub struct Ordered<T> {
    queue: std::collections::VecDeque<std::sync::mpsc::Receiver<T>>,
}

impl<T> Default for Ordered<T> {
    fn default() -> Self {
        Ordered {
            queue: Default::default(),
        }
    }
}

impl<T: Send> Ordered<T> {
    /// Runs `job` on the pool; its result is queued behind the earlier jobs'.
    pub fn spawn<'s>(&mut self, scope: &rayon::Scope<'s>, job: impl FnOnce() -> T + Send + 's)
    where
        T: 's,
    {
        let (tx, rx) = std::sync::mpsc::channel();
        self.queue.push_back(rx);
        scope.spawn(move |_| {
            let _ = tx.send(job());
        });
    }

    pub fn len(&self) -> usize {
        self.queue.len()
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// The oldest job's result, waited for while helping the pool; `None` when
    /// nothing is queued or the job panicked (the scope then re-raises the panic,
    /// which the scan's guard reports for the file).
    pub fn wait_next(&mut self) -> Option<T> {
        let rx = self.queue.pop_front()?;
        loop {
            match rx.try_recv() {
                Ok(result) => return Some(result),
                Err(std::sync::mpsc::TryRecvError::Empty) => {
                    if rayon::yield_now() != Some(rayon::Yield::Executed) {
                        std::thread::yield_now();
                    }
                }
                Err(std::sync::mpsc::TryRecvError::Disconnected) => return None,
            }
        }
    }
}

/// A job's result that hands findings on.
pub trait Replay {
    fn replay(self, out: &mut dyn FindingSink);
}

impl Replay for Vec<Finding> {
    fn replay(self, out: &mut dyn FindingSink) {
        for f in self {
            out.finding(f);
        }
    }
}

impl<T: Replay + Send> Ordered<T> {
    /// Hands every queued job's findings to `out`, in order.
    pub fn drain(&mut self, out: &mut dyn FindingSink) {
        while !self.is_empty() {
            self.next_to(out);
        }
    }

    /// Hands the oldest job's findings to `out`.
    pub fn next_to(&mut self, out: &mut dyn FindingSink) {
        if let Some(r) = self.wait_next() {
            r.replay(out);
        }
    }
}

pub trait FindingSink {
    fn finding(&mut self, finding: Finding);

    /// `n` value findings of rule `rule` (an index into the engine's rules) at
    /// `at`'s location that were counted, not built, because `at` was on
    /// ([`count`]). Only the scan's sink hands out switches
    /// ([`FindingSink::count_only`]); it and the sinks between it and the
    /// extractors receive these.
    fn counted(&mut self, at: &Arc<CountOnly>, rule: usize, confidence: Confidence, n: u64);

    /// The masked value of a hit counted at `at` while `at`'s exposure lacks samples
    /// (handed on in order with the findings of the same location).
    fn sample(&mut self, at: &Arc<CountOnly>, evidence: String);

    /// The switches that let this input's findings be counted instead of built, when
    /// the sink's consumer can tell when listing them is over; `None` (the default)
    /// keeps every finding built.
    fn count_only(&mut self) -> Option<Arc<Switches>> {
        None
    }
}

impl FindingSink for Vec<Finding> {
    fn finding(&mut self, finding: Finding) {
        self.push(finding);
    }

    fn counted(&mut self, _at: &Arc<CountOnly>, _rule: usize, _confidence: Confidence, _n: u64) {
        // A Vec never hands out switches, and the scan never gives an extractor one
        // whose findings are collected in a Vec (the pool's jobs use `Collected`).
        debug_assert!(false, "a counted finding reached a Vec sink");
    }

    fn sample(&mut self, _at: &Arc<CountOnly>, _evidence: String) {
        debug_assert!(false, "a counted finding reached a Vec sink");
    }
}

/// Per-scan settings every extractor needs to build findings.
#[derive(Debug, Clone, Copy)]
pub struct FindingPolicy<'a> {
    pub min_confidence: Confidence,
    pub show_values: bool,
    pub fingerprinter: &'a Fingerprinter,
}

/// Builds findings for one input.
pub struct FindingBuilder<'a> {
    pub engine: &'a Engine,
    /// Shared with each finding's location.
    pub path: std::sync::Arc<str>,
    /// The database, for findings from one (`Location::source`).
    pub source: Option<&'a str>,
    pub policy: FindingPolicy<'a>,
    /// This input's count-only switches, when its findings past the listing cap may
    /// be counted instead of built ([`count`]).
    pub count_only: Option<Arc<Switches>>,
}

/// Where a value sits, beyond line and column.
#[derive(Debug, Clone, Default)]
pub struct Place {
    pub line: u64,
    pub column: u64,
    pub table: Option<String>,
    pub field: Option<String>,
    pub record: Option<u64>,
    /// What kind of storage the value is in (decides its exposure).
    pub scope: Scope,
}

impl<'a> FindingBuilder<'a> {
    /// This builder without count-only switches: every finding built (for scans
    /// whose findings are filtered by position, which counts do not carry).
    pub fn building_only(&self) -> FindingBuilder<'a> {
        FindingBuilder {
            engine: self.engine,
            path: self.path.clone(),
            source: self.source,
            policy: self.policy,
            count_only: None,
        }
    }

    /// The switch of the location `key` names, when this input has switches.
    pub fn switch(&self, key: CountKey) -> Option<Arc<CountOnly>> {
        self.count_only.as_ref().map(|s| s.get(key))
    }

    /// Counts `hit` (in `hay`) at `at` instead of building it, when `at` says so,
    /// with its masked value while the location lacks samples; false (nothing done)
    /// when the hit must be built.
    pub fn counted(
        &self,
        hit: &ValueHit,
        hay: &[u8],
        at: Option<&Arc<CountOnly>>,
        out: &mut dyn FindingSink,
    ) -> bool {
        let Some(at) = at else { return false };
        let mode = at.mode();
        if mode == Mode::Build {
            return false;
        }
        if hit.confidence >= self.policy.min_confidence {
            if mode == Mode::CountWithSample {
                let rule = self.engine.rule(hit.rule);
                out.sample(at, redact::mask(&hay[hit.start..hit.end], rule.mask));
            }
            out.counted(at, hit.rule, hit.confidence, 1);
        }
        true
    }

    /// A value finding, or `None` when it is below the confidence threshold.
    pub fn value(&self, hit: &ValueHit, hay: &[u8], place: Place) -> Option<Finding> {
        if hit.confidence < self.policy.min_confidence {
            return None;
        }
        let rule = self.engine.rule(hit.rule);
        let raw = &hay[hit.start..hit.end];
        let fingerprint = self.policy.fingerprinter.fingerprint(&[
            rule.id.as_bytes(),
            self.path.as_bytes(),
            place.table.as_deref().unwrap_or("").as_bytes(),
            place.field.as_deref().unwrap_or("").as_bytes(),
            raw,
        ]);
        Some(Finding {
            rule_id: rule.id.clone(),
            pii_type: rule.pii_type.clone(),
            severity: rule.severity,
            confidence: hit.confidence,
            kind: FindingKind::Value,
            location: Location {
                path: self.path.clone(),
                line: place.line,
                column: place.column,
                table: place.table,
                field: place.field,
                record: place.record,
                source: self.source.map(str::to_string),
            },
            column: None,
            evidence: redact::mask(raw, rule.mask),
            fingerprint,
            value: self
                .policy
                .show_values
                .then(|| String::from_utf8_lossy(raw).into_owned()),
            suppressed: None,
            scope: place.scope,
        })
    }
}

/// A declared column or config key whose name says it stores PII.
#[derive(Debug, Clone, Copy)]
pub struct Declaration<'a> {
    pub kind: FindingKind,
    /// The column or key name as written (also the `field` of the location).
    pub name: &'a str,
    pub declared_type: Option<&'a str>,
    pub comment: Option<&'a str>,
}

impl FindingBuilder<'_> {
    /// Column / key findings for a declaration, one per name rule that matches its name
    /// (or, when the name says nothing, its comment), with protection judged and
    /// severity adjusted for it. Returns how many findings were made.
    pub fn declarations(
        &self,
        decl: Declaration<'_>,
        place: Place,
        out: &mut dyn FindingSink,
    ) -> usize {
        let mut hits: Vec<NameHit> = self.engine.classify_name(decl.name);
        if hits.is_empty() {
            if let Some(rule) = decl.comment.and_then(|c| self.engine.classify_comment(c)) {
                hits.push(NameHit {
                    rule,
                    confidence: Confidence::Medium,
                });
            }
        }
        let mut made = 0;
        // One finding per PII type: the best-scoring rule of each.
        let mut seen_types: Vec<&str> = Vec::new();
        for hit in hits {
            let rule = self.engine.rule(hit.rule);
            if hit.confidence < self.policy.min_confidence
                || seen_types.contains(&&*rule.pii_type)
                || !protection::type_can_hold(&rule.pii_type, decl.declared_type)
            {
                continue;
            }
            seen_types.push(&rule.pii_type);
            let protection =
                protection::judge(&rule.pii_type, decl.name, decl.declared_type, decl.comment);
            let what = match decl.kind {
                FindingKind::Column => "column",
                _ => "key",
            };
            let evidence = match decl.declared_type {
                Some(t) => format!("{what} {} {t}", decl.name),
                None => format!("{what} {}", decl.name),
            };
            let fingerprint = self.policy.fingerprinter.fingerprint(&[
                rule.id.as_bytes(),
                self.path.as_bytes(),
                place.table.as_deref().unwrap_or("").as_bytes(),
                decl.name.as_bytes(),
            ]);
            out.finding(Finding {
                rule_id: rule.id.clone(),
                pii_type: rule.pii_type.clone(),
                severity: protection::adjusted_severity(rule.severity, protection),
                confidence: hit.confidence,
                kind: decl.kind,
                location: Location {
                    path: self.path.clone(),
                    line: place.line,
                    column: place.column,
                    table: place.table.clone(),
                    field: Some(place.field.clone().unwrap_or_else(|| decl.name.to_string())),
                    record: None,
                    source: self.source.map(str::to_string),
                },
                column: Some(ColumnInfo {
                    declared_type: decl.declared_type.map(str::to_string),
                    protection,
                }),
                evidence: crate::redact::escape_control(&evidence),
                fingerprint,
                value: None,
                suppressed: None,
                scope: Scope::Structured,
            });
            made += 1;
        }
        made
    }
}

/// Scans the values of structured fields (a cell, a column value, a JSON string, a
/// config value) with the field's name as context, and reports by name the values of
/// names whose every value is PII (`values_are_pii`). Caches name lookups per field.
#[derive(Default, Clone)]
pub struct FieldScanner {
    /// Per field name seen: the name, its classification, and the by-name value rule.
    names: Vec<(String, FieldName, Option<usize>)>,
    /// Field name → index in `names`.
    index: HashMap<String, usize>,
    /// The entry after the one used last: rows repeat their fields in order, so it is
    /// usually the next one asked for, found without hashing.
    next: usize,
    /// Per column, whether `record_is_quiet` may decide a record by one search:
    /// decided at its first call.
    quiet_columns: Option<Vec<bool>>,
    /// The entry in `names` of each column of a header (`set_columns`): a record's
    /// fields are then found by position instead of by comparing names.
    columns: Vec<usize>,
    /// The table the fields belong to (`set_table`), part of their locations.
    table: Option<String>,
    /// The count-only switch of each entry's location in `table` (and of values
    /// without a field name), asked for once.
    switches: Vec<Option<Arc<CountOnly>>>,
    unnamed_switch: Option<Arc<CountOnly>>,
}

impl FieldScanner {
    /// The table of the next values (`None` for an export's fields).
    pub fn set_table(&mut self, table: Option<&str>) {
        if self.table.as_deref() != table {
            self.table = table.map(str::to_string);
            self.switches.clear();
            self.unnamed_switch = None;
        }
    }

    /// Makes sure the switch of the location of `entry` (a field name's) or of values
    /// without a name is known, when `builder` has switches.
    fn learn_switch(&mut self, builder: &FindingBuilder<'_>, entry: Option<usize>) {
        if builder.count_only.is_none() {
            return;
        }
        let table = self.table.as_deref();
        match entry {
            Some(i) => {
                if self.switches.len() <= i {
                    self.switches.resize(i + 1, None);
                }
                if self.switches[i].is_none() {
                    let key = CountKey::of(table, Some(&self.names[i].0), Scope::Structured);
                    self.switches[i] = builder.switch(key);
                }
            }
            None if self.unnamed_switch.is_none() => {
                let key = CountKey::of(table, None, Scope::Structured);
                self.unnamed_switch = builder.switch(key);
            }
            None => {}
        }
    }

    /// The index in `names` of field name `f`, classified on first sight.
    fn entry(&mut self, engine: &crate::engine::Engine, f: &str) -> usize {
        let i = match self.names.get(self.next) {
            Some(entry) if entry.0 == f => self.next,
            _ => match self.index.get(f) {
                Some(&i) => i,
                None => {
                    self.names.push((
                        f.to_string(),
                        engine.field_name(f),
                        engine.value_rule_for_name(f),
                    ));
                    self.index.insert(f.to_string(), self.names.len() - 1);
                    self.names.len() - 1
                }
            },
        };
        self.next = if i + 1 == self.names.len() { 0 } else { i + 1 };
        i
    }

    /// Classifies a header's names: the columns `record_is_quiet` finds by position.
    pub fn set_columns(&mut self, engine: &Engine, names: &[String]) {
        self.columns = names.iter().map(|n| self.entry(engine, n)).collect();
    }

    /// True when `scan` of each field of a record (ranges of `text`, the k-th under
    /// the k-th name of `header` with the k-th inferred type) would report nothing,
    /// decided with one search of the record (`Engine::text_is_quiet`): most records
    /// of a numeric export. Never for a record with a field whose name makes every
    /// value PII (`first_name`). The fields must be separated by bytes that are not
    /// word bytes (a delimiter, the line end), and `header` and `inferred` be the same
    /// at every call: what they allow is decided once per column.
    pub fn record_is_quiet(
        &mut self,
        engine: &Engine,
        text: &[u8],
        ranges: impl Iterator<Item = std::ops::Range<usize>>,
        header: Option<&[String]>,
        inferred: &[Option<String>],
    ) -> bool {
        if self.quiet_columns.is_none() {
            let width = header.map_or(0, <[String]>::len).max(inferred.len());
            let plan = (0..width)
                .map(|k| {
                    let entry = header
                        .and_then(|h| h.get(k))
                        .map(|f| match self.columns.get(k) {
                            Some(&i) => i,
                            None => self.entry(engine, f),
                        });
                    let by_name = entry.is_some_and(|i| self.names[i].2.is_some());
                    let ctx = FieldContext {
                        name: entry.map(|i| &self.names[i].1),
                        inferred: inferred.get(k).and_then(|t| t.as_deref()),
                    };
                    !by_name && engine.field_allows_quiet(ctx)
                })
                .collect();
            self.quiet_columns = Some(plan);
        }
        let plan = self.quiet_columns.as_deref().unwrap_or_default();
        // Past the header and the inferred types: no name, no type.
        for (k, range) in ranges.enumerate() {
            if range.len() > crate::engine::QUIET_FIELD || !plan.get(k).copied().unwrap_or(true) {
                return false;
            }
        }
        engine.text_is_quiet(text)
    }

    /// `place_at(offset)` gives the place of a byte offset within `value`.
    pub fn scan(
        &mut self,
        builder: &FindingBuilder<'_>,
        value: &[u8],
        field: Option<&str>,
        inferred: Option<&str>,
        place_at: &dyn Fn(usize) -> Place,
        out: &mut dyn FindingSink,
    ) {
        let engine = builder.engine;
        let entry = field.map(|f| self.entry(engine, f));
        self.learn_switch(builder, entry);
        let switch = match entry {
            _ if builder.count_only.is_none() => None,
            Some(i) => self.switches.get(i).and_then(Option::as_ref),
            None => self.unnamed_switch.as_ref(),
        };
        let named = entry.map(|i| {
            let (_, name, rule) = &self.names[i];
            (name, rule)
        });
        let ctx = FieldContext {
            name: named.map(|(n, _)| n),
            inferred,
        };
        // The rule whose every value the name makes PII (`first_name`), reported by
        // name unless a value of its type was found in the field.
        let by_name = named.and_then(|(_, r)| *r);
        let by_name_type = by_name.map(|r| engine.rule(r).pii_type.as_ref());
        let mut type_found = false;
        engine.scan(value, 0..value.len(), ctx, |hit| {
            type_found |= by_name_type == Some(engine.rule(hit.rule).pii_type.as_ref());
            // Past the listing cap of the location: counted, not built.
            if builder.counted(&hit, value, switch, out) {
                return;
            }
            if let Some(f) = builder.value(&hit, value, place_at(hit.start)) {
                out.finding(f);
            }
        });
        let (Some(rule), Some(pii_type)) = (by_name, by_name_type) else {
            return;
        };
        if type_found {
            return;
        }
        // Leading/trailing blanks are not part of the value.
        let start = value
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(value.len());
        let end = value
            .iter()
            .rposition(|b| !b.is_ascii_whitespace())
            .map_or(start, |p| p + 1);
        let trimmed = &value[start..end];
        let plausible = plausible_by_name(pii_type, trimmed);
        // A hash stored under a PII name (`password` = `$2b$12$…`) is not the value in clear.
        if !plausible || trimmed.eq_ignore_ascii_case(b"null") || protection::value_is_hash(trimmed)
        {
            return;
        }
        let hit = ValueHit {
            rule,
            start,
            end,
            confidence: Confidence::High,
            key: None,
        };
        if builder.counted(&hit, value, switch, out) {
            return;
        }
        if let Some(f) = builder.value(&hit, value, place_at(start)) {
            out.finding(f);
        }
    }
}

/// Whether a value stored under a PII name can be that PII, judged from its shape:
/// a street address has a letter and a space and is not an e-mail, URL or path; a
/// person's name has letters, starts with a capital (or a non-ASCII letter) and no
/// identifier punctuation (`givenName`, `user_name` are attribute names, not people).
pub fn plausible_by_name(pii_type: &str, v: &[u8]) -> bool {
    let placeholder =
        (v.starts_with(b"[") && v.ends_with(b"]")) || (v.starts_with(b"<") && v.ends_with(b">"));
    if v.is_empty() || placeholder || v.eq_ignore_ascii_case(b"null") {
        return false;
    }
    let has = |set: &[u8]| v.iter().any(|b| set.contains(b));
    match pii_type {
        "street_address" => {
            v.iter().any(u8::is_ascii_alphabetic)
                && v.contains(&b' ')
                && !has(b"@/{}=")
                && v.len() <= 200
        }
        "person_name" => {
            let first_ok = v[0].is_ascii_uppercase() || v[0] >= 0x80;
            first_ok && !has(b"@/{}=_0123456789") && v.len() <= 100
        }
        "geo_location" => v.iter().any(u8::is_ascii_digit),
        _ => true,
    }
}

/// Reads up to and including the next `\n`, or `max` bytes, whichever comes first.
pub fn read_line_bounded(
    reader: &mut impl std::io::BufRead,
    out: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<usize> {
    let mut n = 0;
    loop {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(n);
        }
        let room = max - n;
        let (take, done) = match memchr::memchr(b'\n', &available[..available.len().min(room)]) {
            Some(p) => (p + 1, true),
            None => {
                let t = available.len().min(room);
                (t, t == room)
            }
        };
        out.extend_from_slice(&available[..take]);
        reader.consume(take);
        n += take;
        if done {
            return Ok(n);
        }
    }
}
