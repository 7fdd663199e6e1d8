//! Finding a table's file and turning it into text cells: encoding and
//! delimiter detection for CSV, Parquet through polars, header mapping.
//! Everything after this works on [`RawTable`], whatever the source format.

use crate::fast::FastMap;
use std::path::{Path, PathBuf};

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::read::schema::Table;

/// The file format of an input table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Delimited text.
    Csv,
    /// Apache Parquet.
    Parquet,
}

/// One record of a table: its line (header = 1) and its cells, indexed like
/// [`RawTable::columns`]. The cells of a record share one buffer (a
/// `StringRecord`), which keeps a million-row table to one allocation a row.
#[derive(Clone, Debug)]
pub struct RawRow {
    /// Record number counted from the header as line 1.
    pub line: u64,
    /// The cells as read; [`RawRow::cell`] trims them.
    pub cells: csv::StringRecord,
}

impl RawRow {
    /// Cell `i`, trimmed of Unicode white space; empty = missing.
    pub fn cell(&self, i: usize) -> Option<&str> {
        self.cells.get(i).map(str::trim)
    }
}

/// A table as text, with where it came from.
#[derive(Clone, Debug)]
pub struct RawTable {
    /// Which table.
    pub table: Table,
    /// The file name, e.g. `applicants.csv`.
    pub file: String,
    /// Its format.
    pub format: Format,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub sha256: String,
    /// Encoding used (CSV only).
    pub encoding: Option<&'static str>,
    /// Delimiter used (CSV only).
    pub delimiter: Option<char>,
    /// Spec column name -> index into each row's cells. Only the spec's
    /// columns that the file has.
    pub columns: FastMap<&'static str, usize>,
    /// Whether `,` is a decimal mark (a `;`-delimited file).
    pub decimal_comma: bool,
    /// The records.
    pub rows: Vec<RawRow>,
    /// Problems with whole records found while splitting the file into
    /// cells, by line; each becomes an error on its record.
    pub record_problems: Vec<RecordProblem>,
}

/// A problem with a record as a whole (cells beyond the header, the header
/// repeated, a quote never closed): an error-level data issue on that record.
#[derive(Clone, Debug)]
pub struct RecordProblem {
    /// The record's line.
    pub line: u64,
    /// The column it is reported on: the spec's name, or the header's own
    /// name for a column outside the spec.
    pub column: String,
    /// The value as read.
    pub value: String,
    /// What is wrong.
    pub problem: String,
}

/// Maps an encoding label from the config to UTF-8 or Windows-1252.
pub fn encoding_for_label(label: &str) -> std::result::Result<&'static Encoding, String> {
    match Encoding::for_label(label.trim().as_bytes()) {
        Some(e) if e == UTF_8 || e == WINDOWS_1252 => Ok(e),
        _ => Err(format!(
            "[input] encoding = \"{label}\": expected utf-8 or windows-1252"
        )),
    }
}

/// Maps a delimiter from the config to its byte.
pub fn delimiter_for(text: &str) -> std::result::Result<u8, String> {
    match text {
        "," | "comma" => Ok(b','),
        ";" | "semicolon" => Ok(b';'),
        _ => Err(format!(
            "[input] delimiter = \"{text}\": expected \",\" or \";\""
        )),
    }
}

/// Locates a table's file in `dir`. `Ok(None)` for an absent optional table.
pub fn locate(dir: &Path, table: Table) -> Result<Option<(PathBuf, Format)>> {
    let csv = dir.join(format!("{}.csv", table.name()));
    let parquet = dir.join(format!("{}.parquet", table.name()));
    match (csv.is_file(), parquet.is_file()) {
        (true, true) => Err(Error::input(
            dir,
            format!("both {0}.csv and {0}.parquet exist: keep one", table.name()),
        )),
        (true, false) => Ok(Some((csv, Format::Csv))),
        (false, true) => Ok(Some((parquet, Format::Parquet))),
        (false, false) if table.required() => Err(Error::input(
            dir,
            format!(
                "required table {0} is missing (expected {0}.csv or {0}.parquet)",
                table.name()
            ),
        )),
        (false, false) => Ok(None),
    }
}

