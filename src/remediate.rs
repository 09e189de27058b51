//! The remediation list: per exposure, what to do, why, and in which order.
//!
//! Priority is a risk score: severity × confidence × volume × protection, where each
//! severity level weighs three times the one below, volume is 1 + log10(values) (a
//! declared column counts as at least 1,000 rows), and protection scales from 1
//! (plaintext) down to 0.1 (encrypted, tokenized). A plaintext
//! SSN column with thousands of rows comes before a weakly hashed one, which comes
//! before e-mail addresses in a log.

use crate::aggregate::{Exposure, StorageKind};
use crate::finding::{Confidence, Protection, Severity};
use serde::Serialize;

/// One thing to fix.
#[derive(Debug, Clone, Serialize)]
pub struct RemediationItem {
    /// 1 is the most urgent.
    pub rank: usize,
    /// The risk score the list is sorted by (higher first).
    pub score: f64,
    /// The exposure's id (`column:customers.ssn`).
    pub exposure: String,
    pub location: String,
    pub pii_types: Vec<String>,
    pub severity: Severity,
    pub protection: Protection,
    pub values: u64,
    /// What to do, in one or two sentences.
    pub action: String,
    /// Why, from the rules that found it.
    pub why: String,
}

/// Each severity level weighs about three times the one below, so volume (a log
/// full of e-mail addresses) cannot outrank a plaintext SSN column.
fn severity_weight(s: Severity) -> f64 {
    match s {
        Severity::Critical => 30.0,
        Severity::High => 10.0,
        Severity::Medium => 3.0,
        Severity::Low => 1.0,
        Severity::Info => 0.1,
    }
}

/// Rows a declared column is assumed to hold when no values were seen: it stores one
/// per row of its table.
const DECLARED_ROWS: u64 = 1000;

fn confidence_weight(c: Confidence) -> f64 {
    match c {
        Confidence::High => 1.0,
        Confidence::Medium => 0.7,
        Confidence::Low => 0.4,
    }
}

fn protection_weight(p: Protection) -> f64 {
    match p {
        Protection::Plaintext => 1.0,
        Protection::Unknown => 0.9,
        Protection::WeakHash => 0.8,
        Protection::Partial => 0.3,
        Protection::Hashed => 0.25,
        Protection::Encrypted | Protection::Tokenized => 0.1,
    }
}

/// The risk score of an exposure.
pub fn score(e: &Exposure) -> f64 {
    let values: u64 = e.values.values().sum();
    // A database sample estimates the rows holding PII: share × table size.
    let estimated: u64 = e
        .prevalence
        .iter()
        .map(|p| (p.ratio * p.rows_estimate.unwrap_or(0) as f64) as u64)
        .sum();
    let rows = if e.declared {
        values.max(DECLARED_ROWS)
    } else {
        values.max(1)
    }
    .max(estimated);
    let volume = 1.0 + (rows as f64).log10();
    let s = severity_weight(e.severity)
        * confidence_weight(e.confidence)
        * volume
        * protection_weight(e.protection);
    (s * 100.0).round() / 100.0
}

fn action(e: &Exposure) -> String {
    let types = e.pii_types.join(", ");
    let files: Vec<&str> = e
        .seen_in
        .iter()
        .filter(|s| s.kind == crate::finding::FindingKind::Value && !s.database)
        .map(|s| s.path.as_str())
        .collect();
    let artifacts = if files.is_empty() {
        String::new()
    } else {
        format!(
            " Values are also stored in {}: mask them in the export job, encrypt the files and let them expire.",
            files.join(", ")
        )
    };
    // Identifiers can be cut to their last four digits; names and addresses cannot.
    let identifiers = [
        "ssn",
        "itin",
        "credit_card",
        "bank_account",
        "iban",
        "passport",
        "drivers_license",
        "national_id",
    ];
    let keep = if e
        .pii_types
        .iter()
        .all(|t| identifiers.contains(&t.as_str()))
    {
        "keep only the last four digits where a full value is not needed"
    } else {
        "mask it in every read path that does not need it"
    };
    match (e.storage, e.protection) {
        (StorageKind::Column, Protection::Plaintext | Protection::Unknown) => format!(
            "Encrypt column {} at the application layer or replace it with tokens; {keep}; restrict SELECT grants to the services that use it.{artifacts}",
            e.location
        ),
        (StorageKind::Column, Protection::WeakHash) => format!(
            "Replace the unsalted/fast hash in {} with a keyed hash (HMAC with a secret key held outside the database) or tokenization: {types} values are few enough to reverse a plain hash by enumeration.{artifacts}",
            e.location
        ),
        (StorageKind::Column, p) => format!(
            "{} is {} ({}): keep the keys outside the database, review who can read it, and confirm no plaintext copy remains.{artifacts}",
            e.location,
            p.as_str(),
            types
        ),
        (StorageKind::Field, _) => format!(
            "Mask or drop field `{}` in the export job that writes {}; encrypt the export at rest and give it an expiry.",
            e.location.rsplit(": ").next().unwrap_or(&e.location),
            e.seen_in.first().map_or("it", |s| s.path.as_str())
        ),
        (StorageKind::ConfigKey, _) => format!(
            "Remove the {types} from {}: use synthetic test data in fixtures and configs, load real secrets from a secret store, and rotate anything that was real.",
            e.location
        ),
        (StorageKind::File, _) => format!(
            "Scrub {types} at the source that writes {} (mask before logging or exporting), purge existing copies, and shorten retention.",
            e.location
        ),
    }
}

