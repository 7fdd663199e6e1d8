//! The command line (spec 6.1): argument parsing and the one place that
//! turns library errors into messages and exit codes. One module per
//! command, each with its usage text.

mod config;
mod explain;
mod generate;
mod inspect;
mod links;
mod progress;
mod run;
mod validate;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use woonaudit::error::{Error, Result};
use woonaudit::issues::Issues;
use woonaudit::load::{check_data_dir, Loaded};
use woonaudit::timings::Timings;

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
    /// Show what woonaudit makes of each file of a data folder: table,
    /// header, column and value mappings, required columns missing.
    Inspect(inspect::InspectArgs),
    /// Print a commented woonaudit.toml with every key and its default.
    Config(config::ConfigArgs),
}

/// Where the data is and how to read it: shared by the commands that read.
#[derive(Debug, Args)]
pub(crate) struct DataArgs {
    /// The data folder with applicants.csv, adverts.csv, ... (or .parquet,
    /// .xlsx).
    #[arg(long, value_name = "DIR", default_value = "data/sample")]
    data: PathBuf,
    /// Config file; without it, woonaudit.toml in the data folder is used
    /// when present, else the defaults.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

impl DataArgs {
    /// Loads the config, reads and validates the folder.
    pub(crate) fn load(&self) -> Result<Loaded> {
        self.load_timed(&mut Timings::default())
    }

    /// [`DataArgs::load`], recording the stages `read` and `validate`.
    pub(crate) fn load_timed(&self, timings: &mut Timings) -> Result<Loaded> {
        woonaudit::load::load(&self.data, self.config.as_deref(), timings)
    }
}

/// How many data issues are shown on screen (spec 1.2); all of them are in
/// data_issues.csv.
const SHOWN_ISSUES: usize = 50;

/// Prints the first issues and the row counts to stderr: errors first
/// (they are what stops a strict run), then warnings, each with its level.
pub(crate) fn print_issues(issues: &Issues, where_all: Option<&Path>) {
    let mut sorted = issues.sorted();
    // Stable: within a level, by file, line and column as ever.
    sorted.sort_by_key(|i| i.level);
    for i in sorted.iter().take(SHOWN_ISSUES) {
        eprintln!("{}: {i}", i.level.as_str());
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
    // By table name, as ever.
    let mut counts: Vec<_> = issues.counts.iter().collect();
    counts.sort_by_key(|(table, _)| table.name());
    for (table, c) in counts {
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
    // A bug must still end in one line, not a backtrace hint.
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "woonaudit: internal error ({}{at}): please report it with the command you ran",
            one_line(&what)
        );
    }));
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Validate(args) => validate::run(&args),
        Command::Links(args) => links::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Generate(args) => generate::run(&args),
        Command::Inspect(args) => inspect::run(&args),
        Command::Config(args) => config::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("woonaudit: {}", one_line(&e.to_string()));
            ExitCode::from(e.exit_code())
        }
    }
}

/// `path` made absolute, with symbolic links, `.` and `..` resolved as far
/// as it exists and the rest (not yet created) appended as written.
fn resolve(path: &Path) -> PathBuf {
    use std::path::Component;
    let absolute = std::env::current_dir()
        .map(|d| d.join(path))
        .unwrap_or_else(|_| path.to_path_buf());
    let mut resolved = PathBuf::new();
    let mut existing = true;
    for part in absolute.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                resolved.pop();
            }
            other => {
                resolved.push(other);
                if existing {
                    match resolved.canonicalize() {
                        Ok(c) => resolved = c,
                        Err(_) => existing = false,
                    }
                }
            }
        }
    }
    resolved
}

/// Refuses an output folder that is the data folder, lies inside it or
/// holds it: a run must never write among (or over) its inputs.
pub(crate) fn check_out_dir(data: &Path, out: &Path) -> Result<()> {
    check_data_dir(data)?;
    let (d, o) = (resolve(data), resolve(out));
    let how = if o == d {
        "is the data folder"
    } else if o.starts_with(&d) {
        "is inside the data folder"
    } else if d.starts_with(&o) {
        "holds the data folder"
    } else {
        return Ok(());
    };
    usage(format!(
        "--out {} {how} {}: give --out a folder outside the data folder",
        out.display(),
        data.display()
    ))
}

/// Refuses an output file inside the data folder (or one that is the data
/// folder or holds it).
pub(crate) fn check_out_file(data: &Path, out: &Path) -> Result<()> {
    check_data_dir(data)?;
    let (d, o) = (resolve(data), resolve(out));
    if o.starts_with(&d) || d.starts_with(&o) {
        return usage(format!(
            "--out {} is inside the data folder {}: write it outside the data folder",
            out.display(),
            data.display()
        ));
    }
    Ok(())
}

/// Creates the output folder and makes sure a file can be written there,
/// before any work is done.
pub(crate) fn prepare_out_dir(out: &Path) -> Result<()> {
    let probe = out.join(format!(".woonaudit-probe-{}", std::process::id()));
    let made = std::fs::create_dir_all(out).and_then(|()| std::fs::write(&probe, b""));
    let _ = std::fs::remove_file(&probe);
    made.map_err(|e| {
        Error::Usage(format!(
            "cannot write to the output folder {}: {}: give --out a folder you can write to",
            out.display(),
            one_line(&e.to_string())
        ))
    })
}

/// Text on one line: line breaks and runs of white space become one space.
pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Fails with a usage error.
pub(crate) fn usage<T>(message: impl Into<String>) -> Result<T> {
    Err(Error::Usage(message.into()))
}
