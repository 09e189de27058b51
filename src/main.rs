//! The `piiscan` binary: parse the command line, call the library, map outcomes
//! to exit codes (0 clean, 1 findings at or above --fail-on, 2 error or incomplete).

use anyhow::{Context, Result, bail};
use clap::{CommandFactory, Parser};
use piiscan::aggregate::Aggregator;
use piiscan::cli::{Cli, Command, RuleArgs, RulesCommand, ScanArgs, When};
use piiscan::config::{self, KeySource, PrivateFile};
use piiscan::engine::Engine;
use piiscan::remediate;
use piiscan::report::{self, Outcome, ToolInfo};
use piiscan::rules::{RuleSet, check};
use piiscan::scan::ScanEvent;
use piiscan::scan::{self, Progress, ScanOptions};
use piiscan::source::WalkOptions;
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

fn main() -> ExitCode {
    // A panic message can quote scanned bytes: report where, never what.
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "piiscan: internal error{at} (details withheld: they may contain scanned data); please report it"
        );
    }));
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        // The reader of our output went away (`piiscan scan … | head`): nothing to
        // say to it. The scan did not finish, so the exit code is still an error.
        Err(e) if is_broken_pipe(&e) => ExitCode::from(2),
        Err(e) => {
            eprintln!("piiscan: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Scan(args) => scan_command(*args),
        Command::Rules { command } => rules_command(command),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "piiscan", &mut io::stdout());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Loads the rule set; user rules' examples must hold, as in `rules check`.
fn load_rules(args: &RuleArgs) -> Result<(RuleSet, Engine)> {
    let set = RuleSet::load(&args.rules, args.no_default_rules)?;
    let engine = Engine::new(&set)?;
    let report = check::check(&set, &engine, |r| !r.origin.builtin, false);
    if let Some(first) = report.failures.first() {
        for f in &report.failures[1..] {
            eprintln!("piiscan: {f}");
        }
        bail!("{first}");
    }
    Ok((set, engine))
}

fn globs(patterns: &[String]) -> Result<Option<globset::GlobSet>> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut b = globset::GlobSetBuilder::new();
    for p in patterns {
        b.add(globset::Glob::new(p).with_context(|| format!("invalid glob `{p}`"))?);
    }
    Ok(Some(b.build()?))
}

