//! Build targets: each is a folder `targets/<name>/` holding `target.kdl` (which files it writes and
//! from which templates), handlebars templates in strict mode, and a README naming the view fields
//! it reads. Targets are embedded in the binary. Templates get the `BuildView` and do no
//! arithmetic; the helpers here only quote strings for their output format.

use super::view::BuildView;
use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::tree::{Entry, TextRange};
use crate::syntax::{self, Limits};
use handlebars::{Context, Handlebars, Helper, HelperResult, Output, RenderContext, RenderErrorReason};
use serde_json::Value;

/// `targets/`, embedded at build time.
pub static TARGETS: include_dir::Dir<'static> = include_dir::include_dir!("$CARGO_MANIFEST_DIR/../targets");

/// One output file of a target.
#[derive(Clone, Debug)]
pub struct OutputFile {
    /// Path relative to the target's folder; `{site}` is replaced by each site's slug.
    pub path: String,
    pub template: String,
    /// `site`: one file per site.
    pub each_site: bool,
}

#[derive(Clone, Debug)]
pub struct Target {
    pub name: String,
    pub description: String,
    /// `html` escapes `{{…}}` for HTML; otherwise templates quote with the helpers.
    pub html_escape: bool,
    pub files: Vec<OutputFile>,
    dir: &'static include_dir::Dir<'static>,
}

