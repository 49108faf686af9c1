import assert from 'node:assert/strict';
import { parseModel } from '../../../src/inference/onnxModel';
import { classifierModel } from '../../../src/inference/onnxBuilder';
import { errorBody, inspectBody, ledgerBody, page } from '../../../src/inference/html';
import { escapeHtml as esc } from '../../../src/util/html';
import { summarizeLedger } from '../../../src/inference/ledger';
import { assertNoInlineCode, fakeAssets } from '../util/pages';

describe('inference/html', () => {
  it('escapes everything that comes from files', () => {
    assert.equal(esc(`<img src=x onerror="a('b')">&`), '&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;');
    const m = parseModel(classifierModel([[1, 2]], [0, 0], ['<script>alert(1)</script>', 'b'], '<b>producer</b>'));
    const html = inspectBody('m<1>.onnx', m, true);
    assert.ok(!html.includes('<script>alert'));
    assert.ok(html.includes('&lt;b&gt;producer&lt;/b&gt;'));
    assert.ok(html.includes('[N,2]'));
    assert.ok(html.includes('data-cmd="eval"'));
    assert.ok(!inspectBody('m.onnx', m, false).includes('data-cmd'), 'no run buttons in untrusted workspaces');
    assert.match(errorBody('x.onnx', 'x.onnx is truncated <here>'), /truncated &lt;here&gt;/);
  });

  it('pages link their stylesheets, and scripts only by file and with the nonce', () => {
    const m = parseModel(classifierModel([[1, 2]], [0, 0], ['a', 'b']));
    const results = fakeAssets('inference');
    const plain = page({ title: 't', assets: results }, ledgerBody(summarizeLedger([]), 0));
    assertNoInlineCode(plain, results);
    assert.match(plain, /content="default-src 'none'; style-src fake-webview:;">/);
    assert.doesNotMatch(plain, /<script/);
    const inspector = fakeAssets('inspector');
    const trusted = page({ title: 't', assets: inspector }, inspectBody('m.onnx', m, true));
    assertNoInlineCode(trusted, inspector);
    assert.match(trusted, /script-src 'nonce-N0NCE';/);
    assert.match(trusted, /<script nonce="N0NCE" src="fake-webview:\/media\/webview\/inspector\.js"><\/script>/);
    assert.match(trusted, /<table class="sortable" id="ops">/);
    // Untrusted: the inspector runs no script at all.
    const untrusted = fakeAssets('inspector', { scripts: false });
    const shown = page({ title: 't', assets: untrusted }, inspectBody('m.onnx', m, false));
    assertNoInlineCode(shown, untrusted);
    assert.doesNotMatch(shown, /<script|script-src/);
    assertNoInlineCode(page({ title: 't', assets: untrusted }, errorBody('x.onnx', 'bad')), untrusted);
  });

  it('the experiments page marks the best run and the change since the previous one', () => {
    const rec = (acc: number) => ({
      v: 1 as const,
      kind: 'eval' as const,
      time: '2026-01-01T00:00:00Z',
      model: { path: `m${acc}.onnx`, sha256: '' },
      task: 'classification' as const,
      target: 'y',
      split: { path: 'F.csv', fold: 0, manifestHash: 'h', train: 1, valid: 1 },
      metrics: { accuracy: acc },
      baseline: { accuracy: 0.5 },
      provider: 'cpu',
      git: null,
      flowbench: '0',
    });
    const html = ledgerBody(summarizeLedger([rec(0.7), rec(0.9), rec(0.8)]), 1);
    assert.match(html, /-0\.1000/);
    assert.match(html, /\+0\.2000/);
    assert.equal((html.match(/★ best/g) ?? []).length, 2);
    assert.match(html, /1 unreadable line/);
  });
});
