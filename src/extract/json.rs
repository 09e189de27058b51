//! JSON documents and JSON Lines (NDJSON), streamed.
//!
//! A small tolerant tokenizer reads the input through a buffer and keeps only the
//! stack of open objects and arrays: every string and number is scanned with its path
//! (`$.customer.ssn`, arrays as `[*]`) as the field and the key as context. `record` is
//! the document number in JSON Lines, else the index in the outermost array. Nesting
//! deeper than `MAX_DEPTH` stops the file with a limit error.

use super::{FieldScanner, FindingBuilder, FindingSink, Place};
use crate::finding::Scope;
use crate::source::decompress::LimitExceeded;
use std::io::{self, BufRead};

/// Deepest nesting followed.
pub const MAX_DEPTH: usize = 1024;
/// Longest string held at once (longer ones are scanned in windows); longest number.
const MAX_SCALAR: usize = 1 << 20;

enum Frame {
    Object {
        key: Option<String>,
        expect_key: bool,
    },
    Array {
        index: u64,
    },
}

struct Tokenizer<'a, 'b> {
    builder: &'a FindingBuilder<'b>,
    fields: FieldScanner,
    stack: Vec<Frame>,
    /// Top-level documents completed (JSON Lines records).
    documents: u64,
    line: u64,
    column: u64,
    /// The scalar being read: bytes, start line/column, whether a string.
    scalar: Option<(Vec<u8>, u64, u64, bool)>,
    in_string: bool,
    escape: bool,
    /// JSON Lines: `record` is the document number.
    json_lines: bool,
    /// In a string longer than `MAX_SCALAR`, scanned in windows: matches starting
    /// before this offset of the kept bytes were reported by the previous window.
    fresh_from: usize,
}

/// A long string is scanned in windows: matches starting in the last `OVERLAP` bytes
/// of a window are left to the next one (which holds them whole), and `CONTEXT` bytes
/// before that are kept so the next window's first match has its left context.
const OVERLAP: usize = 2048;
const CONTEXT: usize = 256;

/// Passes on findings whose column is in `min..max` (the part of a window that is
/// reported by that window).
struct Between<'a> {
    inner: &'a mut dyn FindingSink,
    min: u64,
    max: u64,
}

impl FindingSink for Between<'_> {
    fn finding(&mut self, f: crate::finding::Finding) {
        if (self.min..self.max).contains(&f.location.column) {
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
        // Counts have no position to filter by: scans through a filter build.
        debug_assert!(false, "a count-only finding reached a position filter");
    }

    fn sample(&mut self, _at: &std::sync::Arc<super::CountOnly>, _evidence: String) {
        debug_assert!(false, "a count-only finding reached a position filter");
    }
}

impl Tokenizer<'_, '_> {
    fn path(&self) -> String {
        let mut p = String::from("$");
        for f in &self.stack {
            match f {
                Frame::Object { key: Some(k), .. } => {
                    p.push('.');
                    p.push_str(k);
                }
                Frame::Object { key: None, .. } => {}
                Frame::Array { .. } => p.push_str("[*]"),
            }
        }
        p
    }

    fn record(&self) -> Option<u64> {
        if self.json_lines || self.stack.is_empty() {
            return Some(self.documents + 1);
        }
        self.stack.iter().find_map(|f| match f {
            Frame::Array { index } => Some(index + 1),
            _ => None,
        })
    }

    /// Scans the bytes of a long string so far and keeps only their tail, so a string
    /// of any length is scanned whole in bounded memory.
    fn scalar_window(&mut self, out: &mut dyn FindingSink) {
        let path = self.path();
        let record = self.record();
        let Some((bytes, line, column, _)) = self.scalar.as_mut() else {
            return;
        };
        let (line, start_column) = (*line, *column);
        let place_at = |offset: usize| Place {
            scope: Scope::Structured,
            line,
            column: start_column + offset as u64,
            table: None,
            field: Some(path.clone()),
            record,
        };
        let mut window = Between {
            inner: out,
            min: start_column + self.fresh_from as u64,
            max: start_column + (bytes.len() - OVERLAP) as u64,
        };
        // Windows filter findings by position, which counts do not carry: built.
        self.fields.scan(
            &self.builder.building_only(),
            bytes,
            Some(&path),
            None,
            &place_at,
            &mut window,
        );
        let drop = bytes.len() - OVERLAP - CONTEXT;
        bytes.drain(..drop);
        *column += drop as u64;
        self.fresh_from = CONTEXT;
    }

    /// A complete scalar: a key, or a value to scan.
    fn scalar_done(&mut self, out: &mut dyn FindingSink) {
        let fresh_from = std::mem::take(&mut self.fresh_from);
        let Some((bytes, line, column, is_string)) = self.scalar.take() else {
            return;
        };
        if let Some(Frame::Object { key, expect_key }) = self.stack.last_mut() {
            if *expect_key && is_string {
                *key = Some(String::from_utf8_lossy(&bytes).into_owned());
                *expect_key = false;
                return;
            }
        }
        if !is_string && matches!(bytes.as_slice(), b"true" | b"false" | b"null") {
            return;
        }
        let path = self.path();
        let record = self.record();
        let place_at = |offset: usize| Place {
            scope: Scope::Structured,
            line,
            column: column + offset as u64,
            table: None,
            field: Some(path.clone()),
            record,
        };
        if fresh_from == 0 {
            // The whole scalar at once (the usual case): nothing to filter.
            self.fields
                .scan(self.builder, &bytes, Some(&path), None, &place_at, out);
        } else {
            // The end of a long string scanned in windows: what the last window
            // reported is left out, so findings are built (counts carry no position).
            let mut rest = Between {
                inner: out,
                min: column + fresh_from as u64,
                max: u64::MAX,
            };
            self.fields.scan(
                &self.builder.building_only(),
                &bytes,
                Some(&path),
                None,
                &place_at,
                &mut rest,
            );
        }
        if self.stack.is_empty() {
            self.documents += 1;
        }
    }

