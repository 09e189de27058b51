//! CSV, TSV and other delimited exports.
//!
//! The delimiter is sniffed (`,` `\t` `;` `|`: the one splitting the first lines into
//! the same number of fields), quoted fields may hold delimiters, `""` and newlines,
//! and a first row of identifier-like names is taken as the header: it names each
//! field and gives context to bare numbers. Records are read one at a time (bounded
//! by `MAX_RECORD`); the first `infer::SAMPLE` records are held back until each
//! column's type has been inferred from them.

use super::infer::{self, ColumnInference};
use super::{FieldScanner, FindingBuilder, FindingSink, Place};
use crate::finding::Scope;
use std::io::{self, BufRead, Read};
use std::ops::Range;

/// How records are spread over threads once the columns are known: the sequential
/// reader collects about `batch_bytes` of records per thread, the batch's records are
/// scanned on `threads` threads, and their findings handed over in record order.
#[derive(Debug, Clone, Copy)]
pub struct Parallel {
    pub threads: usize,
    pub batch_bytes: usize,
}

/// Longest record (an unclosed quote would otherwise swallow the file).
pub const MAX_RECORD: usize = 16 << 20;

/// One field: its bytes in the record buffer and where it starts in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Field {
    range: Range<usize>,
    line: u64,
    column: u64,
}

/// One record: its text and fields.
#[derive(Debug, Clone, Default)]
struct Record {
    text: Vec<u8>,
    fields: Vec<Field>,
}

/// Delimiter counts per record (quotes may span lines) for the first records of `head`;
/// the last, possibly cut, record is dropped.
fn counts_per_record(head: &[u8], delim: u8) -> Vec<usize> {
    let mut counts = Vec::new();
    let mut quoted = false;
    let mut n = 0;
    for &b in head {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => {
                counts.push(n);
                n = 0;
                if counts.len() == 20 {
                    break;
                }
            }
            _ if b == delim && !quoted => n += 1,
            _ => {}
        }
    }
    counts
}

/// The delimiter that splits the first records most consistently, if any does.
pub fn sniff_delimiter(head: &[u8]) -> Option<u8> {
    let mut best: Option<(u8, usize)> = None;
    for delim in [b',', b'\t', b';', b'|'] {
        let counts = counts_per_record(head, delim);
        let Some(&first) = counts.first() else {
            continue;
        };
        let consistent = counts.iter().filter(|&&c| c == first).count();
        if first > 0 && consistent * 10 >= counts.len() * 8 {
            let score = first * consistent;
            if best.is_none_or(|(_, s)| score > s) {
                best = Some((delim, score));
            }
        }
    }
    best.map(|(d, _)| d)
}

/// A first row of names: every field identifier-like and none a number or a value.
fn is_header(rec: &Record) -> bool {
    !rec.fields.is_empty()
        && rec.fields.iter().all(|f| {
            let v = &rec.text[f.range.clone()];
            !v.is_empty()
                && v.len() <= 64
                && v[0].is_ascii_alphabetic()
                && v.iter().all(|b| {
                    b.is_ascii_alphanumeric()
                        || matches!(b, b' ' | b'_' | b'-' | b'.' | b'#' | b'(' | b')' | b'/')
                })
        })
}

/// Reads records one at a time, tracking each field's line and column.
struct RecordReader<R> {
    reader: R,
    delim: u8,
    line_no: u64,
    bytes: u64,
    /// A line longer than `MAX_RECORD` stopped record reading: the line its record
    /// starts on. The record's bytes are left in the record for the caller.
    oversized: Option<u64>,
}

