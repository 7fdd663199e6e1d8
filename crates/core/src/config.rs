//! The config file `woonaudit.toml` (spec section 7): input dialect, column
//! mappings, thresholds and the yearly limits. Every key is optional; an
//! unknown key is an error so a typo never silently falls back to a default.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};
use crate::model::{Cents, Date, Decimal};
use crate::parse;
use crate::policy::{Policies, PolicyFile};
use crate::schema::Table;

/// The whole config, as used by a run (defaults filled in, every value
/// checked and parsed). Serialised as given, for the manifest.
#[derive(Clone, Debug, Serialize)]
pub struct Config {
    /// How to read the input files.
    pub input: InputConfig,
    /// Thresholds of the checks and statistics.
    pub thresholds: Thresholds,
    /// Legal limits per year; a config with `[[limits]]` replaces the
    /// defaults entirely.
    pub limits: Vec<Limits>,
    /// `[policies.NAME]` as written (spec 3.1, v1.2), for the manifest.
    #[serde(rename = "policies", skip_serializing_if = "BTreeMap::is_empty")]
    pub policy_file: BTreeMap<String, PolicyFile>,
    /// The same policies, checked and parsed.
    #[serde(skip)]
    pub policies: Policies,
}

/// The config file as written, before [`Config::from_file`] checks it.
/// Serde's messages name the struct (`expected struct Config`): it goes by
/// the name of the config it becomes.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "struct Config")]
struct ConfigFile {
    #[serde(default)]
    input: InputFile,
    #[serde(default)]
    thresholds: Thresholds,
    #[serde(default = "default_limits")]
    limits: Vec<Limits>,
    #[serde(default)]
    policies: BTreeMap<String, PolicyFile>,
}

/// `[input]` as written.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields, expecting = "struct InputConfig")]
struct InputFile {
    encoding: Option<String>,
    delimiter: Option<String>,
    #[serde(default)]
    columns: BTreeMap<String, BTreeMap<String, String>>,
    #[serde(default, deserialize_with = "de_dates")]
    migrated_on: Vec<Date>,
    preset: Option<String>,
    #[serde(default)]
    values: ValueMappings,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            input: InputConfig::default(),
            thresholds: Thresholds::default(),
            limits: default_limits(),
            policy_file: BTreeMap::new(),
            policies: Policies::default(),
        }
    }
}

/// `[input]`: encoding, delimiter and column mappings.
#[derive(Clone, Debug, Default, Serialize)]
pub struct InputConfig {
    /// `utf-8` or `windows-1252` (any label of those); detected when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<EncodingSetting>,
    /// `,` or `;`; detected from the header line when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<DelimiterSetting>,
    /// Per table name: source column name -> spec column name, all
    /// lower-cased.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub columns: BTreeMap<String, BTreeMap<String, String>>,
    /// Days on which records were migrated into the current system (spec
    /// 7, v1.2): the registered_at gap rule of REGISTRATION_BACKDATED does
    /// not apply to an applicant whose registered_at falls on one of them.
    /// Written as one date or a list of dates (a TOML date or a string in
    /// any date form of spec 1.1); kept sorted, without duplicates.
    #[serde(serialize_with = "ser_dates", skip_serializing_if = "Vec::is_empty")]
    pub migrated_on: Vec<Date>,
    /// A built-in mapping of a sector vocabulary (spec 1.4), under the
    /// `columns` and `values` entries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preset: Option<crate::preset::Preset>,
    /// `[input.values.TABLE.COLUMN]` (spec 1.4): per table, per spec
    /// column, trimmed lower-cased source value -> spec value.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub values: ValueMappings,
}

/// A text encoding of CSV input (spec 1.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8, with or without a byte order mark.
    Utf8,
    /// Windows-1252.
    Windows1252,
}

