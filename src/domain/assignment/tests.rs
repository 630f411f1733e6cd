//! Juror assignment: conflicts, K and even loads, kept and released pairs, against brute force.

use super::*;
use crate::domain::ids::GroupId;
use crate::domain::participant::Indicators;
use crate::domain::scoring::ConflictOrigin;
use chrono::NaiveDate;
use proptest::prelude::*;

fn juror(id: &str, municipality: &str, tos: &str) -> Juror {
    Juror {
        id: JurorId::new(id),
        full_name: format!("Juror {id}"),
        role: Role::Juror,
        email: String::new(),
        municipality: municipality.into(),
        tos_name: tos.into(),
        keys: Vec::new(),
    }
}

fn participant(id: &str, municipality: &str, tos: &str) -> Participant {
    Participant {
        id: ParticipantId::new(id),
        full_name: format!("Participant {id}"),
        tos_name: tos.into(),
        municipality: municipality.into(),
        group: GroupId::new("rural"),
        email: String::new(),
        phone: String::new(),
        application_date: NaiveDate::from_ymd_opt(2024, 3, 1).unwrap(),
        indicators: Indicators::default(),
        notes: String::new(),
    }
}

fn conflict(j: &str, p: &str, reason: &str) -> Conflict {
    Conflict {
        juror: JurorId::new(j),
        participant: ParticipantId::new(p),
        reason: reason.into(),
        origin: ConflictOrigin::Registered,
    }
}

fn pair(p: &str, j: &str, origin: AssignmentOrigin) -> Assignment {
    Assignment {
        stage: StageId::new("s1"),
        participant: ParticipantId::new(p),
        juror: JurorId::new(j),
        origin,
    }
}

/// A stage to assign, owning its data.
#[derive(Clone, Debug)]
struct Case {
    stage: StageId,
    k: usize,
    rules: Vec<ConflictRule>,
    participants: Vec<Participant>,
    jurors: Vec<Juror>,
    conflicts: Vec<Conflict>,
    existing: Vec<Assignment>,
    started: Vec<(JurorId, ParticipantId)>,
    max_load: Option<usize>,
}

impl Case {
    fn new(k: usize, participants: usize, jurors: usize) -> Case {
        Case {
            stage: StageId::new("s1"),
            k,
            rules: vec![ConflictRule::SameMunicipality, ConflictRule::SameTos],
            participants: (1..=participants)
                .map(|i| participant(&format!("P{i:03}"), "", ""))
                .collect(),
            jurors: (1..=jurors)
                .map(|i| juror(&format!("J{i:02}"), "", ""))
                .collect(),
            conflicts: Vec::new(),
            existing: Vec::new(),
            started: Vec::new(),
            max_load: None,
        }
    }

    fn input(&self) -> AssignmentInput<'_> {
        AssignmentInput {
            stage: &self.stage,
            jurors_per_participant: self.k,
            rules: &self.rules,
            participants: self.participants.iter().collect(),
            jurors: self.jurors.iter().collect(),
            conflicts: self.conflicts.iter().collect(),
            existing: self.existing.iter().collect(),
            started: self.started.iter().map(|(j, p)| (j, p)).collect(),
            max_load: self.max_load,
        }
    }

    fn plan(&self) -> AssignmentPlan {
        assign(&self.input())
    }

    fn participant(&self, id: &ParticipantId) -> &Participant {
        self.participants.iter().find(|p| &p.id == id).unwrap()
    }

    fn juror(&self, id: &JurorId) -> &Juror {
        self.jurors.iter().find(|j| &j.id == id).unwrap()
    }

    /// A short account of the case for failure messages.
    fn describe(&self) -> String {
        let places = |m: &str, t: &str| format!("{:?}/{:?}", m, t);
        let mut s = format!(
            "k={} rules={:?} cap={:?}\n",
            self.k, self.rules, self.max_load
        );
        for p in &self.participants {
            s += &format!("  {} {}\n", p.id, places(&p.municipality, &p.tos_name));
        }
        for j in &self.jurors {
            s += &format!("  {} {}\n", j.id, places(&j.municipality, &j.tos_name));
        }
        for c in &self.conflicts {
            s += &format!("  conflict {} {}\n", c.juror, c.participant);
        }
        for a in &self.existing {
            s += &format!("  {:?} {} {}\n", a.origin, a.participant, a.juror);
        }
        for (j, p) in &self.started {
            s += &format!("  started {j} {p}\n");
        }
        s
    }

    fn reason(&self, j: &Juror, p: &Participant) -> Option<ConflictReason> {
        conflict_reason(j, p, &self.conflicts, &self.rules)
    }
}

