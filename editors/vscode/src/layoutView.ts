/**
 * Rendering the answer of the `karmem/layout` request (docs/lsp-extensions.md) as HTML: per
 * struct, a table of offsets and sizes and a byte map where every byte is a cell coloured by
 * the field that owns it (padding hatched). Free of the `vscode` module (unit-tested).
 */

/** A field of a struct in the layout JSON (`karmem layout --json`). */
export interface LayoutField {
  name: string;
  type: string;
  offset: number | null;
  size: { minimum: number; field: number; allocation: number } | null;
}

/** A struct of the layout JSON. */
export interface LayoutStruct {
  name: string;
  class: string;
  id?: string;
  packed?: boolean;
  size: { minimum: number; content: number; padding: number; total: number } | null;
  fields: LayoutField[];
}

/** What `karmem/layout` answers: one struct, or the whole document. */
export interface LayoutResult {
  complete?: boolean;
  struct?: LayoutStruct;
  name?: string;
  structs?: LayoutStruct[];
}

/** A run of bytes of a struct: a field, the table's size header, or padding. */
export interface Segment {
  kind: 'field' | 'header' | 'padding';
  /** The field's name; `size header` / `padding` otherwise. */
  label: string;
  type: string;
  offset: number;
  size: number;
  /** The field's index in `fields` (for its colour); -1 for header and padding. */
  index: number;
}

/** The structs of a layout answer, in document order. */
export function structsOf(result: LayoutResult): LayoutStruct[] {
  if (result.struct) {
    return [result.struct];
  }
  return result.structs ?? [];
}

/**
 * The byte runs of `s` in offset order, gaps and the tail up to the total size as padding;
 * `undefined` when the struct's layout is unknown (the file has errors that affect it).
 */
export function segments(s: LayoutStruct): Segment[] | undefined {
  if (s.size === null || s.fields.some((f) => f.offset === null || f.size === null)) {
    return undefined;
  }
  const out: Segment[] = [];
  let at = 0;
  if (s.class === 'table') {
    out.push({ kind: 'header', label: 'size header', type: 'uint32', offset: 0, size: 4, index: -1 });
    at = 4;
  }
  const fields = s.fields
    .map((f, index) => ({ f, index }))
    .sort((a, b) => (a.f.offset as number) - (b.f.offset as number));
  for (const { f, index } of fields) {
    const offset = f.offset as number;
    const size = (f.size as { field: number }).field;
    if (offset > at) {
      out.push({ kind: 'padding', label: 'padding', type: '', offset: at, size: offset - at, index: -1 });
    }
    out.push({ kind: 'field', label: f.name, type: f.type, offset, size, index });
    at = Math.max(at, offset + size);
  }
  if (s.size.total > at) {
    out.push({ kind: 'padding', label: 'padding', type: '', offset: at, size: s.size.total - at, index: -1 });
  }
  return out;
}

/** HTML-escaped text. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Byte cells drawn at most per struct (bigger structs are cut, with a note). */
export const MAX_CELLS = 1024;

const PALETTE = 8;

function segmentClass(seg: Segment): string {
  if (seg.kind === 'field') {
    return `f${seg.index % PALETTE}`;
  }
  return seg.kind;
}

