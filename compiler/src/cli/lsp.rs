//! `millwright lsp`: a language server (LSP 3.17) over standard input and output. Messages are
//! `lsp-server`'s and parameters `lsp-types`'; the editor logic is the library's `ide` module.
//! Documents are re-analysed after every change, coalescing changes that arrive together, and
//! diagnostics always carry the version they were computed for.

use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types as lsp;
use millwright::diag::Severity;
use millwright::ide::{self, FileAnalysis, Ide, Location};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, Read, Write};
use std::str::FromStr;
use std::sync::mpsc;

#[derive(clap::Args)]
pub struct Args {
    /// Speak over standard input and output (the only transport; accepted for editors that pass it)
    #[arg(long)]
    stdio: bool,
}

/// The URI scheme catalog files are given under (definition on a part id).
const STDLIB_SCHEME: &str = "millwright-stdlib";

/// A message body larger than this is refused (a blueprint is at most 64 MiB, JSON escaping
/// can double it).
const MAX_BODY_BYTES: usize = 160 * 1024 * 1024;

/// What the reading thread hands the server.
enum Incoming {
    Message(Message),
    /// A frame whose body is not a JSON-RPC message: answered with a parse error.
    Malformed(String),
}

pub fn run(args: Args) -> i32 {
    let _ = args.stdio;
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::Builder::new().name("lsp-reader".into()).spawn(move || read_frames(&tx));
    if reader.is_err() {
        errln!("error: cannot start the reading thread");
        return super::USAGE;
    }
    let mut server = Server { ide: Ide::new(), docs: BTreeMap::new(), dirty: BTreeSet::new(), docs_url: None };
    let mut state = State::Uninitialized;
    loop {
        let incoming = match rx.try_recv() {
            Ok(m) => m,
            Err(mpsc::TryRecvError::Empty) => {
                // Nothing else queued: the changes so far are the newest; analyse them now.
                if !server.flush() {
                    return super::FAILED;
                }
                match rx.recv() {
                    Ok(m) => m,
                    Err(_) => return super::FAILED,
                }
            }
            Err(mpsc::TryRecvError::Disconnected) => return super::FAILED,
        };
        let message = match incoming {
            Incoming::Message(m) => m,
            Incoming::Malformed(why) => {
                if !write_raw(&parse_error(&why)) {
                    return super::FAILED;
                }
                continue;
            }
        };
        match message {
            Message::Request(req) => {
                let response = match state {
                    State::Uninitialized if req.method == "initialize" => {
                        server.docs_url = docs_url(&req.params);
                        state = State::Running;
                        Response::new_ok(req.id, capabilities())
                    }
                    State::Uninitialized => error(req.id, ErrorCode::ServerNotInitialized, "initialize first"),
                    State::ShutDown => error(req.id, ErrorCode::InvalidRequest, "the server is shut down"),
                    State::Running if req.method == "shutdown" => {
                        state = State::ShutDown;
                        Response::new_ok(req.id, serde_json::Value::Null)
                    }
                    State::Running => {
                        if !server.flush() {
                            return super::FAILED;
                        }
                        server.answer(req)
                    }
                };
                if !write(Message::Response(response)) {
                    return super::FAILED;
                }
            }
            Message::Notification(n) if n.method == "exit" => {
                return if matches!(state, State::ShutDown) { super::OK } else { super::FAILED };
            }
            Message::Notification(n) => {
                if matches!(state, State::Running) && !server.notify(n) {
                    return super::FAILED;
                }
            }
            Message::Response(_) => {}
        }
    }
}

#[derive(Clone, Copy)]
enum State {
    Uninitialized,
    Running,
    ShutDown,
}

/// One open document.
struct Doc {
    text: String,
    version: i32,
    /// A `.kdl` file with a `factory` node; others get no diagnostics.
    served: bool,
    analysis: Option<FileAnalysis>,
    /// The names of the last analysis that parsed, for completion while the text does not.
    names: ide::index::Names,
}

struct Server {
    ide: Ide,
    docs: BTreeMap<String, Doc>,
    /// Documents changed since they were last analysed.
    dirty: BTreeSet<String>,
    docs_url: Option<String>,
}

