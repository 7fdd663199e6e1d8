/*!
The findings the spec's rules (section 4) give on a data set, without a
period, with the default thresholds: what `planted.csv` must list.

The generator plants anomalies on purpose and says which findings it means
(`world::Intent`); this module derives the findings from the finished data
by the rules, so the severities, links and the extra findings an anomaly
causes (an ORDER_BYPASS per candidate passed over, ...) are exactly what
the rules make of the data. The tests require both to agree.
*/

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::link::{Kind, Linker};
use woonaudit::dataset::Dataset;
use woonaudit::model::{
    Advert, AdvertId, Allocation, ApplicantId, Date, EmployeeId, Outcome, Priority, Route,
    SaleRoute, VacancyReason,
};
use woonaudit::rank::{Change, Ranking};

/// backdating_days.
const BACKDATING_DAYS: i64 = 30;
/// listing_min_days.
const LISTING_MIN_DAYS: i64 = 14;
/// appraisal_max_age_days.
const APPRAISAL_MAX_AGE_DAYS: i64 = 183;
/// sale_tolerance, in percent.
const SALE_TOLERANCE_PCT: i128 = 2;
/// handler_min_allocations.
const HANDLER_MIN_ALLOCATIONS: usize = 10;
/// handler_q (also the threshold of ACTOR_SKIP_RATE).
const HANDLER_Q: f64 = 0.05;
/// actor_min_decisions.
const ACTOR_MIN_DECISIONS: u64 = 20;
/// actor_backdating_min.
const ACTOR_BACKDATING_MIN: usize = 3;
/// withdrawn_let_days.
const WITHDRAWN_LET_DAYS: i64 = 180;
/// vacancy_advert_lead_days.
const VACANCY_ADVERT_LEAD_DAYS: i64 = 60;
/// The placeholder reasons of spec 4.1, normalised.
const PLACEHOLDERS: &[&str] = &[
    "nvt",
    "zd",
    "ziedossier",
    "ziefile",
    "ok",
    "akkoord",
    "geen",
    "onbekend",
    "test",
    "xxx",
    "na",
];

/// The config the rules are applied with, where it differs from the
/// defaults.
#[derive(Clone, Debug, Default)]
pub(crate) struct Rules {
    /// `[input] migrated_on`: days whose registered_at gap is no event.
    pub migrated_on: Vec<Date>,
}

/// Whether a reason counts as missing (spec 4.1): lower-cased, without
/// diacritics and without anything but letters and digits, it is shorter
/// than 3 characters or a placeholder.
pub(crate) fn reason_missing(reason: Option<&str>) -> bool {
    use unicode_normalization::char::is_combining_mark;
    use unicode_normalization::UnicodeNormalization;
    let Some(r) = reason else {
        return true;
    };
    let norm: String = r
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect();
    norm.chars().count() < 3 || PLACEHOLDERS.contains(&norm.as_str())
}

/// Dwelling ids as the v1.2 checks compare them.
fn same_dwelling(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// Whether the advert has no fixed order: its policy's base, else its
/// model, is discretionary.
fn discretionary(adv: &Advert) -> bool {
    adv.policy
        .as_ref()
        .and_then(|p| p.base)
        .unwrap_or(adv.model)
        == woonaudit::model::Model::Discretionary
}

/// The tenants of each advert: applicants of its route-advert lets.
fn advert_tenants(data: &Dataset) -> BTreeSet<(&str, &str)> {
    data.allocations
        .iter()
        .filter(|a| a.route == Route::Advert)
        .filter_map(|a| Some((a.advert_id.as_ref()?.as_str(), a.applicant_id.as_str())))
        .collect()
}

/// Whether the candidate was passed over properly: declined, skipped or
/// withdrawn with a real reason.
fn passed_properly(r: &woonaudit::model::Response) -> bool {
    matches!(
        r.outcome,
        Outcome::Declined | Outcome::Skipped | Outcome::Withdrawn
    ) && !reason_missing(r.reason.as_deref())
}

/// A late priority of a let (PRIORITY_LATE) and the seekers it put below
/// the tenant: (the priority, the seekers with their rank without it,
/// the tenant's rank without it).
pub(crate) struct Late<'a> {
    pub priority: &'a Priority,
    pub seekers: Vec<(&'a str, usize)>,
    pub tenant_rank: Option<usize>,
}

/// PRIORITY_LATE on route-advert let `a` of non-discretionary advert
/// `adv`: among the tenant's priorities that count on the closing day and
/// were granted after publication, the earliest granted (then lowest id)
/// whose removal puts above the tenant someone who was not above before,
/// was not passed over properly and is not a tenant of the advert.
fn late_priority<'a>(
    data: &'a Dataset,
    adv: &'a Advert,
    a: &Allocation,
    ranking: &Ranking<'a>,
    tenants: &BTreeSet<(&str, &str)>,
) -> Option<Late<'a>> {
    let t_rank = ranking.find(&a.applicant_id)?.rank;
    let c = adv.closes_on;
    let mut late: Vec<&Priority> = data
        .priorities_of(&a.applicant_id)
        .iter()
        .filter(|p| {
            p.valid_from.is_none_or(|f| f <= c)
                && p.valid_to.is_none_or(|t| c <= t)
                && p.granted_on.is_some_and(|g| g > adv.published_on)
        })
        .collect();
    late.sort_by(|x, y| {
        (x.granted_on, x.id.as_str().as_bytes()).cmp(&(y.granted_on, y.id.as_str().as_bytes()))
    });
    let above_before: BTreeSet<&str> = ranking
        .eligible()
        .filter(|e| e.rank < t_rank)
        .map(|e| e.applicant.id.as_str())
        .collect();
    for p in late {
        let again = Ranking::derive_with(
            data,
            adv,
            Change {
                replacement: None,
                without_priority: Some(&p.id),
            },
        );
        let new_t = again.find(&a.applicant_id).map(|r| r.rank);
        let seekers: Vec<(&str, usize)> = again
            .eligible()
            .filter(|e| new_t.is_none_or(|t| e.rank < t))
            .filter(|e| e.applicant.id != a.applicant_id)
            .filter(|e| !above_before.contains(e.applicant.id.as_str()))
            .filter(|e| !passed_properly(e.response))
            .filter(|e| !tenants.contains(&(adv.id.as_str(), e.applicant.id.as_str())))
            .map(|e| (e.applicant.id.as_str(), e.rank))
            .collect();
        if !seekers.is_empty() {
            return Some(Late {
                priority: p,
                seekers,
                tenant_rank: new_t,
            });
        }
    }
    None
}

