//! The command line: parses arguments with clap and calls the library.
//! Every command that changes data goes through the service as an actor.

/// A line on the command's standard output.
macro_rules! say {
    ($io:expr, $($arg:tt)*) => {
        writeln!($io.out, $($arg)*).map_err(CliError::Io)?
    };
}

/// Text on the command's standard output.
macro_rules! put {
    ($io:expr, $($arg:tt)*) => {
        write!($io.out, $($arg)*).map_err(CliError::Io)?
    };
}

/// A line on the command's standard error.
macro_rules! warn {
    ($io:expr, $($arg:tt)*) => {
        writeln!($io.err, $($arg)*).map_err(CliError::Io)?
    };
}

mod activity;
mod console;
mod control;
mod demo;
mod export;
mod jury;
mod mentoring;
mod output;
mod people;
mod rank;
mod regulation;
mod store;

use crate::domain::contest::Collection;
use crate::domain::matching::MatchMode;
use crate::domain::regulation::Aggregation;
use crate::interchange::{self, ImportFailure};
use crate::service::{Actor, ImportKind, Service};
use crate::text::{I18n, Lang};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

pub use console::{Console, Place, Remote};
pub use output::Format;

#[derive(Parser, Debug)]
#[command(
    name = "konkurs",
    version,
    about = "A terminal workstation for a contest jury and its mentorship programme.",
    long_about = "konkurs keeps a contest in one database: the regulation, the listeners and \
their attendance, the jury and its scores, the rankings stage by stage, the team and its \
mentoring pairs.\n\nStart with `konkurs demo` to open the bundled sample contest. To run your own: \
`konkurs init --regulation regulation.toml`, then `konkurs import participants FILE` and the \
other kinds, then `konkurs` to open the workstation.",
    after_help = "The database is in the platform data directory unless --db or KONKURS_DATA says otherwise."
)]
pub struct Cli {
    /// The database directory.
    #[arg(long, global = true, env = "KONKURS_DATA", value_name = "DIR")]
    pub db: Option<PathBuf>,

    /// Act as this juror, coordinator or observer (an id from the jurors file).
    #[arg(long = "as", global = true, value_name = "ID")]
    pub as_id: Option<String>,

    /// The interface language (default: from the locale).
    #[arg(long, global = true, value_enum)]
    pub lang: Option<crate::text::Lang>,

