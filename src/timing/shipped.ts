import * as fs from 'node:fs';
import * as path from 'node:path';

const found = new Map<string, string>();

/**
 * A Python file of src/timing/ (harness.py, kernelTimeit.py): beside this module when bundled (esbuild copies it to
 * dist/), else the source in src/timing/ of the package this module belongs to (tsc's out/src/timing/ under the unit
 * tests holds no copy).
 */
export function shippedFile(name: string): string {
  const known = found.get(name);
  if (known) return known;
  const beside = path.join(__dirname, name);
  if (fs.existsSync(beside)) {
    found.set(name, beside);
    return beside;
  }
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const source = path.join(dir, 'src', 'timing', name);
    if (isFlowbenchRoot(dir) && fs.existsSync(source)) {
      found.set(name, source);
      return source;
    }
    if (path.dirname(dir) === dir) break;
  }
  throw new Error(`${name} is missing: neither beside ${__dirname} nor in the Flowbench package above it`);
}

function isFlowbenchRoot(dir: string): boolean {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).name === 'flowbench';
  } catch {
    return false;
  }
}
