//! The finder's prefilter: skipping the bytes no match can start at.
//!
//! The finder (one leftmost-first regex over every pattern) walks every byte with a
//! lazy DFA, about 2 ns a byte whatever the input, because the rule set's patterns
//! start with classes (`[0-9]`, `[A-Z]`) that hold no literal to look for. Yet most
//! of them can start only at a word start (`\b[0-9]{9}\b`) or at a few rare bytes
//! (`+`, `(`), and the others hold a rare byte (the `@` of an e-mail address). From
//! each pattern's syntax tree, the [`Skipper`] sorts the patterns into
//!
//! - **start patterns**, whose first byte is never a word byte right after a word
//!   byte: their candidate starts (word starts whose byte can begin a match, and a
//!   few non-word bytes) are found 64 bytes at a time, and an anchored lazy DFA of
//!   those patterns, which usually dies after a byte or two, decides each;
//! - **window patterns**, which can start anywhere but hold a rare byte: a regex of
//!   their own runs only over the run of bytes they can match around each
//!   occurrence of it.
//!
//! The two streams are merged by start, then pattern order, so the matches are
//! exactly the finder's: every match of a start pattern begins at a candidate and
//! every match of a window pattern lies inside a window. A rule set with a pattern of
//! neither kind gets no skipper, and the finder runs alone as before. If candidates
//! ever cost far more bytes of DFA walks than they skip (patterns made to do so), the
//! search falls back to the finder where it stands.

use super::compact::CompactDfa;
use super::{block, patterns};
use regex_automata::{
    Input, MatchKind,
    dfa::{Automaton, dense},
    meta,
    util::primitives::StateID,
};
use regex_syntax::hir::{Class, Hir, HirKind, Look};
use std::ops::Range;

type ByteSet = [bool; 256];

/// Non-word bytes that may start a match, tested 64 bytes at a time (one vector
/// compare each): more than this and the patterns are not start patterns.
const MAX_START_BYTES: usize = 4;
/// Ranges of word bytes that may start a match at a word start, likewise.
const MAX_START_RANGES: usize = 4;
/// Haystack rests this short are classified a byte at a time, not as a block.
const SHORT: usize = 32;
/// `StartFinder::classes` bits.
const WORD_START: u8 = 1;
const OTHER: u8 = 2;
const WORD: u8 = 4;
/// Rare bytes that open windows (found with `memchr3`).
const MAX_RARE: usize = 3;
/// Bytes of anchored DFA walks allowed per byte skipped (plus `WALK_SLACK`) before the
/// search falls back to the finder.
const WALK_PER_BYTE: usize = 8;
const WALK_SLACK: usize = 1 << 16;
/// The start patterns' anchored DFA is built ahead of time; patterns that would make
/// it larger than this get no skipper.
const DFA_SIZE_LIMIT: usize = 8 << 20;
/// The window patterns' anchored DFA likewise (the e-mail pattern's is a few KB).
const WINDOW_DFA_LIMIT: usize = 1 << 20;

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The bytes a pattern can start with, by what the byte before is.
#[derive(Clone)]
struct Starts {
    after_word: ByteSet,
    /// After a non-word byte, or at the start of the text.
    after_other: ByteSet,
}

impl Starts {
    fn new() -> Starts {
        Starts {
            after_word: [false; 256],
            after_other: [false; 256],
        }
    }

    /// `b` can start a match; `boundary`: a `\b` holds just before it.
    fn add(&mut self, b: u8, boundary: bool) {
        if !boundary || !is_word(b) {
            self.after_word[usize::from(b)] = true;
        }
        if !boundary || is_word(b) {
            self.after_other[usize::from(b)] = true;
        }
    }
}

/// Calls `f` with every byte a class holds; a Unicode class's non-ASCII part as every
/// non-ASCII byte.
fn class_bytes(c: &Class, mut f: impl FnMut(u8)) {
    match c {
        Class::Bytes(c) => c
            .iter()
            .for_each(|r| (r.start()..=r.end()).for_each(&mut f)),
        Class::Unicode(c) => {
            for r in c.iter() {
                let (lo, hi) = (u32::from(r.start()), u32::from(r.end()));
                (lo.min(0x80)..=hi.min(0x7f)).for_each(|b| f(b as u8));
                if hi >= 0x80 {
                    (0x80..=0xff).for_each(&mut f);
                }
            }
        }
    }
}

/// Adds the bytes a match of `h` can start with to `out` (`boundary`: a word boundary
/// holds just before); returns whether `h` can match the empty string. Assertions
/// other than word starts are ignored, which only adds starts.
fn first_bytes(h: &Hir, boundary: bool, out: &mut Starts) -> bool {
    match h.kind() {
        HirKind::Empty | HirKind::Look(_) => true,
        HirKind::Literal(l) => match l.0.first() {
            Some(&b) => {
                out.add(b, boundary);
                false
            }
            None => true,
        },
        HirKind::Class(c) => {
            class_bytes(c, |b| out.add(b, boundary));
            false
        }
        HirKind::Repetition(r) => first_bytes(&r.sub, boundary, out) || r.min == 0,
        HirKind::Capture(c) => first_bytes(&c.sub, boundary, out),
        HirKind::Alternation(hs) => hs
            .iter()
            .fold(false, |empty, h| first_bytes(h, boundary, out) | empty),
        HirKind::Concat(hs) => {
            let mut boundary = boundary;
            for h in hs {
                if let HirKind::Look(look) = h.kind() {
                    boundary |= matches!(
                        look,
                        Look::WordAscii | Look::WordStartAscii | Look::WordStartHalfAscii
                    );
                    continue;
                }
                if !first_bytes(h, boundary, out) {
                    return false;
                }
            }
            true
        }
    }
}

/// The bytes a match of `pattern` can start with, whatever precedes it; `None` when
/// that cannot be told (a pattern that can match empty text starts anywhere).
pub fn start_bytes(pattern: &str) -> Option<ByteSet> {
    let hir = patterns::parse(pattern)?;
    let mut starts = Starts::new();
    if first_bytes(&hir, false, &mut starts) {
        return None;
    }
    Some(std::array::from_fn(|b| {
        starts.after_word[b] || starts.after_other[b]
    }))
}

/// Bytes every match of `h` holds.
fn required_bytes(h: &Hir, out: &mut Vec<u8>) {
    match h.kind() {
        HirKind::Literal(l) => out.extend_from_slice(&l.0),
        HirKind::Class(c) => {
            let mut bytes = Vec::new();
            class_bytes(c, |b| bytes.push(b));
            if let [b] = bytes[..] {
                out.push(b);
            }
        }
        HirKind::Repetition(r) if r.min > 0 => required_bytes(&r.sub, out),
        HirKind::Capture(c) => required_bytes(&c.sub, out),
        HirKind::Concat(hs) => hs.iter().for_each(|h| required_bytes(h, out)),
        _ => {}
    }
}

