//! Finding a table's file and turning it into text cells: encoding and
//! delimiter detection for CSV, Parquet through polars, header mapping.
//! Everything after this works on [`RawTable`], whatever the source format.

use std::path::{Path, PathBuf};

use encoding_rs::WINDOWS_1252;
use sha2::{Digest, Sha256};

use crate::config::{Config, Encoding};
use crate::error::{Error, Result};
use crate::fast::FastMap;
use crate::read::raw::{Format, Parsed, RawBatch, RawTable, Record, RecordProblem, Sink};
use crate::read::{mapping, parquet, xlsx};
use crate::schema::Table;

/// Records per batch: enough to share out over the cores, few enough that
/// a batch is still in cache when a parser takes it from the splitter
/// (batches of 16,384 held 76 MiB more at national scale and were no
/// faster).
pub(crate) const BATCH: usize = 2_048;

/// Locates a table's file in `dir`: `NAME.csv`, `NAME.parquet` or
/// `NAME.xlsx` (spec 1, 1.4). `Ok(None)` for an absent optional table; two
/// files for one table stop the run, naming both.
pub fn locate(dir: &Path, table: Table) -> Result<Option<(PathBuf, Format)>> {
    let found: Vec<(PathBuf, Format)> = Format::ALL
        .into_iter()
        .map(|f| (dir.join(format!("{}.{}", table.name(), f.extension())), f))
        .filter(|(p, _)| p.is_file())
        .collect();
    match found.as_slice() {
        [] if table.required() => Err(Error::input(
            dir,
            format!(
                "required table {0} is missing: put {0}.csv, {0}.parquet or {0}.xlsx in the data folder",
                table.name()
            ),
        )),
        [] => Ok(None),
        [one] => Ok(Some(one.clone())),
        [(_, a), (_, b), ..] => Err(Error::input(
            dir,
            format!(
                "both {0}.{1} and {0}.{2} exist: keep one",
                table.name(),
                a.extension(),
                b.extension()
            ),
        )),
    }
}

/// Describes a table from its header cells, encoding and delimiter (the
/// last two for CSV only): maps the header to the spec's columns.
pub(crate) type Describe<'d> =
    dyn Fn(&[String], Option<&'static str>, Option<char>) -> Result<RawTable> + 'd;

/// What a header that does not fit the table does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeaderRule {
    /// A required column missing or a column given twice stops the run
    /// (spec 1.1).
    Strict,
    /// The table is read with the columns found (`woonaudit inspect`, which
    /// shows what is missing).
    Lenient,
}

/// Reads one table file, handing its records to `sink` a batch at a
/// time as they are read (one batch in memory, not the table). Returns the
/// table's description and how many records were read.
pub fn read_table(
    path: &Path,
    format: Format,
    table: Table,
    config: &Config,
    sink: &mut Sink<'_>,
) -> Result<(RawTable, u64)> {
    read_table_with(path, format, table, config, HeaderRule::Strict, sink)
}

/// [`read_table`] with a choice of what a header that does not fit does.
pub fn read_table_with(
    path: &Path,
    format: Format,
    table: Table,
    config: &Config,
    rule: HeaderRule,
    sink: &mut Sink<'_>,
) -> Result<(RawTable, u64)> {
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let describe = |header: &[String], encoding, delimiter: Option<char>| -> Result<RawTable> {
        let plan = mapping::plan(table, header, config);
        if rule == HeaderRule::Strict {
            plan.check(path)?;
        }
        let columns = plan.columns();
        Ok(RawTable {
            table,
            file: file.clone(),
            format,
            sha256: String::new(),
            encoding,
            delimiter,
            values: mapping::value_maps(config, table, &columns),
            columns,
            // A spreadsheet cell holds no delimiter, so a comma in it can
            // only be a decimal mark (Dutch Excel writes one in text cells).
            decimal_comma: delimiter == Some(';') || format == Format::Xlsx,
            header: header.iter().map(|h| h.trim().to_string()).collect(),
        })
    };
    // The digest runs beside the parse, over its own read of the file: on
    // two cores it costs no wall time, and no table is held in memory whole.
    let (digest, parsed) = std::thread::scope(|s| {
        let digest = s.spawn(|| sha256_of_file(path));
        let parsed = match format {
            Format::Csv => read_csv(path, config, &describe, sink),
            Format::Parquet => read_parquet(path, &describe, sink),
            Format::Xlsx => xlsx::read(path, &describe, sink),
        };
        (digest.join(), parsed)
    });
    let (mut raw, read) = parsed?;
    raw.sha256 = digest
        .map_err(|_| Error::input(path, "cannot compute the file's SHA-256"))?
        .map_err(|e| Error::input(path, format!("cannot read: {e}")))?;
    Ok((raw, read))
}

