//! charts/ (issue 5, item 1; issue 12): the six charts of the audit, each
//! as SVG and PNG, and inline in report.html.
//!
//! The charts are drawn with plotters and the DejaVu Sans font the binary
//! carries (a fresh machine has no system fonts). They are readable without
//! colour: routes have fill patterns and labelled segments, the two groups
//! of tenants have different marker shapes, and every legend names its
//! shapes in words. Everything is drawn in a fixed order from sorted data,
//! so the SVG text is byte-identical across runs. Text in the SVG (employee
//! ids among it) is escaped by plotters' SVG backend.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::Datelike;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, FontTransform};

use image::ImageEncoder;

use super::{OutFile, Report};
use crate::analysis::{Facts, LetFact};
use crate::audit::Audit;
use crate::checks::CheckCode;
use crate::error::{Error, Result};
use crate::model::{Date, Route};
use crate::privacy::pseudonym::Mask;
use crate::stats::wilson;

/// The font every chart is drawn with (DejaVu Sans, see
/// assets/fonts/LICENSE-DejaVu.txt).
const FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// The family name the font is registered under.
const FAMILY: &str = "sans-serif";
/// Width and height of every chart in pixels.
const SIZE: (u32, u32) = (960, 540);
/// The folder in the output folder the chart files go to.
pub const DIR: &str = "charts";

/// The file stems of the charts, in the order they are drawn.
pub const NAMES: [&str; 6] = [
    "lets_per_route",
    "bypass_share",
    "waiting_days",
    "sale_price",
    "handler_bypass",
    "skip_share",
];

type Res = std::result::Result<(), Box<dyn std::error::Error>>;

/// One chart: its data, title and SVG text.
pub struct Chart {
    /// File stem in charts/ (`<name>.svg`, `<name>.png`).
    pub name: &'static str,
    /// The title, in plain words.
    pub title: String,
    /// The SVG text.
    pub svg: String,
    plot: Plot,
}

/// The data of one chart.
enum Plot {
    /// Lets per route (in `Route::ALL` order) per quarter.
    Routes {
        quarters: Vec<String>,
        counts: Vec<Vec<u64>>,
    },
    /// Advert lets (with a bypass, all) per quarter, linked and other.
    Bypass {
        quarters: Vec<String>,
        linked: Vec<(u64, u64)>,
        other: Vec<(u64, u64)>,
    },
    /// Waiting days at allocation, linked and other.
    Waiting { linked: Vec<f64>, other: Vec<f64> },
    /// Sales as (appraisal, price, linked buyer), in euros.
    Sales {
        /// (appraisal value, price, buyer linked, flagged below appraisal).
        points: Vec<SalePoint>,
        /// The largest scheme discount of the period's sales, when one
        /// has any: the band of prices a discount scheme allows.
        band: Option<f64>,
    },
    /// Tested employees and the overall share.
    Handlers {
        rows: Vec<HandlerBar>,
        overall: Option<f64>,
    },
    /// The tested deciding employees (ACTOR_SKIP_RATE) and the overall
    /// share of skips: bars as on the handler chart.
    Skips {
        rows: Vec<HandlerBar>,
        overall: Option<f64>,
    },
}

struct HandlerBar {
    employee: String,
    allocations: u64,
    with_bypass: u64,
    share: f64,
    flagged: bool,
}

fn fail(path: &Path, message: String) -> Error {
    Error::Output {
        path: path.to_path_buf(),
        source: std::io::Error::other(message),
    }
}

/// Registers the embedded font once.
fn register() -> Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED
        .get_or_init(|| plotters::style::register_font(FAMILY, FontStyle::Normal, FONT).is_ok());
    if ok {
        Ok(())
    } else {
        Err(fail(
            Path::new(DIR),
            "the embedded chart font cannot be read".to_string(),
        ))
    }
}

/// The quarter of a day as (year, 1..=4).
fn quarter(day: Date) -> (i32, u32) {
    (day.year(), day.month0() / 3 + 1)
}

/// The quarter a let belongs to: that of its contract start, else of its
/// allocation, the date rule by which stats.json and the annual files put
/// a let in a year, so a chart's quarters add up to their years.
fn let_quarter(l: &LetFact<'_>) -> (i32, u32) {
    quarter(l.alloc.contract_start.unwrap_or(l.alloc.allocated_on))
}

/// Every quarter from the first to the last let in the period, gaps
/// included.
fn quarters(lets: &[LetFact<'_>]) -> Vec<(i32, u32)> {
    let first = lets.iter().map(let_quarter).min();
    let last = lets.iter().map(let_quarter).max();
    let (Some(mut q), Some(last)) = (first, last) else {
        return Vec::new();
    };
    let mut all = Vec::new();
    while q <= last {
        all.push(q);
        q = if q.1 == 4 {
            (q.0 + 1, 1)
        } else {
            (q.0, q.1 + 1)
        };
    }
    all
}

fn label((y, q): (i32, u32)) -> String {
    format!("{y}-Q{q}")
}

/// Computes the data of every chart from the audit's facts and draws its
/// SVG. With `--pseudonymise`, `mask` gives the employee ids the handler
/// chart shows.
pub fn build(audit: &Audit<'_>, mask: &Mask) -> Result<Vec<Chart>> {
    register()?;
    let facts = &audit.facts;
    let qs = quarters(&facts.lets);
    let index: BTreeMap<(i32, u32), usize> = qs.iter().enumerate().map(|(i, q)| (*q, i)).collect();
    let labels: Vec<String> = qs.iter().copied().map(label).collect();
    let plots = [
        (
            "Lets per route per quarter",
            routes_plot(facts, &index, labels.clone()),
        ),
        (
            "Share of advert lets with a bypass, linked vs other tenants, per quarter",
            bypass_plot(facts, &index, labels),
        ),
        (
            "Days on the waiting list at allocation (advert lets), linked vs other tenants",
            waiting_plot(facts),
        ),
        ("Sale price against appraisal value", sales_plot(audit)),
        (
            "Share of advert lets with a bypass per letting employee",
            handlers_plot(audit, mask),
        ),
        (
            "Share of skipped outcomes per deciding employee (ACTOR_SKIP_RATE family)",
            skips_plot(audit, mask),
        ),
    ];
    plots
        .into_iter()
        .zip(NAMES)
        .map(|((title, plot), name)| -> Result<Chart> {
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
                draw(&plot, title, &root).map_err(|e| {
                    fail(&Path::new(DIR).join(format!("{name}.svg")), e.to_string())
                })?;
            }
            Ok(Chart {
                name,
                title: title.to_string(),
                svg,
                plot,
            })
        })
        .collect()
}

