//! Linking benchmark (spec 2 at national scale): every seeker of a
//! generated waiting list linked against the staff register and the
//! declared relations, as `woonaudit run` does for each event.
//!
//! `cargo bench -p woonaudit-bench --bench linking`. Sizes: 1,000,000
//! seekers (WOONAUDIT_BENCH_SEEKERS), 1,000 employees, 3,000 relations.
//! The generator declares only the relatives its plants need, so the bench
//! adds declared relations for a spread of seekers (every n-th one, by
//! applicant_id and by name) to reach 3,000: realistic work for the
//! `declared` blocks.

use std::path::PathBuf;
use std::sync::OnceLock;

use woonaudit::config::Config;
use woonaudit::dataset::Dataset;
use woonaudit::link::Linker;
use woonaudit::model::{Date, Relation, RelationKind};
use woonaudit_generate::{self as generate, Options};

fn main() {
    divan::main();
}

const EMPLOYEES: usize = 1_000;
const RELATIONS: usize = 3_000;

fn seekers() -> usize {
    std::env::var("WOONAUDIT_BENCH_SEEKERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

/// The generated data set, made and read once per bench process.
fn data() -> &'static Dataset {
    static DATA: OnceLock<Dataset> = OnceLock::new();
    DATA.get_or_init(|| {
        let n = seekers();
        let dir = std::env::temp_dir().join(format!("woonaudit-bench-link-{n}"));
        if !dir.join("planted.csv").is_file() {
            let opts = Options {
                applicants: n,
                adverts: (n / 10).max(60),
                responses_per_advert: 10,
                employees: EMPLOYEES,
                sales: (n / 100).max(12),
                ..Options::default()
            };
            let generated = generate::generate(&opts);
            generate::write(&generated, &dir, &opts.dialect).expect("write bench data");
        }
        let input = woonaudit::read::read_dir(&PathBuf::from(&dir), &Config::default())
            .expect("read bench data");
        let (mut data, _) = woonaudit::validate::validate(input);
        add_relations(&mut data);
        data.index()
    })
}

/// Declares every n-th seeker as a relative of an employee, up to RELATIONS
/// relations in all; half by applicant_id, half by name and birth date only.
fn add_relations(data: &mut Dataset) {
    let missing = RELATIONS.saturating_sub(data.relations.len());
    if missing == 0 || data.employees.is_empty() {
        return;
    }
    let step = (data.applicants.len() / missing).max(1);
    let extra: Vec<Relation> = data
        .applicants
        .iter()
        .step_by(step)
        .take(missing)
        .enumerate()
        .map(|(i, a)| Relation {
            line: 0,
            employee_id: data.employees[i % data.employees.len()].id,
            relation: RelationKind::Sibling,
            last_name: a.last_name.to_string(),
            first_names: a.first_names.as_deref().map(str::to_string),
            birth_date: Some(a.birth_date),
            postcode: None,
            house_number: None,
            email: None,
            phone: None,
            applicant_id: (i % 2 == 0).then_some(a.id),
            declared_on: None,
        })
        .collect();
    data.relations.extend(extra);
}

/// Indexing the registers.
#[divan::bench(sample_count = 10)]
fn build_linker(bencher: divan::Bencher) {
    let data = data();
    bencher.bench(|| Linker::new(data));
}

/// Linking every seeker on one day: the full cost of a national waiting
/// list, indexing included.
#[divan::bench(sample_count = 5)]
fn link_every_seeker(bencher: divan::Bencher) {
    let data = data();
    let day = Date::from_ymd_opt(2026, 6, 30).expect("date");
    bencher.bench(|| {
        let linker = Linker::new(data);
        data.applicants
            .iter()
            .filter(|a| !linker.links(a.person(), Some(&a.id), day).is_empty())
            .count()
    });
}
