import { COMMANDS } from '../editor/commandIds';
import * as path from 'node:path';
import type { CellSite, LensSite, LoaderSite, OnnxSite, ScanResult, SplitSite } from '../python/scanner';

/**
 * Turns scanner sites into lens descriptions (line, title, command, argument object). Pure, so what each lens shows
 * and which prefilled values it passes are unit-tested without VS Code; codeLensProvider.ts only wraps these.
 */

export interface LensSettings {
  /** Master switch (flowbench.lenses.enabled). */
  enabled: boolean;
  timeCell: boolean;
  splits: boolean;
  onnx: boolean;
  focus: boolean;
  loader: boolean;
}

export const DEFAULT_LENS_SETTINGS: LensSettings = {
  enabled: true,
  timeCell: true,
  splits: true,
  onnx: true,
  focus: true,
  loader: true,
};

export interface LensSpec {
  line: number;
  character: number;
  title: string;
  tooltip: string;
  command: string;
  args: Record<string, unknown>;
}

export const LENS_COMMANDS = {
  timeCell: COMMANDS.timing.timeCell,
  split: COMMANDS.split.create,
  run: COMMANDS.onnx.run,
  bench: COMMANDS.onnx.bench,
  eval: COMMANDS.onnx.eval,
  focus: COMMANDS.focus.start,
  loader: COMMANDS.timing.timeLoader,
} as const;

export interface LensContext {
  /** Absolute path of the script. */
  file: string;
  /** Workspace folder holding the script, used when a relative path does not exist beside the script. */
  workspaceFolder?: string;
  settings: LensSettings;
  /** Python may run (trusted workspace): otherwise 'Time cell' is not offered, since it would only refuse. */
  canRunPython: boolean;
  /**
   * The lens text for a cell's last timing and its change ('$(watch) 12.3 ms ± 0.4 · −18%'), when the history has
   * one, or its progress while it is being timed.
   */
  cellTiming?: (site: CellSite) => { text: string; tooltip?: string; running?: boolean } | undefined;
  /** A data loader's last timing ('$(watch) 812 batches/s · first 120 ms'), by its name and the hash of its cell. */
  loaderTiming?: (site: LoaderSite, cellHash?: string) => { text: string; tooltip?: string } | undefined;
  /** flowbench.split.create's arguments read from the call's literal arguments (strategy, folds, testSize, ...). */
  splitArgs?: (site: SplitSite) => Record<string, unknown>;
  /** Whether a path exists (resolution prefers the script's folder, then the workspace folder). */
  exists?: (absolutePath: string) => boolean;
}

/**
 * A path written in a script, made absolute: relative to the script's folder (where `python train.py` run from
 * that folder finds it); when it exists only relative to the workspace folder (scripts run from the root), that one.
 */
export function resolveScriptPath(
  written: string,
  ctx: Pick<LensContext, 'file' | 'workspaceFolder' | 'exists'>,
): string {
  if (path.isAbsolute(written)) return path.normalize(written);
  const besideScript = path.resolve(path.dirname(ctx.file), written);
  if (!ctx.exists || !ctx.workspaceFolder || ctx.exists(besideScript)) return besideScript;
  const fromRoot = path.resolve(ctx.workspaceFolder, written);
  return ctx.exists(fromRoot) ? fromRoot : besideScript;
}

function cellLens(site: CellSite, ctx: LensContext): LensSpec {
  const timing = ctx.cellTiming?.(site);
  const tooltip = !timing
    ? `Time cell ${site.number} with %timeit statistics (the cells above run once first, untimed)`
    : timing.running
      ? `${timing.tooltip ?? 'Being timed'}: the lens shows the result when it is done.`
      : `${timing.tooltip ?? 'Last timing of this cell and its change from the timing before.'}\n` +
        `Click to time cell ${site.number} again.`;
  return {
    line: site.line,
    character: 0,
    title: timing ? timing.text : '$(watch) Time cell',
    tooltip,
    command: LENS_COMMANDS.timeCell,
    // The number users see (code cells from 1), as every Flowbench message counts cells.
    args: { file: ctx.file, cell: site.number },
  };
}

