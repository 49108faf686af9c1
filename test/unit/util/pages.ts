import assert from 'node:assert/strict';
import { PAGE_FILES, type PageAssets, type WebviewPage } from '../../../src/util/pageAssets';

/** What the editor layer passes a page, with fake URIs (in the scheme 'fake-webview:') and a fixed nonce. */
export function fakeAssets(page: WebviewPage, opts: { scripts?: boolean } = {}): PageAssets {
  const uri = (f: string): string => `fake-webview:/media/webview/${f}`;
  const files = PAGE_FILES[page];
  return {
    cspSource: 'fake-webview:',
    styles: files.styles.map(uri),
    scripts: (opts.scripts ?? true) ? files.scripts.map(uri) : [],
    nonce: 'N0NCE',
  };
}

/**
 * A page keeps its CSS and JavaScript in its linked files: no <style> element, no style="" or on…="" attribute, no
 * script without src (a data block of type application/json aside), a CSP with nothing inline, and exactly the
 * assets' stylesheets and scripts linked, in order.
 */
export function assertNoInlineCode(html: string, assets: PageAssets): void {
  assert.doesNotMatch(html, /<style[\s>]/i, 'an inline <style> element');
  assert.doesNotMatch(html, /<[^>]*\sstyle\s*=/i, 'an inline style="" attribute (the CSP blocks it)');
  assert.doesNotMatch(html, /<[^>]*\son[a-z]+\s*=/i, 'an inline event handler attribute');
  assert.doesNotMatch(html, /<[^>]*javascript:/i, 'a javascript: URL');
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    if (/\btype="application\/json"/.test(m[1])) continue;
    assert.match(m[1], /\ssrc="[^"]+"/, `a script without src: ${m[0].slice(0, 80)}`);
    assert.equal(m[2].trim(), '', `script text inline: ${m[0].slice(0, 80)}`);
    assert.match(m[1], new RegExp(`\\snonce="${assets.nonce}"`), `a script without the nonce: ${m[0]}`);
  }
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(csp, 'no CSP');
  assert.doesNotMatch(csp[1], /unsafe-inline|unsafe-eval/);
  const scriptSrc = assets.scripts.length ? ` script-src 'nonce-${assets.nonce}';` : '';
  assert.equal(csp[1], `default-src 'none'; style-src ${assets.cspSource};${scriptSrc}`);
  const styles = [...html.matchAll(/<link rel="stylesheet" href="([^"]+)">/g)].map((x) => x[1]);
  const scripts = [...html.matchAll(/<script\b[^>]*\ssrc="([^"]+)"/g)].map((x) => x[1]);
  assert.deepEqual(styles, assets.styles);
  assert.deepEqual(scripts, assets.scripts);
}
