//! Pairing 200 mentors with 5,000 interns spread over 20 municipalities of the
//! Irkutsk region, with random topics, formats, stated preferences, a few
//! locks and forbids; and the same market over 5,000 settlements of a real
//! region's size, every intern in a place of their own (`*_many_places`).
//!
//! Run: `cargo bench --bench matching`

/// The allocator the konkurs binary uses, so that figures match it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use divan::{Bencher, black_box};
use konkurs::domain::ids::{InternId, MentorId};
use konkurs::domain::matching::{self, MatchInput, MatchMode};
use konkurs::domain::mentoring::{Formats, InternRequest, Mentor, Municipality, TopicLevel};
use konkurs::domain::regulation::MentoringRules;
use konkurs::domain::topic::Topic;
use std::collections::BTreeMap;

fn main() {
    divan::main();
}

const MENTORS: usize = 200;
const INTERNS: usize = 5_000;
/// The distinct places of a region's full list of settlements.
const MANY_PLACES: usize = 5_000;

/// Municipalities of the region with approximate coordinates.
const PLACES: [(&str, f64, f64); 20] = [
    ("Иркутск", 52.287, 104.305),
    ("Ангарск", 52.545, 103.889),
    ("Братск", 56.151, 101.634),
    ("Усть-Илимск", 58.000, 102.662),
    ("Шелехов", 52.210, 104.098),
    ("Усолье-Сибирское", 52.752, 103.645),
    ("Черемхово", 53.157, 103.067),
    ("Тулун", 54.557, 100.578),
    ("Нижнеудинск", 54.898, 99.028),
    ("Тайшет", 55.941, 98.003),
    ("Усть-Кут", 56.793, 105.776),
    ("Зима", 53.921, 102.049),
    ("Саянск", 54.114, 102.171),
    ("Киренск", 57.786, 108.112),
    ("Бодайбо", 57.851, 114.193),
    ("Слюдянка", 51.656, 103.719),
    ("Байкальск", 51.523, 104.149),
    ("Железногорск-Илимский", 56.585, 104.121),
    ("Усть-Ордынский", 52.806, 104.762),
    ("Качуг", 53.962, 105.882),
];

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// A municipality, the two big cities more often.
    fn place(&mut self) -> String {
        let k = if self.chance(30) {
            self.below(2)
        } else {
            self.below(PLACES.len())
        };
        PLACES[k].0.to_string()
    }

    /// A coordinate between `lo` and `hi`, to a thousandth of a degree.
    fn degree(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.below(1_000_001) as f64 / 1e6
    }

    fn formats(&mut self, on_site_only: usize, online_only: usize) -> Formats {
        let roll = self.below(100);
        if roll < on_site_only {
            Formats {
                on_site: true,
                online: false,
            }
        } else if roll < on_site_only + online_only {
            Formats {
                on_site: false,
                online: true,
            }
        } else {
            Formats::BOTH
        }
    }

    fn topics(&mut self, count: usize) -> Vec<Topic> {
        let mut all = Topic::ALL.to_vec();
        for k in 0..count {
            let j = k + self.below(all.len() - k);
            all.swap(k, j);
        }
        all.truncate(count);
        all
    }
}

struct Data {
    mentors: Vec<Mentor>,
    interns: Vec<InternRequest>,
    places: BTreeMap<String, Municipality>,
    rules: MentoringRules,
    locks: Vec<(MentorId, InternId)>,
    forbids: Vec<(MentorId, InternId)>,
}

impl Data {
    /// The market over the 20 municipalities of `PLACES`.
    fn new() -> Data {
        Data::with_places(0)
    }