/// 1. Lets per route per quarter.
fn routes_plot(
    facts: &Facts<'_>,
    index: &BTreeMap<(i32, u32), usize>,
    quarters: Vec<String>,
) -> Plot {
    let mut counts = vec![vec![0u64; Route::ALL.len()]; index.len()];
    for l in &facts.lets {
        let r = Route::ALL.iter().position(|r| *r == l.alloc.route);
        if let (Some(&i), Some(r)) = (index.get(&let_quarter(l)), r) {
            counts[i][r] += 1;
        }
    }
    Plot::Routes { quarters, counts }
}

/// Chart 2: advert lets with a bypass per quarter (of the let, as in
/// chart 1), the tenant linked to staff or not on allocated_on.
fn bypass_plot(
    facts: &Facts<'_>,
    index: &BTreeMap<(i32, u32), usize>,
    quarters: Vec<String>,
) -> Plot {
    let mut linked = vec![(0u64, 0u64); index.len()];
    let mut other = vec![(0u64, 0u64); index.len()];
    for l in facts.advert_lets() {
        if let Some(&i) = index.get(&let_quarter(l)) {
            let cell = if l.linked() {
                &mut linked[i]
            } else {
                &mut other[i]
            };
            cell.0 += u64::from(l.bypass);
            cell.1 += 1;
        }
    }
    Plot::Bypass {
        quarters,
        linked,
        other,
    }
}

/// 3. Days waited by the tenants of advert lets, linked or not.
fn waiting_plot(facts: &Facts<'_>) -> Plot {
    let (mut linked, mut other) = (Vec::new(), Vec::new());
    for l in facts.advert_lets() {
        if let Some(days) = l.days_waited {
            if l.linked() {
                linked.push(days as f64);
            } else {
                other.push(days as f64);
            }
        }
    }
    Plot::Waiting { linked, other }
}

/// One sale of the sales chart: appraisal value, price (euros), whether
/// the buyer is linked, whether SALE_BELOW_APPRAISAL flagged it.
type SalePoint = (f64, f64, bool, bool);

/// Chart 4: sales in the period with a positive appraisal value, those
/// flagged by SALE_BELOW_APPRAISAL marked, and the band a discount scheme
/// allows.
fn sales_plot(audit: &Audit<'_>) -> Plot {
    let flagged: std::collections::BTreeSet<&str> = audit
        .findings
        .iter()
        .filter(|f| f.check == CheckCode::SaleBelowAppraisal)
        .map(|f| f.subject_id.as_str())
        .collect();
    let sales = || audit.facts.sales.iter().filter(|s| s.discount.is_some());
    let mut points: Vec<SalePoint> = sales()
        .map(|s| {
            (
                s.sale.appraisal_value.0 as f64 / 100.0,
                s.sale.price.0 as f64 / 100.0,
                s.linked,
                flagged.contains(s.sale.id.as_str()),
            )
        })
        .collect();
    points.sort_by(|a, b| {
        a.2.cmp(&b.2)
            .then(a.0.total_cmp(&b.0))
            .then(a.1.total_cmp(&b.1))
    });
    let band = sales()
        .map(|s| s.sale.scheme_discount.to_f64())
        .filter(|d| d.is_finite() && *d > 0.0 && *d < 1.0)
        .fold(None, |m: Option<f64>, d| Some(m.map_or(d, |m| m.max(d))));
    Plot::Sales { points, band }
}

/// The employees a rate check (HANDLER_BYPASS_RATE, ACTOR_SKIP_RATE)
/// flagged, by id.
fn flagged_by<'a>(audit: &'a Audit<'_>, check: CheckCode) -> BTreeSet<&'a str> {
    audit
        .findings
        .iter()
        .filter(|f| f.check == check)
        .map(|f| {
            f.employee_id
                .as_ref()
                .map_or(f.subject_id.as_str(), |e| e.as_str())
        })
        .collect()
}

/// 5. The tested letting employees, flagged by HANDLER_BYPASS_RATE.
fn handlers_plot(audit: &Audit<'_>, mask: &Mask) -> Plot {
    let stats = &audit.stats;
    let flagged = flagged_by(audit, CheckCode::HandlerBypassRate);
    let rows = stats
        .handlers
        .iter()
        .map(|h| HandlerBar {
            employee: mask.value(&h.employee_id),
            allocations: h.allocations,
            with_bypass: h.with_bypass,
            share: if h.share.is_finite() { h.share } else { 0.0 },
            flagged: flagged.contains(h.employee_id.as_str()),
        })
        .collect();
    let overall = stats
        .handlers
        .first()
        .and_then(|h| h.overall_share)
        .or_else(|| {
            let b = &stats.bypass_disparity;
            let n = b.linked.allocations + b.other.allocations;
            (n > 0).then(|| (b.linked.with_bypass + b.other.with_bypass) as f64 / n as f64)
        });
    Plot::Handlers { rows, overall }
}

