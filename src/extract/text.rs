//! Plain text, logs and any file without a more specific extractor.
//!
//! Reads a fixed-size buffer at a time, cut at the last newline so matches never
//! straddle two reads. A line longer than the buffer is scanned in overlapping
//! windows, so memory stays bounded whatever the line length. A few bytes before each
//! window are kept as context for keywords and word boundaries.

use super::{FindingBuilder, FindingSink, Place};
use crate::engine::FieldContext;
use crate::finding::Scope;
use std::io::{self, Read};

/// Part of a large file scanned by one thread (`scan_parallel`).
pub const DEFAULT_PART: usize = 2 << 20;
/// Default read size.
pub const DEFAULT_CHUNK: usize = 256 * 1024;
/// Context bytes carried into the next window (keywords, inline keys, `\b`).
const CARRY: usize = 256;
/// Longest match a window must hold whole when a line is cut (e-mails are ≤ 254).
const MAX_MATCH: usize = 1024;
/// Smallest usable chunk: a window must advance past its carried context and overlap.
pub const MIN_CHUNK: usize = CARRY + MAX_MATCH + 64;

/// Tracks line numbers and line starts across windows.
struct LineCursor {
    /// Position in the buffer up to which newlines are counted.
    pos: usize,
    line: u64,
    /// File offset of the first byte of `line`.
    line_start: u64,
}

impl LineCursor {
    fn advance(&mut self, buf: &[u8], to: usize, buf_offset: u64) {
        if to <= self.pos {
            return;
        }
        // Counted at once, and only the last line start looked for (lines are short
        // in logs: a search per line would cost more than the count).
        let seg = &buf[self.pos..to];
        if let Some(last) = memchr::memrchr(b'\n', seg) {
            self.line += memchr::memchr_iter(b'\n', seg).count() as u64;
            self.line_start = buf_offset + (self.pos + last) as u64 + 1;
        }
        self.pos = to;
    }
}

/// Scans a whole stream as free text. Returns the bytes read; findings go to `out` as
/// they are found, also when reading fails part-way (the error is returned after).
pub fn scan_stream(
    reader: impl Read,
    builder: &FindingBuilder<'_>,
    chunk: usize,
    out: &mut dyn FindingSink,
) -> (u64, io::Result<()>) {
    scan_stream_from(reader, builder, chunk, 1, out)
}

/// As [`scan_stream`], for a stream whose first byte is on line `first_line` of the
/// file (the rest of a SQL file read as text).
pub fn scan_stream_from(
    reader: impl Read,
    builder: &FindingBuilder<'_>,
    chunk: usize,
    first_line: u64,
    out: &mut dyn FindingSink,
) -> (u64, io::Result<()>) {
    scan_stream_ctx(reader, builder, chunk, first_line, &[], out)
}

/// The scanner itself. `context`: the bytes just before the stream (the end of the
/// previous part of a file split at a line end), looked at for keywords and word
/// boundaries but never reported from.
fn scan_stream_ctx(
    mut reader: impl Read,
    builder: &FindingBuilder<'_>,
    chunk: usize,
    first_line: u64,
    context: &[u8],
    out: &mut dyn FindingSink,
) -> (u64, io::Result<()>) {
    let chunk = chunk.max(MIN_CHUNK);
    let context = &context[context.len().saturating_sub(CARRY)..];
    // The window is `buf[..filled]`; `buf` keeps its length, so that a read into it
    // zeroes nothing first.
    let mut buf: Vec<u8> = Vec::new();
    let mut filled = 0;
    grow(&mut buf, chunk.max(context.len()));
    put(&mut buf, &mut filled, context);
    let mut context_len = context.len();
    let mut buf_offset = 0u64;
    let mut total = 0u64;
    let mut cursor = LineCursor {
        pos: context.len(),
        line: first_line,
        line_start: context.len() as u64,
    };
    loop {
        // Fill the buffer.
        let mut eof = false;
        while filled < chunk {
            match read_into(&mut reader, &mut buf, filled, chunk) {
                Ok(0) => {
                    eof = true;
                    break;
                }
                Ok(n) => {
                    filled += n;
                    total += n as u64;
                }
                Err(e) => {
                    // Scan what we have, then report the error.
                    scan_window(
                        &buf[..filled],
                        context_len,
                        filled,
                        builder,
                        &mut cursor,
                        buf_offset,
                        out,
                    );
                    return (total, Err(e));
                }
            }
        }
        if filled <= context_len && eof {
            return (total, Ok(()));
        }
        let window = &buf[..filled];
        let end = window_end(window, context_len, eof);
        scan_window(
            window,
            context_len,
            end,
            builder,
            &mut cursor,
            buf_offset,
            out,
        );
        if eof {
            return (total, Ok(()));
        }
        cursor.advance(window, end, buf_offset);
        let keep = CARRY.min(end);
        let drop = end - keep;
        buf.copy_within(drop..filled, 0);
        filled -= drop;
        buf_offset += drop as u64;
        cursor.pos -= drop;
        context_len = keep;
    }
}