impl Encoding {
    /// The encoding an encoding label names: any WHATWG label of UTF-8 or
    /// Windows-1252 (`utf8`, `cp1252`, `latin1`, ...), case-insensitive.
    pub fn for_label(label: &str) -> Option<Encoding> {
        match encoding_rs::Encoding::for_label(label.trim().as_bytes()) {
            Some(e) if e == encoding_rs::UTF_8 => Some(Encoding::Utf8),
            Some(e) if e == encoding_rs::WINDOWS_1252 => Some(Encoding::Windows1252),
            _ => None,
        }
    }

    /// Its canonical name, as the manifest gives a file's encoding.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Windows1252 => "windows-1252",
        }
    }
}

/// `[input] encoding`: the encoding, with the label as written (the
/// manifest repeats the config as given).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodingSetting {
    encoding: Encoding,
    label: String,
}

impl EncodingSetting {
    /// The encoding.
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }
}

impl FromStr for EncodingSetting {
    type Err = String;

    fn from_str(label: &str) -> std::result::Result<Self, String> {
        match Encoding::for_label(label) {
            Some(encoding) => Ok(EncodingSetting {
                encoding,
                label: label.to_string(),
            }),
            None => Err(format!(
                "[input] encoding = \"{label}\": expected utf-8 or windows-1252"
            )),
        }
    }
}

impl Serialize for EncodingSetting {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.label)
    }
}

/// `[input] delimiter`: `,` (or `comma`) or `;` (or `semicolon`), as its
/// byte, with the text as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DelimiterSetting {
    byte: u8,
    text: String,
}

impl DelimiterSetting {
    /// The delimiter, `b','` or `b';'`.
    pub fn byte(&self) -> u8 {
        self.byte
    }
}

impl FromStr for DelimiterSetting {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Self, String> {
        let byte = match text {
            "," | "comma" => b',',
            ";" | "semicolon" => b';',
            _ => {
                return Err(format!(
                    "[input] delimiter = \"{text}\": expected \",\" or \";\""
                ))
            }
        };
        Ok(DelimiterSetting {
            byte,
            text: text.to_string(),
        })
    }
}

