//! `woonaudit inspect`: what woonaudit makes of a data folder, before an
//! audit. Per file: the table it is taken as, the header as read, what each
//! column is read as (the spec column and why, or "ignored"), the value
//! mappings that fired with their counts, the values left as read in
//! mapped columns, and the required columns still missing, with the
//! woonaudit.toml lines that would map them. Writes nothing. Exits 2 when
//! a run would stop on the folder's files or headers (not on the rows:
//! `validate` reads those), else 0.

use std::process::ExitCode;

use clap::Args;

use super::DataArgs;
use woonaudit::config::{Config, ConfigSource};
use woonaudit::error::Result;
use woonaudit::load::check_data_dir;
use woonaudit::read::inspect::{inspect_dir, Inspection, TableReport, Taken, UNMAPPED_SHOWN};
use woonaudit::read::mapping::Origin;
use woonaudit::schema::Table;

/// Options of `inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    #[command(flatten)]
    data: DataArgs,
}

/// Runs `inspect`.
pub fn run(args: &InspectArgs) -> Result<ExitCode> {
    let dir = &args.data.data;
    check_data_dir(dir)?;
    let (config, source) = Config::load(args.data.config.as_deref(), dir)?;
    let inspection = inspect_dir(dir, &config)?;
    print!("{}", render(&inspection, &config, &source));
    Ok(if inspection.would_stop() {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// The whole screen.
fn render(inspection: &Inspection, config: &Config, source: &ConfigSource) -> String {
    let mut s = String::new();
    match source {
        ConfigSource::Defaults => s.push_str("config: none (the defaults)"),
        ConfigSource::File(p) => s.push_str(&format!("config: {}", p.display())),
    }
    if let Some(p) = config.input.preset {
        s.push_str(&format!(", preset {p}"));
    }
    s.push_str("\n\n");
    for f in &inspection.files {
        match &f.taken {
            Taken::Ignored => s.push_str(&format!(
                "{}: ignored (not named after a table: {})\n\n",
                f.file,
                table_names()
            )),
            Taken::Config => s.push_str(&format!("{}: the config file\n\n", f.file)),
            Taken::Table {
                table,
                format,
                conflict,
                read,
            } => {
                s.push_str(&format!(
                    "{}: table {table} ({})\n",
                    f.file,
                    format.extension()
                ));
                if let Some(other) = conflict {
                    s.push_str(&format!(
                        "  STOPS A RUN: {other} is a file for the same table too; keep one\n"
                    ));
                }
                match read {
                    Ok(t) => table_section(&mut s, *table, t),
                    Err(why) => s.push_str(&format!("  STOPS A RUN: {why}\n")),
                }
                s.push('\n');
            }
        }
    }
    for t in &inspection.absent {
        s.push_str(&format!(
            "{t}: STOPS A RUN: required table with no file ({t}.csv, {t}.parquet or {t}.xlsx)\n"
        ));
    }
    s
}

fn table_names() -> String {
    Table::ALL.map(Table::name).join(", ")
}

/// The lines of one table file.
fn table_section(s: &mut String, table: Table, t: &TableReport) {
    s.push_str(&format!("  records: {}\n", t.records));
    let header: Vec<&str> = t.header.iter().map(|c| c.source.as_str()).collect();
    s.push_str(&format!("  header as read: {}\n", header.join(" | ")));
    s.push_str("  columns:\n");
    let width = header.iter().map(|h| h.chars().count()).max().unwrap_or(0);
    for (i, c) in t.header.iter().enumerate() {
        let name = if c.source.is_empty() {
            format!("(column {}, no name)", i + 1)
        } else {
            c.source.clone()
        };
        let read_as = match (c.spec, c.duplicate_of) {
            (None, _) => "ignored".to_string(),
            (Some(spec), Some(first)) => format!(
                "{spec}  STOPS A RUN: column {} is read as {spec} too",
                first + 1
            ),
            (Some(spec), None) => match c.origin {
                Origin::Spec => spec.to_string(),
                Origin::Config => format!("{spec}  (config)"),
                Origin::Preset(p) => format!("{spec}  (preset {p})"),
            },
        };
        s.push_str(&format!("    {name:<width$}  -> {read_as}\n"));
    }
    if !t.mapped.is_empty() {
        s.push_str("  values mapped:\n");
        for (column, source, spec, n) in &t.mapped {
            s.push_str(&format!("    {column}: {source} -> {spec} ({n})\n"));
        }
    }
    if !t.unmapped.is_empty() {
        s.push_str(&format!(
            "  values read as they are in mapped columns (at most {UNMAPPED_SHOWN} a column):\n"
        ));
        for (column, value, n) in &t.unmapped {
            s.push_str(&format!("    {column}: {value} ({n})\n"));
        }
    }
    if t.missing.is_empty() {
        s.push_str("  required columns missing: none\n");
    } else {
        s.push_str(&format!(
            "  STOPS A RUN: required columns missing: {}\n",
            t.missing.join(", ")
        ));
        s.push_str(&format!(
            "  map them in woonaudit.toml, from the export's own names:\n    [input.columns.{table}]\n"
        ));
        for m in &t.missing {
            s.push_str(&format!("    \"<column in the file>\" = \"{m}\"\n"));
        }
    }
}