/// Where the window of a full buffer (`buf`, its first `context_len` bytes context)
/// ends: at its last line end, at its end when the input ends there, and for one line
/// longer than the buffer an overlap before its end. Shared by the streaming and the
/// in-memory scanners, whose findings must be the same.
fn window_end(buf: &[u8], context_len: usize, eof: bool) -> usize {
    if eof {
        buf.len()
    } else if let Some(nl) = memchr::memrchr(b'\n', &buf[context_len..]) {
        context_len + nl + 1
    } else {
        buf.len() - MAX_MATCH
    }
}

/// [`scan_stream_ctx`] over bytes in memory, without copying them into a buffer of
/// its own: `data[..ctx_len]` is the context, the rest the stream. The windows are
/// the streaming scanner's (its buffer is `data[start..start + chunk]`), so the
/// findings are the same.
fn scan_slice_ctx(
    data: &[u8],
    ctx_len: usize,
    builder: &FindingBuilder<'_>,
    chunk: usize,
    first_line: u64,
    out: &mut dyn FindingSink,
) {
    let chunk = chunk.max(MIN_CHUNK);
    let mut start = ctx_len.saturating_sub(CARRY);
    let mut context_len = ctx_len - start;
    let mut buf_offset = 0u64;
    let mut cursor = LineCursor {
        pos: context_len,
        line: first_line,
        line_start: context_len as u64,
    };
    loop {
        // The streaming scanner reads until its buffer is full or the input ends.
        let eof = data.len() - start < chunk;
        let buf = &data[start..(start + chunk).min(data.len())];
        if buf.len() <= context_len && eof {
            return;
        }
        let end = window_end(buf, context_len, eof);
        scan_window(buf, context_len, end, builder, &mut cursor, buf_offset, out);
        if eof {
            return;
        }
        cursor.advance(buf, end, buf_offset);
        let keep = CARRY.min(end);
        let drop = end - keep;
        start += drop;
        buf_offset += drop as u64;
        cursor.pos -= drop;
        context_len = keep;
    }
}

