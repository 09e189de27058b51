//! SQL schemas, migrations and dumps (pg_dump plain format, mysqldump, phpMyAdmin,
//! SQL Server scripts).
//!
//! A streaming splitter cuts statements; DDL goes to sqlparser one statement at a
//! time (lenient fallback when it fails) and becomes column findings with a
//! protection verdict; `COPY` rows and `INSERT` tuples are read by small readers that
//! attribute each value to its table, column and row; any other statement is scanned
//! as text, so nothing in the file goes unscanned.

pub mod ddl;
pub mod dialect;
pub mod split;
pub mod values;

use super::infer::{self, ColumnInference};
use super::{Declaration, FieldScanner, FindingBuilder, FindingSink, Place};
use crate::engine::FieldContext;
use crate::finding::FindingKind;
use crate::finding::Scope;
use dialect::SqlDialect;
use serde::Serialize;
use split::{Item, Splitter};
use sqlparser::dialect::Dialect;
use std::collections::HashMap;
use std::io::{self, BufRead, Read};
use std::ops::Range;

/// How much of a SQL file was understood, for the report's coverage section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SqlStats {
    pub dialect: &'static str,
    pub statements: u64,
    /// DDL statements sqlparser parsed.
    pub ddl_parsed: u64,
    /// DDL statements read by the lenient fallback instead.
    pub ddl_fallback: u64,
    pub insert_rows: u64,
    pub copy_rows: u64,
    /// The line of a statement over `MAX_STATEMENT` bytes, from which the input was
    /// read as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oversized: Option<u64>,
}

/// Longest piece of a line fed to the splitter at once.
const MAX_PIECE: usize = 1 << 20;
/// Largest statement held whole; beyond it the rest of the input is read as text.
pub const MAX_STATEMENT: usize = 64 << 20;

/// Skips leading whitespace and comments (`-- …`, `# …`, `/* … */`).
pub fn skip_comments(mut b: &[u8]) -> &[u8] {
    loop {
        let start = b
            .iter()
            .position(|c| !c.is_ascii_whitespace())
            .unwrap_or(b.len());
        b = &b[start..];
        if b.starts_with(b"--") || b.starts_with(b"#") {
            b = memchr::memchr(b'\n', b).map_or(&b[b.len()..], |p| &b[p + 1..]);
        } else if b.starts_with(b"/*") && !b.starts_with(b"/*!") {
            b = memchr::memmem::find(b, b"*/").map_or(&b[b.len()..], |p| &b[p + 2..]);
        } else {
            return b;
        }
    }
}

/// What kind of statement it is, by its first words.
#[derive(Debug, PartialEq, Eq)]
enum StatementKind {
    Ddl,
    Insert,
    Copy,
    Other,
}

fn classify(text: &[u8]) -> StatementKind {
    let t = skip_comments(text);
    let upto = t.len().min(160);
    let head = String::from_utf8_lossy(&t[..upto]).to_ascii_lowercase();
    let words: Vec<&str> = head.split_whitespace().take(6).collect();
    match words.first().copied() {
        Some("insert" | "replace") => StatementKind::Insert,
        Some("copy") => StatementKind::Copy,
        Some("alter") if words.get(1) == Some(&"table") => StatementKind::Ddl,
        Some("comment") if words.get(1) == Some(&"on") => StatementKind::Ddl,
        Some("create")
            if words
                .iter()
                .take(5)
                .any(|w| *w == "table" || w.starts_with("table")) =>
        {
            StatementKind::Ddl
        }
        _ => StatementKind::Other,
    }
}

/// Offsets of newlines in a statement, to turn byte offsets into lines and columns.
struct LineMap {
    newlines: Vec<usize>,
    line: u64,
    column: u64,
}

impl LineMap {
    fn new(text: &[u8], line: u64, column: u64) -> LineMap {
        LineMap {
            newlines: memchr::memchr_iter(b'\n', text).collect(),
            line,
            column,
        }
    }

    fn at(&self, offset: usize) -> (u64, u64) {
        let n = self.newlines.partition_point(|&p| p < offset);
        if n == 0 {
            (self.line, self.column + offset as u64)
        } else {
            (self.line + n as u64, (offset - self.newlines[n - 1]) as u64)
        }
    }
}

