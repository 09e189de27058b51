//! Human-readable output: findings grouped by file, diagnostics, a summary line.

use super::{Outcome, Reporter};
use crate::diagnostic::Diagnostic;
use crate::finding::{Finding, Severity};
use crate::redact::escape_control;
use crate::scan::FileReport;
use anstyle::{AnsiColor, Style};
use std::io::{self, Write};

/// Findings are rendered as they arrive but printed after the remediation list, which
/// needs the whole scan: text output is for people; use `jsonl` for very large scans.
pub struct TextReporter {
    color: bool,
    diagnostics: Vec<Diagnostic>,
    findings: Vec<u8>,
    /// True once the current input's header line is printed.
    in_file: bool,
}

impl TextReporter {
    pub fn new(color: bool) -> Self {
        TextReporter {
            color,
            diagnostics: Vec::new(),
            findings: Vec::new(),
            in_file: false,
        }
    }

    fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    }
}

fn severity_style(s: Severity) -> Style {
    let color = match s {
        Severity::Critical => AnsiColor::BrightRed,
        Severity::High => AnsiColor::Red,
        Severity::Medium => AnsiColor::Yellow,
        Severity::Low => AnsiColor::Cyan,
        Severity::Info => AnsiColor::White,
    };
    Style::new().fg_color(Some(color.into())).bold()
}

fn place(f: &Finding) -> String {
    let loc = &f.location;
    let mut where_ = match (&loc.table, &loc.field) {
        (Some(t), Some(c)) => format!("{t}.{c}"),
        (None, Some(c)) => c.clone(),
        (Some(t), None) => t.clone(),
        (None, None) => String::new(),
    };
    if let Some(r) = loc.record {
        where_.push_str(&format!(" row {r}"));
    }
    escape_control(&where_)
}

impl Reporter for TextReporter {
    fn findings(
        &mut self,
        path: &str,
        findings: &[Finding],
        _out: &mut dyn Write,
    ) -> io::Result<()> {
        let mut buf = std::mem::take(&mut self.findings);
        let out = &mut buf;
        if !self.in_file {
            writeln!(
                out,
                "{}",
                self.paint(Style::new().bold(), &escape_control(path))
            )?;
            self.in_file = true;
        }
        for f in findings {
            let sev = self.paint(
                severity_style(f.severity),
                &format!("{:<8}", f.severity.as_str()),
            );
            let evidence = f.value.as_deref().unwrap_or(&f.evidence);
            let place = place(f);
            let place = if place.is_empty() {
                String::new()
            } else {
                format!("  [{place}]")
            };
            // A database row has no line: the place says table, column and row.
            let at = if f.location.source.is_some() {
                format!("{:>11}", "")
            } else {
                format!("{:>6}:{:<4}", f.location.line, f.location.column)
            };
            writeln!(
                out,
                "  {at} {sev} {:<6} {:<22} {}{place}",
                f.confidence.as_str(),
                f.rule_id,
                escape_control(evidence),
            )?;
        }
        self.findings = buf;
        Ok(())
    }

    fn file_done(&mut self, report: &FileReport, _out: &mut dyn Write) -> io::Result<()> {
        self.diagnostics.extend(report.diagnostics.iter().cloned());
        if std::mem::take(&mut self.in_file) {
            self.findings.push(b'\n');
        }
        Ok(())
    }

    fn finish(&mut self, outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
        let summary = &outcome.summary;
        if !outcome.remediation.is_empty() {
            writeln!(
                out,
                "{}",
                self.paint(Style::new().bold(), "Remediation, most urgent first")
            )?;
            for item in &outcome.remediation {
                let sev = self.paint(
                    severity_style(item.severity),
                    &format!("{:<8}", item.severity.as_str()),
                );
                writeln!(
                    out,
                    "{:>3}. {sev} {}  [{}; {}; {} value{}]",
                    item.rank,
                    escape_control(&item.location),
                    item.pii_types.join(", "),
                    item.protection.as_str(),
                    item.values,
                    if item.values == 1 { "" } else { "s" }
                )?;
                writeln!(out, "       {}", escape_control(&item.action))?;
            }
            writeln!(out)?;
        }
        if !self.findings.is_empty() {
            writeln!(out, "{}", self.paint(Style::new().bold(), "Findings"))?;
            out.write_all(&self.findings)?;
        }
        if !self.diagnostics.is_empty() {
            writeln!(out, "{}", self.paint(Style::new().bold(), "Diagnostics"))?;
            for d in &self.diagnostics {
                let mark = if d.kind.makes_incomplete() {
                    "error"
                } else {
                    "note "
                };
                writeln!(
                    out,
                    "  {mark} {}: {} ({})",
                    escape_control(&d.path),
                    d.message,
                    d.kind.as_str()
                )?;
            }
            writeln!(out)?;
        }
        let by_sev: Vec<String> = summary
            .findings_by_severity
            .iter()
            .rev()
            .map(|(s, n)| self.paint(severity_style(*s), &format!("{n} {s}")))
            .collect();
        let detail = if by_sev.is_empty() {
            String::new()
        } else {
            format!(" ({})", by_sev.join(", "))
        };
        writeln!(
            out,
            "{} findings{detail}{} in {} scanned ({}), {} skipped, {} diagnostics, {:.2}s{}",
            summary.findings,
            if summary.suppressed > 0 {
                format!(", {} accepted by the baseline", summary.suppressed)
            } else {
                String::new()
            },
            scanned_what(
                summary
                    .files_scanned
                    .saturating_sub(summary.databases.len() as u64),
                summary.databases.len() as u64
            ),
            human_bytes(summary.bytes_scanned),
            summary.files_skipped,
            summary.diagnostics,
            summary.duration_ms as f64 / 1000.0,
            if summary.incomplete {
                " — INCOMPLETE: some inputs were not fully scanned"
            } else {
                ""
            },
        )
    }
}

pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// `3 files`, `1 database`, `3 files and 2 databases`.
fn scanned_what(files: u64, databases: u64) -> String {
    let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    match (files, databases) {
        (f, 0) => plural(f, "file", "files"),
        (0, d) => plural(d, "database", "databases"),
        (f, d) => format!(
            "{} and {}",
            plural(f, "file", "files"),
            plural(d, "database", "databases")
        ),
    }
}
