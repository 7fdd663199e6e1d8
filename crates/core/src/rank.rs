//! The aanbodsysteem order (spec section 3): who responded in time, who was
//! eligible, and in which order the eligible candidates should have been
//! offered the home.

use std::cmp::Ordering;
use std::fmt;

use crate::dataset::Dataset;
use crate::model::{age_on, Advert, Applicant, Date, Model, Priority, PriorityId, Response};
use crate::policy::Predicate;

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
    /// A `require` predicate of the advert's policy does not hold (v1.2).
    Requirement(Predicate),
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
            Ineligibility::Requirement(p) => write!(f, "does not meet {p}"),
        }
    }
}

/// Every reason the applicant (holding `priorities`) is not eligible for
/// the advert closing on its `closes_on`, judged on the applicant record as
/// exported (spec 3), the policy's requirements included. Empty when
/// eligible.
pub fn ineligibility(
    advert: &Advert,
    applicant: &Applicant,
    priorities: &[Priority],
) -> Vec<Ineligibility> {
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
    for p in advert.requirements() {
        if !p.holds(applicant, priorities, c) {
            why.push(Ineligibility::Requirement(p.clone()));
        }
    }
    why
}

/// An eligible candidate at its expected rank (a view: a ranking holds
/// its candidates as positions, see [`Ranking::eligible`]).
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
pub struct Ranking<'a> {
    /// The advert.
    pub advert: &'a Advert,
    data: &'a Dataset,
    /// The input changed for this ranking, if any (its replacement record
    /// is ranked in place of the one with its id).
    change: Change<'a>,
    /// Eligible candidates in the order they should have been offered, as
    /// positions of their responses in `data` (the applicant follows from
    /// the response): 4 bytes a candidate where references took 24, over
    /// the tens of millions of candidates of a national audit. The
    /// ineligible and the late are not held: only `explain` lists them,
    /// and it derives them again ([`Ranking::ineligible`]).
    order: Vec<u32>,
}

/// Where one response stands for an advert (spec 3).
enum Standing<'p> {
    /// Responded after the closing date.
    Late,
    /// On time but not eligible, for these reasons.
    Ineligible(Vec<Ineligibility>),
    /// Eligible, judged with these priorities of the applicant.
    Eligible(&'p [Priority]),
}

/// One changed input to rank an advert again with (spec 4.2 and
/// PRIORITY_LATE): the analysis asks "what if", by the same rules.
#[derive(Clone, Copy, Debug, Default)]
pub struct Change<'a> {
    /// Where a response's applicant has this record's id, rank this record
    /// instead (the tenant with their original registration_date).
    pub replacement: Option<&'a Applicant>,
    /// Rank as if this priority did not exist.
    pub without_priority: Option<&'a PriorityId>,
}

impl<'a> Change<'a> {
    /// The record to rank for `applicant`: the replacement when it has
    /// the same id.
    fn applicant(&self, applicant: &'a Applicant) -> &'a Applicant {
        match self.replacement {
            Some(r) if r.id == applicant.id => r,
            _ => applicant,
        }
    }
}

impl<'a> Ranking<'a> {
    /// Derives the order of `advert` from its responses in `data`.
    pub fn derive(data: &'a Dataset, advert: &'a Advert) -> Ranking<'a> {
        Ranking::derive_with(data, advert, Change::default())
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
        Ranking::derive_with(
            data,
            advert,
            Change {
                replacement,
                without_priority: None,
            },
        )
    }

