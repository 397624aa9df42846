//! Power, heat, space and weight per site and per loop: IT power (nominal, maximum, idle and, where
//! the catalog gives one, transient), facility power at the design-day PUE, what the feeds deliver
//! after the failure their redundancy allows, liquid heat per loop (nominal and at maximum draw)
//! against its CDUs after their redundancy, and air heat. Feeds and CDUs are sized on the maximum
//! sustained draw; energy, cost and idle use nominal.

use super::network::FabricPlan;
use crate::ast::Redundancy;
use crate::model::{Feed, FeedSide, Site};
use crate::units::{Celsius, Kilograms, Watts};

#[derive(Clone, Debug, Default)]
pub struct SitePlan {
    pub name: String,
    pub racks: u64,
    pub systems: u64,
    pub gpus: u64,
    /// Systems at their nominal (sustained) draw.
    pub systems_power: Watts,
    /// Switches of the fabrics serving this site.
    pub switch_power: Watts,
    /// Nominal IT power: systems at nominal draw plus switches (their datasheet maximum).
    pub it_power: Watts,
    /// IT power with every system at its maximum sustained draw (the catalog's `peak`).
    pub it_power_peak: Watts,
    pub it_power_idle: Watts,
    /// IT power in a transient, where at least one system's catalog entry gives a transient figure.
    pub it_power_transient: Option<Watts>,
    /// Nominal IT × design-day (peak) PUE: the steady full-load facility draw.
    pub facility_power: Watts,
    /// Maximum IT × design-day PUE: what the feeds must carry after a failure.
    pub facility_power_max: Watts,
    /// Transient IT × design-day PUE, where the catalog gives transient figures.
    pub facility_power_transient: Option<Watts>,
    /// Sum of the feeds' capacities.
    pub feed_total: Watts,
    /// What the feeds deliver after the failure their redundancy allows.
    pub feed_capacity: Watts,
    pub liquid_heat: Watts,
    pub air_heat: Watts,
    pub air_capacity: Watts,
    pub loops: Vec<LoopPlan>,
    pub weight: Kilograms,
}

impl SitePlan {
    /// Maximum facility power as a fraction of the post-failure feed capacity.
    pub fn feed_utilization(&self) -> f64 {
        if self.feed_capacity.0 > 0.0 {
            self.facility_power_max.0 / self.feed_capacity.0
        } else {
            f64::INFINITY
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct LoopPlan {
    pub name: String,
    pub racks: u64,
    pub liquid_heat: Watts,
    /// Heat from rear-door heat exchangers, which also lands in the loop.
    pub rdhx_heat: Watts,
    /// Liquid and rear-door heat with every system at its maximum sustained draw.
    pub liquid_heat_max: Watts,
    pub rdhx_heat_max: Watts,
    pub cdu_count: u64,
    pub cdu_capacity_total: Watts,
    /// Capacity with the CDUs the redundancy allows to fail taken out.
    pub cdu_capacity: Watts,
    /// The secondary supply the blueprint states.
    pub supply: Celsius,
    /// The largest approach (K) among the loop's CDUs: the one that limits the loop.
    pub approach: Option<f64>,
    /// The facility water the blueprint states, if it does.
    pub facility_water: Option<Celsius>,
}

/// ASHRAE TC 9.9 liquid-cooling classes of facility water, each named for its maximum supply
/// temperature (°C). W+ (above 45 °C) has no upper bound, so no loop can rely on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum WaterClass {
    W17,
    W27,
    W32,
    W40,
    W45,
}

impl WaterClass {
    const ALL: [(WaterClass, f64); 5] = [
        (WaterClass::W45, 45.0),
        (WaterClass::W40, 40.0),
        (WaterClass::W32, 32.0),
        (WaterClass::W27, 27.0),
        (WaterClass::W17, 17.0),
    ];

    /// The warmest class a facility may deliver when its water must be at or below `t`: a class
    /// whose maximum is above `t` may deliver water too warm. `None` below W17's 17 °C.
    pub fn for_warmest(t: Celsius) -> Option<WaterClass> {
        Self::ALL.iter().find(|(_, max)| *max <= t.0 + 1e-9).map(|(c, _)| *c)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            WaterClass::W17 => "W17",
            WaterClass::W27 => "W27",
            WaterClass::W32 => "W32",
            WaterClass::W40 => "W40",
            WaterClass::W45 => "W45",
        }
    }
}

impl LoopPlan {
    pub fn heat(&self) -> Watts {
        self.liquid_heat + self.rdhx_heat
    }

