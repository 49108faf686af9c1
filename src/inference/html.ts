/**
 * HTML for the inference webviews (model inspector, results, experiments). No vscode import: pure string builders,
 * every value escaped, styled by media/webview/inference.css with VS Code's theme variables.
 */
import { formatShape, type ModelInfo } from './onnxModel';
import type { BenchReport } from './bench';
import type { EvalReport } from './evaluate';
import type { InferReport } from './infer';
import type { SessionReport } from './session';
import type { LedgerSummary } from './ledger';
import * as path from 'node:path';
import {
  benchTable,
  evalRows,
  formatBytes,
  formatCount,
  formatSkipped,
  METRIC_INFO,
  metricLabel,
  overfitNote,
} from './format';
import { escapeHtml as esc } from '../util/html';
import { assetHead, assetScripts, type PageAssets } from '../util/pageAssets';
import type { ProfileReport } from './profile';
import { nodesTable, operatorsTable, profileSummary } from './profileHtml';

export interface PageOptions {
  title: string;
  /** Its stylesheets, and for the trusted inspector its script (PAGE_FILES.inference / .inspector). */
  assets: PageAssets;
}

export function page(o: PageOptions, body: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(o.title)}</title>
${assetHead(o.assets)}
</head>
<body>${body}
${assetScripts(o.assets)}</body></html>`;
}

/** A table inside a horizontally scrolling box, so a wide one never pushes the page past a narrow column. */
function tableHtml(head: string[], rows: (string | number)[][], rawCells = false): string {
  const cell = (v: string | number): string => (rawCells ? String(v) : esc(v));
  const body = rows.map((r) => `<tr>${r.map((v) => `<td>${cell(v)}</td>`).join('')}</tr>`).join('');
  return (
    `<div class="scroll"><table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>` +
    `<tbody>${body}</tbody></table></div>`
  );
}

/** A path as the page shows it: relative to the workspace folder when inside it. */
function shown(file: string, root: string | undefined): string {
  if (!root) return file;
  const r = path.relative(root, path.resolve(root, file));
  return r.startsWith('..') || path.isAbsolute(r) ? file : r.split(path.sep).join('/');
}

const num = (v: number | null | undefined, d = 4): string =>
  v === null || v === undefined || Number.isNaN(v) ? '—' : v.toFixed(d);

export function inspectBody(file: string, m: ModelInfo, withButtons: boolean, profile?: ProfileReport): string {
  const io = (list: ModelInfo['inputs']) =>
    tableHtml(
      ['name', 'type', 'shape'],
      list.map((v) => [
        v.name,
        v.kind === 'tensor' ? v.elemType : v.elemType,
        v.kind === 'tensor' ? formatShape(v.shape) : '—',
      ]),
    );
  return `<h2>${esc(file)}</h2>
