//! The KDL tree reading toolkit shared by blueprint and catalog lowering: typed access to a node's
//! arguments, properties and children that reports every misuse as a coded diagnostic on the exact
//! span (unknown names with "did you mean", wrong types, missing or wrong units).

use crate::diag::{codes, did_you_mean, CodeInfo, Diagnostic, Diagnostics};
use crate::source::{FileId, Span};
use crate::syntax::tree::{Entry, Node, TextRange, Value};
use crate::units::{self, Dimension, Money};

/// A value with the span it was written at.
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Spanned<T> {
        Spanned { value, span }
    }
}

impl Spanned<String> {
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

/// What every lowering function needs: the file being read and where diagnostics go.
pub struct Cx<'a> {
    pub file: FileId,
    pub text: &'a str,
    pub diags: &'a mut Diagnostics,
    /// The factory's currency, once known; money in any other currency is an E0115 error.
    pub currency: Option<Spanned<String>>,
    /// The currency is the language's default (USD), not written in the file.
    pub currency_is_default: bool,
    /// How many counts could not be read so far (each has its error): totals built from them
    /// would be wrong, so rules that add them up stay quiet.
    pub counts_rejected: u32,
}

impl Cx<'_> {
    pub fn span(&self, s: TextRange) -> Span {
        Span::new(self.file, s.offset(), s.len())
    }

    pub fn emit(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// The span of an entry's value: after `key=` for properties, the whole entry for arguments.
    pub fn value_span(&self, entry: &Entry) -> Span {
        let whole = self.span(entry.span());
        let Some(name) = entry.name() else { return whole };
        let name_end = name.span().end();
        let rest = self.text.get(name_end..whole.end as usize).unwrap_or("");
        let Some(eq) = rest.find('=') else { return whole };
        let after = rest.get(eq + 1..).unwrap_or("");
        let ws = after.len() - after.trim_start().len();
        let start = name_end + eq + 1 + ws;
        Span::new(self.file, start, (whole.end as usize).saturating_sub(start))
    }

    pub fn node_name_span(&self, node: &Node) -> Span {
        self.span(node.name().span())
    }

    /// The node's name and entries, without its children block: the place to point at for the node.
    pub fn node_head_span(&self, node: &Node) -> Span {
        let start = node.name().span().offset();
        let end = node.entries().iter().map(|e| e.span().end()).max().unwrap_or(start + node.name().span().len());
        Span::new(self.file, start, end.saturating_sub(start))
    }
}

/// Positions of entries, as a bit set: the first 64 without an allocation (a node rarely has more).
#[derive(Default)]
struct EntrySet {
    low: u64,
    high: Vec<usize>,
}

impl EntrySet {
    fn insert(&mut self, pos: usize) {
        match u32::try_from(pos).ok().and_then(|p| 1u64.checked_shl(p)) {
            Some(bit) => self.low |= bit,
            None if !self.high.contains(&pos) => self.high.push(pos),
            None => {}
        }
    }

    fn contains(&self, pos: usize) -> bool {
        match u32::try_from(pos).ok().and_then(|p| 1u64.checked_shl(p)) {
            Some(bit) => self.low & bit != 0,
            None => self.high.contains(&pos),
        }
    }
}

/// The property keys a reader was asked for, in order: the first few without an allocation, since
/// one is made for every node read.
#[derive(Default)]
struct Keys {
    first: [&'static str; 6],
    len: usize,
    rest: Vec<&'static str>,
}

impl Keys {
    fn insert(&mut self, key: &'static str) {
        if self.contains(key) {
            return;
        }
        match self.first.get_mut(self.len) {
            Some(slot) => {
                *slot = key;
                self.len += 1;
            }
            None => self.rest.push(key),
        }
    }

    fn iter(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.first.iter().take(self.len).chain(self.rest.iter()).copied()
    }

    fn contains(&self, key: &str) -> bool {
        self.iter().any(|k| k == key)
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// Reads one node, remembering which entries were used so that `finish` can report the rest.
pub struct NodeReader<'n> {
    pub node: &'n Node,
    used: EntrySet,
    known_props: Keys,
    arg_count_expected: usize,
}

impl<'n> NodeReader<'n> {
    pub fn new(node: &'n Node) -> NodeReader<'n> {
        NodeReader { node, used: EntrySet::default(), known_props: Keys::default(), arg_count_expected: 0 }
    }

    pub fn name(&self) -> &'n str {
        self.node.name().value()
    }

