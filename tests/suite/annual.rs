//! The annual files fit to publish (issue 14, part 4): small-cell
//! suppression checked by brute force. The tables of annual.json are read
//! back as a reader would see them: every count shown, every `<5` a count
//! from 0 to 4, every `x` a count of 5 or more, and the sums the tables
//! state (routes to all lets, splits to their totals, years to "all
//! years"). For every hidden count, a search over whole numbers must find
//! two different values that fit everything shown: none can be worked out
//! exactly.

use std::path::PathBuf;

use serde_json::Value;

use crate::common::*;

/// A count as published: known, or hidden within bounds.
#[derive(Clone, Copy, Debug)]
struct Bounds {
    lo: i64,
    hi: i64,
}

/// The published counts and the sums that tie them together.
#[derive(Default)]
struct Published {
    cells: Vec<Bounds>,
    names: Vec<String>,
    /// Each line: parts, then the total.
    lines: Vec<(Vec<usize>, usize)>,
}

impl Published {
    fn cell(&mut self, v: &Value, name: &str, small: i64, unbounded: i64) -> usize {
        let b = match v {
            Value::Number(n) => {
                let n = n.as_i64().unwrap();
                Bounds { lo: n, hi: n }
            }
            Value::String(s) if s == &format!("<{small}") => Bounds {
                lo: 0,
                hi: small - 1,
            },
            Value::String(s) if s == "x" => Bounds {
                lo: small,
                hi: unbounded,
            },
            other => panic!("{name}: not a published count: {other}"),
        };
        self.cells.push(b);
        self.names.push(name.to_string());
        self.cells.len() - 1
    }
}

/// The cells of one row (a year or all years) that "all years" sums.
struct RowIds {
    summed: Vec<usize>,
}

/// Reads annual.json as a reader would: its counts and the sums its tables
/// state (docs/outputs.md, "annual.md and annual.json").
fn published(annual: &Value) -> Published {
    let small = annual["small_cell"].as_i64().unwrap();
    // Every count is at most the number of lets, which is at most this.
    let unbounded = 1_000_000;
    let mut p = Published::default();
    let mut rows: Vec<RowIds> = Vec::new();
    let years: Vec<(String, &Value)> = annual["years"]
        .as_array()
        .unwrap()
        .iter()
        .map(|y| (y["year"].to_string(), y))
        .chain(
            annual
                .get("all_years")
                .filter(|a| !a.is_null())
                .map(|a| ("all years".to_string(), a)),
        )
        .collect();
    for (label, y) in &years {
        let mut c = |v: &Value, name: &str| p.cell(v, &format!("{label} {name}"), small, unbounded);
        let routes: Vec<usize> = ["advert", "urgency", "direct", "temporary", "swap", "other"]
            .iter()
            .map(|r| c(&y["routes"][r], &format!("routes.{r}")))
            .collect();
        let lets = c(&y["lets"], "lets");
        assert_eq!(y["bypasses"]["advert_lets"], y["routes"]["advert"]);
        let staff = [
            c(&y["staff_circle"]["lets"], "staff.lets"),
            c(&y["staff_circle"]["with_exception"], "staff.with"),
            c(&y["staff_circle"]["without_exception"], "staff.without"),
        ];
        let bypass = [
            c(&y["bypasses"]["with_bypass"], "bypass.with"),
            c(&y["bypasses"]["without_bypass"], "bypass.without"),
        ];
        let follow_up: Vec<usize> = match &y["bypasses"]["follow_up"] {
            Value::Object(_) => [
                "escalated",
                "open",
                "not_reviewed",
                "explained",
                "false_positive",
            ]
            .iter()
            .map(|k| c(&y["bypasses"]["follow_up"][k], &format!("follow_up.{k}")))
            .collect(),
            _ => Vec::new(),
        };
        let cov = &y["coverage"];
        assert_eq!(cov["lets"], y["lets"]);
        let coverage: Vec<usize> = [
            "checked",
            "discretionary_advert",
            "no_known_advert",
            "not_advertised",
            "tenant_linkable",
            "tenant_not_linkable",
        ]
        .iter()
        .map(|k| c(&cov[k], &format!("coverage.{k}")))
        .collect();
        let mut norms = Vec::new();
        for norm in ["passend", "daeb"] {
            if y[norm].is_object() {
                norms.push([
                    c(&y[norm]["meets"], &format!("{norm}.meets")),
                    c(&y[norm]["does_not_meet"], &format!("{norm}.does_not_meet")),
                    c(&y[norm]["judged"], &format!("{norm}.judged")),
                ]);
                c(&y[norm]["unknown"], &format!("{norm}.unknown"));
            }
        }
        p.lines.push((routes.clone(), lets));
        p.lines.push((vec![staff[1], staff[2]], staff[0]));
        p.lines.push((bypass.to_vec(), routes[0]));
        if !follow_up.is_empty() {
            p.lines.push((follow_up.clone(), bypass[0]));
        }
        p.lines.push((coverage[..3].to_vec(), routes[0]));
        p.lines.push((routes[1..].to_vec(), coverage[3]));
        p.lines.push((vec![routes[0], coverage[3]], lets));
        p.lines.push((vec![coverage[4], coverage[5]], lets));
        for [meets, fails, judged] in norms {
            p.lines.push((vec![meets, fails], judged));
        }
        let mut summed = routes;
        summed.push(lets);
        summed.extend(staff);
        summed.extend(bypass);
        summed.extend(follow_up);
        summed.extend(coverage);
        rows.push(RowIds { summed });
    }
    // "All years" is the sum of the years, cell by cell.
    if years.len() > 1 && years.last().unwrap().0 == "all years" {
        let (all, each) = rows.split_last().unwrap();
        for (i, &total) in all.summed.iter().enumerate() {
            p.lines
                .push((each.iter().map(|r| r.summed[i]).collect(), total));
        }
    }
    p
}

