//! `piiscan rules check`: every rule's examples run through the whole pipeline
//! (pattern, validator, context scoring) and must give the expected verdict.

use super::{LoadedRule, RuleSet};
use crate::engine::{Engine, FieldContext};
use crate::finding::Confidence;
use std::fmt;

/// The confidence at which an example counts as reported: the default `--min-confidence`.
pub const REPORTED_AT: Confidence = Confidence::Medium;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckFailure {
    pub file: String,
    pub line: usize,
    pub rule: String,
    pub message: String,
}

impl fmt::Display for CheckFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: rule `{}`: {}",
            self.file, self.line, self.rule, self.message
        )
    }
}

#[derive(Debug, Default)]
pub struct CheckReport {
    pub rules: usize,
    pub examples: usize,
    pub failures: Vec<CheckFailure>,
}

/// True when `text`, scanned as free text, is reported by rule `idx` at default settings.
pub fn reports(engine: &Engine, idx: usize, text: &str) -> bool {
    let mut found = false;
    engine.scan(
        text.as_bytes(),
        0..text.len(),
        FieldContext::default(),
        |h| {
            found |= h.rule == idx && h.confidence >= REPORTED_AT;
        },
    );
    found
}

/// Runs the examples of every rule for which `select` is true.
/// With `require_examples`, a rule without examples is a failure too.
pub fn check(
    set: &RuleSet,
    engine: &Engine,
    select: impl Fn(&LoadedRule) -> bool,
    require_examples: bool,
) -> CheckReport {
    let mut report = CheckReport::default();
    for (idx, loaded) in set.rules.iter().enumerate() {
        if !select(loaded) {
            continue;
        }
        report.rules += 1;
        let def = &loaded.def;
        let mut fail = |needle: &str, message: String| {
            report.failures.push(CheckFailure {
                file: loaded.origin.file.clone(),
                line: loaded.origin.line_of(needle),
                rule: def.id.clone(),
                message,
            });
        };
        if require_examples {
            if def.has_value_patterns()
                && (def.examples.is_empty() || def.negative_examples.is_empty())
            {
                fail(
                    "id",
                    "a value rule needs `examples` and `negative_examples`".into(),
                );
            }
            if !def.column_names.is_empty()
                && (def.name_examples.is_empty() || def.name_negative_examples.is_empty())
            {
                fail(
                    "id",
                    "a name rule needs `name_examples` and `name_negative_examples`".into(),
                );
            }
        }
        for (i, ex) in def.examples.iter().enumerate() {
            if !reports(engine, idx, ex) {
                fail(ex, format!("example {} {ex:?} is not reported", i + 1));
            }
        }
        for (i, ex) in def.negative_examples.iter().enumerate() {
            if reports(engine, idx, ex) {
                fail(ex, format!("negative example {} {ex:?} is reported", i + 1));
            }
        }
        for (i, name) in def.name_examples.iter().enumerate() {
            if !engine.classify_name(name).iter().any(|h| h.rule == idx) {
                fail(
                    name,
                    format!(
                        "name example {} {name:?} is not classified as this rule",
                        i + 1
                    ),
                );
            }
        }
        for (i, name) in def.name_negative_examples.iter().enumerate() {
            if engine.classify_name(name).iter().any(|h| h.rule == idx) {
                fail(
                    name,
                    format!(
                        "negative name example {} {name:?} is classified as this rule",
                        i + 1
                    ),
                );
            }
        }
        report.examples += def.examples.len()
            + def.negative_examples.len()
            + def.name_examples.len()
            + def.name_negative_examples.len();
    }
    report
}
