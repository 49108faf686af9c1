/**
 * Timestamps as pandas.to_datetime reads the common spellings: ISO 8601 dates and date-times (offsets converted to
 * UTC), YYYY/MM/DD, and month-first MM/DD/YYYY (pandas' default). Returns milliseconds since the epoch, or NaN.
 */
const ISO =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/i;
const YMD_SLASH = /^(\d{4})\/(\d{1,2})\/(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?$/;
const MDY_SLASH = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?$/;

function build(
  y: string,
  mo: string,
  d: string,
  h?: string,
  mi?: string,
  s?: string,
  frac?: string,
  tz?: string,
): number {
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31) return NaN;
  const hour = h ? Number(h) : 0;
  const minute = mi ? Number(mi) : 0;
  const second = s ? Number(s) : 0;
  if (hour > 23 || minute > 59 || second > 59) return NaN;
  // Sub-millisecond digits still order ties correctly through the fractional part.
  const fraction = frac ? Number('0.' + frac) * 1000 : 0;
  let t = Date.UTC(Number(y), month - 1, day, hour, minute, second);
  const check = new Date(t);
  if (check.getUTCDate() !== day) return NaN; // 2024-02-30
  t += fraction;
  if (tz && tz.toUpperCase() !== 'Z') {
    const m = /^([+-])(\d{2}):?(\d{2})$/.exec(tz);
    if (!m) return NaN;
    const offset = (Number(m[2]) * 60 + Number(m[3])) * 60000;
    t -= m[1] === '+' ? offset : -offset;
  }
  return t;
}

export function parseTimestamp(text: string): number {
  const s = text.trim();
  let m = ISO.exec(s);
  if (m) return build(m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8]);
  m = YMD_SLASH.exec(s);
  if (m) return build(m[1], m[2], m[3], m[4], m[5], m[6], m[7]);
  m = MDY_SLASH.exec(s);
  if (m) return build(m[3], m[1], m[2], m[4], m[5], m[6], m[7]);
  return NaN;
}

/** True for text that reads as a date but not as a plain number (so numeric ids are not mistaken for epochs). */
export function looksLikeDate(text: string): boolean {
  return !Number.isNaN(parseTimestamp(text));
}

/** Stable argsort of timestamps (ties keep file order, like a stable pandas sort). */
export function stableOrder(keys: Float64Array): Int32Array {
  const idx = Array.from({ length: keys.length }, (_, i) => i);
  idx.sort((a, b) => keys[a] - keys[b] || a - b);
  return Int32Array.from(idx);
}
