//! How numbers are written in the human-readable outputs, in one place.

/// A share (0..1) as a percentage with one decimal (`12.5%`), or `missing`
/// when there is none: each output says in its own words why a figure is
/// absent ("not computed" in the report, a dash in the annual tables).
pub fn percent(x: Option<f64>, missing: &str) -> String {
    x.map_or_else(|| missing.to_string(), |v| format!("{:.1}%", v * 100.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_read_as_percentages() {
        assert_eq!(percent(Some(0.125), "-"), "12.5%");
        assert_eq!(percent(Some(1.0), "-"), "100.0%");
        assert_eq!(percent(None, "not computed"), "not computed");
    }
}
