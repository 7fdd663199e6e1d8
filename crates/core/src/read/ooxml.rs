//! The parts of an `.xlsx` workbook that reading its first worksheet as a
//! table needs, and that worksheet's cells as the text a CSV export would
//! hold: our own reader, because calamine's cell pass alone took 3.7 times
//! as long as reading the CSV twin (issue 15).
//!
//! It follows calamine 0.38's decisions, so a workbook reads as it did:
//! the first `<sheet>` of `workbook.xml` is the worksheet, shared strings
//! are the `<t>` runs of each `<si>` without phonetic runs, a style is a
//! date when its number format is (built-in ids, or a custom code with a
//! date or time token outside quotes, escapes and brackets), `[h]:mm`
//! formats are durations (written as the number), and `_xHHHH_` escapes in
//! strings are resolved.
//!
//! Where calamine stopped, it reads on or says why: a formula error it did
//! not know (`#SPILL!`) is a formula error like `#N/A`, an element in a
//! cell other than a value, formula or inline string is skipped, a
//! `t="n"` cell whose value is not a number is its text (as without `t`);
//! a cell reference beyond Excel's last row or column is an error (not a
//! table of millions of empty columns).

use std::io::{Cursor, Read};
use std::panic::{catch_unwind, AssertUnwindSafe};

use zip::read::ZipFile;
use zip::ZipArchive;

use crate::fast::FastMap;
use crate::read::xml::{self, attr, local, Token, Xml, XmlResult};

/// The last row and column a worksheet can have (Excel's limits): a cell
/// reference beyond them is not a workbook's.
const MAX_ROWS: u32 = 1_048_576;
const MAX_COLS: u32 = 16_384;

/// What a cell style's number format makes of a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NumFormat {
    /// A number.
    Other,
    /// A date, a time or both.
    DateTime,
    /// Elapsed time (`[h]:mm`): not a date.
    Duration,
}

/// The zip archive of a workbook, with its part names found without regard
/// to case, as Excel finds them.
pub(crate) struct Package<'b> {
    zip: ZipArchive<Cursor<&'b [u8]>>,
    /// Lower-cased name with `/` separators -> the name in the archive.
    names: FastMap<String, String>,
}

/// A part of the workbook, as it is inflated.
pub(crate) type Part<'z, 'b> = Xml<ZipFile<'z, Cursor<&'b [u8]>>>;

/// What the worksheet's cells are read with.
#[derive(Debug, Default)]
pub(crate) struct Workbook {
    /// The first sheet's name.
    pub(crate) sheet: String,
    /// Its part's name in the archive.
    sheet_part: String,
    /// Dates count from 1904-01-01 (old Mac workbooks).
    date1904: bool,
    /// The shared strings, by index.
    strings: Vec<String>,
    /// The number format of each cell style (`s`), by index.
    formats: Vec<NumFormat>,
}

/// Runs `f`, a call into the zip crate, turning a panic (a corrupt archive
/// can reach an assertion) into an error.
fn guarded<T>(f: impl FnOnce() -> XmlResult<T>) -> XmlResult<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| Err("corrupt file".to_string()))
}

impl<'b> Package<'b> {
    /// The archive in `bytes`.
    pub(crate) fn open(bytes: &'b [u8]) -> XmlResult<Package<'b>> {
        guarded(|| {
            let zip = ZipArchive::new(Cursor::new(bytes))
                .map_err(|e| format!("not a readable workbook: {e}"))?;
            let mut names = FastMap::default();
            for name in zip.file_names() {
                let name = name.map_err(|e| format!("not a readable workbook: {e}"))?;
                names.insert(
                    name.replace('\\', "/").to_ascii_lowercase(),
                    name.into_owned(),
                );
            }
            Ok(Package { zip, names })
        })
    }

    /// The part `path`, or `None` when the archive has no such part.
    fn part(&mut self, path: &str) -> XmlResult<Option<Part<'_, 'b>>> {
        let Some(name) = self.names.get(&path.to_ascii_lowercase()) else {
            return Ok(None);
        };
        let zip = &mut self.zip;
        guarded(|| match zip.by_name(name) {
            Ok(file) => Ok(Some(Xml::new(file))),
            Err(e) => Err(format!("{path}: {e}")),
        })
    }

    /// What reading the first worksheet needs: where it is, its name, the
    /// date system, the shared strings and the cell styles.
    pub(crate) fn workbook(&mut self) -> XmlResult<Workbook> {
        let (dir, file) = self.office_document()?;
        let rels_path = format!("{dir}_rels/{file}.rels");
        let rels = match self.part(&rels_path)? {
            Some(mut xml) => relationships(&mut xml).map_err(|e| format!("{rels_path}: {e}"))?,
            None => return Err(format!("the workbook has no {rels_path}")),
        };
        let book_path = format!("{dir}{file}");
        let mut book = match self.part(&book_path)? {
            Some(mut xml) => {
                first_sheet(&mut xml, &rels, &dir).map_err(|e| format!("{book_path}: {e}"))?
            }
            None => return Err(format!("the workbook has no {book_path}")),
        };
        let strings_path = format!("{dir}sharedStrings.xml");
        if let Some(mut xml) = self.part(&strings_path)? {
            book.strings = shared_strings(&mut xml).map_err(|e| format!("{strings_path}: {e}"))?;
        }
        let styles_path = format!("{dir}styles.xml");
        if let Some(mut xml) = self.part(&styles_path)? {
            book.formats = cell_formats(&mut xml).map_err(|e| format!("{styles_path}: {e}"))?;
        }
        Ok(book)
    }

    /// The workbook part's folder (with its `/`) and file name, from the
    /// package relationships (`xl/` and `workbook.xml` without them).
    fn office_document(&mut self) -> XmlResult<(String, String)> {
        let target = match self.part("_rels/.rels")? {
            Some(mut xml) => office_document(&mut xml).map_err(|e| format!("_rels/.rels: {e}"))?,
            None => None,
        };
        let target = target.unwrap_or_else(|| "xl/workbook.xml".to_string());
        let target = target.strip_prefix('/').unwrap_or(&target);
        Ok(match target.rfind('/') {
            Some(i) => (target[..=i].to_string(), target[i + 1..].to_string()),
            None => (String::new(), target.to_string()),
        })
    }

    /// The cells of the workbook's first worksheet.
    pub(crate) fn cells<'p>(&'p mut self, book: &'p Workbook) -> XmlResult<Cells<'p, 'b>> {
        match self.part(&book.sheet_part)? {
            Some(xml) => Ok(Cells::new(xml, book)),
            None => Err(format!("the workbook has no {}", book.sheet_part)),
        }
    }
}

/// The `Target` of the package's officeDocument relationship.
fn office_document<R: Read>(xml: &mut Xml<R>) -> XmlResult<Option<String>> {
    loop {
        match xml.next()? {
            Token::Start { name, attrs, .. } if local(name) == b"Relationship" => {
                let is_doc = attr(attrs, b"Type")?
                    .is_some_and(|t| t.ends_with(b"/relationships/officeDocument"));
                if let (true, Some(target)) = (is_doc, attr(attrs, b"Target")?) {
                    return xml::decode_attr(target).map(Some);
                }
            }
            Token::Eof => return Ok(None),
            _ => {}
        }
    }
}

