//! Synthetic contests: a seeded generator of every file a contest needs.
//!
//! [`generate`] writes a realistic and wholly fictional contest of TOS
//! leaders of the Irkutsk region: the regulation, the municipalities with
//! their coordinates, the listeners (who are also the applicants), the jury,
//! the training events and who attended them, the mentors and the interns.
//! Names, e-mails and phones are made up; the municipalities and their
//! coordinates are real.
//!
//! The same options always give byte-identical files: the generator uses
//! its own small PRNG (SplitMix64), one stream per kind of record, and no
//! hash-ordered collections in what it writes.

use crate::domain::regulation::Regulation;
use crate::domain::topic::{EventFormat, Topic};
use chrono::{Duration, NaiveDate};
use std::collections::{BTreeMap, HashMap, HashSet};

/// How big a synthetic contest is, and which one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenOptions {
    /// Listeners of the educational stage (all of them apply to the contest).
    pub participants: usize,
    /// People of the jury: one coordinator, the experts and, from 7 on, one
    /// observer.
    pub jurors: usize,
    /// Training events.
    pub events: usize,
    /// Interns' requests for the mentoring programme.
    pub interns: usize,
    /// Experienced mentors added by hand (not contest participants).
    pub mentors: usize,
    /// Settlements listed besides the real municipalities, each near one of
    /// them, for a region's full list of places: when there are any, every
    /// intern lives in a settlement of their own (while there are enough)
    /// and every mentor in a random one. None by default.
    pub settlements: usize,
    pub seed: u64,
}

impl Default for GenOptions {
    /// The bundled sample contest: 150 listeners, 7 people of the jury,
    /// 44 events, 64 interns and 6 mentors, seed 2021.
    fn default() -> Self {
        GenOptions {
            participants: 150,
            jurors: 7,
            events: 44,
            interns: 64,
            mentors: 6,
            settlements: 0,
            seed: 2021,
        }
    }
}

/// The names of the files [`generate`] returns, in import order.
pub const FILE_NAMES: [&str; 8] = [
    "regulation.toml",
    "municipalities.csv",
    "participants.csv",
    "jurors.csv",
    "events.csv",
    "attendance.csv",
    "mentors.csv",
    "interns.csv",
];

/// The hand-written sample regulation the generated one is derived from.
const SAMPLE_REGULATION: &str = include_str!("../sample-data/regulation.toml");

/// Every file of a synthetic contest: (file name, contents), in import order:
/// regulation.toml, municipalities.csv, participants.csv, jurors.csv,
/// events.csv, attendance.csv, mentors.csv, interns.csv.
///
/// The CSV files are UTF-8 without a BOM, comma-separated, quoted where
/// needed, with the canonical English headers.
///
/// The regulation is `sample-data/regulation.toml` with its group quotas and
/// per-group advancement numbers scaled to the generated group sizes (and
/// `jurors_per_participant` capped at the number of experts). For the
/// default options the groups have exactly the sizes the sample regulation
/// is written for (60 rural, 40 urban, 50 city) and there are 5 experts, so
/// the generated regulation is byte for byte `sample-data/regulation.toml`.
///
/// With zero participants (or events, jurors...) the corresponding files
/// hold only their header, which an import refuses as empty.
pub fn generate(opts: &GenOptions) -> Vec<(String, Vec<u8>)> {
    let listeners = gen_listeners(opts);
    let events = gen_events(opts, &listeners);
    let attendance = gen_attendance(opts, &listeners, &events);
    let jurors = gen_jurors(opts, &listeners);
    let settlements = gen_settlements(opts);
    let mut mentors = gen_mentors(opts);
    let (mut interns, mentor_prefs) = gen_interns(opts, &mentors);
    settle(opts, &settlements, &mut mentors, &mut interns);
    let sizes = group_sizes(opts.participants);
    let experts = jurors.iter().filter(|j| j.role == "juror").count();
    let regulation = regulation_for(&sizes, experts);

    let files: [Vec<u8>; 8] = [
        regulation.into_bytes(),
        write_municipalities(&settlements),
        write_listeners(&listeners),
        write_jurors(&jurors),
        write_events(&events),
        attendance,
        write_mentors(&mentors, &mentor_prefs, &interns, &settlements),
        write_interns(&interns, &mentors, &settlements),
    ];
    FILE_NAMES
        .iter()
        .map(|n| n.to_string())
        .zip(files)
        .collect()
}

// ---------------------------------------------------------------------------
// Randomness

/// SplitMix64: small, fast and good enough for test data.
struct Rng(u64);

impl Rng {
    /// An independent stream of the seed, one per kind of record, so that
    /// changing how many interns there are does not change the listeners.
    fn stream(seed: u64, stream: u64) -> Rng {
        let mut r = Rng(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        r.next_u64();
        r
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in 0..n (n > 0).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in lo..=hi.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.unit();
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    fn poisson(&mut self, lambda: f64) -> u32 {
        if lambda <= 0.0 {
            return 0;
        }
        if lambda > 30.0 {
            return (lambda + lambda.sqrt() * self.normal()).round().max(0.0) as u32;
        }
        let limit = (-lambda).exp();
        let mut k = 0;
        let mut p = self.unit();
        while p > limit {
            k += 1;
            p *= self.unit();
        }
        k
    }

    /// An index drawn with the given (non-negative) weights.
    fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// Cumulative weights for many draws from the same distribution.
struct Weighted {
    cumulative: Vec<f64>,
}

impl Weighted {
    fn new(weights: impl IntoIterator<Item = f64>) -> Weighted {
        let mut total = 0.0;
        let cumulative = weights
            .into_iter()
            .map(|w| {
                total += w;
                total
            })
            .collect();
        Weighted { cumulative }
    }

    fn draw(&self, rng: &mut Rng) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let x = rng.unit() * total;
        self.cumulative
            .partition_point(|c| *c <= x)
            .min(self.cumulative.len().saturating_sub(1))
    }
}

/// The streams of [`Rng::stream`].
const LISTENERS: u64 = 1;
const EVENTS: u64 = 2;
const ATTENDANCE: u64 = 3;
const JURORS: u64 = 4;
const MENTORS: u64 = 5;
const INTERNS: u64 = 6;
const SETTLEMENTS: u64 = 7;

// ---------------------------------------------------------------------------
// Places

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Rural,
    Urban,
    City,
}

impl Kind {
    const ALL: [Kind; 3] = [Kind::Rural, Kind::Urban, Kind::City];

    /// The group id in the regulation, which is also the municipality's kind.
    fn code(self) -> &'static str {
        match self {
            Kind::Rural => "rural",
            Kind::Urban => "urban",
            Kind::City => "city",
        }
    }
}

/// A municipality of the Irkutsk region.
struct Place {
    /// The name used in every file.
    name: &'static str,
    /// The town or village itself, for event venues.
    town: &'static str,
    kind: Kind,
    lat: f64,
    lon: f64,
    /// How many of the region's TOS leaders come from here, relatively.
    weight: f64,
    /// In the Ust-Orda Buryat okrug or on Olkhon: Buryat names are common.
    buryat: bool,
}

const fn place(
    name: &'static str,
    town: &'static str,
    kind: Kind,
    lat: f64,
    lon: f64,
    weight: f64,
    buryat: bool,
) -> Place {
    Place {
        name,
        town,
        kind,
        lat,
        lon,
        weight,
        buryat,
    }
}

use Kind::{City, Rural, Urban};

