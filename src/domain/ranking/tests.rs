//! The stage ranking on examples worked by hand, on tie-breaks and
//! advancement, and on properties that must hold for any scores.

use super::*;
use crate::domain::participant::Indicators;
use crate::domain::regulation::{Advance, AdvanceKind};
use crate::domain::scoring::SheetStatus;
use crate::domain::stats::testing::Lcg;
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;

/// Two territory groups and a first stage counted from data; each test adds
/// the stage it ranks.
const HEADER: &str = r#"
[contest]
name = "Test contest"

[[groups]]
id = "rural"
name = "Rural settlements"
quota = 2

[[groups]]
id = "urban"
name = "Urban settlements"
quota = 1

[[stages]]
id = "education"
name = "Education"
advance = { rule = "top", n = 1000 }

[[stages.criteria]]
id = "attendance"
name = "Attendance"
kind = "indicator"
source = "attendance"
max_points = 20
"#;

/// A contest's data for one stage, owned, so that tests can lend it out.
struct Fixture {
    regulation: Regulation,
    participants: Vec<Participant>,
    sheets: Vec<ScoreSheet>,
    indicator_points: BTreeMap<ParticipantId, BTreeMap<CriterionId, f64>>,
    earlier_totals: BTreeMap<StageId, BTreeMap<ParticipantId, f64>>,
    activity_rating: BTreeMap<ParticipantId, f64>,
    resolutions: Vec<Vec<ParticipantId>>,
}

impl Fixture {
    /// A contest whose last stage is `stage` (TOML); the ranked stage.
    fn new(stage: &str) -> Fixture {
        let text = format!("{HEADER}\n{stage}");
        let regulation = Regulation::parse(&text).unwrap_or_else(|e| panic!("{e:?}"));
        Fixture {
            regulation,
            participants: Vec::new(),
            sheets: Vec::new(),
            indicator_points: BTreeMap::new(),
            earlier_totals: BTreeMap::new(),
            activity_rating: BTreeMap::new(),
            resolutions: Vec::new(),
        }
    }

    fn stage(&self) -> &Stage {
        self.regulation.stages.last().unwrap()
    }

    fn stage_mut(&mut self) -> &mut Stage {
        self.regulation.stages.last_mut().unwrap()
    }

    /// A participant of `group` who applied `day` days into 2021.
    fn join(&mut self, id: &str, group: &str, day: i64) -> &mut Self {
        self.participants.push(Participant {
            id: id.into(),
            full_name: format!("Participant {id}"),
            tos_name: format!("TOS {id}"),
            municipality: "Irkutsk".into(),
            group: group.into(),
            email: String::new(),
            phone: String::new(),
            application_date: NaiveDate::from_ymd_opt(2021, 1, 1).unwrap() + Duration::days(day),
            indicators: Indicators::default(),
            notes: String::new(),
        });
        self
    }

    fn sheet(
        &mut self,
        participant: &str,
        juror: &str,
        status: SheetStatus,
        scores: &[(&str, f64)],
    ) -> &mut Self {
        let at = Utc.with_ymd_and_hms(2021, 5, 1, 12, 0, 0).unwrap();
        let stage = self.stage().id.clone();
        let mut sheet = ScoreSheet::new(stage, participant.into(), juror.into(), at);
        sheet.scores = scores
            .iter()
            .map(|(c, v)| (CriterionId::new(*c), *v))
            .collect();
        sheet.status = status;
        self.sheets.push(sheet);
        self
    }

    /// A Submitted sheet.
    fn score(&mut self, participant: &str, juror: &str, scores: &[(&str, f64)]) -> &mut Self {
        self.sheet(participant, juror, SheetStatus::Submitted, scores)
    }

    fn indicator(&mut self, participant: &str, criterion: &str, points: f64) -> &mut Self {
        self.indicator_points
            .entry(participant.into())
            .or_default()
            .insert(criterion.into(), points);
        self
    }

    fn earlier(&mut self, stage: &str, participant: &str, total: f64) -> &mut Self {
        self.earlier_totals
            .entry(stage.into())
            .or_default()
            .insert(participant.into(), total);
        self
    }

    fn activity(&mut self, participant: &str, rating: f64) -> &mut Self {
        self.activity_rating.insert(participant.into(), rating);
        self
    }

    fn resolve(&mut self, order: &[&str]) -> &mut Self {
        self.resolutions
            .push(order.iter().map(|&p| ParticipantId::new(p)).collect());
        self
    }

    fn input(&self) -> StageInput<'_> {
        StageInput {
            regulation: &self.regulation,
            stage: self.stage(),
            participants: self.participants.iter().collect(),
            sheets: self.sheets.iter().collect(),
            indicator_points: &self.indicator_points,
            earlier_totals: &self.earlier_totals,
            activity_rating: &self.activity_rating,
            resolutions: &self.resolutions,
        }
    }

    fn rank(&self, method: Aggregation) -> Ranking {
        rank(&self.input(), method)
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

fn ids(ranking: &Ranking) -> Vec<&str> {
    ranking
        .rows
        .iter()
        .map(|r| r.participant.as_str())
        .collect()
}

fn ranks(ranking: &Ranking) -> Vec<usize> {
    ranking.rows.iter().map(|r| r.rank).collect()
}

fn advancing(ranking: &Ranking) -> Vec<&str> {
    ranking.advancing.iter().map(|p| p.as_str()).collect()
}

fn row<'r>(ranking: &'r Ranking, id: &str) -> &'r RankingRow {
    ranking
        .row(&id.into())
        .unwrap_or_else(|| panic!("{id} is not ranked"))
}

fn decided(ranking: &Ranking, id: &str) -> Option<String> {
    row(ranking, id).decided_by.as_ref().map(|d| d.to_string())
}

fn pids(list: &[&str]) -> Vec<ParticipantId> {
    list.iter().map(|&p| p.into()).collect()
}

