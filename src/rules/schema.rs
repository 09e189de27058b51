//! The TOML rule file format. Unknown fields are errors (`deny_unknown_fields`).
//!
//! ```toml
//! disable = ["ip-address"]          # turn off rules by id
//!
//! [[rule]]
//! id = "us-ssn"
//! name = "US Social Security number"
//! pii_type = "ssn"
//! severity = "critical"
//! patterns = ['\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b']
//! validator = "us_ssn"
//! needs_context = "undelimited"
//! keywords = ["ssn", "social security"]
//! examples = ["SSN: 123-45-6780"]
//! negative_examples = ["000-12-3456"]
//! ```

use crate::engine::validators::Validator;
use crate::finding::{Confidence, Severity};
use serde::{Deserialize, Serialize};
use toml::Spanned;

/// One rule file: rules to add or override, and ids to disable.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    #[serde(default)]
    pub disable: Vec<Spanned<String>>,
    #[serde(default)]
    pub rule: Vec<Spanned<RuleDef>>,
}

/// When a value match needs supporting context (a keyword nearby, or a column/key
/// name) before it is reported.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NeedsContext {
    /// Reported on its own; context only raises confidence.
    #[default]
    Never,
    /// Reported on its own only when it contains a separator (`123-45-6789`); a run of
    /// bare digits or letters (`123456789`) needs context.
    Undelimited,
    /// Always needs context (dates of birth, passport numbers).
    Always,
}

/// How the evidence of a value is masked in reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaskStyle {
    /// Every letter and digit but the last four becomes `*` (`***-**-6789`).
    #[default]
    Last4,
    /// First character of the local part and the domain (`j***@example.com`).
    Email,
    /// Every letter and digit becomes `*`; separators stay (`****-**-**`).
    All,
}

/// One detection rule as written in TOML.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    /// Stable identifier: lowercase letters, digits and `-`.
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// What kind of PII (`ssn`, `email`, …); see the vocabulary in docs/RULES.md.
    pub pii_type: String,
    pub severity: Severity,
    /// Confidence of a validated value with no context (default `medium`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<Confidence>,
    /// A single value pattern (byte-oriented regex, ASCII classes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Several value patterns.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub patterns: Vec<String>,
    /// Built-in validator run on every pattern match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validator: Option<Validator>,
    #[serde(default)]
    pub needs_context: NeedsContext,
    /// Words that, near a match or in its column/key name, confirm it (case-insensitive).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// Words that, near a match or in its column/key name, suggest it is something else.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub negative_keywords: Vec<String>,
    /// Column / key names (regexes, matched against the whole name) that hold this PII.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub column_names: Vec<String>,
    /// Every non-empty value stored under a matching column or key is this PII (names and
    /// addresses, which no pattern can validate). Values of other name rules are only
    /// reported when a value rule validates them.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub values_are_pii: bool,
    /// Names that look like `column_names` but are something else (`ip_address` for addresses).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_column_names: Vec<String>,
    /// Text that, immediately before a match, shows it is something else
    /// (`://` before `user@host` in a URL).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_after: Vec<String>,
    #[serde(default)]
    pub mask: MaskStyle,
    /// What to do about it, in one or two sentences.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
    /// Longer explanation for `rules explain`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Text that must be reported by this rule at default settings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<String>,
    /// Text that must not be reported by this rule at default settings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub negative_examples: Vec<String>,
    /// Column / key names that must be classified as this rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub name_examples: Vec<String>,
    /// Column / key names that must not be classified as this rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub name_negative_examples: Vec<String>,
}

impl RuleDef {
    /// All value patterns (`pattern` and `patterns` together).
    pub fn all_patterns(&self) -> impl Iterator<Item = &str> {
        self.pattern
            .iter()
            .chain(self.patterns.iter())
            .map(String::as_str)
    }

    pub fn has_value_patterns(&self) -> bool {
        self.pattern.is_some() || !self.patterns.is_empty()
    }
}