    /// [`Ranking::derive`] with one input changed (see [`Change`]).
    pub fn derive_with(data: &'a Dataset, advert: &'a Advert, change: Change<'a>) -> Ranking<'a> {
        let c = advert.closes_on;
        let tiers = advert.tiers();
        // Room for every response at once: growing these a push at a time
        // was a twelfth of ranking.
        let n = data.response_count(&advert.id);
        let mut eligible: Vec<(&Response, &Applicant)> = Vec::with_capacity(n);
        let mut rows: Vec<u32> = Vec::with_capacity(n);
        // The tier keys of the eligible, `tiers.len()` per candidate, in
        // one buffer: no allocation per candidate.
        let mut tier_keys: Vec<(bool, Date)> = Vec::with_capacity(n * tiers.len());
        let mut judge = Judge::new(data, advert, change);
        // Validation guarantees every kept response has its applicant.
        for (row, response, applicant) in data.response_rows(&advert.id) {
            let applicant = change.applicant(applicant);
            if let Standing::Eligible(priorities) = judge.standing(response, applicant) {
                eligible.push((response, applicant));
                rows.push(row);
                for t in tiers {
                    let holds = t.holds(applicant, priorities, c);
                    let key = if holds {
                        t.holder_key(applicant, priorities, c)
                    } else {
                        Date::MIN
                    };
                    tier_keys.push((!holds, key));
                }
            }
        }
        let t = tiers.len();
        let base = advert.base();
        // The usual advert (up to two tiers, no points) is sorted on keys
        // worked out once per candidate, side by side with its position:
        // comparing through the candidates' records was a third of
        // ranking. The keys order exactly as the comparison below.
        if let Some(mut keyed) = sort_keys(base, t, &tier_keys, &eligible) {
            keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| by_id(&eligible, a.1, b.1)));
            return Ranking {
                advert,
                data,
                change,
                order: keyed.into_iter().map(|(_, i)| rows[i]).collect(),
            };
        }
        let mut order: Vec<usize> = (0..eligible.len()).collect();
        // The last key, the applicant id, differs between any two
        // candidates (validation keeps one response per advert and
        // applicant), so no two compare equal and an unstable sort, which
        // needs no buffer, gives the one order there is.
        order.sort_unstable_by(|&i, &j| compare(base, t, &tier_keys, &eligible, i, j));
        Ranking {
            advert,
            data,
            change,
            order: order.into_iter().map(|i| rows[i]).collect(),
        }
    }

    /// Candidates who responded on time but are not eligible, in response
    /// order, with every reason (derived again: a ranking does not hold
    /// them).
    pub fn ineligible(&self) -> Vec<(&'a Response, Vec<Ineligibility>)> {
        let mut judge = Judge::new(self.data, self.advert, self.change);
        let mut out = Vec::new();
        for (_, response, applicant) in self.data.response_rows(&self.advert.id) {
            let applicant = self.change.applicant(applicant);
            if let Standing::Ineligible(why) = judge.standing(response, applicant) {
                out.push((response, why));
            }
        }
        out
    }

    /// Responses dated after the closing date, in response order.
    pub fn late(&self) -> impl Iterator<Item = &'a Response> + 'a {
        let advert = self.advert;
        self.data
            .response_rows(&advert.id)
            .map(|(_, response, _)| response)
            .filter(move |r| responded_late(advert, r))
    }

    /// The eligible candidates in the order they should have been offered,
    /// ranks 1, 2, ...
    pub fn eligible(
        &self,
    ) -> impl ExactSizeIterator<Item = Ranked<'a>> + DoubleEndedIterator + Clone + '_ {
        self.order.iter().enumerate().map(|(i, &row)| {
            // Positions taken from `data` when ranking: they are in range.
            let response = &self.data.responses[row as usize];
            let applicant = self.data.response_applicant[row as usize];
            let applicant = self
                .change
                .applicant(&self.data.applicants[applicant as usize]);
            Ranked {
                rank: i + 1,
                response,
                applicant,
            }
        })
    }

    /// The eligible entry of `applicant_id`, if any.
    pub fn find(&self, applicant_id: &crate::model::ApplicantId) -> Option<Ranked<'a>> {
        // By the response's applicant id (the same id as the ranked
        // record's, a replacement included): an advert's responses lie
        // side by side, its applicants anywhere, and the checks look up a
        // tenant in a ranking of a hundred candidates for every let.
        self.eligible()
            .find(|r| &r.response.applicant_id == applicant_id)
    }
}

/// Whether `response` came after `advert` closed: it is then no candidate
/// (spec 3).
pub fn responded_late(advert: &Advert, response: &Response) -> bool {
    response.responded_at.date() > advert.closes_on
}

