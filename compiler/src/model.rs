//! The resolved factory: every name bound, every part looked up in the catalog, defaults applied.
//! Repeated racks stay aggregated as groups with a count, so a million GPUs written with counts are
//! a handful of values here. Checks and projections read this; nothing looks parts up by string
//! after `resolve`.

use crate::ast::{FabricKind, FabricRole, FacilityModel, Medium, Precision, RackRole, Redundancy, TopologyKind};
use crate::catalog::{
    Catalog, Cdu, Enclosure, Gpu, Model, ModelId, NicRole, Pdu, Software as SoftwareProduct, SoftwareRelease, Switch,
    System,
};
use crate::lower::read::Spanned;
use crate::source::Span;
use crate::units::{Celsius, Kilograms, Money, Pascals, Seconds, Watts};

#[derive(Debug)]
pub struct Factory<'a> {
    /// The catalog the parts below are bound in: `catalog[system.gpu]` is a system's GPU.
    pub catalog: &'a Catalog,
    pub name: Spanned<String>,
    pub description: Option<String>,
    pub region: Option<Spanned<String>>,
    pub currency: String,
    pub sites: Vec<Site<'a>>,
    pub fabrics: Vec<Fabric<'a>>,
    pub workloads: Vec<Workload<'a>>,
    pub quote: QuoteSettings,
    /// Beyond the expansion limits (E0303): nothing is projected or checked further.
    pub too_large: bool,
    /// Some racks or systems could not be resolved, or their counts read (their errors are
    /// reported): GPU totals are incomplete, so rules that count GPUs stay quiet.
    pub parts_unresolved: bool,
    pub span: Span,
}

#[derive(Debug)]
pub struct Site<'a> {
    pub name: Spanned<String>,
    pub region: Option<Spanned<String>>,
    pub tier: Option<Spanned<u8>>,
    pub power: Power,
    pub loops: Vec<Loop<'a>>,
    pub air_capacity: Option<Spanned<Watts>>,
    /// No cooling block, or an `air` line that could not be read: the air rule stays quiet.
    pub air_unknown: bool,
    pub cooling_span: Option<Span>,
    pub halls: Vec<Hall<'a>>,
    pub software: EffectiveSoftware<'a>,
    pub span: Span,
}

#[derive(Debug)]
pub struct Power {
    pub feeds: Vec<Feed>,
    pub redundancy: Spanned<Redundancy>,
    pub pue: f64,
    pub peak_pue: f64,
    pub energy_price_per_kwh: Option<Money>,
    /// An `energy-price` was written but rejected (its error says why): no default-price warning.
    pub energy_price_rejected: bool,
    /// Some of the power block could not be read; power rules stay quiet.
    pub incomplete: bool,
    pub span: Span,
}

#[derive(Debug)]
pub struct Feed {
    pub name: Spanned<String>,
    pub capacity: Spanned<Watts>,
    /// Its side under 2N (assigned by position when exactly two feeds give no side).
    pub side: Option<FeedSide>,
    pub span: Span,
}

/// One of the two independent sides of a 2N power design.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeedSide {
    A,
    B,
}

impl FeedSide {
    pub const BOTH: [FeedSide; 2] = [FeedSide::A, FeedSide::B];

    /// The side as written (`side="A"`).
    pub fn parse(s: &str) -> Option<FeedSide> {
        match s {
            "A" => Some(FeedSide::A),
            "B" => Some(FeedSide::B),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FeedSide::A => "A",
            FeedSide::B => "B",
        }
    }
}

#[derive(Debug)]
pub struct Loop<'a> {
    pub name: Spanned<String>,
    pub supply: Spanned<Celsius>,
    pub return_temp: Option<Spanned<Celsius>>,
    /// The facility (primary) water the loop's CDUs receive, when the blueprint states it.
    pub facility_water: Option<Spanned<Celsius>>,
    pub cdus: Vec<CduGroup<'a>>,
    /// A CDU line named a part that is not a CDU: the capacity rule stays quiet.
    pub incomplete: bool,
    pub span: Span,
}

#[derive(Debug)]
pub struct CduGroup<'a> {
    pub cdu: &'a Cdu,
    pub count: u64,
    pub redundancy: Spanned<Redundancy>,
    pub span: Span,
}

