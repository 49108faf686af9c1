import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createSplit, type SplitRequest } from '../../../src/splits/engine';
import { splitReportHtml } from '../../../src/splits/reportHtml';
import { resolveManifest } from '../../../src/splits/splitIndex';
import { assertNoInlineCode, fakeAssets } from '../util/pages';

/**
 * The generated snippet is run with real pandas + scikit-learn: it recomputes the split and asserts it matches
 * FOLDS.csv, so a passing run proves a notebook reproduces Flowbench's split without Flowbench.
 */
describe('splits/pythonSnippet: the copied Python reproduces the split with pandas + scikit-learn', function () {
  this.timeout(120_000);
  let dir: string;
  let data: string;

  before(function () {
    const probe = spawnSync('python3', ['-c', 'import pandas, sklearn; print(sklearn.__version__)'], {
      encoding: 'utf8',
    });
    if (probe.status !== 0)
      throw new Error('this test needs pandas and scikit-learn: python3 -m pip install pandas scikit-learn');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-snippet-'));
    data = path.join(dir, 'data.csv');
    const rows = ['id,x,note,when,label,user,y'];
    let seed = 3;
    const rnd = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
    for (let i = 0; i < 90; i++) {
      const day = 1 + Math.floor(rnd() * 28);
      rows.push(
        [
          i,
          (rnd() * 4 - 2).toFixed(3),
          i % 7 === 0 ? '"a, ""quoted"" note"' : 'plain',
          `2024-02-${String(day).padStart(2, '0')}`,
          ['yes', 'no', 'maybe'][Math.floor(rnd() * 3)],
          `u${Math.floor(rnd() * 12)}`,
          (rnd() * 100).toFixed(2),
        ].join(','),
      );
    }
    fs.writeFileSync(data, rows.join('\n') + '\n');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const cases: Array<[string, Omit<SplitRequest, 'input' | 'out'>]> = [
    ['stratified holdout', { strategy: 'holdout', target: 'label', testSize: { fraction: 0.3 }, seed: 11 }],
    ['kfold shuffled', { strategy: 'kfold', folds: 4, shuffle: true, seed: 5 }],
    ['stratified-kfold', { strategy: 'stratified-kfold', target: 'label', folds: 5, shuffle: true, seed: 9 }],
    [
      'stratified-kfold on quantile bins of a continuous target',
      { strategy: 'stratified-kfold', target: 'y', bins: 4, folds: 3, shuffle: true, seed: 2 },
    ],
    ['group-kfold', { strategy: 'group-kfold', group: 'user', folds: 3 }],
    [
      'stratified-group-kfold shuffled',
      { strategy: 'stratified-group-kfold', target: 'label', group: 'user', folds: 3, shuffle: true, seed: 4 },
    ],
    ['group-holdout', { strategy: 'group-holdout', group: 'user', testSize: { count: 3 }, seed: 8 }],
    ['time-series on dates with ties', { strategy: 'time-series', time: 'when', folds: 3, gap: 2, maxTrainSize: 40 }],
  ];
  for (const [name, req] of cases) {
    it(name, async () => {
      const out = path.join(dir, `${name.replace(/\W+/g, '-')}.csv`);
      const { manifest } = await createSplit({ ...req, input: data, out }, { snippetRoot: dir });
      // Paths relative to the project folder, so the snippet works in anyone's clone; it runs from that folder.
      assert.ok(!manifest.python.includes(dir), `no absolute path in the snippet:\n${manifest.python}`);
      assert.match(manifest.python, /pd\.read_csv\("data\.csv"\)/);
      const script = path.join(dir, 'snippet.py');
      fs.writeFileSync(script, manifest.python + '\nprint("REPRODUCED")\n');
      const r = spawnSync('python3', [script], { encoding: 'utf8', cwd: dir });
      assert.equal(r.status, 0, `snippet failed:\n${manifest.python}\n${r.stderr}`);
      assert.match(r.stdout, /REPRODUCED/);
      // The seed is named only where it changes the split.
      const random =
        req.strategy === 'group-holdout' || (req.strategy !== 'time-series' && manifest.parameters.shuffle);
      assert.equal(/seed \d+/.test(manifest.python.split('\n')[0]), random, manifest.python.split('\n')[0]);
    });
  }

  it('the report page links its stylesheets and script under a strict CSP, with no remote resources', async () => {
    const made = await createSplit({
      strategy: 'stratified-kfold',
      target: 'label',
      folds: 3,
      input: data,
      out: path.join(dir, 'r.csv'),
    });
    // The manifest names its files relative to its own folder; the report gets them resolved.
    assert.deepEqual([made.manifest.input.file, made.manifest.output.file], ['data.csv', 'r.csv']);
    const manifest = resolveManifest(made.manifest, made.manifestPath);
    const assets = fakeAssets('splitReport');
    const html = splitReportHtml(manifest, { assets });
    assertNoInlineCode(html, assets);
    assert.match(
      html,
      /Content-Security-Policy" content="default-src 'none'; style-src fake-webview:; script-src 'nonce-N0NCE';"/,
    );
    assert.doesNotMatch(html, /https?:\/\//);
    assert.match(html, /<script nonce="N0NCE" src="fake-webview:\/media\/webview\/splitReport\.js"><\/script>/);
    assert.match(html, /role="img" aria-label="Class balance per fold"/);
    // Bars are drawn in percentages of the column: nothing has a fixed pixel width that a side column would clip.
    assert.doesNotMatch(html, /<svg[^>]* width="\d+"/);
    assert.match(html, /<rect x="[\d.]+%" y="0" width="[\d.]+%"/);
    // With the workspace folder known, the page and its snippet name files relative to it.
    const inRoot = splitReportHtml(manifest, { assets, root: dir });
    assert.ok(!inRoot.includes(dir), 'no absolute path on the page');
    assert.match(inRoot, /<code>data\.csv<\/code> → <code>r\.csv<\/code>/);
    // Text from the data (class labels, file names) is escaped, never markup.
    const hostile = {
      ...manifest,
      strategy: manifest.strategy,
      folds: manifest.folds.map((f) => ({
        ...f,
        classes: { train: { '<img src=x>': 1 }, valid: { '<img src=x>': 1 } },
      })),
    };
    const escaped = splitReportHtml(hostile, { assets });
    assert.doesNotMatch(escaped, /<img/);
    assert.match(escaped, /&lt;img src=x&gt;/);
  });
});
