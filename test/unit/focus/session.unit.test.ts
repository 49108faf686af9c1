import assert from 'node:assert/strict';
import {
  activeMs,
  createSession,
  endsAt,
  extend,
  finish,
  formatRemaining,
  msUntilNextSecond,
  pause,
  phase,
  remainingMs,
  resume,
  togglePause,
} from '../../../src/focus/session';
import { UserError } from '../../../src/util/errors';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 26, 9, 0, 0);

function s25(now = T0) {
  return createSession({ id: 's1', kind: 'work', minutes: 25, intent: '  tune lr ', now, windowId: 'w1' });
}

describe('focus session state machine', () => {
  it('creates a running session with the planned length and trimmed intent', () => {
    const s = s25();
    assert.equal(s.plannedMs, 25 * MIN);
    assert.equal(s.intent, 'tune lr');
    assert.equal(phase(s, T0), 'running');
    assert.equal(remainingMs(s, T0), 25 * MIN);
    assert.equal(endsAt(s), T0 + 25 * MIN);
  });

  it('rejects bad lengths with a UserError', () => {
    for (const bad of [0, -5, Number.NaN, Infinity, 'abc', null, 24 * 60 + 1]) {
      assert.throws(
        () => createSession({ id: 'x', kind: 'work', minutes: bad as number, now: T0, windowId: 'w' }),
        UserError,
      );
    }
    assert.equal(
      createSession({ id: 'x', kind: 'work', minutes: '50' as unknown as number, now: T0, windowId: 'w' }).plannedMs,
      50 * MIN,
    );
  });

  it('counts from timestamps: a sleep that spans the end ends the session at its scheduled time', () => {
    const s = s25();
    assert.equal(remainingMs(s, T0 + 10 * MIN), 15 * MIN);
    // The machine sleeps for two hours: no tick ran, yet the time is right on wake.
    const wake = T0 + 2 * 60 * MIN;
    assert.equal(phase(s, wake), 'ended');
    assert.equal(remainingMs(s, wake), 0);
    const sum = finish(s, wake, 'completed');
    assert.equal(sum.endedAt, T0 + 25 * MIN);
    assert.equal(sum.focusedMs, 25 * MIN);
    assert.equal(sum.pausedMs, 0);
  });

  it('a sleep shorter than the remaining time just reduces it', () => {
    const s = s25();
    assert.equal(remainingMs(s, T0 + 20 * MIN + 500), 5 * MIN - 500);
    assert.equal(phase(s, T0 + 20 * MIN), 'running');
  });

  it('a clock that jumps backwards never gives negative elapsed time or more than the plan', () => {
    const s = s25();
    assert.equal(activeMs(s, T0 - 5 * MIN), 0);
    assert.equal(remainingMs(s, T0 - 5 * MIN), 25 * MIN);
    const p = pause(s, T0 + 5 * MIN);
    // Clock set back during the pause: resuming adds no negative pause.
    const r = resume(p, T0 + 4 * MIN);
    assert.equal(r.pausedMs, 0);
  });

  it('pause freezes the remaining time and resume shifts the end by the pause length', () => {
    const s = s25();
    const p = pause(s, T0 + 10 * MIN);
    assert.equal(phase(p, T0 + 50 * MIN), 'paused', 'a paused session never expires');
    assert.equal(remainingMs(p, T0 + 50 * MIN), 15 * MIN);
    assert.equal(endsAt(p), null);
    const r = resume(p, T0 + 40 * MIN);
    assert.equal(r.pausedMs, 30 * MIN);
    assert.equal(endsAt(r), T0 + 55 * MIN);
    assert.equal(remainingMs(r, T0 + 45 * MIN), 10 * MIN);
  });

  it('togglePause alternates; pausing twice or resuming a running session is rejected', () => {
    const s = s25();
    const p = togglePause(s, T0 + MIN);
    assert.equal(phase(p, T0 + MIN), 'paused');
    assert.throws(() => pause(p, T0 + 2 * MIN), /cannot pause: the session is paused/);
    const r = togglePause(p, T0 + 3 * MIN);
    assert.equal(phase(r, T0 + 3 * MIN), 'running');
    assert.throws(() => resume(r, T0 + 4 * MIN), /cannot resume: the session is running/);
  });

  it('cannot pause or extend once the time is up', () => {
    const s = s25();
    assert.throws(() => pause(s, T0 + 26 * MIN), /ended/);
    assert.throws(() => extend(s, 5, T0 + 25 * MIN), /ended/);
  });

  it('extends a running or paused session, with limits', () => {
    const s = s25();
    const e = extend(s, 5, T0 + 24 * MIN);
    assert.equal(remainingMs(e, T0 + 24 * MIN), 6 * MIN);
    assert.equal(e.extendedMs, 5 * MIN);
    const p = extend(pause(s, T0 + MIN), 15, T0 + 2 * MIN);
    assert.equal(remainingMs(p, T0 + 90 * MIN), 39 * MIN);
    assert.throws(() => extend(s, 0, T0), UserError);
    assert.throws(() => extend(s, 241, T0), UserError);
    let big = createSession({ id: 'b', kind: 'work', minutes: 23 * 60, now: T0, windowId: 'w' });
    big = extend(big, 60, T0);
    assert.throws(() => extend(big, 1, T0), /at most|longer than/);
  });

  it('stopping while paused counts the open pause and not as focus', () => {
    const s = pause(s25(), T0 + 10 * MIN);
    const sum = finish(s, T0 + 15 * MIN, 'stopped');
    assert.equal(sum.focusedMs, 10 * MIN);
    assert.equal(sum.pausedMs, 5 * MIN);
    assert.equal(sum.endedAt, T0 + 15 * MIN);
    assert.equal(sum.endedBy, 'stopped');
  });

  it('a stop that arrives after the scheduled end is a completion at the scheduled end', () => {
    const sum = finish(s25(), T0 + 30 * MIN, 'stopped');
    assert.equal(sum.endedBy, 'completed');
    assert.equal(sum.endedAt, T0 + 25 * MIN);
  });

  it('formats mm:ss below an hour and h:mm:ss above, rounding up', () => {
    assert.equal(formatRemaining(25 * MIN), '25:00');
    assert.equal(formatRemaining(25 * MIN - 1), '25:00');
    assert.equal(formatRemaining(59_001), '01:00');
    assert.equal(formatRemaining(400), '00:01');
    assert.equal(formatRemaining(0), '00:00');
    assert.equal(formatRemaining(-5000), '00:00');
    assert.equal(formatRemaining(60 * MIN), '1:00:00');
    assert.equal(formatRemaining(90 * MIN + 5000), '1:30:05');
    assert.equal(formatRemaining(59 * MIN + 59_500), '1:00:00');
  });

  it('schedules the next render when the displayed second changes', () => {
    const s = s25();
    assert.equal(msUntilNextSecond(s, T0), 1000);
    assert.equal(msUntilNextSecond(s, T0 + 300), 700);
    assert.equal(msUntilNextSecond(s, T0 + 26 * MIN), 0);
  });
});

describe('focus session intent', () => {
  it('caps an over-long intent', () => {
    const s = createSession({ id: 'x', kind: 'work', minutes: 5, intent: 'x'.repeat(2000), now: 0, windowId: 'w' });
    assert.equal(s.intent.length, 500);
  });
});
