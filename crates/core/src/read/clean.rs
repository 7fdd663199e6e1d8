//! CSV text that needs no CSV reader: whole lines without a quote and
//! without a carriage return other than one before a line feed. Such text
//! is one record per line and one cell per delimiter, exactly as the csv
//! reader would split it, so the file's splitter only finds where lines
//! end and counts the records, and the cells are found on every core.
//!
//! Nearly all exports are like this; text with a quote anywhere goes
//! through the csv reader on the splitter, as before.

use memchr::{memchr2_iter, memchr_iter, memrchr};

/// What [`cut`] makes of a window of CSV text that starts at a record
/// boundary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cut {
    /// The first `len` bytes are whole clean lines holding `records`
    /// records (blank lines are not records).
    Clean { len: usize, records: u64 },
    /// The window holds no whole line: read more.
    NeedMore,
    /// A quote or a lone carriage return before the cut: the csv reader
    /// must split this text.
    Quoted,
}

/// Where `window` (CSV text from a record boundary; `at_end`: the window
/// ends where the input does) can be cut after a whole line, and whether
/// the text before the cut is clean.
pub(crate) fn cut(window: &[u8], delimiter: u8, at_end: bool) -> Cut {
    let len = match memrchr(b'\n', window) {
        _ if at_end => window.len(),
        Some(nl) => nl + 1,
        None => return Cut::NeedMore,
    };
    let text = &window[..len];
    for at in memchr2_iter(b'"', b'\r', text) {
        // csv's reader ends a record at a lone `\r` too; `\r\n` is one end.
        if text[at] == b'"' || text.get(at + 1) != Some(&b'\n') {
            return Cut::Quoted;
        }
    }
    let records = lines(text)
        .filter(|(_, line)| !blank(line, delimiter))
        .count() as u64;
    Cut::Clean { len, records }
}

/// The lines of clean text, without their `\n` or `\r\n`; a last line
/// without a line end counts, an empty text after the last one does not.
pub(crate) fn lines(text: &[u8]) -> impl Iterator<Item = (usize, &[u8])> + '_ {
    let ends = memchr_iter(b'\n', text).chain((!text.ends_with(b"\n")).then_some(text.len()));
    let mut start = 0;
    ends.filter_map(move |end| {
        if end == text.len() && start == end {
            return None;
        }
        let from = start;
        start = end + 1;
        let line = &text[from..end];
        Some((from, line.strip_suffix(b"\r").unwrap_or(line)))
    })
}

/// The positions of `delimiter` and of `\n` in `text`, in order: where
/// cells and lines of clean text end. Cells are short (a few bytes each),
/// so this tests eight bytes at a time for both, where a search per cell
/// paid a search's set-up for every cell.
pub(crate) fn stops(text: &[u8], delimiter: u8) -> impl Iterator<Item = usize> + '_ {
    const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const ONES: u64 = 0x0101_0101_0101_0101;
    // 0x80 in each byte of `w` that equals `b`, and nowhere else: the
    // addition cannot carry from one byte into the next.
    let equal = |w: u64, b: u8| {
        let x = w ^ (ONES * u64::from(b));
        !(((x & LOW) + LOW) | x | LOW)
    };
    let words = text.chunks_exact(8);
    let tail_from = text.len() - words.remainder().len();
    let tail = text[tail_from..]
        .iter()
        .enumerate()
        .filter(move |(_, &b)| b == delimiter || b == b'\n')
        .map(move |(i, _)| tail_from + i);
    words
        .enumerate()
        .flat_map(move |(k, word)| {
            let w = u64::from_le_bytes(word.try_into().unwrap_or_default());
            let mut hits = equal(w, delimiter) | equal(w, b'\n');
            std::iter::from_fn(move || {
                (hits != 0).then(|| {
                    let at = k * 8 + hits.trailing_zeros() as usize / 8;
                    hits &= hits - 1;
                    at
                })
            })
        })
        .chain(tail)
}

