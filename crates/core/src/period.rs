//! The audit period (spec 4): `--period 2026-Q3`, `--period 2026`, or
//! `--from/--to` (inclusive). Without one, every date is in the period.

use std::fmt;

use chrono::Datelike;
use serde::ser::{Serialize, SerializeStruct, Serializer};

use crate::model::Date;
use crate::parse;

/// An inclusive range of dates; open ends are unbounded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Period {
    /// First day, inclusive.
    pub from: Option<Date>,
    /// Last day, inclusive.
    pub to: Option<Date>,
}

impl Period {
    /// Every date.
    pub const ALL: Period = Period {
        from: None,
        to: None,
    };

    /// Parses `YYYY` or `YYYY-Qn`.
    pub fn parse(text: &str) -> Result<Period, String> {
        let text = text.trim();
        let bad = || {
            format!(
                "--period {text} is not a year or a quarter: give a year (2026) or a quarter (2026-Q3), or --from and --to dates"
            )
        };
        let (year, quarter) = match text.split_once(['-', ' ']) {
            Some((y, q)) => {
                let q = q.trim().strip_prefix(['Q', 'q']).ok_or_else(bad)?;
                let q: u32 = q.parse().map_err(|_| bad())?;
                if !(1..=4).contains(&q) {
                    return Err(bad());
                }
                (y, Some(q))
            }
            None => (text, None),
        };
        if year.len() != 4 {
            return Err(bad());
        }
        let year: i32 = year.parse().map_err(|_| bad())?;
        let (first_month, last_month) = match quarter {
            Some(q) => (3 * q - 2, 3 * q),
            None => (1, 12),
        };
        let from = Date::from_ymd_opt(year, first_month, 1).ok_or_else(bad)?;
        let to = last_day(year, last_month).ok_or_else(bad)?;
        Ok(Period {
            from: Some(from),
            to: Some(to),
        })
    }

    /// Builds a period from `--from/--to` dates (any date form of spec 1.1).
    pub fn from_to(from: Option<&str>, to: Option<&str>) -> Result<Period, String> {
        let read = |flag: &str, v: Option<&str>| -> Result<Option<Date>, String> {
            v.map(|s| {
                parse::date(s.trim()).ok_or_else(|| {
                    format!("{flag} {s} is not a date: give a date such as 2026-07-01")
                })
            })
            .transpose()
        };
        let period = Period {
            from: read("--from", from)?,
            to: read("--to", to)?,
        };
        if let (Some(f), Some(t)) = (period.from, period.to) {
            if f > t {
                return Err(format!("--from {f} is after --to {t}"));
            }
        }
        Ok(period)
    }

    /// Whether `day` is in the period.
    pub fn contains(&self, day: Date) -> bool {
        self.from.is_none_or(|f| f <= day) && self.to.is_none_or(|t| day <= t)
    }
}

impl Serialize for Period {
    /// `{"from": "YYYY-MM-DD" | null, "to": ...}`.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Period", 2)?;
        st.serialize_field("from", &self.from.map(|d| d.to_string()))?;
        st.serialize_field("to", &self.to.map(|d| d.to_string()))?;
        st.end()
    }
}

fn last_day(year: i32, month: u32) -> Option<Date> {
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    Date::from_ymd_opt(y, m, 1)?.pred_opt()
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.from, self.to) {
            (None, None) => f.write_str("all dates"),
            (Some(a), Some(b)) if a.year() == b.year() => write!(f, "{a} to {b}"),
            (a, b) => write!(
                f,
                "{} to {}",
                a.map_or("the beginning".to_string(), |d| d.to_string()),
                b.map_or("the end".to_string(), |d| d.to_string())
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn quarters_and_years() {
        let q3 = Period::parse("2026-Q3").unwrap();
        assert_eq!(
            (q3.from, q3.to),
            (Some(d(2026, 7, 1)), Some(d(2026, 9, 30)))
        );
        let q4 = Period::parse("2026-q4").unwrap();
        assert_eq!(q4.to, Some(d(2026, 12, 31)));
        let y = Period::parse("2024").unwrap();
        assert_eq!((y.from, y.to), (Some(d(2024, 1, 1)), Some(d(2024, 12, 31))));
        assert!(y.contains(d(2024, 12, 31)) && !y.contains(d(2025, 1, 1)));
    }

    #[test]
    fn bad_periods() {
        for p in ["2026-Q5", "26", "2026-3", "Q3-2026", ""] {
            assert!(Period::parse(p).is_err(), "{p}");
        }
        assert!(Period::from_to(Some("2026-05-01"), Some("2026-04-01")).is_err());
    }
}
