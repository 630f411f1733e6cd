//! Search over participants' ids, names, TOS names and municipalities, for
//! Russian text typed on any keyboard.
//!
//! Both sides are normalised: Cyrillic is lower-cased with `ё` = `е`, and
//! every text also gets a Latin transliteration, so that a juror without a
//! Russian layout who types `ivanov` or `angarsk` finds «Иванов» and
//! «Ангарск». A Cyrillic query is looked up in the Cyrillic text, any other
//! in the Latin one. The transliteration spells each letter its most common
//! way (`х` → `kh`, `ц` → `ts`, `й` → `y`, `я` → `ya`), and the Latin side
//! (the query and the text alike) is brought to those spellings: `h` after
//! a vowel is `kh`, `c` is `ts` unless it begins `ch`, `tz` is `ts`, `x` is
//! `ks`, `w` is `v`, `j` is `y`.
//!
//! Spaces, punctuation and quotes are one space on both sides, so that
//! `tos zarya` is a part of «ТОС «Заря»» and `усть кут` of «Усть-Кут».
//!
//! A query matches within one field, never across fields, and every hit
//! says how ([`Tier`]), best first:
//! 1. a whole word of a field, or the beginning of one ([`Tier::Word`]);
//! 2. any other part of a field ([`Tier::Part`]);
//! 3. for a query of at least [`FUZZY_FROM`] letters, its letters in order
//!    inside one field, with at most [`MAX_GAP`] other letters between two
//!    of them ([`Tier::Fuzzy`]);
//! 4. only when nothing matches in those ways and the query has at least
//!    [`TYPO_FROM`] letters: the beginning of a word one typo away (a
//!    swapped, missing, extra or wrong letter: «Иркустк» finds «Иркутск»)
//!    ([`Tier::Typo`]).
//!
//! Within a tier, hits in an earlier field (id, name, TOS, municipality)
//! come first, then in item order.

use std::ops::Range;

/// At most this many other letters between two letters of a fuzzy match.
pub const MAX_GAP: usize = 2;

/// Queries of at least this many letters also match fuzzily: two or three
/// letters spread over a field would match nearly everyone, and mean
/// nothing.
pub const FUZZY_FROM: usize = 4;

/// Queries of at least this many letters are offered one-typo matches when
/// nothing else matches.
pub const TYPO_FROM: usize = 5;

/// Candidates fewer than one in this many items are tested one by one;
/// more, in one pass over every item's text.
const SPARSE: usize = 8;

/// Separates fields in a haystack, and items in the index; never in a
/// query.
const SEP: u8 = 0x01;

/// How a hit matched, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tier {
    /// The query is a word of a field or the beginning of one.
    Word,
    /// The query is another part of a field.
    Part,
    /// The query's letters in order within a field, close together.
    Fuzzy,
    /// The beginning of a word one typo away from the query.
    Typo,
}

/// How many tiers there are.
const TIERS: usize = Tier::Typo as usize + 1;

/// A prepared index over items' fields.
///
/// Haystacks are stored as bytes, one run per item, fields separated by
/// [`SEP`]: `latin` in ASCII, and `native` in a one-byte-per-letter form
/// (ASCII as is, `а`..`я` as 0xE0..0xFF as in Windows-1251, other letters
/// 0x80, other characters a space) so that a byte-wise test is a
/// character-wise one.
pub struct SearchIndex {
    latin: Vec<u8>,
    latin_at: Vec<u32>,
    native: Vec<u8>,
    native_at: Vec<u32>,
    /// Each item's [`letters_of`] in `latin` and in `native`.
    latin_letters: Vec<u64>,
    native_letters: Vec<u64>,
}

/// What a query found.
#[derive(Clone, Debug, Default)]
pub struct Found {
    /// Best first.
    pub ordered: Vec<Hit>,
    /// Every item matched without a typo, in item order: the candidates for
    /// the next, longer query (see [`SearchIndex::key`]).
    pub matched: Vec<usize>,
    /// Whether the hits are one-typo matches (nothing matched exactly).
    pub typo: bool,
}

/// A match: the item, how it matched and in which field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    pub item: usize,
    pub tier: Tier,
    pub field: u8,
}

/// Lower case with `ё` → `е`.
pub fn fold(c: char) -> char {
    match c {
        'ё' | 'Ё' => 'е',
        c => c.to_lowercase().next().unwrap_or(c),
    }
}

/// Latin letters and digits only, lower case: each character folded
/// ([`fold`]) and spelled as the search spells it; other letters, spaces
/// and punctuation are dropped. `Щербакова Юлия` → `shcherbakovayuliya`,
/// as an e-mail address would be made of a name.
pub fn to_latin(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().map(fold) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else {
            out.push_str(latin(c));
        }
    }
    out
}

/// The Latin spelling of one lower-case Cyrillic letter.
fn latin(c: char) -> &'static str {
    match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'д' => "d",
        'е' | 'э' => "e",
        'ж' => "zh",
        'з' => "z",
        'и' => "i",
        'й' | 'ы' => "y",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ю' => "yu",
        'я' => "ya",
        _ => "",
    }
}

fn is_cyrillic(c: char) -> bool {
    ('\u{0400}'..='\u{04FF}').contains(&c)
}

/// The one-byte form of a folded character in the native haystack: ASCII
/// letters and digits as they are, `а`..`я` as 0xE0..0xFF (as in
/// Windows-1251), other letters 0x80, anything else a space.
fn native_byte(c: char) -> u8 {
    match c {
        c if c.is_ascii_alphanumeric() => c as u8,
        'а'..='я' => 0xE0 + (c as u32 - 'а' as u32) as u8,
        c if c.is_alphanumeric() => 0x80,
        _ => b' ',
    }
}