impl Serialize for DelimiterSetting {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

/// `[thresholds]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    /// REGISTRATION_BACKDATED: days registration_date may precede registered_at.
    pub backdating_days: i64,
    /// SALE_BELOW_APPRAISAL tolerance, a fraction.
    #[serde(deserialize_with = "de_decimal", serialize_with = "ser_display")]
    pub sale_tolerance: Decimal,
    /// SALE_NOT_PUBLIC: minimum days a listing precedes the sale.
    pub listing_min_days: i64,
    /// SALE_STALE_APPRAISAL: maximum age of an appraisal in days.
    pub appraisal_max_age_days: i64,
    /// HANDLER_BYPASS_RATE: minimum advert allocations to be tested.
    pub handler_min_allocations: u64,
    /// HANDLER_BYPASS_RATE: Benjamini-Hochberg q threshold.
    pub handler_q: f64,
    /// Counts under this are shown as `<5` in the annual figures.
    pub small_cell: u64,
    /// ACTOR_SKIP_RATE: minimum decisions (declined, skipped or withdrawn
    /// outcomes recorded) to be tested (v1.2).
    pub actor_min_decisions: u64,
    /// ACTOR_BACKDATING: minimum different applicants whose registration
    /// date one employee moved earlier (v1.2).
    pub actor_backdating_min: u64,
    /// control_sample.csv: the size the sample is drawn in proportion to
    /// (spec 4.3, v1.2).
    pub control_sample_size: u64,
    /// ADVERT_WITHDRAWN_THEN_LET: how many days before a non-advert let a
    /// withdrawn advert of the same dwelling still counts (v1.2).
    pub withdrawn_let_days: i64,
    /// VACANCY_NOT_ADVERTISED: how many days before the vacancy an advert
    /// may have been published and still count (v1.2).
    pub vacancy_advert_lead_days: i64,
    /// Reasons that count as missing (spec 4.1, v1.2), normalised as the
    /// reasons they are compared with.
    pub placeholder_reasons: Vec<String>,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            backdating_days: 30,
            sale_tolerance: Decimal {
                mantissa: 2,
                scale: 2,
            },
            listing_min_days: 14,
            appraisal_max_age_days: 183,
            handler_min_allocations: 10,
            handler_q: 0.05,
            small_cell: 5,
            actor_min_decisions: 20,
            actor_backdating_min: 3,
            control_sample_size: 25,
            withdrawn_let_days: 180,
            vacancy_advert_lead_days: 60,
            placeholder_reasons: [
                "nvt",
                "zd",
                "ziedossier",
                "ziefile",
                "ok",
                "akkoord",
                "geen",
                "onbekend",
                "test",
                "xxx",
                "na",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

/// `[[limits]]`: the legal limits of one year (amounts in euros).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// The year these limits apply to.
    pub year: i32,
    /// Passend toewijzen income limit, one person.
    #[serde(deserialize_with = "de_cents", serialize_with = "ser_display")]
    pub passend_income_single: Cents,
    /// Passend toewijzen income limit, two or more persons.
    #[serde(deserialize_with = "de_cents", serialize_with = "ser_display")]
    pub passend_income_multi: Cents,
    /// Aftoppingsgrens for one or two persons.
    #[serde(deserialize_with = "de_cents", serialize_with = "ser_display")]
    pub aftopping_low: Cents,
    /// Aftoppingsgrens for three or more persons.
    #[serde(deserialize_with = "de_cents", serialize_with = "ser_display")]
    pub aftopping_high: Cents,
    /// DAEB rent cap (liberalisatiegrens).
    #[serde(deserialize_with = "de_cents", serialize_with = "ser_display")]
    pub daeb_rent_cap: Cents,
    /// DAEB income limit, one person.
    #[serde(deserialize_with = "de_cents", serialize_with = "ser_display")]
    pub daeb_income_single: Cents,
    /// DAEB income limit, two or more persons.
    #[serde(deserialize_with = "de_cents", serialize_with = "ser_display")]
    pub daeb_income_multi: Cents,
    /// The age (whole years, on contract_start, else allocated_on) from
    /// which a tenant's let is judged for passend against the AOW income
    /// limits (v1.2). Missing in a `[[limits]]` entry: 67.
    #[serde(default = "default_aow_age")]
    pub aow_age: i64,
    /// Passend toewijzen income limit of an AOW household, one person
    /// (v1.2). Missing in a `[[limits]]` entry: that entry's
    /// passend_income_single (filled in when the config is read).
    #[serde(
        default,
        deserialize_with = "de_opt_cents",
        serialize_with = "ser_opt_display"
    )]
    pub passend_income_single_aow: Option<Cents>,
    /// Passend toewijzen income limit of an AOW household, two or more
    /// persons (v1.2). Missing: that entry's passend_income_multi.
    #[serde(
        default,
        deserialize_with = "de_opt_cents",
        serialize_with = "ser_opt_display"
    )]
    pub passend_income_multi_aow: Option<Cents>,
}

impl Limits {
    /// The passend income limit for a household of `size` persons, of an
    /// AOW household when `aow` (spec 5, "AOW households").
    pub fn passend_income(&self, size: i64, aow: bool) -> Cents {
        match (size == 1, aow) {
            (true, false) => self.passend_income_single,
            (false, false) => self.passend_income_multi,
            (true, true) => self
                .passend_income_single_aow
                .unwrap_or(self.passend_income_single),
            (false, true) => self
                .passend_income_multi_aow
                .unwrap_or(self.passend_income_multi),
        }
    }
}

/// The AOW age of spec 5 (2024).
fn default_aow_age() -> i64 {
    67
}

