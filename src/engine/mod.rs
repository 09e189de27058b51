//! The compiled matcher: one immutable `Engine` per rule set (Send + Sync).
//!
//! Value detection runs in stages over a whole buffer: one leftmost-first
//! multi-pattern pass finds candidate starts; an anchored all-matches pass adds the
//! other rules whose patterns match at the same start (a bare 9-digit run can be an
//! SSN, an ITIN or a routing number); then token boundaries, the rule's validator and
//! context scoring (field name, inline key, keywords nearby) decide what is reported
//! and with which confidence.

mod block;
mod compact;
pub mod context;
pub mod patterns;
mod prefilter;
mod swar;
pub mod validators;

use crate::finding::{Confidence, Severity};
use crate::rules::{MaskStyle, NeedsContext, RuleSet};
use context::KeywordMatcher;
use regex_automata::{Anchored, Input};
use std::ops::Range;
use validators::{Validator, Verdict};

/// A rule ready to run.
#[derive(Debug)]
pub struct CompiledRule {
    pub id: std::sync::Arc<str>,
    pub name: String,
    pub pii_type: std::sync::Arc<str>,
    pub severity: Severity,
    pub base_confidence: Confidence,
    pub validator: Option<Validator>,
    pub needs_context: NeedsContext,
    pub mask: MaskStyle,
    pub remediation: Option<String>,
    /// Every non-empty value under a name this rule matches is this PII.
    pub values_are_pii: bool,
    not_after: Vec<Vec<u8>>,
    keyword_words: Vec<Vec<String>>,
    negative_words: Vec<Vec<String>>,
    column_names: Vec<regex::Regex>,
    exclude_names: Vec<regex::Regex>,
}

impl CompiledRule {
    /// Some of the rule's values are reported only with context.
    fn gated(&self) -> bool {
        self.needs_context != NeedsContext::Never
    }

    /// True when the rule classifies column / key names (a name rule).
    pub fn has_names(&self) -> bool {
        !self.column_names.is_empty()
    }
}

/// A field name classified once (`Engine::field_name`), so that scanning each value
/// of a column does not classify its name again.
#[derive(Clone)]
pub struct FieldName {
    info: NameInfo,
}

/// The structural context of a scanned buffer, given by the extractor.
#[derive(Clone, Copy, Default)]
pub struct FieldContext<'a> {
    /// Column, header or key name the bytes sit under; `None` for free text, where
    /// an inline `key: value` name is looked for instead.
    pub name: Option<&'a FieldName>,
    /// The PII type the field's column was inferred to hold from its values
    /// (`extract::infer`); supports rules of that type like a matching name would.
    pub inferred: Option<&'a str>,
}

/// A reported value: rule, byte span in the haystack, confidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValueHit {
    pub rule: usize,
    pub start: usize,
    pub end: usize,
    pub confidence: Confidence,
    /// Byte range of an inline key (`ssn=` in free text) the value sits under.
    pub key: Option<(usize, usize)>,
}

/// A column / key name that says it holds PII.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameHit {
    pub rule: usize,
    pub confidence: Confidence,
}

/// How a field name bears on one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NameSupport {
    Supports,
    Neutral,
    Conflicts,
}

/// A name, split and classified once.
#[derive(Clone)]
struct NameInfo {
    words: Vec<String>,
    /// Rules whose names match (name rules and keyword matches of value rules).
    matched: Vec<NameHit>,
    /// The name supports at least one rule that needs context (`NeedsContext::Always`).
    supports_gated: bool,
    /// How the name bears on each rule, by rule index: decided once per name (a
    /// column, an inline key), not per value evaluated under it.
    support: Vec<NameSupport>,
}

/// Caches of a thread's scans: inline keys' classifications (kept across calls), the
/// last line's keywords (valid within one haystack).
#[derive(Default)]
struct ScanState {
    /// Inline key (`ssn` of `ssn=…`) → its classification; a log repeats a few keys.
    inline: std::collections::HashMap<Vec<u8>, usize, BuildKeyHash>,
    /// Their classifications, by the index `inline` gives.
    inline_infos: Vec<NameInfo>,
    /// In front of `inline`: the last key of up to `SLOT_KEY` bytes seen in each of
    /// `SLOTS` slots (by a hash of its bytes), so that a known key is a few word
    /// compares away, without the map's probe and its call to `memcmp`.
    slots: Vec<KeySlot>,
    /// The last line `gated_context` or `evaluate` found (start and end exact), reused by the
    /// next candidates on it instead of searching for its ends again.
    line: Range<usize>,
    keyword_span: Range<usize>,
    keyword_hits: Vec<context::KeywordHit>,
    /// A short haystack (a field value) with no ASCII letter and no `>` holds no
    /// keyword and no inline key: decided once per haystack, on its first candidate
    /// of a context-gated rule.
    letterless: Option<bool>,
}

/// Where to search again after a match at `start..end` that reports nothing: the
/// word after its first space or tab, where a value of its own may start
/// (`0001 123-45-6789` reads first as one spaced number, a phone shape that needs
/// context). A fragment of one token (`b@x.com` of `a..b@x.com`) is not a value.
fn resume_point(hay: &[u8], start: usize, end: usize) -> Option<usize> {
    if end - start > RESUME_SPAN {
        return None;
    }
    // Eight bytes at a time without a branch a byte: the span is a value's few
    // bytes, too short for `memchr2`'s set-up, and a byte loop's end is mispredicted.
    let mut at = start + 1;
    while at < end {
        let n = (end - at).min(8);
        let word = match hay.get(at..at + 8) {
            Some(w) => u64::from_le_bytes(w.try_into().expect("eight bytes")),
            None => swar::load_cold(&hay[at..at + n]),
        };
        let blank = swar::first_blank(word) & swar::lanes(n);
        if blank != 0 {
            return Some(at + blank.trailing_zeros() as usize / 8 + 1);
        }
        at += n;
    }
    None
}

/// A byte of a word for `\b` in ASCII mode.
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// No ASCII letter and no `>`: no keyword, inline key (`key=`) or tag (`<x>`) can be
/// found in `hay` when all keywords start with a letter.
fn letterless(hay: &[u8]) -> bool {
    // Every byte below `>` (digits, most punctuation): the maximum is a loop without
    // branches, which most field values settle.
    hay.iter().copied().max().unwrap_or(0) < b'>'
        || !hay.iter().any(|&b| b.is_ascii_alphabetic() || b == b'>')
}

/// A multiply-and-rotate hash eight bytes at a time (as `FxHash`): inline keys are
/// short and looked up once per candidate, where SipHash's setup dominates, and a
/// byte-at-a-time hash's loop did too. The cache holds at most `INLINE_CACHE` keys,
/// so keys chosen to collide cost at most a scan of that many entries.
#[derive(Default, Clone, Copy)]
struct BuildKeyHash;

struct KeyHash(u64);

