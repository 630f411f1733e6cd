//! Running the App in the local terminal: raw mode, the alternate screen,
//! bracketed paste, and a panic hook that puts the terminal back and says
//! where the details were written.

use super::App;
use crossterm::event::{self, DisableBracketedPaste, EnableBracketedPaste, Event};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{self, Write};
use std::path::PathBuf;
use std::time::Duration;

/// How often the App looks for changes made elsewhere when no key comes.
const TICK: Duration = Duration::from_millis(250);

fn restore_terminal() {
    let _ = disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableBracketedPaste,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
}

/// Installs a panic hook that restores the terminal, appends the panic to
/// `log` and tells the user where it is.
fn install_panic_hook(log: PathBuf) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        let backtrace = std::backtrace::Backtrace::force_capture();
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .and_then(|mut f| {
                writeln!(
                    f,
                    "{} konkurs {}: {info}\n{backtrace}",
                    chrono::Utc::now().to_rfc3339(),
                    env!("CARGO_PKG_VERSION")
                )
            })
            .is_ok();
        if written {
            eprintln!(
                "konkurs stopped because of an internal error; the terminal was restored.\n\
                 Every saved score is safe. Details are in {}",
                log.display()
            );
        } else {
            previous(info);
        }
    }));
}

/// Runs `app` until the user quits. `save` is called with the App when it
/// should keep its working state (on quit).
pub fn run(mut app: App, log: PathBuf, mut save: impl FnMut(&App)) -> io::Result<()> {
    install_panic_hook(log);
    enable_raw_mode()?;
    execute!(io::stdout(), EnterAlternateScreen, EnableBracketedPaste)?;
    let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    terminal.hide_cursor()?;
    let result = (|| -> io::Result<()> {
        let mut dirty = true;
        loop {
            if dirty {
                terminal.draw(|f| app.draw(f))?;
            }
            if event::poll(TICK)? {
                let ev = event::read()?;
                if let Event::Resize(..) = ev {
                    terminal.autoresize()?;
                }
                app.handle(&ev);
                dirty = true;
            } else {
                dirty = app.tick();
            }
            if app.quit_requested() {
                save(&app);
                return Ok(());
            }
        }
    })();
    restore_terminal();
    result
}
