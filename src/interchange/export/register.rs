//! The listener register: every listener of the educational stage with the
//! events attended per topic (one column for each of the 11 topics), the
//! activity rating, its place and the rating's breakdown line by line.

use super::document::{Block, Cell, Column, Document, Section, Table};
use super::{Ctx, DocumentKind, ExportError};
use crate::domain::topic::Topic;
use crate::text::describe;

pub(super) fn build(cx: &Ctx) -> Result<Document, ExportError> {
    let tr = &cx.tr;
    let view = &cx.view;
    let listeners: Vec<_> = view.participants().collect();

    // Places by rating: equal ratings share a place.
    let mut order: Vec<(f64, &str)> = listeners
        .iter()
        .map(|p| (view.rating(&p.id).map_or(0.0, |r| r.total), p.id.as_str()))
        .collect();
    order.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    let mut place = std::collections::HashMap::new();
    let mut previous: Option<(f64, usize)> = None;
    for (i, (total, id)) in order.iter().enumerate() {
        let p = match previous {
            Some((t, p)) if t == *total => p,
            _ => i + 1,
        };
        previous = Some((*total, p));
        place.insert(*id, p);
    }

    let mut columns = vec![
        Column::new("participant", tr.t("export.col.id")),
        Column::new("full_name", tr.t("export.col.full_name")),
        Column::new("tos", tr.t("export.col.tos")),
        Column::new("municipality", tr.t("export.col.municipality")),
        Column::new("group", tr.t("export.col.group")),
    ];
    for t in Topic::ALL {
        columns.push(Column::new(
            format!("topic_{}", t.code()),
            format!("{}. {}", t.number(), tr.t(&format!("topic.{}", t.code()))),
        ));
    }
    columns.extend([
        Column::new("events", tr.t("export.col.events")),
        Column::new("topics", tr.t("export.col.topics_covered")),
        Column::new("rating", tr.t("export.col.rating")),
        Column::new("rating_place", tr.t("export.col.rating_place")),
        Column::new("breakdown", tr.t("export.col.breakdown")),
    ]);

    let rows = listeners
        .iter()
        .map(|p| {
            let mut per_topic = [0i64; 11];
            if let Some(a) = view.attendance(&p.id) {
                for e in a.events.keys().filter_map(|e| view.event(e)) {
                    per_topic[e.topic.index()] += 1;
                }
            }
            let rating = view.rating(&p.id);
            let mut row = vec![
                Cell::text(p.id.as_str()),
                Cell::text(&p.full_name),
                Cell::text(&p.tos_name),
                Cell::text(&p.municipality),
                Cell::text(cx.group_name(&p.group)),
            ];
            row.extend(Topic::ALL.iter().map(|t| Cell::Int(per_topic[t.index()])));
            row.extend([
                Cell::Int(rating.map_or(0, |r| r.events_attended) as i64),
                Cell::Int(rating.map_or(0, |r| r.distinct_topics) as i64),
                Cell::Num(rating.map_or(0.0, |r| r.total)),
                Cell::Int(place.get(p.id.as_str()).copied().unwrap_or(0) as i64),
                Cell::text(match rating {
                    Some(r) if !r.lines.is_empty() => r
                        .lines
                        .iter()
                        .map(|l| describe::activity_line(l, tr))
                        .collect::<Vec<_>>()
                        .join("; "),
                    _ => tr.t("activity.nothing").to_string(),
                }),
            ]);
            row
        })
        .collect();

    let sections = vec![Section {
        key: "listeners".into(),
        title: tr.t("export.section.listeners").to_string(),
        blocks: vec![Block::Table(Table {
            key: "listeners".into(),
            title: None,
            columns,
            rows,
        })],
    }];
    cx.document(
        DocumentKind::Register,
        tr.t("export.title.register").to_string(),
        None,
        sections,
    )
}
