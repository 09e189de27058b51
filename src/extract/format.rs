//! Choosing the extractor for an input: the name hints, the content decides.

use super::sql::looks_like_sql;

/// The extractor an input goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Sql,
    /// CSV, TSV and other delimited exports.
    Delimited,
    /// A JSON document, or JSON Lines (one document per line).
    Json,
    /// YAML, TOML, `.env`, INI and Java `.properties` files.
    Config,
    /// XML configuration files and exports.
    Xml,
    /// Everything else: logs, plain text, unknown formats.
    Text,
}

fn ext(name: &str) -> String {
    let base = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(name)
        .to_ascii_lowercase();
    if base.starts_with(".env") {
        return "env".into();
    }
    base.rsplit_once('.')
        .map(|(_, e)| e.to_string())
        .unwrap_or_default()
}

/// Picks the format from the (decompressed) name and the first bytes.
pub fn detect(name: &str, head: &[u8]) -> Format {
    let lower = name.to_ascii_lowercase();
    // Templates: `database.yml.postgresql`, `gitlab.yml.example`, `.env.production`.
    if lower.contains(".yml.") || lower.contains(".yaml.") || lower.contains(".properties.") {
        return Format::Config;
    }
    match ext(name).as_str() {
        "sql" | "ddl" | "psql" | "pgsql" | "mysql" => return Format::Sql,
        "csv" | "tsv" | "psv" | "tab" => return Format::Delimited,
        "json" | "ndjson" | "jsonl" | "geojson" => return Format::Json,
        "yml" | "yaml" | "toml" | "env" | "ini" | "cfg" | "conf" | "properties" => {
            return Format::Config;
        }
        "xml" | "config" | "xsd" | "plist" => return Format::Xml,
        _ => {}
    }
    if looks_like_sql(head) {
        return Format::Sql;
    }
    if head.trim_ascii_start().starts_with(b"<?xml") {
        return Format::Xml;
    }
    let first = head.iter().find(|b| !b.is_ascii_whitespace());
    if matches!(first, Some(b'{') | Some(b'[')) && looks_like_json(head) {
        return Format::Json;
    }
    Format::Text
}

/// `{"` or `[{`/`["`/`[1` after the opening bracket: JSON rather than a log line like `[INFO]`.
fn looks_like_json(head: &[u8]) -> bool {
    let t: Vec<u8> = head
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .take(3)
        .collect();
    matches!(
        t.as_slice(),
        [b'{', b'"', ..]
            | [b'{', b'}', ..]
            | [b'[', b'{', ..]
            | [b'[', b'"', ..]
            | [b'[', b']', ..]
    ) || (t.first() == Some(&b'[') && t.get(1).is_some_and(|b| b.is_ascii_digit() || *b == b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(detect("exports/users.csv", b"a,b"), Format::Delimited);
        assert_eq!(detect("config/.env", b"A=1"), Format::Config);
        assert_eq!(detect("config/.env.production", b"A=1"), Format::Config);
        assert_eq!(detect("data.bin", b"{\"ssn\": 1}"), Format::Json);
        assert_eq!(detect("app.log", b"[INFO] started"), Format::Text);
        assert_eq!(
            detect("dump", b"-- PostgreSQL database dump\n"),
            Format::Sql
        );
    }
}
