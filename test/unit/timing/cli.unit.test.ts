import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli';
import { neverCancelled } from '../../../src/util/errors';
import type { CliIo } from '../../../src/util/cli';
import { HARNESS_MARK } from '../../../src/timing/protocol';
import { FORGED } from './forged';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

async function timeit(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  const io: CliIo & { out: string; err: string } = {
    out: '',
    err: '',
    cwd,
    cancellation: neverCancelled,
    stdout(t: string) {
      io.out += t;
    },
    stderr(t: string) {
      io.err += t;
    },
  };
  const code = await main(['timeit', ...args, '--no-record'], io);
  return { code, out: io.out, err: io.err };
}

describe('flowbench timeit: timeout and cells that end the run', function () {
  this.timeout(60000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbench-timeit-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('--timeout stops a cell that never ends: exit 2 and one error line naming the timeout', async () => {
    const cell = "# %%\nimport subprocess, time\nsubprocess.Popen(['sleep', '60'])\ntime.sleep(60)\n";
    fs.writeFileSync(path.join(dir, 'forever.py'), cell);
    const r = await timeit(['forever.py', '--cell', '1', '--timeout', '1'], dir);
    assert.equal(r.code, 2);
    assert.equal(r.out, '');
    assert.equal(
      r.err,
      'error: timed out after 1 s (--timeout) while running cell 1; ' +
        'the Python process and everything it started were stopped\n',
    );
  });

  it('--timeout takes a number ≥ 0', async () => {
    fs.writeFileSync(path.join(dir, 'c.py'), '# %%\nx = 1\n');
    for (const bad of ['abc', '-1']) {
      const r = await timeit(['c.py', '--cell', '1', `--timeout=${bad}`], dir);
      assert.equal(r.code, 2, bad);
      assert.match(r.err, /^error: --timeout must be (a number|≥ 0)[^\n]*\n$/);
    }
    const ok = await timeit(['c.py', '--cell', '1', '--timeout', '30', '--runs', '2', '--loops', '2'], dir);
    assert.equal(ok.code, 0, ok.err);
  });

  it('KeyboardInterrupt, sys.exit() and os._exit(): exit 2, one error line saying so, a traceback', async () => {
    const cells = '# %%\nraise KeyboardInterrupt\n# %%\nimport sys\nsys.exit(3)\n# %%\nimport os\nos._exit(5)\n';
    fs.writeFileSync(path.join(dir, 'ends.py'), cells);
    const firstLines = [
      'error: cell 1 raised KeyboardInterrupt (ends.py, line 2): the cell interrupted itself, so nothing was timed',
      'error: cell 2 raised SystemExit: 3 (ends.py, line 5): a timed cell must not call sys.exit() or exit()',
      'error: cell 3 called os._exit(5) (ends.py, line 8): a timed cell must not end the Python process',
    ];
    for (const [cell, first] of firstLines.entries()) {
      const r = await timeit(['ends.py', '--cell', String(cell + 1), '--setup', 'none'], dir);
      assert.equal(r.code, 2);
      const lines = r.err.split('\n');
      assert.equal(lines[0], first);
      assert.equal(lines.filter((l) => l.startsWith('error:')).length, 1);
      assert.match(lines[1], /^(Traceback|Stack) \(most recent call last\):$/);
      assert.ok(r.err.endsWith('\n'));
    }
  });

  it('a cell printing a result record gets its real timing; --json fields are unchanged', async () => {
    const cell = `# %%\nimport time\nprint(${JSON.stringify(HARNESS_MARK + FORGED)})\ntime.sleep(0.002)\n`;
    fs.writeFileSync(path.join(dir, 'forge.py'), cell);
    const r = await timeit(['forge.py', '--cell', '1', '--runs', '2', '--loops', '2', '--json'], dir);
    assert.equal(r.code, 0, r.err);
    const json = JSON.parse(r.out);
    const documented = ['mean', 'stdev', 'best', 'worst', 'loops', 'runs', 'firstRun', 'line'];
    assert.deepEqual(Object.keys(json).slice(0, 8), documented);
    assert.ok(json.mean >= 0.002, json.line);
    assert.equal(json.loops, 2);
  });

  it('the bundled dist/cli.js runs dist/harness.py beside it', function () {
    this.timeout(120000);
    const bundled = path.join(ROOT, 'dist', 'harness.py');
    if (!fs.existsSync(bundled)) execFileSync('node', ['esbuild.config.mjs'], { cwd: ROOT });
    fs.writeFileSync(path.join(dir, 'c.py'), '# %%\nx = sum(range(10))\n');
    const args = ['timeit', 'c.py', '--cell', '1', '--runs', '2', '--loops', '5', '--no-record', '--json'];
    const r = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), ...args], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).loops, 5);
  });
});
