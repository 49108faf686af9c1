import assert from 'node:assert/strict';
import {
  addSleepGap,
  closeIdle,
  finalIdleMs,
  newIdleState,
  removeWindow,
  reopenIdle,
  setWindowIdle,
} from '../../../src/focus/idle';
import { createSession, finish, pause, resume } from '../../../src/focus/session';

const S = 1000;

describe('focus idle accounting', () => {
  it('counts time while the only window is idle', () => {
    let s = setWindowIdle(newIdleState(), 'a', false, 0);
    s = setWindowIdle(s, 'a', true, 100 * S);
    s = setWindowIdle(s, 'a', false, 160 * S);
    assert.equal(s.idleMs, 60 * S);
    assert.equal(s.allIdleSince, null);
  });

  it('is idle only while every window is idle', () => {
    let s = setWindowIdle(newIdleState(), 'a', false, 0);
    s = setWindowIdle(s, 'b', false, 0);
    s = setWindowIdle(s, 'a', true, 10 * S);
    assert.equal(finalIdleMs(s, 50 * S), 0, 'window b is still active');
    s = setWindowIdle(s, 'b', true, 30 * S);
    assert.equal(s.allIdleSince, 30 * S);
    assert.equal(finalIdleMs(s, 50 * S), 20 * S);
    s = setWindowIdle(s, 'a', false, 70 * S);
    assert.equal(s.idleMs, 40 * S);
    s = removeWindow(s, 'a', 80 * S);
    assert.equal(s.allIdleSince, 80 * S, 'closing the active window leaves only idle ones');
  });

  it('repeated idle events do not restart the interval', () => {
    let s = setWindowIdle(newIdleState(), 'a', true, 10 * S);
    s = setWindowIdle(s, 'a', true, 20 * S);
    assert.equal(finalIdleMs(s, 30 * S), 20 * S);
  });

  it('pauses are not idle time', () => {
    let s = setWindowIdle(newIdleState(), 'a', true, 10 * S);
    s = closeIdle(s, 20 * S);
    assert.equal(finalIdleMs(s, 100 * S), 10 * S);
    s = setWindowIdle(s, 'a', false, 50 * S);
    s = setWindowIdle(s, 'a', true, 60 * S);
    assert.equal(finalIdleMs(s, 100 * S), 10 * S, 'still paused');
    s = reopenIdle(s, 120 * S);
    assert.equal(finalIdleMs(s, 130 * S), 20 * S);
  });

  it('a sleep gap counts as idle unless already inside an idle interval', () => {
    let s = addSleepGap(newIdleState(), 10 * S, 70 * S);
    assert.equal(s.idleMs, 60 * S);
    s = setWindowIdle(s, 'a', true, 100 * S);
    s = addSleepGap(s, 110 * S, 200 * S);
    assert.equal(finalIdleMs(s, 200 * S), 160 * S);
  });

  it('a session summary reports idle time, never more than the focused time', () => {
    let sess = createSession({ id: 'x', kind: 'work', minutes: 1, now: 0, windowId: 'a' });
    sess = { ...sess, idle: setWindowIdle(sess.idle, 'a', true, 0) };
    sess = pause(sess, 20 * S);
    sess = resume(sess, 1000 * S);
    const sum = finish(sess, 5000 * S, 'completed');
    assert.equal(sum.focusedMs, 60 * S);
    assert.equal(sum.idleMs, 60 * S);
  });
});
