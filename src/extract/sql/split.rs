//! A streaming SQL statement splitter.
//!
//! Fed one line at a time, it tracks quotes (`'…'` with `''`, backslash escapes in
//! MySQL and `E'…'` strings), quoted identifiers (`"…"`, `` `…` ``), comments
//! (`-- …`, `# …` in MySQL, nested `/* … */`), PostgreSQL dollar quotes (`$tag$ … $tag$`),
//! MySQL `DELIMITER` changes and T-SQL `GO` batch lines. It emits each complete
//! statement with the line and column it starts at, and after `COPY … FROM stdin;`
//! hands over the data rows one by one until `\.`, never buffering them.

/// What the splitter produces.
#[derive(Debug, PartialEq, Eq)]
pub enum Item<'a> {
    /// A complete statement (without its delimiter), starting at `line`:`column`.
    Statement {
        text: &'a [u8],
        line: u64,
        column: u64,
    },
    /// One data row of a `COPY … FROM stdin` block (without the line end).
    CopyRow { row: &'a [u8], line: u64 },
    /// The `\.` that ends a `COPY` block.
    CopyEnd,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Normal,
    Quote { close: u8, backslash: bool },
    LineComment,
    BlockComment(u32),
    Dollar(Vec<u8>),
}

pub struct Splitter {
    buf: Vec<u8>,
    start: Option<(u64, u64)>,
    state: State,
    delimiter: Vec<u8>,
    mysql: bool,
    in_copy: bool,
}

fn starts_with_ci(hay: &[u8], needle: &[u8]) -> bool {
    hay.len() >= needle.len() && hay[..needle.len()].eq_ignore_ascii_case(needle)
}

/// True when a statement's first words are `COPY … FROM stdin`.
fn is_copy_from_stdin(stmt: &[u8]) -> bool {
    let t = super::skip_comments(stmt);
    if !starts_with_ci(t, b"copy") {
        return false;
    }
    let lower = t.to_ascii_lowercase();
    memchr::memmem::find(&lower, b"from stdin").is_some()
}

impl Splitter {
    /// `mysql`: backslash escapes in every string, `#` comments.
    pub fn new(mysql: bool) -> Splitter {
        Splitter {
            buf: Vec::new(),
            start: None,
            state: State::Normal,
            delimiter: b";".to_vec(),
            mysql,
            in_copy: false,
        }
    }

