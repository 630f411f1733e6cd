//! One SSH session: an [`App`] on its own thread, fed with what the
//! connection receives and drawing into what it sends.
//!
//! The App and its panes are plain, blocking code (a score is flushed to
//! disk before the screen says "saved"), so each session runs on a thread
//! of its own rather than on the network runtime: a slow disk holds up
//! that juror's keystroke, never everybody's connections. The thread waits
//! on one queue of [`SessionEvent`]s with a deadline, which is the next of:
//!
//! * the parser's 50 ms flush, while a lone ESC (or a cut sequence) waits
//!   to be told apart from the start of a longer key;
//! * the regular [`TICK`], which picks up changes made elsewhere, saves the
//!   working state and checks the idle timeout. A change made elsewhere
//!   ([`SessionEvent::Changed`]) brings the tick forward, but never closer
//!   than [`CHANGE_REDRAW_GAP`] to the previous one, so that a busy jury
//!   does not keep every screen redrawing.

use super::input::InputParser;
use super::remote::{ChannelWriter, OutputSender, RemoteBackend};
use crate::service::{Actor, Service};
use crate::text::I18n;
use crate::tui::keymap::Keymap;
use crate::tui::{App, AppOptions};
use ratatui::layout::{Rect, Size};
use ratatui::{Terminal, TerminalOptions, Viewport};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// How often a session looks for changes and saves its working state.
pub const TICK: Duration = Duration::from_millis(250);
/// The silence after which a pending ESC is taken as the Esc key.
pub const FLUSH_AFTER: Duration = Duration::from_millis(50);
/// The least time between two ticks brought forward by others' changes.
pub const CHANGE_REDRAW_GAP: Duration = Duration::from_millis(200);
/// The most events handled before the screen is redrawn.
const EVENTS_PER_DRAW: usize = 64;

/// What the connection tells a session.
#[derive(Debug)]
pub enum SessionEvent {
    /// Bytes the client's terminal sent.
    Input(Vec<u8>),
    /// The client's terminal is now this many columns and rows.
    Resize(u16, u16),
    /// The contest changed (someone saved something).
    Changed,
    /// The server is stopping.
    Shutdown,
    /// The client went away.
    Closed,
}

/// How a session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// The user quit.
    Quit,
    /// No key for the idle timeout.
    Idle,
    /// The server stopped.
    Shutdown,
    /// The connection was lost (client closed or killed).
    Dropped,
}

/// Everything a session needs to start.
pub struct SessionSetup {
    pub service: Arc<Service>,
    pub actor: Actor,
    pub tr: I18n,
    pub keymap: Keymap,
    pub db_label: String,
    pub size: (u16, u16),
    pub idle_timeout: Option<Duration>,
    /// Where the session's exports go.
    pub exports: crate::tui::export_dialog::Exports,
    /// The input passed on by the channel and not yet taken.
    pub inflow: super::remote::Inflow,
}

fn area(cols: u16, rows: u16) -> Rect {
    Rect::new(0, 0, cols.max(1), rows.max(1))
}

/// Runs a session until it ends; the working state is saved on every
/// ending, and the connection is told to close with exit status 0.
pub fn run(setup: SessionSetup, events: Receiver<SessionEvent>, out: OutputSender) -> Ending {
    let SessionSetup {
        service,
        actor,
        tr,
        keymap,
        db_label,
        size: (cols, rows),
        idle_timeout,
        exports,
        inflow,
    } = setup;
    // Whatever the ending, the channel stops waiting for this session.
    struct Closing(super::remote::Inflow);
    impl Drop for Closing {
        fn drop(&mut self) {
            self.0.close();
        }
    }
    let _closing = Closing(inflow.clone());
    let backend = RemoteBackend::new(ChannelWriter::new(out.clone()), Size::new(cols, rows));
    let Ok(mut terminal) = Terminal::with_options(
        backend,
        TerminalOptions {
            viewport: Viewport::Fixed(area(cols, rows)),
        },
    ) else {
        return Ending::Dropped;
    };
    if terminal.backend_mut().enter().is_err() {
        return Ending::Dropped;
    }
    let mut app = App::new(
        service,
        actor,
        AppOptions {
            tr,
            keymap,
            db_label,
            user_keymap: None,
        },
    )
    .with_exports(exports);
    let ending = event_loop(&mut app, &mut terminal, &events, idle_timeout, &inflow);
    app.persist_session();
    if ending != Ending::Dropped {
        let message = match ending {
            Ending::Shutdown => Some(tr.t("serve.stopping").to_string()),
            Ending::Idle => Some(tr.f(
                "serve.idle",
                &[(
                    "minutes",
                    &idle_timeout.map_or(0, |d| d.as_secs().div_ceil(60)),
                )],
            )),
            _ => None,
        };
        let _ = terminal.backend_mut().leave(message.as_deref());
        out.exit(0);
    }
    ending
}

