//! The `konkurs-synth` binary: its options, its files and its help.

use konkurs_synth::{FILE_NAMES, GenOptions, generate};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_konkurs-synth");

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

#[test]
fn the_options_give_the_files_of_generate() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("contest");
    let output = run(&[
        "--participants",
        "40",
        "--jurors",
        "5",
        "--events",
        "12",
        "--interns",
        "9",
        "--mentors",
        "3",
        "--settlements",
        "4",
        "--seed",
        "7",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{output:?}");
    let expected = generate(&GenOptions {
        participants: 40,
        jurors: 5,
        events: 12,
        interns: 9,
        mentors: 3,
        settlements: 4,
        seed: 7,
    });
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), FILE_NAMES.len());
    for ((name, bytes), line) in expected.iter().zip(lines) {
        let path = out.join(name);
        assert_eq!(&std::fs::read(&path).unwrap(), bytes, "{name}");
        assert_eq!(line, format!("{} ({} bytes)", path.display(), bytes.len()));
    }
}

#[test]
fn the_defaults_are_the_sample_contest() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(&["--out", dir.path().to_str().unwrap()]);
    assert!(output.status.success(), "{output:?}");
    for (name, bytes) in generate(&GenOptions::default()) {
        assert!(
            std::fs::read(dir.path().join(&name)).unwrap() == bytes,
            "{name}"
        );
    }
}

#[test]
fn help_names_every_option_with_its_default_and_the_sample() {
    let output = run(&["--help"]);
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    let d = GenOptions::default();
    for (option, default) in [
        ("--participants", d.participants.to_string()),
        ("--jurors", d.jurors.to_string()),
        ("--events", d.events.to_string()),
        ("--interns", d.interns.to_string()),
        ("--mentors", d.mentors.to_string()),
        ("--settlements", d.settlements.to_string()),
        ("--seed", d.seed.to_string()),
    ] {
        let at = help.find(option).unwrap_or_else(|| panic!("{option}"));
        let next = help[at..].find("[default: ").expect(option) + at;
        assert!(
            help[next..].starts_with(&format!("[default: {default}]")),
            "{option}: {help}"
        );
    }
    assert!(help.contains("--out <DIR>"));
    assert!(help.contains("-- --out sample-data"), "{help}");
}

#[test]
fn an_unwritable_directory_is_an_error_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, b"").unwrap();
    let out = blocker.join("contest");
    let output = run(&["--out", out.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.starts_with(&format!("konkurs-synth: cannot create {}: ", out.display())),
        "{stderr}"
    );
    // A missing --out is a usage error.
    assert_eq!(run(&[]).status.code(), Some(2));
}
