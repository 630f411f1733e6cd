//! The bundled sample contest (`sample-data/`), built into the binary so that
//! `konkurs demo` works from any directory.

use crate::domain::contest::RegulationDoc;
use crate::interchange::{self, ImportFailure, ImportOutcome};
use crate::service::{Actor, ImportKind, Service, ServiceError};

/// The sample regulation's text.
pub const REGULATION: &str = include_str!("../sample-data/regulation.toml");

/// The sample data files in import order.
pub fn files() -> Vec<(ImportKind, &'static str, Vec<u8>)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/sample-data");
    [
        (ImportKind::Municipalities, "municipalities.csv"),
        (ImportKind::Participants, "participants.csv"),
        (ImportKind::Jurors, "jurors.csv"),
        (ImportKind::Events, "events.csv"),
        (ImportKind::Attendance, "attendance.csv"),
        (ImportKind::Mentors, "mentors.csv"),
        (ImportKind::Interns, "interns.csv"),
    ]
    .into_iter()
    .filter_map(|(k, name)| {
        std::fs::read(format!("{dir}/{name}"))
            .ok()
            .map(|b| (k, name, b))
    })
    .collect()
}

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
    for (kind, name, bytes) in files() {
        let table = interchange::table::read_csv(name, &bytes).map_err(ImportFailure::File)?;
        outcomes.push(interchange::import_table(
            service, actor, kind, &table, false,
        )?);
    }
    Ok(outcomes)
}
