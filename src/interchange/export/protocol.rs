//! A stage's protocol: for each participant in rank order, every juror's
//! scores per criterion with the juror's comment, then the indicator
//! points, the aggregate, the total, the rank and whether they advance;
//! and the method appendix a complaint is answered with: the regulation's
//! hash and rules for the stage, the conflicts and abstentions, the
//! ranking's hash, the audit log's head, and the regulation's full text.

use super::document::{Block, Cell, Column, Document, Field, Section, Table};
use super::{Ctx, DocumentKind, Draft, ExportError, stage_result};
use crate::domain::ids::{JurorId, ParticipantId};
use crate::domain::ranking::Analysis;
use crate::domain::refusal::Refusal;
use crate::domain::regulation::{
    AdvanceRule, Aggregation, CommentRule, ConflictRule, Criterion, CriterionKind, Regulation,
    Stage,
};
use crate::domain::scoring::{ConflictOrigin, ScoreSheet, SheetStatus};
use crate::service::ServiceError;
use crate::text::I18n;
use crate::text::describe::{decided_by, tie_rule};
use std::collections::{BTreeMap, BTreeSet};

/// A criterion's header: its name with the scale and the weight.
fn criterion_header(c: &Criterion, tr: &I18n) -> String {
    tr.f(
        "export.col.criterion",
        &[
            ("name", &c.name),
            ("max", &tr.num(c.max_points)),
            ("weight", &tr.num(c.weight)),
        ],
    )
}

/// How an indicator criterion's points are counted, in words.
fn indicator_rule(c: &Criterion, tr: &I18n) -> String {
    let source = c.source.map_or_else(String::new, |s| {
        tr.t(&format!("export.source.{}", s.code())).to_string()
    });
    if !c.bands.is_empty() {
        let bands = c
            .bands
            .iter()
            .map(|b| format!("{}+ → {}", tr.num(b[0]), tr.num(b[1])))
            .collect::<Vec<_>>()
            .join(", ");
        tr.f(
            "export.indicator.bands",
            &[("source", &source), ("bands", &bands)],
        )
    } else {
        tr.f(
            "export.indicator.per_unit",
            &[
                ("source", &source),
                ("per_unit", &tr.num(c.per_unit.unwrap_or(1.0))),
            ],
        )
    }
}

fn aggregation_words(stage: &Stage, tr: &I18n) -> String {
    let method = tr.t(&format!("export.method.{}", stage.aggregation.code()));
    match stage.aggregation {
        Aggregation::Trimmed => {
            let how = match stage.trim_fraction {
                Some(f) => tr.f("export.trim.fraction", &[("percent", &tr.num(f * 100.0))]),
                None => tr.t("export.trim.default").to_string(),
            };
            format!("{method}: {how}")
        }
        _ => method.to_string(),
    }
}

fn advance_words(rules: &Regulation, stage: &Stage, tr: &I18n) -> String {
    let per_group = |m: &BTreeMap<crate::domain::ids::GroupId, usize>| {
        rules
            .groups
            .iter()
            .map(|g| format!("{} — {}", g.name, m.get(&g.id).copied().unwrap_or(0)))
            .collect::<Vec<_>>()
            .join("; ")
    };
    match rules.advance_rule(stage) {
        AdvanceRule::Top(n) => tr.f("export.advance.top", &[("n", &n)]),
        AdvanceRule::TopPerGroup(m) => {
            tr.f("export.advance.top_per_group", &[("list", &per_group(&m))])
        }
        AdvanceRule::Threshold(min) => tr.f("export.advance.threshold", &[("min", &tr.num(min))]),
        AdvanceRule::Quota(m) => tr.f("export.advance.quota", &[("list", &per_group(&m))]),
    }
}

