import * as vscode from 'vscode';
import { focusSettings } from '../config';
import type { Feature, FeatureServices } from '../feature';
import { CancelledError, UserError } from '../util/errors';
import type { EndOutcome } from './controller';
import { focusDisplay } from './display';
import { disposeFocusLogView, showFocusLog } from './logView';
import { FocusRuntime } from './runtime';
import { type BreakKind, phase, validateMinutes } from './session';
import { nextBreakKind } from './state';
import { focusStateResult, withEnded } from './stateResult';

export type { FocusStateResult } from './stateResult';

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function focusFeature(services: FeatureServices): Feature {
  const { context } = services;
  let clockOffsetMs = 0;
  const clock = () => Date.now() + clockOffsetMs;
  let runtime = new FocusRuntime(services, clock);
  let ready = runtime.init();
  // Logged here (and so never an unhandled rejection); commands awaiting `ready` still see the failure.
  ready.catch((err) => services.log.error(`focus: startup failed: ${(err as Error)?.stack ?? err}`));
  const wire = (rt: FocusRuntime) => {
    rt.endChoices = {
      startBreak: () => vscode.commands.executeCommand('flowbench.focus.break'),
      startSession: () => vscode.commands.executeCommand('flowbench.focus.start'),
    };
  };
  wire(runtime);
  context.subscriptions.push({ dispose: () => runtime.dispose() }, { dispose: disposeFocusLogView });

  async function rt(): Promise<FocusRuntime> {
    await ready;
    return runtime;
  }

  function stateResult(r: FocusRuntime) {
    const { item } = r;
    return focusStateResult({
      state: r.state,
      now: r.clock(),
      statusBar: { id: item.id, name: item.name, text: item.text },
      dndToggles: r.controller.dndToggles,
      windowId: r.windowId,
      logFile: r.logFile(),
    });
  }

  /**
   * One quick pick for both questions: the typed text is the intent, the item is the length. Every item is
   * alwaysShow so typing never filters them, and the default length is first so Enter starts it.
   */
  async function pickLength(intentDefault: string, lastCustom: number | null): Promise<{ minutes: number; intent: string; custom: number | null }> {
    const st = focusSettings();
    const lengths = [st.defaultMinutes, 25, 50, 90].filter((m, i, a) => a.indexOf(m) === i);
    type Item = vscode.QuickPickItem & { minutes: number | null };
    const items: Item[] = lengths.map((m, i) => ({
      label: `$(target) ${m} minutes`,
      description: i === 0 ? 'default' : undefined,
      minutes: m,
      alwaysShow: true,
    }));
    if (lastCustom !== null && !lengths.includes(lastCustom)) {
      items.push({ label: `$(history) ${lastCustom} minutes`, description: 'last custom length', minutes: lastCustom, alwaysShow: true });
    }
    items.push({ label: '$(edit) Custom length…', minutes: null, alwaysShow: true });
    const qp = vscode.window.createQuickPick<Item>();
    qp.title = 'Start Focus Session';
    qp.placeholder = 'What is this session for? (optional: type it, then pick a length; Enter starts the default)';
    qp.items = items;
    qp.value = intentDefault;
    qp.activeItems = [items[0]];
    qp.matchOnDescription = false;
    const picked = await new Promise<{ item: Item; intent: string } | undefined>((resolve) => {
      qp.onDidAccept(() => {
        resolve({ item: qp.selectedItems[0] ?? qp.activeItems[0] ?? items[0], intent: qp.value });
        qp.hide();
      });
      qp.onDidHide(() => resolve(undefined));
      qp.show();
    });
    qp.dispose();
    if (!picked) throw new CancelledError();
    if (picked.item.minutes !== null) return { minutes: picked.item.minutes, intent: picked.intent, custom: null };
    const typed = await vscode.window.showInputBox({
      title: 'Focus session length (minutes)',
      value: String(lastCustom ?? st.defaultMinutes),
      validateInput: (v) => {
        try {
          validateMinutes(v, 'Length');
          return undefined;
        } catch (err) {
          return (err as Error).message;
        }
      },
    });
    if (typed === undefined) throw new CancelledError();
    const minutes = validateMinutes(typed, 'Length');
    return { minutes, intent: picked.intent, custom: minutes };
  }

  async function start(args?: Record<string, unknown>) {
    const r = await rt();
    await r.refresh();
    const live = r.state?.session;
    const interactive = args?.minutes === undefined;
    if (interactive && live && phase(live, r.clock()) !== 'ended') {
      void vscode.window.showInformationMessage('Flowbench: a focus session is already running.');
      await vscode.commands.executeCommand('flowbench.focus.actions');
      return { ...stateResult(r), joined: true, ended: null };
    }
    let minutes: number;
    let intent: string;
    let custom: number | null = null;
    if (!interactive) {
      minutes = validateMinutes(args?.minutes, 'minutes');
      intent = str(args?.intent) ?? '';
    } else {
      const p = await pickLength(str(args?.intentDefault) ?? str(args?.intent) ?? '', r.state?.lastCustomMinutes ?? null);
      ({ minutes, intent, custom } = p);
    }
    const out = await r.start({ kind: 'work', minutes, intent, customMinutes: custom });
    if (out.joined) services.log.info('focus: a session was already running in another window; joined it');
    return withEnded(stateResult(r), out.ended, { joined: out.joined });
  }

  async function startBreak(args?: Record<string, unknown>) {
    const r = await rt();
    await r.refresh();
    const st = focusSettings();
    let stopped: EndOutcome | null = null;
    const live = r.state?.session;
    if (live && live.kind === 'work' && phase(live, r.clock()) !== 'ended') stopped = await r.stop(null, false);
    let kind: BreakKind;
    const suggested = r.state ? nextBreakKind(r.state, st.longBreakEvery) : 'short';
    if (args?.kind !== undefined) {
      if (args.kind !== 'short' && args.kind !== 'long') throw new UserError(`kind must be 'short' or 'long', got ${JSON.stringify(args.kind)}`);
      kind = args.kind;
    } else if (args?.minutes !== undefined) {
      kind = 'short';
    } else {
      // Not `kind`: QuickPickItem.kind means separator/default.
      const items: (vscode.QuickPickItem & { breakKind: BreakKind })[] = (['short', 'long'] as const).map((k) => ({
        label: k === 'short' ? `$(coffee) Short break (${st.breakMinutes} min)` : `$(coffee) Long break (${st.longBreakMinutes} min)`,
        description: k === suggested ? 'suggested' : undefined,
        breakKind: k,
      }));
      if (suggested === 'long') items.reverse();
      const pick = await vscode.window.showQuickPick(items, { title: 'Start a break' });
      if (!pick) throw new CancelledError();
      kind = pick.breakKind;
    }
    const minutes = args?.minutes !== undefined ? validateMinutes(args.minutes, 'minutes') : kind === 'long' ? st.longBreakMinutes : st.breakMinutes;
    const out = await r.start({ kind: 'break', breakKind: kind, minutes }, false);
    return withEnded(stateResult(r), out.ended ?? stopped, { joined: out.joined });
  }

  async function extend(args?: Record<string, unknown>) {
    const r = await rt();
    let minutes: number;
    if (args?.minutes !== undefined) minutes = validateMinutes(args.minutes, 'minutes', 240);
    else {
      const pick = await vscode.window.showQuickPick(
        [5, 15].map((m) => ({ label: `$(add) ${m} minutes`, minutes: m })),
        { title: 'Extend the focus session' },
      );
      if (!pick) throw new CancelledError();
      minutes = pick.minutes;
    }
    await r.controller.extend(minutes);
    r.clearHighlight();
    await r.refresh();
    return stateResult(r);
  }

  async function actions() {
    const r = await rt();
    await r.refresh();
    r.clearHighlight();
    const s = r.state?.session;
    const p = s ? phase(s, r.clock()) : 'idle';
    const items: (vscode.QuickPickItem & { command: string; args?: Record<string, unknown> })[] = [];
    if (p === 'running' || p === 'paused') {
      items.push({ label: p === 'paused' ? '$(debug-continue) Resume' : '$(debug-pause) Pause', command: 'flowbench.focus.pause' });
      items.push({ label: '$(add) Extend by 5 minutes', command: 'flowbench.focus.extend', args: { minutes: 5 } });
      items.push({ label: '$(add) Extend by 15 minutes', command: 'flowbench.focus.extend', args: { minutes: 15 } });
      items.push({ label: '$(debug-stop) Stop', command: 'flowbench.focus.stop' });
      if (s?.kind === 'work') items.push({ label: '$(coffee) Stop and take a break', command: 'flowbench.focus.break' });
    } else {
      items.push({ label: '$(target) Start focus session', command: 'flowbench.focus.start' });
      items.push({ label: '$(coffee) Start a break', command: 'flowbench.focus.break' });
    }
    items.push({ label: '$(graph) Show focus log', command: 'flowbench.focus.showLog' });
    items.push({ label: '$(bell-slash) Tell Flowbench whether Do Not Disturb is on…', command: 'flowbench.focus.dnd' });
    const pick = await vscode.window.showQuickPick(items, { title: s ? focusDisplay(s, r.clock()).tooltip.split('\n')[0] : 'Flowbench Focus' });
    if (!pick) return stateResult(r);
    return vscode.commands.executeCommand(pick.command, pick.args);
  }

  async function dnd(args?: Record<string, unknown>) {
    const r = await rt();
    let on: boolean;
    if (typeof args?.on === 'boolean') on = args.on;
    else {
      const pick = await vscode.window.showQuickPick(
        [
          { label: '$(bell-slash) Do Not Disturb is ON (I turned it on: Flowbench must leave it on)', on: true },
          { label: '$(bell) Do Not Disturb is OFF', on: false },
        ],
        { title: 'VS Code does not let extensions read Do Not Disturb: what does the bell in the status bar show?' },
      );
      if (!pick) throw new CancelledError();
      on = pick.on;
    }
    await r.controller.reportUserDnd(on);
    await r.refresh();
    return stateResult(r);
  }

  const commands: Feature['commands'] = {
    'flowbench.focus.start': start,
    'flowbench.focus.pause': async () => {
      const r = await rt();
      await r.controller.togglePause();
      r.clearHighlight();
      await r.refresh();
      return stateResult(r);
    },
    'flowbench.focus.extend': extend,
    'flowbench.focus.stop': async (args) => {
      const r = await rt();
      const ended = await r.stop(str(args?.outcome) ?? null, true);
      if (!ended) throw new UserError('no focus session is running');
      return withEnded(stateResult(r), ended, {});
    },
    'flowbench.focus.break': startBreak,
    'flowbench.focus.showLog': async () => {
      const r = await rt();
      return showFocusLog(r.logFile(), r.clock(), services.log);
    },
    'flowbench.focus.actions': actions,
    'flowbench.focus.dnd': dnd,
    // Not in package.json (no palette entry): the state object for tests and other extensions.
    'flowbench.focus.state': async () => {
      const r = await rt();
      await r.refresh();
      return stateResult(r);
    },
  };

  if (context.extensionMode !== vscode.ExtensionMode.Production) {
    /**
     * Test hook (development and test hosts only): shift the clock, and/or simulate a window reload by disposing the
     * runtime (session untouched, as a closing window leaves it) and building a new one that runs the startup
     * reconciliation against the persisted state.
     */
    commands['flowbench.focus._test'] = async (args) => {
      let startup: { action: string } | null = null;
      if (args?.reload === true) {
        await ready.catch(() => undefined);
        // Dispose before moving the clock, so the old window cannot see the jump (a closed window sees nothing).
        runtime.dispose();
        if (typeof args?.clockOffsetMs === 'number') clockOffsetMs = args.clockOffsetMs;
        runtime = new FocusRuntime(services, clock);
        wire(runtime);
        ready = runtime.init().then((s) => {
          startup = s;
          return s;
        });
        await ready;
      } else if (typeof args?.clockOffsetMs === 'number') clockOffsetMs = args.clockOffsetMs;
      const r = await rt();
      await r.refresh();
      return { ...stateResult(r), startup: (startup as { action: string } | null)?.action ?? null };
    };
  }
  return { commands };
}
