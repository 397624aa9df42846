//! The physical build: what takes how many rack units in each rack, what a loaded rack weighs, and
//! what it puts on the floor (its weight over its footprint, in kN/m²) against the hall's rating.
//! Figures are per rack of a rack group, so a million racks written with counts cost one
//! computation per `rack` line.

use super::circuits::{self, RackCircuits};
use crate::catalog::{Catalog, Footprint, NicRole, Switch, System};
use crate::model::{Hall, RackContents, RackGroup, RowGroup, Site};
use crate::units::{BitsPerSecond, Kilograms, Pascals};

/// One kind of thing in a rack and the rack units it takes.
#[derive(Clone, Copy, Debug)]
pub enum Occupant<'a> {
    System(&'a System),
    /// An out-of-band management switch for the servers' BMC ports.
    ManagementSwitch(&'a Switch),
    /// The rack's PDUs (0U unless the part says otherwise).
    Pdus(&'a crate::catalog::Pdu),
}

impl Occupant<'_> {
    pub fn part_id(&self) -> &str {
        match self {
            Occupant::System(s) => &s.id,
            Occupant::ManagementSwitch(s) => &s.id,
            Occupant::Pdus(p) => &p.id,
        }
    }
}

/// What takes space in one rack: each occupant, how many and their rack units together.
#[derive(Clone, Debug)]
pub struct RackSpace<'a> {
    pub occupants: Vec<(Occupant<'a>, u64, u64)>,
    /// Rack units the enclosure offers; a rack-scale system is its own rack.
    pub available: u64,
}

impl RackSpace<'_> {
    pub fn used(&self) -> u64 {
        self.occupants.iter().map(|(_, _, u)| *u).fold(0, u64::saturating_add)
    }
}

/// One rack of a group, physically.
#[derive(Clone, Debug)]
pub struct RackPhysical<'a> {
    pub space: RackSpace<'a>,
    /// Loaded: enclosure + systems + PDUs that give a weight, or a rack-scale system's weight.
    pub weight: Kilograms,
    /// The enclosure's static rating (or a rack-scale system's), where the catalog gives it.
    pub max_weight: Option<Kilograms>,
    pub footprint: Option<Footprint>,
    pub circuits: Option<RackCircuits<'a>>,
}

impl<'a> RackPhysical<'a> {
    /// Its weight over its footprint under standard gravity.
    pub fn floor_load(&self) -> Option<Pascals> {
        self.footprint.map(|f| self.weight.over_area(f.area_m2()))
    }

    /// Its figures without the list of occupants.
    pub fn figures(&self) -> RackFigures<'a> {
        RackFigures {
            used: self.space.used(),
            available: self.space.available,
            weight: self.weight,
            max_weight: self.max_weight,
            floor_load: self.floor_load(),
            circuits: self.circuits,
        }
    }
}

/// A rack's figures: rack units used of those available, loaded weight and its rating, floor load
/// and circuits.
#[derive(Clone, Copy, Debug)]
pub struct RackFigures<'a> {
    pub used: u64,
    pub available: u64,
    pub weight: Kilograms,
    pub max_weight: Option<Kilograms>,
    pub floor_load: Option<Pascals>,
    pub circuits: Option<RackCircuits<'a>>,
}

/// The cheapest management switch of the catalog (`Placed::management`) and how many one rack of `group` needs for its
/// servers' BMC ports: (switch, per rack, BMC ports, access ports per switch). Rack-scale systems carry their own management switches (inside their
/// rack units), so they need none.
pub fn management_switches<'a>(
    management: Option<&'a Switch>,
    group: &RackGroup<'a>,
) -> Option<(&'a Switch, u64, u64, u64)> {
    let RackContents::Enclosure { systems, .. } = &group.contents else { return None };
    let mgmt = management?;
    let (ports, speed) =
        systems.iter().fold((0u64, BitsPerSecond(0.0)), |(p, s), g| match g.system.nic(NicRole::Bmc) {
            Some(nic) => {
                (p.saturating_add(nic.count.saturating_mul(g.count)), if nic.speed.0 > s.0 { nic.speed } else { s })
            }
            None => (p, s),
        });
    if ports == 0 {
        return None;
    }
    let access = mgmt.radix_at(speed).map(|m| m.count).unwrap_or(1).max(1);
    Some((mgmt, ports.div_ceil(access), ports, access))
}

