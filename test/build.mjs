// The build steps every script needs before it runs anything: esbuild's bundles in dist/ (minified with
// `production`), and, with `tests`, tsc's type-check that also emits the test tiers into out/.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function build({ production = false, tests = true, stdio = 'inherit' } = {}) {
  const steps = [['node', ['esbuild.config.mjs', ...(production ? ['--production'] : [])]]];
  if (tests) steps.push(['npx', ['tsc', '-p', 'tsconfig.json', '--outDir', 'out']]);
  for (const [cmd, args] of steps) {
    const r = spawnSync(cmd, args, { cwd: ROOT, stdio });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal})`);
  }
}
