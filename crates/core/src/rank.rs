//! The aanbodsysteem order (spec section 3): who responded in time, who was
//! eligible, and in which order the eligible candidates should have been
//! offered the home.

use std::cmp::Ordering;
use std::fmt;

use crate::dataset::Dataset;
use crate::model::{age_on, Advert, Applicant, Date, DateTime, Model, Response};

/// Why a candidate who responded in time is not eligible for an advert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ineligibility {
    /// registration_date is after the closing date.
    RegisteredAfterClosing(Date),
    /// Younger than min_age on the closing date.
    TooYoung { age: i64, min: i64 },
    /// Older than max_age on the closing date.
    TooOld { age: i64, max: i64 },
    /// Household smaller than min_household.
    HouseholdTooSmall { size: u32, min: i64 },
    /// Household larger than max_household.
    HouseholdTooLarge { size: u32, max: i64 },
    /// Income below min_income.
    IncomeTooLow {
        income: crate::model::Cents,
        min: crate::model::Cents,
    },
    /// Income above max_income.
    IncomeTooHigh {
        income: crate::model::Cents,
        max: crate::model::Cents,
    },
}

impl fmt::Display for Ineligibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ineligibility::RegisteredAfterClosing(d) => {
                write!(f, "registration date {d} is after the closing date")
            }
            Ineligibility::TooYoung { age, min } => write!(f, "age {age} is below min_age {min}"),
            Ineligibility::TooOld { age, max } => write!(f, "age {age} is above max_age {max}"),
            Ineligibility::HouseholdTooSmall { size, min } => {
                write!(f, "household size {size} is below min_household {min}")
            }
            Ineligibility::HouseholdTooLarge { size, max } => {
                write!(f, "household size {size} is above max_household {max}")
            }
            Ineligibility::IncomeTooLow { income, min } => {
                write!(f, "household income {income} is below min_income {min}")
            }
            Ineligibility::IncomeTooHigh { income, max } => {
                write!(f, "household income {income} is above max_income {max}")
            }
        }
    }
}

/// Every reason the applicant is not eligible for the advert closing on its
/// `closes_on`, judged on the applicant record as exported (spec 3). Empty
/// when eligible.
pub fn ineligibility(advert: &Advert, applicant: &Applicant) -> Vec<Ineligibility> {
    let c = advert.closes_on;
    let mut why = Vec::new();
    if applicant.registration_date > c {
        why.push(Ineligibility::RegisteredAfterClosing(
            applicant.registration_date,
        ));
    }
    let age = age_on(applicant.birth_date, c);
    if let Some(min) = advert.min_age.filter(|&min| age < min) {
        why.push(Ineligibility::TooYoung { age, min });
    }
    if let Some(max) = advert.max_age.filter(|&max| age > max) {
        why.push(Ineligibility::TooOld { age, max });
    }
    let size = applicant.household_size;
    if let Some(min) = advert.min_household.filter(|&min| i64::from(size) < min) {
        why.push(Ineligibility::HouseholdTooSmall { size, min });
    }
    if let Some(max) = advert.max_household.filter(|&max| i64::from(size) > max) {
        why.push(Ineligibility::HouseholdTooLarge { size, max });
    }
    // Unknown income counts as eligible.
    if let Some(income) = applicant.household_income {
        if let Some(min) = advert.min_income.filter(|&min| income < min) {
            why.push(Ineligibility::IncomeTooLow { income, min });
        }
        if let Some(max) = advert.max_income.filter(|&max| income > max) {
            why.push(Ineligibility::IncomeTooHigh { income, max });
        }
    }
    why
}

/// An eligible candidate at its expected rank.
#[derive(Clone, Copy, Debug)]
pub struct Ranked<'a> {
    /// Expected rank, 1-based.
    pub rank: usize,
    /// The candidate's response.
    pub response: &'a Response,
    /// The candidate's applicant record.
    pub applicant: &'a Applicant,
}

/// The derived order of one advert.
#[derive(Debug)]
pub struct Ranking<'a> {
    /// The advert.
    pub advert: &'a Advert,
    /// Eligible candidates in the order they should have been offered.
    pub eligible: Vec<Ranked<'a>>,
    /// Candidates (on time) who are not eligible, with every reason.
    pub ineligible: Vec<(&'a Response, Vec<Ineligibility>)>,
    /// Responses dated after the closing date.
    pub late: Vec<&'a Response>,
}

