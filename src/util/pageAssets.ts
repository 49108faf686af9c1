import { escapeHtml } from './html';

/**
 * The stylesheets and scripts of the webview pages. They live in media/webview/ (code in another language lives in its
 * own file, never in a string) and reach a page as URIs the webview may load; the CSP admits those and nothing
 * inline. The HTML builders take a PageAssets and stay vscode-free: the editor layer builds one
 * (src/editor/webviewAssets.ts), unit tests pass fake URIs.
 */

/** The folder, relative to the extension's root, that holds the pages' files (and is all a webview may load). */
export const WEBVIEW_MEDIA = ['media', 'webview'] as const;

/**
 * Each page's files in media/webview/, in link order: base.css (the rules every page shares) first, so the page's
 * own sheet can refine them.
 */
export const PAGE_FILES = {
  focusLog: { styles: ['base.css', 'focusLog.css'], scripts: [] },
  splitReport: { styles: ['base.css', 'splitReport.css'], scripts: ['splitReport.js'] },
  timingHistory: { styles: ['base.css', 'timingHistory.css'], scripts: [] },
  loaderTiming: { styles: ['base.css', 'loaderTiming.css'], scripts: [] },
  /** Results, benchmark and experiments pages; the model inspector is one too, with its script. */
  inference: { styles: ['base.css', 'inference.css'], scripts: [] },
  inspector: { styles: ['base.css', 'inference.css'], scripts: ['inspector.js'] },
} as const satisfies Record<string, { styles: readonly string[]; scripts: readonly string[] }>;

export type WebviewPage = keyof typeof PAGE_FILES;

/** What a page links, as the webview serves it. */
export interface PageAssets {
  /** webview.cspSource: where the linked files are served from (the CSP's style-src). */
  cspSource: string;
  /** Stylesheet URIs, linked in order. */
  styles: readonly string[];
  /** Script URIs, loaded at the end of the body; empty where the page runs no script. */
  scripts: readonly string[];
  /** Carried by each script tag: the CSP runs only scripts with it, so injected markup cannot load one. */
  nonce: string;
}

/** The head's CSP and stylesheet links: nothing inline (no <style>, no style="", no inline script) is admitted. */
export function assetHead(a: PageAssets): string {
  const scripts = a.scripts.length ? ` script-src 'nonce-${a.nonce}';` : '';
  const csp = `default-src 'none'; style-src ${a.cspSource};${scripts}`;
  return (
    `<meta http-equiv="Content-Security-Policy" content="${csp}">\n` +
    a.styles.map((href) => `<link rel="stylesheet" href="${escapeHtml(href)}">`).join('\n')
  );
}

/** The script tags, for the end of the body (the page is parsed by then, so the scripts find their elements). */
export function assetScripts(a: PageAssets): string {
  return a.scripts.map((src) => `<script nonce="${a.nonce}" src="${escapeHtml(src)}"></script>`).join('\n');
}
