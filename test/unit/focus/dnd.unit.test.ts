import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FocusController } from '../../../src/focus/controller';
import { initialDnd, planDndOff, planDndOn, resolvePending, userReportsDnd } from '../../../src/focus/dnd';
import { FocusStateStore } from '../../../src/focus/store';

const MIN = 60_000;

/** Stands in for VS Code's app-wide DND: a blind toggle whose state only the test can see. */
class FakeDnd {
  on = false;
  toggles = 0;
  toggle = async () => {
    this.on = !this.on;
    this.toggles++;
  };
}

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'fb-focus-dnd-'));
}

function window(dir: string, id: string, dnd: FakeDnd, clock: { now: number }) {
  const store = new FocusStateStore(dir, { windowId: id, clock: () => clock.now });
  return new FocusController(store, id, () => clock.now, {
    toggleDnd: dnd.toggle,
    warn: () => undefined,
    info: () => undefined,
  });
}

describe('focus DND decisions (pure)', () => {
  it('turns DND on only when its record says off, writing the intent first', () => {
    const step = planDndOn(initialDnd, 's1', 5);
    assert.equal(step.toggle, true);
    assert.deepEqual(step.intent.pending, { action: 'on', sessionId: 's1', at: 5 });
    assert.equal(step.intent.belief, 'off', 'the intent is written while DND is still off');
    assert.deepEqual(step.done, { belief: 'on-flowbench', sessionId: 's1', pending: null });
  });

  it('never toggles a DND the user turned on, at start or at end', () => {
    const user = userReportsDnd(initialDnd, true);
    assert.equal(planDndOn(user, 's1', 0).toggle, false);
    assert.equal(planDndOff(user, 0).toggle, false);
    assert.equal(planDndOff(user, 0).done.belief, 'on-user');
  });

  it('a DND left on by Flowbench is taken over by the next session without a toggle', () => {
    const step = planDndOn({ belief: 'on-flowbench', sessionId: 'old', pending: null }, 'new', 0);
    assert.equal(step.toggle, false);
    assert.equal(step.done.sessionId, 'new');
  });

  it('turns DND off only when Flowbench turned it on', () => {
    assert.equal(planDndOff(initialDnd, 0).toggle, false);
    const off = planDndOff({ belief: 'on-flowbench', sessionId: 's', pending: null }, 0);
    assert.equal(off.toggle, true);
    assert.equal(off.intent.pending?.action, 'off');
    assert.equal(off.done.belief, 'off');
  });

  it('a pending intent found after a crash is assumed carried out', () => {
    assert.equal(
      resolvePending({ belief: 'off', sessionId: null, pending: { action: 'on', sessionId: 's', at: 0 } }).belief,
      'on-flowbench',
    );
    assert.equal(
      resolvePending({ belief: 'on-flowbench', sessionId: 's', pending: { action: 'off', sessionId: 's', at: 0 } })
        .belief,
      'off',
    );
  });
});

