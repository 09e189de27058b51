//! Loading rule files: parse, validate, merge user files over the built-in packs.

use super::schema::{RuleDef, RuleFile};
use crate::engine::patterns;
use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

/// The built-in packs, embedded in the binary. Names are shown in error messages.
pub const BUILTIN_PACKS: &[(&str, &str)] = &[
    (
        "rules/government-ids.toml",
        include_str!("../../rules/government-ids.toml"),
    ),
    (
        "rules/financial.toml",
        include_str!("../../rules/financial.toml"),
    ),
    (
        "rules/contact.toml",
        include_str!("../../rules/contact.toml"),
    ),
    (
        "rules/personal.toml",
        include_str!("../../rules/personal.toml"),
    ),
];

/// A rule file that could not be loaded, with the place to fix.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    #[error("{file}:{line}:{column}: {}{message}", rule_prefix(.rule))]
    Invalid {
        file: String,
        line: usize,
        column: usize,
        rule: Option<String>,
        message: String,
    },
    #[error("cannot read rule file {file}: {source}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
}

fn rule_prefix(rule: &Option<String>) -> String {
    rule.as_ref()
        .map(|r| format!("rule `{r}`: "))
        .unwrap_or_default()
}

/// Where a rule was defined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleOrigin {
    pub file: String,
    pub line: usize,
    pub builtin: bool,
    /// The rule file's text and the rule's byte span in it, to point at examples.
    pub text: Arc<str>,
    pub span: std::ops::Range<usize>,
}

impl RuleOrigin {
    /// Line of the first occurrence of `needle` inside this rule, else the rule's line.
    pub fn line_of(&self, needle: &str) -> usize {
        let body = rule_body(&self.text, self.span.start);
        self.text[body.clone()]
            .find(needle)
            .map_or(self.line, |at| line_col(&self.text, body.start + at).0)
    }
}

/// A validated rule and where it came from.
#[derive(Debug, Clone)]
pub struct LoadedRule {
    pub def: RuleDef,
    pub origin: RuleOrigin,
}

/// The merged, validated rule set a scan runs with.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    pub rules: Vec<LoadedRule>,
}

/// The text of the `[[rule]]` table starting at `start`: up to the next `[[` header.
/// (toml's span of an array-of-tables entry does not cover the entry's body.)
fn rule_body(text: &str, start: usize) -> std::ops::Range<usize> {
    let start = start.min(text.len());
    let rest = &text[start..];
    let end = rest
        .get(1..)
        .and_then(|r| r.find("\n[["))
        .map_or(rest.len(), |e| e + 1);
    start..start + end
}

/// 1-based line and column of a byte offset.
fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = &src.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let col = offset
        - before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1)
        + 1;
    (line, col)
}

/// The id of the `[[rule]]` table that contains `offset`, for error messages about
/// fields serde rejected before the rule was built.
fn enclosing_rule_id(src: &str, offset: usize) -> Option<String> {
    let head = src[..offset.min(src.len())].rfind("[[rule]]")?;
    let section = &src[head..];
    let end = section[8..].find("[[").map_or(section.len(), |e| e + 8);
    section[..end].lines().find_map(|l| {
        let (k, v) = l.split_once('=')?;
        (k.trim() == "id").then(|| v.trim().trim_matches(['"', '\'']).to_string())
    })
}

struct Source<'a> {
    name: &'a str,
    text: &'a str,
    builtin: bool,
}