// ---------------------------------------------------------------------------
// Example A: three participants, five jurors, every part of a total.

const FINAL_STAGE: &str = r#"
[[stages]]
id = "final"
name = "Final"
jurors_per_participant = 5
carry_over = [{ stage = "education", weight = 0.5 }]
advance = { rule = "top", n = 1 }
tie_break = ["total", "criterion:defence", "previous_stage", "activity_rating", "application_date"]

[[stages.criteria]]
id = "defence"
name = "Defence"
kind = "jury"
max_points = 10
weight = 2.0

[[stages.criteria]]
id = "answers"
name = "Answers"
kind = "jury"
max_points = 10
weight = 1.0

[[stages.criteria]]
id = "awards"
name = "Awards"
kind = "indicator"
source = "awards"
max_points = 6
weight = 0.5
"#;

/// Juror totals are 2·defence + answers:
///
/// ```text
///        J1          J2          J3          J4           J5
/// P1  (8,6) 22    (7,5) 19    (9,7) 25    (10,10) 30   (4,4) 12
/// P2  (9,9) 27    (8,8) 24    (9,8) 26    (3,3)    9   (10,9) 29
/// P3  (7,6) 20    (7,7) 21    (6,8) 20    (8,6)   22   (10,10) 30
/// ```
///
/// Indicator part = 0.5 × awards: P1 0.5·4 = 2, P2 0 (no points), P3
/// 0.5·2 = 1. Carry-over = 0.5 × education total: P1 0.5·10 = 5,
/// P2 0.5·6 = 3, P3 0 (no total).
fn example_a() -> Fixture {
    let mut f = Fixture::new(FINAL_STAGE);
    f.join("P1", "rural", 1)
        .join("P2", "rural", 2)
        .join("P3", "urban", 3);
    let table = [
        ("P1", [(8., 6.), (7., 5.), (9., 7.), (10., 10.), (4., 4.)]),
        ("P2", [(9., 9.), (8., 8.), (9., 8.), (3., 3.), (10., 9.)]),
        ("P3", [(7., 6.), (7., 7.), (6., 8.), (8., 6.), (10., 10.)]),
    ];
    for (p, scores) in table {
        for (j, (defence, answers)) in scores.into_iter().enumerate() {
            f.score(
                p,
                &format!("J{}", j + 1),
                &[("defence", defence), ("answers", answers)],
            );
        }
    }
    f.indicator("P1", "awards", 4.0)
        .indicator("P3", "awards", 2.0);
    f.earlier("education", "P1", 10.0)
        .earlier("education", "P2", 6.0);
    f
}

#[test]
fn mean_adds_the_jury_indicator_and_carry_over_parts() {
    // Means: P1 108/5 = 21.6, P2 115/5 = 23, P3 113/5 = 22.6.
    // Totals: P1 21.6 + 2 + 5 = 28.6, P2 23 + 0 + 3 = 26, P3 22.6 + 1 + 0 = 23.6.
    let r = example_a().rank(Aggregation::Mean);
    assert_eq!(ids(&r), ["P1", "P2", "P3"]);
    assert_eq!(ranks(&r), [1, 2, 3]);
    let p1 = row(&r, "P1");
    let jurors: Vec<&str> = p1.juror_totals.iter().map(|t| t.juror.as_str()).collect();
    let totals: Vec<f64> = p1.juror_totals.iter().map(|t| t.total).collect();
    assert_eq!(jurors, ["J1", "J2", "J3", "J4", "J5"]);
    assert_eq!(totals, [22.0, 19.0, 25.0, 30.0, 12.0]);
    assert!(close(p1.aggregate, 21.6));
    assert!(close(p1.indicator_part, 2.0));
    assert!(close(p1.carry_over_part, 5.0));
    assert!(close(p1.total, 28.6));
    // Deviations from 21.6: 0.4, −2.6, 3.4, 8.4, −9.6; squares sum to
    // 0.16 + 6.76 + 11.56 + 70.56 + 92.16 = 181.2; SD = √(181.2/5) = √36.24.
    assert!(close(p1.spread, 36.24f64.sqrt()));
    assert!(close(row(&r, "P2").total, 26.0));
    assert!(close(row(&r, "P3").total, 23.6));
    assert!(r.rows.iter().all(|row| row.decided_by.is_none()));
    assert!(
        r.rows
            .iter()
            .all(|row| !row.provisional && !row.flags.contains(&Flag::Tie))
    );
    assert_eq!(advancing(&r), ["P1"]);
    assert!(r.is_final());
    assert!(r.verify_hash());
}

#[test]
fn median_tie_is_broken_by_the_criterion_aggregated_the_same_way() {
    // Medians: P1 22 (12 19 [22] 25 30), P2 26 (9 24 [26] 27 29),
    // P3 21 (20 20 [21] 22 30).
    // Totals: P1 22 + 2 + 5 = 29, P2 26 + 0 + 3 = 29, P3 21 + 1 + 0 = 22.
    // P1 and P2 tie at 29; criterion:defence is the median of 2·defence:
    // P1 16 14 18 20 8 → 16, P2 18 16 18 6 20 → 18. P2 goes first.
    let r = example_a().rank(Aggregation::Median);
    assert_eq!(ids(&r), ["P2", "P1", "P3"]);
    assert_eq!(ranks(&r), [1, 2, 3]);
    assert!(close(row(&r, "P1").total, 29.0));
    assert!(close(row(&r, "P2").total, 29.0));
    assert_eq!(decided(&r, "P2").as_deref(), Some("criterion:defence"));
    assert_eq!(decided(&r, "P1").as_deref(), Some("criterion:defence"));
    assert_eq!(decided(&r, "P3"), None);
    assert_eq!(advancing(&r), ["P2"]);
    assert!(r.ties.is_empty());
}

