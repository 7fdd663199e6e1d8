//! The command line (spec 6.1): argument parsing and the one place that
//! turns library errors into messages and exit codes. One module per
//! command, each with its usage text.

mod explain;
mod generate;
mod links;
mod progress;
mod run;
mod validate;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::config::{Config, ConfigSource};
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::issues::Issues;
use crate::read::SourceInfo;
use crate::timings::Timings;

/// Audits whether a housing corporation let and sold its homes fairly.
#[derive(Debug, Parser)]
#[command(name = "woonaudit", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Audit a data folder and write the reports.
    Run(run::RunArgs),
    /// Read and validate a data folder; print the data issues and row counts.
    Validate(validate::ValidateArgs),
    /// List every staff-linked person on the waiting list and among buyers.
    Links(links::LinksArgs),
    /// Show the re-derived offer order of one allocation's advert.
    Explain(explain::ExplainArgs),
    /// Write a synthetic data set with planted anomalies.
    Generate(generate::GenerateArgs),
}

/// Where the data is and how to read it: shared by the commands that read.
#[derive(Debug, Args)]
pub(crate) struct DataArgs {
    /// The data folder with applicants.csv, adverts.csv, ... (or .parquet).
    #[arg(long, value_name = "DIR", default_value = "data/sample")]
    data: PathBuf,
    /// Config file; without it, woonaudit.toml in the data folder is used
    /// when present, else the defaults.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

/// The input after reading and validation.
pub(crate) struct Loaded {
    pub config: Config,
    pub config_source: ConfigSource,
    pub sources: Vec<SourceInfo>,
    pub data: Dataset,
    pub issues: Issues,
}

impl DataArgs {
    /// Loads the config, reads and validates the folder.
    pub(crate) fn load(&self) -> Result<Loaded> {
        self.load_timed(&mut Timings::default())
    }

    /// [`DataArgs::load`], recording the stages `read` and `validate`.
    pub(crate) fn load_timed(&self, timings: &mut Timings) -> Result<Loaded> {
        let (config, config_source) = Config::load(self.config.as_deref(), &self.data)?;
        let input = timings.time("read", || crate::read::read_dir(&self.data, &config))?;
        let sources = [
            &input.applicants.source,
            &input.adverts.source,
            &input.responses.source,
            &input.allocations.source,
            &input.employees.source,
            &input.relations.source,
            &input.sales.source,
            &input.registration_changes.source,
        ]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
        let (data, issues) = timings.time("validate", || crate::validate::validate(input));
        Ok(Loaded {
            config,
            config_source,
            sources,
            data,
            issues,
        })
    }
}

/// How many data issues are shown on screen (spec 1.2); all of them are in
/// data_issues.csv.
const SHOWN_ISSUES: usize = 50;

/// Prints the first issues and the row counts to stderr.
pub(crate) fn print_issues(issues: &Issues, where_all: Option<&Path>) {
    let sorted = issues.sorted();
    for i in sorted.iter().take(SHOWN_ISSUES) {
        eprintln!("{i}");
    }
    if sorted.len() > SHOWN_ISSUES {
        match where_all {
            Some(p) => eprintln!(
                "... and {} more in {}",
                sorted.len() - SHOWN_ISSUES,
                p.display()
            ),
            None => eprintln!("... and {} more", sorted.len() - SHOWN_ISSUES),
        }
    }
    for (table, c) in &issues.counts {
        eprintln!(
            "{table}: {} rows read, {} used, {} set aside",
            c.read, c.used, c.set_aside
        );
    }
    eprintln!(
        "{} data error(s), {} warning(s)",
        issues.errors(),
        issues.warnings()
    );
}

/// Parses the command line and runs it; the binary's whole `main`.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Validate(args) => validate::run(&args),
        Command::Links(args) => links::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Generate(args) => generate::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("woonaudit: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// Fails with a usage error.
pub(crate) fn usage<T>(message: impl Into<String>) -> Result<T> {
    Err(Error::Usage(message.into()))
}
