// Starts `millwright lsp` for KDL files; the server itself decides which files are blueprints
// (those with a `factory` node) and gives the others no diagnostics.
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from "vscode-languageclient/node";

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const config = vscode.workspace.getConfiguration("millwright");
  const command = config.get<string>("path", "millwright");
  const serverOptions: ServerOptions = { command, args: ["lsp"], transport: TransportKind.stdio };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: "file", language: "kdl" }],
    initializationOptions: { docsUrl: config.get<string | null>("docsUrl", null) },
  };
  client = new LanguageClient("millwright", "Millwright", serverOptions, clientOptions);
  // Definitions on a part id point into the catalog under `millwright-stdlib:`; the server
  // returns the file's text for its `millwright/stdlibFile` request.
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider("millwright-stdlib", {
      provideTextDocumentContent: async (uri) =>
        (await client?.sendRequest<string | null>("millwright/stdlibFile", { uri: uri.toString() })) ?? "",
    }),
  );
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
