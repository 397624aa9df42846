//! The fabrics' lines of the bill of materials: switches, the optics of every link class in the
//! medium its length needs (host side per NIC cage, switch side per port), and cables in the
//! stock lengths the hall layout asks for.

use super::*;

fn same_speed(a: BitsPerSecond, b: BitsPerSecond) -> bool {
    (a.0 - b.0).abs() <= b.0 * 0.001
}

fn by_price(a: &Transceiver, b: &Transceiver) -> std::cmp::Ordering {
    catalog_amount(a.price.as_ref()).total_cmp(&catalog_amount(b.price.as_ref())).then(a.id.cmp(&b.id))
}

/// The switch-side module for a cage of `speed`: exact speed first, cheapest, then by id.
fn switch_module(catalog: &Catalog, speed: BitsPerSecond) -> Option<&Transceiver> {
    let fits = |t: &&Transceiver| !t.is_cable && t.end != Some(LinkEnd::Host);
    let exact =
        catalog.transceivers().filter(fits).filter(|t| same_speed(t.speed, speed)).min_by(|a, b| by_price(a, b));
    exact.or_else(|| {
        catalog
            .transceivers()
            .filter(fits)
            .filter(|t| t.speed.0 >= speed.0 * 0.999)
            .min_by(|a, b| a.speed.0.total_cmp(&b.speed.0).then(by_price(a, b)))
    })
}

/// The host-side module for a NIC port: exact speed, made for the NIC's role, of the switch
/// module's medium, cheapest, then by id.
fn host_module<'c>(
    catalog: &'c Catalog,
    speed: BitsPerSecond,
    role: NicRole,
    medium: Option<&str>,
) -> Option<&'c Transceiver> {
    let fits = |t: &&Transceiver| !t.is_cable && t.end != Some(LinkEnd::Switch);
    let score = |t: &Transceiver| {
        let role_rank = match t.nic {
            Some(r) if r == role => 0,
            None => 1,
            Some(_) => 2,
        };
        let medium_rank = if medium.is_none() || t.medium == medium { 0 } else { 1 };
        (role_rank, medium_rank)
    };
    let pick = |candidates: Vec<&'c Transceiver>| {
        candidates.into_iter().min_by(|a, b| score(a).cmp(&score(b)).then(by_price(a, b)))
    };
    pick(catalog.transceivers().filter(fits).filter(|t| same_speed(t.speed, speed)).collect()).or_else(|| {
        let faster: Vec<&Transceiver> =
            catalog.transceivers().filter(fits).filter(|t| t.speed.0 >= speed.0 * 0.999).collect();
        let lowest = faster.iter().map(|t| t.speed.0).fold(f64::INFINITY, f64::min);
        pick(faster.into_iter().filter(|t| t.speed.0 <= lowest).collect())
    })
}

/// The cable of a link: the modules' medium, fast enough, cheapest, then by id.
fn cable<'c>(catalog: &'c Catalog, speed: BitsPerSecond, medium: Option<&str>) -> Option<&'c Transceiver> {
    catalog
        .transceivers()
        .filter(|t| t.is_cable && (medium.is_none() || t.medium == medium) && t.speed.0 >= speed.0 * 0.999)
        .min_by(|a, b| by_price(a, b))
}

/// A fabric's switches per tier, its optics at both ends and its cables.
pub(super) fn fabric_lines(
    b: &mut Builder,
    fabric: &Fabric,
    fp: &FabricPlan,
    links: Option<&crate::project::layout::FabricLinks>,
) {
    let Some((switch, switch_span)) = fabric.switch else { return };
    let shape = FabricShape {
        endpoints: fp.endpoints,
        endpoint_speed: fp.endpoint_speed,
        radix: fp.radix,
        tiers: fp.tiers,
        oversubscription: fp.oversubscription,
    };
    let tiers = [(Tier::Leaf, fp.switches.leaf), (Tier::Spine, fp.switches.spine), (Tier::Core, fp.switches.core)];
    for (tier, count) in tiers {
        let basis = LineBasis::Switches { fabric: fabric.name.value.clone(), tier, shape: shape.clone() };
        let part = Part { id: &switch.id, name: &switch.name, price: switch.price.as_ref() };
        b.line(part, Category::Network, Period::Once, count, basis, Some(switch_span));
    }
    if fp.radix.is_some() && fp.endpoints > 0 {
        match links.filter(|l| !l.classes.is_empty()) {
            Some(l) => optics_by_link_class(b, fabric, fp, switch, switch_span, l),
            None => optics_lines(b, fabric, fp, switch, switch_span),
        }
    }
}