/// One finding, without its detail sentence.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Row {
    pub check: &'static str,
    pub subject_type: &'static str,
    pub subject_id: String,
    pub applicant_id: String,
    pub employee_id: String,
    pub link: &'static str,
    pub severity: &'static str,
}

fn row(
    check: &'static str,
    subject_type: &'static str,
    subject_id: &str,
    applicant_id: &str,
    named: Option<&(EmployeeId, Kind)>,
    severity: &'static str,
) -> Row {
    Row {
        check,
        subject_type,
        subject_id: subject_id.to_string(),
        applicant_id: applicant_id.to_string(),
        employee_id: named.map(|n| n.0.to_string()).unwrap_or_default(),
        link: named.map(|n| n.1.as_str()).unwrap_or(""),
        severity,
    }
}

/// The kind of the link to employee `e`, if the person has one.
fn kind_of(links: &[(EmployeeId, Kind)], e: &EmployeeId) -> Option<Kind> {
    links.iter().find(|l| &l.0 == e).map(|l| l.1)
}

/// A date in the edit log's old/new values (ISO or day-month-year).
fn parse_date(s: &str) -> Option<Date> {
    let s = s.trim();
    ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]
        .iter()
        .find_map(|f| Date::parse_from_str(s, f).ok())
}

/// Decisions of ACTOR_SKIP_RATE per employee: (decisions, skipped).
pub(crate) type Decisions = BTreeMap<EmployeeId, (u64, u64)>;

/// The ACTOR_SKIP_RATE tally: every decision (a declined, skipped or
/// withdrawn outcome with a decided_by) of an eligible candidate of an
/// advert (every model here has a fixed order), per decider.
pub(crate) struct SkipTally {
    /// Every employee's (decisions, skipped), `extra` included.
    pub per: Decisions,
    /// All decisions.
    pub total: u64,
    /// All skips.
    pub skipped: u64,
}

