//! The tables the generator draws from: the region's real municipalities
//! and made-up people's names, TOS words, streets, notes and the subjects
//! of each topic. They are the CSV files of `data/`, built into the crate
//! and read once, on first use.
//!
//! Every file has a header; lines that begin with `#` are comments. The
//! order of the rows matters: a seed draws rows by their place in the file,
//! so a row added or moved changes every contest generated after it.
//!
//! A table that cannot be read is a defect of the crate, found by its tests:
//! [`tables`] panics with the file, the line and what is wrong.

use konkurs::domain::topic::Topic;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::collections::HashSet;
use std::sync::LazyLock;

/// The kind of a municipality, which is also the group of the participants
/// who come from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Rural,
    Urban,
    City,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Rural, Kind::Urban, Kind::City];

    /// The group id in the regulation, which is also the municipality's kind.
    pub fn code(self) -> &'static str {
        match self {
            Kind::Rural => "rural",
            Kind::Urban => "urban",
            Kind::City => "city",
        }
    }

    fn from_code(code: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// A municipality of the Irkutsk region.
#[derive(Debug)]
pub struct Place {
    /// The name used in every file.
    pub name: String,
    /// The town or village itself, for event venues.
    pub town: String,
    pub kind: Kind,
    pub lat: f64,
    pub lon: f64,
    /// How many of the region's TOS leaders come from here, relatively.
    pub weight: f64,
    /// In the Ust-Orda Buryat okrug or on Olkhon: Buryat names are common.
    pub buryat: bool,
}

/// The index of the regional centre, Irkutsk, in [`Tables::places`]: the
/// first row of `data/places.csv`.
pub const REGIONAL_CENTRE: usize = 0;

/// A male first name with the patronymics it gives.
#[derive(Debug, Deserialize)]
pub struct MaleName {
    pub name: String,
    /// A son's patronymic: Иван → Иванович.
    pub son: String,
    /// A daughter's patronymic: Иван → Ивановна.
    pub daughter: String,
}

/// The names of one people.
#[derive(Debug)]
pub struct Names {
    pub male: Vec<MaleName>,
    pub female: Vec<String>,
    /// In the masculine form; [`crate::people::feminine`] gives the other.
    pub surnames: Vec<String>,
}

/// Every table of `data/`.
#[derive(Debug)]
pub struct Tables {
    pub places: Vec<Place>,
    pub russian: Names,
    pub buryat: Names,
    pub tos_words: Vec<String>,
    pub streets: Vec<String>,
    pub notes: Vec<String>,
    /// The subjects of each topic, in the order of [`Topic::ALL`].
    subjects: Vec<Vec<String>>,
}

impl Tables {
    /// The subjects of a topic's classes, in the programme's words.
    pub fn subjects(&self, topic: Topic) -> &[String] {
        let at = Topic::ALL
            .iter()
            .position(|t| *t == topic)
            .expect("every topic is in Topic::ALL");
        &self.subjects[at]
    }
}

/// The tables, read from the built-in files on first use.
pub fn tables() -> &'static Tables {
    static TABLES: LazyLock<Tables> =
        LazyLock::new(|| Tables::read().unwrap_or_else(|e| panic!("{e}")));
    &TABLES
}

/// A file of `data/`: its name for messages and its text.
type DataFile = (&'static str, &'static str);

macro_rules! data_file {
    ($name:literal) => {
        (
            concat!("data/", $name),
            include_str!(concat!("../data/", $name)),
        )
    };
}

const PLACES: DataFile = data_file!("places.csv");
const MALE_NAMES: DataFile = data_file!("male_names.csv");
const FEMALE_NAMES: DataFile = data_file!("female_names.csv");
const SURNAMES: DataFile = data_file!("surnames.csv");
const BURYAT_MALE_NAMES: DataFile = data_file!("buryat_male_names.csv");
const BURYAT_FEMALE_NAMES: DataFile = data_file!("buryat_female_names.csv");
const BURYAT_SURNAMES: DataFile = data_file!("buryat_surnames.csv");
const TOS_WORDS: DataFile = data_file!("tos_words.csv");
const STREETS: DataFile = data_file!("streets.csv");
const NOTES: DataFile = data_file!("notes.csv");
const SUBJECTS: DataFile = data_file!("subjects.csv");

