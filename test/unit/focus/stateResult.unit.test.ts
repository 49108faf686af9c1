import assert from 'node:assert/strict';
import type { EndOutcome } from '../../../src/focus/controller';
import { createSession, finish } from '../../../src/focus/session';
import { initialShared } from '../../../src/focus/state';
import { focusStateResult, withEnded } from '../../../src/focus/stateResult';

const MIN = 60_000;
const T0 = new Date(2026, 10, 26, 9, 30).getTime();
const bar = { id: 'flowbench.focus', name: 'Flowbench Focus', text: '$(target) 24:00' };

describe('focus command results', () => {
  it('report the session, the DND record and the status bar as rendered', () => {
    const session = createSession({ id: 'a', kind: 'work', minutes: 25, intent: 'x', now: T0, windowId: 'w' });
    const state = { ...initialShared(), rev: 7, session, workSinceLongBreak: 2 };
    const facts = { state, now: T0 + MIN, statusBar: bar, dndToggles: 1, windowId: 'w', logFile: '/l' };
    const r = focusStateResult(facts);
    assert.deepEqual(Object.keys(r), [
      'phase',
      'remainingMs',
      'text',
      'tooltip',
      'statusBar',
      'session',
      'dnd',
      'dndTogglesThisWindow',
      'windowId',
      'rev',
      'logFile',
      'workSinceLongBreak',
      'lastEnded',
    ]);
    assert.equal(r.phase, 'running');
    assert.equal(r.remainingMs, 24 * MIN);
    assert.equal(r.text, bar.text);
    assert.deepEqual(r.statusBar, { ...bar, visible: true });
    assert.match(r.tooltip, /^Focus session: x/);
    assert.equal(r.session, session);
    assert.deepEqual(r.dnd, state.dnd);
    assert.equal(r.dndTogglesThisWindow, 1);
    assert.equal(r.rev, 7);
    assert.equal(r.workSinceLongBreak, 2);
    assert.equal(r.lastEnded, null);
  });

  it('before the first read: idle with empty counters', () => {
    const statusBar = { ...bar, text: '$(target) Focus' };
    const r = focusStateResult({ state: null, now: T0, statusBar, dndToggles: 0, windowId: 'w', logFile: '' });
    assert.equal(r.phase, 'idle');
    assert.equal(r.session, null);
    assert.equal(r.dnd, null);
    assert.equal(r.rev, 0);
  });

  it('add the ended session, after the command fields', () => {
    const base = focusStateResult({ state: null, now: T0, statusBar: bar, dndToggles: 0, windowId: 'w', logFile: '' });
    const s = createSession({ id: 'a', kind: 'work', minutes: 25, now: T0, windowId: 'w' });
    const ended: EndOutcome = { summary: finish(s, T0 + 5 * MIN, 'stopped'), record: null, logFile: '/l' };
    const r = withEnded(base, ended, { joined: false });
    assert.equal(r.joined, false);
    assert.deepEqual(r.ended, { summary: ended.summary, record: null, logFile: '/l' });
    assert.deepEqual(Object.keys(r).slice(-2), ['joined', 'ended']);
    assert.equal(withEnded(base, null, {}).ended, null);
  });
});
