//! Spreadsheet input (spec 1.4): the first worksheet of `NAME.xlsx`, header
//! in row 1, streamed through our own reader of the workbook's XML
//! (`read::ooxml`) into the text cells a CSV export would hold, so one set
//! of parsers and data-issue rules serves every format. `line` is the
//! worksheet row.
//!
//! A cell's text: a date cell as `YYYY-MM-DD` (with the clock time when it
//! has one), a number as its shortest decimal form without a trailing
//! `.0`, a formula by its cached value (never evaluated), a formula error
//! (`#N/A`) in a column that is read an error on its cell. Merged cells and
//! a header below row 1 are layouts a table cannot have: they stop the
//! run, naming the sheet and the row.

use std::path::Path;

use crate::error::{Error, Result};
use crate::read::ooxml::{Cell, Merge, Package, Value};
use crate::read::raw::{RawBatch, RawTable, Record, RecordProblem, Sink};
use crate::read::source::{column_name, Describe, BATCH};

/// `A1`-style name of a cell (row and column from 0).
fn cell_ref(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut c = col + 1;
    while c > 0 {
        let r = (c - 1) % 26;
        letters.push(b'A' + r as u8);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8_lossy(&letters), row + 1)
}

/// Reads the first worksheet of the workbook at `path`.
pub(crate) fn read(
    path: &Path,
    describe: &Describe<'_>,
    sink: &mut Sink<'_>,
) -> Result<(RawTable, u64)> {
    let bytes = std::fs::read(path).map_err(|e| Error::input(path, format!("cannot read: {e}")))?;
    let cannot = |e: String| Error::input(path, format!("cannot read xlsx: {e}"));
    let mut package = Package::open(&bytes).map_err(cannot)?;
    let book = package.workbook().map_err(cannot)?;
    let sheet = book.sheet.as_str();
    let in_sheet =
        |e: String| Error::input(path, format!("cannot read xlsx: sheet {sheet:?}: {e}"));
    let mut cells = package.cells(&book).map_err(cannot)?;
    let mut rows = SheetRows {
        path,
        sheet,
        describe,
        raw: None,
        record: Record::empty(),
        batch: RawBatch::default(),
        read: 0,
        row: None,
        blank: true,
        errors: Vec::new(),
        fields: Vec::new(),
    };
    let read = loop {
        match cells.next_cell() {
            Ok(Some(cell)) => {
                if let Err(e) = rows.add(cell, sink) {
                    break Err(e);
                }
            }
            Ok(None) => break rows.finish(sink),
            Err(e) => return Err(in_sheet(e)),
        }
    };
    // Merged cells follow the cells in the sheet; a layout woonaudit
    // cannot read says so before anything else (a title above the header
    // makes the header look wrong too), so a run stopped early reads on to
    // them.
    merged_cells(path, sheet, cells.merges().map_err(in_sheet)?)?;
    read
}

/// Stops the run on merged cells, naming the first by its row.
fn merged_cells(path: &Path, sheet: &str, merged: &[Merge]) -> Result<()> {
    let Some(m) = merged.iter().min_by_key(|m| (m.start.0, m.start.1)) else {
        return Ok(());
    };
    let why = if m.start.0 == 0 {
        "a title above the header? The header must be row 1, one column name a cell: remove the title rows and unmerge"
    } else {
        "a merged cell holds its value in its first cell only: unmerge them, so that every row holds its own values"
    };
    Err(Error::input(
        path,
        format!(
            "sheet {sheet:?}, row {}: merged cells {}:{} ({why})",
            m.start.0 + 1,
            cell_ref(m.start.0, m.start.1),
            cell_ref(m.end.0, m.end.1)
        ),
    ))
}

/// The rows of the sheet as they are read, a cell at a time: each row into
/// a record of its own, copied into the batch when it ends.
struct SheetRows<'s, 'd> {
    path: &'s Path,
    sheet: &'s str,
    describe: &'s Describe<'d>,
    raw: Option<RawTable>,
    /// The row being read.
    record: Record,
    batch: RawBatch,
    read: u64,
    /// The row being read (from 0): its cells are in `record`.
    row: Option<u32>,
    /// Whether its cells so far are all empty or white space.
    blank: bool,
    /// Its formula errors: (column, error).
    errors: Vec<(usize, String)>,
    /// Scratch for a row whose cells come out of column order.
    fields: Vec<String>,
}

