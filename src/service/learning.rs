//! The listener register through the service: marking attendance by hand.

use super::{Actor, Result, Service};
use crate::domain::contest::{Change, Key, Record};
use crate::domain::ids::{EventId, ParticipantId};
use crate::domain::learning::Attendance;
use crate::domain::people::Role;
use crate::domain::refusal::{Act, Refusal, Thing};

impl Service {
    /// Marks a listener present at an event (or, with `present = false`,
    /// removes the mark). Refused for unknown listeners or events.
    pub fn set_attendance(
        &self,
        actor: &Actor,
        participant: &ParticipantId,
        event: &EventId,
        present: bool,
    ) -> Result<bool> {
        self.require(actor, &[Role::Coordinator], Act::MarkAttendance)?;
        let entry = self.commit_with(actor, "attendance.mark", |c| {
            if !c.participants.contains_key(participant) {
                return Err(Refusal::unknown(Thing::Listener, participant).into());
            }
            let e = c
                .events
                .get(event)
                .ok_or_else(|| Refusal::unknown(Thing::Event, event))?;
            let mut a = c
                .attendance
                .get(participant)
                .cloned()
                .unwrap_or_else(|| Attendance::new(participant.clone()));
            let changed = if present {
                a.events.insert(event.clone(), None).is_none()
            } else {
                a.events.remove(event).is_some()
            };
            if !changed {
                return Ok((Vec::new(), String::new()));
            }
            let summary = format!(
                "{participant} {} at {event} ({})",
                if present {
                    "marked present"
                } else {
                    "unmarked"
                },
                e.title
            );
            let change = if a.events.is_empty() {
                Change::Delete(Key::Attendance(participant.clone()))
            } else {
                Change::Put(Record::Attendance(a))
            };
            Ok((vec![change], summary))
        })?;
        Ok(entry.is_some())
    }
}
