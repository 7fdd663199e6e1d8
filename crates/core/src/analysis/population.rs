//! What a run tested (issue 14): the allocations of the period by route,
//! the adverts closing in it and the sales in it. The report opens with
//! these so a reader sees what the findings are out of, and a period with
//! none of them says so instead of reading as a clean bill of health.

use crate::audit::Audit;
use crate::model::{Date, Route};

/// The population of a run's period.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Population {
    /// Allocations with allocated_on in the period, per route in
    /// `Route::ALL` order.
    pub lets_by_route: Vec<(Route, u64)>,
    /// All allocations in the period.
    pub lets: u64,
    /// Adverts with closes_on in the period.
    pub adverts: u64,
    /// Sales with sold_on in the period.
    pub sales: u64,
    /// The first and last day of any allocation, advert close or sale in
    /// the data, whatever the period.
    pub data_span: Option<(Date, Date)>,
}

impl Population {
    /// Counts the population of `audit`'s period.
    pub fn of(audit: &Audit<'_>) -> Population {
        let data = audit.data();
        let period = audit.period();
        let lets_by_route = Route::ALL
            .iter()
            .map(|&r| {
                let n = audit
                    .facts
                    .lets
                    .iter()
                    .filter(|l| l.alloc.route == r)
                    .count();
                (r, n as u64)
            })
            .collect();
        let days = data
            .allocations
            .iter()
            .map(|a| a.allocated_on)
            .chain(data.adverts.iter().map(|a| a.closes_on))
            .chain(data.sales.iter().map(|s| s.sold_on));
        let data_span = days.fold(None, |span: Option<(Date, Date)>, d| match span {
            None => Some((d, d)),
            Some((a, b)) => Some((a.min(d), b.max(d))),
        });
        Population {
            lets_by_route,
            lets: audit.facts.lets.len() as u64,
            adverts: data
                .adverts
                .iter()
                .filter(|a| period.contains(a.closes_on))
                .count() as u64,
            sales: audit.facts.sales.len() as u64,
            data_span,
        }
    }

    /// Whether the period holds nothing to test.
    pub fn is_empty(&self) -> bool {
        self.lets == 0 && self.adverts == 0 && self.sales == 0
    }

    /// One line for an empty period: what is missing and what to do.
    pub fn empty_message(&self, period: &crate::period::Period) -> Option<String> {
        if !self.is_empty() {
            return None;
        }
        let span = match self.data_span {
            Some((a, b)) => format!(" (the data runs from {a} to {b})"),
            None => " (the data holds no allocations, adverts or sales)".to_string(),
        };
        Some(format!(
            "0 allocations, 0 adverts and 0 sales in {period}: nothing was tested; check --period{span}"
        ))
    }
}
