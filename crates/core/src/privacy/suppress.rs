//! Small-cell suppression for the public annual figures (spec 6, issue 5):
//! a count under `thresholds.small_cell` is shown as `<5`, and no such count
//! can be worked out from the totals shown next to it.
//!
//! The figures are a set of cells tied together by *lines*: a line says
//! that some cells (its parts) add up to another cell (its total), like a
//! row of a table and its row total. A cell can sit in several lines, even
//! in several tables (the advert lets of a year are a cell of the route
//! table and the total of the bypass table).
//!
//! The rule, applied until nothing changes:
//! 1. Primary: every count under the threshold (0 included) is withheld and
//!    shown as `<5`.
//! 2. Secondary: a line with exactly one withheld member would give it away
//!    (total minus the other parts), so the smallest other part of that line
//!    is withheld too (shown as `x`); the total only when the line has no
//!    other part left to withhold.
//! 3. Lines can combine (two rows and two columns of a table): a withheld
//!    cell that the shown cells still fix through any combination of lines
//!    (found by Gaussian elimination) makes the smallest shown member of one
//!    of its lines withheld as well.
//!
//! Withholding more never makes a hidden cell recoverable, so the loop ends.

use serde::{Serialize, Serializer};

/// How a count is published.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// The count itself.
    Count(u64),
    /// A count under the threshold (the threshold is kept for the label).
    Small(u64),
    /// A count withheld so that a small count cannot be worked out.
    Withheld,
}

impl Shown {
    /// The text of the cell: the count, `<5` or `x`.
    pub fn label(self) -> String {
        match self {
            Shown::Count(n) => n.to_string(),
            Shown::Small(t) => format!("<{t}"),
            Shown::Withheld => WITHHELD.to_string(),
        }
    }

    /// The count when it is shown.
    pub fn count(self) -> Option<u64> {
        match self {
            Shown::Count(n) => Some(n),
            _ => None,
        }
    }
}

/// The mark of a cell withheld by secondary suppression.
pub const WITHHELD: &str = "x";

impl Serialize for Shown {
    /// A shown count is a JSON number; `<5` and `x` are strings.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Shown::Count(n) => s.serialize_u64(*n),
            other => s.serialize_str(&other.label()),
        }
    }
}

/// Parts that add up to a total, all cell indices.
#[derive(Clone, Debug)]
struct Line {
    parts: Vec<usize>,
    total: usize,
}

impl Line {
    fn members(&self) -> impl Iterator<Item = usize> + '_ {
        self.parts
            .iter()
            .copied()
            .chain(std::iter::once(self.total))
    }
}

/// Cells and the lines that tie them together.
#[derive(Clone, Debug, Default)]
pub struct Grid {
    values: Vec<u64>,
    lines: Vec<Line>,
}

impl Grid {
    /// An empty grid.
    pub fn new() -> Grid {
        Grid::default()
    }

    /// Adds a cell holding `value`; returns its index.
    pub fn cell(&mut self, value: u64) -> usize {
        self.values.push(value);
        self.values.len() - 1
    }

    /// States that the cells `parts` add up to the cell `total` (both shown
    /// side by side in a table).
    pub fn line(&mut self, parts: Vec<usize>, total: usize) {
        self.lines.push(Line { parts, total });
    }

    /// How every cell is shown under threshold `small`.
    pub fn suppress(&self, small: u64) -> Vec<Shown> {
        let mut hidden: Vec<bool> = self.values.iter().map(|&v| v < small).collect();
        loop {
            if let Some(cell) = self.single_hidden_line(&hidden) {
                hidden[cell] = true;
                continue;
            }
            match self.recoverable(&hidden) {
                Some(cell) => match self.cover_for(cell, &hidden) {
                    Some(extra) => hidden[extra] = true,
                    // No shown member left in its lines: nothing more can
                    // be withheld there (cannot happen for a fixed cell,
                    // whose lines must hold a shown member).
                    None => break,
                },
                None => break,
            }
        }
        self.values
            .iter()
            .zip(&hidden)
            .map(|(&v, &h)| match (h, v < small) {
                (false, _) => Shown::Count(v),
                (true, true) => Shown::Small(small),
                (true, false) => Shown::Withheld,
            })
            .collect()
    }

    /// The cell to withhold for the first line with exactly one withheld
    /// member, if any: the smallest shown part, else the total.
    fn single_hidden_line(&self, hidden: &[bool]) -> Option<usize> {
        self.lines.iter().find_map(|line| {
            let withheld = line.members().filter(|&c| hidden[c]).count();
            if withheld != 1 {
                return None;
            }
            self.smallest_shown(line, hidden)
        })
    }

