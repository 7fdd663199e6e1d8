//! The facts every output needs, per let and per sale in the period,
//! computed once: whether the tenant or buyer is linked, whether the let
//! drew a bypass, how long the tenant waited, the year a let counts in.
//! Statistics, charts, the annual figures and the report all read these
//! instead of asking the linker or the findings again.

use std::collections::{BTreeSet, HashMap};

use chrono::Datelike;

use crate::checks::{CheckCode, Finding, SubjectType};
use crate::context::Context;
use crate::dataset::Dataset;
use crate::link::Link;
use crate::model::{Allocation, Route, Sale};

/// One let (allocation) in the period.
#[derive(Debug)]
pub struct LetFact<'a> {
    /// The allocation.
    pub alloc: &'a Allocation,
    /// The tenant's link on allocated_on (the strongest kind, then the
    /// lowest employee_id), if any.
    pub link: Option<Link>,
    /// At least one ORDER_BYPASS finding is about this allocation.
    pub bypass: bool,
    /// Days from the tenant's registration_date to allocated_on; `None`
    /// when the tenant is not on the waiting list.
    pub days_waited: Option<i64>,
    /// The year the let counts in: of contract_start, else of allocated_on
    /// (spec 5, compliance).
    pub year: i32,
    /// The checks whose findings are about this allocation.
    pub checks: BTreeSet<CheckCode>,
    /// What the order checks could do with the let (spec 5, coverage).
    pub coverage: Coverage,
    /// The tenant is on the waiting list with both birth_date and
    /// postcode: linkable by self and by address (spec 5, coverage).
    pub linkable: bool,
}

/// What the order checks could do with a let (spec 5, "Coverage", v1.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Coverage {
    /// Route advert, the advert known and non-discretionary: checked
    /// against the advert's order.
    AdvertChecked,
    /// Route advert on a discretionary advert: no fixed order to check.
    AdvertDiscretionary,
    /// Route advert without a known advert (missing, unknown or set
    /// aside: ORDER_NO_ADVERT).
    AdvertNoAdvert,
    /// Another route than advert.
    NonAdvert,
}

impl Coverage {
    /// Every kind, in the order of stats.json.
    pub const ALL: [Coverage; 4] = [
        Coverage::AdvertChecked,
        Coverage::AdvertDiscretionary,
        Coverage::AdvertNoAdvert,
        Coverage::NonAdvert,
    ];

    /// The kind of `alloc`.
    pub fn of(data: &Dataset, alloc: &Allocation) -> Coverage {
        if alloc.route != Route::Advert {
            return Coverage::NonAdvert;
        }
        match alloc.advert_id.as_ref().and_then(|id| data.advert(id)) {
            None => Coverage::AdvertNoAdvert,
            Some(advert) if advert.is_discretionary() => Coverage::AdvertDiscretionary,
            Some(_) => Coverage::AdvertChecked,
        }
    }
}

impl LetFact<'_> {
    /// The tenant is linked to staff on allocated_on.
    pub fn linked(&self) -> bool {
        self.link.is_some()
    }

    /// The let went through the aanbodsysteem (route advert).
    pub fn is_advert(&self) -> bool {
        self.alloc.route == Route::Advert
    }
}

/// One sale in the period.
#[derive(Debug)]
pub struct SaleFact<'a> {
    /// The sale.
    pub sale: &'a Sale,
    /// The buyer is linked to staff on sold_on.
    pub linked: bool,
    /// 1 - price / appraisal_value from the exact cents; `None` when the
    /// appraisal value is not positive.
    pub discount: Option<f64>,
}

/// The facts of the lets and sales in the period, in input order.
#[derive(Debug, Default)]
pub struct Facts<'a> {
    /// The allocations with allocated_on in the period.
    pub lets: Vec<LetFact<'a>>,
    /// The sales with sold_on in the period.
    pub sales: Vec<SaleFact<'a>>,
}

impl<'a> Facts<'a> {
    /// Works out the facts from the context and the run's findings.
    pub fn build(ctx: &Context<'a>, findings: &[Finding]) -> Facts<'a> {
        // The checks drawn by each allocation, ORDER_BYPASS among them.
        let mut checks_of: HashMap<&str, BTreeSet<CheckCode>> = HashMap::new();
        for f in findings {
            if f.subject_type == SubjectType::Allocation {
                checks_of
                    .entry(f.subject_id.as_str())
                    .or_default()
                    .insert(f.check);
            }
        }
        let data = ctx.data;
        let lets = data
            .allocations
            .iter()
            .filter(|a| ctx.period.contains(a.allocated_on))
            .map(|a| {
                let checks = checks_of.get(a.id.as_str()).cloned().unwrap_or_default();
                let tenant = data.applicant(&a.applicant_id);
                LetFact {
                    alloc: a,
                    link: ctx.link(&a.applicant_id, a.allocated_on),
                    bypass: checks.contains(&CheckCode::OrderBypass),
                    days_waited: data
                        .applicant(&a.applicant_id)
                        .map(|t| (a.allocated_on - t.registration_date).num_days()),
                    year: a.contract_start.unwrap_or(a.allocated_on).year(),
                    checks,
                    coverage: Coverage::of(data, a),
                    // birth_date is required on the waiting list; a
                    // postcode of only white space was read as missing.
                    linkable: tenant.is_some_and(|t| t.postcode.is_some()),
                }
            })
            .collect();
        let sales = data
            .sales
            .iter()
            .filter(|s| ctx.period.contains(s.sold_on))
            .map(|s| SaleFact {
                sale: s,
                linked: !ctx.buyer_links(s).is_empty(),
                discount: (s.appraisal_value.0 > 0)
                    .then(|| (s.appraisal_value.0 - s.price.0) as f64 / s.appraisal_value.0 as f64),
            })
            .collect();
        Facts { lets, sales }
    }

    /// The route-advert lets in the period.
    pub fn advert_lets(&self) -> impl Iterator<Item = &LetFact<'a>> {
        self.lets.iter().filter(|l| l.is_advert())
    }
}
