//! A table as text cells, whatever its source format: what the CSV,
//! Parquet and spreadsheet readers produce and the table parsers consume.

use serde::Serialize;

use crate::fast::FastMap;
use crate::schema::Table;

/// The file format of an input table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Delimited text.
    Csv,
    /// Apache Parquet.
    Parquet,
    /// A spreadsheet (the first worksheet of an `.xlsx` workbook, spec 1.4).
    Xlsx,
}

impl Format {
    /// Every format, in the order the file extensions are looked for.
    pub const ALL: [Format; 3] = [Format::Csv, Format::Parquet, Format::Xlsx];

    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Parquet => "parquet",
            Format::Xlsx => "xlsx",
        }
    }
}

/// One record as a reader builds it: its line (header = 1), its cells,
/// indexed like [`RawTable::columns`], and its problems. A reader fills
/// one and copies it into a [`RawBatch`].
#[derive(Clone, Debug)]
pub struct Record {
    /// Record number counted from the header as line 1.
    pub line: u64,
    /// The cells as read.
    pub cells: csv::StringRecord,
    /// Problems with the record as a whole, found while splitting the file
    /// into cells; each becomes an error on the record.
    pub problems: Vec<RecordProblem>,
}

impl Record {
    /// An empty record, to be filled by a reader.
    pub fn empty() -> Record {
        Record {
            line: 0,
            cells: csv::StringRecord::new(),
            problems: Vec::new(),
        }
    }
}

/// A batch of records with the cells of all of them side by side in one
/// buffer: a parser reads a batch front to back, where records of their
/// own (two heap blocks each, written on another core) made it wait for
/// memory at the first cell of every record.
#[derive(Clone, Debug, Default)]
pub struct RawBatch {
    text: String,
    /// Where each cell starts and ends in `text`.
    spans: Vec<(usize, usize)>,
    records: Vec<Bounds>,
    problems: Vec<RecordProblem>,
    /// The line of the first record while `text` holds clean CSV lines
    /// that are not split into records yet (see [`RawBatch::set_lines`]).
    unsplit: Option<u64>,
}

/// Where a record's cells and problems end in its batch's lists.
#[derive(Clone, Copy, Debug)]
struct Bounds {
    line: u64,
    cells: usize,
    problems: usize,
}

impl RawBatch {
    /// Empties the batch, keeping its buffers.
    pub fn clear(&mut self) {
        self.text.clear();
        self.spans.clear();
        self.records.clear();
        self.problems.clear();
        self.unsplit = None;
    }

    /// The number of records (none while its lines are not split).
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Makes this batch the clean CSV lines `text` (see [`super::clean`]),
    /// whose first record is at `line`: the lines are split into records
    /// and cells later, by [`RawBatch::split_lines`] on a parsing thread.
    pub(crate) fn set_lines(&mut self, text: &str, line: u64) {
        self.clear();
        self.text.push_str(text);
        self.unsplit = Some(line);
    }

    /// Splits the clean CSV lines of [`RawBatch::set_lines`] into records
    /// and cells at `delimiter` (blank lines are not records); `check`
    /// gives the problems of a record from its cell count and cells.
    /// Nothing for a batch already split.
    pub(crate) fn split_lines(&mut self, delimiter: u8, check: &CheckRecord<'_>) {
        let Some(mut line) = self.unsplit.take() else {
            return;
        };
        let RawBatch {
            text,
            spans,
            records,
            problems,
            ..
        } = self;
        let bytes = text.as_bytes();
        let (mut from, mut start, mut first) = (0, 0, spans.len());
        let last = (!bytes.is_empty() && !bytes.ends_with(b"\n")).then_some(bytes.len());
        for at in super::clean::stops(bytes, delimiter).chain(last) {
            if at < bytes.len() && bytes[at] == delimiter {
                spans.push((start, at));
                start = at + 1;
                continue;
            }
            // A line ends at `at`, without its `\r` before the `\n`.
            let end = if at > from && bytes[at - 1] == b'\r' {
                at - 1
            } else {
                at
            };
            spans.push((start, end));
            if super::clean::blank(&bytes[from..end], delimiter) {
                spans.truncate(first);
            } else {
                let mine = &spans[first..];
                // Cut at ASCII delimiters and line ends of valid UTF-8.
                check(
                    mine.len(),
                    &|i| text.get(mine[i].0..mine[i].1).unwrap_or_default(),
                    problems,
                );
                records.push(Bounds {
                    line,
                    cells: spans.len(),
                    problems: problems.len(),
                });
                line += 1;
            }
            (from, start, first) = (at + 1, at + 1, spans.len());
        }
    }

    /// Whether the batch holds no record.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Appends a cell to the record being built.
    pub fn push_cell(&mut self, cell: &str) {
        let start = self.text.len();
        self.text.push_str(cell);
        self.spans.push((start, self.text.len()));
    }