/// True when a match of `pattern` may hold one of `bytes` (also when that cannot be
/// told).
pub fn may_hold(pattern: &str, bytes: &[u8]) -> bool {
    let Some(hir) = patterns::parse(pattern) else {
        return true;
    };
    let mut all = [false; 256];
    all_bytes(&hir, &mut all);
    bytes.iter().any(|&b| all[usize::from(b)])
}

/// Every byte a match of `h` can hold.
fn all_bytes(h: &Hir, out: &mut ByteSet) {
    match h.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(l) => l.0.iter().for_each(|&b| out[usize::from(b)] = true),
        HirKind::Class(c) => class_bytes(c, |b| out[usize::from(b)] = true),
        HirKind::Repetition(r) => all_bytes(&r.sub, out),
        HirKind::Capture(c) => all_bytes(&c.sub, out),
        HirKind::Concat(hs) | HirKind::Alternation(hs) => hs.iter().for_each(|h| all_bytes(h, out)),
    }
}

/// How rare a byte is in text, for choosing a window's anchor: `None` for bytes too
/// common to anchor anything (letters, digits, white space).
fn rarity(b: u8) -> Option<usize> {
    const COMMON: &[u8] = b" .,-_/:;=\"'()[]";
    if b.is_ascii_alphanumeric() || b.is_ascii_whitespace() {
        None
    } else {
        Some(
            COMMON
                .iter()
                .position(|&c| c == b)
                .map_or(COMMON.len(), |p| p),
        )
    }
}

/// How one pattern is found.
enum Kind {
    Start(Box<Starts>),
    /// The rare byte every match holds, and every byte a match can hold.
    Window(u8, Box<ByteSet>),
}

fn classify(hir: &Hir) -> Option<Kind> {
    let mut starts = Starts::new();
    let empty = first_bytes(hir, false, &mut starts);
    let startable = !empty && !(0..=255u8).any(|b| is_word(b) && starts.after_word[usize::from(b)]);
    let mut required = Vec::new();
    required_bytes(hir, &mut required);
    let rare = required
        .iter()
        .filter_map(|&b| rarity(b).map(|r| (r, b)))
        .max()
        .map(|(_, b)| b);
    // A start pattern is found as one even when it holds a rare byte: an IPv6
    // address's `:` is common in logs (times, `key: value`), and each window costs a
    // regex search, while a walk from a word start that leads nowhere costs a few
    // table lookups.
    match rare {
        _ if startable => Some(Kind::Start(Box::new(starts))),
        Some(b) => {
            let mut bytes = [false; 256];
            all_bytes(hir, &mut bytes);
            Some(Kind::Window(b, Box::new(bytes)))
        }
        None => None,
    }
}

/// A match of the finder: finder pattern id, span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    pub pattern: usize,
    pub start: usize,
    pub end: usize,
}

/// Candidate starts and an anchored DFA for the start patterns.
struct StartFinder {
    /// Word bytes that can start a match at a word start, as ranges.
    at_word_start_ranges: Vec<(u8, u8)>,
    /// Non-word bytes that can start a match (whatever precedes them).
    other: Vec<u8>,
    /// [`block::starts`] for exactly that many ranges and bytes.
    starts: block::StartsFn,
    /// The same classes by byte, for short haystacks (a field value), where a block
    /// costs more than a look-up per byte: `WORD_START`, `OTHER`, `WORD` bits.
    classes: [u8; 256],
    /// Bit `256 * a + b`: a walk from a candidate whose first two bytes are `a`, `b`
    /// can get past them (from some start state). Most candidates fail here, for a
    /// few instructions instead of a walk's hundred.
    pairs: Box<[u64; 1024]>,
    /// The same for the first three bytes, by the DFA's byte classes: a candidate
    /// such as `INFO`, `GET` or the `02T` of a timestamp gets past its first two
    /// bytes (a licence number may start with two letters) but not its third, and
    /// a walk's set-up and its mispredicted end cost more than this look-up.
    triples: Triples,
    /// Compiled ahead of time (small: anchored, and without the window patterns), so
    /// that a walk is a table lookup per byte.
    dfa: dense::DFA<Vec<u32>>,
    /// Start state by the byte before the candidate; the last entry for the text start.
    start: Vec<StateID>,
    /// The same DFA over 16-bit ids, walked instead when it fits.
    compact: Option<CompactDfa>,
    /// DFA pattern id → finder pattern id.
    ids: Vec<usize>,
}

/// Rare bytes, the windows around them, and a regex for the window patterns.
struct WindowFinder {
    rare: Vec<u8>,
    bytes: ByteSet,
    regex: meta::Regex,
    /// The window patterns' anchored DFA, when it could be built small, and the bytes
    /// their matches can start with: a window (an e-mail address) is searched by
    /// walks from those bytes, the first that matches being the leftmost match, for
    /// a tenth of the regex's search (whose reverse-inner set-up dominates on windows
    /// this short).
    walks: Option<WindowWalks>,
    ids: Vec<usize>,
}

struct WindowWalks {
    dfa: dense::DFA<Vec<u32>>,
    /// Start state by the byte before a start; the last entry for the text start.
    start: Vec<StateID>,
    first: ByteSet,
}

/// Finds the finder's matches without walking every byte (see the module doc).
pub struct Skipper {
    starts: Option<StartFinder>,
    windows: Option<WindowFinder>,
    digit_runs: Option<DigitRuns>,
}

/// The longest run of digits [`DigitRuns`] knows about.
const MAX_RUN: usize = 64;

/// Which texts of digits and separators hold no match, whatever their digits: a
/// numeric record (`123456789,42,1700000000`) is told quiet without a search.
pub struct DigitRuns {
    /// Bytes that are not word bytes and that no match can hold.
    separators: ByteSet,
    /// `quiet[n]`: no run of `n` digits between separators (or the text's ends) holds
    /// a match.
    quiet: [bool; MAX_RUN + 1],
}

