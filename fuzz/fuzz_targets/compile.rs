//! Fuzz target: the whole compile entry point on arbitrary bytes. `Session::check` (decode,
//! limits, parse, lower, resolve, projections, checks) and every rendering of its diagnostics
//! must return, with a registered code on each diagnostic, for any input.

#![no_main]

use libfuzzer_sys::fuzz_target;
use millwright::diag::{codes, render};
use millwright::Session;

fuzz_target!(|data: &[u8]| {
    let mut session = Session::new();
    let (file, diags) = session.check("fuzz.kdl", data);
    let sorted = diags.sorted();
    let len = session.sources.get(file).map(|f| f.text.len()).unwrap_or(0);
    for d in &sorted {
        assert!(codes::lookup(d.code.code).is_some());
        for l in &d.labels {
            assert!(l.span.file != file || l.span.end as usize <= len);
        }
    }
    let _ = render::human(&sorted, &session.sources, render::Style::plain());
    let _ = render::json(&sorted, &session.sources);
    let _ = render::sarif(&sorted, &session.sources);
    if let Some(bp) = session.lower("fuzz.kdl", data).blueprint {
        let mut d = millwright::diag::Diagnostics::new();
        if let Some(a) = session.analyze(&bp, &mut d) {
            let _ = millwright::render::plan::human(&millwright::render::plan::view(&a.factory, &a.plan));
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let mut d = millwright::diag::Diagnostics::new();
        let _ = millwright::fmt::format(file, text, &mut d);
    }
});
