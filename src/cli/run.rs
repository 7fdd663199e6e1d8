//! `woonaudit run`: audit a data folder and write the reports into the
//! output folder (spec 6).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use super::progress::Progress;
use super::{print_issues, usage, DataArgs};
use woonaudit::analysis::carry::CarryOver;
use woonaudit::analysis::cases::case_of;
use woonaudit::checks::Severity;
use woonaudit::error::{Error, Result};
use woonaudit::load::Loaded;
use woonaudit::period::Period;
use woonaudit::privacy::pseudonym::Mask;
use woonaudit::read::reviews;
use woonaudit::read::reviews::Reviews;
use woonaudit::report::{self, Report, RunMeta};
use woonaudit::timings::{Span, Timings};
use woonaudit::Audit;

/// Options of `run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Output folder [default: reports/<name of the data folder>].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Set rows with data errors aside and go on, instead of stopping.
    #[arg(long)]
    lenient: bool,
    /// Limit the checks to a year (2026) or quarter (2026-Q3).
    #[arg(long, value_name = "P", conflicts_with_all = ["from", "to"])]
    period: Option<String>,
    /// First day of the period (inclusive).
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// Last day of the period (inclusive).
    #[arg(long, value_name = "DATE")]
    to: Option<String>,
    /// Exit 3 when a finding of this severity or higher exists.
    #[arg(long, value_name = "SEVERITY", value_parser = ["high", "medium", "low"])]
    fail_on: Option<String>,
    /// Last quarter's filled-in exceptions.xlsx, or a CSV with
    /// finding_id,status,reviewer,note: its reviews carry over.
    #[arg(long, value_name = "FILE")]
    reviews: Option<PathBuf>,
    /// Overwrite an exceptions.xlsx in the output folder that holds review
    /// entries, and go on when review entries of --reviews cannot be
    /// matched to findings (they are listed on screen and left out).
    #[arg(long)]
    force: bool,
    /// Write the CSV files for Excel on a Dutch system: `;` between cells
    /// and a UTF-8 byte order mark (the default is `,` without one).
    #[arg(long)]
    excel_csv: bool,
    /// Print the time each stage took (read, validate, link, rank,
    /// checks, analysis, reports), the processor time it used, the peak
    /// memory so far and the memory held after each, to stderr.
    #[arg(long)]
    timings: bool,
    /// For sharing outside the audit team: replace applicant and employee
    /// ids, names, birth dates, postcodes (and e-mail addresses and phone
    /// numbers) in report.html, exceptions.xlsx, links.csv and charts/ by
    /// P- + 12 hex digits of HMAC-SHA256 under the key in the environment
    /// variable WOONAUDIT_PSEUDONYM_KEY. findings.csv, data_issues.csv and
    /// stats.json keep the raw values for the audit file.
    #[arg(long)]
    pseudonymise: bool,
}

impl RunArgs {
    fn period(&self) -> Result<Period> {
        let p = match &self.period {
            Some(p) => Period::parse(p),
            None => Period::from_to(self.from.as_deref(), self.to.as_deref()),
        };
        p.map_err(Error::Usage)
    }

    fn out_dir(&self) -> Result<PathBuf> {
        if let Some(out) = &self.out {
            return Ok(out.clone());
        }
        let dir = &self.data.data;
        // `--data .` has no file name of its own: use the folder's real name.
        let name = dir
            .file_name()
            .map(|n| n.to_os_string())
            .or_else(|| Some(dir.canonicalize().ok()?.file_name()?.to_os_string()))
            .map(|n| n.to_string_lossy().into_owned());
        match name {
            Some(n) => Ok(PathBuf::from("reports").join(n)),
            None => usage("cannot name the output folder after the data folder: give --out"),
        }
    }
}

