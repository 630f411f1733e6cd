//! Terminal input parser: the raw bytes a remote terminal sends over an SSH
//! channel, turned into the `crossterm` events a local terminal produces.
//!
//! A local App reads its keys through crossterm; over SSH there is no local
//! terminal, only the byte stream the client's terminal emulator writes
//! (xterm, GNOME Terminal/VTE, PuTTY, Windows Terminal, macOS Terminal, the
//! Linux console). [`InputParser`] decodes that stream so that one App serves
//! both kinds of session.
//!
//! # Design
//!
//! The parser is a small byte-driven state machine. Every decision depends
//! only on the bytes seen so far, never on how they were split into
//! [`InputParser::feed`] calls, so a sequence cut by the network in any place
//! decodes exactly like the whole sequence. Time enters only through
//! [`InputParser::flush`], which the caller invokes after a short silence
//! (about 50 ms) while [`InputParser::has_pending`] is true.
//!
//! ```text
//!                    printable, control byte, complete character ──► key event
//!          ┌────────┐
//!          │ Ground │ ◄── a byte that cannot continue a sequence drops
//!          └────────┘     the sequence and is read again here
//!  lead byte │    │ ESC
//!            ▼    ▼
//!         Utf8   Escape ──other byte──► that key with ALT (a lead byte: Utf8 with ALT)
//!                 │ │ └──ESC──► EscEscape ──'[' / 'O'──► Csi / Ss3 with ALT
//!                 │ └──'O'──► Ss3 ──final──► F1–F4, cursor or keypad key
//!                 └──'['──► Csi ──final──► key, mouse, focus
//!                            ├──'['──► LinuxFn ──A..E──► F1–F5
//!                            ├──'M'──► X10Mouse ──3 bytes──► mouse
//!                            └──"200~"──► Paste ──ESC [ 201 ~──► one Paste event
//! ```
//!
//! * **Ground**: printable ASCII becomes `KeyCode::Char` (uppercase letters
//!   carry SHIFT, as crossterm reports them); a UTF-8 lead byte enters
//!   **Utf8**, which collects the continuation bytes of one character
//!   (Cyrillic included) and drops invalid or overlong forms silently;
//!   control bytes map to Enter, Tab, Backspace and `Ctrl+letter`.
//! * **Escape**: a lone ESC waits. `[` opens a CSI sequence, `O` an SS3
//!   sequence, a second ESC enters **EscEscape** (Alt with a sequence, as
//!   rxvt and macOS Terminal send Alt+arrows); any other key becomes that key
//!   with ALT. `flush` turns a waiting ESC into the Esc key.
//! * **Csi** collects parameter and intermediate bytes into a fixed buffer of
//!   [`MAX_SEQUENCE_BYTES`] and dispatches on the final byte. A sequence
//!   that overflows the buffer is still consumed up to its final byte and
//!   then dropped, so no digit or final letter leaks as a typed key. A byte
//!   that cannot belong to a CSI sequence (a control byte, ESC, non-ASCII)
//!   abandons it and is read again in Ground.
//! * **Ss3** (`ESC O`) decodes F1–F4, the application-mode cursor keys and
//!   the application keypad.
//! * **Paste** collects the text between `ESC [ 200 ~` and `ESC [ 201 ~` into
//!   one [`Event::Paste`]; at most [`MAX_PASTE_BYTES`] are kept and the rest
//!   is dropped while the terminator is still looked for. `flush` does not
//!   end a paste (a slow link may pause in the middle of one); only after
//!   [`PASTE_IDLE_FLUSH_LIMIT`] consecutive flushes without any byte is an
//!   unterminated paste delivered as it stands, so a client that never
//!   sends the terminator cannot swallow all later typing.
//!
//! Nothing grows without bound: the largest buffer is the paste, capped at
//! [`MAX_PASTE_BYTES`]; every other state holds at most
//! [`MAX_SEQUENCE_BYTES`]. The parser never panics on any input.
//!
//! # Sequences
//!
//! | bytes | event | sent by |
//! |---|---|---|
//! | `20`–`7E`, UTF-8 | `Char` (SHIFT when uppercase) | all |
//! | `0D`, `0A` | Enter (the `0A` of a `0D 0A` pair is swallowed, so a client that sends CR LF gives one Enter) | all |
//! | `09` | Tab | all |
//! | `7F`, `08` | Backspace | `7F` most terminals; `08` PuTTY option, Windows Terminal Ctrl+Backspace |
//! | `01`–`1A` others | Ctrl+`a`..`z` | all |
//! | `00` | Ctrl+Space (Ctrl+@) | all |
//! | `1C`–`1F` | Ctrl+`\` `]` `^` `_` | all |
//! | `ESC` then silence | Esc | all |
//! | `ESC` + key | that key with ALT (also Alt+Cyrillic, Alt+Enter, Ctrl+Alt+letter) | xterm metaSendsEscape, VTE, PuTTY, Windows Terminal, macOS "Option as Meta" |
//! | `ESC ESC` + sequence | that key with ALT | rxvt, and terminals that prefix ESC to any key for Alt |
//! | `CSI A/B/C/D/H/F/E` | Up/Down/Right/Left/Home/End/KeypadBegin | xterm, VTE, Windows Terminal |
//! | `CSI 1 ; m X` | the same with modifiers, `m = 1 + shift + 2·alt + 4·ctrl` (+8 super) | xterm, VTE, Windows Terminal, macOS Terminal |
//! | `CSI n ~`, `CSI n ; m ~` | Home 1/7, Insert 2, Delete 3, End 4/8, PageUp 5, PageDown 6, F1–F5 11–15, F6–F10 17–21, F11–F14 23–26, F15–F16 28–29, F17–F20 31–34 | xterm, VTE, PuTTY, rxvt, Linux console |
//! | `CSI 1 ; m P/Q/R/S` | F1–F4 with modifiers | xterm |
//! | `CSI Z` | BackTab (SHIFT) | all |
//! | `SS3 P/Q/R/S` | F1–F4 | xterm, VTE, Windows Terminal, macOS Terminal, PuTTY in VT100+ mode |
//! | `SS3 A/B/C/D/H/F` | cursor keys in application mode | all |
//! | `SS3 M`, `SS3 j`..`y`, `SS3 X` | keypad Enter, `* + , - . /`, digits, `=` in application keypad mode | xterm, PuTTY |
//! | `SS3 a/b/c/d`, `CSI a/b/c/d` | Ctrl+arrows, Shift+arrows | rxvt |
//! | `CSI n $`, `CSI n ^`, `CSI n @` | the `~` key with Shift, Ctrl, Ctrl+Shift | rxvt |
//! | `CSI [ A`..`E` | F1–F5 | Linux console |
//! | `CSI cp ; m u` | the key with code point `cp` (CSI u / fixterms / kitty) | xterm `formatOtherKeys`, kitty, foot, WezTerm |
//! | `CSI 27 ; m ; cp ~` | the same, xterm `modifyOtherKeys` format | xterm |
//! | `CSI 200 ~` … `CSI 201 ~` | one [`Event::Paste`] | all with bracketed paste enabled |
//! | `CSI I`, `CSI O` | FocusGained, FocusLost | all with focus reporting enabled |
//! | `CSI < b ; x ; y M/m` | [`Event::Mouse`] (SGR) | all with mouse reporting enabled |
//! | `CSI b ; x ; y M`, `CSI M b x y` | [`Event::Mouse`] (urxvt, X10) | older terminals |
//!
//! Everything else is dropped whole: replies to queries (`CSI ? … c`, a
//! cursor report `CSI r ; c R` with `r > 1`), unknown final bytes, private
//! sequences, malformed parameters.
//!
//! Some bytes mean more than one key. `CSI 1 ; m R` is F3 with modifiers,
//! as crossterm reads it, not a cursor position report. Where crossterm's
//! Unix reader and what a juror means part ways, the parser follows the
//! juror: `08` is Backspace (crossterm: Ctrl+H) and `0A` is Enter
//! (crossterm in raw mode: Ctrl+J), so Ctrl+H, Ctrl+I, Ctrl+J and Ctrl+M
//! cannot be told from Backspace, Tab and Enter; `1C`–`1F` are reported
//! with the punctuation that names them on a US keyboard (`\`, `]`, `^`,
//! `_`) rather than crossterm's digits `4`–`7`.
//!
//! The text of a paste is kept exactly as the terminal sent it (terminals
//! usually send line breaks as `\r`), as crossterm does locally; invalid
//! UTF-8 inside a paste becomes U+FFFD.

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers, MouseButton, MouseEvent,
    MouseEventKind,
};

