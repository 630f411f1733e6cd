//! The methods in words: how a stage is ranked and how mentors and interns
//! are paired, written once and shown everywhere a result is — `konkurs
//! help methods`, the README, the method appendix of every protocol (with
//! the stage's own rules and numbers only) and `?` in the Ranking and
//! Mentoring panes.

use super::I18n;
use crate::domain::regulation::{AdvanceRule, Aggregation, MentoringRules, Regulation, Stage};
use crate::domain::regulation::{CriterionKind, TieBreak};

/// One topic of the methods: a title and its paragraphs.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    /// A stable name (`aggregation`, `ties`…), for documents and tests.
    pub key: &'static str,
    pub title: String,
    pub paragraphs: Vec<String>,
}

/// How a stage is ranked. With `stage`, only the rules that stage uses,
/// with the regulation's numbers; without, every rule konkurs knows.
pub fn ranking(stage: Option<(&Regulation, &Stage)>, tr: &I18n) -> Vec<Part> {
    let k = |key: &str| format!("methods.{key}");
    let part = |key: &'static str, paragraphs: Vec<String>| Part {
        key,
        title: tr.t(&k(&format!("{key}.title"))).to_string(),
        paragraphs,
    };
    let mut parts = Vec::new();
    let jury = stage.is_none_or(|(_, s)| s.criteria.iter().any(|c| c.kind == CriterionKind::Jury));

    let count = match stage {
        Some((_, s)) if s.jurors_per_participant > 0 => format!(" = {}", s.jurors_per_participant),
        _ => String::new(),
    };
    if jury {
        parts.push(part(
            "sheets",
            vec![tr.f(&k("sheets.text"), &[("k", &count)])],
        ));
    }

    let mut total = vec![tr.t(&k("total.text")).to_string()];
    let indicators = stage.is_none_or(|(_, s)| {
        s.criteria
            .iter()
            .any(|c| c.kind == CriterionKind::Indicator)
    });
    if indicators {
        total.push(tr.t(&k("total.indicators")).to_string());
    }
    match stage {
        None => total.push(tr.f(&k("total.carry_over"), &[("list", &tr.t(&k("as_set")))])),
        Some((rules, s)) if !s.carry_over.is_empty() => {
            let list = s
                .carry_over
                .iter()
                .map(|c| {
                    let name = rules.stage(&c.stage).map_or(c.stage.as_str(), |x| &x.name);
                    format!("«{name}» × {}", tr.num(c.weight))
                })
                .collect::<Vec<_>>()
                .join(", ");
            total.push(tr.f(&k("total.carry_over"), &[("list", &list)]));
        }
        Some(_) => {}
    }
    parts.push(part("total", total));

    let methods: Vec<(Aggregation, Option<f64>)> = match stage {
        Some((_, s)) => vec![(s.aggregation, s.trim_fraction)],
        None => Aggregation::ALL.iter().map(|a| (*a, None)).collect(),
    };
    let mut aggregation: Vec<String> = methods
        .iter()
        .map(|(method, fraction)| match (method, fraction) {
            (Aggregation::Trimmed, Some(f)) => tr.f(
                &k("aggregation.trimmed_fraction"),
                &[("percent", &tr.num(f * 100.0)), ("fraction", &tr.num(*f))],
            ),
            (Aggregation::Trimmed, None) if stage.is_none() => format!(
                "{} {}",
                tr.t(&k("aggregation.trimmed")),
                tr.t(&k("aggregation.trimmed_generic"))
            ),
            (m, _) => tr.t(&k(&format!("aggregation.{}", m.code()))).to_string(),
        })
        .collect();
    aggregation.push(tr.t(&k("aggregation.others")).to_string());
    if jury {
        parts.push(part("aggregation", aggregation));
    }

    let rules: Vec<TieBreak> = match stage {
        Some((_, s)) => s.tie_break.clone(),
        None => vec![
            TieBreak::Total,
            TieBreak::Criterion(tr.t(&k("placeholder_id")).into()),
            TieBreak::Stage(tr.t(&k("placeholder_id")).into()),
            TieBreak::PreviousStage,
            TieBreak::ActivityRating,
            TieBreak::ApplicationDate,
        ],
    };
    let chain: Vec<String> = rules
        .iter()
        .filter_map(|r| tie_break(r, stage.map(|(rules, _)| rules), tr))
        .collect();
    let chain = if chain.is_empty() {
        tr.t(&k("ties.none")).to_string()
    } else {
        chain.join("; ")
    };
    parts.push(part(
        "ties",
        vec![tr.f(&k("ties.order"), &[("chain", &chain)])],
    ));

    let mut advance = match stage {
        Some((rules, s)) => vec![advance_rule(rules, &rules.advance_rule(s), tr)],
        None => ["top", "top_per_group", "quota", "threshold"]
            .iter()
            .map(|a| {
                let generic = tr.t(&k("as_set"));
                tr.f(
                    &k(&format!("advance.{a}")),
                    &[("n", &"N"), ("list", &generic), ("min", &"X")],
                )
            })
            .collect(),
    };
    advance.push(tr.t(&k("advance.blocks")).to_string());
    parts.push(part("advance", advance));

    if jury {
        parts.push(part(
            "stats",
            ["kendall", "alpha", "severity", "outliers"]
                .iter()
                .map(|s| tr.t(&k(&format!("stats.{s}"))).to_string())
                .collect(),
        ));
    }
    parts.push(part("hash", vec![tr.t(&k("hash.text")).to_string()]));
    parts.push(part(
        "precision",
        vec![tr.f(&k("precision.text"), &[("digits", &super::number::FIGURE)])],
    ));
    parts
}

