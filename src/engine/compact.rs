//! An anchored DFA's walk over a 16-bit transition table.
//!
//! The start finder walks its DFA from almost every digit that starts a word; on a
//! log line most walks die after a few bytes, so a walk's cost is its chain of
//! transition look-ups. `dense::DFA::next_state` reads a 32-bit id from a table
//! whose every look-up is bounds-checked. A DFA of at most 1,024 states (the default
//! rules' has about 770) fits its premultiplied ids in 16 bits: the table copied into
//! a `[u16; 65536]` is half the size, and an index that is a `u16` needs no bounds
//! check. Larger DFAs keep walking the dense one.

use regex_automata::dfa::{Automaton, dense};
use regex_automata::util::primitives::StateID;

/// A state that is neither a match, dead nor quit state.
const PLAIN: u16 = 0;
/// A dead or quit state: the walk ends.
const STOP: u16 = 1;
/// A match state's kind is `MATCH + pattern`.
const MATCH: u16 = 2;

pub(super) struct CompactDfa {
    /// By premultiplied state id plus byte class: the next state's id.
    trans: Box<[u16; 1 << 16]>,
    classes: [u8; 256],
    /// Ids above this are plain states (checked with one compare a byte).
    special: u16,
    /// By state index (`id >> stride2`): `PLAIN`, `STOP` or `MATCH + pattern`.
    kinds: Vec<u16>,
    /// By state index: the pattern that matches when the text ends in that state,
    /// plus one (0 for none).
    eoi: Vec<u16>,
    /// Start state by the byte before the walk's start; the last entry for the text
    /// start.
    start: Vec<u16>,
    stride2: u32,
}

impl CompactDfa {
    /// `None` when `dfa`'s ids do not fit (more than 1,024 states of 64 classes) or
    /// it has more patterns than a kind can name.
    pub(super) fn new(dfa: &dense::DFA<Vec<u32>>, start: &[StateID]) -> Option<CompactDfa> {
        let stride2 = u32::try_from(dfa.stride2()).ok()?;
        let stride = 1usize << stride2;
        let fits = |id: StateID| id.as_usize() + stride <= 1 << 16;
        let classes: [u8; 256] = std::array::from_fn(|b| dfa.byte_classes().get(b as u8));
        let mut trans: Box<[u16; 1 << 16]> =
            vec![0u16; 1 << 16].into_boxed_slice().try_into().ok()?;
        let states = (1 << 16) >> stride2;
        let (mut kinds, mut eoi) = (vec![PLAIN; states], vec![0u16; states]);
        let mut seen = vec![false; states];
        let mut todo: Vec<StateID> = Vec::new();
        for &s in start {
            if !fits(s) {
                return None;
            }
            if !seen[s.as_usize() >> stride2] {
                seen[s.as_usize() >> stride2] = true;
                todo.push(s);
            }
        }
        let mut special = 0u16;
        while let Some(s) = todo.pop() {
            let id = s.as_usize();
            let index = id >> stride2;
            let kind = if dfa.is_dead_state(s) || dfa.is_quit_state(s) {
                STOP
            } else if dfa.is_match_state(s) {
                MATCH.checked_add(u16::try_from(dfa.match_pattern(s, 0).as_usize()).ok()?)?
            } else {
                PLAIN
            };
            kinds[index] = kind;
            if kind != PLAIN {
                special = special.max(id as u16);
            }
            let end = dfa.next_eoi_state(s);
            if dfa.is_match_state(end) {
                eoi[index] = u16::try_from(dfa.match_pattern(end, 0).as_usize() + 1).ok()?;
            }
            for b in 0..=255u8 {
                let next = dfa.next_state(s, b);
                if !fits(next) {
                    return None;
                }
                trans[id + usize::from(classes[usize::from(b)])] = next.as_usize() as u16;
                if !seen[next.as_usize() >> stride2] {
                    seen[next.as_usize() >> stride2] = true;
                    todo.push(next);
                }
            }
        }
        Some(CompactDfa {
            trans,
            classes,
            special,
            kinds,
            eoi,
            start: start.iter().map(|s| s.as_usize() as u16).collect(),
            stride2,
        })
    }