/// The 2024 figures of spec 5.
pub fn default_limits() -> Vec<Limits> {
    vec![Limits {
        year: 2024,
        passend_income_single: Cents(2_772_500),
        passend_income_multi: Cents(3_762_500),
        aftopping_low: Cents(65_043),
        aftopping_high: Cents(69_707),
        daeb_rent_cap: Cents(87_966),
        daeb_income_single: Cents(4_769_900),
        daeb_income_multi: Cents(5_267_100),
        aow_age: 67,
        passend_income_single_aow: Some(Cents(2_765_000)),
        passend_income_multi_aow: Some(Cents(3_762_500)),
    }]
}

/// A TOML number or string, read exactly (a float goes through its shortest
/// decimal form, so `0.02` is 2/100, not the nearest binary fraction).
#[derive(Deserialize)]
#[serde(untagged)]
enum Number {
    Int(i64),
    Float(f64),
    Text(String),
}

fn number_text<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<String, D::Error> {
    Ok(match Number::deserialize(d)? {
        Number::Int(i) => i.to_string(),
        Number::Float(f) => f.to_string(),
        Number::Text(s) => s,
    })
}

fn de_decimal<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Decimal, D::Error> {
    let s = number_text(d)?;
    parse::decimal(s.trim(), false)
        .ok_or_else(|| serde::de::Error::custom(format!("not a decimal number: {s}")))
}

fn de_cents<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Cents, D::Error> {
    let s = number_text(d)?;
    parse::amount(s.trim(), false)
        .ok_or_else(|| serde::de::Error::custom(format!("not an amount: {s}")))
}

fn de_opt_cents<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Cents>, D::Error> {
    de_cents(d).map(Some)
}

fn ser_opt_display<T: std::fmt::Display, S: Serializer>(
    v: &Option<T>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.serialize_str(&v.to_string()),
        None => s.serialize_none(),
    }
}

/// `migrated_on`: one date or a list of dates, each a TOML date or a
/// string in a date form of spec 1.1 (a time of day is refused: the rule
/// compares days).
fn de_dates<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Vec<Date>, D::Error> {
    fn one(v: &toml::Value) -> std::result::Result<Date, String> {
        let text = match v {
            toml::Value::String(s) => s.trim().to_string(),
            toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => dt.to_string(),
            other => return Err(format!("migrated_on: not a date: {other}")),
        };
        if text.contains([' ', 'T', ':']) {
            return Err(format!(
                "migrated_on: {text} is not a date (a day, without a time of day)"
            ));
        }
        parse::date(&text).ok_or_else(|| format!("migrated_on: not a date: {text}"))
    }
    let value = toml::Value::deserialize(d)?;
    let mut dates = match &value {
        toml::Value::Array(items) => items
            .iter()
            .map(one)
            .collect::<std::result::Result<Vec<_>, _>>(),
        v => one(v).map(|d| vec![d]),
    }
    .map_err(serde::de::Error::custom)?;
    dates.sort_unstable();
    dates.dedup();
    Ok(dates)
}

fn ser_dates<S: Serializer>(v: &[Date], s: S) -> std::result::Result<S::Ok, S::Error> {
    s.collect_seq(v.iter().map(|d| d.to_string()))
}

fn ser_display<T: std::fmt::Display, S: Serializer>(
    v: &T,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&v.to_string())
}

/// Where the config of a run came from.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfigSource {
    /// No config file: the defaults.
    Defaults,
    /// A file, given with `--config` or found in the data folder.
    File(PathBuf),
}