/// A tie-break rule's name and meaning; `None` for the total, which is
/// not a tie-break but the order itself.
fn tie_break(rule: &TieBreak, rules: Option<&Regulation>, tr: &I18n) -> Option<String> {
    let k = |key: &str| format!("methods.ties.{key}");
    Some(match rule {
        TieBreak::Total => return None,
        TieBreak::Criterion(c) => tr.f(&k("criterion"), &[("id", c)]),
        TieBreak::Stage(s) => {
            let name = rules
                .and_then(|r| r.stage(s))
                .map_or(s.to_string(), |x| x.name.clone());
            tr.f(&k("stage"), &[("id", &name)])
        }
        TieBreak::PreviousStage => tr.t(&k("previous_stage")).to_string(),
        TieBreak::ActivityRating => tr.t(&k("activity_rating")).to_string(),
        TieBreak::ApplicationDate => tr.t(&k("application_date")).to_string(),
    })
}

fn advance_rule(rules: &Regulation, rule: &AdvanceRule, tr: &I18n) -> String {
    let k = |key: &str| format!("methods.advance.{key}");
    let per_group = |m| per_group(rules, m);
    match rule {
        AdvanceRule::Top(n) => tr.f(&k("top"), &[("n", n)]),
        AdvanceRule::TopPerGroup(m) => tr.f(&k("top_per_group"), &[("list", &per_group(m))]),
        AdvanceRule::Quota(m) => tr.f(&k("quota"), &[("list", &per_group(m))]),
        AdvanceRule::Threshold(min) => tr.f(&k("threshold"), &[("min", &tr.num(*min))]),
    }
}

/// Each territory group with its number of places: «Сельские поселения —
/// 5; Городские поселения — 3».
pub fn per_group(
    rules: &Regulation,
    places: &std::collections::BTreeMap<crate::domain::ids::GroupId, usize>,
) -> String {
    rules
        .groups
        .iter()
        .map(|g| format!("{} — {}", g.name, places.get(&g.id).copied().unwrap_or(0)))
        .collect::<Vec<_>>()
        .join("; ")
}

