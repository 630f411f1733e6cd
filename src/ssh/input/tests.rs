//! Decoding a remote terminal's bytes into keys, pastes and mouse events, however they are split.

use super::*;
use proptest::prelude::*;

const NONE: KeyModifiers = KeyModifiers::NONE;
const SHIFT: KeyModifiers = KeyModifiers::SHIFT;
const ALT: KeyModifiers = KeyModifiers::ALT;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;

fn k(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, NONE))
}

fn km(code: KeyCode, mods: KeyModifiers) -> Event {
    Event::Key(KeyEvent::new(code, mods))
}

fn ch(c: char) -> Event {
    k(KeyCode::Char(c))
}

fn shifted(c: char) -> Event {
    km(KeyCode::Char(c), SHIFT)
}

fn ctrl(c: char) -> Event {
    km(KeyCode::Char(c), CTRL)
}

fn alt(c: char) -> Event {
    km(KeyCode::Char(c), ALT)
}

fn mouse(kind: MouseEventKind, column: u16, row: u16, modifiers: KeyModifiers) -> Event {
    Event::Mouse(MouseEvent {
        kind,
        column,
        row,
        modifiers,
    })
}

fn paste(text: &str) -> Event {
    Event::Paste(text.to_owned())
}

/// Feeds everything at once, then flushes.
fn parse_whole(bytes: &[u8]) -> Vec<Event> {
    let mut parser = InputParser::new();
    let mut events = parser.feed(bytes);
    events.extend(parser.flush());
    assert!(!parser.has_pending(), "pending after flush: {bytes:?}");
    events
}

/// Feeds one byte at a time, then flushes.
fn parse_bytewise(bytes: &[u8]) -> Vec<Event> {
    let mut parser = InputParser::new();
    let mut events = Vec::new();
    for b in bytes {
        events.extend(parser.feed(std::slice::from_ref(b)));
    }
    events.extend(parser.flush());
    assert!(!parser.has_pending(), "pending after flush: {bytes:?}");
    events
}

/// Feeds in chunks of `size` bytes, then flushes.
fn parse_chunked(bytes: &[u8], size: usize) -> Vec<Event> {
    let mut parser = InputParser::new();
    let mut events = Vec::new();
    for chunk in bytes.chunks(size) {
        events.extend(parser.feed(chunk));
    }
    events.extend(parser.flush());
    events
}

