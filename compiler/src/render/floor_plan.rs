//! Floor plans: each hall drawn to scale, rows of racks coloured by their power, for the quote
//! page. Coordinates and labels are text here so the templates do no arithmetic.

use crate::format::{count, decimals, num, power_kw, px};
use crate::model::{Factory, Hall, RackContents, RackGroup, RowGroup};
use serde::Serialize;

/// Rack footprint and row pitch for the floor plans (a 600 × 1200 mm rack, a 1.2 m aisle).
const RACK_WIDTH_M: f64 = 0.6;
const RACK_DEPTH_M: f64 = 1.2;
const AISLE_M: f64 = 1.2;
const MARGIN_M: f64 = 1.0;
/// The fill of network racks (a violet apart from the power scale's blues, yellows and reds).
const NETWORK_FILL: &str = "#9575cd";
/// Room on the left of a floor plan for row names.
const LABEL_PX: f64 = 56.0;
const DRAWING_WIDTH_PX: f64 = 720.0;
const DRAWING_HEIGHT_PX: f64 = 480.0;

/// One hall drawn to scale: rows of racks, each rack coloured by its power.
#[derive(Clone, Debug, Serialize)]
pub struct FloorPlan {
    pub site: String,
    pub hall: String,
    /// Unique in the page, for SVG ids.
    pub id: String,
    pub width_px: String,
    pub height_px: String,
    pub scale_text: String,
    pub racks: u64,
    pub power_text: String,
    pub rows: Vec<RowDraw>,
    /// One tile per rack kind: a rack outline filled with its colour, repeated along a row.
    pub tiles: Vec<RackTile>,
    pub legend: Vec<LegendEntry>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RowDraw {
    pub name: String,
    /// Labelled when there is room: every row at a readable scale, every n-th one when dense.
    pub labelled: bool,
    pub label_x: String,
    pub label_y: String,
    pub runs: Vec<RackRun>,
}

/// Consecutive identical racks in a row: one rectangle filled with the rack tile.
#[derive(Clone, Debug, Serialize)]
pub struct RackRun {
    pub x: String,
    pub y: String,
    pub width: String,
    pub height: String,
    pub tile: String,
    pub title: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct RackTile {
    pub id: String,
    pub width: String,
    pub height: String,
    pub inner_width: String,
    pub inner_height: String,
    pub fill: String,
    /// The outline's width: thinner when racks are drawn small.
    pub stroke: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct LegendEntry {
    pub fill: String,
    pub label: String,
}

/// A colour for a rack's power: pale blue for a few kW, through yellow and orange, to red at
/// 130 kW and above.
pub fn kw_colour(kw: f64) -> String {
    const STOPS: &[(f64, (u8, u8, u8))] = &[
        (0.0, (0xdb, 0xea, 0xfe)),
        (15.0, (0x93, 0xc5, 0xfd)),
        (40.0, (0xfd, 0xe0, 0x47)),
        (80.0, (0xfb, 0x92, 0x3c)),
        (130.0, (0xdc, 0x26, 0x26)),
    ];
    let mut prev = (0.0, (0xdb, 0xea, 0xfe));
    for &(at, c) in STOPS {
        if kw <= at {
            let t = if at > prev.0 { ((kw - prev.0) / (at - prev.0)).clamp(0.0, 1.0) } else { 1.0 };
            let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
            return format!("#{:02x}{:02x}{:02x}", mix(prev.1 .0, c.0), mix(prev.1 .1, c.1), mix(prev.1 .2, c.2));
        }
        prev = (at, c);
    }
    let c = prev.1;
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// Every hall of the factory, drawn to scale.
pub fn floor_plans(factory: &Factory) -> Vec<FloorPlan> {
    let mut out = Vec::new();
    for (si, site) in factory.sites.iter().enumerate() {
        for (hi, hall) in site.halls.iter().enumerate() {
            out.push(hall_plan(format!("s{si}h{hi}"), &site.name.value, hall));
        }
    }
    out
}

/// One hall's drawing as it is built: the scale, the tiles and rack kinds seen so far.
struct Drawing {
    id: String,
    scale: f64,
    /// A rack's width and depth in pixels.
    rack_px: (f64, f64),
    tiles: Vec<RackTile>,
    /// Rack kinds for the legend: what is in the rack, its power, how many, its fill.
    kinds: Vec<(String, f64, u64, String)>,
    racks: u64,
    power_kw: f64,
}

impl Drawing {
    /// The tile id for racks of `fill`, adding the tile on first use.
    fn tile(&mut self, fill: String) -> String {
        if let Some(i) = self.tiles.iter().position(|t| t.fill == fill) {
            return format!("{}-t{i}", self.id);
        }
        let (rw, rd) = self.rack_px;
        let id = format!("{}-t{}", self.id, self.tiles.len());
        self.tiles.push(RackTile {
            id: id.clone(),
            width: px(rw),
            height: px(rd),
            inner_width: px((rw - 1.0).max(0.5)),
            inner_height: px((rd - 1.0).max(0.5)),
            fill,
            stroke: decimals((rw * 0.08).min(0.6), 2),
        });
        id
    }

    /// A group's racks in one row, drawn from `x`, counted for the legend and totals.
    fn run(&mut self, group: &RackGroup, x: f64, y: f64) -> RackRun {
        let kw = group.power_nominal().kw() + 0.0;
        let network = group.role == crate::ast::RackRole::Network;
        // Network racks in one colour of their own: their switches' power is in the site's IT
        // power, not in any rack's systems.
        let fill = if network { NETWORK_FILL.to_string() } else { kw_colour(kw) };
        let tile = self.tile(fill.clone());
        self.racks = self.racks.saturating_add(group.per_row);
        self.power_kw += kw * group.per_row as f64;
        let part = group.part_id().to_string();
        let what = match &group.contents {
            RackContents::RackScale(_) => part,
            RackContents::Enclosure { .. } if network => format!("{part}, network rack for the fabrics' switches"),
            RackContents::Enclosure { systems, .. } => format!(
                "{part} with {}",
                systems.iter().map(|g| format!("{} × {}", g.count, g.system.id)).collect::<Vec<_>>().join(", ")
            ),
        };
        match self.kinds.iter_mut().find(|(p, k, _, _)| *p == what && (*k - kw).abs() < 1e-9) {
            Some(k) => k.2 = k.2.saturating_add(group.per_row),
            None => self.kinds.push((what.clone(), kw, group.per_row, fill)),
        }
        let (rw, rd) = self.rack_px;
        RackRun {
            x: px(x),
            y: px(y),
            width: px(rw * group.per_row as f64),
            height: px(rd),
            tile,
            title: format!("{} racks: {what}, {} each", group.per_row, power_kw(kw)),
        }
    }

    /// The racks of one row, left to right.
    fn row(&mut self, row: &RowGroup, y: f64) -> Vec<RackRun> {
        let mut x = LABEL_PX + MARGIN_M * self.scale;
        let mut runs = Vec::new();
        for group in row.racks.iter().filter(|g| g.per_row > 0) {
            runs.push(self.run(group, x, y));
            x += self.rack_px.0 * group.per_row as f64;
        }
        runs
    }
}

fn hall_plan(id: String, site: &str, hall: &Hall) -> FloorPlan {
    let rows: u64 = hall.rows.iter().map(|r| r.count).sum();
    let widest = hall.rows.iter().map(|r| r.racks.iter().map(|g| g.per_row).sum::<u64>()).max().unwrap_or(0);
    let width_m = widest as f64 * RACK_WIDTH_M + 2.0 * MARGIN_M;
    let depth_m = rows as f64 * (RACK_DEPTH_M + AISLE_M) - AISLE_M + 2.0 * MARGIN_M;
    // One scale for both directions: the hall fits the page's width and a screen's height.
    let scale =
        ((DRAWING_WIDTH_PX - LABEL_PX) / width_m.max(1.0)).min(DRAWING_HEIGHT_PX / depth_m.max(1.0)).clamp(2.0, 40.0);
    let rack_px = (RACK_WIDTH_M * scale, RACK_DEPTH_M * scale);
    // Row names need about 12 px each.
    let label_every = (12.0 / ((RACK_DEPTH_M + AISLE_M) * scale)).ceil().max(1.0) as u64;
    let mut d = Drawing { id, scale, rack_px, tiles: Vec::new(), kinds: Vec::new(), racks: 0, power_kw: 0.0 };
    let mut draws = Vec::new();
    let mut row_index = 0u64;
    for row in &hall.rows {
        for ri in 0..row.count {
            let y = (MARGIN_M + row_index as f64 * (RACK_DEPTH_M + AISLE_M)) * scale;
            draws.push(RowDraw {
                name: row.row_name(ri),
                labelled: row_index.is_multiple_of(label_every),
                label_x: px(4.0),
                label_y: px((y + rack_px.1 * 0.5 + 4.0).max(11.0)),
                runs: d.row(row, y),
            });
            row_index += 1;
        }
    }
    let legend = d
        .kinds
        .iter()
        .map(|(part, kw, n, fill)| LegendEntry {
            fill: fill.clone(),
            label: format!("{part}: {} per rack, {} racks", power_kw(*kw), count(*n as f64)),
        })
        .collect();
    FloorPlan {
        site: site.to_string(),
        hall: hall.name.value.clone(),
        id: d.id,
        width_px: px(LABEL_PX + width_m * scale),
        height_px: px(depth_m * scale),
        scale_text: format!(
            "{} m × {} m; racks 0.6 m × 1.2 m, aisles 1.2 m; 1 m = {} px",
            num((width_m * 10.0).round() / 10.0),
            num((depth_m * 10.0).round() / 10.0),
            num((scale * 10.0).round() / 10.0)
        ),
        racks: d.racks,
        power_text: power_kw(d.power_kw),
        rows: draws,
        tiles: d.tiles,
        legend,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_follow_rack_power() {
        assert_eq!(kw_colour(0.0), "#dbeafe");
        assert_eq!(kw_colour(200.0), "#dc2626");
    }
}
