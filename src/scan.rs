//! Orchestration: enumerate targets, scan them in parallel, hand results over in order.
//!
//! Workers (tasks on a rayon pool of `--threads` threads) take files in enumeration
//! order from a shared counter and stream their
//! findings in batches to the calling thread, which passes them on in enumeration
//! order: output is identical whatever the thread count. The file at the head of the
//! order streams straight through; a worker on a later file waits once it has
//! `MAX_QUEUED_BATCHES` batches queued, so memory stays bounded whatever the number
//! of findings. The worker on the lowest unfinished file never waits, so the scan
//! always progresses.

use crate::aggregate;
use crate::baseline::{Baseline, Entry};
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::engine::Engine;
use crate::extract::format::{self, Format};
use crate::extract::sql::dialect::{self, SqlDialect};
use crate::extract::sql::{SqlExtractor, SqlStats};
use crate::extract::{
    CountKey, CountOnly, FindingBuilder, FindingPolicy, FindingSink, Switches, Tally, config,
    delimited, json, text, xml,
};
use crate::finding::{Confidence, Finding, FindingKind, Severity};
pub use crate::finding::{CountedFindings, CountedSample};
use crate::redact::Fingerprinter;
use crate::source::decompress;
use crate::source::directives::{DirectiveTap, Directives};
use crate::source::sniff::{self, Kind, SNIFF_LEN};
use crate::source::walk::io_reason;
use crate::source::{Target, WalkOptions, enumerate};
use serde::Serialize;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Read};
use std::panic::AssertUnwindSafe;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;

/// What to scan and how.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub inputs: Vec<String>,
    pub walk: WalkOptions,
    /// Worker threads; 0 means one per core.
    pub threads: usize,
    pub max_file_size: Option<u64>,
    /// Read buffer size for streaming extractors.
    pub chunk_size: usize,
    pub min_confidence: Confidence,
    pub show_values: bool,
    /// Force a SQL dialect instead of detecting it per file.
    pub sql_dialect: Option<SqlDialect>,
    /// Bounds on decompressed inputs.
    pub decompress: decompress::Limits,
    /// Findings this baseline accepts are left out (counted in `summary.suppressed`).
    pub baseline: Option<std::sync::Arc<Baseline>>,
    /// The project config's allowlist (`.piiscan.toml`).
    pub allowlist: Option<std::sync::Arc<crate::allow::Allowlist>>,
    /// Pass suppressed findings on anyway, marked `"suppressed": "baseline"` (or
    /// `inline`, `allowlist`).
    pub show_suppressed: bool,
    /// Collect the baseline entries of every finding (for `--write-baseline`).
    pub collect_baseline: bool,
    /// How databases (URLs, SQLite files) are read.
    pub db: crate::db::DbOptions,
    /// Stop reading one input after this long (a diagnostic; the scan is incomplete).
    pub timeout_per_file: Option<std::time::Duration>,
    /// Scan at most this many files; the rest are named in one diagnostic.
    pub max_files: Option<usize>,
    /// A plain text file of at least twice this size is scanned in parts of this size
    /// on several threads.
    pub parallel_part: usize,
    /// The consumer lists at most this many findings per location (0: all). Set, a
    /// plain text file's findings past it are counted instead of built once the
    /// file's location holds its samples (`ScanEvent::Counted`).
    pub listing_cap: u64,
}

impl ScanOptions {
    /// Whether findings past the listing cap may be counted instead of built: not
    /// when each finding must be matched (baseline, allowlist) or kept (suppressed
    /// ones shown, baseline written).
    fn counts_allowed(&self) -> bool {
        self.listing_cap > 0
            && self.baseline.is_none()
            && self.allowlist.is_none()
            && !self.show_suppressed
            && !self.collect_baseline
    }
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            inputs: vec![".".into()],
            walk: WalkOptions {
                skip_vcs: true,
                ..WalkOptions::default()
            },
            threads: 0,
            max_file_size: None,
            chunk_size: text::DEFAULT_CHUNK,
            min_confidence: Confidence::Medium,
            show_values: false,
            sql_dialect: None,
            decompress: decompress::Limits::default(),
            baseline: None,
            allowlist: None,
            show_suppressed: false,
            collect_baseline: false,
            db: crate::db::DbOptions::default(),
            timeout_per_file: None,
            max_files: None,
            parallel_part: text::DEFAULT_PART,
            listing_cap: 0,
        }
    }
}

/// Findings per batch sent from a worker.
const BATCH: usize = 1024;
/// Batches a worker may have queued for a file that is not yet at the head of the order.
const MAX_QUEUED_BATCHES: usize = 8;

/// What scanning one input produced, besides its findings (which were streamed).
/// Walk diagnostics come as a report with an empty `path`.
#[derive(Debug, Clone, Default)]
pub struct FileReport {
    pub path: String,
    pub diagnostics: Vec<Diagnostic>,
    pub bytes: u64,
    /// Number of findings streamed for this input.
    pub findings: u64,
    /// True when the content was scanned (fully or in part).
    pub scanned: bool,
    /// For SQL inputs: statements read, and how.
    pub sql: Option<SqlStats>,
    /// For databases: tables and rows read, values sampled per column.
    pub database: Option<crate::db::DbStats>,
}

/// Per-file SQL coverage in the summary.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SqlCoverage {
    pub path: String,
    #[serde(flatten)]
    pub stats: SqlStats,
}

/// Per-database coverage in the summary.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DatabaseCoverage {
    /// The database, password masked.
    pub source: String,
    #[serde(flatten)]
    pub stats: crate::db::DbStats,
}

/// What the scan hands to its consumer, in order.
#[derive(Debug, Clone, Copy)]
pub enum ScanEvent<'a> {
    /// Some findings of the input at `path` (several batches per input are possible).
    Findings {
        path: &'a str,
        findings: &'a [Finding],
    },
    /// Findings of the input at `path` that were counted, not built: they come after
    /// every listed finding of their location (a plain text file's), past the
    /// listing cap (`ScanOptions::listing_cap`).
    Counted {
        path: &'a str,
        counts: &'a [CountedFindings],
        /// Masked values they brought, for exposures still short of samples (in
        /// order).
        samples: &'a [CountedSample],
    },
    /// The input is done.
    Finished(&'a FileReport),
}

/// Live counters for a progress display.
#[derive(Debug, Default)]
pub struct Progress {
    pub files: AtomicU64,
    pub bytes: AtomicU64,
    pub findings: AtomicU64,
}

