import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { formatTimeitLine } from './format';
import { HARNESS_MARK } from './protocol';
import { shippedFile } from './shipped';
import type { TimeitRuns } from './stats';

/** IPython's TimeitResult from the kernel, with its own str() of it. */
export interface KernelTiming extends TimeitRuns {
  compileTime: number;
  line: string;
}

export interface KernelTimeitOptions {
  runs: number;
  /** 0: calibrated, as %timeit does it. */
  loops: number;
  precision: number;
}

/** The code to run in the kernel, and the tag its result line starts with. */
export interface KernelTimeitCode {
  code: string;
  tag: string;
}

let program: string | undefined;

/** kernelTimeit.py's text (shipped beside the bundle), then the one line that calls it on this cell. */
export function kernelTimeitCode(source: string, opts: KernelTimeitOptions, tag = newKernelTag()): KernelTimeitCode {
  program ??= fs.readFileSync(shippedFile('kernelTimeit.py'), 'utf8');
  const flags = `-q -o -r ${opts.runs} -p ${opts.precision}${opts.loops > 0 ? ` -n ${opts.loops}` : ''}`;
  // A JSON string literal is a valid Python string literal.
  const call = `__flowbench_timeit(${[flags, source, tag].map((s) => JSON.stringify(s)).join(', ')})`;
  return { code: `${program.trimEnd()}\n\n\n${call}\n`, tag };
}

/** The kernel's stdout carries the cell's prints too: a per-run nonce keeps them from passing for the result. */
export function newKernelTag(): string {
  return `${HARNESS_MARK}${randomBytes(16).toString('hex')} `;
}

/** The result line among the kernel's stdout, or undefined when none carries the tag. */
export function parseKernelTimeit(stdout: string, tag: string): KernelTiming | undefined {
  const line = stdout.split('\n').find((l) => l.startsWith(tag));
  if (!line) return undefined;
  const r = JSON.parse(line.slice(tag.length)) as KernelTiming;
  return { ...r, line: r.line || formatTimeitLine(r) };
}
