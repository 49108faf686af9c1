import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  formatF,
  formatG,
  formatTime,
  formatTimeitLine,
  slowestRunWarning,
  MICRO_SIGN,
  thousands,
} from '../../../src/timing/format';
import { peer } from '../peers';

/** test/peers/ipython_format.py in one of its modes, JSON in and out: the reference is computed live, never copied. */
function python<T>(mode: 'format_time' | 'printf' | 'timeit_result' | 'slowest_warning', input: unknown): T {
  const r = spawnSync('python3', [peer('ipython_format.py'), mode], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    env: { ...process.env, PYTHONIOENCODING: 'utf-8' },
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(r.status, 0, `python3 failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** A deterministic spread of magnitudes from 1e-10 s to 1e5 s, plus the documented quirks and exact binary ties. */
function sampleTimes(): number[] {
  const values = [
    0, 1.2e-10, 8.26e-9, 1.23e-4, 0.0123, 0.2, 0.9996, 0.99949, 1.5, 59.99, 59.9996, 60, 65.7, 3725, 90061.2, 1e-9,
    1e-6, 1e-3, 1, 999.5e-9, 999.5e-6, 0.0009995, 100.5e-6, 0.125, 0.0125, 1.125e-3, 2.5e-9, 4.5e-7, 86400, 3600.5,
  ];
  let seed = 12345;
  for (let i = 0; i < 400; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const exp = -10 + (seed / 2147483648) * 15;
    values.push(10 ** exp);
  }
  return values;
}

describe('timing/format against IPython', function () {
  this.timeout(30000);

  it('_format_time matches IPython for every magnitude, quirk and precision', () => {
    const times = sampleTimes();
    const ref = python<string[][]>('format_time', times);
    // IPython 8.x prints U+00B5; the reference decides which sign we compare with.
    const micro = ref.flat().some((s) => s.endsWith('\u03bcs')) ? '\u03bc' : MICRO_SIGN;
    let compared = 0;
    times.forEach((t, i) => {
      [1, 2, 3, 4, 6].forEach((p, j) => {
        assert.equal(formatTime(t, { precision: p, micro }), ref[i][j], `_format_time(${t}, ${p})`);
        compared++;
      });
    });
    assert.equal(compared, times.length * 5);
  });

  it("formatG and formatF round like Python's %g and %f, ties included", () => {
    const xs = [
      0.125,
      0.375,
      2.5,
      3.5,
      100.5,
      1.005,
      4.125,
      4.375,
      12.345,
      1e-5,
      123456789,
      0.000123456,
      9.9995,
      99.95,
      5e-324,
      1e22,
      ...sampleTimes().map((v) => v * 1e6),
    ];
    const ref = python<{ g: string[][]; f: string[][] }>('printf', xs);
    xs.forEach((x, i) => {
      [1, 2, 3, 5].forEach((p, j) => assert.equal(formatG(x, p), ref.g[i][j], `%.${p}g of ${x}`));
      [0, 1, 2, 3].forEach((d, j) => assert.equal(formatF(x, d), ref.f[i][j], `%.${d}f of ${x}`));
    });
  });

  it("TimeitResult's line matches for plural forms, thousands separators and precisions", () => {
    const cases: Array<{ loops: number; runs: number[]; precision: number }> = [
      { loops: 1, runs: [0.229, 0.231, 0.2275, 0.2301, 0.2299, 0.2288, 0.2311], precision: 3 },
      { loops: 100000000, runs: [0.826, 0.829, 0.84, 0.81, 0.83, 0.82, 0.85], precision: 3 },
      { loops: 1000, runs: [0.0123], precision: 3 },
      { loops: 10, runs: [0.5, 0.51, 0.49], precision: 5 },
      { loops: 1234567, runs: [61.3, 62.1], precision: 2 },
      { loops: 100, runs: [1.23, 1.23, 1.23, 1.23, 1.23, 1.23, 1.23], precision: 3 },
    ];
    const ref = python<Array<{ line: string; mean: number; stdev: number; best: number; worst: number }>>(
      'timeit_result',
      cases,
    );
    cases.forEach((c, i) => {
      const r = ref[i];
      const line = formatTimeitLine(
        { loops: c.loops, runs: c.runs.length, mean: r.mean, stdev: r.stdev, best: r.best, worst: r.worst },
        { precision: c.precision },
      );
      assert.equal(line, r.line);
    });
    assert.match(ref[0].line, / per loop \(mean ± std\. dev\. of 7 runs, 1 loop each\)$/);
  });

  it("the slowest-run warning has IPython's condition and wording", () => {
    const pairs: Array<[number, number]> = [
      [1e-3, 4.0001e-3],
      [1e-3, 4e-3],
      [1e-3, 4.125e-3],
      [1e-8, 9e-7],
      [1e-7, 1.1e-6],
      [0, 1],
      [2e-3, 0.0123],
    ];
    const ref = python<Array<string | null>>('slowest_warning', pairs);
    pairs.forEach(([b, w], i) => assert.equal(slowestRunWarning(b, w) ?? null, ref[i], `best ${b} worst ${w}`));
    assert.ok(ref.some((x) => x !== null) && ref.some((x) => x === null), 'the table covers both outcomes');
  });

  it('ASCII fallback and thousands separators', () => {
    assert.equal(formatTime(1.23e-4, { ascii: true }), '123 us');
    assert.equal(thousands(100000000), '100,000,000');
    assert.equal(thousands(999), '999');
    assert.equal(
      formatTimeitLine({ loops: 1, runs: 1, mean: 2, stdev: 0, best: 2, worst: 2 }, { ascii: true }),
      '2 s +- 0 ns per loop (mean +- std. dev. of 1 run, 1 loop each)',
    );
  });
});
