//! The user documentation (`docs/`) keeps in step with the code: every check
//! code has its section in docs/checks.md, every config key the code accepts
//! is in docs/config.md, the config examples are configs the code accepts,
//! and the README and docs point inside the repository.
//!
//! Only the part of a page before a `## Planned` heading counts as
//! documenting what this version runs, so listing a key or a code as
//! planned never satisfies these tests.

use std::path::{Path, PathBuf};

use woonaudit::checks::CheckCode;
use woonaudit::config::Config;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    let path = root().join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The text up to the first `## Planned` heading, or all of it.
fn implemented_part(text: &str) -> &str {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if line.starts_with("## Planned") {
            return &text[..at];
        }
        at += line.len();
    }
    text
}

/// The text of every `### ` heading.
fn level3_headings(text: &str) -> Vec<&str> {
    text.lines()
        .filter_map(|l| l.strip_prefix("### "))
        .map(str::trim)
        .collect()
}

#[test]
fn every_check_code_has_its_section_in_docs_checks_md() {
    let text = read("docs/checks.md");
    let headings = level3_headings(implemented_part(&text));
    let missing: Vec<&str> = CheckCode::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|code| !headings.contains(code))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/checks.md has no `### CODE` section for: {}",
        missing.join(", ")
    );
    // And no section for a code the code does not have (a typo, or a
    // planned check documented as if it ran).
    let known: Vec<&str> = CheckCode::ALL.iter().map(|c| c.as_str()).collect();
    let unknown: Vec<&&str> = headings
        .iter()
        .filter(|h| h.contains('_') && h.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        .filter(|h| !known.contains(h))
        .collect();
    assert!(
        unknown.is_empty(),
        "docs/checks.md has sections for codes this version does not run: {unknown:?}"
    );
}

#[test]
fn readme_and_docs_point_inside_the_repository() {
    let mut pages = vec![("README.md".to_string(), read("README.md"))];
    for entry in std::fs::read_dir(root().join("docs")).expect("docs/ exists") {
        let path = entry.expect("readable docs/").path();
        if path.extension().is_some_and(|e| e == "md") {
            let name = format!("docs/{}", path.file_name().unwrap().to_string_lossy());
            let text = std::fs::read_to_string(&path).unwrap();
            pages.push((name, text));
        }
    }
    assert!(pages.len() > 1, "docs/ holds no .md page");
    let outside: Vec<&str> = pages
        .iter()
        .filter(|(_, text)| text.contains("../shared"))
        .map(|(name, _)| name.as_str())
        .collect();
    assert!(
        outside.is_empty(),
        "these pages refer to ../shared, which users who clone the repository do not have: {outside:?}"
    );
    // Every relative link to a markdown page resolves.
    let mut broken = Vec::new();
    for (name, text) in &pages {
        let dir = Path::new(name).parent().unwrap_or(Path::new(""));
        for part in text.split("](").skip(1) {
            let target = part.split([')', '#']).next().unwrap_or_default();
            let page = target.ends_with(".md") && !target.contains("://");
            if page && !root().join(dir).join(target).is_file() {
                broken.push(format!("{name}: {target}"));
            }
        }
    }
    assert!(broken.is_empty(), "links to missing pages: {broken:?}");
}

/// The keys a config section accepts, as the config reader itself lists
/// them when it rejects an unknown key (`expected one of `a`, `b`, ...`).
pub(crate) fn accepted_keys(probe: &str) -> Vec<String> {
    let err = match Config::parse(probe) {
        Ok(_) => panic!("the config reader accepted an unknown key:\n{probe}"),
        Err(e) => e,
    };
    let Some((_, expected)) = err.split_once("expected") else {
        panic!("no list of accepted keys in the message: {err}");
    };
    let keys: Vec<String> = expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    assert!(
        !keys.is_empty(),
        "no accepted keys found in the message: {err}"
    );
    keys
}

#[test]
fn every_config_key_the_code_accepts_is_in_docs_config_md() {
    let text = read("docs/config.md");
    let doc = implemented_part(&text);
    let unknown = "zz_not_a_key = 1\n";
    let mut missing = Vec::new();

    let sections = accepted_keys(unknown);
    for key in &sections {
        // `[input]`, `[thresholds]`, `[[limits]]` (which contains `[limits]`).
        if !doc.contains(&format!("[{key}]")) {
            missing.push(format!("[{key}]"));
        }
    }
    let mut checked = 0;
    for (section, header) in [
        ("input", "[input]\n"),
        ("thresholds", "[thresholds]\n"),
        ("limits", "[[limits]]\n"),
    ] {
        if !sections.iter().any(|s| s == section) {
            // A section the code no longer has: nothing to probe.
            continue;
        }
        for key in accepted_keys(&format!("{header}{unknown}")) {
            checked += 1;
            if !doc.contains(&format!("`{key}`")) {
                missing.push(format!("{section}.{key}"));
            }
        }
    }
    // The probe found the keys it must find, so a change in the reader's
    // messages cannot make this test pass without looking.
    assert!(checked >= 10, "only {checked} keys found: {sections:?}");
    assert!(
        missing.is_empty(),
        "docs/config.md does not document these config keys: {}",
        missing.join(", ")
    );
}

#[test]
fn the_config_examples_are_accepted() {
    for page in ["docs/config.md", "README.md"] {
        let text = read(page);
        let mut blocks = 0;
        let mut rest = text.as_str();
        while let Some(start) = rest.find("```toml\n") {
            let body = &rest[start + "```toml\n".len()..];
            let end = body.find("```").expect("a closed toml block");
            if let Err(e) = Config::parse(&body[..end]) {
                panic!(
                    "{page}: a toml example is not a valid config: {e}\n{}",
                    &body[..end]
                );
            }
            blocks += 1;
            rest = &body[end + 3..];
        }
        assert!(blocks > 0, "{page} has no toml example");
    }
}

/// docs/inputs.md lists the VERA preset in full, as the code holds it: the
/// block between its markers is generated from `Preset::markdown`. With
/// `WOONAUDIT_BLESS=1` the test writes the block instead of comparing.
#[test]
fn the_vera_preset_table_in_docs_is_the_codes() {
    use woonaudit::preset::Preset;
    let start = "<!-- preset vera: generated from the code (crates/core/src/preset.rs); a test keeps it the same -->\n";
    let end = "<!-- end of preset vera -->";
    let text = read("docs/inputs.md");
    let (Some(a), Some(b)) = (text.find(start), text.find(end)) else {
        panic!("docs/inputs.md has no preset vera block");
    };
    let block = &text[a + start.len()..b];
    let want = Preset::Vera.markdown();
    if std::env::var_os("WOONAUDIT_BLESS").is_some() {
        let written = format!("{}{start}{want}{}", &text[..a], &text[b..]);
        std::fs::write(root().join("docs/inputs.md"), written).unwrap();
        return;
    }
    assert_eq!(
        block, want,
        "docs/inputs.md: the preset table differs from the code; rerun with WOONAUDIT_BLESS=1 to write it"
    );
    // Every code and column of the preset appears in the block.
    for e in Preset::Vera.columns() {
        assert!(block.contains(&format!("`{}`", e.source)), "{e:?}");
    }
    for e in Preset::Vera.values() {
        assert!(block.contains(&format!("`{}`", e.source)), "{e:?}");
    }
}
