//! A listing piped into a reader that goes away (`konkurs rank ... | head
//! -1`) ends quietly: status 0 (or 141, killed by SIGPIPE), never a panic.

mod common;

use common::*;
use std::process::{Command, Stdio};

#[test]
fn a_reader_that_goes_away_ends_the_command_quietly() {
    let db = tempfile::tempdir().unwrap();
    contest(db.path());
    let csv = db.path().join("more.csv");
    let mut rows =
        String::from("id,full_name,tos_name,municipality,group,email,phone,application_date\n");
    for i in 100..3000 {
        rows += &format!("P{i},Участник {i},ТОС «{i}»,Иркутск,city,,,15.01.2021\n");
    }
    std::fs::write(&csv, rows).unwrap();
    let csv = csv.display().to_string();
    for args in [
        &["import", "participants", csv.as_str()][..],
        &["list", "participants"],
        &["rank", "--stage", "education"],
        &["list", "audit"],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_konkurs"))
            .arg("--db")
            .arg(db.path())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away before reading a byte.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            matches!(out.status.code(), Some(0) | Some(141) | None),
            "{args:?}: {:?} {stderr}",
            out.status
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}
