//! A small XML tokenizer for the parts of an `.xlsx` workbook: start and
//! end tags, text and CDATA, nothing else (comments and processing
//! instructions are skipped, a DTD is refused, as OOXML forbids one).
//!
//! Hand-written because a worksheet is millions of tiny tags: a general
//! parser (quick-xml's, even reading from a slice) spent four times as long
//! on them as finding the `<` bytes does. It reads the part a buffer at a
//! time as it is inflated, so a sheet of any size is read in a small,
//! fixed amount of memory, and it never panics: input that is not XML it
//! understands is an error, with what was expected.

use std::borrow::Cow;
use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};

use memchr::{memchr, memmem};

/// What reading a part gives up on: a message for "cannot read xlsx".
pub(crate) type XmlResult<T> = std::result::Result<T, String>;

/// One piece of XML. Names are the raw (possibly prefixed) names; text is
/// still escaped (see [`decode`]).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Token<'a> {
    /// `<name attrs>`, or `<name attrs/>` when `empty`.
    Start {
        name: &'a [u8],
        attrs: &'a [u8],
        empty: bool,
    },
    /// `</name>`.
    End { name: &'a [u8] },
    /// Text between tags, escaped.
    Text(&'a [u8]),
    /// The content of `<![CDATA[...]]>`, literal.
    CData(&'a [u8]),
    /// The end of the part.
    Eof,
}

/// A token found in the buffer, by position (so that the buffer can be
/// refilled while looking, and the token borrowed from it afterwards).
enum Found {
    Start {
        name: (usize, usize),
        attrs: (usize, usize),
        empty: bool,
    },
    End((usize, usize)),
    Text((usize, usize)),
    CData((usize, usize)),
    Skip,
    Eof,
}

/// The bytes a refill asks for at least: a worksheet is read in pieces of
/// this size (a token longer than that grows the buffer).
const CHUNK: usize = 128 * 1024;

/// A part's XML as tokens, read from `src` as they are needed.
pub(crate) struct Xml<R> {
    src: R,
    buf: Vec<u8>,
    /// Where the next token starts.
    pos: usize,
    /// The end of the bytes read into `buf`.
    end: usize,
    /// Whether `src` is exhausted.
    done: bool,
}

impl<R: Read> Xml<R> {
    /// Tokens of the XML read from `src`.
    pub(crate) fn new(src: R) -> Xml<R> {
        Xml {
            src,
            buf: Vec::new(),
            pos: 0,
            end: 0,
            done: false,
        }
    }

    /// The next token.
    pub(crate) fn next(&mut self) -> XmlResult<Token<'_>> {
        let found = loop {
            match self.find()? {
                Some((Found::Skip, next)) => self.pos = next,
                Some((found, next)) => {
                    self.pos = next;
                    break found;
                }
                None if self.done => return Err("the XML ends inside a tag".to_string()),
                None => self.refill()?,
            }
        };
        let span = |(s, e): (usize, usize)| self.buf.get(s..e).unwrap_or_default();
        Ok(match found {
            Found::Start { name, attrs, empty } => Token::Start {
                name: span(name),
                attrs: span(attrs),
                empty,
            },
            Found::End(name) => Token::End { name: span(name) },
            Found::Text(t) => Token::Text(span(t)),
            Found::CData(t) => Token::CData(span(t)),
            Found::Skip | Found::Eof => Token::Eof,
        })
    }

    /// The bytes read and not yet taken, at least `min` of them unless the
    /// part ends first: for a caller that reads a common shape of XML
    /// straight from the bytes, falling back on [`Xml::next`] otherwise.
    pub(crate) fn peek(&mut self, min: usize) -> XmlResult<&[u8]> {
        while self.end.saturating_sub(self.pos) < min && !self.done {
            self.refill()?;
        }
        Ok(self.buf.get(self.pos..self.end).unwrap_or_default())
    }

    /// Takes `n` of the bytes [`Xml::peek`] gave.
    pub(crate) fn take(&mut self, n: usize) {
        self.pos = self.pos.saturating_add(n).min(self.end);
    }

    /// Skips the rest of the element whose start tag was just read (not
    /// an empty one): its content and its end tag.
    pub(crate) fn skip_element(&mut self) -> XmlResult<()> {
        let mut depth = 1usize;
        loop {
            match self.next()? {
                Token::Start { empty: false, .. } => depth += 1,
                Token::End { .. } => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                Token::Eof => return Err("the XML ends inside an element".to_string()),
                _ => {}
            }
        }
    }

    /// The text content of the element whose start tag was just read
    /// (empty for an empty element), decoded into `out` (cleared first).
    /// Elements inside it are skipped, their text too.
    pub(crate) fn text_into(&mut self, empty: bool, out: &mut String) -> XmlResult<()> {
        out.clear();
        if empty {
            return Ok(());
        }
        loop {
            match self.next()? {
                Token::Text(t) => decode(t, out)?,
                Token::CData(t) => out.push_str(utf8(t)?),
                Token::Start { empty: false, .. } => self.skip_element()?,
                Token::Start { .. } => {}
                Token::End { .. } => return Ok(()),
                Token::Eof => return Err("the XML ends inside an element".to_string()),
            }
        }
    }

    /// The text content of the element whose start tag was just read, as
    /// raw bytes: without a copy when it is plain text in the buffer (a
    /// cell value almost always is), else decoded into `scratch`.
    pub(crate) fn text<'s>(
        &'s mut self,
        empty: bool,
        scratch: &'s mut String,
    ) -> XmlResult<&'s [u8]> {
        if empty {
            return Ok(b"");
        }
        let data = self.buf.get(self.pos..self.end).unwrap_or_default();
        if let Some(k) = find_byte(b'<', data) {
            let plain = !data[..k].iter().any(|&b| b == b'&' || b == b'\r');
            if plain && data.get(k + 1) == Some(&b'/') {
                if let Some(close) = find_byte(b'>', &data[k..]) {
                    let start = self.pos;
                    self.pos += k + close + 1;
                    return Ok(self.buf.get(start..start + k).unwrap_or_default());
                }
            }
        }
        self.text_into(false, scratch)?;
        Ok(scratch.as_bytes())
    }

    /// Reads more of `src` into the buffer, keeping the bytes from `pos`.
    fn refill(&mut self) -> XmlResult<()> {
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
        }
        if self.buf.len() < self.end + CHUNK {
            self.buf.resize(self.end + CHUNK, 0);
        }
        let (src, room) = (&mut self.src, &mut self.buf[self.end..]);
        let room_len = room.len();
        // The inflater can reach an assertion on a corrupt file.
        let n = match catch_unwind(AssertUnwindSafe(|| src.read(room))) {
            Ok(Ok(n)) => n,
            Ok(Err(e)) => return Err(e.to_string()),
            Err(_) => return Err("corrupt compressed data".to_string()),
        };
        // A reader that claims more than it was given is not believed.
        self.end += n.min(room_len);
        self.done = n == 0;
        Ok(())
    }

    /// The token at `pos` and where the one after it starts; `None` when
    /// the buffer ends first.
    fn find(&self) -> XmlResult<Option<(Found, usize)>> {
        let at = self.pos;
        let data = self.buf.get(at..self.end).unwrap_or_default();
        let Some(&first) = data.first() else {
            return Ok(self.done.then_some((Found::Eof, at)));
        };
        if first != b'<' {
            return Ok(match find_byte(b'<', data) {
                Some(k) => Some((Found::Text((at, at + k)), at + k)),
                None if self.done => Some((Found::Text((at, self.end)), self.end)),
                None => None,
            });
        }
        let Some(&second) = data.get(1) else {
            return Ok(None);
        };
        match second {
            b'/' => Ok(find_byte(b'>', data).map(|k| {
                let (s, e) = trim(data, 2, k);
                (Found::End((at + s, at + e)), at + k + 1)
            })),
            b'?' => Ok(memmem::find(data, b"?>").map(|k| (Found::Skip, at + k + 2))),
            b'!' => {
                if data.starts_with(b"<!--") {
                    Ok(memmem::find(&data[4..], b"-->").map(|k| (Found::Skip, at + 4 + k + 3)))
                } else if data.starts_with(b"<![CDATA[") {
                    Ok(memmem::find(&data[9..], b"]]>")
                        .map(|k| (Found::CData((at + 9, at + 9 + k)), at + 9 + k + 3)))
                } else if data.len() < 9 && !self.done {
                    Ok(None)
                } else {
                    Err("a DTD or unknown markup (`<!`), which a workbook cannot hold".to_string())
                }
            }
            _ => {
                let Some(close) = tag_end(data) else {
                    return Ok(None);
                };
                let empty = close >= 2 && data[close - 1] == b'/';
                let inner_end = if empty { close - 1 } else { close };
                let name_end = data[1..inner_end]
                    .iter()
                    .position(|&b| is_space(b) || b == b'/')
                    .map_or(inner_end, |p| p + 1);
                if name_end == 1 || matches!(second, b'<' | b'=' | b'"' | b'\'') {
                    return Err("a tag without a name".to_string());
                }
                Ok(Some((
                    Found::Start {
                        name: (at + 1, at + name_end),
                        attrs: (at + name_end, at + inner_end),
                        empty,
                    },
                    at + close + 1,
                )))
            }
        }
    }
}