    /// The keys: `default`, `vim`, or a keymap .toml file; your own
    /// keymap.toml in the config directory (or $KONKURS_CONFIG) is applied on top.
    #[arg(long, global = true, value_name = "NAME", default_value = "default")]
    pub keymap: String,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create a database (if needed) and load the contest's regulation into it.
    Init {
        /// The regulation file (TOML), e.g. sample-data/regulation.toml.
        #[arg(long, value_name = "FILE")]
        regulation: PathBuf,
        /// Replace the regulation even though it changes the rules of a stage
        /// already scored or closed (logged with both hashes; the protocols
        /// show it; frozen rankings of changed stages become stale).
        #[arg(long, requires = "reason")]
        force: bool,
        /// Why the regulation is replaced after scoring (with --force).
        #[arg(long, value_name = "TEXT", requires = "force")]
        reason: Option<String>,
    },
    /// Import a CSV or XLSX file; records are matched by id, all or nothing.
    Import {
        /// What the file holds.
        kind: ImportKind,
        /// The CSV (UTF-8 or Windows-1251, ',' or ';') or XLSX file.
        file: PathBuf,
        /// Show what would change without writing anything.
        #[arg(long)]
        dry_run: bool,
        /// For attendance exported by a webinar platform: the event of the whole file.
        #[arg(long, value_name = "EVENT_ID")]
        event: Option<String>,
    },
    /// Print the records of a kind.
    List {
        kind: ListKind,
        #[arg(long, default_value = "table")]
        format: Format,
    },
    /// Show what the database holds.
    Status,
    /// Write the whole database to a readable JSON file.
    Backup {
        file: PathBuf,
        /// Replace FILE if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Read a backup into an empty database (use --db NEW_DIR).
    Restore { file: PathBuf },
    /// Check every record and the audit log's hash chain.
    Verify,
    /// Assign jurors: automatically (--per-participant K) or one by hand.
    Assign {
        #[arg(long)]
        stage: String,
        /// Jurors per participant for an automatic assignment (default: the regulation's).
        #[arg(long, value_name = "K")]
        per_participant: Option<usize>,
        /// Assign (or with --remove unassign) this participant by hand...
        #[arg(long, requires = "juror")]
        participant: Option<String>,
        /// ...to this juror.
        #[arg(long, requires = "participant")]
        juror: Option<String>,
        #[arg(long, requires = "participant")]
        remove: bool,
    },
    /// Score a participant as a juror: `konkurs --as J01 score --stage portfolio --participant P001 projects=7 media=6.5`.
    Score {
        #[arg(long)]
        stage: String,
        #[arg(long, required_unless_present = "stdin")]
        participant: Option<String>,
        /// Scores as criterion=value (criterion= clears one).
        scores: Vec<String>,
        /// The justification comment.
        #[arg(long)]
        comment: Option<String>,
        /// Lock the sheet (every criterion must be scored).
        #[arg(long)]
        submit: bool,
        /// Decline to judge this participant, with a reason.
        #[arg(long, value_name = "REASON")]
        abstain: Option<String>,
        /// Declare a conflict of interest, with a reason.
        #[arg(long, value_name = "REASON")]
        conflict: Option<String>,
        /// Read lines `PARTICIPANT crit=value ... [submit] [# comment]` from
        /// standard input, answering `ok N` once each is durable.
        #[arg(long, conflicts_with = "participant")]
        stdin: bool,
    },
    /// Reopen a juror's submitted sheet (coordinator), with a reason.
    Reopen {
        #[arg(long)]
        stage: String,
        #[arg(long)]
        participant: String,
        #[arg(long)]
        juror: String,
        #[arg(long)]
        reason: String,
    },
    /// Undo your last score change (as a juror).
    Undo,
    /// Every change of one juror's sheet of a participant.
    History {
        #[arg(long)]
        stage: String,
        #[arg(long)]
        participant: String,
        /// Whose sheet: by default the acting juror's own (`--as`, or the
        /// key's over SSH).
        #[arg(long)]
        juror: Option<String>,
    },
    /// Each juror's progress at a stage; `--sheets` lists every assignment
    /// with its sheet's status (a juror's own queue when run `--as` a juror).
    Progress {
        #[arg(long)]
        stage: Option<String>,
        /// One row per assigned participant and juror instead of the totals.
        #[arg(long)]
        sheets: bool,
        /// Only this juror's assignments (with --sheets).
        #[arg(long, requires = "sheets")]
        juror: Option<String>,
        #[arg(long, default_value = "table")]
        format: Format,
    },
    /// The activity ranking of the educational stage, with each listener's breakdown.
    Activity {
        #[arg(long, default_value = "table")]
        format: Format,
    },
    /// Propose mentor–intern pairs: each pair's score parts, every unmatched
    /// intern's reason, blocking pairs.
    Match {
        #[arg(long, default_value = "optimal", value_parser = codes(&MatchMode::ALL, MatchMode::code))]
        mode: MatchMode,
        #[arg(long, default_value = "table")]
        format: Format,
        /// Print every intern's acceptable mentors with the score parts instead.
        #[arg(long)]
        candidates: bool,
        /// Store this proposal as the programme's matching (with --reason).
        #[arg(long, conflicts_with = "candidates")]
        accept: bool,
        /// Why the matching is accepted (the programme council's decision, ...); kept in the audit log.
        #[arg(long, requires = "accept")]
        reason: Option<String>,
    },
    /// Lock (keep or make by hand), forbid or clear a mentor–intern pair.
    Pair {
        #[arg(value_parser = ["lock", "forbid", "clear"])]
        what: String,
        mentor: String,
        intern: String,
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Mentors: `konkurs mentors from-team` makes every team member a mentor.
    Mentors {
        #[arg(value_parser = ["from-team"])]
        what: String,
    },
    /// A stage's ranking: per participant the rank, group, each juror's
    /// total, the indicator points, the aggregate, the deciding tie-break,
    /// flags and whether they advance; then the jury's statistics.
    Rank {
        #[arg(long)]
        stage: String,
        /// mean, median, trimmed or zscore (default: the regulation's).
        #[arg(long, value_parser = codes(&Aggregation::ALL, Aggregation::code))]
        method: Option<Aggregation>,
        /// The ranking as it stood at this time (rebuilt from the audit
        /// log), in the contest's time zone: 2021-06-01 12:00 (add Z or
        /// +08:00 for another zone).
        #[arg(long, value_name = "TIME")]
        as_of: Option<String>,
        #[arg(long, default_value = "table")]
        format: Format,
    },
    /// Close a stage: freeze its ranking and advance the best to the next stage.
    Advance {
        #[arg(long)]
        stage: String,
        /// Why the stage is closed (the jury's decision, ...); kept in the
        /// audit log (without it, the log says none was given).
        #[arg(long)]
        reason: Option<String>,
    },
    /// Reopen a closed stage (coordinator), with a reason.
    ReopenStage {
        #[arg(long)]
        stage: String,
        #[arg(long)]
        reason: String,
    },
    /// Order a tie no rule breaks: the participants best first.
    ResolveTie {
        #[arg(long)]
        stage: String,
        #[arg(required = true)]
        participants: Vec<String>,
        #[arg(long)]
        reason: String,
    },
    /// Export a document: the team list, a stage's protocol, the mentoring
    /// list or the listener register (coordinators and observers).
    #[command(
        after_help = "Examples:\n  konkurs export team --out team.xlsx\n  konkurs export protocol --stage final --format md --out final.md\n  konkurs export register --out register.csv --delimiter ';'\n\nThe same database and the same --at give byte-identical files."
    )]
    Export {
        /// What to export.
        what: crate::interchange::export::DocumentKind,
        /// xlsx, csv, md or json (default: from the extension of --out, else xlsx).
        #[arg(long, value_enum)]
        format: Option<crate::interchange::export::ExportFormat>,
        /// The file to write (default: konkurs-WHAT[-STAGE][-YEAR].EXT here).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// The stage of a protocol (an id of the regulation, e.g. portfolio).
        #[arg(long)]
        stage: Option<String>,
        /// The export time stamped in the document, in the contest's time
        /// zone: 2021-06-01 12:00 or 2021-06-01T12:00:00 (add Z or +08:00
        /// for another zone). Default: now.
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        /// The CSV cell separator: ',' or ';' (for spreadsheets of a
        /// Russian locale; numbers then get a decimal comma). Default: ';'
        /// in Russian (--lang ru), ',' in English.
        #[arg(long, value_name = "CHAR")]
        delimiter: Option<String>,
        /// Export even if the document is not final (an open stage, no
        /// accepted matching); the file is then marked DRAFT.
        #[arg(long)]
        draft: bool,
        /// Replace FILE if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Jurors' SSH keys.
    Juror {
        #[command(subcommand)]
        command: JurorCommand,
    },
    /// Serve the workstation over SSH to jurors, coordinators and observers.
    #[command(
        long_about = "Serve the workstation over SSH to jurors, coordinators and observers.\n\n\
This process holds the database; everyone else connects with an ordinary SSH client and gets \
the same workstation as `konkurs` in a local terminal, with the role their key was registered \
for. Changes made in one session appear in all the others at once.\n\n\
Sign-in is by public key only: a key registered with `konkurs juror add-key ID 'ssh-ed25519 \
AAAA...'` (before starting the server, or by a coordinator in the Jury pane while it runs) \
signs in as that person whatever SSH user name is typed. Passwords are never accepted. \
Refused keys are logged to standard error and to konkurs.log in the database directory; an \
address that fails 10 times in a minute is refused for a minute.\n\n\
The server's own key is made on the first start (ssh_host_ed25519_key in the database \
directory) and its fingerprint printed: tell it to the jurors so that they can check it when \
their client asks. While serving, serve.json in the database directory tells any other konkurs \
started on the same database how to connect instead.\n\n\
A session speaks the language of the client's locale (LANG or LC_ALL, when the client sends \
it), else that of --lang, and uses the keys of --keymap (the operator's own keymap.toml is not \
applied to others). A juror may choose for one session: \
ssh -t -p PORT ID@HOST -- --lang ru --keymap vim. --as does not apply: the key decides who \
signs in.\n\n\
Ctrl+C or SIGTERM stops the server: every session is told, its work saved, the database flushed.",
        after_help = "Example:\n  konkurs --db contest serve --listen 0.0.0.0:2222\n  \
ssh -p 2222 J01@server.example.org   (on the juror's computer)"
    )]
    Serve {
        /// The address and port to listen on; 0.0.0.0:PORT accepts connections from other computers.
        #[arg(long, default_value = "127.0.0.1:2222", value_name = "HOST:PORT")]
        listen: String,
        /// The most sessions at once; the next one is told to try later.
        #[arg(long, default_value_t = 64, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
        max_sessions: u32,
        /// Close a session after this many seconds without a keystroke (its work is saved); 0 never closes.
        #[arg(long, default_value_t = 1800, value_name = "SECS")]
        idle_timeout: u64,
        /// Close a connection that has not signed in within this many seconds.
        #[arg(long, default_value_t = 10, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=600))]
        login_grace: u64,
        /// The most sessions and commands one person may have open at once.
        #[arg(long, default_value_t = 4, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
        sessions_per_person: u32,
    },
    /// Load the bundled sample contest into a fresh database and show it.
    Demo {
        /// Where to create the demo database (default: `demo` in the data directory, recreated).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum JurorCommand {
    /// Register an SSH public key: konkurs juror add-key J01 'ssh-ed25519 AAAA... name@laptop'
    AddKey { juror: String, key: String },
    /// Remove a key by its fingerprint (SHA256:...).
    RemoveKey { juror: String, fingerprint: String },
    /// List registered keys as `ssh-keygen -l` shows them.
    Keys { juror: Option<String> },
}