impl Server {
    /// Analyses the changed documents and publishes their diagnostics. False when the client is
    /// gone.
    fn flush(&mut self) -> bool {
        for uri in std::mem::take(&mut self.dirty) {
            let Some(doc) = self.docs.get_mut(&uri) else { continue };
            doc.served = uri.ends_with(".kdl") && ide::is_blueprint(&doc.text);
            let diagnostics = if doc.served {
                let analysis = self.ide.analyze(&uri, &doc.text);
                if analysis.blueprint.is_some() {
                    doc.names = analysis.names.clone();
                }
                let diagnostics =
                    analysis.problems.iter().map(|p| to_lsp_diagnostic(p, &uri, self.docs_url.as_deref())).collect();
                doc.analysis = Some(analysis);
                diagnostics
            } else {
                doc.analysis = None;
                Vec::new()
            };
            if !publish(&uri, diagnostics, Some(doc.version)) {
                return false;
            }
        }
        true
    }

    fn notify(&mut self, n: Notification) -> bool {
        match n.method.as_str() {
            "textDocument/didOpen" => {
                let Ok(p) = serde_json::from_value::<lsp::DidOpenTextDocumentParams>(n.params) else { return true };
                let uri = p.text_document.uri.as_str().to_string();
                let doc = Doc {
                    text: p.text_document.text,
                    version: p.text_document.version,
                    served: false,
                    analysis: None,
                    names: ide::index::Names::default(),
                };
                self.docs.insert(uri.clone(), doc);
                self.dirty.insert(uri);
            }
            "textDocument/didChange" => {
                let Ok(p) = serde_json::from_value::<lsp::DidChangeTextDocumentParams>(n.params) else { return true };
                let uri = p.text_document.uri.as_str().to_string();
                let Some(doc) = self.docs.get_mut(&uri) else { return true };
                // A change older than what the server has is dropped: it never overwrites a newer text.
                if p.text_document.version <= doc.version {
                    return true;
                }
                for change in p.content_changes {
                    match change.range {
                        Some(range) => {
                            let lines = ide::position::LineIndex::new(&doc.text);
                            let start = lines.offset(&doc.text, from_lsp(range.start));
                            let end = lines.offset(&doc.text, from_lsp(range.end)).max(start);
                            if doc.text.is_char_boundary(start) && doc.text.is_char_boundary(end) {
                                doc.text.replace_range(start..end, &change.text);
                            }
                        }
                        None => doc.text = change.text,
                    }
                }
                doc.version = p.text_document.version;
                self.dirty.insert(uri);
            }
            "textDocument/didClose" => {
                let Ok(p) = serde_json::from_value::<lsp::DidCloseTextDocumentParams>(n.params) else { return true };
                let uri = p.text_document.uri.as_str().to_string();
                self.docs.remove(&uri);
                self.dirty.remove(&uri);
                return publish(&uri, Vec::new(), None);
            }
            _ => {}
        }
        true
    }

