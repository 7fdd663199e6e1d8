//! The spec's vocabulary (section 1.3) as Rust types: typed ids, money in
//! cents, the enums, and one record type per input table.
//!
//! Records hold only rows that were read without error; the input stage
//! (`crate::read`) and validation (`crate::validate`) decide which rows those
//! are. Every record keeps the `line` it came from so findings and data issues
//! can point back at the source.

pub use compact_str::CompactString;
use std::fmt;

use serde::Serialize;

use crate::intern::{Sym, Text};

/// A calendar date.
pub type Date = chrono::NaiveDate;
/// A date and clock time as written in the export (no time zone applied).
pub type DateTime = chrono::NaiveDateTime;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        ///
        /// Interned ([`crate::intern`]): 4 bytes however long the id, since
        /// tens of millions of responses carry three. Equal ids compare and
        /// hash as integers; ids sort by their text.
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(Sym);

        impl $name {
            /// The id as written in the source (trimmed).
            pub fn as_str(&self) -> &'static str {
                self.0.as_str()
            }

            /// The id's symbol, for keys that mix id kinds.
            pub fn sym(&self) -> Sym {
                self.0
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(Sym::new(&s))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.0, f)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(Sym::new(s))
            }
        }

        impl From<Sym> for $name {
            fn from(s: Sym) -> Self {
                Self(s)
            }
        }
    };
}

id_type!(
    /// Registration number of a home seeker (inschrijfnummer).
    ApplicantId
);
id_type!(
    /// Id of an advert (advertentie).
    AdvertId
);
id_type!(
    /// Id of an allocation (toewijzing).
    AllocationId
);
id_type!(
    /// Id of a dwelling (verhuureenheid).
    DwellingId
);
id_type!(
    /// Id of a person in the staff register.
    EmployeeId
);
id_type!(
    /// Id of a property sale.
    SaleId
);

/// A money amount in whole euro cents. Amounts are exact (spec 1.1): never
/// binary floating point.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Cents(pub i64);

impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

/// An exact decimal number (mantissa x 10^-scale), for fractions such as
/// `scheme_discount` that take part in amount arithmetic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Decimal {
    /// The digits, sign included.
    pub mantissa: i128,
    /// Number of digits after the decimal point.
    pub scale: u32,
}

impl Decimal {
    /// Zero.
    pub const ZERO: Decimal = Decimal {
        mantissa: 0,
        scale: 0,
    };

    /// Compares with another decimal exactly.
    pub fn cmp_exact(&self, other: &Decimal) -> std::cmp::Ordering {
        let scale = self.scale.max(other.scale);
        let a = self.mantissa * 10i128.pow(scale - self.scale);
        let b = other.mantissa * 10i128.pow(scale - other.scale);
        a.cmp(&b)
    }

    /// The nearest `f64`, for statistics and display only.
    pub fn to_f64(&self) -> f64 {
        self.mantissa as f64 / 10f64.powi(self.scale as i32)
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.scale == 0 {
            return write!(f, "{}", self.mantissa);
        }
        let sign = if self.mantissa < 0 { "-" } else { "" };
        let abs = self.mantissa.unsigned_abs();
        let div = 10u128.pow(self.scale);
        write!(
            f,
            "{sign}{}.{:0width$}",
            abs / div,
            abs % div,
            width = self.scale as usize
        )
    }
}

macro_rules! spec_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in the spec's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// Parses the spec's spelling, case-insensitively (spec 1.1).
            pub fn parse(s: &str) -> Option<Self> {
                let s = s.trim();
                // As spelled in the spec first: a response's outcome is
                // read tens of millions of times.
                $(if s == $text { return Some($name::$variant); })+
                $(if s.eq_ignore_ascii_case($text) { return Some($name::$variant); })+
                None
            }

            /// The spec's spelling.
            pub fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The accepted spellings, for error messages.
            pub fn expected() -> &'static str {
                concat!("one of ", $($text, " "),+)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

spec_enum!(
    /// How an advert orders its candidates after its policy's tiers (the
    /// base of spec 3), or that it has no fixed order (discretionary).
    Model {
        /// Inschrijfduur: longest registration first.
        Registration = "registration",
        /// Loting: lowest drawn number first.
        Lottery = "lottery",
        /// Punten: most points first, then longest registration (v1.2).
        Points = "points",
        /// Eerste reageerder: earliest response first (v1.2).
        FirstCome = "first_come",
        /// Intake, motivation letter or co-optation: no fixed order (v1.2).
        Discretionary = "discretionary",
    }
);

