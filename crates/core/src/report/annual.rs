//! annual.md and annual.json (spec 6, issue 5): the letting figures for the
//! corporation's public annual report.
//!
//! Aggregates only: no names, no ids, no date finer than the year (and the
//! audit period itself). Every figure is per year of the let, the year of
//! contract_start, else of allocated_on, as the compliance figures of spec 5
//! count it, over the allocations in the period. Counts under
//! `thresholds.small_cell` are shown as `<5` and protected against being
//! worked out from the totals by the rule of [`crate::privacy::suppress`]; a share is
//! only shown when both its parts (those that meet and those that do not)
//! are shown, since a share and its total give the count back.
//!
//! Nothing here depends on time or hash order, so reruns are byte-identical.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use serde::Serialize;

use super::format::percent;
use super::Report;
use crate::analysis::statistics::{ComplianceYear, Share};
use crate::analysis::Coverage;
use crate::audit::Audit;
use crate::checks::CheckCode;
use crate::model::Route;
use crate::privacy::suppress::{Grid, Shown, WITHHELD};
use crate::read::reviews::{Reviews, Status};

/// What follow-up a bypass got is only known from reviews, which this
/// version does not read yet.
const FOLLOW_UP_NOTE: &str = "not reviewed: the follow-up of bypasses comes from the reviews of the exception list, given with run --reviews, and none were given";

/// The follow-up figures when reviews were given.
const FOLLOW_UP_REVIEWED: &str = "from the reviews of the exception list given with run --reviews: each advert let with a bypass counts once, under the least settled status of its ORDER_BYPASS findings (escalated, open, not reviewed, explained, false positive, in that order)";

/// The follow-up categories, least settled first; index into
/// `Counts::follow_up`.
const FOLLOW_UP: [&str; 5] = [
    "escalated",
    "open",
    "not reviewed",
    "explained",
    "false positive",
];

/// The follow-up category of one ORDER_BYPASS finding.
fn follow_up_rank(status: Option<Status>) -> usize {
    match status {
        Some(Status::Escalated) => 0,
        Some(Status::Open) => 1,
        None => 2,
        Some(Status::Explained) => 3,
        Some(Status::FalsePositive) => 4,
    }
}

/// The counts of one year (or of all years together), before suppression.
#[derive(Clone, Debug, Default)]
struct Counts {
    routes: [u64; 6],
    lets: u64,
    staff: u64,
    staff_exception: u64,
    bypass: u64,
    /// Bypassed advert lets per follow-up category, with reviews.
    follow_up: Option<[u64; 5]>,
}

/// One norm's counts for one year, from stats.json.
struct NormCounts {
    meets: u64,
    fails: u64,
    judged: u64,
    unknown: u64,
}

impl NormCounts {
    fn of(share: &Share) -> NormCounts {
        NormCounts {
            meets: share.numerator,
            fails: share.denominator.saturating_sub(share.numerator),
            judged: share.denominator,
            unknown: share.unknown,
        }
    }
}

/// Cell indices of one row of the lets-and-bypass figures.
struct RowCells {
    routes: [usize; 6],
    lets: usize,
    staff: usize,
    staff_exception: usize,
    staff_plain: usize,
    bypass: usize,
    no_bypass: usize,
    follow_up: Option<[usize; 5]>,
}

impl RowCells {
    fn new(g: &mut Grid, c: &Counts) -> RowCells {
        let routes = c.routes.map(|n| g.cell(n));
        let lets = g.cell(c.lets);
        let staff = g.cell(c.staff);
        let staff_exception = g.cell(c.staff_exception);
        let staff_plain = g.cell(c.staff.saturating_sub(c.staff_exception));
        let bypass = g.cell(c.bypass);
        let no_bypass = g.cell(c.routes[0].saturating_sub(c.bypass));
        // Each row of each table is a line: routes add up to the lets,
        // staff lets split by exception, advert lets split by bypass.
        g.line(routes.to_vec(), lets);
        g.line(vec![staff_exception, staff_plain], staff);
        g.line(vec![bypass, no_bypass], routes[0]);
        // The follow-up categories split the bypassed lets.
        let follow_up = c.follow_up.map(|f| f.map(|n| g.cell(n)));
        if let Some(f) = follow_up {
            g.line(f.to_vec(), bypass);
        }
        RowCells {
            routes,
            lets,
            staff,
            staff_exception,
            staff_plain,
            bypass,
            no_bypass,
            follow_up,
        }
    }

