//! Reading a data file into a table of text cells with line numbers.
//!
//! CSV as secretaries really have it: UTF-8 with or without a BOM, or
//! Windows-1251; `,`, `;` or tab as the delimiter. XLSX through calamine.
//! Anything else — an empty file, binary data, UTF-16, KOI8-R, a 10 MB line —
//! is refused with a sentence that says what the file is and what to do.

use super::{ImportError, Message, Problem};
use std::path::Path;

/// The longest line konkurs accepts in a CSV file.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// A sheet's rows (the header's included) and columns, at most: a contest's
/// tables are far smaller, and a cell beyond them is refused, not read.
pub const MAX_ROWS: usize = 1_000_000;
pub const MAX_COLUMNS: usize = 256;
/// The longest cell, in bytes (a CSV cell in quotes may span lines).
pub const MAX_CELL_BYTES: usize = 64 * 1024;
/// Filled cells of a sheet, at most.
pub const MAX_CELLS: usize = 5_000_000;
/// A file to import, at most this many bytes.
pub const MAX_FILE_BYTES: usize = 64 << 20;

/// A file's header and rows. Line numbers are the file's own (1-based): for
/// CSV the line a record starts on, for XLSX the sheet's row number.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub file: String,
    pub headers: Vec<String>,
    pub header_line: usize,
    pub rows: Vec<Row>,
    /// What was detected, for messages: "UTF-8, ';'" or "XLSX, sheet «Лист1»".
    pub detected: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub line: usize,
    pub cells: Vec<String>,
}

/// Reads a CSV or XLSX file (XLSX by its content, whatever its name).
pub fn read_table(path: &Path) -> Result<Table, ImportError> {
    let file = path.display().to_string();
    if let Ok(meta) = std::fs::metadata(path)
        && meta.len() > MAX_FILE_BYTES as u64
    {
        return Err(ImportError::one(
            &file,
            Problem::file(
                Message::new("import.file.too_large")
                    .with("mb", (meta.len() >> 20) as usize)
                    .with("max", MAX_FILE_BYTES >> 20),
            ),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| {
        ImportError::one(
            &file,
            Problem::file(match e.kind() {
                std::io::ErrorKind::NotFound => Message::new("import.file.not_found"),
                std::io::ErrorKind::PermissionDenied => Message::new("import.file.permission"),
                _ => Message::new("import.file.unreadable").with("error", e.to_string()),
            }),
        )
    })?;
    read_bytes(&file, bytes)
}

/// Reads a CSV or XLSX file's content (XLSX by its content); `file` names
/// it in problems.
pub fn read_bytes(file: &str, bytes: Vec<u8>) -> Result<Table, ImportError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ImportError::one(
            file,
            Problem::file(
                Message::new("import.file.too_large")
                    .with("mb", bytes.len() >> 20)
                    .with("max", MAX_FILE_BYTES >> 20),
            ),
        ));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return read_xlsx(file, bytes);
    }
    read_csv(file, &bytes)
}

/// A cell as it was before konkurs's CSV writers made it safe from
/// spreadsheets (`'=SUM(A1)` was `=SUM(A1)`, `'+7 914 …` was `+7 914 …`):
/// what konkurs lists imports back unchanged.
fn undefused(cell: &str) -> String {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest.to_string(),
        _ => cell.to_string(),
    }
}