spec_enum!(
    /// Whether an advert ran its course or was withdrawn (v1.2).
    AdvertStatus {
        /// Published (the default).
        Published = "published",
        /// Ingetrokken.
        Withdrawn = "withdrawn",
    }
);

spec_enum!(
    /// Why a tenancy ended (table `vacancies`, v1.2).
    VacancyReason {
        /// Huuropzegging by the tenant.
        Notice = "notice",
        /// The tenant died.
        Death = "death",
        /// Ontruiming.
        Eviction = "eviction",
        /// The tenant moved to another home of the corporation.
        Transfer = "transfer",
        /// A new home, never let before.
        NewBuild = "new_build",
        /// Anything else (also a missing reason).
        Other = "other",
    }
);

spec_enum!(
    /// The kind of a priority (voorrangsoort, v1.2).
    PriorityKind {
        /// Urgentie (VERA `URG`).
        Urgency = "urgency",
        /// Binding, e.g. local ties (VERA `BIN`).
        Binding = "binding",
        /// Indicatie, e.g. a medical or wheelchair indication (VERA `IND`).
        Indication = "indication",
        /// Doelgroep (VERA `GRO`).
        Group = "group",
    }
);

impl PriorityKind {
    /// Parses the spec word or the VERA code, case-insensitively (spec
    /// 1.3: `URG`, `BIN`, `IND`, `GRO` are the same kinds).
    pub fn parse_with_code(s: &str) -> Option<Self> {
        PriorityKind::parse(s).or_else(|| {
            let s = s.trim();
            [
                ("URG", PriorityKind::Urgency),
                ("BIN", PriorityKind::Binding),
                ("IND", PriorityKind::Indication),
                ("GRO", PriorityKind::Group),
            ]
            .into_iter()
            .find(|(code, _)| s.eq_ignore_ascii_case(code))
            .map(|(_, k)| k)
        })
    }
}

spec_enum!(
    /// What happened to a response in the offer process.
    Outcome {
        /// The seeker accepted the offer.
        Accepted = "accepted",
        /// The seeker refused the offer.
        Declined = "declined",
        /// The landlord passed the seeker over.
        Skipped = "skipped",
        /// The seeker withdrew.
        Withdrawn = "withdrawn",
        /// The seeker was never offered the home.
        NotReached = "not_reached",
    }
);

spec_enum!(
    /// The route by which a home was let.
    Route {
        /// The aanbodsysteem: advertised and offered in order.
        Advert = "advert",
        /// Urgency allocation outside the adverts.
        Urgency = "urgency",
        /// Directe bemiddeling, bijzondere situatie.
        Direct = "direct",
        /// Tijdelijke verhuur.
        Temporary = "temporary",
        /// Woningruil.
        Swap = "swap",
        /// Anything else.
        Other = "other",
    }
);

impl Route {
    /// The route's name in a chart legend: the spec word, with the Dutch
    /// term where a reader needs it.
    pub fn chart_label(self) -> &'static str {
        self.labels().0
    }

    /// The route's name in the public annual figures, which go into a
    /// Dutch annual report: the Dutch term leads where it is the known one.
    pub fn public_label(self) -> &'static str {
        self.labels().1
    }

    fn labels(self) -> (&'static str, &'static str) {
        match self {
            Route::Advert => ("advert (aanbodsysteem)", "aanbodsysteem (advert)"),
            Route::Urgency => ("urgency", "urgency"),
            Route::Direct => ("direct", "direct (bijzondere situatie)"),
            Route::Temporary => ("temporary", "temporary let"),
            Route::Swap => ("swap", "swap (woningruil)"),
            Route::Other => ("other", "other"),
        }
    }
}

spec_enum!(
    /// The kind of a declared relation of an employee.
    RelationKind {
        /// Partner.
        Partner = "partner",
        /// Child.
        Child = "child",
        /// Parent.
        Parent = "parent",
        /// Sibling.
        Sibling = "sibling",
        /// In-law.
        InLaw = "in_law",
        /// Member of the household.
        HouseholdMember = "household_member",
        /// Any other private relation.
        Other = "other",
    }
);

spec_enum!(
    /// How a property was sold.
    SaleRoute {
        /// Offered on the open market.
        OpenMarket = "open_market",
        /// Sold at auction.
        Auction = "auction",
        /// Sold to the sitting tenant.
        SittingTenant = "sitting_tenant",
        /// Sold privately, without public offer.
        Private = "private",
    }
);