/// Judges the responses to one advert, after one change (spec 3).
struct Judge<'a> {
    data: &'a Dataset,
    advert: &'a Advert,
    change: Change<'a>,
    /// Whether the advert's tiers or requirements look at priorities.
    needs_priorities: bool,
    /// An applicant's priorities less the one the change leaves out.
    own: Vec<Priority>,
}

impl<'a> Judge<'a> {
    fn new(data: &'a Dataset, advert: &'a Advert, change: Change<'a>) -> Judge<'a> {
        let needs_priorities = advert
            .tiers()
            .iter()
            .chain(advert.requirements())
            .any(Predicate::uses_priorities);
        Judge {
            data,
            advert,
            change,
            needs_priorities,
            own: Vec::new(),
        }
    }

    /// Where `response` (by `applicant`, the change applied) stands: late,
    /// ineligible with its reasons, or eligible with the priorities it was
    /// judged with.
    fn standing(&mut self, response: &Response, applicant: &Applicant) -> Standing<'_> {
        if responded_late(self.advert, response) {
            return Standing::Late;
        }
        let priorities: &[Priority] = if self.needs_priorities {
            let all = self.data.priorities_of(&applicant.id);
            match self.change.without_priority {
                Some(id) if all.iter().any(|p| &p.id == id) => {
                    self.own.clear();
                    self.own.extend(all.iter().filter(|p| &p.id != id).cloned());
                    &self.own
                }
                _ => all,
            }
        } else {
            &[]
        };
        let why = ineligibility(self.advert, applicant, priorities);
        if why.is_empty() {
            Standing::Eligible(priorities)
        } else {
            Standing::Ineligible(why)
        }
    }
}

impl fmt::Debug for Ranking<'_> {
    /// The advert and the candidates, not the data set they point into.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ranking")
            .field("advert", &self.advert.id)
            .field("eligible", &self.eligible().collect::<Vec<_>>())
            .field("ineligible", &self.ineligible())
            .field("late", &self.late().collect::<Vec<_>>())
            .finish()
    }
}

/// The order of spec 3 between eligible candidates `i` and `j`: their
/// tier keys (`tiers` per candidate), the base key, responded_at, the
/// applicant id.
fn compare(
    base: Model,
    tiers: usize,
    tier_keys: &[(bool, Date)],
    eligible: &[(&Response, &Applicant)],
    i: usize,
    j: usize,
) -> Ordering {
    let t = tiers;
    tier_keys[i * t..(i + 1) * t]
        .cmp(&tier_keys[j * t..(j + 1) * t])
        .then_with(|| compare_base(base, eligible[i], eligible[j]))
        .then_with(|| eligible[i].0.responded_at.cmp(&eligible[j].0.responded_at))
        .then_with(|| by_id(eligible, i, j))
}

/// The last key of [`compare`]: the applicant ids' bytes.
fn by_id(eligible: &[(&Response, &Applicant)], i: usize, j: usize) -> Ordering {
    eligible[i]
        .1
        .id
        .as_str()
        .as_bytes()
        .cmp(eligible[j].1.id.as_str().as_bytes())
}

/// A candidate's sort key short of the applicant id, for an advert of at
/// most two tiers, as two integers that order as the keys do: the tier
/// keys (a tier the advert lacks is the same for everyone, see
/// [`tier_bits`]) and the base key (see [`base_bits`]) above each other in
/// the first, responded_at in the second. Comparing two integers, not
/// eight fields, was half of ranking.
type SortKey = (u128, u64);

/// A tier key `(does not hold, date)` in 29 bits, ordered as the pair: the
/// flag above the days since the earliest date there is (chrono's range
/// is under 2^28 days).
fn tier_bits((not_holding, date): (bool, Date)) -> u128 {
    let days = chrono::Datelike::num_days_from_ce(&date) as i64
        - chrono::Datelike::num_days_from_ce(&Date::MIN) as i64;
    (u128::from(not_holding) << 28) | days as u128
}

