//! Engine regression: the findings on a generated, PII-dense planted corpus must not
//! change when the engine is optimised (issue 7: "no accuracy traded for speed").
//!
//! The corpus (log, CSV with a header, pg_dump `COPY`, NDJSON) is generated
//! deterministically and mixes every value shape the default rules know with the
//! context that decides them: inline keys, keywords before and after, negative
//! keywords, column names, numbers that look like PII and are not, values glued to
//! other tokens, and values that overlap. `tests/golden/engine-regression.txt` holds
//! every finding (file, line, column, rule, confidence) as the engine reported them
//! before the optimisation; `PIISCAN_UPDATE_GOLDEN=1 cargo test --test
//! engine_regression` rewrites it after an intended change, for review.

mod common;
use common::*;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::Path;

/// xorshift64: the same corpus on every machine.
struct Gen(u64);
impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
}

/// A value of one of the shapes the default rules match, valid or not.
fn value(g: &mut Gen) -> String {
    match g.below(24) {
        0 => format!(
            "{}{:02}-{:02}-{:04}",
            g.pick(&["1", "5", "6", "0", "9"]),
            g.below(100),
            g.below(100),
            g.below(10000)
        ),
        1 => format!(
            "{:03} {:02} {:04}",
            g.below(1000),
            g.below(100),
            g.below(10000)
        ),
        2 => g.digits(9),
        3 => format!("9{}", g.digits(8)),
        4 => format!("{}{}", g.pick(&["A", "C", "X", ""]), g.digits(8)),
        5 => format!("{}{}", g.pick(&["D", "WA", "F"]), {
            let n = 7 + g.below(6) as usize;
            g.digits(n)
        }),
        6 => {
            let n = 5 + g.below(9) as usize;
            g.digits(n)
        }
        7 => format!(
            "{}{}",
            g.pick(&["4111", "5500", "3782", "6011", "4012"]),
            g.digits(12)
        ),
        8 => format!(
            "{}-{}-{}-{}",
            g.pick(&["4111", "5500", "6011"]),
            g.digits(4),
            g.digits(4),
            g.digits(4)
        ),
        9 => "4111 1111 1111 1111".to_string(),
        10 => format!(
            "{}{}{}",
            g.pick(&["DE", "GB", "FR", "NL"]),
            g.digits(2),
            g.digits(18)
        ),
        11 => "GB82 WEST 1234 5698 7654 32".to_string(),
        12 => g.pick(&["021000021", "011000015", "123456789"]).to_string(),
        13 => format!(
            "user{}@{}",
            g.below(1000),
            g.pick(&["corp-mail.net", "example.org", "mail.co.uk", "localhost"])
        ),
        14 => format!(
            "({}{}) {}{}-{}",
            2 + g.below(8),
            g.digits(2),
            2 + g.below(8),
            g.digits(2),
            g.digits(4)
        ),
        15 => format!(
            "{}{}-{}{}-{}",
            2 + g.below(8),
            g.digits(2),
            2 + g.below(8),
            g.digits(2),
            g.digits(4)
        ),
        16 => format!(
            "+{} {} {} {}",
            1 + g.below(98),
            g.digits(3),
            g.digits(3),
            g.digits(4)
        ),
        17 => format!(
            "{}.{}.{}.{}",
            g.below(300),
            g.below(256),
            g.below(256),
            g.below(256)
        ),
        18 => g
            .pick(&[
                "fe80::1ff:fe23:4567:890a",
                "2001:db8:85a3:0:0:8a2e:370:7334",
                "dead:beef::",
            ])
            .to_string(),
        19 => format!("{:05}{}", g.below(100000), g.pick(&["", "-1234"])),
        20 => format!(
            "{}-{:02}-{:02}",
            1900 + g.below(130),
            1 + g.below(13),
            1 + g.below(32)
        ),
        21 => format!(
            "{:02}/{:02}/{}",
            1 + g.below(13),
            1 + g.below(32),
            1900 + g.below(130)
        ),
        22 => format!(
            "{} {} Street",
            1 + g.below(9999),
            g.pick(&["Maple", "Hanoi", "Oak Hill"])
        ),
        _ => format!(
            "{}.{:02}.{}",
            1 + g.below(31),
            1 + g.below(12),
            1900 + g.below(130)
        ),
    }
}

