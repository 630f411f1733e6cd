//! How far the jury agrees: each juror's severity, the concordance of the
//! jurors' totals and the totals far from the rest of the jury's.

use super::StageInput;
use super::prepare::Prepared;
use crate::domain::ids::{JurorId, ParticipantId, StageId};
use crate::domain::stats::{self, Concordance, Ratings};

/// Per cell, the total minus the mean of the other jurors' totals for the
/// same participant; and the pooled within-participant SD.
pub(super) fn deviations(totals: &Ratings) -> (Vec<Option<f64>>, Option<f64>) {
    let mut deviation = vec![None; totals.len()];
    let mut variances = Vec::new();
    for u in 0..totals.unit_count() {
        let cells = totals.cells(u);
        let values = &totals.values()[cells.clone()];
        let m = values.len();
        if m < 2 {
            continue;
        }
        let sum: f64 = values.iter().sum();
        for (c, &x) in cells.zip(values) {
            deviation[c] = Some(x - (sum - x) / (m - 1) as f64);
        }
        variances.extend(stats::sample_variance(values));
    }
    (deviation, stats::mean(&variances).map(f64::sqrt))
}

/// Per cell: more than 2 pooled SD from the other jurors' mean (see
/// [`deviations`]).
pub(super) fn outliers(deviation: &[Option<f64>], pooled_sd: Option<f64>) -> Vec<bool> {
    deviation
        .iter()
        .map(|d| match (d, pooled_sd) {
            (Some(d), Some(sd)) => sd > 0.0 && d.abs() > 2.0 * sd,
            _ => false,
        })
        .collect()
}

/// How the jury of a stage judged: severity, agreement and outliers.
#[derive(Clone, Debug, PartialEq)]
pub struct Statistics {
    pub stage: StageId,
    pub participants: usize,
    /// Submitted sheets counted.
    pub sheets: usize,
    /// By juror id.
    pub jurors: Vec<JurorStatistics>,
    /// Kendall's W of the jurors' totals, generalised to a jury where each
    /// participant is scored by K of N jurors (see [`stats::kendall_w`]).
    pub concordance: Option<Concordance>,
    /// Krippendorff's alpha of the jurors' totals, interval metric (units
    /// are participants, coders are jurors; see
    /// [`stats::krippendorff_alpha_interval`]).
    pub krippendorff_alpha: Option<f64>,
    /// The pooled within-participant SD of the jurors' totals: the square
    /// root of the mean, over participants with at least two totals, of the
    /// sample variance of their totals. The yardstick of [`Outlier`].
    pub pooled_sd: Option<f64>,
    /// By participant id, then juror id.
    pub outliers: Vec<Outlier>,
}

/// One juror's behaviour at a stage.
#[derive(Clone, Debug, PartialEq)]
pub struct JurorStatistics {
    pub juror: JurorId,
    /// Participants the juror submitted a sheet for.
    pub scored: usize,
    /// Of those, participants another juror also scored.
    pub compared: usize,
    /// The mean, over the compared participants, of the juror's total minus
    /// the mean of the other jurors' totals on the same participant:
    /// negative for a strict juror, positive for a lenient one. `None` when
    /// nothing can be compared.
    pub severity: Option<f64>,
    pub outliers: usize,
}

/// A juror's total far from the rest of the jury's on a participant.
#[derive(Clone, Debug, PartialEq)]
pub struct Outlier {
    pub participant: ParticipantId,
    pub juror: JurorId,
    pub total: f64,
    /// The mean of the other jurors' totals for the participant.
    pub others_mean: f64,
    /// `(total − others_mean) / pooled_sd`: beyond ±2 to be an outlier.
    pub deviation_in_sd: f64,
}

/// The jury's severity, agreement and outliers at a stage.
pub fn statistics(input: &StageInput) -> Statistics {
    Prepared::new(input).statistics()
}

impl Prepared<'_> {
    pub(super) fn statistics(&self) -> Statistics {
        let totals = &self.totals;
        let jurors_n = self.jurors.len();
        let (mut scored, mut compared) = (vec![0usize; jurors_n], vec![0usize; jurors_n]);
        let mut severity_sum = vec![0.0; jurors_n];
        let mut outlier_count = vec![0usize; jurors_n];
        let mut outliers = Vec::new();
        for p in 0..totals.unit_count() {
            for c in totals.cells(p) {
                let j = totals.raters()[c];
                scored[j] += 1;
                if let Some(d) = self.deviation[c] {
                    compared[j] += 1;
                    severity_sum[j] += d;
                }
                if self.outlier[c] {
                    let d = self.deviation[c].unwrap_or(0.0);
                    let sd = self.pooled_sd.unwrap_or(1.0);
                    outlier_count[j] += 1;
                    outliers.push(Outlier {
                        participant: self.ids[p].clone(),
                        juror: self.jurors[j].clone(),
                        total: totals.values()[c],
                        others_mean: totals.values()[c] - d,
                        deviation_in_sd: d / sd,
                    });
                }
            }
        }
        Statistics {
            stage: self.stage.id.clone(),
            participants: self.ids.len(),
            sheets: totals.len(),
            jurors: (0..jurors_n)
                .map(|j| JurorStatistics {
                    juror: self.jurors[j].clone(),
                    scored: scored[j],
                    compared: compared[j],
                    severity: (compared[j] > 0).then(|| severity_sum[j] / compared[j] as f64),
                    outliers: outlier_count[j],
                })
                .collect(),
            concordance: stats::kendall_w(totals),
            krippendorff_alpha: stats::krippendorff_alpha_interval(totals),
            pooled_sd: self.pooled_sd,
            outliers,
        }
    }
}
