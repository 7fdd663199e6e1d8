//! Stage 2, validate: the cross-table rules of spec 1.2. Duplicate keys,
//! references that must exist (errors, with the cascade from applicants and
//! adverts to their responses) and references that should (warnings). The
//! result is the [`Dataset`] of usable rows and every data issue with row
//! counts per table.

use std::collections::HashMap;

use crate::fast::{FastMap, FastSet};

use crate::dataset::Dataset;
use crate::issues::{DataIssue, Issues, Level, RowCounts};
use crate::model::*;
use crate::read::{Input, Rows};

/// Collects issues for one table file.
struct Sink<'a> {
    file: String,
    issues: &'a mut Vec<DataIssue>,
}

impl Sink<'_> {
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
    key: for<'r> fn(&'r T) -> Key<'r>,
    line: fn(&T) -> u64,
    issues: &mut Vec<DataIssue>,
) -> (Vec<T>, FastSet<String>) {
    let mut sink = Sink {
        file: file_of(&rows),
        issues,
    };
    // Group the rows by key with one sort of (hash, row) pairs instead of a
    // hash map probed twice per row: at millions of responses the map's
    // random memory accesses dominated the whole validation. Rows whose
    // hashes are equal are then told apart by their keys.
    const FAILED: u32 = 1 << 31;
    let state = foldhash::fast::RandomState::default();
    let key_hash = |k: Key<'_>| std::hash::BuildHasher::hash_one(&state, k);
    let n = rows.records.len();
    let mut order: Vec<(u64, u32)> = {
        use rayon::prelude::*;
        rows.records
            .par_iter()
            .enumerate()
            .map(|(i, r)| (key_hash(key(r)), i as u32))
            .collect()
    };
    order.reserve(rows.failed_keys.len());
    for (j, (_, k)) in rows.failed_keys.iter().enumerate() {
        if !k.is_empty() {
            order.push((key_hash(Key(k.as_str(), "")), j as u32 | FAILED));
        }
    }
    {
        use rayon::prelude::*;
        order.par_sort_unstable();
    }
    let key_of = |e: u32| -> Key<'_> {
        if e & FAILED != 0 {
            Key(rows.failed_keys[(e & !FAILED) as usize].1.as_str(), "")
        } else {
            key(&rows.records[e as usize])
        }
    };
    let line_of = |e: u32| -> u64 {
        if e & FAILED != 0 {
            rows.failed_keys[(e & !FAILED) as usize].0
        } else {
            line(&rows.records[e as usize])
        }
    };
    // For each record: the line that owns its key, when that is another.
    // Lines start at 2, so NonZero halves the size of a table's worth.
    let mut taken: Vec<Option<std::num::NonZeroU64>> = vec![None; n];
    let mut unusable: FastSet<String> = FastSet::default();
    let mut group: Vec<u32> = Vec::new();
    for run in order.chunk_by(|a, b| a.0 == b.0) {
        if run.len() == 1 {
            if run[0].1 & FAILED != 0 {
                unusable.insert(key_of(run[0].1).to_string());
            }
            continue;
        }
        // Equal hashes: split the run into groups of equal keys.
        let mut rest: Vec<u32> = run.iter().map(|e| e.1).collect();
        while let Some(&first_entry) = rest.first() {
            let k = key_of(first_entry);
            group.clear();
            rest.retain(|&e| {
                let same = key_of(e) == k;
                if same {
                    group.push(e);
                }
                !same
            });
            let owner = group
                .iter()
                .copied()
                .min_by_key(|&e| (line_of(e), e & FAILED == 0))
                .unwrap_or(first_entry);
            let first = line_of(owner);
            if owner & FAILED != 0 {
                unusable.insert(k.to_string());
            }
            for &e in &group {
                if e & FAILED == 0 && line_of(e) != first {
                    taken[e as usize] = std::num::NonZeroU64::new(first);
                }
            }
        }
    }
    // In place: a copy of a table of millions of responses would double
    // the peak memory.
    let mut kept = rows.records;
    drop(order);
    let mut taken = taken.into_iter();
    kept.retain(|r| match taken.next().flatten() {
        None => true,
        Some(first) => {
            sink.push(
                line(r),
                column,
                &key(r).to_string(),
                Level::Error,
                format!("duplicate key: already used on line {first}"),
            );
            false
        }
    });
    (kept, unusable)
}

/// A row's key: one id, or the two parts of a composite key.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Key<'a>(&'a str, &'a str);

impl std::fmt::Display for Key<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.1.is_empty() {
            f.write_str(self.0)
        } else {
            write!(f, "{}+{}", self.0, self.1)
        }
    }
}

