//! Stage 1, read: find the ten tables of spec 1.3 in a folder, read CSV
//! or Parquet into text cells, and parse each row into a typed record,
//! collecting a data issue for every cell that cannot be used.
//!
//! [`source`] finds a table's file and splits it into the text rows of
//! [`raw`] (Parquet through [`parquet`]); `tables` turns those into records
//! with the cell parsers of [`crate::parse`].

mod clean;
pub mod gaps;
pub mod inspect;
pub mod mapping;
mod ooxml;
pub mod parquet;
mod parquet_check;
pub mod raw;
pub mod reviews;
pub mod source;
mod tables;
pub mod xlsx;
mod xml;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::config::Config;
use crate::error::Result;
use crate::issues::DataIssue;
use crate::model::*;
use crate::schema::Table;

pub use raw::Format;

/// Where a table came from, for the manifest.
#[derive(Clone, Debug, Serialize)]
pub struct SourceInfo {
    /// Which table (written as its name).
    pub table: Table,
    /// File name, e.g. `applicants.csv`.
    pub file: String,
    /// CSV, Parquet or xlsx.
    pub format: Format,
    /// SHA-256 of the file.
    pub sha256: String,
    /// Encoding (CSV only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<&'static str>,
    /// Delimiter (CSV only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<char>,
    /// The spec columns the file has (not in the manifest).
    #[serde(skip)]
    pub columns: Vec<&'static str>,
}

/// Typed records of one table, before cross-table validation.
#[derive(Debug)]
pub struct Rows<T> {
    /// Where the table came from; `None` for an absent optional table.
    pub source: Option<SourceInfo>,
    /// Number of records read.
    pub read: u64,
    /// The records that parsed without error.
    pub records: Vec<T>,
    /// Rows that did not parse, by line, with the text of their key column
    /// (empty when the table has no single key or the cell was empty): a
    /// key is owned by its first row even when that row is unusable.
    pub failed_keys: Vec<(u64, String)>,
}

/// Everything read from one data folder.
#[derive(Debug)]
pub struct Input {
    /// The data folder.
    pub dir: PathBuf,
    /// `applicants`.
    pub applicants: Rows<Applicant>,
    /// `adverts`.
    pub adverts: Rows<Advert>,
    /// `responses`.
    pub responses: Rows<Response>,
    /// `allocations`.
    pub allocations: Rows<Allocation>,
    /// `employees`.
    pub employees: Rows<Employee>,
    /// `relations`.
    pub relations: Rows<Relation>,
    /// `sales`.
    pub sales: Rows<Sale>,
    /// `registration_changes`.
    pub registration_changes: Rows<RegistrationChange>,
    /// `priorities` (v1.2).
    pub priorities: Rows<Priority>,
    /// `vacancies` (v1.2).
    pub vacancies: Rows<Vacancy>,
    /// Issues found while parsing cells.
    pub issues: Vec<DataIssue>,
}

impl Input {
    /// Where `table` came from; `None` for an absent optional table.
    pub fn source(&self, table: Table) -> Option<&SourceInfo> {
        self.of(table).0.as_ref()
    }

    /// How many records of `table` were read.
    pub fn read(&self, table: Table) -> u64 {
        self.of(table).1
    }

    /// Where the tables came from, in the order of [`Table::ALL`]; absent
    /// optional tables are left out.
    pub fn sources(&self) -> Vec<SourceInfo> {
        Table::ALL
            .into_iter()
            .filter_map(|t| self.source(t).cloned())
            .collect()
    }

    fn of(&self, table: Table) -> (&Option<SourceInfo>, u64) {
        fn of<T>(rows: &Rows<T>) -> (&Option<SourceInfo>, u64) {
            (&rows.source, rows.read)
        }
        match table {
            Table::Applicants => of(&self.applicants),
            Table::Adverts => of(&self.adverts),
            Table::Responses => of(&self.responses),
            Table::Allocations => of(&self.allocations),
            Table::Employees => of(&self.employees),
            Table::Relations => of(&self.relations),
            Table::Sales => of(&self.sales),
            Table::RegistrationChanges => of(&self.registration_changes),
            Table::Priorities => of(&self.priorities),
            Table::Vacancies => of(&self.vacancies),
        }
    }
}