/// The identifying fields of a person, as the linking rules (spec 2) compare
/// them. Borrowed from an applicant, employee, relation or sale buyer.
#[derive(Clone, Copy, Debug)]
pub struct PersonFields<'a> {
    /// Surname with prefix, as written.
    pub last_name: &'a str,
    /// First names or initials.
    pub first_names: Option<&'a str>,
    /// Birth date.
    pub birth_date: Option<Date>,
    /// Postcode as written.
    pub postcode: Option<&'a str>,
    /// House number as written.
    pub house_number: Option<&'a str>,
    /// E-mail address as written.
    pub email: Option<&'a str>,
    /// Phone number as written.
    pub phone: Option<&'a str>,
}

/// A registered home seeker (table `applicants`). Texts that repeat over
/// the waiting list (names, house numbers, urgencies) are interned; the
/// rest are `CompactString`s, inline up to 24 bytes, where a `String`
/// took a heap block of its own for each (a million applicants held
/// 560 MB).
#[derive(Clone, Debug)]
// Laid out as written, the fields ranking reads first: ranking judges a
// seeker for each of tens of millions of responses, the seekers lie
// anywhere in memory, and these 48 bytes are one or two cache lines where
// the whole record is three or four.
#[repr(C)]
pub struct Applicant {
    /// Registration number.
    pub id: ApplicantId,
    /// Birth date.
    pub birth_date: Date,
    /// Inschrijfdatum: the seniority date used for ranking.
    pub registration_date: Date,
    /// Household size (at least 1).
    pub household_size: u32,
    /// Yearly household income.
    pub household_income: Option<Cents>,
    /// Urgency category; `None` when the seeker has none.
    pub urgency: Option<Text>,
    /// First day the urgency is valid (inclusive).
    pub urgency_from: Option<Date>,
    /// Last day the urgency is valid (inclusive).
    pub urgency_to: Option<Date>,
    /// Lokale binding.
    pub local_ties: bool,
    /// Doorstromer: rents a home of the corporation they will leave (v1.2).
    pub current_tenant: bool,
    /// Source line (header = 1).
    pub line: u64,
    /// Surname with prefix.
    pub last_name: Text,
    /// First names or initials.
    pub first_names: Option<Text>,
    /// Postcode as written.
    pub postcode: Option<CompactString>,
    /// E-mail address.
    pub email: Option<CompactString>,
    /// Phone number.
    pub phone: Option<CompactString>,
    /// House number as written.
    pub house_number: Option<Text>,
    /// When the registration record was created.
    pub registered_at: Option<DateTime>,
}

#[cfg(test)]
impl Applicant {
    /// A seeker with the required values only (household of one), for
    /// tests; the others are set with struct update syntax.
    pub(crate) fn minimal(
        line: u64,
        id: &str,
        birth_date: Date,
        registration_date: Date,
    ) -> Applicant {
        Applicant {
            line,
            id: ApplicantId::from(id),
            last_name: "X".into(),
            first_names: None,
            birth_date,
            postcode: None,
            house_number: None,
            email: None,
            phone: None,
            registration_date,
            registered_at: None,
            household_size: 1,
            household_income: None,
            urgency: None,
            urgency_from: None,
            urgency_to: None,
            local_ties: false,
            current_tenant: false,
        }
    }
}

impl Applicant {
    /// The fields the linking rules compare.
    pub fn person(&self) -> PersonFields<'_> {
        PersonFields {
            last_name: &self.last_name,
            first_names: self.first_names.as_deref(),
            birth_date: Some(self.birth_date),
            postcode: self.postcode.as_deref(),
            house_number: self.house_number.as_deref(),
            email: self.email.as_deref(),
            phone: self.phone.as_deref(),
        }
    }

    /// Whether the seeker holds an urgency valid on `day` (bounds inclusive,
    /// missing bounds open).
    pub fn urgent_on(&self, day: Date) -> bool {
        self.urgency.is_some()
            && self.urgency_from.is_none_or(|from| from <= day)
            && self.urgency_to.is_none_or(|to| day <= to)
    }
}

