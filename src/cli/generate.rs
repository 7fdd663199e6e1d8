//! `woonaudit generate`: write a synthetic data set in the spec's format,
//! with planted anomalies and a `planted.csv` listing them. The bundled
//! `data/sample/` is `woonaudit generate --out data/sample` (seed 1).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use woonaudit::error::{Error, Result};
use woonaudit_generate::{self as generate, Dialect, Filler, Options};

/// File format of the generated tables.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum FileFormat {
    Csv,
    Parquet,
    /// Excel workbooks: dates as date cells, numbers as number cells.
    Xlsx,
}

/// The sizes of issue 6, from one corporation to the whole country.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum Size {
    /// One corporation: 8,000 seekers, 600 adverts, 30 responses each.
    #[value(name = "S", alias = "s")]
    S,
    /// A region: 100,000 seekers, 10,000 adverts, 100 responses each.
    #[value(name = "M", alias = "m")]
    M,
    /// National: 1,000,000 seekers, 200,000 adverts, 100 responses each.
    #[value(name = "L", alias = "l")]
    L,
}

impl Size {
    /// (seekers, adverts, responses per advert)
    fn dimensions(self) -> (usize, usize, usize) {
        match self {
            Size::S => (8_000, 600, 30),
            Size::M => (100_000, 10_000, 100),
            Size::L => (1_000_000, 200_000, 100),
        }
    }
}

/// Options of `generate`.
///
/// Up to 8,000 seekers and 600 adverts everything is generated at once,
/// with anomalies planted for every check. Beyond that, a planted core of
/// that size is written first and the rest is honest filler, streamed to
/// disk a chunk at a time (bounded memory), on which no check fires except
/// through the handler test's overall share (which `planted.csv` accounts
/// for).
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Output folder (created).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Random seed: the same seed and sizes give byte-identical files.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// A preset size (S, M or L); --applicants, --adverts and --responses
    /// override its parts.
    #[arg(long, value_enum)]
    size: Option<Size>,
    /// Number of home seekers on the waiting list [default: 2000].
    #[arg(long)]
    applicants: Option<usize>,
    /// Number of adverts [default: 300].
    #[arg(long)]
    adverts: Option<usize>,
    /// Mean number of responses per advert [default: 25].
    #[arg(long)]
    responses: Option<usize>,
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
    /// Column names and codes in the sector's VERA vocabulary (as the
    /// `vera` preset reads them), with a woonaudit.toml that sets the preset.
    #[arg(long)]
    vera: bool,
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
    let (applicants, adverts, responses) = args.size.map_or((2000, 300, 25), Size::dimensions);
    let applicants = args.applicants.unwrap_or(applicants);
    let adverts = args.adverts.unwrap_or(adverts);
    let responses = args.responses.unwrap_or(responses);
    let filler = Filler {
        applicants: applicants.saturating_sub(generate::CORE_APPLICANTS),
        adverts: adverts.saturating_sub(generate::CORE_ADVERTS),
        responses_per_advert: responses,
    };
    let opts = Options {
        seed: args.seed,
        applicants: applicants.min(generate::CORE_APPLICANTS),
        adverts: adverts.min(generate::CORE_ADVERTS),
        responses_per_advert: responses,
        employees: args.employees,
        sales: args.sales,
        dialect,
        filler,
        ..Options::default()
    };
    let format = match args.format {
        FileFormat::Csv => generate::OutFormat::Csv,
        FileFormat::Parquet => generate::OutFormat::Parquet,
        FileFormat::Xlsx => generate::OutFormat::Xlsx,
    };
    if args.dutch_excel && format == generate::OutFormat::Xlsx {
        return Err(Error::Usage(
            "--dutch-excel is a text dialect: give it with --format csv or parquet".into(),
        ));
    }
    let planted =
        generate::write_streamed_as(&opts, &args.out, format, args.vera).map_err(|source| {
            Error::Output {
                path: args.out.clone(),
                source,
            }
        })?;
    eprintln!(
        "wrote 10 tables, woonaudit.toml and {planted} planted anomalies to {}",
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