/// Byte strings and the events they must give, whole or split.
fn table() -> Vec<(&'static str, Vec<u8>, Vec<Event>)> {
    use KeyCode::*;
    let b = |s: &str| s.as_bytes().to_vec();
    vec![
        // Printable text and UTF-8.
        (
            "printable ASCII",
            b("aZ 1~"),
            vec![ch('a'), shifted('Z'), ch(' '), ch('1'), ch('~')],
        ),
        (
            "Cyrillic word",
            b("Иванов"),
            vec![shifted('И'), ch('в'), ch('а'), ch('н'), ch('о'), ch('в')],
        ),
        ("Cyrillic yo", b("ёЁ"), vec![ch('ё'), shifted('Ё')]),
        ("three-byte character", b("€"), vec![ch('€')]),
        ("four-byte character", b("😀"), vec![ch('😀')]),
        (
            "invalid byte skipped",
            b"a\xffb".to_vec(),
            vec![ch('a'), ch('b')],
        ),
        (
            "stray continuation byte",
            b"\x80\xbfx".to_vec(),
            vec![ch('x')],
        ),
        ("truncated character", b"\xd0a".to_vec(), vec![ch('a')]),
        ("truncated character at the end", b"\xd0".to_vec(), vec![]),
        (
            "overlong two-byte form",
            b"\xc0\xafx".to_vec(),
            vec![ch('x')],
        ),
        (
            "overlong three-byte form",
            b"\xe0\x80\x80x".to_vec(),
            vec![ch('x')],
        ),
        ("UTF-16 surrogate", b"\xed\xa0\x80x".to_vec(), vec![ch('x')]),
        (
            "C1 control is not typed",
            b"\xc2\x85x".to_vec(),
            vec![ch('x')],
        ),
        // Control keys.
        ("CR is Enter", b"\r".to_vec(), vec![k(Enter)]),
        ("LF is Enter", b"\n".to_vec(), vec![k(Enter)]),
        (
            "CR LF is one Enter (Windows clients)",
            b"\r\n".to_vec(),
            vec![k(Enter)],
        ),
        ("two CRs", b"\r\r".to_vec(), vec![k(Enter), k(Enter)]),
        ("two LFs", b"\n\n".to_vec(), vec![k(Enter), k(Enter)]),
        ("Tab", b"\t".to_vec(), vec![k(Tab)]),
        ("DEL is Backspace", b"\x7f".to_vec(), vec![k(Backspace)]),
        (
            "BS is Backspace (PuTTY option, Windows Terminal Ctrl+Backspace)",
            b"\x08".to_vec(),
            vec![k(Backspace)],
        ),
        (
            "Ctrl+letters",
            b"\x01\x03\x0b\x0c\x11\x17\x1a".to_vec(),
            vec![
                ctrl('a'),
                ctrl('c'),
                ctrl('k'),
                ctrl('l'),
                ctrl('q'),
                ctrl('w'),
                ctrl('z'),
            ],
        ),
        ("Ctrl+Space / Ctrl+@", b"\x00".to_vec(), vec![ctrl(' ')]),
        (
            "Ctrl+\\ ] ^ _",
            b"\x1c\x1d\x1e\x1f".to_vec(),
            vec![ctrl('\\'), ctrl(']'), ctrl('^'), ctrl('_')],
        ),
        // ESC and Alt.
        ("lone ESC after silence", b"\x1b".to_vec(), vec![k(Esc)]),
        ("Alt+letter", b"\x1bx".to_vec(), vec![alt('x')]),
        (
            "Alt+Shift+letter",
            b"\x1bX".to_vec(),
            vec![km(Char('X'), ALT | SHIFT)],
        ),
        ("Alt+digit", b"\x1b1".to_vec(), vec![alt('1')]),
        ("Alt+Cyrillic", b("\x1bи"), vec![alt('и')]),
        (
            "Alt+Shift+Cyrillic",
            b("\x1bИ"),
            vec![km(Char('И'), ALT | SHIFT)],
        ),
        ("Alt+Enter", b"\x1b\r".to_vec(), vec![km(Enter, ALT)]),
        (
            "Alt+Backspace (Windows Terminal, VTE)",
            b"\x1b\x7f".to_vec(),
            vec![km(Backspace, ALT)],
        ),
        (
            "Ctrl+Alt+letter",
            b"\x1b\x01".to_vec(),
            vec![km(Char('a'), CTRL | ALT)],
        ),
        ("two ESCs", b"\x1b\x1b".to_vec(), vec![k(Esc), k(Esc)]),
        (
            "three ESCs",
            b"\x1b\x1b\x1b".to_vec(),
            vec![k(Esc), k(Esc), k(Esc)],
        ),
        (
            "ESC ESC then a letter",
            b"\x1b\x1bx".to_vec(),
            vec![k(Esc), alt('x')],
        ),
        (
            "Alt+Up as ESC ESC [ A (rxvt, macOS Terminal)",
            b"\x1b\x1b[A".to_vec(),
            vec![km(Up, ALT)],
        ),
        (
            "Alt+F1 as ESC ESC O P (rxvt)",
            b"\x1b\x1bOP".to_vec(),
            vec![km(F(1), ALT)],
        ),
        ("Alt+[ alone", b"\x1b[".to_vec(), vec![alt('[')]),
        (
            "Alt+Shift+O alone",
            b"\x1bO".to_vec(),
            vec![km(Char('O'), ALT | SHIFT)],
        ),
        (
            "Alt+Shift+O then a letter",
            b"\x1bOz".to_vec(),
            vec![km(Char('O'), ALT | SHIFT), ch('z')],
        ),
        (
            "Alt+[ then Backspace",
            b"\x1b[\x7f".to_vec(),
            vec![alt('['), k(Backspace)],
        ),
        (
            "ESC ESC [ alone",
            b"\x1b\x1b[".to_vec(),
            vec![k(Esc), alt('[')],
        ),
        // CSI cursor keys.
        (
            "arrows",
            b"\x1b[A\x1b[B\x1b[C\x1b[D".to_vec(),
            vec![k(Up), k(Down), k(Right), k(Left)],
        ),
        (
            "Home and End",
            b"\x1b[H\x1b[F".to_vec(),
            vec![k(Home), k(End)],
        ),
        (
            "keypad 5 without NumLock (xterm)",
            b"\x1b[E".to_vec(),
            vec![k(KeypadBegin)],
        ),
        ("Shift+Up", b"\x1b[1;2A".to_vec(), vec![km(Up, SHIFT)]),
        ("Alt+Down", b"\x1b[1;3B".to_vec(), vec![km(Down, ALT)]),
        ("Ctrl+Right", b"\x1b[1;5C".to_vec(), vec![km(Right, CTRL)]),
        (
            "Ctrl+Shift+Left",
            b"\x1b[1;6D".to_vec(),
            vec![km(Left, CTRL | SHIFT)],
        ),
        (
            "Ctrl+Alt+Shift+Home",
            b"\x1b[1;8H".to_vec(),
            vec![km(Home, CTRL | ALT | SHIFT)],
        ),
        ("Ctrl+End", b"\x1b[1;5F".to_vec(), vec![km(End, CTRL)]),
        (
            "Super+Up (xterm with a Super key)",
            b"\x1b[1;9A".to_vec(),
            vec![km(Up, KeyModifiers::SUPER)],
        ),
        (
            "legacy Ctrl+Up as CSI 5 A (older xterm)",
            b"\x1b[5A".to_vec(),
            vec![km(Up, CTRL)],
        ),
        // CSI n ~ keys.
        (
            "Home as 1~ and 7~ (PuTTY, rxvt), Insert, Delete",
            b"\x1b[1~\x1b[7~\x1b[2~\x1b[3~".to_vec(),
            vec![k(Home), k(Home), k(Insert), k(Delete)],
        ),
        (
            "End as 4~ and 8~ (PuTTY, rxvt), PageUp, PageDown",
            b"\x1b[4~\x1b[8~\x1b[5~\x1b[6~".to_vec(),
            vec![k(End), k(End), k(PageUp), k(PageDown)],
        ),
        (
            "F5-F12",
            b"\x1b[15~\x1b[17~\x1b[18~\x1b[19~\x1b[20~\x1b[21~\x1b[23~\x1b[24~".to_vec(),
            (5..=12).map(|n| k(F(n))).collect(),
        ),
        (
            "F1-F4 as 11~..14~ (PuTTY default, rxvt)",
            b"\x1b[11~\x1b[12~\x1b[13~\x1b[14~".to_vec(),
            (1..=4).map(|n| k(F(n))).collect(),
        ),
        ("Ctrl+Delete", b"\x1b[3;5~".to_vec(), vec![km(Delete, CTRL)]),
        ("Alt+PageUp", b"\x1b[5;3~".to_vec(), vec![km(PageUp, ALT)]),
        ("Shift+F5", b"\x1b[15;2~".to_vec(), vec![km(F(5), SHIFT)]),
        ("Ctrl+F12", b"\x1b[24;5~".to_vec(), vec![km(F(12), CTRL)]),
        ("BackTab", b"\x1b[Z".to_vec(), vec![km(BackTab, SHIFT)]),
        // SS3.
        (
            "F1-F4 as SS3",
            b"\x1bOP\x1bOQ\x1bOR\x1bOS".to_vec(),
            (1..=4).map(|n| k(F(n))).collect(),
        ),
        (
            "application cursor keys",
            b"\x1bOA\x1bOB\x1bOC\x1bOD\x1bOH\x1bOF".to_vec(),
            vec![k(Up), k(Down), k(Right), k(Left), k(Home), k(End)],
        ),
        (
            "Shift+F1, Ctrl+F4, Ctrl+F3 (xterm)",
            b"\x1b[1;2P\x1b[1;5S\x1b[1;5R".to_vec(),
            vec![km(F(1), SHIFT), km(F(4), CTRL), km(F(3), CTRL)],
        ),
        ("F1 as CSI P (kitty)", b"\x1b[P".to_vec(), vec![k(F(1))]),
        (
            "Shift+F1 as SS3 2 P (older xterm, Konsole)",
            b"\x1bO2P".to_vec(),
            vec![km(F(1), SHIFT)],
        ),
        (
            "application keypad (xterm, PuTTY)",
            b"\x1bOM\x1bOp\x1bOy\x1bOj\x1bOm".to_vec(),
            vec![k(Enter), ch('0'), ch('9'), ch('*'), ch('-')],
        ),
        // Linux console.
        (
            "F1-F5 (Linux console)",
            b"\x1b[[A\x1b[[B\x1b[[C\x1b[[D\x1b[[E".to_vec(),
            (1..=5).map(|n| k(F(n))).collect(),
        ),
        // rxvt.
        (
            "Shift+Up and Ctrl+Up (rxvt)",
            b"\x1b[a\x1bOa".to_vec(),
            vec![km(Up, SHIFT), km(Up, CTRL)],
        ),
        (
            "Shift+Home, Ctrl+Delete, Ctrl+Shift+Insert (rxvt)",
            b"\x1b[7$\x1b[3^\x1b[2@".to_vec(),
            vec![km(Home, SHIFT), km(Delete, CTRL), km(Insert, CTRL | SHIFT)],
        ),
        // CSI u and modifyOtherKeys.
        (
            "Ctrl+a as CSI u (xterm formatOtherKeys, kitty, foot)",
            b"\x1b[97;5u".to_vec(),
            vec![ctrl('a')],
        ),
        (
            "Shift+Enter as CSI u",
            b"\x1b[13;2u".to_vec(),
            vec![km(Enter, SHIFT)],
        ),
        (
            "Alt+Cyrillic as CSI u",
            b"\x1b[1080;3u".to_vec(),
            vec![alt('и')],
        ),
        ("Esc as CSI u", b"\x1b[27u".to_vec(), vec![k(Esc)]),
        (
            "Shift+Tab as CSI u",
            b"\x1b[9;2u".to_vec(),
            vec![km(BackTab, SHIFT)],
        ),
        (
            "Ctrl+Backspace as CSI u",
            b"\x1b[127;5u".to_vec(),
            vec![km(Backspace, CTRL)],
        ),
        (
            "shifted key reported by kitty",
            b"\x1b[97:65;2u".to_vec(),
            vec![shifted('A')],
        ),
        (
            "keypad 0 as CSI u (kitty)",
            b"\x1b[57399u".to_vec(),
            vec![Event::Key(KeyEvent::new_with_kind_and_state(
                Char('0'),
                NONE,
                KeyEventKind::Press,
                KeyEventState::KEYPAD,
            ))],
        ),
        (
            "Ctrl+Enter as modifyOtherKeys (xterm)",
            b"\x1b[27;5;13~".to_vec(),
            vec![km(Enter, CTRL)],
        ),
        (
            "Ctrl+Alt+y as modifyOtherKeys (xterm)",
            b"\x1b[27;7;121~".to_vec(),
            vec![km(Char('y'), CTRL | ALT)],
        ),
        // Bracketed paste.
        (
            "bracketed paste",
            b"\x1b[200~hello\x1b[201~".to_vec(),
            vec![paste("hello")],
        ),
        (
            "bracketed paste with Cyrillic and line breaks",
            b("\x1b[200~Иванов Иван\rПетров\r\nёлка\n\x1b[201~"),
            vec![paste("Иванов Иван\rПетров\r\nёлка\n")],
        ),
        (
            "empty paste",
            b"\x1b[200~\x1b[201~".to_vec(),
            vec![paste("")],
        ),
        (
            "paste keeps escape sequences and near-terminators as text",
            b"\x1b[200~a\x1b[A\x1b[20b\x1b[201x\x1b\x1b[201~".to_vec(),
            vec![paste("a\x1b[A\x1b[20b\x1b[201x\x1b")],
        ),
        (
            "paste then typing",
            b"\x1b[200~x\x1b[201~y\r".to_vec(),
            vec![paste("x"), ch('y'), k(Enter)],
        ),
        (
            "invalid UTF-8 in a paste",
            b"\x1b[200~a\xffb\x1b[201~".to_vec(),
            vec![paste("a\u{fffd}b")],
        ),
        ("stray paste end", b"\x1b[201~".to_vec(), vec![]),
        // Focus.
        (
            "focus in and out",
            b"\x1b[I\x1b[O".to_vec(),
            vec![Event::FocusGained, Event::FocusLost],
        ),
        // Mouse.
        (
            "SGR left press and release",
            b"\x1b[<0;10;5M\x1b[<0;10;5m".to_vec(),
            vec![
                mouse(MouseEventKind::Down(MouseButton::Left), 9, 4, NONE),
                mouse(MouseEventKind::Up(MouseButton::Left), 9, 4, NONE),
            ],
        ),
        (
            "SGR wheel",
            b"\x1b[<64;1;1M\x1b[<65;1;1M".to_vec(),
            vec![
                mouse(MouseEventKind::ScrollUp, 0, 0, NONE),
                mouse(MouseEventKind::ScrollDown, 0, 0, NONE),
            ],
        ),
        (
            "SGR drag, motion, Ctrl+right press at large coordinates",
            b"\x1b[<32;3;4M\x1b[<35;3;4M\x1b[<18;300;100M".to_vec(),
            vec![
                mouse(MouseEventKind::Drag(MouseButton::Left), 2, 3, NONE),
                mouse(MouseEventKind::Moved, 2, 3, NONE),
                mouse(MouseEventKind::Down(MouseButton::Right), 299, 99, CTRL),
            ],
        ),
        (
            "X10 mouse press",
            vec![0x1b, b'[', b'M', 32, 33 + 9, 33 + 4],
            vec![mouse(MouseEventKind::Down(MouseButton::Left), 9, 4, NONE)],
        ),
        (
            "urxvt mouse press",
            b"\x1b[32;10;5M".to_vec(),
            vec![mouse(MouseEventKind::Down(MouseButton::Left), 9, 4, NONE)],
        ),
        // Unknown and malformed input leaks nothing.
        (
            "unknown CSI with parameters",
            b"\x1b[99;3xa".to_vec(),
            vec![ch('a')],
        ),
        ("unknown key number", b"\x1b[99~".to_vec(), vec![]),
        ("device attributes reply", b"\x1b[?1;2c".to_vec(), vec![]),
        (
            "secondary attributes reply",
            b"\x1b[>0;95;0c".to_vec(),
            vec![],
        ),
        ("cursor position report", b"\x1b[12;40R".to_vec(), vec![]),
        ("too many parameters", b"\x1b[1;2;3;4A".to_vec(), vec![]),
        ("intermediate byte", b"\x1b[2 q".to_vec(), vec![]),
        ("unknown private final", b"\x1b[<1;2;3X".to_vec(), vec![]),
        ("restore-cursor is not a key", b"\x1b[u".to_vec(), vec![]),
        ("number overflow", b"\x1b[99999999999999A".to_vec(), vec![]),
        (
            "kitty modifier key press",
            b"\x1b[57441;2u".to_vec(),
            vec![],
        ),
        ("unknown SS3 with parameters", b"\x1bO5z".to_vec(), vec![]),
        (
            "unknown Linux console key",
            b"\x1b[[Zq".to_vec(),
            vec![ch('q')],
        ),
        (
            "sequence cut by Enter",
            b"\x1b[1;5\r".to_vec(),
            vec![k(Enter)],
        ),
        (
            "sequence cut by another sequence",
            b"\x1b[1;5\x1b[A".to_vec(),
            vec![k(Up)],
        ),
        (
            "sequence cut by a Cyrillic letter",
            b("\x1b[1И"),
            vec![shifted('И')],
        ),
        (
            "incomplete sequence at the end",
            b"\x1b[1;5".to_vec(),
            vec![],
        ),
        (
            "unknown SGR mouse button",
            b"\x1b[<128;1;1M".to_vec(),
            vec![],
        ),
    ]
}

