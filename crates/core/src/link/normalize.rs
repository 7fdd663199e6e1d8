/*!
The comparison forms of a person's fields (spec sections 1.3 and 2).

Every function returns `None` when nothing is left after normalisation: an
empty value is a missing value and never matches anything, so a blank or
placeholder-only cell cannot link two people.
*/

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Surname prefixes (tussenvoegsels) dropped wherever they stand (spec 2).
const PREFIXES: &[&str] = &[
    "van", "de", "der", "den", "het", "t", "ter", "ten", "te", "in", "op", "la", "le", "du", "des",
    "da", "di", "del", "d", "l", "aan", "bij", "uit", "vd", "s",
];

/// Whether `word` is one of the surname prefixes (any case, diacritics
/// ignored).
pub fn is_prefix(word: &str) -> bool {
    PREFIXES.contains(&fold(word).as_str())
}

/// Lower-cases (the full Unicode mapping of `str::to_lowercase`),
/// decomposes (NFKD) and drops the combining marks, in the spec's order.
fn fold(raw: &str) -> String {
    // Most names are ASCII, where NFKD changes nothing: skipping it makes
    // normalising a million names several times cheaper.
    if raw.is_ascii() {
        return raw.to_ascii_lowercase();
    }
    raw.to_lowercase()
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .collect()
}

/// The normalised last name (spec 2): what follows the first comma moved
/// to the front (`Vries, de` -> `de Vries`), lower-cased, diacritics
/// stripped, every non-alphanumeric character a space, the prefix tokens
/// dropped (unless the name is made only of them), `ij` -> `y`, tokens joined
/// with one space. `Jansen-van Dijk` gives `jansen dyk`.
pub fn name(raw: &str) -> Option<String> {
    let inverted;
    let raw = match raw.split_once(',') {
        Some((before, after)) => {
            inverted = format!("{after} {before}");
            inverted.as_str()
        }
        None => raw,
    };
    let spaced: String = fold(raw)
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let is_prefix = |t: &&str| PREFIXES.contains(t);
    // A surname such as `Van` or `de la` is all prefix: kept whole rather
    // than reduced to nothing, which would make it missing.
    let whole = spaced.split_whitespace().all(|t| is_prefix(&t));
    let mut out = String::with_capacity(spaced.len());
    for token in spaced.split_whitespace().filter(|t| whole || !is_prefix(t)) {
        if !out.is_empty() {
            out.push(' ');
        }
        let mut rest = token;
        while let Some(at) = rest.find("ij") {
            out.push_str(&rest[..at]);
            out.push('y');
            rest = &rest[at + 2..];
        }
        out.push_str(rest);
    }
    non_empty(out)
}

/// The first initial (spec 2): the first letter or digit of `first_names`
/// after lower-casing and stripping diacritics (`J.S.` -> `j`, `IJsbrand` ->
/// `i`, `Émile` -> `e`).
pub fn first_initial(raw: &str) -> Option<char> {
    fold(raw).chars().find(|c| c.is_alphanumeric())
}

/// The postcode as 4 digits and 2 upper-case letters without a space
/// (`9101 ab` -> `9101AB`).
///
/// A value that does not have that shape once its white space is removed
/// is `None` (missing), not compared as written: exports fill the cell with
/// placeholders (`onbekend`, `0000`, `-`) and foreign or partial postcodes
/// (`9101`), and comparing those would tie together whole groups of people
/// who share no address.
pub fn postcode(raw: &str) -> Option<String> {
    let compact: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let bytes = compact.as_bytes();
    let shaped = bytes.len() == 6
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && bytes[4..].iter().all(u8::is_ascii_uppercase);
    shaped.then_some(compact)
}

/// The house number lower-cased without spaces or `-` (`12-A`, `12 a` and
/// `12a` all give `12a`). Dash look-alikes (U+2010 to U+2015, U+2212) count
/// as `-`: a Windows-1252 export may carry an en dash where `-` was typed.
pub fn house_number(raw: &str) -> Option<String> {
    let kept: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && !is_dash(*c))
        .flat_map(char::to_lowercase)
        .collect();
    non_empty(kept)
}

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{2212}')
}

/// The e-mail address trimmed and lower-cased.
pub fn email(raw: &str) -> Option<String> {
    non_empty(raw.trim().to_lowercase())
}

