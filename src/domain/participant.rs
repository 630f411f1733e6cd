//! Listeners of the educational stage, who are also the contest's applicants.

use super::ids::{GroupId, ParticipantId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A TOS leader registered for training and for the contest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Participant {
    pub id: ParticipantId,
    pub full_name: String,
    /// The name of the participant's TOS (territorial public self-government body).
    pub tos_name: String,
    pub municipality: String,
    /// The territory group the participant competes in.
    pub group: GroupId,
    pub email: String,
    pub phone: String,
    #[serde(with = "super::compact::date")]
    pub application_date: NaiveDate,
    pub indicators: Indicators,
    pub notes: String,
}

/// Counted facts about a participant that the regulation turns into indicator
/// points (see [`crate::domain::regulation::IndicatorSource`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Indicators {
    /// Projects the participant's TOS has carried out.
    pub implemented_projects: u32,
    /// Awards, diplomas and letters of thanks.
    pub awards: u32,
    /// Published reviews and testimonials of the TOS's work.
    pub reviews: u32,
    /// Other TOS the participant has already mentored.
    pub mentoring_experience: u32,
    /// Publications on the union's site.
    pub site_activity: u32,
    /// Creative tasks of the training programme completed.
    pub creative_tasks: u32,
}
