//! Millwright's own KDL tree: what a file says (node names, type annotations, arguments,
//! properties, children) and where (byte ranges), and nothing else. No whitespace, comments or
//! number formats are kept, so the tree is small (about a tenth of the `kdl` crate's document)
//! and cheap to build; `fmt` works on the text, not on this tree.

use std::fmt;

/// A byte range in the parsed text. Offsets are `u32`: files are limited to 64 MiB long before
/// that matters, and `parser::parse` refuses texts over 4 GiB.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TextRange {
    offset: u32,
    len: u32,
}

impl TextRange {
    pub fn new(offset: usize, len: usize) -> TextRange {
        let offset = u32::try_from(offset).unwrap_or(u32::MAX);
        let len = u32::try_from(len).unwrap_or(u32::MAX).min(u32::MAX - offset);
        TextRange { offset, len }
    }

    /// The range from `start` to `end` (empty when `end` is before `start`).
    pub fn between(start: usize, end: usize) -> TextRange {
        TextRange::new(start, end.saturating_sub(start))
    }

    pub fn offset(self) -> usize {
        self.offset as usize
    }

    pub fn len(self) -> usize {
        self.len as usize
    }

    pub fn is_empty(self) -> bool {
        self.len == 0
    }

    pub fn end(self) -> usize {
        self.offset() + self.len()
    }
}

/// How many bytes a [`Text`] holds without an allocation.
const INLINE: usize = 22;

/// A string of the tree. Up to 22 bytes are kept inline and longer ones on the heap: nearly every
/// name, key and value in a blueprint is short, so nearly none of the tree's strings allocates,
/// which is most of what building and dropping a large tree costs.
#[derive(Clone)]
pub struct Text(Repr);

#[derive(Clone)]
enum Repr {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<str>),
}

impl Text {
    pub fn new(s: &str) -> Text {
        let mut bytes = [0u8; INLINE];
        match (bytes.get_mut(..s.len()), u8::try_from(s.len())) {
            (Some(inline), Ok(len)) => {
                inline.copy_from_slice(s.as_bytes());
                Text(Repr::Inline { len, bytes })
            }
            _ => Text(Repr::Heap(s.into())),
        }
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            // Inline bytes are always a whole `&str`, copied in by `new`.
            Repr::Inline { len, bytes } => {
                bytes.get(..usize::from(*len)).and_then(|b| std::str::from_utf8(b).ok()).unwrap_or("")
            }
            Repr::Heap(s) => s,
        }
    }
}

impl std::ops::Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text::new(s)
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        if s.len() <= INLINE {
            Text::new(&s)
        } else {
            Text(Repr::Heap(s.into_boxed_str()))
        }
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

/// As a `str`: `"rack"`.
impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string written in the file (a node name, a property key, a type annotation) with its range,
/// quotes and `#` included.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub(crate) value: Text,
    span: TextRange,
}

impl Ident {
    pub fn new(value: impl Into<Text>, span: TextRange) -> Ident {
        Ident { value: value.into(), span }
    }

    pub fn value(&self) -> &str {
        &self.value
    }

    pub fn span(&self) -> TextRange {
        self.span
    }
}

/// A KDL value. `#inf`, `#-inf` and `#nan` are floats, as in the `kdl` crate.
#[derive(Clone, Debug)]
pub enum Value {
    String(Text),
    Integer(i128),
    Float(f64),
    Bool(bool),
    Null,
}

impl Value {
    pub fn as_string(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_integer(&self) -> Option<i128> {
        match self {
            Value::Integer(i) => Some(*i),
            _ => None,
        }
    }
}

/// Values compare as KDL means them: `#nan` equals `#nan`, so that two readings of one file compare
/// equal.
impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Integer(a), Value::Integer(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b || (a.is_nan() && b.is_nan()),
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Null, Value::Null) => true,
            _ => false,
        }
    }
}

