//! The columns of each kind of file, with the headers people write for them.
//!
//! A header matches a field when, compared by [`key`], it equals the field's
//! name or one of its aliases: `full_name`, «ФИО», «Ф.И.О.» and «Участник»
//! all mean the full name, in every kind of file that has one. Unknown columns are ignored with a
//! warning; a missing required column refuses the file.

use super::table::Table;
use super::text::key;
use super::{Arg, ImportError, Message, Problem, Warning};
use crate::service::ImportKind;

/// The headers people write for each field, whatever the kind of file: one
/// table, so that a mentors file reads «Ф.И.О» and «район» as a
/// participants file does. Compared by [`key`]; the first three Russian
/// ones are named when a required column is missing.
const ALIASES: &[(&str, &[&str])] = &[
    (
        "id",
        &[
            "№",
            "номер",
            "код",
            "идентификатор",
            "логин",
            "participant id",
            "juror id",
            "event id",
            "mentor id",
            "intern id",
        ],
    ),
    (
        "participant_id",
        &[
            "id участника",
            "код участника",
            "id слушателя",
            "слушатель id",
            "listener id",
            "participant",
        ],
    ),
    (
        "full_name",
        &[
            "фио",
            "полное имя",
            "участник",
            "слушатель",
            "эксперт",
            "член жюри",
            "наставник",
            "стажер",
            "name",
            "имя",
            "имя участника",
            "user name",
        ],
    ),
    (
        "tos_name",
        &["наименование тос", "название тос", "тос", "tos"],
    ),
    (
        "municipality",
        &["муниципальное образование", "мо", "муниципалитет", "район"],
    ),
    (
        "group",
        &["группа", "территориальная группа", "номинация", "категория"],
    ),
    (
        "email",
        &[
            "e-mail",
            "электронная почта",
            "почта",
            "эл. почта",
            "адрес электронной почты",
            "user email",
        ],
    ),
    ("phone", &["телефон", "тел.", "контактный телефон"]),
    (
        "application_date",
        &[
            "дата заявки",
            "дата подачи заявки",
            "дата подачи",
            "дата регистрации",
        ],
    ),
    (
        "implemented_projects",
        &[
            "реализованные проекты",
            "реализовано проектов",
            "число проектов",
            "проекты",
        ],
    ),
    ("awards", &["награды", "число наград"]),
    ("reviews", &["отзывы", "число отзывов"]),
    (
        "mentoring_experience",
        &["опыт наставничества", "наставничество"],
    ),
    (
        "site_activity",
        &[
            "активность на сайте",
            "публикации на сайте",
            "публикаций на сайте",
        ],
    ),
    (
        "creative_tasks",
        &["творческие задания", "выполнено творческих заданий"],
    ),
    (
        "notes",
        &["примечание", "примечания", "комментарий", "заметки"],
    ),
    ("role", &["роль"]),
    (
        "ssh_key",
        &[
            "ключ ssh",
            "ssh ключ",
            "ключ",
            "public key",
            "ssh public key",
        ],
    ),
    ("conflicts", &["конфликты", "конфликт интересов", "отводы"]),
    (
        "title",
        &["название", "наименование", "тема занятия", "мероприятие"],
    ),
    ("topic", &["тема", "направление", "тема обучения"]),
    ("format", &["формат", "вид", "форма"]),
    (
        "start",
        &["дата", "дата начала", "начало", "date", "start date"],
    ),
    ("end", &["дата окончания", "окончание", "end date"]),
    ("hours", &["часы", "часов", "академических часов"]),
    ("place", &["место", "место проведения", "площадка"]),
    (
        "event_id",
        &["id мероприятия", "код мероприятия", "мероприятие", "event"],
    ),
    (
        "date",
        &[
            "дата",
            "дата посещения",
            "join time",
            "время входа",
            "время подключения",
            "первое подключение",
        ],
    ),
    (
        "capacity",
        &["вместимость", "мест", "число стажеров", "стажеров"],
    ),
    (
        "topics",
        &[
            "темы",
            "компетенции",
            "темы наставничества",
            "нужные темы",
            "запрос",
        ],
    ),
    ("formats", &["форматы", "формат встреч", "формат"]),
    (
        "preferred_interns",
        &["предпочтения", "предпочитаемые стажеры"],
    ),
    (
        "preferred_mentors",
        &["предпочтения", "предпочитаемые наставники", "наставники"],
    ),
    (
        "name",
        &[
            "муниципальное образование",
            "название",
            "наименование",
            "мо",
        ],
    ),
    ("kind", &["тип", "вид"]),
    ("latitude", &["широта", "lat"]),
    ("longitude", &["долгота", "lon", "lng"]),
];