/// The most bytes of one paste that are kept; the rest is dropped.
pub const MAX_PASTE_BYTES: usize = 1 << 20;

/// The most parameter and intermediate bytes kept for one escape sequence.
pub const MAX_SEQUENCE_BYTES: usize = 48;

/// After this many consecutive [`InputParser::flush`] calls with no byte in
/// between, an unterminated bracketed paste is delivered as it stands (about
/// two seconds when `flush` runs every 50 ms).
pub const PASTE_IDLE_FLUSH_LIMIT: u32 = 40;

const ESC: u8 = 0x1b;
const PASTE_END: &[u8] = b"\x1b[201~";
const PASTE_START_KEY: u32 = 200;
const PASTE_END_KEY: u32 = 201;
const MODIFY_OTHER_KEYS: u32 = 27;

/// Decodes a terminal's input byte stream into crossterm events.
///
/// ```
/// use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
/// use konkurs::ssh::input::InputParser;
///
/// let mut parser = InputParser::new();
/// let mut events = parser.feed(b"\x1b[1;5");
/// assert!(events.is_empty() && parser.has_pending());
/// events.extend(parser.feed(b"C\x1b"));
/// events.extend(parser.flush());
/// assert_eq!(
///     events,
///     vec![
///         Event::Key(KeyEvent::new(KeyCode::Right, KeyModifiers::CONTROL)),
///         Event::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
///     ]
/// );
/// ```
#[derive(Debug, Default)]
pub struct InputParser {
    state: State,
    /// The previous byte was a CR in Ground: a LF right after it is the
    /// second half of a CR LF Enter, not a second Enter.
    after_cr: bool,
    /// Consecutive `flush` calls since the last byte arrived.
    idle_flushes: u32,
}