/// Real municipalities with their real coordinates (the centre of the town
/// or village).
const PLACES: &[Place] = &[
    // City districts.
    place(
        "г. Иркутск",
        "Иркутск",
        City,
        52.2870,
        104.3050,
        30.0,
        false,
    ),
    place(
        "Ангарский городской округ",
        "Ангарск",
        City,
        52.5448,
        103.8885,
        12.0,
        false,
    ),
    place("г. Братск", "Братск", City, 56.1514, 101.6342, 11.0, false),
    place(
        "г. Усолье-Сибирское",
        "Усолье-Сибирское",
        City,
        52.7565,
        103.6388,
        6.0,
        false,
    ),
    place(
        "г. Черемхово",
        "Черемхово",
        City,
        53.1369,
        103.0901,
        5.0,
        false,
    ),
    place("г. Тулун", "Тулун", City, 54.5571, 100.5780, 4.0, false),
    place(
        "г. Усть-Илимск",
        "Усть-Илимск",
        City,
        58.0006,
        102.6619,
        5.0,
        false,
    ),
    place("г. Саянск", "Саянск", City, 54.1101, 102.1690, 4.0, false),
    place("г. Зима", "Зима", City, 53.9205, 102.0492, 3.0, false),
    place("г. Свирск", "Свирск", City, 53.0842, 103.3361, 2.0, false),
    // Urban settlements.
    place(
        "Шелеховское городское поселение (Шелеховский район)",
        "Шелехов",
        Urban,
        52.2103,
        104.0976,
        8.0,
        false,
    ),
    place(
        "Слюдянское городское поселение (Слюдянский район)",
        "Слюдянка",
        Urban,
        51.6562,
        103.7064,
        4.0,
        false,
    ),
    place(
        "Байкальское городское поселение (Слюдянский район)",
        "Байкальск",
        Urban,
        51.5174,
        104.1564,
        3.0,
        false,
    ),
    place(
        "Култукское городское поселение (Слюдянский район)",
        "Култук",
        Urban,
        51.7232,
        103.6991,
        2.0,
        false,
    ),
    place(
        "Тайшетское городское поселение (Тайшетский район)",
        "Тайшет",
        Urban,
        55.9406,
        98.0030,
        5.0,
        false,
    ),
    place(
        "Нижнеудинское городское поселение (Нижнеудинский район)",
        "Нижнеудинск",
        Urban,
        54.9002,
        99.0262,
        4.0,
        false,
    ),
    place(
        "Усть-Кутское городское поселение (Усть-Кутский район)",
        "Усть-Кут",
        Urban,
        56.7928,
        105.7757,
        4.0,
        false,
    ),
    place(
        "Железногорск-Илимское городское поселение (Нижнеилимский район)",
        "Железногорск-Илимский",
        Urban,
        56.5847,
        104.1142,
        3.0,
        false,
    ),
    place(
        "Киренское городское поселение (Киренский район)",
        "Киренск",
        Urban,
        57.7757,
        108.1115,
        2.0,
        false,
    ),
    place(
        "Бодайбинское городское поселение (Бодайбинский район)",
        "Бодайбо",
        Urban,
        57.8506,
        114.1933,
        2.0,
        false,
    ),
    place(
        "Листвянское городское поселение (Иркутский район)",
        "Листвянка",
        Urban,
        51.8531,
        104.8675,
        2.0,
        false,
    ),
    place(
        "Большереченское городское поселение (Иркутский район)",
        "Большая Речка",
        Urban,
        51.9411,
        104.7394,
        2.0,
        false,
    ),
    place(
        "Качугское городское поселение (Качугский район)",
        "Качуг",
        Urban,
        53.9606,
        105.8820,
        2.0,
        false,
    ),
    place(
        "Чунское городское поселение (Чунский район)",
        "Чунский",
        Urban,
        56.0836,
        99.6318,
        2.0,
        false,
    ),
    place(
        "Куйтунское городское поселение (Куйтунский район)",
        "Куйтун",
        Urban,
        54.3419,
        101.5044,
        2.0,
        false,
    ),
    // Rural settlements.
    place(
        "Хомутовское МО (Иркутский район)",
        "Хомутово",
        Rural,
        52.4655,
        104.4040,
        8.0,
        false,
    ),
    place(
        "Оёкское МО (Иркутский район)",
        "Оёк",
        Rural,
        52.5820,
        104.4745,
        4.0,
        false,
    ),
    place(
        "Мамонское МО (Иркутский район)",
        "Мамоны",
        Rural,
        52.3103,
        104.1880,
        4.0,
        false,
    ),
    place(
        "Уриковское МО (Иркутский район)",
        "Урик",
        Rural,
        52.4560,
        104.2150,
        4.0,
        false,
    ),
    place(
        "Смоленское МО (Иркутский район)",
        "Смоленщина",
        Rural,
        52.2620,
        104.1570,
        5.0,
        false,
    ),
    place(
        "Максимовское МО (Иркутский район)",
        "Максимовщина",
        Rural,
        52.3300,
        104.0600,
        3.0,
        false,
    ),
    place(
        "Ушаковское МО (Иркутский район)",
        "Пивовариха",
        Rural,
        52.2190,
        104.4600,
        4.0,
        false,
    ),
    place(
        "Мальтинское МО (Усольский район)",
        "Мальта",
        Rural,
        52.8450,
        103.5200,
        3.0,
        false,
    ),
    place(
        "Голуметское МО (Черемховский район)",
        "Голуметь",
        Rural,
        52.9800,
        102.5100,
        2.0,
        false,
    ),
    place(
        "Кимильтейское МО (Зиминский район)",
        "Кимильтей",
        Rural,
        54.0300,
        101.7600,
        2.0,
        false,
    ),
    place(
        "Шерагульское МО (Тулунский район)",
        "Шерагул",
        Rural,
        54.4100,
        100.8700,
        2.0,
        false,
    ),
    place(
        "МО «Баяндай» (Баяндаевский район)",
        "Баяндай",
        Rural,
        53.0664,
        105.5128,
        3.0,
        true,
    ),
    place(
        "МО «Оса» (Осинский район)",
        "Оса",
        Rural,
        53.3800,
        103.9140,
        3.0,
        true,
    ),
    place(
        "МО «Усть-Ордынское» (Эхирит-Булагатский район)",
        "Усть-Ордынский",
        Rural,
        52.8070,
        104.7620,
        4.0,
        true,
    ),
    place(
        "МО «Бохан» (Боханский район)",
        "Бохан",
        Rural,
        53.1550,
        103.7700,
        3.0,
        true,
    ),
    place(
        "МО «Кутулик» (Аларский район)",
        "Кутулик",
        Rural,
        53.3556,
        102.7767,
        3.0,
        true,
    ),
    place(
        "МО «Новонукутское» (Нукутский район)",
        "Новонукутский",
        Rural,
        53.7000,
        102.7050,
        2.0,
        true,
    ),
    place(
        "Еланцынское МО (Ольхонский район)",
        "Еланцы",
        Rural,
        52.7983,
        106.4050,
        2.0,
        true,
    ),
    place(
        "Хужирское МО (Ольхонский район)",
        "Хужир",
        Rural,
        53.1933,
        107.3381,
        2.0,
        true,
    ),
];

/// The index of Irkutsk in [`PLACES`].
const IRKUTSK: usize = 0;

// ---------------------------------------------------------------------------
// People

/// Male first names with the patronymics they give: (name, son's, daughter's).
const MALE: &[(&str, &str, &str)] = &[
    ("Александр", "Александрович", "Александровна"),
    ("Алексей", "Алексеевич", "Алексеевна"),
    ("Анатолий", "Анатольевич", "Анатольевна"),
    ("Андрей", "Андреевич", "Андреевна"),
    ("Аркадий", "Аркадьевич", "Аркадьевна"),
    ("Артём", "Артёмович", "Артёмовна"),
    ("Борис", "Борисович", "Борисовна"),
    ("Валерий", "Валерьевич", "Валерьевна"),
    ("Василий", "Васильевич", "Васильевна"),
    ("Виктор", "Викторович", "Викторовна"),
    ("Владимир", "Владимирович", "Владимировна"),
    ("Вячеслав", "Вячеславович", "Вячеславовна"),
    ("Геннадий", "Геннадьевич", "Геннадьевна"),
    ("Григорий", "Григорьевич", "Григорьевна"),
    ("Денис", "Денисович", "Денисовна"),
    ("Дмитрий", "Дмитриевич", "Дмитриевна"),
    ("Евгений", "Евгеньевич", "Евгеньевна"),
    ("Иван", "Иванович", "Ивановна"),
    ("Игорь", "Игоревич", "Игоревна"),
    ("Илья", "Ильич", "Ильинична"),
    ("Константин", "Константинович", "Константиновна"),
    ("Леонид", "Леонидович", "Леонидовна"),
    ("Максим", "Максимович", "Максимовна"),
    ("Михаил", "Михайлович", "Михайловна"),
    ("Николай", "Николаевич", "Николаевна"),
    ("Олег", "Олегович", "Олеговна"),
    ("Павел", "Павлович", "Павловна"),
    ("Пётр", "Петрович", "Петровна"),
    ("Роман", "Романович", "Романовна"),
    ("Сергей", "Сергеевич", "Сергеевна"),
    ("Станислав", "Станиславович", "Станиславовна"),
    ("Степан", "Степанович", "Степановна"),
    ("Фёдор", "Фёдорович", "Фёдоровна"),
    ("Юрий", "Юрьевич", "Юрьевна"),
];

const FEMALE: &[&str] = &[
    "Алёна",
    "Анастасия",
    "Анна",
    "Антонина",
    "Валентина",
    "Вера",
    "Виктория",
    "Галина",
    "Евгения",
    "Екатерина",
    "Елена",
    "Жанна",
    "Зинаида",
    "Инна",
    "Ирина",
    "Ксения",
    "Лариса",
    "Лидия",
    "Любовь",
    "Людмила",
    "Марина",
    "Мария",
    "Надежда",
    "Наталья",
    "Нина",
    "Оксана",
    "Ольга",
    "Раиса",
    "Светлана",
    "Тамара",
    "Татьяна",
    "Юлия",
];

/// Surnames in their masculine form; [`feminine`] gives the other.
const SURNAMES: &[&str] = &[
    "Абрамов",
    "Агафонов",
    "Аксёнов",
    "Александров",
    "Алексеев",
    "Андреев",
    "Антонов",
    "Архипов",
    "Баранов",
    "Белов",
    "Белоусов",
    "Белых",
    "Беляев",
    "Богданов",
    "Бондаренко",
    "Борисов",
    "Быков",
    "Васильев",
    "Виноградов",
    "Вишневский",
    "Власов",
    "Волков",
    "Воробьёв",
    "Воронин",
    "Гаврилов",
    "Галкин",
    "Герасимов",
    "Голубев",
    "Гончаров",
    "Горбунов",
    "Гордеев",
    "Григорьев",
    "Гусев",
    "Давыдов",
    "Данилов",
    "Дёмин",
    "Денисов",
    "Дмитриев",
    "Долгих",
    "Егоров",
    "Елисеев",
    "Емельянов",
    "Ермаков",
    "Ефимов",
    "Жуков",
    "Журавлёв",
    "Зайцев",
    "Захаров",
    "Иванов",
    "Ильин",
    "Исаев",
    "Казаков",
    "Калинин",
    "Каменский",
    "Карпов",
    "Киселёв",
    "Климов",
    "Ковалёв",
    "Коваленко",
    "Козлов",
    "Колесников",
    "Комаров",
    "Кондратьев",
    "Коновалов",
    "Котов",
    "Кравчук",
    "Краснов",
    "Крылов",
    "Кудрявцев",
    "Кузнецов",
    "Кузьмин",
    "Куликов",
    "Лазарев",
    "Лебедев",
    "Леонов",
    "Логинов",
    "Лукьянов",
    "Макаров",
    "Максимов",
    "Мальцев",
    "Марков",
    "Мартынов",
    "Маслов",
    "Матвеев",
    "Медведев",
    "Мельников",
    "Миронов",
    "Михайлов",
    "Михеев",
    "Моисеев",
    "Морозов",
    "Назаров",
    "Наумов",
    "Нестеров",
    "Никитин",
    "Никифоров",
    "Николаев",
    "Новиков",
    "Овчинников",
    "Орлов",
    "Осипов",
    "Павлов",
    "Панов",
    "Перевалов",
    "Петров",
    "Плотников",
    "Покровский",
    "Поляков",
    "Пономарёв",
    "Попов",
    "Потапов",
    "Прохоров",
    "Родионов",
    "Романов",
    "Рыбаков",
    "Савельев",
    "Седых",
    "Семёнов",
    "Сергеев",
    "Сидоров",
    "Симонов",
    "Скворцов",
    "Смирнов",
    "Соболев",
    "Соколов",
    "Соловьёв",
    "Сорокин",
    "Степанов",
    "Тарасов",
    "Тимофеев",
    "Титов",
    "Ткаченко",
    "Трофимов",
    "Успенский",
    "Фёдоров",
    "Филатов",
    "Филиппов",
    "Фомин",
    "Фролов",
    "Харитонов",
    "Хохлов",
    "Цветков",
    "Черных",
    "Чернышёв",
    "Шевчук",
    "Шишкин",
    "Шубин",
    "Щербаков",
    "Юдин",
    "Яковлев",
];

