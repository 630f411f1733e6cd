//! Reading the values people type into spreadsheets: numbers with a decimal
//! comma, dates in Russian and ISO order, topic and format names in Russian
//! or as codes.

use super::Message;
use crate::domain::mentoring::Formats;
use crate::domain::people::Role;
use crate::domain::topic::{EventFormat, Topic};
use chrono::NaiveDate;

/// Lower case, `ё` → `е`, single spaces, no surrounding quotes or colons:
/// the form headers and words are compared in.
pub fn normalize(s: &str) -> String {
    let lowered: String = s
        .trim()
        .trim_matches(|c| matches!(c, '"' | '\'' | ':' | '*'))
        .chars()
        .map(|c| match c {
            'ё' | 'Ё' => 'е',
            '_' => ' ',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect();
    lowered.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The form header and value names are matched in: [`normalize`]d, with no
/// quotes of any kind, spaces, dots, hyphens or underscores, so that «Ф.И.О»,
/// «ф. и. о.» and `ФИО` are one name, and «Городской  округ» is "городской округ".
pub fn key(s: &str) -> String {
    normalize(s)
        .chars()
        .filter(|c| {
            !c.is_whitespace()
                && !matches!(
                    c,
                    '.' | '-' | '_' | '"' | '\'' | '«' | '»' | '„' | '“' | '”' | '‘' | '’'
                )
        })
        .collect()
}

/// How many characters must be inserted, removed or replaced to turn `a`
/// into `b` (Levenshtein).
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (diagonal + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// A whole number: `3`, ` 3 `, `3.0`, `3,0`.
pub fn parse_count(s: &str) -> Result<u32, Message> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(0);
    }
    let not_whole = || Message::new("import.cell.not_whole").with("value", s);
    let v = parse_decimal(t).map_err(|_| not_whole())?;
    if v < 0.0 {
        return Err(Message::new("import.cell.negative").with("value", s));
    }
    if v.fract() != 0.0 {
        return Err(not_whole());
    }
    if v > 1_000_000.0 {
        return Err(Message::new("import.cell.count_too_big").with("value", s));
    }
    Ok(v as u32)
}

/// A decimal number; a decimal comma is accepted (`3,5`), as are spaces
/// between thousands (`1 000,5`).
pub fn parse_decimal(s: &str) -> Result<f64, Message> {
    let t: String = s
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    let not_number = || Message::new("import.cell.not_number").with("value", s);
    if t.is_empty() || t.matches('.').count() > 1 {
        return Err(not_number());
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(not_number()),
    }
}

/// A date: `2021-01-15`, `15.01.2021`, `15.01.21`, `15/01/2021`, or a
/// spreadsheet date-time with a zero time.
pub fn parse_date(s: &str) -> Result<NaiveDate, Message> {
    let t = s.trim();
    // A date with a time of day ("2021-02-10 18:03:12", "10.02.2021 18:03",
    // "2021-02-10T18:03:12Z"): the day is what counts.
    let t = t
        .split_once(['T', ' '])
        .filter(|(_, time)| time.contains(':'))
        .map_or(t, |(day, _)| day);
    // Two-digit years only in the dotted form, and only when the year has two
    // digits (chrono's %y would also read "2021" as "20").
    if let Some((dm, y)) = t.rsplit_once('.')
        && y.len() == 2
        && y.chars().all(|c| c.is_ascii_digit())
        && let Ok(d) = NaiveDate::parse_from_str(&format!("{dm}.20{y}"), "%d.%m.%Y")
    {
        return Ok(d);
    }
    for f in ["%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"] {
        if let Ok(d) = NaiveDate::parse_from_str(t, f)
            && (1900..=2100).contains(&chrono::Datelike::year(&d))
        {
            return Ok(d);
        }
    }
    Err(Message::new("import.cell.not_date").with("value", s))
}

/// Russian words that name each topic (compared after [`normalize`]).
const TOPIC_WORDS: &[(Topic, &[&str])] = &[
    (
        Topic::RussiaAndAbroad,
        &["за рубежом", "в россии и", "формирование и развитие"],
    ),
    (Topic::SocialEntrepreneurship, &["предпринимательств"]),
    (Topic::ResourceCentres, &["ресурсн"]),
    (Topic::NationalProjects, &["национальн", "нацпроект"]),
    (
        Topic::ItMedia,
        &["информационн", "социальн сет", "соцсет", "it", "ит"],
    ),
    (Topic::Organisation, &["организаци"]),
    (Topic::Economics, &["экономик", "финанс", "фандрайз"]),
    (Topic::Research, &["исследовани", "изучени"]),
    (Topic::Management, &["менеджмент", "соседск", "управлени"]),
    (Topic::Partnership, &["партнерств"]),
    (Topic::Volunteers, &["волонтер", "добровол"]),
];

/// A topic by code (`economics`), number (`3`) or Russian name («Экономика ТОС»).
pub fn parse_topic(s: &str) -> Result<Topic, Message> {
    if let Some(t) = Topic::parse(s) {
        return Ok(t);
    }
    let n = normalize(s);
    let words: Vec<&str> = n.split(|c: char| !c.is_alphanumeric()).collect();
    for (topic, keys) in TOPIC_WORDS {
        for k in *keys {
            let hit = if k.len() <= 2 {
                words.contains(k)
            } else {
                n.contains(k)
            };
            if hit {
                return Ok(*topic);
            }
        }
    }
    Err(Message::new("import.cell.topic")
        .with("value", s)
        .with("codes", Topic::ALL.map(|t| t.code()).join(", ")))
}

/// Several topics separated by `,`, `;` or `|`.
pub fn parse_topics(s: &str) -> Result<Vec<Topic>, Message> {
    let mut out = Vec::new();
    for part in split_list(s) {
        let t = parse_topic(part)?;
        if !out.contains(&t) {
            out.push(t);
        }
    }
    Ok(out)
}

/// Splits a list cell on `,`, `;`, `|` or new lines.
pub fn split_list(s: &str) -> impl Iterator<Item = &str> {
    s.split([',', ';', '|', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
}

/// An event format by code or Russian name («Вебинар»).
pub fn parse_event_format(s: &str) -> Result<EventFormat, Message> {
    if let Some(f) = EventFormat::from_code(s) {
        return Ok(f);
    }
    let n = normalize(s);
    let table = [
        ("вебинар", EventFormat::Webinar),
        ("семинар", EventFormat::Seminar),
        ("тренинг", EventFormat::Training),
        ("стажировк", EventFormat::Internship),
        ("консультаци", EventFormat::Consultation),
        ("форум", EventFormat::Forum),
    ];
    table
        .iter()
        .find(|(w, _)| n.contains(w))
        .map(|(_, f)| *f)
        .ok_or_else(|| {
            Message::new("import.cell.event_format")
                .with("value", s)
                .with("codes", EventFormat::ALL.map(|f| f.code()).join(", "))
        })
}

/// A role by code or Russian name.
pub fn parse_role(s: &str) -> Result<Role, Message> {
    if s.trim().is_empty() {
        return Ok(Role::Juror);
    }
    if let Some(r) = Role::from_code(s) {
        return Ok(r);
    }
    let n = normalize(s);
    if n.contains("координатор") || n.contains("секретар") {
        Ok(Role::Coordinator)
    } else if n.contains("наблюдател") {
        Ok(Role::Observer)
    } else if n.contains("эксперт") || n.contains("жюри") {
        Ok(Role::Juror)
    } else {
        Err(Message::new("import.cell.role").with("value", s))
    }
}

/// Meeting formats: `on_site`, `online`, `any`, or очно / онлайн / любой.
pub fn parse_formats(s: &str) -> Result<Formats, Message> {
    if s.trim().is_empty() {
        return Ok(Formats::BOTH);
    }
    let mut f = Formats::default();
    for part in split_list(s) {
        let n = normalize(part);
        match n.as_str() {
            "on site" | "onsite" | "offline" | "очно" | "очный" | "очная" | "выезд"
            | "выездной" => f.on_site = true,
            "online" | "онлайн" | "дистанционно" | "дистанционный" | "заочно" => {
                f.online = true
            }
            "any" | "both" | "любой" | "любая" | "оба" | "очно и онлайн" => {
                f = Formats::BOTH
            }
            _ => {
                return Err(Message::new("import.cell.formats").with("value", part));
            }
        }
    }
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_headers() {
        assert_eq!(normalize("  Дата  заявки: "), "дата заявки");
        assert_eq!(normalize("Наименование ТОС"), "наименование тос");
        assert_eq!(normalize("full_name"), "full name");
        assert_eq!(normalize("Ёлка"), "елка");
    }

    #[test]
    fn keys_ignore_case_yo_spaces_dots_and_quotes() {
        assert_eq!(key("Ф.И.О"), key("фио"));
        assert_eq!(key("ф. и. о."), key("ФИО"));
        assert_eq!(key("«Городской  округ»"), key("городской округ"));
        assert_eq!(key("„Сёла“"), key("села"));
        assert_eq!(key("full_name"), key("Full name"));
        assert_ne!(key("ГО"), key("ГП"));
    }

    #[test]
    fn distances() {
        assert_eq!(distance("", "го"), 2);
        assert_eq!(distance("городскойокр", "городскойокруг"), 2);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("ёж", "ёж"), 0);
    }

    #[test]
    fn reads_numbers_people_type() {
        assert_eq!(parse_decimal("3,5"), Ok(3.5));
        assert_eq!(parse_decimal(" 1 000,25 "), Ok(1000.25));
        assert!(parse_decimal("3,5,1").is_err());
        assert!(parse_decimal("abc").is_err());
        assert!(parse_decimal("inf").is_err());
        assert_eq!(parse_count("4"), Ok(4));
        assert_eq!(parse_count("4,0"), Ok(4));
        assert_eq!(parse_count(""), Ok(0));
        assert!(
            parse_count("-1")
                .unwrap_err()
                .to_string()
                .contains("negative")
        );
        assert!(
            parse_count("2.5")
                .unwrap_err()
                .to_string()
                .contains("whole")
        );
        assert!(
            parse_count("99999999")
                .unwrap_err()
                .to_string()
                .contains("out of range")
        );
    }

    #[test]
    fn reads_dates_people_type() {
        let d = NaiveDate::from_ymd_opt(2021, 1, 15).unwrap();
        for s in [
            "2021-01-15",
            "15.01.2021",
            "15.01.21",
            "15/01/2021",
            "2021-01-15 00:00:00",
        ] {
            assert_eq!(parse_date(s), Ok(d), "{s}");
        }
        let e = parse_date("January 15").unwrap_err().to_string();
        assert!(e.contains("DD.MM.YYYY"), "{e}");
        assert!(parse_date("31.02.2021").is_err());
    }

    #[test]
    fn reads_topics_by_russian_name() {
        assert_eq!(parse_topic("Экономика ТОС"), Ok(Topic::Economics));
        assert_eq!(parse_topic("Организация ТОС"), Ok(Topic::Organisation));
        assert_eq!(
            parse_topic("Формирование и развитие ТОС в России и за рубежом"),
            Ok(Topic::RussiaAndAbroad)
        );
        assert_eq!(
            parse_topic("Информационные технологии и ТОС"),
            Ok(Topic::ItMedia)
        );
        assert_eq!(
            parse_topic("Волонтёры как ресурс ТОС"),
            Ok(Topic::Volunteers)
        );
        assert_eq!(
            parse_topic("Ресурсные центры для ТОС"),
            Ok(Topic::ResourceCentres)
        );
        assert_eq!(
            parse_topic("Социальное предпринимательство и ТОС"),
            Ok(Topic::SocialEntrepreneurship)
        );
        assert_eq!(
            parse_topic("Национальные проекты и ТОС"),
            Ok(Topic::NationalProjects)
        );
        assert_eq!(parse_topic("Партнёрство ТОС"), Ok(Topic::Partnership));
        assert_eq!(parse_topic("Менеджмент ТОС"), Ok(Topic::Management));
        assert_eq!(parse_topic("Исследование ТОС"), Ok(Topic::Research));
        assert_eq!(parse_topic("7"), Ok(Topic::ItMedia));
        assert!(parse_topic("Кулинария").is_err());
    }

    #[test]
    fn reads_formats() {
        assert_eq!(parse_event_format("Вебинар"), Ok(EventFormat::Webinar));
        assert_eq!(
            parse_event_format("выездной семинар"),
            Ok(EventFormat::Seminar)
        );
        assert!(parse_event_format("лекция").is_err());
        let f = parse_formats("очно, онлайн").unwrap();
        assert!(f.on_site && f.online);
        let f = parse_formats("online").unwrap();
        assert!(!f.on_site && f.online);
        assert!(parse_formats("по почте").is_err());
    }
}
