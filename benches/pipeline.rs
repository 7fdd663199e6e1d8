//! Benchmarks of the audit pipeline on data made by the tool's own
//! generator: reading and validating, all checks, the statistics.
//!
//! `cargo bench -p woonaudit-bench` (sizes via WOONAUDIT_BENCH_APPLICANTS,
//! default 100,000 seekers and 10,000 adverts with 25 responses each).

use std::path::PathBuf;
use std::sync::OnceLock;

use woonaudit::analysis::{statistics, Facts};
use woonaudit::checks;
use woonaudit::config::Config;
use woonaudit::context::Context;
use woonaudit::period::Period;
use woonaudit_generate::{self as generate, Options};

fn main() {
    divan::main();
}

/// The generated data folder, made once per bench process.
fn data_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let applicants: usize = std::env::var("WOONAUDIT_BENCH_APPLICANTS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(100_000);
        let dir = std::env::temp_dir().join(format!("woonaudit-bench-{applicants}"));
        if !dir.join("planted.csv").is_file() {
            let opts = Options {
                applicants,
                adverts: applicants / 10,
                responses_per_advert: 25,
                employees: 1_000,
                sales: applicants / 100,
                ..Options::default()
            };
            let generated = generate::generate(&opts);
            generate::write(&generated, &dir, &opts.dialect).expect("write bench data");
        }
        dir
    })
}

#[divan::bench(sample_count = 10)]
fn read_and_validate(bencher: divan::Bencher) {
    let dir = data_dir();
    let config = Config::default();
    bencher.bench(|| {
        let input = woonaudit::read::read_dir(dir, &config).expect("read");
        woonaudit::validate::validate(input)
    });
}

/// Ranking every advert, linking and all checks (`Context::new` indexes the
/// staff register and derives every advert's order).
#[divan::bench(sample_count = 10)]
fn checks(bencher: divan::Bencher) {
    let dir = data_dir();
    let config = Config::default();
    let input = woonaudit::read::read_dir(dir, &config).expect("read");
    let (data, _) = woonaudit::validate::validate(input);
    bencher.bench(|| {
        let ctx = Context::new(&data, &config, Period::ALL);
        checks::run_all(&ctx)
    });
}

/// The analysis (facts of every let and sale, the statistics of spec 5) on
/// the findings of a full run.
#[divan::bench(sample_count = 10)]
fn analysis(bencher: divan::Bencher) {
    let dir = data_dir();
    let config = Config::default();
    let input = woonaudit::read::read_dir(dir, &config).expect("read");
    let (data, _) = woonaudit::validate::validate(input);
    let ctx = Context::new(&data, &config, Period::ALL);
    let checked = checks::run_all(&ctx);
    bencher.bench(|| {
        let facts = Facts::build(&ctx, &checked.findings);
        statistics::compute(&ctx, &facts, &checked.handlers, &checked.skip_rates)
    });
}