/// Validates what was read and builds the dataset. Never fails: every
/// problem is a data issue.
pub fn validate(input: Input) -> (Dataset, Issues) {
    let Input {
        applicants,
        adverts,
        responses,
        allocations,
        employees,
        relations,
        sales,
        registration_changes,
        mut issues,
        ..
    } = input;

    let mut counts: Vec<(&'static str, u64, String)> = Vec::new();
    let mut note = |name: &'static str, read: u64, file: String| counts.push((name, read, file));
    note("applicants", applicants.read, file_of(&applicants));
    note("adverts", adverts.read, file_of(&adverts));
    note("responses", responses.read, file_of(&responses));
    note("allocations", allocations.read, file_of(&allocations));
    note("employees", employees.read, file_of(&employees));
    note("relations", relations.read, file_of(&relations));
    note("sales", sales.read, file_of(&sales));
    note(
        "registration_changes",
        registration_changes.read,
        file_of(&registration_changes),
    );
    let response_file = file_of(&responses);
    let allocation_file = file_of(&allocations);
    let relation_file = file_of(&relations);
    let sale_file = file_of(&sales);
    let change_file = file_of(&registration_changes);

    let (applicants, bad_applicants) = dedupe(
        applicants,
        "applicant_id",
        |a: &Applicant| Key(a.id.as_str(), ""),
        |a| a.line,
        &mut issues,
    );
    let (adverts, bad_adverts) = dedupe(
        adverts,
        "advert_id",
        |a: &Advert| Key(a.id.as_str(), ""),
        |a| a.line,
        &mut issues,
    );
    let (employees, bad_employees) = dedupe(
        employees,
        "employee_id",
        |e: &Employee| Key(e.id.as_str(), ""),
        |e| e.line,
        &mut issues,
    );
    let (allocations, _) = dedupe(
        allocations,
        "allocation_id",
        |a: &Allocation| Key(a.id.as_str(), ""),
        |a| a.line,
        &mut issues,
    );
    let (sales, _) = dedupe(
        sales,
        "sale_id",
        |s: &Sale| Key(s.id.as_str(), ""),
        |s| s.line,
        &mut issues,
    );
    let (responses, _) = dedupe(
        responses,
        "advert_id+applicant_id",
        |r: &Response| Key(r.advert_id.as_str(), r.applicant_id.as_str()),
        |r| r.line,
        &mut issues,
    );

    // Applicant id -> position: each response's applicant is looked up here
    // once and kept, so no later stage has to hash its id again.
    let applicant_ids: FastMap<&str, u32> = applicants
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i as u32))
        .collect();
    let mut response_applicant: Vec<u32> = Vec::with_capacity(responses.len());
    let advert_model: FastMap<&str, Model> =
        adverts.iter().map(|a| (a.id.as_str(), a.model)).collect();
    let employee_ids: FastSet<&str> = employees.iter().map(|e| e.id.as_str()).collect();

    // An employee id that is not usable is still that id in every check;
    // it is only worth a warning.
    let staff_warning = |sink: &mut Sink<'_>, line: u64, column: &str, id: &Option<EmployeeId>| {
        if let Some(id) = id {
            if !employee_ids.contains(id.as_str()) {
                let why = if bad_employees.contains(id.as_str()) {
                    "employee is set aside (employees has an error on its row)"
                } else {
                    "employee not in the staff register"
                };
                sink.push(line, column, id.as_str(), Level::Warning, why.to_string());
            }
        }
    };
    let applicant_warning = |sink: &mut Sink<'_>, line: u64, column: &str, id: &ApplicantId| {
        if !applicant_ids.contains_key(id.as_str()) {
            let why = if bad_applicants.contains(id.as_str()) {
                "refers to an applicant that is set aside"
            } else {
                "applicant not on the waiting list"
            };
            sink.push(line, column, id.as_str(), Level::Warning, why.to_string());
        }
    };

    // Responses: references must exist; the cascade from set-aside rows.
    let mut kept_responses = responses;
    {
        let mut sink = Sink {
            file: response_file,
            issues: &mut issues,
        };
        // The two look-ups per response, on every core; the issues follow
        // in file order below.
        let found: Vec<(Option<Model>, Option<u32>)> = {
            use rayon::prelude::*;
            kept_responses
                .par_iter()
                .map(|r| {
                    (
                        advert_model.get(r.advert_id.as_str()).copied(),
                        applicant_ids.get(r.applicant_id.as_str()).copied(),
                    )
                })
                .collect()
        };
        let mut found = found.into_iter();
        kept_responses.retain(|r| {
            let mut ok = true;
            let (model, applicant) = found.next().unwrap_or((None, None));
            match model {
                None => {
                    ok = false;
                    let why = if bad_adverts.contains(r.advert_id.as_str()) {
                        "its advert is set aside (adverts has an error on its row)"
                    } else {
                        "unknown advert"
                    };
                    sink.push(
                        r.line,
                        "advert_id",
                        r.advert_id.as_str(),
                        Level::Error,
                        why.into(),
                    );
                }
                Some(Model::Lottery) if r.lottery_number.is_none() => {
                    ok = false;
                    sink.push(
                        r.line,
                        "lottery_number",
                        "",
                        Level::Error,
                        format!(
                            "response to lottery advert {} without lottery_number",
                            r.advert_id
                        ),
                    );
                }
                Some(_) => {}
            }
            if applicant.is_none() {
                ok = false;
                let why = if bad_applicants.contains(r.applicant_id.as_str()) {
                    "its applicant is set aside (applicants has an error on its row)"
                } else {
                    "unknown applicant"
                };
                sink.push(
                    r.line,
                    "applicant_id",
                    r.applicant_id.as_str(),
                    Level::Error,
                    why.into(),
                );
            }
            staff_warning(&mut sink, r.line, "decided_by", &r.decided_by);
            if let (true, Some(applicant)) = (ok, applicant) {
                response_applicant.push(applicant);
            }
            ok
        });
    }

    {
        let mut sink = Sink {
            file: allocation_file,
            issues: &mut issues,
        };
        for a in &allocations {
            applicant_warning(&mut sink, a.line, "applicant_id", &a.applicant_id);
            if let Some(id) = &a.advert_id {
                // Unknown adverts are the finding ORDER_NO_ADVERT, not an issue.
                if bad_adverts.contains(id.as_str()) && !advert_model.contains_key(id.as_str()) {
                    sink.push(
                        a.line,
                        "advert_id",
                        id.as_str(),
                        Level::Warning,
                        "refers to an advert that is set aside".into(),
                    );
                }
            }
            staff_warning(&mut sink, a.line, "handled_by", &a.handled_by);
            staff_warning(&mut sink, a.line, "approved_by", &a.approved_by);
        }
    }

    let mut kept_relations = Vec::with_capacity(relations.records.len());
    {
        let mut sink = Sink {
            file: relation_file,
            issues: &mut issues,
        };
        for r in relations.records {
            if let Some(id) = &r.applicant_id {
                applicant_warning(&mut sink, r.line, "applicant_id", id);
            }
            if employee_ids.contains(r.employee_id.as_str()) {
                kept_relations.push(r);
            } else {
                let why = if bad_employees.contains(r.employee_id.as_str()) {
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
    }

    {
        let mut sink = Sink {
            file: sale_file,
            issues: &mut issues,
        };
        for s in &sales {
            if let Some(id) = &s.buyer_applicant_id {
                applicant_warning(&mut sink, s.line, "buyer_applicant_id", id);
            }
            staff_warning(&mut sink, s.line, "handled_by", &s.handled_by);
        }
    }

    {
        let mut sink = Sink {
            file: change_file,
            issues: &mut issues,
        };
        for c in &registration_changes.records {
            applicant_warning(&mut sink, c.line, "applicant_id", &c.applicant_id);
            staff_warning(&mut sink, c.line, "changed_by", &c.changed_by);
        }
    }

    let used: HashMap<&str, u64> = HashMap::from([
        ("applicants", applicants.len() as u64),
        ("adverts", adverts.len() as u64),
        ("responses", kept_responses.len() as u64),
        ("allocations", allocations.len() as u64),
        ("employees", employees.len() as u64),
        ("relations", kept_relations.len() as u64),
        ("sales", sales.len() as u64),
        (
            "registration_changes",
            registration_changes.records.len() as u64,
        ),
    ]);
    let mut result = Issues::default();
    for (name, read, file) in counts {
        if file.is_empty() {
            continue;
        }
        let used = used.get(name).copied().unwrap_or(0);
        result.counts.insert(
            name,
            RowCounts {
                read,
                used,
                set_aside: read - used,
            },
        );
    }
    for i in issues {
        result.push(i);
    }

    let mut data = Dataset::default();
    data.applicants = applicants;
    data.adverts = adverts;
    data.responses = kept_responses;
    data.response_applicant = response_applicant;
    data.allocations = allocations;
    data.employees = employees;
    data.relations = kept_relations;
    data.sales = sales;
    data.registration_changes = registration_changes.records;
    data.set_aside_adverts = bad_adverts.into_iter().map(AdvertId::from).collect();
    data.set_aside_applicants = bad_applicants.into_iter().map(ApplicantId::from).collect();
    let data = data.index();
    (data, result)
}
