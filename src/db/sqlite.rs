//! SQLite databases, opened read-only.
//!
//! Catalog: `sqlite_master` and `PRAGMA table_info`. Sampling: up to `sample_rows`
//! rows per table, read as ten contiguous rowid ranges spread evenly between the lowest
//! and highest rowid, so a table of 100 million rows costs ten index seeks, not a scan.
//! Tables without rowid are read with a plain `LIMIT`.

use crate::extract::infer::{self, ColumnInference};
use crate::extract::{Declaration, FieldScanner, FindingBuilder, FindingSink, Place};
use crate::finding::{FindingKind, Scope};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use std::path::Path;

/// What was read, for the report.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SqliteStats {
    pub tables: u64,
    pub rows_sampled: u64,
}

/// A column as the catalog declares it.
struct Column {
    name: String,
    declared_type: String,
}

fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// Opens read-only; `query_only` makes any write through this connection fail.
pub fn open(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.pragma_update(None, "query_only", true)?;
    Ok(conn)
}

fn tables(conn: &Connection) -> rusqlite::Result<Vec<(String, bool)>> {
    let mut st = conn.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")?;
    let rows = st.query_map([], |r| {
        let name: String = r.get(0)?;
        let sql: Option<String> = r.get(1)?;
        let without_rowid = sql.is_some_and(|s| s.to_ascii_uppercase().contains("WITHOUT ROWID"));
        Ok((name, !without_rowid))
    })?;
    rows.collect()
}

fn columns(conn: &Connection, table: &str) -> rusqlite::Result<Vec<Column>> {
    let mut st = conn.prepare(&format!("PRAGMA table_info({})", quote(table)))?;
    let rows = st.query_map([], |r| {
        Ok(Column {
            name: r.get(1)?,
            declared_type: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
        })
    })?;
    rows.collect()
}

/// A cell as text for scanning (blobs are skipped: they are not text).
fn text_of(v: ValueRef<'_>) -> Option<Vec<u8>> {
    match v {
        ValueRef::Null | ValueRef::Blob(_) => None,
        ValueRef::Integer(i) => Some(i.to_string().into_bytes()),
        ValueRef::Real(f) => Some(f.to_string().into_bytes()),
        ValueRef::Text(t) => Some(t.to_vec()),
    }
}

/// Reads up to `limit` rows of `table`: ten contiguous rowid ranges spread between the
/// lowest and highest rowid when it has rowids, else the first `limit` rows.
fn sample(
    conn: &Connection,
    table: &str,
    has_rowid: bool,
    width: usize,
    limit: u64,
) -> rusqlite::Result<Vec<Vec<Option<Vec<u8>>>>> {
    let t = quote(table);
    let cells = |r: &rusqlite::Row<'_>, skip: usize| -> Vec<Option<Vec<u8>>> {
        (0..width)
            .map(|i| r.get_ref(i + skip).ok().and_then(text_of))
            .collect()
    };
    let mut rows = Vec::new();
    if !has_rowid {
        let mut st = conn.prepare(&format!("SELECT * FROM {t} LIMIT ?1"))?;
        let mut q = st.query([limit as i64])?;
        while let Some(r) = q.next()? {
            rows.push(cells(r, 0));
        }
        return Ok(rows);
    }
    let (lo, hi): (Option<i64>, Option<i64>) = conn.query_row(
        &format!("SELECT min(rowid), max(rowid) FROM {t}"),
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let (Some(lo), Some(hi)) = (lo, hi) else {
        return Ok(rows);
    };
    const RANGES: i64 = 10;
    let per_range = ((limit as i64 + RANGES - 1) / RANGES).max(1);
    let span = hi - lo + 1;
    let mut st = conn.prepare(&format!(
        "SELECT rowid, * FROM {t} WHERE rowid >= ?1 ORDER BY rowid LIMIT ?2"
    ))?;
    let mut next = lo;
    for k in 0..RANGES {
        let start = (lo + span * k / RANGES).max(next);
        if start > hi || rows.len() as u64 >= limit {
            break;
        }
        let mut q = st.query([start, per_range])?;
        while let Some(r) = q.next()? {
            next = r.get::<_, i64>(0)? + 1;
            rows.push(cells(r, 1));
        }
    }
    rows.truncate(limit as usize);
    Ok(rows)
}

/// Scans one SQLite database: declarations for its columns, sampled values.
pub fn scan(
    path: &Path,
    builder: &FindingBuilder<'_>,
    sample_rows: u64,
    out: &mut dyn FindingSink,
) -> rusqlite::Result<SqliteStats> {
    let conn = open(path)?;
    let mut stats = SqliteStats::default();
    let mut fields = FieldScanner::default();
    for (table, has_rowid) in tables(&conn)? {
        stats.tables += 1;
        let cols = columns(&conn, &table)?;
        for c in &cols {
            let decl = Declaration {
                kind: FindingKind::Column,
                name: &c.name,
                declared_type: (!c.declared_type.is_empty()).then_some(c.declared_type.as_str()),
                comment: None,
            };
            let place = Place {
                line: 1,
                column: 1,
                table: Some(table.clone()),
                field: Some(c.name.clone()),
                record: None,
                scope: Scope::Structured,
            };
            builder.declarations(decl, place, out);
        }
        let rows = sample(&conn, &table, has_rowid, cols.len(), sample_rows)?;
        stats.rows_sampled += rows.len() as u64;
        let mut inference = ColumnInference::default();
        for row in rows.iter().take(infer::SAMPLE) {
            for (i, v) in row.iter().enumerate() {
                if let Some(v) = v {
                    inference.observe(builder.engine, i, v);
                }
            }
        }
        let inferred: Vec<Option<String>> = cols
            .iter()
            .enumerate()
            .map(|(i, c)| inference.decide(i, &infer::name_types(builder.engine, Some(&c.name))))
            .collect();
        for (n, row) in rows.iter().enumerate() {
            for (i, v) in row.iter().enumerate() {
                let Some(v) = v else { continue };
                let field = cols[i].name.as_str();
                let place_at = |offset: usize| Place {
                    line: 1,
                    column: offset as u64 + 1,
                    table: Some(table.clone()),
                    field: Some(field.to_string()),
                    record: Some(n as u64 + 1),
                    scope: Scope::Structured,
                };
                fields.scan(
                    builder,
                    v,
                    Some(field),
                    inferred[i].as_deref(),
                    &place_at,
                    out,
                );
            }
        }
    }
    Ok(stats)
}
