//! PostgreSQL's password file (`PGPASSFILE`, else `~/.pgpass`), read as libpq reads it:
//! lines `host:port:database:user:password`, `*` matching anything, `\:` and `\\`
//! escaped, the first matching line wins. Like libpq, a file readable by group or
//! others is ignored.

use super::Secret;
use std::path::{Path, PathBuf};

fn default_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PGPASSFILE") {
        return Some(PathBuf::from(p));
    }
    std::env::var_os("HOME").map(|h| Path::new(&h).join(".pgpass"))
}

/// The password for this connection, if the password file has one.
pub fn lookup(host: &str, port: u16, database: &str, user: &str) -> Option<Secret> {
    let path = default_path()?;
    if !private(&path) {
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    find(&text, host, port, database, user)
}

#[cfg(unix)]
fn private(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o077 == 0)
}

#[cfg(not(unix))]
fn private(path: &Path) -> bool {
    path.is_file()
}

/// Splits a line on unescaped `:`, unescaping `\:` and `\\`.
fn fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    out.last_mut().expect("non-empty").push(n);
                }
            }
            ':' => out.push(String::new()),
            c => out.last_mut().expect("non-empty").push(c),
        }
    }
    out
}

/// The first line of `text` matching the connection.
pub fn find(text: &str, host: &str, port: u16, database: &str, user: &str) -> Option<Secret> {
    let port = port.to_string();
    // libpq matches `localhost` for connections over the local socket too.
    let hosts: &[&str] = if host == "127.0.0.1" || host == "::1" {
        &[host, "localhost"]
    } else {
        &[host]
    };
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let f = fields(line);
        if f.len() < 5 {
            continue;
        }
        let is = |pattern: &str, value: &str| pattern == "*" || pattern == value;
        if hosts.iter().any(|h| is(&f[0], h))
            && is(&f[1], &port)
            && is(&f[2], database)
            && is(&f[3], user)
        {
            return Some(Secret::new(f[4..].join(":")));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_matching_line_wins_with_wildcards_and_escapes() {
        let text = "# comment\n\
                    db.example:5432:other:alice:nope\n\
                    db.example:5432:app:alice:pa\\:ss\\\\word\n\
                    *:*:*:alice:fallback\n";
        let p = find(text, "db.example", 5432, "app", "alice").unwrap();
        assert_eq!(p.expose(), "pa:ss\\word");
        let p = find(text, "elsewhere", 6000, "x", "alice").unwrap();
        assert_eq!(p.expose(), "fallback");
        assert!(find(text, "db.example", 5432, "app", "bob").is_none());
    }
}
