/**
 * The Karmem extension: starts `karmem-lsp --stdio` for `.km` files and adds the
 * layout view, the compatibility check and on-demand code generation.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import {
  CloseAction,
  DidChangeConfigurationNotification,
  ErrorAction,
  ErrorHandler,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  RequestType,
  ServerOptions,
  State,
  TextDocumentIdentifier,
  Position,
  TransportKind,
} from 'vscode-languageclient/node';
import { Violation, formatViolation, parseViolations, summarize } from './compat';
import { LayoutResult, renderLayoutHtml, renderLayoutText, structsOf } from './layoutView';
import { RestartPolicy } from './restartPolicy';
import { TraceChannel } from './traceChannel';
import { INSTALL_HINT, resolveBinary, resolveCli } from './serverPath';
import { didChangeConfigurationParams, serverSettings } from './settings';

/** The server's command that runs `karmem.toml`'s generation for one schema. */
const SERVER_GENERATE_COMMAND = 'karmem.generate';

interface LayoutParams {
  textDocument: TextDocumentIdentifier;
  position?: Position;
}
const LayoutRequest = new RequestType<LayoutParams, LayoutResult | null, void>('karmem/layout');

let client: LanguageClient | undefined;
let serverPath: string | undefined;
let output: vscode.LogOutputChannel;
let traceOutput: TraceChannel;
let watcher: vscode.FileSystemWatcher;
let compatOutput: vscode.OutputChannel | undefined;
let layoutPanel: vscode.WebviewPanel | undefined;
let policy: RestartPolicy;

function config(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('karmem');
}

function workspaceDir(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

function currentSettings() {
  const cfg = config();
  return serverSettings((key) => cfg.get(key));
}

class CrashHandler implements ErrorHandler {
  error(_error: Error, _message: unknown, count: number | undefined) {
    return { action: count !== undefined && count <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown };
  }

  closed() {
    if (policy.crashed()) {
      output.appendLine(`karmem-lsp exited unexpectedly; restarting (${policy.recentCrashes} in the last 3 minutes).`);
      return { action: CloseAction.Restart, handled: true };
    }
    void vscode.window
      .showErrorMessage(
        `karmem-lsp crashed ${policy.recentCrashes} times in the last 3 minutes and was not restarted. See the "Karmem Language Server" output.`,
        'Restart',
        'Show Output',
      )
      .then((choice) => {
        if (choice === 'Restart') {
          void vscode.commands.executeCommand('karmem.restartServer');
        } else if (choice === 'Show Output') {
          output.show();
        }
      });
    return { action: CloseAction.DoNotRestart, handled: true };
  }
}

async function showMissingServer(context: vscode.ExtensionContext, why: string): Promise<void> {
  const choice = await vscode.window.showErrorMessage(
    `Karmem: the language server karmem-lsp could not be started: ${why} ${INSTALL_HINT}`,
    'Open Settings',
    'Installation Instructions',
  );
  if (choice === 'Open Settings') {
    await vscode.commands.executeCommand('workbench.action.openSettings', 'karmem.server.path');
  } else if (choice === 'Installation Instructions') {
    // vsce stores the README as readme.md.
    const readme = ['readme.md', 'README.md'].map((n) => context.asAbsolutePath(n)).find((p) => fs.existsSync(p));
    if (readme !== undefined) {
      await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(readme));
    }
  }
}

async function startClient(context: vscode.ExtensionContext): Promise<void> {
  const resolved = resolveBinary('karmem-lsp', config().get<string>('server.path'), workspaceDir());
  if ('error' in resolved) {
    serverPath = undefined;
    output.appendLine(`karmem-lsp not started: ${resolved.error}`);
    void showMissingServer(context, resolved.error);
    return;
  }
  serverPath = resolved.path;
  const serverOptions: ServerOptions = {
    command: resolved.path,
    transport: TransportKind.stdio,
    options: { cwd: workspaceDir() },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'karmem' },
      { scheme: 'untitled', language: 'karmem' },
    ],
    initializationOptions: currentSettings(),
    outputChannel: output,
    traceOutputChannel: traceOutput,
    errorHandler: new CrashHandler(),
    synchronize: { fileEvents: watcher },
  };
  const c = new LanguageClient('karmem', 'Karmem Language Server', serverOptions, clientOptions);
  client = c;
  try {
    await c.start();
    output.appendLine(`karmem-lsp started: ${resolved.path}`);
  } catch (e) {
    client = undefined;
    const why = e instanceof Error ? e.message : String(e);
    output.appendLine(`karmem-lsp failed to start: ${why}`);
    void showMissingServer(context, `${resolved.path}: ${why}`);
  }
}

