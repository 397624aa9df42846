//! Rack power circuits: the PDUs of an enclosure rack (declared, or the smallest catalog pair that
//! carries it) and the whips of a rack-scale system, what each circuit carries at the rack's
//! maximum draw after the failure its redundancy allows, and the amps per phase that means.
//!
//! A circuit's usable capacity is V × A × √3 for three-phase (V line to line; V × A single-phase)
//! × its continuous-load derating (80 % unless the part says otherwise: NEC 210.19(A)/210.20(A),
//! the same practice in IEC installations). Under 2N (A/B sides) one side alone carries the rack,
//! under N+1 all but one circuit, under N they share it. Figures are per rack of a rack group, so
//! a million racks written with counts cost one computation per `rack` line.

use crate::ast::Redundancy;
use crate::catalog::{amps_per_phase, Pdu, ShelfRedundancy, System, CONTINUOUS_DERATING};
use crate::model::{RackContents, RackGroup};
use crate::units::{Amperes, Volts, Watts};

/// What feeds one rack.
#[derive(Clone, Copy, Debug)]
pub enum Feeder<'a> {
    /// Rack PDUs in an enclosure.
    Pdus {
        pdu: &'a Pdu,
        /// `false`: the blueprint names no PDU, so the plan picked the smallest catalog PDU whose
        /// pair (or fewest per side) carries the rack.
        declared: bool,
    },
    /// A rack-scale system's whips to its power shelves (the catalog's `power-input`).
    Whips { system: &'a System },
}

/// The circuits of one rack and what they carry.
#[derive(Clone, Copy, Debug)]
pub struct RackCircuits<'a> {
    pub feeder: Feeder<'a>,
    /// Circuits (PDUs or whips) per rack.
    pub count: u64,
    pub redundancy: CircuitRedundancy,
    /// Circuits that carry the rack after the failure the redundancy allows.
    pub carrying: u64,
    pub voltage: Volts,
    pub phases: u64,
    /// Breaker rating of each circuit, per phase.
    pub breaker: Amperes,
    pub derating: f64,
    /// The rack's maximum draw (AC input at the systems' catalog `peak`).
    pub load: Watts,
    /// The servers' power inputs (PSU cords) the PDUs must take; 0 for whips.
    pub inputs: u64,
    /// Outlets of the circuits one side or share offers the inputs (see `outlets_needed`).
    pub outlets: u64,
}

/// How a rack's circuits are spared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CircuitRedundancy {
    N,
    NPlus1,
    /// Two sides (A/B), each able to carry the rack.
    TwoN,
}

impl CircuitRedundancy {
    pub fn as_str(self) -> &'static str {
        match self {
            CircuitRedundancy::N => "N",
            CircuitRedundancy::NPlus1 => "N+1",
            CircuitRedundancy::TwoN => "2N",
        }
    }

    fn of_blueprint(r: Redundancy) -> CircuitRedundancy {
        match r {
            Redundancy::N => CircuitRedundancy::N,
            Redundancy::NPlus1 => CircuitRedundancy::NPlus1,
            Redundancy::TwoN => CircuitRedundancy::TwoN,
        }
    }

    fn of_shelves(r: ShelfRedundancy) -> CircuitRedundancy {
        match r {
            ShelfRedundancy::N => CircuitRedundancy::N,
            ShelfRedundancy::NPlus1 => CircuitRedundancy::NPlus1,
            ShelfRedundancy::NPlusN => CircuitRedundancy::TwoN,
        }
    }

    /// Circuits of `count` that carry the rack after the failure this redundancy allows.
    pub fn carrying(self, count: u64) -> u64 {
        match self {
            CircuitRedundancy::N => count,
            CircuitRedundancy::NPlus1 => count.saturating_sub(1),
            CircuitRedundancy::TwoN => count / 2,
        }
    }
}