${
  withButtons
    ? '<p><button data-cmd="run">Run</button><button data-cmd="bench">Benchmark</button>' +
      '<button data-cmd="eval">Evaluate</button><button data-cmd="profile">Profile</button></p>'
    : '<p class="muted">Running models is disabled in an untrusted workspace; inspection works.</p>'
}
${tableHtml(
  ['', ''],
  [
    ['producer', `${m.producerName || '(none)'} ${m.producerVersion}`.trim()],
    ['IR version', m.irVersion],
    ['opsets', m.opsets.map((o) => `${o.domain || 'ai.onnx'} ${o.version}`).join(', ')],
    [
      'parameters',
      `${formatCount(m.parameterCount)} (${formatBytes(m.parameterBytes)}, ${m.initializerCount} initializers` +
        `${m.externalInitializers ? `, ${m.externalInitializers} external` : ''})`,
    ],
    ['nodes', m.nodeCount],
    ['FLOPs per row', m.flopsPerRow === null ? 'unknown' : formatCount(m.flopsPerRow)],
    ...(m.docString ? [['doc', m.docString]] : []),
  ],
)}
<h3>Inputs</h3>${io(m.inputs)}
<h3>Outputs</h3>${io(m.outputs)}
${profile ? `<h3>Profile</h3>${profileSummary(profile)}` : ''}
<h3>Operators</h3>${operatorsTable(m, profile, withButtons)}
<h3>Nodes</h3>${nodesTable(m, profile, withButtons)}
${Object.keys(m.metadata).length ? `<h3>Metadata</h3>${tableHtml(['key', 'value'], Object.entries(m.metadata))}` : ''}`;
}

export function errorBody(file: string, message: string): string {
  return (
    `<h2>${esc(file)}</h2><p class="bad">${esc(message)}</p><p class="muted">Flowbench could not read this file ` +
    'as an ONNX model. The rest of the editor is unaffected.</p>'
  );
}

/** A provider that did not run, with the reason and the fix, as a list item. */
function failureItem(f: { provider: string; reason: string; fix: string }): string {
  return `<li><b>${esc(f.provider)}</b> did not run: ${esc(f.reason)}. <i>Fix:</i> ${esc(f.fix)}</li>`;
}

function sessionHtml(s: SessionReport): string {
  return (
    `<p>Ran on <b>${esc(s.provider)}</b> (requested ${esc(s.requested.join(', '))}; ` +
    `onnxruntime ${esc(s.runtimeVersion)}; session created in ${s.createMs.toFixed(1)} ms)</p>` +
    (s.failures.length ? `<ul>${s.failures.map(failureItem).join('')}</ul>` : '')
  );
}

export function inferBody(r: InferReport, maxRows: number, root?: string): string {
  const rows: (string | number)[][] = [];
  for (let i = 0; i < Math.min(maxRows, r.rows); i++) {
    rows.push([
      r.rowIndex ? r.rowIndex[i] : i,
      ...r.table.values.map((c) => {
        const v = c[i];
        return typeof v === 'number' && !Number.isInteger(v) ? v.toPrecision(6) : String(v);
      }),
    ]);
  }
  const source =
    r.source === 'csv'
      ? `${esc(r.mode)} input from ${esc(r.featureColumns?.join(', '))}${esc(formatSkipped(r.skippedColumns))}`
      : 'random inputs';
  const saved = r.out ? `; saved to <code>${esc(shown(r.out, root))}</code>` : '';
  const more = r.rows > maxRows ? `<p class="muted">… ${r.rows - maxRows} more rows</p>` : '';
  return `<h2>Predictions: ${esc(shown(r.model, root))}</h2>
<p>${r.rows} row${r.rows === 1 ? '' : 's'}, ${source}, ${r.inferenceMs.toFixed(2)} ms${saved}</p>
${tableHtml([r.rowIndex ? 'row' : '#', ...r.table.columns], rows)}${more}
${sessionHtml(r.session)}`;
}

export function evalBody(r: EvalReport, root?: string): string {
  // Four columns, so the table fits the side column: the change against the baseline shows as the colour of the
  // validation figure (and its tooltip); the CLI prints it as a column of its own.
  const rows = evalRows(r).map((cells, i) => {
    const key = Object.keys(r.metrics)[i];
    const lower = METRIC_INFO[key]?.lowerIsBetter ?? false;
    const v = r.metrics[key];
    const b = r.baseline[key];
    const known = v !== null && v !== undefined && b !== null && b !== undefined;
    const cls = known && v !== b ? ((lower ? v < b : v > b) ? 'good' : 'bad') : '';
    return (
      `<tr><td>${esc(cells[0])}</td><td class="${cls}" title="${esc(`${cells[4]} against the baseline`)}">` +
      `<b>${esc(cells[1])}</b></td><td class="train">${esc(cells[2])}</td><td>${esc(cells[3])}</td></tr>`
    );
  });
  const note = overfitNote(r);
  const fold = r.split.fold !== null ? ` (fold ${r.split.fold})` : '';
  const train = r.train.sampled
    ? `every k-th of the ${r.split.train} train rows (${r.train.rows} rows)`
    : `the ${r.train.rows} train rows`;
  const classes = r.classes
    ? `<p class="muted">classes (${esc(r.classes.source)}): ${esc(r.classes.names.join(', '))}</p>`
    : '';
  const recorded = r.ledger ? 'Recorded in .flowbench/experiments.jsonl.' : '';
  const features = esc(r.featureColumns.join(', ')) + esc(formatSkipped(r.skippedColumns));
  return `<h2>Evaluation: ${esc(shown(r.model.path, root))}</h2>
