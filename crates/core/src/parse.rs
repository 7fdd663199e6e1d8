//! Cell parsers for the value forms of spec 1.1. Each returns `None` for a
//! value it cannot read; the caller turns that into a data issue naming the
//! file, line, column and value.

use crate::model::{Cents, Date, DateTime, Decimal};

/// Parses a date: `YYYY-MM-DD`, `DD-MM-YYYY`, `D-M-YYYY`, `DD/MM/YYYY`,
/// `D/M/YYYY`. A datetime gives its date.
pub fn date(s: &str) -> Option<Date> {
    // Only a whole datetime gives its date: `2026-03-04 oops` is no date.
    datetime(s).map(|t| t.date())
}

/// Parses a datetime: a date, then a space or `T`, then `H:MM` or
/// `H:MM:SS`, optional fractional seconds and a trailing `Z` or UTC offset
/// (the clock time is taken as written). A bare date is 00:00:00.
pub fn datetime(s: &str) -> Option<DateTime> {
    iso_seconds(s).unwrap_or_else(|| any_datetime(s))
}

/// [`datetime`] by the general rules, for every form.
fn any_datetime(s: &str) -> Option<DateTime> {
    let (day, time) = split_datetime(s);
    let day = date_only(day)?;
    match time {
        None => day.and_hms_opt(0, 0, 0),
        Some(t) => {
            let (h, m, sec, nanos) = clock(t)?;
            day.and_hms_nano_opt(h, m, sec, nanos)
        }
    }
}

/// `YYYY-MM-DD HH:MM:SS` (or with `T`), the form nearly every export
/// writes, read in one pass over its bytes: tens of millions of responses
/// carry one, and splitting each into parts was a twentieth of reading them.
/// `None` for any other form (read by the general rules); `Some(None)` for
/// this form naming no real moment, as the general rules would find.
fn iso_seconds(s: &str) -> Option<Option<DateTime>> {
    let b: &[u8; 19] = s.as_bytes().try_into().ok()?;
    let digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
    if b[4] != b'-'
        || b[7] != b'-'
        || !(b[10] == b' ' || b[10] == b'T')
        || b[13] != b':'
        || b[16] != b':'
        || !digits.iter().all(|&i| b[i].is_ascii_digit())
    {
        return None;
    }
    let n = |from: usize, to: usize| {
        b[from..to]
            .iter()
            .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'))
    };
    let day = Date::from_ymd_opt(n(0, 4) as i32, n(5, 7), n(8, 10));
    Some(day.and_then(|d| d.and_hms_nano_opt(n(11, 13), n(14, 16), n(17, 19), 0)))
}