    /// Every cell in a fixed order, for the column lines over the years.
    fn all(&self) -> Vec<usize> {
        let mut v = self.routes.to_vec();
        v.extend([
            self.lets,
            self.staff,
            self.staff_exception,
            self.staff_plain,
            self.bypass,
            self.no_bypass,
        ]);
        v.extend(self.follow_up.iter().flatten());
        v
    }
}

/// Cell indices of one norm of one year.
struct NormCells {
    meets: usize,
    fails: usize,
    judged: usize,
    unknown: usize,
}

impl NormCells {
    fn new(g: &mut Grid, n: &NormCounts) -> NormCells {
        let cells = NormCells {
            meets: g.cell(n.meets),
            fails: g.cell(n.fails),
            judged: g.cell(n.judged),
            unknown: g.cell(n.unknown),
        };
        g.line(vec![cells.meets, cells.fails], cells.judged);
        cells
    }
}

/// The coverage counts of one year (or all years), before suppression
/// (spec 5, "Coverage").
#[derive(Clone, Debug, Default)]
struct CoverageCounts {
    /// Lets per [`Coverage`] kind, in the order of [`Coverage::ALL`].
    kinds: [u64; 4],
    /// Lets whose tenant is linkable by self and address.
    linkable: u64,
    /// All lets.
    lets: u64,
}

/// Cell indices of one row of the coverage figures. The lets and the
/// advert lets are the cells of the route table ([`RowCells`]), so the
/// tables are protected together.
struct CoverageCells {
    lets: usize,
    /// Checked, discretionary, no known advert: they add up to the advert
    /// lets.
    advert: [usize; 3],
    /// Not advertised: the other routes add up to it.
    non_advert: usize,
    linkable: usize,
    not_linkable: usize,
}

impl CoverageCells {
    fn new(g: &mut Grid, c: &CoverageCounts, row: &RowCells) -> CoverageCells {
        let advert = [c.kinds[0], c.kinds[1], c.kinds[2]].map(|n| g.cell(n));
        let non_advert = g.cell(c.kinds[3]);
        let linkable = g.cell(c.linkable);
        let not_linkable = g.cell(c.lets.saturating_sub(c.linkable));
        g.line(advert.to_vec(), row.routes[0]);
        g.line(row.routes[1..].to_vec(), non_advert);
        g.line(vec![row.routes[0], non_advert], row.lets);
        g.line(vec![linkable, not_linkable], row.lets);
        CoverageCells {
            lets: row.lets,
            advert,
            non_advert,
            linkable,
            not_linkable,
        }
    }

    /// The cells of its own, in a fixed order, for the column lines over
    /// the years.
    fn own(&self) -> Vec<usize> {
        let mut v = self.advert.to_vec();
        v.extend([self.non_advert, self.linkable, self.not_linkable]);
        v
    }

    fn out(&self, shown: &[Shown]) -> CoverageOut {
        let s = |i: usize| shown[i];
        CoverageOut {
            lets: s(self.lets),
            checked: s(self.advert[0]),
            discretionary_advert: s(self.advert[1]),
            no_known_advert: s(self.advert[2]),
            not_advertised: s(self.non_advert),
            tenant_linkable: s(self.linkable),
            tenant_not_linkable: s(self.not_linkable),
        }
    }
}

/// The coverage cells of every year (in the order of `rows`) and of all
/// years, from the facts of the lets in the period.
fn coverage_cells(
    g: &mut Grid,
    audit: &Audit<'_>,
    years: &[&ComplianceYear],
    rows: &[RowCells],
    all: Option<&RowCells>,
) -> (Vec<CoverageCells>, Option<CoverageCells>) {
    let mut per_year: BTreeMap<i32, CoverageCounts> = BTreeMap::new();
    let mut sum = CoverageCounts::default();
    for l in &audit.facts.lets {
        let kind = Coverage::ALL
            .iter()
            .position(|&k| k == l.coverage)
            .unwrap_or(3);
        for c in [per_year.entry(l.year).or_default(), &mut sum] {
            c.kinds[kind] += 1;
            c.linkable += u64::from(l.linkable);
            c.lets += 1;
        }
    }
    let cells: Vec<CoverageCells> = years
        .iter()
        .zip(rows)
        .map(|(y, row)| {
            let c = per_year.get(&y.year).cloned().unwrap_or_default();
            CoverageCells::new(g, &c, row)
        })
        .collect();
    let total = all.map(|row| {
        let total = CoverageCells::new(g, &sum, row);
        let columns: Vec<Vec<usize>> = cells.iter().map(CoverageCells::own).collect();
        for (i, t) in total.own().into_iter().enumerate() {
            g.line(columns.iter().map(|c| c[i]).collect(), t);
        }
        total
    });
    (cells, total)
}

