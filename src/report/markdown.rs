//! `--format markdown`: a report a consultant can hand over: what PII is stored where,
//! what to fix first, and how complete the scan was. No timestamps or durations, so the
//! same inputs give the same report.

use super::{Outcome, Reporter, ToolInfo};
use crate::diagnostic::Diagnostic;
use crate::finding::Finding;
use crate::scan::FileReport;
use std::collections::BTreeMap;
use std::io::{self, Write};

pub struct MarkdownReporter {
    tool: ToolInfo,
    diagnostics: Vec<Diagnostic>,
}

impl MarkdownReporter {
    pub fn new(tool: ToolInfo) -> Self {
        MarkdownReporter {
            tool,
            diagnostics: Vec::new(),
        }
    }
}

/// Escapes text for a Markdown table cell.
fn md(s: &str) -> String {
    crate::redact::escape_control(s)
        .replace('|', "\\|")
        .replace('`', "'")
}

impl Reporter for MarkdownReporter {
    fn findings(&mut self, _: &str, _: &[Finding], _: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }

    fn file_done(&mut self, report: &FileReport, _: &mut dyn Write) -> io::Result<()> {
        self.diagnostics.extend(report.diagnostics.iter().cloned());
        Ok(())
    }

    fn finish(&mut self, o: &Outcome, out: &mut dyn Write) -> io::Result<()> {
        let s = &o.summary;
        writeln!(out, "# PII storage report\n")?;
        writeln!(
            out,
            "Produced by {} {} (rules {}). Values are masked; this report is still sensitive: share it like the data it describes.\n",
            self.tool.name, self.tool.version, self.tool.rules_digest
        )?;
        writeln!(out, "## Summary\n")?;
        writeln!(
            out,
            "{} storage locations hold personal data; {} findings in {} files ({} bytes) scanned.{}\n",
            o.exposures.len(),
            s.findings,
            s.files_scanned,
            s.bytes_scanned,
            if s.incomplete {
                " **The scan was incomplete: see Scan coverage.**"
            } else {
                ""
            }
        )?;
        // By PII type: locations, values, how many locations keep it in plaintext.
        let mut by_type: BTreeMap<&str, (usize, u64, usize)> = BTreeMap::new();
        for e in &o.exposures {
            for t in &e.pii_types {
                let row = by_type.entry(t.as_str()).or_insert((0, 0, 0));
                row.0 += 1;
                row.1 += e.values.get(t).copied().unwrap_or(0);
                row.2 += usize::from(e.protection == crate::finding::Protection::Plaintext);
            }
        }
        writeln!(
            out,
            "| PII type | locations | values found | locations in plaintext |"
        )?;
        writeln!(out, "|---|---:|---:|---:|")?;
        for (t, (n, v, plain)) in &by_type {
            writeln!(out, "| {t} | {n} | {v} | {plain} |")?;
        }
        writeln!(out, "\n## Remediation, most urgent first\n")?;
        writeln!(
            out,
            "| # | location | PII | protection | values | severity | action |"
        )?;
        writeln!(out, "|---:|---|---|---|---:|---|---|")?;
        for r in &o.remediation {
            writeln!(
                out,
                "| {} | `{}` | {} | {} | {} | {} | {} |",
                r.rank,
                md(&r.location),
                r.pii_types.join(", "),
                r.protection.as_str(),
                r.values,
                r.severity,
                md(&r.action)
            )?;
        }
        writeln!(out, "\n## Storage locations\n")?;
        for e in &o.exposures {
            writeln!(out, "### `{}`\n", md(&e.location))?;
            let values: Vec<String> = e.values.iter().map(|(t, n)| format!("{n} {t}")).collect();
            writeln!(out, "- holds: {}", e.pii_types.join(", "))?;
            if !values.is_empty() {
                writeln!(out, "- values found: {}", values.join(", "))?;
            }
            match &e.declared_type {
                Some(t) => writeln!(
                    out,
                    "- declared as `{}`; protection: {}",
                    md(t),
                    e.protection.as_str()
                )?,
                None => writeln!(out, "- protection: {}", e.protection.as_str())?,
            }
            if !e.samples.is_empty() {
                writeln!(
                    out,
                    "- masked samples: {}",
                    e.samples
                        .iter()
                        .map(|x| format!("`{}`", md(x)))
                        .collect::<Vec<_>>()
                        .join(", ")
                )?;
            }
            let seen: Vec<String> = e
                .seen_in
                .iter()
                .map(|x| format!("`{}`", md(&x.place())))
                .collect();
            for p in &e.prevalence {
                writeln!(
                    out,
                    "- sampled in `{}` (`{}`): {} of {} values hold PII ({:.0}%){}",
                    md(&p.source),
                    md(&p.table),
                    p.matching,
                    p.sampled,
                    p.ratio * 100.0,
                    p.rows_estimate
                        .map(|r| format!("; the table has about {r} rows"))
                        .unwrap_or_default()
                )?;
            }
            writeln!(out, "- seen in: {}\n", seen.join(", "))?;
        }
        writeln!(out, "## Scan coverage\n")?;
        writeln!(
            out,
            "- files scanned: {}; skipped: {}; bytes: {}",
            s.files_scanned, s.files_skipped, s.bytes_scanned
        )?;
        if s.suppressed > 0 {
            writeln!(out, "- findings accepted by the baseline: {}", s.suppressed)?;
        }
        if !s.sql.is_empty() {
            writeln!(
                out,
                "\n| SQL file | dialect | statements | DDL parsed | DDL by fallback | INSERT rows | COPY rows |"
            )?;
            writeln!(out, "|---|---|---:|---:|---:|---:|---:|")?;
            for c in &s.sql {
                let t = &c.stats;
                writeln!(
                    out,
                    "| `{}` | {} | {} | {} | {} | {} | {} |",
                    md(&c.path),
                    t.dialect,
                    t.statements,
                    t.ddl_parsed,
                    t.ddl_fallback,
                    t.insert_rows,
                    t.copy_rows
                )?;
            }
        }
        writeln!(out, "\n## Diagnostics\n")?;
        if self.diagnostics.is_empty() {
            writeln!(out, "None: every input was read completely.")?;
        } else {
            for d in &self.diagnostics {
                writeln!(
                    out,
                    "- `{}`: {} ({})",
                    md(&d.path),
                    md(&d.message),
                    d.kind.as_str()
                )?;
            }
        }
        Ok(())
    }
}