/// Appends `b` unless it is a space after a space: a run of spaces,
/// punctuation and quotes is one space on both sides of a search, so that
/// `tos zarya` is a part of «ТОС «Заря»» and `усть-кут` of «Усть-Кут».
fn push_collapsed<T>(to: &mut Vec<(u8, T)>, b: u8, at: T) {
    if b == b' ' && to.last().is_some_and(|(l, _)| *l == b' ') {
        return;
    }
    to.push((b, at));
}

/// Whether a haystack byte is part of a word: anything but a space and
/// [`SEP`].
fn is_word(b: u8) -> bool {
    b != b' ' && b != SEP
}

/// Brings Latin text to the transliteration's spellings (see the module's
/// documentation), keeping each byte's origin.
fn latin_spelling<T: Copy>(text: &[(u8, T)]) -> Vec<(u8, T)> {
    let mut out = Vec::with_capacity(text.len() + 4);
    for (i, &(b, at)) in text.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| text[p].0);
        let next = text.get(i + 1).map(|n| n.0);
        match b {
            b'h' if !matches!(prev, Some(b'k' | b's' | b'c' | b'z' | b't')) => {
                out.extend([(b'k', at), (b'h', at)]);
            }
            b'c' if next != Some(b'h') => out.extend([(b't', at), (b's', at)]),
            b'z' if prev == Some(b't') => out.push((b's', at)),
            b'x' => out.extend([(b'k', at), (b's', at)]),
            b'w' => out.push((b'v', at)),
            b'j' => out.push((b'y', at)),
            _ => out.push((b, at)),
        }
    }
    out
}

/// The haystacks of one item, with a map from each haystack byte back to
/// (field, character index in the field's original text). Separators map
/// to field `u8::MAX`.
struct Haystacks {
    native: Vec<(u8, (u8, u16))>,
    latin: Vec<(u8, (u8, u16))>,
}

impl Haystacks {
    fn new(fields: &[&str]) -> Haystacks {
        let mut native = Vec::new();
        let mut latin_raw = Vec::new();
        let sep = (SEP, (u8::MAX, 0u16));
        for (f, text) in fields.iter().enumerate() {
            if f > 0 {
                native.push(sep);
                latin_raw.push(sep);
            }
            for (i, c) in text.chars().enumerate() {
                let at = (f as u8, i.min(u16::MAX as usize) as u16);
                let c = fold(c);
                push_collapsed(&mut native, native_byte(c), at);
                if is_cyrillic(c) {
                    latin_raw.extend(latin(c).bytes().map(|l| (l, at)));
                } else {
                    push_collapsed(&mut latin_raw, native_byte(c), at);
                }
            }
        }
        let latin = latin_spelling(&latin_raw);
        Haystacks { native, latin }
    }
}

/// A query, normalised once.
struct Query {
    bytes: Vec<u8>,
    native: bool,
    letters: usize,
}

impl Query {
    fn new(q: &str) -> Query {
        let text: Vec<char> = q.trim().chars().map(fold).collect();
        let native = text.iter().any(|&c| is_cyrillic(c));
        let mut raw: Vec<(u8, ())> = Vec::with_capacity(text.len());
        for &c in &text {
            push_collapsed(&mut raw, native_byte(c), ());
        }
        if raw.last().is_some_and(|(b, _)| *b == b' ') {
            raw.pop();
        }
        if raw.first().is_some_and(|(b, _)| *b == b' ') {
            raw.remove(0);
        }
        let bytes = if native {
            raw.into_iter().map(|(b, _)| b).collect()
        } else {
            latin_spelling(&raw).into_iter().map(|(b, _)| b).collect()
        };
        Query {
            bytes,
            native,
            letters: text.iter().filter(|c| c.is_alphanumeric()).count(),
        }
    }
}

/// A query's tests, prepared once per search.
struct Tests<'q> {
    q: &'q Query,
    finder: memchr::memmem::Finder<'q>,
    /// For the bit-parallel fuzzy test (queries of up to 64 bytes): bit `i`
    /// of `masks[b]` is set when the query's byte `i` is `b`.
    masks: Option<Box<[u64; 256]>>,
}