impl DigitRuns {
    /// True when `text` is made of digits and separators only, in runs of quiet
    /// lengths: then it holds no match. False says nothing.
    pub fn quiet(&self, text: &[u8]) -> bool {
        // 64 bytes at a time: only the bytes that are not digits are looked at.
        let mut run = 0;
        for chunk in text.chunks(block::BLOCK) {
            // A whole block is read where it lies (see `block::window`).
            let mut spare = [b'0'; block::BLOCK];
            let bytes: &[u8; block::BLOCK] = match chunk.try_into() {
                Ok(whole) => whole,
                Err(_) => {
                    spare[..chunk.len()].copy_from_slice(chunk);
                    &spare
                }
            };
            let mut others = !block::digits(bytes) & block::first(chunk.len());
            let mut from = 0;
            while others != 0 {
                let at = others.trailing_zeros() as usize;
                run += at - from;
                if run > MAX_RUN || !self.quiet[run] || !self.separators[usize::from(chunk[at])] {
                    return false;
                }
                run = 0;
                from = at + 1;
                others &= others - 1;
            }
            run += chunk.len() - from;
            if run > MAX_RUN {
                return false;
            }
        }
        self.quiet[run]
    }

    /// From the start patterns' anchored DFA (and the bytes of every pattern: the
    /// window patterns' matches hold a rare byte, never a digit or a separator).
    /// `None` if the DFA can quit.
    fn new(starts: Option<&StartFinder>, used: &ByteSet) -> Option<DigitRuns> {
        let separators: ByteSet = std::array::from_fn(|b| !is_word(b as u8) && !used[b]);
        let mut quiet = [true; MAX_RUN + 1];
        let Some(sf) = starts else {
            return Some(DigitRuns { separators, quiet });
        };
        let (dfa, start) = (&sf.dfa, &sf.start);
        let seps: Vec<u8> = (0..=255u8)
            .filter(|&b| separators[usize::from(b)])
            .collect();
        let set = |it: &mut dyn Iterator<Item = StateID>| {
            let mut v: Vec<StateID> = it.collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        // Walks from the run's start (after a separator, or at the text start), then
        // also from each digit on.
        let mut live = set(&mut seps
            .iter()
            .map(|&z| start[usize::from(z)])
            .chain([start[256]]));
        let inside = set(&mut (b'0'..=b'9').map(|d| start[usize::from(d)]));
        // A match that ends inside a run (reported at the digit after it) ends inside
        // every longer run too.
        let mut inner_match = false;
        for (n, quiet) in quiet.iter_mut().enumerate() {
            if n > 0 {
                let mut next = Vec::new();
                for &s in &live {
                    for d in b'0'..=b'9' {
                        let t = dfa.next_state(s, d);
                        if dfa.is_quit_state(t) {
                            return None;
                        }
                        inner_match |= dfa.is_match_state(t);
                        if !dfa.is_dead_state(t) {
                            next.push(t);
                        }
                    }
                }
                next.extend(&inside);
                live = set(&mut next.into_iter());
            }
            // The run ends: a separator or the end of the text follows.
            let ends_in_match = live.iter().any(|&s| {
                dfa.is_match_state(dfa.next_eoi_state(s))
                    || seps.iter().any(|&z| {
                        let t = dfa.next_state(s, z);
                        dfa.is_match_state(t) || dfa.is_quit_state(t)
                    })
            });
            *quiet = !inner_match && !ends_in_match;
        }
        Some(DigitRuns { separators, quiet })
    }
}

/// A thread's search caches for a [`Skipper`].
pub struct SkipCache {
    windows: Option<meta::Cache>,
}

/// What a stream holds about its next match.
#[derive(Clone, Copy)]
enum Next {
    /// Not looked for since the search moved past it.
    Unknown,
    None,
    At(Found),
}

/// The state of one search through a haystack.
pub struct Search {
    pos: usize,
    /// Matches start before this.
    limit: usize,
    origin: usize,
    walked: usize,
    starts: Next,
    windows: Next,
    /// The last window (a run of the window patterns' bytes), reused while rare
    /// bytes fall inside it.
    window: Range<usize>,
    /// The start finder's current block and its candidates (all of them, also those
    /// before `pos`).
    block: Range<usize>,
    candidates: u64,
}

impl Search {
    /// Moves the search to `pos` (back inside the last match, or on): a stream's
    /// next match found from an earlier position stays valid unless it starts before
    /// `pos`, and the window around the last rare byte is kept.
    pub fn rewind(&mut self, pos: usize) {
        self.pos = pos;
    }
}

/// The search walked too far for what it skipped: continue with the finder from `.0`.
pub struct GiveUp(pub usize);

impl Skipper {
    /// `patterns` in finder order; `None` when some pattern is of neither kind.
    pub fn new(patterns: &[&str]) -> Option<Skipper> {
        let mut start_set = Starts::new();
        let (mut start_pats, mut start_ids) = (Vec::new(), Vec::new());
        let (mut rare, mut bytes) = (Vec::new(), [false; 256]);
        let (mut window_pats, mut window_ids) = (Vec::new(), Vec::new());
        let mut used = [false; 256];
        for (id, &p) in patterns.iter().enumerate() {
            let hir = patterns::parse(p)?;
            all_bytes(&hir, &mut used);
            match classify(&hir)? {
                Kind::Start(s) => {
                    for b in 0..256 {
                        start_set.after_word[b] |= s.after_word[b];
                        start_set.after_other[b] |= s.after_other[b];
                    }
                    start_pats.push(p);
                    start_ids.push(id);
                }
                Kind::Window(b, own) => {
                    if !rare.contains(&b) {
                        rare.push(b);
                    }
                    for b in 0..256 {
                        bytes[b] |= own[b];
                    }
                    window_pats.push(p);
                    window_ids.push(id);
                }
            }
        }
        let other: Vec<u8> = (0..=255u8)
            .filter(|&b| {
                !is_word(b)
                    && (start_set.after_word[usize::from(b)]
                        || start_set.after_other[usize::from(b)])
            })
            .collect();
        if other.len() > MAX_START_BYTES || rare.len() > MAX_RARE {
            return None;
        }
        let starts = if start_pats.is_empty() {
            None
        } else {
            let (dfa, start) =
                patterns::anchored_dfa(&start_pats, MatchKind::LeftmostFirst, DFA_SIZE_LIMIT)?;
            let mut at_word_start = [false; 256];
            for b in (0..=255u8).filter(|&b| is_word(b)) {
                at_word_start[usize::from(b)] = start_set.after_other[usize::from(b)];
            }
            let mut at_word_start_ranges: Vec<(u8, u8)> = Vec::new();
            for b in (0..=255u8).filter(|&b| at_word_start[usize::from(b)]) {
                match at_word_start_ranges.last_mut() {
                    Some((_, hi)) if *hi + 1 == b => *hi = b,
                    _ => at_word_start_ranges.push((b, b)),
                }
            }
            if at_word_start_ranges.len() > MAX_START_RANGES {
                return None;
            }
            let starts = block::starts_fn(at_word_start_ranges.len(), other.len())?;
            let classes = std::array::from_fn(|b| {
                let mut k = 0;
                if at_word_start[b] {
                    k |= WORD_START;
                }
                if other.contains(&(b as u8)) {
                    k |= OTHER;
                }
                if is_word(b as u8) {
                    k |= WORD;
                }
                k
            });
            let pairs = live_pairs(&dfa, &start);
            let triples = Triples::new(&dfa, &start);
            let compact = CompactDfa::new(&dfa, &start);
            Some(StartFinder {
                at_word_start_ranges,
                other,
                starts,
                classes,
                pairs,
                triples,
                dfa,
                start,
                compact,
                ids: start_ids,
            })
        };
        let windows = if window_pats.is_empty() {
            None
        } else {
            Some(WindowFinder {
                rare,
                bytes,
                regex: patterns::builder(MatchKind::LeftmostFirst)
                    .build_many(&window_pats)
                    .ok()?,
                walks: WindowWalks::new(&window_pats),
                ids: window_ids,
            })
        };
        let digit_runs = DigitRuns::new(starts.as_ref(), &used);
        Some(Skipper {
            starts,
            windows,
            digit_runs,
        })
    }

