//! The screen side of the bridge: a ratatui backend whose "terminal" is an
//! SSH channel.
//!
//! [`CrosstermBackend`] turns a frame into escape sequences and writes them
//! to any [`Write`]; here that is a [`ChannelWriter`], which collects the
//! bytes of one draw and hands them to the connection as one piece of
//! channel data when ratatui flushes. Everything else a backend does by
//! asking the local terminal (its size, where the cursor is) would ask the
//! *server's* terminal, so [`RemoteBackend`] answers from what the client
//! told: the size from the pty request and every window change, the
//! cursor from where it was last put.

use crossterm::cursor::{Hide, Show};
use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::execute;
use crossterm::style::{Print, ResetColor};
use crossterm::terminal::{
    Clear, ClearType as CtClear, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::backend::{Backend, ClearType, CrosstermBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

/// The most bytes that may wait for a client that does not read them; a
/// session past it is taken as lost (its work is saved as for any lost
/// connection), so that a stalled client cannot fill the server's memory.
pub const MAX_BACKLOG: usize = 2 << 20;

/// The most bytes a channel passes on to its session or command before it
/// waits for them to be taken.
pub const MAX_INFLOW: usize = 256 << 10;

/// Bytes a channel has passed on to its session or command and not yet
/// taken: while more than [`MAX_INFLOW`] wait, the channel reads no more
/// from the client, so russh's bounded channel queue fills, the
/// connection stops reading the socket and the client's SSH window
/// closes. A session's memory for input is thus bounded however fast the
/// client writes.
#[derive(Clone, Default)]
pub struct Inflow(Arc<(AtomicUsize, std::sync::atomic::AtomicBool)>);

impl Inflow {
    pub fn passed(&self, n: usize) {
        self.0.0.fetch_add(n, Ordering::AcqRel);
    }

    pub fn taken(&self, n: usize) {
        let _ = self
            .0
            .0
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |p| {
                Some(p.saturating_sub(n))
            });
    }

    /// The taker is gone: nothing more waits.
    pub fn close(&self) {
        self.0.1.store(true, Ordering::Release);
    }

    /// Whether the channel should wait before reading more.
    pub fn full(&self) -> bool {
        !self.0.1.load(Ordering::Acquire) && self.0.0.load(Ordering::Acquire) > MAX_INFLOW
    }
}

/// What a session sends to its connection.
#[derive(Debug)]
pub enum Output {
    /// Bytes for the client's terminal (or a command's standard output).
    Data(Vec<u8>),
    /// Bytes for the client's standard error: a command's, or a refusal
    /// told to a client that has no terminal (`sftp`, `scp`).
    ErrData(Vec<u8>),
    /// The session is over: send this exit status, EOF, and close.
    Exit(u32),
}

/// A queue from a session to its connection that counts the bytes still
/// waiting in it.
pub fn output_channel() -> (OutputSender, OutputReceiver) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let backlog = Arc::new(AtomicUsize::new(0));
    (
        OutputSender {
            tx,
            backlog: backlog.clone(),
        },
        OutputReceiver { rx, backlog },
    )
}

#[derive(Clone)]
pub struct OutputSender {
    tx: UnboundedSender<Output>,
    backlog: Arc<AtomicUsize>,
}

impl OutputSender {
    /// Queues bytes for the client; fails when the connection is gone or
    /// the client has left [`MAX_BACKLOG`] bytes unread.
    pub fn data(&self, bytes: Vec<u8>) -> io::Result<()> {
        self.send(Output::Data(bytes))
    }

    /// Queues bytes for the client's standard error, as [`Self::data`].
    pub fn err_data(&self, bytes: Vec<u8>) -> io::Result<()> {
        self.send(Output::ErrData(bytes))
    }

