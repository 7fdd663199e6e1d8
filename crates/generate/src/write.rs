/*!
Formats the generated records as the spec's tables (section 1.3), in the
requested dialect, and writes them as CSV files with `planted.csv`.

Some "missing" values are written in the different ways exports write them
(urgency empty, `geen` or `-`; urgency_first empty for the default true; a
false local_ties left empty), chosen from the record's id so the output
stays a pure function of the data.
*/

use std::io;
use std::path::Path;

use chrono::{Datelike, Timelike};

use super::{Dialect, Generated, OutFormat, Planted, Table};
use woonaudit::dataset::Dataset;
use woonaudit::model::{Cents, Date, DateTime, Decimal};
use woonaudit::schema;

/// Cell formatting for one dialect.
struct Fmt {
    dmy: bool,
    comma: bool,
    dutch_bools: bool,
}

impl Fmt {
    fn new(d: &Dialect) -> Self {
        Fmt {
            dmy: d.dmy_dates,
            // A decimal comma only where it cannot be the delimiter.
            comma: d.decimal_comma && d.delimiter == b';',
            dutch_bools: d.delimiter == b';',
        }
    }

    fn date(&self, d: Date) -> String {
        let mut s = String::with_capacity(19);
        self.push_date(&mut s, d);
        s
    }

    /// `YYYY-MM-DD` or `DD-MM-YYYY`, as chrono's `%Y-%m-%d` and `%d-%m-%Y`
    /// write it (by hand: chrono parses the format string every time, which
    /// shows at millions of cells).
    fn push_date(&self, s: &mut String, d: Date) {
        let y = d.year();
        if !(0..=9999).contains(&y) {
            let f = if self.dmy { "%d-%m-%Y" } else { "%Y-%m-%d" };
            s.push_str(&d.format(f).to_string());
            return;
        }
        if self.dmy {
            push_digits(s, d.day(), 2);
            s.push('-');
            push_digits(s, d.month(), 2);
            s.push('-');
            push_digits(s, y as u32, 4);
        } else {
            push_digits(s, y as u32, 4);
            s.push('-');
            push_digits(s, d.month(), 2);
            s.push('-');
            push_digits(s, d.day(), 2);
        }
    }

    fn odate(&self, d: Option<Date>) -> String {
        d.map(|d| self.date(d)).unwrap_or_default()
    }

    fn datetime(&self, t: DateTime) -> String {
        let mut s = String::with_capacity(19);
        self.push_date(&mut s, t.date());
        s.push(' ');
        if t.nanosecond() >= 1_000_000_000 {
            // A leap second: chrono writes it as :60.
            s.push_str(&t.format("%H:%M:%S").to_string());
            return s;
        }
        push_digits(&mut s, t.hour(), 2);
        s.push(':');
        push_digits(&mut s, t.minute(), 2);
        s.push(':');
        push_digits(&mut s, t.second(), 2);
        s
    }

    fn money(&self, c: Cents) -> String {
        let s = c.to_string();
        if self.comma {
            s.replace('.', ",")
        } else {
            s
        }
    }

    fn omoney(&self, c: Option<Cents>) -> String {
        c.map(|c| self.money(c)).unwrap_or_default()
    }

    fn decimal(&self, d: Decimal) -> String {
        let s = d.to_string();
        if self.comma {
            s.replace('.', ",")
        } else {
            s
        }
    }

    fn boolean(&self, b: bool) -> String {
        match (b, self.dutch_bools) {
            (true, true) => "ja",
            (false, true) => "nee",
            (true, false) => "true",
            (false, false) => "false",
        }
        .to_string()
    }

    /// An edit-log value: dates and amounts follow the dialect.
    fn edit_value(&self, field: &str, v: &str) -> String {
        match field {
            "registration_date" => Date::parse_from_str(v, "%Y-%m-%d")
                .map(|d| self.date(d))
                .unwrap_or_else(|_| v.to_string()),
            "household_income" if self.comma => v.replace('.', ","),
            _ => v.to_string(),
        }
    }
}

