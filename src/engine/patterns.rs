//! Compiling rule patterns: byte-oriented, ASCII classes, one multi-pattern regex.
//!
//! Patterns run over raw bytes (invalid UTF-8 never stops a scan) with Unicode
//! disabled, so `\b`, `\w` and `(?i)` are ASCII-only and every pattern compiles to a
//! DFA-friendly automaton. Patterns must not match across lines.

use super::prefilter::{self, Found, GiveUp, Search, SkipCache, Skipper};
use regex_automata::{
    Anchored, Input, MatchKind,
    dfa::{Automaton, StartKind, dense},
    meta,
    nfa::thompson::{self, pikevm},
    util::iter::Searcher,
    util::{primitives::StateID, start, syntax},
};
use std::ops::Range;
use std::sync::OnceLock;

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
/// A Thompson NFA and a PikeVM only: a full regex (reverse automata, literal
/// prefilters) for each of a rule pack's patterns would double the start-up time.
pub fn check(pattern: &str) -> Result<(), String> {
    let nfa = thompson::Compiler::new()
        .syntax(syntax_config())
        .configure(
            thompson::Config::new()
                .utf8(false)
                .nfa_size_limit(Some(NFA_SIZE_LIMIT)),
        )
        .build(pattern)
        .map_err(|e| e.to_string())?;
    let vm = pikevm::PikeVM::new_from_nfa(nfa).map_err(|e| e.to_string())?;
    if vm.is_match(&mut vm.create_cache(), Input::new(&b""[..])) {
        return Err("pattern matches the empty string".into());
    }
    Ok(())
}

/// The NFA size limit of `meta::Regex` (its default), so that `check` accepts what
/// the engine then compiles.
const NFA_SIZE_LIMIT: usize = 10 << 20;

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