#[test]
fn trimmed_mean_drops_the_highest_and_the_lowest() {
    // P1: without 12 and 30, (19 + 22 + 25)/3 = 22 → 22 + 7 = 29.
    // P2: without 9 and 29, (24 + 26 + 27)/3 = 77/3 → 77/3 + 3 = 28.667.
    // P3: without 20 and 30, (20 + 21 + 22)/3 = 21 → 21 + 1 = 22.
    let r = example_a().rank(Aggregation::Trimmed);
    assert_eq!(ids(&r), ["P1", "P2", "P3"]);
    assert!(close(row(&r, "P1").aggregate, 22.0));
    assert!(close(row(&r, "P2").aggregate, 77.0 / 3.0));
    assert!(close(row(&r, "P2").total, 77.0 / 3.0 + 3.0));
    assert!(close(row(&r, "P3").total, 22.0));
    assert_eq!(advancing(&r), ["P1"]);
}

#[test]
fn trimmed_mean_with_a_fraction_cuts_floor_f_n_from_each_end() {
    // trim_fraction 0.4 of 5 jurors: floor(2.0) = 2 from each end, which
    // leaves the median: P1 22, P2 26, P3 21.
    let mut f = example_a();
    f.stage_mut().trim_fraction = Some(0.4);
    let r = f.rank(Aggregation::Trimmed);
    assert!(close(row(&r, "P1").aggregate, 22.0));
    assert!(close(row(&r, "P2").aggregate, 26.0));
    assert!(close(row(&r, "P3").aggregate, 21.0));
}

#[test]
fn zscore_on_example_a() {
    // All 15 totals: μ = 336/15 = 22.4, σ = √(515.6/15) = 5.8629.
    // Juror means over P1..P3 and population SDs:
    //   J1 23, 2.9439;  J2 21.333, 2.0548;  J3 23.667, 2.6247;
    //   J4 20.333, 8.6538;  J5 23.667, 8.2597.
    // P1: mean of 22.4 + 5.8629·(x − μⱼ)/σⱼ over its five totals = 20.9194;
    // P2 25.7789; P3 20.5017. Totals: P1 27.9194, P2 28.7789, P3 21.5017.
    let r = example_a().rank(Aggregation::Zscore);
    assert_eq!(ids(&r), ["P2", "P1", "P3"]);
    assert!((row(&r, "P1").aggregate - 20.919_413).abs() < 1e-6);
    assert!((row(&r, "P2").aggregate - 25.778_871).abs() < 1e-6);
    assert!((row(&r, "P3").aggregate - 20.501_715).abs() < 1e-6);
    assert!((row(&r, "P2").total - 28.778_871).abs() < 1e-6);
    assert_eq!(advancing(&r), ["P2"]);
}

/// A stage with one jury criterion, one juror per participant.
fn single_criterion_stage(advance: &str, tie_break: &str) -> String {
    format!(
        r#"
[[stages]]
id = "portfolio"
name = "Portfolio"
jurors_per_participant = 1
advance = {advance}
tie_break = {tie_break}

[[stages.criteria]]
id = "a"
name = "A"
kind = "jury"
max_points = 100
weight = 1.0

[[stages.criteria]]
id = "b"
name = "B"
kind = "jury"
max_points = 100
weight = 1.0
"#
    )
}

#[test]
fn zscore_removes_a_lenient_jurors_advantage() {
    // J1 (lenient) scores P1 10, P2 8, P3 9: μ₁ = 9, deviations 1, −1, 0,
    //   σ₁ = √(2/3).
    // J2 (strict) scores P4 6, P5 2, P6 1: μ₂ = 3, deviations 3, −1, −2,
    //   σ₂ = √(14/3).
    // All six: μ = 36/6 = 6; squared deviations 16 + 4 + 9 + 0 + 16 + 25 = 70,
    //   σ = √(70/6).
    // Mapped (one juror each, so the aggregate is the mapped value):
    //   P1 = 6 + σ·1/σ₁ = 6 + √(70/6 · 3/2) = 6 + √17.5 = 10.1833
    //   P2 = 6 − √17.5 = 1.8167,  P3 = 6
    //   P4 = 6 + σ·3/σ₂ = 6 + 3√(70/6 · 3/14) = 6 + 3√2.5 = 10.7434
    //   P5 = 6 − √2.5 = 4.4189,   P6 = 6 − 2√2.5 = 2.8377
    // The mean ranks J1's three first; the z-score puts the best of each
    // juror on top: P4, P1, P3, P5, P6, P2.
    let mut f = Fixture::new(&single_criterion_stage(
        r#"{ rule = "top", n = 2 }"#,
        r#"["total", "application_date"]"#,
    ));
    for (i, p) in ["P1", "P2", "P3", "P4", "P5", "P6"].iter().enumerate() {
        f.join(p, "rural", i as i64);
    }
    for (p, j, v) in [
        ("P1", "J1", 10.0),
        ("P2", "J1", 8.0),
        ("P3", "J1", 9.0),
        ("P4", "J2", 6.0),
        ("P5", "J2", 2.0),
        ("P6", "J2", 1.0),
    ] {
        f.score(p, j, &[("a", v)]);
    }
    let mean = f.rank(Aggregation::Mean);
    assert_eq!(ids(&mean), ["P1", "P3", "P2", "P4", "P5", "P6"]);
    let z = f.rank(Aggregation::Zscore);
    assert_eq!(ids(&z), ["P4", "P1", "P3", "P5", "P6", "P2"]);
    let expect = [
        ("P1", 6.0 + 17.5f64.sqrt()),
        ("P2", 6.0 - 17.5f64.sqrt()),
        ("P3", 6.0),
        ("P4", 6.0 + 3.0 * 2.5f64.sqrt()),
        ("P5", 6.0 - 2.5f64.sqrt()),
        ("P6", 6.0 - 2.0 * 2.5f64.sqrt()),
    ];
    for (p, total) in expect {
        assert!(close(row(&z, p).total, total), "{p}: {}", row(&z, p).total);
    }
    assert_eq!(advancing(&z), ["P4", "P1"]);
}

