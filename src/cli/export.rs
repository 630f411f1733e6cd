//! `konkurs export`: the team list, a stage protocol, the mentoring list or
//! the listener register as a file.

use super::CliError;
use crate::domain::ids::StageId;
use crate::interchange::export::{self, DocumentKind, ExportFormat, Request};
use crate::service::{Actor, Service};
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

pub fn run(service: &Service, actor: &Actor, o: &Options) -> Result<(), CliError> {
    if o.stage.is_some() && o.what != DocumentKind::Protocol {
        return Err(CliError::Message(format!(
            "--stage is for protocols; the {} has no stage (remove --stage)",
            o.what.code()
        )));
    }
    let format = match (o.format, o.out.and_then(ExportFormat::of_path)) {
        (Some(f), Some(by_name)) if f != by_name => {
            return Err(CliError::Message(format!(
                "{} ends in .{} but --format is {}; change one of them",
                o.out.map(|p| p.display().to_string()).unwrap_or_default(),
                by_name.extension(),
                f.extension()
            )));
        }
        (Some(f), _) | (None, Some(f)) => f,
        (None, None) => ExportFormat::Xlsx,
    };
    let delimiter = match o.delimiter {
        Some(d) => export::parse_delimiter(d).map_err(CliError::Message)?,
        None => export::default_delimiter(o.lang),
    };
    if o.delimiter.is_some() && format != ExportFormat::Csv {
        return Err(CliError::Message(format!(
            "--delimiter is for CSV; the {} format has no cells to separate (remove --delimiter)",
            format.extension()
        )));
    }
    let at = match o.at {
        Some(t) => super::rank::parse_time(t, service, actor, &crate::text::I18n::new(o.lang))?,
        None => service.now(),
    };
    let stage = o.stage.map(StageId::new);
    let path: PathBuf = match o.out {
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
    let written = export::export(service, actor, &request, &path, o.force, &mut |_| {})
        .map_err(|e| CliError::Message(e.to_string()))?;
    println!(
        "{}: {} bytes{}",
        written.path.display(),
        written.bytes,
        if written.draft { ", marked DRAFT" } else { "" }
    );
    Ok(())
}