/// Age in whole years on `day`. The birthday counts as reached when the
/// month-day of `day` is on or after the month-day of birth, which makes a
/// 29 February birthday reached on 1 March in other years (spec 3).
pub fn age_on(birth: Date, day: Date) -> i64 {
    use chrono::Datelike;
    let mut age = i64::from(day.year()) - i64::from(birth.year());
    if (day.month(), day.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

/// A vacant home offered through the aanbodsysteem (table `adverts`).
#[derive(Clone, Debug)]
pub struct Advert {
    /// Source line.
    pub line: u64,
    /// Advert id.
    pub id: AdvertId,
    /// The dwelling advertised.
    pub dwelling_id: DwellingId,
    /// First day of the advert.
    pub published_on: Date,
    /// Closing day: responses dated after it are late.
    pub closes_on: Date,
    /// Ordering model.
    pub model: Model,
    /// Urgent seekers rank first (default true).
    pub urgency_first: bool,
    /// Seekers with local ties rank next (default false).
    pub local_first: bool,
    /// Minimum age, inclusive.
    pub min_age: Option<i64>,
    /// Maximum age, inclusive.
    pub max_age: Option<i64>,
    /// Minimum household size, inclusive.
    pub min_household: Option<i64>,
    /// Maximum household size, inclusive.
    pub max_household: Option<i64>,
    /// Minimum yearly income, inclusive.
    pub min_income: Option<Cents>,
    /// Maximum yearly income, inclusive.
    pub max_income: Option<Cents>,
    /// Monthly net rent.
    pub rent: Option<Cents>,
    /// The allocation policy named by the advert, resolved against the
    /// config (v1.2); `None` = the built-in policy of spec 3.
    pub policy: Option<std::sync::Arc<crate::policy::Policy>>,
    /// Number of identical homes let through the advert (at least 1).
    pub units: u32,
    /// Published or withdrawn.
    pub status: AdvertStatus,
    /// When a withdrawn advert was withdrawn (missing: its closes_on).
    pub withdrawn_on: Option<Date>,
}

impl Advert {
    /// The effective base of spec 3: the policy's base, else the model.
    pub fn base(&self) -> Model {
        self.policy
            .as_ref()
            .and_then(|p| p.base)
            .unwrap_or(self.model)
    }

    /// Whether the advert has no fixed order (spec 3: its effective base
    /// is discretionary).
    pub fn is_discretionary(&self) -> bool {
        self.base() == Model::Discretionary
    }

    /// The ordering tiers of spec 3: the policy's, or for the built-in
    /// policy `urgency` if urgency_first, then `local` if local_first.
    pub fn tiers(&self) -> &[crate::policy::Predicate] {
        use crate::policy::Predicate;
        const U: &[Predicate] = &[Predicate::Urgency];
        const L: &[Predicate] = &[Predicate::Local];
        const UL: &[Predicate] = &[Predicate::Urgency, Predicate::Local];
        match &self.policy {
            Some(p) => &p.tiers,
            None => match (self.urgency_first, self.local_first) {
                (true, true) => UL,
                (true, false) => U,
                (false, true) => L,
                (false, false) => &[],
            },
        }
    }

    /// The policy's extra eligibility predicates (none for the built-in).
    pub fn requirements(&self) -> &[crate::policy::Predicate] {
        self.policy.as_ref().map_or(&[], |p| &p.require)
    }

    /// The day a withdrawn advert was withdrawn (spec 1.3: missing = its
    /// closes_on); `None` for a published advert.
    pub fn withdrawn_day(&self) -> Option<Date> {
        (self.status == AdvertStatus::Withdrawn)
            .then(|| self.withdrawn_on.unwrap_or(self.closes_on))
    }
}

/// A dwelling id as the v1.2 checks compare it: trimmed, case-insensitive.
pub fn same_dwelling(a: &DwellingId, b: &DwellingId) -> bool {
    a.key() == b.key()
}

impl DwellingId {
    /// The id as the v1.2 checks compare dwellings (spec 1.3): trimmed and
    /// lower-cased, so `VHE-1 ` and `vhe-1` are one dwelling. Inline for a
    /// short id: the dataset keys every advert, let and vacancy by it.
    pub fn key(&self) -> CompactString {
        let trimmed = self.as_str().trim();
        if trimmed.is_ascii() {
            let mut key = CompactString::from(trimmed);
            key.make_ascii_lowercase();
            key
        } else {
            CompactString::from(trimmed.to_lowercase())
        }
    }
}

/// An optional 32-bit whole number held in 4 bytes instead of the 8 of
/// `Option<i32>`: `i32::MIN` stands for none, and the reader refuses that
/// one value as out of range. A response is one of tens of millions and
/// holds two of these (lottery number and position).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OptI32(i32);

impl OptI32 {
    /// No value.
    pub const NONE: OptI32 = OptI32(i32::MIN);

    /// The value, if any.
    pub fn get(self) -> Option<i32> {
        (self.0 != i32::MIN).then_some(self.0)
    }

    /// Whether there is no value.
    pub fn is_none(self) -> bool {
        self.0 == i32::MIN
    }
}

impl Default for OptI32 {
    fn default() -> Self {
        OptI32::NONE
    }
}

/// `Some(i32::MIN)`, which the reader never produces, reads as none.
impl From<Option<i32>> for OptI32 {
    fn from(v: Option<i32>) -> Self {
        v.map_or(OptI32::NONE, OptI32)
    }
}

/// A response to an advert with its offer outcome (table `responses`).
#[derive(Clone, Debug)]
pub struct Response {
    /// Source line (4 bytes: a response is one of tens of millions; a file
    /// of more than 4,294,967,295 lines is refused at its first row past
    /// that, see `read`).
    pub line: u32,
    /// The advert responded to.
    pub advert_id: AdvertId,
    /// The responding seeker.
    pub applicant_id: ApplicantId,
    /// When the response was made.
    pub responded_at: Stamp,
    /// Drawn lottery number (lower ranks first).
    pub lottery_number: OptI32,
    /// Rank recorded by the source system (volgnummer).
    pub position: OptI32,
    /// Points on the closing date, exact as written (v1.2).
    pub points: Option<Points>,
    /// What happened to the response.
    pub outcome: Outcome,
    /// Why declined, skipped or withdrawn (interned: a response is one
    /// of tens of millions, and a few phrases cover most reasons).
    pub reason: Option<Text>,
    /// Employee who recorded the outcome.
    pub decided_by: Option<EmployeeId>,
}

/// A moment to the nanosecond in 8 bytes on a 4-byte alignment (a
/// [`DateTime`] takes 12), so that a response stays at 44 bytes: tens of
/// millions of them. It covers 1677-09-21 00:12:44 to 2262-04-11 23:47:16;
/// reading refuses a response dated outside that (a data issue at its row
/// and column).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Stamp {
    /// Nanoseconds since 1970-01-01 00:00, high half (signed, so that the
    /// derived order is the order in time) ...
    high: i32,
    /// ... and low half.
    low: u32,
}

impl Stamp {
    /// The first and last whole seconds a stamp holds, for messages.
    pub const RANGE: (&'static str, &'static str) = ("1677-09-21 00:12:44", "2262-04-11 23:47:16");

    /// The stamp of `t`; `None` outside [`Stamp::RANGE`].
    pub fn new(t: DateTime) -> Option<Stamp> {
        let n = t.and_utc().timestamp_nanos_opt()?;
        Some(Stamp {
            high: (n >> 32) as i32,
            low: n as u32,
        })
    }

    /// The moment, exactly as it was made.
    pub fn get(self) -> DateTime {
        chrono::DateTime::from_timestamp_nanos(self.nanos()).naive_utc()
    }

    /// The day.
    pub fn date(self) -> Date {
        self.get().date()
    }

    /// Nanoseconds since 1970-01-01 00:00: ordered as the stamps are.
    pub fn nanos(self) -> i64 {
        (i64::from(self.high) << 32) | i64::from(self.low)
    }
}

impl fmt::Display for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.get(), f)
    }
}