/// Scans a large plain file on several threads: it is read in parts of about `part`
/// bytes cut at line ends; each part is scanned by the pool (with the end of the
/// previous part as context and its own first line number) while the next ones are
/// read, and the findings are handed to `out` in file order, so the result is the
/// same as [`scan_stream`]'s. Memory: at most `2 × threads + 1` parts in flight plus
/// the one being read, and their findings (a part's buffer is reused once scanned). A line longer than four parts makes the rest of
/// the file go through [`scan_stream`] on this thread.
pub fn scan_parallel(
    mut reader: impl Read,
    builder: &FindingBuilder<'_>,
    chunk: usize,
    part: usize,
    threads: usize,
    out: &mut dyn FindingSink,
) -> (u64, io::Result<()>) {
    let part = part.max(MIN_CHUNK);
    let mut total = 0u64;
    let mut line = 1u64;
    let mut context: Vec<u8> = Vec::new();
    let mut carry: Vec<u8> = Vec::new();
    let mut eof = false;
    // Buffers of scanned parts, handed back for the next reads: with fresh ones, the
    // kernel's page faults for each new 2 MiB ate what a deeper queue of parts gains.
    // A buffer keeps its length (its bytes initialised: stale, past `filled`), so
    // that a read into it zeroes nothing first (base64: the reading thread zeroed
    // every part's 2 MiB before reading into it).
    let spare: std::sync::Mutex<Vec<Vec<u8>>> = std::sync::Mutex::default();
    rayon::in_place_scope(|scope| {
        let mut in_flight = super::Ordered::default();
        while !eof {
            // Read one part, ending at a line end (the last at EOF), after the end of
            // the previous part as context (scanned in place: no copy of the part).
            // The part is `buf[..filled]`.
            let reused = spare.lock().ok().and_then(|mut s| s.pop());
            let mut buf = reused.unwrap_or_default();
            let mut filled = 0;
            grow(&mut buf, context.len() + carry.len() + part);
            put(&mut buf, &mut filled, &context);
            let ctx_len = filled;
            put(&mut buf, &mut filled, &carry);
            carry.clear();
            let mut failed = None;
            loop {
                let data = &buf[ctx_len..filled];
                let want = if memchr::memrchr(b'\n', data).is_some() || data.len() < part {
                    part
                } else {
                    // No line end yet: read on (a long line), up to four parts.
                    data.len() + part
                };
                if data.len() >= want {
                    break;
                }
                match read_into(&mut reader, &mut buf, filled, ctx_len + want) {
                    Ok(0) => {
                        eof = true;
                        break;
                    }
                    Ok(n) => {
                        filled += n;
                        total += n as u64;
                    }
                    Err(e) => {
                        failed = Some(e);
                        break;
                    }
                }
                if filled - ctx_len > 4 * part
                    && memchr::memchr(b'\n', &buf[ctx_len..filled]).is_none()
                {
                    break;
                }
            }
            if let Some(e) = failed {
                // Scan what was read, in order, then report the error.
                in_flight.drain(out);
                scan_slice_ctx(&buf[..filled], ctx_len, builder, chunk, line, out);
                return (total, Err(e));
            }
            if !eof {
                match memchr::memrchr(b'\n', &buf[ctx_len..filled]) {
                    Some(nl) => {
                        carry.extend_from_slice(&buf[ctx_len + nl + 1..filled]);
                        filled = ctx_len + nl + 1;
                    }
                    None => {
                        // A line longer than four parts: the rest on this thread.
                        in_flight.drain(out);
                        let data = buf[ctx_len..filled].to_vec();
                        let rest = io::Cursor::new(data).chain(&mut reader);
                        let (n, r) =
                            scan_stream_ctx(rest, builder, chunk, line, &buf[..ctx_len], out);
                        return (total + n, r);
                    }
                }
            }
            if filled == ctx_len {
                break;
            }
            // Only this part's bytes, as before the part was scanned in place.
            context = buf[(filled.saturating_sub(CARRY)).max(ctx_len)..filled].to_vec();
            let first = line;
            line += memchr::memchr_iter(b'\n', &buf[ctx_len..filled]).count() as u64;
            // Twice as many parts in flight as threads: with as many (plus one), this
            // thread, which also reads, often waited on the oldest part with nothing
            // to help with while the other threads ran out of parts (base64, 1 GiB,
            // 2 threads: 0.84 s → 0.75 s).
            if in_flight.len() > 2 * threads.max(1) {
                in_flight.next_to(out);
            }
            let spare = &spare;
            in_flight.spawn(scope, move || {
                let mut v = super::Collected::default();
                scan_slice_ctx(&buf[..filled], ctx_len, builder, chunk, first, &mut v);
                if let Ok(mut s) = spare.lock() {
                    s.push(buf);
                }
                v
            });
        }
        in_flight.drain(out);
        (total, Ok(()))
    })
}

/// Makes `buf` at least `len` bytes long (zeroing only what it never held).
fn grow(buf: &mut Vec<u8>, len: usize) {
    if buf.len() < len {
        buf.resize(len, 0);
    }
}

/// Writes `bytes` at `buf[*filled..]` and moves `filled` past them.
fn put(buf: &mut Vec<u8>, filled: &mut usize, bytes: &[u8]) {
    grow(buf, *filled + bytes.len());
    buf[*filled..*filled + bytes.len()].copy_from_slice(bytes);
    *filled += bytes.len();
}

/// One read into `buf[filled..want]` (`buf` grown to `want` first): the bytes read,
/// 0 at the end of the input. An interrupted read is retried.
fn read_into(
    reader: &mut impl Read,
    buf: &mut Vec<u8>,
    filled: usize,
    want: usize,
) -> io::Result<usize> {
    grow(buf, want);
    loop {
        match reader.read(&mut buf[filled..want]) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            r => return r,
        }
    }
}

/// Scans matches starting in `buf[from..to]`; bytes after `to` complete matches and
/// context but their matches are left to the next window.
fn scan_window(
    buf: &[u8],
    from: usize,
    to: usize,
    builder: &FindingBuilder<'_>,
    cursor: &mut LineCursor,
    buf_offset: u64,
    out: &mut dyn FindingSink,
) {
    if from >= to {
        return;
    }
    // Free text reports to the file: one switch for every hit.
    let switch = builder.switch(super::CountKey::File);
    builder
        .engine
        .scan(buf, from..to, FieldContext::default(), |hit| {
            // Past the report's listing cap: counted only (no line needed either).
            if builder.counted(&hit, buf, switch.as_ref(), out) {
                return;
            }
            cursor.advance(buf, hit.start, buf_offset);
            let column = buf_offset + hit.start as u64 - cursor.line_start + 1;
            let field = hit
                .key
                .map(|(s, e)| String::from_utf8_lossy(&buf[s..e]).into_owned());
            let place = Place {
                line: cursor.line,
                column,
                field,
                scope: Scope::FreeText,
                ..Place::default()
            };
            if let Some(f) = builder.value(&hit, buf, place) {
                out.finding(f);
            }
        });
}
