//! Allocation policies (spec 3.1, v1.2): named orders in the config. A
//! policy has a base (how seekers are ordered after the tiers), tiers (the
//! predicates that rank their holders first, in order) and requirements
//! (predicates every eligible candidate must meet). Predicates are parsed
//! once, when the config is read, and judged here on an applicant record
//! and their priorities on the advert's closing date.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::model::{age_on, Applicant, Date, Model, Priority, PriorityKind};

/// One predicate of spec 3.1, judged on a seeker on a day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Predicate {
    /// An urgency set and valid on the day (as v1.1).
    Urgency,
    /// Local ties.
    Local,
    /// A doorstromer: rents a home of the corporation.
    CurrentTenant,
    /// Age in whole years on the day at least N.
    AgeAtLeast(i64),
    /// Age on the day at most N.
    AgeAtMost(i64),
    /// Household size at least N.
    HouseholdAtLeast(i64),
    /// Household size at most N.
    HouseholdAtMost(i64),
    /// A priority of this kind (and detail, lower-cased) that counts on
    /// the day.
    Priority {
        /// The kind.
        kind: PriorityKind,
        /// The detail, lower-cased; `None` = any.
        detail: Option<String>,
    },
}

impl Predicate {
    /// Parses a predicate as written in the config, case-insensitively;
    /// white space around the parts is allowed (`age >= 65`).
    pub fn parse(text: &str) -> Option<Predicate> {
        let t: String = text
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        match t.as_str() {
            "urgency" => return Some(Predicate::Urgency),
            "local" => return Some(Predicate::Local),
            "current_tenant" => return Some(Predicate::CurrentTenant),
            _ => {}
        }
        if let Some(rest) = t.strip_prefix("priority:") {
            let mut parts = rest.splitn(2, ':');
            let kind = PriorityKind::parse_with_code(parts.next()?)?;
            let detail = match parts.next() {
                None => None,
                Some("") => return None,
                Some(d) => Some(d.to_string()),
            };
            return Some(Predicate::Priority { kind, detail });
        }
        let number = |s: &str| s.parse::<i64>().ok().filter(|n| *n >= 0);
        if let Some(n) = t.strip_prefix("age>=") {
            return number(n).map(Predicate::AgeAtLeast);
        }
        if let Some(n) = t.strip_prefix("age<=") {
            return number(n).map(Predicate::AgeAtMost);
        }
        if let Some(n) = t.strip_prefix("household>=") {
            return number(n).map(Predicate::HouseholdAtLeast);
        }
        if let Some(n) = t.strip_prefix("household<=") {
            return number(n).map(Predicate::HouseholdAtMost);
        }
        None
    }

    /// Whether `applicant` (holding `priorities`) meets the predicate on
    /// `day`.
    pub fn holds(&self, applicant: &Applicant, priorities: &[Priority], day: Date) -> bool {
        match self {
            Predicate::Urgency => applicant.urgent_on(day),
            Predicate::Local => applicant.local_ties,
            Predicate::CurrentTenant => applicant.current_tenant,
            Predicate::AgeAtLeast(n) => age_on(applicant.birth_date, day) >= *n,
            Predicate::AgeAtMost(n) => age_on(applicant.birth_date, day) <= *n,
            Predicate::HouseholdAtLeast(n) => i64::from(applicant.household_size) >= *n,
            Predicate::HouseholdAtMost(n) => i64::from(applicant.household_size) <= *n,
            Predicate::Priority { .. } => self.matching(priorities, day).next().is_some(),
        }
    }

    /// The priorities that make a `priority:` predicate hold on `day`
    /// (none for other predicates).
    pub fn matching<'p>(
        &'p self,
        priorities: &'p [Priority],
        day: Date,
    ) -> impl Iterator<Item = &'p Priority> + 'p {
        priorities.iter().filter(move |p| match self {
            Predicate::Priority { kind, detail } => {
                p.kind == *kind
                    && p.counts_on(day)
                    && detail.as_deref().is_none_or(|d| {
                        p.detail
                            .as_deref()
                            .is_some_and(|pd| pd.trim().eq_ignore_ascii_case(d))
                    })
            }
            _ => false,
        })
    }

    /// The key that orders a tier's holders among themselves (spec 3): for
    /// `urgency`, urgency_from (missing = registration_date); for a
    /// priority tier, the earliest valid_from of the matching priorities
    /// (missing = registration_date); none (`Date::MIN`) for the others.
    pub fn holder_key(&self, applicant: &Applicant, priorities: &[Priority], day: Date) -> Date {
        match self {
            Predicate::Urgency => applicant
                .urgency_from
                .unwrap_or(applicant.registration_date),
            Predicate::Priority { .. } => self
                .matching(priorities, day)
                .map(|p| p.valid_from.unwrap_or(applicant.registration_date))
                .min()
                .unwrap_or(Date::MIN),
            _ => Date::MIN,
        }
    }

    /// Whether this predicate reads the priorities table.
    pub fn uses_priorities(&self) -> bool {
        matches!(self, Predicate::Priority { .. })
    }
}