/// Chart 6 (issue 12): the tested deciding employees, flagged by
/// ACTOR_SKIP_RATE; per employee, `skipped` among their declined, skipped
/// or withdrawn outcomes of eligible candidates (`skip_rates`).
fn skips_plot(audit: &Audit<'_>, mask: &Mask) -> Plot {
    let stats = &audit.stats;
    let flagged = flagged_by(audit, CheckCode::ActorSkipRate);
    let rows = stats
        .skip_rates
        .iter()
        .map(|s| HandlerBar {
            employee: mask.value(&s.employee_id),
            allocations: s.decisions,
            with_bypass: s.skipped,
            share: if s.share.is_finite() { s.share } else { 0.0 },
            flagged: flagged.contains(s.employee_id.as_str()),
        })
        .collect();
    let overall = stats.skip_rates.first().and_then(|s| s.overall_share);
    Plot::Skips { rows, overall }
}

/// Renders charts/: every chart as SVG and PNG.
pub fn render(report: &Report<'_>) -> Result<Vec<OutFile>> {
    let mut files = Vec::new();
    for chart in &report.charts {
        let dir = Path::new(DIR);
        files.push((
            dir.join(format!("{}.svg", chart.name)),
            chart.svg.clone().into_bytes(),
        ));
        let path = dir.join(format!("{}.png", chart.name));
        let png = chart.png().map_err(|e| fail(&path, e.to_string()))?;
        files.push((path, png));
    }
    Ok(files)
}

impl Chart {
    /// The chart as PNG: drawn into a bitmap, encoded as the bitmap
    /// backend would encode it into a file.
    fn png(&self) -> std::result::Result<Vec<u8>, Box<dyn std::error::Error>> {
        let (w, h) = SIZE;
        let mut pixels = vec![0u8; (w * h * 3) as usize];
        {
            let root = BitMapBackend::with_buffer(&mut pixels, SIZE).into_drawing_area();
            draw(&self.plot, &self.title, &root)?;
            root.present()?;
        }
        let mut png = Vec::new();
        image::codecs::png::PngEncoder::new(&mut png).write_image(
            &pixels,
            w,
            h,
            image::ColorType::Rgb8,
        )?;
        Ok(png)
    }
}

/// The chart files of a run, relative to the output folder.
pub fn files() -> Vec<PathBuf> {
    NAMES
        .iter()
        .flat_map(|n| ["svg", "png"].map(|ext| Path::new(DIR).join(format!("{n}.{ext}"))))
        .collect()
}

// ---- drawing -------------------------------------------------------------

/// Fill patterns, so that routes and groups differ without colour.
#[derive(Clone, Copy)]
enum Pattern {
    Solid,
    Diagonal,
    Horizontal,
    Vertical,
    Grid,
    Dots,
}

/// Colour and pattern of each route, in `Route::ALL` order.
const ROUTE_STYLE: [(RGBColor, Pattern); 6] = [
    (RGBColor(0x1f, 0x4e, 0x9a), Pattern::Solid),
    (RGBColor(0xe6, 0x9f, 0x00), Pattern::Diagonal),
    (RGBColor(0x8f, 0xd1, 0x7f), Pattern::Horizontal),
    (RGBColor(0xbb, 0xbb, 0xbb), Pattern::Vertical),
    (RGBColor(0xf0, 0xe4, 0x42), Pattern::Grid),
    (RGBColor(0xff, 0xff, 0xff), Pattern::Dots),
];

const LINKED: RGBColor = RGBColor(0xc0, 0x39, 0x2b);
const OTHER: RGBColor = RGBColor(0x2c, 0x5f, 0xa8);
const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);

#[derive(Clone, Copy)]
enum Marker {
    /// Filled triangle: linked tenants or buyers.
    Triangle,
    /// Open circle: the others.
    Circle,
    /// An open square around another marker: flagged by a check.
    Ring,
}

enum Swatch {
    Fill(RGBColor, Pattern),
    Marker(Marker, RGBColor),
    Line(RGBColor),
}

fn text_style(size: u32, h: HPos, v: VPos) -> TextStyle<'static> {
    TextStyle::from((FAMILY, size).into_font())
        .color(&INK)
        .pos(Pos::new(h, v))
}

/// Draws a pattern over a pixel rectangle.
fn pattern<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x0, y0): (i32, i32),
    (x1, y1): (i32, i32),
    p: Pattern,
) -> Res
where
    DB::ErrorType: 'static,
{
    let (x0, x1) = (x0.min(x1), x0.max(x1));
    let (y0, y1) = (y0.min(y1), y0.max(y1));
    let ink = INK.mix(0.75).stroke_width(1);
    const STEP: i32 = 7;
    let mut lines: Vec<[(i32, i32); 2]> = Vec::new();
    match p {
        Pattern::Solid => {}
        Pattern::Horizontal | Pattern::Grid | Pattern::Vertical => {
            if matches!(p, Pattern::Horizontal | Pattern::Grid) {
                let mut y = y0 + STEP / 2;
                while y < y1 {
                    lines.push([(x0, y), (x1, y)]);
                    y += STEP;
                }
            }
            if matches!(p, Pattern::Vertical | Pattern::Grid) {
                let mut x = x0 + STEP / 2;
                while x < x1 {
                    lines.push([(x, y0), (x, y1)]);
                    x += STEP;
                }
            }
        }
        Pattern::Diagonal => {
            // Lines y = x + c, clipped to the rectangle.
            let mut c = y0 - x1 + STEP / 2;
            while c < y1 - x0 {
                let xa = x0.max(y0 - c);
                let xb = x1.min(y1 - c);
                if xa < xb {
                    lines.push([(xa, xa + c), (xb, xb + c)]);
                }
                c += STEP;
            }
        }
        Pattern::Dots => {
            let mut y = y0 + STEP / 2;
            while y < y1 {
                let mut x = x0 + STEP / 2;
                while x < x1 {
                    area.draw(&Rectangle::new([(x, y), (x + 1, y + 1)], INK.filled()))?;
                    x += STEP;
                }
                y += STEP;
            }
        }
    }
    for l in lines {
        area.draw(&PathElement::new(l.to_vec(), ink))?;
    }
    Ok(())
}

