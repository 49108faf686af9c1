import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type FocusShared, type Transition } from '../../../src/focus/state';
import { FocusStateStore, isStateFileEvent } from '../../../src/focus/store';

function bump(cur: FocusShared): Transition<null> {
  return {
    next: { ...cur, workSinceLongBreak: cur.workSinceLongBreak + 1 },
    effects: { dnd: null, ended: null, endedSession: null, started: null },
    result: null,
  };
}

describe('focus state-file watch events', () => {
  const file = path.join('/g', 'focus-state.json');

  it('passes the state file and unnamed events, not the lock or temp files', () => {
    assert.equal(isStateFileEvent('focus-state.json', file), true);
    assert.equal(isStateFileEvent(null, file), true);
    assert.equal(isStateFileEvent('', file), true);
    assert.equal(isStateFileEvent('focus-state.lock', file), false);
    assert.equal(isStateFileEvent('.focus-state.json.123.abc.tmp', file), false);
    assert.equal(isStateFileEvent('focus.jsonl', file), false);
  });

  it("another window's write reaches a watcher of the store's folder through the filter", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-focus-watch-'));
    const store = new FocusStateStore(dir, { windowId: 'other' });
    const seen: string[] = [];
    const watcher = fs.watch(dir, (_e, name) => {
      if (isStateFileEvent(name === null ? null : String(name), store.file)) seen.push(String(name));
    });
    try {
      await store.update(bump);
      const deadline = Date.now() + 2000;
      while (seen.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.ok(seen.length > 0, 'the write was noticed');
    } finally {
      watcher.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