    /// Feeds one line (with or without its `\n`), numbered `line_no` (1-based).
    pub fn feed(&mut self, line: &[u8], line_no: u64, emit: &mut dyn FnMut(Item<'_>)) {
        let content = line.strip_suffix(b"\n").unwrap_or(line);
        let content = content.strip_suffix(b"\r").unwrap_or(content);
        if self.in_copy {
            if content == b"\\." {
                self.in_copy = false;
                emit(Item::CopyEnd);
            } else {
                emit(Item::CopyRow {
                    row: content,
                    line: line_no,
                });
            }
            return;
        }
        if self.state == State::Normal && self.buf.trim_ascii().is_empty() {
            let t = content.trim_ascii();
            if starts_with_ci(t, b"delimiter ") {
                let d = &t[10..].trim_ascii();
                if !d.is_empty() {
                    self.delimiter = d.to_vec();
                }
                return;
            }
        }
        if self.state == State::Normal && content.trim_ascii().eq_ignore_ascii_case(b"go") {
            self.finish_statement(emit);
            return;
        }
        let mut i = 0;
        let mut seg_start = 0;
        while i < line.len() {
            let b = line[i];
            match &self.state {
                State::Normal => {
                    if self.start.is_none() && !b.is_ascii_whitespace() {
                        self.start = Some((line_no, (i + 1) as u64));
                    }
                    if line[i..].starts_with(&self.delimiter) {
                        self.buf.extend_from_slice(&line[seg_start..i]);
                        i += self.delimiter.len();
                        seg_start = i;
                        let was_copy = is_copy_from_stdin(&self.buf);
                        self.finish_statement(emit);
                        if was_copy {
                            self.in_copy = true;
                            return;
                        }
                        continue;
                    }
                    match b {
                        b'\'' => {
                            let e_string = i > 0
                                && matches!(line[i - 1], b'e' | b'E')
                                && (i < 2 || !line[i - 2].is_ascii_alphanumeric());
                            self.state = State::Quote {
                                close: b'\'',
                                backslash: self.mysql || e_string,
                            };
                        }
                        b'"' => {
                            self.state = State::Quote {
                                close: b'"',
                                backslash: self.mysql,
                            }
                        }
                        b'`' => {
                            self.state = State::Quote {
                                close: b'`',
                                backslash: false,
                            }
                        }
                        b'-' if line.get(i + 1) == Some(&b'-') => self.state = State::LineComment,
                        b'#' if self.mysql => self.state = State::LineComment,
                        b'/' if line.get(i + 1) == Some(&b'*') => {
                            self.state = State::BlockComment(1);
                            i += 1;
                        }
                        b'$' if !self.mysql
                            && (i == 0
                                || !(line[i - 1].is_ascii_alphanumeric()
                                    || line[i - 1] == b'_')) =>
                        {
                            let tag_len = line[i + 1..]
                                .iter()
                                .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                                .count();
                            let tag_ok = line.get(i + 1 + tag_len) == Some(&b'$')
                                && !line.get(i + 1).is_some_and(u8::is_ascii_digit);
                            if tag_ok {
                                let tag = line[i..i + tag_len + 2].to_vec();
                                i += tag.len();
                                self.state = State::Dollar(tag);
                                continue;
                            }
                        }
                        _ => {}
                    }
                }
                State::Quote { close, backslash } => {
                    if *backslash && b == b'\\' {
                        i += 2;
                        continue;
                    }
                    if b == *close {
                        if line.get(i + 1) == Some(close) {
                            i += 2;
                            continue;
                        }
                        self.state = State::Normal;
                    }
                }
                State::LineComment => {
                    if b == b'\n' {
                        self.state = State::Normal;
                    }
                }
                State::BlockComment(depth) => {
                    let depth = *depth;
                    if b == b'*' && line.get(i + 1) == Some(&b'/') {
                        self.state = if depth == 1 {
                            State::Normal
                        } else {
                            State::BlockComment(depth - 1)
                        };
                        i += 2;
                        continue;
                    }
                    if b == b'/' && line.get(i + 1) == Some(&b'*') && !self.mysql {
                        self.state = State::BlockComment(depth + 1);
                        i += 2;
                        continue;
                    }
                }
                State::Dollar(tag) => {
                    if line[i..].starts_with(tag) {
                        i += tag.len();
                        self.state = State::Normal;
                        continue;
                    }
                }
            }
            i += 1;
        }
        if self.state == State::LineComment {
            self.state = State::Normal;
        }
        self.buf
            .extend_from_slice(&line[seg_start.min(line.len())..]);
    }

    /// Bytes of the statement being collected.
    pub fn pending_len(&self) -> usize {
        self.buf.len()
    }

    /// Hands over the statement being collected and the line it starts on, leaving the
    /// splitter empty (for a statement too large to hold: the caller reads on as text).
    pub fn take_pending(&mut self) -> (Vec<u8>, u64) {
        let line = self.start.take().map_or(1, |(l, _)| l);
        let mut buf = std::mem::take(&mut self.buf);
        // Whitespace before the statement's first byte (`line` is where that byte is).
        let lead = buf
            .iter()
            .position(|c| !c.is_ascii_whitespace())
            .unwrap_or(buf.len());
        buf.drain(..lead);
        (buf, line)
    }

    /// Emits what is left at the end of input (a statement without a final delimiter).
    pub fn finish(&mut self, emit: &mut dyn FnMut(Item<'_>)) {
        if self.in_copy {
            self.in_copy = false;
            emit(Item::CopyEnd);
        }
        self.finish_statement(emit);
    }

    fn finish_statement(&mut self, emit: &mut dyn FnMut(Item<'_>)) {
        if let Some((line, column)) = self.start.take() {
            // Drop the whitespace before the statement's first byte.
            let lead = self
                .buf
                .iter()
                .position(|c| !c.is_ascii_whitespace())
                .unwrap_or(self.buf.len());
            let text = &self.buf[lead..];
            if !text.trim_ascii().is_empty() {
                emit(Item::Statement { text, line, column });
            }
        }
        self.buf.clear();
        self.state = State::Normal;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(sql: &str, mysql: bool) -> Vec<String> {
        let mut s = Splitter::new(mysql);
        let mut out = Vec::new();
        let mut emit = |item: Item<'_>| {
            out.push(match item {
                Item::Statement { text, line, column } => {
                    format!("{line}:{column} {}", String::from_utf8_lossy(text))
                }
                Item::CopyRow { row, line } => {
                    format!("row {line} {}", String::from_utf8_lossy(row))
                }
                Item::CopyEnd => "end".into(),
            })
        };
        for (i, line) in sql.split_inclusive('\n').enumerate() {
            s.feed(line.as_bytes(), i as u64 + 1, &mut emit);
        }
        s.finish(&mut emit);
        out
    }

    #[test]
    fn quotes_comments_and_dollar_bodies() {
        let sql = "SELECT 'a;b', \"c;d\"; -- x;y\nCREATE FUNCTION f() RETURNS int AS $body$ BEGIN; END $body$ LANGUAGE plpgsql;\n/* a; /* nested; */ b; */ SELECT E'it\\'s;' ; SELECT 2";
        assert_eq!(
            split(sql, false),
            [
                "1:1 SELECT 'a;b', \"c;d\"",
                "1:22 -- x;y\nCREATE FUNCTION f() RETURNS int AS $body$ BEGIN; END $body$ LANGUAGE plpgsql",
                "3:1 /* a; /* nested; */ b; */ SELECT E'it\\'s;' ",
                "3:46 SELECT 2",
            ]
        );
    }

    #[test]
    fn copy_blocks_stream_rows() {
        let sql = "COPY public.t (a, b) FROM stdin;\n1\tx;y\n2\t\\N\n\\.\nSELECT 1;\n";
        assert_eq!(
            split(sql, false),
            [
                "1:1 COPY public.t (a, b) FROM stdin",
                "row 2 1\tx;y",
                "row 3 2\t\\N",
                "end",
                "5:1 SELECT 1"
            ]
        );
    }

    #[test]
    fn mysql_delimiters_and_escapes() {
        let sql = "INSERT INTO t VALUES ('O\\'Brien;');\nDELIMITER ;;\nCREATE TRIGGER x BEFORE INSERT ON t FOR EACH ROW BEGIN SET @a = 1; END;;\nDELIMITER ;\nSELECT 1; # done; really\n";
        assert_eq!(
            split(sql, true),
            [
                "1:1 INSERT INTO t VALUES ('O\\'Brien;')",
                "3:1 CREATE TRIGGER x BEFORE INSERT ON t FOR EACH ROW BEGIN SET @a = 1; END",
                "5:1 SELECT 1",
                "5:11 # done; really\n",
            ]
        );
    }

    #[test]
    fn tsql_go_batches() {
        let sql = "CREATE TABLE [dbo].[T] ([Id] INT)\nGO\nINSERT INTO [dbo].[T] VALUES (1)\ngo\n";
        assert_eq!(
            split(sql, false),
            [
                "1:1 CREATE TABLE [dbo].[T] ([Id] INT)\n",
                "3:1 INSERT INTO [dbo].[T] VALUES (1)\n"
            ]
        );
    }
}
