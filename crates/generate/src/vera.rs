/*!
`generate --vera`: the tables in the sector's VERA vocabulary, column names
and codes as woonaudit's built-in `vera` preset reads them (the preset's
own table, read backwards), so the folder is the VERA twin of the same
data set.
*/

use woonaudit::preset::Preset;
use woonaudit::schema;

/// The header with every column the preset names under its VERA name.
pub(crate) fn header(table: &str, header: &[&'static str]) -> Vec<String> {
    let Some(t) = schema::Table::by_name(table) else {
        return header.iter().map(|h| h.to_string()).collect();
    };
    header
        .iter()
        .map(|h| {
            Preset::Vera
                .columns_of(t)
                .find(|(_, spec)| spec == h)
                .map_or(*h, |(source, _)| source)
                .to_string()
        })
        .collect()
}

/// `rows` with every value the preset has a code for written as the code.
pub(crate) fn rows(table: &str, header: &[&'static str], rows: &[Vec<String>]) -> Vec<Vec<String>> {
    let Some(t) = schema::Table::by_name(table) else {
        return rows.to_vec();
    };
    let codes: Vec<(usize, Vec<(&str, &str)>)> = header
        .iter()
        .enumerate()
        .filter_map(|(i, h)| {
            let col = t.columns().iter().find(|c| c.name == *h)?;
            let codes: Vec<(&str, &str)> = Preset::Vera.values_of(t, col.name).collect();
            (!codes.is_empty()).then_some((i, codes))
        })
        .collect();
    rows.iter()
        .map(|row| {
            let mut row = row.clone();
            for (i, codes) in &codes {
                if let Some(cell) = row.get_mut(*i) {
                    if let Some((code, _)) = codes.iter().find(|(_, spec)| spec == cell) {
                        *cell = code.to_string();
                    }
                }
            }
            row
        })
        .collect()
}

/// A config text with `preset = "vera"` added to its `[input]` section
/// (which is created when there is none), everything else as it was.
pub fn config(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let mut added = false;
    for line in text.split_inclusive('\n') {
        out.push_str(line);
        if !added && line.trim() == "[input]" {
            if !line.ends_with('\n') {
                out.push('\n');
            }
            out.push_str("preset = \"vera\"\n");
            added = true;
        }
    }
    if added {
        out
    } else {
        format!("[input]\npreset = \"vera\"\n\n{text}")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_preset_joins_the_input_section() {
        assert_eq!(
            super::config("# x\n[input]\nmigrated_on = [2024-03-14]\n\n[policies.a]\n"),
            "# x\n[input]\npreset = \"vera\"\nmigrated_on = [2024-03-14]\n\n[policies.a]\n"
        );
        assert_eq!(
            super::config("[policies.a]\n"),
            "[input]\npreset = \"vera\"\n\n[policies.a]\n"
        );
    }
}