/// One column of a kind of file.
#[derive(Clone, Copy, Debug)]
pub struct Field {
    /// The canonical English header, also the field's name in messages.
    pub name: &'static str,
    pub required: bool,
    /// An example value, for the README and error messages.
    pub example: &'static str,
}

impl Field {
    /// Other headers that mean this field (compared by [`key`]).
    pub fn aliases(&self) -> &'static [&'static str] {
        ALIASES
            .iter()
            .find(|(name, _)| *name == self.name)
            .map_or(&[], |(_, a)| a)
    }
}

const fn req(name: &'static str, example: &'static str) -> Field {
    Field {
        name,
        required: true,
        example,
    }
}

const fn opt(name: &'static str, example: &'static str) -> Field {
    Field {
        name,
        required: false,
        example,
    }
}

/// A participant's group may also come from the kind of their municipality
/// (see [`super::records`]), so the column is optional here.
const PARTICIPANTS: &[Field] = &[
    req("id", "P001"),
    req("full_name", "Иванова Анна Петровна"),
    req("tos_name", "ТОС «Рассвет»"),
    req("municipality", "Ангарский городской округ"),
    opt("group", "city"),
    opt("email", "ivanova@example.ru"),
    opt("phone", "+7 902 000-00-01"),
    req("application_date", "15.01.2021"),
    opt("implemented_projects", "3"),
    opt("awards", "2"),
    opt("reviews", "1"),
    opt("mentoring_experience", "0"),
    opt("site_activity", "4"),
    opt("creative_tasks", "2"),
    opt("notes", ""),
];

const JURORS: &[Field] = &[
    req("id", "J01"),
    req("full_name", "Петров Сергей Иванович"),
    opt("role", "juror"),
    opt("email", "petrov@example.ru"),
    opt("municipality", "Иркутск"),
    opt("tos_name", ""),
    opt("ssh_key", "ssh-ed25519 AAAA... petrov@laptop"),
    opt("conflicts", "P017, P042"),
];

const EVENTS: &[Field] = &[
    req("id", "E001"),
    req("title", "Фандрайзинг для ТОС"),
    req("topic", "economics"),
    req("format", "webinar"),
    req("start", "2021-02-10"),
    opt("end", "2021-02-10"),
    opt("hours", "2"),
    opt("place", "Zoom"),
];

/// Attendance comes in three shapes (see [`super::records`]): a row per
/// listener per event (`event_id` column); a sign-in matrix with a column per
/// event (headed by the event's id); or a webinar platform's export of one
/// event (`--event`). The listener is named by id, e-mail or full name.
const ATTENDANCE: &[Field] = &[
    opt("participant_id", "P001"),
    opt("full_name", "Иванова Анна Петровна"),
    opt("email", "ivanova@example.ru"),
    opt("event_id", "E001"),
    opt("date", "2021-02-10"),
];

const MENTORS: &[Field] = &[
    req("id", "M01"),
    opt("participant_id", "P001"),
    req("full_name", "Иванова Анна Петровна"),
    opt("tos_name", "ТОС «Рассвет»"),
    req("municipality", "Ангарский городской округ"),
    opt("capacity", "3"),
    req("topics", "economics:3; partnership:2"),
    opt("formats", "on_site, online"),
    opt("preferred_interns", "I004, I010"),
];