    fn value_done(&mut self) {
        if self.stack.is_empty() {
            self.documents += 1;
        }
    }

    fn byte(&mut self, b: u8, out: &mut dyn FindingSink) -> io::Result<()> {
        if self.in_string {
            if self.escape {
                self.escape = false;
            } else if b == b'\\' {
                self.escape = true;
            } else if b == b'"' {
                self.in_string = false;
                self.scalar_done(out);
                return Ok(());
            }
            let full = match &mut self.scalar {
                Some((buf, ..)) => {
                    buf.push(b);
                    buf.len() >= MAX_SCALAR
                }
                None => false,
            };
            if full {
                self.scalar_window(out);
            }
            return Ok(());
        }
        let scalar_byte = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'.');
        if self.scalar.is_some() && !scalar_byte {
            self.scalar_done(out);
        }
        match b {
            b'"' => {
                self.in_string = true;
                self.scalar = Some((Vec::new(), self.line, self.column + 1, true));
            }
            b'{' | b'[' => {
                if self.stack.len() >= MAX_DEPTH {
                    return Err(io::Error::other(LimitExceeded(format!(
                        "JSON nested deeper than {MAX_DEPTH} levels at line {}; the rest of the file was not scanned",
                        self.line
                    ))));
                }
                self.stack.push(if b == b'{' {
                    Frame::Object {
                        key: None,
                        expect_key: true,
                    }
                } else {
                    Frame::Array { index: 0 }
                });
            }
            b'}' | b']' => {
                self.stack.pop();
                self.value_done();
            }
            b',' => match self.stack.last_mut() {
                Some(Frame::Object { key, expect_key }) => {
                    *key = None;
                    *expect_key = true;
                }
                Some(Frame::Array { index }) => *index += 1,
                None => {}
            },
            b':' => {
                if let Some(Frame::Object { expect_key, .. }) = self.stack.last_mut() {
                    *expect_key = false;
                }
            }
            _ if scalar_byte => match &mut self.scalar {
                Some((buf, ..)) => {
                    if buf.len() < MAX_SCALAR {
                        buf.push(b);
                    }
                }
                None => self.scalar = Some((vec![b], self.line, self.column, false)),
            },
            _ => {}
        }
        Ok(())
    }
}

/// Scans a JSON or JSON Lines input. Returns the bytes read.
/// `json_lines`: the input is JSON Lines (by its name), so `record` counts documents.
pub fn scan(
    reader: impl BufRead,
    json_lines: bool,
    builder: &FindingBuilder<'_>,
    out: &mut dyn FindingSink,
) -> (u64, io::Result<()>) {
    let mut t = Tokenizer {
        builder,
        fields: FieldScanner::default(),
        stack: Vec::new(),
        documents: 0,
        line: 1,
        column: 0,
        scalar: None,
        in_string: false,
        escape: false,
        json_lines,
        fresh_from: 0,
    };
    let (total, result) = super::for_each_byte(reader, |b, line, column| {
        t.line = line;
        t.column = column;
        if b == b'\n' {
            if t.in_string {
                // Not valid JSON; end the string so one bad quote cannot swallow the file.
                t.in_string = false;
            }
            t.scalar_done(out);
            return Ok(());
        }
        t.byte(b, out)
    });
    if result.is_err() {
        return (total, result);
    }
    t.scalar_done(out);
    (total, Ok(()))
}

/// True for `.ndjson` / `.jsonl` names.
pub fn is_json_lines(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".ndjson") || lower.ends_with(".jsonl")
}

#[cfg(test)]
mod window_tests {
    use super::*;
    use crate::engine::Engine;
    use crate::extract::FindingPolicy;
    use crate::finding::{Confidence, Finding};
    use crate::redact::Fingerprinter;
    use crate::rules::RuleSet;

    /// A string of several MiB: every planted SSN is found once, at its own column,
    /// including those straddling window edges.
    #[test]
    fn a_long_string_is_scanned_whole_in_windows() {
        let engine = Engine::new(&RuleSet::builtin().unwrap()).unwrap();
        let fingerprinter = Fingerprinter::new([1; 32]);
        let builder = FindingBuilder {
            count_only: None,
            engine: &engine,
            path: "big.json".into(),
            source: None,
            policy: FindingPolicy {
                min_confidence: Confidence::Medium,
                show_values: false,
                fingerprinter: &fingerprinter,
            },
        };
        let mut doc = String::from("{\"notes\": \"");
        let mut planted = Vec::new();
        let mut i = 0u64;
        while doc.len() < 3 * MAX_SCALAR + 5000 {
            // Vary the gap so plants fall on every position relative to window edges.
            doc.push_str(&"x ".repeat(500 + (i as usize * 7919) % 3000));
            planted.push(doc.len() as u64 + 1);
            doc.push_str("ssn 536-22-8119 ");
            i += 1;
        }
        doc.push_str("\"}\n");
        let mut out: Vec<Finding> = Vec::new();
        let (_, r) = scan(io::Cursor::new(doc.as_bytes()), false, &builder, &mut out);
        r.unwrap();
        let columns: Vec<u64> = out
            .iter()
            .filter(|f| &*f.rule_id == "us-ssn")
            .map(|f| f.location.column - 4)
            .collect();
        assert_eq!(columns, planted);
    }
}
