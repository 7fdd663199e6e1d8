//! `woonaudit explain ALLOCATION_ID`: the advert's re-derived candidate list
//! in the terminal (rank, eligibility and why not, recorded position,
//! outcome, reason, decided_by, link), with the tenant and every bypassed
//! candidate marked, so a manager sees in one screen why a finding fired.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::process::ExitCode;

use clap::Args;

use super::{print_issues, usage, DataArgs};
use woonaudit::checks::{self, CheckCode};
use woonaudit::context::Context;
use woonaudit::error::{Error, Result};
use woonaudit::model::{Advert, Allocation, Response, Route};
use woonaudit::period::Period;
use woonaudit::rank::Ranking;

/// Options of `explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Set rows with data errors aside and go on, instead of stopping.
    #[arg(long)]
    lenient: bool,
    /// The allocation to explain.
    allocation_id: String,
}

/// Runs `explain`.
pub fn run(args: &ExplainArgs) -> Result<ExitCode> {
    let loaded = args.data.load()?;
    let errors = loaded.issues.errors();
    if errors > 0 && !args.lenient {
        print_issues(&loaded.issues, None);
        return Err(Error::DataErrors { errors });
    }
    let data = &loaded.data;
    let Some(alloc) = data
        .allocations
        .iter()
        .find(|a| a.id.as_str() == args.allocation_id.trim())
    else {
        // An id typed in another case is the commonest slip: name the one
        // that is there.
        let wanted = args.allocation_id.trim();
        let near = data
            .allocations
            .iter()
            .find(|a| a.id.as_str().eq_ignore_ascii_case(wanted));
        return usage(match near {
            Some(a) => format!(
                "allocation {wanted} is not in allocations: did you mean {}? (ids are matched exactly, case included)",
                a.id.as_str()
            ),
            None => format!("allocation {wanted} is not in allocations"),
        });
    };
    let ctx = Context::new(data, &loaded.config, Period::ALL);
    let findings: Vec<_> = checks::run_all(&ctx)
        .findings
        .into_iter()
        .filter(|f| f.subject_id == alloc.id.as_str())
        .collect();
    print!("{}", render(&ctx, alloc, &findings));
    Ok(ExitCode::SUCCESS)
}

/// The whole explanation as text.
fn render(ctx: &Context<'_>, alloc: &Allocation, findings: &[checks::Finding]) -> String {
    let data = ctx.data;
    let mut out = String::new();
    allocation_lines(&mut out, ctx, alloc);
    findings_lines(&mut out, findings);
    let advert = alloc.advert_id.as_ref().and_then(|id| data.advert(id));
    let (Some(advert), Some(ranking)) = (advert, advert.and_then(|a| ctx.ranking(&a.id))) else {
        let why = if alloc.route == Route::Advert {
            "route advert, but the advert is missing or not in adverts"
        } else {
            "not let through an advert"
        };
        let _ = writeln!(out, "\nNo offer order to show: {why}.");
        return out;
    };
    advert_line(&mut out, advert);
    let bypassed: BTreeSet<&str> = findings
        .iter()
        .filter(|f| f.check == CheckCode::OrderBypass)
        .filter_map(|f| f.applicant_id.as_ref().map(|a| a.as_str()))
        .collect();
    let rows = candidate_rows(ctx, alloc, advert, ranking, &bypassed);
    if data.response(&advert.id, &alloc.applicant_id).is_none() {
        let _ = writeln!(
            out,
            "The tenant {} has no response to this advert.",
            alloc.applicant_id
        );
    }
    let _ = writeln!(
        out,
        "{} eligible candidate(s), {} not eligible, {} late\n",
        ranking.eligible().len(),
        ranking.ineligible().len(),
        ranking.late().count()
    );
    write_table(&mut out, &rows);
    out
}

/// The allocation itself: dwelling, tenant, date, route and advert, who
/// handled and approved it and why, and the tenant's link to staff.
fn allocation_lines(out: &mut String, ctx: &Context<'_>, alloc: &Allocation) {
    let _ = writeln!(
        out,
        "Allocation {}: dwelling {} to applicant {} on {}, route {}{}",
        alloc.id,
        alloc.dwelling_id,
        alloc.applicant_id,
        alloc.allocated_on,
        alloc.route,
        alloc
            .advert_id
            .as_ref()
            .map(|a| format!(", advert {a}"))
            .unwrap_or_default(),
    );
    let _ = writeln!(
        out,
        "Handled by {}, approved by {}, reason: {}",
        alloc.handled_by.as_ref().map_or("-", |e| e.as_str()),
        alloc.approved_by.as_ref().map_or("-", |e| e.as_str()),
        alloc.reason.as_deref().unwrap_or("-"),
    );
    if let Some(link) = ctx.link(&alloc.applicant_id, alloc.allocated_on) {
        let _ = writeln!(out, "Tenant linked to staff: {}", link.evidence);
    }
}

