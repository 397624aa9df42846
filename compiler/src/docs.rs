//! The docs pages that ship in the binary: one page per diagnostic code, printed by
//! `millwright explain`.

/// `docs/codes/`, embedded at build time.
static CODES: include_dir::Dir<'static> = include_dir::include_dir!("$CARGO_MANIFEST_DIR/../docs/codes");

/// The page of a code (`E0101`), if it has one.
pub fn code_page(code: &str) -> Option<&'static str> {
    let code = code.to_ascii_uppercase();
    CODES.get_file(format!("{code}.md")).and_then(|f| f.contents_utf8())
}

/// Every code that has a page, sorted.
pub fn codes_with_pages() -> Vec<String> {
    let mut out: Vec<String> =
        CODES.files().filter_map(|f| f.path().file_stem().and_then(|s| s.to_str()).map(str::to_string)).collect();
    out.sort();
    out
}