/// `v` in decimal, zero-padded to `width` digits (`v` has at most that
/// many).
fn push_digits(s: &mut String, v: u32, width: u32) {
    for k in (0..width).rev() {
        let digit = v / 10u32.pow(k) % 10;
        s.push(char::from(b'0' + digit as u8));
    }
}

fn opt<S: AsRef<str>>(s: &Option<S>) -> String {
    s.as_ref()
        .map(|s| s.as_ref().to_string())
        .unwrap_or_default()
}

fn oint<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// The last digit of an id: a stable choice between spellings.
fn digit(id: &str) -> u32 {
    id.chars().rev().find_map(|c| c.to_digit(10)).unwrap_or(0)
}

/// The spec's tables of `data`, in the order of [`schema::Table::ALL`],
/// each sorted by its key.
pub(crate) fn tables(data: &Dataset, dialect: &Dialect) -> Vec<Table> {
    let f = Fmt::new(dialect);
    schema::Table::ALL
        .into_iter()
        // The v1.2 optional tables are written when the data has them.
        .filter(|table| match table {
            schema::Table::Priorities => !data.priorities.is_empty(),
            schema::Table::Vacancies => !data.vacancies.is_empty(),
            _ => true,
        })
        .map(|table| {
            let write = match table {
                schema::Table::Applicants => applicants_table,
                schema::Table::Adverts => adverts_table,
                schema::Table::Responses => responses_table,
                schema::Table::Allocations => allocations_table,
                schema::Table::Employees => employees_table,
                schema::Table::Relations => relations_table,
                schema::Table::Sales => sales_table,
                schema::Table::RegistrationChanges => registration_changes_table,
                schema::Table::Priorities => priorities_table,
                schema::Table::Vacancies => vacancies_table,
            };
            write(data, &f)
        })
        .collect()
}

/// `applicants`, sorted by applicant id.
fn applicants_table(data: &Dataset, f: &Fmt) -> Table {
    let mut applicants: Vec<_> = data.applicants.iter().collect();
    applicants.sort_by_key(|a| a.id);
    Table {
        name: schema::Table::Applicants.name(),
        header: vec![
            "applicant_id",
            "last_name",
            "first_names",
            "birth_date",
            "postcode",
            "house_number",
            "email",
            "phone",
            "registration_date",
            "registered_at",
            "household_size",
            "household_income",
            "urgency",
            "urgency_from",
            "urgency_to",
            "local_ties",
            "current_tenant",
        ],
        rows: applicants
            .iter()
            .map(|a| {
                let k = digit(a.id.as_str());
                let urgency = match &a.urgency {
                    Some(u) => *u,
                    None if k <= 5 => "".into(),
                    None if k <= 8 => "geen".into(),
                    None => "-".into(),
                };
                let local = if !a.local_ties && k % 3 == 0 {
                    String::new()
                } else {
                    f.boolean(a.local_ties)
                };
                vec![
                    a.id.to_string(),
                    a.last_name.to_string(),
                    opt(&a.first_names),
                    f.date(a.birth_date),
                    opt(&a.postcode),
                    opt(&a.house_number),
                    opt(&a.email),
                    opt(&a.phone),
                    f.date(a.registration_date),
                    a.registered_at.map(|t| f.datetime(t)).unwrap_or_default(),
                    a.household_size.to_string(),
                    f.omoney(a.household_income),
                    urgency.to_string(),
                    f.odate(a.urgency_from),
                    f.odate(a.urgency_to),
                    local,
                    // Most exports leave the default (false) out.
                    if a.current_tenant {
                        f.boolean(true)
                    } else {
                        String::new()
                    },
                ]
            })
            .collect(),
    }
}