/// A relationships part: `Id` -> `Target`.
fn relationships<R: Read>(xml: &mut Xml<R>) -> XmlResult<FastMap<String, String>> {
    let mut rels = FastMap::default();
    loop {
        match xml.next()? {
            Token::Start { name, attrs, .. } if local(name) == b"Relationship" => {
                if let Some(id) = attr(attrs, b"Id")? {
                    let target = attr(attrs, b"Target")?.unwrap_or_default();
                    rels.insert(xml::decode_attr(id)?, xml::decode_attr(target)?);
                }
            }
            Token::Eof => return Ok(rels),
            _ => {}
        }
    }
}

/// The workbook part: its first sheet and the date system.
fn first_sheet<R: Read>(
    xml: &mut Xml<R>,
    rels: &FastMap<String, String>,
    dir: &str,
) -> XmlResult<Workbook> {
    let mut book = Workbook::default();
    let mut found = false;
    loop {
        match xml.next()? {
            Token::Start { name, attrs, .. } if !found && local(name) == b"sheet" => {
                let mut id = None;
                for a in xml::attrs(attrs) {
                    let (key, value) = a?;
                    if key == b"name" {
                        book.sheet = xml::decode_attr(value)?;
                    } else if local(key) == b"id" {
                        id = Some(xml::decode_attr(value)?);
                    }
                }
                let target = id
                    .and_then(|id| rels.get(&id))
                    .ok_or_else(|| format!("sheet {:?} has no relationship", book.sheet))?;
                book.sheet_part = match target.strip_prefix('/') {
                    Some(absolute) => absolute.to_string(),
                    None => format!("{dir}{target}"),
                };
                found = true;
            }
            // `x15:workbookPr` in an extension shares the name, without
            // the attribute.
            Token::Start { name, attrs, .. } if local(name) == b"workbookPr" => {
                if let Some(v) = attr(attrs, b"date1904")? {
                    book.date1904 = v == b"1" || v == b"true";
                }
            }
            Token::Eof if found => return Ok(book),
            Token::Eof => return Err("the workbook has no worksheet".to_string()),
            _ => {}
        }
    }
}

/// The shared strings table.
fn shared_strings<R: Read>(xml: &mut Xml<R>) -> XmlResult<Vec<String>> {
    let mut strings = Vec::new();
    let mut scratch = String::new();
    loop {
        match xml.next()? {
            Token::Start { name, attrs, empty } => match local(name) {
                b"sst" => {
                    // As many as it says, within reason (a corrupt count
                    // must not reserve gigabytes).
                    if let Some(n) = attr(attrs, b"uniqueCount")? {
                        let n: usize = xml::utf8(n)?.parse().unwrap_or(0);
                        strings.reserve(n.min(1 << 20));
                    }
                }
                b"si" => {
                    let mut s = String::new();
                    rich_text(xml, empty, &mut s, &mut scratch)?;
                    strings.push(s);
                }
                _ => {}
            },
            Token::Eof => return Ok(strings),
            _ => {}
        }
    }
}

/// The text of an `<si>` or `<is>` element whose start tag was just read:
/// its `<t>` runs (rich text has one a `<r>`), without the phonetic
/// reading runs (`<rPh>`), `_xHHHH_` escapes resolved.
fn rich_text<R: Read>(
    xml: &mut Xml<R>,
    empty: bool,
    out: &mut String,
    scratch: &mut String,
) -> XmlResult<()> {
    out.clear();
    if empty {
        return Ok(());
    }
    let mut depth = 0usize;
    loop {
        match xml.next()? {
            Token::Start { name, attrs, empty } => match local(name) {
                b"t" => {
                    // Runs without `xml:space="preserve"` lose the white
                    // space at their ends, as in calamine.
                    let preserve = attr(attrs, b"xml:space")? == Some(b"preserve");
                    xml.text_into(empty, scratch)?;
                    let text = if preserve {
                        scratch.as_str()
                    } else {
                        scratch.trim_matches([' ', '\t', '\r', '\n'])
                    };
                    unescape_x(text, out);
                }
                _ if empty => {}
                b"rPh" => xml.skip_element()?,
                _ => depth += 1,
            },
            Token::End { .. } if depth == 0 => return Ok(()),
            Token::End { .. } => depth -= 1,
            Token::Eof => return Err("the XML ends inside a string".to_string()),
            _ => {}
        }
    }
}

/// The number format of each cell style: `<cellXfs>`' `<xf numFmtId>`,
/// with the custom codes of `<numFmts>`.
fn cell_formats<R: Read>(xml: &mut Xml<R>) -> XmlResult<Vec<NumFormat>> {
    let mut custom: FastMap<Vec<u8>, NumFormat> = FastMap::default();
    let mut formats = Vec::new();
    let mut in_cell_xfs = false;
    loop {
        match xml.next()? {
            Token::Start { name, attrs, empty } => match local(name) {
                b"numFmt" => {
                    if let (Some(id), Some(code)) =
                        (attr(attrs, b"numFmtId")?, attr(attrs, b"formatCode")?)
                    {
                        let code = xml::decode_attr(code)?;
                        custom.insert(id.to_vec(), custom_format(&code));
                    }
                }
                b"cellXfs" => in_cell_xfs = !empty,
                b"xf" if in_cell_xfs => {
                    formats.push(match attr(attrs, b"numFmtId")? {
                        Some(id) => custom
                            .get(id)
                            .copied()
                            .unwrap_or_else(|| builtin_format(id)),
                        None => NumFormat::Other,
                    });
                }
                _ => {}
            },
            Token::End { name } if local(name) == b"cellXfs" => in_cell_xfs = false,
            Token::Eof => return Ok(formats),
            _ => {}
        }
    }
}

/// A built-in number format by its id (ECMA-376 18.8.30, and the East
/// Asian locale formats 27-36 and 50-58, which are dates too).
fn builtin_format(id: &[u8]) -> NumFormat {
    match std::str::from_utf8(id)
        .ok()
        .and_then(|s| s.parse::<u16>().ok())
    {
        // Only the id as Excel writes it: calamine matches the text.
        Some(n) if n.to_string().as_bytes() == id => match n {
            14..=22 | 27..=36 | 45 | 47 | 50..=58 => NumFormat::DateTime,
            46 => NumFormat::Duration,
            _ => NumFormat::Other,
        },
        _ => NumFormat::Other,
    }
}

