//! Stage 2, validate: the cross-table rules of spec 1.2. Duplicate keys,
//! references that must exist (errors, with the cascade from applicants and
//! adverts to their responses) and references that should (warnings). The
//! result is the [`Dataset`] of usable rows and every data issue with row
//! counts per table.

use crate::fast::{FastMap, FastSet};
use crate::intern::{Sym, SymMap};

use crate::dataset::Dataset;
use crate::issues::{DataIssue, Issues, Level, RowCounts};
use crate::model::*;
use crate::read::{Input, Rows};
use crate::schema::Table;

/// Collects issues for one table file.
struct Sink<'a> {
    file: String,
    issues: &'a mut Vec<DataIssue>,
}

impl<'a> Sink<'a> {
    fn new(file: String, issues: &'a mut Vec<DataIssue>) -> Self {
        Sink { file, issues }
    }

    fn push(&mut self, line: u64, column: &str, value: &str, level: Level, problem: String) {
        self.issues.push(DataIssue {
            file: self.file.clone(),
            line,
            column: column.to_string(),
            value: value.to_string(),
            level,
            problem,
        });
    }
}

fn file_of<T>(rows: &Rows<T>) -> String {
    rows.source
        .as_ref()
        .map(|s| s.file.clone())
        .unwrap_or_default()
}

/// Keeps the first row of each key (by line, counting rows that did not
/// parse); later rows are error issues. Returns the kept records and the keys
/// whose owning row is unusable.
fn dedupe<T: Sync>(
    rows: Rows<T>,
    column: &str,
    key: fn(&T) -> Key,
    line: fn(&T) -> u64,
    issues: &mut Vec<DataIssue>,
) -> (Vec<T>, FastSet<String>) {
    let mut sink = Sink {
        file: file_of(&rows),
        issues,
    };
    let (taken, unusable) = {
        let entries = Entries {
            rows: &rows,
            key,
            line,
        };
        entries.owners(&entries.by_hash())
    };
    let kept = drop_taken(rows.records, &taken, &mut sink, column, key, line);
    (kept, unusable)
}

/// [`dedupe`] for responses, whose key is their advert and applicant. Two
/// responses with one key respond to one advert, and an export lists an
/// advert's responses together: so the keys are compared within each
/// advert's responses, a hundred or so at a time on every core, instead
/// of sorting tens of millions of them together (which was two fifths of
/// validation). Any order of the rows stays correct: an advert's runs
/// are gathered wherever they are. A response's row always has its key
/// (the key columns are required), so no row that did not parse owns one.
fn dedupe_responses(rows: Rows<Response>, issues: &mut Vec<DataIssue>) -> Vec<Response> {
    use rayon::prelude::*;
    let mut sink = Sink {
        file: file_of(&rows),
        issues,
    };
    let responses = &rows.records;
    let runs = crate::dataset::advert_runs(responses);
    // The runs of each advert, in order of their first run.
    let mut groups: Vec<Vec<(u32, u32)>> = Vec::new();
    let mut group_of: FastMap<Sym, usize> = FastMap::default();
    for (advert, start, end) in runs {
        let g = *group_of.entry(advert.sym()).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push((start, end));
    }
    drop(group_of);
    // In each group, every later response with the applicant of an earlier
    // one, with that first one's line (records are in line order).
    let found: Vec<(u32, u64)> = groups
        .par_iter()
        .flat_map_iter(|runs| {
            let mut keys: Vec<u64> = runs
                .iter()
                .flat_map(|&(start, end)| start..end)
                .map(|i| packed(responses[i as usize].applicant_id.sym().number(), i))
                .collect();
            keys.sort_unstable();
            let mut dup: Vec<(u32, u64)> = Vec::new();
            for same in keys.chunk_by(|a, b| a >> 32 == b >> 32) {
                if let [first, later @ ..] = same {
                    let line = u64::from(responses[*first as u32 as usize].line);
                    dup.extend(later.iter().map(|&e| (e as u32, line)));
                }
            }
            dup
        })
        .collect();
    let taken: FastMap<u32, u64> = found.into_iter().collect();
    let key = |r: &Response| Key(r.advert_id.sym(), Some(r.applicant_id.sym()));
    drop_taken(
        rows.records,
        &taken,
        &mut sink,
        "advert_id+applicant_id",
        key,
        |r| u64::from(r.line),
    )
}