    fn answer(&mut self, req: Request) -> Response {
        let id = req.id.clone();
        let result = match req.method.as_str() {
            "textDocument/hover" => self.with_params(req, |s, p: lsp::HoverParams| {
                let (doc, offset) = s.at(&p.text_document_position_params)?;
                let analysis = doc.analysis.as_ref()?;
                let (range, text) = s.ide.hover(analysis, offset)?;
                Some(lsp::Hover {
                    contents: lsp::HoverContents::Markup(lsp::MarkupContent {
                        kind: lsp::MarkupKind::Markdown,
                        value: text,
                    }),
                    range: Some(to_lsp_range(range)),
                })
            }),
            "textDocument/completion" => self.with_params(req, |s, p: lsp::CompletionParams| {
                let (doc, offset) = s.at(&p.text_document_position)?;
                let items = s
                    .ide
                    .complete(&doc.names, &doc.text, offset)
                    .into_iter()
                    .enumerate()
                    .map(|(i, c)| lsp::CompletionItem {
                        // The order candidates come in (newest versions first), kept by clients.
                        sort_text: Some(format!("{i:05}")),
                        label: c.label,
                        detail: Some(c.detail),
                        kind: Some(match c.kind {
                            ide::complete::CandidateKind::Part => lsp::CompletionItemKind::VALUE,
                            ide::complete::CandidateKind::Name => lsp::CompletionItemKind::REFERENCE,
                            ide::complete::CandidateKind::Node => lsp::CompletionItemKind::PROPERTY,
                            ide::complete::CandidateKind::Version => lsp::CompletionItemKind::CONSTANT,
                        }),
                        ..lsp::CompletionItem::default()
                    })
                    .collect();
                Some(lsp::CompletionResponse::Array(items))
            }),
            "textDocument/definition" => self.with_params(req, |s, p: lsp::GotoDefinitionParams| {
                let (doc, offset) = s.at(&p.text_document_position_params)?;
                let location = s.ide.definition(doc.analysis.as_ref()?, offset)?;
                let uri = p.text_document_position_params.text_document.uri;
                to_lsp_location(&location, &uri).map(lsp::GotoDefinitionResponse::Scalar)
            }),
            "textDocument/references" => self.with_params(req, |s, p: lsp::ReferenceParams| {
                let (doc, offset) = s.at(&p.text_document_position)?;
                let with_definition = p.context.include_declaration;
                let uri = p.text_document_position.text_document.uri;
                let ranges = s.ide.references(doc.analysis.as_ref()?, offset, with_definition);
                Some(ranges.into_iter().map(|r| lsp::Location::new(uri.clone(), to_lsp_range(r))).collect::<Vec<_>>())
            }),
            "textDocument/rename" => {
                let params = match serde_json::from_value::<lsp::RenameParams>(req.params.clone()) {
                    Ok(p) => p,
                    Err(e) => return error(id, ErrorCode::InvalidParams, &e.to_string()),
                };
                let position = &params.text_document_position;
                let Some((doc, offset)) = self.at(position) else {
                    let uri = position.text_document.uri.as_str();
                    return error(id, ErrorCode::RequestFailed, &format!("the document `{uri}` is not open"));
                };
                let Some(analysis) = doc.analysis.as_ref() else {
                    return Response::new_ok(id, serde_json::Value::Null);
                };
                match self.ide.rename(analysis, offset, &params.new_name) {
                    Ok(edits) => {
                        let edits: Vec<lsp::TextEdit> = edits
                            .into_iter()
                            .map(|(range, new_text)| lsp::TextEdit { range: to_lsp_range(range), new_text })
                            .collect();
                        // A `WorkspaceEdit` keyed by URI as JSON: `lsp_types::Uri` caches parts of
                        // itself in cells, which makes it a poor map key.
                        let uri = position.text_document.uri.as_str();
                        Ok(serde_json::json!({ "changes": { uri: edits } }))
                    }
                    Err(why) => Err((ErrorCode::RequestFailed, why)),
                }
            }
            "textDocument/codeAction" => self.with_params(req, |s, p: lsp::CodeActionParams| {
                let uri = p.text_document.uri.as_str();
                let doc = s.docs.get(uri)?;
                let analysis = doc.analysis.as_ref()?;
                let wanted = (from_lsp(p.range.start), from_lsp(p.range.end));
                let actions: Vec<serde_json::Value> = analysis
                    .problems
                    .iter()
                    .filter(|d| d.range.start <= wanted.1 && wanted.0 <= d.range.end)
                    .flat_map(|d| d.fixes.iter().map(move |f| (d, f)))
                    .map(|(d, f)| {
                        let edit = lsp::TextEdit { range: to_lsp_range(f.range), new_text: f.new_text.clone() };
                        // Built as JSON: see the rename's `WorkspaceEdit`.
                        serde_json::json!({
                            "title": f.title,
                            "kind": lsp::CodeActionKind::QUICKFIX,
                            "diagnostics": [to_lsp_diagnostic(d, uri, s.docs_url.as_deref())],
                            "isPreferred": d.fixes.len() == 1,
                            "edit": { "changes": { uri: [edit] } },
                        })
                    })
                    .collect();
                Some(actions)
            }),
            "textDocument/documentSymbol" => self.with_params(req, |s, p: lsp::DocumentSymbolParams| {
                let doc = s.docs.get(p.text_document.uri.as_str())?;
                let analysis = doc.analysis.as_ref()?;
                let symbols = s.ide.symbols(analysis).iter().map(|sym| to_lsp_symbol(sym, analysis)).collect();
                Some(lsp::DocumentSymbolResponse::Nested(symbols))
            }),
            "textDocument/formatting" => self.with_params(req, |s, p: lsp::DocumentFormattingParams| {
                let text = s.docs.get(p.text_document.uri.as_str())?.text.clone();
                let formatted = s.ide.format(&text)?;
                let lines = ide::position::LineIndex::new(&text);
                let range = lines.range(&text, 0, text.len());
                Some(vec![lsp::TextEdit { range: to_lsp_range(range), new_text: formatted }])
            }),
            // The text of a catalog file a definition points to (`millwright-stdlib:///kind/id.kdl`).
            "millwright/stdlibFile" => self.with_params(req, |_, p: lsp::TextDocumentIdentifier| {
                let path = p.uri.as_str().strip_prefix(STDLIB_SCHEME)?.strip_prefix(":///")?;
                ide::stdlib_text(path).map(str::to_string)
            }),
            method => return error(id, ErrorCode::MethodNotFound, &format!("unknown method `{method}`")),
        };
        match result {
            Ok(value) => Response::new_ok(id, value),
            Err((code, message)) => error(id, code, &message),
        }
    }