#[test]
fn table_whole_and_split() {
    for (what, bytes, expected) in table() {
        assert_eq!(parse_whole(&bytes), expected, "whole feed: {what}");
        assert_eq!(parse_bytewise(&bytes), expected, "byte by byte: {what}");
        for cut in 0..=bytes.len() {
            let mut parser = InputParser::new();
            let mut events = parser.feed(&bytes[..cut]);
            events.extend(parser.feed(&bytes[cut..]));
            events.extend(parser.flush());
            assert_eq!(events, expected, "cut at {cut}: {what}");
        }
    }
}

#[test]
fn whole_table_as_one_stream() {
    // The entries that end in a pending state need the flush between them;
    // all others decode the same when run together.
    let mut parser = InputParser::new();
    let mut events = Vec::new();
    let mut expected = Vec::new();
    for (_, bytes, want) in table() {
        for b in &bytes {
            events.extend(parser.feed(std::slice::from_ref(b)));
        }
        events.extend(parser.flush());
        expected.extend(want);
    }
    assert_eq!(events, expected);
}

#[test]
fn cyrillic_typed_byte_by_byte() {
    let mut parser = InputParser::new();
    let mut events = Vec::new();
    for (i, b) in "Иванов".bytes().enumerate() {
        let got = parser.feed(&[b]);
        // Each letter is two bytes: the first waits, the second completes.
        if i % 2 == 0 {
            assert!(got.is_empty());
            assert!(parser.has_pending());
        } else {
            assert_eq!(got.len(), 1);
            assert!(!parser.has_pending());
        }
        events.extend(got);
    }
    assert_eq!(
        events,
        vec![shifted('И'), ch('в'), ch('а'), ch('н'), ch('о'), ch('в')]
    );
}