impl SkipTally {
    /// Tallies the decisions of `rankings` (one per advert of the data)
    /// plus `extra` ones made elsewhere (the scale filler).
    fn new(rankings: &[Ranking<'_>], extra: &Decisions) -> SkipTally {
        let mut per: Decisions = extra.clone();
        for c in rankings
            .iter()
            .filter(|r| !discretionary(r.advert))
            .flat_map(|r| r.eligible())
        {
            let r = c.response;
            let Some(by) = &r.decided_by else {
                continue;
            };
            let skipped = match r.outcome {
                Outcome::Skipped => true,
                Outcome::Declined | Outcome::Withdrawn => false,
                Outcome::Accepted | Outcome::NotReached => continue,
            };
            let e = per.entry(*by).or_default();
            e.0 += 1;
            e.1 += u64::from(skipped);
        }
        let total = per.values().map(|v| v.0).sum();
        let skipped = per.values().map(|v| v.1).sum();
        SkipTally {
            per,
            total,
            skipped,
        }
    }

    /// The employees the test flags: at least ACTOR_MIN_DECISIONS
    /// decisions, Benjamini-Hochberg q of the one-sided binomial p under
    /// HANDLER_Q.
    pub fn flagged(&self) -> Vec<EmployeeId> {
        if self.total == 0 {
            return Vec::new();
        }
        let p0 = self.skipped as f64 / self.total as f64;
        let family: Vec<(&EmployeeId, f64)> = self
            .per
            .iter()
            .filter(|(_, (n, _))| *n >= ACTOR_MIN_DECISIONS)
            .map(|(e, &(n, k))| (e, binomial_upper(k as usize, n as usize, p0)))
            .collect();
        benjamini_hochberg(&family)
            .into_iter()
            .filter(|(_, q)| *q < HANDLER_Q)
            .map(|(e, _)| *e)
            .collect()
    }
}

/// The ACTOR_SKIP_RATE tally of `data` plus `extra` decisions.
pub(crate) fn skip_tally(data: &Dataset, extra: &Decisions) -> SkipTally {
    let rankings: Vec<Ranking<'_>> = data
        .adverts
        .iter()
        .map(|adv| Ranking::derive(data, adv))
        .collect();
    SkipTally::new(&rankings, extra)
}

/// The ACTOR_SKIP_RATE rows of a tally.
pub(crate) fn skip_rows(tally: &SkipTally) -> Vec<Row> {
    tally
        .flagged()
        .into_iter()
        .map(|e| {
            let mut r = row(
                "ACTOR_SKIP_RATE",
                "employee",
                e.as_str(),
                "",
                None,
                "medium",
            );
            r.employee_id = e.to_string();
            r
        })
        .collect()
}

/// Every finding of spec section 4 on `data`.
/// The findings the rules give on `data` plus honest advert lets that are
/// not in it: `extra` counts, per handler, lets without a bypass (the scale
/// filler, which the handler test sees), and `decisions` counts, per
/// employee, decisions (declined, skipped or withdrawn outcomes of eligible
/// candidates) made outside `data` (the filler's, which ACTOR_SKIP_RATE
/// sees).
pub(crate) fn findings_with(
    data: &Dataset,
    rules: &Rules,
    extra: &BTreeMap<EmployeeId, usize>,
    decisions: &Decisions,
) -> Vec<Row> {
    let linker = Linker::new(&data.employees, &data.relations);
    let mut out = Vec::new();
    let mut bypassed: BTreeSet<&str> = BTreeSet::new();
    let tenants = advert_tenants(data);
    // Every advert's order, derived once (the lets and the positions both
    // need it).
    let rankings: Vec<Ranking<'_>> = data
        .adverts
        .iter()
        .map(|adv| Ranking::derive(data, adv))
        .collect();
    let ranking_of: HashMap<&AdvertId, usize> = data
        .adverts
        .iter()
        .enumerate()
        .map(|(i, adv)| (&adv.id, i))
        .collect();

    for a in &data.allocations {
        let tenant = data.applicant(&a.applicant_id);
        let t_links = tenant
            .map(|t| linker.links(&t.person(), Some(&t.id), Some(a.allocated_on)))
            .unwrap_or_default();
        let t_named = t_links.first();
        let linked = !t_links.is_empty();
        let sid = a.id.as_str();
        let tid = a.applicant_id.as_str();
        let high_if = |l: bool| if l { "high" } else { "medium" };
        // (person, acting employee) -> kind of their link.
        let mut conflicts: BTreeMap<(String, EmployeeId), Kind> = BTreeMap::new();
        // A let through a discretionary advert needs the approval of a
        // non-advert route (spec 3).
        let mut needs_approval = a.route != Route::Advert;
        if a.route == Route::Advert {
            let advert = a
                .advert_id
                .as_ref()
                .and_then(|id| data.advert(id))
                .filter(|ad| !data.set_aside_adverts.contains(&ad.id));
            match advert {
                None => out.push(row(
                    "ORDER_NO_ADVERT",
                    "allocation",
                    sid,
                    tid,
                    t_named,
                    high_if(linked),
                )),
                Some(adv) => {
                    let ranking = &rankings[ranking_of[&adv.id]];
                    let free_order = discretionary(adv);
                    needs_approval = free_order;
                    if a.allocated_on < adv.closes_on {
                        out.push(row(
                            "ALLOCATED_BEFORE_CLOSE",
                            "allocation",
                            sid,
                            tid,
                            t_named,
                            high_if(linked),
                        ));
                    }
                    if adv.units == 1
                        && !same_dwelling(a.dwelling_id.as_str(), adv.dwelling_id.as_str())
                    {
                        out.push(row(
                            "ADVERT_DWELLING_MISMATCH",
                            "allocation",
                            sid,
                            tid,
                            t_named,
                            high_if(linked),
                        ));
                    }
                    if !free_order {
                        if let Some(late) = late_priority(data, adv, a, ranking, &tenants) {
                            let p = late.priority;
                            let by_link = match (&p.granted_by, data.applicant(&a.applicant_id)) {
                                (Some(by), Some(t)) => {
                                    let at = linker.links(&t.person(), Some(&t.id), p.granted_on);
                                    kind_of(&at, by).is_some()
                                }
                                _ => false,
                            };
                            out.push(row(
                                "PRIORITY_LATE",
                                "allocation",
                                sid,
                                tid,
                                t_named,
                                high_if(linked || by_link),
                            ));
                        }
                    }
                    let own = data.response(&adv.id, &a.applicant_id);
                    let on_time = own.filter(|r| r.responded_at.date() <= adv.closes_on);
                    let t_rank = ranking.find(&a.applicant_id).map(|r| r.rank);
                    if on_time.is_none() {
                        out.push(row(
                            "ORDER_NOT_A_CANDIDATE",
                            "allocation",
                            sid,
                            tid,
                            t_named,
                            high_if(linked),
                        ));
                    } else if t_rank.is_none() {
                        out.push(row(
                            "ORDER_INELIGIBLE",
                            "allocation",
                            sid,
                            tid,
                            t_named,
                            high_if(linked),
                        ));
                    }
                    for c in ranking.eligible() {
                        if t_rank.is_some_and(|t| c.rank >= t) {
                            break;
                        }
                        // Nobody is passed over on a discretionary advert;
                        // conflicts of the candidates above still count.
                        let c_links = linker.links(
                            &c.applicant.person(),
                            Some(&c.applicant.id),
                            Some(a.allocated_on),
                        );
                        let r = c.response;
                        // The tenant of another let of the advert was
                        // passed over properly (spec 3.1, units).
                        let proper = passed_properly(r)
                            || tenants.contains(&(adv.id.as_str(), c.applicant.id.as_str()));
                        if !proper && !free_order {
                            bypassed.insert(sid);
                            out.push(row(
                                "ORDER_BYPASS",
                                "allocation",
                                sid,
                                c.applicant.id.as_str(),
                                c_links.first().or(t_named),
                                high_if(linked || !c_links.is_empty()),
                            ));
                        }
                        if let Some(by) = &r.decided_by {
                            if let Some(k) = kind_of(&c_links, by) {
                                conflicts.insert((c.applicant.id.to_string(), *by), k);
                            }
                        }
                    }
                    if let Some(by) = own.and_then(|r| r.decided_by.as_ref()) {
                        if let Some(k) = kind_of(&t_links, by) {
                            conflicts.insert((tid.to_string(), *by), k);
                        }
                    }
                }
            }
        }
        for by in [&a.handled_by, &a.approved_by].into_iter().flatten() {
            if let Some(k) = kind_of(&t_links, by) {
                conflicts.insert((tid.to_string(), *by), k);
            }
        }
        if needs_approval {
            let unapproved = a.approved_by.is_none()
                || reason_missing(a.reason.as_deref())
                || (a.approved_by.is_some() && a.approved_by == a.handled_by);
            if unapproved {
                out.push(row(
                    "ROUTE_UNAPPROVED",
                    "allocation",
                    sid,
                    tid,
                    t_named,
                    high_if(linked),
                ));
            }
        }
        if a.route != Route::Advert {
            withdrawn_then_let(data, a, &mut out, t_named, high_if(linked));
            if matches!(a.route, Route::Direct | Route::Other) {
                not_advertised(data, a, &mut out, t_named, linked);
            }
            if linked {
                out.push(row(
                    "ROUTE_STAFF_CIRCLE",
                    "allocation",
                    sid,
                    tid,
                    t_named,
                    "high",
                ));
            }
        }
        if linked {
            out.push(row(
                "STAFF_ALLOCATION",
                "allocation",
                sid,
                tid,
                t_named,
                "low",
            ));
        }
        for l in t_links.iter().filter(|l| l.1.undeclared()) {
            let sev = if l.1 == Kind::SurnamePostcode {
                "low"
            } else {
                "medium"
            };
            out.push(row("UNDECLARED_LINK", "allocation", sid, tid, Some(l), sev));
        }
        for ((person, e), k) in conflicts {
            out.push(row(
                "CONFLICT_OF_INTEREST",
                "allocation",
                sid,
                &person,
                Some(&(e, k)),
                "high",
            ));
        }
    }

    // ADVERT_OVERLET: more route-advert lets name an advert than its units.
    let mut lets_of: BTreeMap<&str, Vec<&Allocation>> = BTreeMap::new();
    for a in data.allocations.iter().filter(|a| a.route == Route::Advert) {
        if let Some(id) = &a.advert_id {
            lets_of.entry(id.as_str()).or_default().push(a);
        }
    }
    for adv in &data.adverts {
        let lets = lets_of.get(adv.id.as_str()).map_or(&[][..], Vec::as_slice);
        if lets.len() <= adv.units as usize {
            continue;
        }
        let mut links: Vec<(EmployeeId, Kind)> = lets
            .iter()
            .filter_map(|a| Some((a, data.applicant(&a.applicant_id)?)))
            .flat_map(|(a, t)| linker.links(&t.person(), Some(&t.id), Some(a.allocated_on)))
            .collect();
        links.sort_by(|x, y| (x.1, x.0.as_str().as_bytes()).cmp(&(y.1, y.0.as_str().as_bytes())));
        let sev = if links.is_empty() { "medium" } else { "high" };
        out.push(row(
            "ADVERT_OVERLET",
            "advert",
            adv.id.as_str(),
            "",
            links.first(),
            sev,
        ));
    }

    for (adv, ranking) in data.adverts.iter().zip(&rankings) {
        if discretionary(adv) {
            continue;
        }
        for c in ranking.eligible() {
            let Some(p) = c.response.position.get() else {
                continue;
            };
            if i64::from(p) == c.rank as i64 {
                continue;
            }
            let c_links = linker.links(
                &c.applicant.person(),
                Some(&c.applicant.id),
                Some(adv.closes_on),
            );
            let sev = if c_links.is_empty() { "low" } else { "medium" };
            out.push(row(
                "ORDER_POSITION_MISMATCH",
                "advert",
                adv.id.as_str(),
                c.applicant.id.as_str(),
                c_links.first(),
                sev,
            ));
        }
    }

    for s in &data.sales {
        let b_links = linker.links(&s.buyer(), s.buyer_applicant_id.as_ref(), Some(s.sold_on));
        let named = b_links.first();
        let linked = named.is_some();
        let sid = s.id.as_str();
        let aid = s
            .buyer_applicant_id
            .as_ref()
            .map(|a| a.as_str())
            .unwrap_or("");
        if let Some(by) = &s.handled_by {
            if let Some(k) = kind_of(&b_links, by) {
                out.push(row(
                    "CONFLICT_OF_INTEREST",
                    "sale",
                    sid,
                    aid,
                    Some(&(*by, k)),
                    "high",
                ));
            }
        }
        for l in b_links.iter().filter(|l| l.1.undeclared()) {
            let sev = if l.1 == Kind::SurnamePostcode {
                "low"
            } else {
                "medium"
            };
            out.push(row("UNDECLARED_LINK", "sale", sid, aid, Some(l), sev));
        }
        // price < appraisal x (1 - discount) x (1 - tolerance), the right
        // side rounded half-up to the cent, in exact integers.
        let d = s.scheme_discount;
        let scale = 10i128.pow(d.scale);
        let num =
            i128::from(s.appraisal_value.0) * (scale - d.mantissa) * (100 - SALE_TOLERANCE_PCT);
        let den = scale * 100;
        let threshold = (2 * num + den) / (2 * den);
        if linked {
            out.push(row("STAFF_PURCHASE", "sale", sid, aid, named, "low"));
        }
        let hl = if linked { "high" } else { "low" };
        if i128::from(s.price.0) < threshold {
            out.push(row("SALE_BELOW_APPRAISAL", "sale", sid, aid, named, hl));
        }
        let short = s
            .listed_on
            .is_none_or(|l| (s.sold_on - l).num_days() < LISTING_MIN_DAYS);
        let public = matches!(s.route, SaleRoute::OpenMarket | SaleRoute::Auction);
        if (linked && (!public || short)) || s.route == SaleRoute::Private {
            out.push(row("SALE_NOT_PUBLIC", "sale", sid, aid, named, hl));
        }
        let stale = s.appraised_on.is_none_or(|ap| {
            ap > s.sold_on || (s.sold_on - ap).num_days() > APPRAISAL_MAX_AGE_DAYS
        });
        if stale {
            let sev = if linked { "medium" } else { "low" };
            out.push(row("SALE_STALE_APPRAISAL", "sale", sid, aid, named, sev));
        }
    }

    // Registration edits: conflicts, and backdating events per applicant.
    let mut events: BTreeMap<&ApplicantId, Vec<Date>> = BTreeMap::new();
    let mut edit_conflicts: BTreeMap<(&ApplicantId, EmployeeId), Kind> = BTreeMap::new();
    // Per editor, the applicants whose date they moved earlier.
    let mut backdaters: BTreeMap<&EmployeeId, BTreeSet<&ApplicantId>> = BTreeMap::new();
    for c in &data.registration_changes {
        let day = c.changed_at.date();
        if let (Some(by), Some(a)) = (&c.changed_by, data.applicant(&c.applicant_id)) {
            let links = linker.links(&a.person(), Some(&a.id), Some(day));
            if let Some(k) = kind_of(&links, by) {
                edit_conflicts.insert((&c.applicant_id, *by), k);
            }
        }
        if c.field.eq_ignore_ascii_case("registration_date") {
            let old = c.old_value.as_deref().and_then(parse_date);
            let new = c.new_value.as_deref().and_then(parse_date);
            if let (Some(old), Some(new)) = (old, new) {
                if new < old {
                    events.entry(&c.applicant_id).or_default().push(day);
                    if let Some(by) = &c.changed_by {
                        backdaters.entry(by).or_default().insert(&c.applicant_id);
                    }
                }
            }
        }
    }
    // Priorities granted by an employee the applicant is linked to, at
    // granted_on (else valid_from).
    for p in &data.priorities {
        let (Some(by), Some(a)) = (&p.granted_by, data.applicant(&p.applicant_id)) else {
            continue;
        };
        let day = p.granted_on.or(p.valid_from);
        let links = linker.links(&a.person(), Some(&a.id), day);
        if let Some(k) = kind_of(&links, by) {
            edit_conflicts.insert((&p.applicant_id, *by), k);
        }
    }
    for ((a, e), k) in edit_conflicts {
        out.push(row(
            "CONFLICT_OF_INTEREST",
            "applicant",
            a.as_str(),
            a.as_str(),
            Some(&(e, k)),
            "high",
        ));
    }
    for (by, applicants) in backdaters {
        if applicants.len() >= ACTOR_BACKDATING_MIN {
            let mut r = row(
                "ACTOR_BACKDATING",
                "employee",
                by.as_str(),
                "",
                None,
                "high",
            );
            r.employee_id = by.to_string();
            out.push(r);
        }
    }
    for a in &data.applicants {
        if let Some(at) = a.registered_at {
            if gap_event(rules, a.registration_date, at.date()) {
                events.entry(&a.id).or_default().push(at.date());
            }
        }
    }
    for (id, days) in events {
        let earliest = *days.iter().min().expect("at least one event");
        let mut links: Vec<(EmployeeId, Kind)> = match data.applicant(id) {
            Some(a) => days
                .iter()
                .flat_map(|&d| linker.links(&a.person(), Some(&a.id), Some(d)))
                .collect(),
            None => Vec::new(),
        };
        links.sort_by(|x, y| (x.1, x.0.as_str().as_bytes()).cmp(&(y.1, y.0.as_str().as_bytes())));
        let housed_after = data
            .allocations
            .iter()
            .any(|al| &al.applicant_id == id && al.allocated_on >= earliest);
        let sev = if !links.is_empty() || housed_after {
            "high"
        } else {
            "medium"
        };
        out.push(row(
            "REGISTRATION_BACKDATED",
            "applicant",
            id.as_str(),
            id.as_str(),
            links.first(),
            sev,
        ));
    }

    // HANDLER_BYPASS_RATE over the advert lets.
    let advert_lets: Vec<_> = data
        .allocations
        .iter()
        .filter(|a| a.route == Route::Advert)
        .collect();
    let total = advert_lets.len() + extra.values().sum::<usize>();
    let with = advert_lets
        .iter()
        .filter(|a| bypassed.contains(a.id.as_str()))
        .count();
    let mut per: BTreeMap<&EmployeeId, (usize, usize)> = BTreeMap::new();
    for a in &advert_lets {
        if let Some(h) = &a.handled_by {
            let e = per.entry(h).or_default();
            e.0 += 1;
            if bypassed.contains(a.id.as_str()) {
                e.1 += 1;
            }
        }
    }
    for (h, n) in extra {
        per.entry(h).or_default().0 += n;
    }
    if total > 0 {
        let p0 = with as f64 / total as f64;
        let family: Vec<(&EmployeeId, f64)> = per
            .iter()
            .filter(|(_, (n, _))| *n >= HANDLER_MIN_ALLOCATIONS)
            .map(|(e, &(n, k))| (*e, binomial_upper(k, n, p0)))
            .collect();
        for (e, q) in benjamini_hochberg(&family) {
            if q < HANDLER_Q {
                out.push(row(
                    "HANDLER_BYPASS_RATE",
                    "employee",
                    e.as_str(),
                    "",
                    None,
                    "medium",
                ));
                let last = out.last_mut().expect("just pushed");
                last.employee_id = e.to_string();
            }
        }
    }
    out.extend(skip_rows(&SkipTally::new(&rankings, decisions)));
    out.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
    out
}

/// Whether the registered_at gap is an event of REGISTRATION_BACKDATED:
/// more than backdating_days, and not on a day of migration.
fn gap_event(rules: &Rules, registration: Date, registered: Date) -> bool {
    (registered - registration).num_days() > BACKDATING_DAYS
        && !rules.migrated_on.contains(&registered)
}

/// ADVERT_WITHDRAWN_THEN_LET on non-advert let `a`: the latest withdrawn
/// advert of its dwelling withdrawn on or before the let and at most
/// withdrawn_let_days before it.
fn withdrawn_then_let(
    data: &Dataset,
    a: &Allocation,
    out: &mut Vec<Row>,
    named: Option<&(EmployeeId, Kind)>,
    severity: &'static str,
) {
    let hit = data.adverts.iter().any(|adv| {
        if adv.status != woonaudit::model::AdvertStatus::Withdrawn
            || !same_dwelling(adv.dwelling_id.as_str(), a.dwelling_id.as_str())
        {
            return false;
        }
        let day = adv.withdrawn_on.unwrap_or(adv.closes_on);
        day <= a.allocated_on && (a.allocated_on - day).num_days() <= WITHDRAWN_LET_DAYS
    });
    if hit {
        out.push(row(
            "ADVERT_WITHDRAWN_THEN_LET",
            "allocation",
            a.id.as_str(),
            a.applicant_id.as_str(),
            named,
            severity,
        ));
    }
}

/// VACANCY_NOT_ADVERTISED on direct or other let `a`: the first let of
/// its dwelling since the latest vacancy on or before it, with no advert
/// of the dwelling published from vacancy_advert_lead_days before the
/// vacancy up to the let.
fn not_advertised(
    data: &Dataset,
    a: &Allocation,
    out: &mut Vec<Row>,
    named: Option<&(EmployeeId, Kind)>,
    linked: bool,
) {
    let dw = a.dwelling_id.as_str();
    let Some(v) = data
        .vacancies
        .iter()
        .filter(|v| same_dwelling(v.dwelling_id.as_str(), dw) && v.vacated_on <= a.allocated_on)
        .max_by_key(|v| v.vacated_on)
    else {
        return;
    };
    let first = data
        .allocations
        .iter()
        .filter(|o| same_dwelling(o.dwelling_id.as_str(), dw) && o.allocated_on >= v.vacated_on)
        .min_by(|x, y| (x.allocated_on, x.id.as_str()).cmp(&(y.allocated_on, y.id.as_str())));
    if first.is_none_or(|f| f.id != a.id) {
        return;
    }
    let from = v.vacated_on - chrono::Duration::days(VACANCY_ADVERT_LEAD_DAYS);
    let advertised = data.adverts.iter().any(|adv| {
        same_dwelling(adv.dwelling_id.as_str(), dw)
            && adv.published_on >= from
            && adv.published_on <= a.allocated_on
    });
    if !advertised {
        let sev = if linked || v.reason == VacancyReason::Death {
            "high"
        } else {
            "medium"
        };
        out.push(row(
            "VACANCY_NOT_ADVERTISED",
            "allocation",
            a.id.as_str(),
            a.applicant_id.as_str(),
            named,
            sev,
        ));
    }
}

/// One row of affected.csv (spec 4.2), without its detail sentence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AffectedRow {
    /// The let.
    pub allocation_id: String,
    /// Its advert.
    pub advert_id: String,
    /// The tenant.
    pub tenant_id: String,
    /// The seeker who should have been offered the home first.
    pub applicant_id: String,
    /// `bypass`, `backdated` or `late_priority`.
    pub cause: &'static str,
    /// The seeker's rank in the order the cause uses.
    pub rank: usize,
    /// The tenant's rank in it, if an eligible candidate.
    pub tenant_rank: Option<usize>,
}

