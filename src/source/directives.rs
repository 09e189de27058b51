//! Inline suppressions: `piiscan:ignore [RULE_ID...] [reason...]` in any comment syntax
//! (`--`, `#`, `//`, `/* */`, `;`, `<!-- -->`). A directive applies to its own line, and
//! also to the next line when the comment stands alone on its line. Without rule ids it
//! applies to every rule.
//!
//! A tap on the (decompressed) input stream finds them as the extractor reads, so every
//! format gets them without knowing about them; findings are only emitted for lines the
//! extractor has read, so a directive is always seen before the findings it covers.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::{self, Read};
use std::rc::Rc;

const MARKER: &[u8] = b"piiscan:ignore";
/// Longest line prefix kept to look for a directive.
const MAX_LINE: usize = 4096;

/// One directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub line: u64,
    /// The comment is alone on its line: it also covers the next line.
    pub standalone: bool,
    /// Rule ids it covers; empty means all.
    pub rules: Vec<String>,
}

/// Directives found so far, by line.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Directives {
    by_line: BTreeMap<u64, Vec<Directive>>,
}

impl Directives {
    /// True when a directive covers `rule` at `line`.
    pub fn covers(&self, line: u64, rule: &str) -> bool {
        let applies = |d: &Directive| d.rules.is_empty() || d.rules.iter().any(|r| r == rule);
        let same = self
            .by_line
            .get(&line)
            .is_some_and(|ds| ds.iter().any(applies));
        let above = line > 1
            && self
                .by_line
                .get(&(line - 1))
                .is_some_and(|ds| ds.iter().any(|d| d.standalone && applies(d)));
        same || above
    }

    pub fn is_empty(&self) -> bool {
        self.by_line.is_empty()
    }
}

/// Parses the directive in `line` (which contains the marker at `at`).
pub fn parse(line: &[u8], at: usize, line_no: u64, rule_ids: &[String]) -> Directive {
    let before = String::from_utf8_lossy(&line[..at]);
    let mut before = before.trim_end();
    for opener in ["<!--", "--", "//", "/*", "#", ";"] {
        if let Some(b) = before.strip_suffix(opener) {
            before = b.trim_end();
            break;
        }
    }
    let after = String::from_utf8_lossy(&line[at + MARKER.len()..]);
    let rules = after
        .split_whitespace()
        .map(|t| t.trim_end_matches([',', '*', '/', '>', '-']))
        .take_while(|t| rule_ids.iter().any(|r| r == t))
        .map(str::to_string)
        .collect();
    Directive {
        line: line_no,
        standalone: before.trim().is_empty(),
        rules,
    }
}

/// Reads through to `inner`, recording directives into `found`.
pub struct DirectiveTap<R> {
    inner: R,
    line_no: u64,
    line: Vec<u8>,
    found: Rc<RefCell<Directives>>,
    rule_ids: Rc<Vec<String>>,
    /// Called as each directive is found (before the bytes after it are read on).
    on_found: Option<Box<dyn Fn()>>,
}

impl<R: Read> DirectiveTap<R> {
    pub fn new(inner: R, found: Rc<RefCell<Directives>>, rule_ids: Rc<Vec<String>>) -> Self {
        DirectiveTap {
            inner,
            line_no: 1,
            line: Vec::new(),
            found,
            rule_ids,
            on_found: None,
        }
    }

    /// Calls `f` as each directive is found.
    pub fn on_found(mut self, f: Box<dyn Fn()>) -> Self {
        self.on_found = Some(f);
        self
    }

    fn end_line(&mut self) {
        if let Some(at) = FINDER.find(&self.line) {
            let d = parse(&self.line, at, self.line_no, &self.rule_ids);
            self.found
                .borrow_mut()
                .by_line
                .entry(self.line_no)
                .or_default()
                .push(d);
            if let Some(f) = &self.on_found {
                f();
            }
        }
        self.line.clear();
        self.line_no += 1;
    }
}

static FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(MARKER));

impl<R: Read> DirectiveTap<R> {
    /// The usual case, a chunk without the marker (none in it, none across its start):
    /// lines are counted, not copied. False when the chunk needs the line-by-line path.
    fn skim(&mut self, data: &[u8]) -> bool {
        if FINDER.find(data).is_some() {
            return false;
        }
        if !self.line.is_empty() {
            let k = MARKER.len() - 1;
            let mut seam = self.line[self.line.len().saturating_sub(k)..].to_vec();
            seam.extend_from_slice(&data[..data.len().min(k)]);
            if FINDER.find(&seam).is_some() {
                return false;
            }
        }
        let (Some(first), Some(last)) = (memchr::memchr(b'\n', data), memchr::memrchr(b'\n', data))
        else {
            self.push_capped(data);
            return true;
        };
        // The line in progress ends here (it may hold a marker from an earlier chunk).
        self.push_capped(&data[..first]);
        self.end_line();
        self.line_no += memchr::memchr_iter(b'\n', &data[first + 1..=last]).count() as u64;
        self.push_capped(&data[last + 1..]);
        true
    }

