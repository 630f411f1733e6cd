//! The ranking of a large stage: 10,000 participants, 5 of 50 jurors each,
//! 10 jury criteria, an indicator, a carry-over and a full tie-break chain.
//!
//! `full` is what the ranking pane of such a stage costs: the ranking under
//! every aggregation method, the jury statistics and the sensitivity
//! analysis, through [`ranking::analyse`]. `separately` does the same work
//! through the separate calls; the others break it down.
//!
//! Run with `cargo bench --bench ranking`.

/// The allocator the konkurs binary uses, so that figures match it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use konkurs::domain::ids::{CriterionId, JurorId, ParticipantId, StageId};
use konkurs::domain::participant::{Indicators, Participant};
use konkurs::domain::ranking::{self, StageInput};
use konkurs::domain::regulation::{Aggregation, Regulation};
use konkurs::domain::scoring::{ScoreSheet, SheetStatus};
use std::collections::BTreeMap;

const PARTICIPANTS: usize = 10_000;
const JURORS: usize = 50;
const JURORS_PER_PARTICIPANT: usize = 5;
const CRITERIA: usize = 10;

fn main() {
    divan::main();
}

/// A reproducible generator.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

struct Contest {
    regulation: Regulation,
    participants: Vec<Participant>,
    sheets: Vec<ScoreSheet>,
    indicator_points: BTreeMap<ParticipantId, BTreeMap<CriterionId, f64>>,
    earlier_totals: BTreeMap<StageId, BTreeMap<ParticipantId, f64>>,
    activity_rating: BTreeMap<ParticipantId, f64>,
}

fn regulation() -> Regulation {
    let mut text = String::from(
        r#"
[contest]
name = "Synthetic contest"

[[groups]]
id = "rural"
name = "Rural settlements"
quota = 50

[[groups]]
id = "urban"
name = "Urban settlements"
quota = 30

[[groups]]
id = "city"
name = "City districts"
quota = 40

[[stages]]
id = "education"
name = "Education"
advance = { rule = "top", n = 10000 }

[[stages.criteria]]
id = "attendance"
name = "Attendance"
kind = "indicator"
source = "attendance"
max_points = 20

[[stages]]
id = "final"
name = "Final"
aggregation = "trimmed"
jurors_per_participant = 5
half_points = true
carry_over = [{ stage = "education", weight = 0.2 }]
advance = { rule = "quota" }
tie_break = ["total", "criterion:c03", "previous_stage", "activity_rating", "application_date"]

[[stages.criteria]]
id = "awards"
name = "Awards"
kind = "indicator"
source = "awards"
max_points = 6
weight = 0.5
"#,
    );
    for c in 0..CRITERIA {
        let weight = [1.0, 1.5, 2.0][c % 3];
        text.push_str(&format!(
            "\n[[stages.criteria]]\nid = \"c{c:02}\"\nname = \"Criterion {c}\"\nkind = \"jury\"\nmax_points = 10\nweight = {weight}\n"
        ));
    }
    Regulation::parse(&text).expect("the synthetic regulation is valid")
}

