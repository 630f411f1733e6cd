//! A stage's protocol: for each participant in rank order, every juror's
//! scores per criterion with the juror's comment, then the indicator
//! points, the aggregate, the total, the rank and whether they advance;
//! and the method appendix a complaint is answered with: the regulation's
//! hash and rules for the stage, the conflicts and abstentions, the
//! ranking's hash, the audit log's head, and the regulation's full text.

use super::document::{Block, Cell, Column, Document, Field, Section, Table};
use super::{Ctx, DocumentKind, Draft, ExportError, StageResult, stage_result};
use crate::domain::contest::ActiveRegulation;
use crate::domain::ids::{JurorId, ParticipantId};
use crate::domain::participant::Participant;
use crate::domain::refusal::Refusal;
use crate::domain::regulation::{
    AdvanceRule, Aggregation, CommentRule, ConflictRule, Criterion, CriterionKind, Regulation,
    Stage,
};
use crate::domain::scoring::{ConflictOrigin, ScoreSheet, SheetStatus};
use crate::domain::snapshot::FrozenRow;
use crate::service::ServiceError;
use crate::text::I18n;
use crate::text::describe::{decided, tie_rule};
use std::collections::BTreeMap;

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
    let per_group = |m| crate::text::methods::per_group(rules, m);
    match rules.advance_rule(stage) {
        AdvanceRule::Top(n) => tr.f("export.advance.top", &[("n", &n)]),
        AdvanceRule::TopPerGroup(m) => {
            tr.f("export.advance.top_per_group", &[("list", &per_group(&m))])
        }
        AdvanceRule::Threshold(min) => tr.f("export.advance.threshold", &[("min", &tr.num(min))]),
        AdvanceRule::Quota(m) => tr.f("export.advance.quota", &[("list", &per_group(&m))]),
    }
}

/// What the protocol's steps read: the stage under its rules, its result,
/// and the people and criteria it names.
struct Protocol<'a> {
    cx: &'a Ctx<'a>,
    tr: &'a I18n,
    active: &'a ActiveRegulation,
    rules: &'a Regulation,
    stage: &'a Stage,
    result: &'a StageResult,
    people: BTreeMap<&'a ParticipantId, &'a Participant>,
    jurors: BTreeMap<JurorId, String>,
    jury: Vec<&'a Criterion>,
    indicators: Vec<&'a Criterion>,
}

impl Protocol<'_> {
    /// The stage has criteria the jury scores.
    fn has_jury(&self) -> bool {
        !self.jury.is_empty()
    }

    /// A participant's full name, empty when not competing in the stage.
    fn person(&self, id: &ParticipantId) -> String {
        self.people
            .get(id)
            .map_or_else(String::new, |p| p.full_name.clone())
    }

    /// A juror's full name, empty when unknown.
    fn juror_name(&self, id: &JurorId) -> String {
        self.jurors.get(id).cloned().unwrap_or_default()
    }
}

/// The agreement figures of the statistics section.
fn agreement_fields(p: &Protocol) -> Vec<Field> {
    let tr = p.tr;
    let s = &p.result.report.analysis.statistics;
    let field =
        |key: &str, value: Cell| Field::new(key, tr.t(&format!("export.stat_field.{key}")), value);
    let statistic = |x: Option<f64>| match x {
        Some(x) => Cell::Statistic(x),
        None => Cell::text(tr.t("export.stat_not_computed")),
    };
    let concordance = s.concordance.as_ref();
    vec![
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
    ]
}

/// The table of how strict each juror is.
fn severity_table(p: &Protocol) -> Table {
    let tr = p.tr;
    Table {
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
        rows: p
            .result
            .report
            .analysis
            .statistics
            .jurors
            .iter()
            .map(|j| {
                vec![
                    Cell::text(j.juror.as_str()),
                    Cell::text(p.juror_name(&j.juror)),
                    Cell::Int(j.scored as i64),
                    Cell::Int(j.compared as i64),
                    Cell::opt_num(j.severity),
                    Cell::Int(j.outliers as i64),
                ]
            })
            .collect(),
    }
}

