//! Text rows to typed records, one function per table. A cell that cannot be
//! read, a missing required value or a value out of its domain is an
//! error-level data issue and the row is not turned into a record.

use crate::intern::{Sym, Text};
use crate::issues::{DataIssue, Level};
use crate::model::*;
use crate::parse;
use crate::policy::Policies;
use crate::read::raw::{RawRow, RawRows, RawTable, RowCells};

/// Values that mean "no urgency" (spec 1.3).
const NO_URGENCY: [&str; 6] = ["", "geen", "none", "nee", "no", "-"];

/// Where the columns a parser asks for are in a table's rows, found by
/// name once and then by the address of the name: a parser names its
/// columns with literals, and hashing a name for each of the ten cells of
/// each of tens of millions of responses cost more than reading the cells.
#[derive(Default)]
pub(crate) struct Positions {
    known: std::cell::RefCell<Vec<(&'static str, Option<usize>)>>,
    /// Ids interned for the whole batch ahead of its rows: (cell index,
    /// each row's id; `None` where the cell is empty).
    interned: Vec<(usize, Vec<Option<Sym>>)>,
}

impl Positions {
    /// Positions for a batch whose ids in the cells `columns` are interned
    /// all at once (see [`scattered_ids`]), before its rows are read.
    pub(crate) fn interning(raw: &RawTable, rows: RawRows<'_>, columns: &[usize]) -> Positions {
        let interned = columns
            .iter()
            .map(|&c| {
                let cells: Vec<Option<&str>> = rows
                    .iter()
                    .map(|row| raw.cell(row, c).filter(|s| !s.is_empty()))
                    .collect();
                let texts: Vec<&str> = cells.iter().flatten().copied().collect();
                let mut syms = Sym::new_many(&texts).into_iter();
                let syms = cells.iter().map(|c| c.and_then(|_| syms.next())).collect();
                (c, syms)
            })
            .collect();
        Positions {
            known: Default::default(),
            interned,
        }
    }

    /// The id of row `at` in cell `i`, when interned ahead.
    fn interned(&self, i: usize, at: usize) -> Option<Sym> {
        let (_, syms) = self.interned.iter().find(|(c, _)| *c == i)?;
        syms.get(at).copied().flatten()
    }

    /// The cell index of `col`. A parser asks for a table's columns in the
    /// same order on every row, so the one after the column asked for last
    /// (`next`, kept per row) is looked at first.
    fn of(
        &self,
        raw: &RawTable,
        col: &'static str,
        next: &std::cell::Cell<usize>,
    ) -> Option<usize> {
        {
            let known = self.known.borrow();
            // A `'static` text is never freed, so its address and length
            // name it for the whole run.
            let k = next.get();
            let at = match known.get(k) {
                Some((name, _)) if std::ptr::eq(*name, col) => Some(k),
                _ => known.iter().position(|(name, _)| std::ptr::eq(*name, col)),
            };
            if let Some(at) = at {
                next.set(at + 1);
                return known[at].1;
            }
        }
        let i = raw.columns.get(col).copied();
        let mut known = self.known.borrow_mut();
        known.push((col, i));
        next.set(known.len());
        i
    }
}

/// The cells of one row, with the issues found while reading them.
pub(crate) struct Cells<'a> {
    raw: &'a RawTable,
    row: RawRow<'a>,
    /// The row's cells, found once.
    cells: RowCells<'a>,
    /// The row's place in its batch.
    at: usize,
    positions: &'a Positions,
    /// Where in `positions` the next column asked for is looked for first.
    next: std::cell::Cell<usize>,
    issues: &'a mut Vec<DataIssue>,
    /// False once an error-level issue was found in this row.
    pub ok: bool,
}

impl<'a> Cells<'a> {
    /// The cells of `row`, row `at` of its batch; `positions` serves every
    /// row of the batch.
    pub(crate) fn new(
        raw: &'a RawTable,
        row: RawRow<'a>,
        at: usize,
        positions: &'a Positions,
        issues: &'a mut Vec<DataIssue>,
    ) -> Self {
        let mut cells = Cells {
            raw,
            row,
            cells: row.cells(),
            at,
            positions,
            next: std::cell::Cell::new(0),
            issues,
            ok: true,
        };
        for p in row.problems() {
            cells.error(&p.column, &p.value, p.problem.as_str());
        }
        cells
    }

