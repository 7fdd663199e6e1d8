/*!
`generate --format xlsx`: each table as the first worksheet of `NAME.xlsx`,
its cells typed the way Excel holds an export: dates and datetimes as date
cells (serial numbers with a date format), numbers whose shortest form is
the text itself as number cells, everything else as text (so `00123`,
`12.50` and phone numbers stay as written). woonaudit reads such a cell back
as the text it came from, so the twin gives the CSV's findings.
*/

use std::io;
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

/// The rows a worksheet holds, header included.
const MAX_ROWS: u32 = 1_048_576;

fn other(e: XlsxError) -> io::Error {
    io::Error::other(e.to_string())
}

/// A workbook being filled a chunk of rows at a time (kept in memory until
/// [`XlsxSink::finish`]: a worksheet is written whole).
pub(crate) struct XlsxSink {
    book: Workbook,
    path: PathBuf,
    next_row: u32,
    date: Format,
    datetime: Format,
}

impl XlsxSink {
    /// A workbook for `path` with the header in row 1.
    pub(crate) fn create(path: &Path, header: &[String]) -> io::Result<XlsxSink> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        for (c, name) in header.iter().enumerate() {
            sheet.write_string(0, col(c)?, name).map_err(other)?;
        }
        Ok(XlsxSink {
            book,
            path: path.to_path_buf(),
            next_row: 1,
            date: Format::new().set_num_format("yyyy-mm-dd"),
            datetime: Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
        })
    }

    /// Appends rows (cells in header order; an empty cell is left empty).
    pub(crate) fn write(&mut self, rows: &[Vec<String>]) -> io::Result<()> {
        let sheet = self.book.worksheet_from_index(0).map_err(other)?;
        for row in rows {
            if self.next_row >= MAX_ROWS {
                return Err(io::Error::other(format!(
                    "{}: more rows than a worksheet holds ({MAX_ROWS})",
                    self.path.display()
                )));
            }
            let r = self.next_row;
            for (c, cell) in row.iter().enumerate() {
                let c = col(c)?;
                if cell.is_empty() {
                    continue;
                }
                match date(cell) {
                    Some((d, false)) => sheet.write_datetime_with_format(r, c, &d, &self.date),
                    Some((d, true)) => sheet.write_datetime_with_format(r, c, &d, &self.datetime),
                    None => match number(cell) {
                        Some(n) => sheet.write_number(r, c, n),
                        None => sheet.write_string(r, c, cell),
                    },
                }
                .map_err(other)?;
            }
            self.next_row += 1;
        }
        Ok(())
    }

    /// Writes the file.
    pub(crate) fn finish(mut self) -> io::Result<()> {
        self.book.save(&self.path).map_err(other)
    }
}

fn col(c: usize) -> io::Result<u16> {
    u16::try_from(c).map_err(|_| io::Error::other("too many columns for a worksheet"))
}

/// A date `YYYY-MM-DD` (false) or datetime `YYYY-MM-DD HH:MM:SS` (true),
/// as the generator writes them in its default dialect.
fn date(text: &str) -> Option<(ExcelDateTime, bool)> {
    let b = text.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    let shape = digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10);
    if !shape {
        return None;
    }
    match b.len() {
        10 => ExcelDateTime::parse_from_str(text).ok().map(|d| (d, false)),
        19 if b[10] == b' ' => ExcelDateTime::parse_from_str(text).ok().map(|d| (d, true)),
        _ => None,
    }
}

/// A number whose shortest decimal form is the text itself.
fn number(text: &str) -> Option<f64> {
    let f: f64 = text.parse().ok()?;
    (f.is_finite() && format!("{f}") == text).then_some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_exact_numbers_and_iso_dates_are_typed() {
        assert_eq!(number("12345"), Some(12345.0));
        assert_eq!(number("507.25"), Some(507.25));
        assert_eq!(number("28997.00"), None);
        assert_eq!(number("0642481504"), None);
        assert_eq!(number("+31"), None);
        assert!(date("2025-01-06").is_some_and(|(_, t)| !t));
        assert!(date("2025-01-06 18:57:46").is_some_and(|(_, t)| t));
        assert!(date("06-01-2025").is_none());
    }
}
