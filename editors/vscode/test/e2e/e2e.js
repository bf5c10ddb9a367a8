// End-to-end test of the packaged extension in real VS Code: code-server (VS Code 1.100.3
// in the browser, full Node extension host) driven through Debian's Chromium with
// playwright-core, against the real karmem-lsp. Run by tests/tests/editor_vscode.rs.
//
// Environment (all required except SCREENSHOT):
//   CODE_SERVER  code-server binary        CHROMIUM  chromium binary
//   VSIX         the packaged extension    KARMEM_LSP / KARMEM  the server and the CLI
//   WORK         an empty temporary directory (user data, extensions, workspace)
//   SCREENSHOT   where to save a screenshot of the final state
// HOME and XDG_* should point into WORK: code-server and Chromium write there.
// Exit status 0 and a last line "PASS" when every check holds.
'use strict';

const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const net = require('net');
const path = require('path');
const { chromium } = require('playwright-core');

const env = (name) => {
  const v = process.env[name];
  if (!v) {
    throw new Error(`${name} is not set`);
  }
  return v;
};

const CODE_SERVER = env('CODE_SERVER');
const CHROMIUM = env('CHROMIUM');
const VSIX = env('VSIX');
const KARMEM_LSP = env('KARMEM_LSP');
const KARMEM = env('KARMEM');
const WORK = env('WORK');
const SCHEMA = 'monsters.km';
const BROKEN_TYPE = 'Teem';
const FIXED_TYPE = 'Team';
const T0 = Date.now();
const DEADLINE_MS = Number(process.env.E2E_DEADLINE_MS || 100000);
const log = (msg) => console.log(`[${((Date.now() - T0) / 1000).toFixed(1)}s] ${msg}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs the karmem CLI; returns stdout (throws on a status other than `okStatus`). */
function karmem(args, input, okStatus = [0]) {
  const r = spawnSync(KARMEM, args, { input, encoding: 'utf8' });
  if (!okStatus.includes(r.status)) {
    throw new Error(`karmem ${args.join(' ')}: status ${r.status}\n${r.stderr}`);
  }
  return r.stdout;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitHttp(url, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      const r = await fetch(url);
      if (r.status < 500) {
        return;
      }
    } catch {
      // not up yet
    }
    await sleep(200);
  }
  throw new Error(`code-server did not come up: ${url}`);
}

/** Runs a command from the Command Palette by its title. */
async function runCommand(page, title) {
  await page.keyboard.press('F1');
  await page.keyboard.type(title);
  const item = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  await item.waitFor({ timeout: 10000 });
  await item.click();
}

function check(cond, what) {
  if (!cond) {
    throw new Error(`check failed: ${what}`);
  }
  log(`ok: ${what}`);
}

/** Every file below `dir` whose name matches `re`. */
function findFiles(dir, re, out = []) {
  let entries = [];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      findFiles(p, re, out);
    } else if (re.test(e.name)) {
      out.push(p);
    }
  }
  return out;
}

async function main() {
  const userDir = path.join(WORK, 'user');
  const extDir = path.join(WORK, 'extensions');
  const ws = path.join(WORK, 'workspace');
  fs.mkdirSync(path.join(userDir, 'User'), { recursive: true });
  fs.mkdirSync(extDir, { recursive: true });
  fs.mkdirSync(ws, { recursive: true });

  // The schema with one error (an unknown type), and what the CLI says about it and about
  // the fixed text: the expected numbers are computed here, never written down.
  const broken = fs.readFileSync(path.join(__dirname, 'workspace', SCHEMA), 'utf8');
  fs.writeFileSync(path.join(ws, SCHEMA), broken);
  fs.copyFileSync(path.join(__dirname, 'workspace', 'karmem.toml'), path.join(ws, 'karmem.toml'));
  const generated = path.join(ws, 'gen', 'rust', 'game_generated.rs');
  const diag = JSON.parse(karmem(['check', '--format', 'json', path.join(ws, SCHEMA)], undefined, [1]).trim().split('\n')[0]);
  const fixed = broken.replace(`Side ${BROKEN_TYPE};`, `Side ${FIXED_TYPE};`);
  check(fixed !== broken, 'the fixture has the broken field');
  const fixedFile = path.join(WORK, 'fixed.km');
  fs.writeFileSync(fixedFile, fixed);
  const layout = JSON.parse(karmem(['layout', '--json', fixedFile]));
  const monster = layout.structs.find((s) => s.name === 'Monster');
  const health = monster.fields.find((f) => f.name === 'Health');
  const formatted = karmem(['fmt', '-'], fixed);
  check(formatted !== fixed, 'karmem fmt changes the fixed schema (so formatting is observable)');
  const lines = broken.split('\n');
  const vec3Line = lines.findIndex((l) => l.startsWith('struct Vec3')) + 1;
  const vec3Col = lines[vec3Line - 1].indexOf('Vec3') + 1;
  const vec3 = layout.structs.find((s) => s.name === 'Vec3');

  const settings = {
    'workbench.startupEditor': 'none',
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'workbench.enableExperiments': false,
    'workbench.tips.enabled': false,
    'chat.disableAIFeatures': true,
    'files.autoSave': 'off',
    'editor.hover.delay': 150,
    // Colours must come from the TextMate grammar, not from the server's semantic tokens.
    'editor.semanticHighlighting.enabled': false,
    'karmem.server.path': KARMEM_LSP,
    'karmem.cli.path': KARMEM,
    'karmem.trace.server': 'messages',
    // Saving must not generate: only "Karmem: Generate Code Now" does (checked below).
    'karmem.generate.onSave': false,
  };
  fs.writeFileSync(path.join(userDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));

  const csArgs = ['--user-data-dir', userDir, '--extensions-dir', extDir];
  const install = spawnSync(CODE_SERVER, [...csArgs, '--install-extension', VSIX], { encoding: 'utf8' });
  check(install.status === 0 && /successfully installed/.test(install.stdout), `code-server installs ${path.basename(VSIX)}`);
  const list = spawnSync(CODE_SERVER, [...csArgs, '--list-extensions', '--show-versions'], { encoding: 'utf8' });
  check(/^karmem\.karmem@/m.test(list.stdout), `extension listed (${list.stdout.trim()})`);

  const port = await freePort();
  const cs = spawn(CODE_SERVER, ['--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, ...csArgs,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--disable-getting-started-override', ws], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  // Never hang: past the deadline, stop code-server (its own process group) and fail.
  const deadline = setTimeout(() => {
    console.log(`FAIL: no result after ${DEADLINE_MS / 1000}s`);
    try {
      process.kill(-cs.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    process.exit(1);
  }, DEADLINE_MS);
  deadline.unref();
  let csLog = '';
  cs.stdout.on('data', (d) => (csLog += d));
  cs.stderr.on('data', (d) => (csLog += d));
  let browser;
  let page;
  try {
    await waitHttp(`http://127.0.0.1:${port}/healthz`, 30000);
    log('code-server is up');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage',
        '--no-first-run', '--disable-component-update'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
    log('workbench loaded');

    // Open the schema from the Explorer.
    const item = page.locator('.explorer-folders-view .monaco-list-row', { hasText: SCHEMA }).first();
    await item.waitFor({ timeout: 30000 });
    await item.click();
    await page.waitForSelector('.monaco-editor .view-lines', { timeout: 30000 });

    // 1. The language is recognised ...
    const mode = page.locator('#status\\.editor\\.mode', { hasText: 'Karmem' });
    await mode.waitFor({ timeout: 30000 });
    check(true, `status bar language mode is "${(await mode.innerText()).trim()}"`);

    // ... and coloured by the grammar: keyword, type, comment and enum member have theme
    // colours (token classes), different from the plain foreground and from one another.
    await page.waitForFunction(() => [...document.querySelectorAll('.monaco-editor .view-line span span')]
      .some((s) => s.textContent === 'struct' && !/\bmtk1\b/.test(s.className)), null, { timeout: 30000 });
    const tokens = await page.evaluate(() => {
      const plain = getComputedStyle(document.querySelector('.monaco-editor .view-lines')).color;
      const spans = [...document.querySelectorAll('.monaco-editor .view-line span span')]
        .map((s) => ({ text: s.textContent.replace(/\u00a0/g, ' ').trim(), cls: s.className, color: getComputedStyle(s).color }));
      return { plain, spans };
    });
    const token = (text) => tokens.spans.find((s) => s.text === text || (text.startsWith('///') && s.text.startsWith('///')));
    const coloured = ['struct', 'uint8', 'Humans', '/// Team of a monster.'].map((t) => {
      const s = token(t);
      check(s !== undefined && /\bmtk\d+\b/.test(s.cls), `token "${t}" is rendered with a token class (${s && s.cls})`);
      return s.color;
    });
    check(coloured.every((c) => c !== tokens.plain), `keyword, type, enum member and comment differ from the plain colour ${tokens.plain}`);
    check(new Set(coloured).size >= 3, `at least three distinct token colours (${[...new Set(coloured)].join(', ')})`);

    // 2. The error squiggle and the Problems entry, as `karmem check` reports it.
    await page.waitForSelector('.monaco-editor .squiggly-error', { timeout: 60000 });
    check(true, 'error squiggle shown');
    await page.keyboard.press('Control+Shift+M');
    const problem = page.locator('.markers-panel .monaco-list-row', { hasText: diag.message }).first();
    await problem.waitFor({ timeout: 30000 });
    const problemText = (await problem.innerText()).replace(/\s+/g, ' ').trim();
    check(problemText.includes(diag.code) && problemText.includes(`[Ln ${diag.line}, Col ${diag.column}]`),
      `Problems entry "${problemText}" has ${diag.code} at ${diag.line}:${diag.column}`);

    // 3. Fix the error in the editor: the diagnostic goes away.
    const editorLines = page.locator('.monaco-editor .view-lines').first();
    await editorLines.click();
    await page.keyboard.press('Control+g');
    await page.keyboard.type(String(diag.line));
    await page.keyboard.press('Enter');
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Control+Shift+ArrowLeft');
    await page.keyboard.type(FIXED_TYPE);
    await page.waitForFunction(() => document.querySelectorAll('.monaco-editor .squiggly-error').length === 0, null, { timeout: 30000 });
    await page.locator('.markers-panel .monaco-list-row', { hasText: diag.message }).first().waitFor({ state: 'detached', timeout: 30000 });
    check(true, 'fixing the type clears the squiggle and the Problems entry');

    // 4. Hover over a field shows the offset and size of `karmem layout --json`.
    const healthTok = page.locator('.monaco-editor .view-line span span', { hasText: /^Health$/ }).first();
    const hover = page.locator('.monaco-hover-content', { hasText: 'offset' }).first();
    for (let attempt = 0; attempt < 5; attempt++) {
      await page.mouse.move(0, 0);
      await healthTok.hover();
      try {
        await hover.waitFor({ timeout: 5000 });
        break;
      } catch (e) {
        if (attempt === 4) {
          throw e;
        }
      }
    }
    const hoverText = (await hover.innerText()).replace(/\s+/g, ' ');
    const offset = /offset: (\d+)/.exec(hoverText);
    const size = /field size: (\d+) bytes?/.exec(hoverText);
    check(offset !== null && Number(offset[1]) === health.offset,
      `hover offset ${offset && offset[1]} = layout --json offset ${health.offset}`);
    check(size !== null && Number(size[1]) === health.size.field,
      `hover field size ${size && size[1]} = layout --json size ${health.size.field}`);
    await page.keyboard.press('Escape');
    await page.mouse.move(0, 0);

    // Inlay hints carry the same numbers (injected text; spaces are rendered as U+00A0).
    const hint = `@${health.offset} +${health.size.field}`;
    await page.waitForFunction((want) => [...document.querySelectorAll('.monaco-editor .view-line')]
      .map((l) => l.textContent.replace(/\u00a0/g, ' '))
      .some((t) => t.includes('Health') && t.includes(want)),
    hint, { timeout: 15000 });
    check(true, `inlay hint "${hint}" after Health`);

    // 5. Go to definition on the type of `Pos` moves the cursor to `struct Vec3`.
    const posLine = page.locator('.monaco-editor .view-line', { hasText: 'Pos' }).first();
    await posLine.locator('span span', { hasText: /^Vec3$/ }).first().click();
    const posAt = lines.findIndex((l) => /^\s*Pos\s+Vec3/.test(l)) + 1;
    await page.locator('#status\\.editor\\.selection', { hasText: `Ln ${posAt},` }).waitFor({ timeout: 10000 });
    const before = (await page.locator('#status\\.editor\\.selection').innerText()).trim();
    await page.keyboard.press('F12');
    const want = `Ln ${vec3Line}, Col ${vec3Col}`;
    await page.locator('#status\\.editor\\.selection', { hasText: want }).waitFor({ timeout: 15000 });
    check(true, `go to definition: cursor ${before} -> ${want}`);

    // 6. Format Document gives what `karmem fmt` gives; saved to disk to compare.
    await runCommand(page, 'Format Document');
    await sleep(500);
    await page.keyboard.press('Control+s');
    const file = path.join(ws, SCHEMA);
    let onDisk = '';
    for (let i = 0; i < 50 && onDisk !== formatted; i++) {
      await sleep(200);
      onDisk = fs.readFileSync(file, 'utf8');
    }
    if (onDisk !== formatted) {
      console.log(`--- saved:\n${onDisk}\n--- karmem fmt:\n${formatted}`);
    }
    check(onDisk === formatted, 'Format Document + save = karmem fmt of the fixed schema');
    check(await page.locator('.monaco-editor .squiggly-error').count() === 0, 'no error after formatting');

    // 7. "Karmem: Show Memory Layout" with the cursor in Vec3: a webview with one byte
    //    cell per byte of the struct and one row per field, as in `karmem layout --json`.
    await runCommand(page, 'Karmem: Show Memory Layout');
    let view;
    for (let i = 0; i < 50 && !view; i++) {
      await sleep(200);
      for (const frame of page.frames()) {
        const found = await frame.evaluate(() => {
          const section = document.querySelector('section.struct');
          return section ? {
            name: section.getAttribute('data-struct'),
            title: section.querySelector('h2').textContent,
            cells: section.querySelectorAll('.bytes .cell').length,
            fieldRows: section.querySelectorAll('tbody tr.field').length,
            text: section.textContent,
          } : null;
        }).catch(() => null);
        if (found) {
          view = found;
          break;
        }
      }
    }
    check(view !== undefined, 'layout webview shown');
    check(view.name === 'Vec3' && view.cells === vec3.size.total && view.fieldRows === vec3.fields.length,
      `layout view of ${view.name}: ${view.cells} byte cells, ${view.fieldRows} field rows (layout --json: ${vec3.size.total} bytes, ${vec3.fields.length} fields)`);
    check(view.text.includes(`total ${vec3.size.total} bytes`), `layout view says "total ${vec3.size.total} bytes"`);

    // 8. With generate.onSave off, the save above generated nothing; "Generate Code Now"
    //    runs the server's karmem.generate.
    check(!fs.existsSync(generated), 'no code generated on save (karmem.generate.onSave = false reached the server)');
    await page.locator('.monaco-editor .view-lines').first().click();
    await runCommand(page, 'Karmem: Generate Code Now');
    for (let i = 0; i < 75 && !fs.existsSync(generated); i++) {
      await sleep(200);
    }
    check(fs.existsSync(generated) && fs.readFileSync(generated, 'utf8').includes('DO NOT EDIT'),
      `Generate Code Now wrote ${path.relative(ws, generated)}`);

    // The server was really driven (initialize, didOpen, hover, definition, formatting).
    let trace = '';
    const methods = ['initialize', 'textDocument/didOpen', 'textDocument/hover', 'textDocument/definition', 'textDocument/formatting'];
    for (let i = 0; i < 25 && !methods.every((m) => trace.includes(`'${m}`)); i++) {
      await sleep(200);
      trace = findFiles(path.join(userDir, 'logs'), /Karmem Language Server Trace/)
        .map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    }
    for (const method of methods) {
      check(new RegExp(`'${method}[ ']`).test(trace), `karmem.trace.server trace has ${method}`);
    }
    // 9. "Karmem: Check Compatibility" against an older version of the schema (a file
    //    baseline) reports what `karmem breaking` reports.
    const baseline = path.join(WORK, 'baseline.km');
    fs.writeFileSync(baseline, formatted.replace(/Health(\s+)int16;/, 'Health$1int32;'));
    check(fs.readFileSync(baseline, 'utf8') !== formatted, 'baseline differs from the schema');
    const breaking = karmem(['breaking', '--format', 'json', '--against', baseline, path.join(ws, SCHEMA)], undefined, [1])
      .trim().split('\n').map((l) => JSON.parse(l));
    const errors = breaking.filter((v) => v.severity === 'error').length;
    check(errors > 0, `karmem breaking finds ${errors} breaking change(s) against the baseline`);
    await page.locator('.monaco-editor .view-lines').first().click();
    await runCommand(page, 'Karmem: Check Compatibility');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ timeout: 10000 });
    check((await input.inputValue()) === 'HEAD', 'the baseline defaults to karmem.compat.against (HEAD)');
    await input.fill(baseline);
    await page.keyboard.press('Enter');
    const summary = `${errors} breaking change${errors === 1 ? '' : 's'} against ${baseline}`;
    const compatToast = page.locator('.notifications-toasts .notification-toast', { hasText: summary }).first();
    await compatToast.waitFor({ timeout: 20000 });
    check(true, `compatibility notification: "${summary}"`);
    await page.keyboard.press('Escape');

    // 10. Language configuration: Ctrl+/ toggles a `//` comment, Enter after `{` indents.
    const lineText = (n) => page.evaluate((i) => {
      const rows = [...document.querySelectorAll('.monaco-editor .view-lines .view-line')]
        .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top));
      const nums = [...document.querySelectorAll('.monaco-editor .margin-view-overlays .line-numbers')]
        .sort((a, b) => parseFloat(a.parentElement.style.top) - parseFloat(b.parentElement.style.top))
        .map((e) => Number(e.textContent));
      const at = nums.indexOf(i);
      return at < 0 ? null : rows[at].textContent.replace(/\u00a0/g, ' ');
    }, n);
    const gotoLine = async (n) => {
      await page.keyboard.press('Control+g');
      await page.keyboard.type(String(n));
      await page.keyboard.press('Enter');
    };
    const fmtLines = formatted.split('\n');
    const healthAt = fmtLines.findIndex((l) => l.includes('Health')) + 1;
    await page.locator('.monaco-editor .view-lines').first().click();
    await gotoLine(healthAt);
    await page.keyboard.press('Control+/');
    let commented = '';
    for (let i = 0; i < 25 && !/^\s*\/\/ Health/.test(commented); i++) {
      await sleep(100);
      commented = (await lineText(healthAt)) || '';
    }
    check(/^\s*\/\/ Health/.test(commented), `Ctrl+/ comments the line: "${commented.trim()}"`);
    await page.keyboard.press('Control+/');
    const vec3At = fmtLines.findIndex((l) => l.startsWith('struct Vec3')) + 1;
    await gotoLine(vec3At);
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('W');
    let typed = '';
    for (let i = 0; i < 25 && !typed.includes('W'); i++) {
      await sleep(100);
      typed = (await lineText(vec3At + 1)) || '';
    }
    check(/^ {4}W/.test(typed), `Enter after "{" indents the new line: "${typed}"`);
    await page.keyboard.press('Control+z');
    await page.keyboard.press('Control+z');

    // 11. Pointing karmem.server.path at nothing restarts the client, which says how to
    //    install the server instead of failing silently.
    const missing = path.join(WORK, 'no-such-dir', 'karmem-lsp');
    fs.mkdirSync(path.join(ws, '.vscode'), { recursive: true });
    fs.writeFileSync(path.join(ws, '.vscode', 'settings.json'), JSON.stringify({ 'karmem.server.path': missing }));
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'could not be started' }).first();
    await toast.waitFor({ timeout: 20000 });
    const toastText = (await toast.innerText()).replace(/\s+/g, ' ');
    check(toastText.includes(missing) && toastText.includes('cargo install --path server'),
      `missing server notification: "${toastText.slice(0, 160)}..."`);

    if (process.env.SCREENSHOT) {
      await page.screenshot({ path: process.env.SCREENSHOT });
    }
    log('PASS');
  } catch (e) {
    if (page && process.env.SCREENSHOT) {
      await page.screenshot({ path: process.env.SCREENSHOT }).catch(() => {});
    }
    for (const f of findFiles(path.join(userDir, 'logs'), /(Karmem|exthost|remoteexthost)/)) {
      console.log(`--- ${f} (tail)\n${fs.readFileSync(f, 'utf8').slice(-3000)}`);
    }
    console.log(`--- code-server output (tail)\n${csLog.slice(-3000)}`);
    throw e;
  } finally {
    if (browser) {
      await browser.close().catch(() => {});
    }
    try {
      process.kill(-cs.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.log(`FAIL: ${e && e.stack ? e.stack : e}`);
    process.exit(1);
  },
);