/// The values of an enum the domain names by codes (see
/// [`crate::domain::code`]): the command line writes a code with `-` for
/// `_` (`max-cardinality`), and `--help` lists them in the enum's order.
fn codes<T: Copy + Send + Sync + 'static>(
    all: &'static [T],
    code: fn(T) -> &'static str,
) -> impl clap::builder::TypedValueParser<Value = T> {
    use clap::builder::TypedValueParser;
    let word = move |v: T| code(v).replace('_', "-");
    clap::builder::PossibleValuesParser::new(all.iter().map(|v| word(*v))).map(move |s| {
        *all.iter()
            .find(|v| word(**v) == s)
            .expect("the parser admits the listed words only")
    })
}

/// What `konkurs list` can print.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListKind {
    Participants,
    Jurors,
    Events,
    Attendance,
    Mentors,
    Interns,
    Municipalities,
    Audit,
}

/// A failure of a command, printed for a person in their language.
#[derive(Debug)]
pub enum CliError {
    /// A message of the command line's catalogue (`cli.*`) with its
    /// values, worded when it is shown.
    Said {
        key: &'static str,
        args: Vec<(&'static str, String)>,
    },
    /// A file that could not be read or written (`key` says which).
    File {
        key: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    /// Text worded elsewhere, shown as it is.
    Message(String),
    Service(crate::service::ServiceError),
    Import(ImportFailure),
    Store(crate::store::StoreError),
    Serve(crate::ssh::ServeError),
    Io(std::io::Error),
}

impl CliError {
    /// The catalogue's message `key` with `args` filled in.
    pub fn said(key: &'static str, args: &[(&'static str, &dyn std::fmt::Display)]) -> CliError {
        CliError::Said {
            key,
            args: args.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        }
    }