/// The findings on the allocation: severity, check and applicant, one a
/// line.
fn findings_lines(out: &mut String, findings: &[checks::Finding]) {
    let _ = writeln!(out, "\nFindings on this allocation: {}", findings.len());
    for f in findings {
        let _ = writeln!(
            out,
            "  {:<6} {:<24} {}",
            f.severity.as_str(),
            f.check.as_str(),
            f.applicant_id.as_ref().map_or("", |a| a.as_str())
        );
    }
}

/// The advert: model, dates and the order rules it ranks by (its policy's
/// tiers and requirements, when it names one).
fn advert_line(out: &mut String, advert: &Advert) {
    if let Some(p) = &advert.policy {
        let list = |ps: &[woonaudit::policy::Predicate]| {
            if ps.is_empty() {
                "none".to_string()
            } else {
                ps.iter()
                    .map(|p| p.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        let _ = writeln!(
            out,
            "\nAdvert {}: {} model, policy {} (base {}; tiers in order: {}; requires: {}), {} home(s), published {}, closes {}{}",
            advert.id,
            advert.model,
            p.name,
            advert.base(),
            list(&p.tiers),
            list(&p.require),
            advert.units,
            advert.published_on,
            advert.closes_on,
            if advert.is_discretionary() {
                "; discretionary: no fixed order"
            } else {
                ""
            },
        );
        return;
    }
    let _ = writeln!(
        out,
        "\nAdvert {}: {} model, published {}, closes {}; urgent seekers first: {}; local ties next: {}",
        advert.id,
        advert.model,
        advert.published_on,
        advert.closes_on,
        if advert.urgency_first { "yes" } else { "no" },
        if advert.local_first { "yes" } else { "no" },
    );
}

/// The candidate table, a header row first: the eligible candidates in
/// rank order with the keys they were ordered by, then the ineligible ones
/// with why, then the late ones.
fn candidate_rows(
    ctx: &Context<'_>,
    alloc: &Allocation,
    advert: &Advert,
    ranking: &Ranking<'_>,
    bypassed: &BTreeSet<&str>,
) -> Vec<[String; 10]> {
    let mut rows: Vec<[String; 10]> = vec![[
        "rank".into(),
        "applicant".into(),
        "eligible".into(),
        "ordered by".into(),
        "responded".into(),
        "position".into(),
        "outcome".into(),
        "reason".into(),
        "decided_by".into(),
        "link / mark".into(),
    ]];
    let row = |rank: String, r: &Response, eligible: String, keys: String| {
        [
            rank,
            r.applicant_id.to_string(),
            eligible,
            keys,
            r.responded_at.to_string(),
            r.position
                .get()
                .map(|p| p.to_string())
                .unwrap_or_else(|| "-".into()),
            r.outcome.to_string(),
            r.reason.as_deref().unwrap_or("-").to_string(),
            r.decided_by
                .as_ref()
                .map_or_else(|| "-".into(), |e| e.to_string()),
            mark(ctx, alloc, bypassed, r),
        ]
    };
    for c in ranking.eligible() {
        rows.push(row(
            c.rank.to_string(),
            c.response,
            "yes".into(),
            woonaudit::rank::describe_keys(
                advert,
                c.response,
                c.applicant,
                ctx.data.priorities_of(&c.applicant.id),
            ),
        ));
    }
    for (r, why) in ranking.ineligible() {
        let why: Vec<String> = why.iter().map(|w| w.to_string()).collect();
        rows.push(row(
            "-".into(),
            r,
            format!("no: {}", why.join("; ")),
            "-".into(),
        ));
    }
    for r in ranking.late() {
        rows.push(row("-".into(), r, "late".into(), "-".into()));
    }
    rows
}

/// The last column of a candidate's row: its link to staff on the day of
/// the allocation, and whether it is the tenant or was bypassed.
fn mark(ctx: &Context<'_>, alloc: &Allocation, bypassed: &BTreeSet<&str>, r: &Response) -> String {
    let mut m: Vec<String> = Vec::new();
    if let Some(l) = ctx.link(&r.applicant_id, alloc.allocated_on) {
        m.push(format!("{} {}", l.kind.as_str(), l.employee_id));
    }
    if r.applicant_id == alloc.applicant_id {
        m.push("<< TENANT".into());
    }
    if bypassed.contains(r.applicant_id.as_str()) {
        m.push("<< BYPASSED".into());
    }
    m.join("  ")
}

/// `rows` as a table: each column as wide as its widest cell, two spaces
/// between columns, no trailing spaces.
fn write_table(out: &mut String, rows: &[[String; 10]]) {
    let widths: Vec<usize> = (0..10)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    for r in rows {
        let mut line = String::new();
        for (i, cell) in r.iter().enumerate() {
            if i + 1 == r.len() {
                line.push_str(cell);
            } else {
                let pad = widths[i] - cell.chars().count();
                line.push_str(cell);
                line.push_str(&" ".repeat(pad + 2));
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
}