impl KeyHash {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl std::hash::BuildHasher for BuildKeyHash {
    type Hasher = KeyHash;
    fn build_hasher(&self) -> KeyHash {
        KeyHash(0)
    }
}

impl std::hash::Hasher for KeyHash {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().expect("eight bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            self.add(swar::load(rest));
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// An inline key before a value: its range and its classification's index in
/// `ScanState::inline_infos` (`None` inside when the value has none).
type InlineKey = Option<((usize, usize), usize)>;

/// Longest inline key a [`KeySlot`] holds, and how many slots there are.
const SLOT_KEY: usize = 24;
const SLOTS: usize = 256;

/// A known inline key, zero-padded into words, and its classification's index.
#[derive(Clone, Copy, Default)]
struct KeySlot {
    words: [u64; 3],
    /// 0 for an empty slot (keys are never empty).
    len: u8,
    info: u32,
}

impl KeySlot {
    /// `name` as a slot's words and the slot they go to; `None` when it is empty or
    /// longer than a slot holds.
    fn place(name: &[u8]) -> Option<([u64; 3], usize)> {
        if name.is_empty() || name.len() > SLOT_KEY {
            return None;
        }
        let words: [u64; 3] = std::array::from_fn(|i| swar::load(name.get(8 * i..).unwrap_or(&[])));
        let mixed = (words[0] ^ words[1].rotate_left(21) ^ words[2].rotate_left(42))
            .wrapping_mul(0x9e37_79b9_7f4a_7c15);
        Some((words, (mixed >> (64 - SLOTS.trailing_zeros())) as usize))
    }
}

/// The line of a match at `at` as `evaluate` bounds it: its start at most `LOOKBACK`
/// bytes before the match, its end at most `LOOKBACK` bytes after it. Taken from
/// the last line found when it holds the match (the searches would find its ends),
/// and kept as that line when both ends found are real (and the match is on one
/// line).
fn line_around(hay: &[u8], at: Range<usize>, state: &mut ScanState) -> (usize, usize) {
    let floor = at.start.saturating_sub(LOOKBACK);
    let ceiling = (at.end + LOOKBACK).min(hay.len());
    let line = &state.line;
    if line.start <= at.start && at.end <= line.end && floor <= line.start {
        return (line.start, line.end.min(ceiling));
    }
    let before = memchr::memrchr(b'\n', &hay[floor..at.start]);
    let after = memchr::memchr(b'\n', &hay[at.end..ceiling]);
    let line_start = before.map_or(floor, |p| floor + p + 1);
    let line_end = after.map_or(ceiling, |p| at.end + p);
    if (before.is_some() || floor == 0)
        && (after.is_some() || ceiling == hay.len())
        && memchr::memchr(b'\n', &hay[at.clone()]).is_none()
    {
        state.line = line_start..line_end;
    }
    (line_start, line_end)
}

/// `gated_context`'s line of a value at `start`: its start (the byte after the last
/// newline at most `LOOKBACK` bytes before, else that far back) and its end (the next
/// newline at most `2 * LOOKBACK` bytes after the start, or the haystack's end; `None`
/// for a longer line). Taken from `last`, the last line found, when `start` is on
/// it and its start is within reach (the searches would find the same bytes), or from
/// the line after it; `last` becomes the line found when both its ends are real.
fn gate_line(hay: &[u8], start: usize, last: &mut Range<usize>) -> (usize, Option<usize>) {
    let floor = start.saturating_sub(LOOKBACK);
    if last.start <= start && start <= last.end && floor <= last.start {
        return (last.start, Some(last.end));
    }
    if let Some(next) = next_line(hay, last, start, floor) {
        if let Some(end) = next.1 {
            *last = next.0..end;
        }
        return next;
    }
    let newline = memchr::memrchr(b'\n', &hay[floor..start]);
    let line_start = newline.map_or(floor, |p| floor + p + 1);
    let ceiling = (line_start + 2 * LOOKBACK).min(hay.len());
    let line_end = match memchr::memchr(b'\n', &hay[start..ceiling]) {
        Some(p) => Some(start + p),
        None if ceiling == hay.len() => Some(ceiling),
        None => None,
    };
    // Only a line whose start is a real one (not the look-back's floor) is kept:
    // another candidate on it would search back from elsewhere.
    if let Some(end) = line_end
        && (newline.is_some() || floor == 0)
    {
        *last = line_start..end;
    }
    (line_start, line_end)
}

/// `gated_context`'s line bounds for a value at `start` on a line after `last` (the
/// last line found, its end a newline or the haystack's end), with one search
/// forward instead of one back and one forward: the next line's start is known, and
/// it holds `start` when no newline comes between. `None` when that is not so (then
/// the searches are made): no such line, its end before `floor` (the search back
/// would stop there) or before `start`.
fn next_line(
    hay: &[u8],
    last: &Range<usize>,
    start: usize,
    floor: usize,
) -> Option<(usize, Option<usize>)> {
    if last.end >= start || last.end < floor {
        return None;
    }
    let line_start = last.end + 1;
    let ceiling = (line_start + 2 * LOOKBACK).min(hay.len());
    match memchr::memchr(b'\n', &hay[line_start..ceiling]) {
        Some(p) if line_start + p >= start => Some((line_start, Some(line_start + p))),
        Some(_) => None,
        None if start > ceiling => None,
        None if ceiling == hay.len() => Some((line_start, Some(ceiling))),
        None => Some((line_start, None)),
    }
}

impl ScanState {
    /// Forgets what belongs to the previous haystack.
    fn new_haystack(&mut self) {
        self.keyword_span = usize::MAX..usize::MAX;
        self.line = usize::MAX..usize::MAX;
        self.keyword_hits.clear();
        self.letterless = None;
    }
}

#[derive(Debug, thiserror::Error)]
#[error("cannot compile rule patterns: {0}")]
pub struct EngineError(String);

/// Bytes of context looked at before and after a value for keywords.
const WINDOW_BEFORE: usize = 64;
const WINDOW_AFTER: usize = 32;
/// Inline key classifications kept per thread (the cache is emptied when full).
const INLINE_CACHE: usize = 256;
/// How far back a line start (for inline keys) is looked for.
const LOOKBACK: usize = 256;
/// A match at most this long that reports nothing is searched again for a value
/// that starts inside it (`resume_point`); a longer one is skipped whole, so that
/// searching again stays linear.
const RESUME_SPAN: usize = 64;
/// Haystacks up to this length are checked whole for letters before any context
/// look-up (`gated_context`).
const SHORT_HAYSTACK: usize = 64;

/// The longest field `fields_are_quiet` takes.
pub const QUIET_FIELD: usize = SHORT_HAYSTACK;

pub struct Engine {
    rules: Vec<CompiledRule>,
    patterns: Option<patterns::PatternSet>,
    /// Pattern index → rule index.
    pattern_rule: Vec<usize>,
    /// Pattern index → every match needs context to be reported.
    pattern_gated: Vec<bool>,
    /// Pattern index → a match may hold a space or tab, where `resume_point` looks
    /// for a value of its own (most patterns match none: the look is spared).
    pattern_blank: Vec<bool>,
    keywords: KeywordMatcher,
    /// No pattern looks at anything but whether its neighbours are word bytes (`\b`),
    /// so a value matches alike alone and between non-word delimiters
    /// (`fields_are_quiet`).
    word_looks_only: bool,
    /// Tells apart the engines whose caches a thread's `Scratch` may hold.
    id: u64,
}

static NEXT_ENGINE_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Per-thread working memory of `Engine::scan`, reused across calls: a CSV file makes
/// one call per field value, and a log repeats its inline keys from buffer to buffer.
struct Scratch {
    engine: u64,
    /// The other patterns matching at a candidate start (`PatternSet::others_at`).
    others: Vec<usize>,
    candidates: Vec<(usize, usize)>,
    emitted: Vec<usize>,
    state: ScanState,
    /// The regexes' search caches, held here rather than taken from each regex's
    /// shared pool on every search (a CSV file makes a search per field).
    caches: patterns::Caches,
}

thread_local! {
    static SCRATCH: std::cell::Cell<Option<Box<Scratch>>> = const { std::cell::Cell::new(None) };
}

impl Engine {
    pub fn new(set: &RuleSet) -> Result<Engine, EngineError> {
        let mut rules = Vec::new();
        let mut all_patterns: Vec<&str> = Vec::new();
        let mut pattern_rule = Vec::new();
        let mut keywords = Vec::new();
        let compile_names = |list: &[String]| -> Result<Vec<regex::Regex>, EngineError> {
            list.iter()
                .map(|p| regex::Regex::new(p).map_err(|e| EngineError(e.to_string())))
                .collect()
        };
        for (idx, loaded) in set.rules.iter().enumerate() {
            let def = &loaded.def;
            for p in def.all_patterns() {
                all_patterns.push(p);
                pattern_rule.push(idx);
            }
            for k in &def.keywords {
                keywords.push((k.clone(), idx, true));
            }
            for k in &def.negative_keywords {
                keywords.push((k.clone(), idx, false));
            }
            rules.push(CompiledRule {
                id: def.id.as_str().into(),
                name: def.name.clone(),
                pii_type: def.pii_type.as_str().into(),
                severity: def.severity,
                base_confidence: def.confidence.unwrap_or(Confidence::Medium),
                validator: def.validator,
                needs_context: def.needs_context,
                mask: def.mask,
                remediation: def.remediation.clone(),
                values_are_pii: def.values_are_pii,
                not_after: def
                    .not_after
                    .iter()
                    .map(|s| s.as_bytes().to_vec())
                    .collect(),
                keyword_words: def.keywords.iter().map(|k| context::words(k)).collect(),
                negative_words: def
                    .negative_keywords
                    .iter()
                    .map(|k| context::words(k))
                    .collect(),
                column_names: compile_names(&def.column_names)?,
                exclude_names: compile_names(&def.exclude_column_names)?,
            });
        }
        // A pattern is gated when every match of it needs context to be reported: its
        // rule always needs context, or needs it for undelimited values and the pattern
        // matches only letters and digits. Ungated patterns come first in the finder:
        // when it reports a gated one, no ungated pattern matches at that start (see
        // `scan`).
        let pattern_gated: Vec<bool> = all_patterns
            .iter()
            .zip(&pattern_rule)
            .map(|(p, &r)| match rules[r].needs_context {
                NeedsContext::Always => true,
                NeedsContext::Undelimited => patterns::alnum_only(p),
                NeedsContext::Never => false,
            })
            .collect();
        let (mut finder_order, later): (Vec<usize>, Vec<usize>) =
            (0..all_patterns.len()).partition(|&pid| !pattern_gated[pid]);
        let free_len = finder_order.len();
        finder_order.extend(later);
        let patterns = if all_patterns.is_empty() {
            None
        } else {
            Some(
                patterns::PatternSet::build(&all_patterns, finder_order, free_len)
                    .map_err(|e| EngineError(e.to_string()))?,
            )
        };
        let gated_rules: Vec<bool> = rules.iter().map(CompiledRule::gated).collect();
        Ok(Engine {
            pattern_blank: all_patterns
                .iter()
                .map(|p| prefilter::may_hold(p, b" \t"))
                .collect(),
            word_looks_only: all_patterns.iter().all(|p| patterns::word_looks_only(p)),
            keywords: KeywordMatcher::new(&keywords, &gated_rules),
            rules,
            patterns,
            pattern_rule,
            pattern_gated,
            id: NEXT_ENGINE_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        })
    }

    pub fn rules(&self) -> &[CompiledRule] {
        &self.rules
    }

    pub fn rule(&self, idx: usize) -> &CompiledRule {
        &self.rules[idx]
    }

    /// Finds PII values that start in `hay[starts]`, calling `on_hit` in order of position.
    ///
    /// Bytes before `starts` are context only (look-behind `\b`, keywords, inline keys);
    /// bytes after it may complete a match that starts inside it.
    pub fn scan(
        &self,
        hay: &[u8],
        starts: Range<usize>,
        ctx: FieldContext<'_>,
        on_hit: impl FnMut(ValueHit),
    ) {
        self.scan_with(hay, starts, ctx, true, on_hit);
    }

    /// `scan`; `free_finder`: look only for the free patterns where no context can be
    /// found (off in tests, which compare the two).
    fn scan_with(
        &self,
        hay: &[u8],
        starts: Range<usize>,
        ctx: FieldContext<'_>,
        free_finder: bool,
        mut on_hit: impl FnMut(ValueHit),
    ) {
        let Some(ps) = &self.patterns else { return };
        let field = ctx.name.map(|n| &n.info);
        let inferred_gated = ctx.inferred.is_some_and(|t| self.type_is_gated(t));
        let mut scratch = self.scratch(ps);
        scratch.state.new_haystack();
        let Scratch {
            others,
            candidates,
            emitted,
            state,
            caches,
            ..
        } = &mut *scratch;
        // Where no context can be found anywhere in the haystack (a field value of
        // digits and punctuation under a name that supports no gated rule), every
        // match of a gated pattern would be dropped: look for the others only.
        let closed = free_finder
            && !inferred_gated
            && !field.is_some_and(|f| f.supports_gated)
            && hay.len() <= SHORT_HAYSTACK
            && self.keywords.needs_letters()
            && *state.letterless.insert(letterless(hay));
        let mut finds = ps.finds(hay, starts, closed);
        while let Some(m) = ps.next_find(caches, &mut finds) {
            let start = m.start;
            let first = ps.finder_order[m.pattern];
            // Whether context here could support a rule that needs it; decided only
            // when such a rule's pattern matches, since most candidates of those rules
            // (numbers in logs, bare digit columns) have none.
            let mut gate: Option<bool> = None;
            // The inline key before `start`, looked up once for the gate and every
            // rule `evaluate` tries here.
            let mut key_at = None;
            let mut context_possible = |state: &mut ScanState| {
                *gate.get_or_insert_with(|| {
                    inferred_gated || self.gated_context(hay, start, field, state, &mut key_at)
                })
            };
            if self.gated(first) && !context_possible(state) {
                // Free patterns come first in the finder, so none matches at `start`;
                // one may start inside this match.
                if let Some(pos) = self.resume_point(hay, first, start, m.end) {
                    ps.resume_at(&mut finds, pos);
                }
                continue;
            }
            candidates.clear();
            candidates.push((first, m.end));
            ps.others_at(caches, hay, start, first, others);
            let anchored = Input::new(hay)
                .range(start..hay.len())
                .anchored(Anchored::Yes);
            for &pid in others.iter() {
                if self.gated(pid) && !context_possible(state) {
                    continue;
                }
                if let Some(end) = ps.single_end(caches, pid, &anchored) {
                    candidates.push((pid, end));
                }
            }
            // Rule precedence follows the rule set's order, not the finder's.
            candidates.sort_unstable_by_key(|c| c.0);
            // At one position, each PII type is reported once (by the first rule that
            // accepts it): two phone rules must not both report one number.
            emitted.clear();
            for &(pid, end) in candidates.iter() {
                let rule = self.pattern_rule[pid];
                if emitted
                    .iter()
                    .any(|&r: &usize| self.rules[r].pii_type == self.rules[rule].pii_type)
                {
                    continue;
                }
                if let Some(hit) = self.evaluate(
                    hay,
                    rule,
                    (start, end),
                    (field, ctx.inferred),
                    state,
                    &mut key_at,
                ) {
                    emitted.push(rule);
                    on_hit(hit);
                }
            }
            if emitted.is_empty()
                && let Some(pos) = self.resume_point(hay, first, start, m.end)
            {
                ps.resume_at(&mut finds, pos);
            }
        }
        SCRATCH.set(Some(scratch));
    }

    /// This thread's scratch for this engine; a nested call (from `on_hit`) finds
    /// none and makes its own. Handed back with `SCRATCH.set`.
    fn scratch(&self, ps: &patterns::PatternSet) -> Box<Scratch> {
        SCRATCH
            .take()
            .filter(|s| s.engine == self.id)
            .unwrap_or_else(|| {
                Box::new(Scratch {
                    engine: self.id,
                    caches: ps.caches(),
                    others: Vec::new(),
                    candidates: Vec::new(),
                    emitted: Vec::new(),
                    state: ScanState::default(),
                })
            })
    }

    /// Some rule of PII type `t` reports only with context.
    fn type_is_gated(&self, t: &str) -> bool {
        self.rules.iter().any(|r| r.gated() && *r.pii_type == *t)
    }

    /// True when `scan` of each field (a range of `text`, with its context) would
    /// report nothing, decided with one search of `text` instead of one per field: a
    /// record of a numeric export, where each field is short, holds no letter (so no
    /// keyword or inline key) and sits under a name that supports no context-gated
    /// rule, is scanned for the free patterns only (`scan`'s `closed`), and those
    /// match a field alone exactly where they match it between the non-word bytes
    /// around it. `false` when that cannot be decided this way.
    pub fn fields_are_quiet<'a>(
        &self,
        text: &[u8],
        fields: impl IntoIterator<Item = (Range<usize>, FieldContext<'a>)>,
    ) -> bool {
        let mut end = 0;
        for (range, ctx) in fields {
            if range.start < end
                || range.end > text.len()
                || range.len() > SHORT_HAYSTACK
                || text[end..range.start].iter().any(|&b| is_word_byte(b))
                || !self.field_allows_quiet(ctx)
            {
                return false;
            }
            end = range.end;
        }
        if text[end..].iter().any(|&b| is_word_byte(b)) {
            return false;
        }
        self.text_is_quiet(text)
    }

    /// The part of `fields_are_quiet` that depends on a field's context only: its
    /// name and inferred type support no context-gated rule (decided once per column
    /// of an export).
    pub fn field_allows_quiet(&self, ctx: FieldContext<'_>) -> bool {
        !ctx.name.is_some_and(|n| n.info.supports_gated)
            && !ctx.inferred.is_some_and(|t| self.type_is_gated(t))
    }

    /// The part of `fields_are_quiet` that depends on the bytes: the record holds no
    /// letter and no match of the free patterns. The caller checks the fields (each
    /// at most `QUIET_FIELD` bytes, allowed by `field_allows_quiet`, separated by
    /// bytes that are not word bytes).
    pub fn text_is_quiet(&self, text: &[u8]) -> bool {
        let Some(ps) = &self.patterns else {
            return true;
        };
        if !self.word_looks_only || !self.keywords.needs_letters() {
            return false;
        }
        if ps.free_digits_are_quiet(text) {
            return true;
        }
        if !letterless(text) {
            return false;
        }
        let mut scratch = self.scratch(ps);
        let quiet = !ps.free_matches_any(&mut scratch.caches, text);
        SCRATCH.set(Some(scratch));
        quiet
    }

    /// `resume_point` after a match of pattern `pid` at `start..end`: `None` at once
    /// when the pattern matches no space or tab.
    #[inline(always)]
    fn resume_point(&self, hay: &[u8], pid: usize, start: usize, end: usize) -> Option<usize> {
        if self.pattern_blank[pid] {
            resume_point(hay, start, end)
        } else {
            None
        }
    }

    /// True when pattern `pid` belongs to a rule that reports only with context.
    fn gated(&self, pid: usize) -> bool {
        self.pattern_gated[pid]
    }

    /// Whether anything near `start` could support a rule that needs context: the
    /// field's name, an inline key, or a positive keyword of such a rule on the line.
    /// May say yes when `evaluate` then finds no support (it decides); never says no
    /// when `evaluate` would find some.
    fn gated_context(
        &self,
        hay: &[u8],
        start: usize,
        field: Option<&NameInfo>,
        state: &mut ScanState,
        key_at: &mut Option<InlineKey>,
    ) -> bool {
        if field.is_some_and(|f| f.supports_gated) {
            return true;
        }
        // A field value of digits and punctuation (most cells of a numeric export) has
        // nothing for the look-ups below to find: keywords need a letter when they all
        // start with one, an inline key (`key:`, `key=`) needs a letter, a tag (`<x>`)
        // needs its `>`.
        if hay.len() <= SHORT_HAYSTACK
            && self.keywords.needs_letters()
            && *state.letterless.get_or_insert_with(|| letterless(hay))
        {
            return false;
        }
        let (line_start, line_end) = gate_line(hay, start, &mut state.line);
        // `evaluate` finds the same line start (its search and this one's agree), so
        // the key found here is the one it would find.
        let key = context::inline_key(hay, line_start, start)
            .map(|(ks, ke)| ((ks, ke), self.inline_index(&hay[ks..ke], state)));
        *key_at = Some(key);
        if let Some((_, info)) = key
            && state.inline_infos[info].supports_gated
        {
            return true;
        }
        // Keywords of the whole line (the span `evaluate` searches for a short line);
        // a long line is not looked through here.
        let Some(line_end) = line_end else {
            return true;
        };
        let span = line_start..line_end;
        if state.keyword_span != span {
            self.keywords
                .hits(hay, span.clone(), &mut state.keyword_hits);
            state.keyword_span = span;
        }
        let from = start.saturating_sub(WINDOW_BEFORE).max(line_start);
        self.keywords.gates(&state.keyword_hits, from)
    }

    /// The classification of an inline key, cached per scan call.
    #[cfg(test)]
    fn inline_info<'s>(&self, name: &[u8], state: &'s mut ScanState) -> &'s NameInfo {
        let i = self.inline_index(name, state);
        &state.inline_infos[i]
    }

