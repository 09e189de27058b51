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
