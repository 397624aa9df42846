//! E0401: a rack's maximum draw must stay within what feeds it, compared like with like. An
//! enclosure's power rating is an AC rating (its PDUs), so it is held against the systems' AC input
//! at maximum draw. A rack-scale system's power shelves are rated by their DC output, so the AC
//! input is first turned into the DC load the shelves carry (× the shelves' efficiency) and held
//! against all its shelves.
//!
//! W0403: a rack-scale system within all its shelves but over what is left after their
//! redundancy's failure (one side under N+N, all but one under N+1) keeps running when a side
//! fails, capped: NVIDIA's NVL72 racks brake their GPUs to the power the remaining shelves deliver
//! (catalog comment of gb200-nvl72), so the design loses throughput on a failure rather than the
//! rack. A warning naming the capped figure, not an error and not silence.

use super::CheckCtx;
use crate::catalog::Form;
use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::format::trim;
use crate::model::RackContents;
use crate::units::Watts;

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for site in &cx.factory.sites {
        for (_, rack) in site.rack_groups() {
            let ac = rack.power_peak();
            let (load, rating, message, label, help) = match &rack.contents {
                RackContents::Enclosure { enclosure, .. } => {
                    // Words only for the racks that exceed: a factory written rack by rack has
                    // tens of thousands of groups.
                    if !super::exceeds(ac.0, enclosure.max_power.0) {
                        continue;
                    }
                    (
                        ac,
                        enclosure.max_power,
                        format!(
                            "each `{}` rack draws up to {} (AC input at maximum draw), but enclosure `{}` is rated {}",
                            rack.part_id(),
                            ac,
                            enclosure.id,
                            enclosure.max_power
                        ),
                        format!("{ac} AC per rack at maximum"),
                        format!("put fewer systems in each rack, or use an enclosure rated for {ac} or more"),
                    )
                }
                RackContents::RackScale(s) if s.form == Form::RackScale => {
                    let Some(shelves) = &s.power_shelves else { continue };
                    let dc = shelves.dc_load(ac);
                    let all = shelves.total();
                    let left = shelves.after_failure();
                    if !super::exceeds(dc.0, all.0) {
                        if super::exceeds(dc.0, left.0) && left.0 > 0.0 {
                            diags.push(capped(rack.part_id(), rack.part_span, shelves, ac, dc, left));
                        }
                        continue;
                    }
                    (
                        dc,
                        all,
                        format!(
                            "each `{}` rack puts {} DC on its power shelves at maximum draw ({} AC × efficiency {}), but its {} shelves of {} DC deliver {} together",
                            rack.part_id(),
                            dc,
                            ac,
                            trim(shelves.efficiency),
                            shelves.count,
                            shelves.capacity,
                            all
                        ),
                        format!("{dc} DC per rack at maximum"),
                        "this is a catalog inconsistency; check the system's power figures".to_string(),
                    )
                }
                RackContents::RackScale(_) => continue,
            };
            if super::exceeds(load.0, rating.0) && rating.0 > 0.0 {
                diags.push(Diagnostic::new(codes::E0401, message).label(rack.part_span, label).help(help));
            }
        }
    }
}

/// W0403 for one rack line: the DC load over what the shelves deliver after a failure, the rack's
/// capped draw and the share of its maximum it loses.
fn capped(
    part: &str,
    span: crate::source::Span,
    shelves: &crate::catalog::PowerShelves,
    ac: Watts,
    dc: Watts,
    left: Watts,
) -> Diagnostic {
    let lost = (dc.0 - left.0) / dc.0;
    Diagnostic::new(
        codes::W0403,
        format!(
            "each `{part}` rack puts {dc} DC on its power shelves at maximum draw ({ac} AC × efficiency {}), more than the {left} DC its {} shelves of {} ({}) deliver after a failure: on the loss of a side it runs capped at {left} DC per rack, {} % below its maximum",
            trim(shelves.efficiency),
            shelves.count,
            shelves.capacity,
            shelves.redundancy.as_str(),
            trim((lost * 1000.0).round() / 10.0)
        ),
    )
    .label(span, format!("{dc} DC per rack at maximum, {left} after a failure"))
    .help("plan capacity and latency targets on the capped figure, or choose a system whose shelves carry its maximum draw after a failure")
}

#[cfg(test)]
mod tests {
    /// The codes a one-rack GB200 NVL72 blueprint gets when the catalog's rack draws `peak` kW AC
    /// at maximum: no shipped system exceeds one side of its shelves, so the catalog is changed.
    fn codes_at_peak(peak: &str) -> Vec<&'static str> {
        diagnostics_at_peak(peak).into_iter().map(|(code, _)| code).collect()
    }

    fn diagnostics_at_peak(peak: &str) -> Vec<(&'static str, String)> {
        let line = "power nominal=(kW)120 peak=(kW)142 idle=(kW)32";
        let with = format!("power nominal=(kW)120 peak=(kW){peak} idle=(kW)32");
        let diags = crate::checks::one_gb200_rack_with_catalog_line(line, &with);
        diags
            .iter()
            .filter(|d| ["E0401", "W0403"].contains(&d.code.code))
            .map(|d| (d.code.code, d.message.clone()))
            .collect()
    }

    #[test]
    fn over_one_side_within_both_is_a_capping_warning() {
        // 142 kW AC × 0.929 = 131.9 kW DC: within one side's 132 kW.
        assert_eq!(codes_at_peak("142"), Vec::<&str>::new());
        // 150 kW AC × 0.929 = 139.35 kW DC: over one side (132 kW), within both (264 kW).
        assert_eq!(codes_at_peak("150"), vec!["W0403"]);
        let diagnostics = diagnostics_at_peak("150");
        let message = diagnostics.first().map(|(_, m)| m.as_str()).unwrap_or_default();
        // The capped figure and the share lost: (139.35 − 132) / 139.35 = 5.3 %.
        assert!(message.contains("capped at 132 kW DC per rack, 5.3 % below its maximum"), "{message}");
        // 290 kW AC × 0.929 = 269.4 kW DC: over both sides.
        assert_eq!(codes_at_peak("290"), vec!["E0401"]);
    }
}
