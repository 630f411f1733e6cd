//! Wording a regulation's problems in both languages, with the file, line and field.

use super::*;
use crate::domain::regulation::Regulation;
use crate::text::Lang;

const SAMPLE: &str = include_str!("../../../sample-data/regulation.toml");

/// One of every problem, with parameters that show up in the wording.
fn every_problem() -> Vec<RegulationProblem> {
    use RegulationProblem as P;
    let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        P::Syntax {
            what: "unclosed table".into(),
            expected: names(&["`]`"]),
        },
        P::Syntax {
            what: "missing value for key".into(),
            expected: names(&["newline", "`#`"]),
        },
        P::Syntax {
            what: "invalid float".into(),
            expected: vec![],
        },
        P::Reader {
            message: "something else".into(),
        },
        P::UnknownField {
            field: "max_pionts".into(),
            expected: names(&["id", "max_points"]),
        },
        P::UnknownField {
            field: "x".into(),
            expected: vec![],
        },
        P::MissingField {
            field: "name".into(),
        },
        P::UnknownValue {
            value: "lecture".into(),
            expected: names(&["webinar", "forum"]),
        },
        P::WrongType {
            found: ValueKind::Text(Some("five".into())),
            expected: ValueKind::Integer(None),
        },
        P::WrongType {
            found: ValueKind::Number(Some("1.5".into())),
            expected: ValueKind::Text(None),
        },
        P::WrongType {
            found: ValueKind::Integer(Some("5".into())),
            expected: ValueKind::Number(None),
        },
        P::WrongType {
            found: ValueKind::Boolean(Some("true".into())),
            expected: ValueKind::Array,
        },
        P::WrongType {
            found: ValueKind::Array,
            expected: ValueKind::Table,
        },
        P::WrongType {
            found: ValueKind::Table,
            expected: ValueKind::Boolean(None),
        },
        P::WrongType {
            found: ValueKind::Datetime,
            expected: ValueKind::Datetime,
        },
        P::WrongValue {
            found: ValueKind::Integer(Some("-1".into())),
            expected: ValueKind::Count,
        },
        P::DuplicateKey { key: "name".into() },
        P::UnknownZone {
            zone: "Asia/Irktusk".into(),
        },
        P::NoContestName,
        P::NoGroups,
        P::NoGroupId,
        P::BadId {
            id: "stage 2".into(),
            fault: crate::domain::clean::IdFault::Char(' '),
        },
        P::GroupIdTwice { id: "rural".into() },
        P::NoStages,
        P::StageIdTwice { id: "final".into() },
        P::NoCriteria {
            stage: "final".into(),
        },
        P::CriterionIdTwice { id: "media".into() },
        P::MaxPointsNotPositive { got: -2.5 },
        P::NegativeWeight { got: -1.5 },
        P::Negative {
            name: "per_unit".into(),
            got: -0.25,
        },
        P::IndicatorWithoutSource,
        P::PerUnitAndBands,
        P::BandPointsOutOfRange {
            max: 10.0,
            got: 12.5,
        },
        P::BandsNotAscending,
        P::JuryWithIndicatorSettings,
        P::NoJurors,
        P::TrimFraction { got: 0.75 },
        P::NotEarlierStage {
            stage: "final".into(),
            earlier: vec!["education".into()],
        },
        P::NotEarlierStage {
            stage: "final".into(),
            earlier: vec![],
        },
        P::TieBreakUnknownCriterion {
            criterion: "creativity".into(),
            stage: "portfolio".into(),
            has: vec!["projects".into(), "media".into()],
        },
        P::TieBreakNotEarlierStage {
            named: "final".into(),
            stage: "portfolio".into(),
        },
        P::UnknownTieBreak {
            rule: "luck".into(),
        },
        P::MaxDistanceNegative,
        P::DistanceBandsNotAscending,
        P::NegativePoints { got: -3.0 },
        P::NegativeMultiplier { got: -1.25 },
        P::TopNeedsN,
        P::TopPerGroupNeedsN,
        P::NAtLeastOne,
        P::UnknownGroup {
            group: "villages".into(),
            groups: vec!["rural".into(), "urban".into()],
        },
        P::ThresholdNeedsMinTotal,
        P::QuotaTooLarge {
            group: "city".into(),
            quota: 3,
            members: 2,
        },
    ]
}

/// Latin words a Russian message may keep: the TOML key names, values and
/// rule names a person writes in the file, and proper names.
const KEPT: &[&str] = &[
    "TOML",
    "IANA",
    "UTC",
    "Asia",
    "Irkutsk",
    "Europe",
    "Moscow",
    "Krasnoyarsk",
    "n",
    "ID",
    "kind",
    "indicator",
    "source",
    "bands",
    "rule",
    "top",
    "threshold",
    "total",
    "criterion",
    "stage",
    "groups",
    "stages",
    "true",
    "false",
];

/// The Latin words of `text` outside quotes, backticks and the
/// parameters, which are the file's own names and values.
fn latin_words(text: &str, params: &[&str]) -> Vec<String> {
    let mut t = text.to_string();
    for p in params {
        t = t.replace(p, " ");
    }
    let mut out = String::new();
    let mut quote = None;
    for c in t.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '`' || c == '"' || c == '\'' => quote = Some(c),
            None => out.push(c),
        }
    }
    out.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.chars().any(|c| c.is_ascii_alphabetic()))
        .filter(|w| !w.contains('_') && !KEPT.contains(w))
        .map(str::to_string)
        .collect()
}

