//! E0601: a fabric's switch speaks the fabric's kind: InfiniBand switches for `kind="infiniband"`,
//! Ethernet switches for `kind="ethernet"`.

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
        if switch.protocol != want {
            let alternatives: Vec<String> = cx
                .catalog
                .parts()
                .filter_map(|p| match p {
                    crate::catalog::Part::Switch(s) if s.protocol == want && !s.management => {
                        Some(format!("`{}`", s.id))
                    }
                    _ => None,
                })
                .collect();
            diags.push(
                Diagnostic::new(
                    codes::E0601,
                    format!(
                        "fabric \"{}\" is {}, but switch `{}` is an {} switch",
                        f.name.value,
                        want.as_str(),
                        switch.id,
                        switch.protocol.as_str()
                    ),
                )
                .label(span, format!("{} switch", switch.protocol.as_str()))
                .label(f.kind.span, format!("{} fabric", want.as_str()))
                .help(format!(
                    "use a {} switch ({}), or change the fabric's `kind`",
                    want.as_str(),
                    alternatives.join(", ")
                )),
            );
        }
    }
}
