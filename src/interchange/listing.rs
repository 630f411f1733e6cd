//! Records as rows of text, in the same columns the import files use, so
//! that `konkurs list participants --format csv` can be edited in a
//! spreadsheet and imported back.

use super::schema::fields;
use crate::domain::contest::Record;
use crate::domain::mentoring::Formats;
use crate::service::{ImportKind, View};

/// The canonical headers of a kind.
pub fn headers(kind: ImportKind) -> Vec<&'static str> {
    fields(kind).iter().map(|f| f.name).collect()
}

fn formats(f: Formats) -> String {
    match (f.on_site, f.online) {
        (true, true) => "on_site, online".into(),
        (true, false) => "on_site".into(),
        (false, true) => "online".into(),
        (false, false) => String::new(),
    }
}

fn join<T: ToString>(items: impl IntoIterator<Item = T>) -> String {
    items
        .into_iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Every record of `kind` the view shows, as rows under [`headers`].
/// Jurors list their conflicts; attendance lists one row per mark.
pub fn rows(kind: ImportKind, view: &View) -> Vec<Vec<String>> {
    match kind {
        ImportKind::Participants => view
            .participants()
            .map(|p| {
                let i = p.indicators;
                vec![
                    p.id.to_string(),
                    p.full_name.clone(),
                    p.tos_name.clone(),
                    p.municipality.clone(),
                    p.group.to_string(),
                    p.email.clone(),
                    p.phone.clone(),
                    p.application_date.to_string(),
                    i.implemented_projects.to_string(),
                    i.awards.to_string(),
                    i.reviews.to_string(),
                    i.mentoring_experience.to_string(),
                    i.site_activity.to_string(),
                    i.creative_tasks.to_string(),
                    p.notes.clone(),
                ]
            })
            .collect(),
        ImportKind::Jurors => view
            .jurors()
            .map(|j| {
                vec![
                    j.id.to_string(),
                    j.full_name.clone(),
                    j.role.to_string(),
                    j.email.clone(),
                    j.municipality.clone(),
                    j.tos_name.clone(),
                    j.keys
                        .iter()
                        .map(|k| k.to_line())
                        .collect::<Vec<_>>()
                        .join("\n"),
                    join(view.conflicts_of(&j.id).map(|c| c.participant.clone())),
                ]
            })
            .collect(),
        ImportKind::Events => view
            .events()
            .map(|e| {
                vec![
                    e.id.to_string(),
                    e.title.clone(),
                    e.topic.to_string(),
                    e.format.to_string(),
                    e.start.to_string(),
                    e.end.to_string(),
                    e.hours.to_string(),
                    e.place.clone(),
                ]
            })
            .collect(),
        ImportKind::Attendance => view
            .attendance_records()
            .flat_map(|a| {
                let who = view.participant(&a.participant);
                let name = who.map(|p| p.full_name.clone()).unwrap_or_default();
                let email = who.map(|p| p.email.clone()).unwrap_or_default();
                a.events.iter().map(move |(e, d)| {
                    vec![
                        a.participant.to_string(),
                        name.clone(),
                        email.clone(),
                        e.to_string(),
                        d.map(|d| d.to_string()).unwrap_or_default(),
                    ]
                })
            })
            .collect(),
        ImportKind::Mentors => view
            .mentors()
            .map(|m| {
                vec![
                    m.id.to_string(),
                    m.participant
                        .as_ref()
                        .map(|p| p.to_string())
                        .unwrap_or_default(),
                    m.full_name.clone(),
                    m.tos_name.clone(),
                    m.municipality.clone(),
                    m.capacity.to_string(),
                    join(m.topics.iter().map(|t| format!("{}:{}", t.topic, t.level))),
                    formats(m.formats),
                    join(&m.preferred_interns),
                ]
            })
            .collect(),
        ImportKind::Interns => view
            .interns()
            .map(|i| {
                vec![
                    i.id.to_string(),
                    i.full_name.clone(),
                    i.tos_name.clone(),
                    i.municipality.clone(),
                    join(&i.topics),
                    formats(i.formats),
                    join(&i.preferred_mentors),
                ]
            })
            .collect(),
        ImportKind::Municipalities => view
            .municipalities()
            .map(|m| {
                vec![
                    m.name.clone(),
                    m.kind.clone(),
                    m.latitude.to_string(),
                    m.longitude.to_string(),
                ]
            })
            .collect(),
    }
}

/// The records of `kind` the view shows, for JSON output.
pub fn records(kind: ImportKind, view: &View) -> Vec<Record> {
    match kind {
        ImportKind::Participants => view
            .participants()
            .cloned()
            .map(Record::Participant)
            .collect(),
        ImportKind::Jurors => view.jurors().cloned().map(Record::Juror).collect(),
        ImportKind::Events => view.events().cloned().map(Record::Event).collect(),
        ImportKind::Attendance => view
            .attendance_records()
            .cloned()
            .map(Record::Attendance)
            .collect(),
        ImportKind::Mentors => view.mentors().cloned().map(Record::Mentor).collect(),
        ImportKind::Interns => view.interns().cloned().map(Record::Intern).collect(),
        ImportKind::Municipalities => view
            .municipalities()
            .cloned()
            .map(Record::Municipality)
            .collect(),
    }
}
