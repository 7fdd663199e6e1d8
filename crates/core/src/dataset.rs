//! The validated input: every table's usable rows, with the look-ups the
//! later stages need. Built once by `crate::validate`; read-only after.

use crate::fast::{FastMap, FastSet};
use crate::intern::SymMap;

use crate::model::{
    Advert, AdvertId, Allocation, Applicant, ApplicantId, CompactString, Employee, EmployeeId,
    Priority, RegistrationChange, Relation, Response, Sale, Vacancy,
};

/// All usable rows of one audit, indexed.
#[derive(Debug, Default)]
pub struct Dataset {
    /// The waiting list.
    pub applicants: Vec<Applicant>,
    /// Adverts.
    pub adverts: Vec<Advert>,
    /// Responses with outcomes.
    pub responses: Vec<Response>,
    /// Allocations.
    pub allocations: Vec<Allocation>,
    /// Staff register.
    pub employees: Vec<Employee>,
    /// Declared private circle.
    pub relations: Vec<Relation>,
    /// Property sales.
    pub sales: Vec<Sale>,
    /// Registration edit log.
    pub registration_changes: Vec<RegistrationChange>,
    /// Priorities (v1.2), sorted by applicant once indexed.
    pub priorities: Vec<Priority>,
    /// Ends of tenancy (v1.2).
    pub vacancies: Vec<Vacancy>,
    /// Adverts that were read but set aside (lenient mode), by id.
    pub set_aside_adverts: FastSet<AdvertId>,
    /// Applicants that were read but set aside (lenient mode), by id.
    pub set_aside_applicants: FastSet<ApplicantId>,
    /// For each response, the position of its applicant in `applicants`
    /// (validation fills it while checking the reference; `index` fills
    /// it when it is missing).
    pub(crate) response_applicant: Vec<u32>,
    /// Position of each applicant by id (a vector by symbol: a million
    /// ids in a third of a hash map's memory).
    applicant_index: SymMap<u32>,
    advert_index: FastMap<AdvertId, usize>,
    employee_index: FastMap<EmployeeId, usize>,
    /// Per advert, its responses as runs of consecutive positions
    /// (`start..end`): exports list an advert's responses together, so an
    /// advert is nearly always one run, where a list of positions took
    /// 4 bytes a response (80 MB at national scale).
    responses_by_advert: FastMap<AdvertId, Vec<(u32, u32)>>,
    /// Per applicant, the range of their rows in `priorities`.
    priorities_by_applicant: FastMap<ApplicantId, (u32, u32)>,
    /// Per dwelling (trimmed, lower-cased: spec 1.3), the positions of its
    /// adverts, allocations and vacancies.
    by_dwelling: FastMap<CompactString, DwellingRows>,
}

/// The runs of responses to one advert, in order, as (advert, first
/// position, position after the last).
pub(crate) fn advert_runs(responses: &[Response]) -> Vec<(AdvertId, u32, u32)> {
    runs(responses, |r| r.advert_id, 1 << 20)
}

/// The runs of equal keys in `items`, in order, as (key, first position,
/// position after the last). Found in pieces of `piece` items on every core
/// (a pass over tens of millions of responses), runs cut by the pieces'
/// edges joined again.
fn runs<T: Sync, K: Copy + PartialEq + Send>(
    items: &[T],
    key: impl Fn(&T) -> K + Sync,
    piece: usize,
) -> Vec<(K, u32, u32)> {
    use rayon::prelude::*;
    let piece = piece.max(1);
    let pieces: Vec<Vec<(K, u32, u32)>> = items
        .par_chunks(piece)
        .enumerate()
        .map(|(k, items)| {
            let mut runs: Vec<(K, u32, u32)> = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let at = (k * piece + i) as u32;
                let key = key(item);
                match runs.last_mut() {
                    Some(run) if run.0 == key => run.2 = at + 1,
                    _ => runs.push((key, at, at + 1)),
                }
            }
            runs
        })
        .collect();
    let mut runs: Vec<(K, u32, u32)> = Vec::new();
    for run in pieces.into_iter().flatten() {
        match runs.last_mut() {
            Some(last) if last.0 == run.0 && last.2 == run.1 => last.2 = run.2,
            _ => runs.push(run),
        }
    }
    runs
}

/// The rows of one dwelling, by position in their tables.
#[derive(Debug, Default)]
struct DwellingRows {
    adverts: Vec<u32>,
    allocations: Vec<u32>,
    vacancies: Vec<u32>,
}