/// The records less those whose key an earlier line owns (`taken`: record
/// position to that line), each of those an error issue.
fn drop_taken<T>(
    records: Vec<T>,
    taken: &FastMap<u32, u64>,
    sink: &mut Sink<'_>,
    column: &str,
    key: impl Fn(&T) -> Key,
    line: impl Fn(&T) -> u64,
) -> Vec<T> {
    // In place: a copy of a table of millions of responses would double
    // the peak memory.
    let mut kept = records;
    if taken.is_empty() {
        // Nearly always: no key is used twice, and no record is looked up.
        return kept;
    }
    let mut at = 0u32;
    kept.retain(|r| {
        let first = taken.get(&at).copied();
        at += 1;
        let Some(first) = first else {
            return true;
        };
        sink.push(
            line(r),
            column,
            &key(r).to_string(),
            Level::Error,
            format!("duplicate key: already used on line {first}"),
        );
        false
    });
    kept
}

/// Marks an entry of [`Entries`] that is a row that did not parse.
const FAILED: u32 = 1 << 31;

/// The rows of a table with a key, for [`dedupe`]: an entry is a record's
/// index, or with [`FAILED`] set, an index into the rows that did not parse.
struct Entries<'r, T> {
    rows: &'r Rows<T>,
    key: fn(&T) -> Key,
    line: fn(&T) -> u64,
}

impl<'r, T: Sync> Entries<'r, T> {
    fn key_of(&self, e: u32) -> Key {
        if e & FAILED != 0 {
            Key(
                Sym::new(&self.rows.failed_keys[(e & !FAILED) as usize].1),
                None,
            )
        } else {
            (self.key)(&self.rows.records[e as usize])
        }
    }

    fn line_of(&self, e: u32) -> u64 {
        if e & FAILED != 0 {
            self.rows.failed_keys[(e & !FAILED) as usize].0
        } else {
            (self.line)(&self.rows.records[e as usize])
        }
    }

    /// Every entry with a key, as (hash of the key, entry), sorted. Rows
    /// are grouped by key with one sort of these pairs instead of a hash
    /// map probed twice per row: at millions of responses the map's random
    /// memory accesses dominated the whole validation. Half a hash is
    /// enough to group by (rows of equal hashes are told apart by their
    /// keys) and keeps a pair to 8 bytes: this is the run's largest
    /// passing need at national scale. A pair is one integer (see
    /// [`packed`]), which sorts faster than two.
    fn by_hash(&self) -> Vec<u64> {
        use rayon::prelude::*;
        let state = foldhash::fast::RandomState::default();
        let key_hash = |k: Key| (std::hash::BuildHasher::hash_one(&state, k) >> 32) as u32;
        let mut order: Vec<u64> = self
            .rows
            .records
            .par_iter()
            .enumerate()
            .map(|(i, r)| packed(key_hash((self.key)(r)), i as u32))
            .collect();
        order.reserve(self.rows.failed_keys.len());
        for (j, (_, k)) in self.rows.failed_keys.iter().enumerate() {
            if !k.is_empty() {
                order.push(packed(key_hash(Key(Sym::new(k), None)), j as u32 | FAILED));
            }
        }
        order.par_sort_unstable();
        order
    }

