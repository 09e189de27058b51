//! Exposures and the remediation list, end to end: findings from a schema, a
//! migration, a dump, an export and a log join per storage location and are ranked.

mod common;
use common::*;
use serde_json::Value;

fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "db/schema.sql",
        "CREATE TABLE public.customers (\n  id bigint,\n  email text,\n  ssn VARCHAR(11)\n);\nCREATE TABLE public.employees (\n  id int,\n  ssn_hash char(40)\n);\n",
    );
    write(
        dir.path(),
        "db/migrations/V2__add_tax.sql",
        "ALTER TABLE public.employees ADD COLUMN tax_id varchar(11);\n",
    );
    write(
        dir.path(),
        "dumps/prod.sql",
        "--\n-- PostgreSQL database dump\n--\nCOPY public.customers (id, email, ssn) FROM stdin;\n1\tana@corp-mail.net\t536-22-8119\n2\tbo@corp-mail.net\t402-71-3356\n\\.\nCOPY public.employees (id, ssn_hash, tax_id) FROM stdin;\n1\tda39a3ee5e6b4b0d3255bfef95601890afd80709\t148-09-7731\n\\.\n",
    );
    write(
        dir.path(),
        "exports/customers.csv",
        "id,email,ssn\n1,ana@corp-mail.net,536-22-8119\n",
    );
    let mut log = String::new();
    for i in 0..300 {
        log.push_str(&format!("2024-03-02 login ok user=u{i}@corp-mail.net\n"));
    }
    write(dir.path(), "logs/app.log", &log);
    dir
}

fn exposure<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["exposures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == id)
        .unwrap_or_else(|| panic!("no exposure {id}: {}", doc["exposures"]))
}

#[test]
fn one_exposure_per_storage_location_citing_every_source() {
    let dir = tree();
    let root = dir.path().to_str().unwrap();
    let (doc, _) = scan_json(&[root]);
    let ssn = exposure(&doc, "column:customers.ssn");
    let cited: Vec<String> = ssn["seen_in"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            s["path"]
                .as_str()
                .unwrap()
                .trim_start_matches(root)
                .to_string()
        })
        .collect();
    assert_eq!(
        cited,
        [
            "/db/schema.sql",
            "/dumps/prod.sql",
            "/exports/customers.csv"
        ]
    );
    assert_eq!(ssn["values"]["ssn"], 3);
    assert_eq!(ssn["protection"], "plaintext");
    assert_eq!(ssn["declared_type"], "VARCHAR(11)");
    let tax = exposure(&doc, "column:employees.tax_id");
    let cited: Vec<String> = tax["seen_in"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            s["path"]
                .as_str()
                .unwrap()
                .trim_start_matches(root)
                .to_string()
        })
        .collect();
    assert_eq!(cited, ["/db/migrations/V2__add_tax.sql", "/dumps/prod.sql"]);
    assert_eq!(tax["values"]["ssn"], 1);
    assert_eq!(
        exposure(&doc, "column:employees.ssn_hash")["protection"],
        "weak_hash"
    );
    assert_eq!(
        exposure(&doc, &format!("file:{root}/logs/app.log"))["values"]["email"],
        300
    );
    // Every exposure has exactly one remediation item.
    let items = doc["remediation"].as_array().unwrap();
    assert_eq!(items.len(), doc["exposures"].as_array().unwrap().len());
}

#[test]
fn plaintext_ssn_columns_rank_above_hashed_ones_and_emails_in_logs() {
    let dir = tree();
    let root = dir.path().to_str().unwrap();
    let (doc, _) = scan_json(&[root]);
    let rank = |id: &str| {
        doc["remediation"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["exposure"] == id)
            .unwrap()["rank"]
            .as_u64()
            .unwrap()
    };
    let plaintext = rank("column:customers.ssn").max(rank("column:employees.tax_id"));
    assert!(plaintext < rank("column:employees.ssn_hash"));
    assert!(plaintext < rank(&format!("file:{root}/logs/app.log")));
    let first = &doc["remediation"][0];
    assert_eq!(first["exposure"], "column:customers.ssn");
    assert!(
        first["action"]
            .as_str()
            .unwrap()
            .contains("Encrypt column customers.ssn")
    );
    let hashed = doc["remediation"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["exposure"] == "column:employees.ssn_hash")
        .unwrap();
    assert!(hashed["action"].as_str().unwrap().contains("keyed hash"));
}

#[test]
fn text_report_leads_with_the_remediation_list() {
    let dir = tree();
    let out = piiscan()
        .args(["scan", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("Remediation, most urgent first\n  1. critical customers.ssn  [ssn; plaintext; 3 values]"), "{}", &text[..200]);
    assert!(text.find("Findings").unwrap() > text.find("Remediation").unwrap());
}
