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
    let typed: Vec<Option<Texts>> = sliced
        .iter()
        .map(|s| match s.str() {
            Ok(_) => None,
            Err(_) => Some(typed_texts(s)),
        })
        .collect();
    let columns: Vec<Vec<&str>> = sliced
        .iter()
        .zip(&typed)
        .map(|(s, typed)| match typed {
            Some(texts) => texts.iter().collect(),
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

/// The texts of a typed column side by side in one buffer.
#[derive(Default)]
struct Texts {
    text: String,
    ends: Vec<usize>,
}

impl Texts {
    fn push(&mut self, value: impl FnOnce(&mut String)) {
        value(&mut self.text);
        self.ends.push(self.text.len());
    }

    fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(&self.ends)
            .map(|(a, &b)| self.text.get(a..b).unwrap_or_default())
    }
}

/// The texts of a typed column, as [`cell_text`] writes each value, read
/// straight from the column's values: dates, datetimes, whole numbers,
/// booleans and floats (what database exports hold) without a text of
/// their own per value. A column of any other type goes value by value
/// through [`cell_text`].
fn typed_texts(s: &Series) -> Texts {
    use std::fmt::Write;
    let mut out = Texts {
        text: String::with_capacity(s.len() * 12),
        ends: Vec::with_capacity(s.len()),
    };
    // Each value through `write`, a null as an empty cell.
    fn each<T>(
        out: &mut Texts,
        values: impl Iterator<Item = Option<T>>,
        write: impl Fn(&mut String, T),
    ) {
        for v in values {
            out.push(|t| {
                if let Some(v) = v {
                    write(t, v);
                }
            });
        }
    }
    // Writing to a String cannot fail.
    let done = match s.dtype() {
        DataType::Date => s.date().map(|days| {
            each(&mut out, days.physical().iter(), |t, v| {
                write_date(t, i64::from(v))
            })
        }),
        &DataType::Datetime(unit, _) => s.datetime().map(|stamps| {
            each(&mut out, stamps.physical().iter(), |t, v| {
                write_datetime(t, v, unit)
            })
        }),
        DataType::Int32 => s.i32().map(|ints| {
            each(&mut out, ints.iter(), |t, v| {
                let _ = write!(t, "{v}");
            })
        }),
        DataType::Int64 => s.i64().map(|ints| {
            each(&mut out, ints.iter(), |t, v| {
                let _ = write!(t, "{v}");
            })
        }),
        DataType::Float64 => s.f64().map(|floats| {
            each(&mut out, floats.iter(), |t, v| {
                let _ = write!(t, "{v}");
            })
        }),
        DataType::Boolean => s.bool().map(|bools| {
            each(&mut out, bools.iter(), |t, v| {
                t.push_str(if v { "true" } else { "false" })
            })
        }),
        _ => return cell_texts(s, out),
    };
    match done {
        Ok(()) => out,
        // A column whose values are not what its type says: as any other.
        Err(_) => cell_texts(s, Texts::default()),
    }
}

/// The texts of a column of any type, value by value through [`cell_text`].
fn cell_texts(s: &Series, mut out: Texts) -> Texts {
    for v in s.iter() {
        out.push(|t| t.push_str(&cell_text(&v)));
    }
    out
}

/// Writes the day `days` after 1970-01-01 as `YYYY-MM-DD`, as chrono
/// writes it; a year outside 0..=9999 through chrono itself.
fn write_date(t: &mut String, days: i64) {
    let (y, m, d) = crate::parse::civil(days);
    if (0..=9999).contains(&y) {
        // Digits into bytes, then one append: a char at a time was most
        // of the cost.
        let digit = |n: i64| b'0' + (n % 10) as u8;
        let text = [
            digit(y / 1000),
            digit(y / 100),
            digit(y / 10),
            digit(y),
            b'-',
            digit(m / 10),
            digit(m),
            b'-',
            digit(d / 10),
            digit(d),
        ];
        t.push_str(std::str::from_utf8(&text).unwrap_or_default());
    } else {
        let as_days = i32::try_from(days).unwrap_or(i32::MAX);
        t.push_str(&cell_text(&AnyValue::Date(as_days)));
    }
}

/// Writes a datetime of `unit`s since 1970 as `YYYY-MM-DD HH:MM:SS` with
/// chrono's `%.f` fraction (none, 3, 6 or 9 digits), as [`cell_text`]
/// writes it; a year outside 0..=9999 through chrono itself.
fn write_datetime(t: &mut String, v: i64, unit: TimeUnit) {
    let per_second = match unit {
        TimeUnit::Nanoseconds => 1_000_000_000,
        TimeUnit::Microseconds => 1_000_000,
        TimeUnit::Milliseconds => 1_000,
    };
    let (secs, frac) = (v.div_euclid(per_second), v.rem_euclid(per_second));
    let nanos = frac * (1_000_000_000 / per_second);
    let (days, sod) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let start = t.len();
    write_date(t, days);
    if t.len() - start != 10 {
        // A year chrono writes its own way: let it write the whole value.
        t.truncate(start);
        t.push_str(&cell_text(&AnyValue::Datetime(v, unit, None)));
        return;
    }
    let (h, m, s) = (sod / 3600, sod / 60 % 60, sod % 60);
    let digit = |n: i64| b'0' + (n % 10) as u8;
    let clock = [
        b' ',
        digit(h / 10),
        digit(h),
        b':',
        digit(m / 10),
        digit(m),
        b':',
        digit(s / 10),
        digit(s),
    ];
    t.push_str(std::str::from_utf8(&clock).unwrap_or_default());
    let (digits, value) = if nanos == 0 {
        (0, 0)
    } else if nanos % 1_000_000 == 0 {
        (3, nanos / 1_000_000)
    } else if nanos % 1_000 == 0 {
        (6, nanos / 1_000)
    } else {
        (9, nanos)
    };
    if digits > 0 {
        t.push('.');
        for k in (0..digits).rev() {
            t.push(char::from(b'0' + (value / 10_i64.pow(k) % 10) as u8));
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The texts of `s` as the fast path writes them and as `cell_text`
    /// writes each value.
    fn both(s: &Series) -> (Vec<String>, Vec<String>) {
        let fast = typed_texts(s).iter().map(str::to_string).collect();
        let slow = s.iter().map(|v| cell_text(&v)).collect();
        (fast, slow)
    }

    #[test]
    fn typed_columns_read_straight_give_the_texts_of_each_value() {
        // Days around the epoch, leap days, centuries, the ends of 0..=9999
        // and beyond them.
        let mut days: Vec<Option<i32>> = vec![None];
        for d in (-800_000..3_000_000).step_by(997) {
            days.push(Some(d));
        }
        days.extend(
            [
                -719_528, -719_529, 2_932_896, 2_932_897, 0, -1, 11_016, 10_957, -25_567,
            ]
            .map(Some),
        );
        let dates = Series::new("d".into(), &days)
            .cast(&DataType::Date)
            .unwrap();
        let (fast, slow) = both(&dates);
        assert_eq!(fast, slow);

        let mut stamps: Vec<Option<i64>> = vec![None];
        let fractions = [0, 1, 999, 1_000, 120_000, 5_000_000, 123_456_789];
        for (k, d) in (-400_000i64..400_000).step_by(7_919).enumerate() {
            let nanos = fractions[k % fractions.len()];
            stamps.push(Some(
                d * 86_400_000_000_000 + (k as i64 % 86_400) * 1_000_000_000 + nanos,
            ));
        }
        for unit in [
            TimeUnit::Nanoseconds,
            TimeUnit::Microseconds,
            TimeUnit::Milliseconds,
        ] {
            let scale = match unit {
                TimeUnit::Nanoseconds => 1,
                TimeUnit::Microseconds => 1_000,
                TimeUnit::Milliseconds => 1_000_000,
            };
            let values: Vec<Option<i64>> = stamps.iter().map(|v| v.map(|n| n / scale)).collect();
            let s = Series::new("t".into(), &values)
                .cast(&DataType::Datetime(unit, None))
                .unwrap();
            let (fast, slow) = both(&s);
            assert_eq!(fast, slow, "{unit:?}");
        }

        let ints32 = Series::new(
            "i".into(),
            &[Some(0i32), None, Some(-7), Some(i32::MIN), Some(i32::MAX)],
        );
        let ints64 = Series::new(
            "i".into(),
            &[Some(0i64), None, Some(-7), Some(i64::MIN), Some(i64::MAX)],
        );
        let floats = Series::new(
            "f".into(),
            &[
                Some(0.1f64),
                None,
                Some(1234.565),
                Some(-0.0),
                Some(1e21),
                Some(3.0),
                Some(f64::NAN),
                Some(2.5e-8),
            ],
        );
        let bools = Series::new("b".into(), &[Some(true), None, Some(false)]);
        let small = Series::new("u".into(), &[Some(3u32), None]);
        for s in [ints32, ints64, floats, bools, small] {
            let (fast, slow) = both(&s);
            assert_eq!(fast, slow, "{:?}", s.dtype());
        }
    }
}
