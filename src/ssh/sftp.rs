//! The read-only SFTP subsystem: coordinators and observers fetch the
//! exported documents with `scp`, `sftp` or WinSCP from the same server
//! they work on.
//!
//! ```text
//!  channel data ─► Sftp (input task) ─► duplex pipe ─► russh-sftp server ─► Exports
//!                                                            │
//!  channel data ◄─ OutputSender ◄────── pump task ◄──────────┘
//! ```
//!
//! * **One directory**: the client's `/` is [`EXPORTS_DIR`] in the database
//!   directory (made 0700 when first needed); only the regular files
//!   directly in it are listed and served. Names starting with a dot (the
//!   temporary files an export writes before it renames them) are hidden.
//! * **Read-only**: opening for reading, reading, `stat`, listing the
//!   directory and `realpath` are answered; every write, removal, rename,
//!   new directory, attribute change or link is refused.
//! * **No way out**: a path with `..`, a path below the directory and a
//!   symbolic link (whatever it points at) are refused; a file is opened
//!   and then checked to be the very file that was looked at.
//! * **Who**: coordinators and observers; a juror's request for the
//!   subsystem is refused with a sentence that says why ([`Refusal`]).
//! * **Written down**: every fetch and every refusal goes to the server's
//!   event log with the person and the address.
//! * **A session**: it counts against `--max-sessions`, ends after
//!   `--idle-timeout` without a request and when the server stops.

use super::remote::OutputSender;
use super::session::SessionEvent;
use crate::domain::people::Role;
use crate::service::Actor;
use crate::store::EXPORTS_DIR;
use crate::text::I18n;
use russh_sftp::protocol::{
    Attrs, Data, File, FileAttributes, Handle, Name, OpenFlags, Status, StatusCode, Version,
};
use russh_sftp::server::StatusReply;
use std::collections::{HashMap, VecDeque};
use std::fs::Metadata;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Where the server's event log lines go.
pub type Log = Arc<dyn Fn(&str) + Send + Sync>;

/// The most bytes one read answers (a client asks for 32 KiB, WinSCP
/// more): an answer must fit in the 256 KiB message OpenSSH accepts, so
/// this is what its own server answers at most.
const MAX_READ: u32 = 256 * 1024 - 1024;
/// Files and listings one session may hold open at once.
const MAX_HANDLES: usize = 64;
/// Directory entries per answer to a listing.
const ENTRIES_PER_ANSWER: usize = 100;
/// Refusals written to the log per session; the rest are only counted.
const REFUSALS_LOGGED: usize = 20;
/// Bytes the pipe between the channel and the SFTP server holds.
const PIPE: usize = 256 * 1024;
/// Answers waiting for the client past this many bytes: the server waits
/// for the client to read before it answers more.
const HIGH_WATER: usize = 1 << 20;
/// How often a session waiting for the client to read looks again.
const CONGESTED_POLL: Duration = Duration::from_millis(5);
/// A client that reads nothing of its answers for this long is taken as
/// gone.
const STALL: Duration = Duration::from_secs(60);
/// Requests the server has not yet taken, past which a client (that
/// sends without reading the answers) is cut off: the connection's own
/// loop must never wait for this session.
const INPUT_BUDGET: usize = 8 << 20;
/// How often a session looks whether the server stops or it idles.
const TICK: Duration = Duration::from_millis(250);

/// Whether a person with `role` may fetch the exported documents: a
/// protocol holds every juror's scores, so jurors may not.
pub fn may_fetch(role: Role) -> bool {
    matches!(role, Role::Coordinator | Role::Observer)
}

/// The exports directory of the database in `db`, made (mode 0700) if
/// it is missing. A symbolic link in its place is refused.
pub fn prepare_root(db: &Path) -> io::Result<PathBuf> {
    let root = db.join(EXPORTS_DIR);
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    match builder.create(&root) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    let meta = std::fs::symlink_metadata(&root)?;
    if !meta.is_dir() {
        return Err(io::Error::other(format!(
            "{} is not a directory",
            root.display()
        )));
    }
    Ok(root)
}

/// Why an SFTP session is not started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The person is a juror.
    Juror,
    /// The server is stopping.
    Stopping,
    /// This many sessions are open, the most allowed.
    Full(usize),
    /// The person has this many open, the most one person may.
    PersonFull(usize),
}

