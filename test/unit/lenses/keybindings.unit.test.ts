import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Keyboard first: every Flowbench keybinding is one chord under Ctrl+Alt+F, declared, unique, and clear of the
 * default bindings of VS Code and of the Jupyter extension.
 */

const ROOT = path.resolve(__dirname, '../../../..');

interface Keybinding {
  command: string;
  key: string;
  mac?: string;
  linux?: string;
  win?: string;
  when?: string;
}

interface Manifest {
  contributes: { commands: { command: string }[]; keybindings?: Keybinding[] };
}

export const CHORD_PREFIX = 'ctrl+alt+f';

/**
 * The when-clause conjuncts every chord must carry, each one switching the chord off where a VS Code default uses
 * Ctrl+Alt+F alone (an extension's chord would otherwise win there: extension bindings rank above built-in ones).
 */
export const CHORD_GUARDS = [
  '!(listFocus && listSupportsFind)',
  '!inDebugRepl',
  "focusedView != 'workbench.panel.repl.view'",
];

type Platform = 'linux' | 'win' | 'mac';

interface DefaultBinding {
  command: string;
  keys: Partial<Record<Platform, string>>;
  when: string;
  /** The conjunct of CHORD_GUARDS that keeps a chord away from this binding, or null when nothing can. */
  guard: string | null;
  source: string;
}

/**
 * Default bindings on Ctrl+Alt+F (Cmd+Alt+F on macOS, where VS Code's KeyMod.CtrlCmd is Cmd), read from
 * microsoft/vscode sources (2025–2026):
 * - src/vs/platform/list/browser/listService.ts: list.find, primary KeyMod.CtrlCmd | KeyMod.Alt | KeyCode.KeyF,
 *   when RawWorkbenchListFocusContextKey && WorkbenchListSupportsFind (Explorer and other trees: find in tree).
 * - src/vs/workbench/contrib/debug/browser/repl.ts: repl.action.find, same key, when inDebugRepl ||
 *   focusedView == 'workbench.panel.repl.view'; list.find.replInputFocus, same key, when view == the REPL view.
 * - src/vs/editor/contrib/find/browser/findController.ts: editor.action.startFindReplaceAction (Replace),
 *   primary Ctrl+H, mac KeyMod.CtrlCmd | KeyMod.Alt | KeyCode.KeyF: Cmd+Alt+F is Replace in every macOS editor, so
 *   no guard can free it and the chord must not use it on macOS (hence Ctrl+Alt+F there too).
 * Checked against the workbench VS Code 1.139.1 ships (code-server 4.139.1, out/vs/code/browser/workbench/workbench.js):
 * list.find and repl.action.find carry primary 2596 (= CtrlCmd 2048 | Alt 512 | KeyF 36) with the when clauses above,
 * and its when-clause parser reads `!( … )` (a negated parenthesised expression), which CHORD_GUARDS relies on.
 * The Jupyter extension (microsoft/vscode-jupyter package.json, contributes.keybindings, 2023.9 and later) binds
 * shift/ctrl/alt+enter, the Ctrl+; chord (s b a x u d m c), ctrl+alt+[ ] \ and ctrl+alt+shift+[ ] \ and
 * ctrl+alt+shift+enter / f10 / ctrl+r: nothing on Ctrl+Alt+F; its first chord parts are listed below so a future
 * Flowbench prefix is checked against them too.
 */
const DEFAULTS: DefaultBinding[] = [
  {
    command: 'list.find',
    keys: { linux: 'ctrl+alt+f', win: 'ctrl+alt+f', mac: 'cmd+alt+f' },
    when: 'listFocus && listSupportsFind',
    guard: '!(listFocus && listSupportsFind)',
    source: 'vscode listService.ts',
  },
  {
    command: 'repl.action.find',
    keys: { linux: 'ctrl+alt+f', win: 'ctrl+alt+f', mac: 'cmd+alt+f' },
    when: "inDebugRepl || focusedView == 'workbench.panel.repl.view'",
    guard: '!inDebugRepl',
    source: 'vscode debug/browser/repl.ts',
  },
  {
    command: 'list.find.replInputFocus',
    keys: { linux: 'ctrl+alt+f', win: 'ctrl+alt+f', mac: 'cmd+alt+f' },
    when: "view == 'workbench.panel.repl.view'",
    guard: "focusedView != 'workbench.panel.repl.view'",
    source: 'vscode debug/browser/repl.ts',
  },
  {
    command: 'editor.action.startFindReplaceAction',
    keys: { mac: 'cmd+alt+f' },
    when: 'editorFocus || editorIsOpen',
    guard: null,
    source: 'vscode findController.ts',
  },
];

const JUPYTER_FIRST_CHORDS = [
  'shift+enter',
  'ctrl+enter',
  'alt+enter',
  'ctrl+;',
  'ctrl+alt+[',
  'ctrl+alt+]',
  'ctrl+alt+\\',
  'ctrl+alt+shift+[',
  'ctrl+alt+shift+]',
  'ctrl+alt+shift+\\',
  'ctrl+alt+shift+enter',
  'ctrl+shift+enter',
  'f10',
  'ctrl+r',
  'cmd+r',
  'escape',
];

