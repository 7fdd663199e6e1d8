//! What may be shown to whom: pseudonyms for reports shared outside the
//! audit team ([`pseudonym`], spec 6) and small-cell suppression for the
//! public annual figures ([`suppress`]). Policies the report stage applies;
//! they compute nothing of the audit.

pub mod pseudonym;
pub mod suppress;
