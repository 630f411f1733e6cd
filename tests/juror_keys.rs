//! The juror's keyboard path in a real terminal (tmux) with the binary:
//! a session killed mid-comment comes back in the normal mode with the
//! comment as a pending draft, and the README's scoring walkthrough is typed
//! literally, key by key, as the README writes it.

mod common;

use common::*;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

fn konkurs_cmd(args: &[&str]) -> std::process::Output {
    Command::new(BIN).args(args).output().unwrap()
}

/// The sample contest up to the portfolio stage, with jurors assigned.
fn portfolio(db: &Path) {
    let db = db.to_str().unwrap();
    for args in [
        vec!["demo", "--dir", db],
        vec![
            "--db",
            db,
            "advance",
            "--stage",
            "education",
            "--reason",
            "protocol of the jury",
        ],
        vec!["--db", db, "assign", "--stage", "portfolio"],
    ] {
        let out = konkurs_cmd(&args);
        assert!(out.status.success(), "{args:?}: {out:?}");
    }
}

/// The id of the workstation process running on `db` (this test started it).
fn workstation_pid(db: &Path) -> Option<u32> {
    let needle = db.to_str().unwrap();
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid: u32 = e.file_name().to_str()?.parse().ok()?;
        let cmdline = std::fs::read(e.path().join("cmdline")).ok()?;
        let words: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
        let ours = words.first().is_some_and(|w| *w == BIN.as_bytes())
            && words.contains(&needle.as_bytes());
        ours.then_some(pid)
    })
}

fn juror_ru(db: &Path) -> Tmux {
    Tmux::run(&[
        BIN.to_string(),
        "--db".into(),
        db.display().to_string(),
        "--as".into(),
        "J02".into(),
        "--lang".into(),
        "ru".into(),
    ])
}

#[test]
fn a_session_killed_mid_comment_comes_back_with_a_pending_draft_not_live_typing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    portfolio(&db);
    let t = juror_ru(&db);
    t.wait_text("Участники");
    t.keys(&["M-2"]);
    t.wait_text("Очередь 0/");
    t.keys(&["Enter", "7", "Enter"]);
    t.wait_text("сохранено");
    t.keys(&["c"]);
    t.wait_text("Обоснование ·");
    t.keys(&["-l", "Текст без Esc"]);
    let screen = t.wait_text("Текст без Esc");
    assert!(screen.contains("ввод обоснования"), "{screen}");
    // The session state is saved a few times a second; then the client dies.
    std::thread::sleep(Duration::from_millis(1500));
    let pid = workstation_pid(&db).expect("the workstation is running");
    let out = Command::new("kill")
        .args(["-9", &pid.to_string()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    t.wait_text("EXIT=137");
    drop(t);

    // Back again: the normal mode, the comment waits as a draft.
    let t = juror_ru(&db);
    let screen = t.wait_text("черновик обоснования не сохранён — c продолжить");
    assert!(screen.contains("Текст без Esc"), "{screen}");
    assert!(!screen.contains("ввод обоснования"), "{screen}");
    // Keys typed by habit do what they always do: ? opens the help, W
    // does nothing here, and none of them lands in the comment.
    t.keys(&["?"]);
    t.wait_text("Изменить поставленную оценку");
    t.keys(&["Escape"]);
    t.wait("the help closed", |s| {
        !s.contains("Изменить поставленную оценку")
    });
    t.keys(&["W"]);
    let screen = t.wait_text("черновик обоснования не сохранён");
    assert!(!screen.contains("Текст без Esc?"), "{screen}");
    assert!(!screen.contains("Текст без EscW"), "{screen}");
    t.keys(&["q"]);
    t.wait_text("EXIT=0");
    drop(t);

    // The draft survived q as well; c continues it and Enter saves it.
    let t = juror_ru(&db);
    t.wait_text("черновик обоснования не сохранён");
    t.keys(&["c"]);
    t.wait_text("Обоснование ·");
    t.keys(&["-l", " и точка."]);
    t.wait_text("Текст без Esc и точка.");
    t.keys(&["Enter"]);
    t.wait_text("комментарий сохранён");
    let screen = t.screen();
    assert!(!screen.contains("черновик обоснования"), "{screen}");
    t.keys(&["q"]);
    t.wait_text("EXIT=0");
}

/// Tmux's name of a key as the README writes it; any other word is text.
fn tmux_key(word: &str) -> Vec<String> {
    match word {
        "Enter" => vec!["Enter".into()],
        "Esc" => vec!["Escape".into()],
        w if w.starts_with("Alt-") => vec![format!("M-{}", &w[4..])],
        w => vec!["-l".into(), w.into()],
    }
}

#[test]
fn the_readmes_scoring_walkthrough_typed_literally() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme
        .find("### From the first stage to the team")
        .expect("the walkthrough");
    let block = &readme[start..];
    let block = &block[block.find("```sh").unwrap() + 5..];
    let block = &block[..block.find("```").unwrap()];
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("contest");
    let data = data.to_str().unwrap();
    let mut keys = None;
    // Each command up to the juror's session, as written.
    for line in block.lines() {
        let (command, comment) = line.split_once('#').unwrap_or((line, ""));
        let words: Vec<String> = command
            .split_whitespace()
            .map(|w| w.replace("$KONKURS_DATA", data))
            .collect();
        if words.first().map(String::as_str) != Some("konkurs") {
            continue;
        }
        if let Some(k) = comment.trim().strip_prefix("keys:") {
            assert_eq!(words, ["konkurs", "--as", "J02"], "{line}");
            keys = Some(k.split_whitespace().map(str::to_string).collect::<Vec<_>>());
            break;
        }
        let out = Command::new(BIN)
            .args(&words[1..])
            .env("KONKURS_DATA", data)
            .output()
            .unwrap();
        assert!(out.status.success(), "{line}: {out:?}");
    }
    let keys = keys.expect("the README names the juror's keys after «# keys:»");
    let t = Tmux::run(&[
        "env".into(),
        format!("KONKURS_DATA={data}"),
        BIN.into(),
        "--as".into(),
        "J02".into(),
    ]);
    t.wait_text("2 Scoring");
    for word in &keys {
        let k = tmux_key(word);
        t.keys(&k.iter().map(String::as_str).collect::<Vec<_>>());
        // One key at a time, as a person types: wait for the screen to settle.
        std::thread::sleep(Duration::from_millis(150));
    }
    t.wait_text("EXIT=0");
    let out = Command::new(BIN)
        .args([
            "--as",
            "J02",
            "progress",
            "--stage",
            "portfolio",
            "--sheets",
            "--format",
            "csv",
        ])
        .env("KONKURS_DATA", data)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let submitted: Vec<&str> = text
        .lines()
        .filter(|r| r.contains(",submitted,5/5,"))
        .collect();
    assert_eq!(submitted.len(), 1, "{text}");
}
