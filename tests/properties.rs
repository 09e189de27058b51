//! Property tests over the whole pipeline (`scan::scan_bytes`): any bytes under any
//! name give findings and diagnostics, never a panic; the read buffer size never
//! changes what is found or where.

use piiscan::engine::Engine;
use piiscan::rules::RuleSet;
use piiscan::scan::{ScanOptions, scan_bytes};
use proptest::prelude::*;
use std::sync::LazyLock;

static ENGINE: LazyLock<Engine> =
    LazyLock::new(|| Engine::new(&RuleSet::builtin().unwrap()).unwrap());

const NAMES: &[&str] = &[
    "dump.sql",
    "export.csv",
    "data.json",
    "events.ndjson",
    "app.yml",
    "settings.toml",
    ".env",
    "web.config",
    "app.log",
    "dump.sql.gz",
];

/// Fragments that steer random input into the extractors' interesting states.
const PIECES: &[&str] = &[
    "CREATE TABLE t (ssn char(11), email text);\n",
    "INSERT INTO t (ssn, email) VALUES ('536-22-8119', 'a@corp-mail.net'), (",
    "COPY public.t (ssn, email) FROM stdin;\n536-22-8119\tb@corp-mail.net\n\\.\n",
    "name,ssn\nAna,148-09-7731\n\"x,\"\"y\",",
    "{\"ssn\": \"402-71-3356\", \"a\": [1, {\"b\": ",
    "ssn: 536-22-8119\nadmin:\n  - email: c@corp-mail.net\n",
    "<user ssn=\"536-22-8119\"><![CDATA[",
    "card 4111111111111111 iban GB82WEST12345698765432 ",
    "'",
    "\"",
    "\\",
    "\n",
    "\r\n",
    "(",
    ")",
    ";",
    "--",
    "/*",
    "*/",
    "\0",
    "\u{feff}",
];

fn input() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        3 => proptest::sample::select(PIECES).prop_map(|p| p.as_bytes().to_vec()),
        1 => proptest::collection::vec(any::<u8>(), 0..40),
    ];
    proptest::collection::vec(piece, 0..30).prop_map(|v| v.concat())
}

fn opts(chunk: usize) -> ScanOptions {
    ScanOptions {
        chunk_size: chunk,
        ..ScanOptions::default()
    }
}

/// (line, column, table, field, record, rule) of each finding.
type Located = Vec<(
    u64,
    u64,
    Option<String>,
    Option<String>,
    Option<u64>,
    String,
)>;

fn located(name: &str, bytes: &[u8], chunk: usize) -> (Located, usize) {
    let (findings, report) = scan_bytes(name, bytes, &ENGINE, &opts(chunk));
    assert!(
        report
            .diagnostics
            .iter()
            .all(|d| d.kind != piiscan::diagnostic::DiagnosticKind::InternalError),
        "{:?}",
        report.diagnostics
    );
    (
        findings
            .into_iter()
            .map(|f| {
                let l = f.location;
                (
                    l.line,
                    l.column,
                    l.table,
                    l.field,
                    l.record,
                    f.rule_id.to_string(),
                )
            })
            .collect(),
        report.diagnostics.len(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn any_input_under_any_name_is_scanned_without_panic(
        bytes in input(),
        name in proptest::sample::select(NAMES),
    ) {
        let bytes = if name.ends_with(".gz") {
            use std::io::Write;
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(&bytes).unwrap();
            e.finish().unwrap()
        } else {
            bytes
        };
        located(name, &bytes, 64 * 1024);
    }

    #[test]
    fn the_buffer_size_never_changes_findings(
        bytes in input(),
        name in proptest::sample::select(&NAMES[..9]),
        small in 64usize..300,
    ) {
        let (big, big_diags) = located(name, &bytes, 1 << 20);
        let (tiny, tiny_diags) = located(name, &bytes, small);
        prop_assert_eq!(big, tiny);
        prop_assert_eq!(big_diags, tiny_diags);
    }
}
