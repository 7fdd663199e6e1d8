//! Finding a table's file and turning it into text cells: encoding and
//! delimiter detection for CSV, Parquet through polars, header mapping.
//! Everything after this works on [`RawTable`], whatever the source format.

use std::path::{Path, PathBuf};

use encoding_rs::WINDOWS_1252;
use sha2::{Digest, Sha256};

use crate::config::{Config, Encoding};
use crate::error::{Error, Result};
use crate::fast::FastMap;
use crate::read::clean::{self, Cut};
use crate::read::raw::{Format, Handed, Parsed, RawBatch, RawTable, Record, RecordProblem, Sink};
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
    Ok(crate::text::hex(&hasher.finalize()))
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
    // Read as UTF-8 at once, since nearly every export is: the parse checks
    // every byte it reads, and a pass over the whole file to decide first
    // held the parse back (0.4 s at national scale). A file that turns out
    // not to be UTF-8 is read again from the start, after the check of
    // spec 1.1 (which also names the line of the first bad byte where the
    // file must be UTF-8).
    if forced != Some(Encoding::Windows1252) {
        match read_utf8(path, delimiter, describe, sink)? {
            Some(read) => return Ok(read),
            None => (sink.take)(Handed::Restart),
        }
    }
    match detect_encoding(path, forced)? {
        Encoding::Windows1252 => read_windows_1252(path, delimiter, describe, sink),
        Encoding::Utf8 => Err(Error::input(
            path,
            "changed while being read: not valid UTF-8, then valid",
        )),
    }
}

/// A UTF-8 file, parsed straight from the file: the parse holds a few
/// batches, not the file. `delimiter`: the configured one, else detected.
/// `None` when the file is not UTF-8 (the sink has then taken part of it).
fn read_utf8(
    path: &Path,
    delimiter: Option<u8>,
    describe: &Describe<'_>,
    sink: &mut Sink<'_>,
) -> Result<Option<(RawTable, u64)>> {
    use std::io::Read;
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
    let source = CsvSource {
        path,
        bytes: &mut file,
        start: start as u64,
        encoding: Encoding::Utf8,
        delimiter,
    };
    parse_csv(source, describe, sink)
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
    let source = CsvSource {
        path,
        bytes: &mut std::io::Cursor::new(text.as_bytes()),
        start: 0,
        encoding: Encoding::Windows1252,
        delimiter,
    };
    // Decoded text is UTF-8 throughout.
    parse_csv(source, describe, sink)?
        .ok_or_else(|| Error::input(path, "not valid text after decoding as Windows-1252"))
}

/// Bytes that can be read from any offset: a CSV file, or Windows-1252
/// text decoded in memory.
trait Bytes: std::io::Read + std::io::Seek {}
impl<T: std::io::Read + std::io::Seek> Bytes for T {}

/// A CSV source as the splitter reads it: UTF-8 text from `start` (after
/// a byte order mark) on.
struct CsvSource<'s> {
    path: &'s Path,
    bytes: &'s mut dyn Bytes,
    start: u64,
    encoding: Encoding,
    delimiter: u8,
}

impl CsvSource<'_> {
    fn cannot(&self, e: std::io::Error) -> Error {
        Error::input(self.path, format!("cannot read: {e}"))
    }

    /// The csv reader on the text from `offset`.
    fn reader_at(&mut self, offset: u64) -> Result<csv::Reader<&mut dyn Bytes>> {
        self.bytes
            .seek(std::io::SeekFrom::Start(offset))
            .map_err(|e| self.cannot(e))?;
        Ok(csv::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(WINDOW)
            .from_reader(&mut *self.bytes))
    }

    /// The text from `offset` to the end.
    fn rest_from(&mut self, offset: u64) -> Result<Vec<u8>> {
        self.bytes
            .seek(std::io::SeekFrom::Start(offset))
            .map_err(|e| self.cannot(e))?;
        let mut rest = Vec::new();
        self.bytes
            .read_to_end(&mut rest)
            .map_err(|e| self.cannot(e))?;
        Ok(rest)
    }
}

