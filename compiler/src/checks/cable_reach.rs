//! E0606 and E0607: every link class of a fabric needs a medium that reaches its longest link.
//! Reaches come from the catalog's cables and modules (datasheets: passive DAC about 3 m, SR4
//! multimode 50 m on OM4, DR4 single-mode 500 m, FR4 2 km); lengths from the hall layout
//! (`project::layout`), slack included. A pinned medium (`medium "copper"`) that cannot reach is
//! E0606; a link no catalog medium reaches is E0607.

use super::CheckCtx;
use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::format::decimals;

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for (fabric, links) in cx.factory.fabrics.iter().zip(&cx.plan.links) {
        // The longest link class that no medium (or not the pinned one) reaches.
        let Some(worst) = links.classes.iter().filter(|c| !c.reaches()).max_by(|a, b| a.max_m.total_cmp(&b.max_m))
        else {
            continue;
        };
        let length = format!("{} m", decimals(worst.max_m, 1));
        let reach = match (&worst.part, worst.reach_m) {
            (Some(p), Some(r)) => format!("`{p}` reaches {} m", decimals(r, 0)),
            _ => "the catalog has no part of that medium at this fabric's speed".to_string(),
        };
        match fabric.medium.as_ref() {
            Some(m) => diags.push(
                Diagnostic::new(
                    codes::E0606,
                    format!(
                        "fabric \"{}\" pins {} links, but its longest {} link is {length}: {reach}",
                        fabric.name.value,
                        m.value.catalog_name(),
                        worst.kind.as_str(),
                    ),
                )
                .label(m.span, format!("cannot reach {length}"))
                .note("lengths follow the hall layout: racks `rack-width` apart along a row, rows `row-pitch` apart, plus 4 m of slack per link")
                .help("pin a medium that reaches (single-mode DR4 reaches 500 m), leave `medium` out to let the plan choose per link class, or bring the network racks closer to the racks they serve"),
            ),
            None => diags.push(
                Diagnostic::new(
                    codes::E0607,
                    format!(
                        "fabric \"{}\": its longest {} link is {length}, beyond every medium the catalog has for it{}",
                        fabric.name.value,
                        worst.kind.as_str(),
                        match (&worst.part, worst.reach_m) {
                            (Some(p), Some(r)) => format!(" (the longest reach is `{p}`, {} m)", decimals(r, 0)),
                            _ => String::new(),
                        }
                    ),
                )
                .label(fabric.name.span, format!("a {length} link"))
                .note("lengths follow the hall layout: racks `rack-width` apart along a row, rows `row-pitch` apart, plus 4 m of slack per link")
                .help("place network racks nearer the racks they serve (a network rack in each row, or a network row in each hall), or split the fabric per hall"),
            ),
        }
    }
}
