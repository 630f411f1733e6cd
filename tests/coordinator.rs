//! The coordinator's work in the workstation, as a Russian secretary does
//! it at 80×24 on the sample contest: the Ranking pane lists what keeps a
//! stage from closing and goes to the fix; the Jury pane assigns a juror by
//! hand, least loaded first, refusing a conflict of interest with its
//! reason; closing a stage asks for a reason that the audit log keeps under
//! the name of the person who acted.

mod common;

use common::{Screen, score_stage};
use crossterm::event::{KeyCode, KeyModifiers};
use konkurs::domain::ids::{JurorId, ParticipantId, StageId};
use konkurs::domain::scoring::AssignmentOrigin;
use konkurs::service::{Actor, Service};
use std::sync::Arc;

const PORTFOLIO_CRITERIA: &[&str] = &common::PORTFOLIO_CRITERIA;

/// The sample contest at its portfolio stage, every sheet submitted but
/// one: a juror abstained on a participant, who is a sheet short (and one
/// of the jurors free to replace them has a conflict of interest).
fn one_sheet_short() -> (tempfile::TempDir, Arc<Service>, ParticipantId, JurorId) {
    let dir = tempfile::tempdir().unwrap();
    let service = Service::open(dir.path())
        .unwrap()
        .with_clock(|| "2021-12-01T02:00:00Z".parse().unwrap());
    let me = Actor::local("secretary");
    konkurs::sample::load(&service, &me).unwrap();
    let portfolio = StageId::new("portfolio");
    service
        .close_stage(&me, &StageId::new("education"), "протокол №1")
        .unwrap();
    service.assign_auto(&me, &portfolio, Some(3)).unwrap();
    let view = service.view(&me);
    // A participant one of whose free jurors has a conflict of interest.
    let first = view
        .stage_participants(&portfolio)
        .into_iter()
        .filter(|p| {
            view.candidates(&portfolio, p)
                .iter()
                .any(|c| !c.assigned && c.conflict.is_some())
        })
        .min()
        .unwrap();
    let abstaining = view
        .assignments(&portfolio)
        .iter()
        .find(|a| a.participant == first)
        .map(|a| a.juror.clone())
        .unwrap();
    let juror = service.actor(abstaining.as_str()).unwrap();
    service
        .abstain(&juror, &portfolio, &first, "родственница")
        .unwrap();
    score_stage(&service, &portfolio, PORTFOLIO_CRITERIA, |p| {
        format!("обоснование оценки {p}")
    });
    (dir, Arc::new(service), first, abstaining)
}

fn alt(s: &mut Screen, pane: char) {
    s.press(KeyCode::Char(pane), KeyModifiers::ALT);
}

