//! XML configuration files and exports, streamed.
//!
//! A small reader, not a DOM: it keeps the stack of open elements and scans each text
//! node and attribute value with its element path as the field
//! (`customers.customer.ssn`, attributes as `customer.@ssn`). DOCTYPE declarations are
//! skipped, never expanded (no entity bombs, no external entities).

use super::{FieldScanner, FindingBuilder, FindingSink, Place};
use crate::finding::Scope;
use crate::source::decompress::LimitExceeded;
use std::io::{self, BufRead};

/// Deepest nesting followed.
pub const MAX_DEPTH: usize = 1024;
/// Longest text or attribute value kept for scanning.
const MAX_SCALAR: usize = 1 << 20;

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Text,
    /// After `<`, deciding what follows.
    Open,
    StartName,
    EndName,
    InTag,
    AttrName,
    /// After `=`, before the opening quote.
    AttrEq,
    AttrValue(u8),
    /// `<!--`, `<![CDATA[`, `<!DOCTYPE`, `<?`: skipped until the terminator.
    Skip(&'static [u8]),
    CData,
}

struct Reader<'a, 'b> {
    builder: &'a FindingBuilder<'b>,
    fields: FieldScanner,
    stack: Vec<String>,
    state: State,
    name: Vec<u8>,
    attr: Vec<u8>,
    /// Text or attribute value being read, with its start line and column.
    value: Vec<u8>,
    start: (u64, u64),
    /// Recent bytes, to find multi-byte terminators (`-->`, `]]>`, `?>`).
    tail: Vec<u8>,
    self_closing: bool,
    line: u64,
    column: u64,
    /// Line of the first attribute value longer than `MAX_SCALAR` (scanned in its
    /// first MiB only; text nodes are windowed instead).
    truncated: Option<u64>,
    /// In a text node longer than `MAX_SCALAR`, scanned in windows: matches before
    /// this offset of `value` were reported by the previous window.
    fresh_from: usize,
}

/// A long text node is scanned in windows: matches starting in the last `OVERLAP`
/// bytes are left to the next window, and `CONTEXT` bytes before them are kept.
const OVERLAP: usize = 2048;
const CONTEXT: usize = 256;

/// Passes on findings positioned in `min..max` (line, column).
struct Between<'a> {
    inner: &'a mut dyn FindingSink,
    min: (u64, u64),
    max: (u64, u64),
}

impl FindingSink for Between<'_> {
    fn finding(&mut self, f: crate::finding::Finding) {
        let at = (f.location.line, f.location.column);
        if self.min <= at && at < self.max {
            self.inner.finding(f);
        }
    }

    fn counted(
        &mut self,
        _at: &std::sync::Arc<super::CountOnly>,
        _rule: usize,
        _confidence: crate::finding::Confidence,
        _n: u64,
    ) {
        // Counts have no position to filter by; this builder never hands them out.
        debug_assert!(false, "a count-only finding reached a position filter");
    }

    fn sample(&mut self, _at: &std::sync::Arc<super::CountOnly>, _evidence: String) {
        debug_assert!(false, "a count-only finding reached a position filter");
    }
}

impl Reader<'_, '_> {
    fn path(&self, extra: Option<&str>) -> String {
        let mut p = self.stack.join(".");
        if let Some(e) = extra {
            if !p.is_empty() {
                p.push('.');
            }
            p.push_str(e);
        }
        p
    }

    /// Line and column of byte `offset` of the value.
    fn position(&self, offset: usize) -> (u64, u64) {
        let before = &self.value[..offset.min(self.value.len())];
        let nl = before.iter().filter(|b| **b == b'\n').count() as u64;
        match before.iter().rposition(|b| *b == b'\n') {
            Some(p) => (self.start.0 + nl, (offset - p) as u64),
            None => (self.start.0, self.start.1 + offset as u64),
        }
    }

    /// Scans a long text node so far (reporting what the previous window did not) and
    /// keeps only its tail, so a text node of any length is scanned whole.
    fn text_window(&mut self, out: &mut dyn FindingSink) {
        let min = self.position(self.fresh_from);
        let max = self.position(self.value.len() - OVERLAP);
        let path = self.path(None);
        let value = std::mem::take(&mut self.value);
        let start = self.start;
        let place_at = |offset: usize| {
            let before = &value[..offset];
            let nl = before.iter().filter(|b| **b == b'\n').count() as u64;
            let column = match before.iter().rposition(|b| *b == b'\n') {
                Some(p) => (offset - p) as u64,
                None => start.1 + offset as u64,
            };
            Place {
                scope: Scope::ConfigKey,
                line: start.0 + nl,
                column,
                table: None,
                field: Some(path.clone()),
                record: None,
            }
        };
        let mut window = Between {
            inner: out,
            min,
            max,
        };
        self.fields.scan(
            self.builder,
            &value,
            Some(&path),
            None,
            &place_at,
            &mut window,
        );
        self.value = value;
        let drop = self.value.len() - OVERLAP - CONTEXT;
        self.start = self.position(drop);
        self.value.drain(..drop);
        self.fresh_from = CONTEXT;
    }