/// A filled, patterned, outlined pixel rectangle.
fn bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    a: (i32, i32),
    b: (i32, i32),
    color: RGBColor,
    p: Pattern,
) -> Res
where
    DB::ErrorType: 'static,
{
    area.draw(&Rectangle::new([a, b], color.filled()))?;
    pattern(area, a, b, p)?;
    area.draw(&Rectangle::new([a, b], INK.stroke_width(1)))?;
    Ok(())
}

fn marker<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
    m: Marker,
    color: RGBColor,
) -> Res
where
    DB::ErrorType: 'static,
{
    match m {
        Marker::Triangle => {
            let pts = vec![(x, y - 7), (x - 7, y + 5), (x + 7, y + 5)];
            area.draw(&Polygon::new(pts.clone(), color.filled()))?;
            let mut outline = pts;
            outline.push((x, y - 7));
            area.draw(&PathElement::new(outline, INK.stroke_width(1)))?;
        }
        Marker::Circle => {
            area.draw(&Circle::new((x, y), 5, WHITE.filled()))?;
            area.draw(&Circle::new((x, y), 5, color.stroke_width(2)))?;
        }
        Marker::Ring => {
            area.draw(&Rectangle::new(
                [(x - 10, y - 10), (x + 10, y + 10)],
                color.stroke_width(2),
            ))?;
        }
    }
    Ok(())
}

/// A legend in one line across the top of `area`.
fn legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, items: &[(Swatch, String)]) -> Res
where
    DB::ErrorType: 'static,
{
    let style = text_style(14, HPos::Left, VPos::Center);
    let mut x = 20;
    let y = 16;
    for (swatch, text) in items {
        match swatch {
            Swatch::Fill(c, p) => bar(area, (x, y - 8), (x + 22, y + 8), *c, *p)?,
            Swatch::Marker(m, c) => marker(area, (x + 11, y), *m, *c)?,
            Swatch::Line(c) => {
                area.draw(&PathElement::new(
                    vec![(x, y), (x + 22, y)],
                    c.stroke_width(3),
                ))?;
            }
        }
        area.draw(&Text::new(text.clone(), (x + 28, y), style.clone()))?;
        let (w, _) = area.estimate_text_size(text, &style)?;
        x += 28 + w as i32 + 22;
    }
    Ok(())
}

/// An empty chart with a note saying why.
fn note<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, text: &str) -> Res
where
    DB::ErrorType: 'static,
{
    let (w, h) = area.dim_in_pixel();
    area.draw(&Rectangle::new(
        [(20, 10), (w as i32 - 20, h as i32 - 20)],
        INK.mix(0.4).stroke_width(1),
    ))?;
    area.draw(&Text::new(
        text.to_string(),
        (w as i32 / 2, h as i32 / 2),
        text_style(18, HPos::Center, VPos::Center),
    ))?;
    Ok(())
}

/// Which category labels to write so they do not overlap.
fn label_step(n: usize, room: usize) -> usize {
    n.div_ceil(room.max(1)).max(1)
}

/// Draws one chart on `root` and presents it.
fn draw<DB: DrawingBackend>(plot: &Plot, title: &str, root: &DrawingArea<DB, Shift>) -> Res
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let area = root.titled(title, (FAMILY, 22).into_font().color(&INK))?;
    let (top, body) = area.split_vertically(34);
    match plot {
        Plot::Routes { quarters, counts } => routes(root, &top, &body, quarters, counts)?,
        Plot::Bypass {
            quarters,
            linked,
            other,
        } => bypass(root, &top, &body, quarters, linked, other)?,
        Plot::Waiting { linked, other } => waiting(root, &top, &body, linked, other)?,
        Plot::Sales { points, band } => sales(root, &top, &body, points, *band)?,
        Plot::Handlers { rows, overall } => {
            handlers(root, &top, &body, rows, *overall, &HANDLER_TEXT)?
        }
        Plot::Skips { rows, overall } => handlers(root, &top, &body, rows, *overall, &SKIP_TEXT)?,
    }
    root.present()?;
    Ok(())
}

/// Quarter labels under the x axis.
fn quarter_labels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    quarters: &[String],
    at: impl Fn(usize) -> (i32, i32),
) -> Res
where
    DB::ErrorType: 'static,
{
    let step = label_step(quarters.len(), 16);
    for (i, q) in quarters.iter().enumerate().step_by(step) {
        let (x, y) = at(i);
        root.draw(&Text::new(
            q.clone(),
            (x, y + 6),
            text_style(13, HPos::Center, VPos::Top),
        ))?;
    }
    Ok(())
}