impl<'q> Tests<'q> {
    fn new(q: &'q Query) -> Tests<'q> {
        let masks = (q.bytes.len() <= 64).then(|| {
            let mut masks = Box::new([0u64; 256]);
            for (i, &b) in q.bytes.iter().enumerate() {
                masks[b as usize] |= 1 << i;
            }
            masks
        });
        Tests {
            q,
            finder: memchr::memmem::Finder::new(&q.bytes),
            masks,
        }
    }

    fn fuzzy(&self) -> bool {
        self.q.letters >= FUZZY_FROM
    }

    /// The best place `hay` holds the query as a part of one field: a
    /// word's beginning in the earliest field that has one, else a part in
    /// the earliest field. (tier, field, offset in `hay`).
    fn part(&self, hay: &[u8]) -> Option<(Tier, u8, usize)> {
        let mut best: Option<(Tier, u8, usize)> = None;
        for (f, (start, text)) in fields(hay).enumerate() {
            for at in self.finder.find_iter(text) {
                let tier = if word_start(text, at) {
                    Tier::Word
                } else {
                    Tier::Part
                };
                if best.is_none_or(|(t, _, _)| tier < t) {
                    best = Some((tier, f as u8, start + at));
                }
                if tier == Tier::Word {
                    return best;
                }
            }
        }
        best
    }

    /// The earliest field of `hay` that holds the query's letters in order
    /// with at most [`MAX_GAP`] other letters between two of them: one
    /// pass, bit-parallel over the query's positions.
    fn fuzzy_field(&self, hay: &[u8]) -> Option<u8> {
        let Some(masks) = &self.masks else {
            return fields(hay)
                .position(|(_, text)| fuzzy(text, &self.q.bytes).is_some())
                .map(|f| f as u8);
        };
        let last = 1u64 << (self.q.bytes.len() - 1);
        // r1, r2, r3: bit i set when q[..=i] matches ending 1, 2, 3 bytes
        // back (at most MAX_GAP = 2 other bytes between two matched ones).
        const _: () = assert!(MAX_GAP == 2);
        let (mut r1, mut r2, mut r3) = (0u64, 0u64, 0u64);
        let mut field = 0u8;
        for &b in hay {
            if b == SEP {
                field += 1;
                (r1, r2, r3) = (0, 0, 0);
                continue;
            }
            let now = ((r1 | r2 | r3) << 1 | 1) & masks[b as usize];
            if now & last != 0 {
                return Some(field);
            }
            (r1, r2, r3) = (now, r1, r2);
        }
        None
    }
}

/// The letters and digits a text holds, as bits (some share one): an item
/// without each of a query's letters cannot match it fuzzily.
fn letters_of(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0, |all, &b| {
        all | match b {
            b'a'..=b'z' => 1 << (b - b'a'),
            b'0'..=b'9' => 1 << (26 + b - b'0'),
            0xE0..=0xFF => 1 << (36 + (b - 0xE0) % 28),
            _ => 0,
        }
    })
}

/// The fields of a haystack with their start offsets.
fn fields(hay: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let mut start = 0;
    hay.split(|&b| b == SEP).map(move |f| {
        let at = start;
        start += f.len() + 1;
        (at, f)
    })
}

fn word_start(hay: &[u8], at: usize) -> bool {
    at == 0 || !is_word(hay[at - 1])
}

/// The positions of `q`'s bytes in `field` in order, with at most
/// [`MAX_GAP`] other bytes between two of them (the leftmost such match),
/// or `None`.
fn fuzzy(field: &[u8], q: &[u8]) -> Option<Vec<usize>> {
    let (n, m) = (field.len(), q.len());
    if m == 0 || m > n {
        return None;
    }
    // reach[i * n + j]: q[..=i] matches ending with q[i] at j.
    let mut reach = vec![false; m * n];
    for j in 0..n {
        reach[j] = field[j] == q[0];
    }
    for i in 1..m {
        let mut any = false;
        for j in i..n {
            let ok = field[j] == q[i]
                && (j.saturating_sub(MAX_GAP + 1)..j).any(|k| reach[(i - 1) * n + k]);
            reach[i * n + j] = ok;
            any |= ok;
        }
        if !any {
            return None;
        }
    }
    let mut j = (0..n).find(|&j| reach[(m - 1) * n + j])?;
    let mut path = vec![j];
    for i in (0..m - 1).rev() {
        j = (j.saturating_sub(MAX_GAP + 1)..j)
            .rev()
            .find(|&k| reach[i * n + k])?;
        path.push(j);
    }
    path.reverse();
    Some(path)
}

/// How many bytes of `text`'s beginning are one typo from `q` (a wrong,
/// extra or missing byte in `q`, or two neighbours swapped), or `None`.
/// Reads at most `q.len() + 1` bytes of `text`.
fn one_typo(text: &[u8], q: &[u8]) -> Option<usize> {
    let m = q.len();
    let i = q.iter().zip(text).take_while(|(a, b)| a == b).count();
    if i == m {
        return Some(m);
    }
    // q[from..] equals text from `at` on.
    let rest = |from: usize, at: usize| {
        let len = m.saturating_sub(from);
        text.len() >= at + len && q[from.min(m)..] == text[at..at + len]
    };
    if rest(i + 1, i + 1) {
        Some(m)
    } else if rest(i + 1, i) {
        Some(m - 1)
    } else if rest(i, i + 1) {
        Some(m + 1)
    } else if i + 1 < m
        && text.len() > i + 1
        && q[i] == text[i + 1]
        && q[i + 1] == text[i]
        && rest(i + 2, i + 2)
    {
        Some(m)
    } else {
        None
    }
}

/// The first word's beginning in `hay` (earliest field first) one typo
/// from `q`: (field, offset in `hay`, length).
fn typo(hay: &[u8], q: &[u8]) -> Option<(u8, usize, usize)> {
    fields(hay).enumerate().find_map(|(f, (start, text))| {
        (0..text.len())
            .filter(|&s| is_word(text[s]) && word_start(text, s))
            .find_map(|s| one_typo(&text[s..], q).map(|len| (f as u8, start + s, len)))
    })
}

/// A set of items.
struct Items(Vec<u64>);

impl Items {
    fn of(items: impl IntoIterator<Item = usize>, n: usize) -> Items {
        let mut bits = vec![0u64; n.div_ceil(64)];
        for i in items {
            bits[i / 64] |= 1 << (i % 64);
        }
        Items(bits)
    }

    fn has(&self, i: usize) -> bool {
        self.0[i / 64] & 1 << (i % 64) != 0
    }
}

