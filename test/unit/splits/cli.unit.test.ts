import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
const cli = path.join(repoRoot, 'dist', 'cli.js');

function run(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [cli, 'split', ...args], { cwd, encoding: 'utf8' });
}

describe('flowbench split (CLI process)', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    if (!fs.existsSync(cli)) throw new Error(`build first: ${cli} is missing (npm run build)`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-cli-'));
    // A BOM, CRLF and tabs: the file must read exactly like its plain CSV twin.
    const rows = ['id\tlabel\tnote', ...Array.from({ length: 40 }, (_, i) => `${i}\t${['a', 'b'][i % 2]}\tn${i % 3}`)];
    fs.writeFileSync(path.join(dir, 'data.tsv'), '\ufeff' + rows.join('\r\n') + '\r\n');
    fs.writeFileSync(path.join(dir, 'data.csv'), rows.map((r) => r.replace(/\t/g, ',')).join('\n'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('--help documents every strategy and exits 0', () => {
    const r = run(['--help'], dir);
    assert.equal(r.status, 0);
    for (const s of [
      'holdout',
      'kfold',
      'stratified-kfold',
      'group-kfold',
      'stratified-group-kfold',
      'group-holdout',
      'time-series',
    ])
      assert.match(r.stdout, new RegExp(`\\b${s}\\b`));
  });

  it('--json prints the manifest; a TSV with BOM and CRLF splits like the same CSV', () => {
    const a = run(
      [
        'data.tsv',
        '--strategy',
        'stratified-kfold',
        '--target',
        'label',
        '--folds',
        '4',
        '--shuffle',
        '--out',
        'a.csv',
        '--json',
      ],
      dir,
    );
    assert.equal(a.status, 0, a.stderr);
    const out = JSON.parse(a.stdout);
    assert.equal(out.manifest.input.delimiter, '\t');
    assert.equal(out.manifest.input.rows, 40);
    assert.equal(out.manifest.parameters.seed, 42);
    const b = run(
      [
        'data.csv',
        '--strategy',
        'stratified-kfold',
        '--target',
        'label',
        '--folds',
        '4',
        '--shuffle',
        '--out',
        'b.csv',
      ],
      dir,
    );
    assert.equal(b.status, 0, b.stderr);
    assert.equal(fs.readFileSync(path.join(dir, 'a.csv'), 'utf8'), fs.readFileSync(path.join(dir, 'b.csv'), 'utf8'));
  });

  const refusals: Array<[string, string[], RegExp]> = [
    ['unknown strategy', ['data.csv', '--strategy', 'random', '--out', 'x.csv'], /unknown strategy 'random'/],
    ['missing --out', ['data.csv', '--strategy', 'kfold'], /missing --out/],
    [
      'a fraction for a count',
      ['data.csv', '--strategy', 'holdout', '--test-count', '0.2', '--out', 'x.csv'],
      /--test-count must be a whole number/,
    ],
    [
      'both sizes of one side',
      ['data.csv', '--strategy', 'holdout', '--test-size', '0.2', '--test-count', '3', '--out', 'x.csv'],
      /either --test-size or --test-count/,
    ],
    [
      'an option the strategy does not take',
      ['data.csv', '--strategy', 'kfold', '--gap', '2', '--out', 'x.csv'],
      /--gap and --max-train-size apply to time-series only/,
    ],
    [
      'a seed out of range',
      ['data.csv', '--strategy', 'kfold', '--shuffle', '--seed', '4294967296', '--out', 'x.csv'],
      /Seed must be between 0 and 2\*\*32 - 1/,
    ],
    [
      'a missing column',
      ['data.csv', '--strategy', 'group-kfold', '--group', 'user', '--out', 'x.csv'],
      /--group column 'user' is not in the header/,
    ],
  ];
  for (const [what, args, message] of refusals) {
    it(`refuses ${what}: exit 2, one error line, nothing written`, () => {
      const r = run(args, dir);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1);
      assert.equal(fs.existsSync(path.join(dir, 'x.csv')), false);
    });
  }
});
