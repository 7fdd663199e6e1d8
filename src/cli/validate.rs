//! `woonaudit validate`: read and validate a data folder, print the data
//! issues and row counts, write nothing. Exits 2 when there is an
//! error-level issue, else 0.

use std::process::ExitCode;

use clap::Args;

use super::{print_issues, DataArgs};
use woonaudit::error::Result;

/// Options of `validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    data: DataArgs,
}

/// Runs `validate`.
pub fn run(args: &ValidateArgs) -> Result<ExitCode> {
    let loaded = args.data.load()?;
    print_issues(&loaded.issues, None);
    Ok(if loaded.issues.errors() > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
