/*!
Synthetic people: Dutch and Frisian names, Frisian postcodes, house numbers,
e-mail addresses and phone numbers, each written in the inconsistent ways a
real export writes them (`Vries, de`, `J.S.`, `9101 ab`, `12-A`,
`+31 6 1234 5678`).

Every name and character here is in Windows-1252, so the `windows_1252`
dialect can write every cell. Staff get their own postcodes, phone range
(`06-9...`) and mail domain, so ordinary people never share them by
accident (see `link::Guard`).
*/

use rand::seq::IndexedRandom;
use rand::RngExt;
use rand_pcg::Pcg64;

use woonaudit::model::{Date, PersonFields};

/// Surnames with their prefixes, as a Frisian waiting list has them.
const SURNAMES: &[&str] = &[
    "de Vries",
    "van der Meer",
    "Zijlstra",
    "Hoekstra",
    "de Jong",
    "Bosma",
    "Dijkstra",
    "Wiersma",
    "van Dijk",
    "Jansen-van Dijk",
    "Postma",
    "Sjoerdsma",
    "Fokkema",
    "de Haan",
    "Brouwer",
    "Meijer",
    "Mulder",
    "Visser",
    "Smit",
    "Bakker",
    "Kuipers",
    "Hoekema",
    "Tjeerdsma",
    "Elzinga",
    "Stoelinga",
    "Bouma",
    "Kramer",
    "Veenstra",
    "Zwart",
    "Terpstra",
    "van der Veen",
    "de Boer",
    "Kingma",
    "Westra",
    "Hiemstra",
    "Yntema",
    "Boersma",
    "Nijdam",
    "Rienstra",
    "Feenstra",
    "Talsma",
    "de Wit",
    "Haringsma",
    "Kooistra",
    "Faber",
    "Jongsma",
    "Sikkema",
    "Wijnja",
    "van der Ploeg",
    "Ypma",
    "Attema",
    "Brandsma",
    "de Groot",
    "Schaap",
    "Oosterhof",
    "Heeringa",
    "Vellinga",
    "Tuinstra",
    "Reitsma",
    "Miedema",
    "Wouda",
    "Cnossen",
    "Oostra",
    "Bergsma",
    "Bijlsma",
    "van 't Hof",
    "ter Horst",
    "Nauta",
    "Hofstra",
    "Bruinsma",
    "Andringa",
    "Bonnema",
    "Damstra",
    "Huisman",
    "Jellema",
    "Keuning",
    "Osinga",
    "Rijpma",
    "Sijtsma",
    "Tolsma",
    "Venema",
    "Zandstra",
    "van den Berg",
    "Çelik",
    "Özdemir",
    "El Amrani",
    "Kowalski",
    "Nguyen",
    "Müller",
    "da Costa",
];

/// Given names of men, Frisian and Dutch, some with diacritics.
const GIVEN_MEN: &[&str] = &[
    "Sjoerd", "Wiebe", "Hylke", "Gerrit", "Jelle", "Émile", "Rinse", "IJsbrand", "Douwe", "Lútsen",
    "Pieter", "Jan", "Klaas", "Anne", "Wytze", "Jouke", "Durk", "Hessel", "Tjalling", "Daan",
    "Sem", "Noah", "Roel", "Bauke", "Rients", "Ate", "Ids", "Tsjalle", "Thijs", "Ruben", "Hendrik",
    "Johannes", "Willem", "Mohammed", "José", "André", "Noël", "Piotr",
];

/// Given names of women, Frisian and Dutch, some with diacritics.
const GIVEN_WOMEN: &[&str] = &[
    "Tjitske", "Baukje", "Anneke", "Froukje", "Aukje", "Geertje", "Sietske", "Marrit", "Jildou",
    "Sytske", "Femke", "Sanne", "Lieke", "Emma", "Julia", "Fenna", "Jitske", "Hiske", "Griet",
    "Minke", "Sjoukje", "Wietske", "Inge", "Marieke", "Fatima", "Zoë", "Renée", "Mai",
];

