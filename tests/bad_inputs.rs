//! The bad-input corpus: every file in `tests/data/bad/` is refused with the
//! exact message in its `.expected` file, and nothing from it reaches the
//! database (a backup taken before and after is identical).
//!
//! The kind comes from the file name's first word: `participants-…`,
//! `attendance-…`, `regulation-…`, `keymap-…`. To pin new messages after a
//! deliberate change, run with `KONKURS_BLESS=1` and read the diff.

use konkurs::domain::contest::RegulationDoc;
use konkurs::interchange::{self, records::Options};
use konkurs::service::{Actor, ImportKind, Service};
use konkurs::tui::keymap::Keymap;
use std::path::{Path, PathBuf};

const REGULATION: &str = include_str!("../sample-data/regulation.toml");

fn data(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(dir)
}

/// A small contest: the sample regulation, five participants, three events,
/// a juror and a coordinator.
fn base() -> (tempfile::TempDir, Service, Actor) {
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
    for (kind, file) in [
        (ImportKind::Participants, "participants.csv"),
        (ImportKind::Events, "events.csv"),
        (ImportKind::Jurors, "jurors.csv"),
    ] {
        interchange::import_file(&service, &actor, kind, &data("base").join(file), false)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
    }
    (dir, service, actor)
}

fn kind_of(name: &str) -> &str {
    name.split('-').next().unwrap_or("")
}

fn import_kind(word: &str) -> Option<ImportKind> {
    Some(match word {
        "participants" => ImportKind::Participants,
        "jurors" => ImportKind::Jurors,
        "events" => ImportKind::Events,
        "attendance" => ImportKind::Attendance,
        "mentors" => ImportKind::Mentors,
        "interns" => ImportKind::Interns,
        "municipalities" => ImportKind::Municipalities,
        _ => return None,
    })
}

/// What konkurs says about a file, with its path replaced by `{file}`.
fn refusal(service: &Service, actor: &Actor, path: &Path) -> String {
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let shown = path.display().to_string();
    let text = match kind_of(&name) {
        "regulation" => {
            let source = std::fs::read_to_string(path).unwrap();
            match service.set_regulation(
                actor,
                RegulationDoc {
                    file_name: shown.clone(),
                    source,
                },
            ) {
                Ok(_) => panic!("{name}: the regulation was accepted"),
                Err(e) => e.to_string(),
            }
        }
        "keymap" => match Keymap::load(&shown, None) {
            Ok(_) => panic!("{name}: the keymap was accepted"),
            Err(e) => e.to_string(),
        },
        word => {
            let kind = import_kind(word).unwrap_or_else(|| panic!("{name}: unknown kind"));
            match interchange::import_file_with(
                service,
                actor,
                kind,
                path,
                false,
                &Options::default(),
            ) {
                Ok(o) => panic!("{name}: the file was accepted: {}", o.report),
                Err(e) => e.to_string(),
            }
        }
    };
    text.replace(&shown, "{file}")
}

fn snapshot(service: &Service, actor: &Actor) -> String {
    let mut dump = service.backup(actor).unwrap();
    dump.created_at = chrono::DateTime::UNIX_EPOCH;
    serde_json::to_string(&dump).unwrap()
}

#[test]
fn every_bad_file_is_refused_with_its_message_and_changes_nothing() {
    let (_dir, service, actor) = base();
    let before = snapshot(&service, &actor);
    let bless = std::env::var_os("KONKURS_BLESS").is_some();
    let mut files: Vec<PathBuf> = std::fs::read_dir(data("bad"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e != "expected"))
        .collect();
    files.sort();
    assert!(files.len() >= 30, "the corpus has {} files", files.len());
    let mut wrong = Vec::new();
    for path in &files {
        let got = refusal(&service, &actor, path);
        let expected_path = PathBuf::from(format!("{}.expected", path.display()));
        if bless {
            std::fs::write(&expected_path, format!("{got}\n")).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|_| panic!("{} has no .expected file", path.display()));
        if got.trim_end() != expected.trim_end() {
            wrong.push(format!(
                "{}:\n  expected: {}\n  got:      {}",
                path.display(),
                expected.trim_end(),
                got
            ));
        }
        assert_eq!(
            snapshot(&service, &actor),
            before,
            "{} changed the database",
            path.display()
        );
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_ten_megabyte_line_is_refused_with_its_line_number() {
    let (_dir, service, actor) = base();
    let before = snapshot(&service, &actor);
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("participants.csv");
    let mut bytes = b"id,full_name,tos_name,municipality,group,application_date\n".to_vec();
    bytes.extend(std::iter::repeat_n(b'x', 10 * 1024 * 1024));
    std::fs::write(&path, bytes).unwrap();
    let e = interchange::import_file(&service, &actor, ImportKind::Participants, &path, false)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with(&format!(
            "{}:2: the line is 10485760 bytes long",
            path.display()
        )),
        "{e}"
    );
    assert!(e.ends_with("nothing was imported"), "{e}");
    assert_eq!(snapshot(&service, &actor), before);
}

#[test]
fn the_base_files_import_and_import_again_without_change() {
    let (_dir, service, actor) = base();
    let again = interchange::import_file(
        &service,
        &actor,
        ImportKind::Participants,
        &data("base").join("participants.csv"),
        false,
    )
    .unwrap();
    assert!(!again.report.changed(), "{}", again.report);
    assert_eq!(again.report.unchanged, 5);
}
