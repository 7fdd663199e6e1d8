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
fn dedupe<T>(
    rows: Rows<T>,
    column: &str,
    key: impl Fn(&T) -> String,
    line: impl Fn(&T) -> u64,
    issues: &mut Vec<DataIssue>,
) -> (Vec<T>, FastSet<String>) {
    let mut sink = Sink {
        file: file_of(&rows),
        issues,
    };
    let mut owner: FastMap<String, (u64, bool)> = FastMap::default();
    for (l, k) in &rows.failed_keys {
        if !k.is_empty() {
            owner.entry(k.clone()).or_insert((*l, false));
        }
    }
    for r in &rows.records {
        let (k, l) = (key(r), line(r));
        let e = owner.entry(k).or_insert((l, true));
        if l < e.0 {
            *e = (l, true);
        }
    }
    let mut kept = Vec::with_capacity(rows.records.len());
    for r in rows.records {
        let (k, l) = (key(&r), line(&r));
        let (first, _) = owner[&k];
        if first == l {
            kept.push(r);
        } else {
            sink.push(
                l,
                column,
                &k,
                Level::Error,
                format!("duplicate key: already used on line {first}"),
            );
        }
    }
    // Later unparsable rows with a taken key are already set aside; the key
    // is still reported as a duplicate there for completeness of the record.
    let unusable = owner
        .into_iter()
        .filter(|(_, (_, ok))| !ok)
        .map(|(k, _)| k)
        .collect();
    (kept, unusable)
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
        |a: &Applicant| a.id.0.clone(),
        |a| a.line,
        &mut issues,
    );
    let (adverts, bad_adverts) = dedupe(
        adverts,
        "advert_id",
        |a: &Advert| a.id.0.clone(),
        |a| a.line,
        &mut issues,
    );
    let (employees, bad_employees) = dedupe(
        employees,
        "employee_id",
        |e: &Employee| e.id.0.clone(),
        |e| e.line,
        &mut issues,
    );
    let (allocations, _) = dedupe(
        allocations,
        "allocation_id",
        |a: &Allocation| a.id.0.clone(),
        |a| a.line,
        &mut issues,
    );
    let (sales, _) = dedupe(
        sales,
        "sale_id",
        |s: &Sale| s.id.0.clone(),
        |s| s.line,
        &mut issues,
    );
    let (responses, _) = dedupe(
        responses,
        "advert_id+applicant_id",
        |r: &Response| format!("{}+{}", r.advert_id, r.applicant_id),
        |r| r.line,
        &mut issues,
    );

    let applicant_ids: FastSet<&str> = applicants.iter().map(|a| a.id.as_str()).collect();
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
        if !applicant_ids.contains(id.as_str()) {
            let why = if bad_applicants.contains(id.as_str()) {
                "refers to an applicant that is set aside"
            } else {
                "applicant not on the waiting list"
            };
            sink.push(line, column, id.as_str(), Level::Warning, why.to_string());
        }
    };

    // Responses: references must exist; the cascade from set-aside rows.
    let mut kept_responses = Vec::with_capacity(responses.len());
    {
        let mut sink = Sink {
            file: response_file,
            issues: &mut issues,
        };
        for r in responses {
            let mut ok = true;
            match advert_model.get(r.advert_id.as_str()) {
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
            if !applicant_ids.contains(r.applicant_id.as_str()) {
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
            if ok {
                kept_responses.push(r);
            }
        }
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
    data.allocations = allocations;
    data.employees = employees;
    data.relations = kept_relations;
    data.sales = sales;
    data.registration_changes = registration_changes.records;
    data.set_aside_adverts = bad_adverts.into_iter().map(AdvertId).collect();
    data.set_aside_applicants = bad_applicants.into_iter().map(ApplicantId).collect();
    let data = data.index();
    (data, result)
}
