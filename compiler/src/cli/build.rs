//! `millwright build FILE --out DIR [--target NAME]… [--force] [--list-targets] [--view]`: renders
//! the targets. A blueprint with errors, or larger than a build writes (E1006), writes nothing
//! (exit 1). The files are written by [`super::outdir`]: only files Millwright wrote are replaced,
//! all targets at once or none.

use super::{outdir, output};
use millwright::diag::{codes, render, Diagnostic, Diagnostics};
use millwright::render::target;
use millwright::Session;
use std::io::IsTerminal;
use std::path::PathBuf;

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
    /// Overwrite generated paths even where the file there was not written by Millwright, or was
    /// edited since (files Millwright does not generate are kept either way)
    #[arg(long)]
    force: bool,
}

fn progress(message: &str) {
    if std::io::stderr().is_terminal() && std::env::var_os("CI").is_none() {
        errln!("{message}");
    }
}

pub fn run(args: Args) -> i32 {
    let mut session = Session::new();
    let mut manifest_diags = Diagnostics::new();
    let all = target::targets(&mut session.sources, &mut manifest_diags);
    if !manifest_diags.is_empty() {
        eprint!("{}", render::human(&manifest_diags.sorted(), &session.sources, output::style()));
        return super::FAILED;
    }
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
    let bytes = match output::read_blueprint(&file, &mut session) {
        Ok(bytes) => bytes,
        Err(code) => return code,
    };
    let started = std::time::Instant::now();
    let lowered = session.lower(&output::display_name(&file), &bytes);
    diags.extend(session.catalog_diagnostics.clone());
    diags.extend(lowered.diagnostics);
    let analysis = lowered.blueprint.as_ref().and_then(|bp| session.analyze(bp, &mut diags));
    // Before the view expands every rack: a factory `check` accepts may be too large to write.
    let errors_before = diags.errors();
    if let Some(a) = &analysis {
        millwright::render::limits::check(&a.factory, &mut diags);
    }
    let too_large = diags.errors() > errors_before;
    let design_warnings = millwright::render::quote::design_warnings(&diags.sorted());
    let rendered = analysis.filter(|_| !too_large).and_then(|a| {
        let mut view = millwright::render::view::build(&a.factory, &a.plan, &session.catalog);
        view.cost.design_warnings = design_warnings;
        // No infinite or not-a-number value reaches a target or the printed view.
        if let Some(d) = millwright::render::finite::check(&view, &session.sources, a.factory.name.span) {
            diags.push(d);
            return None;
        }
        let files = if diags.has_errors() { None } else { Some(target::render(&view, &chosen)) };
        Some((view, files))
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
                    output::display_name(&file),
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
    match outdir::write(&out, &files, args.force) {
        Ok(written) => {
            for (target, kept) in &written.kept {
                let shown: Vec<&str> = kept.iter().take(8).map(String::as_str).collect();
                let more = kept.len().saturating_sub(shown.len());
                errln!(
                    "kept {} in {}: {}{}",
                    if kept.len() == 1 {
                        "1 file Millwright did not write".to_string()
                    } else {
                        format!("{} files Millwright did not write", kept.len())
                    },
                    out.join(target).display(),
                    shown.join(", "),
                    if more > 0 { format!(", and {more} more") } else { String::new() }
                );
            }
            if written.removed > 0 {
                errln!("removed {} generated files that this build no longer writes", written.removed);
            }
            errln!(
                "built {} ({} files) into {}",
                chosen.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", "),
                files.len(),
                out.display()
            );
            super::OK
        }
        Err(outdir::Failure::Refused(d)) => {
            err!("{}", render::human(&[d], &session.sources, output::style()));
            super::USAGE
        }
        Err(outdir::Failure::Io(e)) => {
            output::usage_error(&format!("cannot write {}: {e}; the previous output is unchanged", out.display()));
            super::USAGE
        }
    }
}
