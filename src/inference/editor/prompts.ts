import * as vscode from 'vscode';
import { UserError } from '../../util/errors';
import { resolveInWorkspace } from '../../editor/workspace';

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

async function pickFile(
  glob: string,
  placeHolder: string,
  extra: vscode.QuickPickItem[] = [],
): Promise<string | undefined> {
  const files = await vscode.workspace.findFiles(glob, '**/{node_modules,.git,.venv,out,dist}/**', 500);
  const found = files.map((u) => ({ label: vscode.workspace.asRelativePath(u), description: '', uri: u }));
  const items = [...extra, ...found];
  if (items.length === 0) throw new UserError(`no ${glob} file in the workspace`);
  const picked = await vscode.window.showQuickPick(items, { placeHolder });
  if (!picked) return undefined;
  return 'uri' in picked ? (picked.uri as vscode.Uri).fsPath : picked.label;
}

/** The model: args.model/uri, else the .onnx open in the active tab, else a pick among the workspace's .onnx files. */
export async function modelArg(args: Record<string, unknown> | undefined): Promise<string | undefined> {
  const given = str(args?.model) ?? str(args?.uri);
  if (given) return resolveInWorkspace(given);
  const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (tab instanceof vscode.TabInputCustom && tab.uri.fsPath.endsWith('.onnx')) return tab.uri.fsPath;
  const doc = vscode.window.activeTextEditor?.document;
  if (doc?.fileName.endsWith('.onnx')) return doc.fileName;
  return pickFile('**/*.onnx', 'ONNX model to use');
}

/**
 * The rows to run a model on: args.input, else (unless args ask for random inputs) a pick of a CSV file or random
 * inputs. `input` is undefined for random inputs; the whole result is undefined when the pick was dismissed.
 */
export async function runInputArg(args: Record<string, unknown> | undefined): Promise<{ input?: string } | undefined> {
  const input = str(args?.input);
  if (input || args?.input !== undefined || args?.random === true) return { input };
  const random = {
    label: '$(symbol-numeric) Random inputs',
    description: 'shapes from the model, batch from flowbench.inference.batchSize',
  };
  const picked = await pickFile('**/*.{csv,tsv}', 'Rows to run the model on', [random]);
  if (picked === undefined) return undefined;
  return { input: picked !== random.label ? picked : undefined };
}

/** Data, split and target of an evaluation: from args, else from the split's manifest, else picked. */
export async function evalInputs(
  args: Record<string, unknown> | undefined,
): Promise<{ data: string; split: string; target: string } | undefined> {
  const { splitManifestHints } = await import('../../data/splitFile');
  const givenSplit = str(args?.split);
  // A split made by Flowbench names its data file and target in FOLDS.csv.json: no need to ask for them.
  const hints = givenSplit ? splitManifestHints(resolveInWorkspace(givenSplit)) : {};
  const data = str(args?.data) ?? hints.dataFile ?? (await pickFile('**/*.{csv,tsv}', 'Data (CSV) to evaluate on'));
  if (!data) return undefined;
  const split = givenSplit ?? (await pickFile('**/*.{csv,tsv}', 'Split file (FOLDS.csv from Flowbench: Create Split)'));
  if (!split) return undefined;
  let target = str(args?.target) ?? hints.target ?? splitManifestHints(resolveInWorkspace(split)).target;
  if (!target) {
    const { readCsvHeader } = await import('../../data/csv');
    const header = await readCsvHeader(resolveInWorkspace(data));
    target = await vscode.window.showQuickPick(header.columns, { placeHolder: 'Target column' });
    if (!target) return undefined;
  }
  return { data, split, target };
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