fn routes<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    top: &DrawingArea<DB, Shift>,
    body: &DrawingArea<DB, Shift>,
    quarters: &[String],
    counts: &[Vec<u64>],
) -> Res
where
    DB::ErrorType: 'static,
{
    if quarters.is_empty() {
        return note(body, "No lets in the period: nothing to draw.");
    }
    let items: Vec<(Swatch, String)> = ROUTE_STYLE
        .iter()
        .zip(Route::ALL)
        .map(|((c, p), n)| (Swatch::Fill(*c, *p), n.chart_label().to_string()))
        .collect();
    legend(top, &items)?;
    let n = quarters.len();
    let max = counts
        .iter()
        .map(|c| c.iter().sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let ymax = (max as f64 * 1.12).ceil() as i64 + 1;
    let mut chart = ChartBuilder::on(body)
        .margin(14)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0i64..ymax)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .x_label_formatter(&|_| String::new())
        .x_desc("Quarter of the let (contract start, else allocation date)")
        .y_desc("Number of lets")
        .label_style((FAMILY, 14).into_font().color(&INK))
        .axis_desc_style((FAMILY, 15).into_font().color(&INK))
        .draw()?;
    quarter_labels(root, quarters, |i| chart.backend_coord(&(i as f64, 0)))?;
    let small = text_style(11, HPos::Center, VPos::Center);
    for (i, row) in counts.iter().enumerate() {
        let x = i as f64;
        let mut base = 0i64;
        for (r, &c) in row.iter().enumerate() {
            if c == 0 {
                continue;
            }
            let c = i64::try_from(c).unwrap_or(i64::MAX);
            let (color, p) = ROUTE_STYLE[r % ROUTE_STYLE.len()];
            let a = chart.backend_coord(&(x - 0.35, base + c));
            let b = chart.backend_coord(&(x + 0.35, base));
            bar(root, a, b, color, p)?;
            if (b.1 - a.1) >= 16 && (b.0 - a.0) >= 22 {
                // The count on a white tag, readable over any pattern.
                let text = c.to_string();
                let (w, h) = root.estimate_text_size(&text, &small)?;
                let (cx, cy) = ((a.0 + b.0) / 2, (a.1 + b.1) / 2);
                let (hw, hh) = (w as i32 / 2 + 2, h as i32 / 2 + 1);
                root.draw(&Rectangle::new(
                    [(cx - hw, cy - hh), (cx + hw, cy + hh)],
                    WHITE.filled(),
                ))?;
                root.draw(&Text::new(text, (cx, cy), small.clone()))?;
            }
            base += c;
        }
        let (cx, cy) = chart.backend_coord(&(x, base));
        root.draw(&Text::new(
            base.to_string(),
            (cx, cy - 4),
            text_style(12, HPos::Center, VPos::Bottom),
        ))?;
    }
    Ok(())
}

fn percent_axis(v: &f64) -> String {
    // The axis starts a little under 0 so that markers at 0% stand clear
    // of the quarter labels; that stretch gets no label.
    if *v < -1e-9 {
        String::new()
    } else {
        format!("{:.0}%", v.abs() * 100.0)
    }
}

/// The legend of the bypass chart: the two groups' markers, what the
/// bars and counts mean, and a note when no linked tenant had an advert
/// let.
fn bypass_legend<DB: DrawingBackend>(top: &DrawingArea<DB, Shift>, none_linked: bool) -> Res
where
    DB::ErrorType: 'static,
{
    let mut items = vec![
        (
            Swatch::Marker(Marker::Triangle, LINKED),
            "linked to staff (triangle)".to_string(),
        ),
        (
            Swatch::Marker(Marker::Circle, OTHER),
            "other tenants (circle)".to_string(),
        ),
        (
            Swatch::Line(INK),
            "bars: 95% Wilson interval; k/n: lets with a bypass / lets".to_string(),
        ),
    ];
    if none_linked {
        items.push((
            Swatch::Line(WHITE),
            "no advert lets to linked tenants".to_string(),
        ));
    }
    legend(top, &items)
}

/// Chart 2: per quarter, the share of advert lets with a bypass in each
/// group, with its interval.
fn bypass<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    top: &DrawingArea<DB, Shift>,
    body: &DrawingArea<DB, Shift>,
    quarters: &[String],
    linked: &[(u64, u64)],
    other: &[(u64, u64)],
) -> Res
where
    DB::ErrorType: 'static,
{
    let lets = |g: &[(u64, u64)]| g.iter().map(|c| c.1).sum::<u64>();
    if lets(linked) + lets(other) == 0 {
        return note(body, "No advert lets in the period: nothing to draw.");
    }
    bypass_legend(top, lets(linked) == 0)?;
    let n = quarters.len();
    let mut chart = ChartBuilder::on(body)
        .margin(14)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), -0.04f64..1.08f64)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .x_label_formatter(&|_| String::new())
        .y_labels(12)
        .y_label_formatter(&percent_axis)
        .x_desc("Quarter of the let (contract start, else allocation date)")
        .y_desc("Advert lets with a bypassed candidate")
        .label_style((FAMILY, 14).into_font().color(&INK))
        .axis_desc_style((FAMILY, 15).into_font().color(&INK))
        .draw()?;
    quarter_labels(root, quarters, |i| chart.backend_coord(&(i as f64, -0.04)))?;
    let at = |x: f64, y: f64| chart.backend_coord(&(x, y));
    for (group, offset, m, color) in [
        (linked, -0.16, Marker::Triangle, LINKED),
        (other, 0.16, Marker::Circle, OTHER),
    ] {
        for (i, &counts) in group.iter().enumerate() {
            wilson_interval(root, at, i as f64 + offset, counts, (m, color), n <= 12)?;
        }
    }
    Ok(())
}

/// One group's share of one quarter on the bypass chart, at `x`: its 95%
/// Wilson interval as a capped bar and the share as the group's marker,
/// with `k/n` over it when `count` is set; nothing for a quarter
/// without lets. `at` maps chart coordinates to pixels.
fn wilson_interval<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    at: impl Fn(f64, f64) -> (i32, i32),
    x: f64,
    (k, lets): (u64, u64),
    (m, color): (Marker, RGBColor),
    count: bool,
) -> Res
where
    DB::ErrorType: 'static,
{
    let Some((low, high)) = wilson(k, lets) else {
        return Ok(());
    };
    let share = k as f64 / lets as f64;
    let lo = at(x, low);
    let hi = at(x, high);
    let style = color.stroke_width(2);
    root.draw(&PathElement::new(vec![lo, hi], style))?;
    for (px, py) in [lo, hi] {
        root.draw(&PathElement::new(vec![(px - 5, py), (px + 5, py)], style))?;
    }
    let mark = at(x, share);
    marker(root, mark, m, color)?;
    if count {
        // Over the interval's cap, and over the marker when the share sits
        // at the cap (1/1): never on top of it.
        let bottom = (hi.1 - 3).min(mark.1 - 9);
        root.draw(&Text::new(
            format!("{k}/{lets}"),
            (hi.0, bottom),
            text_style(10, HPos::Center, VPos::Bottom),
        ))?;
    }
    Ok(())
}

