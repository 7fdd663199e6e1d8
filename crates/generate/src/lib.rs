/*!
The synthetic data generator: a Frisian housing corporation's waiting
list, adverts, offers, lets, sales and staff register over two years, with
anomalies planted for every check of spec section 4 and a list of them
(`planted.csv`) to test an auditor against.

Everything is synthetic: names are drawn from pools of common Dutch and
Frisian names, postcodes from the Frisian range, e-mail domains from the
reserved `.example` top-level domain.

The build runs in phases over one seeded generator (`rand_pcg::Pcg64`), so
the same `Options` always give byte-identical files:
1. `world`: the staff register, declared relatives, the waiting list and
   its edit log; people outside the staff are checked against the linking
   rules so that only the people made for a plant are linked;
2. `offers`: adverts, responses and the offer process in the order of
   `woonaudit::rank::Ranking` (honest, or broken in one planned way);
3. `lets`: lets outside the adverts and the sales;
4. `expect`: the findings the rules give on the finished data, which is
   what `planted` lists, each with the note of the plant that caused it
   (with scale filler, the rate tests count the filler in: the handler
   test its lets, ACTOR_SKIP_RATE its decisions).
*/

use std::collections::BTreeMap;
use std::path::Path;

use chrono::Datelike;

use woonaudit::dataset::Dataset;
use woonaudit::model::{AllocationId, Date};

mod expect;
mod lets;
mod link;
mod names;
mod offers;
mod policies;
mod responders;
mod scale;
mod vera;
mod world;
mod write;
mod xlsx;

pub use expect::AffectedRow;
pub use scale::Filler;
use world::{Intent, World};

/// How the generated CSV files are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dialect {
    /// Field delimiter: `b','` or `b';'`.
    pub delimiter: u8,
    /// Encode the tables in Windows-1252 (with CRLF line ends) instead of
    /// UTF-8 without BOM.
    pub windows_1252: bool,
    /// Write dates as `DD-MM-YYYY` instead of `YYYY-MM-DD`.
    pub dmy_dates: bool,
    /// Write decimals with a comma; only honoured with the `;` delimiter
    /// (spec 1.1). Booleans are written `ja`/`nee` with `;`, else
    /// `true`/`false`.
    pub decimal_comma: bool,
}

impl Default for Dialect {
    /// Comma-separated UTF-8 with ISO dates.
    fn default() -> Self {
        Dialect {
            delimiter: b',',
            windows_1252: false,
            dmy_dates: false,
            decimal_comma: false,
        }
    }
}

/// Above this many seekers, `generate` makes a planted core of this size
/// and streams the rest as honest filler.
pub const CORE_APPLICANTS: usize = 8_000;
/// Above this many adverts, likewise.
pub const CORE_ADVERTS: usize = 600;

/// What to generate. Sizes below what the plants need are raised to it
/// (400 applicants, 60 adverts, 8 responses per advert, 34 employees, 12
/// sales).
#[derive(Clone, Debug)]
pub struct Options {
    /// Seed of the random generator.
    pub seed: u64,
    /// Home seekers on the waiting list.
    pub applicants: usize,
    /// Adverts, published over about 680 days from `start`.
    pub adverts: usize,
    /// Mean number of responses per advert.
    pub responses_per_advert: usize,
    /// People in the staff register.
    pub employees: usize,
    /// Property sales.
    pub sales: usize,
    /// Publication day of the first advert; every date of the plants is
    /// relative to it.
    pub start: Date,
    /// How the tables are written.
    pub dialect: Dialect,
    /// Honest filler streamed next to the planted core (see `scale`); only
    /// [`write_streamed`] writes it.
    pub filler: Filler,
}

impl Default for Options {
    /// The bundled sample's size: adverts from 6 January 2025 through 2026.
    fn default() -> Self {
        Options {
            seed: 1,
            applicants: 2000,
            adverts: 300,
            responses_per_advert: 25,
            employees: 60,
            sales: 40,
            start: Date::from_ymd_opt(2025, 1, 6).expect("valid date"),
            dialect: Dialect::default(),
            filler: Filler::default(),
        }
    }
}

