//! Helpers shared by the integration tests: run the real binary with a fixed
//! fingerprint key and an isolated config directory.

#![allow(dead_code)]

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `piiscan` with a reproducible fingerprint key, no colour, no progress, and a
/// private XDG config dir so no test touches the user's key.
pub fn piiscan() -> Command {
    let mut cmd = Command::cargo_bin("piiscan").expect("binary built");
    cmd.env(
        "PIISCAN_FINGERPRINT_KEY_FILE",
        repo().join("tests/fixtures/test-fingerprint.key"),
    )
    .env(
        "XDG_CONFIG_HOME",
        std::env::temp_dir().join("piiscan-test-config"),
    )
    .env("NO_COLOR", "1")
    .current_dir(repo());
    cmd
}

/// Runs `piiscan scan --format json ARGS...`, returning the document and exit code.
pub fn scan_json(args: &[&str]) -> (Value, i32) {
    let out = piiscan()
        .arg("scan")
        .args(["--format", "json"])
        .args(args)
        .output()
        .expect("runs");
    let code = out.status.code().expect("exited");
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (doc, code)
}

/// (line, column, rule_id) of every finding, in report order.
pub fn positions(doc: &Value) -> Vec<(u64, u64, String)> {
    doc["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| {
            (
                f["location"]["line"].as_u64().unwrap(),
                f["location"]["column"].as_u64().unwrap(),
                f["rule_id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// 1-based (line, column) of the first occurrence of `needle` in `text`.
pub fn position_of(text: &str, needle: &str) -> (u64, u64) {
    for (i, line) in text.lines().enumerate() {
        if let Some(c) = line.find(needle) {
            return (i as u64 + 1, c as u64 + 1);
        }
    }
    panic!("{needle:?} not in text");
}

pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&p, text).unwrap();
    p
}

/// The document without fields that vary run to run (timing).
pub fn without_timing(mut doc: Value) -> Value {
    if let Some(s) = doc.get_mut("summary").and_then(Value::as_object_mut) {
        s.remove("duration_ms");
    }
    doc
}