fn jurors_of(plan: &AssignmentPlan, p: &str) -> Vec<String> {
    plan.jurors_of(&ParticipantId::new(p))
        .map(|j| j.to_string())
        .collect()
}

fn spread(plan: &AssignmentPlan) -> usize {
    let (min, max) = plan.load_range().unwrap();
    max - min
}

#[test]
fn names_are_compared_trimmed_case_blind_and_with_yo_as_ye() {
    assert_eq!(normalize_place("  Иркутский   район "), "иркутский район");
    assert_eq!(
        normalize_place("ТОС «Берёзка»"),
        normalize_place("тос «березка»")
    );
    assert_eq!(normalize_place(" \t "), "");
}

#[test]
fn conflict_reasons_follow_the_rules() {
    let rules = [ConflictRule::SameMunicipality, ConflictRule::SameTos];
    let j = juror("J1", " ИРКУТСК ", "ТОС Берёзка");
    let same_town = participant("P1", "Иркутск", "ТОС Рассвет");
    let same_tos = participant("P2", "Ангарск", "тос березка");
    let other = participant("P3", "Ангарск", "ТОС Рассвет");
    assert_eq!(
        conflict_reason(&j, &same_town, [], &rules),
        Some(ConflictReason::SameMunicipality)
    );
    assert_eq!(
        conflict_reason(&j, &same_tos, [], &rules),
        Some(ConflictReason::SameTos)
    );
    assert_eq!(conflict_reason(&j, &other, [], &rules), None);
    // A rule that is off does not apply.
    assert_eq!(
        conflict_reason(&j, &same_town, [], &[ConflictRule::SameTos]),
        None
    );
    assert_eq!(conflict_reason(&j, &same_tos, [], &[]), None);
    // A declared conflict comes first and carries its reason.
    let declared = [conflict("J1", "P1", "her sister"), conflict("J1", "P3", "")];
    assert_eq!(
        conflict_reason(&j, &same_town, &declared, &rules),
        Some(ConflictReason::Declared("her sister".into()))
    );
    assert_eq!(
        conflict_reason(&j, &other, &declared, &rules)
            .unwrap()
            .to_string(),
        "declared conflict"
    );
}

#[test]
fn empty_fields_never_conflict() {
    let rules = [ConflictRule::SameMunicipality, ConflictRule::SameTos];
    let blank = juror("J1", "  ", "");
    assert_eq!(
        conflict_reason(&blank, &participant("P1", " ", ""), [], &rules),
        None
    );
    let j = juror("J2", "Иркутск", "ТОС Рассвет");
    assert_eq!(
        conflict_reason(&j, &participant("P1", "", ""), [], &rules),
        None
    );
}

#[test]
fn manual_assignment_is_checked_against_role_and_conflicts() {
    let rules = [ConflictRule::SameMunicipality];
    let p = participant("P1", "Шелехов", "");
    let mut coordinator = juror("C1", "Ангарск", "");
    coordinator.role = Role::Coordinator;
    let err = check_manual_assignment(&coordinator, &p, [], &rules).unwrap_err();
    assert_eq!(
        err.to_string(),
        "C1 (coordinator) is not a juror: only jurors judge participants"
    );
    let neighbour = juror("J1", "шелехов", "");
    let err = check_manual_assignment(&neighbour, &p, [], &rules).unwrap_err();
    assert_eq!(
        err.to_string(),
        "J1 may not judge P1: same municipality; choose another juror"
    );
    let declared = [conflict("J2", "P1", "former colleague")];
    let colleague = juror("J2", "Ангарск", "");
    assert!(matches!(
        check_manual_assignment(&colleague, &p, &declared, &rules),
        Err(ManualAssignmentError::Conflict {
            reason: ConflictReason::Declared(_),
            ..
        })
    ));
    assert_eq!(
        check_manual_assignment(&juror("J3", "Ангарск", ""), &p, &declared, &rules),
        Ok(())
    );
}

