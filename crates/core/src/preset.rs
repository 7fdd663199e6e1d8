//! Built-in mappings from a sector vocabulary to the spec's names and
//! values (spec 1.4): `[input] preset = "vera"`. Each preset is one
//! declarative table; the config merges it under the user's own
//! `[input.columns]` and `[input.values]` entries (the user's win), and the
//! docs list it in full from [`Preset::markdown`].

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

use crate::schema::Table;

/// A built-in vocabulary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    /// VERA, the data standard of the Dutch housing corporations (Aedes).
    Vera,
}

/// Which tables a column entry applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tables {
    /// Every table that has the spec column.
    Every,
    /// One table.
    Only(Table),
}

/// A column name of the vocabulary and the spec column it stands for.
#[derive(Clone, Copy, Debug)]
pub struct ColumnEntry {
    /// Where it applies.
    pub tables: Tables,
    /// The vocabulary's column name (lower case).
    pub source: &'static str,
    /// The spec's column name.
    pub spec: &'static str,
}

/// A code of the vocabulary and the spec value it stands for, in one
/// column of one table.
#[derive(Clone, Copy, Debug)]
pub struct ValueEntry {
    /// The table.
    pub table: Table,
    /// The spec's column name.
    pub column: &'static str,
    /// The vocabulary's code, as the standard writes it.
    pub source: &'static str,
    /// The spec's value.
    pub spec: &'static str,
}

const fn every(source: &'static str, spec: &'static str) -> ColumnEntry {
    ColumnEntry {
        tables: Tables::Every,
        source,
        spec,
    }
}

const fn only(table: Table, source: &'static str, spec: &'static str) -> ColumnEntry {
    ColumnEntry {
        tables: Tables::Only(table),
        source,
        spec,
    }
}

const fn value(
    table: Table,
    column: &'static str,
    source: &'static str,
    spec: &'static str,
) -> ValueEntry {
    ValueEntry {
        table,
        column,
        source,
        spec,
    }
}

/// The VERA column names of spec 1.4. The config, `inspect`, the
/// generator's `--vera` and the docs all read this table: a name added
/// here is added everywhere.
pub const VERA_COLUMNS: &[ColumnEntry] = &[
    every("inschrijfnummer", "applicant_id"),
    every("eenheid", "dwelling_id"),
    every("publicatie", "advert_id"),
    only(Table::Applicants, "achternaam", "last_name"),
    only(Table::Applicants, "voornamen", "first_names"),
    only(Table::Applicants, "geboortedatum", "birth_date"),
    only(Table::Applicants, "inschrijfdatum", "registration_date"),
    only(Table::Adverts, "publicatiemodel", "model"),
    only(Table::Adverts, "begindatum", "published_on"),
    only(Table::Adverts, "einddatum", "closes_on"),
    only(Table::Responses, "reactiedatum", "responded_at"),
    only(Table::Responses, "positie", "position"),
    only(Table::Responses, "aanbiedingstatus", "outcome"),
    only(Table::Priorities, "voorrangsoort", "kind"),
    only(Table::Priorities, "detailsoort", "detail"),
    only(Table::Priorities, "begindatum", "valid_from"),
    only(Table::Priorities, "einddatum", "valid_to"),
];

/// The VERA codes of spec 1.4. VERA has no code for a landlord passing a
/// seeker over: `skipped` is read as it is.
pub const VERA_VALUES: &[ValueEntry] = &[
    value(Table::Adverts, "model", "AAN", "registration"),
    value(Table::Adverts, "model", "LOT", "lottery"),
    value(Table::Adverts, "model", "EER", "first_come"),
    value(Table::Adverts, "model", "DIS", "discretionary"),
    value(Table::Responses, "outcome", "TOE", "accepted"),
    value(Table::Responses, "outcome", "GEW", "declined"),
    value(Table::Responses, "outcome", "ING", "withdrawn"),
    value(Table::Responses, "outcome", "AAN", "not_reached"),
    value(Table::Priorities, "kind", "URG", "urgency"),
    value(Table::Priorities, "kind", "BIN", "binding"),
    value(Table::Priorities, "kind", "IND", "indication"),
    value(Table::Priorities, "kind", "GRO", "group"),
];

