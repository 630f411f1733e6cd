//! Turning rows into domain records, one kind at a time.
//!
//! A file updates only the columns it has: a participants file without an
//! `email` column keeps the e-mails already stored. Every problem found in
//! any row is collected, so a secretary fixes a file in one pass.

use super::schema::Mapping;
use super::table::{Row, Table};
use super::text::{self, key};
use super::{Arg, ImportError, Message, Parsed, Problem, ok_unless_problems};
use crate::domain::clean;
use crate::domain::contest::Record;
use crate::domain::ids::*;
use crate::domain::integrity::Breach;
use crate::domain::learning::TrainingEvent;
use crate::domain::mentoring::{Formats, InternRequest, Mentor, Municipality, TopicLevel};
use crate::domain::participant::{Indicators, Participant};
use crate::domain::people::{Juror, Role, SshKey};
use crate::domain::refusal::Refusal;
use crate::domain::regulation::Group;
use crate::domain::scoring::{Conflict, ConflictOrigin};
use crate::service::{ImportKind, View};
use chrono::NaiveDate;
use std::collections::HashMap;

/// Parses every row of `table` as a record of `kind`. `view` supplies the
/// stored records (to keep the columns a file lacks) and the regulation (to
/// read group names).
pub fn parse(kind: ImportKind, table: &Table, view: &View) -> Result<Parsed, ImportError> {
    parse_with(kind, table, view, &Options::default())
}

/// Choices an import takes besides the file.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// For attendance exported by a webinar platform: the event the whole
    /// file is about.
    pub event: Option<EventId>,
}

/// [`parse`] with options.
pub fn parse_with(
    kind: ImportKind,
    table: &Table,
    view: &View,
    options: &Options,
) -> Result<Parsed, ImportError> {
    let (mapping, warnings) = Mapping::resolve(kind, table)?;
    if kind == ImportKind::Attendance {
        return super::attendance::parse(table, view, mapping, warnings, options.event.as_ref());
    }
    if options.event.is_some() {
        return Err(ImportError::one(
            &table.file,
            Problem::file(Message::new("import.file.event_not_attendance")),
        ));
    }
    if kind == ImportKind::Participants
        && !mapping.has("group")
        && !view
            .regulation()
            .is_some_and(|r| r.rules.maps_municipality_kinds())
    {
        let group = super::schema::fields(kind)
            .iter()
            .find(|f| f.name == "group")
            .expect("participants have a group");
        return Err(ImportError::one(
            &table.file,
            super::schema::missing_column(table, group),
        ));
    }
    if table.rows.is_empty() {
        return Err(ImportError::one(
            &table.file,
            Problem::file(Message::new("import.file.no_rows").with("line", table.header_line)),
        ));
    }
    let mut out = Parsed {
        records: Vec::with_capacity(table.rows.len()),
        lines: Vec::with_capacity(table.rows.len()),
        mapping,
        warnings,
    };
    let mut problems = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for row in &table.rows {
        let mut cells = Cells {
            row,
            mapping: &out.mapping,
            problems: &mut problems,
        };
        let records = match kind {
            ImportKind::Participants => participant(&mut cells, view).map(|p| vec![p]),
            ImportKind::Jurors => juror(&mut cells, view, &table.file),
            ImportKind::Events => event(&mut cells, view).map(|e| vec![e]),
            ImportKind::Attendance => unreachable!("attendance is parsed on its own"),
            ImportKind::Mentors => mentor(&mut cells, view).map(|m| vec![m]),
            ImportKind::Interns => intern(&mut cells, view).map(|i| vec![i]),
            ImportKind::Municipalities => municipality(&mut cells).map(|m| vec![m]),
        };
        let Some(records) = records else { continue };
        if let Some(first) = records.first() {
            let key = first.key().parts().join(" at ");
            if let Some(line) = seen.insert(key.clone(), row.line) {
                problems.push(Problem::at(
                    row.line,
                    None,
                    Message::new("import.line.duplicate_id")
                        .with("key", key)
                        .with("line", line),
                ));
                continue;
            }
        }
        for r in records {
            out.records.push(r);
            out.lines.push(row.line);
        }
    }
    ok_unless_problems(&table.file, problems, out)
}

