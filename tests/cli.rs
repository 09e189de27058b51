//! Behaviour of the binary: exit codes, walking, output files, rule-file errors,
//! determinism across threads and buffer sizes, and never leaking values.

mod common;
use common::*;
use predicates::prelude::*;
use std::os::unix::fs::PermissionsExt;

/// Planted values whose raw form must never appear in output unless asked for.
const PLANTED: &[&str] = &[
    "536-22-8119",
    "536228119",
    "402713356",
    "4111111111111111",
    "mary.smith@sakilacustomer.org",
    "1985-03-12",
    "GB82WEST12345698765432",
];

fn planted_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "notes.txt",
        "applicant 536-22-8119 signed\nssn=536228119\n",
    );
    write(
        dir.path(),
        "logs/app.log",
        "tax_id=402713356 card 4111111111111111\nuser mary.smith@sakilacustomer.org DOB: 1985-03-12\niban GB82WEST12345698765432\n",
    );
    dir
}

fn assert_no_raw_values(haystack: &str, what: &str) {
    for v in PLANTED {
        assert!(!haystack.contains(v), "raw value {v} leaked into {what}");
        let digest = blake3::hash(v.as_bytes()).to_hex().to_string();
        assert!(
            !haystack.contains(&digest[..16]),
            "unkeyed hash of {v} leaked into {what}"
        );
    }
}