<p>${esc(r.task)} of <code>${esc(r.target)}</code> on <b>${r.split.valid} validation rows</b>${fold}
of <code>${esc(shown(r.data.path, root))}</code>, split <code>${esc(shown(r.split.path, root))}</code></p>
${r.warnings.map((w) => `<p class="bad">${esc(w)}</p>`).join('')}
<div class="scroll"><table class="metrics">
<thead><tr><th>metric</th><th>validation</th><th>train</th><th>baseline</th></tr></thead>
<tbody>${rows.join('')}</tbody></table></div>
<p class="muted"><b>validation</b>: rows the model did not train on (green: better than the baseline).
<b>train</b>: the same metrics on ${train}; a train score far above validation means overfitting.
<b>baseline</b>: ${esc(r.baselineKind)}, learned on the train rows.</p>
${note ? `<p class="bad">${esc(note)}</p>` : ''}
${classes}
<p class="muted">features ${features}; inference ${r.inferenceMs.toFixed(1)} ms. ${recorded}</p>
${sessionHtml(r.session)}`;
}

type BenchOkResult = Extract<BenchReport['results'][number], { ok: true }>;

/**
 * Latency per provider as an inline SVG range chart on one millisecond axis: a line from min to max, a box from
 * p50 to p99 and a dot at p50, each labelled. It has a viewBox, so it scales to the column.
 */
export function latencyChartSvg(results: BenchOkResult[]): string {
  if (results.length === 0) return '';
  const W = 340;
  const left = 56;
  const right = 16;
  const rowH = 30;
  const top = 8;
  const h = top + results.length * rowH + 30;
  // The axis ends past the slowest p99: one outlier run (the max) must not squash everything else to the left edge.
  const max = Math.max(...results.map((x) => Math.max(x.latencyMs.p99 * 1.3, x.latencyMs.p50 * 2))) || 1;
  const x = (ms: number) => left + (Math.min(ms, max) / max) * (W - left - right);
  const fmtMs = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(2) : ms.toPrecision(2));
  const axisY = top + results.length * rowH;
  const ticks = [0, max / 2, max].map(
    (t) =>
      `<line class="grid" x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${top}" y2="${axisY}"/>` +
      `<text x="${x(t).toFixed(1)}" y="${axisY + 13}" text-anchor="middle">${fmtMs(t)}</text>`,
  );
  const rows = results.map((r, i) => {
    const y = top + i * rowH + rowH / 2;
    const l = r.latencyMs;
    return (
      `<g><title>${esc(r.provider)}: min ${fmtMs(l.min)}, p50 ${fmtMs(l.p50)}, p90 ${fmtMs(l.p90)}, ` +
      `p99 ${fmtMs(l.p99)}, max ${fmtMs(l.max)} ms</title>` +
      `<text x="${left - 6}" y="${y + 3.5}" text-anchor="end">${esc(r.provider)}</text>` +
      `<line class="range" x1="${x(l.min).toFixed(1)}" x2="${x(l.max).toFixed(1)}" y1="${y}" y2="${y}"/>` +
      `<rect class="box" x="${x(l.p50).toFixed(1)}" y="${y - 6}" ` +
      `width="${Math.max(1, x(l.p99) - x(l.p50)).toFixed(1)}" height="12"/>` +
      `<circle class="p50" cx="${x(l.p50).toFixed(1)}" cy="${y}" r="3.5"/>` +
      `<text x="${x(l.p50).toFixed(1)}" y="${y - 8}" text-anchor="middle">p50 ${fmtMs(l.p50)}</text>` +
      (l.max > max ? `<text x="${W - right}" y="${y + 14}" text-anchor="end">max ${fmtMs(l.max)} →</text>` : '') +
      '</g>'
    );
  });
  return (
    `<div class="chartbox"><svg class="chart" viewBox="0 0 ${W} ${h}" width="100%" role="img" ` +
    'aria-label="Latency per provider, ms">' +
    ticks.join('') +
    `<line class="axis" x1="${left}" x2="${W - right}" y1="${axisY}" y2="${axisY}"/>` +
    rows.join('') +
    `<text x="${left + (W - left - right) / 2}" y="${h - 3}" text-anchor="middle">` +
    'latency per run, ms (line: min to max; box: p50 to p99)</text></svg></div>'
  );
}

