//! Physical quantities. Values are stored in SI base units inside newtypes, so watts never mix with
//! kilowatts or bytes with bits; the unit names users write are the KDL type annotations below.

use std::fmt;

/// What a unit measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dimension {
    Power,
    Temperature,
    Time,
    Memory,
    Bandwidth,
    LinkSpeed,
    Compute,
    Mass,
    Voltage,
    Current,
    Money,
}

impl Dimension {
    pub fn name(self) -> &'static str {
        match self {
            Dimension::Power => "power",
            Dimension::Temperature => "temperature",
            Dimension::Time => "time",
            Dimension::Memory => "memory",
            Dimension::Bandwidth => "memory bandwidth",
            Dimension::LinkSpeed => "link speed",
            Dimension::Compute => "compute",
            Dimension::Mass => "mass",
            Dimension::Voltage => "voltage",
            Dimension::Current => "current",
            Dimension::Money => "money",
        }
    }

    /// The units of this dimension, as users write them.
    pub fn units(self) -> Vec<&'static str> {
        if self == Dimension::Money {
            return vec!["USD", "EUR", "GBP", "…"];
        }
        UNITS.iter().filter(|(_, d, _)| *d == self).map(|(n, _, _)| *n).collect()
    }

    /// An example of a value written in this dimension, for help texts.
    pub fn example(self) -> &'static str {
        match self {
            Dimension::Power => "(kW)120",
            Dimension::Temperature => "(C)35",
            Dimension::Time => "(ms)800",
            Dimension::Memory => "(GB)80",
            Dimension::Bandwidth => "(TBps)3.35",
            Dimension::LinkSpeed => "(Gbps)400",
            Dimension::Compute => "(TFLOPS)989",
            Dimension::Mass => "(kg)1360",
            Dimension::Voltage => "(V)415",
            Dimension::Current => "(A)32",
            Dimension::Money => "(USD)250000",
        }
    }
}

/// Unit name, dimension and factor to the SI base unit.
const UNITS: &[(&str, Dimension, f64)] = &[
    ("W", Dimension::Power, 1.0),
    ("kW", Dimension::Power, 1e3),
    ("MW", Dimension::Power, 1e6),
    ("GW", Dimension::Power, 1e9),
    ("C", Dimension::Temperature, 1.0),
    ("us", Dimension::Time, 1e-6),
    ("ms", Dimension::Time, 1e-3),
    ("s", Dimension::Time, 1.0),
    ("B", Dimension::Memory, 1.0),
    ("KB", Dimension::Memory, 1e3),
    ("MB", Dimension::Memory, 1e6),
    ("GB", Dimension::Memory, 1e9),
    ("TB", Dimension::Memory, 1e12),
    ("KiB", Dimension::Memory, 1024.0),
    ("MiB", Dimension::Memory, 1_048_576.0),
    ("GiB", Dimension::Memory, 1_073_741_824.0),
    ("TiB", Dimension::Memory, 1_099_511_627_776.0),
    ("GBps", Dimension::Bandwidth, 1e9),
    ("TBps", Dimension::Bandwidth, 1e12),
    ("Mbps", Dimension::LinkSpeed, 1e6),
    ("Gbps", Dimension::LinkSpeed, 1e9),
    ("Tbps", Dimension::LinkSpeed, 1e12),
    ("TFLOPS", Dimension::Compute, 1e12),
    ("PFLOPS", Dimension::Compute, 1e15),
    ("kg", Dimension::Mass, 1.0),
    ("t", Dimension::Mass, 1e3),
    ("lb", Dimension::Mass, 0.453_592_37),
    ("V", Dimension::Voltage, 1.0),
    ("A", Dimension::Current, 1.0),
];

/// The dimension and SI factor of a unit name; money is recognised by its currency code.
pub fn lookup(unit: &str) -> Option<(Dimension, f64)> {
    if let Some((_, d, f)) = UNITS.iter().find(|(n, _, _)| *n == unit) {
        return Some((*d, *f));
    }
    if is_currency(unit) {
        return Some((Dimension::Money, 1.0));
    }
    None
}

