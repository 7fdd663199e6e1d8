//! The SALE_* checks (spec 4): was each home sold in the period (by
//! sold_on) at its appraised value, after a public offer, on a fresh
//! appraisal? And STAFF_PURCHASE (v1.2): the register of sales in the
//! period to a buyer linked to staff. The buyer is linked to staff by spec 2
//! from the sale's buyer_* fields on the day of the sale; the first link
//! (strongest kind, then lowest employee_id) is the one a finding names.

use crate::checks::{severity_if, with_clause, CheckCode, Finding, Severity, SubjectType};
use crate::context::Context;
use crate::link::Link;
use crate::model::{Cents, Decimal, Sale, SaleRoute};

/// Runs SALE_BELOW_APPRAISAL, SALE_NOT_PUBLIC and SALE_STALE_APPRAISAL.
pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let t = &ctx.config.thresholds;
    for sale in &ctx.data.sales {
        if !ctx.period.contains(sale.sold_on) {
            continue;
        }
        let links = ctx.buyer_links(sale);
        let link = links.first();
        let what = format!(
            "Sale {} of dwelling {} on {} by route {} to buyer {}{}",
            sale.id,
            sale.dwelling_id,
            sale.sold_on,
            sale.route,
            buyer_name(sale),
            sale.buyer_applicant_id
                .as_ref()
                .map(|a| format!(" (applicant {a})"))
                .unwrap_or_default(),
        );
        // The evidence of the named link belongs with every finding.
        let evidence = match link {
            Some(l) => format!("staff link: {}", l.evidence),
            None => "the buyer is not linked to staff".to_string(),
        };
        let finding = |check: CheckCode, severity: Severity, sentence: String| {
            Finding::new(
                check,
                severity,
                SubjectType::Sale,
                sale.id.as_str(),
                with_clause(&sentence, &evidence),
            )
            .about(sale.buyer_applicant_id.as_ref())
            .naming(link)
        };
        let linked = link.is_some();

        if linked {
            out.push(finding(
                CheckCode::StaffPurchase,
                Severity::Low,
                staff_purchase(sale, &links, &what),
            ));
        }
        if let Some(f) = below_appraisal(sale, t.sale_tolerance, &what) {
            out.push(finding(
                CheckCode::SaleBelowAppraisal,
                severity_if(linked, Severity::High, Severity::Low),
                f,
            ));
        }
        if let Some(f) = not_public(sale, link, t.listing_min_days, &what) {
            out.push(finding(
                CheckCode::SaleNotPublic,
                severity_if(linked, Severity::High, Severity::Low),
                f,
            ));
        }
        if let Some(f) = stale_appraisal(sale, t.appraisal_max_age_days, &what) {
            out.push(finding(
                CheckCode::SaleStaleAppraisal,
                severity_if(linked, Severity::Medium, Severity::Low),
                f,
            ));
        }
    }
}

/// `de Vries (Piet)`: the buyer's last name as written (it may be
/// `Vries, de`), with the first names when known.
fn buyer_name(sale: &Sale) -> String {
    match &sale.buyer_first_names {
        Some(first) => format!("{} ({first})", sale.buyer_last_name),
        None => sale.buyer_last_name.clone(),
    }
}

/// STAFF_PURCHASE: the sale to a linked buyer, with the amounts and every
/// other employee the buyer is linked to (the named link's evidence is
/// added by the caller).
fn staff_purchase(sale: &Sale, links: &[Link], what: &str) -> String {
    let others: Vec<String> = links
        .iter()
        .skip(1)
        .map(|l| format!("{} ({})", l.employee_id, l.kind))
        .collect();
    let also = if others.is_empty() {
        String::new()
    } else {
        format!("; the buyer is also linked to {}", others.join(", "))
    };
    format!(
        "{what} for {} against an appraisal of {} went to a buyer linked to staff{also}.",
        sale.price, sale.appraisal_value
    )
}

/// `amount x (1 - a) x (1 - b)` rounded half-up to the cent, in exact
/// integer arithmetic: with `a = m_a / 10^s_a` and `b = m_b / 10^s_b` it is
/// `amount (10^s_a - m_a) (10^s_b - m_b) / 10^(s_a + s_b)`.
///
/// `None` when the exact product does not fit in 128 bits, which needs
/// fractions with some twenty or more significant decimals between them
/// (the reader keeps up to 30 per value); the caller then says the
/// threshold could not be computed instead of guessing.
pub fn discounted_threshold(amount: Cents, a: Decimal, b: Decimal) -> Option<Cents> {
    let one_minus = |d: Decimal| -> Option<(i128, i128)> {
        let den = 10i128.checked_pow(d.scale)?;
        Some((den.checked_sub(d.mantissa)?, den))
    };
    let (num_a, den_a) = one_minus(a)?;
    let (num_b, den_b) = one_minus(b)?;
    let num = i128::from(amount.0)
        .checked_mul(num_a)?
        .checked_mul(num_b)?;
    let den = den_a.checked_mul(den_b)?;
    // Half-up on a non-negative quotient: floor((2 num + den) / (2 den)).
    // The fractions are within 0..1 (validation and config check), so num
    // is not negative for a non-negative amount.
    let rounded = num
        .checked_mul(2)?
        .checked_add(den)?
        .div_euclid(den.checked_mul(2)?);
    i64::try_from(rounded).ok().map(Cents)
}

