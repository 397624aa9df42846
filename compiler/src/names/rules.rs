//! The naming rules of the targets: how a user name becomes a slug, a Kubernetes name or a rack,
//! device, circuit or switch name, the limits of each target and the names Kubernetes reserves.
//! Pure text functions with no knowledge of the factory, so that `resolve` can compare names as
//! they will be emitted and the build view can form one rack's names at a time.

/// Kubernetes label values and DNS-1123 labels (namespaces, Service names): at most 63 characters
/// (Kubernetes, "Object Names and IDs" and "Labels and Selectors").
pub const KUBE_LABEL_MAX: usize = 63;
/// DNS-1123 subdomains (most object names, ConfigMap keys): at most 253 characters.
pub const KUBE_SUBDOMAIN_MAX: usize = 253;
/// Object names of workloads: 40 characters leave room for the suffixes controllers append to pod
/// and Service names (a Deployment's pods add `-<hash>-<id>`, 17 characters) within 63.
pub const KUBE_OBJECT_MAX: usize = 40;
/// NetBox slugs as Millwright writes them: NetBox allows 100, but the factory's slug is also the
/// Kubernetes namespace and a label value, so every slug keeps to the stricter 63.
pub const SLUG_MAX: usize = KUBE_LABEL_MAX;
/// NetBox `name` of sites, locations, racks, power panels, power feeds and tenants
/// (`max_length=100` in NetBox's `dcim` and `tenancy` models).
pub const NETBOX_NAME_MAX: usize = 100;
/// NetBox device names (`max_length=64`, `netbox/dcim/models/devices.py`).
pub const NETBOX_DEVICE_NAME_MAX: usize = 64;
/// NetBox descriptions (`max_length=200` on every primary model).
pub const NETBOX_DESCRIPTION_MAX: usize = 200;

/// Namespaces the factory's serving namespace must not be: the ones Kubernetes itself creates, and
/// the operator namespaces the `kubernetes` target writes (`targets/kubernetes/namespaces.yaml.hbs`).
pub const RESERVED_NAMESPACES: &[&str] = &[
    "default",
    "kube-system",
    "kube-public",
    "kube-node-lease",
    "gpu-operator",
    "kube-amd-gpu",
    "nvidia-network-operator",
    "nvidia-dra-driver-gpu",
];

/// FNV-1a, 64 bits: a stable hash (no seed, the same on every machine and run) for shortened
/// names. Collisions are possible in principle; the checks compare the shortened names
/// themselves, so a collision is reported rather than emitted.
pub fn stable_hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}

/// The slug of `s` before any shortening: `[a-z0-9-]`, no leading, trailing or doubled dash. It
/// is empty when `s` has no ASCII letter or digit.
pub fn slug_unshortened(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// `s` (ASCII, as a slug is) cut to at most `max` characters: when too long, a head and `-` and
/// eight hex digits of the hash of the whole of `s`, so the part that was cut still tells names
/// apart.
pub fn shorten(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let hash = format!("{:08x}", stable_hash(s) & 0xffff_ffff);
    let mut head: String = s.chars().take(max.saturating_sub(hash.len() + 1)).collect();
    while head.ends_with('-') {
        head.pop();
    }
    if head.is_empty() {
        return hash.chars().take(max).collect();
    }
    format!("{head}-{hash}")
}

/// A lower-case, dash-separated identifier (NetBox slugs, Kubernetes namespaces and label values):
/// `[a-z0-9-]`, starting and ending with a letter or digit, at most [`SLUG_MAX`] characters, never
/// empty.
pub fn slug(s: &str) -> String {
    let full = slug_unshortened(s);
    if full.is_empty() {
        // A name with no letters or digits still needs a stable slug that tells it apart.
        return format!("x{:08x}", stable_hash(s) & 0xffff_ffff);
    }
    shorten(&full, SLUG_MAX)
}

/// A workload's Kubernetes object name (Deployments, Services, Kueue queues, ComputeDomains): its
/// slug, starting with a letter (`w-` before a leading digit, as Service names are DNS-1035
/// labels), at most [`KUBE_OBJECT_MAX`] characters.
pub fn kube_name(name: &str) -> String {
    let full = slug_unshortened(name);
    let full = if full.is_empty() {
        format!("x{:08x}", stable_hash(name) & 0xffff_ffff)
    } else if full.starts_with(|c: char| c.is_ascii_digit()) {
        format!("w-{full}")
    } else {
        full
    };
    shorten(&full, KUBE_OBJECT_MAX)
}

/// What every rack of a row shares at the front of its name: `<hall>-<row>`.
pub fn rack_prefix(hall: &str, row: &str) -> String {
    format!("{hall}-{row}")
}

/// The NetBox name of the `k`-th rack (1-based) of a row: `<hall>-<row>-<nn>`, unique within the
/// site. The number is the rack's last dash-separated part, so two racks share a name exactly when
/// their rows share the prefix and the racks their number.
pub fn rack_name(hall: &str, row: &str, k: u64) -> String {
    format!("{}-{k:02}", rack_prefix(hall, row))
}

/// The Kubernetes label value (`millwright.dev/rack`) and ConfigMap key of a rack.
pub fn rack_label(rack_name: &str) -> String {
    slug(rack_name)
}

/// The Kubernetes label value (`millwright.dev/block`) of a row's racks.
pub fn block_label(hall: &str, row: &str) -> String {
    slug(&rack_prefix(hall, row))
}

/// The NetBox name of the `n`-th server (1-based) of a system in a rack: `<rack>-<system>-<nn>`.
pub fn server_name(rack: &str, system_id: &str, n: u64) -> String {
    format!("{rack}-{}-{n:02}", slug(system_id))
}

/// The NetBox name of the `n`-th compute tray (1-based) of a rack-scale system; the `terraform`
/// target expands the trays itself with the same pattern (`targets/terraform/locals.tf.hbs`).
pub fn tray_name(rack: &str, n: u64) -> String {
    format!("{rack}-tray{n:02}")
}

/// The NetBox name of the `n`-th panel-to-rack circuit (power feed) of a rack, as the `terraform`
/// target expands it.
pub fn circuit_name(rack: &str, n: u64) -> String {
    format!("{rack}-pdu{n:02}")
}

/// The NetBox name of the `n`-th switch of a fabric tier (`leaf`, `spine`, `core`), as the
/// `terraform` target expands it.
pub fn switch_name(fabric: &str, tier: &str, n: u64) -> String {
    format!("{fabric}-{tier}{n:02}")
}

/// The NetBox power panel of a hall.
pub fn panel_name(hall: &str) -> String {
    format!("{hall}-panel")
}

/// A DNS-1123 label: `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63 characters.
pub fn is_dns1123_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= KUBE_LABEL_MAX
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// A DNS-1123 subdomain: dot-separated DNS-1123 labels, at most 253 characters.
pub fn is_dns1123_subdomain(s: &str) -> bool {
    s.len() <= KUBE_SUBDOMAIN_MAX && s.split('.').all(|part| !part.is_empty() && is_dns1123_label(part))
}

/// A Kubernetes label value: empty, or at most 63 characters of `[A-Za-z0-9._-]` that start and
/// end with a letter or digit.
pub fn is_label_value(s: &str) -> bool {
    s.is_empty()
        || (s.len() <= KUBE_LABEL_MAX
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            && s.starts_with(|c: char| c.is_ascii_alphanumeric())
            && s.ends_with(|c: char| c.is_ascii_alphanumeric()))
}