/// What the order checks could do with the lets, as published.
#[derive(Serialize)]
struct CoverageOut {
    lets: Shown,
    checked: Shown,
    discretionary_advert: Shown,
    no_known_advert: Shown,
    not_advertised: Shown,
    tenant_linkable: Shown,
    tenant_not_linkable: Shown,
}

/// Lets per route, as published.
#[derive(Serialize)]
struct RoutesOut {
    advert: Shown,
    urgency: Shown,
    direct: Shown,
    temporary: Shown,
    swap: Shown,
    other: Shown,
}

/// Staff-circle lets, as published.
#[derive(Serialize)]
struct StaffOut {
    lets: Shown,
    with_exception: Shown,
    without_exception: Shown,
}

/// Bypasses of the order, as published.
#[derive(Serialize)]
struct BypassOut {
    advert_lets: Shown,
    with_bypass: Shown,
    without_bypass: Shown,
    share: Option<f64>,
    follow_up: Option<FollowUpOut>,
    follow_up_note: &'static str,
}

/// The follow-up of the bypassed lets, from the reviews, as published.
#[derive(Serialize)]
struct FollowUpOut {
    escalated: Shown,
    open: Shown,
    not_reviewed: Shown,
    explained: Shown,
    false_positive: Shown,
}

impl FollowUpOut {
    fn label(&self) -> String {
        [
            self.escalated,
            self.open,
            self.not_reviewed,
            self.explained,
            self.false_positive,
        ]
        .iter()
        .zip(FOLLOW_UP)
        .map(|(n, name)| format!("{name} {}", n.label()))
        .collect::<Vec<_>>()
        .join(", ")
    }
}

/// One compliance norm, as published.
#[derive(Serialize)]
struct NormOut {
    meets: Shown,
    does_not_meet: Shown,
    judged: Shown,
    unknown: Shown,
    share: Option<f64>,
    norm: f64,
    #[serde(skip_serializing_if = "String::is_empty")]
    note: String,
}

/// The figures of one year, or of all years.
#[derive(Serialize)]
struct YearOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    year: Option<i32>,
    lets: Shown,
    routes: RoutesOut,
    advert_share: Option<f64>,
    staff_circle: StaffOut,
    bypasses: BypassOut,
    /// Distinct seekers who lost a home (spec 4.2) on the lets of the
    /// year: a count without a total, suppressed when small.
    #[serde(skip_serializing_if = "Option::is_none")]
    affected_seekers: Option<Shown>,
    #[serde(skip_serializing_if = "Option::is_none")]
    coverage: Option<CoverageOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    limits_year: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    passend: Option<NormOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    daeb: Option<NormOut>,
    #[serde(skip_serializing_if = "String::is_empty")]
    note: String,
}

/// The whole of annual.json.
#[derive(Serialize)]
struct AnnualOut {
    title: &'static str,
    tool: &'static str,
    version: &'static str,
    period: String,
    year_of_a_let: &'static str,
    small_cell: u64,
    legend: BTreeMap<String, String>,
    suppression_rule: String,
    definitions: BTreeMap<&'static str, &'static str>,
    years: Vec<YearOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    all_years: Option<YearOut>,
}

/// The two annual files.
pub struct Annual {
    /// annual.json bytes.
    pub json: Vec<u8>,
    /// annual.md bytes.
    pub markdown: Vec<u8>,
}

/// The suppression rule in words, written into both files.
fn rule_text(small: u64) -> String {
    format!(
        "A count under {small} (0 included) is shown as <{small}. Where a total is shown \
         and exactly one count that adds up to it is hidden, the smallest other count \
         of that total is hidden as well and shown as {WITHHELD}; this is repeated until \
         no hidden count can be worked out from the counts and totals shown, also by \
         combining rows and columns or tables that share a count (the advert lets of a \
         year are both a route count and the total of the bypass split). A share is shown \
         only when the counts that meet and that do not meet it are both shown."
    )
}