/// The order keys of spec 3 for one candidate of `adv`, with
/// `registration_date` as given (this version's built-in policies).
fn order_key<'a>(
    adv: &woonaudit::model::Advert,
    r: &'a woonaudit::model::Response,
    a: &'a woonaudit::model::Applicant,
    registration_date: Date,
) -> (bool, Date, bool, i64, woonaudit::model::DateTime, &'a [u8]) {
    use chrono::Datelike;
    let c = adv.closes_on;
    let urgent = adv.urgency_first && a.urgent_on(c);
    let since = if urgent {
        a.urgency_from.unwrap_or(registration_date)
    } else {
        Date::MIN
    };
    let primary = match adv.model {
        woonaudit::model::Model::Registration => i64::from(registration_date.num_days_from_ce()),
        woonaudit::model::Model::Lottery => r.lottery_number.get().map_or(i64::MAX, i64::from),
        woonaudit::model::Model::FirstCome => r.responded_at.get().and_utc().timestamp(),
        // The backdated tenants of the plants respond to registration and
        // lottery adverts under the built-in policy only.
        woonaudit::model::Model::Points | woonaudit::model::Model::Discretionary => 0,
    };
    (
        adv.urgency_first && !urgent,
        since,
        adv.local_first && !a.local_ties,
        primary,
        r.responded_at.get(),
        a.id.as_str().as_bytes(),
    )
}

