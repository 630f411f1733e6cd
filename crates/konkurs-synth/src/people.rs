//! Made-up people: names, e-mail addresses, phones and the names of their
//! TOS.

use crate::rng::Rng;
use crate::tables::tables;
use konkurs::search::to_latin;
use std::collections::{HashMap, HashSet};

/// The feminine form of a masculine surname: Иванов → Иванова,
/// Каменский → Каменская; Черных and Шевчук do not change.
pub fn feminine(surname: &str) -> String {
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

pub struct Name {
    pub surname: String,
    pub first: &'static str,
    pub patronymic: &'static str,
}

impl Name {
    pub fn full(&self) -> String {
        format!("{} {} {}", self.surname, self.first, self.patronymic)
    }
}

/// A person's name: Russian, or Buryat (a Buryat person's father has a
/// Russian name three times in ten).
pub fn person(rng: &mut Rng, female: bool, buryat: bool) -> Name {
    let t = tables();
    let father = if buryat && rng.chance(0.7) {
        rng.pick(&t.buryat.male)
    } else {
        rng.pick(&t.russian.male)
    };
    let names = if buryat { &t.buryat } else { &t.russian };
    let s = rng.pick(&names.surnames);
    let (surname, first) = if female {
        (feminine(s), rng.pick(&names.female).as_str())
    } else {
        (s.clone(), rng.pick(&names.male).name.as_str())
    };
    Name {
        surname,
        first,
        patronymic: if female {
            &father.daughter
        } else {
            &father.son
        },
    }
}

/// Hands out fictional e-mail addresses, each once.
#[derive(Default)]
pub struct Emails {
    used: HashSet<String>,
    /// How many addresses each local part has given, to number the next.
    counts: HashMap<String, u32>,
}

impl Emails {
    pub fn make(&mut self, rng: &mut Rng, name: &Name) -> String {
        let sur = to_latin(&name.surname);
        let f = to_latin(name.first);
        let p = to_latin(name.patronymic);
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
pub fn phone(rng: &mut Rng) -> String {
    const CODES: &[u32] = &[902, 904, 908, 914, 924, 950, 952, 964, 983];
    format!(
        "+7 {} {:03}-{:02}-{:02}",
        rng.pick(CODES),
        rng.below(1000),
        rng.below(100),
        rng.below(100)
    )
}

/// Hands out TOS names, unique within a municipality.
#[derive(Default)]
pub struct TosNames {
    /// How many TOS of each name a municipality has, to number the next.
    counts: HashMap<(usize, &'static str), u32>,
}

impl TosNames {
    pub fn make(&mut self, rng: &mut Rng, place: usize) -> String {
        let t = tables();
        let mut base = "";
        for _ in 0..4 {
            base = if rng.chance(0.25) {
                rng.pick(&t.streets).as_str()
            } else {
                rng.pick(&t.tos_words).as_str()
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
pub fn tos_label(rng: &mut Rng, word: &str) -> String {
    if rng.chance(0.3) {
        format!("ТОС \"{word}\"")
    } else {
        format!("ТОС «{word}»")
    }
}