impl Source<'_> {
    fn error(&self, offset: usize, rule: Option<String>, message: String) -> RuleError {
        let (line, column) = line_col(self.text, offset);
        RuleError::Invalid {
            file: self.name.to_string(),
            line,
            column,
            rule,
            message,
        }
    }

    /// Offset of `key` as a TOML key inside the rule that starts at `span`, to point
    /// errors at the field. The rule's table runs to the next `[[` header.
    fn field_offset(&self, span: &std::ops::Range<usize>, key: &str) -> usize {
        let body = rule_body(self.text, span.start);
        let mut pos = body.start;
        for line in self.text[body.clone()].split_inclusive('\n') {
            let t = line.trim_start();
            if t.starts_with(key) && t[key.len()..].trim_start().starts_with('=') {
                return pos + (line.len() - t.len());
            }
            pos += line.len();
        }
        body.start
    }

    fn parse(&self) -> Result<RuleFile, RuleError> {
        toml::from_str::<RuleFile>(self.text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            self.error(
                offset,
                enclosing_rule_id(self.text, offset),
                e.message().trim().to_string(),
            )
        })
    }

    fn validate(&self, def: &RuleDef, span: &std::ops::Range<usize>) -> Result<(), RuleError> {
        let err = |key: &str, msg: String| {
            Err(self.error(self.field_offset(span, key), Some(def.id.clone()), msg))
        };
        let id_ok = !def.id.is_empty()
            && def
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !def.id.starts_with('-');
        if !id_ok {
            return err(
                "id",
                "`id` must be lowercase letters, digits and `-`".into(),
            );
        }
        if def.pii_type.is_empty()
            || !def
                .pii_type
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'_')
        {
            return err(
                "pii_type",
                "`pii_type` must be lowercase letters and `_` (e.g. `ssn`)".into(),
            );
        }
        if def.pattern.is_some() && !def.patterns.is_empty() {
            return err(
                "patterns",
                "give either `pattern` or `patterns`, not both".into(),
            );
        }
        if !def.has_value_patterns() && def.column_names.is_empty() {
            return err(
                "id",
                "a rule needs `pattern`/`patterns` (values) or `column_names` (names)".into(),
            );
        }
        if !def.has_value_patterns() && def.validator.is_some() {
            return err("validator", "`validator` needs a value `pattern`".into());
        }
        let pattern_key = if def.pattern.is_some() {
            "pattern"
        } else {
            "patterns"
        };
        for (i, p) in def.all_patterns().enumerate() {
            if let Err(msg) = patterns::check(p) {
                return err(
                    pattern_key,
                    format!("pattern {} is not a valid regex: {msg}", i + 1),
                );
            }
        }
        for (key, list) in [
            ("column_names", &def.column_names),
            ("exclude_column_names", &def.exclude_column_names),
        ] {
            // Parsed only: the engine compiles them (a compiled regex here as well
            // would be a third of the start-up time).
            for (i, p) in list.iter().enumerate() {
                if let Err(e) = regex_syntax::Parser::new().parse(p) {
                    return err(
                        key,
                        format!("{key} entry {} is not a valid regex: {e}", i + 1),
                    );
                }
            }
        }
        for (key, list) in [
            ("keywords", &def.keywords),
            ("negative_keywords", &def.negative_keywords),
        ] {
            if list.iter().any(|k| k.trim().is_empty()) {
                return err(key, format!("`{key}` has an empty entry"));
            }
        }
        Ok(())
    }
}

impl RuleSet {
    /// The built-in packs only.
    pub fn builtin() -> Result<RuleSet, RuleError> {
        let mut set = RuleSet::default();
        for (name, text) in BUILTIN_PACKS {
            set.merge(&Source {
                name,
                text,
                builtin: true,
            })?;
        }
        Ok(set)
    }

