//! Hall layout and cable reach. Racks stand in declaration order along each row, `rack-width`
//! apart; rows stand `row-pitch` apart in declaration order, and halls follow one another with
//! one pitch between them. Leaves stand in the network racks of their row (end or middle of row,
//! as NVIDIA's SuperPOD reference architectures place them per scalable unit), else in the
//! nearest network row (a row of network racks only); spines and cores stand in the first
//! network row. Without
//! declared network racks, leaves stand at the end of each row and spines in a network row after
//! the last one. Links run along the trays at right angles (|Δx| + |Δy|), plus a stated slack.
//! Every link class gets its longest length and a histogram over stock cable lengths, computed per
//! row group and rack group in closed form (a loop over rows at most, never over racks or cables),
//! and the cheapest medium whose reach covers its longest link.

use super::network::FabricPlan;
use super::network_racks::NetworkRacks;
use super::pricing::catalog_amount;
use crate::ast::{Medium, RackRole};
use crate::catalog::{Catalog, LinkEnd, NicRole, Transceiver};
use crate::model::{Factory, Site};
use crate::units::BitsPerSecond;

/// Slack added to every link between racks: up from the port to the overhead tray and down at
/// the far end (about 1.5 m each way: half a 2.2 m 48U rack plus the tray clearance) and a 1 m
/// service loop. An estimate, in metres.
pub const LINK_SLACK_M: f64 = 4.0;

/// Stock cable lengths, metres, the lengths LinkX fibre and copper cables are sold in (1 m to
/// 100 m steps of 1-2-3-5 and the long single-mode runs); a link takes the shortest that covers it.
pub const STOCK_LENGTHS_M: [f64; 18] =
    [1.0, 2.0, 3.0, 5.0, 7.0, 10.0, 15.0, 20.0, 30.0, 50.0, 70.0, 100.0, 150.0, 200.0, 300.0, 500.0, 1000.0, 2000.0];

/// Which switches a link joins.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LinkKind {
    HostLeaf,
    LeafSpine,
    SpineCore,
}

impl LinkKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::HostLeaf => "host-leaf",
            LinkKind::LeafSpine => "leaf-spine",
            LinkKind::SpineCore => "spine-core",
        }
    }
}

/// One link class of a fabric: its lengths and the medium chosen for it.
#[derive(Clone, Debug)]
pub struct LinkClass {
    pub kind: LinkKind,
    pub links: u64,
    /// The longest link, slack included, metres.
    pub max_m: f64,
    /// Links per stock length (`STOCK_LENGTHS_M`; longer links round up to the next 100 m).
    pub bins: Vec<(f64, u64)>,
    /// The medium: the pinned one, else the cheapest whose reach covers `max_m` (`None`: no
    /// catalog part of any medium reaches).
    pub medium: Option<Medium>,
    /// The part whose reach decides (a cable for copper, the switch-side module for fibre) and
    /// that reach.
    pub part: Option<String>,
    pub reach_m: Option<f64>,
    /// The medium was pinned by the blueprint.
    pub pinned: bool,
}

impl LinkClass {
    /// The medium reaches the longest link.
    pub fn reaches(&self) -> bool {
        self.reach_m.is_some_and(|r| r + 1e-9 >= self.max_m)
    }
}

/// The link classes of one fabric, summed over its sites (classes without links are left out).
#[derive(Clone, Debug, Default)]
pub struct FabricLinks {
    pub classes: Vec<LinkClass>,
}

/// A histogram of link lengths with fractional weights (rounded once at the end).
#[derive(Clone, Debug)]
struct Lengths {
    counts: Vec<f64>,
    over: Vec<(f64, f64)>,
    max: f64,
}

impl Default for Lengths {
    fn default() -> Self {
        Lengths { counts: vec![0.0; STOCK_LENGTHS_M.len()], over: Vec::new(), max: 0.0 }
    }
}