impl SheetRows<'_, '_> {
    /// Takes the next cell of the sheet.
    fn add(&mut self, cell: Cell<'_>, sink: &mut Sink<'_>) -> Result<()> {
        if self.row != Some(cell.row) {
            if let Some(done) = self.row {
                if cell.row < done {
                    return Err(Error::input(
                        self.path,
                        format!(
                            "sheet {:?}, row {}: rows out of order (after row {})",
                            self.sheet,
                            cell.row + 1,
                            done + 1
                        ),
                    ));
                }
                self.flush(sink)?;
            }
            self.row = Some(cell.row);
            let out = &mut self.record;
            out.cells.clear();
            out.problems.clear();
            self.blank = true;
            self.errors.clear();
        }
        let (text, error) = match cell.value {
            Value::Empty => ("", false),
            Value::Text(t) => (t, false),
            Value::Error(e) => (e, true),
        };
        self.blank &= !error && text.trim().is_empty();
        let col = cell.col as usize;
        let cells = &mut self.record.cells;
        if col >= cells.len() {
            // The cells a sheet leaves out are empty.
            for _ in cells.len()..col {
                cells.push_field("");
            }
            cells.push_field(text);
        } else {
            // A column again or out of order: the last value counts.
            self.fields.clear();
            self.fields.extend(cells.iter().map(str::to_string));
            if let Some(f) = self.fields.get_mut(col) {
                *f = text.to_string();
            }
            cells.clear();
            for f in &self.fields {
                cells.push_field(f);
            }
            self.errors.retain(|(c, _)| *c != col);
        }
        if error {
            self.errors.push((col, text.to_string()));
        }
        Ok(())
    }

    /// Ends the row being read: the header, a record, or a blank row
    /// (skipped, not a record, spec 1.1).
    fn flush(&mut self, sink: &mut Sink<'_>) -> Result<()> {
        let row = self.row.unwrap_or_default();
        if self.blank {
            return Ok(());
        }
        let out = &mut self.record;
        match &self.raw {
            None => {
                if row != 0 {
                    return Err(Error::input(
                        self.path,
                        format!(
                            "sheet {:?}, row 1 is empty and the first row with cells is row {}: the header must be row 1 (remove the rows above it)",
                            self.sheet,
                            row + 1
                        ),
                    ));
                }
                let header: Vec<String> = out.cells.iter().map(|c| c.trim().to_string()).collect();
                self.raw = Some((self.describe)(&header, None, None)?);
            }
            Some(table) => {
                out.line = u64::from(row) + 1;
                self.errors.sort_by_key(|(c, _)| *c);
                for (i, e) in &self.errors {
                    if table.columns.values().any(|c| c == i) {
                        out.problems.push(RecordProblem {
                            column: column_name(&table.header, &table.columns, *i),
                            value: e.clone(),
                            problem: "a formula error in this cell".to_string(),
                        });
                    }
                }
                note_record_problems(out, table);
                self.batch.push(out);
                self.read += 1;
                if self.batch.len() == BATCH {
                    sink.batch(table, self.batch.rows());
                    self.batch.clear();
                }
            }
        }
        Ok(())
    }

    /// Ends the sheet: the last row, and the records not yet handed on.
    fn finish(&mut self, sink: &mut Sink<'_>) -> Result<(RawTable, u64)> {
        if self.row.is_some() {
            self.flush(sink)?;
        }
        let raw = self.raw.take().ok_or_else(|| {
            Error::input(
                self.path,
                format!("sheet {:?} is empty: no header in row 1", self.sheet),
            )
        })?;
        if !self.batch.is_empty() {
            sink.batch(&raw, self.batch.rows());
        }
        Ok((raw, self.read))
    }
}

/// Record problems of a spreadsheet row: non-empty cells beyond the
/// header's, and the header row repeated (two exports pasted together).
fn note_record_problems(row: &mut Record, table: &RawTable) {
    let header = &table.header;
    let width = header.len();
    if row.cells.len() > width && row.cells.iter().skip(width).any(|c| !c.trim().is_empty()) {
        let extra: Vec<&str> = row
            .cells
            .iter()
            .skip(width)
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        row.problems.push(RecordProblem {
            column: column_name(header, &table.columns, width.saturating_sub(1)),
            value: extra.join(" | "),
            problem: format!(
                "cells beyond the header's {width} columns (a column without a header name?)"
            ),
        });
    }
    if row.cells.len() >= width
        && width > 0
        && header
            .iter()
            .zip(row.cells.iter())
            .all(|(h, c)| h.eq_ignore_ascii_case(c.trim()))
    {
        row.problems.push(RecordProblem {
            column: column_name(header, &table.columns, 0),
            value: row.cells.get(0).unwrap_or_default().trim().to_string(),
            problem: "the header row again (two exports pasted together?)".to_string(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_names() {
        assert_eq!(cell_ref(0, 0), "A1");
        assert_eq!(cell_ref(4, 25), "Z5");
        assert_eq!(cell_ref(0, 26), "AA1");
    }
}