impl<R: BufRead> RecordReader<R> {
    fn next(&mut self, rec: &mut Record) -> io::Result<bool> {
        rec.text.clear();
        rec.fields.clear();
        let mut quoted = false;
        let mut field_start = 0usize;
        let mut start_pos = (self.line_no + 1, 1u64);
        let mut content_start: Option<usize> = None;
        let first_line = self.line_no + 1;
        loop {
            let line_start = rec.text.len();
            let n = super::read_line_bounded(&mut self.reader, &mut rec.text, MAX_RECORD)?;
            if n == MAX_RECORD && !rec.text.ends_with(b"\n") {
                self.bytes += n as u64;
                rec.fields.clear();
                self.oversized = Some(first_line);
                return Ok(false);
            }
            if n == 0 {
                if rec.text.is_empty() {
                    return Ok(false);
                }
                break;
            }
            self.bytes += n as u64;
            self.line_no += 1;
            let end = rec.text.len();
            let mut i = line_start;
            // Jumps from one byte that matters to the next: a quote inside a quoted
            // field; a delimiter or line end outside one (a quote there matters only
            // as a field's first byte).
            while i < end {
                if quoted {
                    let Some(p) = memchr::memchr(b'"', &rec.text[i..end]) else {
                        break;
                    };
                    i += p;
                    if rec.text.get(i + 1) == Some(&b'"') {
                        i += 2;
                        continue;
                    }
                    quoted = false;
                    // The content ends before the closing quote.
                    rec.fields.push(Field {
                        range: content_start.take().unwrap_or(field_start)..i,
                        line: start_pos.0,
                        column: start_pos.1,
                    });
                    i += 1;
                    continue;
                }
                if i == field_start && rec.text[i] == b'"' {
                    quoted = true;
                    content_start = Some(i + 1);
                    start_pos = (self.line_no, (i + 1 - line_start) as u64 + 1);
                    i += 1;
                    continue;
                }
                let Some(p) = memchr::memchr3(self.delim, b'\n', b'\r', &rec.text[i..end]) else {
                    break;
                };
                i += p;
                let b = rec.text[i];
                if b == b'\r' && rec.text.get(i + 1) != Some(&b'\n') {
                    // A lone carriage return is content.
                    i += 1;
                    continue;
                }
                if rec.fields.last().is_none_or(|f| f.range.end < field_start)
                    || content_start.is_none() && !ends_quoted(rec, field_start)
                {
                    rec.fields.push(Field {
                        range: field_start..i,
                        line: start_pos.0,
                        column: start_pos.1,
                    });
                }
                if b == b'\r' {
                    i += 1;
                }
                field_start = i + 1;
                start_pos = (self.line_no, (i + 1 - line_start) as u64 + 1);
                i += 1;
            }
            if !quoted || rec.text.len() > MAX_RECORD {
                break;
            }
        }
        if field_start < rec.text.len() && !ends_quoted(rec, field_start) {
            rec.fields.push(Field {
                range: field_start..rec.text.len(),
                line: start_pos.0,
                column: start_pos.1,
            });
        }
        Ok(true)
    }
}

/// True when the last pushed field was a quoted one starting at `field_start`.
fn ends_quoted(rec: &Record, field_start: usize) -> bool {
    rec.fields.last().is_some_and(|f| {
        f.range.start == field_start + 1 && rec.text.get(field_start) == Some(&b'"')
    })
}

