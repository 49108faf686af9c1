import type { TimeitStats } from './stats';
/**
 * IPython's %timeit output, byte for byte (IPython/core/magics/execution.py: _format_time and TimeitResult.__str__),
 * including its quirks (59.99 s → '60 s', 0.9996 s → '1e+03 ms'), because users compare our line with theirs.
 */

/** U+00B5 MICRO SIGN is what IPython 8.x prints; recent 9.x sources print U+03BC GREEK SMALL LETTER MU. */
export const MICRO_SIGN = '\u00b5';

export interface FormatOptions {
  /** Significant digits (%timeit -p), 3 by default. */
  precision?: number;
  /** The micro character, as the user's IPython prints it. */
  micro?: string;
  /** What IPython falls back to when stdout cannot encode the signs: 'us' and '+-'. */
  ascii?: boolean;
}

/** The exact decimal expansion of a finite positive double: digit string and the power of ten of its first digit. */
function exactDigits(x: number): { digits: string; exp: number } {
  // toPrecision(100) is exact to 100 significant digits (ECMA-262 picks n closest to the exact value); for the
  // magnitudes of timings a tie can only be decided within those digits.
  const s = x.toPrecision(100);
  const [mant, e] = s.includes('e') ? s.split('e') : [s, undefined];
  let digits = mant.replace('.', '');
  let exp: number;
  if (e !== undefined) {
    exp = Number(e);
  } else {
    const intPart = mant.split('.')[0];
    exp = intPart.length - 1;
  }
  const lead = digits.search(/[1-9]/);
  digits = digits.slice(lead);
  exp -= e === undefined ? lead : 0;
  return { digits, exp };
}

/**
 * Rounds a digit string to `keep` digits half-to-even on the exact value, as C's printf does; returns digits and exp.
 */
function roundDigits(digits: string, exp: number, keep: number): { digits: string; exp: number } {
  if (keep <= 0) {
    // Everything is dropped: the value rounds to 0 or to one unit at position `exp + 1 - keep`.
    const first = keep === 0 ? digits : '0' + digits;
    const up = first[0] > '5' || (first[0] === '5' && /[1-9]/.test(first.slice(1)));
    return up ? { digits: '1', exp: exp + 1 - keep } : { digits: '0', exp: exp };
  }
  if (digits.length <= keep) return { digits: digits.padEnd(keep, '0'), exp };
  const kept = digits.slice(0, keep).split('').map(Number);
  const rest = digits.slice(keep);
  let up = rest[0] > '5' || (rest[0] === '5' && /[1-9]/.test(rest.slice(1)));
  if (rest[0] === '5' && !/[1-9]/.test(rest.slice(1))) up = kept[kept.length - 1] % 2 === 1;
  if (up) {
    let i = kept.length - 1;
    while (i >= 0 && kept[i] === 9) kept[i--] = 0;
    if (i < 0) return { digits: '1' + '0'.repeat(keep - 1), exp: exp + 1 };
    kept[i]++;
  }
  return { digits: kept.join(''), exp };
}

/** Python's '%.*g' % (precision, x). */
export function formatG(x: number, precision: number): string {
  const p = precision === 0 ? 1 : precision;
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const sign = x < 0 ? '-' : '';
  const ex = exactDigits(Math.abs(x));
  const { digits, exp } = roundDigits(ex.digits, ex.exp, p);
  if (exp < -4 || exp >= p) {
    const frac = digits.slice(1).replace(/0+$/, '');
    const e = Math.abs(exp).toString().padStart(2, '0');
    return `${sign}${digits[0]}${frac ? '.' + frac : ''}e${exp < 0 ? '-' : '+'}${e}`;
  }
  let text: string;
  if (exp >= 0) {
    const int = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
    const frac = digits.slice(exp + 1);
    text = frac ? `${int}.${frac}` : int;
  } else {
    text = `0.${'0'.repeat(-exp - 1)}${digits}`;
  }
  if (text.includes('.')) text = text.replace(/0+$/, '').replace(/\.$/, '');
  return sign + text;
}

/** Python's '%.Nf' % x (half-to-even on the exact value, unlike Number.prototype.toFixed's half-up). */
export function formatF(x: number, decimals: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  if (x === 0) return (0).toFixed(decimals);
  const sign = x < 0 ? '-' : '';
  const ex = exactDigits(Math.abs(x));
  const keep = ex.exp + 1 + decimals;
  const r = roundDigits(ex.digits, ex.exp, keep);
  if (r.digits === '0') return sign + (0).toFixed(decimals);
  // Place the rounded digits: the units digit sits at index r.exp.
  const all = r.exp >= 0 ? r.digits : '0'.repeat(-r.exp) + r.digits;
  const intLen = Math.max(r.exp + 1, 1);
  const padded = all.padEnd(intLen + decimals, '0');
  const int = padded.slice(0, intLen);
  const frac = padded.slice(intLen, intLen + decimals);
  return sign + (decimals > 0 ? `${int}.${frac}` : int);
}

/** IPython's _format_time(timespan, precision). */
export function formatTime(timespan: number, options: FormatOptions = {}): string {
  const precision = options.precision ?? 3;
  if (timespan >= 60.0) {
    const parts: Array<[string, number]> = [
      ['d', 60 * 60 * 24],
      ['h', 60 * 60],
      ['min', 60],
      ['s', 1],
    ];
    const out: string[] = [];
    let leftover = timespan;
    for (const [suffix, length] of parts) {
      const value = Math.trunc(leftover / length);
      if (value > 0) {
        leftover = leftover % length;
        out.push(`${value}${suffix}`);
      }
      if (leftover < 1) break;
    }
    return out.join(' ');
  }
  const micro = options.ascii ? 'us' : `${options.micro ?? MICRO_SIGN}s`;
  const units = ['s', 'ms', micro, 'ns'];
  const scaling = [1, 1e3, 1e6, 1e9];
  // Python: min(-int(math.floor(math.log10(t)) // 3), 3), with // flooring.
  const order = timespan > 0 ? Math.min(-Math.floor(Math.floor(Math.log10(timespan)) / 3), 3) : 3;
  return `${formatG(timespan * scaling[order], precision)} ${units[order]}`;
}

/** TimeitResult.__str__: '12.3 ms ± 456 µs per loop (mean ± std. dev. of 7 runs, 100 loops each)'. */
export function formatTimeitLine(
  stats: Pick<TimeitStats, 'loops' | 'runs' | 'mean' | 'stdev'> & Partial<TimeitStats>,
  options: FormatOptions = {},
): string {
  const pm = options.ascii ? '+-' : '\u00b1';
  const mean = formatTime(stats.mean, options);
  const std = formatTime(stats.stdev, options);
  const runPlural = stats.runs === 1 ? '' : 's';
  const loopPlural = stats.loops === 1 ? '' : 's';
  return (
    `${mean} ${pm} ${std} per loop (mean ${pm} std. dev. of ${stats.runs} run${runPlural}, ` +
    `${thousands(stats.loops)} loop${loopPlural} each)`
  );
}

/** Python's '{:,}' for integers. */
export function thousands(n: number): string {
  const s = Math.abs(Math.trunc(n)).toString();
  return (n < 0 ? '-' : '') + s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** The warning %timeit prints before its line when the slowest run took over 4 times the fastest. */
export function slowestRunWarning(best: number, worst: number): string | undefined {
  if (worst > 4 * best && best > 0 && worst > 1e-6) {
    return (
      `The slowest run took ${formatF(worst / best, 2)} times longer than the fastest. ` +
      `This could mean that an intermediate result is being cached.`
    );
  }
  return undefined;
}
