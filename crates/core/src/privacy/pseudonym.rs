//! `--pseudonymise` (spec 6): for sharing reports outside the audit team,
//! report.html, exceptions.xlsx, links.csv and the charts carry
//! `P-` + the first 12 hex digits of HMAC-SHA256(key, value) in place of
//! applicant and employee ids, names, birth dates and postcodes (and, as an
//! auditor would expect though the spec does not list them, e-mail
//! addresses and phone numbers). The key comes from the environment
//! variable `WOONAUDIT_PSEUDONYM_KEY`; findings.csv, data_issues.csv and
//! stats.json are the audit file and keep the raw values.
//!
//! Columns that hold such a value are replaced whole ([`Mask::value`]).
//! Free text (detail sentences, link evidence, reasons, review notes, data
//! issue values and problems) is rewritten by [`Mask::text`]: every
//! occurrence of a personal value of the inputs, as written or in the
//! normalised form the evidence shows (`de Vries` and `vries`, `9275 wg`
//! and `9275WG`), is replaced by its pseudonym, matched without regard to
//! case and only as a whole word (never inside a longer word or number).
//! That catches the values wherever a sentence places them, including
//! sentences added later, at the price of also replacing an unrelated word
//! that happens to equal a personal value (an id `5` in `rank 5 of 9`):
//! too much is replaced, never too little.

use std::collections::{BTreeMap, HashMap, HashSet};

use sha2::{Digest, Sha256};

use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::link::normalize;

/// The environment variable holding the key.
pub const KEY_VAR: &str = "WOONAUDIT_PSEUDONYM_KEY";

/// HMAC-SHA256 (RFC 2104) of `message` under `key`.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.map(|b| b ^ byte);
    let mut inner = Sha256::new();
    inner.update(pad(0x36));
    inner.update(message);
    let inner = inner.finalize();
    let mut outer = Sha256::new();
    outer.update(pad(0x5c));
    outer.update(inner);
    outer.finalize().into()
}

/// How report values are shown: as they are, or pseudonymised.
#[derive(Default)]
pub struct Mask(Option<Pseudonymiser>);

/// The key and the personal values of one audit's inputs.
pub struct Pseudonymiser {
    key: Vec<u8>,
    /// Lower-cased value -> pseudonym.
    tokens: HashMap<String, String>,
    /// First and last characters (lower-cased) any token has.
    firsts: HashSet<char>,
    lasts: HashSet<char>,
    /// The longest token in bytes.
    longest: usize,
}

impl Mask {
    /// Values as they are.
    pub fn none() -> Mask {
        Mask(None)
    }

    /// Reads the key from `WOONAUDIT_PSEUDONYM_KEY`: an unset or empty
    /// variable stops the run (exit 2) before anything is written.
    pub fn key_from_env() -> Result<Vec<u8>> {
        match std::env::var_os(KEY_VAR) {
            Some(k) if !k.is_empty() => Ok(k.as_encoded_bytes().to_vec()),
            _ => Err(Error::Usage(format!(
                "--pseudonymise needs a key: set the environment variable {KEY_VAR} to a secret kept by the audit team (the same key gives the same pseudonyms)"
            ))),
        }
    }

    /// Pseudonymises with `key` the personal values of `data`.
    pub fn pseudonymise(key: &[u8], data: &Dataset) -> Mask {
        Mask(Some(Pseudonymiser::new(key, data)))
    }

    /// Whether values are pseudonymised.
    pub fn is_on(&self) -> bool {
        self.0.is_some()
    }

    /// A column value that is personal (an id, a name, a birth date, a
    /// postcode): its pseudonym; empty stays empty.
    pub fn value(&self, v: &str) -> String {
        match &self.0 {
            Some(p) if !v.is_empty() => p.pseudonym(v),
            _ => v.to_string(),
        }
    }

    /// A postcode column: the pseudonym of its normalised form, so that
    /// `9275 wg` and `9275WG` give the same one.
    pub fn postcode(&self, v: &str) -> String {
        self.value(&normalize::postcode(v).unwrap_or_else(|| v.to_string()))
    }

    /// The subject id of a finding: personal for an applicant or employee.
    pub fn subject(&self, subject_type: crate::checks::SubjectType, id: &str) -> String {
        use crate::checks::SubjectType;
        match subject_type {
            SubjectType::Applicant | SubjectType::Employee => self.value(id),
            _ => self.text(id),
        }
    }

    /// A finding_id as shown. It is an unkeyed hash of the check, the
    /// subject and the ids, so from the pseudonymised columns next to it a
    /// reader could find the raw ids by trying them all: pseudonymised,
    /// it is the pseudonym of the finding_id in findings.csv (the audit
    /// team, holding the key, can match the two).
    pub fn finding_id(&self, id: &str) -> String {
        self.value(id)
    }