/// The cells of every published count in the suppression grid.
struct Cells {
    /// Lets and bypasses, one row per year.
    rows: Vec<RowCells>,
    /// The passend and DAEB norms, per year.
    norms: Vec<(NormCells, NormCells)>,
    /// The row of all years, with more than one year.
    all: Option<RowCells>,
}

impl Cells {
    /// Puts every count into `g` with the lines that add up (years' rows,
    /// then their norms, then the row of all years), so that suppression
    /// sees every total a reader could use.
    fn new(
        g: &mut Grid,
        years: &[&ComplianceYear],
        per_year: &BTreeMap<i32, Counts>,
        reviewed: bool,
    ) -> Cells {
        let rows: Vec<RowCells> = years
            .iter()
            .map(|y| {
                let c = per_year.get(&y.year).cloned().unwrap_or_else(|| Counts {
                    follow_up: reviewed.then_some([0; 5]),
                    ..Counts::default()
                });
                RowCells::new(g, &c)
            })
            .collect();
        let norms = years
            .iter()
            .map(|y| {
                (
                    NormCells::new(g, &NormCounts::of(&y.passend)),
                    NormCells::new(g, &NormCounts::of(&y.daeb)),
                )
            })
            .collect();
        let all = (years.len() > 1).then(|| all_years_row(g, per_year, &rows));
        Cells { rows, norms, all }
    }
}

/// The row of all years: each of its cells the total of the same cell
/// over the years' `rows`, and a line for each such column.
fn all_years_row(g: &mut Grid, per_year: &BTreeMap<i32, Counts>, rows: &[RowCells]) -> RowCells {
    let mut sum = Counts::default();
    for c in per_year.values() {
        for (s, r) in sum.routes.iter_mut().zip(c.routes) {
            *s += r;
        }
        sum.lets += c.lets;
        sum.staff += c.staff;
        sum.staff_exception += c.staff_exception;
        sum.bypass += c.bypass;
        if let Some(f) = c.follow_up {
            let s = sum.follow_up.get_or_insert([0; 5]);
            for (s, n) in s.iter_mut().zip(f) {
                *s += n;
            }
        }
    }
    let total = RowCells::new(g, &sum);
    let columns: Vec<Vec<usize>> = rows.iter().map(RowCells::all).collect();
    for (i, t) in total.all().into_iter().enumerate() {
        g.line(columns.iter().map(|c| c[i]).collect(), t);
    }
    total
}

/// The marks a suppressed count can read as, and what each means.
fn legend(small: u64) -> BTreeMap<String, String> {
    [
        (
            format!("<{small}"),
            format!("a count under {small}, 0 included"),
        ),
        (
            WITHHELD.to_string(),
            format!(
                "a count hidden so that a count under {small} cannot be worked out from a total"
            ),
        ),
    ]
    .into()
}

/// Builds annual.md and annual.json from the run's findings and statistics.
///
/// With `reviews` (`run --reviews`), the bypassed lets are split by the
/// follow-up their ORDER_BYPASS findings got.
pub fn render(report: &Report<'_>) -> Annual {
    let audit = report.audit;
    let reviews = report.run.reviews;
    let reviewed = reviews.is_some();
    let small = audit.config().thresholds.small_cell;
    let per_year = count_per_year(audit, reviews);
    let years: Vec<&ComplianceYear> = audit.stats.compliance.iter().collect();

    let mut g = Grid::new();
    let cells = Cells::new(&mut g, &years, &per_year, reviewed);
    let coverage = coverage_cells(&mut g, audit, &years, &cells.rows, cells.all.as_ref());
    // The affected seekers per year, and over all years (distinct seekers:
    // not the sum of the years, so no total relation; each is simply
    // suppressed when small).
    let per_year_affected = audit.affected.seekers_per_year();
    let affected_cells: Vec<usize> = years
        .iter()
        .map(|y| g.cell(per_year_affected.get(&y.year).copied().unwrap_or(0)))
        .collect();
    let affected_all = cells
        .all
        .as_ref()
        .map(|_| g.cell(audit.stats.affected.seekers));
    let shown = g.suppress(small);

    let mut out_years: Vec<YearOut> = years
        .iter()
        .zip(&cells.rows)
        .zip(&cells.norms)
        .map(|((y, row), norms)| dated_year_out(y, row, norms, &shown, reviewed))
        .collect();
    let mut all_years = cells
        .all
        .as_ref()
        .map(|row| year_out(row, &shown, reviewed));
    for (out, c) in out_years.iter_mut().zip(&coverage.0) {
        out.coverage = Some(c.out(&shown));
    }
    if let (Some(out), Some(c)) = (all_years.as_mut(), &coverage.1) {
        out.coverage = Some(c.out(&shown));
    }
    for (out, &c) in out_years.iter_mut().zip(&affected_cells) {
        out.affected_seekers = Some(shown[c]);
    }
    if let (Some(out), Some(c)) = (all_years.as_mut(), affected_all) {
        out.affected_seekers = Some(shown[c]);
    }

    let annual = AnnualOut {
        title: "Letting figures for the annual report",
        tool: "woonaudit",
        version: env!("CARGO_PKG_VERSION"),
        period: audit.period().to_string(),
        year_of_a_let: "the year of contract_start, else of allocated_on",
        small_cell: small,
        legend: legend(small),
        suppression_rule: rule_text(small),
        definitions: definitions(),
        years: out_years,
        all_years,
    };
    // Serialising plain structs of numbers and strings cannot fail.
    let mut json = serde_json::to_vec_pretty(&annual).unwrap_or_default();
    json.push(b'\n');
    let markdown = markdown(&annual).into_bytes();
    Annual { json, markdown }
}

