import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SplitManifest } from '../data/splitFile';
import type { SplitFileInfo } from './api';

/**
 * Finding the splits Flowbench made: a split file is any FOLDS.csv with a readable manifest FOLDS.csv.json beside it
 * (whatever its name). Pure file reads, so the code lenses, the Evaluate prompts and the tests share one rule.
 */

/** A manifest with its paths made absolute (manifests store them relative to their own folder). */
export function resolveManifest(m: SplitManifest, manifestPath: string): SplitManifest {
  const dir = path.dirname(path.resolve(manifestPath));
  return {
    ...m,
    input: { ...m.input, file: path.resolve(dir, m.input.file) },
    output: { ...m.output, file: path.resolve(dir, m.output.file) },
  };
}

/** What the prompts need to know of one split file, from its manifest; undefined when it is not a split manifest. */
export function readSplitInfo(manifestPath: string): SplitFileInfo | undefined {
  let m: SplitManifest;
  try {
    m = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as SplitManifest;
  } catch {
    return undefined;
  }
  if (!m || typeof m !== 'object' || typeof m.strategy !== 'string' || typeof m.input?.file !== 'string') return;
  const file = manifestPath.replace(/\.json$/, '');
  if (!fs.existsSync(file)) return undefined;
  const r = resolveManifest({ ...m, output: { ...m.output, file } }, manifestPath);
  return {
    file,
    manifest: manifestPath,
    data: r.input.file,
    target: m.parameters?.target ?? undefined,
    strategy: m.strategy,
    createdAt: m.createdAt ?? '',
    column: m.output?.column === 'fold' ? 'fold' : 'split',
    folds: m.folds?.length ?? 0,
    valid: m.folds?.[0]?.valid ?? 0,
    train: m.folds?.[0]?.train ?? 0,
  };
}

/** Newest first (by the manifest's createdAt), then by name, so lists are stable. */
export function newestFirst(list: SplitFileInfo[]): SplitFileInfo[] {
  return [...list].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.file.localeCompare(b.file));
}

/** The splits of a data file that sit beside it (where the wizard writes them), newest first. Synchronous. */
export function splitsBeside(dataFile: string): SplitFileInfo[] {
  const dir = path.dirname(dataFile);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const found: SplitFileInfo[] = [];
  for (const n of names) {
    if (!/\.(csv|tsv)\.json$/i.test(n)) continue;
    const info = readSplitInfo(path.join(dir, n));
    if (info && path.resolve(info.data) === path.resolve(dataFile)) found.push(info);
  }
  return newestFirst(found);
}