/// The jury's statistics: how far the jurors agree, how strict each is,
/// whose totals stand out, and who would fare differently under another
/// aggregation method; the figures of `konkurs rank`.
fn statistics_section(
    analysis: &Analysis,
    names: &dyn Fn(&ParticipantId) -> String,
    jurors: &BTreeMap<JurorId, String>,
    cx: &Ctx,
) -> Section {
    let tr = &cx.tr;
    let s = &analysis.statistics;
    let field =
        |key: &str, value: Cell| Field::new(key, tr.t(&format!("export.stat_field.{key}")), value);
    let statistic = |x: Option<f64>| match x {
        Some(x) => Cell::Statistic(x),
        None => Cell::text(tr.t("export.stat_not_computed")),
    };
    let concordance = s.concordance.as_ref();
    let agreement = vec![
        field("participants", Cell::Int(s.participants as i64)),
        field("sheets", Cell::Int(s.sheets as i64)),
        field("kendall_w", statistic(concordance.map(|c| c.w))),
        field(
            "mean_rank_correlation",
            statistic(concordance.map(|c| c.mean_rank_correlation)),
        ),
        field(
            "concordance_jurors",
            concordance.map_or(Cell::Empty, |c| Cell::Int(c.raters as i64)),
        ),
        field(
            "concordance_pairs",
            concordance.map_or(Cell::Empty, |c| Cell::Int(c.pairs as i64)),
        ),
        field(
            "krippendorff_alpha_interval",
            statistic(s.krippendorff_alpha),
        ),
        field("pooled_sd", Cell::opt_num(s.pooled_sd)),
        field("outliers", Cell::Int(s.outliers.len() as i64)),
    ];
    let juror_name = |j: &JurorId| Cell::text(jurors.get(j).cloned().unwrap_or_default());
    let severity = Table {
        key: "jurors".into(),
        title: Some(tr.t("export.block.severity").to_string()),
        columns: vec![
            Column::new("juror", tr.t("export.col.juror")),
            Column::new("juror_name", tr.t("export.col.juror_name")),
            Column::new("scored", tr.t("export.col.scored")),
            Column::new("compared", tr.t("export.col.compared")),
            Column::new("severity", tr.t("export.col.severity")),
            Column::new("outliers", tr.t("export.col.outliers")),
        ],
        rows: s
            .jurors
            .iter()
            .map(|j| {
                vec![
                    Cell::text(j.juror.as_str()),
                    juror_name(&j.juror),
                    Cell::Int(j.scored as i64),
                    Cell::Int(j.compared as i64),
                    Cell::opt_num(j.severity),
                    Cell::Int(j.outliers as i64),
                ]
            })
            .collect(),
    };
    let outliers = Table {
        key: "outliers".into(),
        title: Some(tr.t("export.block.outliers").to_string()),
        columns: vec![
            Column::new("participant", tr.t("export.col.id")),
            Column::new("full_name", tr.t("export.col.full_name")),
            Column::new("juror", tr.t("export.col.juror")),
            Column::new("juror_name", tr.t("export.col.juror_name")),
            Column::new("juror_total", tr.t("export.col.juror_total")),
            Column::new("others_mean", tr.t("export.col.others_mean")),
            Column::new("deviation_in_sd", tr.t("export.col.deviation_in_sd")),
        ],
        rows: s
            .outliers
            .iter()
            .map(|o| {
                vec![
                    Cell::text(o.participant.as_str()),
                    Cell::text(names(&o.participant)),
                    Cell::text(o.juror.as_str()),
                    juror_name(&o.juror),
                    Cell::Num(o.total),
                    Cell::Num(o.others_mean),
                    Cell::Num(o.deviation_in_sd),
                ]
            })
            .collect(),
    };
    let mut columns = vec![
        Column::new("participant", tr.t("export.col.id")),
        Column::new("full_name", tr.t("export.col.full_name")),
        Column::new("group", tr.t("export.col.group")),
    ];
    for m in Aggregation::ALL {
        let method = tr.t(&format!("ranking.method.{}", m.code()));
        columns.push(Column::new(
            format!("rank_{}", m.code()),
            tr.f("export.col.rank_by", &[("method", &method)]),
        ));
        columns.push(Column::new(
            format!("advances_{}", m.code()),
            tr.f("export.col.advances_by", &[("method", &method)]),
        ));
    }
    let sensitivity = Table {
        key: "sensitivity".into(),
        title: Some(tr.t("export.block.sensitivity").to_string()),
        columns,
        rows: analysis
            .sensitivity
            .iter()
            .map(|r| {
                let mut row = vec![
                    Cell::text(r.participant.as_str()),
                    Cell::text(names(&r.participant)),
                    Cell::text(cx.group_name(&r.group)),
                ];
                for m in Aggregation::ALL {
                    match r.outcomes.iter().find(|o| o.method == m) {
                        Some(o) => {
                            row.push(Cell::Int(o.rank as i64));
                            row.push(Cell::Bool(o.advances));
                        }
                        None => row.extend([Cell::Empty, Cell::Empty]),
                    }
                }
                row
            })
            .collect(),
    };
    Section {
        key: "statistics".into(),
        title: tr.t("export.section.statistics").to_string(),
        blocks: vec![
            Block::Fields {
                key: "agreement".into(),
                title: None,
                fields: agreement,
            },
            Block::Table(severity),
            Block::Table(outliers),
            Block::Table(sensitivity),
        ],
    }
}