    /// From the entries sorted by hash (see [`packed`]): for each record whose key another
    /// line owns, that line (by record position: duplicates are few, so a
    /// map of them, not a slot for every record); and the keys whose owning
    /// row did not parse. Rows whose hashes are equal are told apart by
    /// their keys.
    fn owners(&self, order: &[u64]) -> (FastMap<u32, u64>, FastSet<String>) {
        let mut taken: FastMap<u32, u64> = FastMap::default();
        let mut unusable: FastSet<String> = FastSet::default();
        let mut group: Vec<u32> = Vec::new();
        for run in order.chunk_by(|&a, &b| a >> 32 == b >> 32) {
            if let [one] = run {
                let e = *one as u32;
                if e & FAILED != 0 {
                    unusable.insert(self.key_of(e).to_string());
                }
                continue;
            }
            // Equal hashes: split the run into groups of equal keys.
            let mut rest: Vec<u32> = run.iter().map(|&p| p as u32).collect();
            while let Some(&first_entry) = rest.first() {
                let k = self.key_of(first_entry);
                group.clear();
                rest.retain(|&e| {
                    let same = self.key_of(e) == k;
                    if same {
                        group.push(e);
                    }
                    !same
                });
                let owner = group
                    .iter()
                    .copied()
                    .min_by_key(|&e| (self.line_of(e), e & FAILED == 0))
                    .unwrap_or(first_entry);
                let first = self.line_of(owner);
                if owner & FAILED != 0 {
                    unusable.insert(k.to_string());
                }
                for &e in &group {
                    if e & FAILED == 0 && self.line_of(e) != first {
                        taken.insert(e, first);
                    }
                }
            }
        }
        (taken, unusable)
    }
}

/// An entry of [`Entries::by_hash`] as one integer: half the key's hash
/// above the entry (a record position, or a failed key's with [`FAILED`]),
/// so that sorting the integers orders by hash, then entry.
fn packed(hash: u32, entry: u32) -> u64 {
    (u64::from(hash) << 32) | u64::from(entry)
}

/// A row's key: one id, or the two parts of a composite key. Interned,
/// so grouping millions of responses by key never reads their text.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Key(Sym, Option<Sym>);

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.1 {
            None => write!(f, "{}", self.0),
            Some(second) => write!(f, "{}+{}", self.0, second),
        }
    }
}

/// Validates what was read and builds the dataset. Never fails: every
/// problem is a data issue.
pub fn validate(input: Input) -> (Dataset, Issues) {
    // Records read of each table present, before the input is taken apart.
    let read: Vec<(Table, u64)> = Table::ALL
        .into_iter()
        .filter(|&t| input.source(t).is_some())
        .map(|t| (t, input.read(t)))
        .collect();
    let Input {
        applicants,
        adverts,
        responses,
        allocations,
        employees,
        relations,
        sales,
        registration_changes,
        priorities,
        vacancies,
        mut issues,
        ..
    } = input;

    let response_file = file_of(&responses);
    let allocation_file = file_of(&allocations);
    let relation_file = file_of(&relations);
    let sale_file = file_of(&sales);
    let change_file = file_of(&registration_changes);
    let priority_file = file_of(&priorities);

    let (applicants, bad_applicants) = dedupe(
        applicants,
        "applicant_id",
        |a: &Applicant| Key(a.id.sym(), None),
        |a| a.line,
        &mut issues,
    );
    let (adverts, bad_adverts) = dedupe(
        adverts,
        "advert_id",
        |a: &Advert| Key(a.id.sym(), None),
        |a| a.line,
        &mut issues,
    );
    let (employees, bad_employees) = dedupe(
        employees,
        "employee_id",
        |e: &Employee| Key(e.id.sym(), None),
        |e| e.line,
        &mut issues,
    );
    let (allocations, _) = dedupe(
        allocations,
        "allocation_id",
        |a: &Allocation| Key(a.id.sym(), None),
        |a| a.line,
        &mut issues,
    );
    let (sales, _) = dedupe(
        sales,
        "sale_id",
        |s: &Sale| Key(s.id.sym(), None),
        |s| s.line,
        &mut issues,
    );
    let (priorities, _) = dedupe(
        priorities,
        "priority_id",
        |p: &Priority| Key(p.id.sym(), None),
        |p| p.line,
        &mut issues,
    );
    let (vacancies, _) = dedupe(
        vacancies,
        "vacancy_id",
        |v: &Vacancy| Key(v.id.sym(), None),
        |v| v.line,
        &mut issues,
    );
    let responses = dedupe_responses(responses, &mut issues);

    let known = Known::new(
        &applicants,
        &adverts,
        &employees,
        &bad_applicants,
        &bad_adverts,
        &bad_employees,
    );
    let (responses, response_applicant) =
        known.responses(responses, &mut Sink::new(response_file, &mut issues));
    known.allocations(&allocations, &mut Sink::new(allocation_file, &mut issues));
    let relations = known.relations(
        relations.records,
        &mut Sink::new(relation_file, &mut issues),
    );
    known.sales(&sales, &mut Sink::new(sale_file, &mut issues));
    known.changes(
        &registration_changes.records,
        &mut Sink::new(change_file, &mut issues),
    );
    let priorities = known.priorities(priorities, &mut Sink::new(priority_file, &mut issues));
    drop(known);

    let mut data = Dataset::default();
    data.applicants = applicants;
    data.adverts = adverts;
    data.responses = responses;
    data.response_applicant = response_applicant;
    data.allocations = allocations;
    data.employees = employees;
    data.relations = relations;
    data.sales = sales;
    data.registration_changes = registration_changes.records;
    data.priorities = priorities;
    data.vacancies = vacancies;
    data.set_aside_adverts = bad_adverts.into_iter().map(AdvertId::from).collect();
    data.set_aside_applicants = bad_applicants.into_iter().map(ApplicantId::from).collect();

    let mut result = Issues::default();
    for (table, read) in read {
        result.counts.insert(table, row_counts(&data, table, read));
    }
    for i in issues {
        result.push(i);
    }
    (data.index(), result)
}

