import assert from 'node:assert/strict';
import { STATUS_BAR_NAME, highlightsEnd, refreshDelay, statusBarContent } from '../../../src/focus/display';
import { createSession, pause } from '../../../src/focus/session';

const MIN = 60_000;
const T0 = new Date(2026, 10, 26, 9, 30).getTime();

describe('focus status-bar content and refresh timing', () => {
  const work = () => createSession({ id: 'a', kind: 'work', minutes: 25, intent: 'ablation', now: T0, windowId: 'w' });

  it('shows the countdown, with a screen-reader label without codicons', () => {
    const c = statusBarContent(work(), T0 + 47_000, false);
    assert.equal(c.text, '$(target) 24:13');
    assert.equal(c.accessibilityLabel, `${STATUS_BAR_NAME}: 24:13`);
    assert.equal(c.warning, false);
    assert.match(c.tooltip, /^Focus session: ablation/);
  });

  it('after an end, the highlighted idle item reads "Focus done" in the warning colour', () => {
    const c = statusBarContent(null, T0, true);
    assert.equal(c.text, '$(bell-dot) Focus done');
    assert.equal(c.warning, true);
    assert.equal(c.accessibilityLabel, `${STATUS_BAR_NAME}: Focus`, 'the label keeps the plain idle text');
    assert.equal(statusBarContent(null, T0, false).text, '$(target) Focus');
    assert.equal(statusBarContent(work(), T0, true).text, '$(target) 25:00', 'a new session shows its time');
  });

  it('highlights every work end and a break that ran out, not a break the user stopped', () => {
    assert.equal(highlightsEnd({ kind: 'work', endedBy: 'stopped' }), true);
    assert.equal(highlightsEnd({ kind: 'work', endedBy: 'completed' }), true);
    assert.equal(highlightsEnd({ kind: 'break', endedBy: 'completed' }), true);
    assert.equal(highlightsEnd({ kind: 'break', endedBy: 'closed-while-away' }), true);
    assert.equal(highlightsEnd({ kind: 'break', endedBy: 'stopped' }), false);
  });

  it('has no timer without a running session', () => {
    assert.equal(refreshDelay(null, T0, 0), null);
    assert.equal(refreshDelay(pause(work(), T0 + MIN), T0 + 2 * MIN, 0), null);
  });

  it('fires when the displayed second changes, at most once a second, never in a busy loop', () => {
    const s = work();
    assert.equal(refreshDelay(s, T0 + 300, 0), 700, 'aligned to the next displayed second');
    assert.equal(refreshDelay(s, T0, 0), 1000, 'a whole second left shows until it is gone');
    assert.equal(refreshDelay(s, T0 + 300, T0 + 200), 900, 'not sooner than a second after the last render');
    assert.equal(refreshDelay(s, T0 + 26 * MIN, 0), 50, 'time is up: soon, to close the session, but not at once');
  });
});
