//! SQLite databases as targets: catalog columns become column findings, sampled
//! values are attributed to table, column and row, the connection is read-only, and a
//! database column joins the same column in a schema file.

mod common;
use common::*;
use rusqlite::Connection;

fn build(path: &std::path::Path, rows: u64) {
    let db = Connection::open(path).unwrap();
    db.execute_batch(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, full_name TEXT, email TEXT, ssn TEXT, emp_ref TEXT, notes TEXT);
         CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL, order_no TEXT);",
    )
    .unwrap();
    let tx = db.unchecked_transaction().unwrap();
    for i in 0..rows {
        // Areas stay below 666 so every generated number is a valid SSN.
        let ssn = format!(
            "{}-{:02}-{:04}",
            100 + (i * 37) % 500,
            1 + (i * 13) % 98,
            1 + (i * 7919) % 9998
        );
        let bare = format!(
            "{}{:02}{:04}",
            200 + (i * 41) % 400,
            1 + (i * 17) % 98,
            1 + (i * 3571) % 9998
        );
        let names = ["Ana Diaz", "Bo Lee", "Cyrus Okafor", "Dana Smith"];
        tx.execute(
            "INSERT INTO customers (full_name, email, ssn, emp_ref, notes) VALUES (?1, ?2, ?3, ?4, ?5)",
            (names[i as usize % 4], format!("ana{i}@corp-mail.net"), ssn, bare, "order 4410 shipped"),
        )
        .unwrap();
        tx.execute(
            "INSERT INTO orders (total, order_no) VALUES (?1, ?2)",
            (i as f64 * 1.5, format!("ORD-{i:06}")),
        )
        .unwrap();
    }
    tx.commit().unwrap();
}

#[test]
fn catalog_and_sampled_values() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("app.db");
    build(&db, 120);
    let target = format!("sqlite:{}", db.display());
    let (doc, code) = scan_json(&[&target]);
    assert_eq!(code, 1);
    let findings = doc["findings"].as_array().unwrap();
    let columns: Vec<(&str, &str)> = findings
        .iter()
        .filter(|f| f["kind"] == "column")
        .map(|f| {
            (
                f["location"]["field"].as_str().unwrap(),
                f["column"]["protection"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        columns,
        [
            ("full_name", "plaintext"),
            ("email", "plaintext"),
            ("ssn", "plaintext")
        ]
    );
    let count = |field: &str, rule: &str| {
        findings
            .iter()
            .filter(|f| {
                f["kind"] == "value" && f["location"]["field"] == field && f["rule_id"] == rule
            })
            .count()
    };
    assert_eq!(count("ssn", "us-ssn"), 120);
    assert_eq!(count("email", "email"), 120);
    assert_eq!(count("full_name", "person-name-column"), 120);
    assert_eq!(
        count("emp_ref", "us-ssn"),
        120,
        "a column of bare SSNs is inferred from its values"
    );
    assert!(
        findings.iter().all(|f| f["location"]["table"] != "orders"),
        "no decoy reported"
    );
    assert!(
        findings
            .iter()
            .all(|f| f["location"]["path"] == target.as_str())
    );
    let first = findings.iter().find(|f| f["rule_id"] == "us-ssn").unwrap();
    assert_eq!(
        (
            first["location"]["table"].as_str(),
            first["location"]["record"].as_u64()
        ),
        (Some("customers"), Some(1))
    );
    // The same column in a schema file is the same exposure.
    write(
        dir.path(),
        "schema.sql",
        "CREATE TABLE main.customers (id int, ssn varchar(11));\n",
    );
    let (doc, _) = scan_json(&[&target, dir.path().join("schema.sql").to_str().unwrap()]);
    let e = doc["exposures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "column:customers.ssn")
        .unwrap();
    assert_eq!(e["seen_in"].as_array().unwrap().len(), 2);
}

#[test]
fn sampling_is_bounded_and_files_are_recognised_while_walking() {
    let dir = tempfile::tempdir().unwrap();
    build(&dir.path().join("big.sqlite3"), 20_000);
    let (doc, _) = scan_json(&[dir.path().to_str().unwrap(), "--sample-rows", "500"]);
    let sampled: std::collections::BTreeSet<u64> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["location"]["record"].as_u64())
        .collect();
    assert_eq!(
        sampled.len(),
        500,
        "exactly --sample-rows rows of the 20,000"
    );
    // Rows come from ten ranges across the table, not only its start.
    let emails: Vec<u64> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == "email")
        .map(|f| f["location"]["record"].as_u64().unwrap())
        .collect();
    assert_eq!(emails.len(), 500);
    assert_eq!(doc["summary"]["incomplete"], false);
}

#[test]
fn the_connection_is_read_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("app.db");
    build(&db, 3);
    let conn = piiscan::db::sqlite::open(&db).unwrap();
    let err = conn
        .execute("INSERT INTO orders (total, order_no) VALUES (1, 'x')", [])
        .unwrap_err();
    assert!(
        err.to_string().contains("readonly")
            || err.to_string().contains("read-only")
            || err.to_string().contains("query_only"),
        "{err}"
    );
}

#[test]
fn a_corrupt_database_is_a_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = b"SQLite format 3\0".to_vec();
    bytes.extend(vec![0xAB; 4096]);
    std::fs::write(dir.path().join("broken.db"), bytes).unwrap();
    let (doc, code) = scan_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, 2);
    assert_eq!(doc["diagnostics"][0]["kind"], "database");
    let message = doc["diagnostics"][0]["message"].as_str().unwrap();
    assert!(message.contains("not a database"), "{message}");
}