impl Config {
    /// Loads the config: `explicit` if given, else `woonaudit.toml` in the
    /// data folder when present, else the defaults.
    pub fn load(explicit: Option<&Path>, data_dir: &Path) -> Result<(Config, ConfigSource)> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => {
                let p = data_dir.join("woonaudit.toml");
                if !p.is_file() {
                    return Ok((Config::default(), ConfigSource::Defaults));
                }
                p
            }
        };
        let text = std::fs::read_to_string(&path).map_err(|e| Error::Config {
            path: path.clone(),
            message: format!("cannot read: {e}: give --config a readable file"),
        })?;
        let config = Config::parse(&text).map_err(|message| Error::Config {
            path: path.clone(),
            message: format!(
                "{message}: correct or remove it (every key is listed in section 7 of the audit spec)"
            ),
        })?;
        Ok((config, ConfigSource::File(path)))
    }

    /// Parses and checks config text.
    pub fn parse(text: &str) -> std::result::Result<Config, String> {
        crate::config_limits::check_complete(text)?;
        // toml's own message draws the line with a caret over several
        // lines; the user gets one line naming the line and the problem.
        let file: ConfigFile = toml::from_str(text).map_err(|e| match e.span() {
            Some(span) => {
                let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                format!("line {line}: {}", e.message().trim())
            }
            None => e.message().trim().to_string(),
        })?;
        Config::from_file(file)
    }

    /// Checks the file's values and parses the ones given as text.
    fn from_file(file: ConfigFile) -> std::result::Result<Config, String> {
        let ConfigFile {
            input,
            mut thresholds,
            mut limits,
            policies: policy_file,
        } = file;
        let policies = Policies::from_file(&policy_file)?;
        thresholds.placeholder_reasons = thresholds
            .placeholder_reasons
            .iter()
            .map(|r| crate::text::reason_key(r))
            .collect();
        let input = InputConfig {
            encoding: input.encoding.as_deref().map(str::parse).transpose()?,
            delimiter: input.delimiter.as_deref().map(str::parse).transpose()?,
            columns: check_columns(&input.columns)?,
            migrated_on: input.migrated_on,
            preset: input.preset.as_deref().map(str::parse).transpose()?,
            values: check_values(&input.values)?,
        };
        check_thresholds(&thresholds)?;
        let mut years: Vec<i32> = limits.iter().map(|l| l.year).collect();
        years.sort_unstable();
        if years.windows(2).any(|w| w[0] == w[1]) {
            return Err("[[limits]]: a year appears twice".into());
        }
        limits.sort_by_key(|l| l.year);
        for l in &mut limits {
            if l.aow_age < 0 {
                return Err(format!(
                    "[[limits]] year {}: aow_age must not be negative",
                    l.year
                ));
            }
            // A missing AOW limit is the entry's own passend limit: an
            // entry without the v1.2 keys judges every let as before.
            l.passend_income_single_aow
                .get_or_insert(l.passend_income_single);
            l.passend_income_multi_aow
                .get_or_insert(l.passend_income_multi);
        }
        Ok(Config {
            input,
            thresholds,
            limits,
            policy_file,
            policies,
        })
    }

    /// The source -> spec column mapping of a table (keys lower-cased).
    pub fn mapping(&self, table: Table) -> Option<&BTreeMap<String, String>> {
        self.input.columns.get(table.name())
    }
}

