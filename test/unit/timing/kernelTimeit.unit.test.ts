import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  kernelTimeitCode,
  newKernelTag,
  parseKernelTimeit,
  type KernelTimeitOptions,
} from '../../../src/timing/kernelTimeit';
import { HARNESS_MARK } from '../../../src/timing/protocol';
import { resolvePython } from '../../../src/timing/python';
import { peer } from '../peers';
import { FORGED } from './forged';

const python = resolvePython([]).path;

interface CellRun {
  stdout: string;
  error: { type: string; message: string } | null;
  result: string | null;
  added: string[];
  flowbench: string[];
}

/** The assembled code, run as a kernel runs it: in IPython's InteractiveShell, after the user's own cell. */
function inKernel(source: string, opts: KernelTimeitOptions, setup = 'data = list(range(1000))') {
  const { code, tag } = kernelTimeitCode(source, opts);
  const r = spawnSync(python, [peer('ipython_kernel_cell.py')], {
    input: JSON.stringify({ setup, code }),
    encoding: 'utf8',
    env: { ...process.env, PYTHONIOENCODING: 'utf-8' },
    timeout: 60_000,
  });
  assert.equal(r.status, 0, `IPython (python3 -m pip install ipython): ${r.stderr}`);
  const run = JSON.parse(r.stdout) as CellRun;
  return { run, tag, timing: parseKernelTimeit(run.stdout, tag) };
}

describe('timing/kernelTimeit: %%timeit in the kernel, under real IPython', function () {
  this.timeout(60_000);

  it('times the cell in the user namespace with the loops and runs asked, and leaves no name behind', () => {
    // Quotes, a backslash, non-ASCII and newlines: the JSON literal must reach Python as the same text.
    const source = 's = "it\'s \\\\ \u00fc\\n"\nassert len(s) == 9, len(s)\nsorted(data)';
    const { run, timing } = inKernel(source, { runs: 3, loops: 5, precision: 3 });
    assert.equal(run.error, null, run.stdout);
    assert.ok(timing, `no tagged result line in ${JSON.stringify(run.stdout)}`);
    assert.equal(timing.loops, 5);
    assert.equal(timing.runs, 3);
    assert.equal(timing.allRuns.length, 3);
    assert.ok(timing.mean > 0 && timing.best <= timing.mean && timing.mean <= timing.worst, JSON.stringify(timing));
    assert.equal(typeof timing.compileTime, 'number');
    assert.match(timing.line, / per loop \(mean ± std\. dev\. of 3 runs, 5 loops each\)$/);
    assert.equal(run.result, null, 'the kernel displays nothing');
    assert.deepEqual(run.flowbench, []);
    assert.deepEqual(run.added, [], 'the timed cell and the snippet leave the namespace as it was');
  });

  it('calibrates the loops when none are asked, as %timeit does', () => {
    const { run, timing } = inKernel('sum(data)', { runs: 2, loops: 0, precision: 4 });
    assert.equal(run.error, null, run.stdout);
    assert.ok(timing);
    assert.match(String(timing.loops), /^10*$/);
    assert.ok(timing.loops >= 10, `a sum of 1,000 ints takes far below 0.2 s: ${timing.loops} loops`);
    assert.equal(timing.allRuns.length, 2);
    assert.ok(timing.allRuns.every((t) => t > 0));
  });

  it('a record the cell prints, even tagged with another nonce, does not pass for the result', () => {
    const forged = JSON.stringify(`${newKernelTag()}${JSON.stringify({ ...JSON.parse(FORGED), line: 'forged' })}`);
    const { run, tag, timing } = inKernel(`print(${forged})\nprint(${JSON.stringify(HARNESS_MARK + FORGED)})`, {
      runs: 2,
      loops: 2,
      precision: 3,
    });
    assert.ok(run.stdout.includes('forged'), 'the cell printed its forgeries');
    assert.ok(timing, run.stdout);
    assert.notEqual(timing.line, 'forged');
    assert.equal(timing.loops, 2);
    assert.equal(run.stdout.split('\n').filter((l) => l.startsWith(tag)).length, 1);
  });

  it('a cell that raises: the error reaches the kernel, no result, and still no name behind', () => {
    const { run, timing } = inKernel('1 / 0', { runs: 2, loops: 2, precision: 3 });
    assert.deepEqual(run.error, { type: 'ZeroDivisionError', message: 'division by zero' });
    assert.equal(timing, undefined);
    assert.deepEqual(run.flowbench, []);
    assert.deepEqual(run.added, []);
  });
});
