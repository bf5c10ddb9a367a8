/**
 * The settings karmem-lsp reads (server/src/lsp/config.rs), built from the `karmem`
 * configuration section. Kept free of the `vscode` module so unit tests can run it.
 */

/** Reads one setting of the `karmem` section (`get('inlayHints.fieldLayout')`). */
export type SettingReader = (key: string) => unknown;

/** The `karmem` object the server accepts as `initializationOptions` and in `didChangeConfiguration`. */
export interface ServerSettings {
  inlayHints: { fieldLayout: boolean; enumValues: boolean; structSize: boolean };
  generate: { onSave: boolean };
  compat: { enabled: boolean; against: string };
  logLevel: string;
}

/** The server's defaults (docs/lsp-extensions.md, "Settings"). */
export const DEFAULT_SETTINGS: ServerSettings = {
  inlayHints: { fieldLayout: true, enumValues: true, structSize: true },
  generate: { onSave: true },
  compat: { enabled: true, against: 'HEAD' },
  logLevel: 'info',
};

const LOG_LEVELS = ['off', 'error', 'warn', 'info', 'debug'];

function bool(read: SettingReader, key: string, fallback: boolean): boolean {
  const v = read(key);
  return typeof v === 'boolean' ? v : fallback;
}

/** Builds the server's settings; values of the wrong type fall back to the defaults. */
export function serverSettings(read: SettingReader): ServerSettings {
  const d = DEFAULT_SETTINGS;
  const against = read('compat.against');
  const level = read('logLevel');
  return {
    inlayHints: {
      fieldLayout: bool(read, 'inlayHints.fieldLayout', d.inlayHints.fieldLayout),
      enumValues: bool(read, 'inlayHints.enumValues', d.inlayHints.enumValues),
      structSize: bool(read, 'inlayHints.structSize', d.inlayHints.structSize),
    },
    generate: { onSave: bool(read, 'generate.onSave', d.generate.onSave) },
    compat: {
      enabled: bool(read, 'compat.enabled', d.compat.enabled),
      against: typeof against === 'string' && against.trim() !== '' ? against.trim() : d.compat.against,
    },
    logLevel: typeof level === 'string' && LOG_LEVELS.includes(level) ? level : d.logLevel,
  };
}

/** The `workspace/didChangeConfiguration` params for `settings` (the `karmem` wrapper form). */
export function didChangeConfigurationParams(settings: ServerSettings): { settings: { karmem: ServerSettings } } {
  return { settings: { karmem: settings } };
}
