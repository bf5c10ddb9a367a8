import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LayoutStruct, MAX_CELLS, renderLayoutHtml, renderLayoutText, segments, structsOf } from '../layoutView';

// `karmem layout --json` for: struct A inline { B uint8; C uint32; } (not packed)
const inlineA: LayoutStruct = {
  name: 'A', class: 'inline', packed: false,
  size: { minimum: 5, content: 5, padding: 3, total: 8 },
  fields: [
    { name: 'B', type: 'uint8', offset: 0, size: { minimum: 1, field: 1, allocation: 1 } },
    { name: 'C', type: 'uint32', offset: 1, size: { minimum: 4, field: 4, allocation: 4 } },
  ],
};
// struct T table { D A; E uint16; }
const tableT: LayoutStruct = {
  name: 'T', class: 'table', packed: false,
  size: { minimum: 8, content: 14, padding: 0, total: 14 },
  fields: [
    { name: 'D', type: 'A', offset: 4, size: { minimum: 8, field: 8, allocation: 8 } },
    { name: 'E', type: 'uint16', offset: 12, size: { minimum: 2, field: 2, allocation: 2 } },
  ],
};

test('inline struct: fields then tail padding up to the total', () => {
  assert.deepEqual(segments(inlineA)?.map((s) => [s.kind, s.label, s.offset, s.size]), [
    ['field', 'B', 0, 1],
    ['field', 'C', 1, 4],
    ['padding', 'padding', 5, 3],
  ]);
});

test('table: the 4-byte size header comes first', () => {
  assert.deepEqual(segments(tableT)?.map((s) => [s.kind, s.offset, s.size]), [
    ['header', 0, 4],
    ['field', 4, 8],
    ['field', 12, 2],
  ]);
});

test('gaps between fields are padding', () => {
  const gappy: LayoutStruct = {
    ...inlineA,
    size: { minimum: 8, content: 5, padding: 3, total: 8 },
    fields: [
      { name: 'B', type: 'uint8', offset: 0, size: { minimum: 1, field: 1, allocation: 1 } },
      { name: 'C', type: 'uint32', offset: 4, size: { minimum: 4, field: 4, allocation: 4 } },
    ],
  };
  assert.deepEqual(segments(gappy)?.map((s) => [s.kind, s.offset, s.size]), [
    ['field', 0, 1],
    ['padding', 1, 3],
    ['field', 4, 4],
  ]);
});

test('unknown sizes (file with errors) give no segments and a note, never numbers', () => {
  const broken: LayoutStruct = {
    name: 'M', class: 'table', size: null,
    fields: [{ name: 'X', type: 'Nope', offset: null, size: null }],
  };
  assert.equal(segments(broken), undefined);
  const html = renderLayoutHtml({ struct: broken, complete: false }, 'vscode-resource:');
  assert.match(html, /layout of this struct is unknown/);
  assert.match(html, /The file has errors/);
  assert.doesNotMatch(html, /class="cell/);
});

test('the byte map has one cell per byte, coloured by owner', () => {
  const html = renderLayoutHtml({ struct: tableT, complete: true }, 'vscode-resource:');
  const cells = [...html.matchAll(/<div class="cell ([a-z0-9]+)"/g)].map((m) => m[1]);
  assert.equal(cells.length, 14);
  assert.deepEqual(cells, ['header', 'header', 'header', 'header', 'f0', 'f0', 'f0', 'f0', 'f0', 'f0', 'f0', 'f0', 'f1', 'f1']);
  assert.match(html, /total 14 bytes/);
});

test('names are escaped and big structs are cut', () => {
  const big: LayoutStruct = {
    name: '<X>', class: 'inline',
    size: { minimum: 4000, content: 4000, padding: 0, total: 4000 },
    fields: [{ name: 'Data', type: '[1000]uint32', offset: 0, size: { minimum: 4000, field: 4000, allocation: 4 } }],
  };
  const html = renderLayoutHtml({ struct: big }, 'x');
  assert.ok(!html.includes('<X>'));
  assert.equal([...html.matchAll(/class="cell /g)].length, MAX_CELLS);
  assert.match(html, new RegExp(`first ${MAX_CELLS} of 4000 bytes`));
});

test('whole-document answers list every struct; text rendering', () => {
  assert.deepEqual(structsOf({ name: 'x', structs: [inlineA, tableT], complete: true }).map((s) => s.name), ['A', 'T']);
  assert.equal(renderLayoutText(inlineA), [
    'struct A inline: total 8 bytes (padding 3)',
    '     0     1  B uint8',
    '     1     4  C uint32',
    '     5     3  (padding)',
  ].join('\n'));
});