impl Tables {
    fn read() -> Result<Tables, String> {
        Ok(Tables {
            places: places(PLACES)?,
            russian: Names {
                male: rows(MALE_NAMES)?,
                female: column(FEMALE_NAMES)?,
                surnames: column(SURNAMES)?,
            },
            buryat: Names {
                male: rows(BURYAT_MALE_NAMES)?,
                female: column(BURYAT_FEMALE_NAMES)?,
                surnames: column(BURYAT_SURNAMES)?,
            },
            tos_words: column(TOS_WORDS)?,
            streets: column(STREETS)?,
            notes: column(NOTES)?,
            subjects: subjects(SUBJECTS)?,
        })
    }
}

/// The rows of a file with their line numbers. Every cell must hold
/// something, without spaces at its edges (the CSV files written from these
/// tables quote only what needs quoting, and spaces would be lost on import),
/// and there must be at least one row.
fn rows_at<T: DeserializeOwned>((file, text): DataFile) -> Result<Vec<(u64, T)>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| format!("{file}: {e}"))?
        .clone();
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| format!("{file}: {e}"))?;
        let line = record.position().map_or(0, |p| p.line());
        if let Some(cell) = record
            .iter()
            .find(|c| c.is_empty() || c.trim() != *c || c.starts_with('#'))
        {
            return Err(format!(
                "{file}:{line}: the cell '{cell}' is empty, begins with '#' or has spaces at its edges"
            ));
        }
        let row = record
            .deserialize(Some(&headers))
            .map_err(|e| format!("{file}:{line}: {e}"))?;
        out.push((line, row));
    }
    if out.is_empty() {
        return Err(format!("{file}: no rows"));
    }
    Ok(out)
}

fn rows<T: DeserializeOwned>(file: DataFile) -> Result<Vec<T>, String> {
    Ok(rows_at(file)?.into_iter().map(|(_, row)| row).collect())
}

/// A file of one column.
fn column(file: DataFile) -> Result<Vec<String>, String> {
    Ok(rows::<(String,)>(file)?.into_iter().map(|(s,)| s).collect())
}

#[derive(Deserialize)]
struct PlaceRow {
    name: String,
    town: String,
    kind: String,
    latitude: f64,
    longitude: f64,
    weight: f64,
    buryat: bool,
}

fn places(file: DataFile) -> Result<Vec<Place>, String> {
    let name = file.0;
    let mut out: Vec<Place> = Vec::new();
    let mut seen = HashSet::new();
    for (line, row) in rows_at::<PlaceRow>(file)? {
        let at = format!("{name}:{line}");
        let kind = Kind::from_code(&row.kind)
            .ok_or_else(|| format!("{at}: kind '{}' is not rural, urban or city", row.kind))?;
        if !(-90.0..=90.0).contains(&row.latitude) || !(-180.0..=180.0).contains(&row.longitude) {
            return Err(format!("{at}: the coordinates are out of range"));
        }
        if !(row.weight.is_finite() && row.weight > 0.0) {
            return Err(format!("{at}: the weight must be a positive number"));
        }
        if !seen.insert(row.name.clone()) {
            return Err(format!("{at}: '{}' is listed twice", row.name));
        }
        out.push(Place {
            name: row.name,
            town: row.town,
            kind,
            lat: row.latitude,
            lon: row.longitude,
            weight: row.weight,
            buryat: row.buryat,
        });
    }
    if let Some(k) = Kind::ALL
        .into_iter()
        .find(|k| !out.iter().any(|p| p.kind == *k))
    {
        return Err(format!("{name}: no place of kind {}", k.code()));
    }
    Ok(out)
}

#[derive(Deserialize)]
struct SubjectRow {
    topic: String,
    subject: String,
}