/// Participants of three groups with a hidden quality; jurors with their
/// own leniency; every juror's points are quality + leniency + noise,
/// rounded to half points within 0..=10.
fn contest() -> Contest {
    let mut rng = Lcg(2021);
    let regulation = regulation();
    let leniency: Vec<f64> = (0..JURORS).map(|_| rng.below(5) as f64 - 2.0).collect();
    let at = Utc.with_ymd_and_hms(2021, 5, 1, 12, 0, 0).unwrap();
    let start = NaiveDate::from_ymd_opt(2021, 2, 1).unwrap();
    let mut participants = Vec::with_capacity(PARTICIPANTS);
    let mut sheets = Vec::with_capacity(PARTICIPANTS * JURORS_PER_PARTICIPANT);
    let mut indicator_points = BTreeMap::new();
    let mut education = BTreeMap::new();
    let mut activity_rating = BTreeMap::new();
    for i in 0..PARTICIPANTS {
        let id = ParticipantId::new(format!("P{i:05}"));
        let group = ["rural", "urban", "city"][rng.below(3)];
        participants.push(Participant {
            id: id.clone(),
            full_name: format!("Participant {i}"),
            tos_name: format!("TOS {i}"),
            municipality: format!("Municipality {}", i % 42),
            group: group.into(),
            email: String::new(),
            phone: String::new(),
            application_date: start + Duration::days(rng.below(60) as i64),
            indicators: Indicators::default(),
            notes: String::new(),
        });
        let quality = 3.0 + rng.below(50) as f64 / 10.0;
        let mut chosen: Vec<usize> = Vec::with_capacity(JURORS_PER_PARTICIPANT);
        while chosen.len() < JURORS_PER_PARTICIPANT {
            let j = rng.below(JURORS);
            if !chosen.contains(&j) {
                chosen.push(j);
            }
        }
        for j in chosen {
            let juror = JurorId::new(format!("J{j:02}"));
            let mut sheet = ScoreSheet::new("final".into(), id.clone(), juror, at);
            for c in 0..CRITERIA {
                let noise = rng.below(7) as f64 / 2.0 - 1.5;
                let points = ((quality + leniency[j] + noise) * 2.0).round() / 2.0;
                sheet.scores.insert(
                    CriterionId::new(format!("c{c:02}")),
                    points.clamp(0.0, 10.0),
                );
            }
            sheet.status = SheetStatus::Submitted;
            sheets.push(sheet);
        }
        indicator_points.insert(
            id.clone(),
            BTreeMap::from([(CriterionId::new("awards"), rng.below(7) as f64)]),
        );
        education.insert(id.clone(), rng.below(600) as f64 / 10.0);
        activity_rating.insert(id, rng.below(1000) as f64 / 10.0);
    }
    Contest {
        regulation,
        participants,
        sheets,
        indicator_points,
        earlier_totals: BTreeMap::from([(StageId::new("education"), education)]),
        activity_rating,
    }
}

impl Contest {
    fn input(&self) -> StageInput<'_> {
        StageInput {
            regulation: &self.regulation,
            stage: self.regulation.stage(&"final".into()).unwrap(),
            participants: self.participants.iter().collect(),
            sheets: self.sheets.iter().collect(),
            indicator_points: &self.indicator_points,
            earlier_totals: &self.earlier_totals,
            activity_rating: &self.activity_rating,
            resolutions: &[],
        }
    }
}

/// Every method, the statistics and the sensitivity analysis, in one pass.
#[divan::bench(sample_count = 30, sample_size = 1)]
fn full(bencher: divan::Bencher) {
    let contest = contest();
    bencher.bench_local(|| ranking::analyse(&contest.input()));
}

/// The same work through the separate calls, each reading the sheets anew.
#[divan::bench(sample_count = 30, sample_size = 1)]
fn separately(bencher: divan::Bencher) {
    let contest = contest();
    bencher.bench_local(|| {
        let input = contest.input();
        let rankings: Vec<_> = Aggregation::ALL
            .into_iter()
            .map(|m| ranking::rank(&input, m))
            .collect();
        let statistics = ranking::statistics(&input);
        let sensitivity = ranking::sensitivity(&input);
        (rankings, statistics, sensitivity)
    });
}

#[divan::bench(args = Aggregation::ALL, sample_count = 30, sample_size = 1)]
fn rank(bencher: divan::Bencher, method: Aggregation) {
    let contest = contest();
    bencher.bench_local(|| ranking::rank(&contest.input(), method));
}

#[divan::bench(sample_count = 30, sample_size = 1)]
fn statistics(bencher: divan::Bencher) {
    let contest = contest();
    bencher.bench_local(|| ranking::statistics(&contest.input()));
}

#[divan::bench(sample_count = 30, sample_size = 1)]
fn sensitivity(bencher: divan::Bencher) {
    let contest = contest();
    bencher.bench_local(|| ranking::sensitivity(&contest.input()));
}