/// The seekers who lost a home (spec 4.2) on `data` over all dates, from
/// the findings `rows` the rules give (ORDER_BYPASS, REGISTRATION_BACKDATED).
/// The `backdated` order is not derived again: the tenant's original date
/// can only be later than the recorded one, so the others keep their order
/// and the tenant is put back among them by the order keys.
pub(crate) fn affected(data: &Dataset, rules: &Rules, rows: &[Row]) -> Vec<AffectedRow> {
    let backdated: BTreeSet<&str> = rows
        .iter()
        .filter(|r| r.check == "REGISTRATION_BACKDATED")
        .map(|r| r.subject_id.as_str())
        .collect();
    // Per applicant: the earliest event, and the earliest edit's old date.
    let mut earliest: HashMap<&str, Date> = HashMap::new();
    let mut first_edit: HashMap<&str, (woonaudit::model::DateTime, Date)> = HashMap::new();
    for c in &data.registration_changes {
        if !c.field.eq_ignore_ascii_case("registration_date") {
            continue;
        }
        let old = c.old_value.as_deref().and_then(parse_date);
        let new = c.new_value.as_deref().and_then(parse_date);
        if let (Some(old), Some(new)) = (old, new) {
            if new < old {
                let id = c.applicant_id.as_str();
                let e = earliest.entry(id).or_insert(c.changed_at.date());
                *e = (*e).min(c.changed_at.date());
                let f = first_edit.entry(id).or_insert((c.changed_at, old));
                if c.changed_at < f.0 {
                    *f = (c.changed_at, old);
                }
            }
        }
    }
    let mut gap: HashMap<&str, Date> = HashMap::new();
    for a in &data.applicants {
        if let Some(at) = a.registered_at {
            if gap_event(rules, a.registration_date, at.date()) {
                let e = earliest.entry(a.id.as_str()).or_insert(at.date());
                *e = (*e).min(at.date());
                gap.insert(a.id.as_str(), at.date());
            }
        }
    }
    let tenants = advert_tenants(data);
    let late_lets: BTreeSet<&str> = rows
        .iter()
        .filter(|r| r.check == "PRIORITY_LATE")
        .map(|r| r.subject_id.as_str())
        .collect();
    let mut out = Vec::new();
    for a in &data.allocations {
        let Some(adv) = a
            .advert_id
            .as_ref()
            .and_then(|id| data.advert(id))
            .filter(|ad| a.route == Route::Advert && !data.set_aside_adverts.contains(&ad.id))
            .filter(|ad| !discretionary(ad))
        else {
            continue;
        };
        let ranking = Ranking::derive(data, adv);
        let tid = a.applicant_id.as_str();
        let t_rank = ranking.find(&a.applicant_id).map(|r| r.rank);
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        let mut late_rows: Vec<AffectedRow> = Vec::new();
        for r in rows
            .iter()
            .filter(|r| r.check == "ORDER_BYPASS" && r.subject_id == a.id.as_str())
        {
            let c = ranking
                .find(&ApplicantId::from(r.applicant_id.as_str()))
                .expect("a bypassed candidate is eligible");
            seen.insert(c.applicant.id.as_str());
            out.push(AffectedRow {
                allocation_id: a.id.to_string(),
                advert_id: adv.id.to_string(),
                tenant_id: tid.to_string(),
                applicant_id: r.applicant_id.clone(),
                cause: "bypass",
                rank: c.rank,
                tenant_rank: t_rank,
            });
        }
        if late_lets.contains(a.id.as_str()) {
            // Added after the backdated rows below (the first cause wins).
            if let Some(late) = late_priority(data, adv, a, &ranking, &tenants) {
                for (id, rank) in late.seekers {
                    late_rows.push(AffectedRow {
                        allocation_id: a.id.to_string(),
                        advert_id: adv.id.to_string(),
                        tenant_id: tid.to_string(),
                        applicant_id: id.to_string(),
                        cause: "late_priority",
                        rank,
                        tenant_rank: late.tenant_rank,
                    });
                }
            }
        }
        if !backdated.contains(tid) || earliest.get(tid).is_none_or(|&d| d > adv.closes_on) {
            out.extend(
                late_rows
                    .drain(..)
                    .filter(|r| !seen.contains(r.applicant_id.as_str())),
            );
            continue;
        }
        let original = match first_edit.get(tid) {
            Some(&(_, old)) => old,
            None => gap[tid],
        };
        // The tenant with the original date: eligible only if it is on or
        // before closing (it was eligible before, or it still is not).
        let t_key = ranking
            .find(&a.applicant_id)
            .filter(|_| original <= adv.closes_on)
            .map(|t| order_key(adv, t.response, t.applicant, original));
        let above: Vec<_> = ranking
            .eligible()
            .filter(|c| c.applicant.id.as_str() != tid)
            .filter(|c| {
                t_key.as_ref().is_none_or(|k| {
                    order_key(adv, c.response, c.applicant, c.applicant.registration_date) < *k
                })
            })
            .collect();
        let new_t = t_key.as_ref().map(|_| above.len() + 1);
        for c in &above {
            // Ranks among the others keep their order; a candidate the
            // tenant was above moves up one.
            let rank = match t_rank {
                Some(t) if c.rank > t => c.rank - 1,
                _ => c.rank,
            };
            let id = c.applicant.id.as_str();
            if passed_properly(c.response)
                || tenants.contains(&(adv.id.as_str(), id))
                || seen.contains(id)
            {
                continue;
            }
            seen.insert(id);
            out.push(AffectedRow {
                allocation_id: a.id.to_string(),
                advert_id: adv.id.to_string(),
                tenant_id: tid.to_string(),
                applicant_id: id.to_string(),
                cause: "backdated",
                rank,
                tenant_rank: new_t,
            });
        }
        out.extend(
            late_rows
                .drain(..)
                .filter(|r| !seen.contains(r.applicant_id.as_str())),
        );
    }
    out.sort_by(|x, y| {
        (
            x.allocation_id.as_bytes(),
            x.rank,
            x.applicant_id.as_bytes(),
        )
            .cmp(&(
                y.allocation_id.as_bytes(),
                y.rank,
                y.applicant_id.as_bytes(),
            ))
    });
    out
}

