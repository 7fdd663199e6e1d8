//! What woonaudit makes of a data folder before an audit (`woonaudit
//! inspect`): per file, the table it is taken as, its header as read, the
//! mapping applied column by column, the value mappings that fired and the
//! required columns still missing. Nothing stops at the first problem: a
//! user adapting a new export sees every file on one screen.

use std::collections::BTreeMap;
use std::path::Path;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::read::mapping::{self, HeaderCell};
use crate::read::raw::{Format, Handed, Parsed, RawRows, RawTable, Sink};
use crate::read::source::{self, HeaderRule};
use crate::schema::Table;

/// One file of the folder.
#[derive(Debug)]
pub struct FileReport {
    /// The file name.
    pub file: String,
    /// What it is taken as.
    pub taken: Taken,
}

/// What a file is taken as.
#[derive(Debug)]
pub enum Taken {
    /// Not an input table (another name or extension): ignored.
    Ignored,
    /// The config file of the folder.
    Config,
    /// A table.
    Table {
        /// Which table.
        table: Table,
        /// Its format.
        format: Format,
        /// Another file for the same table, if any (a run stops then).
        conflict: Option<String>,
        /// The table as read, or why it cannot be read.
        read: std::result::Result<TableReport, String>,
    },
}

/// A table file as read.
#[derive(Debug)]
pub struct TableReport {
    /// Records read.
    pub records: u64,
    /// Per header cell: its text and the spec column it is read as.
    pub header: Vec<HeaderCell>,
    /// Required spec columns no header cell is read as.
    pub missing: Vec<&'static str>,
    /// Value mappings that fired: (spec column, source value as first
    /// read, spec value, count), in column order.
    pub mapped: Vec<(&'static str, String, String, u64)>,
    /// Values read as they are in columns that have a value mapping:
    /// (spec column, value, count), at most [`UNMAPPED_SHOWN`] per column.
    pub unmapped: Vec<(&'static str, String, u64)>,
}

/// How many distinct values left as read are listed per column.
pub const UNMAPPED_SHOWN: usize = 10;

/// A data folder as woonaudit would read it.
#[derive(Debug)]
pub struct Inspection {
    /// Every file of the folder, by name.
    pub files: Vec<FileReport>,
    /// Required tables without a file.
    pub absent: Vec<Table>,
}

impl Inspection {
    /// Whether a run would stop on the folder's files or headers (not
    /// counting data issues in the rows).
    pub fn would_stop(&self) -> bool {
        !self.absent.is_empty()
            || self.files.iter().any(|f| match &f.taken {
                Taken::Table { conflict, read, .. } => {
                    conflict.is_some()
                        || match read {
                            Ok(t) => {
                                !t.missing.is_empty()
                                    || t.header.iter().any(|c| c.duplicate_of.is_some())
                            }
                            Err(_) => true,
                        }
                }
                _ => false,
            })
    }
}

/// Inspects every file of `dir`.
pub fn inspect_dir(dir: &Path, config: &Config) -> Result<Inspection> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Error::input(dir, format!("cannot read the data folder: {e}")))?;
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let table_of = |name: &str| -> Option<(Table, Format)> {
        let (stem, ext) = name.rsplit_once('.')?;
        let table = Table::ALL.into_iter().find(|t| t.name() == stem)?;
        let format = Format::ALL.into_iter().find(|f| f.extension() == ext)?;
        Some((table, format))
    };
    let mut files = Vec::new();
    for name in &names {
        let taken = match table_of(name) {
            None if name == "woonaudit.toml" => Taken::Config,
            None => Taken::Ignored,
            Some((table, format)) => {
                let conflict = names
                    .iter()
                    .find(|other| {
                        *other != name && table_of(other).is_some_and(|(t, _)| t == table)
                    })
                    .cloned();
                let read =
                    inspect_table(&dir.join(name), format, table, config).map_err(|e| match e {
                        Error::Input { message, .. } => message,
                        other => other.to_string(),
                    });
                Taken::Table {
                    table,
                    format,
                    conflict,
                    read,
                }
            }
        };
        files.push(FileReport {
            file: name.clone(),
            taken,
        });
    }
    let absent = Table::ALL
        .into_iter()
        .filter(|t| t.required())
        .filter(|t| {
            !names
                .iter()
                .any(|n| table_of(n).is_some_and(|(x, _)| x == *t))
        })
        .collect();
    Ok(Inspection { files, absent })
}

fn inspect_table(
    path: &Path,
    format: Format,
    table: Table,
    config: &Config,
) -> Result<TableReport> {
    // (cell index, lower-cased value) -> (count, value as first read).
    type Counts = BTreeMap<(usize, String), (u64, String)>;
    let mut counts: Counts = BTreeMap::new();
    let parse = |raw: &RawTable, batch: RawRows<'_>| -> Parsed {
        let mut counts = Counts::new();
        for row in batch.iter() {
            for (i, _) in &raw.values {
                if let Some(v) = row.cell(*i).filter(|v| !v.is_empty()) {
                    let entry = counts
                        .entry((*i, v.to_lowercase()))
                        .or_insert_with(|| (0, v.to_string()));
                    entry.0 += 1;
                }
            }
        }
        Box::new(counts)
    };
    // Batches come in file order, so the first spelling read is kept.
    let mut take = |handed: Handed| {
        let parsed = match handed {
            Handed::Batch(parsed) => parsed,
            Handed::Restart => return counts.clear(),
        };
        let batch = parsed
            .downcast::<Counts>()
            .expect("counts made by inspect's own parse");
        for (key, (n, first)) in *batch {
            counts.entry(key).or_insert((0, first)).0 += n;
        }
    };
    let mut sink = Sink {
        parse: &parse,
        take: &mut take,
    };
    let (raw, records) =
        source::read_table_with(path, format, table, config, HeaderRule::Lenient, &mut sink)?;
    let plan = mapping::plan(table, &raw.header, config);
    let spec_of = |i: usize| plan.cells.get(i).and_then(|c| c.spec).unwrap_or_default();
    let mut mapped = Vec::new();
    let mut unmapped: Vec<(&'static str, String, u64)> = Vec::new();
    for (i, map) in &raw.values {
        let column = spec_of(*i);
        let mut entries: Vec<(&String, &String)> = map.iter().collect();
        entries.sort();
        for (source, spec) in entries {
            if let Some((n, first)) = counts.get(&(*i, source.clone())) {
                mapped.push((column, first.clone(), spec.clone(), *n));
            }
        }
        let mut rest: Vec<(&'static str, String, u64)> = counts
            .iter()
            .filter(|((c, key), _)| c == i && !map.contains_key(key))
            .map(|(_, (n, first))| (column, first.clone(), *n))
            .collect();
        rest.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.1.cmp(&b.1)));
        rest.truncate(UNMAPPED_SHOWN);
        unmapped.extend(rest);
    }
    Ok(TableReport {
        records,
        header: plan.cells,
        missing: plan.missing,
        mapped,
        unmapped,
    })
}
