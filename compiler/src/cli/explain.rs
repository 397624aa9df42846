//! `millwright explain CODE`: prints the code's documentation page.

#[derive(clap::Args)]
pub struct Args {
    /// A diagnostic code, like E0201
    code: String,
}

pub fn run(args: Args) -> i32 {
    match (millwright::diag::codes::lookup(&args.code), millwright::docs::code_page(&args.code)) {
        (Some(_), Some(page)) => {
            out!("{page}");
            super::OK
        }
        _ => {
            let known = millwright::diag::codes::ALL.iter().map(|c| c.code);
            let hint = millwright::diag::did_you_mean(&args.code.to_ascii_uppercase(), known)
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
            super::output::usage_error(&format!("no diagnostic code `{}`{hint}", args.code));
            super::USAGE
        }
    }
}
