//! The mentoring list: each mentor with their interns, each pair with the
//! topics they share, how they meet and the score part by part, and the
//! interns left without a mentor. From the accepted matching; a draft is a
//! fresh optimal proposal.

use super::document::{Block, Cell, Column, Document, Field, Section, Table};
use super::{Ctx, DocumentKind, ExportError};
use crate::domain::ids::{InternId, MentorId};
use crate::domain::matching::{self, MatchInput, MatchMode, PairScore};
use crate::domain::mentoring::{
    AcceptedMatching, DecisionKind, Formats, InternRequest, MeetingFormat, Mentor, TopicLevel,
};
use crate::service::MatchData;
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
/// Every acceptable pair's score on today's data, by intern then mentor.
type Scores = BTreeMap<(InternId, MentorId), PairScore>;

/// What the mentoring list's steps read: the data, the pairs, and the
/// lookups the tables share.
struct Listing<'a> {
    tr: &'a I18n,
    data: &'a MatchData,
    scores: &'a Scores,
    pairs: &'a [Pair],
    mentors: BTreeMap<&'a MentorId, &'a Mentor>,
    interns: BTreeMap<&'a InternId, &'a InternRequest>,
    locked: BTreeSet<(MentorId, InternId)>,
    of_mentor: BTreeMap<&'a MentorId, Vec<&'a InternId>>,
}

/// The scores of every acceptable pair on today's data.
fn candidate_scores(input: &MatchInput) -> Scores {
    matching::candidates(input)
        .into_iter()
        .flat_map(|ic| {
            let intern = ic.intern;
            ic.candidates
                .into_iter()
                .map(move |c| ((intern.clone(), c.mentor), c.score))
        })
        .collect()
}

/// The summary block's fields: the mode, whether and when the matching
/// was accepted, the number of pairs and the total score.
fn summary_fields(tr: &I18n, mode: &str, accepted: String, pairs: usize, total: i64) -> Vec<Field> {
    vec![
        Field::new("mode", tr.t("export.matching.mode"), Cell::text(mode)),
        Field::new(
            "accepted",
            tr.t("export.matching.accepted"),
            Cell::text(accepted),
        ),
        Field::new(
            "pairs",
            tr.t("export.matching.pairs"),
            Cell::Int(pairs as i64),
        ),
        Field::new(
            "total_score",
            tr.t("export.matching.total"),
            Cell::Int(total),
        ),
    ]
}

/// The accepted matching's pairs, each with its breakdown on today's
/// data, and the summary fields.
fn accepted_pairs(cx: &Ctx, m: &AcceptedMatching, scores: &Scores) -> (Vec<Pair>, Vec<Field>) {
    let tr = &cx.tr;
    let pairs = m
        .pairs
        .iter()
        .map(|p| Pair {
            mentor: p.mentor.clone(),
            intern: p.intern.clone(),
            score: p.score,
            now: scores.get(&(p.intern.clone(), p.mentor.clone())).cloned(),
        })
        .collect();
    let summary = summary_fields(
        tr,
        tr.t(&format!("mentoring.mode.{}", m.mode)),
        tr.f("export.closed_at", &[("at", &cx.time(m.at)), ("by", &m.by)]),
        m.pairs.len(),
        m.total,
    );
    (pairs, summary)
}

/// A fresh optimal proposal's pairs and the summary fields.
fn proposed_pairs(input: &MatchInput, tr: &I18n) -> (Vec<Pair>, Vec<Field>) {
    let proposal = matching::propose(input, MatchMode::Optimal);
    let pairs = proposal
        .pairs
        .iter()
        .map(|p| Pair {
            mentor: p.mentor.clone(),
            intern: p.intern.clone(),
            score: p.score.total,
            now: Some(p.score.clone()),
        })
        .collect();
    let summary = summary_fields(
        tr,
        tr.t("mentoring.mode.optimal"),
        tr.t("export.matching.not_accepted").to_string(),
        proposal.pairs.len(),
        proposal.total_score,
    );
    (pairs, summary)
}

/// The table of mentors, each with their interns.
fn mentors_table(l: &Listing) -> Table {
    let tr = l.tr;
    let rows = l
        .data
        .mentors
        .iter()
        .map(|m| {
            let own = l.of_mentor.get(&m.id).cloned().unwrap_or_default();
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
                            l.interns
                                .get(i)
                                .map_or_else(|| i.to_string(), |r| format!("{} {}", i, r.full_name))
                        })
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
            ]
        })
        .collect();
    Table {
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
        rows,
    }
}

