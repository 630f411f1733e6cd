//! `konkurs init`: loads the contest's regulation into the database.

use super::{Cli, CliError, Console, Place, Result, open, status};
use crate::domain::contest::RegulationDoc;
use crate::domain::ids::StageId;
use crate::text::I18n;
use std::io::Write;
use std::path::Path;

/// Loads the regulation file (or replaces it with `--force`) and prints the status.
pub fn init(
    cli: &Cli,
    place: &Place,
    io: &mut Console,
    regulation: &Path,
    force: bool,
    reason: Option<&str>,
) -> Result<()> {
    let tr = &cli.i18n();
    let (service, actor) = open(cli, place)?;
    let doc = read_regulation(regulation)?;
    let file = regulation.display();
    let entry = match (force, reason) {
        (true, Some(reason)) => service.force_regulation(&actor, doc, reason)?,
        _ => service.set_regulation(&actor, doc)?,
    };
    match entry {
        Some(entry) => {
            say!(
                io,
                "{}",
                tr.f(
                    "cli.init.loaded",
                    &[("file", &file), ("db", &service.path().display())]
                )
            );
            if let Some(change) = forced_change(&entry) {
                say!(io, "{}", forced_words(&change, entry.seq, tr));
            }
        }
        None => say!(io, "{}", tr.f("cli.init.same", &[("file", &file)])),
    }
    put!(io, "{}", status(&service, &actor, tr));
    Ok(())
}

/// The regulation change an `init --force` entry recorded, if it replaced
/// the rules of stages already scored.
fn forced_change(
    entry: &crate::store::AuditEntry,
) -> Option<crate::domain::contest::RegulationChange> {
    entry.changes.iter().find_map(|c| match &c.after {
        Some(crate::domain::contest::Record::RegulationChange(r)) => Some(r.clone()),
        _ => None,
    })
}

/// What `init --force` changed, for the person who forced it.
fn forced_words(change: &crate::domain::contest::RegulationChange, seq: u64, tr: &I18n) -> String {
    let list = |ids: &mut dyn Iterator<Item = &StageId>| {
        ids.map(|s| s.to_string()).collect::<Vec<_>>().join(", ")
    };
    let stale = list(&mut change.frozen.iter().map(|(s, _)| s));
    tr.f(
        "cli.init.forced",
        &[
            ("old", &change.old_hash),
            ("new", &change.new_hash),
            ("stages", &list(&mut change.stages.iter())),
            (
                "stale",
                &if stale.is_empty() {
                    tr.t("cli.init.none").to_string()
                } else {
                    stale
                },
            ),
            ("seq", &seq),
        ],
    )
}

fn read_regulation(path: &Path) -> Result<RegulationDoc> {
    let source =
        std::fs::read_to_string(path).map_err(|e| CliError::file("cli.cannot_read", path, e))?;
    Ok(RegulationDoc {
        file_name: path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
        source,
    })
}