#[test]
fn keys_arrive_without_waiting_for_flush() {
    let mut parser = InputParser::new();
    assert_eq!(parser.feed(b"\x1b[A"), vec![k(KeyCode::Up)]);
    assert!(!parser.has_pending());
    assert_eq!(parser.feed(b"\x1bOP"), vec![k(KeyCode::F(1))]);
    assert_eq!(parser.feed(b"\x1bx"), vec![alt('x')]);
    assert!(parser.feed(b"\x1b").is_empty());
    assert!(parser.has_pending());
    assert_eq!(parser.flush(), vec![k(KeyCode::Esc)]);
    assert!(!parser.has_pending());
    assert!(parser.flush().is_empty());
}

#[test]
fn esc_then_key_after_silence_are_two_keys() {
    let mut parser = InputParser::new();
    assert!(parser.feed(b"\x1b").is_empty());
    assert_eq!(parser.flush(), vec![k(KeyCode::Esc)]);
    assert_eq!(parser.feed(b"x"), vec![ch('x')]);
}

#[test]
fn paste_with_cyrillic_and_newlines_in_every_chunking() {
    let text = "Обоснование: проект «Наш двор»\r\nреализован, 153 заявки.\nИтог — 9 баллов.";
    let mut bytes = b"\x1b[200~".to_vec();
    bytes.extend_from_slice(text.as_bytes());
    bytes.extend_from_slice(b"\x1b[201~q");
    let expected = vec![paste(text), ch('q')];
    for size in 1..=bytes.len() {
        assert_eq!(parse_chunked(&bytes, size), expected, "chunk size {size}");
    }
}

