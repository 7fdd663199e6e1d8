//! The check catalogue of spec section 4 as data: every check's code, the
//! family it belongs to (one source file and one workbook sheet per
//! family), a short title and a plain description. Everything that names
//! or groups checks (findings.csv, the manifest, the report, the workbook,
//! the docs test) reads this one table.

use std::fmt;

use serde::Serialize;

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
    /// A sale to a staff-linked buyer (register, v1.2).
    StaffPurchase,
    /// An employee who records `skipped` unusually often (v1.2).
    ActorSkipRate,
    /// An employee who moved registration dates earlier for several
    /// applicants (v1.2).
    ActorBackdating,
    /// An advert let allocated before the advert closed (v1.2).
    AllocatedBeforeClose,
    /// More advert lets than the advert has homes (v1.2).
    AdvertOverlet,
    /// An advert let of another dwelling than the advert's (v1.2).
    AdvertDwellingMismatch,
    /// A non-advert let shortly after the dwelling's advert was withdrawn
    /// (v1.2).
    AdvertWithdrawnThenLet,
    /// A direct let of a vacated home that was never advertised (v1.2).
    VacancyNotAdvertised,
    /// A tenant ranked high on a priority granted after the advert opened
    /// (v1.2).
    PriorityLate,
}

/// A group of related checks: one file in `checks/`, one sheet of
/// exceptions.xlsx.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    /// The offer order of advert lets (checks/order.rs).
    Order,
    /// Lets outside the aanbodsysteem (checks/route.rs).
    Route,
    /// Staff and their circle (checks/staff.rs, checks/conflict.rs).
    Staff,
    /// The registration edit log (checks/registration.rs).
    Registration,
    /// Property sales (checks/sales.rs).
    Sales,
    /// Patterns per letting employee (checks/handler.rs).
    Handlers,
    /// Patterns per employee acting on offers and registrations
    /// (checks/actor.rs).
    Actors,
    /// Adverts and their lets (checks/advert.rs, v1.2).
    Adverts,
    /// Vacated homes (checks/vacancy.rs, v1.2).
    Vacancies,
    /// Priorities (checks/priority.rs, v1.2).
    Priorities,
}

impl Family {
    /// Every family, in the workbook's sheet order.
    pub const ALL: [Family; 10] = [
        Family::Order,
        Family::Route,
        Family::Staff,
        Family::Registration,
        Family::Sales,
        Family::Handlers,
        Family::Actors,
        Family::Adverts,
        Family::Vacancies,
        Family::Priorities,
    ];

    /// The family's name: its workbook sheet.
    pub fn name(self) -> &'static str {
        match self {
            Family::Order => "Order",
            Family::Route => "Route",
            Family::Staff => "Staff",
            Family::Registration => "Registration",
            Family::Sales => "Sales",
            Family::Handlers => "Handlers",
            Family::Actors => "Actors",
            Family::Adverts => "Adverts",
            Family::Vacancies => "Vacancies",
            Family::Priorities => "Priorities",
        }
    }

    /// The checks of the family, in the catalogue's order.
    pub fn checks(self) -> impl Iterator<Item = CheckCode> {
        CheckCode::ALL
            .into_iter()
            .filter(move |c| c.family() == self)
    }
}

/// One entry of the catalogue.
#[derive(Debug)]
pub struct CheckInfo {
    /// The code.
    pub code: CheckCode,
    /// The spec's spelling, e.g. `ORDER_BYPASS`.
    pub name: &'static str,
    /// The family it belongs to.
    pub family: Family,
    /// A short title for people.
    pub title: &'static str,
    /// What the check looks for, in plain words (the report lists it).
    pub description: &'static str,
}

