//! Records as rows of text, in the same columns the import files use, so
//! that `konkurs list participants --format csv` can be edited in a
//! spreadsheet and imported back. In Russian the headers and the coded
//! values are the Russian words the import reads, and numbers have a
//! decimal comma.

use super::schema::fields;
use crate::domain::contest::Record;
use crate::domain::mentoring::Formats;
use crate::service::{ImportKind, View};
use crate::text::{I18n, Lang};

/// The headers of a kind in the person's language (`cli.list.KIND.FIELD`):
/// the canonical field names in English, names the import knows in Russian.
pub fn headers(kind: ImportKind, tr: &I18n) -> Vec<&'static str> {
    fields(kind)
        .iter()
        .map(|f| tr.t(&format!("cli.list.{}.{}", kind.name(), f.name)))
        .collect()
}

/// A coded value as a file of the person's language holds it: the code in
/// English, the catalogue's word for it (`AREA.CODE`, which the import
/// reads back) in Russian.
pub fn word(tr: &I18n, area: &str, code: &str) -> String {
    match tr.lang {
        Lang::En => code.to_string(),
        Lang::Ru => tr.t(&format!("{area}.{code}")).to_string(),
    }
}

fn formats(f: Formats, tr: &I18n) -> String {
    let mut out = Vec::new();
    if f.on_site {
        out.push(word(tr, "mentoring", "on_site"));
    }
    if f.online {
        out.push(word(tr, "mentoring", "online"));
    }
    out.join(", ")
}

fn topic(t: crate::domain::topic::Topic, tr: &I18n) -> String {
    word(tr, "topic", t.code())
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
pub fn rows(kind: ImportKind, view: &View, tr: &I18n) -> Vec<Vec<String>> {
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
                    word(tr, "role", j.role.code()),
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
                    topic(e.topic, tr),
                    word(tr, "format", e.format.code()),
                    e.start.to_string(),
                    e.end.to_string(),
                    tr.decimal(e.hours.to_string()),
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
                    join(
                        m.topics
                            .iter()
                            .map(|t| format!("{}:{}", topic(t.topic, tr), t.level)),
                    ),
                    formats(m.formats, tr),
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
                    join(i.topics.iter().map(|t| topic(*t, tr))),
                    formats(i.formats, tr),
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
                    tr.decimal(m.latitude.to_string()),
                    tr.decimal(m.longitude.to_string()),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interchange::schema::field_of;

    /// A list written in either language imports back: every header is a
    /// name the import knows for the same field.
    #[test]
    fn every_header_in_every_language_is_a_name_the_import_knows() {
        for lang in [Lang::En, Lang::Ru] {
            let tr = I18n::new(lang);
            for &kind in <ImportKind as clap::ValueEnum>::value_variants() {
                for (header, field) in headers(kind, &tr).iter().zip(fields(kind)) {
                    assert!(
                        field_of(kind, header).is_some_and(|f| f.name == field.name),
                        "{lang:?} {}: «{header}» is not a name of {}",
                        kind.name(),
                        field.name
                    );
                }
            }
        }
    }
}