#[test]
fn every_problem_is_worded_in_both_languages() {
    // The parser's own text, and the values a file may name.
    let mut params = vec!["something else", "Asia/Irktusk"];
    params.extend(IndicatorSource::ALL.iter().map(|s| s.code()));
    params.extend(["education", "projects", "media", "rural", "urban"]);
    for lang in [Lang::En, Lang::Ru] {
        let tr = I18n::new(lang);
        for p in every_problem() {
            let text = problem(&p, &tr);
            assert!(!text.contains("regulation."), "a missing key: {text}");
            let unfilled = text.split('{').skip(1).any(|rest| {
                rest.split('}').next().is_some_and(|w| {
                    !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                })
            });
            assert!(!unfilled, "an unfilled placeholder: {text}");
            if lang == Lang::Ru {
                assert!(
                    text.chars()
                        .any(|c| ('а'..='я').contains(&c.to_lowercase().next().unwrap())),
                    "not Russian: {text}"
                );
                let latin = latin_words(&text, &params);
                assert!(latin.is_empty(), "English words {latin:?} in «{text}»");
                assert!(!text.contains("1.5") && !text.contains("-2.5"), "{text}");
            }
        }
    }
}

#[test]
fn russian_numbers_have_a_decimal_comma() {
    let ru = I18n::new(Lang::Ru);
    assert_eq!(
        problem(&RegulationProblem::NegativeWeight { got: -1.5 }, &ru),
        "вес не может быть отрицательным (указано -1,5)"
    );
    assert_eq!(
        problem(&RegulationProblem::TrimFraction { got: 0.75 }, &ru),
        "значение trim_fraction должно быть не меньше 0 и меньше 0,5 (указано 0,75)"
    );
}

fn refused(text: &str) -> RegulationErrors {
    Regulation::parse(text).expect_err("the regulation should be refused")
}

#[test]
fn a_negative_weight_is_worded_with_file_line_and_field() {
    let text = SAMPLE.replacen("weight = 1.5", "weight = -1.5", 1);
    let e = refused(&text);
    let line = e.0[0].line;
    assert_eq!(
        errors(&e, "r.toml", &I18n::new(Lang::En)),
        format!(
            "r.toml:{line}: stages[1].criteria[0].weight: the weight must not be negative (got -1.5)"
        )
    );
    assert_eq!(
        errors(&e, "r.toml", &I18n::new(Lang::Ru)),
        format!(
            "r.toml:{line}: stages[1].criteria[0].weight: вес не может быть отрицательным (указано -1,5)"
        )
    );
}

#[test]
fn an_unknown_time_zone_keeps_its_english_wording_and_has_a_russian_one() {
    let text = SAMPLE.replacen(
        "timezone = \"Asia/Irkutsk\"",
        "timezone = \"Asia/Irktusk\"",
        1,
    );
    let e = refused(&text);
    let line = e.0[0].line;
    assert_eq!(
        errors(&e, "regulation.toml", &I18n::new(Lang::En)),
        format!(
            "regulation.toml:{line}: timezone: unknown time zone 'Asia/Irktusk': give an IANA \
             name, e.g. Asia/Irkutsk (Europe/Moscow, Asia/Krasnoyarsk, UTC)"
        )
    );
    let ru = errors(&e, "regulation.toml", &I18n::new(Lang::Ru));
    assert!(
        ru.starts_with(&format!(
            "regulation.toml:{line}: timezone: неизвестный часовой пояс 'Asia/Irktusk'"
        )),
        "{ru}"
    );
    assert!(ru.contains("Asia/Irkutsk"), "{ru}");
}

#[test]
fn the_readers_messages_are_worded_in_russian() {
    let ru = I18n::new(Lang::Ru);
    let cases = [
        (
            SAMPLE.replacen("max_points = 20", "max_pionts = 20", 1),
            "неизвестное поле `max_pionts`; допустимы: `id`, `name`",
        ),
        (
            SAMPLE.replacen("quota = 5", "quota = \"five\"", 1),
            "неверный тип значения: строка \"five\", а нужно целое неотрицательное число",
        ),
        (
            SAMPLE.replacen("quota = 5", "quota = -1", 1),
            "недопустимое значение: целое число -1, а нужно целое неотрицательное число",
        ),
        (
            SAMPLE.replacen("weight = 1.0", "weight = \"heavy\"", 1),
            "неверный тип значения: строка \"heavy\", а нужно число",
        ),
        (
            SAMPLE.replacen("forum = 3.0", "lecture = 3.0", 1),
            "недопустимое значение `lecture`; допустимы: `webinar`",
        ),
        (
            SAMPLE.replacen("[contest]\nname", "[contest]\ntitle", 1),
            "неизвестное поле `title`",
        ),
        (
            SAMPLE.replacen("[contest]\nname = ", "[contest]\norganiser = ", 1),
            "ключ `organiser` указан дважды",
        ),
        (
            SAMPLE.replacen("\nname = \"Городские округа\"", "", 1),
            "не указано обязательное поле `name`",
        ),
        (
            SAMPLE.replacen("[activity]", "[activity", 1),
            "ошибка разбора TOML: не закрыт заголовок таблицы; ожидается `]`",
        ),
        (
            SAMPLE.replacen("[contest]\n", "[contest]\nname = \"x\"\n", 1),
            "ключ `name` указан дважды",
        ),
    ];
    let en = I18n::new(Lang::En);
    let broken = SAMPLE.replacen("[activity]", "[activity", 1);
    assert!(
        errors(&refused(&broken), "r.toml", &en).ends_with(": unclosed table, expected `]`"),
        "the parser's English stays as it was"
    );
    for (text, said) in cases {
        let words = errors(&refused(&text), "r.toml", &ru);
        assert!(words.contains(said), "{words}\nshould say: {said}");
    }
}