/// Cables of one medium: links per kind (host–leaf, leaf–spine, spine–core) and their lengths
/// (metres, cables).
type CableRun = (Option<crate::ast::Medium>, [u64; 3], Vec<(f64, u64)>);

/// The optics and cables of a fabric whose link lengths the layout gives: per link class, the
/// switch-side modules and cables of the medium chosen for it (copper needs no module: the DAC
/// plugs into both cages), host-side modules of the host-to-leaf medium, and the cables in the
/// stock lengths each class needs. Classes of one medium share their lines.
fn optics_by_link_class(
    b: &mut Builder,
    fabric: &Fabric,
    fp: &FabricPlan,
    switch: &Switch,
    span: Span,
    links: &crate::project::layout::FabricLinks,
) {
    use crate::ast::Medium;
    use crate::project::layout::LinkKind;
    let catalog = b.pricer.catalog;
    let fname = &fabric.name.value;
    let port_speed = switch.radix_at(fp.endpoint_speed).map(|m| m.speed).unwrap_or(fp.endpoint_speed);
    let ppc = fp.ports_per_cage.max(1);
    let cage_speed = BitsPerSecond(port_speed.0 * ppc as f64);
    let by_id = |id: &Option<String>| id.as_deref().and_then(|id| catalog.transceivers().find(|t| t.id == id));
    // Switch-side modules, by module: switch ports of the classes that use it.
    let mut modules: Vec<(Option<&Transceiver>, u64)> = Vec::new();
    // Cables, by medium: links per kind and their lengths.
    let mut cables: Vec<CableRun> = Vec::new();
    for c in &links.classes {
        let ports = match c.kind {
            LinkKind::HostLeaf => c.links,
            LinkKind::LeafSpine | LinkKind::SpineCore => c.links.saturating_mul(2),
        };
        let copper = c.medium == Some(Medium::Copper);
        if !copper {
            let chosen = by_id(&c.part).filter(|t| !t.is_cable);
            let module = chosen.or_else(|| switch_module(catalog, cage_speed));
            match modules.iter_mut().find(|(m, _)| m.map(|t| &t.id) == module.map(|t| &t.id)) {
                Some((_, p)) => *p = p.saturating_add(ports),
                None => modules.push((module, ports)),
            }
        }
        let slot = match c.kind {
            LinkKind::HostLeaf => 0,
            LinkKind::LeafSpine => 1,
            LinkKind::SpineCore => 2,
        };
        let entry = match cables.iter().position(|(m, _, _)| *m == c.medium) {
            Some(i) => cables.get_mut(i),
            None => {
                cables.push((c.medium, [0; 3], Vec::new()));
                cables.last_mut()
            }
        };
        if let Some((_, counts, lengths)) = entry {
            if let Some(n) = counts.get_mut(slot) {
                *n = n.saturating_add(c.links);
            }
            for (len, n) in &c.bins {
                match lengths.iter_mut().find(|(l, _)| l == len) {
                    Some((_, k)) => *k = k.saturating_add(*n),
                    None => lengths.push((*len, *n)),
                }
            }
            lengths.sort_by(|a, b| a.0.total_cmp(&b.0));
        }
    }
    for (module, ports) in modules {
        let basis =
            LineBasis::SwitchModules { fabric: fname.clone(), switch_ports: ports, port_speed, ports_per_cage: ppc };
        b.optic(module, MissingPart::SwitchModule { speed: cage_speed }, ports.div_ceil(ppc), basis, span);
    }
    // Host side: the host-to-leaf class's medium; copper needs no host module either.
    let host_medium = links.classes.iter().find(|c| c.kind == LinkKind::HostLeaf).and_then(|c| c.medium);
    if host_medium != Some(Medium::Copper) {
        let role = fabric.nic_role();
        let medium = host_medium.map(|m| m.catalog_name());
        let mut host: Vec<(Option<&Transceiver>, u64, u64)> = Vec::new();
        for (module, n, ports) in &fp.host_modules {
            let stated = module.as_deref().and_then(|id| catalog.transceivers().find(|t| !t.is_cable && t.id == id));
            let part = stated.or_else(|| host_module(catalog, fp.endpoint_speed, role, medium));
            match host.iter_mut().find(|(p, _, _)| p.map(|t| &t.id) == part.map(|t| &t.id)) {
                Some((_, c, pc)) => {
                    *c = c.saturating_add(*n);
                    *pc = pc.saturating_add(*ports);
                }
                None => host.push((part, *n, *ports)),
            }
        }
        for (part, n, ports) in host {
            let basis = LineBasis::HostModules { fabric: fname.clone(), role, ports };
            b.optic(part, MissingPart::HostModule { speed: fp.endpoint_speed }, n, basis, span);
        }
    }
    for (medium, [host_leaf, leaf_spine, spine_core], lengths) in cables {
        let m = medium.map(|m| m.catalog_name());
        let n = host_leaf.saturating_add(leaf_spine).saturating_add(spine_core);
        let basis = LineBasis::Cables { fabric: fname.clone(), host_leaf, leaf_spine, spine_core, lengths };
        b.optic(
            cable(catalog, fp.endpoint_speed, m),
            MissingPart::Cable { medium: m, speed: fp.endpoint_speed },
            n,
            basis,
            span,
        );
    }
}