/// Scans a delimited file. Returns the bytes read, and the line of a record longer
/// than `MAX_RECORD` if one was met: that record and the rest of the file are then
/// scanned as text in windows (bounded memory; fields are not named there).
pub fn scan(
    reader: impl BufRead,
    delim: u8,
    builder: &FindingBuilder<'_>,
    parallel: Parallel,
    out: &mut dyn FindingSink,
) -> (u64, io::Result<()>, Option<u64>) {
    let mut rr = RecordReader {
        reader,
        delim,
        line_no: 0,
        bytes: 0,
        oversized: None,
    };
    let mut header: Option<Vec<String>> = None;
    let mut fields = FieldScanner::default();
    let mut inference = ColumnInference::default();
    let mut held: Vec<Record> = Vec::new();
    let mut inferred: Option<Vec<Option<String>>> = None;
    let mut record_no = 0u64;
    let mut rec = Record::default();
    let mut first = true;
    let emit = |rec: &Record,
                record_no: u64,
                header: Option<&Vec<String>>,
                inferred: &[Option<String>],
                fields: &mut FieldScanner,
                out: &mut dyn FindingSink| {
        // One search decides most records of a numeric export (no quotes: each value
        // is the record's bytes between delimiters).
        if rec.fields.len() > 1
            && memchr::memchr(b'"', &rec.text).is_none()
            && fields.record_is_quiet(
                builder.engine,
                &rec.text,
                rec.fields.iter().map(|f| f.range.clone()),
                header.map(Vec::as_slice),
                inferred,
            )
        {
            return;
        }
        for (i, f) in rec.fields.iter().enumerate() {
            let value = &rec.text[f.range.clone()];
            if value.is_empty() {
                continue;
            }
            let name = header.and_then(|h| h.get(i)).map(String::as_str);
            let ty = inferred.get(i).and_then(|t| t.as_deref());
            let text = &rec.text;
            let place_at = |offset: usize| {
                // Offsets within a field may cross newlines inside quotes.
                let before = &text[f.range.start..f.range.start + offset];
                let nl = memchr::memchr_iter(b'\n', before).count() as u64;
                let column = match memchr::memrchr(b'\n', before) {
                    Some(p) => (offset - p) as u64,
                    None => f.column + offset as u64,
                };
                Place {
                    scope: Scope::Structured,
                    line: f.line + nl,
                    column,
                    table: None,
                    field: name.map(str::to_string),
                    record: Some(record_no),
                }
            };
            fields.scan(builder, value, name, ty, &place_at, out);
        }
    };
    // Decides the column types from the held records, then scans them with them.
    let release = |held: &mut Vec<Record>,
                   inference: &ColumnInference,
                   header: &Option<Vec<String>>,
                   record_no: u64,
                   fields: &mut FieldScanner,
                   out: &mut dyn FindingSink| {
        let types = decide(inference, held, header, builder);
        let first_no = record_no - held.len() as u64 + 1;
        for (k, r) in held.drain(..).enumerate() {
            emit(
                &r,
                first_no + k as u64,
                header.as_ref(),
                &types,
                fields,
                out,
            );
        }
        types
    };
    loop {
        if parallel.threads > 1
            && let Some(types) = &inferred
        {
            // The columns are known: the rest of the file goes through the pipeline.
            let r = scan_rest_parallel(
                &mut rr,
                &mut rec,
                record_no,
                (header.as_ref(), types, &fields),
                &emit,
                parallel,
                out,
            );
            if let Err(e) = r {
                return (rr.bytes, Err(e), None);
            }
            break;
        }
        match rr.next(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return (rr.bytes, Err(e), None),
        }
        if first {
            first = false;
            if is_header(&rec) {
                let names: Vec<String> = rec
                    .fields
                    .iter()
                    .map(|f| {
                        String::from_utf8_lossy(&rec.text[f.range.clone()])
                            .trim()
                            .to_string()
                    })
                    .collect();
                fields.set_columns(builder.engine, &names);
                header = Some(names);
                continue;
            }
        }
        record_no += 1;
        match &inferred {
            Some(types) => emit(&rec, record_no, header.as_ref(), types, &mut fields, out),
            None => {
                for (i, f) in rec.fields.iter().enumerate() {
                    inference.observe(builder.engine, i, &rec.text[f.range.clone()]);
                }
                held.push(std::mem::take(&mut rec));
                if held.len() >= infer::SAMPLE {
                    inferred = Some(release(
                        &mut held,
                        &inference,
                        &header,
                        record_no,
                        &mut fields,
                        out,
                    ));
                }
            }
        }
    }
    if inferred.is_none() {
        release(&mut held, &inference, &header, record_no, &mut fields, out);
    }
    if let Some(line) = rr.oversized {
        let pending = rec.text.len() as u64;
        let rest = io::Cursor::new(std::mem::take(&mut rec.text)).chain(rr.reader);
        let (n, r) =
            super::text::scan_stream_from(rest, builder, super::text::DEFAULT_CHUNK, line, out);
        return (rr.bytes + n.saturating_sub(pending), r, Some(line));
    }
    (rr.bytes, Ok(()), None)
}