    /// Ends the record being built (its cells are those pushed since the
    /// last record ended) at `line`.
    pub fn end_record(&mut self, line: u64) {
        self.records.push(Bounds {
            line,
            cells: self.spans.len(),
            problems: self.problems.len(),
        });
    }

    /// Appends a copy of `record`.
    pub fn push(&mut self, record: &Record) {
        let base = self.text.len();
        self.text.push_str(record.cells.as_slice());
        for i in 0..record.cells.len() {
            let (start, end) = record.cells.range(i).map_or((0, 0), |r| (r.start, r.end));
            self.spans.push((base + start, base + end));
        }
        self.problems.extend(record.problems.iter().cloned());
        self.end_record(record.line);
    }

    /// Adds a problem to the last record (none when the batch is empty).
    pub fn add_to_last(&mut self, problem: RecordProblem) {
        if let Some(last) = self.records.last_mut() {
            self.problems.push(problem);
            last.problems = self.problems.len();
        }
    }

    /// Every record of the batch.
    pub fn rows(&self) -> RawRows<'_> {
        RawRows {
            batch: self,
            start: 0,
            end: self.len(),
        }
    }

    /// The last record, if any.
    pub fn last(&self) -> Option<RawRow<'_>> {
        self.len().checked_sub(1).map(|i| RawRow { batch: self, i })
    }
}

/// The problems of a record as a whole, from its number of cells and its
/// cell `i`, added to the list given.
pub(crate) type CheckRecord<'c> =
    dyn for<'t> Fn(usize, &dyn Fn(usize) -> &'t str, &mut Vec<RecordProblem>) + 'c;

/// Consecutive records of a batch: what a parser is given.
#[derive(Clone, Copy, Debug)]
pub struct RawRows<'b> {
    batch: &'b RawBatch,
    start: usize,
    end: usize,
}

impl<'b> RawRows<'b> {
    /// The number of records.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// Whether there is no record.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// Record `i` of these, if there is one.
    pub fn get(&self, i: usize) -> Option<RawRow<'b>> {
        (i < self.len()).then_some(RawRow {
            batch: self.batch,
            i: self.start + i,
        })
    }

    /// The records in order.
    pub fn iter(&self) -> impl Iterator<Item = RawRow<'b>> + 'b {
        let batch = self.batch;
        (self.start..self.end).map(move |i| RawRow { batch, i })
    }

    /// These records in pieces of at most `size` (at least 1).
    pub fn pieces(&self, size: usize) -> impl Iterator<Item = RawRows<'b>> + 'b {
        let (batch, end) = (self.batch, self.end);
        (self.start..end)
            .step_by(size.max(1))
            .map(move |start| RawRows {
                batch,
                start,
                end: (start + size.max(1)).min(end),
            })
    }
}

/// One record of a batch: its line (header = 1) and its cells, indexed
/// like [`RawTable::columns`].
#[derive(Clone, Copy, Debug)]
pub struct RawRow<'b> {
    batch: &'b RawBatch,
    i: usize,
}

impl<'b> RawRow<'b> {
    fn bounds(&self) -> (Bounds, Bounds) {
        let b = &self.batch.records;
        let before = match self.i.checked_sub(1) {
            Some(j) => b[j],
            None => Bounds {
                line: 0,
                cells: 0,
                problems: 0,
            },
        };
        (before, b[self.i])
    }

    /// Record number counted from the header as line 1.
    pub fn line(&self) -> u64 {
        self.batch.records[self.i].line
    }

    /// The record's cells, found once for the many cells a parser reads.
    pub fn cells(&self) -> RowCells<'b> {
        let (before, this) = self.bounds();
        RowCells {
            text: &self.batch.text,
            spans: self
                .batch
                .spans
                .get(before.cells..this.cells)
                .unwrap_or_default(),
        }
    }

    /// Cell `i` as read (untrimmed).
    pub fn get(&self, i: usize) -> Option<&'b str> {
        self.cells().get(i)
    }

    /// Cell `i`, trimmed of Unicode white space; empty = missing.
    pub fn cell(&self, i: usize) -> Option<&'b str> {
        self.get(i).map(trim)
    }

    /// Problems with the record as a whole, found while splitting the file
    /// into cells; each becomes an error on the record.
    pub fn problems(&self) -> &'b [RecordProblem] {
        let (before, this) = self.bounds();
        &self.batch.problems[before.problems..this.problems]
    }
}

/// The cells of one record (see [`RawRow::cells`]).
#[derive(Clone, Copy, Debug)]
pub struct RowCells<'b> {
    text: &'b str,
    spans: &'b [(usize, usize)],
}