/// Reads CSV text from bytes.
pub fn read_csv(file: &str, bytes: &[u8]) -> Result<Table, ImportError> {
    let fail = |p: Problem| ImportError::one(file, p);
    let content = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if content.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(fail(Problem::file(Message::new("import.file.empty"))));
    }
    if content.starts_with(b"\xFF\xFE") || content.starts_with(b"\xFE\xFF") {
        return Err(fail(Problem::file(Message::new("import.file.utf16"))));
    }
    if let Some(at) = content.iter().take(1 << 16).position(|b| *b == 0) {
        return Err(fail(Problem::file(
            Message::new("import.file.binary").with("offset", at),
        )));
    }
    check_line_lengths(file, content)?;
    let (text, encoding) = decode(file, content)?;
    let delimiter = sniff_delimiter(&text);
    // The line a record starts on, from its byte offset: the csv crate's own
    // line count is one short after a CRLF, and its offset may point at the
    // end of the line before (the `\n` of a CRLF it has not consumed yet).
    let bytes = text.as_bytes();
    let line_starts: Vec<usize> = (0..bytes.len())
        .filter(|i| bytes[*i] == b'\n')
        .map(|i| i + 1)
        .collect();
    let line_of = |p: Option<&csv::Position>| {
        p.map_or(0, |p| {
            let mut at = p.byte() as usize;
            while bytes.get(at).is_some_and(|b| matches!(b, b'\r' | b'\n')) {
                at += 1;
            }
            1 + line_starts.partition_point(|start| *start <= at)
        })
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut headers: Option<(usize, Vec<String>)> = None;
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for result in reader.records() {
        let record = match result {
            Ok(r) => r,
            Err(e) => {
                problems.push(Problem::at(
                    line_of(e.position()),
                    None,
                    Message::new("import.line.unreadable").with("error", e.to_string()),
                ));
                break;
            }
        };
        let line = line_of(record.position());
        if rows.len() >= MAX_ROWS {
            problems.push(Problem::file(
                Message::new("import.file.too_many_rows").with("max", MAX_ROWS),
            ));
            break;
        }
        if let Some((at, long)) = record
            .iter()
            .enumerate()
            .find(|(_, c)| c.len() > MAX_CELL_BYTES)
        {
            let column = match &headers {
                Some((_, h)) => h.get(at).cloned(),
                None => None,
            }
            .unwrap_or_else(|| column_letter(at));
            problems.push(Problem::at(line, Some(column), cell_too_long(long.len())));
            continue;
        }
        let cells: Vec<String> = record.iter().map(|c| undefused(c.trim())).collect();
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        match &headers {
            None => headers = Some((line, cells)),
            Some((_, h)) => {
                if cells.len() != h.len() {
                    let key = if cells.len() > h.len() && delimiter == b',' {
                        "import.line.cells_decimal_comma"
                    } else if cells.len() < h.len() {
                        "import.line.cells_missing"
                    } else {
                        "import.line.cells_delimiter"
                    };
                    problems.push(Problem::at(
                        line,
                        None,
                        Message::new(key)
                            .with("cells", cells.len())
                            .with("header", h.len()),
                    ));
                    continue;
                }
                rows.push(Row { line, cells });
            }
        }
    }
    if !problems.is_empty() {
        return Err(ImportError {
            file: file.into(),
            problems,
        });
    }
    let (header_line, headers) = headers.expect("a non-empty file has a first row");
    Ok(Table {
        file: file.into(),
        headers,
        header_line,
        rows,
        detected: format!("CSV, {encoding}, delimiter '{}'", delimiter as char),
    })
}

fn cell_too_long(bytes: usize) -> Message {
    Message::new("import.cell.too_long")
        .with("bytes", bytes)
        .with("max", MAX_CELL_BYTES)
}

fn check_line_lengths(file: &str, content: &[u8]) -> Result<(), ImportError> {
    for (line, chunk) in (1..).zip(content.split(|b| *b == b'\n')) {
        if chunk.len() > MAX_LINE_BYTES {
            return Err(ImportError::one(
                file,
                Problem::at(
                    line,
                    None,
                    Message::new("import.line.too_long")
                        .with("bytes", chunk.len())
                        .with("max", MAX_LINE_BYTES),
                ),
            ));
        }
    }
    Ok(())
}

/// Decodes UTF-8, or Windows-1251 when the bytes look like Russian text in it.
fn decode(file: &str, content: &[u8]) -> Result<(String, &'static str), ImportError> {
    if let Ok(s) = std::str::from_utf8(content) {
        return Ok((s.to_string(), "UTF-8"));
    }
    match cp1251_verdict(content) {
        Ok(()) => {
            let (text, _, _) = encoding_rs::WINDOWS_1251.decode(content);
            Ok((text.into_owned(), "Windows-1251"))
        }
        Err(key) => Err(ImportError::one(file, Problem::file(Message::new(key)))),
    }
}

