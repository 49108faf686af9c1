import { escapeHtml as esc } from '../util/html';
import { assetHead, type PageAssets } from '../util/pageAssets';
import { formatTime } from './format';
import { meanAndSpread, recordCellName, type TimedCellOverview, type TimingRecord } from './history';

const W = 260;
const H = 112;
const M = { left: 54, right: 10, top: 10, bottom: 32 };

/**
 * A timing chart as inline SVG: each timing's mean per loop with its run spread (± std. dev.) as a bar, a y axis in
 * time units and an x axis of timings, oldest to newest. It has a viewBox, so it scales down into a narrow column.
 */
export function historyChartSvg(records: Pick<TimingRecord, 'mean' | 'stdev' | 'runs' | 'time' | 'line'>[]): string {
  if (records.length === 0) return '';
  const spread = (r: (typeof records)[number]) => (r.runs > 1 ? r.stdev : 0);
  let lo = Math.min(...records.map((r) => r.mean - spread(r)));
  let hi = Math.max(...records.map((r) => r.mean + spread(r)));
  if (hi - lo < hi * 1e-6) {
    lo = hi * 0.9;
    hi = hi * 1.1 || 1e-9;
  }
  const pad = (hi - lo) * 0.08;
  lo = Math.max(0, lo - pad);
  hi += pad;
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const y = (v: number) => M.top + ph - ((v - lo) / (hi - lo)) * ph;
  const n = records.length;
  const x = (i: number) => M.left + (n === 1 ? pw / 2 : 8 + (i * (pw - 16)) / (n - 1));
  const ticks = [lo, (lo + hi) / 2, hi].map(
    (v) =>
      `<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"/>` +
      `<text class="tick" x="${M.left - 5}" y="${(y(v) + 3.5).toFixed(1)}" text-anchor="end">` +
      `${esc(formatTime(v))}</text>`,
  );
  const points = records.map((r, i) => {
    const cx = x(i).toFixed(1);
    const s = spread(r);
    const bar =
      s > 0
        ? `<line class="err" x1="${cx}" x2="${cx}" y1="${y(r.mean + s).toFixed(1)}" y2="${y(r.mean - s).toFixed(1)}"/>`
        : '';
    return (
      `<g><title>#${i + 1} ${esc(r.time.replace('T', ' ').slice(0, 19))}: ${esc(r.line)}</title>${bar}` +
      `<circle cx="${cx}" cy="${y(r.mean).toFixed(1)}" r="3"/></g>`
    );
  });
  const path = records.map((r, i) => `${x(i).toFixed(1)},${y(r.mean).toFixed(1)}`).join(' ');
  const xLabels =
    n === 1
      ? `<text class="tick" x="${x(0).toFixed(1)}" y="${H - M.bottom + 13}" text-anchor="middle">#1</text>`
      : `<text class="tick" x="${x(0).toFixed(1)}" y="${H - M.bottom + 13}" text-anchor="middle">#1</text>` +
        `<text class="tick" x="${x(n - 1).toFixed(1)}" y="${H - M.bottom + 13}" text-anchor="middle">#${n}</text>`;
  return (
    `<svg class="chart" viewBox="0 0 ${W} ${H}" width="100%" role="img" ` +
    `aria-label="Mean time per loop of each timing, with its spread">` +
    ticks.join('') +
    `<line class="axis" x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + ph}"/>` +
    `<line class="axis" x1="${M.left}" x2="${W - M.right}" y1="${M.top + ph}" y2="${M.top + ph}"/>` +
    (n > 1 ? `<polyline class="trend" points="${path}"/>` : '') +
    points.join('') +
    xLabels +
    `<text class="caption" x="${M.left + pw / 2}" y="${H - 4}" text-anchor="middle">` +
    `timings, oldest → newest (mean ± spread)</text></svg>`
  );
}

function cellHeading(c: TimedCellOverview): string {
  const name = c.gone
    ? `no longer in the file (was at line ${c.last.cellLine})`
    : c.number !== undefined
      ? `cell ${c.number}, line ${c.last.cellLine}`
      : `${recordCellName(c.last)}`;
  return `${esc(name)}${c.title ? ` · ${esc(c.title)}` : ''}`;
}

const NO_TIMINGS =
  '<p>No timings yet. Put the cursor in a <code># %%</code> cell and run <b>Flowbench: Time Cell</b> ' +
  '(Ctrl+Alt+F T).</p>';

/**
 * The history page: one card per timed cell, paired as its lens pairs them (same code, or the same position after an
 * edit), newest first, each with its last timing, the change from the timing before (or "no clear change" within the
 * noise) and a chart. Cards stack, so the page fits the side column it opens in; no script.
 */

export function historyHtml(cells: TimedCellOverview[], assets: PageAssets, skipped: number): string {
  const cards = cells
    .map((c) => {
      const change = c.changeText ?? 'first timing';
      const cls = c.changeText === undefined || c.changeText === 'no clear change' ? 'muted' : 'change';
      const when = c.last.time.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');
      const git = c.last.git?.head
        ? ` · ${esc(c.last.git.head.slice(0, 8))}${c.last.git.dirty ? ' (uncommitted changes)' : ''}`
        : '';
      return `<section class="cell${c.gone ? ' gone' : ''}">
<h3><code>${esc(c.file)}</code> <small>${cellHeading(c)}</small></h3>
<p class="figures"><span class="last">${esc(meanAndSpread(c.last))}</span> <span class="${cls}">${esc(change)}</span>
<small>${c.count} timing${c.count === 1 ? '' : 's'}${c.stale ? ' · the cell was edited since the last one' : ''}
</small></p>
<div class="chartbox">${historyChartSvg(c.records)}</div>
<div class="scroll"><small>${esc(c.last.line)}<br>
${esc(when)}${git} · Python ${esc(c.last.interpreter.version)}</small></div>
</section>`;
    })
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Flowbench timing history</title>
${assetHead(assets)}
</head><body>
<h2>Timing history</h2>
${cells.length === 0 ? NO_TIMINGS : ''}
${skipped > 0 ? `<p><small>${skipped} unreadable line(s) in .flowbench/timings.jsonl were skipped.</small></p>` : ''}
${cards}
</body></html>`;
}
