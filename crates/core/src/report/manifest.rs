//! manifest.json: what a run read, how, and what it found (spec 6). No
//! timestamp, so reruns on the same inputs are byte-identical.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::checks::{CheckCode, Finding};
use crate::config::{Config, ConfigSource};
use crate::issues::{Issues, RowCounts};
use crate::period::Period;
use crate::read::SourceInfo;

/// One input table in the manifest.
#[derive(Serialize)]
struct InputEntry<'a> {
    #[serde(flatten)]
    source: &'a SourceInfo,
    rows: RowCounts,
}

#[derive(Serialize)]
struct Manifest<'a> {
    tool: &'static str,
    version: &'static str,
    spec_version: &'static str,
    data: String,
    mode: &'static str,
    config_source: &'a ConfigSource,
    config: &'a Config,
    period: &'a Period,
    inputs: Vec<InputEntry<'a>>,
    absent_tables: Vec<&'static str>,
    data_issues: BTreeMap<&'static str, usize>,
    checks_run: Vec<&'static str>,
    findings: BTreeMap<&'static str, usize>,
    findings_by_severity: BTreeMap<&'static str, usize>,
}

/// What the manifest is made of.
pub struct ManifestInput<'a> {
    /// The data folder as given.
    pub data_dir: &'a std::path::Path,
    /// Whether `--lenient` was given.
    pub lenient: bool,
    /// Config source.
    pub config_source: &'a ConfigSource,
    /// Config as used.
    pub config: &'a Config,
    /// Period.
    pub period: &'a Period,
    /// Input files found.
    pub sources: &'a [SourceInfo],
    /// Issues with row counts.
    pub issues: &'a Issues,
    /// Findings.
    pub findings: &'a [Finding],
}

/// Renders manifest.json.
pub fn render(m: &ManifestInput<'_>) -> Vec<u8> {
    let inputs = m
        .sources
        .iter()
        .map(|s| InputEntry {
            source: s,
            rows: m.issues.counts.get(&s.table).copied().unwrap_or_default(),
        })
        .collect();
    let absent_tables = crate::schema::Table::ALL
        .iter()
        .map(|t| t.name())
        .filter(|n| !m.sources.iter().any(|s| s.table.name() == *n))
        .collect();
    let mut findings: BTreeMap<&'static str, usize> = CheckCode::IMPLEMENTED
        .iter()
        .map(|c| (c.as_str(), 0))
        .collect();
    let mut by_severity: BTreeMap<&'static str, usize> =
        [("high", 0), ("medium", 0), ("low", 0)].into();
    for f in m.findings {
        *findings.entry(f.check.as_str()).or_default() += 1;
        *by_severity.entry(f.severity.as_str()).or_default() += 1;
    }
    let manifest = Manifest {
        tool: "woonaudit",
        version: env!("CARGO_PKG_VERSION"),
        spec_version: "1.1",
        data: m.data_dir.display().to_string(),
        mode: if m.lenient { "lenient" } else { "strict" },
        config_source: m.config_source,
        config: m.config,
        period: m.period,
        inputs,
        absent_tables,
        data_issues: [
            ("errors", m.issues.errors()),
            ("warnings", m.issues.warnings()),
        ]
        .into(),
        checks_run: CheckCode::IMPLEMENTED.iter().map(|c| c.as_str()).collect(),
        findings,
        findings_by_severity: by_severity,
    };
    let mut bytes = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}
