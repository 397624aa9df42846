//! `millwright explain CODE`: prints the code's documentation page.

#[derive(clap::Args)]
pub struct Args {
    /// A diagnostic code, like E0201, or its name, like `unknown-part`
    code: String,
}

pub fn run(args: Args) -> i32 {
    let info = millwright::diag::codes::lookup(&args.code);
    match (info, info.and_then(|c| millwright::docs::code_page(c.code))) {
        (Some(_), Some(page)) => {
            out!("{page}");
            super::OK
        }
        _ => {
            let all = millwright::diag::codes::ALL;
            let known = all.iter().map(|c| c.code);
            let hint = millwright::diag::did_you_mean(&args.code.to_ascii_uppercase(), known)
                .or_else(|| millwright::diag::did_you_mean(&args.code, all.iter().map(|c| c.slug)))
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
            super::output::usage_error(&format!("no diagnostic code `{}`{hint}", args.code));
            super::USAGE
        }
    }
}
