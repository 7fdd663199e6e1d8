//! Integration tests: the real `woonaudit` binary on real files.

mod common;

#[path = "suite/actors.rs"]
mod actors;
#[path = "suite/adverts.rs"]
mod adverts;
#[path = "suite/affected.rs"]
mod affected;
#[path = "suite/annual.rs"]
mod annual;
#[path = "suite/broken.rs"]
mod broken;
#[path = "suite/charts.rs"]
mod charts;
#[path = "suite/control.rs"]
mod control;
#[path = "suite/cycle.rs"]
mod cycle;
#[path = "suite/determinism.rs"]
mod determinism;
#[path = "suite/docs.rs"]
mod docs;
#[path = "suite/errors.rs"]
mod errors;
#[path = "suite/fuzz.rs"]
mod fuzz;
#[path = "suite/inspect.rs"]
mod inspect;
#[path = "suite/mappings.rs"]
mod mappings;
#[path = "suite/order.rs"]
mod order;
#[path = "suite/policies.rs"]
mod policies;
#[path = "suite/privacy.rs"]
mod privacy;
#[path = "suite/reading.rs"]
mod reading;
#[path = "suite/reports.rs"]
mod reports;
#[path = "suite/safety.rs"]
mod safety;
#[path = "suite/sales.rs"]
mod sales;
#[path = "suite/sample.rs"]
mod sample;
#[path = "suite/scale.rs"]
mod scale;
#[path = "suite/spreadsheets.rs"]
mod spreadsheets;
#[path = "suite/staff.rs"]
mod staff;
#[path = "suite/stats.rs"]
mod stats;
#[path = "suite/who_acted.rs"]
mod who_acted;
#[path = "suite/xlsx.rs"]
mod xlsx;
#[path = "suite/xlsx_speed.rs"]
mod xlsx_speed;