pub(super) fn build(cx: &Ctx) -> Result<Document, ExportError> {
    let tr = &cx.tr;
    let active = cx.view.regulation().ok_or(ServiceError::NoRegulation)?;
    let rules = &active.rules;
    let stage = cx.stage()?.clone();
    // A blind stage's scores before it is closed are the coordinators' only:
    // no draft would help anyone else.
    cx.service.may_see_scores(cx.actor, &stage.id)?;
    let closed = cx
        .view
        .stage_state(&stage.id)
        .is_some_and(|s| s.is_closed());
    if !closed && !cx.request.draft {
        return Err(ExportError::NotFinal {
            why: Refusal::ProtocolOpen {
                id: stage.id.clone(),
                stage: stage.name.clone(),
            },
            draft: Draft::Draft,
        });
    }
    let result = stage_result(cx, &stage.id)?;
    let data = &result.report.data;
    let ranking = &result.ranking;
    let people: BTreeMap<&ParticipantId, &crate::domain::participant::Participant> =
        data.participants.iter().map(|p| (&p.id, p)).collect();
    let jurors: BTreeMap<JurorId, String> = cx
        .view
        .jurors()
        .map(|j| (j.id.clone(), j.full_name.clone()))
        .collect();
    let mut sheets: BTreeMap<&ParticipantId, Vec<&ScoreSheet>> = BTreeMap::new();
    for s in &data.sheets {
        sheets.entry(&s.participant).or_default().push(s);
    }
    let jury: Vec<&Criterion> = stage.jury_criteria().collect();
    let indicators: Vec<&Criterion> = stage.indicator_criteria().collect();
    let has_jury = !jury.is_empty();

    // The protocol table.
    let mut columns = vec![
        Column::new("rank", tr.t("export.col.rank")),
        Column::new("group", tr.t("export.col.group")),
        Column::new("group_rank", tr.t("export.col.group_rank")),
        Column::new("participant", tr.t("export.col.id")),
        Column::new("full_name", tr.t("export.col.full_name")),
        Column::new("tos", tr.t("export.col.tos")),
        Column::new("municipality", tr.t("export.col.municipality")),
    ];
    if has_jury {
        columns.push(Column::new("juror", tr.t("export.col.juror")));
        columns.push(Column::new("juror_name", tr.t("export.col.juror_name")));
        columns.push(Column::new("sheet", tr.t("export.col.sheet")));
        for c in &jury {
            columns.push(Column::new(
                format!("score_{}", c.id),
                criterion_header(c, tr),
            ));
        }
        columns.push(Column::new("juror_total", tr.t("export.col.juror_total")));
        columns.push(Column::new("outlier", tr.t("export.col.outlier")));
        columns.push(Column::new("comment", tr.t("export.col.comment")));
    }
    for c in &indicators {
        columns.push(Column::new(
            format!("indicator_{}", c.id),
            criterion_header(c, tr),
        ));
    }
    if !indicators.is_empty() {
        columns.push(Column::new(
            "indicator_part",
            tr.t("export.col.indicator_part"),
        ));
    }
    if has_jury {
        columns.push(Column::new("aggregate", tr.t("export.col.aggregate")));
    }
    if !stage.carry_over.is_empty() {
        columns.push(Column::new("carry_over", tr.t("export.col.carry_over")));
    }
    columns.push(Column::new("total", tr.t("export.col.total")));
    columns.push(Column::new("decided_by", tr.t("export.col.decided_by")));
    columns.push(Column::new("advances", tr.t("export.col.advances")));

    let mut rows = Vec::new();
    for r in &ranking.rows {
        let p = people.get(&r.participant);
        let head = vec![
            Cell::Int(r.rank as i64),
            Cell::text(cx.group_name(&r.group)),
            Cell::Int(r.group_rank as i64),
            Cell::text(r.participant.as_str()),
            Cell::text(p.map_or("", |p| p.full_name.as_str())),
            Cell::text(p.map_or("", |p| p.tos_name.as_str())),
            Cell::text(p.map_or("", |p| p.municipality.as_str())),
        ];
        let mut tail = Vec::new();
        let points_of = data.indicator_points.get(&r.participant);
        for c in &indicators {
            tail.push(Cell::opt_num(points_of.and_then(|m| m.get(&c.id)).copied()));
        }
        if !indicators.is_empty() {
            tail.push(Cell::Num(r.indicator_part));
        }
        if has_jury {
            tail.push(Cell::Num(r.aggregate));
        }
        if !stage.carry_over.is_empty() {
            tail.push(Cell::Num(r.carry_over_part));
        }
        tail.push(Cell::Num(r.total));
        tail.push(Cell::text(
            r.decided_by
                .as_deref()
                .map_or_else(String::new, |d| decided_by(d, rules, &stage, tr)),
        ));
        tail.push(Cell::Bool(r.advances));

        let own: &[&ScoreSheet] = sheets.get(&r.participant).map_or(&[], |v| v.as_slice());
        if !has_jury || own.is_empty() {
            let mut row = head.clone();
            if has_jury {
                row.extend(std::iter::repeat_n(Cell::Empty, 3 + jury.len() + 3));
            }
            row.extend(tail);
            rows.push(row);
            continue;
        }
        for s in own {
            let mut row = head.clone();
            row.push(Cell::text(s.juror.as_str()));
            row.push(Cell::text(
                jurors.get(&s.juror).cloned().unwrap_or_default(),
            ));
            row.push(Cell::text(
                tr.t(&format!("export.sheet.{}", s.status.code())),
            ));
            for c in &jury {
                row.push(Cell::opt_num(s.scores.get(&c.id).copied()));
            }
            let total = r
                .juror_totals
                .iter()
                .find(|(j, _)| *j == s.juror)
                .map(|(_, t)| *t);
            row.push(Cell::opt_num(total));
            row.push(if r.outliers.contains(&s.juror) {
                Cell::Bool(true)
            } else {
                Cell::Empty
            });
            row.push(Cell::text(&s.comment));
            row.extend(tail.iter().cloned());
            rows.push(row);
        }
    }
    let protocol = Section {
        key: "protocol".into(),
        title: tr.t("export.section.protocol").to_string(),
        blocks: vec![Block::Table(Table {
            key: "rows".into(),
            title: None,
            columns,
            rows,
        })],
    };

    // The method appendix.
    let (seq, head) = &cx.audit;
    let yes_no = |b: bool| Cell::Bool(b);
    let mut method = vec![
        Field::new(
            "stage",
            tr.t("export.method_field.stage"),
            Cell::text(format!("{} ({})", stage.name, stage.id)),
        ),
        Field::new(
            "description",
            tr.t("export.method_field.description"),
            Cell::text(&stage.description),
        ),
        Field::new(
            "regulation_file",
            tr.t("export.method_field.regulation_file"),
            Cell::text(&active.doc.file_name),
        ),
        Field::new(
            "regulation_hash",
            tr.t("export.method_field.regulation_hash"),
            Cell::text(active.doc.hash()),
        ),
    ];
    if ranking.regulation_hash != active.doc.hash() {
        method.push(Field::new(
            "ranking_regulation_hash",
            tr.t("export.method_field.ranking_regulation_hash"),
            Cell::text(&ranking.regulation_hash),
        ));
    }
    method.extend([
        Field::new(
            "blind",
            tr.t("export.method_field.blind"),
            yes_no(stage.blind),
        ),
        Field::new(
            "jurors_per_participant",
            tr.t("export.method_field.jurors_per_participant"),
            if has_jury {
                Cell::Int(stage.jurors_per_participant as i64)
            } else {
                Cell::text(tr.t("export.no_jury"))
            },
        ),
        Field::new(
            "half_points",
            tr.t("export.method_field.half_points"),
            yes_no(stage.half_points),
        ),
        Field::new(
            "comment_required",
            tr.t("export.method_field.comment_required"),
            Cell::text(tr.t(&format!(
                "export.comment_rule.{}",
                match stage.comment_required {
                    CommentRule::Never => "never",
                    CommentRule::Extremes => "extremes",
                    CommentRule::Always => "always",
                }
            ))),
        ),
        Field::new(
            "conflict_rules",
            tr.t("export.method_field.conflict_rules"),
            Cell::text(if stage.conflict_rules.is_empty() {
                tr.t("export.none").to_string()
            } else {
                stage
                    .conflict_rules
                    .iter()
                    .map(|r| {
                        tr.t(match r {
                            ConflictRule::SameMunicipality => {
                                "export.conflict_rule.same_municipality"
                            }
                            ConflictRule::SameTos => "export.conflict_rule.same_tos",
                        })
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            }),
        ),
        Field::new(
            "juror_total",
            tr.t("export.method_field.juror_total"),
            Cell::text(tr.t("export.formula.juror_total")),
        ),
        Field::new(
            "aggregation",
            tr.t("export.method_field.aggregation"),
            Cell::text(aggregation_words(&stage, tr)),
        ),
        Field::new(
            "normalisation",
            tr.t("export.method_field.normalisation"),
            Cell::text(tr.t(if stage.aggregation == Aggregation::Zscore {
                "export.normalisation.zscore"
            } else {
                "export.normalisation.none"
            })),
        ),
        Field::new(
            "carry_over",
            tr.t("export.method_field.carry_over"),
            Cell::text(if stage.carry_over.is_empty() {
                tr.t("export.none").to_string()
            } else {
                stage
                    .carry_over
                    .iter()
                    .map(|c| {
                        let name = rules.stage(&c.stage).map_or(c.stage.as_str(), |s| &s.name);
                        format!("{} × {}", tr.num(c.weight), name)
                    })
                    .collect::<Vec<_>>()
                    .join(" + ")
            }),
        ),
        Field::new(
            "total",
            tr.t("export.method_field.total"),
            Cell::text(tr.t("export.formula.total")),
        ),
        Field::new(
            "advance",
            tr.t("export.method_field.advance"),
            Cell::text(advance_words(rules, &stage, tr)),
        ),
        Field::new(
            "tie_break",
            tr.t("export.method_field.tie_break"),
            Cell::text(
                rules
                    .tie_break(&stage)
                    .iter()
                    .enumerate()
                    .map(|(i, t)| format!("{}. {}", i + 1, tie_rule(t, rules, &stage, tr)))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        ),
        Field::new(
            "ranking_hash",
            tr.t(if result.closed {
                "export.method_field.ranking_hash"
            } else {
                "export.method_field.draft_ranking_hash"
            }),
            Cell::text(&ranking.hash),
        ),
        Field::new(
            "ranking_verified",
            tr.t("export.method_field.ranking_verified"),
            yes_no(ranking.verify()),
        ),
        Field::new(
            "closed",
            tr.t("export.method_field.closed"),
            Cell::text(if result.closed {
                tr.f(
                    "export.closed_at",
                    &[("at", &cx.time(ranking.at)), ("by", &ranking.by)],
                )
            } else {
                tr.t("export.not_closed").to_string()
            }),
        ),
        Field::new(
            "advancing",
            tr.t("export.method_field.advancing"),
            Cell::Int(ranking.advancing.len() as i64),
        ),
    ]);
    // A ranking frozen under rules since replaced says so where the
    // ranking's hash is read.
    if result.closed
        && let Some(change) = cx.view.stale_ranking(&stage.id)
    {
        method.push(Field::new(
            "ranking_stale",
            tr.t("export.method_field.ranking_stale"),
            Cell::text(tr.f(
                "export.ranking_stale",
                &[("at", &cx.time(change.at)), ("by", &change.by)],
            )),
        ));
    }
    method.extend([
        Field::new(
            "audit_head",
            tr.t("export.method_field.audit_head"),
            Cell::text(format!("#{seq} {head}")),
        ),
        Field::new(
            "exported_at",
            tr.t("export.meta.exported_at"),
            Cell::text(cx.time(cx.request.at)),
        ),
    ]);

    let criteria = Table {
        key: "criteria".into(),
        title: Some(tr.t("export.block.criteria").to_string()),
        columns: vec![
            Column::new("id", tr.t("export.col.criterion_id")),
            Column::new("name", tr.t("export.col.criterion_name")),
            Column::new("kind", tr.t("export.col.criterion_kind")),
            Column::new("max_points", tr.t("export.col.max_points")),
            Column::new("weight", tr.t("export.col.weight")),
            Column::new("counted", tr.t("export.col.counted")),
            Column::new("description", tr.t("export.col.description")),
        ],
        rows: stage
            .criteria
            .iter()
            .map(|c| {
                vec![
                    Cell::text(c.id.as_str()),
                    Cell::text(&c.name),
                    Cell::text(tr.t(match c.kind {
                        CriterionKind::Jury => "export.kind.jury",
                        CriterionKind::Indicator => "export.kind.indicator",
                    })),
                    Cell::Num(c.max_points),
                    Cell::Num(c.weight),
                    Cell::text(match c.kind {
                        CriterionKind::Jury => tr.t("export.kind.jury_scored").to_string(),
                        CriterionKind::Indicator => indicator_rule(c, tr),
                    }),
                    Cell::text(&c.description),
                ]
            })
            .collect(),
    };

    let competing: BTreeSet<&ParticipantId> = people.keys().copied().collect();
    let person = |id: &ParticipantId| {
        people
            .get(id)
            .map_or_else(String::new, |p| p.full_name.clone())
    };
    let conflicts = Table {
        key: "conflicts".into(),
        title: Some(tr.t("export.block.conflicts").to_string()),
        columns: vec![
            Column::new("juror", tr.t("export.col.juror")),
            Column::new("juror_name", tr.t("export.col.juror_name")),
            Column::new("participant", tr.t("export.col.id")),
            Column::new("full_name", tr.t("export.col.full_name")),
            Column::new("origin", tr.t("export.col.origin")),
            Column::new("reason", tr.t("export.col.reason")),
        ],
        rows: cx
            .view
            .conflicts()
            .filter(|c| competing.contains(&c.participant))
            .map(|c| {
                vec![
                    Cell::text(c.juror.as_str()),
                    Cell::text(jurors.get(&c.juror).cloned().unwrap_or_default()),
                    Cell::text(c.participant.as_str()),
                    Cell::text(person(&c.participant)),
                    Cell::text(tr.t(match c.origin {
                        ConflictOrigin::Registered => "export.conflict_origin.registered",
                        ConflictOrigin::DeclaredByJuror => "export.conflict_origin.declared",
                    })),
                    Cell::text(&c.reason),
                ]
            })
            .collect(),
    };
    let abstentions = Table {
        key: "abstentions".into(),
        title: Some(tr.t("export.block.abstentions").to_string()),
        columns: vec![
            Column::new("juror", tr.t("export.col.juror")),
            Column::new("juror_name", tr.t("export.col.juror_name")),
            Column::new("participant", tr.t("export.col.id")),
            Column::new("full_name", tr.t("export.col.full_name")),
            Column::new("reason", tr.t("export.col.reason")),
        ],
        rows: data
            .sheets
            .iter()
            .filter(|s| s.status == SheetStatus::Abstained)
            .map(|s| {
                vec![
                    Cell::text(s.juror.as_str()),
                    Cell::text(jurors.get(&s.juror).cloned().unwrap_or_default()),
                    Cell::text(s.participant.as_str()),
                    Cell::text(person(&s.participant)),
                    Cell::text(&s.comment),
                ]
            })
            .collect(),
    };
    let mut blocks = vec![
        Block::Fields {
            key: "method".into(),
            title: None,
            fields: method,
        },
        Block::Table(criteria),
        Block::Table(conflicts),
        Block::Table(abstentions),
    ];
    // The regulation replaced during the contest, after scoring had begun.
    let changes: Vec<Vec<Cell>> = cx
        .view
        .regulation_changes()
        .map(|c| {
            let names = c
                .stages
                .iter()
                .map(|s| {
                    rules
                        .stage(s)
                        .map_or_else(|| s.to_string(), |s| s.name.clone())
                })
                .collect::<Vec<_>>()
                .join("; ");
            vec![
                Cell::text(cx.time(c.at)),
                Cell::text(c.by.as_str()),
                Cell::text(format!("{} ({})", c.old_hash, c.old_file)),
                Cell::text(format!("{} ({})", c.new_hash, c.new_file)),
                Cell::text(names),
                Cell::text(&c.reason),
            ]
        })
        .collect();
    if !changes.is_empty() {
        blocks.push(Block::Table(Table {
            key: "regulation_changes".into(),
            title: Some(tr.t("export.block.regulation_changes").to_string()),
            columns: vec![
                Column::new("at", tr.t("export.col.changed_at")),
                Column::new("by", tr.t("export.col.changed_by")),
                Column::new("old_regulation", tr.t("export.col.old_regulation")),
                Column::new("new_regulation", tr.t("export.col.new_regulation")),
                Column::new("stages", tr.t("export.col.changed_stages")),
                Column::new("reason", tr.t("export.col.reason")),
            ],
            rows: changes,
        }));
    }
    // The methods in words: only the rules this stage uses, with its numbers.
    blocks.push(Block::Fields {
        key: "methods".into(),
        title: Some(tr.t("methods.title").to_string()),
        fields: crate::text::methods::ranking(Some((rules, &stage)), tr)
            .into_iter()
            .map(|part| Field::new(part.key, part.title, Cell::text(part.paragraphs.join(" "))))
            .collect(),
    });
    let appendix = Section {
        key: "method".into(),
        title: tr.t("export.section.method").to_string(),
        blocks,
    };
    let regulation = Section {
        key: "regulation".into(),
        title: tr.t("export.section.regulation").to_string(),
        blocks: vec![Block::Text {
            key: "regulation".into(),
            title: Some(tr.f(
                "export.regulation_text",
                &[
                    ("file", &active.doc.file_name),
                    ("hash", &active.doc.hash()),
                ],
            )),
            syntax: "toml",
            text: active.doc.source.clone(),
        }],
    };

    let mut sections = vec![protocol];
    // A stage counted from data has no jury to describe.
    if has_jury {
        sections.push(statistics_section(
            &result.report.analysis,
            &person,
            &jurors,
            cx,
        ));
    }
    sections.extend([appendix, regulation]);

    let title = tr.f("export.title.protocol", &[("stage", &stage.name)]);
    let status =
        (!result.closed).then(|| tr.f("export.status.draft_stage", &[("stage", &stage.name)]));
    cx.document(DocumentKind::Protocol, title, status, sections)
}
