//! `konkurs demo`: the bundled sample contest in a fresh database.

use super::{Cli, CliError, default_db_dir};
use crate::service::{Actor, Service};
use std::path::{Path, PathBuf};

pub fn run(cli: &Cli, dir: Option<&Path>) -> Result<(), CliError> {
    let (dir, recreate) = match (dir, &cli.db) {
        (Some(d), _) => (d.to_path_buf(), false),
        (None, Some(db)) => (db.clone(), false),
        (None, None) => (default_db_dir().join("demo"), true),
    };
    prepare(&dir, recreate)?;
    let service = Service::open(&dir)?;
    // The sample is loaded by the person at this terminal; the workstation
    // then opens as whoever `--as` names (the sample's coordinator J01, a
    // juror), so that what they do there is recorded under their name.
    let loader = Actor::local_coordinator();
    let outcomes = crate::sample::load(&service, &loader).map_err(|e| match e {
        crate::sample::SampleError::Service(e) => CliError::Service(e),
        crate::sample::SampleError::Import(e) => CliError::Import(e),
    })?;
    let loaded: usize = outcomes.iter().map(|o| o.report.added.len()).sum();
    println!(
        "{}",
        cli.i18n().f(
            "cli.demo.ready",
            &[("db", &dir.display()), ("records", &loaded)]
        )
    );
    let actor = match &cli.as_id {
        Some(id) => service.actor(id)?,
        None => loader,
    };
    super::workstation(std::sync::Arc::new(service), actor, cli)
}

/// Makes `dir` an empty directory: the default demo directory is recreated;
/// a directory the user named must be empty.
fn prepare(dir: &PathBuf, recreate: bool) -> Result<(), CliError> {
    let has_content = std::fs::read_dir(dir)
        .map(|mut d| d.next().is_some())
        .unwrap_or(false);
    if has_content {
        if !recreate {
            return Err(CliError::said(
                "cli.demo.not_empty",
                &[("db", &dir.display())],
            ));
        }
        std::fs::remove_dir_all(dir).map_err(|e| CliError::file("cli.cannot_recreate", dir, e))?;
    }
    std::fs::create_dir_all(dir)?;
    Ok(())
}