describe('focus DND reconciliation table (controller, fake DND, shared store)', () => {
  let dir: string;
  beforeEach(() => {
    dir = tmpDir();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('plain session: DND on at start, off at stop', async () => {
    const dnd = new FakeDnd();
    const clock = { now: 1_000_000 };
    const w = window(dir, 'w1', dnd, clock);
    await w.start({ kind: 'work', minutes: 25, suppress: true, logFile: null, workspaceDir: null });
    assert.equal(dnd.on, true);
    assert.equal((await w.read()).dnd.belief, 'on-flowbench');
    clock.now += 5 * MIN;
    const ended = await w.stop();
    assert.equal(ended?.summary.focusedMs, 5 * MIN);
    assert.equal(dnd.on, false);
    assert.deepEqual((await w.read()).dnd, initialDnd);
  });

  it('suppression off: DND is never touched', async () => {
    const dnd = new FakeDnd();
    const w = window(dir, 'w1', dnd, { now: 0 });
    await w.start({ kind: 'work', minutes: 25, suppress: false, logFile: null, workspaceDir: null });
    await w.stop();
    assert.equal(dnd.toggles, 0);
  });

  it("user's DND on before the start survives the session", async () => {
    const dnd = new FakeDnd();
    await dnd.toggle(); // the user's own DND
    const w = window(dir, 'w1', dnd, { now: 0 });
    await w.reportUserDnd(true);
    await w.start({ kind: 'work', minutes: 25, suppress: true, logFile: null, workspaceDir: null });
    await w.stop();
    assert.equal(dnd.on, true);
    assert.equal(dnd.toggles, 1, 'only the user toggled');
    assert.equal((await w.read()).dnd.belief, 'on-user');
  });

  it('the user turning DND off mid-session and telling Flowbench: the end does not turn it back on', async () => {
    const dnd = new FakeDnd();
    const w = window(dir, 'w1', dnd, { now: 0 });
    await w.start({ kind: 'work', minutes: 25, suppress: true, logFile: null, workspaceDir: null });
    await dnd.toggle();
    await w.reportUserDnd(false);
    await w.stop();
    assert.equal(dnd.on, false);
  });

  it('crash mid-session, reopened while still running: the session continues and DND stays on', async () => {
    const dnd = new FakeDnd();
    const clock = { now: 0 };
    const w1 = window(dir, 'w1', dnd, clock);
    const { session } = await w1.start({
      kind: 'work',
      minutes: 25,
      suppress: true,
      logFile: null,
      workspaceDir: null,
    });
    // w1 vanishes without any cleanup; a new window (same profile) starts 10 minutes later.
    clock.now = 10 * MIN;
    const w2 = window(dir, 'w2', dnd, clock);
    const r = await w2.startup();
    assert.equal(r.action, 'continue');
    assert.equal(r.state.session?.id, session.id);
    assert.equal(dnd.on, true);
    assert.equal(dnd.toggles, 1);
  });

  it('session ended while VS Code was closed: closed out at its scheduled end and DND restored', async () => {
    const dnd = new FakeDnd();
    const clock = { now: 0 };
    const logFile = path.join(dir, 'focus.jsonl');
    const w1 = window(dir, 'w1', dnd, clock);
    await w1.start({ kind: 'work', minutes: 25, intent: 'x', suppress: true, logFile, workspaceDir: null });
    clock.now = 3 * 60 * MIN;
    const w2 = window(dir, 'w2', dnd, clock);
    const r = await w2.startup();
    assert.equal(r.action, 'closed-out');
    assert.equal(r.ended?.summary.endedAt, 25 * MIN);
    assert.equal(r.ended?.summary.endedBy, 'closed-while-away');
    assert.equal(dnd.on, false);
    assert.equal((await w2.read()).session, null);
    const lines = fs.readFileSync(logFile, 'utf8').trim().split('\n');
    assert.equal(lines.length, 1);
    assert.equal(JSON.parse(lines[0]).focusedMin, 25);
    // A second window starting afterwards has nothing left to do.
    const again = await window(dir, 'w3', dnd, clock).startup();
    assert.equal(again.action, 'none');
    assert.equal(dnd.toggles, 2);
  });

  it('crash between writing the intent and finishing: startup resolves the pending intent, then restores', async () => {
    const dnd = new FakeDnd();
    const clock = { now: 0 };
    const store = new FocusStateStore(dir, { windowId: 'w1' });
    // The record a crash right after the toggle-on leaves behind (toggle done, `done` never written).
    await store.update((cur) => ({
      next: { ...cur, dnd: { belief: 'off', sessionId: null, pending: { action: 'on', sessionId: 'gone', at: 0 } } },
      effects: { dnd: null, ended: null, endedSession: null, started: null },
      result: null,
    }));
    await dnd.toggle();
    const r = await window(dir, 'w2', dnd, clock).startup();
    assert.equal(r.action, 'restored-dnd');
    assert.equal(dnd.on, false);
  });

  it('two windows starting at the same moment end with one session and one DND toggle', async () => {
    const dnd = new FakeDnd();
    const clock = { now: 0 };
    const a = window(dir, 'a', dnd, clock);
    const b = window(dir, 'b', dnd, clock);
    const [ra, rb] = await Promise.all([
      a.start({ kind: 'work', minutes: 25, suppress: true, logFile: null, workspaceDir: null }),
      b.start({ kind: 'work', minutes: 50, suppress: true, logFile: null, workspaceDir: null }),
    ]);
    assert.equal(ra.session.id, rb.session.id, 'both windows act on the same session');
    assert.equal([ra.joined, rb.joined].filter(Boolean).length, 1, 'exactly one joined');
    assert.equal(dnd.toggles, 1);
    assert.equal(dnd.on, true);
    // Pausing in one pauses it for all; both expire attempts at the end commit once.
    await b.togglePause();
    assert.notEqual((await a.read()).session?.pausedAt, null);
    await a.togglePause();
    clock.now = 60 * 60 * MIN;
    const [ea, eb] = await Promise.all([a.expire(), b.expire()]);
    assert.equal([ea, eb].filter((e) => e !== null).length, 1, 'exactly one window ends it');
    assert.equal(dnd.on, false);
    assert.equal(dnd.toggles, 2);
  });

  it('starting while a session whose time is up was not closed yet closes it and keeps DND without toggling', async () => {
    const dnd = new FakeDnd();
    const clock = { now: 0 };
    const w = window(dir, 'w', dnd, clock);
    await w.start({ kind: 'work', minutes: 25, suppress: true, logFile: null, workspaceDir: null });
    clock.now = 26 * MIN;
    const r = await w.start({ kind: 'break', minutes: 5, suppress: true, logFile: null, workspaceDir: null });
    assert.equal(r.joined, false);
    assert.equal(r.ended?.summary.endedAt, 25 * MIN);
    assert.equal(dnd.toggles, 1);
    assert.equal((await w.read()).dnd.sessionId, r.session.id);
    assert.equal((await w.read()).workSinceLongBreak, 1);
  });
});
