//! Generated blueprints for the benchmarks and the hostile-input tests: a factory of GB200 NVL72
//! racks written with `count=` (any number of 100,080-GPU sites), and a factory of air-cooled HGX
//! racks written out one by one, to a given number of racks.

#![allow(dead_code)]

use std::fmt::Write;

/// Racks per generated site: 2 halls × 139 rows × 5 racks = 1,390 NVL72 racks, 100,080 GPUs.
pub const RACKS_PER_SITE: u64 = 2 * 139 * 5;
/// GPUs per generated site.
pub const GPUS_PER_SITE: u64 = RACKS_PER_SITE * 72;

fn counted_site(out: &mut String, i: usize) {
    let racks = RACKS_PER_SITE as f64;
    let it_mw = racks * 0.14;
    let feed = (it_mw * 1.5) as u64;
    let cdus = (racks * 0.125 / 2.0) as u64 + 2;
    let air = (it_mw * 0.3) as u64 + 1;
    let _ = write!(
        out,
        r#"site "site-{i:02}" {{
    tier 3
    power {{
        feed "grid-a" capacity=(MW){feed}
        feed "grid-b" capacity=(MW){feed}
        redundancy "2N"
        pue 1.2
        energy-price (USD)0.08 per="kWh"
    }}
    cooling {{
        loop "tcs-1" supply=(C)35 {{
            cdu "cdu-2000kw" count={cdus} redundancy="N+1"
        }}
        air capacity=(MW){air}
    }}
"#
    );
    for h in 0..2 {
        let _ = write!(
            out,
            "    hall \"H{h}\" {{\n        row \"R\" count=139 {{\n            rack \"gb200-nvl72\" count=5 loop=\"tcs-1\"\n        }}\n    }}\n"
        );
    }
    let _ = write!(
        out,
        r#"}}

fabric "compute-{i:02}" kind="infiniband" site="site-{i:02}" {{
    switch "quantum-x800-q3400"
    topology "fat-tree" oversubscription=1
}}

fabric "frontend-{i:02}" kind="ethernet" role="frontend" site="site-{i:02}" {{
    switch "spectrum-sn5600"
    topology "leaf-spine" oversubscription=2
}}

"#
    );
}

const SOFTWARE: &str = r#"software {
    os "ubuntu-24.04"
    driver "580.95"
    cuda "13.0"
    kubernetes "1.34"
    gpu-operator "26.7.0"
    serving "dynamo" version="0.6.0"
}
"#;

/// `sites` sites of 1,390 GB200 NVL72 racks each, written with counts, with two workloads that
/// share the GPUs. Ten sites are 13,900 racks and 1,000,800 GPUs.
pub fn counted_factory(sites: usize) -> String {
    let mut out = String::from("factory \"gigafactory\" {\n    description \"generated\"\n    currency \"USD\"\n}\n\n");
    for i in 0..sites {
        counted_site(&mut out, i);
    }
    out.push_str(SOFTWARE);
    let half = (GPUS_PER_SITE * sites as u64 / 2) / 72 * 72;
    let _ = write!(
        out,
        r#"
workload "assistant" {{
    model "llama-3.3-70b"
    precision "fp8"
    tokens input=2048 output=512
    slo ttft=(ms)800 tpot=(ms)25
    gpus {half}
}}

workload "reasoning" {{
    model "deepseek-r1"
    precision "fp4"
    tokens input=1024 output=8192
    slo ttft=(ms)2000 tpot=(ms)20
    gpus {half}
}}
"#
    );
    out
}

/// One site of `racks` air-cooled HGX H100 racks, each written out with its systems and a
/// comment, 100 to a row: 10,000 racks are about 1.3 MB.
pub fn written_out_factory(racks: usize) -> String {
    let it_mw = racks as f64 * 0.03;
    let feed = (it_mw * 1.6) as u64 + 1;
    let air = (it_mw * 1.2) as u64 + 1;
    let mut out = format!(
        r#"factory "long-hand" {{
    description "generated: every rack written out"
    currency "USD"
}}

site "hall-town" {{
    tier 3
    power {{
        feed "grid-a" capacity=(MW){feed}
        feed "grid-b" capacity=(MW){feed}
        redundancy "2N"
        pue 1.3
        energy-price (USD)0.08 per="kWh"
    }}
    cooling {{
        air capacity=(MW){air}
    }}
    hall "A" {{
"#
    );
    let rows = racks.div_ceil(100);
    let mut left = racks;
    for r in 0..rows {
        let _ = writeln!(out, "        row \"R{r:03}\" {{");
        for k in 0..left.min(100) {
            let _ = write!(
                out,
                "            // rack {} of row R{r:03}\n            rack \"rack-air-48u\" {{\n                system \"hgx-h100-8\" count=2\n            }}\n",
                k + 1
            );
        }
        left = left.saturating_sub(100);
        out.push_str("        }\n");
    }
    out.push_str("    }\n}\n\n");
    out.push_str(
        r#"fabric "compute" kind="infiniband" {
    switch "quantum-x800-q3400"
    topology "fat-tree" oversubscription=1
}

"#,
    );
    out.push_str(SOFTWARE);
    let _ = write!(
        out,
        r#"
workload "assistant" {{
    model "llama-3.3-70b"
    precision "fp8"
    tokens input=2048 output=512
    gpus {}
}}
"#,
        (racks * 16 / 2).max(8)
    );
    out
}
