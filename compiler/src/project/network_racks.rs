//! The fabrics' switches in racks of their own. Every leaf, spine and core switch a fabric needs in
//! a site goes into the site's network racks (`rack … role="network"`) by rack units, power and heat,
//! one tier of one fabric per rack, as NVIDIA's DGX SuperPOD reference architectures rack them
//! (leaf racks with their scalable units, spine and core racks in network rows). Without declared
//! network racks the plan counts how many of the catalog's cheapest air-cooled enclosure they need.
//! The switches' power and heat are already in the site's IT power and air heat
//! (`power::SitePlan::switch_power`), so only their racks are added here: nothing is counted twice.

use super::bom::Tier;
use super::network::FabricPlan;
use super::pricing::catalog_amount;
use crate::ast::RackRole;
use crate::catalog::{Catalog, Enclosure, EnclosureCooling, Switch};
use crate::model::{Factory, RackContents, Site};
use crate::source::Span;
use crate::units::Watts;

/// The switches of one tier of one fabric in a site, and the racks they take.
#[derive(Clone, Debug)]
pub struct SwitchGroup {
    /// Index into `Factory::fabrics`.
    pub fabric: usize,
    pub tier: Tier,
    pub count: u64,
    /// Each switch: rack units, power (its datasheet maximum) and the part of it rejected to air.
    pub rack_units: u64,
    pub power: Watts,
    pub air_heat: Watts,
    /// Switches placed in declared network racks.
    pub placed: u64,
    /// Racks they take: declared ones, plus reference racks for those left over.
    pub racks: u64,
}

/// The network racks of one site.
#[derive(Clone, Debug, Default)]
pub struct NetworkRacks {
    pub switches: u64,
    pub rack_units: u64,
    pub power: Watts,
    pub air_heat: Watts,
    /// Network racks the blueprint declares, and what they offer together.
    pub declared_racks: u64,
    pub units_available: u64,
    pub power_available: Watts,
    pub air_available: Watts,
    /// Racks the switches take, of the declared enclosures first, then of `enclosure`.
    pub racks_needed: u64,
    /// Declared racks the switches leave empty.
    pub racks_spare: u64,
    /// The enclosure counted for switches without a declared rack (the first declared network
    /// enclosure, else the catalog's cheapest air-cooled one).
    pub enclosure: Option<String>,
    /// Switches no declared rack could take.
    pub unplaced: u64,
    /// Reference racks those need, beyond the declared ones.
    pub extra_racks: u64,
    pub groups: Vec<SwitchGroup>,
    /// The first declared network rack group, for diagnostics.
    pub span: Option<Span>,
}

impl NetworkRacks {
    pub fn declared(&self) -> bool {
        self.declared_racks > 0
    }
}

/// How many switches of one kind fit one enclosure with `units` free rack units: the fewest the
/// units, the power distribution and the heat ratings allow.
pub fn per_rack(enclosure: &Enclosure, units: u64, switch: &Switch) -> u64 {
    let by_units = units / switch.rack_units.max(1);
    let liquid = switch.power * switch.liquid_fraction;
    let air = switch.power - liquid;
    let heat_budget = match enclosure.cooling {
        EnclosureCooling::Air | EnclosureCooling::Dlc => enclosure.air_heat,
        // A rear door takes the exhaust into its loop, up to its rating.
        EnclosureCooling::Rdhx => enclosure.air_heat + enclosure.liquid_heat.unwrap_or_default(),
    };
    let fit = |budget: Watts, each: Watts| -> u64 {
        if each.0 <= 0.0 {
            u64::MAX
        } else {
            (budget.0 / each.0).floor().max(0.0) as u64
        }
    };
    let by_power = fit(enclosure.max_power, switch.power);
    let by_air = fit(heat_budget, air);
    let by_liquid = if liquid.0 > 0.0 { fit(enclosure.liquid_heat.unwrap_or_default(), liquid) } else { u64::MAX };
    by_units.min(by_power).min(by_air).min(by_liquid)
}

