//! `konkurs serve`: one process holds the database and serves the
//! workstation over SSH to everyone at once.
//!
//! ```text
//!  TCP ─► accept (refuse blocked addresses) ─► russh connection ─► Connection (auth by key)
//!                                                      │
//!                      session channel ─► channel task ┤ pty size, env, shell/exec, keys
//!                                                      ▼
//!                                   session thread: InputParser ─► App ─► RemoteBackend
//!                                                      │                      │
//!                       change watcher ─► Changed ─────┘    writer task ◄─────┘ channel data
//! ```
//!
//! * **Identity** is the public key alone: a key registered for a juror,
//!   coordinator or observer signs in as that person with that role; the
//!   SSH user name is only compared and logged. Passwords and
//!   keyboard-interactive are not offered. Refused keys are logged and an
//!   address that fails too often is refused for a while ([`super::guard`]).
//! * **Sessions**: each shell (or exec) request on a session channel starts
//!   an App on its own thread ([`super::session`]); at most
//!   `max_sessions` run at once and the next one is told so and closed.
//! * **Live**: a watcher thread waits for the service's generation to move
//!   and tells every session, which redraws when its App says so.
//! * **Shutdown** (SIGINT/SIGTERM): new connections stop, every session is
//!   told, saves its working state and closes with exit status 0; then the
//!   database is flushed and `serve.json` removed.

use super::guard::{EventLog, RateLimiter, WaitingRoom};
use super::hostkey::HostKey;
use super::remote::{Output, OutputReceiver, OutputSender, output_channel};
use super::session::{self, Ending, SessionArgs, SessionEvent, SessionSetup};
use crate::service::{Actor, Service};
use crate::store::{SERVE_INFO_FILE, ServeInfo};
use crate::text::{I18n, Lang};
use crate::tui::keymap::Keymap;
use russh::keys::{HashAlg, PublicKey};
use russh::server::{Auth, ChannelOpenHandle, Msg, PublicKeyOffer, Session, VerifiedPublicKey};
use russh::{
    Channel, ChannelId, ChannelMsg, ChannelOpenFailure, ChannelWriteHalf, MethodKind, MethodSet,
};
use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};

/// How long sessions get to say goodbye when the server stops.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
/// How often the change watcher wakes up to see whether to stop.
const WATCH_TIMEOUT: Duration = Duration::from_millis(250);

/// How `konkurs serve` runs.
pub struct ServeOptions {
    /// `HOST:PORT` to listen on; port 0 takes a free one.
    pub listen: String,
    pub max_sessions: usize,
    /// Close a session after this long without a key (`None`: never).
    pub idle_timeout: Option<Duration>,
    /// The time a client has from connecting to being signed in.
    pub login_grace: Duration,
    /// Sessions (and commands) one person may have open at once.
    pub sessions_per_person: usize,
    /// The language of sessions whose client sends no locale.
    pub lang: Option<Lang>,
    /// The keys of sessions that do not choose their own.
    pub keymap: Keymap,
    /// Runs commands sent over SSH (`ssh HOST list participants`); without
    /// it they are refused.
    pub exec: Option<super::command::Exec>,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {listen}: {source}{hint}")]
    Listen {
        listen: String,
        source: std::io::Error,
        hint: &'static str,
    },
    #[error(transparent)]
    HostKey(#[from] super::hostkey::HostKeyError),
    #[error("cannot write {path}: {source}")]
    ServeInfo {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot start the server: {0}")]
    Runtime(std::io::Error),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// What the server tells its operator once it listens.
pub struct Ready<'a> {
    pub addr: SocketAddr,
    pub host_key: &'a HostKey,
    pub database: &'a Path,
}

impl Ready<'_> {
    /// The command a juror types, e.g. `ssh -p 2222 <your-id>@127.0.0.1`.
    pub fn ssh_command(&self) -> String {
        let ip = self.addr.ip();
        let host = if ip.is_unspecified() {
            "<server-host>".to_string()
        } else {
            ip.to_string()
        };
        format!("ssh -p {} <your-id>@{host}", self.addr.port())
    }
}

/// Serves until SIGINT or SIGTERM, then stops cleanly.
pub fn serve(
    service: Arc<Service>,
    options: ServeOptions,
    ready: impl FnOnce(&Ready),
) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("konkurs-net")
        .build()
        .map_err(ServeError::Runtime)?;
    runtime.block_on(async {
        let stop = stop_signal();
        serve_until(service, options, ready, stop).await
    })
}