/// The records of a Parquet file, a batch of text rows at a time (never
/// the whole table): this thread decodes a slice and turns it into text
/// rows while the parsers work on the rows of the slice before.
fn read_parquet(
    path: &Path,
    describe: &Describe<'_>,
    sink: &mut Sink<'_>,
) -> Result<(RawTable, u64)> {
    let bytes = std::fs::read(path).map_err(|e| Error::input(path, format!("cannot read: {e}")))?;
    let mut slices = parquet::Slices::open(path, &bytes)?;
    let mut slice = slices.next_slice()?;
    let header = slice
        .as_ref()
        .map(|(df, _)| parquet::header(df))
        .unwrap_or_default();
    let raw = describe(&header, None, None)?;
    let mut split = |pipe: &mut Pipe| -> Result<u64> {
        let mut read = 0;
        while let Some((df, first)) = slice.take() {
            let mut start = 0;
            while start < df.height() {
                let len = BATCH.min(df.height() - start);
                let Some(mut batch) = pipe.buffer() else {
                    return Ok(read); // a parse has failed: its panic follows
                };
                parquet::text_rows(&df, first, start, len, &mut batch);
                if !pipe.send(batch) {
                    return Ok(read);
                }
                start += len;
                read += len as u64;
            }
            // One decoded slice at a time.
            drop(df);
            slice = slices.next_slice()?;
        }
        Ok(read)
    };
    let read = pipeline(&raw, sink, &mut split)?;
    Ok((raw, read))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of a file, lower-case hex, read a megabyte at a time.
fn sha256_of_file(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

/// The encoding of a CSV file (spec 1.1): the configured one, else UTF-8
/// when the whole file is valid UTF-8, else Windows-1252. A file that must
/// be UTF-8 (configured, or starting with a BOM) and is not stops the run,
/// naming the physical line of the first bad byte. Reads the file in
/// pieces, so a file of any size is checked in a megabyte of memory.
fn detect_encoding(path: &Path, forced: Option<Encoding>) -> Result<Encoding> {
    use std::io::Read;
    if forced == Some(Encoding::Windows1252) {
        return Ok(Encoding::Windows1252);
    }
    let cannot = |e: std::io::Error| Error::input(path, format!("cannot read: {e}"));
    let mut file = std::fs::File::open(path).map_err(cannot)?;
    let mut buf = vec![0u8; 1 << 20];
    // Bytes of a character cut by the end of the previous piece.
    let mut carry = 0;
    let mut lines = 1;
    let mut first = true;
    let mut bom = false;
    loop {
        let n = file.read(&mut buf[carry..]).map_err(cannot)?;
        let end = carry + n;
        let mut piece = &buf[..end];
        if first {
            first = false;
            if let Some(rest) = piece.strip_prefix(b"\xEF\xBB\xBF") {
                bom = true;
                piece = rest;
            }
        }
        let (valid, bad) = match std::str::from_utf8(piece) {
            Ok(_) => (piece.len(), false),
            // A character cut at the end of the piece: read on, unless the
            // file ends here.
            Err(e) if e.error_len().is_none() && n > 0 => (e.valid_up_to(), false),
            Err(e) => (e.valid_up_to(), true),
        };
        // Counted for the message about a bad byte; a byte at a time, this
        // count took as long as the rest of the check (0.5 s at L).
        lines += memchr::memchr_iter(b'\n', &piece[..valid]).count();
        if bad {
            if forced.is_some() || bom {
                return Err(Error::input(
                    path,
                    format!("not valid UTF-8 (first bad byte on physical line {lines}); set [input] encoding = \"windows-1252\" if it is"),
                ));
            }
            return Ok(Encoding::Windows1252);
        }
        if n == 0 {
            return Ok(Encoding::Utf8);
        }
        let offset = end - piece.len();
        let cut = piece.len() - valid;
        buf.copy_within(offset + valid..end, 0);
        carry = cut;
    }
}

pub(crate) fn detect_delimiter(text: &str) -> u8 {
    let header = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let (mut semis, mut commas, mut quoted) = (0, 0, false);
    for c in header.chars() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => semis += 1,
            ',' if !quoted => commas += 1,
            _ => {}
        }
    }
    if semis > commas {
        b';'
    } else {
        b','
    }
}