    /// What tells texts of digits and separators quiet, when it could be worked out.
    pub fn digit_runs(&self) -> Option<&DigitRuns> {
        self.digit_runs.as_ref()
    }

    pub fn cache(&self) -> SkipCache {
        SkipCache {
            windows: self.windows.as_ref().map(|w| w.regex.create_cache()),
        }
    }

    /// A search for matches starting in `starts` (bytes around it are context).
    pub fn search(&self, starts: Range<usize>) -> Search {
        Search {
            pos: starts.start,
            limit: starts.end,
            origin: starts.start,
            walked: 0,
            starts: if self.starts.is_some() {
                Next::Unknown
            } else {
                Next::None
            },
            windows: if self.windows.is_some() {
                Next::Unknown
            } else {
                Next::None
            },
            window: 0..0,
            block: 0..0,
            candidates: 0,
        }
    }

    /// The next match, leftmost-first over all patterns, as the finder reports it.
    #[inline]
    pub fn next(
        &self,
        cache: &mut SkipCache,
        hay: &[u8],
        s: &mut Search,
    ) -> Result<Option<Found>, GiveUp> {
        let stale = |n: Next, pos| match n {
            Next::At(f) => f.start < pos,
            Next::Unknown => true,
            Next::None => false,
        };
        if stale(s.starts, s.pos) {
            let finder = self.starts.as_ref().expect("a start stream has a finder");
            s.starts = finder.next(hay, s)?;
        }
        if stale(s.windows, s.pos) {
            let finder = self.windows.as_ref().expect("a window stream has a finder");
            let regex = cache
                .windows
                .as_mut()
                .expect("a cache for the window finder");
            s.windows = finder.next(regex, hay, s);
        }
        let found = match (s.starts, s.windows) {
            (Next::At(a), Next::At(b)) => Some(if (a.start, a.pattern) < (b.start, b.pattern) {
                a
            } else {
                b
            }),
            (Next::At(a), _) | (_, Next::At(a)) => Some(a),
            _ => None,
        };
        if let Some(f) = found {
            s.pos = f.end.max(f.start + 1);
        }
        Ok(found)
    }
}

impl StartFinder {
    /// The next match of a start pattern at or after `s.pos`.
    fn next(&self, hay: &[u8], s: &mut Search) -> Result<Next, GiveUp> {
        let at = s.pos;
        // Matches are dense in some text: the block of the last call is reused.
        let (mut block_at, mut candidates) = if s.block.contains(&at) {
            let resumed = s.candidates & !block::first(at - s.block.start);
            (s.block.start, resumed)
        } else if at < s.limit {
            (at, self.candidates(hay, s, at))
        } else {
            return Ok(Next::None);
        };
        loop {
            while candidates != 0 {
                let c = block_at + candidates.trailing_zeros() as usize;
                if c >= s.limit {
                    return Ok(Next::None);
                }
                if let Some((pattern, end)) = self.walk(hay, c, &mut s.walked) {
                    return Ok(Next::At(Found {
                        pattern: self.ids[pattern],
                        start: c,
                        end,
                    }));
                }
                if s.walked > WALK_SLACK + WALK_PER_BYTE * (c - s.origin) {
                    return Err(GiveUp(s.pos));
                }
                candidates &= candidates - 1;
            }
            block_at = s.block.end;
            if block_at >= s.limit {
                return Ok(Next::None);
            }
            candidates = self.candidates(hay, s, block_at);
        }
    }

    /// The candidates among the 64 bytes at `at` (fewer at the end of `hay`), one bit
    /// each, kept in `s` as its current block.
    fn candidates(&self, hay: &[u8], s: &mut Search, at: usize) -> u64 {
        if hay.len() - at <= SHORT {
            return self.short_candidates(hay, s, at);
        }
        // Padding: the text start is not after a word byte, and a NUL starts nothing
        // past the end (`first` drops it anyway).
        let mut spare = [0; block::BLOCK + 2];
        let (window, n) = block::window(hay, at, 0, &mut spare);
        let mut candidates =
            (self.starts)(window, &self.at_word_start_ranges, &self.other) & block::first(n);
        // Without a branch per candidate: those whose first two bytes lead nowhere
        // are dropped (a candidate at the end of `hay` is walked).
        let mut rest = candidates;
        while rest != 0 {
            let i = rest.trailing_zeros() as usize;
            let live = match hay.get(at + i + 2) {
                Some(&third) => self.triples.live(window[i + 1], window[i + 2], third),
                None => at + i + 1 >= hay.len() || self.pair_is_live(window[i + 1], window[i + 2]),
            };
            candidates &= !(u64::from(!live) << i);
            rest &= rest - 1;
        }
        s.block = at..at + n;
        s.candidates = candidates;
        candidates
    }

    /// `candidates` for the last few bytes of `hay`, a byte at a time.
    fn short_candidates(&self, hay: &[u8], s: &mut Search, at: usize) -> u64 {
        let rest = &hay[at..];
        let mut after_word = at > 0 && is_word(hay[at - 1]);
        let mut candidates = 0u64;
        for (i, &b) in rest.iter().enumerate() {
            let k = self.classes[usize::from(b)];
            let start = (k & WORD_START != 0 && !after_word) || k & OTHER != 0;
            candidates |= u64::from(start) << i;
            after_word = k & WORD != 0;
        }
        let mut each = candidates;
        while each != 0 {
            let i = each.trailing_zeros() as usize;
            if rest
                .get(i + 1)
                .is_some_and(|&next| !self.pair_is_live(rest[i], next))
            {
                candidates &= !(1 << i);
            }
            each &= each - 1;
        }
        s.block = at..hay.len();
        s.candidates = candidates;
        candidates
    }