fn scan_command(args: ScanArgs) -> Result<ExitCode> {
    let (set, engine) = load_rules(&args.rules)?;
    let (fingerprinter, key_source) =
        config::load_fingerprinter(args.fingerprint_key_file.as_deref())?;
    if key_source == KeySource::Ephemeral && !args.quiet {
        eprintln!(
            "piiscan: warning: no fingerprint key file could be read or created; fingerprints will differ between runs (use --fingerprint-key-file)"
        );
    }
    let baseline = args
        .baseline
        .as_deref()
        .map(piiscan::baseline::Baseline::load)
        .transpose()?
        .map(std::sync::Arc::new);
    let allowlist = load_allowlist(&args, &set)?.map(std::sync::Arc::new);
    let opts = ScanOptions {
        inputs: args.paths.clone(),
        walk: WalkOptions {
            follow_links: args.follow,
            include: globs(&args.include)?,
            exclude: globs(&args.exclude)?,
            skip_vcs: !args.scan_vcs,
        },
        threads: args.threads,
        max_file_size: args.max_file_size,
        chunk_size: args.chunk_size,
        min_confidence: args.min_confidence.into(),
        show_values: args.show_values,
        sql_dialect: args.sql_dialect,
        baseline,
        allowlist,
        show_suppressed: args.show_suppressed,
        collect_baseline: args.write_baseline.is_some(),
        db: piiscan::db::DbOptions {
            sample_rows: args.sample_rows,
            full: args.full,
            connections: args.db_connections.max(1),
            include: globs(&args.db_include)?,
            exclude: globs(&args.db_exclude)?,
            views: args.db_views,
            tls: args.db_tls,
            tls_ca: args.db_tls_ca.clone(),
            password: args
                .password_file
                .as_deref()
                .map(|p| {
                    piiscan::db::Secret::from_file(p)
                        .with_context(|| format!("cannot read --password-file {}", p.display()))
                })
                .transpose()?,
            statement_timeout: std::time::Duration::from_secs(args.db_timeout.max(1)),
            seed: piiscan::db::DEFAULT_SEED,
        },
        timeout_per_file: args
            .timeout_per_file
            .map(|s| std::time::Duration::from_secs(s.max(1))),
        max_files: args.max_files,
        parallel_part: args.parallel_part,
        listing_cap: args.max_findings_per_location,
        decompress: piiscan::source::decompress::Limits {
            max_output: args.max_decompressed_size,
            max_ratio: args.max_compression_ratio,
        },
    };
    // Formats pair with --output files in order; one format may go to stdout, either
    // left without a file (the last) or given `-o -`.
    let dashes = args.output.iter().filter(|p| p.as_os_str() == "-").count();
    let unpaired = args.format.len().saturating_sub(args.output.len());
    if args.output.len() > args.format.len() || unpaired + dashes > 1 {
        bail!(
            "{} formats and {} output files: give one --output per --format (one format may go to standard output, left last without a file or given `-o -`)",
            args.format.len(),
            args.output.len()
        );
    }
    let to_stdout = unpaired + dashes > 0;
    let color = match args.color {
        When::Always => true,
        When::Never => false,
        When::Auto => {
            to_stdout
                && io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let tool = ToolInfo::new(&set);
    // By format: its file, or `None` for standard output.
    let mut files: Vec<Option<PrivateFile>> = args
        .output
        .iter()
        .map(|p| match p.as_os_str() == "-" {
            true => Ok(None),
            false => PrivateFile::create(p).map(Some),
        })
        .collect::<Result<_>>()?;
    let mut reporters: Vec<Box<dyn report::Reporter>> = args
        .format
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let to_stdout = files.get(i).is_none_or(Option::is_none);
            report::reporter(*f, tool.clone(), color && to_stdout)
        })
        .collect();
    let stdout = io::stdout();
    let mut stdout_out: Box<dyn Write> = if args.quiet {
        Box::new(io::sink())
    } else {
        Box::new(io::BufWriter::new(stdout.lock()))
    };
    // Sends one event to every reporter, each with its destination.
    let mut fan_out = |f: &mut dyn FnMut(
        &mut dyn report::Reporter,
        &mut dyn Write,
    ) -> io::Result<()>|
     -> io::Result<()> {
        for (i, r) in reporters.iter_mut().enumerate() {
            let out: &mut dyn Write = match files.get_mut(i) {
                Some(Some(file)) => file,
                _ => &mut stdout_out,
            };
            f(r.as_mut(), out)?;
        }
        Ok(())
    };

    let show_progress = match args.progress {
        When::Always => true,
        When::Never => false,
        When::Auto => io::stderr().is_terminal() && !args.quiet,
    };
    let progress = Progress::default();
    let done = AtomicBool::new(false);
    let remediation_text: std::collections::HashMap<&str, &str> = set
        .rules
        .iter()
        .filter_map(|r| Some((r.def.id.as_str(), r.def.remediation.as_deref()?)))
        .collect();
    let mut aggregator = Aggregator::default();
    // Findings listed per storage location (the exposures count them all).
    let cap = args.max_findings_per_location;
    let mut not_listed = 0u64;
    let mut summary = std::thread::scope(|s| {
        if show_progress {
            s.spawn(|| progress_loop(&progress, &done));
        }
        let result = scan::run(
            &opts,
            &engine,
            &fingerprinter,
            show_progress.then_some(&progress),
            |event| {
                match &event {
                    ScanEvent::Findings { path, findings } => {
                        // Suppressed findings are listed (marked) but make no exposure.
                        let mut keep: Vec<bool> = Vec::with_capacity(findings.len());
                        for f in findings.iter() {
                            let remediation = || remediation_text.get(&*f.rule_id).copied();
                            match (f.suppressed.is_none(), cap > 0) {
                                (true, true) => {
                                    keep.push(aggregator.add_and_count(f, remediation()) <= cap)
                                }
                                (true, false) => aggregator.add(f, remediation()),
                                (false, true) => keep.push(aggregator.count_listed(f) <= cap),
                                (false, false) => {}
                            }
                        }
                        // `keep` is empty without a cap.
                        if keep.iter().any(|k| !k) {
                            let kept: Vec<_> = findings
                                .iter()
                                .zip(&keep)
                                .filter(|(_, k)| **k)
                                .map(|(f, _)| f.clone())
                                .collect();
                            not_listed += (findings.len() - kept.len()) as u64;
                            let event = ScanEvent::Findings {
                                path,
                                findings: &kept,
                            };
                            return fan_out(&mut |r, out| r.event(event, out));
                        }
                    }
                    ScanEvent::Counted {
                        path,
                        counts,
                        samples,
                    } => {
                        for c in samples.iter() {
                            aggregator.add_counted_sample(path, c);
                        }
                        for c in counts.iter() {
                            let remediation = remediation_text.get(&*c.rule_id).copied();
                            aggregator.add_counted(path, c, remediation);
                            not_listed += c.n;
                        }
                        return Ok(());
                    }
                    ScanEvent::Finished(report) => {
                        if let Some(db) = &report.database {
                            aggregator.add_samples(&report.path, &db.columns);
                        }
                    }
                }
                fan_out(&mut |r, out| r.event(event, out))
            },
        );
        done.store(true, Ordering::Relaxed);
        result
    })
    .context("cannot write the report")?;
    summary.findings_not_listed = not_listed;
    if not_listed > 0 && !args.quiet {
        eprintln!(
            "piiscan: {not_listed} findings beyond --max-findings-per-location {cap} are counted in the exposures but not listed"
        );
    }
    if let Some(path) = &args.write_baseline {
        let mut file = PrivateFile::create(path)?;
        file.write_all(piiscan::baseline::Baseline::render(&summary.baseline_entries).as_bytes())?;
        file.commit()?;
        if !args.quiet {
            eprintln!(
                "piiscan: wrote baseline {} ({} entries)",
                path.display(),
                summary.baseline_entries.len()
            );
        }
    }
    let exposures = aggregator.finish();
    let remediation = remediate::plan(&exposures);
    let outcome = Outcome {
        summary,
        exposures,
        remediation,
    };
    fan_out(&mut |r, out| r.finish(&outcome, out)).context("cannot write the report")?;
    stdout_out.flush()?;
    for file in files.into_iter().flatten() {
        file.commit()?;
    }
    let summary = outcome.summary;
    let code = if summary.incomplete && !args.allow_partial {
        if !args.quiet {
            eprintln!(
                "piiscan: scan incomplete: some inputs could not be scanned fully (see diagnostics; --allow-partial to accept)"
            );
        }
        2
    } else if args
        .fail_on
        .threshold()
        .is_some_and(|t| summary.max_severity().is_some_and(|m| m >= t))
    {
        1
    } else {
        0
    };
    Ok(ExitCode::from(code))
}