#[test]
fn zscore_only_shifts_a_juror_without_spread() {
    // J1 gives P1 and P2 both 4 (σ₁ = 0): shifted, x − 4 + μ.
    // J2 gives P3 2 and P4 8: μ₂ = 5, σ₂ = 3, z = −1 and +1.
    // J3 scores only P5, 7: shifted, 7 − 7 + μ.
    // All five: μ = 25/5 = 5; squared deviations 1 + 1 + 9 + 9 + 4 = 24,
    //   σ = √4.8.
    // P1 = P2 = P5 = 5; P3 = 5 − √4.8; P4 = 5 + √4.8.
    // P1, P2, P5 tie at 5 and the application date orders them.
    let mut f = Fixture::new(&single_criterion_stage(
        r#"{ rule = "top", n = 2 }"#,
        r#"["total", "application_date"]"#,
    ));
    f.join("P1", "rural", 3)
        .join("P2", "rural", 1)
        .join("P3", "rural", 0)
        .join("P4", "rural", 0)
        .join("P5", "rural", 2);
    f.score("P1", "J1", &[("a", 4.0)])
        .score("P2", "J1", &[("a", 4.0)])
        .score("P3", "J2", &[("a", 2.0)])
        .score("P4", "J2", &[("a", 8.0)])
        .score("P5", "J3", &[("a", 7.0)]);
    let z = f.rank(Aggregation::Zscore);
    assert_eq!(ids(&z), ["P4", "P2", "P5", "P1", "P3"]);
    for p in ["P1", "P2", "P5"] {
        assert!(close(row(&z, p).total, 5.0), "{p}");
        assert_eq!(decided(&z, p).as_deref(), Some("application_date"));
    }
    assert!(close(row(&z, "P4").total, 5.0 + 4.8f64.sqrt()));
    assert!(close(row(&z, "P3").total, 5.0 - 4.8f64.sqrt()));
}

#[test]
fn sensitivity_lists_who_advances_under_some_methods_only() {
    // Top 1: mean P1 (28.6), median P2 (29, by criterion:defence),
    // trimmed P1 (29), z-score P2 (28.78). P3 never advances.
    let f = example_a();
    let s = sensitivity(&f.input());
    let who: Vec<&str> = s.iter().map(|r| r.participant.as_str()).collect();
    assert_eq!(who, ["P1", "P2"]);
    let p1: Vec<(Aggregation, usize, bool)> = s[0]
        .outcomes
        .iter()
        .map(|o| (o.method, o.rank, o.advances))
        .collect();
    assert_eq!(
        p1,
        [
            (Aggregation::Mean, 1, true),
            (Aggregation::Median, 2, false),
            (Aggregation::Trimmed, 1, true),
            (Aggregation::Zscore, 2, false),
        ]
    );
    assert!(close(s[0].outcomes[1].total, 29.0));
    assert_eq!(s[1].group.as_str(), "rural");
    assert_eq!(
        s[1].outcomes.iter().map(|o| o.advances).collect::<Vec<_>>(),
        [false, true, false, true]
    );
}

#[test]
fn statistics_of_example_a() {
    // Kendall's W over J1..J5 ranking P1..P3 (1 = lowest):
    //   J1 22 27 20 → 2 3 1;  J2 19 24 21 → 1 3 2;  J3 25 26 20 → 2 3 1;
    //   J4 30 9 22 → 3 1 2;   J5 12 29 30 → 1 2 3.
    // Rank sums 9, 12, 9; mean 10; S = 1 + 4 + 1 = 6; no ties;
    // W = 12·6 / (5²·(3³ − 3)) = 72/600 = 0.12.
    //
    // Krippendorff's alpha, n = 15 values: squared deviations within
    // participants 181.2 (P1), 258 (P2), 71.2 (P3), sum 510.4;
    // D_o = 1/15 · Σ 2·5·SSᵤ/4 = 2.5·510.4/15 = 85.0667;
    // all 15 around 22.4: 510.4 + 5·(0.8² + 0.6² + 0.2²) = 515.6,
    // D_e = 2·515.6/14 = 73.657; α = 1 − 85.0667/73.657 = −0.1549.
    let s = statistics(&example_a().input());
    let c = s.concordance.unwrap();
    assert!(close(c.w, 0.12), "{c:?}");
    assert_eq!(c.raters, 5);
    let alpha = s.krippendorff_alpha.unwrap();
    assert!(
        close(alpha, 1.0 - (1276.0 / 15.0) / (2.0 * 515.6 / 14.0)),
        "{alpha}"
    );
    assert_eq!(s.participants, 3);
    assert_eq!(s.sheets, 15);
    assert_eq!(s.jurors.len(), 5);
    // J4 on P2: 9 against the others' (27 + 24 + 26 + 29)/4 = 26.5.
    // Sample variances 181.2/4, 258/4, 71.2/4; pooled SD = √(510.4/12) =
    // 6.522; |9 − 26.5| = 17.5 > 2·6.522.
    let sd = (510.4f64 / 12.0).sqrt();
    assert!(close(s.pooled_sd.unwrap(), sd));
    let outliers: Vec<(&str, &str)> = s
        .outliers
        .iter()
        .map(|o| (o.participant.as_str(), o.juror.as_str()))
        .collect();
    // J5 on P1: 12 against 24 → 12 < 13.04, not an outlier; J5 on P3:
    // 30 against 20.75 → 9.25, not one either.
    assert_eq!(outliers, [("P2", "J4")]);
    assert!(close(s.outliers[0].others_mean, 26.5));
    assert!(close(s.outliers[0].deviation_in_sd, -17.5 / sd));
    let r = example_a().rank(Aggregation::Mean);
    assert_eq!(row(&r, "P2").flags, [Flag::Outlier { juror: "J4".into() }]);
}

// ---------------------------------------------------------------------------
// Tie-breaks.