/// Narrows the bounds along the lines; false when nothing fits.
fn propagate(b: &mut [Bounds], lines: &[(Vec<usize>, usize)]) -> bool {
    loop {
        let mut changed = false;
        for (parts, total) in lines {
            // parts - total = 0
            let terms: Vec<(usize, i64)> = parts
                .iter()
                .map(|&c| (c, 1))
                .chain(std::iter::once((*total, -1)))
                .collect();
            let least = |b: &[Bounds], c: usize, s: i64| if s > 0 { b[c].lo } else { -b[c].hi };
            let most = |b: &[Bounds], c: usize, s: i64| if s > 0 { b[c].hi } else { -b[c].lo };
            for &(c, s) in &terms {
                let others_least: i64 = terms
                    .iter()
                    .filter(|t| t.0 != c)
                    .map(|&(o, so)| least(b, o, so))
                    .sum();
                let others_most: i64 = terms
                    .iter()
                    .filter(|t| t.0 != c)
                    .map(|&(o, so)| most(b, o, so))
                    .sum();
                let (lo, hi) = if s > 0 {
                    (-others_most, -others_least)
                } else {
                    (others_least, others_most)
                };
                if lo > b[c].lo {
                    b[c].lo = lo;
                    changed = true;
                }
                if hi < b[c].hi {
                    b[c].hi = hi;
                    changed = true;
                }
                if b[c].lo > b[c].hi {
                    return false;
                }
            }
        }
        if !changed {
            return true;
        }
    }
}

/// One whole-number solution within `b`, if any (depth-first, the
/// narrowest cell first).
fn solve(b: &[Bounds], lines: &[(Vec<usize>, usize)]) -> Option<Vec<i64>> {
    let mut b = b.to_vec();
    if !propagate(&mut b, lines) {
        return None;
    }
    let open = (0..b.len())
        .filter(|&c| b[c].lo < b[c].hi)
        .min_by_key(|&c| b[c].hi - b[c].lo);
    let Some(c) = open else {
        return Some(b.iter().map(|x| x.lo).collect());
    };
    for v in b[c].lo..=b[c].hi {
        let mut next = b.clone();
        next[c] = Bounds { lo: v, hi: v };
        if let Some(s) = solve(&next, lines) {
            return Some(s);
        }
    }
    None
}

/// Panics naming every hidden count that the published ones fix.
pub(crate) fn assert_nothing_derivable(annual: &Value) -> usize {
    let p = published(annual);
    let first = solve(&p.cells, &p.lines).expect("the published figures fit no counts at all");
    let mut fixed = Vec::new();
    let hidden: Vec<usize> = (0..p.cells.len())
        .filter(|&c| p.cells[c].lo < p.cells[c].hi)
        .collect();
    for &c in &hidden {
        let v = first[c];
        // Another value below or above the one found.
        let other = [(p.cells[c].lo, v - 1), (v + 1, p.cells[c].hi)]
            .into_iter()
            .filter(|(lo, hi)| lo <= hi)
            .any(|(lo, hi)| {
                let mut b = p.cells.clone();
                b[c] = Bounds { lo, hi };
                solve(&b, &p.lines).is_some()
            });
        if !other {
            fixed.push(format!("{} = {v}", p.names[c]));
        }
    }
    assert!(
        fixed.is_empty(),
        "hidden counts worked out from the shown ones: {fixed:?}"
    );
    hidden.len()
}