impl Lengths {
    fn add(&mut self, length: f64, weight: f64) {
        if weight <= 0.0 {
            return;
        }
        self.max = self.max.max(length);
        match STOCK_LENGTHS_M.iter().position(|l| *l + 1e-9 >= length) {
            Some(i) => {
                if let Some(c) = self.counts.get_mut(i) {
                    *c += weight;
                }
            }
            None => {
                let rounded = (length / 100.0).ceil() * 100.0;
                match self.over.iter_mut().find(|(l, _)| *l == rounded) {
                    Some((_, c)) => *c += weight,
                    None => self.over.push((rounded, weight)),
                }
            }
        }
    }

    /// Adds `weight` links for each of `n` positions `x0 + i·step` (i < n), each `base + |x − t|`
    /// long, in closed form: per stock length, how many positions lie within reach of `t`.
    fn add_run(&mut self, base: f64, x0: f64, step: f64, n: u64, t: f64, weight: f64) {
        if n == 0 || weight <= 0.0 {
            return;
        }
        let last = x0 + (n - 1) as f64 * step;
        let longest = base + (x0 - t).abs().max((last - t).abs());
        let within = |len: f64| -> u64 {
            let r = len - base;
            if r < -1e-9 {
                return 0;
            }
            if step <= 0.0 {
                return if (x0 - t).abs() <= r + 1e-9 { n } else { 0 };
            }
            let lo = ((t - r - x0) / step - 1e-9).ceil().max(0.0);
            let hi = ((t + r - x0) / step + 1e-9).floor().min((n - 1) as f64);
            if hi < lo {
                0
            } else {
                (hi - lo) as u64 + 1
            }
        };
        let mut below = 0u64;
        for len in STOCK_LENGTHS_M {
            let upto = within(len);
            self.add(len.min(longest).max(base), (upto.saturating_sub(below)) as f64 * weight);
            below = upto;
        }
        if below < n {
            // The rest are longer than the longest stock length: counted at the longest link.
            self.add(longest, (n - below) as f64 * weight);
        }
        self.max = self.max.max(longest);
    }

    /// Whole links per length, summing to `total` (largest remainder).
    fn bins(&self, total: u64) -> Vec<(f64, u64)> {
        let mut all: Vec<(f64, f64)> =
            STOCK_LENGTHS_M.iter().copied().zip(self.counts.iter().copied()).filter(|(_, c)| *c > 0.0).collect();
        all.extend(self.over.iter().copied());
        all.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut out: Vec<(f64, u64, f64)> = all.iter().map(|(l, c)| (*l, c.floor() as u64, c - c.floor())).collect();
        let mut left = total.saturating_sub(out.iter().map(|(_, c, _)| *c).sum());
        let mut order: Vec<usize> = (0..out.len()).collect();
        order.sort_by(|a, b| {
            let fa = out.get(*a).map(|x| x.2).unwrap_or(0.0);
            let fb = out.get(*b).map(|x| x.2).unwrap_or(0.0);
            fb.total_cmp(&fa).then(b.cmp(a))
        });
        for i in order {
            if left == 0 {
                break;
            }
            if let Some(x) = out.get_mut(i) {
                x.1 += 1;
                left -= 1;
            }
        }
        // Whatever rounding leaves over goes to the longest length, never to a shorter one.
        if left > 0 {
            if let Some(x) = out.last_mut() {
                x.1 += left;
            }
        }
        out.into_iter().filter(|(_, c, _)| *c > 0).map(|(l, c, _)| (l, c)).collect()
    }
}

/// A row group placed in the site: where its first row stands and how its racks run.
struct RowPlace {
    y0: f64,
    count: u64,
    pitch: f64,
    width: f64,
    /// Rack positions in one row.
    length: u64,
    /// Network racks of the row: first and last position.
    network: Option<(u64, u64)>,
    /// Only network racks.
    network_only: bool,
}

impl RowPlace {
    fn y_mid(&self) -> f64 {
        self.y0 + (self.count.saturating_sub(1)) as f64 * self.pitch / 2.0
    }
    fn x_of(&self, position: f64) -> f64 {
        position * self.width
    }
}