/// Words before a value: keys, keywords, negative keywords, or nothing.
const LEADS: &[&str] = &[
    "",
    "",
    "",
    "ssn: ",
    "ssn=",
    "tax_id=",
    "\"ssn\": \"",
    "zip=",
    "zip code ",
    "dob: ",
    "born ",
    "date of birth ",
    "passport ",
    "passport_no=",
    "license ",
    "dl_number: ",
    "account number ",
    "acct=",
    "routing ",
    "aba: ",
    "card ",
    "iban: ",
    "phone ",
    "tel: ",
    "call ",
    "email ",
    "contact: ",
    "ip ",
    "client_ip=",
    "address: ",
    "order ",
    "invoice #",
    "tracking ",
    "shipment ",
    "ref=",
    "total=",
    "bytes=",
    "<ssn>",
    "employee id ",
    "version ",
    "build ",
];
const TAILS: &[&str] = &[
    "",
    "",
    "",
    " on file",
    " (ssn)",
    " order",
    " account number 4820173349",
    " routing",
    ", ok",
    " ms",
    "x",
    "-7",
    ".5",
];

fn log_corpus(g: &mut Gen, lines: usize) -> String {
    let mut out = String::new();
    for i in 0..lines {
        let ts = format!(
            "2024-03-{:02}T{:02}:{:02}:{:02}Z",
            1 + g.below(28),
            g.below(24),
            g.below(60),
            g.below(60)
        );
        let level = g.pick(&["INFO", "DEBUG", "WARN"]);
        let mut line = format!("{ts} {level} req={:08x}", g.next() as u32);
        for _ in 0..1 + g.below(3) {
            let lead = g.pick(LEADS);
            let tail = g.pick(TAILS);
            let v = value(g);
            let _ = write!(line, " {lead}{v}{tail}");
        }
        if i % 7 == 0 {
            let _ = write!(line, " {} {}", value(g), value(g));
        }
        line.push('\n');
        out.push_str(&line);
    }
    out
}

const COLUMNS: &[&str] = &[
    "id",
    "ssn",
    "tax_id",
    "note",
    "zip",
    "postal_code",
    "dob",
    "created_at",
    "phone",
    "email",
    "account_number",
    "routing_number",
    "passport_number",
    "license_no",
    "ip_address",
    "amount",
    "order_id",
    "card_number",
    "iban",
    "street_address",
];

fn csv_corpus(g: &mut Gen, rows: usize) -> String {
    let cols: Vec<&str> = (0..8).map(|_| g.pick(COLUMNS)).collect();
    let mut out = cols.join(",");
    out.push('\n');
    for _ in 0..rows {
        let vals: Vec<String> = cols.iter().map(|_| value(g)).collect();
        out.push_str(&vals.join(","));
        out.push('\n');
    }
    out
}

fn copy_corpus(g: &mut Gen, rows: usize) -> String {
    let cols: Vec<&str> = (0..6).map(|_| g.pick(COLUMNS)).collect();
    let mut out = format!(
        "--\n-- PostgreSQL database dump\n--\n\nCOPY public.people ({}) FROM stdin;\n",
        cols.join(", ")
    );
    for _ in 0..rows {
        let vals: Vec<String> = cols.iter().map(|_| value(g)).collect();
        out.push_str(&vals.join("\t"));
        out.push('\n');
    }
    out.push_str("\\.\n");
    out
}

fn ndjson_corpus(g: &mut Gen, rows: usize) -> String {
    let mut out = String::new();
    for _ in 0..rows {
        let a = g.pick(COLUMNS);
        let b = g.pick(COLUMNS);
        let lead = g.pick(LEADS).replace('"', "'");
        let _ = writeln!(
            out,
            "{{\"{a}\": \"{}\", \"{b}\": \"{}\", \"msg\": \"{lead}{}\"}}",
            value(g),
            value(g),
            value(g)
        );
    }
    out
}

fn write_corpus(dir: &Path) {
    let mut g = Gen(0x2545f4914f6cdd1d);
    write(dir, "app.log", &log_corpus(&mut g, 3000));
    write(dir, "export.csv", &csv_corpus(&mut g, 800));
    write(dir, "dump.sql", &copy_corpus(&mut g, 800));
    write(dir, "events.ndjson", &ndjson_corpus(&mut g, 800));
}

