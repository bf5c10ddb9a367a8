import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { formatViolation, parseViolations, summarize } from '../compat';
import { RestartPolicy } from '../restartPolicy';
import { resolveBinary, resolveCli } from '../serverPath';

test('restart policy: at most max restarts within the window', () => {
  let now = 0;
  const p = new RestartPolicy(() => 2, 1000, () => now);
  assert.equal(p.crashed(), true);
  now = 10;
  assert.equal(p.crashed(), true);
  now = 20;
  assert.equal(p.crashed(), false);
  assert.equal(p.recentCrashes, 3);
  now = 1500; // the first crashes left the window
  assert.equal(p.crashed(), true);
  p.reset();
  assert.equal(p.recentCrashes, 0);
  const never = new RestartPolicy(() => 0, 1000, () => now);
  assert.equal(never.crashed(), false);
});

test('binaries: configured path, PATH, sibling CLI, clear errors', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'karmem-ext-'));
  const lsp = path.join(dir, 'karmem-lsp');
  const cli = path.join(dir, 'karmem');
  fs.writeFileSync(lsp, '#!/bin/sh\n', { mode: 0o755 });
  fs.writeFileSync(cli, '#!/bin/sh\n', { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'not-exec'), '', { mode: 0o644 });
  try {
    assert.deepEqual(resolveBinary('karmem-lsp', lsp), { path: lsp });
    assert.deepEqual(resolveBinary('karmem-lsp', '', undefined, dir), { path: lsp });
    assert.deepEqual(resolveBinary('karmem-lsp', './karmem-lsp', dir), { path: lsp });
    assert.deepEqual(resolveBinary('karmem-lsp', '${workspaceFolder}/karmem-lsp', dir), { path: lsp });
    const missing = resolveBinary('karmem-lsp', path.join(dir, 'nope'));
    assert.ok('error' in missing && missing.error.includes('does not exist'));
    assert.ok('error' in resolveBinary('karmem-lsp', path.join(dir, 'not-exec')));
    assert.ok('error' in resolveBinary('karmem-lsp-nowhere', undefined, undefined, '/nonexistent'));
    assert.deepEqual(resolveCli(undefined, lsp, undefined, '/nonexistent'), { path: cli });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('compatibility: JSON lines of karmem breaking, summary', () => {
  const line = JSON.stringify({
    file: 'changed.km', line: 17, column: 16, end_line: 17, end_column: 21, severity: 'error',
    rule: 'FIELD_TYPE_CHANGED', category: 'wire', message: 'type of field `Health` changed', help: null,
    old_file: 'fixed.km', old_line: 17,
  });
  const vs = parseViolations(`${line}\nnot json\n{"broken":\n`);
  assert.equal(vs.length, 1);
  assert.equal(formatViolation(vs[0]), 'changed.km:17:16: error [FIELD_TYPE_CHANGED, wire] type of field `Health` changed (was fixed.km:17)');
  assert.equal(summarize(vs, 'main'), '1 breaking change against main.');
  assert.equal(summarize([], 'HEAD'), 'No incompatible changes against HEAD.');
  assert.equal(summarize([vs[0], { ...vs[0], severity: 'warning' }, { ...vs[0], severity: 'warning' }], 'v1'), '1 breaking change, 2 warnings against v1.');
});
