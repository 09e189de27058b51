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
    // Only notes: some DDL read by the lenient reader, never a skipped or failed file.
    for d in doc["diagnostics"].as_array().unwrap() {
        assert_eq!(d["kind"], "parse_fallback", "{d}");
    }
    assert_eq!(doc["summary"]["incomplete"], false);
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
    // No value in the demo databases and schemas is an SSN or a card number
    // (OpenEMR's schema declares SSN columns: those are column findings).
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
            .filter(|f| {
                f["kind"] == "value"
                    && matches!(f["pii_type"].as_str(), Some("ssn" | "itin" | "credit_card"))
            })
            .map(|f| f["location"].clone())
            .collect();
        assert!(bad.is_empty(), "false positives in {file}: {bad:?}");
    }
}

/// (table, field) → count of value findings of `rule` in `file`.
fn value_counts(
    doc: &Value,
    file: &str,
) -> std::collections::BTreeMap<(String, String, String), u64> {
    let mut m = std::collections::BTreeMap::new();
    for f in findings_in(doc, file) {
        if f["kind"] == "value" {
            let l = &f["location"];
            let key = (
                l["table"].as_str().unwrap_or("").to_string(),
                l["field"].as_str().unwrap_or("").to_string(),
                f["rule_id"].as_str().unwrap().to_string(),
            );
            *m.entry(key).or_insert(0) += 1;
        }
    }
    m
}

#[test]
#[ignore = "needs ../shared/corpus/real (present in CI; run with --ignored)"]
fn pagila_values_are_attributed_to_their_tables_columns_and_rows() {
    let dir = corpus().join("pagila");
    let (doc, _) = scan_json(&[dir.to_str().unwrap(), "--fail-on", "never"]);
    let counts = value_counts(&doc, "pagila-data.sql");
    let count = |t: &str, f: &str, r: &str| {
        counts
            .get(&(t.to_string(), f.to_string(), r.to_string()))
            .copied()
            .unwrap_or(0)
    };
    assert_eq!(count("public.customer", "email", "email"), 599);
    assert_eq!(
        count("public.customer", "first_name", "person-name-column"),
        599
    );
    assert_eq!(
        count("public.customer", "last_name", "person-name-column"),
        599
    );
    assert!(count("public.staff", "email", "email") >= 2);
    assert!(
        count("public.address", "phone", "phone")
            + count("public.address", "phone", "phone-digits")
            >= 590
    );
    assert!(
        count("public.address", "address", "street-address")
            + count("public.address", "address", "street-address-column")
            >= 600
    );
    // Rows are numbered per table: the first customer's e-mail is row 1, on the line of that COPY row.
    let first = findings_in(&doc, "pagila-data.sql")
        .into_iter()
        .find(|f| f["location"]["table"] == "public.customer" && f["rule_id"] == "email")
        .unwrap();
    assert_eq!(first["location"]["record"], 1);
    let text = std::fs::read_to_string(dir.join("pagila-data.sql")).unwrap();
    let copy_line = text
        .lines()
        .position(|l| l.starts_with("COPY public.customer "))
        .unwrap() as u64
        + 1;
    assert_eq!(first["location"]["line"], copy_line + 1);
    // The schema declares the same columns.
    let cols: Vec<String> = findings_in(&doc, "pagila-schema.sql")
        .into_iter()
        .filter(|f| f["kind"] == "column")
        .map(|f| {
            format!(
                "{}.{}",
                f["location"]["table"].as_str().unwrap(),
                f["location"]["field"].as_str().unwrap()
            )
        })
        .collect();
    for c in [
        "public.customer.email",
        "public.staff.email",
        "public.address.phone",
        "public.address.address",
        "public.customer.first_name",
        "public.customer.last_name",
    ] {
        assert!(cols.contains(&c.to_string()), "{c} not in {cols:?}");
    }
}

#[test]
#[ignore = "needs ../shared/corpus/real (present in CI; run with --ignored)"]
fn openemr_ssn_column_and_patient_values() {
    let dir = corpus().join("openemr");
    let (doc, _) = scan_json(&[dir.to_str().unwrap(), "--fail-on", "never"]);
    let ss = findings_in(&doc, "database.sql")
        .into_iter()
        .find(|f| {
            f["kind"] == "column"
                && f["location"]["table"] == "patient_data"
                && f["location"]["field"] == "ss"
        })
        .expect("patient_data.ss column");
    assert_eq!(
        (
            ss["pii_type"].as_str(),
            ss["column"]["protection"].as_str(),
            ss["severity"].as_str()
        ),
        (Some("ssn"), Some("plaintext"), Some("critical"))
    );
    let counts = value_counts(&doc, "example_patient_data.sql");
    let ssn_values = counts
        .get(&(
            "patient_data".to_string(),
            "ss".to_string(),
            "us-ssn".to_string(),
        ))
        .copied()
        .unwrap_or(0);
    assert!(ssn_values >= 12, "{counts:?}");
    // Every SSN value found in the example patients sits in patient_data.ss.
    for f in findings_in(&doc, "example_patient_data.sql") {
        if f["pii_type"] == "ssn" {
            assert_eq!(
                (
                    f["location"]["table"].as_str(),
                    f["location"]["field"].as_str()
                ),
                (Some("patient_data"), Some("ss"))
            );
        }
    }
}

#[test]
#[ignore = "needs ../shared/corpus/real (present in CI; run with --ignored)"]
fn gitlab_structure_columns_protection_and_coverage() {
    let file = corpus().join("gitlab/structure.sql");
    let (doc, _) = scan_json(&[file.to_str().unwrap(), "--fail-on", "never"]);
    let cols: Vec<(String, String, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "column")
        .map(|f| {
            (
                format!(
                    "{}.{}",
                    f["location"]["table"].as_str().unwrap(),
                    f["location"]["field"].as_str().unwrap()
                ),
                f["pii_type"].as_str().unwrap().into(),
                f["column"]["protection"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(
        cols.contains(&("users.email".into(), "email".into(), "plaintext".into())),
        "{cols:?}"
    );
    assert!(cols.iter().filter(|c| c.1 == "email").count() >= 20);
    // encrypted_* columns are protected, never plaintext.
    let encrypted: Vec<_> = cols
        .iter()
        .filter(|c| c.0.rsplit('.').next().unwrap().starts_with("encrypted_"))
        .collect();
    assert!(encrypted.len() >= 5, "{encrypted:?}");
    assert!(
        encrypted
            .iter()
            .all(|c| matches!(c.2.as_str(), "encrypted" | "hashed")),
        "{encrypted:?}"
    );
    let sql = &doc["summary"]["sql"][0];
    assert!(sql["ddl_parsed"].as_u64().unwrap() > 5000, "{sql}");
    assert!(
        sql["ddl_fallback"].as_u64().unwrap() < sql["ddl_parsed"].as_u64().unwrap() / 5,
        "{sql}"
    );
    assert_eq!(sql["statements"], 14583);
}