function splitLens(site: SplitSite, ctx: LensContext): LensSpec {
  const prefill = ctx.splitArgs?.(site) ?? {};
  const args: Record<string, unknown> = { ...prefill };
  if (site.dataPath !== undefined) args.file = resolveScriptPath(site.dataPath, ctx);
  else delete args.file;
  const shown = Object.entries(args)
    .filter(([k]) => k !== 'file')
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');
  return {
    line: site.line,
    character: site.character,
    title: 'Set up validation split…',
    tooltip: `Create a Flowbench split matching this ${site.callee} call${shown ? ` (${shown})` : ''}${
      site.dataPath ? ` on ${site.dataPath}` : ''
    }`,
    command: LENS_COMMANDS.split,
    args,
  };
}

function onnxLenses(site: OnnxSite, ctx: LensContext): LensSpec[] {
  const base: Record<string, unknown> =
    site.modelPath !== undefined ? { model: resolveScriptPath(site.modelPath, ctx) } : {};
  const where = site.modelPath ?? 'the exported model';
  const mk = (title: string, command: string, tooltip: string): LensSpec => ({
    line: site.line,
    character: site.character,
    title,
    tooltip,
    command,
    args: { ...base },
  });
  const evaluate = mk(
    'Evaluate',
    LENS_COMMANDS.eval,
    `Evaluate ${where} on a validation split, next to the trivial baseline`,
  );
  // Evaluation needs data and a split: the script's data file; the command picks among that file's splits (the one
  // the model was trained on first) and offers to make one when there is none.
  if (site.dataPath !== undefined) {
    evaluate.args.data = resolveScriptPath(site.dataPath, ctx);
    evaluate.tooltip += ` (${site.dataPath})`;
  }
  return [
    mk('Run baseline', LENS_COMMANDS.run, `Run ${where} with onnxruntime on sample inputs or rows of a CSV`),
    mk(
      'Benchmark',
      LENS_COMMANDS.bench,
      `Benchmark ${where}: latency percentiles and throughput per execution provider`,
    ),
    evaluate,
  ];
}

function focusLens(site: LensSite & { kind: 'focus' }, ctx: LensContext): LensSpec {
  return {
    line: site.line,
    character: site.character,
    title: 'Start focus session',
    tooltip: `Start a focus session for ${path.basename(ctx.file)} (notifications stay quiet until it ends)`,
    command: LENS_COMMANDS.focus,
    // Only the intent is prefilled: the length is still asked (presets), the intent is offered, not imposed.
    args: {
      intentDefault: `Train ${path.basename(ctx.file)}`,
      source: { file: ctx.file, line: site.line, entry: site.entry },
    },
  };
}

function loaderLens(site: LoaderSite, cell: CellSite | undefined, ctx: LensContext): LensSpec {
  const timing = ctx.loaderTiming?.(site, cell?.hash);
  const where = cell ? `the cells above and cell ${cell.cell}` : `lines 1–${site.endLine + 1}`;
  return {
    line: site.line,
    character: site.character,
    title: timing ? timing.text : '$(watch) Time loader',
    tooltip: timing
      ? `${timing.tooltip ?? `Last timing of ${site.name}.`}\nClick to time it again.`
      : `Time ${site.name}: ${where} run once, then its batches are timed (the first apart), with batches/s`,
    command: LENS_COMMANDS.loader,
    args: { file: ctx.file, line: site.line + 1, name: site.name },
  };
}

export function lensSpecs(scan: ScanResult, ctx: LensContext): LensSpec[] {
  const s = ctx.settings;
  if (!s.enabled || !scan.isTrainingScript) return [];
  const out: LensSpec[] = [];
  for (const site of scan.sites) {
    if (site.kind === 'timeCell' && s.timeCell && ctx.canRunPython) out.push(cellLens(site, ctx));
    else if (site.kind === 'split' && s.splits) out.push(splitLens(site, ctx));
    else if (site.kind === 'onnx' && s.onnx) out.push(...onnxLenses(site, ctx));
    else if (site.kind === 'focus' && s.focus) out.push(focusLens(site, ctx));
    else if (site.kind === 'loader' && s.loader && ctx.canRunPython && site.topLevel) {
      // A loader inside a cell is built by that cell; elsewhere by the lines up to it.
      const cell = scan.sites.find(
        (c): c is CellSite => c.kind === 'timeCell' && site.line > c.line && site.line <= c.endLine,
      );
      out.push(loaderLens(site, cell, ctx));
    }
  }
  return out;
}