    /// Parses the parameters and answers with `f`'s result (`null` when it has none); a document
    /// that is not open is a failed request.
    fn with_params<P: serde::de::DeserializeOwned, R: serde::Serialize>(
        &mut self,
        req: Request,
        f: impl FnOnce(&mut Self, P) -> Option<R>,
    ) -> Result<serde_json::Value, (ErrorCode, String)> {
        let params: P =
            serde_json::from_value(req.params.clone()).map_err(|e| (ErrorCode::InvalidParams, e.to_string()))?;
        if let Some(uri) = req.params.pointer("/textDocument/uri").and_then(|u| u.as_str()) {
            if !self.docs.contains_key(uri) {
                return Err((ErrorCode::RequestFailed, format!("the document `{uri}` is not open")));
            }
        }
        let value = f(self, params).map(|r| serde_json::to_value(r).unwrap_or_default());
        Ok(value.unwrap_or_default())
    }

    /// The open document and byte offset of a position.
    fn at(&self, p: &lsp::TextDocumentPositionParams) -> Option<(&Doc, usize)> {
        let doc = self.docs.get(p.text_document.uri.as_str())?;
        let lines = ide::position::LineIndex::new(&doc.text);
        Some((doc, lines.offset(&doc.text, from_lsp(p.position))))
    }
}