    fn emit(&mut self, path: String, out: &mut dyn FindingSink) {
        // After windows of a long text node, only what they did not report.
        let fresh_from = std::mem::take(&mut self.fresh_from);
        let min = self.position(fresh_from);
        let mut rest = Between {
            inner: out,
            min,
            max: (u64::MAX, u64::MAX),
        };
        let out: &mut dyn FindingSink = &mut rest;
        let value = std::mem::take(&mut self.value);
        let start = value
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(value.len());
        if start == value.len() {
            return;
        }
        // The start position is that of the first byte; skip leading blanks for it.
        let lead = &value[..start];
        let nl = lead.iter().filter(|b| **b == b'\n').count() as u64;
        let base_col = match lead.iter().rposition(|b| *b == b'\n') {
            Some(p) => (start - p) as u64,
            None => self.start.1 + start as u64,
        };
        let base_line = self.start.0 + nl;
        let trimmed = &value[start..];
        let place_at = |offset: usize| {
            let before = &trimmed[..offset];
            let more = before.iter().filter(|b| **b == b'\n').count() as u64;
            let column = match before.iter().rposition(|b| *b == b'\n') {
                Some(p) => (offset - p) as u64,
                None => base_col + offset as u64,
            };
            Place {
                scope: Scope::ConfigKey,
                line: base_line + more,
                column,
                table: None,
                field: Some(path.clone()),
                record: None,
            }
        };
        self.fields
            .scan(self.builder, trimmed, Some(&path), None, &place_at, out);
    }

    fn push_value(&mut self, b: u8, out: &mut dyn FindingSink) {
        if self.value.len() < MAX_SCALAR {
            self.value.push(b);
        } else if matches!(self.state, State::Text | State::CData) {
            self.value.push(b);
            self.text_window(out);
        } else if self.truncated.is_none() {
            self.truncated = Some(self.start.0);
        }
    }

    fn byte(&mut self, b: u8, out: &mut dyn FindingSink) -> io::Result<()> {
        match self.state.clone() {
            State::Text => {
                if b == b'<' {
                    let path = self.path(None);
                    self.emit(path, out);
                    self.state = State::Open;
                } else {
                    if self.value.is_empty() {
                        self.start = (self.line, self.column);
                    }
                    self.push_value(b, out);
                }
            }
            State::Open => {
                self.name.clear();
                self.tail.clear();
                self.state = match b {
                    b'/' => State::EndName,
                    b'?' => State::Skip(b"?>"),
                    b'!' => {
                        self.tail.push(b);
                        State::Skip(b"")
                    }
                    _ => {
                        self.name.push(b);
                        State::StartName
                    }
                };
            }
            State::Skip([]) => {
                // Decide between comment, CDATA and DOCTYPE from the first bytes.
                self.tail.push(b);
                if self.tail == b"!--" {
                    self.state = State::Skip(b"-->");
                    self.tail.clear();
                } else if self.tail == b"![CDATA[" {
                    self.state = State::CData;
                    self.tail.clear();
                } else if !b"![CDATA[".starts_with(&self.tail) && !b"!--".starts_with(&self.tail) {
                    self.state = State::Skip(b">");
                    self.tail.clear();
                }
            }
            State::Skip(term) => {
                self.tail.push(b);
                if self.tail.ends_with(term) {
                    self.tail.clear();
                    self.state = State::Text;
                } else if self.tail.len() > 16 {
                    self.tail.drain(..8);
                }
            }
            State::CData => {
                if self.value.is_empty() && self.tail.is_empty() {
                    self.start = (self.line, self.column);
                }
                self.tail.push(b);
                self.push_value(b, out);
                if self.tail.ends_with(b"]]>") {
                    self.value.truncate(self.value.len().saturating_sub(3));
                    self.tail.clear();
                    self.state = State::Text;
                } else if self.tail.len() > 16 {
                    self.tail.drain(..8);
                }
            }
            State::StartName => {
                if b.is_ascii_whitespace() || b == b'>' || b == b'/' {
                    if self.stack.len() >= MAX_DEPTH {
                        return Err(io::Error::other(LimitExceeded(format!(
                            "XML nested deeper than {MAX_DEPTH} levels at line {}; the rest of the file was not scanned",
                            self.line
                        ))));
                    }
                    self.stack.push(local_name(&self.name));
                    self.self_closing = false;
                    self.state = State::InTag;
                    return self.byte(b, out);
                }
                self.name.push(b);
            }
            State::EndName => {
                if b == b'>' {
                    let name = local_name(&self.name);
                    if let Some(pos) = self.stack.iter().rposition(|n| *n == name) {
                        self.stack.truncate(pos);
                    }
                    self.state = State::Text;
                } else if !b.is_ascii_whitespace() {
                    self.name.push(b);
                }
            }
            State::InTag => match b {
                b'>' => {
                    if self.self_closing {
                        self.stack.pop();
                    }
                    self.state = State::Text;
                }
                b'/' => self.self_closing = true,
                _ if b.is_ascii_whitespace() => {}
                _ => {
                    self.self_closing = false;
                    self.attr.clear();
                    self.attr.push(b);
                    self.state = State::AttrName;
                }
            },
            State::AttrName => match b {
                b'=' => self.state = State::AttrEq,
                b'>' | b'/' => {
                    self.state = State::InTag;
                    return self.byte(b, out);
                }
                _ if b.is_ascii_whitespace() => {}
                _ => self.attr.push(b),
            },
            State::AttrEq => {
                if b == b'"' || b == b'\'' {
                    self.value.clear();
                    self.start = (self.line, self.column + 1);
                    self.state = State::AttrValue(b);
                }
            }
            State::AttrValue(q) => {
                if b == q {
                    let path = self.path(Some(&format!("@{}", local_name(&self.attr))));
                    self.emit(path, out);
                    self.state = State::InTag;
                } else {
                    self.push_value(b, out);
                }
            }
        }
        Ok(())
    }
}