    /// The smallest shown member of a line, parts before the total, ties by
    /// index so the choice is the same on every run.
    fn smallest_shown(&self, line: &Line, hidden: &[bool]) -> Option<usize> {
        line.members()
            .filter(|&c| !hidden[c])
            .min_by_key(|&c| (c == line.total, self.values[c], c))
    }

    /// A withheld cell for `cell`: the smallest shown member over the lines
    /// holding `cell`.
    fn cover_for(&self, cell: usize, hidden: &[bool]) -> Option<usize> {
        self.lines
            .iter()
            .filter(|l| l.members().any(|c| c == cell))
            .filter_map(|l| self.smallest_shown(l, hidden))
            .min_by_key(|&c| (self.values[c], c))
    }

    /// The first withheld cell that the shown cells fix, if any.
    ///
    /// The withheld cells are the unknowns of the linear system given by
    /// the lines (parts +1, total -1). An unknown is fixed exactly when a
    /// row of the reduced row echelon form has it as its only non-zero.
    fn recoverable(&self, hidden: &[bool]) -> Option<usize> {
        let unknowns: Vec<usize> = (0..self.values.len()).filter(|&c| hidden[c]).collect();
        let column = |cell: usize| unknowns.iter().position(|&u| u == cell);
        let mut rows: Vec<Vec<f64>> = Vec::new();
        for line in &self.lines {
            let mut row = vec![0.0; unknowns.len()];
            for part in &line.parts {
                if let Some(j) = column(*part) {
                    row[j] += 1.0;
                }
            }
            if let Some(j) = column(line.total) {
                row[j] -= 1.0;
            }
            if row.iter().any(|&x| x != 0.0) {
                rows.push(row);
            }
        }
        rref(&mut rows);
        rows.iter().find_map(|row| {
            let mut nonzero = row.iter().enumerate().filter(|(_, x)| x.abs() > EPS);
            match (nonzero.next(), nonzero.next()) {
                (Some((j, _)), None) => Some(unknowns[j]),
                _ => None,
            }
        })
    }
}

/// Below this a coefficient is zero: the entries start as small integers,
/// so rounding noise is far smaller.
const EPS: f64 = 1e-9;