impl Refusal {
    /// What the client is told (on its standard error).
    pub fn word(self, tr: &I18n) -> String {
        match self {
            Refusal::Juror => tr.t("sftp.juror").to_string(),
            Refusal::Stopping => tr.t("serve.stopping").to_string(),
            Refusal::Full(n) => tr.f("serve.full", &[("n", &n)]),
            Refusal::PersonFull(n) => tr.f("serve.person_full", &[("n", &n)]),
        }
    }

    /// Why, for the event log.
    pub fn reason(self) -> String {
        match self {
            Refusal::Juror => "jurors fetch no exported documents".to_string(),
            Refusal::Stopping => "the server is stopping".to_string(),
            Refusal::Full(n) => format!("{n} sessions are open, the most allowed"),
            Refusal::PersonFull(n) => format!("they have {n} open, the most one person may"),
        }
    }
}

/// What an SFTP session needs from the server.
pub struct Setup {
    /// The database directory; the session serves its exports directory.
    pub db: PathBuf,
    pub actor: Actor,
    pub peer: SocketAddr,
    /// The language of the refusals the client is sent.
    pub tr: I18n,
    pub log: Log,
    /// Where the answers go: the channel's data.
    pub out: OutputSender,
    /// The server's news for this session (only the shutdown matters).
    pub events: std::sync::mpsc::Receiver<SessionEvent>,
    /// Close the session after this long without a request.
    pub idle_timeout: Option<Duration>,
    /// Called once when the session is over, whatever ends it.
    pub ended: Box<dyn FnOnce() + Send>,
}

/// A running SFTP session, fed with the client's channel data. Dropping
/// it (the client sent EOF or closed the channel) ends the session.
pub struct Sftp {
    input: tokio::sync::mpsc::UnboundedSender<Vec<u8>>,
    /// Bytes sent in and not yet taken by the SFTP server.
    queued: Arc<AtomicUsize>,
    /// Set when the client has sent too much unanswered: the rest is
    /// dropped.
    cut_off: Arc<AtomicBool>,
    log: Log,
    label: String,
}

impl Sftp {
    /// Passes bytes from the client to the SFTP server without waiting;
    /// `false` once the session is over, or when the client has sent more
    /// than [`INPUT_BUDGET`] bytes the server has not taken yet (then the
    /// session ends).
    pub fn input(&self, data: Vec<u8>) -> bool {
        let n = data.len();
        if self.queued.load(Ordering::Acquire) + n > INPUT_BUDGET {
            self.cut_off.store(true, Ordering::Release);
            (self.log)(&format!(
                "{}: the client sent more than {} MiB of requests without reading the answers; closing it",
                self.label,
                INPUT_BUDGET >> 20
            ));
            return false;
        }
        self.queued.fetch_add(n, Ordering::AcqRel);
        self.input.send(data).is_ok()
    }
}