/// Rows of a site in order, with the positions of their racks.
fn places(site: &Site) -> Vec<RowPlace> {
    let mut out = Vec::new();
    let mut y = 0.0;
    for (hi, hall) in site.halls.iter().enumerate() {
        if hi > 0 {
            y += hall.row_pitch;
        }
        for row in &hall.rows {
            let mut x = 0u64;
            let mut network: Option<(u64, u64)> = None;
            let mut any_compute = false;
            for g in &row.racks {
                if g.role == RackRole::Network && g.per_row > 0 {
                    let (a, b) = (x, x + g.per_row - 1);
                    network = Some(network.map(|(p, q)| (p.min(a), q.max(b))).unwrap_or((a, b)));
                } else if g.per_row > 0 {
                    any_compute = true;
                }
                x = x.saturating_add(g.per_row);
            }
            out.push(RowPlace {
                y0: y,
                count: row.count,
                pitch: hall.row_pitch,
                width: hall.rack_width,
                length: x,
                network,
                network_only: network.is_some() && !any_compute,
            });
            y += row.count as f64 * hall.row_pitch;
        }
    }
    out
}

/// Where the spines and cores of a site stand, and how far apart their racks spread.
struct Spines {
    y: f64,
    x: f64,
    /// The longest run inside the network racks that hold them.
    span: f64,
}

fn spines(rows: &[RowPlace], spine_racks: u64) -> Spines {
    let width = rows.first().map(|r| r.width).unwrap_or(crate::ast::DEFAULT_RACK_WIDTH_M);
    let span = spine_racks.saturating_sub(1) as f64 * width;
    let at = rows.iter().find(|r| r.network_only).or_else(|| rows.iter().find(|r| r.network.is_some()));
    match at.and_then(|r| r.network.map(|n| (r, n))) {
        Some((r, (a, b))) => Spines { y: r.y_mid(), x: r.x_of((a + b) as f64 / 2.0), span },
        // Undeclared: a network row across the middle of the site, where the longest leaf uplinks
        // are half as long as from either end.
        None => {
            let end = rows.last().map(|r| r.y0 + r.count.saturating_sub(1) as f64 * r.pitch).unwrap_or(0.0);
            let longest = rows.iter().map(|r| r.x_of(r.length as f64)).fold(0.0, f64::max);
            Spines { y: end / 2.0, x: longest / 2.0, span }
        }
    }
}

