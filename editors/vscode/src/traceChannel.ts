/**
 * The channel that receives the LSP message trace. vscode-languageclient 11 traces only
 * when its trace channel's log level is Trace; this channel reports Trace exactly when
 * `karmem.trace.server` is not `off`, so the setting alone turns the trace on and off.
 */
import * as vscode from 'vscode';

function traceSetting(): string {
  return vscode.workspace.getConfiguration('karmem').get<string>('trace.server', 'off');
}

/** A plain output channel that looks like a LogOutputChannel to the language client. */
export class TraceChannel implements vscode.LogOutputChannel {
  private readonly channel: vscode.OutputChannel;
  private readonly levelEmitter = new vscode.EventEmitter<vscode.LogLevel>();
  private readonly listener: vscode.Disposable;
  readonly onDidChangeLogLevel = this.levelEmitter.event;
  readonly name: string;

  constructor(name: string) {
    this.name = name;
    this.channel = vscode.window.createOutputChannel(name);
    this.listener = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('karmem.trace.server')) {
        this.levelEmitter.fire(this.logLevel);
      }
    });
  }

  get logLevel(): vscode.LogLevel {
    return traceSetting() === 'off' ? vscode.LogLevel.Info : vscode.LogLevel.Trace;
  }

  private line(level: string, message: string | Error, args: unknown[]): void {
    const text = message instanceof Error ? (message.stack ?? message.message) : message;
    const extra = args.length > 0 ? ` ${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}` : '';
    this.channel.appendLine(`${new Date().toISOString()} [${level}] ${text}${extra}`);
  }

  trace(message: string, ...args: unknown[]): void {
    this.line('trace', message, args);
  }
  debug(message: string, ...args: unknown[]): void {
    this.line('debug', message, args);
  }
  info(message: string, ...args: unknown[]): void {
    this.line('info', message, args);
  }
  warn(message: string, ...args: unknown[]): void {
    this.line('warning', message, args);
  }
  error(error: string | Error, ...args: unknown[]): void {
    this.line('error', error, args);
  }
  append(value: string): void {
    this.channel.append(value);
  }
  appendLine(value: string): void {
    this.channel.appendLine(value);
  }
  replace(value: string): void {
    this.channel.replace(value);
  }
  clear(): void {
    this.channel.clear();
  }
  show(columnOrPreserveFocus?: vscode.ViewColumn | boolean, preserveFocus?: boolean): void {
    if (typeof columnOrPreserveFocus === 'boolean') {
      this.channel.show(columnOrPreserveFocus);
    } else {
      this.channel.show(columnOrPreserveFocus, preserveFocus);
    }
  }
  hide(): void {
    this.channel.hide();
  }
  dispose(): void {
    this.listener.dispose();
    this.levelEmitter.dispose();
    this.channel.dispose();
  }
}