#[derive(Debug)]
pub struct Hall<'a> {
    pub name: Spanned<String>,
    /// Width of one rack position along a row, metres (`rack-width`, default 600 mm).
    pub rack_width: f64,
    /// Distance between neighbouring row centres, metres (`row-pitch`, default 2.4 m).
    pub row_pitch: f64,
    /// The floor's rating, when the blueprint states it.
    pub floor_load: Option<Spanned<Pascals>>,
    pub rows: Vec<RowGroup<'a>>,
    pub span: Span,
}

/// `row NAME count=N`: N identical rows, named NAME01…NAMEnn when N > 1.
#[derive(Debug)]
pub struct RowGroup<'a> {
    pub name: Spanned<String>,
    pub count: u64,
    pub racks: Vec<RackGroup<'a>>,
    pub span: Span,
}

impl RowGroup<'_> {
    /// The name of the `i`-th row (0-based) of this group.
    pub fn row_name(&self, i: u64) -> String {
        if self.count <= 1 && i == 0 {
            return self.name.value.clone();
        }
        let width = self.count.to_string().len().max(2);
        format!("{}{:0width$}", self.name.value, i + 1)
    }
}

#[derive(Debug)]
pub enum RackContents<'a> {
    /// A rack-scale system that is its own rack.
    RackScale(&'a System),
    /// An enclosure holding servers.
    Enclosure { enclosure: &'a Enclosure, systems: Vec<SystemGroup<'a>> },
}

#[derive(Debug)]
pub struct SystemGroup<'a> {
    pub system: &'a System,
    pub count: u64,
    pub span: Span,
}

/// `rack PART count=N` in a row group: `per_row` racks in each of the row group's rows.
#[derive(Debug)]
pub struct RackGroup<'a> {
    pub contents: RackContents<'a>,
    pub per_row: u64,
    /// Compute racks hold systems; network racks hold the fabrics' switches.
    pub role: RackRole,
    pub role_span: Option<Span>,
    pub loop_index: Option<usize>,
    pub loop_span: Option<Span>,
    /// The PDUs the blueprint declares for an enclosure rack; `None`: the plan picks them.
    pub pdu: Option<PduGroup<'a>>,
    pub part_span: Span,
    pub span: Span,
}

/// `pdu PART count=N redundancy=R` in an enclosure rack.
#[derive(Debug)]
pub struct PduGroup<'a> {
    pub pdu: &'a Pdu,
    pub count: u64,
    pub redundancy: Spanned<Redundancy>,
    pub part_span: Span,
    pub span: Span,
}

impl<'a> RackGroup<'a> {
    /// Systems in one rack, with their counts.
    pub fn systems(&self) -> impl Iterator<Item = (&'a System, u64)> + '_ {
        // Called for every rack group by every projection: an iterator, not a fresh Vec each time.
        let (one, inside): (Option<(&'a System, u64)>, &[SystemGroup<'a>]) = match &self.contents {
            RackContents::RackScale(s) => (Some((*s, 1)), &[]),
            RackContents::Enclosure { systems, .. } => (None, systems.as_slice()),
        };
        one.into_iter().chain(inside.iter().map(|g| (g.system, g.count)))
    }

    pub fn part_id(&self) -> &'a str {
        match &self.contents {
            RackContents::RackScale(s) => &s.id,
            RackContents::Enclosure { enclosure, .. } => &enclosure.id,
        }
    }

    /// Per rack: GPUs.
    pub fn gpus(&self) -> u64 {
        self.systems().map(|(s, n)| s.gpu_count.saturating_mul(n)).sum()
    }

    /// Per rack: nominal IT power.
    pub fn power_nominal(&self) -> Watts {
        self.systems().map(|(s, n)| s.power_nominal * (n as f64)).sum()
    }

    /// Per rack: IT power at maximum sustained draw (the catalog's `peak`).
    pub fn power_peak(&self) -> Watts {
        self.systems().map(|(s, n)| s.power_peak * (n as f64)).sum()
    }

    /// Per rack: IT power in a transient, for the systems whose catalog entry gives a transient
    /// figure (the others at their maximum); `None` when no system here has one.
    pub fn power_transient(&self) -> Option<Watts> {
        if self.systems().all(|(s, _)| s.power_transient.is_none()) {
            return None;
        }
        Some(self.systems().map(|(s, n)| s.power_transient.unwrap_or(s.power_peak) * (n as f64)).sum())
    }

