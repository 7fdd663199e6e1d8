//! report.html (spec 6, issue 5): one self-contained page for internal
//! audit, for an auditor who must defend every flag. Inline CSS, no
//! scripts, no external fetches.
//!
//! The page is a minijinja template (`report.html.j2`) registered under a
//! name ending in `.html`, so every value inserted is HTML-escaped: values
//! from the data (ids, names, reasons in the detail sentences) reach the
//! page only through the template, as strings, and the template never marks
//! anything `safe`. Numbers are formatted here, so the template only places
//! text. The one value placed unescaped is the SVG of each chart
//! (`crate::report::charts`): markup woonaudit drew itself, in which
//! plotters' SVG backend has escaped every text and attribute.

use std::collections::BTreeMap;

use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

use super::charts::Chart;
use super::format::percent;
use super::reviews::ReviewsView;
use super::{Report, RunMeta};
use crate::analysis::cases::Case;
use crate::analysis::statistics::{
    BypassDisparity, BypassGroup, CoverageStats, HandlerEntry, LotteryFairness, Sample, Share,
    SkipRateEntry, Stats, TwoSamples,
};
use crate::checks::{CheckCode, Finding, Severity};
use crate::config::{Config, ConfigSource};
use crate::error::{Error, Result};
use crate::link::register::LinkRow;
use crate::model::Route;
use crate::privacy::pseudonym::Mask;
use crate::read::reviews::{Reviews, Status};

/// The template; its registered name ends in `.html`, which turns on
/// minijinja's HTML auto-escaping.
const TEMPLATE: &str = include_str!("report.html.j2");
const TEMPLATE_NAME: &str = "report.html";

/// At most this many findings of one check are listed (issue 5): beyond it
/// the page would be too long to use; findings.csv has them all.
const MAX_PER_CHECK: usize = 500;
/// The data issues listed in the scope; data_issues.csv has them all.
const FIRST_ISSUES: usize = 10;

#[derive(Serialize)]
struct View {
    version: &'static str,
    period: String,
    mode: &'static str,
    config_source: String,
    total: SeverityCounts,
    by_check: Vec<CheckCount>,
    attention: Vec<CaseView>,
    attention_more: usize,
    inputs: Vec<InputView>,
    absent_tables: Vec<&'static str>,
    issue_errors: usize,
    issue_warnings: usize,
    first_issues: Vec<IssueView>,
    issues_more: usize,
    checks: Vec<CheckSection>,
    links: Vec<LinkView>,
    affected: AffectedView,
    stats: StatsView,
    compliance: Vec<ComplianceView>,
    charts: Vec<ChartView>,
    reviews: Option<ReviewsView>,
    coverage: String,
    control: ControlView,
    actors: ActorsView,
    population: PopulationView,
}