/// Totals for the report.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub files_scanned: u64,
    pub files_skipped: u64,
    pub bytes_scanned: u64,
    pub findings: u64,
    pub findings_by_severity: BTreeMap<Severity, u64>,
    pub diagnostics: u64,
    /// True when some input could not be read fully or exceeded a limit.
    pub incomplete: bool,
    /// Findings left out: accepted by the baseline, an inline `piiscan:ignore` or the
    /// config's allowlist.
    pub suppressed: u64,
    /// The project config whose allowlist applied, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
    /// The same, by reason (`baseline`, `inline`, `allowlist`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub suppressed_by: BTreeMap<String, u64>,
    /// Findings beyond `--max-findings-per-location`: counted in the exposures and in
    /// `findings`, but not listed.
    #[serde(skip_serializing_if = "is_zero")]
    pub findings_not_listed: u64,
    /// Baseline entries of every finding, when collected (`--write-baseline`).
    #[serde(skip)]
    pub baseline_entries: std::collections::BTreeSet<crate::baseline::Entry>,
    /// How each SQL file was read (statements parsed by sqlparser or by the fallback).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sql: Vec<SqlCoverage>,
    /// What was read from each database.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub databases: Vec<DatabaseCoverage>,
    pub duration_ms: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Summary {
    fn add_findings(&mut self, findings: &[Finding]) {
        for f in findings.iter().filter(|f| f.suppressed.is_none()) {
            self.findings += 1;
            *self.findings_by_severity.entry(f.severity).or_default() += 1;
        }
    }

    fn add_file(&mut self, r: &FileReport) {
        if r.scanned {
            self.files_scanned += 1;
        } else if !r.path.is_empty() {
            self.files_skipped += 1;
        }
        self.bytes_scanned += r.bytes;
        self.diagnostics += r.diagnostics.len() as u64;
        self.incomplete |= r.diagnostics.iter().any(|d| d.kind.makes_incomplete());
        if let Some(stats) = &r.sql {
            self.sql.push(SqlCoverage {
                path: r.path.clone(),
                stats: stats.clone(),
            });
        }
        if let Some(stats) = &r.database {
            self.databases.push(DatabaseCoverage {
                source: r.path.clone(),
                stats: crate::db::DbStats {
                    columns: Vec::new(),
                    ..stats.clone()
                },
            });
        }
    }

    /// The highest severity found, if any.
    pub fn max_severity(&self) -> Option<Severity> {
        self.findings_by_severity.keys().next_back().copied()
    }
}

enum Msg {
    Batch(usize, Vec<Finding>),
    Counted(usize, Tally),
    Done(usize, FileReport),
}

/// Which file is at the head of the output order, and how many batches each later
/// file has queued; workers on later files wait on `advanced`.
struct Sequencer {
    state: Mutex<SeqState>,
    advanced: Condvar,
    /// Each running file's count-only switches (`FindingBuilder::count_only`),
    /// turned on by the ordering thread.
    count_only: Mutex<HashMap<usize, Arc<Switches>>>,
}

struct SeqState {
    head: usize,
    queued: HashMap<usize, usize>,
}

impl Sequencer {
    /// Blocks while file `idx` is behind the head and has too many batches queued.
    fn reserve(&self, idx: usize) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        while st.head != idx && st.queued.get(&idx).copied().unwrap_or(0) >= MAX_QUEUED_BATCHES {
            st = self.advanced.wait(st).unwrap_or_else(|e| e.into_inner());
        }
        if st.head != idx {
            *st.queued.entry(idx).or_default() += 1;
        }
    }

    /// File `idx`'s count-only switches.
    fn count_only(&self, idx: usize) -> Arc<Switches> {
        let mut m = self.count_only.lock().unwrap_or_else(|e| e.into_inner());
        m.entry(idx).or_default().clone()
    }

    /// Sets the switch of `key` in file `idx` (when the file is still running).
    fn set_switch(&self, idx: usize, key: CountKey, samples_full: bool) {
        let m = self.count_only.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = m.get(&idx) {
            s.set(key, samples_full);
        }
    }

    fn forget(&self, idx: usize) {
        let mut m = self.count_only.lock().unwrap_or_else(|e| e.into_inner());
        m.remove(&idx);
    }

    fn advance_to(&self, head: usize) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        st.head = head;
        st.queued.remove(&head);
        self.advanced.notify_all();
    }
}

/// Batches one file's findings and sends them to the ordering thread.
struct BatchSender<'a> {
    idx: usize,
    batch: Vec<Finding>,
    tx: &'a SyncSender<Msg>,
    seq: &'a Sequencer,
    sent: u64,
    /// Findings counted, not built (sent after the batch, when it goes).
    counts: Tally,
    /// Whether a count-only switch may be handed out (`ScanOptions::counts_allowed`).
    counts_allowed: bool,
}

impl BatchSender<'_> {
    fn flush(&mut self) {
        if !self.batch.is_empty() {
            self.seq.reserve(self.idx);
            self.sent += self.batch.len() as u64;
            let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
            let _ = self.tx.send(Msg::Batch(self.idx, batch));
        }
        if !self.counts.is_empty() {
            self.seq.reserve(self.idx);
            let counts = std::mem::take(&mut self.counts);
            self.sent += counts.total();
            let _ = self.tx.send(Msg::Counted(self.idx, counts));
        }
    }
}

impl FindingSink for BatchSender<'_> {
    fn finding(&mut self, finding: Finding) {
        // After what was counted at its location (whose samples come in order).
        if !self.counts.is_empty() && self.counts.holds(&finding) {
            self.flush();
        }
        self.batch.push(finding);
        if self.batch.len() >= BATCH {
            self.flush();
        }
    }

    fn counted(&mut self, at: &Arc<CountOnly>, rule: usize, confidence: Confidence, n: u64) {
        self.counts.add(at, rule, confidence, n);
    }

    fn sample(&mut self, at: &Arc<CountOnly>, evidence: String) {
        self.counts.add_sample(at, &evidence);
    }

    fn count_only(&mut self) -> Option<Arc<Switches>> {
        self.counts_allowed.then(|| self.seq.count_only(self.idx))
    }
}

/// Scans everything `opts` names, passing events to `sink` in enumeration order.
pub fn run(
    opts: &ScanOptions,
    engine: &Engine,
    fingerprinter: &Fingerprinter,
    progress: Option<&Progress>,
    mut sink: impl FnMut(ScanEvent<'_>) -> io::Result<()>,
) -> io::Result<Summary> {
    let started = Instant::now();
    let mut summary = Summary {
        config: opts
            .allowlist
            .as_ref()
            .map(|a| a.source.display().to_string()),
        ..Summary::default()
    };
    let mut walk_diags = Vec::new();
    let mut targets = enumerate(&opts.inputs, &opts.walk, &mut walk_diags);
    if let Some(max) = opts.max_files.filter(|max| targets.len() > *max) {
        let left = targets.split_off(max);
        walk_diags.push(Diagnostic::new(
            &left[0].display,
            DiagnosticKind::LimitExceeded,
            format!(
                "more than --max-files {max}: {} files from here on (in path order) were not scanned",
                left.len()
            ),
        ));
    }
    if !walk_diags.is_empty() {
        let r = FileReport {
            diagnostics: walk_diags,
            ..FileReport::default()
        };
        summary.add_file(&r);
        sink(ScanEvent::Finished(&r))?;
    }
    let threads = if opts.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        opts.threads
    };
    let policy = FindingPolicy {
        min_confidence: opts.min_confidence,
        show_values: opts.show_values,
        fingerprinter,
    };
    let (tx, rx) = sync_channel::<Msg>(threads * 4);
    let seq = Sequencer {
        state: Mutex::new(SeqState {
            head: 0,
            queued: HashMap::new(),
        }),
        advanced: Condvar::new(),
        count_only: Mutex::default(),
    };
    let next_target = AtomicUsize::new(0);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(io::Error::other)?;
    let workers = threads.min(targets.len().max(1));
    let mut result = Ok(());
    std::thread::scope(|scope| {
        let (seq, next_target, targets) = (&seq, &next_target, &targets);
        scope.spawn(move || {
            pool.scope(|pool_scope| {
                for _ in 0..workers {
                    let tx = tx.clone();
                    pool_scope.spawn(move |_| {
                        loop {
                            let idx = next_target.fetch_add(1, Ordering::Relaxed);
                            let Some(target) = targets.get(idx) else {
                                break;
                            };
                            let mut out = BatchSender {
                                idx,
                                batch: Vec::with_capacity(BATCH),
                                tx: &tx,
                                seq,
                                sent: 0,
                                counts: Tally::default(),
                                counts_allowed: opts.counts_allowed(),
                            };
                            let mut report = scan_target_guarded(
                                target, engine, policy, opts, progress, &mut out,
                            );
                            out.flush();
                            seq.forget(idx);
                            report.findings = out.sent;
                            if tx.send(Msg::Done(idx, report)).is_err() {
                                break;
                            }
                        }
                    });
                }
                drop(tx);
            });
        });
        result = order_events(rx, seq, opts, engine, &mut summary, &mut sink);
        // On a sink error, let blocked workers finish: they only wait for the head.
        seq.advance_to(usize::MAX);
    });
    result?;
    summary.duration_ms = started.elapsed().as_millis() as u64;
    Ok(summary)
}

