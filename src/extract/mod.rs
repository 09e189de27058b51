//! Extractors: turn bytes of one format into scanned fields with locations.
//!
//! Every extractor streams with bounded buffers and hands `(bytes, context)` to the
//! engine, then turns the engine's hits into `Finding`s through a `FindingBuilder`,
//! which owns masking, fingerprints and the confidence threshold.

pub mod text;

use crate::engine::{Engine, ValueHit};
use crate::finding::{Confidence, Finding, FindingKind, Location};
use crate::redact::{self, Fingerprinter};

/// Where extractors put findings as they find them (streamed, never collected per file).
pub trait FindingSink {
    fn finding(&mut self, finding: Finding);
}

impl FindingSink for Vec<Finding> {
    fn finding(&mut self, finding: Finding) {
        self.push(finding);
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
    pub path: &'a str,
    pub policy: FindingPolicy<'a>,
}

/// Where a value sits, beyond line and column.
#[derive(Debug, Clone, Default)]
pub struct Place {
    pub line: u64,
    pub column: u64,
    pub table: Option<String>,
    pub field: Option<String>,
    pub record: Option<u64>,
}

impl FindingBuilder<'_> {
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
                path: self.path.to_string(),
                line: place.line,
                column: place.column,
                table: place.table,
                field: place.field,
                record: place.record,
            },
            evidence: redact::mask(raw, rule.mask),
            fingerprint,
            value: self
                .policy
                .show_values
                .then(|| String::from_utf8_lossy(raw).into_owned()),
        })
    }
}
