//! SARIF output validates against the official SARIF 2.1.0 JSON schema, and carries
//! what GitHub code scanning needs: rule ids, rules with help, messages, regions,
//! partial fingerprints and a security-severity for every result.
//!
//! The schema comes from the `serde-sarif` package (a dev-dependency), which ships the
//! OASIS schema file; it is read from cargo's registry checkout.

mod common;
use common::*;
use serde_json::Value;
use std::path::PathBuf;

fn sarif_schema() -> Value {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cargo"));
    let src = home.join("registry/src");
    let found = std::fs::read_dir(&src)
        .expect("cargo registry checkout")
        .filter_map(Result::ok)
        .flat_map(|index| {
            std::fs::read_dir(index.path())
                .into_iter()
                .flatten()
                .filter_map(Result::ok)
        })
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("serde-sarif-"))
        })
        .map(|p| p.join("src/schema.json"))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "the SARIF schema from the serde-sarif package was not found under {}",
                src.display()
            )
        });
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(found).unwrap()).unwrap();
    assert_eq!(
        schema["title"],
        "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    );
    schema
}

#[test]
fn sarif_validates_against_the_schema_and_suits_code_scanning() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "db/schema.sql",
        "CREATE TABLE customers (id int, ssn varchar(11), email text);\n",
    );
    write(
        dir.path(),
        "logs/app 1.log",
        "user=ana@corp-mail.net ssn=536-22-8119\n-- piiscan:ignore email\nbo@corp-mail.net\n",
    );
    std::fs::write(dir.path().join("broken.dump"), b"PGDMP\x01\x0e\x00").unwrap();
    let out = piiscan()
        .args([
            "scan",
            dir.path().to_str().unwrap(),
            "-f",
            "sarif",
            "--show-suppressed",
        ])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");

    // The official schema's `language` patterns (run, toolComponent) have a stray `]`,
    // which the meta-schema rejects; they are corrected here to what the spec describes
    // (a two-letter language, optionally with a region). piiscan never emits `language`.
    const ERRATUM: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    let text = serde_json::to_string(&sarif_schema()).unwrap();
    assert!(text.contains(&serde_json::to_string(ERRATUM).unwrap()));
    let fixed = text.replace(
        &serde_json::to_string(ERRATUM).unwrap(),
        "\"^[a-zA-Z]{2}(-[a-zA-Z]{2})?$\"",
    );
    let schema: Value = serde_json::from_str(&fixed).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF schema violations: {errors:#?}");

    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert!(results.len() >= 4);
    for r in results {
        let id = r["ruleId"].as_str().unwrap();
        let rule = &rules[r["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(rule["id"], id);
        assert!(rule["help"]["text"].as_str().is_some_and(|t| !t.is_empty()));
        assert!(
            rule["properties"]["security-severity"]
                .as_str()
                .unwrap()
                .parse::<f64>()
                .is_ok()
        );
        assert!(r["properties"]["security-severity"].as_str().is_some());
        assert_eq!(
            r["partialFingerprints"]["piiscanFingerprint/v1"]
                .as_str()
                .unwrap()
                .len(),
            32
        );
        assert!(
            r["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap()
                >= 1
        );
        assert!(
            !r["message"]["text"]
                .as_str()
                .unwrap()
                .contains("536-22-8119"),
            "no raw value"
        );
    }
    let uri = |r: &Value| {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(results.iter().any(|r| uri(r).ends_with("logs/app%201.log")));
    assert!(
        results
            .iter()
            .any(|r| r["suppressions"][0]["kind"] == "inSource")
    );
    let critical = results
        .iter()
        .find(|r| r["ruleId"] == "ssn-column")
        .unwrap();
    assert_eq!(
        (
            critical["level"].as_str(),
            critical["properties"]["security-severity"].as_str()
        ),
        (Some("error"), Some("9.5"))
    );
    assert_eq!(
        run["invocations"][0]["executionSuccessful"], false,
        "the archive could not be scanned"
    );
}