/// Scans one `COPY` row's values, each with its column (and inferred type) as context.
fn scan_copy_row(
    builder: &FindingBuilder<'_>,
    fields: &mut FieldScanner,
    columns: &CopyColumns,
    row: &[u8],
    line: u64,
    record: u64,
    out: &mut dyn FindingSink,
) {
    let map = LineMap::new(row, line, 1);
    for (i, (range, is_null)) in values::copy_fields(row).enumerate() {
        if is_null || range.is_empty() {
            continue;
        }
        let field = columns
            .columns
            .as_ref()
            .and_then(|c| c.get(i))
            .map(String::as_str);
        let ty = columns.types.get(i).and_then(|t| t.as_deref());
        let column = ValueColumn {
            table: &columns.table,
            field,
            inferred: ty,
        };
        scan_value(builder, fields, row, range, &map, column, record, out);
    }
}

/// The table, column and inferred type a value is stored under.
struct ValueColumn<'a> {
    table: &'a str,
    field: Option<&'a str>,
    inferred: Option<&'a str>,
}

/// Scans one value of `text` with its column (and inferred type) as context.
#[allow(clippy::too_many_arguments)]
fn scan_value(
    builder: &FindingBuilder<'_>,
    fields: &mut FieldScanner,
    text: &[u8],
    range: Range<usize>,
    map: &LineMap,
    column: ValueColumn<'_>,
    record: u64,
    out: &mut dyn FindingSink,
) {
    let place_at = |offset: usize| {
        let (line, col) = map.at(range.start + offset);
        Place {
            scope: Scope::Structured,
            line,
            column: col,
            table: Some(column.table.to_string()),
            field: column.field.map(str::to_string),
            record: Some(record),
        }
    };
    let value = &text[range.clone()];
    fields.set_table(Some(column.table));
    fields.scan(
        builder,
        value,
        column.field,
        column.inferred,
        &place_at,
        out,
    );
}

fn table_key(name: &str) -> String {
    name.rsplit('.').next().unwrap_or(name).to_ascii_lowercase()
}

/// A `COPY` block being read: its first rows are held back until the column types
/// are inferred from them.
struct CopyState {
    header: values::DataHeader,
    inference: ColumnInference,
    held: Vec<(Vec<u8>, u64, u64)>,
    decided: bool,
    /// Once decided: the table, its columns and their inferred types, shared with the
    /// threads that scan batches of rows.
    columns: Option<std::sync::Arc<CopyColumns>>,
    /// Rows (text, line, record) read since the last batch went to the pool, and
    /// their bytes.
    batch: Vec<(Vec<u8>, u64, u64)>,
    batch_bytes: usize,
}

/// What scanning a `COPY` row needs besides the row.
struct CopyColumns {
    table: String,
    columns: Option<Vec<String>>,
    types: Vec<Option<String>>,
}

/// `COPY` rows in flight on the pool (see `SqlExtractor::parallel`); their findings
/// are taken in row order.
struct CopyPipeline<'s, 'scope> {
    scope: &'s rayon::Scope<'scope>,
    in_flight: super::Ordered<super::Collected>,
}

/// Reads one SQL input.
pub struct SqlExtractor<'a, 'b> {
    builder: &'a FindingBuilder<'b>,
    dialect: SqlDialect,
    parser: Box<dyn Dialect>,
    /// Columns of each table seen in `CREATE TABLE` (for `INSERT` without a column list).
    tables: HashMap<String, Vec<String>>,
    /// Rows seen so far per table (`record` numbers continue across statements).
    records: HashMap<String, u64>,
    copy: Option<CopyState>,
    /// Columns already reported from their declaration (table key, column).
    reported: std::collections::HashSet<(String, String)>,
    /// Column types inferred from values, per table.
    inferred: HashMap<String, Vec<Option<String>>>,
    fields: FieldScanner,
    pub stats: SqlStats,
    /// Largest statement held whole (`MAX_STATEMENT`; smaller in tests).
    pub max_statement: usize,
    /// Once a `COPY` block's column types are known, its rows are scanned on the pool
    /// in batches while the reader goes on (same findings, same order).
    pub parallel: Option<super::delimited::Parallel>,
}