/// Runs `run`: parse, load, build the audit, write its outputs.
pub fn run(args: &RunArgs) -> Result<ExitCode> {
    let period = args.period()?;
    let fail_on = args.fail_on.as_deref().and_then(Severity::parse);
    let out = args.out_dir()?;
    if out.is_file() {
        return usage(format!(
            "--out {} is a file: give --out a folder (a run writes several files into it)",
            out.display()
        ));
    }
    super::check_out_dir(&args.data.data, &out)?;
    // A missing key, a bad review file or a reviewed workbook in the way
    // stops the run before anything is written.
    let key = args.pseudonymise.then(Mask::key_from_env).transpose()?;
    super::prepare_out_dir(&out)?;
    let mut reviews = args.reviews.as_deref().map(reviews::load).transpose()?;
    protect_reviewed_workbook(&out, args.reviews.as_deref(), reviews.as_ref(), args.force)?;
    if let Some(r) = &reviews {
        for note in &r.ignored {
            eprintln!("woonaudit: note: {}: {note}", r.path.display());
        }
        unmatched(r, &r.unmatched, args.force)?;
    }

    let progress = Progress::start("reading and validating the inputs");
    let mut timings = Timings::default();
    // From here on a failure leaves the earlier results in place, marked as
    // not current: they are not this run's, but may hold a manager's work.
    let audited = (|| {
        let loaded = args.data.load_timed(&mut timings)?;
        let early = Span::start();
        write_data_issues(&out, &loaded, args.lenient, args.excel_csv, &progress)?;
        let early = early.stop();

        progress.stage("linking, ranking, checking and analysing");
        let mut audit = Audit::build_timed(&loaded.data, &loaded.config, period, &mut timings);
        if let Some(r) = reviews.as_mut() {
            // A case's review stands for its findings without their own.
            r.apply_cases(audit.findings.iter().map(|f| (f.id(), case_of(f))));
        }
        let carry = match &reviews {
            Some(r) => {
                let carry = CarryOver::of(&mut audit, r);
                unmatched(r, &carry.unmatched, args.force)?;
                Some(carry)
            }
            None => None,
        };
        progress.stage("writing the reports");
        let reports_start = Span::start();
        let mask = key.map_or_else(Mask::none, |k| Mask::pseudonymise(&k, &loaded.data));
        let meta = RunMeta {
            data_dir: &args.data.data,
            lenient: args.lenient,
            config_source: &loaded.config_source,
            sources: &loaded.sources,
            issues: &loaded.issues,
            reviews: reviews.as_ref(),
            carry: carry.as_ref(),
            mask: &mask,
            excel_csv: args.excel_csv,
            run_date: run_date()?,
        };
        report::write_all(&out, &Report::new(&audit, &meta)?)?;
        timings.record("reports", early + reports_start.stop());
        let findings = &audit.findings;
        let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
        let summary = format!(
            "{} finding(s): {} high, {} medium, {} low ({}); reports in {}",
            findings.len(),
            count(Severity::High),
            count(Severity::Medium),
            count(Severity::Low),
            period,
            out.display()
        );
        let failed = fail_on.is_some_and(|limit| findings.iter().any(|f| f.severity <= limit));
        let mut warnings = limits_warnings(&audit);
        let population = woonaudit::analysis::population::Population::of(&audit);
        warnings.extend(population.empty_message(audit.period()));
        // The process ends here: freeing millions of records one by one
        // would only delay the exit (a second or more at national size).
        std::mem::forget(audit);
        std::mem::forget(loaded);
        Ok::<_, Error>((summary, failed, warnings))
    })();
    drop(progress);
    let (summary, failed, warnings) = match audited {
        Ok(done) => done,
        Err(e) => {
            return Err(
                match report::mark_stale(&out, &super::one_line(&e.to_string())) {
                    Ok(Some(note)) => Error::NotCurrent {
                        source: Box::new(e),
                        note,
                    },
                    _ => e,
                },
            )
        }
    };

    if args.timings {
        eprint!("{}", timings.render());
    }
    for w in warnings {
        eprintln!("woonaudit: warning: {w}");
    }
    eprintln!("{summary}");
    Ok(if failed {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    })
}

/// One line per year of the compliance figures that has no `[[limits]]`
/// of its own: its passend and DAEB figures use another year's limits
/// (spec 5), which a reader of the annual report must not miss.
fn limits_warnings(audit: &Audit<'_>) -> Vec<String> {
    audit
        .stats
        .compliance
        .iter()
        .filter_map(|y| match y.limits_year {
            None => Some(format!(
                "{}: no [[limits]] configured, so passend and DAEB are not computed: add a [[limits]] block for {} (see the README, \"Limits per year\")",
                y.year, y.year
            )),
            Some(l) if l != y.year => Some(format!(
                "{}: no [[limits]] of its own, so passend and DAEB use the limits of {l}: add a [[limits]] block for {} with that year's figures (see the README, \"Limits per year\")",
                y.year, y.year
            )),
            Some(_) => None,
        })
        .collect()
}