/// Reads one table file into text cells.
pub fn read_table(path: &Path, format: Format, table: Table, config: &Config) -> Result<RawTable> {
    let bytes = std::fs::read(path).map_err(|e| Error::input(path, format!("cannot read: {e}")))?;
    let sha256 = hex(&Sha256::digest(&bytes));
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (header, rows, encoding, delimiter, problems) = match format {
        Format::Csv => {
            let (header, rows, enc, delim, problems) = read_csv(path, &bytes, config)?;
            (header, rows, Some(enc), Some(delim as char), problems)
        }
        Format::Parquet => {
            let (header, rows) = crate::read::parquet::read(path, &bytes)?;
            (header, rows, None, None, Vec::new())
        }
    };
    let columns = map_header(path, table, &header, config)?;
    let record_problems = problems
        .into_iter()
        .map(|(line, cell, value, problem)| RecordProblem {
            line,
            column: column_name(&header, &columns, cell),
            value,
            problem,
        })
        .collect();
    Ok(RawTable {
        table,
        file,
        format,
        sha256,
        encoding,
        delimiter,
        columns,
        decimal_comma: delimiter == Some(';'),
        rows,
        record_problems,
    })
}

/// The name of header cell `i` for a data issue: the spec's name when the
/// cell maps to a spec column, else the header's own text, else `column N`.
fn column_name(header: &[String], columns: &FastMap<&'static str, usize>, i: usize) -> String {
    let i = i.min(header.len().saturating_sub(1));
    match columns.iter().find(|(_, &c)| c == i) {
        Some((name, _)) => (*name).to_string(),
        None => match header.get(i) {
            Some(h) if !h.is_empty() => h.clone(),
            _ => format!("column {}", i + 1),
        },
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Header cells -> spec columns, through the config mapping. A missing
/// required column or a column given twice stops the run.
fn map_header(
    path: &Path,
    table: Table,
    header: &[String],
    config: &Config,
) -> Result<FastMap<&'static str, usize>> {
    let mapping = config.mapping(table);
    let mut columns: FastMap<&'static str, usize> = FastMap::default();
    for (i, raw) in header.iter().enumerate() {
        let name = raw.trim().to_lowercase();
        let spec_name = mapping
            .and_then(|m| m.get(&name))
            .map(String::as_str)
            .unwrap_or(&name);
        let Some(col) = table.columns().iter().find(|c| c.name == spec_name) else {
            continue; // unknown extra columns are ignored (spec 1.1)
        };
        if let Some(first) = columns.insert(col.name, i) {
            return Err(Error::input(
                path,
                format!(
                    "column {} appears twice (columns {} and {})",
                    col.name,
                    first + 1,
                    i + 1
                ),
            ));
        }
    }
    let missing: Vec<&str> = table
        .columns()
        .iter()
        .filter(|c| c.required && !columns.contains_key(c.name))
        .map(|c| c.name)
        .collect();
    if !missing.is_empty() {
        return Err(Error::input(
            path,
            format!("missing required column {}", missing.join(", ")),
        ));
    }
    Ok(columns)
}

fn decode<'b>(
    path: &Path,
    bytes: &'b [u8],
    config: &Config,
) -> Result<(std::borrow::Cow<'b, str>, &'static str)> {
    let forced = match &config.input.encoding {
        Some(label) => Some(encoding_for_label(label).map_err(|m| Error::input(path, m))?),
        None => None,
    };
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF");
    let utf8 = forced.is_none_or(|e| e == UTF_8);
    if utf8 {
        let text = body.unwrap_or(bytes);
        match std::str::from_utf8(text) {
            Ok(s) => return Ok((s.into(), "utf-8")),
            Err(e) if forced.is_some() || body.is_some() => {
                let line = 1 + text[..e.valid_up_to()]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count();
                return Err(Error::input(
                    path,
                    format!("not valid UTF-8 (first bad byte on physical line {line}); set [input] encoding = \"windows-1252\" if it is"),
                ));
            }
            Err(_) => {} // not UTF-8 and not forced: Windows-1252
        }
    }
    // Windows-1252 maps every byte, so decoding cannot fail.
    let (text, _) = WINDOWS_1252.decode_without_bom_handling(bytes);
    Ok((text, "windows-1252"))
}

fn detect_delimiter(text: &str) -> u8 {
    let header = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let (mut semis, mut commas, mut quoted) = (0, 0, false);
    for c in header.chars() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => semis += 1,
            ',' if !quoted => commas += 1,
            _ => {}
        }
    }
    if semis > commas {
        b';'
    } else {
        b','
    }
}