#[test]
fn the_input_takes_k_and_the_rules_from_the_regulation() {
    let regulation = crate::domain::regulation::Regulation::parse(include_str!(
        "../../../sample-data/regulation.toml"
    ))
    .unwrap();
    let stage = regulation.stage(&StageId::new("portfolio")).unwrap();
    let jurors: Vec<Juror> = (1..=4)
        .map(|i| juror(&format!("J{i}"), "Ангарск", ""))
        .collect();
    let participants = [
        participant("P1", "Ангарск", "ТОС Рассвет"),
        participant("P2", "Иркутск", "ТОС Берёзка"),
    ];
    let input = AssignmentInput {
        participants: participants.iter().collect(),
        jurors: jurors.iter().collect(),
        ..AssignmentInput::new(stage)
    };
    assert_eq!(input.jurors_per_participant, 3);
    let plan = assign(&input);
    assert_eq!(jurors_of(&plan, "P2").len(), 3);
    // Every juror is from Angarsk, as is P1.
    assert_eq!(plan.shortfalls.len(), 1);
    assert_eq!(plan.shortfalls[0].participant.as_str(), "P1");
}

#[test]
fn every_participant_gets_k_distinct_jurors_and_loads_are_even() {
    let case = Case::new(3, 12, 5);
    let plan = case.plan();
    assert!(plan.shortfalls.is_empty());
    for p in &case.participants {
        let js = jurors_of(&plan, p.id.as_str());
        assert_eq!(js.len(), 3, "{}", p.id);
        let distinct: BTreeSet<_> = js.iter().collect();
        assert_eq!(distinct.len(), 3);
    }
    // 36 places over 5 jurors: 7 or 8 each.
    assert_eq!(plan.load_range(), Some((7, 8)));
    assert!(
        plan.assignments
            .iter()
            .all(|a| a.origin == AssignmentOrigin::Auto)
    );
    assert_eq!(plan.added, 36);
    assert_eq!(plan.kept, 0);
}

#[test]
fn co_jurors_are_spread() {
    // 10 participants, 5 jurors, K = 2: 10 possible pairs of jurors, so
    // spreading gives every pair exactly once.
    let case = Case::new(2, 10, 5);
    let plan = case.plan();
    let pairs: BTreeSet<Vec<String>> = case
        .participants
        .iter()
        .map(|p| jurors_of(&plan, p.id.as_str()))
        .collect();
    assert_eq!(pairs.len(), 10);
}

#[test]
fn a_participant_short_of_jurors_is_told_why_for_each_juror() {
    let mut case = Case::new(3, 2, 4);
    case.participants[0] = participant("P001", "Иркутск", "ТОС Рассвет");
    case.jurors[0] = juror("J01", "иркутск", "");
    case.jurors[1] = juror("J02", "Ангарск", "тос рассвет");
    case.conflicts.push(conflict("J03", "P001", "his brother"));
    let plan = case.plan();
    assert_eq!(plan.shortfalls.len(), 1);
    let s = &plan.shortfalls[0];
    assert_eq!(s.participant.as_str(), "P001");
    assert_eq!((s.assigned, s.needed), (1, 3));
    assert_eq!(
        s.unavailable,
        vec![
            (
                JurorId::new("J01"),
                Unavailable::Conflict(ConflictReason::SameMunicipality)
            ),
            (
                JurorId::new("J02"),
                Unavailable::Conflict(ConflictReason::SameTos)
            ),
            (
                JurorId::new("J03"),
                Unavailable::Conflict(ConflictReason::Declared("his brother".into()))
            ),
        ]
    );
    assert_eq!(
        s.to_string(),
        "P001 has 1 of 3 jurors: J01 — same municipality; J02 — same TOS; J03 — declared conflict: his brother"
    );
    assert_eq!(jurors_of(&plan, "P001"), ["J04"]);
    assert_eq!(jurors_of(&plan, "P002").len(), 3);
}

#[test]
fn all_jurors_from_the_participants_municipality_means_no_juror() {
    let mut case = Case::new(2, 3, 3);
    for j in &mut case.jurors {
        j.municipality = "Усть-Кут".into();
    }
    case.participants[1].municipality = " усть-кут".into();
    let plan = case.plan();
    assert_eq!(plan.shortfalls.len(), 1);
    let s = &plan.shortfalls[0];
    assert_eq!(s.assigned, 0);
    assert_eq!(s.unavailable.len(), 3);
    assert!(
        s.unavailable
            .iter()
            .all(|(_, u)| *u == Unavailable::Conflict(ConflictReason::SameMunicipality))
    );
    assert!(plan.summary().contains("1 participant(s) short of jurors"));
}