#[test]
fn no_raw_value_in_any_format_or_stream_unless_show_values() {
    let dir = planted_tree();
    let root = dir.path().to_str().unwrap();
    for format in ["text", "json", "jsonl", "sarif", "csv", "markdown"] {
        let out = piiscan()
            .args(["scan", root, "--format", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert_no_raw_values(
            &String::from_utf8_lossy(&out.stdout),
            &format!("{format} stdout"),
        );
        assert_no_raw_values(
            &String::from_utf8_lossy(&out.stderr),
            &format!("{format} stderr"),
        );
        assert!(out.stdout.len() > 100, "{format} printed a report");

        let report = dir.path().join(format!("report.{format}"));
        let out = piiscan()
            .args([
                "scan",
                root,
                "--format",
                format,
                "--exclude",
                "report.*",
                "-o",
            ])
            .arg(&report)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert!(out.stdout.is_empty(), "report went to the file");
        assert_no_raw_values(
            &std::fs::read_to_string(&report).unwrap(),
            &format!("{format} --output"),
        );
        std::fs::remove_file(&report).unwrap();
    }
    // Baseline files hold no values either.
    let baseline = dir.path().join("baseline.json");
    piiscan()
        .args(["scan", root, "--write-baseline"])
        .arg(&baseline)
        .assert()
        .code(1);
    assert_no_raw_values(&std::fs::read_to_string(&baseline).unwrap(), "baseline");
    std::fs::remove_file(&baseline).unwrap();
    // Opting in shows them.
    let out = piiscan()
        .args(["scan", root, "--format", "jsonl", "--show-values"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    for v in PLANTED {
        assert!(stdout.contains(v), "--show-values shows {v}");
    }
}

#[test]
fn report_files_are_private_and_complete() {
    let dir = planted_tree();
    let report = dir.path().join("out.json");
    piiscan()
        .args([
            "scan",
            dir.path().join("notes.txt").to_str().unwrap(),
            "-f",
            "json",
            "-o",
        ])
        .arg(&report)
        .assert()
        .code(1);
    let mode = std::fs::metadata(&report).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["summary"]["findings"], 2);
    // No temporary file is left beside it.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn a_dash_output_is_standard_output() {
    let dir = planted_tree();
    let notes = dir.path().join("notes.txt");
    let report = dir.path().join("out.md");
    // `-o -` sends its format to stdout, wherever it stands among the formats.
    let out = piiscan()
        .current_dir(dir.path())
        .args(["scan", notes.to_str().unwrap(), "-f", "jsonl", "-o", "-"])
        .args(["-f", "markdown", "-o"])
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(
        lines.iter().filter(|l| l["type"] == "finding").count(),
        2,
        "{stdout}"
    );
    assert!(std::fs::read_to_string(&report).unwrap().starts_with('#'));
    assert!(!dir.path().join("-").exists(), "no file named `-`");
    // Two formats for stdout are refused before anything is scanned.
    piiscan()
        .current_dir(dir.path())
        .args([
            "scan",
            notes.to_str().unwrap(),
            "-f",
            "jsonl",
            "-o",
            "-",
            "-f",
            "json",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "one format may go to standard output",
        ));
}

#[test]
fn exit_codes_follow_fail_on_and_completeness() {
    let dir = planted_tree();
    let clean = write(dir.path(), "clean.txt", "nothing to see here\n");
    piiscan()
        .args(["scan", clean.to_str().unwrap()])
        .assert()
        .code(0);
    let notes = dir.path().join("notes.txt");
    let notes = notes.to_str().unwrap();
    piiscan().args(["scan", notes]).assert().code(1);
    piiscan()
        .args(["scan", notes, "--fail-on", "never"])
        .assert()
        .code(0);
    // An e-mail is medium: it fails only at --fail-on medium or lower.
    let mail = write(
        dir.path(),
        "mail.txt",
        "contact: mary.smith@sakilacustomer.org\n",
    );
    piiscan()
        .args(["scan", mail.to_str().unwrap()])
        .assert()
        .code(0);
    piiscan()
        .args(["scan", mail.to_str().unwrap(), "--fail-on", "medium"])
        .assert()
        .code(1);
    // A missing input makes the scan incomplete: exit 2, unless partial scans are allowed.
    let missing = dir.path().join("missing.sql");
    piiscan()
        .args(["scan", notes, missing.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("scan incomplete"));
    piiscan()
        .args(["scan", notes, missing.to_str().unwrap(), "--allow-partial"])
        .assert()
        .code(1);
    piiscan()
        .args([
            "scan",
            clean.to_str().unwrap(),
            missing.to_str().unwrap(),
            "--allow-partial",
        ])
        .assert()
        .code(0);
}

#[test]
fn walks_hidden_and_ignored_files_skips_binaries_and_symlinks() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".gitignore", "dump.sql\n.env\n");
    write(dir.path(), ".env", "ADMIN_SSN=536-22-8119\n");
    write(
        dir.path(),
        "dump.sql",
        "INSERT INTO t VALUES ('402-71-3356');\n",
    );
    let bin = dir.path().join("blob.bin");
    std::fs::write(&bin, b"\x00\x01\x02 ssn 536-22-8119 \x00").unwrap();
    std::os::unix::fs::symlink(dir.path().join("dump.sql"), dir.path().join("link.sql")).unwrap();
    let (doc, code) = scan_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    let paths: Vec<String> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["location"]["path"].as_str().unwrap().to_string())
        .collect();
    let root = dir.path().display().to_string();
    assert_eq!(paths, [format!("{root}/.env"), format!("{root}/dump.sql")]);
    let kinds: Vec<&str> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    // Walk diagnostics come first, then those of each file in path order.
    assert_eq!(kinds, ["skipped_symlink", "skipped_binary"]);
    assert_eq!(doc["summary"]["incomplete"], false);

    // A binary file named explicitly is scanned.
    let (doc, _) = scan_json(&[bin.to_str().unwrap()]);
    assert_eq!(positions(&doc), [(1, 9, "us-ssn".to_string())]);

    // With --follow the symlink is scanned; --exclude and --include filter the walk.
    let (doc, _) = scan_json(&[dir.path().to_str().unwrap(), "--follow"]);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 3);
    let (doc, _) = scan_json(&[dir.path().to_str().unwrap(), "--exclude", "*.sql"]);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 1);
    let (doc, _) = scan_json(&[dir.path().to_str().unwrap(), "--include", "*.sql"]);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 1);
}

#[test]
fn scans_standard_input() {
    piiscan()
        .args(["scan", "-", "--format", "jsonl"])
        .write_stdin("ssn: 536-22-8119\n")
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains(r#""path":"-""#).and(predicate::str::contains("***-**-8119")),
        );
}