    fn get(&self, col: &'static str) -> Option<&'a str> {
        let i = self.positions.of(self.raw, col, &self.next)?;
        self.at_cell(i)
    }

    fn at_cell(&self, i: usize) -> Option<&'a str> {
        self.raw.cell_of(self.cells, i).filter(|s| !s.is_empty())
    }

    /// Records an error on `col` and marks the row unusable.
    pub(crate) fn error(&mut self, col: &str, value: &str, problem: impl Into<String>) {
        self.ok = false;
        self.issues.push(DataIssue {
            file: self.raw.file.clone(),
            line: self.row.line(),
            column: col.to_string(),
            value: value.to_string(),
            level: Level::Error,
            problem: problem.into(),
        });
    }

    fn text(&mut self, col: &'static str) -> Option<String> {
        self.get(col).map(str::to_string)
    }

    fn req_text(&mut self, col: &'static str) -> Option<String> {
        let v = self.text(col);
        if v.is_none() {
            self.error(col, "", "missing required value");
        }
        v
    }

    fn parsed<T>(
        &mut self,
        col: &'static str,
        required: bool,
        what: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        match self.get(col) {
            None => {
                if required {
                    self.error(col, "", "missing required value");
                }
                None
            }
            Some(s) => {
                let v = parse(s);
                if v.is_none() {
                    self.error(col, s, format!("cannot read as {what}"));
                }
                v
            }
        }
    }

    fn date(&mut self, col: &'static str, required: bool) -> Option<Date> {
        self.parsed(col, required, "a date", parse::date)
    }

    fn datetime(&mut self, col: &'static str, required: bool) -> Option<DateTime> {
        self.parsed(col, required, "a datetime", parse::datetime)
    }

    fn int(&mut self, col: &'static str, required: bool) -> Option<i64> {
        self.parsed(col, required, "a whole number", parse::integer)
    }

    /// A whole number that fits 32 bits (lottery numbers, positions: a
    /// response is one of tens of millions, so it keeps them small);
    /// `i32::MIN` is out of range too, since [`OptI32`] uses it for none.
    fn int32(&mut self, col: &'static str) -> Option<i32> {
        let v = self.int(col, false)?;
        match i32::try_from(v) {
            Ok(v) if v != i32::MIN => Some(v),
            _ => {
                let raw = self.get(col).unwrap_or_default();
                self.error(
                    col,
                    raw,
                    format!("out of range (at most {} in size)", i32::MAX),
                );
                None
            }
        }
    }

    fn boolean(&mut self, col: &'static str) -> Option<bool> {
        self.parsed(
            col,
            false,
            "a boolean (true/false, yes/no, ja/nee, j/n, 1/0)",
            parse::boolean,
        )
    }

    /// An amount in cents; negative amounts are out of domain.
    fn amount(&mut self, col: &'static str, required: bool) -> Option<Cents> {
        let comma = self.raw.decimal_comma;
        let v = self.parsed(col, required, "an amount", |s| parse::amount(s, comma))?;
        if v.0 < 0 {
            let raw = self.get(col).unwrap_or_default();
            self.error(col, raw, "negative amount");
            return None;
        }
        Some(v)
    }

    /// An optional enum cell: missing is `None`, an unknown value an error.
    fn optional_enum<E>(
        &mut self,
        col: &'static str,
        parse: fn(&str) -> Option<E>,
        expected: &str,
    ) -> Option<E> {
        self.get(col)?;
        self.enumerated(col, parse, expected)
    }

    fn enumerated<E>(
        &mut self,
        col: &'static str,
        parse: fn(&str) -> Option<E>,
        expected: &str,
    ) -> Option<E> {
        match self.get(col) {
            None => {
                self.error(col, "", "missing required value");
                None
            }
            Some(s) => {
                let v = parse(s);
                if v.is_none() {
                    self.error(
                        col,
                        s,
                        format!("unknown value (expected {})", expected.trim()),
                    );
                }
                v
            }
        }
    }

