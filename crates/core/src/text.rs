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