/// Letters used in Dutch postcodes (F, I, O, Q, U and Y are not).
const POSTCODE_LETTERS: &[u8] = b"ABCDEGHJKLMNPRSTVWXZ";

/// Frisian area codes with the length of their subscriber numbers.
const AREA_CODES: &[(&str, usize)] = &[
    ("058", 7),
    ("0512", 6),
    ("0513", 6),
    ("0515", 6),
    ("0517", 6),
    ("0519", 6),
];

/// Mail domains of ordinary people (the reserved `.example` TLD).
const MAIL_DOMAINS: &[&str] = &[
    "mail.example",
    "post.example",
    "web.example",
    "fryslan.example",
];

/// The mail domain reserved for the staff register.
pub(crate) const STAFF_DOMAIN: &str = "woonco.example";

/// A person's identifying fields as written in one export.
#[derive(Clone, Debug)]
pub(crate) struct Person {
    /// Surname with prefix, possibly inverted (`Vries, de`).
    pub last_name: String,
    /// First names, initials, or none.
    pub first_names: Option<String>,
    /// Birth date.
    pub birth_date: Date,
    /// Postcode as written.
    pub postcode: Option<String>,
    /// House number as written.
    pub house_number: Option<String>,
    /// E-mail as written.
    pub email: Option<String>,
    /// Phone as written.
    pub phone: Option<String>,
}

impl Person {
    /// The fields the linking rules compare.
    pub(crate) fn fields(&self) -> PersonFields<'_> {
        PersonFields {
            last_name: &self.last_name,
            first_names: self.first_names.as_deref(),
            birth_date: Some(self.birth_date),
            postcode: self.postcode.as_deref(),
            house_number: self.house_number.as_deref(),
            email: self.email.as_deref(),
            phone: self.phone.as_deref(),
        }
    }
}

/// A surname from the pool, in its plain form (`de Vries`).
pub(crate) fn surname(rng: &mut Pcg64) -> &'static str {
    SURNAMES.choose(rng).expect("non-empty pool")
}

/// One or more given names in full (`Sjoerd Jelle`).
pub(crate) fn given_names(rng: &mut Pcg64) -> String {
    let n = match rng.random_range(0..10) {
        0..=5 => 1,
        6..=8 => 2,
        _ => 3,
    };
    // One person's names are all men's or all women's names.
    let pool = if rng.random_bool(0.5) {
        GIVEN_MEN
    } else {
        GIVEN_WOMEN
    };
    let mut names: Vec<&str> = Vec::with_capacity(n);
    while names.len() < n {
        let g = *pool.choose(rng).expect("non-empty pool");
        if !names.contains(&g) {
            names.push(g);
        }
    }
    names.join(" ")
}

/// `Vries, de` for `de Vries`; names without a lower-case prefix unchanged.
pub(crate) fn inverted(name: &str) -> String {
    let words: Vec<&str> = name.split(' ').collect();
    let prefix_len = words
        .iter()
        .take_while(|w| {
            w.chars()
                .next()
                .is_some_and(|c| c.is_lowercase() || c == '\'')
        })
        .count();
    if prefix_len == 0 || prefix_len == words.len() {
        return name.to_string();
    }
    format!(
        "{}, {}",
        words[prefix_len..].join(" "),
        words[..prefix_len].join(" ")
    )
}

/// The surname as some clerk typed it: mostly plain, sometimes inverted.
pub(crate) fn written_surname(rng: &mut Pcg64, plain: &str) -> String {
    if rng.random_bool(0.2) {
        inverted(plain)
    } else {
        plain.to_string()
    }
}

/// Initials of given names: `Sjoerd Jelle` -> `S.J.`, `IJsbrand` -> `IJ.`.
pub(crate) fn initials(given: &str) -> String {
    given
        .split(' ')
        .map(|g| {
            if g.starts_with("IJ") {
                "IJ.".to_string()
            } else {
                format!("{}.", g.chars().next().unwrap_or('X'))
            }
        })
        .collect()
}