    /// The leftmost-first match anchored at `at`: (DFA pattern id, end), as
    /// [`super::prefilter::walk`] finds it; the bytes walked are added to `walked`.
    #[inline(always)]
    pub(super) fn walk(&self, hay: &[u8], at: usize, walked: &mut usize) -> Option<(usize, usize)> {
        let before = at.checked_sub(1).map_or(256, |p| usize::from(hay[p]));
        let mut sid = self.start[before];
        let mut found = None;
        let mut i = at;
        while let Some(&b) = hay.get(i) {
            sid =
                self.trans[usize::from(sid.wrapping_add(u16::from(self.classes[usize::from(b)])))];
            if sid <= self.special {
                match self.kinds[usize::from(sid >> self.stride2)] {
                    PLAIN => {}
                    STOP => {
                        *walked += i + 1 - at;
                        return found;
                    }
                    // Matches are reported one byte late: this one ended before `b`.
                    kind => found = Some((usize::from(kind - MATCH), i)),
                }
            }
            i += 1;
        }
        *walked += hay.len() - at;
        match self.eoi[usize::from(sid >> self.stride2)] {
            0 => found,
            p => Some((usize::from(p - 1), hay.len())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::patterns;
    use proptest::prelude::*;
    use regex_automata::MatchKind;

    fn default_dfa() -> &'static (dense::DFA<Vec<u32>>, Vec<StateID>, CompactDfa) {
        static DFA: std::sync::OnceLock<(dense::DFA<Vec<u32>>, Vec<StateID>, CompactDfa)> =
            std::sync::OnceLock::new();
        DFA.get_or_init(|| {
            let set = crate::rules::RuleSet::builtin().expect("built-in rules load");
            let pats: Vec<String> = set
                .rules
                .iter()
                .flat_map(|r| r.def.all_patterns())
                .filter(|p| !p.contains('@'))
                .map(str::to_string)
                .collect();
            let pats: Vec<&str> = pats.iter().map(String::as_str).collect();
            let (dfa, start) = patterns::anchored_dfa(&pats, MatchKind::LeftmostFirst, 8 << 20)
                .expect("the default patterns compile");
            let compact = CompactDfa::new(&dfa, &start).expect("the default DFA fits");
            (dfa, start, compact)
        })
    }

    #[test]
    fn the_default_rules_fit_and_walk_alike_on_examples() {
        let (dfa, start, compact) = default_dfa();
        let text = b"ssn 536-22-8119, card 4111 1111 1111 1111, call (415) 831-9674 at 10.0.0.1";
        for at in 0..text.len() {
            let (mut a, mut b) = (0, 0);
            assert_eq!(
                compact.walk(text, at, &mut a),
                super::super::prefilter::walk(dfa, start, text, at, &mut b),
                "at {at}"
            );
            assert_eq!(a, b);
        }
    }

    #[test]
    fn a_dfa_too_large_is_refused() {
        // 2,000 alternatives of 12 digits: far more than 1,024 states.
        let pats: Vec<String> = (0..2000).map(|i| format!("{i:012}")).collect();
        let pats: Vec<&str> = pats.iter().map(String::as_str).collect();
        let (dfa, start) =
            patterns::anchored_dfa(&pats, MatchKind::LeftmostFirst, 64 << 20).expect("compiles");
        assert!(CompactDfa::new(&dfa, &start).is_none());
    }

    proptest! {
        #[test]
        fn compact_walks_are_the_dense_walks(
            text in proptest::collection::vec(
                prop_oneof![
                    4 => b'0'..=b'9',
                    1 => proptest::sample::select(b" -.:()/+\t\nABCSTabcefx_#@".to_vec()),
                    1 => any::<u8>(),
                ],
                0..48,
            ),
        ) {
            let (dfa, start, compact) = default_dfa();
            for at in 0..text.len() {
                let (mut a, mut b) = (0, 0);
                prop_assert_eq!(
                    compact.walk(&text, at, &mut a),
                    super::super::prefilter::walk(dfa, start, &text, at, &mut b)
                );
                prop_assert_eq!(a, b);
            }
        }
    }
}