fn annual_of(out: &std::path::Path) -> Value {
    serde_json::from_slice(&std::fs::read(out.join("annual.json")).unwrap()).unwrap()
}

#[test]
fn no_hidden_count_of_the_sample_can_be_worked_out() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("annual-brute-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    assert_ok(&woonaudit(&["run", "--out", out.to_str().unwrap()], &repo));
    let hidden = assert_nothing_derivable(&annual_of(&out));
    assert!(
        hidden > 0,
        "the sample hides nothing: the test tests nothing"
    );
    // And per year alone, as an annual report quotes one year.
    for year in ["2025", "2026"] {
        let o = woonaudit(
            &["run", "--out", out.to_str().unwrap(), "--period", year],
            &repo,
        );
        assert_ok(&o);
        assert_nothing_derivable(&annual_of(&out));
    }
}

/// `n` lets of `route` allocated in `year`, to tenants not on the waiting
/// list, on no known advert.
fn lets(rows: &mut Vec<String>, year: i32, route: &str, n: usize) {
    for i in 0..n {
        let id = format!("A{year}-{route}-{i}");
        rows.push(format!(
            "{id},D-{id},X-{id},{year}-03-01,{route},,E1,E1,reason"
        ));
    }
}

#[test]
fn a_table_built_to_leak_leaks_nothing() {
    // 2025: urgency 0 is hidden, and with it the smallest other route,
    // direct with 5: shown beside the total, the two must add up to 5, and
    // a <5 with an x (5 or more) can only be 0 and 5. Every advert let is
    // on no known advert, so "checked" and "discretionary" are 0 beside a
    // total equal to the one shown part. 2026 repeats the pattern, and the
    // all-years row sums the two.
    let mut f = Fixture::new("annual-leak");
    let mut rows = Vec::new();
    for (year, counts) in [(2025, [20, 0, 5, 6, 7, 8]), (2026, [30, 0, 6, 5, 9, 0])] {
        for (route, n) in ["advert", "urgency", "direct", "temporary", "swap", "other"]
            .iter()
            .zip(counts)
        {
            lets(&mut rows, year, route, n);
        }
    }
    let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
    f.set("allocations", ALLOCATIONS, &refs);
    assert_ok(&f.run(&[]));
    let annual = annual_of(&f.out());
    assert_eq!(annual["years"][0]["routes"]["urgency"], "<5");
    assert_nothing_derivable(&annual);
    for year in ["2025", "2026"] {
        assert_ok(&f.run(&["--period", year]));
        assert_nothing_derivable(&annual_of(&f.out()));
    }
}

