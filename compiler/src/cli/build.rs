//! `millwright build FILE --out DIR [--target NAME]… [--list-targets] [--view]`: renders the
//! targets. A blueprint with errors writes nothing (exit 1). Output is written to a temporary folder
//! beside DIR and each target folder replaces DIR's only when everything rendered; an existing DIR
//! is never half-updated.

use super::output;
use millwright::diag::{codes, render, Diagnostic, Diagnostics};
use millwright::render::target;
use millwright::Session;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// The blueprint (`-` reads standard input)
    file: Option<PathBuf>,
    /// Output folder
    #[arg(long)]
    out: Option<PathBuf>,
    /// Render only these targets (repeatable); default: all
    #[arg(long = "target")]
    targets: Vec<String>,
    /// List the targets and exit
    #[arg(long)]
    list_targets: bool,
    /// Print the view the templates read, as JSON, and exit
    #[arg(long)]
    view: bool,
}

fn progress(message: &str) {
    if std::io::stderr().is_terminal() && std::env::var_os("CI").is_none() {
        errln!("{message}");
    }
}

pub fn run(args: Args) -> i32 {
    let all = target::targets();
    if args.list_targets {
        for t in &all {
            outln!("{:<12} {}", t.name, t.description);
        }
        return super::OK;
    }
    let Some(file) = args.file else {
        output::usage_error("build needs a blueprint file: `millwright build FILE --out DIR`");
        return super::USAGE;
    };
    let mut session = Session::new();
    let mut diags = Diagnostics::new();
    let mut chosen = Vec::new();
    for name in &args.targets {
        match all.iter().find(|t| &t.name == name) {
            Some(t) => chosen.push(t.clone()),
            None => {
                let hint = millwright::diag::did_you_mean(name, all.iter().map(|t| t.name.as_str()))
                    .map(|h| format!("; {h}"))
                    .unwrap_or_default();
                let d = Diagnostic::new(codes::E1001, format!("no build target `{name}`{hint}"))
                    .help(format!("targets: {}", all.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", ")));
                err!("{}", render::human(&[d], &session.sources, output::style()));
                return super::USAGE;
            }
        }
    }
    if chosen.is_empty() {
        chosen = all.clone();
    }
    let limit = session.limits.max_file_bytes;
    let bytes = match output::read_input(&file, &mut session.sources, limit) {
        Ok(output::Input::Bytes(bytes)) => bytes,
        Ok(output::Input::TooLarge(d)) => {
            err!("{}", render::human(&[d], &session.sources, output::style()));
            return super::FAILED;
        }
        Err(()) => return super::USAGE,
    };
    let started = std::time::Instant::now();
    let lowered = session.lower(&output::display_name(&file), &bytes);
    diags.extend(session.catalog_diagnostics.clone());
    diags.extend(lowered.diagnostics);
    let rendered = lowered.blueprint.as_ref().and_then(|bp| session.analyze(bp, &mut diags)).map(|a| {
        let view = millwright::render::view::build(&a.factory, &a.plan, &session.catalog);
        (view.clone(), if diags.has_errors() { None } else { Some(target::render(&view, &chosen)) })
    });
    if args.view {
        if let Some((view, _)) = &rendered {
            outln!("{}", serde_json::to_string_pretty(view).unwrap_or_default());
        }
    }
    let files = match rendered {
        Some((_, Some(Ok(files)))) if !diags.has_errors() => files,
        Some((_, Some(Err(d)))) => {
            diags.push(d);
            err!("{}", render::human(&diags.sorted(), &session.sources, output::style()));
            return super::FAILED;
        }
        _ => {
            let blocked = Diagnostic::new(
                codes::E1003,
                format!(
                    "nothing was built: {} has {}",
                    file.display(),
                    render::summary(diags.errors(), diags.warnings())
                ),
            )
            .help("fix the errors above; `millwright check` lists them, `millwright plan` shows the numbers");
            let mut shown = diags.sorted();
            shown.push(blocked);
            err!("{}", render::human(&shown, &session.sources, output::style()));
            return super::FAILED;
        }
    };
    let warnings = diags.sorted();
    if !warnings.is_empty() {
        err!("{}", render::human(&warnings, &session.sources, output::style()));
    }
    if args.view {
        return super::OK;
    }
    let Some(out) = args.out else {
        output::usage_error("build needs `--out DIR`");
        return super::USAGE;
    };
    progress(&format!(
        "rendered {} files in {:.1} s; writing {}",
        files.len(),
        started.elapsed().as_secs_f64(),
        out.display()
    ));
    match write_atomically(&out, &chosen.iter().map(|t| t.name.clone()).collect::<Vec<_>>(), &files) {
        Ok(()) => {
            errln!(
                "built {} ({} files) into {}",
                chosen.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", "),
                files.len(),
                out.display()
            );
            super::OK
        }
        Err(e) => {
            output::usage_error(&format!("cannot write {}: {e}", out.display()));
            super::USAGE
        }
    }
}

/// Writes every file under a temporary folder beside `out`, then swaps each target folder in.
fn write_atomically(out: &Path, targets: &[String], files: &[(String, Vec<u8>)]) -> std::io::Result<()> {
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let base = out.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "out".into());
    let tmp = parent.join(format!(".{base}.millwright-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let result = (|| {
        for (path, bytes) in files {
            let p = tmp.join(path);
            if let Some(dir) = p.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(&p, bytes)?;
        }
        std::fs::create_dir_all(out)?;
        for t in targets {
            let staged = tmp.join(t);
            if !staged.exists() {
                continue;
            }
            let dest = out.join(t);
            let old = tmp.join(format!(".old-{t}"));
            if dest.exists() {
                std::fs::rename(&dest, &old)?;
            }
            if let Err(e) = std::fs::rename(&staged, &dest) {
                if old.exists() {
                    let _ = std::fs::rename(&old, &dest);
                }
                return Err(e);
            }
        }
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&tmp);
    result
}
