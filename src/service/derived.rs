//! Figures derived from the contest's data that every session shows: the
//! activity ratings and where each participant stands. They are computed
//! once per change of the data they come from, not once per session or
//! per frame: the cache compares its inputs by identity (persistent maps
//! share structure until they change), which costs nothing.

use crate::domain::activity::{self, ActivityRating};
use crate::domain::contest::{ActiveRegulation, Contest, Standing};
use crate::domain::ids::{EventId, ParticipantId, StageId};
use crate::domain::learning::{Attendance, TrainingEvent};
use crate::domain::participant::Participant;
use crate::domain::scoring::StageState;
use imbl::OrdMap;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// What a view reads besides the records.
#[derive(Clone, Default)]
pub struct Derived {
    pub ratings: Arc<BTreeMap<ParticipantId, ActivityRating>>,
    pub standings: Arc<HashMap<ParticipantId, Standing>>,
}

struct Inputs {
    regulation: Option<Arc<ActiveRegulation>>,
    participants: OrdMap<ParticipantId, Participant>,
    attendance: OrdMap<ParticipantId, Attendance>,
    events: OrdMap<EventId, TrainingEvent>,
    stages: OrdMap<StageId, StageState>,
}

impl Inputs {
    fn of(c: &Contest) -> Inputs {
        Inputs {
            regulation: c.regulation.clone(),
            participants: c.participants.clone(),
            attendance: c.attendance.clone(),
            events: c.events.clone(),
            stages: c.stages.clone(),
        }
    }

    fn same_regulation(&self, c: &Contest) -> bool {
        match (&self.regulation, &c.regulation) {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }

    fn same_ratings_inputs(&self, c: &Contest) -> bool {
        self.same_regulation(c)
            && self.participants.ptr_eq(&c.participants)
            && self.attendance.ptr_eq(&c.attendance)
            && self.events.ptr_eq(&c.events)
    }

    fn same_standing_inputs(&self, c: &Contest) -> bool {
        self.same_regulation(c)
            && self.participants.ptr_eq(&c.participants)
            && self.stages.ptr_eq(&c.stages)
    }
}

#[derive(Default)]
pub struct Cache {
    inner: Mutex<Option<(Inputs, Derived)>>,
}

impl Cache {
    pub fn get(&self, contest: &Contest) -> Derived {
        let mut slot = self.inner.lock().expect("derived cache lock");
        let (ratings, standings) = match slot.as_ref() {
            Some((inputs, d)) => (
                inputs
                    .same_ratings_inputs(contest)
                    .then(|| d.ratings.clone()),
                inputs
                    .same_standing_inputs(contest)
                    .then(|| d.standings.clone()),
            ),
            None => (None, None),
        };
        let derived = Derived {
            ratings: ratings.unwrap_or_else(|| Arc::new(compute_ratings(contest))),
            standings: standings.unwrap_or_else(|| Arc::new(contest.standings())),
        };
        *slot = Some((Inputs::of(contest), derived.clone()));
        derived
    }
}

fn compute_ratings(c: &Contest) -> BTreeMap<ParticipantId, ActivityRating> {
    let formula = c.rules().map(|r| r.activity.clone()).unwrap_or_default();
    activity::rate_all(&formula, c.participants.values(), &c.attendance, &c.events)
}
