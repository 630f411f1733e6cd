//! Descriptive statistics and agreement coefficients over ratings that may be
//! incomplete: every rater scores only some of the units.
//!
//! Nothing here knows about the contest: a unit is anything that is rated (a
//! participant), a rater is anyone who rates (a juror), and a value is a
//! number (a juror's total). [`crate::domain::ranking`] turns score sheets
//! into [`Ratings`] and reads the results back in the contest's words.

use std::ops::Range;

/// Values that raters gave to units, where a rater may have skipped a unit.
///
/// Stored unit by unit, each unit's cells ordered by rater, so that every
/// computation over it visits the values in one fixed order and gives the
/// same bits whatever order the cells were supplied in.
#[derive(Clone, Debug, PartialEq)]
pub struct Ratings {
    rater_count: usize,
    /// The cells of unit `u` are `offsets[u]..offsets[u + 1]`.
    offsets: Vec<usize>,
    raters: Vec<usize>,
    values: Vec<f64>,
}

impl Ratings {
    /// Builds ratings from `(unit, rater, value)` cells in any order. A
    /// repeated `(unit, rater)` keeps the value given last.
    ///
    /// # Panics
    /// When a unit or rater index is out of range.
    pub fn from_cells(
        unit_count: usize,
        rater_count: usize,
        cells: impl IntoIterator<Item = (usize, usize, f64)>,
    ) -> Ratings {
        let mut cells: Vec<(usize, usize, f64)> = cells.into_iter().collect();
        for &(u, r, _) in &cells {
            assert!(
                u < unit_count && r < rater_count,
                "cell ({u}, {r}) outside {unit_count} units × {rater_count} raters"
            );
        }
        // Stable, so that among repeats the last given stays last.
        cells.sort_by_key(|&(u, r, _)| (u, r));
        let mut kept: Vec<(usize, usize, f64)> = Vec::with_capacity(cells.len());
        for cell in cells {
            match kept.last_mut() {
                Some(last) if (last.0, last.1) == (cell.0, cell.1) => *last = cell,
                _ => kept.push(cell),
            }
        }
        let mut offsets = Vec::with_capacity(unit_count + 1);
        let mut next = 0;
        offsets.push(0);
        for u in 0..unit_count {
            while next < kept.len() && kept[next].0 == u {
                next += 1;
            }
            offsets.push(next);
        }
        Ratings {
            rater_count,
            offsets,
            raters: kept.iter().map(|c| c.1).collect(),
            values: kept.iter().map(|c| c.2).collect(),
        }
    }

    /// Builds ratings from a rater-by-unit table, the way reliability data
    /// are usually printed: `table[rater][unit]`, `None` where the rater did
    /// not rate the unit. Rows may be of different lengths.
    pub fn from_table(table: &[Vec<Option<f64>>]) -> Ratings {
        let units = table.iter().map(Vec::len).max().unwrap_or(0);
        Ratings::from_cells(
            units,
            table.len(),
            table.iter().enumerate().flat_map(|(r, row)| {
                row.iter()
                    .enumerate()
                    .filter_map(move |(u, v)| v.map(|v| (u, r, v)))
            }),
        )
    }

    pub fn unit_count(&self) -> usize {
        self.offsets.len() - 1
    }

    pub fn rater_count(&self) -> usize {
        self.rater_count
    }

    /// How many values there are in all.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Where unit `u`'s cells lie in [`Ratings::raters`] and [`Ratings::values`].
    pub fn cells(&self, u: usize) -> Range<usize> {
        self.offsets[u]..self.offsets[u + 1]
    }

    /// The rater of each cell, unit by unit.
    pub fn raters(&self) -> &[usize] {
        &self.raters
    }

    /// The value of each cell, unit by unit.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The same cells with other values (one per cell, in cell order): for
    /// looking at one criterion's points with the layout of the totals.
    ///
    /// # Panics
    /// When `values` has not one value per cell.
    pub fn with_values(&self, values: Vec<f64>) -> Ratings {
        assert_eq!(values.len(), self.values.len(), "one value per cell");
        Ratings {
            rater_count: self.rater_count,
            offsets: self.offsets.clone(),
            raters: self.raters.clone(),
            values,
        }
    }
}