/// What a custom number format code makes of a number: a date when its
/// first section has a date or time token (`d m y h s`, or `AM/PM`)
/// outside quoted text, `\`, `_` and `*` escapes and `[...]` brackets; a
/// duration when it has `[h]`, `[mm]` or `[ss]`. Calamine's rules, so a
/// workbook reads as it did.
pub(crate) fn custom_format(code: &str) -> NumFormat {
    let mut escaped = false;
    let mut quoted = false;
    let mut brackets = 0u8;
    let mut prev = ' ';
    let mut hms = false;
    let mut ap = false;
    for c in code.chars() {
        match (c, escaped, quoted, ap, brackets) {
            (_, true, ..) => escaped = false,
            ('_' | '\\' | '*', ..) => escaped = true,
            ('"', _, true, _, _) => quoted = false,
            (_, _, true, _, _) => (),
            ('"', ..) => quoted = true,
            (';', ..) => return NumFormat::Other,
            ('[', ..) => brackets = brackets.saturating_add(1),
            (']', .., 1) if hms => return NumFormat::Duration,
            (']', ..) => brackets = brackets.saturating_sub(1),
            ('a' | 'A', _, _, false, 0) => ap = true,
            ('p' | 'm' | '/' | 'P' | 'M', _, _, true, 0) => return NumFormat::DateTime,
            ('d' | 'm' | 'h' | 'y' | 's' | 'D' | 'M' | 'H' | 'Y' | 'S', _, _, false, 0) => {
                return NumFormat::DateTime
            }
            _ => {
                if !(hms && c.eq_ignore_ascii_case(&prev)) {
                    hms = prev == '[' && matches!(c, 'm' | 'h' | 's' | 'M' | 'H' | 'S');
                }
            }
        }
        prev = c;
    }
    NumFormat::Other
}

/// Appends `s` to `out` with Excel's `_xHHHH_` escapes (a UTF-16 code
/// unit each; `_x000D_` is a carriage return) resolved.
pub(crate) fn unescape_x(s: &str, out: &mut String) {
    let unit = |at: usize| -> Option<u16> {
        let b = s.as_bytes().get(at..at + 7)?;
        if b[0] != b'_' || b[1] != b'x' || b[6] != b'_' {
            return None;
        }
        let hex = std::str::from_utf8(&b[2..6]).ok()?;
        if !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        u16::from_str_radix(hex, 16).ok()
    };
    let mut copied = 0;
    let mut at = 0;
    while let Some(k) = s.get(at..).and_then(|rest| rest.find("_x")) {
        let i = at + k;
        let Some(u) = unit(i) else {
            at = i + 1;
            continue;
        };
        out.push_str(&s[copied..i]);
        let mut next = i + 7;
        let c = match u {
            0xD800..=0xDBFF => match unit(next) {
                Some(low @ 0xDC00..=0xDFFF) => {
                    next += 7;
                    char::from_u32(
                        0x10000 + ((u32::from(u) - 0xD800) << 10) + (u32::from(low) - 0xDC00),
                    )
                }
                _ => None,
            },
            _ => char::from_u32(u32::from(u)),
        };
        out.push(c.unwrap_or(char::REPLACEMENT_CHARACTER));
        copied = next;
        at = next;
    }
    out.push_str(&s[copied..]);
}

/// A merged range, rows and columns from 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Merge {
    pub(crate) start: (u32, u32),
    pub(crate) end: (u32, u32),
}

/// A cell's value as text.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Value<'a> {
    /// No value.
    Empty,
    /// The text a CSV export would hold.
    Text(&'a str),
    /// A formula error (`#N/A`).
    Error(&'a str),
}

/// A cell of the worksheet, rows and columns from 0.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Cell<'a> {
    pub(crate) row: u32,
    pub(crate) col: u32,
    pub(crate) value: Value<'a>,
}

/// The `t` of a cell.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CellType {
    Number,
    Shared,
    Str,
    Inline,
    Bool,
    Error,
    Date,
    /// One no workbook has: an error if the cell has a value.
    Unknown,
}

/// What a cell's value was converted into.
enum Held {
    Empty,
    Shared(usize),
    Static(&'static str),
    /// In `Cells::text`.
    Text,
    /// In `Cells::text`.
    Error,
}

/// Where the reader is in the worksheet.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    BeforeData,
    InData,
    Done,
}

/// The cells of a worksheet in the order the sheet holds them, then the
/// merged ranges that follow them.
pub(crate) struct Cells<'p, 'b> {
    xml: Part<'p, 'b>,
    book: &'p Workbook,
    stage: Stage,
    /// Where a row or cell without a reference goes.
    row: u32,
    col: u32,
    /// A cell's `<v>` as read, and its text once converted.
    raw: String,
    text: String,
    merges: Vec<Merge>,
}

impl<'p, 'b> Cells<'p, 'b> {
    fn new(xml: Part<'p, 'b>, book: &'p Workbook) -> Cells<'p, 'b> {
        Cells {
            xml,
            book,
            stage: Stage::BeforeData,
            row: 0,
            col: 0,
            raw: String::new(),
            text: String::new(),
            merges: Vec::new(),
        }
    }