/// True when the only assertions of `pattern` are word boundaries (`\b`, `\B` and
/// their one-sided forms), which look only at whether the neighbouring bytes are word
/// bytes: the pattern then matches a value alike alone and between non-word bytes.
pub fn word_looks_only(pattern: &str) -> bool {
    use regex_syntax::hir::{Hir, HirKind, Look};
    fn walk(h: &Hir) -> bool {
        match h.kind() {
            HirKind::Look(look) => matches!(
                look,
                Look::WordAscii
                    | Look::WordAsciiNegate
                    | Look::WordStartAscii
                    | Look::WordEndAscii
                    | Look::WordStartHalfAscii
                    | Look::WordEndHalfAscii
            ),
            HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) => true,
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
    pub finder: Finder,
    /// The same over the first `free_len` patterns of `finder_order` only (those that
    /// report without context): for a haystack where no context can be found, the
    /// others' matches would all be dropped. Built on first use (field values only);
    /// `None` inside when it cannot be, and the whole finder is used instead.
    free: OnceLock<Option<Finder>>,
    free_len: usize,
    /// Finder pattern id → pattern index (the order of `all` and `singles`).
    pub finder_order: Vec<usize>,
    /// All-matches semantics: which other patterns also match at a candidate start.
    pub all: meta::Regex,
    /// The same question answered by a walk of a DFA compiled ahead of time, for a
    /// thread that asks it often (see [`PatternSet::which_at`]); built on first use.
    overlaps: OnceLock<Option<Overlaps>>,
    /// By byte: bit `p` when pattern `p` can start with it (empty for more than 64
    /// patterns). A candidate whose first byte starts no other pattern than the
    /// finder's (a phone number's `(`, an e-mail address's first letter) needs no
    /// overlapping search.
    starters: Vec<u64>,
    /// One regex per pattern, to find that pattern's end at a given start; built on
    /// first use, since most patterns never share a start with another.
    singles: Vec<OnceLock<meta::Regex>>,
    /// The same as anchored DFAs compiled ahead of time (when small), walked a table
    /// look-up a byte instead of a regex search's set-up and lazy DFA.
    single_dfas: Vec<OnceLock<Option<SingleDfa>>>,
    patterns: Vec<String>,
}

/// An anchored DFA of one pattern and its start states by the byte before a start.
type SingleDfa = (dense::DFA<Vec<u32>>, Vec<StateID>);

/// The largest one-pattern DFA compiled for `single_end`; past it, the regex.
const SINGLE_DFA_LIMIT: usize = 1 << 20;

/// A leftmost-first regex over several patterns, and a way to find its matches
/// without walking every byte when the patterns allow.
pub struct Finder {
    pub regex: meta::Regex,
    skipper: Option<Skipper>,
}

impl Finder {
    fn build(patterns: &[&str]) -> Result<Finder, String> {
        Ok(Finder {
            regex: builder(MatchKind::LeftmostFirst)
                .build_many(patterns)
                .map_err(|e| e.to_string())?,
            skipper: Skipper::new(patterns),
        })
    }

    fn caches(&self) -> FinderCaches {
        FinderCaches {
            regex: self.regex.create_cache(),
            skip: self.skipper.as_ref().map(Skipper::cache),
        }
    }
}

struct FinderCaches {
    regex: meta::Cache,
    skip: Option<SkipCache>,
}

/// Search caches for one thread's searches with a [`PatternSet`] (those of the
/// regexes built on first use, likewise).
pub struct Caches {
    finder: FinderCaches,
    free: Option<FinderCaches>,
    all: meta::Cache,
    set: regex_automata::PatternSet,
    /// Questions `which_at` asked `all` (up to `OVERLAPS_AFTER`).
    asked: u32,
    singles: Vec<Option<meta::Cache>>,
}

impl PatternSet {
    pub fn caches(&self) -> Caches {
        Caches {
            finder: self.finder.caches(),
            free: None,
            all: self.all.create_cache(),
            set: regex_automata::PatternSet::new(self.all.pattern_len()),
            asked: 0,
            singles: self.singles.iter().map(|_| None).collect(),
        }
    }

    /// The regex of pattern `pid` alone.
    pub fn single(&self, pid: usize) -> &meta::Regex {
        self.singles[pid].get_or_init(|| {
            build_one(&self.patterns[pid]).expect("a pattern of a compiled set compiles alone")
        })
    }

    /// The end of pattern `pid`'s match at the start of `anchored` (an anchored input
    /// running to the end of its haystack).
    pub fn single_end(
        &self,
        caches: &mut Caches,
        pid: usize,
        anchored: &Input<'_>,
    ) -> Option<usize> {
        let dfa = self.single_dfas[pid].get_or_init(|| {
            anchored_dfa(
                &[&self.patterns[pid]],
                MatchKind::LeftmostFirst,
                SINGLE_DFA_LIMIT,
            )
        });
        debug_assert_eq!(anchored.end(), anchored.haystack().len());
        if let Some((dfa, start)) = dfa {
            let mut walked = 0;
            return prefilter::walk(
                dfa,
                start,
                anchored.haystack(),
                anchored.start(),
                &mut walked,
            )
            .map(|(_, end)| end);
        }
        let re = self.single(pid);
        let cache = caches.singles[pid].get_or_insert_with(|| re.create_cache());
        re.search_with(cache, anchored).map(|m| m.end())
    }

    /// The finder over the free patterns, when there are some and others.
    fn free(&self) -> Option<&Finder> {
        if self.free_len == 0 || self.free_len == self.finder_order.len() {
            return None;
        }
        self.free
            .get_or_init(|| {
                let ordered: Vec<&str> = self.finder_order[..self.free_len]
                    .iter()
                    .map(|&i| self.patterns[i].as_str())
                    .collect();
                Finder::build(&ordered).ok()
            })
            .as_ref()
    }

    /// `finder_order` lists every pattern index once: the finder prefers earlier
    /// entries when several patterns match at the same start. Its first `free_len`
    /// patterns report without context (see `finds`).
    pub fn build(
        patterns: &[&str],
        finder_order: Vec<usize>,
        free_len: usize,
    ) -> Result<PatternSet, String> {
        let ordered: Vec<&str> = finder_order.iter().map(|&i| patterns[i]).collect();
        Ok(PatternSet {
            finder: Finder::build(&ordered)?,
            free: OnceLock::new(),
            free_len,
            all: builder(MatchKind::All)
                .build_many(patterns)
                .map_err(|e| e.to_string())?,
            overlaps: OnceLock::new(),
            starters: starters(patterns),
            singles: patterns.iter().map(|_| OnceLock::new()).collect(),
            single_dfas: patterns.iter().map(|_| OnceLock::new()).collect(),
            patterns: patterns.iter().map(|p| p.to_string()).collect(),
            finder_order,
        })
    }

    /// The patterns that match at `start` (anchored there, `hay[..start]` as look-
    /// behind, running to the end of `hay`), in increasing order, into `out`: what
    /// `all`'s overlapping search finds. A thread's first `OVERLAPS_AFTER` questions
    /// go to `all` (a lazy DFA, nothing to build); after that, to [`Overlaps`], whose
    /// walk is a table look-up a byte and whose answer is a bit mask, for the price
    /// of compiling it once (about 15 ms for the default rules).
    pub fn which_at(&self, caches: &mut Caches, hay: &[u8], start: usize, out: &mut Vec<usize>) {
        out.clear();
        if caches.asked < OVERLAPS_AFTER {
            caches.asked += 1;
        } else if let Some(overlaps) = self.overlaps()
            && let Some(mut mask) = overlaps.which_at(hay, start)
        {
            while mask != 0 {
                out.push(mask.trailing_zeros() as usize);
                mask &= mask - 1;
            }
            return;
        }
        let anchored = Input::new(hay)
            .range(start..hay.len())
            .anchored(Anchored::Yes);
        caches.set.clear();
        self.all
            .which_overlapping_matches_with(&mut caches.all, &anchored, &mut caches.set);
        out.extend(caches.set.iter().map(|p| p.as_usize()));
    }

    /// The patterns other than `first` that match at `start` (as
    /// [`which_at`](Self::which_at)), where `first` does.
    pub fn others_at(
        &self,
        caches: &mut Caches,
        hay: &[u8],
        start: usize,
        first: usize,
        out: &mut Vec<usize>,
    ) {
        let others = self
            .starters
            .get(usize::from(hay[start]))
            .map(|&can| can & !(1u64 << (first % 64)));
        if first < 64 && others == Some(0) {
            out.clear();
            return;
        }
        self.which_at(caches, hay, start, out);
        out.retain(|&p| p != first);
    }

    /// The overlap DFA, when it could be built.
    fn overlaps(&self) -> Option<&Overlaps> {
        self.overlaps
            .get_or_init(|| {
                let patterns: Vec<&str> = self.patterns.iter().map(String::as_str).collect();
                Overlaps::build(&patterns)
            })
            .as_ref()
    }

    /// The finder's matches that start in `starts`, in order (bytes around are
    /// context): through the skipper when there is one. `free_only`: only the
    /// matches of the first `free_len` patterns, as if the finder held only those.
    pub fn finds<'h>(&self, hay: &'h [u8], starts: Range<usize>, free_only: bool) -> Finds<'h> {
        let finder = match free_only {
            false => &self.finder,
            true if self.free_len == 0 => {
                return Finds {
                    limit: starts.end,
                    free: true,
                    how: How::Empty,
                };
            }
            true => self.free().unwrap_or(&self.finder),
        };
        Finds {
            limit: starts.end,
            free: !std::ptr::eq(finder, &self.finder),
            how: match &finder.skipper {
                Some(s) => How::Skip(s.search(starts), hay),
                None => How::Finder(Searcher::new(Input::new(hay).range(starts.start..))),
            },
        }
    }

    /// Continues `finds` with the matches that start at or after `pos`, which may lie
    /// inside the last match: when nothing is reported there, a value that starts
    /// inside it (`0001 123-45-6789`, read first as one spaced number) is looked for.
    pub fn resume_at(&self, finds: &mut Finds<'_>, pos: usize) {
        match &mut finds.how {
            How::Skip(search, _) => search.rewind(pos),
            How::Finder(searcher) => {
                let hay = searcher.input().haystack();
                *searcher = Searcher::new(Input::new(hay).range(pos..));
            }
            How::Empty => {}
        }
    }

    /// Whether the free finder (`finds(.., true)`) has any match in `hay`: one
    /// search that stops at the first, not a walk from each candidate start (cheaper
    /// over a short haystack dense with candidates, such as a numeric record).
    pub fn free_matches_any(&self, caches: &mut Caches, hay: &[u8]) -> bool {
        if self.free_len == 0 {
            return false;
        }
        let finder = self.free().unwrap_or(&self.finder);
        if std::ptr::eq(finder, &self.finder) {
            return finder
                .regex
                .search_with(&mut caches.finder.regex, &Input::new(hay).earliest(true))
                .is_some();
        }
        let cache = caches.free.get_or_insert_with(|| finder.caches());
        finder
            .regex
            .search_with(&mut cache.regex, &Input::new(hay).earliest(true))
            .is_some()
    }

    /// True when `hay` is digits and separators only, in runs that hold no match of
    /// the free finder whatever their digits (see [`DigitRuns`](super::prefilter::DigitRuns)): then
    /// `free_matches_any` is false, and `hay` holds no letter. False says nothing.
    pub fn free_digits_are_quiet(&self, hay: &[u8]) -> bool {
        let finder = self.free().unwrap_or(&self.finder);
        finder
            .skipper
            .as_ref()
            .and_then(Skipper::digit_runs)
            .is_some_and(|runs| runs.quiet(hay))
    }

    /// The next of `finds`: (finder pattern id, span).
    pub fn next_find(&self, caches: &mut Caches, finds: &mut Finds<'_>) -> Option<Found> {
        let (finder, cache) = if finds.free {
            let finder = self.free().expect("a free search has a finder");
            (finder, caches.free.get_or_insert_with(|| finder.caches()))
        } else {
            (&self.finder, &mut caches.finder)
        };
        match &mut finds.how {
            How::Empty => return None,
            How::Skip(search, hay) => {
                let skipper = finder
                    .skipper
                    .as_ref()
                    .expect("a skip search has a skipper");
                let skip_cache = cache.skip.as_mut().expect("a skipper has caches");
                match skipper.next(skip_cache, hay, search) {
                    Ok(found) => return found,
                    Err(GiveUp(pos)) => {
                        finds.how = How::Finder(Searcher::new(Input::new(*hay).range(pos..)));
                    }
                }
            }
            How::Finder(_) => {}
        }
        let How::Finder(searcher) = &mut finds.how else {
            unreachable!("the other searches returned above")
        };
        let m = searcher.advance(|input| Ok(finder.regex.search_with(&mut cache.regex, input)))?;
        (m.start() < finds.limit).then(|| Found {
            pattern: m.pattern().as_usize(),
            start: m.start(),
            end: m.end(),
        })
    }
}

