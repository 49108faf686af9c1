import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolvePython } from '../../../src/timing/python';
import { harnessPath } from '../../../src/timing/runner';
import { HARNESS_MARK } from '../../../src/timing/protocol';

const python = resolvePython([]).path;
const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
const harness = path.join(repoRoot, 'src', 'timing', 'harness.py');

type Rec = { event: string; [key: string]: unknown };

function job(file: string, source: string, extra: Record<string, unknown> = {}) {
  return { mode: 'timeit', file, setup: [], cells: [{ line: 2, source, label: 'cell 0' }], runs: 2, loops: 3, timeCap: 0, ...extra };
}

describe('timing harness.py on its own', function () {
  this.timeout(60000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbench-harness-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('compiles as a Python module', () => {
    // The cache prefix keeps __pycache__ out of src/.
    const r = spawnSync(python, ['-m', 'py_compile', harness], { encoding: 'utf8', env: { ...process.env, PYTHONPYCACHEPREFIX: dir } });
    assert.equal(r.status, 0, r.stderr);
  });

  it('is found in src/timing/ when the runner runs from tsc output', () => {
    assert.equal(harnessPath(), harness);
  });

  it('run by hand: reads the job on stdin, prints the cell output and marked records on stdout', () => {
    const file = path.join(dir, 'cell.py');
    const input = JSON.stringify(job(file, "print('from the cell')\n")) + '\n';
    const r = spawnSync(python, [harness], { input, encoding: 'utf8', cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    const records: Rec[] = r.stdout.split('\n').filter((l) => l.startsWith(HARNESS_MARK)).map((l) => JSON.parse(l.slice(HARNESS_MARK.length)));
    assert.deepEqual(records.map((x) => x.event), ['progress', 'progress', 'progress', 'progress', 'result']);
    const result = records[records.length - 1];
    assert.equal(result.loops, 3);
    assert.equal((result.allRuns as number[]).length, 2);
    assert.equal(r.stdout.split('\n').filter((l) => l === 'from the cell').length, 1 + 2 * 3);
  });

  it('run by hand: a raising cell gives one error record with the traceback and exit code 3', () => {
    const file = path.join(dir, 'bad.py');
    const input = JSON.stringify(job(file, 'x = 1 / 0\n')) + '\n';
    const r = spawnSync(python, [harness], { input, encoding: 'utf8', cwd: dir });
    assert.equal(r.status, 3, r.stderr);
    const records: Rec[] = r.stdout.split('\n').filter((l) => l.startsWith(HARNESS_MARK)).map((l) => JSON.parse(l.slice(HARNESS_MARK.length)));
    const last = records[records.length - 1];
    assert.equal(last.event, 'error');
    assert.equal(last.type, 'ZeroDivisionError');
    assert.equal(last.line, 2);
    assert.doesNotMatch(last.traceback as string, /harness\.py/);
  });
});
