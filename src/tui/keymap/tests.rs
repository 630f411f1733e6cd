//! Keymaps: the built-in ones load, a user file patches only what it names, mistakes name a line.

use super::*;

fn key(c: char) -> Chord {
    Chord::new(KeyCode::Char(c), KeyModifiers::empty())
}

fn seq(s: &str) -> Sequence {
    parse_sequence(s).unwrap()
}

#[test]
fn the_builtin_keymaps_load() {
    let d = Keymap::builtin("default").unwrap();
    assert_eq!(d.lookup("review", &seq("q")), Lookup::Action(Action::Quit));
    assert_eq!(
        d.lookup("review", &seq("down")),
        Lookup::Action(Action::Down)
    );
    assert_eq!(
        d.lookup("review", &seq("g")),
        Lookup::Action(Action::FilterGroup)
    );
    assert_eq!(d.lookup("review", &seq("j")), Lookup::Unbound);
    let v = Keymap::builtin("vim").unwrap();
    assert_eq!(v.lookup("review", &seq("j")), Lookup::Action(Action::Down));
    assert_eq!(
        v.lookup("review", &seq("down")),
        Lookup::Action(Action::Down)
    );
    assert_eq!(
        v.lookup("review", &[key('g')]),
        Lookup::Prefix { exact: None }
    );
    assert_eq!(
        v.lookup("review", &seq("g g")),
        Lookup::Action(Action::First)
    );
    assert_eq!(v.lookup("review", &seq("G")), Lookup::Action(Action::Last));
    assert_eq!(
        v.lookup("review", &seq("ctrl-d")),
        Lookup::Action(Action::HalfPageDown)
    );
    assert_eq!(
        v.lookup("review", &seq("f g")),
        Lookup::Action(Action::FilterGroup)
    );
    assert!(Keymap::builtin("emacs").is_none());
}

#[test]
fn chords_normalise_shift_and_parse_names() {
    let shift_g = Chord::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
    assert_eq!(shift_g, Chord::parse("G").unwrap());
    let ctrl_d = Chord::new(
        KeyCode::Char('D'),
        KeyModifiers::CONTROL | KeyModifiers::SHIFT,
    );
    assert_eq!(ctrl_d, Chord::parse("ctrl-d").unwrap());
    assert_eq!(
        Chord::new(KeyCode::BackTab, KeyModifiers::SHIFT),
        Chord::parse("shift-tab").unwrap()
    );
    assert_eq!(Chord::parse("f5").unwrap().code, KeyCode::F(5));
    assert_eq!(Chord::parse("space").unwrap().code, KeyCode::Char(' '));
    assert_eq!(Chord::parse("Я").unwrap().code, KeyCode::Char('Я'));
    assert!(Chord::parse("ctrl-").is_none());
    assert_eq!(Chord::parse("-").unwrap().code, KeyCode::Char('-'));
    assert!(Chord::parse("f13").is_none());
    assert!(Chord::parse("hyper-x").is_none());
    assert_eq!(format_sequence(&seq("g g")), "g g");
    assert_eq!(format_sequence(&seq("ctrl-d")), "Ctrl-d");
}

#[test]
fn a_user_file_overrides_only_the_keys_it_names() {
    let mut map = Keymap::builtin("default").unwrap();
    let user = Keymap::parse(
        "[review]\n\"o\" = \"sort_next\"\n\"s\" = \"none\"\n[global]\n\"Q\" = \"quit\"\n",
        "keymap.toml",
    )
    .unwrap();
    map.merge(user);
    assert_eq!(
        map.lookup("review", &seq("o")),
        Lookup::Action(Action::SortNext)
    );
    assert_eq!(map.lookup("review", &seq("s")), Lookup::Unbound);
    assert_eq!(
        map.lookup("review", &seq("Q")),
        Lookup::Action(Action::Quit)
    );
    // Untouched keys keep their default meaning.
    assert_eq!(
        map.lookup("review", &seq("q")),
        Lookup::Action(Action::Quit)
    );
    assert_eq!(
        map.lookup("review", &seq("S")),
        Lookup::Action(Action::SortReverse)
    );
    assert_eq!(map.keys_for("review", Action::SortNext), vec!["o"]);
}

#[test]
fn an_unknown_action_names_file_line_and_the_valid_actions() {
    let e = Keymap::parse("[global]\n\"q\" = \"quit\"\n\"x\" = \"qiut\"\n", "my.toml").unwrap_err();
    assert_eq!(e.line, 3);
    assert!(
        e.to_string()
            .starts_with("my.toml:3: [global] 'x': unknown action 'qiut'"),
        "{e}"
    );
    assert!(e.message.contains("valid actions: none, quit, help"), "{e}");
}

#[test]
fn an_unknown_key_or_section_names_its_line() {
    let e = Keymap::parse("[global]\n\n\"hyper-q\" = \"quit\"\n", "k.toml").unwrap_err();
    assert_eq!(e.line, 3);
    assert!(e.message.contains("unknown key 'hyper-q'"), "{e}");
    let e = Keymap::parse("[globl]\n\"q\" = \"quit\"\n", "k.toml").unwrap_err();
    assert_eq!(e.line, 1);
    assert!(e.message.contains("unknown section [globl]"), "{e}");
    let e = Keymap::parse("[global]\n\"q\" = 3\n", "k.toml").unwrap_err();
    assert_eq!(e.line, 2);
    let e = Keymap::parse("[global\n", "k.toml").unwrap_err();
    assert_eq!(e.line, 1);
    assert!(e.message.contains("not valid TOML"), "{e}");
}

#[test]
fn load_reads_the_user_file_and_refuses_unknown_names() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("keymap.toml");
    std::fs::write(&file, "[navigation]\n\"ctrl-n\" = \"down\"\n").unwrap();
    let map = Keymap::load("vim", Some(&file)).unwrap();
    assert_eq!(
        map.lookup("review", &seq("ctrl-n")),
        Lookup::Action(Action::Down)
    );
    assert_eq!(
        map.lookup("review", &seq("j")),
        Lookup::Action(Action::Down)
    );
    let e = Keymap::load("emacs", None).unwrap_err();
    assert!(e.message.contains("default or vim"), "{e}");
    std::fs::write(&file, "[navigation]\n\"ctrl-n\" = \"dwn\"\n").unwrap();
    let e = Keymap::load("default", Some(&file)).unwrap_err();
    assert!(e.to_string().contains("keymap.toml:2:"), "{e}");
}
