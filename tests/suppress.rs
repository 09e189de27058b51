//! Suppressions: inline `piiscan:ignore` and the `.piiscan.toml` allowlist each
//! suppress exactly what they name, are counted, and are listed on request.

mod common;
use common::*;
use predicates::prelude::*;

fn rules_at(doc: &serde_json::Value) -> Vec<(String, u64, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let p = f["location"]["path"].as_str().unwrap();
            let file = p.rsplit('/').next().unwrap().to_string();
            (
                file,
                f["location"]["line"].as_u64().unwrap(),
                f["rule_id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn inline_ignores_suppress_exactly_what_they_name() {
    let dir = tempfile::tempdir().unwrap();
    let sql = "-- piiscan:ignore us-ssn synthetic fixture\n\
               INSERT INTO t (ssn, email) VALUES ('536-22-8119', 'ana@corp-mail.net');\n\
               INSERT INTO t (ssn, email) VALUES ('402-71-3356', 'bo@corp-mail.net'); -- piiscan:ignore email\n\
               INSERT INTO t (ssn, email) VALUES ('148-09-7731', 'cy@corp-mail.net');\n";
    write(dir.path(), "fixtures.sql", sql);
    write(
        dir.path(),
        "app.yml",
        "admin:\n  ssn: \"287654321\" # piiscan:ignore\n  backup_ssn: \"321549876\"\n",
    );
    let (doc, _) = scan_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(
        rules_at(&doc),
        [
            ("app.yml".into(), 3, "us-ssn".into()),
            ("fixtures.sql".into(), 2, "email".into()),
            ("fixtures.sql".into(), 3, "us-ssn".into()),
            ("fixtures.sql".into(), 4, "us-ssn".into()),
            ("fixtures.sql".into(), 4, "email".into()),
        ]
    );
    assert_eq!(doc["summary"]["suppressed_by"]["inline"], 3);
    let (doc, _) = scan_json(&[dir.path().to_str().unwrap(), "--show-suppressed"]);
    let marked = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suppressed"] == "inline")
        .count();
    assert_eq!(marked, 3);
}

#[test]
fn config_allowlist_suppresses_by_path_and_location() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    write(
        &root,
        "logs/mail.log",
        "2024-03-02 sent to ana@corp-mail.net\n",
    );
    write(
        &root,
        "logs/app.log",
        "2024-03-02 debug ssn=536-22-8119 user=bo@corp-mail.net\n",
    );
    write(
        &root,
        "db/schema.sql",
        "CREATE TABLE public.clients (id int, display_name text, contact_email text);\n",
    );
    write(
        &root,
        ".piiscan.toml",
        "[[allow]]\npath = \"logs/mail.log\"\nreason = \"mail logs are purged daily\"\n\n[[allow]]\nlocation = \"public.clients.display_name\"\nrule = \"person-name-column\"\nreason = \"business contact names, approved by DPO\"\n",
    );
    let out = piiscan()
        .args(["scan", root.to_str().unwrap(), "-f", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(".piiscan.toml (2 allow entries)"),
        "says which config was loaded: {stderr}"
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        rules_at(&doc),
        [
            ("schema.sql".into(), 1, "email-column".into()),
            ("app.log".into(), 1, "us-ssn".into()),
            ("app.log".into(), 1, "email".into()),
        ]
    );
    assert_eq!(doc["summary"]["suppressed_by"]["allowlist"], 2);
    assert!(
        doc["summary"]["config"]
            .as_str()
            .unwrap()
            .ends_with(".piiscan.toml")
    );
    // --no-config ignores it.
    let (doc, _) = scan_json(&[root.to_str().unwrap(), "--no-config"]);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 5);
}

#[test]
fn allow_entries_need_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.log", "ssn=536-22-8119\n");
    let cfg = write(
        dir.path(),
        "piiscan.toml",
        "[[allow]]\npath = \"a.log\"\nreason = \"ok\"\n\n[[allow]]\npath = \"b.log\"\n",
    );
    piiscan()
        .args([
            "scan",
            dir.path().to_str().unwrap(),
            "--config",
            cfg.to_str().unwrap(),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "piiscan.toml:5: allow entry 2: missing field `reason`",
        ));
}
