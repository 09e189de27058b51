//! Readers tested against the real tools' output: tables with planted PII are created
//! in the PostgreSQL and MariaDB servers, dumped with `pg_dump` and `mysqldump`, and the
//! dumps are scanned.
//!
//! Needs PostgreSQL on 127.0.0.1:5432 (user `postgres`, trust auth, database `test`)
//! and MariaDB on 127.0.0.1:3306 (`root`, no password, database `test`), plus the
//! `psql`, `pg_dump`, `mariadb` and `mysqldump` clients. CI runs them (`.ci/run` passes
//! `--ignored`); locally: `cargo test --test dumps -- --ignored`. A missing server fails
//! the test, it never passes silently.

mod common;
use common::*;
use std::collections::BTreeSet;
use std::process::Command;

fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

const ROWS: &[(&str, &str, &str, &str)] = &[
    // (name, email, ssn, notes)
    (
        "Maria Gonzalez",
        "maria.gonzalez@mailbox.test.org",
        "536-22-8119",
        "prefers\tphone\ncontact",
    ),
    (
        "Daniel O'Brien",
        "d.obrien@fastmail.net",
        "402713356",
        "back\\slash and 'quotes'",
    ),
    (
        "Wei Chen",
        "wei.chen@corp-mail.net",
        "",
        "order 4410 shipped",
    ),
    (
        "Zoë Ångström",
        "zoe@corp-mail.net",
        "148-09-7731",
        "ünïcode",
    ),
];

/// The value findings expected from a dump of the planted table, as (field, record, rule).
fn expected() -> BTreeSet<(String, u64, String)> {
    let mut e = BTreeSet::new();
    for (i, (_, _, ssn, _)) in ROWS.iter().enumerate() {
        let r = i as u64 + 1;
        e.insert(("full_name".into(), r, "person-name-column".into()));
        e.insert(("email".into(), r, "email".into()));
        if !ssn.is_empty() {
            e.insert(("ssn".into(), r, "us-ssn".into()));
        }
    }
    e
}

fn found(doc: &serde_json::Value, table_suffix: &str) -> BTreeSet<(String, u64, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "value")
        .map(|f| {
            let l = &f["location"];
            assert!(l["table"].as_str().unwrap().ends_with(table_suffix), "{l}");
            (
                l["field"].as_str().unwrap().into(),
                l["record"].as_u64().unwrap(),
                f["rule_id"].as_str().unwrap().into(),
            )
        })
        .collect()
}

fn sql_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''").replace('\\', "\\\\"))
}

#[test]
#[ignore = "needs PostgreSQL on 127.0.0.1:5432 and pg_dump (CI runs it with --ignored)"]
fn real_pg_dump_output() {
    let schema = format!("piiscan_t{}", std::process::id());
    let psql = |sql: &str| {
        run(Command::new("psql").args([
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            "test",
            "-v",
            "ON_ERROR_STOP=1",
            "-q",
            "-c",
            sql,
        ]))
    };
    psql(&format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};"
    ));
    psql(&format!(
        "CREATE TABLE {schema}.customers (id serial PRIMARY KEY, full_name text NOT NULL, email varchar(254), ssn varchar(11), ssn_hash bytea, notes text);\
         COMMENT ON COLUMN {schema}.customers.ssn_hash IS 'sha256 of ssn';"
    ));
    for (name, email, ssn, notes) in ROWS {
        let ssn = if ssn.is_empty() {
            "NULL".to_string()
        } else {
            format!("'{ssn}'")
        };
        psql(&format!(
            "INSERT INTO {schema}.customers (full_name, email, ssn, notes) VALUES ({}, '{email}', {ssn}, E{})",
            sql_literal(name),
            sql_literal(notes)
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("prod.sql");
    run(Command::new("pg_dump")
        .args([
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            "test",
            "-n",
            &schema,
            "-f",
        ])
        .arg(&plain));
    let custom = dir.path().join("prod.dump");
    run(Command::new("pg_dump")
        .args([
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            "test",
            "-n",
            &schema,
            "-Fc",
            "-f",
        ])
        .arg(&custom));
    psql(&format!("DROP SCHEMA {schema} CASCADE;"));

    let (doc, code) = scan_json(&[plain.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(found(&doc, &format!("{schema}.customers")), expected());
    let cols: BTreeSet<(String, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "column")
        .map(|f| {
            (
                f["location"]["field"].as_str().unwrap().into(),
                f["column"]["protection"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(
        cols.contains(&("ssn".into(), "plaintext".into())),
        "{cols:?}"
    );
    assert!(
        cols.contains(&("email".into(), "plaintext".into())),
        "{cols:?}"
    );
    assert_eq!(doc["summary"]["sql"][0]["copy_rows"], ROWS.len());
    assert_eq!(doc["summary"]["sql"][0]["dialect"], "postgres");

    // The custom format is recognised and explained.
    let (doc, code) = scan_json(&[custom.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        doc["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .contains("pg_restore -f - FILE | piiscan scan -")
    );
}

#[test]
#[ignore = "needs MariaDB on 127.0.0.1:3306 and mysqldump (CI runs it with --ignored)"]
fn real_mysqldump_output() {
    let db = format!("piiscan_t{}", std::process::id());
    let mariadb =
        |sql: &str| run(Command::new("mariadb").args(["-h", "127.0.0.1", "-u", "root", "-e", sql]));
    mariadb(&format!(
        "DROP DATABASE IF EXISTS {db}; CREATE DATABASE {db} CHARACTER SET utf8mb4;"
    ));
    mariadb(&format!(
        "CREATE TABLE {db}.customers (id int AUTO_INCREMENT PRIMARY KEY, full_name varchar(100) NOT NULL, email varchar(254), ssn varchar(11) COMMENT 'Should be encrypted', notes text) ENGINE=InnoDB;"
    ));
    for (name, email, ssn, notes) in ROWS {
        let ssn = if ssn.is_empty() {
            "NULL".to_string()
        } else {
            format!("'{ssn}'")
        };
        mariadb(&format!(
            "SET NAMES utf8mb4; INSERT INTO {db}.customers (full_name, email, ssn, notes) VALUES ({}, '{email}', {ssn}, {})",
            sql_literal(name),
            sql_literal(notes)
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    for (variant, extra) in [
        ("extended", vec![]),
        ("one-row-per-insert", vec!["--skip-extended-insert"]),
        ("complete-insert", vec!["--complete-insert"]),
    ] {
        let dump = dir.path().join(format!("{variant}.sql"));
        let mut cmd = Command::new("mysqldump");
        cmd.args(["-h", "127.0.0.1", "-u", "root"])
            .args(&extra)
            .arg(format!("--result-file={}", dump.display()))
            .arg(&db);
        run(&mut cmd);
        let (doc, code) = scan_json(&[dump.to_str().unwrap()]);
        assert_eq!(code, 1, "{variant}");
        assert_eq!(found(&doc, "customers"), expected(), "{variant}");
        let ssn_col = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["kind"] == "column" && f["location"]["field"] == "ssn")
            .expect("ssn column");
        assert_eq!(
            ssn_col["column"]["protection"], "plaintext",
            "{variant}: 'Should be encrypted' is an intention"
        );
        assert_eq!(doc["summary"]["sql"][0]["dialect"], "mysql");
        assert_eq!(
            doc["summary"]["sql"][0]["insert_rows"],
            ROWS.len(),
            "{variant}"
        );
    }
    mariadb(&format!("DROP DATABASE {db};"));
}