/// The q-quantile of sorted values, by linear interpolation.
fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let pos = q * last as f64;
    let i = pos.floor() as usize;
    let j = (i + 1).min(last);
    let frac = pos - i as f64;
    Some(sorted.get(i)? * (1.0 - frac) + sorted.get(j)? * frac)
}

/// The legend of the waiting chart: the two groups' fills and how to
/// read a box.
fn waiting_legend<DB: DrawingBackend>(top: &DrawingArea<DB, Shift>) -> Res
where
    DB::ErrorType: 'static,
{
    legend(
        top,
        &[
            (
                Swatch::Fill(LINKED, Pattern::Diagonal),
                "linked to staff (hatched)".to_string(),
            ),
            (
                Swatch::Fill(WHITE, Pattern::Solid),
                "other tenants (plain)".to_string(),
            ),
            (
                Swatch::Line(INK),
                "box: middle half, thick line: median, whiskers: lowest to highest".to_string(),
            ),
        ],
    )
}

/// The days the waiting chart spans, from the sorted days of both
/// groups: from the fewest (0 unless fewer) to the most (at least 1).
fn days_span(linked: &[f64], other: &[f64]) -> (f64, f64) {
    let lo = linked
        .first()
        .into_iter()
        .chain(other.first())
        .fold(0f64, |a, &b| a.min(b));
    let hi = linked
        .last()
        .into_iter()
        .chain(other.last())
        .fold(1f64, |a, &b| a.max(b));
    (lo, hi)
}

/// Chart 3: a box plot of the days waited in each group.
fn waiting<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    top: &DrawingArea<DB, Shift>,
    body: &DrawingArea<DB, Shift>,
    linked: &[f64],
    other: &[f64],
) -> Res
where
    DB::ErrorType: 'static,
{
    if linked.is_empty() && other.is_empty() {
        return note(
            body,
            "No advert lets to tenants on the waiting list in the period.",
        );
    }
    waiting_legend(top)?;
    let sort = |v: &[f64]| {
        let mut s: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
        s.sort_by(f64::total_cmp);
        s
    };
    let (l, o) = (sort(linked), sort(other));
    let (lo, hi) = days_span(&l, &o);
    let pad = (hi - lo) * 0.08;
    let mut chart = ChartBuilder::on(body)
        .margin(14)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(-0.6f64..1.6f64, (lo - pad.min(lo.abs()))..(hi + pad))?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .x_label_formatter(&|_| String::new())
        .y_label_formatter(&|v| format!("{v:.0}"))
        .y_desc("Days from registration to allocation")
        .label_style((FAMILY, 14).into_font().color(&INK))
        .axis_desc_style((FAMILY, 15).into_font().color(&INK))
        .draw()?;
    let bottom = lo - pad.min(lo.abs());
    let at = |x: f64, y: f64| chart.backend_coord(&(x, y));
    for (x, values, name, color, p) in [
        (0.0, &l, "linked to staff", LINKED, Pattern::Diagonal),
        (1.0, &o, "other tenants", WHITE, Pattern::Solid),
    ] {
        let (cx, cy) = at(x, bottom);
        let Some(five) = FiveNumbers::of(values) else {
            root.draw(&Text::new(
                format!("{name}: none"),
                (cx, cy + 6),
                text_style(14, HPos::Center, VPos::Top),
            ))?;
            root.draw(&Text::new(
                format!("no {name}"),
                at(x, (lo + hi) / 2.0),
                text_style(15, HPos::Center, VPos::Center),
            ))?;
            continue;
        };
        let med = five.median;
        root.draw(&Text::new(
            format!("{name}: n = {}, median {med:.0} days", values.len()),
            (cx, cy + 6),
            text_style(14, HPos::Center, VPos::Top),
        ))?;
        box_plot(root, at, x, &five, (color, p))?;
    }
    Ok(())
}

/// What a box plot shows of sorted values.
struct FiveNumbers {
    min: f64,
    q1: f64,
    median: f64,
    q3: f64,
    max: f64,
}

impl FiveNumbers {
    /// The lowest, quartiles, median and highest of `sorted`; none for
    /// no values.
    fn of(sorted: &[f64]) -> Option<FiveNumbers> {
        Some(FiveNumbers {
            q1: quantile(sorted, 0.25)?,
            median: quantile(sorted, 0.5)?,
            q3: quantile(sorted, 0.75)?,
            min: *sorted.first()?,
            max: *sorted.last()?,
        })
    }
}

/// One box of the waiting chart, at `x`: whiskers from the lowest to the
/// highest value with caps, the middle half as a filled box, and the
/// median as a thick line. `at` maps chart coordinates to pixels.
fn box_plot<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    at: impl Fn(f64, f64) -> (i32, i32),
    x: f64,
    five: &FiveNumbers,
    (color, p): (RGBColor, Pattern),
) -> Res
where
    DB::ErrorType: 'static,
{
    let ink = INK.stroke_width(2);
    let [min, q1, q3, max] = [five.min, five.q1, five.q3, five.max].map(|v| at(x, v));
    root.draw(&PathElement::new(vec![min, q1], ink))?;
    root.draw(&PathElement::new(vec![q3, max], ink))?;
    for (px, py) in [min, max] {
        root.draw(&PathElement::new(vec![(px - 25, py), (px + 25, py)], ink))?;
    }
    let a = at(x - 0.22, five.q3);
    let b = at(x + 0.22, five.q1);
    bar(root, a, b, color, p)?;
    let (ma, mb) = (at(x - 0.22, five.median), at(x + 0.22, five.median));
    root.draw(&PathElement::new(vec![ma, mb], INK.stroke_width(5)))?;
    Ok(())
}

