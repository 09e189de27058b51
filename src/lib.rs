//! piiscan: find where SSNs and other personal data are stored.
//!
//! The pipeline (see docs/ARCHITECTURE.md): `source` enumerates and sniffs inputs,
//! `extract` turns each format into fields with locations, `engine` matches,
//! validates and scores them against the `rules`, and `report` renders the findings.

#![forbid(unsafe_code)]

pub mod aggregate;
pub mod allow;
pub mod baseline;
pub mod cli;
pub mod config;
pub mod db;
pub mod diagnostic;
pub mod engine;
pub mod extract;
pub mod finding;
pub mod redact;
pub mod remediate;
pub mod report;
pub mod rules;
pub mod scan;
pub mod source;