    /// The index of an inline key's classification in `state.inline_infos`. Indexes
    /// hold until the cache is full and cleared, which only a new key does.
    fn inline_index(&self, name: &[u8], state: &mut ScanState) -> usize {
        // One look-up when the key is known: the map gives an index, so that its
        // borrow ends before the miss path changes it.
        let place = KeySlot::place(name);
        if let Some((words, slot)) = place
            && let Some(s) = state.slots.get(slot)
            && usize::from(s.len) == name.len()
            && s.words == words
        {
            return s.info as usize;
        }
        let i = match state.inline.get(name) {
            Some(&i) => i,
            None => {
                if state.inline.len() >= INLINE_CACHE {
                    state.inline.clear();
                    state.inline_infos.clear();
                    state.slots.clear();
                }
                state.inline.insert(name.to_vec(), state.inline_infos.len());
                state
                    .inline_infos
                    .push(self.name_info(&String::from_utf8_lossy(name)));
                state.inline_infos.len() - 1
            }
        };
        if let Some((words, slot)) = place {
            if state.slots.is_empty() {
                state.slots.resize(SLOTS, KeySlot::default());
            }
            state.slots[slot] = KeySlot {
                words,
                len: name.len() as u8,
                info: i as u32,
            };
        }
        i
    }

    /// Boundary, validator and context checks for one candidate.
    fn evaluate(
        &self,
        hay: &[u8],
        rule_idx: usize,
        (start, end): (usize, usize),
        (field, inferred): (Option<&NameInfo>, Option<&str>),
        state: &mut ScanState,
        key_at: &mut Option<InlineKey>,
    ) -> Option<ValueHit> {
        let rule = &self.rules[rule_idx];
        if !context::is_token(hay, start, end)
            || rule.not_after.iter().any(|p| hay[..start].ends_with(p))
        {
            return None;
        }
        let verdict = rule
            .validator
            .map_or(Verdict::Valid, |v| v.validate(&hay[start..end]));
        if verdict == Verdict::Invalid {
            return None;
        }
        let (line_start, line_end) = line_around(hay, start..end, state);
        let mut key = None;
        // The field's own name decides when it says something; otherwise (free text, or a
        // neutral name such as `note`) an inline key in the text (`ssn: …`) may.
        let field_support = field.map_or(NameSupport::Neutral, |info| self.support(info, rule_idx));
        let name_support = match field_support {
            // Found once for the rules evaluated at one start.
            NameSupport::Neutral => match *key_at.get_or_insert_with(|| {
                context::inline_key(hay, line_start, start)
                    .map(|(ks, ke)| ((ks, ke), self.inline_index(&hay[ks..ke], state)))
            }) {
                Some((range, info)) => {
                    key = field.is_none().then_some(range);
                    self.support(&state.inline_infos[info], rule_idx)
                }
                None => NameSupport::Neutral,
            },
            support => support,
        };
        let name_support =
            if name_support == NameSupport::Neutral && inferred == Some(&*rule.pii_type) {
                NameSupport::Supports
            } else {
                name_support
            };
        let (kw_pos, kw_neg) = if name_support == NameSupport::Conflicts {
            (false, false)
        } else {
            let ws = start.saturating_sub(WINDOW_BEFORE).max(line_start);
            let we = (end + WINDOW_AFTER).min(line_end);
            // Keywords are found once per line (or per window on very long lines).
            let span = if line_end - line_start <= 2 * LOOKBACK {
                line_start..line_end
            } else {
                ws..we
            };
            if state.keyword_span != span {
                self.keywords
                    .hits(hay, span.clone(), &mut state.keyword_hits);
                state.keyword_span = span;
            }
            self.keywords
                .find(&state.keyword_hits, hay, ws..we, start..end, rule_idx)
        };
        let supported = name_support == NameSupport::Supports || kw_pos;
        let mut confidence = if supported {
            Confidence::High
        } else {
            let undelimited = hay[start..end].iter().all(u8::is_ascii_alphanumeric);
            match rule.needs_context {
                NeedsContext::Always => return None,
                NeedsContext::Undelimited if undelimited => return None,
                _ => rule.base_confidence,
            }
        };
        if !supported && (name_support == NameSupport::Conflicts || kw_neg) {
            confidence = confidence.lowered()?;
        }
        if verdict == Verdict::Weak {
            confidence = confidence.lowered()?;
        }
        Some(ValueHit {
            rule: rule_idx,
            start,
            end,
            confidence,
            key,
        })
    }