/// The `>` that ends the start tag at the head of `data`, skipping quoted
/// attribute values (which may hold a `>`).
fn tag_end(data: &[u8]) -> Option<usize> {
    // Tags are short: a plain loop beats memchr's setup (a fifth of the
    // time of a sheet went there).
    let mut quote = 0u8;
    for (i, &b) in data.iter().enumerate().skip(1) {
        if quote != 0 {
            if b == quote {
                quote = 0;
            }
        } else if b == b'>' {
            return Some(i);
        } else if b == b'"' || b == b'\'' {
            quote = b;
        }
    }
    None
}

/// The first `b` in `data`: a plain loop over the first bytes (text in a
/// sheet is a few bytes long), memchr beyond.
fn find_byte(b: u8, data: &[u8]) -> Option<usize> {
    let head = data.len().min(32);
    match data[..head].iter().position(|&c| c == b) {
        Some(k) => Some(k),
        None if data.len() > head => memchr(b, &data[head..]).map(|k| k + head),
        None => None,
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// `data[s..e]` without white space at either end, as positions.
fn trim(data: &[u8], mut s: usize, mut e: usize) -> (usize, usize) {
    while s < e && data.get(s).is_some_and(|&b| is_space(b)) {
        s += 1;
    }
    while e > s && data.get(e - 1).is_some_and(|&b| is_space(b)) {
        e -= 1;
    }
    (s, e)
}

/// The local part of a name: `x:c` -> `c`.
pub(crate) fn local(name: &[u8]) -> &[u8] {
    match name.iter().position(|&b| b == b':') {
        Some(k) => &name[k + 1..],
        None => name,
    }
}

/// The attributes of a start tag as (name, escaped value) pairs.
pub(crate) fn attrs(raw: &[u8]) -> Attrs<'_> {
    Attrs { rest: raw }
}

/// See [`attrs`].
pub(crate) struct Attrs<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Attrs<'a> {
    type Item = XmlResult<(&'a [u8], &'a [u8])>;

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.rest;
        let start = rest.iter().position(|&b| !is_space(b))?;
        let rest = &rest[start..];
        let bad = || {
            Some(Err(format!(
                "a malformed attribute: {}",
                String::from_utf8_lossy(rest)
            )))
        };
        let Some(eq) = rest.iter().position(|&b| b == b'=') else {
            self.rest = &[];
            return bad();
        };
        let (s, e) = trim(rest, 0, eq);
        let name = &rest[s..e];
        let v = eq
            + 1
            + rest[eq + 1..]
                .iter()
                .position(|&b| !is_space(b))
                .unwrap_or(0);
        let quote = match rest.get(v) {
            Some(&q @ (b'"' | b'\'')) => q,
            _ => {
                self.rest = &[];
                return bad();
            }
        };
        let Some(len) = rest[v + 1..].iter().position(|&b| b == quote) else {
            self.rest = &[];
            return bad();
        };
        self.rest = &rest[v + 1 + len + 1..];
        if name.is_empty() {
            return bad();
        }
        Some(Ok((name, &rest[v + 1..v + 1 + len])))
    }
}