/// SALE_BELOW_APPRAISAL: price < appraisal x (1 - scheme_discount) x
/// (1 - tolerance), the right side rounded half-up to the cent.
fn below_appraisal(sale: &Sale, tolerance: Decimal, what: &str) -> Option<String> {
    let threshold = discounted_threshold(sale.appraisal_value, sale.scheme_discount, tolerance);
    let formula = format!(
        "appraisal {} (appraised {}) x (1 - scheme discount {}) x (1 - tolerance {})",
        sale.appraisal_value,
        sale.appraised_on
            .map_or("on an unrecorded date".to_string(), |d| format!("on {d}")),
        sale.scheme_discount,
        tolerance,
    );
    let Some(threshold) = threshold else {
        // Cannot happen for real fractions; say so rather than stay silent.
        return Some(format!(
            "{what} for {} could not be compared with {formula}: the exact threshold exceeds 128-bit arithmetic.",
            sale.price
        ));
    };
    if sale.price >= threshold {
        return None;
    }
    // Appraisal is positive (validation), so the percentage is defined.
    let under =
        (sale.appraisal_value.0 - sale.price.0) as f64 * 100.0 / sale.appraisal_value.0 as f64;
    Some(format!(
        "{what} for {} is under the threshold {threshold} = {formula}, rounded half-up to the cent; the price is {} ({under:.1}%) under the appraisal.",
        sale.price,
        Cents(sale.appraisal_value.0 - sale.price.0),
    ))
}

/// SALE_NOT_PUBLIC: a linked buyer without a proper public offer (route not
/// open_market or auction, no listing, or listed fewer than
/// `min_days` days before the sale, a listing after the sale included), or
/// any private sale.
fn not_public(sale: &Sale, link: Option<&Link>, min_days: i64, what: &str) -> Option<String> {
    let mut why = Vec::new();
    if sale.route == SaleRoute::Private {
        why.push("it was sold privately, without a public offer".to_string());
    }
    if link.is_some() {
        if sale.route == SaleRoute::SittingTenant {
            why.push("the route sitting_tenant is not a public offer".to_string());
        }
        match sale.listed_on {
            None => why.push("it was never listed publicly (listed_on missing)".to_string()),
            Some(listed) => {
                let days = (sale.sold_on - listed).num_days();
                if days < 0 {
                    why.push(format!(
                        "it was listed on {listed}, {} day(s) after the sale",
                        -days
                    ));
                } else if days < min_days {
                    why.push(format!(
                        "it was listed on {listed}, only {days} day(s) before the sale (minimum {min_days})"
                    ));
                }
            }
        }
    }
    if why.is_empty() {
        return None;
    }
    let to_whom = if link.is_some() {
        "to a staff-linked buyer"
    } else {
        "to a buyer not linked to staff"
    };
    Some(format!(
        "{what} for {} was not offered publicly {to_whom}: {}.",
        sale.price,
        why.join("; ")
    ))
}

/// SALE_STALE_APPRAISAL: appraised_on missing, after the sale, or more than
/// `max_days` days before it.
fn stale_appraisal(sale: &Sale, max_days: i64, what: &str) -> Option<String> {
    let why = match sale.appraised_on {
        None => "has no appraisal date (appraised_on missing)".to_string(),
        Some(on) if on > sale.sold_on => {
            format!(
                "was appraised on {on}, {} day(s) after the sale",
                (on - sale.sold_on).num_days()
            )
        }
        Some(on) => {
            let age = (sale.sold_on - on).num_days();
            if age <= max_days {
                return None;
            }
            format!("was appraised on {on}, {age} days before the sale (maximum {max_days})")
        }
    };
    Some(format!(
        "{what} for {} against an appraisal of {} {why}.",
        sale.price, sale.appraisal_value
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(mantissa: i128, scale: u32) -> Decimal {
        Decimal { mantissa, scale }
    }

    #[test]
    fn threshold_is_exact_and_rounded_half_up() {
        // 174000.00 x 0.98 = 170520.00
        assert_eq!(
            discounted_threshold(Cents(17_400_000), Decimal::ZERO, dec(2, 2)),
            Some(Cents(17_052_000))
        );
        // 1.01 x 0.9 x 0.98 = 0.89082 -> 0.89
        assert_eq!(
            discounted_threshold(Cents(101), dec(1, 1), dec(2, 2)),
            Some(Cents(89))
        );
        // 0.25 x 0.5 = 0.125 -> 0.13 (half-up, where binary floats give 0.12)
        assert_eq!(
            discounted_threshold(Cents(25), dec(5, 1), Decimal::ZERO),
            Some(Cents(13))
        );
        // 0.05 x 0.9 = 0.045 -> 0.05
        assert_eq!(
            discounted_threshold(Cents(5), dec(1, 1), Decimal::ZERO),
            Some(Cents(5))
        );
        // A full discount leaves nothing.
        assert_eq!(
            discounted_threshold(Cents(100), dec(1, 0), dec(2, 2)),
            Some(Cents(0))
        );
    }

    #[test]
    fn threshold_overflow_is_none_not_a_panic() {
        let long = dec(123_456_789_012_345_678_901_234_567_890, 30);
        assert_eq!(discounted_threshold(Cents(i64::MAX), long, long), None);
    }
}
