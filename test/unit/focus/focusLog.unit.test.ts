import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { appendOutcome, appendSession, readFocusLog, toLogRecord } from '../../../src/focus/focusLog';
import { createSession, finish } from '../../../src/focus/session';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 26, 9, 0, 0);

function record(id: string, start = T0, minutes = 25) {
  const s = createSession({ id, kind: 'work', minutes, intent: 'try "focal" loss\nnow', now: start, windowId: 'w' });
  return toLogRecord(finish(s, start + 10 * MIN, 'stopped'), null);
}

describe('focus log format', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-focus-log-'));
    file = path.join(dir, '.flowbench', 'focus.jsonl');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes one line per session with the documented fields', async () => {
    await appendSession(file, record('a'));
    const text = fs.readFileSync(file, 'utf8');
    assert.equal(text.split('\n').length, 2, 'one line and a final newline');
    const r = JSON.parse(text);
    assert.deepEqual(Object.keys(r).sort(), [
      'breakKind',
      'end',
      'endedBy',
      'extendedMin',
      'focusedMin',
      'git',
      'id',
      'idleMin',
      'intent',
      'kind',
      'outcome',
      'pausedMin',
      'plannedMin',
      'start',
      'type',
      'v',
    ]);
    assert.equal(r.start, '2026-11-26T09:00:00.000Z');
    assert.equal(r.end, '2026-11-26T09:10:00.000Z');
    assert.equal(r.plannedMin, 25);
    assert.equal(r.focusedMin, 10);
    assert.equal(r.endedBy, 'stopped');
    assert.equal(r.intent, 'try "focal" loss\nnow');
  });

  it('merges a later outcome line into its session', async () => {
    await appendSession(file, record('a'));
    await appendSession(file, record('b', T0 + 60 * MIN));
    await appendOutcome(file, 'a', ' beat baseline by 2% ', T0 + 20 * MIN);
    const { sessions, warnings } = await readFocusLog(file);
    assert.deepEqual(
      sessions.map((s) => [s.id, s.outcome]),
      [
        ['a', 'beat baseline by 2%'],
        ['b', null],
      ],
    );
    assert.deepEqual(warnings, []);
  });

  it('a torn last line is skipped with a warning and later appends stay readable', async () => {
    await appendSession(file, record('a'));
    // A crash in the middle of the next append leaves half a line without newline.
    fs.appendFileSync(file, JSON.stringify(record('torn')).slice(0, 40));
    let read = await readFocusLog(file);
    assert.deepEqual(
      read.sessions.map((s) => s.id),
      ['a'],
    );
    assert.deepEqual(read.skipped, [2]);
    assert.match(read.warnings[0], /skipped unreadable line\(s\) 2/);
    await appendSession(file, record('c', T0 + 120 * MIN));
    read = await readFocusLog(file);
    assert.deepEqual(
      read.sessions.map((s) => s.id),
      ['a', 'c'],
    );
    assert.deepEqual(read.skipped, [2]);
  });

  it('skips valid JSON that is not a focus record, and reads a missing log as empty', async () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `{"type":"session","id":"x"}\n[1,2]\n${JSON.stringify(record('ok'))}\n`);
    const read = await readFocusLog(file);
    assert.deepEqual(
      read.sessions.map((s) => s.id),
      ['ok'],
    );
    assert.match(read.warnings.join(' '), /2 record\(s\) that are not focus sessions/);
    assert.deepEqual((await readFocusLog(path.join(dir, 'none.jsonl'))).sessions, []);
  });
});