/// Scans one record's fields (the `emit` of [`scan`]).
type EmitRecord<'a> = dyn Fn(
        &Record,
        u64,
        Option<&Vec<String>>,
        &[Option<String>],
        &mut FieldScanner,
        &mut dyn FindingSink,
    ) + Sync
    + 'a;

/// What a pool job hands back with its findings: its input, whose buffers the
/// reader reuses.
enum Batch {
    /// Records the reader split (numbered).
    Records(Vec<(u64, Record)>),
    /// Whole lines holding no quote, split into records by the job itself.
    Lines(Vec<u8>),
}

type Scanned = (Vec<super::Collected>, Batch);

/// The columns and the per-record scan every job of [`scan_rest_parallel`] shares.
#[derive(Clone, Copy)]
struct RecordJob<'a> {
    header: Option<&'a Vec<String>>,
    types: &'a [Option<String>],
    /// The reader's scanner, its field names already classified: each piece starts
    /// from a copy instead of classifying them again.
    fields: &'a FieldScanner,
    emit: &'a EmitRecord<'a>,
    delim: u8,
    /// Pieces a job's input is split into: four per thread, so a thread that
    /// finishes early takes over work.
    pieces: usize,
}

/// Jobs on the pool whose findings are handed over in the order they were queued,
/// at most `threads` in flight, and the buffers of those already handed over.
struct Pipeline<'o> {
    in_flight: super::Ordered<Scanned>,
    threads: usize,
    spare_records: Vec<Record>,
    spare_blocks: Vec<Vec<u8>>,
    out: &'o mut dyn FindingSink,
}

impl Pipeline<'_> {
    /// Hands over the oldest job's findings and keeps its buffers.
    fn take(&mut self) {
        if let Some((found, batch)) = self.in_flight.wait_next() {
            match batch {
                Batch::Records(records) => self
                    .spare_records
                    .extend(records.into_iter().map(|(_, r)| r)),
                Batch::Lines(block) => self.spare_blocks.push(block),
            }
            for piece in found {
                super::Replay::replay(piece, self.out);
            }
        }
    }

    /// Queues `job`, first waiting for the oldest when `threads` are in flight: the
    /// pool never waits for the reader to hand over work, the reader rarely waits
    /// for the pool.
    fn spawn<'s>(&mut self, scope: &rayon::Scope<'s>, job: impl FnOnce() -> Scanned + Send + 's) {
        if self.in_flight.len() >= self.threads {
            self.take();
        }
        self.in_flight.spawn(scope, job);
    }

    fn finish(&mut self) {
        while !self.in_flight.is_empty() {
            self.take();
        }
    }
}