/// `PatternSet::starters` for `patterns`.
fn starters(patterns: &[&str]) -> Vec<u64> {
    if patterns.len() > 64 {
        return Vec::new();
    }
    let mut by_byte = vec![0u64; 256];
    for (p, pattern) in patterns.iter().enumerate() {
        let bytes = super::prefilter::start_bytes(pattern);
        for (b, mask) in by_byte.iter_mut().enumerate() {
            if bytes.is_none_or(|bytes| bytes[b]) {
                *mask |= 1 << p;
            }
        }
    }
    by_byte
}

/// An anchored dense DFA over `patterns`, compiled ahead of time so that a walk from
/// a candidate start is a table look-up a byte, and its start state by the byte
/// before a start (the last entry for the text start); `None` past `size_limit`.
pub(super) fn anchored_dfa(
    patterns: &[&str],
    kind: MatchKind,
    size_limit: usize,
) -> Option<(dense::DFA<Vec<u32>>, Vec<StateID>)> {
    let dfa = dense::Builder::new()
        .syntax(syntax_config())
        .thompson(thompson::Config::new().utf8(false))
        .configure(
            dense::Config::new()
                .match_kind(kind)
                .start_kind(StartKind::Anchored)
                .dfa_size_limit(Some(size_limit))
                .determinize_size_limit(Some(size_limit)),
        )
        .build_many(patterns)
        .ok()?;
    let start = (0..=255u8)
        .map(Some)
        .chain([None])
        .map(|before| {
            let config = start::Config::new()
                .anchored(Anchored::Yes)
                .look_behind(before);
            dfa.start_state(&config).ok()
        })
        .collect::<Option<Vec<StateID>>>()?;
    Some((dfa, start))
}