/// The records of a CSV file in the configured or detected encoding and
/// delimiter.
fn read_csv(
    path: &Path,
    config: &Config,
    describe: &Describe<'_>,
    sink: &mut Sink<'_>,
) -> Result<(RawTable, u64)> {
    let forced = config.input.encoding.as_ref().map(|e| e.encoding());
    let delimiter = config.input.delimiter.as_ref().map(|d| d.byte());
    match detect_encoding(path, forced)? {
        Encoding::Utf8 => read_utf8(path, delimiter, describe, sink),
        Encoding::Windows1252 => read_windows_1252(path, delimiter, describe, sink),
    }
}

/// A UTF-8 file, parsed straight from the file: the parse holds one batch,
/// not the file. `delimiter`: the configured one, else detected.
fn read_utf8(
    path: &Path,
    delimiter: Option<u8>,
    describe: &Describe<'_>,
    sink: &mut Sink<'_>,
) -> Result<(RawTable, u64)> {
    use std::io::{Read, Seek};
    let cannot = |e: std::io::Error| Error::input(path, format!("cannot read: {e}"));
    let mut file = std::fs::File::open(path).map_err(cannot)?;
    let mut head = Vec::with_capacity(64 * 1024);
    (&mut file)
        .take(64 * 1024)
        .read_to_end(&mut head)
        .map_err(cannot)?;
    let bom = head.starts_with(b"\xEF\xBB\xBF");
    let start = if bom { 3 } else { 0 };
    let delimiter = match delimiter {
        Some(d) => d,
        None => detect_delimiter(&String::from_utf8_lossy(&head[start..])),
    };
    file.seek(std::io::SeekFrom::Start(start as u64))
        .map_err(cannot)?;
    let rest_from = |offset: u64| -> Result<Vec<u8>> {
        let mut f = std::fs::File::open(path).map_err(cannot)?;
        f.seek(std::io::SeekFrom::Start(start as u64 + offset))
            .map_err(cannot)?;
        let mut rest = Vec::new();
        f.read_to_end(&mut rest).map_err(cannot)?;
        Ok(rest)
    };
    parse_csv(
        path,
        file,
        Encoding::Utf8,
        delimiter,
        describe,
        &rest_from,
        sink,
    )
}

/// A Windows-1252 file, decoded whole (every byte maps to a character, so
/// decoding cannot fail). `delimiter`: the configured one, else detected.
fn read_windows_1252(
    path: &Path,
    delimiter: Option<u8>,
    describe: &Describe<'_>,
    sink: &mut Sink<'_>,
) -> Result<(RawTable, u64)> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(|e| Error::input(path, format!("cannot read: {e}")))?;
    let (text, _) = WINDOWS_1252.decode_without_bom_handling(&bytes);
    let delimiter = match delimiter {
        Some(d) => d,
        None => detect_delimiter(&text),
    };
    let rest_from = |offset: u64| -> Result<Vec<u8>> {
        Ok(text
            .as_bytes()
            .get(offset as usize..)
            .unwrap_or_default()
            .to_vec())
    };
    parse_csv(
        path,
        text.as_bytes(),
        Encoding::Windows1252,
        delimiter,
        describe,
        &rest_from,
        sink,
    )
}

