import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { previewCsv } from '../../../src/splits/inspect';
import { acceptDefaults, applicableOnly, strategyOrder } from '../../../src/splits/wizardPlan';
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
    assert.deepEqual(
      { strategy: req.strategy, time: req.time, folds: req.folds, seed: req.seed },
      { strategy: 'time-series', time: 'measured_on', folds: 5, seed: 42 },
    );
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
});
