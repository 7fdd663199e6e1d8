//! Tests of the generator on the default sample (built once).

use std::collections::BTreeSet;
use std::sync::OnceLock;

use super::link::Linker;
use super::*;
use woonaudit::model::Date;

fn sample() -> &'static Build {
    static SAMPLE: OnceLock<Build> = OnceLock::new();
    SAMPLE.get_or_init(|| build(&Options::default()))
}

fn table<'a>(g: &'a Generated, name: &str) -> &'a Table {
    g.tables
        .iter()
        .find(|t| t.name == name)
        .expect("table exists")
}

fn column(t: &Table, name: &str) -> usize {
    t.header
        .iter()
        .position(|h| *h == name)
        .expect("column exists")
}

const CHECKS: &[&str] = &[
    "ORDER_BYPASS",
    "ORDER_NOT_A_CANDIDATE",
    "ORDER_INELIGIBLE",
    "ORDER_NO_ADVERT",
    "ORDER_POSITION_MISMATCH",
    "ROUTE_UNAPPROVED",
    "ROUTE_STAFF_CIRCLE",
    "STAFF_ALLOCATION",
    "CONFLICT_OF_INTEREST",
    "UNDECLARED_LINK",
    "REGISTRATION_BACKDATED",
    "SALE_BELOW_APPRAISAL",
    "SALE_NOT_PUBLIC",
    "SALE_STALE_APPRAISAL",
    "HANDLER_BYPASS_RATE",
    "STAFF_PURCHASE",
    "ACTOR_SKIP_RATE",
    "ACTOR_BACKDATING",
    "ALLOCATED_BEFORE_CLOSE",
    "ADVERT_OVERLET",
    "ADVERT_DWELLING_MISMATCH",
    "ADVERT_WITHDRAWN_THEN_LET",
    "VACANCY_NOT_ADVERTISED",
    "PRIORITY_LATE",
];

#[test]
fn every_table_of_the_schema_is_written_with_all_its_columns_in_order() {
    let tables = &sample().generated.tables;
    let names: Vec<&str> = tables.iter().map(|t| t.name).collect();
    let expected: Vec<&str> = woonaudit::schema::Table::ALL.map(|t| t.name()).to_vec();
    assert_eq!(names, expected);
    for t in tables {
        let spec = woonaudit::schema::Table::by_name(t.name).expect("a table");
        let columns: Vec<&str> = spec.columns().iter().map(|c| c.name).collect();
        assert_eq!(t.header, columns, "{}", t.name);
        assert!(
            t.rows.iter().all(|r| r.len() == t.header.len()),
            "{}",
            t.name
        );
    }
}

#[test]
fn same_seed_gives_identical_output() {
    let again = generate(&Options::default());
    assert_eq!(sample().generated.tables, again.tables);
    assert_eq!(sample().generated.planted, again.planted);
}

#[test]
fn another_seed_gives_other_output() {
    let other = generate(&Options {
        seed: 2,
        ..Options::default()
    });
    assert_ne!(sample().generated.tables, other.tables);
}

#[test]
fn every_check_is_planted() {
    let planted: BTreeSet<&str> = sample().generated.planted.iter().map(|p| p.check).collect();
    for c in CHECKS {
        assert!(planted.contains(c), "{c} is not planted");
    }
}

#[test]
fn every_lottery_response_has_a_number() {
    let g = &sample().generated;
    let adverts = table(g, "adverts");
    let (id, model) = (column(adverts, "advert_id"), column(adverts, "model"));
    let lottery: BTreeSet<&str> = adverts
        .rows
        .iter()
        .filter(|r| r[model] == "lottery")
        .map(|r| r[id].as_str())
        .collect();
    assert!(!lottery.is_empty());
    let responses = table(g, "responses");
    let (adv, num) = (
        column(responses, "advert_id"),
        column(responses, "lottery_number"),
    );
    for r in &responses.rows {
        if lottery.contains(r[adv].as_str()) {
            assert!(!r[num].is_empty(), "response without lottery number: {r:?}");
        }
    }
}

#[test]
fn order_plants_name_existing_rows() {
    let g = &sample().generated;
    let ids = |name: &str, col: &str| -> BTreeSet<String> {
        let t = table(g, name);
        let c = column(t, col);
        t.rows.iter().map(|r| r[c].clone()).collect()
    };
    let allocations = ids("allocations", "allocation_id");
    let adverts = ids("adverts", "advert_id");
    let applicants = ids("applicants", "applicant_id");
    let orders: Vec<_> = g
        .planted
        .iter()
        .filter(|p| p.check.starts_with("ORDER_"))
        .collect();
    assert!(orders.len() > 20);
    for p in orders {
        match p.subject_type {
            "allocation" => assert!(allocations.contains(&p.subject_id), "{p:?}"),
            "advert" => assert!(adverts.contains(&p.subject_id), "{p:?}"),
            other => panic!("ORDER_* with subject {other}"),
        }
        assert!(applicants.contains(&p.applicant_id), "{p:?}");
    }
}