#[test]
fn paste_is_not_ended_by_a_pause() {
    let mut parser = InputParser::new();
    assert!(parser.feed("\x1b[200~Ива".as_bytes()).is_empty());
    assert!(parser.flush().is_empty());
    assert!(parser.has_pending());
    assert!(parser.feed("нов\r\x1b[2".as_bytes()).is_empty());
    assert!(parser.flush().is_empty());
    assert_eq!(parser.feed(b"01~"), vec![paste("Иванов\r")]);
    assert!(!parser.has_pending());
}

#[test]
fn unterminated_paste_is_delivered_after_a_long_silence() {
    let mut parser = InputParser::new();
    assert!(parser.feed(b"\x1b[200~abc\x1b[20").is_empty());
    for _ in 1..PASTE_IDLE_FLUSH_LIMIT {
        assert!(parser.flush().is_empty());
    }
    // A byte resets the count.
    assert!(parser.feed(b"x").is_empty());
    for _ in 1..PASTE_IDLE_FLUSH_LIMIT {
        assert!(parser.flush().is_empty());
    }
    assert!(parser.has_pending());
    assert_eq!(parser.flush(), vec![paste("abc\x1b[20x")]);
    assert!(!parser.has_pending());
    assert_eq!(parser.feed(b"y"), vec![ch('y')]);
}