    fn id<T: for<'s> From<&'s str> + From<Sym>>(
        &mut self,
        col: &'static str,
        required: bool,
    ) -> Option<T> {
        let i = self.positions.of(self.raw, col, &self.next);
        if let Some(sym) = i.and_then(|i| self.positions.interned(i, self.at)) {
            return Some(T::from(sym));
        }
        // Straight from the cell: two ids a response, tens of millions of
        // responses, and a copy of each cost as much as reading it.
        let v = i.and_then(|i| self.at_cell(i));
        if v.is_none() && required {
            self.error(col, "", "missing required value");
        }
        v.map(T::from)
    }

    /// Reports `min > max` on the min column (spec 1.2).
    fn bounds<T: PartialOrd + std::fmt::Display>(
        &mut self,
        min_col: &'static str,
        min: Option<T>,
        max: Option<T>,
    ) {
        if let (Some(lo), Some(hi)) = (&min, &max) {
            if lo > hi {
                let raw = self.get(min_col).unwrap_or_default();
                self.error(
                    min_col,
                    raw,
                    format!("minimum {lo} exceeds the maximum {hi}"),
                );
            }
        }
    }
}

/// Reads the `applicants` row.
pub(crate) fn applicant(c: &mut Cells<'_>) -> Option<Applicant> {
    let id = c.id("applicant_id", true);
    let last_name: Option<Text> = c.id("last_name", true);
    let first_names: Option<Text> = c.id("first_names", false);
    let birth_date = c.date("birth_date", true);
    let registration_date = c.date("registration_date", true);
    let registered_at = c.datetime("registered_at", false);
    let household_size = c.int("household_size", true);
    if let Some(n) = household_size.filter(|&n| n < 1) {
        c.error("household_size", &n.to_string(), "household size below 1");
    }
    if let Some(n) = household_size.filter(|&n| u32::try_from(n).is_err() && n >= 1) {
        c.error("household_size", &n.to_string(), "household size too large");
    }
    let household_income = c.amount("household_income", false);
    let urgency = c
        .text("urgency")
        .filter(|u| !NO_URGENCY.iter().any(|n| u.eq_ignore_ascii_case(n)));
    let urgency_from = c.date("urgency_from", false);
    let urgency_to = c.date("urgency_to", false);
    let local_ties = c.boolean("local_ties").unwrap_or(false);
    let current_tenant = c.boolean("current_tenant").unwrap_or(false);
    let (Some(id), Some(last_name), Some(birth_date), Some(registration_date), Some(size)) =
        (id, last_name, birth_date, registration_date, household_size)
    else {
        return None;
    };
    let household_size = u32::try_from(size).ok()?;
    c.ok.then(|| Applicant {
        line: c.row.line(),
        id,
        last_name,
        first_names,
        birth_date,
        postcode: c.get("postcode").map(CompactString::from),
        house_number: c.get("house_number").map(Text::from),
        email: c.get("email").map(CompactString::from),
        phone: c.get("phone").map(CompactString::from),
        registration_date,
        registered_at,
        household_size,
        household_income,
        urgency: urgency.map(Text::from),
        urgency_from,
        urgency_to,
        local_ties,
        current_tenant,
    })
}

