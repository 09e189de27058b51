//! Command-line definitions (clap derive only; behaviour lives in the library).

use crate::extract::text::DEFAULT_CHUNK;
use crate::finding::{Confidence, Severity};
use crate::report::Format;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Find where Social Security numbers and other personal data are stored.
///
/// piiscan scans schemas, dumps, exports, config files and logs, validates every
/// candidate (SSN rules, Luhn, mod-97, ABA checksums) and uses context (keys,
/// column names, nearby keywords) before it reports. Values are masked unless
/// --show-values is given.
#[derive(Debug, Parser)]
#[command(name = "piiscan", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files, directories or standard input (`-`) for stored PII.
    Scan(Box<ScanArgs>),
    /// List, check and explain detection rules.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Clone, Args)]
pub struct RuleArgs {
    /// Load a rule file over the built-in packs (repeatable): adds rules, overrides
    /// built-in rules with the same id, disables rules listed in `disable = [...]`.
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,
    /// Do not load the built-in rule packs.
    #[arg(long)]
    pub no_default_rules: bool,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List the effective rules.
    List {
        #[command(flatten)]
        rules: RuleArgs,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Load rule files and run every example and negative example through the engine.
    Check {
        /// Rule files to check over the built-in packs (the built-ins are checked too).
        #[arg(value_name = "FILE")]
        files: Vec<PathBuf>,
        #[command(flatten)]
        rules: RuleArgs,
    },
    /// Show everything about one rule.
    Explain {
        /// Rule id, e.g. `us-ssn`.
        id: String,
        #[command(flatten)]
        rules: RuleArgs,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum When {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ConfidenceArg {
    Low,
    Medium,
    High,
}

impl From<ConfidenceArg> for Confidence {
    fn from(c: ConfidenceArg) -> Self {
        match c {
            ConfidenceArg::Low => Confidence::Low,
            ConfidenceArg::Medium => Confidence::Medium,
            ConfidenceArg::High => Confidence::High,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Info,
    Low,
    Medium,
    High,
    Critical,
    /// Never exit 1 because of findings.
    Never,
}

impl FailOn {
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Info => Some(Severity::Info),
            FailOn::Low => Some(Severity::Low),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::High => Some(Severity::High),
            FailOn::Critical => Some(Severity::Critical),
            FailOn::Never => None,
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct ScanArgs {
    /// Files or directories to scan; `-` reads standard input; databases by URL:
    /// `postgres://user@host:5432/db`, `mysql://user@host:3306/db`, `sqlite:PATH`.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<String>,

    #[command(flatten)]
    pub rules: RuleArgs,

    /// Output format (repeatable: `-f json -o a.json -f markdown -o b.md` scans once and
    /// writes both; formats pair with --output files in order, one may go to stdout).
    #[arg(long, short = 'f', value_enum, default_values_t = [Format::Text])]
    pub format: Vec<Format>,
    /// Write a report to FILE (created with mode 0600, atomically) instead of stdout;
    /// `-` is standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Vec<PathBuf>,
    /// Print the raw values found. Reports then contain the PII itself: handle with care.
    #[arg(long)]
    pub show_values: bool,
    /// Report findings at or above this confidence.
    #[arg(long, value_enum, default_value_t = ConfidenceArg::Medium)]
    pub min_confidence: ConfidenceArg,
    /// Exit 1 when a finding at or above this severity is reported.
    #[arg(long, value_enum, default_value_t = FailOn::High)]
    pub fail_on: FailOn,

    /// Accept the exposures in this baseline file: they are left out of reports and the
    /// exit code, so only new ones fail a CI run.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write a baseline of everything this scan finds to FILE (mode 0600).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Project config with the allowlist (default: `.piiscan.toml` at the scan root).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Do not load a `.piiscan.toml`.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// List suppressed findings too (baseline, inline `piiscan:ignore`, allowlist), marked `suppressed`.
    #[arg(long)]
    pub show_suppressed: bool,

    /// List at most N findings per storage location (0: all); the exposures still
    /// count every value.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub max_findings_per_location: u64,

    /// Part size for scanning one large text file on several threads (tests, tuning).
    #[arg(long, value_name = "BYTES", default_value_t = crate::extract::text::DEFAULT_PART, hide = true)]
    pub parallel_part: usize,

    /// Stop reading one input after this many seconds (the scan is then incomplete).
    #[arg(long, value_name = "SECS")]
    pub timeout_per_file: Option<u64>,

    /// Scan at most N files (the others are named in a diagnostic; the scan is incomplete).
    #[arg(long, value_name = "N")]
    pub max_files: Option<usize>,

    /// Rows sampled per table of a database (URL targets, SQLite files).
    #[arg(long, value_name = "N", default_value_t = crate::db::DEFAULT_SAMPLE_ROWS, help_heading = "Databases")]
    pub sample_rows: u64,

    /// Read every row of every table instead of a sample (server-side cursor).
    #[arg(long, help_heading = "Databases")]
    pub full: bool,

    /// Connections per database; each reads whole tables.
    #[arg(long, value_name = "N", default_value_t = crate::db::DEFAULT_CONNECTIONS, help_heading = "Databases")]
    pub db_connections: usize,

    /// Only read schemas (PostgreSQL) or databases (MySQL) matching this glob; repeatable.
    #[arg(long, value_name = "GLOB", help_heading = "Databases")]
    pub db_include: Vec<String>,

    /// Skip schemas or databases matching this glob; repeatable.
    #[arg(long, value_name = "GLOB", help_heading = "Databases")]
    pub db_exclude: Vec<String>,

    /// Also read plain views (columns and rows); they store nothing of their own.
    #[arg(long, help_heading = "Databases")]
    pub db_views: bool,

    /// Transport encryption (the URL's `sslmode=` / `ssl-mode=` wins).
    #[arg(long, value_enum, value_name = "MODE", help_heading = "Databases")]
    pub db_tls: Option<crate::db::TlsMode>,

    /// CA certificates (PEM) to verify the server with `--db-tls verify-full`.
    #[arg(long, value_name = "FILE", help_heading = "Databases")]
    pub db_tls_ca: Option<std::path::PathBuf>,

    /// Read the database password from this file (first line). Also read: the URL,
    /// PGPASSWORD / MYSQL_PWD, ~/.pgpass.
    #[arg(long, value_name = "FILE", help_heading = "Databases")]
    pub password_file: Option<std::path::PathBuf>,

    /// Longest a single statement may run on the server, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = crate::db::DEFAULT_STATEMENT_TIMEOUT.as_secs(), help_heading = "Databases")]
    pub db_timeout: u64,

    /// Worker threads (0: one per core).
    #[arg(long, short = 'j', default_value_t = 0, value_name = "N")]
    pub threads: usize,
    /// Only scan files whose path below a scanned directory matches GLOB (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Skip files and directories whose path below a scanned directory matches GLOB (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Follow symbolic links while walking directories.
    #[arg(long, short = 'L')]
    pub follow: bool,
    /// Also walk version-control metadata directories (.git, .hg, .svn).
    #[arg(long)]
    pub scan_vcs: bool,
    /// Skip files larger than SIZE (e.g. 500M, 2G); skipped files make the scan incomplete.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_file_size: Option<u64>,
    /// SQL dialect of every SQL input (default: detected per file from its content).
    #[arg(long, value_enum, value_name = "DIALECT")]
    pub sql_dialect: Option<crate::extract::sql::dialect::SqlDialect>,
    /// Stop decompressing an input past SIZE of output (e.g. 64G); the scan is then incomplete.
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "64G")]
    pub max_decompressed_size: u64,
    /// Stop decompressing an input that expands more than N:1 (decompression bombs).
    #[arg(long, value_name = "N", default_value_t = 250)]
    pub max_compression_ratio: u64,
    /// Exit 0/1 by findings even when some inputs could not be scanned fully.
    #[arg(long)]
    pub allow_partial: bool,

    /// Progress on standard error.
    #[arg(long, value_enum, default_value_t = When::Auto)]
    pub progress: When,
    /// Coloured text output (also honours NO_COLOR).
    #[arg(long, value_enum, default_value_t = When::Auto)]
    pub color: When,
    /// Print nothing on standard output; the exit code tells the result.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Key file for keyed fingerprints (default: a per-user key created on first use).
    #[arg(long, value_name = "FILE", env = "PIISCAN_FINGERPRINT_KEY_FILE")]
    pub fingerprint_key_file: Option<PathBuf>,
    /// Read buffer size in bytes (for testing chunk-boundary behaviour).
    #[arg(long, hide = true, default_value_t = DEFAULT_CHUNK)]
    pub chunk_size: usize,
}

/// Parses `123`, `64K`, `500M`, `2G` (binary multiples).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (num, mult) = match s.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let m = match c.to_ascii_uppercase() {
                'K' => 1u64 << 10,
                'M' => 1 << 20,
                'G' => 1 << 30,
                'T' => 1 << 40,
                'B' => 1,
                _ => return Err(format!("unknown size suffix `{c}` (use K, M, G or T)")),
            };
            (&s[..i], m)
        }
        _ => (s, 1),
    };
    let n: u64 = num
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a size like 500M or 2G"))?;
    n.checked_mul(mult)
        .ok_or_else(|| format!("`{s}` is too large"))
}
