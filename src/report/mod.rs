//! Reporters: each renders the same stream of file reports in one format.
//!
//! Findings arrive file by file in a deterministic order; streaming formats write
//! them at once, document formats collect them and write at `finish`.

pub mod csv;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod text;

use crate::aggregate::Exposure;
use crate::finding::Finding;
use crate::remediate::RemediationItem;
use crate::scan::{FileReport, ScanEvent, Summary};
use serde::Serialize;
use std::io::{self, Write};

/// Output formats of `piiscan scan --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human-readable, grouped by file, with a summary line.
    Text,
    /// One JSON document (schema_version 1).
    Json,
    /// JSON Lines: one finding/diagnostic per line as it is found, then exposures,
    /// remediation items and a summary line.
    Jsonl,
    /// One row per exposure (storage location), ranked.
    Csv,
    /// A report to hand over: summary by PII type, remediation list, locations, coverage.
    Markdown,
    /// SARIF 2.1.0 for code scanning (GitHub, GitLab).
    Sarif,
}

/// What a report says about a rule (SARIF lists them).
#[derive(Debug, Clone)]
pub struct RuleMeta {
    pub id: String,
    pub name: String,
    pub pii_type: String,
    pub severity: crate::finding::Severity,
    pub description: Option<String>,
    pub remediation: Option<String>,
}

/// Identifies the tool and rule set in every machine-readable report.
#[derive(Debug, Clone, Serialize)]
pub struct ToolInfo {
    pub name: &'static str,
    pub version: &'static str,
    pub rules_digest: String,
    #[serde(skip)]
    pub rules: Vec<RuleMeta>,
}

impl ToolInfo {
    pub fn new(set: &crate::rules::RuleSet) -> Self {
        let rules = set
            .rules
            .iter()
            .map(|r| RuleMeta {
                id: r.def.id.clone(),
                name: r.def.name.clone(),
                pii_type: r.def.pii_type.clone(),
                severity: r.def.severity,
                description: r.def.description.clone(),
                remediation: r.def.remediation.clone(),
            })
            .collect();
        ToolInfo {
            name: "piiscan",
            version: env!("CARGO_PKG_VERSION"),
            rules_digest: set.digest(),
            rules,
        }
    }
}

/// Everything known once the scan is over.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub summary: Summary,
    pub exposures: Vec<Exposure>,
    pub remediation: Vec<RemediationItem>,
}

pub trait Reporter {
    /// Some findings of the input at `path`, in order (an input may send several batches).
    fn findings(&mut self, path: &str, findings: &[Finding], out: &mut dyn Write)
    -> io::Result<()>;
    /// An input is done (its diagnostics are in `report`).
    fn file_done(&mut self, report: &FileReport, out: &mut dyn Write) -> io::Result<()>;
    fn finish(&mut self, outcome: &Outcome, out: &mut dyn Write) -> io::Result<()>;

    fn event(&mut self, event: ScanEvent<'_>, out: &mut dyn Write) -> io::Result<()> {
        match event {
            ScanEvent::Findings { path, findings } => self.findings(path, findings, out),
            // Past the listing cap: in the exposures and the summary, never listed.
            ScanEvent::Counted { .. } => Ok(()),
            ScanEvent::Finished(report) => self.file_done(report, out),
        }
    }
}

/// The reporter for a format.
pub fn reporter(format: Format, tool: ToolInfo, color: bool) -> Box<dyn Reporter> {
    match format {
        Format::Text => Box::new(text::TextReporter::new(color)),
        Format::Json => Box::new(json::JsonReporter::new(tool)),
        Format::Jsonl => Box::new(json::JsonlReporter::new(tool)),
        Format::Csv => Box::new(csv::CsvReporter),
        Format::Markdown => Box::new(markdown::MarkdownReporter::new(tool)),
        Format::Sarif => Box::new(sarif::SarifReporter::new(tool)),
    }
}