/// The row counts of `table`, of which `read` records were read.
fn row_counts(data: &Dataset, table: Table, read: u64) -> RowCounts {
    let used = match table {
        Table::Applicants => data.applicants.len(),
        Table::Adverts => data.adverts.len(),
        Table::Responses => data.responses.len(),
        Table::Allocations => data.allocations.len(),
        Table::Employees => data.employees.len(),
        Table::Relations => data.relations.len(),
        Table::Sales => data.sales.len(),
        Table::RegistrationChanges => data.registration_changes.len(),
        Table::Priorities => data.priorities.len(),
        Table::Vacancies => data.vacancies.len(),
    } as u64;
    RowCounts {
        read,
        used,
        set_aside: read - used,
    }
}

/// Why a response cannot be used with its advert.
enum AdvertFault {
    /// The advert is unknown or set aside.
    Unusable,
    /// A lottery advert's response without a lottery number.
    NoLotteryNumber,
    /// A points advert's response without points.
    NoPoints,
}

/// What is wrong with a response to an advert of `model` (`None` when the
/// advert is unusable), if anything.
fn advert_fault(r: &Response, model: Option<Model>) -> Option<AdvertFault> {
    match model {
        None => Some(AdvertFault::Unusable),
        Some(Model::Lottery) if r.lottery_number.is_none() => Some(AdvertFault::NoLotteryNumber),
        Some(Model::Points) if r.points.is_none() => Some(AdvertFault::NoPoints),
        Some(_) => None,
    }
}

/// The usable keys the references of spec 1.2 are checked against, and the
/// keys whose rows are set aside (to say why a reference is unusable).
struct Known<'a> {
    /// Applicant id -> position: each response's applicant is looked up
    /// here once and kept, so no later stage has to hash its id again.
    applicant_ids: SymMap<u32>,
    advert_model: SymMap<Model>,
    /// The usable employees (a set by symbol: each of tens of millions of
    /// responses names the employee who decided it).
    employee_ids: SymMap<()>,
    bad_applicants: &'a FastSet<String>,
    bad_adverts: &'a FastSet<String>,
    bad_employees: &'a FastSet<String>,
}

impl<'a> Known<'a> {
    fn new(
        applicants: &'a [Applicant],
        adverts: &'a [Advert],
        employees: &'a [Employee],
        bad_applicants: &'a FastSet<String>,
        bad_adverts: &'a FastSet<String>,
        bad_employees: &'a FastSet<String>,
    ) -> Self {
        Known {
            applicant_ids: SymMap::new(
                applicants
                    .iter()
                    .enumerate()
                    .map(|(i, a)| (a.id.sym(), i as u32)),
            ),
            // The effective base decides which per-response values are
            // required (lottery numbers, points).
            advert_model: SymMap::new(adverts.iter().map(|a| (a.id.sym(), a.base()))),
            employee_ids: SymMap::new(employees.iter().map(|e| (e.id.sym(), ()))),
            bad_applicants,
            bad_adverts,
            bad_employees,
        }
    }