/// Per advert, its responses as runs of consecutive positions.
fn responses_by_advert(responses: &[Response]) -> FastMap<AdvertId, Vec<(u32, u32)>> {
    let mut by_advert: FastMap<AdvertId, Vec<(u32, u32)>> = FastMap::default();
    // Exports list an advert's responses together: one look-up per run
    // of the same advert, not per response (any order stays correct).
    for (advert, start, end) in advert_runs(responses) {
        by_advert.entry(advert).or_default().push((start, end));
    }
    by_advert
}

/// The priorities sorted by applicant, and each applicant's range of them.
fn priorities_by_applicant(
    mut priorities: Vec<Priority>,
) -> (Vec<Priority>, FastMap<ApplicantId, (u32, u32)>) {
    // Stable: an applicant's priorities keep their file order.
    priorities.sort_by_key(|a| a.applicant_id);
    let mut ranges: FastMap<ApplicantId, (u32, u32)> = FastMap::default();
    for (i, p) in priorities.iter().enumerate() {
        ranges
            .entry(p.applicant_id)
            .and_modify(|r| r.1 = i as u32 + 1)
            .or_insert((i as u32, i as u32 + 1));
    }
    (priorities, ranges)
}

/// The rows of each dwelling, by its key (spec 1.3).
fn by_dwelling(
    adverts: &[Advert],
    allocations: &[Allocation],
    vacancies: &[Vacancy],
) -> FastMap<CompactString, DwellingRows> {
    let mut by: FastMap<CompactString, DwellingRows> = FastMap::default();
    for (i, a) in adverts.iter().enumerate() {
        by.entry(a.dwelling_id.key())
            .or_default()
            .adverts
            .push(i as u32);
    }
    for (i, a) in allocations.iter().enumerate() {
        by.entry(a.dwelling_id.key())
            .or_default()
            .allocations
            .push(i as u32);
    }
    for (i, v) in vacancies.iter().enumerate() {
        by.entry(v.dwelling_id.key())
            .or_default()
            .vacancies
            .push(i as u32);
    }
    by
}