/// The generated data set: the input tables and the planted anomalies.
#[derive(Clone, Debug, Default)]
pub struct Generated {
    /// The spec's tables, in the order of `woonaudit::schema::Table::ALL`.
    pub tables: Vec<Table>,
    /// Every finding the rules give on the tables (all planted), sorted as
    /// findings.csv is: severity, check, subject_id, applicant_id,
    /// employee_id.
    pub planted: Vec<Planted>,
    /// The seekers who lost a home (spec 4.2) by the rules, sorted as
    /// affected.csv is: what `planted_affected.csv` lists.
    pub affected: Vec<AffectedRow>,
    /// The data set's `woonaudit.toml` (its allocation policies and
    /// migration date), written next to the tables.
    pub config: String,
}

/// One input table, its cells already formatted in the dialect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    /// Table name (the file is `NAME.csv`).
    pub name: &'static str,
    /// The spec's column names.
    pub header: Vec<&'static str>,
    /// Cells, one vector per row, in header order.
    pub rows: Vec<Vec<String>>,
}

/// One planted finding: what a correct audit of the tables must report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planted {
    /// Check code (spec 4).
    pub check: &'static str,
    /// allocation, advert, sale, applicant or employee.
    pub subject_type: &'static str,
    /// Id of the subject.
    pub subject_id: String,
    /// The person the finding is about, or empty.
    pub applicant_id: String,
    /// The employee named (spec 2 and 4), or empty.
    pub employee_id: String,
    /// Kind of the named employee's link, or empty.
    pub link: &'static str,
    /// Severity per spec 4, with the linking.
    pub severity: &'static str,
    /// What was planted, for a human reader.
    pub note: String,
}

/// Everything one run builds; the tests look inside (hence the fields
/// only they read).
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) struct Build {
    /// The generated records.
    pub data: Dataset,
    /// Tables and planted findings.
    pub generated: Generated,
    /// What the generator meant to plant.
    pub intents: Vec<Intent>,
    /// Applicants made to be linked to the staff (at some time).
    pub linked_applicants: std::collections::BTreeSet<String>,
    /// Sales made to linked buyers.
    pub linked_sales: std::collections::BTreeSet<String>,
    /// Applicants housed who must not be flagged: a relative of an
    /// employee who left before the let, and a namesake of an employee.
    pub near_misses: Vec<String>,
    /// The letting employees who handle the filler's lets (round robin).
    pub filler_handlers: Vec<woonaudit::model::EmployeeId>,
    /// The employee planted with a high skip rate.
    pub skipper: woonaudit::model::EmployeeId,
}

/// Generates the data set for `opts`: deterministic in `opts`.
pub fn generate(opts: &Options) -> Generated {
    let Build {
        data, generated, ..
    } = build(opts);
    // Freeing millions of records takes seconds: another thread does it
    // while the caller writes the files (if no thread can be started, the
    // records are freed here, with the closure).
    let _ = std::thread::Builder::new().spawn(move || drop(data));
    generated
}

/// Writes each table as `NAME.csv` (in the dialect: Windows-1252 through
/// encoding_rs when asked, else UTF-8 without BOM), `woonaudit.toml` and `planted.csv`
/// (UTF-8, columns check, subject_type, subject_id, applicant_id,
/// employee_id, link, severity, note) into `dir`, which is created.
pub fn write(gen: &Generated, dir: &Path, dialect: &Dialect) -> std::io::Result<()> {
    write::write(gen, dir, dialect)
}

/// Runs every phase.
pub(crate) fn build(opts: &Options) -> Build {
    build_world(World::new(opts))
}

