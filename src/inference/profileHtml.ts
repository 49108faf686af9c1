/**
 * The inspector's node and operator tables, with a profile's times beside them when there is one; where scripts run,
 * media/webview/inspector.js sorts them by a clicked header. Pure string builders.
 */
import { escapeHtml as esc } from '../util/html';
import type { ModelInfo } from './onnxModel';
import { graphNodeNames, type NodeTime, type ProfileReport } from './profile';
import { ms, nodeLabel, pct, shortProvider } from './profileFormat';

const numCell = (v: number | null, text: string): string =>
  v === null ? '<td data-v="-1">—</td>' : `<td data-v="${v}">${esc(text)}</td>`;

/** A bar `px` wide: an <svg> sized by its width attribute, since the CSP admits no style="" attributes. */
function bar(px: number): string {
  return `<svg class="bar" width="${px}" height="8" aria-hidden="true"></svg>`;
}

const shareBar = (share: number): string => bar(Math.round(Math.min(1, share) * 120));

/** A table that scrolls sideways in a narrow column, sortable by its headers where scripts run. */
function table(id: string, sortable: boolean, thead: string, body: string): string {
  const cls = sortable ? ' class="sortable"' : '';
  return `<div class="scroll"><table${cls} id="${id}">${thead}<tbody>${body}</tbody></table></div>`;
}

function head(cols: string[], sortable: boolean): string {
  const title = sortable ? ' title="click to sort"' : '';
  return `<thead><tr>${cols.map((c) => `<th${title}>${esc(c)}</th>`).join('')}</tr></thead>`;
}

/** Op types: the histogram's counts, and with a profile the time per run and share, the slowest first. */
export function operatorsTable(m: ModelInfo, profile: ProfileReport | undefined, sortable: boolean): string {
  const max = Math.max(1, ...m.operators.map((o) => o.count));
  const times = new Map(profile?.ops.map((o) => [o.op, o]) ?? []);
  const rows = m.operators.map((o) => ({ op: o.op, count: o.count, t: times.get(o.op) }));
  for (const o of profile?.ops ?? [])
    if (!m.operators.some((x) => x.op === o.op)) rows.push({ op: o.op, count: 0, t: o });
  if (profile) rows.sort((a, b) => (b.t?.meanMs ?? -1) - (a.t?.meanMs ?? -1) || b.count - a.count);
  const cols = profile ? ['op', 'count', 'ms/run', 'share', ''] : ['op', 'count', ''];
  const body = rows
    .map((r) => {
      const cells = [
        `<td>${esc(r.op)}${r.count === 0 ? ' <span class="muted">(made by onnxruntime)</span>' : ''}</td>`,
      ];
      cells.push(`<td data-v="${r.count}">${r.count}</td>`);
      if (profile) {
        cells.push(numCell(r.t?.meanMs ?? null, r.t ? ms(r.t.meanMs) : ''));
        cells.push(numCell(r.t?.share ?? null, r.t ? pct(r.t.share) : ''));
        cells.push(`<td>${r.t ? shareBar(r.t.share) : ''}</td>`);
      } else {
        cells.push(`<td>${bar(Math.round((r.count / max) * 200))}</td>`);
      }
      return `<tr>${cells.join('')}</tr>`;
    })
    .join('');
  return table('ops', sortable, head(cols, sortable), body);
}

/**
 * The graph's nodes in order, with a profile each one's time beside it (by the profile's matching, see profile.ts);
 * nodes onnxruntime made come after them, and nodes that did not run as themselves say so.
 */
export function nodesTable(m: ModelInfo, profile: ProfileReport | undefined, sortable: boolean): string {
  const names = graphNodeNames(m.nodes);
  const byIndex = new Map<number, NodeTime[]>();
  for (const n of profile?.nodes ?? []) {
    if (n.graphIndex === null) continue;
    byIndex.set(n.graphIndex, [...(byIndex.get(n.graphIndex) ?? []), n]);
  }
  const cols = profile ? ['#', 'node', 'op', 'provider', 'ms/run', 'share', ''] : ['#', 'node', 'op'];
  const rows: string[] = [];
  m.nodes.forEach((node, i) => {
    const label = node.name === '' ? `${names[i]} <span class="muted">(unnamed)</span>` : esc(node.name);
    const op = node.domain && node.domain !== 'ai.onnx' ? `${node.domain}.${node.op}` : node.op;
    const cells = [`<td data-v="${i}">${i}</td>`, `<td>${label}</td>`, `<td>${esc(op)}</td>`];
    if (profile) {
      const t = byIndex.get(i) ?? [];
      const total = t.reduce((a, x) => a + x.meanMs, 0);
      const share = t.reduce((a, x) => a + x.share, 0);
      if (t.length === 0) {
        const why = node.op === 'Constant' ? 'an initializer' : 'fused or removed';
        cells.push(`<td class="muted">${why}</td>`, numCell(null, ''), numCell(null, ''), '<td></td>');
      } else {
        cells.push(
          `<td>${esc([...new Set(t.map((x) => shortProvider(x.provider)))].join(', '))}</td>`,
          numCell(total, ms(total)),
          numCell(share, pct(share)),
          `<td>${shareBar(share)}</td>`,
        );
      }
    }
    rows.push(`<tr>${cells.join('')}</tr>`);
  });
  for (const n of profile?.nodes ?? []) {
    if (n.graphIndex !== null) continue;
    rows.push(
      `<tr><td data-v="${m.nodes.length}">—</td><td>${esc(nodeLabel(n))}</td><td>${esc(n.op)}</td>` +
        `<td>${esc(shortProvider(n.provider))}</td>${numCell(n.meanMs, ms(n.meanMs))}` +
        numCell(n.share, pct(n.share)) +
        `<td>${shareBar(n.share)}</td></tr>`,
    );
  }
  return table('nodes', sortable, head(cols, sortable), rows.join(''));
}

/** The profile's headline above the tables. */
export function profileSummary(r: ProfileReport): string {
  const fails = r.session.failures
    .map((f) => `<li><b>${esc(f.provider)}</b> did not run: ${esc(f.reason)}. <i>Fix:</i> ${esc(f.fix)}</li>`)
    .join('');
  return `<p>Profiled on <b>${esc(r.session.provider)}</b>: batch ${r.batch}, ${r.runs} runs after ${r.warmup} warm-up,
graph optimisation ${esc(r.optimization)}, onnxruntime ${esc(r.session.runtimeVersion)}.</p>
<p>Run ${esc(ms(r.run.meanMs))} ms (onnxruntime's model_run, mean; session.run from JavaScript
${esc(ms(r.run.wallMeanMs))} ms). Nodes ${esc(ms(r.nodeMs))} ms per run: <b>${esc(pct(r.coverage))}</b> of the run;
the rest is framework and copy overhead.${r.trace ? ` Trace kept: <code>${esc(r.trace)}</code>.` : ''}</p>
${fails ? `<ul>${fails}</ul>` : ''}`;
}
