import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { PAGE_FILES, WEBVIEW_MEDIA, assetHead, assetScripts } from '../../../src/util/pageAssets';
import { PALETTE } from '../../../src/splits/reportHtml';
import { assertNoInlineCode, fakeAssets } from './pages';

const MEDIA = path.resolve(__dirname, '..', '..', '..', '..', ...WEBVIEW_MEDIA);
const read = (f: string): string => fs.readFileSync(path.join(MEDIA, f), 'utf8');

/** A page as the builders write one: the assets' head in <head>, their scripts at the end of <body>. */
function pageWith(assets: ReturnType<typeof fakeAssets>, head = '', body = ''): string {
  return (
    `<!DOCTYPE html><html><head>${assetHead(assets)}${head}</head>` +
    `<body>${body}${assetScripts(assets)}</body></html>`
  );
}

describe('webview pages: stylesheets and scripts in media/webview/', () => {
  it('every file a page links exists under media/webview/, and every file there is linked by a page', () => {
    const linked = new Set(Object.values(PAGE_FILES).flatMap((p) => [...p.styles, ...p.scripts]));
    for (const f of linked) assert.ok(fs.statSync(path.join(MEDIA, f)).isFile(), `media/webview/${f}`);
    assert.deepEqual(fs.readdirSync(MEDIA).sort(), [...linked].sort(), 'a file in media/webview/ no page links');
    for (const [page, files] of Object.entries(PAGE_FILES)) assert.equal(files.styles[0], 'base.css', page);
  });

  it('the no-inline check fails on a <style> element, a style="" attribute, or inline script text', () => {
    const a = fakeAssets('splitReport');
    assertNoInlineCode(pageWith(a), a);
    assert.throws(() => assertNoInlineCode(pageWith(a, '<style>body { color: red }</style>'), a), /<style>/);
    assert.throws(() => assertNoInlineCode(pageWith(a, '', '<p style="color: red">x</p>'), a), /style=""/);
    assert.throws(() => assertNoInlineCode(pageWith(a, '', '<script nonce="N0NCE">go()</script>'), a), /src/);
    assert.throws(() => assertNoInlineCode(pageWith(a, '', '<button onclick="go()">x</button>'), a), /handler/);
    assert.throws(() => assertNoInlineCode(pageWith(a, '', '<script src="x.js"></script>'), a), /nonce/);
    const relaxed = pageWith(a).replace('style-src fake-webview:;', "style-src fake-webview: 'unsafe-inline';");
    assert.throws(() => assertNoInlineCode(relaxed, a));
    // A JSON data block is data, not script.
    assertNoInlineCode(pageWith(a, '', '<script type="application/json" id="data">{"a":1}</script>'), a);
  });

  it('the CSP admits the stylesheets by source, scripts by nonce only where the page has some', () => {
    assert.match(assetHead(fakeAssets('focusLog')), /content="default-src 'none'; style-src fake-webview:;"/);
    assert.equal(assetScripts(fakeAssets('focusLog')), '');
    assert.match(assetHead(fakeAssets('inspector')), /; script-src 'nonce-N0NCE';"/);
    assert.doesNotMatch(assetHead(fakeAssets('inspector', { scripts: false })), /script-src/);
    // A URI is an attribute value: quoted and escaped.
    const odd = { ...fakeAssets('focusLog'), styles: ['a"b&c.css'] };
    assert.match(assetHead(odd), /href="a&quot;b&amp;c\.css"/);
  });

  it("the split report's swatch classes .c0-.c9 are its PALETTE, in order", () => {
    const css = read('splitReport.css');
    const swatches = [...css.matchAll(/\.c(\d+) \{\s*background: (#[0-9a-f]+);\s*\}/g)].map((m) => [
      Number(m[1]),
      m[2],
    ]);
    assert.deepEqual(
      swatches,
      PALETTE.map((c, i) => [i, c]),
    );
  });

  it('the split report script posts the button clicks to the extension', () => {
    const posted: unknown[] = [];
    const buttons: Record<string, { click?: () => void }> = { copy: {}, open: {} };
    run('splitReport.js', {
      acquireVsCodeApi: () => ({ postMessage: (m: unknown) => posted.push(JSON.parse(JSON.stringify(m))) }),
      document: {
        getElementById: (id: string) => ({
          addEventListener: (ev: string, fn: () => void) => (buttons[id].click = ev === 'click' ? fn : undefined),
        }),
      },
    });
    buttons.copy.click!();
    buttons.open.click!();
    assert.deepEqual(posted, [{ type: 'copyPython' }, { type: 'openOutput' }]);
  });

  it('the inspector script sorts a table by a clicked header, numbers by data-v; its buttons post commands', () => {
    const posted: unknown[] = [];
    const { table, ths, texts } = fakeTable([
      ['Add', '2'],
      ['MatMul', '10'],
      ['Relu', '1'],
    ]);
    const button = fakeElement({ cmd: 'bench' });
    run('inspector.js', {
      acquireVsCodeApi: () => ({ postMessage: (m: unknown) => posted.push(JSON.parse(JSON.stringify(m))) }),
      document: { querySelectorAll: (sel: string) => (sel === 'table.sortable' ? [table] : [button]) },
    });
    button.click();
    assert.deepEqual(posted, [{ cmd: 'bench' }]);
    ths[1].click();
    assert.deepEqual(texts(), ['MatMul', 'Add', 'Relu'], 'descending by count: 10 before 2 (as numbers, not text)');
    assert.equal(ths[1].attrs['aria-sort'], 'descending');
    ths[1].click();
    assert.deepEqual(texts(), ['Relu', 'Add', 'MatMul'], 'a second click reverses');
    ths[0].click();
    assert.deepEqual(texts(), ['Relu', 'MatMul', 'Add'], 'text columns sort as text');
    assert.equal(ths[1].attrs['aria-sort'], undefined, 'only the sorted column says so');
  });
});

/** Runs a media/webview script in a context holding only `globals` (the webview's DOM and API, faked); what it posts
 * comes from that context's realm, so the fakes copy it out as JSON. */
function run(file: string, globals: Record<string, unknown>): void {
  vm.runInNewContext(read(file), globals, { filename: file });
}

interface FakeElement {
  dataset: Record<string, string | undefined>;
  attrs: Record<string, string | undefined>;
  click: () => void;
  addEventListener: (ev: string, fn: () => void) => void;
  setAttribute: (k: string, v: string) => void;
  removeAttribute: (k: string) => void;
}

function fakeElement(dataset: Record<string, string> = {}): FakeElement {
  const el: FakeElement = {
    dataset: { ...dataset },
    attrs: {},
    click: () => undefined,
    addEventListener: (ev, fn) => {
      if (ev === 'click') el.click = fn;
    },
    setAttribute: (k, v) => (el.attrs[k] = v),
    removeAttribute: (k) => delete el.attrs[k],
  };
  return el;
}

/** A table.sortable whose first column is text and second holds numbers in data-v (text that sorts otherwise). */
function fakeTable(data: string[][]) {
  const rows = data.map(([name, n]) => ({
    cells: [
      { dataset: {}, textContent: name },
      { dataset: { v: n }, textContent: `${n} ms` },
    ],
  }));
  const body = {
    rows,
    append: (...moved: typeof rows) => {
      body.rows = moved;
    },
  };
  const ths = [fakeElement(), fakeElement()];
  const table = { tBodies: [body], querySelectorAll: () => ths };
  return { table, ths, texts: () => body.rows.map((r) => r.cells[0].textContent) };
}