/// Whether a clean line is blank: every cell empty once trimmed of Unicode
/// white space, as the reader's rule for a line of only blanks or
/// delimiters says. Nearly every line starts with a visible character, and
/// is decided by its first byte.
pub(crate) fn blank(line: &[u8], delimiter: u8) -> bool {
    match line.first() {
        None => true,
        Some(&b) if b.is_ascii_graphic() && b != delimiter => false,
        Some(_) => String::from_utf8_lossy(line)
            .split(delimiter as char)
            .all(|cell| cell.trim().is_empty()),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The records and cells csv's reader finds in `text`, blank records
    /// left out as the CSV splitter leaves them out.
    pub(crate) fn by_csv(text: &str, delimiter: u8) -> Vec<Vec<String>> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect::<Vec<_>>())
            .filter(|cells| !cells.iter().all(|c| c.trim().is_empty()))
            .collect()
    }

    /// The same, split as clean text.
    fn by_lines(text: &str, delimiter: u8) -> Vec<Vec<String>> {
        lines(text.as_bytes())
            .filter(|(_, line)| !blank(line, delimiter))
            .map(|(_, line)| {
                std::str::from_utf8(line)
                    .unwrap()
                    .split(delimiter as char)
                    .map(str::to_string)
                    .collect()
            })
            .collect()
    }

    #[test]
    fn clean_text_splits_as_the_csv_reader_splits_it() {
        let texts = [
            "a,b,c\n1,2,3\n",
            "a,b,c\r\n1,2,3\r\n",
            "a,b\n\n\n1,2",
            "a,b\n,,\n , \n\u{a0},\u{2003}\n1,\n,2\n",
            "x;y\n1,5;2\n;\n",
            "\u{a0}a,b\n\t,x\n",
            "",
            "\n",
            "only\n",
        ];
        for text in texts {
            for delimiter in [b',', b';'] {
                let Cut::Clean { len, records } = cut(text.as_bytes(), delimiter, true) else {
                    panic!("{text:?} is clean");
                };
                assert_eq!(len, text.len());
                let expected = by_csv(text, delimiter);
                assert_eq!(by_lines(text, delimiter), expected, "{text:?}");
                assert_eq!(records, expected.len() as u64, "{text:?}");
            }
        }
    }

    #[test]
    fn stops_are_every_delimiter_and_line_end() {
        let text = "ab,c;\n,,x\r\n;;;;;;;;;,\n\u{e9},\n12345678,\n";
        for delimiter in [b',', b';'] {
            for from in 0..text.len() {
                let bytes = &text.as_bytes()[from..];
                let expected: Vec<usize> = bytes
                    .iter()
                    .enumerate()
                    .filter(|(_, &b)| b == delimiter || b == b'\n')
                    .map(|(i, _)| i)
                    .collect();
                assert_eq!(stops(bytes, delimiter).collect::<Vec<_>>(), expected);
            }
        }
    }

    #[test]
    fn a_quote_or_a_lone_carriage_return_needs_the_csv_reader() {
        assert_eq!(cut(b"a,\"b\nc\",d\n", b',', true), Cut::Quoted);
        assert_eq!(cut(b"a,b\rc,d\n", b',', true), Cut::Quoted);
        assert_eq!(cut(b"a,b\r", b',', true), Cut::Quoted);
        // After the cut, a quote belongs to the next window.
        assert_eq!(
            cut(b"a,b\n\"c", b',', false),
            Cut::Clean { len: 4, records: 1 }
        );
    }

    #[test]
    fn a_window_without_a_line_end_is_cut_only_at_the_end_of_the_input() {
        assert_eq!(cut(b"a,b,c", b',', false), Cut::NeedMore);
        assert_eq!(cut(b"a,b,c", b',', true), Cut::Clean { len: 5, records: 1 });
    }
}
