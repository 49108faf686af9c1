import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ALL_COMMAND_IDS, COMMANDS } from '../../../src/editor/commandIds';

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8')) as {
  contributes: {
    commands: { command: string }[];
    keybindings: { command: string }[];
    menus: Record<string, { command: string }[]>;
  };
};

describe('command ids (src/editor/commandIds.ts)', () => {
  it('lists exactly the commands package.json declares', () => {
    const declared = manifest.contributes.commands.map((c) => c.command).sort();
    assert.deepEqual([...ALL_COMMAND_IDS].sort(), declared);
  });

  it('has no id twice and every id in the flowbench namespace', () => {
    assert.equal(new Set(ALL_COMMAND_IDS).size, ALL_COMMAND_IDS.length);
    for (const id of ALL_COMMAND_IDS) assert.match(id, /^flowbench(\.[a-z][a-zA-Z]*){1,2}$/);
    assert.equal(COMMANDS.focus.start, 'flowbench.focus.start');
  });

  it('is what every keybinding and menu entry names', () => {
    const known = new Set<string>(ALL_COMMAND_IDS);
    const used = [
      ...manifest.contributes.keybindings.map((k) => k.command),
      ...Object.values(manifest.contributes.menus).flatMap((entries) => entries.map((e) => e.command)),
    ];
    assert.deepEqual(
      used.filter((id) => !known.has(id)),
      [],
    );
  });
});
