//! `konkurs serve` against a real OpenSSH client: a juror signs in with a
//! registered key in a tmux terminal, works, quits; strangers are refused;
//! roles hold; one session's change shows in another without a keystroke;
//! a lost connection resumes; limits and shutdown tell the user why; an
//! address that keeps failing is turned away.
//!
//! Needs `ssh`, `ssh-keygen` and `tmux` (apt-get install -y tmux
//! openssh-client); without them the tests fail and say so.

mod common;

use common::*;
use std::process::Command;
use std::time::Duration;

/// The status bar names the person; the tab bar lists the panes.
fn workstation_for(name: &str) -> impl Fn(&str) -> bool + '_ {
    move |s: &str| s.contains("1 Review") && s.contains("6 Jury") && s.contains(name)
}

#[test]
fn a_juror_signs_in_with_their_key_works_and_quits_cleanly() {
    let world = World::new();
    let server = world.serve(&[]);
    assert!(server.banner.contains("host key fingerprint: SHA256:"));
    let term = Tmux::run(&ssh(&server, &world.key("J01"), "J01"));
    let screen = term.wait("J01's workstation", workstation_for("Иванова Анна"));
    assert!(screen.contains("juror"), "the role is shown:\n{screen}");

    term.keys(&["Tab"]);
    term.wait_text("No participants are assigned to you at this stage yet");
    let scoring = term.screen();
    term.keys(&["?"]);
    term.wait_text("Keys");
    term.keys(&["Escape"]);
    term.wait("the help to close", |s| s == scoring);
    term.keys(&["q"]);
    let after = term.wait_text("EXIT=");
    assert!(after.contains("EXIT=0"), "ssh ends with status 0:\n{after}");
    assert!(
        !after.contains("1 Review"),
        "the juror's own screen is back (the alternate screen was left):\n{after}"
    );
}

#[test]
fn an_unknown_key_is_refused_and_the_attempt_logged() {
    let world = World::new();
    let server = world.serve(&[]);
    let out = Command::new("ssh")
        .args(server.ssh_args(&world.key("stranger"), "J01"))
        .arg("true")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("Permission denied"), "{stderr}");
    let log_path = world.db.path().join("konkurs.log");
    let stranger = fingerprint(&world.key("stranger"));
    let log = wait_for(PATIENCE, || {
        let log = std::fs::read_to_string(&log_path).ok()?;
        log.contains(&stranger).then_some(log)
    })
    .expect("the refused key is in konkurs.log");
    let line = log.lines().find(|l| l.contains(&stranger)).unwrap();
    assert!(
        line.contains("127.0.0.1") && line.contains("'J01'"),
        "{line}"
    );
}