/// The input a batch of findings belongs to (every finding of a batch has the same path).
fn batch_path(batch: &[Finding]) -> &str {
    batch.first().map_or("", |f| &*f.location.path)
}

/// A queued message of a file that is not at the head of the order yet.
enum Piece {
    Batch(Vec<Finding>),
    Counted(Tally),
}

/// What the ordering thread follows of each exposure to turn count-only switches
/// on: the findings it listed and the distinct masked samples it holds, counted as
/// the aggregator counts them (in order, unsuppressed, every kind), and per running
/// file the locations turned on and the file's path.
#[derive(Debug, Default)]
struct Listings {
    exposures: HashMap<String, Listed>,
    files: HashMap<usize, FileListing>,
    /// Recently seen places and their exposure id (rows repeat a few columns).
    recent: Vec<(RecentKey, String)>,
}

#[derive(Debug, Default)]
struct Listed {
    listed: u64,
    samples: Vec<String>,
}

#[derive(Debug, Default)]
struct FileListing {
    path: Arc<str>,
    /// The places whose switch was set: their exposure, and whether it then held
    /// its samples.
    on: HashMap<CountKey, (String, bool)>,
}

/// A finding's place as the aggregator tells exposures apart.
#[derive(Debug, PartialEq)]
struct RecentKey {
    path: Arc<str>,
    table: Option<String>,
    field: Option<String>,
    scope: crate::finding::Scope,
}

impl Listings {
    /// Follows the findings of file `idx` that reach the consumer; sets the switch
    /// of each place whose exposure has now listed `cap` (no later finding there
    /// can be listed), to count with samples until the exposure holds them. A place
    /// is switched only once a finding there was passed on from this file (so the
    /// exposure has its sighting of the file).
    fn follow(&mut self, idx: usize, kept: &[Finding], cap: u64, seq: &Sequencer) {
        for f in kept.iter().filter(|f| f.suppressed.is_none()) {
            let l = &f.location;
            let at = self.recent.iter().position(|(k, _)| {
                Arc::ptr_eq(&k.path, &l.path)
                    && k.table == l.table
                    && k.field == l.field
                    && k.scope == f.scope
            });
            let id = match at {
                Some(i) => &self.recent[i].1,
                None => {
                    if self.recent.len() >= 16 {
                        self.recent.remove(0);
                    }
                    let key = RecentKey {
                        path: l.path.clone(),
                        table: l.table.clone(),
                        field: l.field.clone(),
                        scope: f.scope,
                    };
                    self.recent.push((key, aggregate::locate(f).0));
                    &self.recent[self.recent.len() - 1].1
                }
            };
            let e = match self.exposures.get_mut(id) {
                Some(e) => e,
                None => self.exposures.entry(id.clone()).or_default(),
            };
            e.listed += 1;
            if f.kind == FindingKind::Value
                && e.samples.len() < aggregate::MAX_SAMPLES
                && !e.samples.contains(&f.evidence)
            {
                e.samples.push(f.evidence.clone());
            }
            if e.listed >= cap {
                let full = e.samples.len() == aggregate::MAX_SAMPLES;
                let file = self.files.entry(idx).or_default();
                if file.path.is_empty() {
                    file.path = l.path.clone();
                }
                let key = CountKey::of_finding(f);
                match file.on.get_mut(&key) {
                    Some((_, was_full)) if *was_full || !full => {}
                    Some((_, was_full)) => {
                        *was_full = true;
                        seq.set_switch(idx, key, true);
                    }
                    None => {
                        file.on.insert(key.clone(), (id.clone(), full));
                        seq.set_switch(idx, key, full);
                    }
                }
            }
        }
    }

    /// Follows what file `idx` counted: the samples it brought (in order) and the
    /// counts; a place whose exposure now holds its samples counts without them.
    fn follow_counts(
        &mut self,
        idx: usize,
        counts: &[CountedFindings],
        samples: &[CountedSample],
        seq: &Sequencer,
    ) {
        let Some(file) = self.files.get_mut(&idx) else {
            return;
        };
        for c in counts {
            let key = CountKey::of(c.table.as_deref(), c.field.as_deref(), c.scope);
            if let Some((id, _)) = file.on.get(&key)
                && let Some(e) = self.exposures.get_mut(id)
            {
                e.listed += c.n;
            }
        }
        for s in samples {
            let key = CountKey::of(s.table.as_deref(), s.field.as_deref(), s.scope);
            let Some((id, was_full)) = file.on.get_mut(&key) else {
                continue;
            };
            let Some(e) = self.exposures.get_mut(id.as_str()) else {
                continue;
            };
            if e.samples.len() < aggregate::MAX_SAMPLES && !e.samples.contains(&s.evidence) {
                e.samples.push(s.evidence.clone());
            }
            if !*was_full && e.samples.len() == aggregate::MAX_SAMPLES {
                *was_full = true;
                seq.set_switch(idx, key, true);
            }
        }
    }
}

/// A tally's counts with their rules' names and places, and its samples.
fn counted_findings(engine: &Engine, tally: &Tally) -> (Vec<CountedFindings>, Vec<CountedSample>) {
    let counts = tally
        .counts
        .iter()
        .map(|(at, rule, confidence, n)| {
            let r = engine.rule(*rule);
            let (table, field, scope) = at.key.place();
            CountedFindings {
                rule_id: r.id.clone(),
                pii_type: r.pii_type.clone(),
                severity: r.severity,
                confidence: *confidence,
                n: *n,
                table: table.map(str::to_string),
                field: field.map(str::to_string),
                scope,
            }
        })
        .collect();
    let samples = tally
        .samples
        .iter()
        .map(|(at, evidence)| {
            let (table, field, scope) = at.key.place();
            CountedSample {
                table: table.map(str::to_string),
                field: field.map(str::to_string),
                scope,
                evidence: evidence.clone(),
            }
        })
        .collect();
    (counts, samples)
}