/// Runs every phase in `w` (fresh from `World::new`).
pub(crate) fn build_world(mut w: World) -> Build {
    let dialect = w.opts.dialect;
    w.build_staff();
    w.build_population();
    w.build_changes();
    w.build_adverts();
    w.build_lets();
    w.build_sales();
    w.build_policy_plants();
    renumber_allocations(&mut w);
    let filler_handlers = filler_handlers(&w);
    let mut extra_lets: BTreeMap<woonaudit::model::EmployeeId, usize> = BTreeMap::new();
    for j in 0..w.opts.filler.adverts {
        if let Some(h) = scale::handler_of(&filler_handlers, j) {
            *extra_lets.entry(*h).or_default() += 1;
        }
    }
    let linked_applicants =
        w.sp.linked()
            .into_iter()
            .map(|i| w.aid(i).to_string())
            .collect();
    let linked_sales = w.linked_sales.iter().cloned().collect();
    let near_misses = vec![w.aid(w.sp.n1).to_string(), w.aid(w.sp.n2).to_string()];
    let h = w.eid(w.roles.h).as_str();
    w.intend(
        "HANDLER_BYPASS_RATE",
        h,
        "",
        String::new(), // filled in below, from the findings
    );
    let sk = w.eid(w.roles.sk);
    w.intend(
        "ACTOR_SKIP_RATE",
        sk.as_str(),
        "",
        String::new(), // filled in below, from the decisions
    );
    let mut data = Dataset::default();
    data.applicants = std::mem::take(&mut w.applicants);
    data.adverts = std::mem::take(&mut w.adverts);
    data.responses = std::mem::take(&mut w.responses);
    data.allocations = std::mem::take(&mut w.allocations);
    data.employees = std::mem::take(&mut w.employees);
    data.relations = std::mem::take(&mut w.relations);
    data.sales = std::mem::take(&mut w.sales);
    data.registration_changes = std::mem::take(&mut w.changes);
    data.priorities = std::mem::take(&mut w.priorities);
    data.vacancies = std::mem::take(&mut w.vacancies);
    let data = data.index();
    let config = w.config_text();
    let rules = expect::Rules {
        migrated_on: w.migrated_on.clone(),
    };

    // The findings and the formatted tables are both made from `data`
    // alone: side by side.
    let (rows, tables) = std::thread::scope(|s| {
        let tables = s.spawn(|| write::tables(&data, &dialect));
        let rows = expect::findings_with(&data, &rules, &extra_lets, &expect::Decisions::new());
        let tables = tables
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        (rows, tables)
    });
    let mut intents = std::mem::take(&mut w.intents);
    let handler_note = handler_note(&rows, &data, h);
    if let Some(i) = intents
        .iter_mut()
        .find(|i| i.check == "HANDLER_BYPASS_RATE")
    {
        i.note = handler_note;
    }
    let skip_note = skip_note(&expect::skip_tally(&data, &expect::Decisions::new()), &sk);
    if let Some(i) = intents.iter_mut().find(|i| i.check == "ACTOR_SKIP_RATE") {
        i.note = skip_note;
    }
    let planted = planted(&rows, &intents);
    let affected = expect::affected(&data, &rules, &rows);
    Build {
        data,
        generated: Generated {
            tables,
            planted,
            affected,
            config,
        },
        intents,
        linked_applicants,
        linked_sales,
        near_misses,
        filler_handlers,
        skipper: sk,
    }
}

/// The letting employees the filler's lets go to: the core's, except the
/// one planted with a high bypass rate (the filler would hide the plant).
/// A generated moment as a response's stamp: the generator's calendar
/// lies well within the years a stamp holds.
fn stamp(at: woonaudit::model::DateTime) -> woonaudit::model::Stamp {
    woonaudit::model::Stamp::new(at).expect("generated moments lie between 1677 and 2262")
}

