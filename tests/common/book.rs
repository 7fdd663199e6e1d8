//! Reading the workbooks woonaudit writes (`exceptions.xlsx`) with
//! calamine, a reader of its own, so that a test sees the cells as Excel
//! would and not as woonaudit meant them.

use std::path::Path;

use calamine::{open_workbook, Data, Reader, Xlsx};

use super::Row;

/// A cell as text: strings as they are, an empty cell as "", anything else
/// (numbers, dates, booleans) as calamine shows it.
pub fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The names of the workbook's sheets, in order.
pub fn sheet_names(path: &Path) -> Vec<String> {
    let book: Xlsx<_> = open_workbook(path).unwrap_or_else(|e| panic!("{e}"));
    book.sheet_names()
}

/// A sheet's cells as text, row by row (row 0 is the header). A sheet
/// with cells must start at A1, as a table does.
pub fn sheet_cells(path: &Path, name: &str) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = open_workbook(path).unwrap_or_else(|e| panic!("{e}"));
    let range = book
        .worksheet_range(name)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    if let Some(start) = range.start() {
        assert_eq!(start, (0, 0), "{name} does not start at A1");
    }
    range
        .rows()
        .map(|r| r.iter().map(cell_text).collect())
        .collect()
}

/// A sheet's rows below the header as column -> value (a row's missing
/// trailing cells as "").
pub fn sheet_rows(path: &Path, name: &str) -> Vec<Row> {
    let all = sheet_cells(path, name);
    let Some((header, rest)) = all.split_first() else {
        return Vec::new();
    };
    rest.iter()
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.iter().cloned().chain(std::iter::repeat(String::new())))
                .collect()
        })
        .collect()
}