#[test]
fn an_address_that_fails_ten_times_is_blocked_for_unknown_keys_but_its_people_still_sign_in() {
    let world = World::new();
    let server = world.serve(&[]);
    let attempt = |key: &str, user: &str| {
        Command::new("ssh")
            .args(server.ssh_args(&world.key(key), user))
            .args(["--", "status"])
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    };
    // Ten refused keys from one address within a minute (at once: each
    // refusal is answered after a second)...
    let tries: Vec<std::process::Child> = (0..10)
        .map(|_| {
            Command::new("ssh")
                .args(server.ssh_args(&world.key("stranger"), "J01"))
                .arg("true")
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for (n, child) in tries.into_iter().enumerate() {
        let out = child.wait_with_output().unwrap();
        assert!(!out.status.success(), "attempt {n} got in");
    }
    let log_path = world.db.path().join("konkurs.log");
    let log = wait_for(PATIENCE, || {
        let log = std::fs::read_to_string(&log_path).ok()?;
        log.contains("failed to sign in 10 times").then_some(log)
    })
    .expect("the block is logged");
    let line = log
        .lines()
        .find(|l| l.contains("failed to sign in 10 times"))
        .unwrap();
    assert!(
        line.contains("127.0.0.1") && line.contains("unknown keys for 60 s"),
        "{line}"
    );
    // An office behind one address keeps working: J01's own key signs in.
    let out = attempt("J01", "J01");
    assert!(
        out.status.success(),
        "a registered key from a blocked address: {out:?}"
    );
    // An unknown key is still refused, and no longer logged line by line.
    let logged = std::fs::read_to_string(&log_path).unwrap().lines().count();
    let out = attempt("stranger", "J01");
    assert!(!out.status.success());
    let after = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        !after
            .lines()
            .skip(logged)
            .any(|l| l.contains("is not registered")),
        "{after}"
    );
}

#[test]
fn an_agent_offering_several_keys_is_one_failure_not_several() {
    let world = World::new();
    let server = world.serve(&[]);
    let strangers: Vec<std::path::PathBuf> = (0..5)
        .map(|i| keygen(world.keys.path(), &format!("other{i}")))
        .collect();
    // Two connections, each offering five unknown keys: two failures, far
    // from a block.
    for _ in 0..2 {
        let mut args = server.ssh_args(&world.key("stranger"), "J01");
        for k in &strangers {
            args.splice(0..0, ["-i".to_string(), k.display().to_string()]);
        }
        let out = Command::new("ssh")
            .args(&args)
            .arg("true")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert!(!out.status.success());
    }
    let out = Command::new("ssh")
        .args(server.ssh_args(&world.key("J01"), "J01"))
        .args(["--", "status"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let log = std::fs::read_to_string(world.db.path().join("konkurs.log")).unwrap();
    assert!(!log.contains("failed to sign in"), "{log}");
}

#[test]
fn a_juror_cannot_do_what_only_a_coordinator_may() {
    let world = World::new();
    let server = world.serve(&[]);
    // The SSH user name says "C01", but the key is J01's: the key decides.
    let term = Tmux::run(&ssh(&server, &world.key("J01"), "C01"));
    term.wait("J01's workstation", workstation_for("Иванова Анна"));
    term.keys(&["6"]);
    term.wait_text("Jury ·");
    term.keys(&["A"]);
    term.wait_text("only a coordinator can do this");
    term.keys(&["5", "Space"]);
    term.wait_text("only a coordinator can do this");
    let log = std::fs::read_to_string(world.db.path().join("konkurs.log")).unwrap();
    assert!(
        log.contains("signed in as J01") && log.contains("the SSH user name was 'C01'"),
        "{log}"
    );
}

#[test]
fn a_change_in_one_session_appears_in_another_without_a_keystroke() {
    let world = World::new();
    let server = world.serve(&[]);
    let observer = Tmux::run(&ssh(&server, &world.key("O01"), "O01"));
    let coordinator = Tmux::run(&ssh(&server, &world.key("C01"), "C01"));
    observer.wait(
        "the observer's workstation",
        workstation_for("Наблюдатель Борис"),
    );
    coordinator.wait(
        "the coordinator's workstation",
        workstation_for("Секретарь Елена"),
    );
    observer.keys(&["5"]);
    coordinator.keys(&["5"]);
    let marks = |s: &str| s.matches('●').count();
    let before = observer.wait_text("Attendance");
    assert_eq!(marks(&before), 0, "{before}");
    coordinator.wait_text("Attendance");
    coordinator.keys(&["Space"]);
    coordinator.wait_text("marked present at");
    let after = observer.wait_within(
        Duration::from_secs(2),
        "the mark on the observer's screen",
        |s| marks(s) == 1,
    );
    assert!(after.contains("1 attended"), "{after}");
}

#[test]
fn a_lost_connection_resumes_where_it_was() {
    let world = World::new();
    let server = world.serve(&[]);
    {
        let term = Tmux::run(&ssh(&server, &world.key("C01"), "C01"));
        term.wait(
            "the coordinator's workstation",
            workstation_for("Секретарь Елена"),
        );
        term.keys(&["5"]);
        term.wait_text("Attendance");
        // Dropping the terminal kills ssh: the connection is lost, not closed.
    }
    let log_path = world.db.path().join("konkurs.log");
    wait_for(PATIENCE, || {
        std::fs::read_to_string(&log_path)
            .ok()?
            .contains("the connection was lost; work saved")
            .then_some(())
    })
    .expect("the server notices the lost connection");
    let term = Tmux::run(&ssh(&server, &world.key("C01"), "C01"));
    term.wait_text("Attendance");
}

#[test]
fn a_second_workstation_on_the_served_database_is_told_how_to_connect() {
    let world = World::new();
    let server = world.serve(&[]);
    // A command runs through the server (tests/ssh_exec.rs); the
    // workstation cannot, and says how to get in.
    let out = konkurs(world.db.path(), &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains(&format!("ssh -p {} ", server.port)),
        "the message names the way in:\n{stderr}"
    );
    assert!(!stderr.to_lowercase().contains("wouldblock"), "{stderr}");
}

#[test]
fn stopping_the_server_tells_every_session_and_saves_the_database() {
    let world = World::new();
    let mut server = world.serve(&[]);
    let term = Tmux::run(&ssh(&server, &world.key("C01"), "C01"));
    term.wait(
        "the coordinator's workstation",
        workstation_for("Секретарь Елена"),
    );
    term.keys(&["5"]);
    term.wait_text("Attendance");
    term.keys(&["Space"]);
    term.wait_text("marked present at");
    let status = server.stop();
    assert!(
        status.success(),
        "the server exits 0 on SIGTERM: {status:?}"
    );
    let screen = term.wait_text("EXIT=");
    assert!(
        screen.contains("The konkurs server is stopping; your work is saved."),
        "{screen}"
    );
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert!(!world.db.path().join("serve.json").exists());
    // The database is free again and holds the mark.
    let out = konkurs(world.db.path(), &["list", "attendance"]);
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("P00"));
}

#[test]
fn sessions_over_the_limit_are_refused_and_idle_ones_closed() {
    let world = World::new();
    let server = world.serve(&["--max-sessions", "1", "--idle-timeout", "2"]);
    let first = Tmux::run(&ssh(&server, &world.key("C01"), "C01"));
    first.wait("the first session", workstation_for("Секретарь Елена"));
    // The second session chooses Russian: the refusal is in Russian.
    let mut args = server.ssh_args(&world.key("O01"), "O01");
    args.extend(["--", "--lang", "ru"].map(String::from));
    let second = Command::new("ssh")
        .arg("-tt")
        .args(&args)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&second.stdout);
    assert!(!second.status.success());
    assert!(text.contains("уже открыто 1 сеансов"), "{text}");
    // The first one was left alone for two seconds: it is closed, saved.
    let screen = first.wait_text("EXIT=");
    assert!(
        screen.contains("without a key; your work is saved"),
        "{screen}"
    );
    assert!(screen.contains("EXIT=0"), "{screen}");
}

#[test]
fn a_session_can_choose_its_language_and_keys() {
    let world = World::new();
    let server = world.serve(&[]);
    let mut args = ssh(&server, &world.key("J01"), "J01");
    args.extend(["--", "--lang", "ru", "--keymap", "vim"].map(String::from));
    let term = Tmux::run(&args);
    term.wait_text("Участники");
    let mut bad = server.ssh_args(&world.key("J01"), "J01");
    bad.extend(["--", "--keymap", "/etc/passwd"].map(String::from));
    let out = Command::new("ssh")
        .arg("-tt")
        .args(&bad)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Unknown option '--keymap /etc/passwd'"));
}

#[test]
fn a_russian_juror_who_types_11_over_ssh_reads_the_refusal_in_russian() {
    let world = World::new();
    {
        // The educational stage is closed and J01 judges P001 at the
        // portfolio stage, whose criteria give 0 to 10.
        let service = konkurs::service::Service::open(world.db.path()).unwrap();
        let me = konkurs::service::Actor::local_coordinator();
        service
            .close_stage(
                &me,
                &konkurs::domain::ids::StageId::new("education"),
                "protocol of the jury",
            )
            .unwrap();
        service
            .assign(
                &me,
                &konkurs::domain::ids::StageId::new("portfolio"),
                &"P001".into(),
                &"J01".into(),
            )
            .unwrap();
    }
    let server = world.serve(&[]);
    let mut args = ssh(&server, &world.key("J01"), "J01");
    args.extend(["--", "--lang", "ru"].map(String::from));
    let term = Tmux::run(&args);
    term.wait_text("Участники");
    term.keys(&["Tab"]);
    term.wait_text("P001");
    term.keys(&["Enter"]);
    term.keys(&["1", "1"]);
    let screen = term.wait_text("вне допустимых пределов");
    assert!(
        screen.contains("оценка 11 вне допустимых пределов для критерия «Реализованные проекты»"),
        "{screen}"
    );
    assert!(!screen.contains("out of range"), "{screen}");
}

/// `ssh -t ...` as a juror types it, for a tmux terminal.
fn ssh(server: &Server, key: &std::path::Path, user: &str) -> Vec<String> {
    let mut args = vec!["ssh".to_string(), "-t".to_string()];
    args.extend(server.ssh_args(key, user));
    args
}