/// The project config: `--config FILE`, else `.piiscan.toml` at the scan root (the one
/// directory scanned, or the current directory), unless `--no-config`. Says which file
/// was loaded: a config inside a scanned tree changes what is reported.
fn load_allowlist(args: &ScanArgs, set: &RuleSet) -> Result<Option<piiscan::allow::Allowlist>> {
    if args.no_config {
        return Ok(None);
    }
    let single_dir = (args.paths.len() == 1 && std::path::Path::new(&args.paths[0]).is_dir())
        .then(|| args.paths[0].clone());
    let root = single_dir.clone().unwrap_or_else(|| ".".into());
    let path = match &args.config {
        Some(p) => p.clone(),
        None => {
            let p = std::path::Path::new(&root).join(piiscan::allow::FILE_NAME);
            if !p.is_file() {
                return Ok(None);
            }
            p
        }
    };
    let ids: Vec<&str> = set.rules.iter().map(|r| r.def.id.as_str()).collect();
    let list = piiscan::allow::Allowlist::load(&path, root.trim_start_matches("./"), &ids)?;
    if !args.quiet {
        eprintln!(
            "piiscan: using config {} ({} allow entries)",
            path.display(),
            list.len()
        );
    }
    Ok(Some(list))
}

/// Redraws one status line on stderr until the scan is done.
fn progress_loop(p: &Progress, done: &AtomicBool) {
    let start = Instant::now();
    let mut err = io::stderr();
    while !done.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(200));
        let bytes = p.bytes.load(Ordering::Relaxed);
        let secs = start.elapsed().as_secs_f64().max(0.001);
        let _ = write!(
            err,
            "\r\x1b[K{} files, {}, {} findings, {:.1} MB/s",
            p.files.load(Ordering::Relaxed),
            report::text::human_bytes(bytes),
            p.findings.load(Ordering::Relaxed),
            bytes as f64 / 1e6 / secs
        );
        let _ = err.flush();
    }
    let _ = write!(err, "\r\x1b[K");
}