/// Scans the rest of a file once its columns are known, on the pool while the
/// reader fills the next batch, and hands the findings over in record order.
///
/// While the input holds no quote, every line is one record, so the reader only cuts
/// blocks of about `batch_bytes` per thread at line ends (and counts their lines,
/// for the first record and line number of the next block); the jobs split the
/// records themselves, with the same [`RecordReader`]. From the first block holding
/// a quote (a quoted field may span lines), the reader splits the records and hands
/// over batches of them. A record longer than `MAX_RECORD` is left in `left`.
/// Memory: `threads` batches in flight, one being read, and their findings.
fn scan_rest_parallel<R: BufRead>(
    rr: &mut RecordReader<R>,
    left: &mut Record,
    mut record_no: u64,
    (header, types, fields): (Option<&Vec<String>>, &[Option<String>], &FieldScanner),
    emit: &EmitRecord<'_>,
    parallel: Parallel,
    out: &mut dyn FindingSink,
) -> io::Result<()> {
    // At most a quarter of `MAX_RECORD`, so a block with its carried line stays
    // below it and the record reader never meets an oversized line in one.
    let limit = parallel
        .batch_bytes
        .saturating_mul(parallel.threads)
        .clamp(1, MAX_RECORD / 4);
    let job = RecordJob {
        header,
        types,
        fields,
        emit,
        delim: rr.delim,
        pieces: 4 * parallel.threads,
    };
    rayon::in_place_scope(|scope| {
        let mut pipe = Pipeline {
            in_flight: super::Ordered::default(),
            threads: parallel.threads,
            spare_records: Vec::new(),
            spare_blocks: Vec::new(),
            out,
        };
        // The bytes after the last line end of the block read last.
        let mut carry: Vec<u8> = Vec::new();
        let (quoted, read) = loop {
            let mut block = pipe.spare_blocks.pop().unwrap_or_default();
            block.clear();
            block.append(&mut carry);
            let (n, read) = fill(&mut rr.reader, &mut block, limit);
            rr.bytes += n as u64;
            let at_end = read.is_err() || n < limit;
            let cut = match memchr::memrchr(b'\n', &block) {
                _ if at_end && read.is_ok() => block.len(),
                Some(p) => p + 1,
                None => 0,
            };
            if memchr::memchr(b'"', &block[..cut]).is_some() || (cut == 0 && !at_end) {
                carry = block;
                break (true, read);
            }
            carry.extend_from_slice(&block[cut..]);
            block.truncate(cut);
            if !block.is_empty() {
                // One record per line (a last one without its line end ends the file).
                let lines = memchr::memchr_iter(b'\n', &block).count() as u64;
                let (first_line, first_no) = (rr.line_no + 1, record_no + 1);
                rr.line_no += lines;
                record_no += lines;
                pipe.spawn(scope, move || {
                    let found = scan_lines(&block, first_line, first_no, job);
                    (found, Batch::Lines(block))
                });
            }
            if at_end {
                break (false, read);
            }
        };
        let result = if quoted {
            // The reader splits the records from here on, starting with the bytes
            // already read (and ending with them after a read error).
            let carried = carry.len() as u64;
            let rest = if read.is_ok() { u64::MAX } else { 0 };
            let mut sub = RecordReader {
                reader: io::Cursor::new(carry).chain((&mut rr.reader).take(rest)),
                delim: rr.delim,
                line_no: rr.line_no,
                bytes: 0,
                oversized: None,
            };
            let r = scan_records(&mut sub, left, record_no, (job, limit), &mut pipe, scope);
            rr.bytes += sub.bytes.saturating_sub(carried);
            rr.line_no = sub.line_no;
            rr.oversized = sub.oversized;
            read.and(r)
        } else {
            read
        };
        pipe.finish();
        result
    })
}

/// Appends up to `limit` bytes of `reader` to `block`: the count, and the error that
/// stopped it early, if one did (fewer than `limit` bytes and no error: the end).
fn fill(reader: &mut impl BufRead, block: &mut Vec<u8>, limit: usize) -> (usize, io::Result<()>) {
    let mut n = 0;
    while n < limit {
        let available = match reader.fill_buf() {
            Ok([]) => break,
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return (n, Err(e)),
        };
        let take = available.len().min(limit - n);
        block.extend_from_slice(&available[..take]);
        reader.consume(take);
        n += take;
    }
    (n, Ok(()))
}

/// Scans a block of whole lines holding no quote (one record per line, the first
/// being record `first_no` on line `first_line`) in `job.pieces` pieces on the pool.
fn scan_lines(
    block: &[u8],
    first_line: u64,
    first_no: u64,
    job: RecordJob<'_>,
) -> Vec<super::Collected> {
    use rayon::prelude::*;
    let mut pieces = Vec::with_capacity(job.pieces);
    let (mut start, mut line) = (0, first_line);
    for k in 1..=job.pieces {
        let target = (block.len() * k / job.pieces).max(start);
        let end = match memchr::memchr(b'\n', &block[target..]) {
            Some(p) if k < job.pieces => target + p + 1,
            _ => block.len(),
        };
        if end > start {
            pieces.push((start..end, line));
            line += memchr::memchr_iter(b'\n', &block[start..end]).count() as u64;
        }
        start = end;
    }
    pieces
        .into_par_iter()
        .map(|(range, line)| {
            let mut rr = RecordReader {
                reader: &block[range],
                delim: job.delim,
                line_no: line - 1,
                bytes: 0,
                oversized: None,
            };
            let mut rec = Record::default();
            let mut fields = job.fields.clone();
            let mut found = super::Collected::default();
            let mut no = first_no + (line - first_line);
            // A slice cannot fail to read, and holds no line of `MAX_RECORD`.
            while let Ok(true) = rr.next(&mut rec) {
                (job.emit)(&rec, no, job.header, job.types, &mut fields, &mut found);
                no += 1;
            }
            found
        })
        .collect()
}

