//! `konkurs import` and `konkurs juror`: the people of the contest and the
//! keys they sign in with.

use super::{
    Cli, CliError, Console, JurorCommand, Place, Result, console, interchange, open, output,
};
use crate::domain::ids::JurorId;
use crate::service::ImportKind;
use crate::text::I18n;
use clap::ValueEnum;
use std::io::{Read, Write};
use std::path::Path;

/// Imports a CSV or XLSX file (or standard input) of one kind.
pub fn import(
    cli: &Cli,
    place: &Place,
    io: &mut Console,
    kind: ImportKind,
    file: &Path,
    dry_run: bool,
    event: Option<&str>,
) -> Result<()> {
    let tr = &cli.i18n();
    let (service, actor) = open(cli, place)?;
    let options = interchange::records::Options {
        event: event.map(crate::domain::ids::EventId::new),
    };
    let outcome = if console::is_stream(file) {
        let bytes = read_input(io)?;
        interchange::import_bytes_with(&service, &actor, kind, "stdin", bytes, dry_run, &options)?
    } else if let Place::Ssh(_, remote) = place {
        return Err(CliError::said(
            "cli.remote.file_from_stdin",
            &[("kind", &kind_code(kind)), ("ssh", &remote.login)],
        ));
    } else {
        let file = place.path(file);
        interchange::import_file_with(&service, &actor, kind, &file, dry_run, &options)?
    };
    for w in &outcome.warnings {
        warn!(io, "{}", tr.f("cli.warning", &[("what", w)]));
    }
    put!(io, "{}", import_report(&outcome.report, tr));
    Ok(())
}

/// `konkurs juror add-key | remove-key | keys`.
pub fn juror(cli: &Cli, place: &Place, io: &mut Console, command: &JurorCommand) -> Result<()> {
    let tr = &cli.i18n();
    let (service, actor) = open(cli, place)?;
    match command {
        JurorCommand::AddKey { juror, key } => {
            let k = service.add_key(&actor, &JurorId::new(juror.as_str()), key)?;
            say!(io, "{juror}: {}", k.describe());
        }
        JurorCommand::RemoveKey { juror, fingerprint } => {
            service.remove_key(&actor, &JurorId::new(juror.as_str()), fingerprint)?;
            say!(
                io,
                "{}",
                tr.f(
                    "cli.juror.key_removed",
                    &[("juror", juror), ("fingerprint", fingerprint)]
                )
            );
        }
        JurorCommand::Keys { juror } => {
            let view = service.view(&actor);
            for j in view
                .jurors()
                .filter(|j| juror.as_deref().is_none_or(|id| j.id.as_str() == id))
            {
                for k in &j.keys {
                    say!(
                        io,
                        "{}\t{}\t{}",
                        j.id,
                        output::role(j.role, tr),
                        k.describe()
                    );
                }
            }
        }
    }
    Ok(())
}

/// The most a file read from standard input may hold.
const MAX_INPUT: u64 = 256 << 20;

/// Everything on the command's standard input, up to [`MAX_INPUT`].
fn read_input(io: &mut Console) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    (&mut io.input)
        .take(MAX_INPUT + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_INPUT {
        return Err(CliError::said(
            "cli.input_too_large",
            &[("mb", &(MAX_INPUT >> 20))],
        ));
    }
    Ok(bytes)
}

/// The word of an import kind on the command line.
fn kind_code(kind: ImportKind) -> String {
    kind.to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_default()
}

/// What an import did, or would do with `--dry-run`: the counts, then the
/// ids added and updated (the first 20 of each) with the fields changed.
fn import_report(r: &crate::service::ImportReport, tr: &I18n) -> String {
    const SHOWN: usize = 20;
    let mut s = tr.f(
        if r.dry_run {
            "cli.import.would"
        } else {
            "cli.import.did"
        },
        &[
            ("file", &r.source),
            ("kind", &tr.t(&format!("cli.kind.{}", r.kind))),
            ("added", &r.added.len()),
            ("updated", &r.updated.len()),
            ("unchanged", &r.unchanged),
        ],
    ) + "\n";
    for id in r.added.iter().take(SHOWN) {
        s += &format!("  + {id}\n");
    }
    if r.added.len() > SHOWN {
        s += &format!(
            "  + {}\n",
            tr.f("cli.import.more", &[("n", &(r.added.len() - SHOWN))])
        );
    }
    for (id, fields) in r.updated.iter().take(SHOWN) {
        s += &format!("  ~ {id}\n");
        for c in fields {
            s += &format!("      {}: {} -> {}\n", c.field, c.before, c.after);
        }
    }
    if r.updated.len() > SHOWN {
        s += &format!(
            "  ~ {}\n",
            tr.f("cli.import.more", &[("n", &(r.updated.len() - SHOWN))])
        );
    }
    if r.dry_run {
        s += tr.t("cli.import.dry_run");
        s += "\n";
    }
    s
}