/// The table of juror totals that stand out from the other jurors'.
fn outliers_table(p: &Protocol) -> Table {
    let tr = p.tr;
    Table {
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
        rows: p
            .result
            .report
            .analysis
            .statistics
            .outliers
            .iter()
            .map(|o| {
                vec![
                    Cell::text(o.participant.as_str()),
                    Cell::text(p.person(&o.participant)),
                    Cell::text(o.juror.as_str()),
                    Cell::text(p.juror_name(&o.juror)),
                    Cell::Num(o.total),
                    Cell::Num(o.others_mean),
                    Cell::Num(o.deviation_in_sd),
                ]
            })
            .collect(),
    }
}

/// The table of each participant's rank and advance under every
/// aggregation method.
fn sensitivity_table(p: &Protocol) -> Table {
    let tr = p.tr;
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
    Table {
        key: "sensitivity".into(),
        title: Some(tr.t("export.block.sensitivity").to_string()),
        columns,
        rows: p
            .result
            .report
            .analysis
            .sensitivity
            .iter()
            .map(|r| {
                let mut row = vec![
                    Cell::text(r.participant.as_str()),
                    Cell::text(p.person(&r.participant)),
                    Cell::text(p.cx.group_name(&r.group)),
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
    }
}

/// The jury's statistics: how far the jurors agree, how strict each is,
/// whose totals stand out, and who would fare differently under another
/// aggregation method; the figures of `konkurs rank`.
fn statistics_section(p: &Protocol) -> Section {
    Section {
        key: "statistics".into(),
        title: p.tr.t("export.section.statistics").to_string(),
        blocks: vec![
            Block::Fields {
                key: "agreement".into(),
                title: None,
                fields: agreement_fields(p),
            },
            Block::Table(severity_table(p)),
            Block::Table(outliers_table(p)),
            Block::Table(sensitivity_table(p)),
        ],
    }
}

/// The protocol table's columns: the participant, each juror's sheet when
/// the stage has a jury, the indicator points, and the outcome.
fn columns(p: &Protocol) -> Vec<Column> {
    let tr = p.tr;
    let mut columns = vec![
        Column::new("rank", tr.t("export.col.rank")),
        Column::new("group", tr.t("export.col.group")),
        Column::new("group_rank", tr.t("export.col.group_rank")),
        Column::new("participant", tr.t("export.col.id")),
        Column::new("full_name", tr.t("export.col.full_name")),
        Column::new("tos", tr.t("export.col.tos")),
        Column::new("municipality", tr.t("export.col.municipality")),
    ];
    if p.has_jury() {
        columns.push(Column::new("juror", tr.t("export.col.juror")));
        columns.push(Column::new("juror_name", tr.t("export.col.juror_name")));
        columns.push(Column::new("sheet", tr.t("export.col.sheet")));
        for c in &p.jury {
            columns.push(Column::new(
                format!("score_{}", c.id),
                criterion_header(c, tr),
            ));
        }
        columns.push(Column::new("juror_total", tr.t("export.col.juror_total")));
        columns.push(Column::new("outlier", tr.t("export.col.outlier")));
        columns.push(Column::new("comment", tr.t("export.col.comment")));
    }
    for c in &p.indicators {
        columns.push(Column::new(
            format!("indicator_{}", c.id),
            criterion_header(c, tr),
        ));
    }
    if !p.indicators.is_empty() {
        columns.push(Column::new(
            "indicator_part",
            tr.t("export.col.indicator_part"),
        ));
    }
    if p.has_jury() {
        columns.push(Column::new("aggregate", tr.t("export.col.aggregate")));
    }
    if !p.stage.carry_over.is_empty() {
        columns.push(Column::new("carry_over", tr.t("export.col.carry_over")));
    }
    columns.push(Column::new("total", tr.t("export.col.total")));
    columns.push(Column::new("decided_by", tr.t("export.col.decided_by")));
    columns.push(Column::new("advances", tr.t("export.col.advances")));
    columns
}

/// The cells that open each of a participant's rows: who they are and
/// where they rank.
fn row_head(p: &Protocol, r: &FrozenRow) -> Vec<Cell> {
    let who = p.people.get(&r.participant);
    vec![
        Cell::Int(r.rank as i64),
        Cell::text(p.cx.group_name(&r.group)),
        Cell::Int(r.group_rank as i64),
        Cell::text(r.participant.as_str()),
        Cell::text(who.map_or("", |w| w.full_name.as_str())),
        Cell::text(who.map_or("", |w| w.tos_name.as_str())),
        Cell::text(who.map_or("", |w| w.municipality.as_str())),
    ]
}

/// The cells that close each of a participant's rows: the indicator
/// points, the parts of the total, the total and the outcome.
fn row_tail(p: &Protocol, r: &FrozenRow) -> Vec<Cell> {
    let mut tail = Vec::new();
    let points_of = p.result.report.data.indicator_points.get(&r.participant);
    for c in &p.indicators {
        tail.push(Cell::opt_num(points_of.and_then(|m| m.get(&c.id)).copied()));
    }
    if !p.indicators.is_empty() {
        tail.push(Cell::Num(r.indicator_part));
    }
    if p.has_jury() {
        tail.push(Cell::Num(r.aggregate));
    }
    if !p.stage.carry_over.is_empty() {
        tail.push(Cell::Num(r.carry_over_part));
    }
    tail.push(Cell::Num(r.total));
    tail.push(Cell::text(
        r.decided_by
            .as_ref()
            .map_or_else(String::new, |d| decided(d, p.rules, p.stage, p.tr)),
    ));
    tail.push(Cell::Bool(r.advances));
    tail
}

/// The cells of one juror's sheet for a participant: the juror, the
/// sheet's status, the scores, the juror's total and comment.
fn sheet_cells(p: &Protocol, r: &FrozenRow, s: &ScoreSheet) -> Vec<Cell> {
    let mut cells = vec![
        Cell::text(s.juror.as_str()),
        Cell::text(p.juror_name(&s.juror)),
        Cell::text(p.tr.t(&format!("export.sheet.{}", s.status.code()))),
    ];
    for c in &p.jury {
        cells.push(Cell::opt_num(s.scores.get(&c.id).copied()));
    }
    let total = r
        .juror_totals
        .iter()
        .find(|(j, _)| *j == s.juror)
        .map(|(_, t)| *t);
    cells.push(Cell::opt_num(total));
    cells.push(if r.outliers.contains(&s.juror) {
        Cell::Bool(true)
    } else {
        Cell::Empty
    });
    cells.push(Cell::text(&s.comment));
    cells
}

/// The protocol table's rows in rank order: one per juror's sheet, or one
/// with empty sheet cells when the participant has none or the stage no
/// jury.
fn rows(p: &Protocol) -> Vec<Vec<Cell>> {
    let mut sheets: BTreeMap<&ParticipantId, Vec<&ScoreSheet>> = BTreeMap::new();
    for s in &p.result.report.data.sheets {
        sheets.entry(&s.participant).or_default().push(s);
    }
    let mut rows = Vec::new();
    for r in &p.result.ranking.rows {
        let head = row_head(p, r);
        let tail = row_tail(p, r);
        let own: &[&ScoreSheet] = sheets.get(&r.participant).map_or(&[], |v| v.as_slice());
        if !p.has_jury() || own.is_empty() {
            let mut row = head;
            if p.has_jury() {
                row.extend(std::iter::repeat_n(Cell::Empty, 3 + p.jury.len() + 3));
            }
            row.extend(tail);
            rows.push(row);
            continue;
        }
        for s in own {
            let mut row = head.clone();
            row.extend(sheet_cells(p, r, s));
            row.extend(tail.iter().cloned());
            rows.push(row);
        }
    }
    rows
}

/// The protocol section: the one table of scores and outcomes.
fn protocol_section(p: &Protocol) -> Section {
    Section {
        key: "protocol".into(),
        title: p.tr.t("export.section.protocol").to_string(),
        blocks: vec![Block::Table(Table {
            key: "rows".into(),
            title: None,
            columns: columns(p),
            rows: rows(p),
        })],
    }
}

/// When comments are required, in words.
fn comment_rule_words(stage: &Stage, tr: &I18n) -> String {
    tr.t(&format!(
        "export.comment_rule.{}",
        match stage.comment_required {
            CommentRule::Never => "never",
            CommentRule::Extremes => "extremes",
            CommentRule::Always => "always",
        }
    ))
    .to_string()
}

/// The conflict-of-interest rules, in words.
fn conflict_rules_words(stage: &Stage, tr: &I18n) -> String {
    if stage.conflict_rules.is_empty() {
        return tr.t("export.none").to_string();
    }
    stage
        .conflict_rules
        .iter()
        .map(|r| {
            tr.t(match r {
                ConflictRule::SameMunicipality => "export.conflict_rule.same_municipality",
                ConflictRule::SameTos => "export.conflict_rule.same_tos",
            })
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The earlier stages' totals carried over, as a weighted sum.
fn carry_over_words(rules: &Regulation, stage: &Stage, tr: &I18n) -> String {
    if stage.carry_over.is_empty() {
        return tr.t("export.none").to_string();
    }
    stage
        .carry_over
        .iter()
        .map(|c| {
            let name = rules.stage(&c.stage).map_or(c.stage.as_str(), |s| &s.name);
            format!("{} × {}", tr.num(c.weight), name)
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

/// The tie-break rules in the order they apply, numbered.
fn tie_break_words(rules: &Regulation, stage: &Stage, tr: &I18n) -> String {
    rules
        .tie_break(stage)
        .iter()
        .enumerate()
        .map(|(i, t)| format!("{}. {}", i + 1, tie_rule(t, rules, stage, tr)))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The method fields that name the stage and the regulation in force.
fn regulation_fields(p: &Protocol) -> Vec<Field> {
    let tr = p.tr;
    let doc = &p.active.doc;
    let mut fields = vec![
        Field::new(
            "stage",
            tr.t("export.method_field.stage"),
            Cell::text(format!("{} ({})", p.stage.name, p.stage.id)),
        ),
        Field::new(
            "description",
            tr.t("export.method_field.description"),
            Cell::text(&p.stage.description),
        ),
        Field::new(
            "regulation_file",
            tr.t("export.method_field.regulation_file"),
            Cell::text(&doc.file_name),
        ),
        Field::new(
            "regulation_hash",
            tr.t("export.method_field.regulation_hash"),
            Cell::text(doc.hash()),
        ),
    ];
    if p.result.ranking.regulation_hash != doc.hash() {
        fields.push(Field::new(
            "ranking_regulation_hash",
            tr.t("export.method_field.ranking_regulation_hash"),
            Cell::text(&p.result.ranking.regulation_hash),
        ));
    }
    fields
}

/// The method fields that state the stage's rules: scoring, aggregation,
/// the total, advance and tie-breaks.
fn rule_fields(p: &Protocol) -> Vec<Field> {
    let (tr, rules, stage) = (p.tr, p.rules, p.stage);
    let field = |key: &str, value: Cell| {
        Field::new(key, tr.t(&format!("export.method_field.{key}")), value)
    };
    vec![
        field("blind", Cell::Bool(stage.blind)),
        field(
            "jurors_per_participant",
            if p.has_jury() {
                Cell::Int(stage.jurors_per_participant as i64)
            } else {
                Cell::text(tr.t("export.no_jury"))
            },
        ),
        field("half_points", Cell::Bool(stage.half_points)),
        field(
            "comment_required",
            Cell::text(comment_rule_words(stage, tr)),
        ),
        field(
            "conflict_rules",
            Cell::text(conflict_rules_words(stage, tr)),
        ),
        field(
            "juror_total",
            Cell::text(tr.t("export.formula.juror_total")),
        ),
        field("aggregation", Cell::text(aggregation_words(stage, tr))),
        field(
            "normalisation",
            Cell::text(tr.t(if stage.aggregation == Aggregation::Zscore {
                "export.normalisation.zscore"
            } else {
                "export.normalisation.none"
            })),
        ),
        field("carry_over", Cell::text(carry_over_words(rules, stage, tr))),
        field("total", Cell::text(tr.t("export.formula.total"))),
        field("advance", Cell::text(advance_words(rules, stage, tr))),
        field("tie_break", Cell::text(tie_break_words(rules, stage, tr))),
    ]
}

/// The method fields that identify the ranking and the state of the data:
/// the ranking's hash and check, when it was closed, whether the rules
/// changed since, the audit log's head and the export time.
fn ranking_fields(p: &Protocol) -> Vec<Field> {
    let (cx, tr) = (p.cx, p.tr);
    let (ranking, closed) = (&p.result.ranking, p.result.closed);
    let mut fields = vec![
        Field::new(
            "ranking_hash",
            tr.t(if closed {
                "export.method_field.ranking_hash"
            } else {
                "export.method_field.draft_ranking_hash"
            }),
            Cell::text(&ranking.hash),
        ),
        Field::new(
            "ranking_verified",
            tr.t("export.method_field.ranking_verified"),
            Cell::Bool(ranking.verify()),
        ),
        Field::new(
            "closed",
            tr.t("export.method_field.closed"),
            Cell::text(if closed {
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
    ];
    // A ranking frozen under rules since replaced says so where the
    // ranking's hash is read.
    if closed && let Some(change) = cx.view.stale_ranking(&p.stage.id) {
        fields.push(Field::new(
            "ranking_stale",
            tr.t("export.method_field.ranking_stale"),
            Cell::text(tr.f(
                "export.ranking_stale",
                &[("at", &cx.time(change.at)), ("by", &change.by)],
            )),
        ));
    }
    let (seq, head) = &cx.audit;
    fields.extend([
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
    fields
}

/// The table of the stage's criteria: kind, scale, weight and how each
/// is counted.
fn criteria_table(p: &Protocol) -> Table {
    let tr = p.tr;
    Table {
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
        rows: p
            .stage
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
    }
}

/// The table of conflicts of interest between jurors and the stage's
/// participants.
fn conflicts_table(p: &Protocol) -> Table {
    let tr = p.tr;
    Table {
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
        rows: p
            .cx
            .view
            .conflicts()
            .filter(|c| p.people.contains_key(&c.participant))
            .map(|c| {
                vec![
                    Cell::text(c.juror.as_str()),
                    Cell::text(p.juror_name(&c.juror)),
                    Cell::text(c.participant.as_str()),
                    Cell::text(p.person(&c.participant)),
                    Cell::text(tr.t(match c.origin {
                        ConflictOrigin::Registered => "export.conflict_origin.registered",
                        ConflictOrigin::DeclaredByJuror => "export.conflict_origin.declared",
                    })),
                    Cell::text(&c.reason),
                ]
            })
            .collect(),
    }
}

/// The table of the sheets jurors abstained on, with their reasons.
fn abstentions_table(p: &Protocol) -> Table {
    let tr = p.tr;
    Table {
        key: "abstentions".into(),
        title: Some(tr.t("export.block.abstentions").to_string()),
        columns: vec![
            Column::new("juror", tr.t("export.col.juror")),
            Column::new("juror_name", tr.t("export.col.juror_name")),
            Column::new("participant", tr.t("export.col.id")),
            Column::new("full_name", tr.t("export.col.full_name")),
            Column::new("reason", tr.t("export.col.reason")),
        ],
        rows: p
            .result
            .report
            .data
            .sheets
            .iter()
            .filter(|s| s.status == SheetStatus::Abstained)
            .map(|s| {
                vec![
                    Cell::text(s.juror.as_str()),
                    Cell::text(p.juror_name(&s.juror)),
                    Cell::text(s.participant.as_str()),
                    Cell::text(p.person(&s.participant)),
                    Cell::text(&s.comment),
                ]
            })
            .collect(),
    }
}

/// The table of regulations replaced during the contest after scoring had
/// begun; `None` when there were none.
fn regulation_changes_table(p: &Protocol) -> Option<Table> {
    let tr = p.tr;
    let changes: Vec<Vec<Cell>> =
        p.cx.view
            .regulation_changes()
            .map(|c| {
                let names = c
                    .stages
                    .iter()
                    .map(|s| {
                        p.rules
                            .stage(s)
                            .map_or_else(|| s.to_string(), |s| s.name.clone())
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                vec![
                    Cell::text(p.cx.time(c.at)),
                    Cell::text(c.by.as_str()),
                    Cell::text(format!("{} ({})", c.old_hash, c.old_file)),
                    Cell::text(format!("{} ({})", c.new_hash, c.new_file)),
                    Cell::text(names),
                    Cell::text(&c.reason),
                ]
            })
            .collect();
    (!changes.is_empty()).then(|| Table {
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
    })
}

/// The methods in words: only the rules this stage uses, with its numbers.
fn methods_block(p: &Protocol) -> Block {
    Block::Fields {
        key: "methods".into(),
        title: Some(p.tr.t("methods.title").to_string()),
        fields: crate::text::methods::ranking(Some((p.rules, p.stage)), p.tr)
            .into_iter()
            .map(|part| Field::new(part.key, part.title, Cell::text(part.paragraphs.join(" "))))
            .collect(),
    }
}

/// The method appendix: the method fields, the criteria, the conflicts,
/// the abstentions, any regulation changes and the methods in words.
fn appendix_section(p: &Protocol) -> Section {
    let mut method = regulation_fields(p);
    method.extend(rule_fields(p));
    method.extend(ranking_fields(p));
    let mut blocks = vec![
        Block::Fields {
            key: "method".into(),
            title: None,
            fields: method,
        },
        Block::Table(criteria_table(p)),
        Block::Table(conflicts_table(p)),
        Block::Table(abstentions_table(p)),
    ];
    blocks.extend(regulation_changes_table(p).map(Block::Table));
    blocks.push(methods_block(p));
    Section {
        key: "method".into(),
        title: p.tr.t("export.section.method").to_string(),
        blocks,
    }
}

/// The regulation's full text, headed by its file name and hash.
fn regulation_section(active: &ActiveRegulation, tr: &I18n) -> Section {
    Section {
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
    }
}

/// The stage's result when the request may have it: the reader may see
/// the stage's scores, and an open stage is exported only as a draft.
fn permitted_result(cx: &Ctx, stage: &Stage) -> Result<StageResult, ExportError> {
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
    stage_result(cx, &stage.id)
}

pub(super) fn build(cx: &Ctx) -> Result<Document, ExportError> {
    let tr = &cx.tr;
    let active = cx.view.regulation().ok_or(ServiceError::NoRegulation)?;
    let stage = cx.stage()?;
    let result = permitted_result(cx, stage)?;
    let p = Protocol {
        cx,
        tr,
        active,
        rules: &active.rules,
        stage,
        result: &result,
        people: result
            .report
            .data
            .participants
            .iter()
            .map(|p| (&p.id, p))
            .collect(),
        jurors: cx
            .view
            .jurors()
            .map(|j| (j.id.clone(), j.full_name.clone()))
            .collect(),
        jury: stage.jury_criteria().collect(),
        indicators: stage.indicator_criteria().collect(),
    };

    let mut sections = vec![protocol_section(&p)];
    // A stage counted from data has no jury to describe.
    if p.has_jury() {
        sections.push(statistics_section(&p));
    }
    sections.extend([appendix_section(&p), regulation_section(active, tr)]);

    let title = tr.f("export.title.protocol", &[("stage", &stage.name)]);
    let status =
        (!result.closed).then(|| tr.f("export.status.draft_stage", &[("stage", &stage.name)]));
    cx.document(DocumentKind::Protocol, title, status, sections)
}
