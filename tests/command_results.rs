//! What a command says is what it did: it exits 0 only when it did
//! everything it was asked (`score --stdin` answers every line and exits 1
//! when any was refused, saying how many), and its counts count what it
//! names (`import jurors` counts jurors, not their conflict rows).

mod common;

use konkurs::service::{Actor, Service};
use std::io::Write;
use std::process::{Command, Stdio};

#[test]
fn a_refused_score_line_makes_score_stdin_fail_after_answering_every_line() {
    let dir = tempfile::tempdir().unwrap();
    let queue = common::sample_at_portfolio(&Service::open(dir.path()).unwrap());
    for (lang, said) in [
        ("en", "1 of 3 score lines were refused"),
        ("ru", "отклонено строк с оценками: 1 из 3"),
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_konkurs"))
            .arg("--db")
            .arg(dir.path())
            .args([
                "--lang",
                lang,
                "--as",
                "J02",
                "score",
                "--stage",
                "portfolio",
            ])
            .arg("--stdin")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "{} projects=7", queue[0]).unwrap();
        writeln!(stdin, "{} projects=99", queue[1]).unwrap();
        writeln!(stdin, "{} media=5", queue[2]).unwrap();
        drop(stdin);
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            stdout.lines().count(),
            3,
            "every line is answered: {stdout}"
        );
        assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
        assert!(stderr.contains(said), "{stderr}");
    }
    // `history` without --juror is the acting juror's own sheet.
    let out = Command::new(env!("CARGO_BIN_EXE_konkurs"))
        .arg("--db")
        .arg(dir.path())
        .args([
            "--lang",
            "en",
            "--as",
            "J02",
            "history",
            "--stage",
            "portfolio",
        ])
        .args(["--participant", queue[0].as_str()])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert!(said.contains("projects") && said.contains('7'), "{said}");
}

#[test]
fn import_jurors_counts_jurors_not_their_conflict_rows() {
    let dir = tempfile::tempdir().unwrap();
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/sample-data");
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_konkurs"))
            .arg("--db")
            .arg(dir.path())
            .args(["--lang", "en"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    run(&["init", "--regulation", &format!("{data}/regulation.toml")]);
    run(&[
        "import",
        "participants",
        &format!("{data}/participants.csv"),
    ]);
    let jurors = std::fs::read_to_string(format!("{data}/jurors.csv")).unwrap();
    let rows = jurors
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .count();
    assert!(
        jurors.contains("\"P013, P079"),
        "the sample has conflict rows"
    );
    let said = run(&["import", "jurors", &format!("{data}/jurors.csv")]);
    assert!(
        said.contains(&format!("jurors added {rows}, updated 0")),
        "{said}"
    );
}

#[test]
fn rank_as_of_before_the_database_existed_says_so() {
    let dir = tempfile::tempdir().unwrap();
    {
        let service = Service::open(dir.path()).unwrap();
        konkurs::sample::load(&service, &Actor::local_coordinator()).unwrap();
    }
    for (lang, said) in [
        ("en", "the database holds nothing from before"),
        ("ru", "в базе нет ничего раньше"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_konkurs"))
            .arg("--db")
            .arg(dir.path())
            .args(["--lang", lang, "rank", "--stage", "education"])
            .args(["--as-of", "2001-01-01T00:00:00Z"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert!(stderr.contains(said), "{stderr}");
    }
}
