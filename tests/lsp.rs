//! `millwright lsp` driven over standard input and output as an editor drives it: whole conversations
//! with Content-Length framing, and the hostile cases (malformed JSON, unknown methods, unknown
//! documents, a client that disconnects). Every wait has a timeout, so a hang fails the test.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(60);

struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: mpsc::Receiver<Value>,
    next_id: i64,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_millwright"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length:") {
                        length = v.trim().parse().unwrap();
                    }
                }
                let mut body = vec![0; length];
                if r.read_exact(&mut body).is_err() {
                    return;
                }
                if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        Client { child, stdin, rx, next_id: 1 }
    }

    fn send_raw(&mut self, body: &str) {
        let stdin = self.stdin.as_mut().unwrap();
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send_raw(&json!({"jsonrpc": "2.0", "method": method, "params": params}).to_string());
    }

    /// Sends a request and waits for its response (other messages on the way are dropped).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send_raw(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string());
        self.wait_for(|m| m["id"] == json!(id))
    }

    fn wait_for(&self, want: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let m = self.rx.recv_timeout(left).expect("the server answered in time");
            if want(&m) {
                return m;
            }
        }
    }

    /// The diagnostics published for `version` of `uri`.
    fn diagnostics(&self, uri: &str, version: i64) -> Vec<Value> {
        let m = self.wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == json!(version)
        });
        m["params"]["diagnostics"].as_array().unwrap().clone()
    }

    fn initialize(&mut self) -> Value {
        let r = self.request(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": {},
                   "initializationOptions": {"docsUrl": "https://example.org/codes/"}}),
        );
        self.notify("initialized", json!({}));
        r
    }

    fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "kdl", "version": 1, "text": text}}),
        );
    }

    /// Waits for the process to end and returns its exit code.
    fn exit_code(mut self) -> Option<i32> {
        drop(self.stdin.take());
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn rhine() -> String {
    std::fs::read_to_string(common::root().join("examples/rhine/factory.kdl")).unwrap()
}

/// The 0-based line and UTF-16 column of the first `needle` in `text`, plus `shift` characters.
fn position_of(text: &str, needle: &str, shift: usize) -> Value {
    let at = text.find(needle).unwrap();
    let before = &text[..at];
    let line = before.matches('\n').count();
    let column = before.rsplit('\n').next().unwrap().encode_utf16().count() + shift;
    json!({"line": line, "character": column})
}

const URI: &str = "file:///blueprints/rhine/factory.kdl";

#[test]
fn a_whole_editing_conversation() {
    let text = rhine();
    let mut c = Client::start();
    let init = c.initialize();
    let caps = &init["result"]["capabilities"];
    assert_eq!(caps["hoverProvider"], json!(true));
    assert_eq!(caps["textDocumentSync"], json!(2), "incremental sync");
    c.open(URI, &text);
    let clean = c.diagnostics(URI, 1);
    assert!(clean.iter().all(|d| d["severity"] != json!(1)), "the Rhine example has no errors: {clean:?}");

    // Break the document mid-word: `rack "gb200-nvl72"` → `ra"ck …`, invalid KDL.
    let at = position_of(&text, "rack \"gb200-nvl72\"", 2);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2},
               "contentChanges": [{"range": {"start": at, "end": at}, "text": "\""}]}),
    );
    let broken = c.diagnostics(URI, 2);
    let e0101 = broken.iter().find(|d| d["code"] == "E0101").expect("a syntax error");
    assert_eq!(e0101["severity"], json!(1));
    assert_eq!(e0101["codeDescription"]["href"], "https://example.org/codes/E0101.md");
    assert_eq!(e0101["range"]["start"]["line"], at["line"]);

    // Undo it: back to a clean document.
    let end = json!({"line": at["line"], "character": at["character"].as_u64().unwrap() + 1});
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 3},
               "contentChanges": [{"range": {"start": at, "end": end}, "text": ""}]}),
    );
    assert!(c.diagnostics(URI, 3).iter().all(|d| d["code"] != "E0101"));
    // A change older than the document is dropped: no diagnostics for version 2 again.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": "garbage"}]}),
    );

    // Hover on the part id: the catalog's figures with units and its sources.
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": position_of(&text, "gb200-nvl72\" count=8", 3)}),
    );
    let value = hover["result"]["contents"]["value"].as_str().unwrap();
    assert!(value.contains("72 × NVIDIA"), "{value}");
    assert!(value.contains("maximum 142 kW"), "{value}");
    assert!(value.contains("Sources"), "{value}");

    // Hover on a loop: the plan's heat and CDU capacity.
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": position_of(&text, "loop \"tcs-1\"", 7)}),
    );
    let value = hover["result"]["contents"]["value"].as_str().unwrap();
    assert!(value.contains("CDUs: 12"), "{value}");

    // Completion of a rack part id: rack-scale systems and enclosures.
    let at = position_of(&text, "rack \"gb200-nvl72\"", 6);
    let completion = c.request("textDocument/completion", json!({"textDocument": {"uri": URI}, "position": at}));
    let labels: Vec<&str> =
        completion["result"].as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert!(labels.contains(&"gb200-nvl72") && labels.contains(&"rack-dlc-48u"), "{labels:?}");
    assert!(!labels.contains(&"spectrum-sn5600"), "a switch is no rack: {labels:?}");

    // Completion of a loop name where a rack names its loop, and of the nodes a site accepts.
    let labels = |c: &mut Client, at: Value| -> Vec<String> {
        let r = c.request("textDocument/completion", json!({"textDocument": {"uri": URI}, "position": at}));
        r["result"].as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(labels(&mut c, position_of(&text, "loop=\"tcs-1\"", 6)), vec!["tcs-1"]);
    let site_nodes = labels(&mut c, position_of(&text, "hall \"A\"", 2));
    assert_eq!(site_nodes, vec!["hall"], "`ha` inside a site");

    // Software versions the catalog knows, newest first.
    let versions = labels(&mut c, position_of(&text, "cuda \"13.0\"", 6));
    assert!(versions.contains(&"13.0".to_string()) && versions.len() > 1, "{versions:?}");
    let dynamo = labels(&mut c, position_of(&text, "version=\"0.6.0\"", 9));
    assert!(dynamo.contains(&"0.6.0".to_string()), "{dynamo:?}");

    // Definition of a loop name: the loop's own node; of a part id: the catalog file.
    let at = position_of(&text, "loop=\"tcs-1\"", 7);
    let def = c.request("textDocument/definition", json!({"textDocument": {"uri": URI}, "position": at}));
    assert_eq!(def["result"]["uri"], URI);
    assert_eq!(def["result"]["range"]["start"], position_of(&text, "\"tcs-1\" supply", 0));
    let refs = c.request(
        "textDocument/references",
        json!({"textDocument": {"uri": URI}, "position": at, "context": {"includeDeclaration": true}}),
    );
    assert_eq!(refs["result"].as_array().unwrap().len(), 3, "{refs}");
    // Renaming the loop edits its definition and both racks that name it; a part id is refused.
    let rename =
        c.request("textDocument/rename", json!({"textDocument": {"uri": URI}, "position": at, "newName": "tcs-main"}));
    let edits = rename["result"]["changes"][URI].as_array().unwrap();
    assert_eq!(edits.len(), 3, "{rename}");
    assert!(edits.iter().all(|e| e["newText"] == "\"tcs-main\""));
    let refused = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": URI}, "position": position_of(&text, "spectrum-sn5600", 2), "newName": "x"}),
    );
    assert_eq!(refused["error"]["code"], json!(-32803));
    let def = c.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": URI}, "position": position_of(&text, "spectrum-sn5600", 2)}),
    );
    assert_eq!(def["result"]["uri"], "millwright-stdlib:///switch/spectrum-sn5600.kdl");
    let file = c.request("millwright/stdlibFile", json!({"uri": "millwright-stdlib:///switch/spectrum-sn5600.kdl"}));
    assert!(file["result"].as_str().unwrap().contains("switch \"spectrum-sn5600\""));

    // The outline: sites with halls, rows and rack groups; fabrics; workloads.
    let symbols = c.request("textDocument/documentSymbol", json!({"textDocument": {"uri": URI}}));
    let names: Vec<&str> = symbols["result"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert!(
        names.contains(&"frankfurt-1") && names.contains(&"converged") && names.contains(&"reasoning"),
        "{names:?}"
    );
    // A site's range holds its halls, rows and rack groups.
    let site = symbols["result"].as_array().unwrap().iter().find(|s| s["name"] == "frankfurt-1").unwrap();
    let hall = site["children"].as_array().unwrap().iter().find(|s| s["name"] == "B").unwrap();
    let rack = &hall["children"][0]["children"][0];
    assert_eq!(rack["name"], "gb200-nvl72");
    let line = |s: &Value, end: &str| s["range"][end]["line"].as_u64().unwrap();
    assert!(line(site, "start") <= line(rack, "start") && line(rack, "end") < line(site, "end"));

    // Formatting a formatted example changes nothing.
    let edits = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": URI}, "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    assert_eq!(edits["result"][0]["newText"].as_str().unwrap(), text);

    let shutdown = c.request("shutdown", Value::Null);
    assert_eq!(shutdown["result"], Value::Null);
    c.notify("exit", Value::Null);
    assert_eq!(c.exit_code(), Some(0));
}

