//! Fuzzing the parsers that read what people give konkurs: CSV and XLSX
//! files, the regulation, keymaps. (The SSH input parser has its own in
//! src/ssh/input/tests.rs.) Every input either parses or is refused with a
//! message that names the file (and the line when there is one); nothing
//! panics, and a refused import changes nothing.
//!
//! The bounded run in CI uses proptest's default case count; a longer run:
//! `PROPTEST_CASES=20000 cargo test --release --test fuzz`. Inputs that once
//! failed are kept by proptest in `fuzz.proptest-regressions`; the seed corpus in
//! `tests/data/fuzz/` and `tests/data/bad/` is replayed on every run.

use konkurs::domain::contest::RegulationDoc;
use konkurs::domain::regulation::Regulation;
use konkurs::interchange::{self, table};
use konkurs::service::{Actor, ImportKind, Service};
use konkurs::text::{I18n, Lang};
use konkurs::tui::keymap::Keymap;
use proptest::prelude::*;
use std::path::Path;

const REGULATION: &str = include_str!("../sample-data/regulation.toml");

fn corpus(dir: &str) -> Vec<(String, Vec<u8>)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(dir);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_none_or(|e| e != "expected"))
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect();
    out.sort();
    out
}

/// A service with the sample regulation and a few participants and events.
fn service() -> (tempfile::TempDir, Service, Actor) {
    let dir = tempfile::tempdir().unwrap();
    let service = Service::open(dir.path()).unwrap();
    let actor = Actor::local_coordinator();
    service
        .set_regulation(
            &actor,
            RegulationDoc {
                file_name: "regulation.toml".into(),
                source: REGULATION.into(),
            },
        )
        .unwrap();
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/base");
    for (kind, file) in [
        (ImportKind::Participants, "participants.csv"),
        (ImportKind::Events, "events.csv"),
    ] {
        interchange::import_file(&service, &actor, kind, &base.join(file), false).unwrap();
    }
    (dir, service, actor)
}

fn dump(service: &Service, actor: &Actor) -> String {
    let mut d = service.backup(actor).unwrap();
    d.created_at = chrono::DateTime::UNIX_EPOCH;
    serde_json::to_string(&d).unwrap()
}

const KINDS: [ImportKind; 7] = [
    ImportKind::Participants,
    ImportKind::Jurors,
    ImportKind::Events,
    ImportKind::Attendance,
    ImportKind::Mentors,
    ImportKind::Interns,
    ImportKind::Municipalities,
];

/// Imports `bytes` as `kind`: either it is accepted, or it is refused with
/// messages that start with the file's name and the database is unchanged.
fn import_checked(service: &Service, actor: &Actor, kind: ImportKind, bytes: &[u8]) {
    let before = dump(service, actor);
    let file = "fuzz.csv";
    let result = table::read_csv(file, bytes)
        .map_err(|e| e.to_string())
        .and_then(|t| {
            interchange::import_table(service, actor, kind, &t, true).map_err(|e| e.to_string())
        });
    match result {
        Ok(_) => {}
        Err(text) => {
            for line in text
                .lines()
                .filter(|l| !l.starts_with("nothing") && !l.starts_with("..."))
            {
                assert!(
                    line.starts_with(file),
                    "a message without the file: {line:?}"
                );
            }
            assert_eq!(
                dump(service, actor),
                before,
                "a refused import changed the database"
            );
        }
    }
}

#[test]
fn the_seed_corpus_never_panics() {
    let (_dir, service, actor) = service();
    for (name, bytes) in corpus("fuzz/csv").into_iter().chain(corpus("bad")) {
        if name.ends_with(".toml") {
            continue;
        }
        for kind in KINDS {
            import_checked(&service, &actor, kind, &bytes);
        }
    }
    for (_, bytes) in corpus("fuzz/regulation") {
        let _ = Regulation::parse(&String::from_utf8_lossy(&bytes));
    }
    for (_, bytes) in corpus("fuzz/keymap") {
        let _ = Keymap::parse(&String::from_utf8_lossy(&bytes), "keymap.toml");
    }
}

/// Cells a secretary's spreadsheet might hold.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("P001".to_string()),
        Just("E001".to_string()),
        Just("Иванова Анна Петровна".to_string()),
        Just("ТОС «Рассвет»".to_string()),
        Just("city".to_string()),
        Just("Сельские поселения".to_string()),
        Just("15.01.2021".to_string()),
        Just("2021-02-10 18:03:12".to_string()),
        Just("3,5".to_string()),
        Just("-2".to_string()),
        Just("economics:3; partnership:2".to_string()),
        Just("вебинар".to_string()),
        Just("+".to_string()),
        Just("ssh-ed25519 AAAA".to_string()),
        Just("\"quoted, with comma\"".to_string()),
        "[a-zA-Zа-яА-ЯёЁ0-9 .,;:+\\-\"]{0,20}",
        any::<u32>().prop_map(|n| n.to_string()),
    ]
}

/// Headers: real field names, Russian aliases and unknown words.
fn header() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("id".to_string()),
        Just("full_name".to_string()),
        Just("ФИО".to_string()),
        Just("tos_name".to_string()),
        Just("municipality".to_string()),
        Just("group".to_string()),
        Just("application_date".to_string()),
        Just("participant_id".to_string()),
        Just("event_id".to_string()),
        Just("E001".to_string()),
        Just("topics".to_string()),
        Just("title".to_string()),
        Just("topic".to_string()),
        Just("format".to_string()),
        Just("start".to_string()),
        Just("latitude".to_string()),
        Just("name".to_string()),
        Just("role".to_string()),
        "[a-zа-я_ ]{1,12}",
    ]
}