/// The phone number as digits only, a leading `+31` or `0031` replaced by
/// `0` (`+31 6 1234 5678` -> `0612345678`).
///
/// The trunk zero that Dutch numbers often carry in brackets after the
/// country code (`+31 (0)6 1234 5678`) is dropped too, which the spec does
/// not say but every reader of such a number would expect: kept, it would
/// give `00612345678`, which matches nothing.
pub fn phone(raw: &str) -> Option<String> {
    let compact = || raw.chars().filter(|c| !c.is_whitespace());
    let mut head = [0u8; 7];
    for (slot, c) in head.iter_mut().zip(compact()) {
        *slot = u8::try_from(c).unwrap_or(0);
    }
    // Longest first: `+31(0)` must win over `+31`.
    let country: [&[u8]; 4] = [b"0031(0)", b"+31(0)", b"0031", b"+31"];
    let skip = country
        .iter()
        .find(|code| head.starts_with(code))
        .map_or(0, |code| code.len());
    let mut digits = String::with_capacity(raw.len() + 1);
    if skip > 0 {
        digits.push('0');
    }
    digits.extend(compact().skip(skip).filter(char::is_ascii_digit));
    let international = if skip > 0 {
        true
    } else if digits.starts_with("0031") {
        // `(0031) 6...` or `00-31-6...`: the country code written with
        // separators is still the country code.
        digits.replace_range(..4, "0");
        true
    } else {
        false
    };
    if international && digits.len() == 1 {
        // A country code and nothing after it.
        return None;
    }
    non_empty(digits)
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(raw: &str) -> Option<String> {
        name(raw)
    }

    #[test]
    fn comma_moves_the_prefix_to_the_front() {
        assert_eq!(n("Vries, de"), n("de Vries"));
        assert_eq!(n("Vries, de").as_deref(), Some("vries"));
        // Only the first comma inverts.
        assert_eq!(n("Berg, van den, jr").as_deref(), Some("jr berg"));
    }

    #[test]
    fn double_name_with_prefix() {
        assert_eq!(n("Jansen-van Dijk").as_deref(), Some("jansen dyk"));
    }

    #[test]
    fn prefixes_drop_wherever_they_stand() {
        assert_eq!(n("van 't Hof").as_deref(), Some("hof"));
        assert_eq!(n("Hof, van 't").as_deref(), Some("hof"));
        assert_eq!(n("d'Ancona").as_deref(), Some("ancona"));
        assert_eq!(n("Meer van der Bij").as_deref(), Some("meer"));
    }

    #[test]
    fn a_name_of_only_prefixes_is_kept_whole() {
        assert_eq!(n("Van").as_deref(), Some("van"));
        assert_eq!(n("De La").as_deref(), Some("de la"));
        // ij -> y applies to all tokens of a name kept whole.
        assert_eq!(n("Bij").as_deref(), Some("by"));
    }

    #[test]
    fn ij_becomes_y_after_prefixes_are_dropped() {
        assert_eq!(n("Zijlstra"), n("Zylstra"));
        assert_eq!(n("IJzerman").as_deref(), Some("yzerman"));
        // The ligature decomposes to `ij` under NFKD.
        assert_eq!(n("\u{0132}zerman").as_deref(), Some("yzerman"));
    }

    #[test]
    fn diacritics_and_punctuation() {
        assert_eq!(n("Ölçer").as_deref(), Some("olcer"));
        assert_eq!(
            n("  Müller--Lüdenscheidt ").as_deref(),
            Some("muller ludenscheidt")
        );
        assert_eq!(n("O'Neill").as_deref(), Some("o neill"));
        // The ASCII fast path and the Unicode path agree.
        assert_eq!(n("Smit van Dijk\u{0301}"), n("Smit van Dijk"));
    }

    #[test]
    fn empty_names_are_missing() {
        assert_eq!(n(""), None);
        assert_eq!(n(" - "), None);
        assert_eq!(n(","), None);
    }

    #[test]
    fn first_initials() {
        assert_eq!(first_initial("J.S."), Some('j'));
        assert_eq!(first_initial("IJsbrand"), Some('i'));
        assert_eq!(first_initial("Émile"), Some('e'));
        assert_eq!(first_initial(" (Kees) "), Some('k'));
        assert_eq!(first_initial(". -"), None);
    }

    #[test]
    fn postcodes() {
        assert_eq!(postcode("9101 ab").as_deref(), Some("9101AB"));
        assert_eq!(postcode(" 9101AB ").as_deref(), Some("9101AB"));
        assert_eq!(postcode("9101"), None);
        assert_eq!(postcode("onbekend"), None);
        assert_eq!(postcode("9101-AB"), None);
        assert_eq!(postcode("9101ABC"), None);
        assert_eq!(postcode(""), None);
    }

    #[test]
    fn house_numbers() {
        assert_eq!(house_number("12-A"), house_number("12a"));
        assert_eq!(house_number("12 a"), house_number("12a"));
        assert_eq!(house_number("12\u{2013}A").as_deref(), Some("12a"));
        assert_eq!(house_number(" - "), None);
    }

    #[test]
    fn emails() {
        assert_eq!(
            email("  J.Jansen@Example.NL ").as_deref(),
            Some("j.jansen@example.nl")
        );
        assert_eq!(email("   "), None);
    }

    #[test]
    fn phones() {
        assert_eq!(phone("+31 6 1234 5678").as_deref(), Some("0612345678"));
        assert_eq!(phone("0031 6 1234 5678").as_deref(), Some("0612345678"));
        assert_eq!(phone("00 31 6-12345678").as_deref(), Some("0612345678"));
        assert_eq!(phone("+31 (0)6 1234 5678").as_deref(), Some("0612345678"));
        assert_eq!(phone("06-1234 5678").as_deref(), Some("0612345678"));
        assert_eq!(phone("(050) 123 45 67").as_deref(), Some("0501234567"));
        // Another country code is kept as digits.
        assert_eq!(phone("+32 470 12 34 56").as_deref(), Some("32470123456"));
        assert_eq!(phone("geen"), None);
        assert_eq!(phone("+31"), None);
        assert_eq!(phone("(0031)"), None);
        assert_eq!(phone("(0031) 50 123 4567").as_deref(), Some("0501234567"));
        assert_eq!(phone("0031 (0)50 123 4567").as_deref(), Some("0501234567"));
    }
}