    fn push_capped(&mut self, bytes: &[u8]) {
        let room = MAX_LINE.saturating_sub(self.line.len());
        self.line.extend_from_slice(&bytes[..bytes.len().min(room)]);
    }
}

impl<R: Read> Read for DirectiveTap<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n > 0 && self.skim(&buf[..n]) {
            return Ok(n);
        }
        let mut rest = &buf[..n];
        loop {
            let (segment, newline) = match memchr::memchr(b'\n', rest) {
                Some(p) => (&rest[..p], Some(p)),
                None => (rest, None),
            };
            let room = MAX_LINE.saturating_sub(self.line.len());
            self.line
                .extend_from_slice(&segment[..segment.len().min(room)]);
            match newline {
                Some(p) => {
                    self.end_line();
                    rest = &rest[p + 1..];
                }
                None => break,
            }
        }
        if n == 0 && !self.line.is_empty() {
            self.end_line();
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out the input in chunks of the given sizes, in turn.
    struct Chunked<'a> {
        data: &'a [u8],
        sizes: &'a [usize],
        turn: usize,
    }

    impl Read for Chunked<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let want = self.sizes[self.turn % self.sizes.len()].min(buf.len());
            self.turn += 1;
            let n = want.min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    fn tap_all(text: &[u8], sizes: &[usize]) -> Directives {
        let found = Rc::new(RefCell::new(Directives::default()));
        let ids: Vec<String> = vec!["us-ssn".into(), "email".into()];
        let reader = Chunked {
            data: text,
            sizes,
            turn: 0,
        };
        let mut tap = DirectiveTap::new(reader, found.clone(), Rc::new(ids));
        let mut buf = vec![0u8; 64 << 10];
        while tap.read(&mut buf).unwrap() > 0 {}
        drop(tap);
        Rc::try_unwrap(found).unwrap().into_inner()
    }

    #[test]
    fn any_chunking_finds_the_same_directives() {
        let mut text = String::new();
        for i in 0..300 {
            match i % 7 {
                0 => text.push_str("-- piiscan:ignore us-ssn fixture\n"),
                3 => text.push_str("ssn 536-22-8119 # piiscan:ignore email\n"),
                5 => text.push('\n'),
                _ => text.push_str(&"x".repeat(i % 23)),
            }
            text.push('\n');
        }
        let whole = tap_all(text.as_bytes(), &[usize::MAX]);
        assert!(whole.covers(2, "us-ssn"));
        for sizes in [
            &[1][..],
            &[2, 3],
            &[13],
            &[14, 1],
            &[5, 40, 7],
            &[100],
            &[4096],
        ] {
            assert_eq!(tap_all(text.as_bytes(), sizes), whole, "chunks {sizes:?}");
        }
    }

    #[test]
    fn directives_in_comment_syntaxes() {
        let ids: Vec<String> = vec!["us-ssn".into(), "email".into()];
        let text = "a\n-- piiscan:ignore us-ssn test fixture\nssn 536-22-8119\nx = 1 # piiscan:ignore\n/* piiscan:ignore email */\n<!-- piiscan:ignore email, us-ssn -->\n";
        let found = Rc::new(RefCell::new(Directives::default()));
        let mut tap = DirectiveTap::new(text.as_bytes(), found.clone(), Rc::new(ids));
        std::io::copy(&mut tap, &mut std::io::sink()).unwrap();
        let d = found.borrow();
        assert!(
            d.covers(3, "us-ssn") && !d.covers(3, "email"),
            "standalone covers the next line"
        );
        assert!(
            d.covers(4, "email") && d.covers(4, "us-ssn"),
            "same line, all rules"
        );
        assert!(
            d.covers(5, "email") && !d.covers(5, "us-ssn"),
            "x = 1 # … is not standalone"
        );
        assert!(d.covers(6, "email") && d.covers(6, "us-ssn"));
        assert!(
            d.covers(7, "us-ssn") && d.covers(7, "email"),
            "the rule list may be comma-separated"
        );
        assert!(!d.covers(1, "us-ssn"));
    }
}
