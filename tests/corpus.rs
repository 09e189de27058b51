//! The real-world corpus in `../shared/corpus/real` (public schemas and dumps written
//! by others). Not copied into this repository (some files are GPL); these tests read
//! it in place. They run in CI (`.ci/run` passes `--ignored`); locally:
//! `cargo test --test corpus -- --ignored` with the shared folder beside the repo.

mod common;
use common::*;
use serde_json::Value;
use std::path::PathBuf;

fn corpus() -> PathBuf {
    let dir = repo().join("../shared/corpus/real");
    assert!(
        dir.is_dir(),
        "corpus not found at {} (it sits beside the repository in CI)",
        dir.display()
    );
    dir
}

fn findings_in<'a>(doc: &'a Value, file: &str) -> Vec<&'a Value> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["location"]["path"].as_str().unwrap().ends_with(file))
        .collect()
}

#[test]
#[ignore = "needs ../shared/corpus/real (present in CI; run with --ignored)"]
fn every_corpus_file_is_scanned_completely_without_diagnostics() {
    let dir = corpus();
    let (doc, code) = scan_json(&[dir.to_str().unwrap(), "--fail-on", "never"]);
    assert_eq!(code, 0);
    assert_eq!(
        doc["diagnostics"].as_array().unwrap().len(),
        0,
        "{}",
        doc["diagnostics"]
    );
    assert_eq!(doc["summary"]["files_scanned"], 23);
    assert_eq!(doc["summary"]["bytes_scanned"], 16_916_168);
}

#[test]
#[ignore = "needs ../shared/corpus/real (present in CI; run with --ignored)"]
fn obvious_values_are_found_and_sample_data_gives_no_false_ssns() {
    let dir = corpus();
    let (doc, _) = scan_json(&[dir.to_str().unwrap(), "--fail-on", "never"]);
    // pagila: 599 customers and the staff have e-mail addresses in COPY rows.
    let pagila_emails = findings_in(&doc, "pagila-data.sql")
        .into_iter()
        .filter(|f| f["rule_id"] == "email")
        .count();
    assert!(pagila_emails >= 599, "{pagila_emails}");
    // OpenEMR example patients: the dashed SSNs are found as values.
    let emr_ssns = findings_in(&doc, "example_patient_data.sql")
        .into_iter()
        .filter(|f| f["pii_type"] == "ssn")
        .count();
    assert!(emr_ssns >= 8, "{emr_ssns}");
    // Nothing in the demo databases and schemas is an SSN or a card number.
    for file in [
        "pagila-data.sql",
        "pagila-schema.sql",
        "sakila-mv-data.sql",
        "Chinook_PostgreSql.sql",
        "structure.sql",
        "tables.sql",
        "database.sql",
    ] {
        let bad: Vec<_> = findings_in(&doc, file)
            .into_iter()
            .filter(|f| matches!(f["pii_type"].as_str(), Some("ssn" | "itin" | "credit_card")))
            .map(|f| f["location"].clone())
            .collect();
        assert!(bad.is_empty(), "false positives in {file}: {bad:?}");
    }
}
