//! Reading a regulation: the sample is valid, and each mistake is refused with its line and field.

use super::*;

const SAMPLE: &str = include_str!("../../../sample-data/regulation.toml");

fn errors(text: &str) -> Vec<RegulationError> {
    Regulation::parse(text)
        .expect_err("the regulation should be refused")
        .0
}

fn line_of(text: &str, needle: &str) -> usize {
    text[..text.find(needle).expect(needle)]
        .matches('\n')
        .count()
        + 1
}

#[test]
fn the_sample_regulation_is_valid() {
    let r = Regulation::parse(SAMPLE).unwrap();
    assert_eq!(r.groups.len(), 3);
    assert_eq!(r.stages.len(), 3);
    let portfolio = r.stage(&"portfolio".into()).unwrap();
    assert!(portfolio.blind);
    assert_eq!(portfolio.jury_criteria().count(), 5);
    assert_eq!(
        r.tie_break(portfolio),
        vec![
            TieBreak::Total,
            TieBreak::Criterion("creative_task".into()),
            TieBreak::PreviousStage,
            TieBreak::ActivityRating,
            TieBreak::ApplicationDate
        ]
    );
    match r.advance_rule(r.stages.last().unwrap()) {
        AdvanceRule::Quota(q) => assert_eq!(q.values().sum::<usize>(), 12),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_negative_weight_names_its_line_and_field() {
    let text = SAMPLE.replacen("weight = 1.5", "weight = -1.5", 1);
    let e = errors(&text);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].field, "stages[1].criteria[0].weight");
    assert_eq!(e[0].line, line_of(&text, "weight = -1.5"));
    assert_eq!(
        e[0].problem,
        RegulationProblem::NegativeWeight { got: -1.5 }
    );
}

#[test]
fn a_stage_without_criteria_is_refused() {
    let text = r#"
[contest]
name = "c"
[[groups]]
id = "g"
name = "G"
quota = 1
[[stages]]
id = "s"
name = "S"
advance = { rule = "quota" }
criteria = []
"#;
    let e = errors(text);
    assert_eq!(e[0].field, "stages[0].criteria");
    assert_eq!(e[0].line, line_of(text, "criteria = []"));
    assert_eq!(
        e[0].problem,
        RegulationProblem::NoCriteria { stage: "s".into() }
    );
}