/// The lengths of a fabric's links in one site.
fn site_lengths(
    site: &Site,
    role: NicRole,
    share: &super::network::SiteShare,
    racks: &NetworkRacks,
    fabric: usize,
) -> [Lengths; 3] {
    let rows = places(site);
    let spine_racks: u64 =
        racks.groups.iter().filter(|g| g.fabric == fabric && g.tier != super::bom::Tier::Leaf).map(|g| g.racks).sum();
    let sp = spines(&rows, spine_racks.max(1));
    // Network rows (network racks only): where a row without network racks has its leaves, the
    // nearest one (a network row per hall serves its hall).
    let network_rows: Vec<(f64, f64)> = rows
        .iter()
        .filter(|r| r.network_only)
        .filter_map(|r| r.network.map(|(a, b)| (r.y_mid(), r.x_of((a + b) as f64 / 2.0))))
        .collect();
    let mut host = Lengths::default();
    let mut up = Lengths::default();
    let mut top = Lengths::default();
    let endpoints = share.endpoints.max(1) as f64;
    let mut row_groups = site.halls.iter().flat_map(|h| h.rows.iter());
    for place in &rows {
        let Some(row) = row_groups.next() else { break };
        let mut x = 0u64;
        // Leaves of this row: in its network racks, else with the spines (declared network rows),
        // else at the end of the row.
        let nearest = network_rows
            .iter()
            .min_by(|a, b| (a.0 - place.y_mid()).abs().total_cmp(&(b.0 - place.y_mid()).abs()))
            .copied();
        // `leaf_row`: the network row holding this row's leaves, when they are not in the row.
        let (leaf_x, leaf_row) = match (place.network, nearest) {
            (Some((a, b)), _) if !place.network_only => (place.x_of((a + b) as f64 / 2.0), None),
            (_, Some((y, x))) => (x, Some(y)),
            _ => (place.x_of(place.length as f64), None),
        };
        let mut row_ports = 0u64;
        for g in &row.racks {
            let per_rack: u64 =
                g.systems().filter_map(|(s, n)| s.nic(role).map(|nic| nic.count.saturating_mul(n))).sum();
            if g.role == RackRole::Compute && per_rack > 0 && g.per_row > 0 {
                row_ports = row_ports.saturating_add(per_rack.saturating_mul(g.per_row));
                let x0 = place.x_of(x as f64);
                if let Some(leaf_y) = leaf_row {
                    for r in 0..place.count {
                        let dy = (place.y0 + r as f64 * place.pitch - leaf_y).abs();
                        host.add_run(dy + LINK_SLACK_M, x0, place.width, g.per_row, leaf_x, per_rack as f64);
                    }
                } else {
                    host.add_run(LINK_SLACK_M, x0, place.width, g.per_row, leaf_x, (per_rack * place.count) as f64);
                }
            }
            x = x.saturating_add(g.per_row);
        }
        if row_ports == 0 {
            continue;
        }
        // Leaf uplinks in proportion to the hosts the row's leaves serve.
        let per_row = share.clos.leaf_spine_links as f64 * row_ports as f64 / endpoints;
        if let Some(leaf_y) = leaf_row {
            // From the leaves' network row to the spines' (the same row: within its racks).
            let run = (leaf_y - sp.y).abs() + (leaf_x - sp.x).abs();
            up.add(run.max(sp.span) + LINK_SLACK_M, per_row * place.count as f64);
        } else {
            for r in 0..place.count {
                let dy = (place.y0 + r as f64 * place.pitch - sp.y).abs();
                up.add(dy + (leaf_x - sp.x).abs() + LINK_SLACK_M, per_row);
            }
        }
    }
    top.add(sp.span + LINK_SLACK_M, share.clos.spine_core_links as f64);
    [host, up, top]
}

/// The cheapest medium whose reach covers `length` among `parts` (copper before multimode before
/// single-mode, then the shortest reach that covers it, then price): the medium and the part.
/// When nothing covers it (of the pinned medium, or of any), the longest-reaching part.
fn choose<'c>(parts: &[&'c Transceiver], length: f64, pinned: Option<Medium>) -> Option<(Medium, &'c Transceiver)> {
    let medium_of = |t: &Transceiver| Medium::ALL.into_iter().find(|m| Some(m.catalog_name()) == t.medium);
    let mut options: Vec<(Medium, &Transceiver, f64)> =
        parts.iter().filter_map(|t| Some((medium_of(t)?, *t, t.reach?))).collect();
    options.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then(a.2.total_cmp(&b.2))
            .then(catalog_amount(a.1.price.as_ref()).total_cmp(&catalog_amount(b.1.price.as_ref())))
            .then(a.1.id.cmp(&b.1.id))
    });
    match pinned {
        Some(m) => {
            let of: Vec<&(Medium, &Transceiver, f64)> = options.iter().filter(|o| o.0 == m).collect();
            of.iter().find(|o| o.2 + 1e-9 >= length).or_else(|| of.last()).map(|o| (o.0, o.1))
        }
        // None reaches: the longest reach, which the cable-reach check reports as short.
        None => options
            .iter()
            .find(|o| o.2 + 1e-9 >= length)
            .or_else(|| options.iter().max_by(|a, b| a.2.total_cmp(&b.2)))
            .map(|o| (o.0, o.1)),
    }
}

