//! Automatic juror assignment at the size of a large regional contest:
//! 10,000 participants, 50 jurors, K = 3, a declared conflict on 5% of the
//! pairs (seeded, so every run measures the same instance).
//!
//! Run with `cargo bench --bench assignment`.

/// The allocator the konkurs binary uses, so that figures match it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use chrono::NaiveDate;
use divan::{Bencher, black_box};
use konkurs::domain::assignment::{AssignmentInput, AssignmentPlan, assign};
use konkurs::domain::ids::{GroupId, JurorId, ParticipantId, StageId};
use konkurs::domain::participant::{Indicators, Participant};
use konkurs::domain::people::{Juror, Role};
use konkurs::domain::regulation::ConflictRule;
use konkurs::domain::scoring::{Assignment, Conflict, ConflictOrigin};

fn main() {
    divan::main();
}

const PARTICIPANTS: usize = 10_000;
const JURORS: usize = 50;
const K: usize = 3;
const CONFLICT_PERCENT: u64 = 5;

struct Contest {
    stage: StageId,
    rules: Vec<ConflictRule>,
    participants: Vec<Participant>,
    jurors: Vec<Juror>,
    conflicts: Vec<Conflict>,
}

impl Contest {
    fn generate() -> Contest {
        let mut rng = SplitMix64(0x006b_6f6e_6b75_7273);
        let participants = (0..PARTICIPANTS)
            .map(|i| Participant {
                id: ParticipantId::new(format!("P{i:05}")),
                full_name: format!("Participant {i}"),
                tos_name: format!("ТОС №{i}"),
                municipality: String::new(),
                group: GroupId::new("rural"),
                email: String::new(),
                phone: String::new(),
                application_date: NaiveDate::from_ymd_opt(2024, 3, 1).unwrap(),
                indicators: Indicators::default(),
                notes: String::new(),
            })
            .collect::<Vec<_>>();
        let jurors = (0..JURORS)
            .map(|j| Juror {
                id: JurorId::new(format!("J{j:02}")),
                full_name: format!("Juror {j}"),
                role: Role::Juror,
                email: String::new(),
                municipality: String::new(),
                tos_name: String::new(),
                keys: Vec::new(),
            })
            .collect::<Vec<_>>();
        let mut conflicts = Vec::new();
        for p in &participants {
            for j in &jurors {
                if rng.next() % 100 < CONFLICT_PERCENT {
                    conflicts.push(Conflict {
                        juror: j.id.clone(),
                        participant: p.id.clone(),
                        reason: "declared".into(),
                        origin: ConflictOrigin::Registered,
                    });
                }
            }
        }
        Contest {
            stage: StageId::new("expert"),
            rules: vec![ConflictRule::SameMunicipality, ConflictRule::SameTos],
            participants,
            jurors,
            conflicts,
        }
    }

    fn input<'a>(&'a self, existing: &'a [Assignment]) -> AssignmentInput<'a> {
        AssignmentInput {
            stage: &self.stage,
            jurors_per_participant: K,
            rules: &self.rules,
            participants: self.participants.iter().collect(),
            jurors: self.jurors.iter().collect(),
            conflicts: self.conflicts.iter().collect(),
            existing: existing.iter().collect(),
            started: Vec::new(),
            max_load: None,
        }
    }
}

struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

fn check(plan: &AssignmentPlan) {
    assert_eq!(plan.assignments.len(), PARTICIPANTS * K);
    assert!(plan.shortfalls.is_empty());
    let (min, max) = plan.load_range().unwrap();
    assert!(max - min <= 1, "loads {min}–{max}");
}

/// A first assignment of the stage.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn fresh_10000x50_k3(bencher: Bencher) {
    let contest = Contest::generate();
    let input = contest.input(&[]);
    check(&assign(&input));
    bencher.bench_local(|| assign(black_box(&input)));
}

/// A rerun after one more juror joined: 1/51 of the places move to them.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn rerun_with_a_new_juror(bencher: Bencher) {
    let mut contest = Contest::generate();
    let existing = assign(&contest.input(&[])).assignments;
    let mut newcomer = contest.jurors[0].clone();
    newcomer.id = JurorId::new("J50");
    contest.jurors.push(newcomer);
    let input = contest.input(&existing);
    let plan = assign(&input);
    check(&plan);
    assert!(plan.kept >= existing.len() - existing.len() / (JURORS + 1) - 1);
    bencher.bench_local(|| assign(black_box(&input)));
}
