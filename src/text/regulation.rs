//! What is wrong with a regulation file, in words: the keys are in
//! `i18n/{en,ru}/regulation.toml`; numbers are written in the language's
//! form (`-1,5` in Russian). One refusal a line, `file:line: field: problem`.

use super::I18n;
use crate::domain::regulation::{
    IndicatorSource, RegulationError, RegulationErrors, RegulationProblem, ValueKind,
};
use std::fmt::Display;

/// Every problem of a regulation file, one a line, each prefixed with `file:line:`.
pub fn errors(e: &RegulationErrors, file: &str, tr: &I18n) -> String {
    e.0.iter()
        .map(|e| error(e, file, tr))
        .collect::<Vec<_>>()
        .join("\n")
}

/// One problem with its place: `file:line: field: problem`.
pub fn error(e: &RegulationError, file: &str, tr: &I18n) -> String {
    let problem = problem(&e.problem, tr);
    let line: &dyn Display = &e.line;
    if e.field.is_empty() {
        tr.f(
            "regulation.located_nofield",
            &[("file", &file), ("line", line), ("problem", &problem)],
        )
    } else {
        tr.f(
            "regulation.located",
            &[
                ("file", &file),
                ("line", line),
                ("field", &e.field),
                ("problem", &problem),
            ],
        )
    }
}

/// The problem as one phrase in `tr`'s language.
pub fn problem(p: &RegulationProblem, tr: &I18n) -> String {
    use RegulationProblem as P;
    match p {
        P::Syntax { .. }
        | P::Reader { .. }
        | P::UnknownField { .. }
        | P::MissingField { .. }
        | P::UnknownValue { .. }
        | P::WrongType { .. }
        | P::WrongValue { .. }
        | P::DuplicateKey { .. }
        | P::AboveLimit { .. }
        | P::TooMany { .. }
        | P::TooLong { .. } => reading_problem(p, tr),
        P::UnknownZone { .. }
        | P::NoContestName
        | P::NoGroups
        | P::NoGroupId
        | P::BadId { .. }
        | P::GroupIdTwice { .. }
        | P::NoStages
        | P::StageIdTwice { .. } => contest_problem(p, tr),
        P::NoCriteria { .. }
        | P::CriterionIdTwice { .. }
        | P::MaxPointsNotPositive { .. }
        | P::NegativeWeight { .. }
        | P::Negative { .. }
        | P::IndicatorWithoutSource
        | P::PerUnitAndBands
        | P::BandPointsOutOfRange { .. }
        | P::BandsNotAscending
        | P::JuryWithIndicatorSettings
        | P::NoJurors
        | P::TrimFraction { .. } => criterion_problem(p, tr),
        P::NotEarlierStage { .. }
        | P::TieBreakUnknownCriterion { .. }
        | P::TieBreakNotEarlierStage { .. }
        | P::UnknownTieBreak { .. }
        | P::TopNeedsN
        | P::TopPerGroupNeedsN
        | P::NAtLeastOne
        | P::UnknownGroup { .. }
        | P::ThresholdNeedsMinTotal
        | P::QuotaTooLarge { .. } => order_problem(p, tr),
        P::MaxDistanceNegative
        | P::DistanceBandsNotAscending
        | P::NegativePoints { .. }
        | P::NegativeMultiplier { .. } => activity_problem(p, tr),
    }
}

