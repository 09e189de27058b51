//! Configuration files: YAML, TOML, INI, Java `.properties` and `.env`.
//!
//! Small line-oriented readers rather than full parsers: positions matter more than
//! types here, and a reader that never evaluates anything cannot be attacked through
//! anchors, tags or includes. Each scalar value is scanned with its key path as the
//! field (`production.admin.ssn`, `users[*].ssn`) and the key as context.

use super::{FieldScanner, FindingBuilder, FindingSink, Place};
use crate::finding::Scope;
use std::io::{self, BufRead, Read};
use std::ops::Range;

/// The dialect of a config file, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Yaml,
    /// `key = value` with `[section]` headers: INI, TOML.
    Ini,
    /// `key=value` or `key: value`, `export KEY=value`: `.env`, `.properties`.
    Flat,
}

pub fn flavor(name: &str) -> Flavor {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".yml")
        || lower.ends_with(".yaml")
        || lower.contains(".yml.")
        || lower.contains(".yaml.")
    {
        Flavor::Yaml
    } else if lower.ends_with(".ini")
        || lower.ends_with(".toml")
        || lower.ends_with(".cfg")
        || lower.ends_with(".conf")
    {
        Flavor::Ini
    } else {
        Flavor::Flat
    }
}

/// One scalar: key path, the value's byte range in its line, and the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scalar {
    pub path: String,
    pub range: Range<usize>,
}

fn trim_range(line: &[u8], mut r: Range<usize>) -> Range<usize> {
    while r.start < r.end && line[r.start].is_ascii_whitespace() {
        r.start += 1;
    }
    while r.end > r.start && line[r.end - 1].is_ascii_whitespace() {
        r.end -= 1;
    }
    r
}

/// Strips one pair of matching quotes.
fn unquote(line: &[u8], r: Range<usize>) -> Range<usize> {
    let r = trim_range(line, r);
    if r.end - r.start >= 2
        && matches!(line[r.start], b'"' | b'\'')
        && line[r.end - 1] == line[r.start]
    {
        r.start + 1..r.end - 1
    } else {
        r
    }
}

/// Cuts a trailing ` # comment` (outside quotes).
fn strip_comment(line: &[u8], r: Range<usize>, marks: &[u8]) -> Range<usize> {
    let mut quote: Option<u8> = None;
    for i in r.clone() {
        let b = line[i];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if marks.contains(&b) && (i == r.start || line[i - 1].is_ascii_whitespace()) => {
                return r.start..i;
            }
            None => {}
        }
    }
    r
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else if key.starts_with('[') {
        format!("{prefix}{key}")
    } else {
        format!("{prefix}.{key}")
    }
}

/// Parses a YAML flow collection (`[{name: a, ssn: "1"}]`) starting at `at`,
/// pushing its scalars. Returns the position after it.
fn flow(line: &[u8], at: usize, path: &str, out: &mut Vec<Scalar>) -> usize {
    let close = if line[at] == b'[' { b']' } else { b'}' };
    let is_seq = close == b']';
    let mut i = at + 1;
    loop {
        while i < line.len() && matches!(line[i], b' ' | b'\t' | b',') {
            i += 1;
        }
        if i >= line.len() || line[i] == close {
            return i + 1;
        }
        let (item_path, start) = if is_seq {
            (format!("{path}[*]"), i)
        } else {
            // key: value
            let key_end = line[i..]
                .iter()
                .position(|b| matches!(b, b':' | b',' | b'}'))
                .map_or(line.len(), |p| i + p);
            let key = String::from_utf8_lossy(&line[unquote(line, i..key_end)]).into_owned();
            let mut v = key_end + 1;
            while v < line.len() && line[v] == b' ' {
                v += 1;
            }
            (join(path, &key), v.min(line.len()))
        };
        if start < line.len() && matches!(line[start], b'[' | b'{') {
            i = flow(line, start, &item_path, out);
            continue;
        }
        // A scalar up to `,` or the closing bracket (outside quotes).
        let mut j = start;
        let mut quote: Option<u8> = None;
        while j < line.len() {
            let b = line[j];
            match quote {
                Some(q) if b == q => quote = None,
                Some(_) => {}
                None if b == b'"' || b == b'\'' => quote = Some(b),
                None if b == b',' || b == close => break,
                None => {}
            }
            j += 1;
        }
        let r = unquote(line, start..j);
        if r.start < r.end {
            out.push(Scalar {
                path: item_path,
                range: r,
            });
        }
        i = j;
    }
}

/// YAML reader state: the key path at each indentation level.
#[derive(Default)]
pub struct YamlState {
    /// (indent, path) of the open mappings/sequences.
    stack: Vec<(usize, String)>,
    /// Inside a `|` or `>` block scalar: its indent and path.
    block: Option<(usize, String)>,
}

impl YamlState {
    fn parent(&mut self, indent: usize) -> String {
        while self.stack.last().is_some_and(|(i, _)| *i >= indent) {
            self.stack.pop();
        }
        self.stack
            .last()
            .map(|(_, p)| p.clone())
            .unwrap_or_default()
    }

