//! `millwright catalog list [--kind KIND]` and `millwright catalog show ID`.

use millwright::catalog::{Part, KINDS};
use millwright::Session;

#[derive(clap::Subcommand)]
pub enum Command {
    /// List parts, optionally of one kind
    List {
        /// gpu, system, rack, switch, cdu, transceiver, cable, pdu, model, software, service or finance
        #[arg(long)]
        kind: Option<String>,
    },
    /// Show one part's catalog file, with its sources
    Show {
        /// The part id, like gb200-nvl72
        id: String,
    },
}

pub fn run(cmd: Command) -> i32 {
    let session = Session::new();
    match cmd {
        Command::List { kind } => {
            if let Some(k) = &kind {
                let kinds: Vec<&str> = KINDS.iter().map(|k| k.name).collect();
                if !kinds.contains(&k.as_str()) {
                    let hint = millwright::diag::did_you_mean(k, kinds.iter().copied())
                        .map(|h| format!("; {h}"))
                        .unwrap_or_default();
                    super::output::usage_error(&format!("no part kind `{k}` (kinds: {}){hint}", kinds.join(", ")));
                    return super::USAGE;
                }
            }
            let mut rows: Vec<(&str, &str, &str)> = session
                .catalog
                .parts()
                .filter(|p| kind.as_deref().is_none_or(|k| p.kind() == k))
                .map(|p| (p.kind(), p.id(), p.name()))
                .collect();
            rows.sort();
            let w = rows.iter().map(|r| r.1.len()).max().unwrap_or(0);
            for (kind, id, name) in rows {
                outln!("{kind:<12} {id:<w$}  {name}");
            }
            super::OK
        }
        Command::Show { id } => match session.catalog.get(&id) {
            Some(part) => {
                let file = session.sources.get(part.span().file);
                if let Some(f) = file {
                    outln!("# {} ({} `{}`)", f.name, part.kind(), id);
                    out!("{}", f.text);
                }
                super::OK
            }
            None => {
                let ids: Vec<&str> = session.catalog.parts().map(Part::id).collect();
                let hint = millwright::diag::did_you_mean(&id, ids).map(|h| format!("; {h}")).unwrap_or_default();
                super::output::usage_error(&format!("no part `{id}` in the catalog{hint}"));
                super::USAGE
            }
        },
    }
}