async function stopClient(): Promise<void> {
  const c = client;
  client = undefined;
  if (c !== undefined && c.state !== State.Stopped) {
    try {
      await c.stop(5000);
    } catch (e) {
      output.appendLine(`stopping karmem-lsp: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

async function restartClient(context: vscode.ExtensionContext): Promise<void> {
  policy.reset();
  await stopClient();
  await startClient(context);
}

function runningClient(): LanguageClient | undefined {
  if (client === undefined || client.state !== State.Running) {
    void vscode.window.showWarningMessage('Karmem: the language server is not running (Karmem: Restart Language Server starts it).');
    return undefined;
  }
  return client;
}

function karmemEditor(): vscode.TextEditor | undefined {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined || editor.document.languageId !== 'karmem') {
    void vscode.window.showWarningMessage('Karmem: open a .km file first.');
    return undefined;
  }
  return editor;
}

async function showLayout(context: vscode.ExtensionContext): Promise<void> {
  const editor = karmemEditor();
  const c = editor && runningClient();
  if (editor === undefined || c === undefined) {
    return;
  }
  const result = await c.sendRequest(LayoutRequest, {
    textDocument: c.code2ProtocolConverter.asTextDocumentIdentifier(editor.document),
    position: c.code2ProtocolConverter.asPosition(editor.selection.active),
  });
  if (result === null) {
    void vscode.window.showWarningMessage('Karmem: the server has no layout for this document.');
    return;
  }
  const structs = structsOf(result);
  const title = result.struct ? `Layout: ${result.struct.name}` : `Layout: ${path.basename(editor.document.fileName)}`;
  output.appendLine(structs.map(renderLayoutText).join('\n'));
  if (layoutPanel === undefined) {
    layoutPanel = vscode.window.createWebviewPanel('karmemLayout', title, vscode.ViewColumn.Beside, {
      enableScripts: false,
      localResourceRoots: [],
    });
    layoutPanel.onDidDispose(() => (layoutPanel = undefined), undefined, context.subscriptions);
  }
  layoutPanel.title = title;
  layoutPanel.webview.html = renderLayoutHtml(result, layoutPanel.webview.cspSource);
  layoutPanel.reveal(vscode.ViewColumn.Beside, true);
}

function runCli(cli: string, args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cli, args, { cwd, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr: stderr || (error && code === -1 ? error.message : '') });
    });
  });
}

async function checkCompatibility(): Promise<void> {
  const editor = karmemEditor();
  if (editor === undefined) {
    return;
  }
  const doc = editor.document;
  if (doc.uri.scheme !== 'file') {
    void vscode.window.showWarningMessage('Karmem: save the schema to a file first.');
    return;
  }
  const cli = resolveCli(config().get<string>('cli.path'), serverPath, workspaceDir());
  if ('error' in cli) {
    void vscode.window.showErrorMessage(`Karmem: the karmem command-line tool was not found: ${cli.error} ${INSTALL_HINT}`);
    return;
  }
  const against = await vscode.window.showInputBox({
    title: 'Karmem: Check Compatibility',
    prompt: 'Baseline: a git revision (main, HEAD~1, v1.2), or a schema file or directory',
    value: currentSettings().compat.against,
  });
  if (against === undefined || against.trim() === '') {
    return;
  }
  if (doc.isDirty) {
    await doc.save();
  }
  const dir = path.dirname(doc.fileName);
  const run = await runCli(cli.path, ['breaking', '--format', 'json', '--against', against.trim(), doc.fileName], dir);
  const violations: Violation[] = parseViolations(run.stdout);
  compatOutput ??= vscode.window.createOutputChannel('Karmem Compatibility');
  compatOutput.appendLine(`$ karmem breaking --against ${against.trim()} ${path.basename(doc.fileName)}  (exit ${run.code})`);
  for (const v of violations) {
    compatOutput.appendLine(formatViolation(v));
  }
  if (run.stderr.trim() !== '') {
    compatOutput.appendLine(run.stderr.trimEnd());
  }
  if (violations.length === 0 && run.code !== 0) {
    compatOutput.show(true);
    void vscode.window.showErrorMessage(`Karmem: the compatibility check failed (exit ${run.code}); see the "Karmem Compatibility" output.`);
    return;
  }
  const summary = `Karmem: ${summarize(violations, against.trim())}`;
  const actions = violations.length > 0 ? ['Show Details', 'Compare While Editing'] : ['Compare While Editing'];
  const choice = violations.some((v) => v.severity === 'error')
    ? await vscode.window.showErrorMessage(summary, ...actions)
    : await vscode.window.showInformationMessage(summary, ...actions);
  if (choice === 'Show Details') {
    compatOutput.show(true);
  } else if (choice === 'Compare While Editing') {
    // The server's compatibility diagnostics follow this baseline from now on.
    await config().update('compat.against', against.trim(), vscode.ConfigurationTarget.Workspace);
    await config().update('compat.enabled', true, vscode.ConfigurationTarget.Workspace);
  }
}

async function generateNow(): Promise<void> {
  const editor = karmemEditor();
  const c = editor && runningClient();
  if (editor === undefined || c === undefined) {
    return;
  }
  // The server generates from the saved text.
  if (editor.document.isDirty && !(await editor.document.save())) {
    return;
  }
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'Karmem: generating code' },
    () => c.sendRequest(ExecuteCommandRequest.type, {
      command: SERVER_GENERATE_COMMAND,
      arguments: [c.code2ProtocolConverter.asUri(editor.document.uri)],
    }),
  );
}

/** Activates the extension: output channel, commands, the language client. */
export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('Karmem Language Server', { log: true });
  traceOutput = new TraceChannel('Karmem Language Server Trace');
  watcher = vscode.workspace.createFileSystemWatcher('**/{*.km,karmem.toml}');
  policy = new RestartPolicy(() => config().get<number>('server.maxRestarts', 4));
  context.subscriptions.push(
    output,
    traceOutput,
    watcher,
    vscode.commands.registerCommand('karmem.restartServer', () => restartClient(context)),
    vscode.commands.registerCommand('karmem.showLayout', () => showLayout(context)),
    vscode.commands.registerCommand('karmem.checkCompatibility', () => checkCompatibility()),
    vscode.commands.registerCommand('karmem.generateNow', () => generateNow()),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (!e.affectsConfiguration('karmem')) {
        return;
      }
      if (e.affectsConfiguration('karmem.server.path')) {
        await restartClient(context);
        return;
      }
      if (client !== undefined && client.state === State.Running) {
        await client.sendNotification(DidChangeConfigurationNotification.type, didChangeConfigurationParams(currentSettings()));
      }
    }),
    { dispose: () => void stopClient() },
  );
  await startClient(context);
}

/** Stops the server. */
export async function deactivate(): Promise<void> {
  await stopClient();
}
