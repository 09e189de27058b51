//! Enumerating files to scan.
//!
//! Unlike a code search tool, piiscan does not honour `.gitignore` or skip hidden
//! files: ignored dumps and `.env` files are exactly what it hunts. Symlinks are not
//! followed unless asked. Files named on the command line are always scanned.
//! The list is sorted so output is deterministic.

use crate::diagnostic::{Diagnostic, DiagnosticKind};
use globset::GlobSet;
use std::path::{Path, PathBuf};

/// One thing to scan.
#[derive(Debug, Clone)]
pub struct Target {
    /// Path as reported: as given on the command line, joined with the walked part.
    pub display: String,
    /// `None` for standard input.
    pub path: Option<PathBuf>,
    /// Named on the command line (scanned even if binary or excluded).
    pub explicit: bool,
    /// A database named by URL (`display` is then the URL without its password).
    pub database: Option<crate::db::DbTarget>,
}

#[derive(Debug, Clone, Default)]
pub struct WalkOptions {
    pub follow_links: bool,
    pub include: Option<GlobSet>,
    pub exclude: Option<GlobSet>,
    /// Skip `.git`, `.hg` and `.svn` metadata directories (their objects are compressed).
    pub skip_vcs: bool,
}

const VCS_DIRS: &[&str] = &[".git", ".hg", ".svn"];

/// Expands the inputs into a sorted list of targets, reporting what could not be walked.
pub fn enumerate(
    inputs: &[String],
    opts: &WalkOptions,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Target> {
    let mut targets = Vec::new();
    for input in inputs {
        if input == "-" {
            targets.push(Target {
                display: "-".into(),
                path: None,
                explicit: true,
                database: None,
            });
            continue;
        }
        if let Some(parsed) = crate::db::DbTarget::parse(input) {
            match parsed {
                Ok(db) => targets.push(Target {
                    display: db.display(),
                    path: None,
                    explicit: true,
                    database: Some(db),
                }),
                // The input may hold a password: name the scheme only.
                Err(e) => diags.push(Diagnostic::new(
                    input.split_once("://").map_or("database URL", |(s, _)| s),
                    DiagnosticKind::Database,
                    e.to_string(),
                )),
            }
            continue;
        }
        // `sqlite:PATH`: a database file (recognised by its content anyway); the target
        // keeps the name as given.
        let root = Path::new(input.strip_prefix("sqlite:").unwrap_or(input));
        match std::fs::metadata(root) {
            Err(e) => diags.push(Diagnostic::new(
                input,
                DiagnosticKind::NotFound,
                format!("cannot open: {}", io_reason(&e)),
            )),
            Ok(meta) if meta.is_dir() => walk_dir(input, root, opts, &mut targets, diags),
            Ok(meta) if meta.is_file() => targets.push(Target {
                display: input.clone(),
                path: Some(root.to_path_buf()),
                explicit: true,
                database: None,
            }),
            Ok(_) => diags.push(Diagnostic::new(
                input,
                DiagnosticKind::SkippedSpecial,
                "not a regular file (FIFO, socket or device)",
            )),
        }
    }
    targets
}

fn walk_dir(
    input: &str,
    root: &Path,
    opts: &WalkOptions,
    targets: &mut Vec<Target>,
    diags: &mut Vec<Diagnostic>,
) {
    let walker = walkdir::WalkDir::new(root)
        .follow_links(opts.follow_links)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let rel = e.path().strip_prefix(root).unwrap_or(e.path());
            if e.depth() == 0 {
                return true;
            }
            if e.file_type().is_dir() {
                let name = e.file_name().to_string_lossy();
                if opts.skip_vcs && VCS_DIRS.contains(&name.as_ref()) {
                    return false;
                }
                return !opts.exclude.as_ref().is_some_and(|g| g.is_match(rel));
            }
            true
        });
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e
                    .path()
                    .map_or_else(|| input.to_string(), crate::redact::display_path);
                let reason = if e.loop_ancestor().is_some() {
                    "symlink loop".to_string()
                } else {
                    e.io_error().map_or_else(|| e.to_string(), io_reason)
                };
                diags.push(Diagnostic::new(
                    path,
                    DiagnosticKind::WalkError,
                    format!("cannot walk: {reason}"),
                ));
                continue;
            }
        };
        let ft = entry.file_type();
        if ft.is_dir() {
            continue;
        }
        let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
        if opts.exclude.as_ref().is_some_and(|g| g.is_match(rel))
            || opts.include.as_ref().is_some_and(|g| !g.is_match(rel))
        {
            continue;
        }
        let display = crate::redact::display_path(entry.path());
        if ft.is_symlink() {
            diags.push(Diagnostic::new(
                display,
                DiagnosticKind::SkippedSymlink,
                "symbolic link not followed (use --follow)",
            ));
        } else if ft.is_file() {
            targets.push(Target {
                display,
                path: Some(entry.into_path()),
                explicit: false,
                database: None,
            });
        } else {
            diags.push(Diagnostic::new(
                display,
                DiagnosticKind::SkippedSpecial,
                "not a regular file (FIFO, socket or device)",
            ));
        }
    }
}

/// An I/O error's reason without the path (which the diagnostic already carries).
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let s = e.to_string();
            s.split(" (os error").next().unwrap_or(&s).to_string()
        }
    }
}
