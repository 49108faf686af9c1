import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseSplitArgs } from '../../../src/splits/cli';
import { createSplit } from '../../../src/splits/engine';
import { UserError } from '../../../src/util/errors';

interface OracleCase {
  csv: string;
  args: string[];
  expect: { column: 'split' | 'fold'; values: Array<string | number> } | { error: string };
}

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
const oracleFile = path.resolve(repoRoot, '..', 'shared', 'oracles', 'splits-sklearn-1.9.1.json');
const oracle = JSON.parse(fs.readFileSync(oracleFile, 'utf8')) as { sklearn: string; cases: OracleCase[] };

function readColumn(file: string, column: string): string[] {
  const lines = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  const header = lines[0].split(',');
  const j = header.indexOf(column);
  assert.ok(j >= 0, `FOLDS.csv has no column ${column}: ${lines[0]}`);
  return lines.slice(1).map((l) => l.split(',')[j]);
}

describe('splits: parity with scikit-learn 1.9.1 (oracle file)', function () {
  // 700 cases through the whole engine take 15-20 s on a loaded 2-core machine.
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-oracle-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('the oracle file is the 1.9.1 one with 700 cases', () => {
    assert.equal(oracle.sklearn, '1.9.1');
    assert.equal(oracle.cases.length, 700);
  });

  it('every case: identical row membership, or a refusal with no output', async () => {
    const failures: string[] = [];
    let refusals = 0;
    for (let c = 0; c < oracle.cases.length; c++) {
      const kase = oracle.cases[c];
      const data = path.join(dir, `case${c}.csv`);
      const out = path.join(dir, `case${c}-folds.csv`);
      fs.writeFileSync(data, kase.csv);
      const label = `case ${c} (${kase.args.join(' ')})`;
      let error: unknown;
      try {
        const { request } = parseSplitArgs([data, ...kase.args, '--out', out], dir);
        await createSplit(request);
      } catch (err) {
        error = err;
      }
      if ('error' in kase.expect) {
        refusals++;
        if (!(error instanceof UserError))
          failures.push(
            `${label}: expected a refusal like "${kase.expect.error}", got ${error ? String(error) : 'success'}`,
          );
        if (fs.existsSync(out) || fs.existsSync(out + '.json'))
          failures.push(`${label}: refused but left output behind`);
        if (fs.readdirSync(dir).some((f) => f.endsWith('.tmp'))) failures.push(`${label}: left a temp file`);
        continue;
      }
      if (error) {
        failures.push(`${label}: unexpected error ${String(error)}`);
        continue;
      }
      const got = readColumn(out, kase.expect.column);
      const want = kase.expect.values.map(String);
      if (got.length !== want.length || got.some((v, i) => v !== want[i])) {
        const firstDiff = got.findIndex((v, i) => v !== want[i]);
        failures.push(
          `${label}: row ${firstDiff} got ${got[firstDiff]} want ${want[firstDiff]} (${got.length} vs ${want.length} rows)`,
        );
      }
      const manifest = JSON.parse(fs.readFileSync(out + '.json', 'utf8'));
      if (manifest.input.rows !== want.length) failures.push(`${label}: manifest rows ${manifest.input.rows}`);
    }
    assert.ok(refusals > 100, 'the oracle has refusals to check');
    assert.deepEqual(failures.slice(0, 15), [], `${failures.length} of ${oracle.cases.length} cases differ`);
  });

  describe('through the real CLI process', function () {
    this.timeout(60000);
    const cli = path.join(repoRoot, 'dist', 'cli.js');
    const pick = (wantError: boolean, n: number): number[] =>
      oracle.cases
        .map((k, i) => [k, i] as const)
        .filter(([k]) => 'error' in k.expect === wantError)
        .slice(0, n)
        .map(([, i]) => i);

    before(function () {
      if (!fs.existsSync(cli)) throw new Error(`build first: ${cli} is missing (npm run build)`);
    });

    for (const c of [...pick(true, 4), ...pick(false, 3)]) {
      it(`case ${c}: exit code and output match the oracle`, () => {
        const kase = oracle.cases[c];
        const data = path.join(dir, `cli${c}.csv`);
        const out = path.join(dir, `cli${c}-folds.csv`);
        fs.writeFileSync(data, kase.csv);
        const r = spawnSync(process.execPath, [cli, 'split', data, ...kase.args, '--out', out], { encoding: 'utf8' });
        if ('error' in kase.expect) {
          assert.equal(r.status, 2, r.stderr);
          assert.match(r.stderr, /^error: .+\n$/);
          assert.equal(fs.existsSync(out), false);
          assert.equal(fs.existsSync(out + '.json'), false);
        } else {
          assert.equal(r.status, 0, r.stderr);
          assert.deepEqual(readColumn(out, kase.expect.column), kase.expect.values.map(String));
        }
      });
    }
  });
});