#[test]
fn a_tie_break_naming_an_unknown_criterion_is_refused() {
    let text = SAMPLE.replacen("criterion:creative_task", "criterion:creativity", 1);
    let e = errors(&text);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].field, "stages[1].tie_break[1]");
    assert_eq!(e[0].line, line_of(&text, "criterion:creativity"));
    match &e[0].problem {
        RegulationProblem::TieBreakUnknownCriterion { criterion, has, .. } => {
            assert_eq!(criterion.as_str(), "creativity");
            assert!(
                has.iter().any(|c| c.as_str() == "creative_task"),
                "lists the criteria: {has:?}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_misspelt_field_names_its_line() {
    let text = SAMPLE.replacen("max_points = 20", "max_pionts = 20", 1);
    let e = errors(&text);
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].line, line_of(&text, "max_pionts"));
    match &e[0].problem {
        RegulationProblem::UnknownField { field, expected } => {
            assert_eq!(field, "max_pionts");
            assert!(expected.contains(&"max_points".to_string()), "{expected:?}");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        e[0].field.starts_with("stages[0].criteria[0]"),
        "{}",
        e[0].field
    );
}

#[test]
fn a_wrong_type_names_its_line_and_field() {
    let text = SAMPLE.replacen("quota = 5", "quota = \"five\"", 1);
    let e = errors(&text);
    assert_eq!(e[0].line, line_of(&text, "quota = \"five\""));
    assert_eq!(e[0].field, "groups[0].quota");
    assert_eq!(
        e[0].problem,
        RegulationProblem::WrongType {
            found: ValueKind::Text(Some("five".into())),
            expected: ValueKind::Count,
        }
    );
}

#[test]
fn an_unknown_format_in_the_activity_formula_is_refused() {
    let text = SAMPLE.replacen("forum = 3.0", "lecture = 3.0", 1);
    let e = errors(&text);
    assert_eq!(e[0].line, line_of(&text, "lecture = 3.0"));
    match &e[0].problem {
        RegulationProblem::UnknownValue { value, expected } => {
            assert_eq!(value, "lecture");
            assert!(expected.contains(&"webinar".to_string()), "{expected:?}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn broken_toml_names_its_line() {
    let text = SAMPLE.replacen("[activity]", "[activity", 1);
    let e = errors(&text);
    assert_eq!(e[0].line, line_of(&text, "[activity\n"));
    assert!(
        matches!(&e[0].problem, RegulationProblem::Syntax { what, .. } if what == "unclosed table"),
        "{:?}",
        e[0].problem
    );
}

#[test]
fn a_quota_larger_than_its_group_is_refused_with_its_line() {
    let r = Regulation::parse(SAMPLE).unwrap();
    let members: BTreeMap<GroupId, usize> = [
        ("rural".into(), 40),
        ("urban".into(), 2),
        ("city".into(), 30),
    ]
    .into();
    let e = r.check_quotas_in(SAMPLE, &members).unwrap_err().0;
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].field, "groups[1].quota");
    assert_eq!(e[0].line, line_of(SAMPLE, "quota = 3"));
    assert_eq!(
        e[0].problem,
        RegulationProblem::QuotaTooLarge {
            group: "urban".into(),
            quota: 3,
            members: 2
        }
    );
}

#[test]
fn advancement_rules_need_their_numbers() {
    let text = SAMPLE.replacen(
        "advance = { rule = \"top_per_group\", per_group = { rural = 25, urban = 15, city = 20 } }",
        "advance = { rule = \"top\" }",
        1,
    );
    let e = errors(&text);
    assert_eq!(e[0].field, "stages[0].advance.n");
    let text = SAMPLE.replacen("rural = 25", "villages = 25", 1);
    let e = errors(&text);
    assert_eq!(e[0].field, "stages[0].advance.per_group.villages");
}

#[test]
fn carry_over_must_name_an_earlier_stage() {
    let text = SAMPLE.replacen(
        "carry_over = [{ stage = \"education\", weight = 0.2 }]",
        "carry_over = [{ stage = \"final\", weight = 0.2 }]",
        1,
    );
    let e = errors(&text);
    assert_eq!(e[0].field, "stages[1].carry_over[0].stage");
}

#[test]
fn a_jury_stage_needs_jurors() {
    let text = SAMPLE.replacen(
        "jurors_per_participant = 3",
        "jurors_per_participant = 0",
        1,
    );
    let e = errors(&text);
    assert_eq!(e[0].field, "stages[1].jurors_per_participant");
    assert_eq!(e[0].line, line_of(&text, "jurors_per_participant = 0"));
}

#[test]
fn the_sample_names_the_contests_time_zone() {
    let r = Regulation::parse(SAMPLE).unwrap();
    assert_eq!(r.zone(), Some("Asia/Irkutsk"));
}

#[test]
fn an_unknown_time_zone_is_refused_with_its_line_and_a_hint() {
    let text = SAMPLE.replacen(
        "timezone = \"Asia/Irkutsk\"",
        "timezone = \"Asia/Irktusk\"",
        1,
    );
    let e = errors(&text);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].field, "timezone");
    assert_eq!(e[0].line, line_of(&text, "timezone = "));
    assert_eq!(
        e[0].problem,
        RegulationProblem::UnknownZone {
            zone: "Asia/Irktusk".into()
        }
    );
}

#[test]
fn without_a_time_zone_the_machines_applies() {
    let text = SAMPLE.replacen("timezone = \"Asia/Irkutsk\"\n", "", 1);
    assert_eq!(Regulation::parse(&text).unwrap().zone(), None);
}

/// The ids of the stages `new` would rank differently from the sample.
fn changed(new: &str) -> Vec<String> {
    let old = Regulation::parse(SAMPLE).unwrap();
    let new = Regulation::parse(new).unwrap();
    old.stages_changed_by(&new)
        .iter()
        .map(|s| s.id.to_string())
        .collect()
}