#[test]
fn planted_is_exactly_what_was_meant() {
    let b = sample();
    let found: BTreeSet<(&str, &str, &str)> = b
        .generated
        .planted
        .iter()
        .map(|p| (p.check, p.subject_id.as_str(), p.applicant_id.as_str()))
        .collect();
    let meant: BTreeSet<(&str, &str, &str)> = b
        .intents
        .iter()
        .map(|i| (i.check, i.subject_id.as_str(), i.applicant_id.as_str()))
        .collect();
    let unplanned: Vec<_> = found.difference(&meant).collect();
    let missing: Vec<_> = meant.difference(&found).collect();
    assert!(
        unplanned.is_empty(),
        "findings nobody planted: {unplanned:?}"
    );
    assert!(
        missing.is_empty(),
        "plants the rules do not find: {missing:?}"
    );
    assert_eq!(found.len(), b.generated.planted.len(), "one row per key");
    for p in &b.generated.planted {
        assert!(!p.note.is_empty(), "{p:?}");
    }
}

#[test]
fn only_planted_people_are_linked() {
    let b = sample();
    let linker = Linker::new(&b.data.employees, &b.data.relations);
    for a in &b.data.applicants {
        let linked = !linker.links(&a.person(), Some(&a.id), None).is_empty();
        assert_eq!(
            linked,
            b.linked_applicants.contains(a.id.as_str()),
            "applicant {}",
            a.id
        );
    }
    for s in &b.data.sales {
        let linked = !linker
            .links(&s.buyer(), s.buyer_applicant_id.as_ref(), None)
            .is_empty();
        assert_eq!(
            linked,
            b.linked_sales.contains(s.id.as_str()),
            "sale {}",
            s.id
        );
    }
}

#[test]
fn indexed_links_agree_with_the_full_scan() {
    let b = sample();
    let d = &b.data;
    let linker = Linker::new(&d.employees, &d.relations);
    let start = Options::default().start;
    let mut days: Vec<Option<Date>> = vec![None];
    days.extend([-400, 0, 175, 300, 540, 720].map(|k| Some(start + chrono::Duration::days(k))));
    let mut people: Vec<(
        woonaudit::model::PersonFields<'_>,
        Option<&woonaudit::model::ApplicantId>,
    )> = Vec::new();
    for a in &d.applicants {
        people.push((a.person(), Some(&a.id)));
        people.push((a.person(), None));
    }
    for s in &d.sales {
        people.push((s.buyer(), s.buyer_applicant_id.as_ref()));
    }
    // The staff and their relatives themselves: every kind links.
    people.extend(d.employees.iter().map(|e| (e.person(), None)));
    people.extend(
        d.relations
            .iter()
            .map(|r| (r.person(), r.applicant_id.as_ref())),
    );
    let mut linked = 0;
    for (p, id) in &people {
        for &day in &days {
            let fast = linker.links(p, *id, day);
            assert_eq!(
                fast,
                linker.links_by_full_scan(p, *id, day),
                "{p:?} {day:?}"
            );
            linked += usize::from(!fast.is_empty());
        }
    }
    assert!(linked > 100, "the comparison sees links ({linked})");
}

