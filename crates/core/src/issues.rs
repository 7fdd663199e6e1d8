//! Data issues (spec 1.2): every problem with a row, collected as data so
//! the run can go on and report all of them at once.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::schema::Table;

/// How bad a data issue is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The row cannot be used: strict mode stops, lenient mode sets it aside.
    Error,
    /// A reference that is unknown but does not make the row unusable.
    Warning,
}

impl Level {
    /// The spec's spelling.
    pub fn as_str(&self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
        }
    }
}

/// One problem with one cell of one row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataIssue {
    /// The input file name, e.g. `applicants.csv`.
    pub file: String,
    /// Record number, header = 1.
    pub line: u64,
    /// The spec's column name (`advert_id+applicant_id` for a composite key).
    pub column: String,
    /// The value as read (trimmed).
    pub value: String,
    /// Error or warning.
    pub level: Level,
    /// What is wrong, in plain words.
    pub problem: String,
}

impl fmt::Display for DataIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {} ({})",
            self.file, self.line, self.column, self.problem, self.value
        )
    }
}

/// Rows read, used and set aside for one table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RowCounts {
    /// Records read (blank lines are not records).
    pub read: u64,
    /// Records used by the audit.
    pub used: u64,
    /// Records set aside because of an error-level issue.
    pub set_aside: u64,
}

/// All data issues of one run, with per-table row counts.
#[derive(Debug, Default)]
pub struct Issues {
    list: Vec<DataIssue>,
    /// Row counts of the tables read, in the order of [`Table::ALL`].
    pub counts: BTreeMap<Table, RowCounts>,
}

impl Issues {
    /// Records an issue.
    pub fn push(&mut self, issue: DataIssue) {
        self.list.push(issue);
    }

    /// Number of error-level issues.
    pub fn errors(&self) -> usize {
        self.list.iter().filter(|i| i.level == Level::Error).count()
    }

    /// Number of warnings.
    pub fn warnings(&self) -> usize {
        self.list.len() - self.errors()
    }

    /// The issues sorted as data_issues.csv is: file, line (numerically),
    /// column, then the rest so the order never depends on discovery order.
    pub fn sorted(&self) -> Vec<&DataIssue> {
        let mut v: Vec<&DataIssue> = self.list.iter().collect();
        v.sort_by(|a, b| {
            (&a.file, a.line, &a.column, a.level, &a.problem, &a.value)
                .cmp(&(&b.file, b.line, &b.column, b.level, &b.problem, &b.value))
        });
        v
    }

    /// Number of issues.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}