    /// `path` could not be read or written: the catalogue's `key` names the
    /// action.
    pub fn file(key: &'static str, path: &Path, source: std::io::Error) -> CliError {
        CliError::File {
            key,
            path: path.to_path_buf(),
            source,
        }
    }

    /// The failure in the person's language.
    pub fn words(&self, tr: &I18n) -> String {
        use crate::service::ServiceError;
        match self {
            CliError::Said { key, args } => {
                let args: Vec<(&str, &dyn std::fmt::Display)> = args
                    .iter()
                    .map(|(k, v)| (*k, v as &dyn std::fmt::Display))
                    .collect();
                tr.f(key, &args)
            }
            CliError::File { key, path, source } => tr.f(
                key,
                &[
                    ("path", &path.display()),
                    ("why", &crate::text::store::io(source, tr)),
                ],
            ),
            CliError::Message(text) => text.clone(),
            CliError::Service(ServiceError::Store(e)) | CliError::Store(e) => {
                crate::text::store::words(e, tr)
            }
            CliError::Service(e) => e.words(tr),
            CliError::Import(e) => e.words(tr),
            CliError::Serve(crate::ssh::ServeError::Store(e)) => crate::text::store::words(e, tr),
            CliError::Serve(crate::ssh::ServeError::Listen { listen, source, .. }) => tr.f(
                match source.kind() {
                    std::io::ErrorKind::AddrInUse => "cli.serve.port_in_use",
                    std::io::ErrorKind::PermissionDenied => "cli.serve.port_denied",
                    _ => "cli.serve.cannot_listen",
                },
                &[
                    ("listen", listen),
                    ("error", source),
                    ("why", &crate::text::store::io(source, tr)),
                ],
            ),
            CliError::Serve(e) => e.to_string(),
            CliError::Io(e) => crate::text::store::io(e, tr),
        }
    }
}

impl CliError {
    /// Whether the database is held by another process (a server).
    fn in_use(&self) -> bool {
        use crate::store::StoreError::InUse;
        matches!(
            self,
            CliError::Store(InUse { .. })
                | CliError::Service(crate::service::ServiceError::Store(InUse { .. }))
        )
    }
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.words(&I18n::new(Lang::En)))
    }
}

impl std::error::Error for CliError {}

macro_rules! wraps {
    ($($from:ty => $variant:ident),*) => {$(
        impl From<$from> for CliError {
            fn from(e: $from) -> CliError {
                CliError::$variant(e)
            }
        }
    )*};
}
wraps!(
    crate::service::ServiceError => Service,
    ImportFailure => Import,
    crate::store::StoreError => Store,
    crate::ssh::ServeError => Serve,
    std::io::Error => Io
);

type Result<T> = std::result::Result<T, CliError>;

impl Cli {
    /// The interface language chosen with --lang or by the locale.
    pub fn i18n(&self) -> I18n {
        I18n::new(self.lang.unwrap_or_else(Lang::from_env))
    }
}

/// The platform data directory's database (`~/.local/share/konkurs` on Linux).
pub fn default_db_dir() -> PathBuf {
    directories::ProjectDirs::from("ru", "Soyuz TOS", "konkurs")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from("konkurs-data"))
}

