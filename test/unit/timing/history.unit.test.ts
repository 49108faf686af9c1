import { projectRootFor, portablePath } from '../../../src/util/flowbenchDir';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  cellHistory,
  formatChange,
  historyFile,
  meanAndSpread,
  overview,
  readHistory,
  recordTiming,
  summarizeCell,
  changeIsClear,
  type TimingRecord,
} from '../../../src/timing/history';
import type { TimeCellResult } from '../../../src/timing/timeCell';
import { historyChartSvg, historyHtml } from '../../../src/timing/historyHtml';
import { assertNoInlineCode, fakeAssets } from '../util/pages';

function rec(over: Partial<TimingRecord>): TimingRecord {
  return {
    v: 1,
    file: 'train.py',
    cell: 2,
    cellLine: 21,
    hash: 'h1',
    mean: 0.0123,
    stdev: 0.0004,
    best: 0.012,
    worst: 0.013,
    loops: 10,
    runs: 7,
    firstRun: 0.02,
    capped: false,
    line: 'x',
    setup: 'above',
    interpreter: { path: '/usr/bin/python3', version: '3.11.7' },
    time: '2026-01-01T00:00:00.000Z',
    git: null,
    ...over,
  };
}

describe('timing/history', () => {
  it('summarises the last timing of the same code and the change from the one before', () => {
    const records = [
      rec({ hash: 'h1', mean: 0.015, time: '2026-01-01T10:00:00Z' }),
      rec({ hash: 'h1', mean: 0.0123, stdev: 0.0004, time: '2026-01-01T11:00:00Z' }),
      rec({ file: 'other.py', hash: 'h1', mean: 1, time: '2026-01-01T12:00:00Z' }),
      rec({ cell: 5, hash: 'zz', mean: 9, time: '2026-01-01T13:00:00Z' }),
    ];
    const s = summarizeCell(records, { file: 'train.py', hash: 'h1', cell: 2 })!;
    assert.equal(s.last.mean, 0.0123);
    assert.equal(s.previous?.mean, 0.015);
    assert.ok(Math.abs(s.change! - (0.0123 - 0.015) / 0.015) < 1e-12);
    assert.equal(s.lensText, '$(watch) 12.3 ms ± 0.4 · \u221218%');
    assert.equal(s.stale, false);
  });

  it('after an edit, compares the new code with the previous timing at the same position', () => {
    const records = [
      rec({ hash: 'old', mean: 0.01, time: '2026-01-01T10:00:00Z' }),
      rec({ hash: 'new', mean: 0.0112, stdev: 0.00012, time: '2026-01-01T11:00:00Z' }),
    ];
    const s = summarizeCell(records, { file: 'train.py', hash: 'new', cell: 2 })!;
    assert.equal(s.lensText, '$(watch) 11.2 ms ± 0.12 · +12%');
    // Edited again and not yet timed: the last timing shows, marked as before the edit.
    const stale = summarizeCell(records, { file: 'train.py', hash: 'newer', cell: 2 })!;
    assert.equal(stale.stale, true);
    assert.match(stale.lensText, /^\$\(watch\) 11\.2 ms ± 0\.12 · \+12% \(before edit\)$/);
    // Moved to another position but unchanged: found by its hash.
    assert.equal(summarizeCell(records, { file: 'train.py', hash: 'old', cell: 7 })!.last.mean, 0.01);
    assert.equal(summarizeCell(records, { file: 'train.py', hash: 'x', cell: 9 }), undefined);
  });

  it('formats spreads, single runs, minutes and changes', () => {
    assert.equal(meanAndSpread({ mean: 4.2, stdev: 0, runs: 1 }), '4.2 s (1 run)');
    assert.equal(meanAndSpread({ mean: 65.7, stdev: 1.5, runs: 7 }), '1min 5s ± 1.5 s');
    assert.equal(meanAndSpread({ mean: 123e-6, stdev: 4.56e-6, runs: 7 }), '123 µs ± 4.6');
    // A spread of three digits in the mean's unit is written out, not as 1.2e+02.
    assert.equal(meanAndSpread({ mean: 659e-6, stdev: 123e-6, runs: 7 }), '659 µs ± 120');
    assert.equal(formatChange(-0.18), '\u221218%');
    assert.equal(formatChange(0.004), '+0.4%');
    assert.equal(formatChange(0.0001), '±0%');
  });

  it('appends records crash-safely with git state and reads them back; a torn line is skipped, not fatal', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbench-hist-'));
    try {
      const result = {
        file: path.join(root, 'src', 'a.py'),
        cell: 1,
        cellLine: 4,
        hash: 'abc',
        title: 'Load',
        mean: 0.5,
        stdev: 0.01,
        best: 0.49,
        worst: 0.52,
        loops: 1,
        runs: 7,
        firstRun: 0.7,
        capped: false,
        line: '500 ms ± 10 ms per loop',
        setup: 'above',
        interpreter: { path: '/p', source: 'PATH', executable: '/p3', version: '3.11.7', implementation: 'cpython' },
      } as unknown as TimeCellResult;
      await recordTiming(root, result);
      fs.appendFileSync(historyFile(root), '{"v":1,"file":"torn');
      await recordTiming(root, { ...result, mean: 0.25 });
      const { records, skipped } = await readHistory(root);
      assert.equal(records.length, 2);
      assert.deepEqual(skipped, [2]);
      assert.equal(records[0].file, 'src/a.py');
      assert.equal(records[0].git, null, 'not a git repository');
      assert.equal(records[1].mean, 0.25);
      assert.equal(cellHistory(records, { file: 'src/a.py', hash: 'abc', cell: 1 }).length, 2);
      const ov = overview(records);
      assert.equal(ov.length, 1);
      assert.deepEqual(ov[0].means, [0.5, 0.25]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('chooses the history root and relative keys', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbench-root-'));
    try {
      fs.mkdirSync(path.join(root, 'proj', '.flowbench'), { recursive: true });
      fs.mkdirSync(path.join(root, 'proj', 'sub'), { recursive: true });
      const f = path.join(root, 'proj', 'sub', 'x.py');
      assert.equal(projectRootFor(f, { cwd: os.tmpdir() }), path.join(root, 'proj'));
      const g = path.join(root, 'other', 'y.py');
      assert.equal(projectRootFor(g, { cwd: root }), root);
      assert.equal(projectRootFor(g, { cwd: path.join(root, 'proj') }), path.join(root, 'other'));
      assert.equal(portablePath(path.join(root, 'proj'), f), 'sub/x.py');
      // A stray .flowbench/ above the boundary (the working folder here; the git root or workspace folder elsewhere)
      // must not capture the history of the files below it.
      fs.mkdirSync(path.join(root, '.flowbench'));
      const h = path.join(root, 'work', 'deep', 'z.py');
      assert.equal(projectRootFor(h, { cwd: path.join(root, 'work') }), path.join(root, 'work'));
      assert.equal(projectRootFor(h, { cwd: path.join(root, 'elsewhere') }), path.join(root, 'work', 'deep'));
      assert.equal(projectRootFor(h, { cwd: root }), root, 'inside the boundary, the stray folder is the nearest one');
      // A git repository bounds the search too, and is the root when nothing below has .flowbench/.
      fs.mkdirSync(path.join(root, 'repo', '.git'), { recursive: true });
      const r = path.join(root, 'repo', 'src', 'm.py');
      assert.equal(projectRootFor(r, { cwd: root }), path.join(root, 'repo'));
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('calls a change only when it exceeds the combined spread of the two timings', () => {
    // The example: 43.3 µs ± 2.8 → 43.8 µs ± 11 is within the noise.
    const a = rec({ mean: 43.3e-6, stdev: 2.8e-6, time: '2026-01-01T10:00:00Z' });
    const b = rec({ mean: 43.8e-6, stdev: 11e-6, time: '2026-01-01T11:00:00Z' });
    assert.equal(changeIsClear(a, b), false);
    const s = summarizeCell([a, b], { file: 'train.py', hash: 'h1', cell: 2 })!;
    assert.equal(s.changeText, 'no clear change');
    assert.match(s.lensText, /· no clear change$/);
    assert.doesNotMatch(s.lensText, /%/);
    // 10 ms ± 0.1 → 12 ms ± 0.1: a real +20 %.
    const c = rec({ mean: 0.01, stdev: 0.0001, time: '2026-01-01T10:00:00Z' });
    const d = rec({ mean: 0.012, stdev: 0.0001, time: '2026-01-01T11:00:00Z' });
    assert.equal(changeIsClear(c, d), true);
    assert.equal(summarizeCell([c, d], { file: 'train.py', hash: 'h1', cell: 2 })!.changeText, '+20%');
    // Single runs have no spread to compare: any difference shows.
    assert.equal(changeIsClear(rec({ mean: 1, stdev: 0, runs: 1 }), rec({ mean: 1.1, stdev: 0, runs: 1 })), true);
  });

  it('the history page pairs timings as the lens does: an edited cell is one row with its change', () => {
    // Time → edit → time: two hashes at the same position.
    const records = [
      rec({ hash: 'old', mean: 0.001, stdev: 0.00001, number: 2, time: '2026-01-01T10:00:00Z' }),
      rec({ hash: 'new', mean: 0.00566, stdev: 0.00002, number: 2, time: '2026-01-01T11:00:00Z' }),
      rec({ hash: 'gone', cell: 7, mean: 0.5, time: '2026-01-01T09:00:00Z' }),
    ];
    const current = [{ file: 'train.py', hash: 'new', cell: 2, number: 2, title: 'Load' }];
    const ov = overview(records, (f) => (f === 'train.py' ? current : undefined));
    const lens = summarizeCell(records, current[0])!;
    assert.equal(ov.length, 2, 'the edited cell is one entry, plus the cell no longer in the file');
    assert.equal(ov[0].count, 2);
    assert.equal(ov[0].changeText, lens.changeText);
    assert.equal(ov[0].changeText, '+466%');
    assert.equal(ov[0].number, 2);
    assert.equal(ov[1].gone, true);
    const html = historyHtml(ov, fakeAssets('timingHistory'), 0);
    assertNoInlineCode(html, fakeAssets('timingHistory'));
    assert.match(html, /cell 2, line 21/);
    assert.match(html, /\+466%/);
    assert.doesNotMatch(html, /cell 0\b/, 'no 0-based numbers');
    // Without the file's current cells, each position stands for the cell last timed there (what the lens shows).
    const blind = overview(records);
    assert.equal(blind.find((c) => c.cell === 2)!.changeText, '+466%');
  });

  it('draws the chart with a y axis in time units, an x axis of timings, and a viewBox that scales', () => {
    const svg = historyChartSvg([
      rec({ mean: 0.0123, stdev: 0.0004, time: '2026-01-01T10:00:00Z' }),
      rec({ mean: 0.0101, stdev: 0.0002, time: '2026-01-01T11:00:00Z' }),
    ]);
    assert.match(svg, /^<svg class="chart" viewBox="0 0 \d+ \d+" width="100%"/);
    const ticks = [...svg.matchAll(/<text class="tick"[^>]*>([^<]+)<\/text>/g)].map((m) => m[1]);
    assert.ok(ticks.filter((t) => / ms$/.test(t)).length >= 3, ticks.join(' | '));
    assert.ok(ticks.includes('#1') && ticks.includes('#2'), ticks.join(' | '));
    assert.equal((svg.match(/<line class="err"/g) ?? []).length, 2, 'each timing shows its spread');
    assert.match(svg, /<line class="axis"/);
    assert.equal(historyChartSvg([]), '');
  });
});
