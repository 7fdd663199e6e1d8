//! Stage 4, checks: the check catalogue of spec section 4, one file per
//! check family. Each check reads the [`Context`] and appends [`Finding`]s;
//! findings are data, sorted and written by `crate::report`.

pub mod conflict;
pub mod handler;
pub mod order;
pub mod registration;
pub mod route;
pub mod sales;
pub mod staff;

use std::collections::HashMap;
use std::fmt;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::dataset::Dataset;
use crate::fast::FastSet;
use crate::link::{Link, LinkKind, Linker};
use crate::model::{AdvertId, ApplicantId, Date, EmployeeId, Sale};
use crate::period::Period;
use crate::rank::Ranking;
use crate::timings::Timings;

/// The check codes of spec section 4.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CheckCode {
    /// An eligible candidate ranked above the tenant was not properly passed over.
    OrderBypass,
    /// The tenant did not respond to the advert on time.
    OrderNotACandidate,
    /// The tenant responded on time but is not eligible.
    OrderIneligible,
    /// A route-advert allocation without a usable advert.
    OrderNoAdvert,
    /// A recorded position differs from the expected rank.
    OrderPositionMismatch,
    /// A non-advert let without a proper approval.
    RouteUnapproved,
    /// A non-advert let to a staff-linked tenant.
    RouteStaffCircle,
    /// A let to a staff-linked tenant (register).
    StaffAllocation,
    /// An employee acted on a case of someone linked to them.
    ConflictOfInterest,
    /// A tenant or buyer with an undeclared link to staff.
    UndeclaredLink,
    /// A registration date moved earlier.
    RegistrationBackdated,
    /// A sale below the appraisal value.
    SaleBelowAppraisal,
    /// A sale not offered publicly.
    SaleNotPublic,
    /// A sale on a missing or stale appraisal.
    SaleStaleAppraisal,
    /// A letting employee with an outlying bypass share.
    HandlerBypassRate,
}

impl CheckCode {
    /// Every code, in the catalogue's order.
    pub const ALL: [CheckCode; 15] = [
        CheckCode::OrderBypass,
        CheckCode::OrderNotACandidate,
        CheckCode::OrderIneligible,
        CheckCode::OrderNoAdvert,
        CheckCode::OrderPositionMismatch,
        CheckCode::RouteUnapproved,
        CheckCode::RouteStaffCircle,
        CheckCode::StaffAllocation,
        CheckCode::ConflictOfInterest,
        CheckCode::UndeclaredLink,
        CheckCode::RegistrationBackdated,
        CheckCode::SaleBelowAppraisal,
        CheckCode::SaleNotPublic,
        CheckCode::SaleStaleAppraisal,
        CheckCode::HandlerBypassRate,
    ];

    /// The codes this version of woonaudit runs: the whole catalogue.
    pub const IMPLEMENTED: [CheckCode; 15] = CheckCode::ALL;

    /// The spec's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckCode::OrderBypass => "ORDER_BYPASS",
            CheckCode::OrderNotACandidate => "ORDER_NOT_A_CANDIDATE",
            CheckCode::OrderIneligible => "ORDER_INELIGIBLE",
            CheckCode::OrderNoAdvert => "ORDER_NO_ADVERT",
            CheckCode::OrderPositionMismatch => "ORDER_POSITION_MISMATCH",
            CheckCode::RouteUnapproved => "ROUTE_UNAPPROVED",
            CheckCode::RouteStaffCircle => "ROUTE_STAFF_CIRCLE",
            CheckCode::StaffAllocation => "STAFF_ALLOCATION",
            CheckCode::ConflictOfInterest => "CONFLICT_OF_INTEREST",
            CheckCode::UndeclaredLink => "UNDECLARED_LINK",
            CheckCode::RegistrationBackdated => "REGISTRATION_BACKDATED",
            CheckCode::SaleBelowAppraisal => "SALE_BELOW_APPRAISAL",
            CheckCode::SaleNotPublic => "SALE_NOT_PUBLIC",
            CheckCode::SaleStaleAppraisal => "SALE_STALE_APPRAISAL",
            CheckCode::HandlerBypassRate => "HANDLER_BYPASS_RATE",
        }
    }
}

