import { escapeHtml } from '../util/html';
import type { FocusLogSession } from './focusLog';
import type { FocusStats } from './stats';

/**
 * The focus-log page shown in a webview: an inline SVG bar chart of focused minutes per day, week total, streak and a
 * table of sessions with their commits. No script at all; the CSP allows only the nonce'd stylesheet, and every piece
 * of user text (intents, outcomes, commit subjects) is escaped.
 */
export function chartSvg(stats: FocusStats): string {
  const w = 28;
  const gap = 6;
  const h = 120;
  const max = Math.max(30, ...stats.days.map((d) => d.minutes));
  const bars = stats.days
    .map((d, i) => {
      const bh = Math.round((d.minutes / max) * h);
      const x = i * (w + gap);
      const label = d.date.slice(5);
      return (
        `<g><title>${escapeHtml(d.date)}: ${d.minutes} min</title>` +
        `<rect class="bar" x="${x}" y="${h - bh}" width="${w}" height="${bh}"></rect>` +
        `<text class="val" x="${x + w / 2}" y="${Math.max(10, h - bh - 3)}">${d.minutes > 0 ? Math.round(d.minutes) : ''}</text>` +
        `<text class="day" x="${x + w / 2}" y="${h + 14}">${escapeHtml(label)}</text></g>`
      );
    })
    .join('');
  const width = stats.days.length * (w + gap);
  return `<svg role="img" aria-label="Focused minutes per day, last ${stats.days.length} days" width="${width}" height="${h + 20}" viewBox="0 0 ${width} ${h + 20}">${bars}</svg>`;
}

function sessionRow(s: FocusLogSession): string {
  const start = new Date(s.start);
  const commits = s.git?.commits ?? [];
  const commitList = commits.length
    ? `<ul>${commits.map((c) => `<li><code>${escapeHtml(c.hash.slice(0, 7))}</code> ${escapeHtml(c.subject)}</li>`).join('')}</ul>`
    : '';
  const lines = s.git ? `${s.git.filesChanged} files, +${s.git.insertions} −${s.git.deletions}` : '';
  return (
    `<tr><td>${escapeHtml(start.toLocaleString())}</td><td>${escapeHtml(s.kind === 'break' ? `${s.breakKind ?? 'short'} break` : 'focus')}</td>` +
    `<td>${s.focusedMin.toFixed(0)} / ${s.plannedMin.toFixed(0)}</td><td>${s.pausedMin.toFixed(0)}</td><td>${s.idleMin.toFixed(0)}</td>` +
    `<td>${escapeHtml(s.intent)}</td><td>${escapeHtml(s.outcome ?? '')}</td><td>${escapeHtml(s.endedBy)}</td>` +
    `<td>${escapeHtml(lines)}${commitList}</td></tr>`
  );
}

export function focusLogHtml(opts: {
  stats: FocusStats;
  sessions: FocusLogSession[];
  nonce: string;
  cspSource: string;
  logFile: string;
  warnings: string[];
}): string {
  const { stats, nonce } = opts;
  const rows = [...opts.sessions].reverse().slice(0, 200).map(sessionRow).join('');
  const warnings = opts.warnings.map((w) => `<p class="warn">${escapeHtml(w)}</p>`).join('');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${nonce}'; img-src ${opts.cspSource} data:;">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Flowbench Focus Log</title>
<style nonce="${nonce}">
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 16px; }
.bar { fill: var(--vscode-charts-blue, #3794ff); }
svg text { fill: var(--vscode-descriptionForeground); font-size: 10px; text-anchor: middle; }
.totals span { margin-right: 24px; font-size: 1.1em; }
table { border-collapse: collapse; width: 100%; margin-top: 16px; }
th, td { text-align: left; vertical-align: top; padding: 4px 8px; border-bottom: 1px solid var(--vscode-panel-border, #8884); }
ul { margin: 2px 0; padding-left: 16px; }
.warn { color: var(--vscode-editorWarning-foreground); }
.muted { color: var(--vscode-descriptionForeground); }
</style></head>
<body>
<h2>Focus log</h2>
<p class="muted">${escapeHtml(opts.logFile)}</p>
${warnings}
<p class="totals"><span>Today: <b id="today">${stats.todayMinutes}</b> min</span><span>This week: <b id="week">${stats.weekMinutes}</b> min</span><span>Streak: <b id="streak">${stats.streakDays}</b> day${stats.streakDays === 1 ? '' : 's'}</span></p>
${chartSvg(stats)}
<table><thead><tr><th>Start</th><th>Kind</th><th>Focused / planned min</th><th>Paused</th><th>Idle</th><th>Intent</th><th>Outcome</th><th>Ended</th><th>Git</th></tr></thead>
<tbody>${rows || '<tr><td colspan="9" class="muted">No sessions yet.</td></tr>'}</tbody></table>
</body></html>`;
}