    /// Built-in packs (unless `no_defaults`) with each user file merged over them in order.
    pub fn load(user_files: &[impl AsRef<Path>], no_defaults: bool) -> Result<RuleSet, RuleError> {
        let mut set = if no_defaults {
            RuleSet::default()
        } else {
            RuleSet::builtin()?
        };
        for path in user_files {
            let path = path.as_ref();
            let name = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|source| RuleError::Read {
                file: name.clone(),
                source,
            })?;
            set.merge(&Source {
                name: &name,
                text: &text,
                builtin: false,
            })?;
        }
        Ok(set)
    }

    /// Parses one rule file from text (used by `rules check FILE` and tests).
    pub fn merge_text(&mut self, name: &str, text: &str) -> Result<(), RuleError> {
        self.merge(&Source {
            name,
            text,
            builtin: false,
        })
    }

    fn merge(&mut self, src: &Source<'_>) -> Result<(), RuleError> {
        let file = src.parse()?;
        let shared: Arc<str> = Arc::from(src.text);
        let mut seen = HashSet::new();
        for spanned in file.rule {
            let span = spanned.span();
            let def = spanned.into_inner();
            src.validate(&def, &span)?;
            if !seen.insert(def.id.clone()) {
                return Err(src.error(
                    src.field_offset(&span, "id"),
                    Some(def.id.clone()),
                    "duplicate rule id in this file".into(),
                ));
            }
            let origin = RuleOrigin {
                file: src.name.to_string(),
                line: line_col(src.text, span.start).0,
                builtin: src.builtin,
                text: shared.clone(),
                span: span.clone(),
            };
            let loaded = LoadedRule { def, origin };
            match self.rules.iter_mut().find(|r| r.def.id == loaded.def.id) {
                Some(existing) => *existing = loaded,
                None => self.rules.push(loaded),
            }
        }
        for id in file.disable {
            let span = id.span();
            let id = id.into_inner();
            let before = self.rules.len();
            self.rules.retain(|r| r.def.id != id);
            if self.rules.len() == before {
                return Err(src.error(
                    span.start,
                    None,
                    format!("`disable` names unknown rule id `{id}`"),
                ));
            }
        }
        Ok(())
    }

    pub fn get(&self, id: &str) -> Option<&LoadedRule> {
        self.rules.iter().find(|r| r.def.id == id)
    }

    /// A short digest of the effective rules, so reports say exactly what ran.
    pub fn digest(&self) -> String {
        let defs: Vec<&RuleDef> = self.rules.iter().map(|r| &r.def).collect();
        let json = serde_json::to_vec(&defs).unwrap_or_default();
        blake3::hash(&json).to_hex()[..16].to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_packs_load() {
        let set = RuleSet::builtin().expect("built-in rules load");
        assert!(set.get("us-ssn").is_some());
    }

    #[test]
    fn typo_field_names_file_line_and_rule() {
        let mut set = RuleSet::default();
        let text = "[[rule]]\nid = \"mine\"\nname = \"x\"\npii_type = \"ssn\"\nseverity = \"high\"\npatern = 'x'\n";
        let err = set.merge_text("my.toml", text).unwrap_err().to_string();
        assert!(err.starts_with("my.toml:6:1: rule `mine`:"), "{err}");
        assert!(err.contains("unknown field `patern`"), "{err}");
    }

    #[test]
    fn bad_regex_names_the_field() {
        let mut set = RuleSet::default();
        let text = "[[rule]]\nid = \"mine\"\nname = \"x\"\npii_type = \"ssn\"\nseverity = \"high\"\n\npattern = '[0-9'\n";
        let err = set.merge_text("my.toml", text).unwrap_err().to_string();
        assert!(
            err.starts_with("my.toml:7:1: rule `mine`: pattern 1 is not a valid regex"),
            "{err}"
        );
    }

    #[test]
    fn override_and_disable() {
        let mut set = RuleSet::builtin().unwrap();
        let n = set.rules.len();
        let text = "disable = [\"ip-address\"]\n[[rule]]\nid = \"us-ssn\"\nname = \"Mine\"\npii_type = \"ssn\"\nseverity = \"low\"\npattern = '[0-9]{3}-[0-9]{2}-[0-9]{4}'\n";
        set.merge_text("u.toml", text).unwrap();
        assert_eq!(set.rules.len(), n - 1);
        assert_eq!(set.get("us-ssn").unwrap().def.name, "Mine");
        assert!(set.get("ip-address").is_none());
        let err = set
            .merge_text("u.toml", "disable = [\"nope\"]\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("u.toml:1:"), "{err}");
    }
}
