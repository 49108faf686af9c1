import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type FocusShared, type Transition } from '../../../src/focus/state';
import { FocusStateStore } from '../../../src/focus/store';

function bump(cur: FocusShared): Transition<number> {
  return {
    next: { ...cur, workSinceLongBreak: cur.workSinceLongBreak + 1 },
    effects: { dnd: null, ended: null, endedSession: null, started: null },
    result: cur.workSinceLongBreak + 1,
  };
}

describe('focus shared state store', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-focus-store-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('starts from the initial state and bumps the revision on each write', async () => {
    const s = new FocusStateStore(dir, { windowId: 'a' });
    assert.equal((await s.read()).rev, 0);
    const c = await s.update(bump);
    assert.equal(c.state.rev, 1);
    assert.equal(c.state.writer, 'a');
    assert.equal((await s.read()).workSinceLongBreak, 1);
  });

  it('serialises concurrent read-modify-write from several windows: no update is lost', async () => {
    const stores = ['a', 'b', 'c', 'd'].map((id) => new FocusStateStore(dir, { windowId: id }));
    await Promise.all(stores.flatMap((s) => Array.from({ length: 10 }, () => s.update(bump))));
    const final = await stores[0].read();
    assert.equal(final.workSinceLongBreak, 40);
    assert.equal(final.rev, 40);
    assert.equal(fs.existsSync(path.join(dir, 'focus-state.lock')), false, 'the lock is released');
  });

  it('breaks a stale lock left by a crashed window', async () => {
    const warnings: string[] = [];
    const s = new FocusStateStore(dir, { windowId: 'a', staleLockMs: 50, warn: (m) => warnings.push(m) });
    fs.writeFileSync(path.join(dir, 'focus-state.lock'), '{}');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(path.join(dir, 'focus-state.lock'), old, old);
    await s.update(bump);
    assert.match(warnings.join('\n'), /stale focus lock/);
  });

  it('gives up with a clear error when a live lock is held too long', async () => {
    const s = new FocusStateStore(dir, { windowId: 'a', lockTimeoutMs: 100 });
    fs.writeFileSync(path.join(dir, 'focus-state.lock'), '{}');
    await assert.rejects(s.update(bump), /could not lock the focus state/);
  });

  it('a corrupted state file falls back to a clean state with a warning', async () => {
    const warnings: string[] = [];
    fs.writeFileSync(path.join(dir, 'focus-state.json'), '{"rev": 3, "sess');
    const s = new FocusStateStore(dir, { windowId: 'a', warn: (m) => warnings.push(m) });
    assert.equal((await s.read()).session, null);
    assert.equal(warnings.length, 1);
  });

  it('a transition that throws leaves the state unchanged and the lock free', async () => {
    const s = new FocusStateStore(dir, { windowId: 'a' });
    await s.update(bump);
    await assert.rejects(
      s.update(() => {
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal((await s.read()).rev, 1);
    await s.update(bump);
    assert.equal((await s.read()).rev, 2);
  });
});
