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
//! 4. The marks say something too: a `<5` lies in 0..=4 and an `x` is 5 or
//!    more (else it would read `<5`), and no count is negative. A withheld
//!    cell that these bounds pin down (five `<5` routes beside a shown total
//!    that equals the one shown route: all five are 0; a `<5` and an `x`
//!    that must add up to 5: 0 and 5) is treated as in 3.
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
            if let Some(cell) = self.recoverable(&hidden) {
                match self.cover_for(cell, &hidden) {
                    Some(extra) => hidden[extra] = true,
                    // No shown member left in its lines: nothing more can
                    // be withheld there (cannot happen for a fixed cell,
                    // whose lines must hold a shown member).
                    None => break,
                }
                continue;
            }
            let pinned = self
                .fixed_by_bounds(&hidden, small)
                .or_else(|| self.fixed_by_search(&hidden, small));
            match pinned {
                Some(cell) => match self.unpin(cell, &hidden, small) {
                    Some(extra) => hidden[extra] = true,
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

/// An upper bound that stands for "no bound": far above any count, far
/// below overflow when a line adds up a few dozen of them.
const UNBOUNDED: i128 = 1 << 80;

/// How many steps one search for another value may take before it gives
/// up (and the cell counts as pinned, so more is withheld: never less safe).
const SEARCH_BUDGET: u32 = 20_000;

impl Grid {
    /// The first withheld cell that the shown cells pin down through the
    /// bounds the marks give (`<small`: 0 to small - 1; withheld: small or
    /// more), by propagating them along the lines until nothing changes.
    fn fixed_by_bounds(&self, hidden: &[bool], small: u64) -> Option<usize> {
        let (lo, hi) = self.bounds(hidden, small);
        (0..self.values.len()).find(|&c| hidden[c] && lo[c] >= hi[c])
    }

    /// The shown cell to withhold so that the bounds no longer pin `cell`:
    /// the bounds can run through several lines (two years' advert lets
    /// and their sum pin each year's), so the cells next to any withheld
    /// one are tried, smallest first; failing that, the smallest of them.
    fn unpin(&self, cell: usize, hidden: &[bool], small: u64) -> Option<usize> {
        let mut near: Vec<usize> = self
            .lines
            .iter()
            .filter(|l| l.members().any(|c| hidden[c]))
            .flat_map(|l| l.members().filter(|&c| !hidden[c]).collect::<Vec<_>>())
            .collect();
        near.sort_by_key(|&c| (self.values[c], c));
        near.dedup();
        let mut trial = hidden.to_vec();
        let freed = near.iter().copied().find(|&c| {
            trial[c] = true;
            let (lo, hi) = self.bounds(&trial, small);
            let free = lo[cell] < hi[cell] && self.has_other_value(cell, &trial, small);
            trial[c] = false;
            free
        });
        freed.or_else(|| near.first().copied())
    }

    /// The first withheld cell for which no other whole-number value fits
    /// the shown cells, the marks and the lines: a search, for what the
    /// bounds of single lines miss (several years' `<5` cells whose sums
    /// are pinned by a column and a row together).
    fn fixed_by_search(&self, hidden: &[bool], small: u64) -> Option<usize> {
        (0..self.values.len()).find(|&c| hidden[c] && !self.has_other_value(c, hidden, small))
    }

    /// Whether some whole-number counts other than the real ones, with a
    /// different value for `cell`, fit everything shown. The search is
    /// bounded; when it gives up, the answer is no (withhold more).
    fn has_other_value(&self, cell: usize, hidden: &[bool], small: u64) -> bool {
        let (lo, mut hi) = self.bounds(hidden, small);
        // No count exceeds the largest one: a cap that keeps the search
        // finite and loses no real solution worth finding.
        let cap = i128::from(self.values.iter().copied().max().unwrap_or(0));
        for h in hi.iter_mut() {
            *h = (*h).min(cap.max(i128::from(small)));
        }
        let v = i128::from(self.values[cell]);
        let mut budget = SEARCH_BUDGET;
        [(lo[cell], v - 1), (v + 1, hi[cell])]
            .into_iter()
            .filter(|(a, b)| a <= b)
            .any(|(a, b)| {
                let (mut l, mut h) = (lo.clone(), hi.clone());
                l[cell] = a;
                h[cell] = b;
                self.solve(&mut l, &mut h, &mut budget)
            })
    }

    /// Whether whole numbers within `lo..=hi` satisfy every line (depth
    /// first, the narrowest open cell first, within `budget` steps).
    fn solve(&self, lo: &mut [i128], hi: &mut [i128], budget: &mut u32) -> bool {
        if *budget == 0 {
            return false;
        }
        *budget -= 1;
        if !self.narrow(lo, hi) {
            return false;
        }
        let open = (0..lo.len())
            .filter(|&c| lo[c] < hi[c])
            .min_by_key(|&c| (hi[c] - lo[c], c));
        let Some(c) = open else {
            return true;
        };
        let (a, b) = (lo[c], hi[c]);
        for x in a..=b {
            let (mut l, mut h) = (lo.to_vec(), hi.to_vec());
            l[c] = x;
            h[c] = x;
            if self.solve(&mut l, &mut h, budget) {
                return true;
            }
            if *budget == 0 {
                return false;
            }
        }
        false
    }

    /// Narrows `lo..=hi` along the lines until nothing changes; false when
    /// some cell has no value left.
    fn narrow(&self, lo: &mut [i128], hi: &mut [i128]) -> bool {
        loop {
            match self.narrow_once(lo, hi) {
                None => return false,
                Some(false) => return true,
                Some(true) => {}
            }
        }
    }

    /// One pass of [`Grid::narrow`] over every line: each term of a line
    /// lies within what the line's other terms leave it. `Some(changed)`,
    /// or `None` as soon as some cell has no value left.
    fn narrow_once(&self, lo: &mut [i128], hi: &mut [i128]) -> Option<bool> {
        let mut changed = false;
        for line in &self.lines {
            let terms: Vec<(usize, i128)> = line
                .parts
                .iter()
                .map(|&c| (c, 1))
                .chain(std::iter::once((line.total, -1)))
                .collect();
            // The least and most each signed term, and the sum, can be.
            let least: Vec<i128> = terms
                .iter()
                .map(|&(c, s)| if s > 0 { lo[c] } else { -hi[c] })
                .collect();
            let most: Vec<i128> = terms
                .iter()
                .map(|&(c, s)| if s > 0 { hi[c] } else { -lo[c] })
                .collect();
            let (sum_least, sum_most): (i128, i128) = (least.iter().sum(), most.iter().sum());
            for (k, &(c, s)) in terms.iter().enumerate() {
                // s * x_c = -(the others), which lie in
                // [sum_least - least_c, sum_most - most_c].
                let (others_least, others_most) = (sum_least - least[k], sum_most - most[k]);
                let (new_lo, new_hi) = if s > 0 {
                    (-others_most, -others_least)
                } else {
                    (others_least, others_most)
                };
                if new_lo > lo[c] {
                    lo[c] = new_lo;
                    changed = true;
                }
                if new_hi < hi[c] {
                    hi[c] = new_hi;
                    changed = true;
                }
                if lo[c] > hi[c] {
                    return None;
                }
            }
        }
        Some(changed)
    }

    /// The bounds of every cell that the shown cells and the marks allow.
    fn bounds(&self, hidden: &[bool], small: u64) -> (Vec<i128>, Vec<i128>) {
        let small = i128::from(small);
        let (mut lo, mut hi): (Vec<i128>, Vec<i128>) = self
            .values
            .iter()
            .zip(hidden)
            .map(|(&v, &h)| {
                let v = i128::from(v);
                match (h, v < small) {
                    (false, _) => (v, v),
                    (true, true) => (0, small - 1),
                    (true, false) => (small, UNBOUNDED),
                }
            })
            .unzip();
        // Each round can only narrow a bound; chains of unbounded cells
        // narrow slowly and never to a point, so a few rounds suffice. The
        // true values satisfy every line, so no cell is ever left empty.
        for _ in 0..64 {
            if self.narrow_once(&mut lo, &mut hi) != Some(true) {
                break;
            }
        }
        (lo, hi)
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
    fn zeros_beside_a_total_equal_to_the_one_shown_part_are_protected() {
        let mut g = Grid::new();
        let cells: Vec<usize> = [120, 0, 0, 0].iter().map(|&v| g.cell(v)).collect();
        let total = g.cell(120);
        g.line(cells.clone(), total);
        let shown = g.suppress(5);
        // Shown, the 120 would make every <5 a 0.
        assert_eq!(shown[cells[0]], Shown::Withheld);
        assert!(g.fixed_by_bounds(&hidden_of(&shown), 5).is_none());
    }

    #[test]
    fn a_small_cell_and_its_partner_that_must_add_up_to_5_are_protected() {
        // 0 is withheld with the smallest other part, 5: shown beside the
        // total they add up to 5, and a <5 with an x (5 or more) can only
        // be 0 and 5.
        let mut g = Grid::new();
        let cells: Vec<usize> = [20, 0, 5, 6].iter().map(|&v| g.cell(v)).collect();
        let total = g.cell(31);
        g.line(cells.clone(), total);
        let shown = g.suppress(5);
        assert!(g.fixed_by_bounds(&hidden_of(&shown), 5).is_none());
        assert!(g.recoverable(&hidden_of(&shown)).is_none());
        let hidden = shown
            .iter()
            .filter(|s| !matches!(s, Shown::Count(_)))
            .count();
        assert!(hidden >= 3, "{shown:?}");
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