/// Clean text (see [`clean`]) read at once and handed to a parser as one
/// batch: about 8,000 records of a responses file, which stay in the
/// second-level cache between the splitter and the parser. Windows of
/// 128 KiB woke a thread so often that the wake-ups were a twentieth of
/// reading a national export (6% slower); 1 MiB and more fall out of cache.
const WINDOW: usize = 512 * 1024;

/// Once a window holds a quote, the csv reader splits at least this many
/// bytes before the splitter looks for clean text again: a window's worth,
/// so that a quote here and there costs the splitter little.
const QUOTED_SPAN: u64 = WINDOW as u64;

/// The bytes of a source from an offset on, read a window at a time.
struct Window {
    buf: Vec<u8>,
    /// The offset of `buf[0]`; `None` when the source's position is not
    /// at the end of `buf` (the csv reader has moved it).
    from: Option<u64>,
    /// Whether `buf` reaches the end of the source.
    end: bool,
}

impl Window {
    /// The source's bytes from `pos`: at least `want` of them, unless the
    /// source ends first, and whether they reach its end.
    fn at(
        &mut self,
        bytes: &mut dyn Bytes,
        pos: u64,
        want: usize,
    ) -> std::io::Result<(&[u8], bool)> {
        match self.from {
            Some(from) if from <= pos && pos <= from + self.buf.len() as u64 => {
                self.buf.drain(..(pos - from) as usize);
            }
            _ => {
                bytes.seek(std::io::SeekFrom::Start(pos))?;
                self.buf.clear();
                self.end = false;
            }
        }
        self.from = Some(pos);
        while self.buf.len() < want && !self.end {
            let have = self.buf.len();
            self.buf.resize(want, 0);
            let n = bytes.read(&mut self.buf[have..])?;
            self.buf.truncate(have + n);
            self.end = n == 0;
        }
        Ok((&self.buf, self.end))
    }
}

