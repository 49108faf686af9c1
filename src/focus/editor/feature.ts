import { COMMANDS } from '../../editor/commandIds';
import { runCommand } from '../../editor/commands';
import * as vscode from 'vscode';
import { focusSettings } from '../../editor/config';
import type { Feature, FeatureServices } from '../../editor/feature';
import { UserError } from '../../util/errors';
import type { EndOutcome } from '../controller';
import { disposeFocusLogView, showFocusLog } from './logView';
import { pickAction, pickBreakKind, pickDndState, pickExtension, pickLength } from './prompts';
import { FocusRuntime } from './runtime';
import { RuntimeSlot } from '../runtimeSlot';
import { type BreakKind, phase, validateMinutes } from '../session';
import { nextBreakKind } from '../state';
import { focusStateResult, withEnded } from '../stateResult';
import { markWalkthroughStep } from '../../editor/walkthrough';

import type { FocusStateResult } from '../stateResult';

export type { FocusStateResult };

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** What the focus feature offers scripts, tests and other extensions through Flowbench's exports. */
export interface FocusApi {
  /** The session state, as every focus command returns it. */
  state(): Promise<FocusStateResult>;
  /** Development and test hosts only: shift the clock, and/or simulate a window reload ({reload: true}). */
  testHook?(args: { clockOffsetMs?: number; reload?: boolean }): Promise<FocusStateResult & { startup: string | null }>;
}

/** The focus commands. Each takes its answers from `args` when given, else asks (prompts.ts). */
export function focusFeature(services: FeatureServices): Feature<FocusApi> {
  const { context } = services;
  const endChoices = {
    startBreak: () => runCommand(COMMANDS.focus.startBreak),
    startSession: () => runCommand(COMMANDS.focus.start),
  };
  const slot = new RuntimeSlot(
    (clock) => {
      const r = new FocusRuntime(services, clock);
      r.endChoices = endChoices;
      return r;
    },
    (err) => services.log.error(`focus: startup failed: ${(err as Error)?.stack ?? err}`),
  );
  context.subscriptions.push({ dispose: () => slot.dispose() }, { dispose: disposeFocusLogView });
  const rt = () => slot.get();

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

  /** `zen`: the session runs in Zen mode (the "in Zen Mode" command, or started while the window is in Zen). */
  async function start(args?: Record<string, unknown>, zen = args?.inZenMode === true) {
    const r = await rt();
    await r.refresh();
    const live = r.state?.session;
    const interactive = args?.minutes === undefined;
    if (interactive && live && phase(live, r.clock()) !== 'ended') {
      void vscode.window.showInformationMessage('Flowbench: a focus session is already running.');
      await runCommand(COMMANDS.focus.actions);
      return { ...stateResult(r), joined: true, ended: null };
    }
    let minutes: number;
    let intent: string;
    let custom: number | null = null;
    if (!interactive) {
      minutes = validateMinutes(args?.minutes, 'minutes');
      intent = str(args?.intent) ?? '';
    } else {
      const intentDefault = str(args?.intentDefault) ?? str(args?.intent) ?? '';
      const p = await pickLength(focusSettings().defaultMinutes, intentDefault, r.state?.lastCustomMinutes ?? null);
      ({ minutes, intent, custom } = p);
    }
    const out = await r.start({ kind: 'work', minutes, intent, customMinutes: custom }, true, zen);
    if (out.joined) services.log.info('focus: a session was already running in another window; joined it');
    markWalkthroughStep('focus');
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
      if (args.kind !== 'short' && args.kind !== 'long') {
        throw new UserError(`kind must be 'short' or 'long', got ${JSON.stringify(args.kind)}`);
      }
      kind = args.kind;
    } else if (args?.minutes !== undefined) {
      kind = 'short';
    } else {
      kind = await pickBreakKind(st.breakMinutes, st.longBreakMinutes, suggested);
    }
    const minutes =
      args?.minutes !== undefined
        ? validateMinutes(args.minutes, 'minutes')
        : kind === 'long'
          ? st.longBreakMinutes
          : st.breakMinutes;
    const out = await r.start({ kind: 'break', breakKind: kind, minutes }, false);
    return withEnded(stateResult(r), out.ended ?? stopped, { joined: out.joined });
  }

  async function extend(args?: Record<string, unknown>) {
    const r = await rt();
    const minutes = args?.minutes !== undefined ? validateMinutes(args.minutes, 'minutes', 240) : await pickExtension();
    await r.controller.extend(minutes);
    r.clearHighlight();
    await r.refresh();
    return stateResult(r);
  }

  async function actions() {
    const r = await rt();
    await r.refresh();
    r.clearHighlight();
    const pick = await pickAction(r.state?.session ?? null, r.clock());
    if (!pick) return stateResult(r);
    return runCommand(pick.command, pick.args);
  }

  async function dnd(args?: Record<string, unknown>) {
    const r = await rt();
    const on = typeof args?.on === 'boolean' ? args.on : await pickDndState();
    await r.controller.reportUserDnd(on);
    await r.refresh();
    return stateResult(r);
  }

  const commands: Feature['commands'] = {
    [COMMANDS.focus.start]: (args) => start(args),
    [COMMANDS.focus.startInZen]: (args) => start(args, true),
    [COMMANDS.focus.pause]: async () => {
      const r = await rt();
      await r.controller.togglePause();
      r.clearHighlight();
      await r.refresh();
      return stateResult(r);
    },
    [COMMANDS.focus.extend]: extend,
    [COMMANDS.focus.stop]: async (args) => {
      const r = await rt();
      const outcome = str(args?.outcome) ?? null;
      // Stopped by hand (no outcome given): the outcome is asked at once.
      const ended = await r.stop(outcome, true, outcome === null && args?.quiet !== true);
      if (!ended) throw new UserError('no focus session is running');
      return withEnded(stateResult(r), ended, {});
    },
    [COMMANDS.focus.startBreak]: startBreak,
    [COMMANDS.focus.showLog]: async () => {
      const r = await rt();
      return showFocusLog(r.logFile(), r.clock(), services.log, services.context.extensionUri);
    },
    [COMMANDS.focus.actions]: actions,
    [COMMANDS.focus.dnd]: dnd,
  };

  const api: FocusApi = {
    state: async () => {
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
    api.testHook = async (args) => {
      const offset = typeof args?.clockOffsetMs === 'number' ? args.clockOffsetMs : undefined;
      let startup: { action: string } | null = null;
      if (args?.reload === true) startup = await slot.reload(offset);
      else if (offset !== undefined) slot.moveClock(offset);
      const r = await rt();
      await r.refresh();
      return { ...stateResult(r), startup: startup?.action ?? null };
    };
  }
  return { commands, api };
}