#[test]
fn huge_paste_is_capped_on_a_character_boundary() {
    let mut parser = InputParser::new();
    assert!(parser.feed(b"\x1b[200~a").is_empty());
    let chunk = "я".repeat(4096);
    for _ in 0..(3 * MAX_PASTE_BYTES / chunk.len()) {
        assert!(parser.feed(chunk.as_bytes()).is_empty());
        assert!(parser.pending_bytes() <= MAX_PASTE_BYTES);
    }
    let events = parser.feed(b"\x1b[201~z");
    let [Event::Paste(text), tail] = events.as_slice() else {
        panic!("expected a paste and a key, got {} events", events.len());
    };
    // One ASCII byte, then whole two-byte letters up to the cap.
    assert_eq!(text.len(), MAX_PASTE_BYTES - 1);
    assert!(text.starts_with('a'));
    assert!(text[1..].chars().all(|c| c == 'я'));
    assert_eq!(*tail, ch('z'));
    assert!(!parser.has_pending());
}

#[test]
fn endless_sequence_is_consumed_and_dropped() {
    let mut parser = InputParser::new();
    assert!(parser.feed(b"\x1b[").is_empty());
    let digits = vec![b'1'; 64 * 1024];
    for _ in 0..16 {
        assert!(parser.feed(&digits).is_empty());
        assert!(parser.pending_bytes() <= MAX_SEQUENCE_BYTES + 2);
    }
    // The final byte ends it without leaking; typing resumes.
    assert!(parser.feed(b"A").is_empty());
    assert_eq!(parser.feed(b"b"), vec![ch('b')]);
    // Flushing an overflowed sequence drops it too.
    assert!(parser.feed(b"\x1b[").is_empty());
    assert!(parser.feed(&digits).is_empty());
    assert!(parser.flush().is_empty());
}

// ---------------------------------------------------------------------------
// Property tests.