#[test]
fn k_larger_than_the_jury_is_a_shortfall_for_everyone() {
    let case = Case::new(4, 2, 3);
    let plan = case.plan();
    assert_eq!(plan.shortfalls.len(), 2);
    assert!(plan.shortfalls.iter().all(|s| s.assigned == 3));
    assert_eq!(
        plan.shortfalls[0].to_string(),
        "P001 has 3 of 4 jurors (the jury has only 3)"
    );
}

#[test]
fn the_load_limit_is_reported_as_such() {
    let mut case = Case::new(2, 4, 3);
    case.max_load = Some(2);
    let plan = case.plan();
    // 8 places, room for 6.
    assert_eq!(plan.assignments.len(), 6);
    assert_eq!(plan.load_range(), Some((2, 2)));
    assert_eq!(plan.shortfalls.len(), 2);
    for s in &plan.shortfalls {
        assert_eq!(s.assigned, 1);
        assert_eq!(s.unavailable.len(), 2);
        assert!(
            s.unavailable
                .iter()
                .all(|(_, u)| *u == Unavailable::AtCapacity { load: 2 })
        );
    }
}

#[test]
fn conflicts_that_force_uneven_loads_still_give_the_smallest_maximum() {
    // P001–P004 can only be judged by J01; P005 and P006 by anyone.
    let mut case = Case::new(1, 6, 3);
    for p in 1..=4 {
        for j in 2..=3 {
            case.conflicts
                .push(conflict(&format!("J{j:02}"), &format!("P{p:03}"), "x"));
        }
    }
    let plan = case.plan();
    assert!(plan.shortfalls.is_empty());
    let loads: Vec<usize> = plan.loads.iter().map(|l| l.load).collect();
    assert_eq!(loads, [4, 1, 1]);
}

#[test]
fn manual_assignments_are_kept_and_count_toward_k_and_load() {
    let mut case = Case::new(2, 6, 3);
    for p in 1..=4 {
        case.existing
            .push(pair(&format!("P{p:03}"), "J01", AssignmentOrigin::Manual));
    }
    let plan = case.plan();
    for p in 1..=4 {
        let p = format!("P{p:03}");
        let js = jurors_of(&plan, &p);
        assert_eq!(js.len(), 2);
        assert!(js.contains(&"J01".to_string()), "{p}: {js:?}");
    }
    let manual = plan
        .assignments
        .iter()
        .filter(|a| a.origin == AssignmentOrigin::Manual)
        .count();
    assert_eq!(manual, 4);
    // J01 has 4 fixed; the other 8 places go to J02 and J03... which then
    // must also take P005 and P006 entirely: 4 + 4 + 4.
    assert_eq!(plan.load_of(&JurorId::new("J01")), 4);
    assert_eq!(plan.loads[0].fixed, 4);
    assert_eq!(plan.load_range(), Some((4, 4)));
}

#[test]
fn started_pairs_are_kept_unless_a_conflict_forbids_them() {
    let mut case = Case::new(1, 4, 2);
    // Scoring started on P001 by J01 and on P002 by J01; then J01 declared a
    // conflict with P002.
    case.existing
        .push(pair("P001", "J01", AssignmentOrigin::Auto));
    case.existing
        .push(pair("P002", "J01", AssignmentOrigin::Auto));
    case.started
        .push((JurorId::new("J01"), ParticipantId::new("P001")));
    case.started
        .push((JurorId::new("J01"), ParticipantId::new("P002")));
    case.conflicts.push(conflict("J01", "P002", "my neighbour"));
    let plan = case.plan();
    assert_eq!(jurors_of(&plan, "P001"), ["J01"]);
    assert_eq!(jurors_of(&plan, "P002"), ["J02"]);
    assert_eq!(plan.released.len(), 1);
    let r = &plan.released[0];
    assert_eq!(r.assignment.participant.as_str(), "P002");
    assert!(r.scoring_started);
    assert_eq!(
        r.why,
        ReleaseReason::Conflict(ConflictReason::Declared("my neighbour".into()))
    );
}

