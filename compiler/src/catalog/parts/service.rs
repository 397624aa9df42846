//! The `service` part: a yearly software subscription or support contract.

use super::opt_prop;
use super::{Catalog, Fields, Price, Vendor};
use crate::diag::{codes, Diagnostic};
use crate::lower::read::{self, Cx};
use crate::source::Span;
use crate::syntax::tree::Node;

/// What a yearly service is counted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServiceUnit {
    Gpu,
    Node,
}

impl ServiceUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceUnit::Gpu => "gpu",
            ServiceUnit::Node => "node",
        }
    }
}

/// A software subscription or support service priced per GPU or per node and year.
#[derive(Clone, Debug)]
pub struct Service {
    pub id: String,
    pub name: String,
    /// `software` or `services`: the bill-of-materials category.
    pub category: &'static str,
    pub per: ServiceUnit,
    /// Applies to GPUs of this vendor only.
    pub gpu_vendor: Option<Vendor>,
    /// Applies to sites whose `os` starts with this.
    pub os: Option<String>,
    pub price: Option<Price>,
    pub span: Span,
}

/// Decodes a `service` part: a yearly subscription or support contract.
pub(super) fn decode(cx: &mut Cx, node: &Node, id: &str, _catalog: &Catalog) -> Option<Service> {
    let f = Fields::new(cx, node, "service", &["name", "vendor", "category", "per", "applies", "price"], &[]);
    let name = f.req_string(cx, "name", "name \"…\"");
    let _ = f.string(cx, "vendor", "vendor \"…\"");
    let category = f.req_choice(cx, "category", &["software", "services"], "category \"software\"");
    let per = f.req_choice(cx, "per", &["gpu", "node"], "per \"gpu\"");
    let (mut gpu_vendor, mut os) = (None, None);
    if let Some(mut r) = f.props("applies") {
        gpu_vendor =
            opt_prop(cx, &mut r, "gpu-vendor", |cx, e| read::choice(cx, e, "`gpu-vendor`", &["nvidia", "amd"]))
                .map(|c| Vendor::parse(c.value));
        os = opt_prop(cx, &mut r, "os", |cx, e| read::string(cx, e, "`os`")).map(|s| s.value);
        r.finish(cx);
    }
    let price = f.price(cx);
    if price.is_none() && f.node("price").is_none() {
        cx.emit(
            Diagnostic::new(codes::E0105, "`service` needs `price`")
                .label(cx.node_head_span(node), "`price` missing")
                .help("add `price (USD)4500 date=\"2025-06\"`: the price per unit and year"),
        );
    }
    Some(Service {
        id: id.to_string(),
        name: name?.value,
        category: category?.value,
        per: if per?.value == "gpu" { ServiceUnit::Gpu } else { ServiceUnit::Node },
        gpu_vendor,
        os,
        price,
        span: cx.node_head_span(node),
    })
}