/// Runs the command line; returns the process exit code. A command on a
/// database that `konkurs serve` holds runs inside the server, through its
/// control socket.
pub fn main() -> ExitCode {
    // A write past a file-size limit (`ulimit -f`) fails as a write to a
    // full disk does, instead of killing the process in the middle of it.
    #[cfg(unix)]
    // SAFETY: ignoring a signal installs no handler and touches no memory.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let width = match crossterm::terminal::size() {
        Ok((cols, _)) if std::io::IsTerminal::is_terminal(&std::io::stdout()) => {
            usize::from(cols).clamp(40, 100)
        }
        _ => 80,
    };
    let lang = lang_of_args(args.iter().cloned());
    if let Some(code) = help_methods(&args, lang, &mut Console::process(), width) {
        return ExitCode::from(code);
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let lang = lang_of_args(std::env::args());
            if lang == Lang::En
                || !e.use_stderr()
                || e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            {
                e.exit()
            }
            return ExitCode::from(usage_error(&e, lang, &mut Console::process()));
        }
    };
    let tr = cli.i18n();
    let db = cli.db.clone().unwrap_or_else(default_db_dir);
    let forwardable = cli.command.is_some();
    match run(cli, &Place::Local, &mut Console::process()) {
        Ok(()) => ExitCode::SUCCESS,
        // The reader of a listing went away (`konkurs list ... | head`).
        Err(CliError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) if forwardable && e.in_use() && control::reachable(&db) => {
            match control::forward(&db, std::env::args().skip(1).collect()) {
                Ok(code) => ExitCode::from(code),
                Err(why) => {
                    eprintln!("{}", tr.f("cli.error", &[("what", &why.words(&tr))]));
                    ExitCode::FAILURE
                }
            }
        }
        Err(e) => {
            eprintln!("{}", tr.f("cli.error", &[("what", &e.words(&tr))]));
            ExitCode::FAILURE
        }
    }
}

/// Runs the words of a command line sent to a running server (`ssh HOST
/// list participants`, or a command forwarded to the control socket) at
/// `place`, talking through `io` in `lang` unless the words choose
/// another; returns the exit status: 0 done, 1 failed, 2 not understood.
pub fn run_sent(words: Vec<String>, place: &Place, lang: Lang, io: &mut Console) -> u8 {
    if let Some(code) = help_methods(&words, lang, io, 80) {
        return code;
    }
    let code =
        match Cli::try_parse_from(std::iter::once("konkurs".to_string()).chain(words.clone())) {
            Err(e) => {
                let lang = if words.iter().any(|w| w.starts_with("--lang")) {
                    lang_of_args(words.iter().cloned())
                } else {
                    lang
                };
                usage_error(&e, lang, io)
            }
            Ok(mut cli) => {
                cli.lang = cli.lang.or(Some(lang));
                let tr = cli.i18n();
                let names_db = words.iter().any(|w| w == "--db" || w.starts_with("--db="));
                let result = if names_db && matches!(place, Place::Ssh(..)) {
                    Err(CliError::said("cli.remote.no_db", &[]))
                } else {
                    run(cli, place, io)
                };
                match result {
                    Ok(()) => 0,
                    Err(CliError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => 1,
                    Err(e) => {
                        let _ =
                            writeln!(io.err, "{}", tr.f("cli.error", &[("what", &e.words(&tr))]));
                        1
                    }
                }
            }
        };
    let _ = io.out.flush();
    let _ = io.err.flush();
    code
}

/// Arguments clap refuses, written to `io`: in English clap's own text, in
/// Russian the refusal in words, then how to get help; help and the version
/// go to standard output as they are. Returns the exit status.
fn usage_error(e: &clap::Error, lang: Lang, io: &mut Console) -> u8 {
    use clap::error::{ContextKind, ErrorKind};
    let tr = I18n::new(lang);
    if !e.use_stderr() {
        let _ = write!(io.out, "{}", e.render());
        return 0;
    }
    if tr.lang == Lang::En || e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        let _ = write!(io.err, "{}", e.render());
        return 2;
    }
    let context = |kind| e.get(kind).map(|v| v.to_string()).unwrap_or_default();
    let arg = context(ContextKind::InvalidArg);
    let value = context(ContextKind::InvalidValue);
    let valid = context(ContextKind::ValidValue);
    let what = match e.kind() {
        ErrorKind::InvalidValue if !valid.is_empty() => tr.f(
            "cli.usage.invalid_choice",
            &[("arg", &arg), ("value", &value), ("valid", &valid)],
        ),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => tr.f(
            "cli.usage.invalid_value",
            &[("arg", &arg), ("value", &value)],
        ),
        ErrorKind::UnknownArgument => tr.f("cli.usage.unknown_argument", &[("arg", &arg)]),
        ErrorKind::InvalidSubcommand => tr.f(
            "cli.usage.unknown_command",
            &[("command", &context(ContextKind::InvalidSubcommand))],
        ),
        ErrorKind::MissingRequiredArgument => tr.f("cli.usage.missing_argument", &[("args", &arg)]),
        ErrorKind::MissingSubcommand => tr.t("cli.usage.missing_command").to_string(),
        ErrorKind::ArgumentConflict => tr.f(
            "cli.usage.conflict",
            &[("arg", &arg), ("other", &context(ContextKind::PriorArg))],
        ),
        ErrorKind::NoEquals
        | ErrorKind::TooManyValues
        | ErrorKind::TooFewValues
        | ErrorKind::WrongNumberOfValues => tr.f("cli.usage.wrong_values", &[("arg", &arg)]),
        _ => tr.t("cli.usage.other").to_string(),
    };
    let _ = writeln!(io.err, "{}", tr.f("cli.error", &[("what", &what)]));
    let _ = writeln!(io.err, "{}", tr.t("cli.usage.help"));
    2
}

