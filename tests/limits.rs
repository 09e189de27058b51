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
    // A producer that stalls past the limit, then sends more.
    std::thread::sleep(std::time::Duration::from_millis(1500));
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
