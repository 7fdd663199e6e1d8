//! Parquet input and output through polars. Typed columns are turned into
//! the same text cells a CSV export would hold, so one set of parsers and one
//! set of data-issue rules serve both formats.

use std::io::Cursor;
use std::path::Path;

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::read::source::RawRow;

/// Reads a Parquet file's bytes into a header and text rows (line = row
/// index + 2, as for CSV).
pub fn read(path: &Path, bytes: &[u8]) -> Result<(Vec<String>, Vec<RawRow>)> {
    // polars can panic on a corrupt file (found by fuzzing: a bitmap
    // assertion in polars-arrow): that is unusable input, not a crash.
    let df = std::panic::catch_unwind(|| {
        ParquetReader::new(Cursor::new(bytes))
            .set_rechunk(true)
            .finish()
    })
    .map_err(|panic| {
        let why = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("internal error");
        Error::input(path, format!("cannot read Parquet: corrupt file ({why})"))
    })?
    .map_err(|e| Error::input(path, format!("cannot read Parquet: {e}")))?;
    let header: Vec<String> = df.columns().iter().map(|c| c.name().to_string()).collect();
    // Column-major in Parquet, row-major here: gather each row's text first.
    let mut texts: Vec<Vec<String>> = vec![Vec::with_capacity(header.len()); df.height()];
    for column in df.columns() {
        let series = column.as_materialized_series().rechunk();
        if series.is_empty() {
            continue;
        }
        for (row, value) in texts.iter_mut().zip(series.iter()) {
            row.push(cell_text(&value));
        }
    }
    let rows = texts
        .into_iter()
        .enumerate()
        .map(|(i, cells)| RawRow {
            line: i as u64 + 2,
            cells: csv::StringRecord::from(cells),
        })
        .collect();
    Ok((header, rows))
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
    let columns: Vec<Column> = header
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let values: Vec<Option<&str>> = rows
                .iter()
                .map(|r| r.get(i).map(String::as_str).filter(|s| !s.is_empty()))
                .collect();
            Column::new((*name).into(), values)
        })
        .collect();
    let mut df = DataFrame::new(rows.len(), columns).map_err(std::io::Error::other)?;
    let file = std::fs::File::create(path)?;
    ParquetWriter::new(file)
        .finish(&mut df)
        .map_err(std::io::Error::other)?;
    Ok(())
}