/// Reads the `adverts` row; its policy must be one of `policies`.
pub(crate) fn advert(c: &mut Cells<'_>, policies: &Policies) -> Option<Advert> {
    let id = c.id("advert_id", true);
    let dwelling_id = c.id("dwelling_id", true);
    let published_on = c.date("published_on", true);
    let closes_on = c.date("closes_on", true);
    let model = c.enumerated("model", Model::parse, Model::expected());
    let urgency_first = c.boolean("urgency_first").unwrap_or(true);
    let local_first = c.boolean("local_first").unwrap_or(false);
    let min_age = c.int("min_age", false);
    let max_age = c.int("max_age", false);
    let min_household = c.int("min_household", false);
    let max_household = c.int("max_household", false);
    let min_income = c.amount("min_income", false);
    let max_income = c.amount("max_income", false);
    let rent = c.amount("rent", false);
    let policy = match c.get("policy") {
        None => None,
        Some(name) => {
            let found = policies.get(name).cloned();
            if found.is_none() {
                c.error(
                    "policy",
                    name,
                    "unknown policy (not defined under [policies] in the config)",
                );
            }
            found
        }
    };
    let units = c.int("units", false).unwrap_or(1);
    if units < 1 {
        let raw = c.get("units").unwrap_or_default();
        c.error("units", raw, "units below 1");
    }
    let units = u32::try_from(units).unwrap_or(u32::MAX);
    let status = c
        .optional_enum("status", AdvertStatus::parse, AdvertStatus::expected())
        .unwrap_or(AdvertStatus::Published);
    let withdrawn_on = c.date("withdrawn_on", false);
    c.bounds("min_age", min_age, max_age);
    c.bounds("min_household", min_household, max_household);
    c.bounds("min_income", min_income, max_income);
    let (Some(id), Some(dwelling_id), Some(published_on), Some(closes_on), Some(model)) =
        (id, dwelling_id, published_on, closes_on, model)
    else {
        return None;
    };
    c.ok.then_some(Advert {
        line: c.row.line(),
        id,
        dwelling_id,
        published_on,
        closes_on,
        model,
        urgency_first,
        local_first,
        min_age,
        max_age,
        min_household,
        max_household,
        min_income,
        max_income,
        rent,
        policy,
        units,
        status,
        withdrawn_on,
    })
}

/// Reads the `responses` row (the lottery-number rule needs the advert and
/// is checked in validation).
pub(crate) fn response(c: &mut Cells<'_>) -> Option<Response> {
    let advert_id = c.id("advert_id", true);
    let applicant_id = c.id("applicant_id", true);
    let responded_at = c.datetime("responded_at", true);
    let lottery_number = c.int32("lottery_number");
    let position = c.int32("position");
    let comma = c.raw.decimal_comma;
    let points = c.parsed("points", false, "a decimal number", |s| {
        parse::decimal(s, comma)
    });
    let outcome = c.enumerated("outcome", Outcome::parse, Outcome::expected());
    let (Some(advert_id), Some(applicant_id), Some(responded_at), Some(outcome)) =
        (advert_id, applicant_id, responded_at, outcome)
    else {
        return None;
    };
    let Some(responded_at) = Stamp::new(responded_at) else {
        let raw = c.get("responded_at").unwrap_or_default();
        c.error(
            "responded_at",
            raw,
            format!(
                "out of range (a response is dated between {} and {})",
                Stamp::RANGE.0,
                Stamp::RANGE.1
            ),
        );
        return None;
    };
    let Ok(line) = u32::try_from(c.row.line()) else {
        let raw = c.get("advert_id").unwrap_or_default();
        c.error(
            "advert_id",
            raw,
            "a response beyond line 4,294,967,295: split the export",
        );
        return None;
    };
    c.ok.then(|| Response {
        line,
        advert_id,
        applicant_id,
        responded_at,
        lottery_number: lottery_number.into(),
        position: position.into(),
        points: points.map(Points::new),
        outcome,
        reason: c.get("reason").map(Text::from),
        decided_by: c.get("decided_by").map(EmployeeId::from),
    })
}

/// The id columns of `table` whose values are spread over a pool of
/// millions (a response's applicant: any of a million seekers; a seeker's
/// own id, new to the pool): a batch's ids of these are interned all at
/// once ([`Sym::new_many`]), each slot of the pool's index requested from
/// memory before the first is read. An advert id repeats over its
/// responses, and the thread's cache of recent symbols serves it faster
/// one at a time.
pub(crate) fn scattered_ids(table: crate::schema::Table) -> &'static [&'static str] {
    use crate::schema::Table;
    match table {
        Table::Responses => &["applicant_id"],
        // Names: thousands of different ones, too many for the cache of
        // recent symbols.
        Table::Applicants => &["applicant_id", "last_name", "first_names"],
        Table::Adverts => &["advert_id", "dwelling_id"],
        Table::Allocations => &["allocation_id", "dwelling_id", "applicant_id"],
        _ => &[],
    }
}

