//! Recomputing every activity rating: 100,000 listeners × 500 events with
//! 5,000,000 attendance marks, by the sample regulation's formula.
//!
//! Run with `cargo bench --bench activity`.

/// The allocator the konkurs binary uses, so that figures match it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use chrono::NaiveDate;
use divan::Bencher;
use imbl::OrdMap;
use konkurs::domain::activity::rate_each;
use konkurs::domain::ids::{EventId, GroupId, ParticipantId};
use konkurs::domain::learning::{Attendance, TrainingEvent};
use konkurs::domain::participant::{Indicators, Participant};
use konkurs::domain::regulation::Regulation;
use konkurs::domain::shared::SharedMap;
use konkurs::domain::topic::{EventFormat, Topic};

fn main() {
    divan::main();
}

const LISTENERS: usize = 100_000;
const EVENTS: usize = 500;
const MARKS_EACH: usize = 50;

struct Data {
    participants: Vec<Participant>,
    attendance: SharedMap<ParticipantId, Attendance>,
    events: OrdMap<EventId, TrainingEvent>,
}

fn data() -> Data {
    let day = NaiveDate::from_ymd_opt(2021, 2, 1).unwrap();
    let events: OrdMap<EventId, TrainingEvent> = (0..EVENTS)
        .map(|i| {
            let e = TrainingEvent {
                id: EventId::new(format!("E{i:03}")),
                title: format!("Event {i}"),
                topic: Topic::ALL[i % 11],
                format: EventFormat::ALL[i % 6],
                start: day,
                end: day,
                hours: 2.0,
                place: String::new(),
            };
            (e.id.clone(), e)
        })
        .collect();
    let ids: Vec<EventId> = events.keys().cloned().collect();
    let mut seed = 0x5eed_u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let participants: Vec<Participant> = (0..LISTENERS)
        .map(|i| Participant {
            id: ParticipantId::new(format!("P{i:06}")),
            full_name: String::new(),
            tos_name: String::new(),
            municipality: String::new(),
            group: GroupId::new("city"),
            email: String::new(),
            phone: String::new(),
            application_date: day,
            indicators: Indicators {
                creative_tasks: (i % 4) as u32,
                site_activity: (i % 30) as u32,
                ..Default::default()
            },
            notes: String::new(),
        })
        .collect();
    let attendance = participants
        .iter()
        .map(|p| {
            let mut a = Attendance::new(p.id.clone());
            while a.events.len() < MARKS_EACH {
                a.events
                    .insert(ids[(next() % EVENTS as u64) as usize].clone(), None);
            }
            (p.id.clone(), a)
        })
        .collect();
    Data {
        participants,
        attendance,
        events,
    }
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn all_ratings_100k_x_500_events_5m_marks(b: Bencher) {
    let d = data();
    let formula = Regulation::parse(include_str!("../sample-data/regulation.toml"))
        .unwrap()
        .activity;
    assert_eq!(
        d.attendance.values().map(|a| a.events.len()).sum::<usize>(),
        LISTENERS * MARKS_EACH
    );
    // As the service rates a contest: in two halves on two threads.
    let all: Vec<&Participant> = d.participants.iter().collect();
    b.bench_local(|| {
        konkurs::parallel::halves(all.len(), |r| {
            rate_each(&formula, &all[r], &d.attendance, &d.events)
        })
        .into_iter()
        .collect::<std::collections::BTreeMap<_, _>>()
    });
}
