//! Checks a Parquet file's structure before polars decodes it.
//!
//! polars trusts the sizes and counts in a file's page headers: a corrupt
//! `num_values` of 2^61 in one data page makes it reserve a validity bitmap
//! of that many bits, and Rust aborts the process when an allocation fails
//! (no unwinding, so `catch_unwind` cannot help). Here every page header of
//! every column chunk is read, with a small Thrift reader of our own that
//! allocates nothing from what it reads, and the numbers are checked against
//! each other and against the file's length:
//!
//! - the footer fits in the file, and every column chunk lies in the data
//!   between the leading magic and the footer;
//! - page sizes are not negative and every page lies inside its chunk;
//! - a data page's values, nulls and rows agree (nulls and rows at most
//!   the values; the level bytes of a v2 page within the page);
//! - a dictionary page holds at most 8 values per byte (a plain value takes
//!   at least one bit);
//! - the data pages of a chunk add up to exactly the values its metadata
//!   claims, and a flat column's chunk holds exactly its row group's rows;
//!   the row groups add up to the file's rows.
//!
//! The last rule ties every count polars sizes an allocation by to the
//! others, so one corrupt number is always caught. What is not caught is a
//! file crafted to claim billions of rows consistently in all those places;
//! reading it fails like any input too large for the machine.

use std::fmt;

use polars::io::parquet::read::FileMetadata;

/// Why a file's structure cannot be decoded safely (the message names the
/// row group and column where it can).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corrupt(String);

impl fmt::Display for Corrupt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn corrupt<T>(what: impl Into<String>) -> Result<T, Corrupt> {
    Err(Corrupt(what.into()))
}

/// Checks the file `bytes`, whose footer polars has parsed into `metadata`.
pub fn check(bytes: &[u8], metadata: &FileMetadata) -> Result<(), Corrupt> {
    let data = data_range(bytes)?;
    let mut rows: u64 = 0;
    for (g, group) in metadata.row_groups.iter().enumerate() {
        let group_rows = group.num_rows() as u64;
        rows = rows.saturating_add(group_rows);
        for column in group.parquet_columns() {
            let name = column.descriptor().path_in_schema.join(".");
            let flat = column.descriptor().descriptor.max_rep_level == 0;
            let at = |why: String| Corrupt(format!("row group {g}, column {name}: {why}"));
            let claimed = column.num_values();
            if claimed < 0 {
                return Err(at(format!("negative value count {claimed}")));
            }
            if flat && claimed as u64 != group_rows {
                return Err(at(format!(
                    "{claimed} values in a row group of {group_rows} rows"
                )));
            }
            let start = match column.dictionary_page_offset() {
                // Some writers store 0 for "no dictionary page".
                Some(offset) if offset > 0 => offset,
                _ => column.data_page_offset(),
            };
            let len = column.compressed_size();
            let chunk = u64::try_from(start)
                .ok()
                .zip(u64::try_from(len).ok())
                .and_then(|(s, l)| Some(s..s.checked_add(l)?))
                .filter(|r| r.start >= data.start && r.end <= data.end)
                .ok_or_else(|| {
                    at(format!(
                        "chunk at byte {start} of {len} bytes lies outside the file's data"
                    ))
                })?;
            let chunk = &bytes[chunk.start as usize..chunk.end as usize];
            pages(chunk, claimed as u64).map_err(|Corrupt(why)| at(why))?;
        }
    }
    if rows != metadata.num_rows as u64 {
        return corrupt(format!(
            "the row groups hold {rows} rows, the footer says {}",
            metadata.num_rows
        ));
    }
    Ok(())
}

/// The bytes between the leading magic and the footer.
fn data_range(bytes: &[u8]) -> Result<std::ops::Range<u64>, Corrupt> {
    const MAGIC: &[u8] = b"PAR1";
    let n = bytes.len();
    if n < 12 || &bytes[..4] != MAGIC || &bytes[n - 4..] != MAGIC {
        return corrupt("not a Parquet file (no PAR1 at both ends)");
    }
    let mut len = [0u8; 4];
    len.copy_from_slice(&bytes[n - 8..n - 4]);
    let footer = u32::from_le_bytes(len) as usize;
    if footer > n - 12 {
        return corrupt(format!("a footer of {footer} bytes in a file of {n}"));
    }
    Ok(4..(n - 8 - footer) as u64)
}