fn filler_handlers(w: &World) -> Vec<woonaudit::model::EmployeeId> {
    w.allocations
        .iter()
        .filter(|a| a.route == woonaudit::model::Route::Advert)
        .filter_map(|a| a.handled_by)
        .filter(|e| *e != w.eid(w.roles.h))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// The findings on the data, each with the note of the plant that caused
/// it.
fn planted(rows: &[expect::Row], intents: &[world::Intent]) -> Vec<Planted> {
    let mut notes: BTreeMap<(&str, &str, &str), &str> = BTreeMap::new();
    for i in intents {
        notes.insert(
            (i.check, i.subject_id.as_str(), i.applicant_id.as_str()),
            i.note.as_str(),
        );
    }
    rows.iter().map(|r| planted_row(r, &notes)).collect()
}

/// A row of planted.csv: a finding of the rules with the note of the
/// intent it matches (by check, subject and applicant).
fn planted_row(r: &expect::Row, notes: &BTreeMap<(&str, &str, &str), &str>) -> Planted {
    Planted {
        check: r.check,
        subject_type: r.subject_type,
        subject_id: r.subject_id.clone(),
        applicant_id: r.applicant_id.clone(),
        employee_id: r.employee_id.clone(),
        link: r.link,
        severity: r.severity,
        note: notes
            .get(&(r.check, r.subject_id.as_str(), r.applicant_id.as_str()))
            .map(|n| n.to_string())
            .unwrap_or_default(),
    }
}

/// ACTOR_SKIP_RATE sees the filler's decisions: once the filler is made,
/// its rows in `planted` are worked out again over the core's decisions
/// and the filler's (`decisions`), with the plant's note counting both.
fn replan_skip_rate(build: &mut Build, decisions: &expect::Decisions) {
    let tally = expect::skip_tally(&build.data, decisions);
    let note = skip_note(&tally, &build.skipper);
    let mut notes: BTreeMap<(&str, &str, &str), &str> = BTreeMap::new();
    notes.insert(("ACTOR_SKIP_RATE", build.skipper.as_str(), ""), &note);
    let rows: Vec<Planted> = expect::skip_rows(&tally)
        .iter()
        .map(|r| planted_row(r, &notes))
        .collect();
    let planted = &mut build.generated.planted;
    planted.retain(|p| p.check != "ACTOR_SKIP_RATE");
    planted.extend(rows);
    planted.sort_by(|a, b| planted_key(a).cmp(&planted_key(b)));
}

/// findings.csv order of planted rows (as `expect::sort_key`).
fn planted_key(p: &Planted) -> (u8, &str, &str, &str, &str) {
    expect::findings_order(
        p.severity,
        p.check,
        &p.subject_id,
        &p.applicant_id,
        &p.employee_id,
    )
}

/// The note of the skip-rate plant: its share of `skipped` against
/// everyone's.
fn skip_note(tally: &expect::SkipTally, sk: &woonaudit::model::EmployeeId) -> String {
    let (n, k) = tally.per.get(sk).copied().unwrap_or_default();
    format!(
        "{sk} recorded {k} of their {n} declines, skips and withdrawals of eligible candidates as skipped (each with a reason), against {} of {} over all employees",
        tally.skipped, tally.total
    )
}

/// Generates the data set for `opts` and writes it into `dir` (created) as
/// [`write`] does, or as Parquet, adding `opts.filler` a chunk at a time so
/// that memory stays bounded by the core's size. Returns how many planted
/// findings `planted.csv` lists.
pub fn write_streamed(opts: &Options, dir: &Path, parquet: bool) -> std::io::Result<usize> {
    let format = if parquet {
        OutFormat::Parquet
    } else {
        OutFormat::Csv
    };
    write_streamed_as(opts, dir, format, false)
}

/// `text`, a woonaudit.toml, with `preset = "vera"` added to its `[input]`
/// section (created when missing).
pub fn vera_config(text: &str) -> String {
    vera::config(text)
}

/// The file format of the generated tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutFormat {
    /// `NAME.csv` in the dialect.
    Csv,
    /// `NAME.parquet`, text columns.
    Parquet,
    /// `NAME.xlsx`, typed cells (dates, numbers) as Excel holds them; at
    /// most 1,048,575 rows a table.
    Xlsx,
}

impl OutFormat {
    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            OutFormat::Csv => "csv",
            OutFormat::Parquet => "parquet",
            OutFormat::Xlsx => "xlsx",
        }
    }
}