/// What the run tested, at the top of the report (issue 14).
#[derive(Serialize)]
struct PopulationView {
    lets: u64,
    routes: Vec<(&'static str, u64)>,
    adverts: u64,
    sales: u64,
    /// For a period with nothing to test: what to check.
    empty: Option<String>,
}

/// The "Who acted" section (spec 5 "Actors", issue 12): the `actors`
/// table, flagged employees first, and the ACTOR_SKIP_RATE family.
#[derive(Serialize)]
struct ActorsView {
    rows: Vec<ActorRow>,
    flagged: usize,
    skip_rates: Vec<SkipRateView>,
    skip_min: u64,
    handler_q: String,
}

/// One employee of the actors table, every share with its counts.
#[derive(Serialize)]
struct ActorRow {
    employee_id: String,
    flags: String,
    handled: u64,
    approved: u64,
    decided: u64,
    skipped: String,
    edits: u64,
    backdating: String,
    priorities_granted: u64,
    for_linked: String,
}

/// One tested deciding employee of `skip_rates`.
#[derive(Serialize)]
struct SkipRateView {
    employee_id: String,
    decisions: u64,
    skipped: u64,
    share: String,
    overall: String,
    p: String,
    q: String,
    flagged: bool,
}

/// The section of the seekers who lost a home (spec 4.2).
#[derive(Serialize)]
struct AffectedView {
    seekers: u64,
    allocations: u64,
    bypass: u64,
    backdated: u64,
    /// The cells of affected.csv, in its order.
    rows: Vec<Vec<String>>,
}

fn affected_view(report: &Report<'_>) -> AffectedView {
    let (affected, mask) = (&report.audit.affected, report.run.mask);
    let stats = affected.stats();
    AffectedView {
        seekers: stats.seekers,
        allocations: stats.allocations,
        bypass: stats.by_cause.bypass,
        backdated: stats.by_cause.backdated,
        rows: affected
            .rows
            .iter()
            .map(|r| super::affected::cells(r, mask).to_vec())
            .collect(),
    }
}

/// The control sample section (spec 4.3).
#[derive(Serialize)]
struct ControlView {
    size: u64,
    unflagged: u64,
    draws: String,
    reviewed: bool,
    rows: Vec<ControlRow>,
}

#[derive(Serialize)]
struct ControlRow {
    sample_id: String,
    cells: Vec<String>,
    status: &'static str,
    reviewer: String,
    note: String,
}

/// The coverage statement at the top of the report (spec 5, "Coverage"),
/// with what the inputs lack for some checks (see [`crate::read::gaps`]).
fn coverage_statement(c: &CoverageStats, sources: &[crate::read::SourceInfo]) -> String {
    let mut statement = lets_coverage(c);
    for gap in crate::read::gaps::gaps(sources) {
        statement.push_str(&format!(
            " Not checked: {}, so {}.",
            gap.missing, gap.consequence
        ));
    }
    statement
}

/// The coverage of the lets in the period.
fn lets_coverage(c: &CoverageStats) -> String {
    if c.allocations == 0 {
        return "No lets in the period: nothing could be checked.".to_string();
    }
    let rest = c.allocations - c.tenants_linkable.min(c.allocations);
    format!(
        "Of {} lets in the period, {} could be checked against the order of their advert; \
         {} were not advertised (another route than the aanbodsysteem: checked for approval \
         and staff links, not against an order); {} were route-advert lets without a known \
         advert (ORDER_NO_ADVERT); {} were on a discretionary advert (no fixed order to check). \
         {} of the {} tenants are on the waiting list with both a birth date and a postcode, \
         so a link to staff could be looked for by self and by address; for the other {} it \
         could not be looked for in full.",
        c.allocations,
        c.advert_checked,
        c.non_advert,
        c.advert_no_advert,
        c.advert_discretionary,
        c.tenants_linkable,
        c.allocations,
        rest,
    )
}

/// The control sample section: the rows as in control_sample.csv, with
/// the review carried over by `--reviews`.
fn control_view(report: &Report<'_>) -> ControlView {
    let (sample, run) = (&report.audit.control, report.run);
    let rows = sample
        .rows
        .iter()
        .map(|a| {
            let id = crate::analysis::control::sample_id(a.id.as_str());
            let review = run.reviews.and_then(|r| r.by_id.get(&id));
            ControlRow {
                cells: super::control::cells(a, run.mask).to_vec(),
                sample_id: id,
                status: review.map_or("", |r| r.status.as_str()),
                reviewer: review
                    .map(|r| run.mask.text(&r.reviewer))
                    .unwrap_or_default(),
                note: review.map(|r| run.mask.text(&r.note)).unwrap_or_default(),
            }
        })
        .collect();
    ControlView {
        size: sample.size,
        unflagged: sample.unflagged,
        draws: sample
            .routes
            .iter()
            .map(|d| format!("{} {} of {}", d.route.as_str(), d.drawn, d.unflagged))
            .collect::<Vec<_>>()
            .join(", "),
        reviewed: run.reviews.is_some(),
        rows,
    }
}

#[derive(Serialize, Default)]
struct SeverityCounts {
    high: usize,
    medium: usize,
    low: usize,
    all: usize,
}

impl SeverityCounts {
    fn add(&mut self, s: Severity) {
        match s {
            Severity::High => self.high += 1,
            Severity::Medium => self.medium += 1,
            Severity::Low => self.low += 1,
        }
        self.all += 1;
    }
}

#[derive(Serialize)]
struct CheckCount {
    code: &'static str,
    counts: SeverityCounts,
}

#[derive(Serialize)]
struct FindingView {
    id: String,
    check: &'static str,
    severity: &'static str,
    subject_type: &'static str,
    subject_id: String,
    applicant_id: String,
    employee_id: String,
    link: &'static str,
    detail: String,
}

impl FindingView {
    fn of(f: &Finding, mask: &Mask) -> FindingView {
        FindingView {
            id: mask.finding_id(&f.id()),
            check: f.check.as_str(),
            severity: f.severity.as_str(),
            subject_type: f.subject_type.as_str(),
            subject_id: mask.subject(f.subject_type, &f.subject_id),
            applicant_id: mask.value(f.applicant_id.as_ref().map_or("", |a| a.as_str())),
            employee_id: mask.value(f.employee_id.as_ref().map_or("", |e| e.as_str())),
            link: f.link.map(|k| k.as_str()).unwrap_or_default(),
            detail: mask.text(&f.detail),
        }
    }
}

#[derive(Serialize)]
struct CheckSection {
    code: &'static str,
    what: &'static str,
    count: usize,
    findings: Vec<FindingView>,
    more: usize,
}

#[derive(Serialize)]
struct InputView {
    table: &'static str,
    file: String,
    sha256: String,
    read: u64,
    used: u64,
    set_aside: u64,
}

#[derive(Serialize)]
struct IssueView {
    file: String,
    line: u64,
    column: String,
    value: String,
    level: &'static str,
    problem: String,
}

#[derive(Serialize)]
struct LinkView {
    person_type: &'static str,
    applicant_id: String,
    sale_id: String,
    name: String,
    birth_date: String,
    employee_id: String,
    kind: &'static str,
    kinds: String,
    employed: String,
    evidence: String,
}

/// A labelled figure with the counts it came from.
#[derive(Serialize)]
struct Figure {
    label: String,
    value: String,
    counts: String,
}

#[derive(Serialize)]
struct StatBlock {
    title: &'static str,
    question: &'static str,
    figures: Vec<Figure>,
    note: String,
}

#[derive(Serialize)]
struct HandlerView {
    employee_id: String,
    allocations: u64,
    with_bypass: u64,
    share: String,
    overall: String,
    p: String,
    q: String,
    flagged: bool,
}

#[derive(Serialize)]
struct StatsView {
    blocks: Vec<StatBlock>,
    handlers: Vec<HandlerView>,
    handler_min: u64,
    handler_q: String,
}

/// A chart: its SVG is the one value the template places unescaped. It
/// is markup woonaudit drew itself; plotters' SVG backend escapes every
/// text and attribute in it (employee ids among them).
#[derive(Serialize)]
struct ChartView {
    name: &'static str,
    title: String,
    svg: minijinja::Value,
}

#[derive(Serialize)]
struct ComplianceView {
    year: i32,
    limits_year: String,
    lets: u64,
    routes: Vec<(String, String)>,
    passend: Figure,
    daeb: Figure,
    note: String,
}

/// What a figure that could not be computed reads as.
const NOT_COMPUTED: &str = "not computed";

fn p_value(p: Option<f64>) -> String {
    match p {
        None => NOT_COMPUTED.to_string(),
        Some(p) if p != 0.0 && p < 0.0001 => format!("{p:.2e}"),
        Some(p) => format!("{p:.4}"),
    }
}

fn number(x: Option<f64>, decimals: usize) -> String {
    x.map_or_else(|| NOT_COMPUTED.to_string(), |v| format!("{v:.decimals$}"))
}

fn figure(label: &str, value: String, counts: String) -> Figure {
    Figure {
        label: label.to_string(),
        value,
        counts,
    }
}

fn share_figure(label: &str, s: &Share) -> Figure {
    figure(
        label,
        percent(s.share, NOT_COMPUTED),
        format!(
            "{} of {} (norm {}; {} unknown){}",
            s.numerator,
            s.denominator,
            percent(Some(s.norm), NOT_COMPUTED),
            s.unknown,
            if s.note.is_empty() {
                String::new()
            } else {
                format!("; {}", s.note)
            }
        ),
    )
}

fn two_samples(
    t: &TwoSamples,
    title: &'static str,
    question: &'static str,
    days: bool,
) -> StatBlock {
    let median = |s: &Sample| {
        let m = if days { s.median_days } else { s.median }.flatten();
        if days {
            number(m, 1).replace("not computed", "none") + if m.is_some() { " days" } else { "" }
        } else {
            percent(m, NOT_COMPUTED)
        }
    };
    StatBlock {
        title,
        question,
        figures: vec![
            figure(
                "Median, linked",
                median(&t.linked),
                format!("n = {}", t.linked.n),
            ),
            figure(
                "Median, other",
                median(&t.other),
                format!("n = {}", t.other.n),
            ),
            figure(
                "Mann-Whitney U (linked sample)",
                number(t.u, 1),
                format!("n = {} vs {}", t.linked.n, t.other.n),
            ),
            figure(
                "Two-sided p",
                p_value(t.p),
                format!("n = {} vs {}", t.linked.n, t.other.n),
            ),
        ],
        note: t.note.clone(),
    }
}

/// The bypass-disparity block: the share of advert lets with a bypass in
/// each group, with the odds ratio and Fisher's test on the 2x2 table.
fn bypass_block(b: &BypassDisparity) -> StatBlock {
    let group = |g: &BypassGroup| {
        format!(
            "{} of {} advert lets (95% Wilson interval {} to {})",
            g.with_bypass,
            g.allocations,
            percent(g.wilson_low, NOT_COMPUTED),
            percent(g.wilson_high, NOT_COMPUTED)
        )
    };
    let table = format!(
        "2x2: linked {} with / {} without, other {} with / {} without",
        b.linked.with_bypass,
        b.linked.allocations - b.linked.with_bypass.min(b.linked.allocations),
        b.other.with_bypass,
        b.other.allocations - b.other.with_bypass.min(b.other.allocations),
    );
    StatBlock {
        title: "Bypass disparity",
        question: "Are lets to staff-linked tenants more often made over the heads of higher-ranked candidates?",
        figures: vec![
            figure("Share with a bypass, linked tenants", percent(b.linked.share, NOT_COMPUTED), group(&b.linked)),
            figure("Share with a bypass, other tenants", percent(b.other.share, NOT_COMPUTED), group(&b.other)),
            figure("Odds ratio", number(b.odds_ratio, 2), table.clone()),
            figure("Fisher exact two-sided p", p_value(b.fisher_p), table),
        ],
        note: b.note.clone(),
    }
}

/// The lottery-fairness block: lottery wins of linked seekers, observed
/// against expected by chance.
fn lottery_block(l: &LotteryFairness) -> StatBlock {
    StatBlock {
        title: "Lottery fairness",
        question: "Do staff-linked seekers win lotteries more often than their number among the eligible candidates explains?",
        figures: vec![
            figure(
                "Linked tenants, observed",
                l.observed.to_string(),
                format!("over {} lottery adverts", l.adverts),
            ),
            figure(
                "Linked tenants, expected by chance",
                format!("{:.2}", l.expected),
                format!("sum over {} adverts of linked eligible / eligible", l.adverts),
            ),
            figure(
                "P(X >= observed), Poisson-binomial",
                p_value(l.p_upper),
                format!("{} observed, {:.2} expected", l.observed, l.expected),
            ),
        ],
        note: l.note.clone(),
    }
}

impl HandlerView {
    /// One tested letting employee; flagged when its q value is under
    /// `q_limit` (`thresholds.handler_q`).
    fn of(h: &HandlerEntry, q_limit: f64, mask: &Mask) -> HandlerView {
        HandlerView {
            employee_id: mask.value(&h.employee_id),
            allocations: h.allocations,
            with_bypass: h.with_bypass,
            share: percent(Some(h.share), NOT_COMPUTED),
            overall: percent(h.overall_share, NOT_COMPUTED),
            p: p_value(h.p),
            q: p_value(h.q),
            flagged: h.q.is_some_and(|q| q < q_limit),
        }
    }
}

/// The Statistics section: the four test blocks, then the per-employee
/// bypass rates.
fn stats_view(s: &Stats, config: &Config, mask: &Mask) -> StatsView {
    let handler_q = config.thresholds.handler_q;
    StatsView {
        blocks: vec![
            bypass_block(&s.bypass_disparity),
            two_samples(
                &s.waiting_advantage,
                "Waiting advantage",
                "Did staff-linked tenants of advert lets wait less long (registration date to allocation) than other tenants?",
                true,
            ),
            lottery_block(&s.lottery_fairness),
            two_samples(
                &s.sale_discount,
                "Sale discount",
                "Did staff-linked buyers get a larger discount on the appraisal value (1 - price / appraisal) than other buyers?",
                false,
            ),
        ],
        handlers: s
            .handlers
            .iter()
            .map(|h| HandlerView::of(h, handler_q, mask))
            .collect(),
        handler_min: config.thresholds.handler_min_allocations,
        handler_q: format!("{handler_q}"),
    }
}

fn compliance_view(s: &Stats) -> Vec<ComplianceView> {
    s.compliance
        .iter()
        .map(|y| {
            let routes = Route::ALL
                .iter()
                .map(|&route| {
                    let n = y.routes.get(route);
                    let share = (y.lets > 0).then(|| n as f64 / y.lets as f64);
                    (
                        route.as_str().to_string(),
                        format!("{n} ({})", percent(share, NOT_COMPUTED)),
                    )
                })
                .collect();
            ComplianceView {
                year: y.year,
                limits_year: y
                    .limits_year
                    .map_or_else(|| "none".to_string(), |v| v.to_string()),
                lets: y.lets,
                routes,
                passend: share_figure("Passend toewijzen", &y.passend),
                daeb: share_figure("DAEB income test", &y.daeb),
                note: y.note.clone(),
            }
        })
        .collect()
}

/// The Summary's counts: all findings by severity, and each implemented
/// check's findings by severity (in `CheckCode::IMPLEMENTED` order).
fn severity_counts(findings: &[Finding]) -> (SeverityCounts, Vec<CheckCount>) {
    let mut total = SeverityCounts::default();
    let mut per_check: BTreeMap<CheckCode, SeverityCounts> = BTreeMap::new();
    for f in findings {
        total.add(f.severity);
        per_check.entry(f.check).or_default().add(f.severity);
    }
    let by_check = CheckCode::IMPLEMENTED
        .iter()
        .map(|&c| CheckCount {
            code: c.as_str(),
            counts: per_check.remove(&c).unwrap_or_default(),
        })
        .collect();
    (total, by_check)
}

/// One case of the "needs attention first" list.
#[derive(Serialize)]
struct CaseView {
    /// The first finding, for the link to its evidence.
    first: String,
    subject_type: &'static str,
    subject_id: String,
    summary: String,
    applicant_id: String,
    employee_id: String,
    review: String,
    next: &'static str,
}

/// A case's review as the report shows it: the case's own, else what its
/// findings' reviews say together; empty without `--reviews`.
fn case_review(case: &Case<'_>, reviews: Option<&Reviews>) -> (String, bool) {
    let Some(r) = reviews else {
        return (String::new(), false);
    };
    if let Some(own) = r.cases.get(&case.id) {
        let fp = own.status == Status::FalsePositive;
        return (format!("{} (case)", own.status.as_str()), fp);
    }
    let statuses: Vec<Status> = case
        .findings
        .iter()
        .filter_map(|f| r.by_id.get(&f.id()).map(|v| v.status))
        .collect();
    let n = case.findings.len();
    match statuses.first() {
        None => ("not reviewed".to_string(), false),
        Some(&s) if statuses.len() == n && statuses.iter().all(|&x| x == s) => {
            (s.as_str().to_string(), s == Status::FalsePositive)
        }
        Some(_) => (format!("{} of {n} reviewed", statuses.len()), false),
    }
}

/// The Summary's "needs attention first" list: the cases whose highest
/// severity is high, at most [`MAX_PER_CHECK`] of them (and how many more
/// there are), with their review; cases reviewed as false positives last.
fn attention_list(
    findings: &[Finding],
    data: &crate::dataset::Dataset,
    reviews: Option<&Reviews>,
    mask: &Mask,
) -> (Vec<CaseView>, usize) {
    let all = crate::analysis::cases::cases(findings, data);
    let mut high: Vec<(bool, CaseView)> = all
        .iter()
        .filter(|c| c.severity == Severity::High)
        .map(|c| {
            let (review, false_positive) = case_review(c, reviews);
            let view = CaseView {
                first: c.findings.first().map(|f| f.id()).unwrap_or_default(),
                subject_type: c.subject_type.as_str(),
                subject_id: mask.subject(c.subject_type, c.subject_id),
                summary: c.summary(),
                applicant_id: mask.value(c.applicant.map_or("", |a| a.as_str())),
                employee_id: mask.value(c.employee.map_or("", |e| e.as_str())),
                review,
                next: c.next_step(),
            };
            (false_positive, view)
        })
        .collect();
    // Stable: within each group the cases keep their order.
    high.sort_by_key(|(fp, _)| *fp);
    let more = high.len().saturating_sub(MAX_PER_CHECK);
    let listed = high
        .into_iter()
        .take(MAX_PER_CHECK)
        .map(|(_, mut v)| {
            v.first = mask.finding_id(&v.first);
            v
        })
        .collect();
    (listed, more)
}

/// Findings per check: a section per implemented check, with what it
/// looks for and its findings, at most [`MAX_PER_CHECK`] of them.
fn check_sections(findings: &[Finding], mask: &Mask) -> Vec<CheckSection> {
    CheckCode::IMPLEMENTED
        .iter()
        .map(|&c| {
            let of_check: Vec<&Finding> = findings.iter().filter(|f| f.check == c).collect();
            CheckSection {
                code: c.as_str(),
                what: c.description(),
                count: of_check.len(),
                findings: of_check
                    .iter()
                    .take(MAX_PER_CHECK)
                    .map(|f| FindingView::of(f, mask))
                    .collect(),
                more: of_check.len().saturating_sub(MAX_PER_CHECK),
            }
        })
        .collect()
}

/// The Scope's input files: each table read, its file, hash and row
/// counts.
fn inputs(run: &RunMeta<'_>) -> Vec<InputView> {
    run.sources
        .iter()
        .map(|s| {
            let rows = run.issues.counts.get(&s.table).copied().unwrap_or_default();
            InputView {
                table: s.table.name(),
                file: s.file.clone(),
                sha256: s.sha256.clone(),
                read: rows.read,
                used: rows.used,
                set_aside: rows.set_aside,
            }
        })
        .collect()
}

/// The Scope's first [`FIRST_ISSUES`] data issues, in data_issues.csv
/// order, and how many more there are.
fn issue_list(run: &RunMeta<'_>) -> (Vec<IssueView>, usize) {
    let sorted = run.issues.sorted();
    let listed = sorted
        .iter()
        .take(FIRST_ISSUES)
        .map(|i| IssueView {
            file: i.file.clone(),
            line: i.line,
            column: i.column.clone(),
            value: run.mask.issue_value(&i.column, &i.value),
            level: i.level.as_str(),
            problem: run.mask.text(&i.problem),
        })
        .collect();
    (listed, sorted.len().saturating_sub(FIRST_ISSUES))
}

impl LinkView {
    /// One row of the Staff links table (the link register).
    fn of(l: &LinkRow, mask: &Mask) -> LinkView {
        LinkView {
            person_type: l.person_type,
            applicant_id: mask.value(&l.applicant_id),
            sale_id: l.sale_id.clone(),
            name: if l.first_names.is_empty() {
                mask.value(&l.last_name)
            } else {
                format!(
                    "{}, {}",
                    mask.value(&l.last_name),
                    mask.value(&l.first_names)
                )
            },
            birth_date: mask.value(&l.birth_date),
            employee_id: mask.value(&l.employee_id),
            kind: l.kind.as_str(),
            kinds: l.kinds.clone(),
            employed: format!(
                "{} to {}",
                if l.employed_from.is_empty() {
                    "?"
                } else {
                    &l.employed_from
                },
                if l.employed_to.is_empty() {
                    "now"
                } else {
                    &l.employed_to
                }
            ),
            evidence: mask.text(&l.evidence),
        }
    }
}

impl ChartView {
    /// A drawn chart, its SVG ready to be placed inline.
    fn of(c: &Chart) -> ChartView {
        ChartView {
            name: c.name,
            title: c.title.clone(),
            // Inline SVG needs no namespace in HTML, and the page
            // names no URL at all.
            svg: minijinja::Value::from_safe_string(c.svg.replacen(
                " xmlns=\"http://www.w3.org/2000/svg\"",
                "",
                1,
            )),
        }
    }
}

/// `k of n` with the share k / n (none when n is 0).
fn k_of_n(k: u64, n: u64, what: &str) -> String {
    if n == 0 {
        format!("0 {what}")
    } else {
        let share = Some(k as f64 / n as f64);
        format!("{k} of {n} {what} ({})", percent(share, NOT_COMPUTED))
    }
}

/// The flags that put an employee at the top of the Who acted table, by
/// raw employee id: the employee checks (HANDLER_BYPASS_RATE,
/// ACTOR_SKIP_RATE, ACTOR_BACKDATING) and the CONFLICT_OF_INTEREST
/// findings naming them as the employee acting, counted per check.
fn employee_flags(findings: &[Finding]) -> BTreeMap<&str, BTreeMap<CheckCode, usize>> {
    let mut flags: BTreeMap<&str, BTreeMap<CheckCode, usize>> = BTreeMap::new();
    for f in findings {
        let counted = matches!(
            f.check,
            CheckCode::HandlerBypassRate
                | CheckCode::ActorSkipRate
                | CheckCode::ActorBackdating
                | CheckCode::ConflictOfInterest
        );
        let Some(e) = f.employee_id.as_ref().filter(|_| counted) else {
            continue;
        };
        *flags
            .entry(e.as_str())
            .or_default()
            .entry(f.check)
            .or_default() += 1;
    }
    flags
}

/// The Who acted section: the actors of stats.json, those flagged by an
/// employee check first, then those named only by CONFLICT_OF_INTEREST,
/// then the rest, each group by employee_id (the order of stats.json);
/// then the tested family of ACTOR_SKIP_RATE.
fn actors_view(s: &Stats, findings: &[Finding], config: &Config, mask: &Mask) -> ActorsView {
    let flags = employee_flags(findings);
    let mut rows: Vec<(u8, ActorRow)> = s
        .actors
        .iter()
        .map(|a| {
            let mine = flags.get(a.employee_id.as_str());
            let group = match mine {
                Some(m) if m.keys().any(|c| *c != CheckCode::ConflictOfInterest) => 0,
                Some(_) => 1,
                None => 2,
            };
            // The employee checks first, then CONFLICT_OF_INTEREST with
            // its number of findings.
            let text = mine
                .map(|m| {
                    let coi = CheckCode::ConflictOfInterest;
                    m.iter()
                        .filter(|(c, _)| **c != coi)
                        .map(|(c, _)| c.as_str().to_string())
                        .chain(m.get(&coi).map(|n| format!("{} ({n})", coi.as_str())))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            let acts = a.handled + a.approved + a.decided + a.edits + a.priorities_granted;
            let row = ActorRow {
                employee_id: mask.value(&a.employee_id),
                flags: text,
                handled: a.handled,
                approved: a.approved,
                decided: a.decided,
                skipped: k_of_n(a.skipped, a.decided, "skipped"),
                edits: a.edits,
                backdating: k_of_n(a.backdating_edits, a.edits, "moved earlier"),
                priorities_granted: a.priorities_granted,
                for_linked: k_of_n(a.acts_for_linked, acts, "acts"),
            };
            (group, row)
        })
        .collect();
    // Stable: within a group, the order of stats.json.
    rows.sort_by_key(|(group, _)| *group);
    let handler_q = config.thresholds.handler_q;
    ActorsView {
        flagged: rows.iter().filter(|(g, _)| *g < 2).count(),
        rows: rows.into_iter().map(|(_, r)| r).collect(),
        skip_rates: s
            .skip_rates
            .iter()
            .map(|e| SkipRateView::of(e, handler_q, mask))
            .collect(),
        skip_min: config.thresholds.actor_min_decisions,
        handler_q: format!("{handler_q}"),
    }
}

impl SkipRateView {
    /// One tested deciding employee; flagged when its q value is under
    /// `q_limit` (`thresholds.handler_q`), as ACTOR_SKIP_RATE fires.
    fn of(e: &SkipRateEntry, q_limit: f64, mask: &Mask) -> SkipRateView {
        SkipRateView {
            employee_id: mask.value(&e.employee_id),
            decisions: e.decisions,
            skipped: e.skipped,
            share: percent(Some(e.share), NOT_COMPUTED),
            overall: percent(e.overall_share, NOT_COMPUTED),
            p: p_value(e.p),
            q: p_value(e.q),
            flagged: e.q.is_some_and(|q| q < q_limit),
        }
    }
}

/// Renders report.html.
pub fn render(report: &Report<'_>) -> Result<Vec<u8>> {
    let (audit, run) = (report.audit, report.run);
    let findings = &audit.findings;
    let mask = run.mask;
    let (total, by_check) = severity_counts(findings);
    let (attention, attention_more) = attention_list(findings, audit.data(), run.reviews, mask);
    let (first_issues, issues_more) = issue_list(run);
    let view = View {
        version: env!("CARGO_PKG_VERSION"),
        period: audit.period().to_string(),
        mode: if run.lenient { "lenient" } else { "strict" },
        config_source: match run.config_source {
            ConfigSource::Defaults => "defaults (no config file)".to_string(),
            ConfigSource::File(p) => p.display().to_string(),
        },
        total,
        by_check,
        attention,
        attention_more,
        absent_tables: run.absent_tables(),
        inputs: inputs(run),
        issue_errors: run.issues.errors(),
        issue_warnings: run.issues.warnings(),
        first_issues,
        issues_more,
        checks: check_sections(findings, mask),
        links: audit.links.iter().map(|l| LinkView::of(l, mask)).collect(),
        affected: affected_view(report),
        stats: stats_view(&audit.stats, audit.config(), mask),
        compliance: compliance_view(&audit.stats),
        charts: report.charts.iter().map(ChartView::of).collect(),
        reviews: run
            .reviews
            .map(|v| ReviewsView::of_audit(v, audit, run.carry).masked(mask)),
        coverage: coverage_statement(&audit.stats.coverage, run.sources),
        control: control_view(report),
        actors: actors_view(&audit.stats, findings, audit.config(), mask),
        population: {
            let p = crate::analysis::population::Population::of(audit);
            PopulationView {
                lets: p.lets,
                routes: p
                    .lets_by_route
                    .iter()
                    .map(|(r, n)| (r.as_str(), *n))
                    .collect(),
                adverts: p.adverts,
                sales: p.sales,
                empty: p.empty_message(audit.period()),
            }
        },
    };
    fill_template(&view)
}

/// Fills the template with `view`.
fn fill_template(view: &View) -> Result<Vec<u8>> {
    let mut env = Environment::new();
    // A misspelt name in the template is an error, not an empty cell.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_keep_trailing_newline(true);
    let rendered = env
        .add_template(TEMPLATE_NAME, TEMPLATE)
        .and_then(|()| env.get_template(TEMPLATE_NAME))
        .and_then(|t| t.render(view));
    // The template is part of the binary: a failure is a bug, reported as
    // a failure to produce the file rather than a panic.
    rendered.map(String::into_bytes).map_err(|e| Error::Output {
        path: std::path::PathBuf::from(TEMPLATE_NAME),
        source: std::io::Error::other(format!("{e:#}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_escapes_because_of_its_name() {
        let mut env = Environment::new();
        env.add_template(TEMPLATE_NAME, "{{ x }}").unwrap();
        let out = env
            .get_template(TEMPLATE_NAME)
            .unwrap()
            .render(minijinja::context! { x => "<script>alert(1)</script>" })
            .unwrap();
        assert!(!out.contains('<'), "{out}");
        assert!(out.starts_with("&lt;script&gt;"));
    }

    #[test]
    fn p_values_read_well() {
        assert_eq!(p_value(None), "not computed");
        assert_eq!(p_value(Some(0.5)), "0.5000");
        assert_eq!(p_value(Some(0.00001234)), "1.23e-5");
        assert_eq!(p_value(Some(0.0)), "0.0000");
    }
}
