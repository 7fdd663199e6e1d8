//! The config's mappings applied to a file's header (spec 1.1, 1.4): which
//! spec column each header cell is read as, and the value mappings of the
//! columns found. `[input.columns]` and `[input.values]` entries win over
//! the preset's; both are matched case-insensitively after trimming.

use std::path::Path;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::fast::FastMap;
use crate::preset::Preset;
use crate::schema::Table;

/// Why a header cell is read as a spec column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The header is the spec's own name.
    Spec,
    /// An `[input.columns.TABLE]` entry of the config.
    Config,
    /// The config's preset.
    Preset(Preset),
}

/// One header cell and what it is read as.
#[derive(Clone, Debug)]
pub struct HeaderCell {
    /// The header text as read (trimmed).
    pub source: String,
    /// The spec column, or `None` when the column is ignored.
    pub spec: Option<&'static str>,
    /// Why (meaningless when `spec` is `None`).
    pub origin: Origin,
    /// The earlier header cell read as the same spec column, if any (the
    /// file cannot be read then).
    pub duplicate_of: Option<usize>,
}

/// A file's header with the mapping applied.
#[derive(Clone, Debug)]
pub struct HeaderPlan {
    /// Per header cell, in file order.
    pub cells: Vec<HeaderCell>,
    /// Required spec columns that no header cell is read as.
    pub missing: Vec<&'static str>,
}

/// The source -> spec column names of `table`, the config's entries first,
/// then the preset's that the config does not override (by source name, or
/// by mapping another source to the same spec column).
pub fn column_mapping(config: &Config, table: Table) -> Vec<(String, &'static str, Origin)> {
    let mut merged: Vec<(String, &'static str, Origin)> = Vec::new();
    if let Some(own) = config.mapping(table) {
        for (source, spec) in own {
            if let Some(col) = table.columns().iter().find(|c| c.name == spec) {
                merged.push((source.clone(), col.name, Origin::Config));
            }
        }
    }
    if let Some(preset) = config.input.preset {
        for (source, spec) in preset.columns_of(table) {
            let taken = merged.iter().any(|(s, t, _)| s == source || *t == spec);
            if !taken {
                merged.push((source.to_string(), spec, Origin::Preset(preset)));
            }
        }
    }
    merged
}

/// Maps a header to the spec's columns of `table`.
pub fn plan(table: Table, header: &[String], config: &Config) -> HeaderPlan {
    let mapping = column_mapping(config, table);
    let mut cells: Vec<HeaderCell> = Vec::with_capacity(header.len());
    for raw in header {
        let name = raw.trim().to_lowercase();
        let (spec, origin) = match mapping.iter().find(|(s, _, _)| *s == name) {
            Some((_, spec, origin)) => (Some(*spec), *origin),
            None => (
                table
                    .columns()
                    .iter()
                    .find(|c| c.name == name)
                    .map(|c| c.name),
                Origin::Spec,
            ),
        };
        let duplicate_of = spec.and_then(|s| {
            cells
                .iter()
                .position(|c| c.spec == Some(s) && c.duplicate_of.is_none())
        });
        cells.push(HeaderCell {
            source: raw.trim().to_string(),
            spec,
            origin,
            duplicate_of,
        });
    }
    let missing = table
        .columns()
        .iter()
        .filter(|c| c.required && !cells.iter().any(|h| h.spec == Some(c.name)))
        .map(|c| c.name)
        .collect();
    HeaderPlan { cells, missing }
}

impl HeaderPlan {
    /// Spec column -> cell index (the first cell of a column given twice).
    pub fn columns(&self) -> FastMap<&'static str, usize> {
        let mut columns = FastMap::default();
        for (i, c) in self.cells.iter().enumerate() {
            if let (Some(spec), None) = (c.spec, c.duplicate_of) {
                columns.insert(spec, i);
            }
        }
        columns
    }

    /// Stops the run on a column given twice or a required column missing
    /// (spec 1.1), naming the file and the column.
    pub fn check(&self, path: &Path) -> Result<()> {
        if let Some((i, c)) = self
            .cells
            .iter()
            .enumerate()
            .find(|(_, c)| c.duplicate_of.is_some())
        {
            return Err(Error::input(
                path,
                format!(
                    "column {} appears twice (columns {} and {})",
                    c.spec.unwrap_or_default(),
                    c.duplicate_of.unwrap_or_default() + 1,
                    i + 1
                ),
            ));
        }
        if !self.missing.is_empty() {
            return Err(Error::input(
                path,
                format!("missing required column {}", self.missing.join(", ")),
            ));
        }
        Ok(())
    }
}

/// Value mappings of one column: trimmed, lower-cased source value -> spec
/// value, the config's entries over the preset's.
pub fn value_mapping(
    config: &Config,
    table: Table,
    column: &'static str,
) -> FastMap<String, String> {
    let mut map: FastMap<String, String> = FastMap::default();
    if let Some(preset) = config.input.preset {
        for (source, spec) in preset.values_of(table, column) {
            map.insert(source.to_lowercase(), spec.to_string());
        }
    }
    if let Some(own) = config
        .input
        .values
        .get(table.name())
        .and_then(|t| t.get(column))
    {
        for (source, spec) in own {
            map.insert(source.clone(), spec.clone());
        }
    }
    map
}

/// The value mappings of the columns a file has, by cell index.
pub fn value_maps(
    config: &Config,
    table: Table,
    columns: &FastMap<&'static str, usize>,
) -> Vec<(usize, FastMap<String, String>)> {
    let mut maps: Vec<(usize, FastMap<String, String>)> = table
        .columns()
        .iter()
        .filter_map(|c| {
            let i = *columns.get(c.name)?;
            let map = value_mapping(config, table, c.name);
            (!map.is_empty()).then_some((i, map))
        })
        .collect();
    maps.sort_by_key(|(i, _)| *i);
    maps
}