/// Whether non-UTF-8 bytes read as plausible Russian text in Windows-1251;
/// if not, the message that says what they look like.
/// KOI8-R and CP866 text also decode as *something* in 1251, so this looks
/// at which bytes occur: in 1251, Russian text is mostly lower-case letters
/// (0xE0..0xFF) with a few capitals (0xC0..0xDF) and the usual punctuation;
/// KOI8-R swaps the cases and CP866 uses the 0x80..0xAF block for letters.
fn cp1251_verdict(bytes: &[u8]) -> Result<(), &'static str> {
    let (mut lower, mut upper, mut plausible, mut high) = (0usize, 0usize, 0usize, 0usize);
    let mut low_block = 0usize;
    for &b in bytes {
        if b < 0x80 {
            continue;
        }
        high += 1;
        match b {
            0xE0..=0xFF => {
                lower += 1;
                plausible += 1
            }
            0xC0..=0xDF => {
                upper += 1;
                plausible += 1
            }
            // Ё ё № « » – — … “ ” ‘ ’ nbsp ° § ± •
            0xA8 | 0xB8 | 0xB9 | 0xAB | 0xBB | 0x96 | 0x97 | 0x85 | 0x93 | 0x94 | 0x91 | 0x92
            | 0xA0 | 0xB0 | 0xA7 | 0xB1 | 0x95 => plausible += 1,
            0x80..=0xAF => low_block += 1,
            _ => {}
        }
    }
    if high == 0 {
        return Ok(());
    }
    if (plausible as f64) < 0.9 * high as f64 {
        return Err(if low_block * 3 > high {
            "import.file.encoding_cp866"
        } else {
            "import.file.encoding"
        });
    }
    let letters = lower + upper;
    if letters >= 20 && (lower as f64) < 0.5 * letters as f64 {
        return Err("import.file.encoding_koi8r");
    }
    Ok(())
}

/// The delimiter used in the first line: the most frequent of `;`, `,` and
/// tab outside quotes (`;` wins a tie: it is what Russian-locale
/// spreadsheets write).
fn sniff_delimiter(text: &str) -> u8 {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let (mut semi, mut comma, mut tab, mut quoted) = (0, 0, 0, false);
    for c in first.chars() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => semi += 1,
            ',' if !quoted => comma += 1,
            '\t' if !quoted => tab += 1,
            _ => {}
        }
    }
    if tab > semi && tab > comma {
        b'\t'
    } else if comma > semi {
        b','
    } else {
        b';'
    }
}

/// Reads a workbook. The XLSX reader can panic on a damaged file (an
/// arithmetic overflow on a huge cell reference); that is caught and said
/// as what it is, a damaged workbook, instead of ending the program.
fn read_xlsx(file: &str, bytes: Vec<u8>) -> Result<Table, ImportError> {
    match quietly(|| read_xlsx_inner(file, bytes)) {
        Some(result) => result,
        None => Err(ImportError::one(
            file,
            Problem::file(Message::new("import.xlsx.damaged")),
        )),
    }
}