/// The records of decoded CSV text, a batch at a time.
/// `rest_from(offset)` gives the source's bytes from `offset` to its end:
/// the check for a quote that is never closed reads the last record again.
fn parse_csv(
    path: &Path,
    source: impl std::io::Read,
    encoding: Encoding,
    delimiter: u8,
    describe: &Describe<'_>,
    rest_from: &dyn Fn(u64) -> Result<Vec<u8>>,
    sink: &mut Sink<'_>,
) -> Result<(RawTable, u64)> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 20)
        .from_reader(source);
    let cannot_parse = |e: csv::Error| Error::input(path, format!("cannot parse CSV: {e}"));
    // Where the last record starts, to find a quote that is never closed.
    let mut last_start: u64;
    let mut first = Record::empty();
    let header: Vec<String> = loop {
        if !reader.read_record(&mut first.cells).map_err(cannot_parse)? {
            return Err(Error::input(path, "empty file: no header line"));
        }
        // A line of only blanks or delimiters is a blank line, not a record.
        if !first.cells.iter().all(|c| c.trim().is_empty()) {
            last_start = first.cells.position().map_or(0, |p| p.byte());
            break first.cells.iter().map(|c| c.trim().to_string()).collect();
        }
    };
    let described = describe(&header, Some(encoding.name()), Some(delimiter as char))?;
    let table = &described;
    let mut split = |pipe: &mut Pipe| -> Result<u64> {
        // A full batch is handed on only when the next record has been
        // read, so the last record is still here when the end of the file
        // is checked.
        let Some(mut batch) = pipe.buffer() else {
            return Ok(0);
        };
        let mut record = Record::empty();
        let mut read = 0;
        loop {
            if !reader
                .read_record(&mut record.cells)
                .map_err(cannot_parse)?
            {
                break;
            }
            if record.cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            last_start = record.cells.position().map_or(0, |p| p.byte());
            read += 1;
            record.line = read + 1;
            note_record_problems(&mut record, &header, table, delimiter);
            if batch.len() == BATCH {
                // A full batch and one more record: hand the batch on and
                // start the next with the new record.
                let Some(next) = pipe.buffer() else {
                    return Ok(read); // a parse has failed: its panic follows
                };
                if !pipe.send(std::mem::replace(&mut batch, next)) {
                    return Ok(read);
                }
            }
            batch.push(&record);
        }
        let rest = rest_from(last_start)?;
        if let Some(cell) = open_quote(&rest, delimiter) {
            unclosed_quote(path, &header, table, cell, &mut batch)?;
        }
        if !batch.is_empty() {
            pipe.send(batch);
        }
        Ok(read)
    };
    let read = pipeline(table, sink, &mut split)?;
    Ok((described, read))
}

/// Batches of record buffers in flight at once: enough to keep every core
/// busy while one batch waits to be taken in order, few enough to keep
/// memory flat (a batch of [`BATCH`] records is a few hundred kilobytes).
const IN_FLIGHT: usize = 8;

/// The splitting side of [`pipeline`]: where the splitter gets empty batch
/// buffers and hands full ones on.
struct Pipe {
    work: std::sync::mpsc::SyncSender<(usize, RawBatch)>,
    spares: std::sync::mpsc::Receiver<RawBatch>,
    made: usize,
    sent: usize,
}

impl Pipe {
    /// An empty batch buffer: a new one while fewer than [`IN_FLIGHT`]
    /// exist, then one the taker gave back. `None` when the taker has
    /// stopped.
    fn buffer(&mut self) -> Option<RawBatch> {
        let mut spare = match self.spares.try_recv() {
            Ok(spare) => spare,
            Err(_) if self.made < IN_FLIGHT => {
                self.made += 1;
                RawBatch::default()
            }
            Err(_) => self.spares.recv().ok()?,
        };
        spare.clear();
        Some(spare)
    }

    /// Hands `batch` on to be parsed; false when no parser is left.
    fn send(&mut self, batch: RawBatch) -> bool {
        let seq = self.sent;
        self.sent += 1;
        self.work.send((seq, batch)).is_ok()
    }
}

