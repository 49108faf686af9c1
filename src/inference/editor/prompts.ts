import * as path from 'node:path';
import * as vscode from 'vscode';
import { UserError } from '../../util/errors';
import { resolveInWorkspace, workspaceRoot } from '../../editor/workspace';
import type { SplitsApi } from '../../splits/api';

/*
 * What the inference commands take: from their arguments when given (scripts, tests, code lenses), else from the active
 * editor or a pick, so the palette asks only for what it cannot infer.
 */

export function str(v: unknown): string | undefined {
  if (v instanceof vscode.Uri) return v.fsPath;
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

export function strings(v: unknown, name: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string')
    return v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  throw new UserError(`${name} must be a list of names`);
}

/** One of the workspace's files matching `glob`; the only one is taken without a prompt. */
async function pickFile(glob: string, what: string, placeHolder: string): Promise<string | undefined> {
  const files = await vscode.workspace.findFiles(glob, '**/{node_modules,.git,.venv,out,dist}/**', 500);
  if (files.length === 0) throw new UserError(`no ${what} in this workspace`);
  if (files.length === 1) return files[0].fsPath;
  const found = files
    .sort((a, b) => a.fsPath.localeCompare(b.fsPath))
    .map((u) => ({ label: vscode.workspace.asRelativePath(u), uri: u }));
  const picked = await vscode.window.showQuickPick(found, { placeHolder, ignoreFocusOut: true });
  return picked?.uri.fsPath;
}

/** The model: args.model/uri, else the .onnx open in the active tab, else a pick among the workspace's .onnx files. */
export async function modelArg(args: Record<string, unknown> | undefined): Promise<string | undefined> {
  const given = str(args?.model) ?? str(args?.uri);
  if (given) return resolveInWorkspace(given);
  const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (tab instanceof vscode.TabInputCustom && tab.uri.fsPath.endsWith('.onnx')) return tab.uri.fsPath;
  const doc = vscode.window.activeTextEditor?.document;
  if (doc?.fileName.endsWith('.onnx')) return doc.fileName;
  return pickFile('**/*.onnx', '.onnx model', 'ONNX model to use');
}

/** The workspace's data files (split files left out), for the Run and Evaluate prompts. */
async function dataFiles(): Promise<vscode.Uri[]> {
  const files = await vscode.workspace.findFiles(
    '**/*.{csv,tsv}',
    // One level of braces only: VS Code 1.93's search (ripgrep) refuses nested ones.
    '{**/node_modules/**,**/.*/**,**/*.folds.csv,**/out/**,**/dist/**}',
    500,
  );
  return files.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
}

/**
 * The rows to run a model on: args.input, else (unless args ask for random inputs) a pick whose default is the
 * workspace's data file (the table shows its first rows), then random inputs of a chosen count. `input` is undefined
 * for random inputs (then `batch` says how many rows); the whole result is undefined when the pick was dismissed.
 */
export async function runInputArg(
  args: Record<string, unknown> | undefined,
  previewRows: number,
  randomRows: number,
): Promise<{ input?: string; batch?: number } | undefined> {
  const input = str(args?.input);
  if (input || args?.input !== undefined || args?.random === true) return { input };
  const files = await dataFiles();
  const items: Array<vscode.QuickPickItem & { file?: string }> = files.map((u) => ({
    label: `$(table) ${vscode.workspace.asRelativePath(u)}`,
    description: `every row; the table shows the first ${previewRows}`,
    file: u.fsPath,
  }));
  items.push({
    label: '$(symbol-numeric) Random inputs',
    description: 'rows of random numbers in the shapes the model declares',
  });
  const picked =
    items.length === 1
      ? items[0]
      : await vscode.window.showQuickPick(items, {
          title: 'Run ONNX Model: rows to run it on',
          ignoreFocusOut: true,
          placeHolder: 'The data file (Enter), or random inputs',
        });
  if (!picked) return undefined;
  if (picked.file) return { input: picked.file };
  const n = await vscode.window.showInputBox({
    title: 'Run ONNX Model: random inputs',
    ignoreFocusOut: true,
    prompt: 'How many rows of random inputs?',
    value: String(randomRows),
    validateInput: (t) => (/^\s*\d+\s*$/.test(t) && Number(t) >= 1 ? undefined : 'a whole number of at least 1'),
  });
  if (n === undefined) return undefined;
  return { batch: Number(n) };
}

/** What an evaluation needs besides the model; `split` is absolute. */
export interface EvalInputs {
  data: string;
  split: string;
  target: string;
  /** The split the model was trained on, when its metadata names it and it is not the one chosen. */
  trainedOn?: string;
}

/**
 * Data, split and target of an evaluation, asking only what is not known: from args, else from the split's manifest
 * (it names the data file and, for most strategies, the target), else picked. The split comes first: the one the
 * model was trained on (its metadata), or the only one, is taken without a prompt; with none yet, a message offers
 * to create one and the evaluation continues on it.
 */
export async function evalInputs(
  args: Record<string, unknown> | undefined,
  model: string,
  splits: SplitsApi,
): Promise<EvalInputs | undefined> {
  const { splitManifestHints } = await import('../../data/splitFile');
  const { evalSplitChoices, likelyTarget, trainSplitOf } = await import('../evalChoices');
  const { loadModel } = await import('../session');
  const trainedOn = trainSplitOf((await loadModel(model)).info, model);
  const dataArg = str(args?.data) ? resolveInWorkspace(str(args?.data)!) : undefined;
  let split = str(args?.split) ? resolveInWorkspace(str(args?.split)!) : undefined;
  let splitTarget: string | undefined;
  if (!split) {
    let found = await splits.findSplits(dataArg);
    if (found.length === 0) {
      const where = dataArg ? ` of ${path.basename(dataArg)}` : '';
      const choice = await vscode.window.showInformationMessage(
        `Flowbench: there is no validation split${where} yet. Create one, then the model is evaluated on its ` +
          'validation rows.',
        'Create Split',
      );
      if (choice !== 'Create Split') return undefined;
      const made = await splits.createSplit(dataArg);
      if (!made) return undefined;
      found = [made];
    }
    const choices = evalSplitChoices(found, {
      trainedOn,
      modelName: path.basename(model),
      root: workspaceRoot(),
    });
    // The model's own split, or the only one, needs no question.
    const chosen =
      choices.length === 1 || choices[0].trainedOn
        ? choices[0]
        : await vscode.window.showQuickPick(choices, {
            title: `Evaluate ${path.basename(model)}: validation split`,
            placeHolder: 'The split whose validation rows the model is scored on',
            matchOnDetail: true,
            ignoreFocusOut: true,
          });
    if (!chosen) return undefined;
    split = chosen.info.file;
    splitTarget = chosen.info.target;
  }
  // A split made by Flowbench names its data file and target in FOLDS.csv.json: no need to ask for them.
  const hints = splitManifestHints(split);
  let data = dataArg ?? hints.dataFile;
  if (!data) {
    const files = await dataFiles();
    if (files.length === 0) throw new UserError('no .csv or .tsv data file in this workspace to evaluate on');
    const picked =
      files.length === 1
        ? files[0].fsPath
        : (
            await vscode.window.showQuickPick(
              files.map((u) => ({ label: vscode.workspace.asRelativePath(u), file: u.fsPath })),
              {
                title: `Evaluate ${path.basename(model)}: data`,
                placeHolder: 'The data file the split was made of',
                ignoreFocusOut: true,
              },
            )
          )?.file;
    if (!picked) return undefined;
    data = picked;
  }
  let target = str(args?.target) ?? splitTarget ?? hints.target;
  if (!target) {
    const { readCsvHeader } = await import('../../data/csv');
    const columns = (await readCsvHeader(data)).columns;
    const first = likelyTarget(columns);
    const ordered = first ? [first, ...columns.filter((c) => c !== first)] : columns;
    const picked = await vscode.window.showQuickPick(
      ordered.map((c) => ({ label: c, description: c === first ? 'suggested' : undefined })),
      {
        title: `Evaluate ${path.basename(model)}: target column`,
        placeHolder: 'The column the model predicts',
        ignoreFocusOut: true,
      },
    );
    if (!picked) return undefined;
    target = picked.label;
  }
  const other = trainedOn && path.resolve(trainedOn) !== path.resolve(split) ? trainedOn : undefined;
  return { data, split, target, trainedOn: other };
}

/**
 * Where the CUDA provider libraries come from: args.source, else a folder or archive picked on disk. Choosing the
 * official package shows its URL instead (Flowbench downloads nothing) and gives `{ url }`.
 */
export async function cudaSourceArg(
  args: Record<string, unknown> | undefined,
  officialPackageUrl: () => string,
): Promise<{ source: string } | { url: string } | undefined> {
  const source = str(args?.source);
  if (source) return { source };
  const choice = await vscode.window.showQuickPick(
    [
      { label: 'Folder…', id: 'folder', description: 'extracted package holding libonnxruntime_providers_cuda.so' },
      { label: 'Archive…', id: 'file', description: '.tgz, .tar.gz, .nupkg or .zip' },
      {
        label: 'Official package (download it yourself)',
        id: 'url',
        description: 'NuGet Microsoft.ML.OnnxRuntime.Gpu.Linux',
      },
    ],
    { placeHolder: 'Where are the CUDA provider libraries?' },
  );
  if (!choice) return undefined;
  if (choice.id === 'url') {
    const url = officialPackageUrl();
    const copy = await vscode.window.showInformationMessage(
      `Flowbench downloads nothing by itself. Download ${url}, then run this command again and choose "Archive…".`,
      'Copy URL',
    );
    if (copy) await vscode.env.clipboard.writeText(url);
    return { url };
  }
  const picked = await vscode.window.showOpenDialog({
    canSelectFiles: choice.id === 'file',
    canSelectFolders: choice.id === 'folder',
    canSelectMany: false,
    filters: choice.id === 'file' ? { Archives: ['tgz', 'gz', 'tar', 'nupkg', 'zip'] } : undefined,
  });
  if (!picked?.[0]) return undefined;
  return { source: picked[0].fsPath };
}