#[test]
fn an_abstention_is_covered_by_a_juror_assigned_by_hand_and_the_stage_closes() {
    let (_dir, service, short, abstained) = one_sheet_short();
    let portfolio = StageId::new("portfolio");
    let coordinator = service.actor("J01").unwrap();
    let before = service.audit(&coordinator).unwrap().len();

    // Trying to close lists what keeps the stage open: the participant a
    // sheet short, who abstained and why, and that a juror is needed.
    let mut s = Screen::new(&service, coordinator.clone(), 80, 24);
    alt(&mut s, '3');
    s.key(KeyCode::Char('C'));
    let screen = s.text();
    insta::assert_snapshot!("blockers_80x24", screen);
    assert!(screen.contains("Этап пока нельзя закрыть"), "{screen}");
    assert!(
        screen.contains(&format!("{short} ")) && screen.contains("отправлено листов 2 из 3"),
        "{screen}"
    );
    assert!(
        screen.contains(&format!("{abstained} — отказ от оценки: «родственница»")),
        "{screen}"
    );
    assert!(
        screen.contains("не хватает экспертов: 1; Enter — назначить"),
        "{screen}"
    );

    // Enter goes to the Jury pane on that participant.
    s.key(KeyCode::Enter);
    let screen = s.text();
    assert!(
        screen.contains(&format!("{short}: назначить ещё эксперта — a")),
        "{screen}"
    );
    assert!(screen.contains(&format!("{short} ·")), "{screen}");

    // a: the jurors not yet assigned, least loaded first; a conflict of
    // interest is shown and refused with its reason.
    s.key(KeyCode::Char('a'));
    let screen = s.text();
    insta::assert_snapshot!("assign_picker_80x24", screen);
    let candidates = service.view(&coordinator).candidates(&portfolio, &short);
    let free: Vec<_> = candidates
        .iter()
        .filter(|c| !c.assigned && c.conflict.is_none())
        .collect();
    assert!(
        free.windows(2).all(|w| w[0].load <= w[1].load),
        "{candidates:?}"
    );
    let k = candidates
        .iter()
        .filter(|c| !c.assigned)
        .position(|c| c.conflict.is_some())
        .expect("a juror with a conflict");
    // Down to the first juror with a conflict: Enter is refused, in words,
    // and the list stays open.
    for _ in 0..k {
        s.key(KeyCode::Down);
    }
    s.key(KeyCode::Enter);
    let screen = s.text();
    assert!(screen.contains("не может оценивать участника"), "{screen}");
    s.key(KeyCode::Home);
    let chosen = free
        .first()
        .expect("a juror without a conflict")
        .juror
        .clone();
    s.key(KeyCode::Enter);
    let screen = s.text();
    assert!(
        screen.contains(&format!("эксперт {chosen} назначен участнику {short}")),
        "{screen}"
    );
    let view = service.view(&coordinator);
    let assignment = view
        .assignments(&portfolio)
        .into_iter()
        .find(|a| a.participant == short && a.juror == chosen)
        .cloned()
        .expect("assigned");
    assert_eq!(assignment.origin, AssignmentOrigin::Manual);

    // The juror scores and submits in their own workstation.
    let juror = service.actor(chosen.as_str()).unwrap();
    let mut j = Screen::new(&service, juror.clone(), 80, 24);
    alt(&mut j, '2');
    j.key(KeyCode::Enter);
    for _ in PORTFOLIO_CRITERIA {
        j.type_text("6").key(KeyCode::Enter);
    }
    j.type_text("Sy");
    let sheet = service
        .view(&juror)
        .sheet(&portfolio, &short, &chosen)
        .cloned()
        .expect("a sheet");
    assert_eq!(
        sheet.status,
        konkurs::domain::scoring::SheetStatus::Submitted,
        "{}",
        j.text()
    );

    // Now nothing keeps the stage open: C asks for a reason, Enter closes.
    alt(&mut s, '3');
    let screen = s.text();
    assert!(screen.contains("открыт: всё готово к закрытию"), "{screen}");
    s.key(KeyCode::Char('C'));
    s.key(KeyCode::Enter);
    let screen = s.text();
    assert!(
        screen.contains("чтобы закрыть этап, укажите основание"),
        "an empty reason is refused in words:\n{screen}"
    );
    s.type_text("решение жюри от 1 декабря");
    let screen = s.text();
    insta::assert_snapshot!("close_confirmation_80x24", screen);
    s.key(KeyCode::Enter);
    let screen = s.text();
    assert!(screen.contains("этап закрыт: проходят 24"), "{screen}");
    assert!(
        service
            .view(&coordinator)
            .stage_state(&portfolio)
            .is_some_and(|st| st.is_closed())
    );

    // The audit log names who did each thing in the workstation.
    let entries = service.audit(&coordinator).unwrap();
    let done: Vec<_> = entries[before..].iter().collect();
    let actions: Vec<(&str, &str)> = done
        .iter()
        .map(|e| (e.actor.as_str(), e.action.as_str()))
        .collect();
    assert!(actions.contains(&("J01", "assign.manual")), "{actions:?}");
    assert!(
        actions.contains(&(chosen.as_str(), "score.submit")),
        "{actions:?}"
    );
    let close = done
        .iter()
        .find(|e| e.action == "stage.close")
        .expect("the closing is audited");
    assert_eq!(close.actor, "J01");
    assert!(
        close.summary.ends_with(": решение жюри от 1 декабря"),
        "{}",
        close.summary
    );
    assert!(
        done.iter()
            .all(|e| e.actor == "J01" || e.actor == chosen.as_str()),
        "{actions:?}"
    );
}

#[test]
fn the_blockers_list_is_reached_by_its_key_and_said_in_the_state_line() {
    let (_dir, service, short, _) = one_sheet_short();
    let mut s = Screen::new(&service, service.actor("J01").unwrap(), 80, 24);
    alt(&mut s, '3');
    let screen = s.text();
    assert!(
        screen.contains("открыт: препятствий к закрытию: 1; список — b"),
        "{screen}"
    );
    s.key(KeyCode::Char('b'));
    let screen = s.text();
    assert!(
        screen.contains("Что мешает закрыть этап «Конкурс портфолио»: 1"),
        "{screen}"
    );
    assert!(!screen.contains("Этап пока нельзя закрыть"), "{screen}");
    assert!(screen.contains(&format!("{short} ")), "{screen}");
    // Esc closes it; the help lists the key.
    s.key(KeyCode::Esc);
    assert!(!s.text().contains("Что мешает"));
    s.key(KeyCode::Char('?'));
    let help = s.text();
    assert!(help.contains("Что мешает закрыть этап"), "{help}");
}
