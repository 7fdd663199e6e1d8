//! The "Reviews" section of report.html: how this run's findings relate to
//! the reviews carried over with `run --reviews` ([`crate::read::reviews`]).

use crate::analysis::carry::{CarryOver, Outside};
use crate::checks::Finding;
use crate::privacy::pseudonym::Mask;
use crate::read::reviews::{Review, Reviews, Since, SAMPLE_CHECK};

/// The "Reviews" section of report.html.
#[derive(Debug, serde::Serialize)]
pub struct ReviewsView {
    /// The review file.
    pub source: String,
    /// Findings not in the file (the first 500).
    pub new: Vec<ReviewRow>,
    /// How many findings are not in the file.
    pub new_total: usize,
    /// Findings reviewed before, with the review.
    pub reviewed: Vec<ReviewRow>,
    /// How many findings were listed before without a review.
    pub not_reviewed: usize,
    /// Earlier findings (reviewed or not) no longer found in the period.
    pub gone: Vec<ReviewRow>,
    /// Earlier findings outside this run's period, kept with their review.
    pub outside: Vec<ReviewRow>,
}

/// One finding or review in the "Reviews" section.
#[derive(Debug, serde::Serialize)]
pub struct ReviewRow {
    /// The finding.
    pub finding_id: String,
    /// Its check.
    pub check: String,
    /// Its subject.
    pub subject_id: String,
    /// The review's status, or empty.
    pub status: &'static str,
    /// The reviewer, or empty.
    pub reviewer: String,
    /// The note, or empty.
    pub note: String,
}

impl ReviewsView {
    /// The section for `findings` (sorted as findings.csv).
    pub fn of(reviews: &Reviews, findings: &[Finding]) -> ReviewsView {
        let row = |f: &Finding, r: Option<&Review>| ReviewRow {
            finding_id: f.id(),
            check: f.check.as_str().to_string(),
            subject_id: f.subject_id.clone(),
            status: r.map_or("", |r| r.status.as_str()),
            reviewer: r.map(|r| r.reviewer.clone()).unwrap_or_default(),
            note: r.map(|r| r.note.clone()).unwrap_or_default(),
        };
        let mut view = ReviewsView {
            source: reviews.path.display().to_string(),
            new: Vec::new(),
            new_total: 0,
            reviewed: Vec::new(),
            not_reviewed: 0,
            gone: reviews
                .gone(&findings.iter().map(Finding::id).collect())
                .into_iter()
                .map(|g| ReviewRow {
                    finding_id: g.finding_id.to_string(),
                    check: g.listed.check.clone(),
                    subject_id: g.listed.subject_id.clone(),
                    status: g.review.map_or("", |r| r.status.as_str()),
                    reviewer: g.review.map(|r| r.reviewer.clone()).unwrap_or_default(),
                    note: g.review.map(|r| r.note.clone()).unwrap_or_default(),
                })
                .collect(),
            outside: Vec::new(),
        };
        for f in findings {
            let id = f.id();
            match reviews.since(&id) {
                Since::New => {
                    view.new_total += 1;
                    if view.new.len() < 500 {
                        view.new.push(row(f, None));
                    }
                }
                Since::NotReviewed => view.not_reviewed += 1,
                Since::Reviewed => view.reviewed.push(row(f, reviews.by_id.get(&id))),
            }
        }
        view
    }

    /// The section for an audit: its findings, and its control sample,
    /// whose reviewed rows still in the sample are not gone, and with the
    /// carry-over the earlier findings outside the period.
    pub fn of_audit(
        reviews: &Reviews,
        audit: &crate::audit::Audit<'_>,
        carry: Option<&CarryOver>,
    ) -> ReviewsView {
        let mut view = ReviewsView::of(reviews, &audit.findings);
        let sample: std::collections::BTreeSet<String> = audit.control.ids().collect();
        view.gone.retain(|r| !sample.contains(&r.finding_id));
        if let Some(carry) = carry {
            view.gone.retain(|r| !carry.kept.contains(&r.finding_id));
            view.outside = carry
                .outside
                .iter()
                .map(|o| {
                    let id = o.id();
                    let r = reviews.by_id.get(&id);
                    let (check, subject_id) = match o {
                        Outside::Finding(f) => (f.check.as_str().to_string(), f.subject_id.clone()),
                        Outside::ControlLet { allocation_id, .. } => {
                            (SAMPLE_CHECK.to_string(), allocation_id.clone())
                        }
                    };
                    ReviewRow {
                        finding_id: id,
                        check,
                        subject_id,
                        status: r.map_or("", |r| r.status.as_str()),
                        reviewer: r.map(|r| r.reviewer.clone()).unwrap_or_default(),
                        note: r.map(|r| r.note.clone()).unwrap_or_default(),
                    }
                })
                .collect();
        }
        view
    }

    /// The section with `--pseudonymise`: finding ids, subjects and the
    /// free text of the reviews pseudonymised.
    pub fn masked(mut self, mask: &Mask) -> ReviewsView {
        for row in self
            .new
            .iter_mut()
            .chain(&mut self.reviewed)
            .chain(&mut self.gone)
            .chain(&mut self.outside)
        {
            row.finding_id = mask.finding_id(&row.finding_id);
            row.subject_id = mask.text(&row.subject_id);
            row.reviewer = mask.text(&row.reviewer);
            row.note = mask.text(&row.note);
        }
        self
    }
}
