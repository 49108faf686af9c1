import { escapeHtml as esc } from '../util/html';
import { assetHead, type PageAssets } from '../util/pageAssets';
import { formatTime } from './format';
import type { LoaderRecord, LoaderRunRecord } from './loaderHistory';
import { formatPerSec, formatRate, headlineRun, loaderLensText } from './loaderHistory';
import { stoppedText } from './loaderFormat';

/**
 * The loader timing page: the per-batch times of each pass as a chart, the num_workers sweep as bars, the figures as
 * a table, and this loader's earlier timings. No script: the charts and bars are inline SVG sized in percentages (the
 * CSP admits no style="" attributes), so the page lays out in a narrow side column (the tables scroll sideways).
 */

export interface LoaderPageOptions {
  /** Its stylesheets (PAGE_FILES.loaderTiming); the page has no script. */
  assets: PageAssets;
  /** Command links ('command:' URIs, allowed for the loader command alone) to time again or sweep num_workers. */
  again?: string;
  sweep?: { href: string; workers: number[] };
  /** Earlier timings of the same loader, oldest first (the page's own record excluded). */
  earlier?: LoaderRecord[];
}

const t = (s: number | null | undefined): string => (s === null || s === undefined ? '—' : formatTime(s));

function title(r: LoaderRecord): string {
  const where = r.cell === null ? `lines 1–${r.cellLine}` : `cell ${r.cell}`;
  return `${r.name} · ${r.file}, ${where}`;
}

