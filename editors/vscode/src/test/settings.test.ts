import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SETTINGS, didChangeConfigurationParams, serverSettings } from '../settings';

function reader(values: Record<string, unknown>) {
  return (key: string) => values[key];
}

test('defaults when nothing is configured', () => {
  assert.deepEqual(serverSettings(reader({})), DEFAULT_SETTINGS);
});

test('every server key is read from the karmem section', () => {
  const s = serverSettings(reader({
    'inlayHints.fieldLayout': false,
    'inlayHints.enumValues': false,
    'inlayHints.structSize': false,
    'generate.onSave': false,
    'compat.enabled': false,
    'compat.against': ' main ',
    logLevel: 'debug',
  }));
  assert.deepEqual(s, {
    inlayHints: { fieldLayout: false, enumValues: false, structSize: false },
    generate: { onSave: false },
    compat: { enabled: false, against: 'main' },
    logLevel: 'debug',
  });
});

test('values of the wrong type or empty revisions fall back to the defaults', () => {
  const s = serverSettings(reader({ 'inlayHints.fieldLayout': 'no', 'compat.against': '  ', logLevel: 'loud' }));
  assert.equal(s.inlayHints.fieldLayout, true);
  assert.equal(s.compat.against, 'HEAD');
  assert.equal(s.logLevel, 'info');
});

test('didChangeConfiguration uses the karmem wrapper the server reads', () => {
  const params = didChangeConfigurationParams(serverSettings(reader({ 'generate.onSave': false })));
  assert.equal(params.settings.karmem.generate.onSave, false);
  assert.equal(params.settings.karmem.inlayHints.structSize, true);
});