const BURYAT_MALE: &[(&str, &str, &str)] = &[
    ("Аюр", "Аюрович", "Аюровна"),
    ("Баир", "Баирович", "Баировна"),
    ("Баяр", "Баярович", "Баяровна"),
    ("Булат", "Булатович", "Булатовна"),
    ("Доржи", "Доржиевич", "Доржиевна"),
    ("Жаргал", "Жаргалович", "Жаргаловна"),
    ("Цырен", "Цыренович", "Цыреновна"),
];

const BURYAT_FEMALE: &[&str] = &[
    "Аюна",
    "Баирма",
    "Дарима",
    "Дулма",
    "Оюна",
    "Саяна",
    "Сэсэг",
    "Туяна",
    "Эржена",
];

const BURYAT_SURNAMES: &[&str] = &[
    "Алсаев",
    "Бадмаев",
    "Батуев",
    "Борходоев",
    "Доржиев",
    "Ербанов",
    "Манзанов",
    "Тыхеев",
    "Хамаганов",
    "Хангалов",
    "Хантаев",
    "Цыренов",
    "Шагдаров",
];

/// The feminine form of a masculine surname: Иванов → Иванова,
/// Каменский → Каменская; Черных and Шевчук do not change.
fn feminine(surname: &str) -> String {
    if let Some(stem) = surname.strip_suffix("ий")
        && (stem.ends_with("ск") || stem.ends_with("цк"))
    {
        return format!("{stem}ая");
    }
    if ["ов", "ев", "ёв", "ин", "ын"]
        .iter()
        .any(|s| surname.ends_with(s))
    {
        return format!("{surname}а");
    }
    surname.to_string()
}

struct Name {
    surname: String,
    first: &'static str,
    patronymic: &'static str,
}

impl Name {
    fn full(&self) -> String {
        format!("{} {} {}", self.surname, self.first, self.patronymic)
    }
}

fn person(rng: &mut Rng, female: bool, buryat: bool) -> Name {
    let father = if buryat && rng.chance(0.7) {
        rng.pick(BURYAT_MALE)
    } else {
        rng.pick(MALE)
    };
    let (surname, first) = if buryat {
        let s = *rng.pick(BURYAT_SURNAMES);
        if female {
            (feminine(s), *rng.pick(BURYAT_FEMALE))
        } else {
            (s.to_string(), rng.pick(BURYAT_MALE).0)
        }
    } else {
        let s = *rng.pick(SURNAMES);
        if female {
            (feminine(s), *rng.pick(FEMALE))
        } else {
            (s.to_string(), rng.pick(MALE).0)
        }
    };
    Name {
        surname,
        first,
        patronymic: if female { father.2 } else { father.1 },
    }
}

/// Latin letters for an e-mail address (a simple transliteration).
fn translit(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        // Lower case: А..Я and Ё by their code points, Latin by ASCII.
        let c = match c {
            'А'..='Я' => char::from_u32(c as u32 + 32).unwrap_or(c),
            'Ё' => 'ё',
            c => c.to_ascii_lowercase(),
        };
        let t = match c {
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' => "g",
            'д' => "d",
            'е' | 'ё' | 'э' => "e",
            'ж' => "zh",
            'з' => "z",
            'и' => "i",
            'й' | 'ы' => "y",
            'к' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' => "u",
            'ф' => "f",
            'х' => "kh",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "shch",
            'ю' => "yu",
            'я' => "ya",
            'ъ' | 'ь' => "",
            c if c.is_ascii_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => "",
        };
        out.push_str(t);
    }
    out
}

/// Hands out fictional e-mail addresses, each once.
#[derive(Default)]
struct Emails {
    used: HashSet<String>,
    /// How many addresses each local part has given, to number the next.
    counts: HashMap<String, u32>,
}

