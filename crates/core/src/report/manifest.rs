//! manifest.json: what a run read, how, and what it found (spec 6). No
//! timestamp, so reruns on the same inputs are byte-identical.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Report;
use crate::checks::{CheckCode, Severity};
use crate::config::{Config, ConfigSource};
use crate::issues::RowCounts;
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

/// Renders manifest.json.
pub fn render(report: &Report<'_>) -> Vec<u8> {
    let (audit, m) = (report.audit, report.run);
    let inputs = m
        .sources
        .iter()
        .map(|s| InputEntry {
            source: s,
            rows: m.issues.counts.get(&s.table).copied().unwrap_or_default(),
        })
        .collect();
    let absent_tables = m.absent_tables();
    let mut findings: BTreeMap<&'static str, usize> = CheckCode::IMPLEMENTED
        .iter()
        .map(|c| (c.as_str(), 0))
        .collect();
    let mut by_severity: BTreeMap<&'static str, usize> =
        Severity::ALL.iter().map(|s| (s.as_str(), 0)).collect();
    for f in &audit.findings {
        *findings.entry(f.check.as_str()).or_default() += 1;
        *by_severity.entry(f.severity.as_str()).or_default() += 1;
    }
    let manifest = Manifest {
        tool: "woonaudit",
        version: env!("CARGO_PKG_VERSION"),
        spec_version: "1.2",
        data: m.data_dir.display().to_string(),
        mode: if m.lenient { "lenient" } else { "strict" },
        config_source: m.config_source,
        config: audit.config(),
        period: audit.period(),
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
    super::json(&manifest)
}
