import * as vscode from 'vscode';
import { newNonce } from '../util/html';
import { PAGE_FILES, WEBVIEW_MEDIA, type PageAssets, type WebviewPage } from '../util/pageAssets';

/**
 * The one way a Flowbench webview gets its stylesheets and scripts: the files of media/webview/ for its page, as URIs
 * the webview serves, with the CSP source and a fresh script nonce (see util/pageAssets.ts).
 */

/** media/webview/ inside the extension: the only folder a page may load from. */
function mediaRoot(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, ...WEBVIEW_MEDIA);
}

/**
 * A page's webview options: it loads from media/webview/ alone, and scripts run only where the page has them and
 * `scripts` allows (the inspector in an untrusted workspace runs none).
 */
export function webviewOptions(
  extensionUri: vscode.Uri,
  page: WebviewPage,
  opts: { scripts?: boolean; commandUris?: readonly string[] } = {},
): vscode.WebviewOptions {
  return {
    enableScripts: (opts.scripts ?? true) && PAGE_FILES[page].scripts.length > 0,
    localResourceRoots: [mediaRoot(extensionUri)],
    ...(opts.commandUris ? { enableCommandUris: opts.commandUris } : {}),
  };
}

/** What the page's HTML links; a new nonce each time the page is rendered. */
export function pageAssets(
  webview: vscode.Webview,
  extensionUri: vscode.Uri,
  page: WebviewPage,
  opts: { scripts?: boolean } = {},
): PageAssets {
  const uri = (file: string): string =>
    webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot(extensionUri), file)).toString();
  const files = PAGE_FILES[page];
  return {
    cspSource: webview.cspSource,
    styles: files.styles.map(uri),
    scripts: (opts.scripts ?? true) ? files.scripts.map(uri) : [],
    nonce: newNonce(),
  };
}
