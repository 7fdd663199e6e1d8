//! Benchmarks of the ranking of spec 3 (`Ranking::derive`): one large
//! advert (10,000 responses, as a popular home in a big region gets) and
//! many small ones (10,000 adverts of 25 responses), on records built in
//! memory so that only the ranking is timed.
//!
//! `CARGO_TARGET_DIR=~/.cache/woonaudit-bench-target cargo bench -p woonaudit-bench --bench ranking`

use chrono::NaiveDate;
use woonaudit::dataset::Dataset;
use woonaudit::model::{
    Advert, AdvertId, Applicant, ApplicantId, Cents, DwellingId, Model, Outcome, Response, Stamp,
};
use woonaudit::rank::Ranking;

fn main() {
    divan::main();
}

/// A small deterministic generator (xorshift64*): no dependency, same data
/// every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

fn day(offset: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date") + chrono::Duration::days(offset as i64)
}

/// `adverts` adverts with `per_advert` responses each from `seekers`
/// seekers; a mix of models, urgency, local ties and eligibility limits.
fn dataset(seekers: usize, adverts: usize, per_advert: usize) -> Dataset {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut data = Dataset::default();
    data.applicants = (0..seekers)
        .map(|i| Applicant {
            line: i as u64 + 2,
            id: ApplicantId::from(format!("{:08}", 10_000_000 + i)),
            last_name: "Jansen".into(),
            first_names: None,
            birth_date: day(rng.below(20_000)),
            postcode: None,
            house_number: None,
            email: None,
            phone: None,
            registration_date: day(20_000 + rng.below(7_000)),
            registered_at: None,
            household_size: 1 + rng.below(5) as u32,
            household_income: Some(Cents(1_500_000 + rng.below(6_000_000) as i64)),
            urgency: (rng.below(20) == 0).then(|| "medisch".into()),
            urgency_from: Some(day(26_000 + rng.below(1_000))),
            urgency_to: None,
            local_ties: rng.below(5) == 0,
            current_tenant: false,
        })
        .collect();
    for a in 0..adverts {
        let id = AdvertId::from(format!("ADV-{a:07}"));
        let closes_on = day(27_500 + (a % 300) as u64);
        data.adverts.push(Advert {
            line: a as u64 + 2,
            id,
            dwelling_id: DwellingId::from(format!("VHE-{a:07}")),
            published_on: closes_on - chrono::Duration::days(14),
            closes_on,
            model: if a % 4 == 0 {
                Model::Lottery
            } else {
                Model::Registration
            },
            urgency_first: true,
            local_first: a % 5 == 0,
            min_age: (a % 10 == 0).then_some(55),
            max_age: None,
            min_household: None,
            max_household: (a % 7 == 0).then_some(2),
            min_income: None,
            max_income: (a % 3 == 0).then_some(Cents(5_000_000)),
            rent: Some(Cents(70_000)),
            policy: None,
            units: 1,
            status: woonaudit::model::AdvertStatus::Published,
            withdrawn_on: None,
        });
        let mut taken = std::collections::HashSet::new();
        for k in 0..per_advert {
            let mut s = rng.below(seekers as u64) as usize;
            while !taken.insert(s) {
                s = (s + 1) % seekers;
            }
            let at = closes_on - chrono::Duration::days(rng.below(16) as i64);
            data.responses.push(Response {
                line: data.responses.len() as u32 + 2,
                advert_id: id,
                applicant_id: data.applicants[s].id,
                responded_at: Stamp::new(
                    at.and_hms_opt(9, 0, 0).expect("valid time")
                        + chrono::Duration::seconds(rng.below(30_000) as i64),
                )
                .expect("a moment of this century"),
                lottery_number: Some(k as i32 + 1).into(),
                position: None.into(),
                points: None,
                outcome: Outcome::NotReached,
                reason: None,
                decided_by: None,
            });
        }
    }
    data.index()
}

/// One advert with 10,000 responses from 50,000 seekers.
#[divan::bench(sample_count = 20)]
fn one_large_advert(bencher: divan::Bencher) {
    let data = dataset(50_000, 1, 10_000);
    let advert = &data.adverts[0];
    bencher.bench(|| Ranking::derive(&data, advert).eligible().len());
}

/// 10,000 adverts of 25 responses each from 100,000 seekers.
#[divan::bench(sample_count = 10)]
fn many_small_adverts(bencher: divan::Bencher) {
    let data = dataset(100_000, 10_000, 25);
    bencher.bench(|| {
        data.adverts
            .iter()
            .map(|a| Ranking::derive(&data, a).eligible().len())
            .sum::<usize>()
    });
}
