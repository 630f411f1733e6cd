//! Where mentors and interns live, and how far apart a pair is.
//!
//! A region may list thousands of places, so there is no table of every
//! mentor's place against every intern's: a distance is computed when a pair
//! needs it, from points whose own trigonometry is done once.
//!
//! Scoring every pair of a market (200 mentors × 5,000 interns) asks a
//! million times whether a pair may meet on site and which distance band it
//! falls in. Both are questions of "is the distance at most t", and the
//! distance 2R·asin(√h) grows with the haversine term h, so they are
//! answered by comparing h with the term of each limit, computed once,
//! and h itself without sines, from each point's sine and cosine of its
//! half-angles. When h lies within 10⁻¹² of a limit's term (far more than
//! the rounding of either way of computing it) the distance is computed
//! exactly, as [`GeoPoint::distance_km`] does, and compared as before: the
//! answer is always the exact formula's.

use super::score::Distance;
use crate::domain::mentoring::{GeoPoint, InternRequest, Mentor, Municipality};
use crate::domain::regulation::MentoringRules;
use std::collections::{BTreeMap, HashMap};

const EARTH_RADIUS_KM: f64 = 6371.0;

/// How near to a limit's term h must be for the exact distance to decide.
const CLOSE: f64 = 1e-12;

/// A point with the sines and cosines of its half-angles.
#[derive(Clone, Copy, Debug)]
struct Halves {
    exact: GeoPoint,
    sin_lat: f64,
    cos_lat: f64,
    sin_lon: f64,
    cos_lon: f64,
    /// The cosine of the whole latitude.
    cos_latitude: f64,
}

impl Halves {
    fn new(latitude_deg: f64, longitude_deg: f64) -> Halves {
        let (lat, lon) = (latitude_deg.to_radians(), longitude_deg.to_radians());
        Halves {
            exact: GeoPoint::new(latitude_deg, longitude_deg),
            sin_lat: (lat / 2.0).sin(),
            cos_lat: (lat / 2.0).cos(),
            sin_lon: (lon / 2.0).sin(),
            cos_lon: (lon / 2.0).cos(),
            cos_latitude: lat.cos(),
        }
    }

    /// The haversine term: sin²(Δφ/2) + cos φ₁ cos φ₂ sin²(Δλ/2), with the
    /// sines of the half differences from the half-angles.
    #[inline]
    fn term(&self, other: &Halves) -> f64 {
        let d_lat = other.sin_lat * self.cos_lat - other.cos_lat * self.sin_lat;
        let d_lon = other.sin_lon * self.cos_lon - other.cos_lon * self.sin_lon;
        d_lat * d_lat + self.cos_latitude * other.cos_latitude * d_lon * d_lon
    }
}

/// The haversine term of a distance limit: a pair is within `km` exactly
/// when its term is at most this (up to rounding, see [`CLOSE`]).
fn limit_term(km: f64) -> f64 {
    let angle = km / (2.0 * EARTH_RADIUS_KM);
    if angle < 0.0 {
        -1.0
    } else if angle >= std::f64::consts::FRAC_PI_2 {
        // Half the globe's circumference or more: every pair is within.
        2.0
    } else {
        angle.sin().powi(2)
    }
}

/// Whether a pair may meet on site, and the points its distance brings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Reach {
    /// Within the regulation's `max_distance_km`.
    pub within: bool,
    /// `distance_weight` × the points of the pair's band.
    pub points: i64,
}

pub(super) struct Geo {
    /// Per mentor and per intern, the point of their municipality, if known.
    mentor_point: Vec<Option<Halves>>,
    intern_point: Vec<Option<Halves>>,
    /// The term of `max_distance_km`.
    max_term: f64,
    /// Per distance band, its term and its points (weighted).
    bands: Vec<(f64, i64)>,
}

impl Geo {
    pub fn new<'a>(
        rules: &MentoringRules,
        mentors: &[&'a Mentor],
        interns: &[&'a InternRequest],
        map: &BTreeMap<String, Municipality>,
    ) -> Geo {
        // Each municipality's point once, however many live there.
        let mut points: HashMap<&str, Option<Halves>> = HashMap::new();
        let mut point = |name: &'a str| {
            *points.entry(name).or_insert_with(|| {
                map.get(name)
                    .map(|place| Halves::new(place.latitude, place.longitude))
            })
        };
        Geo {
            mentor_point: mentors.iter().map(|m| point(&m.municipality)).collect(),
            intern_point: interns.iter().map(|i| point(&i.municipality)).collect(),
            max_term: limit_term(rules.max_distance_km),
            bands: rules
                .distance_bands
                .iter()
                .map(|b| (limit_term(b[0]), Distance::new(rules, b[0]).points))
                .collect(),
        }
    }