/// Walks the pages of one column chunk the way polars' page reader does
/// (until the data pages have given the chunk's values) and checks each.
fn pages(chunk: &[u8], claimed: u64) -> Result<(), Corrupt> {
    let mut pos = 0usize;
    let mut seen: u64 = 0;
    while seen < claimed {
        if pos >= chunk.len() {
            return corrupt(format!("the pages end after {seen} of {claimed} values"));
        }
        let mut t = Thrift {
            bytes: &chunk[pos..],
            pos: 0,
        };
        let h = PageHeader::read(&mut t)?;
        let body = pos + t.pos;
        if h.compressed < 0 || h.uncompressed < 0 {
            return corrupt(format!(
                "page at byte {pos}: negative size ({} compressed, {} uncompressed)",
                h.compressed, h.uncompressed
            ));
        }
        let end = body + h.compressed as usize;
        if end > chunk.len() {
            return corrupt(format!(
                "page at byte {pos}: {} bytes, but only {} left in the chunk",
                h.compressed,
                chunk.len() - body
            ));
        }
        let values = h.values.unwrap_or(0);
        if values < 0 {
            return corrupt(format!("page at byte {pos}: negative value count {values}"));
        }
        match h.kind {
            DATA_PAGE | DATA_PAGE_V2 => {
                if h.values.is_none() {
                    return corrupt(format!("data page at byte {pos} without its header"));
                }
                for (what, n) in [("nulls", h.nulls), ("rows", h.rows)] {
                    if let Some(n) = n.filter(|&n| n < 0 || n > values) {
                        return corrupt(format!(
                            "data page at byte {pos}: {n} {what} in {values} values"
                        ));
                    }
                }
                let levels = h.levels.0 as i64 + h.levels.1 as i64;
                if h.levels.0 < 0 || h.levels.1 < 0 || levels > h.compressed as i64 {
                    return corrupt(format!(
                        "data page at byte {pos}: {levels} bytes of levels in a page of {}",
                        h.compressed
                    ));
                }
                seen += values as u64;
            }
            DICTIONARY_PAGE => {
                if h.values.is_none() || values as i64 > 8 * h.uncompressed as i64 {
                    return corrupt(format!(
                        "dictionary page at byte {pos}: {values} values in {} bytes",
                        h.uncompressed
                    ));
                }
            }
            INDEX_PAGE => {}
            other => return corrupt(format!("page at byte {pos}: unknown page type {other}")),
        }
        pos = end;
    }
    if seen != claimed {
        return corrupt(format!(
            "the data pages hold {seen} values, the metadata says {claimed}"
        ));
    }
    Ok(())
}

const DATA_PAGE: i32 = 0;
const INDEX_PAGE: i32 = 1;
const DICTIONARY_PAGE: i32 = 2;
const DATA_PAGE_V2: i32 = 3;

/// The fields of a Parquet `PageHeader` that size what polars allocates.
#[derive(Debug, Default)]
struct PageHeader {
    kind: i32,
    uncompressed: i32,
    compressed: i32,
    /// `num_values` of whichever data or dictionary header the page has.
    values: Option<i32>,
    /// v2 only.
    nulls: Option<i32>,
    /// v2 only.
    rows: Option<i32>,
    /// v2 only: definition and repetition level bytes.
    levels: (i32, i32),
}