/// Reduces `rows` to reduced row echelon form in place.
fn rref(rows: &mut [Vec<f64>]) {
    let width = rows.first().map_or(0, Vec::len);
    let mut pivot_row = 0;
    for col in 0..width {
        if pivot_row == rows.len() {
            break;
        }
        // Partial pivoting keeps the arithmetic stable.
        let Some(best) = (pivot_row..rows.len())
            .filter(|&r| rows[r][col].abs() > EPS)
            .max_by(|&a, &b| rows[a][col].abs().total_cmp(&rows[b][col].abs()))
        else {
            continue;
        };
        rows.swap(pivot_row, best);
        let pivot = rows[pivot_row][col];
        for x in rows[pivot_row].iter_mut() {
            *x /= pivot;
        }
        let pivot_values = rows[pivot_row].clone();
        for (r, row) in rows.iter_mut().enumerate() {
            if r == pivot_row {
                continue;
            }
            let factor = row[col];
            if factor.abs() > EPS {
                for (x, p) in row.iter_mut().zip(&pivot_values) {
                    *x -= factor * p;
                }
            }
        }
        pivot_row += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table with row and column totals: `cells[r][c]`; returns the grid
    /// and the indices (cells, row totals, column totals, grand total).
    fn table(cells: &[&[u64]]) -> (Grid, Vec<Vec<usize>>, Vec<usize>, Vec<usize>, usize) {
        let mut g = Grid::new();
        let ids: Vec<Vec<usize>> = cells
            .iter()
            .map(|row| row.iter().map(|&v| g.cell(v)).collect())
            .collect();
        let row_totals: Vec<usize> = cells.iter().map(|r| g.cell(r.iter().sum())).collect();
        let width = cells[0].len();
        let col_totals: Vec<usize> = (0..width)
            .map(|c| g.cell(cells.iter().map(|r| r[c]).sum()))
            .collect();
        let grand = g.cell(cells.iter().flat_map(|r| r.iter()).sum());
        for (r, row) in ids.iter().enumerate() {
            g.line(row.clone(), row_totals[r]);
        }
        for c in 0..width {
            g.line(ids.iter().map(|r| r[c]).collect(), col_totals[c]);
        }
        g.line(row_totals.clone(), grand);
        g.line(col_totals.clone(), grand);
        (g, ids, row_totals, col_totals, grand)
    }

    #[test]
    fn a_lone_small_cell_takes_the_smallest_other_part_with_it() {
        let mut g = Grid::new();
        let cells: Vec<usize> = [3, 40, 12, 90].iter().map(|&v| g.cell(v)).collect();
        let total = g.cell(145);
        g.line(cells.clone(), total);
        let shown = g.suppress(5);
        assert_eq!(
            shown,
            vec![
                Shown::Small(5),
                Shown::Count(40),
                Shown::Withheld,
                Shown::Count(90),
                Shown::Count(145)
            ]
        );
    }

    #[test]
    fn nothing_small_nothing_withheld() {
        let (g, ..) = table(&[&[10, 20], &[30, 40]]);
        assert!(g.suppress(5).iter().all(|s| matches!(s, Shown::Count(_))));
    }

    #[test]
    fn two_small_cells_in_a_line_need_no_partner_there() {
        let mut g = Grid::new();
        let cells: Vec<usize> = [3, 2, 50].iter().map(|&v| g.cell(v)).collect();
        let total = g.cell(55);
        g.line(cells, total);
        let shown = g.suppress(5);
        assert_eq!(shown[2], Shown::Count(50));
        assert_eq!(shown[3], Shown::Count(55));
    }

    #[test]
    fn a_two_way_table_protects_rows_and_columns() {
        let (g, ids, ..) = table(&[&[3, 20, 30], &[40, 50, 60], &[70, 80, 90]]);
        let shown = g.suppress(5);
        // Row 0 and column 0 each need a partner, and the partners' own
        // row and column then need one: a rectangle of four cells.
        let withheld: Vec<(usize, usize)> = (0..3)
            .flat_map(|r| (0..3).map(move |c| (r, c)))
            .filter(|&(r, c)| !matches!(shown[ids[r][c]], Shown::Count(_)))
            .collect();
        assert_eq!(withheld, vec![(0, 0), (0, 1), (1, 0), (1, 1)]);
        assert!(g.recoverable(&hidden_of(&shown)).is_none());
    }

    #[test]
    fn a_bridge_between_two_protected_blocks_is_caught_by_elimination() {
        // Rows 0-1 x columns 0-1 and rows 2-3 x columns 2-3 are rectangles;
        // cell (1, 2) joins them and is fixed by summing the first block's
        // rows and columns, though every line holds two withheld cells.
        let mut g = Grid::new();
        let v = [
            [10u64, 10, 0, 0],
            [10, 10, 10, 0],
            [0, 0, 10, 10],
            [0, 0, 10, 10],
        ];
        let ids: Vec<Vec<usize>> = v
            .iter()
            .map(|row| row.iter().map(|&x| g.cell(x)).collect())
            .collect();
        let rt: Vec<usize> = v.iter().map(|r| g.cell(r.iter().sum())).collect();
        let ct: Vec<usize> = (0..4)
            .map(|c| g.cell(v.iter().map(|r| r[c]).sum()))
            .collect();
        for r in 0..4 {
            g.line(ids[r].clone(), rt[r]);
        }
        for c in 0..4 {
            g.line(ids.iter().map(|r| r[c]).collect(), ct[c]);
        }
        let mut hidden = vec![false; g.values.len()];
        for (r, c) in [
            (0, 0),
            (0, 1),
            (1, 0),
            (1, 1),
            (1, 2),
            (2, 2),
            (2, 3),
            (3, 2),
            (3, 3),
        ] {
            hidden[ids[r][c]] = true;
        }
        // The zeros are not withheld in this hand-made pattern: they are
        // known cells of the system.
        assert_eq!(g.recoverable(&hidden), Some(ids[1][2]));
    }

    #[test]
    fn a_small_total_hides_its_parts_and_the_grand_total_stays_safe() {
        let (g, ids, rt, _, grand) = table(&[&[1, 2], &[30, 40]]);
        let shown = g.suppress(5);
        assert_eq!(shown[ids[0][0]], Shown::Small(5));
        assert_eq!(shown[ids[0][1]], Shown::Small(5));
        assert_eq!(shown[rt[0]], Shown::Small(5));
        // The row total 3 is hidden; the grand total and row 1 would give
        // it, so something in that margin line is withheld.
        assert!(g.recoverable(&hidden_of(&shown)).is_none());
        let _ = grand;
    }

    #[test]
    fn labels_and_json() {
        assert_eq!(Shown::Small(5).label(), "<5");
        assert_eq!(Shown::Withheld.label(), "x");
        assert_eq!(
            serde_json::to_string(&[Shown::Count(7), Shown::Small(5), Shown::Withheld]).ok(),
            Some(r#"[7,"<5","x"]"#.to_string())
        );
    }

    fn hidden_of(shown: &[Shown]) -> Vec<bool> {
        shown
            .iter()
            .map(|s| !matches!(s, Shown::Count(_)))
            .collect()
    }
}