impl Preset {
    /// Every preset.
    pub const ALL: [Preset; 1] = [Preset::Vera];

    /// The name the config gives it.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Vera => "vera",
        }
    }

    /// Its column entries.
    pub fn columns(self) -> &'static [ColumnEntry] {
        match self {
            Preset::Vera => VERA_COLUMNS,
        }
    }

    /// Its value entries.
    pub fn values(self) -> &'static [ValueEntry] {
        match self {
            Preset::Vera => VERA_VALUES,
        }
    }

    /// The column names it maps in `table`: (source, spec column).
    pub fn columns_of(self, table: Table) -> impl Iterator<Item = (&'static str, &'static str)> {
        self.columns()
            .iter()
            .filter(move |e| match e.tables {
                Tables::Every => table.columns().iter().any(|c| c.name == e.spec),
                Tables::Only(t) => t == table,
            })
            .map(|e| (e.source, e.spec))
    }

    /// The values it maps in `column` of `table`: (source, spec value).
    pub fn values_of(
        self,
        table: Table,
        column: &'static str,
    ) -> impl Iterator<Item = (&'static str, &'static str)> {
        self.values()
            .iter()
            .filter(move |e| e.table == table && e.column == column)
            .map(|e| (e.source, e.spec))
    }

    /// The preset's full table as Markdown, as docs/inputs.md lists it
    /// (a test keeps the two the same).
    pub fn markdown(self) -> String {
        let mut m = String::from("| table | column in the export | spec column |\n|---|---|---|\n");
        for e in self.columns() {
            let tables = match e.tables {
                Tables::Every => {
                    let names: Vec<&str> = Table::ALL
                        .iter()
                        .filter(|t| t.columns().iter().any(|c| c.name == e.spec))
                        .map(|t| t.name())
                        .collect();
                    format!("every table with {} ({})", e.spec, names.join(", "))
                }
                Tables::Only(t) => t.name().to_string(),
            };
            m.push_str(&format!("| {tables} | `{}` | `{}` |\n", e.source, e.spec));
        }
        m.push_str("\n| table | column | code in the export | spec value |\n|---|---|---|---|\n");
        for e in self.values() {
            m.push_str(&format!(
                "| {} | {} | `{}` | `{}` |\n",
                e.table.name(),
                e.column,
                e.source,
                e.spec
            ));
        }
        m
    }
}

impl FromStr for Preset {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, String> {
        Preset::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| {
                format!(
                    "[input] preset = \"{name}\": unknown preset (expected {})",
                    Preset::ALL.map(Preset::name).join(", ")
                )
            })
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Written as its name (the manifest repeats the config).
impl Serialize for Preset {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_names_a_spec_column_of_its_table() {
        for p in Preset::ALL {
            for e in p.columns() {
                let tables: Vec<Table> = match e.tables {
                    Tables::Every => Table::ALL.to_vec(),
                    Tables::Only(t) => vec![t],
                };
                assert!(
                    tables
                        .iter()
                        .any(|t| t.columns().iter().any(|c| c.name == e.spec)),
                    "{e:?}"
                );
                assert_eq!(e.source, e.source.to_lowercase());
            }
            for e in p.values() {
                assert!(
                    e.table.columns().iter().any(|c| c.name == e.column),
                    "{e:?}"
                );
            }
        }
    }

    #[test]
    fn the_same_code_maps_per_column() {
        let model: Vec<_> = Preset::Vera.values_of(Table::Adverts, "model").collect();
        let outcome: Vec<_> = Preset::Vera
            .values_of(Table::Responses, "outcome")
            .collect();
        assert!(model.contains(&("AAN", "registration")));
        assert!(outcome.contains(&("AAN", "not_reached")));
        let allocations: Vec<_> = Preset::Vera.columns_of(Table::Allocations).collect();
        assert_eq!(
            allocations,
            [
                ("inschrijfnummer", "applicant_id"),
                ("eenheid", "dwelling_id"),
                ("publicatie", "advert_id")
            ]
        );
    }
}