/// What each figure counts, in words.
fn definitions() -> BTreeMap<&'static str, &'static str> {
    [
        ("lets", "allocations (lets) in the period, every route"),
        ("advert_share", "share of the lets made through the aanbodsysteem (route advert)"),
        ("staff_circle", "lets to a tenant linked to an employee (self, declared private circle, or an undeclared link by address, contact or surname and postcode): the STAFF_ALLOCATION register"),
        ("with_exception", "staff-circle lets with at least one other finding of the audit on the same allocation"),
        ("bypasses", "advert lets where a candidate ranked above the tenant was passed over without a recorded refusal or reason (at least one ORDER_BYPASS finding)"),
        ("affected_seekers", "seekers who should have been offered an advertised home before its tenant: a candidate passed over without a recorded refusal or reason (ORDER_BYPASS), or one who would have ranked above a tenant whose registration date was moved earlier; each seeker counted once per year, and once over all years"),
        ("coverage", "what the order checks could do with the lets: checked against the order of their advert (route advert, the advert known and with a fixed order), on a discretionary advert (no fixed order), route advert without a known advert, or not advertised (another route); and whether the tenant is on the waiting list with a birth date and a postcode, so that a link to staff could be looked for by self and by address"),
        ("passend", "passend toewijzen: of the lets to households at or under the passend income limit (the AOW limit when the tenant is of AOW age), the share with rent at or under the aftoppingsgrens (norm 95%); lets with unknown income, size or rent are counted as unknown"),
        ("daeb", "DAEB: of the lets with rent at or under the DAEB rent cap, the share to households at or under the DAEB income limit (norm 92.5%); lets with unknown figures are counted as unknown"),
    ]
    .into()
}

/// Counts per year of the let, from the facts of the lets in the period
/// and the findings on them.
fn count_per_year(audit: &Audit<'_>, reviews: Option<&Reviews>) -> BTreeMap<i32, Counts> {
    // Route counts come from stats.json, so both files agree.
    let mut per_year: BTreeMap<i32, Counts> = audit
        .stats
        .compliance
        .iter()
        .map(|y| {
            let c = Counts {
                routes: std::array::from_fn(|i| y.routes.get(Route::ALL[i])),
                lets: y.lets,
                follow_up: reviews.map(|_| [0; 5]),
                ..Counts::default()
            };
            (y.year, c)
        })
        .collect();
    // The least settled follow-up of each bypassed let's findings.
    let mut follow_up: HashMap<&str, usize> = HashMap::new();
    if let Some(r) = reviews {
        for f in audit
            .findings
            .iter()
            .filter(|f| f.check == CheckCode::OrderBypass)
        {
            let rank = follow_up_rank(r.by_id.get(&f.id()).map(|v| v.status));
            let e = follow_up.entry(f.subject_id.as_str()).or_insert(rank);
            *e = (*e).min(rank);
        }
    }
    for l in &audit.facts.lets {
        let Some(c) = per_year.get_mut(&l.year) else {
            continue;
        };
        if l.checks.contains(&CheckCode::StaffAllocation) {
            c.staff += 1;
            if l.checks.iter().any(|&k| k != CheckCode::StaffAllocation) {
                c.staff_exception += 1;
            }
        }
        if l.bypass {
            c.bypass += 1;
            if let (Some(f), Some(&rank)) =
                (c.follow_up.as_mut(), follow_up.get(l.alloc.id.as_str()))
            {
                f[rank] += 1;
            }
        }
    }
    per_year
}

