//! Snapshot of the human report of the bundled demo: any change in what the demo
//! reports, or how it is printed, shows up in review (`cargo insta review`).

mod common;
use common::*;

/// Replaces the run time, the only unstable part of the text report.
fn stable(report: &str) -> String {
    let re = regex::Regex::new(r"\d+\.\d+s$").unwrap();
    report
        .lines()
        .map(|l| re.replace(l, "<time>s").into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn demo_text_report() {
    let out = piiscan()
        .args(["scan", "examples/demo", "--color", "never"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(stable(&String::from_utf8(out.stdout).unwrap()));
}

#[test]
fn demo_jsonl_report() {
    let out = piiscan()
        .args(["scan", "examples/demo", "--format", "jsonl"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let re = regex::Regex::new(r#""duration_ms":\d+"#).unwrap();
    insta::assert_snapshot!(re.replace(&text, r#""duration_ms":0"#));
}

/// docs/demo-report.md is the Markdown report of the bundled demo, committed as a
/// sample. This test regenerates it and fails when the committed copy is stale;
/// `PIISCAN_UPDATE_DOCS=1 cargo test --test snapshots` rewrites it.
#[test]
fn committed_demo_markdown_report_is_current() {
    let out = piiscan()
        .args(["scan", "examples/demo", "--format", "markdown"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let fresh = String::from_utf8(out.stdout).unwrap();
    let path = repo().join("docs/demo-report.md");
    if std::env::var_os("PIISCAN_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &fresh).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "docs/demo-report.md is stale: run `PIISCAN_UPDATE_DOCS=1 cargo test --test snapshots`"
    );
}