/// `adverts`, sorted by advert id.
fn adverts_table(data: &Dataset, f: &Fmt) -> Table {
    let mut adverts: Vec<_> = data.adverts.iter().collect();
    adverts.sort_by_key(|a| a.id);
    Table {
        name: schema::Table::Adverts.name(),
        header: vec![
            "advert_id",
            "dwelling_id",
            "published_on",
            "closes_on",
            "model",
            "policy",
            "units",
            "status",
            "withdrawn_on",
            "urgency_first",
            "local_first",
            "min_age",
            "max_age",
            "min_household",
            "max_household",
            "min_income",
            "max_income",
            "rent",
        ],
        rows: adverts
            .iter()
            .map(|a| {
                // Some exports leave the default (true) out.
                let urgency_first = if a.urgency_first && digit(a.id.as_str()) == 3 {
                    String::new()
                } else {
                    f.boolean(a.urgency_first)
                };
                vec![
                    a.id.to_string(),
                    a.dwelling_id.to_string(),
                    f.date(a.published_on),
                    f.date(a.closes_on),
                    a.model.as_str().to_string(),
                    a.policy
                        .as_ref()
                        .map(|p| p.name.clone())
                        .unwrap_or_default(),
                    // The default (one home) is left out, as exports do.
                    if a.units == 1 {
                        String::new()
                    } else {
                        a.units.to_string()
                    },
                    match a.status {
                        woonaudit::model::AdvertStatus::Published => String::new(),
                        s => s.as_str().to_string(),
                    },
                    f.odate(a.withdrawn_on),
                    urgency_first,
                    f.boolean(a.local_first),
                    oint(a.min_age),
                    oint(a.max_age),
                    oint(a.min_household),
                    oint(a.max_household),
                    f.omoney(a.min_income),
                    f.omoney(a.max_income),
                    f.omoney(a.rent),
                ]
            })
            .collect(),
    }
}

/// `responses`, sorted by advert, response time and applicant.
fn responses_table(data: &Dataset, f: &Fmt) -> Table {
    let mut responses: Vec<_> = data.responses.iter().collect();
    responses.sort_by(|a, b| {
        (&a.advert_id, a.responded_at, &a.applicant_id).cmp(&(
            &b.advert_id,
            b.responded_at,
            &b.applicant_id,
        ))
    });
    Table {
        name: schema::Table::Responses.name(),
        header: vec![
            "advert_id",
            "applicant_id",
            "responded_at",
            "lottery_number",
            "points",
            "position",
            "outcome",
            "reason",
            "decided_by",
        ],
        rows: responses
            .iter()
            .map(|r| {
                vec![
                    r.advert_id.to_string(),
                    r.applicant_id.to_string(),
                    f.datetime(r.responded_at.get()),
                    oint(r.lottery_number.get()),
                    r.points.map(|p| f.decimal(p.value())).unwrap_or_default(),
                    oint(r.position.get()),
                    r.outcome.as_str().to_string(),
                    r.reason.as_deref().unwrap_or_default().to_string(),
                    r.decided_by
                        .as_ref()
                        .map(|e| e.to_string())
                        .unwrap_or_default(),
                ]
            })
            .collect(),
    }
}

/// `allocations`, sorted by allocation id.
fn allocations_table(data: &Dataset, f: &Fmt) -> Table {
    let mut allocations: Vec<_> = data.allocations.iter().collect();
    allocations.sort_by_key(|a| a.id);
    Table {
        name: schema::Table::Allocations.name(),
        header: vec![
            "allocation_id",
            "dwelling_id",
            "applicant_id",
            "allocated_on",
            "contract_start",
            "route",
            "advert_id",
            "handled_by",
            "approved_by",
            "reason",
            "rent",
            "household_income",
            "household_size",
        ],
        rows: allocations
            .iter()
            .map(|a| {
                vec![
                    a.id.to_string(),
                    a.dwelling_id.to_string(),
                    a.applicant_id.to_string(),
                    f.date(a.allocated_on),
                    f.odate(a.contract_start),
                    a.route.as_str().to_string(),
                    a.advert_id
                        .as_ref()
                        .map(|x| x.to_string())
                        .unwrap_or_default(),
                    a.handled_by
                        .as_ref()
                        .map(|x| x.to_string())
                        .unwrap_or_default(),
                    a.approved_by
                        .as_ref()
                        .map(|x| x.to_string())
                        .unwrap_or_default(),
                    opt(&a.reason),
                    f.omoney(a.rent),
                    f.omoney(a.household_income),
                    oint(a.household_size),
                ]
            })
            .collect(),
    }
}

