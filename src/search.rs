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

/// At most this many other letters between two letters of a fuzzy match.
pub const MAX_GAP: usize = 2;

/// Queries of at least this many letters also match fuzzily: two or three
/// letters spread over a field would match nearly everyone, and mean
/// nothing.
pub const FUZZY_FROM: usize = 4;

/// Queries of at least this many letters are offered one-typo matches when
/// nothing else matches.
pub const TYPO_FROM: usize = 5;

/// Above this many candidates the scan runs on two threads.
const PARALLEL_FROM: usize = 20_000;

/// Separates fields in a haystack; never in a query.
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

/// The one-byte form of a folded character in the native haystack.
fn native_byte(c: char) -> u8 {
    match c {
        c if c.is_ascii() => c as u8,
        'а'..='я' => 0xE0 + (c as u32 - 'а' as u32) as u8,
        c if c.is_alphanumeric() => 0x80,
        _ => b' ',
    }
}

/// Whether a haystack byte is part of a word.
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
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
                native.push((native_byte(c), at));
                if is_cyrillic(c) {
                    latin_raw.extend(latin(c).bytes().map(|l| (l, at)));
                } else {
                    latin_raw.push((native_byte(c), at));
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
        let bytes = if native {
            text.iter().map(|&c| native_byte(c)).collect()
        } else {
            let raw: Vec<(u8, ())> = text.iter().map(|&c| (native_byte(c), ())).collect();
            latin_spelling(&raw).into_iter().map(|(b, _)| b).collect()
        };
        Query {
            bytes,
            native,
            letters: text.iter().filter(|c| c.is_alphanumeric()).count(),
        }
    }
}

/// Where a query matched in one item's haystack.
struct Match {
    tier: Tier,
    field: u8,
    /// The matched bytes: `start..start + len`, or `path` when not empty.
    start: usize,
    len: usize,
    path: Vec<usize>,
}

impl Match {
    fn positions(&self) -> Vec<usize> {
        if self.path.is_empty() {
            (self.start..self.start + self.len).collect()
        } else {
            self.path.clone()
        }
    }
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

/// The best match of `q` in `hay` without a typo: a part of one field (a
/// word's beginning first, then the earliest field), else a fuzzy match in
/// the earliest field that has one (its positions only `with_path`).
fn direct(
    hay: &[u8],
    q: &Query,
    finder: &memchr::memmem::Finder,
    with_path: bool,
) -> Option<Match> {
    // A word's beginning in the earliest field, else a part in the
    // earliest field.
    let mut best: Option<Match> = None;
    for (f, (start, text)) in fields(hay).enumerate() {
        for at in finder.find_iter(text) {
            let tier = if word_start(text, at) {
                Tier::Word
            } else {
                Tier::Part
            };
            if best.as_ref().is_none_or(|b| tier < b.tier) {
                best = Some(Match {
                    tier,
                    field: f as u8,
                    start: start + at,
                    len: q.bytes.len(),
                    path: Vec::new(),
                });
            }
            if tier == Tier::Word {
                return best;
            }
        }
    }
    if best.is_some() || q.letters < FUZZY_FROM || !is_subsequence(hay, &q.bytes) {
        return best;
    }
    fields(hay).enumerate().find_map(|(f, (start, text))| {
        let path = if with_path {
            fuzzy(text, &q.bytes)?
        } else if fuzzy_found(text, &q.bytes) {
            Vec::new()
        } else {
            return None;
        };
        Some(Match {
            tier: Tier::Fuzzy,
            field: f as u8,
            start,
            len: 0,
            path: path.into_iter().map(|p| start + p).collect(),
        })
    })
}

/// Whether [`fuzzy`] finds `q` in `field`, without the positions:
/// bit-parallel for fields of up to 128 bytes.
fn fuzzy_found(field: &[u8], q: &[u8]) -> bool {
    if !is_subsequence(field, q) {
        return false;
    }
    if field.len() > 128 {
        return fuzzy(field, q).is_some();
    }
    let at = |c: u8| {
        field
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == c)
            .fold(0u128, |m, (j, _)| m | 1 << j)
    };
    // Bit j: q[..=i] matches ending at field[j].
    let mut reach = at(q[0]);
    for &c in &q[1..] {
        if reach == 0 {
            return false;
        }
        let after = (1..=MAX_GAP + 1).fold(0u128, |s, d| s | reach << d);
        reach = after & at(c);
    }
    reach != 0
}

