// `npm run bench [-- NAME...]`: builds, then runs every test/bench/*.bench.mjs (or those named) in turn. Each prints
// its measured figures and the ratio against its named peer, measured in the same run.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDeps, ensurePythonPeers } from '../ensure-deps.mjs';
import { build } from '../build.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
ensureDeps();
ensurePythonPeers();
try {
  build({ production: true });
} catch (err) {
  console.error(`error: ${err.message}`);
  process.exit(1);
}
const wanted = process.argv.slice(2);
const benches = fs
  .readdirSync(HERE)
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();
let failed = 0;
for (const b of benches) {
  console.log(`\n=== ${b}`);
  const r = spawnSync('node', [path.join(HERE, b)], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
console.log(`\n${benches.length - failed} benchmarks ran, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
