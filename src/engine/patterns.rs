//! Compiling rule patterns: byte-oriented, ASCII classes, one multi-pattern regex.
//!
//! Patterns run over raw bytes (invalid UTF-8 never stops a scan) with Unicode
//! disabled, so `\b`, `\w` and `(?i)` are ASCII-only and every pattern compiles to a
//! DFA-friendly automaton. Patterns must not match across lines.

use regex_automata::{MatchKind, meta, util::syntax};

fn syntax_config() -> syntax::Config {
    syntax::Config::new().unicode(false).utf8(false)
}

fn builder(kind: MatchKind) -> meta::Builder {
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
}

impl PatternSet {
    /// `finder_order` lists every pattern index once: the finder prefers earlier
    /// entries when several patterns match at the same start.
    pub fn build(patterns: &[&str], finder_order: Vec<usize>) -> Result<PatternSet, String> {
        let many = |kind, list: &[&str]| builder(kind).build_many(list).map_err(|e| e.to_string());
        let ordered: Vec<&str> = finder_order.iter().map(|&i| patterns[i]).collect();
        Ok(PatternSet {
            finder: many(MatchKind::LeftmostFirst, &ordered)?,
            finder_order,
            all: many(MatchKind::All, patterns)?,
            singles: patterns
                .iter()
                .map(|p| build_one(p))
                .collect::<Result<_, _>>()?,
        })
    }
}