impl<'b> RowCells<'b> {
    /// Cell `i` as read (untrimmed).
    pub fn get(&self, i: usize) -> Option<&'b str> {
        let &(start, end) = self.spans.get(i)?;
        self.text.get(start..end)
    }

    /// Cell `i`, trimmed of Unicode white space; empty = missing.
    pub fn cell(&self, i: usize) -> Option<&'b str> {
        self.get(i).map(trim)
    }
}

/// A problem with a record as a whole (cells beyond the header, the header
/// repeated, a quote never closed): an error-level data issue on that record.
#[derive(Clone, Debug)]
pub struct RecordProblem {
    /// The column it is reported on: the spec's name, or the header's own
    /// name for a column outside the spec.
    pub column: String,
    /// The value as read.
    pub value: String,
    /// What is wrong.
    pub problem: String,
}

/// `cell` without leading or trailing Unicode white space. Nearly every
/// cell starts and ends with a visible ASCII character, and is returned
/// without decoding its ends.
pub(crate) fn trim(cell: &str) -> &str {
    match (cell.as_bytes().first(), cell.as_bytes().last()) {
        (Some(a), Some(z)) if a.is_ascii_graphic() && z.is_ascii_graphic() => cell,
        _ => cell.trim(),
    }
}

/// A table as text, with where it came from.
#[derive(Clone, Debug)]
pub struct RawTable {
    /// Which table.
    pub table: Table,
    /// The file name, e.g. `applicants.csv`.
    pub file: String,
    /// Its format.
    pub format: Format,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub sha256: String,
    /// Encoding used (CSV only).
    pub encoding: Option<&'static str>,
    /// Delimiter used (CSV only).
    pub delimiter: Option<char>,
    /// Spec column name -> index into each row's cells. Only the spec's
    /// columns that the file has.
    pub columns: FastMap<&'static str, usize>,
    /// Whether `,` is a decimal mark (a `;`-delimited file, or a
    /// spreadsheet, whose cells hold no delimiter).
    pub decimal_comma: bool,
    /// The header cells as read (trimmed).
    pub header: Vec<String>,
    /// Value mappings of the config and its preset (spec 1.4), by cell
    /// index: trimmed, lower-cased source value -> spec value. Only the
    /// mapped columns the file has.
    pub values: Vec<(usize, FastMap<String, String>)>,
}

impl RawTable {
    /// Cell `i` of `row` as the parsers see it: trimmed, and through the
    /// column's value mapping when it has one (a value without a mapping is
    /// read as it is). Empty = missing.
    pub fn cell<'r>(&'r self, row: RawRow<'r>, i: usize) -> Option<&'r str> {
        self.cell_of(row.cells(), i)
    }

    /// [`RawTable::cell`] of a record's cells found before.
    pub fn cell_of<'r>(&'r self, cells: RowCells<'r>, i: usize) -> Option<&'r str> {
        let value = cells.cell(i)?;
        if value.is_empty() {
            return Some(value);
        }
        match self.values.iter().find(|(c, _)| *c == i) {
            Some((_, map)) => Some(
                map.get(value.to_lowercase().as_str())
                    .map_or(value, String::as_str),
            ),
            None => Some(value),
        }
    }
}

/// What a consumer makes of one batch of records (typed records and their
/// issues for a run, value counts for `inspect`). Type-erased, so that the
/// readers are compiled once, not once per table.
pub type Parsed = Box<dyn std::any::Any + Send>;

/// What a reader hands a [`Sink`]'s `take`, in file order.
pub enum Handed {
    /// The result of the next batch.
    Batch(Parsed),
    /// Forget every result handed so far: the table is read again from its
    /// start (a CSV file read as UTF-8 that turns out not to be, see
    /// `source::read_csv`).
    Restart,
}

/// What a reader does with a table's records, a batch at a time as they are
/// read (one batch in memory, not the table): `parse` may run on any thread,
/// several batches at once; `take` gets every batch's result in file order.
pub struct Sink<'f> {
    /// A batch of records to its result; on any thread.
    pub parse: &'f (dyn Fn(&RawTable, RawRows<'_>) -> Parsed + Sync),
    /// The results, in file order.
    pub take: &'f mut (dyn FnMut(Handed) + Send),
}

impl Sink<'_> {
    /// Parses `rows` on every core and takes the results in order: for a
    /// reader that hands its batches over from one thread.
    pub fn batch(&mut self, table: &RawTable, rows: RawRows<'_>) {
        use rayon::prelude::*;
        let piece = rows
            .len()
            .div_ceil(rayon::current_num_threads().max(1))
            .max(1);
        let parse = self.parse;
        let pieces: Vec<RawRows<'_>> = rows.pieces(piece).collect();
        let parsed: Vec<Parsed> = pieces.into_par_iter().map(|c| parse(table, c)).collect();
        for p in parsed {
            (self.take)(Handed::Batch(p));
        }
    }
}