/// The language asked for on a command line clap could not read:
/// `--lang ru` or `--lang=ru` if it is there, else the locale's.
/// `konkurs help methods`: how rankings and pairs are made, in words, in
/// the language of `--lang`, else `lang`, written to `io` at `width`
/// columns. `None` when the words ask for something else.
fn help_methods(args: &[String], lang: Lang, io: &mut Console, width: usize) -> Option<u8> {
    let mut words = Vec::new();
    let mut rest = args.iter();
    while let Some(a) = rest.next() {
        match a.as_str() {
            "--lang" => {
                rest.next();
            }
            a if a.starts_with("--lang=") => {}
            a => words.push(a),
        }
    }
    if words != ["help", "methods"] {
        return None;
    }
    let lang = if args.iter().any(|w| w.starts_with("--lang")) {
        lang_of_args(args.iter().cloned())
    } else {
        lang
    };
    let tr = I18n::new(lang);
    let mut out = format!("{}\n\n", tr.t("methods.title"));
    out += &crate::text::methods::everything(None, &tr, width);
    match io
        .out
        .write_all(out.as_bytes())
        .and_then(|()| io.out.flush())
    {
        Ok(()) => Some(0),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Some(0),
        Err(_) => Some(1),
    }
}

fn lang_of_args(args: impl Iterator<Item = String>) -> Lang {
    let args: Vec<String> = args.collect();
    let asked = args
        .iter()
        .enumerate()
        .find_map(|(i, a)| match a.strip_prefix("--lang") {
            Some("") => args.get(i + 1).cloned(),
            Some(rest) => rest.strip_prefix('=').map(str::to_string),
            None => None,
        });
    match asked.as_deref() {
        Some("ru") => Lang::Ru,
        Some("en") => Lang::En,
        _ => Lang::from_env(),
    }
}

/// The database and the person acting: the one the command opens, or the
/// server's; the person of `--as`, the key's, or the local coordinator.
fn open(cli: &Cli, place: &Place) -> Result<(Arc<Service>, Actor)> {
    let service = match place {
        Place::Ssh(service, remote) => return Ok((service.clone(), remote.actor.clone())),
        Place::Control(service, _) => service.clone(),
        Place::Local => {
            let service = Service::open(&cli.db.clone().unwrap_or_else(default_db_dir))?;
            console::say_tightened(service.store(), &cli.i18n());
            Arc::new(service)
        }
    };
    let actor = match &cli.as_id {
        Some(id) => service.actor(id)?,
        None => Actor::local_coordinator(),
    };
    let actor = match place {
        Place::Control(..) => actor.through_control(),
        _ => actor,
    };
    Ok((service, actor))
}

/// Why a command cannot run where it was sent, if it cannot.
fn refused_here(cli: &Cli, place: &Place) -> Option<CliError> {
    if let Place::Ssh(..) = place {
        if cli.db.is_some() {
            return Some(CliError::said("cli.remote.no_db", &[]));
        }
        if cli.as_id.is_some() {
            return Some(CliError::said("cli.remote.no_as", &[]));
        }
    }
    if !place.served() {
        return None;
    }
    let key = match &cli.command {
        None => "cli.remote.workstation",
        Some(Command::Serve { .. }) => "cli.remote.serve",
        Some(Command::Demo { .. }) => "cli.remote.demo",
        Some(Command::Restore { .. }) => "cli.remote.restore",
        Some(Command::Init { .. }) => "cli.remote.init",
        Some(_) => return None,
    };
    Some(CliError::said(key, &[]))
}

/// The reason recorded for a stage closed or a matching accepted from the
/// command line without `--reason` (the workstation always asks for one).
const NO_REASON: &str = "no reason given on the command line";

