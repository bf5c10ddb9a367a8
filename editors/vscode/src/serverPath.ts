/**
 * Finding the `karmem-lsp` and `karmem` binaries. Free of the `vscode` module (unit-tested).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** How to install the server, shown when it cannot be found. */
export const INSTALL_HINT =
  'Install it with "cargo install --path server" from a clone of karmem-lsp (see its README), ' +
  'or set "karmem.server.path" to the binary.';

function isExecutable(file: string): boolean {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) {
      return false;
    }
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `~` and `${workspaceFolder}` expanded; a relative path is taken from `baseDir`. */
export function expandPath(configured: string, baseDir: string | undefined): string {
  let p = configured.trim();
  if (p === '~' || p.startsWith('~/')) {
    p = path.join(os.homedir(), p.slice(1));
  }
  if (baseDir !== undefined) {
    p = p.replace(/\$\{workspaceFolder\}/g, baseDir);
  }
  if (!path.isAbsolute(p) && p.includes(path.sep) && baseDir !== undefined) {
    p = path.resolve(baseDir, p);
  }
  return p;
}

/** `name` in the directories of `pathVar`, then in `~/.cargo/bin`. */
export function findOnPath(name: string, pathVar: string | undefined = process.env.PATH): string | undefined {
  const dirs = (pathVar ?? '').split(path.delimiter).filter((d) => d !== '');
  dirs.push(path.join(os.homedir(), '.cargo', 'bin'));
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) {
      return candidate;
    }
  }
  return undefined;
}

/** The result of looking for a binary: its path, or why it is missing. */
export type Resolved = { path: string } | { error: string };

/**
 * The binary to run: the configured path when set (it must exist), else `name` from `PATH`.
 */
export function resolveBinary(name: string, configured: string | undefined, baseDir?: string, pathVar?: string): Resolved {
  if (configured !== undefined && configured.trim() !== '') {
    const p = expandPath(configured, baseDir);
    if (!p.includes(path.sep)) {
      const found = findOnPath(p, pathVar);
      return found ? { path: found } : { error: `${p} was not found on PATH.` };
    }
    return isExecutable(p) ? { path: p } : { error: `${p} does not exist or is not executable.` };
  }
  const found = findOnPath(name, pathVar);
  return found ? { path: found } : { error: `${name} was not found on PATH.` };
}

/** The `karmem` CLI: configured, else beside the server binary, else on `PATH`. */
export function resolveCli(configured: string | undefined, serverPath: string | undefined, baseDir?: string, pathVar?: string): Resolved {
  if (configured !== undefined && configured.trim() !== '') {
    return resolveBinary('karmem', configured, baseDir, pathVar);
  }
  if (serverPath !== undefined) {
    const sibling = path.join(path.dirname(serverPath), 'karmem');
    if (isExecutable(sibling)) {
      return { path: sibling };
    }
  }
  return resolveBinary('karmem', undefined, baseDir, pathVar);
}
