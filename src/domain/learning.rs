//! The educational stage: training events and who attended them.

use super::ids::{EventId, ParticipantId};
use super::topic::{EventFormat, Topic};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A webinar, seminar, training, internship, consultation or forum.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainingEvent {
    pub id: EventId,
    pub title: String,
    pub topic: Topic,
    pub format: EventFormat,
    /// The first day of the event.
    #[serde(with = "super::compact::date")]
    pub start: NaiveDate,
    /// The last day of the event (the same as `start` for a one-day event).
    #[serde(with = "super::compact::date")]
    pub end: NaiveDate,
    /// Academic hours, as the programme counts them.
    pub hours: f64,
    /// Where it took place, or the platform of a webinar.
    pub place: String,
}

impl TrainingEvent {
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }
}

/// A listener's attendance record: every event they were marked present at.
///
/// Kept per listener, not per mark: the activity rating, the listener's
/// history and the Review pane all read one listener at a time, and a
/// register of 100,000 listeners loads as 100,000 records, not millions.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Attendance {
    pub participant: ParticipantId,
    /// Event → the day the presence was recorded, when the sheet says it.
    #[serde(with = "super::compact::date_map")]
    pub events: BTreeMap<EventId, Option<NaiveDate>>,
}

impl Attendance {
    pub fn new(participant: ParticipantId) -> Self {
        Attendance {
            participant,
            events: BTreeMap::new(),
        }
    }

    pub fn attended(&self, event: &EventId) -> bool {
        self.events.contains_key(event)
    }
}