/// Upper bound on what the parser may hold at any moment.
const PENDING_BOUND: usize = MAX_PASTE_BYTES + PASTE_END.len();

/// Bytes biased towards the ones that drive the state machine.
fn interesting_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        3 => any::<u8>(),
        3 => prop::sample::select(vec![
            ESC, b'[', b'O', b'<', b'?', b';', b':', b'~', b'u', b'M', b'm', b'A', b'P', b'$',
            b'0', b'1', b'2', b'5', b'\r', b'\n', 0x7f, 0xd0, 0xd1, 0x98, 0xb8, 0xe2, 0x82,
        ]),
        1 => Just(ESC),
    ]
}

/// Either a fragment of the paste markers or arbitrary bytes.
fn chunk() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => prop::collection::vec(interesting_byte(), 0..24),
        1 => Just(b"\x1b[200~".to_vec()),
        1 => Just(b"\x1b[201~".to_vec()),
        1 => Just(b"\x1b[20".to_vec()),
    ]
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic_and_stay_bounded(
        ops in prop::collection::vec((chunk(), any::<bool>()), 0..48),
    ) {
        let mut parser = InputParser::new();
        for (bytes, flush) in &ops {
            parser.feed(bytes);
            prop_assert!(parser.pending_bytes() <= PENDING_BOUND);
            if !matches!(parser.state, State::Paste(_)) {
                prop_assert!(parser.pending_bytes() <= MAX_SEQUENCE_BYTES + 2);
            }
            if *flush {
                parser.flush();
                prop_assert!(parser.pending_bytes() <= PENDING_BOUND);
            }
        }
        for _ in 0..PASTE_IDLE_FLUSH_LIMIT {
            parser.flush();
        }
        prop_assert!(!parser.has_pending());
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let mut parser = InputParser::new();
        parser.feed(&bytes);
        prop_assert!(parser.pending_bytes() <= PENDING_BOUND);
        parser.flush();
    }

    #[test]
    fn splitting_never_changes_the_events(
        bytes in prop::collection::vec(interesting_byte(), 0..200),
        cuts in prop::collection::vec(1usize..9, 1..16),
    ) {
        let whole = {
            let mut parser = InputParser::new();
            parser.feed(&bytes)
        };
        let mut bytewise = Vec::new();
        let mut parser = InputParser::new();
        for b in &bytes {
            bytewise.extend(parser.feed(std::slice::from_ref(b)));
        }
        prop_assert_eq!(&whole, &bytewise);

        let mut chunked = Vec::new();
        let mut parser = InputParser::new();
        let mut rest = bytes.as_slice();
        for size in cuts.iter().cycle() {
            if rest.is_empty() {
                break;
            }
            let (head, tail) = rest.split_at((*size).min(rest.len()));
            chunked.extend(parser.feed(head));
            rest = tail;
        }
        prop_assert_eq!(&whole, &chunked);
    }

    #[test]
    fn xterm_encoded_keys_decode_back(
        keys in prop::collection::vec(encodable_key(), 0..40),
        cuts in prop::collection::vec(1usize..7, 1..8),
    ) {
        let mut parser = InputParser::new();
        let mut events = Vec::new();
        let mut segment = Vec::new();
        let mut cut = cuts.iter().copied().cycle();
        for key in &keys {
            segment.extend(xterm_encode(key));
            if needs_silence_after(key) {
                events.extend(feed_in_pieces(&mut parser, &segment, &mut cut));
                segment.clear();
                events.extend(parser.flush());
            }
        }
        events.extend(feed_in_pieces(&mut parser, &segment, &mut cut));
        events.extend(parser.flush());
        let expected: Vec<Event> = keys.iter().copied().map(Event::Key).collect();
        prop_assert_eq!(events, expected);
    }
}

/// Feeds `bytes` in pieces whose sizes come from `sizes`.
fn feed_in_pieces(
    parser: &mut InputParser,
    bytes: &[u8],
    sizes: &mut impl Iterator<Item = usize>,
) -> Vec<Event> {
    let mut events = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let size = sizes.next().unwrap_or(1).clamp(1, rest.len());
        let (head, tail) = rest.split_at(size);
        events.extend(parser.feed(head));
        rest = tail;
    }
    events
}

fn modifiers() -> impl Strategy<Value = KeyModifiers> {
    (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(shift, alt, ctrl)| {
        let mut mods = NONE;
        mods.set(SHIFT, shift);
        mods.set(ALT, alt);
        mods.set(CTRL, ctrl);
        mods
    })
}