/// Parts whose reach can decide a fabric's links: cables and switch-side modules at the switch's
/// cage speed (the lowest catalog speed at or above it).
fn reach_parts(catalog: &Catalog, cage: BitsPerSecond) -> Vec<&Transceiver> {
    let fits = |t: &&Transceiver| t.end != Some(LinkEnd::Host) && t.reach.is_some() && t.speed.0 >= cage.0 * 0.999;
    let lowest = catalog.transceivers().filter(fits).map(|t| t.speed.0).fold(f64::INFINITY, f64::min);
    catalog.transceivers().filter(fits).filter(|t| t.speed.0 <= lowest * 1.001).collect()
}

/// The link classes of every fabric.
pub fn plan(factory: &Factory, fabrics: &[FabricPlan], racks: &[NetworkRacks]) -> Vec<FabricLinks> {
    factory
        .fabrics
        .iter()
        .zip(fabrics)
        .enumerate()
        .map(|(fi, (fabric, fp))| {
            let Some((switch, _)) = fabric.switch else { return FabricLinks::default() };
            if fp.radix.is_none() {
                return FabricLinks::default();
            }
            let mut sums: [Lengths; 3] = Default::default();
            let mut links = [0u64; 3];
            for share in &fp.sites {
                let (Some(site), Some(nr)) = (factory.sites.get(share.site), racks.get(share.site)) else { continue };
                let got = site_lengths(site, fabric.nic_role(), share, nr, fi);
                for (sum, l) in sums.iter_mut().zip(got) {
                    for (c, add) in sum.counts.iter_mut().zip(&l.counts) {
                        *c += add;
                    }
                    for (len, w) in l.over {
                        match sum.over.iter_mut().find(|(x, _)| *x == len) {
                            Some((_, c)) => *c += w,
                            None => sum.over.push((len, w)),
                        }
                    }
                    sum.max = sum.max.max(l.max);
                }
                links[0] = links[0].saturating_add(share.clos.host_links);
                links[1] = links[1].saturating_add(share.clos.leaf_spine_links);
                links[2] = links[2].saturating_add(share.clos.spine_core_links);
            }
            let port = switch.radix_at(fp.endpoint_speed).map(|m| m.speed).unwrap_or(fp.endpoint_speed);
            let cage = BitsPerSecond(port.0 * fp.ports_per_cage.max(1) as f64);
            let parts = reach_parts(factory.catalog, cage);
            let pinned = fabric.medium.as_ref().map(|m| m.value);
            let kinds = [LinkKind::HostLeaf, LinkKind::LeafSpine, LinkKind::SpineCore];
            let classes = kinds
                .into_iter()
                .zip(sums.iter().zip(links))
                .filter(|(_, (_, n))| *n > 0)
                .map(|(kind, (l, n))| {
                    let chosen = choose(&parts, l.max, pinned);
                    LinkClass {
                        kind,
                        links: n,
                        // To the decimetre above, as lengths are measured.
                        max_m: ((l.max * 10.0) - 1e-6).ceil() / 10.0,
                        bins: l.bins(n),
                        medium: chosen.map(|c| c.0).or(pinned),
                        part: chosen.map(|c| c.1.id.clone()),
                        reach_m: chosen.and_then(|c| c.1.reach),
                        pinned: pinned.is_some(),
                    }
                })
                .collect();
            FabricLinks { classes }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_counts_positions_within_each_length() {
        let mut l = Lengths::default();
        // Ten racks 0.6 m apart, the leaf at the end (x = 6 m): 0.6 … 6 m plus 4 m slack.
        l.add_run(4.0, 0.0, 0.6, 10, 6.0, 1.0);
        let bins = l.bins(10);
        assert_eq!(bins.iter().map(|b| b.1).sum::<u64>(), 10);
        assert!((l.max - 10.0).abs() < 1e-9);
        // 4.6 m takes a 5 m cable, 5.2-7.0 m a 7 m one, 7.6-10 m a 10 m one.
        assert_eq!(bins, vec![(5.0, 1), (7.0, 4), (10.0, 5)]);
    }
}
