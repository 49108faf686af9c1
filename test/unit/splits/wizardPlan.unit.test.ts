import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { previewCsv } from '../../../src/splits/inspect';
import {
  acceptDefaults,
  applicableOnly,
  nextFreeName,
  splitFileName,
  stepCount,
  strategyOrder,
  STRATEGY_LABELS,
  usesSeed,
  wizardSteps,
} from '../../../src/splits/wizardPlan';
import { splitsBeside } from '../../../src/splits/splitIndex';
import { createSplit } from '../../../src/splits/engine';
import { STRATEGIES } from '../../../src/splits/strategies';

const flowers = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'demo', 'data', 'flowers.csv');
const settings = { seed: 42, folds: 5 };

describe('splits/wizardPlan: Enter, Enter, Enter makes a sound split', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-wizard-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('flowers.csv: the suggested strategy comes first, with the date column, and its defaults split cleanly', async () => {
    const preview = await previewCsv(flowers);
    assert.equal(preview.likelyTarget, 'species');
    assert.equal(preview.likelyTargetType, 'multiclass');
    const order = strategyOrder(preview, {});
    assert.equal(order[0], 'time-series');
    assert.equal(order.length, STRATEGIES.length);
    const req = acceptDefaults(flowers, preview, {}, settings);
    // Nothing is random in a time-series split: no seed asked, none recorded as if it mattered.
    assert.deepEqual(
      { strategy: req.strategy, time: req.time, folds: req.folds, seed: req.seed },
      { strategy: 'time-series', time: 'measured_on', folds: 5, seed: undefined },
    );
    assert.equal(path.basename(req.out), 'flowers.ts5.folds.csv');
    const { manifest } = await createSplit({ ...req, out: path.join(dir, 'default.csv') });
    assert.equal(manifest.checks.find((c) => c.id === 'time-overlap')!.status, 'pass');
  });

  for (const strategy of STRATEGIES) {
    it(`picking ${strategy} and pressing Enter afterwards gives a request the engine accepts`, async () => {
      const preview = await previewCsv(flowers);
      const req = acceptDefaults(flowers, preview, {}, settings, strategy);
      const { manifest } = await createSplit({ ...req, out: path.join(dir, `${strategy}.csv`) });
      assert.equal(manifest.input.rows, 150);
      if (strategy.includes('group')) assert.equal(req.group, 'site');
      if (strategy.startsWith('stratified') || strategy === 'holdout') assert.equal(req.target, 'species');
    });
  }

  it('a code-lens prefill survives when it applies and is dropped when the user picks another strategy', async () => {
    const preview = await previewCsv(flowers);
    const prefill = { strategy: 'kfold' as const, folds: 3, seed: 7, shuffle: true };
    assert.equal(strategyOrder(preview, prefill)[0], 'kfold');
    const kept = acceptDefaults(flowers, preview, prefill, settings);
    assert.deepEqual([kept.folds, kept.seed, kept.shuffle], [3, 7, true]);
    assert.equal(applicableOnly(prefill, 'holdout').folds, undefined);
    const holdout = acceptDefaults(flowers, preview, prefill, settings, 'holdout');
    await createSplit({ ...holdout, out: path.join(dir, 'prefill-holdout.csv') });
  });

  it('asks for a seed only where it changes the split, and whether to shuffle for the k-fold strategies', async () => {
    const preview = await previewCsv(flowers);
    const ts = wizardSteps('time-series', preview, {}, settings);
    assert.equal(ts.shuffle, undefined, 'time-series never shuffles');
    assert.equal(usesSeed('time-series', undefined), false);
    assert.equal(stepCount(ts, 'time-series', undefined), 3, 'strategy, time column, splits');
    for (const strategy of ['kfold', 'stratified-kfold', 'group-kfold', 'stratified-group-kfold'] as const) {
      const steps = wizardSteps(strategy, preview, {}, settings);
      assert.equal(steps.shuffle, true, `${strategy}: Enter shuffles (folds of date-ordered rows drift)`);
      assert.equal(usesSeed(strategy, true), true);
      assert.equal(usesSeed(strategy, false), false, `${strategy} in file order has no seed to ask`);
      // A prefilled shuffle (from the code's KFold(shuffle=False)) is not asked again.
      assert.equal(wizardSteps(strategy, preview, { shuffle: false }, settings).shuffle, undefined);
    }
    const kfoldOrdered = acceptDefaults(flowers, preview, { shuffle: false }, settings, 'kfold');
    assert.equal(kfoldOrdered.seed, undefined);
    assert.equal(path.basename(kfoldOrdered.out), 'flowers.kfold5.folds.csv');
    assert.equal(usesSeed('holdout', undefined), true, 'train_test_split shuffles by default');
    assert.equal(usesSeed('group-holdout', false), true, 'GroupShuffleSplit always draws groups');
  });

  it('names each split after its strategy and parameters, so a second split does not replace the first', () => {
    const data = path.join('/p', 'data', 'flowers.csv');
    const name = (r: Parameters<typeof splitFileName>[1]) => path.basename(splitFileName(data, r));
    assert.equal(
      name({ strategy: 'stratified-kfold', folds: 5, shuffle: true, seed: 42 }),
      'flowers.skfold5-s42.folds.csv',
    );
    assert.equal(name({ strategy: 'stratified-kfold', folds: 5 }), 'flowers.skfold5.folds.csv');
    assert.equal(
      name({ strategy: 'holdout', target: 'species', testSize: { fraction: 0.2 }, seed: 42 }),
      'flowers.sholdout20-s42.folds.csv',
    );
    assert.equal(name({ strategy: 'holdout', testSize: { count: 30 }, seed: 7 }), 'flowers.holdoutn30-s7.folds.csv');
    assert.equal(name({ strategy: 'holdout', shuffle: false }), 'flowers.holdout25-ordered.folds.csv');
    assert.equal(name({ strategy: 'time-series', folds: 3, gap: 2, seed: 42 }), 'flowers.ts3-gap2.folds.csv');
    assert.equal(name({ strategy: 'group-kfold', group: 'site', folds: 4 }), 'flowers.gkfold4-site.folds.csv');
    assert.equal(
      name({ strategy: 'group-holdout', group: 'site', testSize: { fraction: 0.125 }, seed: 1 }),
      'flowers.gholdout12p5-site-s1.folds.csv',
    );
    assert.equal(path.dirname(splitFileName(data, { strategy: 'kfold' })), path.dirname(data));
    // Every strategy with its wizard defaults gets a name of its own.
    const names = STRATEGIES.map((st) => name({ strategy: st, shuffle: true, seed: 42, group: 'site' }));
    assert.equal(new Set(names).size, STRATEGIES.length, names.join(', '));
    const taken = new Set(['/d/x.ts5.folds.csv', '/d/x.ts5-2.folds.csv']);
    assert.equal(
      nextFreeName('/d/x.ts5.folds.csv', (p) => taken.has(p)),
      '/d/x.ts5-3.folds.csv',
    );
  });

  it('labels strategies in words with the scikit-learn class beside them', () => {
    for (const st of STRATEGIES) {
      assert.match(STRATEGY_LABELS[st].label, /^[A-Z][a-z -]+$/);
      assert.match(STRATEGY_LABELS[st].sklearn, /^[A-Za-z_]+$/);
    }
  });

  it("the demo workspace's split is found beside its data; the suggestion's reason fits a quick pick", async () => {
    const found = splitsBeside(flowers);
    assert.deepEqual(
      found.map((f) => [path.basename(f.file), f.strategy, f.target, f.train, f.valid]),
      [['flowers.sholdout20-s42.folds.csv', 'holdout', 'species', 120, 30]],
    );
    const preview = await previewCsv(flowers);
    assert.ok(preview.suggestion.reason.length <= 72, preview.suggestion.reason);
  });
});