impl fmt::Display for CheckCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How urgently a finding needs a look. Ordered high first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Look first.
    High,
    /// Look soon.
    Medium,
    /// For the register.
    Low,
}

impl Severity {
    /// The spec's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }

    /// Parses `high`, `medium` or `low` (any case).
    pub fn parse(s: &str) -> Option<Severity> {
        [Severity::High, Severity::Medium, Severity::Low]
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a finding is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SubjectType {
    /// An allocation (subject_id = allocation_id).
    Allocation,
    /// An advert (subject_id = advert_id).
    Advert,
    /// A sale (subject_id = sale_id).
    Sale,
    /// An applicant (subject_id = applicant_id).
    Applicant,
    /// An employee (subject_id = employee_id).
    Employee,
}

impl SubjectType {
    /// The spec's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectType::Allocation => "allocation",
            SubjectType::Advert => "advert",
            SubjectType::Sale => "sale",
            SubjectType::Applicant => "applicant",
            SubjectType::Employee => "employee",
        }
    }
}

/// Adds a clause to a detail sentence, keeping it one sentence (spec 6):
/// `"A was let to B."` + `"staff link: ..."` -> `"A was let to B; staff link: ...."`.
pub fn with_clause(sentence: &str, clause: &str) -> String {
    format!("{}; {clause}.", sentence.trim_end().trim_end_matches('.'))
}

/// `high` when `cond`, else `otherwise`: the severity rule of most checks.
pub fn severity_if(cond: bool, high: Severity, otherwise: Severity) -> Severity {
    if cond {
        high
    } else {
        otherwise
    }
}

/// One finding: a reason to look, with the evidence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The check that fired.
    pub check: CheckCode,
    /// Its severity.
    pub severity: Severity,
    /// What it is about.
    pub subject_type: SubjectType,
    /// The id of the subject.
    pub subject_id: String,
    /// The person it is about, if any.
    pub applicant_id: Option<ApplicantId>,
    /// The employee named, if any.
    pub employee_id: Option<EmployeeId>,
    /// The kind of the named employee's link, if any.
    pub link: Option<LinkKind>,
    /// One plain sentence with the evidence.
    pub detail: String,
}

impl Finding {
    /// A finding about a subject, naming no person or employee yet.
    pub fn new(
        check: CheckCode,
        severity: Severity,
        subject_type: SubjectType,
        subject_id: &str,
        detail: String,
    ) -> Finding {
        Finding {
            check,
            severity,
            subject_type,
            subject_id: subject_id.to_string(),
            applicant_id: None,
            employee_id: None,
            link: None,
            detail,
        }
    }

    /// Sets the person the finding is about.
    pub fn about(mut self, applicant: Option<&ApplicantId>) -> Finding {
        self.applicant_id = applicant.cloned();
        self
    }

    /// Names the employee of a link (and the link's kind).
    pub fn naming(mut self, link: Option<&Link>) -> Finding {
        self.employee_id = link.map(|l| l.employee_id.clone());
        self.link = link.map(|l| l.kind);
        self
    }

    /// Names an employee who acted, with the kind of the person's link to
    /// them.
    pub fn naming_employee(mut self, employee: &EmployeeId, kind: Option<LinkKind>) -> Finding {
        self.employee_id = Some(employee.clone());
        self.link = kind;
        self
    }

