//! `woonaudit links`: every staff-linked person on the waiting list and
//! among buyers, with kind, employee, employment window and evidence (the
//! same rows as links.csv), so an auditor can review the register itself.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{print_issues, DataArgs};
use woonaudit::error::{Error, Result};
use woonaudit::link::register;
use woonaudit::link::Linker;
use woonaudit::period::Period;
use woonaudit::privacy::pseudonym::Mask;
use woonaudit::report;

/// Options of `links`.
#[derive(Debug, Args)]
pub struct LinksArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Set rows with data errors aside and go on, instead of stopping.
    #[arg(long)]
    lenient: bool,
    /// Write the CSV to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Pseudonymise ids, names, birth dates, postcodes, e-mail addresses
    /// and phone numbers (and the evidence) with the key in
    /// WOONAUDIT_PSEUDONYM_KEY, as `run --pseudonymise` does.
    #[arg(long)]
    pseudonymise: bool,
}

/// Runs `links`.
pub fn run(args: &LinksArgs) -> Result<ExitCode> {
    if let Some(out) = &args.out {
        super::check_out_file(&args.data.data, out)?;
    }
    let key = args.pseudonymise.then(Mask::key_from_env).transpose()?;
    let loaded = args.data.load()?;
    if !loaded.issues.is_empty() {
        print_issues(&loaded.issues, None);
    }
    let errors = loaded.issues.errors();
    if errors > 0 && !args.lenient {
        return Err(Error::DataErrors { errors });
    }
    let linker = Linker::new(&loaded.data);
    let rows = register::rows(&loaded.data, &linker, &Period::ALL);
    let mask = key.map_or_else(Mask::none, |k| Mask::pseudonymise(&k, &loaded.data));
    let bytes = report::links::csv(&rows, &mask);
    match &args.out {
        Some(path) => report::write_atomic(path, &bytes)?,
        None => {
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth reporting.
            let _ = stdout.write_all(&bytes);
        }
    }
    eprintln!("{} staff link(s)", rows.len());
    Ok(ExitCode::SUCCESS)
}
