//! `woonaudit config --example`: prints a commented woonaudit.toml with
//! every key and its default, to start a config from. Keys without a
//! default (detected, or none) are commented out with an example value;
//! the rest are set to their defaults, so the file as printed is the
//! default config (a test checks both, and that every key the config
//! reader accepts is in it).

use std::process::ExitCode;

use clap::Args;

use woonaudit::error::Result;

/// Options of `config`.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Print a commented woonaudit.toml with every key and its default.
    #[arg(long, required = true)]
    example: bool,
}

/// The example: every key, in the order of docs/config.md.
const EXAMPLE: &str = r#"# woonaudit.toml: put it in the data folder, or pass --config FILE.
# Every key is optional; an unknown key stops the run. Keys below that are
# not commented out are at their defaults. docs/config.md explains each.

[input]
# encoding = "windows-1252"    # default: detected (utf-8 or windows-1252)
# delimiter = ";"              # default: detected from the header line
# migrated_on = [2019-03-01]   # default: none; days records were migrated
# preset = "vera"              # default: none; the VERA vocabulary (docs/inputs.md)

# Column mappings, per table: the export's name = the rulebook's name.
# [input.columns.applicants]
# inschrijfnummer = "applicant_id"
# inschrijfdatum = "registration_date"

# Value mappings, per table and column: the export's value = the rulebook's.
# [input.values.responses.outcome]
# TOE = "accepted"
# GEW = "declined"

[thresholds]
backdating_days = 30           # REGISTRATION_BACKDATED
sale_tolerance = 0.02          # SALE_BELOW_APPRAISAL
listing_min_days = 14          # SALE_NOT_PUBLIC
appraisal_max_age_days = 183   # SALE_STALE_APPRAISAL
handler_min_allocations = 10   # HANDLER_BYPASS_RATE
handler_q = 0.05               # HANDLER_BYPASS_RATE (Benjamini-Hochberg)
small_cell = 5                 # counts below this show as <5 in the annual files
actor_min_decisions = 20       # ACTOR_SKIP_RATE
actor_backdating_min = 3       # ACTOR_BACKDATING
control_sample_size = 25       # control_sample.csv
withdrawn_let_days = 180       # ADVERT_WITHDRAWN_THEN_LET
vacancy_advert_lead_days = 60  # VACANCY_NOT_ADVERTISED
# Reasons that count as missing (ORDER_BYPASS, ROUTE_UNAPPROVED); a list
# here replaces this default.
placeholder_reasons = ["nvt", "zd", "ziedossier", "ziefile", "ok", "akkoord", "geen", "onbekend", "test", "xxx", "na"]

# Allocation policies (default: none): a named offer order that adverts
# refer to in their `policy` column (docs/ranking.md).
# [policies.senioren]
# base = "registration"        # default: the advert's model
# tiers = ["urgency", "age>=65", "local"]
# require = ["age>=55"]

# The legal limits per year (amounts in euros). A config with [[limits]]
# replaces these defaults entirely: give every year you audit.
[[limits]]
year = 2024
passend_income_single = 27725
passend_income_multi = 37625
aftopping_low = 650.43
aftopping_high = 697.07
daeb_rent_cap = 879.66
daeb_income_single = 47699
daeb_income_multi = 52671
aow_age = 67
passend_income_single_aow = 27650
passend_income_multi_aow = 37625
"#;

/// Runs `config`.
pub fn run(args: &ConfigArgs) -> Result<ExitCode> {
    if args.example {
        print!("{EXAMPLE}");
    }
    Ok(ExitCode::SUCCESS)
}
