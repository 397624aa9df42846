//! The one registry of diagnostic codes. Every code here has a page `docs/codes/<CODE>.md` (printed by
//! `millwright explain`) and at least one UI test under `tests/ui/`; the tidy tests keep the three in
//! step. Codes are never reused: a retired code stays here with `retired: true`.

/// What a code is: its identifier, a short kebab-case name and a one-line summary.
#[derive(Debug, PartialEq, Eq)]
pub struct CodeInfo {
    pub code: &'static str,
    pub slug: &'static str,
    pub summary: &'static str,
    pub retired: bool,
}

impl CodeInfo {
    pub fn severity(&self) -> super::Severity {
        if self.code.starts_with('W') {
            super::Severity::Warning
        } else {
            super::Severity::Error
        }
    }
}

/// `true` for a line marked `retired`.
macro_rules! retired {
    () => {
        false
    };
    (retired) => {
        true
    };
}

/// One line per code: `E0101 "slug" "summary";`, or `… "summary" retired;` for a code that is no
/// longer emitted (its number is never reused).
macro_rules! codes {
    ($($code:ident $slug:literal $summary:literal $($retired:ident)?;)*) => {
        $(
            pub const $code: &CodeInfo = &CodeInfo {
                code: stringify!($code),
                slug: $slug,
                summary: $summary,
                retired: retired!($($retired)?),
            };
        )*
        /// Every code, in order.
        pub const ALL: &[&CodeInfo] = &[$($code),*];
    };
}