/// One pair's row: who, how they meet, the score part by part, and a note
/// when the score has changed or the pair no longer fits.
fn pair_row(l: &Listing, p: &Pair) -> Vec<Cell> {
    let tr = l.tr;
    let m = l.mentors.get(&p.mentor);
    let i = l.interns.get(&p.intern);
    let s = p.now.as_ref();
    let how = s.map(|s| match s.format {
        MeetingFormat::OnSite => tr.t("mentoring.on_site"),
        MeetingFormat::Online => tr.t("mentoring.online"),
    });
    let note = match s {
        None => tr.t("export.matching.no_longer_fits").to_string(),
        Some(s) if s.total != p.score => tr.f("export.matching.changed", &[("now", &s.total)]),
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
        if l.locked.contains(&(p.mentor.clone(), p.intern.clone())) {
            Cell::Bool(true)
        } else {
            Cell::Empty
        },
        Cell::text(note),
    ]
}

/// The table of pairs with their scores.
fn pairs_table(l: &Listing) -> Table {
    let tr = l.tr;
    Table {
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
        rows: l.pairs.iter().map(|p| pair_row(l, p)).collect(),
    }
}

/// Why an intern has no mentor, in words.
fn unmatched_why(l: &Listing, intern: &InternRequest) -> String {
    let tr = l.tr;
    let load = |m: &MentorId| l.of_mentor.get(m).map_or(0, |v| v.len());
    let could: Vec<&MentorId> = l
        .scores
        .range((intern.id.clone(), MentorId::default())..)
        .take_while(|((i, _), _)| i == &intern.id)
        .map(|((_, m), _)| m)
        .collect();
    if l.data.mentors.is_empty() {
        tr.t("mentoring.why.no_mentors").to_string()
    } else if could.is_empty() {
        tr.t("export.unmatched.none_acceptable").to_string()
    } else if could.iter().all(|m| {
        l.mentors
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
    }
}

/// The table of interns without a mentor, and why.
fn unmatched_table(l: &Listing) -> Table {
    let tr = l.tr;
    let matched: BTreeSet<&InternId> = l.pairs.iter().map(|p| &p.intern).collect();
    let rows = l
        .data
        .interns
        .iter()
        .filter(|i| !matched.contains(&i.id))
        .map(|i| {
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
                Cell::text(unmatched_why(l, i)),
            ]
        })
        .collect();
    Table {
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
        rows,
    }
}

/// The list's sections: the mentors, the pairs with the summary, and the
/// interns left without a mentor.
fn sections(l: &Listing, summary: Vec<Field>) -> Vec<Section> {
    let tr = l.tr;
    vec![
        Section {
            key: "mentors".into(),
            title: tr.t("export.section.mentors").to_string(),
            blocks: vec![Block::Table(mentors_table(l))],
        },
        Section {
            key: "pairs".into(),
            title: tr.t("export.section.pairs").to_string(),
            blocks: vec![
                Block::Table(pairs_table(l)),
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
            blocks: vec![Block::Table(unmatched_table(l))],
        },
    ]
}

pub(super) fn build(cx: &Ctx) -> Result<Document, ExportError> {
    let tr = &cx.tr;
    let data = cx.service.match_data(cx.actor)?;
    let input = data.input();
    let scores = candidate_scores(&input);
    let (mut pairs, summary, status) = match cx.view.matching() {
        Some(m) => {
            let (pairs, summary) = accepted_pairs(cx, m, &scores);
            (pairs, summary, None)
        }
        None if !cx.request.draft => {
            return Err(ExportError::NotFinal {
                why: crate::domain::refusal::Refusal::NoMatchingAccepted,
                draft: super::Draft::Proposal,
            });
        }
        None => {
            let (pairs, summary) = proposed_pairs(&input, tr);
            let status = tr.t("export.status.draft_matching").to_string();
            (pairs, summary, Some(status))
        }
    };
    pairs.sort_by(|a, b| (&a.mentor, &a.intern).cmp(&(&b.mentor, &b.intern)));

    let mut of_mentor: BTreeMap<&MentorId, Vec<&InternId>> = BTreeMap::new();
    for p in &pairs {
        of_mentor.entry(&p.mentor).or_default().push(&p.intern);
    }
    let listing = Listing {
        tr,
        data: &data,
        scores: &scores,
        pairs: &pairs,
        mentors: data.mentors.iter().map(|m| (&m.id, m)).collect(),
        interns: data.interns.iter().map(|i| (&i.id, i)).collect(),
        locked: cx
            .view
            .decisions()
            .filter(|d| d.kind == DecisionKind::Lock)
            .map(|d| (d.mentor.clone(), d.intern.clone()))
            .collect(),
        of_mentor,
    };
    cx.document(
        DocumentKind::Mentoring,
        tr.t("export.title.mentoring").to_string(),
        status,
        sections(&listing, summary),
    )
}