impl fmt::Debug for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.get(), f)
    }
}

/// A number of points, exact as written, in 4 bytes: the pool holds each
/// distinct value once (points repeat over the responses to points
/// adverts; an inline [`Decimal`] took 24 of a response's bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Points(crate::intern::Text);

impl Points {
    /// The points of `value`.
    pub fn new(value: Decimal) -> Points {
        Points(crate::intern::Text::from(value.to_string().as_str()))
    }

    /// The value, with the mantissa and scale it was made with.
    pub fn value(self) -> Decimal {
        // The text is a `Decimal`'s own rendering: digits with the point
        // `scale` digits from the end (trailing zeros kept).
        let text: &str = &self.0;
        let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
        let mantissa = format!("{whole}{frac}").parse().unwrap_or(0);
        Decimal {
            mantissa,
            scale: frac.len() as u32,
        }
    }
}

impl fmt::Display for Points {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A let (table `allocations`).
#[derive(Clone, Debug)]
pub struct Allocation {
    /// Source line.
    pub line: u64,
    /// Allocation id.
    pub id: AllocationId,
    /// The dwelling let.
    pub dwelling_id: DwellingId,
    /// The new tenant.
    pub applicant_id: ApplicantId,
    /// Day of the allocation.
    pub allocated_on: Date,
    /// Huuringangsdatum.
    pub contract_start: Option<Date>,
    /// Route of the let.
    pub route: Route,
    /// The advert, for route advert.
    pub advert_id: Option<AdvertId>,
    /// Employee who handled the let.
    pub handled_by: Option<EmployeeId>,
    /// Employee who approved the let.
    pub approved_by: Option<EmployeeId>,
    /// Why a non-advert route was used.
    pub reason: Option<String>,
    /// Monthly net rent.
    pub rent: Option<Cents>,
    /// Yearly household income.
    pub household_income: Option<Cents>,
    /// Household size.
    pub household_size: Option<i64>,
}

/// A person in the staff register (table `employees`).
#[derive(Clone, Debug)]
pub struct Employee {
    /// Source line.
    pub line: u64,
    /// Employee id.
    pub id: EmployeeId,
    /// Surname with prefix.
    pub last_name: String,
    /// First names or initials.
    pub first_names: Option<String>,
    /// Birth date.
    pub birth_date: Option<Date>,
    /// Postcode.
    pub postcode: Option<String>,
    /// House number.
    pub house_number: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Department.
    pub department: Option<String>,
    /// Role.
    pub role: Option<String>,
    /// First day of employment (inclusive; missing = open).
    pub employed_from: Option<Date>,
    /// Last day of employment (inclusive; missing = open).
    pub employed_to: Option<Date>,
}

impl Employee {
    /// The fields the linking rules compare.
    pub fn person(&self) -> PersonFields<'_> {
        PersonFields {
            last_name: &self.last_name,
            first_names: self.first_names.as_deref(),
            birth_date: self.birth_date,
            postcode: self.postcode.as_deref(),
            house_number: self.house_number.as_deref(),
            email: self.email.as_deref(),
            phone: self.phone.as_deref(),
        }
    }

