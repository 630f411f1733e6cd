//! Every pane in Russian at 80×24, as a coordinator and as a juror, with
//! its help: the screens a Russian secretary and a Russian juror read. The
//! walk fails on any Latin-letter word that is not an id, a key name, a unit
//! or a name, and insta snapshots keep every screen visible in review.
//!
//! The contest is the bundled sample, seen by its coordinator J01 and its
//! juror J02: the educational stage closed, jurors
//! assigned to the portfolio stage, and J02 with a draft sheet holding a
//! half-point score (so a decimal comma is on screen).

mod common;

use common::Screen;
use crossterm::event::{KeyCode, KeyModifiers};
use konkurs::domain::ids::StageId;
use konkurs::service::{Actor, Service};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The sample contest at its portfolio stage, with J02's first sheet drafted.
fn contest() -> (tempfile::TempDir, Arc<Service>) {
    let dir = tempfile::tempdir().unwrap();
    let service = Service::open(dir.path())
        .unwrap()
        .with_clock(|| "2021-12-01T02:00:00Z".parse().unwrap());
    let me = Actor::local_coordinator();
    konkurs::sample::load(&service, &me).unwrap();
    let education = StageId::new("education");
    let portfolio = StageId::new("portfolio");
    service
        .close_stage(&me, &education, "protocol of the jury")
        .unwrap();
    service.assign_auto(&me, &portfolio, Some(3)).unwrap();
    let j02 = service.actor("J02").unwrap();
    let first = service
        .view(&j02)
        .assignments(&portfolio)
        .iter()
        .filter(|a| a.juror == j02.id)
        .map(|a| a.participant.clone())
        .min()
        .expect("J02 has a queue at the portfolio stage");
    service
        .set_score(&j02, &portfolio, &first, &"projects".into(), Some(7.5))
        .unwrap();
    (dir, Arc::new(service))
}

/// Words of Latin letters that a Russian reader should not meet: everything
/// but ids (P005, J02), key names, units, formats and names.
fn latin_words(screen: &str) -> Vec<String> {
    const ALLOWED: &[&str] = &[
        "alt",
        "ctrl",
        "shift",
        "enter",
        "esc",
        "tab",
        "space",
        "backspace",
        "pgup",
        "pgdn",
        "home",
        "end",
        "del",
        "ins",
        "ssh",
        "csv",
        "xlsx",
        "json",
        "md",
        "vim",
        "id",
        "utc",
        "konkurs",
        "authorized_keys",
        "ok",
    ];
    // Paths and e-mail addresses are data, not interface text.
    let text: Vec<&str> = screen
        .split_whitespace()
        .filter(|w| !w.contains('/') && !w.contains('@'))
        .collect();
    let mut out = Vec::new();
    for raw in text
        .join(" ")
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
    {
        let word = raw.trim_matches('-');
        if !word.chars().any(|c| c.is_ascii_alphabetic()) {
            continue;
        }
        let is_id = word.len() >= 2
            && word.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && word[1..].chars().all(|c| c.is_ascii_digit());
        let is_key = word.len() == 1
            || word.starts_with("Alt-")
            || word.starts_with("Ctrl-")
            || word.starts_with("Shift-")
            || word.starts_with('F') && word[1..].chars().all(|c| c.is_ascii_digit());
        if is_id || is_key || ALLOWED.contains(&word.to_ascii_lowercase().as_str()) {
            continue;
        }
        out.push(word.to_string());
    }
    out.extend(decimal_points(&text.join(" ")));
    out
}

