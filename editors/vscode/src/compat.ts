/**
 * Reading `karmem breaking --format json` (one violation per line) for the
 * "Karmem: Check Compatibility" command. Free of the `vscode` module (unit-tested).
 */

/** One violation as `karmem breaking --format json` prints it. */
export interface Violation {
  file: string;
  line: number;
  column: number;
  end_line: number;
  end_column: number;
  severity: string;
  rule: string;
  category: string;
  message: string;
  help?: string | null;
  old_file?: string | null;
  old_line?: number | null;
}

/** The JSON lines of `stdout` that are violations (other lines are ignored). */
export function parseViolations(stdout: string): Violation[] {
  const out: Violation[] = [];
  for (const line of stdout.split('\n')) {
    const text = line.trim();
    if (!text.startsWith('{')) {
      continue;
    }
    try {
      const v = JSON.parse(text) as Partial<Violation>;
      if (typeof v.rule === 'string' && typeof v.message === 'string' && typeof v.line === 'number') {
        out.push(v as Violation);
      }
    } catch {
      // not a violation line
    }
  }
  return out;
}

/** A one-line summary: `No incompatible changes against main.` or counts by severity. */
export function summarize(violations: Violation[], against: string): string {
  if (violations.length === 0) {
    return `No incompatible changes against ${against}.`;
  }
  const errors = violations.filter((v) => v.severity === 'error').length;
  const warnings = violations.length - errors;
  const parts: string[] = [];
  if (errors > 0) {
    parts.push(`${errors} breaking change${errors === 1 ? '' : 's'}`);
  }
  if (warnings > 0) {
    parts.push(`${warnings} warning${warnings === 1 ? '' : 's'}`);
  }
  return `${parts.join(', ')} against ${against}.`;
}

/** Readable lines for the output channel. */
export function formatViolation(v: Violation): string {
  const was = v.old_file && v.old_line ? ` (was ${v.old_file}:${v.old_line})` : '';
  const help = v.help ? `\n    help: ${v.help}` : '';
  return `${v.file}:${v.line}:${v.column}: ${v.severity} [${v.rule}, ${v.category}] ${v.message}${was}${help}`;
}