impl PageHeader {
    fn read(t: &mut Thrift<'_>) -> Result<PageHeader, Corrupt> {
        let mut h = PageHeader {
            kind: -1,
            uncompressed: -1,
            compressed: -1,
            ..PageHeader::default()
        };
        let (mut kind, mut un, mut comp) = (false, false, false);
        t.fields(0, |t, id, ty| {
            match (id, ty) {
                (1, I32) => (h.kind, kind) = (t.i32()?, true),
                (2, I32) => (h.uncompressed, un) = (t.i32()?, true),
                (3, I32) => (h.compressed, comp) = (t.i32()?, true),
                // DataPageHeader, DictionaryPageHeader: num_values is field 1.
                (5 | 7, STRUCT) => t.fields(1, |t, id, ty| match (id, ty) {
                    (1, I32) => {
                        h.values = Some(t.i32()?);
                        Ok(())
                    }
                    _ => t.skip(ty, 2),
                })?,
                (8, STRUCT) => t.fields(1, |t, id, ty| {
                    match (id, ty) {
                        (1, I32) => h.values = Some(t.i32()?),
                        (2, I32) => h.nulls = Some(t.i32()?),
                        (3, I32) => h.rows = Some(t.i32()?),
                        (5, I32) => h.levels.0 = t.i32()?,
                        (6, I32) => h.levels.1 = t.i32()?,
                        _ => t.skip(ty, 2)?,
                    }
                    Ok(())
                })?,
                _ => t.skip(ty, 1)?,
            }
            Ok(())
        })?;
        if !(kind && un && comp) {
            return corrupt("a page header without its type or sizes");
        }
        Ok(h)
    }
}

// Thrift compact protocol types.
const TRUE: u8 = 1;
const FALSE: u8 = 2;
const BYTE: u8 = 3;
const I16: u8 = 4;
const I32: u8 = 5;
const I64: u8 = 6;
const DOUBLE: u8 = 7;
const BINARY: u8 = 8;
const LIST: u8 = 9;
const SET: u8 = 10;
const MAP: u8 = 11;
const STRUCT: u8 = 12;

/// Nesting deeper than this is not a page header (statistics are the
/// deepest part, at three).
const MAX_DEPTH: u32 = 16;

