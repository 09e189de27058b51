//! Orchestration: enumerate targets, scan them in parallel, hand results over in order.
//!
//! Workers scan whole files on the rayon pool; the calling thread receives each
//! file's report and passes them on in enumeration order, so output is identical
//! whatever the thread count, and a streaming reporter can write as files finish.

use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::engine::Engine;
use crate::extract::{FindingBuilder, FindingPolicy, text};
use crate::finding::{Confidence, Finding, Severity};
use crate::redact::Fingerprinter;
use crate::source::sniff::{self, Kind, SNIFF_LEN};
use crate::source::walk::io_reason;
use crate::source::{Target, WalkOptions, enumerate};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Read};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
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
        }
    }
}

/// The result of scanning one input (or the walk diagnostics, with `path` empty).
#[derive(Debug, Clone, Default)]
pub struct FileReport {
    pub path: String,
    pub findings: Vec<Finding>,
    pub diagnostics: Vec<Diagnostic>,
    pub bytes: u64,
    /// True when the content was scanned (fully or in part).
    pub scanned: bool,
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
    pub duration_ms: u64,
}

impl Summary {
    fn add(&mut self, r: &FileReport) {
        if r.scanned {
            self.files_scanned += 1;
        } else if !r.path.is_empty() {
            self.files_skipped += 1;
        }
        self.bytes_scanned += r.bytes;
        self.findings += r.findings.len() as u64;
        for f in &r.findings {
            *self.findings_by_severity.entry(f.severity).or_default() += 1;
        }
        self.diagnostics += r.diagnostics.len() as u64;
        self.incomplete |= r.diagnostics.iter().any(|d| d.kind.makes_incomplete());
    }

    /// The highest severity found, if any.
    pub fn max_severity(&self) -> Option<Severity> {
        self.findings_by_severity.keys().next_back().copied()
    }
}

/// Scans everything `opts` names, passing each file's report to `sink` in order.
pub fn run(
    opts: &ScanOptions,
    engine: &Engine,
    fingerprinter: &Fingerprinter,
    progress: Option<&Progress>,
    mut sink: impl FnMut(FileReport) -> io::Result<()>,
) -> io::Result<Summary> {
    let started = Instant::now();
    let mut summary = Summary::default();
    let mut walk_diags = Vec::new();
    let targets = enumerate(&opts.inputs, &opts.walk, &mut walk_diags);
    if !walk_diags.is_empty() {
        let r = FileReport {
            diagnostics: walk_diags,
            ..FileReport::default()
        };
        summary.add(&r);
        sink(r)?;
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .build()
        .map_err(io::Error::other)?;
    let policy = FindingPolicy {
        min_confidence: opts.min_confidence,
        show_values: opts.show_values,
        fingerprinter,
    };
    let (tx, rx) =
        std::sync::mpsc::sync_channel::<(usize, FileReport)>(pool.current_num_threads() * 4);
    let mut sink_result = Ok(());
    std::thread::scope(|scope| {
        scope.spawn(|| {
            pool.install(|| {
                targets
                    .par_iter()
                    .enumerate()
                    .for_each_with(tx, |tx, (i, target)| {
                        let report = scan_target_guarded(target, engine, policy, opts, progress);
                        let _ = tx.send((i, report));
                    });
            });
        });
        let mut pending = BTreeMap::new();
        let mut next = 0;
        for (i, report) in rx {
            pending.insert(i, report);
            while let Some(r) = pending.remove(&next) {
                next += 1;
                summary.add(&r);
                if sink_result.is_ok() {
                    sink_result = sink(r);
                }
            }
        }
    });
    sink_result?;
    summary.duration_ms = started.elapsed().as_millis() as u64;
    Ok(summary)
}

/// A panic while scanning one file becomes a diagnostic, never a crash of the scan.
/// The panic message is not reported: it could quote scanned bytes.
fn scan_target_guarded(
    target: &Target,
    engine: &Engine,
    policy: FindingPolicy<'_>,
    opts: &ScanOptions,
    progress: Option<&Progress>,
) -> FileReport {
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
        scan_target(target, engine, policy, opts, progress)
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
) -> FileReport {
    let mut report = FileReport {
        path: target.display.clone(),
        ..FileReport::default()
    };
    let diag = |kind, msg: String| Diagnostic::new(&target.display, kind, msg);
    let mut reader: Box<dyn Read> = match &target.path {
        None => Box::new(io::stdin().lock()),
        Some(path) => match std::fs::File::open(path) {
            Ok(file) => {
                let size = file.metadata().map(|m| m.len()).unwrap_or(0);
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
    let mut head = Vec::with_capacity(SNIFF_LEN);
    if let Err(e) = reader
        .by_ref()
        .take(SNIFF_LEN as u64)
        .read_to_end(&mut head)
    {
        report.diagnostics.push(diag(
            DiagnosticKind::ReadError,
            format!("cannot read: {}", io_reason(&e)),
        ));
        return report;
    }
    match sniff::sniff(&head) {
        Kind::PgDumpArchive => {
            report.diagnostics.push(diag(
                DiagnosticKind::Unsupported,
                "pg_dump custom/tar archive: convert it with `pg_restore -f - FILE | piiscan scan -`".into(),
            ));
            return report;
        }
        Kind::Compressed(c) => {
            report.diagnostics.push(diag(
                DiagnosticKind::Unsupported,
                format!("{c:?}-compressed input is not supported yet: decompress it and pipe it to `piiscan scan -`"),
            ));
            return report;
        }
        Kind::Binary if !target.explicit => {
            report.diagnostics.push(diag(
                DiagnosticKind::SkippedBinary,
                "binary file skipped (name it on the command line to scan it anyway)".into(),
            ));
            return report;
        }
        Kind::Binary | Kind::Text => {}
    }
    let builder = FindingBuilder {
        engine,
        path: &target.display,
        policy,
    };
    let stream = io::Cursor::new(head).chain(reader);
    let (bytes, result) =
        text::scan_stream(stream, &builder, opts.chunk_size, &mut report.findings);
    report.bytes = bytes;
    report.scanned = true;
    if let Err(e) = result {
        report.diagnostics.push(diag(
            DiagnosticKind::ReadError,
            format!(
                "read failed after {bytes} bytes: {}; the rest of the file was not scanned",
                io_reason(&e)
            ),
        ));
    }
    if let Some(p) = progress {
        p.files.fetch_add(1, Ordering::Relaxed);
        p.bytes.fetch_add(bytes, Ordering::Relaxed);
        p.findings
            .fetch_add(report.findings.len() as u64, Ordering::Relaxed);
    }
    report
}