/// A share rounded to four decimals, shown only when both parts are.
fn share(part: Shown, rest: Shown) -> Option<f64> {
    let (p, r) = (part.count()?, rest.count()?);
    let whole = p + r;
    (whole > 0).then(|| (p as f64 / whole as f64 * 10_000.0).round() / 10_000.0)
}

/// The published figures of one year: its lets and bypasses, with the
/// compliance norms and the note stats.json gives for it.
fn dated_year_out(
    y: &ComplianceYear,
    row: &RowCells,
    (passend, daeb): &(NormCells, NormCells),
    shown: &[Shown],
    reviewed: bool,
) -> YearOut {
    let mut out = year_out(row, shown, reviewed);
    out.year = Some(y.year);
    out.limits_year = y.limits_year;
    out.passend = Some(norm_out(passend, &y.passend, shown));
    out.daeb = Some(norm_out(daeb, &y.daeb, shown));
    out.note = y.note.clone();
    out
}

/// The published lets and bypasses of one row of cells, undated and
/// without norms (as the row of all years is published).
fn year_out(c: &RowCells, shown: &[Shown], reviewed: bool) -> YearOut {
    let s = |i: usize| shown[i];
    let r = c.routes.map(s);
    // The advert share's complement is the other routes together.
    let advert_share = match (r[0].count(), s(c.lets).count()) {
        (Some(advert), Some(lets)) if lets > 0 => {
            share(Shown::Count(advert), Shown::Count(lets - advert))
        }
        _ => None,
    };
    YearOut {
        year: None,
        lets: s(c.lets),
        routes: RoutesOut {
            advert: r[0],
            urgency: r[1],
            direct: r[2],
            temporary: r[3],
            swap: r[4],
            other: r[5],
        },
        advert_share,
        staff_circle: StaffOut {
            lets: s(c.staff),
            with_exception: s(c.staff_exception),
            without_exception: s(c.staff_plain),
        },
        bypasses: BypassOut {
            advert_lets: r[0],
            with_bypass: s(c.bypass),
            without_bypass: s(c.no_bypass),
            share: share(s(c.bypass), s(c.no_bypass)),
            follow_up: c.follow_up.map(|f| FollowUpOut {
                escalated: s(f[0]),
                open: s(f[1]),
                not_reviewed: s(f[2]),
                explained: s(f[3]),
                false_positive: s(f[4]),
            }),
            follow_up_note: if reviewed {
                FOLLOW_UP_REVIEWED
            } else {
                FOLLOW_UP_NOTE
            },
        },
        affected_seekers: None,
        coverage: None,
        limits_year: None,
        passend: None,
        daeb: None,
        note: String::new(),
    }
}

fn norm_out(c: &NormCells, from: &Share, shown: &[Shown]) -> NormOut {
    let s = |i: usize| shown[i];
    let value = share(s(c.meets), s(c.fails));
    let note = if value.is_none() && from.share.is_some() {
        "share not shown: it would give away a count that is hidden".to_string()
    } else {
        from.note.clone()
    };
    NormOut {
        meets: s(c.meets),
        does_not_meet: s(c.fails),
        judged: s(c.judged),
        unknown: s(c.unknown),
        share: value,
        norm: from.norm,
        note,
    }
}

/// The table of the seekers who lost a home in annual.md.
fn affected_markdown(m: &mut String, rows: &[(String, &YearOut)]) {
    let _ = writeln!(m, "\n## Seekers who lost a home\n");
    let _ = writeln!(
        m,
        "Seekers who should have been offered an advertised home before the tenant who got \
         it: passed over without a recorded refusal or reason, or ranked above a tenant whose \
         registration date was moved earlier. Each seeker counted once.\n"
    );
    let _ = writeln!(m, "| year | seekers |");
    let _ = writeln!(m, "|---|---:|");
    for (label, y) in rows {
        if let Some(n) = y.affected_seekers {
            let _ = writeln!(m, "| {label} | {} |", n.label());
        }
    }
}

