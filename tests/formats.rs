//! Structure-aware extraction of exports and configs: CSV/TSV, JSON/NDJSON, YAML,
//! INI/TOML/.env/.properties, compressed inputs, and inference from values. Planted
//! values at known places; exact locations asserted.

mod common;
use common::*;
use serde_json::Value;
use std::io::Write;

/// (path-less) (field, record, line, column, rule) of every finding, in order.
fn located(doc: &Value) -> Vec<(String, Option<u64>, u64, u64, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let l = &f["location"];
            (
                l["field"].as_str().unwrap_or("").to_string(),
                l["record"].as_u64(),
                l["line"].as_u64().unwrap(),
                l["column"].as_u64().unwrap(),
                f["rule_id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Deterministic, valid, non-sequential SSNs without separators.
fn ssn(i: u64) -> String {
    format!(
        "{}{:02}{:04}",
        100 + (i * 37) % 799,
        1 + (i * 13) % 98,
        1 + (i * 7919) % 9998
    )
}

fn member_csv(rows: u64) -> String {
    let mut csv = String::from("member_id,member_ident,plan,joined\n");
    for i in 0..rows {
        csv.push_str(&format!(
            "{},{},gold,2021-0{}-1{}\n",
            9000 + i * 17,
            ssn(i),
            1 + i % 9,
            i % 10
        ));
    }
    csv
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn csv_gz_column_full_of_ssns_is_inferred_and_same_as_plain() {
    let csv = member_csv(120);
    let dir = tempfile::tempdir().unwrap();
    let plain = write(dir.path(), "exports/members.csv", &csv);
    let packed = dir.path().join("exports/members.csv.gz");
    std::fs::write(&packed, gz(csv.as_bytes())).unwrap();
    let (a, _) = scan_json(&[plain.to_str().unwrap()]);
    let (b, _) = scan_json(&[packed.to_str().unwrap()]);
    let found = located(&a);
    assert_eq!(
        found.len(),
        120,
        "every SSN, nothing else: {:?}",
        &found[..3]
    );
    for (i, (field, record, line, column, rule)) in found.iter().enumerate() {
        assert_eq!(
            (field.as_str(), *record, *line, rule.as_str()),
            ("member_ident", Some(i as u64 + 1), i as u64 + 2, "us-ssn")
        );
        assert_eq!(
            *column,
            format!("{},", 9000 + i as u64 * 17).len() as u64 + 1
        );
    }
    assert_eq!(
        found,
        located(&b),
        "compressed and plain give the same findings"
    );
    assert_eq!(
        b["findings"][0]["location"]["path"],
        packed.to_str().unwrap()
    );
}

#[test]
fn too_few_rows_or_an_id_column_are_not_inferred() {
    let dir = tempfile::tempdir().unwrap();
    let few = write(dir.path(), "few.csv", &member_csv(20));
    let (doc, _) = scan_json(&[few.to_str().unwrap()]);
    assert!(located(&doc).is_empty());
    let mut ids = String::from("ref,amount\n");
    for i in 0..200 {
        ids.push_str(&format!("{},{}\n", 400_100_000 + i * 3, i));
    }
    let ids = write(dir.path(), "ids.csv", &ids);
    let (doc, _) = scan_json(&[ids.to_str().unwrap()]);
    assert!(located(&doc).is_empty(), "sequential ids are not SSNs");
}

#[test]
fn csv_quoting_and_headers_give_exact_places() {
    let csv = "name;email;note\n\"Diaz; Ana\";ana.diaz@corp-mail.net;\"multi\nline SSN 536-22-8119\"\nBo Lee;bo@corp-mail.net;\n";
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "contacts.tsv.txt", csv);
    // Named .txt: content is scanned as text. Named .csv: as delimited.
    let g = write(dir.path(), "contacts.csv", csv);
    let (doc, _) = scan_json(&[g.to_str().unwrap()]);
    assert_eq!(
        located(&doc),
        [
            (
                "email".into(),
                Some(1),
                2,
                position_of(csv, "ana.diaz").1,
                "email".into()
            ),
            ("note".into(), Some(1), 3, 10, "us-ssn".into()),
            ("email".into(), Some(2), 4, 8, "email".into()),
        ]
    );
    let (doc, _) = scan_json(&[f.to_str().unwrap()]);
    assert_eq!(located(&doc).len(), 3);
}

#[test]
fn yaml_users_list_reports_the_key_path_at_the_right_line() {
    let yaml = "# fixtures for the credit-check smoke test\nusers: [{name: Ana Diaz, ssn: \"123456789\"}]\nadmins:\n  - name: Bo Lee\n    ssn: '402713356'\n    contact:\n      email: bo@corp-mail.net\n";
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "fixtures.yml", yaml);
    let (doc, _) = scan_json(&[f.to_str().unwrap()]);
    assert_eq!(
        located(&doc),
        [
            (
                "users[*].ssn".into(),
                None,
                2,
                position_of(yaml, "123456789").1,
                "us-ssn".into()
            ),
            (
                "admins[*].ssn".into(),
                None,
                5,
                position_of(yaml, "402713356").1,
                "us-ssn".into()
            ),
            (
                "admins[*].contact.email".into(),
                None,
                7,
                position_of(yaml, "bo@").1,
                "email".into()
            ),
        ]
    );
}

#[test]
fn flat_configs_report_key_paths() {
    let dir = tempfile::tempdir().unwrap();
    let env = write(
        dir.path(),
        ".env.production",
        "# prod\nexport ADMIN_SSN=\"536228119\"\nDB_PASSWORD=${VAULT_DB_PASSWORD}\nSUPPORT_PHONE=(415) 867-5309\n",
    );
    let ini = write(
        dir.path(),
        "app.ini",
        "[production.admin]\nssn = 536-22-8119 ; fixture\npassword = hunter2\n",
    );
    let props = write(
        dir.path(),
        "app.properties",
        "admin.email: ops-lead@billing-co.net\n",
    );
    let (doc, _) = scan_json(&[
        env.to_str().unwrap(),
        ini.to_str().unwrap(),
        props.to_str().unwrap(),
    ]);
    let got: Vec<(String, u64, String)> =
        located(&doc).into_iter().map(|x| (x.0, x.2, x.4)).collect();
    assert_eq!(
        got,
        [
            ("ADMIN_SSN".into(), 2, "us-ssn".into()),
            ("SUPPORT_PHONE".into(), 4, "phone".into()),
            ("production.admin.ssn".into(), 2, "us-ssn".into()),
            (
                "production.admin.password".into(),
                3,
                "password-column".into()
            ),
            ("admin.email".into(), 1, "email".into()),
        ]
    );
}

#[test]
fn json_and_json_lines_paths_and_records() {
    let json = "{\n  \"customers\": [\n    {\"name\": \"Ana\", \"ssn\": \"536-22-8119\", \"tax_id\": 402713356},\n    {\"ssn\": null, \"contact\": {\"emails\": [\"bo@corp-mail.net\"]}}\n  ]\n}\n";
    let ndjson = "{\"ssn\":\"536228119\",\"note\":\"ok\"}\n{\"ssn\":\"148097731\"}\n";
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "export.json", json);
    let b = write(dir.path(), "export.ndjson", ndjson);
    let (doc, _) = scan_json(&[a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(
        located(&doc),
        [
            (
                "$.customers[*].ssn".into(),
                Some(1),
                3,
                position_of(json, "536-22").1,
                "us-ssn".into()
            ),
            (
                "$.customers[*].tax_id".into(),
                Some(1),
                3,
                position_of(json, "402713356").1,
                "us-ssn".into()
            ),
            (
                "$.customers[*].contact.emails[*]".into(),
                Some(2),
                4,
                position_of(json, "bo@").1,
                "email".into()
            ),
            ("$.ssn".into(), Some(1), 1, 9, "us-ssn".into()),
            ("$.ssn".into(), Some(2), 2, 9, "us-ssn".into()),
        ]
    );
}

#[test]
fn every_codec_gives_the_same_findings_and_bombs_are_stopped() {
    let csv = member_csv(60);
    let dir = tempfile::tempdir().unwrap();
    let zst = zstd::encode_all(csv.as_bytes(), 3).unwrap();
    let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
    bz.write_all(csv.as_bytes()).unwrap();
    let mut xz = liblzma::write::XzEncoder::new(Vec::new(), 6);
    xz.write_all(csv.as_bytes()).unwrap();
    let plain = write(dir.path(), "m.csv", &csv);
    let (expected, _) = scan_json(&[plain.to_str().unwrap()]);
    for (name, data) in [
        ("m.csv.zst", zst),
        ("m.csv.bz2", bz.finish().unwrap()),
        ("m.csv.xz", xz.finish().unwrap()),
        ("m.csv.gz.gz", gz(&gz(csv.as_bytes()))),
    ] {
        let p = dir.path().join(name);
        std::fs::write(&p, data).unwrap();
        let (doc, code) = scan_json(&[p.to_str().unwrap()]);
        assert_eq!(located(&doc), located(&expected), "{name}");
        assert_eq!(code, 1, "{name}");
    }
    // An SSN, then 64 MiB of filler that compresses to a few hundred KiB: past the ratio limit.
    let bomb = dir.path().join("bomb.log.gz");
    let mut text = b"ssn: 536-22-8119\n".to_vec();
    text.extend(b"all work and no play makes jack a dull boy\n".repeat(1_500_000));
    std::fs::write(&bomb, gz(&text)).unwrap();
    let (doc, code) = scan_json(&[bomb.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert_eq!(doc["diagnostics"][0]["kind"], "limit_exceeded");
    assert!(
        doc["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .contains("250:1")
    );
    assert!(
        !located(&doc).is_empty(),
        "what was read before the limit is still reported"
    );
    let (_, code) = scan_json(&[bomb.to_str().unwrap(), "--max-compression-ratio", "100000"]);
    assert_eq!(code, 1);
}

#[test]
fn csv_and_json_findings_do_not_depend_on_buffer_size() {
    let mut csv = member_csv(300);
    csv.push_str("\"quoted,\nvalue 536-22-8119\",x,y,z\n");
    let mut json = String::from("[");
    for i in 0..500 {
        json.push_str(&format!(
            "{}{{\"ssn\": \"{}\", \"email\": \"u{i}@corp-mail.net\"}}",
            if i > 0 { "," } else { "" },
            ssn(i)
        ));
    }
    json.push(']');
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [("b.csv", csv), ("b.json", json)] {
        let f = write(dir.path(), name, &text);
        let (tiny, _) = scan_json(&[f.to_str().unwrap(), "--chunk-size", "64"]);
        let (large, _) = scan_json(&[f.to_str().unwrap()]);
        assert!(located(&large).len() >= 300, "{name}");
        assert_eq!(without_timing(tiny), without_timing(large), "{name}");
    }
}

#[test]
fn sql_column_of_ssns_with_a_neutral_name_is_inferred() {
    let mut sql = String::from("COPY public.employees (id, emp_ref, dept) FROM stdin;\n");
    for i in 0..80 {
        sql.push_str(&format!("{i}\t{}\tsales\n", ssn(i)));
    }
    sql.push_str("\\.\n");
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "hr.sql", &sql);
    let (doc, _) = scan_json(&[f.to_str().unwrap()]);
    let found = located(&doc);
    assert_eq!(found.len(), 80);
    assert!(found.iter().enumerate().all(|(i, x)| x.0 == "emp_ref"
        && x.1 == Some(i as u64 + 1)
        && x.2 == i as u64 + 2
        && x.4 == "us-ssn"));
}

#[test]
fn xml_element_and_attribute_paths() {
    let xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE config [ <!ENTITY boom \"536-22-8119\"> ]>\n<!-- <ssn>148-09-7731</ssn> in a comment is still a comment -->\n<config xmlns:h=\"urn:hr\">\n  <admin email=\"ops-lead@billing-co.net\">\n    <h:ssn>536-22-8119</h:ssn>\n    <note><![CDATA[ssn: 402713356]]></note>\n  </admin>\n  <users><user tax_id=\"148097731\"/><user tax_id=\"287654321\"/></users>\n</config>\n";
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "app.config", xml);
    let (doc, _) = scan_json(&[f.to_str().unwrap()]);
    let col = |needle: &str| position_of(xml, needle).1;
    assert_eq!(
        located(&doc),
        [
            (
                "config.admin.@email".into(),
                None,
                5,
                col("ops-lead"),
                "email".into()
            ),
            (
                "config.admin.ssn".into(),
                None,
                6,
                col("536-22-8119</h:ssn>"),
                "us-ssn".into()
            ),
            (
                "config.admin.note".into(),
                None,
                7,
                col("402713356"),
                "us-ssn".into()
            ),
            (
                "config.users.user.@tax_id".into(),
                None,
                9,
                col("148097731"),
                "us-ssn".into()
            ),
            (
                "config.users.user.@tax_id".into(),
                None,
                9,
                col("287654321"),
                "us-ssn".into()
            ),
        ]
    );
}

/// UTF-16 exports (SQL Server, Excel): transcoded while streaming, with or without a
/// byte-order mark, in either byte order; lines keep their numbers.
#[test]
fn utf16_exports_are_transcoded() {
    let dir = tempfile::tempdir().unwrap();
    let sql = "CREATE TABLE dbo.Customers (Id int, SSN char(11));\r\nINSERT INTO dbo.Customers (Id, SSN) VALUES (1, N'536-22-8119');\r\n";
    let mut le = vec![0xff, 0xfe];
    for u in sql.encode_utf16() {
        le.extend(u.to_le_bytes());
    }
    std::fs::write(dir.path().join("export.sql"), le).unwrap();
    let mut be = Vec::new();
    for u in "name,ssn\r\nZoë,148-09-7731\r\n".encode_utf16() {
        be.extend(u.to_be_bytes());
    }
    std::fs::write(dir.path().join("people.csv"), be).unwrap();
    let (doc, code) = scan_json(&[dir.path().to_str().unwrap(), "--no-config"]);
    assert_eq!(code, 1);
    let found: Vec<(String, u64, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "value")
        .map(|f| {
            (
                f["location"]["path"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string(),
                f["location"]["line"].as_u64().unwrap(),
                f["location"]["field"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("export.sql".to_string(), 2, "SSN".to_string()),
            ("people.csv".to_string(), 2, "ssn".to_string())
        ]
    );
}