impl<'a, 'b> SqlExtractor<'a, 'b> {
    pub fn new(builder: &'a FindingBuilder<'b>, dialect: SqlDialect) -> Self {
        SqlExtractor {
            builder,
            dialect,
            parser: dialect.parser(),
            tables: HashMap::new(),
            records: HashMap::new(),
            copy: None,
            reported: Default::default(),
            inferred: HashMap::new(),
            fields: FieldScanner::default(),
            stats: SqlStats {
                dialect: dialect_name(dialect),
                ..SqlStats::default()
            },
            max_statement: MAX_STATEMENT,
            parallel: None,
        }
    }

    /// Reads the whole input line by line (a line longer than `MAX_PIECE` in pieces).
    /// A statement growing past `MAX_STATEMENT` is not held: it and the rest of the
    /// input are scanned as text in windows (`stats.oversized`), so memory stays
    /// bounded whatever the input. Returns the bytes read.
    pub fn run(
        &mut self,
        reader: impl BufRead,
        out: &mut dyn FindingSink,
    ) -> (u64, io::Result<()>) {
        rayon::in_place_scope(|scope| {
            let mut pipe = CopyPipeline {
                scope,
                in_flight: super::Ordered::default(),
            };
            let r = self.run_in(reader, out, &mut pipe);
            pipe.in_flight.drain(out);
            r
        })
    }

