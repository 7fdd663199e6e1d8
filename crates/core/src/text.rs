//! Text rules shared by the stages that read and write cells: the
//! inert-output rule of spec 6 (reading reviews undoes it, every writer
//! applies it).

/// The inert-output rule of spec 6: text from the data that a spreadsheet
/// would read as a formula gets a leading apostrophe.
pub fn inert(s: &str) -> std::borrow::Cow<'_, str> {
    let risky = match s.chars().next() {
        Some('=' | '+' | '@' | '\t' | '\r') => true,
        Some('-') => !is_number(&s[1..]),
        _ => false,
    };
    if risky {
        format!("'{s}").into()
    } else {
        s.into()
    }
}

/// `bytes` as lower-case hex, two digits a byte: the manifest's digests,
/// finding, case and sample ids, pseudonyms.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(2 * bytes.len());
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

/// A plain number: digits with at most one `.` or `,` between digits.
fn is_number(s: &str) -> bool {
    let mut seen_digit = false;
    let mut seen_mark = false;
    let mut last_was_mark = false;
    for c in s.chars() {
        match c {
            '0'..='9' => {
                seen_digit = true;
                last_was_mark = false;
            }
            '.' | ',' if seen_digit && !seen_mark => {
                seen_mark = true;
                last_was_mark = true;
            }
            _ => return false,
        }
    }
    seen_digit && !last_was_mark
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_two_lower_case_digits_a_byte() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        assert_eq!(hex(&[]), "");
    }

    #[test]
    fn formulas_are_made_inert() {
        assert_eq!(inert("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(inert("+31612345678"), "'+31612345678");
        assert_eq!(inert("@x"), "'@x");
        assert_eq!(inert("\tx"), "'\tx");
        assert_eq!(inert("-x"), "'-x");
        assert_eq!(inert("-"), "'-");
        assert_eq!(inert("-12"), "-12");
        assert_eq!(inert("-12.5"), "-12.5");
        assert_eq!(inert("-12,5"), "-12,5");
        assert_eq!(inert("-1-2"), "'-1-2");
        assert_eq!(inert("de Vries"), "de Vries");
    }
}

/// A reason as the placeholder rule of spec 4.1 compares it: lower-cased,
/// diacritics stripped (Unicode NFKD without combining marks), every
/// character that is not a letter or digit removed.
pub fn reason_key(reason: &str) -> String {
    use unicode_normalization::char::is_combining_mark;
    use unicode_normalization::UnicodeNormalization;
    reason
        .to_lowercase()
        .nfkd()
        .filter(|c| !is_combining_mark(*c) && c.is_alphanumeric())
        .collect()
}

/// Whether a recorded reason counts as missing (spec 4.1): absent, or
/// normalised shorter than 3 characters or one of `placeholders` (already
/// normalised by [`reason_key`]).
pub fn reason_missing(reason: Option<&str>, placeholders: &[String]) -> bool {
    match reason {
        None => true,
        Some(r) => {
            let key = reason_key(r);
            key.chars().count() < 3 || placeholders.contains(&key)
        }
    }
}

#[cfg(test)]
mod reason_tests {
    use super::*;

    #[test]
    fn placeholder_reasons_count_as_missing() {
        let list: Vec<String> = ["nvt", "ziedossier", "na"].map(String::from).to_vec();
        assert!(reason_missing(Some("zie dossier"), &list));
        assert!(reason_missing(Some("Zie-Dossier!"), &list));
        assert!(reason_missing(Some("."), &list));
        assert!(reason_missing(Some("n.v.t."), &list));
        assert!(reason_missing(Some("  "), &list));
        assert!(reason_missing(Some("ja"), &list));
        assert!(reason_missing(None, &list));
        assert!(!reason_missing(Some("woning te klein"), &list));
        assert!(!reason_missing(Some("geen interesse"), &list));
        assert_eq!(reason_key("Één ü-x"), "eenux");
    }
}
