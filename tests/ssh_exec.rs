//! A served contest run from outside with the real OpenSSH client: every
//! command as an exec request (`ssh -p PORT C01@host list participants`),
//! files through standard input and output, exports into the exports
//! directory with the line that fetches them; and on the server's own
//! machine, commands through the control socket while `serve` holds the
//! database.
//!
//! Needs `ssh` and `ssh-keygen` (apt-get install -y openssh-client).

mod common;

use calamine::Reader;
use common::*;
use std::io::Write;
use std::process::{Command, Output, Stdio};

/// `ssh ... USER@127.0.0.1 WORDS...` with `input` on standard input.
fn exec(server: &Server, world: &World, who: &str, words: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new("ssh")
        .args(server.ssh_args(&world.key(who), who))
        .arg("--")
        .args(words)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input).unwrap();
    drop(stdin);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    rx.recv_timeout(PATIENCE * 3)
        .expect("the ssh command ends")
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_coordinators_command_over_ssh_prints_what_it_prints_locally() {
    let world = World::new();
    let local = konkurs(
        world.db.path(),
        &["list", "participants", "--format", "json"],
    );
    assert!(local.status.success());
    let server = world.serve(&[]);
    let remote = exec(
        &server,
        &world,
        "C01",
        &["--lang", "en", "list", "participants", "--format", "json"],
        b"",
    );
    assert!(remote.status.success(), "{}", text(&remote.stderr));
    assert_eq!(text(&remote.stdout), text(&local.stdout));

    // The command is in the audit log with the person, and in konkurs.log.
    let audit = exec(
        &server,
        &world,
        "C01",
        &["list", "audit", "--format", "json"],
        b"",
    );
    let entries: serde_json::Value = serde_json::from_slice(&audit.stdout).unwrap();
    let sent: Vec<&serde_json::Value> = entries
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "command.ssh")
        .collect();
    assert!(
        sent.iter().any(|e| e["actor"] == "C01"
            && e["summary"]
                .as_str()
                .unwrap()
                .contains("list participants --format json")),
        "{sent:?}"
    );
    let log = std::fs::read_to_string(world.db.path().join("konkurs.log")).unwrap();
    assert!(
        log.contains("command of C01") && log.contains("list participants --format json"),
        "{log}"
    );
}

#[test]
fn a_file_comes_on_standard_input_and_a_document_goes_to_standard_output() {
    let world = World::new();
    let server = world.serve(&[]);
    let events = "id,title,topic,format,start,end,hours,place\n\
                  E03,Новое мероприятие,volunteers,seminar,2021-03-01,2021-03-01,2,Иркутск\n";
    let import = exec(
        &server,
        &world,
        "C01",
        &["--lang", "en", "import", "events", "-"],
        events.as_bytes(),
    );
    assert!(import.status.success(), "{}", text(&import.stderr));
    assert!(
        text(&import.stdout).contains("added 1"),
        "{}",
        text(&import.stdout)
    );
    let listed = exec(
        &server,
        &world,
        "C01",
        &["list", "events", "--format", "csv"],
        b"",
    );
    assert!(text(&listed.stdout).contains("E03"));

    // A bad file is refused with its line, and nothing is written.
    let bad = exec(
        &server,
        &world,
        "C01",
        &["--lang", "en", "import", "events", "-"],
        b"id,title,topic,format,start,end,hours,place\nE04,X,nope,seminar,2021-03-01,2021-03-01,2,Y\n",
    );
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        text(&bad.stderr).contains("stdin:2"),
        "{}",
        text(&bad.stderr)
    );

    // A server path is not read over SSH.
    let path = exec(
        &server,
        &world,
        "C01",
        &["import", "events", "/etc/passwd"],
        b"",
    );
    assert_eq!(path.status.code(), Some(1));
    assert!(
        text(&path.stderr).contains("standard input"),
        "{}",
        text(&path.stderr)
    );

    // A binary XLSX on standard output opens as a workbook, and no file is
    // left in the exports directory.
    let xlsx = exec(
        &server,
        &world,
        "C01",
        &["export", "register", "--format", "xlsx", "--out", "-"],
        b"",
    );
    assert!(xlsx.status.success(), "{}", text(&xlsx.stderr));
    let mut book =
        calamine::open_workbook_from_rs::<calamine::Xlsx<_>, _>(std::io::Cursor::new(xlsx.stdout))
            .expect("standard output is a workbook");
    let sheets = book.sheet_names();
    let first = book.worksheet_range(&sheets[0]).unwrap();
    assert!(first.rows().count() > 4);
    let exports = world.db.path().join("exports");
    assert!(
        std::fs::read_dir(&exports).map_or(true, |d| d.count() == 0),
        "a document sent to standard output leaves no file"
    );
}

