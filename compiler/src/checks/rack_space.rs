//! E1101: an enclosure's systems, the management switches placed in it and its PDUs (0U unless
//! the part says otherwise) fit its rack units. Rack units are the EIA-310 unit (44.45 mm) the
//! catalog gives every enclosure, system, switch and PDU in; the message lists what takes how many.

use super::CheckCtx;
use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::project::physical::{self, Occupant};

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    let mut racks = physical::Racks::new(cx.catalog);
    for site in &cx.factory.sites {
        for (_, group) in site.rack_groups() {
            let rack = racks.rack(group);
            let (used, available) = (rack.space.used(), rack.space.available);
            if used <= available {
                continue;
            }
            let parts: Vec<String> = rack
                .space
                .occupants
                .iter()
                .map(|(o, n, u)| {
                    let what = match o {
                        Occupant::System(_) => "",
                        Occupant::ManagementSwitch(_) => " management switch",
                        Occupant::Pdus(_) => " PDU",
                    };
                    format!("{n} × `{}`{what} = {u}U", o.part_id())
                })
                .collect();
            diags.push(
                Diagnostic::new(
                    codes::E1101,
                    format!("each `{}` rack needs {used}U but has {available}U: {}", group.part_id(), parts.join(", ")),
                )
                .label(group.part_span, format!("{used}U of {available}U"))
                .help(format!(
                    "put fewer systems in each rack ({}U over), or spread them over more racks",
                    used - available
                )),
            );
        }
    }
}