/// A base key (a day number or a lottery number: a 32-bit value, or
/// `i64::MAX` for a missing lottery number) in 33 bits, ordered as it is.
fn base_bits(key: i64) -> u128 {
    match i32::try_from(key) {
        Ok(v) => (i64::from(v) - i64::from(i32::MIN)) as u128,
        Err(_) => 1 << 32,
    }
}

/// The sort keys of the `eligible` with their positions, ordering exactly
/// as [`compare_base`] and the tier keys do; `None` for an advert with
/// more than two tiers or ranked by points (its comparison stays as it is).
fn sort_keys(
    base: Model,
    tiers: usize,
    tier_keys: &[(bool, Date)],
    eligible: &[(&Response, &Applicant)],
) -> Option<Vec<(SortKey, usize)>> {
    if tiers > 2 || base == Model::Points {
        return None;
    }
    let keys = eligible
        .iter()
        .enumerate()
        .map(|(i, &(response, applicant))| {
            let mut tier = [(false, Date::MIN); 2];
            tier[..tiers].copy_from_slice(&tier_keys[i * tiers..(i + 1) * tiers]);
            let base_key = match base {
                Model::Registration => i64::from(chrono::Datelike::num_days_from_ce(
                    &applicant.registration_date,
                )),
                Model::Lottery => response.lottery_number.get().map_or(i64::MAX, i64::from),
                // First come is responded_at, the next key; discretionary has
                // no base key.
                Model::FirstCome | Model::Discretionary | Model::Points => 0,
            };
            let high =
                (tier_bits(tier[0]) << 62) | (tier_bits(tier[1]) << 33) | base_bits(base_key);
            // Flipping the sign bit orders the nanoseconds as unsigned.
            let low = (response.responded_at.nanos() as u64) ^ (1 << 63);
            ((high, low), i)
        });
    Some(keys.collect())
}

/// The base key of spec 3 (2): registration_date ascending; lottery_number
/// ascending; points descending, then registration_date; responded_at
/// (first come); none for discretionary adverts.
fn compare_base(base: Model, a: (&Response, &Applicant), b: (&Response, &Applicant)) -> Ordering {
    match base {
        Model::Registration => a.1.registration_date.cmp(&b.1.registration_date),
        // Validation sets aside lottery responses without a number.
        Model::Lottery => {
            let n = |r: &Response| r.lottery_number.get().map_or(i64::MAX, i64::from);
            n(a.0).cmp(&n(b.0))
        }
        Model::Points => {
            // Higher first; validation sets aside responses without points.
            let by_points = match (a.0.points, b.0.points) {
                (Some(x), Some(y)) if x == y => Ordering::Equal,
                (Some(x), Some(y)) => y.value().cmp_exact(&x.value()),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            };
            by_points.then_with(|| a.1.registration_date.cmp(&b.1.registration_date))
        }
        Model::FirstCome => a.0.responded_at.cmp(&b.0.responded_at),
        Model::Discretionary => Ordering::Equal,
    }
}