fn typed_char() -> impl Strategy<Value = char> {
    let cyrillic: Vec<char> = ('А'..='я').chain(['ё', 'Ё']).collect();
    prop_oneof![
        (0x20u8..0x7f).prop_map(char::from),
        prop::sample::select(cyrillic),
        prop::sample::select(vec!['€', '«', '»', '—', '№', '😀']),
    ]
}

/// Keys a juror can type, as crossterm reports them.
fn encodable_key() -> impl Strategy<Value = KeyEvent> {
    use KeyCode::*;
    let named = prop::sample::select(vec![
        Up, Down, Left, Right, Home, End, Insert, Delete, PageUp, PageDown,
    ]);
    prop_oneof![
        4 => (typed_char(), any::<bool>()).prop_map(|(c, alt)| {
            let shift = if c.is_uppercase() { SHIFT } else { NONE };
            KeyEvent::new(Char(c), shift | if alt { ALT } else { NONE })
        }),
        2 => (
            prop::sample::select(
                ('a'..='z').filter(|c| !"hijm".contains(*c)).collect::<Vec<_>>(),
            ),
            any::<bool>(),
        )
            .prop_map(|(c, alt)| KeyEvent::new(Char(c), CTRL | if alt { ALT } else { NONE })),
        1 => (prop::sample::select(vec![Enter, Backspace]), any::<bool>())
            .prop_map(|(code, alt)| KeyEvent::new(code, if alt { ALT } else { NONE })),
        1 => prop::sample::select(vec![Tab, Esc])
            .prop_map(|code| KeyEvent::new(code, NONE)),
        1 => Just(KeyEvent::new(BackTab, SHIFT)),
        3 => (named, modifiers()).prop_map(|(code, mods)| KeyEvent::new(code, mods)),
        2 => (1u8..=12, modifiers()).prop_map(|(n, mods)| KeyEvent::new(F(n), mods)),
    ]
}

/// The bytes xterm sends for a key (metaSendsEscape for Alt).
fn xterm_encode(key: &KeyEvent) -> Vec<u8> {
    let mods = key.modifiers;
    let has = |m| mods.contains(m);
    let param = 1 + u8::from(has(SHIFT)) + 2 * u8::from(has(ALT)) + 4 * u8::from(has(CTRL));
    let meta = |bytes: &[u8]| {
        let mut out = if has(ALT) { vec![ESC] } else { Vec::new() };
        out.extend_from_slice(bytes);
        out
    };
    let cursor = |fin: char| {
        if mods.is_empty() {
            format!("\x1b[{fin}").into_bytes()
        } else {
            format!("\x1b[1;{param}{fin}").into_bytes()
        }
    };
    let tilde = |n: u8| {
        if mods.is_empty() {
            format!("\x1b[{n}~").into_bytes()
        } else {
            format!("\x1b[{n};{param}~").into_bytes()
        }
    };
    match key.code {
        KeyCode::Char(c) if has(CTRL) => meta(&[c as u8 - b'a' + 1]),
        KeyCode::Char(c) => meta(c.to_string().as_bytes()),
        KeyCode::Enter => meta(b"\r"),
        KeyCode::Backspace => meta(b"\x7f"),
        KeyCode::Tab => b"\t".to_vec(),
        KeyCode::Esc => vec![ESC],
        KeyCode::BackTab => b"\x1b[Z".to_vec(),
        KeyCode::Up => cursor('A'),
        KeyCode::Down => cursor('B'),
        KeyCode::Right => cursor('C'),
        KeyCode::Left => cursor('D'),
        KeyCode::Home => cursor('H'),
        KeyCode::End => cursor('F'),
        KeyCode::Insert => tilde(2),
        KeyCode::Delete => tilde(3),
        KeyCode::PageUp => tilde(5),
        KeyCode::PageDown => tilde(6),
        KeyCode::F(n @ 1..=4) if mods.is_empty() => vec![ESC, b'O', b'P' + n - 1],
        KeyCode::F(n @ 1..=4) => cursor(char::from(b'P' + n - 1)),
        KeyCode::F(n) => tilde([15, 17, 18, 19, 20, 21, 23, 24][usize::from(n - 5)]),
        other => panic!("no xterm encoding for {other:?}"),
    }
}

/// Keys that are a prefix of longer sequences: a real terminal sends them
/// alone, and the parser tells them apart by the silence that follows.
fn needs_silence_after(key: &KeyEvent) -> bool {
    match key.code {
        KeyCode::Esc => true,
        KeyCode::Char('[' | 'O') => key.modifiers.contains(ALT),
        _ => false,
    }
}