    /// Scalars on one line (without its newline).
    pub fn line(&mut self, line: &[u8], out: &mut Vec<Scalar>) {
        let indent = line.iter().take_while(|b| **b == b' ').count();
        let body = trim_range(line, indent..line.len());
        if let Some((block_indent, path)) = &self.block {
            if body.is_empty() || indent > *block_indent {
                if !body.is_empty() {
                    out.push(Scalar {
                        path: path.clone(),
                        range: body,
                    });
                }
                return;
            }
            self.block = None;
        }
        if body.is_empty()
            || line[body.start] == b'#'
            || line[body.clone()].starts_with(b"---")
            || line[body.clone()].starts_with(b"...")
        {
            return;
        }
        let mut prefix = self.parent(indent);
        let mut pos = body.start;
        let mut level = indent;
        // `- ` items: each dash opens a sequence element.
        while line.get(pos) == Some(&b'-') && matches!(line.get(pos + 1), Some(b' ') | None) {
            prefix = format!("{prefix}[*]");
            self.stack.push((level, prefix.clone()));
            pos += 2;
            while line.get(pos) == Some(&b' ') {
                pos += 1;
            }
            level = pos;
        }
        let rest = strip_comment(line, pos..body.end, b"#");
        if rest.start >= rest.end {
            return;
        }
        if matches!(line[rest.start], b'[' | b'{') {
            flow(line, rest.start, &prefix, out);
            return;
        }
        // `key: value` or `key:` (a colon followed by a space or the line end, outside quotes)
        let colon = {
            let mut quote: Option<u8> = None;
            let mut found = None;
            for i in rest.clone() {
                let b = line[i];
                match quote {
                    Some(q) if b == q => quote = None,
                    Some(_) => {}
                    None if (b == b'"' || b == b'\'') && i == rest.start => quote = Some(b),
                    None if b == b':' && (i + 1 == rest.end || line[i + 1] == b' ') => {
                        found = Some(i);
                        break;
                    }
                    None => {}
                }
            }
            found
        };
        match colon {
            Some(c) => {
                let key = String::from_utf8_lossy(&line[unquote(line, rest.start..c)]).into_owned();
                let path = join(&prefix, &key);
                let mut value = trim_range(line, c + 1..rest.end);
                // `key: &anchor` opens a mapping like `key:`; `key: &anchor value` is a scalar.
                if line.get(value.start) == Some(&b'&') {
                    let anchor_end = line[value.start..value.end]
                        .iter()
                        .position(|b| *b == b' ')
                        .map_or(value.end, |p| value.start + p);
                    value = trim_range(line, anchor_end..value.end);
                }
                if key == "<<" {
                    return; // merge key: `<<: *base`
                }
                if value.start >= value.end {
                    self.stack.push((level, path));
                } else if matches!(line[value.start], b'[' | b'{') {
                    flow(line, value.start, &path, out);
                } else if matches!(line[value.start], b'|' | b'>') {
                    self.block = Some((level, path));
                } else if line[value.start] != b'*' {
                    out.push(Scalar {
                        path,
                        range: unquote(line, value),
                    });
                }
            }
            None => out.push(Scalar {
                path: prefix,
                range: unquote(line, rest),
            }),
        }
    }
}

/// INI/TOML/.env/.properties: `[section]` headers and `key = value` / `key: value` lines.
pub fn flat_line(line: &[u8], section: &mut String, flavor: Flavor, out: &mut Vec<Scalar>) {
    let body = trim_range(line, 0..line.len());
    if body.is_empty() || matches!(line[body.start], b'#' | b';' | b'!') {
        return;
    }
    if flavor == Flavor::Ini && line[body.start] == b'[' {
        let inner = &line[body.clone()];
        let name = String::from_utf8_lossy(inner)
            .trim()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .trim()
            .to_string();
        *section = if inner.starts_with(b"[[") {
            format!("{name}[*]")
        } else {
            name
        };
        return;
    }
    let mut start = body.start;
    if line[start..].starts_with(b"export ") {
        start += 7;
    }
    let sep = line[start..body.end]
        .iter()
        .position(|b| *b == b'=' || (flavor == Flavor::Flat && *b == b':'))
        .map(|p| start + p);
    let Some(sep) = sep else { return };
    let key = String::from_utf8_lossy(&line[unquote(line, start..sep)]).into_owned();
    if key.is_empty() || key.contains(' ') && flavor != Flavor::Ini {
        return;
    }
    let path = join(section, &key);
    let value = strip_comment(
        line,
        sep + 1..body.end,
        if flavor == Flavor::Flat { b"#" } else { b"#;" },
    );
    let value = trim_range(line, value);
    if value.start < value.end && matches!(line[value.start], b'[' | b'{') && flavor == Flavor::Ini
    {
        flow(line, value.start, &path, out);
        return;
    }
    let r = unquote(line, value);
    if r.start < r.end {
        out.push(Scalar { path, range: r });
    }
}