/// Switch-side modules per cage, host-side modules per NIC port and one cable per link, each
/// the catalog's best fit, or a line without a part when none fits.
fn optics_lines(b: &mut Builder, fabric: &Fabric, fp: &FabricPlan, switch: &Switch, span: Span) {
    let catalog = b.pricer.catalog;
    let fname = &fabric.name.value;
    let sites = &fp.sites;
    // A cage carries `ports_per_cage` ports of the mode the endpoints run at (a 200G host on a
    // 400G port still needs the 2 × 400G module in the cage).
    let port_speed = switch.radix_at(fp.endpoint_speed).map(|m| m.speed).unwrap_or(fp.endpoint_speed);
    let cage_speed = BitsPerSecond(port_speed.0 * fp.ports_per_cage.max(1) as f64);
    let sm = switch_module(catalog, cage_speed);
    let medium = sm.and_then(|t| t.medium);
    let (host_leaf, leaf_spine, spine_core) = sites.iter().fold((0u64, 0u64, 0u64), |acc, s| {
        (
            acc.0.saturating_add(s.clos.host_links),
            acc.1.saturating_add(s.clos.leaf_spine_links),
            acc.2.saturating_add(s.clos.spine_core_links),
        )
    });
    let switch_ports = sites
        .iter()
        .map(|s| {
            s.clos
                .host_links
                .saturating_add(s.clos.leaf_spine_links.saturating_mul(2))
                .saturating_add(s.clos.spine_core_links.saturating_mul(2))
        })
        .sum::<u64>();
    let switch_side: u64 = sites.iter().map(|s| s.switch_transceivers).sum();
    let basis = LineBasis::SwitchModules {
        fabric: fname.clone(),
        switch_ports,
        port_speed,
        ports_per_cage: fp.ports_per_cage.max(1),
    };
    b.optic(sm, MissingPart::SwitchModule { speed: cage_speed }, switch_side, basis, span);
    let role = fabric.nic_role();
    // Host side: one module per NIC cage, of the module the catalog states for the NIC, else the
    // best fit for the port; modules that resolve to the same part share a line.
    let mut host: Vec<(Option<&Transceiver>, u64, u64)> = Vec::new();
    for (module, n, ports) in &fp.host_modules {
        let (n, ports) = (*n, *ports);
        let stated = module.as_deref().and_then(|id| catalog.transceivers().find(|t| !t.is_cable && t.id == id));
        let part = stated.or_else(|| host_module(catalog, fp.endpoint_speed, role, medium));
        match host.iter_mut().find(|(p, _, _)| p.map(|t| &t.id) == part.map(|t| &t.id)) {
            Some((_, c, pc)) => {
                *c = c.saturating_add(n);
                *pc = pc.saturating_add(ports);
            }
            None => host.push((part, n, ports)),
        }
    }
    for (part, n, ports) in host {
        let basis = LineBasis::HostModules { fabric: fname.clone(), role, ports };
        b.optic(part, MissingPart::HostModule { speed: fp.endpoint_speed }, n, basis, span);
    }
    let basis = LineBasis::Cables { fabric: fname.clone(), host_leaf, leaf_spine, spine_core, lengths: Vec::new() };
    let missing = MissingPart::Cable { medium, speed: fp.endpoint_speed };
    b.optic(cable(catalog, fp.endpoint_speed, medium), missing, fp.cables, basis, span);
}
