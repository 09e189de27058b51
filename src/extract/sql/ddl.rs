//! Column declarations from DDL: `CREATE TABLE`, `ALTER TABLE … ADD/RENAME COLUMN`,
//! `COMMENT ON COLUMN`. sqlparser parses one statement at a time; a statement it
//! rejects gets a lenient reading of the column list instead, never a failure.

use sqlparser::ast::{
    AlterTableOperation, ColumnOption, CommentObject, ObjectName, ObjectNamePart, Statement,
};
use sqlparser::dialect::{Dialect, GenericDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;

/// One declared column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnDecl {
    pub table: String,
    pub name: String,
    pub declared_type: Option<String>,
    pub comment: Option<String>,
    /// Byte offset of the column name in the statement text (for its line/column).
    pub offset: usize,
}

/// What a DDL statement declared, and how it was read.
#[derive(Debug, Default)]
pub struct DdlResult {
    pub columns: Vec<ColumnDecl>,
    /// `COMMENT ON COLUMN t.c IS '…'`: (table, column, comment).
    pub comments: Vec<(String, String, String)>,
    /// True when sqlparser parsed it; false when the lenient reader was used.
    pub parsed: bool,
}

/// Object names without quotes, dot-joined (`public.customers`).
pub fn object_name(name: &ObjectName) -> String {
    name.0
        .iter()
        .map(|p| match p {
            ObjectNamePart::Identifier(id) => id.value.clone(),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// Byte offset of a 1-based (line, column) position in `text`.
fn offset_of(text: &str, line: u64, column: u64) -> usize {
    if line == 0 {
        return 0;
    }
    let mut off = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i as u64 + 1 == line {
            // sqlparser columns count characters; convert to bytes.
            return off
                + l.char_indices()
                    .nth(column.saturating_sub(1) as usize)
                    .map_or(l.len(), |(b, _)| b);
        }
        off += l.len();
    }
    0
}

/// Reads a DDL statement. `dialect` is tried first, then the generic dialect, then
/// the lenient reader.
pub fn read(text: &str, dialect: &dyn Dialect) -> DdlResult {
    let alternates: [&dyn Dialect; 4] = [
        &GenericDialect {},
        &PostgreSqlDialect {},
        &MySqlDialect {},
        &SQLiteDialect {},
    ];
    let parsed = std::iter::once(dialect)
        .chain(alternates)
        .find_map(|d| Parser::parse_sql(d, text).ok())
        .ok_or(());
    match parsed {
        Ok(statements) => {
            let mut out = DdlResult {
                parsed: true,
                ..DdlResult::default()
            };
            for st in statements {
                collect(text, &st, &mut out);
            }
            out
        }
        Err(_) => lenient(text),
    }
}

fn collect(text: &str, st: &Statement, out: &mut DdlResult) {
    let decl = |table: &str, c: &sqlparser::ast::ColumnDef| {
        let comment = c.options.iter().find_map(|o| match &o.option {
            ColumnOption::Comment(s) => Some(s.clone()),
            _ => None,
        });
        let ty = c.data_type.to_string();
        ColumnDecl {
            table: table.to_string(),
            name: c.name.value.clone(),
            declared_type: (!ty.is_empty()).then_some(ty),
            comment,
            offset: offset_of(text, c.name.span.start.line, c.name.span.start.column),
        }
    };
    match st {
        Statement::CreateTable(ct) => {
            let table = object_name(&ct.name);
            for c in &ct.columns {
                out.columns.push(decl(&table, c));
            }
        }
        Statement::AlterTable {
            name, operations, ..
        } => {
            let table = object_name(name);
            for op in operations {
                match op {
                    AlterTableOperation::AddColumn { column_def, .. } => {
                        out.columns.push(decl(&table, column_def))
                    }
                    AlterTableOperation::RenameColumn {
                        new_column_name, ..
                    } => out.columns.push(ColumnDecl {
                        table: table.clone(),
                        name: new_column_name.value.clone(),
                        declared_type: None,
                        comment: None,
                        offset: offset_of(
                            text,
                            new_column_name.span.start.line,
                            new_column_name.span.start.column,
                        ),
                    }),
                    _ => {}
                }
            }
        }
        Statement::Comment {
            object_type: CommentObject::Column,
            object_name: name,
            comment: Some(c),
            ..
        } => {
            let full = object_name(name);
            if let Some((table, col)) = full.rsplit_once('.') {
                out.comments
                    .push((table.to_string(), col.to_string(), c.clone()));
            }
        }
        _ => {}
    }
}

/// Words that start a table constraint rather than a column in a column list.
/// Words that end a column's type in a column definition.
const TYPE_END_WORDS: &[&str] = &[
    "not",
    "null",
    "default",
    "primary",
    "references",
    "collate",
    "check",
    "unique",
    "constraint",
    "generated",
    "comment",
    "auto_increment",
    "identity",
    "character",
    "charset",
    "on",
    "as",
];

/// The declared type: words after the column name up to the first option keyword,
/// keeping `character varying(40)` and `timestamp with time zone` whole.
fn type_of(words: &[&str]) -> Option<String> {
    let mut ty: Vec<&str> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let lw = w.to_ascii_lowercase();
        let is_end = TYPE_END_WORDS.contains(&lw.as_str())
            && !(i == 0 || (lw == "character" && ty.is_empty()));
        // `character varying` is a type; `CHARACTER SET` after a type is an option.
        if is_end && !(lw == "character" && ty.is_empty()) {
            break;
        }
        ty.push(w.trim_end_matches(','));
    }
    (!ty.is_empty()).then(|| ty.join(" "))
}

const CONSTRAINT_WORDS: &[&str] = &[
    "primary",
    "key",
    "unique",
    "constraint",
    "index",
    "foreign",
    "check",
    "fulltext",
    "spatial",
    "period",
    "like",
    "exclude",
    "partition",
];

/// Strips `"x"`, `` `x` ``, `[x]` quoting from one identifier.
fn unquote(id: &str) -> &str {
    id.trim_matches(|c| matches!(c, '"' | '`' | '[' | ']'))
}

/// The lenient reader: `CREATE … TABLE name (col type …, …)` and
/// `ALTER TABLE name ADD [COLUMN] col type`, by top-level commas.
pub fn lenient(text: &str) -> DdlResult {
    let mut out = DdlResult::default();
    let body = super::skip_comments(text.as_bytes());
    let start = text.len() - body.len();
    let body = &text[start..];
    let lower = body.to_ascii_lowercase();
    let Some(tpos) = lower.find("table") else {
        return out;
    };
    let after = &body[tpos + 5..];
    let mut rest = after.trim_start();
    for kw in ["if not exists", "if exists", "only"] {
        // Compared as bytes: `rest` may start with a multi-byte character.
        if rest
            .as_bytes()
            .get(..kw.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(kw.as_bytes()))
        {
            rest = rest[kw.len()..].trim_start();
        }
    }
    let name_end = rest
        .find(|c: char| c.is_whitespace() || c == '(')
        .unwrap_or(rest.len());
    let mut table = rest[..name_end]
        .split('.')
        .map(unquote)
        .collect::<Vec<_>>()
        .join(".");
    // MediaWiki-style `/*_*/user`: drop inline comments from the name.
    while let Some(s) = table.find("/*") {
        match table[s..].find("*/") {
            Some(e) => table.replace_range(s..s + e + 2, ""),
            None => break,
        }
    }
    let rest_off = start + tpos + 5 + (after.len() - rest.len()) + name_end;
    let tail = &text[rest_off..];
    if lower.trim_start().starts_with("alter") {
        let t = tail.trim_start();
        let lower_t = t.to_ascii_lowercase();
        if let Some(mut s) = lower_t.strip_prefix("add") {
            s = s.trim_start();
            let skip = t.len() - s.len();
            let s_orig = &t[skip..];
            let s_orig = if s.starts_with("column") {
                s_orig[6..].trim_start()
            } else {
                s_orig
            };
            let mut parts = s_orig.split_whitespace();
            if let Some(col) = parts.next() {
                let offset = rest_off + (tail.len() - t.len()) + (t.len() - s_orig.len());
                out.columns.push(ColumnDecl {
                    table,
                    name: unquote(col).to_string(),
                    declared_type: parts.next().map(str::to_string),
                    comment: None,
                    offset,
                });
            }
        }
        return out;
    }
    let Some(open) = tail.find('(') else {
        return out;
    };
    let mut depth = 0;
    let mut item_start = open + 1;
    let mut quote: Option<char> = None;
    for (i, c) in tail.char_indices().skip_while(|(i, _)| *i < open) {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' | '`' => quote = Some(c),
            '(' => depth += 1,
            ')' | ',' if depth == 1 => {
                let item = &tail[item_start..i];
                let trimmed = item.trim_start();
                let mut words = trimmed.split_whitespace();
                if let Some(first) = words.next() {
                    let name = unquote(first);
                    if !CONSTRAINT_WORDS.contains(&name.to_ascii_lowercase().as_str())
                        && !name.is_empty()
                    {
                        let rest: Vec<&str> = words.collect();
                        let ty = type_of(&rest);
                        let offset = rest_off + item_start + (item.len() - trimmed.len());
                        out.columns.push(ColumnDecl {
                            table: table.clone(),
                            name: name.to_string(),
                            declared_type: ty,
                            comment: None,
                            offset,
                        });
                    }
                }
                item_start = i + 1;
                if c == ')' {
                    break;
                }
            }
            ')' => depth -= 1,
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::PostgreSqlDialect;

    #[test]
    fn create_and_alter() {
        let sql = "CREATE TABLE public.customers (\n  id serial PRIMARY KEY,\n  ssn varchar(11) -- full\n)";
        let r = read(sql, &PostgreSqlDialect {});
        assert!(r.parsed);
        let c = &r.columns[1];
        assert_eq!(
            (
                c.table.as_str(),
                c.name.as_str(),
                c.declared_type.as_deref()
            ),
            ("public.customers", "ssn", Some("VARCHAR(11)"))
        );
        assert_eq!(&sql[c.offset..c.offset + 3], "ssn");
        let r = read(
            "ALTER TABLE employees ADD COLUMN tax_id varchar(11)",
            &PostgreSqlDialect {},
        );
        assert_eq!(r.columns[0].name, "tax_id");
    }

    /// Found by the `sql` fuzz target: a table name starting with a multi-byte
    /// character where `IF NOT EXISTS` is looked for sliced a `str` inside a character.
    #[test]
    fn lenient_reader_on_a_multibyte_table_name() {
        let r = lenient("CREATE TABLE \"Playli\u{fffd}\u{fffd}\" (\"ssn\" CHAR(11))");
        assert_eq!(r.columns.len(), 1);
        let r = lenient("CREATE TABLE é\u{fffd}x (a int");
        assert!(r.columns.len() <= 1);
        let r = lenient("CREATE TABLE \u{fffd}\u{fffd}\u{fffd}");
        assert!(r.columns.is_empty());
    }

    #[test]
    fn lenient_reader_on_unparseable_ddl() {
        let sql = "CREATE TABLE /*_*/user (\n  user_id int unsigned NOT NULL PRIMARY KEY AUTO_INCREMENT,\n  user_email tinytext NOT NULL,\n  KEY (user_email(50))\n) /*$wgDBTableOptions*/";
        let r = lenient(sql);
        let names: Vec<&str> = r.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["user_id", "user_email"]);
        assert_eq!(r.columns[0].table, "user");
        assert_eq!(r.columns[1].declared_type.as_deref(), Some("tinytext"));
        assert_eq!(
            &sql[r.columns[1].offset..r.columns[1].offset + 10],
            "user_email"
        );
        let r = lenient(
            "CREATE TABLE s (password character varying(40) NOT NULL, at timestamp with time zone DEFAULT now())",
        );
        assert_eq!(
            r.columns[0].declared_type.as_deref(),
            Some("character varying(40)")
        );
        assert_eq!(
            r.columns[1].declared_type.as_deref(),
            Some("timestamp with time zone")
        );
    }
}
