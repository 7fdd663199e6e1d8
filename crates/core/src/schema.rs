//! The ten input tables of spec 1.3: names, columns and which are
//! required. The vocabulary every stage and the config name tables in;
//! [`Table::ALL`] is the one list of them.

use std::fmt;

use serde::{Serialize, Serializer};

/// One input table. Ordered as [`Table::ALL`] (not by name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Table {
    /// The waiting list.
    Applicants,
    /// Adverts.
    Adverts,
    /// Responses with outcomes.
    Responses,
    /// Allocations.
    Allocations,
    /// The staff register.
    Employees,
    /// The declared private circle (optional).
    Relations,
    /// Property sales (optional).
    Sales,
    /// The registration edit log (optional).
    RegistrationChanges,
    /// Priorities granted to seekers (optional, v1.2).
    Priorities,
    /// Ends of tenancy (optional, v1.2).
    Vacancies,
}

/// A column of a table.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    /// The spec's name.
    pub name: &'static str,
    /// Whether the column must be present in the file. (Whether a value is
    /// required per row is the table reader's business.)
    pub required: bool,
}

const fn req(name: &'static str) -> Column {
    Column {
        name,
        required: true,
    }
}

const fn opt(name: &'static str) -> Column {
    Column {
        name,
        required: false,
    }
}

const APPLICANTS: &[Column] = &[
    req("applicant_id"),
    req("last_name"),
    opt("first_names"),
    req("birth_date"),
    opt("postcode"),
    opt("house_number"),
    opt("email"),
    opt("phone"),
    req("registration_date"),
    opt("registered_at"),
    req("household_size"),
    opt("household_income"),
    opt("urgency"),
    opt("urgency_from"),
    opt("urgency_to"),
    opt("local_ties"),
    opt("current_tenant"),
];

const ADVERTS: &[Column] = &[
    req("advert_id"),
    req("dwelling_id"),
    req("published_on"),
    req("closes_on"),
    req("model"),
    opt("policy"),
    opt("units"),
    opt("status"),
    opt("withdrawn_on"),
    opt("urgency_first"),
    opt("local_first"),
    opt("min_age"),
    opt("max_age"),
    opt("min_household"),
    opt("max_household"),
    opt("min_income"),
    opt("max_income"),
    opt("rent"),
];

const RESPONSES: &[Column] = &[
    req("advert_id"),
    req("applicant_id"),
    req("responded_at"),
    // Required on lottery adverts only; checked per row.
    opt("lottery_number"),
    // Required on points adverts only (v1.2).
    opt("points"),
    opt("position"),
    req("outcome"),
    opt("reason"),
    opt("decided_by"),
];

const ALLOCATIONS: &[Column] = &[
    req("allocation_id"),
    req("dwelling_id"),
    req("applicant_id"),
    req("allocated_on"),
    opt("contract_start"),
    req("route"),
    opt("advert_id"),
    opt("handled_by"),
    opt("approved_by"),
    opt("reason"),
    opt("rent"),
    opt("household_income"),
    opt("household_size"),
];

const EMPLOYEES: &[Column] = &[
    req("employee_id"),
    req("last_name"),
    opt("first_names"),
    opt("birth_date"),
    opt("postcode"),
    opt("house_number"),
    opt("email"),
    opt("phone"),
    opt("department"),
    opt("role"),
    opt("employed_from"),
    opt("employed_to"),
];

const RELATIONS: &[Column] = &[
    req("employee_id"),
    req("relation"),
    req("last_name"),
    opt("first_names"),
    opt("birth_date"),
    opt("postcode"),
    opt("house_number"),
    opt("email"),
    opt("phone"),
    opt("applicant_id"),
    opt("declared_on"),
];

const SALES: &[Column] = &[
    req("sale_id"),
    req("dwelling_id"),
    req("sold_on"),
    req("price"),
    req("appraisal_value"),
    opt("appraised_on"),
    opt("listed_on"),
    req("route"),
    opt("scheme_discount"),
    req("buyer_last_name"),
    opt("buyer_first_names"),
    opt("buyer_birth_date"),
    opt("buyer_postcode"),
    opt("buyer_house_number"),
    opt("buyer_email"),
    opt("buyer_phone"),
    opt("buyer_applicant_id"),
    opt("handled_by"),
];

const REGISTRATION_CHANGES: &[Column] = &[
    req("applicant_id"),
    req("changed_at"),
    req("field"),
    opt("old_value"),
    opt("new_value"),
    opt("changed_by"),
    opt("reason"),
];

const PRIORITIES: &[Column] = &[
    req("priority_id"),
    req("applicant_id"),
    req("kind"),
    opt("detail"),
    opt("valid_from"),
    opt("valid_to"),
    opt("granted_on"),
    opt("granted_by"),
];

const VACANCIES: &[Column] = &[
    req("vacancy_id"),
    req("dwelling_id"),
    req("vacated_on"),
    opt("reason"),
];

impl Table {
    /// Every table, in the order they are read.
    pub const ALL: [Table; 10] = [
        Table::Applicants,
        Table::Adverts,
        Table::Responses,
        Table::Allocations,
        Table::Employees,
        Table::Relations,
        Table::Sales,
        Table::RegistrationChanges,
        Table::Priorities,
        Table::Vacancies,
    ];

    /// The table's name, which is also its file name without extension.
    pub fn name(self) -> &'static str {
        match self {
            Table::Applicants => "applicants",
            Table::Adverts => "adverts",
            Table::Responses => "responses",
            Table::Allocations => "allocations",
            Table::Employees => "employees",
            Table::Relations => "relations",
            Table::Sales => "sales",
            Table::RegistrationChanges => "registration_changes",
            Table::Priorities => "priorities",
            Table::Vacancies => "vacancies",
        }
    }

    /// The table with this name (case-insensitive).
    pub fn by_name(name: &str) -> Option<Table> {
        Table::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(name.trim()))
    }

    /// The single-column key, if the table has one.
    pub fn key(self) -> Option<&'static str> {
        match self {
            Table::Applicants => Some("applicant_id"),
            Table::Adverts => Some("advert_id"),
            Table::Allocations => Some("allocation_id"),
            Table::Employees => Some("employee_id"),
            Table::Sales => Some("sale_id"),
            Table::Priorities => Some("priority_id"),
            Table::Vacancies => Some("vacancy_id"),
            Table::Responses | Table::Relations | Table::RegistrationChanges => None,
        }
    }

    /// Whether an audit needs this table.
    pub fn required(self) -> bool {
        !matches!(
            self,
            Table::Relations
                | Table::Sales
                | Table::RegistrationChanges
                | Table::Priorities
                | Table::Vacancies
        )
    }

    /// The spec's columns.
    pub fn columns(self) -> &'static [Column] {
        match self {
            Table::Applicants => APPLICANTS,
            Table::Adverts => ADVERTS,
            Table::Responses => RESPONSES,
            Table::Allocations => ALLOCATIONS,
            Table::Employees => EMPLOYEES,
            Table::Relations => RELATIONS,
            Table::Sales => SALES,
            Table::RegistrationChanges => REGISTRATION_CHANGES,
            Table::Priorities => PRIORITIES,
            Table::Vacancies => VACANCIES,
        }
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A table is written as its name (manifest.json).
impl Serialize for Table {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}
