//! `--format csv`: one row per exposure, ranked, for spreadsheets and ticket imports.
//!
//! Cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) are
//! prefixed with `'`: a scanned file name must not become a formula in the auditor's
//! spreadsheet.

use super::{Outcome, Reporter};
use crate::finding::Finding;
use crate::scan::FileReport;
use std::io::{self, Write};

pub struct CsvReporter;

const HEADER: &[&str] = &[
    "rank",
    "score",
    "exposure",
    "storage",
    "location",
    "pii_types",
    "values",
    "protection",
    "severity",
    "confidence",
    "declared_type",
    "seen_in",
    "action",
];

/// One CSV cell: quoted, quotes doubled, formula starters neutralised.
pub fn cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    format!("\"{}\"", s.replace('"', "\"\""))
}

impl Reporter for CsvReporter {
    fn findings(&mut self, _: &str, _: &[Finding], _: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }

    fn file_done(&mut self, _: &FileReport, _: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }

    fn finish(&mut self, outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "{}", HEADER.join(","))?;
        for item in &outcome.remediation {
            let Some(e) = outcome.exposures.iter().find(|e| e.id == item.exposure) else {
                continue;
            };
            let seen: Vec<String> = e.seen_in.iter().map(|s| s.place()).collect();
            let storage = serde_json::to_value(e.storage)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let row = [
                item.rank.to_string(),
                format!("{:.2}", item.score),
                e.id.clone(),
                storage,
                e.location.clone(),
                e.pii_types.join(";"),
                item.values.to_string(),
                e.protection.as_str().to_string(),
                e.severity.as_str().to_string(),
                e.confidence.as_str().to_string(),
                e.declared_type.clone().unwrap_or_default(),
                seen.join(";"),
                item.action.clone(),
            ];
            let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
            writeln!(out, "{}", cells.join(","))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_neutralised() {
        assert_eq!(cell("a\"b"), "\"a\"\"b\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("customers.ssn"), "\"customers.ssn\"");
    }
}