/// One row's cells by field name, collecting problems as it reads.
struct Cells<'a> {
    row: &'a Row,
    mapping: &'a Mapping,
    problems: &'a mut Vec<Problem>,
}

impl Cells<'_> {
    fn has(&self, field: &str) -> bool {
        self.mapping.has(field)
    }

    /// The cell's text; `None` when the file has no such column.
    fn get(&self, field: &str) -> Option<&str> {
        self.mapping
            .index(field)
            .and_then(|i| self.row.cells.get(i))
            .map(|s| s.as_str())
    }

    fn bad(&mut self, field: &str, message: Message) {
        let column = self
            .mapping
            .header_of(field)
            .map(str::to_string)
            .unwrap_or_else(|| field.to_string());
        self.problems
            .push(Problem::at(self.row.line, Some(column), message));
    }

    /// A required non-empty text.
    fn text(&mut self, field: &str) -> Option<String> {
        match self.get(field) {
            Some(s) if !s.is_empty() => Some(s.to_string()),
            _ => {
                self.bad(field, Message::new("import.cell.empty"));
                None
            }
        }
    }

    /// An optional text: the cell, or `keep` when the column is absent.
    fn text_or(&self, field: &str, keep: impl FnOnce() -> String) -> String {
        match self.get(field) {
            Some(s) => s.to_string(),
            None => keep(),
        }
    }

    fn id(&mut self, field: &str) -> Option<String> {
        let s = self.text(field)?;
        if let Some(fault) = clean::id_fault(&s) {
            let breach = Breach::BadId { id: s, fault };
            self.bad(
                field,
                Message::new("import.as_is").with("text", Arg::Breach(breach)),
            );
            return None;
        }
        Some(s)
    }

    fn parsed<T>(&mut self, field: &str, f: impl FnOnce(&str) -> Result<T, Message>) -> Option<T> {
        let s = self.get(field)?.to_string();
        match f(&s) {
            Ok(v) => Some(v),
            Err(m) => {
                self.bad(field, m);
                None
            }
        }
    }

    fn count_or(&mut self, field: &str, keep: u32) -> u32 {
        if !self.has(field) {
            return keep;
        }
        self.parsed(field, text::parse_count).unwrap_or(keep)
    }

    fn date(&mut self, field: &str) -> Option<NaiveDate> {
        if self.get(field).is_some_and(str::is_empty) {
            self.bad(field, Message::new("import.cell.date_empty"));
            return None;
        }
        self.parsed(field, text::parse_date)
    }

    fn decimal_in(&mut self, field: &str, range: std::ops::RangeInclusive<f64>) -> Option<f64> {
        let v = self.parsed(field, text::parse_decimal)?;
        if range.contains(&v) {
            Some(v)
        } else {
            self.bad(
                field,
                Message::new("import.cell.out_of_range")
                    .with("value", v)
                    .with("min", *range.start())
                    .with("max", *range.end()),
            );
            None
        }
    }

    /// A list cell's items; `None` when the file has no such column.
    fn list(&self, field: &str) -> Option<Vec<String>> {
        self.get(field)
            .map(|s| text::split_list(s).map(str::to_string).collect())
    }
}