/// The catalog's cheapest air-cooled enclosure (then by id): where switches go when the
/// blueprint declares no network racks.
pub fn reference_enclosure(catalog: &Catalog) -> Option<&Enclosure> {
    catalog
        .parts()
        .filter_map(|p| match p {
            crate::catalog::Part::Rack(e) if e.cooling == EnclosureCooling::Air => Some(e),
            _ => None,
        })
        .min_by(|a, b| {
            catalog_amount(a.price.as_ref()).total_cmp(&catalog_amount(b.price.as_ref())).then(a.id.cmp(&b.id))
        })
}

/// Declared network racks of a site: the enclosure, how many, and the units each has free.
fn declared_pools<'a>(site: &Site<'a>) -> Vec<(&'a Enclosure, u64, u64, Span)> {
    site.rack_groups()
        .filter(|(_, g)| g.role == RackRole::Network)
        .filter_map(|(row, g)| match &g.contents {
            RackContents::Enclosure { enclosure, .. } => {
                let free = enclosure.rack_units.saturating_sub(g.rack_units_used());
                Some((*enclosure, row.count.saturating_mul(g.per_row), free, g.part_span))
            }
            RackContents::RackScale(_) => None,
        })
        .collect()
}

/// Places the switches of every fabric serving site `index`.
pub fn site_racks(index: usize, site: &Site, factory: &Factory, fabrics: &[FabricPlan]) -> NetworkRacks {
    let mut out = NetworkRacks::default();
    let mut pools = declared_pools(site);
    out.span = pools.first().map(|p| p.3);
    for (enclosure, racks, free, _) in &pools {
        out.declared_racks = out.declared_racks.saturating_add(*racks);
        out.units_available = out.units_available.saturating_add(free.saturating_mul(*racks));
        out.power_available = out.power_available + enclosure.max_power * *racks as f64;
        out.air_available = out.air_available + enclosure.air_heat * *racks as f64;
    }
    let reference = pools.first().map(|p| p.0).or_else(|| reference_enclosure(factory.catalog));
    out.enclosure = reference.map(|e| e.id.clone());
    for (fi, (fabric, fp)) in factory.fabrics.iter().zip(fabrics).enumerate() {
        let Some((switch, _)) = fabric.switch else { continue };
        let Some(share) = fp.sites.iter().find(|s| s.site == index) else { continue };
        let tiers = [
            (Tier::Leaf, share.clos.switches.leaf),
            (Tier::Spine, share.clos.switches.spine),
            (Tier::Core, share.clos.switches.core),
        ];
        for (tier, count) in tiers.into_iter().filter(|(_, c)| *c > 0) {
            let mut group = SwitchGroup {
                fabric: fi,
                tier,
                count,
                rack_units: switch.rack_units,
                power: switch.power,
                air_heat: switch.power * (1.0 - switch.liquid_fraction),
                placed: 0,
                racks: 0,
            };
            let mut left = count;
            // Whole racks per tier, filled in declaration order.
            for (enclosure, racks_left, free, _) in pools.iter_mut() {
                if left == 0 {
                    break;
                }
                let n = per_rack(enclosure, *free, switch);
                if n == 0 || *racks_left == 0 {
                    continue;
                }
                let take = (*racks_left).min(left.div_ceil(n));
                let placed = left.min(take.saturating_mul(n));
                left -= placed;
                *racks_left -= take;
                group.placed = group.placed.saturating_add(placed);
                group.racks = group.racks.saturating_add(take);
            }
            if left > 0 {
                let n = reference.map(|e| per_rack(e, e.rack_units, switch)).unwrap_or(0).max(1);
                let extra = left.div_ceil(n);
                out.unplaced = out.unplaced.saturating_add(left);
                out.extra_racks = out.extra_racks.saturating_add(extra);
                group.racks = group.racks.saturating_add(extra);
            }
            out.switches = out.switches.saturating_add(count);
            out.rack_units = out.rack_units.saturating_add(switch.rack_units.saturating_mul(count));
            out.power = out.power + group.power * count as f64;
            out.air_heat = out.air_heat + group.air_heat * count as f64;
            out.racks_needed = out.racks_needed.saturating_add(group.racks);
            out.groups.push(group);
        }
    }
    out.racks_spare = pools.iter().map(|p| p.1).sum();
    out
}

/// The network racks of every site.
pub fn plan(factory: &Factory, fabrics: &[FabricPlan]) -> Vec<NetworkRacks> {
    factory.sites.iter().enumerate().map(|(i, s)| site_racks(i, s, factory, fabrics)).collect()
}
