//! Live databases: planted schemas in the PostgreSQL and MariaDB servers are scanned by
//! URL; columns, protection verdicts and prevalence are asserted exactly; sessions are
//! proved read-only; connection failures give one line without the password; pagila
//! (PostgreSQL) and OpenEMR (MariaDB) from `../shared/corpus/real` are loaded and the
//! live scan compared with the file scan.
//!
//! Needs PostgreSQL on 127.0.0.1:5432 (user `postgres`, trust auth, database `test`)
//! and MariaDB on 127.0.0.1:3306 (`root`, no password, database `test`), the `psql`
//! and `mariadb` clients, and `../shared/corpus/real`. CI runs them (`.ci/run` passes
//! `--ignored`); locally: `cargo test --test live -- --ignored`. A missing server
//! fails the test, it never passes silently.

mod common;
use common::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::process::{Command, Stdio};

const PG: &str = "postgres://postgres@127.0.0.1:5432/test";
const MY: &str = "mysql://root@127.0.0.1:3306";

fn run(cmd: &mut Command, input: &str) {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn psql(db: &str, sql: &str) {
    run(
        Command::new("psql").args([
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            db,
        ]),
        sql,
    );
}

fn mariadb(sql: &str) {
    run(
        Command::new("mariadb").args(["-h", "127.0.0.1", "-u", "root"]),
        sql,
    );
}

/// The first value a query prints (`-tA` / `-N` output), trimmed.
fn query(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A fingerprint of fixture files: a database loaded from them is reused while it
/// carries the same one (loading OpenEMR's 300 tables into MariaDB takes a minute).
fn fixture_mark(files: &[&std::path::Path]) -> String {
    let mut h = blake3::Hasher::new();
    for f in files {
        h.update(&std::fs::read(f).unwrap());
    }
    format!("piiscan-fixture-{}", &h.finalize().to_hex()[..16])
}

fn corpus(rel: &str) -> std::path::PathBuf {
    let p = repo().join("../shared/corpus/real").join(rel);
    assert!(p.exists(), "{} is missing", p.display());
    p
}

/// SSN number `i`, valid (areas 100–599, groups 01–98, serials 0001–9998).
fn ssn(i: u64) -> String {
    format!(
        "{}-{:02}-{:04}",
        100 + (i * 37) % 500,
        1 + (i * 13) % 98,
        1 + (i * 7919) % 9998
    )
}

/// The planted table, as SQL for either server: SSNs in clear and bare (under a name
/// that says nothing), an unsalted digest, a token, e-mails, and decoys: 9-digit order
/// numbers with an impossible SSN area (9xx) and notes with short numbers.
fn planted_rows(n: u64) -> String {
    let mut sql = String::new();
    for chunk in (0..n).collect::<Vec<_>>().chunks(500) {
        sql.push_str("INSERT INTO customers (full_name, email, ssn, emp_ref, ssn_sha256, card_token, order_no, notes) VALUES\n");
        let rows: Vec<String> = chunk
            .iter()
            .map(|&i| {
                let bare = ssn(i * 7 + 3).replace('-', "");
                format!(
                    "('Customer {i}', 'client{i}@corp-mail.net', '{}', '{bare}', '{:064x}', 'tok_{:016x}', '{}', 'order {} shipped')",
                    ssn(i),
                    (i as u128 + 1) * 0x9e37_79b9_7f4a_7c15_u128,
                    i * 0x2545_f491,
                    900_000_000 + (i * 7_654_321) % 99_999_999,
                    i % 997
                )
            })
            .collect();
        sql.push_str(&rows.join(",\n"));
        sql.push_str(";\n");
    }
    sql
}

const PLANTED_COLUMNS: &str =
    "full_name VARCHAR(80), email VARCHAR(120), ssn CHAR(11), emp_ref VARCHAR(12),
     ssn_sha256 CHAR(64), card_token VARCHAR(40), order_no VARCHAR(12), notes VARCHAR(200)";

/// (field, protection) of the column findings, in report order.
fn columns(doc: &Value) -> Vec<(String, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "column")
        .map(|f| {
            (
                f["location"]["field"].as_str().unwrap().to_string(),
                f["column"]["protection"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn exposure<'a>(doc: &'a Value, location: &str) -> &'a Value {
    doc["exposures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["location"] == location)
        .unwrap_or_else(|| panic!("no exposure {location}"))
}

/// (location, protection, matching, sampled) of every exposure.
fn exposures(doc: &Value) -> Vec<(String, String, u64, u64)> {
    doc["exposures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let p = &e["prevalence"][0];
            (
                e["location"].as_str().unwrap().to_string(),
                e["protection"].as_str().unwrap().to_string(),
                p["matching"].as_u64().unwrap_or(0),
                p["sampled"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn expected_planted(sampled: u64) -> Vec<(String, String, u64, u64)> {
    [
        ("customers.email", "plaintext", sampled),
        ("customers.emp_ref", "plaintext", sampled),
        ("customers.full_name", "plaintext", 0),
        ("customers.ssn", "plaintext", sampled),
        ("customers.ssn_sha256", "weak_hash", 0),
    ]
    .iter()
    .map(|(l, p, m)| (l.to_string(), p.to_string(), *m, sampled))
    .collect()
}

#[test]
#[ignore = "needs PostgreSQL on 127.0.0.1:5432 (CI runs it; see the file's doc comment)"]
fn postgres_planted_schema() {
    psql(
        "test",
        &format!(
            "DROP SCHEMA IF EXISTS live_planted CASCADE; CREATE SCHEMA live_planted;
             SET search_path = live_planted;
             CREATE TABLE customers (id serial PRIMARY KEY, {PLANTED_COLUMNS});
             COMMENT ON COLUMN customers.ssn_sha256 IS 'sha256(ssn), unsalted';
             CREATE TABLE audit (id serial PRIMARY KEY, blob bytea, at timestamptz);
             CREATE VIEW customer_emails AS SELECT id, email FROM customers;
             {}
             ANALYZE customers;",
            planted_rows(12_000)
        ),
    );
    // 12,000 rows against a sample of 500: read with TABLESAMPLE, not the first rows.
    let (doc, code) = scan_json(&[
        PG,
        "--db-include",
        "live_planted",
        "--sample-rows",
        "500",
        "--no-config",
    ]);
    assert_eq!(code, 1, "{}", doc["diagnostics"]);
    assert_eq!(
        columns(&doc),
        [
            ("full_name", "plaintext"),
            ("email", "plaintext"),
            ("ssn", "plaintext"),
            ("ssn_sha256", "weak_hash"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert_eq!(exposures(&doc), expected_planted(500));
    let ssn = exposure(&doc, "customers.ssn");
    assert_eq!(ssn["prevalence"][0]["rows_estimate"], 12_000);
    assert_eq!(ssn["prevalence"][0]["table"], "live_planted.customers");
    assert_eq!(
        ssn["prevalence"][0]["source"],
        "postgres://postgres@127.0.0.1:5432/test"
    );
    // The view stores nothing and is left out; the bytea column is not read.
    let db = &doc["summary"]["databases"][0];
    assert_eq!(db["tables"], 2);
    assert_eq!(db["rows_read"], 500);
    // No 9-digit order number or short note number is reported.
    for f in doc["findings"].as_array().unwrap() {
        let field = f["location"]["field"].as_str().unwrap();
        assert!(!["order_no", "notes"].contains(&field), "{f}");
        assert_eq!(
            f["location"]["source"],
            "postgres://postgres@127.0.0.1:5432/test"
        );
    }

    // One session or four: the same findings in the same order.
    let listing = |connections: &str| {
        let (doc, _) = scan_json(&[
            PG,
            "--db-include",
            "live_planted",
            "--sample-rows",
            "500",
            "--db-connections",
            connections,
            "--no-config",
        ]);
        doc["findings"].clone()
    };
    assert_eq!(listing("1"), listing("4"));

    // --full reads every row through a cursor.
    let (doc, _) = scan_json(&[PG, "--db-include", "live_planted", "--full", "--no-config"]);
    assert_eq!(doc["summary"]["databases"][0]["rows_read"], 12_000);
    for column in ["customers.ssn", "customers.emp_ref"] {
        let e = exposure(&doc, column);
        assert_eq!(e["values"]["ssn"], 12_000, "{column}: every row");
        assert_eq!(e["prevalence"][0]["sampled"], 12_000);
    }
}

#[test]
#[ignore = "needs MariaDB on 127.0.0.1:3306 (CI runs it; see the file's doc comment)"]
fn mysql_planted_schema() {
    mariadb(&format!(
        "DROP DATABASE IF EXISTS live_planted; CREATE DATABASE live_planted; USE live_planted;
         CREATE TABLE customers (id INT AUTO_INCREMENT PRIMARY KEY, {PLANTED_COLUMNS});
         ALTER TABLE customers MODIFY ssn_sha256 CHAR(64) COMMENT 'sha256(ssn), unsalted';
         CREATE TABLE audit (id INT PRIMARY KEY, payload BLOB);
         {}
         ANALYZE TABLE customers;",
        planted_rows(30_000)
    ));
    let url = format!("{MY}/live_planted");
    let (doc, code) = scan_json(&[&url, "--sample-rows", "500", "--no-config"]);
    assert_eq!(code, 1, "{}", doc["diagnostics"]);
    assert_eq!(
        columns(&doc),
        [
            ("full_name", "plaintext"),
            ("email", "plaintext"),
            ("ssn", "plaintext"),
            ("ssn_sha256", "weak_hash"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert_eq!(exposures(&doc), expected_planted(500));
    let ssn = exposure(&doc, "customers.ssn");
    let estimate = ssn["prevalence"][0]["rows_estimate"].as_u64().unwrap();
    assert!(
        (20_000..=40_000).contains(&estimate),
        "InnoDB's estimate: {estimate}"
    );
    // Key-range sampling spreads over the table: rows from the last tenth are read.
    let last = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["location"]["field"] == "ssn" && f["kind"] == "value")
        .count();
    assert_eq!(last, 500);
    assert_eq!(doc["summary"]["databases"][0]["tables"], 2);
}

#[test]
#[ignore = "needs PostgreSQL and MariaDB (CI runs them; see the file's doc comment)"]
fn sessions_are_read_only() {
    use piiscan::db::{DbOptions, DbTarget};
    psql(
        "test",
        "CREATE TABLE IF NOT EXISTS live_ro (id int); GRANT SELECT ON live_ro TO PUBLIC;",
    );
    let target = DbTarget::parse(PG).unwrap().unwrap();
    let connector =
        piiscan::db::postgres::PgConnector::new(&target, &DbOptions::default()).unwrap();
    let mut session = connector.session().unwrap();
    let err = session
        .client()
        .batch_execute("INSERT INTO live_ro VALUES (1)")
        .unwrap_err();
    let read_only = |e: &postgres::Error| e.as_db_error().unwrap().message().contains("read-only");
    assert!(read_only(&err), "{err:?}");
    let err = session
        .client()
        .batch_execute("CREATE TABLE live_ro_new (id int)")
        .unwrap_err();
    assert!(read_only(&err), "{err:?}");

    mariadb("CREATE TABLE IF NOT EXISTS test.live_ro (id INT);");
    use mysql::prelude::Queryable;
    let target = DbTarget::parse(&format!("{MY}/test")).unwrap().unwrap();
    let connector =
        piiscan::db::mysql::MysqlConnector::new(&target, &DbOptions::default()).unwrap();
    let mut session = connector.session().unwrap();
    let err = session
        .conn()
        .query_drop("INSERT INTO live_ro VALUES (1)")
        .unwrap_err();
    assert!(err.to_string().contains("READ ONLY"), "{err}");
}

/// Runs a scan expected to fail on its database; returns (the text report and
/// standard error, exit code).
fn failing_scan(args: &[&str]) -> (String, i32) {
    let out = piiscan()
        .arg("scan")
        .args(args)
        .arg("--no-config")
        .output()
        .unwrap();
    (
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        out.status.code().unwrap(),
    )
}

#[test]
#[ignore = "needs PostgreSQL and MariaDB (CI runs them; see the file's doc comment)"]
fn connection_failures_are_one_line_without_the_password() {
    let secret = "Hunter2-Sekrit";
    for (url, expect) in [
        (
            format!("postgres://nosuchrole:{secret}@127.0.0.1:5432/test"),
            "role \"nosuchrole\" does not exist",
        ),
        (
            format!("postgres://postgres:{secret}@127.0.0.1:1/test"),
            "Connection refused",
        ),
        (
            format!("mysql://root:{secret}@127.0.0.1:3306/test"),
            "Access denied",
        ),
    ] {
        let (stderr, code) = failing_scan(&[&url]);
        assert_eq!(code, 2, "{stderr}");
        assert!(!stderr.contains(secret), "{stderr}");
        let lines: Vec<&str> = stderr
            .lines()
            .filter(|l| l.contains("cannot connect"))
            .collect();
        assert_eq!(lines.len(), 1, "{stderr}");
        assert!(lines[0].contains(expect), "{stderr}");
        assert!(
            lines[0].contains("@127.0.0.1:"),
            "names the target: {stderr}"
        );
    }
    // The same through --password-file and the environment.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pw");
    std::fs::write(&file, format!("{secret}\n")).unwrap();
    let (stderr, code) = failing_scan(&[
        "mysql://root@127.0.0.1:3306/test",
        "--password-file",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("Access denied") && !stderr.contains(secret),
        "{stderr}"
    );
    let out = piiscan()
        .args(["scan", "mysql://root@127.0.0.1:3306/test", "--no-config"])
        .env("MYSQL_PWD", secret)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("Access denied") && !stderr.contains(secret),
        "{stderr}"
    );

    // Missing privileges on one table: the others are scanned, the scan is incomplete.
    psql(
        "test",
        "DROP SCHEMA IF EXISTS live_priv CASCADE; CREATE SCHEMA live_priv;
         CREATE TABLE live_priv.open_t (ssn char(11)); INSERT INTO live_priv.open_t VALUES ('536-22-8119');
         CREATE TABLE live_priv.closed_t (ssn char(11));
         DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'piiscan_limited') THEN
           CREATE ROLE piiscan_limited LOGIN; END IF; END $$;
         GRANT USAGE ON SCHEMA live_priv TO piiscan_limited;
         GRANT SELECT ON live_priv.open_t TO piiscan_limited;",
    );
    let (doc, code) = scan_json(&[
        "postgres://piiscan_limited@127.0.0.1:5432/test",
        "--db-include",
        "live_priv",
        "--no-config",
    ]);
    assert_eq!(code, 2);
    let diags = doc["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0]["kind"], "database");
    let message = diags[0]["message"].as_str().unwrap();
    assert!(
        message.contains("live_priv.closed_t") && message.contains("permission denied"),
        "{message}"
    );
    assert_eq!(exposure(&doc, "open_t.ssn")["values"]["ssn"], 1);
}

#[test]
#[ignore = "needs PostgreSQL (CI runs it; see the file's doc comment)"]
fn tls_modes_against_postgres() {
    // The server runs TLS with a self-signed certificate: `require` encrypts without
    // verifying, `verify-full` refuses a certificate no root vouches for.
    let (doc, code) = scan_json(&[
        PG,
        "--db-tls",
        "require",
        "--db-include",
        "none",
        "--no-config",
    ]);
    assert_eq!(code, 0, "{}", doc["diagnostics"]);
    let (stderr, code) = failing_scan(&[PG, "--db-tls", "verify-full"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("cannot connect") && stderr.to_lowercase().contains("certificate"),
        "{stderr}"
    );
}

#[test]
#[ignore = "needs PostgreSQL and ../shared/corpus/real (CI runs them)"]
fn live_and_file_findings_join_and_baselines_apply() {
    psql(
        "test",
        "DROP SCHEMA IF EXISTS live_join CASCADE; CREATE SCHEMA live_join;
         CREATE TABLE live_join.patients (id serial PRIMARY KEY, ssn text, email text);
         INSERT INTO live_join.patients (ssn, email) VALUES ('536-22-8119', 'pat@corp-mail.net');",
    );
    let dir = tempfile::tempdir().unwrap();
    let schema = write(
        dir.path(),
        "schema.sql",
        "CREATE TABLE patients (id int, ssn varchar(11), email varchar(100));\n",
    );
    let args = [
        PG,
        schema.to_str().unwrap(),
        "--db-include",
        "live_join",
        "--no-config",
    ];
    let (doc, _) = scan_json(&args);
    let ssn = exposure(&doc, "patients.ssn");
    let seen: BTreeSet<&str> = ssn["seen_in"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        seen,
        BTreeSet::from([
            schema.to_str().unwrap(),
            "postgres://postgres@127.0.0.1:5432/test"
        ])
    );
    assert_eq!(ssn["values"]["ssn"], 1);
    assert_eq!(ssn["prevalence"][0]["matching"], 1);

    // A baseline written from this scan accepts the live findings too.
    let baseline = dir.path().join("baseline.json");
    piiscan()
        .arg("scan")
        .args(args)
        .args(["--write-baseline", baseline.to_str().unwrap(), "-q"])
        .output()
        .unwrap();
    let mut with_baseline = args.to_vec();
    with_baseline.extend(["--baseline", baseline.to_str().unwrap()]);
    let (doc, code) = scan_json(&with_baseline);
    assert_eq!(code, 0, "{}", doc["diagnostics"]);
    assert_eq!(doc["summary"]["findings"], 0);

    // An allowlist entry `db:` applies to the live column only, not to the schema file.
    let config = write(
        dir.path(),
        ".piiscan.toml",
        "[[allow]]\nlocation = \"db:live_join.patients.ssn\"\nreason = \"test data\"\n",
    );
    let (doc, _) = scan_json(&[
        PG,
        schema.to_str().unwrap(),
        "--db-include",
        "live_join",
        "--config",
        config.to_str().unwrap(),
    ]);
    let ssn_findings: Vec<&Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["location"]["field"] == "ssn")
        .collect();
    assert_eq!(ssn_findings.len(), 1, "{ssn_findings:?}");
    assert_eq!(
        ssn_findings[0]["location"]["path"],
        schema.to_str().unwrap()
    );
}

/// PII `table.column` locations of a report (column storage only).
fn column_locations(doc: &Value) -> BTreeSet<String> {
    doc["exposures"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["storage"] == "column")
        .map(|e| e["location"].as_str().unwrap().to_string())
        .collect()
}

#[test]
#[ignore = "needs PostgreSQL and ../shared/corpus/real (CI runs them)"]
fn pagila_live_matches_the_file_scan() {
    let schema = corpus("pagila/pagila-schema.sql");
    let data = corpus("pagila/pagila-data.sql");
    let mark = fixture_mark(&[&schema, &data]);
    let loaded = query(Command::new("psql").args([
        "-X", "-tA", "-h", "127.0.0.1", "-U", "postgres", "test", "-c",
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = 'piiscan_pagila'",
    ]));
    if loaded != mark {
        run(
            Command::new("psql").args(["-X", "-q", "-h", "127.0.0.1", "-U", "postgres", "test"]),
            "DROP DATABASE IF EXISTS piiscan_pagila;CREATE DATABASE piiscan_pagila;",
        );
        for file in [&schema, &data] {
            let out = Command::new("psql")
                .args([
                    "-X",
                    "-q",
                    "-h",
                    "127.0.0.1",
                    "-U",
                    "postgres",
                    "piiscan_pagila",
                    "-f",
                ])
                .arg(file)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        psql(
            "piiscan_pagila",
            &format!("ANALYZE; COMMENT ON DATABASE piiscan_pagila IS '{mark}';"),
        );
    }
    let (files, _) = scan_json(&[
        schema.to_str().unwrap(),
        data.to_str().unwrap(),
        "--no-config",
    ]);
    let (live, code) = scan_json(&[
        "postgres://postgres@127.0.0.1:5432/piiscan_pagila",
        "--no-config",
    ]);
    assert_ne!(code, 2, "{}", live["diagnostics"]);
    let from_files = column_locations(&files);
    let from_live = column_locations(&live);
    assert_eq!(
        from_live,
        from_files,
        "live only: {:?}; files only: {:?}",
        from_live.difference(&from_files).collect::<Vec<_>>(),
        from_files.difference(&from_live).collect::<Vec<_>>()
    );
    for must in [
        "customer.email",
        "staff.email",
        "address.phone",
        "address.address",
        "customer.first_name",
    ] {
        assert!(from_live.contains(must), "{must} missing: {from_live:?}");
    }
    // Every live exposure says how prevalent it is.
    for e in live["exposures"].as_array().unwrap() {
        let p = &e["prevalence"][0];
        assert!(p["sampled"].as_u64().unwrap() > 0, "{e}");
        assert!(p["rows_estimate"].as_u64().is_some(), "{e}");
    }
    assert_eq!(
        exposure(&live, "customer.email")["prevalence"][0]["matching"],
        599
    );
}

#[test]
#[ignore = "needs MariaDB and ../shared/corpus/real (CI runs them)"]
fn openemr_in_mariadb() {
    let files = [
        corpus("openemr/database.sql"),
        corpus("openemr/example_patient_data.sql"),
        corpus("openemr/example_patient_users.sql"),
    ];
    let mark = fixture_mark(&files.iter().map(|f| f.as_path()).collect::<Vec<_>>());
    let loaded = query(Command::new("mariadb").args([
        "-h", "127.0.0.1", "-u", "root", "-N", "-e",
        "SELECT SCHEMA_COMMENT FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'piiscan_openemr'",
    ]));
    if loaded != mark {
        let text: Vec<String> = files
            .iter()
            .map(|f| std::fs::read_to_string(f).unwrap())
            .collect();
        mariadb(&format!(
            "DROP DATABASE IF EXISTS piiscan_openemr; CREATE DATABASE piiscan_openemr; USE piiscan_openemr;
             SET autocommit = 0; SET unique_checks = 0; SET foreign_key_checks = 0;
             {}
             COMMIT; ALTER DATABASE piiscan_openemr COMMENT = '{mark}';",
            text.join("\n")
        ));
    }
    let (doc, code) = scan_json(&[&format!("{MY}/piiscan_openemr"), "--no-config"]);
    assert_ne!(code, 2, "{}", doc["diagnostics"]);
    let ss = exposure(&doc, "patient_data.ss");
    assert_eq!(ss["protection"], "plaintext");
    assert_eq!(ss["declared"], true);
    let p = &ss["prevalence"][0];
    assert!(p["matching"].as_u64().unwrap() >= 10, "{ss}");
    assert_eq!(p["table"], "piiscan_openemr.patient_data");
    // users.password holds SHA-1 digests: seen to be hashes, not passwords in clear.
    let pw = exposure(&doc, "users.password");
    assert_eq!(pw["protection"], "hashed", "{pw}");
    assert!(pw["values"].as_object().unwrap().is_empty(), "{pw}");
    assert!(pw["prevalence"][0]["hashed"].as_u64().unwrap() >= 2, "{pw}");
}
