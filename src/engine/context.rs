//! Context around a match: identifier words, keywords nearby, inline `key: value`
//! names in free text, and token boundaries.

use super::{block, swar};
use std::ops::Range;

/// Splits an identifier into lowercase words: `customerSSN_v2` → `customer ssn v2`,
/// `$.users[*].tax-id` → `users tax id`.
pub fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        // camelCase boundary: aB, or the last capital of an acronym before a lowercase (SSNNumber).
        let boundary = match prev {
            Some(p) if p.is_lowercase() && c.is_uppercase() => true,
            Some(p) if p.is_uppercase() && c.is_uppercase() => next.is_some_and(char::is_lowercase),
            _ => false,
        };
        if boundary && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The last segment of a key path, column reference or JSON path (`$.a.b[*].ssn` → `ssn`).
pub fn leaf(name: &str) -> &str {
    name.split(['.', '/', '[', ']', ':'])
        .map(|s| s.trim_matches(['"', '`', '\'', ' ']))
        .rfind(|s| {
            !s.is_empty() && *s != "*" && *s != "$" && !s.bytes().all(|b| b.is_ascii_digit())
        })
        .unwrap_or(name)
}

/// `Some` when `needle` (as words) occurs as consecutive words of `hay`.
pub fn contains_words(hay: &[String], needle: &[String]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// `snake_case` rendering of an identifier's words (`socialSecurityNumber` → `social_security_number`).
pub fn snake(name: &str) -> String {
    words(name).join("_")
}

/// The bit of the first two bytes of `word` (lowercased, little-endian) in
/// `KeywordMatcher::pairs`.
fn pair_index(word: u64) -> usize {
    (word & 0xffff) as usize
}

/// The bit of a hash of the first four bytes of `word` in `KeywordMatcher::quads`.
fn quad_index(word: u64) -> usize {
    ((word as u32).wrapping_mul(0x9e37_79b1) >> 16) as usize
}

fn set_bit(bits: &mut [u64], i: usize) {
    bits[i >> 6] |= 1 << (i & 63);
}

fn has_bit(bits: &[u64], i: usize) -> bool {
    bits[i >> 6] & (1 << (i & 63)) != 0
}

/// Finds rule keywords in text windows, case-insensitively, on word boundaries.
///
/// A keyword counts only where it starts a word (`on_word_boundary`), so only word
/// starts are looked at: each is checked against the few keywords that begin with its
/// byte. On log lines this is several times faster than running a keyword automaton
/// over every byte (an overlapping Aho-Corasick search, which the tests use as the
/// reference).
pub struct KeywordMatcher {
    /// The keywords, sorted by first byte.
    keywords: Vec<Keyword>,
    /// Each keyword's `(prefix, mask)`, in the same order, apart: the compare loop
    /// over a first byte's keywords reads only these.
    heads: Vec<(u64, u64)>,
    /// The range of `keywords` that starts with each (lowercased) byte.
    by_first: Vec<(u32, u32)>,
    /// Most word starts begin no keyword, and are passed over with a look-up or two
    /// instead of a compare per keyword of their first letter: one bit per
    /// (lowercased) first two bytes of a keyword of up to three bytes (a one-byte
    /// keyword sets every second byte), and one per hash of the first four bytes of
    /// the longer ones.
    pairs: Vec<u64>,
    quads: Vec<u64>,
    /// One bit per first two bytes of any keyword, each byte with its `0x20` bit
    /// set (which lowercases a letter and leaves the other bytes of a keyword as
    /// they are): the bytes of a block tell most word starts apart without loading
    /// the eight bytes `hits_at` folds.
    leads: Vec<u64>,
    /// Every keyword starts with an ASCII letter (the usual case): word starts can be
    /// found eight bytes at a time.
    letters_first: bool,
    /// For each keyword: (rule index, true if positive / false if negative).
    owners: Vec<Vec<(usize, bool)>>,
    /// For each keyword: positive for a rule that needs context (see `gates`).
    gating: Vec<bool>,
}

impl KeywordMatcher {
    /// `gated[rule]` marks the rules that report only with context.
    pub fn new(keywords: &[(String, usize, bool)], gated: &[bool]) -> KeywordMatcher {
        let mut uniq: Vec<Vec<u8>> = Vec::new();
        let mut owners: Vec<Vec<(usize, bool)>> = Vec::new();
        for (kw, rule, positive) in keywords {
            let kw = kw.as_bytes().to_ascii_lowercase();
            if kw.is_empty() {
                continue;
            }
            match uniq.iter().position(|k| *k == kw) {
                Some(i) => owners[i].push((*rule, *positive)),
                None => {
                    uniq.push(kw);
                    owners.push(vec![(*rule, *positive)]);
                }
            }
        }
        let mut sorted: Vec<Keyword> = uniq
            .iter()
            .enumerate()
            .map(|(id, text)| {
                let mut prefix = [0u8; 8];
                let mut mask = [0u8; 8];
                let n = text.len().min(8);
                prefix[..n].copy_from_slice(&text[..n]);
                mask[..n].fill(0xff);
                Keyword {
                    text: text.clone(),
                    id: id as u32,
                    prefix: u64::from_le_bytes(prefix),
                    mask: u64::from_le_bytes(mask),
                }
            })
            .collect();
        sorted.sort_by_key(|k| k.text[0]);
        let mut by_first = vec![(0u32, 0u32); 256];
        for (i, kw) in sorted.iter().enumerate() {
            let slot = &mut by_first[usize::from(kw.text[0])];
            if slot.0 == slot.1 {
                slot.0 = i as u32;
            }
            slot.1 = i as u32 + 1;
        }
        let gating = owners
            .iter()
            .map(|o| o.iter().any(|&(r, positive)| positive && gated[r]))
            .collect();
        let (mut pairs, mut quads) = (vec![0u64; 1 << 10], vec![0u64; 1 << 10]);
        let mut leads = vec![0u64; 1 << 10];
        for kw in &sorted {
            let first = usize::from(kw.text[0] | 0x20) << 8;
            match kw.text.get(1) {
                Some(&b) => set_bit(&mut leads, first | usize::from(b | 0x20)),
                None => (0..256).for_each(|b| set_bit(&mut leads, first | b)),
            }
        }
        for kw in &sorted {
            if kw.text.len() >= 4 {
                set_bit(&mut quads, quad_index(kw.prefix));
                continue;
            }
            let seconds = match kw.text.get(1) {
                Some(&b) => b..=b,
                None => 0..=255,
            };
            for b in seconds {
                set_bit(
                    &mut pairs,
                    pair_index(u64::from(kw.text[0]) | u64::from(b) << 8),
                );
            }
        }
        KeywordMatcher {
            letters_first: uniq.iter().all(|k| k[0].is_ascii_alphabetic()),
            heads: sorted.iter().map(|k| (k.prefix, k.mask)).collect(),
            keywords: sorted,
            by_first,
            pairs,
            quads,
            leads,
            owners,
            gating,
        }
    }

    /// True when `hits` holds, at or after `from`, a positive keyword of a rule that
    /// needs context.
    pub fn gates(&self, hits: &[KeywordHit], from: usize) -> bool {
        hits.iter()
            .any(|h| h.start >= from && self.gating[h.keyword])
    }

    /// True when every keyword starts with an ASCII letter: text without letters holds
    /// no keyword.
    pub fn needs_letters(&self) -> bool {
        self.letters_first
    }

    /// Every keyword in `hay[span]` that stands on word boundaries, in order of start.
    pub fn hits(&self, hay: &[u8], span: Range<usize>, out: &mut Vec<KeywordHit>) {
        out.clear();
        let mut s = span.start;
        if self.letters_first {
            // 64 bytes at a time: only the letters that start a word are looked up,
            // and only those whose first two bytes start a keyword (the byte after
            // the block is the window's last; a word start at the span's end takes
            // it or the padding, and `hits_at` then finds no keyword that fits).
            while s < span.end {
                let mut spare = [0; block::BLOCK + 2];
                let (window, n) = block::window(hay, s, 0, &mut spare);
                let n = n.min(span.end - s);
                let mut starts = block::letter_starts(window) & block::first(n);
                while starts != 0 {
                    let i = starts.trailing_zeros() as usize;
                    let lead =
                        usize::from(window[i + 1] | 0x20) << 8 | usize::from(window[i + 2] | 0x20);
                    if has_bit(&self.leads, lead) {
                        self.hits_at(hay, s + i, span.end, out);
                    }
                    starts &= starts - 1;
                }
                s += n;
            }
            return;
        }
        let mut after_alnum = s > 0 && hay[s - 1].is_ascii_alphanumeric();
        for at in s..span.end {
            // A keyword glued to a letter or digit before it is not a word.
            if !after_alnum {
                self.hits_at(hay, at, span.end, out);
            }
            after_alnum = hay[at].is_ascii_alphanumeric();
        }
    }

    /// The keywords that start at `at` (a word start), end by `end` and stand on
    /// word boundaries.
    #[inline]
    fn hits_at(&self, hay: &[u8], at: usize, end: usize, out: &mut Vec<KeywordHit>) {
        // The next eight bytes (zeros past `end`), letters lowercased.
        let n = (end - at).min(8);
        let next = match hay.get(at..at + 8) {
            Some(word) => {
                let word = u64::from_le_bytes(word.try_into().expect("8 bytes"));
                if n == 8 {
                    word
                } else {
                    word & ((1 << (8 * n)) - 1)
                }
            }
            None => swar::load_cold(&hay[at..at + n]),
        };
        let folded = next | swar::letters_and_alnum(next).0 >> 2;
        if has_bit(&self.pairs, pair_index(folded))
            || n >= 4 && has_bit(&self.quads, quad_index(folded))
        {
            self.compare_at(hay, at, end, folded, out);
        }
    }

    /// `hits_at` past its filter: each keyword of the first byte of `folded` (the
    /// eight bytes at `at`, letters lowercased) compared there.
    #[inline(never)]
    fn compare_at(
        &self,
        hay: &[u8],
        at: usize,
        end: usize,
        folded: u64,
        out: &mut Vec<KeywordHit>,
    ) {
        // Each keyword of that first byte: its first eight bytes against them.
        let (from, to) = self.by_first[(folded & 0xff) as usize];
        let (from, to) = (from as usize, to as usize);
        for (k, &(prefix, mask)) in self.heads[from..to].iter().enumerate() {
            if folded & mask != prefix {
                continue;
            }
            let kw = &self.keywords[from + k];
            let e = at + kw.text.len();
            if e <= end
                && (kw.text.len() <= 8 || hay[at + 8..e].eq_ignore_ascii_case(&kw.text[8..]))
                && on_word_boundary(hay, at, e)
            {
                out.push(KeywordHit {
                    start: at,
                    end: e,
                    keyword: kw.id as usize,
                });
            }
        }
    }

    /// (positive, negative) keyword presence for `rule` among `hits` inside `window`,
    /// ignoring keywords inside `skip` (the match itself).
    pub fn find(
        &self,
        hits: &[KeywordHit],
        hay: &[u8],
        window: Range<usize>,
        skip: Range<usize>,
        rule: usize,
    ) -> (bool, bool) {
        let (mut pos, mut neg) = (false, false);
        for h in hits {
            if h.start < window.start
                || h.end > window.end
                || (h.start < skip.end && h.end > skip.start)
            {
                continue;
            }
            // After the match, a keyword directly followed by a number is the label of
            // that next value (`… 021000021 account number 4820173349`), not of this one.
            if h.start >= skip.end && labels_next_value(hay, h.end, window.end) {
                continue;
            }
            for &(r, positive) in &self.owners[h.keyword] {
                if r == rule {
                    if positive { pos = true } else { neg = true }
                }
            }
        }
        (pos, neg)
    }
}

/// A keyword, ASCII-lowercased, with its first eight bytes as a little-endian word
/// (`prefix`, `mask` covering its length) for a one-compare first check.
struct Keyword {
    text: Vec<u8>,
    /// Index into `KeywordMatcher::owners` / `gating`.
    id: u32,
    prefix: u64,
    mask: u64,
}

/// A keyword found in the text.
#[derive(Debug, Clone, Copy)]
pub struct KeywordHit {
    pub start: usize,
    pub end: usize,
    keyword: usize,
}

/// True when `hay[from..]` continues with optional `:`, `=`, `#`, `.`, spaces, then a digit.
fn labels_next_value(hay: &[u8], from: usize, limit: usize) -> bool {
    hay[from..limit.min(hay.len())]
        .iter()
        .find(|b| !matches!(b, b' ' | b'\t' | b':' | b'=' | b'#' | b'.' | b'"' | b'\''))
        .is_some_and(u8::is_ascii_digit)
}

/// A keyword counts when it is not glued to other letters/digits (a plural `s` is allowed).
fn on_word_boundary(hay: &[u8], start: usize, end: usize) -> bool {
    let alnum = |i: usize| hay.get(i).is_some_and(u8::is_ascii_alphanumeric);
    let before_ok = start == 0 || !alnum(start - 1);
    let after_ok = !alnum(end) || (matches!(hay[end], b's' | b'S') && !alnum(end + 1));
    before_ok && after_ok
}

/// A match must stand alone as a token: not glued to letters/digits, and not a piece
/// of a longer dotted or dashed number (`555-123-45-6789`, `1.2.3.4.5`).
pub fn is_token(hay: &[u8], start: usize, end: usize) -> bool {
    let digit = |i: usize| hay.get(i).is_some_and(u8::is_ascii_digit);
    let alnum = |i: usize| hay.get(i).is_some_and(u8::is_ascii_alphanumeric);
    // Commas are not joiners: they separate CSV fields far more often than thousands.
    let joiner = |i: usize| hay.get(i).is_some_and(|b| matches!(b, b'.' | b'-' | b'/'));
    if hay[start].is_ascii_alphanumeric() && start > 0 {
        if alnum(start - 1) {
            return false;
        }
        if hay[start].is_ascii_digit() && start > 1 && joiner(start - 1) && digit(start - 2) {
            return false;
        }
    }
    if end > start && hay[end - 1].is_ascii_alphanumeric() {
        if alnum(end) {
            return false;
        }
        if hay[end - 1].is_ascii_digit() && joiner(end) && digit(end + 1) {
            return false;
        }
    }
    true
}

/// In free text, the key a value is written under: `ssn: 123…`, `"tax_id": "…"`,
/// `ssn=…`, `<ssn>…`. Returns the key's byte range.
pub fn inline_key(hay: &[u8], line_start: usize, value_start: usize) -> Option<(usize, usize)> {
    let mut i = value_start;
    // Sets as predicates, not `<[u8]>::contains`, which calls `memchr` for four bytes.
    let skip_back = |i: &mut usize, set: fn(u8) -> bool| {
        while *i > line_start && set(hay[*i - 1]) {
            *i -= 1;
        }
    };
    skip_back(&mut i, |b| matches!(b, b' ' | b'\t' | b'"' | b'\''));
    if i == line_start {
        return None;
    }
    match hay[i - 1] {
        b':' | b'=' => {
            i -= 1;
            if i > line_start && matches!(hay[i - 1], b':' | b'=' | b'!' | b'<' | b'>') {
                return None; // `==`, `:=` comparisons and `!=`, `<=`, `>=`
            }
        }
        b'>' if i >= 2 && hay[i - 2] != b'=' && hay[i - 2] != b'-' => {
            // <ssn>value: the tag name
            let close = i - 1;
            let open = hay[line_start..close].iter().rposition(|&b| b == b'<')? + line_start;
            let name_end = hay[open + 1..close]
                .iter()
                .position(|b| {
                    !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b':' | b'.'))
                })
                .map_or(close, |p| open + 1 + p);
            return (name_end > open + 1).then_some((open + 1, name_end));
        }
        _ => return None,
    }
    skip_back(&mut i, |b| matches!(b, b' ' | b'\t' | b'"' | b'\'' | b'`'));
    let end = i;
    while i > line_start
        && (hay[i - 1].is_ascii_alphanumeric()
            || matches!(hay[i - 1], b'_' | b'-' | b'.' | b'[' | b']' | b'$'))
    {
        i -= 1;
    }
    let key = &hay[i..end];
    (key.iter().any(u8::is_ascii_alphabetic) && key.len() <= 64).then_some((i, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifier_words() {
        assert_eq!(words("customerSSN_v2"), ["customer", "ssn", "v2"]);
        assert_eq!(words("SSNNumber"), ["ssn", "number"]);
        assert_eq!(words("$.users[*].tax-id"), ["users", "tax", "id"]);
        assert_eq!(snake("socialSecurityNumber"), "social_security_number");
    }

    #[test]
    fn leaves() {
        assert_eq!(leaf("$.customer.ssn"), "ssn");
        assert_eq!(leaf("users[*].ssn"), "ssn");
        assert_eq!(leaf("public.customers.\"tax_id\""), "tax_id");
        assert_eq!(leaf("ssn"), "ssn");
    }

    #[test]
    fn inline_keys() {
        let k = |s: &str| {
            let at = s.find('#').unwrap();
            let hay = s.replace('#', "1");
            inline_key(hay.as_bytes(), 0, at).map(|(a, b)| hay[a..b].to_string())
        };
        assert_eq!(k("ssn: #"), Some("ssn".into()));
        assert_eq!(k("  \"tax_id\": \"#"), Some("tax_id".into()));
        assert_eq!(k("user.ssn=#"), Some("user.ssn".into()));
        assert_eq!(k("<ssn>#"), Some("ssn".into()));
        assert_eq!(k("total #"), None);
        assert_eq!(k("if a == #"), None);
        assert_eq!(k("12:#"), None);
    }

    /// The reference: every overlapping occurrence of a keyword (Aho-Corasick,
    /// ASCII case-insensitive) that stands on word boundaries.
    fn reference_hits(keywords: &[&str], hay: &[u8], span: Range<usize>) -> Vec<(usize, usize)> {
        let ac = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(keywords)
            .unwrap();
        let mut hits: Vec<(usize, usize)> = ac
            .find_overlapping_iter(&hay[span.clone()])
            .map(|m| (span.start + m.start(), span.start + m.end()))
            .filter(|&(s, e)| on_word_boundary(hay, s, e))
            .collect();
        hits.sort_unstable();
        hits.dedup();
        hits
    }

    const KEYWORDS: &[&str] = &[
        "ssn",
        "ss#",
        "ss no",
        "social security",
        "social security number",
        "soc sec",
        "d.o.b",
        "dob",
        "driver's license",
        "acct",
        "acct no",
        "tin",
        "x",
        "#tag",
        "2fa",
    ];

    fn matcher_hits(m: &KeywordMatcher, hay: &[u8], span: Range<usize>) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        m.hits(hay, span, &mut out);
        let mut hits: Vec<(usize, usize)> = out.iter().map(|h| (h.start, h.end)).collect();
        hits.sort_unstable();
        hits
    }

    #[test]
    fn keyword_hits_on_word_starts() {
        let owned: Vec<(String, usize, bool)> =
            KEYWORDS.iter().map(|k| (k.to_string(), 0, true)).collect();
        let m = KeywordMatcher::new(&owned, &[true]);
        let hay = b"SSN: 1, ssns 2, xssn 3, Social Security Number 4, acct no. 5, d.o.b 6, #tag";
        let found: Vec<&[u8]> = matcher_hits(&m, hay, 0..hay.len())
            .into_iter()
            .map(|(s, e)| &hay[s..e])
            .collect();
        assert_eq!(
            found,
            [
                &b"SSN"[..],
                b"ssn",
                b"Social Security",
                b"Social Security Number",
                b"acct",
                b"acct no",
                b"d.o.b",
                b"#tag"
            ]
        );
        // A span cut inside a keyword finds no part of it; context before the span
        // still decides the boundary.
        assert!(matcher_hits(&m, hay, 1..3).is_empty());
        assert!(matcher_hits(&m, b"assn", 1..4).is_empty());
    }

    proptest::proptest! {
        #[test]
        fn keyword_hits_match_the_automaton(
            pieces in proptest::collection::vec(0usize..24, 0..40),
            upper in proptest::collection::vec(proptest::bool::ANY, 40),
            cut in (0usize..8, 0usize..8),
        ) {
            const FILLER: &[&str] = &[" ", ".", "_", "-", "#", "s", "'", "7", "a", "\n"];
            let mut hay = Vec::new();
            for (i, &p) in pieces.iter().enumerate() {
                let text = if p < KEYWORDS.len() { KEYWORDS[p] } else { FILLER[p - KEYWORDS.len()] };
                if upper[i] {
                    hay.extend(text.bytes().map(|b| b.to_ascii_uppercase()));
                } else {
                    hay.extend_from_slice(text.as_bytes());
                }
            }
            let start = cut.0.min(hay.len());
            let end = hay.len().saturating_sub(cut.1).max(start);
            // All keywords (some start with `#` or a digit), and only those that start
            // with a letter (the eight-bytes-at-a-time path).
            let letters: Vec<&str> = KEYWORDS
                .iter()
                .copied()
                .filter(|k| k.as_bytes()[0].is_ascii_alphabetic())
                .collect();
            for list in [KEYWORDS, &letters[..]] {
                let owned: Vec<(String, usize, bool)> =
                    list.iter().map(|k| (k.to_string(), 0, true)).collect();
                let m = KeywordMatcher::new(&owned, &[true]);
                proptest::prop_assert_eq!(
                    matcher_hits(&m, &hay, start..end),
                    reference_hits(list, &hay, start..end)
                );
            }
        }
    }

    #[test]
    fn tokens() {
        let t = |s: &str, a: usize, b: usize| is_token(s.as_bytes(), a, b);
        assert!(t("x 123-45-6789 y", 2, 13));
        assert!(!t("x555-123-45-6789", 5, 16));
        assert!(!t("a123456789", 1, 10));
        assert!(!t("1.2.3.4.5", 0, 7));
        assert!(t("IP 1.2.3.4.", 3, 10));
        assert!(t("1,402-71-3356,6", 2, 13));
    }
}