    fn pair_is_live(&self, a: u8, b: u8) -> bool {
        let bit = usize::from(a) << 8 | usize::from(b);
        self.pairs[bit / 64] >> (bit % 64) & 1 != 0
    }

    /// The leftmost-first match anchored at `at`: (DFA pattern id, end).
    fn walk(&self, hay: &[u8], at: usize, walked: &mut usize) -> Option<(usize, usize)> {
        match &self.compact {
            Some(compact) => compact.walk(hay, at, walked),
            None => walk(&self.dfa, &self.start, hay, at, walked),
        }
    }
}

/// The match of the anchored `dfa` (start states by the byte before, as
/// [`patterns::anchored_dfa`] gives them) at `at`: (DFA pattern id, end); the bytes
/// walked are added to `walked`.
#[inline(always)]
pub(super) fn walk(
    dfa: &dense::DFA<Vec<u32>>,
    start: &[StateID],
    hay: &[u8],
    at: usize,
    walked: &mut usize,
) -> Option<(usize, usize)> {
    let before = at.checked_sub(1).map_or(256, |p| usize::from(hay[p]));
    let mut sid = start[before];
    let mut found = None;
    // An index, not `enumerate().skip(at)`: a third fewer instructions a byte.
    let mut i = at;
    while let Some(&b) = hay.get(i) {
        sid = dfa.next_state(sid, b);
        if dfa.is_special_state(sid) {
            if dfa.is_match_state(sid) {
                // Matches are reported one byte late: this one ended before `b`.
                found = Some((dfa.match_pattern(sid, 0).as_usize(), i));
            } else if dfa.is_dead_state(sid) || dfa.is_quit_state(sid) {
                *walked += i + 1 - at;
                return found;
            }
        }
        i += 1;
    }
    *walked += hay.len() - at;
    sid = dfa.next_eoi_state(sid);
    if dfa.is_match_state(sid) {
        found = Some((dfa.match_pattern(sid, 0).as_usize(), hay.len()));
    }
    found
}

/// [`StartFinder::triples`]: the live pairs of byte classes get ids (0 for the dead
/// ones), and each id a row of bits, one per class of the third byte.
struct Triples {
    class: [u8; 256],
    /// Byte → its class times the number of classes: the first byte's pairs.
    first: [u16; 256],
    /// By `classes * first class + second class`.
    pair_ids: Vec<u16>,
    /// `stride` words a pair id; row 0, of the dead pairs, is all zeros.
    rows: Vec<u64>,
    stride: usize,
}

impl Triples {
    /// The triples of first bytes from which a walk of `dfa` from one of the `start`
    /// states finds a match or is neither dead nor quit after them.
    fn new(dfa: &dense::DFA<Vec<u32>>, start: &[StateID]) -> Triples {
        let classes_of = dfa.byte_classes();
        let class: [u8; 256] = std::array::from_fn(|b| classes_of.get(b as u8));
        let classes = usize::from(*class.iter().max().expect("256 bytes")) + 1;
        // A byte of each class: the DFA moves alike on all of them.
        let mut example = vec![0u8; classes];
        for b in (0..=255u8).rev() {
            example[usize::from(class[usize::from(b)])] = b;
        }
        let stride = classes.div_ceil(64);
        let mut starts = start.to_vec();
        starts.sort_unstable();
        starts.dedup();
        let mut live = vec![0u64; classes * classes * stride];
        for &s in &starts {
            for (ca, &a) in example.iter().enumerate() {
                let first = dfa.next_state(s, a);
                if dfa.is_dead_state(first) {
                    continue;
                }
                for (cb, &b) in example.iter().enumerate() {
                    let second = dfa.next_state(first, b);
                    let row = (ca * classes + cb) * stride;
                    for (cc, &c) in example.iter().enumerate() {
                        let third = dfa.next_state(second, c);
                        if dfa.is_match_state(first)
                            || dfa.is_match_state(second)
                            || !dfa.is_dead_state(third)
                        {
                            live[row + cc / 64] |= 1 << (cc % 64);
                        }
                    }
                }
            }
        }
        let mut pair_ids = vec![0u16; classes * classes];
        let mut rows = vec![0u64; stride];
        for (pair, bits) in live.chunks_exact(stride).enumerate() {
            if bits.iter().any(|&w| w != 0) {
                pair_ids[pair] = u16::try_from(rows.len() / stride).unwrap_or(u16::MAX);
                rows.extend_from_slice(bits);
            }
        }
        if rows.len() / stride > usize::from(u16::MAX) {
            // More live pairs than ids: every triple is called live.
            pair_ids.fill(1);
            rows = vec![0; stride];
            rows.extend(std::iter::repeat_n(!0u64, stride));
        }
        Triples {
            class,
            first: std::array::from_fn(|b| (usize::from(class[b]) * classes) as u16),
            pair_ids,
            rows,
            stride,
        }
    }

    fn live(&self, a: u8, b: u8, c: u8) -> bool {
        let pair =
            usize::from(self.first[usize::from(a)]) + usize::from(self.class[usize::from(b)]);
        let id = usize::from(self.pair_ids[pair]);
        let c = usize::from(self.class[usize::from(c)]);
        // One word a pair when there are at most 64 classes (the usual case).
        if self.stride == 1 {
            self.rows[id] >> c & 1 != 0
        } else {
            self.rows[id * self.stride + c / 64] >> (c % 64) & 1 != 0
        }
    }
}

/// The pairs of first bytes from which a walk of `dfa` from one of the `start` states
/// is neither dead nor quit (see [`StartFinder::pairs`]).
fn live_pairs(dfa: &dense::DFA<Vec<u32>>, start: &[StateID]) -> Box<[u64; 1024]> {
    let mut pairs = Box::new([0u64; 1024]);
    let mut starts = start.to_vec();
    starts.sort_unstable();
    starts.dedup();
    for &s in &starts {
        for a in 0..=255u8 {
            let first = dfa.next_state(s, a);
            if dfa.is_dead_state(first) {
                continue;
            }
            for b in 0..=255u8 {
                let second = dfa.next_state(first, b);
                if dfa.is_match_state(first) || !dfa.is_dead_state(second) {
                    let bit = usize::from(a) << 8 | usize::from(b);
                    pairs[bit / 64] |= 1 << (bit % 64);
                }
            }
        }
    }
    pairs
}

impl WindowFinder {
    /// The next match of a window pattern at or after `s.pos`.
    fn next(&self, cache: &mut meta::Cache, hay: &[u8], s: &mut Search) -> Next {
        let mut at = s.pos;
        while at < s.limit {
            let Some(rare) = self.rare_from(hay, at) else {
                return Next::None;
            };
            if rare >= s.window.end {
                // A new run of the patterns' bytes around the rare byte.
                let mut start = rare;
                while start > at && self.bytes[usize::from(hay[start - 1])] {
                    start -= 1;
                }
                let mut end = rare + 1;
                while end < hay.len() && self.bytes[usize::from(hay[end])] {
                    end += 1;
                }
                s.window = start..end;
            }
            let from = s.window.start.max(at);
            if from >= s.limit {
                return Next::None;
            }
            let walked = self
                .walks
                .as_ref()
                .map(|w| w.leftmost(hay, from..s.window.end));
            if let Some(Walked::Found(pattern, start, end)) = walked {
                if start >= s.limit {
                    return Next::None;
                }
                return Next::At(Found {
                    pattern: self.ids[pattern],
                    start,
                    end,
                });
            }
            let from = match walked {
                Some(Walked::None) => {
                    at = s.window.end;
                    continue;
                }
                Some(Walked::GaveUp(p)) => p,
                _ => from,
            };
            let input = Input::new(hay).range(from..s.window.end);
            if let Some(m) = self.regex.search_with(cache, &input) {
                if m.start() >= s.limit {
                    return Next::None;
                }
                return Next::At(Found {
                    pattern: self.ids[m.pattern().as_usize()],
                    start: m.start(),
                    end: m.end(),
                });
            }
            at = s.window.end;
        }
        Next::None
    }

