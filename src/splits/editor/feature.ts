import { COMMANDS } from '../../editor/commandIds';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readCheckedInput } from '../../util/inputs';
import type { Feature, FeatureServices } from '../../editor/feature';
import { dataSettings, splitSettings } from '../../editor/config';
import { runEngineJob } from '../../editor/engineJobs';
import { UserError } from '../../util/errors';
import { intArg, resolveInWorkspace } from '../../editor/workspace';
import type { SplitManifest } from '../../data/splitFile';
import type { SplitOutcome, SplitRequest } from '../engine';
import { isStrategy, STRATEGIES } from '../../data/splitFile';
import { pickDataFile, runWizard, sizeFromArgs } from './wizard';
import { showSplitReport } from './reportWebview';
import { splitPrefill } from '../prefill';
import type { SplitFileInfo, SplitsApi } from '../api';
import { splitFileName } from '../wizardPlan';
import { newestFirst, readSplitInfo, resolveManifest } from '../splitIndex';
import { pythonSnippet } from '../pythonSnippet';
import { runCommand } from '../../editor/commands';
import { workspaceRoot } from '../../editor/workspace';
import { markWalkthroughStep } from '../../editor/walkthrough';

function str(v: unknown, name: string): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new UserError(`${name} must be a string`);
  return v;
}

/** Command args → a partial request. Accepts the names the code lens and explorer menu send. */
export function requestFromArgs(args: Record<string, unknown>): Partial<SplitRequest> & { file?: string } {
  const uri = args.uri instanceof vscode.Uri ? args.uri : undefined;
  const file = uri?.fsPath ?? str(args.file, 'file');
  const strategy = str(args.strategy, 'strategy');
  if (strategy !== undefined && !isStrategy(strategy))
    throw new UserError(`unknown strategy '${strategy}'; use one of: ${STRATEGIES.join(', ')}`);
  const out = str(args.out, 'out');
  const shuffle = args.shuffle;
  if (shuffle !== undefined && typeof shuffle !== 'boolean') throw new UserError('shuffle must be true or false');
  return {
    file: file ? resolveInWorkspace(file) : undefined,
    strategy,
    target: str(args.target, 'target'),
    group: str(args.group, 'group'),
    time: str(args.time, 'time'),
    folds: intArg(args.folds, 'folds'),
    testSize: sizeFromArgs(args.testSize, args.testCount, 'test'),
    trainSize: sizeFromArgs(args.trainSize, args.trainCount, 'train'),
    gap: intArg(args.gap, 'gap'),
    maxTrainSize: intArg(args.maxTrainSize, 'maxTrainSize'),
    shuffle,
    seed: intArg(args.seed, 'seed'),
    bins: intArg(args.bins, 'bins'),
    out: out ? resolveInWorkspace(out) : undefined,
  };
}

export interface SplitCommandResult {
  out: string;
  manifestPath: string;
  manifest: SplitManifest;
}

/**
 * flowbench.split.*: create a split (wizard, or no prompts when args carry `out`), show its report, copy the Python
 * snippet. Engines load on first use, never at activation.
 */