#[test]
fn criterion_decides_a_tie() {
    // P1 a 6 + b 4 = 10, P2 a 4 + b 6 = 10, P3 5 + 3 = 8.
    // P1 and P2 tie at 10; criterion:b puts P2 (6) above P1 (4).
    let mut f = Fixture::new(&single_criterion_stage(
        r#"{ rule = "top", n = 1 }"#,
        r#"["total", "criterion:b", "application_date"]"#,
    ));
    f.join("P1", "rural", 0)
        .join("P2", "rural", 5)
        .join("P3", "rural", 0);
    f.score("P1", "J1", &[("a", 6.0), ("b", 4.0)])
        .score("P2", "J1", &[("a", 4.0), ("b", 6.0)])
        .score("P3", "J1", &[("a", 5.0), ("b", 3.0)]);
    for method in Aggregation::ALL {
        let r = f.rank(method);
        assert_eq!(ids(&r), ["P2", "P1", "P3"], "{method:?}");
        assert_eq!(decided(&r, "P2").as_deref(), Some("criterion:b"));
        assert_eq!(decided(&r, "P1").as_deref(), Some("criterion:b"));
        assert_eq!(decided(&r, "P3"), None);
        assert_eq!(advancing(&r), ["P2"]);
    }
}

#[test]
fn application_date_decides_a_tie() {
    // Equal totals; P2 applied on day 1, P1 on day 4: P2 first.
    let mut f = Fixture::new(&single_criterion_stage(
        r#"{ rule = "top", n = 1 }"#,
        r#"["total", "criterion:b", "application_date"]"#,
    ));
    f.join("P1", "rural", 4).join("P2", "rural", 1);
    f.score("P1", "J1", &[("a", 5.0), ("b", 5.0)])
        .score("P2", "J2", &[("a", 5.0), ("b", 5.0)]);
    let r = f.rank(Aggregation::Mean);
    assert_eq!(ids(&r), ["P2", "P1"]);
    assert_eq!(ranks(&r), [1, 2]);
    assert_eq!(decided(&r, "P1").as_deref(), Some("application_date"));
    assert_eq!(decided(&r, "P2").as_deref(), Some("application_date"));
    assert_eq!(advancing(&r), ["P2"]);
}

#[test]
fn previous_stage_then_activity_rating_decide() {
    // All four total 10. The stage before "portfolio" is "education":
    // P3 has 7 there, P1 and P2 have 5, P4 has none (ranks last).
    // Between P1 and P2 the activity rating decides: P2 9 > P1 3.
    let mut f = Fixture::new(&single_criterion_stage(
        r#"{ rule = "top", n = 2 }"#,
        r#"["total", "previous_stage", "activity_rating", "application_date"]"#,
    ));
    for p in ["P1", "P2", "P3", "P4"] {
        f.join(p, "rural", 0).score(p, "J1", &[("a", 10.0)]);
    }
    f.earlier("education", "P1", 5.0)
        .earlier("education", "P2", 5.0)
        .earlier("education", "P3", 7.0);
    f.activity("P1", 3.0).activity("P2", 9.0);
    let r = f.rank(Aggregation::Mean);
    assert_eq!(ids(&r), ["P3", "P2", "P1", "P4"]);
    assert_eq!(ranks(&r), [1, 2, 3, 4]);
    assert_eq!(decided(&r, "P3").as_deref(), Some("previous_stage"));
    assert_eq!(decided(&r, "P2").as_deref(), Some("previous_stage"));
    assert_eq!(decided(&r, "P1").as_deref(), Some("activity_rating"));
    assert_eq!(decided(&r, "P4").as_deref(), Some("previous_stage"));
    assert_eq!(advancing(&r), ["P3", "P2"]);
}

/// A 10, B 8, C 8, D 5; nothing but the total tells B and C apart.
fn tie_fixture(n: usize) -> Fixture {
    let mut f = Fixture::new(&single_criterion_stage(
        &format!("{{ rule = \"top\", n = {n} }}"),
        r#"["total", "application_date"]"#,
    ));
    for (p, v) in [("A", 10.0), ("B", 8.0), ("C", 8.0), ("D", 5.0)] {
        f.join(p, "rural", 0).score(p, "J1", &[("a", v)]);
    }
    f
}

#[test]
fn unresolved_tie_across_the_cutoff_blocks_advancement() {
    let r = tie_fixture(2).rank(Aggregation::Mean);
    assert_eq!(ids(&r), ["A", "B", "C", "D"]);
    assert_eq!(ranks(&r), [1, 2, 2, 4]);
    assert_eq!(row(&r, "B").flags, [Flag::Tie]);
    assert_eq!(row(&r, "C").flags, [Flag::Tie]);
    assert_eq!(decided(&r, "B"), None);
    assert_eq!(decided(&r, "C"), None);
    assert_eq!(
        r.ties,
        [Tie {
            rank: 2,
            participants: pids(&["B", "C"]),
            blocks_advancement: true,
        }]
    );
    assert_eq!(
        r.blockers,
        [Blocker::TieAtCutoff {
            participants: pids(&["B", "C"]),
            group: None,
            rank: 2,
            places: 2,
        }]
    );
    // Neither of the tied rows advances until the tie is resolved.
    assert_eq!(advancing(&r), ["A"]);
    assert!(!r.is_final());
}

#[test]
fn unresolved_tie_inside_or_outside_the_cutoff_does_not_block() {
    let inside = tie_fixture(3).rank(Aggregation::Mean);
    assert!(inside.is_final());
    assert_eq!(advancing(&inside), ["A", "B", "C"]);
    assert_eq!(inside.ties.len(), 1);
    assert!(!inside.ties[0].blocks_advancement);
    assert_eq!(row(&inside, "C").flags, [Flag::Tie]);

    let outside = tie_fixture(1).rank(Aggregation::Mean);
    assert!(outside.is_final());
    assert_eq!(advancing(&outside), ["A"]);
    assert!(!outside.ties[0].blocks_advancement);
}

