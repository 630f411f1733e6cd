//! The command line: parses arguments with clap and calls the library.
//! Every command that changes data goes through the service as an actor.

mod activity;
mod demo;
mod export;
mod jury;
mod mentoring;
mod output;
mod rank;

use crate::domain::contest::{Collection, RegulationDoc};
use crate::domain::ids::{JurorId, ParticipantId, StageId};
use crate::domain::matching::MatchMode;
use crate::domain::mentoring::DecisionKind;
use crate::interchange::{self, ImportFailure};
use crate::service::{Actor, ImportKind, Service};
use clap::{Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

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
    /// Write a synthetic contest of any size (for trials and benchmarks).
    Gen {
        #[arg(long, default_value_t = 150)]
        participants: usize,
        #[arg(long, default_value_t = 7)]
        jurors: usize,
        #[arg(long, default_value_t = 44)]
        events: usize,
        #[arg(long, default_value_t = 64)]
        interns: usize,
        #[arg(long, default_value_t = 6)]
        mentors: usize,
        #[arg(long, default_value_t = 2021)]
        seed: u64,
        /// The directory to write the files to (created if needed).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
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
        #[arg(long)]
        juror: String,
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
        #[arg(long, default_value = "optimal", value_parser = ["optimal", "max-cardinality", "stable"])]
        mode: String,
        #[arg(long, default_value = "table")]
        format: Format,
        /// Print every intern's acceptable mentors with the score parts instead.
        #[arg(long)]
        candidates: bool,
        /// Store this proposal as the programme's matching.
        #[arg(long, conflicts_with = "candidates")]
        accept: bool,
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
        #[arg(long, value_parser = ["mean", "median", "trimmed", "zscore"])]
        method: Option<String>,
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

/// A failure of a command, printed for a person.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Message(String),
    #[error(transparent)]
    Service(#[from] crate::service::ServiceError),
    #[error(transparent)]
    Import(#[from] ImportFailure),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Serve(#[from] crate::ssh::ServeError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

type Result<T> = std::result::Result<T, CliError>;

impl Cli {
    /// The interface language chosen with --lang or by the locale.
    pub fn i18n(&self) -> crate::text::I18n {
        crate::text::I18n::new(self.lang.unwrap_or_else(crate::text::Lang::from_env))
    }
}

/// The platform data directory's database (`~/.local/share/konkurs` on Linux).
pub fn default_db_dir() -> PathBuf {
    directories::ProjectDirs::from("ru", "Soyuz TOS", "konkurs")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from("konkurs-data"))
}

/// Runs the command line; returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // The reader of a listing went away (`konkurs list ... | head`).
        Err(CliError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn open(cli: &Cli) -> Result<(Service, Actor)> {
    let dir = cli.db.clone().unwrap_or_else(default_db_dir);
    let service = Service::open(&dir)?;
    let actor = match &cli.as_id {
        Some(id) => service.actor(id)?,
        None => Actor::local_coordinator(),
    };
    Ok((service, actor))
}

pub fn run(cli: Cli) -> Result<()> {
    let Some(command) = &cli.command else {
        let (service, actor) = open(&cli)?;
        return workstation(service, actor, &cli);
    };
    match command {
        Command::Init { regulation } => {
            let (service, actor) = open(&cli)?;
            let doc = read_regulation(regulation)?;
            match service.set_regulation(&actor, doc)? {
                Some(_) => println!(
                    "{}: regulation loaded into {}",
                    regulation.display(),
                    service.path().display()
                ),
                None => println!(
                    "{}: the same regulation is already loaded",
                    regulation.display()
                ),
            }
            print!("{}", status(&service, &actor));
        }
        Command::Import {
            kind,
            file,
            dry_run,
            event,
        } => {
            let (service, actor) = open(&cli)?;
            let options = interchange::records::Options {
                event: event.as_deref().map(crate::domain::ids::EventId::new),
            };
            let outcome =
                interchange::import_file_with(&service, &actor, *kind, file, *dry_run, &options)?;
            for w in &outcome.warnings {
                eprintln!("warning: {w}");
            }
            print!("{}", outcome.report);
        }
        Command::List { kind, format } => {
            let (service, actor) = open(&cli)?;
            output::list(&service, &actor, *kind, *format)?;
        }
        Command::Status => {
            let (service, actor) = open(&cli)?;
            print!("{}", status(&service, &actor));
        }
        Command::Backup { file, force } => {
            let (service, actor) = open(&cli)?;
            if file.exists() && !force {
                return Err(CliError::Message(format!(
                    "{} exists; choose another name or add --force to replace it",
                    file.display()
                )));
            }
            let dump = service.backup(&actor)?;
            let json = serde_json::to_vec_pretty(&dump).expect("a dump serialises");
            crate::store::backup::write_atomically(file, &json)
                .map_err(|e| CliError::Message(format!("cannot write {}: {e}", file.display())))?;
            println!(
                "{}: {} records, {} audit entries",
                file.display(),
                dump.records.len(),
                dump.audit.len()
            );
        }
        Command::Restore { file } => {
            let text = std::fs::read(file)
                .map_err(|e| CliError::Message(format!("cannot read {}: {e}", file.display())))?;
            let dump: crate::store::backup::Dump = serde_json::from_slice(&text).map_err(|e| {
                CliError::Message(format!(
                    "{}:{}: not a konkurs backup: {e}",
                    file.display(),
                    e.line()
                ))
            })?;
            let dir = cli.db.clone().unwrap_or_else(default_db_dir);
            let store = crate::store::Store::open(&dir)?;
            store
                .restore(&dump, &file.display().to_string())
                .map_err(|e| CliError::Message(e.to_string()))?;
            let report = store.verify()?;
            println!(
                "restored {} records and {} audit entries into {}; verify: {}",
                dump.records.len(),
                dump.audit.len(),
                dir.display(),
                if report.ok() { "ok" } else { "PROBLEMS" }
            );
        }
        Command::Verify => {
            let (service, actor) = open(&cli)?;
            let report = service.verify(&actor)?;
            println!(
                "{}: {} records, {} audit entries, head {}",
                service.path().display(),
                report.records,
                report.audit_entries,
                if report.head_hash.is_empty() {
                    "-"
                } else {
                    &report.head_hash
                }
            );
            if !report.ok() {
                for p in &report.problems {
                    eprintln!("problem: {p}");
                }
                return Err(CliError::Message(format!(
                    "verify found {} problem(s)",
                    report.problems.len()
                )));
            }
            println!("ok");
        }
        Command::Gen { .. } => gen_command(command)?,
        Command::Assign {
            stage,
            per_participant,
            participant,
            juror,
            remove,
        } => {
            let (service, actor) = open(&cli)?;
            let stage = StageId::new(stage.as_str());
            match (participant, juror) {
                (Some(p), Some(j)) => {
                    let (p, j) = (ParticipantId::new(p.as_str()), JurorId::new(j.as_str()));
                    if *remove {
                        service.unassign(&actor, &stage, &p, &j)?;
                        println!("{j} unassigned from {p} at {stage}");
                    } else {
                        service.assign(&actor, &stage, &p, &j)?;
                        println!("{j} assigned to {p} at {stage}");
                    }
                }
                _ => {
                    let plan = service.assign_auto(&actor, &stage, *per_participant)?;
                    for line in crate::text::refusal::plan(&plan, stage.as_str(), &cli.i18n()) {
                        println!("{line}");
                    }
                }
            }
        }
        Command::Score {
            stage,
            participant,
            scores,
            comment,
            submit,
            abstain,
            conflict,
            stdin,
        } => {
            let (service, actor) = open(&cli)?;
            let stage = StageId::new(stage.as_str());
            if *stdin {
                jury::score_script(&service, &actor, &stage)?;
            } else {
                let participant = ParticipantId::new(participant.as_deref().unwrap_or_default());
                let text = jury::score(
                    &service,
                    &actor,
                    &jury::ScoreRequest {
                        stage: &stage,
                        participant: &participant,
                        scores: jury::parse_scores(scores)?,
                        comment: comment.as_deref(),
                        submit: *submit,
                        abstain: abstain.as_deref(),
                        conflict: conflict.as_deref(),
                    },
                )?;
                println!("{text}");
            }
        }
        Command::Reopen {
            stage,
            participant,
            juror,
            reason,
        } => {
            let (service, actor) = open(&cli)?;
            service.reopen(
                &actor,
                &StageId::new(stage.as_str()),
                &ParticipantId::new(participant.as_str()),
                &JurorId::new(juror.as_str()),
                reason,
            )?;
            println!("reopened: {juror}'s sheet of {participant} at {stage}");
        }
        Command::Undo => {
            let (service, actor) = open(&cli)?;
            match service.undo(&actor)? {
                Some(undone) => println!("{}", crate::text::refusal::undone(&undone, &cli.i18n())),
                None => println!("nothing to undo"),
            }
        }
        Command::History {
            stage,
            participant,
            juror,
        } => {
            let (service, actor) = open(&cli)?;
            jury::history(
                &service,
                &actor,
                &StageId::new(stage.as_str()),
                &ParticipantId::new(participant.as_str()),
                &JurorId::new(juror.as_str()),
            )?;
        }
        Command::Progress {
            stage,
            sheets,
            juror,
            format,
        } => {
            let (service, actor) = open(&cli)?;
            let stage = stage.as_deref().map(StageId::new);
            if *sheets {
                let juror = juror.as_deref().map(JurorId::new);
                jury::sheets(&service, &actor, stage.as_ref(), juror.as_ref(), *format)?;
            } else {
                jury::progress(&service, &actor, stage.as_ref())?;
            }
        }
        Command::Match {
            mode,
            format,
            candidates,
            accept,
        } => {
            let (service, actor) = open(&cli)?;
            let mode = MatchMode::from_code(&mode.replace('-', "_")).unwrap_or(MatchMode::Optimal);
            mentoring::run(
                &service,
                &actor,
                mode,
                *format,
                *candidates,
                *accept,
                &cli.i18n(),
            )?;
        }
        Command::Pair {
            what,
            mentor,
            intern,
            reason,
        } => {
            let (service, actor) = open(&cli)?;
            let kind = match what.as_str() {
                "lock" => Some(DecisionKind::Lock),
                "forbid" => Some(DecisionKind::Forbid),
                _ => None,
            };
            service.decide_pair(
                &actor,
                &crate::domain::ids::MentorId::new(mentor.as_str()),
                &crate::domain::ids::InternId::new(intern.as_str()),
                kind,
                reason,
            )?;
            println!("{mentor} – {intern}: {what}");
        }
        Command::Mentors { .. } => {
            let (service, actor) = open(&cli)?;
            let n = service.mentors_from_team(&actor)?;
            println!("{n} team member(s) became mentors");
        }
        Command::Rank {
            stage,
            method,
            as_of,
            format,
        } => {
            let (service, actor) = open(&cli)?;
            let stage = StageId::new(stage.as_str());
            let report = match as_of {
                Some(t) => {
                    let at = rank::parse_time(t, &service, &actor, &cli.i18n())?;
                    service.analyse_stage_as_of(&actor, &stage, at)?
                }
                None => service.analyse_stage(&actor, &stage)?,
            };
            let method = method
                .as_deref()
                .and_then(crate::domain::regulation::Aggregation::from_code);
            rank::print(&report, method, *format)?;
        }
        Command::Advance { stage } => {
            let (service, actor) = open(&cli)?;
            rank::advance(&service, &actor, &StageId::new(stage.as_str()))?;
        }
        Command::ReopenStage { stage, reason } => {
            let (service, actor) = open(&cli)?;
            service.reopen_stage(&actor, &StageId::new(stage.as_str()), reason)?;
            println!("reopened the stage {stage}");
        }
        Command::ResolveTie {
            stage,
            participants,
            reason,
        } => {
            let (service, actor) = open(&cli)?;
            service.resolve_tie(
                &actor,
                &StageId::new(stage.as_str()),
                participants
                    .iter()
                    .map(|p| ParticipantId::new(p.as_str()))
                    .collect(),
                reason,
            )?;
            println!("the tie is ordered: {}", participants.join(" > "));
        }
        Command::Activity { format } => {
            let (service, actor) = open(&cli)?;
            activity::run(&service, &actor, *format, &cli.i18n())?;
        }
        Command::Juror { command } => {
            let (service, actor) = open(&cli)?;
            match command {
                JurorCommand::AddKey { juror, key } => {
                    let k = service.add_key(&actor, &JurorId::new(juror.as_str()), key)?;
                    println!("{juror}: {}", k.describe());
                }
                JurorCommand::RemoveKey { juror, fingerprint } => {
                    service.remove_key(&actor, &JurorId::new(juror.as_str()), fingerprint)?;
                    println!("{juror}: removed {fingerprint}");
                }
                JurorCommand::Keys { juror } => {
                    let view = service.view(&actor);
                    for j in view
                        .jurors()
                        .filter(|j| juror.as_deref().is_none_or(|id| j.id.as_str() == id))
                    {
                        for k in &j.keys {
                            println!("{}\t{}\t{}", j.id, j.role, k.describe());
                        }
                    }
                }
            }
        }
        Command::Export {
            what,
            format,
            out,
            stage,
            at,
            delimiter,
            draft,
            force,
        } => {
            let (service, actor) = open(&cli)?;
            export::run(
                &service,
                &actor,
                &export::Options {
                    what: *what,
                    format: *format,
                    out: out.as_deref(),
                    stage: stage.as_deref(),
                    at: at.as_deref(),
                    delimiter: delimiter.as_deref(),
                    draft: *draft,
                    force: *force,
                    lang: cli.i18n().lang,
                },
            )?;
        }
        Command::Demo { dir } => demo::run(&cli, dir.as_deref())?,
        Command::Serve {
            listen,
            max_sessions,
            idle_timeout,
        } => serve(&cli, listen, *max_sessions as usize, *idle_timeout)?,
    }
    Ok(())
}

/// Opens the terminal workstation, or prints the status when there is no
/// terminal to open it in.
pub fn workstation(service: Service, actor: Actor, cli: &Cli) -> Result<()> {
    use crate::tui::{App, AppOptions, keymap};
    use std::io::IsTerminal;
    let keymap = keymap::Keymap::load(&cli.keymap, keymap::user_keymap_path().as_deref())
        .map_err(|e| CliError::Message(e.to_string()))?;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        print!("{}", status(&service, &actor));
        println!("(not a terminal: the workstation opens when konkurs runs in one)");
        return Ok(());
    }
    let tr = cli.i18n();
    let log = service.path().join("konkurs.log");
    let db_label = service.path().display().to_string();
    let service = std::sync::Arc::new(service);
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
fn serve(cli: &Cli, listen: &str, max_sessions: usize, idle_timeout: u64) -> Result<()> {
    use crate::tui::keymap::Keymap;
    if cli.as_id.is_some() {
        return Err(CliError::Message(
            "--as does not apply to serve: everyone signs in with their own SSH key".into(),
        ));
    }
    let dir = cli.db.clone().unwrap_or_else(default_db_dir);
    let service = Service::open(&dir)?;
    // The operator's own keymap.toml is theirs: sessions get the keymap
    // named here (a built-in or a file) and nothing else.
    let keymap = Keymap::load(&cli.keymap, None).map_err(|e| CliError::Message(e.to_string()))?;
    let view = service.view(&Actor::local_coordinator());
    let with_keys = view.jurors().filter(|j| !j.keys.is_empty()).count();
    let options = crate::ssh::ServeOptions {
        listen: listen.to_string(),
        max_sessions,
        idle_timeout: (idle_timeout > 0).then(|| std::time::Duration::from_secs(idle_timeout)),
        lang: cli.lang,
        keymap,
    };
    crate::ssh::serve(service, options, |ready| {
        println!(
            "konkurs serve: listening on {} for the database {}",
            ready.addr,
            ready.database.display()
        );
        println!(
            "host key fingerprint: {} (ED25519{}), in {}",
            ready.host_key.fingerprint(),
            if ready.host_key.created {
                ", made now"
            } else {
                ""
            },
            ready.host_key.path.display()
        );
        println!("connect with: {}", ready.ssh_command());
        if with_keys == 0 {
            println!(
                "nobody can sign in yet: register keys with konkurs juror add-key ID 'ssh-ed25519 AAAA...' \
                 (stop the server first) or in the Jury pane of a coordinator's session"
            );
        } else {
            println!("{with_keys} people have registered keys and can sign in");
        }
        println!("Ctrl+C stops the server; every session is told and its work saved.");
    })?;
    println!("konkurs serve: stopped; the database is saved");
    Ok(())
}

fn read_regulation(path: &Path) -> Result<RegulationDoc> {
    let source = std::fs::read_to_string(path)
        .map_err(|e| CliError::Message(format!("cannot read {}: {e}", path.display())))?;
    Ok(RegulationDoc {
        file_name: path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
        source,
    })
}

fn gen_command(command: &Command) -> Result<()> {
    let Command::Gen {
        participants,
        jurors,
        events,
        interns,
        mentors,
        seed,
        out,
    } = command
    else {
        unreachable!("called for gen only")
    };
    let opts = crate::synthetic::GenOptions {
        participants: *participants,
        jurors: *jurors,
        events: *events,
        interns: *interns,
        mentors: *mentors,
        seed: *seed,
    };
    std::fs::create_dir_all(out)
        .map_err(|e| CliError::Message(format!("cannot create {}: {e}", out.display())))?;
    for (name, bytes) in crate::synthetic::generate(&opts) {
        let path = out.join(&name);
        crate::store::backup::write_atomically(&path, &bytes)
            .map_err(|e| CliError::Message(format!("cannot write {}: {e}", path.display())))?;
        println!("{} ({} bytes)", path.display(), bytes.len());
    }
    Ok(())
}

/// A few lines on what the database holds.
pub fn status(service: &Service, actor: &Actor) -> String {
    let view = service.view(actor);
    let mut s = format!("database: {}\n", service.path().display());
    match view.regulation() {
        Some(r) => {
            s += &format!("contest:  {}\n", r.rules.contest.name);
            s += &format!(
                "stages:   {}\n",
                r.rules
                    .stages
                    .iter()
                    .map(|st| st.id.to_string())
                    .collect::<Vec<_>>()
                    .join(" → ")
            );
        }
        None => s += "contest:  no regulation loaded (konkurs init --regulation FILE)\n",
    }
    for (c, label) in [
        (Collection::Participants, "participants"),
        (Collection::Jurors, "jurors"),
        (Collection::Events, "events"),
        (Collection::Attendance, "listeners with attendance"),
        (Collection::Mentors, "mentors"),
        (Collection::Interns, "intern requests"),
        (Collection::Municipalities, "municipalities"),
    ] {
        s += &format!("{:>8}  {label}\n", view.count(c));
    }
    s
}
