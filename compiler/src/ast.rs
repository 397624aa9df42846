//! The blueprint as written: typed, with spans, defaults not yet applied where a rule needs to
//! know whether the user said something. Names are not resolved yet; parts are still ids.

use crate::lower::read::Spanned;
use crate::source::Span;
pub use crate::units::Precision;
use crate::units::{Celsius, Money, Seconds, Watts};

pub type Name = Spanned<String>;

#[derive(Clone, Debug, Default)]
pub struct Blueprint {
    pub factory: Option<Factory>,
    pub sites: Vec<Site>,
    pub fabrics: Vec<Fabric>,
    pub software: Option<Software>,
    pub workloads: Vec<Workload>,
    pub quote: Option<Quote>,
    /// A count inside a `site` could not be read (its error is reported): GPU totals are
    /// incomplete.
    pub site_counts_rejected: bool,
}

#[derive(Clone, Debug)]
pub struct Factory {
    pub name: Name,
    pub description: Option<Spanned<String>>,
    pub region: Option<Name>,
    /// ISO code; `USD` (spanned at the factory's name) when not written.
    pub currency: Spanned<String>,
    /// How the currency was given: written and valid, written but invalid, or not written.
    pub currency_source: CurrencySource,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CurrencySource {
    Written,
    Invalid,
    Default,
}

#[derive(Clone, Debug)]
pub struct Site {
    pub name: Name,
    pub region: Option<Name>,
    pub tier: Option<Spanned<u8>>,
    pub power: Option<Power>,
    pub cooling: Option<Cooling>,
    pub halls: Vec<Hall>,
    pub software: Option<Software>,
    /// Whether any `rack` node is written in the site (read or not).
    pub has_rack_nodes: bool,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Redundancy {
    N,
    NPlus1,
    TwoN,
}

impl Redundancy {
    pub const CHOICES: &'static [&'static str] = &["N", "N+1", "2N"];