fn event_loop(
    app: &mut App,
    terminal: &mut Terminal<RemoteBackend>,
    events: &Receiver<SessionEvent>,
    idle_timeout: Option<Duration>,
    inflow: &super::remote::Inflow,
) -> Ending {
    let mut parser = InputParser::new();
    let mut dirty = true;
    let mut last_key = Instant::now();
    let mut last_byte = Instant::now();
    let mut last_tick = Instant::now();
    let mut next_tick = last_tick + TICK;
    loop {
        if dirty {
            if terminal.draw(|f| app.draw(f)).is_err() {
                return Ending::Dropped;
            }
            dirty = false;
        }
        let mut deadline = next_tick;
        if parser.has_pending() {
            deadline = deadline.min(last_byte + FLUSH_AFTER);
        }
        let mut first =
            Some(events.recv_timeout(deadline.saturating_duration_since(Instant::now())));
        // Handle what is already queued before drawing again.
        for _ in 0..EVENTS_PER_DRAW {
            let received = match first.take() {
                Some(r) => r,
                None => match events.try_recv() {
                    Ok(e) => Ok(e),
                    Err(_) => break,
                },
            };
            let now = Instant::now();
            match received {
                Ok(SessionEvent::Input(bytes)) => {
                    inflow.taken(bytes.len());
                    last_key = now;
                    last_byte = now;
                    for event in parser.feed(&bytes) {
                        app.handle(&event);
                        dirty = true;
                        if app.quit_requested() {
                            return Ending::Quit;
                        }
                    }
                }
                Ok(SessionEvent::Resize(c, r)) => {
                    terminal.backend_mut().set_size(Size::new(c, r));
                    if terminal.resize(area(c, r)).is_err() {
                        return Ending::Dropped;
                    }
                    dirty = true;
                }
                Ok(SessionEvent::Changed) => {
                    next_tick = next_tick.min(now.max(last_tick + CHANGE_REDRAW_GAP));
                }
                Ok(SessionEvent::Shutdown) => return Ending::Shutdown,
                Ok(SessionEvent::Closed) | Err(RecvTimeoutError::Disconnected) => {
                    return Ending::Dropped;
                }
                Err(RecvTimeoutError::Timeout) => break,
            }
        }
        let now = Instant::now();
        if parser.has_pending() && now >= last_byte + FLUSH_AFTER {
            last_byte = now;
            for event in parser.flush() {
                app.handle(&event);
                dirty = true;
                if app.quit_requested() {
                    return Ending::Quit;
                }
            }
        }
        if now >= next_tick {
            last_tick = now;
            next_tick = now + TICK;
            dirty |= app.tick();
            if idle_timeout.is_some_and(|limit| now.duration_since(last_key) >= limit) {
                return Ending::Idle;
            }
        }
    }
}

/// What the client asked for when it started the session: `ssh -t host --
/// --lang ru --keymap vim`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SessionArgs {
    pub lang: Option<crate::text::Lang>,
    pub keymap: Option<String>,
}

impl SessionArgs {
    /// Parses the command of an exec request. Only the built-in keymaps can
    /// be chosen: a file name would read files on the server. The error is
    /// the word that was not understood.
    pub fn parse(command: &str) -> Result<SessionArgs, String> {
        use crate::text::Lang;
        let mut args = SessionArgs::default();
        let mut words = command.split_whitespace();
        while let Some(word) = words.next() {
            let (name, inline) = match word.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (word, None),
            };
            let mut value = || inline.clone().or_else(|| words.next().map(str::to_string));
            match name {
                "--lang" => {
                    args.lang = Some(match value().as_deref() {
                        Some("ru") => Lang::Ru,
                        Some("en") => Lang::En,
                        other => return Err(format!("--lang {}", other.unwrap_or(""))),
                    })
                }
                "--keymap" => match value() {
                    Some(k) if Keymap::builtin(&k).is_some() => args.keymap = Some(k),
                    other => return Err(format!("--keymap {}", other.unwrap_or_default())),
                },
                _ => return Err(word.to_string()),
            }
        }
        Ok(args)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Lang;

    #[test]
    fn session_arguments_choose_the_language_and_a_built_in_keymap_only() {
        assert_eq!(SessionArgs::parse("").unwrap(), SessionArgs::default());
        assert_eq!(
            SessionArgs::parse("--lang ru --keymap vim").unwrap(),
            SessionArgs {
                lang: Some(Lang::Ru),
                keymap: Some("vim".into())
            }
        );
        assert_eq!(
            SessionArgs::parse("--lang=en").unwrap().lang,
            Some(Lang::En)
        );
        assert_eq!(SessionArgs::parse("--lang de").unwrap_err(), "--lang de");
        assert_eq!(
            SessionArgs::parse("--keymap /etc/passwd.toml").unwrap_err(),
            "--keymap /etc/passwd.toml"
        );
        assert_eq!(SessionArgs::parse("bash").unwrap_err(), "bash");
    }
}