fn subjects(file: DataFile) -> Result<Vec<Vec<String>>, String> {
    let name = file.0;
    let mut out = vec![Vec::new(); Topic::ALL.len()];
    for (line, row) in rows_at::<SubjectRow>(file)? {
        let at = Topic::from_code(&row.topic)
            .and_then(|t| Topic::ALL.iter().position(|x| *x == t))
            .ok_or_else(|| format!("{name}:{line}: '{}' is not a topic's code", row.topic))?;
        out[at].push(row.subject);
    }
    if let Some(t) = Topic::ALL
        .iter()
        .zip(&out)
        .find_map(|(t, s)| s.is_empty().then_some(t))
    {
        return Err(format!("{name}: no subject of the topic {}", t.code()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "name,town,kind,latitude,longitude,weight,buryat\n";

    fn places_of(rows: &str) -> Result<Vec<Place>, String> {
        let text: &'static str = format!("# A comment.\n{HEADER}{rows}").leak();
        places(("places.csv", text))
    }

    #[test]
    fn the_built_in_tables_read() {
        let t = tables();
        assert_eq!(t.places.len(), 44);
        assert_eq!(t.places[REGIONAL_CENTRE].town, "Иркутск");
        assert_eq!(t.places[REGIONAL_CENTRE].kind, Kind::City);
        let angarsk = &t.places[1];
        assert_eq!(
            (
                angarsk.town.as_str(),
                angarsk.lat,
                angarsk.lon,
                angarsk.weight
            ),
            ("Ангарск", 52.5448, 103.8885, 12.0)
        );
        assert!(t.places.iter().any(|p| p.buryat));
        assert_eq!(t.russian.male[0].son, "Александрович");
        assert_eq!(t.russian.surnames.len(), 150);
        assert_eq!(t.buryat.female.len(), 9);
        // A quoted cell with a comma.
        assert!(
            t.notes
                .iter()
                .any(|n| n == "Заявка подана на бумаге, скан в папке")
        );
        for topic in Topic::ALL {
            assert!(!t.subjects(topic).is_empty(), "{topic:?}");
        }
        assert_eq!(
            t.subjects(Topic::ResourceCentres)[2],
            "Поддержка ТОС: консультации ресурсных центров"
        );
    }

    #[test]
    fn a_bad_place_is_refused_with_its_line() {
        let good = "г. Иркутск,Иркутск,city,52.2870,104.3050,30.0,false\n\
                    Хужирское МО,Хужир,rural,53.1933,107.3381,2.0,true\n\
                    Култукское МО,Култук,urban,51.7232,103.6991,2.0,false\n";
        assert_eq!(places_of(good).unwrap().len(), 3);
        let cases = [
            (
                "Х,Х,village,53.0,107.0,2.0,true\n",
                "places.csv:4: kind 'village' is not rural, urban or city",
            ),
            (
                "Х,Х,rural,153.0,107.0,2.0,true\n",
                "places.csv:4: the coordinates are out of range",
            ),
            (
                "Х,Х,rural,53.0,107.0,0,true\n",
                "places.csv:4: the weight must be a positive number",
            ),
            (
                "Х,Х,rural,53.0,107.0,1,yes\n",
                "places.csv:4: CSV deserialize error",
            ),
            (
                "Х,Х ,rural,53.0,107.0,1,true\n",
                "places.csv:4: the cell 'Х ' is empty",
            ),
            (
                "Х,,rural,53.0,107.0,1,true\n",
                "places.csv:4: the cell '' is empty",
            ),
            (
                "г. Иркутск,Иркутск,city,52.2870,104.3050,30.0,false\n",
                "places.csv:6: 'г. Иркутск' is listed twice",
            ),
        ];
        for (bad, message) in cases {
            // The bad row after Irkutsk, or (a duplicate) after the good rows.
            let text = if message.contains("twice") {
                format!("{good}{bad}")
            } else {
                format!("г. Иркутск,Иркутск,city,52.2870,104.3050,30.0,false\n{bad}")
            };
            let err = places_of(&text).unwrap_err();
            assert!(err.starts_with(message), "{err}");
        }
        let err = places_of("г. Иркутск,Иркутск,city,52.2870,104.3050,30.0,false\n").unwrap_err();
        assert_eq!(err, "places.csv: no place of kind rural");
        assert_eq!(places_of("").unwrap_err(), "places.csv: no rows");
    }

    #[test]
    fn subjects_need_known_topics_and_every_topic() {
        let all: String = Topic::ALL
            .iter()
            .map(|t| format!("{},Тема\n", t.code()))
            .collect();
        let read = |rows: &str| {
            let text: &'static str = format!("topic,subject\n{rows}").leak();
            subjects(("subjects.csv", text))
        };
        assert_eq!(read(&all).unwrap().len(), Topic::ALL.len());
        assert_eq!(
            read(&format!("{all}gardening,Огород\n")).unwrap_err(),
            format!(
                "subjects.csv:{}: 'gardening' is not a topic's code",
                Topic::ALL.len() + 2
            )
        );
        let without_volunteers: String = all
            .lines()
            .filter(|l| !l.starts_with("volunteers"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(
            read(&without_volunteers).unwrap_err(),
            "subjects.csv: no subject of the topic volunteers"
        );
    }
}