/// The records of CSV text, a batch at a time. Clean text (nearly all of
/// it, see [`clean`]) is cut into windows of whole lines here and split
/// into records on the parsing threads; text with a quote is split here by
/// the csv reader, from a record boundary, as it always was. `None` when
/// the text is not UTF-8 after all.
fn parse_csv(
    mut source: CsvSource<'_>,
    describe: &Describe<'_>,
    sink: &mut Sink<'_>,
) -> Result<Option<(RawTable, u64)>> {
    let path = source.path;
    let delimiter = source.delimiter;
    // Set where the text is found not to be UTF-8: the error that stops
    // the parse then means "read it again as Windows-1252".
    let not_utf8 = std::cell::Cell::new(false);
    let cannot_parse = |e: csv::Error| {
        if not_utf8_error(&e) {
            not_utf8.set(true);
        }
        Error::input(path, format!("cannot parse CSV: {e}"))
    };
    let mut first = Record::empty();
    // Where the header ends, and where it starts: a quote in the header
    // that is never closed is found from there.
    let (header, mut pos, mut last_quoted) = {
        let start = source.start;
        let mut reader = source.reader_at(start)?;
        loop {
            let got = match reader.read_record(&mut first.cells) {
                Err(e) if not_utf8_error(&e) => return Ok(None),
                got => got.map_err(cannot_parse)?,
            };
            if !got {
                return Err(Error::input(path, "empty file: no header line"));
            }
            // A line of only blanks or delimiters is a blank line, not a
            // record.
            if !first.cells.iter().all(|c| c.trim().is_empty()) {
                let header: Vec<String> =
                    first.cells.iter().map(|c| c.trim().to_string()).collect();
                let begins = first.cells.position().map_or(0, |p| p.byte());
                break (
                    header,
                    start + reader.position().byte(),
                    Some(start + begins),
                );
            }
        }
    };
    let described = describe(
        &header,
        Some(source.encoding.name()),
        Some(delimiter as char),
    )?;
    let table = &described;
    let mut split = |pipe: &mut Pipe| -> Result<u64> {
        let mut window = Window {
            buf: Vec::new(),
            from: None,
            end: false,
        };
        // Records the csv reader split and not yet handed on: a quote in
        // the last record that is never closed is reported on it. A buffer
        // of the pipe's, like every batch, so that only so many exist.
        let mut quoted: Option<RawBatch> = None;
        let mut read = 0;
        let mut want = WINDOW;
        loop {
            let (bytes, end) = window
                .at(&mut *source.bytes, pos, want)
                .map_err(|e| source.cannot(e))?;
            if bytes.is_empty() {
                break;
            }
            match clean::cut(bytes, delimiter, end) {
                Cut::NeedMore => want *= 2,
                Cut::Clean { len, records } => {
                    want = WINDOW;
                    if records > 0 {
                        let text = std::str::from_utf8(&bytes[..len]).map_err(|e| {
                            not_utf8.set(true);
                            Error::input(
                                path,
                                format!("not valid UTF-8 at byte {}", pos + e.valid_up_to() as u64),
                            )
                        })?;
                        if let Some(records) = quoted.take() {
                            if !pipe.send(records) {
                                return Ok(read);
                            }
                        }
                        let Some(mut batch) = pipe.buffer() else {
                            return Ok(read); // a parse has failed: its panic follows
                        };
                        batch.set_lines(text, read + 2);
                        if !pipe.send(batch) {
                            return Ok(read);
                        }
                        read += records;
                        last_quoted = None;
                    }
                    pos += len as u64;
                }
                Cut::Quoted => {
                    want = WINDOW;
                    window.from = None;
                    let mut reader = source.reader_at(pos)?;
                    let mut record = Record::empty();
                    while reader.position().byte() < QUOTED_SPAN
                        && reader
                            .read_record(&mut record.cells)
                            .map_err(cannot_parse)?
                    {
                        if record.cells.iter().all(|c| c.trim().is_empty()) {
                            continue;
                        }
                        last_quoted = Some(pos + record.cells.position().map_or(0, |p| p.byte()));
                        read += 1;
                        record.line = read + 1;
                        note_record_problems(&mut record, table, delimiter);
                        let batch = match quoted.take() {
                            Some(batch) if batch.len() < BATCH => batch,
                            full => {
                                if let Some(full) = full {
                                    if !pipe.send(full) {
                                        return Ok(read);
                                    }
                                }
                                let Some(batch) = pipe.buffer() else {
                                    return Ok(read); // a parse has failed: its panic follows
                                };
                                batch
                            }
                        };
                        quoted.insert(batch).push(&record);
                    }
                    pos += reader.position().byte();
                }
            }
        }
        if let Some(start) = last_quoted {
            let rest = source.rest_from(start)?;
            if let Some(cell) = open_quote(&rest, delimiter) {
                // No records: the quote is in the header.
                unclosed_quote(
                    path,
                    table,
                    cell,
                    quoted.get_or_insert_with(RawBatch::default),
                )?;
            }
        }
        if let Some(records) = quoted {
            pipe.send(records);
        }
        Ok(read)
    };
    match pipeline(table, sink, &mut split) {
        Err(_) if not_utf8.get() => Ok(None),
        read => Ok(Some((described, read?))),
    }
}