/// `employees`, sorted by employee id.
fn employees_table(data: &Dataset, f: &Fmt) -> Table {
    let mut employees: Vec<_> = data.employees.iter().collect();
    employees.sort_by_key(|a| a.id);
    Table {
        name: schema::Table::Employees.name(),
        header: vec![
            "employee_id",
            "last_name",
            "first_names",
            "birth_date",
            "postcode",
            "house_number",
            "email",
            "phone",
            "department",
            "role",
            "employed_from",
            "employed_to",
        ],
        rows: employees
            .iter()
            .map(|e| {
                vec![
                    e.id.to_string(),
                    e.last_name.clone(),
                    opt(&e.first_names),
                    f.odate(e.birth_date),
                    opt(&e.postcode),
                    opt(&e.house_number),
                    opt(&e.email),
                    opt(&e.phone),
                    opt(&e.department),
                    opt(&e.role),
                    f.odate(e.employed_from),
                    f.odate(e.employed_to),
                ]
            })
            .collect(),
    }
}

/// `relations`, sorted by employee and relation.
fn relations_table(data: &Dataset, f: &Fmt) -> Table {
    let mut relations: Vec<_> = data.relations.iter().collect();
    relations.sort_by(|a, b| (&a.employee_id, a.relation).cmp(&(&b.employee_id, b.relation)));
    Table {
        name: schema::Table::Relations.name(),
        header: vec![
            "employee_id",
            "relation",
            "last_name",
            "first_names",
            "birth_date",
            "postcode",
            "house_number",
            "email",
            "phone",
            "applicant_id",
            "declared_on",
        ],
        rows: relations
            .iter()
            .map(|r| {
                vec![
                    r.employee_id.to_string(),
                    r.relation.as_str().to_string(),
                    r.last_name.clone(),
                    opt(&r.first_names),
                    f.odate(r.birth_date),
                    opt(&r.postcode),
                    opt(&r.house_number),
                    opt(&r.email),
                    opt(&r.phone),
                    r.applicant_id
                        .as_ref()
                        .map(|x| x.to_string())
                        .unwrap_or_default(),
                    f.odate(r.declared_on),
                ]
            })
            .collect(),
    }
}

/// `sales`, sorted by sale id.
fn sales_table(data: &Dataset, f: &Fmt) -> Table {
    let mut sales: Vec<_> = data.sales.iter().collect();
    sales.sort_by_key(|a| a.id);
    Table {
        name: schema::Table::Sales.name(),
        header: vec![
            "sale_id",
            "dwelling_id",
            "sold_on",
            "price",
            "appraisal_value",
            "appraised_on",
            "listed_on",
            "route",
            "scheme_discount",
            "buyer_last_name",
            "buyer_first_names",
            "buyer_birth_date",
            "buyer_postcode",
            "buyer_house_number",
            "buyer_email",
            "buyer_phone",
            "buyer_applicant_id",
            "handled_by",
        ],
        rows: sales
            .iter()
            .map(|s| {
                let discount = if s.scheme_discount == Decimal::ZERO {
                    String::new()
                } else {
                    f.decimal(s.scheme_discount)
                };
                vec![
                    s.id.to_string(),
                    s.dwelling_id.to_string(),
                    f.date(s.sold_on),
                    f.money(s.price),
                    f.money(s.appraisal_value),
                    f.odate(s.appraised_on),
                    f.odate(s.listed_on),
                    s.route.as_str().to_string(),
                    discount,
                    s.buyer_last_name.clone(),
                    opt(&s.buyer_first_names),
                    f.odate(s.buyer_birth_date),
                    opt(&s.buyer_postcode),
                    opt(&s.buyer_house_number),
                    opt(&s.buyer_email),
                    opt(&s.buyer_phone),
                    s.buyer_applicant_id
                        .as_ref()
                        .map(|x| x.to_string())
                        .unwrap_or_default(),
                    s.handled_by
                        .as_ref()
                        .map(|x| x.to_string())
                        .unwrap_or_default(),
                ]
            })
            .collect(),
    }
}