/// Values that stand for a secret rather than being one (`${DB_PASSWORD}`, `<%= … %>`).
fn is_placeholder(v: &[u8]) -> bool {
    v.starts_with(b"${")
        || v.starts_with(b"{{")
        || v.starts_with(b"<%")
        || v.starts_with(b"%(")
        || v.starts_with(b"ENV[")
        || v.starts_with(b"$(")
}

/// Longest config line held whole.
pub const MAX_LINE: usize = 16 << 20;

/// Scans a config file. Returns the bytes read, and the number of a line longer than
/// `MAX_LINE` if one was met: it and the rest of the file are then scanned as text in
/// windows (bounded memory; keys are not named there).
pub fn scan(
    mut reader: impl BufRead,
    flavor: Flavor,
    builder: &FindingBuilder<'_>,
    out: &mut dyn FindingSink,
) -> (u64, io::Result<()>, Option<u64>) {
    let mut fields = FieldScanner::default();
    let mut yaml = YamlState::default();
    let mut section = String::new();
    let mut buf = Vec::new();
    let mut scalars = Vec::new();
    let mut line_no = 0u64;
    let mut total = 0u64;
    loop {
        buf.clear();
        match super::read_line_bounded(&mut reader, &mut buf, MAX_LINE) {
            Ok(0) => return (total, Ok(()), None),
            Ok(n) if n == MAX_LINE && !buf.ends_with(b"\n") => {
                total += n as u64;
                let long = line_no + 1;
                let pending = buf.len() as u64;
                let rest = io::Cursor::new(std::mem::take(&mut buf)).chain(reader);
                let (read, r) = super::text::scan_stream_from(
                    rest,
                    builder,
                    super::text::DEFAULT_CHUNK,
                    long,
                    out,
                );
                return (total + read.saturating_sub(pending), r, Some(long));
            }
            Ok(n) => total += n as u64,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return (total, Err(e), None),
        }
        line_no += 1;
        let line = buf.strip_suffix(b"\n").unwrap_or(&buf);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        scalars.clear();
        match flavor {
            Flavor::Yaml => yaml.line(line, &mut scalars),
            _ => flat_line(line, &mut section, flavor, &mut scalars),
        }
        for s in &scalars {
            let value = &line[s.range.clone()];
            if is_placeholder(value) {
                continue;
            }
            let place_at = |offset: usize| Place {
                scope: Scope::ConfigKey,
                line: line_no,
                column: (s.range.start + offset) as u64 + 1,
                table: None,
                field: Some(s.path.clone()),
                record: None,
            };
            fields.scan(builder, value, Some(&s.path), None, &place_at, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Vec<(u64, String, String)> {
        let mut st = YamlState::default();
        let mut out = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let mut s = Vec::new();
            st.line(line.as_bytes(), &mut s);
            for x in s {
                out.push((i as u64 + 1, x.path, line[x.range].to_string()));
            }
        }
        out
    }

    #[test]
    fn yaml_paths() {
        let text = "base: &base\n  tz: UTC\nproduction:\n  <<: *base\n  admin:\n    ssn: \"536228119\"   # fixture\n    name: Ana\nusers:\n  - name: Bo\n    ssn: '402713356'\n  - {name: Cy, ssn: \"148097731\"}\ninline: [{name: Di, ssn: \"287654321\"}]\nnotes: |\n  call 212-867-5309\nafter: x\n";
        assert_eq!(
            yaml(text),
            [
                (2, "base.tz".into(), "UTC".into()),
                (6, "production.admin.ssn".into(), "536228119".into()),
                (7, "production.admin.name".into(), "Ana".into()),
                (9, "users[*].name".into(), "Bo".into()),
                (10, "users[*].ssn".into(), "402713356".into()),
                (11, "users[*].name".into(), "Cy".into()),
                (11, "users[*].ssn".into(), "148097731".into()),
                (12, "inline[*].name".into(), "Di".into()),
                (12, "inline[*].ssn".into(), "287654321".into()),
                (14, "notes".into(), "call 212-867-5309".into()),
                (15, "after".into(), "x".into()),
            ]
        );
    }

    #[test]
    fn flat_and_ini() {
        let mut section = String::new();
        let mut out = Vec::new();
        for line in [
            "export ADMIN_SSN=\"536-22-8119\"",
            "# c",
            "db.password: hunter2",
        ] {
            flat_line(line.as_bytes(), &mut section, Flavor::Flat, &mut out);
        }
        let paths: Vec<&str> = out.iter().map(|s| s.path.as_str()).collect();
        assert_eq!(paths, ["ADMIN_SSN", "db.password"]);
        let mut out = Vec::new();
        let mut section = String::new();
        for line in [
            "[production.admin]",
            "ssn = \"536-22-8119\" ; note",
            "[[users]]",
            "email = 'a@b.co'",
        ] {
            flat_line(line.as_bytes(), &mut section, Flavor::Ini, &mut out);
        }
        let got: Vec<(&str, &str)> = out.iter().map(|s| (s.path.as_str(), "")).collect();
        assert_eq!(
            got.iter().map(|g| g.0).collect::<Vec<_>>(),
            ["production.admin.ssn", "users[*].email"]
        );
    }
}