/// The value as KDL v2 writes it (`"a\"b"`, `42`, `1.5`, `#true`, `#inf`): for messages that quote it.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::String(s) => write!(f, "{:?}", s.as_str()),
            Value::Integer(i) => write!(f, "{i}"),
            Value::Float(x) if x.is_nan() => f.write_str("#nan"),
            Value::Float(x) if x.is_infinite() => f.write_str(if *x > 0.0 { "#inf" } else { "#-inf" }),
            Value::Float(x) if x.fract() == 0.0 && x.abs() < 1e16 => write!(f, "{x:.1}"),
            Value::Float(x) => write!(f, "{x}"),
            Value::Bool(b) => write!(f, "#{b}"),
            Value::Null => f.write_str("#null"),
        }
    }
}

/// An argument (`name` is `None`) or a property (`key=value`), with its type annotation. The
/// range covers the whole entry: key, `=`, annotation and value.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub(crate) name: Option<Ident>,
    pub(crate) ty: Option<Ident>,
    pub(crate) value: Value,
    pub(crate) span: TextRange,
}

impl Entry {
    pub fn name(&self) -> Option<&Ident> {
        self.name.as_ref()
    }

    pub fn ty(&self) -> Option<&Ident> {
        self.ty.as_ref()
    }

    pub fn value(&self) -> &Value {
        &self.value
    }

    pub fn span(&self) -> TextRange {
        self.span
    }
}

/// A node: its annotation, name, entries in the order written and its `{ … }` block, if any.
/// Slashdashed (`/-`) nodes, entries and blocks are not in the tree. The range runs from the
/// annotation or name to the end of the block or the last entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub(crate) ty: Option<Ident>,
    pub(crate) name: Ident,
    pub(crate) entries: Box<[Entry]>,
    pub(crate) children: Option<Document>,
    pub(crate) span: TextRange,
}

impl Node {
    pub fn name(&self) -> &Ident {
        &self.name
    }

    pub fn ty(&self) -> Option<&Ident> {
        self.ty.as_ref()
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The `{ … }` block, when the node has one (possibly empty).
    pub fn children(&self) -> Option<&Document> {
        self.children.as_ref()
    }

    pub fn span(&self) -> TextRange {
        self.span
    }
}

/// A file, or the inside of a block: its nodes, and the range from the first to the end of the last.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Document {
    pub(crate) nodes: Box<[Node]>,
    pub(crate) span: TextRange,
}

impl Document {
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    pub fn span(&self) -> TextRange {
        self.span
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_print_as_kdl_writes_them() {
        let shown: Vec<String> = [
            Value::String("a\"b".into()),
            Value::Integer(-4),
            Value::Float(2.0),
            Value::Float(0.25),
            Value::Float(f64::NEG_INFINITY),
            Value::Float(f64::NAN),
            Value::Bool(true),
            Value::Null,
        ]
        .iter()
        .map(ToString::to_string)
        .collect();
        assert_eq!(shown, ["\"a\\\"b\"", "-4", "2.0", "0.25", "#-inf", "#nan", "#true", "#null"]);
    }

    #[test]
    fn short_texts_are_inline_and_long_ones_are_not_cut() {
        let long = "x".repeat(200);
        for s in ["", "rack", "é-ü-ß", "exactly-twenty-two-by", long.as_str()] {
            assert_eq!(Text::new(s).as_str(), s);
            assert_eq!(Text::from(s.to_string()).as_str(), s);
        }
        assert!(matches!(Text::new("exactly-twenty-two-by").0, Repr::Inline { .. }));
        assert!(matches!(Text::new(&long).0, Repr::Heap(_)));
        assert_eq!(format!("{:?}", Value::String("a".into())), "String(\"a\")");
    }

    #[test]
    fn nan_equals_nan_so_two_readings_compare() {
        assert_eq!(Value::Float(f64::NAN), Value::Float(f64::NAN));
        assert_ne!(Value::Float(1.0), Value::Integer(1));
    }

    #[test]
    fn ranges_saturate_instead_of_wrapping() {
        let r = TextRange::new(usize::MAX, 10);
        assert_eq!(r.offset(), u32::MAX as usize);
        assert_eq!(r.len(), 0);
        assert_eq!(TextRange::between(5, 3).len(), 0);
    }
}
