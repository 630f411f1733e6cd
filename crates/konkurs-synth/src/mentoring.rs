//! The mentoring programme: mentors, interns and the settlements they live in.

use crate::GenOptions;
use crate::listeners::id_width;
use crate::people::{TosNames, person, tos_label};
use crate::rng::{Rng, Weighted};
use crate::streams::{INTERNS, MENTORS, SETTLEMENTS};
use crate::tables::{Kind, tables};
use konkurs::domain::topic::Topic;

pub struct MentorRec {
    pub id: String,
    pub name: String,
    pub tos: String,
    pub place: usize,
    /// The settlement the mentor lives in, if any: an index of the
    /// settlements.
    pub settlement: Option<usize>,
    pub capacity: u32,
    pub topics: Vec<(Topic, u8)>,
    pub formats: &'static str,
}

pub struct InternRec {
    pub id: String,
    pub name: String,
    pub tos: String,
    pub place: usize,
    pub settlement: Option<usize>,
    pub topics: Vec<Topic>,
    pub formats: &'static str,
    pub preferred: Vec<usize>,
}

const MEETING_FORMATS: [&str; 3] = ["on_site, online", "online", "on_site"];

/// The mentors, who together cover the whole programme.
pub fn mentors(opts: &GenOptions) -> Vec<MentorRec> {
    let places = &tables().places;
    let mut rng = Rng::stream(opts.seed, MENTORS);
    let width = id_width(opts.mentors, 2);
    let towns = Weighted::new(places.iter().map(|p| p.weight));
    let mut tos_names = TosNames::default();
    let mut deck: Vec<Topic> = Vec::new();
    let mut out = Vec::with_capacity(opts.mentors);
    for i in 0..opts.mentors {
        let place = towns.draw(&mut rng);
        let female = rng.chance(0.75);
        let buryat = places[place].buryat && rng.chance(0.5);
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
pub fn interns(opts: &GenOptions, mentors: &[MentorRec]) -> (Vec<InternRec>, Vec<Vec<usize>>) {
    let places = &tables().places;
    let mut rng = Rng::stream(opts.seed, INTERNS);
    let width = id_width(opts.interns, 3);
    // Interns come from everywhere, most of all from villages.
    let towns = Weighted::new(places.iter().map(|p| match p.kind {
        Kind::Rural => p.weight * 2.0,
        _ => p.weight,
    }));
    let demand: Vec<f64> = Topic::ALL.iter().map(|t| demand(*t)).collect();
    let mut tos_names = TosNames::default();
    let mut out = Vec::with_capacity(opts.interns);
    for i in 0..opts.interns {
        let place = towns.draw(&mut rng);
        let female = rng.chance(0.7);
        let buryat = places[place].buryat && rng.chance(0.5);
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
pub struct Settlement {
    pub name: String,
    pub place: usize,
    pub lat: f64,
    pub lon: f64,
}

/// The settlements, spread over the municipalities in turn.
pub fn settlements(opts: &GenOptions) -> Vec<Settlement> {
    let places = &tables().places;
    let mut rng = Rng::stream(opts.seed, SETTLEMENTS);
    (0..opts.settlements)
        .map(|k| {
            let place = k % places.len();
            Settlement {
                name: format!("{} посёлок {}", places[place].town, k / places.len() + 1),
                place,
                lat: places[place].lat + rng.unit() - 0.5,
                lon: places[place].lon + rng.unit() - 0.5,
            }
        })
        .collect()
}

/// Moves the mentors and the interns into the settlements, if there are any.
pub fn settle(
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
pub fn municipality(place: usize, settlement: Option<usize>, all: &[Settlement]) -> &str {
    settlement.map_or(tables().places[place].name.as_str(), |k| {
        all[k].name.as_str()
    })
}