/// Reads the records into batches of about `batch_bytes` per thread while the pool
/// scans the previous batch (split across its threads). A record longer than
/// `MAX_RECORD` is left in `left`.
fn scan_records<'s, R: BufRead>(
    rr: &mut RecordReader<R>,
    left: &mut Record,
    mut record_no: u64,
    (job, limit): (RecordJob<'s>, usize),
    pipe: &mut Pipeline<'_>,
    scope: &rayon::Scope<'s>,
) -> io::Result<()> {
    use rayon::prelude::*;
    let mut result = Ok(());
    loop {
        let mut batch: Vec<(u64, Record)> = Vec::new();
        let mut bytes = 0usize;
        let mut done = false;
        while bytes < limit {
            let mut rec = pipe.spare_records.pop().unwrap_or_default();
            match rr.next(&mut rec) {
                Ok(true) => {
                    record_no += 1;
                    bytes += rec.text.len();
                    batch.push((record_no, rec));
                }
                Ok(false) => {
                    // An oversized record's bytes go back to the caller's fallback.
                    if rr.oversized.is_some() {
                        *left = rec;
                    }
                    done = true;
                    break;
                }
                Err(e) => {
                    result = Err(e);
                    done = true;
                    break;
                }
            }
        }
        if !batch.is_empty() {
            pipe.spawn(scope, move || {
                let per_piece = batch.len().div_ceil(job.pieces).max(1);
                let found = batch
                    .par_chunks(per_piece)
                    .map(|records| {
                        let mut fields = job.fields.clone();
                        let mut v = super::Collected::default();
                        for (no, r) in records {
                            (job.emit)(r, *no, job.header, job.types, &mut fields, &mut v);
                        }
                        v
                    })
                    .collect();
                (found, Batch::Records(batch))
            });
        }
        if done {
            return result;
        }
    }
}