    /// An employee id that is not usable is still that id in every check;
    /// it is only worth a warning.
    fn staff_warning(&self, sink: &mut Sink<'_>, line: u64, column: &str, id: &Option<EmployeeId>) {
        let Some(id) = id.filter(|_| !self.knows_employee(id)) else {
            return;
        };
        let why = if self.bad_employees.contains(id.as_str()) {
            "employee is set aside (employees has an error on its row)"
        } else {
            "employee not in the staff register"
        };
        sink.push(line, column, id.as_str(), Level::Warning, why.to_string());
    }

    fn applicant_warning(&self, sink: &mut Sink<'_>, line: u64, column: &str, id: &ApplicantId) {
        if self.applicant_ids.get(id.sym()).is_none() {
            let why = if self.bad_applicants.contains(id.as_str()) {
                "refers to an applicant that is set aside"
            } else {
                "applicant not on the waiting list"
            };
            sink.push(line, column, id.as_str(), Level::Warning, why.to_string());
        }
    }

    /// Responses: their advert and applicant must exist (the cascade from
    /// set-aside rows), a lottery advert's need a lottery number. Returns
    /// the responses kept and, for each, its applicant's position.
    fn responses(
        &self,
        responses: Vec<Response>,
        sink: &mut Sink<'_>,
    ) -> (Vec<Response>, Vec<u32>) {
        let mut kept = responses;
        // The two look-ups per response, on every core; the issues follow
        // in file order below. The applicants' positions go into the
        // vector that is kept, compacted as responses are set aside: a
        // vector of pairs beside it was the validation's largest passing
        // need (240 MB at national scale).
        const NONE: u32 = u32::MAX;
        // One pass: each response's applicant, and whether every response
        // is fine (by the rules the pass below reports by). Nearly always
        // they all are: then none is set aside and none has an issue, and
        // the pass in file order (with each advert's model looked up
        // again) is skipped.
        let all_fine = std::sync::atomic::AtomicBool::new(true);
        let mut applicants: Vec<u32> = {
            use rayon::prelude::*;
            kept.par_iter()
                .map(|r| {
                    let applicant = self.applicant_ids.get(r.applicant_id.sym()).unwrap_or(NONE);
                    let fine = applicant != NONE
                        && advert_fault(r, self.advert_model.get(r.advert_id.sym())).is_none()
                        && self.knows_employee(&r.decided_by);
                    if !fine {
                        all_fine.store(false, std::sync::atomic::Ordering::Relaxed);
                    }
                    applicant
                })
                .collect()
        };
        if all_fine.into_inner() {
            return (kept, applicants);
        }
        let models: Vec<Option<Model>> = {
            use rayon::prelude::*;
            kept.par_iter()
                .map(|r| self.advert_model.get(r.advert_id.sym()))
                .collect()
        };
        let (mut at, mut held) = (0, 0);
        kept.retain(|r| {
            let model = models.get(at).copied().flatten();
            let applicant = applicants.get(at).copied().filter(|&a| a != NONE);
            at += 1;
            let advert_ok = self.response_advert(sink, r, model);
            let applicant_ok = applicant.is_some();
            if !applicant_ok {
                let why = if self.bad_applicants.contains(r.applicant_id.as_str()) {
                    "its applicant is set aside (applicants has an error on its row)"
                } else {
                    "unknown applicant"
                };
                sink.push(
                    u64::from(r.line),
                    "applicant_id",
                    r.applicant_id.as_str(),
                    Level::Error,
                    why.into(),
                );
            }
            self.staff_warning(sink, u64::from(r.line), "decided_by", &r.decided_by);
            let ok = advert_ok && applicant_ok;
            if let (true, Some(applicant)) = (ok, applicant) {
                // `held` < `at`: only positions already read are written.
                applicants[held] = applicant;
                held += 1;
            }
            ok
        });
        applicants.truncate(held);
        (kept, applicants)
    }

    /// Whether `id` is none or a usable employee.
    fn knows_employee(&self, id: &Option<EmployeeId>) -> bool {
        id.is_none_or(|id| self.employee_ids.get(id.sym()).is_some())
    }

