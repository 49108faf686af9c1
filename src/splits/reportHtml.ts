import type { SplitManifest } from '../data/splitFile';
import { escapeHtml as esc } from '../util/html';
import { assetHead, assetScripts, type PageAssets } from '../util/pageAssets';
import { projectPath, pythonSnippet, seedMatters } from './pythonSnippet';

/** The class-balance colours: SVG fills here, and the legend's swatches .c0-.c9 in media/webview/splitReport.css. */
export const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#e15759',
  '#76b7b2',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

/** One stacked bar as inline SVG in percentages of the page width, so it scales into any column and never clips. */
function stackedBar(
  parts: Array<{ value: number; cls?: string; fill?: string; title: string }>,
  total: number,
): string {
  let x = 0;
  const rects = parts.map((p) => {
    const w = total > 0 ? (100 * p.value) / total : 0;
    const fill = p.fill ? ` fill="${p.fill}"` : '';
    const r =
      `<rect x="${x.toFixed(3)}%" y="0" width="${w.toFixed(3)}%" height="16"` +
      `${p.cls ? ` class="${p.cls}"` : ''}${fill}>` +
      `<title>${esc(p.title)}</title></rect>`;
    x += w;
    return r;
  });
  return `<svg class="bar" role="presentation" width="100%" height="16">${rects.join('')}</svg>`;
}

/** Train/valid/unused rows per fold: a bar per fold, its counts beside the label (the bars scale to the column). */
function foldSizesSvg(m: SplitManifest): string {
  const total = m.input.rows || 1;
  const rows = m.folds.map((f) => {
    const label = m.output.column === 'fold' ? `fold ${f.fold}` : 'split';
    const counts = `${f.train} train · ${f.valid} valid${f.unused ? ` · ${f.unused} unused` : ''}`;
    const bar = stackedBar(
      [
        { value: f.train, cls: 'train', title: `train ${f.train}` },
        { value: f.valid, cls: 'valid', title: `valid ${f.valid}` },
        { value: f.unused, cls: 'unused', title: `unused ${f.unused}` },
      ],
      total,
    );
    const head = `<div class="lbl"><b>${esc(label)}</b> <span class="muted">${counts}</span></div>`;
    return `<div class="row">${head}${bar}</div>`;
  });
  return `<div class="bars" role="img" aria-label="Rows per fold">${rows.join('')}</div>`;
}

/** Class shares in valid per fold (and in train for a holdout), one stacked bar each. */
function classBalanceSvg(m: SplitManifest): string {
  const withClasses = m.folds.filter((f) => f.classes);
  if (!withClasses.length) return '<p class="muted">No target column: no class balance to show.</p>';
  const labels = Object.keys(withClasses[0].classes!.valid);
  const shown = labels.slice(0, PALETTE.length);
  const rows: Array<{ name: string; counts: Record<string, number> }> = withClasses.map((f) => ({
    name: m.output.column === 'fold' ? `valid ${f.fold}` : 'valid',
    counts: f.classes!.valid,
  }));
  if (m.output.column === 'split') rows.unshift({ name: 'train', counts: withClasses[0].classes!.train });
  const bars = rows.map((r) => {
    const total = Object.values(r.counts).reduce((s, x) => s + x, 0) || 1;
    const bar = stackedBar(
      labels.map((l, c) => ({
        value: r.counts[l] ?? 0,
        fill: PALETTE[c % PALETTE.length],
        title: `${l}: ${r.counts[l] ?? 0} (${((100 * (r.counts[l] ?? 0)) / total).toFixed(1)}%)`,
      })),
      total,
    );
    const head = `<div class="lbl"><b>${esc(r.name)}</b> <span class="muted">${total} rows</span></div>`;
    return `<div class="row">${head}${bar}</div>`;
  });
  const legend = shown.map((l, c) => `<span class="key"><span class="swatch c${c}"></span>${esc(l)}</span>`).join(' ');
  const more =
    labels.length > shown.length
      ? ` <span class="muted">(+${labels.length - shown.length} more classes; colours repeat)</span>`
      : '';
  return (
    `<div class="bars" role="img" aria-label="Class balance per fold">${bars.join('')}</div>` +
    `<div>${legend}${more}</div>`
  );
}

/**
 * The split report page. Its CSP admits only its stylesheets and script from media/webview/ (so no style=""
 * attributes: colours are classes or SVG fill attributes); the script posts button clicks (copy snippet, open file)
 * back to the extension.
 */
export function splitReportHtml(manifest: SplitManifest, opts: { assets: PageAssets; root?: string }): string {
  const m = manifest;
  const rel = (f: string): string => projectPath(f, opts.root);
  const random = seedMatters(m.strategy, m.parameters.shuffle);
  const params = Object.entries(m.parameters)
    .filter(([k, v]) => v !== null && (k !== 'seed' || random))
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(typeof v === 'object' ? JSON.stringify(v) : v)}</td></tr>`)
    .join('');
  const checks = m.checks
    .map(
      (c) =>
        `<tr class="${c.status}"><td class="status">${esc(c.status)}</td>` +
        `<th>${esc(c.title)}</th><td>${esc(c.detail)}</td></tr>`,
    )
    .join('');
  const drift = m.checks.find((c) => c.id === 'drift')?.columns ?? [];
  const driftRows = drift
    .map(
      (c) =>
        `<tr class="${c.status}"><td>${esc(c.column)}</td><td>${c.method === 'ks' ? 'KS' : "Cramér's V"}</td>` +
        `<td>${c.value.toFixed(3)}</td></tr>`,
    )
    .join('');
  const warnings = m.warnings.map((w) => `<li>${esc(w)}</li>`).join('');
  const openButton = `<button id="open">Open ${esc(m.output.column === 'fold' ? 'folds' : 'split')} file</button>`;
  const key = (part: string): string => `<span class="key"><span class="swatch ${part}-key"></span>${part}</span>`;

  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Flowbench split</title>
${assetHead(opts.assets)}
</head><body>
<h1>Split: ${esc(m.strategy)}</h1>
<p>${m.input.rows} rows of <code>${esc(rel(m.input.file))}</code> → <code>${esc(rel(m.output.file))}</code>
(column <code>${esc(m.output.column)}</code>).
Same indices as scikit-learn ${esc(m.sklearn)}: <code>${esc(m.sklearnEquivalent)}</code>.</p>
<p><button id="copy">Copy Python snippet</button>${openButton}</p>
<h2>Fold sizes</h2>
<p class="muted">${key('train')}${key('valid')}${key('unused')}</p>
${foldSizesSvg(m)}
<h2>Class balance</h2>
${classBalanceSvg(m)}
<h2>Checks</h2>
<div class="scroll"><table>${checks}</table></div>
${
  driftRows
    ? `<h3>Drift per column</h3><div class="scroll"><table>
<tr><th>column</th><th>measure</th><th>value (warn ≥ 0.2)</th></tr>${driftRows}</table></div>`
    : ''
}
${warnings ? `<h2>scikit-learn warnings</h2><ul>${warnings}</ul>` : ''}
<h2>Parameters</h2>
<div class="scroll"><table>${params}<tr><th>input SHA-256</th><td><code>${esc(m.input.sha256)}</code></td></tr>
<tr><th>Flowbench</th><td>${esc(m.flowbench)}</td></tr></table></div>
<h2>Python</h2>
<pre>${esc(opts.root ? pythonSnippet(m, { root: opts.root }) : m.python)}</pre>
${assetScripts(opts.assets)}
</body></html>`;
}
