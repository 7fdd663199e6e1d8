//! `woonaudit generate`: write a synthetic data set in the spec's format,
//! with planted anomalies and a `planted.csv` listing them. The bundled
//! `data/sample/` is `woonaudit generate --out data/sample` (seed 1).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use crate::error::{Error, Result};
use crate::generate::{self, Dialect, Options};

/// File format of the generated tables.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum FileFormat {
    Csv,
    Parquet,
}

/// Options of `generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Output folder (created).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Random seed: the same seed and sizes give byte-identical files.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Number of home seekers on the waiting list.
    #[arg(long, default_value_t = 2000)]
    applicants: usize,
    /// Number of adverts.
    #[arg(long, default_value_t = 300)]
    adverts: usize,
    /// Mean number of responses per advert.
    #[arg(long, default_value_t = 25)]
    responses: usize,
    /// Number of people in the staff register.
    #[arg(long, default_value_t = 60)]
    employees: usize,
    /// Number of property sales.
    #[arg(long, default_value_t = 40)]
    sales: usize,
    /// File format.
    #[arg(long, value_enum, default_value = "csv")]
    format: FileFormat,
    /// CSV dialect: `;` delimiter, DD-MM-YYYY dates, decimal commas and
    /// Windows-1252, as many Dutch exports are.
    #[arg(long)]
    dutch_excel: bool,
}

/// Runs `generate`.
pub fn run(args: &GenerateArgs) -> Result<ExitCode> {
    let dialect = if args.dutch_excel {
        Dialect {
            delimiter: b';',
            windows_1252: true,
            dmy_dates: true,
            decimal_comma: true,
        }
    } else {
        Dialect {
            delimiter: b',',
            windows_1252: false,
            dmy_dates: false,
            decimal_comma: false,
        }
    };
    let opts = Options {
        seed: args.seed,
        applicants: args.applicants,
        adverts: args.adverts,
        responses_per_advert: args.responses,
        employees: args.employees,
        sales: args.sales,
        dialect,
        ..Options::default()
    };
    let generated = generate::generate(&opts);
    let fail = |source| Error::Output {
        path: args.out.clone(),
        source,
    };
    generate::write(&generated, &args.out, &opts.dialect).map_err(fail)?;
    if let FileFormat::Parquet = args.format {
        for table in &generated.tables {
            let csv = args.out.join(format!("{}.csv", table.name));
            let parquet = args.out.join(format!("{}.parquet", table.name));
            crate::read::parquet::write(&parquet, &table.header, &table.rows).map_err(fail)?;
            std::fs::remove_file(&csv).map_err(fail)?;
        }
    }
    eprintln!(
        "wrote {} tables and {} planted anomalies to {}",
        generated.tables.len(),
        generated.planted.len(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