    fn rare_from(&self, hay: &[u8], at: usize) -> Option<usize> {
        let rest = &hay[at..];
        match self.rare[..] {
            [a] => memchr::memchr(a, rest),
            [a, b] => memchr::memchr2(a, b, rest),
            [a, b, c] => memchr::memchr3(a, b, c, rest),
            _ => None,
        }
        .map(|p| at + p)
    }
}

/// What [`WindowWalks::leftmost`] found in a window.
#[derive(Debug, PartialEq)]
enum Walked {
    /// (DFA pattern id, start, end).
    Found(usize, usize, usize),
    None,
    /// The walks cost too much for the window: the regex searches it from here.
    GaveUp(usize),
}

impl WindowWalks {
    /// `None` when the patterns' anchored DFA would be large or a pattern's start
    /// bytes cannot be told.
    fn new(patterns: &[&str]) -> Option<WindowWalks> {
        let mut first = [false; 256];
        for p in patterns {
            let starts = start_bytes(p)?;
            for (f, s) in first.iter_mut().zip(starts) {
                *f |= s;
            }
        }
        let (dfa, start) =
            patterns::anchored_dfa(patterns, MatchKind::LeftmostFirst, WINDOW_DFA_LIMIT)?;
        Some(WindowWalks { dfa, start, first })
    }

    /// The leftmost-first match starting in `span` (a window: its matches end in it):
    /// the first start byte from which the anchored DFA matches. Every match of a
    /// window pattern starts with one of `first`, and the anchored leftmost-first
    /// walk from the leftmost start that matches is the regex's match there.
    fn leftmost(&self, hay: &[u8], span: Range<usize>) -> Walked {
        // A window of many starts that each walk far (`a.a.a.a…` without a domain)
        // would cost a walk per start: past this budget, the regex takes over.
        let budget = 4 * span.len() + 256;
        let mut walked = 0;
        for p in span.clone() {
            if !self.first[usize::from(hay[p])] {
                continue;
            }
            if walked > budget {
                return Walked::GaveUp(p);
            }
            if let Some((pattern, end)) = walk(&self.dfa, &self.start, hay, p, &mut walked) {
                return Walked::Found(pattern, p, end);
            }
        }
        Walked::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::patterns::PatternSet;
    use crate::rules::RuleSet;

    fn kind(p: &str) -> Option<Kind> {
        classify(&crate::engine::patterns::parse(p).expect("pattern parses"))
    }

    fn starts_of(p: &str) -> (Vec<u8>, Vec<u8>) {
        let Some(Kind::Start(s)) = kind(p) else {
            panic!("{p} is not a start pattern")
        };
        let list = |set: &ByteSet| (0..=255u8).filter(|&b| set[usize::from(b)]).collect();
        (list(&s.after_word), list(&s.after_other))
    }

    #[test]
    fn start_sets_follow_word_boundaries() {
        let digits: Vec<u8> = (b'0'..=b'9').collect();
        assert_eq!(starts_of(r"\b[0-9]{9}\b"), (vec![], digits.clone()));
        // `+` needs no boundary; the digits do.
        let mut plus_digits = vec![b'+'];
        plus_digits.extend(&digits);
        assert_eq!(starts_of(r"\+?\b[0-9]{1,4}"), (vec![b'+'], plus_digits));
        // `\b` before `+` means a word byte before it.
        assert_eq!(starts_of(r"\b\+?[0-9]{7}").0, vec![b'+']);
        // An optional group before the boundary keeps its own starts.
        let (w, o) = starts_of(r"(\+1)?(\([2-9]|\b[2-9])[0-9]");
        assert_eq!(w, b"(+".to_vec());
        assert_eq!(o, b"(+23456789".to_vec());
        assert_eq!(starts_of(r"\b(19|20)[0-9]{2}").1, b"12".to_vec());
    }

    /// How `kind` sorts a pattern, as text: `start`, `window @`, `none`.
    fn found_by(p: &str) -> String {
        match kind(p) {
            Some(Kind::Start(_)) => "start".into(),
            Some(Kind::Window(b, _)) => format!("window {}", char::from(b)),
            None => "none".into(),
        }
    }

    #[test]
    fn patterns_are_sorted_by_how_they_are_found() {
        for (pattern, want) in [
            // Letters anywhere: only its rare byte can find it.
            (r"[a-z0-9][a-z0-9.]*@[a-z]+", "window @"),
            // A word start is enough, though it has a rare byte.
            (r"\b([0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b", "start"),
            (r"[0-9a-f]{1,4}(:[0-9a-f]{1,4}){7}", "window :"),
            (r"\b[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}\b", "start"),
            // Digits anywhere, nothing rare: neither.
            (r"[0-9]{9}", "none"),
            // Matches empty text: no first byte at all.
            (r"x?", "none"),
        ] {
            assert_eq!(found_by(pattern), want, "{pattern}");
        }
    }

    fn default_patterns() -> Vec<&'static str> {
        static SET: std::sync::OnceLock<RuleSet> = std::sync::OnceLock::new();
        let set = SET.get_or_init(|| RuleSet::builtin().expect("built-in rules load"));
        set.rules
            .iter()
            .flat_map(|r| r.def.all_patterns())
            .collect()
    }