    /// The heat the CDUs must remove on the worst day: every system at its maximum draw.
    pub fn heat_max(&self) -> Watts {
        self.liquid_heat_max + self.rdhx_heat_max
    }

    /// The warmest facility water the loop's CDUs can use and still make its supply: supply −
    /// approach.
    pub fn warmest_facility_water(&self) -> Option<Celsius> {
        self.approach.map(|a| Celsius(self.supply.0 - a))
    }

    /// The ASHRAE class of that warmest facility water.
    pub fn water_class(&self) -> Option<WaterClass> {
        self.warmest_facility_water().and_then(WaterClass::for_warmest)
    }
}

/// The capacity left after the failure a redundancy scheme allows. `sides` gives each item's side
/// under 2N; unsided items count for neither.
pub fn capacity_after_failure(redundancy: Redundancy, capacities: &[(Watts, Option<FeedSide>)]) -> Watts {
    let total: Watts = capacities.iter().map(|(c, _)| *c).sum();
    match redundancy {
        Redundancy::N => total,
        Redundancy::NPlus1 => {
            let largest = capacities.iter().map(|(c, _)| c.0).fold(0.0, f64::max);
            Watts(total.0 - largest)
        }
        Redundancy::TwoN => {
            let side =
                |s: FeedSide| -> Watts { capacities.iter().filter(|(_, x)| *x == Some(s)).map(|(c, _)| *c).sum() };
            let (a, b) = (side(FeedSide::A), side(FeedSide::B));
            if a.0 == 0.0 && b.0 == 0.0 {
                Watts(total.0 / 2.0)
            } else {
                Watts(a.0.min(b.0))
            }
        }
    }
}

/// Feed capacity after failure for a site.
pub fn feed_capacity(redundancy: Redundancy, feeds: &[Feed]) -> Watts {
    let caps: Vec<(Watts, Option<FeedSide>)> = feeds.iter().map(|f| (f.capacity.value, f.side)).collect();
    capacity_after_failure(redundancy, &caps)
}

/// CDU capacity of a group after its redundancy: N+1 loses one unit, 2N keeps half.
pub fn cdu_capacity(unit: Watts, count: u64, redundancy: Redundancy) -> Watts {
    let usable = match redundancy {
        Redundancy::N => count,
        Redundancy::NPlus1 => count.saturating_sub(1),
        Redundancy::TwoN => count / 2,
    };
    unit * usable as f64
}

pub fn site_plan(index: usize, site: &Site, fabrics: &[FabricPlan]) -> SitePlan {
    let mut p = SitePlan { name: site.name.value.clone(), ..SitePlan::default() };
    let mut transient_or_max = Watts::default();
    let mut has_transient = false;
    p.loops = site
        .loops
        .iter()
        .map(|l| {
            let mut lp = LoopPlan {
                name: l.name.value.clone(),
                supply: l.supply.value,
                facility_water: l.facility_water.as_ref().map(|f| f.value),
                ..LoopPlan::default()
            };
            for g in &l.cdus {
                lp.approach = Some(lp.approach.unwrap_or(0.0).max(g.cdu.approach));
                lp.cdu_count += g.count;
                lp.cdu_capacity_total = lp.cdu_capacity_total + g.cdu.capacity * g.count as f64;
                lp.cdu_capacity = lp.cdu_capacity + cdu_capacity(g.cdu.capacity, g.count, g.redundancy.value);
            }
            lp
        })
        .collect();
    for hall in &site.halls {
        for row in &hall.rows {
            for rack in &row.racks {
                let n = row.count.saturating_mul(rack.per_row);
                let nf = n as f64;
                p.racks += n;
                p.gpus = p.gpus.saturating_add(n.saturating_mul(rack.gpus()));
                p.systems += rack.systems().map(|(_, c)| c * n).sum::<u64>();
                p.systems_power = p.systems_power + rack.power_nominal() * nf;
                p.it_power_peak = p.it_power_peak + rack.power_peak() * nf;
                p.it_power_idle = p.it_power_idle + rack.power_idle() * nf;
                has_transient |= rack.power_transient().is_some();
                // Racks without a transient figure count at their maximum in the transient sum.
                transient_or_max = transient_or_max + rack.power_transient().unwrap_or(rack.power_peak()) * nf;
                p.weight = p.weight + rack.weight() * nf;
                let liquid = rack.liquid_heat() * nf;
                let air = rack.air_heat() * nf;
                let (liquid_max, air_max) = (rack.liquid_heat_max() * nf, rack.air_heat_max() * nf);
                let rdhx = matches!(&rack.contents, crate::model::RackContents::Enclosure { enclosure, .. } if enclosure.cooling == crate::catalog::EnclosureCooling::Rdhx);
                match rack.loop_index.and_then(|i| p.loops.get_mut(i)) {
                    Some(lp) => {
                        lp.racks += n;
                        lp.liquid_heat = lp.liquid_heat + liquid;
                        lp.liquid_heat_max = lp.liquid_heat_max + liquid_max;
                        if rdhx {
                            // A rear door moves the rack's air heat into the loop, up to its rating.
                            lp.rdhx_heat = lp.rdhx_heat + air;
                            lp.rdhx_heat_max = lp.rdhx_heat_max + air_max;
                        } else {
                            p.air_heat = p.air_heat + air;
                        }
                    }
                    None => {
                        // Without a loop, liquid heat has nowhere to go; the cooling check reports it.
                        p.air_heat = p.air_heat + air;
                    }
                }
                p.liquid_heat = p.liquid_heat + liquid;
            }
        }
    }
    for f in fabrics {
        for share in f.sites.iter().filter(|s| s.site == index) {
            p.switch_power = p.switch_power + share.switch_power;
            p.air_heat = p.air_heat + share.switch_power * (1.0 - f.switch_liquid_fraction);
            p.liquid_heat = p.liquid_heat + share.switch_power * f.switch_liquid_fraction;
        }
    }
    p.it_power = p.systems_power + p.switch_power;
    p.it_power_peak = p.it_power_peak + p.switch_power;
    p.it_power_idle = p.it_power_idle + p.switch_power;
    p.it_power_transient = has_transient.then_some(transient_or_max + p.switch_power);
    p.facility_power = p.it_power * site.power.peak_pue;
    p.facility_power_max = p.it_power_peak * site.power.peak_pue;
    p.facility_power_transient = p.it_power_transient.map(|t| t * site.power.peak_pue);
    p.feed_total = site.power.feeds.iter().map(|f| f.capacity.value).sum();
    p.feed_capacity = feed_capacity(site.power.redundancy.value, &site.power.feeds);
    p.air_capacity = site.air_capacity.as_ref().map(|a| a.value).unwrap_or_default();
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redundancy_takes_out_what_may_fail() {
        let feeds = [(Watts(40e6), Some(FeedSide::A)), (Watts(40e6), Some(FeedSide::B))];
        assert_eq!(capacity_after_failure(Redundancy::TwoN, &feeds), Watts(40e6));
        assert_eq!(capacity_after_failure(Redundancy::N, &feeds), Watts(80e6));
        let three = [(Watts(10e6), None), (Watts(10e6), None), (Watts(20e6), None)];
        assert_eq!(capacity_after_failure(Redundancy::NPlus1, &three), Watts(20e6));
        assert_eq!(cdu_capacity(Watts(2e6), 12, Redundancy::NPlus1), Watts(22e6));
    }

    #[test]
    fn a_class_is_the_warmest_whose_maximum_is_not_above_the_limit() {
        assert_eq!(WaterClass::for_warmest(Celsius(30.0)), Some(WaterClass::W27));
        assert_eq!(WaterClass::for_warmest(Celsius(32.0)), Some(WaterClass::W32));
        assert_eq!(WaterClass::for_warmest(Celsius(40.0)), Some(WaterClass::W40));
        assert_eq!(WaterClass::for_warmest(Celsius(50.0)), Some(WaterClass::W45));
        assert_eq!(WaterClass::for_warmest(Celsius(16.9)), None);
    }
}
