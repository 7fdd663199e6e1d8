//! Stage 5, checks: the check catalogue of spec section 4, one file per
//! check family ([`catalogue`] names them all). Each check reads the
//! [`Context`] and appends [`Finding`]s; findings are data, analysed by
//! `crate::analysis` and written by `crate::report`.

pub mod actor;
pub mod advert;
pub mod catalogue;
pub mod conflict;
pub mod handler;
pub mod order;
pub mod priority;
pub mod rate;
pub mod registration;
pub mod route;
pub mod sales;
pub mod staff;
pub mod vacancy;

use sha2::{Digest, Sha256};

pub use catalogue::{CheckCode, CheckInfo, Family, Severity, SubjectType};

use crate::context::Context;
use crate::link::{Link, LinkKind};
use crate::model::{ApplicantId, EmployeeId};

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
        self.employee_id = link.map(|l| l.employee_id);
        self.link = link.map(|l| l.kind);
        self
    }

    /// Names an employee who acted, with the kind of the person's link to
    /// them.
    pub fn naming_employee(mut self, employee: &EmployeeId, kind: Option<LinkKind>) -> Finding {
        self.employee_id = Some(*employee);
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
        crate::text::hex(&Sha256::digest(text.as_bytes())[..8])
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

/// What the checks produce: the findings, and the tested families of
/// HANDLER_BYPASS_RATE and ACTOR_SKIP_RATE, which stats.json lists as they
/// are.
pub struct Checked<'a> {
    /// Every finding, sorted as findings.csv lists them.
    pub findings: Vec<Finding>,
    /// The employees tested by HANDLER_BYPASS_RATE.
    pub handlers: handler::HandlerFamily,
    /// The employees tested by ACTOR_SKIP_RATE.
    pub skip_rates: actor::SkipFamily,
    /// What PRIORITY_LATE found, one per let it fired on: the seekers each
    /// put ahead are the `late_priority` affected seekers.
    pub late_priorities: Vec<priority::LatePriority<'a>>,
}

/// Runs every implemented check; the findings come out sorted as
/// findings.csv lists them.
///
/// HANDLER_BYPASS_RATE runs last: it tests the ORDER_BYPASS findings of the
/// checks before it.
pub fn run_all<'a>(ctx: &Context<'a>) -> Checked<'a> {
    // The families before HANDLER_BYPASS_RATE only add findings, each from
    // the context alone: they run side by side on every core, each into a
    // list of its own, and the lists are put together in this order, so
    // the result does not depend on the cores.
    let mut lists: [Vec<Finding>; 10] = Default::default();
    let [order, route, staff, conflict, registration, sales, advert, vacancy, priority, actor] =
        &mut lists;
    let ((late_priorities, skip_rates), ()) = rayon::join(
        || {
            rayon::join(
                || priority::check(ctx, priority),
                || actor::check(ctx, actor),
            )
        },
        || {
            rayon::scope(|s| {
                s.spawn(|_| order::check(ctx, order));
                s.spawn(|_| route::check(ctx, route));
                s.spawn(|_| staff::check(ctx, staff));
                s.spawn(|_| conflict::check(ctx, conflict));
                s.spawn(|_| registration::check(ctx, registration));
                s.spawn(|_| sales::check(ctx, sales));
                s.spawn(|_| advert::check(ctx, advert));
                s.spawn(|_| vacancy::check(ctx, vacancy));
            })
        },
    );
    let mut findings: Vec<Finding> = lists.into_iter().flatten().collect();
    let handlers = handler::check(ctx, &mut findings);
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    Checked {
        findings,
        handlers,
        skip_rates,
        late_priorities,
    }
}