/// The ranked remediation list for `exposures`.
pub fn plan(exposures: &[Exposure]) -> Vec<RemediationItem> {
    let mut items: Vec<RemediationItem> = exposures
        .iter()
        .map(|e| RemediationItem {
            rank: 0,
            score: score(e),
            exposure: e.id.clone(),
            location: e.location.clone(),
            pii_types: e.pii_types.clone(),
            severity: e.severity,
            protection: e.protection,
            values: e.values.values().sum(),
            action: action(e),
            why: e.rule_remediation.join(" "),
        })
        .collect();
    items.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.exposure.cmp(&b.exposure))
    });
    for (i, item) in items.iter_mut().enumerate() {
        item.rank = i + 1;
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::Aggregator;
    use crate::finding::{ColumnInfo, Finding, FindingKind, Location, Scope};

    #[allow(clippy::too_many_arguments)]
    fn f(
        path: &str,
        table: Option<&str>,
        field: Option<&str>,
        pii: &str,
        sev: Severity,
        kind: FindingKind,
        prot: Option<Protection>,
        scope: Scope,
    ) -> Finding {
        Finding {
            rule_id: format!("{pii}-rule").into(),
            pii_type: pii.into(),
            severity: sev,
            confidence: Confidence::High,
            kind,
            location: Location {
                path: path.into(),
                line: 1,
                column: 1,
                table: table.map(Into::into),
                field: field.map(Into::into),
                record: None,
                source: None,
            },
            column: prot.map(|p| ColumnInfo {
                declared_type: None,
                protection: p,
            }),
            evidence: "x".into(),
            fingerprint: String::new(),
            value: None,
            suppressed: None,
            scope,
        }
    }

    #[test]
    fn plaintext_ssn_columns_rank_above_hashed_ones_and_log_emails() {
        let mut a = Aggregator::default();
        a.add(
            &f(
                "schema.sql",
                Some("customers"),
                Some("ssn"),
                "ssn",
                Severity::Critical,
                FindingKind::Column,
                Some(Protection::Plaintext),
                Scope::Structured,
            ),
            None,
        );
        a.add(
            &f(
                "schema.sql",
                Some("employees"),
                Some("ssn_hash"),
                "ssn",
                Severity::High,
                FindingKind::Column,
                Some(Protection::WeakHash),
                Scope::Structured,
            ),
            None,
        );
        for _ in 0..500 {
            a.add(
                &f(
                    "app.log",
                    None,
                    Some("user"),
                    "email",
                    Severity::Medium,
                    FindingKind::Value,
                    None,
                    Scope::FreeText,
                ),
                None,
            );
        }
        let plan = plan(&a.finish());
        let order: Vec<&str> = plan.iter().map(|i| i.exposure.as_str()).collect();
        assert_eq!(
            order,
            [
                "column:customers.ssn",
                "column:employees.ssn_hash",
                "file:app.log"
            ]
        );
        assert!(plan[1].action.contains("keyed hash"));
        assert!(plan[2].action.contains("Scrub"));
        assert_eq!(plan[0].rank, 1);
    }
}
