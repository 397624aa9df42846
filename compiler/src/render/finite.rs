//! The guard that no infinite or not-a-number value reaches any output. Every user number is
//! finite when it is read (E0109), but products and sums of very large ones are not (an energy
//! price of 1e308 made a quote of "$inf"). Before a view is printed or rendered, its numbers are
//! walked through serde; any non-finite one becomes an E1007 diagnostic instead of output.

use crate::diag::{codes, Diagnostic};
use crate::source::{SourceMap, Span};
use serde::ser;
use serde::Serialize;

/// At most this many non-finite paths are collected and named.
const MAX_PATHS: usize = 5;

/// Literals at least this large (in absolute value) are named as the likely cause: no quantity
/// of a real factory comes near, and two of them multiplied reach the end of `f64`.
pub const SUSPICIOUS_MAGNITUDE: f64 = 1e30;

/// The paths (like `sites[0].energy_cost_per_year`) of the first non-finite numbers in a value.
pub fn non_finite_paths<T: Serialize + ?Sized>(value: &T) -> Vec<String> {
    let mut walker = Walker { path: Vec::new(), found: Vec::new() };
    // The walker never fails; an error from a value's own `Serialize` only ends the walk early.
    let _ = value.serialize(&mut walker);
    walker.found
}

/// The E1007 diagnostic for a view with non-finite numbers, or `None` when all are finite. The
/// labels point at the number literals of the factory's file large enough to cause it, if any;
/// else at the factory's name.
pub fn check<T: Serialize + ?Sized>(value: &T, sources: &SourceMap, factory_name: Span) -> Option<Diagnostic> {
    let paths = non_finite_paths(value);
    if paths.is_empty() {
        return None;
    }
    let mut d = Diagnostic::new(
        codes::E1007,
        format!("a result is not a finite number ({}); it is not printed", paths.join(", ")),
    )
    .help(
        "an input is too large for the arithmetic: check the values named here (prices, capacities, \
         exchange rates) and write them in a sensible unit",
    );
    let literals =
        sources.get(factory_name.file).map(|f| huge_literals(&f.text, factory_name.file)).unwrap_or_default();
    if literals.is_empty() {
        d = d.label(factory_name, "the results of this factory overflow");
    }
    for (span, value) in literals {
        d = d.label(span, format!("{value:e} is far beyond any real factory"));
    }
    Some(d)
}

/// [`check`] over what `plan` prints and the cost part of what `build` writes, with the paths
/// named as in the build view (`plan.…`, `cost.…`).
pub fn check_plan_and_cost(
    plan: &super::plan::PlanView,
    cost: &super::quote::QuoteView,
    sources: &SourceMap,
    factory_name: Span,
) -> Option<Diagnostic> {
    #[derive(Serialize)]
    struct Views<'a> {
        plan: &'a super::plan::PlanView,
        cost: &'a super::quote::QuoteView,
    }
    check(&Views { plan, cost }, sources, factory_name)
}

/// Number literals of the blueprint whose magnitude is at least [`SUSPICIOUS_MAGNITUDE`], largest
/// first (at most three). Strings and comments are skipped.
fn huge_literals(text: &str, file: crate::source::FileId) -> Vec<(Span, f64)> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => {
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    i += 1;
                    match c {
                        b'\\' => i += 1,
                        b'"' => break,
                        _ => {}
                    }
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while bytes.get(i).is_some_and(|&c| c != b'\n') {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let mut depth = 0usize;
                while let Some(&c) = bytes.get(i) {
                    if c == b'/' && bytes.get(i + 1) == Some(&b'*') {
                        depth += 1;
                        i += 2;
                    } else if c == b'*' && bytes.get(i + 1) == Some(&b'/') {
                        depth = depth.saturating_sub(1);
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
            }
            b'0'..=b'9' | b'-' | b'+' | b'.' if i == 0 || !is_word(bytes.get(i - 1).copied().unwrap_or(b' ')) => {
                let start = i;
                while bytes.get(i).is_some_and(|&c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-' | b'+'))
                {
                    i += 1;
                }
                let literal = text.get(start..i).unwrap_or("").replace('_', "");
                if let Ok(value) = literal.parse::<f64>() {
                    if value.is_finite() && value.abs() >= SUSPICIOUS_MAGNITUDE {
                        found.push((Span::new(file, start, i - start), value));
                    }
                }
            }
            _ if is_word(b) => {
                while bytes.get(i).is_some_and(|&c| is_word(c)) {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    found.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
    found.truncate(3);
    found.sort_by_key(|(span, _)| *span);
    found
}

/// Bytes that continue an identifier (so `gb200` is a word, not the number 200).
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'#' | b'.') || b >= 0x80
}

/// A serde serializer that writes nothing and records where non-finite floats are.
struct Walker {
    path: Vec<String>,
    found: Vec<String>,
}

impl Walker {
    fn float(&mut self, v: f64) {
        if !v.is_finite() && self.found.len() < MAX_PATHS {
            let mut path = String::new();
            for part in &self.path {
                if !part.starts_with('[') && !path.is_empty() {
                    path.push('.');
                }
                path.push_str(part);
            }
            self.found.push(if path.is_empty() { "the value".to_string() } else { path });
        }
    }

    fn nested<T: Serialize + ?Sized>(&mut self, part: String, value: &T) -> Result<(), Never> {
        self.path.push(part);
        let result = value.serialize(&mut *self);
        self.path.pop();
        result
    }
}

/// The walker's error type: it never fails on its own.
#[derive(Debug)]
struct Never(String);

impl std::fmt::Display for Never {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Never {}

impl ser::Error for Never {
    fn custom<T: std::fmt::Display>(msg: T) -> Never {
        Never(msg.to_string())
    }
}

/// A map key or enum tag as text, for the path.
fn key_text<T: Serialize + ?Sized>(key: &T) -> String {
    match serde_json::to_value(key) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => "?".to_string(),
    }
}

/// Sequences and maps share one state: the next element index.
struct Compound<'a> {
    walker: &'a mut Walker,
    index: usize,
    key: Option<String>,
}

impl<'a> ser::Serializer for &'a mut Walker {
    type Ok = ();
    type Error = Never;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    fn serialize_bool(self, _: bool) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_i8(self, _: i8) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_i16(self, _: i16) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_i32(self, _: i32) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_i64(self, _: i64) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_u8(self, _: u8) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_u16(self, _: u16) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_u32(self, _: u32) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_u64(self, _: u64) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Result<(), Never> {
        self.float(f64::from(v));
        Ok(())
    }
    fn serialize_f64(self, v: f64) -> Result<(), Never> {
        self.float(v);
        Ok(())
    }
    fn serialize_char(self, _: char) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_str(self, _: &str) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_none(self) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Never> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<(), Never> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Never> {
        self.nested(variant.to_string(), value)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'a>, Never> {
        Ok(Compound { walker: self, index: 0, key: None })
    }
    fn serialize_tuple(self, _: usize) -> Result<Compound<'a>, Never> {
        Ok(Compound { walker: self, index: 0, key: None })
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Compound<'a>, Never> {
        Ok(Compound { walker: self, index: 0, key: None })
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Compound<'a>, Never> {
        Ok(Compound { walker: self, index: 0, key: None })
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'a>, Never> {
        Ok(Compound { walker: self, index: 0, key: None })
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Compound<'a>, Never> {
        Ok(Compound { walker: self, index: 0, key: None })
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Compound<'a>, Never> {
        Ok(Compound { walker: self, index: 0, key: None })
    }
}

impl Compound<'_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Never> {
        let part = format!("[{}]", self.index);
        self.index += 1;
        self.walker.nested(part, value)
    }
}

