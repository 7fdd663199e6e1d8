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

/// One record of a table: its line (header = 1) and its cells, indexed like
/// [`RawTable::columns`]. The cells of a record share one buffer (a
/// `StringRecord`), which keeps a million-row table to one allocation a row.
#[derive(Clone, Debug)]
pub struct RawRow {
    /// Record number counted from the header as line 1.
    pub line: u64,
    /// The cells as read; [`RawRow::cell`] trims them.
    pub cells: csv::StringRecord,
    /// Problems with the record as a whole, found while splitting the file
    /// into cells; each becomes an error on the record.
    pub problems: Vec<RecordProblem>,
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

impl RawRow {
    /// An empty record, to be filled by a reader.
    pub fn empty() -> RawRow {
        RawRow {
            line: 0,
            cells: csv::StringRecord::new(),
            problems: Vec::new(),
        }
    }

    /// Cell `i`, trimmed of Unicode white space; empty = missing.
    pub fn cell(&self, i: usize) -> Option<&str> {
        self.cells.get(i).map(trim)
    }
}

/// `cell` without leading or trailing Unicode white space. Nearly every
/// cell starts and ends with a visible ASCII character, and is returned
/// without decoding its ends.
fn trim(cell: &str) -> &str {
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
    pub fn cell<'r>(&'r self, row: &'r RawRow, i: usize) -> Option<&'r str> {
        let value = row.cell(i)?;
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

/// What a reader does with a table's records, a batch at a time as they are
/// read (one batch in memory, not the table): `parse` may run on any thread,
/// several batches at once; `take` gets every batch's result in file order.
pub struct Sink<'f> {
    /// A batch of records to its result; on any thread.
    pub parse: &'f (dyn Fn(&RawTable, &[RawRow]) -> Parsed + Sync),
    /// The results, in file order.
    pub take: &'f mut (dyn FnMut(Parsed) + Send),
}

impl Sink<'_> {
    /// Parses `rows` on every core and takes the results in order: for a
    /// reader that hands its batches over from one thread.
    pub fn batch(&mut self, table: &RawTable, rows: &[RawRow]) {
        use rayon::prelude::*;
        let piece = rows
            .len()
            .div_ceil(rayon::current_num_threads().max(1))
            .max(1);
        let parse = self.parse;
        let parsed: Vec<Parsed> = rows.par_chunks(piece).map(|c| parse(table, c)).collect();
        for p in parsed {
            (self.take)(p);
        }
    }
}
