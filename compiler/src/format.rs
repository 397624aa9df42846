//! Number and money formatting: the one place that turns a figure into text. Diagnostics, `plan`,
//! the quote and the drawings all call these, so a number reads the same wherever it is printed.
//! The `Display` impls of the unit newtypes (`Watts`, `Celsius`, …) live here too.

use crate::units::{Amperes, BitsPerSecond, Bytes, Celsius, Kilograms, Money, Pascals, Rounding, Seconds, Watts};
use std::fmt;

/// A number with at most three significant decimals and no trailing zeros: 24.1, 132, 0.125.
pub fn trim(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    let digits = if x.abs() >= 100.0 {
        1
    } else if x.abs() >= 10.0 {
        2
    } else {
        3
    };
    fixed(x, digits)
}

/// `x` with at most `digits` decimals, trailing zeros and a lone `-0` removed.
pub fn fixed(x: f64, digits: usize) -> String {
    let s = format!("{x:.digits$}");
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s };
    if s == "-0" {
        "0".to_string()
    } else {
        s
    }
}

/// A number for a basis or source text: whole and grouped from 1,000, one decimal from 100, three
/// from 1, four below.
pub fn num(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    if x.abs() >= 1000.0 {
        return group_thousands(x.round());
    }
    let digits = if x.abs() >= 100.0 {
        1
    } else if x.abs() >= 1.0 {
        3
    } else {
        4
    };
    fixed(x, digits)
}

/// A fraction of a unit below which an amount prints as whole: 2.0004 is "2", 2.001 is "2.00".
const WHOLE_BELOW: f64 = 0.0005;

/// An amount with thousands separators and cents only when it has a fraction: 3,200,000 or
/// 0.11. The cents are rounded before the whole part is grouped, so a carry reaches it
/// (1.9996 is "2.00", 999.9996 is "1,000.00"), and a value that shows as zero has no sign.
pub fn group_thousands(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    let magnitude = x.abs();
    let with_cents = magnitude - magnitude.trunc() > WHOLE_BELOW;
    // Formatting rounds the exact binary value, so the carry into the whole part is done once.
    let digits = if with_cents { format!("{magnitude:.2}") } else { format!("{:.0}", magnitude.trunc()) };
    let (whole, cents) = digits.split_once('.').map_or((digits.as_str(), None), |(w, c)| (w, Some(c)));
    let zero = whole.bytes().chain(cents.unwrap_or("").bytes()).all(|b| b == b'0');
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if x < 0.0 && !zero {
        out.push('-');
    }
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(cents) = cents {
        out.push('.');
        out.push_str(cents);
    }
    out
}

/// A count, rounded to whole and grouped: `12,345`.
pub fn count(n: f64) -> String {
    group_thousands(n.round())
}

/// `636.5 trillion`, `12.3 billion`, `45.6 million`, `12,345`.
pub fn big(x: f64) -> String {
    for (scale, word) in [(1e12, "trillion"), (1e9, "billion"), (1e6, "million")] {
        if x.abs() >= scale {
            return format!("{:.1} {word}", x / scale);
        }
    }
    count(x)
}

/// Power given in kW, in MW from 1,000 kW: `950 kW`, `24.1 MW`.
pub fn power_kw(kw: f64) -> String {
    if kw >= 1000.0 {
        format!("{} MW", trim(kw / 1e3))
    } else {
        format!("{} kW", trim(kw))
    }
}

/// A link speed as the quote names modules: `800G`.
pub fn gbps(s: BitsPerSecond) -> String {
    format!("{}G", num(s.0 / 1e9))
}

/// A fraction as a percentage with one decimal, clamped to 0–100: `42.5%` (bar widths).
pub fn pct(x: f64) -> String {
    format!("{:.1}%", (x * 100.0).clamp(0.0, 100.0))
}

/// A whole percentage with a space: `85 %`.
pub fn whole_pct(x: f64) -> String {
    format!("{:.0} %", x * 100.0)
}

/// `x` with exactly `digits` decimals: `0.48`.
pub fn decimals(x: f64, digits: usize) -> String {
    format!("{x:.digits$}")
}

