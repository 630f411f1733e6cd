//! The training events, and who attended them.

use crate::GenOptions;
use crate::files::CsvFile;
use crate::listeners::{Listener, id_width};
use crate::rng::{Rng, Weighted};
use crate::streams::{ATTENDANCE, EVENTS};
use crate::tables::tables;
use chrono::{Duration, NaiveDate};
use konkurs::domain::topic::{EventFormat, Topic};

pub struct Event {
    pub id: String,
    pub title: String,
    pub topic: Topic,
    pub format: EventFormat,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub hours: u32,
    pub place: String,
    /// How many listeners it draws, relatively.
    pub draw: f64,
    /// Each day of the event, formatted.
    pub days: Vec<String>,
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

/// The events, by date, each with a subject of its topic.
pub fn generate(opts: &GenOptions, listeners: &[Listener]) -> Vec<Event> {
    let t = tables();
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
    let towns = Weighted::new(t.places.iter().map(|p| p.weight));
    let hosts = internship_hosts(listeners);
    let mut regional_forum = false;
    let mut events: Vec<(NaiveDate, usize, Event)> = Vec::with_capacity(n);
    for (i, (format, topic)) in formats.into_iter().zip(topics).enumerate() {
        let subject = rng.pick(t.subjects(topic)).as_str();
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
                    let place = t.places[towns.draw(&mut rng)].town.clone();
                    (quoted("Стажировка"), place, 8 * days as u32)
                } else {
                    let host = &listeners[*rng.pick(&hosts)];
                    (
                        format!("Стажировка в {} по теме «{subject}»", host.tos),
                        t.places[host.place].town.clone(),
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
                    let town = &t.places[towns.draw(&mut rng)].town;
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
            let town = tables().places[towns.draw(rng)].town.as_str();
            let hall = *rng.pick(&["Дом культуры", "администрация", "библиотека", ""]);
            if hall.is_empty() || town == "Иркутск" {
                town.to_string()
            } else {
                format!("{town}, {hall}")
            }
        }
    }
}

/// The average number of events a listener attends: 8 in a contest of a
/// region's size, falling to 6 at 100,000 listeners so files stay small.
fn mean_attendance(n: usize) -> f64 {
    let scale = ((n.max(1) as f64 / 1000.0).log10() / 2.0).clamp(0.0, 1.0);
    8.0 - 2.0 * scale
}

/// The attendance file: one row per listener per event, event by event as
/// the sign-in sheets come.
pub fn attendance(opts: &GenOptions, listeners: &[Listener], events: &[Event]) -> Vec<u8> {
    let mut rng = Rng::stream(opts.seed, ATTENDANCE);
    let mut w = CsvFile::new(&["participant_id", "event_id", "date"]);
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