    /// The exact distance of a pair, when both municipalities are known.
    #[inline]
    pub fn distance(&self, rules: &MentoringRules, m: usize, i: usize) -> Option<Distance> {
        let from = self.mentor_point[m]?.exact;
        let to = self.intern_point[i]?.exact;
        Some(Distance::new(rules, from.distance_km(&to)))
    }

    /// What the exact distance decides of a pair, when both municipalities
    /// are known: the same answer as [`Geo::distance`] compared with the
    /// limits, without a sine.
    #[inline]
    pub fn reach(&self, rules: &MentoringRules, m: usize, i: usize) -> Option<Reach> {
        let from = self.mentor_point[m]?;
        let to = self.intern_point[i]?;
        let h = from.term(&to);
        let close = |limit: f64| (h - limit).abs() <= CLOSE;
        if close(self.max_term) || self.bands.iter().any(|&(limit, _)| close(limit)) {
            let d = self.distance(rules, m, i)?;
            return Some(Reach {
                within: d.km <= rules.max_distance_km,
                points: d.points,
            });
        }
        Some(Reach {
            within: h <= self.max_term,
            points: self
                .bands
                .iter()
                .find(|&&(limit, _)| h <= limit)
                .map_or(0, |&(_, points)| points),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::{InternId, MentorId};
    use crate::domain::mentoring::Formats;

    fn mentor(place: &str) -> Mentor {
        Mentor {
            id: MentorId::new("M1"),
            participant: None,
            full_name: String::new(),
            tos_name: String::new(),
            municipality: place.into(),
            capacity: 1,
            topics: Vec::new(),
            formats: Formats::BOTH,
            preferred_interns: Vec::new(),
        }
    }

    fn intern(place: &str) -> InternRequest {
        InternRequest {
            id: InternId::new("I1"),
            full_name: String::new(),
            tos_name: String::new(),
            municipality: place.into(),
            topics: Vec::new(),
            formats: Formats::BOTH,
            preferred_mentors: Vec::new(),
        }
    }

    /// A small generator (SplitMix64), for points all over the globe.
    fn next(state: &mut u64) -> f64 {
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The answer of the exact formula, as scoring gave it before.
    fn exact(rules: &MentoringRules, geo: &Geo) -> Option<Reach> {
        geo.distance(rules, 0, 0).map(|d| Reach {
            within: d.km <= rules.max_distance_km,
            points: d.points,
        })
    }

    #[test]
    fn the_reach_without_sines_is_the_exact_formulas_answer() {
        let mut state = 7u64;
        let mut checked = 0;
        for round in 0..4000 {
            // Near points (a few km, as a region's settlements are), far
            // ones, and limits placed exactly at the pair's own distance.
            let lat = next(&mut state) * 170.0 - 85.0;
            let lon = next(&mut state) * 360.0 - 180.0;
            let spread = [0.001, 0.05, 1.0, 60.0][round % 4];
            let lat2 = (lat + (next(&mut state) - 0.5) * spread).clamp(-90.0, 90.0);
            let lon2 = lon + (next(&mut state) - 0.5) * spread;
            let km = GeoPoint::new(lat, lon).distance_km(&GeoPoint::new(lat2, lon2));
            let mut at = |k: usize| match k {
                0 => km,
                1 => km * (1.0 + 1e-15),
                2 => km * (1.0 - 1e-15),
                _ => km * next(&mut state) * 2.0,
            };
            let rules = MentoringRules {
                max_distance_km: at(round % 5),
                distance_bands: vec![[at((round + 1) % 5), 3.0], [at((round + 2) % 5), 1.0]],
                ..MentoringRules::default()
            };
            let map: BTreeMap<String, Municipality> = [("A", lat, lon), ("B", lat2, lon2)]
                .into_iter()
                .map(|(name, latitude, longitude)| {
                    let place = Municipality {
                        name: name.into(),
                        kind: String::new(),
                        latitude,
                        longitude,
                    };
                    (name.to_string(), place)
                })
                .collect();
            let (m, i) = (mentor("A"), intern("B"));
            let geo = Geo::new(&rules, &[&m], &[&i], &map);
            assert_eq!(
                geo.reach(&rules, 0, 0),
                exact(&rules, &geo),
                "{lat},{lon} to {lat2},{lon2}: {km} km, rules {:?} {:?}",
                rules.max_distance_km,
                rules.distance_bands
            );
            checked += 1;
        }
        assert_eq!(checked, 4000);
    }

    #[test]
    fn limits_beyond_half_the_globe_take_every_pair_and_negative_ones_none() {
        assert_eq!(limit_term(30_000.0), 2.0);
        assert_eq!(limit_term(-1.0), -1.0);
        assert_eq!(limit_term(0.0), 0.0);
    }
}