function runsTable(r: LoaderRecord): string {
  const rows = r.runs
    .map(
      (run, i) => `<tr${i === r.fastest && r.runs.length > 1 ? ' class="best"' : ''}>
<td>${run.workers === null ? '—' : run.workers}${i === r.fastest && r.runs.length > 1 ? ' ★' : ''}</td>
<td>${esc(t(run.firstBatchSeconds))}</td><td>${esc(t(run.perBatch?.p50))}</td><td>${esc(t(run.perBatch?.p90))}</td>
<td>${esc(t(run.perBatch?.max))}</td>
<td>${run.batchesPerSec === null ? '—' : esc(formatPerSec(run.batchesPerSec))}</td>
<td>${run.samplesPerSec === null ? '—' : esc(formatPerSec(run.samplesPerSec))}</td>
<td>${run.batches}</td><td>${esc(stoppedText(run))}</td></tr>`,
    )
    .join('');
  return `<div class="scroll"><table><thead><tr><th>num_workers</th><th>first batch</th><th>p50</th><th>p90</th>
<th>max</th><th>batches/s</th><th>samples/s</th><th>batches</th><th>exhausted</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
}

/** The sweep: one bar per num_workers value, its length batches/s on a scale from 0 to the fastest. */
export function sweepBars(runs: readonly LoaderRunRecord[], fastest: number | null): string {
  const max = Math.max(0, ...runs.map((r) => r.batchesPerSec ?? 0));
  if (max <= 0) return '';
  const rows = runs
    .map((run, i) => {
      const v = run.batchesPerSec ?? 0;
      const pct = ((v / max) * 100).toFixed(1);
      const cls = i === fastest ? 'bar best' : 'bar';
      const bar = `<svg class="${cls}" width="${pct}%" height="16" aria-hidden="true"></svg>`;

      return `<span>num_workers=${run.workers ?? '—'}</span>
<div class="track">${bar}</div>
<span>${run.batchesPerSec === null ? '—' : esc(formatRate(v, 'batches'))}</span>`;
    })
    .join('\n');
  return `<div class="bars" role="img" aria-label="batches per second for each num_workers value">${rows}</div>
<div class="axis"><small>0</small><small>batches/s (after the first batch; longer is faster)</small>
<small>${esc(formatPerSec(max))}</small></div>`;
}

/** Per-batch seconds after the first as a line over the batches, with its p50 dashed; the y axis starts at 0. */
export function batchChart(run: LoaderRunRecord): string {
  const s = run.series;
  if (s.length === 0) return '<p class="muted">Fewer than two batches: nothing after the first to chart.</p>';
  const max = Math.max(...s, run.perBatch?.max ?? 0) || 1;
  const W = 1000;
  const H = 100;
  const step = s.length > 1 ? W / (s.length - 1) : 0;
  const pts = s.map((v, i) => `${(i * step).toFixed(1)},${(H - (v / max) * H).toFixed(2)}`).join(' ');
  const p50 = run.perBatch ? H - (run.perBatch.p50 / max) * H : undefined;
  const p50Line =
    p50 === undefined
      ? ''
      : `<line class="p50" x1="0" x2="${W}" y1="${p50.toFixed(2)}" y2="${p50.toFixed(2)}" ` +
        'vector-effect="non-scaling-stroke"/>';
  const per = run.seriesBucket > 1 ? ` (each point the mean of ${run.seriesBucket} batches)` : '';
  const last = 1 + s.length * run.seriesBucket;
  return `<div class="axis"><small>${esc(t(max))} per batch</small>
<small>dashed: p50 ${esc(t(run.perBatch?.p50))}</small></div>
<svg class="chart" viewBox="0 0 ${W} ${H}" preserveAspectRatio="none" role="img"
 aria-label="seconds per batch after the first, batch by batch">
${s.length === 1 ? '' : `<polyline points="${pts}" vector-effect="non-scaling-stroke"/>`}${p50Line}</svg>
<div class="axis"><small>batch 2</small><small>seconds per batch after the first${esc(per)}</small>
<small>batch ${Math.min(last, run.batches)}</small></div>`;
}

function earlierTable(earlier: readonly LoaderRecord[]): string {
  if (earlier.length === 0) return '';
  const rows = [...earlier]
    .reverse()
    .slice(0, 20)
    .map((r) => {
      const run = headlineRun(r);
      return `<tr><td>${esc(r.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z'))}</td>
<td>${esc(loaderLensText(r).replace(/^\$\(watch\) /, ''))}</td><td>${run?.workers ?? '—'}</td>
<td>${r.runs.length > 1 ? esc(r.runs.map((x) => x.workers).join(', ')) : ''}</td>
<td>${r.git?.head ? esc(r.git.head.slice(0, 8)) : ''}</td></tr>`;
    })
    .join('');
  return `<h3>Earlier timings of this loader</h3><div class="scroll"><table><thead><tr><th>time</th><th>result</th>
<th>num_workers</th><th>sweep</th><th>git</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

export function loaderHtml(r: LoaderRecord, o: LoaderPageOptions, carried: string[] | null = null): string {
  const head = headlineRun(r);
  const headline = head
    ? loaderLensText(r).replace(/^\$\(watch\) /, '') +
      (head.samplesPerSec !== null ? ` · ${formatRate(head.samplesPerSec, 'samples')}` : '')
    : 'no batches';
  const target = r.target;
  const facts = [
    target.isDataLoader ? 'torch DataLoader' : target.type,
    target.batchSize !== null ? `batch_size ${target.batchSize}` : '',
    target.isDataLoader && target.numWorkers !== null ? `num_workers ${target.numWorkers} in the script` : '',
    target.length !== null
      ? target.isDataLoader
        ? `${target.length} batches per epoch`
        : `length ${target.length}`
      : '',
    r.device ? `batches moved to ${r.device}` : '',
    r.batches > 0
      ? `${r.batches} batches per pass`
      : r.timeBudgetSeconds > 0
        ? `${r.timeBudgetSeconds} s per pass`
        : '',
  ].filter((x) => x !== '');
  const links = [
    o.again ? `<a href="${esc(o.again)}">Time again</a>` : '',
    o.sweep ? `<a href="${esc(o.sweep.href)}">Sweep num_workers ${esc(o.sweep.workers.join(', '))}</a>` : '',
  ].filter((x) => x !== '');
  const charts = r.runs
    .map(
      (run) =>
        `<h3>Per batch${r.runs.length > 1 ? `, num_workers=${run.workers}` : ''}</h3>` +
        `<p class="muted">first batch ${esc(t(run.firstBatchSeconds))}` +
        (run.workers ? ' (worker start-up included)' : '') +
        ` · ${run.batches} batches · ${esc(stoppedText(run))}</p>${batchChart(run)}`,
    )
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Flowbench loader timing</title>
${assetHead(o.assets)}
</head><body>
<h2>Loader timing: ${esc(title(r))}</h2>
<p class="headline">${esc(headline)}</p>
<p><small>${esc(facts.join(' · '))}</small></p>
${links.length ? `<p>${links.join(' · ')}</p>` : ''}
${r.runs.length > 1 ? `<h3>num_workers sweep</h3>${sweepBars(r.runs, r.fastest)}` : ''}
<h3>Figures</h3>${runsTable(r)}
<p><small>p50, p90, max: time per batch after the first. The first batch is reported apart: it pays for starting
the iterator (and its worker processes).</small></p>
${charts}
${carried ? `<h3>Carried over to each re-created DataLoader</h3><p><small>${esc(carried.join(', '))}</small></p>` : ''}
${earlierTable(o.earlier ?? [])}
<p><small>Timed ${esc(r.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z'))} · Python ${esc(r.interpreter.version)}${
    r.torchVersion ? ` · torch ${esc(r.torchVersion)}` : ''
  }</small></p>
</body></html>`;
}