#[derive(Debug, Default)]
enum State {
    #[default]
    Ground,
    /// Collecting the continuation bytes of one UTF-8 character.
    Utf8 {
        buf: [u8; 4],
        len: u8,
        need: u8,
        alt: bool,
    },
    /// After one ESC.
    Escape,
    /// After two ESCs: Alt with an escape sequence, or two Esc keys.
    EscEscape,
    /// After `ESC [`.
    Csi { seq: SeqBuf, alt: bool },
    /// After `ESC [ [` (Linux console function keys).
    LinuxFn { alt: bool },
    /// After `ESC O`.
    Ss3 { seq: SeqBuf, alt: bool },
    /// After `ESC [ M`: three raw bytes follow.
    X10Mouse { buf: [u8; 3], len: u8 },
    /// Inside a bracketed paste.
    Paste(Paste),
}

/// The parameter and intermediate bytes of one escape sequence.
#[derive(Debug, Clone, Copy)]
struct SeqBuf {
    bytes: [u8; MAX_SEQUENCE_BYTES],
    len: usize,
    overflow: bool,
}

impl SeqBuf {
    const fn new() -> Self {
        SeqBuf {
            bytes: [0; MAX_SEQUENCE_BYTES],
            len: 0,
            overflow: false,
        }
    }

    fn push(&mut self, b: u8) {
        if self.len < MAX_SEQUENCE_BYTES {
            self.bytes[self.len] = b;
            self.len += 1;
        } else {
            self.overflow = true;
        }
    }

    fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    fn is_bare(&self) -> bool {
        self.len == 0 && !self.overflow
    }
}

/// The text of a bracketed paste being received.
#[derive(Debug, Default)]
struct Paste {
    content: Vec<u8>,
    /// How many bytes of `PASTE_END` have been matched so far.
    matched: usize,
    truncated: bool,
}

impl Paste {
    fn extend(&mut self, bytes: &[u8]) {
        let room = MAX_PASTE_BYTES - self.content.len();
        if bytes.len() > room {
            self.truncated = true;
        }
        self.content
            .extend_from_slice(&bytes[..bytes.len().min(room)]);
    }

    /// Takes one byte; returns true when it completed the terminator.
    fn push(&mut self, b: u8) -> bool {
        if b == PASTE_END[self.matched] {
            self.matched += 1;
            return self.matched == PASTE_END.len();
        }
        // ESC occurs only at the start of the terminator, so a mismatch
        // means the matched prefix was text, and the byte starts afresh.
        let matched = std::mem::take(&mut self.matched);
        self.extend(&PASTE_END[..matched]);
        if b == PASTE_END[0] {
            self.matched = 1;
        } else {
            self.extend(&[b]);
        }
        false
    }

    fn into_text(self) -> String {
        let mut bytes = self.content;
        if self.truncated {
            trim_partial_utf8_tail(&mut bytes);
        }
        match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned(),
        }
    }

    /// The text of a paste whose terminator never came, including a
    /// partly matched terminator, which was text after all.
    fn into_unterminated_text(mut self) -> String {
        let matched = std::mem::take(&mut self.matched);
        self.extend(&PASTE_END[..matched]);
        self.into_text()
    }
}

/// Removes an incomplete UTF-8 character cut off at the end by truncation.
fn trim_partial_utf8_tail(bytes: &mut Vec<u8>) {
    let len = bytes.len();
    for back in 1..=len.min(4) {
        let b = bytes[len - back];
        if b & 0xc0 == 0x80 {
            continue;
        }
        let width = match b {
            0xc0..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf7 => 4,
            _ => 1,
        };
        if width > back {
            bytes.truncate(len - back);
        }
        return;
    }
}