/// The items of `items` (among `wanted`) whose haystacks in `buf` hold the
/// query as a part of one field, each with its best tier and field as
/// [`Tests::part`] finds them, in item order: one pass of the finder over
/// the items' stretch of the buffer.
fn parts_in(
    buf: &[u8],
    at: &[u32],
    items: Range<usize>,
    finder: &memchr::memmem::Finder,
    wanted: Option<&Items>,
) -> Vec<Hit> {
    let mut out = Vec::new();
    let end = at[items.end] as usize;
    let mut pos = at[items.start] as usize;
    let mut item = items.start;
    let mut best: Option<(Tier, u8)> = None;
    while let Some(off) = finder.find(&buf[pos..end]) {
        let p = pos + off;
        if p >= at[item + 1] as usize {
            if let Some((tier, field)) = best.take() {
                out.push(Hit { item, tier, field });
            }
            // Items only move forward: the steps over a pass are at most
            // the number of items.
            item += 1;
            while at[item + 1] as usize <= p {
                item += 1;
            }
        }
        let (start, stop) = (at[item] as usize, at[item + 1] as usize);
        if wanted.is_some_and(|w| !w.has(item)) {
            pos = stop;
            continue;
        }
        let field = |at: usize| buf[start..at].iter().filter(|&&b| b == SEP).count() as u8;
        // The first place is the earliest field's; a word's beginning
        // after it is better than a part, and nothing else is.
        best = Some(if word_start(buf, p) {
            (Tier::Word, field(p))
        } else {
            match word_after(buf, p + 1..stop - 1, finder.needle()) {
                Some(w) => (Tier::Word, field(w)),
                None => (Tier::Part, field(p)),
            }
        });
        pos = stop;
    }
    if let Some((tier, field)) = best {
        out.push(Hit { item, tier, field });
    }
    out
}

/// The first place in `within` of `buf` where `q` begins a word (after a
/// space or a separator, the only bytes that are not a word's).
fn word_after(buf: &[u8], within: Range<usize>, q: &[u8]) -> Option<usize> {
    let from = within.start.checked_sub(1)?;
    memchr::memchr2_iter(b' ', SEP, &buf[from..within.end])
        .map(|j| from + j + 1)
        .find(|&j| j + q.len() <= within.end && buf[j..].starts_with(q))
}

/// The items of `items` with a word's beginning one typo from `q`, each
/// with the earliest such field, in item order, as [`typo`] finds them.
///
/// One typo leaves the bytes before the middle one or those after it as
/// they are: the word beginnings looked at are those where the first part
/// is, and those the last part's places point back to (the typo before it
/// a wrong, missing or extra letter, or a swap).
fn typos_in(buf: &[u8], at: &[u32], items: Range<usize>, q: &[u8]) -> Vec<Hit> {
    let (from, to) = (at[items.start] as usize, at[items.end] as usize);
    let stretch = &buf[from..to];
    let half = q.len() / 2;
    let mut found: Vec<(usize, u8)> = Vec::new();
    let mut test = |s: usize| {
        if s < from || !is_word(buf[s]) || !word_start(buf, s) {
            return;
        }
        let text = &buf[s..(s + q.len() + 1).min(to)];
        let text = &text[..memchr::memchr(SEP, text).unwrap_or(text.len())];
        if one_typo(text, q).is_none() {
            return;
        }
        let item = at.partition_point(|&a| a as usize <= s) - 1;
        let field = buf[at[item] as usize..s]
            .iter()
            .filter(|&&b| b == SEP)
            .count();
        found.push((item, field as u8));
    };
    for p in memchr::memmem::find_iter(stretch, &q[..half]) {
        test(from + p);
    }
    for p in memchr::memmem::find_iter(stretch, &q[half + 1..]) {
        for back in [half, half + 1, half + 2] {
            if let Some(s) = (from + p).checked_sub(back) {
                test(s);
            }
        }
    }
    found.sort_unstable();
    found.dedup_by_key(|(item, _)| *item);
    found
        .into_iter()
        .map(|(item, field)| Hit {
            item,
            tier: Tier::Typo,
            field,
        })
        .collect()
}

/// Hits ordered by tier, then field, then item: a counting sort, since
/// each tier's hits come in item order.
fn best_first(hits: Vec<Hit>) -> Vec<Hit> {
    let fields = hits.iter().map(|h| h.field as usize + 1).max().unwrap_or(0);
    let bucket = |h: &Hit| h.tier as usize * fields + h.field as usize;
    let mut next = vec![0usize; TIERS * fields + 1];
    for h in &hits {
        next[bucket(h) + 1] += 1;
    }
    for b in 1..next.len() {
        next[b] += next[b - 1];
    }
    let mut ordered = hits.clone();
    for h in hits {
        let at = &mut next[bucket(&h)];
        ordered[*at] = h;
        *at += 1;
    }
    ordered
}

/// Two lists of items in item order, merged.
fn merged(a: &[Hit], b: &[Hit]) -> Vec<usize> {
    if b.is_empty() {
        return a.iter().map(|h| h.item).collect();
    }
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if j == b.len() || (i < a.len() && a[i].item < b[j].item) {
            out.push(a[i].item);
            i += 1;
        } else {
            out.push(b[j].item);
            j += 1;
        }
    }
    out
}