    /// Classifies a field name for `FieldContext::name`.
    pub fn field_name(&self, name: &str) -> FieldName {
        FieldName {
            info: self.name_info(name),
        }
    }

    fn name_info(&self, name: &str) -> NameInfo {
        let leaf = context::leaf(name);
        let words = context::words(leaf);
        let snake = words.join("_");
        let mut matched = Vec::new();
        for (idx, rule) in self.rules.iter().enumerate() {
            if rule
                .exclude_names
                .iter()
                .any(|re| re.is_match(leaf) || re.is_match(&snake))
            {
                continue;
            }
            if rule
                .column_names
                .iter()
                .any(|re| re.is_match(leaf) || re.is_match(&snake))
            {
                matched.push(NameHit {
                    rule: idx,
                    confidence: Confidence::High,
                });
            } else if rule
                .keyword_words
                .iter()
                .any(|k| context::contains_words(&words, k))
            {
                matched.push(NameHit {
                    rule: idx,
                    confidence: Confidence::Medium,
                });
            }
        }
        let mut info = NameInfo {
            words,
            matched,
            supports_gated: false,
            support: Vec::new(),
        };
        info.support = (0..self.rules.len())
            .map(|r| self.support_of(&info, r))
            .collect();
        info.supports_gated = (0..self.rules.len())
            .any(|r| self.rules[r].gated() && info.support[r] == NameSupport::Supports);
        info
    }

