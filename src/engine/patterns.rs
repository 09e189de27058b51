//! Compiling rule patterns: byte-oriented, ASCII classes, one multi-pattern regex.
//!
//! Patterns run over raw bytes (invalid UTF-8 never stops a scan) with Unicode
//! disabled, so `\b`, `\w` and `(?i)` are ASCII-only and every pattern compiles to a
//! DFA-friendly automaton. Patterns must not match across lines.

use super::prefilter::{Found, GiveUp, Search, SkipCache, Skipper};
use regex_automata::{Input, MatchKind, meta, util::iter::Searcher, util::syntax};
use std::ops::Range;

pub(super) fn syntax_config() -> syntax::Config {
    syntax::Config::new().unicode(false).utf8(false)
}

pub(super) fn builder(kind: MatchKind) -> meta::Builder {
    let mut b = meta::Regex::builder();
    b.syntax(syntax_config())
        .configure(meta::Config::new().match_kind(kind).utf8_empty(false));
    b
}

/// Checks one pattern compiles under piiscan's syntax, and cannot match empty text.
pub fn check(pattern: &str) -> Result<(), String> {
    let re = build_one(pattern)?;
    if re.is_match(&b""[..]) {
        return Err("pattern matches the empty string".into());
    }
    Ok(())
}

/// True when every byte a match of `pattern` can hold is an ASCII letter or digit
/// (`\b[0-9]{9}\b`): such a match is never delimited, so a rule that reports only
/// delimited values on their own (`NeedsContext::Undelimited`) needs context for it.
pub fn alnum_only(pattern: &str) -> bool {
    use regex_syntax::hir::{Class, Hir, HirKind};
    fn walk(h: &Hir) -> bool {
        let alnum = |lo: u32, hi: u32| {
            [('0', '9'), ('A', 'Z'), ('a', 'z')]
                .iter()
                .any(|&(a, b)| lo >= a as u32 && hi <= b as u32)
        };
        match h.kind() {
            HirKind::Empty | HirKind::Look(_) => true,
            HirKind::Literal(l) => l.0.iter().all(u8::is_ascii_alphanumeric),
            HirKind::Class(Class::Bytes(c)) => c
                .iter()
                .all(|r| alnum(u32::from(r.start()), u32::from(r.end()))),
            HirKind::Class(Class::Unicode(c)) => {
                c.iter().all(|r| alnum(r.start() as u32, r.end() as u32))
            }
            HirKind::Repetition(r) => walk(&r.sub),
            HirKind::Capture(c) => walk(&c.sub),
            HirKind::Concat(hs) | HirKind::Alternation(hs) => hs.iter().all(walk),
        }
    }
    parse(pattern).is_some_and(|h| walk(&h))
}

/// A pattern's syntax tree under piiscan's syntax (bytes, ASCII classes); `None` when
/// it does not parse (`check` reports why).
pub(super) fn parse(pattern: &str) -> Option<regex_syntax::hir::Hir> {
    regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)
        .ok()
}

/// Compiles one pattern; the error is the regex parser's message.
pub fn build_one(pattern: &str) -> Result<meta::Regex, String> {
    builder(MatchKind::LeftmostFirst)
        .build(pattern)
        .map_err(|e| e.to_string())
}

/// The multi-pattern regexes of a rule set.
pub struct PatternSet {
    /// Leftmost-first over all patterns, in `finder_order`: finds candidate starts in
    /// one pass.
    pub finder: meta::Regex,
    /// Finder pattern id → pattern index (the order of `all` and `singles`).
    pub finder_order: Vec<usize>,
    /// All-matches semantics: which other patterns also match at a candidate start.
    pub all: meta::Regex,
    /// One regex per pattern, to find that pattern's end at a given start.
    pub singles: Vec<meta::Regex>,
    /// Finds the finder's matches without walking every byte, when the patterns allow.
    skipper: Option<Skipper>,
}

/// Search caches for one thread's searches with a [`PatternSet`].
pub struct Caches {
    pub finder: meta::Cache,
    pub all: meta::Cache,
    pub singles: Vec<meta::Cache>,
    skip: Option<SkipCache>,
}

impl PatternSet {
    pub fn caches(&self) -> Caches {
        Caches {
            finder: self.finder.create_cache(),
            all: self.all.create_cache(),
            singles: self.singles.iter().map(meta::Regex::create_cache).collect(),
            skip: self.skipper.as_ref().map(Skipper::cache),
        }
    }

    /// `finder_order` lists every pattern index once: the finder prefers earlier
    /// entries when several patterns match at the same start.
    pub fn build(patterns: &[&str], finder_order: Vec<usize>) -> Result<PatternSet, String> {
        let many = |kind, list: &[&str]| builder(kind).build_many(list).map_err(|e| e.to_string());
        let ordered: Vec<&str> = finder_order.iter().map(|&i| patterns[i]).collect();
        Ok(PatternSet {
            finder: many(MatchKind::LeftmostFirst, &ordered)?,
            all: many(MatchKind::All, patterns)?,
            singles: patterns
                .iter()
                .map(|p| build_one(p))
                .collect::<Result<_, _>>()?,
            skipper: Skipper::new(&ordered),
            finder_order,
        })
    }

    /// The finder's matches that start in `starts`, in order (bytes around are
    /// context): through the skipper when there is one.
    pub fn finds<'h>(&self, hay: &'h [u8], starts: Range<usize>) -> Finds<'h> {
        let input = Input::new(hay).range(starts.start..hay.len());
        Finds {
            limit: starts.end,
            how: match &self.skipper {
                Some(s) => How::Skip(s.search(starts), hay),
                None => How::Finder(Searcher::new(input)),
            },
        }
    }

    /// The next of `finds`: (finder pattern id, span).
    pub fn next_find(&self, caches: &mut Caches, finds: &mut Finds<'_>) -> Option<Found> {
        if let How::Skip(search, hay) = &mut finds.how {
            let skipper = self.skipper.as_ref().expect("a skip search has a skipper");
            let cache = caches.skip.as_mut().expect("a skipper has caches");
            match skipper.next(cache, hay, search) {
                Ok(found) => return found,
                Err(GiveUp(pos)) => {
                    finds.how = How::Finder(Searcher::new(Input::new(*hay).range(pos..hay.len())));
                }
            }
        }
        let How::Finder(searcher) = &mut finds.how else {
            unreachable!("the skip search returned above")
        };
        let m = searcher.advance(|input| Ok(self.finder.search_with(&mut caches.finder, input)))?;
        (m.start() < finds.limit).then(|| Found {
            pattern: m.pattern().as_usize(),
            start: m.start(),
            end: m.end(),
        })
    }
}

/// A search for the finder's matches in one haystack (`PatternSet::finds`).
pub struct Finds<'h> {
    limit: usize,
    how: How<'h>,
}

enum How<'h> {
    Skip(Search, &'h [u8]),
    Finder(Searcher<'h>),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alnum_only_patterns() {
        assert!(alnum_only(r"\b[0-9]{9}\b"));
        assert!(alnum_only(r"\b9[0-9]{8}\b"));
        assert!(alnum_only(r"\b[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}\b"));
        assert!(!alnum_only(r"\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b"));
        assert!(!alnum_only(r"\b[0-9]{3} [0-9]{2} [0-9]{4}\b"));
        assert!(!alnum_only(r"(\+1)?[0-9]{10}"));
        assert!(!alnum_only(r"\w+"), "\\w holds `_`");
        assert!(!alnum_only(r"[0-9]+|x-y"));
    }
}