const INTERNS: &[Field] = &[
    req("id", "I001"),
    req("full_name", "Сидорова Ольга"),
    opt("tos_name", "ТОС «Надежда»"),
    req("municipality", "Зиминский район"),
    req("topics", "economics; it_media"),
    opt("formats", "online"),
    opt("preferred_mentors", "M03, M01"),
];

const MUNICIPALITIES: &[Field] = &[
    req("name", "Ангарский городской округ"),
    opt("kind", "city"),
    req("latitude", "52.5448"),
    req("longitude", "103.8885"),
];

/// Every kind of file konkurs imports.
pub const KINDS: [ImportKind; 7] = [
    ImportKind::Participants,
    ImportKind::Jurors,
    ImportKind::Events,
    ImportKind::Attendance,
    ImportKind::Mentors,
    ImportKind::Interns,
    ImportKind::Municipalities,
];

/// The catalogue's word for a kind of file («participants», «участников»).
fn kind_word(kind: ImportKind) -> &'static str {
    match kind {
        ImportKind::Participants => "import.kind.participants",
        ImportKind::Jurors => "import.kind.jurors",
        ImportKind::Events => "import.kind.events",
        ImportKind::Attendance => "import.kind.attendance",
        ImportKind::Mentors => "import.kind.mentors",
        ImportKind::Interns => "import.kind.interns",
        ImportKind::Municipalities => "import.kind.municipalities",
    }
}

/// The columns of a kind of file.
pub fn fields(kind: ImportKind) -> &'static [Field] {
    match kind {
        ImportKind::Participants => PARTICIPANTS,
        ImportKind::Jurors => JURORS,
        ImportKind::Events => EVENTS,
        ImportKind::Attendance => ATTENDANCE,
        ImportKind::Mentors => MENTORS,
        ImportKind::Interns => INTERNS,
        ImportKind::Municipalities => MUNICIPALITIES,
    }
}

/// The field of `kind` a header means: the field of that name, or else the
/// field that has it as an alias.
pub fn field_of(kind: ImportKind, header: &str) -> Option<&'static Field> {
    let k = key(header);
    let fields = fields(kind);
    fields.iter().find(|f| key(f.name) == k).or_else(|| {
        fields
            .iter()
            .find(|f| f.aliases().iter().any(|a| key(a) == k))
    })
}

/// The problem of a file without a column it needs: the field, what else
/// it may be called, and what the header has.
pub fn missing_column(table: &Table, field: &Field) -> Problem {
    Problem::at(
        table.header_line,
        None,
        Message::new("import.header.missing")
            .with("field", field.name)
            .with(
                "aliases",
                field
                    .aliases()
                    .iter()
                    .filter(|a| !a.is_ascii())
                    .take(3)
                    .map(|a| format!("«{a}»"))
                    .collect::<Vec<_>>()
                    .join(", "),
            )
            .with("headers", table.headers.join(", ")),
    )
}

/// The character a one-cell header seems to separate its columns with, when
/// it is none of those konkurs reads: the most frequent of the usual
/// suspects, if it occurs at least twice.
fn foreign_separator(header: &str) -> Option<char> {
    ['|', ':', '/', '\\', '#', '!', '^', '~']
        .into_iter()
        .map(|c| (header.matches(c).count(), c))
        .filter(|(n, _)| *n >= 2)
        .max_by_key(|(n, _)| *n)
        .map(|(_, c)| c)
}

