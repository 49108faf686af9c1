import assert from 'node:assert/strict';
import type { FocusLogSession } from '../../../src/focus/focusLog';
import { axisMax, chartSvg, dayLabel, focusLogHtml, startLabel } from '../../../src/focus/logHtml';
import { escapeHtml } from '../../../src/util/html';
import { focusStats, localDateKey } from '../../../src/focus/stats';
import { assertNoInlineCode, fakeAssets } from '../util/pages';

function session(start: Date, focusedMin: number, kind: 'work' | 'break' = 'work'): FocusLogSession {
  return {
    type: 'session',
    v: 1,
    id: `${start.getTime()}-${kind}`,
    kind,
    breakKind: kind === 'break' ? 'short' : null,
    intent: '',
    outcome: null,
    start: start.toISOString(),
    end: new Date(start.getTime() + focusedMin * 60_000).toISOString(),
    endedBy: 'completed',
    plannedMin: focusedMin,
    extendedMin: 0,
    focusedMin,
    pausedMin: 0,
    idleMin: 0,
    git: null,
  };
}

// Local-time dates, so the expectations hold in any time zone. 2026-11-26 is a Thursday.
const day = (d: number, h = 10) => new Date(2026, 10, d, h, 0, 0);
const NOW = day(26, 18).getTime();

describe('focus statistics', () => {
  it('sums focused minutes per local day for the last 14 days, breaks excluded', () => {
    const st = focusStats(
      [
        session(day(26), 25),
        session(day(26, 14), 50),
        session(day(26, 15), 5, 'break'),
        session(day(20), 30),
        session(day(1), 90),
      ],
      NOW,
    );
    assert.equal(st.days.length, 14);
    assert.equal(st.days[13].date, '2026-11-26');
    assert.equal(st.days[0].date, '2026-11-13');
    assert.equal(st.days[13].minutes, 75);
    assert.equal(st.days.find((d) => d.date === '2026-11-20')?.minutes, 30);
    assert.equal(
      st.days.reduce((a, d) => a + d.minutes, 0),
      105,
      'Nov 1 is outside the window',
    );
    assert.equal(st.todayMinutes, 75);
    assert.equal(st.workSessions, 4);
  });

  it('totals this week from Monday', () => {
    // Monday 23 .. Thursday 26 count; Sunday 22 does not.
    const st = focusStats(
      [session(day(22), 40), session(day(23, 0), 10), session(day(25), 20), session(day(26), 5)],
      NOW,
    );
    assert.equal(st.weekMinutes, 35);
  });

  it('counts the streak back from today, or from yesterday while today is still empty', () => {
    const days = [26, 25, 24, 22].map((d) => session(day(d), 25));
    assert.equal(focusStats(days, NOW).streakDays, 3);
    assert.equal(focusStats(days.slice(1), NOW).streakDays, 2, 'today not yet worked: the streak is still alive');
    assert.equal(focusStats([session(day(23), 25)], NOW).streakDays, 0);
    assert.equal(focusStats([], NOW).streakDays, 0);
  });

  it('crosses month boundaries by calendar days', () => {
    const now = new Date(2026, 2, 2, 12).getTime();
    const st = focusStats([session(new Date(2026, 1, 28, 9), 25), session(new Date(2026, 2, 1, 9), 25)], now);
    assert.equal(st.days[12].date, '2026-03-01');
    assert.equal(st.days[11].date, '2026-02-28');
    assert.equal(st.streakDays, 2);
    assert.equal(localDateKey(new Date(2026, 0, 5).getTime()), '2026-01-05');
  });
});

describe('focus log page', () => {
  it('escapes user text, links its stylesheets under a CSP with nothing inline, and has no script', () => {
    const s = { ...session(day(26), 25), intent: '<img src=x onerror=alert(1)>' };
    s.git = {
      root: '/r',
      headStart: 'a',
      headEnd: 'b',
      commits: [{ hash: 'abcdef0123', subject: 'fix <b>' }],
      filesChanged: 1,
      insertions: 2,
      deletions: 3,
    };
    const html = focusLogHtml({
      stats: focusStats([s], NOW),
      sessions: [s],
      assets: fakeAssets('focusLog'),
      logFile: '/x',
      warnings: ['torn <line>'],
    });
    assert.ok(!html.includes('<img src=x'));
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.ok(html.includes('fix &lt;b&gt;'));
    assertNoInlineCode(html, fakeAssets('focusLog'));
    assert.match(html, /content="default-src 'none'; style-src fake-webview:;"/);
    assert.ok(!/<script/i.test(html));
    assert.match(html, /<b id="week">25<\/b>/);
    assert.equal(escapeHtml(`a&"'`), 'a&amp;&quot;&#39;');
  });

  it('draws one bar per day scaled to the largest day', () => {
    const st = focusStats([session(day(26), 120), session(day(25), 60)], NOW);
    const svg = chartSvg(st);
    assert.equal((svg.match(/<rect /g) ?? []).length, 14);
    assert.match(svg, /height="110"><\/rect>/);
    assert.match(svg, /height="55"><\/rect>/);
  });

  it('scales to the largest day with a y axis in minutes: one short session is a tall bar, labelled above it', () => {
    const st = focusStats([session(day(26), 4)], NOW);
    const svg = chartSvg(st);
    assert.equal(axisMax(4), 5);
    const bar = new RegExp(
      '<rect class="bar" x="[\\d.]+" y="([\\d.]+)" width="18" height="(\\d+)"></rect>' +
        '<text class="val" x="[\\d.]+" y="([\\d.]+)">4<',
    ).exec(svg);
    assert.ok(bar, svg);
    assert.ok(Number(bar[2]) >= 80, `a 4-minute day on a 5-minute axis is most of the height, got ${bar[2]} px`);
    assert.ok(Number(bar[3]) < Number(bar[1]), 'the value sits above its bar, not inside it');
    const ticks = [...svg.matchAll(/<text class="tick"[^>]*>([^<]+)</g)].map((m) => m[1]);
    assert.deepEqual(ticks, ['0', '2.5', '5']);
    assert.match(svg, />min</);
    assert.match(svg, /viewBox="0 0 \d+ \d+"/);
  });

  it('writes days one way, on the axis and in the table', () => {
    const start = new Date(2026, 11, 1, 9, 5).getTime();
    assert.equal(dayLabel(new Date(start)), 'Dec 1');
    assert.equal(startLabel(start), 'Dec 1, 09:05');
    const s = session(new Date(start), 30);
    const html = focusLogHtml({
      stats: focusStats([s], start + 3600_000),
      sessions: [s],
      assets: fakeAssets('focusLog'),
      logFile: '/x',
      warnings: [],
    });
    assert.match(html, />Dec 1, 09:05</);
    // The chart names days the same way: its range in the caption, the month under the 1st.
    assert.match(html, /focused minutes per day, Nov 18 – Dec 1</);
    assert.match(html, /class="month"[^>]*>Dec</);
    assert.match(html, /<div class="scroll"><table>/);
  });
});