/// The coverage table of annual.md.
fn coverage_markdown(m: &mut String, rows: &[(String, &YearOut)]) {
    let _ = writeln!(m, "\n## What the audit could check\n");
    let _ = writeln!(
        m,
        "Lets checked against the order of their advert, lets on a discretionary advert \
         (no fixed order), advert lets without a known advert, and lets not advertised \
         (another route: checked for approval and staff links only); and lets to a tenant \
         on the waiting list with a birth date and a postcode, for whom a link to staff \
         could be looked for in full.\n"
    );
    let _ = writeln!(
        m,
        "| year | lets | checked against the order | discretionary advert | no known advert | not advertised | tenant linkable | tenant not linkable |"
    );
    let _ = writeln!(m, "|---|---:|---:|---:|---:|---:|---:|---:|");
    for (label, y) in rows {
        let Some(c) = &y.coverage else {
            continue;
        };
        let _ = writeln!(
            m,
            "| {label} | {} | {} | {} | {} | {} | {} | {} |",
            c.lets.label(),
            c.checked.label(),
            c.discretionary_advert.label(),
            c.no_known_advert.label(),
            c.not_advertised.label(),
            c.tenant_linkable.label(),
            c.tenant_not_linkable.label()
        );
    }
}

/// What a share that is not shown reads as.
const NOT_SHOWN: &str = "-";

fn passend_of(y: &YearOut) -> Option<&NormOut> {
    y.passend.as_ref()
}

fn daeb_of(y: &YearOut) -> Option<&NormOut> {
    y.daeb.as_ref()
}

/// annual.md: the tables of annual.json, one section per group of figures.
fn markdown(a: &AnnualOut) -> String {
    let mut m = String::new();
    preamble(&mut m, a);
    let mut rows: Vec<(String, &YearOut)> = a
        .years
        .iter()
        .map(|y| (y.year.map(|v| v.to_string()).unwrap_or_default(), y))
        .collect();
    if let Some(all) = &a.all_years {
        rows.push(("all years".to_string(), all));
    }
    if rows.is_empty() {
        let _ = writeln!(m, "No lets in the period.");
        return m;
    }
    routes_table(&mut m, &rows);
    staff_table(&mut m, &rows);
    bypass_table(&mut m, &rows);
    affected_markdown(&mut m, &rows);
    coverage_markdown(&mut m, &rows);
    for (title, what, pick) in [
        (
            "Passend toewijzen",
            "Of the lets to households at or under the passend income limit for their size, \
             those with rent at or under the aftoppingsgrens. Unknown: income, size or rent \
             not known.",
            passend_of as fn(&YearOut) -> Option<&NormOut>,
        ),
        (
            "DAEB",
            "Of the lets with rent at or under the DAEB rent cap, those to households at or \
             under the DAEB income limit for their size. Unknown: rent, or (within the cap) \
             income or size not known.",
            daeb_of,
        ),
    ] {
        norm_table(&mut m, &a.years, title, what, pick);
    }
    year_notes(&mut m, &a.years);
    m
}

// Writing into a String cannot fail: the sections below ignore the
// results of `writeln!`.

/// The title, the period and how to read the tables (the legend and the
/// suppression rule).
fn preamble(m: &mut String, a: &AnnualOut) {
    let _ = writeln!(m, "# {}\n", a.title);
    let _ = writeln!(
        m,
        "Period: {}. Figures are per year of the let ({}). Produced by {} {}.\n",
        a.period, a.year_of_a_let, a.tool, a.version
    );
    let _ = writeln!(
        m,
        "Aggregates only: these figures hold no names, no ids and no dates.\n"
    );
    let _ = writeln!(m, "## How to read the tables\n");
    for (mark, meaning) in &a.legend {
        let _ = writeln!(m, "- `{mark}`: {meaning}.");
    }
    let _ = writeln!(
        m,
        "- `-`: no share (none to compute, or it would give away a hidden count)."
    );
    let _ = writeln!(m, "\nSmall counts: {}\n", a.suppression_rule);
}

/// "Lets per route": each route's lets, all lets and the advert share.
fn routes_table(m: &mut String, rows: &[(String, &YearOut)]) {
    let _ = writeln!(m, "## Lets per route\n");
    let mut header = String::from("| year |");
    for route in Route::ALL {
        let _ = write!(header, " {} |", route.public_label());
    }
    let _ = writeln!(m, "{header} all lets | share through the aanbodsysteem |");
    let _ = writeln!(m, "|---|{}---:|---:|", "---:|".repeat(Route::ALL.len()));
    for (label, y) in rows {
        let r = &y.routes;
        let _ = writeln!(
            m,
            "| {label} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.advert.label(),
            r.urgency.label(),
            r.direct.label(),
            r.temporary.label(),
            r.swap.label(),
            r.other.label(),
            y.lets.label(),
            percent(y.advert_share, NOT_SHOWN)
        );
    }
}