    fn send(&self, output: Output) -> io::Result<()> {
        let n = match &output {
            Output::Data(b) | Output::ErrData(b) => b.len(),
            Output::Exit(_) => 0,
        };
        if self.backlog.load(Ordering::Acquire) + n > MAX_BACKLOG {
            return Err(io::Error::new(
                io::ErrorKind::WouldBlock,
                "the SSH client has stopped reading",
            ));
        }
        self.backlog.fetch_add(n, Ordering::AcqRel);
        self.tx
            .send(output)
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the SSH connection is closed"))
    }

    /// The bytes queued for the client and not yet sent.
    pub fn backlog(&self) -> usize {
        self.backlog.load(Ordering::Acquire)
    }

    /// Asks the connection to end the session with `status`.
    pub fn exit(&self, status: u32) {
        let _ = self.tx.send(Output::Exit(status));
    }
}

pub struct OutputReceiver {
    rx: UnboundedReceiver<Output>,
    backlog: Arc<AtomicUsize>,
}

impl OutputReceiver {
    /// The next output; `None` once every sender is gone.
    pub async fn recv(&mut self) -> Option<Output> {
        let output = self.rx.recv().await?;
        self.taken(&output);
        Some(output)
    }

    /// The next output if one is queued.
    pub fn try_recv(&mut self) -> Option<Output> {
        let output = self.rx.try_recv().ok()?;
        self.taken(&output);
        Some(output)
    }

    fn taken(&self, output: &Output) {
        if let Output::Data(d) | Output::ErrData(d) = output {
            self.backlog.fetch_sub(d.len(), Ordering::AcqRel);
        }
    }
}

/// Collects bytes and sends them as one piece when flushed.
pub struct ChannelWriter {
    buf: Vec<u8>,
    out: OutputSender,
}

impl ChannelWriter {
    pub fn new(out: OutputSender) -> Self {
        ChannelWriter {
            buf: Vec::with_capacity(16 * 1024),
            out,
        }
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let bytes = std::mem::replace(&mut self.buf, Vec::with_capacity(16 * 1024));
        self.out.data(bytes)
    }
}

/// A backend drawing into an SSH channel, sized as the client says.
pub struct RemoteBackend {
    inner: CrosstermBackend<ChannelWriter>,
    size: Size,
    cursor: Position,
}

impl RemoteBackend {
    pub fn new(writer: ChannelWriter, size: Size) -> Self {
        RemoteBackend {
            inner: CrosstermBackend::new(writer),
            size,
            cursor: Position::ORIGIN,
        }
    }

    /// The client's terminal changed size (call `Terminal::resize` too).
    pub fn set_size(&mut self, size: Size) {
        self.size = size;
    }

    /// Takes over the client's screen: the alternate screen (so that the
    /// juror's own screen comes back as it was), no cursor, and bracketed
    /// paste (so that a pasted justification arrives as text, not keys).
    pub fn enter(&mut self) -> io::Result<()> {
        execute!(
            self.inner,
            EnterAlternateScreen,
            Hide,
            EnableBracketedPaste,
            Clear(CtClear::All)
        )
    }

    /// Gives the screen back, then prints `message` (if any) on the juror's
    /// own screen, where it stays after the connection closes.
    pub fn leave(&mut self, message: Option<&str>) -> io::Result<()> {
        execute!(
            self.inner,
            ResetColor,
            DisableBracketedPaste,
            LeaveAlternateScreen,
            Show
        )?;
        if let Some(m) = message {
            // No pty on the server turns "\n" into "\r\n": do it here.
            execute!(
                self.inner,
                Print(format!("{}\r\n", m.replace('\n', "\r\n")))
            )?;
        }
        Ok(())
    }
}