/// Every unit name (for "did you mean" help).
pub fn all_names() -> impl Iterator<Item = &'static str> {
    UNITS.iter().map(|(n, _, _)| *n)
}

/// Active ISO 4217 currency codes (ISO 4217 list one, as maintained by SIX; funds and precious
/// metals left out). A three-letter code that is not here (`MVA`, `KWH`) is not money.
const CURRENCIES: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD", "BIF",
    "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CLP", "CNY", "COP", "CRC",
    "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS",
    "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD",
    "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL",
    "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD",
    "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD",
    "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP",
    "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS", "VES",
    "VND", "VUV", "WST", "XAF", "XCD", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
];

/// An ISO 4217 currency code.
pub fn is_currency(code: &str) -> bool {
    CURRENCIES.binary_search(&code).is_ok()
}

macro_rules! quantity {
    ($(#[$doc:meta])* $name:ident, $unit:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd)]
        pub struct $name(pub f64);

        impl std::ops::Add for $name {
            type Output = $name;
            fn add(self, o: $name) -> $name {
                $name(self.0 + o.0)
            }
        }
        impl std::ops::Sub for $name {
            type Output = $name;
            fn sub(self, o: $name) -> $name {
                $name(self.0 - o.0)
            }
        }
        impl std::ops::Mul<f64> for $name {
            type Output = $name;
            fn mul(self, k: f64) -> $name {
                $name(self.0 * k)
            }
        }
        impl std::iter::Sum for $name {
            fn sum<I: Iterator<Item = $name>>(iter: I) -> $name {
                $name(iter.map(|q| q.0).sum())
            }
        }
        impl $name {
            /// The SI unit this type stores.
            pub const UNIT: &'static str = $unit;
        }
    };
}

quantity!(/// Power in watts.
    Watts, "W");
quantity!(/// Temperature in degrees Celsius.
    Celsius, "C");
quantity!(/// Duration in seconds.
    Seconds, "s");
quantity!(/// Memory in bytes.
    Bytes, "B");
quantity!(/// Memory bandwidth in bytes per second.
    BytesPerSecond, "B/s");
quantity!(/// Link speed in bits per second.
    BitsPerSecond, "bit/s");
quantity!(/// Compute in floating-point operations per second.
    FlopsPerSecond, "FLOP/s");
quantity!(/// Mass in kilograms.
    Kilograms, "kg");
quantity!(/// Voltage in volts.
    Volts, "V");
quantity!(/// Current in amperes.
    Amperes, "A");

impl Watts {
    pub fn kw(self) -> f64 {
        self.0 / 1e3
    }
    pub fn mw(self) -> f64 {
        self.0 / 1e6
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
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} kg", trim(self.0))
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

/// An amount of money in a currency.
#[derive(Clone, Debug, PartialEq)]
pub struct Money {
    pub amount: f64,
    pub currency: String,
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", group_thousands(self.amount), self.currency)
    }
}

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

/// An amount with thousands separators and cents only when it has them: 3,200,000 or 0.11.
pub fn group_thousands(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    let neg = x < 0.0;
    let x = x.abs();
    let whole = x.trunc();
    let frac = x - whole;
    let mut digits = format!("{whole:.0}");
    let mut out = String::new();
    while digits.len() > 3 {
        let tail = digits.split_off(digits.len() - 3);
        out = format!(",{tail}{out}");
    }
    out = format!("{}{digits}{out}", if neg { "-" } else { "" });
    if frac > 0.0005 {
        let cents = format!("{frac:.2}");
        out.push_str(cents.trim_start_matches('0'));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_numbers_for_messages() {
        assert_eq!(Watts(24_100_000.0).to_string(), "24.1 MW");
        assert_eq!(Watts(132_000.0).to_string(), "132 kW");
        assert_eq!(trim(0.1250), "0.125");
        assert_eq!(group_thousands(3_200_000.0), "3,200,000");
        assert_eq!(group_thousands(0.11), "0.11");
    }

    #[test]
    fn units_have_dimensions() {
        assert_eq!(lookup("MW"), Some((Dimension::Power, 1e6)));
        assert_eq!(lookup("EUR"), Some((Dimension::Money, 1.0)));
        assert_eq!(lookup("Mw"), None);
    }
}
