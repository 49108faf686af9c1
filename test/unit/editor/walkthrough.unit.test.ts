import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WALKTHROUGH_STEPS } from '../../../src/editor/walkthroughSteps';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

interface Manifest {
  contributes: { walkthroughs: { steps: { id: string; completionEvents: string[] }[] }[] };
}

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : p.endsWith('.ts') ? [fs.readFileSync(p, 'utf8')] : [];
  });
}

describe('editor: the walkthrough ticks a step only when its command succeeded', () => {
  it('every step completes on its context key (not on the command being run), and a feature sets each key', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Manifest;
    const steps = manifest.contributes.walkthroughs[0].steps;
    assert.deepEqual(
      steps.map((s) => [s.id, s.completionEvents]),
      Object.entries(WALKTHROUGH_STEPS).map(([id, key]) => [id, [`onContext:${key}`]]),
    );
    const src = sources(path.join(ROOT, 'src')).join('\n');
    for (const step of Object.keys(WALKTHROUGH_STEPS))
      assert.match(src, new RegExp(`markWalkthroughStep\\('${step}'\\)`), `nothing ticks '${step}'`);
  });
});
