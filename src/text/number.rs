//! Numbers as a person reads them: rounded decimal half-up on the value as
//! written, with the decimal separator of the language (`7,5` in Russian,
//! `7.5` in English).
//!
//! Rounding works on the shortest decimal text that reads back as the same
//! `f64` (Rust's `Display`), not on the binary value: 66.175 is stored as
//! 66.17499999999999715782905696, which binary rounding takes down to 66.17,
//! while everyone who reads «66,175» expects 66,18. The same function rounds
//! every figure on every screen and in every document.
//!
//! Each kind of figure has its precision named here once.
//!
//! Before any of that, every computed figure (a total, an aggregate, a
//! carry-over, a statistic) is rounded to [`FIGURE`] decimals by
//! [`figure`]: that value is what JSON and XLSX carry as a number, and what
//! the text for people rounds further. So a script that reads the JSON and
//! rounds half-up gets exactly the printed text, and no output shows the
//! binary noise of a product or a mean (`0.4 × 29` is `11.6`, never
//! `11.600000000000001`).

/// Every computed figure: six decimals, half-up. Scores are halves and
/// weights have a few decimals, so weighted sums and carry-overs are exact
/// well within six decimals; only binary noise and the endless decimals of
/// a mean or a statistic are cut, far below any difference the contest can
/// make.
pub const FIGURE: usize = 6;
/// Points, scores, totals, aggregates, weights and activity ratings: at most
/// two decimals, trailing zeros dropped (`7`, `7,5`, `65,03`).
pub const POINTS: usize = 2;
/// Agreement and spread statistics (Kendall's W, Krippendorff's α): three
/// decimals, kept (`0,870`).
pub const STATISTIC: usize = 3;
/// Distances in kilometres: whole numbers.
pub const KILOMETRES: usize = 0;
/// Sizes of files in KB and MB: one decimal.
pub const FILE_SIZE: usize = 1;

/// `x` rounded decimal half-up to [`FIGURE`] decimals, as a number: the
/// form in which every computed figure leaves the program. Infinite and NaN
/// values are kept; a negative value that rounds to zero is `0`.
pub fn figure(x: f64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    let rounded: f64 = rounded(x, FIGURE)
        .parse()
        .expect("rounded digits read back as a number");
    // `-0.0` would print as `-0`.
    rounded + 0.0
}

/// The [`figure`] of `x` rounded decimal half-up (away from zero) to
/// `places` decimals, as text with a `.` separator and exactly `places`
/// decimals. Infinite and NaN values are written as Rust writes them
/// (`inf`, `NaN`).
pub fn fixed(x: f64, places: usize) -> String {
    if places < FIGURE {
        rounded(figure(x), places)
    } else {
        rounded(x, places)
    }
}

/// [`fixed`] with the sign always written (`+1.50`, `-0.25`, `+0.00`): a
/// juror's severity, an offset from the rest of the jury.
pub fn signed(x: f64, places: usize) -> String {
    let s = fixed(x, places);
    if s.starts_with('-') || x.is_nan() {
        s
    } else {
        format!("+{s}")
    }
}

