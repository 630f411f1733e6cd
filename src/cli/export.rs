//! `konkurs export`: the team list, a stage protocol, the mentoring list or
//! the listener register as a file.

use super::{Cli, CliError, Command, Console, Place, open};
use crate::domain::ids::StageId;
use crate::interchange::export::{self, DocumentKind, ExportFormat, Request};
use crate::service::{Actor, Service};
use crate::text::I18n;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The command line's export options, as typed.
pub struct Options<'a> {
    pub what: DocumentKind,
    pub format: Option<ExportFormat>,
    pub out: Option<&'a Path>,
    pub stage: Option<&'a str>,
    pub at: Option<&'a str>,
    pub delimiter: Option<&'a str>,
    pub draft: bool,
    pub force: bool,
    pub lang: crate::text::Lang,
}

pub fn run(
    io: &mut Console,
    place: &Place,
    service: &Service,
    actor: &Actor,
    o: &Options,
    tr: &I18n,
) -> Result<(), CliError> {
    let to_stream = o.out.is_some_and(super::console::is_stream);
    if o.stage.is_some() && o.what != DocumentKind::Protocol {
        return Err(CliError::said(
            "cli.export.stage_not_protocol",
            &[("what", &tr.t(&format!("cli.document.{}", o.what.code())))],
        ));
    }
    let format = match (
        o.format,
        o.out.filter(|_| !to_stream).and_then(ExportFormat::of_path),
    ) {
        (Some(f), Some(by_name)) if f != by_name => {
            return Err(CliError::said(
                "cli.export.format_mismatch",
                &[
                    (
                        "file",
                        &o.out.map(|p| p.display().to_string()).unwrap_or_default(),
                    ),
                    ("extension", &by_name.extension()),
                    ("format", &f.extension()),
                ],
            ));
        }
        (Some(f), _) | (None, Some(f)) => f,
        (None, None) => ExportFormat::Xlsx,
    };
    let delimiter = match o.delimiter {
        Some(d) => export::parse_delimiter(d).map_err(CliError::Message)?,
        None => export::default_delimiter(o.lang),
    };
    if o.delimiter.is_some() && format != ExportFormat::Csv {
        return Err(CliError::said(
            "cli.export.delimiter_not_csv",
            &[("format", &format.extension())],
        ));
    }
    let at = match o.at {
        Some(t) => super::rank::parse_time(t, service, actor, &crate::text::I18n::new(o.lang))?,
        None => service.now(),
    };
    let stage = o.stage.map(StageId::new);
    let named: PathBuf = match o.out {
        Some(p) => p.to_path_buf(),
        None => {
            let year = service
                .view(actor)
                .regulation()
                .and_then(|r| r.rules.contest.year);
            PathBuf::from(export::default_file_name(
                o.what,
                stage.as_ref(),
                year,
                format,
            ))
        }
    };
    let request = Request {
        kind: o.what,
        format,
        stage,
        at,
        delimiter,
        draft: o.draft,
        lang: o.lang,
    };
    if to_stream {
        service.may_export(actor)?;
        let doc = export::build(service, actor, &request).map_err(export_failure)?;
        let bytes = export::render(&doc, &request).map_err(export_failure)?;
        io.out.write_all(&bytes)?;
        io.out.flush()?;
        return Ok(());
    }
    let path = match place {
        Place::Ssh(..) => exports_path(service, &named)?,
        _ => place.path(&named),
    };
    let written = export::export(service, actor, &request, &path, o.force, &mut |_| {})
        .map_err(export_failure)?;
    writeln!(
        io.out,
        "{}",
        tr.f(
            if written.draft {
                "cli.export.written_draft"
            } else {
                "cli.export.written"
            },
            &[
                (
                    "file",
                    &match place {
                        Place::Ssh(..) => named.display(),
                        _ => written.path.display(),
                    }
                ),
                ("bytes", &written.bytes)
            ]
        )
    )?;
    if let Place::Ssh(_, remote) = place {
        let name = named.display();
        writeln!(
            io.out,
            "{}",
            tr.f(
                "cli.export.fetch",
                &[("command", &format!("{}{name} .", remote.fetch))]
            )
        )?;
    }
    Ok(())
}

/// Where a document exported over SSH goes: `name` in the database's
/// exports directory (made if needed, readable by the server's user only).
/// Only a plain file name is taken: no directories, `..` or absolute paths.
fn exports_path(service: &Service, name: &Path) -> Result<PathBuf, CliError> {
    let Some(plain) = export::plain_file_name(name) else {
        return Err(CliError::said(
            "cli.remote.file_name",
            &[("name", &name.display())],
        ));
    };
    let dir = export::exports_dir(service.path()).map_err(|e| {
        CliError::file(
            "cli.cannot_create",
            &service.path().join(crate::store::EXPORTS_DIR),
            e,
        )
    })?;
    Ok(dir.join(plain))
}

/// Why an export failed, to be worded in the person's language.
fn export_failure(e: export::ExportError) -> CliError {
    use export::ExportError as E;
    let said = CliError::said;
    match e {
        E::Service(e) => CliError::Service(e),
        E::NoStage { known } => said("cli.export.no_stage", &[("known", &known)]),
        E::UnknownStage { stage, known } => said(
            "cli.export.unknown_stage",
            &[("stage", &stage), ("known", &known)],
        ),
        E::Exists { path } => said("cli.export.exists", &[("file", &path)]),
        E::IsDirectory { path, example } => said(
            "cli.export.is_directory",
            &[("file", &path), ("example", &example)],
        ),
        E::NoDirectory { path, dir } => {
            said("cli.export.no_directory", &[("file", &path), ("dir", &dir)])
        }
        E::NotADirectory { path, dir } => said(
            "cli.export.not_a_directory",
            &[("file", &path), ("dir", &dir)],
        ),
        E::Write { path, reason } => said(
            "cli.export.cannot_write",
            &[("file", &path), ("why", &reason)],
        ),
        e @ (E::NotFinal { .. } | E::Refused(_) | E::Render(_)) => CliError::Message(e.to_string()),
    }
}

/// `konkurs export`, in the database the command opens.
pub fn command(
    cli: &Cli,
    place: &Place,
    io: &mut Console,
    command: &Command,
) -> Result<(), CliError> {
    let Command::Export {
        what,
        format,
        out,
        stage,
        at,
        delimiter,
        draft,
        force,
    } = command
    else {
        unreachable!("called for export only")
    };
    let tr = &cli.i18n();
    let options = Options {
        what: *what,
        format: *format,
        out: out.as_deref(),
        stage: stage.as_deref(),
        at: at.as_deref(),
        delimiter: delimiter.as_deref(),
        draft: *draft,
        force: *force,
        lang: tr.lang,
    };
    let (service, actor) = open(cli, place)?;
    run(io, place, &service, &actor, &options, tr)
}
