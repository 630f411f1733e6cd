//! Helpers for driving `konkurs serve` from tests: a small contest built
//! through the library, SSH keys made by `ssh-keygen` and registered with
//! `konkurs juror add-key`, the server as a child process, and tmux as the
//! juror's terminal. Every wait is a bounded poll, never a fixed sleep. And
//! [`Screen`]: the Russian workstation on ratatui's TestBackend.

#![allow(dead_code)]

use chrono::NaiveDate;
use konkurs::domain::contest::{Record, RegulationDoc};
use konkurs::domain::ids::GroupId;
use konkurs::domain::learning::TrainingEvent;
use konkurs::domain::participant::{Indicators, Participant};
use konkurs::domain::people::{Juror, Role};
use konkurs::domain::topic::{EventFormat, Topic};
use konkurs::service::{Actor, ImportKind, Service};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_konkurs");
/// How long any one thing may take before a test gives up.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// Fails the test with a clear message when a tool it drives is missing.
pub fn require(tool: &str, version_arg: &str) {
    let ok = Command::new(tool)
        .arg(version_arg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    assert!(
        ok,
        "`{tool}` is needed by the SSH tests and was not found; install it \
         (Debian/Ubuntu: apt-get install -y tmux openssh-client)"
    );
}

/// Polls `f` every 50 ms until it gives `Some`, for at most `within`.
pub fn wait_for<T>(within: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if start.elapsed() >= within {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn person(id: &str, name: &str, role: Role) -> Record {
    Record::Juror(Juror {
        id: id.into(),
        full_name: name.into(),
        role,
        email: String::new(),
        municipality: "Братск".into(),
        tos_name: String::new(),
        keys: Vec::new(),
    })
}

pub fn participant(id: &str, name: &str, group: &str) -> Record {
    Record::Participant(Participant {
        id: id.into(),
        full_name: name.into(),
        tos_name: format!("ТОС «{id}»"),
        municipality: "Иркутск".into(),
        group: GroupId::new(group),
        email: String::new(),
        phone: String::new(),
        application_date: NaiveDate::from_ymd_opt(2021, 2, 1).unwrap(),
        indicators: Indicators::default(),
        notes: String::new(),
    })
}

pub fn event(id: &str, title: &str, day: u32) -> Record {
    let date = NaiveDate::from_ymd_opt(2021, 3, day).unwrap();
    Record::Event(TrainingEvent {
        id: id.into(),
        title: title.into(),
        topic: Topic::Organisation,
        format: EventFormat::Webinar,
        start: date,
        end: date,
        hours: 2.0,
        place: "online".into(),
    })
}

/// A contest at its educational stage: the sample regulation, four
/// listeners, two events, two jurors, a coordinator and an observer.
pub fn contest(dir: &Path) {
    let service = Service::open(dir).unwrap();
    let me = Actor::local_coordinator();
    service
        .set_regulation(
            &me,
            RegulationDoc {
                file_name: "regulation.toml".into(),
                source: konkurs::sample::REGULATION.into(),
            },
        )
        .unwrap();
    let people = vec![
        participant("P001", "Петрова Мария", "city"),
        participant("P002", "Сидоров Олег", "urban"),
        participant("P003", "Кузнецова Ольга", "rural"),
        participant("P004", "Смирнов Иван", "rural"),
    ];
    service
        .import_records(&me, ImportKind::Participants, people, "test", false)
        .unwrap();
    let events = vec![
        event("E01", "Как создать ТОС", 3),
        event("E02", "Фандрайзинг", 10),
    ];
    service
        .import_records(&me, ImportKind::Events, events, "test", false)
        .unwrap();
    let jury = vec![
        person("J01", "Иванова Анна", Role::Juror),
        person("J02", "Орлов Пётр", Role::Juror),
        person("C01", "Секретарь Елена", Role::Coordinator),
        person("O01", "Наблюдатель Борис", Role::Observer),
    ];
    service
        .import_records(&me, ImportKind::Jurors, jury, "test", false)
        .unwrap();
}

/// Makes an ed25519 key pair with `ssh-keygen`; returns the private key's path.
pub fn keygen(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(&path)
        .output()
        .expect("ssh-keygen runs (apt-get install -y openssh-client)");
    assert!(out.status.success(), "ssh-keygen: {out:?}");
    path
}

/// The `SHA256:...` fingerprint of a key, as `ssh-keygen -l` prints it.
pub fn fingerprint(key: &Path) -> String {
    let out = Command::new("ssh-keygen")
        .arg("-lf")
        .arg(key.with_extension("pub"))
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .nth(1)
        .unwrap()
        .to_string()
}

/// Runs `konkurs --db DB ARGS...`: in English, whatever the locale, unless
/// ARGS choose `--lang`.
pub fn konkurs(db: &Path, args: &[&str]) -> Output {
    // English unless the test chooses, whatever the machine's locale.
    let lang: &[&str] = if args.contains(&"--lang") {
        &[]
    } else {
        &["--lang", "en"]
    };
    Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(lang)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// Registers the public half of `key` for `who` with `konkurs juror add-key`.
pub fn add_key(db: &Path, who: &str, key: &Path) {
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    let out = konkurs(db, &["juror", "add-key", who, public.trim()]);
    assert!(out.status.success(), "add-key: {out:?}");
}

/// A contest database with keys for J01, C01 and O01 (in `keys`), and an
/// unregistered key `stranger`.
pub struct World {
    pub db: tempfile::TempDir,
    pub keys: tempfile::TempDir,
}

impl World {
    pub fn new() -> World {
        require("ssh", "-V");
        require("ssh-keygen", "-?");
        let db = tempfile::tempdir().unwrap();
        let keys = tempfile::tempdir().unwrap();
        contest(db.path());
        for who in ["J01", "C01", "O01"] {
            let k = keygen(keys.path(), who);
            add_key(db.path(), who, &k);
        }
        keygen(keys.path(), "stranger");
        World { db, keys }
    }

    pub fn key(&self, name: &str) -> PathBuf {
        self.keys.path().join(name)
    }

    /// Starts `konkurs serve` on a free loopback port.
    pub fn serve(&self, extra: &[&str]) -> Server {
        Server::start(self.db.path(), extra)
    }
}

/// `konkurs serve` as a child process, stopped when dropped.
pub struct Server {
    child: Child,
    pub port: u16,
    /// What the server printed before it was ready.
    pub banner: String,
}

impl Server {
    pub fn start(db: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(BIN)
            .arg("--db")
            .arg(db)
            .args(["--lang", "en", "serve", "--listen", "127.0.0.1:0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut banner = String::new();
        let deadline = Instant::now() + PATIENCE;
        let port = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = rx
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("konkurs serve did not start; it printed:\n{banner}"));
            banner += &line;
            banner.push('\n');
            if let Some(rest) = line.strip_prefix("connect with: ssh -p ") {
                break rest.split_whitespace().next().unwrap().parse().unwrap();
            }
        };
        // Keep reading so that the server never blocks on a full pipe.
        std::thread::spawn(move || while rx.recv().is_ok() {});
        Server {
            child,
            port,
            banner,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM and waits (bounded) for the server to exit.
    pub fn stop(&mut self) -> ExitStatus {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        wait_for(PATIENCE, || self.child.try_wait().unwrap()).expect("the server stops on SIGTERM")
    }

    /// The ssh command line for `user` with `key`, as a juror would type it.
    pub fn ssh_args(&self, key: &Path, user: &str) -> Vec<String> {
        let mut args: Vec<String> = [
            "-F",
            "/dev/null",
            "-p",
            &self.port.to_string(),
            "-i",
            &key.display().to_string(),
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "BatchMode=yes",
            "-o",
            "PreferredAuthentications=publickey",
            "-o",
            "LogLevel=ERROR",
            "-o",
            "ConnectTimeout=10",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.push(format!("{user}@127.0.0.1"));
        args
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

static TMUX_SERVERS: AtomicUsize = AtomicUsize::new(0);

/// A terminal 120×40 in its own tmux server, running one command.
pub struct Tmux {
    socket: String,
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

impl Tmux {
    /// Runs `command` (words) in a new terminal; when it ends, the
    /// terminal shows `EXIT=<status>` and stays open.
    pub fn run(command: &[String]) -> Tmux {
        Tmux::run_sized(command, 120, 40)
    }

    /// [`Tmux::run`] in a terminal of `cols`×`rows`.
    pub fn run_sized(command: &[String], cols: u16, rows: u16) -> Tmux {
        require("tmux", "-V");
        let socket = format!(
            "konkurs-test-{}-{}",
            std::process::id(),
            TMUX_SERVERS.fetch_add(1, Ordering::Relaxed)
        );
        let line = command
            .iter()
            .map(|w| quote(w))
            .collect::<Vec<_>>()
            .join(" ");
        let script = format!("{line}; echo EXIT=$?; sleep 60");
        let out = Command::new("tmux")
            .args(["-L", &socket, "-f", "/dev/null", "-u"])
            .args(["new-session", "-d", "-x", &cols.to_string()])
            .args(["-y", &rows.to_string(), "sh", "-c", &script])
            .env("LANG", "C.UTF-8")
            .env_remove("TMUX")
            .output()
            .unwrap();
        assert!(out.status.success(), "tmux new-session: {out:?}");
        Tmux { socket }
    }

    /// Types keys as `tmux send-keys` names them (`Tab`, `Space`, `q`).
    pub fn keys(&self, keys: &[&str]) {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "send-keys"])
            .args(keys)
            .output()
            .unwrap();
        assert!(out.status.success(), "tmux send-keys: {out:?}");
    }

    /// The screen as text.
    pub fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the screen satisfies `test`; panics with the last
    /// screen after [`PATIENCE`].
    pub fn wait(&self, what: &str, test: impl Fn(&str) -> bool) -> String {
        self.wait_within(PATIENCE, what, test)
    }

    pub fn wait_within(&self, within: Duration, what: &str, test: impl Fn(&str) -> bool) -> String {
        let mut last = String::new();
        wait_for(within, || {
            last = self.screen();
            test(&last).then(|| last.clone())
        })
        .unwrap_or_else(|| panic!("waited {within:?} for {what}; the screen was:\n{last}"))
    }

    /// Waits for the text `needle` to appear.
    pub fn wait_text(&self, needle: &str) -> String {
        self.wait(&format!("«{needle}»"), |s| s.contains(needle))
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

/// The criteria of the sample regulation's portfolio stage.
pub const PORTFOLIO_CRITERIA: [&str; 5] = [
    "projects",
    "creative_task",
    "partnership",
    "media",
    "mentoring",
];

/// The sample contest with the educational stage closed and the portfolio
/// stage's jurors assigned automatically; returns J02's queue there.
pub fn sample_at_portfolio(service: &Service) -> Vec<konkurs::domain::ids::ParticipantId> {
    let coordinator = Actor::local_coordinator();
    konkurs::sample::load(service, &coordinator).unwrap();
    let education = konkurs::domain::ids::StageId::new("education");
    let portfolio = konkurs::domain::ids::StageId::new("portfolio");
    service
        .close_stage(&coordinator, &education, "protocol")
        .unwrap();
    service.assign_auto(&coordinator, &portfolio, None).unwrap();
    let juror = service.actor("J02").unwrap();
    service
        .view(&juror)
        .assignments(&portfolio)
        .iter()
        .map(|a| a.participant.clone())
        .collect()
}

/// Scores and submits every assigned sheet of a stage that is not
/// abstained: each juror has a leniency, each participant a hidden
/// quality, so jurors broadly agree; `comment` writes each justification.
pub fn score_stage(
    service: &Service,
    stage: &konkurs::domain::ids::StageId,
    criteria: &[&str],
    comment: impl Fn(&konkurs::domain::ids::ParticipantId) -> String,
) {
    use konkurs::domain::ids::{CriterionId, JurorId, ParticipantId};
    use konkurs::domain::scoring::SheetStatus;
    let jurors: Vec<JurorId> = service
        .view(&Actor::local_coordinator())
        .jurors()
        .filter(|j| j.role == Role::Juror)
        .map(|j| j.id.clone())
        .collect();
    for (n, j) in jurors.iter().enumerate() {
        let actor = service.actor(j.as_str()).unwrap();
        let leniency = n as f64 * 0.5 - 1.0;
        let view = service.view(&actor);
        let queue: Vec<ParticipantId> = view
            .assignments(stage)
            .iter()
            .map(|a| a.participant.clone())
            .filter(|p| {
                view.sheet(stage, p, j)
                    .is_none_or(|s| s.status != SheetStatus::Abstained)
            })
            .collect();
        for p in queue {
            let digits: u32 = p.as_str().bytes().map(u32::from).sum();
            let quality = 3.0 + (digits % 6) as f64;
            for (k, c) in criteria.iter().enumerate() {
                let v = (quality + leniency + (k % 2) as f64 * 0.5).clamp(1.0, 9.5);
                let v = (v * 2.0).round() / 2.0;
                service
                    .set_score(&actor, stage, &p, &CriterionId::new(*c), Some(v))
                    .unwrap();
            }
            service
                .set_comment(&actor, stage, &p, &comment(&p))
                .unwrap();
            service.submit(&actor, stage, &p).unwrap();
        }
    }
}

/// The workstation in Russian on ratatui's TestBackend: keys in, the
/// screen's text out, as a person reads it.
pub struct Screen {
    pub app: konkurs::tui::App,
    terminal: ratatui::Terminal<ratatui::backend::TestBackend>,
}

impl Screen {
    pub fn new(service: &std::sync::Arc<Service>, actor: Actor, w: u16, h: u16) -> Screen {
        use konkurs::text::{I18n, Lang};
        let app = konkurs::tui::App::new(
            service.clone(),
            actor,
            konkurs::tui::AppOptions {
                tr: I18n::new(Lang::Ru),
                keymap: konkurs::tui::keymap::Keymap::builtin("default").unwrap(),
                db_label: "/srv/konkurs".into(),
                user_keymap: None,
            },
        );
        Screen {
            app,
            terminal: ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap(),
        }
    }

    pub fn press(
        &mut self,
        code: crossterm::event::KeyCode,
        modifiers: crossterm::event::KeyModifiers,
    ) -> &mut Self {
        use crossterm::event::{Event, KeyEvent};
        self.app.handle(&Event::Key(KeyEvent::new(code, modifiers)));
        self
    }

    pub fn key(&mut self, code: crossterm::event::KeyCode) -> &mut Self {
        self.press(code, crossterm::event::KeyModifiers::NONE)
    }

    pub fn alt(&mut self, c: char) -> &mut Self {
        self.press(
            crossterm::event::KeyCode::Char(c),
            crossterm::event::KeyModifiers::ALT,
        )
    }

    pub fn type_text(&mut self, text: &str) -> &mut Self {
        for c in text.chars() {
            self.key(crossterm::event::KeyCode::Char(c));
        }
        self
    }

    /// The screen, line by line, without trailing spaces.
    pub fn text(&mut self) -> String {
        self.terminal.draw(|f| self.app.draw(f)).unwrap();
        let buf = self.terminal.backend().buffer().clone();
        let mut out = String::new();
        for y in 0..buf.area.height {
            let mut line = String::new();
            for x in 0..buf.area.width {
                line.push_str(buf[(x, y)].symbol());
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}
