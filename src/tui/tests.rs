//! The workstation as a person uses it: keys in, screen out, on ratatui's
//! TestBackend. Snapshots (insta) pin what each pane looks like at 80×24 and
//! 120×40; storms of random keys and sizes must never panic.

use super::action::Action;
use super::keymap::Keymap;
use super::pane::PaneKind;
use super::{App, AppOptions};
use crate::domain::ids::{JurorId, ParticipantId, StageId};
use crate::service::tests::{Fixture, fixture};
use crate::service::{Actor, ImportKind};
use crate::text::{I18n, Lang};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::sync::Arc;

struct Screen {
    app: App,
    terminal: Terminal<TestBackend>,
}

impl Screen {
    fn new(
        f: &Arc<crate::service::Service>,
        actor: Actor,
        lang: Lang,
        keymap: &str,
        w: u16,
        h: u16,
    ) -> Screen {
        let app = App::new(
            f.clone(),
            actor,
            AppOptions {
                tr: I18n::new(lang),
                keymap: Keymap::builtin(keymap).unwrap(),
                db_label: "contest.db".into(),
                user_keymap: None,
            },
        );
        Screen {
            app,
            terminal: Terminal::new(TestBackend::new(w, h)).unwrap(),
        }
    }

    fn key(&mut self, code: KeyCode) -> &mut Self {
        self.app
            .handle(&Event::Key(KeyEvent::new(code, KeyModifiers::empty())));
        self
    }

    fn keys(&mut self, s: &str) -> &mut Self {
        for c in s.chars() {
            self.key(KeyCode::Char(c));
        }
        self
    }

    fn resize(&mut self, w: u16, h: u16) {
        self.terminal.backend_mut().resize(w, h);
        self.terminal
            .resize(ratatui::layout::Rect::new(0, 0, w, h))
            .unwrap();
    }