#[test]
fn plants_have_the_spec_severities() {
    let p = &sample().generated.planted;
    let count = |check: &str, sev: &str| {
        p.iter()
            .filter(|x| x.check == check && x.severity == sev)
            .count()
    };
    assert!(count("ORDER_BYPASS", "high") >= 3);
    assert!(count("ORDER_BYPASS", "medium") >= 8);
    assert_eq!(count("ORDER_NOT_A_CANDIDATE", "medium"), 2);
    assert_eq!(count("ORDER_INELIGIBLE", "medium"), 1);
    assert_eq!(count("ORDER_INELIGIBLE", "high"), 1);
    assert_eq!(count("ORDER_NO_ADVERT", "medium"), 2);
    assert_eq!(count("ORDER_POSITION_MISMATCH", "low"), 5);
    // Two of them v1.2: a discretionary let without approval, a direct
    // let with the placeholder reason 'nvt'.
    assert_eq!(count("ROUTE_UNAPPROVED", "medium"), 5);
    assert_eq!(count("ROUTE_STAFF_CIRCLE", "high"), 3);
    assert_eq!(count("UNDECLARED_LINK", "medium"), 3);
    assert_eq!(count("UNDECLARED_LINK", "low"), 1);
    assert_eq!(count("REGISTRATION_BACKDATED", "high"), 3);
    // One of them the gap the day after the migration date (the four on
    // the day itself are silent).
    assert_eq!(count("REGISTRATION_BACKDATED", "medium"), 5);
    assert_eq!(count("SALE_BELOW_APPRAISAL", "high"), 1);
    assert_eq!(count("SALE_BELOW_APPRAISAL", "low"), 1);
    assert_eq!(count("SALE_NOT_PUBLIC", "high"), 2);
    assert_eq!(count("SALE_NOT_PUBLIC", "low"), 1);
    assert_eq!(count("SALE_STALE_APPRAISAL", "low"), 2);
    assert_eq!(count("HANDLER_BYPASS_RATE", "medium"), 1);
    // Every sale to a linked buyer is registered.
    assert_eq!(count("STAFF_PURCHASE", "low"), sample().linked_sales.len());
    assert_eq!(count("STAFF_PURCHASE", "low"), 5);
    assert_eq!(count("ACTOR_SKIP_RATE", "medium"), 1);
    // v[2] (two outsiders and their own child) and kc[2] (three outsiders).
    assert_eq!(count("ACTOR_BACKDATING", "high"), 2);
    // v1.2: one case each, none linked; a death not advertised is high.
    assert_eq!(count("ALLOCATED_BEFORE_CLOSE", "medium"), 1);
    assert_eq!(count("ADVERT_OVERLET", "medium"), 1);
    assert_eq!(count("ADVERT_DWELLING_MISMATCH", "medium"), 1);
    assert_eq!(count("ADVERT_WITHDRAWN_THEN_LET", "medium"), 1);
    assert_eq!(count("VACANCY_NOT_ADVERTISED", "high"), 1);
    assert_eq!(count("VACANCY_NOT_ADVERTISED", "medium"), 2);
    assert_eq!(count("PRIORITY_LATE", "medium"), 1);
    let links: BTreeSet<&str> = p.iter().map(|x| x.link).collect();
    for kind in ["self", "declared", "address", "contact", "surname_postcode"] {
        assert!(links.contains(kind), "no plant links by {kind}");
    }
}

#[test]
fn written_files_round_trip() {
    let b = sample();
    let dir = std::env::temp_dir().join(format!("woonaudit-generate-{}", std::process::id()));
    let dutch = Dialect {
        delimiter: b';',
        windows_1252: true,
        dmy_dates: true,
        decimal_comma: true,
    };
    let g = generate(&Options {
        dialect: dutch,
        ..Options::default()
    });
    write(&g, &dir, &dutch).expect("written");
    let bytes = std::fs::read(dir.join("applicants.csv")).expect("read");
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "Windows-1252, not UTF-8"
    );
    let (text, _, bad) = encoding_rs::WINDOWS_1252.decode(&bytes);
    assert!(!bad);
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(text.as_bytes());
    assert_eq!(rdr.records().count(), b.data.applicants.len());
    let planted = std::fs::read_to_string(dir.join("planted.csv")).expect("read");
    assert_eq!(planted.lines().count(), g.planted.len() + 1);
    assert_eq!(
        g.planted, b.generated.planted,
        "the dialect changes no finding"
    );
    std::fs::remove_dir_all(&dir).expect("cleaned up");
}

#[test]
fn near_misses_are_housed_and_not_flagged() {
    let b = sample();
    for id in &b.near_misses {
        assert!(
            b.data
                .allocations
                .iter()
                .any(|a| a.applicant_id.as_str() == id),
            "{id} has a home"
        );
        assert!(
            !b.generated.planted.iter().any(|p| &p.applicant_id == id),
            "{id} is not flagged"
        );
    }
}

#[test]
fn other_seeds_and_sizes_plant_exactly_what_was_meant() {
    let small = Options {
        applicants: 400,
        adverts: 60,
        responses_per_advert: 8,
        employees: 34,
        sales: 12,
        ..Options::default()
    };
    for seed in 2..6 {
        for opts in [
            Options {
                seed,
                ..Options::default()
            },
            Options {
                seed,
                ..small.clone()
            },
        ] {
            let b = build(&opts);
            assert_planted_as_meant(&b, &format!("seed {seed}, {} adverts", opts.adverts));
        }
    }
}

