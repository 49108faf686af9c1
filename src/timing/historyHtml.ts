import { escapeHtml as esc } from '../util/html';
import { formatChange, meanAndSpread, sparklineSvg, type TimedCellOverview } from './history';

/** The history page: one row per timed cell (file + code), newest first, with a sparkline of its means. No script. */
export function historyHtml(cells: TimedCellOverview[], cspSource: string, skipped: number): string {
  const rows = cells
    .map((c) => {
      const n = c.records.length;
      const prev = n > 1 ? c.records[n - 2] : undefined;
      const change = prev && prev.mean > 0 ? formatChange((c.last.mean - prev.mean) / prev.mean) : '';
      const title = c.title ? ` · ${esc(c.title)}` : '';
      return `<tr>
  <td><code>${esc(c.file)}</code><br><small>cell ${c.cell}, line ${c.last.cellLine}${title}</small></td>
  <td class="num">${esc(meanAndSpread(c.last))}</td>
  <td class="num">${esc(change)}</td>
  <td class="num">${n}</td>
  <td>${sparklineSvg(c.means)}</td>
  <td><small>${esc(c.last.line)}<br>${esc(c.last.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z'))}${c.last.git?.head ? ` · ${esc(c.last.git.head.slice(0, 8))}` : ''} · Python ${esc(c.last.interpreter.version)}</small></td>
</tr>`;
    })
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${cspSource} 'unsafe-inline'; img-src ${cspSource} data:;">
<title>Flowbench timing history</title>
<style>
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 1em; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--vscode-panel-border); vertical-align: middle; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
svg { color: var(--vscode-charts-blue, currentColor); }
small { color: var(--vscode-descriptionForeground); }
</style></head><body>
<h2>Timing history</h2>
${cells.length === 0 ? '<p>No timings yet. Put the cursor in a <code># %%</code> cell and run <b>Flowbench: Time Cell</b> (Ctrl+Alt+F T).</p>' : ''}
${skipped > 0 ? `<p><small>${skipped} unreadable line(s) in .flowbench/timings.jsonl were skipped.</small></p>` : ''}
${
  cells.length > 0
    ? `<table><thead><tr><th>Cell</th><th>Last (mean ± std. dev.)</th><th>Change</th><th>Timings</th><th>History</th><th>Details</th></tr></thead><tbody>
${rows}
</tbody></table>`
    : ''
}
</body></html>`;
}
