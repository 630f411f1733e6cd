//! The mentoring programme: mentors from the team, interns who ask for help,
//! and municipalities with their coordinates for distances.

use super::ids::{InternId, MentorId, ParticipantId};
use super::topic::Topic;
use serde::{Deserialize, Serialize};

/// A municipality of the region with its coordinates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Municipality {
    pub name: String,
    /// The kind of municipality: a city district, an urban or rural settlement.
    pub kind: String,
    pub latitude: f64,
    pub longitude: f64,
}

impl Municipality {
    /// The great-circle distance in kilometres.
    pub fn distance_km(&self, other: &Municipality) -> f64 {
        haversine_km(
            (self.latitude, self.longitude),
            (other.latitude, other.longitude),
        )
    }
}

/// The great-circle distance between two (latitude, longitude) points in km.
pub fn haversine_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    GeoPoint::new(a.0, a.1).distance_km(&GeoPoint::new(b.0, b.1))
}

/// A point on the globe with what [`haversine_km`] computes of each point
/// done once, for many distances from the same places.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GeoPoint {
    latitude: f64,
    longitude: f64,
    cos_latitude: f64,
}

impl GeoPoint {
    pub fn new(latitude_deg: f64, longitude_deg: f64) -> GeoPoint {
        let latitude = latitude_deg.to_radians();
        GeoPoint {
            latitude,
            longitude: longitude_deg.to_radians(),
            cos_latitude: latitude.cos(),
        }
    }

    /// The great-circle distance in kilometres (the haversine formula).
    #[inline]
    pub fn distance_km(&self, other: &GeoPoint) -> f64 {
        const EARTH_RADIUS_KM: f64 = 6371.0;
        let h = ((other.latitude - self.latitude) / 2.0).sin().powi(2)
            + self.cos_latitude
                * other.cos_latitude
                * ((other.longitude - self.longitude) / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
    }
}

/// How a mentor and an intern meet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingFormat {
    OnSite,
    Online,
}

/// The formats a side accepts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Formats {
    pub on_site: bool,
    pub online: bool,
}

impl Formats {
    pub const BOTH: Formats = Formats {
        on_site: true,
        online: true,
    };

    pub fn accepts(self, f: MeetingFormat) -> bool {
        match f {
            MeetingFormat::OnSite => self.on_site,
            MeetingFormat::Online => self.online,
        }
    }
}

/// A topic a mentor can teach, with a level from 1 (basic) to 3 (expert).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicLevel {
    pub topic: Topic,
    pub level: u8,
}

/// A member of the team (or a person added by hand) who takes interns.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mentor {
    pub id: MentorId,
    /// The team member this mentor is, when they came from the contest.
    pub participant: Option<ParticipantId>,
    pub full_name: String,
    pub tos_name: String,
    pub municipality: String,
    /// How many interns the mentor takes at once.
    pub capacity: u32,
    pub topics: Vec<TopicLevel>,
    pub formats: Formats,
    /// The mentor's own ranking of interns, best first (optional).
    pub preferred_interns: Vec<InternId>,
}

/// A TOS leader's request to intern with a mentor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InternRequest {
    pub id: InternId,
    pub full_name: String,
    pub tos_name: String,
    pub municipality: String,
    pub topics: Vec<Topic>,
    pub formats: Formats,
    /// The intern's ranking of mentors, best first (optional).
    pub preferred_mentors: Vec<MentorId>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_irkutsk_angarsk_is_about_40_km() {
        let d = haversine_km((52.2870, 104.3050), (52.5448, 103.8885));
        assert!((35.0..45.0).contains(&d), "{d}");
        assert_eq!(haversine_km((52.0, 104.0), (52.0, 104.0)), 0.0);
    }
}

/// What the coordinator decided about one mentor–intern pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// Keep this pair as it is whatever the solver says (also a pair made by hand).
    Lock,
    /// Never propose this pair.
    Forbid,
}

/// A coordinator's lock or forbid on a pair.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairDecision {
    pub mentor: MentorId,
    pub intern: InternId,
    pub kind: DecisionKind,
    pub reason: String,
}

/// One pair of the accepted matching, with its score at acceptance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptedPair {
    pub mentor: MentorId,
    pub intern: InternId,
    pub score: i64,
}

/// The mentoring pairs the coordinator accepted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptedMatching {
    /// The mode the proposal was made in (`optimal`, `max_cardinality`, `stable`).
    pub mode: String,
    pub pairs: Vec<AcceptedPair>,
    pub total: i64,
    pub at: chrono::DateTime<chrono::Utc>,
    pub by: crate::domain::ids::JurorId,
}
