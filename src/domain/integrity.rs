//! Rules that tie records to each other: an attendance mark names a known
//! event and listener, a participant's group is one the regulation declares.
//!
//! The service checks every batch of records against these rules before it
//! writes anything, whoever sends the batch (an import, the TUI, SSH).

use super::contest::{Contest, Record};
use super::ids::{EventId, ParticipantId};
use std::collections::BTreeSet;

/// A record of a batch that breaks a rule: its index in the batch and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub index: usize,
    /// The field at fault, as in the file's columns (`event_id`, `group`).
    pub field: &'static str,
    pub message: String,
}

/// Checks a batch of records about to be stored in `contest`. Records of the
/// batch may refer to each other (participants and their attendance
/// imported together).
pub fn check_batch(contest: &Contest, batch: &[Record]) -> Vec<Violation> {
    let new_participants: BTreeSet<&ParticipantId> = batch
        .iter()
        .filter_map(|r| match r {
            Record::Participant(p) => Some(&p.id),
            _ => None,
        })
        .collect();
    let new_events: BTreeSet<&EventId> = batch
        .iter()
        .filter_map(|r| match r {
            Record::Event(e) => Some(&e.id),
            _ => None,
        })
        .collect();
    let participant_known =
        |id: &ParticipantId| contest.participants.contains_key(id) || new_participants.contains(id);
    let mut out = Vec::new();
    for (index, record) in batch.iter().enumerate() {
        let mut bad = |field: &'static str, message: String| {
            out.push(Violation {
                index,
                field,
                message,
            })
        };
        match record {
            Record::Participant(p) => match contest.rules() {
                None => bad(
                    "group",
                    "no regulation is loaded, so the groups are unknown: run `konkurs init --regulation FILE` first".into(),
                ),
                Some(rules) => {
                    if rules.group(&p.group).is_none() {
                        bad(
                            "group",
                            format!(
                                "unknown group '{}': the regulation declares {}",
                                p.group,
                                rules
                                    .groups
                                    .iter()
                                    .map(|g| format!("{} ({})", g.id, g.name))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        )
                    }
                }
            },
            Record::Event(e) if e.end < e.start => {
                bad(
                    "end",
                    format!("the event ends ({}) before it starts ({})", e.end, e.start),
                );
            }
            Record::Attendance(a) => {
                if !participant_known(&a.participant) {
                    bad(
                        "participant_id",
                        format!("unknown listener '{}': import the participants first", a.participant),
                    );
                }
                for (event, date) in &a.events {
                    let found = contest.events.get(event).or_else(|| {
                        batch.iter().find_map(|r| match r {
                            Record::Event(e) if &e.id == event => Some(e),
                            _ => None,
                        })
                    });
                    match found {
                        None if !new_events.contains(event) => bad(
                            "event_id",
                            format!("unknown event '{event}': import the events first"),
                        ),
                        Some(e) => {
                            if let Some(d) = date
                                && !e.covers(*d)
                            {
                                bad(
                                    "date",
                                    format!(
                                        "{d} is outside the event '{}' ({} to {})",
                                        e.id, e.start, e.end
                                    ),
                                );
                            }
                        }
                        None => {}
                    }
                }
            }
            Record::Mentor(m) => {
                if let Some(p) = &m.participant
                    && !participant_known(p)
                {
                    bad(
                        "participant_id",
                        format!("unknown participant '{p}'"),
                    );
                }
            }
            Record::Conflict(c) => {
                if !participant_known(&c.participant) {
                    bad(
                        "conflicts",
                        format!("unknown participant '{}'", c.participant),
                    );
                }
                let juror_known = contest.jurors.contains_key(&c.juror)
                    || batch
                        .iter()
                        .any(|r| matches!(r, Record::Juror(j) if j.id == c.juror));
                if !juror_known {
                    bad("juror_id", format!("unknown juror '{}'", c.juror));
                }
            }
            _ => {}
        }
    }
    out
}