impl InputParser {
    /// A parser in its initial state.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds bytes as they arrive (sequences may be split across calls);
    /// returns complete events.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<Event> {
        let mut out = Vec::new();
        if !bytes.is_empty() {
            self.idle_flushes = 0;
        }
        let mut i = 0;
        while i < bytes.len() {
            // Fast path for paste text: copy everything up to the next ESC.
            if let State::Paste(paste) = &mut self.state
                && paste.matched == 0
            {
                let rest = &bytes[i..];
                let text = rest.iter().position(|&b| b == ESC).unwrap_or(rest.len());
                if text > 0 {
                    paste.extend(&rest[..text]);
                    self.after_cr = false;
                    i += text;
                    continue;
                }
            }
            self.step(bytes[i], &mut out);
            i += 1;
        }
        out
    }

    /// Called when no byte arrived for a short while (e.g. 50 ms): a pending
    /// lone ESC becomes the Esc key; an incomplete sequence is resolved as
    /// best as possible.
    ///
    /// `ESC [` and `ESC O` alone become Alt+`[` and Alt+Shift+`O`; a partial
    /// sequence with parameters or a partial UTF-8 character is dropped. A
    /// bracketed paste is not ended by a flush: keep calling `flush` after
    /// each quiet period while [`has_pending`](Self::has_pending) is true,
    /// and after [`PASTE_IDLE_FLUSH_LIMIT`] of them in a row the paste is
    /// delivered as it stands.
    pub fn flush(&mut self) -> Vec<Event> {
        let mut out = Vec::new();
        match std::mem::take(&mut self.state) {
            State::Ground | State::Utf8 { .. } | State::X10Mouse { .. } => {}
            State::Escape => out.push(key(KeyCode::Esc, KeyModifiers::NONE)),
            State::EscEscape => {
                out.push(key(KeyCode::Esc, KeyModifiers::NONE));
                out.push(key(KeyCode::Esc, KeyModifiers::NONE));
            }
            State::Csi { seq, alt } => {
                if seq.is_bare() {
                    resolve_bare_intro(b'[', alt, &mut out);
                }
            }
            State::Ss3 { seq, alt } => {
                if seq.is_bare() {
                    resolve_bare_intro(b'O', alt, &mut out);
                }
            }
            State::LinuxFn { alt } => {
                resolve_bare_intro(b'[', alt, &mut out);
                out.push(char_key('[', KeyModifiers::NONE));
            }
            State::Paste(paste) => {
                self.idle_flushes = self.idle_flushes.saturating_add(1);
                if self.idle_flushes >= PASTE_IDLE_FLUSH_LIMIT {
                    out.push(Event::Paste(paste.into_unterminated_text()));
                } else {
                    self.state = State::Paste(paste);
                }
            }
        }
        self.after_cr = false;
        out
    }

    /// Whether bytes are pending (so the caller knows to schedule `flush`).
    pub fn has_pending(&self) -> bool {
        !matches!(self.state, State::Ground)
    }

    /// How many input bytes the parser currently holds.
    #[cfg(test)]
    fn pending_bytes(&self) -> usize {
        match &self.state {
            State::Ground => 0,
            State::Utf8 { len, .. } | State::X10Mouse { len, .. } => usize::from(*len) + 1,
            State::Escape => 1,
            State::EscEscape => 2,
            State::Csi { seq, .. } | State::Ss3 { seq, .. } => seq.len + 2,
            State::LinuxFn { .. } => 3,
            State::Paste(paste) => paste.content.len() + paste.matched,
        }
    }

    fn step(&mut self, b: u8, out: &mut Vec<Event>) {
        let after_cr = std::mem::take(&mut self.after_cr);
        match std::mem::take(&mut self.state) {
            State::Ground => self.ground(b, after_cr, out),
            State::Utf8 {
                mut buf,
                len,
                need,
                alt,
            } => {
                if b & 0xc0 != 0x80 {
                    // Truncated character: drop it, read the byte afresh.
                    self.ground(b, false, out);
                    return;
                }
                buf[usize::from(len)] = b;
                let len = len + 1;
                if len < need {
                    self.state = State::Utf8 {
                        buf,
                        len,
                        need,
                        alt,
                    };
                    return;
                }
                let decoded = std::str::from_utf8(&buf[..usize::from(len)])
                    .ok()
                    .and_then(|s| s.chars().next());
                if let Some(c) = decoded.filter(|c| !c.is_control()) {
                    out.push(char_key(c, alt_modifier(alt)));
                }
            }
            State::Escape => self.escape_byte(b, out),
            State::EscEscape => match b {
                b'[' => {
                    self.state = State::Csi {
                        seq: SeqBuf::new(),
                        alt: true,
                    }
                }
                b'O' => {
                    self.state = State::Ss3 {
                        seq: SeqBuf::new(),
                        alt: true,
                    }
                }
                ESC => {
                    out.push(key(KeyCode::Esc, KeyModifiers::NONE));
                    self.state = State::EscEscape;
                }
                _ => {
                    out.push(key(KeyCode::Esc, KeyModifiers::NONE));
                    self.escape_byte(b, out);
                }
            },
            State::Csi { seq, alt } => self.csi_byte(seq, alt, b, out),
            State::Ss3 { seq, alt } => self.ss3_byte(seq, alt, b, out),
            State::LinuxFn { alt } => match b {
                b'A'..=b'E' => out.push(key(KeyCode::F(1 + b - b'A'), alt_modifier(alt))),
                0x40..=0x7e => {}
                _ => self.ground(b, false, out),
            },
            State::X10Mouse { mut buf, len } => {
                buf[usize::from(len)] = b;
                let len = len + 1;
                if usize::from(len) < buf.len() {
                    self.state = State::X10Mouse { buf, len };
                } else if let Some(event) = x10_mouse(buf) {
                    out.push(event);
                }
            }
            State::Paste(mut paste) => {
                if paste.push(b) {
                    out.push(Event::Paste(paste.into_text()));
                } else {
                    self.state = State::Paste(paste);
                }
            }
        }
    }

    fn ground(&mut self, b: u8, after_cr: bool, out: &mut Vec<Event>) {
        match b {
            ESC => self.state = State::Escape,
            b'\r' => {
                out.push(key(KeyCode::Enter, KeyModifiers::NONE));
                self.after_cr = true;
            }
            b'\n' if after_cr => {}
            0x00..=0x1f | 0x7f => out.push(Event::Key(control_key(b))),
            0x20..=0x7e => out.push(char_key(char::from(b), KeyModifiers::NONE)),
            _ => self.start_utf8(b, false),
        }
    }

    fn start_utf8(&mut self, lead: u8, alt: bool) {
        let need = match lead {
            0xc2..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf4 => 4,
            // A stray continuation byte, C0/C1 overlong leads, F5..FF.
            _ => return,
        };
        self.state = State::Utf8 {
            buf: [lead, 0, 0, 0],
            len: 1,
            need,
            alt,
        };
    }

    /// A byte right after a single ESC.
    fn escape_byte(&mut self, b: u8, out: &mut Vec<Event>) {
        match b {
            b'[' => {
                self.state = State::Csi {
                    seq: SeqBuf::new(),
                    alt: false,
                }
            }
            b'O' => {
                self.state = State::Ss3 {
                    seq: SeqBuf::new(),
                    alt: false,
                }
            }
            ESC => self.state = State::EscEscape,
            0x00..=0x1f | 0x7f => {
                let mut event = control_key(b);
                event.modifiers |= KeyModifiers::ALT;
                out.push(Event::Key(event));
            }
            0x20..=0x7e => out.push(char_key(char::from(b), KeyModifiers::ALT)),
            0xc2..=0xf4 => self.start_utf8(b, true),
            _ => out.push(key(KeyCode::Esc, KeyModifiers::NONE)),
        }
    }

    fn csi_byte(&mut self, mut seq: SeqBuf, alt: bool, b: u8, out: &mut Vec<Event>) {
        match b {
            // rxvt ends Shift+<key> with '$', formally an intermediate byte.
            b'$' if is_rxvt_key_number(&seq) => {
                self.dispatch_csi(seq.as_slice(), b, alt, out);
            }
            0x20..=0x3f => {
                seq.push(b);
                self.state = State::Csi { seq, alt };
            }
            b'[' if seq.is_bare() => self.state = State::LinuxFn { alt },
            b'M' if seq.is_bare() => {
                self.state = State::X10Mouse {
                    buf: [0; 3],
                    len: 0,
                }
            }
            0x40..=0x7e => {
                if !seq.overflow {
                    self.dispatch_csi(seq.as_slice(), b, alt, out);
                }
            }
            _ => {
                if seq.is_bare() {
                    resolve_bare_intro(b'[', alt, out);
                }
                self.ground(b, false, out);
            }
        }
    }

    fn ss3_byte(&mut self, mut seq: SeqBuf, alt: bool, b: u8, out: &mut Vec<Event>) {
        match b {
            b'0'..=b'9' | b';' => {
                seq.push(b);
                self.state = State::Ss3 { seq, alt };
            }
            0x40..=0x7e => match ss3_key(b) {
                Some((code, extra)) => {
                    if seq.overflow {
                        return;
                    }
                    let Some(params) = parse_params(seq.as_slice()) else {
                        return;
                    };
                    let (mods, kind, state) = decode_modifiers(params.last().map(Vec::as_slice));
                    out.push(key_with(
                        code,
                        mods | extra | alt_modifier(alt),
                        kind,
                        state,
                    ));
                }
                None if seq.is_bare() => {
                    resolve_bare_intro(b'O', alt, out);
                    self.ground(b, false, out);
                }
                None => {}
            },
            _ => {
                if seq.is_bare() {
                    resolve_bare_intro(b'O', alt, out);
                }
                self.ground(b, false, out);
            }
        }
    }

    /// Acts on a complete CSI sequence: `raw` holds the bytes between
    /// `ESC [` and the final byte `fin`.
    fn dispatch_csi(&mut self, raw: &[u8], fin: u8, alt: bool, out: &mut Vec<Event>) {
        let (marker, body) = match raw.first() {
            Some(&m @ (b'<' | b'=' | b'>' | b'?')) => (Some(m), &raw[1..]),
            _ => (None, raw),
        };
        // Intermediate bytes and misplaced markers fail here: the whole
        // sequence is dropped.
        let Some(params) = parse_params(body) else {
            return;
        };
        match marker {
            Some(b'<') if matches!(fin, b'M' | b'm') => {
                if let Some(event) = sgr_mouse(&params, fin == b'm') {
                    out.push(event);
                }
            }
            Some(_) => {}
            None => self.dispatch_plain_csi(&params, fin, alt, out),
        }
    }

    fn dispatch_plain_csi(
        &mut self,
        p: &[Vec<Option<u32>>],
        fin: u8,
        alt: bool,
        out: &mut Vec<Event>,
    ) {
        let alt = alt_modifier(alt);
        match fin {
            b'A' | b'B' | b'C' | b'D' | b'E' | b'F' | b'H' | b'P' | b'Q' | b'R' | b'S' => {
                let code = match fin {
                    b'A' => KeyCode::Up,
                    b'B' => KeyCode::Down,
                    b'C' => KeyCode::Right,
                    b'D' => KeyCode::Left,
                    b'E' => KeyCode::KeypadBegin,
                    b'F' => KeyCode::End,
                    b'H' => KeyCode::Home,
                    _ => KeyCode::F(1 + fin - b'P'),
                };
                let modifier_group = match p {
                    [] => None,
                    // Legacy form `CSI m X` (older xterm): the lone number
                    // is the modifier.
                    [single] => Some(single.as_slice()),
                    [first, second] if param_or(first, 1) == 1 => Some(second.as_slice()),
                    // `CSI row ; col R` is a cursor position report, and
                    // anything else is not a key.
                    _ => return,
                };
                let (mods, kind, state) = decode_modifiers(modifier_group);
                out.push(key_with(code, mods | alt, kind, state));
            }
            b'Z' => {
                let (mods, kind, state) = decode_modifiers(p.get(1).map(Vec::as_slice));
                out.push(key_with(
                    KeyCode::BackTab,
                    mods | KeyModifiers::SHIFT | alt,
                    kind,
                    state,
                ));
            }
            b'I' if p.is_empty() => out.push(Event::FocusGained),
            b'O' if p.is_empty() => out.push(Event::FocusLost),
            b'~' => {
                let Some(number) = p.first().and_then(|g| g[0]) else {
                    return;
                };
                let (mods, kind, state) = decode_modifiers(p.get(1).map(Vec::as_slice));
                match number {
                    PASTE_START_KEY => self.state = State::Paste(Paste::default()),
                    // A terminator without a start: nothing to deliver.
                    PASTE_END_KEY => {}
                    MODIFY_OTHER_KEYS => {
                        let Some(codepoint) = p.get(2).and_then(|g| g[0]) else {
                            return;
                        };
                        if let Some((code, mods)) = codepoint_key(codepoint, None, mods) {
                            out.push(key_with(code, mods | alt, kind, state));
                        }
                    }
                    _ => {
                        if let Some(code) = tilde_key(number) {
                            out.push(key_with(code, mods | alt, kind, state));
                        }
                    }
                }
            }
            b'u' => {
                let Some(first) = p.first() else {
                    return;
                };
                let Some(codepoint) = first[0] else {
                    return;
                };
                let shifted = first.get(1).copied().flatten();
                let (mods, kind, state) = decode_modifiers(p.get(1).map(Vec::as_slice));
                if let Some((code, mods)) = codepoint_key(codepoint, shifted, mods) {
                    let state = state | keypad_state(codepoint);
                    out.push(key_with(code, mods | alt, kind, state));
                }
            }
            b'M' => {
                if let Some(event) = urxvt_mouse(p) {
                    out.push(event);
                }
            }
            b'a'..=b'd' if p.is_empty() => {
                out.push(key(arrow(fin - b'a'), KeyModifiers::SHIFT | alt));
            }
            b'$' | b'^' | b'@' => {
                let [group] = p else {
                    return;
                };
                let Some(code) = group[0].and_then(tilde_key) else {
                    return;
                };
                let mods = match fin {
                    b'$' => KeyModifiers::SHIFT,
                    b'^' => KeyModifiers::CONTROL,
                    _ => KeyModifiers::CONTROL | KeyModifiers::SHIFT,
                };
                out.push(key(code, mods | alt));
            }
            _ => {}
        }
    }
}