/// Receives worker messages and replays them in file order.
fn order_events(
    rx: Receiver<Msg>,
    seq: &Sequencer,
    opts: &ScanOptions,
    engine: &Engine,
    summary: &mut Summary,
    sink: &mut impl FnMut(ScanEvent<'_>) -> io::Result<()>,
) -> io::Result<()> {
    let mut head = 0usize;
    let mut pending: BTreeMap<usize, (Vec<Piece>, Option<FileReport>)> = BTreeMap::new();
    let mut result = Ok(());
    let counts_allowed = opts.counts_allowed();
    let mut listings = Listings::default();
    let mut emit = |summary: &mut Summary, idx: usize, ev: ScanEvent<'_>| -> io::Result<()> {
        match ev {
            ScanEvent::Counted {
                counts, samples, ..
            } => {
                listings.follow_counts(idx, counts, samples, seq);
                for c in counts {
                    summary.findings += c.n;
                    *summary.findings_by_severity.entry(c.severity).or_default() += c.n;
                }
                // Counts follow listed findings of the same file, whose path they take.
                let path = listings
                    .files
                    .get(&idx)
                    .map(|l| l.path.clone())
                    .unwrap_or_default();
                sink(ScanEvent::Counted {
                    path: &path,
                    counts,
                    samples,
                })
            }
            ScanEvent::Findings { path, findings } => {
                if counts_allowed {
                    listings.follow(idx, findings, opts.listing_cap, seq);
                }
                if opts.collect_baseline {
                    summary
                        .baseline_entries
                        .extend(findings.iter().map(Entry::of));
                }
                // Nothing to mark (the usual case): the batch goes out as it is.
                let marking = opts.baseline.is_some()
                    || opts.allowlist.is_some()
                    || findings.iter().any(|f| f.suppressed.is_some());
                if !marking {
                    summary.add_findings(findings);
                    return sink(ScanEvent::Findings { path, findings });
                }
                let mut kept = Vec::with_capacity(findings.len());
                for f in findings {
                    let mark = f.suppressed.clone().or_else(|| {
                        if opts.baseline.as_ref().is_some_and(|b| b.accepts(f)) {
                            Some("baseline".to_string())
                        } else if opts.allowlist.as_ref().is_some_and(|a| a.allows(f)) {
                            Some("allowlist".to_string())
                        } else {
                            None
                        }
                    });
                    match mark {
                        None => kept.push(f.clone()),
                        Some(reason) => {
                            summary.suppressed += 1;
                            *summary.suppressed_by.entry(reason.clone()).or_default() += 1;
                            if opts.show_suppressed {
                                kept.push(Finding {
                                    suppressed: Some(reason),
                                    ..f.clone()
                                });
                            }
                        }
                    }
                }
                summary.add_findings(&kept);
                sink(ScanEvent::Findings {
                    path,
                    findings: &kept,
                })
            }
            ScanEvent::Finished(r) => {
                listings.files.remove(&idx);
                summary.add_file(r);
                sink(ev)
            }
        }
    };
    for msg in rx {
        if result.is_err() {
            continue; // drain so workers can finish
        }
        match msg {
            Msg::Batch(i, batch) if i == head => {
                result = emit(
                    summary,
                    i,
                    ScanEvent::Findings {
                        path: batch_path(&batch),
                        findings: &batch,
                    },
                );
            }
            Msg::Counted(i, tally) if i == head => {
                let (counts, samples) = counted_findings(engine, &tally);
                result = emit(
                    summary,
                    i,
                    ScanEvent::Counted {
                        path: "",
                        counts: &counts,
                        samples: &samples,
                    },
                );
            }
            Msg::Batch(i, batch) => pending.entry(i).or_default().0.push(Piece::Batch(batch)),
            Msg::Counted(i, tally) => pending.entry(i).or_default().0.push(Piece::Counted(tally)),
            Msg::Done(i, report) => {
                pending.entry(i).or_default().1 = Some(report);
                // Emit every completed file at the head, then the head's queued batches.
                while let Some((pieces, done)) = pending.remove(&head) {
                    for piece in &pieces {
                        if result.is_ok() {
                            result = match piece {
                                Piece::Batch(batch) => emit(
                                    summary,
                                    head,
                                    ScanEvent::Findings {
                                        path: batch_path(batch),
                                        findings: batch,
                                    },
                                ),
                                Piece::Counted(tally) => {
                                    let (counts, samples) = counted_findings(engine, tally);
                                    emit(
                                        summary,
                                        head,
                                        ScanEvent::Counted {
                                            path: "",
                                            counts: &counts,
                                            samples: &samples,
                                        },
                                    )
                                }
                            };
                        }
                    }
                    match done {
                        Some(report) => {
                            if result.is_ok() {
                                result = emit(summary, head, ScanEvent::Finished(&report));
                            }
                            head += 1;
                            seq.advance_to(head);
                        }
                        None => {
                            // The new head is still running: its later batches stream directly.
                            seq.advance_to(head);
                            break;
                        }
                    }
                }
                if !pending.contains_key(&head) {
                    seq.advance_to(head);
                }
            }
        }
    }
    result
}

/// A panic while scanning one file becomes a diagnostic, never a crash of the scan.
/// The panic message is not reported: it could quote scanned bytes.
fn scan_target_guarded(
    target: &Target,
    engine: &Engine,
    policy: FindingPolicy<'_>,
    opts: &ScanOptions,
    progress: Option<&Progress>,
    out: &mut dyn FindingSink,
) -> FileReport {
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
        scan_target(target, engine, policy, opts, progress, out)
    }));
    result.unwrap_or_else(|_| FileReport {
        path: target.display.clone(),
        diagnostics: vec![Diagnostic::new(
            &target.display,
            DiagnosticKind::InternalError,
            "internal error while scanning this input; the rest of the scan went on (please report this bug)",
        )],
        ..FileReport::default()
    })
}

fn scan_target(
    target: &Target,
    engine: &Engine,
    policy: FindingPolicy<'_>,
    opts: &ScanOptions,
    progress: Option<&Progress>,
    out: &mut dyn FindingSink,
) -> FileReport {
    let mut report = FileReport {
        path: target.display.clone(),
        ..FileReport::default()
    };
    if let Some(db) = &target.database {
        return scan_database(target, db, engine, policy, opts, report, out);
    }
    let diag = |kind, msg: String| Diagnostic::new(&target.display, kind, msg);
    let mut size_at_open = None;
    let reader: Box<dyn Read> = match &target.path {
        None => Box::new(io::stdin().lock()),
        Some(path) => match std::fs::File::open(path) {
            Ok(file) => {
                let size = file.metadata().map(|m| m.len()).unwrap_or(0);
                size_at_open = Some(size);
                if let Some(max) = opts.max_file_size.filter(|max| size > *max) {
                    report.diagnostics.push(diag(
                        DiagnosticKind::TooLarge,
                        format!("{size} bytes is over --max-file-size ({max} bytes); not scanned"),
                    ));
                    return report;
                }
                Box::new(file)
            }
            Err(e) => {
                report.diagnostics.push(diag(
                    DiagnosticKind::ReadError,
                    format!("cannot open: {}", io_reason(&e)),
                ));
                return report;
            }
        },
    };
    scan_opened(
        target,
        reader,
        size_at_open,
        engine,
        policy,
        opts,
        progress,
        report,
        out,
    )
}

