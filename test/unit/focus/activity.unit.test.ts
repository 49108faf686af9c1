import assert from 'node:assert/strict';
import { SLEEP_GAP_MS, SleepDetector, WindowIdle, windowInactive } from '../../../src/focus/activity';

function tracked(inactive = false) {
  const reports: boolean[] = [];
  const state = { inactive };
  const w = new WindowIdle({ inactive: () => state.inactive, changed: (idle) => reports.push(idle) });
  return { w, reports, state };
}

describe('focus window activity', () => {
  it('reads window.state.active, and focus on hosts without it', () => {
    assert.equal(windowInactive({ focused: true, active: false }), true);
    assert.equal(windowInactive({ focused: false, active: true }), false);
    assert.equal(windowInactive({ focused: false }), true);
    assert.equal(windowInactive({ focused: true }), false);
  });

  it('goes idle when the window turns inactive and back on editor activity, reporting each change once', () => {
    const { w, reports, state } = tracked();
    w.update();
    assert.deepEqual(reports, [], 'active and not idle: nothing to report');
    state.inactive = true;
    w.update();
    w.update();
    assert.deepEqual(reports, [true]);
    w.activity();
    w.activity();
    assert.deepEqual(reports, [true, false]);
    assert.equal(w.isIdle, false);
  });

  it('activity alone never makes the window idle again: that waits for the next inactive report', () => {
    const { w, reports } = tracked(true);
    w.activity();
    assert.deepEqual(reports, []);
  });

  it('a running task or terminal command keeps an inactive window busy until it ends', () => {
    const { w, reports, state } = tracked();
    w.taskStarted();
    w.commandStarted();
    state.inactive = true;
    w.update();
    assert.deepEqual(reports, []);
    w.taskEnded();
    assert.deepEqual(reports, [], 'the command still runs');
    w.commandEnded();
    assert.deepEqual(reports, [true]);
    w.commandStarted();
    assert.deepEqual(reports, [true, false], 'a started command is activity');
  });

  it('an end without a start (started before this window tracked it) does not go negative', () => {
    const { w, reports, state } = tracked(true);
    w.taskEnded();
    w.taskEnded();
    assert.deepEqual(reports, [true]);
    w.taskStarted();
    w.taskEnded();
    assert.deepEqual(reports, [true, false, true], 'one start is undone by one end');
    state.inactive = false;
    w.update();
    assert.deepEqual(reports, [true, false, true, false]);
  });

  it('a new session starts the flag over without reporting, so the next idle reaches it', () => {
    const { w, reports } = tracked(true);
    w.update();
    w.reset();
    assert.equal(w.isIdle, false);
    assert.deepEqual(reports, [true]);
    w.update();
    assert.deepEqual(reports, [true, true]);
  });
});

describe('focus sleep detection', () => {
  it('a tick much later than planned is a gap from the previous tick', () => {
    const d = new SleepDetector();
    assert.equal(d.tick(10_000, 1000), null, 'the first tick has nothing to be late against');
    assert.equal(d.tick(11_000, 1000), null);
    assert.equal(d.tick(12_000 + SLEEP_GAP_MS, 1000), null, 'just within the allowance');
    const last = 12_000 + SLEEP_GAP_MS;
    assert.deepEqual(d.tick(last + 3_600_000, 700), { from: last, to: last + 3_600_000 }, 'an hour asleep');
  });

  it('a stopped timer (pause, no session) restarts the chain', () => {
    const d = new SleepDetector();
    d.tick(10_000, 1000);
    d.reset();
    assert.equal(d.tick(10_000 + 600_000, 1000), null, 'ten paused minutes are not sleep');
    assert.notEqual(d.tick(10_000 + 700_000, 1000), null);
  });
});
