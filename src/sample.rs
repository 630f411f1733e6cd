//! The bundled sample contest (`sample-data/`), built into the binary so that
//! `konkurs demo` works from any directory.

use crate::domain::contest::RegulationDoc;
use crate::interchange::{self, ImportFailure, ImportOutcome};
use crate::service::{Actor, ImportKind, Service, ServiceError};

/// The sample regulation's text.
pub const REGULATION: &str = include_str!("../sample-data/regulation.toml");

/// The sample data files in import order.
pub const FILES: [(ImportKind, &str, &[u8]); 7] = [
    (
        ImportKind::Municipalities,
        "municipalities.csv",
        include_bytes!("../sample-data/municipalities.csv"),
    ),
    (
        ImportKind::Participants,
        "participants.csv",
        include_bytes!("../sample-data/participants.csv"),
    ),
    (
        ImportKind::Jurors,
        "jurors.csv",
        include_bytes!("../sample-data/jurors.csv"),
    ),
    (
        ImportKind::Events,
        "events.csv",
        include_bytes!("../sample-data/events.csv"),
    ),
    (
        ImportKind::Attendance,
        "attendance.csv",
        include_bytes!("../sample-data/attendance.csv"),
    ),
    (
        ImportKind::Mentors,
        "mentors.csv",
        include_bytes!("../sample-data/mentors.csv"),
    ),
    (
        ImportKind::Interns,
        "interns.csv",
        include_bytes!("../sample-data/interns.csv"),
    ),
];

/// Why the sample could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SampleError {
    #[error(transparent)]
    Service(#[from] ServiceError),
    #[error(transparent)]
    Import(#[from] ImportFailure),
}

/// Loads the regulation and every sample file into `service`.
pub fn load(service: &Service, actor: &Actor) -> Result<Vec<ImportOutcome>, SampleError> {
    service.set_regulation(
        actor,
        RegulationDoc {
            file_name: "regulation.toml".into(),
            source: REGULATION.into(),
        },
    )?;
    let mut outcomes = Vec::new();
    for (kind, name, bytes) in FILES {
        let table = interchange::table::read_csv(name, bytes).map_err(ImportFailure::File)?;
        outcomes.push(interchange::import_table(
            service, actor, kind, &table, false,
        )?);
    }
    Ok(outcomes)
}
