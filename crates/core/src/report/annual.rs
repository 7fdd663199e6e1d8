//! annual.md and annual.json (spec 6, issues 5 and 14): the letting figures
//! for the corporation's public annual report, in Dutch (the report they go
//! into is Dutch) and without the tool's own words (check codes, options).
//! annual.json keeps its keys in English, as every other JSON file; its
//! texts are Dutch.
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
use crate::checks::{CheckCode, Family};
use crate::model::Route;
use crate::privacy::suppress::{Grid, Shown, WITHHELD};
use crate::read::reviews::{Reviews, Status};

/// What follow-up a bypass got is only known from the reviews of the
/// exception list, given with `run --reviews`.
const FOLLOW_UP_NOTE: &str = "niet beoordeeld: de opvolging komt uit de beoordelingen van de uitzonderingenlijst, en die zijn bij deze berekening niet meegegeven";

/// The follow-up figures when reviews were given.
const FOLLOW_UP_REVIEWED: &str = "uit de beoordelingen van de uitzonderingenlijst: elke toewijzing met een passering telt één keer, bij de minst afgeronde beoordeling van haar passeringen (geëscaleerd, open, niet beoordeeld, verklaard, onterecht gesignaleerd, in die volgorde)";

/// The follow-up categories, least settled first; index into
/// `Counts::follow_up`.
const FOLLOW_UP: [&str; 5] = [
    "geëscaleerd",
    "open",
    "niet beoordeeld",
    "verklaard",
    "onterecht gesignaleerd",
];

/// The routes in the words of an annual report, in `Route::ALL` order.
const ROUTE_WORDS: [&str; 6] = [
    "aanbodsysteem",
    "urgentie",
    "direct (bijzondere situatie)",
    "tijdelijke verhuur",
    "woningruil",
    "overig",
];

/// A share as a Dutch percentage with one decimal (`12,5%`), or `-`.
fn procent(x: Option<f64>) -> String {
    percent(x, NOT_SHOWN).replace('.', ",")
}