/// findings.csv order: severity, check, subject, applicant, employee.
pub(crate) fn sort_key(r: &Row) -> (u8, &str, &str, &str, &str) {
    findings_order(
        r.severity,
        r.check,
        &r.subject_id,
        &r.applicant_id,
        &r.employee_id,
    )
}

/// The sort key of findings.csv over the fields of a finding (severity
/// high, medium, low; then byte order), for rows and planted rows alike.
pub(crate) fn findings_order<'a>(
    severity: &str,
    check: &'a str,
    subject_id: &'a str,
    applicant_id: &'a str,
    employee_id: &'a str,
) -> (u8, &'a str, &'a str, &'a str, &'a str) {
    let sev = match severity {
        "high" => 0,
        "medium" => 1,
        _ => 2,
    };
    (sev, check, subject_id, applicant_id, employee_id)
}

/// P(X >= k) for X ~ Binomial(n, p), summed exactly term by term.
pub(crate) fn binomial_upper(k: usize, n: usize, p: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    let ln_choose = |n: usize, j: usize| -> f64 {
        statrs::function::factorial::ln_binomial(n as u64, j as u64)
    };
    let sum: f64 = (k..=n)
        .map(|j| (ln_choose(n, j) + j as f64 * p.ln() + (n - j) as f64 * (1.0 - p).ln()).exp())
        .sum();
    sum.min(1.0)
}