/// Reads the `allocations` row.
pub(crate) fn allocation(c: &mut Cells<'_>) -> Option<Allocation> {
    let id = c.id("allocation_id", true);
    let dwelling_id = c.id("dwelling_id", true);
    let applicant_id = c.id("applicant_id", true);
    let allocated_on = c.date("allocated_on", true);
    let contract_start = c.date("contract_start", false);
    let route = c.enumerated("route", Route::parse, Route::expected());
    let rent = c.amount("rent", false);
    let household_income = c.amount("household_income", false);
    let household_size = c.int("household_size", false);
    if let Some(n) = household_size.filter(|&n| n < 1) {
        c.error("household_size", &n.to_string(), "household size below 1");
    }
    let (Some(id), Some(dwelling_id), Some(applicant_id), Some(allocated_on), Some(route)) =
        (id, dwelling_id, applicant_id, allocated_on, route)
    else {
        return None;
    };
    c.ok.then(|| Allocation {
        line: c.row.line(),
        id,
        dwelling_id,
        applicant_id,
        allocated_on,
        contract_start,
        route,
        advert_id: c.get("advert_id").map(AdvertId::from),
        handled_by: c.get("handled_by").map(EmployeeId::from),
        approved_by: c.get("approved_by").map(EmployeeId::from),
        reason: c.get("reason").map(str::to_string),
        rent,
        household_income,
        household_size,
    })
}

/// Reads the `employees` row.
pub(crate) fn employee(c: &mut Cells<'_>) -> Option<Employee> {
    let id = c.id("employee_id", true);
    let last_name = c.req_text("last_name");
    let birth_date = c.date("birth_date", false);
    let employed_from = c.date("employed_from", false);
    let employed_to = c.date("employed_to", false);
    c.bounds("employed_from", employed_from, employed_to);
    let (Some(id), Some(last_name)) = (id, last_name) else {
        return None;
    };
    c.ok.then(|| Employee {
        line: c.row.line(),
        id,
        last_name,
        first_names: c.get("first_names").map(str::to_string),
        birth_date,
        postcode: c.get("postcode").map(str::to_string),
        house_number: c.get("house_number").map(str::to_string),
        email: c.get("email").map(str::to_string),
        phone: c.get("phone").map(str::to_string),
        department: c.get("department").map(str::to_string),
        role: c.get("role").map(str::to_string),
        employed_from,
        employed_to,
    })
}

/// Reads the `relations` row.
pub(crate) fn relation(c: &mut Cells<'_>) -> Option<Relation> {
    let employee_id = c.id("employee_id", true);
    let relation = c.enumerated("relation", RelationKind::parse, RelationKind::expected());
    let last_name = c.req_text("last_name");
    let birth_date = c.date("birth_date", false);
    let declared_on = c.date("declared_on", false);
    let (Some(employee_id), Some(relation), Some(last_name)) = (employee_id, relation, last_name)
    else {
        return None;
    };
    c.ok.then(|| Relation {
        line: c.row.line(),
        employee_id,
        relation,
        last_name,
        first_names: c.get("first_names").map(str::to_string),
        birth_date,
        postcode: c.get("postcode").map(str::to_string),
        house_number: c.get("house_number").map(str::to_string),
        email: c.get("email").map(str::to_string),
        phone: c.get("phone").map(str::to_string),
        applicant_id: c.get("applicant_id").map(ApplicantId::from),
        declared_on,
    })
}

