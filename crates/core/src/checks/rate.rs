//! The machinery of the rate checks (HANDLER_BYPASS_RATE; ACTOR_SKIP_RATE
//! of spec v1.2 will share it): a family of actors, each with n acts of
//! which k were "hits", every actor with at least a minimum number of acts
//! tested one-sided (exact binomial, greater) against the share of hits
//! over all acts, with Benjamini-Hochberg q over the tested family.

use std::collections::BTreeMap;

use crate::stats::{benjamini_hochberg, binom_test_greater};

/// One tested actor.
#[derive(Clone, Debug, PartialEq)]
pub struct RateTest<K> {
    /// Who acted.
    pub actor: K,
    /// Their acts (n).
    pub acts: u64,
    /// Of those, hits (k).
    pub hits: u64,
    /// k / n.
    pub share: f64,
    /// One-sided exact binomial p, `P(X >= k)` for `X ~ Bin(n, overall)`.
    pub p: Option<f64>,
    /// Benjamini-Hochberg q over the family.
    pub q: Option<f64>,
}

/// A tested family and the overall share it was tested against.
#[derive(Clone, Debug, PartialEq)]
pub struct RateFamily<K> {
    /// Every act counted, with an actor or without.
    pub acts: u64,
    /// Of those, hits.
    pub hits: u64,
    /// hits / acts; `None` without acts.
    pub overall_share: Option<f64>,
    /// The tested actors (at least `min_acts` acts), in actor order.
    pub tests: Vec<RateTest<K>>,
}

impl<K: Ord + Clone> RateFamily<K> {
    /// Tests every actor with at least `min_acts` acts (and at least one:
    /// a share needs acts) among `acts`, each `(actor, hit)`. An act without
    /// an actor counts in the overall share only.
    pub fn test<'k>(acts: impl IntoIterator<Item = (Option<&'k K>, bool)>, min_acts: u64) -> Self
    where
        K: 'k,
    {
        let (mut total, mut hits) = (0u64, 0u64);
        // BTreeMap: actor order is the order the family is listed in.
        let mut per: BTreeMap<&K, (u64, u64)> = BTreeMap::new();
        for (actor, hit) in acts {
            total += 1;
            hits += u64::from(hit);
            if let Some(a) = actor {
                let e = per.entry(a).or_default();
                e.0 += 1;
                e.1 += u64::from(hit);
            }
        }
        let overall_share = (total > 0).then(|| hits as f64 / total as f64);
        let mut tests: Vec<RateTest<K>> = per
            .into_iter()
            .filter(|(_, (n, _))| *n >= min_acts.max(1))
            .map(|(actor, (n, k))| RateTest {
                actor: actor.clone(),
                acts: n,
                hits: k,
                share: k as f64 / n as f64,
                p: overall_share.and_then(|p0| binom_test_greater(k, n, p0)),
                q: None,
            })
            .collect();
        // Every p is defined whenever the family is non-empty (total > 0),
        // so BH sees the whole family; should one be missing, no q is
        // claimed.
        let ps: Option<Vec<f64>> = tests.iter().map(|t| t.p).collect();
        if let Some(qs) = ps.as_deref().and_then(benjamini_hochberg) {
            for (t, q) in tests.iter_mut().zip(qs) {
                t.q = Some(q);
            }
        }
        RateFamily {
            acts: total,
            hits,
            overall_share,
            tests,
        }
    }

    /// The tested actors whose q is below `q_max`, with their p and q.
    pub fn flagged(&self, q_max: f64) -> impl Iterator<Item = (&RateTest<K>, f64, f64)> {
        self.tests.iter().filter_map(move |t| match (t.p, t.q) {
            (Some(p), Some(q)) if q < q_max => Some((t, p, q)),
            _ => None,
        })
    }
}

/// At least three significant digits: scientific notation under 0.01.
pub fn sig(x: f64) -> String {
    if x != 0.0 && x.abs() < 1e-2 {
        format!("{x:.3e}")
    } else {
        format!("{x:.4}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actors_below_the_minimum_count_overall_but_are_not_tested() {
        let (a, b) = ("a".to_string(), "b".to_string());
        let acts = [
            (Some(&a), true),
            (Some(&a), true),
            (Some(&a), false),
            (Some(&b), false),
            (None, true),
        ];
        let f = RateFamily::test(acts, 2);
        assert_eq!((f.acts, f.hits), (5, 3));
        assert_eq!(f.overall_share, Some(0.6));
        assert_eq!(f.tests.len(), 1);
        let t = &f.tests[0];
        assert_eq!((t.actor.as_str(), t.acts, t.hits), ("a", 3, 2));
        // SciPy: binomtest(2, 3, 0.6, alternative="greater").pvalue = 0.648
        assert!((t.p.unwrap() - 0.648).abs() < 1e-12, "{:?}", t.p);
        // A family of one: q = p.
        assert_eq!(t.q, t.p);
    }

    #[test]
    fn no_acts_no_share_and_no_tests() {
        let f: RateFamily<String> = RateFamily::test([], 0);
        assert_eq!(f.overall_share, None);
        assert!(f.tests.is_empty());
    }
}