/// A drawing coordinate in pixels, one decimal.
pub fn px(x: f64) -> String {
    format!("{x:.1}")
}

/// The sign a currency is written with: `€`, `$`, `£`, or the code and a space.
pub fn symbol(currency: &str) -> String {
    match currency {
        "EUR" => "€".to_string(),
        "USD" => "$".to_string(),
        "GBP" => "£".to_string(),
        c => format!("{c} "),
    }
}

/// An amount with its currency sign, at its rounding: `€3,200,000`, `€0.1100`.
pub fn money(m: &Money) -> String {
    let sym = symbol(&m.currency);
    match m.rounding {
        Rounding::Whole => format!("{sym}{}", group_thousands(m.amount.round())),
        Rounding::Cents => format!("{sym}{}", group_thousands((m.amount * 100.0).round() / 100.0)),
        Rounding::Exact => format!("{sym}{}", num(m.amount)),
        Rounding::Decimals(d) => format!("{sym}{:.*}", usize::from(d), m.amount),
    }
}

/// A price per unit as a figure with its code: `0.081 EUR per kWh`.
pub fn price_per(m: &Money, per: &str) -> String {
    format!("{} {} per {per}", num(m.amount), m.currency)
}

/// A large amount shortened for a headline: `€525.1 M`, `€1.23 B`, `€12,345`.
pub fn money_short(m: &Money) -> String {
    let sym = symbol(&m.currency);
    if m.amount.abs() >= 1e9 {
        format!("{sym}{:.2} B", m.amount / 1e9)
    } else if m.amount.abs() >= 1e6 {
        format!("{sym}{:.1} M", m.amount / 1e6)
    } else {
        money(&Money { rounding: Rounding::Whole, ..m.clone() })
    }
}

impl fmt::Display for Watts {
    /// Power with a unit scaled to its size: `950 W`, `132 kW`, `24.1 MW`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let w = self.0;
        if w.abs() >= 1e9 {
            write!(f, "{} GW", trim(w / 1e9))
        } else if w.abs() >= 1e6 {
            write!(f, "{} MW", trim(w / 1e6))
        } else if w.abs() >= 1e3 {
            write!(f, "{} kW", trim(w / 1e3))
        } else {
            write!(f, "{} W", trim(w))
        }
    }
}

impl fmt::Display for Celsius {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} °C", trim(self.0))
    }
}

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        if b.abs() >= 1e12 {
            write!(f, "{} TB", trim(b / 1e12))
        } else {
            write!(f, "{} GB", trim(b / 1e9))
        }
    }
}

impl fmt::Display for Kilograms {
    /// A mass in kilograms, thousands grouped from 1,000 kg: `394 kg`, `1,360 kg`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.abs() >= 1e3 {
            write!(f, "{} kg", group_thousands(self.0.round()))
        } else {
            write!(f, "{} kg", trim(self.0))
        }
    }
}

impl fmt::Display for Pascals {
    /// A floor load in kN/m², to one decimal: `21.3 kN/m²`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} kN/m²", trim((self.0 / 100.0).round() / 10.0))
    }
}

impl fmt::Display for Amperes {
    /// A current to one decimal: `49.4 A`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} A", trim((self.0 * 10.0).round() / 10.0))
    }
}

impl fmt::Display for Seconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.abs() < 1.0 {
            write!(f, "{} ms", trim(self.0 * 1e3))
        } else {
            write!(f, "{} s", trim(self.0))
        }
    }
}