    #[test]
    fn the_default_rules_have_a_skipper() {
        let patterns = default_patterns();
        assert!(Skipper::new(&patterns).is_some());
    }

    /// Text from pieces that start, end or break every kind of default pattern.
    fn text(pieces: &[usize]) -> Vec<u8> {
        const PIECES: &[&str] = &[
            "123-45-6789",
            "123456789",
            "4111 1111 1111 1111",
            "4111111111111111",
            " ",
            " ",
            "\n",
            ",",
            "x",
            "Ab",
            "DE89370400440532013000",
            "a.b@example.com",
            "@",
            ".",
            "+1 ",
            "(555) ",
            "555-0100",
            "2001:db8::1",
            "fe80:",
            ":",
            "12 Main Street",
            "1985-04-12",
            "07/04/1999",
            "_",
            "9",
            "0",
            "-",
            "Z",
            "\u{e9}",
            "\t",
            "+",
            "(",
            "AB12",
            "S1234567",
            "10.0.0.1",
            "192.168.",
            "zz",
        ];
        pieces
            .iter()
            .flat_map(|&i| PIECES[i % PIECES.len()].bytes())
            .collect()
    }

    fn default_set() -> &'static PatternSet {
        static SET: std::sync::OnceLock<PatternSet> = std::sync::OnceLock::new();
        SET.get_or_init(build_default_set)
    }

    fn build_default_set() -> PatternSet {
        let patterns = default_patterns();
        let order = (0..patterns.len()).rev().collect();
        PatternSet::build(&patterns, order, 0).expect("default patterns compile")
    }

    fn finder_matches(
        set: &PatternSet,
        hay: &[u8],
        starts: Range<usize>,
    ) -> Vec<(usize, usize, usize)> {
        let input = Input::new(hay).range(starts.start..hay.len());
        let mut out = Vec::new();
        let mut it = regex_automata::util::iter::Searcher::new(input);
        while let Some(m) = it.advance(|i| Ok(set.finder.regex.search(i))) {
            if m.start() >= starts.end {
                break;
            }
            out.push((m.pattern().as_usize(), m.start(), m.end()));
        }
        out
    }

    /// The skipper's matches; `resume`: moving the search back to each match's second
    /// byte (`finder_matches_resumed`).
    fn skipper_matches(
        set: &PatternSet,
        hay: &[u8],
        starts: Range<usize>,
        resume: bool,
    ) -> Vec<(usize, usize, usize)> {
        let mut caches = set.caches();
        let mut finds = set.finds(hay, starts, false);
        let mut out = Vec::new();
        while let Some(f) = set.next_find(&mut caches, &mut finds) {
            out.push((f.pattern, f.start, f.end));
            if resume {
                set.resume_at(&mut finds, f.start + 1);
            }
        }
        out
    }

