import * as vscode from 'vscode';
import type { CellMarkerSettings } from '../python/cells';

/**
 * The one typed place where settings are read. Each feature reads its own section through these functions; the
 * defaults here repeat package.json's so a missing or mistyped value never reaches an engine.
 */
function section(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('flowbench');
}

function get<T>(key: string, fallback: T, valid: (v: unknown) => boolean = (v) => typeof v === typeof fallback): T {
  const v = section().get<unknown>(key);
  return v !== undefined && v !== null && valid(v) ? (v as T) : fallback;
}

/** A validator for whole-number settings within [min, max]. */
const whole =
  (min: number, max = Infinity) =>
  (v: unknown) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/** flowbench.lenses.*: the master switch and one switch per lens kind (see package.json). */
export interface LensSettings {
  enabled: boolean;
  timeCell: boolean;
  splits: boolean;
  onnx: boolean;
  focus: boolean;
  loader: boolean;
}

/**
 * Turns every Flowbench lens on or off, where the user keeps the setting: in the workspace when it is set there,
 * else for the user.
 */
export async function setLensesEnabled(enabled: boolean): Promise<void> {
  const config = section();
  const target =
    config.inspect('lenses.enabled')?.workspaceValue !== undefined
      ? vscode.ConfigurationTarget.Workspace
      : vscode.ConfigurationTarget.Global;
  await config.update('lenses.enabled', enabled, target);
}

export function lensSettings(): LensSettings {
  return {
    enabled: get('lenses.enabled', true),
    timeCell: get('lenses.timeCell', true),
    splits: get('lenses.splits', true),
    onnx: get('lenses.onnx', true),
    focus: get('lenses.focus', true),
    loader: get('lenses.loader', true),
  };
}

export interface FocusSettings {
  defaultMinutes: number;
  breakMinutes: number;
  longBreakMinutes: number;
  longBreakEvery: number;
  suppressNotifications: boolean;
  zenMode: boolean;
  sound: boolean;
  logLocation: 'workspace' | 'global';
}

export function focusSettings(): FocusSettings {
  const minutes = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= 24 * 60;
  return {
    defaultMinutes: get('focus.defaultMinutes', 25, minutes),
    breakMinutes: get('focus.breakMinutes', 5, minutes),
    longBreakMinutes: get('focus.longBreakMinutes', 15, minutes),
    longBreakEvery: get('focus.longBreakEvery', 4, whole(0)),
    suppressNotifications: get('focus.suppressNotifications', true),
    zenMode: get('focus.zenMode', false),
    sound: get('focus.sound', false),
    logLocation: get<'workspace' | 'global'>(
      'focus.logLocation',
      'workspace',
      (v) => v === 'workspace' || v === 'global',
    ),
  };
}

export interface TimingSettings {
  /** Empty: the Python extension's interpreter, else python3 on PATH. */
  pythonPath: string;
  setup: 'above' | 'none';
  runs: number;
  /** 0 = calibrate like %timeit. */
  loops: number;
  /** 0 = no cap. */
  timeCapSeconds: number;
  /** 0 = no limit. */
  timeoutSeconds: number;
  precision: number;
  /** Our own markers; empty fields fall back to the Jupyter extension's cellMarker settings, then its defaults. */
  cellMarkers: CellMarkerSettings;
}

export function timingSettings(): TimingSettings {
  const markers = get<Record<string, unknown>>('timing.cellMarkers', {}, (v) => typeof v === 'object' && v !== null);
  const iw = vscode.workspace.getConfiguration('jupyter.interactiveWindow.cellMarker');
  const pick = (own: unknown, jupyterKey: string): string | undefined => {
    if (typeof own === 'string' && own.trim() !== '') return own;
    const j = iw.get<unknown>(jupyterKey);
    return typeof j === 'string' && j.trim() !== '' ? j : undefined;
  };
  return {
    pythonPath: get('timing.pythonPath', ''),
    setup: get<'above' | 'none'>('timing.setup', 'above', (v) => v === 'above' || v === 'none'),
    runs: get('timing.runs', 7, whole(1)),
    loops: get('timing.loops', 0, whole(0)),
    timeCapSeconds: get('timing.timeCapSeconds', 30, (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0),
    timeoutSeconds: get('timing.timeoutSeconds', 0, (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0),
    precision: get('timing.precision', 3, whole(1, 17)),
    cellMarkers: {
      codeRegex: pick(markers.codeRegex, 'codeRegex'),
      markdownRegex: pick(markers.markdownRegex, 'markdownRegex'),
      defaultMarker: pick(markers.default, 'default'),
    },
  };
}

/** flowbench.timing.loader*: how Time Loader iterates (see package.json). */
export interface LoaderSettings {
  /** num_workers values to sweep a torch DataLoader over; empty: the loader as the script made it. */
  workers: number[];
  /** Batches per pass, the first included; 0: the time budget decides. */
  batches: number;
  /** Seconds per pass; 0 with batches 0: until exhausted. */
  timeBudgetSeconds: number;
  toDevice: boolean;
}

export function loaderSettings(): LoaderSettings {
  const workers = (v: unknown) =>
    Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 1024);
  return {
    workers: get<number[]>('timing.loaderWorkers', [], workers),
    batches: get('timing.loaderBatches', 0, whole(0)),
    timeBudgetSeconds: get(
      'timing.loaderTimeBudgetSeconds',
      10,
      (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0,
    ),
    toDevice: get('timing.loaderToDevice', false),
  };
}

export interface InferenceSettings {
  /** Execution providers in order of preference; empty = the platform default (cuda,cpu / dml,cpu / cpu). */
  executionProviders: string[];
  batchSize: number;
  benchRuns: number;
  benchWarmup: number;
  benchTimeBudgetSeconds: number;
  intraOpThreads: number;
  cudaLibraryPath: string[];
  previewRows: number;
}

export function inferenceSettings(): InferenceSettings {
  const strings = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');
  return {
    executionProviders: get<string[]>('inference.executionProviders', [], strings),
    batchSize: get('inference.batchSize', 1, whole(1)),
    benchRuns: get('inference.benchRuns', 100, whole(1)),
    benchWarmup: get('inference.benchWarmup', 5, whole(0)),
    benchTimeBudgetSeconds: get(
      'inference.benchTimeBudgetSeconds',
      0,
      (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0,
    ),
    intraOpThreads: get('inference.intraOpThreads', 0, whole(0)),
    cudaLibraryPath: get<string[]>('inference.cudaLibraryPath', [], strings),
    previewRows: get('inference.previewRows', 20, whole(1)),
  };
}

export interface DataSettings {
  /** Threads that parse big CSV files; 0 = one per core. */
  workers: number;
}

export function dataSettings(): DataSettings {
  return { workers: get('data.workers', 0, whole(0, 256)) };
}

export interface SplitSettings {
  /** Seed used when the wizard or a command gives none (recorded in every manifest). */
  defaultSeed: number;
  defaultFolds: number;
  /** Open the report page after a split made from the wizard. */
  openReport: boolean;
}

export function splitSettings(): SplitSettings {
  return {
    defaultSeed: get('splits.defaultSeed', 42, whole(0, 0xffffffff)),
    defaultFolds: get('splits.defaultFolds', 5, whole(2, 1000)),
    openReport: get('splits.openReport', true),
  };
}