impl SearchIndex {
    /// Builds an index; `items` yields each item's fields.
    pub fn new<'a, I, F>(items: I) -> SearchIndex
    where
        I: IntoIterator<Item = F>,
        F: AsRef<[&'a str]>,
    {
        let mut index = SearchIndex {
            latin: Vec::new(),
            latin_at: vec![0],
            native: Vec::new(),
            native_at: vec![0],
            latin_letters: Vec::new(),
            native_letters: Vec::new(),
        };
        for fields in items {
            let h = Haystacks::new(fields.as_ref());
            let from = (index.latin.len(), index.native.len());
            index.latin.extend(h.latin.iter().map(|(b, _)| *b));
            index.latin.push(SEP);
            index.latin_at.push(index.latin.len() as u32);
            index.native.extend(h.native.iter().map(|(b, _)| *b));
            index.native.push(SEP);
            index.native_at.push(index.native.len() as u32);
            index.latin_letters.push(letters_of(&index.latin[from.0..]));
            index
                .native_letters
                .push(letters_of(&index.native[from.1..]));
        }
        index
    }

    pub fn len(&self) -> usize {
        self.latin_at.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every item's haystack, each followed by a [`SEP`], and where each
    /// begins.
    fn buffer(&self, native: bool) -> (&[u8], &[u32]) {
        if native {
            (&self.native, &self.native_at)
        } else {
            (&self.latin, &self.latin_at)
        }
    }

    fn hay(&self, item: usize, native: bool) -> &[u8] {
        let (buf, at) = self.buffer(native);
        &buf[at[item] as usize..at[item + 1] as usize - 1]
    }

    /// A query's normalised form. When one query's key begins with
    /// another's, everything the longer one matches without a typo the
    /// shorter one matches too: its [`Found::matched`] are the longer one's
    /// candidates. (The key says whether the query is long enough to match
    /// fuzzily: a shorter query's matches are no candidates for a fuzzy
    /// one.)
    pub fn key(query: &str) -> Vec<u8> {
        let q = Query::new(query);
        let mut key = vec![u8::from(q.native), u8::from(q.letters >= FUZZY_FROM)];
        key.extend(q.bytes);
        key
    }

    /// The items among `candidates` (all items when `None`; given in item
    /// order) that match `query`, best first (see the module's
    /// documentation). An empty query matches everything, in item order.
    pub fn search(&self, query: &str, candidates: Option<&[usize]>) -> Vec<Hit> {
        self.find(query, candidates).ordered
    }

    /// [`SearchIndex::search`], with every match in item order and whether
    /// the hits are one-typo matches. One-typo matches are looked for among
    /// all items, whatever the candidates.
    pub fn find(&self, query: &str, candidates: Option<&[usize]>) -> Found {
        let q = Query::new(query);
        let n = self.len();
        if q.bytes.is_empty() {
            let all: Vec<usize> = candidates.map_or_else(|| (0..n).collect(), <[usize]>::to_vec);
            return Found {
                ordered: all
                    .iter()
                    .map(|&item| Hit {
                        item,
                        tier: Tier::Word,
                        field: 0,
                    })
                    .collect(),
                matched: all,
                typo: false,
            };
        }
        let tests = Tests::new(&q);
        let (buf, at) = self.buffer(q.native);
        let hit = |item: usize, (tier, field): (Tier, u8)| Hit { item, tier, field };
        // Parts of fields: item by item among few candidates, else one pass
        // over the buffer.
        let parts: Vec<Hit> = match candidates {
            Some(c) if c.len() * SPARSE < n => crate::parallel::halves(c.len(), |r| {
                c[r].iter()
                    .filter_map(|&i| {
                        let (tier, field, _) = tests.part(self.hay(i, q.native))?;
                        Some(hit(i, (tier, field)))
                    })
                    .collect()
            }),
            _ => {
                let wanted = candidates.map(|c| Items::of(c.iter().copied(), n));
                crate::parallel::halves(n, |r| parts_in(buf, at, r, &tests.finder, wanted.as_ref()))
            }
        };
        // Letters in order, among the rest.
        let fuzzy: Vec<Hit> = if tests.fuzzy() {
            let done = Items::of(parts.iter().map(|h| h.item), n);
            let letters = if q.native {
                &self.native_letters
            } else {
                &self.latin_letters
            };
            let needed = letters_of(&q.bytes);
            let maybe = |i: &usize| !done.has(*i) && letters[*i] & needed == needed;
            let rest: Vec<usize> = match candidates {
                Some(c) => c.iter().copied().filter(maybe).collect(),
                None => (0..n).filter(maybe).collect(),
            };
            crate::parallel::halves(rest.len(), |r| {
                rest[r]
                    .iter()
                    .filter_map(|&i| {
                        let field = tests.fuzzy_field(self.hay(i, q.native))?;
                        Some(hit(i, (Tier::Fuzzy, field)))
                    })
                    .collect()
            })
        } else {
            Vec::new()
        };
        let matched = merged(&parts, &fuzzy);
        let mut hits: Vec<Hit> = parts;
        hits.extend(fuzzy);
        let mut typo_hits = false;
        if hits.is_empty() && q.letters >= TYPO_FROM {
            hits = crate::parallel::halves(n, |r| typos_in(buf, at, r, &q.bytes));
            typo_hits = !hits.is_empty();
        }
        Found {
            ordered: best_first(hits),
            matched,
            typo: typo_hits,
        }
    }

    /// The characters of `fields` that `query` matches, for highlighting:
    /// (field, character index in that field's text). A one-typo match is
    /// highlighted when nothing matches directly.
    pub fn highlights(fields: &[&str], query: &str) -> Vec<(u8, u16)> {
        let q = Query::new(query);
        if q.bytes.is_empty() {
            return Vec::new();
        }
        let h = Haystacks::new(fields);
        let hay = if q.native { &h.native } else { &h.latin };
        let bytes: Vec<u8> = hay.iter().map(|(b, _)| *b).collect();
        let tests = Tests::new(&q);
        let positions: Vec<usize> = if let Some((_, _, start)) = tests.part(&bytes) {
            (start..start + q.bytes.len()).collect()
        } else if let Some(f) = tests.fuzzy().then(|| tests.fuzzy_field(&bytes)).flatten() {
            let Some((start, text)) = self::fields(&bytes).nth(f as usize) else {
                return Vec::new();
            };
            let path = fuzzy(text, &q.bytes).unwrap_or_default();
            path.into_iter().map(|p| start + p).collect()
        } else if let Some((_, start, len)) = (q.letters >= TYPO_FROM)
            .then(|| typo(&bytes, &q.bytes))
            .flatten()
        {
            (start..start + len).collect()
        } else {
            return Vec::new();
        };
        let mut out: Vec<(u8, u16)> = positions
            .into_iter()
            .filter_map(|i| hay.get(i).map(|(_, at)| *at))
            .filter(|(f, _)| *f != u8::MAX)
            .collect();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_queries_match_no_letters_spread_over_a_field() {
        // «ивн» is in «Иванова» only with a letter between: too short to
        // count as a fuzzy match; four letters do.
        assert!(tiers("ивн").is_empty(), "{:?}", tiers("ивн"));
        assert_eq!(tiers("ивно"), vec![(0, Tier::Fuzzy)]);
    }

    fn index() -> SearchIndex {
        SearchIndex::new([
            [
                "P001",
                "Иванова Анна Петровна",
                "ТОС «Рассвет»",
                "Ангарский городской округ",
            ],
            ["P002", "Ёлкина Мария Сергеевна", "ТОС «Берёзка»", "Иркутск"],
            ["P003", "Петров Иван Ильич", "ТОС «Надежда»", "Шелехов"],
            ["P004", "Ходорковская Юлия", "ТОС «Цветы»", "Усть-Илимск"],
            ["P005", "Smith John", "TOS Sunny", "Братск"],
            ["P006", "Кутузов Илья", "ТОС «Кедр»", "Усть-Кут"],
            ["P007", "Сидоров Пётр", "ТОС «Иркутянка»", "Кутулик"],
        ])
    }

    fn found(q: &str) -> Vec<usize> {
        index()
            .search(q, None)
            .into_iter()
            .map(|h| h.item)
            .collect()
    }

    fn tiers(q: &str) -> Vec<(usize, Tier)> {
        index()
            .search(q, None)
            .into_iter()
            .map(|h| (h.item, h.tier))
            .collect()
    }

    #[test]
    fn latin_typing_finds_cyrillic_names() {
        assert_eq!(found("ivanova"), vec![0]);
        assert_eq!(found("angarsk"), vec![0]);
        for (q, want) in [
            ("hodorkovskaya", 3),
            ("khodorkovskaya", 3),
            ("yulia", 3),
            ("yuliya", 3),
            ("julia", 3),
            ("cvety", 3),
            ("tsvety", 3),
            ("shelekhov", 2),
            ("shelehov", 2),
            ("petrov ivan", 2),
        ] {
            assert_eq!(found(q).first(), Some(&want), "{q}");
        }
    }

    #[test]
    fn cyrillic_is_case_insensitive_and_yo_is_ye() {
        assert_eq!(found("ИВАНОВА"), vec![0]);
        assert_eq!(found("елкина"), vec![1]);
        assert_eq!(found("ЁЛКИНА"), vec![1]);
        assert_eq!(found("берез"), vec![1]);
        assert_eq!(found("петр"), vec![0, 2, 6]);
        assert_eq!(found("iRkUtSk"), vec![1]);
    }

    #[test]
    fn punctuation_and_quotes_are_one_space() {
        assert_eq!(tiers("tos rassvet"), vec![(0, Tier::Word)]);
        assert_eq!(tiers("ТОС «Рассвет»"), vec![(0, Tier::Word)]);
        assert_eq!(tiers("усть-кут"), vec![(5, Tier::Word)]);
        assert_eq!(tiers("ust kut"), vec![(5, Tier::Word)]);
        assert_eq!(tiers("«кедр"), vec![(5, Tier::Word)]);
    }

    #[test]
    fn ids_are_searched() {
        assert_eq!(tiers("P005"), vec![(4, Tier::Word)]);
        assert_eq!(
            tiers("p00"),
            (0..7).map(|i| (i, Tier::Word)).collect::<Vec<_>>()
        );
    }

    #[test]
    fn word_beginnings_come_before_parts_before_fuzzy() {
        // The TOS «Иркутянка» is an earlier field than the municipality.
        assert_eq!(tiers("иркут"), vec![(6, Tier::Word), (1, Tier::Word)]);
        // «кут» begins «Кутузов» (a name, the earlier field) and «Кутулик»
        // (a municipality), and is inside «Иркутск».
        assert_eq!(
            tiers("кут"),
            vec![(5, Tier::Word), (6, Tier::Word), (1, Tier::Part)]
        );
        // Letters in order within one field, close together.
        assert_eq!(tiers("ивнва"), vec![(0, Tier::Fuzzy)]);
        assert_eq!(tiers("shlkhv"), vec![(2, Tier::Fuzzy)]);
    }

    #[test]
    fn letters_spread_across_fields_or_far_apart_do_not_match() {
        // «Усть-Кут», «Кутулик»: the letters of «иркутск» are there, but
        // across fields; «Иркутянка» has «иркут» and no «ск» close by.
        assert_eq!(found("иркутск"), vec![1]);
        assert_eq!(found("irkutsk"), vec![1]);
        // «Петров Иван Ильич» and «Шелехов» are different fields.
        assert!(found("ильш").is_empty());
        // П…ч are too far apart in «Петров Иван Ильич».
        assert!(found("пч").is_empty());
    }

    #[test]
    fn one_typo_is_offered_only_when_nothing_matches() {
        let idx = index();
        for q in ["Иркустк", "Иркусск", "Иркутсск", "Иркатск", "irkustk"]
        {
            let f = idx.find(q, None);
            assert!(f.typo, "{q}");
            assert_eq!(
                f.ordered.first().map(|h| (h.item, h.tier)),
                Some((1, Tier::Typo)),
                "{q}"
            );
            assert!(f.matched.is_empty(), "{q}");
        }
        // Short queries get no typo matches: too many words are one letter
        // from four letters.
        let f = idx.find("Иоку", None);
        assert!(f.ordered.is_empty() && !f.typo);
        // Two typos are not one.
        assert!(idx.find("Ирксутк", None).ordered.is_empty());
        // A typo in the first or the last letter.
        assert_eq!(found("Ыркутск"), vec![1]);
        assert_eq!(found("Иркутсл"), vec![1]);
        assert_eq!(found("ркутск").first(), Some(&1));
        // A query that matches gets no typo matches beside.
        assert!(!idx.find("Иркутск", None).typo);
    }

    #[test]
    fn the_quick_fuzzy_test_agrees_with_the_positions() {
        let fields: [&[u8]; 4] = [b"ivanova anna", b"shelekhov", b"a  b   c", b"abcabcabc"];
        for field in fields {
            for q in [
                &b"ivnva"[..],
                b"shlkhv",
                b"abc",
                b"ac",
                b"a  b",
                b"bcc",
                b"cab",
            ] {
                let query = Query {
                    bytes: q.to_vec(),
                    native: false,
                    letters: q.len(),
                };
                assert_eq!(
                    Tests::new(&query).fuzzy_field(field).is_some(),
                    fuzzy(field, q).is_some(),
                    "{q:?} in {field:?}"
                );
            }
        }
    }

    #[test]
    fn one_typo_kinds() {
        let q = b"irkutsk";
        assert_eq!(one_typo(b"irkutsk", q), Some(7));
        assert_eq!(one_typo(b"irkustk", q), Some(7)); // swapped
        assert_eq!(one_typo(b"irkutk", q), Some(6)); // extra in the query
        assert_eq!(one_typo(b"irkuttsk", q), Some(8)); // missing in the query
        assert_eq!(one_typo(b"irkutsky", q), Some(7)); // a word's beginning
        assert_eq!(one_typo(b"irkatsk", q), Some(7)); // wrong
        assert_eq!(one_typo(b"irkstuk", q), None);
        assert_eq!(one_typo(b"irk", q), None);
    }

    #[test]
    fn no_match_is_empty_and_empty_query_matches_all() {
        assert!(found("zzzz").is_empty());
        assert_eq!(found("").len(), 7);
        assert_eq!(found("smith"), vec![4]);
        assert_eq!(found("SUNNY"), vec![4]);
    }

    #[test]
    fn to_latin_spells_names_for_e_mail_addresses() {
        assert_eq!(to_latin("Щербакова Юлия"), "shcherbakovayuliya");
        // Ё is е; ъ, ь, spaces and punctuation are dropped.
        assert_eq!(to_latin("Ёлкин Ильич"), "elkinilich");
        assert_eq!(to_latin("Подъячев-Сэсэг"), "podyachevseseg");
        assert_eq!(to_latin("ТОС «Заря» №2"), "toszarya2");
        // ASCII letters and digits are kept, lower-cased; other letters go.
        assert_eq!(to_latin("Anna K. Smith 55"), "annaksmith55");
        assert_eq!(to_latin("Ärger Ӂ"), "rger");
        assert_eq!(to_latin(""), "");
    }

    #[test]
    fn highlights_point_into_the_original_text() {
        let fields = [
            "P001",
            "Иванова Анна Петровна",
            "ТОС «Рассвет»",
            "Ангарский городской округ",
        ];
        let h = SearchIndex::highlights(&fields, "angarsk");
        // Field 3 (municipality) "Ангарский ...": А н г а р с к are chars 0..7.
        assert_eq!(h, (0..7).map(|i| (3u8, i as u16)).collect::<Vec<_>>());
        let h = SearchIndex::highlights(&["P1", "Ёлкина Мария"], "ёлк");
        assert_eq!(h, vec![(1, 0), (1, 1), (1, 2)]);
        let h = SearchIndex::highlights(&["P1", "Ходоров"], "hod");
        assert_eq!(h, vec![(1, 0), (1, 1), (1, 2)]);
        let h = SearchIndex::highlights(&["P1", "", "", "г. Иркутск"], "Иркустк");
        assert_eq!(h, (3..10).map(|i| (3u8, i as u16)).collect::<Vec<_>>());
    }

    #[test]
    fn large_candidate_sets_give_the_same_hits_on_two_threads() {
        let names: Vec<[String; 3]> = (0..crate::parallel::FROM + 10)
            .map(|i| {
                [
                    format!("Иванов {i}"),
                    "ТОС".to_string(),
                    "Иркутск".to_string(),
                ]
            })
            .collect();
        let idx = SearchIndex::new(
            names
                .iter()
                .map(|f| [f[0].as_str(), f[1].as_str(), f[2].as_str()]),
        );
        let hits = idx.search("ivanov 1", None);
        let mut items: Vec<usize> = hits.iter().map(|h| h.item).collect();
        items.sort_unstable();
        items.dedup();
        assert_eq!(items.len(), hits.len());
        assert!(hits.iter().all(|h| names[h.item][0].contains('1')));
        assert_eq!(
            hits.iter().filter(|h| h.tier == Tier::Word).count(),
            names
                .iter()
                .filter(|n| n[0].starts_with("Иванов 1"))
                .count()
        );
    }

    #[test]
    fn narrowing_searches_only_previous_hits() {
        let idx = index();
        let first = idx.find("i", None).matched;
        let second = idx.search("iv", Some(&first));
        let fresh = idx.search("iv", None);
        assert_eq!(second, fresh);
        assert!(SearchIndex::key("iv").starts_with(&SearchIndex::key("i")));
        // `c` is `ts` until an `h` follows: no narrowing from `c` to `ch`.
        assert!(!SearchIndex::key("ch").starts_with(&SearchIndex::key("c")));
    }

    /// What [`SearchIndex::find`] must give, item by item from the
    /// per-item tests (the index finds parts and typos in one pass over
    /// every item's text instead).
    fn reference(idx: &SearchIndex, query: &str) -> (Vec<(usize, Tier, u8)>, bool) {
        let q = Query::new(query);
        let tests = Tests::new(&q);
        let mut hits: Vec<(usize, Tier, u8)> = (0..idx.len())
            .filter_map(|i| {
                let hay = idx.hay(i, q.native);
                match tests.part(hay) {
                    Some((tier, field, _)) => Some((i, tier, field)),
                    None if tests.fuzzy() => tests.fuzzy_field(hay).map(|f| (i, Tier::Fuzzy, f)),
                    None => None,
                }
            })
            .collect();
        let typo_hits = hits.is_empty() && q.letters >= TYPO_FROM;
        if typo_hits {
            hits = (0..idx.len())
                .filter_map(|i| {
                    typo(idx.hay(i, q.native), &q.bytes).map(|(f, _, _)| (i, Tier::Typo, f))
                })
                .collect();
        }
        hits.sort_by_key(|&(i, tier, field)| (tier, field, i));
        let typo_hits = typo_hits && !hits.is_empty();
        (hits, typo_hits)
    }

    #[test]
    fn one_pass_over_the_index_finds_what_each_item_holds() {
        let first = [
            "Иванова",
            "Петров",
            "Ёлкина",
            "Кутузов",
            "Сидорова",
            "Ходоркова",
            "Шелехова",
        ];
        let second = ["Анна", "Иван", "Мария", "Пётр", "Юлия", "Илья", "Елена"];
        let tos = [
            "«Рассвет»",
            "«Заря»",
            "«Берёзка»",
            "«Иркутянка»",
            "«Кедр»",
            "«Надежда»",
        ];
        let towns = [
            "Иркутск",
            "Усть-Кут",
            "Кутулик",
            "г. Ангарск",
            "Шелехов",
            "Усть-Илимск",
        ];
        let mut seed = 7u64;
        let mut pick = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize % n
        };
        let rows: Vec<[String; 4]> = (0..crate::parallel::FROM + 2_000)
            .map(|i| {
                [
                    format!("P{i:05}"),
                    format!(
                        "{} {}",
                        first[pick(first.len())],
                        second[pick(second.len())]
                    ),
                    format!("ТОС {}", tos[pick(tos.len())]),
                    towns[pick(towns.len())].to_string(),
                ]
            })
            .collect();
        let idx = SearchIndex::new(rows.iter().map(|r| r.each_ref().map(String::as_str)));
        for q in [
            "и",
            "iv",
            "кут",
            "p0001",
            "P19999",
            "tos zarya",
            "тос заря",
            "усть-кут",
            "ust kut",
            "г. ангарск",
            "ивнва",
            "shlkhv",
            "иркустк",
            "irkustk",
            "шелехвоа",
            "ходорокова",
            "анна",
            "zzzz",
            "ельна",
            "yuliya",
            "ryazan",
        ] {
            let found = idx.find(q, None);
            let got: Vec<(usize, Tier, u8)> = found
                .ordered
                .iter()
                .map(|h| (h.item, h.tier, h.field))
                .collect();
            let (want, typo_hits) = reference(&idx, q);
            assert_eq!(got, want, "{q}");
            assert_eq!(found.typo, typo_hits, "{q}");
            let mut matched: Vec<usize> = if typo_hits {
                Vec::new()
            } else {
                want.iter().map(|h| h.0).collect()
            };
            matched.sort_unstable();
            assert_eq!(found.matched, matched, "{q}");
        }
        // Narrowing letter by letter, with many candidates and with few,
        // finds what a fresh search finds.
        for q in [
            "иванова анна",
            "ivanova",
            "ust-ilimsk",
            "shelekhova yuliya",
            "p0012",
            "ходо",
        ] {
            let mut previous: Option<(Vec<u8>, Vec<usize>)> = None;
            let mut typed = String::new();
            for c in q.chars() {
                typed.push(c);
                let key = SearchIndex::key(&typed);
                let candidates = previous
                    .as_ref()
                    .filter(|(k, _)| key.starts_with(k))
                    .map(|(_, m)| m.as_slice());
                let found = idx.find(&typed, candidates);
                assert_eq!(found.ordered, idx.find(&typed, None).ordered, "{typed}");
                previous = Some((key, found.matched));
            }
        }
    }
}