    /// Whether a response's advert (of `model`, `None` when unusable) is
    /// usable and the response fits it; an error issue when not.
    fn response_advert(&self, sink: &mut Sink<'_>, r: &Response, model: Option<Model>) -> bool {
        let Some(fault) = advert_fault(r, model) else {
            return true;
        };
        match fault {
            AdvertFault::Unusable => {
                let why = if self.bad_adverts.contains(r.advert_id.as_str()) {
                    "its advert is set aside (adverts has an error on its row)"
                } else {
                    "unknown advert"
                };
                sink.push(
                    u64::from(r.line),
                    "advert_id",
                    r.advert_id.as_str(),
                    Level::Error,
                    why.into(),
                );
                false
            }
            AdvertFault::NoLotteryNumber => {
                sink.push(
                    u64::from(r.line),
                    "lottery_number",
                    "",
                    Level::Error,
                    format!(
                        "response to lottery advert {} without lottery_number",
                        r.advert_id
                    ),
                );
                false
            }
            AdvertFault::NoPoints => {
                sink.push(
                    u64::from(r.line),
                    "points",
                    "",
                    Level::Error,
                    format!("response to points advert {} without points", r.advert_id),
                );
                false
            }
        }
    }

    /// Allocations: warnings only (an unknown advert is the finding
    /// ORDER_NO_ADVERT, not an issue).
    fn allocations(&self, allocations: &[Allocation], sink: &mut Sink<'_>) {
        for a in allocations {
            self.applicant_warning(sink, a.line, "applicant_id", &a.applicant_id);
            if let Some(id) = &a.advert_id {
                if self.bad_adverts.contains(id.as_str())
                    && self.advert_model.get(id.sym()).is_none()
                {
                    sink.push(
                        a.line,
                        "advert_id",
                        id.as_str(),
                        Level::Warning,
                        "refers to an advert that is set aside".into(),
                    );
                }
            }
            self.staff_warning(sink, a.line, "handled_by", &a.handled_by);
            self.staff_warning(sink, a.line, "approved_by", &a.approved_by);
        }
    }

    /// Relations: their employee must exist. Returns the relations kept.
    fn relations(&self, relations: Vec<Relation>, sink: &mut Sink<'_>) -> Vec<Relation> {
        let mut kept = Vec::with_capacity(relations.len());
        for r in relations {
            if let Some(id) = &r.applicant_id {
                self.applicant_warning(sink, r.line, "applicant_id", id);
            }
            if self.employee_ids.get(r.employee_id.sym()).is_some() {
                kept.push(r);
            } else {
                let why = if self.bad_employees.contains(r.employee_id.as_str()) {
                    "relation of an employee that is set aside"
                } else {
                    "relation of an unknown employee"
                };
                sink.push(
                    r.line,
                    "employee_id",
                    r.employee_id.as_str(),
                    Level::Error,
                    why.into(),
                );
            }
        }
        kept
    }

    /// Sales: warnings only.
    fn sales(&self, sales: &[Sale], sink: &mut Sink<'_>) {
        for s in sales {
            if let Some(id) = &s.buyer_applicant_id {
                self.applicant_warning(sink, s.line, "buyer_applicant_id", id);
            }
            self.staff_warning(sink, s.line, "handled_by", &s.handled_by);
        }
    }

    /// Priorities: their applicant must exist (errors, with the cascade
    /// from a set-aside applicant); an unknown granted_by is a warning.
    /// Returns the priorities kept.
    fn priorities(&self, priorities: Vec<Priority>, sink: &mut Sink<'_>) -> Vec<Priority> {
        let mut kept = Vec::with_capacity(priorities.len());
        for p in priorities {
            self.staff_warning(sink, p.line, "granted_by", &p.granted_by);
            if self.applicant_ids.get(p.applicant_id.sym()).is_some() {
                kept.push(p);
            } else {
                let why = if self.bad_applicants.contains(p.applicant_id.as_str()) {
                    "its applicant is set aside (applicants has an error on its row)"
                } else {
                    "priority of an unknown applicant"
                };
                sink.push(
                    p.line,
                    "applicant_id",
                    p.applicant_id.as_str(),
                    Level::Error,
                    why.into(),
                );
            }
        }
        kept
    }