/// An element or attribute name without its namespace prefix (`ns:ssn` → `ssn`).
fn local_name(raw: &[u8]) -> String {
    let s = String::from_utf8_lossy(raw);
    s.rsplit(':').next().unwrap_or(&s).to_string()
}

/// Scans an XML input. Returns the bytes read.
pub fn scan(
    reader: impl BufRead,
    builder: &FindingBuilder<'_>,
    out: &mut dyn FindingSink,
) -> (u64, io::Result<()>) {
    let mut r = Reader {
        builder,
        fields: FieldScanner::default(),
        stack: Vec::new(),
        state: State::Text,
        name: Vec::new(),
        attr: Vec::new(),
        value: Vec::new(),
        start: (1, 1),
        tail: Vec::new(),
        self_closing: false,
        line: 1,
        column: 0,
        truncated: None,
        fresh_from: 0,
    };
    let (n, result) = super::for_each_byte(reader, |b, line, column| {
        r.line = line;
        r.column = column;
        r.byte(b, out)
    });
    // Never a silent partial scan: a value cut at the limit makes the input incomplete.
    match (result, r.truncated) {
        (Ok(()), Some(line)) => (
            n,
            Err(io::Error::other(LimitExceeded(format!(
                "an XML attribute value over {} MiB at line {line} was scanned in its first MiB only (the file was read to its end)",
                MAX_SCALAR >> 20
            )))),
        ),
        (result, _) => (n, result),
    }
}

#[cfg(test)]
mod window_tests {
    use super::*;
    use crate::engine::Engine;
    use crate::extract::FindingPolicy;
    use crate::finding::{Confidence, Finding};
    use crate::redact::Fingerprinter;
    use crate::rules::RuleSet;

    /// A multi-line text node of several MiB: every planted SSN is found once, at its
    /// own line and column, including those straddling window edges.
    #[test]
    fn a_long_text_node_is_scanned_whole_in_windows() {
        let engine = Engine::new(&RuleSet::builtin().unwrap()).unwrap();
        let fingerprinter = Fingerprinter::new([1; 32]);
        let builder = FindingBuilder {
            count_only: None,
            engine: &engine,
            path: "big.xml".into(),
            source: None,
            policy: FindingPolicy {
                min_confidence: Confidence::Medium,
                show_values: false,
                fingerprinter: &fingerprinter,
            },
        };
        let mut doc = String::from("<root>\n<notes>");
        let mut planted = Vec::new();
        let mut i = 0u64;
        while doc.len() < 3 * MAX_SCALAR + 5000 {
            doc.push_str(&"x ".repeat(500 + (i as usize * 7919) % 3000));
            if i % 3 == 0 {
                doc.push('\n');
            }
            let line = doc.matches('\n').count() as u64 + 1;
            let column = (doc.len() - doc.rfind('\n').unwrap()) as u64;
            planted.push((line, column + 4));
            doc.push_str("ssn 536-22-8119 ");
            i += 1;
        }
        doc.push_str("</notes>\n</root>\n");
        let mut out: Vec<Finding> = Vec::new();
        let (_, r) = scan(io::Cursor::new(doc.as_bytes()), &builder, &mut out);
        r.unwrap();
        let found: Vec<(u64, u64)> = out
            .iter()
            .filter(|f| &*f.rule_id == "us-ssn")
            .map(|f| (f.location.line, f.location.column))
            .collect();
        assert_eq!(found.len(), planted.len());
        assert_eq!(found, planted);
    }
}