/// Scans one input already opened (a file, standard input, bytes in memory).
/// `size_at_open` is a regular file's size, to notice one that shrinks while read.
#[allow(clippy::too_many_arguments)]
fn scan_opened(
    target: &Target,
    mut reader: Box<dyn Read>,
    size_at_open: Option<u64>,
    engine: &Engine,
    policy: FindingPolicy<'_>,
    opts: &ScanOptions,
    progress: Option<&Progress>,
    mut report: FileReport,
    out: &mut dyn FindingSink,
) -> FileReport {
    let diag = |kind, msg: String| Diagnostic::new(&target.display, kind, msg);
    let raw_read = Rc::new(std::cell::Cell::new(0u64));
    reader = Box::new(Watched {
        inner: reader,
        read: raw_read.clone(),
        deadline: opts
            .timeout_per_file
            .map(|t| (std::time::Instant::now() + t, t)),
    });
    // Peel compression layers (content decides), transcode UTF-16, then sniff what
    // is inside.
    let mut depth = 0;
    let mut transcoded = false;
    let head = loop {
        let mut head = Vec::with_capacity(SNIFF_LEN);
        if let Err(e) = reader
            .by_ref()
            .take(SNIFF_LEN as u64)
            .read_to_end(&mut head)
        {
            report
                .diagnostics
                .push(read_failure(&target.display, 0, &e));
            return report;
        }
        match sniff::sniff(&head) {
            Kind::Compressed(c) if depth < decompress::MAX_DEPTH => {
                depth += 1;
                let stream: Box<dyn Read> = Box::new(io::Cursor::new(head).chain(reader));
                reader = match decompress::decoder(c, stream, opts.decompress) {
                    Ok(r) => r,
                    Err(e) => {
                        report
                            .diagnostics
                            .push(read_failure(&target.display, 0, &e));
                        return report;
                    }
                };
            }
            Kind::Compressed(_) => {
                report.diagnostics.push(diag(
                    DiagnosticKind::LimitExceeded,
                    format!(
                        "compressed more than {} levels deep; not scanned",
                        decompress::MAX_DEPTH
                    ),
                ));
                return report;
            }
            Kind::PgDumpArchive => {
                report.diagnostics.push(diag(
                    DiagnosticKind::Unsupported,
                    "pg_dump custom/tar archive: convert it with `pg_restore -f - FILE | piiscan scan -`".into(),
                ));
                return report;
            }
            Kind::Sqlite => match (&target.path, depth) {
                (Some(path), 0) => {
                    return scan_sqlite(target, path, engine, policy, opts, report, out);
                }
                _ => {
                    report.diagnostics.push(diag(
                        DiagnosticKind::Unsupported,
                        "SQLite database inside a compressed file or on standard input: decompress it to a file and scan that".into(),
                    ));
                    return report;
                }
            },
            Kind::Binary if !target.explicit || depth > 0 => {
                let what = if depth > 0 {
                    "binary content inside a compressed file (an archive?)"
                } else {
                    "binary file"
                };
                report.diagnostics.push(diag(
                    if depth > 0 {
                        DiagnosticKind::Unsupported
                    } else {
                        DiagnosticKind::SkippedBinary
                    },
                    format!(
                        "{what} skipped{}",
                        if depth > 0 {
                            ""
                        } else {
                            " (name it on the command line to scan it anyway)"
                        }
                    ),
                ));
                return report;
            }
            Kind::Utf16(u) if !transcoded => {
                transcoded = true;
                let stream: Box<dyn Read> = Box::new(io::Cursor::new(head).chain(reader));
                reader = Box::new(crate::source::utf16::Utf16Reader::new(stream, u));
            }
            Kind::Binary | Kind::Text | Kind::Utf16(_) => break head,
        }
    };
    let name = decompress::inner_name(&target.display);
    let format = format::detect(name, &head);
    // Once a location listed all it may, the rest of its findings are only counted:
    // in the formats whose extractors count (not XML, whose scans filter findings by
    // position, or configuration files, which are small).
    let count_only = match format {
        Format::Text | Format::Sql | Format::Delimited | Format::Json => out.count_only(),
        Format::Config | Format::Xml => None,
    };
    let builder = FindingBuilder {
        count_only: count_only.clone(),
        engine,
        path: target.display.as_str().into(),
        source: None,
        policy,
    };
    let directives = Rc::new(RefCell::new(Directives::default()));
    let mut counted = Counted {
        inner: out,
        n: 0,
        directives: directives.clone(),
    };
    let rule_ids = Rc::new(
        engine
            .rules()
            .iter()
            .map(|r| r.id.to_string())
            .collect::<Vec<_>>(),
    );
    let mut stream = DirectiveTap::new(
        io::Cursor::new(head.clone()).chain(reader),
        directives.clone(),
        rule_ids,
    );
    if let Some(c) = count_only {
        stream = stream.on_found(Box::new(move || c.block()));
    }
    let (bytes, result) = match format {
        Format::Sql => {
            let d = opts.sql_dialect.unwrap_or_else(|| dialect::detect(&head));
            let mut sql = SqlExtractor::new(&builder, d);
            let threads = rayon::current_num_threads();
            sql.parallel = (threads > 1).then_some(delimited::Parallel {
                threads,
                batch_bytes: (opts.parallel_part / 8).max(1),
            });
            let r = sql.run(
                io::BufReader::with_capacity(opts.chunk_size.max(64), stream),
                &mut counted,
            );
            if sql.stats.ddl_fallback > 0 {
                report.diagnostics.push(diag(
                    DiagnosticKind::ParseFallback,
                    format!(
                        "{} of {} DDL statements were not understood by the SQL parser ({} dialect) and were read by the lenient column reader",
                        sql.stats.ddl_fallback,
                        sql.stats.ddl_fallback + sql.stats.ddl_parsed,
                        sql.stats.dialect
                    ),
                ));
            }
            if let Some(line) = sql.stats.oversized {
                report.diagnostics.push(text_fallback(
                    &target.display,
                    &format!("the statement at line {line}"),
                    crate::extract::sql::MAX_STATEMENT,
                    "columns",
                ));
            }
            report.sql = Some(sql.stats);
            r
        }
        Format::Delimited => match delimited::sniff_delimiter(&head) {
            Some(delim) => {
                let (n, r, oversized) = delimited::scan(
                    io::BufReader::with_capacity(opts.chunk_size.max(64), stream),
                    delim,
                    &builder,
                    delimited::Parallel {
                        threads: rayon::current_num_threads(),
                        batch_bytes: (opts.parallel_part / 8).max(1),
                    },
                    &mut counted,
                );
                if let Some(line) = oversized {
                    report.diagnostics.push(text_fallback(
                        &target.display,
                        &format!("the record at line {line}"),
                        delimited::MAX_RECORD,
                        "fields",
                    ));
                }
                (n, r)
            }
            None => text::scan_stream(stream, &builder, opts.chunk_size, &mut counted),
        },
        Format::Config => {
            let (n, r, oversized) = config::scan(
                io::BufReader::with_capacity(opts.chunk_size.max(64), stream),
                config::flavor(name),
                &builder,
                &mut counted,
            );
            if let Some(line) = oversized {
                report.diagnostics.push(text_fallback(
                    &target.display,
                    &format!("line {line}"),
                    config::MAX_LINE,
                    "keys",
                ));
            }
            (n, r)
        }
        Format::Json => {
            let reader = io::BufReader::with_capacity(opts.chunk_size.max(64), stream);
            json::scan(reader, json::is_json_lines(name), &builder, &mut counted)
        }
        Format::Xml => xml::scan(
            io::BufReader::with_capacity(opts.chunk_size.max(64), stream),
            &builder,
            &mut counted,
        ),
        // A large plain file is split across the pool's threads (same findings); so is
        // a compressed one, whose size is not known before it is read: the reading
        // thread decompresses, the others match.
        Format::Text
            if !transcoded
                && rayon::current_num_threads() > 1
                && (depth > 0
                    || size_at_open.is_some_and(|size| size >= 2 * opts.parallel_part as u64)) =>
        {
            text::scan_parallel(
                stream,
                &builder,
                opts.chunk_size,
                opts.parallel_part,
                rayon::current_num_threads(),
                &mut counted,
            )
        }
        Format::Text => text::scan_stream(stream, &builder, opts.chunk_size, &mut counted),
    };
    report.bytes = bytes;
    report.scanned = true;
    match result {
        Err(e) => report
            .diagnostics
            .push(read_failure(&target.display, bytes, &e)),
        // Truncated while it was read (a log rotated, a dump rewritten): the end of
        // what was there at the start was never seen.
        Ok(()) if size_at_open.is_some_and(|size| raw_read.get() < size) => {
            report.diagnostics.push(diag(
                DiagnosticKind::ReadError,
                format!(
                    "the file shrank while it was read: {} of the {} bytes it had when opened were scanned",
                    raw_read.get(),
                    size_at_open.unwrap_or(0)
                ),
            ))
        }
        Ok(()) => {}
    }
    if let Some(p) = progress {
        p.files.fetch_add(1, Ordering::Relaxed);
        p.bytes.fetch_add(bytes, Ordering::Relaxed);
        p.findings.fetch_add(counted.n, Ordering::Relaxed);
    }
    report
}