/// The findings of a scan of `dir` on `threads` threads (every one listed), as JSON.
fn findings_json(dir: &Path, threads: &str, extra: &[&str]) -> Vec<serde_json::Value> {
    let out = piiscan()
        .args([
            "scan",
            "--format",
            "jsonl",
            "--fail-on",
            "never",
            "--no-config",
        ])
        .args(["--max-findings-per-location", "0", "--threads", threads])
        .args(extra)
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["type"] == "finding")
        .collect()
}

/// One line per finding: file, line, column, rule, confidence; sorted, and in the
/// order of the report.
fn listing(dir: &Path, threads: &str, extra: &[&str]) -> (String, String) {
    let mut lines: Vec<String> = findings_json(dir, threads, extra)
        .iter()
        .map(|v| {
            let loc = &v["location"];
            let file = Path::new(loc["path"].as_str().unwrap())
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            format!(
                "{file}:{}:{} {} {} {}",
                loc["line"],
                loc["column"],
                v["rule_id"].as_str().unwrap(),
                v["confidence"].as_str().unwrap(),
                loc.get("field").and_then(|c| c.as_str()).unwrap_or("-"),
            )
        })
        .collect();
    let in_order = lines.join("\n");
    lines.sort();
    (lines.join("\n") + "\n", in_order)
}

#[test]
fn findings_on_the_planted_corpus_are_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    write_corpus(dir.path());
    if let Some(keep) = std::env::var_os("PIISCAN_KEEP_CORPUS") {
        write_corpus(Path::new(&keep));
    }
    let (got, one_thread) = listing(dir.path(), "1", &[]);
    let golden = repo().join("tests/golden/engine-regression.txt");
    if std::env::var_os("PIISCAN_UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
        std::fs::write(&golden, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&golden).expect("golden listing committed");
    if got != want {
        let (w, g): (HashSet<&str>, HashSet<&str>) =
            (want.lines().collect(), got.lines().collect());
        let diff: Vec<String> = want
            .lines()
            .filter(|l| !g.contains(l))
            .map(|l| format!("- {l}"))
            .chain(
                got.lines()
                    .filter(|l| !w.contains(l))
                    .map(|l| format!("+ {l}")),
            )
            .take(40)
            .collect();
        panic!(
            "findings changed ({} before, {} now); first differences:\n{}",
            want.lines().count(),
            got.lines().count(),
            diff.join("\n")
        );
    }
    assert!(
        want.lines().count() > 2000,
        "the corpus plants enough values"
    );
    // The same findings on two threads, with the default parts (these files are too
    // small to be split) and with tiny ones: the log split into parts of a few lines,
    // the CSV's records scanned in batches of a few records on both threads.
    assert_eq!(listing(dir.path(), "2", &[]).1, one_thread);
    assert_eq!(
        listing(dir.path(), "2", &["--parallel-part", "1024"]).1,
        one_thread
    );
}

/// A compressed log is decompressed by the reading thread and matched by the others
/// (`scan_parallel`): the same findings, in the same order, as the plain file on one
/// thread, with parts of a few lines.
#[test]
fn a_compressed_log_scans_like_the_plain_one() {
    use std::io::Write as _;
    let mut g = Gen(0x9e37_79b9_7f4a_7c15);
    let log = log_corpus(&mut g, 1500);
    let plain = tempfile::tempdir().unwrap();
    write(plain.path(), "app.log", &log);
    let (_, want) = listing(plain.path(), "1", &[]);
    assert!(want.lines().count() > 500, "the log plants enough values");

    let gz = tempfile::tempdir().unwrap();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(log.as_bytes()).unwrap();
    std::fs::write(gz.path().join("app.log.gz"), enc.finish().unwrap()).unwrap();
    let zst = tempfile::tempdir().unwrap();
    std::fs::write(
        zst.path().join("app.log.zst"),
        zstd::encode_all(log.as_bytes(), 1).unwrap(),
    )
    .unwrap();
    for (dir, suffix) in [(&gz, ".gz"), (&zst, ".zst")] {
        for (threads, extra) in [("1", &[][..]), ("2", &["--parallel-part", "1024"][..])] {
            let (_, got) = listing(dir.path(), threads, extra);
            assert_eq!(
                got.replace(&format!("app.log{suffix}:"), "app.log:"),
                want,
                "{suffix} on {threads} thread(s)"
            );
        }
    }
}