#[test]
fn invalid_utf8_and_unsupported_archives_do_not_stop_the_scan() {
    let dir = tempfile::tempdir().unwrap();
    let latin1 = dir.path().join("latin1.csv");
    std::fs::write(
        &latin1,
        b"caf\xe9 na\xefve,ssn 536-22-8119\n\xff\xfe broken 402-71-3356\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("prod.dump"),
        b"PGDMP\x01\x0e\x00\x04\x08\x01\x01",
    )
    .unwrap();
    let (doc, code) = scan_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(
        code, 2,
        "an archive that could not be scanned makes the scan incomplete"
    );
    assert_eq!(
        positions(&doc),
        [(1, 16, "us-ssn".into()), (2, 11, "us-ssn".into())]
    );
    let diag = &doc["diagnostics"][0];
    assert_eq!(diag["kind"], "unsupported");
    assert!(
        diag["message"]
            .as_str()
            .unwrap()
            .contains("pg_restore -f -")
    );
}

#[test]
fn same_report_with_one_thread_and_many() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..40 {
        let mut text = String::new();
        for j in 0..50 {
            text.push_str(&format!(
                "row {j} ssn=5{:02}-{:02}-{:04} mail user{i}x{j}@corp-mail.net ip 81.2.{i}.{j}\n",
                (i * 7 + j) % 99 + 1,
                j % 98 + 1,
                1000 + i * 50 + j
            ));
        }
        write(dir.path(), &format!("part-{i:02}.log"), &text);
    }
    let root = dir.path().to_str().unwrap();
    let (one, _) = scan_json(&[root, "--threads", "1", "--min-confidence", "low"]);
    let (many, _) = scan_json(&[root, "--threads", "4", "--min-confidence", "low"]);
    assert!(one["findings"].as_array().unwrap().len() > 5000);
    assert_eq!(without_timing(one), without_timing(many));
}

#[test]
fn same_findings_with_tiny_and_large_buffers() {
    // Values are planted at every offset relative to the buffer edges, on short lines
    // and inside one line far longer than the buffer.
    let mut text = String::new();
    for i in 0..3000 {
        text.push_str(&format!(
            "{}ssn: 5{:02}-{:02}-{:04} card 4111111111111111\n",
            " ".repeat(i % 37),
            i % 99 + 1,
            i % 97 + 1,
            i + 1
        ));
    }
    text.push_str("long line:");
    for i in 0..2000 {
        text.push_str(&format!(
            " filler{i} tax_id={}",
            536228119 + i * 7919 % 1000
        ));
    }
    text.push('\n');
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "boundaries.log", &text);
    let f = file.to_str().unwrap();
    let (small, _) = scan_json(&[f, "--chunk-size", "1400"]);
    let (large, _) = scan_json(&[f]);
    let n = small["findings"].as_array().unwrap().len();
    assert!(n >= 6000, "found {n}");
    assert_eq!(without_timing(small), without_timing(large));
}

#[test]
fn rule_file_errors_name_file_line_and_rule() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "typo.toml",
            "[[rule]]\nid = \"emp-id\"\nname = \"Employee id\"\npii_type = \"national_id\"\nseverity = \"high\"\npatern = 'E[0-9]{6}'\n",
            "typo.toml:6:1: rule `emp-id`: unknown field `patern`",
        ),
        (
            "regex.toml",
            "[[rule]]\nid = \"emp-id\"\nname = \"Employee id\"\npii_type = \"national_id\"\nseverity = \"high\"\npattern = 'E[0-9{6}'\n",
            "regex.toml:6:1: rule `emp-id`: pattern 1 is not a valid regex",
        ),
        (
            "example.toml",
            "[[rule]]\nid = \"emp-id\"\nname = \"Employee id\"\npii_type = \"national_id\"\nseverity = \"high\"\npattern = '\\bE[0-9]{6}\\b'\nexamples = [\"E123456\", \"employee X12345\"]\n",
            "example.toml:7: rule `emp-id`: example 2 \"employee X12345\" is not reported",
        ),
    ];
    for (name, text, expected) in cases {
        let file = write(dir.path(), name, text);
        for args in [
            vec!["scan", "--rules", file.to_str().unwrap(), "."],
            vec!["rules", "check", file.to_str().unwrap()],
        ] {
            piiscan()
                .args(&args)
                .assert()
                .code(2)
                .stderr(predicate::str::contains(expected));
        }
    }
}