#[test]
fn coordinator_resolution_orders_exactly_the_tied_participants() {
    let mut f = tie_fixture(2);
    // A list that is not exactly the tie changes nothing.
    f.resolve(&["B", "C", "D"]);
    assert!(!f.rank(Aggregation::Mean).is_final());

    f.resolve(&["C", "B"]);
    let r = f.rank(Aggregation::Mean);
    assert_eq!(ids(&r), ["A", "C", "B", "D"]);
    assert_eq!(ranks(&r), [1, 2, 3, 4]);
    assert_eq!(decided(&r, "C").as_deref(), Some("coordinator"));
    assert_eq!(decided(&r, "B").as_deref(), Some("coordinator"));
    assert!(row(&r, "C").flags.is_empty());
    assert!(r.ties.is_empty());
    assert!(r.is_final());
    assert_eq!(advancing(&r), ["A", "C"]);
}

#[test]
fn quota_ranks_within_each_group() {
    // Quotas: rural 2, urban 1. Totals: R1 10, R2 8, R3 8, U1 8, U2 7.
    // Overall R2, R3 and U1 tie at rank 2. Within rural, R2 and R3 share
    // group rank 2 across the cutoff of 2: blocked. Within urban, U1 is
    // alone at group rank 1 and advances.
    let mut f = Fixture::new(&single_criterion_stage(
        r#"{ rule = "quota" }"#,
        r#"["total", "application_date"]"#,
    ));
    for (p, g, v) in [
        ("R1", "rural", 10.0),
        ("R2", "rural", 8.0),
        ("R3", "rural", 8.0),
        ("U1", "urban", 8.0),
        ("U2", "urban", 7.0),
    ] {
        f.join(p, g, 0).score(p, "J1", &[("a", v)]);
    }
    let r = f.rank(Aggregation::Mean);
    assert_eq!(ids(&r), ["R1", "R2", "R3", "U1", "U2"]);
    assert_eq!(ranks(&r), [1, 2, 2, 2, 5]);
    let group_ranks: Vec<usize> = r.rows.iter().map(|r| r.group_rank).collect();
    assert_eq!(group_ranks, [1, 2, 2, 1, 2]);
    assert_eq!(advancing(&r), ["R1", "U1"]);
    assert_eq!(
        r.blockers,
        [Blocker::TieAtCutoff {
            participants: pids(&["R2", "R3", "U1"]),
            group: Some("rural".into()),
            rank: 2,
            places: 2,
        }]
    );

    // The coordinator orders the whole tie: U1, R3, R2.
    f.resolve(&["U1", "R3", "R2"]);
    let r = f.rank(Aggregation::Mean);
    assert_eq!(ids(&r), ["R1", "U1", "R3", "R2", "U2"]);
    let group_ranks: Vec<usize> = r.rows.iter().map(|r| r.group_rank).collect();
    assert_eq!(group_ranks, [1, 1, 2, 3, 2]);
    assert_eq!(advancing(&r), ["R1", "U1", "R3"]);
    assert!(r.is_final());
}

#[test]
fn top_per_group_and_threshold() {
    let mut f = Fixture::new(&single_criterion_stage(
        r#"{ rule = "top_per_group", per_group = { rural = 1, urban = 2 } }"#,
        r#"["total", "application_date"]"#,
    ));
    for (p, g, v) in [
        ("R1", "rural", 9.0),
        ("R2", "rural", 8.0),
        ("U1", "urban", 7.0),
        ("U2", "urban", 6.0),
        ("U3", "urban", 5.0),
    ] {
        f.join(p, g, 0).score(p, "J1", &[("a", v)]);
    }
    let r = f.rank(Aggregation::Mean);
    assert_eq!(advancing(&r), ["R1", "U1", "U2"]);

    f.stage_mut().advance = Advance {
        rule: AdvanceKind::Threshold,
        n: None,
        per_group: BTreeMap::new(),
        min_total: Some(7.0),
    };
    let r = f.rank(Aggregation::Mean);
    assert_eq!(advancing(&r), ["R1", "R2", "U1"]);
}

// ---------------------------------------------------------------------------
// Incomplete scoring.

#[test]
fn incomplete_scoring_is_flagged_and_blocks() {
    // Three jurors per participant. P1 has three Submitted sheets; P2 two
    // Submitted, a Draft and an Abstained; P3 none.
    let mut f = Fixture::new(&single_criterion_stage(
        r#"{ rule = "top", n = 1 }"#,
        r#"["total", "application_date"]"#,
    ));
    f.stage_mut().jurors_per_participant = 3;
    f.join("P1", "rural", 0)
        .join("P2", "rural", 1)
        .join("P3", "rural", 2);
    for j in ["J1", "J2", "J3"] {
        f.score("P1", j, &[("a", 5.0)]);
    }
    f.score("P2", "J1", &[("a", 9.0)])
        .score("P2", "J2", &[("a", 7.0)])
        .sheet("P2", "J3", SheetStatus::Draft, &[("a", 1.0)])
        .sheet("P2", "J4", SheetStatus::Abstained, &[]);
    let r = f.rank(Aggregation::Mean);
    // P2's mean is of its two Submitted sheets only: (9 + 7)/2 = 8.
    let p2 = row(&r, "P2");
    assert!(close(p2.aggregate, 8.0));
    assert!(p2.provisional);
    assert_eq!(p2.flags, [Flag::Incomplete { have: 2, need: 3 }]);
    assert_eq!(p2.juror_totals.len(), 2);
    let p3 = row(&r, "P3");
    assert!(p3.provisional);
    assert_eq!(p3.aggregate, 0.0);
    assert_eq!(p3.flags, [Flag::Incomplete { have: 0, need: 3 }]);
    assert!(!row(&r, "P1").provisional);
    assert_eq!(
        r.blockers,
        [
            Blocker::Incomplete {
                participant: "P2".into(),
                have: 2,
                need: 3
            },
            Blocker::Incomplete {
                participant: "P3".into(),
                have: 0,
                need: 3
            },
        ]
    );
    assert!(!r.is_final());
}