/// Whether the collected bytes are a bare key number, as rxvt puts before
/// its `$` (Shift) final byte.
fn is_rxvt_key_number(seq: &SeqBuf) -> bool {
    !seq.overflow && seq.len > 0 && seq.as_slice().iter().all(u8::is_ascii_digit)
}

/// `ESC [` or `ESC O` that turned out not to start a sequence: the user
/// typed Alt+`[` or Alt+Shift+`O` (after an Esc, for a doubled ESC).
fn resolve_bare_intro(intro: u8, alt: bool, out: &mut Vec<Event>) {
    if alt {
        out.push(key(KeyCode::Esc, KeyModifiers::NONE));
    }
    out.push(char_key(char::from(intro), KeyModifiers::ALT));
}

fn alt_modifier(alt: bool) -> KeyModifiers {
    if alt {
        KeyModifiers::ALT
    } else {
        KeyModifiers::NONE
    }
}

fn key(code: KeyCode, modifiers: KeyModifiers) -> Event {
    Event::Key(KeyEvent::new(code, modifiers))
}

fn key_with(
    code: KeyCode,
    modifiers: KeyModifiers,
    kind: KeyEventKind,
    state: KeyEventState,
) -> Event {
    Event::Key(KeyEvent::new_with_kind_and_state(
        code, modifiers, kind, state,
    ))
}

