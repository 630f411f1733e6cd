//! Fuzzy search over names, TOS names and municipalities, for Russian text
//! typed on any keyboard.
//!
//! fuzzy-matcher folds only ASCII case, so both sides are normalised here:
//! Cyrillic is lower-cased with `ё` = `е`, and every text also gets a Latin
//! transliteration, so that a juror without a Russian layout who types
//! `ivanov` or `angarsk` finds «Иванов» and «Ангарск». The transliteration
//! spells each letter its longest common way (`х` → `kh`, `ц` → `tsc`,
//! `й` → `iy`), because a fuzzy match only needs the query's letters in
//! order: `h`, `kh`; `c`, `ts`; `i`, `y` all match inside those.
//!
//! Each haystack keeps a map from its characters back to the original
//! text, so matched characters can be highlighted where the person sees them.

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

/// How many of the best candidates (by a quick score) fuzzy-matcher scores
/// exactly for each query; the rest follow in the quick score's order.
const EXACT_SCORED: usize = 1000;

/// Above this many candidates the scan runs on two threads.
const PARALLEL_FROM: usize = 20_000;

/// A prepared index over items' fields.
///
/// Haystacks are stored as bytes, one run per item: `latin` in ASCII, and
/// `native` in a one-byte-per-letter form (ASCII as is, `а`..`я` as
/// 0xE0..0xFF as in Windows-1251) so that a byte-wise subsequence test is a
/// character-wise one. 100,000 participants take about 20 MB.
pub struct SearchIndex {
    latin: Vec<u8>,
    latin_at: Vec<u32>,
    native: Vec<u8>,
    native_at: Vec<u32>,
    matcher: SkimMatcherV2,
}

/// What a query found.
#[derive(Clone, Debug, Default)]
pub struct Found {
    /// Best first (see [`SearchIndex::search`]).
    pub ordered: Vec<Hit>,
    /// Every match in item order.
    pub matched: Vec<usize>,
}

/// A match: the item's index and its score (fuzzy-matcher's for the best
/// [`EXACT_SCORED`] candidates, which come first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    pub item: usize,
    pub score: i64,
}

/// Lower case with `ё` → `е`.
pub fn fold(c: char) -> char {
    match c {
        'ё' | 'Ё' => 'е',
        c => c.to_lowercase().next().unwrap_or(c),
    }
}

/// The Latin spelling of one lower-case character.
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
        'й' => "iy",
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
        'ц' => "tsc",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' | 'ь' => "",
        'ы' => "y",
        'ю' => "iyu",
        'я' => "iya",
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
        _ => 0x80,
    }
}

fn native_char(b: u8) -> char {
    match b {
        0..=0x7F => b as char,
        0xE0..=0xFF => char::from_u32('а' as u32 + u32::from(b - 0xE0)).unwrap_or('?'),
        _ => '\u{fffd}',
    }
}

/// The haystacks of one item, with a map from each haystack character back
/// to (field, character index in the field's original text). Separators
/// between fields map to field `u8::MAX`.
struct Haystacks {
    native: Vec<u8>,
    native_map: Vec<(u8, u16)>,
    latin: Vec<u8>,
    latin_map: Vec<(u8, u16)>,
}

impl Haystacks {
    fn new(fields: &[&str], with_maps: bool) -> Haystacks {
        let mut h = Haystacks {
            native: Vec::new(),
            native_map: Vec::new(),
            latin: Vec::new(),
            latin_map: Vec::new(),
        };
        let sep = (u8::MAX, 0u16);
        for (f, text) in fields.iter().enumerate() {
            if f > 0 {
                h.native.extend_from_slice(b"  ");
                h.latin.extend_from_slice(b"  ");
                if with_maps {
                    h.native_map.extend([sep, sep]);
                    h.latin_map.extend([sep, sep]);
                }
            }
            for (i, c) in text.chars().enumerate() {
                let at = (f as u8, i.min(u16::MAX as usize) as u16);
                let c = fold(c);
                h.native.push(native_byte(c));
                if with_maps {
                    h.native_map.push(at);
                }
                if is_cyrillic(c) {
                    for l in latin(c).bytes() {
                        h.latin.push(l);
                        if with_maps {
                            h.latin_map.push(at);
                        }
                    }
                } else if c.is_ascii() {
                    h.latin.push(c as u8);
                    if with_maps {
                        h.latin_map.push(at);
                    }
                }
            }
        }
        h
    }
}