#[test]
fn a_stage_without_jury_criteria_needs_no_sheets() {
    // "education" has only the attendance indicator (weight 1).
    let mut f = Fixture::new("");
    f.join("P1", "rural", 0).join("P2", "urban", 0);
    f.indicator("P1", "attendance", 12.0)
        .indicator("P2", "attendance", 15.0);
    let r = f.rank(Aggregation::Mean);
    assert_eq!(ids(&r), ["P2", "P1"]);
    assert!(close(row(&r, "P2").total, 15.0));
    assert!(r.is_final());
    assert!(r.rows.iter().all(|r| r.flags.is_empty()));
}

// ---------------------------------------------------------------------------
// Hash.

#[test]
fn hash_follows_the_documented_encoding() {
    // Computed independently from the encoding documented on
    // `Ranking::compute_hash`: tag, stage "final", method "mean", 3 rows,
    // then (P1, 1, 28600000000, 1), (P2, 2, 26000000000, 0),
    // (P3, 3, 23600000000, 0).
    let r = example_a().rank(Aggregation::Mean);
    assert_eq!(
        r.hash,
        "96fab4960ac85578da734e6f12c99e59b7ec184dd6c941f019136419304bde36"
    );
}

#[test]
fn hash_changes_with_the_ranking() {
    let f = example_a();
    let mean = f.rank(Aggregation::Mean);
    assert_ne!(mean.hash, f.rank(Aggregation::Trimmed).hash);
    let mut changed = example_a();
    changed.sheets[0].scores.insert("answers".into(), 7.0);
    assert_ne!(mean.hash, changed.rank(Aggregation::Mean).hash);
    let mut tampered = mean.clone();
    tampered.rows[1].total += 0.001;
    assert!(!tampered.verify_hash());
    assert!(mean.verify_hash());
}

// ---------------------------------------------------------------------------
// Properties.

const PROPERTY_STAGE: &str = r#"
[[stages]]
id = "portfolio"
name = "Portfolio"
jurors_per_participant = 3
carry_over = [{ stage = "education", weight = 0.2 }]
advance = { rule = "top_per_group", n = 2 }
tie_break = ["total", "criterion:a", "previous_stage", "activity_rating", "application_date"]

[[stages.criteria]]
id = "a"
name = "A"
kind = "jury"
max_points = 10
weight = 1.5

[[stages.criteria]]
id = "b"
name = "B"
kind = "jury"
max_points = 10
weight = 1.0

[[stages.criteria]]
id = "awards"
name = "Awards"
kind = "indicator"
source = "awards"
max_points = 6
weight = 0.5
"#;

/// What a random contest looks like.
struct Shape {
    participants: usize,
    jurors: usize,
    /// Each sheet has this chance in 10 of not being Submitted.
    unsubmitted_in_10: usize,
    /// Every participant applied on a different day.
    distinct_dates: bool,
    /// Indicator points, earlier totals and activity ratings.
    extras: bool,
}

/// A random contest of `stage`: `K` of the jurors score each participant
/// with integer points (ties are common).
fn random_fixture(stage: &str, shape: &Shape, seed: u64) -> Fixture {
    let mut rng = Lcg(seed);
    let mut f = Fixture::new(stage);
    let k = f.stage().jurors_per_participant.min(shape.jurors);
    for i in 0..shape.participants {
        let id = format!("P{i:03}");
        let group = if rng.below(2) == 0 { "rural" } else { "urban" };
        let day = if shape.distinct_dates {
            i as i64
        } else {
            rng.below(3) as i64
        };
        f.join(&id, group, day);
        for j in rng.choose(shape.jurors, k) {
            let status = if rng.below(10) < shape.unsubmitted_in_10 {
                [SheetStatus::Draft, SheetStatus::Abstained][rng.below(2)]
            } else {
                SheetStatus::Submitted
            };
            let (a, b) = (rng.below(11) as f64, rng.below(11) as f64);
            f.sheet(&id, &format!("J{j:02}"), status, &[("a", a), ("b", b)]);
        }
        if shape.extras {
            if rng.below(3) > 0 {
                f.indicator(&id, "awards", rng.below(7) as f64);
            }
            if rng.below(3) > 0 {
                f.earlier("education", &id, rng.below(5) as f64 * 2.5);
            }
            if rng.below(3) > 0 {
                f.activity(&id, rng.below(4) as f64);
            }
        }
    }
    f
}