    /// The value of a data issue: pseudonymised whole when its column holds
    /// a personal value (an unreadable birth date is not found as a date),
    /// else as free text.
    pub fn issue_value(&self, column: &str, v: &str) -> String {
        const PERSONAL: [&str; 11] = [
            "applicant_id",
            "employee_id",
            "last_name",
            "first_names",
            "birth_date",
            "postcode",
            "email",
            "phone",
            "handled_by",
            "approved_by",
            "decided_by",
        ];
        let column = column.strip_prefix("buyer_").unwrap_or(column);
        if PERSONAL.contains(&column) || column == "changed_by" {
            self.value(v)
        } else {
            self.text(v)
        }
    }

    /// Free text with every personal value of the inputs replaced.
    pub fn text(&self, s: &str) -> String {
        match &self.0 {
            Some(p) => p.text(s),
            None => s.to_string(),
        }
    }
}

impl Pseudonymiser {
    fn new(key: &[u8], data: &Dataset) -> Pseudonymiser {
        let mut p = Pseudonymiser {
            key: key.to_vec(),
            tokens: HashMap::new(),
            firsts: HashSet::new(),
            lasts: HashSet::new(),
            longest: 0,
        };
        // Value -> what its pseudonym is computed from. Collected in a
        // sorted map so that two values equal but for case always get the
        // same pseudonym (the smallest source wins).
        let mut found: BTreeMap<String, String> = BTreeMap::new();
        let mut put = |shown: &str, source: &str, is_id: bool| {
            let shown = shown.trim();
            // A lone initial (`J`, `S.`) identifies nobody, and as a word
            // it is everywhere (`tenant's`): kept. An id of one character
            // is still an id.
            let letters = shown.chars().filter(|c| c.is_alphanumeric()).count();
            if shown.is_empty() || (letters < 2 && !is_id) {
                return;
            }
            let lower = shown.to_lowercase();
            match found.get(&lower) {
                Some(s) if s.as_str() <= source => {}
                _ => {
                    found.insert(lower, source.to_string());
                }
            }
        };
        let mut ids: Vec<String> = Vec::new();
        let mut id = |v: &str| ids.push(v.to_string());
        for a in &data.applicants {
            id(a.id.as_str());
        }
        for e in &data.employees {
            id(e.id.as_str());
        }
        for r in &data.relations {
            id(r.employee_id.as_str());
            if let Some(a) = &r.applicant_id {
                id(a.as_str());
            }
        }
        for r in &data.responses {
            id(r.applicant_id.as_str());
            if let Some(e) = &r.decided_by {
                id(e.as_str());
            }
        }
        for a in &data.allocations {
            id(a.applicant_id.as_str());
            for e in [&a.handled_by, &a.approved_by].into_iter().flatten() {
                id(e.as_str());
            }
        }
        for c in &data.registration_changes {
            id(c.applicant_id.as_str());
            if let Some(e) = &c.changed_by {
                id(e.as_str());
            }
        }
        for s in &data.sales {
            for v in [&s.buyer_applicant_id].into_iter().flatten() {
                id(v.as_str());
            }
            if let Some(e) = &s.handled_by {
                id(e.as_str());
            }
        }
        // Applicants set aside (lenient mode) still occur in the rows that
        // refer to them and in the data issues.
        for a in &data.set_aside_applicants {
            id(a.as_str());
        }
        for v in &ids {
            put(v, v, true);
        }
        let mut add = |shown: &str, source: &str| put(shown, source, false);
        let people = data
            .applicants
            .iter()
            .map(|a| a.person())
            .chain(data.employees.iter().map(|e| e.person()))
            .chain(data.relations.iter().map(|r| r.person()))
            .chain(data.sales.iter().map(|s| s.buyer()));
        for person in people {
            for name in std::iter::once(person.last_name).chain(person.first_names) {
                add(name, name);
                if let Some(n) = normalize::name(name) {
                    add(&n, name);
                }
                // A name word on its own, for free text such as a reason
                // (`zus van Jan`): not the prefixes (de, van), not a
                // single letter (an initial).
                for word in name.split(|c: char| !c.is_alphanumeric()) {
                    if word.chars().count() >= 2 && !normalize::is_prefix(word) {
                        add(word, word);
                    }
                }
            }
            if let Some(d) = person.birth_date {
                let d = d.to_string();
                add(&d, &d);
            }
            if let Some(pc) = person.postcode {
                let n = normalize::postcode(pc).unwrap_or_else(|| pc.trim().to_string());
                add(pc, &n);
                add(&n, &n);
            }
            if let Some(m) = person.email {
                add(m, m);
            }
            if let Some(ph) = person.phone {
                add(ph, ph);
                if let Some(n) = normalize::phone(ph) {
                    add(&n, ph);
                }
            }
        }
        for (lower, source) in found {
            let (Some(first), Some(last)) = (lower.chars().next(), lower.chars().next_back())
            else {
                continue;
            };
            p.firsts.insert(first);
            p.lasts.insert(last);
            p.longest = p.longest.max(lower.len());
            let pseudonym = p.pseudonym(&source);
            p.tokens.insert(lower, pseudonym);
        }
        p
    }

