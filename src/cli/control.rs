//! The local control socket of `konkurs serve`: a Unix socket in the
//! database directory (mode 0600), through which any `konkurs` command
//! started on the same machine runs inside the server while it holds the
//! database, as the local coordinator, with the same output, exit status
//! and audit entries as when nothing is serving.
//!
//! The client sends one request frame (its arguments, working directory
//! and language), then its standard input in frames; the server answers
//! with frames of standard output and error, and the exit status last. A
//! frame is a tag byte, a big-endian `u32` length and that many bytes.

use super::{CliError, Console, Place};
use crate::service::Service;
use crate::store::CONTROL_SOCKET;
use crate::text::Lang;
use serde::{Deserialize, Serialize};
use std::io::{self, BufReader, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

const REQUEST: u8 = b'q';
const INPUT: u8 = b'i';
const INPUT_END: u8 = b'e';
const OUTPUT: u8 = b'o';
const ERROR: u8 = b'r';
const EXIT: u8 = b'x';

/// The longest frame accepted.
const MAX_FRAME: usize = 16 << 20;

/// Output is sent in frames of up to this many bytes.
const CHUNK: usize = 32 << 10;

#[derive(Serialize, Deserialize)]
struct Request {
    args: Vec<String>,
    cwd: PathBuf,
    /// `ru` or `en`: the client's locale, unless its arguments choose.
    lang: String,
    /// The client's standard output is a terminal.
    #[serde(default)]
    terminal: bool,
}

fn write_frame(w: &mut impl Write, tag: u8, data: &[u8]) -> io::Result<()> {
    let mut frame = Vec::with_capacity(5 + data.len());
    frame.push(tag);
    frame.extend((data.len() as u32).to_be_bytes());
    frame.extend(data);
    w.write_all(&frame)
}

fn read_frame(r: &mut impl Read) -> io::Result<(u8, Vec<u8>)> {
    let mut head = [0u8; 5];
    r.read_exact(&mut head)?;
    let len = u32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
    if len > MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "a control frame is too long",
        ));
    }
    let mut data = vec![0; len];
    r.read_exact(&mut data)?;
    Ok((head[0], data))
}

/// Whether a server's control socket is in `db`.
pub fn reachable(db: &Path) -> bool {
    db.join(CONTROL_SOCKET).exists()
}

/// Runs `args` in the server that holds `db`, with this process's streams;
/// returns the command's exit status.
pub fn forward(db: &Path, args: Vec<String>) -> Result<u8, CliError> {
    let path = db.join(CONTROL_SOCKET);
    let stream = UnixStream::connect(&path)
        .map_err(|e| CliError::file("cli.control.cannot_connect", &path, e))?;
    let request = Request {
        args,
        cwd: std::env::current_dir()?,
        lang: match Lang::from_env() {
            Lang::Ru => "ru".into(),
            Lang::En => "en".into(),
        },
        terminal: std::io::IsTerminal::is_terminal(&std::io::stdout()),
    };
    let mut sending = stream.try_clone()?;
    write_frame(
        &mut sending,
        REQUEST,
        &serde_json::to_vec(&request).expect("a request serialises"),
    )?;
    // Standard input goes on in the background: a command that reads none
    // ends without waiting for it.
    std::thread::spawn(move || {
        let mut buf = vec![0u8; CHUNK];
        let mut stdin = io::stdin().lock();
        loop {
            match stdin.read(&mut buf) {
                Ok(0) | Err(_) => {
                    let _ = write_frame(&mut sending, INPUT_END, &[]);
                    break;
                }
                Ok(n) => {
                    if write_frame(&mut sending, INPUT, &buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
    });
    let mut answers = BufReader::new(stream);
    let mut out = io::stdout().lock();
    loop {
        let (tag, data) =
            read_frame(&mut answers).map_err(|e| CliError::file("cli.control.lost", &path, e))?;
        match tag {
            OUTPUT => out.write_all(&data)?,
            ERROR => {
                out.flush()?;
                io::stderr().write_all(&data)?;
            }
            EXIT => {
                out.flush()?;
                return Ok(data.first().copied().unwrap_or(1));
            }
            _ => {}
        }
    }
}

/// The control socket of a running server; removed when dropped.
pub struct ControlSocket {
    path: PathBuf,
}

impl Drop for ControlSocket {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Listens on the control socket of the database `service` holds, running
/// each command on its own thread.
pub fn listen(service: Arc<Service>) -> io::Result<ControlSocket> {
    use std::os::unix::fs::PermissionsExt;
    let path = service.path().join(CONTROL_SOCKET);
    // A socket left by a server that did not stop cleanly answers no one.
    if path.exists() && UnixStream::connect(&path).is_err() {
        std::fs::remove_file(&path)?;
    }
    let listener = UnixListener::bind(&path)?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    std::thread::Builder::new()
        .name("konkurs-control".into())
        .spawn(move || {
            for stream in listener.incoming().flatten() {
                let service = service.clone();
                let _ = std::thread::Builder::new()
                    .name("konkurs-control-command".into())
                    .spawn(move || {
                        let _ = serve_one(service, stream);
                    });
            }
        })?;
    Ok(ControlSocket { path })
}

/// Runs the one command a client sent.
fn serve_one(service: Arc<Service>, stream: UnixStream) -> io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let (tag, data) = read_frame(&mut reader)?;
    if tag != REQUEST {
        return Ok(());
    }
    let request: Request =
        serde_json::from_slice(&data).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    let lang = if request.lang == "ru" {
        Lang::Ru
    } else {
        Lang::En
    };
    let sink = Arc::new(Mutex::new(stream));
    let mut console = Console {
        out: Box::new(FrameWriter::new(sink.clone(), OUTPUT)),
        err: Box::new(FrameWriter::new(sink.clone(), ERROR)),
        input: Box::new(FrameReader {
            reader,
            pending: Vec::new(),
            at: 0,
            ended: false,
        }),
        terminal: request.terminal,
    };
    let place = Place::Control(service, request.cwd);
    let code = super::run_sent(request.args, &place, lang, &mut console);
    drop(console);
    let mut stream = sink.lock().expect("control stream lock");
    write_frame(&mut *stream, EXIT, &[code])
}

/// Standard output or error of a command, sent in frames.
struct FrameWriter {
    sink: Arc<Mutex<UnixStream>>,
    tag: u8,
    buf: Vec<u8>,
}

impl FrameWriter {
    fn new(sink: Arc<Mutex<UnixStream>>, tag: u8) -> FrameWriter {
        FrameWriter {
            sink,
            tag,
            buf: Vec::new(),
        }
    }
}

impl Write for FrameWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK || self.tag == ERROR {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let mut stream = self.sink.lock().expect("control stream lock");
        write_frame(&mut *stream, self.tag, &self.buf)?;
        self.buf.clear();
        Ok(())
    }
}

impl Drop for FrameWriter {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

/// A command's standard input, from the client's frames.
struct FrameReader {
    reader: BufReader<UnixStream>,
    pending: Vec<u8>,
    at: usize,
    ended: bool,
}

impl Read for FrameReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.pending.len() {
            if self.ended {
                return Ok(0);
            }
            match read_frame(&mut self.reader)? {
                (INPUT, data) => {
                    self.pending = data;
                    self.at = 0;
                }
                (INPUT_END, _) => self.ended = true,
                _ => {}
            }
        }
        let n = buf.len().min(self.pending.len() - self.at);
        buf[..n].copy_from_slice(&self.pending[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}