/// Runs `split` (which splits a file into batches of records) on this
/// thread, parses the batches on a thread per core and gives the results to
/// the sink's `take` in file order, on a thread of its own. Returns what
/// `split` returns. A panic while parsing is raised here once the threads
/// have stopped.
fn pipeline(
    table: &RawTable,
    sink: &mut Sink<'_>,
    split: &mut dyn FnMut(&mut Pipe) -> Result<u64>,
) -> Result<u64> {
    use std::sync::mpsc::{channel, sync_channel};
    type Done = (usize, RawBatch, std::thread::Result<Parsed>);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let parse = sink.parse;
    let take = &mut *sink.take;
    let (work, jobs) = sync_channel::<(usize, RawBatch)>(workers);
    // Shared by the parsers and dropped with the last of them, so that the
    // splitter stops when no one is left to parse.
    let jobs = std::sync::Arc::new(std::sync::Mutex::new(jobs));
    let (done, results) = channel::<Done>();
    let (spares_back, spares) = channel::<RawBatch>();
    let mut pipe = Pipe {
        work,
        spares,
        made: 0,
        sent: 0,
    };
    std::thread::scope(|s| {
        for _ in 0..workers {
            let done = done.clone();
            let jobs = std::sync::Arc::clone(&jobs);
            s.spawn(move || loop {
                // The lock is held only to take a job, not to parse it.
                let job = jobs.lock().unwrap_or_else(|e| e.into_inner()).recv();
                let Ok((seq, batch)) = job else {
                    break;
                };
                let parsed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    parse(table, batch.rows())
                }));
                if done.send((seq, batch, parsed)).is_err() {
                    break;
                }
            });
        }
        drop((done, jobs));
        let taker = s.spawn(move || -> Option<Box<dyn std::any::Any + Send>> {
            // Results arrive in any order; they are taken in file order.
            let mut waiting = std::collections::BTreeMap::new();
            let mut next = 0;
            for (seq, batch, parsed) in results {
                waiting.insert(seq, (batch, parsed));
                while let Some((batch, parsed)) = waiting.remove(&next) {
                    match parsed {
                        Ok(parsed) => take(parsed),
                        // Dropping the spares' sender stops the splitter.
                        Err(panic) => return Some(panic),
                    }
                    next += 1;
                    // The splitter may have ended already.
                    let _ = spares_back.send(batch);
                }
            }
            None
        });
        let read = split(&mut pipe);
        drop(pipe);
        match taker.join() {
            Ok(Some(panic)) | Err(panic) => std::panic::resume_unwind(panic),
            Ok(None) => read,
        }
    })
}

/// Sets the problems of `row`, a record of `table` under `header` (see
/// [`record_problems`]).
fn note_record_problems(row: &mut Record, header: &[String], table: &RawTable, delimiter: u8) {
    row.problems.clear();
    for (cell, value, problem) in record_problems(header, &row.cells, delimiter) {
        row.problems.push(RecordProblem {
            column: column_name(header, &table.columns, cell),
            value,
            problem,
        });
    }
}

/// Reports a quote opened in cell `cell` of the last record and never
/// closed, on that record (the last of `batch`); with no record, the quote
/// is in the header and the file cannot be used.
fn unclosed_quote(
    path: &Path,
    header: &[String],
    table: &RawTable,
    cell: usize,
    batch: &mut RawBatch,
) -> Result<()> {
    let Some(row) = batch.last() else {
        return Err(Error::input(
            path,
            "a quote in the header line is never closed: the rest of the file is one header cell",
        ));
    };
    let value = row.get(cell).unwrap_or_default();
    let more = value.lines().count().saturating_sub(1);
    let first = value.lines().next().unwrap_or_default().trim().to_string();
    let problem = RecordProblem {
        column: column_name(header, &table.columns, cell),
        value: first,
        problem: format!("a quote opened in this cell is never closed: the rest of the file ({more} more physical lines) was read into it"),
    };
    batch.add_to_last(problem);
    Ok(())
}

/// The name of header cell `i` for a data issue: the spec's name when the
/// cell maps to a spec column, else the header's own text, else `column N`.
pub(crate) fn column_name(
    header: &[String],
    columns: &FastMap<&'static str, usize>,
    i: usize,
) -> String {
    let i = i.min(header.len().saturating_sub(1));
    match columns.iter().find(|(_, &c)| c == i) {
        Some((name, _)) => (*name).to_string(),
        None => match header.get(i) {
            Some(h) if !h.is_empty() => h.clone(),
            _ => format!("column {}", i + 1),
        },
    }
}

/// Record problems that the csv reader lets through, as (header cell,
/// value, problem): cells beyond the header's (a value with an unquoted
/// delimiter shifts the rest of its row), and the header line repeated (two
/// exports pasted together). Trailing empty cells beyond the header are
/// harmless and allowed; a short row leaves its last columns empty (some
/// exporters drop trailing empty cells).
fn record_problems(
    header: &[String],
    cells: &csv::StringRecord,
    delimiter: u8,
) -> Vec<(usize, String, String)> {
    let mut problems = Vec::new();
    if cells.len() > header.len()
        && cells
            .iter()
            .skip(header.len())
            .any(|c| !c.trim().is_empty())
    {
        let extra: Vec<&str> = cells.iter().skip(header.len()).collect();
        problems.push((
            header.len().saturating_sub(1),
            extra.join(&(delimiter as char).to_string()),
            format!(
                "{} cells where the header has {}: a value may hold an unquoted delimiter",
                cells.len(),
                header.len()
            ),
        ));
    }
    if cells.len() >= header.len()
        && header
            .iter()
            .zip(cells.iter())
            .all(|(h, c)| h.eq_ignore_ascii_case(c.trim()))
    {
        problems.push((
            0,
            cells.get(0).unwrap_or_default().trim().to_string(),
            "the header line again (two exports pasted together?)".to_string(),
        ));
    }
    problems
}

