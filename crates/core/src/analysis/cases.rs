//! Cases, not rows (issue 14): the findings about one subject form one
//! case (an allocation with nine bypassed candidates is one case with nine
//! findings). The exception workbook lists cases beside the findings, and
//! a review of a case applies to each of its findings that has no review of
//! its own.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use crate::checks::{CheckCode, Finding, Severity, SubjectType};
use crate::dataset::Dataset;
use crate::model::{ApplicantId, EmployeeId};

/// The findings about one subject.
#[derive(Clone, Debug)]
pub struct Case<'a> {
    /// The stable id: the first 16 hex digits of SHA-256 of
    /// `case|subject_type|subject_id`, so a case keeps it across runs.
    pub id: String,
    /// What the case is about.
    pub subject_type: SubjectType,
    /// Its id.
    pub subject_id: &'a str,
    /// Its findings, in findings.csv order.
    pub findings: Vec<&'a Finding>,
    /// The highest severity among them.
    pub severity: Severity,
    /// The distinct checks, in catalogue order, with how many findings
    /// each.
    pub checks: Vec<(CheckCode, usize)>,
    /// The tenant of an allocation, else the person the first finding is
    /// about.
    pub applicant: Option<&'a ApplicantId>,
    /// The first employee a finding names (a linked or acting employee).
    pub employee: Option<&'a EmployeeId>,
}

/// A case's id from its subject.
pub fn case_id(subject_type: SubjectType, subject_id: &str) -> String {
    let text = format!("case|{}|{subject_id}", subject_type.as_str());
    crate::text::hex(&Sha256::digest(text.as_bytes())[..8])
}

/// The case of a finding.
pub fn case_of(f: &Finding) -> String {
    case_id(f.subject_type, &f.subject_id)
}

impl Case<'_> {
    /// One line: how many findings of which checks ("9 findings: 9 x
    /// Candidate passed over").
    pub fn summary(&self) -> String {
        let parts: Vec<String> = self
            .checks
            .iter()
            .map(|(c, n)| format!("{n} x {}", c.info().title))
            .collect();
        format!("{} finding(s): {}", self.findings.len(), parts.join(", "))
    }

    /// What to check next: the guidance of its most severe check.
    pub fn next_step(&self) -> &'static str {
        let first = self
            .findings
            .iter()
            .min_by_key(|f| (f.severity, f.check))
            .map(|f| f.check);
        first.map_or("", look_at)
    }
}

/// Groups `findings` (sorted as findings.csv) into cases: most severe
/// first, then the larger cases, then by subject.
pub fn cases<'a>(findings: &'a [Finding], data: &'a Dataset) -> Vec<Case<'a>> {
    let mut by_subject: BTreeMap<(SubjectType, &str), Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        by_subject
            .entry((f.subject_type, f.subject_id.as_str()))
            .or_default()
            .push(f);
    }
    let tenants: BTreeMap<&str, &ApplicantId> = data
        .allocations
        .iter()
        .map(|a| (a.id.as_str(), &a.applicant_id))
        .collect();
    let mut out: Vec<Case<'a>> = by_subject
        .into_iter()
        .map(|((subject_type, subject_id), fs)| {
            let mut checks: BTreeMap<CheckCode, usize> = BTreeMap::new();
            for f in &fs {
                *checks.entry(f.check).or_default() += 1;
            }
            let applicant = match subject_type {
                SubjectType::Allocation => tenants.get(subject_id).copied(),
                _ => None,
            }
            .or_else(|| fs.iter().find_map(|f| f.applicant_id.as_ref()));
            Case {
                id: case_id(subject_type, subject_id),
                subject_type,
                subject_id,
                severity: fs.iter().map(|f| f.severity).min().unwrap_or(Severity::Low),
                checks: checks.into_iter().collect(),
                applicant,
                employee: fs.iter().find_map(|f| f.employee_id.as_ref()),
                findings: fs,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        (
            a.severity,
            std::cmp::Reverse(a.findings.len()),
            a.subject_type,
            a.subject_id,
        )
            .cmp(&(
                b.severity,
                std::cmp::Reverse(b.findings.len()),
                b.subject_type,
                b.subject_id,
            ))
    });
    out
}