/// `x` rounded decimal half-up (away from zero) to `places` decimals on the
/// shortest text that reads back as `x`.
fn rounded(x: f64, places: usize) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let written = format!("{}", x.abs());
    let (int, frac) = written.split_once('.').unwrap_or((&written, ""));
    let mut digits: Vec<u8> = int.bytes().chain(frac.bytes()).map(|b| b - b'0').collect();
    let int_len = int.len();
    // Pad so that `places` decimals exist, then look at the first dropped one.
    while digits.len() < int_len + places + 1 {
        digits.push(0);
    }
    let keep = int_len + places;
    let round_up = digits[keep] >= 5;
    digits.truncate(keep);
    if round_up {
        let mut i = keep;
        loop {
            if i == 0 {
                digits.insert(0, 1);
                break;
            }
            i -= 1;
            if digits[i] == 9 {
                digits[i] = 0;
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    let int_len = digits.len() - places;
    let mut out = String::with_capacity(digits.len() + 2);
    let negative = x < 0.0 && digits.iter().any(|d| *d != 0);
    if negative {
        out.push('-');
    }
    for d in &digits[..int_len] {
        out.push((b'0' + d) as char);
    }
    if places > 0 {
        out.push('.');
        for d in &digits[int_len..] {
            out.push((b'0' + d) as char);
        }
    }
    out
}

/// `x` rounded half-up to at most `places` decimals, trailing zeros dropped
/// (`7.50` → `7.5`, `8.00` → `8`).
pub fn trimmed(x: f64, places: usize) -> String {
    let s = fixed(x, places);
    if s.contains('.') {
        let s = s.trim_end_matches('0').trim_end_matches('.');
        if s == "-0" { "0".into() } else { s.to_string() }
    } else {
        s
    }
}

/// Points with a `.` separator, for machine-readable text (English CSV, ids,
/// file contents): at most two decimals.
pub fn points(x: f64) -> String {
    trimmed(x, POINTS)
}

/// `text` (a number written with `.`) with the decimal comma instead.
pub fn with_comma(text: String) -> String {
    if text.contains('.') {
        text.replace('.', ",")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_half_up_on_the_value_as_written() {
        // Binary rounding gives 66.17 for the second: 66.175 is stored a hair below.
        assert_eq!(fixed(65.025, 2), "65.03");
        assert_eq!(fixed(66.175, 2), "66.18");
        assert_eq!(fixed(1.005, 2), "1.01");
        assert_eq!(fixed(2.5, 0), "3");
        assert_eq!(fixed(-2.5, 0), "-3");
        assert_eq!(fixed(9.995, 2), "10.00");
        assert_eq!(fixed(0.0, 3), "0.000");
        assert_eq!(fixed(-0.0001, 2), "0.00");
        assert_eq!(fixed(0.87049, 3), "0.870");
        assert_eq!(fixed(1e20, 1), "100000000000000000000.0");
    }

    #[test]
    fn points_drop_trailing_zeros() {
        assert_eq!(points(7.0), "7");
        assert_eq!(points(7.5), "7.5");
        assert_eq!(points(11.600000000000001), "11.6");
        assert_eq!(points(-3.25), "-3.25");
        assert_eq!(points(-0.001), "0");
        assert_eq!(points(f64::INFINITY), "inf");
    }

    #[test]
    fn a_figure_keeps_six_decimals_and_drops_the_noise() {
        assert_eq!(figure(0.4 * 29.0), 11.6);
        assert_eq!((0.4 * 29.0).to_string(), "11.600000000000001");
        assert_eq!(figure(0.2 * 25.5).to_string(), "5.1");
        assert_eq!(figure(65.0 / 3.0), 21.666667);
        assert_eq!(figure(-2.0 / 3.0), -0.666667);
        assert_eq!(figure(1.125), 1.125);
        assert_eq!(figure(0.0000005), 0.000001);
        assert_eq!(figure(-0.0000004).to_string(), "0");
        assert!(figure(f64::NAN).is_nan());
        assert_eq!(figure(f64::INFINITY), f64::INFINITY);
    }

    #[test]
    fn text_rounds_the_figure_so_it_agrees_with_the_json() {
        // The figure is 2.5, which reads as 3; the raw value would read as 2.
        assert_eq!(figure(2.4999996), 2.5);
        assert_eq!(fixed(2.4999996, 0), "3");
        assert_eq!(fixed(2.4999996, 7), "2.4999996");
    }

    #[test]
    fn signed_writes_the_sign() {
        assert_eq!(signed(1.5, 2), "+1.50");
        assert_eq!(signed(-0.254, 2), "-0.25");
        assert_eq!(signed(0.0, 2), "+0.00");
        assert_eq!(signed(-0.001, 2), "+0.00");
    }

    #[test]
    fn the_comma_replaces_the_point() {
        assert_eq!(with_comma("7.5".into()), "7,5");
        assert_eq!(with_comma("12".into()), "12");
    }
}
