import assert from 'node:assert/strict';
import {
  type KeyValueStore,
  silencePlan,
  ZEN_RESTORE_KEY,
  ZEN_SESSION_KEY,
  ZenMode,
  type ZenPorts,
} from '../../../src/focus/zen';

class MapStore implements KeyValueStore {
  readonly map = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.map.get(key) as T | undefined;
  }
  async update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.map.delete(key);
    else this.map.set(key, value);
  }
}

/** A fake VS Code: the user's global zenMode.hideStatusBar (undefined: unset, default true) and the commands run. */
function fakeVscode(userValue: boolean | undefined) {
  const calls: string[] = [];
  const warnings: string[] = [];
  const env = { user: userValue, failCommand: null as string | null };
  const ports: ZenPorts = {
    workspaceState: new MapStore(),
    globalState: new MapStore(),
    hidesStatusBar: () => env.user !== false,
    userHideStatusBar: () => env.user,
    setUserHideStatusBar: async (v) => {
      calls.push(`set hideStatusBar ${v}`);
      env.user = v;
    },
    command: async (id) => {
      if (id === env.failCommand) throw new Error(`${id} failed`);
      calls.push(id);
    },
    warn: (m) => warnings.push(m),
  };
  return { ports, calls, warnings, env };
}

describe('focus Zen mode', () => {
  for (const user of [undefined, true] as const) {
    it(`keeps the timer visible in Zen and restores hideStatusBar (${user ?? 'unset'}) at the end`, async () => {
      const f = fakeVscode(user);
      const zen = new ZenMode(f.ports);
      await zen.enter('s1');
      const enterCalls = ['set hideStatusBar false', 'workbench.action.exitZenMode', 'workbench.action.toggleZenMode'];
      assert.deepEqual(f.calls, enterCalls);
      assert.equal(f.ports.workspaceState.get(ZEN_SESSION_KEY), 's1');
      assert.deepEqual(f.ports.globalState.get(ZEN_RESTORE_KEY), { hideStatusBar: user ?? null });
      f.calls.length = 0;
      await zen.reconcile('s1');
      assert.deepEqual(f.calls, [], 'the session is still live: stay in Zen');
      await zen.reconcile(null);
      assert.deepEqual(f.calls, ['workbench.action.exitZenMode', `set hideStatusBar ${user}`]);
      assert.equal(f.env.user, user);
      assert.equal(f.ports.workspaceState.get(ZEN_SESSION_KEY), undefined);
      assert.equal(f.ports.globalState.get(ZEN_RESTORE_KEY), undefined);
    });
  }

  it('leaves a hideStatusBar of false alone: nothing to change, nothing to restore', async () => {
    const f = fakeVscode(false);
    const zen = new ZenMode(f.ports);
    await zen.enter('s1');
    assert.deepEqual(f.calls, ['workbench.action.exitZenMode', 'workbench.action.toggleZenMode']);
    await zen.reconcile('s2');
    assert.deepEqual(f.calls.slice(2), ['workbench.action.exitZenMode'], 'another session is live: leave Zen');
    assert.equal(f.env.user, false);
  });

  it('a window that never entered Zen leaves Zen alone', async () => {
    const f = fakeVscode(undefined);
    await new ZenMode(f.ports).reconcile(null);
    assert.deepEqual(f.calls, []);
  });

  it('a failure warns and never throws; a failed leave is not retried on every refresh', async () => {
    const f = fakeVscode(undefined);
    const zen = new ZenMode(f.ports);
    f.env.failCommand = 'workbench.action.toggleZenMode';
    await zen.enter('s1');
    assert.match(f.warnings[0], /^focus: could not enter Zen mode: workbench.action.toggleZenMode failed$/);
    f.env.failCommand = 'workbench.action.exitZenMode';
    await zen.reconcile(null);
    assert.match(f.warnings[1], /^focus: could not leave Zen mode: /);
    f.calls.length = 0;
    f.env.failCommand = null;
    await zen.reconcile(null);
    assert.deepEqual(f.calls, []);
  });

  it('a session in Zen leaves Do Not Disturb to Zen, so Flowbench never toggles it off', () => {
    // The window is in Zen (Zen turned DND on): a blind toggle by Flowbench would turn it off.
    assert.deepEqual(silencePlan({ work: true, suppress: true, zen: true, zenSilences: true }), {
      enterZen: true,
      flowbenchDnd: false,
      silencedBy: 'zen',
    });
    // Zen set not to silence notifications: Flowbench's DND is the only one.
    assert.deepEqual(silencePlan({ work: true, suppress: true, zen: true, zenSilences: false }), {
      enterZen: true,
      flowbenchDnd: true,
      silencedBy: 'dnd',
    });
    assert.deepEqual(silencePlan({ work: true, suppress: true, zen: false, zenSilences: true }), {
      enterZen: false,
      flowbenchDnd: true,
      silencedBy: 'dnd',
    });
    assert.deepEqual(silencePlan({ work: false, suppress: true, zen: true, zenSilences: true }), {
      enterZen: false,
      flowbenchDnd: false,
      silencedBy: null,
    });
  });
});
