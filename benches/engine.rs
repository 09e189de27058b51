//! Engine throughput on generated, realistic inputs (bytes/s per core).
//!
//! `cargo bench --bench engine` prints MB/s (divan's `bytes` counter) for the
//! default rule pack over each input kind. Inputs are generated deterministically.

use piiscan::engine::{Engine, FieldContext};
use piiscan::extract::{FindingBuilder, FindingPolicy, delimited, text};
use piiscan::finding::Confidence;
use piiscan::redact::Fingerprinter;
use piiscan::rules::RuleSet;
use std::sync::LazyLock;

fn main() {
    divan::main();
}

const SIZE: usize = 8 << 20;

static ENGINE: LazyLock<Engine> =
    LazyLock::new(|| Engine::new(&RuleSet::builtin().unwrap()).unwrap());

/// A tiny deterministic generator (xorshift), so inputs are the same on every machine.
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
}

/// Application logs: mostly ordinary lines, one in ~50 with an e-mail, IP, or SSN.
fn logs() -> Vec<u8> {
    let mut g = Gen(0x9e3779b97f4a7c15);
    let mut out = String::with_capacity(SIZE + 256);
    let mut i = 0u64;
    while out.len() < SIZE {
        i += 1;
        let ts = format!(
            "2024-03-{:02}T{:02}:{:02}:{:02}Z",
            1 + g.below(28),
            g.below(24),
            g.below(60),
            g.below(60)
        );
        let line = match g.below(50) {
            0 => format!(
                "{ts} INFO login ok user=user{i}@corp-mail.net client ip 81.2.{}.{}\n",
                g.below(256),
                g.below(256)
            ),
            1 => format!(
                "{ts} DEBUG payload {{\"customer_id\": {i}, \"ssn\": \"5{:02}-{:02}-{:04}\"}}\n",
                1 + g.below(99),
                1 + g.below(99),
                1 + g.below(9999)
            ),
            2 => format!(
                "{ts} INFO order ORD-2024-{:06} total={}.{:02} zip={:05}\n",
                g.below(999_999),
                g.below(500),
                g.below(100),
                g.below(99_999)
            ),
            _ => format!(
                "{ts} INFO request_id={:016x} GET /api/v1/items/{} 200 {}ms bytes={}\n",
                g.next(),
                g.below(100_000),
                g.below(900),
                g.below(1 << 20)
            ),
        };
        out.push_str(&line);
    }
    out.into_bytes()
}

/// A pg_dump data section: tab-separated COPY rows with names, e-mails, dates, phones.
fn dump() -> Vec<u8> {
    let mut g = Gen(0xdeadbeefcafef00d);
    let mut out = String::from(
        "COPY public.customers (id, first_name, last_name, email, ssn, dob, phone, created_at) FROM stdin;\n",
    );
    let mut i = 0u64;
    while out.len() < SIZE {
        i += 1;
        out.push_str(&format!(
            "{i}\tMaria{}\tGonzalez{}\tm.g{i}@mailbox.net\t5{:02}-{:02}-{:04}\t19{:02}-{:02}-{:02}\t(415) 8{:02}-{:04}\t2023-01-04 10:12:55+00\n",
            g.below(100), g.below(100), 1 + g.below(99), 1 + g.below(99), 1 + g.below(9999), 40 + g.below(60), 1 + g.below(12), 1 + g.below(28), 20 + g.below(79), g.below(10000)
        ));
    }
    out.into_bytes()
}

/// A numeric CSV export: ids, amounts, counts; almost no PII.
fn numeric_csv() -> Vec<u8> {
    let mut g = Gen(0x0123456789abcdef);
    let mut out = String::from("id,account_ref,amount,quantity,batch,checksum\n");
    while out.len() < SIZE {
        out.push_str(&format!(
            "{},{},{}.{:02},{},{},{}\n",
            g.below(1 << 40),
            g.below(1_000_000_000),
            g.below(100_000),
            g.below(100),
            g.below(1000),
            g.below(100_000_000),
            g.below(1 << 32)
        ));
    }
    out.into_bytes()
}

/// Base64 blobs, as in JSON exports with embedded files.
fn base64_blobs() -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut g = Gen(0x5555aaaa5555aaaa);
    let mut out = Vec::with_capacity(SIZE + 128);
    while out.len() < SIZE {
        for _ in 0..76 {
            out.push(ALPHABET[g.below(64) as usize]);
        }
        out.push(b'\n');
    }
    out
}

static INPUTS: LazyLock<Vec<(&'static str, Vec<u8>)>> = LazyLock::new(|| {
    vec![
        ("logs", logs()),
        ("dump", dump()),
        ("numeric_csv", numeric_csv()),
        ("base64", base64_blobs()),
    ]
});

fn input(name: &str) -> &'static [u8] {
    &INPUTS.iter().find(|(n, _)| *n == name).unwrap().1
}

/// The engine alone over one buffer.
#[divan::bench(args = ["logs", "dump", "numeric_csv", "base64"])]
fn engine_scan(bencher: divan::Bencher, kind: &str) {
    let data = input(kind);
    let engine = &*ENGINE;
    bencher
        .counter(divan::counter::BytesCount::new(data.len()))
        .bench(|| {
            let mut n = 0usize;
            engine.scan(data, 0..data.len(), FieldContext::default(), |_| n += 1);
            n
        });
}

static FINGERPRINTER: LazyLock<Fingerprinter> = LazyLock::new(|| Fingerprinter::new([7; 32]));

/// Findings as a scan makes them: default policy (masked values, medium confidence up).
fn builder(path: &'static str) -> FindingBuilder<'static> {
    FindingBuilder {
        count_only: None,
        engine: &ENGINE,
        path: path.into(),
        source: None,
        policy: FindingPolicy {
            min_confidence: Confidence::Medium,
            show_values: false,
            fingerprinter: &FINGERPRINTER,
        },
    }
}

/// The delimited (CSV) extractor on one thread: record reading, header and column
/// inference, one engine scan per field, findings built.
#[divan::bench(args = ["numeric_csv"])]
fn csv_extractor(bencher: divan::Bencher, kind: &str) {
    let data = input(kind);
    let builder = builder("bench.csv");
    let one_thread = delimited::Parallel {
        threads: 1,
        batch_bytes: 1 << 20,
    };
    bencher
        .counter(divan::counter::BytesCount::new(data.len()))
        .bench(|| {
            let mut out = Vec::new();
            let (bytes, result, _) = delimited::scan(data, b',', &builder, one_thread, &mut out);
            result.unwrap();
            (bytes, out.len())
        });
}

/// The streaming text extractor: chunking, line/column tracking, findings built.
#[divan::bench(args = ["logs", "dump", "numeric_csv", "base64"])]
fn text_extractor(bencher: divan::Bencher, kind: &str) {
    let data = input(kind);
    let builder = builder("bench.txt");
    bencher
        .counter(divan::counter::BytesCount::new(data.len()))
        .bench(|| {
            let mut out = Vec::new();
            let (bytes, result) = text::scan_stream(data, &builder, text::DEFAULT_CHUNK, &mut out);
            result.unwrap();
            (bytes, out.len())
        });
}