/// What to look at for a finding of `check`, in one line for the
/// workbook (docs/checks.md has the full guidance).
pub fn look_at(check: CheckCode) -> &'static str {
    match check {
        CheckCode::OrderBypass => "Run woonaudit explain on the allocation to see the whole order; ask the letting employee whether each passed-over candidate was offered the home and record any refusal or reason kept outside the system.",
        CheckCode::OrderNotACandidate => "Check whether the tenant's response is missing from the export or came late, who added the tenant, and whether the home was in fact let outside the aanbodsysteem.",
        CheckCode::OrderIneligible => "Compare the failed conditions in the detail with the applicant's file at the time of the let; look for a documented exemption and who approved it.",
        CheckCode::OrderNoAdvert => "Find the advert in the letting system: if it exists, correct the export and rerun; if not, ask for the reason and the approval of a let outside the aanbodsysteem.",
        CheckCode::OrderPositionMismatch => "Many mismatches on one advert alike: compare the advert's settings once; a single candidate moved up, above all a linked one: look at who edited the order.",
        CheckCode::RouteUnapproved => "The decision file: a second person's approval and the documented reason; if both exist, record them and mark the finding explained.",
        CheckCode::RouteStaffCircle => "Whether the route was justified on the same grounds as for anyone else, whether the linked employee took part, and whether the let was reported to the integrity officer.",
        CheckCode::StaffAllocation => "Whether another finding is on the same allocation; without one, check that the let is in the integrity register.",
        CheckCode::ConflictOfInterest => "The act the detail names: should the employee have stepped aside? Have the decision checked on its merits by someone independent.",
        CheckCode::UndeclaredLink => "Whether the link is real (one household, a relative, a coincidence); if real, have the employee declare it and check whether they took part.",
        CheckCode::RegistrationBackdated => "The proof behind the earlier date and who made the change; if the applicant got a home since, run woonaudit explain on that let.",
        CheckCode::SaleBelowAppraisal => "The appraisal report and date, the discount scheme and whether the buyer qualified, and who agreed to the price on what grounds.",
        CheckCode::SaleNotPublic => "Proof of the public offer (listing, dates, other bids); for a private sale the reason and who approved it.",
        CheckCode::SaleStaleAppraisal => "The appraisal report itself, a newer appraisal, and how prices moved between appraisal and sale.",
        CheckCode::HandlerBypassRate => "A pattern, not a case: filter the Order sheet on the allocations this employee handled and look for a common cause, then the linked cases first.",
        CheckCode::StaffPurchase => "Whether another finding is on the same sale; without one, check that the purchase is in the integrity register.",
        CheckCode::ActorSkipRate => "A pattern, not a case: read the reasons of this employee's skips for repeated reasons and seekers who then lost a home.",
        CheckCode::ActorBackdating => "The proof behind each moved registration date in the detail, and whether the employee is linked to those applicants.",
        CheckCode::AllocatedBeforeClose => "Whether the responses after the allocation date were still ranked (woonaudit explain), and who decided early and why.",
        CheckCode::AdvertOverlet => "Whether the advert really offered more homes (then correct units), or a home was let again through an old advert instead of being advertised.",
        CheckCode::AdvertDwellingMismatch => "Which home the tenant actually got, and whether that home was advertised itself.",
        CheckCode::AdvertWithdrawnThenLet => "Why the advert was withdrawn and who decided to let the home directly, after seeing who responded.",
        CheckCode::VacancyNotAdvertised => "The reason for the direct let and its approval; for the home of a deceased tenant, who moved in and their links to staff.",
        CheckCode::PriorityLate => "The decision file of the priority: when it was requested, on what grounds, and who granted it.",
        #[allow(unreachable_patterns)]
        _ => "See the check's description in the workbook's Checks sheet and docs/checks.md.",
    }
}