/// The findings the rules give are exactly the plants (by check, subject
/// and applicant), and only the people made for a plant are linked.
fn assert_planted_as_meant(b: &Build, what: &str) {
    let found: BTreeSet<(&str, &str, &str)> = b
        .generated
        .planted
        .iter()
        .map(|p| (p.check, p.subject_id.as_str(), p.applicant_id.as_str()))
        .collect();
    let meant: BTreeSet<(&str, &str, &str)> = b
        .intents
        .iter()
        .map(|i| (i.check, i.subject_id.as_str(), i.applicant_id.as_str()))
        .collect();
    assert_eq!(found, meant, "{what}");
    let linker = Linker::new(&b.data.employees, &b.data.relations);
    for a in &b.data.applicants {
        let linked = !linker.links(&a.person(), Some(&a.id), None).is_empty();
        assert_eq!(
            linked,
            b.linked_applicants.contains(a.id.as_str()),
            "{what}: applicant {}",
            a.id
        );
    }
}

#[test]
fn large_sizes_sample_the_responders() {
    assert!(!World::new(&Options::default()).fast_sampling);
    let large = Options {
        applicants: 1_000_000,
        adverts: 100_000,
        ..Options::default()
    };
    assert!(World::new(&large).fast_sampling);
}

#[test]
fn sampled_responders_plant_exactly_what_was_meant() {
    // Fast sampling, forced at small sizes: the offer process still plants
    // every anomaly as meant, and every let goes to a seeker not housed
    // before.
    let small = Options {
        applicants: 400,
        adverts: 60,
        responses_per_advert: 8,
        employees: 34,
        sales: 12,
        ..Options::default()
    };
    let larger = Options {
        applicants: 6000,
        adverts: 900,
        employees: 200,
        sales: 100,
        ..Options::default()
    };
    for seed in 1..4 {
        for opts in [&small, &Options::default(), &larger] {
            let opts = Options {
                seed,
                ..opts.clone()
            };
            let mut w = World::new(&opts);
            w.fast_sampling = true;
            let b = build_world(w);
            let what = format!("seed {seed}, {} applicants", opts.applicants);
            assert_planted_as_meant(&b, &what);
            let mut housed = BTreeSet::new();
            for a in &b.data.allocations {
                assert!(
                    housed.insert(a.applicant_id.as_str()),
                    "{what}: {} housed twice",
                    a.applicant_id
                );
            }
            let mut pairs = BTreeSet::new();
            for r in &b.data.responses {
                assert!(
                    pairs.insert((r.advert_id.as_str(), r.applicant_id.as_str())),
                    "{what}: {} responded twice to {}",
                    r.applicant_id,
                    r.advert_id
                );
            }
        }
    }
}

#[test]
fn migration_day_gaps_are_silent_and_the_day_after_is_not() {
    let b = sample();
    let g = &b.generated;
    assert!(g.config.contains("migrated_on = ["), "{}", g.config);
    let backdated: BTreeSet<&str> = g
        .planted
        .iter()
        .filter(|p| p.check == "REGISTRATION_BACKDATED")
        .map(|p| p.subject_id.as_str())
        .collect();
    // The seekers whose registered_at is years after their registration
    // date, by the day of registered_at.
    let gaps: Vec<(&woonaudit::model::Applicant, woonaudit::model::Date)> = b
        .data
        .applicants
        .iter()
        .filter_map(|a| Some((a, a.registered_at?.date())))
        .filter(|(a, d)| (*d - a.registration_date).num_days() > 365)
        .collect();
    let migrated: Vec<_> = gaps
        .iter()
        .filter(|(_, d)| g.config.contains(&d.to_string()))
        .collect();
    assert_eq!(migrated.len(), 4);
    for (a, _) in &migrated {
        assert!(!backdated.contains(a.id.as_str()), "{} flagged", a.id);
    }
    let day_after: Vec<_> = gaps
        .iter()
        .filter(|(_, d)| {
            g.config
                .contains(&(*d - chrono::Duration::days(1)).to_string())
        })
        .collect();
    assert_eq!(day_after.len(), 1);
    assert!(backdated.contains(day_after[0].0.id.as_str()));
}

#[test]
fn every_v12_table_and_column_is_filled_somewhere() {
    let g = &sample().generated;
    for (name, col) in [
        ("adverts", "policy"),
        ("adverts", "units"),
        ("adverts", "status"),
        ("adverts", "withdrawn_on"),
        ("responses", "points"),
        ("applicants", "current_tenant"),
        ("priorities", "granted_by"),
        ("vacancies", "reason"),
    ] {
        let t = table(g, name);
        let c = column(t, col);
        assert!(
            t.rows.iter().any(|r| !r[c].is_empty()),
            "{name}.{col} is never filled"
        );
    }
    let causes: BTreeSet<&str> = g.affected.iter().map(|r| r.cause).collect();
    assert!(causes.contains("late_priority"), "{causes:?}");
}