#[test]
fn hostile_clients_get_protocol_errors_and_never_a_hang() {
    let mut c = Client::start();
    // Before `initialize`: ServerNotInitialized.
    let early = c.request("textDocument/hover", json!({}));
    assert_eq!(early["error"]["code"], json!(-32002));
    c.initialize();
    // Malformed JSON in a well-framed message: a parse error with a null id, then the conversation goes on.
    c.send_raw("{\"jsonrpc\": \"2.0\", \"id\": 7, \"method\": ");
    let parse = c.wait_for(|m| m["error"]["code"] == json!(-32700));
    assert_eq!(parse["id"], Value::Null);
    let unknown = c.request("textDocument/frobnicate", json!({}));
    assert_eq!(unknown["error"]["code"], json!(-32601), "MethodNotFound");
    let not_open = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///nowhere.kdl"}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(not_open["error"]["code"], json!(-32803), "RequestFailed");
    let bad_params = c.request("textDocument/hover", json!({"position": "here"}));
    assert_eq!(bad_params["error"]["code"], json!(-32602), "InvalidParams");
    // A KDL file without a `factory` node gets empty diagnostics, not false ones.
    c.open("file:///config/other.kdl", "title \"not a blueprint\"\nsite-list 1 2 3\n");
    assert!(c.diagnostics("file:///config/other.kdl", 1).is_empty());
    // A position past the end of a line and a line past the end of the text are clamped.
    c.open(URI, &rhine());
    c.diagnostics(URI, 1);
    let far = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": {"line": 100000, "character": 100000}}),
    );
    assert_eq!(far["result"], Value::Null);
    // A misspelled loop name: E0302 with a quick fix that writes the loop the help suggests.
    // Before it, a comment with a character of two UTF-16 code units (four bytes) and one of one
    // (two bytes): the range counts UTF-16 code units, as the protocol does.
    let typo = rhine().replacen(
        "rack \"gb200-nvl72\" count=8 loop=\"tcs-1\"",
        "/* 🏭 Zürich */ rack \"gb200-nvl72\" count=8 loop=\"tcs-9\"",
        1,
    );
    let uri = "file:///blueprints/typo/factory.kdl";
    c.open(uri, &typo);
    let diagnostics = c.diagnostics(uri, 1);
    let e0302 = diagnostics.iter().find(|d| d["code"] == "E0302").expect("an unknown loop");
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": e0302["range"], "context": {"diagnostics": []}}),
    );
    let fix = &actions["result"][0];
    assert_eq!(fix["kind"], "quickfix", "{actions}");
    assert_eq!(e0302["range"]["start"], position_of(&typo, "\"tcs-9\"", 0));
    let edit = &fix["edit"]["changes"][uri][0];
    assert_eq!(edit["newText"], "\"tcs-1\"");
    assert_eq!(edit["range"], e0302["range"]);
    // The client disconnects without `shutdown`: the server exits (with 1) instead of hanging.
    assert_eq!(c.exit_code(), Some(1));
}