impl Backend for RemoteBackend {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        self.inner.draw(content)
    }

    fn append_lines(&mut self, n: u16) -> io::Result<()> {
        self.inner.append_lines(n)
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        Ok(self.cursor)
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        let p = position.into();
        self.cursor = p;
        self.inner.set_cursor_position(p)
    }

    fn clear(&mut self) -> io::Result<()> {
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> io::Result<Size> {
        Ok(self.size)
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        Ok(WindowSize {
            columns_rows: self.size,
            pixels: Size::default(),
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        Backend::flush(&mut self.inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::widgets::Paragraph;
    use ratatui::{Terminal, TerminalOptions, Viewport};

    fn received(rx: &mut OutputReceiver) -> Vec<u8> {
        let mut all = Vec::new();
        while let Some(o) = rx.try_recv() {
            if let Output::Data(d) = o {
                all.extend(d);
            }
        }
        all
    }

    #[test]
    fn a_draw_is_sent_as_one_piece_and_a_resize_uses_the_clients_size() {
        let (tx, mut rx) = output_channel();
        let backend = RemoteBackend::new(ChannelWriter::new(tx), Size::new(20, 4));
        let mut terminal = Terminal::with_options(
            backend,
            TerminalOptions {
                viewport: Viewport::Fixed(Rect::new(0, 0, 20, 4)),
            },
        )
        .unwrap();
        terminal
            .draw(|f| f.render_widget(Paragraph::new("привет"), f.area()))
            .unwrap();
        let mut pieces = 0;
        let mut text = Vec::new();
        while let Some(Output::Data(d)) = rx.try_recv() {
            pieces += 1;
            text.extend(d);
        }
        assert_eq!(pieces, 1, "one draw, one piece of channel data");
        assert!(String::from_utf8_lossy(&text).contains("привет"));

        terminal.backend_mut().set_size(Size::new(30, 6));
        terminal.resize(Rect::new(0, 0, 30, 6)).unwrap();
        let completed = terminal
            .draw(|f| f.render_widget(Paragraph::new("x"), f.area()))
            .unwrap();
        assert_eq!(completed.area, Rect::new(0, 0, 30, 6));
        assert!(!received(&mut rx).is_empty());
    }

    #[test]
    fn leaving_restores_the_screen_and_prints_the_message_on_its_own_line() {
        let (tx, mut rx) = output_channel();
        let mut backend = RemoteBackend::new(ChannelWriter::new(tx), Size::new(20, 4));
        backend.enter().unwrap();
        let entered = String::from_utf8(received(&mut rx)).unwrap();
        assert!(
            entered.contains("\x1b[?1049h"),
            "alternate screen: {entered:?}"
        );
        assert!(
            entered.contains("\x1b[?2004h"),
            "bracketed paste: {entered:?}"
        );
        assert!(entered.contains("\x1b[?25l"), "cursor hidden: {entered:?}");
        backend.leave(Some("bye\nnow")).unwrap();
        let left = String::from_utf8(received(&mut rx)).unwrap();
        let alt = left.find("\x1b[?1049l").expect("alternate screen left");
        assert!(left.contains("\x1b[?2004l"));
        assert!(left.contains("\x1b[?25h"));
        let message = left.find("bye\r\nnow\r\n").expect("message with CR LF");
        assert!(
            message > alt,
            "the message is printed on the juror's own screen"
        );
    }

    #[test]
    fn a_closed_connection_is_a_broken_pipe() {
        let (tx, rx) = output_channel();
        drop(rx);
        let mut w = ChannelWriter::new(tx);
        w.write_all(b"x").unwrap();
        assert_eq!(w.flush().unwrap_err().kind(), io::ErrorKind::BrokenPipe);
    }

    #[test]
    fn a_client_that_stops_reading_is_cut_off_at_the_backlog_limit() {
        let (tx, mut rx) = output_channel();
        let chunk = vec![b'x'; MAX_BACKLOG / 4];
        for _ in 0..4 {
            tx.data(chunk.clone()).unwrap();
        }
        let e = tx.data(vec![b'y']).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::WouldBlock);
        // Once the connection takes what waits, there is room again.
        assert_eq!(received(&mut rx).len(), MAX_BACKLOG);
        tx.data(vec![b'y']).unwrap();
    }
}