/// How mentors and interns are paired, with the regulation's numbers.
pub fn matching(rules: &MentoringRules, tr: &I18n) -> Vec<Part> {
    let k = |key: &str| format!("methods.matching.{key}");
    let bands = rules
        .distance_bands
        .iter()
        .map(|[km, points]| {
            tr.f(
                &k("band"),
                &[("km", &tr.num(*km)), ("points", &tr.num(*points))],
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let score = tr.f(
        &k("score"),
        &[
            ("topic_weight", &rules.topic_weight),
            ("distance_weight", &rules.distance_weight),
            ("bands", &bands),
            ("max_km", &tr.num(rules.max_distance_km)),
            ("preference_weight", &rules.preference_weight),
        ],
    );
    vec![Part {
        key: "matching",
        title: tr.t("methods.matching.title").to_string(),
        paragraphs: vec![
            tr.t(&k("modes")).to_string(),
            score,
            tr.t(&k("lists")).to_string(),
            tr.t(&k("forbid")).to_string(),
        ],
    }]
}

/// The parts as plain text: each title, then its paragraphs wrapped to
/// `width` columns and indented by two.
pub fn plain(title: &str, parts: &[Part], width: usize) -> String {
    let mut out = format!("{title}\n");
    for p in parts {
        out.push('\n');
        out.push_str(&p.title);
        out.push('\n');
        for paragraph in &p.paragraphs {
            for line in super::wrap(paragraph, width.saturating_sub(2).max(20)) {
                out.push_str("  ");
                out.push_str(&line);
                out.push('\n');
            }
        }
    }
    out
}

/// The whole methods text in Markdown, for the README: a heading per
/// part, the paragraphs as they are.
pub fn markdown(tr: &I18n) -> String {
    let mut out = String::new();
    for (title, parts) in [
        (tr.t("methods.ranking_title"), ranking(None, tr)),
        (
            tr.t("methods.matching_title"),
            matching(&MentoringRules::default(), tr),
        ),
    ] {
        out += &format!("#### {title}\n\n");
        for p in parts {
            out += &format!("**{}.** ", p.title);
            out += &p.paragraphs.join("\n\n");
            out += "\n\n";
        }
    }
    out += tr.t("methods.defaults_note");
    out.push('\n');
    out
}

/// The whole methods text as `konkurs help methods` prints it.
pub fn everything(rules: Option<&Regulation>, tr: &I18n, width: usize) -> String {
    let mentoring = rules.map(|r| r.mentoring.clone()).unwrap_or_default();
    let mut out = plain(tr.t("methods.ranking_title"), &ranking(None, tr), width);
    out.push('\n');
    out.push_str(&plain(
        tr.t("methods.matching_title"),
        &matching(&mentoring, tr),
        width,
    ));
    out.push('\n');
    for line in super::wrap(tr.t("methods.defaults_note"), width) {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Lang;

    fn sample() -> Regulation {
        Regulation::parse(crate::sample::REGULATION).expect("the sample regulation parses")
    }

    /// A stage's text names every rule the stage uses: its method, each
    /// tie-break rule, its advancement with its numbers, its carry-over.
    #[test]
    fn a_stages_methods_name_every_rule_it_uses() {
        let rules = sample();
        for lang in [Lang::En, Lang::Ru] {
            let tr = I18n::new(lang);
            for stage in &rules.stages {
                let text = plain("", &ranking(Some((&rules, stage)), &tr), usize::MAX);
                if stage.criteria.iter().any(|c| c.kind == CriterionKind::Jury) {
                    let method = tr.t(&format!("methods.aggregation.{}", stage.aggregation.code()));
                    let method_name = method.split(':').next().unwrap();
                    assert!(
                        text.contains(method_name),
                        "{}: {method_name}\n{text}",
                        stage.id
                    );
                }
                for rule in rules.tie_break(stage) {
                    if let Some(words) = tie_break(rule, Some(&rules), &tr) {
                        assert!(text.contains(&words), "{}: {words}\n{text}", stage.id);
                    }
                }
                let advance = advance_rule(&rules, &rules.advance_rule(stage), &tr);
                assert!(text.contains(&advance), "{}: {advance}", stage.id);
                for c in &stage.carry_over {
                    let name = &rules.stage(&c.stage).unwrap().name;
                    assert!(text.contains(name.as_str()), "{}: {name}", stage.id);
                }
                assert!(!text.contains('{'), "{text}");
            }
        }
    }

    #[test]
    fn the_whole_text_has_every_part_in_both_languages() {
        for lang in [Lang::En, Lang::Ru] {
            let tr = I18n::new(lang);
            let text = everything(Some(&sample()), &tr, 80);
            for key in [
                "sheets",
                "total",
                "aggregation",
                "ties",
                "advance",
                "stats",
                "hash",
                "precision",
            ] {
                assert!(
                    text.contains(tr.t(&format!("methods.{key}.title"))),
                    "{key}"
                );
            }
            assert!(!text.contains("methods.") && !text.contains('{'), "{text}");
            assert!(
                text.lines()
                    .all(|l| unicode_width::UnicodeWidthStr::width(l) <= 80)
            );
        }
    }
}