/// `registration_changes`, sorted by change time and applicant.
fn registration_changes_table(data: &Dataset, f: &Fmt) -> Table {
    let mut changes: Vec<_> = data.registration_changes.iter().collect();
    changes.sort_by(|a, b| (a.changed_at, &a.applicant_id).cmp(&(b.changed_at, &b.applicant_id)));
    Table {
        name: schema::Table::RegistrationChanges.name(),
        header: vec![
            "applicant_id",
            "changed_at",
            "field",
            "old_value",
            "new_value",
            "changed_by",
            "reason",
        ],
        rows: changes
            .iter()
            .map(|c| {
                vec![
                    c.applicant_id.to_string(),
                    f.datetime(c.changed_at),
                    c.field.clone(),
                    c.old_value
                        .as_deref()
                        .map(|v| f.edit_value(&c.field, v))
                        .unwrap_or_default(),
                    c.new_value
                        .as_deref()
                        .map(|v| f.edit_value(&c.field, v))
                        .unwrap_or_default(),
                    c.changed_by
                        .as_ref()
                        .map(|x| x.to_string())
                        .unwrap_or_default(),
                    opt(&c.reason),
                ]
            })
            .collect(),
    }
}

/// `priorities` (v1.2), sorted by priority id.
fn priorities_table(data: &Dataset, f: &Fmt) -> Table {
    let mut rows: Vec<_> = data.priorities.iter().collect();
    rows.sort_by_key(|a| a.id);
    let date = |d: Option<woonaudit::model::Date>| d.map(|d| f.date(d)).unwrap_or_default();
    Table {
        name: schema::Table::Priorities.name(),
        header: vec![
            "priority_id",
            "applicant_id",
            "kind",
            "detail",
            "valid_from",
            "valid_to",
            "granted_on",
            "granted_by",
        ],
        rows: rows
            .iter()
            .map(|p| {
                vec![
                    p.id.to_string(),
                    p.applicant_id.to_string(),
                    p.kind.as_str().to_string(),
                    opt(&p.detail),
                    date(p.valid_from),
                    date(p.valid_to),
                    date(p.granted_on),
                    p.granted_by
                        .as_ref()
                        .map(|x| x.to_string())
                        .unwrap_or_default(),
                ]
            })
            .collect(),
    }
}

/// `vacancies` (v1.2), sorted by vacancy id.
fn vacancies_table(data: &Dataset, f: &Fmt) -> Table {
    let mut rows: Vec<_> = data.vacancies.iter().collect();
    rows.sort_by_key(|a| a.id);
    Table {
        name: schema::Table::Vacancies.name(),
        header: vec!["vacancy_id", "dwelling_id", "vacated_on", "reason"],
        rows: rows
            .iter()
            .map(|v| {
                vec![
                    v.id.to_string(),
                    v.dwelling_id.to_string(),
                    f.date(v.vacated_on),
                    v.reason.as_str().to_string(),
                ]
            })
            .collect(),
    }
}

/// CSV bytes of rows (with the header first, when given).
fn csv_bytes(
    header: Option<&[&str]>,
    rows: &[Vec<String>],
    delimiter: u8,
    crlf: bool,
) -> io::Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .terminator(if crlf {
            csv::Terminator::CRLF
        } else {
            csv::Terminator::Any(b'\n')
        })
        .from_writer(Vec::new());
    if let Some(header) = header {
        w.write_record(header)?;
    }
    for r in rows {
        w.write_record(r)?;
    }
    w.into_inner().map_err(|e| io::Error::other(e.to_string()))
}

/// Where one table's rows go.
enum Sink {
    /// A CSV file in the dialect.
    Csv(io::BufWriter<std::fs::File>),
    /// A Parquet file of text columns, one row group per append.
    /// (Boxed: the writer is large and there are only a few sinks.)
    Parquet(Box<woonaudit::read::parquet::StreamWriter>),
    /// A workbook (boxed for the same reason).
    Xlsx(Box<crate::xlsx::XlsxSink>),
}

