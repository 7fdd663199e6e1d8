//! The bare parse of issue 6: polars reads every input table of a data
//! folder with its types and does nothing else. `scale.sh` divides
//! `woonaudit run`'s time by this one.
//!
//! Usage: `bare-parse DIR` (CSV or Parquet, whichever the folder holds).
//! Prints one line per table (rows, seconds) and a `total` line.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use polars::prelude::*;

/// The spec's type of a column, by its name (spec 1.3).
fn dtype(column: &str) -> DataType {
    const AMOUNTS: &[&str] = &[
        "rent",
        "price",
        "appraisal_value",
        "household_income",
        "min_income",
        "max_income",
        "scheme_discount",
    ];
    const INTEGERS: &[&str] = &[
        "household_size",
        "min_age",
        "max_age",
        "min_household",
        "max_household",
        "lottery_number",
        "position",
    ];
    const BOOLEANS: &[&str] = &["urgency_first", "local_first", "local_ties"];
    if AMOUNTS.contains(&column) {
        DataType::Float64
    } else if INTEGERS.contains(&column) {
        DataType::Int64
    } else if BOOLEANS.contains(&column) {
        DataType::Boolean
    } else if column.ends_with("_at") {
        DataType::Datetime(TimeUnit::Microseconds, None)
    } else if column.ends_with("_on")
        || column.ends_with("_date")
        || column.ends_with("_from")
        || column.ends_with("_to")
    {
        DataType::Date
    } else {
        DataType::String
    }
}

fn header(path: &Path) -> std::io::Result<Vec<String>> {
    use std::io::BufRead;
    let mut line = String::new();
    std::io::BufReader::new(std::fs::File::open(path)?).read_line(&mut line)?;
    Ok(line.trim_end().split(',').map(str::to_string).collect())
}

fn read_csv(path: &Path) -> PolarsResult<DataFrame> {
    let columns = header(path).map_err(|e| polars_err!(ComputeError: "{e}"))?;
    let schema: Schema = columns
        .iter()
        .map(|c| Field::new(c.as_str().into(), dtype(c)))
        .collect();
    CsvReadOptions::default()
        .with_has_header(true)
        .with_schema(Some(Arc::new(schema)))
        .try_into_reader_with_file_path(Some(path.to_path_buf()))?
        .finish()
}

/// Reads a Parquet file and gives every column its spec type (the
/// generator writes text columns, as many exports do).
fn read_parquet(path: &Path) -> PolarsResult<DataFrame> {
    let file = std::fs::File::open(path).map_err(|e| polars_err!(ComputeError: "{e}"))?;
    let df = ParquetReader::new(file).finish()?;
    let columns = df
        .columns()
        .iter()
        .map(|c| {
            let want = dtype(c.name().as_str());
            if c.dtype() == &want {
                Ok(c.clone())
            } else if want == DataType::Boolean {
                // polars casts no text to booleans.
                let values: BooleanChunked = c
                    .str()?
                    .iter()
                    .map(|v| v.map(|s| s.eq_ignore_ascii_case("true")))
                    .collect();
                Ok(values.with_name(c.name().clone()).into_column())
            } else {
                c.cast(&want)
            }
        })
        .collect::<PolarsResult<Vec<Column>>>()?;
    DataFrame::new(df.height(), columns)
}

fn main() {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "data/sample".into()),
    );
    let start = Instant::now();
    let mut rows = 0;
    for t in woonaudit::schema::Table::ALL.map(|t| t.name()) {
        let csv = dir.join(format!("{t}.csv"));
        let parquet = dir.join(format!("{t}.parquet"));
        let t0 = Instant::now();
        let df = if csv.exists() {
            read_csv(&csv)
        } else if parquet.exists() {
            read_parquet(&parquet)
        } else {
            continue;
        };
        match df {
            Ok(df) => {
                rows += df.height();
                println!("{t}\t{}\t{:.3}", df.height(), t0.elapsed().as_secs_f64());
            }
            Err(e) => {
                eprintln!("bare-parse: {t}: {e}");
                std::process::exit(2);
            }
        }
    }
    println!("total\t{rows}\t{:.3}", start.elapsed().as_secs_f64());
    if let Some(kb) = woonaudit::timings::peak_memory_kb() {
        println!("peak_kb\t{kb}");
    }
}