    /// Whether the employment window covers `day`.
    pub fn employed_on(&self, day: Date) -> bool {
        self.employed_from.is_none_or(|from| from <= day)
            && self.employed_to.is_none_or(|to| day <= to)
    }
}

/// A declared member of an employee's private circle (table `relations`).
#[derive(Clone, Debug)]
pub struct Relation {
    /// Source line.
    pub line: u64,
    /// The employee who declared the relation.
    pub employee_id: EmployeeId,
    /// Kind of relation.
    pub relation: RelationKind,
    /// Surname with prefix.
    pub last_name: String,
    /// First names or initials.
    pub first_names: Option<String>,
    /// Birth date.
    pub birth_date: Option<Date>,
    /// Postcode.
    pub postcode: Option<String>,
    /// House number.
    pub house_number: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// The relation's registration number, if known.
    pub applicant_id: Option<ApplicantId>,
    /// When the relation was declared (informational).
    pub declared_on: Option<Date>,
}

impl Relation {
    /// The fields the linking rules compare.
    pub fn person(&self) -> PersonFields<'_> {
        PersonFields {
            last_name: &self.last_name,
            first_names: self.first_names.as_deref(),
            birth_date: self.birth_date,
            postcode: self.postcode.as_deref(),
            house_number: self.house_number.as_deref(),
            email: self.email.as_deref(),
            phone: self.phone.as_deref(),
        }
    }
}

/// A property sale (table `sales`).
#[derive(Clone, Debug)]
pub struct Sale {
    /// Source line.
    pub line: u64,
    /// Sale id.
    pub id: SaleId,
    /// The dwelling sold.
    pub dwelling_id: DwellingId,
    /// Day of the sale.
    pub sold_on: Date,
    /// Price paid.
    pub price: Cents,
    /// Appraised value (positive).
    pub appraisal_value: Cents,
    /// Day of the appraisal.
    pub appraised_on: Option<Date>,
    /// First day publicly offered; `None` = never.
    pub listed_on: Option<Date>,
    /// Route of the sale.
    pub route: SaleRoute,
    /// Fraction of a documented discount scheme open to every buyer (0..1).
    pub scheme_discount: Decimal,
    /// Buyer's surname.
    pub buyer_last_name: String,
    /// Buyer's first names.
    pub buyer_first_names: Option<String>,
    /// Buyer's birth date.
    pub buyer_birth_date: Option<Date>,
    /// Buyer's postcode.
    pub buyer_postcode: Option<String>,
    /// Buyer's house number.
    pub buyer_house_number: Option<String>,
    /// Buyer's e-mail address.
    pub buyer_email: Option<String>,
    /// Buyer's phone number.
    pub buyer_phone: Option<String>,
    /// Buyer's registration number (serves only the `declared` rule).
    pub buyer_applicant_id: Option<ApplicantId>,
    /// Employee who handled the sale.
    pub handled_by: Option<EmployeeId>,
}

