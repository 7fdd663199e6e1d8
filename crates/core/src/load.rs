//! The input of an audit: the config, and the data folder read (stage 1)
//! and validated (stage 2). What every command that reads data starts
//! from.

use std::path::Path;

use crate::config::{Config, ConfigSource};
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::issues::Issues;
use crate::read::SourceInfo;
use crate::schema::Table;
use crate::timings::Timings;

/// The input after reading and validation.
pub struct Loaded {
    /// The config as used.
    pub config: Config,
    /// Where the config came from.
    pub config_source: ConfigSource,
    /// The input files found, in table order.
    pub sources: Vec<SourceInfo>,
    /// The usable rows.
    pub data: Dataset,
    /// Every data issue, with the row counts per table.
    pub issues: Issues,
}

/// Fails unless `dir` is a folder.
pub fn check_data_dir(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let what = if dir.exists() {
        "is not a folder"
    } else {
        "data folder not found"
    };
    let required: Vec<&str> = Table::ALL
        .iter()
        .filter(|t| t.required())
        .map(|t| t.name())
        .collect();
    let (last, first) = required.split_last().unwrap_or((&"", &[]));
    Err(Error::input(
        dir,
        format!(
            "{what}: give --data the folder that holds {} and {last} (.csv or .parquet)",
            first.join(", ")
        ),
    ))
}

/// Loads the config (`config`, else a woonaudit.toml in `dir`, else the
/// defaults), reads and validates the folder, recording the stages `read`
/// and `validate` in `timings`.
pub fn load(dir: &Path, config: Option<&Path>, timings: &mut Timings) -> Result<Loaded> {
    check_data_dir(dir)?;
    let (config, config_source) = Config::load(config, dir)?;
    let input = timings.time("read", || {
        let input = crate::read::read_dir(dir, &config);
        crate::heap::give_back();
        input
    })?;
    let sources = input.sources();
    let (data, issues) = timings.time("validate", || {
        let validated = crate::validate::validate(input);
        crate::heap::give_back();
        validated
    });
    Ok(Loaded {
        config,
        config_source,
        sources,
        data,
        issues,
    })
}
