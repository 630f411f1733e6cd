//! The binary in a real terminal (tmux), as a newcomer meets it: `konkurs
//! demo` opens the sample contest; typing part of a name in Latin letters
//! finds the participant; Enter opens the profile; `--keymap vim` works;
//! a juror scores from the keyboard, quits, comes back to the draft and
//! submits; the terminal is left clean.

mod common;

use common::*;

fn demo(dir: &std::path::Path, extra: &[&str]) -> Tmux {
    let mut cmd = vec![
        BIN.to_string(),
        "demo".into(),
        "--dir".into(),
        dir.display().to_string(),
        "--lang".into(),
        "en".into(),
    ];
    cmd.extend(extra.iter().map(|s| s.to_string()));
    Tmux::run(&cmd)
}

#[test]
fn a_newcomer_finds_a_participant_by_typing_latin_letters() {
    let dir = tempfile::tempdir().unwrap();
    let t = demo(&dir.path().join("db"), &[]);
    t.wait_text("1 Review");
    t.wait_text("Review 150 of 150");
    // Соколова Елена Павловна is P001 of the sample contest.
    t.keys(&["/"]);
    t.keys(&["-l", "sokolova"]);
    let screen = t.wait_text("/ sokolova");
    assert!(screen.contains("P001   Соколова"), "{screen}");
    // Enter ends the search, Enter again opens the profile in full.
    t.keys(&["Enter", "Enter"]);
    let screen = t.wait("the profile in full", |s| {
        s.contains("Соколова Елена Павловна") && !s.contains("/ sokolova")
    });
    assert!(screen.contains("Indicators"), "{screen}");
    assert!(screen.contains("Activity rating"), "{screen}");
    // Esc closes the profile (a separate key press: Esc followed at once by
    // another key reads as Alt+key, as in every terminal).
    t.keys(&["Escape"]);
    t.wait_text("/ sokolova");
    t.keys(&["?"]);
    t.wait_text("Sort by the next column");
    t.keys(&["Escape"]);
    t.wait("the help closed", |s| {
        !s.contains("Sort by the next column")
    });
    t.keys(&["q"]);
    let screen = t.wait_text("EXIT=0");
    assert!(
        !screen.contains("1 Review"),
        "the workstation's screen is gone:\n{screen}"
    );
}

#[test]
fn vim_keys_and_the_russian_interface() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let t = Tmux::run(&[
        BIN.to_string(),
        "demo".into(),
        "--dir".into(),
        db.display().to_string(),
        "--lang".into(),
        "ru".into(),
        "--keymap".into(),
        "vim".into(),
    ]);
    t.wait_text("1 Участники");
    // G goes to the last participant, g g back to the first.
    t.keys(&["G"]);
    t.wait_text("№: P150");
    t.keys(&["g", "g"]);
    t.wait_text("№: P001");
    t.keys(&["j", "j"]);
    t.wait_text("№: P003");
    t.keys(&["q"]);
    t.wait_text("EXIT=0");
}

#[test]
fn a_juror_scores_from_the_keyboard_quits_returns_to_the_draft_and_submits() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    // The coordinator runs the contest up to the portfolio stage.
    let out = konkurs_cmd(&["demo", "--dir", &db.display().to_string()]);
    assert!(out.status.success(), "{out:?}");
    for args in [
        vec![
            "advance",
            "--stage",
            "education",
            "--reason",
            "protocol of the jury",
        ],
        vec!["assign", "--stage", "portfolio"],
    ] {
        let mut full = vec!["--db", db.to_str().unwrap()];
        full.extend(args);
        let out = konkurs_cmd(&full);
        assert!(out.status.success(), "{out:?}");
    }
    let juror = |extra: &[&str]| {
        let mut cmd = vec![
            BIN.to_string(),
            "--db".into(),
            db.display().to_string(),
            "--as".into(),
            "J02".into(),
            "--lang".into(),
            "en".into(),
        ];
        cmd.extend(extra.iter().map(|s| s.to_string()));
        Tmux::run(&cmd)
    };
    let t = juror(&[]);
    t.wait_text("1 Review");
    t.keys(&["M-2"]);
    t.wait_text("Queue 0/36");
    // Enter opens the form; 7 Enter, 6 Enter, then a comment.
    t.keys(&["Enter", "7", "Enter", "6", "Enter"]);
    t.wait_text("saved");
    t.keys(&["c"]);
    t.keys(&["-l", "Draft comment"]);
    // Enter saves the justification and closes the editor.
    t.keys(&["Enter"]);
    t.wait_text("comment saved");
    t.keys(&["q"]);
    t.wait_text("EXIT=0");
    drop(t);

    // Back again: the same pane, the draft is there; finish and submit.
    let t = juror(&[]);
    let screen = t.wait_text("Draft comment");
    assert!(screen.contains("Queue 0/36"), "{screen}");
    t.keys(&["5", "Enter", "8", "Enter", "4", "Enter"]);
    t.keys(&["S", "y"]);
    t.wait_text("submitted");
    t.wait_text("Queue 1/36");
    t.keys(&["q"]);
    t.wait_text("EXIT=0");

    // The coordinator sees the progress.
    let out = konkurs_cmd(&[
        "--db",
        db.to_str().unwrap(),
        "progress",
        "--stage",
        "portfolio",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().find(|l| l.starts_with("J02")).unwrap();
    assert!(line.split_whitespace().any(|w| w == "1"), "{text}");

    // The juror's own queue, one row per assignment, for a script.
    let sheets = |actor: &str, juror: &str| {
        let out = konkurs_cmd(&[
            "--db",
            db.to_str().unwrap(),
            "--as",
            actor,
            "progress",
            "--stage",
            "portfolio",
            "--sheets",
            "--juror",
            juror,
            "--format",
            "csv",
        ]);
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let own = sheets("J02", "J02");
    let rows: Vec<&str> = own.lines().skip(1).collect();
    assert_eq!(rows.len(), 36, "{own}");
    let submitted: Vec<&&str> = rows
        .iter()
        .filter(|r| r.contains(",submitted,5/5,"))
        .collect();
    assert_eq!(submitted.len(), 1, "{own}");
    assert!(rows.iter().all(|r| r.contains(",J02,")), "{own}");
    // Another juror sees none of J02's queue.
    assert_eq!(sheets("J03", "J02").lines().count(), 1);
}

#[test]
fn the_demo_as_a_person_records_what_they_do_under_their_name() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    // J01 is the sample contest's coordinator.
    let t = demo(&db, &["--as", "J01"]);
    t.wait_text("Вишневская Зинаида Ильинична");
    t.keys(&["M-3"]);
    t.wait_text("open: complete, can be closed");
    t.keys(&["C"]);
    t.wait_text("Close the stage");
    t.keys(&["-l", "protocol of the jury"]);
    t.keys(&["Enter"]);
    t.wait_text("the stage is closed: 60 advance");
    t.keys(&["q"]);
    t.wait_text("EXIT=0");
    drop(t);
    let out = konkurs_cmd(&[
        "--db",
        db.to_str().unwrap(),
        "list",
        "audit",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{out:?}");
    let entries: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let close = entries
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "stage.close")
        .unwrap_or_else(|| panic!("no stage.close in {entries}"));
    assert_eq!(close["actor"], "J01", "{close}");
    assert!(
        close["summary"]
            .as_str()
            .unwrap()
            .ends_with(": protocol of the jury"),
        "{close}"
    );
}

fn konkurs_cmd(args: &[&str]) -> std::process::Output {
    std::process::Command::new(BIN).args(args).output().unwrap()
}
