//! Resource limits end an input with a `limit_exceeded` diagnostic naming the limit,
//! and make the scan incomplete (exit 2 unless `--allow-partial`).

mod common;
use common::*;
use std::io::Write;
use std::process::Stdio;

#[test]
fn max_files_names_what_was_left_out() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["a.txt", "b.txt", "c.txt"] {
        write(dir.path(), name, "ssn 536-22-8119\n");
    }
    let d = dir.path().to_str().unwrap();
    let (doc, code) = scan_json(&[d, "--max-files", "2", "--no-config"]);
    assert_eq!(code, 2);
    let diags = doc["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0]["kind"], "limit_exceeded");
    assert!(diags[0]["path"].as_str().unwrap().ends_with("c.txt"));
    assert!(
        diags[0]["message"]
            .as_str()
            .unwrap()
            .contains("--max-files 2")
    );
    assert_eq!(doc["summary"]["files_scanned"], 2);
    let (_, code) = scan_json(&[d, "--max-files", "2", "--allow-partial", "--no-config"]);
    assert_eq!(code, 1, "the findings decide");
}

#[test]
fn timeout_per_file_stops_a_stalled_input() {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("piiscan"))
        .env(
            "PIISCAN_FINGERPRINT_KEY_FILE",
            repo().join("tests/fixtures/test-fingerprint.key"),
        )
        .args([
            "scan",
            "-",
            "--format",
            "json",
            "--timeout-per-file",
            "1",
            "--no-config",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"ssn 536-22-8119\n").unwrap();
    // A producer that stalls well past the limit (start-up included, on a loaded
    // machine), then sends more.
    std::thread::sleep(std::time::Duration::from_millis(2500));
    let _ = stdin.write_all(b"more text\n");
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &doc["diagnostics"][0];
    assert_eq!(d["kind"], "limit_exceeded");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("--timeout-per-file (1s)"),
        "{d}"
    );
}

/// A CSV line longer than the record limit (16 MiB) is not held whole: it and the rest
/// of the file are scanned as text, with a note, and nothing is missed.
#[test]
fn an_oversized_csv_record_is_scanned_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("name,ssn,notes\nAna,536-22-8119,ok\nBo,148-09-7731,");
    csv.push_str(&"y".repeat(20 << 20));
    csv.push_str(" ssn 402-71-3356\nCy,536-22-8120,done\n");
    let file = write(dir.path(), "export.csv", &csv);
    let (doc, code) = scan_json(&[file.to_str().unwrap(), "--no-config"]);
    assert_eq!(code, 1, "a note, not an incomplete scan");
    let d = &doc["diagnostics"][0];
    assert_eq!(d["kind"], "parse_fallback");
    assert!(d["message"].as_str().unwrap().contains("line 3"), "{d}");
    let found: Vec<(u64, Option<&str>)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["pii_type"] == "ssn")
        .map(|f| {
            (
                f["location"]["line"].as_u64().unwrap(),
                f["location"]["field"].as_str(),
            )
        })
        .collect();
    assert_eq!(found, [(2, Some("ssn")), (3, None), (3, None), (4, None)]);
}

/// `--follow` follows links but not round in circles: a loop is one diagnostic, the
/// files are scanned once. Without `--follow` the link is only noted.
#[test]
fn symlink_loops_are_detected_with_follow() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("a");
    std::fs::create_dir(&sub).unwrap();
    std::os::unix::fs::symlink("..", sub.join("up")).unwrap();
    write(&sub, "f.log", "ssn=536-22-8119\n");
    let d = dir.path().to_str().unwrap();
    let (doc, code) = scan_json(&[d, "--follow", "--no-config"]);
    assert_eq!(code, 2);
    assert_eq!(doc["diagnostics"][0]["kind"], "walk_error");
    assert!(
        doc["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .contains("symlink loop")
    );
    assert_eq!(doc["summary"]["findings"], 1, "scanned once");
    let (doc, code) = scan_json(&[d, "--no-config"]);
    assert_eq!(code, 1);
    assert_eq!(doc["diagnostics"][0]["kind"], "skipped_symlink");
}

