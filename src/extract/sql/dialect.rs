//! Guessing the SQL dialect from a file's first bytes (`--sql-dialect` overrides).

use sqlparser::dialect::{
    BigQueryDialect, Dialect, GenericDialect, MsSqlDialect, MySqlDialect, PostgreSqlDialect,
    SQLiteDialect, SnowflakeDialect,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SqlDialect {
    Generic,
    Postgres,
    Mysql,
    Mssql,
    Sqlite,
    Oracle,
    Snowflake,
    Bigquery,
}

impl SqlDialect {
    /// The sqlparser dialect to try first. Oracle has none in sqlparser: generic.
    pub fn parser(self) -> Box<dyn Dialect> {
        match self {
            SqlDialect::Postgres => Box::new(PostgreSqlDialect {}),
            SqlDialect::Mysql => Box::new(MySqlDialect {}),
            SqlDialect::Mssql => Box::new(MsSqlDialect {}),
            SqlDialect::Sqlite => Box::new(SQLiteDialect {}),
            SqlDialect::Snowflake => Box::new(SnowflakeDialect {}),
            SqlDialect::Bigquery => Box::new(BigQueryDialect {}),
            SqlDialect::Generic | SqlDialect::Oracle => Box::new(GenericDialect {}),
        }
    }

    /// MySQL strings use backslash escapes and `#` starts a comment.
    pub fn is_mysql(self) -> bool {
        self == SqlDialect::Mysql
    }
}

/// Telltale text and its weight for each dialect; the highest total wins.
const INDICATORS: &[(SqlDialect, &str, u32)] = &[
    (SqlDialect::Postgres, "PostgreSQL database dump", 20),
    (SqlDialect::Postgres, " FROM stdin;", 10),
    (SqlDialect::Postgres, "search_path", 5),
    (SqlDialect::Postgres, "\n\\c ", 10),
    (SqlDialect::Postgres, "\n\\connect ", 10),
    (SqlDialect::Postgres, "$$", 3),
    (SqlDialect::Postgres, "::", 2),
    (SqlDialect::Postgres, "SERIAL", 2),
    (SqlDialect::Postgres, "bytea", 2),
    (SqlDialect::Mysql, "MySQL dump", 20),
    (SqlDialect::Mysql, "MariaDB dump", 20),
    (SqlDialect::Mysql, "ENGINE=", 10),
    (SqlDialect::Mysql, "/*!", 5),
    (SqlDialect::Mysql, "`", 5),
    (SqlDialect::Mysql, "AUTO_INCREMENT", 5),
    (SqlDialect::Mysql, "auto_increment", 5),
    (SqlDialect::Mysql, "DELIMITER ", 3),
    (SqlDialect::Mysql, "$wgDBTableOptions", 10),
    (SqlDialect::Mssql, "[dbo]", 10),
    (SqlDialect::Mssql, "\nGO\n", 10),
    (SqlDialect::Mssql, "\nGO\r\n", 10),
    (SqlDialect::Mssql, "IDENTITY(", 3),
    (SqlDialect::Mssql, " N'", 1),
    (SqlDialect::Mssql, "(N'", 1),
    (SqlDialect::Mssql, "NVARCHAR", 3),
    (SqlDialect::Oracle, "VARCHAR2", 10),
    (SqlDialect::Oracle, "NUMBER(", 3),
    (SqlDialect::Oracle, "&mw_prefix", 10),
    (SqlDialect::Sqlite, "AUTOINCREMENT", 5),
    (SqlDialect::Sqlite, "PRAGMA ", 5),
];

/// Content decides: each dialect scores its telltale syntax in the first bytes.
pub fn detect(head: &[u8]) -> SqlDialect {
    let text = String::from_utf8_lossy(head);
    let mut best = (SqlDialect::Generic, 0);
    for d in [
        SqlDialect::Postgres,
        SqlDialect::Mysql,
        SqlDialect::Mssql,
        SqlDialect::Oracle,
        SqlDialect::Sqlite,
    ] {
        let score: u32 = INDICATORS
            .iter()
            .filter(|(id, s, _)| *id == d && text.contains(s))
            .map(|(_, _, w)| w)
            .sum();
        if score > best.1 {
            best = (d, score);
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects() {
        assert_eq!(
            detect(b"--\n-- PostgreSQL database dump\n--\n"),
            SqlDialect::Postgres
        );
        assert_eq!(detect(b"-- MySQL dump 10.13\n"), SqlDialect::Mysql);
        assert_eq!(
            detect(b"CREATE TABLE [dbo].[Album]\nGO\n"),
            SqlDialect::Mssql
        );
        assert_eq!(
            detect(b"CREATE TABLE t (a VARCHAR2(10))"),
            SqlDialect::Oracle
        );
        assert_eq!(detect(b"CREATE TABLE t (a int)"), SqlDialect::Generic);
        assert_eq!(
            detect(b"INSERT INTO `actor` VALUES (1,'JOHN','O''CONNELL')"),
            SqlDialect::Mysql
        );
        assert_eq!(detect(b"CREATE TABLE album (id INT NOT NULL, title VARCHAR(160) NOT NULL);\nINSERT INTO album VALUES (1, 'JOHN');"), SqlDialect::Generic);
    }
}