/// The arithmetic mean; `None` without values.
pub fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// The sum of squared deviations from the mean.
fn squared_deviations(values: &[f64]) -> f64 {
    match mean(values) {
        Some(m) => values.iter().map(|v| (v - m) * (v - m)).sum(),
        None => 0.0,
    }
}

/// The population standard deviation, `sqrt(Σ(x − x̄)² / n)`: the spread of
/// exactly these values. `None` without values; 0 for one value.
pub fn population_sd(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| (squared_deviations(values) / values.len() as f64).sqrt())
}

/// The sample variance, `Σ(x − x̄)² / (n − 1)`: an estimate of the variance
/// of whatever produced the values. `None` for fewer than two values.
pub fn sample_variance(values: &[f64]) -> Option<f64> {
    (values.len() >= 2).then(|| squared_deviations(values) / (values.len() - 1) as f64)
}

/// The median: the middle value, or the mean of the two middle values.
pub fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    median_in_place(&mut sorted)
}

/// [`median`] without a copy; reorders `values`.
pub fn median_in_place(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    })
}

/// How many values a trimmed mean of `n` values drops from each end.
///
/// Without a fraction: the single highest and lowest when there are at least
/// three values, nothing otherwise. With a fraction `f`: `floor(f·n)` from
/// each end. Either way at least one value is kept.
pub fn trim_count(n: usize, fraction: Option<f64>) -> usize {
    let wanted = match fraction {
        None => usize::from(n >= 3),
        // A hair added so that 0.29·100 = 28.999… still counts as 29.
        Some(f) => (f.clamp(0.0, 0.5) * n as f64 + 1e-9).floor() as usize,
    };
    wanted.min(n.saturating_sub(1) / 2)
}

/// The mean after dropping [`trim_count`] values from each end.
pub fn trimmed_mean(values: &[f64], fraction: Option<f64>) -> Option<f64> {
    let mut sorted = values.to_vec();
    trimmed_mean_in_place(&mut sorted, fraction)
}

/// [`trimmed_mean`] without a copy; reorders `values`.
pub fn trimmed_mean_in_place(values: &mut [f64], fraction: Option<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable_by(f64::total_cmp);
    let k = trim_count(values.len(), fraction);
    mean(&values[k..values.len() - k])
}

/// Ranks from 1 (the lowest value) to n; tied values share the mean of the
/// ranks they occupy (midranks), so the ranks always sum to n(n + 1)/2.
pub fn midranks(values: &[f64]) -> Vec<f64> {
    let mut ranks = Vec::new();
    midranks_into(values, &mut Vec::new(), &mut ranks);
    ranks
}

/// [`midranks`] into `ranks`, with `order` as scratch space: for computing
/// many rankings without allocating for each.
fn midranks_into(values: &[f64], order: &mut Vec<(f64, usize)>, ranks: &mut Vec<f64>) {
    order.clear();
    order.extend(values.iter().copied().zip(0..));
    // Equal values get equal ranks, so their order among themselves does
    // not matter.
    order.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    ranks.clear();
    ranks.resize(values.len(), 0.0);
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && order[end].0 == order[start].0 {
            end += 1;
        }
        // Positions start..end hold ranks start+1..=end; their mean:
        let rank = (start + 1 + end) as f64 / 2.0;
        for &(_, i) in &order[start..end] {
            ranks[i] = rank;
        }
        start = end;
    }
}

/// How far raters' rankings of the units agree: Kendall's coefficient of
/// concordance, generalised to incomplete designs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Concordance {
    /// Kendall's W, from 0 (no agreement) to 1 (every rater ranks the units
    /// the same way).
    pub w: f64,
    /// The pooled rank correlation between raters on the units they share
    /// (ρ̄ below): about 0 when raters agree only by chance, 1 when they
    /// agree completely, negative when they rank in opposite directions.
    pub mean_rank_correlation: f64,
    /// The raters taking part (m): those who share at least two units with
    /// another rater.
    pub raters: usize,
    /// The rater pairs that share at least two units.
    pub pairs: usize,
}