#[test]
fn started_pairs_stay_even_when_balance_would_move_them() {
    let mut case = Case::new(1, 4, 2);
    for p in 1..=3 {
        let p = format!("P{p:03}");
        case.existing.push(pair(&p, "J01", AssignmentOrigin::Auto));
        case.started
            .push((JurorId::new("J01"), ParticipantId::new(&p)));
    }
    let plan = case.plan();
    assert_eq!(plan.load_of(&JurorId::new("J01")), 3);
    assert_eq!(jurors_of(&plan, "P004"), ["J02"]);
    assert!(plan.released.is_empty());
}

#[test]
fn a_rerun_keeps_every_assignment() {
    let mut case = Case::new(3, 40, 7);
    case.conflicts.push(conflict("J02", "P005", "x"));
    case.conflicts.push(conflict("J03", "P005", "x"));
    let first = case.plan();
    case.existing = first.assignments.clone();
    let second = case.plan();
    assert_eq!(second.assignments, first.assignments);
    assert_eq!(second.kept, first.assignments.len());
    assert_eq!(second.added, 0);
    assert!(second.released.is_empty());
}

#[test]
fn a_new_juror_takes_only_what_balance_needs() {
    // 30 participants × 3 over 5 jurors: 18 each. With a sixth juror: 15
    // each, so exactly 15 assignments move and 75 stay.
    let mut case = Case::new(3, 30, 5);
    let first = case.plan();
    assert_eq!(first.load_range(), Some((18, 18)));
    case.existing = first.assignments.clone();
    case.jurors.push(juror("J06", "", ""));
    let second = case.plan();
    assert_eq!(second.load_range(), Some((15, 15)));
    assert_eq!(second.kept, 75);
    assert_eq!(second.added, 15);
    assert_eq!(second.released.len(), 15);
    assert!(
        second
            .released
            .iter()
            .all(|r| r.why == ReleaseReason::Rebalanced)
    );
}

#[test]
fn balancing_moves_the_pair_that_is_cheapest_to_move() {
    // P001 was judged by J01 before; P002 may not have J03. Whatever the
    // first fill, one of J01/J02 must hand P001 over to J03, and the plan
    // keeps P001's old juror J01.
    let mut case = Case::new(2, 2, 3);
    case.conflicts.push(conflict("J03", "P002", "x"));
    case.existing
        .push(pair("P001", "J01", AssignmentOrigin::Auto));
    let plan = case.plan();
    assert_eq!(jurors_of(&plan, "P001"), ["J01", "J03"]);
    assert_eq!(jurors_of(&plan, "P002"), ["J01", "J02"]);
    assert_eq!(plan.kept, 1);
    assert!(plan.released.is_empty());
}

#[test]
fn a_smaller_k_releases_the_surplus() {
    let mut case = Case::new(3, 4, 4);
    case.existing = case.plan().assignments;
    case.k = 2;
    let plan = case.plan();
    assert_eq!(plan.assignments.len(), 8);
    assert_eq!(plan.released.len(), 4);
    assert!(
        plan.released
            .iter()
            .all(|r| r.why == ReleaseReason::Surplus)
    );
    assert_eq!(plan.kept, 8);
}

#[test]
fn assignments_outside_the_jury_or_the_stage_are_released() {
    let mut case = Case::new(1, 2, 2);
    case.jurors[1].role = Role::Observer;
    case.existing
        .push(pair("P001", "J02", AssignmentOrigin::Manual));
    case.existing
        .push(pair("P404", "J01", AssignmentOrigin::Auto));
    let mut elsewhere = pair("P002", "J02", AssignmentOrigin::Auto);
    elsewhere.stage = StageId::new("s2");
    case.existing.push(elsewhere);
    let plan = case.plan();
    let why: Vec<_> = plan
        .released
        .iter()
        .map(|r| (r.assignment.participant.as_str(), r.why.clone()))
        .collect();
    assert_eq!(
        why,
        [
            ("P001", ReleaseReason::NotOnJury),
            ("P404", ReleaseReason::NotInStage)
        ]
    );
    assert_eq!(plan.loads.len(), 1);
    assert_eq!(plan.assignments.len(), 2);
}

#[test]
fn the_summary_says_what_happened() {
    let case = Case::new(3, 12, 5);
    assert_eq!(
        case.plan().summary(),
        "Stage s1: 12 participant(s), 5 juror(s), 3 per participant; 36 assignment(s) (0 manual, 36 automatic; 0 kept, 36 new); juror loads 7–8; every participant has 3 juror(s)"
    );
    let empty = Case::new(3, 0, 0);
    assert_eq!(
        empty.plan().summary(),
        "Stage s1: 0 participant(s), 0 juror(s), 3 per participant; 0 assignment(s) (0 manual, 0 automatic; 0 kept, 0 new)"
    );
}