    fn run_in(
        &mut self,
        mut reader: impl BufRead,
        out: &mut dyn FindingSink,
        pipe: &mut CopyPipeline<'_, 'a>,
    ) -> (u64, io::Result<()>) {
        let mut splitter = Splitter::new(self.dialect.is_mysql());
        let mut line = Vec::new();
        let mut line_no = 0u64;
        let mut at_line_start = true;
        let mut total = 0u64;
        loop {
            line.clear();
            match super::read_line_bounded(
                &mut reader,
                &mut line,
                MAX_PIECE.min(self.max_statement / 4).max(64),
            ) {
                Ok(0) => break,
                Ok(n) => {
                    total += n as u64;
                    if at_line_start {
                        line_no += 1;
                    }
                    at_line_start = line.ends_with(b"\n");
                    splitter.feed(&line, line_no, &mut |item| self.item(item, out, pipe));
                    if splitter.pending_len() > self.max_statement {
                        self.flush_copy(out, pipe);
                        let (pending, from_line) = splitter.take_pending();
                        self.stats.oversized = Some(from_line);
                        let pending_len = pending.len() as u64;
                        let rest = io::Cursor::new(pending).chain(reader);
                        let (n, r) = super::text::scan_stream_from(
                            rest,
                            self.builder,
                            super::text::DEFAULT_CHUNK,
                            from_line,
                            out,
                        );
                        // The pending bytes were counted already.
                        return (total + n.saturating_sub(pending_len), r);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    splitter.finish(&mut |item| self.item(item, out, pipe));
                    return (total, Err(e));
                }
            }
        }
        splitter.finish(&mut |item| self.item(item, out, pipe));
        (total, Ok(()))
    }

    fn item(&mut self, item: Item<'_>, out: &mut dyn FindingSink, pipe: &mut CopyPipeline<'_, 'a>) {
        match item {
            Item::Statement { text, line, column } => {
                // Rows in flight come before this statement's findings.
                self.flush_copy(out, pipe);
                self.stats.statements += 1;
                self.statement(text, line, column, out);
            }
            Item::CopyRow { row, line } => self.copy_row(row, line, out, pipe),
            Item::CopyEnd => {
                self.flush_copy(out, pipe);
                if let Some(mut state) = self.copy.take() {
                    self.release_held(&mut state, out);
                }
            }
        }
    }

    /// Sends the current `COPY` block's pending rows to the pool and waits for every
    /// batch in flight, so that what follows is reported after them.
    fn flush_copy(&mut self, out: &mut dyn FindingSink, pipe: &mut CopyPipeline<'_, 'a>) {
        if let Some(mut state) = self.copy.take() {
            self.spawn_batch(&mut state, pipe);
            self.copy = Some(state);
        }
        pipe.in_flight.drain(out);
    }

    fn statement(&mut self, text: &[u8], line: u64, column: u64, out: &mut dyn FindingSink) {
        let map = LineMap::new(text, line, column);
        match classify(text) {
            StatementKind::Ddl => {
                self.ddl(text, &map, out);
                self.scan_text(text, 0..text.len(), &map, out);
            }
            StatementKind::Insert => {
                match values::insert_header(text, text.len() - skip_comments(text).len()) {
                    Some(header) => self.insert(text, &header, &map, out),
                    None => self.scan_text(text, 0..text.len(), &map, out),
                }
            }
            StatementKind::Copy => {
                self.copy = values::copy_header(text, text.len() - skip_comments(text).len()).map(
                    |mut header| {
                        if header.columns.is_none() {
                            header.columns = self.tables.get(&table_key(&header.table)).cloned();
                        }
                        CopyState {
                            header,
                            inference: ColumnInference::default(),
                            held: Vec::new(),
                            decided: false,
                            columns: None,
                            batch: Vec::new(),
                            batch_bytes: 0,
                        }
                    },
                );
            }
            StatementKind::Other => self.scan_text(text, 0..text.len(), &map, out),
        }
    }

    fn ddl(&mut self, text: &[u8], map: &LineMap, out: &mut dyn FindingSink) {
        let sql = String::from_utf8_lossy(text);
        let result = ddl::read(&sql, self.parser.as_ref());
        if result.parsed {
            self.stats.ddl_parsed += 1;
        } else {
            self.stats.ddl_fallback += 1;
        }
        let creates = classify_create(text);
        for c in &result.columns {
            let cols = self.tables.entry(table_key(&c.table)).or_default();
            if creates && cols.contains(&c.name) {
                cols.clear(); // a table re-created later in the file
            }
            cols.push(c.name.clone());
            let (l, col) = map.at(c.offset);
            let decl = Declaration {
                kind: FindingKind::Column,
                name: &c.name,
                declared_type: c.declared_type.as_deref(),
                comment: c.comment.as_deref(),
            };
            let place = Place {
                scope: Scope::Structured,
                line: l,
                column: col,
                table: Some(c.table.clone()),
                field: Some(c.name.clone()),
                record: None,
            };
            if self.builder.declarations(decl, place, out) > 0 {
                self.reported
                    .insert((table_key(&c.table), c.name.to_ascii_lowercase()));
            }
        }
        // `COMMENT ON COLUMN t.c IS '…'`: a column not reported by its name may be by its comment.
        for (table, column, comment) in &result.comments {
            if self
                .reported
                .contains(&(table_key(table), column.to_ascii_lowercase()))
            {
                continue;
            }
            let offset = memchr::memmem::find(text, column.as_bytes()).unwrap_or(0);
            let (line, col) = map.at(offset);
            let decl = Declaration {
                kind: FindingKind::Column,
                name: column,
                declared_type: None,
                comment: Some(comment),
            };
            let place = Place {
                scope: Scope::Structured,
                line,
                column: col,
                table: Some(table.clone()),
                field: Some(column.clone()),
                record: None,
            };
            if self.builder.declarations(decl, place, out) > 0 {
                self.reported
                    .insert((table_key(table), column.to_ascii_lowercase()));
            }
        }
    }

    fn insert(
        &mut self,
        text: &[u8],
        header: &values::DataHeader,
        map: &LineMap,
        out: &mut dyn FindingSink,
    ) {
        let columns = header
            .columns
            .clone()
            .or_else(|| self.tables.get(&table_key(&header.table)).cloned());
        let base = *self.records.get(&header.table).unwrap_or(&0);
        let mut tuples = 0usize;
        let mut values = Vec::new();
        let backslash = self.dialect.is_mysql();
        values::for_each_value(text, header.values_at, backslash, |v| {
            tuples = tuples.max(v.tuple + 1);
            if !v.is_null && !v.range.is_empty() {
                values.push(v);
            }
        });
        // Infer column types from this statement's first tuples, unless already known.
        let key = table_key(&header.table);
        if !self.inferred.contains_key(&key) {
            let mut inference = ColumnInference::default();
            for v in values.iter().filter(|v| v.tuple < infer::SAMPLE) {
                inference.observe(self.builder.engine, v.index, &text[v.range.clone()]);
            }
            let width = values.iter().map(|v| v.index + 1).max().unwrap_or(0);
            let decided = self.decide(&inference, width, columns.as_deref());
            if decided.iter().any(Option::is_some) || tuples >= infer::SAMPLE {
                self.inferred.insert(key.clone(), decided);
            }
        }
        let inferred = self.inferred.get(&key).cloned().unwrap_or_default();
        for v in values {
            let field = columns
                .as_ref()
                .and_then(|c| c.get(v.index))
                .map(String::as_str);
            let ty = inferred.get(v.index).and_then(|t| t.as_deref());
            let column = ValueColumn {
                table: &header.table,
                field,
                inferred: ty,
            };
            let record = base + v.tuple as u64 + 1;
            scan_value(
                self.builder,
                &mut self.fields,
                text,
                v.range,
                map,
                column,
                record,
                out,
            );
        }
        self.stats.insert_rows += tuples as u64;
        self.records
            .insert(header.table.clone(), base + tuples as u64);
    }

    /// Decisions for each of `width` columns.
    fn decide(
        &self,
        inference: &ColumnInference,
        width: usize,
        columns: Option<&[String]>,
    ) -> Vec<Option<String>> {
        (0..width)
            .map(|i| {
                let name = columns.and_then(|c| c.get(i)).map(String::as_str);
                inference.decide(i, &infer::name_types(self.builder.engine, name))
            })
            .collect()
    }

    fn copy_row(
        &mut self,
        row: &[u8],
        line: u64,
        out: &mut dyn FindingSink,
        pipe: &mut CopyPipeline<'_, 'a>,
    ) {
        self.stats.copy_rows += 1;
        let Some(mut state) = self.copy.take() else {
            // Rows of a COPY we could not read the header of: scan them as text.
            let map = LineMap::new(row, line, 1);
            self.scan_text(row, 0..row.len(), &map, out);
            return;
        };
        let record = self.records.entry(state.header.table.clone()).or_default();
        *record += 1;
        let record = *record;
        if !state.decided {
            for (i, (range, is_null)) in values::copy_fields(row).enumerate() {
                if !is_null {
                    state.inference.observe(self.builder.engine, i, &row[range]);
                }
            }
            state.held.push((row.to_vec(), line, record));
            if state.held.len() >= infer::SAMPLE {
                self.release_held(&mut state, out);
            }
        } else if let Some(parallel) = self.parallel {
            state.batch.push((row.to_vec(), line, record));
            state.batch_bytes += row.len();
            if state.batch_bytes >= parallel.batch_bytes {
                // Up to one batch per thread in flight; the oldest is taken first.
                if pipe.in_flight.len() >= parallel.threads {
                    pipe.in_flight.next_to(out);
                }
                self.spawn_batch(&mut state, pipe);
            }
        } else {
            self.copy_row_values(&state, row, line, record, out);
        }
        self.copy = Some(state);
    }

    /// Queues the rows read since the last batch on the pool.
    fn spawn_batch(&self, state: &mut CopyState, pipe: &mut CopyPipeline<'_, 'a>) {
        let Some(columns) = state.columns.clone() else {
            return;
        };
        if state.batch.is_empty() {
            return;
        }
        let rows = std::mem::take(&mut state.batch);
        state.batch_bytes = 0;
        let builder: &FindingBuilder<'_> = self.builder;
        pipe.in_flight.spawn(pipe.scope, move || {
            let mut fields = FieldScanner::default();
            let mut found = super::Collected::default();
            for (row, line, record) in &rows {
                scan_copy_row(
                    builder,
                    &mut fields,
                    &columns,
                    row,
                    *line,
                    *record,
                    &mut found,
                );
            }
            found
        });
    }

    /// Decides the column types of a COPY block and scans the rows held back so far.
    fn release_held(&mut self, state: &mut CopyState, out: &mut dyn FindingSink) {
        if !state.decided {
            let width = state
                .held
                .iter()
                .map(|(r, _, _)| values::copy_fields(r).count())
                .max()
                .unwrap_or(0);
            let decided = self.decide(&state.inference, width, state.header.columns.as_deref());
            self.inferred
                .insert(table_key(&state.header.table), decided.clone());
            state.columns = Some(std::sync::Arc::new(CopyColumns {
                table: state.header.table.clone(),
                columns: state.header.columns.clone(),
                types: decided,
            }));
            state.decided = true;
        }
        for (row, line, record) in std::mem::take(&mut state.held) {
            self.copy_row_values(state, &row, line, record, out);
        }
    }

    fn copy_row_values(
        &mut self,
        state: &CopyState,
        row: &[u8],
        line: u64,
        record: u64,
        out: &mut dyn FindingSink,
    ) {
        if let Some(columns) = &state.columns {
            scan_copy_row(
                self.builder,
                &mut self.fields,
                columns,
                row,
                line,
                record,
                out,
            );
        }
    }

    /// Scans statement text with no structure (functions, views, comments, `INSERT … SELECT`).
    fn scan_text(
        &self,
        text: &[u8],
        range: Range<usize>,
        map: &LineMap,
        out: &mut dyn FindingSink,
    ) {
        self.builder
            .engine
            .scan(text, range, FieldContext::default(), |hit| {
                let (line, column) = map.at(hit.start);
                let field = hit
                    .key
                    .map(|(s, e)| String::from_utf8_lossy(&text[s..e]).into_owned());
                let place = Place {
                    line,
                    column,
                    field,
                    scope: Scope::FreeText,
                    ..Place::default()
                };
                if let Some(f) = self.builder.value(&hit, text, place) {
                    out.finding(f);
                }
            });
    }
}

fn classify_create(text: &[u8]) -> bool {
    skip_comments(text)
        .get(..6)
        .is_some_and(|w| w.eq_ignore_ascii_case(b"create"))
}

fn dialect_name(d: SqlDialect) -> &'static str {
    match d {
        SqlDialect::Generic => "generic",
        SqlDialect::Postgres => "postgres",
        SqlDialect::Mysql => "mysql",
        SqlDialect::Mssql => "mssql",
        SqlDialect::Sqlite => "sqlite",
        SqlDialect::Oracle => "oracle",
        SqlDialect::Snowflake => "snowflake",
        SqlDialect::Bigquery => "bigquery",
    }
}