/// Kendall's W for ratings where every rater may score only some units.
///
/// **Classical W.** When m raters each rank all n units (midranks for ties),
/// with rank sums Rᵢ and tie terms Tⱼ = Σ(t³ − t) over rater j's groups of t
/// tied values,
///
/// ```text
///     W = 12 Σᵢ (Rᵢ − R̄)² / (m²(n³ − n) − m Σⱼ Tⱼ).
/// ```
///
/// Writing cᵢⱼ for rater j's rank of unit i minus (n + 1)/2, the numerator
/// is Σᵢ(Σⱼ cᵢⱼ)² = Σⱼ Vⱼ + 2 Σⱼ<ₖ Cⱼₖ, where Vⱼ = Σᵢ cᵢⱼ² = (n³ − n − Tⱼ)/12
/// and Cⱼₖ = Σᵢ cᵢⱼ cᵢₖ; the denominator is m Σⱼ Vⱼ. So
///
/// ```text
///     W = 1/m + (m − 1)/m · ρ̄,   ρ̄ = Σⱼ<ₖ 2Cⱼₖ / Σⱼ<ₖ (Vⱼ + Vₖ),
/// ```
///
/// W is the concordance of m rankings whose pooled pairwise rank
/// correlation (Spearman's ρ, pooled over pairs) is ρ̄.
///
/// **Incomplete designs.** When each unit is rated by K of N raters, a pair
/// of raters can only be compared on the units both rated. For each pair
/// (j, k) sharing s ≥ 2 units, both raters' values on those s units are
/// ranked afresh (midranks, 1..s) and Cⱼₖ, Vⱼ|ₖ, Vₖ|ⱼ are computed on them;
/// ρ̄ = Σ 2Cⱼₖ / Σ (Vⱼ|ₖ + Vₖ|ⱼ) over those pairs, and m is the number of
/// raters in at least one such pair. W is then the formula above, clamped to
/// [0, 1]: an estimate of the W the whole jury would have shown had every
/// rater ranked every unit.
///
/// Properties (tested):
/// - in a complete design this is exactly the classical W with the tie
///   correction (every pair shares all n units, so Vⱼ|ₖ = Vⱼ);
/// - when all raters order their shared units the same way, every pair has
///   Cⱼₖ = Vⱼ|ₖ = Vₖ|ⱼ, so ρ̄ = 1 and W = 1;
/// - for random scores ρ̄ is near 0 and W near 1/m, its chance level, as for
///   the classical W (whose expectation under random ranking is 1/m); with
///   a jury of many raters that is near 0.
///
/// `None` when no pair of raters shares two units, or when every rater gave
/// equal values to every shared unit (nothing to rank).
pub fn kendall_w(ratings: &Ratings) -> Option<Concordance> {
    let n_raters = ratings.rater_count();
    // (pair, value of the lower rater, value of the higher rater), unit by unit.
    let mut shared: Vec<(usize, f64, f64)> = Vec::new();
    for u in 0..ratings.unit_count() {
        let cells = ratings.cells(u);
        let raters = &ratings.raters()[cells.clone()];
        let values = &ratings.values()[cells];
        for a in 0..raters.len() {
            for b in a + 1..raters.len() {
                shared.push((raters[a] * n_raters + raters[b], values[a], values[b]));
            }
        }
    }
    // Group by pair, keeping units in order within a pair so that sums are
    // taken in one fixed order.
    group_stably(&mut shared, n_raters * n_raters);

    let mut in_pair = vec![false; n_raters];
    let (mut covariance, mut variance, mut pairs) = (0.0, 0.0, 0);
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    let (mut rx, mut ry, mut order) = (Vec::new(), Vec::new(), Vec::new());
    for group in shared.chunk_by(|a, b| a.0 == b.0) {
        if group.len() < 2 {
            continue;
        }
        xs.clear();
        ys.clear();
        xs.extend(group.iter().map(|c| c.1));
        ys.extend(group.iter().map(|c| c.2));
        let centre = (group.len() as f64 + 1.0) / 2.0;
        midranks_into(&xs, &mut order, &mut rx);
        midranks_into(&ys, &mut order, &mut ry);
        for (x, y) in rx.iter().zip(&ry) {
            let (cx, cy) = (x - centre, y - centre);
            covariance += 2.0 * cx * cy;
            variance += cx * cx + cy * cy;
        }
        pairs += 1;
        in_pair[group[0].0 / n_raters] = true;
        in_pair[group[0].0 % n_raters] = true;
    }
    if pairs == 0 || variance <= 0.0 {
        return None;
    }
    let m = in_pair.iter().filter(|&&b| b).count() as f64;
    let rho = covariance / variance;
    let w = (1.0 + (m - 1.0) * rho) / m;
    Some(Concordance {
        w: w.clamp(0.0, 1.0),
        mean_rank_correlation: rho,
        raters: m as usize,
        pairs,
    })
}