/// Completes on SIGINT (Ctrl+C) or SIGTERM.
fn stop_signal() -> impl Future<Output = ()> {
    // The handlers are installed here, inside the runtime and before the
    // server says it is ready: a signal that comes at once stops the server
    // cleanly instead of killing it by default.
    #[cfg(unix)]
    {
        use tokio::signal::unix::{Signal, SignalKind, signal};
        let term = signal(SignalKind::terminate()).ok();
        let int = signal(SignalKind::interrupt()).ok();
        let wait = |s: Option<Signal>| async move {
            match s {
                Some(mut s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        async move {
            tokio::select! {
                _ = wait(term) => {}
                _ = wait(int) => {}
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// Removes `serve.json` when the server ends, however it ends.
struct ServeInfoFile(PathBuf);

impl Drop for ServeInfoFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Serves until `stop` completes.
pub async fn serve_until(
    service: Arc<Service>,
    options: ServeOptions,
    ready: impl FnOnce(&Ready),
    stop: impl Future<Output = ()>,
) -> Result<(), ServeError> {
    let db = service.path().to_path_buf();
    let host_key = HostKey::load_or_create(&db)?;
    let listener =
        TcpListener::bind(&options.listen)
            .await
            .map_err(|source| ServeError::Listen {
                listen: options.listen.clone(),
                hint: match source.kind() {
                    std::io::ErrorKind::AddrInUse => {
                        "; another program uses this port: choose another with --listen HOST:PORT"
                    }
                    std::io::ErrorKind::PermissionDenied => {
                        "; ports below 1024 need special rights: use a port such as 2222"
                    }
                    _ => "",
                },
                source,
            })?;
    let addr = listener.local_addr().map_err(ServeError::Runtime)?;
    let info_path = db.join(SERVE_INFO_FILE);
    let info = ServeInfo {
        pid: std::process::id(),
        listen: addr.to_string(),
    };
    crate::store::backup::write_atomically(
        &info_path,
        &serde_json::to_vec_pretty(&info).expect("serve info serialises"),
    )
    .map_err(|source| ServeError::ServeInfo {
        path: info_path.clone(),
        source,
    })?;
    let _info_file = ServeInfoFile(info_path);

    let config = Arc::new(russh::server::Config {
        server_id: russh::SshId::Standard(
            format!("SSH-2.0-konkurs_{}", env!("CARGO_PKG_VERSION")).into(),
        ),
        methods: MethodSet::from(&[MethodKind::PublicKey][..]),
        auth_rejection_time: Duration::from_secs(1),
        auth_rejection_time_initial: Some(Duration::ZERO),
        keys: vec![host_key.key.clone()],
        max_auth_attempts: 6,
        inactivity_timeout: None,
        keepalive_interval: Some(Duration::from_secs(30)),
        keepalive_max: 3,
        nodelay: true,
        // Each channel queues at most this many packets (32 KB each) before
        // the connection stops reading the client: with `Inflow`, what bounds
        // a session's input memory.
        channel_buffer_size: 16,
        ..Default::default()
    });
    let shared = Arc::new(Shared {
        db_label: db.display().to_string(),
        log: EventLog::open(&db.join("konkurs.log")),
        service,
        limiter: RateLimiter::default(),
        waiting: WaitingRoom::default(),
        sessions: Mutex::new(HashMap::new()),
        connections: Mutex::new(HashMap::new()),
        open_connections: AtomicUsize::new(0),
        writers: AtomicUsize::new(0),
        next_id: AtomicU64::new(1),
        stopping: AtomicBool::new(false),
        options,
    });
    ready(&Ready {
        addr,
        host_key: &host_key,
        database: &db,
    });
    shared.log.write(&format!(
        "listening on {addr} for {} (host key {}, at most {} sessions)",
        db.display(),
        host_key.fingerprint(),
        shared.options.max_sessions
    ));
    let watcher = {
        let shared = shared.clone();
        std::thread::Builder::new()
            .name("konkurs-watch".into())
            .spawn(move || watch_changes(&shared))
            .map_err(ServeError::Runtime)?
    };

    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok((socket, peer)) => accept(&shared, &config, socket, peer),
                Err(e) => {
                    // Out of file descriptors and the like: wait, then go on.
                    shared.log.write(&format!("cannot accept a connection: {e}"));
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
        }
    }
    drop(listener);
    shutdown(&shared).await;
    let _ = watcher.join();
    shared.service.flush()?;
    shared.log.write("stopped; the database is flushed");
    Ok(())
}

/// What every connection and session shares.
struct Shared {
    service: Arc<Service>,
    options: ServeOptions,
    db_label: String,
    log: EventLog,
    limiter: RateLimiter,
    /// Connections not yet signed in.
    waiting: WaitingRoom,
    sessions: Mutex<HashMap<u64, SessionSlot>>,
    /// Signed-in connections, to close them when the server stops.
    connections: Mutex<HashMap<u64, russh::server::Handle>>,
    /// Connections open now, signed in or not.
    open_connections: AtomicUsize,
    /// Sessions' writer tasks still sending.
    writers: AtomicUsize,
    next_id: AtomicU64,
    stopping: AtomicBool,
}

/// A workstation session, a command or an SFTP session running.
struct SessionSlot {
    events: std::sync::mpsc::Sender<SessionEvent>,
    thread: Option<std::thread::JoinHandle<()>>,
    /// Whose it is.
    who: String,
}

/// Why nothing more can start now.
enum Full {
    /// `max_sessions` are running.
    Server(usize),
    /// This person has `sessions_per_person` running.
    Person(usize),
}

impl Shared {
    fn id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Whether a new session, command or SFTP session of `who` may start
    /// beside `running`.
    fn full(&self, running: &HashMap<u64, SessionSlot>, who: &str) -> Option<Full> {
        if running.len() >= self.options.max_sessions {
            return Some(Full::Server(self.options.max_sessions));
        }
        let mine = running.values().filter(|s| s.who == who).count();
        (mine >= self.options.sessions_per_person)
            .then_some(Full::Person(self.options.sessions_per_person))
    }

    /// Signed-in connections beyond this are dropped at once: room for
    /// every session and more.
    fn connection_limit(&self) -> usize {
        self.options.max_sessions * 2 + 8
    }
}

/// Gives a finished session's memory back to the system. mimalloc (the
/// binary's allocator) keeps freed pages a while for reuse, and a server
/// that goes quiet after a session would keep them for ever: twelve
/// sessions at the largest window held 100 MB after they closed.
fn give_back_memory() {
    // SAFETY: mi_collect only frees what mimalloc's heaps hold unused
    // (`true`: now, and the pages of threads that ended too).
    unsafe { libmimalloc_sys::mi_collect(true) }
}

/// Tells every session when the contest changes, so that what one juror
/// saves appears on the others' screens without a keystroke there.
fn watch_changes(shared: &Shared) {
    let mut seen = shared.service.generation();
    let mut trouble = shared.service.saving_trouble();
    while !shared.stopping.load(Ordering::Acquire) {
        let now = shared.service.wait_for_change(seen, WATCH_TIMEOUT);
        if now > seen {
            seen = now;
            let was = std::mem::replace(&mut trouble, shared.service.saving_trouble());
            match (was, trouble) {
                (None, Some(t)) => shared.log.write(if t.full {
                    "saving fails: the database's disk is full; every session is told, and saving resumes when there is room"
                } else {
                    "saving fails: the database's disk fails; every session is told"
                }),
                (Some(_), None) => shared.log.write("saving works again"),
                _ => {}
            }
            for slot in shared.sessions.lock().expect("sessions lock").values() {
                let _ = slot.events.send(SessionEvent::Changed);
            }
        }
    }
}

fn accept(
    shared: &Arc<Shared>,
    config: &Arc<russh::server::Config>,
    socket: TcpStream,
    peer: SocketAddr,
) {
    let signed_in_now = shared
        .open_connections
        .load(Ordering::Acquire)
        .saturating_sub(shared.waiting.len());
    if signed_in_now >= shared.connection_limit() {
        shared.log.write(&format!(
            "refused a connection from {peer}: {} signed-in connections are open already",
            shared.connection_limit()
        ));
        return;
    }
    let blocked = shared.limiter.blocked(peer.ip(), Instant::now());
    let id = shared.id();
    let heard = Arc::new(AtomicBool::new(false));
    let close = Arc::new(tokio::sync::Notify::new());
    let seats = if blocked {
        super::guard::WAITING_WHEN_BLOCKED
    } else {
        super::guard::WAITING_PER_ADDRESS
    };
    shared.waiting.admit(
        super::guard::Waiting {
            id,
            ip: peer.ip(),
            since: Instant::now(),
            heard: heard.clone(),
            close: close.clone(),
        },
        seats,
    );
    shared.open_connections.fetch_add(1, Ordering::AcqRel);
    let _ = socket.set_nodelay(true);
    let signed_in = Arc::new(AtomicBool::new(false));
    let tried = Arc::new(AtomicBool::new(false));
    let handler = Connection {
        shared: shared.clone(),
        id,
        peer,
        local: socket.local_addr().unwrap_or(peer),
        actor: None,
        signed_in: signed_in.clone(),
        tried: tried.clone(),
    };
    let socket = Heard {
        inner: socket,
        heard,
    };
    let (shared, config) = (shared.clone(), config.clone());
    let grace = shared.options.login_grace;
    tokio::spawn(async move {
        let connection = async {
            let started =
                tokio::time::timeout(grace, russh::server::run_stream(config, socket, handler))
                    .await;
            if let Ok(Ok(session)) = started {
                let handle = session.handle();
                shared
                    .connections
                    .lock()
                    .expect("connections lock")
                    .insert(id, handle.clone());
                let signed = signed_in.clone();
                let grace = tokio::spawn(async move {
                    tokio::time::sleep(grace).await;
                    if !signed.load(Ordering::Acquire) {
                        let _ = handle
                            .disconnect(
                                russh::Disconnect::ByApplication,
                                "sign-in took too long".into(),
                                String::new(),
                            )
                            .await;
                    }
                });
                let _ = session.await;
                grace.abort();
                shared
                    .connections
                    .lock()
                    .expect("connections lock")
                    .remove(&id);
            }
        };
        tokio::select! {
            // Made room for a newer connection while still silent or
            // signing in.
            _ = close.notified() => {}
            _ = connection => {}
        }
        shared.waiting.leave(id);
        // One failure per connection that tried and never signed in.
        if tried.load(Ordering::Acquire)
            && !signed_in.load(Ordering::Acquire)
            && let Some(length) = shared.limiter.fail(peer.ip(), Instant::now())
        {
            shared.log.write(&format!(
                "{} failed to sign in {} times within {} s: refusing its unknown keys \
                 for {} s (its registered keys still sign in)",
                peer.ip(),
                super::guard::FAILURES_ALLOWED,
                super::guard::FAILURE_WINDOW.as_secs(),
                length.as_secs()
            ));
        }
        shared.open_connections.fetch_sub(1, Ordering::AcqRel);
    });
}

/// A connection's socket that notes when the client first sends something.
struct Heard {
    inner: TcpStream,
    heard: Arc<AtomicBool>,
}

impl tokio::io::AsyncRead for Heard {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = std::pin::Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.heard.store(true, Ordering::Release);
        }
        polled
    }
}

impl tokio::io::AsyncWrite for Heard {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Stops every session and connection, waiting a bounded time for each.
async fn shutdown(shared: &Arc<Shared>) {
    shared.stopping.store(true, Ordering::Release);
    let count = {
        let sessions = shared.sessions.lock().expect("sessions lock");
        for slot in sessions.values() {
            let _ = slot.events.send(SessionEvent::Shutdown);
        }
        sessions.len()
    };
    shared.log.write(&format!(
        "stopping: telling {count} session(s) and saving their work"
    ));
    let deadline = tokio::time::Instant::now() + SHUTDOWN_GRACE;
    while tokio::time::Instant::now() < deadline
        && (!shared.sessions.lock().expect("sessions lock").is_empty()
            || shared.writers.load(Ordering::Acquire) > 0)
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let handles: Vec<russh::server::Handle> = shared
        .connections
        .lock()
        .expect("connections lock")
        .values()
        .cloned()
        .collect();
    for h in handles {
        let _ = h
            .disconnect(
                russh::Disconnect::ByApplication,
                "the konkurs server is stopping; your work is saved".into(),
                String::new(),
            )
            .await;
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    while tokio::time::Instant::now() < deadline
        && shared.open_connections.load(Ordering::Acquire) > 0
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Threads that did not finish in time (a session stuck on a slow
    // disk) are waited for: their work must be saved before the flush.
    let threads: Vec<std::thread::JoinHandle<()>> = shared
        .sessions
        .lock()
        .expect("sessions lock")
        .values_mut()
        .filter_map(|s| s.thread.take())
        .collect();
    for t in threads {
        let _ = tokio::task::spawn_blocking(move || t.join()).await;
    }
}

/// One SSH connection: who signed in, from where.
struct Connection {
    shared: Arc<Shared>,
    id: u64,
    peer: SocketAddr,
    /// The server's address the client connected to.
    local: SocketAddr,
    actor: Option<Actor>,
    signed_in: Arc<AtomicBool>,
    /// Whether the client tried to sign in (a refused key or password).
    tried: Arc<AtomicBool>,
}

/// `256 SHA256:... (ED25519)`, the way `ssh-keygen -l` names a key.
fn describe(key: &PublicKey) -> String {
    format!(
        "{} ({})",
        key.fingerprint(HashAlg::Sha256),
        key.algorithm().as_str()
    )
}

impl Connection {
    /// The person whose registered key this is, if any.
    fn owner(&self, key: &PublicKey) -> Option<Actor> {
        let blob = key.to_bytes().ok()?;
        self.shared
            .service
            .authenticate(key.algorithm().as_str(), &blob)
    }

    /// Logs a refused attempt (unless the address is blocked: then it is
    /// refused unlogged); the connection counts as one failure if it ends
    /// without signing in.
    fn refuse(&self, user: &str, what: &str) -> Auth {
        self.tried.store(true, Ordering::Release);
        if !self.is_blocked() {
            self.shared.log.write(&format!(
                "refused {} user '{}': {what}",
                self.peer,
                user.escape_debug()
            ));
        }
        publickey_only()
    }

    fn is_blocked(&self) -> bool {
        self.shared.limiter.blocked(self.peer.ip(), Instant::now())
    }
}

fn publickey_only() -> Auth {
    Auth::Reject {
        proceed_with_methods: Some(MethodSet::from(&[MethodKind::PublicKey][..])),
        partial_success: false,
    }
}

impl russh::server::Handler for Connection {
    type Error = russh::Error;

    async fn auth_none(&mut self, _user: &str) -> Result<Auth, Self::Error> {
        Ok(publickey_only())
    }

    async fn auth_password(&mut self, user: &str, _password: &str) -> Result<Auth, Self::Error> {
        Ok(self.refuse(
            user,
            "a password was tried; only registered keys are accepted",
        ))
    }

    async fn auth_keyboard_interactive<'a>(
        &'a mut self,
        user: &str,
        _submethods: &str,
        _response: Option<russh::server::Response<'a>>,
    ) -> Result<Auth, Self::Error> {
        Ok(self.refuse(
            user,
            "keyboard-interactive was tried; only registered keys are accepted",
        ))
    }

    async fn auth_publickey_offered(
        &mut self,
        user: &str,
        offer: PublicKeyOffer<'_>,
    ) -> Result<Auth, Self::Error> {
        Ok(match self.owner(offer.public_key) {
            Some(_) => Auth::Accept,
            None => self.refuse(
                user,
                &format!(
                    "key {} is not registered (konkurs juror add-key ID 'KEY' registers it)",
                    describe(offer.public_key)
                ),
            ),
        })
    }

    async fn auth_publickey(
        &mut self,
        user: &str,
        key: VerifiedPublicKey<'_>,
    ) -> Result<Auth, Self::Error> {
        let Some(actor) = self.owner(key.public_key) else {
            return Ok(self.refuse(
                user,
                &format!("key {} is not registered", describe(key.public_key)),
            ));
        };
        let mut line = format!(
            "{} signed in as {} ({}, {}) with key {}",
            self.peer,
            actor.id,
            actor.name,
            actor.role,
            describe(key.public_key)
        );
        if !user.eq_ignore_ascii_case(actor.id.as_str()) {
            line += &format!(
                "; the SSH user name was '{}', but the key decides",
                user.escape_debug()
            );
        }
        self.shared.log.write(&line);
        self.actor = Some(actor);
        self.signed_in.store(true, Ordering::Release);
        self.shared.waiting.leave(self.id);
        Ok(Auth::Accept)
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        let Some(actor) = self.actor.clone() else {
            reply
                .reject(ChannelOpenFailure::AdministrativelyProhibited)
                .await;
            return Ok(());
        };
        reply.accept().await;
        tokio::spawn(channel_task(
            self.shared.clone(),
            actor,
            channel,
            (self.peer, self.local),
        ));
        Ok(())
    }

    async fn pty_request(
        &mut self,
        channel: ChannelId,
        _term: &str,
        _col_width: u32,
        _row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        _modes: &[(russh::Pty, u32)],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_success(channel)
    }

    async fn env_request(
        &mut self,
        channel: ChannelId,
        _name: &str,
        _value: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_success(channel)
    }

    async fn shell_request(
        &mut self,
        channel: ChannelId,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_success(channel)
    }

    async fn exec_request(
        &mut self,
        channel: ChannelId,
        _data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_success(channel)
    }

    /// `sftp` (which `scp` speaks too) is granted here; the channel task
    /// starts it, or tells the client on standard error why not.
    async fn subsystem_request(
        &mut self,
        channel: ChannelId,
        name: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        if self.actor.is_some() && name == "sftp" {
            session.channel_success(channel)
        } else {
            session.channel_failure(channel)
        }
    }
}

/// The locale variables a client sent (`SendEnv LANG LC_*`).
#[derive(Default)]
struct ClientLocale(HashMap<String, String>);

impl ClientLocale {
    fn set(&mut self, name: &str, value: &str) {
        if matches!(name, "LANG" | "LC_ALL" | "LC_MESSAGES") && self.0.len() < 3 {
            self.0.insert(name.to_string(), value.to_string());
        }
    }

    fn lang(&self) -> Option<Lang> {
        Lang::from_locale_vars(|v| self.0.get(v).cloned())
    }
}

/// Serves one session channel: collects the terminal's size and locale,
/// starts the session on a shell or exec request, forwards keys and
/// window changes, and tells the session when the client goes.
async fn channel_task(
    shared: Arc<Shared>,
    actor: Actor,
    channel: Channel<Msg>,
    (peer, local): (SocketAddr, SocketAddr),
) {
    let (mut incoming, outgoing) = channel.split();
    let (out_tx, out_rx) = output_channel();
    let writer = spawn_writer(shared.clone(), outgoing, out_rx);
    let mut size: Option<(u16, u16)> = None;
    let mut locale = ClientLocale::default();
    let mut session: Option<std::sync::mpsc::Sender<SessionEvent>> = None;
    // A command's standard input while one runs; dropped at the client's EOF.
    let mut command: Option<std::sync::mpsc::Sender<Vec<u8>>> = None;
    let mut sftp: Option<super::sftp::Sftp> = None;
    // A channel runs one thing: a session, a command or SFTP.
    let mut started = false;
    // A screen shows no more; a larger window would only cost memory.
    let clamp = |c: u32, r: u32| (c.min(500) as u16, r.min(200) as u16);
    let inflow = super::remote::Inflow::default();
    while let Some(msg) = incoming.wait().await {
        match msg {
            ChannelMsg::RequestPty {
                col_width,
                row_height,
                ..
            }
            | ChannelMsg::WindowChange {
                col_width,
                row_height,
                ..
            } => {
                let (c, r) = clamp(col_width, row_height);
                size = Some((c, r));
                if let Some(s) = &session {
                    let _ = s.send(SessionEvent::Resize(c, r));
                }
            }
            ChannelMsg::SetEnv {
                variable_name,
                variable_value,
                ..
            } => locale.set(&variable_name, &variable_value),
            ChannelMsg::RequestShell { .. } if !started => {
                started = true;
                session = start(
                    &shared,
                    &actor,
                    (size, &locale, &inflow),
                    "",
                    &out_tx,
                    (peer, local),
                );
            }
            ChannelMsg::Exec { command: line, .. } if !started => {
                started = true;
                let line = String::from_utf8_lossy(&line).into_owned();
                if !super::command::is_command(&super::command::words(&line)) {
                    session = start(
                        &shared,
                        &actor,
                        (size, &locale, &inflow),
                        &line,
                        &out_tx,
                        (peer, local),
                    );
                } else {
                    let lang = locale
                        .lang()
                        .or(shared.options.lang)
                        .unwrap_or_else(Lang::from_env);
                    command = run_command(
                        &shared,
                        &actor,
                        (&line, lang, &inflow),
                        &out_tx,
                        (peer, local),
                    );
                }
            }
            ChannelMsg::RequestSubsystem { name, .. } if !started && name == "sftp" => {
                started = true;
                sftp = start_sftp(&shared, &actor, &locale, &out_tx, peer);
            }
            ChannelMsg::Data { data } if sftp.is_some() => {
                if let Some(s) = &sftp
                    && !s.input(data.to_vec())
                {
                    sftp = None;
                }
            }
            // The client has sent all it will: the SFTP server ends.
            ChannelMsg::Eof => {
                sftp = None;
                command = None;
            }
            ChannelMsg::Data { data } => {
                if let Some(s) = &session {
                    inflow.passed(data.len());
                    let _ = s.send(SessionEvent::Input(data.to_vec()));
                }
                if let Some(c) = &command {
                    inflow.passed(data.len());
                    let _ = c.send(data.to_vec());
                }
                // Behind: read no more from the client until it catches up.
                while inflow.full() {
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
            }
            ChannelMsg::Close => break,
            _ => {}
        }
    }
    if let Some(s) = session {
        let _ = s.send(SessionEvent::Closed);
    }
    drop(out_tx);
    let _ = writer.await;
}

/// Sends a channel's output to the client until the session exits or the
/// client goes; counted in the server's writers while it runs.
fn spawn_writer(
    shared: Arc<Shared>,
    outgoing: ChannelWriteHalf<Msg>,
    mut out_rx: OutputReceiver,
) -> tokio::task::JoinHandle<()> {
    shared.writers.fetch_add(1, Ordering::AcqRel);
    tokio::spawn(async move {
        while let Some(output) = out_rx.recv().await {
            match output {
                Output::Data(bytes) => {
                    if outgoing.data_bytes(bytes).await.is_err() {
                        break;
                    }
                }
                Output::ErrData(bytes) => {
                    if outgoing.extended_data_bytes(1, bytes).await.is_err() {
                        break;
                    }
                }
                Output::Exit(status) => {
                    let _ = outgoing.exit_status(status).await;
                    let _ = outgoing.eof().await;
                    let _ = outgoing.close().await;
                    break;
                }
            }
        }
        shared.writers.fetch_sub(1, Ordering::AcqRel);
    })
}

/// How `actor` reaches this server, by the address the client connected
/// to: `ssh -p 2222 J01@192.168.1.5`, or with `scp` the beginning of the
/// line that fetches a file of the exports directory, `scp -P 2222
/// J01@192.168.1.5:`.
fn reach(actor: &Actor, local: SocketAddr, scp: bool) -> String {
    let host = match local.ip() {
        std::net::IpAddr::V6(ip) => format!("[{ip}]"),
        ip => ip.to_string(),
    };
    match (scp, local.port()) {
        (true, 22) => format!("scp {}@{host}:", actor.id),
        (true, p) => format!("scp -P {p} {}@{host}:", actor.id),
        (false, 22) => format!("ssh {}@{host}", actor.id),
        (false, p) => format!("ssh -p {p} {}@{host}", actor.id),
    }
}

/// Runs a command sent over SSH on its own thread, or tells the client why
/// not and closes the channel; returns the sender of its standard input.
fn run_command(
    shared: &Arc<Shared>,
    actor: &Actor,
    (line, lang, inflow): (&str, Lang, &super::remote::Inflow),
    out: &OutputSender,
    (peer, local): (SocketAddr, SocketAddr),
) -> Option<std::sync::mpsc::Sender<Vec<u8>>> {
    use super::command::{CommandIn, CommandOut, ExecRequest};
    let options = &shared.options;
    let tr = I18n::new(lang);
    let refuse = |message: String| {
        let _ = out.err_data(format!("{message}\n").into_bytes());
        out.exit(1);
        None
    };
    let Some(exec) = options.exec.clone() else {
        return refuse(tr.t("serve.no_commands").to_string());
    };
    if shared.stopping.load(Ordering::Acquire) {
        return refuse(tr.t("serve.stopping").to_string());
    }
    let id = shared.id();
    {
        let mut running = shared.sessions.lock().expect("sessions lock");
        if let Some(full) = shared.full(&running, actor.id.as_str()) {
            drop(running);
            return refuse(refuse_full(shared, &full, "a command", actor, peer, &tr));
        }
        running.insert(
            id,
            SessionSlot {
                events: std::sync::mpsc::channel().0,
                thread: None,
                who: actor.id.to_string(),
            },
        );
    }
    let leave = {
        let shared = shared.clone();
        move || {
            shared.sessions.lock().expect("sessions lock").remove(&id);
        }
    };
    let shown = line.escape_debug().to_string();
    if let Err(e) = shared.service.note_command(actor, line) {
        leave();
        shared.log.write(&format!(
            "refused a command of {} from {peer}: it cannot be written to the audit log: {e}",
            actor.id
        ));
        return refuse(e.words(&tr));
    }
    shared
        .log
        .write(&format!("command of {} from {peer}: {shown}", actor.id));
    let (tx, rx) = std::sync::mpsc::channel();
    let request = ExecRequest {
        words: super::command::words(line),
        actor: actor.clone(),
        lang,
        fetch: reach(actor, local, true),
        login: reach(actor, local, false),
        out: Box::new(CommandOut::new(out.clone(), false, options.idle_timeout)),
        err: Box::new(CommandOut::new(out.clone(), true, options.idle_timeout)),
        input: Box::new(CommandIn::new(rx, inflow.clone(), options.idle_timeout)),
    };
    let thread = {
        let leave = leave.clone();
        let (shared, out, who) = (shared.clone(), out.clone(), actor.id.clone());
        std::thread::Builder::new()
            .name("konkurs-command".into())
            .spawn(move || {
                let started = Instant::now();
                let code = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| exec(request)))
                    .unwrap_or(1);
                out.exit(u32::from(code));
                leave();
                shared.log.write(&format!(
                    "command of {who} from {peer} ended with status {code} after {} ms: {shown}",
                    started.elapsed().as_millis()
                ));
            })
    };
    match thread {
        Ok(_) => Some(tx),
        Err(e) => {
            leave();
            shared
                .log
                .write(&format!("cannot start a command thread: {e}"));
            refuse(tr.t("serve.internal_error").to_string())
        }
    }
}

/// Logs why `what` of `actor` cannot start, and words it for them.
fn refuse_full(
    shared: &Shared,
    full: &Full,
    what: &str,
    actor: &Actor,
    peer: SocketAddr,
    tr: &I18n,
) -> String {
    match *full {
        Full::Server(n) => {
            shared.log.write(&format!(
                "refused {what} of {} from {peer}: {n} sessions are open, the most allowed",
                actor.id
            ));
            tr.f("serve.full", &[("n", &n)])
        }
        Full::Person(n) => {
            shared.log.write(&format!(
                "refused {what} of {} from {peer}: they have {n} open, the most one person may",
                actor.id
            ));
            tr.f("serve.person_full", &[("n", &n)])
        }
    }
}

/// Starts a session, or tells the client why not and closes the channel.
fn start(
    shared: &Arc<Shared>,
    actor: &Actor,
    (size, locale, inflow): (Option<(u16, u16)>, &ClientLocale, &super::remote::Inflow),
    command: &str,
    out: &OutputSender,
    (peer, local): (SocketAddr, SocketAddr),
) -> Option<std::sync::mpsc::Sender<SessionEvent>> {
    let options = &shared.options;
    let parsed = SessionArgs::parse(command);
    let lang = parsed
        .as_ref()
        .ok()
        .and_then(|a| a.lang)
        .or_else(|| locale.lang())
        .or(options.lang)
        .unwrap_or_else(Lang::from_env);
    let tr = I18n::new(lang);
    let refuse = |message: String, status: u32| {
        let _ = out.data(format!("{}\r\n", message.replace('\n', "\r\n")).into_bytes());
        out.exit(status);
        None
    };
    let args = match parsed {
        Ok(a) => a,
        Err(word) => return refuse(tr.f("serve.bad_option", &[("option", &word)]), 2),
    };
    let Some((cols, rows)) = size else {
        return refuse(tr.t("serve.no_terminal").to_string(), 1);
    };
    if shared.stopping.load(Ordering::Acquire) {
        return refuse(tr.t("serve.stopping").to_string(), 1);
    }
    let keymap = match &args.keymap {
        Some(name) => Keymap::builtin(name).unwrap_or_else(|| options.keymap.clone()),
        None => options.keymap.clone(),
    };
    let mut sessions = shared.sessions.lock().expect("sessions lock");
    if let Some(full) = shared.full(&sessions, actor.id.as_str()) {
        drop(sessions);
        return refuse(refuse_full(shared, &full, "a session", actor, peer, &tr), 1);
    }
    let id = shared.id();
    let (tx, rx) = std::sync::mpsc::channel();
    let setup = SessionSetup {
        service: shared.service.clone(),
        actor: actor.clone(),
        tr,
        keymap,
        db_label: shared.db_label.clone(),
        size: (cols, rows),
        idle_timeout: options.idle_timeout,
        exports: crate::tui::export_dialog::Exports {
            dir: shared.service.path().join(crate::store::EXPORTS_DIR),
            fetch: reach(actor, local, true),
        },
        inflow: inflow.clone(),
    };
    let thread = {
        let (shared, out, who) = (shared.clone(), out.clone(), actor.id.clone());
        std::thread::Builder::new()
            .name(format!("konkurs-session-{id}"))
            .spawn(move || {
                let started = Instant::now();
                let ending = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    session::run(setup, rx, out.clone())
                }));
                let how = match ending {
                    Ok(Ending::Quit) => "quit".to_string(),
                    Ok(Ending::Idle) => "closed after the idle timeout".to_string(),
                    Ok(Ending::Shutdown) => "closed: the server is stopping".to_string(),
                    Ok(Ending::Dropped) => "the connection was lost; work saved".to_string(),
                    Err(_) => {
                        let _ = out.data(
                            format!(
                                "\x1b[?2004l\x1b[?1049l\x1b[?25h{}\r\n",
                                tr.t("serve.internal_error")
                            )
                            .into_bytes(),
                        );
                        out.exit(1);
                        "ended by an internal error (see the panic message above)".to_string()
                    }
                };
                shared.log.write(&format!(
                    "session of {who} from {peer} ended after {} s: {how}",
                    started.elapsed().as_secs()
                ));
                shared.sessions.lock().expect("sessions lock").remove(&id);
                give_back_memory();
            })
    };
    match thread {
        Ok(t) => {
            sessions.insert(
                id,
                SessionSlot {
                    events: tx.clone(),
                    thread: Some(t),
                    who: actor.id.to_string(),
                },
            );
            drop(sessions);
            shared.log.write(&format!(
                "session of {} from {peer} started ({cols}×{rows}, {})",
                actor.id,
                match lang {
                    Lang::Ru => "ru",
                    Lang::En => "en",
                }
            ));
            Some(tx)
        }
        Err(e) => {
            drop(sessions);
            shared
                .log
                .write(&format!("cannot start a session thread: {e}"));
            refuse(tr.t("serve.internal_error").to_string(), 1)
        }
    }
}

/// Starts the read-only SFTP subsystem on a channel: for coordinators
/// and observers, holding a session slot while it runs; anyone else is
/// told why on standard error and the channel is closed.
fn start_sftp(
    shared: &Arc<Shared>,
    actor: &Actor,
    locale: &ClientLocale,
    out: &OutputSender,
    peer: SocketAddr,
) -> Option<super::sftp::Sftp> {
    use super::sftp::Refusal;
    let options = &shared.options;
    let lang = locale
        .lang()
        .or(options.lang)
        .unwrap_or_else(Lang::from_env);
    let id = shared.id();
    let (events, rx) = std::sync::mpsc::channel();
    let refusal = if !super::sftp::may_fetch(actor.role) {
        Some(Refusal::Juror)
    } else if shared.stopping.load(Ordering::Acquire) {
        Some(Refusal::Stopping)
    } else {
        let mut sessions = shared.sessions.lock().expect("sessions lock");
        match shared.full(&sessions, actor.id.as_str()) {
            Some(Full::Server(n)) => Some(Refusal::Full(n)),
            Some(Full::Person(n)) => Some(Refusal::PersonFull(n)),
            None => {
                let thread = None;
                let who = actor.id.to_string();
                sessions.insert(
                    id,
                    SessionSlot {
                        events,
                        thread,
                        who,
                    },
                );
                None
            }
        }
    };
    if let Some(refusal) = refusal {
        shared.log.write(&format!(
            "refused an sftp session of {} from {peer}: {}",
            actor.id,
            refusal.reason()
        ));
        let _ = out.err_data(format!("{}\n", refusal.word(&I18n::new(lang))).into_bytes());
        out.exit(1);
        return None;
    }
    let log: super::sftp::Log = {
        let shared = shared.clone();
        Arc::new(move |line: &str| shared.log.write(line))
    };
    let ended = {
        let shared = shared.clone();
        Box::new(move || {
            shared.sessions.lock().expect("sessions lock").remove(&id);
        })
    };
    super::sftp::start(super::sftp::Setup {
        db: shared.service.path().to_path_buf(),
        actor: actor.clone(),
        peer,
        tr: I18n::new(lang),
        log,
        out: out.clone(),
        events: rx,
        idle_timeout: options.idle_timeout,
        ended,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clients_locale_chooses_the_language_as_the_c_library_would() {
        let mut locale = ClientLocale::default();
        assert_eq!(locale.lang(), None);
        locale.set("LANG", "ru_RU.UTF-8");
        assert_eq!(locale.lang(), Some(Lang::Ru));
        locale.set("LC_ALL", "en_GB.UTF-8");
        assert_eq!(locale.lang(), Some(Lang::En), "LC_ALL wins over LANG");
        locale.set("PATH", "/tmp/evil");
        assert!(
            !locale.0.contains_key("PATH"),
            "only locale variables are kept"
        );
    }

    #[test]
    fn the_lines_that_reach_the_server_name_the_address_the_client_used() {
        let actor = Actor::local("x");
        let v4: SocketAddr = "192.168.1.5:2222".parse().unwrap();
        let v6: SocketAddr = "[::1]:22".parse().unwrap();
        assert_eq!(reach(&actor, v4, true), "scp -P 2222 local:x@192.168.1.5:");
        assert_eq!(reach(&actor, v4, false), "ssh -p 2222 local:x@192.168.1.5");
        assert_eq!(reach(&actor, v6, true), "scp local:x@[::1]:");
        assert_eq!(reach(&actor, v6, false), "ssh local:x@[::1]");
    }

    #[test]
    fn the_connect_line_names_the_port_and_a_reachable_host() {
        let dir = tempfile::tempdir().unwrap();
        let key = HostKey::load_or_create(dir.path()).unwrap();
        let ready = |addr: &str| {
            Ready {
                addr: addr.parse().unwrap(),
                host_key: &key,
                database: dir.path(),
            }
            .ssh_command()
        };
        assert_eq!(ready("127.0.0.1:2222"), "ssh -p 2222 <your-id>@127.0.0.1");
        assert_eq!(ready("0.0.0.0:2200"), "ssh -p 2200 <your-id>@<server-host>");
    }
}
