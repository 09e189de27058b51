//! `--format json` (one document) and `--format jsonl` (one object per line).

use super::{Outcome, Reporter, ToolInfo};
use crate::aggregate::Exposure;
use crate::diagnostic::Diagnostic;
use crate::finding::Finding;
use crate::remediate::RemediationItem;
use crate::scan::{FileReport, Summary};
use serde::Serialize;
use std::io::{self, Write};

/// Version of the JSON output contract.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    tool: &'a ToolInfo,
    findings: &'a [Finding],
    exposures: &'a [Exposure],
    remediation: &'a [RemediationItem],
    diagnostics: &'a [Diagnostic],
    summary: &'a Summary,
}

pub struct JsonReporter {
    tool: ToolInfo,
    findings: Vec<Finding>,
    diagnostics: Vec<Diagnostic>,
}

impl JsonReporter {
    pub fn new(tool: ToolInfo) -> Self {
        JsonReporter {
            tool,
            findings: Vec::new(),
            diagnostics: Vec::new(),
        }
    }
}

impl Reporter for JsonReporter {
    fn findings(
        &mut self,
        _path: &str,
        findings: &[Finding],
        _out: &mut dyn Write,
    ) -> io::Result<()> {
        self.findings.extend_from_slice(findings);
        Ok(())
    }

    fn file_done(&mut self, report: &FileReport, _out: &mut dyn Write) -> io::Result<()> {
        self.diagnostics.extend(report.diagnostics.iter().cloned());
        Ok(())
    }

    fn finish(&mut self, outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
        let doc = Document {
            schema_version: SCHEMA_VERSION,
            tool: &self.tool,
            findings: &self.findings,
            exposures: &outcome.exposures,
            remediation: &outcome.remediation,
            diagnostics: &self.diagnostics,
            summary: &outcome.summary,
        };
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        writeln!(out)
    }
}

/// Each line is an object with a `type`: `finding`, `diagnostic`, then one `summary`.
pub struct JsonlReporter {
    tool: ToolInfo,
    /// One line is serialized here, then written in one call.
    line: Vec<u8>,
}

impl JsonlReporter {
    pub fn new(tool: ToolInfo) -> Self {
        JsonlReporter {
            tool,
            line: Vec::with_capacity(512),
        }
    }
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum Line<'a> {
    Finding(&'a Finding),
    Diagnostic(&'a Diagnostic),
    Exposure(&'a Exposure),
    Remediation(&'a RemediationItem),
    Summary {
        schema_version: u32,
        tool: &'a ToolInfo,
        summary: &'a Summary,
    },
}

fn write_line(buf: &mut Vec<u8>, out: &mut dyn Write, line: &Line<'_>) -> io::Result<()> {
    buf.clear();
    serde_json::to_writer(&mut *buf, line)?;
    buf.push(b'\n');
    out.write_all(buf)
}

impl Reporter for JsonlReporter {
    fn findings(
        &mut self,
        _path: &str,
        findings: &[Finding],
        out: &mut dyn Write,
    ) -> io::Result<()> {
        for f in findings {
            write_line(&mut self.line, out, &Line::Finding(f))?;
        }
        Ok(())
    }

    fn file_done(&mut self, report: &FileReport, out: &mut dyn Write) -> io::Result<()> {
        for d in &report.diagnostics {
            write_line(&mut self.line, out, &Line::Diagnostic(d))?;
        }
        Ok(())
    }

    fn finish(&mut self, outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
        for e in &outcome.exposures {
            write_line(&mut self.line, out, &Line::Exposure(e))?;
        }
        for r in &outcome.remediation {
            write_line(&mut self.line, out, &Line::Remediation(r))?;
        }
        let summary = &outcome.summary;
        write_line(
            &mut self.line,
            out,
            &Line::Summary {
                schema_version: SCHEMA_VERSION,
                tool: &self.tool,
                summary,
            },
        )
    }
}
