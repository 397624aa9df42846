//! E0601: a fabric's switch speaks the fabric's kind (InfiniBand switches for
//! `kind="infiniband"`, Ethernet switches for `kind="ethernet"`) and is a fabric switch, not a
//! management switch.

use super::CheckCtx;
use crate::ast::FabricKind;
use crate::catalog::Protocol;
use crate::diag::{codes, Diagnostic, Diagnostics};

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for f in &cx.factory.fabrics {
        let Some((switch, span)) = f.switch else { continue };
        let want = match f.kind.value {
            FabricKind::Infiniband => Protocol::Infiniband,
            FabricKind::Ethernet => Protocol::Ethernet,
        };
        let alternatives: Vec<String> = cx
            .catalog
            .switches()
            .filter(|s| s.protocol == want && !s.management)
            .map(|s| format!("`{}`", s.id))
            .collect();
        if switch.management {
            diags.push(
                Diagnostic::new(
                    codes::E0601,
                    format!("fabric \"{}\" is built of `{}`, a management switch", f.name.value, switch.id),
                )
                .label(span, "a management switch")
                .help(format!(
                    "management switches serve BMC and out-of-band ports; build the fabric of {} switches ({})",
                    want.display(),
                    alternatives.join(", ")
                )),
            );
            continue;
        }
        if switch.protocol != want {
            diags.push(
                Diagnostic::new(
                    codes::E0601,
                    format!(
                        "fabric \"{}\" is {}, but switch `{}` is an {} switch",
                        f.name.value,
                        want.display(),
                        switch.id,
                        switch.protocol.display()
                    ),
                )
                .label(span, format!("{} switch", switch.protocol.display()))
                .label(f.kind.span, format!("{} fabric", want.display()))
                .help(format!(
                    "use an {} switch ({}), or change the fabric's `kind`",
                    want.display(),
                    alternatives.join(", ")
                )),
            );
        }
    }
}