#[test]
fn user_rules_add_override_and_disable() {
    let dir = tempfile::tempdir().unwrap();
    let rules = write(
        dir.path(),
        "company.toml",
        r#"disable = ["email"]

[[rule]]
id = "employee-id"
name = "ACME employee number"
pii_type = "national_id"
severity = "high"
pattern = '\bEMP-[0-9]{6}\b'
examples = ["badge EMP-204817"]
negative_examples = ["EMP-12"]

[[rule]]
id = "us-ssn"
name = "US SSN (dashed only)"
pii_type = "ssn"
severity = "medium"
pattern = '\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b'
validator = "us_ssn"
examples = ["536-22-8119"]
negative_examples = ["536228119"]
"#,
    );
    let data = write(
        dir.path(),
        "hr.txt",
        "badge EMP-204817 ssn=536-22-8119 mail a.b@corp-mail.net\n",
    );
    let (doc, code) = scan_json(&[data.to_str().unwrap(), "--rules", rules.to_str().unwrap()]);
    let found: Vec<(String, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().into(),
                f["severity"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("employee-id".into(), "high".into()),
            ("us-ssn".into(), "medium".into())
        ]
    );
    assert_eq!(code, 1);
    // Without the built-in packs, disabling a built-in rule is an error (a typo'd id
    // must not pass silently).
    piiscan()
        .args([
            "scan",
            data.to_str().unwrap(),
            "--no-default-rules",
            "--rules",
            rules.to_str().unwrap(),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "company.toml:1:12: `disable` names unknown rule id `email`",
        ));
    let own = std::fs::read_to_string(&rules)
        .unwrap()
        .replace("disable = [\"email\"]", "");
    let own = write(dir.path(), "own.toml", &own);
    let (doc, _) = scan_json(&[
        data.to_str().unwrap(),
        "--no-default-rules",
        "--rules",
        own.to_str().unwrap(),
    ]);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 2);
}

