//! The listeners of the educational stage, who are also the applicants.

use crate::GenOptions;
use crate::people::{Emails, TosNames, person, phone, tos_label};
use crate::rng::{Rng, Weighted};
use crate::streams::LISTENERS;
use crate::tables::{Kind, tables};
use chrono::{Duration, NaiveDate};
use std::collections::BTreeMap;

pub struct Listener {
    pub id: String,
    pub name: String,
    pub tos: String,
    pub place: usize,
    pub kind: Kind,
    pub email: String,
    pub phone: String,
    /// The application date, formatted.
    pub applied: String,
    pub projects: u32,
    pub awards: u32,
    pub reviews: u32,
    pub mentoring: u32,
    pub site: u32,
    pub creative: u32,
    pub notes: &'static str,
    /// How keen a listener is (standard normal): drives attendance.
    pub keenness: f64,
    /// How experienced the listener's TOS is (standard normal).
    pub experience: f64,
}

/// The width of zero-padded ids for `n` records (at least `min` digits).
pub fn id_width(n: usize, min: usize) -> usize {
    n.max(1).to_string().len().max(min)
}

/// How many participants each group gets: 40 % rural, 4/15 urban, the rest
/// city districts; 150 participants split 60 / 40 / 50.
fn split_groups(n: usize) -> [usize; 3] {
    let rural = (n * 2 + 2) / 5;
    let urban = ((n * 4 + 7) / 15).min(n - rural);
    [rural, urban, n - rural - urban]
}

/// The group sizes of a generated contest of `n` participants, by group id.
pub fn group_sizes(n: usize) -> BTreeMap<String, usize> {
    Kind::ALL
        .iter()
        .zip(split_groups(n))
        .map(|(k, s)| (k.code().to_string(), s))
        .collect()
}

/// The listeners, each in a municipality of the kind of their group.
pub fn generate(opts: &GenOptions) -> Vec<Listener> {
    let t = tables();
    let mut rng = Rng::stream(opts.seed, LISTENERS);
    let n = opts.participants;
    let mut kinds: Vec<Kind> = Kind::ALL
        .iter()
        .zip(split_groups(n))
        .flat_map(|(k, s)| std::iter::repeat_n(*k, s))
        .collect();
    rng.shuffle(&mut kinds);
    let by_kind: Vec<(Vec<usize>, Weighted)> = Kind::ALL
        .iter()
        .map(|k| {
            let idx: Vec<usize> = (0..t.places.len())
                .filter(|&i| t.places[i].kind == *k)
                .collect();
            let w = Weighted::new(idx.iter().map(|&i| t.places[i].weight));
            (idx, w)
        })
        .collect();
    let width = id_width(n, 3);
    let first_day = NaiveDate::from_ymd_opt(2020, 12, 1).expect("a date");
    let window = 46; // 1 December 2020 to 15 January 2021
    let days: Vec<String> = (0..window)
        .map(|d| {
            (first_day + Duration::days(d as i64))
                .format("%Y-%m-%d")
                .to_string()
        })
        .collect();
    let mut emails = Emails::default();
    let mut tos_names = TosNames::default();
    let mut out = Vec::with_capacity(n);
    for (i, kind) in kinds.into_iter().enumerate() {
        let (idx, weights) = &by_kind[kind as usize];
        let place = idx[weights.draw(&mut rng)];
        let buryat = rng.chance(if t.places[place].buryat { 0.5 } else { 0.03 });
        let female = rng.chance(0.78);
        let name = person(&mut rng, female, buryat);
        let tos_word = tos_names.make(&mut rng, place);
        let tos = tos_label(&mut rng, &tos_word);
        let email = if rng.chance(0.05) {
            String::new()
        } else {
            emails.make(&mut rng, &name)
        };
        let phone = if rng.chance(0.04) {
            String::new()
        } else {
            phone(&mut rng)
        };
        // Most applications come in the last weeks before the deadline.
        let day = if rng.chance(0.6) {
            (rng.unit().max(rng.unit()) * window as f64) as i64
        } else {
            rng.below(window) as i64
        };
        let applied = days[day as usize].clone();
        let experience = rng.normal();
        let keenness = rng.normal();
        let projects = rng.poisson((0.6 + 0.7 * experience).exp()).min(25);
        let awards = rng.poisson((-0.2 + 0.8 * experience).exp()).min(20);
        let reviews = rng.poisson((-0.5 + 0.6 * experience + 0.3 * keenness).exp());
        let mentoring = if experience > 0.8 {
            rng.poisson((0.5 * experience).exp())
        } else {
            u32::from(rng.chance(0.08))
        };
        let site = if rng.chance(0.3) {
            0
        } else {
            rng.poisson((0.6 + 0.9 * keenness).exp()).min(60)
        };
        let p_task = 1.0 / (1.0 + (-(0.2 + 1.2 * keenness)).exp());
        let creative = (0..6).filter(|_| rng.chance(p_task)).count() as u32;
        let notes = if rng.chance(0.12) {
            rng.pick(&t.notes).as_str()
        } else {
            ""
        };
        out.push(Listener {
            id: format!("P{:0width$}", i + 1),
            name: name.full(),
            tos,
            place,
            kind,
            email,
            phone,
            applied,
            projects,
            awards,
            reviews,
            mentoring,
            site,
            creative,
            notes,
            keenness,
            experience,
        });
    }
    out
}
