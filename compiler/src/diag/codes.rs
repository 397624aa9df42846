//! The one registry of diagnostic codes. Every code here has a page `docs/codes/<CODE>.md` (printed by
//! `millwright explain`) and at least one UI test under `tests/ui/`; the tidy tests keep the three in
//! step. Codes are never reused: a retired code stays here with `retired: true`.

/// What a code is: its identifier, a short kebab-case name and a one-line summary.
#[derive(Debug, PartialEq, Eq)]
pub struct CodeInfo {
    pub code: &'static str,
    pub slug: &'static str,
    pub summary: &'static str,
    pub retired: bool,
}

impl CodeInfo {
    pub fn severity(&self) -> super::Severity {
        if self.code.starts_with('W') {
            super::Severity::Warning
        } else {
            super::Severity::Error
        }
    }
}

macro_rules! codes {
    ($($code:ident $slug:literal $summary:literal;)*) => {
        $(
            pub const $code: &CodeInfo = &CodeInfo {
                code: stringify!($code),
                slug: $slug,
                summary: $summary,
                retired: false,
            };
        )*
        /// Every code, in order.
        pub const ALL: &[&CodeInfo] = &[$($code),*];
    };
}

codes! {
    // E01: syntax, shape and units.
    E0101 "kdl-syntax" "the file is not valid KDL v2";
    E0102 "unknown-node" "a node that the language does not have here";
    E0103 "unknown-property" "a property that this node does not take";
    E0104 "unexpected-argument" "more arguments than this node takes";
    E0105 "missing-item" "a required argument, property or node is missing";
    E0106 "wrong-type" "a value of the wrong type (a string where a number belongs, or the reverse)";
    E0107 "missing-unit" "a quantity written without its unit";
    E0108 "wrong-unit" "an unknown unit, or a unit of the wrong dimension";
    E0109 "invalid-number" "a negative, non-finite or out-of-range number";
    E0110 "invalid-count" "a count that is not a positive integer";
    E0111 "invalid-choice" "a value that is not one of the allowed choices";
    E0112 "duplicate-item" "a node or property that may appear once appears again";
    E0113 "input-limit" "the input exceeds one of the compiler's limits (size, nesting)";
    E0114 "not-text" "the file is not UTF-8 text";
    E0115 "currency-mismatch" "an amount in a currency other than the factory's";
    // E02: catalog resolution.
    E0201 "unknown-part" "a part id that the catalog does not have";
    E0202 "wrong-part-kind" "a part of another kind than this place needs";
    E0203 "catalog-layout" "a catalog file whose part id or kind does not match its path";
    // E03: structure (names, references, counts).
    E0301 "duplicate-name" "two things of the same kind share a name in one scope";
    E0302 "unresolved-reference" "a reference to a name that does not exist";
    E0303 "expansion-limit" "counts that expand beyond the compiler's limits";
    E0304 "misplaced-part" "a part where the blueprint's structure does not allow it";
    E0305 "feed-sides" "2N redundancy whose feeds cannot be split into two sides";
    W0301 "empty-enclosure" "a rack enclosure with no systems in it";
    W0302 "empty-site" "a site with no racks";
    // E07: software.
    W0701 "unknown-version" "a software version the catalog has no facts for";
}

/// The code with this identifier, if it is registered.
pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
    ALL.iter().copied().find(|c| c.code.eq_ignore_ascii_case(code))
}