    /// The next cell, or `None` after the last.
    pub(crate) fn next_cell(&mut self) -> XmlResult<Option<Cell<'_>>> {
        match self.next_held(true)? {
            None => Ok(None),
            Some((row, col, held)) => {
                let value = match held {
                    Held::Empty => Value::Empty,
                    Held::Shared(i) => {
                        Value::Text(self.book.strings.get(i).map_or("", String::as_str))
                    }
                    Held::Static(s) => Value::Text(s),
                    Held::Text => Value::Text(&self.text),
                    Held::Error => Value::Error(&self.text),
                };
                Ok(Some(Cell { row, col, value }))
            }
        }
    }

    /// The merged ranges: reads the rest of the sheet (without converting
    /// its cells) to reach them.
    pub(crate) fn merges(&mut self) -> XmlResult<&[Merge]> {
        while self.next_held(false)?.is_some() {}
        Ok(&self.merges)
    }

    /// The next cell's position and value (converted only when `convert`).
    fn next_held(&mut self, convert: bool) -> XmlResult<Option<(u32, u32, Held)>> {
        if self.stage == Stage::BeforeData {
            self.find_data()?;
        }
        while self.stage == Stage::InData {
            // Nearly every cell has one shape, read straight from the bytes
            // (twice as fast as through the tokens).
            if let Some(cell) = fast_cell(self.xml.peek(FAST_CELL)?) {
                let (row, col) = place(self.row, &mut self.col, cell.r)?;
                let (style, typ) = style_and_type(cell.s, cell.t);
                let held = match cell.v {
                    Some(v) if convert && typ != CellType::Inline => {
                        convert_value(v, style, typ, self.book, &mut self.text)?
                    }
                    _ => Held::Empty,
                };
                let len = cell.len;
                self.xml.take(len);
                return Ok(Some((row, col, held)));
            }
            match self.xml.next()? {
                Token::Start { name, attrs, empty } => match local(name) {
                    b"row" => {
                        if let Some(r) = attr(attrs, b"r")? {
                            self.row = row_number(r)?;
                        }
                        if empty {
                            self.end_row();
                        }
                    }
                    b"c" => {
                        let (mut r, mut s, mut t) = (None, None, None);
                        for a in xml::attrs(attrs) {
                            match a? {
                                (b"r", v) => r = Some(v),
                                (b"s", v) => s = Some(v),
                                (b"t", v) => t = Some(v),
                                _ => {}
                            }
                        }
                        let (row, col) = place(self.row, &mut self.col, r)?;
                        let (style, typ) = style_and_type(s, t);
                        let held = if empty {
                            Held::Empty
                        } else if convert {
                            self.value(style, typ)?
                        } else {
                            self.xml.skip_element()?;
                            Held::Empty
                        };
                        return Ok(Some((row, col, held)));
                    }
                    _ => {}
                },
                Token::End { name } => match local(name) {
                    b"row" => self.end_row(),
                    b"sheetData" => self.after_data()?,
                    _ => {}
                },
                Token::Eof => return Err("the XML ends inside the cells".to_string()),
                _ => {}
            }
        }
        Ok(None)
    }

    fn end_row(&mut self) {
        self.row = self.row.saturating_add(1);
        self.col = 0;
    }

    /// Reads up to the cells (`<sheetData>`).
    fn find_data(&mut self) -> XmlResult<()> {
        loop {
            match self.xml.next()? {
                Token::Start { name, empty, .. } if local(name) == b"sheetData" => {
                    self.stage = Stage::InData;
                    if empty {
                        self.after_data()?;
                    }
                    return Ok(());
                }
                Token::Eof => return Err("not a worksheet (no cells part)".to_string()),
                _ => {}
            }
        }
    }

    /// Reads what follows the cells: the merged ranges.
    fn after_data(&mut self) -> XmlResult<()> {
        self.stage = Stage::Done;
        loop {
            match self.xml.next()? {
                Token::Start { name, attrs, .. } if local(name) == b"mergeCell" => {
                    if let Some(r) = attr(attrs, b"ref")? {
                        self.merges.push(range(r)?);
                    }
                }
                Token::Eof => return Ok(()),
                _ => {}
            }
        }
    }

    /// The value of the cell whose start tag was just read: its `<v>`
    /// (the cached value of a formula; the formula itself is skipped) or
    /// inline `<is>` string.
    fn value(&mut self, style: Option<usize>, typ: CellType) -> XmlResult<Held> {
        let mut held = Held::Empty;
        loop {
            match self.xml.next()? {
                Token::Start { name, empty, .. } => match local(name) {
                    b"v" if typ == CellType::Inline => {
                        if !empty {
                            self.xml.skip_element()?;
                        }
                        held = Held::Empty;
                    }
                    b"v" => {
                        let raw = self.xml.text(empty, &mut self.raw)?;
                        held = convert_value(raw, style, typ, self.book, &mut self.text)?;
                    }
                    b"is" => {
                        let mut scratch = String::new();
                        rich_text(&mut self.xml, empty, &mut self.text, &mut scratch)?;
                        held = Held::Text;
                    }
                    _ if empty => held = Held::Empty,
                    _ => {
                        self.xml.skip_element()?;
                        held = Held::Empty;
                    }
                },
                Token::End { .. } => return Ok(held),
                Token::Eof => return Err("the XML ends inside a cell".to_string()),
                _ => {}
            }
        }
    }
}

/// Converts the `<v>` of a cell of type `typ` and style `style`, `raw`,
/// into a value (text into `text`).
fn convert_value(
    raw: &[u8],
    style: Option<usize>,
    typ: CellType,
    book: &Workbook,
    text: &mut String,
) -> XmlResult<Held> {
    text.clear();
    Ok(match typ {
        CellType::Shared if raw.is_empty() => Held::Empty,
        CellType::Shared => {
            // An index that is not a number is string 0, as in calamine.
            let i = parse_usize(raw).unwrap_or(0);
            if i >= book.strings.len() {
                return Err(format!("shared string {i} does not exist"));
            }
            Held::Shared(i)
        }
        CellType::Bool => match xml::utf8(raw)?.trim() {
            "" => Held::Empty,
            "0" => Held::Static("false"),
            "1" => Held::Static("true"),
            b if b.eq_ignore_ascii_case("false") => Held::Static("false"),
            b if b.eq_ignore_ascii_case("true") => Held::Static("true"),
            b => return Err(format!("a boolean cell holding {b:?}")),
        },
        CellType::Error if raw.is_empty() => Held::Empty,
        CellType::Error => {
            text.push_str(xml::utf8(raw)?);
            Held::Error
        }
        CellType::Date => {
            text.push_str(xml::utf8(raw)?);
            Held::Text
        }
        CellType::Str => {
            unescape_x(xml::utf8(raw)?, text);
            Held::Text
        }
        CellType::Inline => Held::Empty,
        CellType::Number if raw.is_empty() => Held::Empty,
        CellType::Number => {
            let raw = xml::utf8(raw)?;
            let format = match style {
                Some(s) => book.formats.get(s).copied().unwrap_or(NumFormat::Other),
                None => NumFormat::Other,
            };
            if format == NumFormat::Other && is_plain_integer(raw) {
                // Its shortest form is itself: no parse, no format.
                text.push_str(raw);
                return Ok(Held::Text);
            }
            match raw.parse::<f64>() {
                Ok(f) if format == NumFormat::DateTime => date_text(f, book.date1904, text),
                Ok(f) => number(f, text),
                Err(_) => text.push_str(raw),
            }
            Held::Text
        }
        CellType::Unknown => return Err("a cell of an unknown type (`t`)".to_string()),
    })
}

/// The bytes [`fast_cell`] wants in the buffer: more than a cell of that
/// shape takes.
const FAST_CELL: usize = 512;

/// A cell read by [`fast_cell`]: its length in bytes, its `r`, `s` and `t`
/// and its `<v>` (`None` without one).
struct FastCell<'a> {
    len: usize,
    r: Option<&'a [u8]>,
    s: Option<&'a [u8]>,
    t: Option<&'a [u8]>,
    v: Option<&'a [u8]>,
}

/// The cell at the head of `data` when it has the shape nearly every
/// writer gives a cell: `<c` with attributes `name="value"` (no white
/// space but one space before each, no `>` or references in values), then
/// `/>`, or `>` and `</c>`, or `><v>value</v></c>` with a value without
/// references or carriage returns. `None` for anything else, which the
/// tokenizer reads.
fn fast_cell(data: &[u8]) -> Option<FastCell<'_>> {
    let mut cell = FastCell {
        len: 0,
        r: None,
        s: None,
        t: None,
        v: None,
    };
    let mut i = 2;
    if data.get(..2)? != b"<c" {
        return None;
    }
    loop {
        match *data.get(i)? {
            b' ' => {
                let name = i + 1;
                let eq = name + data.get(name..)?.iter().position(|&b| b == b'=')?;
                let key = data.get(name..eq)?;
                if data.get(eq + 1) != Some(&b'"') {
                    return None;
                }
                let start = eq + 2;
                let len = data.get(start..)?.iter().position(|&b| b == b'"')?;
                let value = data.get(start..start + len)?;
                if value.iter().any(|&b| b == b'&' || b == b'<' || b == b'>') {
                    return None;
                }
                match key {
                    b"r" => cell.r = Some(value),
                    b"s" => cell.s = Some(value),
                    b"t" => cell.t = Some(value),
                    _ if key.iter().any(|&b| !b.is_ascii_alphanumeric() && b != b':') => {
                        return None
                    }
                    _ => {}
                }
                i = start + len + 1;
            }
            b'/' => {
                if data.get(i + 1) != Some(&b'>') {
                    return None;
                }
                cell.len = i + 2;
                return Some(cell);
            }
            b'>' => {
                i += 1;
                break;
            }
            _ => return None,
        }
    }
    let rest = data.get(i..)?;
    if rest.starts_with(b"</c>") {
        cell.len = i + 4;
        return Some(cell);
    }
    let value = rest.strip_prefix(b"<v>")?;
    let len = value.iter().position(|&b| b == b'<')?;
    let v = &value[..len];
    if !value[len..].starts_with(b"</v></c>") || v.iter().any(|&b| b == b'&' || b == b'\r') {
        return None;
    }
    cell.v = Some(v);
    cell.len = i + 3 + len + 8;
    Some(cell)
}

