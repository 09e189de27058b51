//! `--format sarif`: SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps).
//!
//! Every result carries `ruleId`, a message with masked evidence, a physical location
//! with a region, a keyed `partialFingerprints` entry and, through its rule, a
//! `security-severity` that GitHub uses to rank alerts. Tested against the official
//! schema.

use super::{Outcome, Reporter, RuleMeta, ToolInfo};
use crate::diagnostic::Diagnostic;
use crate::finding::{Finding, Severity};
use crate::scan::FileReport;
use serde_json::{Value, json};
use std::io::{self, Write};

pub struct SarifReporter {
    tool: ToolInfo,
    results: Vec<Value>,
    diagnostics: Vec<Diagnostic>,
}

impl SarifReporter {
    pub fn new(tool: ToolInfo) -> Self {
        SarifReporter {
            tool,
            results: Vec::new(),
            diagnostics: Vec::new(),
        }
    }
}

/// GitHub's scale: critical ≥ 9.0, high 7.0–8.9, medium 4.0–6.9, low 0.1–3.9.
pub fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.5",
    }
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// A path as a relative URI reference: `./` dropped, reserved characters escaped.
pub fn uri(path: &str) -> String {
    let p = path.strip_prefix("./").unwrap_or(path);
    let mut out = String::with_capacity(p.len());
    for b in p.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn rule(meta: &RuleMeta) -> Value {
    json!({
        "id": meta.id,
        "name": meta.id.split('-').map(|w| { let mut c = w.chars(); c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default() }).collect::<String>(),
        "shortDescription": { "text": meta.name },
        "fullDescription": { "text": meta.description.clone().unwrap_or_else(|| meta.name.clone()) },
        "help": { "text": meta.remediation.clone().unwrap_or_else(|| "Encrypt, tokenize or remove the stored personal data.".into()) },
        "defaultConfiguration": { "level": level(meta.severity) },
        "properties": {
            "security-severity": security_severity(meta.severity),
            "tags": ["security", "privacy", "pii", meta.pii_type],
        }
    })
}

impl Reporter for SarifReporter {
    fn findings(&mut self, _: &str, findings: &[Finding], _: &mut dyn Write) -> io::Result<()> {
        for f in findings {
            let index = self.tool.rules.iter().position(|r| *r.id == *f.rule_id);
            let loc = &f.location;
            let place = match (&loc.table, &loc.field) {
                (Some(t), Some(c)) => format!(" in {t}.{c}"),
                (None, Some(c)) => format!(" in {c}"),
                _ => String::new(),
            };
            let what = match f.kind {
                crate::finding::FindingKind::Value => {
                    format!("{} value {}{place}", f.pii_type, f.evidence)
                }
                _ => format!("{} storage: {}{place}", f.pii_type, f.evidence),
            };
            let mut result = json!({
                "ruleId": f.rule_id,
                "level": level(f.severity),
                "message": { "text": crate::redact::escape_control(&what) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&loc.path) },
                        "region": { "startLine": loc.line.max(1), "startColumn": loc.column.max(1) }
                    }
                }],
                "partialFingerprints": { "piiscanFingerprint/v1": f.fingerprint },
                "properties": {
                    "confidence": f.confidence.as_str(),
                    "kind": serde_json::to_value(f.kind).unwrap_or(Value::Null),
                    "piiType": f.pii_type,
                    "security-severity": security_severity(f.severity),
                }
            });
            if let Some(i) = index {
                result["ruleIndex"] = json!(i);
            }
            if let Some(s) = &f.suppressed {
                result["suppressions"] = json!([{ "kind": if s == "inline" { "inSource" } else { "external" }, "justification": s }]);
            }
            self.results.push(result);
        }
        Ok(())
    }

    fn file_done(&mut self, report: &FileReport, _: &mut dyn Write) -> io::Result<()> {
        self.diagnostics.extend(report.diagnostics.iter().cloned());
        Ok(())
    }

    fn finish(&mut self, outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
        let notifications: Vec<Value> = self
            .diagnostics
            .iter()
            .map(|d| {
                json!({
                    "level": if d.kind.makes_incomplete() { "error" } else { "note" },
                    "message": { "text": format!("{}: {} ({})", crate::redact::escape_control(&d.path), d.message, d.kind.as_str()) },
                })
            })
            .collect();
        let doc = json!({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                "tool": { "driver": {
                    "name": self.tool.name,
                    "version": self.tool.version,
                    "semanticVersion": self.tool.version,
                    "rules": self.tool.rules.iter().map(rule).collect::<Vec<_>>(),
                    "properties": { "rulesDigest": self.tool.rules_digest },
                }},
                "results": self.results,
                "invocations": [{
                    "executionSuccessful": !outcome.summary.incomplete,
                    "toolExecutionNotifications": notifications,
                }],
            }]
        });
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        writeln!(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        assert_eq!(uri("./db/schema.sql"), "db/schema.sql");
        assert_eq!(uri("exports/my file#1.csv"), "exports/my%20file%231.csv");
    }
}