/// A database named by URL: connect (read-only), then catalog and samples (`db`).
fn scan_database(
    target: &Target,
    db: &crate::db::DbTarget,
    engine: &Engine,
    policy: FindingPolicy<'_>,
    opts: &ScanOptions,
    report: FileReport,
    out: &mut dyn FindingSink,
) -> FileReport {
    use crate::db::{DbKind, mysql::MysqlConnector, postgres::PgConnector};
    let connector: Result<Box<dyn crate::db::Connector>, _> = match db.kind {
        DbKind::Postgres => PgConnector::new(db, &opts.db).map(|c| Box::new(c) as _),
        DbKind::Mysql => MysqlConnector::new(db, &opts.db).map(|c| Box::new(c) as _),
    };
    scan_db_with(target, connector, engine, policy, opts, report, out)
}

/// An SQLite database: catalog and sampled rows (`db::sqlite`).
fn scan_sqlite(
    target: &Target,
    path: &std::path::Path,
    engine: &Engine,
    policy: FindingPolicy<'_>,
    opts: &ScanOptions,
    mut report: FileReport,
    out: &mut dyn FindingSink,
) -> FileReport {
    report.bytes = std::fs::metadata(path).map_or(0, |m| m.len());
    let connector = crate::db::sqlite::SqliteConnector {
        path: path.to_path_buf(),
    };
    scan_db_with(
        target,
        Ok(Box::new(connector)),
        engine,
        policy,
        opts,
        report,
        out,
    )
}

/// The shared part: run `db::scan`, turn its failures into diagnostics.
fn scan_db_with(
    target: &Target,
    connector: Result<Box<dyn crate::db::Connector>, crate::db::DbError>,
    engine: &Engine,
    policy: FindingPolicy<'_>,
    opts: &ScanOptions,
    mut report: FileReport,
    out: &mut dyn FindingSink,
) -> FileReport {
    let builder = FindingBuilder {
        count_only: None,
        engine,
        path: target.display.as_str().into(),
        source: Some(&target.display),
        policy,
    };
    let diag = |msg: String| Diagnostic::new(&target.display, DiagnosticKind::Database, msg);
    match connector.and_then(|c| crate::db::scan(c.as_ref(), &builder, &opts.db, out)) {
        Ok((stats, problems)) => {
            report.scanned = true;
            report.diagnostics.extend(problems.into_iter().map(diag));
            report.database = Some(stats);
        }
        Err(e) => report.diagnostics.push(diag(e.to_string())),
    }
    report
}

/// Scans `bytes` as if they were a file named `name` (the name hints the format, as
/// for files): the whole pipeline — decompression, UTF-16, format detection, every
/// extractor — with a fixed fingerprint key. For fuzzing and property tests.
pub fn scan_bytes(
    name: &str,
    bytes: &[u8],
    engine: &Engine,
    opts: &ScanOptions,
) -> (Vec<Finding>, FileReport) {
    let target = Target {
        display: name.to_string(),
        path: None,
        explicit: true,
        database: None,
    };
    let fingerprinter = Fingerprinter::new([0; 32]);
    let policy = FindingPolicy {
        min_confidence: opts.min_confidence,
        show_values: opts.show_values,
        fingerprinter: &fingerprinter,
    };
    let report = FileReport {
        path: name.to_string(),
        ..FileReport::default()
    };
    let mut findings = Vec::new();
    let report = scan_opened(
        &target,
        Box::new(io::Cursor::new(bytes.to_vec())),
        None,
        engine,
        policy,
        opts,
        None,
        report,
        &mut findings,
    );
    (findings, report)
}

/// The note for a structured reader that met a statement, record or line too large to
/// hold and read the rest of its input as windowed text (nothing is skipped).
fn text_fallback(path: &str, what: &str, limit: usize, lost: &str) -> Diagnostic {
    Diagnostic::new(
        path,
        DiagnosticKind::ParseFallback,
        format!(
            "{what} is over {} MiB: it and the rest of the file were scanned as text (values there are found, but not attributed to {lost})",
            limit >> 20
        ),
    )
}

/// The raw input: counts the bytes read (to notice a file that shrank) and enforces
/// `--timeout-per-file` as a limit error, which ends the input with a diagnostic.
struct Watched<R> {
    inner: R,
    read: Rc<std::cell::Cell<u64>>,
    deadline: Option<(std::time::Instant, std::time::Duration)>,
}

impl<R: Read> Read for Watched<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some((at, limit)) = self.deadline {
            if std::time::Instant::now() > at {
                return Err(io::Error::other(decompress::LimitExceeded(format!(
                    "over --timeout-per-file ({}s) after {} bytes; the rest was not scanned",
                    limit.as_secs(),
                    self.read.get()
                ))));
            }
        }
        let n = self.inner.read(buf)?;
        self.read.set(self.read.get() + n as u64);
        Ok(n)
    }
}

/// A read that failed part-way: a limit, or an I/O error.
fn read_failure(path: &str, bytes: u64, e: &io::Error) -> Diagnostic {
    if decompress::is_limit(e) {
        let msg = e
            .get_ref()
            .map_or_else(|| e.to_string(), |inner| inner.to_string());
        return Diagnostic::new(path, DiagnosticKind::LimitExceeded, msg);
    }
    let msg = if bytes == 0 {
        format!("cannot read: {}", io_reason(e))
    } else {
        format!(
            "read failed after {bytes} bytes: {}; the rest of the file was not scanned",
            io_reason(e)
        )
    };
    Diagnostic::new(path, DiagnosticKind::ReadError, msg)
}

/// Counts findings on their way to the real sink (for progress) and marks those an
/// inline `piiscan:ignore` covers.
struct Counted<'a> {
    inner: &'a mut dyn FindingSink,
    n: u64,
    directives: Rc<RefCell<Directives>>,
}

