//! Rules: the TOML format, loading and merging packs, and `rules check`.

pub mod check;
pub mod load;
pub mod schema;

pub use load::{LoadedRule, RuleError, RuleOrigin, RuleSet};
pub use schema::{MaskStyle, NeedsContext, RuleDef};
