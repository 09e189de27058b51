//! SQL inputs: the statement splitter, DDL (sqlparser and the lenient reader), the
//! INSERT tuple and COPY row readers, dialect detection, under each dialect.
#![no_main]

use libfuzzer_sys::fuzz_target;
use piiscan::engine::Engine;
use piiscan::extract::sql::dialect::SqlDialect;
use piiscan::rules::RuleSet;
use piiscan::scan::{ScanOptions, scan_bytes};
use std::sync::LazyLock;

static ENGINE: LazyLock<Engine> =
    LazyLock::new(|| Engine::new(&RuleSet::builtin().unwrap()).unwrap());

const DIALECTS: &[Option<SqlDialect>] = &[
    None,
    Some(SqlDialect::Postgres),
    Some(SqlDialect::Mysql),
    Some(SqlDialect::Mssql),
    Some(SqlDialect::Sqlite),
    Some(SqlDialect::Generic),
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, content)) = data.split_first() else {
        return;
    };
    let opts = ScanOptions {
        sql_dialect: DIALECTS[pick as usize % DIALECTS.len()],
        chunk_size: 64 + (pick as usize / 8) * 97,
        ..ScanOptions::default()
    };
    let _ = scan_bytes("dump.sql", content, &ENGINE, &opts);
});