/// The catalogue, in the order of spec section 4 (and of `CheckCode`).
const CATALOGUE: [CheckInfo; 24] = [
    CheckInfo {
        code: CheckCode::OrderBypass,
        name: "ORDER_BYPASS",
        family: Family::Order,
        title: "Candidate passed over",
        description: "A candidate ranked above the tenant in the derived order was passed over without a recorded refusal, pass-over or withdrawal with a reason.",
    },
    CheckInfo {
        code: CheckCode::OrderNotACandidate,
        name: "ORDER_NOT_A_CANDIDATE",
        family: Family::Order,
        title: "Tenant did not respond",
        description: "The tenant of an advert let did not respond to the advert on or before its closing date.",
    },
    CheckInfo {
        code: CheckCode::OrderIneligible,
        name: "ORDER_INELIGIBLE",
        family: Family::Order,
        title: "Tenant not eligible",
        description: "The tenant responded on time but did not meet the advert's eligibility rules (registration date, age, household size, income).",
    },
    CheckInfo {
        code: CheckCode::OrderNoAdvert,
        name: "ORDER_NO_ADVERT",
        family: Family::Order,
        title: "Advert let without an advert",
        description: "A let recorded as through the aanbodsysteem names no advert, or an advert that does not exist.",
    },
    CheckInfo {
        code: CheckCode::OrderPositionMismatch,
        name: "ORDER_POSITION_MISMATCH",
        family: Family::Order,
        title: "Recorded position differs",
        description: "The position the source system recorded for a candidate differs from the rank derived from the rules.",
    },
    CheckInfo {
        code: CheckCode::RouteUnapproved,
        name: "ROUTE_UNAPPROVED",
        family: Family::Route,
        title: "Direct let without approval",
        description: "A let outside the aanbodsysteem without an approver, without a reason, or approved by the person who handled it.",
    },
    CheckInfo {
        code: CheckCode::RouteStaffCircle,
        name: "ROUTE_STAFF_CIRCLE",
        family: Family::Route,
        title: "Direct let to the staff circle",
        description: "A let outside the aanbodsysteem to a tenant linked to staff.",
    },
    CheckInfo {
        code: CheckCode::StaffAllocation,
        name: "STAFF_ALLOCATION",
        family: Family::Staff,
        title: "Let to the staff circle",
        description: "A let to a tenant linked to staff: the register of staff-circle lets.",
    },
    CheckInfo {
        code: CheckCode::ConflictOfInterest,
        name: "CONFLICT_OF_INTEREST",
        family: Family::Staff,
        title: "Acted for someone linked",
        description: "An employee handled, approved or decided on the case of someone linked to them.",
    },
    CheckInfo {
        code: CheckCode::UndeclaredLink,
        name: "UNDECLARED_LINK",
        family: Family::Staff,
        title: "Undeclared link to staff",
        description: "A tenant or buyer is linked to an employee by address, contact details or surname and postcode, without a declaration.",
    },
    CheckInfo {
        code: CheckCode::RegistrationBackdated,
        name: "REGISTRATION_BACKDATED",
        family: Family::Registration,
        title: "Registration date moved earlier",
        description: "A registration date was moved earlier, or lies well before the day the registration was created.",
    },
    CheckInfo {
        code: CheckCode::SaleBelowAppraisal,
        name: "SALE_BELOW_APPRAISAL",
        family: Family::Sales,
        title: "Sold below appraisal",
        description: "A home was sold below its appraisal value, after any documented discount scheme and the tolerance.",
    },
    CheckInfo {
        code: CheckCode::SaleNotPublic,
        name: "SALE_NOT_PUBLIC",
        family: Family::Sales,
        title: "Sale not offered publicly",
        description: "A home was sold to someone linked to staff without a public offer of sufficient length, or sold privately.",
    },
    CheckInfo {
        code: CheckCode::SaleStaleAppraisal,
        name: "SALE_STALE_APPRAISAL",
        family: Family::Sales,
        title: "Appraisal missing or stale",
        description: "A sale rests on a missing, later or outdated appraisal.",
    },
    CheckInfo {
        code: CheckCode::HandlerBypassRate,
        name: "HANDLER_BYPASS_RATE",
        family: Family::Handlers,
        title: "Letting employee with many bypasses",
        description: "A letting employee's share of lets with a bypass is higher than chance explains (exact binomial test, Benjamini-Hochberg corrected).",
    },
    CheckInfo {
        code: CheckCode::StaffPurchase,
        name: "STAFF_PURCHASE",
        family: Family::Sales,
        title: "Sale to the staff circle",
        description: "A home was sold to a buyer linked to staff: the register of staff-circle purchases.",
    },
    CheckInfo {
        code: CheckCode::ActorSkipRate,
        name: "ACTOR_SKIP_RATE",
        family: Family::Actors,
        title: "Employee who skips seekers often",
        description: "An employee's share of `skipped` among the refusals, pass-overs and withdrawals they recorded for eligible candidates is higher than chance explains (exact binomial test, Benjamini-Hochberg corrected).",
    },
    CheckInfo {
        code: CheckCode::ActorBackdating,
        name: "ACTOR_BACKDATING",
        family: Family::Actors,
        title: "Employee who backdated registrations",
        description: "An employee moved the registration date of several applicants earlier.",
    },
    CheckInfo {
        code: CheckCode::AllocatedBeforeClose,
        name: "ALLOCATED_BEFORE_CLOSE",
        family: Family::Adverts,
        title: "Let before the advert closed",
        description: "A home let through an advert was allocated before the advert's closing date, while seekers could still respond.",
    },
    CheckInfo {
        code: CheckCode::AdvertOverlet,
        name: "ADVERT_OVERLET",
        family: Family::Adverts,
        title: "More lets than homes advertised",
        description: "More homes were let through an advert than the number of homes it offered.",
    },
    CheckInfo {
        code: CheckCode::AdvertDwellingMismatch,
        name: "ADVERT_DWELLING_MISMATCH",
        family: Family::Adverts,
        title: "Let of another home than advertised",
        description: "A let through an advert for one home names another dwelling than the advert's.",
    },
    CheckInfo {
        code: CheckCode::AdvertWithdrawnThenLet,
        name: "ADVERT_WITHDRAWN_THEN_LET",
        family: Family::Adverts,
        title: "Advert withdrawn, then let directly",
        description: "A home was let outside the aanbodsysteem shortly after its advert was withdrawn.",
    },
    CheckInfo {
        code: CheckCode::VacancyNotAdvertised,
        name: "VACANCY_NOT_ADVERTISED",
        family: Family::Vacancies,
        title: "Vacated home let without an advert",
        description: "A home that became free (by notice, death, eviction, ...) was let directly or otherwise without any advert around the vacancy.",
    },
    CheckInfo {
        code: CheckCode::PriorityLate,
        name: "PRIORITY_LATE",
        family: Family::Priorities,
        title: "Priority granted after the advert opened",
        description: "The tenant ranked above other seekers on a priority granted after the advert was published; without it, someone else would have been ahead.",
    },
];