/// The open files of every table: the core's rows go in first, then any
/// number of appended chunks, so a data set of any size is written in the
/// memory of one chunk.
pub(crate) struct Sinks {
    /// (table, its spec header, where its rows go)
    sinks: Vec<(&'static str, Vec<&'static str>, Sink)>,
    dialect: Dialect,
    vera: bool,
}

impl Sinks {
    /// Creates `dir` and one file per table (`NAME.csv` in the dialect:
    /// Windows-1252 through encoding_rs when asked, else UTF-8 without BOM;
    /// or `NAME.parquet`, or `NAME.xlsx`), holding the header and `tables`'
    /// rows; in VERA names and codes when `vera`. A file of the table in
    /// another format, left by an earlier run, is removed: two files for
    /// one table make the folder unusable.
    pub(crate) fn create(
        dir: &Path,
        dialect: &Dialect,
        format: OutFormat,
        vera: bool,
        tables: &[Table],
    ) -> io::Result<Sinks> {
        std::fs::create_dir_all(dir)?;
        let mut sinks = Vec::with_capacity(tables.len());
        for t in tables {
            for other in ["csv", "parquet", "xlsx"] {
                if other != format.extension() {
                    remove_if_present(&dir.join(format!("{}.{other}", t.name)))?;
                }
            }
            let header: Vec<String> = if vera {
                crate::vera::header(t.name, &t.header)
            } else {
                t.header.iter().map(|h| h.to_string()).collect()
            };
            let names: Vec<&str> = header.iter().map(String::as_str).collect();
            let path = dir.join(format!("{}.{}", t.name, format.extension()));
            let sink = match format {
                OutFormat::Parquet => Sink::Parquet(Box::new(
                    woonaudit::read::parquet::StreamWriter::create(&path, &names)?,
                )),
                OutFormat::Xlsx => {
                    Sink::Xlsx(Box::new(crate::xlsx::XlsxSink::create(&path, &header)?))
                }
                OutFormat::Csv => {
                    let file = std::fs::File::create(&path)?;
                    let mut w = io::BufWriter::with_capacity(1 << 20, file);
                    io::Write::write_all(
                        &mut w,
                        &encode(
                            dialect,
                            t.name,
                            csv_bytes(Some(&names), &[], dialect.delimiter, dialect.windows_1252)?,
                        )?,
                    )?;
                    Sink::Csv(w)
                }
            };
            sinks.push((t.name, t.header.clone(), sink));
        }
        let mut sinks = Sinks {
            sinks,
            dialect: *dialect,
            vera,
        };
        sinks.append(tables)?;
        Ok(sinks)
    }

    /// Appends the rows of `tables` to the files of the same names.
    pub(crate) fn append(&mut self, tables: &[Table]) -> io::Result<()> {
        for t in tables.iter().filter(|t| !t.rows.is_empty()) {
            let Some((_, header, sink)) = self.sinks.iter_mut().find(|(n, _, _)| *n == t.name)
            else {
                continue;
            };
            let coded;
            let rows = if self.vera {
                coded = crate::vera::rows(t.name, header, &t.rows);
                &coded
            } else {
                &t.rows
            };
            match sink {
                Sink::Csv(w) => {
                    let d = &self.dialect;
                    let bytes = csv_bytes(None, rows, d.delimiter, d.windows_1252)?;
                    io::Write::write_all(w, &encode(d, t.name, bytes)?)?;
                }
                Sink::Parquet(p) => p.write(rows)?,
                Sink::Xlsx(x) => x.write(rows)?,
            }
        }
        Ok(())
    }

    /// Flushes and closes every file.
    pub(crate) fn finish(self) -> io::Result<()> {
        for (_, _, sink) in self.sinks {
            match sink {
                Sink::Csv(mut w) => io::Write::flush(&mut w)?,
                Sink::Parquet(p) => p.finish()?,
                Sink::Xlsx(x) => x.finish()?,
            }
        }
        Ok(())
    }
}

