//! The team list: the winners of the final stage by territory group, with
//! each stage's total as it was frozen and the final total.

use super::document::{Block, Cell, Column, Document, Section, Table};
use super::{Ctx, DocumentKind, Draft, ExportError, stage_result};
use crate::domain::refusal::Refusal;
use crate::service::ServiceError;

pub(super) fn build(cx: &Ctx) -> Result<Document, ExportError> {
    let tr = &cx.tr;
    let rules = &cx
        .view
        .regulation()
        .ok_or(ServiceError::NoRegulation)?
        .rules;
    let Some((last, earlier)) = rules.stages.split_last() else {
        return Err(ExportError::Refused(Refusal::NoStages));
    };
    // A blind final's scores before it is closed are the coordinators' only:
    // no draft would help anyone else.
    cx.service.may_see_scores(cx.actor, &last.id)?;
    let closed = cx.view.stage_state(&last.id).is_some_and(|s| s.is_closed());
    if !closed && !cx.request.draft {
        return Err(ExportError::NotFinal {
            why: Refusal::TeamUndecided {
                id: last.id.clone(),
                stage: last.name.clone(),
            },
            draft: Draft::Draft,
        });
    }
    let result = stage_result(cx, &last.id)?;
    if result.ranking.rows.is_empty() {
        return Err(ExportError::Refused(Refusal::NobodyAtFinal {
            stage: last.name.clone(),
        }));
    }
    let mut earlier_totals = Vec::new();
    for s in earlier {
        let ranking = match cx.view.snapshot(&s.id) {
            Some(f) => f.clone(),
            None => stage_result(cx, &s.id)?.ranking,
        };
        let totals: std::collections::BTreeMap<_, _> = ranking
            .rows
            .iter()
            .map(|r| (r.participant.clone(), r.total))
            .collect();
        earlier_totals.push((s, totals));
    }

    let mut columns = vec![
        Column::new("group_rank", tr.t("export.col.place")),
        Column::new("participant", tr.t("export.col.id")),
        Column::new("full_name", tr.t("export.col.full_name")),
        Column::new("tos", tr.t("export.col.tos")),
        Column::new("municipality", tr.t("export.col.municipality")),
    ];
    for (s, _) in &earlier_totals {
        columns.push(Column::new(
            format!("total_{}", s.id),
            tr.f("export.col.stage_total", &[("stage", &s.name)]),
        ));
    }
    columns.push(Column::new(
        "final_total",
        tr.f("export.col.final_total", &[("stage", &last.name)]),
    ));

    let mut sections = Vec::new();
    let mut groups: Vec<(String, String)> = rules
        .groups
        .iter()
        .map(|g| (g.id.to_string(), g.name.clone()))
        .collect();
    // A group the regulation no longer names still shows, last.
    for r in &result.ranking.rows {
        if !groups.iter().any(|(id, _)| id == r.group.as_str()) {
            groups.push((r.group.to_string(), r.group.to_string()));
        }
    }
    for (group, name) in groups {
        let mut members: Vec<_> = result
            .ranking
            .rows
            .iter()
            .filter(|r| r.advances && r.group.as_str() == group)
            .collect();
        members.sort_by_key(|r| (r.group_rank, r.rank));
        if members.is_empty() && rules.group(&group.as_str().into()).is_none() {
            continue;
        }
        let rows = members
            .iter()
            .map(|r| {
                let p = cx.view.participant(&r.participant);
                let mut row = vec![
                    Cell::Int(r.group_rank as i64),
                    Cell::text(r.participant.as_str()),
                    Cell::text(p.map_or("", |p| p.full_name.as_str())),
                    Cell::text(p.map_or("", |p| p.tos_name.as_str())),
                    Cell::text(p.map_or("", |p| p.municipality.as_str())),
                ];
                for (_, totals) in &earlier_totals {
                    row.push(Cell::opt_num(totals.get(&r.participant).copied()));
                }
                row.push(Cell::Num(r.total));
                row
            })
            .collect();
        sections.push(Section {
            key: group.clone(),
            title: name,
            blocks: vec![Block::Table(Table {
                key: "team".into(),
                title: None,
                columns: columns.clone(),
                rows,
            })],
        });
    }

    let team_name = &rules.contest.team_name;
    let title = if team_name.is_empty() {
        tr.t("export.title.team_plain").to_string()
    } else {
        tr.f("export.title.team", &[("team", team_name)])
    };
    let status =
        (!result.closed).then(|| tr.f("export.status.draft_stage", &[("stage", &last.name)]));
    let mut doc = cx.document(DocumentKind::Team, title, status, sections)?;
    doc.csv_merge = Some(Column::new("group", tr.t("export.col.group")));
    Ok(doc)
}