/// The legend of the sales chart: the two kinds of buyer with their
/// numbers, the flagged sales, the line of price = appraisal, the band of
/// the discount scheme, and a note when no buyer was linked.
fn sales_legend<DB: DrawingBackend>(
    top: &DrawingArea<DB, Shift>,
    (linked, other, flagged): (usize, usize, usize),
    band: Option<f64>,
) -> Res
where
    DB::ErrorType: 'static,
{
    let mut items = vec![
        (
            Swatch::Marker(Marker::Triangle, LINKED),
            format!("linked buyer, {linked}"),
        ),
        (
            Swatch::Marker(Marker::Circle, OTHER),
            format!("other, {other}"),
        ),
        (
            Swatch::Marker(Marker::Ring, INK),
            format!("below appraisal, {flagged}"),
        ),
        (Swatch::Line(INK), "price = appraisal value".to_string()),
    ];
    if let Some(d) = band {
        items.push((
            Swatch::Line(BAND),
            format!("discount scheme <= {:.0}%", d * 100.0),
        ));
    }
    if linked == 0 {
        items.push((Swatch::Line(WHITE), "no linked buyers".to_string()));
    }
    legend(top, &items)
}

/// The shade of the band of prices a discount scheme allows.
const BAND: RGBColor = RGBColor(0xd9, 0xd9, 0xd9);

/// The range of both axes of the sales chart, in thousand euros: every
/// finite price and value with some room, from 0 unless one is negative.
fn sales_range(points: &[SalePoint]) -> std::ops::Range<f64> {
    let max = points
        .iter()
        .flat_map(|p| [p.0, p.1])
        .filter(|v| v.is_finite())
        .fold(1f64, f64::max)
        / 1000.0;
    let min = points
        .iter()
        .flat_map(|p| [p.0, p.1])
        .filter(|v| v.is_finite())
        .fold(max * 1000.0, f64::min)
        / 1000.0;
    let pad = ((max - min) * 0.06).max(1.0);
    // From 0 unless a price or value is negative (a data quirk, drawn too).
    let start = if min < 0.0 {
        min - pad
    } else {
        (min - pad).max(0.0)
    };
    start..(max + pad)
}

/// Chart 4: each sale's price against its appraisal value, by kind of
/// buyer.
fn sales<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    top: &DrawingArea<DB, Shift>,
    body: &DrawingArea<DB, Shift>,
    points: &[SalePoint],
    band: Option<f64>,
) -> Res
where
    DB::ErrorType: 'static,
{
    if points.is_empty() {
        return note(body, "No sales in the period: nothing to draw.");
    }
    let linked = points.iter().filter(|p| p.2).count();
    let flagged = points.iter().filter(|p| p.3).count();
    sales_legend(top, (linked, points.len() - linked, flagged), band)?;
    let range = sales_range(points);
    let mut chart = ChartBuilder::on(body)
        .margin(14)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(range.clone(), range.clone())?;
    chart
        .configure_mesh()
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .x_desc("Appraisal value (thousand euros)")
        .y_desc("Sale price (thousand euros)")
        .label_style((FAMILY, 14).into_font().color(&INK))
        .axis_desc_style((FAMILY, 15).into_font().color(&INK))
        .draw()?;
    if let Some(d) = band {
        // Between price = appraisal and price = appraisal x (1 - discount):
        // where a sale under the scheme may lie without being below it.
        let (a, b) = (range.start.max(0.0), range.end);
        chart.draw_series(std::iter::once(Polygon::new(
            vec![(a, a), (b, b), (b, b * (1.0 - d)), (a, a * (1.0 - d))],
            BAND.mix(0.6).filled(),
        )))?;
    }
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(range.start, range.start), (range.end, range.end)],
        INK.stroke_width(2),
    )))?;
    for &(appraisal, price, is_linked, is_flagged) in points {
        if !(appraisal.is_finite() && price.is_finite()) {
            continue;
        }
        let at = chart.backend_coord(&(appraisal / 1000.0, price / 1000.0));
        if is_linked {
            marker(root, at, Marker::Triangle, LINKED)?;
        } else {
            marker(root, at, Marker::Circle, OTHER)?;
        }
        if is_flagged {
            marker(root, at, Marker::Ring, INK)?;
        }
    }
    Ok(())
}

/// The colour of the bar of an employee who is not flagged.
const NOT_FLAGGED: RGBColor = RGBColor(0xa6, 0xc8, 0xe8);

/// The words of a per-employee rate chart (the handler chart, and the
/// skip-share chart drawn the same way).
struct RateText {
    /// The legend entry of a flagged bar.
    flagged: &'static str,
    /// Under the x axis (when the labels are not turned).
    x_desc: &'static str,
    /// Beside the y axis.
    y_desc: &'static str,
    /// The note when no employee was tested.
    empty: &'static str,
}

const HANDLER_TEXT: RateText = RateText {
    flagged: "flagged: HANDLER_BYPASS_RATE (hatched)",
    x_desc: "Letting employee",
    y_desc: "Advert lets with a bypassed candidate",
    empty: "No employee handled enough advert lets in the period to be tested.",
};

const SKIP_TEXT: RateText = RateText {
    flagged: "flagged: ACTOR_SKIP_RATE (hatched)",
    x_desc: "Deciding employee (decided_by)",
    y_desc: "Skipped among declined, skipped, withdrawn",
    empty: "No employee recorded enough outcomes in the period to be tested.",
};