    /// The `idx`-th positional argument.
    pub fn arg(&mut self, idx: usize) -> Option<&'n Entry> {
        self.arg_count_expected = self.arg_count_expected.max(idx + 1);
        let node = self.node;
        let (pos, entry) = node.entries().iter().enumerate().filter(|(_, e)| e.name().is_none()).nth(idx)?;
        self.used.insert(pos);
        Some(entry)
    }

    /// The property `key`; a repeated key is an E0112 error (KDL would silently keep the last).
    pub fn prop(&mut self, cx: &mut Cx, key: &'static str) -> Option<&'n Entry> {
        self.known_props.insert(key);
        let node = self.node;
        let mut found: Option<&'n Entry> = None;
        for (pos, entry) in node.entries().iter().enumerate() {
            if entry.name().map(|n| n.value()) != Some(key) {
                continue;
            }
            self.used.insert(pos);
            if let Some(first) = found {
                cx.emit(
                    Diagnostic::new(codes::E0112, format!("property `{key}` is given twice on `{}`", self.name()))
                        .label(cx.span(entry.span()), "given again here")
                        .label(cx.span(first.span()), "first given here")
                        .help(format!("keep one `{key}=`")),
                );
            } else {
                found = Some(entry);
            }
        }
        found
    }

    /// A required positional argument, or an E0105 naming it.
    pub fn required_arg(&mut self, cx: &mut Cx, idx: usize, what: &str, example: &str) -> Option<&'n Entry> {
        let entry = self.arg(idx);
        if entry.is_none() {
            cx.emit(
                Diagnostic::new(codes::E0105, format!("`{}` needs {what}", self.name()))
                    .label(cx.node_head_span(self.node), format!("{what} missing"))
                    .help(format!("write it like `{example}`")),
            );
        }
        entry
    }

    /// A required property, or an E0105 naming it.
    pub fn required_prop(&mut self, cx: &mut Cx, key: &'static str, example: &str) -> Option<&'n Entry> {
        let entry = self.prop(cx, key);
        // A misspelt key (`capacty=`) is reported once, as an unknown property with a suggestion.
        let misspelt = self
            .node
            .entries()
            .iter()
            .filter_map(|e| e.name())
            .any(|n| n.value() != key && !crate::diag::suggest(n.value(), [key]).is_empty());
        if entry.is_none() && !misspelt {
            cx.emit(
                Diagnostic::new(codes::E0105, format!("`{}` needs the property `{key}`", self.name()))
                    .label(cx.node_head_span(self.node), format!("`{key}=` missing"))
                    .help(format!("write it like `{example}`")),
            );
        }
        entry
    }

    /// Reports entries nobody asked for: extra arguments (E0104) and unknown properties (E0103).
    pub fn finish(self, cx: &mut Cx) {
        for (pos, entry) in self.node.entries().iter().enumerate() {
            if self.used.contains(pos) {
                continue;
            }
            match entry.name() {
                Some(key) => {
                    let key = key.value();
                    let mut d = Diagnostic::new(codes::E0103, format!("`{}` has no property `{key}`", self.name()))
                        .label(cx.span(entry.span()), "unknown property");
                    d = match did_you_mean(key, self.known_props.iter()) {
                        Some(h) => d.help(h),
                        None if self.known_props.is_empty() => d.help(format!("`{}` takes no properties", self.name())),
                        None => d.help(format!(
                            "`{}` takes {}",
                            self.name(),
                            self.known_props.iter().map(|p| format!("`{p}=`")).collect::<Vec<_>>().join(", ")
                        )),
                    };
                    cx.emit(d);
                }
                None => {
                    let takes = match self.arg_count_expected {
                        0 => "no arguments".to_string(),
                        1 => "one argument".to_string(),
                        n => format!("{n} arguments"),
                    };
                    let help = if self.known_props.contains("count") && matches!(entry.value(), Value::Integer(_)) {
                        format!("to say how many, write it as a property: `count={}`", entry.value())
                    } else {
                        "remove it, or if it is a setting write it as a property like `key=value`".to_string()
                    };
                    cx.emit(
                        Diagnostic::new(codes::E0104, format!("`{}` takes {takes}", self.name()))
                            .label(cx.span(entry.span()), "unexpected argument")
                            .help(help),
                    );
                }
            }
        }
    }
}

fn describe(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a number",
        Value::Bool(_) => "a boolean",
        Value::Null => "#null",
    }
}

fn no_unit_expected(cx: &mut Cx, entry: &Entry, what: &str) -> bool {
    if let Some(ty) = entry.ty() {
        cx.emit(
            Diagnostic::new(codes::E0108, format!("{what} takes no unit, but `({})` is written", ty.value()))
                .label(cx.span(ty.span()), "unexpected unit")
                .help("remove the type annotation"),
        );
        return true;
    }
    false
}

/// A string value.
pub fn string(cx: &mut Cx, entry: &Entry, what: &str) -> Option<Spanned<String>> {
    let span = cx.value_span(entry);
    match entry.value() {
        Value::String(s) => {
            if no_unit_expected(cx, entry, what) {
                return None;
            }
            Some(Spanned::new(s.to_string(), span))
        }
        other => {
            cx.emit(
                Diagnostic::new(codes::E0106, format!("{what} must be a string, found {}", describe(other)))
                    .label(span, "expected a string")
                    .help("quote it, like `\"value\"`"),
            );
            None
        }
    }
}

/// A name: a non-empty string without control characters.
pub fn name(cx: &mut Cx, entry: &Entry, what: &str) -> Option<Spanned<String>> {
    let s = string(cx, entry, what)?;
    let invisible =
        |c: char| matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}');
    if s.value.trim().is_empty() || s.value.chars().any(|c| c.is_control() || invisible(c)) || s.value.len() > 256 {
        let why = if s.value.trim().is_empty() {
            "is empty".to_string()
        } else if s.value.len() > 256 {
            format!("is {} bytes long; the limit is 256", s.value.len())
        } else if s.value.chars().any(invisible) {
            "contains an invisible formatting character (such as a text-direction override)".to_string()
        } else {
            "contains a control character or line break".to_string()
        };
        cx.emit(
            Diagnostic::new(codes::E0111, format!("{what} {why}"))
                .label(s.span, "invalid name")
                .help("names are short, printable, single-line strings such as \"frankfurt-1\""),
        );
        return None;
    }
    Some(s)
}

