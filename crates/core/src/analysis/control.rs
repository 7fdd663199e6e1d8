//! The control sample (spec 4.3, v1.2): lets that raised nothing, drawn
//! for a file review next to the exceptions, so the reviewers also see
//! what an ordinary let looks like and can notice what the checks miss.
//!
//! An allocation raised something when it is the subject of a finding, its
//! advert (its advert_id, whatever its route) is the subject of a finding,
//! or its tenant is the subject of an applicant finding. Among the M
//! allocations in the period that raised nothing, route r with m_r of them
//! gets k_r = max(1, round half-up(size x m_r / M)), at most m_r: the k_r
//! whose lower-case hex SHA-256 of `sample|` + allocation_id sorts first.
//! The draw depends on the ids alone, never on row order or time, so the
//! same input gives the same sample.

use std::collections::{BTreeMap, HashSet};

use sha2::{Digest, Sha256};

use super::facts::Facts;
use crate::checks::{Finding, SubjectType};
use crate::model::{Allocation, Route};
use crate::text::hex;

/// The sample of one run.
#[derive(Debug, Default)]
pub struct ControlSample<'a> {
    /// The drawn allocations, sorted as control_sample.csv lists them: by
    /// route (its spec word, byte order), then allocation_id (byte order).
    pub rows: Vec<&'a Allocation>,
    /// The size asked for (`control_sample_size`).
    pub size: u64,
    /// Allocations in the period that raised nothing (M).
    pub unflagged: u64,
    /// Per route with at least one such allocation, by its spec word.
    pub routes: Vec<RouteDraw>,
}

/// The draw of one route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteDraw {
    /// The route.
    pub route: Route,
    /// Its allocations in the period that raised nothing (m_r).
    pub unflagged: u64,
    /// How many were drawn (k_r).
    pub drawn: u64,
}

/// The lower-case hex SHA-256 of `sample|` + allocation_id: the draw takes
/// the ids whose key sorts first.
pub fn draw_key(allocation_id: &str) -> String {
    hex(&draw_digest(allocation_id))
}

/// The digest whose hex is [`draw_key`]: digests sort as their hex does,
/// and the draw sorts every unflagged let by it.
fn draw_digest(allocation_id: &str) -> [u8; 32] {
    Sha256::new()
        .chain_update(b"sample|")
        .chain_update(allocation_id.as_bytes())
        .finalize()
        .into()
}

/// The id of a control-sample row in exceptions.xlsx (`sample_id`), by
/// which its review carries over with `run --reviews`: the first 16 hex
/// digits of [`draw_key`], built as finding_id is.
pub fn sample_id(allocation_id: &str) -> String {
    draw_key(allocation_id)[..16].to_string()
}

/// k_r = max(1, round half-up of size x m_r / M), at most m_r, in exact
/// integer arithmetic: round half-up of p / q is floor((2p + q) / 2q).
pub fn per_route(size: u64, m_r: u64, m: u64) -> u64 {
    if m_r == 0 || m == 0 {
        return 0;
    }
    let (p, q) = (u128::from(size) * u128::from(m_r), u128::from(m));
    let rounded = (2 * p + q) / (2 * q);
    let k = u64::try_from(rounded).unwrap_or(u64::MAX);
    k.max(1).min(m_r)
}

/// An allocation with its [`draw_key`].
type Keyed<'a> = ([u8; 32], &'a Allocation);

impl<'a> ControlSample<'a> {
    /// Draws the sample of `size` from the lets of the period, given the
    /// run's findings.
    pub fn draw(facts: &Facts<'a>, findings: &[Finding], size: u64) -> ControlSample<'a> {
        let subjects = |t: SubjectType| -> HashSet<&str> {
            findings
                .iter()
                .filter(|f| f.subject_type == t)
                .map(|f| f.subject_id.as_str())
                .collect()
        };
        let (adverts, applicants) = (
            subjects(SubjectType::Advert),
            subjects(SubjectType::Applicant),
        );
        let mut by_route: BTreeMap<&'static str, (Route, Vec<Keyed<'a>>)> = BTreeMap::new();
        let mut unflagged = 0u64;
        for l in &facts.lets {
            let a = l.alloc;
            // `checks` holds every check with a finding about the allocation.
            let raised = !l.checks.is_empty()
                || a.advert_id
                    .as_ref()
                    .is_some_and(|id| adverts.contains(id.as_str()))
                || applicants.contains(a.applicant_id.as_str());
            if raised {
                continue;
            }
            unflagged += 1;
            by_route
                .entry(a.route.as_str())
                .or_insert_with(|| (a.route, Vec::new()))
                .1
                .push((draw_digest(a.id.as_str()), a));
        }
        let mut rows = Vec::new();
        let mut routes = Vec::new();
        for (route, mut lets) in by_route.into_values() {
            let m_r = lets.len() as u64;
            let k = per_route(size, m_r, unflagged);
            // Allocation ids are unique, so are their keys (ties would
            // fall to the id).
            lets.sort_by(|x, y| (&x.0, x.1.id.as_str()).cmp(&(&y.0, y.1.id.as_str())));
            let mut drawn: Vec<&'a Allocation> =
                lets.into_iter().take(k as usize).map(|(_, a)| a).collect();
            drawn.sort_by(|x, y| x.id.as_str().cmp(y.id.as_str()));
            rows.extend(drawn);
            routes.push(RouteDraw {
                route,
                unflagged: m_r,
                drawn: k,
            });
        }
        ControlSample {
            rows,
            size,
            unflagged,
            routes,
        }
    }

    /// The `sample_id` of every row, for matching reviews.
    pub fn ids(&self) -> impl Iterator<Item = String> + '_ {
        self.rows.iter().map(|a| sample_id(a.id.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k_per_route_rounds_half_up_with_one_at_least_and_m_at_most() {
        // 25 x 10 / 40 = 6.25 -> 6; 25 x 6 / 40 = 3.75 -> 4;
        // 25 x 1 / 40 = 0.625 -> 1; 25 x 23 / 40 = 14.375 -> 14.
        assert_eq!(per_route(25, 10, 40), 6);
        assert_eq!(per_route(25, 6, 40), 4);
        assert_eq!(per_route(25, 1, 40), 1);
        assert_eq!(per_route(25, 23, 40), 14);
        // Exactly half rounds up: 25 x 1 / 2 = 12.5 -> 13, capped at m_r.
        assert_eq!(per_route(25, 1, 2), 1);
        assert_eq!(per_route(5, 1, 2), 1);
        assert_eq!(per_route(5, 3, 6), 3);
        assert_eq!(per_route(3, 5, 10), 2); // 1.5 -> 2
        assert_eq!(per_route(1, 1, 100), 1); // 0.01 -> 1 at least
        assert_eq!(per_route(25, 0, 10), 0);
        assert_eq!(per_route(0, 4, 10), 1);
        // Fewer lets than the size: all of them.
        assert_eq!(per_route(25, 7, 7), 7);
    }

    #[test]
    fn the_key_is_the_hex_sha256_of_sample_bar_id() {
        // printf 'sample|A1' | sha256sum
        assert_eq!(draw_key("A1"), hex(&Sha256::digest(b"sample|A1")));
        assert_eq!(draw_key("A1").len(), 64);
        assert_eq!(sample_id("A1"), draw_key("A1")[..16]);
        assert!(draw_key("A1")
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)));
    }
}