/// The legend of a rate chart: flagged and other bars, and the overall
/// share as a line.
fn handlers_legend<DB: DrawingBackend>(
    top: &DrawingArea<DB, Shift>,
    overall: Option<f64>,
    text: &RateText,
) -> Res
where
    DB::ErrorType: 'static,
{
    legend(
        top,
        &[
            (
                Swatch::Fill(LINKED, Pattern::Diagonal),
                text.flagged.to_string(),
            ),
            (
                Swatch::Fill(NOT_FLAGGED, Pattern::Solid),
                "not flagged (plain)".to_string(),
            ),
            (
                Swatch::Line(INK),
                match overall {
                    Some(s) => format!("overall share {:.1}%", s * 100.0),
                    None => "overall share not computed".to_string(),
                },
            ),
        ],
    )
}

/// Charts 5 and 6: a bar per tested employee with their share (of advert
/// lets with a bypass; of skipped outcomes), and the overall share as a
/// line; `text` gives the words.
fn handlers<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    top: &DrawingArea<DB, Shift>,
    body: &DrawingArea<DB, Shift>,
    rows: &[HandlerBar],
    overall: Option<f64>,
    text: &RateText,
) -> Res
where
    DB::ErrorType: 'static,
{
    if rows.is_empty() {
        return note(body, text.empty);
    }
    handlers_legend(top, overall, text)?;
    let n = rows.len();
    let top_share = rows
        .iter()
        .map(|r| r.share)
        .chain(overall)
        .fold(0.05f64, f64::max);
    let ymax = (top_share * 1.2).min(1.08);
    let rotate = n > 10;
    let mut chart = ChartBuilder::on(body)
        .margin(14)
        .x_label_area_size(if rotate { 90 } else { 50 })
        .y_label_area_size(70)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..ymax)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .x_label_formatter(&|_| String::new())
        .y_label_formatter(&percent_axis)
        .x_desc(if rotate { "" } else { text.x_desc })
        .y_desc(text.y_desc)
        .label_style((FAMILY, 14).into_font().color(&INK))
        .axis_desc_style((FAMILY, 15).into_font().color(&INK))
        .draw()?;
    let step = label_step(n, 40);
    let at = |x: f64, y: f64| chart.backend_coord(&(x, y));
    let line_y = overall.filter(|s| s.is_finite()).map(|s| at(0.0, s).1);
    for (i, r) in rows.iter().enumerate() {
        let x = i as f64;
        handler_bar(root, at, x, r, n <= 16, line_y)?;
        if i % step == 0 {
            employee_label(root, at(x, 0.0), &r.employee, rotate)?;
        }
    }
    if let Some(s) = overall.filter(|s| s.is_finite()) {
        let a = at(-0.5, s);
        let b = at(n as f64 - 0.5, s);
        // The legend gives the figure: a label here would sit on a bar's.
        root.draw(&PathElement::new(vec![a, b], INK.stroke_width(3)))?;
    }
    Ok(())
}

/// One employee's bar on the handler chart, at `x`, hatched when flagged,
/// with `k/n` (lets with a bypass / lets; skipped / outcomes) over it: always when flagged,
/// then as `FLAGGED k/n`, else only when `count` is set. `at` maps chart
/// coordinates to pixels; `line_y` is the pixel row of the overall share's
/// line, which a label must not sit on.
fn handler_bar<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    at: impl Fn(f64, f64) -> (i32, i32),
    x: f64,
    r: &HandlerBar,
    count: bool,
    line_y: Option<i32>,
) -> Res
where
    DB::ErrorType: 'static,
{
    let a = at(x - 0.35, r.share);
    let b = at(x + 0.35, 0.0);
    let (color, p) = if r.flagged {
        (LINKED, Pattern::Diagonal)
    } else {
        (NOT_FLAGGED, Pattern::Solid)
    };
    if b.1 > a.1 {
        bar(root, a, b, color, p)?;
    }
    let label = if r.flagged {
        format!("FLAGGED {}/{}", r.with_bypass, r.allocations)
    } else {
        format!("{}/{}", r.with_bypass, r.allocations)
    };
    if count || r.flagged {
        // The label stands on the bar (about 13 pixels high); where that
        // would cross the overall share's line, it stands on the line.
        let mut bottom = a.1 - 3;
        if let Some(y) = line_y {
            if bottom - 15 <= y + 2 && y - 2 <= bottom + 1 {
                bottom = y - 5;
            }
        }
        root.draw(&Text::new(
            label,
            ((a.0 + b.0) / 2, bottom),
            text_style(11, HPos::Center, VPos::Bottom),
        ))?;
    }
    Ok(())
}

/// An employee id under its bar, whose foot is at `(cx, cy)`: turned on
/// its side when the bars are many (`rotate`).
fn employee_label<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (cx, cy): (i32, i32),
    employee: &str,
    rotate: bool,
) -> Res
where
    DB::ErrorType: 'static,
{
    let style = if rotate {
        text_style(12, HPos::Right, VPos::Center).transform(FontTransform::Rotate270)
    } else {
        text_style(13, HPos::Center, VPos::Top)
    };
    root.draw(&Text::new(employee.to_string(), (cx, cy + 6), style))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&v, 0.5), Some(2.5));
        assert_eq!(quantile(&v, 0.0), Some(1.0));
        assert_eq!(quantile(&v, 1.0), Some(4.0));
        assert_eq!(quantile(&[], 0.5), None);
    }

    #[test]
    fn employee_ids_are_escaped_in_the_svg() {
        register().unwrap();
        let plot = Plot::Handlers {
            rows: vec![HandlerBar {
                employee: "<script>alert(1)</script>".to_string(),
                allocations: 20,
                with_bypass: 9,
                share: 0.45,
                flagged: true,
            }],
            overall: Some(0.1),
        };
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
            draw(&plot, "t", &root).unwrap();
        }
        assert!(!svg.contains("<script"), "{svg}");
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains("FLAGGED 9/20"));
    }

    #[test]
    fn quarters_fill_gaps() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        assert_eq!(quarter(d("2026-03-31")), (2026, 1));
        assert_eq!(quarter(d("2026-10-01")), (2026, 4));
        assert_eq!(label((2026, 3)), "2026-Q3");
    }
}
