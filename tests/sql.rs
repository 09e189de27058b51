//! SQL schemas and dumps: column findings, values attributed to table, column and
//! row, exact lines and columns, and independence from buffer sizes.

mod common;
use common::*;
use serde_json::Value;

fn findings(doc: &Value) -> &Vec<Value> {
    doc["findings"].as_array().unwrap()
}

/// (table, field, record, line, column, rule) of every value finding.
fn values(doc: &Value) -> Vec<(String, String, u64, u64, u64, String)> {
    findings(doc)
        .iter()
        .filter(|f| f["kind"] == "value")
        .map(|f| {
            let l = &f["location"];
            (
                l["table"].as_str().unwrap_or("").into(),
                l["field"].as_str().unwrap_or("").into(),
                l["record"].as_u64().unwrap_or(0),
                l["line"].as_u64().unwrap(),
                l["column"].as_u64().unwrap(),
                f["rule_id"].as_str().unwrap().into(),
            )
        })
        .collect()
}

const PG_DUMP: &str = "--
-- PostgreSQL database dump
--
SET client_encoding = 'UTF8';

CREATE TABLE public.members (
    id integer NOT NULL,
    member_ref character varying(11),
    notes text
);

COPY public.members (id, member_ref, notes) FROM stdin;
1\t536228119\tcalled about order 4410
2\t\\N\tnew SSN 402-71-3356 on file
3\t148097731\t\\N
\\.

CREATE TABLE public.employees (
    id integer,
    tax_id character varying(11),
    tax_id_hash character(64)
);
";

#[test]
fn pg_dump_values_carry_table_field_and_row() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "prod.sql", PG_DUMP);
    let (doc, _) = scan_json(&[f.to_str().unwrap()]);
    let v = values(&doc);
    let ssn: Vec<_> = v.iter().filter(|x| x.5 == "us-ssn").cloned().collect();
    assert_eq!(
        ssn,
        [
            // The keyword in free text gives a bare-digit-free value its context...
            (
                "public.members".into(),
                "notes".into(),
                2,
                position_of(PG_DUMP, "402-71-3356").0,
                position_of(PG_DUMP, "402-71-3356").1,
                "us-ssn".into()
            ),
        ],
        "bare 9-digit values in a column with a neutral name are not SSNs"
    );
    // Columns are declared from CREATE TABLE, with protection.
    let cols: Vec<(String, String, String)> = findings(&doc)
        .iter()
        .filter(|f| f["kind"] == "column")
        .map(|f| {
            (
                f["location"]["field"].as_str().unwrap().into(),
                f["pii_type"].as_str().unwrap().into(),
                f["column"]["protection"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        cols,
        [
            ("tax_id".into(), "ssn".into(), "plaintext".into()),
            ("tax_id_hash".into(), "ssn".into(), "weak_hash".into())
        ]
    );
    let tax = findings(&doc)
        .iter()
        .find(|f| f["location"]["field"] == "tax_id")
        .unwrap();
    assert_eq!(
        tax["location"]["line"],
        position_of(PG_DUMP, "tax_id character").0
    );
    assert_eq!(tax["location"]["column"], 5);
    assert_eq!(tax["severity"], "critical");
    let hash = findings(&doc)
        .iter()
        .find(|f| f["location"]["field"] == "tax_id_hash")
        .unwrap();
    assert_eq!(
        hash["severity"], "high",
        "a weak hash is one level below plaintext"
    );
    assert_eq!(doc["summary"]["sql"][0]["copy_rows"], 3);
    assert_eq!(doc["summary"]["sql"][0]["ddl_parsed"], 2);
}

#[test]
fn ssn_named_columns_make_bare_digits_ssns() {
    let sql = "CREATE TABLE patient_data (id int, fname varchar(255), ss varchar(255));\n\
               INSERT INTO patient_data VALUES (1,'Ana','536228119'),(2,'Bo','402-71-3356'),(3,'Cy','912345678');\n";
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "emr.sql", sql);
    let (doc, _) = scan_json(&[f.to_str().unwrap()]);
    let ssn: Vec<(u64, u64)> = values(&doc)
        .into_iter()
        .filter(|x| x.5 == "us-ssn")
        .map(|x| (x.2, x.4))
        .collect();
    assert_eq!(
        ssn,
        [
            (1, position_of(sql, "536228119").1),
            (2, position_of(sql, "402-71-3356").1)
        ]
    );
    let names: Vec<String> = values(&doc)
        .into_iter()
        .filter(|x| x.5 == "person-name-column")
        .map(|x| x.1)
        .collect();
    assert_eq!(names, ["fname", "fname", "fname"]);
    let ss_col = findings(&doc)
        .iter()
        .find(|f| f["kind"] == "column" && f["location"]["field"] == "ss")
        .unwrap();
    assert_eq!(ss_col["column"]["protection"], "plaintext");
}

#[test]
fn ten_thousand_tuple_extended_insert_on_one_line() {
    let mut sql = String::from(
        "-- MySQL dump 10.13\nCREATE TABLE `people` (\n  `id` int NOT NULL,\n  `email` varchar(100),\n  `note` varchar(100),\n  `ssn` char(11)\n) ENGINE=InnoDB;\nINSERT INTO `people` VALUES ",
    );
    let mut expected = Vec::new();
    for i in 0..10_000u64 {
        if i > 0 {
            sql.push(',');
        }
        let ssn = format!("5{:02}-{:02}-{:04}", i % 99 + 1, i % 97 + 1, i % 9999 + 1);
        let email = format!("p{i}@corp-mail.net");
        sql.push_str(&format!("({i},'{email}','it''s \\'quoted\\', (a,b)',"));
        let col = sql.len() as u64 + 2 - sql.rfind('\n').unwrap() as u64 - 1;
        sql.push_str(&format!("'{ssn}')"));
        expected.push((i + 1, col));
    }
    sql.push_str(";\n");
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "people.sql", &sql);
    let (doc, _) = scan_json(&[
        f.to_str().unwrap(),
        "--fail-on",
        "never",
        "--max-findings-per-location",
        "0",
    ]);
    let v = values(&doc);
    let ssn: Vec<(u64, u64)> = v
        .iter()
        .filter(|x| x.5 == "us-ssn")
        .map(|x| {
            assert_eq!((x.0.as_str(), x.1.as_str(), x.3), ("people", "ssn", 8));
            (x.2, x.4)
        })
        .collect();
    assert_eq!(ssn, expected);
    assert_eq!(
        v.iter()
            .filter(|x| x.1 == "email" && x.5 == "email")
            .count(),
        10_000
    );
    assert_eq!(doc["summary"]["sql"][0]["insert_rows"], 10_000);
    assert_eq!(doc["summary"]["sql"][0]["dialect"], "mysql");
}

