//! Fabric sizing as a folded Clos (fat tree) is built: endpoints are the NIC ports of the fabric's
//! role in its sites, at the endpoint speed (using the switch's breakout); leaves take
//! `d = ⌊k·r/(r+1)⌋` hosts and `u = k − d` uplinks at oversubscription r:1; each leaf's uplinks are
//! spread evenly over the spines, so the spine count is the smallest divisor of `u` that is at least
//! `⌈leaves·u/k⌉`; a third tier of cores joins spines when two tiers cannot hold the endpoints.
//! Capacities: one tier k, two tiers k·d, three tiers d·(k/2)·k (k²/2 and k³/4 non-blocking; Al-Fares
//! et al., SIGCOMM 2008). The same rule reproduces NVIDIA's DGX SuperPOD tables, which are tests here.

use crate::catalog::{Catalog, NicRole, NicVendor, Switch};
use crate::model::{Fabric, Factory};
use crate::units::{BitsPerSecond, Watts};

/// Switch counts per tier of a fabric (per site it serves, summed in `FabricPlan`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tiers {
    pub leaf: u64,
    pub spine: u64,
    pub core: u64,
}

impl Tiers {
    pub fn total(&self) -> u64 {
        self.leaf.saturating_add(self.spine).saturating_add(self.core)
    }
}

/// The shape of a Clos network for a number of endpoints.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Clos {
    pub tiers: u64,
    pub switches: Tiers,
    /// Host-to-leaf links.
    pub host_links: u64,
    /// Leaf-to-spine links.
    pub leaf_spine_links: u64,
    /// Spine-to-core links.
    pub spine_core_links: u64,
}

impl Clos {
    pub fn cables(&self) -> u64 {
        self.host_links.saturating_add(self.leaf_spine_links).saturating_add(self.spine_core_links)
    }
}

/// Leaf downlinks at oversubscription `r`:1 for radix `k`: uplinks `u = ⌊k/(r+1)⌋`, downlinks
/// `d = ⌊u·r⌋`, so the ratio is exact and the uplinks divide evenly over the spines (a 128-port leaf
/// at 2:1 is built 84 down / 42 up, leaving two ports dark, not 85 / 43).
pub fn leaf_downlinks(k: u64, r: f64) -> u64 {
    if k < 2 {
        return k;
    }
    let u = ((k as f64) / (r + 1.0)).floor().max(1.0) as u64;
    let d = ((u as f64) * r).floor() as u64;
    d.clamp(1, k - u)
}

/// Leaf uplinks that go with [`leaf_downlinks`].
pub fn leaf_uplinks(k: u64, r: f64) -> u64 {
    if k < 2 {
        return 0;
    }
    ((k as f64) / (r + 1.0)).floor().max(1.0) as u64
}

/// Endpoints a Clos of `tiers` tiers of radix-`k` switches holds at oversubscription `r`.
pub fn capacity(k: u64, r: f64, tiers: u64) -> u64 {
    let d = leaf_downlinks(k, r);
    match tiers {
        0 => 0,
        1 => k,
        2 => k.saturating_mul(d),
        _ => d.saturating_mul(k / 2).saturating_mul(k),
    }
}

/// The fewest tiers (1 to 3) that hold `endpoints`, or `None` if even three tiers cannot.
pub fn tiers_needed(k: u64, r: f64, endpoints: u64) -> Option<u64> {
    (1..=3).find(|t| capacity(k, r, *t) >= endpoints)
}

/// Smallest divisor of `n` that is at least `at_least` (or `at_least` itself when none is).
fn smallest_divisor_at_least(n: u64, at_least: u64) -> u64 {
    (at_least.max(1)..=n).find(|d| n.is_multiple_of(*d)).unwrap_or(at_least.max(1))
}