codes! {
    // E01: syntax, shape and units.
    E0101 "kdl-syntax" "the file is not valid KDL v2";
    E0102 "unknown-node" "a node that the language does not have here";
    E0103 "unknown-property" "a property that this node does not take";
    E0104 "unexpected-argument" "more arguments than this node takes";
    E0105 "missing-item" "a required argument, property or node is missing";
    E0106 "wrong-type" "a value of the wrong type (a string where a number belongs, or the reverse)";
    E0107 "missing-unit" "a quantity written without its unit";
    E0108 "wrong-unit" "an unknown unit, or a unit of the wrong dimension";
    E0109 "invalid-number" "a negative, non-finite or out-of-range number";
    E0110 "invalid-count" "a count that is not a positive integer";
    E0111 "invalid-choice" "a value that is not one of the allowed choices";
    E0112 "duplicate-item" "a node or property that may appear once appears again";
    E0113 "input-limit" "the input exceeds one of the compiler's limits (size, nesting)";
    E0114 "not-text" "the file is not UTF-8 text";
    E0115 "currency-mismatch" "an amount in a currency other than the factory's";
    // E02: catalog resolution.
    E0201 "unknown-part" "a part id that the catalog does not have";
    E0202 "wrong-part-kind" "a part of another kind than this place needs";
    E0203 "catalog-layout" "a catalog file whose part id or kind does not match its path";
    // E03: structure (names, references, counts).
    E0301 "duplicate-name" "two things of the same kind share a name in one scope";
    E0302 "unresolved-reference" "a reference to a name that does not exist";
    E0303 "expansion-limit" "counts that expand beyond the compiler's limits";
    E0304 "misplaced-part" "a part where the blueprint's structure does not allow it";
    E0305 "feed-sides" "2N redundancy whose feeds cannot be split into two sides";
    E0306 "emitted-name-collision" "two different user names become one name in a build target";
    E0307 "emitted-name-length" "a name is longer than a build target stores";
    E0308 "reserved-namespace" "the factory's Kubernetes namespace is one Kubernetes or an operator owns";
    W0301 "empty-enclosure" "a rack enclosure with no systems in it";
    W0302 "empty-site" "a site with no racks";
    // E04: power.
    E0401 "rack-power" "a rack draws more than its enclosure or power shelves are rated for";
    E0402 "site-power" "a site needs more facility power than its feeds deliver after a failure";
    W0401 "feed-utilization" "a site uses more than 80 % of the feed capacity left after a failure";
    W0402 "peak-power" "a site's peak (transient) draw exceeds the feed capacity left after a failure";
    W0403 "power-capping" "a rack-scale system draws more than its power shelves deliver after a failure, so it runs capped";
    E0403 "rack-circuits" "a rack's circuits cannot carry its maximum draw after the failure their redundancy allows";
    E0404 "pdu-outlets" "a rack's PDUs have fewer outlets than its servers have power cords";
    E0405 "pdu-sides" "2N PDUs whose count cannot be split into two equal sides";
    W0404 "pdu-redundancy" "a rack's PDUs are not redundant, so one PDU failure takes power from its servers";
    W0405 "rack-power-margin" "an enclosure rack at maximum draw is within 5 % of its power rating";
    // E05: cooling.
    E0501 "no-loop" "a liquid-cooled system or enclosure is not attached to a cooling loop";
    E0502 "cdu-capacity" "a loop carries more heat than its CDUs remove after a failure";
    E0503 "supply-temperature" "a loop's supply temperature is outside an attached system's window";
    E0504 "air-capacity" "a site's air heat exceeds its room air capacity";
    E0505 "rack-air-heat" "a rack rejects more heat to air than its enclosure is rated for";
    E0506 "facility-water" "a loop's supply is colder than its facility water plus its CDUs' approach";
    W0501 "cooling-utilization" "a loop's CDUs or a site's room air are more than 80 % used";
    // E06: network.
    E0601 "switch-protocol" "a fabric's switch does not speak the fabric's kind";
    E0602 "fabric-capacity" "a fabric's endpoints do not fit its topology";
    E0603 "switch-speed" "a fabric's switch cannot run at its endpoints' speed";
    E0604 "fabric-spans-sites" "an InfiniBand or RDMA fabric spans sites";
    E0605 "no-compute-fabric" "a workload's replicas span systems but no compute fabric joins them";
    W0601 "missing-compute-fabric" "a site has several GPU systems and no compute fabric";
    W0602 "idle-fabric" "a fabric carries no traffic of any workload";
    W0604 "fabric-nic-vendor" "replicas span hosts over RDMA NICs the kubernetes target does not serve";
    W0607 "single-spine" "a leaf-spine fabric built with a single spine has no path redundancy";
    E0606 "medium-reach" "a fabric's pinned medium cannot reach its longest link";
    E0607 "no-medium-reaches" "no catalog medium reaches a fabric's longest link";
    // E07: software.
    E0701 "driver-architecture" "the driver does not support a GPU of the site";
    E0702 "cuda-driver" "the CUDA version needs a newer driver";
    E0703 "kubernetes-dra" "multi-node NVLink needs Kubernetes with dynamic resource allocation";
    E0704 "vendor-stack" "the GPU software stack does not match the GPU vendor";
    E0705 "operator-kubernetes" "the GPU operator does not support the Kubernetes version";
    E0706 "cuda-architecture" "the CUDA version is older than a GPU architecture needs";
    E0707 "serving-support" "the serving engine release does not run the model or the GPU vendor";
    E0708 "invalid-version" "a software version that is not a release number, or cannot be an image tag";
    E0709 "image-architecture" "the serving image is published for amd64 only and the hosts are arm64";
    E0711 "dra-driver-pair" "the DRA driver, Kubernetes and GPU driver versions miss a ComputeDomain floor";
    E0712 "nccl-multi-node-nvlink" "the serving engine's NCCL predates multi-node NVLink support for replicas spanning trays";
    W0701 "unknown-version" "a software version the catalog has no facts for";
    W0702 "cuda-compat" "the CUDA version runs only under minor-version compatibility";
    W0703 "dra-beta" "multi-node NVLink relies on a DRA beta that is off by default";
    W0704 "operator-eol" "the GPU operator release is end of life";
    W0705 "driver-build" "a driver version prefix the catalog cannot complete to a full build";
    W0706 "engine-parallelism" "the serving engine's arguments cannot express the planned parallelism";
    // E08: workloads.
    E0801 "gpu-oversubscribed" "workloads claim more GPUs than the factory has";
    E0802 "precision-unsupported" "the GPUs cannot run the workload's precision";
    E0803 "context-length" "a request is longer than the model's context";
    E0804 "memory-fit" "one replica of the model does not fit in the workload's GPUs";
    E0805 "slo-infeasible" "no serving configuration meets the workload's latency targets";
    E0808 "disaggregated-infeasible" "the workload's disaggregated serving cannot work: its pools or the KV-cache link";
    W0801 "weight-only-fp4" "4-bit weights run weight-only on GPUs without native FP4";
    W0806 "unused-gpus" "GPUs that no workload claims, which lower the per-GPU and per-MW figures";
    // E09: site and sovereignty.
    E0901 "region" "a site is outside the factory's sovereignty region";
    W0901 "tier-liquid" "a rack-scale liquid-cooled design sits in a site below tier 3";
    W0902 "tier-redundancy" "a tier 3 or 4 site has no redundancy in power or cooling";
    // E10: targets.
    E1001 "unknown-target" "a build target that does not exist";
    E1002 "target-render" "a target failed to render (a bug in its templates)";
    E1003 "build-blocked" "the blueprint has errors, so nothing was built";
    E1004 "output-not-ours" "building would overwrite files Millwright did not write";
    E1005 "output-locked" "another build is writing the same output folder";
    E1006 "build-too-large" "the factory is larger than one build writes";
    E1007 "non-finite-result" "a result overflows to infinity or is not a number";
    E1008 "target-manifest" "a build target's manifest (`target.kdl`) cannot be read";
    W1001 "default-energy-price" "the quote prices a site's energy at the catalog's default price";
    W1002 "unpriced-line" "a line of the bill of materials or the quote has no price";
    // E11: physical: space, weight, floor, layout.
    E1101 "rack-units" "an enclosure's systems, switches and PDUs take more rack units than it has";
    E1102 "rack-weight" "a loaded rack weighs more than its enclosure's static rating";
    E1103 "floor-load" "a rack's weight over its footprint exceeds its hall's floor rating";
    E1105 "network-racks-full" "the declared network racks cannot hold the fabrics' switches";
    E1106 "rack-scale-network-rack" "a rack-scale system is declared as a network rack";
    W1103 "network-racks-undeclared" "the fabrics' switches have no declared network racks";
}

/// The code with this identifier, if it is registered.
/// A code by its identifier (`E0201`, any case) or by its slug, as the docs name it (`dra-beta`).
pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
    ALL.iter().copied().find(|c| c.code.eq_ignore_ascii_case(code) || c.slug.eq_ignore_ascii_case(code))
}