fn csv_text() -> impl Strategy<Value = (Vec<u8>, usize)> {
    (
        prop::collection::vec(header(), 1..8),
        prop::collection::vec(prop::collection::vec(cell(), 0..9), 0..8),
        prop_oneof![Just(','), Just(';'), Just('\t')],
        any::<bool>(),
        any::<bool>(),
        0usize..7,
    )
        .prop_map(|(headers, rows, delimiter, bom, cp1251, kind)| {
            let d = delimiter.to_string();
            let mut text = headers.join(&d);
            for r in rows {
                text.push('\n');
                text.push_str(&r.join(&d));
            }
            let mut bytes = if cp1251 {
                encoding_rs::WINDOWS_1251.encode(&text).0.into_owned()
            } else {
                text.into_bytes()
            };
            if bom && !cp1251 {
                bytes.splice(0..0, [0xEF, 0xBB, 0xBF]);
            }
            (bytes, kind)
        })
}

proptest! {
    #[test]
    fn any_bytes_read_as_csv_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        if let Err(e) = table::read_csv("any.csv", &bytes) {
            prop_assert!(e.to_string().starts_with("any.csv"));
        }
    }

    #[test]
    fn csv_shaped_files_import_or_are_refused_cleanly((bytes, kind) in csv_text()) {
        let (_dir, service, actor) = service();
        import_checked(&service, &actor, KINDS[kind], &bytes);
    }

    #[test]
    fn workbooks_of_any_cells_read_or_are_refused(
        cells in prop::collection::vec((0u16..6, 0u16..5, 0u8..5, cell(), any::<f64>()), 0..30),
        sheets in 1usize..3,
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
    ) {
        let mut book = rust_xlsxwriter::Workbook::new();
        for s in 0..sheets {
            let ws = book.add_worksheet();
            let _ = ws.set_name(format!("Лист{}", s + 1));
            for (row, col, kind, text, number) in &cells {
                let _ = match kind {
                    0 => ws.write_string(u32::from(*row), *col, text).map(|_| ()),
                    1 => ws.write_number(u32::from(*row), *col, if number.is_finite() { *number } else { 0.0 }).map(|_| ()),
                    2 => ws.write_boolean(u32::from(*row), *col, number.is_sign_positive()).map(|_| ()),
                    3 => ws.write_formula(u32::from(*row), *col, "=1/0").map(|_| ()),
                    _ => ws.write_blank(u32::from(*row), *col, &rust_xlsxwriter::Format::new()).map(|_| ()),
                };
            }
        }
        let mut bytes = book.save_to_buffer().unwrap();
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("book.xlsx");
        std::fs::write(&path, &bytes).unwrap();
        if let Err(e) = table::read_table(&path) {
            prop_assert!(e.to_string().starts_with(&path.display().to_string()));
        }
    }

    #[test]
    fn mutated_regulations_are_refused_with_a_line_in_the_file(
        ops in prop::collection::vec((0u8..5, any::<prop::sample::Index>(), any::<prop::sample::Index>(), "[ -~а-я]{0,12}"), 1..6),
    ) {
        let mut lines: Vec<String> = REGULATION.lines().map(String::from).collect();
        for (op, a, b, text) in ops {
            if lines.is_empty() {
                break;
            }
            let i = a.index(lines.len());
            let j = b.index(lines.len());
            match op {
                0 => { lines.remove(i); }
                1 => { let l = lines[i].clone(); lines.insert(j, l); }
                2 => lines.swap(i, j),
                3 => {
                    // Replace the value after `=` on a line.
                    if let Some((k, _)) = lines[i].clone().split_once('=') {
                        lines[i] = format!("{k}= {text}");
                    }
                }
                _ => lines[i].push_str(&text),
            }
        }
        let text = lines.join("\n");
        if let Err(e) = Regulation::parse(&text) {
            let count = text.lines().count().max(1);
            for problem in e.0 {
                prop_assert!(problem.line >= 1 && problem.line <= count + 1, "line {} of {count}", problem.line);
                for lang in [Lang::En, Lang::Ru] {
                    let words = konkurs::text::regulation::problem(&problem.problem, &I18n::new(lang));
                    prop_assert!(!words.trim().is_empty() && !words.contains("regulation."), "{words}");
                }
            }
        }
    }

    #[test]
    fn keymap_files_parse_or_name_their_line(
        lines in prop::collection::vec(
            prop_oneof![
                Just("[global]".to_string()),
                Just("[review]".to_string()),
                Just("[nowhere]".to_string()),
                ("[a-zA-Z0-9 \\-?:/]{0,10}", "[a-z_]{0,14}").prop_map(|(k, a)| format!("\"{k}\" = \"{a}\"")),
                "[ -~]{0,20}",
            ],
            0..12,
        ),
    ) {
        let text = lines.join("\n");
        if let Err(e) = Keymap::parse(&text, "keymap.toml") {
            prop_assert!(e.line >= 1 && e.line <= lines.len().max(1) + 1, "{e}");
        }
    }
}