fn participant(c: &mut Cells, view: &View) -> Option<Record> {
    let id = c.id("id");
    let stored = id
        .as_deref()
        .and_then(|i| view.participant(&ParticipantId::new(i)));
    let full_name = c.text("full_name");
    let tos_name = c.text("tos_name");
    let municipality = c.text("municipality");
    let group = match (c.get("group"), &municipality) {
        (Some(_), _) => c.text("group").and_then(|g| group_of(c, &g, view)),
        (None, Some(m)) => group_by_municipality(c, m, view, stored),
        (None, None) => None,
    };
    let application_date = c.date("application_date");
    let keep = stored.map(|p| p.indicators).unwrap_or_default();
    let indicators = Indicators {
        implemented_projects: c.count_or("implemented_projects", keep.implemented_projects),
        awards: c.count_or("awards", keep.awards),
        reviews: c.count_or("reviews", keep.reviews),
        mentoring_experience: c.count_or("mentoring_experience", keep.mentoring_experience),
        site_activity: c.count_or("site_activity", keep.site_activity),
        creative_tasks: c.count_or("creative_tasks", keep.creative_tasks),
    };
    let email = c.text_or("email", || {
        stored.map(|p| p.email.clone()).unwrap_or_default()
    });
    let phone = c.text_or("phone", || {
        stored.map(|p| p.phone.clone()).unwrap_or_default()
    });
    let notes = c.text_or("notes", || {
        stored.map(|p| p.notes.clone()).unwrap_or_default()
    });
    Some(Record::Participant(Participant {
        id: ParticipantId::new(id?),
        full_name: full_name?,
        tos_name: tos_name?,
        municipality: municipality?,
        group: group?,
        email,
        phone,
        application_date: application_date?,
        indicators,
        notes,
    }))
}

/// A group by id (`rural`), name («Сельские поселения») or one of its
/// aliases («СП», «Сельское поселение»), compared by [`key`]. An unknown
/// one is refused with the closest group suggested. Without a regulation
/// the cell is taken as an id (the service refuses it).
fn group_of(c: &mut Cells, cell: &str, view: &View) -> Option<GroupId> {
    let Some(reg) = view.regulation() else {
        return Some(GroupId::new(cell));
    };
    let groups = &reg.rules.groups;
    let names = |g: &Group| {
        [g.id.as_str(), g.name.as_str()]
            .into_iter()
            .chain(g.aliases.iter().map(String::as_str))
            .map(key)
            .collect::<Vec<_>>()
    };
    let k = key(cell);
    let matching: Vec<&Group> = groups.iter().filter(|g| names(g).contains(&k)).collect();
    match matching.as_slice() {
        [] => {}
        [one] => return Some(one.id.clone()),
        many => {
            c.bad(
                "group",
                Message::new("import.cell.group_ambiguous")
                    .with("value", cell)
                    .with("groups", group_list(many.iter().copied())),
            );
            return None;
        }
    }
    let closest = groups
        .iter()
        .flat_map(|g| names(g).into_iter().map(move |n| (n, g)))
        .map(|(n, g)| (text::distance(&k, &n), n, g))
        .min_by_key(|(d, _, _)| *d);
    let message = match closest {
        // Close enough to be a slip: at most a third of the name's letters.
        Some((d, n, g)) if d * 3 <= n.chars().count().max(3) => {
            Message::new("import.cell.group_suggested")
                .with("value", cell)
                .with("name", &g.name)
                .with("id", g.id.as_str())
        }
        _ => Message::new("import.cell.group_unknown")
            .with("value", cell)
            .with("groups", group_list(groups)),
    };
    c.bad("group", message);
    None
}