/// First names as written: full, first only, initials, or missing.
pub(crate) fn written_given(rng: &mut Pcg64, given: &str) -> Option<String> {
    match rng.random_range(0..20) {
        0 => None,
        1..=4 => Some(initials(given)),
        5..=7 => given.split(' ').next().map(str::to_string),
        _ => Some(given.to_string()),
    }
}

/// A postcode in the Frisian range, normalised (`9101AB`).
pub(crate) fn postcode(rng: &mut Pcg64) -> String {
    loop {
        let digits = rng.random_range(8400..=9299);
        let a = POSTCODE_LETTERS[rng.random_range(0..POSTCODE_LETTERS.len())] as char;
        let b = POSTCODE_LETTERS[rng.random_range(0..POSTCODE_LETTERS.len())] as char;
        // SA, SD and SS are not issued.
        if a == 'S' && matches!(b, 'A' | 'D' | 'S') {
            continue;
        }
        return format!("{digits}{a}{b}");
    }
}

/// A normalised postcode as some export writes it.
pub(crate) fn written_postcode(rng: &mut Pcg64, norm: &str) -> String {
    let (digits, letters) = norm.split_at(4);
    match rng.random_range(0..10) {
        0..=3 => norm.to_string(),
        4..=6 => format!("{digits} {letters}"),
        7 => format!("{digits} {}", letters.to_lowercase()),
        8 => format!("{digits}{}", letters.to_lowercase()),
        _ => format!(" {digits} {letters}"),
    }
}

/// A house number, normalised (`12`, `12a`).
pub(crate) fn house_number(rng: &mut Pcg64) -> String {
    let n = match rng.random_range(0..10) {
        0..=6 => rng.random_range(1..=80),
        7..=8 => rng.random_range(81..=250),
        _ => rng.random_range(251..=400),
    };
    if rng.random_bool(0.12) {
        let suffix = ['a', 'b', 'c'][rng.random_range(0..3)];
        format!("{n}{suffix}")
    } else {
        n.to_string()
    }
}

/// A normalised house number as written: `12a` may become `12-A` or `12 a`.
pub(crate) fn written_house_number(rng: &mut Pcg64, norm: &str) -> String {
    let split = norm.find(|c: char| !c.is_ascii_digit());
    let Some(i) = split else {
        return norm.to_string();
    };
    let (n, s) = norm.split_at(i);
    match rng.random_range(0..4) {
        0 => norm.to_string(),
        1 => format!("{n}-{}", s.to_uppercase()),
        2 => format!("{n} {s}"),
        _ => format!("{n}{}", s.to_uppercase()),
    }
}

/// Ten digits of a phone number, normalised (`0612345678`). Ordinary
/// people get mobiles starting 061..065 or a Frisian landline; the 069
/// range is the staff's (`staff_phone`).
pub(crate) fn phone(rng: &mut Pcg64) -> String {
    if rng.random_bool(0.75) {
        let second = rng.random_range(1..=5);
        format!("06{second}{:07}", rng.random_range(0..10_000_000))
    } else {
        let &(area, len) = AREA_CODES.choose(rng).expect("non-empty pool");
        // Subscriber numbers do not start with 0 or 1.
        let first = rng.random_range(2..=9);
        let rest_len = len - 1;
        let rest = rng.random_range(0..10u64.pow(rest_len as u32));
        format!("{area}{first}{rest:0rest_len$}")
    }
}

/// A staff phone: a mobile in the reserved 069 range.
pub(crate) fn staff_phone(rng: &mut Pcg64) -> String {
    format!("069{:07}", rng.random_range(0..10_000_000))
}

/// A normalised phone as written: `06-12345678`, `+31 6 1234 5678`, ...
pub(crate) fn written_phone(rng: &mut Pcg64, norm: &str) -> String {
    let mobile = norm.starts_with("06");
    match rng.random_range(0..10) {
        0..=3 => norm.to_string(),
        4..=6 if mobile => format!("06-{}", &norm[2..]),
        7..=8 if mobile => format!("+31 6 {} {}", &norm[2..6], &norm[6..]),
        9 if mobile => format!("+31{}", &norm[1..]),
        _ => {
            // Landline: area code, dash, subscriber number.
            let cut = if norm.starts_with("058") { 3 } else { 4 };
            if mobile {
                format!("0031 6 {}", &norm[2..])
            } else {
                format!("{}-{}", &norm[..cut], &norm[cut..])
            }
        }
    }
}

