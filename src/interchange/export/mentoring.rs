//! The mentoring list: each mentor with their interns, each pair with the
//! topics they share, how they meet and the score part by part, and the
//! interns left without a mentor. From the accepted matching; a draft is a
//! fresh optimal proposal.

use super::document::{Block, Cell, Column, Document, Field, Section, Table};
use super::{Ctx, DocumentKind, ExportError};
use crate::domain::ids::{InternId, MentorId};
use crate::domain::matching::{self, MatchMode, PairScore};
use crate::domain::mentoring::{DecisionKind, Formats, MeetingFormat, TopicLevel};
use crate::text::I18n;
use std::collections::{BTreeMap, BTreeSet};

fn topics(list: &[TopicLevel], tr: &I18n) -> String {
    list.iter()
        .map(|t| {
            format!(
                "{} ({})",
                tr.t(&format!("topic.{}", t.topic.code())),
                t.level
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn formats(f: Formats, tr: &I18n) -> String {
    let mut out = Vec::new();
    if f.on_site {
        out.push(tr.t("mentoring.on_site"));
    }
    if f.online {
        out.push(tr.t("mentoring.online"));
    }
    out.join(", ")
}

/// One pair of the list.
struct Pair {
    mentor: MentorId,
    intern: InternId,
    /// The score the pair was accepted (or proposed) with.
    score: i64,
    /// The breakdown on today's data; `None` when the pair no longer fits.
    now: Option<PairScore>,
}

pub(super) fn build(cx: &Ctx) -> Result<Document, ExportError> {
    let tr = &cx.tr;
    let data = cx.service.match_data(cx.actor)?;
    let input = data.input();
    let scores: BTreeMap<(InternId, MentorId), PairScore> = matching::candidates(&input)
        .into_iter()
        .flat_map(|ic| {
            let intern = ic.intern;
            ic.candidates
                .into_iter()
                .map(move |c| ((intern.clone(), c.mentor), c.score))
        })
        .collect();
    let accepted = cx.view.matching().cloned();
    let (pairs, summary, status) = match &accepted {
        Some(m) => {
            let pairs: Vec<Pair> = m
                .pairs
                .iter()
                .map(|p| Pair {
                    mentor: p.mentor.clone(),
                    intern: p.intern.clone(),
                    score: p.score,
                    now: scores.get(&(p.intern.clone(), p.mentor.clone())).cloned(),
                })
                .collect();
            let summary = vec![
                Field::new(
                    "mode",
                    tr.t("export.matching.mode"),
                    Cell::text(tr.t(&format!("mentoring.mode.{}", m.mode))),
                ),
                Field::new(
                    "accepted",
                    tr.t("export.matching.accepted"),
                    Cell::text(tr.f("export.closed_at", &[("at", &cx.time(m.at)), ("by", &m.by)])),
                ),
                Field::new(
                    "pairs",
                    tr.t("export.matching.pairs"),
                    Cell::Int(m.pairs.len() as i64),
                ),
                Field::new(
                    "total_score",
                    tr.t("export.matching.total"),
                    Cell::Int(m.total),
                ),
            ];
            (pairs, summary, None)
        }
        None if !cx.request.draft => {
            return Err(ExportError::NotFinal {
                why: crate::domain::refusal::Refusal::NoMatchingAccepted,
                draft: super::Draft::Proposal,
            });
        }
        None => {
            let proposal = matching::propose(&input, MatchMode::Optimal);
            let pairs: Vec<Pair> = proposal
                .pairs
                .iter()
                .map(|p| Pair {
                    mentor: p.mentor.clone(),
                    intern: p.intern.clone(),
                    score: p.score.total,
                    now: Some(p.score.clone()),
                })
                .collect();
            let summary = vec![
                Field::new(
                    "mode",
                    tr.t("export.matching.mode"),
                    Cell::text(tr.t("mentoring.mode.optimal")),
                ),
                Field::new(
                    "accepted",
                    tr.t("export.matching.accepted"),
                    Cell::text(tr.t("export.matching.not_accepted")),
                ),
                Field::new(
                    "pairs",
                    tr.t("export.matching.pairs"),
                    Cell::Int(proposal.pairs.len() as i64),
                ),
                Field::new(
                    "total_score",
                    tr.t("export.matching.total"),
                    Cell::Int(proposal.total_score),
                ),
            ];
            (
                pairs,
                summary,
                Some(tr.t("export.status.draft_matching").to_string()),
            )
        }
    };
    let mut pairs = pairs;
    pairs.sort_by(|a, b| (&a.mentor, &a.intern).cmp(&(&b.mentor, &b.intern)));

    let mentors: BTreeMap<&MentorId, &crate::domain::mentoring::Mentor> =
        data.mentors.iter().map(|m| (&m.id, m)).collect();
    let interns: BTreeMap<&InternId, &crate::domain::mentoring::InternRequest> =
        data.interns.iter().map(|i| (&i.id, i)).collect();
    let locked: BTreeSet<(MentorId, InternId)> = cx
        .view
        .decisions()
        .filter(|d| d.kind == DecisionKind::Lock)
        .map(|d| (d.mentor.clone(), d.intern.clone()))
        .collect();
    let mut of_mentor: BTreeMap<&MentorId, Vec<&InternId>> = BTreeMap::new();
    for p in &pairs {
        of_mentor.entry(&p.mentor).or_default().push(&p.intern);
    }

    // Mentor → interns.
    let mentor_rows = data
        .mentors
        .iter()
        .map(|m| {
            let own = of_mentor.get(&m.id).cloned().unwrap_or_default();
            vec![
                Cell::text(m.id.as_str()),
                Cell::text(&m.full_name),
                Cell::text(&m.tos_name),
                Cell::text(&m.municipality),
                Cell::text(topics(&m.topics, tr)),
                Cell::text(formats(m.formats, tr)),
                Cell::Int(i64::from(m.capacity)),
                Cell::Int(own.len() as i64),
                Cell::text(
                    own.iter()
                        .map(|i| {
                            interns
                                .get(i)
                                .map_or_else(|| i.to_string(), |r| format!("{} {}", i, r.full_name))
                        })
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
            ]
        })
        .collect();
    let mentors_table = Table {
        key: "mentors".into(),
        title: None,
        columns: vec![
            Column::new("mentor", tr.t("export.col.mentor")),
            Column::new("mentor_name", tr.t("export.col.full_name")),
            Column::new("tos", tr.t("export.col.tos")),
            Column::new("municipality", tr.t("export.col.municipality")),
            Column::new("topics", tr.t("export.col.mentor_topics")),
            Column::new("formats", tr.t("export.col.formats")),
            Column::new("capacity", tr.t("export.col.capacity")),
            Column::new("interns_count", tr.t("export.col.interns_count")),
            Column::new("interns", tr.t("export.col.interns")),
        ],
        rows: mentor_rows,
    };

    // The pairs with their scores.
    let pair_rows = pairs
        .iter()
        .map(|p| {
            let m = mentors.get(&p.mentor);
            let i = interns.get(&p.intern);
            let s = p.now.as_ref();
            let how = s.map(|s| match s.format {
                MeetingFormat::OnSite => tr.t("mentoring.on_site"),
                MeetingFormat::Online => tr.t("mentoring.online"),
            });
            let note = match s {
                None => tr.t("export.matching.no_longer_fits").to_string(),
                Some(s) if s.total != p.score => {
                    tr.f("export.matching.changed", &[("now", &s.total)])
                }
                Some(_) => String::new(),
            };
            vec![
                Cell::text(p.mentor.as_str()),
                Cell::text(m.map_or("", |m| m.full_name.as_str())),
                Cell::text(m.map_or("", |m| m.municipality.as_str())),
                Cell::text(p.intern.as_str()),
                Cell::text(i.map_or("", |i| i.full_name.as_str())),
                Cell::text(i.map_or("", |i| i.tos_name.as_str())),
                Cell::text(i.map_or("", |i| i.municipality.as_str())),
                Cell::text(s.map_or_else(String::new, |s| topics(&s.topics, tr))),
                Cell::text(how.unwrap_or_default()),
                s.and_then(|s| s.distance_km)
                    .map_or(Cell::Empty, |d| Cell::Int(d.round() as i64)),
                s.map_or(Cell::Empty, |s| Cell::Int(s.topic_points)),
                s.map_or(Cell::Empty, |s| Cell::Int(s.distance_points)),
                s.map_or(Cell::Empty, |s| Cell::Int(s.preference_points)),
                Cell::Int(p.score),
                if locked.contains(&(p.mentor.clone(), p.intern.clone())) {
                    Cell::Bool(true)
                } else {
                    Cell::Empty
                },
                Cell::text(note),
            ]
        })
        .collect();
    let pairs_table = Table {
        key: "pairs".into(),
        title: None,
        columns: vec![
            Column::new("mentor", tr.t("export.col.mentor")),
            Column::new("mentor_name", tr.t("export.col.mentor_name")),
            Column::new(
                "mentor_municipality",
                tr.t("export.col.mentor_municipality"),
            ),
            Column::new("intern", tr.t("export.col.intern")),
            Column::new("intern_name", tr.t("export.col.intern_name")),
            Column::new("intern_tos", tr.t("export.col.intern_tos")),
            Column::new(
                "intern_municipality",
                tr.t("export.col.intern_municipality"),
            ),
            Column::new("topics", tr.t("export.col.pair_topics")),
            Column::new("format", tr.t("export.col.format")),
            Column::new("distance_km", tr.t("export.col.distance_km")),
            Column::new("topic_points", tr.t("export.col.topic_points")),
            Column::new("distance_points", tr.t("export.col.distance_points")),
            Column::new("preference_points", tr.t("export.col.preference_points")),
            Column::new("score", tr.t("export.col.score")),
            Column::new("locked", tr.t("export.col.locked")),
            Column::new("note", tr.t("export.col.note")),
        ],
        rows: pair_rows,
    };

    // Interns without a mentor, and why.
    let matched: BTreeSet<&InternId> = pairs.iter().map(|p| &p.intern).collect();
    let load = |m: &MentorId| of_mentor.get(m).map_or(0, |v| v.len());
    let unmatched_rows = data
        .interns
        .iter()
        .filter(|i| !matched.contains(&i.id))
        .map(|i| {
            let could: Vec<&MentorId> = scores
                .range((i.id.clone(), MentorId::default())..)
                .take_while(|((intern, _), _)| intern == &i.id)
                .map(|((_, m), _)| m)
                .collect();
            let why = if data.mentors.is_empty() {
                tr.t("mentoring.why.no_mentors").to_string()
            } else if could.is_empty() {
                tr.t("export.unmatched.none_acceptable").to_string()
            } else if could.iter().all(|m| {
                mentors
                    .get(m)
                    .is_some_and(|x| load(m) >= x.capacity as usize)
            }) {
                tr.f(
                    "mentoring.why.all_full",
                    &[(
                        "list",
                        &could
                            .iter()
                            .map(|m| m.to_string())
                            .collect::<Vec<_>>()
                            .join(", "),
                    )],
                )
            } else {
                tr.t("export.unmatched.not_chosen").to_string()
            };
            vec![
                Cell::text(i.id.as_str()),
                Cell::text(&i.full_name),
                Cell::text(&i.tos_name),
                Cell::text(&i.municipality),
                Cell::text(
                    i.topics
                        .iter()
                        .map(|t| tr.t(&format!("topic.{}", t.code())))
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                Cell::text(formats(i.formats, tr)),
                Cell::text(why),
            ]
        })
        .collect();
    let unmatched_table = Table {
        key: "unmatched".into(),
        title: None,
        columns: vec![
            Column::new("intern", tr.t("export.col.intern")),
            Column::new("intern_name", tr.t("export.col.full_name")),
            Column::new("tos", tr.t("export.col.tos")),
            Column::new("municipality", tr.t("export.col.municipality")),
            Column::new("topics", tr.t("export.col.wanted_topics")),
            Column::new("formats", tr.t("export.col.formats")),
            Column::new("why", tr.t("export.col.why")),
        ],
        rows: unmatched_rows,
    };

    let sections = vec![
        Section {
            key: "mentors".into(),
            title: tr.t("export.section.mentors").to_string(),
            blocks: vec![Block::Table(mentors_table)],
        },
        Section {
            key: "pairs".into(),
            title: tr.t("export.section.pairs").to_string(),
            blocks: vec![
                Block::Table(pairs_table),
                Block::Fields {
                    key: "summary".into(),
                    title: Some(tr.t("export.block.matching").to_string()),
                    fields: summary,
                },
            ],
        },
        Section {
            key: "unmatched".into(),
            title: tr.t("export.section.unmatched").to_string(),
            blocks: vec![Block::Table(unmatched_table)],
        },
    ];
    cx.document(
        DocumentKind::Mentoring,
        tr.t("export.title.mentoring").to_string(),
        status,
        sections,
    )
}
