//! The charts (issue 5, item 1; issue 12): six charts in charts/ as SVG and PNG,
//! byte-identical across runs, inline in report.html, and drawn (empty,
//! with a note) when there is nothing to plot.

use std::path::{Path, PathBuf};

use crate::common::*;

const NAMES: [&str; 6] = [
    "lets_per_route",
    "bypass_share",
    "waiting_days",
    "sale_price",
    "handler_bypass",
    "skip_share",
];

const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run_sample(name: &str) -> PathBuf {
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("charts-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let o = woonaudit(&["run", "--out", out.to_str().unwrap()], &repo());
    assert_ok(&o);
    out
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The twelve files exist, PNGs are PNGs of a sensible size, SVGs are SVG.
fn assert_charts(out: &Path) {
    for name in NAMES {
        let svg = read(&out.join(format!("charts/{name}.svg")));
        let text = String::from_utf8(svg).expect("SVG is UTF-8");
        assert!(text.contains("<svg"), "{name}.svg is no SVG");
        assert!(text.trim_end().ends_with("</svg>"), "{name}.svg is cut off");
        assert!(text.contains("<text"), "{name}.svg has no text");
        let png = read(&out.join(format!("charts/{name}.png")));
        assert!(png.starts_with(&PNG_SIGNATURE), "{name}.png is no PNG");
        assert!(png.len() > 5_000, "{name}.png is only {} bytes", png.len());
        // IHDR: width and height, big-endian, at bytes 16..24.
        let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
        let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
        assert_eq!((width, height), (960, 540), "{name}.png size");
    }
    // No temporary files left behind.
    for entry in std::fs::read_dir(out.join("charts")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.starts_with('.'), "left over: {name}");
    }
}

#[test]
fn the_sample_gives_twelve_chart_files_identical_across_runs_and_inline_in_the_report() {
    let (a, b) = (run_sample("a"), run_sample("b"));
    assert_charts(&a);
    for name in NAMES {
        let file = format!("charts/{name}.svg");
        assert!(
            read(&a.join(&file)) == read(&b.join(&file)),
            "{file} differs between runs"
        );
    }
    let html = String::from_utf8(read(&a.join("report.html"))).unwrap();
    assert!(!html.contains("Charts: not yet rendered"));
    assert!(!html.contains("http://"), "a URL in report.html");
    assert_eq!(html.matches("<svg").count(), 6, "six inline SVGs");
    for name in NAMES {
        let svg = String::from_utf8(read(&a.join(format!("charts/{name}.svg")))).unwrap();
        // Inline, less the namespace (HTML needs none; the page names no URL).
        let inline = svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1);
        assert!(
            html.contains(inline.trim()),
            "{name} not inline in report.html"
        );
    }
    // The sample has sales, linked tenants and tested employees: the
    // charts carry data, not the empty-chart notes.
    let all: String = NAMES
        .iter()
        .map(|n| String::from_utf8(read(&a.join(format!("charts/{n}.svg")))).unwrap())
        .collect();
    assert!(
        !all.contains("nothing to draw"),
        "an empty chart for the sample"
    );
    assert!(
        all.contains("2025-Q1") || all.contains("2026-Q1"),
        "no quarter labels"
    );
    assert!(all.contains("price = appraisal value"));
}

#[test]
fn charts_without_sales_or_linked_tenants_are_drawn_with_a_note() {
    let mut f = Fixture::new("charts-empty");
    f.set(
        "allocations",
        ALLOCATIONS,
        &[
            "A1,D1,X1,2026-02-01,direct,,E1,E1,medical",
            "A2,D2,X2,2026-05-01,urgency,,E1,E1,fire",
        ],
    );
    assert_ok(&f.run(&[]));
    let out = f.out();
    assert_charts(&out);
    let svg =
        |name: &str| String::from_utf8(read(&out.join(format!("charts/{name}.svg")))).unwrap();
    assert!(svg("lets_per_route").contains("2026-Q2"));
    assert!(svg("sale_price").contains("No sales in the period"));
    assert!(svg("bypass_share").contains("No advert lets in the period"));
    assert!(svg("handler_bypass").contains("No employee handled enough"));
    assert!(svg("skip_share").contains("No employee recorded enough"));
    let html = String::from_utf8(read(&out.join("report.html"))).unwrap();
    assert_eq!(html.matches("<svg").count(), 6);
}

#[test]
fn a_run_with_nothing_at_all_still_draws_every_chart() {
    let f = Fixture::new("charts-nothing");
    assert_ok(&f.run(&[]));
    assert_charts(&f.out());
}

#[test]
fn a_stopped_run_keeps_the_charts_of_an_earlier_run_marked_not_current() {
    let mut f = Fixture::new("charts-stale");
    assert_ok(&f.run(&[]));
    assert!(f.out().join("charts/sale_price.svg").exists());
    f.set(
        "allocations",
        ALLOCATIONS,
        &["A1,D1,X1,not a date,direct,,E1,E1,medical"],
    );
    let o = f.run(&[]);
    assert!(!o.status.success());
    for name in NAMES {
        assert!(f.out().join(format!("charts/{name}.svg")).exists());
        assert!(f.out().join(format!("charts/{name}.png")).exists());
    }
    let note = std::fs::read_to_string(f.out().join("STALE.txt")).unwrap();
    assert!(note.contains("charts/sale_price.svg"), "{note}");
}
