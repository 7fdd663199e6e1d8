//! The `[[limits]]` blocks of the config, checked whole before the typed
//! parse (issue 14): the typed parse stops at the first missing key, so a
//! block copied with a line missing would be fixed one key per run. Here
//! every missing key of every block is named at once.

/// The keys every `[[limits]]` block must have (the AOW keys are optional).
pub(crate) const REQUIRED: [&str; 8] = [
    "year",
    "passend_income_single",
    "passend_income_multi",
    "aftopping_low",
    "aftopping_high",
    "daeb_rent_cap",
    "daeb_income_single",
    "daeb_income_multi",
];

/// The keys a `[[limits]]` block may leave out.
const OPTIONAL: [&str; 3] = [
    "aow_age",
    "passend_income_single_aow",
    "passend_income_multi_aow",
];

/// Fails naming each `[[limits]]` block that lacks required keys, and the
/// keys. Text that is not valid TOML is left to the typed parse, which
/// names the line.
pub(crate) fn check_complete(text: &str) -> Result<(), String> {
    let Ok(table) = text.parse::<toml::Table>() else {
        return Ok(());
    };
    let Some(toml::Value::Array(blocks)) = table.get("limits") else {
        return Ok(());
    };
    let mut problems = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        let Some(block) = block.as_table() else {
            continue;
        };
        // An unknown key (a typo) is named by the typed parse, with the
        // keys it accepts: a better message than a list of missing ones.
        if block
            .keys()
            .any(|k| !REQUIRED.contains(&k.as_str()) && !OPTIONAL.contains(&k.as_str()))
        {
            return Ok(());
        }
        let missing: Vec<&str> = REQUIRED
            .iter()
            .copied()
            .filter(|k| !block.contains_key(*k))
            .collect();
        if missing.is_empty() {
            continue;
        }
        let which = match block.get("year").and_then(toml::Value::as_integer) {
            Some(y) => format!("the [[limits]] block of year {y}"),
            None => format!("[[limits]] block {}", i + 1),
        };
        problems.push(format!("{which} misses {}", missing.join(", ")));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}: a [[limits]] block needs every one of {} (the AOW keys may be left out)",
            problems.join("; "),
            REQUIRED.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_missing_key_is_named() {
        let text = "[[limits]]\nyear = 2025\npassend_income_single = 1\naftopping_low = 1\n";
        let err = check_complete(text).unwrap_err();
        assert!(err.contains("year 2025 misses passend_income_multi, aftopping_high, daeb_rent_cap, daeb_income_single, daeb_income_multi"), "{err}");
        assert!(check_complete("[thresholds]\nsmall_cell = 5\n").is_ok());
    }
}
