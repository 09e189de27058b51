//! Database URLs on the command line, and the passwords they may carry.
//!
//! A target prints as `postgres://user@host:5432/db`: the password and every query
//! parameter (which may hold `password=`) are left out of its display, its `Debug`
//! and everything derived from them.

use super::{DbError, DbOptions};
use std::fmt;

/// A secret string whose `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Reads a password file: the first line, without its line ending.
    pub fn from_file(path: &std::path::Path) -> std::io::Result<Secret> {
        let text = std::fs::read_to_string(path)?;
        let line = text.lines().next().unwrap_or("");
        Ok(Secret(line.to_string()))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    Postgres,
    Mysql,
}

impl DbKind {
    pub fn default_port(self) -> u16 {
        match self {
            DbKind::Postgres => 5432,
            DbKind::Mysql => 3306,
        }
    }

    fn scheme(self) -> &'static str {
        match self {
            DbKind::Postgres => "postgres",
            DbKind::Mysql => "mysql",
        }
    }
}

/// A database named on the command line by URL.
#[derive(Clone)]
pub struct DbTarget {
    pub kind: DbKind,
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
    /// Database name (PostgreSQL: required, defaults to the user name; MySQL: optional).
    pub database: Option<String>,
    /// Password from the URL (`user:pass@` or `?password=`).
    url_password: Option<Secret>,
    /// Query parameters other than the password (`sslmode=require`, `sslrootcert=`).
    pub params: Vec<(String, String)>,
}

impl fmt::Debug for DbTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

impl DbTarget {
    /// `Some` when `input` is a database URL (`postgres://`, `postgresql://`,
    /// `mysql://`, `mariadb://`); the error then says what is wrong with it without
    /// quoting it (it may hold a password).
    pub fn parse(input: &str) -> Option<Result<DbTarget, DbError>> {
        let (scheme, _) = input.split_once("://")?;
        let kind = match scheme.to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" => DbKind::Postgres,
            "mysql" | "mariadb" => DbKind::Mysql,
            _ => return None,
        };
        Some(Self::parse_url(kind, input))
    }

    fn parse_url(kind: DbKind, input: &str) -> Result<DbTarget, DbError> {
        let url = url::Url::parse(input)
            .map_err(|e| DbError::Config(format!("not a valid {} URL ({e})", kind.scheme())))?;
        let decode = |s: &str| {
            percent_decode(s).map_err(|_| {
                DbError::Config(
                    "the URL's user or password is not valid percent-encoded UTF-8".into(),
                )
            })
        };
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .unwrap_or("localhost")
            .trim_matches(|c| c == '[' || c == ']')
            .to_string();
        let user = Some(decode(url.username())?).filter(|u| !u.is_empty());
        let mut url_password = url.password().map(decode).transpose()?.map(Secret);
        let database = Some(decode(url.path().trim_start_matches('/'))?).filter(|d| !d.is_empty());
        let mut params = Vec::new();
        for (k, v) in url.query_pairs() {
            if k == "password" {
                url_password = Some(Secret(v.into_owned()));
            } else {
                params.push((k.into_owned(), v.into_owned()));
            }
        }
        Ok(DbTarget {
            kind,
            host,
            port: url.port().unwrap_or(kind.default_port()),
            user,
            database,
            url_password,
            params,
        })
    }

    /// The URL without password or parameters: what reports and messages show.
    pub fn display(&self) -> String {
        let user = self
            .user
            .as_deref()
            .map(|u| format!("{}@", percent_encode(u)))
            .unwrap_or_default();
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        let db = self
            .database
            .as_deref()
            .map(|d| format!("/{}", percent_encode(d)))
            .unwrap_or_default();
        format!("{}://{user}{host}:{}{db}", self.kind.scheme(), self.port)
    }

    /// A query parameter of the URL.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The password, looked up in order: the URL, `--password-file`, the environment
    /// (`PGPASSWORD` / `MYSQL_PWD`), then for PostgreSQL the password file
    /// (`PGPASSFILE` or `~/.pgpass`).
    pub fn password(&self, opts: &DbOptions) -> Option<Secret> {
        if let Some(p) = &self.url_password {
            return Some(p.clone());
        }
        if let Some(p) = &opts.password {
            return Some(p.clone());
        }
        let env = match self.kind {
            DbKind::Postgres => "PGPASSWORD",
            DbKind::Mysql => "MYSQL_PWD",
        };
        if let Some(p) = std::env::var(env).ok().filter(|p| !p.is_empty()) {
            return Some(Secret(p));
        }
        match self.kind {
            DbKind::Postgres => super::pgpass::lookup(
                &self.host,
                self.port,
                self.database.as_deref().unwrap_or(self.user_or_default()),
                self.user_or_default(),
            ),
            DbKind::Mysql => None,
        }
    }

    /// The user name: from the URL, else `postgres` / `root` as the clients default to
    /// the login name, which a scan job rarely has in the database.
    pub fn user_or_default(&self) -> &str {
        self.user.as_deref().unwrap_or(match self.kind {
            DbKind::Postgres => "postgres",
            DbKind::Mysql => "root",
        })
    }
}

fn percent_decode(s: &str) -> Result<String, std::string::FromUtf8Error> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out)
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || "-._~".contains(c) {
            out.push(c);
        } else {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_never_shows() {
        let t = DbTarget::parse(
            "postgres://alice:s3cr%40t@db.example:6543/app?sslmode=require&password=other",
        )
        .unwrap()
        .unwrap();
        assert_eq!(t.display(), "postgres://alice@db.example:6543/app");
        assert_eq!(format!("{t:?}"), "postgres://alice@db.example:6543/app");
        assert_eq!(t.param("sslmode"), Some("require"));
        let p = t.password(&DbOptions::default()).unwrap();
        assert_eq!(p.expose(), "other");
        assert_eq!(format!("{p:?}"), "Secret(***)");
        let t = DbTarget::parse("mysql://root:p%40ss@127.0.0.1/test")
            .unwrap()
            .unwrap();
        assert_eq!(t.display(), "mysql://root@127.0.0.1:3306/test");
        assert_eq!(t.password(&DbOptions::default()).unwrap().expose(), "p@ss");
    }

    #[test]
    fn only_database_schemes_are_targets() {
        assert!(DbTarget::parse("dumps/prod.sql").is_none());
        assert!(DbTarget::parse("https://example.com/x").is_none());
        assert!(DbTarget::parse("mariadb://h/db").is_some());
        let err = DbTarget::parse("postgres://alice:pw@[bad/db")
            .unwrap()
            .unwrap_err();
        assert!(!err.to_string().contains("pw"), "{err}");
    }

    #[test]
    fn password_from_options_when_the_url_has_none() {
        let t = DbTarget::parse("mysql://scan@db/app").unwrap().unwrap();
        let opts = DbOptions {
            password: Some(Secret::new("from-file")),
            ..DbOptions::default()
        };
        assert_eq!(t.password(&opts).unwrap().expose(), "from-file");
    }
}