/// "Lets to the private circle of staff", split by exception.
fn staff_table(m: &mut String, rows: &[(String, &YearOut)]) {
    let _ = writeln!(m, "\n## Lets to the private circle of staff\n");
    let _ = writeln!(
        m,
        "A staff-circle let is a let to a tenant linked to an employee. An exception is any \
         other finding of the audit on the same let.\n"
    );
    let _ = writeln!(
        m,
        "| year | staff-circle lets | with an exception | without an exception |"
    );
    let _ = writeln!(m, "|---|---:|---:|---:|");
    for (label, y) in rows {
        let s = &y.staff_circle;
        let _ = writeln!(
            m,
            "| {label} | {} | {} | {} |",
            s.lets.label(),
            s.with_exception.label(),
            s.without_exception.label()
        );
    }
}

/// "Bypasses of the waiting-list order", with their follow-up.
fn bypass_table(m: &mut String, rows: &[(String, &YearOut)]) {
    let _ = writeln!(m, "\n## Bypasses of the waiting-list order\n");
    let follow_up_note = rows
        .first()
        .map_or(FOLLOW_UP_NOTE, |(_, y)| y.bypasses.follow_up_note);
    let _ = writeln!(
        m,
        "Advert lets where a candidate ranked above the tenant was passed over without a \
         recorded refusal or reason. Follow-up: {follow_up_note}.\n"
    );
    let _ = writeln!(
        m,
        "| year | advert lets | with a bypass | without a bypass | share with a bypass | follow-up |"
    );
    let _ = writeln!(m, "|---|---:|---:|---:|---:|---|");
    for (label, y) in rows {
        let b = &y.bypasses;
        let _ = writeln!(
            m,
            "| {label} | {} | {} | {} | {} | {} |",
            b.advert_lets.label(),
            b.with_bypass.label(),
            b.without_bypass.label(),
            percent(b.share, NOT_SHOWN),
            b.follow_up
                .as_ref()
                .map_or_else(|| "not reviewed".to_string(), FollowUpOut::label)
        );
    }
}

/// The section of one compliance norm (`pick` chooses it from a year):
/// a row per year that has it, then the years' notes on it.
fn norm_table(
    m: &mut String,
    years: &[YearOut],
    title: &str,
    what: &str,
    pick: fn(&YearOut) -> Option<&NormOut>,
) {
    let _ = writeln!(m, "\n## {title}\n");
    let _ = writeln!(m, "{what}\n");
    let _ = writeln!(
        m,
        "| year | limits of | meet | do not meet | judged | unknown | share | norm |"
    );
    let _ = writeln!(m, "|---|---|---:|---:|---:|---:|---:|---:|");
    let mut notes = Vec::new();
    for y in years {
        let Some(n) = pick(y) else {
            continue;
        };
        let year = y.year.map(|v| v.to_string()).unwrap_or_default();
        let _ = writeln!(
            m,
            "| {year} | {} | {} | {} | {} | {} | {} | {} |",
            y.limits_year.map_or("-".to_string(), |v| v.to_string()),
            n.meets.label(),
            n.does_not_meet.label(),
            n.judged.label(),
            n.unknown.label(),
            percent(n.share, NOT_SHOWN),
            percent(Some(n.norm), NOT_SHOWN)
        );
        if !n.note.is_empty() {
            notes.push(format!("{year}: {}", n.note));
        }
    }
    for note in notes {
        let _ = writeln!(m, "\n- {note}");
    }
}

/// "Notes": each year's note, if any year has one.
fn year_notes(m: &mut String, years: &[YearOut]) {
    let year_notes: Vec<String> = years
        .iter()
        .filter(|y| !y.note.is_empty())
        .map(|y| {
            format!(
                "- {}: {}",
                y.year.map(|v| v.to_string()).unwrap_or_default(),
                y.note
            )
        })
        .collect();
    if !year_notes.is_empty() {
        let _ = writeln!(m, "\n## Notes\n");
        for n in year_notes {
            let _ = writeln!(m, "{n}");
        }
    }
}