impl FindingSink for Counted<'_> {
    fn finding(&mut self, mut finding: Finding) {
        self.n += 1;
        let d = self.directives.borrow();
        if !d.is_empty() && d.covers(finding.location.line, &finding.rule_id) {
            finding.suppressed = Some("inline".into());
        }
        drop(d);
        self.inner.finding(finding);
    }

    /// Counted findings were made while no directive had been read in the file (the
    /// switch is off from the first one on), so none covers them.
    fn counted(&mut self, at: &Arc<CountOnly>, rule: usize, confidence: Confidence, n: u64) {
        self.n += n;
        self.inner.counted(at, rule, confidence, n);
    }

    fn sample(&mut self, at: &Arc<CountOnly>, evidence: String) {
        self.inner.sample(at, evidence);
    }

    fn count_only(&mut self) -> Option<Arc<Switches>> {
        self.inner.count_only()
    }
}

#[cfg(test)]
mod shrink_tests {
    use super::*;
    use crate::rules::RuleSet;

    /// A file that had more bytes when it was opened than could be read (truncated
    /// while being scanned) is reported, not passed as complete.
    #[test]
    fn a_file_that_shrank_while_read_is_reported() {
        let engine = Engine::new(&RuleSet::builtin().unwrap()).unwrap();
        let fingerprinter = Fingerprinter::new([0; 32]);
        let policy = FindingPolicy {
            min_confidence: Confidence::Medium,
            show_values: false,
            fingerprinter: &fingerprinter,
        };
        let target = Target {
            display: "app.log".into(),
            path: None,
            explicit: true,
            database: None,
        };
        let content = b"ssn=536-22-8119\n".to_vec();
        let mut out: Vec<Finding> = Vec::new();
        let report = scan_opened(
            &target,
            Box::new(io::Cursor::new(content.clone())),
            Some(content.len() as u64 + 4096),
            &engine,
            policy,
            &ScanOptions::default(),
            None,
            FileReport::default(),
            &mut out,
        );
        assert_eq!(out.len(), 1, "what was there is scanned");
        let d = &report.diagnostics[0];
        assert_eq!(d.kind, DiagnosticKind::ReadError);
        assert!(d.message.contains("shrank"), "{}", d.message);
        assert!(d.kind.makes_incomplete());
    }
}

#[cfg(test)]
mod count_only_tests {
    use super::*;
    use crate::rules::RuleSet;
    use std::collections::BTreeMap;

    /// A log whose one location (the file) gets thousands of findings of three rules
    /// at two confidences, with a fourth rule (IBANs) only in its last tenth, and
    /// optionally an inline directive at two thirds.
    fn log(lines: usize, directive: bool) -> String {
        let mut s = String::new();
        for i in 0..lines {
            if directive && i == lines * 2 / 3 {
                s.push_str("# piiscan:ignore\n");
            }
            s.push_str(&match i % 4 {
                0 => format!("2024-01-01 user ssn 536-22-{:04}\n", 1000 + i % 9000),
                1 => format!("contact user{i}@example.com\n"),
                2 => format!("id 536-22-{:04} seen\n", 1000 + i % 9000),
                _ if i > lines * 9 / 10 => "payout to GB82WEST12345698765432 ok\n".into(),
                _ => format!("request {i} done\n"),
            });
        }
        s
    }

    struct Scanned {
        built: Vec<Finding>,
        counted: Vec<CountedFindings>,
        summary: Summary,
        /// What the binary would list (the first `cap` per exposure) and report.
        listed: Vec<Finding>,
        exposures: serde_json::Value,
    }