export function benchBody(r: BenchReport, root?: string): string {
  const t = benchTable(r);
  const ok = r.results.filter((x): x is BenchOkResult => x.ok);
  const flops = r.flopsPerRun === null ? 'FLOPs unknown' : `${formatCount(r.flopsPerRun)} FLOPs per run`;
  const failed = (x: BenchReport['results'][number]): string =>
    x.ok
      ? ''
      : `<p><b>${esc(x.provider)}</b> did not run: ${esc(x.failure.reason)}. <i>Fix:</i> ${esc(x.failure.fix)}</p>`;
  return `<h2>Benchmark: ${esc(shown(r.model.path, root))}</h2>
<p>batch ${r.batch}; ${flops}; onnxruntime ${esc(r.runtimeVersion)}</p>
${latencyChartSvg(ok)}
${t.length ? tableHtml(t[0], t.slice(1)) : ''}
${r.results.map(failed).join('')}`;
}

/** A run's change since the previous one, green where it is better and red where worse. */
function changeSpan(change: number, higherIsBetter: boolean): string {
  const cls = change > 0 === higherIsBetter && change !== 0 ? 'good' : change === 0 ? '' : 'bad';
  return `<span class="${cls}">${change >= 0 ? '+' : ''}${change.toFixed(4)}</span>`;
}

/** The experiments page's table of runs. */
const RUN_COLUMNS = [
  'time',
  'kind',
  'model',
  'provider',
  'value',
  'baseline',
  'change since previous',
  'best so far',
  'git',
];

export function ledgerBody(s: LedgerSummary, skipped: number): string {
  if (s.rows.length === 0)
    return '<h2>Experiments</h2><p>No experiments yet: evaluate or benchmark a model (Ctrl+Alt+F E / B).</p>';
  const rows = [...s.rows]
    .reverse()
    .map((r) => [
      esc(r.time.replace('T', ' ').slice(0, 19)),
      esc(r.kind),
      esc(r.model),
      esc(r.provider),
      `${esc(metricLabel(r.metric))} ${num(r.value)}`,
      r.baseline === null ? '—' : num(r.baseline),
      r.change === null ? '' : changeSpan(r.change, r.higherIsBetter),
      r.isBest ? '★ best' : num(r.bestSoFar),
      esc(r.git),
    ]);
  return `<h2>Experiments</h2>
<h3>Best so far</h3>${tableHtml(
    ['comparison', 'metric', 'value', 'model', 'time'],
    s.best.map((b) => [b.group, metricLabel(b.metric), num(b.value), b.model, b.time.replace('T', ' ').slice(0, 19)]),
  )}
<h3>Runs, newest first</h3>${tableHtml(RUN_COLUMNS, rows, true)}
${skipped ? `<p class="muted">${skipped} unreadable line(s) skipped.</p>` : ''}`;
}
