//! Spreadsheet input (spec 1.4): the first worksheet of `NAME.xlsx`, header
//! in row 1, streamed through calamine's cell reader into the text cells a
//! CSV export would hold, so one set of parsers and data-issue rules serves
//! every format. `line` is the worksheet row.
//!
//! A cell's text: a date cell as `YYYY-MM-DD` (with the clock time when it
//! has one), a number as its shortest decimal form without a trailing
//! `.0`, a formula by its cached value (never evaluated), a formula error
//! (`#N/A`) in a column that is read an error on its cell. Merged cells and
//! a header below row 1 are layouts a table cannot have: they stop the
//! run, naming the sheet and the row.

use std::fmt::Write as _;
use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use calamine::{DataRef, Reader, Xlsx};

use crate::error::{Error, Result};
use crate::read::raw::{OnBatch, RawRow, RawTable, RecordProblem};
use crate::read::source::{column_name, Describe, BATCH};

/// Runs a calamine call, turning its error or a panic (a corrupt file can
/// reach an assertion) into unusable input naming the file.
fn guarded<T, E: std::fmt::Display>(
    path: &Path,
    what: &str,
    f: impl FnOnce() -> std::result::Result<T, E>,
) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(Error::input(path, format!("cannot read xlsx: {what}: {e}"))),
        Err(_) => Err(Error::input(
            path,
            format!("cannot read xlsx: {what}: corrupt file"),
        )),
    }
}

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
    on_batch: &mut OnBatch<'_>,
) -> Result<(RawTable, u64)> {
    let bytes = std::fs::read(path).map_err(|e| Error::input(path, format!("cannot read: {e}")))?;
    let open = || -> Result<(Xlsx<Cursor<&[u8]>>, String)> {
        let book: Xlsx<_> = guarded(path, "not a readable workbook", || {
            Xlsx::new(Cursor::new(bytes.as_slice()))
        })?;
        match book.sheet_names().into_iter().next() {
            Some(sheet) => Ok((book, sheet)),
            None => Err(Error::input(
                path,
                "cannot read xlsx: the workbook has no worksheet",
            )),
        }
    };
    let (mut book, sheet) = open()?;
    // Merged cells are listed after the cells, so finding them is a second
    // pass over the sheet: it runs beside the first, on its own handle.
    std::thread::scope(|s| {
        let merges = s.spawn(|| -> Result<()> {
            let (mut book, sheet) = open()?;
            let merged = guarded(path, &format!("sheet {sheet:?}"), || {
                book.merge_cells_by_sheet_name(&sheet)
            })?;
            merged_cells(path, &sheet, &merged)
        });
        let read = read_cells(path, &mut book, &sheet, describe, on_batch);
        let merged = merges
            .join()
            .unwrap_or_else(|_| Err(Error::input(path, "cannot read xlsx: corrupt file")));
        // A layout woonaudit cannot read says so first: a title above the
        // header makes the header look wrong too.
        merged?;
        read
    })
}

/// Stops the run on merged cells, naming the first by its row.
fn merged_cells(path: &Path, sheet: &str, merged: &[calamine::Dimensions]) -> Result<()> {
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

/// Streams the cells of `sheet` into records.
fn read_cells(
    path: &Path,
    book: &mut Xlsx<Cursor<&[u8]>>,
    sheet: &str,
    describe: &Describe<'_>,
    on_batch: &mut OnBatch<'_>,
) -> Result<(RawTable, u64)> {
    let mut cells = guarded(path, &format!("sheet {sheet:?}"), || {
        book.worksheet_cells_reader(sheet)
    })?;
    let mut sheet_rows = SheetRows {
        path,
        sheet,
        describe,
        raw: None,
        batch: Vec::new(),
        filled: 0,
        read: 0,
        pending_row: None,
        pending: Vec::new(),
        text: String::new(),
    };
    loop {
        let next = guarded(path, &format!("sheet {sheet:?}"), || cells.next_cell())?;
        let Some(cell) = next else { break };
        let (row, col) = cell.get_position();
        if sheet_rows.pending_row != Some(row) {
            if let Some(done) = sheet_rows.pending_row {
                if row < done {
                    return Err(Error::input(
                        path,
                        format!(
                            "sheet {sheet:?}, row {}: rows out of order (after row {})",
                            row + 1,
                            done + 1
                        ),
                    ));
                }
                sheet_rows.flush(on_batch)?;
            }
            sheet_rows.pending_row = Some(row);
        }
        let col = col as usize;
        if col >= sheet_rows.pending.len() {
            // A column far out (XFD is 16,384) is at most that many cells.
            sheet_rows.pending.resize(col + 1, DataRef::Empty);
        }
        sheet_rows.pending[col] = cell.get_value().clone();
    }
    if sheet_rows.pending_row.is_some() {
        sheet_rows.flush(on_batch)?;
    }
    let SheetRows {
        raw,
        batch,
        filled,
        read,
        ..
    } = sheet_rows;
    let raw = raw.ok_or_else(|| {
        Error::input(
            path,
            format!("sheet {sheet:?} is empty: no header in row 1"),
        )
    })?;
    if filled > 0 {
        on_batch(&raw, &batch[..filled]);
    }
    Ok((raw, read))
}

/// The rows of the sheet as they are read, a row of cells at a time.
struct SheetRows<'s, 'd, 'v> {
    path: &'s Path,
    sheet: &'s str,
    describe: &'s Describe<'d>,
    raw: Option<RawTable>,
    batch: Vec<RawRow>,
    filled: usize,
    read: u64,
    /// The row whose cells are in `pending` (from 0).
    pending_row: Option<u32>,
    pending: Vec<DataRef<'v>>,
    text: String,
}

