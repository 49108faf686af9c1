import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';

/**
 * Focus sessions in a real VS Code. DND cannot be read through any API (the status-bar bell shows it to users and to
 * the UI test), so these tests assert on Flowbench's own DND record and on how many times this window issued the
 * real notifications.toggleDoNotDisturbMode: toggles are counted by the runtime that issued them.
 */

interface FocusState {
  phase: string;
  remainingMs: number;
  text: string;
  statusBar: { id: string; name: string; text: string };
  session: { id: string; intent: string; pausedAt: number | null; plannedMs: number; zen: boolean } | null;
  dnd: { belief: string; pending: unknown };
  dndTogglesThisWindow: number;
  logFile: string;
  startup?: string | null;
  joined?: boolean;
  ended?: {
    summary: { focusedMs: number; endedBy: string };
    record: { intent: string; focusedMin: number } | null;
  } | null;
}

const run = <T = FocusState>(id: string, args?: Record<string, unknown>) => vscode.commands.executeCommand<T>(id, args);
/** The focus part of Flowbench's exports (state for scripts; a clock and reload hook in test hosts). */
interface FocusApi {
  state(): Promise<FocusState>;
  testHook(args: { clockOffsetMs?: number; reload?: boolean }): Promise<FocusState>;
}
const api = (): FocusApi =>
  (vscode.extensions.getExtension('flowbench.flowbench')!.exports as { focus: FocusApi }).focus;