/// Reads the `sales` row.
pub(crate) fn sale(c: &mut Cells<'_>) -> Option<Sale> {
    let id = c.id("sale_id", true);
    let dwelling_id = c.id("dwelling_id", true);
    let sold_on = c.date("sold_on", true);
    let price = c.amount("price", true);
    let appraisal_value = c.amount("appraisal_value", true);
    if appraisal_value == Some(Cents(0)) {
        let raw = c.get("appraisal_value").unwrap_or_default();
        c.error("appraisal_value", raw, "appraisal value is 0");
    }
    let appraised_on = c.date("appraised_on", false);
    let listed_on = c.date("listed_on", false);
    let route = c.enumerated("route", SaleRoute::parse, SaleRoute::expected());
    let comma = c.raw.decimal_comma;
    let scheme_discount = c
        .parsed("scheme_discount", false, "a decimal fraction", |s| {
            parse::decimal(s, comma)
        })
        .unwrap_or(Decimal::ZERO);
    let one = Decimal {
        mantissa: 1,
        scale: 0,
    };
    if scheme_discount.mantissa < 0 || scheme_discount.cmp_exact(&one).is_gt() {
        let raw = c.get("scheme_discount").unwrap_or_default();
        c.error("scheme_discount", raw, "scheme discount outside 0..1");
    }
    let buyer_last_name = c.req_text("buyer_last_name");
    let buyer_birth_date = c.date("buyer_birth_date", false);
    let (
        Some(id),
        Some(dwelling_id),
        Some(sold_on),
        Some(price),
        Some(appraisal_value),
        Some(route),
        Some(buyer_last_name),
    ) = (
        id,
        dwelling_id,
        sold_on,
        price,
        appraisal_value,
        route,
        buyer_last_name,
    )
    else {
        return None;
    };
    c.ok.then(|| Sale {
        line: c.row.line(),
        id,
        dwelling_id,
        sold_on,
        price,
        appraisal_value,
        appraised_on,
        listed_on,
        route,
        scheme_discount,
        buyer_last_name,
        buyer_first_names: c.get("buyer_first_names").map(str::to_string),
        buyer_birth_date,
        buyer_postcode: c.get("buyer_postcode").map(str::to_string),
        buyer_house_number: c.get("buyer_house_number").map(str::to_string),
        buyer_email: c.get("buyer_email").map(str::to_string),
        buyer_phone: c.get("buyer_phone").map(str::to_string),
        buyer_applicant_id: c.get("buyer_applicant_id").map(ApplicantId::from),
        handled_by: c.get("handled_by").map(EmployeeId::from),
    })
}

/// Reads the `registration_changes` row.
pub(crate) fn registration_change(c: &mut Cells<'_>) -> Option<RegistrationChange> {
    let applicant_id = c.id("applicant_id", true);
    let changed_at = c.datetime("changed_at", true);
    let field = c.req_text("field");
    let (Some(applicant_id), Some(changed_at), Some(field)) = (applicant_id, changed_at, field)
    else {
        return None;
    };
    c.ok.then(|| RegistrationChange {
        line: c.row.line(),
        applicant_id,
        changed_at,
        field: field.to_lowercase(),
        old_value: c.get("old_value").map(str::to_string),
        new_value: c.get("new_value").map(str::to_string),
        changed_by: c.get("changed_by").map(EmployeeId::from),
        reason: c.get("reason").map(str::to_string),
    })
}

/// Reads the `priorities` row (v1.2).
pub(crate) fn priority(c: &mut Cells<'_>) -> Option<Priority> {
    let id = c.id("priority_id", true);
    let applicant_id = c.id("applicant_id", true);
    let kind = c.enumerated(
        "kind",
        PriorityKind::parse_with_code,
        "one of urgency binding indication group (or URG BIN IND GRO)",
    );
    let valid_from = c.date("valid_from", false);
    let valid_to = c.date("valid_to", false);
    let granted_on = c.date("granted_on", false);
    let (Some(id), Some(applicant_id), Some(kind)) = (id, applicant_id, kind) else {
        return None;
    };
    c.ok.then(|| Priority {
        line: c.row.line(),
        id,
        applicant_id,
        kind,
        detail: c.get("detail").map(str::to_string),
        valid_from,
        valid_to,
        granted_on,
        granted_by: c.get("granted_by").map(EmployeeId::from),
    })
}

/// Reads the `vacancies` row (v1.2).
pub(crate) fn vacancy(c: &mut Cells<'_>) -> Option<Vacancy> {
    let id = c.id("vacancy_id", true);
    let dwelling_id = c.id("dwelling_id", true);
    let vacated_on = c.date("vacated_on", true);
    let reason = c
        .optional_enum("reason", VacancyReason::parse, VacancyReason::expected())
        .unwrap_or(VacancyReason::Other);
    let (Some(id), Some(dwelling_id), Some(vacated_on)) = (id, dwelling_id, vacated_on) else {
        return None;
    };
    c.ok.then_some(Vacancy {
        line: c.row.line(),
        id,
        dwelling_id,
        vacated_on,
        reason,
    })
}