/// Reads every table of `dir`. Fails only when a file cannot be used at all.
pub fn read_dir(dir: &Path, config: &Config) -> Result<Input> {
    if !dir.is_dir() {
        return Err(crate::error::Error::input(dir, "data folder not found"));
    }
    let mut issues = Vec::new();
    Ok(Input {
        dir: dir.to_path_buf(),
        applicants: load(
            dir,
            Table::Applicants,
            config,
            &mut issues,
            tables::applicant,
        )?,
        adverts: load(dir, Table::Adverts, config, &mut issues, |c| {
            tables::advert(c, &config.policies)
        })?,
        responses: load(dir, Table::Responses, config, &mut issues, tables::response)?,
        allocations: load(
            dir,
            Table::Allocations,
            config,
            &mut issues,
            tables::allocation,
        )?,
        employees: load(dir, Table::Employees, config, &mut issues, tables::employee)?,
        relations: load(dir, Table::Relations, config, &mut issues, tables::relation)?,
        sales: load(dir, Table::Sales, config, &mut issues, tables::sale)?,
        registration_changes: load(
            dir,
            Table::RegistrationChanges,
            config,
            &mut issues,
            tables::registration_change,
        )?,
        priorities: load(
            dir,
            Table::Priorities,
            config,
            &mut issues,
            tables::priority,
        )?,
        vacancies: load(dir, Table::Vacancies, config, &mut issues, tables::vacancy)?,
        issues,
    })
}

/// The records, unusable rows and issues of one batch.
struct Batch<T> {
    records: Vec<T>,
    failed_keys: Vec<(u64, String)>,
    issues: Vec<DataIssue>,
}

fn load<T: Send + 'static>(
    dir: &Path,
    table: Table,
    config: &Config,
    issues: &mut Vec<DataIssue>,
    parse_row: impl Fn(&mut tables::Cells<'_>) -> Option<T> + Sync,
) -> Result<Rows<T>> {
    let Some((path, format)) = source::locate(dir, table)? else {
        return Ok(Rows {
            source: None,
            read: 0,
            records: Vec::new(),
            failed_keys: Vec::new(),
        });
    };
    let mut records = Vec::new();
    let mut failed_keys = Vec::new();
    let parse = |raw: &raw::RawTable, rows: raw::RawRows<'_>| -> raw::Parsed {
        let mut batch = Batch {
            records: Vec::with_capacity(rows.len()),
            failed_keys: Vec::new(),
            issues: Vec::new(),
        };
        let scattered: Vec<usize> = tables::scattered_ids(table)
            .iter()
            .filter_map(|c| raw.columns.get(c).copied())
            .collect();
        let positions = tables::Positions::interning(raw, rows, &scattered);
        for (i, row) in rows.iter().enumerate() {
            let mut cells = tables::Cells::new(raw, row, i, &positions, &mut batch.issues);
            let record = parse_row(&mut cells);
            let ok = cells.ok;
            match record.filter(|_| ok) {
                Some(record) => batch.records.push(record),
                None => {
                    let key = table
                        .key()
                        .and_then(|k| raw.columns.get(k).copied())
                        .and_then(|i| raw.cell(row, i))
                        .unwrap_or_default()
                        .to_string();
                    batch.failed_keys.push((row.line(), key));
                }
            }
        }
        Box::new(batch)
    };
    // Batches are parsed on every core and taken here in file order, so
    // the result does not depend on the cores.
    let issues_before = issues.len();
    let mut take = |handed: raw::Handed| {
        let parsed = match handed {
            raw::Handed::Batch(parsed) => parsed,
            raw::Handed::Restart => {
                issues.truncate(issues_before);
                records.clear();
                failed_keys.clear();
                return;
            }
        };
        // Only `parse` above makes these: a batch of another type would be
        // a bug, and dropping it would lose rows without a word.
        let batch = parsed
            .downcast::<Batch<T>>()
            .expect("a batch parsed by load's own parse");
        issues.extend(batch.issues);
        records.extend(batch.records);
        failed_keys.extend(batch.failed_keys);
    };
    let mut sink = raw::Sink {
        parse: &parse,
        take: &mut take,
    };
    let (raw, read) = source::read_table(&path, format, table, config, &mut sink)?;
    Ok(Rows {
        source: Some(SourceInfo {
            table,
            file: raw.file.clone(),
            format: raw.format,
            sha256: raw.sha256.clone(),
            encoding: raw.encoding,
            delimiter: raw.delimiter,
            columns: table
                .columns()
                .iter()
                .map(|c| c.name)
                .filter(|c| raw.columns.contains_key(c))
                .collect(),
        }),
        read,
        records,
        failed_keys,
    })
}