/// Runs a parsed command line at `place`, talking through `io`.
pub fn run(cli: Cli, place: &Place, io: &mut Console) -> Result<()> {
    if let Some(refusal) = refused_here(&cli, place) {
        return Err(refusal);
    }
    let Some(command) = &cli.command else {
        let (service, actor) = open(&cli, place)?;
        return workstation(service, actor, &cli);
    };
    let cli = &cli;
    match command {
        Command::Init {
            regulation,
            force,
            reason,
        } => regulation::init(cli, place, io, regulation, *force, reason.as_deref()),
        Command::Import {
            kind,
            file,
            dry_run,
            event,
        } => people::import(cli, place, io, *kind, file, *dry_run, event.as_deref()),
        Command::List { kind, format } => list(cli, place, io, *kind, *format),
        Command::Status => print_status(cli, place, io),
        Command::Backup { file, force } => store::backup(cli, place, io, file, *force),
        Command::Restore { file } => store::restore(cli, io, file),
        Command::Verify => store::verify(cli, place, io),
        Command::Assign {
            stage,
            per_participant,
            participant,
            juror,
            remove,
        } => jury::assign(
            cli,
            place,
            io,
            stage,
            *per_participant,
            participant.as_deref().zip(juror.as_deref()),
            *remove,
        ),
        Command::Score { .. } => jury::score_command(cli, place, io, command),
        Command::Reopen {
            stage,
            participant,
            juror,
            reason,
        } => jury::reopen(cli, place, io, stage, participant, juror, reason),
        Command::Undo => jury::undo(cli, place, io),
        Command::History {
            stage,
            participant,
            juror,
        } => jury::history_command(cli, place, io, stage, participant, juror.as_deref()),
        Command::Progress {
            stage,
            sheets,
            juror,
            format,
        } => jury::progress_command(
            cli,
            place,
            io,
            stage.as_deref(),
            *sheets,
            juror.as_deref(),
            *format,
        ),
        Command::Match {
            mode,
            format,
            candidates,
            accept,
            reason,
        } => mentoring::match_command(
            cli,
            place,
            io,
            *mode,
            *format,
            *candidates,
            accept.then(|| reason.as_deref().unwrap_or(NO_REASON)),
        ),
        Command::Pair {
            what,
            mentor,
            intern,
            reason,
        } => mentoring::pair(cli, place, io, what, mentor, intern, reason),
        Command::Mentors { .. } => mentoring::mentors_from_team(cli, place, io),
        Command::Rank {
            stage,
            method,
            as_of,
            format,
        } => rank::rank(cli, place, io, stage, *method, as_of.as_deref(), *format),
        Command::Advance { stage, reason } => rank::advance_command(
            cli,
            place,
            io,
            stage,
            reason.as_deref().unwrap_or(NO_REASON),
        ),
        Command::ReopenStage { stage, reason } => rank::reopen_stage(cli, place, io, stage, reason),
        Command::ResolveTie {
            stage,
            participants,
            reason,
        } => rank::resolve_tie(cli, place, io, stage, participants, reason),
        Command::Activity { format } => activity::command(cli, place, io, *format),
        Command::Juror { command } => people::juror(cli, place, io, command),
        Command::Export { .. } => export::command(cli, place, io, command),
        Command::Demo { dir } => demo::run(cli, dir.as_deref()),
        Command::Serve { .. } => serve(cli, command),
    }
}

/// `konkurs list`: the records of a kind.
fn list(cli: &Cli, place: &Place, io: &mut Console, kind: ListKind, format: Format) -> Result<()> {
    let (service, actor) = open(cli, place)?;
    output::list(io, &service, &actor, kind, format, &cli.i18n())
}

/// `konkurs status`: what the database holds.
fn print_status(cli: &Cli, place: &Place, io: &mut Console) -> Result<()> {
    let (service, actor) = open(cli, place)?;
    put!(io, "{}", status(&service, &actor, &cli.i18n()));
    Ok(())
}

/// Opens the terminal workstation, or prints the status when there is no
/// terminal to open it in.
pub fn workstation(service: Arc<Service>, actor: Actor, cli: &Cli) -> Result<()> {
    use crate::tui::{App, AppOptions, keymap};
    use std::io::IsTerminal;
    let tr = cli.i18n();
    let keymap = keymap::Keymap::load(&cli.keymap, keymap::user_keymap_path().as_deref())
        .map_err(|e| CliError::Message(e.to_string()))?;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        print!("{}", status(&service, &actor, &tr));
        println!("{}", tr.t("cli.not_a_terminal"));
        return Ok(());
    }
    let log = service.path().join("konkurs.log");
    let db_label = service.path().display().to_string();
    let app = App::new(
        service.clone(),
        actor,
        AppOptions {
            tr,
            keymap,
            db_label,
            user_keymap: keymap::user_keymap_path(),
        },
    );
    crate::tui::terminal::run(app, log, |_| {})?;
    Ok(())
}