impl Sale {
    /// The buyer's fields, as the linking rules compare them.
    pub fn buyer(&self) -> PersonFields<'_> {
        PersonFields {
            last_name: &self.buyer_last_name,
            first_names: self.buyer_first_names.as_deref(),
            birth_date: self.buyer_birth_date,
            postcode: self.buyer_postcode.as_deref(),
            house_number: self.buyer_house_number.as_deref(),
            email: self.buyer_email.as_deref(),
            phone: self.buyer_phone.as_deref(),
        }
    }
}

/// One entry of the registration edit log (table `registration_changes`).
#[derive(Clone, Debug)]
pub struct RegistrationChange {
    /// Source line.
    pub line: u64,
    /// The registration edited.
    pub applicant_id: ApplicantId,
    /// When the edit was made.
    pub changed_at: DateTime,
    /// The field edited, lower-cased.
    pub field: String,
    /// Value before the edit.
    pub old_value: Option<String>,
    /// Value after the edit.
    pub new_value: Option<String>,
    /// Employee who made the edit.
    pub changed_by: Option<EmployeeId>,
    /// Why.
    pub reason: Option<String>,
}

id_type!(
    /// Id of a priority (voorrangsregeling, v1.2).
    PriorityId
);
id_type!(
    /// Id of an end of tenancy (v1.2).
    VacancyId
);

/// A priority granted to a seeker (table `priorities`, v1.2).
#[derive(Clone, Debug)]
pub struct Priority {
    /// Source line.
    pub line: u64,
    /// Priority id.
    pub id: PriorityId,
    /// The seeker who holds it.
    pub applicant_id: ApplicantId,
    /// Its kind.
    pub kind: PriorityKind,
    /// Its detail (e.g. `MED`), as written; compared case-insensitively.
    pub detail: Option<String>,
    /// First day it counts (inclusive; missing = open).
    pub valid_from: Option<Date>,
    /// Last day it counts (inclusive; missing = open).
    pub valid_to: Option<Date>,
    /// When it was granted.
    pub granted_on: Option<Date>,
    /// Employee who granted it.
    pub granted_by: Option<EmployeeId>,
}

impl Priority {
    /// Whether the priority counts on `day` (valid_from <= day <= valid_to).
    pub fn counts_on(&self, day: Date) -> bool {
        self.valid_from.is_none_or(|f| f <= day) && self.valid_to.is_none_or(|t| day <= t)
    }

    /// The priority as detail sentences name it: `VR-1 (indication ROL,
    /// valid 2026-01-01 to open)`.
    pub fn describe(&self) -> String {
        let day = |d: Option<Date>| d.map_or("open".to_string(), |d| d.to_string());
        format!(
            "{} ({}{}, valid {} to {})",
            self.id,
            self.kind,
            self.detail
                .as_deref()
                .map(|d| format!(" {d}"))
                .unwrap_or_default(),
            day(self.valid_from),
            day(self.valid_to),
        )
    }
}

/// The end of a tenancy that made a home free (table `vacancies`, v1.2).
#[derive(Clone, Debug)]
pub struct Vacancy {
    /// Source line.
    pub line: u64,
    /// Vacancy id.
    pub id: VacancyId,
    /// The dwelling that became free.
    pub dwelling_id: DwellingId,
    /// The day it became free.
    pub vacated_on: Date,
    /// Why.
    pub reason: VacancyReason,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn age_turns_on_the_birthday() {
        assert_eq!(age_on(d(2008, 5, 10), d(2026, 5, 9)), 17);
        assert_eq!(age_on(d(2008, 5, 10), d(2026, 5, 10)), 18);
    }