    /// The finder's matches when the search goes on from each match's second byte.
    fn finder_matches_resumed(
        set: &PatternSet,
        hay: &[u8],
        starts: Range<usize>,
    ) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        let mut pos = starts.start;
        while let Some(m) = set.finder.regex.search(&Input::new(hay).range(pos..)) {
            if m.start() >= starts.end {
                break;
            }
            out.push((m.pattern().as_usize(), m.start(), m.end()));
            pos = m.start() + 1;
        }
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]
        /// Also when the search is moved back inside each match, to its second byte
        /// (`Engine::scan` moves it to the word after a space of a match that
        /// reports nothing).
        #[test]
        fn skipping_finds_what_the_finder_finds(
            pieces in proptest::collection::vec(0usize..64, 0..60),
            cut in 0usize..1000,
            stop in 0usize..1000,
        ) {
            let set = default_set();
            let hay = text(&pieces);
            let from = cut % (hay.len() + 1);
            let to = from + stop % (hay.len() - from + 1);
            let want = finder_matches(set, &hay, from..to);
            proptest::prop_assert_eq!(skipper_matches(set, &hay, from..to, false), want);
            let want = finder_matches_resumed(set, &hay, from..to);
            proptest::prop_assert_eq!(skipper_matches(set, &hay, from..to, true), want);
        }
    }

    #[test]
    fn bytes_a_match_may_hold() {
        assert!(!may_hold(r"\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b", b" \t"));
        assert!(may_hold(r"\b[0-9]{3} [0-9]{2} [0-9]{4}\b", b" \t"));
        assert!(may_hold(r"[0-9]([ .-][0-9])+", b" "));
        assert!(may_hold(r"x\s?y", b"\t"));
        assert!(!may_hold(r"(ab|cd)+", b"e"));
        // Cannot be told: assume it may.
        assert!(may_hold(r"(", b" "));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        /// A default pattern said to hold no space or tab matches none (what lets
        /// `Engine::scan` skip looking for one in its rejected matches).
        #[test]
        fn no_match_holds_a_byte_its_pattern_cannot(
            pieces in proptest::collection::vec(0usize..64, 0..60),
        ) {
            let hay = text(&pieces);
            for p in default_patterns() {
                if may_hold(p, b" \t") {
                    continue;
                }
                let re = patterns::build_one(p).unwrap();
                for at in 0..hay.len() {
                    let input = regex_automata::Input::new(&hay[..])
                        .range(at..)
                        .anchored(regex_automata::Anchored::Yes);
                    if let Some(m) = re.search(&input) {
                        proptest::prop_assert!(
                            !hay[m.range()].iter().any(|&b| b == b' ' || b == b'\t'),
                            "{} matched a blank", p
                        );
                    }
                }
            }
        }
    }

    const EMAIL: &str = r"[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+";

    /// The window finder's search of `hay[span]`, the walks' answer completed by the
    /// regex where they gave up: (start, end).
    fn walked_or_searched(
        w: &WindowWalks,
        regex: &meta::Regex,
        hay: &[u8],
        span: Range<usize>,
    ) -> Option<(usize, usize)> {
        let from = match w.leftmost(hay, span.clone()) {
            Walked::Found(_, start, end) => return Some((start, end)),
            Walked::None => return None,
            Walked::GaveUp(p) => p,
        };
        regex
            .search(&Input::new(hay).range(from..span.end))
            .map(|m| (m.start(), m.end()))
    }

    proptest::proptest! {
        /// Walks from the start bytes find the leftmost-first match the window regex
        /// does, in any window of e-mail bytes (and the bytes around it as context).
        #[test]
        fn window_walks_find_the_regex_match(
            hay in proptest::collection::vec(
                proptest::sample::select(b"aZ09._%+-@@ ".to_vec()),
                0..80,
            ),
            a in 0usize..100,
            b in 0usize..100,
        ) {
            let w = WindowWalks::new(&[EMAIL]).expect("the e-mail pattern walks");
            let regex = meta::Regex::new(EMAIL).expect("the e-mail pattern");
            // A window ends at a byte no match holds (a space here) or at the text's
            // end, where walks stop; it is searched from any byte of it.
            let start = a.min(b) % (hay.len() + 1);
            let end = (start..hay.len()).find(|&i| hay[i] == b' ').unwrap_or(hay.len());
            let span = start..end;
            let want = regex
                .search(&Input::new(&hay).range(span.clone()))
                .map(|m| (m.start(), m.end()));
            proptest::prop_assert_eq!(walked_or_searched(&w, &regex, &hay, span), want);
        }
    }

    #[test]
    fn a_window_of_costly_walks_is_given_to_the_regex() {
        let w = WindowWalks::new(&[EMAIL]).expect("the e-mail pattern walks");
        let regex = meta::Regex::new(EMAIL).expect("the e-mail pattern");
        // Every `a` starts a walk to the `@`, whose domain fails: quadratic walks.
        let mut hay = "a.".repeat(400).into_bytes();
        hay.extend_from_slice(b"@x x@y.org");
        let window = 0..hay.len() - 8;
        assert!(matches!(w.leftmost(&hay, window.clone()), Walked::GaveUp(p) if p > 0));
        assert_eq!(walked_or_searched(&w, &regex, &hay, window), None);
        let all = 0..hay.len();
        assert_eq!(
            walked_or_searched(&w, &regex, &hay, all),
            Some((hay.len() - 7, hay.len()))
        );
        assert_eq!(
            w.leftmost(b"mail m.g@mailbox.net", 5..20),
            Walked::Found(0, 5, 20)
        );
    }

    fn digit_runs_of(patterns: &[&str]) -> DigitRuns {
        Skipper::new(patterns)
            .expect("a skipper")
            .digit_runs
            .expect("digit runs")
    }

    #[test]
    fn digit_runs_are_quiet_by_length_whatever_their_digits() {
        // `9` then three digits, or six digits, each a whole word.
        let runs = digit_runs_of(&[r"\b9[0-9]{3}\b", r"\b[0-9]{6}\b", r"@[a-z]+"]);
        let lengths: Vec<usize> = (0..=8).filter(|&n| runs.quiet[n]).collect();
        assert_eq!(lengths, [0, 1, 2, 3, 5, 7, 8]);
        assert!(runs.quiet(b"12345,1,,22\n333;55555|"));
        assert!(runs.quiet(b""));
        // A run of four digits may be `9xxx`, whichever digits this one holds.
        assert!(!runs.quiet(b"12345,1234"));
        assert!(!runs.quiet(b"123456"));
        // Bytes a pattern can hold are no separators (`@`), nor are word bytes.
        assert!(!runs.quiet(b"12@55"));
        assert!(!runs.quiet(b"12,x"));
        // Runs across blocks of 64 bytes, and longer than any run it knows.
        let mut long = b"1,".repeat(31);
        long.extend_from_slice(b"12345");
        assert!(runs.quiet(&long));
        long.extend_from_slice(b"6");
        assert!(!runs.quiet(&long));
        assert!(!runs.quiet(&[b'1'; MAX_RUN + 1]));
        // A match that ends inside a run: `77` and a digit, at a word start.
        let runs = digit_runs_of(&[r"\b77[0-9]", r"@[a-z]+"]);
        let lengths: Vec<usize> = (0..=8).filter(|&n| runs.quiet[n]).collect();
        assert_eq!(lengths, [0, 1, 2]);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]
        /// Texts told quiet hold no match of the default patterns; digits biased to
        /// the ones patterns start with (`9`, `19`, `20`, `2-9`).
        #[test]
        fn quiet_digit_runs_hold_no_match(
            runs in proptest::collection::vec(
                (0usize..24, proptest::collection::vec(0usize..6, 24), 0usize..8),
                0..10,
            ),
        ) {
            let set = default_set();
            let mut hay = Vec::new();
            for (len, digits, sep) in runs {
                hay.extend(digits[..len].iter().map(|&d| b"019275"[d]));
                hay.push(b",;\t|\n -/"[sep]);
            }
            if set.free_digits_are_quiet(&hay) {
                proptest::prop_assert_eq!(finder_matches(set, &hay, 0..hay.len()), vec![]);
            }
        }
    }

    #[test]
    fn candidates_are_found_in_every_lane_of_a_block_and_at_the_very_end() {
        // One-byte matches (the pair filter must not drop a candidate without a
        // second byte) and two-byte ones, at each offset around 64-byte blocks.
        let set = PatternSet::build(&[r"\b[0-9]\b", r"\+[a-c]", r"@[a-z]+"], vec![0, 1, 2], 0)
            .expect("compiles");
        for len in [1, 2, 62, 63, 64, 65, 66, 127, 128, 129, 200] {
            for at in (0..len).step_by(5).chain([len - 1]) {
                for planted in [&b"7"[..], b"+b", b"+z"] {
                    let mut hay = vec![b'x'; len];
                    hay[at - at.min(1)..at].fill(b' ');
                    let end = (at + planted.len()).min(len);
                    hay[at..end].copy_from_slice(&planted[..end - at]);
                    let want = finder_matches(&set, &hay, 0..len);
                    assert_eq!(
                        skipper_matches(&set, &hay, 0..len, false),
                        want,
                        "{len} {at}"
                    );
                    assert_eq!(
                        skipper_matches(&set, &hay, 0..len, true),
                        finder_matches_resumed(&set, &hay, 0..len)
                    );
                }
            }
        }
    }

    #[test]
    fn a_walk_that_costs_too_much_falls_back_to_the_finder() {
        // Every `1` starts a walk to the end of the line; the answer must not change.
        let set =
            PatternSet::build(&[r"\b1[0-9 ]*x", r"@[a-z]+"], vec![0, 1], 0).expect("compiles");
        let hay: Vec<u8> = "1 ".repeat(50_000).into_bytes();
        let want = finder_matches(&set, &hay, 0..hay.len());
        assert!(want.is_empty());
        assert_eq!(skipper_matches(&set, &hay, 0..hay.len(), false), want);
        let mut hay = hay;
        hay.extend_from_slice(b"x a@b 1 2 x");
        let want = finder_matches(&set, &hay, 0..hay.len());
        // The long walk at last, the address, the short walk.
        assert_eq!(want.len(), 3);
        assert_eq!(skipper_matches(&set, &hay, 0..hay.len(), false), want);
    }
}
