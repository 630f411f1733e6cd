//! Commands over SSH: `ssh -p 2222 J01@host list participants` runs the
//! konkurs command inside the server as the key's person, with the
//! channel's standard input, output and error, and returns its exit status.
//!
//! The command line's code runs the command ([`Exec`]); this module gives
//! it the streams: output waits while the client is slow to read (the
//! queue holds at most [`super::remote::MAX_BACKLOG`] bytes), and input
//! waiting longer than the idle timeout fails.

use super::remote::OutputSender;
use crate::service::Actor;
use crate::text::Lang;
use std::io::{self, Read, Write};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// A command sent over SSH, for the command line's code to run.
pub struct ExecRequest {
    /// The words after the host: `list participants --format csv`.
    pub words: Vec<String>,
    pub actor: Actor,
    pub lang: Lang,
    /// The beginning of the line that fetches a file of the exports
    /// directory: `scp -P 2222 J01@host:`.
    pub fetch: String,
    /// How this person reaches the server: `ssh -p 2222 J01@host`.
    pub login: String,
    pub out: Box<dyn Write + Send>,
    pub err: Box<dyn Write + Send>,
    pub input: Box<dyn Read + Send>,
}

/// Runs a command sent over SSH; returns its exit status.
pub type Exec = Arc<dyn Fn(ExecRequest) -> u8 + Send + Sync>;

/// Output is sent in pieces of up to this many bytes.
const CHUNK: usize = 32 << 10;

/// How long output may wait for a client that reads nothing when there is
/// no idle timeout.
const STALLED: Duration = Duration::from_secs(600);

/// The words of an exec request, split as a shell would (quotes and
/// backslashes), or on white space when the quotes do not close.
pub fn words(command: &str) -> Vec<String> {
    shlex::split(command)
        .unwrap_or_else(|| command.split_whitespace().map(str::to_string).collect())
}

/// Whether the words of an exec request name a command (`--lang en list
/// participants`) rather than only choose the session's options (`--lang
/// ru --keymap vim`, which open the workstation): a word that is neither
/// an option nor the value of one.
pub fn is_command(words: &[String]) -> bool {
    const WITH_VALUE: [&str; 4] = ["--lang", "--keymap", "--as", "--db"];
    let mut words = words.iter();
    while let Some(w) = words.next() {
        if WITH_VALUE.contains(&w.as_str()) {
            words.next();
        } else if !w.starts_with('-') {
            return true;
        }
    }
    false
}

/// A command's standard output or error, into the channel.
pub struct CommandOut {
    out: OutputSender,
    error: bool,
    buf: Vec<u8>,
    patience: Duration,
}

impl CommandOut {
    pub fn new(out: OutputSender, error: bool, idle: Option<Duration>) -> CommandOut {
        CommandOut {
            out,
            error,
            buf: Vec::new(),
            patience: idle.unwrap_or(STALLED),
        }
    }
}

impl Write for CommandOut {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK || self.error {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let started = Instant::now();
        loop {
            let piece = self.buf.clone();
            let sent = if self.error {
                self.out.err_data(piece)
            } else {
                self.out.data(piece)
            };
            match sent {
                Ok(()) => {
                    self.buf.clear();
                    return Ok(());
                }
                // The client reads slowly: wait for the queue to drain.
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if started.elapsed() > self.patience {
                        return Err(io::Error::new(
                            io::ErrorKind::TimedOut,
                            "the SSH client has stopped reading",
                        ));
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(e) => return Err(e),
            }
        }
    }
}

impl Drop for CommandOut {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

/// A command's standard input, from the channel's data; ends at the
/// client's EOF.
pub struct CommandIn {
    rx: Receiver<Vec<u8>>,
    inflow: super::remote::Inflow,
    pending: Vec<u8>,
    at: usize,
    idle: Option<Duration>,
}

impl CommandIn {
    pub fn new(
        rx: Receiver<Vec<u8>>,
        inflow: super::remote::Inflow,
        idle: Option<Duration>,
    ) -> CommandIn {
        CommandIn {
            rx,
            inflow,
            pending: Vec::new(),
            at: 0,
            idle,
        }
    }
}

impl Drop for CommandIn {
    fn drop(&mut self) {
        self.inflow.close();
    }
}

impl Read for CommandIn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.pending.len() {
            let next = match self.idle {
                Some(idle) => self.rx.recv_timeout(idle),
                None => self.rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
            };
            match next {
                Ok(data) => {
                    self.inflow.taken(data.len());
                    self.pending = data;
                    self.at = 0;
                }
                Err(RecvTimeoutError::Disconnected) => return Ok(0),
                Err(RecvTimeoutError::Timeout) => {
                    return Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "nothing came on standard input within the idle timeout",
                    ));
                }
            }
        }
        let n = buf.len().min(self.pending.len() - self.at);
        buf[..n].copy_from_slice(&self.pending[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exec_request_is_split_as_a_shell_would() {
        assert_eq!(
            words("export team --out 'team 2021.xlsx'"),
            ["export", "team", "--out", "team 2021.xlsx"]
        );
        assert_eq!(words("list  participants"), ["list", "participants"]);
        assert_eq!(words("score \"a b"), ["score", "\"a", "b"]);
    }

    #[test]
    fn session_options_alone_are_no_command() {
        let is = |line: &str| is_command(&words(line));
        assert!(!is(""));
        assert!(!is("--lang ru --keymap vim"));
        assert!(!is("--keymap /etc/passwd"));
        assert!(!is("--bogus"));
        assert!(is("list participants"));
        assert!(is("--lang en list participants"));
        assert!(is("--as C01 status"));
    }
}