    /// The stable id: the first 16 hex digits of SHA-256 of
    /// `check|subject_id|applicant_id|employee_id` (spec 6).
    pub fn id(&self) -> String {
        let text = format!(
            "{}|{}|{}|{}",
            self.check.as_str(),
            self.subject_id,
            self.applicant_id.as_ref().map_or("", |a| a.as_str()),
            self.employee_id.as_ref().map_or("", |e| e.as_str()),
        );
        Sha256::digest(text.as_bytes())[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The sort key of findings.csv: severity, check, subject_id,
    /// applicant_id, employee_id (byte order).
    pub fn sort_key(&self) -> (Severity, &'static str, &str, &str, &str) {
        (
            self.severity,
            self.check.as_str(),
            &self.subject_id,
            self.applicant_id.as_ref().map_or("", |a| a.as_str()),
            self.employee_id.as_ref().map_or("", |e| e.as_str()),
        )
    }
}

/// What every check reads.
pub struct Context<'a> {
    /// The usable input.
    pub data: &'a Dataset,
    /// The config as used.
    pub config: &'a Config,
    /// The period the checks are limited to.
    pub period: &'a Period,
    /// Links people to staff (spec 2).
    pub linker: Linker<'a>,
    /// The derived order of every advert (spec 3), made once: the order,
    /// conflict and lottery figures all read it.
    rankings: HashMap<&'a AdvertId, Ranking<'a>>,
    /// Applicants linked to some employee at some time (spec 2 without
    /// the employment window): everyone else is linked on no day.
    staff_circle: FastSet<&'a ApplicantId>,
}

impl<'a> Context<'a> {
    /// Builds the context, indexing the staff register once.
    pub fn new(data: &'a Dataset, config: &'a Config, period: &'a Period) -> Context<'a> {
        Context::timed(data, config, period, &mut Timings::default())
    }

    /// [`Context::new`], recording the stages `link` and `rank`.
    pub fn timed(
        data: &'a Dataset,
        config: &'a Config,
        period: &'a Period,
        timings: &mut Timings,
    ) -> Context<'a> {
        use rayon::prelude::*;
        let (linker, staff_circle) = timings.time("link", || {
            let linker = Linker::new(data);
            // Who could be linked at all (any employee, any time): most
            // applicants cannot, and for them no later question about a
            // link on a given day needs their names normalised again.
            let circle: Vec<&'a ApplicantId> = data
                .applicants
                .par_iter()
                .filter(|a| !linker.candidates(a.person(), Some(&a.id)).is_empty())
                .map(|a| &a.id)
                .collect();
            (linker, circle.into_iter().collect())
        });
        // Adverts rank independently: one per core.
        let rankings = timings.time("rank", || {
            data.adverts
                .par_iter()
                .map(|a| (&a.id, Ranking::derive(data, a)))
                .collect()
        });
        Context {
            data,
            config,
            period,
            linker,
            staff_circle,
            rankings,
        }
    }

    /// The derived order of an advert.
    pub fn ranking(&self, advert: &AdvertId) -> Option<&Ranking<'a>> {
        self.rankings.get(advert)
    }

    /// Every employee a waiting-list applicant is linked to on `day`,
    /// strongest kind first, then lowest employee_id (spec 2). Empty for an
    /// id that is not on the waiting list: there is nothing to compare.
    pub fn applicant_links(&self, applicant: &ApplicantId, day: Date) -> Vec<Link> {
        if !self.staff_circle.contains(applicant) {
            return Vec::new();
        }
        match self.data.applicant(applicant) {
            Some(a) => self.linker.links(a.person(), Some(&a.id), day),
            None => Vec::new(),
        }
    }

    /// The link a finding names for an applicant on `day`: the strongest
    /// kind, then the lowest employee_id.
    pub fn link(&self, applicant: &ApplicantId, day: Date) -> Option<Link> {
        self.applicant_links(applicant, day).into_iter().next()
    }

    /// Every employee a sale's buyer is linked to on the day of the sale.
    pub fn buyer_links(&self, sale: &Sale) -> Vec<Link> {
        self.linker
            .links(sale.buyer(), sale.buyer_applicant_id.as_ref(), sale.sold_on)
    }
}

/// Runs every implemented check and returns the findings sorted as
/// findings.csv lists them.
///
/// HANDLER_BYPASS_RATE runs last: it tests the ORDER_BYPASS findings of the
/// checks before it.
pub fn run_all(ctx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    order::check(ctx, &mut findings);
    route::check(ctx, &mut findings);
    staff::check(ctx, &mut findings);
    conflict::check(ctx, &mut findings);
    registration::check(ctx, &mut findings);
    sales::check(ctx, &mut findings);
    handler::check(ctx, &mut findings);
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings
}