thread_local! {
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`, turning a panic into `None` without printing it.
fn quietly<T>(f: impl FnOnce() -> T) -> Option<T> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(|q| q.get()) {
                previous(info);
            }
        }));
    });
    QUIET.with(|q| q.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    QUIET.with(|q| q.set(false));
    result.ok()
}

fn read_xlsx_inner(file: &str, bytes: Vec<u8>) -> Result<Table, ImportError> {
    use calamine::{Reader, Xlsx};
    let fail = |m: Message| ImportError::one(file, Problem::file(m));
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes))
        .map_err(|e| fail(Message::new("import.xlsx.unreadable").with("error", e.to_string())))?;
    let names = book.sheet_names().to_vec();
    for name in &names {
        let sheet_error = |e: calamine::XlsxError| {
            fail(
                Message::new("import.xlsx.sheet")
                    .with("sheet", name)
                    .with("error", e.to_string()),
            )
        };
        // The cells one by one, never the sheet's whole extent at once: a
        // workbook may declare (or use) a cell at XFD1048576, and a dense
        // range to it would not fit in memory. A cell beyond the limits is
        // refused at once.
        let mut by_row: std::collections::BTreeMap<u32, Vec<(u32, calamine::Data)>> =
            Default::default();
        let mut first_col = u32::MAX;
        let mut count = 0usize;
        {
            let mut reader = book.worksheet_cells_reader(name).map_err(sheet_error)?;
            while let Some(cell) = reader.next_cell().map_err(sheet_error)? {
                let (row, col) = cell.get_position();
                let value: calamine::Data = cell.get_value().clone().into();
                if matches!(value, calamine::Data::Empty) {
                    continue;
                }
                if row as usize >= MAX_ROWS || col as usize >= MAX_COLUMNS {
                    return Err(ImportError::one(
                        file,
                        Problem::at(
                            row as usize + 1,
                            Some(column_letter(col as usize)),
                            Message::new("import.xlsx.too_far")
                                .with("rows", MAX_ROWS)
                                .with("columns", column_letter(MAX_COLUMNS - 1)),
                        ),
                    ));
                }
                count += 1;
                if count > MAX_CELLS {
                    return Err(fail(
                        Message::new("import.xlsx.too_many_cells").with("max", MAX_CELLS),
                    ));
                }
                first_col = first_col.min(col);
                by_row.entry(row).or_default().push((col, value));
            }
        }
        if count == 0 {
            continue;
        }
        let mut headers: Option<(usize, Vec<String>)> = None;
        let mut rows = Vec::new();
        let mut problems = Vec::new();
        for (r, cells_of_row) in by_row {
            let line = r as usize + 1;
            let width = cells_of_row
                .iter()
                .map(|(c, _)| (c - first_col) as usize + 1)
                .max()
                .unwrap_or(0);
            let mut cells = vec![String::new(); width];
            for (col, value) in &cells_of_row {
                let j = (col - first_col) as usize;
                match cell_text(value) {
                    Ok(t) if t.len() > MAX_CELL_BYTES => problems.push(Problem::at(
                        line,
                        Some(column_letter(*col as usize)),
                        cell_too_long(t.len()),
                    )),
                    Ok(t) => cells[j] = t,
                    Err(m) => {
                        problems.push(Problem::at(line, Some(column_letter(*col as usize)), m));
                    }
                }
            }
            if cells.iter().all(|c| c.is_empty()) {
                continue;
            }
            match &headers {
                None => {
                    while cells.last().is_some_and(|c| c.is_empty()) {
                        cells.pop();
                    }
                    headers = Some((line, cells))
                }
                Some((_, h)) => {
                    cells.resize(h.len().max(cells.len()), String::new());
                    if cells[h.len()..].iter().any(|c| !c.is_empty()) {
                        problems.push(Problem::at(
                            line,
                            None,
                            Message::new("import.xlsx.beyond").with("n", h.len()),
                        ));
                        continue;
                    }
                    cells.truncate(h.len());
                    rows.push(Row { line, cells });
                }
            }
        }
        if !problems.is_empty() {
            return Err(ImportError {
                file: file.into(),
                problems,
            });
        }
        if let Some((header_line, headers)) = headers {
            return Ok(Table {
                file: file.into(),
                headers,
                header_line,
                rows,
                detected: format!("XLSX, sheet «{name}»"),
            });
        }
    }
    Err(fail(Message::new("import.xlsx.no_data")))
}

fn cell_text(cell: &calamine::Data) -> Result<String, Message> {
    use calamine::Data;
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                f.to_string()
            }
        }
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => {
            let (y, m, day, h, min, s, _) = d.to_ymd_hms_milli();
            if (h, min, s) == (0, 0, 0) {
                format!("{y:04}-{m:02}-{day:02}")
            } else {
                format!("{y:04}-{m:02}-{day:02} {h:02}:{min:02}:{s:02}")
            }
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => {
            return Err(Message::new("import.xlsx.cell_error").with("error", e.to_string()));
        }
    })
}

/// `0 → A`, `27 → AB`.
pub fn column_letter(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).expect("ascii")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(bytes: &[u8]) -> String {
        read_csv("f.csv", bytes).unwrap_err().to_string()
    }

    #[test]
    fn reads_utf8_with_bom_and_semicolons() {
        let t = read_csv(
            "f.csv",
            "\u{feff}ФИО;Дата заявки\nИванова Анна;10.01.2021\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(t.headers, vec!["ФИО", "Дата заявки"]);
        assert_eq!(t.rows[0].cells, vec!["Иванова Анна", "10.01.2021"]);
        assert_eq!(t.rows[0].line, 2);
    }

    #[test]
    fn reads_windows_1251() {
        let text = "ФИО;ТОС\nЁлкина Мария Петровна;ТОС «Рассвет»\nИванов Иван;ТОС «Берёзка»\n";
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(text);
        let t = read_csv("f.csv", &bytes).unwrap();
        assert_eq!(t.rows[0].cells[0], "Ёлкина Мария Петровна");
        assert_eq!(t.rows[1].cells[1], "ТОС «Берёзка»");
        assert!(t.detected.contains("Windows-1251"));
    }

    #[test]
    fn refuses_koi8r_and_utf16() {
        let text =
            "ФИО;ТОС\nЁлкина Мария Петровна;ТОС Рассвет\nИванов Иван Сергеевич;ТОС Берёзка\n";
        let (bytes, _, _) = encoding_rs::KOI8_R.encode(text);
        let e = problems(&bytes);
        assert!(e.contains("neither UTF-8 nor Windows-1251"), "{e}");
        assert!(e.contains("KOI8-R"), "{e}");
        let (bytes, _, _) = encoding_rs::IBM866.encode(text);
        let e = problems(&bytes);
        assert!(e.contains("neither UTF-8 nor Windows-1251"), "{e}");
        let mut utf16 = vec![0xFF, 0xFE];
        for u in "id\n".encode_utf16() {
            utf16.extend(u.to_le_bytes());
        }
        assert!(problems(&utf16).contains("UTF-16"));
    }

    #[test]
    fn refuses_empty_binary_and_huge_lines() {
        assert!(problems(b"").contains("empty"));
        assert!(problems(b"\xEF\xBB\xBF  \n").contains("empty"));
        assert!(problems(b"id;name\n\x00\x01\x02").contains("binary"));
        let mut long = b"id;name\n".to_vec();
        long.extend(std::iter::repeat_n(b'x', 10 * 1024 * 1024));
        let e = problems(&long);
        assert!(e.starts_with("f.csv:2:"), "{e}");
        assert!(e.contains("10485760 bytes"), "{e}");
    }

    #[test]
    fn a_short_row_names_its_line() {
        let e = problems(b"id,name,group\nP1,Anna,city\nP2,Boris\n");
        assert!(e.starts_with("f.csv:3:"), "{e}");
        assert!(e.contains("2 cells but the header has 3"), "{e}");
    }

    #[test]
    fn sniffs_delimiters() {
        assert_eq!(sniff_delimiter("a;b;c"), b';');
        assert_eq!(sniff_delimiter("a,b,c"), b',');
        assert_eq!(sniff_delimiter("a\tb\tc"), b'\t');
        assert_eq!(sniff_delimiter("\"a,b\";c"), b';');
    }

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
    }

    #[test]
    fn line_numbers_are_right_in_crlf_files() {
        let e = problems(b"id,name,group\r\nP1,Anna,city\r\nP2,Boris\r\n");
        assert!(e.starts_with("f.csv:3:"), "{e}");
        let t = read_csv(
            "f.csv",
            b"id;name\r\n\r\nP1;Anna\r\n\"P2\";\"Bo\r\nris\"\r\nP3;Vera\r\n",
        )
        .unwrap();
        let lines: Vec<usize> = t.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![3, 4, 6]);
    }
}
