//! Test helpers: a fixture folder of input tables, and the real binary run
//! on it.
#![allow(dead_code)]

pub mod book;
pub mod sheets;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// The headers the fixtures use unless a test gives its own.
pub const APPLICANTS: &str = "applicant_id,last_name,first_names,birth_date,registration_date,household_size,household_income,urgency,urgency_from,urgency_to,local_ties";
pub const ADVERTS: &str = "advert_id,dwelling_id,published_on,closes_on,model,urgency_first,local_first,min_age,max_age,min_household,max_household,min_income,max_income,rent";
pub const RESPONSES: &str =
    "advert_id,applicant_id,responded_at,lottery_number,position,outcome,reason,decided_by";
pub const ALLOCATIONS: &str =
    "allocation_id,dwelling_id,applicant_id,allocated_on,route,advert_id,handled_by,approved_by,reason";
pub const EMPLOYEES: &str =
    "employee_id,last_name,first_names,birth_date,employed_from,employed_to";

/// The day the tests' runs happen on (2026-07-02), as SOURCE_DATE_EPOCH.
pub const RUN_EPOCH: &str = "1782950400";

/// A folder of input tables for one test.
pub struct Fixture {
    pub dir: PathBuf,
    tables: BTreeMap<String, Vec<u8>>,
}

