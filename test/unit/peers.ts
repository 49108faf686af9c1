import * as path from 'node:path';

/** The repository, from this module compiled to out/test/unit/. */
const ROOT = path.resolve(__dirname, '..', '..', '..');

/** A reference program the tests run (test/peers/): the peers the results are checked against, in their own files. */
export function peer(name: string): string {
  return path.join(ROOT, 'test', 'peers', name);
}
