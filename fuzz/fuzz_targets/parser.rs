//! Fuzz target: differential test of the compiler's KDL parser against the `kdl` crate. On any
//! UTF-8 text both must accept or both reject, and when both accept, Millwright's own tree must
//! say what the crate's document says: the same names, values, type annotations and spans.

#![no_main]

use kdl::{KdlDocument, KdlEntry, KdlNode};
use libfuzzer_sys::fuzz_target;
use millwright::syntax::parser::{self, Failure, ParseLimits};
use millwright::syntax::tree::{Entry, Node, TextRange};

/// The crate recurses once per character of a block comment; larger inputs would overflow even
/// the big stack it runs on here.
const REFERENCE_MAX_BYTES: usize = 256 * 1024;

fn span(s: miette::SourceSpan) -> (usize, usize) {
    (s.offset(), s.len())
}

fn range(r: TextRange) -> (usize, usize) {
    (r.offset(), r.len())
}

fn same_entry(a: &Entry, b: &KdlEntry) -> bool {
    // Our `Value` has the crate's variant names, so the debug forms compare.
    format!("{:?}", a.value()) == format!("{:?}", b.value())
        && a.name().map(|n| (n.value().to_string(), range(n.span())))
            == b.name().map(|n| (n.value().to_string(), span(n.span())))
        && a.ty().map(|t| (t.value().to_string(), range(t.span())))
            == b.ty().map(|t| (t.value().to_string(), span(t.span())))
        && range(a.span()) == span(b.span())
}

fn same(a: &[Node], b: &[KdlNode]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.name().value() == y.name().value()
                && range(x.name().span()) == span(y.name().span())
                && range(x.span()) == span(y.span())
                && x.ty().map(|t| (t.value().to_string(), range(t.span())))
                    == y.ty().map(|t| (t.value().to_string(), span(t.span())))
                && x.entries().len() == y.entries().len()
                && x.entries().iter().zip(y.entries()).all(|(e, f)| same_entry(e, f))
                && match (x.children(), y.children()) {
                    (None, None) => true,
                    (Some(c), Some(d)) => range(c.span()) == span(d.span()) && same(c.nodes(), d.nodes()),
                    _ => false,
                }
        })
}

/// The crate's reading, on a thread with room for its recursion (a byte-order mark is blanked
/// out, as the crate does not take one; offsets stay the same).
fn reference(text: &str) -> Option<Result<KdlDocument, kdl::KdlError>> {
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => format!("   {rest}"),
        None => text.to_string(),
    };
    std::thread::Builder::new()
        .stack_size(1 << 30)
        .spawn(move || KdlDocument::parse_v2(&text))
        .ok()?
        .join()
        .ok()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let ours = parser::parse(text, ParseLimits::default());
    if matches!(ours, Err(Failure::Limit(_))) || text.len() > REFERENCE_MAX_BYTES {
        return;
    }
    let Some(theirs) = reference(text) else { return };
    match (ours, theirs) {
        (Err(_), Err(_)) => {}
        (Ok(a), Ok(b)) => {
            assert!(range(a.span()) == span(b.span()) && same(a.nodes(), b.nodes()), "trees differ on {text:?}")
        }
        (Ok(_), Err(e)) => panic!("we accept, kdl rejects {text:?}: {:?}", e.diagnostics.first().map(|d| &d.message)),
        (Err(e), Ok(_)) => panic!("we reject, kdl accepts {text:?}: {e:?}"),
    }
});