impl Emails {
    fn make(&mut self, rng: &mut Rng, name: &Name) -> String {
        let sur = translit(&name.surname);
        let f = translit(name.first);
        let p = translit(name.patronymic);
        let initials = format!(
            "{}{}",
            f.chars().next().unwrap_or('x'),
            p.chars().next().unwrap_or('x')
        );
        let local = match rng.below(4) {
            0 => format!("{sur}.{initials}"),
            1 => format!("{f}.{sur}"),
            2 => format!("{sur}{}", rng.range(55, 99)),
            _ => format!("{initials}.{sur}"),
        };
        let count = self.counts.entry(local.clone()).or_insert(0);
        loop {
            *count += 1;
            let candidate = if *count == 1 {
                format!("{local}@example.ru")
            } else {
                format!("{local}{count}@example.ru")
            };
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

/// A fictional mobile number in the +7 9XX format of Irkutsk operators.
fn phone(rng: &mut Rng) -> String {
    const CODES: &[u32] = &[902, 904, 908, 914, 924, 950, 952, 964, 983];
    format!(
        "+7 {} {:03}-{:02}-{:02}",
        rng.pick(CODES),
        rng.below(1000),
        rng.below(100),
        rng.below(100)
    )
}

// ---------------------------------------------------------------------------
// TOS names

const TOS_WORDS: &[&str] = &[
    "Активист",
    "Алтан",
    "Ангара",
    "Багульник",
    "Байкал",
    "Берёзка",
    "Бережок",
    "Вдохновение",
    "Вместе",
    "Возрождение",
    "Гармония",
    "Добрые соседи",
    "Дружба",
    "Единство",
    "Жарки",
    "Заречье",
    "Зелёный квартал",
    "Иволга",
    "Импульс",
    "Исток",
    "Калина",
    "Кедр",
    "Кедровый",
    "Лесная поляна",
    "Лиственница",
    "Мечта",
    "Молодёжный",
    "Надежда",
    "Наран",
    "Наследие",
    "Наш дом",
    "Новая жизнь",
    "Перспектива",
    "Поколение",
    "Подснежник",
    "Радуга",
    "Рассвет",
    "Родник",
    "Ромашка",
    "Рябинушка",
    "Светлый",
    "Селяне",
    "Сибирячка",
    "Содружество",
    "Созвездие",
    "Солнечный",
    "Соседи",
    "Сосновый бор",
    "Сэсэг",
    "Тополёк",
    "Уют",
    "Хозяюшка",
    "Черёмуха",
    "Черёмушки",
];

const STREETS: &[&str] = &[
    "Улица Байкальская",
    "Улица Гагарина",
    "Улица Заречная",
    "Улица Зелёная",
    "Улица Лесная",
    "Улица Луговая",
    "Улица Мира",
    "Улица Молодёжная",
    "Улица Набережная",
    "Улица Полевая",
    "Улица Садовая",
    "Улица Сибирская",
    "Улица Советская",
    "Улица Строителей",
    "Улица Трактовая",
    "Улица Школьная",
    "Микрорайон Юбилейный",
    "Микрорайон Солнечный",
    "Квартал Южный",
];

/// Hands out TOS names, unique within a municipality.
#[derive(Default)]
struct TosNames {
    /// How many TOS of each name a municipality has, to number the next.
    counts: HashMap<(usize, &'static str), u32>,
}

impl TosNames {
    fn make(&mut self, rng: &mut Rng, place: usize) -> String {
        let mut base = "";
        for _ in 0..4 {
            base = if rng.chance(0.25) {
                *rng.pick(STREETS)
            } else {
                *rng.pick(TOS_WORDS)
            };
            if !self.counts.contains_key(&(place, base)) {
                break;
            }
        }
        let count = self.counts.entry((place, base)).or_insert(0);
        *count += 1;
        if *count == 1 {
            base.to_string()
        } else {
            format!("{base}-{count}")
        }
    }
}

/// «ТОС «Берёзка»» or «ТОС "Рассвет"», as secretaries write them.
fn tos_label(rng: &mut Rng, word: &str) -> String {
    if rng.chance(0.3) {
        format!("ТОС \"{word}\"")
    } else {
        format!("ТОС «{word}»")
    }
}

// ---------------------------------------------------------------------------
// Listeners

struct Listener {
    id: String,
    name: String,
    tos: String,
    place: usize,
    kind: Kind,
    email: String,
    phone: String,
    /// The application date, formatted.
    applied: String,
    projects: u32,
    awards: u32,
    reviews: u32,
    mentoring: u32,
    site: u32,
    creative: u32,
    notes: &'static str,
    /// How keen a listener is (standard normal): drives attendance.
    keenness: f64,
    /// How experienced the listener's TOS is (standard normal).
    experience: f64,
}

/// The width of zero-padded ids for `n` records (at least `min` digits).
fn id_width(n: usize, min: usize) -> usize {
    n.max(1).to_string().len().max(min)
}

/// How many participants each group gets: 40 % rural, 4/15 urban, the rest
/// city districts; 150 participants split 60 / 40 / 50.
fn split_groups(n: usize) -> [usize; 3] {
    let rural = (n * 2 + 2) / 5;
    let urban = ((n * 4 + 7) / 15).min(n - rural);
    [rural, urban, n - rural - urban]
}

/// The group sizes of a generated contest of `n` participants, by group id.
pub fn group_sizes(n: usize) -> BTreeMap<String, usize> {
    Kind::ALL
        .iter()
        .zip(split_groups(n))
        .map(|(k, s)| (k.code().to_string(), s))
        .collect()
}

const NOTES: &[&str] = &[
    "Председатель ТОС с 2016 года",
    "Заявка принята через Ресурсный центр",
    "Уточнить номер телефона",
    "Победитель конкурса «Лучший проект ТОС Иркутской области – 2020»",
    "Участник форума «ТОСы Прибайкалья – 2020»",
    "Просит присылать материалы на почту",
    "Заявка подана на бумаге, скан в папке",
    "Депутат думы поселения",
    "Предпочитает очные занятия: слабый интернет",
    "Помогает соседним ТОС района",
];

fn gen_listeners(opts: &GenOptions) -> Vec<Listener> {
    let mut rng = Rng::stream(opts.seed, LISTENERS);
    let n = opts.participants;
    let mut kinds: Vec<Kind> = Kind::ALL
        .iter()
        .zip(split_groups(n))
        .flat_map(|(k, s)| std::iter::repeat_n(*k, s))
        .collect();
    rng.shuffle(&mut kinds);
    let by_kind: Vec<(Vec<usize>, Weighted)> = Kind::ALL
        .iter()
        .map(|k| {
            let idx: Vec<usize> = (0..PLACES.len())
                .filter(|&i| PLACES[i].kind == *k)
                .collect();
            let w = Weighted::new(idx.iter().map(|&i| PLACES[i].weight));
            (idx, w)
        })
        .collect();
    let width = id_width(n, 3);
    let first_day = NaiveDate::from_ymd_opt(2020, 12, 1).expect("a date");
    let window = 46; // 1 December 2020 to 15 January 2021
    let days: Vec<String> = (0..window)
        .map(|d| {
            (first_day + Duration::days(d as i64))
                .format("%Y-%m-%d")
                .to_string()
        })
        .collect();
    let mut emails = Emails::default();
    let mut tos_names = TosNames::default();
    let mut out = Vec::with_capacity(n);
    for (i, kind) in kinds.into_iter().enumerate() {
        let (idx, weights) = &by_kind[kind as usize];
        let place = idx[weights.draw(&mut rng)];
        let buryat = rng.chance(if PLACES[place].buryat { 0.5 } else { 0.03 });
        let female = rng.chance(0.78);
        let name = person(&mut rng, female, buryat);
        let tos_word = tos_names.make(&mut rng, place);
        let tos = tos_label(&mut rng, &tos_word);
        let email = if rng.chance(0.05) {
            String::new()
        } else {
            emails.make(&mut rng, &name)
        };
        let phone = if rng.chance(0.04) {
            String::new()
        } else {
            phone(&mut rng)
        };
        // Most applications come in the last weeks before the deadline.
        let day = if rng.chance(0.6) {
            (rng.unit().max(rng.unit()) * window as f64) as i64
        } else {
            rng.below(window) as i64
        };
        let applied = days[day as usize].clone();
        let experience = rng.normal();
        let keenness = rng.normal();
        let projects = rng.poisson((0.6 + 0.7 * experience).exp()).min(25);
        let awards = rng.poisson((-0.2 + 0.8 * experience).exp()).min(20);
        let reviews = rng.poisson((-0.5 + 0.6 * experience + 0.3 * keenness).exp());
        let mentoring = if experience > 0.8 {
            rng.poisson((0.5 * experience).exp())
        } else {
            u32::from(rng.chance(0.08))
        };
        let site = if rng.chance(0.3) {
            0
        } else {
            rng.poisson((0.6 + 0.9 * keenness).exp()).min(60)
        };
        let p_task = 1.0 / (1.0 + (-(0.2 + 1.2 * keenness)).exp());
        let creative = (0..6).filter(|_| rng.chance(p_task)).count() as u32;
        let notes = if rng.chance(0.12) {
            *rng.pick(NOTES)
        } else {
            ""
        };
        out.push(Listener {
            id: format!("P{:0width$}", i + 1),
            name: name.full(),
            tos,
            place,
            kind,
            email,
            phone,
            applied,
            projects,
            awards,
            reviews,
            mentoring,
            site,
            creative,
            notes,
            keenness,
            experience,
        });
    }
    out
}

// ---------------------------------------------------------------------------
// Events

/// Subjects of each topic's classes, in the programme's words.
fn subjects(topic: Topic) -> &'static [&'static str] {
    match topic {
        Topic::Organisation => &[
            "Как создать ТОС: от собрания жителей до регистрации",
            "Границы территории и устав ТОС",
            "Полномочия и функции ТОС",
            "Направления деятельности ТОС: с чего начать",
        ],
        Topic::RussiaAndAbroad => &[
            "ТОС в системе институтов гражданского общества",
            "Правовой статус субъектов ТОС",
            "Международный и российский опыт соседских сообществ",
            "Локальные общественные блага через механизм ТОС",
        ],
        Topic::Economics => &[
            "Фандрайзинг для ТОС: где искать средства на проект",
            "Бухгалтерский учёт в ТОС — юридическом лице",
            "Государственная и муниципальная поддержка ТОС",
            "Проектная деятельность: как написать заявку на грант",
            "Работа над ошибками областного конкурса проектов ТОС",
        ],
        Topic::Research => &[
            "Изучаем свою территорию: ресурсы и проблемы",
            "Опросы и наблюдения: как узнать, чего хотят жители",
            "Чего хотят ТОСы от органов власти и МСУ",
            "Карта ресурсов и возможностей территории",
        ],
        Topic::Management => &[
            "Соседский менеджмент",
            "Как стать хозяйкой в своём доме",
            "Управление многоквартирным домом: права собственников",
            "Совет дома и ТОС: кто за что отвечает",
        ],
        Topic::Partnership => &[
            "Модели взаимодействия ТОС и МСУ",
            "ТОС и бизнес: как договориться о партнёрстве",
            "Партнёрство с муниципальными учреждениями",
            "Соглашение о сотрудничестве: практика ТОС Приангарья",
        ],
        Topic::ItMedia => &[
            "ТОС в социальных сетях и мессенджерах",
            "Краудфандинг для соседских проектов",
            "Страница ТОС в интернете: что и как публиковать",
            "Фото и видео о работе ТОС со смартфона",
        ],
        Topic::NationalProjects => &[
            "Национальные проекты и ТОС: точки входа",
            "Комфортная городская среда: голос жителей",
            "Экологические акции ТОС в рамках национальных проектов",
            "Инициативное бюджетирование и национальные проекты",
        ],
        Topic::Volunteers => &[
            "Волонтёры как ресурс ТОС",
            "Как привлечь и удержать добровольцев",
            "Серебряные волонтёры в ТОС",
            "Добровольческие акции: организация и безопасность",
        ],
        Topic::ResourceCentres => &[
            "Ресурсные центры для ТОС: какие услуги доступны",
            "Ресурсный центр как площадка наставничества",
            "Поддержка ТОС: консультации ресурсных центров",
        ],
        Topic::SocialEntrepreneurship => &[
            "Социальное предпринимательство и ТОС",
            "Турпродукт на территории ТОС",
            "Производственно-сбытовые цепочки и кооперация",
            "ТОС — поставщик социальных услуг: опыт Ульяновской области",
            "Локальная экономика: ярмарки и местные промыслы",
        ],
    }
}

struct Event {
    id: String,
    title: String,
    topic: Topic,
    format: EventFormat,
    start: NaiveDate,
    end: NaiveDate,
    hours: u32,
    place: String,
    /// How many listeners it draws, relatively.
    draw: f64,
    /// Each day of the event, formatted.
    days: Vec<String>,
}

fn format_weight(f: EventFormat) -> f64 {
    match f {
        EventFormat::Webinar => 35.0,
        EventFormat::Seminar => 18.0,
        EventFormat::Training => 14.0,
        EventFormat::Internship => 8.0,
        EventFormat::Consultation => 17.0,
        EventFormat::Forum => 8.0,
    }
}

fn topic_weight(t: Topic) -> f64 {
    match t {
        Topic::Economics => 3.0,
        Topic::Organisation | Topic::Partnership | Topic::ItMedia => 2.0,
        Topic::SocialEntrepreneurship | Topic::Management => 1.5,
        _ => 1.0,
    }
}

/// Every item once (when there is room), the rest drawn by weight, shuffled.
fn spread<T: Copy>(rng: &mut Rng, all: &[T], weight: impl Fn(T) -> f64, n: usize) -> Vec<T> {
    let weights: Vec<f64> = all.iter().map(|x| weight(*x)).collect();
    let mut out: Vec<T> = all.iter().copied().take(n).collect();
    while out.len() < n {
        out.push(all[rng.weighted(&weights)]);
    }
    rng.shuffle(&mut out);
    out
}

fn gen_events(opts: &GenOptions, listeners: &[Listener]) -> Vec<Event> {
    let mut rng = Rng::stream(opts.seed, EVENTS);
    let n = opts.events;
    let formats = spread(&mut rng, &EventFormat::ALL, format_weight, n);
    let topics = spread(&mut rng, &Topic::ALL, topic_weight, n);
    // Fewer classes in the summer, when everyone is at the dacha.
    const MONTHS: [(u32, f64); 10] = [
        (2, 3.0),
        (3, 4.0),
        (4, 4.0),
        (5, 2.5),
        (6, 2.0),
        (7, 1.0),
        (8, 1.0),
        (9, 3.0),
        (10, 4.0),
        (11, 3.0),
    ];
    let month_weights: Vec<f64> = MONTHS.iter().map(|m| m.1).collect();
    let last_day = NaiveDate::from_ymd_opt(2021, 11, 30).expect("a date");
    let towns = Weighted::new(PLACES.iter().map(|p| p.weight));
    let hosts = internship_hosts(listeners);
    let mut regional_forum = false;
    let mut events: Vec<(NaiveDate, usize, Event)> = Vec::with_capacity(n);
    for (i, (format, topic)) in formats.into_iter().zip(topics).enumerate() {
        let subject = *rng.pick(subjects(topic));
        let month = MONTHS[rng.weighted(&month_weights)].0;
        let day = rng.range(1, 28) as u32;
        let mut start = NaiveDate::from_ymd_opt(2021, month, day).expect("a date");
        let days = match format {
            EventFormat::Internship => rng.range(2, 5),
            EventFormat::Forum => rng.range(2, 3),
            _ => 1,
        };
        let mut draw = 0.5 + rng.unit();
        let quoted = |prefix: &str| format!("{prefix} «{subject}»");
        let (title, place, hours) = match format {
            EventFormat::Webinar => {
                draw *= 3.0;
                let place = if rng.chance(0.8) { "Zoom" } else { "YouTube" };
                (quoted("Вебинар"), place.to_string(), 2)
            }
            EventFormat::Consultation => {
                let place = if rng.chance(0.6) {
                    "Zoom"
                } else {
                    "Иркутск, Ресурсный центр"
                };
                (
                    quoted("Консультация"),
                    place.to_string(),
                    rng.range(1, 2) as u32,
                )
            }
            EventFormat::Seminar | EventFormat::Training => {
                let place = venue(&mut rng, &towns);
                let away = !place.starts_with("Иркутск");
                let (title, hours) = if format == EventFormat::Seminar {
                    draw *= 1.6;
                    let prefix = if away {
                        "Выездной семинар"
                    } else {
                        "Семинар"
                    };
                    (quoted(prefix), *rng.pick(&[4, 6]))
                } else {
                    draw *= 1.3;
                    (quoted("Тренинг"), *rng.pick(&[6, 8]))
                };
                (title, place, hours)
            }
            EventFormat::Internship => {
                draw *= 0.5;
                if hosts.is_empty() || listeners.is_empty() {
                    let place = PLACES[towns.draw(&mut rng)].town.to_string();
                    (quoted("Стажировка"), place, 8 * days as u32)
                } else {
                    let host = &listeners[*rng.pick(&hosts)];
                    (
                        format!("Стажировка в {} по теме «{subject}»", host.tos),
                        PLACES[host.place].town.to_string(),
                        8 * days as u32,
                    )
                }
            }
            EventFormat::Forum => {
                if !regional_forum {
                    regional_forum = true;
                    draw *= 4.0;
                    start = NaiveDate::from_ymd_opt(2021, 11, 18).expect("a date");
                    (
                        format!("Областной форум «ТОСы Прибайкалья – 2021», секция «{subject}»"),
                        "Иркутск".to_string(),
                        8 * days as u32,
                    )
                } else {
                    draw *= 2.5;
                    let town = PLACES[towns.draw(&mut rng)].town;
                    (
                        quoted("Муниципальный гражданский форум"),
                        town.to_string(),
                        6 * days as u32,
                    )
                }
            }
        };
        let mut end = start + Duration::days(days as i64 - 1);
        if end > last_day {
            let back = end - last_day;
            start -= back;
            end = last_day;
        }
        let days: Vec<String> = start
            .iter_days()
            .take_while(|d| *d <= end)
            .map(|d| d.format("%Y-%m-%d").to_string())
            .collect();
        events.push((
            start,
            i,
            Event {
                id: String::new(),
                title,
                topic,
                format,
                start,
                end,
                hours,
                place,
                draw,
                days,
            },
        ));
    }
    events.sort_by_key(|(start, i, _)| (*start, *i));
    let width = id_width(n, 3);
    events
        .into_iter()
        .enumerate()
        .map(|(k, (_, _, mut e))| {
            e.id = format!("E{:0width$}", k + 1);
            e
        })
        .collect()
}

/// The listeners whose TOS host internships: the most experienced tenth.
fn internship_hosts(listeners: &[Listener]) -> Vec<usize> {
    let mut hosts: Vec<usize> = (0..listeners.len()).collect();
    hosts.sort_by(|a, b| {
        listeners[*b]
            .experience
            .total_cmp(&listeners[*a].experience)
            .then(a.cmp(b))
    });
    hosts.truncate(listeners.len().div_ceil(10).max(1));
    hosts
}

/// Where a seminar or a training takes place.
fn venue(rng: &mut Rng, towns: &Weighted) -> String {
    match rng.below(10) {
        0..=3 => "Иркутск, Ресурсный центр".to_string(),
        4 => "Иркутск, Общественная палата Иркутской области".to_string(),
        _ => {
            let town = PLACES[towns.draw(rng)].town;
            let hall = *rng.pick(&["Дом культуры", "администрация", "библиотека", ""]);
            if hall.is_empty() || town == "Иркутск" {
                town.to_string()
            } else {
                format!("{town}, {hall}")
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Attendance

/// The average number of events a listener attends: 8 in a contest of a
/// region's size, falling to 6 at 100,000 listeners so files stay small.
fn mean_attendance(n: usize) -> f64 {
    let scale = ((n.max(1) as f64 / 1000.0).log10() / 2.0).clamp(0.0, 1.0);
    8.0 - 2.0 * scale
}

/// The attendance file: one row per listener per event, event by event as
/// the sign-in sheets come.
fn gen_attendance(opts: &GenOptions, listeners: &[Listener], events: &[Event]) -> Vec<u8> {
    let mut rng = Rng::stream(opts.seed, ATTENDANCE);
    let mut w = Csv::new(&["participant_id", "event_id", "date"]);
    let e = events.len();
    if e == 0 {
        return w.finish();
    }
    let table = Weighted::new(events.iter().map(|ev| ev.draw));
    // Lognormal counts: most listeners come to a handful of classes, the
    // keenest to twenty and more.
    const SIGMA: f64 = 0.85;
    let mu = mean_attendance(listeners.len()).ln() - SIGMA * SIGMA / 2.0;
    let mut per_event: Vec<Vec<(u32, u8)>> = vec![Vec::new(); e];
    let mut taken = vec![false; e];
    let mut chosen: Vec<usize> = Vec::new();
    let mut keys: Vec<(f64, usize)> = Vec::new();
    // Nobody gets to every internship and forum of the year.
    let most = (e * 3).div_ceil(4).max(1);
    for (p, l) in listeners.iter().enumerate() {
        let k = ((mu + SIGMA * l.keenness).exp().round() as usize).clamp(1, most);
        chosen.clear();
        if k * 2 <= e {
            while chosen.len() < k {
                let ev = table.draw(&mut rng);
                if !taken[ev] {
                    taken[ev] = true;
                    chosen.push(ev);
                }
            }
            for &ev in &chosen {
                taken[ev] = false;
            }
        } else {
            // Weighted sampling without replacement (Efraimidis–Spirakis).
            keys.clear();
            keys.extend(
                events
                    .iter()
                    .enumerate()
                    .map(|(i, ev)| ((1.0 - rng.unit()).ln() / ev.draw, i)),
            );
            keys.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            chosen.extend(keys.iter().take(k).map(|(_, i)| *i));
        }
        for &ev in &chosen {
            let day = rng.below(events[ev].days.len()) as u8;
            per_event[ev].push((p as u32, day));
        }
    }
    for (ev, marks) in events.iter().zip(&mut per_event) {
        marks.sort_unstable();
        for (p, day) in marks.iter() {
            w.row(&[
                listeners[*p as usize].id.as_str(),
                ev.id.as_str(),
                ev.days[*day as usize].as_str(),
            ]);
        }
    }
    w.finish()
}

// ---------------------------------------------------------------------------
// Jury

struct JuryMember {
    id: String,
    name: String,
    role: &'static str,
    email: String,
    municipality: String,
    tos: String,
    conflicts: Vec<String>,
}

fn gen_jurors(opts: &GenOptions, listeners: &[Listener]) -> Vec<JuryMember> {
    let mut rng = Rng::stream(opts.seed, JURORS);
    let n = opts.jurors;
    let width = id_width(n, 2);
    let mut emails = Emails::default();
    let towns = Weighted::new(PLACES.iter().map(|p| p.weight));
    let mut surnames: HashSet<String> = HashSet::new();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let role = if i == 0 {
            "coordinator"
        } else if n >= 7 && i == n - 1 {
            "observer"
        } else {
            "juror"
        };
        let (female, buryat) = (rng.chance(0.6), rng.chance(0.05));
        // A jury of namesakes would confuse everyone: surnames differ
        // while there are enough of them.
        let mut name = person(&mut rng, female, buryat);
        for _ in 0..20 {
            if !surnames.contains(&name.surname) {
                break;
            }
            name = person(&mut rng, female, buryat);
        }
        surnames.insert(name.surname.clone());
        let email = emails.make(&mut rng, &name);
        let (mut municipality, mut tos) = (String::new(), String::new());
        let mut conflicts = Vec::new();
        match role {
            "coordinator" => municipality = PLACES[IRKUTSK].name.to_string(),
            "observer" => {}
            _ => {
                let roll = rng.unit();
                if roll < 0.3 && !listeners.is_empty() {
                    // A TOS leader on the jury: a member of their TOS applied.
                    let l = rng.pick(listeners);
                    municipality = PLACES[l.place].name.to_string();
                    tos = l.tos.clone();
                } else if roll < 0.7 {
                    let place = if rng.chance(0.5) {
                        IRKUTSK
                    } else {
                        towns.draw(&mut rng)
                    };
                    municipality = PLACES[place].name.to_string();
                }
                if !listeners.is_empty() && rng.chance(0.4) {
                    let count = rng.range(1, 3).min(listeners.len());
                    let mut picked: Vec<usize> = Vec::with_capacity(count);
                    while picked.len() < count {
                        let p = rng.below(listeners.len());
                        if !picked.contains(&p) {
                            picked.push(p);
                        }
                    }
                    picked.sort_unstable();
                    conflicts = picked.iter().map(|p| listeners[*p].id.clone()).collect();
                }
            }
        }
        out.push(JuryMember {
            id: format!("J{:0width$}", i + 1),
            name: name.full(),
            role,
            email,
            municipality,
            tos,
            conflicts,
        });
    }
    out
}

// ---------------------------------------------------------------------------
// Mentoring

struct MentorRec {
    id: String,
    name: String,
    tos: String,
    place: usize,
    /// The settlement the mentor lives in, if any: an index of the
    /// settlements.
    settlement: Option<usize>,
    capacity: u32,
    topics: Vec<(Topic, u8)>,
    formats: &'static str,
}

struct InternRec {
    id: String,
    name: String,
    tos: String,
    place: usize,
    settlement: Option<usize>,
    topics: Vec<Topic>,
    formats: &'static str,
    preferred: Vec<usize>,
}

const MEETING_FORMATS: [&str; 3] = ["on_site, online", "online", "on_site"];

fn gen_mentors(opts: &GenOptions) -> Vec<MentorRec> {
    let mut rng = Rng::stream(opts.seed, MENTORS);
    let width = id_width(opts.mentors, 2);
    let towns = Weighted::new(PLACES.iter().map(|p| p.weight));
    let mut tos_names = TosNames::default();
    let mut deck: Vec<Topic> = Vec::new();
    let mut out = Vec::with_capacity(opts.mentors);
    for i in 0..opts.mentors {
        let place = towns.draw(&mut rng);
        let female = rng.chance(0.75);
        let buryat = PLACES[place].buryat && rng.chance(0.5);
        let name = person(&mut rng, female, buryat);
        let word = tos_names.make(&mut rng, place);
        let tos = tos_label(&mut rng, &word);
        // Topics come off a shuffled deck so that the mentors together
        // cover the whole programme.
        let count = rng.range(2, 4);
        // Broader mentors take more interns.
        let capacity = (count + rng.below(3)).clamp(2, 5) as u32;
        let mut topics: Vec<(Topic, u8)> = Vec::with_capacity(count);
        while topics.len() < count {
            if deck.is_empty() {
                deck.extend(Topic::ALL);
                rng.shuffle(&mut deck);
            }
            let t = deck.pop().expect("a refilled deck");
            if topics.iter().any(|(x, _)| *x == t) {
                deck.insert(0, t);
                continue;
            }
            let level = if topics.is_empty() {
                3
            } else {
                [1, 2, 2, 2, 3, 3][rng.below(6)]
            };
            topics.push((t, level));
        }
        let formats = MEETING_FORMATS[rng.weighted(&[3.0, 2.0, 1.0])];
        out.push(MentorRec {
            id: format!("M{:0width$}", i + 1),
            name: name.full(),
            tos,
            place,
            settlement: None,
            capacity,
            topics,
            formats,
        });
    }
    out
}

fn demand(t: Topic) -> f64 {
    match t {
        Topic::Economics => 4.0,
        Topic::Organisation => 3.0,
        Topic::Partnership | Topic::ItMedia => 2.5,
        Topic::Management | Topic::Volunteers | Topic::SocialEntrepreneurship => 1.5,
        Topic::Research | Topic::NationalProjects => 1.0,
        Topic::ResourceCentres => 0.7,
        Topic::RussiaAndAbroad => 0.5,
    }
}

/// The interns, and each mentor's own ranking of interns (by mentor index).
fn gen_interns(opts: &GenOptions, mentors: &[MentorRec]) -> (Vec<InternRec>, Vec<Vec<usize>>) {
    let mut rng = Rng::stream(opts.seed, INTERNS);
    let width = id_width(opts.interns, 3);
    // Interns come from everywhere, most of all from villages.
    let towns = Weighted::new(PLACES.iter().map(|p| match p.kind {
        Kind::Rural => p.weight * 2.0,
        _ => p.weight,
    }));
    let demand: Vec<f64> = Topic::ALL.iter().map(|t| demand(*t)).collect();
    let mut tos_names = TosNames::default();
    let mut out = Vec::with_capacity(opts.interns);
    for i in 0..opts.interns {
        let place = towns.draw(&mut rng);
        let female = rng.chance(0.7);
        let buryat = PLACES[place].buryat && rng.chance(0.5);
        let name = person(&mut rng, female, buryat);
        let word = tos_names.make(&mut rng, place);
        let tos = tos_label(&mut rng, &word);
        let count = [1, 1, 1, 2, 2, 2, 2, 3, 3][rng.below(9)];
        let mut topics: Vec<Topic> = Vec::with_capacity(count);
        while topics.len() < count {
            let t = Topic::ALL[rng.weighted(&demand)];
            if !topics.contains(&t) {
                topics.push(t);
            }
        }
        let formats = MEETING_FORMATS[rng.weighted(&[1.0, 2.0, 1.0])];
        let mut preferred = Vec::new();
        if !mentors.is_empty() && rng.chance(0.5) {
            // Interns rank the mentors who teach what they want.
            let mut scored: Vec<(f64, usize)> = mentors
                .iter()
                .enumerate()
                .map(|(m, mentor)| {
                    let overlap = mentor
                        .topics
                        .iter()
                        .filter(|(t, _)| topics.contains(t))
                        .count();
                    (overlap as f64 * 2.0 + rng.unit() * 1.5, m)
                })
                .collect();
            scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let k = rng.range(1, 3).min(mentors.len());
            preferred = scored.iter().take(k).map(|(_, m)| *m).collect();
        }
        out.push(InternRec {
            id: format!("I{:0width$}", i + 1),
            name: name.full(),
            tos,
            place,
            settlement: None,
            topics,
            formats,
            preferred,
        });
    }
    // Some mentors rank the interns who asked for them first.
    let mut mentor_prefs = vec![Vec::new(); mentors.len()];
    for (m, prefs) in mentor_prefs.iter_mut().enumerate() {
        if rng.chance(0.35) {
            prefs.extend(
                out.iter()
                    .enumerate()
                    .filter(|(_, intern)| intern.preferred.first() == Some(&m))
                    .map(|(i, _)| i)
                    .take(2),
            );
        }
    }
    (out, mentor_prefs)
}

/// A settlement near a real municipality (a made-up name, a place within
/// half a degree of the municipality's centre).
struct Settlement {
    name: String,
    place: usize,
    lat: f64,
    lon: f64,
}

fn gen_settlements(opts: &GenOptions) -> Vec<Settlement> {
    let mut rng = Rng::stream(opts.seed, SETTLEMENTS);
    (0..opts.settlements)
        .map(|k| {
            let place = k % PLACES.len();
            Settlement {
                name: format!("{} посёлок {}", PLACES[place].town, k / PLACES.len() + 1),
                place,
                lat: PLACES[place].lat + rng.unit() - 0.5,
                lon: PLACES[place].lon + rng.unit() - 0.5,
            }
        })
        .collect()
}

/// Moves the mentors and the interns into the settlements, if there are any.
fn settle(
    opts: &GenOptions,
    settlements: &[Settlement],
    mentors: &mut [MentorRec],
    interns: &mut [InternRec],
) {
    if settlements.is_empty() {
        return;
    }
    let mut rng = Rng::stream(opts.seed, SETTLEMENTS ^ MENTORS);
    for m in mentors {
        let k = rng.below(settlements.len());
        m.place = settlements[k].place;
        m.settlement = Some(k);
    }
    for (k, i) in interns.iter_mut().enumerate() {
        let k = k % settlements.len();
        i.place = settlements[k].place;
        i.settlement = Some(k);
    }
}

/// The municipality a person lives in, as the files name it.
fn municipality(place: usize, settlement: Option<usize>, all: &[Settlement]) -> &str {
    settlement.map_or(PLACES[place].name, |k| all[k].name.as_str())
}

// ---------------------------------------------------------------------------
// The regulation

/// The sample regulation with quotas and advancement numbers scaled from the
/// default group sizes to `sizes`, and `jurors_per_participant` capped at
/// the number of experts.
fn regulation_for(sizes: &BTreeMap<String, usize>, experts: usize) -> String {
    let rules = Regulation::parse(SAMPLE_REGULATION).expect("the sample regulation is valid");
    let reference = group_sizes(GenOptions::default().participants);
    let scale = |group: &str, v: usize| -> usize {
        let n = sizes.get(group).copied().unwrap_or(0);
        match reference.get(group) {
            Some(&r) if r > 0 => (v as f64 * n as f64 / r as f64).round() as usize,
            _ => v,
        }
    };
    // Each group's numbers must not grow from stage to stage: the education
    // stage advances at least as many as the portfolio stage, which advances
    // at least the quota; and none exceeds the group's size.
    let mut quotas: Vec<usize> = Vec::with_capacity(rules.groups.len());
    let mut per_stage: Vec<BTreeMap<String, usize>> = vec![BTreeMap::new(); rules.stages.len()];
    for g in &rules.groups {
        let id = g.id.as_str();
        let n = sizes.get(id).copied().unwrap_or(0);
        let quota = scale(id, g.quota).clamp(usize::from(n > 0), n);
        quotas.push(quota);
        let mut floor = quota;
        for (s, stage) in rules.stages.iter().enumerate().rev() {
            if let Some(&v) = stage.advance.per_group.get(&g.id) {
                let v = scale(id, v).clamp(floor, n.max(floor));
                per_stage[s].insert(id.to_string(), v);
                floor = v;
            }
        }
    }
    let mut out = String::with_capacity(SAMPLE_REGULATION.len());
    let mut section = "";
    let (mut group, mut stage) = (None::<usize>, None::<usize>);
    for line in SAMPLE_REGULATION.split_inclusive('\n') {
        let t = line.trim();
        if t.starts_with('[') {
            section = t;
            if t == "[[groups]]" {
                group = Some(group.map_or(0, |g| g + 1));
            } else if t == "[[stages]]" {
                stage = Some(stage.map_or(0, |s| s + 1));
            }
            out.push_str(line);
            continue;
        }
        let key = t.split('=').next().unwrap_or("").trim();
        match (section, key) {
            ("[[groups]]", "quota") => {
                let q = group.and_then(|g| quotas.get(g)).copied();
                out.push_str(&q.map_or(line.to_string(), |q| replace_number(line, q)));
            }
            ("[[stages]]", "jurors_per_participant") => {
                let k: usize = t
                    .split('=')
                    .nth(1)
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(1);
                out.push_str(&replace_number(line, k.min(experts.max(1))));
            }
            ("[[stages]]", "advance") if line.contains("per_group") => {
                let values = stage.and_then(|s| per_stage.get(s));
                out.push_str(&values.map_or(line.to_string(), |v| replace_per_group(line, v)));
            }
            _ => out.push_str(line),
        }
    }
    out
}

/// Replaces the first number after the `=` of a `key = N` line.
fn replace_number(line: &str, value: usize) -> String {
    let Some(eq) = line.find('=') else {
        return line.to_string();
    };
    let rest = &line[eq..];
    let Some(start) = rest.find(|c: char| c.is_ascii_digit()) else {
        return line.to_string();
    };
    let len = rest[start..]
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len() - start);
    format!(
        "{}{}{value}{}",
        &line[..eq],
        &rest[..start],
        &rest[start + len..]
    )
}

/// Rewrites the numbers of `per_group = { rural = 25, urban = 15 }`.
fn replace_per_group(line: &str, values: &BTreeMap<String, usize>) -> String {
    let Some(at) = line.find("per_group") else {
        return line.to_string();
    };
    let Some(open) = line[at..].find('{').map(|o| at + o + 1) else {
        return line.to_string();
    };
    let Some(close) = line[open..].find('}').map(|c| open + c) else {
        return line.to_string();
    };
    let inner: Vec<String> = line[open..close]
        .split(',')
        .map(|part| {
            let key = part.split('=').next().unwrap_or("").trim();
            match values.get(key) {
                Some(v) => replace_number(part, *v),
                None => part.to_string(),
            }
        })
        .collect();
    format!("{}{}{}", &line[..open], inner.join(","), &line[close..])
}

// ---------------------------------------------------------------------------
// Writing CSV

/// A CSV file being written: comma-separated, `\n` line ends, a cell
/// quoted only when it holds a comma, a quote, a line break or edge spaces.
struct Csv(Vec<u8>);

impl Csv {
    fn new(header: &[&str]) -> Csv {
        let mut w = Csv(Vec::with_capacity(1 << 12));
        w.row(header);
        w
    }

    fn row<S: AsRef<str>>(&mut self, cells: &[S]) {
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                self.0.push(b',');
            }
            let cell = cell.as_ref();
            let quote = cell
                .bytes()
                .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
                || cell.starts_with(' ')
                || cell.ends_with(' ');
            if quote {
                self.0.push(b'"');
                self.0
                    .extend_from_slice(cell.replace('"', "\"\"").as_bytes());
                self.0.push(b'"');
            } else {
                self.0.extend_from_slice(cell.as_bytes());
            }
        }
        self.0.push(b'\n');
    }

    fn finish(self) -> Vec<u8> {
        self.0
    }
}

fn write_municipalities(settlements: &[Settlement]) -> Vec<u8> {
    let mut w = Csv::new(&["name", "kind", "latitude", "longitude"]);
    for p in PLACES {
        w.row(&[
            p.name.to_string(),
            p.kind.code().to_string(),
            format!("{:.4}", p.lat),
            format!("{:.4}", p.lon),
        ]);
    }
    for s in settlements {
        w.row(&[
            s.name.clone(),
            PLACES[s.place].kind.code().to_string(),
            format!("{:.4}", s.lat),
            format!("{:.4}", s.lon),
        ]);
    }
    w.finish()
}

fn write_listeners(listeners: &[Listener]) -> Vec<u8> {
    let mut w = Csv::new(&[
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
    for l in listeners {
        w.row(&[
            l.id.as_str(),
            &l.name,
            &l.tos,
            PLACES[l.place].name,
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

fn write_jurors(jurors: &[JuryMember]) -> Vec<u8> {
    let mut w = Csv::new(&[
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

fn write_events(events: &[Event]) -> Vec<u8> {
    let mut w = Csv::new(&[
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

fn write_mentors(
    mentors: &[MentorRec],
    prefs: &[Vec<usize>],
    interns: &[InternRec],
    settlements: &[Settlement],
) -> Vec<u8> {
    let mut w = Csv::new(&[
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

fn write_interns(
    interns: &[InternRec],
    mentors: &[MentorRec],
    settlements: &[Settlement],
) -> Vec<u8> {
    let mut w = Csv::new(&[
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::contest::{Collection, RegulationDoc};
    use crate::domain::ids::GroupId;
    use crate::interchange::import_file;
    use crate::service::{Actor, ImportKind, Service};
    use std::collections::BTreeSet;
    use std::path::Path;

    /// The import kind of each CSV file, in import order.
    const KINDS: [(&str, ImportKind); 7] = [
        ("municipalities.csv", ImportKind::Municipalities),
        ("participants.csv", ImportKind::Participants),
        ("jurors.csv", ImportKind::Jurors),
        ("events.csv", ImportKind::Events),
        ("attendance.csv", ImportKind::Attendance),
        ("mentors.csv", ImportKind::Mentors),
        ("interns.csv", ImportKind::Interns),
    ];

    fn file<'a>(files: &'a [(String, Vec<u8>)], name: &str) -> &'a [u8] {
        &files.iter().find(|(n, _)| n == name).expect(name).1
    }

    /// A CSV file as (header, rows of cells by header).
    fn table(bytes: &[u8]) -> Vec<BTreeMap<String, String>> {
        let mut r = csv::Reader::from_reader(bytes);
        let headers: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
        r.records()
            .map(|rec| {
                let rec = rec.unwrap();
                headers
                    .iter()
                    .cloned()
                    .zip(rec.iter().map(String::from))
                    .collect()
            })
            .collect()
    }

    /// Loads the regulation and imports every CSV file of `dir` into a fresh
    /// database, through the same path as `konkurs import`.
    fn import_dir(dir: &Path) -> Service {
        let db = tempfile::tempdir().unwrap();
        let service = Service::open(&db.path().join("db")).unwrap();
        let actor = Actor::local_coordinator();
        let source = std::fs::read_to_string(dir.join("regulation.toml")).unwrap();
        service
            .set_regulation(
                &actor,
                RegulationDoc {
                    file_name: "regulation.toml".into(),
                    source,
                },
            )
            .unwrap();
        for (name, kind) in KINDS {
            let outcome = import_file(&service, &actor, kind, &dir.join(name), false)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(
                outcome.warnings.is_empty(),
                "{name}: {:?}",
                outcome.warnings
            );
            assert!(outcome.report.changed(), "{name}: nothing imported");
        }
        // Keep the database directory alive as long as the service.
        std::mem::forget(db);
        service
    }

    fn write_all(dir: &Path, files: &[(String, Vec<u8>)]) {
        for (name, bytes) in files {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
    }

    #[test]
    fn files_come_in_import_order() {
        let files = generate(&GenOptions::default());
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, FILE_NAMES);
    }

    #[test]
    fn the_same_seed_gives_the_same_bytes() {
        let opts = GenOptions::default();
        assert_eq!(generate(&opts), generate(&opts));
        let other = generate(&GenOptions {
            seed: 2022,
            ..GenOptions::default()
        });
        let base = generate(&opts);
        for name in [
            "participants.csv",
            "jurors.csv",
            "events.csv",
            "attendance.csv",
            "mentors.csv",
            "interns.csv",
        ] {
            assert_ne!(file(&base, name), file(&other, name), "{name}");
        }
    }

    #[test]
    fn the_default_regulation_is_the_sample_regulation() {
        let files = generate(&GenOptions::default());
        assert_eq!(
            std::str::from_utf8(file(&files, "regulation.toml")).unwrap(),
            SAMPLE_REGULATION
        );
    }

    #[test]
    fn scaled_regulations_are_valid_for_their_groups() {
        for n in [1, 2, 3, 5, 10, 37, 151, 1000, 100_000] {
            for experts in [0, 1, 3, 5, 48] {
                let sizes = group_sizes(n);
                assert_eq!(sizes.values().sum::<usize>(), n);
                let text = regulation_for(&sizes, experts);
                let rules =
                    Regulation::parse(&text).unwrap_or_else(|e| panic!("{n} participants: {e:?}"));
                let members: BTreeMap<GroupId, usize> = sizes
                    .iter()
                    .map(|(g, s)| (GroupId::new(g.as_str()), *s))
                    .collect();
                assert!(rules.check_quotas(&members).is_empty(), "{n}: {text}");
                for g in &rules.groups {
                    let size = members[&g.id];
                    let mut floor = g.quota;
                    for stage in rules.stages.iter().rev() {
                        if let Some(&v) = stage.advance.per_group.get(&g.id) {
                            assert!(floor <= v && v <= size, "{n}: {} {v}", g.id);
                            floor = v;
                        }
                    }
                    if size > 0 {
                        assert!(g.quota >= 1);
                    }
                }
                for stage in &rules.stages {
                    assert!(stage.jurors_per_participant <= experts.max(1));
                }
            }
        }
        // A large contest gets a proportionally large team.
        let text = regulation_for(&group_sizes(1500), 20);
        let rules = Regulation::parse(&text).unwrap();
        assert_eq!(rules.groups[0].quota, 50);
    }

    #[test]
    fn generated_files_import_cleanly() {
        for opts in [
            GenOptions::default(),
            GenOptions {
                participants: 12,
                jurors: 3,
                events: 5,
                interns: 4,
                mentors: 1,
                settlements: 0,
                seed: 7,
            },
        ] {
            let dir = tempfile::tempdir().unwrap();
            let files = generate(&opts);
            write_all(dir.path(), &files);
            let service = import_dir(dir.path());
            let view = service.view(&Actor::local_coordinator());
            assert_eq!(view.count(Collection::Participants), opts.participants);
            assert_eq!(view.count(Collection::Jurors), opts.jurors);
            assert_eq!(view.count(Collection::Events), opts.events);
            assert_eq!(view.count(Collection::Mentors), opts.mentors);
            assert_eq!(view.count(Collection::Interns), opts.interns);
            assert_eq!(view.count(Collection::Municipalities), PLACES.len());
            // Every listener attended something.
            assert_eq!(view.count(Collection::Attendance), opts.participants);
            let marks: usize = view.attendance_records().map(|a| a.events.len()).sum();
            let rows = table(file(&files, "attendance.csv")).len();
            assert_eq!(marks, rows);
        }
    }

    #[test]
    fn the_bundled_sample_imports_cleanly() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
        let service = import_dir(&dir);
        let view = service.view(&Actor::local_coordinator());
        assert_eq!(view.count(Collection::Participants), 150);
        assert_eq!(view.count(Collection::Events), 44);
        assert_eq!(view.count(Collection::Interns), 64);
        let rules = &view.regulation().unwrap().rules;
        let mut members: BTreeMap<GroupId, usize> = BTreeMap::new();
        for p in view.participants() {
            *members.entry(p.group.clone()).or_default() += 1;
        }
        assert!(rules.check_quotas(&members).is_empty());
        for name in FILE_NAMES.iter().filter(|n| n.ends_with(".csv")) {
            let bytes = std::fs::read(dir.join(name)).unwrap();
            assert!(!bytes.starts_with(b"\xEF\xBB\xBF"), "{name} has a BOM");
            assert!(std::str::from_utf8(&bytes).is_ok(), "{name}");
        }
    }

    #[test]
    fn groups_match_the_kind_of_municipality() {
        let files = generate(&GenOptions {
            participants: 2000,
            ..GenOptions::default()
        });
        let kinds: BTreeMap<String, String> = table(file(&files, "municipalities.csv"))
            .into_iter()
            .map(|r| (r["name"].clone(), r["kind"].clone()))
            .collect();
        assert!(kinds.len() >= 20);
        for kind in ["rural", "urban", "city"] {
            assert!(kinds.values().filter(|k| *k == kind).count() >= 5);
        }
        let participants = table(file(&files, "participants.csv"));
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for p in &participants {
            assert_eq!(kinds.get(&p["municipality"]), Some(&p["group"]), "{p:?}");
            *counts.entry(p["group"].clone()).or_default() += 1;
        }
        let expected: BTreeMap<String, usize> = group_sizes(2000);
        assert_eq!(counts, expected);
        for name in ["jurors.csv", "mentors.csv", "interns.csv"] {
            for r in table(file(&files, name)) {
                let m = &r["municipality"];
                assert!(m.is_empty() || kinds.contains_key(m), "{name}: {m}");
            }
        }
    }

    #[test]
    fn events_cover_every_topic_and_format() {
        let files = generate(&GenOptions::default());
        let events = table(file(&files, "events.csv"));
        assert_eq!(events.len(), 44);
        let topics: BTreeSet<&str> = events.iter().map(|e| e["topic"].as_str()).collect();
        let formats: BTreeSet<&str> = events.iter().map(|e| e["format"].as_str()).collect();
        assert_eq!(topics, Topic::ALL.iter().map(|t| t.code()).collect());
        assert_eq!(formats, EventFormat::ALL.iter().map(|f| f.code()).collect());
        let first = NaiveDate::from_ymd_opt(2021, 2, 1).unwrap();
        let last = NaiveDate::from_ymd_opt(2021, 11, 30).unwrap();
        let mut previous = first;
        for e in &events {
            let start: NaiveDate = e["start"].parse().unwrap();
            let end: NaiveDate = e["end"].parse().unwrap();
            assert!(first <= start && start <= end && end <= last, "{e:?}");
            assert!(previous <= start, "events are listed by date");
            previous = start;
            let multi = matches!(e["format"].as_str(), "internship" | "forum");
            assert_eq!(multi, end > start, "{e:?}");
            assert!(e["hours"].parse::<u32>().unwrap() > 0);
            assert!(!e["place"].is_empty());
        }
    }

    #[test]
    fn attendance_varies_between_listeners() {
        for (n, lo, hi) in [(150, 6.5, 9.5), (20_000, 5.0, 7.5)] {
            let files = generate(&GenOptions {
                participants: n,
                ..GenOptions::default()
            });
            let rows = table(file(&files, "attendance.csv"));
            let mut per: BTreeMap<&str, usize> = BTreeMap::new();
            for r in &rows {
                *per.entry(r["participant_id"].as_str()).or_default() += 1;
            }
            assert_eq!(per.len(), n);
            let mean = rows.len() as f64 / n as f64;
            assert!((lo..hi).contains(&mean), "{n}: mean {mean}");
            let max = per.values().max().copied().unwrap();
            let few = per.values().filter(|c| **c <= 2).count();
            assert!(max >= 20, "{n}: the keenest attend {max}");
            assert!(few * 10 >= n, "{n}: only {few} attend 1-2 events");
        }
    }

    #[test]
    fn mentors_and_interns_are_consistent() {
        let files = generate(&GenOptions::default());
        let mentors = table(file(&files, "mentors.csv"));
        let interns = table(file(&files, "interns.csv"));
        assert_eq!(mentors.len(), 6);
        assert_eq!(interns.len(), 64);
        let mentor_ids: BTreeSet<&str> = mentors.iter().map(|m| m["id"].as_str()).collect();
        let intern_ids: BTreeSet<&str> = interns.iter().map(|i| i["id"].as_str()).collect();
        for m in &mentors {
            assert!(m["participant_id"].is_empty());
            for p in crate::interchange::text::split_list(&m["preferred_interns"]) {
                assert!(intern_ids.contains(p), "{p}");
            }
        }
        let mut with_prefs = 0;
        for i in &interns {
            let n = crate::interchange::text::parse_topics(&i["topics"])
                .unwrap()
                .len();
            assert!((1..=3).contains(&n));
            let prefs: Vec<&str> =
                crate::interchange::text::split_list(&i["preferred_mentors"]).collect();
            with_prefs += usize::from(!prefs.is_empty());
            for p in prefs {
                assert!(mentor_ids.contains(p), "{p}");
            }
        }
        assert!((20..=44).contains(&with_prefs), "{with_prefs} of 64");
    }

    #[test]
    fn jurors_have_a_coordinator_experts_and_an_observer() {
        let files = generate(&GenOptions::default());
        let jurors = table(file(&files, "jurors.csv"));
        let roles: Vec<&str> = jurors.iter().map(|j| j["role"].as_str()).collect();
        assert_eq!(
            roles,
            [
                "coordinator",
                "juror",
                "juror",
                "juror",
                "juror",
                "juror",
                "observer"
            ]
        );
        assert!(jurors.iter().all(|j| j["ssh_key"].is_empty()));
        let files = generate(&GenOptions {
            jurors: 50,
            ..GenOptions::default()
        });
        let jurors = table(file(&files, "jurors.csv"));
        assert!(jurors.iter().any(|j| !j["tos_name"].is_empty()));
        assert!(jurors.iter().any(|j| !j["conflicts"].is_empty()));
        assert!(jurors.iter().any(|j| j["municipality"].is_empty()));
    }

    #[test]
    fn surnames_take_the_feminine_form() {
        assert_eq!(feminine("Иванов"), "Иванова");
        assert_eq!(feminine("Соловьёв"), "Соловьёва");
        assert_eq!(feminine("Ильин"), "Ильина");
        assert_eq!(feminine("Каменский"), "Каменская");
        assert_eq!(feminine("Черных"), "Черных");
        assert_eq!(feminine("Шевчук"), "Шевчук");
        assert_eq!(feminine("Ткаченко"), "Ткаченко");
        assert_eq!(translit("Щербакова Юлия"), "shcherbakovayuliya");
    }

    /// Writes the bundled sample contest into `sample-data/` (run with
    /// `cargo test --lib write_sample_data -- --ignored`).
    #[test]
    #[ignore]
    fn write_sample_data() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
        for (name, bytes) in generate(&GenOptions::default()) {
            if name != "regulation.toml" {
                std::fs::write(dir.join(name), bytes).unwrap();
            }
        }
    }

    /// The time to generate a large contest (run in release:
    /// `cargo test --release --lib large_contest_timing -- --ignored --nocapture`).
    #[test]
    #[ignore]
    fn large_contest_timing() {
        let opts = GenOptions {
            participants: 100_000,
            jurors: 50,
            ..GenOptions::default()
        };
        let mut best = f64::MAX;
        for _ in 0..5 {
            let t = std::time::Instant::now();
            let files = generate(&opts);
            best = best.min(t.elapsed().as_secs_f64());
            std::hint::black_box(files);
        }
        let files = generate(&opts);
        for (name, bytes) in &files {
            let rows = bytes.iter().filter(|b| **b == b'\n').count();
            println!("{name}: {} bytes, {rows} lines", bytes.len());
        }
        println!("100,000 participants x 50 jurors: best of 5 {best:.3} s");
    }
}