    /// How `info`'s name bears on rule `rule_idx` (kept in `NameInfo::support`).
    fn support(&self, info: &NameInfo, rule_idx: usize) -> NameSupport {
        info.support[rule_idx]
    }

    fn support_of(&self, info: &NameInfo, rule_idx: usize) -> NameSupport {
        let rule = &self.rules[rule_idx];
        let same_type = |hit: &NameHit| {
            hit.rule == rule_idx
                || (self.rules[hit.rule].pii_type == rule.pii_type
                    && self.rules[hit.rule].has_names())
        };
        if info.matched.iter().any(same_type) {
            return NameSupport::Supports;
        }
        let negative = rule
            .negative_words
            .iter()
            .any(|k| context::contains_words(&info.words, k));
        let other_type = info
            .matched
            .iter()
            .any(|h| self.rules[h.rule].has_names() && h.confidence == Confidence::High);
        if negative || other_type {
            NameSupport::Conflicts
        } else {
            NameSupport::Neutral
        }
    }

    /// Rules with a discriminating validator (`Validator::discriminates`) whose pattern matches all of `value` and whose validator accepts it,
    /// context ignored: the evidence column inference counts.
    pub fn whole_value_rules(&self, value: &[u8]) -> Vec<usize> {
        let mut out = Vec::new();
        let Some(ps) = &self.patterns else { return out };
        if value.is_empty() || value.len() > 64 {
            return out;
        }
        let mut set = regex_automata::PatternSet::new(ps.all.pattern_len());
        let anchored = Input::new(value).anchored(Anchored::Yes);
        ps.all.which_overlapping_matches(&anchored, &mut set);
        for pid in set.iter() {
            let rule = self.pattern_rule[pid.as_usize()];
            let Some(validator) = self.rules[rule].validator.filter(|v| v.discriminates()) else {
                continue;
            };
            if out.contains(&rule) {
                continue;
            }
            let whole = ps
                .single(pid.as_usize())
                .search(&anchored)
                .is_some_and(|m| m.end() == value.len());
            if whole && validator.validate(value) == Verdict::Valid {
                out.push(rule);
            }
        }
        out
    }

