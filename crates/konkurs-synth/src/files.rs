//! The CSV files of a contest, with the canonical English headers.

use crate::events::Event;
use crate::jury::JuryMember;
use crate::listeners::Listener;
use crate::mentoring::{InternRec, MentorRec, Settlement, municipality};
use crate::tables::tables;

/// A CSV file written into memory by `csv::Writer`: comma-separated, `\n`
/// line ends, a cell quoted only when it holds a comma, a quote or a line
/// break. (No cell has spaces at its edges: the tables are checked for them.)
pub struct CsvFile(csv::Writer<Vec<u8>>);

/// Writing into a `Vec` does not fail.
const IN_MEMORY: &str = "writing CSV into memory";

impl CsvFile {
    pub fn new(header: &[&str]) -> CsvFile {
        let mut w = CsvFile(
            csv::WriterBuilder::new()
                .terminator(csv::Terminator::Any(b'\n'))
                .quote_style(csv::QuoteStyle::Necessary)
                .from_writer(Vec::with_capacity(1 << 12)),
        );
        w.row(header);
        w
    }

    pub fn row<S: AsRef<[u8]>>(&mut self, cells: &[S]) {
        self.0.write_record(cells).expect(IN_MEMORY);
    }

    pub fn finish(self) -> Vec<u8> {
        self.0.into_inner().expect(IN_MEMORY)
    }
}

pub fn municipalities(settlements: &[Settlement]) -> Vec<u8> {
    let mut w = CsvFile::new(&["name", "kind", "latitude", "longitude"]);
    let places = &tables().places;
    for p in places {
        w.row(&[
            p.name.clone(),
            p.kind.code().to_string(),
            format!("{:.4}", p.lat),
            format!("{:.4}", p.lon),
        ]);
    }
    for s in settlements {
        w.row(&[
            s.name.clone(),
            places[s.place].kind.code().to_string(),
            format!("{:.4}", s.lat),
            format!("{:.4}", s.lon),
        ]);
    }
    w.finish()
}

pub fn listeners(listeners: &[Listener]) -> Vec<u8> {
    let mut w = CsvFile::new(&[
        "id",
        "full_name",
        "tos_name",
        "municipality",
        "group",
        "email",
        "phone",
        "application_date",
        "implemented_projects",
        "awards",
        "reviews",
        "mentoring_experience",
        "site_activity",
        "creative_tasks",
        "notes",
    ]);
    let places = &tables().places;
    for l in listeners {
        w.row(&[
            l.id.as_str(),
            &l.name,
            &l.tos,
            &places[l.place].name,
            l.kind.code(),
            &l.email,
            &l.phone,
            &l.applied,
            &l.projects.to_string(),
            &l.awards.to_string(),
            &l.reviews.to_string(),
            &l.mentoring.to_string(),
            &l.site.to_string(),
            &l.creative.to_string(),
            l.notes,
        ]);
    }
    w.finish()
}

pub fn jurors(jurors: &[JuryMember]) -> Vec<u8> {
    let mut w = CsvFile::new(&[
        "id",
        "full_name",
        "role",
        "email",
        "municipality",
        "tos_name",
        "ssh_key",
        "conflicts",
    ]);
    for j in jurors {
        w.row(&[
            j.id.as_str(),
            &j.name,
            j.role,
            &j.email,
            &j.municipality,
            &j.tos,
            "",
            &j.conflicts.join(", "),
        ]);
    }
    w.finish()
}

pub fn events(events: &[Event]) -> Vec<u8> {
    let mut w = CsvFile::new(&[
        "id", "title", "topic", "format", "start", "end", "hours", "place",
    ]);
    for e in events {
        w.row(&[
            e.id.as_str(),
            &e.title,
            e.topic.code(),
            e.format.code(),
            &e.start.format("%Y-%m-%d").to_string(),
            &e.end.format("%Y-%m-%d").to_string(),
            &e.hours.to_string(),
            &e.place,
        ]);
    }
    w.finish()
}

pub fn mentors(
    mentors: &[MentorRec],
    prefs: &[Vec<usize>],
    interns: &[InternRec],
    settlements: &[Settlement],
) -> Vec<u8> {
    let mut w = CsvFile::new(&[
        "id",
        "participant_id",
        "full_name",
        "tos_name",
        "municipality",
        "capacity",
        "topics",
        "formats",
        "preferred_interns",
    ]);
    for (m, prefs) in mentors.iter().zip(prefs) {
        let topics: Vec<String> = m
            .topics
            .iter()
            .map(|(t, level)| format!("{}:{level}", t.code()))
            .collect();
        let preferred: Vec<&str> = prefs.iter().map(|i| interns[*i].id.as_str()).collect();
        w.row(&[
            m.id.as_str(),
            "",
            &m.name,
            &m.tos,
            municipality(m.place, m.settlement, settlements),
            &m.capacity.to_string(),
            &topics.join("; "),
            m.formats,
            &preferred.join(", "),
        ]);
    }
    w.finish()
}

pub fn interns(
    interns: &[InternRec],
    mentors: &[MentorRec],
    settlements: &[Settlement],
) -> Vec<u8> {
    let mut w = CsvFile::new(&[
        "id",
        "full_name",
        "tos_name",
        "municipality",
        "topics",
        "formats",
        "preferred_mentors",
    ]);
    for i in interns {
        let topics: Vec<&str> = i.topics.iter().map(|t| t.code()).collect();
        let preferred: Vec<&str> = i
            .preferred
            .iter()
            .map(|m| mentors[*m].id.as_str())
            .collect();
        w.row(&[
            i.id.as_str(),
            &i.name,
            &i.tos,
            municipality(i.place, i.settlement, settlements),
            &topics.join("; "),
            i.formats,
            &preferred.join(", "),
        ]);
    }
    w.finish()
}