/// The day of the run: today (local time), or the UTC day of
/// `SOURCE_DATE_EPOCH` when it is set, the reproducible-builds convention
/// that lets a rerun (and the tests) write a byte-identical workbook on
/// another day.
fn run_date() -> Result<woonaudit::model::Date> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Err(_) => Ok(chrono::Local::now().date_naive()),
        Ok(v) => v
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))
            .map(|t| t.date_naive())
            .ok_or_else(|| {
                Error::Usage(format!(
                    "SOURCE_DATE_EPOCH={v} is not a number of seconds since 1970: unset it or give one"
                ))
            }),
    }
}

/// Refuses to overwrite an exceptions.xlsx in `out` that holds review
/// entries, unless it is the `--reviews` file (its reviews carry over into
/// the new one) or `--force` is given.
fn protect_reviewed_workbook(
    out: &Path,
    reviews: Option<&Path>,
    given: Option<&Reviews>,
    force: bool,
) -> Result<()> {
    let book = out.join("exceptions.xlsx");
    if force || !book.is_file() {
        return Ok(());
    }
    let same = |r: &Path| match (r.canonicalize(), book.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if reviews.is_some_and(same) {
        return Ok(());
    }
    let n = reviews::entries_in(&book);
    if n == 0 || given.is_some_and(|g| holds_all_of(g, &book, n)) {
        return Ok(());
    }
    usage(format!(
        "{} holds {n} review entr{} that this run would overwrite: give it as --reviews {} to carry them over, give --out another folder, or --force to overwrite it",
        book.display(),
        if n == 1 { "y" } else { "ies" },
        book.display()
    ))
}

/// Whether the reviews `given` hold every one of the `entries` review
/// entries of the workbook `book` unchanged (a copy of it, say): then
/// nothing is lost when it is replaced.
fn holds_all_of(given: &Reviews, book: &Path, entries: usize) -> bool {
    let Ok(there) = reviews::load(book) else {
        return false;
    };
    let same = |mine: &std::collections::BTreeMap<String, reviews::Review>,
                theirs: &std::collections::BTreeMap<String, reviews::Review>| {
        theirs.iter().all(|(id, r)| {
            mine.get(id).is_some_and(|g| {
                g.status == r.status && g.reviewer == r.reviewer && g.note == r.note
            })
        })
    };
    there.by_id.len() + there.cases.len() == entries
        && same(&given.by_id, &there.by_id)
        && same(&given.cases, &there.cases)
}

/// Review entries that cannot be matched to findings: they stop the run,
/// or with `--force` are listed on screen and left out.
fn unmatched(reviews: &Reviews, problems: &[String], force: bool) -> Result<()> {
    if problems.is_empty() {
        return Ok(());
    }
    if force {
        for p in problems {
            eprintln!(
                "woonaudit: note: {}: {p}: these review entries are left out (--force)",
                reviews.path.display()
            );
        }
        return Ok(());
    }
    Err(Error::input(
        &reviews.path,
        format!(
            "{}: its reviews cannot be matched to findings; correct the file, or give --force to go on without them",
            problems.join("; ")
        ),
    ))
}

/// Writes data_issues.csv, whatever happens next (spec 1.2), and lists the
/// issues on screen. With errors in strict mode the run stops here (the
/// caller marks an earlier run's results as not current).
fn write_data_issues(
    out: &Path,
    loaded: &Loaded,
    lenient: bool,
    excel_csv: bool,
    progress: &Progress,
) -> Result<()> {
    let path = out.join("data_issues.csv");
    let csv = report::data_issues_csv(&loaded.issues);
    let csv = if excel_csv {
        report::excel_csv(&csv)
    } else {
        csv
    };
    report::write_atomic(&path, &csv)?;
    if !loaded.issues.is_empty() {
        progress.suspend(|| print_issues(&loaded.issues, Some(&path)));
    }
    let errors = loaded.issues.errors();
    if errors > 0 && !lenient {
        return Err(Error::DataErrors { errors });
    }
    Ok(())
}
