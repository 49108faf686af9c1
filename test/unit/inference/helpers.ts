import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A fresh temp folder per suite, removed after it. */
export function tempDir(prefix = 'flowbench-inf-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function writeFile(dir: string, name: string, data: string | Uint8Array): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, data);
  return p;
}

/** Plain-JS reference math for the built models (independent of ONNX Runtime). */
export const ref = {
  dot: (x: number[], w: number[]): number => x.reduce((a, v, i) => a + v * w[i], 0),
  sigmoid: (z: number): number => 1 / (1 + Math.exp(-z)),
  softmax: (z: number[]): number[] => {
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const s = e.reduce((a, v) => a + v, 0);
    return e.map((v) => v / s);
  },
  /** x·W + b with W row-major [in][out]. */
  affine: (x: number[], W: number[][], b: number[]): number[] =>
    b.map((bk, k) => bk + x.reduce((a, v, j) => a + v * W[j][k], 0)),
};

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): void {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tol * Math.max(1, Math.abs(expected[i])))) {
      throw new Error(`element ${i}: ${actual[i]} != ${expected[i]} (tol ${tol})`);
    }
  }
}