    fn pseudonym(&self, value: &str) -> String {
        let mac = hmac_sha256(&self.key, value.as_bytes());
        format!("P-{}", crate::text::hex(&mac[..6]))
    }

    /// Replaces, left to right, the longest personal value starting at each
    /// place where a word may start, that ends where a word may end.
    fn text(&self, s: &str) -> String {
        let lower_owned;
        // Lower-casing keeps byte offsets for almost every text; where it
        // does not (a rare letter such as `İ`), compare slice by slice.
        let lower: Option<&str> = {
            lower_owned = s.to_lowercase();
            (lower_owned.len() == s.len()).then_some(lower_owned.as_str())
        };
        let chars: Vec<(usize, char)> = s.char_indices().collect();
        // Word characters: letters, digits, and the `-` and `_` of ids
        // such as `TW-2025-0001`, so an id `0001` is not found inside it.
        let alnum = |i: usize| {
            chars
                .get(i)
                .is_some_and(|(_, c)| c.is_alphanumeric() || matches!(c, '-' | '_'))
        };
        let mut out = String::with_capacity(s.len());
        let mut i = 0;
        while i < chars.len() {
            let (start, c) = chars[i];
            let may_start = i == 0 || !alnum(i - 1) || !alnum(i);
            let first_ok = c.to_lowercase().any(|l| self.firsts.contains(&l));
            let mut best: Option<(usize, &str)> = None;
            if may_start && first_ok {
                let mut j = i;
                while j < chars.len() && chars[j].0 - start < self.longest {
                    let (_, cj) = chars[j];
                    j += 1;
                    let may_end = j == chars.len() || !alnum(j - 1) || !alnum(j);
                    if !may_end || !cj.to_lowercase().any(|l| self.lasts.contains(&l)) {
                        continue;
                    }
                    let end = chars.get(j).map_or(s.len(), |(b, _)| *b);
                    let hit = match lower {
                        Some(l) => self.tokens.get(&l[start..end]),
                        None => self.tokens.get(&s[start..end].to_lowercase()),
                    };
                    if let Some(p) = hit {
                        best = Some((j, p.as_str()));
                    }
                }
            }
            match best {
                Some((j, p)) => {
                    out.push_str(p);
                    i = j;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::text::hex;

    /// RFC 4231, test cases 1 to 4, 6 and 7 (5 truncates the output).
    #[test]
    fn hmac_matches_rfc_4231() {
        let cases: [(Vec<u8>, Vec<u8>, &str); 6] = [
            (
                vec![0x0b; 20],
                b"Hi There".to_vec(),
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            ),
            (
                b"Jefe".to_vec(),
                b"what do ya want for nothing?".to_vec(),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            ),
            (
                vec![0xaa; 20],
                vec![0xdd; 50],
                "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
            ),
            (
                (1..=25).collect(),
                vec![0xcd; 50],
                "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
            ),
            (
                vec![0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(),
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            ),
            (
                vec![0xaa; 131],
                b"This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".to_vec(),
                "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
            ),
        ];
        for (key, data, want) in cases {
            assert_eq!(hex(&hmac_sha256(&key, &data)), want);
        }
    }

    fn sample() -> Dataset {
        use crate::model::*;
        let date = |s: &str| s.parse::<Date>().unwrap();
        let mut d = Dataset::default();
        d.applicants.push(Applicant {
            last_name: "Vries, de".into(),
            first_names: Some("Jan Willem".into()),
            postcode: Some("9275 wg".into()),
            ..Applicant::minimal(2, "2000207", date("1983-12-09"), date("2006-07-16"))
        });
        d
    }

    #[test]
    fn values_become_p_and_12_hex_digits() {
        let mask = Mask::pseudonymise(b"key", &sample());
        let p = mask.value("2000207");
        assert_eq!(
            p,
            format!("P-{}", &hex(&hmac_sha256(b"key", b"2000207"))[..12])
        );
        assert_eq!(mask.value(""), "");
        assert_eq!(mask.postcode("9275 wg"), mask.postcode("9275WG"));
        assert_eq!(Mask::none().value("2000207"), "2000207");
    }

    #[test]
    fn text_loses_every_form_of_the_values_and_only_whole_words() {
        let mask = Mask::pseudonymise(b"key", &sample());
        let t = mask.text(
            "applicant 2000207 (Vries, de / vries / de Vries, Jan Willem) born 1983-12-09 at 9275WG; \
             not 20002071 nor devries; rank 1 of 2 by Jan",
        );
        for raw in [
            "2000207 ",
            "Vries",
            "vries,",
            "Jan",
            "Willem",
            "1983-12-09",
            "9275WG",
        ] {
            assert!(!t.contains(raw), "{raw} in {t}");
        }
        assert!(t.contains("20002071") && t.contains("devries"), "{t}");
        assert!(t.contains("rank 1 of 2"), "{t}");
        assert!(t.contains(&mask.value("2000207")));
        assert!(t.contains(&mask.value("1983-12-09")));
        assert!(t.contains(&mask.postcode("9275WG")));
        assert_eq!(Mask::none().text(&t), t);
    }
}
