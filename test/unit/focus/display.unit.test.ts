import assert from 'node:assert/strict';
import { focusDisplay } from '../../../src/focus/display';
import { createSession, extend, pause } from '../../../src/focus/session';

const MIN = 60_000;
const T0 = new Date(2026, 10, 26, 9, 30).getTime();

describe('focus status-bar display', () => {
  it('shows an idle entry point when no session runs', () => {
    const d = focusDisplay(null, T0);
    assert.equal(d.phase, 'idle');
    assert.doesNotMatch(d.text, /\d:\d\d/);
  });

  it('counts down from timestamps with a codicon, and shows h:mm:ss above an hour', () => {
    const s = createSession({ id: 'a', kind: 'work', minutes: 90, intent: 'ablation', now: T0, windowId: 'w' });
    assert.equal(focusDisplay(s, T0).text, '$(target) 1:30:00');
    assert.equal(focusDisplay(s, T0 + 31 * MIN).text, '$(target) 59:00');
    assert.equal(
      focusDisplay(s, T0 + 31 * MIN - 1).text,
      '$(target) 59:01',
      'rounds up: never shows less than is left',
    );
    const tip = focusDisplay(s, T0 + 10 * MIN + 5000).tooltip;
    assert.match(tip, /^Focus session: ablation/);
    assert.match(tip, /Started 09:30, 10 of 90 min elapsed/);
    assert.match(tip, /Ends 11:00/);
  });

  it("shows 'paused' with the frozen time, and breaks with their own icon", () => {
    const s = pause(createSession({ id: 'a', kind: 'work', minutes: 25, now: T0, windowId: 'w' }), T0 + 5 * MIN);
    const d = focusDisplay(s, T0 + 60 * MIN);
    assert.equal(d.text, '$(debug-pause) 20:00 paused');
    assert.equal(d.phase, 'paused');
    const b = createSession({ id: 'b', kind: 'break', breakKind: 'long', minutes: 15, now: T0, windowId: 'w' });
    assert.equal(focusDisplay(b, T0).text, '$(coffee) 15:00');
    assert.match(focusDisplay(b, T0).tooltip, /^Long break/);
  });

  it('renders right after a long sleep without any tick in between', () => {
    const s = extend(createSession({ id: 'a', kind: 'work', minutes: 25, now: T0, windowId: 'w' }), 5, T0);
    assert.equal(focusDisplay(s, T0 + 29 * MIN + 30_000).text, '$(target) 00:30');
    assert.equal(focusDisplay(s, T0 + 5 * 60 * MIN).phase, 'ended');
  });
});
