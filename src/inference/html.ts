/**
 * HTML for the inference webviews (model inspector, results, experiments). No vscode import: pure string builders,
 * every value escaped, styled with VS Code's theme variables.
 */
import { formatShape, type ModelInfo } from './onnxModel';
import type { BenchReport } from './bench';
import type { EvalReport } from './evaluate';
import type { InferReport } from './infer';
import type { SessionReport } from './session';
import type { LedgerSummary } from './ledger';
import { benchTable, formatBytes, formatCount, formatSkipped } from './format';
import { escapeHtml as esc } from '../util/html';
import type { ProfileReport } from './profile';
import { nodesTable, operatorsTable, profileSummary } from './profileHtml';

const STYLE = `
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 1em 2em; }
table { border-collapse: collapse; margin: .5em 0 1.2em; }
th, td { padding: 2px 10px; border-bottom: 1px solid var(--vscode-panel-border, #8884); text-align: right; font-variant-numeric: tabular-nums; }
th:first-child, td:first-child { text-align: left; }
th { font-weight: 600; }
code { font-family: var(--vscode-editor-font-family); }
.muted { opacity: .75; }
.bad { color: var(--vscode-errorForeground); }
.good { color: var(--vscode-testing-iconPassed, #3a3); }
.bar { display: inline-block; height: .7em; background: var(--vscode-charts-blue, #48f); }
.scroll { overflow-x: auto; }
table.sortable th { cursor: pointer; }
table.sortable th[data-dir='desc']::after { content: ' ▾'; }
table.sortable th[data-dir='asc']::after { content: ' ▴'; }
button { background: var(--vscode-button-background); color: var(--vscode-button-foreground); border: 0; padding: 4px 12px; margin-right: 6px; cursor: pointer; }
`;

export interface PageOptions {
  title: string;
  /** Content-Security-Policy source of the webview (webview.cspSource). */
  cspSource: string;
  /** When set, a script with this nonce may run (buttons posting messages). */
  nonce?: string;
  script?: string;
}

export function page(o: PageOptions, body: string): string {
  const scriptSrc = o.nonce ? `script-src 'nonce-${o.nonce}';` : '';
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${o.cspSource} 'unsafe-inline'; ${scriptSrc}">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(o.title)}</title><style>${STYLE}</style></head>
<body>${body}${o.nonce && o.script ? `<script nonce="${o.nonce}">${o.script}</script>` : ''}</body></html>`;
}

function tableHtml(head: string[], rows: (string | number)[][], rawCells = false): string {
  const cell = (v: string | number): string => (rawCells ? String(v) : esc(v));
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((v) => `<td>${cell(v)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
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
      `${formatCount(m.parameterCount)} (${formatBytes(m.parameterBytes)}, ${m.initializerCount} initializers${m.externalInitializers ? `, ${m.externalInitializers} external` : ''})`,
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
  return `<h2>${esc(file)}</h2><p class="bad">${esc(message)}</p><p class="muted">Flowbench could not read this file as an ONNX model. The rest of the editor is unaffected.</p>`;
}

function sessionHtml(s: SessionReport): string {
  return (
    `<p>Ran on <b>${esc(s.provider)}</b> (requested ${esc(s.requested.join(', '))}; onnxruntime ${esc(s.runtimeVersion)}; session created in ${s.createMs.toFixed(1)} ms)</p>` +
    (s.failures.length
      ? `<ul>${s.failures.map((f) => `<li><b>${esc(f.provider)}</b> did not run: ${esc(f.reason)}. <i>Fix:</i> ${esc(f.fix)}</li>`).join('')}</ul>`
      : '')
  );
}

export function inferBody(r: InferReport, maxRows: number): string {
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
  return `<h2>Predictions: ${esc(r.model)}</h2>${sessionHtml(r.session)}
<p>${r.rows} rows, ${r.source === 'csv' ? `${esc(r.mode)} input from ${esc(r.featureColumns?.join(', '))}${esc(formatSkipped(r.skippedColumns))}` : 'random inputs'}, ${r.inferenceMs.toFixed(2)} ms${r.out ? `; saved to <code>${esc(r.out)}</code>` : ''}</p>
${tableHtml([r.rowIndex ? 'row' : '#', ...r.table.columns], rows)}${r.rows > maxRows ? `<p class="muted">… ${r.rows - maxRows} more rows</p>` : ''}`;
}

export function evalBody(r: EvalReport): string {
  const rows = Object.entries(r.metrics).map(([k, v]) => {
    const b = r.baseline[k];
    return [
      k,
      num(v),
      num(b),
      v !== null && b !== null && b !== undefined ? `${v - b >= 0 ? '+' : ''}${(v - b).toFixed(4)}` : '—',
    ];
  });
  return `<h2>Evaluation: ${esc(r.model.path)}</h2>${sessionHtml(r.session)}
<p>${esc(r.task)} on ${r.split.valid} validation rows${r.split.fold !== null ? ` (fold ${r.split.fold})` : ''} of <code>${esc(r.data.path)}</code>, target <code>${esc(r.target)}</code>; features ${esc(r.featureColumns.join(', '))}${esc(formatSkipped(r.skippedColumns))}</p>
${r.classes ? `<p class="muted">classes (${esc(r.classes.source)}): ${esc(r.classes.names.join(', '))}</p>` : ''}
${tableHtml(['metric', 'model', 'baseline', 'change'], rows)}
<p class="muted">baseline: ${esc(r.baselineKind)}, learned on ${r.split.train} train rows. ${r.ledger ? 'Recorded in .flowbench/experiments.jsonl.' : ''}</p>
${r.warnings.map((w) => `<p class="bad">${esc(w)}</p>`).join('')}`;
}

export function benchBody(r: BenchReport): string {
  const t = benchTable(r);
  return `<h2>Benchmark: ${esc(r.model.path)}</h2>
<p>batch ${r.batch}; ${r.flopsPerRun === null ? 'FLOPs unknown' : `${formatCount(r.flopsPerRun)} FLOPs per run`}; onnxruntime ${esc(r.runtimeVersion)}</p>
${t.length ? tableHtml(t[0], t.slice(1)) : ''}
${r.results.map((x) => (x.ok ? '' : `<p><b>${esc(x.provider)}</b> did not run: ${esc(x.failure.reason)}. <i>Fix:</i> ${esc(x.failure.fix)}</p>`)).join('')}`;
}

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
      `${esc(r.metric)} ${num(r.value)}`,
      r.baseline === null ? '—' : num(r.baseline),
      r.change === null
        ? ''
        : `<span class="${r.change > 0 === r.higherIsBetter && r.change !== 0 ? 'good' : r.change === 0 ? '' : 'bad'}">${r.change >= 0 ? '+' : ''}${r.change.toFixed(4)}</span>`,
      r.isBest ? '★ best' : num(r.bestSoFar),
      esc(r.git),
    ]);
  return `<h2>Experiments</h2>
<h3>Best so far</h3>${tableHtml(
    ['comparison', 'metric', 'value', 'model', 'time'],
    s.best.map((b) => [b.group, b.metric, num(b.value), b.model, b.time.replace('T', ' ').slice(0, 19)]),
  )}
<h3>Runs, newest first</h3>${tableHtml(['time', 'kind', 'model', 'provider', 'value', 'baseline', 'change since previous', 'best so far', 'git'], rows, true)}
${skipped ? `<p class="muted">${skipped} unreadable line(s) skipped.</p>` : ''}`;
}