const state = () => api().state();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function lastLogLine(file: string): Record<string, unknown> {
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

async function reset(): Promise<void> {
  await api().testHook({ clockOffsetMs: 0 });
  const s = await state();
  if (s.session) await run('flowbench.focus.stop', { outcome: 'test cleanup' });
}

describe('Flowbench focus sessions', function () {
  this.timeout(60_000);

  before(async () => {
    await vscode.extensions.getExtension('flowbench.flowbench')!.activate();
    await reset();
    const s = await state();
    assert.equal(s.dnd.belief, 'off', 'the suite starts with DND off by Flowbench record');
  });
  afterEach(reset);

  it('starts from a command with args: the status bar counts down and DND is switched on', async () => {
    const before = await state();
    assert.equal(before.statusBar.id, 'flowbench.focus');
    assert.equal(before.statusBar.name, 'Flowbench Focus');
    const s = await run('flowbench.focus.start', { minutes: 25, intent: 'integration run' });
    assert.equal(s.phase, 'running');
    assert.equal(s.session?.intent, 'integration run');
    assert.match(s.statusBar.text, /^\$\(target\) (25:00|24:5\d)$/);
    assert.equal(s.dnd.belief, 'on-flowbench');
    assert.equal(s.dnd.pending, null);
    assert.equal(s.dndTogglesThisWindow - before.dndTogglesThisWindow, 1, 'one real DND toggle');
    await sleep(2200);
    const later = await state();
    assert.notEqual(later.statusBar.text, s.statusBar.text, 'the countdown moved');
    assert.ok(later.remainingMs < s.remainingMs - 1500);
  });

  it('stop switches DND back off and appends the session to the focus log', async () => {
    const s0 = await run('flowbench.focus.start', { minutes: 50, intent: 'stop me' });
    const s = await run('flowbench.focus.stop', { outcome: 'stopped by test' });
    assert.equal(s.phase, 'idle');
    assert.equal(s.dnd.belief, 'off');
    assert.equal(s.dndTogglesThisWindow - s0.dndTogglesThisWindow, 1);
    assert.equal(s.statusBar.text.includes(':'), false, 'no countdown once stopped');
    const rec = lastLogLine(s.logFile);
    assert.equal(rec.intent, 'stop me');
    assert.equal(rec.outcome, 'stopped by test');
    assert.equal(rec.endedBy, 'stopped');
    assert.equal(rec.plannedMin, 50);
  });

  it('pause shows "paused" and freezes the time; resume and extend', async () => {
    await run('flowbench.focus.start', { minutes: 25 });
    const p = await run('flowbench.focus.pause');
    assert.equal(p.phase, 'paused');
    assert.match(p.statusBar.text, /paused$/);
    await sleep(1200);
    assert.equal((await state()).remainingMs, p.remainingMs, 'frozen while paused');
    const r = await run('flowbench.focus.pause');
    assert.equal(r.phase, 'running');
    const e = await run('flowbench.focus.extend', { minutes: 5 });
    assert.equal(e.session?.plannedMs, 30 * 60_000);
    assert.match(e.statusBar.text, /^\$\(target\) (30:00|29:5\d)$/);
    await assert.rejects(Promise.resolve(run('flowbench.focus.extend', { minutes: -3 })), /positive number/);
  });

  it('a window reload mid-session keeps the session and the DND record', async () => {
    const s = await run('flowbench.focus.start', { minutes: 25, intent: 'survive reload' });
    const r = await api().testHook({ reload: true });
    assert.equal(r.startup, 'continue');
    assert.equal(r.session?.id, s.session?.id);
    assert.equal(r.phase, 'running');
    assert.equal(r.dnd.belief, 'on-flowbench');
    assert.equal(r.dndTogglesThisWindow, 0, 'the reloaded window did not toggle DND again');
    assert.match(r.statusBar.text, /^\$\(target\) (25:00|24:\d\d)$/);
    const stopped = await run('flowbench.focus.stop');
    assert.equal(stopped.dndTogglesThisWindow, 1, 'the reloaded window restores DND at the end');
    assert.equal(stopped.dnd.belief, 'off');
  });

  it('a session that ended while VS Code was closed is closed out on the next start with DND restored', async () => {
    const s = await run('flowbench.focus.start', { minutes: 1, intent: 'ended while closed' });
    assert.equal(s.dnd.belief, 'on-flowbench');
    // "Close" the window, let two hours pass, "open" it again.
    const r = await api().testHook({ reload: true, clockOffsetMs: 2 * 60 * 60_000 });
    assert.equal(r.startup, 'closed-out');
    assert.equal(r.phase, 'idle');
    assert.equal(r.dnd.belief, 'off');
    assert.equal(r.dndTogglesThisWindow, 1);
    const rec = lastLogLine(r.logFile);
    assert.equal(rec.intent, 'ended while closed');
    assert.equal(rec.endedBy, 'closed-while-away');
    assert.equal(rec.focusedMin, 1, 'ended at its scheduled end, not two hours later');
  });

  it("the user's own DND survives a session", async () => {
    await vscode.commands.executeCommand('notifications.toggleDoNotDisturbMode'); // the user turns DND on
    try {
      await run('flowbench.focus.dnd', { on: true });
      const before = await state();
      const s = await run('flowbench.focus.start', { minutes: 25 });
      assert.equal(s.dnd.belief, 'on-user');
      const e = await run('flowbench.focus.stop');
      assert.equal(e.dnd.belief, 'on-user');
      assert.equal(e.dndTogglesThisWindow, before.dndTogglesThisWindow, 'Flowbench never toggled DND');
    } finally {
      await vscode.commands.executeCommand('notifications.toggleDoNotDisturbMode');
      await run('flowbench.focus.dnd', { on: false });
    }
  });

  it('two starts at the same moment end with one session and one DND toggle', async () => {
    const before = await state();
    const [a, b] = await Promise.all([
      run('flowbench.focus.start', { minutes: 25, intent: 'a' }),
      run('flowbench.focus.start', { minutes: 50, intent: 'b' }),
    ]);
    assert.equal(a.session?.id, b.session?.id);
    assert.deepEqual([a.joined, b.joined].sort(), [false, true]);
    assert.equal((await state()).dndTogglesThisWindow - before.dndTogglesThisWindow, 1);
  });

  it('a break runs without DND; bad input is refused with a clear error', async () => {
    const b = await run('flowbench.focus.break', { kind: 'long' });
    assert.match(b.statusBar.text, /^\$\(coffee\) 15:00|^\$\(coffee\) 14:5\d/);
    assert.equal(b.dnd.belief, 'off');
    await assert.rejects(Promise.resolve(run('flowbench.focus.break', { kind: 'lunch' })), /'short' or 'long'/);
    await run('flowbench.focus.stop');
    await assert.rejects(Promise.resolve(run('flowbench.focus.start', { minutes: 0 })), /positive number/);
    // An empty args object: without args the registry only shows the error (interactive use) and resolves.
    await assert.rejects(Promise.resolve(run('flowbench.focus.pause', {})), /no focus session/);
  });

  it('with Zen mode chosen, the timer stays visible in Zen and the setting is restored when the session ends', async () => {
    const G = vscode.ConfigurationTarget.Global;
    const hideStatusBar = () =>
      vscode.workspace.getConfiguration('zenMode').inspect<boolean>('hideStatusBar')?.globalValue;
    const before = hideStatusBar();
    await vscode.workspace.getConfiguration('flowbench.focus').update('zenMode', true, G);
    try {
      const before0 = await state();
      const s = await run('flowbench.focus.start', { minutes: 25 });
      assert.equal(s.session?.zen, true);
      // Zen silences notifications itself (zenMode.silentNotifications): Flowbench leaves DND to it, never toggling.
      assert.equal(s.dnd.belief, 'off');
      assert.equal(s.dndTogglesThisWindow, before0.dndTogglesThisWindow);
      assert.equal(
        vscode.workspace.getConfiguration('zenMode').get('hideStatusBar'),
        false,
        'Zen keeps the status bar',
      );
      const e = await run('flowbench.focus.stop', { outcome: 'zen test' });
      assert.equal(hideStatusBar(), before, 'the user setting is back');
      assert.equal(e.dndTogglesThisWindow, before0.dndTogglesThisWindow, 'nor at the end: Zen restores DND');
    } finally {
      await vscode.workspace.getConfiguration('flowbench.focus').update('zenMode', undefined, G);
      await vscode.commands.executeCommand('workbench.action.exitZenMode');
    }
  });

  it('shows the focus log with per-day minutes for 14 days', async () => {
    await run('flowbench.focus.start', { minutes: 5, intent: 'for the log' });
    await run('flowbench.focus.stop');
    const r = await run<{ logFile: string; sessions: number; stats: { days: { minutes: number }[] } }>(
      'flowbench.focus.showLog',
    );
    assert.equal(r.stats.days.length, 14);
    assert.ok(r.sessions >= 1);
    assert.ok(r.logFile.endsWith('focus.jsonl'));
  });
});