    /// The registration edit log: warnings only.
    fn changes(&self, changes: &[RegistrationChange], sink: &mut Sink<'_>) {
        for c in changes {
            self.applicant_warning(sink, c.line, "applicant_id", &c.applicant_id);
            self.staff_warning(sink, c.line, "changed_by", &c.changed_by);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records of a one-column key for [`Entries`]: (key, line).
    fn entries_of<'r>(rows: &'r Rows<(&'static str, u64)>) -> Entries<'r, (&'static str, u64)> {
        Entries {
            rows,
            key: |r| Key(Sym::new(r.0), None),
            line: |r| r.1,
        }
    }

    #[test]
    fn rows_of_one_hash_are_told_apart_by_their_keys() {
        let rows = Rows {
            source: None,
            read: 5,
            records: vec![
                ("dedupe-a", 2),
                ("dedupe-b", 3),
                ("dedupe-a", 4),
                ("dedupe-c", 6),
            ],
            // Line 5 did not parse; its key is `dedupe-b`.
            failed_keys: vec![(5, "dedupe-b".to_string())],
        };
        let entries = entries_of(&rows);
        // Every entry under one hash, as if all keys collided.
        let order: Vec<u64> = [0, 1, 2, FAILED, 3].map(|e| packed(7, e)).to_vec();
        let (taken, unusable) = entries.owners(&order);
        // The second `dedupe-a` (line 4) is a duplicate of line 2; the
        // others own their keys (`dedupe-b` on line 3 before line 5).
        assert_eq!(taken.len(), 1);
        assert_eq!(taken.get(&2), Some(&2));
        assert!(unusable.is_empty());
        // Sorted by real hashes, the same rows give the same owners.
        let (again, _) = entries.owners(&entries.by_hash());
        assert_eq!(again, taken);
    }

    #[test]
    fn a_key_first_seen_on_an_unusable_row_is_reported_as_such() {
        let rows = Rows {
            source: None,
            read: 2,
            records: vec![("dedupe-late", 3)],
            failed_keys: vec![(2, "dedupe-late".to_string())],
        };
        let entries = entries_of(&rows);
        let (taken, unusable) = entries.owners(&entries.by_hash());
        assert_eq!(taken.get(&0), Some(&2));
        assert!(unusable.contains("dedupe-late"));
    }

    #[test]
    fn responses_deduplicated_per_advert_equal_the_generic_dedupe() {
        // Adverts whose responses come in several runs, and applicants
        // who respond to one advert up to four times.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        let at = chrono::NaiveDate::from_ymd_opt(2026, 1, 5)
            .and_then(|d| d.and_hms_opt(9, 0, 0))
            .and_then(Stamp::new)
            .unwrap();
        for rows in [0, 1, 2, 50, 3000] {
            let mut line = 1;
            let records: Vec<Response> = (0..rows)
                .map(|_| {
                    line += 1 + next(2) as u32;
                    Response {
                        line,
                        advert_id: format!("dd-ADV{}", next(7)).as_str().into(),
                        applicant_id: format!("dd-A{}", next(40)).as_str().into(),
                        responded_at: at,
                        lottery_number: None.into(),
                        position: None.into(),
                        points: None,
                        outcome: Outcome::NotReached,
                        reason: None,
                        decided_by: None,
                    }
                })
                .collect();
            let of = |records: Vec<Response>| Rows {
                source: None,
                read: rows,
                records,
                failed_keys: Vec::new(),
            };
            let (mut generic, mut by_advert) = (Vec::new(), Vec::new());
            let (want, _) = dedupe(
                of(records.clone()),
                "advert_id+applicant_id",
                |r: &Response| Key(r.advert_id.sym(), Some(r.applicant_id.sym())),
                |r| u64::from(r.line),
                &mut generic,
            );
            let got = dedupe_responses(of(records), &mut by_advert);
            let lines = |v: &[Response]| v.iter().map(|r| r.line).collect::<Vec<_>>();
            assert_eq!(lines(&got), lines(&want), "{rows} rows");
            assert_eq!(by_advert, generic, "{rows} rows");
            if rows >= 50 {
                assert!(!generic.is_empty() && want.len() > 7, "{rows} rows");
            }
        }
    }
}