    /// Per rack: idle IT power.
    pub fn power_idle(&self) -> Watts {
        self.systems().map(|(s, n)| s.power_idle * (n as f64)).sum()
    }

    /// Per rack: heat to liquid (direct liquid cooling) at nominal power.
    pub fn liquid_heat(&self) -> Watts {
        self.systems().map(|(s, n)| s.power_nominal * (n as f64 * s.liquid_fraction)).sum()
    }

    /// Per rack: heat the systems reject to air at nominal power.
    pub fn air_heat(&self) -> Watts {
        self.power_nominal() - self.liquid_heat()
    }

    /// Per rack: heat to liquid at maximum sustained draw, what a CDU must remove on the worst day.
    pub fn liquid_heat_max(&self) -> Watts {
        self.systems().map(|(s, n)| s.power_peak * (n as f64 * s.liquid_fraction)).sum()
    }

    /// Per rack: heat to air at maximum sustained draw.
    pub fn air_heat_max(&self) -> Watts {
        self.power_peak() - self.liquid_heat_max()
    }

    /// Per rack: weight of enclosure and systems.
    pub fn weight(&self) -> Kilograms {
        let systems: Kilograms = self.systems().map(|(s, n)| s.weight * (n as f64)).sum();
        match &self.contents {
            RackContents::RackScale(_) => systems,
            RackContents::Enclosure { enclosure, .. } => systems + enclosure.weight,
        }
    }

    /// Per rack: rack units used by systems.
    pub fn rack_units_used(&self) -> u64 {
        match &self.contents {
            RackContents::RackScale(s) => s.rack_units,
            RackContents::Enclosure { systems, .. } => {
                systems.iter().map(|g| g.system.rack_units.saturating_mul(g.count)).sum()
            }
        }
    }
}

#[derive(Debug)]
pub struct Fabric<'a> {
    pub name: Spanned<String>,
    pub kind: Spanned<FabricKind>,
    pub role: FabricRole,
    pub role_span: Option<Span>,
    /// The site it serves; `None` means every site.
    pub site: Option<usize>,
    pub site_span: Option<Span>,
    pub switch: Option<(&'a Switch, Span)>,
    pub topology: TopologyKind,
    pub tiers: Option<Spanned<u64>>,
    pub oversubscription: f64,
    pub oversubscription_span: Option<Span>,
    /// The fewest spines a multi-tier instance of the fabric is built with (1 unless the blueprint
    /// says `min-spines=`).
    pub min_spines: u64,
    /// The medium the blueprint pins for every link (`None`: the plan picks per link class).
    pub medium: Option<Spanned<Medium>>,
    pub span: Span,
}

impl Fabric<'_> {
    /// The NIC ports of each system this fabric serves.
    pub fn nic_role(&self) -> NicRole {
        nic_role(self.role)
    }
}

/// The NIC ports a fabric of a role serves: the compute (east-west) fabric the ConnectX compute
/// ports, frontend and storage fabrics the BlueField (frontend) ports.
pub fn nic_role(role: FabricRole) -> NicRole {
    match role {
        FabricRole::Compute => NicRole::Compute,
        FabricRole::Frontend | FabricRole::Storage => NicRole::Frontend,
    }
}

/// The software of one site: the top-level block with the site's own block laid over it, key by key.
#[derive(Debug, Default)]
pub struct EffectiveSoftware<'a> {
    pub os: Option<Spanned<String>>,
    pub driver: Option<VersionRef<'a>>,
    pub cuda: Option<VersionRef<'a>>,
    pub rocm: Option<VersionRef<'a>>,
    pub kubernetes: Option<VersionRef<'a>>,
    pub gpu_operator: Option<VersionRef<'a>>,
    /// The NVIDIA DRA driver for GPUs (ComputeDomains for multi-node NVLink).
    pub dra_driver: Option<VersionRef<'a>>,
    pub serving: Vec<ServingRef<'a>>,
    pub span: Option<Span>,
}

/// A version the blueprint names, with the catalog release it falls under (if known).
#[derive(Debug)]
pub struct VersionRef<'a> {
    pub version: Spanned<String>,
    pub product: Option<&'a SoftwareProduct>,
    pub release: Option<&'a SoftwareRelease>,
}

