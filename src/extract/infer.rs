//! Inferring what a column stores from its values, when its name says nothing
//! (`emp_ref` full of SSNs).
//!
//! The first `SAMPLE` values of each column are checked context-free against the
//! rules that have a validator. A column is inferred to hold type T when
//! - at least `MIN_VALUES` (50) non-empty values were sampled,
//! - at most 1% of them (rounded down: none below 100 values) fail to validate as T
//!   — random 9-digit numbers pass the SSN rules 88% of the time, genuine SSNs 100%,
//! - the values are not an ID sequence (over half of consecutive numeric values within
//!   1,000 of each other), and
//! - the column's name does not say it holds another PII type.
//!
//! The inferred type then supports values of T like a matching column name would.

use crate::engine::Engine;
use std::collections::HashMap;

/// Values per column looked at before deciding.
pub const SAMPLE: usize = 100;
/// Fewest non-empty values to infer anything from.
pub const MIN_VALUES: u32 = 50;

#[derive(Debug, Default, Clone)]
struct ColumnStats {
    values: u32,
    /// Valid values per PII type.
    by_type: HashMap<String, u32>,
    last_number: Option<u64>,
    numeric_pairs: u32,
    close_pairs: u32,
}

/// Collects evidence per column and decides.
#[derive(Debug, Default, Clone)]
pub struct ColumnInference {
    columns: Vec<ColumnStats>,
}

impl ColumnInference {
    pub fn observe(&mut self, engine: &Engine, column: usize, value: &[u8]) {
        let v = value.trim_ascii();
        if v.is_empty() || v.eq_ignore_ascii_case(b"null") || v == b"\\N" {
            return;
        }
        if self.columns.len() <= column {
            self.columns.resize_with(column + 1, ColumnStats::default);
        }
        let c = &mut self.columns[column];
        c.values += 1;
        let mut types: Vec<&str> = engine
            .whole_value_rules(v)
            .into_iter()
            .map(|r| engine.rule(r).pii_type.as_ref())
            .collect();
        types.dedup();
        for t in types {
            *c.by_type.entry(t.to_string()).or_default() += 1;
        }
        if let Some(n) = std::str::from_utf8(v)
            .ok()
            .filter(|s| s.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|s| s.parse::<u64>().ok())
        {
            if let Some(prev) = c.last_number {
                c.numeric_pairs += 1;
                if prev.abs_diff(n) < 1000 {
                    c.close_pairs += 1;
                }
            }
            c.last_number = Some(n);
        }
    }

    /// The PII type column `column` holds, if the evidence is strong enough.
    /// `name_types`: PII types the column's name already says (which veto others).
    pub fn decide(&self, column: usize, name_types: &[&str]) -> Option<String> {
        let c = self.columns.get(column)?;
        if c.values < MIN_VALUES || c.close_pairs * 2 > c.numeric_pairs {
            return None;
        }
        let allowed_misses = c.values / 100;
        let (t, n) = c
            .by_type
            .iter()
            .filter(|(_, n)| c.values - **n <= allowed_misses)
            .max_by_key(|(t, n)| (**n, std::cmp::Reverse((*t).clone())))?;
        let _ = n;
        (name_types.is_empty() || name_types.contains(&t.as_str())).then(|| t.clone())
    }
}

/// PII types a column name says it holds (name rules with high confidence).
pub fn name_types<'e>(engine: &'e Engine, name: Option<&str>) -> Vec<&'e str> {
    let Some(name) = name else { return Vec::new() };
    engine
        .classify_name(name)
        .into_iter()
        .filter(|h| h.confidence == crate::finding::Confidence::High)
        .map(|h| engine.rule(h.rule).pii_type.as_ref())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSet;

    fn engine() -> Engine {
        Engine::new(&RuleSet::builtin().unwrap()).unwrap()
    }

    fn ssn(i: u64) -> String {
        format!(
            "{}{:02}{:04}",
            100 + (i * 37) % 799,
            1 + (i * 13) % 98,
            1 + (i * 7919) % 9998
        )
    }

    #[test]
    fn ssn_column_is_inferred() {
        let e = engine();
        let mut inf = ColumnInference::default();
        for i in 0..60 {
            inf.observe(&e, 0, ssn(i).as_bytes());
        }
        assert_eq!(inf.decide(0, &[]).as_deref(), Some("ssn"));
        // A name of another type vetoes it.
        assert_eq!(inf.decide(0, &["postal_code"]), None);
    }

    #[test]
    fn too_few_random_or_sequential_values_are_not() {
        let e = engine();
        let mut few = ColumnInference::default();
        for i in 0..20 {
            few.observe(&e, 0, ssn(i).as_bytes());
        }
        assert_eq!(few.decide(0, &[]), None);
        let mut ids = ColumnInference::default();
        for i in 0..100u64 {
            ids.observe(&e, 0, (100_000_001 + i).to_string().as_bytes());
        }
        assert_eq!(ids.decide(0, &[]), None, "sequential ids");
        let mut random = ColumnInference::default();
        let mut x: u64 = 12345;
        for _ in 0..200 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            random.observe(
                &e,
                0,
                format!("{:09}", (x >> 33) % 1_000_000_000).as_bytes(),
            );
        }
        assert_eq!(random.decide(0, &[]), None, "random 9-digit numbers");
    }
}