/// Every embedded target, sorted by name. The manifests are added to `sources` (as
/// `<targets>/<name>/target.kdl`) and read with the compiler's own parser; a target whose
/// manifest cannot be read is left out and its problems reported (E0101, E1008), never dropped
/// in silence.
pub fn targets(sources: &mut SourceMap, diags: &mut Diagnostics) -> Vec<Target> {
    let mut out: Vec<Target> = TARGETS.dirs().filter_map(|dir| load(dir, sources, diags)).collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn load(dir: &'static include_dir::Dir<'static>, sources: &mut SourceMap, diags: &mut Diagnostics) -> Option<Target> {
    let name = dir.path().file_name()?.to_str()?.to_string();
    let path = format!("<targets>/{name}/target.kdl");
    let manifest = dir.get_file(dir.path().join("target.kdl")).map(|f| f.contents_utf8());
    let Some(Some(text)) = manifest else {
        let file = sources.add(path.as_str(), "");
        let what = if manifest.is_some() { "is not UTF-8 text" } else { "is missing" };
        diags.push(
            Diagnostic::new(codes::E1008, format!("the manifest of target `{name}` {what}"))
                .label(Span::new(file, 0, 0), "target.kdl")
                .help("every folder under `targets/` needs a `target.kdl` (see targets/README.md)"),
        );
        return None;
    };
    let file = sources.add(path.as_str(), text);
    let manifest = read_manifest(file, text, diags)?;
    Some(Target {
        name,
        description: manifest.description,
        html_escape: manifest.html_escape,
        files: manifest.files,
        dir,
    })
}

/// What a `target.kdl` says.
#[derive(Debug)]
struct Manifest {
    description: String,
    html_escape: bool,
    files: Vec<OutputFile>,
}

fn manifest_error(file: FileId, at: TextRange, message: String, label: &str, help: &str) -> Diagnostic {
    Diagnostic::new(codes::E1008, message).label(Span::new(file, at.offset(), at.len()), label).help(help)
}

/// Reads a manifest: one `target { … }` node holding `description`, `escape` and `file` nodes.
/// `None` (with diagnostics) when anything in it is wrong.
fn read_manifest(file: FileId, text: &str, diags: &mut Diagnostics) -> Option<Manifest> {
    const HELP: &str = "a manifest is `target { description \"…\" file \"out.txt\" template=\"out.txt.hbs\" }` (see targets/README.md)";
    let doc = syntax::parse(file, text, &Limits::default(), diags)?;
    let before = diags.errors();
    let mut roots = doc.nodes().iter();
    let Some(root) = roots.next().filter(|n| n.name().value() == "target") else {
        let at = doc.nodes().first().map(|n| n.name().span()).unwrap_or_default();
        diags.push(manifest_error(
            file,
            at,
            "a target manifest starts with `target { … }`".into(),
            "expected `target`",
            HELP,
        ));
        return None;
    };
    for extra in roots {
        diags.push(manifest_error(
            file,
            extra.name().span(),
            format!("a target manifest holds one `target` node; `{}` is extra", extra.name().value()),
            "extra node",
            HELP,
        ));
    }
    let mut manifest = Manifest { description: String::new(), html_escape: false, files: Vec::new() };
    for node in root.children().map(|c| c.nodes()).unwrap_or(&[]) {
        let key = node.name().value();
        let arg = node.entries().iter().find(|e| e.name().is_none());
        let prop = |k: &str| node.entries().iter().find(|e| e.name().map(|n| n.value()) == Some(k));
        let string = |diags: &mut Diagnostics, entry: Option<&Entry>, what: &str| -> Option<String> {
            match entry.map(|e| (e, e.value().as_string())) {
                Some((_, Some(s))) => Some(s.to_string()),
                Some((e, None)) => {
                    diags.push(manifest_error(
                        file,
                        e.span(),
                        format!("{what} must be a string"),
                        "not a string",
                        HELP,
                    ));
                    None
                }
                None => {
                    diags.push(manifest_error(file, node.span(), format!("`{key}` needs {what}"), "missing", HELP));
                    None
                }
            }
        };
        match key {
            "description" => manifest.description = string(diags, arg, "a description").unwrap_or_default(),
            "escape" => match string(diags, arg, "an escape mode").as_deref() {
                Some("html") => manifest.html_escape = true,
                Some(_) => diags.push(manifest_error(
                    file,
                    arg.map(Entry::span).unwrap_or_default(),
                    "the only escape mode is \"html\"".into(),
                    "unknown escape mode",
                    "write `escape \"html\"`, or leave it out to quote with the helpers",
                )),
                None => {}
            },
            "file" => {
                let path = string(diags, arg, "an output path");
                let template = string(diags, prop("template"), "`template=`");
                let each_site = match prop("each") {
                    None => false,
                    Some(e) if e.value().as_string() == Some("site") => true,
                    Some(e) => {
                        diags.push(manifest_error(
                            file,
                            e.span(),
                            "`each=` must be \"site\"".into(),
                            "unknown fan-out",
                            "write `each=\"site\"` for one file per site, or leave it out",
                        ));
                        false
                    }
                };
                if let (Some(path), Some(template)) = (path, template) {
                    manifest.files.push(OutputFile { path, template, each_site });
                }
            }
            other => diags.push(manifest_error(
                file,
                node.name().span(),
                format!("a target manifest has no node `{other}`"),
                "unknown node",
                HELP,
            )),
        }
    }
    (diags.errors() == before).then_some(manifest)
}

fn json_helper(h: &Helper, _: &Handlebars, _: &Context, _: &mut RenderContext, out: &mut dyn Output) -> HelperResult {
    let v = h.param(0).map(|p| p.value().clone()).unwrap_or(Value::Null);
    let pretty = h.hash_get("pretty").and_then(|p| p.value().as_bool()).unwrap_or(false);
    let s = if pretty { serde_json::to_string_pretty(&v) } else { serde_json::to_string(&v) };
    out.write(&s.map_err(|e| RenderErrorReason::Other(e.to_string()))?)?;
    Ok(())
}

/// A YAML double-quoted scalar. JSON string syntax is valid YAML, and quoting every user string
/// avoids YAML's implicit typing (`yes`, `on`, `1e3`, leading `-`, `:`, `#`).
fn yaml_helper(h: &Helper, _: &Handlebars, _: &Context, _: &mut RenderContext, out: &mut dyn Output) -> HelperResult {
    let v = h.param(0).map(|p| p.value().clone()).unwrap_or(Value::Null);
    let text = match v {
        Value::String(s) => s,
        other => other.to_string(),
    };
    out.write(&yaml_quote(&text))?;
    Ok(())
}

/// A YAML double-quoted scalar that every YAML 1.1 and 1.2 parser reads back unchanged: JSON
/// escaping, plus `\uXXXX` (`\UXXXXXXXX` beyond the BMP) for the characters YAML treats specially
/// or forbids raw: DEL, the C1 controls such as NEL, the line and paragraph separators, the
/// byte-order mark, and the Unicode non-characters (U+FDD0 to U+FDEF and the last two code points
/// of every plane), which are outside YAML 1.2's printable set or rejected by strict parsers.
pub fn yaml_quote(s: &str) -> String {
    let json = serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string());
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '\u{7f}'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if is_noncharacter(c) && (c as u32) <= 0xffff => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if is_noncharacter(c) => out.push_str(&format!("\\U{:08x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// The 66 Unicode non-characters (Unicode 15, section 23.7).
fn is_noncharacter(c: char) -> bool {
    let cp = c as u32;
    (0xfdd0..=0xfdef).contains(&cp) || cp & 0xfffe == 0xfffe
}

/// Escapes a string for an HCL quoted string: backslashes, quotes, control characters, and the
/// template sequences `${` and `%{`, which HCL would otherwise interpolate.
pub fn hcl_quote(s: &str) -> String {
    let mut out = String::from("\"");
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn hcl_helper(h: &Helper, _: &Handlebars, _: &Context, _: &mut RenderContext, out: &mut dyn Output) -> HelperResult {
    let v = h.param(0).map(|p| p.value().clone()).unwrap_or(Value::Null);
    let s = match v {
        Value::String(s) => s,
        other => other.to_string(),
    };
    out.write(&hcl_quote(&s))?;
    Ok(())
}

/// A CSV field (RFC 4180): quoted when it holds a comma, quote, line break or outer space, with
/// quotes doubled. A text that a spreadsheet would run as a formula (starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return) gets a leading `'`, as OWASP advises against CSV injection.
pub fn csv_quote(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_string() };
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// `{{csv x}}`: strings quoted as CSV fields; whole numbers without a decimal point; null empty.
fn csv_helper(h: &Helper, _: &Handlebars, _: &Context, _: &mut RenderContext, out: &mut dyn Output) -> HelperResult {
    let v = h.param(0).map(|p| p.value().clone()).unwrap_or(Value::Null);
    let s = match v {
        Value::Null => String::new(),
        Value::String(s) => csv_quote(&s),
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
            _ => n.to_string(),
        },
        other => csv_quote(&other.to_string()),
    };
    out.write(&s)?;
    Ok(())
}

/// Text for a Markdown table cell or paragraph: Markdown's special characters and HTML
/// (`< > &`) escaped, line breaks and control characters turned into spaces.
pub fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn md_helper(h: &Helper, _: &Handlebars, _: &Context, _: &mut RenderContext, out: &mut dyn Output) -> HelperResult {
    let v = h.param(0).map(|p| p.value().clone()).unwrap_or(Value::Null);
    let s = match v {
        Value::Null => String::new(),
        Value::String(s) => md_escape(&s),
        other => md_escape(&other.to_string()),
    };
    out.write(&s)?;
    Ok(())
}

/// Renders the chosen targets. Files are `(path relative to the output folder, bytes)`, sorted.
pub fn render(view: &BuildView, chosen: &[Target]) -> Result<Vec<(String, Vec<u8>)>, Diagnostic> {
    let root = serde_json::to_value(view).map_err(|e| internal(&format!("the build view does not serialise: {e}")))?;
    // The contexts are built once and shared by every template: cloning the view's JSON per
    // file was most of the time of a large build.
    let site_contexts: Vec<(&str, Context)> = view
        .sites
        .iter()
        .zip(root.get("sites").and_then(Value::as_array).into_iter().flatten())
        .map(|(s, sv)| {
            let mut ctx = serde_json::Map::new();
            for key in ["schema_version", "generator", "factory", "parts"] {
                if let Some(v) = root.get(key) {
                    ctx.insert(key.to_string(), v.clone());
                }
            }
            ctx.insert("site".to_string(), sv.clone());
            (s.slug.as_str(), Context::from(Value::Object(ctx)))
        })
        .collect();
    let root = Context::from(root);
    let mut files = Vec::new();
    for target in chosen {
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        if !target.html_escape {
            hb.register_escape_fn(handlebars::no_escape);
        }
        hb.register_helper("json", Box::new(json_helper));
        hb.register_helper("yaml", Box::new(yaml_helper));
        hb.register_helper("hcl", Box::new(hcl_helper));
        hb.register_helper("csv", Box::new(csv_helper));
        hb.register_helper("md", Box::new(md_helper));
        for f in target.dir.files() {
            let Some(fname) = f.path().file_name().and_then(|n| n.to_str()) else { continue };
            if let Some(stem) = fname.strip_suffix(".hbs") {
                let text = f.contents_utf8().unwrap_or_default();
                hb.register_template_string(stem, text).map_err(|e| template_error(target, fname, &e.to_string()))?;
            }
        }
        for out in &target.files {
            let stem = out.template.strip_suffix(".hbs").unwrap_or(&out.template);
            let contexts: Vec<(String, &Context)> = if out.each_site {
                site_contexts.iter().map(|(slug, ctx)| (out.path.replace("{site}", slug), ctx)).collect()
            } else {
                vec![(out.path.clone(), &root)]
            };
            for (path, ctx) in contexts {
                let text = hb
                    .render_with_context(stem, ctx)
                    .map_err(|e| template_error(target, &out.template, &e.to_string()))?;
                if text.trim().is_empty() {
                    continue;
                }
                files.push((format!("{}/{}", target.name, path), text.into_bytes()));
            }
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(files)
}

fn template_error(target: &Target, template: &str, message: &str) -> Diagnostic {
    Diagnostic::new(codes::E1002, format!("target `{}` failed to render `{template}`: {message}", target.name))
        .help("this is a bug in the target's templates; please report it with the blueprint")
}

fn internal(message: &str) -> Diagnostic {
    Diagnostic::new(codes::E1002, message.to_string()).help("this is a bug; please report it with the blueprint")
}

#[cfg(test)]
mod tests {
    use super::{csv_quote, hcl_quote, md_escape, read_manifest, targets, Manifest, TARGETS};
    use crate::diag::Diagnostics;
    use crate::source::SourceMap;

    fn read(text: &str) -> (Option<Manifest>, Vec<&'static str>) {
        let mut sources = SourceMap::new();
        let file = sources.add("<targets>/t/target.kdl", text);
        let mut diags = Diagnostics::new();
        let manifest = read_manifest(file, text, &mut diags);
        (manifest, diags.iter().map(|d| d.code.code).collect())
    }

    #[test]
    fn the_shipped_manifests_are_read_without_problems() {
        let mut sources = SourceMap::new();
        let mut diags = Diagnostics::new();
        let all = targets(&mut sources, &mut diags);
        assert!(diags.is_empty(), "{:?}", diags.iter().map(|d| &d.message).collect::<Vec<_>>());
        assert_eq!(all.len(), TARGETS.dirs().count());
        assert!(all.iter().all(|t| !t.files.is_empty() && !t.description.is_empty()));
    }

    #[test]
    fn a_broken_manifest_is_a_diagnostic_not_a_missing_target() {
        let good = "target {\n    description \"d\"\n    escape \"html\"\n    file \"{site}/a.txt\" template=\"a.hbs\" each=\"site\"\n}\n";
        let (manifest, found) = read(good);
        assert!(found.is_empty(), "{found:?}");
        let manifest = manifest.expect("read");
        assert!(manifest.html_escape && manifest.files.len() == 1 && manifest.files.iter().all(|f| f.each_site));
        assert_eq!(read("target {\n    file \"a.txt\" template=\"a.hbs\"\n").1, ["E0101"]);
        assert_eq!(read("target {\n    file \"a.txt\"\n}\n").1, ["E1008"]);
        assert_eq!(read("target {\n    flie \"a.txt\" template=\"a.hbs\"\n}\n").1, ["E1008"]);
        assert_eq!(read("target {\n    escape \"latex\"\n}\n").1, ["E1008"]);
        assert_eq!(read("target {\n    file \"a\" template=\"a.hbs\" each=\"rack\"\n}\n").1, ["E1008"]);
        assert_eq!(read("targte {\n}\n").1, ["E1008"]);
        assert!(read("target {\n    file 1 template=\"a.hbs\"\n}\n").0.is_none());
    }

    #[test]
    fn csv_and_markdown_quoting() {
        assert_eq!(csv_quote("plain"), "plain");
        assert_eq!(csv_quote("a, \"b\""), "\"a, \"\"b\"\"\"");
        assert_eq!(csv_quote("=cmd()"), "'=cmd()");
        assert_eq!(md_escape("a|b <i>*x*</i>\n"), "a\\|b &lt;i&gt;\\*x\\*&lt;/i&gt; ");
    }

    #[test]
    fn yaml_quoting_escapes_what_yaml_reads_specially() {
        assert_eq!(super::yaml_quote("a\u{85}b\u{2028}\u{7f}\"yes\""), "\"a\\u0085b\\u2028\\u007f\\\"yes\\\"\"");
    }

    #[test]
    fn yaml_quoting_escapes_noncharacters() {
        assert_eq!(super::yaml_quote("\u{fffe}\u{ffff}\u{fdd0}"), "\"\\ufffe\\uffff\\ufdd0\"");
        assert_eq!(super::yaml_quote("a\u{1fffe}\u{10ffff}"), "\"a\\U0001fffe\\U0010ffff\"");
        // Ordinary characters beyond the BMP stay as they are.
        assert_eq!(super::yaml_quote("🚀\u{fffd}"), "\"🚀\u{fffd}\"");
        let noncharacters = (0..=0x10ffffu32).filter_map(char::from_u32).filter(|c| super::is_noncharacter(*c)).count();
        assert_eq!(noncharacters, 66);
    }

    #[test]
    fn hcl_quoting_neutralises_templates() {
        assert_eq!(hcl_quote("a \"b\" ${c} %{d} \\ \n"), "\"a \\\"b\\\" $${c} %%{d} \\\\ \\n\"");
    }
}