impl ser::SerializeSeq for Compound<'_> {
    type Ok = ();
    type Error = Never;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Never> {
        self.element(value)
    }
    fn end(self) -> Result<(), Never> {
        Ok(())
    }
}

impl ser::SerializeTuple for Compound<'_> {
    type Ok = ();
    type Error = Never;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Never> {
        self.element(value)
    }
    fn end(self) -> Result<(), Never> {
        Ok(())
    }
}

impl ser::SerializeTupleStruct for Compound<'_> {
    type Ok = ();
    type Error = Never;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Never> {
        self.element(value)
    }
    fn end(self) -> Result<(), Never> {
        Ok(())
    }
}

impl ser::SerializeTupleVariant for Compound<'_> {
    type Ok = ();
    type Error = Never;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Never> {
        self.element(value)
    }
    fn end(self) -> Result<(), Never> {
        Ok(())
    }
}

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Never;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Never> {
        self.key = Some(key_text(key));
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Never> {
        let key = self.key.take().unwrap_or_default();
        self.walker.nested(format!("[{key:?}]"), value)
    }
    fn end(self) -> Result<(), Never> {
        Ok(())
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = Never;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Never> {
        self.walker.nested(key.to_string(), value)
    }
    fn end(self) -> Result<(), Never> {
        Ok(())
    }
}

impl ser::SerializeStructVariant for Compound<'_> {
    type Ok = ();
    type Error = Never;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Never> {
        self.walker.nested(key.to_string(), value)
    }
    fn end(self) -> Result<(), Never> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use std::collections::BTreeMap;

    #[derive(serde::Serialize)]
    struct Site {
        name: String,
        cost: f64,
        lines: Vec<Option<f64>>,
        by_part: BTreeMap<String, f32>,
    }

    #[test]
    fn every_non_finite_number_is_found_with_its_path() {
        let site = Site {
            name: "a".into(),
            cost: f64::INFINITY,
            lines: vec![Some(1.0), None, Some(f64::NAN)],
            by_part: BTreeMap::from([("gpu".to_string(), f32::NEG_INFINITY), ("cpu".to_string(), 2.0)]),
        };
        assert_eq!(non_finite_paths(&vec![site]), ["[0].cost", "[0].lines[2]", "[0].by_part[\"gpu\"]"]);
        assert!(non_finite_paths(&(1.0, "x", [2.0f32])).is_empty());
    }

    #[test]
    fn huge_literals_are_found_outside_strings_and_comments() {
        let text = "site \"1e300\" {\n    // 1e301\n    /* 1e302 /* 1e303 */ */\n    energy-price (USD)1e308 per=\"kWh\"\n    x gb200 2.5e31 10\n}\n";
        let found = huge_literals(text, crate::source::FileId(0));
        let texts: Vec<&str> = found.iter().map(|(s, _)| text.get(s.start as usize..s.end as usize).unwrap()).collect();
        assert_eq!(texts, ["1e308", "2.5e31"]);
    }
}
