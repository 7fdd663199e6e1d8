//! The reports for people (issue 5): annual.md / annual.json for the public
//! annual report (aggregates, small cells suppressed) and report.html for
//! internal audit (self-contained, every data value escaped).

use std::path::PathBuf;

use crate::common::*;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn tmp(name: &str) -> PathBuf {
    let p = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("reports-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    p
}

/// Runs the bundled sample into a fresh folder.
fn run_sample(name: &str) -> PathBuf {
    let out = tmp(name);
    let o = woonaudit(&["run", "--out", out.to_str().unwrap()], &repo());
    assert_ok(&o);
    out
}

fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// HTML escaping as minijinja does it.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('/', "&#x2f;")
}

fn json(path: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&read(path)).unwrap()
}

#[test]
fn annual_files_hold_no_ids_or_names_of_the_sample() {
    let out = run_sample("annual-private");
    let text = read(&out.join("annual.md")) + &read(&out.join("annual.json"));
    // Every id, name (and name word), birth date, postcode, e-mail and
    // phone of every input table.
    let values = personal_values(&repo().join("data/sample"));
    assert!(values.len() > 10_000, "only {} values", values.len());
    let own = words_of_an_empty_run(&[], |out| {
        read(&out.join("annual.md")) + &read(&out.join("annual.json"))
    });
    let (own, lower) = (own.to_lowercase(), text.to_lowercase());
    for (at, v) in &values {
        if !contains_word_lower(&own, v) {
            assert!(!contains_word_lower(&lower, v), "{at} value {v} in annual");
        }
    }
    // No date finer than the year: nothing shaped like YYYY-MM-DD.
    let bytes = text.as_bytes();
    let dated = bytes.windows(10).any(|w| {
        w.iter().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
    });
    assert!(!dated, "a date in the annual files");
}

#[test]
fn annual_files_are_byte_identical_across_runs() {
    let (a, b) = (run_sample("annual-a"), run_sample("annual-b"));
    for file in ["annual.md", "annual.json", "report.html"] {
        assert!(
            std::fs::read(a.join(file)).unwrap() == std::fs::read(b.join(file)).unwrap(),
            "{file} differs between runs"
        );
    }
}

/// Allocation rows of one route, `n` of them, in `year`.
fn lets(rows: &mut Vec<String>, year: i32, route: &str, n: usize) {
    for i in 0..n {
        let id = format!("A{year}-{route}-{i}");
        rows.push(format!(
            "{id},D-{id},X-{id},{year}-03-01,{route},,E1,E1,reason"
        ));
    }
}

/// How a cell of annual.json is shown: a count, `<5` or `x`.
fn cell(v: &serde_json::Value) -> Result<u64, String> {
    match v {
        serde_json::Value::Number(n) => Ok(n.as_u64().unwrap()),
        serde_json::Value::String(s) => Err(s.clone()),
        other => panic!("not a cell: {other}"),
    }
}

const ROUTES: [&str; 6] = ["advert", "urgency", "direct", "temporary", "swap", "other"];