/// The period in words without a date finer than needed: `2025`,
/// `2025, 3e kwartaal`, `alle datums`, or the first and last day.
fn period_words(p: &crate::period::Period) -> String {
    use chrono::Datelike;
    match (p.from, p.to) {
        (None, None) => "alle datums".to_string(),
        (Some(a), Some(b))
            if a.year() == b.year() && a.day() == 1 && a.month0() % 3 == 0 && {
                let next = b.succ_opt();
                next.is_some_and(|n| n.day() == 1)
            } =>
        {
            let months = b.month0() - a.month0() + 1;
            match months {
                12 => a.year().to_string(),
                3 => format!("{}, {}e kwartaal", a.year(), a.month0() / 3 + 1),
                _ => format!("{a} t/m {b}"),
            }
        }
        (a, b) => format!(
            "{} t/m {}",
            a.map_or("het begin".to_string(), |d| d.to_string()),
            b.map_or("het eind".to_string(), |d| d.to_string())
        ),
    }
}

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
    /// Lets with a finding of the advert, vacancy or priority checks
    /// (v1.2); the all-years figure is the sum of the years.
    #[serde(skip_serializing_if = "Option::is_none")]
    letting_exceptions: Option<Shown>,
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
    /// What a reader must know before quoting a figure (years without
    /// limits of their own, years the period covers only in part).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<String>,
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
        "Een aantal onder {small} (0 inbegrepen) staat er als <{small}. Waar een totaal \
         getoond wordt en precies één aantal dat erin opgaat verborgen is, wordt ook het \
         kleinste andere aantal van dat totaal verborgen en staat er als {WITHHELD}. Dat \
         wordt herhaald tot geen enkel verborgen aantal nog uit de getoonde aantallen en \
         totalen te berekenen is: ook niet door rijen, kolommen of tabellen te combineren \
         (de aanbodtoewijzingen van een jaar zijn zowel een aantal per route als het \
         totaal van de passeringen), en ook niet met wat de tekens zelf zeggen (<{small} is \
         0 tot en met {max}, {WITHHELD} is {small} of meer). Een percentage staat er alleen \
         als beide aantallen waaruit het volgt getoond worden.",
        max = small.saturating_sub(1)
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
            format!("een aantal onder {small}, 0 inbegrepen"),
        ),
        (
            WITHHELD.to_string(),
            format!(
                "een aantal van {small} of meer, weggelaten zodat een aantal onder {small} niet uit een totaal te berekenen is"
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
    // Lets with a finding of the advert, vacancy or priority checks, per
    // year; over all years their sum, so the years and the total form one
    // line of the suppression problem.
    let mut per_year_exceptions: BTreeMap<i32, u64> = BTreeMap::new();
    for l in &audit.facts.lets {
        if l.checks.iter().any(|&c| letting_exception(c)) {
            *per_year_exceptions.entry(l.year).or_default() += 1;
        }
    }
    let exception_counts: Vec<u64> = years
        .iter()
        .map(|y| per_year_exceptions.get(&y.year).copied().unwrap_or(0))
        .collect();
    let exception_cells: Vec<usize> = exception_counts.iter().map(|&n| g.cell(n)).collect();
    let exceptions_all = cells.all.as_ref().map(|_| {
        let total = g.cell(exception_counts.iter().sum());
        g.line(exception_cells.clone(), total);
        total
    });
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
    for (out, &c) in out_years.iter_mut().zip(&exception_cells) {
        out.letting_exceptions = Some(shown[c]);
    }
    if let (Some(out), Some(c)) = (all_years.as_mut(), exceptions_all) {
        out.letting_exceptions = Some(shown[c]);
    }

    let annual = AnnualOut {
        title: "Verhuurcijfers voor het jaarverslag",
        tool: "woonaudit",
        version: env!("CARGO_PKG_VERSION"),
        period: period_words(audit.period()),
        year_of_a_let: "het jaar waarin het huurcontract ingaat, of als dat niet bekend is het jaar van de toewijzing",
        small_cell: small,
        legend: legend(small),
        suppression_rule: rule_text(small),
        definitions: definitions(),
        warnings: warnings(&years, audit.period()),
        years: out_years,
        all_years,
    };
    // Serialising plain structs of numbers and strings cannot fail.
    let mut json = serde_json::to_vec_pretty(&annual).unwrap_or_default();
    json.push(b'\n');
    let markdown = markdown(&annual).into_bytes();
    Annual { json, markdown }
}

/// Whether a check drawn by a let is one the annual files count as a
/// letting exception: the advert, vacancy and priority families (v1.2).
/// A let draws only the checks whose subject it is, so the advert-subject
/// ADVERT_OVERLET never counts here.
fn letting_exception(check: CheckCode) -> bool {
    matches!(
        check.family(),
        Family::Adverts | Family::Vacancies | Family::Priorities
    )
}

/// What each figure counts, in words.
fn definitions() -> BTreeMap<&'static str, &'static str> {
    [
        ("lets", "toewijzingen (verhuringen) in de periode, langs elke route"),
        ("advert_share", "aandeel van de toewijzingen via het aanbodsysteem (advertentie met volgorde van de wachtlijst)"),
        ("staff_circle", "toewijzingen aan een huurder met een band met een medewerker: de medewerker zelf, de opgegeven privékring, of een niet opgegeven band via hetzelfde adres, dezelfde contactgegevens, of dezelfde achternaam en postcode"),
        ("with_exception", "toewijzingen aan de kring van medewerkers waarbij de controle nog iets anders vond"),
        ("bypasses", "toewijzingen via het aanbodsysteem waarbij een woningzoekende die hoger stond is overgeslagen zonder vastgelegde weigering of reden"),
        ("letting_exceptions", "toewijzingen waarbij de controle iets vond rond de advertentie, de leegstand of een voorrang: toegewezen voordat de advertentie sloot, een andere woning dan geadverteerd, een ingetrokken advertentie en daarna direct verhuurd, een vrijgekomen woning zonder advertentie direct verhuurd, of een voorrang die pas na de publicatie werd toegekend"),
        ("affected_seekers", "woningzoekenden aan wie een geadverteerde woning eerder had moeten worden aangeboden dan aan de huurder die haar kreeg: overgeslagen zonder vastgelegde weigering of reden, hoger geplaatst dan een huurder van wie de inschrijfdatum naar voren is gezet, of hoger geplaatst dan een huurder die pas na de publicatie voorrang kreeg; elke woningzoekende één keer per jaar, en één keer over alle jaren"),
        ("coverage", "wat de controle van de volgorde met de toewijzingen kon doen: getoetst aan de volgorde van hun advertentie, op een advertentie zonder vaste volgorde, via het aanbodsysteem zonder bekende advertentie, of niet geadverteerd (een andere route); en of de huurder met geboortedatum en postcode op de wachtlijst staat, zodat een band met een medewerker volledig kon worden nagegaan"),
        ("passend", "passend toewijzen: van de toewijzingen aan huishoudens met een inkomen tot en met de inkomensgrens voor passend toewijzen (de AOW-grens als de huurder de AOW-leeftijd heeft), het aandeel met een huur tot en met de aftoppingsgrens (norm 95%); toewijzingen waarvan inkomen, omvang of huur onbekend is tellen als onbekend"),
        ("daeb", "DAEB: van de toewijzingen met een huur tot en met de liberalisatiegrens, het aandeel aan huishoudens met een inkomen tot en met de DAEB-inkomensgrens (norm 92,5%); toewijzingen met onbekende gegevens tellen als onbekend"),
    ]
    .into()
}

/// The warnings of both files: a year judged by another year's limits
/// (spec 5: "the report says so"), and a year the period covers only in
/// part (the period selects lets by their allocation day, the year of a
/// let is that of its contract start).
fn warnings(years: &[&ComplianceYear], period: &crate::period::Period) -> Vec<String> {
    let mut out = Vec::new();
    for y in years {
        match y.limits_year {
            None => out.push(format!(
                "{}: er zijn geen inkomens- en huurgrenzen ingesteld, dus passend toewijzen en DAEB zijn niet berekend.",
                y.year
            )),
            Some(l) if l != y.year => out.push(format!(
                "{}: er zijn geen inkomens- en huurgrenzen voor {} ingesteld; passend toewijzen en DAEB zijn berekend met de grenzen van {l}. Controleer de cijfers van {} voordat u ze publiceert.",
                y.year, y.year, y.year
            )),
            Some(_) => {}
        }
    }
    for y in years {
        if let Some(part) = partly_covered(y.year, period) {
            out.push(part);
        }
    }
    out
}

/// A warning when `period` does not hold the whole of `year`: its row then
/// counts only the lets allocated within the period.
fn partly_covered(year: i32, period: &crate::period::Period) -> Option<String> {
    let first = crate::model::Date::from_ymd_opt(year, 1, 1)?;
    let last = crate::model::Date::from_ymd_opt(year, 12, 31)?;
    if period.contains(first) && period.contains(last) {
        return None;
    }
    Some(format!(
        "{year}: de periode omvat dit jaar niet helemaal. De rij van {year} telt alleen de toewijzingen die in de periode zijn gedaan; een toewijzing telt bij het jaar waarin het huurcontract ingaat. Gebruik voor de cijfers van {year} een berekening over heel {year}."
    ))
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
    out.note = match y.limits_year {
        None => "geen inkomens- en huurgrenzen ingesteld".to_string(),
        Some(l) if l != y.year => format!(
            "berekend met de grenzen van {l}: er zijn geen grenzen voor {} ingesteld",
            y.year
        ),
        Some(_) => String::new(),
    };
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
        letting_exceptions: None,
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
        "percentage niet getoond: het zou een verborgen aantal prijsgeven".to_string()
    } else if from.share.is_none() && from.denominator == 0 {
        "geen toewijzingen om aan deze norm te toetsen".to_string()
    } else if from.share.is_none() {
        "niet berekend: geen grenzen ingesteld".to_string()
    } else {
        String::new()
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
    let _ = writeln!(m, "\n## Woningzoekenden die een woning misliepen\n");
    let _ = writeln!(
        m,
        "Woningzoekenden aan wie een geadverteerde woning eerder had moeten worden aangeboden \
         dan aan de huurder die haar kreeg: overgeslagen zonder vastgelegde weigering of reden, \
         hoger geplaatst dan een huurder van wie de inschrijfdatum naar voren is gezet, \
         of hoger geplaatst dan een huurder die pas na de publicatie voorrang kreeg. \
         Elke woningzoekende telt één keer.\n"
    );
    let _ = writeln!(m, "| jaar | woningzoekenden |");
    let _ = writeln!(m, "|---|---:|");
    for (label, y) in rows {
        if let Some(n) = y.affected_seekers {
            let _ = writeln!(m, "| {label} | {} |", n.label());
        }
    }
}

/// The letting-exceptions table of annual.md.
fn exceptions_markdown(m: &mut String, rows: &[(String, &YearOut)]) {
    let _ = writeln!(
        m,
        "\n## Toewijzingen buiten de regels van advertentie, leegstand of voorrang\n"
    );
    let _ = writeln!(
        m,
        "Toewijzingen waarbij de controle iets vond rond de advertentie, de leegstand of een \
         voorrang: toegewezen voordat de advertentie sloot, een andere woning dan geadverteerd, \
         een ingetrokken advertentie en daarna direct verhuurd, een vrijgekomen woning zonder \
         advertentie direct verhuurd, of een voorrang die pas na de publicatie werd toegekend. \
         Een bevinding is een reden om te kijken, geen oordeel.\n"
    );
    let _ = writeln!(m, "| jaar | toewijzingen |");
    let _ = writeln!(m, "|---|---:|");
    for (label, y) in rows {
        if let Some(n) = y.letting_exceptions {
            let _ = writeln!(m, "| {label} | {} |", n.label());
        }
    }
}

/// The coverage table of annual.md.
fn coverage_markdown(m: &mut String, rows: &[(String, &YearOut)]) {
    let _ = writeln!(m, "\n## Wat de controle kon nagaan\n");
    let _ = writeln!(
        m,
        "Toewijzingen getoetst aan de volgorde van hun advertentie, toewijzingen op een \
         advertentie zonder vaste volgorde, toewijzingen via het aanbodsysteem zonder bekende \
         advertentie, en niet geadverteerde toewijzingen (een andere route: alleen nagegaan op \
         goedkeuring en banden met medewerkers); en toewijzingen aan een huurder die met \
         geboortedatum en postcode op de wachtlijst staat, bij wie een band met een medewerker \
         volledig kon worden nagegaan.\n"
    );
    let _ = writeln!(
        m,
        "| jaar | toewijzingen | getoetst aan de volgorde | advertentie zonder vaste volgorde | geen bekende advertentie | niet geadverteerd | huurder na te gaan | huurder niet na te gaan |"
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
        rows.push(("alle jaren".to_string(), all));
    }
    if rows.is_empty() {
        let _ = writeln!(m, "Geen toewijzingen in de periode.");
        return m;
    }
    routes_table(&mut m, &rows);
    staff_table(&mut m, &rows);
    bypass_table(&mut m, &rows);
    affected_markdown(&mut m, &rows);
    exceptions_markdown(&mut m, &rows);
    coverage_markdown(&mut m, &rows);
    for (title, what, pick) in [
        (
            "Passend toewijzen",
            "Van de toewijzingen aan huishoudens met een inkomen tot en met de inkomensgrens \
             voor passend toewijzen bij hun omvang: die met een huur tot en met de \
             aftoppingsgrens. Onbekend: inkomen, omvang of huur niet bekend.",
            passend_of as fn(&YearOut) -> Option<&NormOut>,
        ),
        (
            "DAEB",
            "Van de toewijzingen met een huur tot en met de liberalisatiegrens: die aan \
             huishoudens met een inkomen tot en met de DAEB-inkomensgrens bij hun omvang. \
             Onbekend: huur, of (binnen de grens) inkomen of omvang niet bekend.",
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

/// The title, the period, the warnings and how to read the tables (the
/// legend and the suppression rule).
fn preamble(m: &mut String, a: &AnnualOut) {
    let _ = writeln!(m, "# {}\n", a.title);
    let _ = writeln!(
        m,
        "Periode: {}. De cijfers staan per jaar van de toewijzing: {}.\n",
        a.period, a.year_of_a_let
    );
    if !a.warnings.is_empty() {
        let _ = writeln!(m, "## Let op\n");
        for w in &a.warnings {
            let _ = writeln!(m, "- {w}");
        }
        let _ = writeln!(m);
    }
    let _ = writeln!(
        m,
        "Alleen totalen: deze cijfers bevatten geen namen, nummers of datums van personen.\n"
    );
    let _ = writeln!(m, "## Zo leest u de tabellen\n");
    for (mark, meaning) in &a.legend {
        let _ = writeln!(m, "- `{mark}`: {meaning}.");
    }
    let _ = writeln!(
        m,
        "- `-`: geen percentage (niets om te berekenen, of het zou een verborgen aantal prijsgeven)."
    );
    let _ = writeln!(m, "\nKleine aantallen: {}\n", a.suppression_rule);
}

/// "Toewijzingen per route": each route's lets, all lets and the advert
/// share.
fn routes_table(m: &mut String, rows: &[(String, &YearOut)]) {
    let _ = writeln!(m, "## Toewijzingen per route\n");
    let mut header = String::from("| jaar |");
    for word in ROUTE_WORDS {
        let _ = write!(header, " {word} |");
    }
    let _ = writeln!(
        m,
        "{header} alle toewijzingen | aandeel via het aanbodsysteem |"
    );
    let _ = writeln!(m, "|---|{}---:|---:|", "---:|".repeat(ROUTE_WORDS.len()));
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
            procent(y.advert_share)
        );
    }
}

/// "Toewijzingen aan de kring van medewerkers", split by exception.
fn staff_table(m: &mut String, rows: &[(String, &YearOut)]) {
    let _ = writeln!(m, "\n## Toewijzingen aan de kring van medewerkers\n");
    let _ = writeln!(
        m,
        "Een toewijzing aan de kring van medewerkers is een toewijzing aan een huurder met een \
         band met een medewerker. Met een bijzonderheid: de controle vond bij dezelfde \
         toewijzing nog iets anders.\n"
    );
    let _ = writeln!(
        m,
        "| jaar | toewijzingen aan de kring | met een bijzonderheid | zonder bijzonderheid |"
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

/// "Passeringen van de volgorde", with their follow-up.
fn bypass_table(m: &mut String, rows: &[(String, &YearOut)]) {
    let _ = writeln!(m, "\n## Passeringen van de volgorde van de wachtlijst\n");
    let follow_up_note = rows
        .first()
        .map_or(FOLLOW_UP_NOTE, |(_, y)| y.bypasses.follow_up_note);
    let _ = writeln!(
        m,
        "Toewijzingen via het aanbodsysteem waarbij een woningzoekende die hoger stond is \
         overgeslagen zonder vastgelegde weigering of reden. Opvolging: {follow_up_note}.\n"
    );
    let _ = writeln!(
        m,
        "| jaar | via het aanbodsysteem | met een passering | zonder passering | aandeel met een passering | opvolging |"
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
            procent(b.share),
            b.follow_up
                .as_ref()
                .map_or_else(|| "niet beoordeeld".to_string(), FollowUpOut::label)
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
        "| jaar | grenzen van | voldoet | voldoet niet | getoetst | onbekend | aandeel | norm |"
    );
    let _ = writeln!(m, "|---|---|---:|---:|---:|---:|---:|---:|");
    let mut notes = Vec::new();
    for y in years {
        let Some(n) = pick(y) else {
            continue;
        };
        let year = y.year.map(|v| v.to_string()).unwrap_or_default();
        let limits = match y.limits_year {
            None => "-".to_string(),
            Some(l) if Some(l) != y.year => format!("{l} (!)"),
            Some(l) => l.to_string(),
        };
        let _ = writeln!(
            m,
            "| {year} | {limits} | {} | {} | {} | {} | {} | {} |",
            n.meets.label(),
            n.does_not_meet.label(),
            n.judged.label(),
            n.unknown.label(),
            procent(n.share),
            procent(Some(n.norm))
        );
        if !n.note.is_empty() {
            notes.push(format!("{year}: {}", n.note));
        }
    }
    for note in notes {
        let _ = writeln!(m, "\n- {note}");
    }
}

/// "Toelichting": each year's note, if any year has one.
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
        let _ = writeln!(m, "\n## Toelichting\n");
        for n in year_notes {
            let _ = writeln!(m, "{n}");
        }
    }
}