/// The catalog parts the plan places in racks, gathered once for a pass over every rack line.
pub struct Placed<'a> {
    pub pdus: Vec<&'a crate::catalog::Pdu>,
    /// The cheapest management switch.
    pub management: Option<&'a Switch>,
}

impl<'a> Placed<'a> {
    pub fn of(catalog: &'a Catalog) -> Placed<'a> {
        let price = |s: &Switch| super::pricing::catalog_amount(s.price.as_ref());
        let management = catalog
            .switches()
            .filter(|s| s.management)
            .min_by(|a, b| price(a).total_cmp(&price(b)).then(a.id.cmp(&b.id)));
        Placed { pdus: catalog.pdus().collect(), management }
    }
}

/// One rack of `group`: its space, loaded weight, footprint and circuits, with the placed parts
/// gathered once (see [`Racks`] for a pass over every rack line).
pub fn rack_with<'a>(placed: &Placed<'a>, group: &RackGroup<'a>) -> RackPhysical<'a> {
    let circuits = circuits::rack_with(&placed.pdus, group);
    match &group.contents {
        RackContents::RackScale(s) => RackPhysical {
            space: RackSpace { occupants: vec![(Occupant::System(s), 1, s.rack_units)], available: s.rack_units },
            weight: s.weight,
            max_weight: s.max_weight,
            footprint: s.footprint,
            circuits,
        },
        RackContents::Enclosure { enclosure, systems } => {
            let mut occupants: Vec<(Occupant<'a>, u64, u64)> = Vec::new();
            for g in systems {
                match occupants
                    .iter_mut()
                    .find(|(o, _, _)| matches!(o, Occupant::System(s) if std::ptr::eq(*s, g.system)))
                {
                    Some((_, n, u)) => {
                        *n = n.saturating_add(g.count);
                        *u = u.saturating_add(g.system.rack_units.saturating_mul(g.count));
                    }
                    None => occupants.push((
                        Occupant::System(g.system),
                        g.count,
                        g.system.rack_units.saturating_mul(g.count),
                    )),
                }
            }
            if let Some((switch, n, _, _)) = management_switches(placed.management, group) {
                occupants.push((Occupant::ManagementSwitch(switch), n, switch.rack_units.saturating_mul(n)));
            }
            let mut weight = group.weight();
            if let Some(c) = &circuits {
                if let circuits::Feeder::Pdus { pdu, .. } = c.feeder {
                    occupants.push((Occupant::Pdus(pdu), c.count, c.rack_units()));
                    if let Some(w) = pdu.weight {
                        weight = weight + w * c.count as f64;
                    }
                }
            }
            RackPhysical {
                space: RackSpace { occupants, available: enclosure.rack_units },
                weight,
                max_weight: enclosure.max_weight,
                footprint: Some(enclosure.footprint),
                circuits,
            }
        }
    }
}

/// Whether two rack lines hold the same parts in the same numbers (so their racks are physically
/// the same): the same catalog entries, compared by reference.
pub fn same_racks(a: &RackGroup, b: &RackGroup) -> bool {
    let same_contents = match (&a.contents, &b.contents) {
        (RackContents::RackScale(x), RackContents::RackScale(y)) => std::ptr::eq(*x, *y),
        (
            RackContents::Enclosure { enclosure: e1, systems: s1 },
            RackContents::Enclosure { enclosure: e2, systems: s2 },
        ) => {
            std::ptr::eq(*e1, *e2)
                && s1.len() == s2.len()
                && s1.iter().zip(s2).all(|(x, y)| std::ptr::eq(x.system, y.system) && x.count == y.count)
        }
        (RackContents::RackScale(_), RackContents::Enclosure { .. })
        | (RackContents::Enclosure { .. }, RackContents::RackScale(_)) => false,
    };
    let same_pdu = match (&a.pdu, &b.pdu) {
        (None, None) => true,
        (Some(x), Some(y)) => {
            std::ptr::eq(x.pdu, y.pdu) && x.count == y.count && x.redundancy.value == y.redundancy.value
        }
        (Some(_), None) | (None, Some(_)) => false,
    };
    same_contents && same_pdu
}

/// [`rack_with`] for a pass over rack lines in order, reusing the last line's figures when the
/// next holds the same parts: a blueprint written rack by rack repeats one line thousands of times.
pub struct Racks<'g, 'a> {
    placed: Placed<'a>,
    last: Option<(&'g RackGroup<'a>, RackPhysical<'a>)>,
}

impl<'g, 'a> Racks<'g, 'a> {
    pub fn new(catalog: &'a Catalog) -> Racks<'g, 'a> {
        Racks { placed: Placed::of(catalog), last: None }
    }

    pub fn rack(&mut self, group: &'g RackGroup<'a>) -> &RackPhysical<'a> {
        let rack = match self.last.take() {
            Some((g, rack)) if same_racks(g, group) => rack,
            _ => rack_with(&self.placed, group),
        };
        &self.last.insert((group, rack)).1
    }
}

/// One rack line of a site, physically, with where it stands.
#[derive(Clone, Debug)]
pub struct PlacedGroup<'h> {
    pub hall: &'h Hall<'h>,
    pub row: &'h RowGroup<'h>,
    pub group: &'h RackGroup<'h>,
    pub rack: RackFigures<'h>,
}

/// A site's racks, physically: every rack line once, the rack units used over the site, and each
/// hall's heaviest rack on the floor (its load and the index of its line in `groups`).
#[derive(Clone, Debug)]
pub struct SitePhysical<'h> {
    pub groups: Vec<PlacedGroup<'h>>,
    pub rack_units_used: u64,
    pub heaviest: Vec<Option<(Pascals, usize)>>,
}

