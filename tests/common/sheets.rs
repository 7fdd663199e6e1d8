//! Twins of CSV data folders: spreadsheets written with rust_xlsxwriter the way
//! Excel holds them: dates as date cells (serial numbers with a date
//! format), numbers as number cells, the rest as text; and the same tables
//! in the VERA vocabulary.

use std::path::Path;

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

/// How the twin is written.
#[derive(Clone, Copy, Debug, Default)]
pub struct Style {
    /// As Dutch Excel saves it: header names with trailing spaces, and
    /// decimals (`57332.36`) as text cells with a decimal comma.
    pub dutch: bool,
}

/// A date `YYYY-MM-DD`, a datetime `YYYY-MM-DD HH:MM[:SS]` (or with `T`).
fn excel_date(text: &str) -> Option<(ExcelDateTime, bool)> {
    let b = text.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    if !(digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10))
    {
        return None;
    }
    match b.len() {
        10 => ExcelDateTime::parse_from_str(text).ok().map(|d| (d, false)),
        16 | 19 if matches!(b[10], b' ' | b'T') => {
            ExcelDateTime::parse_from_str(&text.replace('T', " "))
                .ok()
                .map(|d| (d, true))
        }
        _ => None,
    }
}

/// A number whose shortest form is the text itself (so nothing of the
/// text is lost: `00123`, `12.50`, `+31` stay text).
fn excel_number(text: &str) -> Option<f64> {
    let f: f64 = text.parse().ok()?;
    (f.is_finite() && format!("{f}") == text).then_some(f)
}

/// A decimal with a `.` and digits on both sides (`57332.36`).
fn is_decimal(text: &str) -> bool {
    text.split_once('.').is_some_and(|(a, b)| {
        !a.is_empty()
            && !b.is_empty()
            && a.trim_start_matches('-')
                .bytes()
                .all(|c| c.is_ascii_digit())
            && b.bytes().all(|c| c.is_ascii_digit())
    })
}

/// The longest text an Excel cell holds.
const MAX_TEXT: usize = 32_767;

/// Writes `rows` (header first) as the first worksheet of `path`. Any text
/// goes (the fuzzer's too): a value that cannot be a date or a number is a
/// text cell, cut to the 32,767 characters a cell holds.
pub fn write_xlsx(path: &Path, rows: &[Vec<String>], style: Style) {
    let mut book = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let sheet = book.add_worksheet();
    sheet.set_name("Blad1").unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            if r == 0 {
                let name = if style.dutch {
                    format!("{cell}  ")
                } else {
                    cell.clone()
                };
                sheet.write_string(r, c, name).unwrap();
            } else if cell.is_empty() {
                continue;
            } else if let Some((d, with_time)) = excel_date(cell) {
                let f = if with_time { &datetime } else { &date };
                sheet.write_datetime_with_format(r, c, &d, f).unwrap();
            } else if style.dutch && is_decimal(cell) {
                sheet.write_string(r, c, cell.replace('.', ",")).unwrap();
            } else if let Some(n) = excel_number(cell) {
                sheet.write_number(r, c, n).unwrap();
            } else {
                let text: String = cell.chars().take(MAX_TEXT).collect();
                sheet.write_string(r, c, text).unwrap();
            }
        }
    }
    book.save(path).unwrap();
}

/// The rows of a CSV file (header first).
pub fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    r.records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// Copies the data folder `from` into `to` with every table as `.xlsx`
/// (other files, such as woonaudit.toml, as they are; `planted*.csv` left
/// out).
pub fn xlsx_twin(from: &Path, to: &Path, style: Style) {
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("planted") {
            continue;
        }
        match name.strip_suffix(".csv") {
            Some(stem) => write_xlsx(&to.join(format!("{stem}.xlsx")), &csv_rows(&p), style),
            None => {
                std::fs::copy(&p, to.join(&name)).unwrap();
            }
        }
    }
}

/// Copies the data folder `from` into `to` in the VERA vocabulary: every
/// table's columns renamed and codes written as the built-in preset reads
/// them (`publicatiemodel`, `TOE`, ...), with a woonaudit.toml that sets
/// `preset = "vera"`. Tables as CSV, or as `.xlsx` when `xlsx`.
pub fn vera_twin(from: &Path, to: &Path, xlsx: bool) {
    use woonaudit::preset::Preset;
    use woonaudit::schema::Table;
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir_all(to).unwrap();
    for table in Table::ALL {
        let path = from.join(format!("{}.csv", table.name()));
        if !path.is_file() {
            continue;
        }
        let mut rows = csv_rows(&path);
        let header = rows[0].clone();
        for (c, name) in header.iter().enumerate() {
            let Some(col) = table.columns().iter().find(|k| k.name == name) else {
                continue;
            };
            if let Some((source, _)) = Preset::Vera
                .columns_of(table)
                .find(|(_, spec)| *spec == col.name)
            {
                rows[0][c] = source.to_string();
            }
            let codes: Vec<(&str, &str)> = Preset::Vera.values_of(table, col.name).collect();
            for row in rows.iter_mut().skip(1) {
                if let Some(cell) = row.get_mut(c) {
                    if let Some((code, _)) = codes.iter().find(|(_, spec)| spec == cell) {
                        *cell = code.to_string();
                    }
                }
            }
        }
        if xlsx {
            write_xlsx(
                &to.join(format!("{}.xlsx", table.name())),
                &rows,
                Style::default(),
            );
        } else {
            let mut w = csv::Writer::from_path(to.join(format!("{}.csv", table.name()))).unwrap();
            for r in &rows {
                w.write_record(r).unwrap();
            }
            w.flush().unwrap();
        }
    }
    // The folder's own config (its policies), with the preset added.
    let own = std::fs::read_to_string(from.join("woonaudit.toml")).unwrap_or_default();
    std::fs::write(
        to.join("woonaudit.toml"),
        woonaudit_generate::vera_config(&own),
    )
    .unwrap();
}
