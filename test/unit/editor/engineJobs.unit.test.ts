import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runEngineJob } from '../../../src/editor/engineJobs';
import { createSplit } from '../../../src/splits/engine';
import { CancellationSource, CancelledError, UserError } from '../../../src/util/errors';

// The editor's long jobs run on a worker thread (src/engineWorker.ts); this drives that path without VS Code.
describe('editor/engineJobs: long jobs on a worker thread', function () {
  this.timeout(60_000);
  let dir: string;
  let data: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-jobs-'));
    data = path.join(dir, 'd.csv');
    const rows = Array.from({ length: 200_000 }, (_, i) => `${i},${(i * 7) % 13},${['a', 'b', 'c'][i % 3]}`);
    fs.writeFileSync(data, 'id,x,label\n' + rows.join('\n') + '\n');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const request = (out: string) => ({
    input: data,
    out,
    strategy: 'stratified-kfold' as const,
    target: 'label',
    shuffle: true,
  });

  it('gives the result the engine gives on this thread, with progress on the way', async () => {
    const messages: string[] = [];
    const viaWorker = await runEngineJob<{ manifest: { folds: unknown; input: { sha256: string } } }>(
      { kind: 'split', payload: { request: request(path.join(dir, 'a.csv')) } },
      { onProgress: (_fraction, message) => messages.push(String(message)) },
    );
    const direct = await createSplit(request(path.join(dir, 'b.csv')));
    assert.deepEqual(viaWorker.manifest.folds, direct.manifest.folds);
    assert.equal(viaWorker.manifest.input.sha256, direct.manifest.input.sha256);
    assert.deepEqual(fs.readFileSync(path.join(dir, 'a.csv')), fs.readFileSync(path.join(dir, 'b.csv')));
    assert.ok(
      messages.some((m) => /^d\.csv: \d+% · [\d,]+ rows · [\d.]+[kM]? rows\/s · \d+ MB\/s$/.test(m)),
      messages.join(' | '),
    );
  });

  it('a bad input comes back as a UserError in both wordings', async () => {
    const err = await runEngineJob({
      kind: 'split',
      payload: { request: { ...request(path.join(dir, 'c.csv')), target: 'nope' } },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof UserError, String(err));
    assert.match(err.textFor('cli'), /^--target column 'nope' is not in the header/);
    assert.match(err.textFor('editor'), /^target column 'nope' is not in the header/);
  });

  it('cancelling stops the job: CancelledError, and no output or temp file is left', async () => {
    const source = new CancellationSource();
    const out = path.join(dir, 'cancelled.csv');
    let progressed = 0;
    await assert.rejects(
      runEngineJob(
        { kind: 'split', payload: { request: request(out), workers: 1 } },
        {
          cancellation: source.token as never,
          onProgress: () => {
            if (++progressed === 1) source.cancel();
          },
        },
      ),
      CancelledError,
    );
    assert.equal(fs.existsSync(out), false);
    assert.deepEqual(
      fs.readdirSync(dir).filter((f) => f.includes('cancelled') || f.endsWith('.tmp')),
      [],
    );
  });
});