fn capabilities() -> lsp::InitializeResult {
    let capabilities = lsp::ServerCapabilities {
        position_encoding: Some(lsp::PositionEncodingKind::UTF16),
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Kind(lsp::TextDocumentSyncKind::INCREMENTAL)),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some(vec!["\"".into()]),
            ..lsp::CompletionOptions::default()
        }),
        definition_provider: Some(lsp::OneOf::Left(true)),
        references_provider: Some(lsp::OneOf::Left(true)),
        document_symbol_provider: Some(lsp::OneOf::Left(true)),
        rename_provider: Some(lsp::OneOf::Left(true)),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Simple(true)),
        document_formatting_provider: Some(lsp::OneOf::Left(true)),
        ..lsp::ServerCapabilities::default()
    };
    lsp::InitializeResult {
        capabilities,
        server_info: Some(lsp::ServerInfo {
            name: "millwright".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    }
}

/// The `docsUrl` initialization option: where the codes' pages are published.
fn docs_url(params: &serde_json::Value) -> Option<String> {
    params.pointer("/initializationOptions/docsUrl").and_then(|u| u.as_str()).map(str::to_string)
}

fn from_lsp(p: lsp::Position) -> ide::position::Position {
    ide::position::Position { line: p.line, character: p.character }
}

fn to_lsp_position(p: ide::position::Position) -> lsp::Position {
    lsp::Position { line: p.line, character: p.character }
}

fn to_lsp_range(r: ide::position::Range) -> lsp::Range {
    lsp::Range { start: to_lsp_position(r.start), end: to_lsp_position(r.end) }
}

fn to_lsp_location(location: &Location, here: &lsp::Uri) -> Option<lsp::Location> {
    match location {
        Location::Here(range) => Some(lsp::Location::new(here.clone(), to_lsp_range(*range))),
        Location::Stdlib { path, range } => {
            let uri = lsp::Uri::from_str(&format!("{STDLIB_SCHEME}:///{path}")).ok()?;
            Some(lsp::Location::new(uri, to_lsp_range(*range)))
        }
    }
}

fn to_lsp_diagnostic(p: &ide::Problem, uri: &str, docs_url: Option<&str>) -> lsp::Diagnostic {
    let here = lsp::Uri::from_str(uri).ok();
    let related: Vec<lsp::DiagnosticRelatedInformation> = p
        .related
        .iter()
        .filter_map(|r| {
            let location = to_lsp_location(&r.location, here.as_ref()?)?;
            Some(lsp::DiagnosticRelatedInformation { location, message: r.message.clone() })
        })
        .collect();
    let href = docs_url.and_then(|base| {
        let base = base.trim_end_matches('/');
        lsp::Uri::from_str(&format!("{base}/{}.md", p.code)).ok()
    });
    lsp::Diagnostic {
        range: to_lsp_range(p.range),
        severity: Some(match p.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        }),
        code: Some(lsp::NumberOrString::String(p.code.to_string())),
        code_description: href.map(|href| lsp::CodeDescription { href }),
        source: Some("millwright".into()),
        message: p.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must still be written out
fn to_lsp_symbol(s: &ide::index::Symbol, analysis: &FileAnalysis) -> lsp::DocumentSymbol {
    let range = |span: millwright::source::Span| {
        to_lsp_range(analysis.lines.range(&analysis.text, span.start as usize, span.end as usize))
    };
    let kind = match s.kind {
        ide::index::SymbolKind::Factory => lsp::SymbolKind::PACKAGE,
        ide::index::SymbolKind::Site => lsp::SymbolKind::NAMESPACE,
        ide::index::SymbolKind::Loop => lsp::SymbolKind::EVENT,
        ide::index::SymbolKind::Hall => lsp::SymbolKind::MODULE,
        ide::index::SymbolKind::Row => lsp::SymbolKind::ARRAY,
        ide::index::SymbolKind::RackGroup => lsp::SymbolKind::OBJECT,
        ide::index::SymbolKind::Fabric => lsp::SymbolKind::INTERFACE,
        ide::index::SymbolKind::Software => lsp::SymbolKind::PACKAGE,
        ide::index::SymbolKind::Workload => lsp::SymbolKind::FUNCTION,
        ide::index::SymbolKind::Quote => lsp::SymbolKind::OBJECT,
    };
    let full = range(s.span);
    let mut selection = range(s.name_span);
    // The selection must lie inside the full range.
    if selection.start < full.start || selection.end > full.end {
        selection = full;
    }
    lsp::DocumentSymbol {
        name: if s.name.is_empty() { "(unnamed)".into() } else { s.name.clone() },
        detail: (!s.detail.is_empty()).then(|| s.detail.clone()),
        kind,
        tags: None,
        deprecated: None,
        range: full,
        selection_range: selection,
        children: Some(s.children.iter().map(|c| to_lsp_symbol(c, analysis)).collect()),
    }
}

fn error(id: RequestId, code: ErrorCode, message: &str) -> Response {
    Response::new_err(id, code as i32, message.to_string())
}

fn publish(uri: &str, diagnostics: Vec<lsp::Diagnostic>, version: Option<i32>) -> bool {
    let Ok(uri) = lsp::Uri::from_str(uri) else { return true };
    let params = lsp::PublishDiagnosticsParams { uri, diagnostics, version };
    let params = serde_json::to_value(params).unwrap_or_default();
    write(Message::Notification(Notification { method: "textDocument/publishDiagnostics".into(), params }))
}

/// Writes one message; false when standard output is closed (the client is gone).
fn write(message: Message) -> bool {
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    message.write(&mut lock).is_ok()
}

/// Writes a message body that `lsp-server`'s types cannot express (a response whose id is `null`).
fn write_raw(body: &str) -> bool {
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    write!(lock, "Content-Length: {}\r\n\r\n{body}", body.len()).and_then(|()| lock.flush()).is_ok()
}

/// JSON-RPC's answer to a body that is not a message: a parse error with a `null` id.
fn parse_error(why: &str) -> String {
    let error = serde_json::json!({
        "jsonrpc": "2.0",
        "id": null,
        "error": { "code": ErrorCode::ParseError as i32, "message": format!("not a JSON-RPC message: {why}") },
    });
    error.to_string()
}

/// Reads `Content-Length` framed messages until standard input closes. A body that is not a
/// message is reported and skipped (the framing still holds); a broken header ends the stream.
fn read_frames(tx: &mpsc::Sender<Incoming>) {
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    loop {
        let mut length = None;
        loop {
            let mut line = String::new();
            match input.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let line = line.trim_end_matches(['\r', '\n']);
            if line.is_empty() {
                break;
            }
            let Some((name, value)) = line.split_once(':') else {
                let _ = tx.send(Incoming::Malformed(format!("a header line without `:`: {line:?}")));
                return;
            };
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = value.trim().parse::<usize>().ok();
            }
        }
        let Some(length) = length.filter(|n| *n <= MAX_BODY_BYTES) else {
            let _ = tx.send(Incoming::Malformed("no usable Content-Length header".into()));
            return;
        };
        let mut body = vec![0; length];
        if input.read_exact(&mut body).is_err() {
            return;
        }
        let incoming = match serde_json::from_slice::<Message>(&body) {
            Ok(m) => Incoming::Message(m),
            Err(e) => Incoming::Malformed(e.to_string()),
        };
        if tx.send(incoming).is_err() {
            return;
        }
    }
}