/// True when the first bytes look like SQL: a dump header or a statement keyword at
/// the start of the first non-comment line.
pub fn looks_like_sql(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(&head[..head.len().min(4096)]);
    if text.contains("PostgreSQL database dump")
        || text.contains("MySQL dump")
        || text.contains("MariaDB dump")
    {
        return true;
    }
    let first = String::from_utf8_lossy(skip_comments(head)).to_ascii_lowercase();
    [
        "create ",
        "insert ",
        "copy ",
        "alter ",
        "drop ",
        "set ",
        "begin",
        "start transaction",
        "use ",
        "pragma ",
    ]
    .iter()
    .any(|k| first.starts_with(k))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Engine;
    use crate::extract::FindingPolicy;
    use crate::finding::{Confidence, Finding};
    use crate::redact::Fingerprinter;
    use crate::rules::RuleSet;

    #[test]
    fn an_oversized_statement_is_read_as_text_with_bounded_memory() {
        let engine = Engine::new(&RuleSet::builtin().unwrap()).unwrap();
        let fingerprinter = Fingerprinter::new([1; 32]);
        let builder = FindingBuilder {
            count_only: None,
            engine: &engine,
            path: "big.sql".into(),
            source: None,
            policy: FindingPolicy {
                min_confidence: Confidence::Medium,
                show_values: false,
                fingerprinter: &fingerprinter,
            },
        };
        let mut sql = String::from(
            "CREATE TABLE t (id int, ssn char(11));\nINSERT INTO t (id, ssn) VALUES (1, '536-22-8119')",
        );
        for i in 0..2000 {
            sql.push_str(&format!(",({i}, 'n/a')"));
        }
        sql.push_str(",(9, '148-09-7731');\nINSERT INTO t (id, ssn) VALUES (2, '402-71-3356');\n");
        let mut x = SqlExtractor::new(&builder, SqlDialect::Postgres);
        x.max_statement = 4096;
        let mut out: Vec<Finding> = Vec::new();
        let (bytes, result) = x.run(io::Cursor::new(sql.as_bytes()), &mut out);
        result.unwrap();
        assert_eq!(bytes, sql.len() as u64);
        assert_eq!(x.stats.oversized, Some(2));
        let ssns: Vec<(u64, Scope)> = out
            .iter()
            .filter(|f| &*f.rule_id == "us-ssn")
            .map(|f| (f.location.line, f.scope))
            .collect();
        assert_eq!(
            ssns,
            [
                (2, Scope::FreeText),
                (2, Scope::FreeText),
                (3, Scope::FreeText)
            ]
        );
        // The declaration before it was read as SQL.
        assert!(out.iter().any(|f| f.kind == FindingKind::Column));
    }
}