// ---------------------------------------------------------------------------
// Properties

const TOWNS: [&str; 4] = ["", "Иркутск", " иркутск ", "Ангарск"];
const TOSES: [&str; 4] = ["", "ТОС Берёзка", "тос березка", "ТОС Рассвет"];

/// A random stage: per pair, 0–1 of 20 is a declared conflict, 2 a manual
/// assignment, 3–5 an automatic one, 6 an automatic one being scored.
fn arb_case(max_n: usize, max_m: usize, max_k: usize) -> impl Strategy<Value = Case> {
    (0..=max_n, 0..=max_m, 0..=max_k)
        .prop_flat_map(|(n, m, k)| {
            (
                Just((n, m, k)),
                prop::collection::vec((0..4usize, 0..4usize), n),
                prop::collection::vec((0..4usize, 0..4usize), m),
                prop::collection::vec(0..20u8, n * m),
                (any::<bool>(), any::<bool>()),
                prop::option::weighted(0.3, 0..6usize),
            )
        })
        .prop_map(|((n, m, k), ps, js, pairs, (town, tos), cap)| {
            let mut case = Case::new(k, n, m);
            for (p, (t, o)) in case.participants.iter_mut().zip(ps) {
                p.municipality = TOWNS[t].into();
                p.tos_name = TOSES[o].into();
            }
            for (j, (t, o)) in case.jurors.iter_mut().zip(js) {
                j.municipality = TOWNS[t].into();
                j.tos_name = TOSES[o].into();
            }
            case.rules.clear();
            if town {
                case.rules.push(ConflictRule::SameMunicipality);
            }
            if tos {
                case.rules.push(ConflictRule::SameTos);
            }
            case.max_load = cap;
            for p in 0..n {
                for j in 0..m {
                    let (pid, jid) = (case.participants[p].id.clone(), case.jurors[j].id.clone());
                    match pairs[p * m + j] {
                        0..=1 => case
                            .conflicts
                            .push(conflict(jid.as_str(), pid.as_str(), "r")),
                        2 => case.existing.push(pair(
                            pid.as_str(),
                            jid.as_str(),
                            AssignmentOrigin::Manual,
                        )),
                        3..=5 => case.existing.push(pair(
                            pid.as_str(),
                            jid.as_str(),
                            AssignmentOrigin::Auto,
                        )),
                        6 => {
                            case.existing.push(pair(
                                pid.as_str(),
                                jid.as_str(),
                                AssignmentOrigin::Auto,
                            ));
                            case.started.push((jid, pid));
                        }
                        _ => {}
                    }
                }
            }
            case
        })
}

/// The problem as the specification states it, from the public helpers only.
struct Model {
    /// (eligible, fixed, preferred) per participant × juror.
    cells: Vec<Vec<(bool, bool, bool)>>,
    need: Vec<usize>,
    fixed_load: Vec<usize>,
    cap: usize,
}

impl Model {
    fn of(case: &Case) -> Model {
        let started: BTreeSet<(&JurorId, &ParticipantId)> =
            case.started.iter().map(|(j, p)| (j, p)).collect();
        let find = |p: &Participant, j: &Juror, origin| {
            case.existing
                .iter()
                .any(|a| a.participant == p.id && a.juror == j.id && a.origin == origin)
        };
        let cells: Vec<Vec<(bool, bool, bool)>> = case
            .participants
            .iter()
            .map(|p| {
                case.jurors
                    .iter()
                    .map(|j| {
                        let eligible = case.reason(j, p).is_none();
                        let fixed = eligible
                            && (find(p, j, AssignmentOrigin::Manual)
                                || started.contains(&(&j.id, &p.id)));
                        let preferred = eligible && !fixed && find(p, j, AssignmentOrigin::Auto);
                        (eligible, fixed, preferred)
                    })
                    .collect()
            })
            .collect();
        let need = cells
            .iter()
            .map(|row| case.k.saturating_sub(row.iter().filter(|c| c.1).count()))
            .collect();
        let fixed_load = (0..case.jurors.len())
            .map(|j| cells.iter().filter(|row| row[j].1).count())
            .collect();
        Model {
            cells,
            need,
            fixed_load,
            cap: case.max_load.unwrap_or(usize::MAX),
        }
    }