    /// The name rule for what a free-text column comment says the column holds
    /// (`'Social security number of the insured'` → `ssn-column`). Runs of 4 down to 1
    /// words are joined as an identifier (`social_security_number`) and classified by
    /// the name rules; the run's last word must be an acronym (`SSN`) or at least 5
    /// letters long, so prose like "pass-through" or "the pin" does not count.
    pub fn classify_comment(&self, comment: &str) -> Option<usize> {
        let raw: Vec<&str> = comment
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .take(64)
            .collect();
        for n in (1..=4).rev() {
            for win in raw.windows(n) {
                // Name rules accept any prefix (`customer_ssn`), so the last word decides.
                let last = win[n - 1];
                let acronym = last.len() >= 2 && last.chars().all(|c| c.is_ascii_uppercase());
                if !acronym && last.chars().count() < 5 {
                    continue;
                }
                let name = win.join("_").to_lowercase();
                if let Some(h) = self
                    .classify_name(&name)
                    .into_iter()
                    .find(|h| h.confidence == Confidence::High)
                {
                    return Some(h.rule);
                }
            }
        }
        None
    }

    /// The name rule whose values are PII by name alone (`values_are_pii`), if `name`
    /// matches one with high confidence.
    pub fn value_rule_for_name(&self, name: &str) -> Option<usize> {
        self.classify_name(name)
            .into_iter()
            .find(|h| h.confidence == Confidence::High && self.rules[h.rule].values_are_pii)
            .map(|h| h.rule)
    }

    /// Name rules that classify a column or key name as PII storage, best first.
    pub fn classify_name(&self, name: &str) -> Vec<NameHit> {
        let mut hits: Vec<NameHit> = self
            .name_info(name)
            .matched
            .into_iter()
            .filter(|h| self.rules[h.rule].has_names())
            .collect();
        hits.sort_by(|a, b| b.confidence.cmp(&a.confidence).then(a.rule.cmp(&b.rule)));
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine() -> Engine {
        Engine::new(&RuleSet::builtin().unwrap()).unwrap()
    }

    fn hits(e: &Engine, text: &str) -> Vec<(String, String, Confidence)> {
        let mut out = Vec::new();
        e.scan(
            text.as_bytes(),
            0..text.len(),
            FieldContext::default(),
            |h| {
                out.push((
                    e.rule(h.rule).id.to_string(),
                    text[h.start..h.end].to_string(),
                    h.confidence,
                ))
            },
        );
        out
    }

    #[test]
    fn bare_nine_digits_need_context() {
        let e = engine();
        let ssn = |t: &str| hits(&e, t).into_iter().filter(|h| h.0 == "us-ssn").count();
        assert_eq!(ssn("ssn: 123456780"), 1);
        assert_eq!(ssn("tax_id=123456780"), 1);
        assert_eq!(ssn("Social Security Number 123456780 on file"), 1);
        assert_eq!(ssn("shipment 123456780 left the depot"), 0);
        assert_eq!(ssn("zip: 123456780"), 0);
    }

    #[test]
    fn same_start_overlaps_are_all_considered() {
        let e = engine();
        let found = hits(&e, "routing number 021000021");
        assert!(
            found.iter().any(|h| h.0 == "aba-routing-number"),
            "{found:?}"
        );
    }

    #[test]
    fn a_rejected_candidate_does_not_hide_the_next_value() {
        // `221.12.98.132 499` also reads as a dotted phone number (a rule that needs
        // context); the IP address is matched whole, so the phone after it is seen.
        let e = engine();
        let found = hits(&e, "phone 221.12.98.132 499-926-9089 702-833-5221");
        let phones: Vec<&str> = found
            .iter()
            .filter(|h| h.0 == "phone")
            .map(|h| h.1.as_str())
            .collect();
        assert_eq!(phones, ["499-926-9089", "702-833-5221"], "{found:?}");
    }

    #[test]
    fn a_value_inside_a_rejected_match_is_found() {
        // `0001 123-45-6789` reads first as one spaced number (a phone rule that needs
        // context, which `id` is not); the SSN starts inside it. Fixed-width exports
        // put a record number before each value like this.
        let e = engine();
        for line in [
            "0001 123-45-6789 JOHN SMITH",
            "record 0001 123-45-6789",
            "id 12 536-22-1987",
        ] {
            let found = hits(&e, line);
            assert!(found.iter().any(|h| h.0 == "us-ssn"), "{line}: {found:?}");
        }
    }

    /// Scans a field value under a name (`""`: none, as free text), with or without
    /// the free finder.
    fn field_hits(e: &Engine, name: &str, value: &[u8], free_finder: bool) -> Vec<ValueHit> {
        let name = (!name.is_empty()).then(|| e.field_name(name));
        let ctx = FieldContext {
            name: name.as_ref(),
            inferred: None,
        };
        let mut out = Vec::new();
        e.scan_with(value, 0..value.len(), ctx, free_finder, |h| out.push(h));
        out
    }

    #[test]
    fn letterless_field_values_are_scanned_with_the_free_patterns() {
        let e = engine();
        for value in [
            "4111 1111 1111 1111",
            "078-05-1120",
            "10.1.2.3",
            "123456780",
        ] {
            let want = field_hits(&e, "amount", value.as_bytes(), false);
            assert_eq!(
                field_hits(&e, "amount", value.as_bytes(), true),
                want,
                "{value}"
            );
        }
        // The card is reported, the bare nine digits (an SSN only with context) not,
        // unless the name gives that context.
        assert_eq!(
            field_hits(&e, "amount", b"4111 1111 1111 1111", true).len(),
            1
        );
        assert!(field_hits(&e, "amount", b"123456780", true).is_empty());
        assert_eq!(field_hits(&e, "ssn", b"123456780", true).len(), 1);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1024))]
        /// A field value of digits and punctuation: the free finder reports what the
        /// whole finder does (its context-gated matches are all dropped there).
        #[test]
        fn the_free_finder_reports_what_the_whole_finder_does(
            value in "([0-9]{1,12}[ .+()/-]{1,2}){0,5}[0-9]{0,19}",
            name in proptest::sample::select(vec!["", "amount", "ssn", "phone", "zip", "note"]),
        ) {
            let e = engine_once();
            let want = field_hits(e, name, value.as_bytes(), false);
            proptest::prop_assert_eq!(field_hits(e, name, value.as_bytes(), true), want);
        }

        /// One search stopping at the first match (`free_matches_any`) says whether
        /// the free finder's walk finds anything, over records of letterless pieces.
        #[test]
        fn any_free_match_is_what_the_free_finds_say(
            pieces in proptest::collection::vec(0..PIECES.len(), 0..8),
            delim in proptest::sample::select(vec![",", ";", "\t", "|", ""]),
        ) {
            let e = engine_once();
            let ps = e.patterns.as_ref().expect("the default rules have patterns");
            let hay: Vec<&str> = pieces.iter().map(|&i| PIECES[i]).collect();
            let hay = hay.join(delim);
            let mut scratch = e.scratch(ps);
            let mut finds = ps.finds(hay.as_bytes(), 0..hay.len(), true);
            let want = ps.next_find(&mut scratch.caches, &mut finds).is_some();
            let got = ps.free_matches_any(&mut scratch.caches, hay.as_bytes());
            SCRATCH.set(Some(scratch));
            proptest::prop_assert_eq!(got, want, "{:?}", hay);
        }