/// The file as TOML: syntax, fields, values, types and size.
fn reading_problem(p: &RegulationProblem, tr: &I18n) -> String {
    use RegulationProblem as P;
    let f = |key: &str, args: &[(&str, &dyn Display)]| tr.f(&format!("regulation.{key}"), args);
    let num = |x: &f64| tr.num(*x);
    match p {
        P::Syntax { what, expected } if expected.is_empty() => {
            f("syntax", &[("what", &syntax_words("what", what, tr))])
        }
        P::Syntax { what, expected } => f(
            "syntax_expected",
            &[
                ("what", &syntax_words("what", what, tr)),
                (
                    "expected",
                    &expected
                        .iter()
                        .map(|e| syntax_words("expected", e, tr))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            ],
        ),
        P::Reader { message } => f("reader", &[("message", message)]),
        P::UnknownField { field, expected } if expected.is_empty() => {
            f("unknown_field_none", &[("field", field)])
        }
        P::UnknownField { field, expected } => f(
            "unknown_field",
            &[("field", field), ("expected", &ticked(expected))],
        ),
        P::MissingField { field } => f("missing_field", &[("field", field)]),
        P::UnknownValue { value, expected } => f(
            "unknown_value",
            &[("value", value), ("expected", &ticked(expected))],
        ),
        P::WrongType { found, expected } => f(
            "wrong_type",
            &[
                ("found", &kind(found, true, tr)),
                ("expected", &kind(expected, false, tr)),
            ],
        ),
        P::WrongValue { found, expected } => f(
            "wrong_value",
            &[
                ("found", &kind(found, true, tr)),
                ("expected", &kind(expected, false, tr)),
            ],
        ),
        P::DuplicateKey { key } => f("duplicate_key", &[("key", key)]),
        P::AboveLimit { name, got, max } => f(
            "above_limit",
            &[
                ("name", name),
                // 1e308 as written, not as 309 digits.
                (
                    "got",
                    &if got.abs() >= 1e9 {
                        format!("{got:e}")
                    } else {
                        num(got)
                    },
                ),
                ("max", &num(max)),
            ],
        ),
        P::TooMany { what, got, max } => f(
            "too_many",
            &[
                ("what", &tr.t(&format!("regulation.counted.{what}"))),
                ("got", got),
                ("max", max),
            ],
        ),
        P::TooLong { bytes, max } => f(
            "too_long",
            &[("kb", &(bytes / 1024)), ("max", &(max / 1024))],
        ),
        _ => unreachable!("problem() routes only these variants here"),
    }
}

/// The contest, its groups and the ids of its stages.
fn contest_problem(p: &RegulationProblem, tr: &I18n) -> String {
    use RegulationProblem as P;
    let f = |key: &str, args: &[(&str, &dyn Display)]| tr.f(&format!("regulation.{key}"), args);
    let t = |key: &str| tr.t(&format!("regulation.{key}")).to_string();
    match p {
        P::UnknownZone { zone } => f("unknown_zone", &[("zone", zone)]),
        P::NoContestName => t("no_contest_name"),
        P::NoGroups => t("no_groups"),
        P::NoGroupId => t("no_group_id"),
        P::BadId { id, fault } => super::refusal::breach(
            &crate::domain::integrity::Breach::BadId {
                id: id.clone(),
                fault: *fault,
            },
            tr,
        ),
        P::GroupIdTwice { id } => f("group_id_twice", &[("id", id)]),
        P::NoStages => t("no_stages"),
        P::StageIdTwice { id } => f("stage_id_twice", &[("id", id)]),
        _ => unreachable!("problem() routes only these variants here"),
    }
}

/// A stage's criteria, indicators, jurors and trimming.
fn criterion_problem(p: &RegulationProblem, tr: &I18n) -> String {
    use RegulationProblem as P;
    let f = |key: &str, args: &[(&str, &dyn Display)]| tr.f(&format!("regulation.{key}"), args);
    let t = |key: &str| tr.t(&format!("regulation.{key}")).to_string();
    let num = |x: &f64| tr.num(*x);
    match p {
        P::NoCriteria { stage } => f("no_criteria", &[("stage", stage)]),
        P::CriterionIdTwice { id } => f("criterion_id_twice", &[("id", id)]),
        P::MaxPointsNotPositive { got } => f("max_points", &[("got", &num(got))]),
        P::NegativeWeight { got } => f("negative_weight", &[("got", &num(got))]),
        P::Negative { name, got } => f("negative", &[("name", name), ("got", &num(got))]),
        P::IndicatorWithoutSource => f(
            "indicator_without_source",
            &[(
                "sources",
                &IndicatorSource::ALL
                    .iter()
                    .map(|s| s.code())
                    .collect::<Vec<_>>()
                    .join(", "),
            )],
        ),
        P::PerUnitAndBands => t("per_unit_and_bands"),
        P::BandPointsOutOfRange { max, got } => {
            f("band_points", &[("max", &num(max)), ("got", &num(got))])
        }
        P::BandsNotAscending => t("bands_not_ascending"),
        P::JuryWithIndicatorSettings => t("jury_with_indicator_settings"),
        P::NoJurors => t("no_jurors"),
        P::TrimFraction { got } => f(
            "trim_fraction",
            &[("limit", &num(&0.5)), ("got", &num(got))],
        ),
        _ => unreachable!("problem() routes only these variants here"),
    }
}

/// Carry-over, tie-breaks and advance between stages.
fn order_problem(p: &RegulationProblem, tr: &I18n) -> String {
    use RegulationProblem as P;
    let f = |key: &str, args: &[(&str, &dyn Display)]| tr.f(&format!("regulation.{key}"), args);
    let t = |key: &str| tr.t(&format!("regulation.{key}")).to_string();
    match p {
        P::NotEarlierStage { stage, earlier } => f(
            "not_earlier_stage",
            &[("stage", stage), ("earlier", &list(earlier, tr))],
        ),
        P::TieBreakUnknownCriterion {
            criterion,
            stage,
            has,
        } => f(
            "tie_break_unknown_criterion",
            &[
                ("criterion", criterion),
                ("stage", stage),
                ("has", &list(has, tr)),
            ],
        ),
        P::TieBreakNotEarlierStage { named, stage } => f(
            "tie_break_not_earlier_stage",
            &[("named", named), ("stage", stage)],
        ),
        P::UnknownTieBreak { rule } => f("unknown_tie_break", &[("rule", rule)]),
        P::TopNeedsN => t("top_needs_n"),
        P::TopPerGroupNeedsN => t("top_per_group_needs_n"),
        P::NAtLeastOne => t("n_at_least_one"),
        P::UnknownGroup { group, groups } => f(
            "unknown_group",
            &[("group", group), ("groups", &list(groups, tr))],
        ),
        P::ThresholdNeedsMinTotal => t("threshold_needs_min_total"),
        P::QuotaTooLarge {
            group,
            quota,
            members,
        } => f(
            "quota_too_large",
            &[("group", group), ("quota", quota), ("members", members)],
        ),
        _ => unreachable!("problem() routes only these variants here"),
    }
}

/// Mentoring distances and activity points.
fn activity_problem(p: &RegulationProblem, tr: &I18n) -> String {
    use RegulationProblem as P;
    let f = |key: &str, args: &[(&str, &dyn Display)]| tr.f(&format!("regulation.{key}"), args);
    let t = |key: &str| tr.t(&format!("regulation.{key}")).to_string();
    let num = |x: &f64| tr.num(*x);
    match p {
        P::MaxDistanceNegative => t("max_distance_negative"),
        P::DistanceBandsNotAscending => t("distance_bands_not_ascending"),
        P::NegativePoints { got } => f("negative_points", &[("got", &num(got))]),
        P::NegativeMultiplier { got } => f("negative_multiplier", &[("got", &num(got))]),
        _ => unreachable!("problem() routes only these variants here"),
    }
}

/// A phrase of the TOML parser in this language (`regulation.parser.what.…`,
/// `regulation.parser.expected.…`), or as the parser wrote it when the
/// catalogue does not know it (a literal such as `` `]` `` stays as it is).
fn syntax_words(part: &str, phrase: &str, tr: &I18n) -> String {
    let key = format!("regulation.parser.{part}.{phrase}");
    match tr.t(&key) {
        words if words == key => phrase.to_string(),
        words => words.to_string(),
    }
}

/// `a, b, c`, or the language's "none" for an empty list.
fn list<T: Display>(items: &[T], tr: &I18n) -> String {
    if items.is_empty() {
        tr.t("regulation.none").to_string()
    } else {
        items
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// `` `a`, `b`, `c` ``: names as they are written in the file.
fn ticked(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A kind of value in words: the value found (with what is written, when
/// known) or the kind needed.
fn kind(k: &ValueKind, found: bool, tr: &I18n) -> String {
    let (code, value) = match k {
        ValueKind::Text(v) => ("text", v),
        ValueKind::Integer(v) => ("integer", v),
        ValueKind::Number(v) => ("number", v),
        ValueKind::Boolean(v) => ("boolean", v),
        ValueKind::Count => ("count", &None),
        ValueKind::Array => ("array", &None),
        ValueKind::Table => ("table", &None),
        ValueKind::Datetime => ("datetime", &None),
        ValueKind::Other(text) => return text.clone(),
    };
    match value {
        Some(v) if found => {
            let v = match k {
                ValueKind::Number(_) => tr.decimal(v.clone()),
                _ => v.clone(),
            };
            tr.f(&format!("regulation.found.{code}"), &[("value", &v)])
        }
        _ => tr.t(&format!("regulation.kind.{code}")).to_string(),
    }
}

#[cfg(test)]
mod tests;