/// Whether the csv reader stopped at text that is not UTF-8.
fn not_utf8_error(e: &csv::Error) -> bool {
    matches!(e.kind(), csv::ErrorKind::Utf8 { .. })
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
                let Ok((seq, mut batch)) = job else {
                    break;
                };
                let parsed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    if let Some(delimiter) = table.delimiter.and_then(|d| u8::try_from(d).ok()) {
                        batch.split_lines(delimiter, &|len, cell, problems| {
                            record_problems(table, delimiter, len, cell, problems)
                        });
                    }
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
                        Ok(parsed) => take(Handed::Batch(parsed)),
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

/// Sets the problems of `row`, a record of `table` (see
/// [`record_problems`]).
fn note_record_problems(row: &mut Record, table: &RawTable, delimiter: u8) {
    row.problems.clear();
    let cells = &row.cells;
    record_problems(
        table,
        delimiter,
        cells.len(),
        &|i| cells.get(i).unwrap_or_default(),
        &mut row.problems,
    );
}

/// Reports a quote opened in cell `cell` of the last record and never
/// closed, on that record (the last of `batch`); with no record, the quote
/// is in the header and the file cannot be used.
fn unclosed_quote(path: &Path, table: &RawTable, cell: usize, batch: &mut RawBatch) -> Result<()> {
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
        column: column_name(&table.header, &table.columns, cell),
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

/// Record problems that the csv reader lets through, added to `problems`
/// for a record of `table` with `len` cells, cell `i` being `cell(i)`:
/// cells beyond the header's (a value with an unquoted delimiter shifts
/// the rest of its row), and the header line repeated (two exports pasted
/// together). Trailing empty cells beyond the header are harmless and
/// allowed; a short row leaves its last columns empty (some exporters drop
/// trailing empty cells).
fn record_problems<'t>(
    table: &RawTable,
    delimiter: u8,
    len: usize,
    cell: &dyn Fn(usize) -> &'t str,
    problems: &mut Vec<RecordProblem>,
) {
    let header = &table.header;
    let mut add = |at: usize, value: String, problem: String| {
        problems.push(RecordProblem {
            column: column_name(header, &table.columns, at),
            value,
            problem,
        })
    };
    if len > header.len() && (header.len()..len).any(|i| !cell(i).trim().is_empty()) {
        let extra: Vec<&str> = (header.len()..len).map(cell).collect();
        add(
            header.len().saturating_sub(1),
            extra.join(&(delimiter as char).to_string()),
            format!(
                "{len} cells where the header has {}: a value may hold an unquoted delimiter",
                header.len()
            ),
        );
    }
    if len >= header.len()
        && header
            .iter()
            .enumerate()
            .all(|(i, h)| h.eq_ignore_ascii_case(crate::read::raw::trim(cell(i))))
    {
        add(
            0,
            if len > 0 { cell(0) } else { "" }.trim().to_string(),
            "the header line again (two exports pasted together?)".to_string(),
        );
    }
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
        // Lines of about 50 bytes: several windows of clean text.
        let rows = 5 * WINDOW / 50 + 123;
        let (_dir, path) = responses(rows);
        // Later batches parse faster, so they finish first.
        let parse = |_: &RawTable, batch: RawRows<'_>| -> Parsed {
            let first = batch.get(0).map_or(0, |r| r.line());
            if first < rows as u64 / 2 {
                std::thread::sleep(std::time::Duration::from_millis(30));
            }
            Box::new(batch.iter().map(|r| r.line()).collect::<Vec<u64>>())
        };
        let mut lines = Vec::new();
        let mut take = |h: Handed| match h {
            Handed::Batch(p) => lines.extend(*p.downcast::<Vec<u64>>().unwrap()),
            Handed::Restart => lines.clear(),
        };
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
        let rows = 4 * WINDOW / 50;
        let (_dir, path) = responses(rows);
        let parse = |_: &RawTable, batch: RawRows<'_>| -> Parsed {
            assert!(
                batch.get(0).is_some_and(|r| r.line() < rows as u64 / 2),
                "parse failed"
            );
            Box::new(())
        };
        let mut take = |_: Handed| {};
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

#[cfg(test)]
mod split_tests {
    use super::*;
    use crate::read::raw::RawRows;

    /// A record as the reader hands it on: line, cells, problem count.
    type Seen = (u64, Vec<String>, usize);