/// The cell index at which a record starting at `rest` ends the input inside
/// a quoted cell, if it does. The csv reader reads the rest of the file into
/// such a cell without an error, so rows after it would vanish unseen. This
/// follows the csv reader's rules: a quote opens a quoted cell only at the
/// start of a cell, `""` inside is a quote, and the first unquoted line end
/// ends the record.
fn open_quote(rest: &[u8], delimiter: u8) -> Option<usize> {
    let (mut cell, mut at_start, mut quoted) = (0usize, true, false);
    let mut bytes = rest.iter().copied().peekable();
    while let Some(b) = bytes.next() {
        if quoted {
            if b == b'"' {
                if bytes.peek() == Some(&b'"') {
                    bytes.next();
                } else {
                    quoted = false;
                }
            }
        } else if b == delimiter {
            cell += 1;
            at_start = true;
        } else if b == b'\n' || b == b'\r' {
            return None;
        } else {
            quoted = at_start && b == b'"';
            at_start = false;
        }
    }
    quoted.then_some(cell)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::raw::RawRows;

    /// A responses file of `rows` records in a fresh folder.
    fn responses(rows: usize) -> (tempdir::Dir, PathBuf) {
        let dir = tempdir::Dir::new();
        let path = dir.0.join("responses.csv");
        let mut text = String::from("advert_id,applicant_id,responded_at,outcome\n");
        for i in 0..rows {
            text.push_str(&format!("ADV-{i},{i},2025-01-06 07:55:44,not_reached\n"));
        }
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    mod tempdir {
        /// A folder removed when dropped.
        pub struct Dir(pub std::path::PathBuf);
        impl Dir {
            pub fn new() -> Dir {
                static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
                let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let p = std::env::temp_dir()
                    .join(format!("woonaudit-source-{}-{n}", std::process::id()));
                std::fs::create_dir_all(&p).unwrap();
                Dir(p)
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }

    #[test]
    fn batches_parsed_on_several_threads_are_taken_in_file_order() {
        let rows = 5 * BATCH + 123;
        let (_dir, path) = responses(rows);
        // Later batches parse faster, so they finish first.
        let parse = |_: &RawTable, batch: RawRows<'_>| -> Parsed {
            let first = batch.get(0).map_or(0, |r| r.line());
            if first < 3 * BATCH as u64 {
                std::thread::sleep(std::time::Duration::from_millis(30));
            }
            Box::new(batch.iter().map(|r| r.line()).collect::<Vec<u64>>())
        };
        let mut lines = Vec::new();
        let mut take = |p: Parsed| lines.extend(*p.downcast::<Vec<u64>>().unwrap());
        let mut sink = Sink {
            parse: &parse,
            take: &mut take,
        };
        let (_, read) = read_table(
            &path,
            Format::Csv,
            Table::Responses,
            &Config::default(),
            &mut sink,
        )
        .unwrap();
        assert_eq!(read, rows as u64);
        let expected: Vec<u64> = (2..rows as u64 + 2).collect();
        assert_eq!(lines, expected);
    }

    #[test]
    fn a_panic_while_parsing_reaches_the_caller_without_a_hang() {
        let (_dir, path) = responses(4 * BATCH);
        let parse = |_: &RawTable, batch: RawRows<'_>| -> Parsed {
            assert!(
                batch.get(0).is_some_and(|r| r.line() < 2 * BATCH as u64),
                "parse failed"
            );
            Box::new(())
        };
        let mut take = |_: Parsed| {};
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut sink = Sink {
                parse: &parse,
                take: &mut take,
            };
            read_table(
                &path,
                Format::Csv,
                Table::Responses,
                &Config::default(),
                &mut sink,
            )
        }));
        assert!(outcome.is_err());
    }
}