export function splitsFeature(services: FeatureServices): Feature<SplitsApi> {
  let last: SplitOutcome | undefined;

  async function run(request: SplitRequest): Promise<SplitOutcome> {
    services.log.info(`split: ${request.strategy} of ${request.input} → ${request.out}`);
    const outcome = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Flowbench: splitting ${path.basename(request.input)}`,
        cancellable: true,
      },
      async (progress, token) => {
        let reported = 0;
        // On a worker thread: a split of millions of rows never stalls the editor.
        return runEngineJob<SplitOutcome>(
          {
            kind: 'split',
            payload: { request, workers: dataSettings().workers || undefined, snippetRoot: workspaceRoot() },
          },
          {
            cancellation: token,
            onProgress: (fraction, message) => {
              const pct = Math.floor((fraction as number) * 100);
              if (pct > reported) {
                progress.report({ increment: pct - reported, message: message as string });
                reported = pct;
              }
            },
          },
        );
      },
    );
    for (const w of outcome.manifest.warnings) services.log.warn(`split: ${w}`);
    for (const c of outcome.manifest.checks)
      if (c.status === 'warn') services.log.warn(`split check ${c.id}: ${c.detail}`);
    last = { ...outcome, manifest: resolveManifest(outcome.manifest, outcome.manifestPath) };
    return last;
  }

  async function loadManifest(args: Record<string, unknown> | undefined): Promise<SplitManifest> {
    const given = str(args?.manifest, 'manifest') ?? (args?.uri instanceof vscode.Uri ? args.uri.fsPath : undefined);
    if (given) {
      const file = resolveInWorkspace(given.endsWith('.json') ? given : given + '.json');
      try {
        const text = (await readCheckedInput(file, { what: 'split manifest', maxBytes: 256 * 1024 * 1024 })).toString();
        return resolveManifest(JSON.parse(text) as SplitManifest, file);
      } catch (err) {
        if (err instanceof UserError) throw err;
        throw new UserError(`cannot read the split's manifest ${path.basename(file)}: ${(err as Error).message}`);
      }
    }
    if (!last)
      throw new UserError(
        'no split made in this window yet: run "Flowbench: Create Validation Split", or open a split manifest',
      );
    return last.manifest;
  }

  /** The snippet with paths relative to the workspace folder, whatever folder the manifest was written from. */
  const snippetOf = (m: SplitManifest): string => {
    const root = workspaceRoot();
    return root ? pythonSnippet(m, { root }) : m.python;
  };

  const findSplits = async (dataFile?: string): Promise<SplitFileInfo[]> => {
    const manifests = await vscode.workspace.findFiles('**/*.{csv,tsv}.json', '{**/node_modules/**,**/.*/**}', 500);
    const all = manifests.map((u) => readSplitInfo(u.fsPath)).filter((x): x is SplitFileInfo => x !== undefined);
    return newestFirst(dataFile ? all.filter((x) => path.resolve(x.data) === path.resolve(dataFile)) : all);
  };

  /** The split is written: say where, and offer what comes next (the snippet, evaluating a model on it). */
  async function offerNextSteps(outcome: SplitOutcome): Promise<void> {
    const m = outcome.manifest;
    const warned = m.checks.filter((c) => c.status === 'warn');
    const models = await vscode.workspace.findFiles('**/*.onnx', '{**/node_modules/**,**/.*/**}', 1);
    const buttons = models.length ? ['Evaluate Model', 'Copy Python Snippet'] : ['Copy Python Snippet'];
    const checks = warned.length
      ? ` ${warned.length} check${warned.length > 1 ? 's' : ''} to look at in the report.`
      : '';
    const choice = await vscode.window.showInformationMessage(
      `Flowbench: ${m.strategy} split of ${m.input.rows} rows written to ${path.basename(outcome.out)}.${checks}`,
      ...buttons,
    );
    if (choice === 'Copy Python Snippet') await vscode.env.clipboard.writeText(snippetOf(m));
    else if (choice === 'Evaluate Model') await runCommand(COMMANDS.onnx.eval, { split: outcome.out });
  }

  return {
    api: {
      prefillFromCall: (site) => splitPrefill(site),
      findSplits,
      createSplit: async (dataFile) => {
        const r = await runCommand<SplitCommandResult | undefined>(
          COMMANDS.split.create,
          dataFile ? { file: dataFile } : {},
        );
        return r ? readSplitInfo(r.manifestPath) : undefined;
      },
    },
    commands: {
      [COMMANDS.split.create]: async (args) => {
        const a = args ?? {};
        const partial = requestFromArgs(a);
        const settings = splitSettings();
        const interactive = partial.out === undefined && a.noPrompt !== true;
        let request: SplitRequest;
        if (!interactive) {
          if (!partial.file) throw new UserError('file is required when running without prompts');
          if (!partial.strategy) throw new UserError('strategy is required when running without prompts');
          const { file, ...rest } = partial;
          request = {
            ...rest,
            strategy: partial.strategy,
            input: file,
            out:
              partial.out ??
              splitFileName(
                file,
                { ...rest, strategy: partial.strategy },
                {
                  seed: settings.defaultSeed,
                  folds: settings.defaultFolds,
                },
              ),
            seed: partial.seed ?? settings.defaultSeed,
          };
        } else {
          const file = partial.file ?? (await pickDataFile());
          const { previewCsv } = await import('../inspect');
          const preview = await previewCsv(file);
          const { file: _ignored, ...prefill } = partial;
          request = await runWizard(file, preview, prefill, {
            seed: settings.defaultSeed,
            folds: settings.defaultFolds,
          });
        }
        const outcome = await run(request);
        markWalkthroughStep('split');
        if ((interactive && settings.openReport) || a.report === true)
          await showSplitReport(outcome.manifest, services.context, workspaceRoot());
        if (interactive) void offerNextSteps(outcome);
        const result: SplitCommandResult = {
          out: outcome.out,
          manifestPath: outcome.manifestPath,
          manifest: outcome.manifest,
        };
        return result;
      },
      [COMMANDS.split.showReport]: async (args) => {
        const manifest = await loadManifest(args);
        await showSplitReport(manifest, services.context, workspaceRoot());
        return { manifest: manifest.output.file };
      },
      [COMMANDS.split.copyPython]: async (args) => {
        const manifest = await loadManifest(args);
        const python = snippetOf(manifest);
        await vscode.env.clipboard.writeText(python);
        if (args?.quiet !== true)
          void vscode.window.showInformationMessage(
            'Flowbench: Python snippet copied (pandas + scikit-learn, same indices).',
          );
        return { python };
      },
    },
  };
}