/// The value of attribute `key` (matched on its whole name), escaped.
pub(crate) fn attr<'a>(raw: &'a [u8], key: &[u8]) -> XmlResult<Option<&'a [u8]>> {
    for a in attrs(raw) {
        let (name, value) = a?;
        if name == key {
            return Ok(Some(value));
        }
    }
    Ok(None)
}

/// `raw` as UTF-8.
pub(crate) fn utf8(raw: &[u8]) -> XmlResult<&str> {
    std::str::from_utf8(raw).map_err(|e| format!("text that is not UTF-8: {e}"))
}

/// Appends escaped XML text to `out`, decoded: line ends normalised to
/// `\n` (as XML 1.0 reads them), then entities and character references
/// resolved.
pub(crate) fn decode(raw: &[u8], out: &mut String) -> XmlResult<()> {
    let text = utf8(raw)?;
    let text: Cow<'_, str> = if memchr(b'\r', raw).is_some() {
        Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(text)
    };
    if memchr(b'&', text.as_bytes()).is_none() {
        out.push_str(&text);
        return Ok(());
    }
    match quick_xml::escape::unescape(&text) {
        Ok(t) => {
            out.push_str(&t);
            Ok(())
        }
        Err(e) => Err(format!("a bad character reference: {e}")),
    }
}