#[test]
fn small_counts_show_as_under_5_and_a_total_does_not_give_them_away() {
    let mut f = Fixture::new("annual-small");
    let mut rows = Vec::new();
    // 2025: direct has 3 lets, every other route at least 6; the year
    // total is shown, so direct alone would be total minus the rest.
    for (route, n) in [
        ("advert", 10),
        ("urgency", 6),
        ("direct", 3),
        ("temporary", 7),
        ("swap", 8),
        ("other", 9),
    ] {
        lets(&mut rows, 2025, route, n);
    }
    // 2026: every route 5 or more; the all-years column of direct (3 + 5)
    // would give 2025's direct away unless 2026's is withheld too.
    for (route, n) in [
        ("advert", 12),
        ("urgency", 5),
        ("direct", 5),
        ("temporary", 6),
        ("swap", 7),
        ("other", 8),
    ] {
        lets(&mut rows, 2026, route, n);
    }
    let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
    f.set("allocations", ALLOCATIONS, &refs);
    assert_ok(&f.run(&[]));
    let annual = json(&f.out().join("annual.json"));
    let years = annual["years"].as_array().unwrap();
    assert_eq!(years.len(), 2);
    let y2025 = &years[0]["routes"];
    assert_eq!(y2025["direct"], "<5");
    // What else is withheld with it is the rule's choice (the advert lets
    // on no known advert pin the checked ones at 0 unless more is hidden):
    // what matters is that nothing hidden can be worked out.
    crate::annual::assert_nothing_derivable(&annual);

    // Every line (a year's routes with its total, a route's years with its
    // all-years total) holds no hidden cell or at least two.
    let all = &annual["all_years"];
    let grid: Vec<Vec<Result<u64, String>>> = years
        .iter()
        .chain(std::iter::once(all))
        .map(|y| {
            let mut r: Vec<_> = ROUTES.iter().map(|k| cell(&y["routes"][k])).collect();
            r.push(cell(&y["lets"]));
            r
        })
        .collect();
    for row in &grid {
        let hidden = row.iter().filter(|c| c.is_err()).count();
        assert_ne!(hidden, 1, "a row gives its hidden cell away: {row:?}");
    }
    for col in 0..=ROUTES.len() {
        let hidden = grid.iter().filter(|r| r[col].is_err()).count();
        assert_ne!(hidden, 1, "column {col} gives its hidden cell away");
    }
    // A small share is not shown: it would give the count back.
    assert!(years[0]["bypasses"]["share"].is_null());
    assert_eq!(years[0]["bypasses"]["follow_up"], serde_json::Value::Null);
    assert!(years[0]["bypasses"]["follow_up_note"]
        .as_str()
        .unwrap()
        .starts_with("niet beoordeeld"));

    let md = read(&f.out().join("annual.md"));
    let direct = grid[0][2].clone();
    assert_eq!(direct, Err("<5".to_string()));
    assert!(md.contains("| 2025 |") && md.contains("<5"), "{md}");
    assert!(md.contains("kleinste andere aantal"), "{md}");
}

#[test]
fn report_html_escapes_data_and_fetches_nothing() {
    let mut f = Fixture::new("html-escape");
    f.set(
        "allocations",
        ALLOCATIONS,
        &[
            // Route advert without an advert: ORDER_NO_ADVERT on this id.
            "<script>alert(1)</script>,D1,X1,2025-03-01,advert,,E1,E1,",
            // An unknown handler: a data issue whose value is shown.
            "A2,D2,X2,2025-03-02,direct,,><img src=x onerror=alert(2)>,E1,<script>alert(3)</script>",
        ],
    );
    assert_ok(&f.run(&[]));
    let html = read(&f.out().join("report.html"));
    let lower = html.to_lowercase();
    assert!(!lower.contains("<script"), "unescaped script");
    assert!(!lower.contains("<img"), "unescaped img");
    assert!(
        html.contains("&lt;script&gt;alert(1)"),
        "escaped id missing"
    );
    assert!(
        html.contains("&lt;img src=x onerror=alert(2)&gt;"),
        "escaped value missing"
    );
    let findings = read_csv(&f.out().join("findings.csv"));
    assert!(findings
        .iter()
        .any(|r| r["subject_id"] == "<script>alert(1)</script>"));
    for r in &findings {
        assert!(
            html.contains(&r["finding_id"]),
            "{} missing",
            r["finding_id"]
        );
    }
}

#[test]
fn report_html_is_self_contained_and_lists_every_finding() {
    let out = run_sample("html-sample");
    let html = read(&out.join("report.html"));
    let lower = html.to_lowercase();
    for fetch in [
        "http://", "https://", "<link", "<script", "src=", "@import", "url(",
    ] {
        assert!(!lower.contains(fetch), "report.html contains {fetch}");
    }
    assert!(lower.starts_with("<!doctype html>"));
    assert!(html.contains("<style>"));
    assert!(html.contains("A flag is a reason to look, not a verdict."));
    let findings = read_csv(&out.join("findings.csv"));
    assert!(findings.len() > 50);
    for r in &findings {
        assert!(
            html.contains(&format!("id=\"f-{}\"", r["finding_id"])),
            "finding {} not listed",
            r["finding_id"]
        );
    }
    // Every input's SHA-256 from the manifest is in the scope.
    let manifest = json(&out.join("manifest.json"));
    for input in manifest["inputs"].as_array().unwrap() {
        assert!(html.contains(input["sha256"].as_str().unwrap()));
    }
    // Every staff link of links.csv is listed with its evidence.
    for link in read_csv(&out.join("links.csv")) {
        let evidence = escape(&link["evidence"]);
        assert!(
            html.contains(&evidence),
            "link evidence missing: {evidence}"
        );
    }
}