impl RackCircuits<'_> {
    /// What one circuit carries continuously: the rating × the derating.
    pub fn usable_each(&self) -> Watts {
        crate::catalog::circuit_rating(self.voltage, self.breaker, self.phases) * self.derating
    }

    /// What the carrying circuits deliver together.
    pub fn usable(&self) -> Watts {
        self.usable_each() * self.carrying as f64
    }

    /// Amps per phase on each carrying circuit at the rack's maximum draw after the failure.
    pub fn amps_needed(&self) -> Amperes {
        if self.carrying == 0 {
            return amps_per_phase(self.load, self.voltage, self.phases);
        }
        amps_per_phase(self.load * (1.0 / self.carrying as f64), self.voltage, self.phases)
    }

    /// The continuous limit per phase: the breaker × the derating.
    pub fn amps_limit(&self) -> Amperes {
        self.breaker * self.derating
    }

    /// Outlets the inputs need among the circuits that carry the rack: under 2N each side takes
    /// half the PSU cords (A/B), otherwise the circuits share all of them.
    pub fn outlets_needed(&self) -> u64 {
        match self.redundancy {
            CircuitRedundancy::TwoN => self.inputs.div_ceil(2),
            CircuitRedundancy::N | CircuitRedundancy::NPlus1 => self.inputs,
        }
    }

    /// Whether the PDUs were picked by the plan.
    pub fn chosen(&self) -> bool {
        matches!(self.feeder, Feeder::Pdus { declared: false, .. })
    }

    /// The part the circuits belong to (a PDU, or the rack-scale system).
    pub fn part_id(&self) -> &str {
        match self.feeder {
            Feeder::Pdus { pdu, .. } => &pdu.id,
            Feeder::Whips { system } => &system.id,
        }
    }

    /// Rack units the PDUs take in the enclosure (whips take none).
    pub fn rack_units(&self) -> u64 {
        match self.feeder {
            Feeder::Pdus { pdu, .. } => pdu.rack_units.saturating_mul(self.count),
            Feeder::Whips { .. } => 0,
        }
    }
}

/// The power cords (PSU inputs) of one rack's servers; a server whose catalog entry gives no
/// inputs counts two (a redundant pair), the least a dual-corded server has.
pub fn power_inputs(group: &RackGroup) -> u64 {
    group.systems().map(|(s, n)| s.power_input.as_ref().map(|p| p.count).unwrap_or(2).saturating_mul(n)).sum()
}

/// The circuits of one rack of `group`: its declared PDUs, the plan's pick among the catalog's
/// `pdus` (gathered once for a pass over every rack line), or a rack-scale system's whips. `None`
/// when nothing feeds it (an empty enclosure, a catalog without PDUs, or a rack-scale system
/// without power inputs).
pub fn rack_with<'a>(pdus: &[&'a Pdu], group: &RackGroup<'a>) -> Option<RackCircuits<'a>> {
    let load = group.power_peak();
    match &group.contents {
        RackContents::RackScale(system) => {
            let pi = system.power_input.as_ref()?;
            let redundancy = system
                .power_shelves
                .as_ref()
                .map(|s| CircuitRedundancy::of_shelves(s.redundancy))
                .unwrap_or(CircuitRedundancy::N);
            Some(RackCircuits {
                feeder: Feeder::Whips { system },
                count: pi.count,
                redundancy,
                carrying: redundancy.carrying(pi.count),
                voltage: pi.voltage,
                phases: pi.phase,
                breaker: pi.current,
                derating: CONTINUOUS_DERATING,
                load,
                inputs: 0,
                outlets: 0,
            })
        }
        RackContents::Enclosure { systems, .. } => {
            if systems.is_empty() {
                return None;
            }
            let inputs = power_inputs(group);
            let (pdu, count, redundancy, declared) = match &group.pdu {
                Some(p) => (p.pdu, p.count, CircuitRedundancy::of_blueprint(p.redundancy.value), true),
                None => {
                    let (pdu, per_side) = smallest_pair(pdus, load, inputs)?;
                    (pdu, per_side.saturating_mul(2), CircuitRedundancy::TwoN, false)
                }
            };
            let carrying = redundancy.carrying(count);
            Some(RackCircuits {
                feeder: Feeder::Pdus { pdu, declared },
                count,
                redundancy,
                carrying,
                voltage: pdu.voltage,
                phases: pdu.phases,
                breaker: pdu.current,
                derating: pdu.derating,
                load,
                inputs,
                outlets: pdu.outlets.saturating_mul(match redundancy {
                    CircuitRedundancy::TwoN => carrying,
                    CircuitRedundancy::N | CircuitRedundancy::NPlus1 => count,
                }),
            })
        }
    }
}