/// A cell's position: its `r`, else the column after the last cell's in
/// row `row`; `col` becomes the column after it.
fn place(row: u32, col: &mut u32, r: Option<&[u8]>) -> XmlResult<(u32, u32)> {
    let (row, at) = match r {
        Some(r) => cell_ref(r)?,
        None => (row, *col),
    };
    if row >= MAX_ROWS || at >= MAX_COLS {
        return Err(format!(
            "a cell beyond the last row or column (row {}, column {})",
            u64::from(row) + 1,
            u64::from(at) + 1
        ));
    }
    *col = at + 1;
    Ok((row, at))
}

/// A cell's style index (0 when `s` is not a number, as in calamine) and
/// type.
fn style_and_type(s: Option<&[u8]>, t: Option<&[u8]>) -> (Option<usize>, CellType) {
    (
        s.map(|s| parse_usize(s).unwrap_or(0)),
        t.map_or(CellType::Number, cell_type),
    )
}

/// A cell's `t`. A missing or unknown one is read as calamine reads it:
/// no `t` is a number (text when it is not one), an unknown one an error.
fn cell_type(t: &[u8]) -> CellType {
    match t {
        b"n" => CellType::Number,
        b"s" => CellType::Shared,
        b"str" => CellType::Str,
        b"inlineStr" | b"is" => CellType::Inline,
        b"b" => CellType::Bool,
        b"e" => CellType::Error,
        b"d" => CellType::Date,
        _ => CellType::Unknown,
    }
}

/// Decimal digits as a number, `None` when they are not (or overflow).
fn parse_usize(b: &[u8]) -> Option<usize> {
    if b.is_empty() || b.len() > 18 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0, |n, &d| n * 10 + usize::from(d - b'0')))
}

/// Whether `s` is an integer written as its shortest form: digits without
/// a leading zero, a `-` perhaps, few enough to be exact in an f64.
fn is_plain_integer(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s).as_bytes();
    match digits {
        [] => false,
        [b'0'] => digits.len() == s.len(),
        [b'0', ..] => false,
        _ => digits.len() <= 15 && digits.iter().all(u8::is_ascii_digit),
    }
}

/// A row number (`<row r="7">`), from 0.
fn row_number(r: &[u8]) -> XmlResult<u32> {
    match parse_usize(r) {
        Some(n) if (1..=MAX_ROWS as usize).contains(&n) => Ok(n as u32 - 1),
        _ => Err(format!("a bad row number {:?}", String::from_utf8_lossy(r))),
    }
}

/// An `A1` cell reference as (row, column) from 0.
fn cell_ref(r: &[u8]) -> XmlResult<(u32, u32)> {
    let bad = || format!("a bad cell reference {:?}", String::from_utf8_lossy(r));
    let letters = r.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    if letters == 0 || letters > 3 {
        return Err(bad());
    }
    let col = r[..letters].iter().fold(0u32, |c, b| {
        c * 26 + u32::from(b.to_ascii_uppercase() - b'A') + 1
    });
    let row = row_number(&r[letters..]).map_err(|_| bad())?;
    if col > MAX_COLS {
        return Err(bad());
    }
    Ok((row, col - 1))
}

/// A range `A1:C3` (or one cell `A1`).
fn range(r: &[u8]) -> XmlResult<Merge> {
    let (start, end) = match memchr::memchr(b':', r) {
        Some(k) => (cell_ref(&r[..k])?, cell_ref(&r[k + 1..])?),
        None => {
            let one = cell_ref(r)?;
            (one, one)
        }
    };
    Ok(Merge { start, end })
}