    fn text(&mut self) -> String {
        self.terminal.draw(|f| self.app.draw(f)).unwrap();
        let buf = self.terminal.backend().buffer().clone();
        let mut out = String::new();
        for y in 0..buf.area.height {
            let mut line = String::new();
            for x in 0..buf.area.width {
                line.push_str(buf[(x, y)].symbol());
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

/// The fixture with assignments at the portfolio stage and a score.
fn contest() -> Fixture {
    let f = fixture();
    let portfolio = StageId::new("portfolio");
    for (p, j) in [
        ("P2", "J2"),
        ("P3", "J2"),
        ("P4", "J2"),
        ("P3", "J3"),
        ("P5", "J3"),
        ("P6", "J1"),
    ] {
        f.service
            .assign(&f.coordinator, &portfolio, &p.into(), &j.into())
            .unwrap();
    }
    let j2 = f.service.actor("J2").unwrap();
    f.service
        .set_score(&j2, &portfolio, &"P3".into(), &"projects".into(), Some(7.0))
        .unwrap();
    f
}

fn screen(f: &Fixture, who: &str, w: u16, h: u16) -> Screen {
    let actor = if who == "coordinator" {
        f.coordinator.clone()
    } else {
        f.service.actor(who).unwrap()
    };
    Screen::new(&f.service, actor, Lang::En, "default", w, h)
}

fn go(s: &mut Screen, pane: PaneKind) {
    s.app.dispatch(pane.go_action());
}

#[test]
fn every_pane_at_80x24_and_120x40() {
    let f = contest();
    for (who, lang) in [("coordinator", Lang::En), ("J2", Lang::Ru)] {
        for (w, h) in [(80, 24), (120, 40)] {
            let actor = if who == "coordinator" {
                f.coordinator.clone()
            } else {
                f.service.actor(who).unwrap()
            };
            let mut s = Screen::new(&f.service, actor, lang, "default", w, h);
            for pane in PaneKind::ALL {
                go(&mut s, pane);
                let name = format!(
                    "{}_{}_{w}x{h}_{}",
                    pane.name(),
                    who,
                    if lang == Lang::Ru { "ru" } else { "en" }
                );
                insta::assert_snapshot!(name, s.text());
            }
        }
    }
}

#[test]
fn latin_typing_finds_a_cyrillic_name_and_keeps_the_selection() {
    let f = contest();
    let mut s = screen(&f, "coordinator", 120, 30);
    s.keys("/uchastnik p4");
    let text = s.text();
    assert!(text.contains("Участник P4"), "{text}");
    assert!(text.contains("1 found"), "{text}");
    s.key(KeyCode::Enter);
    let text = s.text();
    // The profile shows the found participant.
    assert!(text.contains("TOS: ТОС P4"), "{text}");
    // Widening the search keeps P4 selected.
    s.keys("/");
    s.key(KeyCode::Backspace)
        .key(KeyCode::Backspace)
        .key(KeyCode::Enter);
    assert!(s.text().contains("TOS: ТОС P4"));
}

#[test]
fn help_is_generated_from_the_pane_and_the_keymap() {
    let f = contest();
    let mut s = screen(&f, "coordinator", 120, 50);
    s.keys("?");
    let text = s.text();
    assert!(text.contains("Sort by the next column"), "{text}");
    assert!(text.contains("Quit"), "{text}");
    // vim keys show in help when the vim keymap is chosen.
    let mut v = Screen::new(&f.service, f.coordinator.clone(), Lang::En, "vim", 120, 50);
    v.keys("?");
    let text = v.text();
    assert!(text.contains("g g"), "{text}");
    assert!(text.contains("f g"), "{text}");
    // In the scoring pane the ten digits share one line.
    let mut j = screen(&f, "J2", 120, 50);
    go(&mut j, PaneKind::Scoring);
    j.keys("?");
    let text = j.text();
    assert!(text.contains("0 1 2 3 4 5 6 7 8 9"), "{text}");
}

#[test]
fn a_key_shared_by_panes_is_described_as_each_pane_uses_it() {
    let f = contest();
    for (pane, wording) in [
        (PaneKind::Ranking, "jury statistics / sensitivity"),
        (PaneKind::Mentoring, "Interns / mentors"),
        (PaneKind::Learning, "Matrix / events / pictures"),
    ] {
        let mut s = screen(&f, "coordinator", 120, 50);
        go(&mut s, pane);
        s.keys("?");
        let text = s.text();
        assert!(text.contains(wording), "{pane:?}: {text}");
    }
    // In Russian too.
    let mut s = Screen::new(
        &f.service,
        f.coordinator.clone(),
        Lang::Ru,
        "default",
        120,
        50,
    );
    go(&mut s, PaneKind::Ranking);
    s.keys("?");
    let text = s.text();
    assert!(
        text.contains("статистика жюри / способы подсчёта"),
        "{text}"
    );
}

#[test]
fn the_palette_finds_and_runs_a_command() {
    let f = contest();
    let mut s = screen(&f, "coordinator", 120, 30);
    s.keys(":jury");
    assert!(s.text().contains("Go to Jury"));
    s.key(KeyCode::Enter);
    assert_eq!(s.app.active_pane(), PaneKind::Jury);
}

#[test]
fn the_keys_and_the_language_switch_from_the_palette() {
    let f = contest();
    let mut s = screen(&f, "coordinator", 120, 60);
    // G means nothing with the default keys.
    s.keys("G");
    assert!(s.text().contains("Id: P1"), "{}", s.text());
    s.keys(":vim");
    assert!(s.text().contains("Keys: default ↔ vim"));
    s.key(KeyCode::Enter);
    assert!(s.text().contains("keys: vim"), "{}", s.text());
    s.keys("G");
    assert!(s.text().contains("Id: P6"), "{}", s.text());
    s.keys("gg");
    assert!(s.text().contains("Id: P1"), "{}", s.text());
    // The help lists the switches under the keys that reach everything.
    s.keys("?");
    assert!(s.text().contains("Keys: default ↔ vim"), "{}", s.text());
    assert!(!s.text().contains(":switch_keys"), "{}", s.text());
    s.key(KeyCode::Esc);
    // And back, then to Russian.
    s.keys(":vim");
    s.key(KeyCode::Enter);
    assert!(s.text().contains("keys: default"), "{}", s.text());
    s.keys(":language");
    s.key(KeyCode::Enter);
    let text = s.text();
    assert!(
        text.contains("1 Участники") && text.contains("русский интерфейс"),
        "{text}"
    );
    s.keys(":language");
    s.key(KeyCode::Enter);
    assert!(s.text().contains("1 Review"), "{}", s.text());
    // Either language's words find a command, whichever is shown.
    s.keys(":язык");
    s.key(KeyCode::Enter);
    assert!(s.text().contains("1 Участники"), "{}", s.text());
}

#[test]
fn vim_sequences_and_the_default_keys() {
    let f = contest();
    let mut v = Screen::new(&f.service, f.coordinator.clone(), Lang::En, "vim", 120, 30);
    v.keys("jjj");
    v.keys("gg");
    let text = v.text();
    assert!(text.contains("ID: P1") || text.contains("Id: P1"), "{text}");
    v.keys("G");
    assert!(v.text().contains("Id: P6"));
    v.keys("fg");
    assert!(v.text().contains("Group: Сельские поселения"));
}

#[test]
fn a_juror_scores_from_the_keyboard_and_submits() {
    let f = contest();
    let j2 = f.service.actor("J2").unwrap();
    let mut s = screen(&f, "J2", 120, 40);
    go(&mut s, PaneKind::Scoring);
    // The queue has P2 and P4 unscored first, then P3 (drafted).
    let text = s.text();
    assert!(text.contains("Queue 0/3"), "{text}");
    // P2: 7 Enter, 1 0 (saved at once: nothing can follow 10), 6 . 5 Enter, 8 Enter, 9 Enter.
    s.key(KeyCode::Enter);
    s.keys("7").key(KeyCode::Enter);
    s.keys("10");
    s.keys("6.5");
    s.keys("8").key(KeyCode::Enter);
    s.keys("9").key(KeyCode::Enter);
    let view = f.service.view(&j2);
    let sheet = view
        .sheet(&"portfolio".into(), &"P2".into(), &JurorId::new("J2"))
        .unwrap();
    let scores: Vec<f64> = sheet.scores.values().copied().collect();
    assert_eq!(sheet.scores.len(), 5, "{:?}", sheet.scores);
    assert!(scores.contains(&6.5) && scores.contains(&10.0));
    assert!(s.text().contains("saved"));
    // 10 is the maximum: the comment is required before submitting.
    s.keys("S");
    s.keys("y");
    assert!(s.text().contains("justification comment is required"));
    s.keys("c");
    s.keys("Сильный проект");
    // Enter in the editor saves the justification and closes it.
    s.key(KeyCode::Enter);
    s.keys("S").keys("y");
    assert!(s.text().contains("P2: submitted"), "{}", s.text());
    let view = f.service.view(&j2);
    assert_eq!(
        view.sheet(&"portfolio".into(), &"P2".into(), &JurorId::new("J2"))
            .unwrap()
            .status,
        crate::domain::scoring::SheetStatus::Submitted
    );
    // The coordinator sees the progress change in the Jury pane.
    let mut c = screen(&f, "coordinator", 120, 40);
    go(&mut c, PaneKind::Jury);
    assert!(c.text().contains("1/3"), "{}", c.text());
}

#[test]
fn undo_and_history_from_the_keyboard() {
    let f = contest();
    let mut s = screen(&f, "J2", 120, 40);
    go(&mut s, PaneKind::Scoring);
    s.key(KeyCode::Enter).keys("4").key(KeyCode::Enter);
    s.keys("u");
    assert!(s.text().contains("undone"), "{}", s.text());
    s.keys("H");
    let text = s.text();
    assert!(text.contains("History of your scores"), "{text}");
    assert!(text.contains("4 → -"), "{text}");
}

#[test]
fn an_unsaved_comment_survives_a_dropped_session() {
    let f = contest();
    {
        let mut s = screen(&f, "J2", 120, 40);
        go(&mut s, PaneKind::Scoring);
        s.key(KeyCode::Enter).keys("c");
        s.keys("Черновик обоснования");
        // The session ends without Esc: as if the connection dropped.
        s.app.persist_session();
    }
    let mut s = screen(&f, "J2", 120, 40);
    assert_eq!(s.app.active_pane(), PaneKind::Scoring);
    let text = s.text();
    assert!(text.contains("Черновик обоснования"), "{text}");
}

#[test]
fn a_coordinator_marks_attendance_in_the_learning_pane() {
    let f = contest();
    let mut s = screen(&f, "coordinator", 120, 40);
    go(&mut s, PaneKind::Learning);
    let text = s.text();
    assert!(text.contains("no event matches the filters"), "{text}");
    let observer = screen(&f, "O1", 80, 24).app.actor().clone();
    assert_eq!(observer.role, crate::domain::people::Role::Observer);
    // Jurors and observers cannot mark.
    let e = f
        .service
        .set_attendance(&observer, &ParticipantId::new("P1"), &"E1".into(), true)
        .unwrap_err()
        .to_string();
    assert!(e.contains("may not mark attendance"), "{e}");
    let _ = ImportKind::Events;
}

/// A small deterministic generator for the storms.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn random_key(r: &mut Rng) -> KeyEvent {
    const CHARS: &[char] = &[
        'a', 'j', 'k', 'g', 'G', 's', 'S', 'f', 'x', 'd', 'c', 'u', 'H', 'n', 'p', 'A', 'k', 'o',
        'v', 'T', 'F', 'M', '!', '?', ':', '/', '+', '-', '.', ',', ' ', '0', '1', '5', '7', '9',
        'y', 'и', 'в', 'Ё', 'q',
    ];
    let code = match r.below(20) {
        0 => KeyCode::Up,
        1 => KeyCode::Down,
        2 => KeyCode::Left,
        3 => KeyCode::Right,
        4 => KeyCode::Enter,
        5 => KeyCode::Esc,
        6 => KeyCode::Tab,
        7 => KeyCode::Backspace,
        8 => KeyCode::PageDown,
        9 => KeyCode::PageUp,
        10 => KeyCode::Home,
        11 => KeyCode::End,
        12 => KeyCode::F((r.below(12) + 1) as u8),
        13 => KeyCode::BackTab,
        14 => KeyCode::Delete,
        _ => KeyCode::Char(CHARS[r.below(CHARS.len() as u64) as usize]),
    };
    let mods = match r.below(12) {
        0 => KeyModifiers::CONTROL,
        1 => KeyModifiers::ALT,
        _ => KeyModifiers::empty(),
    };
    KeyEvent::new(code, mods)
}

#[test]
fn ten_thousand_random_keys_on_every_pane_and_random_sizes_never_panic() {
    let f = contest();
    // Every pane as the coordinator; the juror's own panes as a juror.
    let runs = PaneKind::ALL
        .into_iter()
        .map(|p| ("coordinator", p))
        .chain([("J2", PaneKind::Scoring), ("J2", PaneKind::Review)]);
    for (n, (who, pane)) in runs.enumerate() {
        {
            let mut r = Rng(0x9E37_79B9_7F4A_7C15 ^ ((n as u64 + 1) * 7919) ^ who.len() as u64);
            let mut s = screen(&f, who, 80, 24);
            for i in 0..10_000 {
                if s.app.active_pane() != pane || i % 500 == 0 {
                    go(&mut s, pane);
                }
                s.app.handle(&Event::Key(random_key(&mut r)));
                if r.below(50) == 0 {
                    s.app.handle(&Event::Paste("Вставка\nтекста".into()));
                }
                if r.below(40) == 0 {
                    let w = 20 + r.below(281) as u16;
                    let h = 5 + r.below(96) as u16;
                    s.resize(w, h);
                    s.app.handle(&Event::Resize(w, h));
                }
                if i % 25 == 0 {
                    s.text();
                }
            }
        }
    }
}

#[test]
fn every_size_from_20x5_to_300x100_draws() {
    let f = contest();
    for who in ["coordinator", "J2"] {
        let mut s = screen(&f, who, 20, 5);
        for pane in PaneKind::ALL {
            go(&mut s, pane);
            for (w, h) in [
                (20, 5),
                (21, 6),
                (30, 8),
                (40, 10),
                (59, 23),
                (80, 24),
                (99, 30),
                (100, 30),
                (160, 50),
                (300, 100),
                (1, 1),
                (10, 3),
            ] {
                s.resize(w, h);
                s.text();
            }
        }
    }
}

#[test]
fn search_is_a_pane_action_and_the_palette_lists_every_action() {
    let f = contest();
    let s = screen(&f, "coordinator", 80, 24);
    let keys = s.app.actor().clone();
    assert_eq!(keys.role, crate::domain::people::Role::Coordinator);
    assert!(Action::ALL.contains(&Action::Search));
}

/// The sample contest at its portfolio stage: education closed, jurors
/// assigned, a few sheets scored.
fn sample() -> (tempfile::TempDir, Arc<crate::service::Service>) {
    let dir = tempfile::tempdir().unwrap();
    let service = Arc::new(crate::service::Service::open(dir.path()).unwrap());
    let coordinator = Actor::local("local");
    crate::sample::load(&service, &coordinator).unwrap();
    service
        .close_stage(
            &coordinator,
            &StageId::new("education"),
            "protocol of the jury",
        )
        .unwrap();
    service
        .assign_auto(&coordinator, &StageId::new("portfolio"), None)
        .unwrap();
    (dir, service)
}

fn sample_screen(service: &Arc<crate::service::Service>, lang: Lang, w: u16, h: u16) -> Screen {
    Screen::new(service, Actor::local("local"), lang, "default", w, h)
}

#[test]
fn the_sample_contest_in_every_pane_at_80x24() {
    let (_dir, service) = sample();
    let mut s = sample_screen(&service, Lang::Ru, 80, 24);
    for pane in PaneKind::ALL {
        go(&mut s, pane);
        insta::assert_snapshot!(format!("sample_{}_80x24", pane.name()), s.text());
    }
    // The Learning pane's pictures and events at 80×24.
    go(&mut s, PaneKind::Learning);
    s.keys("v");
    insta::assert_snapshot!("sample_learning_events_80x24", s.text());
    s.keys("v");
    insta::assert_snapshot!("sample_learning_pictures_80x24", s.text());
    // The Ranking pane's statistics.
    go(&mut s, PaneKind::Ranking);
    s.keys("[");
    s.keys("v");
    let text = s.text();
    assert!(text.contains("Итоги"), "{text}");
}

#[test]
fn tabs_keep_every_key_in_view_on_a_narrow_terminal() {
    let f = contest();
    for width in [60u16, 80, 120] {
        let mut s = Screen::new(
            &f.service,
            f.coordinator.clone(),
            Lang::Ru,
            "default",
            width,
            20,
        );
        go(&mut s, PaneKind::Scoring);
        let text = s.text();
        let tabs = text.lines().next().unwrap();
        for n in 1..=6 {
            assert!(tabs.contains(&format!("Alt-{n}")), "{width}: {tabs}");
        }
        // The active tab keeps its whole name.
        assert!(tabs.contains("Alt-2 Оценка"), "{width}: {tabs}");
    }
}

#[test]
fn vim_keys_move_in_every_pane() {
    use super::keymap::{Lookup, parse_sequence};
    let vim = Keymap::builtin("vim").unwrap();
    for pane in PaneKind::ALL {
        let section = pane.name();
        for (key, action) in [
            ("k", Action::Up),
            ("j", Action::Down),
            ("h", Action::Left),
            ("l", Action::Right),
        ] {
            let seq = parse_sequence(key).unwrap();
            assert_eq!(
                vim.lookup(section, &seq),
                Lookup::Action(action),
                "{section}: {key}"
            );
        }
    }
    // What those keys did there moved elsewhere.
    assert_eq!(vim.keys_for("jury", Action::AddKey), vec!["i"]);
    assert_eq!(vim.keys_for("mentoring", Action::LockPair), vec!["L"]);
}

#[test]
fn an_enter_typed_after_a_score_that_moved_on_by_itself_skips_nothing() {
    let f = contest();
    let j2 = f.service.actor("J2").unwrap();
    let mut s = screen(&f, "J2", 120, 40);
    go(&mut s, PaneKind::Scoring);
    // From habit, Enter after every score, also after 10 and 6.5, which
    // are saved (and move on) as soon as they are typed.
    s.key(KeyCode::Enter);
    for score in ["7", "10", "6.5", "8", "9"] {
        s.keys(score).key(KeyCode::Enter);
    }
    let view = f.service.view(&j2);
    let sheet = view
        .sheet(&"portfolio".into(), &"P2".into(), &JurorId::new("J2"))
        .unwrap();
    let got: Vec<(String, f64)> = sheet
        .scores
        .iter()
        .map(|(c, v)| (c.to_string(), *v))
        .collect();
    let expected = [
        ("projects", 7.0),
        ("creative_task", 10.0),
        ("partnership", 6.5),
        ("media", 8.0),
        ("mentoring", 9.0),
    ];
    for (c, v) in expected {
        assert!(got.contains(&(c.to_string(), v)), "{c}: {got:?}");
    }
    // Only the first Enter is absorbed. A saved score changes only on
    // purpose: Enter opens it for a change («7 → _»).
    s.key(KeyCode::Home).key(KeyCode::Enter);
    assert!(s.text().contains("7 → _"), "{}", s.text());
    s.keys("10").key(KeyCode::Enter);
    assert!(!s.text().contains("→ _"), "{}", s.text());
    s.key(KeyCode::Enter);
    assert!(s.text().contains("10 → _"), "{}", s.text());
    s.key(KeyCode::Esc);
    let view = f.service.view(&j2);
    let sheet = view
        .sheet(&"portfolio".into(), &"P2".into(), &JurorId::new("J2"))
        .unwrap();
    let score = |c: &str| sheet.scores[&crate::domain::ids::CriterionId::new(c)];
    assert_eq!(score("projects"), 10.0, "{:?}", sheet.scores);
    assert_eq!(score("creative_task"), 10.0, "{:?}", sheet.scores);
    assert_eq!(score("partnership"), 6.5, "{:?}", sheet.scores);
}

#[test]
fn a_closed_stage_keeps_its_frozen_ranking_when_m_is_pressed() {
    let (_dir, service) = sample();
    let mut s = sample_screen(&service, Lang::En, 120, 30);
    go(&mut s, PaneKind::Ranking);
    s.keys("[");
    let before = s.text();
    assert!(before.contains("closed"), "{before}");
    s.keys("m");
    let after = s.text();
    assert!(after.contains("its ranking is frozen"), "{after}");
    assert_eq!(
        before.lines().skip(1).take(20).collect::<Vec<_>>(),
        after.lines().skip(1).take(20).collect::<Vec<_>>()
    );
}

#[test]
fn mentoring_says_when_a_lock_cannot_be_kept_and_an_acceptance_is_not_stale() {
    let (_dir, service) = sample();
    let mut s = sample_screen(&service, Lang::En, 120, 30);
    go(&mut s, PaneKind::Mentoring);
    // Pair the first intern by hand with every mentor in turn: those that
    // cannot take them say why.
    let mut refused = 0;
    for m in ["M01", "M02", "M03", "M04", "M05", "M06"] {
        s.keys("p").keys(m).key(KeyCode::Enter);
        let text = s.text();
        if text.contains("is locked but cannot be kept") {
            refused += 1;
        } else {
            assert!(text.contains(&format!("{m} – I001 locked")), "{text}");
        }
        s.keys("c");
    }
    assert!(refused > 0, "every mentor could take I001");
    // Accepting a fresh proposal (with its reason) leaves it current.
    s.keys("r").keys("a").keys("council");
    s.key(KeyCode::Enter);
    let text = s.text();
    assert!(text.contains("accepted:"), "{text}");
    assert!(
        !text.contains("the data changed since this proposal"),
        "{text}"
    );
}

#[test]
fn a_digit_in_scoring_switches_panes_for_someone_who_does_not_score() {
    let f = contest();
    let mut s = screen(&f, "coordinator", 120, 30);
    go(&mut s, PaneKind::Scoring);
    s.keys("3");
    assert_eq!(s.app.active_pane(), PaneKind::Ranking);
    // A juror's digits still type scores.
    let mut j = screen(&f, "J2", 120, 30);
    go(&mut j, PaneKind::Scoring);
    j.key(KeyCode::Enter);
    j.keys("3");
    assert_eq!(j.app.active_pane(), PaneKind::Scoring);
}

#[test]
fn the_mentors_view_has_its_own_cursor_and_shows_the_mentor() {
    let (_dir, service) = sample();
    let mut s = sample_screen(&service, Lang::En, 120, 30);
    go(&mut s, PaneKind::Mentoring);
    s.keys("v");
    s.key(KeyCode::Down);
    let text = s.text();
    // The second mentor is described on the right.
    let second = service
        .view(&Actor::local("local"))
        .mentors()
        .nth(1)
        .unwrap()
        .full_name
        .clone();
    assert!(text.contains(&format!("{second} · M02")), "{text}");
    assert!(text.contains("Teaches"), "{text}");
    // Pair actions point to the interns.
    s.keys("l");
    assert!(s.text().contains("choose an intern"), "{}", s.text());
}

#[test]
fn abstaining_without_a_reason_keeps_the_question_open() {
    let f = contest();
    let mut s = screen(&f, "J2", 120, 40);
    go(&mut s, PaneKind::Scoring);
    s.key(KeyCode::Enter);
    s.keys("a").key(KeyCode::Enter);
    assert!(s.text().contains("write the reason first"), "{}", s.text());
    s.keys("не моя тема").key(KeyCode::Enter);
    assert!(s.text().contains("abstain"), "{}", s.text());
    let view = f.service.view(&f.service.actor("J2").unwrap());
    let sheet = view
        .sheet(&"portfolio".into(), &"P2".into(), &JurorId::new("J2"))
        .unwrap();
    assert_eq!(sheet.status, crate::domain::scoring::SheetStatus::Abstained);
}

#[test]
fn a_stage_after_an_open_one_does_not_look_ready_to_close() {
    let (_dir, service) = sample();
    let mut s = sample_screen(&service, Lang::En, 120, 30);
    go(&mut s, PaneKind::Ranking);
    s.keys("]");
    let text = s.text();
    assert!(
        text.contains("the stage «Конкурс портфолио» must be closed first"),
        "{text}"
    );
}

#[test]
fn the_history_names_a_sheet_status_in_the_interface_language() {
    let f = contest();
    let j2 = f.service.actor("J2").unwrap();
    let mut s = Screen::new(&f.service, j2, Lang::Ru, "default", 120, 40);
    go(&mut s, PaneKind::Scoring);
    s.key(KeyCode::Enter);
    s.keys("a").keys("не моя тема").key(KeyCode::Enter);
    s.keys("H");
    let text = s.text();
    assert!(text.contains("отказ от оценки"), "{text}");
    assert!(!text.contains("abstained"), "{text}");
}

#[test]
fn a_russian_screen_writes_points_with_a_decimal_comma() {
    let f = contest();
    let j2 = f.service.actor("J2").unwrap();
    for (lang, shown) in [(Lang::Ru, "7,5 / 10"), (Lang::En, "7.5 / 10")] {
        let mut s = Screen::new(&f.service, j2.clone(), lang, "default", 120, 40);
        go(&mut s, PaneKind::Scoring);
        s.key(KeyCode::Enter).keys("7.5").key(KeyCode::Enter);
        let text = s.text();
        assert!(text.contains(shown), "{text}");
        s.keys("u");
    }
}

#[test]
fn a_frozen_ranking_says_when_in_the_contests_zone() {
    let (_dir, service) = sample();
    let mut s = sample_screen(&service, Lang::Ru, 120, 40);
    go(&mut s, PaneKind::Ranking);
    let frozen = service
        .view(&Actor::local("local"))
        .snapshot(&StageId::new("education"))
        .unwrap()
        .at;
    let shown = crate::text::time::show(
        frozen,
        &crate::text::time::Zone::named("Asia/Irkutsk").unwrap(),
    );
    for _ in 0..4 {
        if s.text().contains(&shown) {
            break;
        }
        s.keys("[");
    }
    let text = s.text();
    assert!(text.contains(&shown), "{shown}\n{text}");
    assert!(shown.ends_with("(UTC+08:00)"));
}

/// The Latin words of a Russian screen that are neither ids (`P2`, `J2`)
/// nor key names.
fn english_on(text: &str) -> Vec<String> {
    let allowed = ["P", "J", "Enter", "Esc", "Tab", "contest", "db"];
    crate::text::refusal::tests::latin_words(text, &allowed)
}

#[test]
fn a_russian_juror_who_types_11_reads_a_russian_refusal() {
    let f = contest();
    let j2 = f.service.actor("J2").unwrap();
    let mut s = Screen::new(&f.service, j2, Lang::Ru, "default", 80, 24);
    go(&mut s, PaneKind::Scoring);
    s.key(KeyCode::Enter);
    s.keys("11");
    let text = s.text();
    assert!(text.contains("оценка 11 вне допустимых пределов"), "{text}");
    // At 80 columns the sentence takes two status lines, whole.
    let lines: Vec<&str> = text.lines().collect();
    let status = lines[lines.len() - 2..]
        .iter()
        .map(|l| l.trim())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(status.ends_with("поставьте от 0 до 10"), "{text}");
    assert!(
        english_on(&status).is_empty(),
        "{status}: {:?}",
        english_on(&status)
    );
}

#[test]
fn undo_in_russian_names_the_criterion_and_speaks_no_english() {
    let f = contest();
    let j2 = f.service.actor("J2").unwrap();
    let mut s = Screen::new(&f.service, j2, Lang::Ru, "default", 120, 30);
    go(&mut s, PaneKind::Scoring);
    s.key(KeyCode::Enter);
    s.keys("6.5");
    s.app.dispatch(Action::Undo);
    let text = s.text();
    let status = text
        .lines()
        .find(|l| l.contains("отменено"))
        .unwrap_or_else(|| panic!("no undo message: {text}"));
    // The message, before the person's name in the status bar.
    let status = status.split("  Эксперт").next().unwrap_or_default();
    assert!(status.contains("«Реализованные проекты»"), "{status}");
    assert!(status.contains("снова без оценки (было 6,5)"), "{status}");
    assert!(
        english_on(status).is_empty(),
        "{status}: {:?}",
        english_on(status)
    );
    // The sheet's history writes the score the Russian way too.
    s.app.dispatch(Action::History);
    let text = s.text();
    assert!(text.contains("Реализованные проекты: - → 6,5"), "{text}");
}

#[test]
fn the_help_and_the_palette_never_show_internal_action_names() {
    let f = contest();
    for lang in [Lang::Ru, Lang::En] {
        let mut s = Screen::new(&f.service, f.coordinator.clone(), lang, "default", 120, 60);
        s.keys("?");
        let help = s.text();
        for internal in [":half_page_up", ":switch_keys", ":language", "half_page"] {
            assert!(!help.contains(internal), "{internal} in {help}");
        }
        s.key(KeyCode::Esc);
        s.keys(":");
        let palette = s.text();
        assert!(!palette.contains("_"), "{palette}");
        s.key(KeyCode::Esc);
    }
}

#[test]
fn the_palette_finds_export_by_its_russian_word_and_ctrl_u_clears_it() {
    let f = contest();
    let mut s = Screen::new(
        &f.service,
        f.coordinator.clone(),
        Lang::Ru,
        "default",
        120,
        40,
    );
    s.keys(":экспорт");
    let text = s.text();
    let first = text
        .lines()
        .find(|l| l.contains(": экспорт"))
        .and_then(|_| text.lines().skip_while(|l| !l.contains(": экспорт")).nth(1))
        .unwrap_or_default();
    assert!(first.contains("Выгрузить документ"), "{text}");
    s.app.handle(&Event::Key(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
    let text = s.text();
    assert!(!text.contains("экспорт"), "{text}");
    assert!(text.contains(": ▏"), "{text}");
    // The English word finds it too.
    s.keys("export");
    let text = s.text();
    let first = text
        .lines()
        .skip_while(|l| !l.contains(": export"))
        .nth(1)
        .unwrap_or_default();
    assert!(first.contains("Выгрузить документ"), "{text}");
}

#[test]
fn the_automatic_assignment_report_is_russian_under_a_russian_interface() {
    let f = contest();
    let mut s = Screen::new(
        &f.service,
        f.coordinator.clone(),
        Lang::Ru,
        "default",
        120,
        40,
    );
    go(&mut s, PaneKind::Jury);
    s.app.dispatch(Action::AutoAssign);
    let text = s.text();
    assert!(
        text.contains("Этап «Конкурс портфолио»: участников"),
        "{text}"
    );
    let report: String = text
        .lines()
        .skip_while(|l| !l.contains("Этап «Конкурс портфолио»"))
        .take_while(|l| !l.contains('└'))
        .collect::<Vec<_>>()
        .join("\n");
    let allowed = ["P", "J"];
    let latin = crate::text::refusal::tests::latin_words(&report, &allowed);
    assert!(latin.is_empty(), "{report}: {latin:?}");
}

/// A Russian juror's screen at 80×24, the size a laptop's SSH window has.
fn juror_ru(f: &Fixture, who: &str) -> Screen {
    let actor = f.service.actor(who).unwrap();
    Screen::new(&f.service, actor, Lang::Ru, "default", 80, 24)
}

fn score_of(f: &Fixture, p: &str, c: &str) -> Option<f64> {
    let j2 = f.service.actor("J2").unwrap();
    f.service
        .view(&j2)
        .sheet(&"portfolio".into(), &p.into(), &JurorId::new("J2"))
        .and_then(|s| {
            s.scores
                .get(&crate::domain::ids::CriterionId::new(c))
                .copied()
        })
}

fn status_line(text: &str) -> String {
    // The status area is below the panes' last bottom border; a long
    // message wraps over several lines there.
    let lines: Vec<&str> = text.lines().collect();
    let from = lines
        .iter()
        .rposition(|l| l.trim_start().starts_with('└'))
        .map_or(lines.len().saturating_sub(1), |i| i + 1);
    lines[from..]
        .iter()
        .map(|l| l.trim())
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn scene_1_a_resumed_session_shows_the_unsaved_comment_as_a_pending_draft() {
    let f = contest();
    {
        let mut s = juror_ru(&f, "J2");
        go(&mut s, PaneKind::Scoring);
        s.key(KeyCode::Enter).keys("c");
        s.keys("Текст без Esc");
        // While the editor has the keys, the screen says so: a framed
        // editor with its title and keys, and the status line.
        let text = s.text();
        assert!(text.contains("Обоснование · P2"), "{text}");
        assert!(text.contains("Esc — отменить"), "{text}");
        assert!(status_line(&text).contains("ввод обоснования"), "{text}");
        // The connection drops (no Esc, no Enter).
        s.app.persist_session();
    }
    let mut s = juror_ru(&f, "J2");
    assert_eq!(s.app.active_pane(), PaneKind::Scoring);
    let text = s.text();
    assert!(
        text.contains("черновик обоснования не сохранён — c продолжить"),
        "{text}"
    );
    assert!(!status_line(&text).contains("ввод обоснования"), "{text}");
    // Keys typed by habit do what they do in the normal mode.
    s.keys("?");
    assert!(s.text().contains("Клавиши"), "{}", s.text());
    s.key(KeyCode::Esc);
    s.keys("W");
    let text = s.text();
    assert!(text.contains("Текст без Esc"), "{text}");
    assert!(!text.contains("Текст без Esc?"), "{text}");
    assert!(!text.contains("Текст без EscW"), "{text}");
    // c continues the draft; Enter saves it.
    s.keys("c").keys(" и с дополнением").key(KeyCode::Enter);
    let j2 = f.service.actor("J2").unwrap();
    let sheet_comment = f
        .service
        .view(&j2)
        .sheet(&"portfolio".into(), &"P2".into(), &JurorId::new("J2"))
        .map(|s| s.comment.clone());
    assert_eq!(
        sheet_comment.as_deref(),
        Some("Текст без Esc и с дополнением")
    );
    let text = s.text();
    assert!(!text.contains("черновик обоснования"), "{text}");
    s.keys("q");
    assert!(s.app.quit_requested());
}

#[test]
fn an_editor_cancelled_with_esc_keeps_the_saved_comment() {
    let f = contest();
    let mut s = juror_ru(&f, "J2");
    go(&mut s, PaneKind::Scoring);
    s.key(KeyCode::Enter)
        .keys("c")
        .keys("Первое")
        .key(KeyCode::Enter);
    s.keys("c").keys(" и лишнее").key(KeyCode::Esc);
    assert!(s.text().contains("обоснование не изменено"), "{}", s.text());
    let j2 = f.service.actor("J2").unwrap();
    let view = f.service.view(&j2);
    let sheet = view
        .sheet(&"portfolio".into(), &"P2".into(), &JurorId::new("J2"))
        .unwrap();
    assert_eq!(sheet.comment, "Первое");
}

/// J2's session left in the form on P3, whose first criterion holds 7.
fn reopened_on_a_scored_criterion(f: &Fixture) -> Screen {
    {
        let mut s = juror_ru(f, "J2");
        go(&mut s, PaneKind::Scoring);
        // The queue: P2, P4 (unscored), P3 (a draft with 7).
        s.key(KeyCode::End).key(KeyCode::Enter);
        assert!(s.text().contains("P3"), "{}", s.text());
        s.app.persist_session();
    }
    juror_ru(f, "J2")
}

#[test]
fn scene_2_digits_typed_by_habit_never_replace_a_saved_score() {
    let f = contest();
    let mut s = reopened_on_a_scored_criterion(&f);
    assert_eq!(score_of(&f, "P3", "projects"), Some(7.0));
    // The README's old words, typed by habit: 2, Enter.
    s.keys("2");
    let text = s.text();
    assert_eq!(score_of(&f, "P3", "projects"), Some(7.0));
    assert!(status_line(&text).contains("уже 7"), "{text}");
    assert!(status_line(&text).contains("Enter или e"), "{text}");
    s.key(KeyCode::Enter);
    let text = s.text();
    assert_eq!(score_of(&f, "P3", "projects"), Some(7.0));
    assert!(text.contains("7 → _"), "{text}");
    assert!(status_line(&text).contains("правка оценки"), "{text}");
    // Esc cancels: the old score stays.
    s.key(KeyCode::Esc);
    let text = s.text();
    assert!(!text.contains("7 → _"), "{text}");
    assert!(status_line(&text).contains("оценка не изменена"), "{text}");
    assert_eq!(score_of(&f, "P3", "projects"), Some(7.0));
    // On purpose: e, then 2 and Enter (half points: 2,5 could follow).
    s.keys("e").keys("2");
    assert!(s.text().contains("7 → 2_"), "{}", s.text());
    s.key(KeyCode::Enter);
    assert_eq!(score_of(&f, "P3", "projects"), Some(2.0));
    let text = s.text();
    assert!(
        status_line(&text).contains("7 → 2, сохранено; u — отменить"),
        "{text}"
    );
    // An empty criterion still takes digits at once.
    s.keys("8").key(KeyCode::Enter);
    assert_eq!(score_of(&f, "P3", "creative_task"), Some(8.0));
    assert!(
        status_line(&s.text()).contains("— → 8, сохранено"),
        "{}",
        s.text()
    );
}

#[test]
fn scene_2_a_submitted_sheet_refuses_the_first_digit_at_once() {
    let f = contest();
    let j2 = f.service.actor("J2").unwrap();
    let portfolio = StageId::new("portfolio");
    for c in [
        "projects",
        "creative_task",
        "partnership",
        "media",
        "mentoring",
    ] {
        f.service
            .set_score(&j2, &portfolio, &"P2".into(), &c.into(), Some(5.0))
            .unwrap();
    }
    f.service.submit(&j2, &portfolio, &"P2".into()).unwrap();
    let mut s = juror_ru(&f, "J2");
    go(&mut s, PaneKind::Scoring);
    // P2, submitted, is the last in the queue.
    s.key(KeyCode::End).key(KeyCode::Enter).keys("4");
    let text = s.text();
    assert!(status_line(&text).contains("уже отправлены"), "{text}");
    assert!(text.contains("координатор может"), "{text}");
    assert!(!text.contains("4▏"), "no edit cursor:\n{text}");
    assert_eq!(score_of(&f, "P2", "projects"), Some(5.0));
}

/// The queue's ids, top to bottom.
fn queue_order(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        for id in ["P2", "P3", "P4", "P5"] {
            if ["○", "◐", "●", "⊘"]
                .iter()
                .any(|m| line.contains(&format!("{m} {id} ")))
            {
                out.push(id.to_string());
            }
        }
    }
    out
}

#[test]
fn scene_3_the_queue_keeps_its_order_and_n_skips_what_is_done() {
    let f = contest();
    let j2 = f.service.actor("J2").unwrap();
    let portfolio = StageId::new("portfolio");
    f.service
        .assign(&f.coordinator, &portfolio, &"P5".into(), &"J2".into())
        .unwrap();
    // P2 is submitted, P5 abstained: no work left on either.
    for c in [
        "projects",
        "creative_task",
        "partnership",
        "media",
        "mentoring",
    ] {
        f.service
            .set_score(&j2, &portfolio, &"P2".into(), &c.into(), Some(5.0))
            .unwrap();
    }
    f.service.submit(&j2, &portfolio, &"P2".into()).unwrap();
    f.service
        .abstain(&j2, &portfolio, &"P5".into(), "знаком с участником")
        .unwrap();
    let mut s = screen(&f, "J2", 120, 40);
    go(&mut s, PaneKind::Scoring);
    let before = queue_order(&s.text());
    assert_eq!(before, ["P4", "P3", "P2", "P5"], "{}", s.text());
    // The first score makes P4 a draft; it stays where it is, selected.
    s.key(KeyCode::Enter).keys("7");
    assert_eq!(queue_order(&s.text()), before, "{}", s.text());
    assert!(s.text().contains("P4 ·"), "{}", s.text());
    // n goes to the next sheet with work left, round the end of the queue.
    s.keys("n");
    assert!(s.text().contains("P3 ·"), "{}", s.text());
    s.keys("n");
    assert!(
        s.text().contains("P4 ·"),
        "P2 and P5 are done: {}",
        s.text()
    );
    s.keys("p");
    assert!(s.text().contains("P3 ·"), "{}", s.text());
    // One number for the juror and the coordinator: done = submitted + abstained.
    assert!(s.text().contains("Queue 2/4"), "{}", s.text());
    let mut c = screen(&f, "coordinator", 120, 40);
    go(&mut c, PaneKind::Jury);
    let text = c.text();
    let line = text.lines().find(|l| l.contains("J2 ")).unwrap_or_default();
    assert!(line.contains("2/4"), "{text}");
    // s re-sorts on request: work left first, by id.
    s.keys("s");
    assert_eq!(
        queue_order(&s.text()),
        ["P3", "P4", "P2", "P5"],
        "{}",
        s.text()
    );
}

#[test]
fn the_scoring_form_its_change_and_its_editor_in_russian_at_80x24() {
    let f = contest();
    let mut s = reopened_on_a_scored_criterion(&f);
    insta::assert_snapshot!("scoring_form_ru_80x24", s.text());
    s.key(KeyCode::Enter).keys("6");
    insta::assert_snapshot!("scoring_form_change_ru_80x24", s.text());
    s.key(KeyCode::Esc);
    s.keys("c").keys("Проекты устойчивы, но партнёров мало");
    insta::assert_snapshot!("scoring_editor_ru_80x24", s.text());
}

/// The fixture with one juror per participant and one place per group at
/// the portfolio stage: J2 scores everyone, P1 and P2 (both of the city
/// group) alike, so that they tie across the city's cutoff.
fn tied() -> Fixture {
    let regulation = crate::service::tests::REGULATION
        .replacen(
            "jurors_per_participant = 3",
            "jurors_per_participant = 1",
            1,
        )
        .replacen(
            "per_group = { rural = 10, urban = 6, city = 8 }",
            "per_group = { rural = 1, urban = 1, city = 1 }",
            1,
        );
    let f = crate::service::tests::fixture_with(&regulation);
    let portfolio = StageId::new("portfolio");
    let j2 = f.service.actor("J2").unwrap();
    for (p, v) in [
        ("P1", 5.0),
        ("P2", 5.0),
        ("P3", 6.0),
        ("P4", 4.0),
        ("P5", 6.0),
        ("P6", 4.0),
    ] {
        let p = ParticipantId::new(p);
        f.service
            .assign(&f.coordinator, &portfolio, &p, &"J2".into())
            .unwrap();
        for c in [
            "projects",
            "creative_task",
            "partnership",
            "media",
            "mentoring",
        ] {
            f.service
                .set_score(&j2, &portfolio, &p, &c.into(), Some(v))
                .unwrap();
        }
        f.service.submit(&j2, &portfolio, &p).unwrap();
    }
    f
}

#[test]
fn a_tie_at_the_cutoff_is_listed_and_enter_opens_its_ordering() {
    let f = tied();
    let c1 = f.service.actor("C1").unwrap();
    let mut s = Screen::new(&f.service, c1, Lang::Ru, "default", 80, 24);
    go(&mut s, PaneKind::Ranking);
    s.keys("b");
    let text = s.text();
    assert!(
        text.contains("P1, P2: равные итоги, 1-е место в группе «Городские округа»"),
        "{text}"
    );
    assert!(
        text.contains("упорядочите их от лучшего, с причиной: Enter"),
        "{text}"
    );
    // Enter opens the ordering of the tie with its participants typed in.
    s.key(KeyCode::Enter);
    let text = s.text();
    assert!(text.contains("P1 P2 | ▏"), "{text}");
    s.keys("решение жюри");
    s.key(KeyCode::Enter);
    let text = s.text();
    assert!(text.contains("открыт: всё готово к закрытию"), "{text}");
    let last = f.service.audit(&f.coordinator).unwrap().pop().unwrap();
    assert_eq!(
        (last.actor.as_str(), last.action.as_str()),
        ("C1", "stage.resolve_tie")
    );
    assert!(
        last.summary.ends_with("P1 > P2: решение жюри"),
        "{}",
        last.summary
    );
}

#[test]
fn closing_forbidding_and_accepting_ask_for_a_reason_the_audit_log_keeps() {
    let f = tied();
    let c1 = f.service.actor("C1").unwrap();
    let mut s = Screen::new(&f.service, c1.clone(), Lang::En, "default", 80, 24);
    go(&mut s, PaneKind::Ranking);
    s.keys("tP1 P2 | jury");
    s.key(KeyCode::Enter);
    // C asks; Esc steps back and nothing is closed.
    s.keys("C");
    assert!(s.text().contains("Close the stage «Конкурс портфолио»?"));
    s.key(KeyCode::Esc);
    assert!(!s.text().contains("Close the stage"));
    s.keys("Cthe jury's protocol");
    s.key(KeyCode::Enter);
    assert!(s.text().contains("the stage is closed: 3 advance"));

    // Mentoring: forbid asks for the reason, then so does accepting.
    let records = [
        crate::domain::contest::Record::Mentor(crate::domain::mentoring::Mentor {
            id: "M1".into(),
            participant: None,
            full_name: "Наставник Один".into(),
            tos_name: "ТОС 1".into(),
            municipality: "Иркутск".into(),
            capacity: 2,
            topics: vec![crate::domain::mentoring::TopicLevel {
                topic: crate::domain::topic::Topic::Economics,
                level: 2,
            }],
            formats: crate::domain::mentoring::Formats::BOTH,
            preferred_interns: vec![],
        }),
        crate::domain::contest::Record::Intern(crate::domain::mentoring::InternRequest {
            id: "I1".into(),
            full_name: "Стажёр Один".into(),
            tos_name: "ТОС 2".into(),
            municipality: "Иркутск".into(),
            topics: vec![crate::domain::topic::Topic::Economics],
            formats: crate::domain::mentoring::Formats::BOTH,
            preferred_mentors: vec![],
        }),
    ];
    f.service
        .import_records(
            &f.coordinator,
            ImportKind::Mentors,
            records[..1].to_vec(),
            "t",
            false,
        )
        .unwrap();
    f.service
        .import_records(
            &f.coordinator,
            ImportKind::Interns,
            records[1..].to_vec(),
            "t",
            false,
        )
        .unwrap();
    go(&mut s, PaneKind::Mentoring);
    s.keys("f");
    let text = s.text();
    assert!(text.contains("Forbid M1 – I1?"), "{text}");
    s.key(KeyCode::Enter);
    assert!(s.text().contains("say why the pair is forbidden"));
    s.keys("the same TOS");
    s.key(KeyCode::Enter);
    let text = s.text();
    assert!(text.contains("M1 – I1 forbidden"), "{text}");
    s.keys("c");
    s.keys("a");
    let text = s.text();
    assert!(text.contains("Accept the matching?"), "{text}");
    s.keys("council of 1 December");
    s.key(KeyCode::Enter);
    assert!(s.text().contains("accepted: 1 pairs"), "{}", s.text());

    let audit = f.service.audit(&f.coordinator).unwrap();
    let said = |action: &str| {
        audit
            .iter()
            .rev()
            .find(|e| e.action == action)
            .map(|e| (e.actor.clone(), e.summary.clone()))
            .unwrap()
    };
    let (who, summary) = said("stage.close");
    assert_eq!(who, "C1");
    assert!(summary.ends_with(": the jury's protocol"), "{summary}");
    let forbid = audit
        .iter()
        .find(|e| e.action == "mentoring.decide" && e.summary.contains("forbidden"))
        .unwrap();
    assert_eq!(forbid.actor, "C1");
    assert_eq!(forbid.summary, "M1 – I1: forbidden: the same TOS");
    let (who, summary) = said("mentoring.accept");
    assert_eq!(who, "C1");
    assert!(summary.ends_with(": council of 1 December"), "{summary}");
}

#[test]
fn a_juror_with_no_participants_yet_is_told_who_assigns_them_not_to_import() {
    // Nobody is assigned yet.
    let f = fixture();
    let mut s = Screen::new(
        &f.service,
        f.service.actor("J1").unwrap(),
        Lang::Ru,
        "default",
        80,
        24,
    );
    go(&mut s, PaneKind::Review);
    let text = s.text();
    assert!(text.contains("вам пока не назначены участники"), "{text}");
    assert!(!text.contains("import"), "{text}");
}
