//! Databases as scan targets: the catalog becomes column declarations, sampled values
//! go through the same field scanning as a dump's rows, so a live `customers.ssn` and
//! the same column in a schema file or dump are one exposure.
//!
//! SQLite is supported today (`sqlite:PATH`, and SQLite files met while walking).

pub mod sqlite;

/// Rows sampled per table unless `--sample-rows` says otherwise.
pub const DEFAULT_SAMPLE_ROWS: u64 = 1000;