/// A number as its shortest decimal form: `12345` for 12345.0 (an id or a
/// postcode typed into a number cell), `1234.56` for 1234.56.
pub(crate) fn number(f: f64, out: &mut String) {
    use std::fmt::Write as _;
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
    while i > 0 && (n > 0 || buf.len() - i < width) {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    out.push_str(std::str::from_utf8(&buf[i..]).unwrap_or_default());
}

/// A date cell's text: `YYYY-MM-DD`, with the clock time when it has one
/// (`HH:MM:SS`, `.mmm` when the milliseconds are not 0). A time of day
/// without a date (below day 1) is not a date: it is written as the
/// number, which no date column reads.
pub(crate) fn date_text(serial: f64, date1904: bool, out: &mut String) {
    if !(1.0..2_958_466.0).contains(&serial) {
        number(serial, out);
        return;
    }
    let (y, m, day, h, min, s, ms) = ymd_hms_milli(serial, date1904);
    // By hand: a table has a date in most rows, and `write!` parses its
    // format every time.
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

/// The date and time of an Excel serial (days since the epoch, the time a
/// fraction of the day), for serials from 1: what calamine's
/// `ExcelDateTime::to_ymd_hms_milli` gives, Excel's 1900 leap day
/// (serial 60 = 1900-02-29, a day that never was) included. Clamped to
/// 9999-12-31.
pub(crate) fn ymd_hms_milli(serial: f64, date1904: bool) -> (u16, u8, u8, u8, u8, u8, u16) {
    const DAY_SECONDS: f64 = 86_400.0;
    let time = serial.fract();
    let mut milli = ((time * DAY_SECONDS).fract() * 1000.0).round() as u64;
    let mut seconds = (time * DAY_SECONDS) as u64;
    if milli == 1000 {
        seconds += 1;
        milli = 0;
    }
    // A time that rounds up to the end of the day is the next midnight.
    if seconds == DAY_SECONDS as u64 {
        return ymd_hms_milli(serial.floor() + 1.0, date1904);
    }
    let (y, m, d) = excel_day(serial.floor() as u64, date1904);
    (
        y,
        m,
        d,
        (seconds / 3600) as u8,
        (seconds % 3600 / 60) as u8,
        (seconds % 60) as u8,
        milli as u16,
    )
}

/// The date of a whole serial day.
fn excel_day(day: u64, date1904: bool) -> (u16, u8, u8) {
    // 1970-01-01 is day 25,569 of the 1900 system; the 1904 system's day
    // 0 is 24,107 days before it.
    let unix = if date1904 {
        day.min(2_957_003) as i64 - 24_107
    } else {
        match day.min(2_958_465) {
            60 => return (1900, 2, 29),
            // Before Excel's leap day, one day fewer lies between.
            d @ 0..=59 => d as i64 - 25_568,
            d => d as i64 - 25_569,
        }
    };
    civil(unix)
}

/// The proleptic Gregorian date `days` after 1970-01-01.
fn civil(days: i64) -> (u16, u8, u8) {
    let (y, m, d) = crate::parse::civil(days);
    (y as u16, m as u8, d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_date_formats() {
        use NumFormat::*;
        for (code, want) in [
            ("yyyy-mm-dd", DateTime),
            ("yyyy-mm-dd hh:mm:ss", DateTime),
            ("DD/MM/YY", DateTime),
            ("H:MM:SS;@", DateTime),
            ("m\"M\"d\"D\";@", DateTime),
            ("[$-413]d mmmm yyyy", DateTime),
            ("h AM/PM", DateTime),
            ("*-yyyy-mm-dd", DateTime),
            ("[h]:mm:ss", Duration),
            ("[mm]:ss", Duration),
            ("[Blue]\\+[h]:mm;[Red]\\-[h]:mm", Duration),
            ("0.00", Other),
            ("\"m\"0", Other),
            ("#,##0.00\\ \"EUR\"", Other),
            ("\\Y000000", Other),
            ("#,##0*y", Other),
            ("[Red]0.00", Other),
            ("[>=100][Magenta]General", Other),
            ("0;\"d\"", Other),
            ("General", Other),
        ] {
            assert_eq!(custom_format(code), want, "{code}");
        }
        assert_eq!(builtin_format(b"14"), DateTime);
        assert_eq!(builtin_format(b"22"), DateTime);
        assert_eq!(builtin_format(b"46"), Duration);
        assert_eq!(builtin_format(b"2"), Other);
        assert_eq!(builtin_format(b"014"), Other);
        assert_eq!(builtin_format(b"x"), Other);
    }

    fn date(serial: f64, date1904: bool) -> String {
        let mut s = String::new();
        date_text(serial, date1904, &mut s);
        s
    }

    #[test]
    fn serials_as_excel_reads_them() {
        assert_eq!(date(45306.0, false), "2024-01-15");
        assert_eq!(date(45306.4375, false), "2024-01-15 10:30:00");
        assert_eq!(date(45306.5000115741, false), "2024-01-15 12:00:01");
        assert_eq!(date(1.0, false), "1900-01-01");
        assert_eq!(date(59.0, false), "1900-02-28");
        assert_eq!(date(60.0, false), "1900-02-29");
        assert_eq!(date(61.0, false), "1900-03-01");
        assert_eq!(date(366.0, false), "1900-12-31");
        assert_eq!(date(2_958_465.0, false), "9999-12-31");
        assert_eq!(date(0.5, false), "0.5");
        assert_eq!(date(-3.0, false), "-3");
        assert_eq!(date(1.0, true), "1904-01-02");
        assert_eq!(date(43_844.0, true), "2024-01-15");
        assert_eq!(excel_day(0, true), (1904, 1, 1));
        assert_eq!(excel_day(0, false), (1899, 12, 31));
        // Just before midnight rounds up to the next day.
        assert_eq!(date(45_306.999_999_999, false), "2024-01-16");
        assert_eq!(date(45_306.000_5, false), "2024-01-15 00:00:43.200");
    }

    /// Every day of both date systems, and many times of day, as calamine
    /// converts them (the reader this one replaced).
    #[test]
    fn serials_match_calamine() {
        use calamine::{ExcelDateTime, ExcelDateTimeType};
        let theirs = |v: f64, d1904| {
            ExcelDateTime::new(v, ExcelDateTimeType::DateTime, d1904).to_ymd_hms_milli()
        };
        for date1904 in [false, true] {
            for day in 1..2_958_466u32 {
                let v = f64::from(day);
                assert_eq!(
                    ymd_hms_milli(v, date1904),
                    theirs(v, date1904),
                    "{v} {date1904}"
                );
            }
            let mut x = 0x2545_f491_4f6c_dd1du64;
            for _ in 0..300_000 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let v = 1.0 + (x % 2_958_465_000_000) as f64 / 1_000_000.0;
                assert_eq!(
                    ymd_hms_milli(v, date1904),
                    theirs(v, date1904),
                    "{v} {date1904}"
                );
            }
        }
    }

    #[test]
    fn numbers_have_no_trailing_zero() {
        let text = |f| {
            let mut s = String::new();
            number(f, &mut s);
            s
        };
        assert_eq!(text(12345.0), "12345");
        assert_eq!(text(1234.56), "1234.56");
        assert_eq!(text(-0.0), "0");
        assert_eq!(text(1e21), "1000000000000000000000");
        for s in ["0", "7", "-12", "123456789012345"] {
            assert!(is_plain_integer(s), "{s}");
            assert_eq!(text(s.parse().unwrap()), s);
        }
        for s in ["", "-", "-0", "007", "+1", "1.5", "1e3", "1234567890123456"] {
            assert!(!is_plain_integer(s), "{s}");
        }
    }

    #[test]
    fn excel_escapes() {
        let un = |s: &str| {
            let mut out = String::new();
            unescape_x(s, &mut out);
            out
        };
        assert_eq!(un("a_x000D_b"), "a\rb");
        assert_eq!(un("_x005F_x000D_"), "_x000D_");
        assert_eq!(un("_xD83D__xDCF7_"), "\u{1F4F7}");
        assert_eq!(un("_xD83D_"), "\u{FFFD}");
        assert_eq!(un("_x12_ _xZZZZ_ plain"), "_x12_ _xZZZZ_ plain");
    }

    #[test]
    fn references() {
        assert_eq!(cell_ref(b"A1").unwrap(), (0, 0));
        assert_eq!(cell_ref(b"b7").unwrap(), (6, 1));
        assert_eq!(cell_ref(b"XFD1048576").unwrap(), (1_048_575, 16_383));
        for bad in [
            &b""[..],
            b"A",
            b"1",
            b"A0",
            b"XFE1",
            b"A1048577",
            b"ZZZZ1",
            b"A1B",
        ] {
            assert!(cell_ref(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
        assert_eq!(
            range(b"A1:C2").unwrap(),
            Merge {
                start: (0, 0),
                end: (1, 2)
            }
        );
    }

    /// The parts of a workbook, read from their XML.
    fn read<'a, T>(xml: &'a str, f: impl FnOnce(&mut Xml<&'a [u8]>) -> XmlResult<T>) -> T {
        f(&mut Xml::new(xml.as_bytes())).unwrap()
    }

    #[test]
    fn shared_strings_with_rich_text_and_entities() {
        let strings = read(
            r#"<?xml version="1.0"?><sst xmlns="x" count="4" uniqueCount="4">
            <si><t>plain</t></si>
            <si><r><rPr><b/></rPr><t xml:space="preserve">Jan </t></r><r><t> de Vries &amp; Zn </t></r><rPh sb="0" eb="1"><t>phonetic</t></rPh><phoneticPr fontId="1"/></si>
            <si><t/></si>
            <si><t>a&lt;b&#x20AC;_x000D_</t></si>
            <x:si><x:t>prefixed</x:t></x:si>
            </sst>"#,
            shared_strings,
        );
        assert_eq!(
            strings,
            [
                "plain",
                "Jan de Vries & Zn",
                "",
                "a<b\u{20ac}\r",
                "prefixed"
            ]
        );
    }

    #[test]
    fn the_first_sheet_by_its_relationship() {
        let rels = read(
            r#"<Relationships><Relationship Id="rId2" Type="x/worksheet" Target="worksheets/sheet2.xml"/>
            <Relationship Id="rId1" Type="x/worksheet" Target="/xl/worksheets/Sheet1.xml"/></Relationships>"#,
            relationships,
        );
        let book = read(
            r#"<workbook xmlns:r="r"><workbookPr date1904="1"/><sheets>
            <sheet name="Data &amp; meer" sheetId="2" r:id="rId1"/><sheet name="Two" sheetId="1" r:id="rId2"/>
            </sheets><extLst><x15:workbookPr chartTrackingRefBase="1"/></extLst></workbook>"#,
            |x| first_sheet(x, &rels, "xl/"),
        );
        assert_eq!(book.sheet, "Data & meer");
        assert_eq!(book.sheet_part, "xl/worksheets/Sheet1.xml");
        assert!(book.date1904);
        let relative = read(
            r#"<workbook><sheets><sheet name="Two" r:id="rId2"/></sheets></workbook>"#,
            |x| first_sheet(x, &rels, "xl/"),
        );
        assert_eq!(relative.sheet_part, "xl/worksheets/sheet2.xml");
        assert!(!relative.date1904);
        assert!(first_sheet(
            &mut Xml::new(&b"<workbook><sheets/></workbook>"[..]),
            &rels,
            ""
        )
        .is_err());
        assert!(first_sheet(
            &mut Xml::new(&br#"<workbook><sheet name="a" r:id="rId9"/></workbook>"#[..]),
            &rels,
            ""
        )
        .is_err());
    }

    #[test]
    fn styles_say_which_cells_are_dates() {
        let formats = read(
            r#"<styleSheet><numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>
            <numFmt numFmtId="165" formatCode="&quot;m&quot;0.00"/><numFmt numFmtId="166" formatCode="[h]:mm"/></numFmts>
            <cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>
            <cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="164"><alignment horizontal="left"/></xf>
            <xf numFmtId="165"/><xf numFmtId="166"/><xf numFmtId="14"/><xf/></cellXfs></styleSheet>"#,
            cell_formats,
        );
        use NumFormat::*;
        assert_eq!(formats, [Other, DateTime, Other, Duration, DateTime, Other]);
    }

    type Grid = (Vec<(u32, u32, String)>, Vec<Merge>);

    /// A workbook of one sheet holding `cells` (the XML inside
    /// `<sheetData>`), its cells as (row, column, value) and its merges.
    fn sheet(cells: &str, tail: &str) -> XmlResult<Grid> {
        let book = Workbook {
            sheet: "Blad1".to_string(),
            strings: vec!["zero".to_string(), "one".to_string()],
            formats: vec![NumFormat::Other, NumFormat::DateTime, NumFormat::Duration],
            ..Workbook::default()
        };
        let xml = format!(
            r#"<?xml version="1.0"?><worksheet><dimension ref="A1"/><sheetData>{cells}</sheetData>{tail}</worksheet>"#
        );
        let mut bytes = Vec::new();
        {
            let mut w = zip::ZipWriter::new(Cursor::new(&mut bytes));
            w.start_file("s.xml", zip::write::SimpleFileOptions::default())
                .unwrap();
            std::io::Write::write_all(&mut w, xml.as_bytes()).unwrap();
            w.finish().unwrap();
        }
        let mut package = Package::open(&bytes)?;
        let book = Workbook {
            sheet_part: "S.XML".to_string(),
            ..book
        };
        let mut cells = package.cells(&book)?;
        let mut out = Vec::new();
        while let Some(c) = cells.next_cell()? {
            let v = match c.value {
                Value::Empty => "-".to_string(),
                Value::Text(t) => t.to_string(),
                Value::Error(e) => format!("!{e}"),
            };
            out.push((c.row, c.col, v));
        }
        let merges = cells.merges()?.to_vec();
        Ok((out, merges))
    }

    #[test]
    fn cells_as_a_csv_holds_them() {
        let (cells, merges) = sheet(
            r#"<row r="1"><c r="A1" t="s"><v>1</v></c><c t="s"><v>0</v></c><c r="D1" t="inlineStr"><is><t>in&amp;line</t></is></c></row>
            <row><c><v>12345</v></c><c s="1"><v>45306.4375</v></c><c s="2"><v>1.5</v></c><c s="1"><v>0.25</v></c></row>
            <row r="5"><c r="B5" t="str"><f>A1&amp;"x"</f><v>onex</v></c><c r="C5"><f>1/0</f><v></v></c><c r="D5" t="e"><f>NA()</f><v>#N/A</v></c><c r="E5" t="b"><v>1</v></c><c r="F5" t="d"><v>2024-01-15T10:30:00</v></c><c r="G5"><f>SUM(A1)</f></c><c r="H5"/></row>
            <row r="6"><c r="A6"><v>1234.56</v></c><c r="B6"><v>007</v></c><c r="C6"><v>abc</v></c></row>"#,
            r#"<mergeCells count="1"><mergeCell ref="A1:C1"/></mergeCells>"#,
        )
        .unwrap();
        let want: Vec<(u32, u32, &str)> = vec![
            (0, 0, "one"),
            (0, 1, "zero"),
            (0, 3, "in&line"),
            (1, 0, "12345"),
            (1, 1, "2024-01-15 10:30:00"),
            (1, 2, "1.5"),
            (1, 3, "0.25"),
            (4, 1, "onex"),
            (4, 2, "-"),
            (4, 3, "!#N/A"),
            (4, 4, "true"),
            (4, 5, "2024-01-15T10:30:00"),
            (4, 6, "-"),
            (4, 7, "-"),
            (5, 0, "1234.56"),
            (5, 1, "7"),
            (5, 2, "abc"),
        ];
        let got: Vec<(u32, u32, &str)> =
            cells.iter().map(|(r, c, v)| (*r, *c, v.as_str())).collect();
        assert_eq!(got, want);
        assert_eq!(
            merges,
            [Merge {
                start: (0, 0),
                end: (0, 2)
            }]
        );
    }

    #[test]
    fn broken_sheets_are_errors() {
        for (cells, tail) in [
            (r#"<row><c t="s"><v>9</v></c></row>"#, ""),
            (r#"<row><c r="A0"><v>1</v></c></row>"#, ""),
            (r#"<row r="x"/>"#, ""),
            (r#"<row><c t="b"><v>2</v></c></row>"#, ""),
            (r#"<row><c t="q"><v>2</v></c></row>"#, ""),
            (r#"<row><c r="XFD1"/><c/></row>"#, ""),
            ("", r#"<mergeCells><mergeCell ref="A1:"/></mergeCells>"#),
            (r#"<row><c><v>1</v></row>"#, "<"),
        ] {
            assert!(sheet(cells, tail).is_err(), "{cells} {tail}");
        }
    }

    /// A cell as calamine's reader gave it to the reader this one
    /// replaced, in that reader's text.
    fn calamine_text(v: &calamine::DataRef<'_>) -> (String, bool) {
        use calamine::DataRef;
        let mut out = String::new();
        match v {
            DataRef::Empty => {}
            DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
                out.push_str(s)
            }
            DataRef::SharedString(s) => out.push_str(s),
            DataRef::Int(i) => out.push_str(&i.to_string()),
            DataRef::Float(f) => number(*f, &mut out),
            DataRef::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            DataRef::DateTime(d) if d.is_duration() => number(d.as_f64(), &mut out),
            DataRef::DateTime(d) => date_text(d.as_f64(), false, &mut out),
            DataRef::Error(e) => out.push_str(&e.to_string()),
        }
        (out, matches!(v, DataRef::Error(_)))
    }

    type Sheet = (Vec<(u32, u32, String, bool)>, Vec<Merge>);

    fn by_calamine(bytes: &[u8]) -> Sheet {
        use calamine::{Reader, Xlsx};
        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        let name = book.sheet_names()[0].clone();
        let mut cells = Vec::new();
        let mut reader = book.worksheet_cells_reader(&name).unwrap();
        while let Some(c) = reader.next_cell().unwrap() {
            let (text, error) = calamine_text(c.get_value());
            cells.push((c.get_position().0, c.get_position().1, text, error));
        }
        drop(reader);
        let merges = book.merge_cells_by_sheet_name(&name).unwrap();
        let merges = merges
            .iter()
            .map(|d| Merge {
                start: d.start,
                end: d.end,
            })
            .collect();
        (cells, merges)
    }

    fn by_us(bytes: &[u8]) -> Sheet {
        let mut package = Package::open(bytes).unwrap();
        let book = package.workbook().unwrap();
        assert_eq!(book.sheet, "Blad1");
        let mut reader = package.cells(&book).unwrap();
        let mut cells = Vec::new();
        while let Some(c) = reader.next_cell().unwrap() {
            let (text, error) = match c.value {
                Value::Empty => (String::new(), false),
                Value::Text(t) => (t.to_string(), false),
                Value::Error(e) => (e.to_string(), true),
            };
            cells.push((c.row, c.col, text, error));
        }
        (cells, reader.merges().unwrap().to_vec())
    }

    /// The workbook in `bytes` with its sheet's XML rewritten by `f`.
    fn rewritten(bytes: &[u8], f: impl Fn(&str) -> String) -> Vec<u8> {
        use std::io::Write as _;
        let mut zip = ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut out = Vec::new();
        let mut w = zip::ZipWriter::new(Cursor::new(&mut out));
        for i in 0..zip.len() {
            let mut part = zip.by_index(i).unwrap();
            let name = part.name().unwrap().to_string();
            let mut text = Vec::new();
            part.read_to_end(&mut text).unwrap();
            if name == "xl/worksheets/sheet1.xml" {
                text = f(std::str::from_utf8(&text).unwrap()).into_bytes();
            }
            w.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(&text).unwrap();
        }
        w.finish().unwrap();
        out
    }

    /// Workbooks as rust_xlsxwriter writes them, and in the shapes other
    /// writers give (white space between tags, prefixed names, cells and
    /// rows without references, a formula beside each value), read as
    /// calamine read them.
    #[test]
    fn reads_as_calamine_did() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
        let mut book = Workbook::new();
        let date = Format::new().set_num_format("dd-mm-yyyy");
        let time = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss.000");
        let hours = Format::new().set_num_format("[h]:mm");
        let money = Format::new().set_num_format("\"EUR\" #,##0.00");
        let s = book.add_worksheet();
        s.set_name("Blad1").unwrap();
        for (c, h) in ["id", "naam", "datum", "tijd", "uren", "bedrag", "ja", "som"]
            .iter()
            .enumerate()
        {
            s.write_string(0, c as u16, *h).unwrap();
        }
        for r in 1..40u32 {
            let f = f64::from(r);
            s.write_number(r, 0, f * 1001.0).unwrap();
            if r % 7 != 3 {
                s.write_string(r, 1, format!(" Naam & <{r}> \u{e9}"))
                    .unwrap();
            }
            let d = ExcelDateTime::from_ymd(1900 + r as u16 * 3, (r % 12 + 1) as u8, 28).unwrap();
            s.write_datetime_with_format(r, 2, &d, &date).unwrap();
            s.write_number_with_format(r, 3, 45306.0 + f / 7.0, &time)
                .unwrap();
            s.write_number_with_format(r, 4, f / 3.0, &hours).unwrap();
            s.write_number_with_format(r, 5, f * 1.1 - 20.0, &money)
                .unwrap();
            s.write_boolean(r, 6, r % 2 == 0).unwrap();
            s.write_formula(
                r,
                7,
                Formula::new("=A2+1").set_result((f * 2.5).to_string()),
            )
            .unwrap();
        }
        s.merge_range(41, 0, 42, 2, "samen", &Format::new())
            .unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let no_refs = |x: &str| {
            let mut out = String::new();
            let mut rest = x;
            while let Some(k) = rest.find(" r=\"") {
                let cut = rest[k + 4..]
                    .find('"')
                    .map_or(rest.len(), |e| k + 4 + e + 1);
                out.push_str(&rest[..k]);
                // Only cells' and rows' references: a merge keeps its own.
                if !(rest[..k].ends_with("<c") || rest[..k].ends_with("<row")) {
                    out.push_str(&rest[k..cut]);
                }
                rest = &rest[cut..];
            }
            out + rest
        };
        let prefixed = |x: &str| {
            let mut out = String::new();
            let mut chars = x.chars().peekable();
            while let Some(c) = chars.next() {
                out.push(c);
                if c == '<' {
                    if chars.peek() == Some(&'/') {
                        out.push('/');
                        chars.next();
                    }
                    if chars.peek().is_some_and(char::is_ascii_alphabetic) {
                        out.push_str("x:");
                    }
                }
            }
            out.replacen("<x:worksheet ", "<x:worksheet xmlns:x=\"urn:x\" ", 1)
        };
        type Rewrite<'f> = &'f dyn Fn(&str) -> String;
        let variants: [(&str, Rewrite<'_>); 5] = [
            ("as written", &|x: &str| x.to_string()),
            ("pretty", &|x: &str| x.replace("><", ">\r\n  <")),
            ("no references", &no_refs),
            ("prefixed", &prefixed),
            ("formulas", &|x: &str| {
                x.replace("\"><v>", "\"><f>B1&amp;\"x\"</f><v>")
            }),
        ];
        for (name, f) in variants {
            let bytes = rewritten(&bytes, f);
            let (ours, theirs) = (by_us(&bytes), by_calamine(&bytes));
            assert!(ours.0.len() > 300, "{name}");
            assert_eq!(ours, theirs, "{name}");
        }
    }
}