impl SheetRows<'_, '_, '_> {
    /// Ends the pending row: the header, a record, or a blank row (skipped,
    /// not a record, spec 1.1).
    fn flush(&mut self, on_batch: &mut OnBatch<'_>) -> Result<()> {
        let row = self.pending_row.unwrap_or_default();
        let blank = self.pending.iter().all(is_blank);
        if blank {
            self.pending.clear();
            return Ok(());
        }
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
                let header: Vec<String> = self
                    .pending
                    .iter()
                    .map(|v| {
                        cell_text(v, &mut self.text);
                        self.text.trim().to_string()
                    })
                    .collect();
                self.raw = Some((self.describe)(&header, None, None)?);
            }
            Some(table) => {
                if self.filled == BATCH {
                    on_batch(table, &self.batch);
                    self.filled = 0;
                }
                if self.filled == self.batch.len() {
                    self.batch.push(RawRow::empty());
                }
                let out = &mut self.batch[self.filled];
                out.line = u64::from(row) + 1;
                out.cells.clear();
                out.problems.clear();
                for (i, v) in self.pending.iter().enumerate() {
                    cell_text(v, &mut self.text);
                    out.cells.push_field(&self.text);
                    if let DataRef::Error(e) = v {
                        if table.columns.values().any(|&c| c == i) {
                            out.problems.push(RecordProblem {
                                column: column_name(&table.header, &table.columns, i),
                                value: e.to_string(),
                                problem: "a formula error in this cell".to_string(),
                            });
                        }
                    }
                }
                note_record_problems(out, table);
                self.filled += 1;
                self.read += 1;
            }
        }
        self.pending.clear();
        Ok(())
    }
}

/// Whether a cell is empty or only white space (a number, date, boolean
/// or error never is).
fn is_blank(v: &DataRef<'_>) -> bool {
    match v {
        DataRef::Empty => true,
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
            s.trim().is_empty()
        }
        DataRef::SharedString(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// Record problems of a spreadsheet row: non-empty cells beyond the
/// header's, and the header row repeated (two exports pasted together).
fn note_record_problems(row: &mut RawRow, table: &RawTable) {
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

/// The text a CSV export would hold for a cell, written into `out`.
fn cell_text(v: &DataRef<'_>, out: &mut String) {
    out.clear();
    match v {
        DataRef::Empty => {}
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => out.push_str(s),
        DataRef::SharedString(s) => out.push_str(s),
        DataRef::Int(i) => {
            let _ = write!(out, "{i}");
        }
        DataRef::Float(f) => number(*f, out),
        DataRef::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        DataRef::DateTime(d) => {
            let serial = d.as_f64();
            // A duration, or a time of day without a date (below day 1),
            // is not a date: written as the number, which no date column
            // reads.
            if d.is_duration() || !(1.0..2_958_466.0).contains(&serial) {
                number(serial, out);
                return;
            }
            let (y, m, day, h, min, s, ms) = d.to_ymd_hms_milli();
            // By hand: a table has a date in most rows, and `write!`
            // parses its format every time.
            digits(out, u32::from(y), 4);
            out.push('-');
            digits(out, u32::from(m), 2);
            out.push('-');
            digits(out, u32::from(day), 2);
            if (h, min, s, ms) != (0, 0, 0, 0) {
                out.push(' ');
                digits(out, u32::from(h), 2);
                out.push(':');
                digits(out, u32::from(min), 2);
                out.push(':');
                digits(out, u32::from(s), 2);
                if ms != 0 {
                    out.push('.');
                    digits(out, u32::from(ms), 3);
                }
            }
        }
        DataRef::Error(e) => {
            let _ = write!(out, "{e}");
        }
    }
}

/// A number as its shortest decimal form: `12345` for 12345.0 (an id or a
/// postcode typed into a number cell), `1234.56` for 1234.56.
fn number(f: f64, out: &mut String) {
    if f == 0.0 {
        out.push('0'); // and not `-0`
    } else if f.fract() == 0.0 && f.abs() < 1e15 {
        // A whole number (ids, counts, positions): as an integer, which
        // is the same text and much faster to write.
        let _ = write!(out, "{}", f as i64);
    } else {
        let _ = write!(out, "{f}");
    }
}

/// `n` with at least `width` digits (zero-padded).
fn digits(out: &mut String, n: u32, width: usize) {
    let mut buf = [b'0'; 10];
    let mut i = buf.len();
    let mut n = n;
    while n > 0 || buf.len() - i < width {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    out.push_str(std::str::from_utf8(&buf[i..]).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(v: DataRef<'_>) -> String {
        let mut s = String::new();
        cell_text(&v, &mut s);
        s
    }

    #[test]
    fn numbers_have_no_trailing_zero() {
        assert_eq!(text(DataRef::Float(12345.0)), "12345");
        assert_eq!(text(DataRef::Float(1234.56)), "1234.56");
        assert_eq!(text(DataRef::Float(-0.0)), "0");
        assert_eq!(text(DataRef::Float(1e21)), "1000000000000000000000");
        assert_eq!(text(DataRef::Int(7)), "7");
    }

    #[test]
    fn dates_and_datetimes() {
        use calamine::{ExcelDateTime, ExcelDateTimeType};
        let d = |v| DataRef::DateTime(ExcelDateTime::new(v, ExcelDateTimeType::DateTime, false));
        assert_eq!(text(d(45306.0)), "2024-01-15");
        assert_eq!(text(d(45306.4375)), "2024-01-15 10:30:00");
        assert_eq!(text(d(0.5)), "0.5");
    }

    #[test]
    fn cell_names() {
        assert_eq!(cell_ref(0, 0), "A1");
        assert_eq!(cell_ref(4, 25), "Z5");
        assert_eq!(cell_ref(0, 26), "AA1");
    }
}