/// Starts a session for `setup.actor` (who must be allowed to fetch);
/// `None`, with the channel told to close and the reason logged, when the
/// exports directory cannot be made. Runs inside the server's runtime.
pub fn start(setup: Setup) -> Option<Sftp> {
    let Setup {
        db,
        actor,
        peer,
        tr,
        log,
        out,
        events,
        idle_timeout,
        ended,
    } = setup;
    let who = actor.id.to_string();
    if !may_fetch(actor.role) {
        log(&format!(
            "refused an sftp session of {who} from {peer}: {}",
            Refusal::Juror.reason()
        ));
        out.exit(1);
        ended();
        return None;
    }
    let root = match prepare_root(&db) {
        Ok(root) => root,
        Err(e) => {
            log(&format!(
                "refused an sftp session of {who} from {peer}: cannot make the exports directory {}: {e}",
                db.join(EXPORTS_DIR).display()
            ));
            out.exit(1);
            ended();
            return None;
        }
    };
    log(&format!(
        "sftp session of {who} from {peer} started (read-only, {})",
        root.display()
    ));
    let fetched = Arc::new(AtomicUsize::new(0));
    let exports = Exports {
        root,
        who: who.clone(),
        peer,
        tr,
        log: log.clone(),
        handles: HashMap::new(),
        next_handle: 0,
        fetched: fetched.clone(),
        refusals: 0,
        initialised: false,
    };
    let (ours, theirs) = tokio::io::duplex(PIPE);
    let (mut from_server, mut to_server) = tokio::io::split(ours);
    // `run` spawns the server's own task and returns.
    tokio::spawn(russh_sftp::server::run(theirs, exports));

    // The client's bytes, in order, into the pipe; when the client is done
    // the pipe is shut, and the SFTP server ends at its end.
    let (input, mut incoming) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();
    let queued = Arc::new(AtomicUsize::new(0));
    let cut_off = Arc::new(AtomicBool::new(false));
    {
        let (queued, cut_off) = (queued.clone(), cut_off.clone());
        tokio::spawn(async move {
            while let Some(data) = incoming.recv().await {
                if cut_off.load(Ordering::Acquire) || to_server.write_all(&data).await.is_err() {
                    break;
                }
                queued.fetch_sub(data.len(), Ordering::AcqRel);
            }
            let _ = to_server.shutdown().await;
        });
    }
    let sftp = Sftp {
        input,
        queued,
        cut_off,
        log: log.clone(),
        label: format!("sftp session of {who} from {peer}"),
    };

    // The server's answers to the channel, as fast as the client reads
    // them, until the server ends, the server stops or the session idles.
    tokio::spawn(async move {
        let started = Instant::now();
        let mut last = Instant::now();
        let mut congested_since: Option<Instant> = None;
        let mut tick = tokio::time::interval(TICK);
        let mut buf = vec![0u8; 64 * 1024];
        let how = loop {
            let congested = out.backlog() >= HIGH_WATER;
            if !congested {
                congested_since = None;
            } else if congested_since.get_or_insert_with(Instant::now).elapsed() >= STALL {
                break Some("the client stopped reading".to_string());
            }
            tokio::select! {
                _ = tokio::time::sleep(CONGESTED_POLL), if congested => {
                    // A client still reading its answers is not idle.
                    last = Instant::now();
                }
                read = from_server.read(&mut buf), if !congested => match read {
                    Ok(0) | Err(_) => break None,
                    Ok(n) => {
                        last = Instant::now();
                        if out.data(buf[..n].to_vec()).is_err() {
                            break Some("the client stopped reading".to_string());
                        }
                    }
                },
                _ = tick.tick() => {
                    let mut stopping = false;
                    while let Ok(event) = events.try_recv() {
                        stopping |= matches!(event, SessionEvent::Shutdown);
                    }
                    if stopping {
                        break Some("closed: the server is stopping".to_string());
                    }
                    if idle_timeout.is_some_and(|t| last.elapsed() >= t) {
                        break Some("closed after the idle timeout".to_string());
                    }
                }
            }
        };
        out.exit(0);
        let n = fetched.load(Ordering::Acquire);
        let how = how.unwrap_or_else(|| match n {
            1 => "1 file fetched".to_string(),
            n => format!("{n} files fetched"),
        });
        log(&format!(
            "sftp session of {who} from {peer} ended after {} s: {how}",
            started.elapsed().as_secs()
        ));
        ended();
    });
    Some(sftp)
}

/// Where a path of the client's leads, inside the exports directory.
#[derive(Debug, PartialEq, Eq)]
enum Place {
    /// The directory itself (`/`, `.`, an empty path).
    Root,
    /// A name directly in it.
    File(String),
}

/// Why a path is refused.
#[derive(Debug, PartialEq, Eq)]
enum OutOfBounds {
    /// It has a `..` component.
    Up,
    /// It names something below the directory, or an absolute path of
    /// the server's own.
    Deep,
}

/// Reads a client's path: relative to the exports directory, `/` being
/// the directory itself; `.` and empty components are skipped.
fn place(path: &str) -> Result<Place, OutOfBounds> {
    let parts: Vec<&str> = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.contains(&"..") {
        return Err(OutOfBounds::Up);
    }
    match parts.as_slice() {
        [] => Ok(Place::Root),
        [name] => Ok(Place::File(name.to_string())),
        _ => Err(OutOfBounds::Deep),
    }
}