    /// Every record read from `text` as a responses file, in order.
    fn read_text(text: &str, name: &str) -> Vec<Seen> {
        let dir =
            std::env::temp_dir().join(format!("woonaudit-split-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("responses.csv");
        std::fs::write(&path, text).unwrap();
        let parse = |_: &RawTable, rows: RawRows<'_>| -> Parsed {
            let seen: Vec<Seen> = rows
                .iter()
                .map(|r| {
                    let cells = (0..).map_while(|i| r.get(i).map(str::to_string)).collect();
                    (r.line(), cells, r.problems().len())
                })
                .collect();
            Box::new(seen)
        };
        let mut all = Vec::new();
        let mut take = |h: Handed| match h {
            Handed::Batch(p) => all.extend(*p.downcast::<Vec<Seen>>().unwrap()),
            Handed::Restart => all.clear(),
        };
        let mut sink = Sink {
            parse: &parse,
            take: &mut take,
        };
        let config = Config::default();
        let (_, read) =
            read_table(&path, Format::Csv, Table::Responses, &config, &mut sink).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(read as usize, all.len());
        all
    }

    /// What the csv reader alone makes of `text`: every record that is not
    /// blank, numbered from the header as line 1.
    fn by_csv_reader(text: &str) -> Vec<(u64, Vec<String>)> {
        let records = crate::read::clean::tests::by_csv(text, b',');
        records
            .into_iter()
            .skip(1)
            .zip(2..)
            .map(|(c, l)| (l, c))
            .collect()
    }

    /// A responses file of `rows` records drawn from `seed`: mostly clean
    /// lines, with quoted cells (holding delimiters, quotes and line ends),
    /// blank lines, `\r\n` and lone `\r` ends, white space and extra cells
    /// here and there, so that windows of every kind meet.
    fn mixed(rows: usize, seed: u64, quote_every: u64) -> String {
        let mut state = seed;
        let mut next = move |n: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % n
        };
        let mut text = String::from("advert_id,applicant_id,responded_at,outcome\n");
        for i in 0..rows {
            let end = match next(50) {
                0 => "\r\n",
                1 => "\r",
                _ => "\n",
            };
            match next(40) {
                0 => text.push_str(end),
                1 => text.push_str(&format!(" , ,\u{a0}{end}")),
                // Blank records of quoted empty cells.
                2 => text.push_str(&format!("\"\",,\" \"{end}")),
                _ => {}
            }
            let outcome = match next(quote_every) {
                0 => "\"said \"\"no\"\",\nthen left\"".to_string(),
                1 => "\"a, b\"".to_string(),
                2 => "x\"y".to_string(),
                // A quote after a space is a character; after a closing
                // quote the cell goes on unquoted.
                3 => " \"a\"".to_string(),
                4 => "\"a\"b\"c".to_string(),
                5 => "\"\"".to_string(),
                6 => "\"\"\"x\"".to_string(),
                7 => "\"line\r\nend\r\"".to_string(),
                _ => "declined".to_string(),
            };
            let extra = if next(100) == 0 { ",surplus" } else { "" };
            text.push_str(&format!(
                "ADV-{},{i}, 2025-01-06 07:55:44 ,{outcome}{extra}{end}",
                next(7)
            ));
        }
        text
    }

    #[test]
    fn records_split_in_windows_equal_the_csv_readers_records() {
        for (seed, quote_every) in [(1, 1_000_000), (2, 5_000), (3, 40), (4, 8), (5, 9)] {
            let text = mixed(30_000, seed, quote_every);
            let seen = read_text(&text, &format!("{seed}"));
            let expected = by_csv_reader(&text);
            assert_eq!(seen.len(), expected.len(), "seed {seed}");
            for ((line, cells, _), (want_line, want_cells)) in seen.iter().zip(&expected) {
                assert_eq!((line, cells), (want_line, want_cells), "seed {seed}");
            }
            // Cells beyond the header are a problem on their record.
            let surplus = expected.iter().filter(|(_, c)| c.len() > 4).count();
            let problems: usize = seen.iter().map(|s| s.2).sum();
            assert_eq!(problems, surplus, "seed {seed}");
        }
    }

    #[test]
    fn a_quote_never_closed_after_clean_text_is_reported_on_the_last_record() {
        let mut text = mixed(5_000, 9, 1_000_000);
        text.push_str("ADV-1,7,2025-01-06,\"never closed\nADV-2,8,2025-01-06,declined\n");
        let seen = read_text(&text, "open");
        let last = seen.last().unwrap();
        assert_eq!(last.2, 1, "{last:?}");
        assert!(last.1[3].contains("ADV-2"));
    }
}
