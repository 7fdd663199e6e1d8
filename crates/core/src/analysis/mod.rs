//! Stage 6, analysis: what the findings and the input mean together. The
//! [`facts`] of every let and sale in the period, computed once, the
//! [`statistics`] of spec 5 over them, the [`control`] sample of lets
//! that raised nothing (spec 4.3) and the [`affected`] seekers who lost a
//! home (spec 4.2), and where the findings of an earlier review file are
//! now ([`carry`]). Every output reads these; none
//! works them out again.

pub mod actors;
pub mod affected;
pub mod carry;
pub mod cases;
pub mod control;
pub mod facts;
pub mod population;
pub mod statistics;

pub use actors::ActorEntry;
pub use affected::{Affected, AffectedStats, Cause};
pub use control::ControlSample;
pub use facts::{Coverage, Facts, LetFact, SaleFact};
pub use statistics::Stats;
