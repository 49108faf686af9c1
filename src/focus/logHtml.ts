import { escapeHtml } from '../util/html';
import { assetHead, type PageAssets } from '../util/pageAssets';
import type { FocusLogSession } from './focusLog';
import type { FocusStats } from './stats';

/**
 * The focus-log page shown in a webview: an inline SVG bar chart of focused minutes per day, week total, streak and a
 * table of sessions with their commits. No script at all; the CSP admits only its stylesheets (media/webview/), and
 * every piece of user text (intents, outcomes, commit subjects) is escaped.
 */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** 'Dec 1': the one way the page writes a day, on the chart's axis and in the table. */
export function dayLabel(d: Date): string {
  return `${MONTHS[d.getMonth()]} ${d.getDate()}`;
}

/** 'Dec 1, 09:05' (local time), as the table writes a session's start. */
export function startLabel(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${dayLabel(d)}, ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The axis top for a largest day of `max` minutes: the next of 5, 10, 15, 30, 45, 60, 90, 120, … at or above it. */
export function axisMax(max: number): number {
  const steps = [5, 10, 15, 30, 45, 60, 90, 120, 180, 240, 360, 480, 720, 960, 1440];
  return steps.find((s) => s >= max) ?? Math.ceil(max / 60) * 60;
}

/**
 * Focused minutes per day as an inline SVG bar chart with a y axis in minutes, scaled to the largest day (so one
 * short session still gets a tall bar), each day's minutes above its bar, and a viewBox so it fits a narrow column.
 */
export function chartSvg(stats: FocusStats): string {
  const w = 18;
  const gap = 5;
  const h = 110;
  const left = 34;
  const top = 16;
  const max = axisMax(Math.max(0, ...stats.days.map((d) => d.minutes)));
  const dates = stats.days.map((d) => {
    const [y, m, day] = d.date.split('-').map(Number);
    return new Date(y, m - 1, day);
  });
  const bars = stats.days
    .map((d, i) => {
      const bh = d.minutes > 0 ? Math.max(2, Math.round((d.minutes / max) * h)) : 0;
      const x = left + i * (w + gap);
      const date = dates[i];
      // Day numbers under the bars, the month under the first bar and under each 1st.
      const month =
        i === 0 || date.getDate() === 1
          ? `<text class="month" x="${x}" y="${top + h + 25}">${MONTHS[date.getMonth()]}</text>`
          : '';
      const value = d.minutes > 0 ? String(Math.round(d.minutes * 10) / 10) : '';
      return (
        `<g><title>${escapeHtml(dayLabel(date))}: ${d.minutes} min focused</title>` +
        `<rect class="bar" x="${x}" y="${top + h - bh}" width="${w}" height="${bh}"></rect>` +
        `<text class="val" x="${x + w / 2}" y="${top + h - bh - 4}">${value}</text>` +
        `<text class="day" x="${x + w / 2}" y="${top + h + 13}">${date.getDate()}</text>${month}</g>`
      );
    })
    .join('');
  const ticks = [0, max / 2, max]
    .map((v) => {
      const y = top + h - (v / max) * h;
      return (
        `<line class="grid" x1="${left - 4}" x2="${left + stats.days.length * (w + gap)}" y1="${y}" y2="${y}"/>` +
        `<text class="tick" x="${left - 7}" y="${y + 3.5}">${Number.isInteger(v) ? v : v.toFixed(1)}</text>`
      );
    })
    .join('');
  const width = left + stats.days.length * (w + gap);
  const height = top + h + 44;
  const range = dates.length ? `${dayLabel(dates[0])} – ${dayLabel(dates[dates.length - 1])}` : '';
  return (
    `<div class="chartbox"><svg class="chart" role="img" ` +
    `aria-label="Focused minutes per day, last ${stats.days.length} days" ` +
    `width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${ticks}` +
    `<line class="axis" x1="${left - 4}" x2="${left - 4}" y1="${top}" y2="${top + h}"/>${bars}` +
    `<text class="unit" x="2" y="10">min</text>` +
    `<text class="caption" x="${left + (width - left) / 2}" y="${height - 2}">` +
    `focused minutes per day, ${escapeHtml(range)}</text></svg></div>`
  );
}

function sessionRow(s: FocusLogSession): string {
  const start = Date.parse(s.start);
  const commits = s.git?.commits ?? [];
  const commitItem = (c: { hash: string; subject: string }): string =>
    `<li><code>${escapeHtml(c.hash.slice(0, 7))}</code> ${escapeHtml(c.subject)}</li>`;
  const commitList = commits.length ? `<ul>${commits.map(commitItem).join('')}</ul>` : '';
  const lines = s.git ? `${s.git.filesChanged} files, +${s.git.insertions} −${s.git.deletions}` : '';
  const kind = s.kind === 'break' ? `${s.breakKind ?? 'short'} break` : 'focus';
  return (
    `<tr><td class="nowrap">${escapeHtml(Number.isNaN(start) ? s.start : startLabel(start))}</td>` +
    `<td>${escapeHtml(kind)}</td>` +
    `<td>${s.focusedMin.toFixed(0)} / ${s.plannedMin.toFixed(0)}</td><td>${s.pausedMin.toFixed(0)}</td>` +
    `<td>${s.idleMin.toFixed(0)}</td>` +
    `<td>${escapeHtml(s.intent)}</td><td>${escapeHtml(s.outcome ?? '')}</td><td>${escapeHtml(s.endedBy)}</td>` +
    `<td>${escapeHtml(lines)}${commitList}</td></tr>`
  );
}

export function focusLogHtml(opts: {
  stats: FocusStats;
  sessions: FocusLogSession[];
  /** Its stylesheets (PAGE_FILES.focusLog); the page has no script. */
  assets: PageAssets;
  logFile: string;
  warnings: string[];
}): string {
  const { stats } = opts;
  const rows = [...opts.sessions].reverse().slice(0, 200).map(sessionRow).join('');
  const warnings = opts.warnings.map((w) => `<p class="warn">${escapeHtml(w)}</p>`).join('');
  const totals =
    `<p class="totals"><span>Today: <b id="today">${stats.todayMinutes}</b> min</span>` +
    `<span>This week: <b id="week">${stats.weekMinutes}</b> min</span>` +
    `<span>Streak: <b id="streak">${stats.streakDays}</b> day${stats.streakDays === 1 ? '' : 's'}</span></p>`;

  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Flowbench Focus Log</title>
${assetHead(opts.assets)}
</head>
<body>
<h2>Focus log</h2>
<p class="muted">${escapeHtml(opts.logFile)}</p>
${warnings}
${totals}
${chartSvg(stats)}
<div class="scroll"><table><thead><tr><th>Start</th><th>Kind</th><th>Focused / planned min</th><th>Paused</th>
<th>Idle</th><th>Intent</th><th>Outcome</th><th>Ended</th><th>Git</th></tr></thead>
<tbody>${rows || '<tr><td colspan="9" class="muted">No sessions yet.</td></tr>'}</tbody></table></div>
</body></html>`;
}
