//! Identifiers of the contest's records.
//!
//! Every record is identified by the id a secretary gives it in a data file
//! (`P001`, `J03`, `E017`). Each kind of id is its own type so that a juror id
//! can never be passed where a participant id is expected.

use compact_str::CompactString;
use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! string_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub CompactString);

        impl $name {
            pub fn new(id: impl Into<CompactString>) -> Self {
                Self(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(CompactString::from(s))
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
    };
}

string_id!(
    /// A listener of the educational stage and an applicant of the contest.
    ParticipantId
);
string_id!(
    /// A person who signs in: a juror, a coordinator or an observer.
    JurorId
);
string_id!(
    /// A training event: a webinar, a seminar, an internship...
    EventId
);
string_id!(
    /// A mentor of the mentoring programme.
    MentorId
);
string_id!(
    /// An intern's request for mentoring.
    InternId
);
string_id!(
    /// A stage of the contest, as named in the regulation.
    StageId
);
string_id!(
    /// A criterion of a stage, as named in the regulation.
    CriterionId
);
string_id!(
    /// A territory group (rural settlements, urban settlements, city districts).
    GroupId
);