/// A ranking as a list of (participant, rank).
fn placing(r: &Ranking) -> Vec<(String, usize)> {
    r.rows
        .iter()
        .map(|row| (row.participant.to_string(), row.rank))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The order participants and sheets arrive in changes nothing: not
    /// a rank, not a bit of a total, not the hash, not the statistics.
    #[test]
    fn reordering_participants_and_sheets_changes_nothing(
        seed in any::<u64>(),
        shuffle in any::<u64>(),
        participants in 2usize..14,
        jurors in 1usize..7,
    ) {
        let shape = Shape {
            participants,
            jurors,
            unsubmitted_in_10: 2,
            distinct_dates: false,
            extras: true,
        };
        let f = random_fixture(PROPERTY_STAGE, &shape, seed);
        let mut g = random_fixture(PROPERTY_STAGE, &shape, seed);
        let mut rng = Lcg(shuffle);
        rng.shuffle(&mut g.participants);
        rng.shuffle(&mut g.sheets);
        for method in Aggregation::ALL {
            prop_assert_eq!(f.rank(method), g.rank(method));
        }
        prop_assert_eq!(statistics(&f.input()), statistics(&g.input()));
        prop_assert_eq!(sensitivity(&f.input()), sensitivity(&g.input()));
        // One pass gives what the separate calls give.
        let analysis = analyse(&g.input());
        prop_assert_eq!(&analysis.rankings, &rank_all(&f.input()));
        prop_assert_eq!(&analysis.statistics, &statistics(&f.input()));
        prop_assert_eq!(&analysis.sensitivity, &sensitivity(&f.input()));
        prop_assert_eq!(&analysis.sensitivity, &sensitivity_of(&rank_all(&f.input())));
    }

    /// A juror who adds the same points to every criterion of every sheet
    /// changes nothing in the z-score ranking: the z-score removes each
    /// juror's level.
    #[test]
    fn a_jurors_constant_shift_does_not_change_the_zscore_ranking(
        seed in any::<u64>(),
        participants in 2usize..16,
        jurors in 2usize..6,
        shifted in 0usize..6,
        shift in 1u32..6,
    ) {
        let stage = PROPERTY_STAGE
            .replace("carry_over = [{ stage = \"education\", weight = 0.2 }]\n", "");
        let shape = Shape {
            participants,
            jurors,
            unsubmitted_in_10: 0,
            distinct_dates: true,
            extras: false,
        };
        let f = random_fixture(&stage, &shape, seed);
        let mut g = random_fixture(&stage, &shape, seed);
        let juror = format!("J{:02}", shifted % jurors);
        for sheet in g.sheets.iter_mut().filter(|s| s.juror.as_str() == juror) {
            for v in sheet.scores.values_mut() {
                *v += f64::from(shift);
            }
        }
        prop_assert_eq!(
            placing(&f.rank(Aggregation::Zscore)),
            placing(&g.rank(Aggregation::Zscore))
        );
    }

    /// With enough participants in every group and nothing left tied, the
    /// final stage's team is exactly the sum of the quotas, each group
    /// filling its own.
    #[test]
    fn the_team_is_the_sum_of_the_quotas(
        seed in any::<u64>(),
        rural in 1usize..6,
        urban in 1usize..6,
        extra in 0usize..20,
    ) {
        let stage = PROPERTY_STAGE.replace(
            r#"advance = { rule = "top_per_group", n = 2 }"#,
            r#"advance = { rule = "quota" }"#,
        );
        let shape = Shape {
            participants: 0,
            jurors: 5,
            unsubmitted_in_10: 0,
            distinct_dates: true,
            extras: true,
        };
        let mut f = random_fixture(&stage, &shape, seed);
        f.regulation.groups[0].quota = rural;
        f.regulation.groups[1].quota = urban;
        let mut rng = Lcg(seed ^ 0x5eed);
        let mut day = 0;
        for (group, count) in [("rural", rural + extra / 2), ("urban", urban + extra - extra / 2)] {
            for i in 0..count {
                let id = format!("{group}{i:02}");
                f.join(&id, group, day);
                day += 1;
                for j in rng.choose(5, 3) {
                    let (a, b) = (rng.below(11) as f64, rng.below(11) as f64);
                    f.score(&id, &format!("J{j}"), &[("a", a), ("b", b)]);
                }
            }
        }
        for method in Aggregation::ALL {
            let r = f.rank(method);
            prop_assert!(r.is_final(), "{:?}", r.blockers);
            prop_assert_eq!(r.advancing.len(), rural + urban);
            let in_group = |g: &str| r.rows.iter().filter(|row| row.advances && row.group.as_str() == g).count();
            prop_assert_eq!(in_group("rural"), rural);
            prop_assert_eq!(in_group("urban"), urban);
            // The advancing are the best of their group.
            for row in &r.rows {
                let quota = if row.group.as_str() == "rural" { rural } else { urban };
                prop_assert_eq!(row.advances, row.group_rank <= quota);
            }
        }
    }

    /// Exactly the participants with fewer Submitted sheets than needed are
    /// flagged, and each is a blocker.
    #[test]
    fn incomplete_scoring_is_always_flagged(
        seed in any::<u64>(),
        participants in 1usize..14,
        jurors in 1usize..7,
    ) {
        let shape = Shape {
            participants,
            jurors,
            unsubmitted_in_10: 3,
            distinct_dates: true,
            extras: false,
        };
        let f = random_fixture(PROPERTY_STAGE, &shape, seed);
        let r = f.rank(Aggregation::Mean);
        for row in &r.rows {
            let have = f
                .sheets
                .iter()
                .filter(|s| s.participant == row.participant && s.status == SheetStatus::Submitted)
                .count();
            let incomplete = Flag::Incomplete { have, need: 3 };
            prop_assert_eq!(row.flags.contains(&incomplete), have < 3);
            prop_assert_eq!(row.provisional, have < 3);
            let blocker = Blocker::Incomplete { participant: row.participant.clone(), have, need: 3 };
            prop_assert_eq!(r.blockers.contains(&blocker), have < 3);
        }
    }

    /// Rows are in order of total, ranks are consistent with it, and every
    /// rank is shared only by an unresolved tie.
    #[test]
    fn rows_are_ordered_and_ranked_consistently(
        seed in any::<u64>(),
        participants in 1usize..20,
        jurors in 1usize..7,
    ) {
        let shape = Shape {
            participants,
            jurors,
            unsubmitted_in_10: 1,
            distinct_dates: false,
            extras: true,
        };
        let f = random_fixture(PROPERTY_STAGE, &shape, seed);
        for method in Aggregation::ALL {
            let r = f.rank(method);
            prop_assert_eq!(r.rows.len(), participants);
            for (i, pair) in r.rows.windows(2).enumerate() {
                prop_assert!(key(pair[0].total) >= key(pair[1].total));
                if pair[0].rank == pair[1].rank {
                    prop_assert!(pair[0].flags.contains(&Flag::Tie));
                    prop_assert!(pair[1].flags.contains(&Flag::Tie));
                } else {
                    prop_assert_eq!(pair[1].rank, i + 2);
                }
            }
            prop_assert!(r.verify_hash());
        }
    }
}
