//! Fuzz target: differential test of the compiler's KDL parser against the `kdl` crate. On any
//! UTF-8 text both must accept or both reject, and when both accept, build the same tree with
//! the same spans.

#![no_main]

use kdl::{KdlEntry, KdlNode};
use libfuzzer_sys::fuzz_target;
use millwright::syntax::parser::{self, Failure, ParseLimits};

fn span(s: miette::SourceSpan) -> (usize, usize) {
    (s.offset(), s.len())
}

fn entry_key(e: &KdlEntry) -> String {
    format!(
        "{:?} {:?} {:?} {:?}",
        e.value(),
        e.name().map(|n| (n.value().to_string(), span(n.span()))),
        e.ty().map(|t| (t.value().to_string(), span(t.span()))),
        span(e.span())
    )
}

fn same(a: &[KdlNode], b: &[KdlNode]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.name().value() == y.name().value()
                && span(x.name().span()) == span(y.name().span())
                && span(x.span()) == span(y.span())
                && x.ty().map(|t| (t.value().to_string(), span(t.span())))
                    == y.ty().map(|t| (t.value().to_string(), span(t.span())))
                && x.entries().len() == y.entries().len()
                && x.entries().iter().zip(y.entries()).all(|(e, f)| entry_key(e) == entry_key(f))
                && match (x.children(), y.children()) {
                    (None, None) => true,
                    (Some(c), Some(d)) => same(c.nodes(), d.nodes()),
                    _ => false,
                }
        })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let ours = parser::parse(text, ParseLimits { max_depth: 64, max_items: 1_000_000 });
    if matches!(ours, Err(Failure::Limit(_))) {
        return;
    }
    // The crate recurses deeply on some inputs; give it room, as the compiler does.
    let Some(theirs) = millwright::syntax::parse_with_kdl_crate(text) else { return };
    match (ours, theirs) {
        (Err(_), Err(_)) => {}
        (Ok(a), Ok(b)) => assert!(same(a.nodes(), b.nodes()), "trees differ on {text:?}"),
        (Ok(_), Err(e)) => panic!("we accept, kdl rejects {text:?}: {:?}", e.diagnostics.first().map(|d| &d.message)),
        (Err(e), Ok(_)) => panic!("we reject, kdl accepts {text:?}: {e:?}"),
    }
});