    #[test]
    fn leap_day_birthday_is_reached_on_first_of_march() {
        assert_eq!(age_on(d(2008, 2, 29), d(2026, 2, 28)), 17);
        assert_eq!(age_on(d(2008, 2, 29), d(2026, 3, 1)), 18);
        assert_eq!(age_on(d(2008, 2, 29), d(2028, 2, 29)), 20);
    }

    #[test]
    fn a_response_stays_within_44_bytes() {
        // Tens of millions of them at national scale: a field more shows
        // up in gigabytes (interned ids took it from 128 to 56 bytes, a
        // 4-byte line and points to 48, an 8-byte stamp to 44).
        assert!(
            std::mem::size_of::<Response>() <= 44,
            "{}",
            std::mem::size_of::<Response>()
        );
        assert_eq!(std::mem::size_of::<OptI32>(), 4);
    }

    #[test]
    fn a_dwelling_key_is_the_id_trimmed_and_lower_cased() {
        for id in [
            " VHE-1 ",
            "vhe-1",
            "VHE-1",
            "\tÉén-Straße 7\u{a0}",
            "ΣΊΣΥΦΟΣ-2",
            "",
        ] {
            let key = DwellingId::from(id).key();
            assert_eq!(key.as_str(), id.trim().to_lowercase(), "{id:?}");
        }
        assert!(same_dwelling(
            &DwellingId::from(" VHE-1"),
            &DwellingId::from("vhe-1 ")
        ));
    }

    #[test]
    fn a_seekers_ranked_fields_come_first_and_the_record_stays_within_152_bytes() {
        // A million seekers: the layout packs the fields ranking reads
        // into the first 48 bytes without growing the record.
        assert!(std::mem::offset_of!(Applicant, line) <= 48);
        assert!(
            std::mem::size_of::<Applicant>() <= 152,
            "{}",
            std::mem::size_of::<Applicant>()
        );
    }

    #[test]
    fn stamps_keep_the_moment_and_its_order() {
        let at = |s: &str| crate::parse::datetime(s).unwrap();
        let moments = [
            "1677-09-21 00:12:44",
            "1900-02-28 23:59:59.999999999",
            "1969-12-31 23:59:59.5",
            "1970-01-01 00:00:00",
            "2025-01-06 07:55:44",
            "2025-01-06 07:55:44.000000001",
            "2262-04-11 23:47:16.854775807",
        ];
        let stamps: Vec<Stamp> = moments.iter().map(|m| Stamp::new(at(m)).unwrap()).collect();
        for (m, s) in moments.iter().zip(&stamps) {
            assert_eq!(s.get(), at(m), "{m}");
            assert_eq!(s.to_string(), at(m).to_string());
            assert_eq!(s.date(), at(m).date());
        }
        assert!(stamps.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(Stamp::new(at("1677-09-21 00:12:43")), None);
        assert_eq!(Stamp::new(at("2262-04-11 23:47:17")), None);
        // The range the messages give is exactly what a stamp holds.
        for end in [Stamp::RANGE.0, Stamp::RANGE.1] {
            assert!(Stamp::new(at(end)).is_some(), "{end}");
        }
    }

    #[test]
    fn points_keep_their_exact_value() {
        for text in ["0", "12", "-3.5", "0.001", "123456789.123456789", "-0.25"] {
            let d = crate::parse::decimal(text, false).unwrap();
            let p = Points::new(d);
            assert_eq!(p.value(), d, "{text}");
            assert_eq!(p.to_string(), text);
        }
        // A scale with trailing zeros (the generator makes such values)
        // is kept too, and a negative fraction keeps its sign.
        for (mantissa, scale) in [(1250, 2), (-5, 1), (0, 3), (-120, 2)] {
            let d = Decimal { mantissa, scale };
            assert_eq!(Points::new(d).value(), d, "{d}");
        }
        assert_eq!(OptI32::from(Some(7)).get(), Some(7));
        assert_eq!(OptI32::from(None).get(), None);
        assert!(OptI32::NONE.is_none());
    }

    #[test]
    fn cents_display() {
        assert_eq!(Cents(123456).to_string(), "1234.56");
        assert_eq!(Cents(-5).to_string(), "-0.05");
    }

    #[test]
    fn enums_parse_case_insensitively() {
        assert_eq!(Outcome::parse(" Not_Reached "), Some(Outcome::NotReached));
        assert_eq!(Route::parse("ADVERT"), Some(Route::Advert));
        assert_eq!(Model::parse("loting"), None);
    }
}
