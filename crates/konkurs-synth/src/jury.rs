//! The people of the jury.

use crate::GenOptions;
use crate::listeners::{Listener, id_width};
use crate::people::{Emails, person};
use crate::rng::{Rng, Weighted};
use crate::streams::JURORS;
use crate::tables::{REGIONAL_CENTRE, tables};
use std::collections::HashSet;

pub struct JuryMember {
    pub id: String,
    pub name: String,
    pub role: &'static str,
    pub email: String,
    pub municipality: String,
    pub tos: String,
    pub conflicts: Vec<String>,
}

/// The jury: a coordinator, the experts (some of them TOS leaders, some
/// with conflicts of interest) and, from 7 people on, an observer.
pub fn generate(opts: &GenOptions, listeners: &[Listener]) -> Vec<JuryMember> {
    let t = tables();
    let mut rng = Rng::stream(opts.seed, JURORS);
    let n = opts.jurors;
    let width = id_width(n, 2);
    let mut emails = Emails::default();
    let towns = Weighted::new(t.places.iter().map(|p| p.weight));
    let mut surnames: HashSet<String> = HashSet::new();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let role = if i == 0 {
            "coordinator"
        } else if n >= 7 && i == n - 1 {
            "observer"
        } else {
            "juror"
        };
        let (female, buryat) = (rng.chance(0.6), rng.chance(0.05));
        // A jury of namesakes would confuse everyone: surnames differ
        // while there are enough of them.
        let mut name = person(&mut rng, female, buryat);
        for _ in 0..20 {
            if !surnames.contains(&name.surname) {
                break;
            }
            name = person(&mut rng, female, buryat);
        }
        surnames.insert(name.surname.clone());
        let email = emails.make(&mut rng, &name);
        let (mut municipality, mut tos) = (String::new(), String::new());
        let mut conflicts = Vec::new();
        match role {
            "coordinator" => municipality = t.places[REGIONAL_CENTRE].name.to_string(),
            "observer" => {}
            _ => {
                let roll = rng.unit();
                if roll < 0.3 && !listeners.is_empty() {
                    // A TOS leader on the jury: a member of their TOS applied.
                    let l = rng.pick(listeners);
                    municipality = t.places[l.place].name.to_string();
                    tos = l.tos.clone();
                } else if roll < 0.7 {
                    let place = if rng.chance(0.5) {
                        REGIONAL_CENTRE
                    } else {
                        towns.draw(&mut rng)
                    };
                    municipality = t.places[place].name.to_string();
                }
                if !listeners.is_empty() && rng.chance(0.4) {
                    let count = rng.range(1, 3).min(listeners.len());
                    let mut picked: Vec<usize> = Vec::with_capacity(count);
                    while picked.len() < count {
                        let p = rng.below(listeners.len());
                        if !picked.contains(&p) {
                            picked.push(p);
                        }
                    }
                    picked.sort_unstable();
                    conflicts = picked.iter().map(|p| listeners[*p].id.clone()).collect();
                }
            }
        }
        out.push(JuryMember {
            id: format!("J{:0width$}", i + 1),
            name: name.full(),
            role,
            email,
            municipality,
            tos,
            conflicts,
        });
    }
    out
}