/// Benjamini-Hochberg q-values, in the order given.
pub(crate) fn benjamini_hochberg<'a>(ps: &[(&'a EmployeeId, f64)]) -> Vec<(&'a EmployeeId, f64)> {
    let m = ps.len();
    let mut idx: Vec<usize> = (0..m).collect();
    idx.sort_by(|&a, &b| ps[a].1.total_cmp(&ps[b].1).then(a.cmp(&b)));
    let mut q = vec![1.0; m];
    let mut running = 1.0f64;
    for (pos, &i) in idx.iter().enumerate().rev() {
        let v = ps[i].1 * m as f64 / (pos + 1) as f64;
        running = running.min(v).min(1.0);
        q[i] = running;
    }
    ps.iter().zip(q).map(|(&(e, _), q)| (e, q)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binomial_tail_matches_hand_values() {
        // P(X >= 1 | n = 2, p = 0.5) = 0.75.
        assert!((binomial_upper(1, 2, 0.5) - 0.75).abs() < 1e-12);
        // P(X >= 3 | n = 3, p = 0.1) = 0.001.
        assert!((binomial_upper(3, 3, 0.1) - 0.001).abs() < 1e-12);
        assert_eq!(binomial_upper(0, 5, 0.3), 1.0);
    }

    #[test]
    fn bh_is_monotone() {
        let a = EmployeeId::from("A");
        let b = EmployeeId::from("B");
        let c = EmployeeId::from("C");
        let q = benjamini_hochberg(&[(&a, 0.01), (&b, 0.04), (&c, 0.03)]);
        assert!((q[0].1 - 0.03).abs() < 1e-12);
        assert!((q[1].1 - 0.04).abs() < 1e-12);
        assert!((q[2].1 - 0.04).abs() < 1e-12);
    }
}