    /// With `settlements` > 0, the market over that many settlements of the
    /// region (with coordinates): each intern lives in a settlement of their
    /// own (while there are enough), each mentor in a random one. The people
    /// are drawn exactly as in [`Data::new`]; only where they live differs.
    fn with_places(settlements: usize) -> Data {
        let mut rng = Rng(2021);
        let mentor_id = |k: usize| MentorId::new(format!("M{k:03}"));
        let intern_id = |k: usize| InternId::new(format!("I{k:04}"));
        let mut mentors: Vec<Mentor> = (0..MENTORS)
            .map(|k| {
                let count = 2 + rng.below(4);
                let topics = rng
                    .topics(count)
                    .into_iter()
                    .map(|topic| TopicLevel {
                        topic,
                        level: 1 + rng.below(3) as u8,
                    })
                    .collect();
                let preferred_interns = if rng.chance(20) {
                    (0..1 + rng.below(3))
                        .map(|_| intern_id(rng.below(INTERNS)))
                        .collect()
                } else {
                    Vec::new()
                };
                Mentor {
                    id: mentor_id(k),
                    participant: None,
                    full_name: format!("Наставник {k}"),
                    tos_name: format!("ТОС «Наставник-{k}»"),
                    municipality: rng.place(),
                    capacity: 1 + rng.below(5) as u32,
                    topics,
                    formats: rng.formats(25, 15),
                    preferred_interns,
                }
            })
            .collect();
        let mut interns: Vec<InternRequest> = (0..INTERNS)
            .map(|k| {
                let count = 1 + rng.below(3);
                let preferred_mentors = if rng.chance(35) {
                    (0..1 + rng.below(3))
                        .map(|_| mentor_id(rng.below(MENTORS)))
                        .collect()
                } else {
                    Vec::new()
                };
                InternRequest {
                    id: intern_id(k),
                    full_name: format!("Стажёр {k}"),
                    tos_name: format!("ТОС «Стажёр-{k}»"),
                    municipality: rng.place(),
                    topics: rng.topics(count),
                    formats: rng.formats(30, 15),
                    preferred_mentors,
                }
            })
            .collect();
        let mut places: BTreeMap<String, Municipality> = PLACES
            .iter()
            .map(|&(name, latitude, longitude)| {
                (
                    name.to_string(),
                    Municipality {
                        name: name.to_string(),
                        kind: String::new(),
                        latitude,
                        longitude,
                    },
                )
            })
            .collect();
        if settlements > 0 {
            let mut geo = Rng(5000);
            let name = |k: usize| format!("Посёлок {k:04}");
            places = (0..settlements)
                .map(|k| {
                    let municipality = Municipality {
                        name: name(k),
                        kind: String::new(),
                        latitude: geo.degree(51.5, 59.0),
                        longitude: geo.degree(97.5, 115.0),
                    };
                    (name(k), municipality)
                })
                .collect();
            for m in &mut mentors {
                m.municipality = name(geo.below(settlements));
            }
            for (k, i) in interns.iter_mut().enumerate() {
                i.municipality = name(k % settlements);
            }
        }
        let locks = (0..20)
            .map(|_| (mentor_id(rng.below(MENTORS)), intern_id(rng.below(INTERNS))))
            .collect();
        let forbids = (0..50)
            .map(|_| (mentor_id(rng.below(MENTORS)), intern_id(rng.below(INTERNS))))
            .collect();
        Data {
            mentors,
            interns,
            places,
            // The sample regulation's [mentoring] section.
            rules: MentoringRules {
                capacity: 3,
                max_distance_km: 700.0,
                topic_weight: 10,
                distance_weight: 1,
                distance_bands: vec![[50.0, 6.0], [200.0, 4.0], [400.0, 2.0], [700.0, 0.0]],
                preference_weight: 3,
            },
            locks,
            forbids,
        }
    }

    fn input(&self) -> MatchInput<'_> {
        MatchInput {
            mentors: &self.mentors,
            interns: &self.interns,
            municipalities: &self.places,
            rules: &self.rules,
            locks: &self.locks,
            forbids: &self.forbids,
        }
    }
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn optimal(bencher: Bencher) {
    let data = Data::new();
    bencher.bench_local(|| matching::propose(black_box(&data.input()), MatchMode::Optimal));
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn max_cardinality(bencher: Bencher) {
    let data = Data::new();
    bencher.bench_local(|| matching::propose(black_box(&data.input()), MatchMode::MaxCardinality));
}

#[divan::bench(sample_count = 20, sample_size = 1)]
fn stable(bencher: Bencher) {
    let data = Data::new();
    bencher.bench_local(|| matching::propose(black_box(&data.input()), MatchMode::Stable));
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn explain_optimal(bencher: Bencher) {
    let data = Data::new();
    let proposal = matching::propose(&data.input(), MatchMode::Optimal);
    bencher.bench_local(|| matching::explain(black_box(&data.input()), &proposal));
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn optimal_many_places(bencher: Bencher) {
    let data = Data::with_places(MANY_PLACES);
    bencher.bench_local(|| matching::propose(black_box(&data.input()), MatchMode::Optimal));
}

#[divan::bench(sample_count = 20, sample_size = 1)]
fn stable_many_places(bencher: Bencher) {
    let data = Data::with_places(MANY_PLACES);
    bencher.bench_local(|| matching::propose(black_box(&data.input()), MatchMode::Stable));
}

/// What `konkurs match --mode stable` computes: the proposal, every
/// intern's explanation and the blocking pairs.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn stable_explained_many_places(bencher: Bencher) {
    let data = Data::with_places(MANY_PLACES);
    bencher.bench_local(|| {
        let input = black_box(data.input());
        let proposal = matching::propose(&input, MatchMode::Stable);
        let explanations = matching::explain(&input, &proposal);
        let blocking = matching::blocking_pairs(&input, &proposal.assignment());
        (proposal, explanations, blocking)
    });
}