/// Builds the Clos for `endpoints` with `tiers` tiers.
pub fn build(k: u64, r: f64, tiers: u64, endpoints: u64) -> Clos {
    if endpoints == 0 || k == 0 {
        return Clos { tiers, ..Clos::default() };
    }
    if tiers <= 1 {
        let leaves = endpoints.div_ceil(k);
        return Clos {
            tiers: 1,
            switches: Tiers { leaf: leaves, spine: 0, core: 0 },
            host_links: endpoints,
            ..Clos::default()
        };
    }
    let d = leaf_downlinks(k, r);
    let u = leaf_uplinks(k, r);
    let leaves = endpoints.div_ceil(d);
    let uplinks = leaves.saturating_mul(u);
    if tiers == 2 {
        let spines = smallest_divisor_at_least(u, uplinks.div_ceil(k));
        return Clos {
            tiers: 2,
            switches: Tiers { leaf: leaves, spine: spines, core: 0 },
            host_links: endpoints,
            leaf_spine_links: uplinks,
            spine_core_links: 0,
        };
    }
    // Three tiers: spines split their ports evenly between leaves and cores.
    let half = k / 2;
    let spines = uplinks.div_ceil(half.max(1));
    let spine_up = spines.saturating_mul(half);
    let cores = spine_up.div_ceil(k);
    Clos {
        tiers: 3,
        switches: Tiers { leaf: leaves, spine: spines, core: cores },
        host_links: endpoints,
        leaf_spine_links: uplinks,
        spine_core_links: spine_up,
    }
}

/// A fabric's share in one site.
#[derive(Clone, Debug, Default)]
pub struct SiteShare {
    pub site: usize,
    pub endpoints: u64,
    pub clos: Clos,
    pub switch_power: Watts,
    /// Switch-side optical modules (a twin-port cage carries two ports when broken out).
    pub switch_transceivers: u64,
    /// Host-side modules, one per NIC cage (a twin-port cage holds one module for two ports).
    pub host_transceivers: u64,
}

/// Host-side modules of a fabric by the module the NICs' cages take (`None`: not stated, the bill
/// of materials picks one), in order of first appearance: the module, how many, and the NIC ports
/// they serve.
pub type HostModules = Vec<(Option<String>, u64, u64)>;

#[derive(Clone, Debug, Default)]
pub struct FabricPlan {
    pub name: String,
    pub role: &'static str,
    pub switch_id: Option<String>,
    pub endpoint_speed: BitsPerSecond,
    /// Ports per switch at the endpoint speed (`None`: the switch cannot carry that speed).
    pub radix: Option<u64>,
    pub oversubscription: f64,
    /// Tiers needed without the user's `tiers=` (`None` when more than three would be).
    pub tiers_needed: Option<u64>,
    /// Tiers built: the user's `tiers=` or the fewest that fit.
    pub tiers: u64,
    pub capacity: u64,
    pub endpoints: u64,
    pub switches: Tiers,
    pub cables: u64,
    pub transceivers: u64,
    /// Ports at the endpoint speed per switch cage: one module carries this many links.
    pub ports_per_cage: u64,
    pub switch_liquid_fraction: f64,
    pub sites: Vec<SiteShare>,
    /// Host-side modules summed over the sites, by module.
    pub host_modules: HostModules,
}

impl FabricPlan {
    pub fn switch_count(&self) -> u64 {
        self.switches.total()
    }
}

/// Endpoint ports and their (fastest) speed of a NIC role in one site.
pub fn site_endpoints(site: &crate::model::Site, role: NicRole) -> (u64, BitsPerSecond) {
    let mut ports = 0u64;
    let mut speed = BitsPerSecond(0.0);
    for hall in &site.halls {
        for row in &hall.rows {
            for rack in &row.racks {
                let racks = row.count.saturating_mul(rack.per_row);
                for (system, n) in rack.systems() {
                    if let Some(nic) = system.nic(role) {
                        ports = ports.saturating_add(nic.count.saturating_mul(n).saturating_mul(racks));
                        if nic.speed.0 > speed.0 {
                            speed = nic.speed;
                        }
                    }
                }
            }
        }
    }
    (ports, speed)
}