/// `--max-findings-per-location` bounds what is listed (and held for a JSON report),
/// never what is counted: the exposure still has every value.
#[test]
fn findings_per_location_are_capped_but_counted() {
    let dir = tempfile::tempdir().unwrap();
    let text: String = (0..50)
        .map(|i| format!("applicant ssn {}-22-8119\n", 100 + i))
        .collect();
    let file = write(dir.path(), "app.log", &text);
    let f = file.to_str().unwrap();
    let (doc, code) = scan_json(&[f, "--max-findings-per-location", "10", "--no-config"]);
    assert_eq!(code, 1);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 10);
    assert_eq!(doc["summary"]["findings_not_listed"], 40);
    assert_eq!(doc["summary"]["findings"], 50);
    assert_eq!(doc["exposures"][0]["values"]["ssn"], 50);
    let (doc, _) = scan_json(&[f, "--max-findings-per-location", "0", "--no-config"]);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 50);
    assert!(doc["summary"].get("findings_not_listed").is_none());
}

/// Past the cap, a log's findings are counted instead of built (the scan's fast
/// path): the report must not tell. Exposures (counts per type, rules, samples,
/// severity, confidence), the summary and the listed findings are those of a scan
/// that built every finding, on one thread and on several, for a log whose first
/// thousands of findings share one masked form (so the exposure still lacks samples
/// after the cap) and whose IBANs come only at the end.
#[test]
fn a_capped_log_reports_as_if_every_finding_was_built() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for i in 0..6000 {
        text.push_str(&format!("{i} contact a{i}@example.com\n"));
    }
    for i in 0..6000 {
        text.push_str(&match i % 3 {
            0 => format!("applicant ssn 536-22-{:04}\n", 1000 + i),
            1 => format!("id 536-22-{:04} seen\n", 1000 + i),
            _ if i > 5000 => "payout GB82WEST12345698765432\n".to_string(),
            _ => format!("request {i} ok\n"),
        });
    }
    let file = write(dir.path(), "app.log", &text);
    reports_alike_capped(
        file.to_str().unwrap(),
        &["1", "5", "5000"],
        |_| String::new(),
        |all| {
            assert_eq!(all["exposures"][0]["values"]["iban"], 333);
            assert_eq!(all["exposures"][0]["samples"].as_array().unwrap().len(), 3);
        },
    );
}

/// Scans `target` with every finding listed and with each of `caps`, on one thread
/// and on several (tiny parts), after `check_all` on the full report: each capped
/// report has the same exposures, remediation, summary and exit code, and lists the
/// first `cap` findings of each location (`location_of` names a finding's).
fn reports_alike_capped(
    target: &str,
    caps: &[&str],
    location_of: impl Fn(&serde_json::Value) -> String,
    check_all: impl Fn(&serde_json::Value),
) {
    let parallel = ["-j2", "--parallel-part", "4096"];
    for threads in [&["-j1"][..], &parallel[..]] {
        let scan = |cap: &str| {
            let mut args = vec![target, "--no-config", "--max-findings-per-location", cap];
            args.extend_from_slice(threads);
            scan_json(&args)
        };
        let (all, all_code) = scan("0");
        check_all(&all);
        for cap in caps {
            let (doc, code) = scan(cap);
            assert_eq!(code, all_code);
            assert_eq!(doc["exposures"], all["exposures"], "{threads:?}, cap {cap}");
            assert_eq!(doc["remediation"], all["remediation"]);
            let n: usize = cap.parse().unwrap();
            let mut per_location = std::collections::HashMap::new();
            let first: Vec<_> = all["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| {
                    let k = per_location.entry(location_of(f)).or_insert(0);
                    *k += 1;
                    *k <= n
                })
                .collect();
            let listed: Vec<_> = doc["findings"].as_array().unwrap().iter().collect();
            assert_eq!(listed, first, "{threads:?}, cap {cap}");
            let s = &doc["summary"];
            assert_eq!(s["findings"], all["summary"]["findings"]);
            assert_eq!(
                s["findings_by_severity"],
                all["summary"]["findings_by_severity"]
            );
            assert_eq!(
                s["findings_not_listed"].as_u64().unwrap() + listed.len() as u64,
                all["summary"]["findings"].as_u64().unwrap()
            );
        }
    }
}