/// The column mappings, checked against the schema; keys are
/// case-insensitive (spec 1.1), so they are stored lower-cased.
fn check_columns(
    columns: &BTreeMap<String, BTreeMap<String, String>>,
) -> std::result::Result<BTreeMap<String, BTreeMap<String, String>>, String> {
    let mut checked = BTreeMap::new();
    for (table_name, mapping) in columns {
        let table = Table::by_name(table_name).ok_or_else(|| {
            format!(
                "[input.columns.{table_name}]: unknown table (expected one of {})",
                Table::ALL
                    .iter()
                    .map(|t| t.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?;
        let mut lowered = BTreeMap::new();
        for (source, spec) in mapping {
            let spec_l = spec.trim().to_lowercase();
            if !table.columns().iter().any(|c| c.name == spec_l) {
                return Err(format!(
                    "[input.columns.{table_name}] {source} = \"{spec}\": {table_name} has no column {spec}"
                ));
            }
            lowered.insert(source.trim().to_lowercase(), spec_l);
        }
        checked.insert(table.name().to_string(), lowered);
    }
    Ok(checked)
}

/// Per table, per spec column: source value -> spec value, as the config
/// holds `[input.values]`.
pub type ValueMappings = BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>>;

/// `[input.values.TABLE.COLUMN]` checked against the schema: tables and
/// columns named case-insensitively, source values stored trimmed and
/// lower-cased (they are compared so, spec 1.4), spec values as written.
fn check_values(values: &ValueMappings) -> std::result::Result<ValueMappings, String> {
    let mut checked = ValueMappings::new();
    for (table_name, columns) in values {
        let table = Table::by_name(table_name).ok_or_else(|| {
            format!(
                "[input.values.{table_name}]: unknown table (expected one of {})",
                Table::ALL.map(Table::name).join(", ")
            )
        })?;
        let by_table = checked.entry(table.name().to_string()).or_default();
        for (column_name, entries) in columns {
            let column = column_name.trim().to_lowercase();
            let Some(col) = table.columns().iter().find(|c| c.name == column) else {
                return Err(format!(
                    "[input.values.{table_name}.{column_name}]: {table_name} has no column {column_name}"
                ));
            };
            let by_column: &mut BTreeMap<String, String> =
                by_table.entry(col.name.to_string()).or_default();
            if !by_column.is_empty() {
                return Err(format!(
                    "[input.values.{table_name}.{column_name}]: the column is given twice"
                ));
            }
            for (source, spec) in entries {
                let key = source.trim().to_lowercase();
                if key.is_empty() {
                    return Err(format!(
                        "[input.values.{table_name}.{column_name}]: an empty value cannot be mapped (a missing value stays missing)"
                    ));
                }
                if by_column.insert(key, spec.trim().to_string()).is_some() {
                    return Err(format!(
                        "[input.values.{table_name}.{column_name}] {source}: given twice (values are compared without regard to case)"
                    ));
                }
            }
        }
    }
    Ok(checked)
}

/// The thresholds' ranges.
fn check_thresholds(t: &Thresholds) -> std::result::Result<(), String> {
    if t.backdating_days < 0
        || t.listing_min_days < 0
        || t.appraisal_max_age_days < 0
        || t.withdrawn_let_days < 0
        || t.vacancy_advert_lead_days < 0
    {
        return Err("[thresholds]: day counts must not be negative".into());
    }
    let one = Decimal {
        mantissa: 1,
        scale: 0,
    };
    if t.sale_tolerance.mantissa < 0 || t.sale_tolerance.cmp_exact(&one).is_gt() {
        return Err("[thresholds] sale_tolerance must be within 0..1".into());
    }
    if !(t.handler_q > 0.0 && t.handler_q <= 1.0) {
        return Err("[thresholds] handler_q must be within (0, 1]".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_without_keys() {
        let c = Config::parse("").unwrap();
        assert_eq!(c.thresholds.backdating_days, 30);
        assert_eq!(c.limits, default_limits());
    }

    #[test]
    fn mapping_keys_are_case_insensitive_and_checked() {
        let c =
            Config::parse("[input.columns.Applicants]\nInschrijfDatum = \"Registration_Date\"\n")
                .unwrap();
        assert_eq!(
            c.mapping(Table::Applicants).unwrap().get("inschrijfdatum"),
            Some(&"registration_date".to_string())
        );
        let err = Config::parse("[input.columns.applicants]\nx = \"nope\"\n").unwrap_err();
        assert!(err.contains("no column nope"), "{err}");
    }

    #[test]
    fn encoding_and_delimiter_are_parsed_once_and_written_as_given() {
        let c =
            Config::parse("[input]\nencoding = \" Latin1\"\ndelimiter = \"semicolon\"\n").unwrap();
        let encoding = c.input.encoding.as_ref().unwrap();
        assert_eq!(encoding.encoding(), Encoding::Windows1252);
        assert_eq!(c.input.delimiter.as_ref().unwrap().byte(), b';');
        let written = serde_json::to_string(&c.input).unwrap();
        assert_eq!(written, r#"{"encoding":" Latin1","delimiter":"semicolon"}"#);
        let utf8 = Config::parse("[input]\nencoding = \"UTF8\"\ndelimiter = \",\"\n").unwrap();
        assert_eq!(utf8.input.encoding.unwrap().encoding(), Encoding::Utf8);
        assert_eq!(utf8.input.delimiter.unwrap().byte(), b',');
    }

    #[test]
    fn bad_encodings_and_delimiters_are_named() {
        assert_eq!(
            Config::parse("[input]\nencoding = \"utf-16\"\n").unwrap_err(),
            "[input] encoding = \"utf-16\": expected utf-8 or windows-1252"
        );
        assert_eq!(
            Config::parse("[input]\ndelimiter = \"tab\"\n").unwrap_err(),
            "[input] delimiter = \"tab\": expected \",\" or \";\""
        );
        assert_eq!(
            Config::parse("input = 3\n").unwrap_err(),
            "line 1: invalid type: integer `3`, expected struct InputConfig"
        );
    }

    #[test]
    fn unknown_keys_are_errors() {
        assert!(Config::parse("[thresholds]\nbackdatingdays = 3\n").is_err());
    }

    #[test]
    fn tolerance_is_exact() {
        let c = Config::parse("[thresholds]\nsale_tolerance = 0.03\n").unwrap();
        assert_eq!(
            c.thresholds.sale_tolerance,
            Decimal {
                mantissa: 3,
                scale: 2
            }
        );
    }

    #[test]
    fn limits_replace_the_defaults() {
        let c = Config::parse(
            "[[limits]]\nyear = 2025\npassend_income_single = 28720\npassend_income_multi = 38970\naftopping_low = 682.96\naftopping_high = 731.93\ndaeb_rent_cap = 900.07\ndaeb_income_single = 49069\ndaeb_income_multi = 54184\n",
        )
        .unwrap();
        assert_eq!(c.limits.len(), 1);
        assert_eq!(c.limits[0].aftopping_low, Cents(68_296));
        // Without the AOW keys: age 67, the entry's own passend limits.
        assert_eq!(c.limits[0].aow_age, 67);
        assert_eq!(
            c.limits[0].passend_income_single_aow,
            Some(Cents(2_872_000))
        );
        assert_eq!(c.limits[0].passend_income(1, true), Cents(2_872_000));
        assert_eq!(c.limits[0].passend_income(2, true), Cents(3_897_000));
    }

    #[test]
    fn aow_limits_default_to_the_2024_figures() {
        let l = &Config::default().limits[0];
        assert_eq!(l.aow_age, 67);
        assert_eq!(l.passend_income(1, true), Cents(2_765_000));
        assert_eq!(l.passend_income(1, false), Cents(2_772_500));
        assert_eq!(l.passend_income(3, true), Cents(3_762_500));
        assert_eq!(Config::default().thresholds.control_sample_size, 25);
    }

    #[test]
    fn migrated_on_is_a_date_or_a_list_of_dates() {
        let day = |y, m, d| Date::from_ymd_opt(y, m, d).unwrap();
        let c = Config::parse("[input]\nmigrated_on = 2019-03-01\n").unwrap();
        assert_eq!(c.input.migrated_on, vec![day(2019, 3, 1)]);
        let c =
            Config::parse("[input]\nmigrated_on = [\"15-06-2021\", 2019-03-01, \"2019-03-01\"]\n")
                .unwrap();
        assert_eq!(c.input.migrated_on, vec![day(2019, 3, 1), day(2021, 6, 15)]);
        assert!(Config::parse("").unwrap().input.migrated_on.is_empty());
        for bad in [
            "migrated_on = \"2019-03-01 10:00\"",
            "migrated_on = 2019-03-01T10:00:00",
            "migrated_on = \"soon\"",
            "migrated_on = 3",
        ] {
            let err = Config::parse(&format!("[input]\n{bad}\n")).unwrap_err();
            assert!(err.contains("migrated_on"), "{bad}: {err}");
        }
    }
}
