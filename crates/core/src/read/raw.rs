//! A table as text cells, whatever its source format: what the CSV and
//! Parquet readers produce and the table parsers consume.

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
        self.cells.get(i).map(str::trim)
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
    /// Whether `,` is a decimal mark (a `;`-delimited file).
    pub decimal_comma: bool,
}

/// What is called with each batch of records of a table as they are read,
/// in file order.
pub type OnBatch<'f> = dyn FnMut(&RawTable, &[RawRow]) + 'f;