/// Orders `items` by their key (below `keys`), keeping the order of equal
/// keys: a counting sort when the keys are few enough, a stable sort
/// otherwise.
fn group_stably<T: Copy>(items: &mut Vec<(usize, T, T)>, keys: usize) {
    if keys > 4 * items.len() + 1024 {
        items.sort_by_key(|c| c.0);
        return;
    }
    let mut start = vec![0usize; keys + 1];
    for item in items.iter() {
        start[item.0 + 1] += 1;
    }
    for k in 0..keys {
        start[k + 1] += start[k];
    }
    let mut sorted = items.clone();
    for &item in items.iter() {
        sorted[start[item.0]] = item;
        start[item.0] += 1;
    }
    *items = sorted;
}

/// Krippendorff's alpha with the interval metric (δ²(a, b) = (a − b)²),
/// which handles any number of raters and missing values.
///
/// Only units with at least two values are pairable; n is the number of
/// their values. With the coincidence-matrix definitions written out,
///
/// ```text
///     D_o = 1/n · Σᵤ 1/(mᵤ − 1) · Σ_{i≠j in u} (vᵢ − vⱼ)²
///     D_e = 1/(n(n − 1)) · Σ_{i≠j over all pairable values} (vᵢ − vⱼ)²
///     α   = 1 − D_o / D_e,
/// ```
///
/// computed through Σ_{i≠j}(vᵢ − vⱼ)² = 2m Σ(v − v̄)², which needs one pass
/// per unit instead of one per pair of values.
///
/// 1 is perfect agreement, 0 agreement no better than chance. `None` when
/// fewer than two values are pairable or all pairable values are equal.
pub fn krippendorff_alpha_interval(ratings: &Ratings) -> Option<f64> {
    let mut observed = 0.0;
    let mut pairable: Vec<f64> = Vec::new();
    for u in 0..ratings.unit_count() {
        let values = &ratings.values()[ratings.cells(u)];
        let m = values.len();
        if m < 2 {
            continue;
        }
        observed += 2.0 * m as f64 * squared_deviations(values) / (m - 1) as f64;
        pairable.extend_from_slice(values);
    }
    let n = pairable.len() as f64;
    if pairable.len() < 2 {
        return None;
    }
    let observed = observed / n;
    let expected = 2.0 * n * squared_deviations(&pairable) / (n * (n - 1.0));
    (expected > 0.0).then(|| 1.0 - observed / expected)
}

#[cfg(test)]
pub(crate) mod testing {
    /// A tiny reproducible generator for test data.
    pub struct Lcg(pub u64);

    impl Lcg {
        pub fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 33
        }

        pub fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        /// `k` distinct numbers below `n`.
        pub fn choose(&mut self, n: usize, k: usize) -> Vec<usize> {
            let mut all: Vec<usize> = (0..n).collect();
            for i in 0..k {
                let j = i + self.below(n - i);
                all.swap(i, j);
            }
            all.truncate(k);
            all
        }