/// [`write_streamed`] in any format, and in the VERA vocabulary when
/// `vera` (column names and codes of woonaudit's `vera` preset, with a
/// woonaudit.toml that sets it).
pub fn write_streamed_as(
    opts: &Options,
    dir: &Path,
    format: OutFormat,
    vera: bool,
) -> std::io::Result<usize> {
    const CHUNK: usize = 20_000;
    let mut build = build(opts);
    let data = &build.data;
    let mut sinks =
        write::Sinks::create(dir, &opts.dialect, format, vera, &build.generated.tables)?;
    let filler = opts.filler;
    let mut maker = scale::Maker::new(
        opts.seed,
        filler,
        opts.start,
        &data.employees,
        &data.relations,
        build.filler_handlers.clone(),
    );
    let mut from = 0;
    while from < filler.applicants {
        let to = (from + CHUNK).min(filler.applicants);
        let mut chunk = Dataset::default();
        chunk.applicants = maker.applicants(from, to);
        sinks.append(&write::tables(&chunk, &opts.dialect))?;
        from = to;
    }
    let per_chunk = (CHUNK / filler.responses_per_advert.max(1)).max(1);
    let mut from = 0;
    while from < filler.adverts {
        let to = (from + per_chunk).min(filler.adverts);
        let (adverts, responses, allocations) = maker.adverts(from, to);
        let mut chunk = Dataset::default();
        chunk.adverts = adverts;
        chunk.responses = responses;
        chunk.allocations = allocations;
        sinks.append(&write::tables(&chunk, &opts.dialect))?;
        from = to;
    }
    sinks.finish()?;
    if filler.adverts > 0 {
        let decisions = maker.decisions().clone();
        replan_skip_rate(&mut build, &decisions);
    }
    write::write_planted(&build.generated, dir)?;
    if vera {
        // The data set's own config (its policies) with the preset added.
        std::fs::write(
            dir.join("woonaudit.toml"),
            vera_config(&build.generated.config),
        )?;
    }
    Ok(build.generated.planted.len())
}

/// Allocation ids in date order (`TW-2025-0001`, ...), replacing the
/// provisional ids in the allocations and the intents.
fn renumber_allocations(w: &mut World) {
    let mut order: Vec<usize> = (0..w.allocations.len()).collect();
    order.sort_by_key(|&i| (w.allocations[i].allocated_on, i));
    let mut map: BTreeMap<String, String> = BTreeMap::new();
    let mut year = 0;
    let mut seq = 0;
    for i in order {
        let a = &mut w.allocations[i];
        if a.allocated_on.year() != year {
            year = a.allocated_on.year();
            seq = 0;
        }
        seq += 1;
        let id = format!("TW-{year}-{seq:04}");
        map.insert(a.id.to_string(), id.clone());
        a.id = AllocationId::from(id);
    }
    for i in &mut w.intents {
        if let Some(id) = map.get(&i.subject_id) {
            i.subject_id = id.clone();
        }
    }
}

/// The note of the handler plant: its share of advert lets with a bypass
/// against everyone's.
fn handler_note(rows: &[expect::Row], data: &Dataset, h: &str) -> String {
    let bypassed: std::collections::BTreeSet<&str> = rows
        .iter()
        .filter(|r| r.check == "ORDER_BYPASS")
        .map(|r| r.subject_id.as_str())
        .collect();
    let lets: Vec<_> = data
        .allocations
        .iter()
        .filter(|a| a.route == woonaudit::model::Route::Advert)
        .collect();
    let mine: Vec<_> = lets
        .iter()
        .filter(|a| a.handled_by.as_ref().is_some_and(|e| e.as_str() == h))
        .collect();
    let count = |v: &[&&woonaudit::model::Allocation]| {
        v.iter()
            .filter(|a| bypassed.contains(a.id.as_str()))
            .count()
    };
    let all: Vec<&&woonaudit::model::Allocation> = lets.iter().collect();
    format!(
        "{} of {} advert lets handled by {h} passed over candidates above the tenant, against {} of {} overall",
        count(&mine),
        mine.len(),
        count(&all),
        all.len()
    )
}

#[cfg(test)]
mod tests;