impl<'a> Ranking<'a> {
    /// Derives the order of `advert` from its responses in `data`.
    pub fn derive(data: &'a Dataset, advert: &'a Advert) -> Ranking<'a> {
        Ranking::derive_replacing(data, advert, None)
    }

    /// [`Ranking::derive`] with one applicant record replaced: where a
    /// response's applicant has the id of `replacement`, that record is
    /// ranked instead of the one in `data`. The analysis ranks an advert
    /// again this way with one input changed (spec 4.2: the tenant's
    /// original registration_date), by the same rules as every ranking.
    pub fn derive_replacing(
        data: &'a Dataset,
        advert: &'a Advert,
        replacement: Option<&'a Applicant>,
    ) -> Ranking<'a> {
        let c = advert.closes_on;
        let mut eligible: Vec<(&Response, &Applicant)> = Vec::new();
        let mut ineligible = Vec::new();
        let mut late = Vec::new();
        // Validation guarantees every kept response has its applicant.
        for (response, applicant) in data.responses_with_applicants(&advert.id) {
            let applicant = match replacement {
                Some(r) if r.id == applicant.id => r,
                _ => applicant,
            };
            if response.responded_at.date() > c {
                late.push(response);
                continue;
            }
            let why = ineligibility(advert, applicant);
            if why.is_empty() {
                eligible.push((response, applicant));
            } else {
                ineligible.push((response, why));
            }
        }
        eligible.sort_by(|a, b| compare(advert, a, b));
        let eligible = eligible
            .into_iter()
            .enumerate()
            .map(|(i, (response, applicant))| Ranked {
                rank: i + 1,
                response,
                applicant,
            })
            .collect();
        Ranking {
            advert,
            eligible,
            ineligible,
            late,
        }
    }

    /// The eligible entry of `applicant_id`, if any.
    pub fn find(&self, applicant_id: &crate::model::ApplicantId) -> Option<&Ranked<'a>> {
        self.eligible
            .iter()
            .find(|r| &r.applicant.id == applicant_id)
    }
}

/// The ordering keys of spec 3 for one candidate.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct SortKey<'a> {
    not_urgent: bool,
    urgent_since: Date,
    no_local_ties: bool,
    primary: i64,
    responded_at: DateTime,
    applicant_id: &'a [u8],
}

fn sort_key<'a>(advert: &Advert, response: &'a Response, applicant: &'a Applicant) -> SortKey<'a> {
    let c = advert.closes_on;
    let urgent = advert.urgency_first && applicant.urgent_on(c);
    let urgent_since = if urgent {
        applicant
            .urgency_from
            .unwrap_or(applicant.registration_date)
    } else {
        Date::MIN
    };
    let primary = match advert.model {
        Model::Registration => i64::from(chrono::Datelike::num_days_from_ce(
            &applicant.registration_date,
        )),
        // Validation sets aside lottery responses without a number.
        Model::Lottery => response.lottery_number.map_or(i64::MAX, i64::from),
    };
    SortKey {
        not_urgent: advert.urgency_first && !urgent,
        urgent_since,
        no_local_ties: advert.local_first && !applicant.local_ties,
        primary,
        responded_at: response.responded_at,
        applicant_id: applicant.id.as_str().as_bytes(),
    }
}

fn compare(advert: &Advert, a: &(&Response, &Applicant), b: &(&Response, &Applicant)) -> Ordering {
    sort_key(advert, a.0, a.1).cmp(&sort_key(advert, b.0, b.1))
}

/// A short description of what placed a candidate where it is, for detail
/// sentences: urgency, local ties, registration date or lottery number.
pub fn describe_keys(advert: &Advert, response: &Response, applicant: &Applicant) -> String {
    let c = advert.closes_on;
    let mut parts = Vec::new();
    if advert.urgency_first && applicant.urgent_on(c) {
        let since = applicant
            .urgency_from
            .unwrap_or(applicant.registration_date);
        parts.push(format!("urgent since {since}"));
    }
    if advert.local_first && applicant.local_ties {
        parts.push("local ties".to_string());
    }
    match advert.model {
        Model::Registration => parts.push(format!("registered {}", applicant.registration_date)),
        Model::Lottery => match response.lottery_number {
            Some(n) => parts.push(format!("lottery number {n}")),
            None => parts.push("no lottery number".to_string()),
        },
    }
    parts.join(", ")
}