function renderStruct(s: LayoutStruct): string {
  const title = `struct ${escapeHtml(s.name)} ${escapeHtml(s.class)}${s.packed ? ', packed' : ''}`;
  const segs = segments(s);
  if (segs === undefined || s.size === null) {
    return `<section class="struct" data-struct="${escapeHtml(s.name)}"><h2>${title}</h2>` +
      '<p class="unknown">The layout of this struct is unknown while the file has errors that affect it.</p></section>';
  }
  const size = s.size;
  const summary = `minimum ${size.minimum} · content ${size.content} · padding ${size.padding} · <b>total ${size.total} bytes</b>` +
    (s.id ? ` · id ${escapeHtml(s.id)}` : '');
  const rows = segs
    .map((seg) => `<tr class="${seg.kind}"><td class="num">${seg.offset}</td><td class="num">${seg.size}</td>` +
      `<td><span class="swatch ${segmentClass(seg)}"></span>${seg.kind === 'field' ? escapeHtml(seg.label) : `<i>${seg.label}</i>`}</td>` +
      `<td><code>${escapeHtml(seg.type)}</code></td></tr>`)
    .join('');
  const cells: string[] = [];
  for (const seg of segs) {
    for (let b = seg.offset; b < seg.offset + seg.size && b < MAX_CELLS; b++) {
      const tip = `${b}: ${seg.label}${seg.kind === 'field' ? ` (byte ${b - seg.offset} of ${seg.size})` : ''}`;
      cells.push(`<div class="cell ${segmentClass(seg)}" title="${escapeHtml(tip)}">${b % 8 === 0 ? b : ''}</div>`);
    }
  }
  const cut = size.total > MAX_CELLS ? `<p class="note">Showing the first ${MAX_CELLS} of ${size.total} bytes.</p>` : '';
  return `<section class="struct" data-struct="${escapeHtml(s.name)}"><h2>${title}</h2><p>${summary}</p>` +
    `<table><thead><tr><th>offset</th><th>size</th><th>field</th><th>type</th></tr></thead><tbody>${rows}</tbody></table>` +
    `<div class="bytes" aria-label="byte map">${cells.join('')}</div>${cut}</section>`;
}

/** The whole page for a layout answer; `cspSource` is the webview's resource origin. */
export function renderLayoutHtml(result: LayoutResult, cspSource: string): string {
  const structs = structsOf(result);
  const warning = result.complete === false
    ? '<p class="warning">The file has errors: only the numbers that do not depend on them are shown.</p>'
    : '';
  const body = structs.length === 0 ? '<p>No struct in this file.</p>' : structs.map(renderStruct).join('');
  const colours = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#9c755f'];
  const palette = colours.map((c, i) => `.f${i}{background:${c};}`).join('');
  return `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${cspSource} 'unsafe-inline';">
<title>Karmem layout</title><style>
body{font-family:var(--vscode-font-family);color:var(--vscode-foreground);padding:0 1em;}
table{border-collapse:collapse;margin:.5em 0;}td,th{padding:2px 8px;border-bottom:1px solid var(--vscode-panel-border,#8884);text-align:left;}
td.num{text-align:right;font-variant-numeric:tabular-nums;}
.swatch{display:inline-block;width:.8em;height:.8em;margin-right:.4em;vertical-align:middle;}
.bytes{display:grid;grid-template-columns:repeat(16,1.6em);gap:2px;margin:.5em 0 1.5em;}
.cell{height:1.6em;font-size:.65em;line-height:1.6em;text-align:center;color:#fff;border-radius:2px;}
.header{background:#777;}
.padding{background:repeating-linear-gradient(45deg,#8886,#8886 3px,transparent 3px,transparent 6px);color:var(--vscode-foreground);}
.warning,.unknown{color:var(--vscode-editorWarning-foreground,#c80);}
${palette}
</style></head><body>${warning}${body}</body></html>`;
}

/** A plain-text table of one struct (for logs and the output channel). */
export function renderLayoutText(s: LayoutStruct): string {
  const segs = segments(s);
  if (segs === undefined || s.size === null) {
    return `struct ${s.name}: layout unknown`;
  }
  const lines = [`struct ${s.name} ${s.class}: total ${s.size.total} bytes (padding ${s.size.padding})`];
  for (const seg of segs) {
    lines.push(`${String(seg.offset).padStart(6)} ${String(seg.size).padStart(5)}  ${seg.kind === 'field' ? seg.label : `(${seg.label})`} ${seg.type}`.trimEnd());
  }
  return lines.join('\n');
}
