//! Physical quantities. Values are stored in SI base units inside newtypes, so watts never mix with
//! kilowatts or bytes with bits; the unit names users write are the KDL type annotations below.
//! Their text forms (`Display`, grouping, money) are in `format`.

/// What a unit measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dimension {
    Power,
    Temperature,
    /// A difference of temperatures, such as a CDU's approach (kelvin).
    TemperatureDifference,
    Time,
    Memory,
    Bandwidth,
    LinkSpeed,
    Compute,
    Mass,
    Voltage,
    Current,
    /// Lengths and distances (metres): a rack's footprint, a hall's pitch, a cable's run.
    Length,
    /// Load per floor area (a slab or raised floor's rating).
    AreaLoad,
    Money,
}

impl Dimension {
    pub fn name(self) -> &'static str {
        match self {
            Dimension::Power => "power",
            Dimension::Temperature => "temperature",
            Dimension::TemperatureDifference => "temperature difference",
            Dimension::Time => "time",
            Dimension::Memory => "memory",
            Dimension::Bandwidth => "memory bandwidth",
            Dimension::LinkSpeed => "link speed",
            Dimension::Compute => "compute",
            Dimension::Mass => "mass",
            Dimension::Voltage => "voltage",
            Dimension::Current => "current",
            Dimension::Length => "length",
            Dimension::AreaLoad => "area load",
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
            Dimension::TemperatureDifference => "(K)5",
            Dimension::Time => "(ms)800",
            Dimension::Memory => "(GB)80",
            Dimension::Bandwidth => "(TBps)3.35",
            Dimension::LinkSpeed => "(Gbps)400",
            Dimension::Compute => "(TFLOPS)989",
            Dimension::Mass => "(kg)1360",
            Dimension::Voltage => "(V)415",
            Dimension::Current => "(A)32",
            Dimension::Length => "(m)3.0",
            Dimension::AreaLoad => "(kPa)12",
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
    ("K", Dimension::TemperatureDifference, 1.0),
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
    ("mm", Dimension::Length, 1e-3),
    ("cm", Dimension::Length, 1e-2),
    ("m", Dimension::Length, 1.0),
    ("km", Dimension::Length, 1e3),
    // Area load in N/m² (pascals). `kN/m2` and `kg/m2` hold a `/`, which a bare KDL annotation
    // cannot, so they are written quoted: `("kN/m2")12`; `kPa` is the same unit as kN/m².
    ("kPa", Dimension::AreaLoad, 1e3),
    ("kN/m2", Dimension::AreaLoad, 1e3),
    ("N/m2", Dimension::AreaLoad, 1.0),
    // A mass per area loads the floor under standard gravity, g = 9.80665 m/s² (CGPM 1901, ISO 80000-3).
    ("kg/m2", Dimension::AreaLoad, STANDARD_GRAVITY),
];

/// Standard gravity in m/s² (3rd CGPM, 1901; ISO 80000-3): turns a mass into the force it puts on
/// a floor.
pub const STANDARD_GRAVITY: f64 = 9.806_65;

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
quantity!(/// Length in metres.
    Meters, "m");
quantity!(/// Load per floor area in newtons per square metre (pascals).
    Pascals, "N/m2");

impl Kilograms {
    /// The floor load this mass puts on an area of `m2` square metres under standard gravity.
    pub fn over_area(self, m2: f64) -> Pascals {
        if m2 > 0.0 {
            Pascals(self.0 * STANDARD_GRAVITY / m2)
        } else {
            Pascals(0.0)
        }
    }
}

impl Pascals {
    /// In kN/m² (kPa), the unit floor ratings are quoted in.
    pub fn kn_m2(self) -> f64 {
        self.0 / 1e3
    }
}

impl Watts {
    pub fn kw(self) -> f64 {
        self.0 / 1e3
    }
    pub fn mw(self) -> f64 {
        self.0 / 1e6
    }
}

/// How an amount of money is rounded where it is shown and summed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Rounding {
    /// As written or computed: printed as a figure with its significant decimals.
    #[default]
    Exact,
    /// Whole units of the currency: what bill-of-materials and quote amounts are.
    Whole,
    /// Hundredths of the currency.
    Cents,
    /// A fixed number of decimals, for small per-unit figures (cost per million tokens).
    Decimals(u8),
}

/// An amount of money in a currency, with the rounding it is kept at.
#[derive(Clone, Debug, PartialEq)]
pub struct Money {
    pub amount: f64,
    pub currency: String,
    pub rounding: Rounding,
}

impl Money {
    /// An amount as written, not rounded.
    pub fn new(amount: f64, currency: impl Into<String>) -> Money {
        Money { amount, currency: currency.into(), rounding: Rounding::Exact }
    }

    /// The amount rounded to `rounding` (exact and fixed-decimal amounts keep their value; the
    /// decimals apply where they are printed).
    pub fn rounded(amount: f64, currency: impl Into<String>, rounding: Rounding) -> Money {
        let amount = match rounding {
            Rounding::Whole => amount.round(),
            Rounding::Cents => (amount * 100.0).round() / 100.0,
            Rounding::Exact | Rounding::Decimals(_) => amount,
        };
        Money { amount, currency: currency.into(), rounding }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_rounds_as_it_says() {
        assert_eq!(Money::rounded(1234.5, "EUR", Rounding::Whole).amount, 1235.0);
        assert_eq!(Money::rounded(0.125_1, "EUR", Rounding::Cents).amount, 0.13);
        assert_eq!(Money::new(0.081, "USD").rounding, Rounding::Exact);
    }

    #[test]
    fn units_have_dimensions() {
        assert_eq!(lookup("MW"), Some((Dimension::Power, 1e6)));
        assert_eq!(lookup("EUR"), Some((Dimension::Money, 1.0)));
        assert_eq!(lookup("Mw"), None);
    }
}

/// A number format for model weights and activations: what a workload is served at and what a
/// GPU computes natively.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Precision {
    Bf16,
    Fp8,
    Fp4,
}

impl Precision {
    pub const CHOICES: &'static [&'static str] = &["bf16", "fp8", "fp4"];

    pub fn parse(s: &str) -> Option<Precision> {
        match s {
            "bf16" => Some(Precision::Bf16),
            "fp8" => Some(Precision::Fp8),
            "fp4" => Some(Precision::Fp4),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Precision::Bf16 => "bf16",
            Precision::Fp8 => "fp8",
            Precision::Fp4 => "fp4",
        }
    }
}
