import { randomBytes } from 'node:crypto';

/**
 * Escapes text (and attribute values) for the webview pages, so user text such as intents or column names stays text.
 */
export function escapeHtml(s: unknown): string {
  return String(s).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** A webview page's CSP nonce: 128 random bits, so markup that slipped past escaping cannot guess it. */
export function newNonce(): string {
  return randomBytes(16).toString('base64');
}