/// A typed character; uppercase letters carry SHIFT, as crossterm reports
/// them on a local terminal.
fn char_key(c: char, modifiers: KeyModifiers) -> Event {
    let shift = if c.is_uppercase() {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    key(KeyCode::Char(c), modifiers | shift)
}

/// The key a C0 control byte (or DEL) stands for. ESC is handled by the
/// state machine and never reaches here in practice.
fn control_key(b: u8) -> KeyEvent {
    let (code, mods) = match b {
        0x00 => (KeyCode::Char(' '), KeyModifiers::CONTROL),
        0x08 | 0x7f => (KeyCode::Backspace, KeyModifiers::NONE),
        b'\t' => (KeyCode::Tab, KeyModifiers::NONE),
        b'\n' | b'\r' => (KeyCode::Enter, KeyModifiers::NONE),
        0x01..=0x1a => (
            KeyCode::Char(char::from(b - 1 + b'a')),
            KeyModifiers::CONTROL,
        ),
        0x1c => (KeyCode::Char('\\'), KeyModifiers::CONTROL),
        0x1d => (KeyCode::Char(']'), KeyModifiers::CONTROL),
        0x1e => (KeyCode::Char('^'), KeyModifiers::CONTROL),
        0x1f => (KeyCode::Char('_'), KeyModifiers::CONTROL),
        _ => (KeyCode::Esc, KeyModifiers::NONE),
    };
    KeyEvent::new(code, mods)
}

fn arrow(index: u8) -> KeyCode {
    match index {
        0 => KeyCode::Up,
        1 => KeyCode::Down,
        2 => KeyCode::Right,
        _ => KeyCode::Left,
    }
}

/// The key an SS3 final byte stands for, with any modifier it implies.
fn ss3_key(fin: u8) -> Option<(KeyCode, KeyModifiers)> {
    let none = KeyModifiers::NONE;
    Some(match fin {
        b'A'..=b'D' => (arrow(fin - b'A'), none),
        b'H' => (KeyCode::Home, none),
        b'F' => (KeyCode::End, none),
        b'E' => (KeyCode::KeypadBegin, none),
        b'P'..=b'S' => (KeyCode::F(1 + fin - b'P'), none),
        // Application keypad (xterm, PuTTY).
        b'M' => (KeyCode::Enter, none),
        b'X' => (KeyCode::Char('='), none),
        b'j' => (KeyCode::Char('*'), none),
        b'k' => (KeyCode::Char('+'), none),
        b'l' => (KeyCode::Char(','), none),
        b'm' => (KeyCode::Char('-'), none),
        b'n' => (KeyCode::Char('.'), none),
        b'o' => (KeyCode::Char('/'), none),
        b'p'..=b'y' => (KeyCode::Char(char::from(b'0' + fin - b'p')), none),
        // rxvt: Ctrl+arrows.
        b'a'..=b'd' => (arrow(fin - b'a'), KeyModifiers::CONTROL),
        _ => return None,
    })
}

/// The key of `CSI n ~`.
fn tilde_key(number: u32) -> Option<KeyCode> {
    let f = |n: u32| u8::try_from(n).ok().map(KeyCode::F);
    match number {
        1 | 7 => Some(KeyCode::Home),
        2 => Some(KeyCode::Insert),
        3 => Some(KeyCode::Delete),
        4 | 8 => Some(KeyCode::End),
        5 => Some(KeyCode::PageUp),
        6 => Some(KeyCode::PageDown),
        11..=15 => f(number - 10),
        17..=21 => f(number - 11),
        23..=26 => f(number - 12),
        28..=29 => f(number - 15),
        31..=34 => f(number - 17),
        _ => None,
    }
}

/// The key of a CSI u or modifyOtherKeys code point. `shifted` is the
/// shifted code point a kitty terminal may add; it replaces the key and
/// absorbs SHIFT, as crossterm does.
fn codepoint_key(
    codepoint: u32,
    shifted: Option<u32>,
    mut mods: KeyModifiers,
) -> Option<(KeyCode, KeyModifiers)> {
    let code = match codepoint {
        27 => KeyCode::Esc,
        13 => KeyCode::Enter,
        9 if mods.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
        9 => KeyCode::Tab,
        8 | 127 => KeyCode::Backspace,
        57376..=57398 => KeyCode::F(u8::try_from(codepoint - 57376 + 13).ok()?),
        57399..=57408 => KeyCode::Char(char::from_digit(codepoint - 57399, 10)?),
        57409 => KeyCode::Char('.'),
        57410 => KeyCode::Char('/'),
        57411 => KeyCode::Char('*'),
        57412 => KeyCode::Char('-'),
        57413 => KeyCode::Char('+'),
        57414 => KeyCode::Enter,
        57415 => KeyCode::Char('='),
        57416 => KeyCode::Char(','),
        57417 => KeyCode::Left,
        57418 => KeyCode::Right,
        57419 => KeyCode::Up,
        57420 => KeyCode::Down,
        57421 => KeyCode::PageUp,
        57422 => KeyCode::PageDown,
        57423 => KeyCode::Home,
        57424 => KeyCode::End,
        57425 => KeyCode::Insert,
        57426 => KeyCode::Delete,
        57427 => KeyCode::KeypadBegin,
        // The rest of the private use area: kitty's lock, media and
        // modifier keys, which carry no key for the App.
        0xe000..=0xf8ff => return None,
        _ => {
            let c = char::from_u32(codepoint).filter(|c| !c.is_control())?;
            if mods.contains(KeyModifiers::SHIFT)
                && let Some(s) = shifted.and_then(char::from_u32).filter(|c| !c.is_control())
            {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::Char(s)
            } else {
                KeyCode::Char(c)
            }
        }
    };
    Some((code, mods))
}

fn keypad_state(codepoint: u32) -> KeyEventState {
    if (57399..=57427).contains(&codepoint) {
        KeyEventState::KEYPAD
    } else {
        KeyEventState::NONE
    }
}

/// Splits CSI parameters: groups separated by `;`, sub-parameters by `:`;
/// an empty field is `None`. Any other byte, or a number too large, makes
/// the whole sequence invalid.
fn parse_params(bytes: &[u8]) -> Option<Vec<Vec<Option<u32>>>> {
    if bytes.is_empty() {
        return Some(Vec::new());
    }
    let mut groups: Vec<Vec<Option<u32>>> = vec![vec![None]];
    for &b in bytes {
        match b {
            b'0'..=b'9' => {
                let field = groups.last_mut()?.last_mut()?;
                let value = field
                    .unwrap_or(0)
                    .checked_mul(10)?
                    .checked_add(u32::from(b - b'0'))?;
                *field = Some(value);
            }
            b';' => groups.push(vec![None]),
            b':' => groups.last_mut()?.push(None),
            _ => return None,
        }
    }
    Some(groups)
}

fn param_or(group: &[Option<u32>], default: u32) -> u32 {
    group.first().copied().flatten().unwrap_or(default)
}

/// Decodes an xterm modifier parameter `1 + bits` (with an optional kitty
/// event type after a colon).
fn decode_modifiers(group: Option<&[Option<u32>]>) -> (KeyModifiers, KeyEventKind, KeyEventState) {
    let Some(group) = group else {
        return (KeyModifiers::NONE, KeyEventKind::Press, KeyEventState::NONE);
    };
    let bits = param_or(group, 1).saturating_sub(1);
    let mut mods = KeyModifiers::NONE;
    for (bit, modifier) in [
        (1, KeyModifiers::SHIFT),
        (2, KeyModifiers::ALT),
        (4, KeyModifiers::CONTROL),
        (8, KeyModifiers::SUPER),
        (16, KeyModifiers::HYPER),
        (32, KeyModifiers::META),
    ] {
        if bits & bit != 0 {
            mods |= modifier;
        }
    }
    let mut state = KeyEventState::NONE;
    if bits & 64 != 0 {
        state |= KeyEventState::CAPS_LOCK;
    }
    if bits & 128 != 0 {
        state |= KeyEventState::NUM_LOCK;
    }
    let kind = match group.get(1).copied().flatten() {
        Some(2) => KeyEventKind::Repeat,
        Some(3) => KeyEventKind::Release,
        _ => KeyEventKind::Press,
    };
    (mods, kind, state)
}

/// The button/modifier byte shared by every mouse encoding.
fn mouse_button(cb: u32) -> Option<(MouseEventKind, KeyModifiers)> {
    let button = (cb & 0b11) | ((cb & 0b1100_0000) >> 4);
    let dragging = cb & 0b10_0000 != 0;
    let kind = match (button, dragging) {
        (0, false) => MouseEventKind::Down(MouseButton::Left),
        (1, false) => MouseEventKind::Down(MouseButton::Middle),
        (2, false) => MouseEventKind::Down(MouseButton::Right),
        (0, true) => MouseEventKind::Drag(MouseButton::Left),
        (1, true) => MouseEventKind::Drag(MouseButton::Middle),
        (2, true) => MouseEventKind::Drag(MouseButton::Right),
        (3, false) => MouseEventKind::Up(MouseButton::Left),
        (3..=5, true) => MouseEventKind::Moved,
        (4, false) => MouseEventKind::ScrollUp,
        (5, false) => MouseEventKind::ScrollDown,
        (6, false) => MouseEventKind::ScrollLeft,
        (7, false) => MouseEventKind::ScrollRight,
        _ => return None,
    };
    let mut mods = KeyModifiers::NONE;
    if cb & 0b100 != 0 {
        mods |= KeyModifiers::SHIFT;
    }
    if cb & 0b1000 != 0 {
        mods |= KeyModifiers::ALT;
    }
    if cb & 0b1_0000 != 0 {
        mods |= KeyModifiers::CONTROL;
    }
    Some((kind, mods))
}

/// A 1-based terminal coordinate as crossterm's 0-based one.
fn coordinate(value: u32) -> u16 {
    u16::try_from(value.saturating_sub(1)).unwrap_or(u16::MAX)
}

fn mouse_event(cb: u32, x: u32, y: u32, release: bool) -> Option<Event> {
    let (mut kind, modifiers) = mouse_button(cb)?;
    if release && let MouseEventKind::Down(button) = kind {
        kind = MouseEventKind::Up(button);
    }
    Some(Event::Mouse(MouseEvent {
        kind,
        column: coordinate(x),
        row: coordinate(y),
        modifiers,
    }))
}

/// `CSI < b ; x ; y M` (press, motion) or `… m` (release).
fn sgr_mouse(p: &[Vec<Option<u32>>], release: bool) -> Option<Event> {
    let [b, x, y, ..] = p else {
        return None;
    };
    mouse_event(b[0]?, x[0]?, y[0]?, release)
}

/// urxvt's `CSI b ; x ; y M`, where `b` is offset by 32.
fn urxvt_mouse(p: &[Vec<Option<u32>>]) -> Option<Event> {
    let [b, x, y] = p else {
        return None;
    };
    mouse_event(b[0]?.checked_sub(32)?, x[0]?, y[0]?, false)
}

/// X10 `CSI M b x y` with three raw bytes, each offset by 32.
fn x10_mouse(buf: [u8; 3]) -> Option<Event> {
    let [b, x, y] = buf.map(|v| u32::from(v).checked_sub(32));
    mouse_event(b?, x?, y?, false)
}

#[cfg(test)]
mod tests;