    /// The best (coverage, participants' numbers of jurors sorted up,
    /// jurors' loads sorted down, kept) over every possible choice of
    /// automatic jurors: most coverage, then the fewest-jurors participants
    /// as well served as possible, then the largest loads as small as
    /// possible, then the most kept.
    fn brute_force(&self) -> Best {
        let m = self.fixed_load.len();
        let choices: Vec<Vec<u32>> = self
            .cells
            .iter()
            .zip(&self.need)
            .map(|(row, &need)| {
                (0u32..1 << m)
                    .filter(|&s| {
                        s.count_ones() as usize <= need
                            && (0..m).all(|j| s & (1 << j) == 0 || (row[j].0 && !row[j].1))
                    })
                    .collect()
            })
            .collect();
        let mut best = None;
        let mut load = self.fixed_load.clone();
        let mut counts = Vec::new();
        self.search(&choices, &mut counts, &mut load, 0, &mut best);
        best.expect("the empty choice is always possible")
    }

    fn search(
        &self,
        choices: &[Vec<u32>],
        counts: &mut Vec<usize>,
        load: &mut Vec<usize>,
        kept: usize,
        best: &mut Option<Best>,
    ) {
        let m = load.len();
        let p = counts.len();
        if p == choices.len() {
            let room = (0..m).all(|j| {
                load[j] - self.fixed_load[j] <= self.cap.saturating_sub(self.fixed_load[j])
            });
            if !room {
                return;
            }
            let fixed: usize = self.fixed_load.iter().sum();
            let mut up = counts.clone();
            up.sort_unstable();
            let mut down = load.clone();
            down.sort_unstable_by(|a, b| b.cmp(a));
            let here = Best {
                coverage: counts.iter().sum::<usize>() - fixed,
                counts: up,
                loads: down,
                kept,
            };
            if best.as_ref().is_none_or(|b| here.beats(b)) {
                *best = Some(here);
            }
            return;
        }
        let fixed = self.cells[p].iter().filter(|c| c.1).count();
        for &s in &choices[p] {
            let mut gained = 0;
            for (j, (l, cell)) in load.iter_mut().zip(&self.cells[p]).enumerate() {
                if s & (1 << j) != 0 {
                    *l += 1;
                    gained += usize::from(cell.2);
                }
            }
            counts.push(fixed + s.count_ones() as usize);
            self.search(choices, counts, load, kept + gained, best);
            counts.pop();
            for (j, l) in load.iter_mut().enumerate() {
                if s & (1 << j) != 0 {
                    *l -= 1;
                }
            }
        }
    }
}

#[derive(Debug, PartialEq)]
struct Best {
    coverage: usize,
    counts: Vec<usize>,
    loads: Vec<usize>,
    kept: usize,
}

impl Best {
    fn beats(&self, other: &Best) -> bool {
        use std::cmp::Reverse;
        (self.coverage, &self.counts, Reverse(&self.loads), self.kept)
            > (
                other.coverage,
                &other.counts,
                Reverse(&other.loads),
                other.kept,
            )
    }
}