/// Numbers written with a decimal point (`96.5`): Russian writes `96,5`.
/// Dates (`05.12.2020`, `02.2021`) have two-digit parts or a four-digit
/// year, and are left alone.
fn decimal_points(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    for (i, c) in chars.iter().enumerate() {
        if *c != '.' || i == 0 {
            continue;
        }
        let before: String = chars[..i]
            .iter()
            .rev()
            .take_while(|c| c.is_ascii_digit())
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let after: String = chars[i + 1..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        let next = chars.get(i + 1 + after.len());
        let prev = chars.get(i.wrapping_sub(before.len() + 1));
        let date_like = after.len() == 4
            || (before.len() == 2 && after.len() == 2)
            || next == Some(&'.')
            || prev == Some(&'.');
        if !before.is_empty() && (1..=3).contains(&after.len()) && !date_like {
            out.push(format!("{before}.{after}"));
        }
    }
    out
}

/// A screen to look at: the pane, then the keys that open a view in it.
type Scene = (&'static str, u8, &'static [KeyCode]);

/// Every pane, and the views behind its keys that a person opens at once.
const SCENES: &[Scene] = &[
    ("review", 1, &[]),
    ("review_profile", 1, &[KeyCode::Enter]),
    ("scoring", 2, &[]),
    ("scoring_form", 2, &[KeyCode::End, KeyCode::Enter]),
    ("ranking", 3, &[]),
    ("ranking_blockers", 3, &[KeyCode::Char('b')]),
    ("ranking_view2", 3, &[KeyCode::Char('v')]),
    (
        "ranking_view3",
        3,
        &[KeyCode::Char('v'), KeyCode::Char('v')],
    ),
    ("mentoring", 4, &[]),
    ("mentoring_view2", 4, &[KeyCode::Char('v')]),
    ("mentoring_forbid", 4, &[KeyCode::Char('f')]),
    ("mentoring_accept", 4, &[KeyCode::Char('a')]),
    ("learning", 5, &[]),
    ("jury", 6, &[]),
    ("jury_view2", 6, &[KeyCode::Char('v')]),
    ("jury_assign", 6, &[KeyCode::Char('v'), KeyCode::Char('a')]),
    ("palette", 1, &[KeyCode::Char(':')]),
];

fn walk(service: &Arc<Service>, who: &str, actor: Actor) -> BTreeMap<String, Vec<String>> {
    let mut found = BTreeMap::new();
    let mut look = |name: String, screen: String| {
        let words = latin_words(&screen);
        insta::assert_snapshot!(name.clone(), screen);
        if !words.is_empty() {
            found.insert(name, words);
        }
    };
    for (scene, pane, keys) in SCENES {
        // A fresh workstation for each scene, so that one view's state does
        // not leak into the next.
        let mut s = Screen::new(service, actor.clone(), 80, 24);
        s.press(KeyCode::Char((b'0' + pane) as char), KeyModifiers::ALT);
        for key in *keys {
            s.press(*key, KeyModifiers::NONE);
        }
        look(format!("{who}_{scene}"), s.text());
        if keys.is_empty() {
            s.press(KeyCode::Char('?'), KeyModifiers::NONE);
            look(format!("{who}_{scene}_help"), s.text());
        }
    }
    found
}

#[test]
fn every_pane_in_russian_has_no_english_word() {
    let (_dir, service) = contest();
    let mut found = walk(&service, "coordinator", service.actor("J01").unwrap());
    found.extend(walk(&service, "juror", service.actor("J02").unwrap()));
    assert!(
        found.is_empty(),
        "Latin-letter words on Russian screens:\n{}",
        found
            .iter()
            .map(|(where_, words)| format!("  {where_}: {}", words.join(" ")))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn the_word_filter_keeps_ids_and_keys_and_catches_english() {
    assert!(
        latin_words("P005 J02 Alt-1 Ctrl-E Esc q ? справка 7,5 /srv/konkurs a@example.ru")
            .is_empty()
    );
    assert_eq!(
        latin_words("не сохранено: the stage"),
        vec!["the".to_string(), "stage".to_string()]
    );
    assert_eq!(latin_words("итог 96.5 из 100"), vec!["96.5".to_string()]);
    assert!(latin_words("заявка 05.12.2020, посещения 02.2021–11.2021, 7,5").is_empty());
}

#[test]
fn an_observer_before_a_blind_stage_closes_and_a_stale_ranking_in_russian() {
    let (_dir, service) = contest();
    let mut found = BTreeMap::new();
    let mut look = |name: &str, screen: String| {
        let words = latin_words(&screen);
        insta::assert_snapshot!(name.to_string(), screen);
        if !words.is_empty() {
            found.insert(name.to_string(), words);
        }
    };
    // The observer sees how far the jury has got, not the ranking.
    let mut s = Screen::new(&service, service.actor("J07").unwrap(), 80, 24);
    s.press(KeyCode::Char('3'), KeyModifiers::ALT);
    let screen = s.text();
    assert!(screen.contains("оценивается вслепую"), "{screen}");
    look("observer_ranking", screen);
    // A regulation forced in after the educational stage was closed.
    let me = Actor::local_coordinator();
    service
        .force_regulation(
            &me,
            konkurs::domain::contest::RegulationDoc {
                file_name: "regulation-2.toml".into(),
                source: konkurs::sample::REGULATION
                    .replace("topic_bonus = 1.5", "topic_bonus = 2.5"),
            },
            "решение правления от 1 июня",
        )
        .unwrap();
    let mut s = Screen::new(&service, service.actor("J01").unwrap(), 80, 24);
    s.press(KeyCode::Char('3'), KeyModifiers::ALT)
        .press(KeyCode::Char('['), KeyModifiers::NONE);
    let screen = s.text();
    assert!(screen.contains("рейтинг устарел"), "{screen}");
    look("coordinator_ranking_stale", screen);
    assert!(found.is_empty(), "Latin-letter words: {found:?}");
}