impl fmt::Display for BitsPerSecond {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} Gb/s", trim(self.0 / 1e9))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formats_numbers_for_messages() {
        assert_eq!(Watts(24_100_000.0).to_string(), "24.1 MW");
        assert_eq!(Watts(132_000.0).to_string(), "132 kW");
        assert_eq!(trim(0.1250), "0.125");
        assert_eq!(num(3_400_000.0), "3,400,000");
        assert_eq!(num(0.081), "0.081");
        assert_eq!(num(0.86), "0.86");
        assert_eq!(num(12.0), "12");
    }

    #[test]
    fn groups_thousands() {
        assert_eq!(group_thousands(3_200_000.0), "3,200,000");
        assert_eq!(group_thousands(0.11), "0.11");
        assert_eq!(group_thousands(999.0), "999");
        assert_eq!(group_thousands(1000.0), "1,000");
        assert_eq!(group_thousands(123_456.5), "123,456.50");
        assert_eq!(group_thousands(2.0004), "2");
        assert_eq!(group_thousands(2.001), "2.00");
    }

    #[test]
    fn the_cents_carry_into_the_whole_part() {
        assert_eq!(group_thousands(1.9996), "2.00");
        assert_eq!(group_thousands(999.9996), "1,000.00");
        assert_eq!(group_thousands(999_999.999), "1,000,000.00");
        assert_eq!(group_thousands(0.9999), "1.00");
    }

    #[test]
    fn negative_amounts_keep_their_sign_unless_they_show_as_zero() {
        assert_eq!(group_thousands(-1.9996), "-2.00");
        assert_eq!(group_thousands(-1234.5), "-1,234.50");
        assert_eq!(group_thousands(-3_200_000.0), "-3,200,000");
        assert_eq!(group_thousands(-0.001), "0.00");
        assert_eq!(group_thousands(-0.0), "0");
    }

    #[test]
    fn half_a_cent_rounds_by_its_binary_value() {
        // 0.005 is stored a little above five thousandths, 1.005 a little below.
        assert_eq!(group_thousands(0.005), "0.01");
        assert_eq!(group_thousands(1.005), "1.00");
        assert_eq!(group_thousands(0.0005), "0");
        assert_eq!(group_thousands(0.0006), "0.00");
    }

    #[test]
    fn money_carries_its_rounding() {
        let eur = |amount, rounding| Money { amount, currency: "EUR".into(), rounding };
        assert_eq!(money(&eur(3_200_000.4, Rounding::Whole)), "€3,200,000");
        assert_eq!(money(&eur(0.081, Rounding::Exact)), "€0.081");
        assert_eq!(money(&eur(0.123_456, Rounding::Decimals(4))), "€0.1235");
        assert_eq!(money(&eur(12.349, Rounding::Cents)), "€12.35");
        assert_eq!(money_short(&eur(525_123_456.0, Rounding::Whole)), "€525.1 M");
        assert_eq!(money_short(&eur(1_234_000_000.0, Rounding::Whole)), "€1.23 B");
        assert_eq!(money(&Money { amount: 5.0, currency: "CHF".into(), rounding: Rounding::Whole }), "CHF 5");
    }

    /// The text without separators, as a number.
    fn parse_back(s: &str) -> f64 {
        s.replace(',', "").parse().unwrap_or(f64::NAN)
    }

    proptest! {
        #[test]
        fn grouped_amounts_parse_back_within_half_a_unit_of_the_last_digit(x in -1e12f64..1e12) {
            let s = group_thousands(x);
            let last_digit = if s.contains('.') { 0.01 } else { 1.0 };
            // Half a unit, and the binary rounding error of the value itself.
            let tolerance = last_digit / 2.0 + x.abs() * f64::EPSILON * 4.0;
            prop_assert!((parse_back(&s) - x).abs() <= tolerance, "{x} printed as {s}");
            let digits = s.trim_start_matches('-').split('.').next().unwrap_or("");
            prop_assert!(digits.split(',').skip(1).all(|g| g.len() == 3), "{x} grouped as {s}");
            prop_assert!(digits.split(',').next().is_some_and(|g| (1..=3).contains(&g.len())), "{x} grouped as {s}");
        }

        #[test]
        fn small_amounts_parse_back_within_half_a_cent(cents in -100_000i64..100_000, tenths in 0u8..10) {
            let x = cents as f64 / 100.0 + f64::from(tenths) / 1000.0;
            let s = group_thousands(x);
            let last_digit = if s.contains('.') { 0.01 } else { 1.0 };
            prop_assert!((parse_back(&s) - x).abs() <= last_digit / 2.0 + 1e-9, "{x} printed as {s}");
        }
    }
}
