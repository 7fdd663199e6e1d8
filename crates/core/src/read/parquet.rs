//! Parquet input and output through polars. Typed columns are turned into
//! the same text cells a CSV export would hold, so one set of parsers and one
//! set of data-issue rules serve both formats.

use std::io::Cursor;
use std::path::Path;

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::read::raw::RawBatch;

/// Rows decoded at a time: a table of tens of millions of rows is never
/// decoded whole (polars' own text columns take several times the file).
const SLICE: usize = 262_144;

/// Runs `f` on polars, turning a panic (polars can panic on a corrupt file;
/// found by fuzzing: a bitmap assertion in polars-arrow) into unusable
/// input, not a crash.
fn guarded<T>(path: &Path, f: impl FnOnce() -> PolarsResult<T>) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .map_err(|panic| {
            let why = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("internal error");
            Error::input(path, format!("cannot read Parquet: corrupt file ({why})"))
        })?
        .map_err(|e| Error::input(path, format!("cannot read Parquet: {e}")))
}

/// A Parquet file's rows, decoded a slice at a time (polars skips the row
/// groups outside each slice).
pub struct Slices<'b> {
    path: &'b Path,
    bytes: &'b [u8],
    metadata: std::sync::Arc<polars::io::parquet::read::FileMetadata>,
    /// The first row of the next slice.
    offset: usize,
    done: bool,
}

impl<'b> Slices<'b> {
    /// Checks the file's structure (see [`super::parquet_check`]) and
    /// reads its footer; decodes nothing yet.
    pub fn open(path: &'b Path, bytes: &'b [u8]) -> Result<Slices<'b>> {
        let metadata = guarded(path, || {
            ParquetReader::new(Cursor::new(bytes))
                .get_metadata()
                .cloned()
        })?;
        // polars aborts the process (an allocation it cannot make) on some
        // corrupt page headers, so they are checked before anything is
        // decoded.
        super::parquet_check::check(bytes, &metadata).map_err(|why| {
            Error::input(path, format!("cannot read Parquet: corrupt file ({why})"))
        })?;
        Ok(Slices {
            path,
            bytes,
            metadata,
            offset: 0,
            done: false,
        })
    }

    /// The next slice and the index of its first row in the file; the
    /// first call always gives one (perhaps of no rows: it names the
    /// columns), then `None` after the last row.
    pub fn next_slice(&mut self) -> Result<Option<(DataFrame, usize)>> {
        if self.done {
            return Ok(None);
        }
        let (bytes, metadata, offset) = (self.bytes, &self.metadata, self.offset);
        let df = guarded(self.path, || {
            let mut reader = ParquetReader::new(Cursor::new(bytes));
            reader.set_metadata(metadata.clone());
            reader.with_slice(Some((offset, SLICE))).finish()
        })?;
        self.offset += df.height();
        self.done = df.height() == 0 || self.offset >= self.metadata.num_rows;
        Ok(Some((df, offset)))
    }
}

/// The column names of a slice.
pub fn header(df: &DataFrame) -> Vec<String> {
    df.columns().iter().map(|c| c.name().to_string()).collect()
}

/// Rows `start..start + n` of `df` as text cells, appended to `out`.
/// `df` holds the file's rows from `first`; line = row index in the file +
/// 2, as for CSV. Text columns are read as they are; other types through
/// the text a CSV export would hold.
pub fn text_rows(df: &DataFrame, first: usize, start: usize, n: usize, out: &mut RawBatch) {
    let sliced: Vec<Series> = df
        .columns()
        .iter()
        .map(|c| c.as_materialized_series().slice(start as i64, n))
        .collect();
    // Each column's cells are read first, column by column in tight loops
    // over polars' arrays, then written into the records row by row: an
    // iterator per column, advanced a cell at a time, was a sixth of
    // reading a Parquet file.
    let typed: Vec<Option<Vec<String>>> = sliced
        .iter()
        .map(|s| match s.str() {
            Ok(_) => None,
            Err(_) => Some(s.iter().map(|v| cell_text(&v)).collect()),
        })
        .collect();
    let columns: Vec<Vec<&str>> = sliced
        .iter()
        .zip(&typed)
        .map(|(s, typed)| match typed {
            Some(texts) => texts.iter().map(String::as_str).collect(),
            None => {
                let mut cells = Vec::with_capacity(n);
                for chunk in s.str().iter().flat_map(|text| text.downcast_iter()) {
                    cells.extend(chunk.iter().map(Option::unwrap_or_default));
                }
                cells
            }
        })
        .collect();
    for i in 0..n {
        for column in &columns {
            out.push_cell(column.get(i).copied().unwrap_or_default());
        }
        out.end_record((first + start + i) as u64 + 2);
    }
}

