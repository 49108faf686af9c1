import assert from 'node:assert/strict';
import {
  actionItems,
  actionsTitle,
  breakItems,
  dndItems,
  extendItems,
  lengthInputError,
  lengthItems,
} from '../../../src/focus/choices';
import { createSession } from '../../../src/focus/session';

const T0 = new Date(2026, 10, 26, 9, 30).getTime();

describe('focus quick-pick choices', () => {
  it('offers the default length first, then 25/50/90 without repeats, then a custom length', () => {
    const items = lengthItems(25, null);
    assert.deepEqual(
      items.map((i) => [i.label, i.minutes]),
      [
        ['$(target) 25 minutes', 25],
        ['$(target) 50 minutes', 50],
        ['$(target) 90 minutes', 90],
        ['$(edit) Custom length…', null],
      ],
    );
    assert.equal(items[0].description, 'default');
    assert.ok(
      items.every((i) => i.alwaysShow),
      'typing the intent never filters the lengths',
    );
    assert.deepEqual(
      lengthItems(40, null).map((i) => i.minutes),
      [40, 25, 50, 90, null],
    );
  });

  it('offers the last custom length unless it is already listed', () => {
    const items = lengthItems(25, 35);
    assert.equal(items[3].label, '$(history) 35 minutes');
    assert.equal(items[3].description, 'last custom length');
    assert.equal(lengthItems(25, 50).length, 4);
  });

  it('validates a typed custom length', () => {
    assert.equal(lengthInputError('45'), undefined);
    assert.match(lengthInputError('0') ?? '', /positive number/);
    assert.match(lengthInputError('soon') ?? '', /Length/);
  });

  it('puts the suggested break first', () => {
    const short = breakItems(5, 15, 'short');
    assert.deepEqual(
      short.map((i) => [i.label, i.breakKind, i.description]),
      [
        ['$(coffee) Short break (5 min)', 'short', 'suggested'],
        ['$(coffee) Long break (15 min)', 'long', undefined],
      ],
    );
    const long = breakItems(5, 20, 'long');
    assert.deepEqual(
      long.map((i) => [i.label, i.description]),
      [
        ['$(coffee) Long break (20 min)', 'suggested'],
        ['$(coffee) Short break (5 min)', undefined],
      ],
    );
  });

  it('extends by 5 or 15 minutes', () => {
    assert.deepEqual(
      extendItems().map((i) => i.minutes),
      [5, 15],
    );
  });

  it("offers a live session's actions, and ways to start one otherwise", () => {
    const commands = (p: Parameters<typeof actionItems>[0], k?: 'work' | 'break') =>
      actionItems(p, k).map((i) => i.command);
    const always = ['flowbench.focus.showLog', 'flowbench.focus.dnd'];
    const live = ['flowbench.focus.pause', 'flowbench.focus.extend', 'flowbench.focus.extend', 'flowbench.focus.stop'];
    assert.deepEqual(commands('running', 'work'), [...live, 'flowbench.focus.break', ...always]);
    assert.deepEqual(commands('paused', 'break'), [...live, ...always], 'a break offers no break');
    assert.deepEqual(commands('idle'), ['flowbench.focus.start', 'flowbench.focus.break', ...always]);
    assert.deepEqual(commands('ended', 'work'), commands('idle'));
    assert.equal(actionItems('paused', 'work')[0].label, '$(debug-continue) Resume');
    assert.equal(actionItems('running', 'work')[0].label, '$(debug-pause) Pause');
    assert.deepEqual(
      actionItems('running', 'work')
        .filter((i) => i.args)
        .map((i) => i.args),
      [{ minutes: 5 }, { minutes: 15 }],
    );
  });

  it('titles the actions with what the session is for', () => {
    const s = createSession({ id: 'a', kind: 'work', minutes: 25, intent: 'ablation', now: T0, windowId: 'w' });
    assert.equal(actionsTitle(s, T0), 'Focus session: ablation');
    assert.equal(actionsTitle(null, T0), 'Flowbench Focus');
  });

  it('asks which way DND is, ON first', () => {
    assert.deepEqual(
      dndItems().map((i) => i.on),
      [true, false],
    );
  });
});