/// `text` cut to `max` characters with «…» when longer.
fn cut_text(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

/// Which column of a file holds which field.
#[derive(Clone, Debug, Default)]
pub struct Mapping {
    /// `(field name, column index, header as written)`.
    columns: Vec<(&'static str, usize, String)>,
}

impl Mapping {
    /// Matches a table's headers to a kind's fields. Returns the mapping and
    /// warnings for columns it ignores, or an error for a missing required
    /// column or a field given twice.
    pub fn resolve(
        kind: ImportKind,
        table: &Table,
    ) -> Result<(Mapping, Vec<Warning>), ImportError> {
        let fields = fields(kind);
        let mut mapping = Mapping::default();
        let mut warnings = Vec::new();
        let mut problems = Vec::new();
        for (i, header) in table.headers.iter().enumerate() {
            if key(header).is_empty() {
                continue;
            }
            match field_of(kind, header) {
                Some(f) => {
                    if let Some((_, _, first)) =
                        mapping.columns.iter().find(|(name, _, _)| *name == f.name)
                    {
                        problems.push(Problem::at(
                            table.header_line,
                            Some(header.clone()),
                            Message::new("import.header.twice")
                                .with("first", first)
                                .with("field", f.name),
                        ));
                    } else {
                        mapping.columns.push((f.name, i, header.clone()));
                    }
                }
                None => warnings.push(Warning {
                    file: table.file.clone(),
                    problem: Problem::at(
                        table.header_line,
                        Some(header.clone()),
                        Message::new("import.header.unknown")
                            .with("kind", Arg::Key(kind_word(kind)))
                            .with(
                                "known",
                                fields.iter().map(|f| f.name).collect::<Vec<_>>().join(", "),
                            ),
                    ),
                }),
            }
        }
        let missing: Vec<&Field> = fields
            .iter()
            .filter(|f| f.required && mapping.index(f.name).is_none())
            .collect();
        if let (false, [only]) = (missing.is_empty(), table.headers.as_slice())
            && let Some(sep) = foreign_separator(only)
        {
            return Err(ImportError::one(
                &table.file,
                Problem::at(
                    table.header_line,
                    None,
                    Message::new("import.header.one_cell")
                        .with("header", cut_text(only, 60))
                        .with("separator", sep.to_string()),
                ),
            ));
        }
        for f in missing {
            problems.push(missing_column(table, f));
        }
        if problems.is_empty() {
            Ok((mapping, warnings))
        } else {
            Err(ImportError {
                file: table.file.clone(),
                problems,
            })
        }
    }

    /// The column index of a field, if the file has it.
    pub fn index(&self, field: &str) -> Option<usize> {
        self.columns
            .iter()
            .find(|(name, _, _)| *name == field)
            .map(|(_, i, _)| *i)
    }

    /// The header the file uses for a field.
    pub fn header_of(&self, field: &str) -> Option<&str> {
        self.columns
            .iter()
            .find(|(name, _, _)| *name == field)
            .map(|(_, _, h)| h.as_str())
    }

    pub fn has(&self, field: &str) -> bool {
        self.index(field).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Within a kind, no header may mean two fields (a field's own name
    /// wins over another's alias).
    #[test]
    fn no_header_means_two_fields_of_a_kind() {
        for kind in KINDS {
            for f in fields(kind) {
                for a in f.aliases() {
                    if fields(kind).iter().any(|g| key(g.name) == key(a)) {
                        continue;
                    }
                    let got = field_of(kind, a).map(|g| g.name);
                    assert_eq!(got, Some(f.name), "{kind:?}: «{a}» means {got:?}");
                }
            }
        }
    }

    #[test]
    fn every_field_has_its_aliases() {
        for kind in KINDS {
            for f in fields(kind) {
                assert!(
                    !f.aliases().is_empty(),
                    "{kind:?}: {} has no aliases",
                    f.name
                );
            }
        }
    }

    #[test]
    fn every_kind_reads_the_same_headers_for_a_field() {
        for header in ["Ф.И.О", "Полное имя", "ФИО", "ф. и. о."] {
            for kind in [
                ImportKind::Participants,
                ImportKind::Mentors,
                ImportKind::Interns,
                ImportKind::Jurors,
                ImportKind::Attendance,
            ] {
                assert_eq!(
                    field_of(kind, header).map(|f| f.name),
                    Some("full_name"),
                    "{kind:?}: {header}"
                );
            }
        }
        for kind in [
            ImportKind::Participants,
            ImportKind::Mentors,
            ImportKind::Interns,
            ImportKind::Jurors,
        ] {
            assert_eq!(
                field_of(kind, "район").map(|f| f.name),
                Some("municipality")
            );
            assert_eq!(
                field_of(kind, "Название ТОС").map(|f| f.name),
                Some("tos_name")
            );
        }
    }
}