/// An open handle.
enum Open {
    File { file: Arc<std::fs::File> },
    Dir { entries: Option<VecDeque<File>> },
}

/// The SFTP server's side of one session.
struct Exports {
    root: PathBuf,
    who: String,
    peer: SocketAddr,
    tr: I18n,
    log: Log,
    handles: HashMap<String, Open>,
    next_handle: u64,
    fetched: Arc<AtomicUsize>,
    refusals: usize,
    initialised: bool,
}

/// Runs blocking file work off the network threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> Result<T, StatusReply> {
    match tokio::task::spawn_blocking(work).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(io_status(&e)),
        Err(_) => Err(StatusCode::Failure.into()),
    }
}

fn io_status(e: &io::Error) -> StatusReply {
    match e.kind() {
        io::ErrorKind::NotFound | io::ErrorKind::InvalidInput => StatusCode::NoSuchFile.into(),
        io::ErrorKind::PermissionDenied => StatusCode::PermissionDenied.into(),
        _ => StatusCode::Failure.into(),
    }
}

fn ok(id: u32) -> Status {
    Status {
        id,
        status_code: StatusCode::Ok,
        error_message: "Ok".to_string(),
        language_tag: "en-US".to_string(),
    }
}

#[cfg(unix)]
fn read_at(file: &std::fs::File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

#[cfg(windows)]
fn read_at(file: &std::fs::File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}

/// A listed file, with the line `ls -l` shows for it.
fn entry_of(name: String, meta: &Metadata) -> File {
    let attrs = FileAttributes::from(meta);
    let modified = meta
        .modified()
        .map(|t| {
            chrono::DateTime::<chrono::Local>::from(t)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default();
    File {
        longname: format!(
            "-{} 1 konkurs konkurs {:>10} {modified} {name}",
            attrs.permissions(),
            meta.len()
        ),
        filename: name,
        attrs,
    }
}

/// Whether two looks at a file saw the same file.
#[cfg(unix)]
fn same_file(a: &Metadata, b: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(a: &Metadata, b: &Metadata) -> bool {
    a.is_file() && b.is_file() && a.len() == b.len()
}

impl Exports {
    fn lang_tag(&self) -> &'static str {
        match self.tr.lang {
            crate::text::Lang::Ru => "ru",
            crate::text::Lang::En => "en",
        }
    }

    /// A refusal: written to the log (the first few of a session), and
    /// the client's answer in its language.
    fn refuse(&mut self, code: StatusCode, key: &str, what: &str, why: &str) -> StatusReply {
        self.refusals += 1;
        if self.refusals <= REFUSALS_LOGGED {
            (self.log)(&format!(
                "refused {what} by {} from {}: {why}",
                self.who, self.peer
            ));
            if self.refusals == REFUSALS_LOGGED {
                (self.log)(&format!(
                    "further refusals of the sftp session of {} from {} are not logged",
                    self.who, self.peer
                ));
            }
        }
        code.with_message(self.tr.t(key))
            .with_language_tag(self.lang_tag())
    }

    /// A change of any kind: refused, the exports are read-only.
    fn read_only(&mut self, what: String) -> StatusReply {
        self.refuse(
            StatusCode::PermissionDenied,
            "sftp.read_only",
            &what,
            "the exports are read-only",
        )
    }

    /// The place a client's path leads to, or its refusal.
    fn locate(&mut self, path: &str) -> Result<Place, StatusReply> {
        match place(path) {
            Ok(p) => Ok(p),
            Err(OutOfBounds::Up) => Err(self.refuse(
                StatusCode::PermissionDenied,
                "sftp.outside",
                &format!("the path '{}'", path.escape_debug()),
                "'..' leads out of the exports directory",
            )),
            Err(OutOfBounds::Deep) => Err(self.refuse(
                StatusCode::PermissionDenied,
                "sftp.outside",
                &format!("the path '{}'", path.escape_debug()),
                "only the files directly in the exports directory are served",
            )),
        }
    }

    /// The served file `name`, looked at without following a link: a
    /// hidden name is missing, a link or anything but a regular file is
    /// refused.
    async fn look(&mut self, name: &str) -> Result<(PathBuf, Metadata), StatusReply> {
        if name.starts_with('.') || name.contains('\0') {
            return Err(StatusCode::NoSuchFile.into());
        }
        let path = self.root.join(name);
        let meta = {
            let path = path.clone();
            blocking(move || std::fs::symlink_metadata(&path)).await?
        };
        if meta.file_type().is_symlink() {
            return Err(self.refuse(
                StatusCode::PermissionDenied,
                "sftp.outside",
                &format!("'{}'", name.escape_debug()),
                "it is a symbolic link",
            ));
        }
        if !meta.is_file() {
            return Err(StatusCode::NoSuchFile.into());
        }
        Ok((path, meta))
    }

    async fn attrs(&mut self, path: &str) -> Result<FileAttributes, StatusReply> {
        match self.locate(path)? {
            Place::Root => {
                let root = self.root.clone();
                let meta = blocking(move || std::fs::symlink_metadata(&root)).await?;
                Ok(FileAttributes::from(&meta))
            }
            Place::File(name) => {
                let (_, meta) = self.look(&name).await?;
                Ok(FileAttributes::from(&meta))
            }
        }
    }

    fn new_handle(&mut self, open: Open) -> Result<String, StatusReply> {
        if self.handles.len() >= MAX_HANDLES {
            return Err(StatusCode::Failure
                .with_message(self.tr.t("sftp.too_many"))
                .with_language_tag(self.lang_tag()));
        }
        self.next_handle += 1;
        let handle = self.next_handle.to_string();
        self.handles.insert(handle.clone(), open);
        Ok(handle)
    }

    /// The served files, sorted by name.
    async fn listing(&self) -> Result<VecDeque<File>, StatusReply> {
        let root = self.root.clone();
        blocking(move || {
            let mut files = Vec::new();
            for entry in std::fs::read_dir(&root)? {
                let entry = entry?;
                let Ok(name) = entry.file_name().into_string() else {
                    continue;
                };
                if name.starts_with('.') {
                    continue;
                }
                // `DirEntry::metadata` does not follow links.
                let Ok(meta) = entry.metadata() else { continue };
                if meta.is_file() {
                    files.push(entry_of(name, &meta));
                }
            }
            files.sort_by(|a, b| a.filename.cmp(&b.filename));
            Ok(files.into())
        })
        .await
    }
}

impl russh_sftp::server::Handler for Exports {
    type Error = StatusReply;

    fn unimplemented(&self) -> Self::Error {
        StatusCode::OpUnsupported.into()
    }

    async fn init(
        &mut self,
        _version: u32,
        _extensions: HashMap<String, String>,
    ) -> Result<Version, Self::Error> {
        if self.initialised {
            return Err(StatusCode::BadMessage.into());
        }
        self.initialised = true;
        Ok(Version::new())
    }

    async fn open(
        &mut self,
        id: u32,
        filename: String,
        pflags: OpenFlags,
        _attrs: FileAttributes,
    ) -> Result<Handle, Self::Error> {
        let writes = OpenFlags::WRITE
            | OpenFlags::APPEND
            | OpenFlags::CREATE
            | OpenFlags::TRUNCATE
            | OpenFlags::EXCLUDE;
        if pflags.intersects(writes) {
            return Err(self.read_only(format!("an upload to '{}'", filename.escape_debug())));
        }
        let name = match self.locate(&filename)? {
            Place::Root => return Err(StatusCode::Failure.into()),
            Place::File(name) => name,
        };
        let (path, seen) = self.look(&name).await?;
        let file = blocking(move || {
            let file = std::fs::File::open(&path)?;
            let meta = file.metadata()?;
            if same_file(&seen, &meta) {
                Ok(Some((file, meta.len())))
            } else {
                Ok(None)
            }
        })
        .await?;
        let Some((file, size)) = file else {
            return Err(self.refuse(
                StatusCode::PermissionDenied,
                "sftp.outside",
                &format!("'{}'", name.escape_debug()),
                "it was replaced while being opened",
            ));
        };
        let handle = self.new_handle(Open::File {
            file: Arc::new(file),
        })?;
        self.fetched.fetch_add(1, Ordering::AcqRel);
        (self.log)(&format!(
            "{} from {} fetches {EXPORTS_DIR}/{} ({size} bytes)",
            self.who,
            self.peer,
            name.escape_debug()
        ));
        Ok(Handle { id, handle })
    }

    async fn close(&mut self, id: u32, handle: String) -> Result<Status, Self::Error> {
        match self.handles.remove(&handle) {
            Some(_) => Ok(ok(id)),
            None => Err(StatusCode::Failure.into()),
        }
    }

    async fn read(
        &mut self,
        id: u32,
        handle: String,
        offset: u64,
        len: u32,
    ) -> Result<Data, Self::Error> {
        let Some(Open::File { file }) = self.handles.get(&handle) else {
            return Err(StatusCode::Failure.into());
        };
        let file = file.clone();
        let len = len.min(MAX_READ) as usize;
        let data = blocking(move || {
            let mut buf = vec![0u8; len];
            let n = read_at(&file, &mut buf, offset)?;
            buf.truncate(n);
            Ok(buf)
        })
        .await?;
        if data.is_empty() && len > 0 {
            return Err(StatusCode::Eof.into());
        }
        Ok(Data { id, data })
    }

    async fn write(
        &mut self,
        _id: u32,
        _handle: String,
        _offset: u64,
        _data: Vec<u8>,
    ) -> Result<Status, Self::Error> {
        Err(self.read_only("a write".to_string()))
    }

    async fn lstat(&mut self, id: u32, path: String) -> Result<Attrs, Self::Error> {
        let attrs = self.attrs(&path).await?;
        Ok(Attrs { id, attrs })
    }

    async fn stat(&mut self, id: u32, path: String) -> Result<Attrs, Self::Error> {
        let attrs = self.attrs(&path).await?;
        Ok(Attrs { id, attrs })
    }

    async fn fstat(&mut self, id: u32, handle: String) -> Result<Attrs, Self::Error> {
        match self.handles.get(&handle) {
            Some(Open::File { file }) => {
                let file = file.clone();
                let meta = blocking(move || file.metadata()).await?;
                Ok(Attrs {
                    id,
                    attrs: FileAttributes::from(&meta),
                })
            }
            Some(Open::Dir { .. }) => {
                let root = self.root.clone();
                let meta = blocking(move || std::fs::symlink_metadata(&root)).await?;
                Ok(Attrs {
                    id,
                    attrs: FileAttributes::from(&meta),
                })
            }
            None => Err(StatusCode::Failure.into()),
        }
    }

    async fn setstat(
        &mut self,
        _id: u32,
        path: String,
        _attrs: FileAttributes,
    ) -> Result<Status, Self::Error> {
        Err(self.read_only(format!(
            "changing the attributes of '{}'",
            path.escape_debug()
        )))
    }

    async fn fsetstat(
        &mut self,
        _id: u32,
        _handle: String,
        _attrs: FileAttributes,
    ) -> Result<Status, Self::Error> {
        Err(self.read_only("changing the attributes of an open file".to_string()))
    }

    async fn opendir(&mut self, id: u32, path: String) -> Result<Handle, Self::Error> {
        match self.locate(&path)? {
            Place::Root => {}
            Place::File(name) => {
                // A file is no directory; a link is refused by `look`.
                self.look(&name).await?;
                return Err(StatusCode::NoSuchFile.into());
            }
        }
        let handle = self.new_handle(Open::Dir { entries: None })?;
        Ok(Handle { id, handle })
    }

    async fn readdir(&mut self, id: u32, handle: String) -> Result<Name, Self::Error> {
        let listed = match self.handles.get(&handle) {
            Some(Open::Dir { entries }) => entries.is_some(),
            _ => return Err(StatusCode::Failure.into()),
        };
        if !listed {
            let files = self.listing().await?;
            if let Some(Open::Dir { entries }) = self.handles.get_mut(&handle) {
                *entries = Some(files);
            }
        }
        let Some(Open::Dir {
            entries: Some(entries),
        }) = self.handles.get_mut(&handle)
        else {
            return Err(StatusCode::Failure.into());
        };
        if entries.is_empty() {
            return Err(StatusCode::Eof.into());
        }
        let n = entries.len().min(ENTRIES_PER_ANSWER);
        Ok(Name {
            id,
            files: entries.drain(..n).collect(),
        })
    }

    async fn remove(&mut self, _id: u32, filename: String) -> Result<Status, Self::Error> {
        Err(self.read_only(format!("removing '{}'", filename.escape_debug())))
    }

    async fn mkdir(
        &mut self,
        _id: u32,
        path: String,
        _attrs: FileAttributes,
    ) -> Result<Status, Self::Error> {
        Err(self.read_only(format!("making the directory '{}'", path.escape_debug())))
    }

    async fn rmdir(&mut self, _id: u32, path: String) -> Result<Status, Self::Error> {
        Err(self.read_only(format!("removing the directory '{}'", path.escape_debug())))
    }

    async fn realpath(&mut self, id: u32, path: String) -> Result<Name, Self::Error> {
        let name = match self.locate(&path)? {
            Place::Root => "/".to_string(),
            Place::File(name) => format!("/{name}"),
        };
        Ok(Name {
            id,
            files: vec![File::dummy(name)],
        })
    }

    async fn rename(
        &mut self,
        _id: u32,
        oldpath: String,
        newpath: String,
    ) -> Result<Status, Self::Error> {
        Err(self.read_only(format!(
            "renaming '{}' to '{}'",
            oldpath.escape_debug(),
            newpath.escape_debug()
        )))
    }

    async fn readlink(&mut self, _id: u32, path: String) -> Result<Name, Self::Error> {
        self.locate(&path)?;
        Err(StatusCode::PermissionDenied
            .with_message(self.tr.t("sftp.outside"))
            .with_language_tag(self.lang_tag()))
    }

    async fn symlink(
        &mut self,
        _id: u32,
        linkpath: String,
        targetpath: String,
    ) -> Result<Status, Self::Error> {
        Err(self.read_only(format!(
            "a link '{}' to '{}'",
            linkpath.escape_debug(),
            targetpath.escape_debug()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_leads_to_the_directory_or_a_name_directly_in_it() {
        for root in ["", ".", "/", "./", "//", "/."] {
            assert_eq!(place(root), Ok(Place::Root), "{root:?}");
        }
        for name in ["team.xlsx", "/team.xlsx", "./team.xlsx", "//team.xlsx"] {
            assert_eq!(place(name), Ok(Place::File("team.xlsx".into())), "{name:?}");
        }
    }

    #[test]
    fn a_path_up_or_below_is_out_of_bounds() {
        for up in [
            "..",
            "/..",
            "../konkurs.log",
            "/../konkurs.log",
            "a/../b",
            "./..",
        ] {
            assert_eq!(place(up), Err(OutOfBounds::Up), "{up:?}");
        }
        for deep in ["/etc/passwd", "sub/x.xlsx", "/tmp/db/exports/x.xlsx"] {
            assert_eq!(place(deep), Err(OutOfBounds::Deep), "{deep:?}");
        }
    }

    #[test]
    fn only_coordinators_and_observers_fetch() {
        assert!(may_fetch(Role::Coordinator));
        assert!(may_fetch(Role::Observer));
        assert!(!may_fetch(Role::Juror));
    }

    #[cfg(unix)]
    #[test]
    fn the_exports_directory_is_made_private_and_a_link_in_its_place_refused() {
        use std::os::unix::fs::PermissionsExt;
        let db = tempfile::tempdir().unwrap();
        let root = prepare_root(db.path()).unwrap();
        assert_eq!(root, db.path().join(EXPORTS_DIR));
        let mode = std::fs::metadata(&root).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        assert_eq!(prepare_root(db.path()).unwrap(), root, "made once, kept");

        let other = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), other.path().join(EXPORTS_DIR)).unwrap();
        assert!(prepare_root(other.path()).is_err());
    }

    #[test]
    fn every_refusal_is_worded_in_both_languages() {
        for lang in [crate::text::Lang::En, crate::text::Lang::Ru] {
            let tr = I18n::new(lang);
            for key in [
                "sftp.juror",
                "sftp.read_only",
                "sftp.outside",
                "sftp.too_many",
            ] {
                assert_ne!(tr.t(key), key, "{key} in {lang:?}");
            }
            assert!(Refusal::Full(3).word(&tr).contains('3'));
        }
    }
}