impl<'a> VersionRef<'a> {
    /// The full version the targets emit: the newest catalog build the written version is a
    /// prefix of (`580.95` → `580.95.05`), or the version as written when the catalog has none.
    pub fn emitted(&self) -> &str {
        self.release.and_then(|r| r.build_for(&self.version.value)).unwrap_or(&self.version.value)
    }

    /// Whether the written version is complete as it stands: three numeric parts, the form NVIDIA
    /// driver images are tagged with.
    pub fn is_full(&self) -> bool {
        crate::catalog::version_parts(&self.version.value).len() >= 3
    }
}

#[derive(Debug)]
pub struct ServingRef<'a> {
    pub engine: Spanned<String>,
    pub version: VersionRef<'a>,
    pub backend: Option<Spanned<&'static str>>,
    pub span: Span,
}

#[derive(Debug)]
pub struct Workload<'a> {
    pub name: Spanned<String>,
    pub model: &'a Model,
    pub model_id: ModelId,
    pub model_span: Span,
    pub precision: Spanned<Precision>,
    pub input_tokens: Spanned<u64>,
    pub output_tokens: Spanned<u64>,
    pub tokens_span: Span,
    pub ttft: Option<Spanned<Seconds>>,
    pub tpot: Option<Spanned<Seconds>>,
    pub slo_span: Option<Span>,
    pub gpus: Spanned<u64>,
    /// `serving mode=…` when written; `None` lets the search pick.
    pub serving_mode: Option<Spanned<crate::ast::ServingMode>>,
    /// The system type it runs on: the factory's most numerous GPU system.
    pub system: Option<&'a System>,
    pub gpu: Option<&'a Gpu>,
    pub span: Span,
}

#[derive(Debug)]
pub struct QuoteSettings {
    pub margin: f64,
    pub amortize_years: u64,
    pub utilization: f64,
    pub price_overrides: Vec<(String, Spanned<Money>)>,
    /// Which settings were written, for the quote's assumptions list.
    pub written: bool,
    /// `exchange-rate` lines: one unit of the named currency in the factory currency.
    pub exchange_rates: Vec<(String, Spanned<f64>)>,
    pub facility: FacilityModel,
    /// The settings left at the language's defaults (`margin`, `amortize`, `utilization`,
    /// `facility`), for the quote's assumptions.
    pub defaulted: Vec<&'static str>,
    /// The heading the customer reads (`customer`, `reference`, `date`, `valid-until`, `terms`).
    pub heading: QuoteHeading,
    /// Where the `quote` block is, when written.
    pub span: Option<Span>,
}

/// Who a quote is for and on what terms, as the blueprint writes them; dates are ISO text.
#[derive(Debug, Default)]
pub struct QuoteHeading {
    pub customer: Option<String>,
    pub reference: Option<String>,
    pub date: Option<String>,
    pub valid_until: Option<String>,
    pub terms: Option<String>,
}

impl<'a> Site<'a> {
    /// Every rack group of the site with its row group.
    pub fn rack_groups(&self) -> impl Iterator<Item = (&RowGroup<'a>, &RackGroup<'a>)> {
        self.halls.iter().flat_map(|h| h.rows.iter()).flat_map(|r| r.racks.iter().map(move |g| (r, g)))
    }

    /// Whether any rack of the site holds this system (the same catalog part).
    pub fn holds(&self, system: &System) -> bool {
        self.gpu_systems().any(|(s, _)| std::ptr::eq(s, system))
    }

    /// The GPUs of the site, by architecture.
    pub fn gpu_systems(&self) -> impl Iterator<Item = (&'a System, u64)> + '_ {
        self.rack_groups().flat_map(|(row, g)| {
            let racks = row.count.saturating_mul(g.per_row);
            g.systems().map(move |(s, n)| (s, n.saturating_mul(racks)))
        })
    }
}

impl<'a> Factory<'a> {
    /// The GPU a system carries.
    pub fn gpu(&self, system: &System) -> &'a Gpu {
        &self.catalog[system.gpu]
    }

    pub fn total_gpus(&self) -> u64 {
        self.sites.iter().flat_map(|s| s.gpu_systems()).map(|(s, n)| s.gpu_count.saturating_mul(n)).sum()
    }
}