/** 'Ctrl+Alt+F' and 'alt+ctrl+f' are the same chord part. */
export function normalizePart(part: string): string {
  const keys = part.toLowerCase().split('+');
  const key = keys.pop()!;
  const order = ['ctrl', 'shift', 'alt', 'cmd', 'meta', 'win'];
  return [...keys.sort((a, b) => order.indexOf(a) - order.indexOf(b)), key].join('+');
}

function keyOn(b: Keybinding, platform: Platform): string {
  return (platform === 'mac' ? b.mac : platform === 'linux' ? b.linux : b.win) ?? b.key;
}

/** Top-level conjuncts of a when clause (an 'or' anywhere outside parentheses means none are guaranteed). */
export function conjuncts(when: string | undefined): string[] {
  if (!when) return [];
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < when.length; i++) {
    const c = when[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && when.startsWith('||', i)) return [];
    else if (depth === 0 && when.startsWith('&&', i)) {
      parts.push(when.slice(start, i).trim());
      start = i + 2;
      i++;
    }
  }
  parts.push(when.slice(start).trim());
  return parts.map((p) => p.replace(/\s+/g, ' ').replace(/"/g, "'"));
}

/** The clashes of one binding with the defaults above, as readable strings (empty when clear). */
export function clashes(b: Keybinding): string[] {
  const out: string[] = [];
  const have = new Set(conjuncts(b.when));
  for (const platform of ['linux', 'win', 'mac'] as Platform[]) {
    const first = normalizePart(keyOn(b, platform).trim().split(/\s+/)[0]);
    for (const d of DEFAULTS) {
      const dk = d.keys[platform];
      if (!dk || normalizePart(dk.split(/\s+/)[0]) !== first) continue;
      if (d.guard === null || !have.has(d.guard))
        out.push(
          `${b.command} on ${platform}: ${first} is ${d.command} (${d.source}) when ${d.when}${d.guard ? `; add '${d.guard}' to its when` : ''}`,
        );
    }
    if (JUPYTER_FIRST_CHORDS.includes(first))
      out.push(`${b.command} on ${platform}: ${first} starts a Jupyter extension binding`);
  }
  return out;
}

describe('keybindings (package.json)', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Manifest;
  const bindings = manifest.contributes.keybindings ?? [];

  it('has a default keybinding for each feature', () => {
    const commands = new Set(bindings.map((b) => b.command));
    for (const id of ['flowbench.focus.start', 'flowbench.timing.timeCell', 'flowbench.lenses.toggle'])
      assert.ok(commands.has(id), `${id} has a keybinding`);
  });

  it('puts every keybinding under the chord prefix, one letter after it, on every platform', () => {
    for (const b of bindings) {
      for (const platform of ['linux', 'win', 'mac'] as Platform[]) {
        const parts = keyOn(b, platform).trim().split(/\s+/);
        assert.equal(parts.length, 2, `${b.command} (${platform}): a two-part chord, got '${keyOn(b, platform)}'`);
        assert.equal(normalizePart(parts[0]), CHORD_PREFIX, `${b.command} (${platform}) starts with ${CHORD_PREFIX}`);
        assert.match(parts[1], /^[a-z0-9]$/, `${b.command} (${platform}): the second part is one plain key`);
      }
    }
  });

  it('never gives two keybindings the same key and when clause', () => {
    const seen = new Map<string, string>();
    for (const b of bindings) {
      for (const platform of ['linux', 'win', 'mac'] as Platform[]) {
        const k = `${platform}|${keyOn(b, platform).split(/\s+/).map(normalizePart).join(' ')}|${conjuncts(b.when).sort().join(' && ')}`;
        assert.ok(!seen.has(k), `${b.command} and ${seen.get(k)} share ${k}`);
        seen.set(k, b.command);
      }
    }
  });

  it('binds only commands declared in contributes.commands', () => {
    const declared = new Set(manifest.contributes.commands.map((c) => c.command));
    const undeclared = bindings.filter((b) => !declared.has(b.command)).map((b) => b.command);
    assert.deepEqual(undeclared, []);
  });

  it("clashes with none of VS Code's or the Jupyter extension's defaults", () => {
    assert.deepEqual(bindings.flatMap(clashes), []);
  });

  it('detects the clashes it is meant to (the check can fail)', () => {
    assert.equal(
      clashes({ command: 'x', key: 'ctrl+alt+f x', mac: 'cmd+alt+f x', when: CHORD_GUARDS.join(' && ') }).length,
      1,
      'Cmd+Alt+F is Replace on macOS',
    );
    assert.equal(
      clashes({ command: 'x', key: 'ctrl+alt+f x' }).length,
      6,
      'unguarded: three defaults on Linux and on Windows',
    );
    assert.equal(
      clashes({ command: 'x', key: 'ctrl+alt+f x', when: `editorTextFocus || ${CHORD_GUARDS.join(' && ')}` }).length,
      6,
      'an or drops the guards',
    );
    assert.deepEqual(
      clashes({ command: 'x', key: 'ctrl+alt+f x', when: `editorTextFocus && ${CHORD_GUARDS.join(' && ')}` }),
      [],
    );
    assert.equal(clashes({ command: 'x', key: 'ctrl+; t' }).length, 3, 'the Jupyter Ctrl+; chord');
    assert.equal(normalizePart('Alt+Ctrl+F'), 'ctrl+alt+f');
  });
});