impl Dataset {
    /// Builds the look-ups. Keys must already be unique (validation keeps
    /// the first row of a duplicate key).
    pub fn index(mut self) -> Self {
        self.applicant_index = SymMap::new(
            self.applicants
                .iter()
                .enumerate()
                .map(|(i, a)| (a.id.sym(), i as u32)),
        );
        self.advert_index = self
            .adverts
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id, i))
            .collect();
        self.employee_index = self
            .employees
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id, i))
            .collect();
        if self.response_applicant.len() != self.responses.len() {
            // Not from validation (the generator, tests): every response
            // must then have its applicant, as validation guarantees.
            self.response_applicant = self
                .responses
                .iter()
                .map(|r| {
                    self.applicant_index
                        .get(r.applicant_id.sym())
                        .unwrap_or(u32::MAX)
                })
                .collect();
        }
        // The three look-ups below read different tables: side by side.
        let (by_advert, (priorities, by_dwelling)) = rayon::join(
            || responses_by_advert(&self.responses),
            || {
                rayon::join(
                    || priorities_by_applicant(std::mem::take(&mut self.priorities)),
                    || by_dwelling(&self.adverts, &self.allocations, &self.vacancies),
                )
            },
        );
        self.responses_by_advert = by_advert;
        (self.priorities, self.priorities_by_applicant) = priorities;
        self.by_dwelling = by_dwelling;
        self
    }

    /// The adverts of a dwelling (ids compared trimmed, case-insensitively),
    /// withdrawn or not.
    pub fn adverts_of_dwelling<'a>(
        &'a self,
        id: &crate::model::DwellingId,
    ) -> impl Iterator<Item = &'a Advert> + 'a {
        let rows = self.by_dwelling.get(&id.key());
        rows.into_iter()
            .flat_map(|r| &r.adverts)
            .map(|&i| &self.adverts[i as usize])
    }

    /// The allocations of a dwelling, any route.
    pub fn allocations_of_dwelling<'a>(
        &'a self,
        id: &crate::model::DwellingId,
    ) -> impl Iterator<Item = &'a Allocation> + 'a {
        let rows = self.by_dwelling.get(&id.key());
        rows.into_iter()
            .flat_map(|r| &r.allocations)
            .map(|&i| &self.allocations[i as usize])
    }

    /// The vacancies of a dwelling.
    pub fn vacancies_of_dwelling<'a>(
        &'a self,
        id: &crate::model::DwellingId,
    ) -> impl Iterator<Item = &'a Vacancy> + 'a {
        let rows = self.by_dwelling.get(&id.key());
        rows.into_iter()
            .flat_map(|r| &r.vacancies)
            .map(|&i| &self.vacancies[i as usize])
    }

    /// The priorities of an applicant (empty when none).
    pub fn priorities_of(&self, id: &ApplicantId) -> &[Priority] {
        match self.priorities_by_applicant.get(id) {
            Some(&(from, to)) => &self.priorities[from as usize..to as usize],
            None => &[],
        }
    }

    /// The applicant with this id.
    pub fn applicant(&self, id: &ApplicantId) -> Option<&Applicant> {
        self.applicant_index
            .get(id.sym())
            .map(|i| &self.applicants[i as usize])
    }

    /// The advert with this id.
    pub fn advert(&self, id: &AdvertId) -> Option<&Advert> {
        self.advert_index.get(id).map(|&i| &self.adverts[i])
    }

    /// The employee with this id.
    pub fn employee(&self, id: &EmployeeId) -> Option<&Employee> {
        self.employee_index.get(id).map(|&i| &self.employees[i])
    }

    /// The positions in `responses` of the responses to an advert, in
    /// source order.
    fn response_positions(&self, id: &AdvertId) -> impl Iterator<Item = u32> + '_ {
        self.responses_by_advert
            .get(id)
            .into_iter()
            .flatten()
            .flat_map(|&(start, end)| start..end)
    }

    /// How many responses an advert has.
    pub(crate) fn response_count(&self, id: &AdvertId) -> usize {
        self.responses_by_advert.get(id).map_or(0, |runs| {
            runs.iter()
                .map(|&(start, end)| (end - start) as usize)
                .sum()
        })
    }

    /// The responses to an advert, in source order.
    pub fn responses_to<'a>(&'a self, id: &AdvertId) -> impl Iterator<Item = &'a Response> + 'a {
        self.response_positions(id)
            .map(|i| &self.responses[i as usize])
    }

    /// The responses to an advert with their applicants, in source order;
    /// responses whose applicant is not on the waiting list are left out.
    pub fn responses_with_applicants<'a>(
        &'a self,
        id: &AdvertId,
    ) -> impl Iterator<Item = (&'a Response, &'a Applicant)> + 'a {
        self.response_rows(id).map(|(_, r, a)| (r, a))
    }

    /// [`Dataset::responses_with_applicants`] with the position of each
    /// response in `responses`.
    pub(crate) fn response_rows<'a>(
        &'a self,
        id: &AdvertId,
    ) -> impl Iterator<Item = (u32, &'a Response, &'a Applicant)> + 'a {
        self.response_positions(id).filter_map(|i| {
            // The applicants of an advert's responses lie anywhere in
            // memory: start loading the one a few responses on, so that
            // judging a response does not wait for its applicant (ranking
            // reads one for each of tens of millions of responses).
            if let Some(&ahead) = self.response_applicant.get(i as usize + AHEAD) {
                if let Some(a) = self.applicants.get(ahead as usize) {
                    prefetch(a, RANKED_FIELDS);
                }
            }
            let a = *self.response_applicant.get(i as usize)?;
            Some((
                i,
                self.responses.get(i as usize)?,
                self.applicants.get(a as usize)?,
            ))
        })
    }

    /// The response of `applicant` to `advert`, if any (the pair is a key).
    pub fn response(&self, advert: &AdvertId, applicant: &ApplicantId) -> Option<&Response> {
        self.responses_to(advert)
            .find(|r| &r.applicant_id == applicant)
    }
}

/// How many responses ahead [`Dataset::response_rows`] loads applicants.
const AHEAD: usize = 8;

/// The bytes at the start of an [`Applicant`] that ranking reads (the
/// struct is laid out in field order: see its definition).
const RANKED_FIELDS: usize = std::mem::offset_of!(Applicant, line);

/// Starts loading the cache lines of the first `bytes` bytes of `value`
/// (a hint: it reads nothing and cannot fault).
fn prefetch<T>(value: &T, bytes: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let start: *const i8 = (value as *const T).cast();
        let end = start.wrapping_add(bytes.min(std::mem::size_of::<T>()));
        // Every line the bytes touch, the last one included.
        let first = start as usize & !63;
        for line in (first..end as usize).step_by(64) {
            // SAFETY: a prefetch of a cache line holding part of a live
            // value; it has no effect on memory and cannot fault.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(line as *const i8) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (value, bytes);
}

#[cfg(test)]
mod tests {
    use super::runs;

    #[test]
    fn runs_cut_by_the_pieces_are_joined() {
        let items = [1u8, 1, 1, 2, 2, 1, 3, 3, 3, 3, 3, 2];
        let expected = vec![(1, 0, 3), (2, 3, 5), (1, 5, 6), (3, 6, 11), (2, 11, 12)];
        for piece in 1..=items.len() + 1 {
            assert_eq!(runs(&items, |&i| i, piece), expected, "pieces of {piece}");
        }
        assert!(runs(&[] as &[u8], |&i| i, 4).is_empty());
    }
}