/// A query, normalised once.
struct Query {
    text: String,
    bytes: Vec<u8>,
    native: bool,
}

impl Query {
    fn new(q: &str) -> Query {
        let text: String = q.trim().chars().map(fold).collect();
        let native = !text.is_ascii();
        let bytes = if native {
            text.chars().map(native_byte).collect()
        } else {
            text.as_bytes().to_vec()
        };
        Query {
            text,
            bytes,
            native,
        }
    }
}

/// A quick score from a greedy left-most match, or `None` when `needle` is
/// not a subsequence of `hay`: a point per matched byte, more for bytes that
/// continue the previous match or start a word.
fn quick_score(hay: &[u8], needle: &[u8]) -> Option<i64> {
    let mut score = 0i64;
    let mut h = 0usize;
    let mut last: Option<usize> = None;
    for &n in needle {
        let found = memchr::memchr(n, &hay[h..])? + h;
        score += 1;
        if last.is_some_and(|l| l + 1 == found) {
            score += 4;
        }
        if found == 0 || !hay[found - 1].is_ascii_alphanumeric() && hay[found - 1] < 0x80 {
            score += 3;
        }
        last = Some(found);
        h = found + 1;
    }
    Some(score - (last.unwrap_or(0) as i64) / 16)
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
            matcher: SkimMatcherV2::default().ignore_case(),
        };
        for fields in items {
            let h = Haystacks::new(fields.as_ref(), false);
            index.latin.extend_from_slice(&h.latin);
            index.latin_at.push(index.latin.len() as u32);
            index.native.extend_from_slice(&h.native);
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

    /// The items among `candidates` (all items when `None`; given in item
    /// order) that match `query`. A match has every character of the query
    /// in order (fuzzy-matcher's own condition). The best [`EXACT_SCORED`]
    /// by a quick score come first, ordered by fuzzy-matcher's score (ties
    /// in item order); the other matches follow in item order. An empty
    /// query matches everything, in item order.
    pub fn search(&self, query: &str, candidates: Option<&[usize]>) -> Vec<Hit> {
        self.find(query, candidates).ordered
    }

    /// [`SearchIndex::search`], also returning every match in item order:
    /// the candidates for the next, longer query.
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
                    .map(|&item| Hit { item, score: 0 })
                    .collect(),
                matched: candidates.to_vec(),
            };
        }
        let scan = |part: &[usize]| -> Vec<Hit> {
            part.iter()
                .filter_map(|&item| {
                    quick_score(self.hay(item, q.native), &q.bytes).map(|score| Hit { item, score })
                })
                .collect()
        };
        // Two halves on two threads keep the item order when joined.
        let hits = if candidates.len() >= PARALLEL_FROM {
            let (a, b) = candidates.split_at(candidates.len() / 2);
            std::thread::scope(|s| {
                let other = s.spawn(|| scan(b));
                let mut mine = scan(a);
                mine.extend(other.join().expect("the search thread does not panic"));
                mine
            })
        } else {
            scan(candidates)
        };
        let matched: Vec<usize> = hits.iter().map(|h| h.item).collect();
        // The best EXACT_SCORED by the quick score: everything above the
        // threshold, then those at it in item order.
        let mut top = vec![false; hits.len()];
        if hits.len() > EXACT_SCORED {
            let mut scores: Vec<i64> = hits.iter().map(|h| h.score).collect();
            let (_, threshold, _) =
                scores.select_nth_unstable_by(EXACT_SCORED - 1, |a, b| b.cmp(a));
            let threshold = *threshold;
            let mut room = EXACT_SCORED - hits.iter().filter(|h| h.score > threshold).count();
            for (i, h) in hits.iter().enumerate() {
                if h.score > threshold {
                    top[i] = true;
                } else if h.score == threshold && room > 0 {
                    top[i] = true;
                    room -= 1;
                }
            }
        } else {
            top.iter_mut().for_each(|t| *t = true);
        }
        let mut best: Vec<Hit> = Vec::with_capacity(EXACT_SCORED.min(hits.len()));
        let mut rest: Vec<Hit> = Vec::with_capacity(hits.len().saturating_sub(EXACT_SCORED));
        for (h, is_top) in hits.into_iter().zip(top) {
            if is_top { best.push(h) } else { rest.push(h) }
        }
        for hit in &mut best {
            let hay = self.hay(hit.item, q.native);
            let text: String = if q.native {
                hay.iter().map(|&b| native_char(b)).collect()
            } else {
                String::from_utf8_lossy(hay).into_owned()
            };
            // Exact scores rank above every quick score.
            hit.score = self
                .matcher
                .fuzzy_match(&text, &q.text)
                .map_or(hit.score, |s| s + (1 << 40));
        }
        best.sort_by(|a, b| b.score.cmp(&a.score).then(a.item.cmp(&b.item)));
        best.extend(rest);
        Found {
            ordered: best,
            matched,
        }
    }

    /// The characters of `fields` that `query` matches, for highlighting:
    /// (field, character index in that field's text).
    pub fn highlights(fields: &[&str], query: &str) -> Vec<(u8, u16)> {
        let q = Query::new(query);
        if q.text.is_empty() {
            return Vec::new();
        }
        let h = Haystacks::new(fields, true);
        let (text, map): (String, &[(u8, u16)]) = if q.native {
            (
                h.native.iter().map(|&b| native_char(b)).collect(),
                &h.native_map,
            )
        } else {
            (String::from_utf8_lossy(&h.latin).into_owned(), &h.latin_map)
        };
        let matcher = SkimMatcherV2::default().ignore_case();
        let Some((_, indices)) = matcher.fuzzy_indices(&text, &q.text) else {
            return Vec::new();
        };
        let mut out: Vec<(u8, u16)> = indices
            .into_iter()
            .filter_map(|i| map.get(i).copied())
            .filter(|(f, _)| *f != u8::MAX)
            .collect();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> SearchIndex {
        SearchIndex::new([
            [
                "Иванова Анна Петровна",
                "ТОС «Рассвет»",
                "Ангарский городской округ",
            ],
            ["Ёлкина Мария Сергеевна", "ТОС «Берёзка»", "Иркутск"],
            ["Петров Иван Ильич", "ТОС «Надежда»", "Шелехов"],
            ["Ходорковская Юлия", "ТОС «Цветы»", "Усть-Илимск"],
            ["Smith John", "TOS Sunny", "Братск"],
        ])
    }

    fn found(q: &str) -> Vec<usize> {
        index()
            .search(q, None)
            .into_iter()
            .map(|h| h.item)
            .collect()
    }

    #[test]
    fn latin_typing_finds_cyrillic_names() {
        assert_eq!(found("ivanova")[0], 0);
        assert_eq!(found("angarsk"), vec![0]);
        // Fuzzy matches may find more, but the intended one comes first.
        for (q, want) in [
            ("hodorkovskaya", 3),
            ("khodorkovskaia", 3),
            ("yulia", 3),
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
        assert_eq!(found("ИВАНОВА")[0], 0);
        assert_eq!(found("елкина"), vec![1]);
        assert_eq!(found("ЁЛКИНА"), vec![1]);
        assert_eq!(found("берез"), vec![1]);
        assert_eq!(found("иркутск"), vec![1]);
        assert_eq!(found("iRkUtSk"), vec![1]);
    }

    #[test]
    fn latin_text_is_found_as_is() {
        assert_eq!(found("smith"), vec![4]);
        assert_eq!(found("SUNNY"), vec![4]);
    }

    #[test]
    fn no_match_is_empty_and_empty_query_matches_all() {
        assert!(found("zzzz").is_empty());
        assert_eq!(found("").len(), 5);
    }

    #[test]
    fn highlights_point_into_the_original_text() {
        let fields = [
            "Иванова Анна Петровна",
            "ТОС «Рассвет»",
            "Ангарский городской округ",
        ];
        let h = SearchIndex::highlights(&fields, "angarsk");
        // Field 2 (municipality) "Ангарский ...": А н г а р с к are chars 0..7.
        assert_eq!(h, (0..7).map(|i| (2u8, i as u16)).collect::<Vec<_>>());
        let h = SearchIndex::highlights(&["Ёлкина Мария", "", ""], "ёлк");
        assert_eq!(h, vec![(0, 0), (0, 1), (0, 2)]);
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
    }

    #[test]
    fn narrowing_searches_only_previous_hits() {
        let idx = index();
        let first: Vec<usize> = idx.search("i", None).into_iter().map(|h| h.item).collect();
        let second = idx.search("iv", Some(&first));
        let fresh = idx.search("iv", None);
        assert_eq!(second, fresh);
    }
}