        /// Puts `items` in a random order.
        pub fn shuffle<T>(&mut self, items: &mut [T]) {
            for i in (1..items.len()).rev() {
                let j = self.below(i + 1);
                items.swap(i, j);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::Lcg;
    use super::*;
    use proptest::prelude::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn mean_median_trimmed() {
        let v = [12.0, 19.0, 22.0, 25.0, 30.0];
        assert_eq!(mean(&v), Some(21.6));
        assert_eq!(median(&v), Some(22.0));
        // Drops 12 and 30: (19 + 22 + 25) / 3.
        assert_eq!(trimmed_mean(&v, None), Some(22.0));
        assert_eq!(median(&[1.0, 4.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(mean(&[]), None);
        assert_eq!(median(&[]), None);
        // Two values: nothing to drop without a fraction.
        assert_eq!(trimmed_mean(&[1.0, 3.0], None), Some(2.0));
    }

    #[test]
    fn trim_count_never_drops_everything() {
        assert_eq!(trim_count(2, None), 0);
        assert_eq!(trim_count(3, None), 1);
        assert_eq!(trim_count(10, None), 1);
        assert_eq!(trim_count(10, Some(0.2)), 2);
        assert_eq!(trim_count(100, Some(0.29)), 29);
        assert_eq!(trim_count(4, Some(0.5)), 1);
        assert_eq!(trim_count(2, Some(0.5)), 0);
        assert_eq!(trim_count(1, Some(0.5)), 0);
        assert_eq!(trim_count(5, Some(0.1)), 0);
    }

    #[test]
    fn spreads() {
        // Deviations −2, 0, 2: Σ = 8; population 8/3, sample 8/2.
        let v = [1.0, 3.0, 5.0];
        assert!(close(population_sd(&v).unwrap(), (8.0f64 / 3.0).sqrt()));
        assert_eq!(sample_variance(&v), Some(4.0));
        assert_eq!(population_sd(&[7.0]), Some(0.0));
        assert_eq!(sample_variance(&[7.0]), None);
    }

    #[test]
    fn midranks_share_tied_places() {
        assert_eq!(
            midranks(&[10.0, 8.0, 8.0, 5.0, 8.0]),
            vec![5.0, 3.0, 3.0, 1.0, 3.0]
        );
        assert_eq!(midranks(&[2.0, 1.0]), vec![2.0, 1.0]);
    }

    #[test]
    fn repeated_cells_keep_the_last_value() {
        let r = Ratings::from_cells(2, 2, [(1, 0, 1.0), (0, 1, 2.0), (1, 0, 3.0)]);
        assert_eq!(r.cells(0), 0..1);
        assert_eq!(r.cells(1), 1..2);
        assert_eq!(r.values(), &[2.0, 3.0]);
        assert_eq!(r.raters(), &[1, 0]);
    }

    /// Kendall's W by the textbook formula, for a complete design:
    /// `scores[rater][unit]`.
    fn classical_w(scores: &[Vec<f64>]) -> Option<f64> {
        let m = scores.len() as f64;
        let n = scores[0].len();
        let ranks: Vec<Vec<f64>> = scores.iter().map(|s| midranks(s)).collect();
        let sums: Vec<f64> = (0..n).map(|i| ranks.iter().map(|r| r[i]).sum()).collect();
        let mean_sum = sums.iter().sum::<f64>() / n as f64;
        let s: f64 = sums.iter().map(|r| (r - mean_sum).powi(2)).sum();
        let ties: f64 = scores
            .iter()
            .map(|row| {
                let mut sorted = row.clone();
                sorted.sort_by(f64::total_cmp);
                sorted
                    .chunk_by(|a, b| a == b)
                    .map(|g| (g.len() as f64).powi(3) - g.len() as f64)
                    .sum::<f64>()
            })
            .sum();
        let nf = n as f64;
        let denominator = m * m * (nf.powi(3) - nf) - m * ties;
        (denominator > 0.0).then(|| 12.0 * s / denominator)
    }

    fn complete(scores: &[Vec<f64>]) -> Ratings {
        Ratings::from_table(
            &scores
                .iter()
                .map(|r| r.iter().map(|&v| Some(v)).collect())
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn kendall_w_of_a_hand_computed_example() {
        // Three jurors rank four participants (1 = lowest):
        //   J1: 1 2 3 4   J2: 2 1 3 4   J3: 1 3 2 4
        // Rank sums R = 4, 6, 8, 12; R̄ = 7.5;
        // S = 3.5² + 1.5² + 0.5² + 4.5² = 12.25 + 2.25 + 0.25 + 20.25 = 35;
        // W = 12·35 / (3²·(4³ − 4)) = 420 / 540 = 7/9.
        let scores = vec![
            vec![1.0, 2.0, 3.0, 4.0],
            vec![2.0, 1.0, 3.0, 4.0],
            vec![1.0, 3.0, 2.0, 4.0],
        ];
        let c = kendall_w(&complete(&scores)).unwrap();
        assert!(close(c.w, 7.0 / 9.0), "{}", c.w);
        assert_eq!(c.raters, 3);
        assert_eq!(c.pairs, 3);
        // ρ̄ = (mW − 1)/(m − 1) = (7/3 − 1)/2 = 2/3.
        assert!(close(c.mean_rank_correlation, 2.0 / 3.0));
    }

    #[test]
    fn kendall_w_with_ties_uses_the_tie_correction() {
        // Two jurors, four participants; J1 gives 10, 8, 8, 5 and J2 gives
        // 9, 7, 6, 6. Midranks: J1 = 4, 2.5, 2.5, 1; J2 = 4, 3, 1.5, 1.5.
        // R = 8, 5.5, 4, 2.5; R̄ = 5;
        // S = 3² + 0.5² + 1² + 2.5² = 9 + 0.25 + 1 + 6.25 = 16.5.
        // T₁ = T₂ = 2³ − 2 = 6.
        // W = 12·16.5 / (2²·60 − 2·12) = 198 / 216 = 11/12.
        let scores = vec![vec![10.0, 8.0, 8.0, 5.0], vec![9.0, 7.0, 6.0, 6.0]];
        let c = kendall_w(&complete(&scores)).unwrap();
        assert!(close(c.w, 11.0 / 12.0), "{}", c.w);
        assert!(close(classical_w(&scores).unwrap(), 11.0 / 12.0));
    }

    #[test]
    fn kendall_w_is_one_when_incomplete_rankings_agree() {
        // 40 participants with a true order; 8 jurors, each scoring a
        // different subset of 3..=8 participants per participant, each
        // through their own increasing transformation of the true value.
        let mut rng = Lcg(7);
        let truth: Vec<f64> = (0..40).map(|i| i as f64 * 1.7 + 3.0).collect();
        let mut cells = Vec::new();
        for (u, &t) in truth.iter().enumerate() {
            let k = 3 + rng.below(6);
            for r in rng.choose(8, k) {
                let v = match r % 3 {
                    0 => t,
                    1 => t * t / 10.0 - 4.0,
                    _ => 2.0 * t.sqrt() + r as f64,
                };
                cells.push((u, r, v));
            }
        }
        let c = kendall_w(&Ratings::from_cells(40, 8, cells)).unwrap();
        assert!(close(c.w, 1.0), "{}", c.w);
        assert!(close(c.mean_rank_correlation, 1.0));
        assert_eq!(c.raters, 8);
    }

    #[test]
    fn kendall_w_is_near_zero_for_random_scores() {
        // 600 participants, a jury of 30, 5 random jurors per participant,
        // integer scores 0..=50 at random: ρ̄ ≈ 0 and W ≈ 1/30.
        let mut rng = Lcg(11);
        let mut cells = Vec::new();
        for u in 0..600 {
            for r in rng.choose(30, 5) {
                cells.push((u, r, rng.below(51) as f64));
            }
        }
        let c = kendall_w(&Ratings::from_cells(600, 30, cells)).unwrap();
        assert!(c.mean_rank_correlation.abs() < 0.05, "{c:?}");
        assert!(c.w < 0.1, "{c:?}");
        assert_eq!(c.raters, 30);
    }

    #[test]
    fn kendall_w_needs_something_to_rank() {
        let none = Ratings::from_cells(3, 2, [(0, 0, 1.0), (1, 1, 2.0)]);
        assert_eq!(kendall_w(&none), None);
        let flat = complete(&[vec![5.0, 5.0, 5.0], vec![2.0, 2.0, 2.0]]);
        assert_eq!(kendall_w(&flat), None);
    }

    #[test]
    fn alpha_of_krippendorffs_published_example() {
        // Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011):
        // 4 observers, 12 units, missing values; interval α = 0.849
        // (and nominal α = 0.743, the same data under another metric).
        // Unit 12 has one value only and is not pairable.
        let x = None;
        let row = |v: [Option<f64>; 12]| v.to_vec();
        let s = Some;
        let table = vec![
            row([
                s(1.),
                s(2.),
                s(3.),
                s(3.),
                s(2.),
                s(1.),
                s(4.),
                s(1.),
                s(2.),
                x,
                x,
                x,
            ]),
            row([
                s(1.),
                s(2.),
                s(3.),
                s(3.),
                s(2.),
                s(2.),
                s(4.),
                s(1.),
                s(2.),
                s(5.),
                x,
                s(3.),
            ]),
            row([
                x,
                s(3.),
                s(3.),
                s(3.),
                s(2.),
                s(3.),
                s(4.),
                s(2.),
                s(2.),
                s(5.),
                s(1.),
                x,
            ]),
            row([
                s(1.),
                s(2.),
                s(3.),
                s(3.),
                s(2.),
                s(4.),
                s(4.),
                s(1.),
                s(2.),
                s(5.),
                s(1.),
                x,
            ]),
        ];
        let alpha = krippendorff_alpha_interval(&Ratings::from_table(&table)).unwrap();
        assert!((alpha - 0.849).abs() < 5e-4, "{alpha}");
        // Exactly: n = 40 pairable values, D_o = 0.4333... and
        // D_e = 2.8717..., α = 1 − D_o/D_e = 0.8491071428...
        assert!(close(alpha, 0.849_107_142_857_142_8), "{alpha}");
    }

    #[test]
    fn alpha_by_hand_on_two_units() {
        // Unit A: 1, 3; unit B: 5, 7. n = 4.
        // D_o = 1/4 · (2·(1−3)²/1 + 2·(5−7)²/1) = 1/4 · 16 = 4.
        // All values 1, 3, 5, 7: Σ_{i≠j}(vᵢ − vⱼ)² = 2·4·20 = 160;
        // D_e = 160 / (4·3) = 13.33...; α = 1 − 4/13.33 = 0.7.
        let r = Ratings::from_cells(2, 2, [(0, 0, 1.0), (0, 1, 3.0), (1, 0, 5.0), (1, 1, 7.0)]);
        assert!(close(krippendorff_alpha_interval(&r).unwrap(), 0.7));
        let perfect = complete(&[vec![1.0, 4.0, 9.0], vec![1.0, 4.0, 9.0]]);
        assert!(close(krippendorff_alpha_interval(&perfect).unwrap(), 1.0));
        let single = Ratings::from_cells(2, 2, [(0, 0, 1.0), (1, 1, 2.0)]);
        assert_eq!(krippendorff_alpha_interval(&single), None);
    }

    proptest! {
        /// In a complete design the generalised W is the classical W with
        /// the tie correction (small integer scores make ties common).
        #[test]
        fn kendall_w_equals_the_classical_formula_when_complete(
            m in 2usize..6,
            n in 2usize..9,
            seed in any::<u64>(),
        ) {
            let mut rng = Lcg(seed);
            let scores: Vec<Vec<f64>> = (0..m)
                .map(|_| (0..n).map(|_| rng.below(5) as f64).collect())
                .collect();
            let ours = kendall_w(&complete(&scores)).map(|c| c.w);
            let textbook = classical_w(&scores);
            match (ours, textbook) {
                (Some(a), Some(b)) => prop_assert!((a - b).abs() < 1e-9, "{} vs {}", a, b),
                (None, None) => {}
                (a, b) => prop_assert!(false, "{:?} vs {:?}", a, b),
            }
        }
    }
}
