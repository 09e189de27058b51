//! Reading data rows: `INSERT INTO t (cols) VALUES (…),(…)` tuples and `COPY` rows.
//!
//! Values are reported as byte ranges into the statement (string contents without
//! their quotes), so findings keep exact lines and columns even in a 10,000-tuple
//! single-line INSERT.

use std::ops::Range;

/// The table and column list of an `INSERT` or `COPY` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataHeader {
    pub table: String,
    pub columns: Option<Vec<String>>,
    /// Where the `VALUES` tuples start (INSERT only).
    pub values_at: usize,
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

fn keyword(b: &[u8], i: usize, kw: &str) -> Option<usize> {
    let end = i + kw.len();
    let ok = b.len() >= end
        && b[i..end].eq_ignore_ascii_case(kw.as_bytes())
        && !b
            .get(end)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_');
    ok.then_some(end)
}

/// One identifier, quoted or bare; returns (name without quotes, end).
fn identifier(b: &[u8], i: usize) -> Option<(String, usize)> {
    let close = match b.get(i)? {
        b'"' => b'"',
        b'`' => b'`',
        b'[' => b']',
        _ => {
            let n = b[i..]
                .iter()
                .take_while(|c| {
                    c.is_ascii_alphanumeric()
                        || matches!(c, b'_' | b'$' | b'#' | b'@')
                        || **c >= 0x80
                })
                .count();
            return (n > 0).then(|| (String::from_utf8_lossy(&b[i..i + n]).into_owned(), i + n));
        }
    };
    let len = b[i + 1..].iter().position(|c| *c == close)?;
    Some((
        String::from_utf8_lossy(&b[i + 1..i + 1 + len]).into_owned(),
        i + len + 2,
    ))
}

/// A dotted name (`public.customers`, `[dbo].[Invoice Line]`).
fn dotted_name(b: &[u8], i: usize) -> Option<(String, usize)> {
    let (mut name, mut end) = identifier(b, i)?;
    while b.get(end) == Some(&b'.') {
        let (next, e) = identifier(b, end + 1)?;
        name.push('.');
        name.push_str(&next);
        end = e;
    }
    Some((name, end))
}

/// `(a, b, "c")` → names; returns the position after `)`.
fn column_list(b: &[u8], i: usize) -> Option<(Vec<String>, usize)> {
    if b.get(i) != Some(&b'(') {
        return None;
    }
    let mut cols = Vec::new();
    let mut j = i + 1;
    loop {
        j = skip_ws(b, j);
        let (name, e) = identifier(b, j)?;
        cols.push(name);
        j = skip_ws(b, e);
        match b.get(j)? {
            b',' => j += 1,
            b')' => return Some((cols, j + 1)),
            _ => return None,
        }
    }
}

/// Parses `INSERT [IGNORE] [INTO] name [(cols)] VALUES`; `None` for other forms
/// (`INSERT … SELECT`), which are scanned as text instead.
pub fn insert_header(stmt: &[u8], start: usize) -> Option<DataHeader> {
    let mut i = skip_ws(stmt, start);
    i = keyword(stmt, i, "insert").or_else(|| keyword(stmt, i, "replace"))?;
    loop {
        i = skip_ws(stmt, i);
        if let Some(e) = ["ignore", "low_priority", "delayed", "high_priority", "into"]
            .iter()
            .find_map(|k| keyword(stmt, i, k))
        {
            i = e;
        } else {
            break;
        }
    }
    let (table, e) = dotted_name(stmt, i)?;
    i = skip_ws(stmt, e);
    let columns = match column_list(stmt, i) {
        Some((cols, e)) => {
            i = skip_ws(stmt, e);
            Some(cols)
        }
        None => None,
    };
    let values_at = keyword(stmt, i, "values").or_else(|| keyword(stmt, i, "value"))?;
    Some(DataHeader {
        table,
        columns,
        values_at,
    })
}

/// Parses `COPY name [(cols)] FROM stdin`.
pub fn copy_header(stmt: &[u8], start: usize) -> Option<DataHeader> {
    let i = keyword(stmt, skip_ws(stmt, start), "copy")?;
    let (table, e) = dotted_name(stmt, skip_ws(stmt, i))?;
    let i = skip_ws(stmt, e);
    let columns = column_list(stmt, i).map(|(c, _)| c);
    Some(DataHeader {
        table,
        columns,
        values_at: 0,
    })
}

/// One value of a tuple.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TupleValue {
    /// Index of the tuple in the statement (0-based).
    pub tuple: usize,
    /// Position of the value in its tuple (0-based).
    pub index: usize,
    /// The value's bytes: a string's contents without quotes, else the raw token.
    pub range: Range<usize>,
    pub is_null: bool,
}