fn remove_if_present(path: &Path) -> io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// UTF-8 CSV bytes in the dialect's encoding.
fn encode(dialect: &Dialect, table: &str, bytes: Vec<u8>) -> io::Result<Vec<u8>> {
    if !dialect.windows_1252 {
        return Ok(bytes);
    }
    let text = String::from_utf8(bytes).map_err(|e| io::Error::other(e.to_string()))?;
    let (encoded, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
    if unmappable {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{table}: a character has no Windows-1252 code"),
        ));
    }
    Ok(encoded.into_owned())
}

/// Writes every table as `NAME.csv` in the dialect, and `planted.csv`
/// (always UTF-8 with commas), into `dir` (created).
pub(crate) fn write(gen: &Generated, dir: &Path, dialect: &Dialect) -> io::Result<()> {
    Sinks::create(dir, dialect, OutFormat::Csv, false, &gen.tables)?.finish()?;
    write_planted(gen, dir)
}

/// Writes `planted.csv` and `planted_affected.csv` (UTF-8 with commas)
/// into `dir`.
pub(crate) fn write_planted(gen: &Generated, dir: &Path) -> io::Result<()> {
    // The policies the adverts name: without them the run could not read
    // the adverts.
    std::fs::write(dir.join("woonaudit.toml"), &gen.config)?;
    write_planted_affected(gen, dir)?;
    let header = [
        "check",
        "subject_type",
        "subject_id",
        "applicant_id",
        "employee_id",
        "link",
        "severity",
        "note",
    ];
    let rows: Vec<Vec<String>> = gen.planted.iter().map(planted_row).collect();
    std::fs::write(
        dir.join("planted.csv"),
        csv_bytes(Some(&header), &rows, b',', false)?,
    )
}

/// Writes `planted_affected.csv`: the seekers who lost a home by the
/// rules, in the columns and order of affected.csv without `detail`.
fn write_planted_affected(gen: &Generated, dir: &Path) -> io::Result<()> {
    let header = [
        "allocation_id",
        "advert_id",
        "tenant_id",
        "applicant_id",
        "cause",
        "rank",
        "tenant_rank",
    ];
    let rows: Vec<Vec<String>> = gen
        .affected
        .iter()
        .map(|r| {
            vec![
                r.allocation_id.clone(),
                r.advert_id.clone(),
                r.tenant_id.clone(),
                r.applicant_id.clone(),
                r.cause.to_string(),
                r.rank.to_string(),
                r.tenant_rank.map(|t| t.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    std::fs::write(
        dir.join("planted_affected.csv"),
        csv_bytes(Some(&header), &rows, b',', false)?,
    )
}

fn planted_row(p: &Planted) -> Vec<String> {
    vec![
        p.check.to_string(),
        p.subject_type.to_string(),
        p.subject_id.clone(),
        p.applicant_id.clone(),
        p.employee_id.clone(),
        p.link.to_string(),
        p.severity.to_string(),
        p.note.clone(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_as_chrono_writes_them() {
        let iso = Fmt::new(&Dialect::default());
        let dmy = Fmt::new(&Dialect {
            delimiter: b';',
            windows_1252: true,
            dmy_dates: true,
            decimal_comma: true,
        });
        let mut d = Date::from_ymd_opt(1899, 12, 25).expect("valid");
        let mut secs = 0;
        while d.year() < 2031 {
            let t = d.and_hms_opt(0, 0, 0).expect("valid") + chrono::Duration::seconds(secs);
            assert_eq!(iso.date(d), d.format("%Y-%m-%d").to_string());
            assert_eq!(dmy.date(d), d.format("%d-%m-%Y").to_string());
            let want = format!("{} {}", d.format("%Y-%m-%d"), t.format("%H:%M:%S"));
            assert_eq!(iso.datetime(t), want);
            d += chrono::Duration::days(3);
            secs = (secs + 7919) % 86_400;
        }
        let far = Date::from_ymd_opt(12_345, 1, 2).expect("valid");
        assert_eq!(iso.date(far), far.format("%Y-%m-%d").to_string());
    }
}
