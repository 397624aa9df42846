//! E0403: a rack's circuits carry its maximum draw after the failure their redundancy allows:
//! under 2N (A/B) one side alone, under N+1 all but one, under N all together. A circuit carries
//! V × A × √3 (three-phase, V line to line) × its continuous derating (80 % unless the part says
//! otherwise: NEC 210.19(A)/210.20(A), IEC practice). The message names the amps per phase needed.
//! Enclosures are fed by their PDUs; rack-scale systems by their catalog power inputs (whips).
//!
//! E0405: 2N PDUs need an even count, so the rack splits into two equal sides.
//!
//! W0404: PDUs declared with redundancy N: one PDU or circuit failure takes power from the rack's
//! servers (their redundant PSUs are fed from one path).

use super::CheckCtx;
use crate::ast::Redundancy;
use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::project::circuits::{CircuitRedundancy, Feeder};

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    let mut racks = crate::project::physical::Racks::new(cx.catalog);
    for site in &cx.factory.sites {
        for (_, group) in site.rack_groups() {
            if let Some(p) = &group.pdu {
                match p.redundancy.value {
                    Redundancy::TwoN if p.count % 2 == 1 => {
                        diags.push(
                            Diagnostic::new(
                                codes::E0405,
                                format!("{} PDUs cannot be split into two equal 2N sides", p.count),
                            )
                            .label(p.span, format!("{} PDUs, 2N", p.count))
                            .help(format!("use {} PDUs (A and B sides of {} each)", p.count + 1, p.count.div_ceil(2))),
                        );
                        continue;
                    }
                    Redundancy::N => diags.push(
                        Diagnostic::new(
                            codes::W0404,
                            format!(
                                "the `{}` racks' PDUs are not redundant (N): one PDU or circuit failure takes power from their servers",
                                group.part_id()
                            ),
                        )
                        .label(p.redundancy.span, "no second path")
                        .help("feed each rack from two sides: `redundancy=\"2N\"` with an even PDU count"),
                    ),
                    Redundancy::TwoN | Redundancy::NPlus1 => {}
                }
            }
            let Some(c) = racks.rack(group).circuits else { continue };
            let usable = c.usable();
            if !super::exceeds(c.load.0, usable.0) {
                continue;
            }
            let after = match c.redundancy {
                CircuitRedundancy::TwoN => format!("one side ({} of {})", c.carrying, c.count),
                CircuitRedundancy::NPlus1 => format!("all but one ({} of {})", c.carrying, c.count),
                CircuitRedundancy::N => format!("all {}", c.count),
            };
            let (what, help, span) = match c.feeder {
                Feeder::Pdus { pdu, declared } => (
                    format!("`{}` PDU", pdu.id),
                    if declared {
                        "declare more or larger PDUs, or put fewer systems in each rack".to_string()
                    } else {
                        "no catalog PDU pair carries this rack: declare PDUs (`pdu \"…\" count=4`), or put fewer systems in each rack".to_string()
                    },
                    group.pdu.as_ref().map(|p| p.part_span).unwrap_or(group.part_span),
                ),
                Feeder::Whips { system } => (
                    format!("`{}` whip", system.id),
                    "this is a catalog inconsistency; check the system's power inputs".to_string(),
                    group.part_span,
                ),
            };
            diags.push(
                Diagnostic::new(
                    codes::E0403,
                    format!(
                        "each `{}` rack draws up to {} at maximum, but {after} of its {} circuits carry {}: {} per phase at {} V on each, above the {} continuous limit of a {} breaker ({} %)",
                        group.part_id(),
                        c.load,
                        what,
                        usable,
                        c.amps_needed(),
                        crate::format::trim(c.voltage.0),
                        c.amps_limit(),
                        c.breaker,
                        crate::format::trim(c.derating * 100.0)
                    ),
                )
                .label(span, format!("{} per phase needed", c.amps_needed()))
                .help(help),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    /// The E0403 messages a one-rack GB200 NVL72 blueprint gets when the catalog's whips are
    /// `amps` A circuits.
    fn messages_with_whips(amps: &str) -> Vec<String> {
        let line = "power-input count=8 voltage=(V)415 phase=3 current=(A)63";
        let with = format!("power-input count=8 voltage=(V)415 phase=3 current=(A){amps}");
        let diags = crate::checks::one_gb200_rack_with_catalog_line(line, &with);
        diags.iter().filter(|d| d.code.code == "E0403").map(|d| d.message.clone()).collect()
    }

    #[test]
    fn a_rack_scale_system_is_held_against_one_side_of_its_whips() {
        // 142 kW over one side of four 63 A whips: 35.5 kW each, 49.4 A per phase of 50.4 A.
        assert!(messages_with_whips("63").is_empty());
        // With 60 A whips the continuous limit is 48 A: 3 % short.
        let messages = messages_with_whips("60");
        let message = messages.first().map(String::as_str).unwrap_or_default();
        assert!(message.contains("one side (4 of 8)"), "{message}");
        assert!(message.contains("49.4 A per phase at 415 V"), "{message}");
        assert!(message.contains("48 A continuous limit of a 60 A breaker"), "{message}");
    }
}