/// PDUs per side a PDU needs to carry `load` alone on one side and offer outlets for half of
/// `inputs` there.
fn per_side(pdu: &Pdu, load: Watts, inputs: u64) -> u64 {
    let usable = pdu.usable().0;
    let by_power = if usable > 0.0 { (load.0 / usable).ceil().clamp(1.0, 1e6) as u64 } else { u64::MAX };
    let by_outlets = inputs.div_ceil(2).div_ceil(pdu.outlets.max(1));
    by_power.max(by_outlets).max(1)
}

/// The smallest catalog PDU whose A/B pair carries the rack (one per side), or, when none does,
/// the one that needs the fewest per side (the smaller on a tie); ties by id.
fn smallest_pair<'a>(pdus: &[&'a Pdu], load: Watts, inputs: u64) -> Option<(&'a Pdu, u64)> {
    pdus.iter()
        .map(|p| (*p, per_side(p, load, inputs)))
        .min_by(|(a, na), (b, nb)| na.cmp(nb).then(a.usable().0.total_cmp(&b.usable().0)).then(a.id.cmp(&b.id)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::Watts;

    #[test]
    fn the_plan_picks_the_smallest_pair_that_carries_the_rack() {
        let mut sources = crate::source::SourceMap::default();
        let mut diags = crate::diag::Diagnostics::default();
        let catalog = crate::catalog::Catalog::embedded(&mut sources, &mut diags);
        let catalog: Vec<&Pdu> = catalog.pdus().collect();
        // 17 kW: a 400 V 32 A PDU carries 17.7 kW continuously (√3 × 400 × 32 × 0.8).
        let (pdu, per_side) = smallest_pair(&catalog, Watts(17_000.0), 12).expect("a PDU");
        assert_eq!((pdu.id.as_str(), per_side), ("pdu-3ph-400v-32a", 1));
        // 20.4 kW needs the 415 V 60 A PDU (34.5 kW).
        let (pdu, per_side) = smallest_pair(&catalog, Watts(20_400.0), 12).expect("a PDU");
        assert_eq!((pdu.id.as_str(), per_side), ("pdu-3ph-415v-60a", 1));
        // 71.5 kW: no pair carries it; three 60 A PDUs per side do (3 × 34.5 kW).
        let (pdu, per_side) = smallest_pair(&catalog, Watts(71_500.0), 30).expect("a PDU");
        assert_eq!((pdu.id.as_str(), per_side), ("pdu-3ph-415v-60a", 3));
    }

    #[test]
    fn amps_per_phase_follow_the_three_phase_formula() {
        // 35.5 kW on 415 V three-phase: 35,500 / (√3 × 415) = 49.4 A.
        let a = crate::catalog::amps_per_phase(Watts(35_500.0), Volts(415.0), 3);
        assert!((a.0 - 49.39).abs() < 0.01, "{}", a.0);
        assert_eq!(CircuitRedundancy::TwoN.carrying(8), 4);
        assert_eq!(CircuitRedundancy::NPlus1.carrying(4), 3);
        assert_eq!(CircuitRedundancy::N.carrying(2), 2);
    }
}