/// The rules every plan obeys, checked against the public helpers.
fn check_plan(case: &Case, plan: &AssignmentPlan) -> Result<(), TestCaseError> {
    let model = Model::of(case);
    let judging = |j: &Juror| j.role == Role::Juror;
    let mut load: BTreeMap<&JurorId, usize> = BTreeMap::new();
    let mut by_participant: BTreeMap<&ParticipantId, Vec<&JurorId>> = BTreeMap::new();
    for a in &plan.assignments {
        prop_assert_eq!(&a.stage, &case.stage);
        let (p, j) = (case.participant(&a.participant), case.juror(&a.juror));
        prop_assert!(judging(j));
        prop_assert_eq!(case.reason(j, p), None, "{} judges {}", j.id, p.id);
        *load.entry(&a.juror).or_default() += 1;
        by_participant
            .entry(&a.participant)
            .or_default()
            .push(&a.juror);
    }
    for (pi, p) in case.participants.iter().enumerate() {
        let js = by_participant.remove(&p.id).unwrap_or_default();
        let distinct: BTreeSet<_> = js.iter().collect();
        prop_assert_eq!(distinct.len(), js.len());
        let row = &model.cells[pi];
        let fixed = row.iter().filter(|c| c.1).count();
        let open = row.iter().filter(|c| c.0 && !c.1).count();
        // Every fixed pair is in the plan.
        for (j, c) in case.jurors.iter().zip(row) {
            if c.1 {
                prop_assert!(js.contains(&&j.id), "fixed {} {} lost", p.id, j.id);
            }
        }
        if case.max_load.is_none() {
            prop_assert_eq!(js.len(), fixed.max(case.k.min(fixed + open)));
        }
        let short = plan.shortfalls.iter().find(|s| s.participant == p.id);
        prop_assert_eq!(short.is_some(), js.len() < case.k);
        if let Some(s) = short {
            prop_assert_eq!(s.assigned, js.len());
            let listed: Vec<&JurorId> = s.unavailable.iter().map(|(j, _)| j).collect();
            let expected: Vec<&JurorId> = case
                .jurors
                .iter()
                .filter(|j| judging(j) && !js.contains(&&j.id))
                .map(|j| &j.id)
                .collect();
            prop_assert_eq!(listed, expected);
            for (jid, why) in &s.unavailable {
                match (case.reason(case.juror(jid), p), why) {
                    (Some(r), Unavailable::Conflict(got)) => prop_assert_eq!(&r, got),
                    (None, Unavailable::AtCapacity { load }) => {
                        prop_assert!(case.max_load.is_some_and(|c| *load >= c))
                    }
                    (r, w) => prop_assert!(false, "{jid}: {r:?} reported as {w:?}"),
                }
            }
        }
    }
    for l in &plan.loads {
        prop_assert_eq!(l.load, load.get(&l.juror).copied().unwrap_or(0));
    }
    Ok(())
}

fn shuffled<T: Clone>(items: &[T], seed: &mut u64) -> Vec<T> {
    let mut v = items.to_vec();
    for i in (1..v.len()).rev() {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        v.swap(i, (*seed % (i as u64 + 1)) as usize);
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn plans_obey_the_rules(case in arb_case(12, 7, 4)) {
        check_plan(&case, &case.plan())?;
    }

    #[test]
    fn without_conflicts_loads_differ_by_at_most_one(
        n in 0..60usize, m in 1..12usize, k in 1..5usize
    ) {
        let case = Case::new(k, n, m);
        let plan = case.plan();
        prop_assert!(spread(&plan) <= 1, "{:?}", plan.loads);
        prop_assert_eq!(plan.assignments.len(), n * k.min(m));
        prop_assert_eq!(plan.shortfalls.is_empty(), k <= m || n == 0);
    }

    #[test]
    fn the_result_is_as_good_as_brute_force(case in arb_case(4, 4, 3)) {
        let model = Model::of(&case);
        let best = model.brute_force();
        let plan = case.plan();
        let fixed: usize = model.fixed_load.iter().sum();
        let mut counts: Vec<usize> = case
            .participants
            .iter()
            .map(|p| plan.jurors_of(&p.id).count())
            .collect();
        counts.sort_unstable();
        let mut loads: Vec<usize> = plan.loads.iter().map(|l| l.load).collect();
        loads.sort_unstable_by(|a, b| b.cmp(a));
        prop_assert_eq!(loads.first(), best.loads.first(), "the largest load");
        let got = Best { coverage: plan.assignments.len() - fixed, counts, loads, kept: plan.kept - fixed };
        prop_assert_eq!(got, best, "{}", case.describe());
    }

    #[test]
    fn input_order_does_not_matter(case in arb_case(12, 7, 4), mut seed in 1..u64::MAX) {
        let plan = case.plan();
        let mut other = case.clone();
        other.participants = shuffled(&case.participants, &mut seed);
        other.jurors = shuffled(&case.jurors, &mut seed);
        other.conflicts = shuffled(&case.conflicts, &mut seed);
        other.existing = shuffled(&case.existing, &mut seed);
        other.started = shuffled(&case.started, &mut seed);
        prop_assert_eq!(other.plan(), plan);
    }

    #[test]
    fn a_rerun_changes_nothing(case in arb_case(12, 7, 4)) {
        let first = case.plan();
        let mut again = case.clone();
        again.existing = first.assignments.clone();
        let second = again.plan();
        prop_assert_eq!(&second.assignments, &first.assignments);
        prop_assert_eq!(second.added, 0);
        // Only pairs being scored that now conflict come back, every time.
        prop_assert!(second.released.iter().all(|r| r.scoring_started
            && matches!(r.why, ReleaseReason::Conflict(_))));
    }
}
