//! Where a command talks and where it runs: the process's own streams and
//! database, or the streams of a command sent to a running `konkurs serve`
//! over SSH or the local control socket, with the server's database.

use crate::service::{Actor, Service};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A command's standard output, error and input.
pub struct Console {
    pub out: Box<dyn Write + Send>,
    pub err: Box<dyn Write + Send>,
    pub input: Box<dyn Read + Send>,
    /// Standard output is a terminal, read by a person: long table cells
    /// may be cut to keep the columns in view. Piped, every cell is whole.
    pub terminal: bool,
}

impl Console {
    /// The process's own streams.
    pub fn process() -> Console {
        Console {
            out: Box::new(std::io::stdout()),
            err: Box::new(std::io::stderr()),
            input: Box::new(std::io::stdin()),
            terminal: std::io::IsTerminal::is_terminal(&std::io::stdout()),
        }
    }
}

/// Where a command runs.
#[derive(Clone)]
pub enum Place {
    /// In its own process, on the database it opens.
    Local,
    /// Inside `konkurs serve`, for a person signed in over SSH: the key
    /// decides who acts, files come from standard input and go to standard
    /// output or the exports directory.
    Ssh(Arc<Service>, Remote),
    /// Inside `konkurs serve`, for a command started on the server's own
    /// machine: as if nothing were serving, with paths relative to the
    /// directory it was started in.
    Control(Arc<Service>, PathBuf),
}

/// A person signed in over SSH.
#[derive(Clone, Debug)]
pub struct Remote {
    pub actor: Actor,
    /// The beginning of the line that fetches a file of the exports
    /// directory: `scp -P 2222 J01@host:`.
    pub fetch: String,
    /// How they reach the server: `ssh -p 2222 J01@host`.
    pub login: String,
}

impl Place {
    /// `path` as the command's caller meant it.
    pub fn path(&self, path: &Path) -> PathBuf {
        match self {
            Place::Control(_, cwd) if path.is_relative() => cwd.join(path),
            _ => path.to_path_buf(),
        }
    }

    pub fn served(&self) -> bool {
        !matches!(self, Place::Local)
    }
}

/// Whether a file argument means the standard stream.
pub fn is_stream(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Says on standard error that opening the database found it open to
/// other users and made it private (each path is in `konkurs.log`).
pub fn say_tightened(store: &crate::store::Store, tr: &crate::text::I18n) {
    let tightened = store.tightened();
    if !tightened.is_empty() {
        eprintln!(
            "{}",
            tr.f(
                "cli.private.tightened",
                &[
                    ("db", &store.path().display()),
                    ("n", &tightened.len()),
                    (
                        "log",
                        &store.path().join(crate::store::private::LOG_FILE).display()
                    ),
                ]
            )
        );
    }
}