    pub fn parse(s: &str) -> Option<Redundancy> {
        match s {
            "N" => Some(Redundancy::N),
            "N+1" => Some(Redundancy::NPlus1),
            "2N" => Some(Redundancy::TwoN),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Redundancy::N => "N",
            Redundancy::NPlus1 => "N+1",
            Redundancy::TwoN => "2N",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Power {
    pub feeds: Vec<Feed>,
    /// `N` (spanned at `power`) when not written.
    pub redundancy: Spanned<Redundancy>,
    pub pue: Option<Spanned<f64>>,
    pub peak_pue: Option<Spanned<f64>>,
    pub energy_price: Option<EnergyPrice>,
    /// An `energy-price` was written but could not be read (its error is reported).
    pub energy_price_rejected: bool,
    /// A feed or the redundancy was written but could not be read: power rules that would judge an
    /// incomplete picture stay quiet (the reading error is reported).
    pub incomplete: bool,
    pub span: Span,
}

impl Power {
    /// Annual PUE, for energy (default 1.3).
    pub fn pue(&self) -> f64 {
        self.pue.as_ref().map(|p| p.value).unwrap_or(DEFAULT_PUE)
    }

    /// Design-day PUE, for sizing (default: the annual PUE).
    pub fn peak_pue(&self) -> f64 {
        self.peak_pue.as_ref().map(|p| p.value).unwrap_or_else(|| self.pue())
    }
}

/// The default width of a rack position along a row: 600 mm, the common width of 19-inch server
/// enclosures (EIA-310 racks are 19 in between rails, and 600 mm wide cabinets are the usual server
/// footprint, e.g. APC NetShelter SX 600 mm models). Used until the catalog states enclosure widths.
pub const DEFAULT_RACK_WIDTH_M: f64 = 0.6;

/// The default distance between neighbouring row centres: an estimate of 2.4 m, a 1.2 m deep
/// enclosure (the catalog's 48U racks are 1,200 mm deep) plus one 1.2 m aisle (two 600 mm floor
/// tiles; TIA-942 recommends at least 1.2 m of clearance in front of racks), as hot and cold
/// aisles alternate between rows.
pub const DEFAULT_ROW_PITCH_M: f64 = 2.4;

/// The language's default annual PUE.
pub const DEFAULT_PUE: f64 = 1.3;

#[derive(Clone, Debug)]
pub struct Feed {
    pub name: Name,
    pub capacity: Spanned<Watts>,
    pub side: Option<Spanned<&'static str>>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct EnergyPrice {
    /// Price per kWh, whatever unit was written.
    pub per_kwh: Money,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Cooling {
    pub loops: Vec<Loop>,
    pub air: Option<Spanned<Watts>>,
    /// `air` was written but its capacity could not be read.
    pub air_unreadable: bool,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Loop {
    pub name: Name,
    pub supply: Spanned<Celsius>,
    pub return_temp: Option<Spanned<Celsius>>,
    /// The facility (primary) water the loop's CDUs receive, when the blueprint states it.
    pub facility_water: Option<Spanned<Celsius>>,
    pub cdus: Vec<CduGroup>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct CduGroup {
    pub part: Name,
    pub count: Spanned<u64>,
    pub redundancy: Spanned<Redundancy>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Hall {
    pub name: Name,
    /// `rack-width=(mm)600`: the width of one rack position along a row, in metres.
    pub rack_width: Option<Spanned<f64>>,
    /// `row-pitch=(m)2.4`: the distance between the centres of neighbouring rows, in metres.
    pub row_pitch: Option<Spanned<f64>>,
    /// `floor-load=(kPa)12`: the floor's rating in N/m², when the blueprint states it.
    pub floor_load: Option<Spanned<f64>>,
    pub rows: Vec<Row>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Row {
    pub name: Name,
    pub count: Option<Spanned<u64>>,
    pub racks: Vec<RackGroup>,
    pub span: Span,
}

impl Row {
    pub fn count(&self) -> u64 {
        self.count.as_ref().map(|c| c.value).unwrap_or(1)
    }
}

#[derive(Clone, Debug)]
pub struct RackGroup {
    pub part: Name,
    pub count: Option<Spanned<u64>>,
    pub loop_ref: Option<Name>,
    /// `role="network"`: a rack for the fabrics' switches (default: compute).
    pub role: Option<Spanned<RackRole>>,
    pub systems: Vec<SystemGroup>,
    /// `pdu PART count=2 redundancy="2N"` inside an enclosure rack; `None`: the plan picks them.
    pub pdu: Option<PduGroup>,
    pub span: Span,
}

/// The PDUs of one rack: `pdu PART count=N redundancy="2N"`.
#[derive(Clone, Debug)]
pub struct PduGroup {
    pub part: Name,
    /// Default 2.
    pub count: Option<Spanned<u64>>,
    /// Default 2N (A/B sides).
    pub redundancy: Option<Spanned<Redundancy>>,
    pub span: Span,
}

impl RackGroup {
    pub fn count(&self) -> u64 {
        self.count.as_ref().map(|c| c.value).unwrap_or(1)
    }
}

#[derive(Clone, Debug)]
pub struct SystemGroup {
    pub part: Name,
    pub count: Option<Spanned<u64>>,
    pub span: Span,
}

impl SystemGroup {
    pub fn count(&self) -> u64 {
        self.count.as_ref().map(|c| c.value).unwrap_or(1)
    }
}

/// What a rack holds: systems (compute) or the fabrics' switches (network).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RackRole {
    #[default]
    Compute,
    Network,
}

impl RackRole {
    pub const CHOICES: &'static [&'static str] = &["compute", "network"];

    pub fn parse(s: &str) -> Option<RackRole> {
        match s {
            "compute" => Some(RackRole::Compute),
            "network" => Some(RackRole::Network),
            _ => None,
        }
    }
}

/// The physical medium of a fabric's links: copper (DAC/ACC), multimode or single-mode fibre.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Medium {
    Copper,
    Multimode,
    SingleMode,
}

impl Medium {
    pub const CHOICES: &'static [&'static str] = &["copper", "multimode", "singlemode", "single-mode"];
    pub const ALL: [Medium; 3] = [Medium::Copper, Medium::Multimode, Medium::SingleMode];

    pub fn parse(s: &str) -> Option<Medium> {
        match s {
            "copper" => Some(Medium::Copper),
            "multimode" => Some(Medium::Multimode),
            "singlemode" | "single-mode" => Some(Medium::SingleMode),
            _ => None,
        }
    }

    /// The name the catalog's `medium` lines use.
    pub fn catalog_name(self) -> &'static str {
        match self {
            Medium::Copper => "copper",
            Medium::Multimode => "multimode",
            Medium::SingleMode => "single-mode",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FabricKind {
    Infiniband,
    Ethernet,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FabricRole {
    Compute,
    Frontend,
    Storage,
}

impl FabricRole {
    pub fn as_str(self) -> &'static str {
        match self {
            FabricRole::Compute => "compute",
            FabricRole::Frontend => "frontend",
            FabricRole::Storage => "storage",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TopologyKind {
    FatTree,
    LeafSpine,
}

#[derive(Clone, Debug)]
pub struct Fabric {
    pub name: Name,
    pub kind: Spanned<FabricKind>,
    pub role: Option<Spanned<FabricRole>>,
    pub site: Option<Name>,
    pub switch: Option<Name>,
    pub topology: Option<Topology>,
    /// `medium "copper"|"multimode"|"singlemode"`: every link of the fabric in one medium.
    pub medium: Option<Spanned<Medium>>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Topology {
    pub kind: Spanned<TopologyKind>,
    pub tiers: Option<Spanned<u64>>,
    pub oversubscription: Option<Spanned<f64>>,
    /// `min-spines=2`: the fewest spines a two- or three-tier fabric is built with.
    pub min_spines: Option<Spanned<u64>>,
    pub span: Span,
}

#[derive(Clone, Debug, Default)]
pub struct Software {
    pub os: Option<Spanned<String>>,
    pub driver: Option<Spanned<String>>,
    pub cuda: Option<Spanned<String>>,
    pub rocm: Option<Spanned<String>>,
    pub kubernetes: Option<Spanned<String>>,
    pub gpu_operator: Option<Spanned<String>>,
    pub dra_driver: Option<Spanned<String>>,
    pub serving: Vec<Serving>,
    pub span: Option<Span>,
}

#[derive(Clone, Debug)]
pub struct Serving {
    pub engine: Spanned<String>,
    pub version: Spanned<String>,
    pub backend: Option<Spanned<&'static str>>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Workload {
    pub name: Name,
    pub model: Option<Name>,
    pub precision: Option<Spanned<Precision>>,
    pub tokens: Option<Tokens>,
    pub slo: Option<Slo>,
    pub gpus: Option<Spanned<u64>>,
    /// `serving mode="aggregated"|"disaggregated"`; not written: the search tries both.
    pub serving: Option<Spanned<ServingMode>>,
    pub span: Span,
}

/// How a workload's prefill and decode share GPUs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServingMode {
    /// Every replica runs both phases.
    Aggregated,
    /// Separate prefill and decode pools, the KV cache moved between them.
    Disaggregated,
}

impl ServingMode {
    pub const CHOICES: &'static [&'static str] = &["aggregated", "disaggregated"];

    pub fn parse(s: &str) -> Option<ServingMode> {
        match s {
            "aggregated" => Some(ServingMode::Aggregated),
            "disaggregated" => Some(ServingMode::Disaggregated),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ServingMode::Aggregated => "aggregated",
            ServingMode::Disaggregated => "disaggregated",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Tokens {
    pub input: Spanned<u64>,
    pub output: Spanned<u64>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Slo {
    pub ttft: Option<Spanned<Seconds>>,
    pub tpot: Option<Spanned<Seconds>>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Quote {
    pub margin: Option<Spanned<f64>>,
    pub amortize_years: Option<Spanned<u64>>,
    pub utilization: Option<Spanned<f64>>,
    pub prices: Vec<PriceOverride>,
    /// `exchange-rate (EUR)0.86 per="USD"`: one unit of `from` in the factory currency.
    pub exchange_rates: Vec<ExchangeRate>,
    /// `facility "build"` or `facility "colocation"`.
    pub facility: Option<Spanned<FacilityModel>>,
    /// The quote's heading for the customer: who it is for, its reference, its date and how long
    /// it holds (ISO dates, from the blueprint, never the clock), and its terms.
    pub customer: Option<Spanned<String>>,
    pub reference: Option<Spanned<String>>,
    pub date: Option<Spanned<String>>,
    pub valid_until: Option<Spanned<String>>,
    pub terms: Option<Spanned<String>>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct ExchangeRate {
    pub from: Spanned<String>,
    pub rate: Spanned<Money>,
    pub span: Span,
}

/// How the quote pays for the building: build it (capex per MW) or rent it (colocation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum FacilityModel {
    #[default]
    Build,
    Colocation,
}

impl FacilityModel {
    pub const CHOICES: &'static [&'static str] = &["build", "colocation"];

    pub fn as_str(self) -> &'static str {
        match self {
            FacilityModel::Build => "build",
            FacilityModel::Colocation => "colocation",
        }
    }
}

#[derive(Clone, Debug)]
pub struct PriceOverride {
    pub part: Name,
    pub price: Spanned<Money>,
    pub span: Span,
}