/// A record problem found while splitting: line, header cell index, value,
/// problem.
type Problem = (u64, usize, String, String);

type Parsed = (Vec<String>, Vec<RawRow>, &'static str, u8, Vec<Problem>);

fn read_csv(path: &Path, bytes: &[u8], config: &Config) -> Result<Parsed> {
    let (text, encoding) = decode(path, bytes, config)?;
    let delimiter = match &config.input.delimiter {
        Some(d) => delimiter_for(d).map_err(|m| Error::input(path, m))?,
        None => detect_delimiter(&text),
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut header: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut line = 1u64;
    // Where the last record starts, to find a quote that is never closed.
    let mut last_start = 0u64;
    for record in reader.records() {
        let cells = record.map_err(|e| Error::input(path, format!("cannot parse CSV: {e}")))?;
        // A line of only blanks or delimiters is a blank line, not a record.
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        last_start = cells.position().map_or(0, |p| p.byte());
        match &header {
            None => header = Some(cells.iter().map(|c| c.trim().to_string()).collect()),
            Some(h) => {
                line += 1;
                record_problems(h, &cells, delimiter, line, &mut problems);
                rows.push(RawRow { line, cells });
            }
        }
    }
    let header = header.ok_or_else(|| Error::input(path, "empty file: no header line"))?;
    let rest = text
        .as_bytes()
        .get(last_start as usize..)
        .unwrap_or_default();
    if let Some(cell) = open_quote(rest, delimiter) {
        let Some(row) = rows.last() else {
            return Err(Error::input(
                path,
                "a quote in the header line is never closed: the rest of the file is one header cell",
            ));
        };
        let value = row.cells.get(cell).unwrap_or_default();
        let more = value.lines().count().saturating_sub(1);
        let first = value.lines().next().unwrap_or_default().trim().to_string();
        problems.push((
            row.line,
            cell,
            first,
            format!("a quote opened in this cell is never closed: the rest of the file ({more} more physical lines) was read into it"),
        ));
    }
    Ok((header, rows, encoding, delimiter, problems))
}

/// Record problems that the csv reader lets through: cells beyond the
/// header's (a value with an unquoted delimiter shifts the rest of its row),
/// and the header line repeated (two exports pasted together). Trailing
/// empty cells beyond the header are harmless and allowed; a short row
/// leaves its last columns empty (some exporters drop trailing empty cells).
fn record_problems(
    header: &[String],
    cells: &csv::StringRecord,
    delimiter: u8,
    line: u64,
    problems: &mut Vec<Problem>,
) {
    if cells.len() > header.len()
        && cells
            .iter()
            .skip(header.len())
            .any(|c| !c.trim().is_empty())
    {
        let extra: Vec<&str> = cells.iter().skip(header.len()).collect();
        problems.push((
            line,
            header.len().saturating_sub(1),
            extra.join(&(delimiter as char).to_string()),
            format!(
                "{} cells where the header has {}: a value may hold an unquoted delimiter",
                cells.len(),
                header.len()
            ),
        ));
    }
    if cells.len() >= header.len()
        && header
            .iter()
            .zip(cells.iter())
            .all(|(h, c)| h.eq_ignore_ascii_case(c.trim()))
    {
        problems.push((
            line,
            0,
            cells.get(0).unwrap_or_default().trim().to_string(),
            "the header line again (two exports pasted together?)".to_string(),
        ));
    }
}

/// The cell index at which a record starting at `rest` ends the input inside
/// a quoted cell, if it does. The csv reader reads the rest of the file into
/// such a cell without an error, so rows after it would vanish unseen. This
/// follows the csv reader's rules: a quote opens a quoted cell only at the
/// start of a cell, `""` inside is a quote, and the first unquoted line end
/// ends the record.
fn open_quote(rest: &[u8], delimiter: u8) -> Option<usize> {
    let (mut cell, mut at_start, mut quoted) = (0usize, true, false);
    let mut bytes = rest.iter().copied().peekable();
    while let Some(b) = bytes.next() {
        if quoted {
            if b == b'"' {
                if bytes.peek() == Some(&b'"') {
                    bytes.next();
                } else {
                    quoted = false;
                }
            }
        } else if b == delimiter {
            cell += 1;
            at_start = true;
        } else if b == b'\n' || b == b'\r' {
            return None;
        } else {
            quoted = at_start && b == b'"';
            at_start = false;
        }
    }
    quoted.then_some(cell)
}