/// The same for dumps and exports, whose findings are counted per column: two dumps
/// of one table (one exposure per column across both, each dump a sighting of it)
/// and a CSV export (quoted records from half-way, so both of its parallel readers
/// run), on one thread and on several. The listed findings are the first `cap` of
/// each location.
#[test]
fn capped_dumps_and_exports_report_as_if_every_finding_was_built() {
    let dir = tempfile::tempdir().unwrap();
    let rows = |from: usize, n: usize| -> String {
        (from..from + n)
            .map(|i| {
                format!(
                    "{i}\tu{i}@example.com\t5{:02}-22-{:04}\n",
                    i % 90 + 1,
                    i % 9000 + 1000
                )
            })
            .collect()
    };
    let dump = |rows: String| {
        format!(
            "CREATE TABLE customers (id int, email text, ssn text);\nCOPY customers (id, email, ssn) FROM stdin;\n{rows}\\.\n"
        )
    };
    write(dir.path(), "a.sql", &dump(rows(0, 4000)));
    write(dir.path(), "b.sql", &dump(rows(4000, 1500)));
    let mut csv = String::from("id,email,ssn\n");
    for i in 0..6000 {
        let ssn = format!("5{:02}-31-{:04}", i % 90 + 1, i % 9000 + 1000);
        if i < 3000 {
            csv.push_str(&format!("{i},c{i}@example.org,{ssn}\n"));
        } else {
            csv.push_str(&format!("{i},\"c{i}@example.org\",\"{ssn}\"\n"));
        }
    }
    write(dir.path(), "export.csv", &csv);
    let location_of = |f: &serde_json::Value| {
        let l = &f["location"];
        match l["table"].as_str() {
            Some(t) => format!("{t}.{}", l["field"]),
            None => format!("{}#{}", l["path"], l["field"]),
        }
    };
    let dumps_joined = |all: &serde_json::Value| {
        let seen = all["exposures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == "column:customers.ssn")
            .map(|e| e["seen_in"].as_array().unwrap().len());
        assert_eq!(seen, Some(2), "both dumps");
    };
    let d = dir.path().to_str().unwrap();
    reports_alike_capped(d, &["1", "5", "2000"], location_of, dumps_joined);
}

/// A config line longer than 16 MiB (a pasted blob in a `.env`) is not held whole:
/// it and the rest of the file are scanned as text, with a note.
#[test]
fn an_oversized_config_line_is_scanned_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let mut env = String::from("ADMIN_SSN=536-22-8119\nBLOB=");
    env.push_str(&"z".repeat(17 << 20));
    env.push_str(" ssn 148-09-7731\nOWNER_SSN=402-71-3356\n");
    let file = write(dir.path(), ".env", &env);
    let (doc, code) = scan_json(&[file.to_str().unwrap(), "--no-config"]);
    assert_eq!(code, 1);
    let d = &doc["diagnostics"][0];
    assert_eq!(d["kind"], "parse_fallback");
    assert!(d["message"].as_str().unwrap().starts_with("line 2 "), "{d}");
    let lines: Vec<u64> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["pii_type"] == "ssn")
        .map(|f| f["location"]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [1, 2, 3]);
}

/// A long XML text node is scanned whole in windows; an attribute value longer than
/// 1 MiB is scanned in its first MiB, never silently: the input is reported incomplete.
#[test]
fn oversized_xml_values() {
    let dir = tempfile::tempdir().unwrap();
    let xml = format!(
        "<?xml version=\"1.0\"?>\n<root><a ssn=\"536-22-8119\"/><blob>{}\n ssn 148-09-7731</blob><b>402-71-3356</b></root>\n",
        "q".repeat(2 << 20)
    );
    let file = write(dir.path(), "export.xml", &xml);
    let (doc, code) = scan_json(&[file.to_str().unwrap(), "--no-config"]);
    assert_eq!(code, 1, "{}", doc["diagnostics"]);
    let found: Vec<(u64, &str)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["location"]["line"].as_u64().unwrap(),
                f["location"]["field"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(found, [(2, "root.a.@ssn"), (3, "root.blob"), (3, "root.b")]);

    let xml = format!(
        "<root><a note=\"{} ssn 148-09-7731\"/><b>402-71-3356</b></root>\n",
        "q".repeat(2 << 20)
    );
    let file = write(dir.path(), "attr.xml", &xml);
    let (doc, code) = scan_json(&[file.to_str().unwrap(), "--no-config"]);
    assert_eq!(code, 2);
    let d = &doc["diagnostics"][0];
    assert_eq!(d["kind"], "limit_exceeded");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("attribute value over 1 MiB at line 1"),
        "{d}"
    );
    assert_eq!(doc["findings"][0]["location"]["field"], "root.b");
}