/// A short description of what placed a candidate where it is, for detail
/// sentences: the tiers held (urgency, local ties, ...), then the base key.
pub fn describe_keys(
    advert: &Advert,
    response: &Response,
    applicant: &Applicant,
    priorities: &[Priority],
) -> String {
    let c = advert.closes_on;
    let mut parts = Vec::new();
    for t in advert.tiers() {
        if !t.holds(applicant, priorities, c) {
            continue;
        }
        parts.push(match t {
            Predicate::Urgency => {
                format!("urgent since {}", t.holder_key(applicant, priorities, c))
            }
            Predicate::Local => "local ties".to_string(),
            Predicate::Priority { .. } => {
                format!("{t} since {}", t.holder_key(applicant, priorities, c))
            }
            other => other.to_string(),
        });
    }
    match advert.base() {
        Model::Registration => parts.push(format!("registered {}", applicant.registration_date)),
        Model::Lottery => match response.lottery_number.get() {
            Some(n) => parts.push(format!("lottery number {n}")),
            None => parts.push("no lottery number".to_string()),
        },
        Model::Points => match response.points {
            Some(p) => parts.push(format!(
                "{p} points, registered {}",
                applicant.registration_date
            )),
            None => parts.push("no points".to_string()),
        },
        Model::FirstCome => parts.push(format!("responded {}", response.responded_at)),
        Model::Discretionary => {}
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ApplicantId, Outcome, Stamp};

    /// `n` candidates with few distinct dates, numbers and moments, so
    /// that every key ties often and the next one decides.
    fn candidates(n: usize, seed: u64) -> Vec<(Response, Applicant)> {
        let mut state = seed;
        let mut next = move |m: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % m
        };
        let start = Date::from_ymd_opt(2020, 1, 1).unwrap_or_default();
        let day = move |d: u64| start + chrono::Days::new(d);
        (0..n)
            .map(|i| {
                let id = format!("A{}", next(1_000_000) * 1000 + i as u64);
                let at = day(next(3))
                    .and_hms_opt(0, 0, next(2) as u32)
                    .and_then(Stamp::new)
                    .unwrap();
                let lottery = (next(5) > 0).then(|| next(4) as i32 - 1);
                let response = Response {
                    line: i as u32 + 2,
                    advert_id: "ADV".into(),
                    applicant_id: ApplicantId::from(id.as_str()),
                    responded_at: at,
                    lottery_number: lottery.into(),
                    position: None.into(),
                    points: None,
                    outcome: Outcome::NotReached,
                    reason: None,
                    decided_by: None,
                };
                let applicant = Applicant::minimal(i as u64 + 2, &id, day(0), day(next(4)));
                (response, applicant)
            })
            .collect()
    }

    #[test]
    fn keys_worked_out_once_order_as_the_comparison_does() {
        for (seed, base) in [
            Model::Registration,
            Model::Lottery,
            Model::FirstCome,
            Model::Discretionary,
        ]
        .into_iter()
        .enumerate()
        {
            for tiers in 0..=2 {
                let owned = candidates(300, seed as u64 * 7 + tiers as u64);
                let eligible: Vec<(&Response, &Applicant)> =
                    owned.iter().map(|(r, a)| (r, a)).collect();
                let tier_keys: Vec<(bool, Date)> = (0..eligible.len() * tiers)
                    .map(|k| (k % 3 == 0, eligible[k / tiers.max(1)].1.registration_date))
                    .collect();
                let mut expected: Vec<usize> = (0..eligible.len()).collect();
                expected.sort_by(|&i, &j| compare(base, tiers, &tier_keys, &eligible, i, j));
                let mut keyed = sort_keys(base, tiers, &tier_keys, &eligible).unwrap();
                keyed.sort_unstable_by(|a, b| {
                    a.0.cmp(&b.0).then_with(|| by_id(&eligible, a.1, b.1))
                });
                let got: Vec<usize> = keyed.into_iter().map(|(_, i)| i).collect();
                assert_eq!(got, expected, "{base:?} with {tiers} tiers");
            }
        }
        assert!(sort_keys(Model::Points, 0, &[], &[]).is_none());
        assert!(sort_keys(Model::Registration, 3, &[], &[]).is_none());
    }

    #[test]
    fn packed_keys_order_as_their_parts_at_the_extremes() {
        let days = [
            Date::MIN,
            Date::from_ymd_opt(2026, 3, 1).unwrap(),
            Date::MAX,
        ];
        let mut tiers: Vec<(bool, Date)> = Vec::new();
        for flag in [false, true] {
            tiers.extend(days.iter().map(|&d| (flag, d)));
        }
        for pair in tiers.windows(2) {
            assert!(tier_bits(pair[0]) < tier_bits(pair[1]), "{pair:?}");
            assert!(tier_bits(pair[1]) < 1 << 29, "{pair:?}");
        }
        let bases = [
            i64::from(i32::MIN) + 1,
            -1,
            0,
            1,
            i64::from(i32::MAX),
            i64::MAX,
        ];
        for pair in bases.windows(2) {
            assert!(base_bits(pair[0]) < base_bits(pair[1]), "{pair:?}");
            assert!(base_bits(pair[1]) < 1 << 33, "{pair:?}");
        }
    }
}