fn decide(
    inference: &ColumnInference,
    held: &[Record],
    header: &Option<Vec<String>>,
    builder: &FindingBuilder<'_>,
) -> Vec<Option<String>> {
    let width = held.iter().map(|r| r.fields.len()).max().unwrap_or(0);
    (0..width)
        .map(|i| {
            let name = header.as_ref().and_then(|h| h.get(i)).map(String::as_str);
            inference.decide(i, &infer::name_types(builder.engine, name))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(text: &str, delim: u8) -> Vec<Vec<(String, u64, u64)>> {
        let mut rr = RecordReader {
            reader: text.as_bytes(),
            delim,
            line_no: 0,
            bytes: 0,
            oversized: None,
        };
        let mut rec = Record::default();
        let mut out = Vec::new();
        while rr.next(&mut rec).unwrap() {
            out.push(
                rec.fields
                    .iter()
                    .map(|f| {
                        (
                            String::from_utf8_lossy(&rec.text[f.range.clone()]).into_owned(),
                            f.line,
                            f.column,
                        )
                    })
                    .collect(),
            );
        }
        out
    }

    /// The byte-at-a-time record splitter the reader replaced, kept as the reference
    /// its jumps must agree with: (text, fields) per record.
    fn reference_records(text: &[u8], delim: u8) -> Vec<(Vec<u8>, Vec<Field>)> {
        let mut out = Vec::new();
        let mut lines = text.split_inclusive(|&b| b == b'\n').peekable();
        let mut line_no = 0u64;
        while lines.peek().is_some() {
            let mut rec = Record::default();
            let mut quoted = false;
            let mut field_start = 0usize;
            let mut start_pos = (line_no + 1, 1u64);
            let mut content_start: Option<usize> = None;
            for line in lines.by_ref() {
                line_no += 1;
                let line_start = rec.text.len();
                rec.text.extend_from_slice(line);
                let mut i = line_start;
                while i < rec.text.len() {
                    let b = rec.text[i];
                    if quoted {
                        if b == b'"' {
                            if rec.text.get(i + 1) == Some(&b'"') {
                                i += 2;
                                continue;
                            }
                            quoted = false;
                            rec.fields.push(Field {
                                range: content_start.take().unwrap_or(field_start)..i,
                                line: start_pos.0,
                                column: start_pos.1,
                            });
                        }
                    } else if b == b'"' && i == field_start {
                        quoted = true;
                        content_start = Some(i + 1);
                        start_pos = (line_no, (i + 1 - line_start) as u64 + 1);
                    } else if b == delim
                        || b == b'\n'
                        || (b == b'\r' && rec.text.get(i + 1) == Some(&b'\n'))
                    {
                        if rec.fields.last().is_none_or(|f| f.range.end < field_start)
                            || content_start.is_none() && !ends_quoted(&rec, field_start)
                        {
                            rec.fields.push(Field {
                                range: field_start..i,
                                line: start_pos.0,
                                column: start_pos.1,
                            });
                        }
                        if b == b'\r' {
                            i += 1;
                        }
                        field_start = i + 1;
                        start_pos = (line_no, (i + 1 - line_start) as u64 + 1);
                    }
                    i += 1;
                }
                if !quoted {
                    break;
                }
            }
            if field_start < rec.text.len() && !ends_quoted(&rec, field_start) {
                rec.fields.push(Field {
                    range: field_start..rec.text.len(),
                    line: start_pos.0,
                    column: start_pos.1,
                });
            }
            out.push((rec.text, rec.fields));
        }
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]
        #[test]
        fn the_reader_splits_records_as_the_byte_at_a_time_reference(
            bytes in proptest::collection::vec(
                proptest::sample::select(b"ab1,;\"\"\r\n\n ".to_vec()), 0..120),
            semicolon in proptest::bool::ANY,
        ) {
            let delim = if semicolon { b';' } else { b',' };
            let mut rr = RecordReader {
                reader: &bytes[..],
                delim,
                line_no: 0,
                bytes: 0,
                oversized: None,
            };
            let mut rec = Record::default();
            let mut got = Vec::new();
            while rr.next(&mut rec).unwrap() {
                got.push((rec.text.clone(), rec.fields.clone()));
            }
            proptest::prop_assert_eq!(got, reference_records(&bytes, delim));
            proptest::prop_assert_eq!(rr.bytes, bytes.len() as u64);
        }
    }

    #[test]
    fn quoted_fields_and_positions() {
        let text =
            "id,name,note\n1,\"Doe, Jane\",\"said \"\"hi\"\"\"\n2,Bo,\"two\nlines\"\n3,,x\r\n";
        let r = records(text, b',');
        assert_eq!(
            r[0],
            [
                ("id".into(), 1, 1),
                ("name".into(), 1, 4),
                ("note".into(), 1, 9)
            ]
        );
        assert_eq!(
            r[1],
            [
                ("1".into(), 2, 1),
                ("Doe, Jane".into(), 2, 4),
                ("said \"\"hi\"\"".into(), 2, 16)
            ]
        );
        assert_eq!(
            r[2],
            [
                ("2".into(), 3, 1),
                ("Bo".into(), 3, 3),
                ("two\nlines".into(), 3, 7)
            ]
        );
        assert_eq!(
            r[3],
            [("3".into(), 5, 1), ("".into(), 5, 3), ("x".into(), 5, 4)]
        );
    }

    #[test]
    fn delimiters() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1,2,3\n4,5,6\n"), Some(b','));
        assert_eq!(sniff_delimiter(b"a\tb\n1\t2\n"), Some(b'\t'));
        assert_eq!(sniff_delimiter(b"a;b;c\n\"1;x\";2;3\n"), Some(b';'));
        assert_eq!(
            sniff_delimiter(b"just some text\nwithout structure\n"),
            None
        );
    }
}
