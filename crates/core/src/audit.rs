//! The audit as a value: everything a run works out from its input, made
//! once by [`Audit::build`] and read by every output. It runs the stages
//! after validation in their order: link and rank (the [`Context`]),
//! checks, and the analysis (facts and statistics).

use crate::analysis::{Affected, ControlSample, Facts, Stats};
use crate::checks::{self, Finding};
use crate::config::Config;
use crate::context::Context;
use crate::dataset::Dataset;
use crate::link::register::{self, LinkRow};
use crate::period::Period;
use crate::timings::Timings;

/// One audit of one data set over one period.
pub struct Audit<'a> {
    /// The input, config, period, links and rankings.
    pub ctx: Context<'a>,
    /// Every finding, sorted as findings.csv lists them.
    pub findings: Vec<Finding>,
    /// The register of staff-linked people whose link holds in the period.
    pub links: Vec<LinkRow>,
    /// The facts of every let and sale in the period.
    pub facts: Facts<'a>,
    /// The statistics of spec 5.
    pub stats: Stats,
    /// The control sample of lets that raised nothing (spec 4.3).
    pub control: ControlSample<'a>,
    /// The seekers who lost a home (spec 4.2).
    pub affected: Affected<'a>,
}

impl<'a> Audit<'a> {
    /// Audits `data` under `config` over `period`.
    pub fn build(data: &'a Dataset, config: &'a Config, period: Period) -> Audit<'a> {
        Audit::build_timed(data, config, period, &mut Timings::default())
    }

    /// [`Audit::build`], recording the stages `link`, `rank`, `checks` and
    /// `analysis` in `timings`.
    pub fn build_timed(
        data: &'a Dataset,
        config: &'a Config,
        period: Period,
        timings: &mut Timings,
    ) -> Audit<'a> {
        let ctx = Context::timed(data, config, period, timings);
        let checked = timings.time("checks", || checks::run_all(&ctx));
        // Independent parts side by side, on every core: the links
        // register, the facts and the actor figures; then what reads the
        // facts: the statistics, the control sample and the seekers who
        // lost a home (which ranks adverts again).
        let (links, facts, stats, control, affected) = timings.time("analysis", || {
            let ((links, facts), actors) = rayon::join(
                || {
                    rayon::join(
                        || register::rows(data, &ctx.linker, &ctx.period),
                        || Facts::build(&ctx, &checked.findings),
                    )
                },
                || crate::analysis::actors::actors(&ctx),
            );
            let size = config.thresholds.control_sample_size;
            let ((mut stats, control), affected) = rayon::join(
                || {
                    rayon::join(
                        || {
                            crate::analysis::statistics::compute(
                                &ctx,
                                &facts,
                                &checked.handlers,
                                &checked.skip_rates,
                            )
                        },
                        || ControlSample::draw(&facts, &checked.findings, size),
                    )
                },
                || Affected::find(&ctx, &facts, &checked.findings, &checked.late_priorities),
            );
            stats.affected = affected.stats();
            stats.actors = actors;
            (links, facts, stats, control, affected)
        });
        Audit {
            ctx,
            findings: checked.findings,
            links,
            facts,
            stats,
            control,
            affected,
        }
    }

    /// The input.
    pub fn data(&self) -> &'a Dataset {
        self.ctx.data
    }

    /// The config as used.
    pub fn config(&self) -> &'a Config {
        self.ctx.config
    }

    /// The period the audit covers.
    pub fn period(&self) -> &Period {
        &self.ctx.period
    }
}