fn split_datetime(s: &str) -> (&str, Option<&str>) {
    match s.find([' ', 'T']) {
        Some(i) => (&s[..i], Some(s[i + 1..].trim_start())),
        None => (s, None),
    }
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn date_only(s: &str) -> Option<Date> {
    let sep = if s.contains('/') { '/' } else { '-' };
    let mut parts = s.split(sep);
    let (a, b, c) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || !all_digits(a) || !all_digits(b) || !all_digits(c) {
        return None;
    }
    let (y, m, d) = if a.len() == 4 && sep == '-' && b.len() == 2 && c.len() == 2 {
        (a, b, c)
    } else if (1..=2).contains(&a.len()) && (1..=2).contains(&b.len()) && c.len() == 4 {
        (c, b, a)
    } else {
        return None;
    };
    Date::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// `H:MM[:SS[.fff]]` with an optional `Z` or `+HH[:MM]` / `-HH[:MM]` suffix.
fn clock(t: &str) -> Option<(u32, u32, u32, u32)> {
    let t = strip_zone(t)?;
    let mut parts = t.split(':');
    let h = parts.next()?;
    let m = parts.next()?;
    let s = parts.next();
    if parts.next().is_some() || !(1..=2).contains(&h.len()) || m.len() != 2 {
        return None;
    }
    if !all_digits(h) || !all_digits(m) {
        return None;
    }
    let (sec, nanos) = match s {
        None => (0, 0),
        Some(s) => {
            let (whole, frac) = match s.split_once(['.', ',']) {
                Some((w, f)) => (w, Some(f)),
                None => (s, None),
            };
            if whole.len() != 2 || !all_digits(whole) {
                return None;
            }
            let nanos = match frac {
                None => 0,
                Some(f) if all_digits(f) => {
                    let digits: String = f.chars().take(9).collect();
                    let scale = 10u32.pow(9 - digits.len() as u32);
                    digits.parse::<u32>().ok()? * scale
                }
                Some(_) => return None,
            };
            (whole.parse().ok()?, nanos)
        }
    };
    Some((h.parse().ok()?, m.parse().ok()?, sec, nanos))
}

fn strip_zone(t: &str) -> Option<&str> {
    if let Some(rest) = t.strip_suffix(['Z', 'z']) {
        return Some(rest);
    }
    // An offset starts at the last '+' or at a '-' (a clock never has one).
    if let Some(i) = t.rfind(['+', '-']) {
        let zone = &t[i + 1..];
        let ok = match zone.len() {
            2 | 4 => all_digits(zone),
            5 => zone.as_bytes()[2] == b':' && all_digits(&zone[..2]) && all_digits(&zone[3..]),
            _ => false,
        };
        return ok.then(|| &t[..i]);
    }
    Some(t)
}

/// Parses a boolean: true/false, yes/no, ja/nee, j/n, 1/0 (any case).
/// The proleptic Gregorian (year, month, day) `days` after 1970-01-01 (H.
/// Hinnant's `civil_from_days`, in whole numbers): for readers that hold a
/// day as a count (spreadsheet serials, Parquet dates).
pub(crate) fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

pub fn boolean(s: &str) -> Option<bool> {
    const TRUE: [&str; 5] = ["true", "yes", "ja", "j", "1"];
    const FALSE: [&str; 5] = ["false", "no", "nee", "n", "0"];
    if TRUE.iter().any(|t| s.eq_ignore_ascii_case(t)) {
        Some(true)
    } else if FALSE.iter().any(|t| s.eq_ignore_ascii_case(t)) {
        Some(false)
    } else {
        None
    }
}

/// Parses an integer. A Parquet float column that holds whole numbers is
/// written as such, so only plain digits with an optional sign are read.
pub fn integer(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if !all_digits(digits) {
        return None;
    }
    s.parse().ok()
}

/// Parses a decimal exactly. `.` is the decimal mark; `,` is accepted too
/// when `comma_ok` (a `;`-delimited file). No thousands separators.
pub fn decimal(s: &str, comma_ok: bool) -> Option<Decimal> {
    let (negative, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (whole, frac) = match body.find(|c| c == '.' || (comma_ok && c == ',')) {
        Some(i) => (&body[..i], &body[i + 1..]),
        None => (body, ""),
    };
    if whole.is_empty() && frac.is_empty() {
        return None;
    }
    let ok = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if !ok(whole) || !ok(frac) || (body.len() != whole.len() && frac.is_empty()) {
        return None;
    }
    // 30 significant digits fit in an i128 with room to spare.
    let frac = frac.trim_end_matches('0');
    if whole.len() + frac.len() > 30 {
        return None;
    }
    let digits = format!("{whole}{frac}");
    let mantissa: i128 = if digits.is_empty() {
        0
    } else {
        digits.parse().ok()?
    };
    Some(Decimal {
        mantissa: if negative { -mantissa } else { mantissa },
        scale: frac.len() as u32,
    })
}

/// Rounds a decimal half-up (away from zero at .5) to whole cents.
pub fn to_cents(d: Decimal) -> Option<Cents> {
    let m = d.mantissa;
    let cents = if d.scale <= 2 {
        m.checked_mul(10i128.pow(2 - d.scale))?
    } else {
        let div = 10i128.checked_pow(d.scale - 2)?;
        let q = m / div;
        let r = (m % div).abs();
        if r * 2 >= div {
            q + m.signum()
        } else {
            q
        }
    };
    i64::try_from(cents).ok().map(Cents)
}

/// Parses an amount to cents, rounding half-up (spec 1.1).
pub fn amount(s: &str, comma_ok: bool) -> Option<Cents> {
    decimal(s, comma_ok).and_then(to_cents)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn every_date_form() {
        for s in [
            "2026-03-04",
            "04-03-2026",
            "4-3-2026",
            "04/03/2026",
            "4/3/2026",
        ] {
            assert_eq!(date(s), Some(d(2026, 3, 4)), "{s}");
        }
        assert_eq!(date("2026-03-04 13:45"), Some(d(2026, 3, 4)));
        assert_eq!(date("2026-03-04T13:45:10Z"), Some(d(2026, 3, 4)));
    }

    #[test]
    fn bad_dates() {
        for s in [
            "2026-02-30",
            "2026/03/04",
            "26-03-2026x",
            "03-2026",
            "2026-3-4",
            "",
            "yesterday",
            "04-03-26",
            "2026-03-04 25:00",
        ] {
            assert_eq!(datetime(s), None, "{s}");
        }
    }

    /// Found by fuzzing: text after a date made it a date all the same.
    #[test]
    fn a_date_followed_by_anything_but_a_clock_is_not_a_date() {
        for s in [
            "2026-03-04 oops",
            "2026-03-04Tuesday",
            "04-03-2026 25:00",
            "2026-03-04 10:00 +0100",
        ] {
            assert_eq!(date(s), None, "{s}");
        }
        assert_eq!(date("04-03-2026 0:00"), Some(d(2026, 3, 4)));
    }

    #[test]
    fn the_common_form_reads_as_the_general_rules_read_it() {
        let mut cases = vec![
            "2024-02-29 23:59:59".to_string(),
            "2023-02-29 10:00:00".to_string(),
            "2024-13-01 10:00:00".to_string(),
            "2024-12-31T24:00:00".to_string(),
            "2024-12-31 23:60:00".to_string(),
            "2024-12-31 23:59:60".to_string(),
            "0000-01-01 00:00:00".to_string(),
            "2024-1-01 10:00:000".to_string(),
            "2024-01-01x10:00:00".to_string(),
            "2024-01-01 10-00-00".to_string(),
        ];
        // Every digit of the form through 0..9 at each position.
        let base = "2024-06-15 12:34:56";
        for i in [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18] {
            for d in '0'..='9' {
                let mut s: Vec<char> = base.chars().collect();
                s[i] = d;
                cases.push(s.into_iter().collect());
            }
        }
        for s in &cases {
            assert_eq!(datetime(s), any_datetime(s), "{s}");
        }
        // The fast path is taken for the common form only.
        assert!(iso_seconds(base).is_some());
        assert!(iso_seconds("2024-1-01 10:00:000").is_none());
        assert!(iso_seconds("2024-01-01 10:00:00Z").is_none());
    }

    #[test]
    fn datetimes_keep_the_clock_as_written() {
        let want = d(2026, 3, 4).and_hms_opt(9, 5, 0).unwrap();
        for s in [
            "2026-03-04 9:05",
            "2026-03-04T09:05:00",
            "04-03-2026 09:05",
            "2026-03-04T09:05:00Z",
            "2026-03-04T09:05:00+01:00",
            "2026-03-04T09:05:00-0500",
            "2026-03-04 09:05:00+02",
        ] {
            assert_eq!(datetime(s), Some(want), "{s}");
        }
        let frac = datetime("2026-03-04 23:59:59.250").unwrap();
        assert_eq!(
            frac,
            d(2026, 3, 4).and_hms_milli_opt(23, 59, 59, 250).unwrap()
        );
        assert_eq!(
            datetime("2026-03-04"),
            Some(d(2026, 3, 4).and_hms_opt(0, 0, 0).unwrap())
        );
    }

    #[test]
    fn booleans() {
        for s in ["true", "YES", "Ja", "j", "1"] {
            assert_eq!(boolean(s), Some(true), "{s}");
        }
        for s in ["false", "No", "NEE", "n", "0"] {
            assert_eq!(boolean(s), Some(false), "{s}");
        }
        assert_eq!(boolean("maybe"), None);
    }

    #[test]
    fn amounts_round_half_up_to_the_cent() {
        assert_eq!(amount("1234.565", false), Some(Cents(123457)));
        assert_eq!(amount("1234.5649", false), Some(Cents(123456)));
        assert_eq!(amount("0.005", false), Some(Cents(1)));
        assert_eq!(amount("12", false), Some(Cents(1200)));
        assert_eq!(amount("12,5", true), Some(Cents(1250)));
        assert_eq!(amount(".5", false), Some(Cents(50)));
        assert_eq!(amount("-3.10", false), Some(Cents(-310)));
    }

    #[test]
    fn decimal_comma_only_in_semicolon_files_and_no_thousands() {
        assert_eq!(amount("12,5", false), None);
        assert_eq!(amount("1.234,56", true), None);
        assert_eq!(amount("1,234.56", false), None);
        assert_eq!(amount("12.", false), None);
        assert_eq!(amount("€ 12", false), None);
        assert_eq!(amount("1e5", false), None);
    }

    #[test]
    fn integers() {
        assert_eq!(integer("42"), Some(42));
        assert_eq!(integer("-1"), Some(-1));
        assert_eq!(integer("4.0"), None);
        assert_eq!(integer("four"), None);
    }
}