/// One of a fixed set of strings.
pub fn choice(cx: &mut Cx, entry: &Entry, what: &str, choices: &[&'static str]) -> Option<Spanned<&'static str>> {
    let s = string(cx, entry, what)?;
    if let Some(c) = choices.iter().find(|c| **c == s.value) {
        return Some(Spanned::new(*c, s.span));
    }
    let list = choices.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
    let help = match did_you_mean(&s.value, choices.iter().copied()) {
        Some(h) => format!("{h} {what} is one of {list}"),
        None => format!("{what} is one of {list}"),
    };
    cx.emit(
        Diagnostic::new(codes::E0111, format!("{what} \"{}\" is not one of {list}", s.value))
            .label(s.span, "not an allowed value")
            .help(help),
    );
    None
}

fn number_value(cx: &mut Cx, entry: &Entry, what: &str) -> Option<f64> {
    let span = cx.value_span(entry);
    let x = match entry.value() {
        Value::Integer(i) => *i as f64,
        Value::Float(f) => *f,
        other => {
            let help = match other {
                Value::String(s) if s.trim().parse::<f64>().is_ok() => {
                    format!("remove the quotes: `{}`", s.trim())
                }
                _ => format!("write a number, like `{}`", if what.contains("count") { "4" } else { "1.25" }),
            };
            cx.emit(
                Diagnostic::new(codes::E0106, format!("{what} must be a number, found {}", describe(other)))
                    .label(span, "expected a number")
                    .help(help),
            );
            return None;
        }
    };
    if !x.is_finite() {
        cx.emit(
            Diagnostic::new(codes::E0109, format!("{what} must be a finite number, found {x}"))
                .label(span, "not finite")
                .help("write a finite number"),
        );
        return None;
    }
    Some(x)
}

/// A non-negative finite number without a unit (a ratio, a PUE, a margin).
pub fn number(cx: &mut Cx, entry: &Entry, what: &str) -> Option<Spanned<f64>> {
    let span = cx.value_span(entry);
    if no_unit_expected(cx, entry, what) {
        return None;
    }
    let x = number_value(cx, entry, what)?;
    if x < 0.0 {
        cx.emit(
            Diagnostic::new(codes::E0109, format!("{what} must not be negative, found {x}"))
                .label(span, "negative")
                .help("write a value of zero or more"),
        );
        return None;
    }
    Some(Spanned::new(x, span))
}

/// A number within `[min, max]`.
pub fn number_in(cx: &mut Cx, entry: &Entry, what: &str, min: f64, max: f64) -> Option<Spanned<f64>> {
    let n = number(cx, entry, what)?;
    if n.value < min || n.value > max {
        cx.emit(
            Diagnostic::new(codes::E0109, format!("{what} must be between {min} and {max}, found {}", n.value))
                .label(n.span, "out of range")
                .help(format!("write a value from {min} to {max}")),
        );
        return None;
    }
    Some(n)
}

/// The largest count accepted for any one `count=`; larger values are an E0110, not an allocation.
pub const MAX_COUNT: u64 = 10_000_000;

/// A positive integer (a count of things), at most [`MAX_COUNT`].
pub fn count(cx: &mut Cx, entry: &Entry, what: &str) -> Option<Spanned<u64>> {
    integer_at_least(cx, entry, what, 1)
}

/// A non-negative integer (a count that may be zero), at most [`MAX_COUNT`].
pub fn integer_at_least(cx: &mut Cx, entry: &Entry, what: &str, min: u64) -> Option<Spanned<u64>> {
    let read = read_integer_at_least(cx, entry, what, min);
    if read.is_none() {
        cx.counts_rejected = cx.counts_rejected.saturating_add(1);
    }
    read
}

fn read_integer_at_least(cx: &mut Cx, entry: &Entry, what: &str, min: u64) -> Option<Spanned<u64>> {
    let span = cx.value_span(entry);
    if no_unit_expected(cx, entry, what) {
        return None;
    }
    let bad = |cx: &mut Cx, found: String| {
        let kind = if min >= 1 { "a positive integer" } else { "a whole number of zero or more" };
        cx.emit(
            Diagnostic::new(codes::E0110, format!("{what} must be {kind}, found {found}"))
                .label(span, "not a valid count")
                .help(format!(
                    "write a whole number from {min} to {}",
                    crate::format::group_thousands(MAX_COUNT as f64)
                )),
        );
    };
    match entry.value() {
        Value::Integer(i) => {
            if *i < i128::from(min) {
                bad(cx, i.to_string());
                None
            } else if *i > i128::from(MAX_COUNT) {
                cx.emit(
                    Diagnostic::new(
                        codes::E0110,
                        format!(
                            "{what} is {i}; the limit for one count is {}",
                            crate::format::group_thousands(MAX_COUNT as f64)
                        ),
                    )
                    .label(span, "too large")
                    .help("a real factory has far fewer; check for a typo"),
                );
                None
            } else {
                u64::try_from(*i).ok().map(|v| Spanned::new(v, span))
            }
        }
        Value::Float(f) => {
            // As written (`4.0`, `1e3`), not as the float prints.
            let written = cx.text.get(span.start as usize..span.end as usize).map(str::trim);
            bad(cx, written.filter(|w| !w.is_empty()).map_or_else(|| f.to_string(), str::to_string));
            // A whole number written as a float (`4.0`) is still read as the count it means, so
            // that totals built from it stay right and no rule reports a follow-on error.
            let whole = f.is_finite() && f.fract() == 0.0 && *f >= min as f64 && *f <= MAX_COUNT as f64;
            whole.then(|| Spanned::new(*f as u64, span))
        }
        other => {
            let d = Diagnostic::new(codes::E0106, format!("{what} must be an integer, found {}", describe(other)))
                .label(span, "expected an integer");
            let d = match other {
                Value::String(s) if s.trim().parse::<u64>().is_ok() => {
                    d.help(format!("remove the quotes: `{}`", s.trim()))
                }
                _ => d.help("write a whole number, like `4`"),
            };
            cx.emit(d);
            None
        }
    }
}

/// A quantity with a unit of `dim`, converted to its SI base unit. Negative values are errors.
pub fn quantity(cx: &mut Cx, entry: &Entry, what: &str, dim: Dimension) -> Option<Spanned<f64>> {
    let span = cx.value_span(entry);
    let Some(ty) = entry.ty() else {
        // Validate the number first so a quoted or non-numeric value gets the more useful error.
        let x = number_value(cx, entry, what)?;
        let example = dim.example();
        let unit_hint = example.split(')').next().unwrap_or("").trim_start_matches('(');
        cx.emit(
            Diagnostic::new(codes::E0107, format!("{what} needs a unit of {}", dim.name()))
                .label(span, "no unit")
                .help(format!(
                    "write the unit as a type annotation, like `({unit_hint}){}`; {} units: {}",
                    crate::format::trim(x),
                    dim.name(),
                    dim.units().join(", ")
                )),
        );
        return None;
    };
    let unit = ty.value();
    let ty_span = cx.span(ty.span());
    let factor = match units::lookup(unit) {
        Some((d, f)) if d == dim => f,
        Some((d, _)) => {
            cx.emit(
                Diagnostic::new(
                    codes::E0108,
                    format!("{what} is {}, but `{unit}` is a unit of {}", dim.name(), d.name()),
                )
                .label(ty_span, format!("a unit of {}", d.name()))
                .help(format!(
                    "use a unit of {}: {} (for example `{}`)",
                    dim.name(),
                    dim.units().join(", "),
                    dim.example()
                )),
            );
            return None;
        }
        None => {
            let mut d = Diagnostic::new(codes::E0108, format!("unknown unit `{unit}`")).label(ty_span, "unknown unit");
            let apparent = matches!(unit.to_ascii_lowercase().as_str(), "va" | "kva" | "mva" | "gva");
            let close = did_you_mean(unit, dim.units());
            d = d.help(match close {
                _ if apparent && dim == Dimension::Power => format!(
                    "`{unit}` is apparent power; write usable real power in W, kW, MW or GW (kW ≈ kVA × power factor, about 0.95–0.99 for IT load)"
                ),
                Some(h) => format!("{h} {} units: {}", dim.name(), dim.units().join(", ")),
                None => format!("{} units: {}", dim.name(), dim.units().join(", ")),
            });
            cx.emit(d);
            return None;
        }
    };
    let x = number_value(cx, entry, what)?;
    if x < 0.0 && dim != Dimension::Temperature {
        cx.emit(
            Diagnostic::new(codes::E0109, format!("{what} must not be negative, found {x} {unit}"))
                .label(span, "negative")
                .help("write a value of zero or more"),
        );
        return None;
    }
    Some(Spanned::new(x * factor, span))
}

/// An amount of money: the currency code is the annotation, `(EUR)0.11`. It must match the
/// factory's currency when one is set.
pub fn money(cx: &mut Cx, entry: &Entry, what: &str) -> Option<Spanned<Money>> {
    let span = cx.value_span(entry);
    let Some(ty) = entry.ty() else {
        let x = number_value(cx, entry, what)?;
        let code = cx.currency.as_ref().map(|c| c.value.clone()).unwrap_or_else(|| "USD".to_string());
        cx.emit(
            Diagnostic::new(codes::E0107, format!("{what} needs a currency"))
                .label(span, "no currency")
                .help(format!("write the currency as a type annotation, like `({code}){}`", crate::format::trim(x))),
        );
        return None;
    };
    let code = ty.value();
    let ty_span = cx.span(ty.span());
    if !units::is_currency(code) {
        let d = Diagnostic::new(codes::E0108, format!("{what} is money, but `{code}` is not a currency code"))
            .label(ty_span, "not a currency");
        let upper = code.to_ascii_uppercase();
        let d = if code.to_ascii_lowercase().ends_with("wh") {
            let c = cx.currency.as_ref().map(|c| c.value.clone()).unwrap_or_else(|| "EUR".into());
            d.help(format!(
                "the annotation is the currency and the energy unit goes in `per=`: `({c})0.11 per=\"{code}\"`"
            ))
        } else if units::is_currency(&upper) {
            d.help(format!("currency codes are capitals: `({upper})`"))
        } else {
            d.help("write an ISO 4217 currency code such as `USD` or `EUR`")
        };
        cx.emit(d);
        return None;
    }
    let x = number_value(cx, entry, what)?;
    if x < 0.0 {
        cx.emit(
            Diagnostic::new(codes::E0109, format!("{what} must not be negative, found {x} {code}"))
                .label(span, "negative")
                .help("write an amount of zero or more"),
        );
        return None;
    }
    if let Some(currency) = cx.currency.clone() {
        if currency.value != code {
            let d = Diagnostic::new(
                codes::E0115,
                format!("{what} is in {code}, but the factory's currency is {}", currency.value),
            )
            .label(ty_span, format!("{code} here"));
            let d = if cx.currency_is_default {
                d.label(currency.span, format!("no `currency` here, so the factory counts in {}", currency.value)).help(format!(
                    "if the factory counts in {code}, add `currency \"{code}\"` to the `factory` block; otherwise convert the amount to {}",
                    currency.value
                ))
            } else {
                d.label(currency.span, format!("currency set to {} here", currency.value))
                    .help(format!("convert the amount to {} and write it with `({})`", currency.value, currency.value))
            };
            cx.emit(d);
            return None;
        }
    }
    Some(Spanned::new(Money::new(x, code), span))
}

/// A boolean (`#true` / `#false`).
pub fn boolean(cx: &mut Cx, entry: &Entry, what: &str) -> Option<Spanned<bool>> {
    let span = cx.value_span(entry);
    match entry.value() {
        Value::Bool(b) => Some(Spanned::new(*b, span)),
        other => {
            cx.emit(
                Diagnostic::new(codes::E0106, format!("{what} must be #true or #false, found {}", describe(other)))
                    .label(span, "expected a boolean")
                    .help("write `#true` or `#false`"),
            );
            None
        }
    }
}

/// Reports a child node the parent does not take, with a suggestion among `known`.
pub fn unknown_child(cx: &mut Cx, parent: &str, child: &Node, known: &[&str]) {
    let name = child.name().value();
    let owner = if parent.starts_with("the ") { parent.to_string() } else { format!("`{parent}`") };
    let mut d = Diagnostic::new(codes::E0102, format!("{owner} has no node `{name}`"))
        .label(cx.node_name_span(child), "unknown node");
    let list = known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
    d = match did_you_mean(name, known.iter().copied()) {
        Some(h) => d.help(h),
        None if known.is_empty() => d.help(format!("{owner} has no children")),
        None => d.help(format!("{owner} takes {list}")),
    };
    cx.emit(d);
}

/// Reports a node that may appear once but appears again, labelling both.
pub fn duplicate_child(cx: &mut Cx, code: &'static CodeInfo, parent: &str, first: Span, again: &Node) {
    let name = again.name().value();
    cx.emit(
        Diagnostic::new(code, format!("`{name}` is given twice in `{parent}`"))
            .label(cx.node_name_span(again), "given again here")
            .label(first, "first given here")
            .help(format!("keep one `{name}`")),
    );
}

/// Reports a children block on a node that takes none.
pub fn no_children(cx: &mut Cx, node: &Node) {
    if let Some(children) = node.children() {
        if let Some(first) = children.nodes().first() {
            cx.emit(
                Diagnostic::new(codes::E0102, format!("`{}` takes no child nodes", node.name().value()))
                    .label(cx.node_name_span(first), "unexpected child")
                    .help(format!("remove the `{{ … }}` block after `{}`", node.name().value())),
            );
        }
    }
}

/// A node of the form `name VALUE` (one argument, nothing else): reads and returns its entry.
pub fn single_arg<'n>(cx: &mut Cx, node: &'n Node, example: &str) -> Option<&'n Entry> {
    let mut r = NodeReader::new(node);
    let entry = r.required_arg(cx, 0, "a value", example);
    r.finish(cx);
    no_children(cx, node);
    entry
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_sets_hold_positions_past_64() {
        let mut set = EntrySet::default();
        for pos in [0, 5, 63, 64, 200] {
            set.insert(pos);
        }
        assert!([0, 5, 63, 64, 200].iter().all(|p| set.contains(*p)));
        assert!(![1, 62, 65, 199].iter().any(|p| set.contains(*p)));
    }

    #[test]
    fn keys_keep_their_order_past_the_inline_ones() {
        let mut keys = Keys::default();
        for k in ["a", "b", "a", "c", "d", "e", "f", "g", "h", "b"] {
            keys.insert(k);
        }
        assert_eq!(keys.iter().collect::<Vec<_>>(), ["a", "b", "c", "d", "e", "f", "g", "h"]);
        assert!(keys.contains("h") && !keys.contains("z") && !keys.is_empty());
    }
}