impl SitePhysical<'_> {
    /// The heaviest rack's floor load over all halls.
    pub fn max_floor_load(&self) -> Option<Pascals> {
        self.heaviest.iter().flatten().map(|(l, _)| *l).max_by(|a, b| a.0.total_cmp(&b.0))
    }
}

/// One pass over the site's rack lines.
pub fn site<'h>(catalog: &'h Catalog, site: &'h Site<'h>) -> SitePhysical<'h> {
    let mut racks = Racks::new(catalog);
    let mut groups = Vec::new();
    let mut heaviest = Vec::new();
    let mut used = 0u64;
    for hall in &site.halls {
        let mut top: Option<(Pascals, usize)> = None;
        for row in &hall.rows {
            for group in &row.racks {
                let rack = racks.rack(group).figures();
                used = used.saturating_add(rack.used.saturating_mul(row.count.saturating_mul(group.per_row)));
                if let Some(load) = rack.floor_load {
                    if top.is_none_or(|(h, _)| load.0 > h.0) {
                        top = Some((load, groups.len()));
                    }
                }
                groups.push(PlacedGroup { hall, row, group, rack });
            }
        }
        heaviest.push(top);
    }
    SitePhysical { groups, rack_units_used: used, heaviest }
}

#[cfg(test)]
mod tests {
    use crate::units::{lookup, Dimension, Kilograms};

    #[test]
    fn floor_loads_use_standard_gravity() {
        // An NVL72: 1,360 kg on 0.6 × 1.068 m = 20.8 kN/m².
        let load = Kilograms(1360.0).over_area(0.6 * 1.068);
        assert!((load.kn_m2() - 20.81).abs() < 0.01, "{}", load.kn_m2());
        // 1,200 kg/m² is 11.77 kN/m²; kPa is kN/m².
        assert_eq!(lookup("kg/m2").map(|(d, f)| (d, (f * 1200.0).round())), Some((Dimension::AreaLoad, 11768.0)));
        assert_eq!(lookup("kPa"), lookup("kN/m2"));
    }
}