/// Plain ASCII letters of a name for an e-mail address (`Lútsen` -> `lutsen`).
pub(crate) fn ascii_letters(s: &str) -> String {
    use unicode_normalization::char::is_combining_mark;
    use unicode_normalization::UnicodeNormalization;
    s.nfkd()
        .filter(|c| !is_combining_mark(*c))
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_lowercase()
}

/// An ordinary person's e-mail (never on the staff domain).
pub(crate) fn email(rng: &mut Pcg64, given: &str, plain_surname: &str) -> String {
    let first = ascii_letters(given.split(' ').next().unwrap_or("x"));
    let last = ascii_letters(plain_surname);
    let domain = MAIL_DOMAINS.choose(rng).expect("non-empty pool");
    match rng.random_range(0..3) {
        0 => format!("{first}.{last}@{domain}"),
        1 => format!("{first}{}{}@{domain}", last, rng.random_range(1..100)),
        _ => format!(
            "{}{last}{}@{domain}",
            &first[..1],
            rng.random_range(1..1000)
        ),
    }
}

/// An e-mail as written: sometimes with capitals (compared lower-case).
pub(crate) fn written_email(rng: &mut Pcg64, norm: &str) -> String {
    if rng.random_bool(0.1) {
        let mut c = norm.chars();
        match c.next() {
            Some(f) => f.to_uppercase().chain(c).collect(),
            None => String::new(),
        }
    } else {
        norm.to_string()
    }
}

/// A uniformly drawn day in `[from, to]`.
pub(crate) fn date_between(rng: &mut Pcg64, from: Date, to: Date) -> Date {
    let days = (to - from).num_days().max(0);
    from + chrono::Duration::days(rng.random_range(0..=days))
}

/// An ordinary person with every field drawn at random (checked against
/// the staff by the caller). `born` bounds the birth date.
pub(crate) fn random_person(rng: &mut Pcg64, born: (Date, Date)) -> Person {
    let plain = surname(rng);
    let given = given_names(rng);
    let pc = postcode(rng);
    let hn = house_number(rng);
    let ph = phone(rng);
    let em = email(rng, &given, plain);
    Person {
        last_name: written_surname(rng, plain),
        first_names: written_given(rng, &given),
        birth_date: date_between(rng, born.0, born.1),
        postcode: (!rng.random_bool(0.02)).then(|| written_postcode(rng, &pc)),
        house_number: Some(written_house_number(rng, &hn)),
        email: (!rng.random_bool(0.15)).then(|| written_email(rng, &em)),
        phone: (!rng.random_bool(0.1)).then(|| written_phone(rng, &ph)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inversion_moves_the_prefix_behind() {
        assert_eq!(inverted("de Vries"), "Vries, de");
        assert_eq!(inverted("van der Meer"), "Meer, van der");
        assert_eq!(inverted("van 't Hof"), "Hof, van 't");
        assert_eq!(inverted("Jansen-van Dijk"), "Jansen-van Dijk");
        assert_eq!(inverted("Zijlstra"), "Zijlstra");
    }

    #[test]
    fn initials_keep_ij_together() {
        assert_eq!(initials("Sjoerd Jelle"), "S.J.");
        assert_eq!(initials("IJsbrand"), "IJ.");
        assert_eq!(initials("Émile"), "É.");
    }

    #[test]
    fn every_name_is_windows_1252() {
        for s in SURNAMES.iter().chain(GIVEN_MEN).chain(GIVEN_WOMEN) {
            let (_, _, bad) = encoding_rs::WINDOWS_1252.encode(s);
            assert!(!bad, "{s} is not in Windows-1252");
        }
    }
}