/// Whether `needle` is a subsequence of `hay` (a quick test before the
/// fuzzy one).
fn is_subsequence(hay: &[u8], needle: &[u8]) -> bool {
    let mut h = 0;
    for &n in needle {
        match memchr::memchr(n, &hay[h..]) {
            Some(i) => h += i + 1,
            None => return false,
        }
    }
    true
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
/// from `q`.
fn typo(hay: &[u8], q: &Query) -> Option<Match> {
    fields(hay).enumerate().find_map(|(f, (start, text))| {
        (0..text.len())
            .filter(|&s| is_word(text[s]) && word_start(text, s))
            .find_map(|s| {
                one_typo(&text[s..], &q.bytes).map(|len| Match {
                    tier: Tier::Typo,
                    field: f as u8,
                    start: start + s,
                    len,
                    path: Vec::new(),
                })
            })
    })
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
        };
        for fields in items {
            let h = Haystacks::new(fields.as_ref());
            index.latin.extend(h.latin.iter().map(|(b, _)| *b));
            index.latin_at.push(index.latin.len() as u32);
            index.native.extend(h.native.iter().map(|(b, _)| *b));
            index.native_at.push(index.native.len() as u32);
        }
        index
    }

    pub fn len(&self) -> usize {
        self.latin_at.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn hay(&self, item: usize, native: bool) -> &[u8] {
        if native {
            &self.native[self.native_at[item] as usize..self.native_at[item + 1] as usize]
        } else {
            &self.latin[self.latin_at[item] as usize..self.latin_at[item + 1] as usize]
        }
    }

    /// A query's normalised form. When one query's key begins with
    /// another's, everything the longer one matches without a typo the
    /// shorter one matches too: its [`Found::matched`] are the longer one's
    /// candidates.
    pub fn key(query: &str) -> Vec<u8> {
        let q = Query::new(query);
        let mut key = vec![u8::from(q.native)];
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
        let all: Vec<usize>;
        let candidates = match candidates {
            Some(c) => c,
            None => {
                all = (0..self.len()).collect();
                &all
            }
        };
        if q.bytes.is_empty() {
            return Found {
                ordered: candidates
                    .iter()
                    .map(|&item| Hit {
                        item,
                        tier: Tier::Word,
                        field: 0,
                    })
                    .collect(),
                matched: candidates.to_vec(),
                typo: false,
            };
        }
        let finder = memchr::memmem::Finder::new(&q.bytes);
        let mut hits = self.scan(candidates, |hay| direct(hay, &q, &finder, false), q.native);
        let matched: Vec<usize> = hits.iter().map(|h| h.item).collect();
        let mut typo_hits = false;
        if hits.is_empty() && q.letters >= TYPO_FROM {
            // One typo leaves the bytes before the middle one or those after
            // it as they are: a quick test before looking at every word.
            let half = q.bytes.len() / 2;
            let before = memchr::memmem::Finder::new(&q.bytes[..half]);
            let after = memchr::memmem::Finder::new(&q.bytes[half + 1..]);
            let everyone: Vec<usize> = (0..self.len()).collect();
            let test = |hay: &[u8]| {
                if before.find(hay).is_none() && after.find(hay).is_none() {
                    return None;
                }
                typo(hay, &q)
            };
            hits = self.scan(&everyone, test, q.native);
            typo_hits = !hits.is_empty();
        }
        // Item order within a tier and field: one bucket each, in the order
        // of tiers, then fields (a counting sort: hits come in item order).
        let fields = hits.iter().map(|h| h.field as usize + 1).max().unwrap_or(0);
        let mut buckets: Vec<Vec<Hit>> = vec![Vec::new(); TIERS * fields];
        for h in hits {
            buckets[h.tier as usize * fields + h.field as usize].push(h);
        }
        let hits: Vec<Hit> = buckets.into_iter().flatten().collect();
        Found {
            ordered: hits,
            matched,
            typo: typo_hits,
        }
    }

    /// The hits of `test` over `items`, in item order; on two threads for
    /// large sets.
    fn scan(
        &self,
        items: &[usize],
        test: impl Fn(&[u8]) -> Option<Match> + Sync,
        native: bool,
    ) -> Vec<Hit> {
        let part = |part: &[usize]| -> Vec<Hit> {
            part.iter()
                .filter_map(|&item| {
                    test(self.hay(item, native)).map(|m| Hit {
                        item,
                        tier: m.tier,
                        field: m.field,
                    })
                })
                .collect()
        };
        if items.len() < PARALLEL_FROM {
            return part(items);
        }
        let (a, b) = items.split_at(items.len() / 2);
        std::thread::scope(|s| {
            let other = s.spawn(|| part(b));
            let mut mine = part(a);
            mine.extend(other.join().expect("the search thread does not panic"));
            mine
        })
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
        let finder = memchr::memmem::Finder::new(&q.bytes);
        let Some(found) = direct(&bytes, &q, &finder, true)
            .or_else(|| (q.letters >= TYPO_FROM).then(|| typo(&bytes, &q)).flatten())
        else {
            return Vec::new();
        };
        let mut out: Vec<(u8, u16)> = found
            .positions()
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
                assert_eq!(
                    fuzzy_found(field, q),
                    fuzzy(field, q).is_some(),
                    "{q:?} in {field:?}"
                );
            }
        }
        let long = [b'x'; 200];
        assert!(!fuzzy_found(&long, b"xy"));
        assert!(fuzzy_found(&long, b"xxx"));
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
        let names: Vec<[String; 3]> = (0..PARALLEL_FROM + 10)
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
}