/// The makers of a NIC role's ports in one site, sorted; BMC ports and NICs without a vendor are
/// left out.
pub fn site_nic_vendors(site: &crate::model::Site, role: NicRole) -> Vec<NicVendor> {
    let mut out: Vec<NicVendor> = site
        .halls
        .iter()
        .flat_map(|h| &h.rows)
        .flat_map(|r| &r.racks)
        .flat_map(|rack| rack.systems())
        .filter_map(|(system, _)| system.nic(role).and_then(|n| n.vendor))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Host-side modules of a NIC role in one site: the NICs' cages, by the module they take.
pub fn site_host_modules(site: &crate::model::Site, role: NicRole) -> HostModules {
    let mut out: HostModules = Vec::new();
    for hall in &site.halls {
        for row in &hall.rows {
            for rack in &row.racks {
                let racks = row.count.saturating_mul(rack.per_row);
                for (system, n) in rack.systems() {
                    if let Some(nic) = system.nic(role) {
                        let each = n.saturating_mul(racks);
                        let (modules, ports) = (nic.modules().saturating_mul(each), nic.count.saturating_mul(each));
                        add_modules(&mut out, nic.module.clone(), modules, ports);
                    }
                }
            }
        }
    }
    out
}

fn add_modules(out: &mut HostModules, module: Option<String>, n: u64, ports: u64) {
    if n == 0 {
        return;
    }
    match out.iter_mut().find(|(m, _, _)| *m == module) {
        Some((_, c, p)) => {
            *c = c.saturating_add(n);
            *p = p.saturating_add(ports);
        }
        None => out.push((module, n, ports)),
    }
}

fn size_fabric(factory: &Factory, fabric: &Fabric, switch: Option<&Switch>) -> FabricPlan {
    let role = fabric.nic_role();
    let site_indices: Vec<usize> = match fabric.site {
        Some(i) => vec![i],
        None => (0..factory.sites.len()).collect(),
    };
    let mut plan = FabricPlan {
        name: fabric.name.value.clone(),
        role: fabric.role.as_str(),
        switch_id: switch.map(|s| s.id.clone()),
        oversubscription: fabric.oversubscription,
        switch_liquid_fraction: switch.map(|s| s.liquid_fraction).unwrap_or(0.0),
        ..FabricPlan::default()
    };
    let shares: Vec<(usize, u64, BitsPerSecond)> = site_indices
        .iter()
        .filter_map(|i| factory.sites.get(*i).map(|s| (*i, site_endpoints(s, role))))
        .map(|(i, (p, s))| (i, p, s))
        .collect();
    plan.endpoint_speed = BitsPerSecond(shares.iter().map(|(_, _, s)| s.0).fold(0.0, f64::max));
    plan.endpoints = shares.iter().map(|(_, p, _)| *p).sum();
    let Some(switch) = switch else { return plan };
    let mode = switch.radix_at(plan.endpoint_speed);
    plan.radix = mode.map(|m| m.count);
    let Some(k) = plan.radix else { return plan };
    // Physical cages: as the catalog gives them (a QM9700 has 32 twin-port cages for 64 ports),
    // else one per port of the fastest mode.
    let cages = switch
        .cages
        .or_else(|| switch.port_modes.iter().max_by(|a, b| a.speed.0.total_cmp(&b.speed.0)).map(|m| m.count))
        .unwrap_or(k)
        .max(1);
    let ports_per_cage = (k / cages).max(1);
    plan.ports_per_cage = ports_per_cage;
    let r = fabric.oversubscription;
    // Each site gets its own instance of the fabric: InfiniBand and RoCE do not span sites (the
    // network check reports a fabric that tries), and a frontend network is built per building.
    let largest = shares.iter().map(|(_, p, _)| *p).max().unwrap_or(0);
    plan.tiers_needed = tiers_needed(k, r, largest);
    plan.tiers = fabric.tiers.as_ref().map(|t| t.value).or(plan.tiers_needed).unwrap_or(3);
    plan.capacity = capacity(k, r, plan.tiers);
    for (site, endpoints, _) in shares {
        let tiers = fabric.tiers.as_ref().map(|t| t.value).or(tiers_needed(k, r, endpoints)).unwrap_or(3);
        let clos = with_min_spines(build(k, r, tiers, endpoints), k, r, fabric.min_spines);
        let switch_ports = clos
            .host_links
            .saturating_add(clos.leaf_spine_links.saturating_mul(2))
            .saturating_add(clos.spine_core_links.saturating_mul(2));
        let host_modules = factory.sites.get(site).map(|s| site_host_modules(s, role)).unwrap_or_default();
        let share = SiteShare {
            site,
            endpoints,
            clos,
            switch_power: switch.power * clos.switches.total() as f64,
            switch_transceivers: switch_ports.div_ceil(ports_per_cage),
            host_transceivers: host_modules.iter().map(|(_, n, _)| *n).sum(),
        };
        for (m, n, ports) in host_modules {
            add_modules(&mut plan.host_modules, m, n, ports);
        }
        plan.switches.leaf += clos.switches.leaf;
        plan.switches.spine += clos.switches.spine;
        plan.switches.core += clos.switches.core;
        plan.cables += clos.cables();
        plan.transceivers += share.switch_transceivers + share.host_transceivers;
        plan.sites.push(share);
    }
    plan
}

/// A multi-tier Clos with at least `min` spines: each leaf's uplinks still divide evenly over
/// them (a divisor of the uplinks per leaf, as [`build`] picks), and a three-tier fabric's added
/// spines bring their share of core ports. Cables are unchanged for two tiers: the same uplinks
/// land on more spines.
fn with_min_spines(clos: Clos, k: u64, r: f64, min: u64) -> Clos {
    if clos.tiers < 2 || clos.switches.spine >= min || clos.switches.leaf == 0 {
        return clos;
    }
    let u = leaf_uplinks(k, r);
    let spines = if clos.tiers == 2 { smallest_divisor_at_least(u, min) } else { min };
    if clos.tiers == 2 {
        return Clos { switches: Tiers { spine: spines, ..clos.switches }, ..clos };
    }
    let spine_up = spines.saturating_mul(k / 2);
    Clos {
        switches: Tiers { spine: spines, core: spine_up.div_ceil(k.max(1)), ..clos.switches },
        spine_core_links: spine_up,
        ..clos
    }
}

/// Sizes every fabric of the factory.
pub fn plan(factory: &Factory, _catalog: &Catalog) -> Vec<FabricPlan> {
    factory.fabrics.iter().map(|f| size_fabric(factory, f, f.switch.map(|(s, _)| s))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn textbook_capacities() {
        assert_eq!(capacity(64, 1.0, 2), 64 * 64 / 2);
        assert_eq!(capacity(64, 1.0, 3), 64 * 64 * 64 / 4);
        assert_eq!(capacity(144, 1.0, 2), 10_368);
        assert_eq!((leaf_downlinks(128, 2.0), leaf_uplinks(128, 2.0)), (84, 42));
    }

    /// NVIDIA DGX SuperPOD B300 on Quantum-X800 (XDR), 72 nodes × 8 GPUs per SU, 800G per GPU:
    /// 1 SU 8 leaves / 4 spines, 4 SU 32 / 18, 18 SU 144 / 72.
    #[test]
    fn superpod_b300_xdr_tables() {
        for (su, leaf, spine) in [(1u64, 8u64, 4u64), (4, 32, 18), (8, 64, 36), (18, 144, 72)] {
            let endpoints = su * 72 * 8;
            let t = tiers_needed(144, 1.0, endpoints).unwrap_or(0);
            let c = build(144, 1.0, t, endpoints);
            assert_eq!((c.switches.leaf, c.switches.spine), (leaf, spine), "{su} SU");
        }
    }

    /// NVIDIA DGX SuperPOD B200 on Quantum-2 (NDR, radix 64 at 400G), 32 nodes × 8 rails per SU:
    /// 1 SU 8 / 4, 4 SU 32 / 16, 16 SU 128 leaves / 128 spines / 64 cores.
    #[test]
    fn superpod_b200_ndr_tables() {
        for (su, leaf, spine, core) in [(1u64, 8u64, 4u64, 0u64), (4, 32, 16, 0), (16, 128, 128, 64)] {
            let endpoints = su * 32 * 8;
            let t = tiers_needed(64, 1.0, endpoints).unwrap_or(0);
            let c = build(64, 1.0, t, endpoints);
            assert_eq!((c.switches.leaf, c.switches.spine, c.switches.core), (leaf, spine, core), "{su} SU");
        }
    }
}