/// A reader of the Thrift compact protocol over a byte slice: it skips what
/// it does not need and never allocates, whatever a length says.
struct Thrift<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Thrift<'_> {
    fn byte(&mut self) -> Result<u8, Corrupt> {
        let b = *self
            .bytes
            .get(self.pos)
            .ok_or_else(|| Corrupt("a page header runs past the chunk".into()))?;
        self.pos += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, Corrupt> {
        let mut v: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        corrupt("a page header holds an overlong number")
    }

    fn zigzag(&mut self) -> Result<i64, Corrupt> {
        let v = self.varint()?;
        Ok((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    fn i32(&mut self) -> Result<i32, Corrupt> {
        i32::try_from(self.zigzag()?)
            .or_else(|_| corrupt("a page header holds a 32-bit number out of range"))
    }

    fn advance(&mut self, n: u64) -> Result<(), Corrupt> {
        let left = (self.bytes.len() - self.pos) as u64;
        if n > left {
            return corrupt("a page header runs past the chunk");
        }
        self.pos += n as usize;
        Ok(())
    }

    /// Reads a struct's fields, handing each (id, type) to `on`, which must
    /// consume the value (or skip it).
    fn fields(
        &mut self,
        depth: u32,
        mut on: impl FnMut(&mut Self, i16, u8) -> Result<(), Corrupt>,
    ) -> Result<(), Corrupt> {
        if depth > MAX_DEPTH {
            return corrupt("a page header nested too deeply");
        }
        let mut last: i16 = 0;
        loop {
            let b = self.byte()?;
            if b == 0 {
                return Ok(());
            }
            let ty = b & 0x0f;
            let delta = (b >> 4) as i16;
            let id = if delta != 0 {
                last.checked_add(delta)
                    .ok_or_else(|| Corrupt("a page header field id out of range".into()))?
            } else {
                i16::try_from(self.zigzag()?)
                    .or_else(|_| corrupt("a page header field id out of range"))?
            };
            last = id;
            on(self, id, ty)?;
        }
    }

    /// Skips a value of type `ty` (in a struct field: booleans carry no
    /// byte of their own there).
    fn skip(&mut self, ty: u8, depth: u32) -> Result<(), Corrupt> {
        self.skip_value(ty, depth, false)
    }

    fn skip_value(&mut self, ty: u8, depth: u32, in_collection: bool) -> Result<(), Corrupt> {
        if depth > MAX_DEPTH {
            return corrupt("a page header nested too deeply");
        }
        match ty {
            TRUE | FALSE if !in_collection => Ok(()),
            TRUE | FALSE | BYTE => self.advance(1),
            I16 | I32 | I64 => self.varint().map(|_| ()),
            DOUBLE => self.advance(8),
            BINARY => {
                let n = self.varint()?;
                self.advance(n)
            }
            LIST | SET => {
                let b = self.byte()?;
                let n = match b >> 4 {
                    15 => self.varint()?,
                    n => u64::from(n),
                };
                self.elements(n, &[b & 0x0f], depth)
            }
            MAP => {
                let n = self.varint()?;
                if n == 0 {
                    return Ok(());
                }
                let kv = self.byte()?;
                self.elements(n, &[kv >> 4, kv & 0x0f], depth)
            }
            STRUCT => self.fields(depth + 1, |t, _, ty| t.skip(ty, depth + 1)),
            other => corrupt(format!(
                "a page header holds an unknown Thrift type {other}"
            )),
        }
    }

    /// Skips `n` collection elements of the given types; each takes at
    /// least a byte, so a count beyond the bytes left is corrupt at once.
    fn elements(&mut self, n: u64, types: &[u8], depth: u32) -> Result<(), Corrupt> {
        if n > (self.bytes.len() - self.pos) as u64 {
            return corrupt("a page header holds a list longer than the chunk");
        }
        for _ in 0..n {
            for &ty in types {
                self.skip_value(ty, depth + 1, true)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A compact-protocol page header, field by field.
    fn header(fields: &[(u8, u8, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut last = 0;
        for (id, ty, value) in fields {
            out.push(((id - last) << 4) | ty);
            out.extend_from_slice(value);
            last = *id;
        }
        out.push(0);
        out
    }

    fn varint(v: i64) -> Vec<u8> {
        let mut z = ((v << 1) ^ (v >> 63)) as u64;
        let mut out = Vec::new();
        loop {
            let b = (z & 0x7f) as u8;
            z >>= 7;
            if z == 0 {
                out.push(b);
                return out;
            }
            out.push(b | 0x80);
        }
    }

    fn data_page(values: i64, size: i64) -> Vec<u8> {
        let mut inner = vec![0x15];
        inner.extend(varint(values));
        inner.push(0);
        let mut h = header(&[
            (1, I32, &varint(0)),
            (2, I32, &varint(size)),
            (3, I32, &varint(size)),
            (5, STRUCT, &inner),
        ]);
        h.extend(std::iter::repeat_n(0u8, size.max(0) as usize));
        h
    }

    #[test]
    fn good_pages_add_up() {
        let mut chunk = data_page(3, 4);
        chunk.extend(data_page(2, 4));
        assert_eq!(pages(&chunk, 5), Ok(()));
    }

    #[test]
    fn a_huge_value_count_is_corrupt() {
        let chunk = data_page(1 << 30, 4);
        assert!(pages(&chunk, 5).is_err());
    }

    #[test]
    fn a_page_past_its_chunk_is_corrupt() {
        let mut chunk = data_page(5, 4);
        chunk.truncate(chunk.len() - 1);
        assert!(pages(&chunk, 5).is_err());
    }

    #[test]
    fn a_list_longer_than_the_bytes_is_corrupt_without_allocating() {
        // Field 6 (index page header) holding a list claiming 2^62 items.
        let mut list = vec![0xf5];
        list.extend([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x3f]);
        let h = header(&[
            (1, I32, &varint(0)),
            (2, I32, &varint(0)),
            (3, I32, &varint(0)),
            (6, LIST, &list),
        ]);
        assert!(PageHeader::read(&mut Thrift { bytes: &h, pos: 0 }).is_err());
    }
}