fn stderr_of(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A let of 2025 on each route but the advert, 6 of each.
fn year_2025() -> Fixture {
    let mut f = Fixture::new("annual-limits");
    let mut rows = Vec::new();
    for route in ["urgency", "direct", "temporary", "swap", "other"] {
        lets(&mut rows, 2025, route, 6);
    }
    let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
    f.set("allocations", ALLOCATIONS, &refs);
    f
}

const LIMITS_2025: &str = "[[limits]]\nyear = 2025\npassend_income_single = 32175\npassend_income_multi = 43700\naftopping_low = 682.96\naftopping_high = 731.93\ndaeb_rent_cap = 900.07\ndaeb_income_single = 49069\ndaeb_income_multi = 54184\n";

#[test]
fn a_year_without_limits_of_its_own_is_warned_about_on_screen_and_in_the_files() {
    let mut f = year_2025();
    let o = f.run(&[]);
    assert_ok(&o);
    let err = stderr_of(&o);
    assert!(
        err.contains(
            "warning: 2025: no [[limits]] of its own, so passend and DAEB use the limits of 2024"
        ),
        "{err}"
    );
    let md = std::fs::read_to_string(f.out().join("annual.md")).unwrap();
    assert!(md.contains("## Let op"), "{md}");
    assert!(md.contains("berekend met de grenzen van 2024"), "{md}");
    assert!(md.contains("| 2025 | 2024 (!) |"), "{md}");
    let annual = annual_of(&f.out());
    let warnings = annual["warnings"].as_array().expect("warnings");
    assert!(warnings[0].as_str().unwrap().starts_with("2025: "));
    // Dutch, and without the tool's own words.
    assert!(
        md.starts_with("# Verhuurcijfers voor het jaarverslag"),
        "{md}"
    );
    for jargon in [
        "ORDER_BYPASS",
        "--reviews",
        "run --",
        "allocated_on",
        "contract_start",
    ] {
        assert!(!md.contains(jargon), "{jargon} in annual.md");
    }

    // With limits of its own: no warning anywhere.
    f.raw("woonaudit.toml", LIMITS_2025);
    let o = f.run(&[]);
    assert_ok(&o);
    assert!(!stderr_of(&o).contains("[[limits]]"), "{}", stderr_of(&o));
    let md = std::fs::read_to_string(f.out().join("annual.md")).unwrap();
    assert!(!md.contains("## Let op"), "{md}");
    assert!(annual_of(&f.out()).get("warnings").is_none());
}

#[test]
fn a_partial_limits_block_names_every_missing_key() {
    let mut f = year_2025();
    f.raw(
        "woonaudit.toml",
        "[[limits]]\nyear = 2025\npassend_income_single = 32175\ndaeb_rent_cap = 900.07\n",
    );
    let o = f.run(&[]);
    let err = stderr_of(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("year 2025 misses passend_income_multi, aftopping_low, aftopping_high, daeb_income_single, daeb_income_multi"),
        "{err}"
    );
}

#[test]
fn a_year_the_period_covers_in_part_is_marked() {
    // Let in December 2025, contract from January 2026: with --period 2025
    // it counts for 2026 (the year of a let, as stats.json has it), a row
    // of which the period holds only part.
    let mut f = Fixture::new("annual-part");
    let header = format!("{ALLOCATIONS},contract_start");
    let mut rows = Vec::new();
    for i in 0..6 {
        rows.push(format!(
            "A{i},D{i},X{i},2025-12-20,direct,,E1,E1,reason,2026-01-05"
        ));
        rows.push(format!(
            "B{i},E{i},Y{i},2025-06-20,direct,,E1,E1,reason,2025-07-01"
        ));
    }
    let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
    f.set("allocations", &header, &refs);
    assert_ok(&f.run(&["--period", "2025"]));
    let annual = annual_of(&f.out());
    let years: Vec<i64> = annual["years"]
        .as_array()
        .unwrap()
        .iter()
        .map(|y| y["year"].as_i64().unwrap())
        .collect();
    assert_eq!(years, [2025, 2026]);
    assert_eq!(annual["period"], "2025");
    let stats: Value =
        serde_json::from_slice(&std::fs::read(f.out().join("stats.json")).unwrap()).unwrap();
    assert_eq!(stats["compliance"][1]["year"], 2026);
    let warnings: Vec<&str> = annual["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("2026: de periode omvat dit jaar niet helemaal")),
        "{warnings:?}"
    );
    assert!(
        !warnings.iter().any(|w| w.starts_with("2025: de periode")),
        "{warnings:?}"
    );
}

#[test]
fn an_empty_period_says_so_on_screen_and_at_the_top_of_the_report() {
    let f = year_2025();
    let o = f.run(&["--period", "2030"]);
    assert_ok(&o);
    let err = stderr_of(&o);
    assert!(
        err.contains("0 allocations, 0 adverts and 0 sales in 2030-01-01 to 2030-12-31"),
        "{err}"
    );
    assert!(
        err.contains("check --period") && err.contains("2025-03-01"),
        "{err}"
    );
    let html = std::fs::read_to_string(f.out().join("report.html")).unwrap();
    let top = &html[..html.find("<nav>").unwrap()];
    assert!(top.contains("Nothing to test."), "{top}");

    // A period with lets opens with what was tested, by route.
    assert_ok(&f.run(&["--period", "2025"]));
    let html = std::fs::read_to_string(f.out().join("report.html")).unwrap();
    let top = &html[..html.find("<nav>").unwrap()];
    assert!(
        top.contains("In this period: 30 allocation(s) (advert 0, urgency 6, direct 6, temporary 6, swap 6, other 6), 0 advert(s) closing and 0 sale(s)."),
        "{top}"
    );
}