/// `konkurs serve`: opens the database once and serves it over SSH until
/// SIGINT or SIGTERM.
fn serve(cli: &Cli, command: &Command) -> Result<()> {
    use crate::tui::keymap::Keymap;
    let Command::Serve {
        listen,
        max_sessions,
        idle_timeout,
        login_grace,
        sessions_per_person,
    } = command
    else {
        unreachable!("called for serve only")
    };
    let tr = cli.i18n();
    if cli.as_id.is_some() {
        return Err(CliError::said("cli.serve.no_as", &[]));
    }
    let dir = cli.db.clone().unwrap_or_else(default_db_dir);
    let service = Arc::new(Service::open(&dir)?);
    console::say_tightened(service.store(), &tr);
    // The operator's own keymap.toml is theirs: sessions get the keymap
    // named here (a built-in or a file) and nothing else.
    let keymap = Keymap::load(&cli.keymap, None).map_err(|e| CliError::Message(e.to_string()))?;
    let view = service.view(&Actor::local_coordinator());
    let with_keys = view.jurors().filter(|j| !j.keys.is_empty()).count();
    drop(view);
    let exec: crate::ssh::Exec = {
        let service = service.clone();
        Arc::new(move |r: crate::ssh::ExecRequest| {
            let place = Place::Ssh(
                service.clone(),
                Remote {
                    actor: r.actor,
                    fetch: r.fetch,
                    login: r.login,
                },
            );
            let mut io = Console {
                out: r.out,
                err: r.err,
                input: r.input,
                terminal: false,
            };
            run_sent(r.words, &place, r.lang, &mut io)
        })
    };
    let options = crate::ssh::ServeOptions {
        listen: listen.to_string(),
        max_sessions: *max_sessions as usize,
        idle_timeout: (*idle_timeout > 0).then(|| std::time::Duration::from_secs(*idle_timeout)),
        login_grace: std::time::Duration::from_secs(*login_grace),
        sessions_per_person: *sessions_per_person as usize,
        lang: cli.lang,
        keymap,
        exec: Some(exec),
    };
    let _control = control::listen(service.clone()).map_err(|e| {
        CliError::file(
            "cli.cannot_create",
            &dir.join(crate::store::CONTROL_SOCKET),
            e,
        )
    })?;
    crate::ssh::serve(service, options, |ready| {
        println!(
            "{}",
            tr.f(
                "cli.serve.listening",
                &[("addr", &ready.addr), ("db", &ready.database.display())]
            )
        );
        println!(
            "{}",
            tr.f(
                if ready.host_key.created {
                    "cli.serve.host_key_made"
                } else {
                    "cli.serve.host_key"
                },
                &[
                    ("fingerprint", &ready.host_key.fingerprint()),
                    ("path", &ready.host_key.path.display())
                ]
            )
        );
        println!(
            "{}",
            tr.f("cli.serve.connect", &[("command", &ready.ssh_command())])
        );
        if with_keys == 0 {
            println!("{}", tr.t("cli.serve.no_keys"));
        } else {
            println!("{}", tr.f("cli.serve.with_keys", &[("n", &with_keys)]));
        }
        println!("{}", tr.t("cli.serve.how_to_stop"));
    })?;
    println!("{}", tr.t("cli.serve.stopped"));
    Ok(())
}

/// A few lines on what the database holds.
pub fn status(service: &Service, actor: &Actor, tr: &I18n) -> String {
    let view = service.view(actor);
    let mut s = tr.f("cli.status.database", &[("db", &service.path().display())]) + "\n";
    match view.regulation() {
        Some(r) => {
            s += &tr.f("cli.status.contest", &[("name", &r.rules.contest.name)]);
            s += "\n";
            s += &tr.f(
                "cli.status.stages",
                &[(
                    "stages",
                    &r.rules
                        .stages
                        .iter()
                        .map(|st| st.id.to_string())
                        .collect::<Vec<_>>()
                        .join(" → "),
                )],
            );
            s += "\n";
        }
        None => {
            s += tr.t("cli.status.no_regulation");
            s += "\n";
        }
    }
    for (c, label) in [
        (Collection::Participants, "participants"),
        (Collection::Jurors, "jurors"),
        (Collection::Events, "events"),
        (Collection::Attendance, "attendance"),
        (Collection::Mentors, "mentors"),
        (Collection::Interns, "interns"),
        (Collection::Municipalities, "municipalities"),
    ] {
        s += &format!(
            "{:>8}  {}\n",
            view.count(c),
            tr.t(&format!("cli.status.count.{label}"))
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::error::{ContextKind, ErrorKind};

    fn parse(words: &str) -> std::result::Result<Command, clap::Error> {
        Cli::try_parse_from(std::iter::once("konkurs").chain(words.split_whitespace()))
            .map(|cli| cli.command.expect("a command"))
    }

    fn valid_values(e: &clap::Error) -> String {
        assert_eq!(e.kind(), ErrorKind::InvalidValue, "{e}");
        e.get(ContextKind::ValidValue).unwrap().to_string()
    }

    #[test]
    fn the_matching_mode_is_read_as_its_code_with_dashes() {
        let mode = |words: &str| match parse(words) {
            Ok(Command::Match { mode, .. }) => mode,
            other => panic!("{other:?}"),
        };
        assert_eq!(mode("match"), MatchMode::Optimal);
        assert_eq!(
            mode("match --mode max-cardinality"),
            MatchMode::MaxCardinality
        );
        assert_eq!(mode("match --mode stable"), MatchMode::Stable);
        let e = parse("match --mode max_cardinality").unwrap_err();
        assert_eq!(valid_values(&e), "optimal, max-cardinality, stable");
    }

    #[test]
    fn the_ranking_method_is_read_as_its_code() {
        let method = |words: &str| match parse(words) {
            Ok(Command::Rank { method, .. }) => method,
            other => panic!("{other:?}"),
        };
        assert_eq!(method("rank --stage final"), None);
        for m in Aggregation::ALL {
            let words = format!("rank --stage final --method {}", m.code());
            assert_eq!(method(&words), Some(m));
        }
        let e = parse("rank --stage final --method mode").unwrap_err();
        assert_eq!(valid_values(&e), "mean, median, trimmed, zscore");
    }
}