    fn engine() -> &'static Engine {
        static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
        ENGINE.get_or_init(|| Engine::new(&RuleSet::builtin().unwrap()).unwrap())
    }

    /// Scans `path` as `piiscan scan` does, aggregating as `main.rs` does.
    fn scan(path: &std::path::Path, threads: usize, cap: u64) -> Scanned {
        let fingerprinter = Fingerprinter::new([7; 32]);
        let opts = ScanOptions {
            inputs: vec![path.display().to_string()],
            threads,
            parallel_part: 4096,
            // Small reads, so that what is read ahead (and any directive in it) is
            // not the whole file.
            chunk_size: 4096,
            listing_cap: cap,
            ..ScanOptions::default()
        };
        let (mut built, mut counted, mut listed) = (Vec::new(), Vec::new(), Vec::new());
        let mut aggregator = aggregate::Aggregator::default();
        let summary = run(&opts, engine(), &fingerprinter, None, |ev| {
            match ev {
                ScanEvent::Findings { findings, .. } => {
                    built.extend_from_slice(findings);
                    for f in findings {
                        if aggregator.add_and_count(f, None) <= cap || cap == 0 {
                            listed.push(f.clone());
                        }
                    }
                }
                ScanEvent::Counted {
                    path: p,
                    counts,
                    samples,
                } => {
                    assert_eq!(p, path.display().to_string(), "counts name their file");
                    for c in samples {
                        aggregator.add_counted_sample(p, c);
                    }
                    for c in counts {
                        aggregator.add_counted(p, c, None);
                    }
                    counted.extend_from_slice(counts);
                }
                ScanEvent::Finished(_) => {}
            }
            Ok(())
        })
        .unwrap();
        Scanned {
            built,
            counted,
            summary,
            listed,
            exposures: serde_json::to_value(aggregator.finish()).unwrap(),
        }
    }

    /// One line of a generated input: PII with distinct or alike masks, several
    /// rules, an inline directive, noise.
    fn line(kind: u8, i: usize) -> String {
        match kind {
            0 => format!("applicant ssn 5{:02}-22-{:04}", i % 90 + 1, i % 9000 + 1000),
            1 => "id 536-22-8119 seen".to_string(),
            2 => "mail anna@example.com".to_string(),
            3 => format!(
                "mail {}x{i}@corp{}.net",
                (b'a' + (i % 26) as u8) as char,
                i % 7
            ),
            4 => "payout GB82WEST12345698765432".to_string(),
            5 => "# piiscan:ignore".to_string(),
            6 => format!("request {i} took {} ms", i % 977),
            _ => String::new(),
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 24, ..Default::default() })]

        /// Whatever the input, the cap and the threads, counting past the cap changes
        /// nothing a report shows: the same exposures (counts, rules, samples in
        /// order, sightings), the same summary, the same listed findings as a scan
        /// that built every finding. Logs, dumps, CSV and NDJSON exports, directives
        /// anywhere.
        #[test]
        fn counting_past_the_cap_changes_no_report(
            mut kinds in proptest::collection::vec(
                proptest::prop_oneof![3 => 0u8..5, 1 => 6u8..8],
                1500..4000,
            ),
            alike in 0usize..3000,
            directive in proptest::option::weighted(0.3, 0usize..4000),
            cap in 1u64..60,
            threads in 1usize..3,
            format in 0u8..4,
        ) {
            // A start whose values all mask alike: the exposures stay short of
            // samples past the cap, so counted hits bring theirs.
            for k in kinds.iter_mut().take(alike) {
                *k = 1 + *k % 2;
            }
            if let Some(at) = directive {
                let at = at % kinds.len();
                kinds[at] = 5;
            }
            let dir = tempfile::tempdir().unwrap();
            let mut text = String::new();
            let name = match format {
                0 => {
                    for (i, k) in kinds.iter().enumerate() {
                        text.push_str(&line(*k, i));
                        text.push('\n');
                    }
                    "app.log"
                }
                1 => {
                    text.push_str("COPY people (id, note, contact) FROM stdin;\n");
                    for (i, k) in kinds.iter().enumerate() {
                        let other = line(kinds[(i * 7) % kinds.len()], i + 1);
                        text.push_str(&format!("{i}\t{}\t{other}\n", line(*k, i)));
                    }
                    text.push_str("\\.\n");
                    "dump.sql"
                }
                3 => {
                    for (i, k) in kinds.iter().enumerate() {
                        let other = line(kinds[(i * 7) % kinds.len()], i + 1);
                        text.push_str(&format!(
                            "{{\"id\": {i}, \"note\": \"{}\", \"contact\": {{\"value\": \"{other}\"}}}}\n",
                            line(*k, i)
                        ));
                    }
                    "export.ndjson"
                }
                _ => {
                    text.push_str("id,note,contact\n");
                    for (i, k) in kinds.iter().enumerate() {
                        let other = line(kinds[(i * 7) % kinds.len()], i + 1);
                        text.push_str(&format!("{i},{},{other}\n", line(*k, i)));
                    }
                    "export.csv"
                }
            };
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            let all = scan(&path, threads, 0);
            let capped = scan(&path, threads, cap);
            proptest::prop_assert_eq!(&capped.exposures, &all.exposures);
            proptest::prop_assert_eq!(capped.summary.findings, all.summary.findings);
            proptest::prop_assert_eq!(capped.summary.suppressed, all.summary.suppressed);
            proptest::prop_assert_eq!(
                &capped.summary.findings_by_severity,
                &all.summary.findings_by_severity
            );
            // The listing: the first `cap` of each exposure, in scan order.
            let mut per = HashMap::new();
            let first: Vec<&Finding> = all
                .listed
                .iter()
                .filter(|f| {
                    let n = per.entry(aggregate::locate(f).0).or_insert(0u64);
                    *n += 1;
                    *n <= cap
                })
                .collect();
            let listed: Vec<&Finding> = capped.listed.iter().collect();
            proptest::prop_assert_eq!(listed, first);
        }
    }

    /// Unsuppressed findings per (rule, confidence), built and counted together.
    fn per_rule(s: &Scanned) -> BTreeMap<(String, Confidence), u64> {
        let mut m = BTreeMap::new();
        for f in s.built.iter().filter(|f| f.suppressed.is_none()) {
            *m.entry((f.rule_id.to_string(), f.confidence)).or_default() += 1;
        }
        for c in &s.counted {
            *m.entry((c.rule_id.to_string(), c.confidence)).or_default() += c.n;
        }
        m
    }

    /// Past the listing cap a plain text file's findings are counted instead of
    /// built, on one thread (streamed) and on two (parts): what is listed is the
    /// same, and built plus counted make the same totals per rule and confidence (a
    /// rule first seen after the switch included) and the same summary.
    #[test]
    fn findings_past_the_cap_are_counted_as_they_would_have_been_built() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log");
        std::fs::write(&path, log(8000, false)).unwrap();
        for threads in [1, 2] {
            let all = scan(&path, threads, 0);
            assert!(all.counted.is_empty(), "no cap, no counts");
            assert!(per_rule(&all).keys().any(|(r, _)| r == "iban"));
            assert_eq!(per_rule(&all).len(), 4, "{:?}", per_rule(&all));
            for cap in [1, 10, 3000] {
                let capped = scan(&path, threads, cap);
                let n: u64 = capped.counted.iter().map(|c| c.n).sum();
                assert!(n > 0, "{threads} threads, cap {cap}: nothing counted");
                assert!(capped.built.len() as u64 >= cap);
                assert!(capped.built.len() < all.built.len());
                // What the consumer lists: the first `cap`. (On two threads a later
                // part scanned before the switch went on has its findings built too.)
                let cap = cap as usize;
                assert_eq!(capped.built[..cap], all.built[..cap]);
                assert_eq!(per_rule(&capped), per_rule(&all));
                assert_eq!(capped.summary.findings, all.summary.findings);
                assert_eq!(
                    capped.summary.findings_by_severity,
                    all.summary.findings_by_severity
                );
            }
        }
    }

    /// A dump's and an export's findings are counted per column once the column's
    /// exposure is past the cap: with the column's place on the counts, the same
    /// totals as when every finding is built.
    #[test]
    fn a_dump_s_and_an_export_s_columns_are_counted_past_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let mut dump = String::from("COPY public.customers (id, email, ssn) FROM stdin;\n");
        let mut csv = String::from("id,email,ssn\n");
        // Enough rows that the parts a second thread scans before the switch to
        // counting reaches it (a few hundred rows each, more on a loaded machine)
        // leave most rows counted.
        for i in 0..20_000 {
            let ssn = format!("5{:02}-22-{:04}", i % 90 + 1, i % 9000 + 1000);
            dump.push_str(&format!("{i}\tu{i}@example.com\t{ssn}\n"));
            csv.push_str(&format!("{i},u{i}@example.com,{ssn}\n"));
        }
        dump.push_str("\\.\n");
        let sql = dir.path().join("dump.sql");
        std::fs::write(&sql, dump).unwrap();
        let export = dir.path().join("export.csv");
        std::fs::write(&export, csv).unwrap();
        for (path, table) in [(&sql, Some("public.customers")), (&export, None)] {
            for threads in [1, 2] {
                let all = scan(path, threads, 0);
                let capped = scan(path, threads, 10);
                let ssn = capped
                    .counted
                    .iter()
                    .filter(|c| c.field.as_deref() == Some("ssn"))
                    .map(|c| {
                        assert_eq!(c.table.as_deref(), table);
                        assert_eq!(c.scope, crate::finding::Scope::Structured);
                        c.n
                    })
                    .sum::<u64>();
                assert!(ssn > 15_000, "{}: {ssn} counted", path.display());
                assert_eq!(per_rule(&capped), per_rule(&all));
                assert_eq!(capped.summary.findings, all.summary.findings);
            }
        }
    }

    /// An inline directive read in the file turns counting off: the findings of its
    /// lines are built and suppressed, so suppression stays exact.
    #[test]
    fn a_directive_turns_counting_off() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log");
        // Longer than a read, so the directive is read after counting began.
        std::fs::write(&path, log(40_000, true)).unwrap();
        for threads in [1, 2] {
            let all = scan(&path, threads, 0);
            let capped = scan(&path, threads, 10);
            assert!(capped.counted.iter().map(|c| c.n).sum::<u64>() > 0);
            assert_eq!(all.summary.suppressed, 1, "the next line's SSN");
            assert_eq!(capped.summary.suppressed, 1);
            assert_eq!(per_rule(&capped), per_rule(&all));
            assert_eq!(capped.summary.findings, all.summary.findings);
        }
    }

    /// Counting needs every finding neither matched (baseline, allowlist) nor kept
    /// (suppressed ones shown, baseline written).
    #[test]
    fn counting_is_off_where_each_finding_matters() {
        let on = ScanOptions {
            listing_cap: 10,
            ..ScanOptions::default()
        };
        assert!(on.counts_allowed());
        for off in [
            ScanOptions {
                show_suppressed: true,
                ..on.clone()
            },
            ScanOptions {
                collect_baseline: true,
                ..on.clone()
            },
            ScanOptions {
                listing_cap: 0,
                ..on.clone()
            },
        ] {
            assert!(!off.counts_allowed());
        }
    }
}
