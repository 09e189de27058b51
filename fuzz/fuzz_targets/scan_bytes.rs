//! The whole pipeline over arbitrary bytes: the first byte picks the file name (which
//! hints the format), the rest is the content — compressed layers, UTF-16, CSV, JSON,
//! YAML/TOML/INI/.env, XML, text. Must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use piiscan::engine::Engine;
use piiscan::rules::RuleSet;
use piiscan::scan::{ScanOptions, scan_bytes};
use std::sync::LazyLock;

static ENGINE: LazyLock<Engine> =
    LazyLock::new(|| Engine::new(&RuleSet::builtin().unwrap()).unwrap());

const NAMES: &[&str] = &[
    "data.csv", "data.tsv", "data.json", "events.ndjson", "app.yml", "app.toml", "app.ini",
    ".env", "app.properties", "web.config", "feed.xml", "app.log", "notes.txt", "data.gz",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, content)) = data.split_first() else {
        return;
    };
    let name = NAMES[pick as usize % NAMES.len()];
    let opts = ScanOptions {
        // Small buffers reach the window and refill paths with small inputs.
        chunk_size: 64 + (pick as usize % 7) * 61,
        ..ScanOptions::default()
    };
    let _ = scan_bytes(name, content, &ENGINE, &opts);
});