/// `rural (Сельские поселения), urban (Городские поселения), …`
fn group_list<'a>(groups: impl IntoIterator<Item = &'a Group>) -> String {
    groups
        .into_iter()
        .map(|g| format!("{} ({})", g.id, g.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The group of a file without a group column: the one the regulation maps
/// the municipality's kind to, or else the one already stored.
fn group_by_municipality(
    c: &mut Cells,
    municipality: &str,
    view: &View,
    stored: Option<&Participant>,
) -> Option<GroupId> {
    let k = key(municipality);
    let kind = view
        .municipalities()
        .find(|m| key(&m.name) == k)
        .map(|m| m.kind.clone());
    let group = view.regulation().and_then(|reg| {
        let kind = key(kind.as_deref()?);
        reg.rules
            .groups
            .iter()
            .find(|g| g.municipality_kinds.iter().any(|x| key(x) == kind))
    });
    if let Some(g) = group {
        return Some(g.id.clone());
    }
    if let Some(p) = stored {
        return Some(p.group.clone());
    }
    let message = match kind {
        None => Message::new("import.cell.group_no_municipality").with("value", municipality),
        Some(kind) => Message::new("import.cell.group_no_kind")
            .with("value", municipality)
            .with("kind", kind),
    };
    c.bad("municipality", message);
    None
}

fn juror(c: &mut Cells, view: &View, file: &str) -> Option<Vec<Record>> {
    let id = c.id("id");
    let stored = id
        .as_deref()
        .and_then(|i| view.jurors().find(|j| j.id.as_str() == i).cloned());
    let full_name = c.text("full_name");
    let role = if c.has("role") {
        c.parsed("role", text::parse_role)
    } else {
        Some(stored.as_ref().map_or(Role::Juror, |j| j.role))
    };
    let email = c.text_or("email", || {
        stored.as_ref().map(|j| j.email.clone()).unwrap_or_default()
    });
    let municipality = c.text_or("municipality", || {
        stored
            .as_ref()
            .map(|j| j.municipality.clone())
            .unwrap_or_default()
    });
    let tos_name = c.text_or("tos_name", || {
        stored
            .as_ref()
            .map(|j| j.tos_name.clone())
            .unwrap_or_default()
    });
    let mut keys = stored.as_ref().map(|j| j.keys.clone()).unwrap_or_default();
    if let Some(cell) = c.get("ssh_key").map(str::to_string) {
        for line in cell.lines().filter(|l| !l.trim().is_empty()) {
            match SshKey::parse_authorized(line) {
                Ok(k) => {
                    if !keys.iter().any(|x| x.same_key(&k)) {
                        keys.push(k)
                    }
                }
                Err(e) => c.bad(
                    "ssh_key",
                    Message::new("import.as_is").with("text", Arg::Refused(Refusal::BadKey(e))),
                ),
            }
        }
    }
    let conflicts = c.list("conflicts").unwrap_or_default();
    let id = JurorId::new(id?);
    let mut out = vec![Record::Juror(Juror {
        id: id.clone(),
        full_name: full_name?,
        role: role?,
        email,
        municipality,
        tos_name,
        keys,
    })];
    let source = std::path::Path::new(file)
        .file_name()
        .map_or_else(|| file.to_string(), |n| n.to_string_lossy().into_owned());
    for p in conflicts {
        out.push(Record::Conflict(Conflict {
            juror: id.clone(),
            participant: ParticipantId::new(p),
            reason: format!("declared in {source}"),
            origin: ConflictOrigin::Registered,
        }));
    }
    Some(out)
}

fn event(c: &mut Cells, view: &View) -> Option<Record> {
    let id = c.id("id");
    let stored = id
        .as_deref()
        .and_then(|i| view.events().find(|e| e.id.as_str() == i).cloned());
    let title = c.text("title");
    let topic = c.parsed("topic", text::parse_topic);
    let format = c.parsed("format", text::parse_event_format);
    let start = c.date("start");
    let end = match c.get("end") {
        Some(s) if !s.is_empty() => c.date("end"),
        _ => start,
    };
    let hours = if c.get("hours").is_some_and(|s| !s.is_empty()) {
        c.decimal_in("hours", 0.0..=1000.0)
    } else {
        Some(stored.as_ref().map_or(0.0, |e| e.hours))
    };
    let place = c.text_or("place", || {
        stored.as_ref().map(|e| e.place.clone()).unwrap_or_default()
    });
    if c.get("topic").is_some_and(str::is_empty) || c.get("format").is_some_and(str::is_empty) {
        return None;
    }
    Some(Record::Event(TrainingEvent {
        id: EventId::new(id?),
        title: title?,
        topic: topic?,
        format: format?,
        start: start?,
        end: end?,
        hours: hours?,
        place,
    }))
}

fn topic_levels(s: &str) -> Result<Vec<TopicLevel>, Message> {
    let mut out: Vec<TopicLevel> = Vec::new();
    for part in text::split_list(s) {
        let (name, level) = match part.rsplit_once([':', '=']) {
            Some((n, l)) => {
                let level: u8 = l
                    .trim()
                    .parse()
                    .ok()
                    .filter(|v| (1..=3).contains(v))
                    .ok_or_else(|| Message::new("import.cell.topic_level").with("value", part))?;
                (n, level)
            }
            None => (part, 2),
        };
        let topic = text::parse_topic(name)?;
        if out.iter().any(|t| t.topic == topic) {
            return Err(Message::new("import.cell.topic_twice").with("topic", topic.code()));
        }
        out.push(TopicLevel { topic, level });
    }
    if out.is_empty() {
        return Err(Message::new("import.cell.no_topics_example"));
    }
    Ok(out)
}

fn mentor(c: &mut Cells, view: &View) -> Option<Record> {
    let id = c.id("id");
    let stored = id
        .as_deref()
        .and_then(|i| view.mentors().find(|m| m.id.as_str() == i).cloned());
    let default_capacity = view.regulation().map_or(3, |r| r.rules.mentoring.capacity);
    let participant = match c.get("participant_id") {
        Some("") => None,
        Some(s) => Some(ParticipantId::new(s)),
        None => stored.as_ref().and_then(|m| m.participant.clone()),
    };
    let (full_name, tos_name, municipality) = who(c, stored.as_ref().map(|m| &m.tos_name));
    let capacity = match c.get("capacity") {
        Some("") | None => Some(stored.as_ref().map_or(default_capacity, |m| m.capacity)),
        Some(_) => c.parsed("capacity", |s| {
            let v = text::parse_count(s)?;
            if v > 100 {
                Err(Message::new("import.cell.capacity").with("value", v as usize))
            } else {
                Ok(v)
            }
        }),
    };
    let topics = c.parsed("topics", topic_levels);
    let kept = stored.as_ref().map(|m| (m.formats, &m.preferred_interns));
    let (formats, preferred_interns) = how(c, kept, "preferred_interns", InternId::new);
    Some(Record::Mentor(Mentor {
        id: MentorId::new(id?),
        participant,
        full_name: full_name?,
        tos_name,
        municipality: municipality?,
        capacity: capacity?,
        topics: topics?,
        formats: formats?,
        preferred_interns,
    }))
}

fn intern(c: &mut Cells, view: &View) -> Option<Record> {
    let id = c.id("id");
    let stored = id
        .as_deref()
        .and_then(|i| view.interns().find(|m| m.id.as_str() == i).cloned());
    let (full_name, tos_name, municipality) = who(c, stored.as_ref().map(|m| &m.tos_name));
    let topics = c.parsed("topics", |s| {
        let t = text::parse_topics(s)?;
        if t.is_empty() {
            Err(Message::new("import.cell.no_topics"))
        } else {
            Ok(t)
        }
    });
    let kept = stored.as_ref().map(|m| (m.formats, &m.preferred_mentors));
    let (formats, preferred_mentors) = how(c, kept, "preferred_mentors", MentorId::new);
    Some(Record::Intern(InternRequest {
        id: InternId::new(id?),
        full_name: full_name?,
        tos_name,
        municipality: municipality?,
        topics: topics?,
        formats: formats?,
        preferred_mentors,
    }))
}

/// A mentor's or an intern's name, TOS and municipality; the TOS is kept
/// from the stored record when the file has no such column.
fn who(c: &mut Cells, stored_tos: Option<&String>) -> (Option<String>, String, Option<String>) {
    let full_name = c.text("full_name");
    let tos_name = c.text_or("tos_name", || stored_tos.cloned().unwrap_or_default());
    let municipality = c.text("municipality");
    (full_name, tos_name, municipality)
}

/// A mentor's or an intern's meeting formats and stated preferences
/// (the `list` column), each kept from the stored record when the file has
/// no such column.
fn how<T: Clone>(
    c: &mut Cells,
    stored: Option<(Formats, &Vec<T>)>,
    list: &str,
    id: impl Fn(String) -> T,
) -> (Option<Formats>, Vec<T>) {
    let formats = if c.has("formats") {
        c.parsed("formats", text::parse_formats)
    } else {
        Some(stored.map_or(Formats::BOTH, |(f, _)| f))
    };
    let preferred = c
        .list(list)
        .map(|v| v.into_iter().map(&id).collect())
        .unwrap_or_else(|| stored.map(|(_, p)| p.clone()).unwrap_or_default());
    (formats, preferred)
}

fn municipality(c: &mut Cells) -> Option<Record> {
    let name = c.text("name");
    let kind = c.text_or("kind", String::new);
    let latitude = c.decimal_in("latitude", -90.0..=90.0);
    let longitude = c.decimal_in("longitude", -180.0..=180.0);
    Some(Record::Municipality(Municipality {
        name: name?,
        kind,
        latitude: latitude?,
        longitude: longitude?,
    }))
}

#[cfg(test)]
mod tests {
    use crate::domain::contest::RegulationDoc;
    use crate::interchange::{ImportFailure, import_table, table::read_csv};
    use crate::service::{Actor, ImportKind, Service};

    fn service() -> (tempfile::TempDir, Service) {
        let dir = tempfile::tempdir().unwrap();
        let service = Service::open(&dir.path().join("db")).unwrap();
        let actor = Actor::local_coordinator();
        service
            .set_regulation(
                &actor,
                RegulationDoc {
                    file_name: "regulation.toml".into(),
                    source: include_str!("../../sample-data/regulation.toml").into(),
                },
            )
            .unwrap();
        let import = |kind, text: &str| {
            let table = read_csv("file.csv", text.as_bytes()).unwrap();
            import_table(&service, &actor, kind, &table, false).unwrap();
        };
        import(
            ImportKind::Participants,
            "id,full_name,tos_name,municipality,group,application_date\n\
             P1,Иванова Анна Петровна,ТОС «Берёзка»,г. Иркутск,city,2021-01-10\n",
        );
        import(
            ImportKind::Events,
            "id,title,topic,format,start\n\
             E1,Вебинар,economics,webinar,2021-02-10\n\
             E2,Семинар,partnership,seminar,2021-03-10\n",
        );
        (dir, service)
    }

    #[test]
    fn a_group_name_two_groups_answer_to_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let service = Service::open(&dir.path().join("db")).unwrap();
        let actor = Actor::local_coordinator();
        let source = include_str!("../../sample-data/regulation.toml").replace(
            r#"["Городское поселение", "ГП"]"#,
            r#"["Городское поселение", "го"]"#,
        );
        service
            .set_regulation(
                &actor,
                RegulationDoc {
                    file_name: "regulation.toml".into(),
                    source,
                },
            )
            .unwrap();
        let table = read_csv(
            "p.csv",
            "id;full_name;tos_name;municipality;group;application_date\n\
             P1;Иванова Анна;ТОС «Берёзка»;г. Иркутск;ГО;2021-01-10\n"
                .as_bytes(),
        )
        .unwrap();
        let e = import_table(&service, &actor, ImportKind::Participants, &table, false)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "p.csv:2: column «group»: 'ГО' names more than one group: urban (Городские поселения), city (Городские округа); their names and aliases in the regulation must differ\nnothing was imported"
        );
    }

    #[test]
    fn a_listener_comes_on_one_row_per_event() {
        let (_dir, service) = service();
        let actor = Actor::local_coordinator();
        let table = read_csv(
            "attendance.csv",
            "participant_id,event_id,date\nP1,E1,2021-02-10\nP1,E2,2021-03-10\n".as_bytes(),
        )
        .unwrap();
        import_table(&service, &actor, ImportKind::Attendance, &table, false).unwrap();
        let view = service.view(&actor);
        assert_eq!(view.attendance(&"P1".into()).unwrap().events.len(), 2);

        let twice = read_csv(
            "attendance.csv",
            "participant_id,event_id\nP1,E1\nP1,E1\n".as_bytes(),
        )
        .unwrap();
        match import_table(&service, &actor, ImportKind::Attendance, &twice, false) {
            Err(ImportFailure::File(e)) => {
                assert_eq!(e.problems.len(), 1);
                assert!(
                    e.problems[0]
                        .message
                        .to_string()
                        .contains("a duplicate mark: P1 at E1 is already on line 2"),
                    "{e}"
                );
            }
            other => panic!("{other:?}"),
        }
    }
}
