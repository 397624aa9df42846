//! E0404: a rack's PDUs offer an outlet for every power cord of its servers: under 2N each side
//! takes half the cords (a server's PSUs are split A/B), otherwise the PDUs share them all. The
//! servers' cords are their catalog `power-input` count (DGX B200: six, user guide).

use super::CheckCtx;
use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::project::circuits::{CircuitRedundancy, Feeder};

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    let mut racks = crate::project::physical::Racks::new(cx.catalog);
    for site in &cx.factory.sites {
        for (_, group) in site.rack_groups() {
            let Some(p) = &group.pdu else { continue };
            let Some(c) = racks.rack(group).circuits else { continue };
            let Feeder::Pdus { pdu, .. } = c.feeder else { continue };
            let needed = c.outlets_needed();
            if needed <= c.outlets {
                continue;
            }
            let side = match c.redundancy {
                CircuitRedundancy::TwoN => "on each side",
                CircuitRedundancy::N | CircuitRedundancy::NPlus1 => "together",
            };
            diags.push(
                Diagnostic::new(
                    codes::E0404,
                    format!(
                        "each `{}` rack's servers have {} power cords, {needed} {side}, but its `{}` PDUs offer {} outlets {side} ({} each)",
                        group.part_id(),
                        c.inputs,
                        pdu.id,
                        c.outlets,
                        pdu.outlets
                    ),
                )
                .label(p.span, format!("{} outlets {side}", c.outlets))
                .help("declare more PDUs or PDUs with more outlets, or put fewer servers in each rack"),
            );
        }
    }
}
