//! Rules that tie records to each other: an attendance mark names a known
//! event and listener, a participant's group is one the regulation declares;
//! and the clean-text rules every record people write keeps (see [`clean`]).
//!
//! The service checks every batch of records against these rules before it
//! writes anything, whoever sends the batch (an import, the TUI, SSH).

use super::clean::{self, Hidden, IdFault};
use super::contest::{Contest, Record};
use super::ids::{EventId, GroupId, JurorId, ParticipantId};
use chrono::NaiveDate;
use std::collections::BTreeSet;

/// A record of a batch that breaks a rule: its index in the batch and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub index: usize,
    /// The field at fault, as in the file's columns (`event_id`, `group`).
    pub field: &'static str,
    pub breach: Breach,
}

/// Which rule a record breaks, with what it names; `crate::text::refusal`
/// words it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Breach {
    /// A participant's group cannot be checked: no regulation is loaded.
    NoRegulation,
    /// The group is not one the regulation declares (id, name).
    UnknownGroup {
        group: GroupId,
        known: Vec<(GroupId, String)>,
    },
    EndsBeforeStart {
        start: NaiveDate,
        end: NaiveDate,
    },
    /// Attendance of a listener neither stored nor in the batch.
    UnknownListener(ParticipantId),
    UnknownEvent(EventId),
    OutsideEvent {
        date: NaiveDate,
        event: EventId,
        start: NaiveDate,
        end: NaiveDate,
    },
    UnknownParticipant(ParticipantId),
    UnknownJuror(JurorId),
    /// An id that is not letters, digits, `-`, `_` and `.` (see
    /// [`crate::domain::clean::id_fault`]).
    BadId {
        id: String,
        fault: IdFault,
    },
    /// A control, zero-width or bidi character in a text.
    HiddenCharacter(Hidden),
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
        let mut bad = |field: &'static str, breach: Breach| {
            out.push(Violation {
                index,
                field,
                breach,
            })
        };
        if let Some((id, fault)) = new_id(record) {
            bad(
                "id",
                Breach::BadId {
                    id: id.to_string(),
                    fault,
                },
            );
        }
        if let Some((field, hidden)) = hidden_text(record) {
            bad(field, Breach::HiddenCharacter(hidden));
        }
        match record {
            Record::Participant(p) => match contest.rules() {
                None => bad("group", Breach::NoRegulation),
                Some(rules) => {
                    if rules.group(&p.group).is_none() {
                        bad(
                            "group",
                            Breach::UnknownGroup {
                                group: p.group.clone(),
                                known: rules
                                    .groups
                                    .iter()
                                    .map(|g| (g.id.clone(), g.name.clone()))
                                    .collect(),
                            },
                        )
                    }
                }
            },
            Record::Event(e) if e.end < e.start => {
                bad(
                    "end",
                    Breach::EndsBeforeStart {
                        start: e.start,
                        end: e.end,
                    },
                );
            }
            Record::Attendance(a) => {
                if !participant_known(&a.participant) {
                    bad(
                        "participant_id",
                        Breach::UnknownListener(a.participant.clone()),
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
                        None if !new_events.contains(event) => {
                            bad("event_id", Breach::UnknownEvent(event.clone()))
                        }
                        Some(e) => {
                            if let Some(d) = date
                                && !e.covers(*d)
                            {
                                bad(
                                    "date",
                                    Breach::OutsideEvent {
                                        date: *d,
                                        event: e.id.clone(),
                                        start: e.start,
                                        end: e.end,
                                    },
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
                    bad("participant_id", Breach::UnknownParticipant(p.clone()));
                }
            }
            Record::Conflict(c) => {
                if !participant_known(&c.participant) {
                    bad(
                        "conflicts",
                        Breach::UnknownParticipant(c.participant.clone()),
                    );
                }
                let juror_known = contest.jurors.contains_key(&c.juror)
                    || batch
                        .iter()
                        .any(|r| matches!(r, Record::Juror(j) if j.id == c.juror));
                if !juror_known {
                    bad("juror_id", Breach::UnknownJuror(c.juror.clone()));
                }
            }
            _ => {}
        }
    }
    out
}

/// The id of a record a secretary names, when it is not a well-formed id.
fn new_id(record: &Record) -> Option<(&str, IdFault)> {
    let id = match record {
        Record::Participant(p) => p.id.as_str(),
        Record::Juror(j) => j.id.as_str(),
        Record::Event(e) => e.id.as_str(),
        Record::Mentor(m) => m.id.as_str(),
        Record::Intern(i) => i.id.as_str(),
        _ => return None,
    };
    clean::id_fault(id).map(|f| (id, f))
}

/// The first refused character in any text of a record people wrote.
/// Attendance (ids and dates that must name stored records) and what konkurs
/// computes itself (frozen rankings, accepted matchings) are not walked.
fn hidden_text(record: &Record) -> Option<(&'static str, Hidden)> {
    match record {
        Record::Attendance(_) | Record::Snapshot(_) | Record::Matching(_) => None,
        other => clean::first_hidden_in(other),
    }
}