/// An attribute value, decoded.
pub(crate) fn decode_attr(raw: &[u8]) -> XmlResult<String> {
    let mut out = String::new();
    decode(raw, &mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every token of `xml`, read `chunk` bytes at a time, as text.
    fn tokens(xml: &str, chunk: usize) -> Vec<String> {
        struct Trickle<'a>(&'a [u8], usize);
        impl Read for Trickle<'_> {
            fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                let n = self.1.min(out.len()).min(self.0.len());
                out[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut x = Xml::new(Trickle(xml.as_bytes(), chunk));
        let mut out = Vec::new();
        loop {
            let t = x.next().unwrap();
            let s = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
            out.push(match t {
                Token::Start { name, attrs, empty } => {
                    format!("<{}|{}|{}>", s(name), s(attrs).trim(), empty)
                }
                Token::End { name } => format!("</{}>", s(name)),
                Token::Text(t) => format!("T{}", s(t)),
                Token::CData(t) => format!("C{}", s(t)),
                Token::Eof => break,
            });
        }
        out
    }

    #[test]
    fn tokens_whatever_the_chunks() {
        let xml = "<?xml version=\"1.0\"?>\n<a x=\"1>2\" y='\"'><!-- c<> --><b/>t&amp;u<![CDATA[<raw>]]></ a ><c:d e = \"f\" /></a>";
        let want = vec![
            "T\n",
            "<a|x=\"1>2\" y='\"'|false>",
            "<b||true>",
            "Tt&amp;u",
            "C<raw>",
            "</a>",
            "<c:d|e = \"f\"|true>",
            "</a>",
        ];
        for chunk in [1, 2, 3, 7, 1000] {
            assert_eq!(tokens(xml, chunk), want, "chunk {chunk}");
        }
    }

    #[test]
    fn bad_xml_is_an_error_not_a_panic() {
        for xml in [
            "<a",
            "<a b=\"c>",
            "<!DOCTYPE a>",
            "<!-- x",
            "<>",
            "<![CDATA[x",
            "<</a>",
        ] {
            let mut x = Xml::new(xml.as_bytes());
            let mut n = 0;
            let err = loop {
                match x.next() {
                    Err(e) => break Some(e),
                    Ok(Token::Eof) => break None,
                    Ok(_) => n += 1,
                }
                assert!(n < 10);
            };
            assert!(err.is_some(), "{xml}");
        }
    }

    #[test]
    fn attributes_and_text() {
        let raw = br#" r="B7"  t='s' xml:space="preserve" "#;
        let all: Vec<_> = attrs(raw).map(Result::unwrap).collect();
        assert_eq!(
            all,
            vec![
                (&b"r"[..], &b"B7"[..]),
                (&b"t"[..], &b"s"[..]),
                (&b"xml:space"[..], &b"preserve"[..])
            ]
        );
        assert_eq!(attr(raw, b"t").unwrap(), Some(&b"s"[..]));
        assert_eq!(attr(raw, b"s").unwrap(), None);
        assert!(attrs(b" r=B7").next().unwrap().is_err());
        assert!(attrs(b" r=\"B7").next().unwrap().is_err());
        let mut s = String::new();
        decode(b"a &lt;b&gt; &amp; &#233;&#x20AC;\r\nz", &mut s).unwrap();
        assert_eq!(s, "a <b> & \u{e9}\u{20ac}\nz");
        assert!(decode(b"&nope;", &mut s).is_err());
        assert_eq!(local(b"x:sheet"), b"sheet");
    }
}
