//! Clean text in: the characters no name, comment or id may carry.
//!
//! A control character (C0 but tab, newline and carriage return; DEL; C1),
//! a zero-width character or a bidi override is invisible on a screen and
//! in a printed protocol, yet makes «J02\u{200B}» a second person and can
//! reorder what a reader sees. Such text is refused where it comes in (the
//! integrity check every stored batch passes, see
//! [`super::integrity::check_batch`]), naming the field, the line inside the
//! text and the character. Ids are stricter still ([`id_fault`]).

use serde::Serialize;
use serde::ser;
use std::fmt;

/// Whether `c` must not be shown to a terminal as it is: control characters
/// but tab and newline, bidi marks and overrides, zero-width characters.
pub fn is_hidden(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(
            c,
            '\u{061C}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// Whether `c` is refused in stored text: every hidden character but the
/// carriage return of a line a spreadsheet wrote.
pub fn is_refused(c: char) -> bool {
    c != '\r' && is_hidden(c)
}

/// A refused character found in a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hidden {
    /// The character.
    pub c: char,
    /// The line of the text it is on (1-based; a comment may have several).
    pub line: usize,
    /// Its place on that line, in characters (1-based).
    pub column: usize,
}

/// The bytes of UTF-8 that can begin a hidden character: C0 controls but
/// tab and newline, DEL, and the lead bytes of C1 (`C2`),
/// U+061C (`D8`), U+180E (`E1`), the U+20xx marks (`E2`) and U+FEFF (`EF`).
/// Cyrillic (`D0`, `D1`) and other letters never start with one.
const SUSPECT: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = !matches!(b as u8, b'\t' | b'\n');
        b += 1;
    }
    t[0x7f] = true;
    t[0xc2] = true;
    t[0xd8] = true;
    t[0xe1] = true;
    t[0xe2] = true;
    t[0xef] = true;
    t
};

/// Whether `text` may hold a hidden character: false guarantees it holds
/// none, read a byte at a time, so Russian or Latin text costs next to
/// nothing; true asks for a look at its characters.
#[inline]
pub fn may_hide(text: &str) -> bool {
    text.bytes().any(|b| SUSPECT[usize::from(b)])
}

/// The first refused character of `text`. Text without a suspect byte
/// ([`may_hide`]) is passed over a byte at a time, so a file of 100,000
/// rows costs next to nothing (a carriage return is suspect but allowed).
pub fn first_hidden(text: &str) -> Option<Hidden> {
    if !may_hide(text) {
        return None;
    }
    let (mut line, mut column) = (1, 0);
    for c in text.chars() {
        if c == '\n' {
            line += 1;
            column = 0;
            continue;
        }
        column += 1;
        if is_refused(c) {
            return Some(Hidden { c, line, column });
        }
    }
    None
}

/// The longest id, in characters.
pub const MAX_ID_LEN: usize = 64;

/// Why a text cannot be an id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdFault {
    Empty,
    TooLong,
    /// A character other than a letter, a digit, `-`, `_` or `.`.
    Char(char),
    /// `..`, which reads as a parent directory in a file name.
    DotDot,
}

/// Ids are letters (any alphabet), digits, `-`, `_` and `.`, without `..`,
/// at most [`MAX_ID_LEN`] characters: `P001`, `J03`, `E-2026.1`, `У12`.
pub fn id_fault(id: &str) -> Option<IdFault> {
    if id.is_empty() {
        return Some(IdFault::Empty);
    }
    if let Some(c) = id
        .chars()
        .find(|c| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Some(IdFault::Char(c));
    }
    if id.contains("..") {
        return Some(IdFault::DotDot);
    }
    if id.chars().count() > MAX_ID_LEN {
        return Some(IdFault::TooLong);
    }
    None
}

/// The first refused character in any text of `value`, with the name of
/// the field it is in (the innermost named one). Walks the value's serde
/// form, so every text field of every record is covered, those added later
/// too.
pub fn first_hidden_in<T: Serialize + ?Sized>(value: &T) -> Option<(&'static str, Hidden)> {
    let mut walker = Walker {
        field: "",
        found: None,
    };
    let _ = value.serialize(&mut walker);
    walker.found
}

/// Serialises nothing: visits every string, stopping at the first refused
/// character.
struct Walker {
    field: &'static str,
    found: Option<(&'static str, Hidden)>,
}

#[derive(Debug)]
struct Stop;

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a refused character")
    }
}

impl std::error::Error for Stop {}

impl ser::Error for Stop {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Stop
    }
}

type Done = Result<(), Stop>;

impl Walker {
    fn text(&mut self, s: &str) -> Done {
        match first_hidden(s) {
            Some(h) => {
                self.found = Some((self.field, h));
                Err(Stop)
            }
            None => Ok(()),
        }
    }

    fn field<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T) -> Done {
        let outer = std::mem::replace(&mut self.field, name);
        let done = value.serialize(&mut *self);
        self.field = outer;
        done
    }
}

macro_rules! nothing_to_see {
    ($($method:ident($ty:ty)),* $(,)?) => {
        $(fn $method(self, _: $ty) -> Done { Ok(()) })*
    };
}