fn rules_command(command: RulesCommand) -> Result<ExitCode> {
    match command {
        RulesCommand::List { rules, json } => {
            let (set, _) = load_rules(&rules)?;
            let mut out = io::stdout().lock();
            if json {
                let defs: Vec<_> = set.rules.iter().map(|r| &r.def).collect();
                serde_json::to_writer_pretty(&mut out, &defs)?;
                writeln!(out)?;
            } else {
                writeln!(
                    out,
                    "{:<24} {:<16} {:<9} {:<6} NAME",
                    "ID", "PII TYPE", "SEVERITY", "KIND"
                )?;
                for r in &set.rules {
                    let kind = match (r.def.has_value_patterns(), !r.def.column_names.is_empty()) {
                        (true, true) => "both",
                        (true, false) => "value",
                        _ => "name",
                    };
                    writeln!(
                        out,
                        "{:<24} {:<16} {:<9} {:<6} {}",
                        r.def.id, r.def.pii_type, r.def.severity, kind, r.def.name
                    )?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        RulesCommand::Check { files, rules } => {
            let mut all = rules.rules.clone();
            all.extend(files);
            let set = RuleSet::load(&all, rules.no_default_rules)?;
            let engine = Engine::new(&set)?;
            let report = check::check(&set, &engine, |_| true, true);
            for f in &report.failures {
                eprintln!("piiscan: {f}");
            }
            if report.failures.is_empty() {
                println!(
                    "ok: {} rules, {} examples checked",
                    report.rules, report.examples
                );
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!(
                    "piiscan: rules check failed: {} of {} examples",
                    report.failures.len(),
                    report.examples
                );
                Ok(ExitCode::from(2))
            }
        }
        RulesCommand::Explain { id, rules } => {
            let (set, _) = load_rules(&rules)?;
            let Some(r) = set.get(&id) else {
                bail!("no rule with id `{id}` (see `piiscan rules list`)");
            };
            let d = &r.def;
            let mut out = io::stdout().lock();
            writeln!(out, "{} — {}", d.id, d.name)?;
            writeln!(out, "  defined in  {}:{}", r.origin.file, r.origin.line)?;
            writeln!(out, "  pii type    {}", d.pii_type)?;
            writeln!(out, "  severity    {}", d.severity)?;
            if d.has_value_patterns() {
                writeln!(
                    out,
                    "  validator   {}",
                    d.validator.map_or("none", |v| v.name())
                )?;
                writeln!(out, "  context     {:?}", d.needs_context)?;
                for p in d.all_patterns() {
                    writeln!(out, "  pattern     {p}")?;
                }
            }
            for (label, list) in [
                ("keywords", &d.keywords),
                ("negative", &d.negative_keywords),
                ("columns", &d.column_names),
            ] {
                if !list.is_empty() {
                    writeln!(out, "  {label:<11} {}", list.join(", "))?;
                }
            }
            if let Some(desc) = &d.description {
                writeln!(out, "\n{desc}")?;
            }
            if let Some(rem) = &d.remediation {
                writeln!(out, "\nRemediation: {rem}")?;
            }
            for (label, list) in [
                ("Examples", &d.examples),
                ("Not matched", &d.negative_examples),
                ("Names", &d.name_examples),
                ("Not names", &d.name_negative_examples),
            ] {
                if !list.is_empty() {
                    writeln!(out, "\n{label}:")?;
                    for e in list {
                        writeln!(out, "  {e}")?;
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