        /// Digits and separators told quiet without a search hold no free match;
        /// runs of every length up to past the longest card number, with the digits
        /// that patterns start with (`9`, `19`, `20`) often.
        #[test]
        fn digit_runs_told_quiet_hold_no_free_match(
            runs in proptest::collection::vec(
                (0usize..22, proptest::collection::vec(0usize..6, 22), 0usize..7),
                1..6,
            ),
        ) {
            let e = engine_once();
            let ps = e.patterns.as_ref().expect("the default rules have patterns");
            let mut hay = Vec::new();
            for (len, digits, sep) in runs {
                hay.extend(digits[..len].iter().map(|&d| b"019275"[d]));
                hay.push(b",;\t|\n\"/"[sep]);
            }
            if ps.free_digits_are_quiet(&hay) {
                let mut scratch = e.scratch(ps);
                let any = ps.free_matches_any(&mut scratch.caches, &hay);
                SCRATCH.set(Some(scratch));
                proptest::prop_assert!(!any, "{:?}", String::from_utf8_lossy(&hay));
            }
        }
    }

    #[test]
    fn a_numeric_record_is_told_quiet_without_a_search() {
        // Not a matter of correctness: what keeps numeric exports fast.
        let e = engine_once();
        let ps = e
            .patterns
            .as_ref()
            .expect("the default rules have patterns");
        assert!(ps.free_digits_are_quiet(b"123456789,42,1234567,999,1700000000\n"));
        // A card number's length (a free, validated pattern), or a dot, is searched.
        assert!(!ps.free_digits_are_quiet(b"123456789,4111111111111111\n"));
        assert!(!ps.free_digits_are_quiet(b"123456789,1999.50\n"));
    }

    /// Pieces of letterless field values: PII shapes the free patterns report (a test
    /// card, a dashed SSN, an address, phones), shapes only context decides, filler.
    const PIECES: &[&str] = &[
        "4111111111111111",
        "4111 1111 1111 1111",
        "536-22-8119",
        "10.1.2.3",
        "+1 415 555 0100",
        "(415) 555-0100",
        "123456789",
        "12",
        "2024-01-15",
        "3.14",
        "-",
        " ",
        "0",
    ];

    /// `fields` joined by `,`, with each field's range.
    fn record(fields: &[String]) -> (String, Vec<Range<usize>>) {
        let mut text = String::new();
        let mut ranges = Vec::new();
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            ranges.push(text.len()..text.len() + f.len());
            text.push_str(f);
        }
        text.push('\n');
        (text, ranges)
    }

    fn quiet(e: &Engine, text: &str, ranges: &[Range<usize>], names: &[FieldName]) -> bool {
        e.fields_are_quiet(
            text.as_bytes(),
            ranges.iter().zip(names).map(|(r, n)| {
                let ctx = FieldContext {
                    name: Some(n),
                    inferred: None,
                };
                (r.clone(), ctx)
            }),
        )
    }

    #[test]
    fn a_numeric_record_is_quiet_and_one_with_a_value_is_not() {
        let e = engine();
        let names: Vec<FieldName> = ["order_id", "amount", "ts"]
            .iter()
            .map(|n| e.field_name(n))
            .collect();
        let fields = |v: [&str; 3]| v.map(str::to_string);
        let (text, ranges) = record(&fields(["123456789", "1999.50", "1700000000"]));
        assert!(quiet(&e, &text, &ranges, &names));
        let (text, ranges) = record(&fields(["123456789", "4111111111111111", "1700000000"]));
        assert!(!quiet(&e, &text, &ranges, &names), "a card is reported");
        // Under a name that gives context, the bare nine digits are an SSN.
        let ssn_names: Vec<FieldName> = ["ssn", "amount", "ts"]
            .iter()
            .map(|n| e.field_name(n))
            .collect();
        let (text, ranges) = record(&fields(["123456780", "1999.50", "1700000000"]));
        assert!(!quiet(&e, &text, &ranges, &ssn_names));
        // Letters (keywords, inline keys) and long values are left to the field scans.
        let (text, ranges) = record(&fields(["123456789", "ssn", "1700000000"]));
        assert!(!quiet(&e, &text, &ranges, &names));
        let (text, ranges) = record(&fields(["1".repeat(65).as_str(), "1", "2"]));
        assert!(!quiet(&e, &text, &ranges, &names));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1024))]
        /// A record found quiet has no field whose own scan reports anything.
        #[test]
        fn a_quiet_record_has_no_field_that_reports(
            fields in proptest::collection::vec(
                proptest::collection::vec(0..PIECES.len(), 1..4),
                2..6,
            ),
            name in proptest::sample::select(vec!["amount", "ssn", "phone", "note", "zip"]),
        ) {
            let e = engine_once();
            let fields: Vec<String> = fields
                .iter()
                .map(|f| f.iter().map(|&i| PIECES[i]).collect())
                .collect();
            let names: Vec<FieldName> = fields.iter().map(|_| e.field_name(name)).collect();
            let (text, ranges) = record(&fields);
            if quiet(e, &text, &ranges, &names) {
                for (f, n) in fields.iter().zip(&names) {
                    let mut hits = Vec::new();
                    let ctx = FieldContext { name: Some(n), inferred: None };
                    e.scan(f.as_bytes(), 0..f.len(), ctx, |h| hits.push(h));
                    proptest::prop_assert!(hits.is_empty(), "{f:?} under {name}: {hits:?}");
                }
            }
        }
    }

    /// Pieces of log lines: values of gated and free rules, inline keys that do
    /// and do not support them, keywords, and fillers that push a value past the
    /// look-back for line starts (`LOOKBACK`) and the keyword window.
    const LINE_PIECES: &[&str] = &[
        "536-22-8119",
        "123456780",
        "415 555 0100",
        "78907",
        "416992",
        "1983-12-18",
        "zip=",
        "zip: ",
        "bytes=",
        "ssn=",
        "\"dl\": \"",
        "<license>",
        "passport",
        "routing number",
        "phone",
        " ",
        " ",
        "GET /api/v1/items/",
        "T00:05:13Z INFO ",
        "account",
    ];

    proptest::proptest! {
        /// `resume_point` is the byte after the first space or tab past a match's
        /// first byte, for matches anywhere in a haystack, up to `RESUME_SPAN` long.
        #[test]
        fn line_ends_reused_are_the_ones_searched(
            hay in proptest::collection::vec(
                proptest::sample::select(b"ab \n".to_vec()),
                1..1200,
            ),
            matches in proptest::collection::vec((0usize..1200, 1usize..40), 1..12),
        ) {
            // Matches in order along the haystack, as `evaluate` sees them.
            let mut matches: Vec<(usize, usize)> = matches
                .into_iter()
                .map(|(s, l)| (s % hay.len(), l))
                .collect();
            matches.sort_unstable();
            let mut state = ScanState::default();
            state.new_haystack();
            for (start, len) in matches {
                let end = (start + len).min(hay.len());
                let floor = start.saturating_sub(LOOKBACK);
                let ceiling = (end + LOOKBACK).min(hay.len());
                let want_start = hay[floor..start]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(floor, |p| floor + p + 1);
                let want_end = hay[end..ceiling]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(ceiling, |p| end + p);
                proptest::prop_assert_eq!(
                    line_around(&hay, start..end, &mut state),
                    (want_start, want_end)
                );
            }
        }

        /// The gate's line bounds, reused from the last line or found from the line
        /// after it, are those searched from each value, whichever of the gate and
        /// `evaluate` found the last line.
        #[test]
        fn gate_lines_are_the_ones_searched(
            bytes in proptest::collection::vec(0u8..200, 1..1600),
            newlines in proptest::sample::select(vec![0u8, 1, 2, 60]),
            values in proptest::collection::vec((0usize..1600, 1usize..40, proptest::bool::ANY), 1..16),
        ) {
            // Lines from a few bytes to none at all, to past the gate's reach.
            let hay: Vec<u8> = bytes
                .iter()
                .map(|&b| if b < newlines { b'\n' } else if b % 3 == 0 { b' ' } else { b'a' })
                .collect();
            let mut values: Vec<(usize, usize, bool)> = values
                .into_iter()
                .map(|(s, l, gate)| (s % hay.len(), l, gate))
                .collect();
            values.sort_unstable();
            let mut state = ScanState::default();
            state.new_haystack();
            for (start, len, gate) in values {
                if !gate {
                    line_around(&hay, start..(start + len).min(hay.len()), &mut state);
                    continue;
                }
                let floor = start.saturating_sub(LOOKBACK);
                let want_start = hay[floor..start]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(floor, |p| floor + p + 1);
                let ceiling = (want_start + 2 * LOOKBACK).min(hay.len());
                let want_end = match hay[start..ceiling].iter().position(|&b| b == b'\n') {
                    Some(p) => Some(start + p),
                    None => (ceiling == hay.len()).then_some(ceiling),
                };
                proptest::prop_assert_eq!(
                    gate_line(&hay, start, &mut state.line),
                    (want_start, want_end)
                );
            }
        }

        #[test]
        fn resume_points_follow_the_first_blank(
            hay in proptest::collection::vec(
                proptest::sample::select(b" \t01-x\n".to_vec()),
                1..100,
            ),
            start in 0usize..100,
            len in 1usize..80,
        ) {
            let start = start % hay.len();
            let end = (start + len).min(hay.len());
            proptest::prop_assume!(end > start);
            let want = (end - start <= RESUME_SPAN)
                .then(|| hay[start + 1..end].iter().position(|&b| b == b' ' || b == b'\t'))
                .flatten()
                .map(|p| start + p + 2);
            proptest::prop_assert_eq!(resume_point(&hay, start, end), want);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        /// Lines scanned as one haystack report what each line scanned alone does:
        /// context never crosses a line, whatever is cached from line to line
        /// (the last line's ends, its keywords, inline keys' classifications).
        #[test]
        fn lines_scanned_together_report_what_each_line_does(
            lines in proptest::collection::vec(
                proptest::collection::vec((0..LINE_PIECES.len(), 0usize..4, 0usize..400), 1..12),
                1..8,
            ),
        ) {
            let e = engine_once();
            let lines: Vec<String> = lines
                .iter()
                .map(|pieces| {
                    let mut line = String::new();
                    for &(piece, gap, filler) in pieces {
                        if gap == 0 {
                            line.push_str(&"x".repeat(filler));
                            line.push(' ');
                        }
                        line.push_str(LINE_PIECES[piece]);
                        line.push_str(&" ".repeat(gap.min(1)));
                    }
                    line
                })
                .collect();
            let text = lines.join("\n");
            let mut want = Vec::new();
            let mut at = 0;
            for line in &lines {
                want.extend(
                    field_hits(e, "", line.as_bytes(), true)
                        .into_iter()
                        .map(|h| ValueHit {
                            start: h.start + at,
                            end: h.end + at,
                            key: h.key.map(|(a, b)| (a + at, b + at)),
                            ..h
                        }),
                );
                at += line.len() + 1;
            }
            let got = field_hits(e, "", text.as_bytes(), true);
            proptest::prop_assert_eq!(got, want, "{:?}", text);
        }
    }

    /// Inline keys looked up through the slots, the map behind them and its
    /// clearing when full: each key gets its own classification, whatever collides.
    #[test]
    fn inline_keys_keep_their_own_classification() {
        let e = engine_once();
        let mut state = ScanState::default();
        let mut keys: Vec<String> = ["ssn", "zip", "note", "dob", "social_security_number_x"]
            .iter()
            .map(|k| k.to_string())
            .collect();
        keys.push("a_key_longer_than_a_slot_holds_ssn".into());
        keys.extend((0..600).map(|i| format!("k{i}")));
        for round in 0..2 {
            for key in &keys {
                let got = e.inline_info(key.as_bytes(), &mut state);
                let want = e.name_info(key);
                assert_eq!(got.words, want.words, "{key} (round {round})");
                assert_eq!(got.supports_gated, want.supports_gated, "{key}");
            }
        }
        assert!(e.inline_info(b"ssn", &mut state).supports_gated);
        assert!(!e.inline_info(b"note", &mut state).supports_gated);
        // A full map is cleared while `ssn` still sits in its slot: keys that go to
        // other slots fill it, and `ssn` must not then name one of theirs.
        let (_, ssn_slot) = KeySlot::place(b"ssn").expect("a short key");
        let others = (0..)
            .map(|i| format!("other{i}"))
            .filter(|k| KeySlot::place(k.as_bytes()).expect("short").1 != ssn_slot)
            .take(INLINE_CACHE + 1);
        for key in others {
            e.inline_info(key.as_bytes(), &mut state);
        }
        let ssn = e.inline_info(b"ssn", &mut state);
        assert_eq!(ssn.words, e.name_info("ssn").words);
    }

    fn engine_once() -> &'static Engine {
        static E: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
        E.get_or_init(engine)
    }

    #[test]
    fn field_name_context() {
        let e = engine();
        let mut out = Vec::new();
        let text = b"123456780";
        e.scan(
            text,
            0..9,
            FieldContext {
                name: Some(&e.field_name("customers.tax_id")),
                inferred: None,
            },
            |h| out.push(e.rule(h.rule).id.to_string()),
        );
        assert_eq!(out, ["us-ssn"]);
    }

    #[test]
    fn classify_names() {
        let e = engine();
        let best = |n: &str| {
            e.classify_name(n)
                .first()
                .map(|h| e.rule(h.rule).pii_type.clone())
        };
        assert_eq!(best("ssn").as_deref(), Some("ssn"));
        assert_eq!(best("customerSocialSecurityNumber").as_deref(), Some("ssn"));
        assert_eq!(best("first_name").as_deref(), Some("person_name"));
        assert_eq!(best("ip_address").as_deref(), Some("ip_address"));
        assert_eq!(best("session_id"), None);
        let by_comment = |c: &str| e.classify_comment(c).map(|r| e.rule(r).pii_type.clone());
        assert_eq!(
            by_comment("Social security number of the insured").as_deref(),
            Some("ssn")
        );
        assert_eq!(
            by_comment("SSN, stored for payroll").as_deref(),
            Some("ssn")
        );
        assert_eq!(
            by_comment("Customer date of birth").as_deref(),
            Some("date_of_birth")
        );
        assert_eq!(
            by_comment("IP address of the last login").as_deref(),
            Some("ip_address")
        );
        assert_eq!(by_comment("pass-through flag, see the pin docs"), None);
        assert_eq!(by_comment("Loyalty card tier"), None);
    }
}
