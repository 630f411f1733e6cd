//! Database errors in the person's language: what happened to the
//! database and what to do.

use super::I18n;

/// A database error, in the person's language.
pub fn words(e: &crate::store::StoreError, tr: &I18n) -> String {
    use crate::store::{SERVE_INFO_FILE, ServeInfo, StoreError};
    match e {
        StoreError::InUse { path, .. } => {
            let info = std::fs::read(path.join(SERVE_INFO_FILE))
                .ok()
                .and_then(|b| serde_json::from_slice::<ServeInfo>(&b).ok());
            let (server, how) = match info {
                Some(i) => {
                    let port = i.listen.rsplit(':').next().unwrap_or("2222");
                    (
                        tr.f(
                            "cli.store.in_use_server",
                            &[("pid", &i.pid), ("listen", &i.listen)],
                        ),
                        tr.f("cli.store.in_use_how_server", &[("port", &port)]),
                    )
                }
                None => (String::new(), tr.t("cli.store.in_use_how").to_string()),
            };
            tr.f(
                "cli.store.in_use",
                &[
                    ("path", &path.display()),
                    ("server", &server),
                    ("how", &how),
                ],
            )
        }
        StoreError::TooNew { path, found, known } => tr.f(
            "cli.store.too_new",
            &[
                ("path", &path.display()),
                ("found", found),
                ("known", known),
            ],
        ),
        StoreError::Corrupt { path, what } => tr.f(
            "cli.store.corrupt",
            &[("path", &path.display()), ("what", what)],
        ),
        StoreError::BadRegulation { path, problems } => tr.f(
            "cli.store.corrupt",
            &[
                ("path", &path.display()),
                (
                    "what",
                    &super::regulation::errors(problems, tr.t("cli.store.stored_regulation"), tr),
                ),
            ],
        ),
        StoreError::NotSaved { path, source } => tr.f(
            if e.disk_full() {
                "cli.store.not_saved_full"
            } else {
                "cli.store.not_saved"
            },
            &[("path", &path.display()), ("error", source)],
        ),
        StoreError::Unavailable { path } => {
            tr.f("cli.store.unavailable", &[("path", &path.display())])
        }
        StoreError::Sled { path, source } if e.disk_full() => tr.f(
            "cli.store.disk_full",
            &[("path", &path.display()), ("error", source)],
        ),
        StoreError::Sled { path, source } => tr.f(
            "cli.store.sled",
            &[("path", &path.display()), ("error", source)],
        ),
        StoreError::Io(e) => io(e, tr),
    }
}

/// What went wrong with a file, in the person's language: the common
/// causes in words, anything else as the system says it.
pub fn io(e: &std::io::Error, tr: &I18n) -> String {
    use std::io::ErrorKind;
    let key = match e.kind() {
        ErrorKind::NotFound => "cli.io.not_found",
        ErrorKind::PermissionDenied => "cli.io.permission_denied",
        ErrorKind::AlreadyExists => "cli.io.already_exists",
        ErrorKind::IsADirectory => "cli.io.is_a_directory",
        ErrorKind::NotADirectory => "cli.io.not_a_directory",
        ErrorKind::StorageFull => "cli.io.storage_full",
        ErrorKind::ReadOnlyFilesystem => "cli.io.read_only",
        ErrorKind::InvalidData => "cli.io.invalid_data",
        _ => "cli.io.other",
    };
    tr.f(key, &[("error", e)])
}
