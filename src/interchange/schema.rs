//! The columns of each kind of file, with the headers people write for them.
//!
//! A header matches a field when, after [`normalize`], it equals the field's
//! name or one of its aliases: `full_name`, «ФИО», «Ф.И.О.» and «Участник»
//! all mean the participant's full name. Unknown columns are ignored with a
//! warning; a missing required column refuses the file.

use super::table::Table;
use super::text::normalize;
use super::{ImportError, Problem};
use crate::service::ImportKind;

/// One column of a kind of file.
#[derive(Clone, Copy, Debug)]
pub struct Field {
    /// The canonical English header, also the field's name in messages.
    pub name: &'static str,
    pub required: bool,
    /// Other headers that mean this field (compared after normalising).
    pub aliases: &'static [&'static str],
    /// An example value, for the README and error messages.
    pub example: &'static str,
}

const fn req(name: &'static str, aliases: &'static [&'static str], example: &'static str) -> Field {
    Field {
        name,
        required: true,
        aliases,
        example,
    }
}

const fn opt(name: &'static str, aliases: &'static [&'static str], example: &'static str) -> Field {
    Field {
        name,
        required: false,
        aliases,
        example,
    }
}

const PARTICIPANTS: &[Field] = &[
    req(
        "id",
        &[
            "№",
            "номер",
            "код",
            "идентификатор",
            "id участника",
            "participant id",
        ],
        "P001",
    ),
    req(
        "full_name",
        &[
            "фио",
            "ф.и.о.",
            "ф. и. о.",
            "ф.и.о",
            "участник",
            "слушатель",
            "name",
            "полное имя",
        ],
        "Иванова Анна Петровна",
    ),
    req(
        "tos_name",
        &["наименование тос", "название тос", "тос", "tos"],
        "ТОС «Рассвет»",
    ),
    req(
        "municipality",
        &["муниципальное образование", "мо", "муниципалитет", "район"],
        "Ангарский городской округ",
    ),
    req(
        "group",
        &["группа", "территориальная группа", "номинация", "категория"],
        "city",
    ),
    opt(
        "email",
        &["e-mail", "электронная почта", "почта", "эл. почта"],
        "ivanova@example.ru",
    ),
    opt(
        "phone",
        &["телефон", "тел.", "тел", "контактный телефон"],
        "+7 902 000-00-01",
    ),
    req(
        "application_date",
        &[
            "дата заявки",
            "дата подачи заявки",
            "дата подачи",
            "дата регистрации",
        ],
        "15.01.2021",
    ),
    opt(
        "implemented_projects",
        &[
            "реализованные проекты",
            "реализовано проектов",
            "число проектов",
            "проекты",
        ],
        "3",
    ),
    opt("awards", &["награды", "число наград"], "2"),
    opt("reviews", &["отзывы", "число отзывов"], "1"),
    opt(
        "mentoring_experience",
        &["опыт наставничества", "наставничество"],
        "0",
    ),
    opt(
        "site_activity",
        &[
            "активность на сайте",
            "публикации на сайте",
            "публикаций на сайте",
        ],
        "4",
    ),
    opt(
        "creative_tasks",
        &["творческие задания", "выполнено творческих заданий"],
        "2",
    ),
    opt(
        "notes",
        &["примечание", "примечания", "комментарий", "заметки"],
        "",
    ),
];

const JURORS: &[Field] = &[
    req(
        "id",
        &["№", "номер", "код", "идентификатор", "juror id", "логин"],
        "J01",
    ),
    req(
        "full_name",
        &[
            "фио",
            "ф.и.о.",
            "ф. и. о.",
            "ф.и.о",
            "эксперт",
            "член жюри",
            "name",
        ],
        "Петров Сергей Иванович",
    ),
    opt("role", &["роль"], "juror"),
    opt(
        "email",
        &["e-mail", "электронная почта", "почта"],
        "petrov@example.ru",
    ),
    opt(
        "municipality",
        &["муниципальное образование", "мо", "муниципалитет"],
        "Иркутск",
    ),
    opt("tos_name", &["наименование тос", "тос", "tos"], ""),
    opt(
        "ssh_key",
        &[
            "ключ ssh",
            "ssh ключ",
            "ключ",
            "public key",
            "ssh public key",
        ],
        "ssh-ed25519 AAAA... petrov@laptop",
    ),
    opt(
        "conflicts",
        &["конфликты", "конфликт интересов", "отводы"],
        "P017, P042",
    ),
];

const EVENTS: &[Field] = &[
    req("id", &["№", "номер", "код", "event id"], "E001"),
    req(
        "title",
        &["название", "наименование", "тема занятия", "мероприятие"],
        "Фандрайзинг для ТОС",
    ),
    req(
        "topic",
        &["тема", "направление", "тема обучения"],
        "economics",
    ),
    req("format", &["формат", "вид", "форма"], "webinar"),
    req(
        "start",
        &["дата", "дата начала", "начало", "date", "start date"],
        "2021-02-10",
    ),
    opt(
        "end",
        &["дата окончания", "окончание", "end date"],
        "2021-02-10",
    ),
    opt("hours", &["часы", "часов", "академических часов"], "2"),
    opt("place", &["место", "место проведения", "площадка"], "Zoom"),
];

/// Attendance comes in three shapes (see [`super::records`]): a row per
/// listener per event (`event_id` column); a sign-in matrix with a column per
/// event (headed by the event's id); or a webinar platform's export of one
/// event (`--event`). The listener is named by id, e-mail or full name.
const ATTENDANCE: &[Field] = &[
    opt(
        "participant_id",
        &[
            "id участника",
            "слушатель id",
            "listener id",
            "participant",
            "id",
        ],
        "P001",
    ),
    opt(
        "full_name",
        &[
            "фио",
            "ф.и.о.",
            "ф. и. о.",
            "участник",
            "слушатель",
            "name",
            "имя",
            "имя участника",
            "user name",
        ],
        "Иванова Анна Петровна",
    ),
    opt(
        "email",
        &[
            "e-mail",
            "электронная почта",
            "почта",
            "user email",
            "адрес электронной почты",
        ],
        "ivanova@example.ru",
    ),
    opt(
        "event_id",
        &["id мероприятия", "мероприятие", "event"],
        "E001",
    ),
    opt(
        "date",
        &[
            "дата",
            "дата посещения",
            "join time",
            "время входа",
            "время подключения",
            "первое подключение",
        ],
        "2021-02-10",
    ),
];

const MENTORS: &[Field] = &[
    req("id", &["№", "номер", "код", "mentor id"], "M01"),
    opt("participant_id", &["id участника", "участник"], "P001"),
    req(
        "full_name",
        &["фио", "ф.и.о.", "ф. и. о.", "наставник", "name"],
        "Иванова Анна Петровна",
    ),
    opt(
        "tos_name",
        &["наименование тос", "тос", "tos"],
        "ТОС «Рассвет»",
    ),
    req(
        "municipality",
        &["муниципальное образование", "мо", "муниципалитет"],
        "Ангарский городской округ",
    ),
    opt(
        "capacity",
        &["вместимость", "мест", "число стажеров", "стажеров"],
        "3",
    ),
    req(
        "topics",
        &["темы", "компетенции", "темы наставничества"],
        "economics:3; partnership:2",
    ),
    opt("formats", &["формат", "форматы"], "on_site, online"),
    opt(
        "preferred_interns",
        &["предпочтения", "предпочитаемые стажеры"],
        "I004, I010",
    ),
];

const INTERNS: &[Field] = &[
    req("id", &["№", "номер", "код", "intern id"], "I001"),
    req(
        "full_name",
        &["фио", "ф.и.о.", "ф. и. о.", "стажер", "name"],
        "Сидорова Ольга",
    ),
    opt(
        "tos_name",
        &["наименование тос", "тос", "tos"],
        "ТОС «Надежда»",
    ),
    req(
        "municipality",
        &["муниципальное образование", "мо", "муниципалитет"],
        "Зиминский район",
    ),
    req(
        "topics",
        &["темы", "нужные темы", "запрос"],
        "economics; it_media",
    ),
    opt("formats", &["формат", "форматы"], "online"),
    opt(
        "preferred_mentors",
        &["предпочтения", "предпочитаемые наставники", "наставники"],
        "M03, M01",
    ),
];

const MUNICIPALITIES: &[Field] = &[
    req(
        "name",
        &[
            "муниципальное образование",
            "название",
            "наименование",
            "мо",
        ],
        "Ангарский городской округ",
    ),
    opt("kind", &["тип", "вид"], "city"),
    req("latitude", &["широта", "lat"], "52.5448"),
    req("longitude", &["долгота", "lon", "lng"], "103.8885"),
];

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
    pub fn resolve(kind: ImportKind, table: &Table) -> Result<(Mapping, Vec<String>), ImportError> {
        let fields = fields(kind);
        let mut mapping = Mapping::default();
        let mut warnings = Vec::new();
        let mut problems = Vec::new();
        for (i, header) in table.headers.iter().enumerate() {
            let n = normalize(header);
            if n.is_empty() {
                continue;
            }
            let field = fields
                .iter()
                .find(|f| normalize(f.name) == n || f.aliases.iter().any(|a| normalize(a) == n));
            match field {
                Some(f) => {
                    if let Some((_, _, first)) =
                        mapping.columns.iter().find(|(name, _, _)| *name == f.name)
                    {
                        problems.push(Problem::at(
                            table.header_line,
                            Some(header.clone()),
                            format!("this column and «{first}» both mean {}; keep one", f.name),
                        ));
                    } else {
                        mapping.columns.push((f.name, i, header.clone()));
                    }
                }
                None => warnings.push(format!(
                    "{}:{}: column «{header}» is not one of the {} columns and is ignored (known: {})",
                    table.file,
                    table.header_line,
                    kind.name(),
                    fields.iter().map(|f| f.name).collect::<Vec<_>>().join(", ")
                )),
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
                    format!(
                        "the header is one cell, «{}»: its columns seem to be separated by «{sep}»; konkurs reads cells separated by a comma, a semicolon or a tab",
                        cut_text(only, 60)
                    ),
                ),
            ));
        }
        for f in missing {
            problems.push(Problem::at(
                table.header_line,
                None,
                format!(
                    "the required column {} is missing (it may also be called {}); the header has: {}",
                    f.name,
                    f.aliases
                        .iter()
                        .filter(|a| !a.is_ascii())
                        .take(3)
                        .map(|a| format!("«{a}»"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    table.headers.join(", ")
                ),
            ));
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
