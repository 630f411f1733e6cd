//! `konkurs backup`, `konkurs restore`, `konkurs verify`: the database as a
//! whole.

use super::{Cli, CliError, Console, Place, Result, console, default_db_dir, open};
use crate::text::I18n;
use std::io::Write;
use std::path::Path;

/// Writes the whole database as JSON to `file` (or standard output).
pub fn backup(cli: &Cli, place: &Place, io: &mut Console, file: &Path, force: bool) -> Result<()> {
    let tr = &cli.i18n();
    let (service, actor) = open(cli, place)?;
    if !console::is_stream(file) && place.path(file).exists() && !force {
        return Err(CliError::said(
            "cli.backup.exists",
            &[("file", &file.display())],
        ));
    }
    let dump = service.backup(&actor)?;
    let json = serde_json::to_vec_pretty(&dump).expect("a dump serialises");
    if console::is_stream(file) {
        io.out.write_all(&json)?;
        io.out.flush()?;
        return Ok(());
    }
    if let Place::Ssh(_, remote) = place {
        return Err(CliError::said(
            "cli.remote.backup_to_stdout",
            &[("ssh", &remote.login)],
        ));
    }
    let file = &place.path(file);
    crate::store::backup::write_atomically(file, &json)
        .map_err(|e| CliError::file("cli.cannot_write", file, e))?;
    say!(
        io,
        "{}",
        tr.f(
            "cli.backup.written",
            &[
                ("file", &file.display()),
                ("records", &dump.records.len()),
                ("entries", &dump.audit.len()),
            ]
        )
    );
    Ok(())
}

/// Reads a backup into the (empty) database of `--db`, then verifies it.
pub fn restore(cli: &Cli, io: &mut Console, file: &Path) -> Result<()> {
    let tr = &cli.i18n();
    let text = std::fs::read(file).map_err(|e| CliError::file("cli.cannot_read", file, e))?;
    let dump: crate::store::backup::Dump = serde_json::from_slice(&text).map_err(|e| {
        CliError::said(
            "cli.restore.not_a_backup",
            &[
                ("file", &file.display()),
                ("line", &e.line()),
                ("error", &e),
            ],
        )
    })?;
    let dir = cli.db.clone().unwrap_or_else(default_db_dir);
    let store = crate::store::Store::open(&dir)?;
    console::say_tightened(&store, tr);
    let restored = store
        .restore(&dump, &file.display().to_string())
        .map_err(|e| CliError::Message(restore_words(&e, tr)))?;
    if let Some(c) = &restored.checkpoint {
        warn!(
            io,
            "{}",
            tr.f(
                "cli.restore.checkpoint",
                &[("n", &c.records), ("first", &c.first), ("seq", &c.seq)]
            )
        );
    }
    let report = store.verify()?;
    say!(
        io,
        "{}",
        tr.f(
            "cli.restore.done",
            &[
                ("records", &restored.records),
                ("entries", &restored.head.0),
                ("head", &restored.head.1),
                ("db", &dir.display()),
                (
                    "verify",
                    &tr.t(if report.ok() {
                        "cli.verify.ok"
                    } else {
                        "cli.verify.problems"
                    }),
                ),
            ]
        )
    );
    Ok(())
}

/// Checks every record and the audit log's hash chain; fails on any problem.
pub fn verify(cli: &Cli, place: &Place, io: &mut Console) -> Result<()> {
    let tr = &cli.i18n();
    let (service, actor) = open(cli, place)?;
    let report = service.verify(&actor)?;
    say!(
        io,
        "{}",
        tr.f(
            "cli.verify.summary",
            &[
                ("db", &service.path().display()),
                ("records", &report.records),
                ("entries", &report.audit_entries),
                (
                    "head",
                    &if report.head_hash.is_empty() {
                        "-"
                    } else {
                        &report.head_hash
                    },
                ),
            ]
        )
    );
    if !report.ok() {
        for p in &report.problems {
            let what = crate::text::proof::problem(p, tr);
            warn!(io, "{}", tr.f("cli.problem", &[("what", &what)]));
        }
        return Err(CliError::said(
            "cli.verify.failed",
            &[("n", &report.problems.len())],
        ));
    }
    say!(io, "{}", tr.t("cli.verify.ok"));
    Ok(())
}

/// Why a backup could not be restored, in the person's language.
fn restore_words(e: &crate::store::backup::RestoreError, tr: &I18n) -> String {
    use crate::store::backup::RestoreError;
    match e {
        RestoreError::NotABackup { file, why } => tr.f(
            "cli.restore.not_a_backup_why",
            &[("file", file), ("why", why)],
        ),
        RestoreError::TooNew { file, found, known } => tr.f(
            "cli.restore.too_new",
            &[("file", file), ("found", found), ("known", known)],
        ),
        RestoreError::Disagrees { file, problems } => tr.f(
            "cli.restore.disagrees",
            &[
                ("file", file),
                (
                    "problems",
                    &problems
                        .iter()
                        .map(|p| format!("  - {}", crate::text::proof::problem(p, tr)))
                        .collect::<Vec<_>>()
                        .join("\n"),
                ),
            ],
        ),
        RestoreError::NotEmpty(db) => tr.f("cli.restore.not_empty", &[("db", db)]),
        RestoreError::Store(e) => crate::text::store::words(e, tr),
    }
}