#[test]
fn an_export_over_ssh_goes_to_the_exports_directory_with_the_line_that_fetches_it() {
    let world = World::new();
    let server = world.serve(&[]);
    let out = exec(
        &server,
        &world,
        "C01",
        &["--lang", "ru", "export", "register"],
        b"",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    let file = world.db.path().join("exports/konkurs-register-2021.xlsx");
    assert!(file.is_file(), "{said}");
    assert!(
        said.contains(&format!(
            "забрать файл: scp -P {} C01@127.0.0.1:konkurs-register-2021.xlsx .",
            server.port
        )),
        "{said}"
    );
    // Only a plain file name.
    for name in ["../escape.xlsx", "/tmp/escape.xlsx", "sub/x.xlsx"] {
        let out = exec(
            &server,
            &world,
            "C01",
            &["export", "register", "--out", name],
            b"",
        );
        assert_eq!(out.status.code(), Some(1), "{name}");
        assert!(
            text(&out.stderr).contains("file name only"),
            "{}",
            text(&out.stderr)
        );
    }
    assert!(!world.db.path().join("escape.xlsx").exists());
    assert!(!std::path::Path::new("/tmp/escape.xlsx").exists());
}

#[test]
fn roles_hold_and_what_makes_no_sense_remotely_is_refused() {
    let world = World::new();
    let server = world.serve(&[]);
    // A juror may not export.
    let out = exec(
        &server,
        &world,
        "J01",
        &["export", "register", "--out", "-"],
        b"",
    );
    assert_ne!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    assert!(
        text(&out.stderr).contains("may not export"),
        "{}",
        text(&out.stderr)
    );
    // Who acts is the key's person.
    let out = exec(&server, &world, "J01", &["--as", "C01", "status"], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("--as"), "{}", text(&out.stderr));
    let out = exec(&server, &world, "C01", &["--db", "/tmp", "status"], b"");
    assert_eq!(out.status.code(), Some(1));
    for words in [
        &["serve"][..],
        &["demo"],
        &["restore", "x.json"],
        &["init", "--regulation", "r.toml"],
        &["init", "--regulation", "r.toml", "--force", "--reason", "x"],
    ] {
        let out = exec(&server, &world, "C01", words, b"");
        assert_eq!(out.status.code(), Some(1), "{words:?}");
        assert!(!text(&out.stderr).is_empty(), "{words:?}");
    }
    // A backup only to standard output, and only for a coordinator.
    let out = exec(&server, &world, "C01", &["backup", "b.json"], b"");
    assert_eq!(out.status.code(), Some(1));
    let out = exec(&server, &world, "C01", &["backup", "-"], b"");
    assert!(out.status.success());
    let dump: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(dump["records"].as_array().unwrap().len() > 5);
    let out = exec(&server, &world, "O01", &["backup", "-"], b"");
    assert_eq!(out.status.code(), Some(1));
    // An unknown command gets the usage and status 2.
    let out = exec(&server, &world, "C01", &["frobnicate"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("Usage"), "{}", text(&out.stderr));
    let out = exec(&server, &world, "C01", &["--lang", "ru", "frobnicate"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("неизвестная команда «frobnicate»"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn an_observer_over_ssh_sees_no_score_of_an_open_blind_stage() {
    let world = World::new();
    {
        // The educational stage closed; J01 judges P001 at the blind
        // portfolio stage and submits.
        use konkurs::domain::ids::{CriterionId, StageId};
        let service = konkurs::service::Service::open(world.db.path()).unwrap();
        let me = konkurs::service::Actor::local_coordinator();
        let portfolio = StageId::new("portfolio");
        service
            .close_stage(&me, &StageId::new("education"), "protocol of the jury")
            .unwrap();
        service
            .assign(&me, &portfolio, &"P001".into(), &"J01".into())
            .unwrap();
        let j01 = service.actor("J01").unwrap();
        for c in [
            "projects",
            "creative_task",
            "partnership",
            "media",
            "mentoring",
        ] {
            service
                .set_score(
                    &j01,
                    &portfolio,
                    &"P001".into(),
                    &CriterionId::new(c),
                    Some(6.5),
                )
                .unwrap();
        }
        service
            .set_comment(&j01, &portfolio, &"P001".into(), "Тайное обоснование J01")
            .unwrap();
        service.submit(&j01, &portfolio, &"P001".into()).unwrap();
    }
    let server = world.serve(&[]);
    // 1.5 × 6.5 × 2 + 6.5 × 3 = 39
    let secret = ["J01=39", "Тайное обоснование J01"];
    let said = |who: &str, words: &[&str]| {
        let out = exec(&server, &world, who, words, b"");
        (out.status.success(), text(&out.stdout) + &text(&out.stderr))
    };
    let (ok, coordinator) = said("C01", &["rank", "--stage", "portfolio"]);
    assert!(ok && coordinator.contains(secret[0]), "{coordinator}");
    for words in [
        &["rank", "--stage", "portfolio"][..],
        &["rank", "--stage", "portfolio", "--as-of", "2100-01-01"],
        &[
            "history",
            "--stage",
            "portfolio",
            "--participant",
            "P001",
            "--juror",
            "J01",
        ],
        &[
            "export",
            "protocol",
            "--stage",
            "portfolio",
            "--draft",
            "--out",
            "-",
        ],
    ] {
        let (ok, out) = said("O01", words);
        assert!(!ok, "{words:?}: {out}");
        assert!(
            out.contains("is blind") && out.contains("1 of 1 score sheets are done"),
            "{words:?}: {out}"
        );
        assert!(secret.iter().all(|s| !out.contains(s)), "{words:?}: {out}");
    }
    let (ok, progress) = said("O01", &["progress", "--stage", "portfolio", "--sheets"]);
    assert!(ok && progress.contains("submitted"), "{progress}");
}

#[test]
fn local_commands_run_through_the_control_socket_while_serving() {
    let world = World::new();
    let db = world.db.path();
    let _server = world.serve(&[]);
    let socket = db.join("control.sock");
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&socket).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "the control socket is the owner's only"
        );
    }
    let status = konkurs(db, &["status"]);
    assert!(status.status.success(), "{status:?}");
    assert!(text(&status.stdout).contains("participants"));

    // A live backup, to a path relative to where the command was started.
    let here = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .current_dir(here.path())
        .arg("--db")
        .arg(db)
        .args(["--lang", "en", "backup", "live.json"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let dump: serde_json::Value =
        serde_json::from_slice(&std::fs::read(here.path().join("live.json")).unwrap()).unwrap();
    assert!(dump["audit"].as_array().unwrap().len() > 1);
    // It restores into a new database, which verifies.
    let restored = here.path().join("restored");
    let out = konkurs(
        &restored,
        &["restore", here.path().join("live.json").to_str().unwrap()],
    );
    assert!(out.status.success(), "{out:?}");
    let out = konkurs(&restored, &["verify"]);
    assert!(out.status.success(), "{out:?}");

    // A failing command fails with the same status and message as locally.
    let out = konkurs(db, &["--as", "J01", "export", "register", "--out", "-"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("may not export"), "{out:?}");
    // Standard input goes through.
    let mut child = Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(["--lang", "en", "import", "events", "-", "--dry-run"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            "id,title,topic,format,start,end,hours,place\n\
             E09,Ещё одно,volunteers,seminar,2021-03-01,2021-03-01,2,Иркутск\n"
                .as_bytes(),
        )
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!(
        text(&out.stdout).contains("would add 1"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn ctrl_e_in_a_workstation_over_ssh_writes_into_the_exports_directory_and_says_how_to_fetch() {
    let world = World::new();
    let server = world.serve(&[]);
    let mut args = vec!["ssh".to_string(), "-t".to_string()];
    args.extend(server.ssh_args(&world.key("C01"), "C01"));
    args.extend(["--", "--lang", "ru"].map(String::from));
    let term = Tmux::run(&args);
    term.wait_text("Участники");
    // The register needs no closed stage: Ctrl-E, → to the register
    // (team list, protocol, mentoring, register), Enter.
    term.keys(&["C-e"]);
    term.wait_text("konkurs-team-2021.xlsx");
    let offered = term.screen();
    assert!(
        !offered.contains("~/konkurs-team"),
        "a file name, not a path on the server:\n{offered}"
    );
    term.keys(&["Left", "Enter"]);
    let done = term.wait_text("забрать файл");
    let file = world.db.path().join("exports/konkurs-register-2021.xlsx");
    assert!(file.is_file(), "{done}");
    let line = format!(
        "scp -P {} C01@127.0.0.1:konkurs-register-2021.xlsx",
        server.port
    );
    assert!(
        done.replace('\n', "").contains(&line) || done.contains(&line),
        "{done}"
    );
}

#[test]
fn help_methods_over_ssh_prints_the_methods_in_the_language_asked() {
    let world = World::new();
    let server = world.serve(&[]);
    for who in ["J01", "C01"] {
        let out = exec(
            &server,
            &world,
            who,
            &["--lang", "ru", "help", "methods"],
            b"",
        );
        assert!(out.status.success(), "{who}: {out:?}");
        let said = text(&out.stdout);
        assert!(said.contains("Какие листы оценки учитываются"), "{said}");
        assert!(said.contains("Как предлагаются пары"), "{said}");
    }
}