/// Overlapping searches a thread makes with `all` before it builds and uses
/// [`Overlaps`]: a small scan (a field, a test) never pays for compiling it.
const OVERLAPS_AFTER: u32 = 4096;
/// The overlap DFA is built ahead of time; patterns that would make it larger than
/// this keep asking `all`.
const OVERLAPS_SIZE_LIMIT: usize = 16 << 20;

/// An anchored DFA over all patterns with all-matches semantics: walked from a start,
/// its match states name every pattern that matches there, up to 64 patterns.
struct Overlaps {
    dfa: dense::DFA<Vec<u32>>,
    /// Start state by the byte before the start; the last entry for the text start.
    start: Vec<StateID>,
}

impl Overlaps {
    fn build(patterns: &[&str]) -> Option<Overlaps> {
        if patterns.len() > 64 {
            return None;
        }
        let (dfa, start) = anchored_dfa(patterns, MatchKind::All, OVERLAPS_SIZE_LIMIT)?;
        Some(Overlaps { dfa, start })
    }

    /// Bit `p` for each pattern `p` that matches at `at`; `None` when the walk
    /// cannot tell (a quit byte).
    fn which_at(&self, hay: &[u8], at: usize) -> Option<u64> {
        let dfa = &self.dfa;
        let before = at.checked_sub(1).map_or(256, |p| usize::from(hay[p]));
        let mut sid = self.start[before];
        let mut found = 0u64;
        // Match states come one byte late: entering one says a match ended before
        // the byte just read.
        let note = |sid: StateID, found: &mut u64| {
            for i in 0..dfa.match_len(sid) {
                *found |= 1 << dfa.match_pattern(sid, i).as_usize();
            }
        };
        for &b in &hay[at..] {
            sid = dfa.next_state(sid, b);
            if dfa.is_special_state(sid) {
                if dfa.is_match_state(sid) {
                    note(sid, &mut found);
                } else if dfa.is_dead_state(sid) {
                    return Some(found);
                } else if dfa.is_quit_state(sid) {
                    return None;
                }
            }
        }
        sid = dfa.next_eoi_state(sid);
        if dfa.is_match_state(sid) {
            note(sid, &mut found);
        }
        Some(found)
    }
}