/// Walks the `VALUES` tuples from `from`, calling `on_value` for each value.
/// `backslash`: strings use backslash escapes (MySQL). Stops at the end of the last
/// tuple (`ON DUPLICATE KEY …`, `ON CONFLICT …`, `RETURNING …` are ignored).
pub fn for_each_value(
    stmt: &[u8],
    from: usize,
    backslash: bool,
    mut on_value: impl FnMut(TupleValue),
) {
    let mut i = from;
    let mut tuple = 0;
    loop {
        i = skip_ws(stmt, i);
        if stmt.get(i) != Some(&b'(') {
            return;
        }
        i += 1;
        let mut index = 0;
        loop {
            i = skip_ws(stmt, i);
            let Some(&c) = stmt.get(i) else { return };
            // String literal, optionally prefixed (N'…', E'…', X'…', _binary '…').
            let prefixed = matches!(c, b'N' | b'n' | b'E' | b'e' | b'X' | b'x' | b'B' | b'b')
                && stmt.get(i + 1) == Some(&b'\'');
            let (range, end, is_null) = if c == b'\'' || prefixed {
                let q = if prefixed { i + 1 } else { i };
                let mut j = q + 1;
                loop {
                    match stmt.get(j) {
                        None => break,
                        Some(b'\\') if backslash => j += 2,
                        Some(b'\'') if stmt.get(j + 1) == Some(&b'\'') => j += 2,
                        Some(b'\'') => break,
                        Some(_) => j += 1,
                    }
                }
                let close = j.min(stmt.len());
                (q + 1..close, (close + 1).min(stmt.len()), false)
            } else {
                // Number, NULL, function call, or `_binary '…'`: up to `,` or `)` at depth 0.
                let mut j = i;
                let mut depth = 0;
                let mut quoted = false;
                while let Some(&b) = stmt.get(j) {
                    match b {
                        b'\'' => quoted = !quoted,
                        b'(' if !quoted => depth += 1,
                        b')' if !quoted && depth == 0 => break,
                        b')' if !quoted => depth -= 1,
                        b',' if !quoted && depth == 0 => break,
                        _ => {}
                    }
                    j += 1;
                }
                let raw = &stmt[i..j];
                let trimmed_len = raw
                    .iter()
                    .rposition(|c| !c.is_ascii_whitespace())
                    .map_or(0, |p| p + 1);
                let is_null = raw[..trimmed_len].eq_ignore_ascii_case(b"null");
                (i..i + trimmed_len, j, is_null)
            };
            on_value(TupleValue {
                tuple,
                index,
                range,
                is_null,
            });
            index += 1;
            i = skip_ws(stmt, end);
            match stmt.get(i) {
                Some(b',') => i += 1,
                Some(b')') => {
                    i += 1;
                    break;
                }
                _ => return,
            }
        }
        tuple += 1;
        i = skip_ws(stmt, i);
        if stmt.get(i) == Some(&b',') {
            i += 1;
        } else {
            return;
        }
    }
}

/// Splits a `COPY` text-format row on tabs; `\N` is NULL.
pub fn copy_fields(row: &[u8]) -> impl Iterator<Item = (Range<usize>, bool)> + '_ {
    let mut start = 0;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let end = memchr::memchr(b'\t', &row[start..]).map_or(row.len(), |p| start + p);
        let r = start..end;
        done = end == row.len();
        start = end + 1;
        let is_null = &row[r.clone()] == b"\\N";
        Some((r, is_null))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(sql: &str, backslash: bool) -> Vec<(usize, usize, String, bool)> {
        let h = insert_header(sql.as_bytes(), 0).expect("insert");
        let mut out = Vec::new();
        for_each_value(sql.as_bytes(), h.values_at, backslash, |v| {
            out.push((v.tuple, v.index, sql[v.range].to_string(), v.is_null))
        });
        out
    }

    #[test]
    fn headers() {
        let h = insert_header(
            b"INSERT INTO `patient_data` (`fname`, `ss`) VALUES (1,2)",
            0,
        )
        .unwrap();
        assert_eq!(h.table, "patient_data");
        assert_eq!(h.columns.unwrap(), ["fname", "ss"]);
        let h = insert_header(b"INSERT INTO [dbo].[Invoice Line] VALUES (1)", 0).unwrap();
        assert_eq!((h.table.as_str(), h.columns), ("dbo.Invoice Line", None));
        assert!(insert_header(b"INSERT INTO t SELECT * FROM u", 0).is_none());
        let c = copy_header(b"COPY public.customer (customer_id, email) FROM stdin", 0).unwrap();
        assert_eq!(
            (c.table.as_str(), c.columns.unwrap().len()),
            ("public.customer", 2)
        );
    }

    #[test]
    fn tuples_with_escapes_functions_and_nulls() {
        let v = values(
            "INSERT INTO t VALUES (1,'O\\'Brien','a,b)'),(2,NULL,now()), (3, N'x''y', _binary 'z')",
            true,
        );
        assert_eq!(
            v,
            [
                (0, 0, "1".into(), false),
                (0, 1, "O\\'Brien".into(), false),
                (0, 2, "a,b)".into(), false),
                (1, 0, "2".into(), false),
                (1, 1, "NULL".into(), true),
                (1, 2, "now()".into(), false),
                (2, 0, "3".into(), false),
                (2, 1, "x''y".into(), false),
                (2, 2, "_binary 'z'".into(), false),
            ]
        );
    }

    #[test]
    fn copy_rows() {
        let row = b"1\tMARY\t\\N\tmary@x.org";
        let f: Vec<(String, bool)> = copy_fields(row)
            .map(|(r, n)| (String::from_utf8_lossy(&row[r]).into_owned(), n))
            .collect();
        assert_eq!(
            f,
            [
                ("1".into(), false),
                ("MARY".into(), false),
                ("\\N".into(), true),
                ("mary@x.org".into(), false)
            ]
        );
    }
}