#[test]
fn a_stage_is_changed_by_what_decides_its_ranking_and_by_nothing_else() {
    assert!(changed(SAMPLE).is_empty());
    // Words a person reads decide nothing.
    assert!(
        changed(
            &SAMPLE
                .replace("Творческое задание\"", "Творческое задание (эссе)\"")
                .replace("Масштаб, результаты", "Размах, результаты")
                .replace("organiser = ", "organiser = \"Союз\"\n#")
        )
        .is_empty()
    );
    // A weight of one criterion changes its stage only.
    assert_eq!(
        changed(&SAMPLE.replacen("weight = 1.5", "weight = 2.0", 1)),
        ["portfolio"]
    );
    // Blindness, aggregation and advancement are rules.
    assert_eq!(
        changed(&SAMPLE.replacen("blind = true", "blind = false", 1)),
        ["portfolio"]
    );
    assert_eq!(
        changed(&SAMPLE.replace("aggregation = \"trimmed\"", "aggregation = \"median\"")),
        ["final"]
    );
    assert_eq!(
        changed(&SAMPLE.replace("rural = 10, urban = 6", "rural = 9, urban = 7")),
        ["portfolio"]
    );
    // A group's quota is the final's advancement rule.
    let quota = SAMPLE.find("quota = ").unwrap();
    let line_end = quota + SAMPLE[quota..].find('\n').unwrap();
    let new = format!("{}quota = 1{}", &SAMPLE[..quota], &SAMPLE[line_end..]);
    assert_eq!(changed(&new), ["final"]);
    // The activity formula counts where the rating does: the educational
    // stage's indicator, and the later stages' tie-breaks.
    assert_eq!(
        changed(&SAMPLE.replace("topic_bonus = 1.5", "topic_bonus = 2.0")),
        ["education", "portfolio", "final"]
    );
    // A tie-break chain changes a stage by the rules it resolves to, not
    // by how it is spelt.
    assert!(
        changed(&SAMPLE.replace(
            "tie_break = [\"total\", \"criterion:internship_programme\", \"previous_stage\"",
            "tie_break = [\" criterion: internship_programme\", \"total\", \"previous_stage\"",
        ))
        .is_empty()
    );
    assert_eq!(
        changed(&SAMPLE.replace(
            "\"criterion:internship_programme\", \"previous_stage\"",
            "\"previous_stage\", \"criterion:internship_programme\"",
        )),
        ["final"]
    );
    // A stage removed is changed.
    let final_at = SAMPLE.find("# --- Этап 3").unwrap();
    let without_final = &SAMPLE[..final_at];
    let mentoring_at = SAMPLE.find("# Наставничество по умолчанию").unwrap();
    let without_final = format!("{without_final}{}", &SAMPLE[mentoring_at..]);
    assert_eq!(changed(&without_final), ["final"]);
}

#[test]
fn tie_break_problems_name_the_chain_they_are_written_in() {
    let text = SAMPLE
        .replacen(
            "tie_break = [\"total\", \"previous_stage\", \"activity_rating\", \"application_date\"]",
            "tie_break = [\"total\", \"fastest\", \"criterion:attendance\", \"stage:final\"]",
            1,
        )
        .replacen(
            "\"criterion:creative_task\", \"previous_stage\"",
            "\"criterion:creative_task\", \"previos_stage\", \" stage: education \"",
            1,
        );
    let e = errors(&text);
    let got: Vec<(usize, &str, &RegulationProblem)> = e
        .iter()
        .map(|e| (e.line, e.field.as_str(), &e.problem))
        .collect();
    let default_line = line_of(&text, "tie_break = [\"total\", \"fastest\"");
    let own_line = line_of(&text, "\"previos_stage\"");
    assert_eq!(
        got,
        vec![
            (
                default_line,
                "ranking.tie_break[1]",
                &RegulationProblem::UnknownTieBreak {
                    rule: "fastest".into()
                }
            ),
            // The education stage has no chain of its own: the default's
            // rule is checked against it, and said where it is written.
            (
                default_line,
                "ranking.tie_break[3]",
                &RegulationProblem::TieBreakNotEarlierStage {
                    named: "final".into(),
                    stage: "education".into()
                }
            ),
            (
                own_line,
                "stages[1].tie_break[2]",
                &RegulationProblem::UnknownTieBreak {
                    rule: "previos_stage".into()
                }
            ),
        ]
    );
}

#[test]
fn a_stage_breaks_ties_by_its_own_chain_or_the_default_total_first() {
    let text = SAMPLE
        .replacen(
            "tie_break = [\"total\", \"previous_stage\", \"activity_rating\", \"application_date\"]",
            "tie_break = [\"application_date\", \" criterion: attendance \", \"total\", \"application_date\"]",
            1,
        )
        .replacen(
            "\"criterion:creative_task\", \"previous_stage\"",
            "\"stage:education\", \"previous_stage\"",
            1,
        );
    let r = Regulation::parse(&text).unwrap();
    let chain = |id: &str| r.stage(&id.into()).unwrap().tie_break.clone();
    assert_eq!(
        chain("education"),
        [
            TieBreak::Total,
            TieBreak::ApplicationDate,
            TieBreak::Criterion("attendance".into()),
        ]
    );
    assert_eq!(
        chain("portfolio"),
        [
            TieBreak::Total,
            TieBreak::Stage("education".into()),
            TieBreak::PreviousStage,
            TieBreak::ActivityRating,
            TieBreak::ApplicationDate,
        ]
    );
}