impl CheckCode {
    /// Every code, in the catalogue's order.
    pub const ALL: [CheckCode; 24] = [
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
        CheckCode::StaffPurchase,
        CheckCode::ActorSkipRate,
        CheckCode::ActorBackdating,
        CheckCode::AllocatedBeforeClose,
        CheckCode::AdvertOverlet,
        CheckCode::AdvertDwellingMismatch,
        CheckCode::AdvertWithdrawnThenLet,
        CheckCode::VacancyNotAdvertised,
        CheckCode::PriorityLate,
    ];

    /// The codes this version of woonaudit runs: the whole catalogue.
    pub const IMPLEMENTED: [CheckCode; 24] = CheckCode::ALL;

    /// The check's catalogue entry.
    pub fn info(self) -> &'static CheckInfo {
        // CATALOGUE is in declaration order (a unit test holds it to that).
        &CATALOGUE[self as usize]
    }

    /// The spec's spelling.
    pub fn as_str(self) -> &'static str {
        self.info().name
    }

    /// The family the check belongs to.
    pub fn family(self) -> Family {
        self.info().family
    }

    /// What the check looks for, in plain words.
    pub fn description(self) -> &'static str {
        self.info().description
    }

    /// The code with this spelling (exact, as in findings.csv).
    pub fn parse(s: &str) -> Option<CheckCode> {
        CheckCode::ALL.into_iter().find(|c| c.as_str() == s)
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
    /// Every severity, high first.
    pub const ALL: [Severity; 3] = [Severity::High, Severity::Medium, Severity::Low];

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
        Severity::ALL
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_is_in_declaration_order_and_spelt_from_the_names() {
        for (i, code) in CheckCode::ALL.into_iter().enumerate() {
            assert_eq!(CATALOGUE[i].code, code);
            assert_eq!(code as usize, i);
            // The spelling is the variant's name in SCREAMING_SNAKE_CASE,
            // as serde writes it.
            let serde = serde_json::to_string(&code).unwrap();
            assert_eq!(serde, format!("\"{}\"", code.as_str()));
            assert_eq!(CheckCode::parse(code.as_str()), Some(code));
        }
    }

    #[test]
    fn every_family_has_checks_and_every_check_one_family() {
        let mut seen = 0;
        for family in Family::ALL {
            let n = family.checks().count();
            assert!(n > 0, "{family:?}");
            seen += n;
        }
        assert_eq!(seen, CheckCode::ALL.len());
    }
}