/// A search for the finder's matches in one haystack (`PatternSet::finds`).
pub struct Finds<'h> {
    limit: usize,
    /// Through the free finder.
    free: bool,
    how: How<'h>,
}

enum How<'h> {
    /// No pattern to look for.
    Empty,
    Skip(Search, &'h [u8]),
    Finder(Searcher<'h>),
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn default_patterns() -> Vec<String> {
        let set = crate::rules::RuleSet::builtin().expect("built-in rules load");
        set.rules
            .iter()
            .flat_map(|r| r.def.all_patterns())
            .map(str::to_string)
            .collect()
    }

    /// The default patterns' `all` regex and overlap DFA, built once.
    fn overlap_pair() -> &'static (meta::Regex, Overlaps) {
        static PAIR: OnceLock<(meta::Regex, Overlaps)> = OnceLock::new();
        PAIR.get_or_init(|| {
            let patterns = default_patterns();
            let patterns: Vec<&str> = patterns.iter().map(String::as_str).collect();
            let all = builder(MatchKind::All)
                .build_many(&patterns)
                .expect("the default patterns compile");
            let overlaps = Overlaps::build(&patterns).expect("the default overlap DFA builds");
            (all, overlaps)
        })
    }

    /// Pieces that start, end, extend or break the default patterns' matches.
    const PIECES: &[&str] = &[
        "536-22-8119",
        "536 22 8119",
        "536228119",
        "912-70-1234",
        "4111111111111111",
        "4111 1111 1111 1111",
        "DE89370400440532013000",
        "DE89 3704 0044 0532 0130 00",
        "a.b@example.com",
        "@",
        "+1 415-555-0100",
        "(415) 555-0100",
        "4155550100",
        "+44 20 7946 0958",
        "10.1.2.3",
        "2001:db8::1",
        "fe80:",
        "12 Main Street",
        "1985-04-12",
        "07/04/1999",
        "12.04.1985",
        "S1234567",
        "X12345678",
        "78907",
        "78907-1234",
        "416992",
        "1",
        "-",
        " ",
        ".",
        ":",
        "/",
        "_",
        "x",
        "\n",
        "\u{e9}",
    ];

    /// `which_at` answers alike before and after it turns to the overlap DFA.
    #[test]
    fn which_at_answers_alike_through_either_search() {
        let patterns = default_patterns();
        let patterns: Vec<&str> = patterns.iter().map(String::as_str).collect();
        let set = PatternSet::build(&patterns, (0..patterns.len()).collect(), 0)
            .expect("the default patterns compile");
        let hay: String = PIECES.iter().flat_map(|p| [*p, " "]).collect();
        let hay = hay.as_bytes();
        let (mut first, mut later) = (set.caches(), set.caches());
        later.asked = OVERLAPS_AFTER;
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let mut matched = 0;
        for at in 0..hay.len() {
            set.which_at(&mut first, hay, at, &mut a);
            set.which_at(&mut later, hay, at, &mut b);
            assert_eq!(a, b, "at {at}");
            matched += usize::from(!a.is_empty());
        }
        assert!(matched > 20, "{matched} starts with matches");
        assert!(set.overlaps.get().is_some_and(Option::is_some));
        assert_eq!(first.asked, OVERLAPS_AFTER.min(hay.len() as u32));
    }

    fn default_set() -> &'static PatternSet {
        static SET: OnceLock<PatternSet> = OnceLock::new();
        SET.get_or_init(|| {
            let patterns = default_patterns();
            let patterns: Vec<&str> = patterns.iter().map(String::as_str).collect();
            PatternSet::build(&patterns, (0..patterns.len()).collect(), 0)
                .expect("the default patterns compile")
        })
    }

    proptest! {
        /// Where a pattern matches, `others_at` names the other patterns that do,
        /// also when it answers from the first byte alone.
        #[test]
        fn single_ends_are_the_pattern_regex_ends(
            pieces in prop::collection::vec(0..PIECES.len(), 1..10),
        ) {
            let set = default_set();
            let hay: String = pieces.iter().map(|&i| PIECES[i]).collect();
            let hay = hay.as_bytes();
            let mut caches = set.caches();
            for at in 0..hay.len() {
                let anchored = Input::new(hay).range(at..hay.len()).anchored(Anchored::Yes);
                for pid in 0..set.patterns.len() {
                    let want = set.single(pid).search(&anchored).map(|m| m.end());
                    prop_assert_eq!(
                        set.single_end(&mut caches, pid, &anchored),
                        want,
                        "{} at {} of {:?}", pid, at, String::from_utf8_lossy(hay)
                    );
                }
            }
        }

        #[test]
        fn others_at_is_which_at_without_the_first(
            pieces in prop::collection::vec(0..PIECES.len(), 1..10),
        ) {
            let set = default_set();
            let hay: String = pieces.iter().map(|&i| PIECES[i]).collect();
            let hay = hay.as_bytes();
            let mut caches = set.caches();
            let (mut all, mut others) = (Vec::new(), Vec::new());
            for at in 0..hay.len() {
                set.which_at(&mut caches, hay, at, &mut all);
                for &first in &all {
                    prop_assert!(set.starters[usize::from(hay[at])] >> first & 1 == 1);
                    set.others_at(&mut caches, hay, at, first, &mut others);
                    let want: Vec<usize> = all.iter().copied().filter(|&p| p != first).collect();
                    prop_assert_eq!(&others, &want, "{} at {} of {:?}", first, at, String::from_utf8_lossy(hay));
                }
            }
        }

        /// The overlap DFA names the patterns `all`'s overlapping search finds, at
        /// every start of haystacks made of values, their parts and separators.
        #[test]
        fn the_overlap_dfa_finds_what_the_overlapping_search_does(
            pieces in prop::collection::vec(0..PIECES.len(), 1..10),
        ) {
            let (all, overlaps) = overlap_pair();
            let hay: String = pieces.iter().map(|&i| PIECES[i]).collect();
            let hay = hay.as_bytes();
            let mut set = regex_automata::PatternSet::new(all.pattern_len());
            for at in 0..hay.len() {
                set.clear();
                let anchored = Input::new(hay).range(at..).anchored(Anchored::Yes);
                all.which_overlapping_matches(&anchored, &mut set);
                let want = set.iter().fold(0u64, |m, p| m | 1 << p.as_usize());
                prop_assert_eq!(overlaps.which_at(hay, at), Some(want), "at {} of {:?}", at, String::from_utf8_lossy(hay));
            }
        }
    }

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