impl ser::Serializer for &mut Walker {
    type Ok = ();
    type Error = Stop;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    nothing_to_see!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_bytes(&[u8]),
    );

    fn serialize_char(self, c: char) -> Done {
        self.text(c.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, s: &str) -> Done {
        self.text(s)
    }
    fn serialize_none(self) -> Done {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Done {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Done {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Done {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Done {
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, v: &T) -> Done {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        v: &T,
    ) -> Done {
        v.serialize(self)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self, Stop> {
        Ok(self)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self, Stop> {
        Ok(self)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self, Stop> {
        Ok(self)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, Stop> {
        Ok(self)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self, Stop> {
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Stop> {
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, Stop> {
        Ok(self)
    }
}

/// The sequence-like forms: every element walked in turn.
macro_rules! walk_elements {
    ($($trait:ident :: $method:ident),* $(,)?) => {
        $(impl ser::$trait for &mut Walker {
            type Ok = ();
            type Error = Stop;
            fn $method<T: Serialize + ?Sized>(&mut self, v: &T) -> Done {
                v.serialize(&mut **self)
            }
            fn end(self) -> Done {
                Ok(())
            }
        })*
    };
}

walk_elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field,
);

impl ser::SerializeMap for &mut Walker {
    type Ok = ();
    type Error = Stop;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, k: &T) -> Done {
        k.serialize(&mut **self)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Done {
        v.serialize(&mut **self)
    }
    fn end(self) -> Done {
        Ok(())
    }
}

/// The named forms: every field walked under its name.
macro_rules! walk_fields {
    ($($trait:ident),* $(,)?) => {
        $(impl ser::$trait for &mut Walker {
            type Ok = ();
            type Error = Stop;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                name: &'static str,
                v: &T,
            ) -> Done {
                self.field(name, v)
            }
            fn end(self) -> Done {
                Ok(())
            }
        })*
    };
}

walk_fields!(SerializeStruct, SerializeStructVariant);

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn every_hidden_character_has_a_suspect_byte() {
        let mut buf = [0; 4];
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let text: &str = c.encode_utf8(&mut buf);
            if is_hidden(c) {
                assert!(may_hide(text), "U+{:04X} passes unseen", c as u32);
            }
        }
        assert!(!may_hide("Иванова Ёлка, Irkutsk-2\tok\n"));
        assert!(may_hide("a\u{200B}b"));
    }

    #[test]
    fn ids_are_letters_digits_dash_underscore_and_dot() {
        for good in ["P001", "J03", "E-2026.1", "У12", "tos_zarya"] {
            assert_eq!(id_fault(good), None, "{good}");
        }
        assert_eq!(id_fault("J02\u{200B}"), Some(IdFault::Char('\u{200B}')));
        assert_eq!(id_fault("a/b"), Some(IdFault::Char('/')));
        assert_eq!(id_fault("a\\b"), Some(IdFault::Char('\\')));
        assert_eq!(id_fault("P 1"), Some(IdFault::Char(' ')));
        assert_eq!(id_fault("a..b"), Some(IdFault::DotDot));
        assert_eq!(id_fault(""), Some(IdFault::Empty));
        assert_eq!(id_fault(&"x".repeat(65)), Some(IdFault::TooLong));
    }

    #[test]
    fn a_hidden_character_is_found_with_its_line_and_place() {
        assert_eq!(first_hidden("Иванова Анна"), None);
        assert_eq!(first_hidden("line\r\nnext\ttab"), None);
        assert_eq!(
            first_hidden("first\nвто\u{202E}рая"),
            Some(Hidden {
                c: '\u{202E}',
                line: 2,
                column: 4
            })
        );
        assert_eq!(first_hidden("a\u{1b}]0;x").map(|h| h.c), Some('\u{1b}'));
        assert_eq!(first_hidden("a\u{85}").map(|h| h.c), Some('\u{85}'));
        assert_eq!(first_hidden("a\u{2060}").map(|h| h.c), Some('\u{2060}'));
        assert_eq!(first_hidden("a\0").map(|h| h.c), Some('\0'));
    }

    #[test]
    fn every_text_of_a_value_is_walked_with_its_field() {
        #[derive(Serialize)]
        struct Inner {
            comment: Option<String>,
        }
        #[derive(Serialize)]
        struct Outer {
            name: String,
            score: f64,
            notes: BTreeMap<String, Inner>,
        }
        let mut notes = BTreeMap::new();
        notes.insert(
            "c1".to_string(),
            Inner {
                comment: Some("ok".into()),
            },
        );
        let clean = Outer {
            name: "Анна".into(),
            score: 1.5,
            notes,
        };
        assert_eq!(first_hidden_in(&clean), None);
        let mut dirty = clean;
        dirty.notes.insert(
            "c2".into(),
            Inner {
                comment: Some("x\u{200B}".into()),
            },
        );
        let (field, h) = first_hidden_in(&dirty).unwrap();
        assert_eq!((field, h.c), ("comment", '\u{200B}'));
    }
}