/// `COPY` rows are scanned on the pool in batches once the columns are known: a dump
/// of several blocks with statements between them (and a last block cut off without
/// its `\.`) reports the same findings in the same order on 1 and 2 threads, with
/// batches of a few rows.
#[test]
fn copy_blocks_scan_alike_on_one_and_two_threads() {
    let mut g = Gen(0x1234_5678_9abc_def1);
    let mut dump = copy_corpus(&mut g, 300);
    dump.push_str("INSERT INTO public.notes (id, body) VALUES (1, 'ssn 536-22-8119');\n");
    dump.push_str(&copy_corpus(&mut g, 250).replace("public.people", "public.staff"));
    dump.push_str("CREATE TABLE t (ssn char(11));\n");
    let cut = copy_corpus(&mut g, 200);
    dump.push_str(cut.trim_end_matches("\\.\n"));
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "dump.sql", &dump);
    let (_, one) = listing(dir.path(), "1", &[]);
    assert!(one.lines().count() > 300, "the dump plants enough values");
    // The block cut off at the end is scanned too.
    let last_block = dump
        .lines()
        .position(|l| l.starts_with("CREATE TABLE t"))
        .unwrap()
        + 1;
    assert!(one.lines().any(|l| {
        let line: usize = l.split(':').nth(1).unwrap().parse().unwrap();
        line > last_block
    }));
    for part in ["1024", "4096", "65536"] {
        assert_eq!(
            listing(dir.path(), "2", &["--parallel-part", part]).1,
            one,
            "parts of {part} bytes"
        );
    }
}

/// Once its columns are known, a CSV without quotes is cut into blocks of lines that
/// the pool's jobs split into records; from the first block holding a quote, the
/// reader splits the records. Findings, with their lines and record numbers, are the
/// same on 1 and 2 threads across that switch: a quoted field spanning lines in the
/// middle, CRLF line ends, and a last line without its line end, with blocks of a few
/// lines up to the whole file.
#[test]
fn csv_blocks_and_quoted_records_scan_alike_on_one_and_two_threads() {
    let mut g = Gen(0x0dd_b1a5_e5ca_1ab1);
    let corpus = csv_corpus(&mut g, 600);
    let mut csv = String::new();
    for (i, line) in corpus.lines().enumerate() {
        match i {
            400 => {
                let width = line.split(',').count();
                let rest = vec!["536-22-8119"; width - 1].join(",");
                csv.push_str(&format!(
                    "\"ssn 536-22-8119\nand \"\"quoted\"\"\r\n\",{rest}\n"
                ));
            }
            i if i % 7 == 3 => csv.push_str(&format!("{line}\r\n")),
            _ => csv.push_str(&format!("{line}\n")),
        }
    }
    csv.push_str(&["078-05-1120"; 8].join(","));
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "export.csv", &csv);
    let findings = |threads: &str, extra: &[&str]| -> Vec<String> {
        findings_json(dir.path(), threads, extra)
            .iter()
            .map(|v| format!("{} {}", v["location"], v["rule_id"].as_str().unwrap()))
            .collect()
    };
    let one = findings("1", &[]);
    assert!(one.len() > 300, "the export plants enough values");
    // The quoted record and the last one are read, at their lines and records.
    let at = |line: usize, record: usize| {
        one.iter().any(|f| {
            f.contains(&format!("\"line\":{line},")) && f.contains(&format!("\"record\":{record}"))
        })
    };
    assert!(
        at(401, 400) && at(403, 400),
        "the quoted record, over three lines"
    );
    let last = csv.lines().count();
    assert!(at(last, 601), "the last line, record 601: {:?}", one.last());
    for part in ["1024", "4096", "65536", "16777216"] {
        assert_eq!(
            findings("2", &["--parallel-part", part]),
            one,
            "parts of {part} bytes"
        );
    }
}