impl Fixture {
    /// A new empty fixture folder with a staff register of one employee and
    /// empty required tables.
    pub fn new(name: &str) -> Fixture {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("fx-{}-{name}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("data")).unwrap();
        let mut f = Fixture {
            dir,
            tables: BTreeMap::new(),
        };
        f.set("applicants", APPLICANTS, &[]);
        f.set("adverts", ADVERTS, &[]);
        f.set("responses", RESPONSES, &[]);
        f.set("allocations", ALLOCATIONS, &[]);
        f.set(
            "employees",
            EMPLOYEES,
            &["E1,Visser,Anna,1980-01-01,2015-01-01,"],
        );
        f
    }

    /// Sets a table's content: a header line and data lines.
    pub fn set(&mut self, table: &str, header: &str, rows: &[&str]) -> &mut Self {
        let mut text = String::from(header);
        text.push('\n');
        for r in rows {
            text.push_str(r);
            text.push('\n');
        }
        self.tables
            .insert(format!("{table}.csv"), text.into_bytes());
        self
    }

    /// Sets a file's raw bytes (any name).
    pub fn raw(&mut self, file: &str, text: &str) -> &mut Self {
        self.raw_bytes(file, text.as_bytes())
    }

    /// Sets a file's raw bytes (any name, any encoding).
    pub fn raw_bytes(&mut self, file: &str, bytes: &[u8]) -> &mut Self {
        self.tables.insert(file.to_string(), bytes.to_vec());
        self
    }

    /// Removes a file from the fixture and from disk.
    pub fn remove(&mut self, file: &str) -> &mut Self {
        self.tables.remove(file);
        let _ = std::fs::remove_file(self.data().join(file));
        self
    }

    /// The data folder.
    pub fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// The output folder.
    pub fn out(&self) -> PathBuf {
        self.dir.join("out")
    }

    /// Writes the tables.
    pub fn write(&self) {
        for (name, text) in &self.tables {
            std::fs::write(self.data().join(name), text).unwrap();
        }
    }

    /// Writes the tables and runs `woonaudit run` on them with extra args.
    pub fn run(&self, args: &[&str]) -> Output {
        self.write();
        let mut all = vec!["run", "--data"];
        let data = self.data();
        let out = self.out();
        all.push(data.to_str().unwrap());
        all.push("--out");
        all.push(out.to_str().unwrap());
        all.extend_from_slice(args);
        woonaudit(&all, &self.dir)
    }

    /// The stats.json of the last run.
    pub fn stats(&self) -> serde_json::Value {
        json(&self.out().join("stats.json"))
    }

    /// Runs and expects exit 0; returns the findings.
    pub fn findings(&self) -> Vec<Row> {
        let out = self.run(&[]);
        assert_ok(&out);
        read_csv(&self.out().join("findings.csv"))
    }
}

/// Reads a JSON file woonaudit wrote.
pub fn json(path: &Path) -> serde_json::Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Runs the real binary in `cwd`.
pub fn woonaudit(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_woonaudit"))
        // A fixed day of the run: workbooks stay byte-identical across
        // midnight.
        .env("SOURCE_DATE_EPOCH", RUN_EPOCH)
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run woonaudit")
}

/// Asserts exit 0, showing stderr otherwise.
pub fn assert_ok(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CSV row as column -> value.
pub type Row = BTreeMap<String, String>;

/// Reads a CSV file written by woonaudit.
pub fn read_csv(path: &Path) -> Vec<Row> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

/// The findings of one check as (subject_id, applicant_id, severity).
pub fn of_check(findings: &[Row], check: &str) -> Vec<(String, String, String)> {
    findings
        .iter()
        .filter(|f| f["check"] == check)
        .map(|f| {
            (
                f["subject_id"].clone(),
                f["applicant_id"].clone(),
                f["severity"].clone(),
            )
        })
        .collect()
}

/// Whether `needle` occurs in `hay` as a whole word (not inside a longer
/// word or number), ignoring case.
pub fn contains_word(hay: &str, needle: &str) -> bool {
    contains_word_lower(&hay.to_lowercase(), needle)
}

/// [`contains_word`] in a text already lower-cased (a long text scanned
/// for many values is lower-cased once).
pub fn contains_word_lower(hay: &str, needle: &str) -> bool {
    let needle = needle.to_lowercase();
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric());
    hay.match_indices(&needle).any(|(i, m)| {
        !word(hay[..i].chars().next_back()) && !word(hay[i + m.len()..].chars().next())
    })
}

/// The text `file` has in the output of a run on a data set without any
/// person (every table empty but for the fixture's one employee, who is
/// left out of the data): the words woonaudit writes itself. A personal
/// value that is one of them (a first name `Ids`, the word "ids" of "no
/// names, ids or dates") cannot be told apart and is not scanned for.
pub fn words_of_an_empty_run(args: &[&str], read: impl Fn(&Path) -> String) -> String {
    let mut f = Fixture::new("empty-run");
    f.set("employees", EMPLOYEES, &[]);
    let out = f.run(args);
    assert_ok(&out);
    read(&f.out())
}

/// The columns that hold a person's id, name, birth date, postcode, e-mail
/// or phone, in any input table.
const PERSONAL: [&str; 12] = [
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
    "changed_by",
];

/// Every personal value of the input tables in `data`, as (where, value):
/// as written, and in the forms woonaudit shows (a postcode without its
/// space, a birth date as YYYY-MM-DD), plus each word of a name of three
/// letters or more that is not a surname prefix. A lone initial (`J.`) is
/// left out: it names nobody.
pub fn personal_values(data: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(data)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv") && !p.ends_with("planted.csv"))
        .collect();
    files.sort();
    for file in files {
        let table = file.file_stem().unwrap().to_string_lossy().into_owned();
        for row in read_csv(&file) {
            for (column, value) in &row {
                let col = column.trim().to_lowercase();
                let col = col.strip_prefix("buyer_").unwrap_or(&col);
                if !PERSONAL.contains(&col) {
                    continue;
                }
                let value = value.trim();
                let letters = value.chars().filter(|c| c.is_alphanumeric()).count();
                let is_id = col.ends_with("_id") || col.ends_with("_by");
                if value.is_empty() || (letters < 2 && !is_id) {
                    continue;
                }
                let at = format!("{table}.{column}");
                out.push((at.clone(), value.to_string()));
                match col {
                    "postcode" => {
                        let compact: String = value
                            .chars()
                            .filter(|c| !c.is_whitespace())
                            .collect::<String>()
                            .to_uppercase();
                        out.push((at.clone(), compact));
                    }
                    "birth_date" => {
                        let parts: Vec<&str> = value.split(['-', '/']).collect();
                        if parts.len() == 3 && parts[2].len() == 4 {
                            out.push((
                                at.clone(),
                                format!("{}-{:0>2}-{:0>2}", parts[2], parts[1], parts[0]),
                            ));
                        }
                    }
                    "last_name" | "first_names" => {
                        const PREFIXES: [&str; 11] = [
                            "van", "der", "den", "het", "ter", "ten", "aan", "bij", "uit", "del",
                            "des",
                        ];
                        for word in value.split(|c: char| !c.is_alphanumeric()) {
                            if word.chars().count() >= 3
                                && !PREFIXES.contains(&word.to_lowercase().as_str())
                            {
                                out.push((at.clone(), word.to_string()));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    out
}