impl fmt::Display for Predicate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Predicate::Urgency => f.write_str("urgency"),
            Predicate::Local => f.write_str("local"),
            Predicate::CurrentTenant => f.write_str("current_tenant"),
            Predicate::AgeAtLeast(n) => write!(f, "age>={n}"),
            Predicate::AgeAtMost(n) => write!(f, "age<={n}"),
            Predicate::HouseholdAtLeast(n) => write!(f, "household>={n}"),
            Predicate::HouseholdAtMost(n) => write!(f, "household<={n}"),
            Predicate::Priority { kind, detail: None } => write!(f, "priority:{kind}"),
            Predicate::Priority {
                kind,
                detail: Some(d),
            } => write!(f, "priority:{kind}:{}", d.to_uppercase()),
        }
    }
}

/// A named allocation policy (spec 3.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Its name as written in the config.
    pub name: String,
    /// The base; `None` = the advert's model.
    pub base: Option<Model>,
    /// The tiers, in order.
    pub tiers: Vec<Predicate>,
    /// Extra eligibility: every predicate must hold.
    pub require: Vec<Predicate>,
}

/// `[policies.NAME]` as written in the config.
#[derive(Clone, Debug, Default, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyFile {
    /// The base, by the spec's model word.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
    /// The tier predicates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<String>,
    /// The required predicates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub require: Vec<String>,
}

/// The policies of a config, by lower-cased name (names are
/// case-insensitive, spec 1.1).
#[derive(Clone, Debug, Default)]
pub struct Policies {
    by_name: BTreeMap<String, Arc<Policy>>,
}

impl Policies {
    /// Checks and parses `[policies]`: an unknown base or predicate is an
    /// error naming the policy and the value.
    pub fn from_file(file: &BTreeMap<String, PolicyFile>) -> Result<Policies, String> {
        let mut by_name = BTreeMap::new();
        for (name, p) in file {
            let key = name.trim().to_lowercase();
            let base = p
                .base
                .as_deref()
                .map(|b| {
                    Model::parse(b).ok_or_else(|| {
                        format!(
                            "[policies.{name}] base = \"{b}\": expected {}",
                            Model::expected().trim()
                        )
                    })
                })
                .transpose()?;
            let predicates = |key: &str, list: &[String]| {
                list.iter()
                    .map(|t| {
                        Predicate::parse(t).ok_or_else(|| {
                            format!(
                                "[policies.{name}] {key}: unknown predicate \"{t}\" (expected urgency, local, current_tenant, age>=N, age<=N, household>=N, household<=N, priority:KIND or priority:KIND:DETAIL)"
                            )
                        })
                    })
                    .collect::<Result<Vec<_>, String>>()
            };
            let policy = Policy {
                name: name.clone(),
                base,
                tiers: predicates("tiers", &p.tiers)?,
                require: predicates("require", &p.require)?,
            };
            if by_name.insert(key, Arc::new(policy)).is_some() {
                return Err(format!(
                    "[policies.{name}]: two policies have this name (names are case-insensitive)"
                ));
            }
        }
        Ok(Policies { by_name })
    }

    /// The policy named `name` (trimmed, case-insensitive).
    pub fn get(&self, name: &str) -> Option<&Arc<Policy>> {
        self.by_name.get(&name.trim().to_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predicates_parse_case_insensitively_with_spaces() {
        assert_eq!(
            Predicate::parse(" Age >= 65 "),
            Some(Predicate::AgeAtLeast(65))
        );
        assert_eq!(Predicate::parse("URGENCY"), Some(Predicate::Urgency));
        assert_eq!(
            Predicate::parse("priority:IND:Rol"),
            Some(Predicate::Priority {
                kind: PriorityKind::Indication,
                detail: Some("rol".into())
            })
        );
        assert_eq!(
            Predicate::parse("priority:binding"),
            Some(Predicate::Priority {
                kind: PriorityKind::Binding,
                detail: None
            })
        );
        assert_eq!(Predicate::parse("age>65"), None);
        assert_eq!(Predicate::parse("priority:xyz"), None);
        assert_eq!(Predicate::parse("priority:urg:"), None);
        assert_eq!(Predicate::parse("household>=-1"), None);
    }

    #[test]
    fn unknown_predicate_names_policy_and_value() {
        let mut file = BTreeMap::new();
        file.insert(
            "senioren".to_string(),
            PolicyFile {
                base: None,
                tiers: vec!["age>=65".into(), "elderly".into()],
                require: vec![],
            },
        );
        let err = Policies::from_file(&file).unwrap_err();
        assert!(
            err.contains("senioren") && err.contains("\"elderly\""),
            "{err}"
        );
        file.insert(
            "senioren".to_string(),
            PolicyFile {
                base: Some("oldest".into()),
                ..PolicyFile::default()
            },
        );
        let err = Policies::from_file(&file).unwrap_err();
        assert!(
            err.contains("senioren") && err.contains("\"oldest\""),
            "{err}"
        );
    }
}