#[test]
fn rules_subcommands() {
    piiscan()
        .args(["rules", "check"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("ok: "));
    piiscan().args(["rules", "list"]).assert().success().stdout(
        predicate::str::contains("us-ssn").and(predicate::str::contains("person-name-column")),
    );
    piiscan()
        .args(["rules", "explain", "us-ssn"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("validator   us_ssn")
                .and(predicate::str::contains("Remediation:")),
        );
    piiscan()
        .args(["rules", "explain", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no rule with id `nope`"));
    piiscan()
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("piiscan"));
}

#[test]
fn demo_scan_reports_the_planted_values() {
    let (doc, code) = scan_json(&["examples/demo"]);
    assert_eq!(code, 1);
    let ssn: Vec<(String, String, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["pii_type"] == "ssn")
        .map(|f| {
            let loc = &f["location"];
            let place = format!(
                "{}.{}",
                loc["table"].as_str().unwrap_or("-"),
                loc["field"].as_str().unwrap_or("-")
            );
            (
                loc["path"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("examples/demo/")
                    .to_string(),
                f["kind"].as_str().unwrap().to_string(),
                place,
            )
        })
        .collect();
    let expect = |p: &str, k: &str, w: &str| (p.to_string(), k.to_string(), w.to_string());
    assert_eq!(
        ssn,
        [
            expect("config/app.yaml", "value", "-.fixtures.test_customer.ssn"),
            expect(
                "db/migrations/V2__add_tax_id.sql",
                "column",
                "public.employees.tax_id"
            ),
            expect("db/schema.sql", "column", "public.customers.ssn"),
            expect("db/schema.sql", "column", "public.employees.ssn_hash"),
            expect("dumps/customers.sql", "value", "public.customers.ssn"),
            expect("dumps/customers.sql", "value", "public.customers.ssn"),
            expect("dumps/customers.sql", "value", "public.customers.ssn"),
            expect("dumps/customers.sql", "value", "public.employees.tax_id"),
            expect("dumps/customers.sql", "value", "public.employees.tax_id"),
            expect("exports/customers.csv", "value", "-.ssn"),
            expect("exports/customers.csv", "value", "-.ssn"),
            expect("exports/customers.csv", "value", "-.ssn"),
            expect("logs/app.log", "value", "-.ssn"),
            expect("logs/app.log", "value", "-.tax_id"),
        ]
    );
    // The unsalted hash column is weakly protected, not safe.
    let hash_col = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["location"]["field"] == "ssn_hash")
        .unwrap();
    assert_eq!(hash_col["column"]["protection"], "weak_hash");
    assert_eq!(doc["summary"]["incomplete"], false);
}

#[test]
fn many_findings_per_file_stream_in_order_with_any_thread_count() {
    // Each file yields far more findings than one batch and than the queue limit for
    // files behind the head of the output order, so workers must wait their turn.
    let dir = tempfile::tempdir().unwrap();
    for i in 0..5 {
        let mut text = String::with_capacity(1 << 20);
        for j in 0..12_000 {
            text.push_str(&format!("user{j}@host{i}.corp-mail.net\n"));
        }
        write(dir.path(), &format!("f{i}.txt"), &text);
    }
    let run = |threads: &str| {
        let out = piiscan()
            .args([
                "scan",
                dir.path().to_str().unwrap(),
                "-f",
                "jsonl",
                "--threads",
                threads,
                "--max-findings-per-location",
                "0",
            ])
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let lines: Vec<String> = text
            .lines()
            .filter(|l| l.starts_with(r#"{"type":"finding""#))
            .map(String::from)
            .collect();
        lines
    };
    let one = run("1");
    assert_eq!(one.len(), 60_000);
    assert_eq!(one, run("4"));
    // In file order, and within a file in line order.
    let first_of_f1 = one.iter().position(|l| l.contains("f1.txt")).unwrap();
    assert!(one[..first_of_f1].iter().all(|l| l.contains("f0.txt")));
}

/// The leak matrix over error paths: parse fallbacks, limits hit part-way (nesting,
/// a bomb, a truncated gzip), UTF-16, an SQLite database, suppressed findings shown
/// with `--show-suppressed`, a baseline, and `RUST_LOG=trace`: no format, stream or
/// file carries a raw value or an unkeyed hash.
#[test]
fn no_raw_value_on_error_paths_either() {
    use std::io::Write;
    let dir = planted_tree();
    let root = dir.path();
    let gz = |data: &[u8]| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    };
    // A statement sqlparser rejects, read by the fallback reader.
    write(
        root,
        "broken.sql",
        "CREATE TABLE p (ssn char(11)) WITH ((((;\nINSERT INTO p (ssn) VALUES ('536-22-8119');\n",
    );
    // Values, then nesting past the limit.
    let mut deep = String::from("{\"ssn\": \"536-22-8119\", \"x\": ");
    deep.push_str(&"[".repeat(2000));
    write(root, "deep.json", &deep);
    // Values inside a bomb and a truncated gzip.
    let mut bomb = b"card 4111111111111111\n".to_vec();
    bomb.extend(vec![b' '; 8 << 20]);
    std::fs::write(root.join("bomb.txt.gz"), gz(&bomb)).unwrap();
    let mut long = b"iban GB82WEST12345698765432\n".to_vec();
    for i in 0..50_000 {
        long.extend(format!("row {i}\n").as_bytes());
    }
    let whole = gz(&long);
    std::fs::write(root.join("cut.log.gz"), &whole[..whole.len() / 2]).unwrap();
    // UTF-16 and SQLite.
    let mut utf16 = vec![0xff, 0xfe];
    for u in "ssn=536228119\r\n".encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    std::fs::write(root.join("u16.txt"), utf16).unwrap();
    let db = rusqlite::Connection::open(root.join("app.db")).unwrap();
    db.execute_batch(
        "CREATE TABLE t (ssn TEXT, email TEXT); INSERT INTO t VALUES ('536-22-8119', 'mary.smith@sakilacustomer.org');",
    )
    .unwrap();
    drop(db);
    // A baseline accepting half of it, shown anyway.
    let baseline = root.join("../leak-baseline.json");
    piiscan()
        .args([
            "scan",
            root.join("logs").to_str().unwrap(),
            "--write-baseline",
        ])
        .arg(&baseline)
        .output()
        .unwrap();
    assert_no_raw_values(&std::fs::read_to_string(&baseline).unwrap(), "baseline");
    for format in ["text", "json", "jsonl", "sarif", "csv", "markdown"] {
        let out = piiscan()
            .args(["scan", root.to_str().unwrap(), "--format", format])
            .args(["--show-suppressed", "--baseline"])
            .arg(&baseline)
            .env("RUST_LOG", "trace")
            .env("RUST_BACKTRACE", "full")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{format}: incomplete");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("deep.json") && stdout.contains("cut.log.gz"),
            "{format}: the diagnostics are reported"
        );
        assert_no_raw_values(&stdout, &format!("{format} stdout (error paths)"));
        assert_no_raw_values(
            &String::from_utf8_lossy(&out.stderr),
            &format!("{format} stderr (error paths)"),
        );
    }
}

/// One large text file split across threads gives exactly the findings of one thread,
/// whatever the part size: values, keywords and inline `piiscan:ignore` comments fall on
/// every position relative to the part boundaries.
#[test]
fn a_large_file_split_across_threads_gives_the_same_findings() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    let mut i = 0u64;
    while text.len() < 600_000 {
        let pad = "x".repeat((i as usize * 7919) % 200);
        match i % 5 {
            0 => text.push_str(&format!(
                "{pad} applicant ssn {}-22-8119 ok\n",
                100 + i % 500
            )),
            1 => text.push_str(&format!("user{i}@corp-mail.net logged in {pad}\n")),
            2 => text.push_str(&format!("tax_id=5{:02}228119 {pad}\n", 10 + i % 80)),
            3 => text.push_str(&format!(
                "card 4111 1111 1111 1111 {pad} # piiscan:ignore\n"
            )),
            _ => text.push_str(&format!(
                "order {i} shipped {pad}\nSSN:\n{}-45-6789\n",
                200 + i % 300
            )),
        }
        i += 1;
    }
    let file = write(dir.path(), "big.log", &text);
    let run = |threads: &str, part: &str| {
        let out = piiscan()
            .args(["scan", file.to_str().unwrap(), "-f", "jsonl", "--no-config"])
            .args(["--threads", threads, "--parallel-part", part])
            .args(["--max-findings-per-location", "0", "--fail-on", "never"])
            .output()
            .unwrap();
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with(r#"{"type":"summary""#))
            .map(String::from)
            .collect::<Vec<_>>()
    };
    let one = run("1", "1000000000");
    assert!(one.len() > 3_000, "{} lines", one.len());
    for part in ["1500", "4096", "65536"] {
        assert_eq!(run("2", part), one, "part {part}");
    }
    assert_eq!(run("3", "7000"), one);
}

#[test]
fn a_closed_output_pipe_ends_the_scan_quietly() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command as Std, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for i in 0..20_000 {
        text.push_str(&format!(
            "row {i} contact: user{i}@corp-mail.net ssn 536-22-8119\n"
        ));
    }
    let file = write(dir.path(), "many.log", &text);
    let mut child = Std::new(assert_cmd::cargo::cargo_bin("piiscan"))
        .args([
            "scan",
            "--format",
            "jsonl",
            "--max-findings-per-location",
            "0",
        ])
        .arg(&file)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one line, then close the pipe, as `| head -1` does.
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.contains("\"type\":\"finding\""), "{first}");
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2), "the scan did not finish");
    assert!(
        out.stderr.is_empty(),
        "no error message for a closed pipe: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