#[test]
fn same_findings_with_tiny_and_large_read_buffers() {
    let mut sql = String::from(PG_DUMP);
    sql.push_str("COPY public.employees (id, tax_id, tax_id_hash) FROM stdin;\n");
    for i in 0..2000 {
        sql.push_str(&format!(
            "{i}\t5{:02}-{:02}-{:04}\t{:064x}\n",
            i % 99 + 1,
            i % 97 + 1,
            i + 1,
            i
        ));
    }
    sql.push_str("\\.\n");
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "big.sql", &sql);
    let f = f.to_str().unwrap();
    let (tiny, _) = scan_json(&[f, "--chunk-size", "64"]);
    let (large, _) = scan_json(&[f]);
    assert_eq!(values(&tiny).len(), 2001);
    assert_eq!(without_timing(tiny), without_timing(large));
}

#[test]
fn unparseable_ddl_falls_back_and_is_counted() {
    let sql = "CREATE TABLE /*_*/user (\n  user_id int unsigned NOT NULL PRIMARY KEY AUTO_INCREMENT,\n  user_real_name varchar(255) binary NOT NULL default '',\n  user_email tinytext NOT NULL\n) /*$wgDBTableOptions*/;\n";
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "tables.sql", sql);
    let (doc, code) = scan_json(&[f.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(doc["summary"]["sql"][0]["ddl_fallback"], 1);
    let cols: Vec<(&str, &str)> = findings(&doc)
        .iter()
        .map(|f| {
            (
                f["location"]["field"].as_str().unwrap(),
                f["pii_type"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        cols,
        [("user_real_name", "person_name"), ("user_email", "email")]
    );
    // A note, not an error: nothing was skipped, the scan is complete.
    assert_eq!(doc["diagnostics"][0]["kind"], "parse_fallback");
    assert_eq!(doc["summary"]["incomplete"], false);
}
