//! The CI gate with a baseline, end to end through the binary: accepted exposures
//! pass, moving lines does not make them new, a new plaintext SSN column fails.

mod common;
use common::*;
use std::path::Path;

fn prepend(path: &Path, lines: &str) {
    let old = std::fs::read_to_string(path).unwrap();
    std::fs::write(path, format!("{lines}{old}")).unwrap();
}

#[test]
fn baseline_flow() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    write(
        &root,
        "db/schema.sql",
        "CREATE TABLE customers (id int, email text, ssn varchar(11));\n",
    );
    write(
        &root,
        "db/migrations/V1__init.sql",
        "ALTER TABLE customers ADD COLUMN dob date;\n",
    );
    write(
        &root,
        "dumps/prod.sql",
        "COPY customers (id, email, ssn) FROM stdin;\n1\tana@corp-mail.net\t536-22-8119\n\\.\n",
    );
    write(
        &root,
        "logs/app.log",
        "2024-03-02 debug ssn=402-71-3356 user=bo@corp-mail.net\n",
    );
    write(&root, "config/app.yml", "fixtures:\n  ssn: \"148097731\"\n");
    let baseline = dir.path().join("piiscan-baseline.json");
    let root_s = root.to_str().unwrap();

    // 1. A first scan fails (plaintext SSNs) and writes the baseline.
    piiscan()
        .args(["scan", root_s, "--write-baseline"])
        .arg(&baseline)
        .assert()
        .code(1);
    let text = std::fs::read_to_string(&baseline).unwrap();
    for raw in [
        "536-22-8119",
        "536228119",
        "402-71-3356",
        "148097731",
        "ana@corp-mail.net",
    ] {
        assert!(!text.contains(raw), "baseline holds a raw value");
    }
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&baseline).unwrap().permissions(),
    ) & 0o777;
    assert_eq!(mode, 0o600);
    // Sorted and stable: writing it again gives the same bytes.
    let again = dir.path().join("again.json");
    piiscan()
        .args(["scan", root_s, "--write-baseline"])
        .arg(&again)
        .assert()
        .code(1);
    assert_eq!(text, std::fs::read_to_string(&again).unwrap());

    // 2. With the baseline, the same tree passes and reports nothing new.
    let (doc, code) = scan_json(&[root_s, "--baseline", baseline.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 0);
    assert!(doc["exposures"].as_array().unwrap().is_empty());
    assert!(doc["summary"]["suppressed"].as_u64().unwrap() >= 8);

    // 3. Fifty unrelated lines at the top of every file, and more rows in the dump: still accepted.
    let filler: String = (0..50).map(|i| format!("-- note {i}\n")).collect();
    for f in ["db/schema.sql", "db/migrations/V1__init.sql"] {
        prepend(&root.join(f), &filler);
    }
    let log_filler: String = (0..50)
        .map(|i| format!("2024-03-01 info request {i} ok\n"))
        .collect();
    prepend(&root.join("logs/app.log"), &log_filler);
    let yml_filler: String = (0..50).map(|i| format!("# comment {i}\n")).collect();
    prepend(&root.join("config/app.yml"), &yml_filler);
    let dump = "COPY customers (id, email, ssn) FROM stdin;\n0\tzed@corp-mail.net\t287-65-4321\n1\tana@corp-mail.net\t536-22-8119\n\\.\n";
    std::fs::write(root.join("dumps/prod.sql"), format!("{filler}{dump}")).unwrap();
    let (doc, code) = scan_json(&[root_s, "--baseline", baseline.to_str().unwrap()]);
    assert_eq!(code, 0, "{}", doc["findings"]);

    // 4. A migration adding a plaintext SSN column fails, naming only that exposure.
    write(
        &root,
        "db/migrations/V2__add_tax.sql",
        "ALTER TABLE employees ADD COLUMN tax_id varchar(11);\n",
    );
    let (doc, code) = scan_json(&[root_s, "--baseline", baseline.to_str().unwrap()]);
    assert_eq!(code, 1);
    let ids: Vec<&str> = doc["exposures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["column:employees.tax_id"]);
    let rules: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["ssn-column"]);

    // 5. --show-suppressed lists the accepted ones too, marked, without failing on them.
    let (doc, _) = scan_json(&[
        root_s,
        "--baseline",
        baseline.to_str().unwrap(),
        "--show-suppressed",
    ]);
    let marked = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suppressed"] == "baseline")
        .count();
    assert!(marked >= 8);
    assert_eq!(doc["summary"]["findings"], 1);

    // A new SSN in the accepted log file is new: free-text values are keyed by value.
    prepend(
        &root.join("logs/app.log"),
        "2024-03-03 debug ssn=148-09-7731\n",
    );
    let (doc, _) = scan_json(&[root_s, "--baseline", baseline.to_str().unwrap()]);
    let log_new = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["location"]["path"].as_str().unwrap().ends_with("app.log"))
        .count();
    assert_eq!(log_new, 1);
}

#[test]
fn a_broken_baseline_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(dir.path(), "b.json", "{\"entries\": []}");
    piiscan()
        .args([
            "scan",
            dir.path().to_str().unwrap(),
            "--baseline",
            bad.to_str().unwrap(),
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("is not a piiscan baseline"));
}