/// The text a CSV export would hold for a typed value. Floats use Rust's
/// shortest round-trip form, so `1234.565` is read as written and then
/// rounded half-up to the cent like any CSV amount.
fn cell_text(value: &AnyValue<'_>) -> String {
    match value {
        AnyValue::Null => String::new(),
        AnyValue::String(s) => (*s).to_string(),
        AnyValue::StringOwned(s) => s.to_string(),
        AnyValue::Boolean(b) => b.to_string(),
        AnyValue::Float32(f) => f.to_string(),
        AnyValue::Float64(f) => f.to_string(),
        AnyValue::Date(days) => chrono::NaiveDate::from_num_days_from_ce_opt(days + 719_163)
            .map(|d| d.to_string())
            .unwrap_or_else(|| days.to_string()),
        AnyValue::Datetime(v, unit, _) | AnyValue::DatetimeOwned(v, unit, _) => {
            let (secs, nanos) = match unit {
                TimeUnit::Nanoseconds => (v.div_euclid(1_000_000_000), v.rem_euclid(1_000_000_000)),
                TimeUnit::Microseconds => {
                    (v.div_euclid(1_000_000), v.rem_euclid(1_000_000) * 1_000)
                }
                TimeUnit::Milliseconds => (v.div_euclid(1_000), v.rem_euclid(1_000) * 1_000_000),
            };
            chrono::DateTime::from_timestamp(secs, nanos as u32)
                .map(|t| t.naive_utc().format("%Y-%m-%d %H:%M:%S%.f").to_string())
                .unwrap_or_else(|| v.to_string())
        }
        other => other.to_string(),
    }
}

/// Writes text rows as a Parquet file of string columns (used by
/// `generate --format parquet`).
pub fn write(path: &Path, header: &[&str], rows: &[Vec<String>]) -> std::io::Result<()> {
    let mut w = StreamWriter::create(path, header)?;
    w.write(rows)?;
    w.finish()
}

/// A Parquet file of string columns written a batch of rows at a time, so
/// that a table of any length is written in the memory of one batch.
pub struct StreamWriter {
    writer: polars::io::parquet::write::BatchedWriter<std::fs::File>,
    header: Vec<String>,
}

impl StreamWriter {
    /// Creates the file for these columns.
    pub fn create(path: &Path, header: &[&str]) -> std::io::Result<StreamWriter> {
        let schema: Schema = header
            .iter()
            .map(|name| Field::new((*name).into(), DataType::String))
            .collect();
        let file = std::fs::File::create(path)?;
        let writer = ParquetWriter::new(file)
            .batched(&schema)
            .map_err(std::io::Error::other)?;
        Ok(StreamWriter {
            writer,
            header: header.iter().map(|h| h.to_string()).collect(),
        })
    }

    /// Appends rows (cells in header order; an empty cell is null).
    pub fn write(&mut self, rows: &[Vec<String>]) -> std::io::Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let columns: Vec<Column> = self
            .header
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let values: Vec<Option<&str>> = rows
                    .iter()
                    .map(|r| r.get(i).map(String::as_str).filter(|s| !s.is_empty()))
                    .collect();
                Column::new(name.as_str().into(), values)
            })
            .collect();
        let df = DataFrame::new(rows.len(), columns).map_err(std::io::Error::other)?;
        self.writer.write_batch(&df).map_err(std::io::Error::other)
    }

    /// Writes the footer.
    pub fn finish(self) -> std::io::Result<()> {
        self.writer
            .finish()
            .map(|_| ())
            .map_err(std::io::Error::other)
    }
}
