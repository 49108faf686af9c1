/**
 * How each audience names the options an engine message can mention: the CLI by its flag, the editor in words that
 * read inside a sentence (its commands take the same things as arguments and prompts, not as flags). `value` names
 * the option given a value, for "needs --target COLUMN" / "needs a target column". Column options are named by
 * their role ("target"), since messages say "--target column 'x'" / "target column 'x'".
 */
export const FIELD_NAMES = {
  strategy: { cli: '--strategy', editor: 'strategy', value: 'a strategy' },
  target: { cli: '--target', editor: 'target', value: 'a target column' },
  group: { cli: '--group', editor: 'group', value: 'a group column' },
  time: { cli: '--time', editor: 'time', value: 'a time column' },
  folds: { cli: '--folds', editor: 'number of folds', value: 'a number of folds' },
  testSize: { cli: '--test-size', editor: 'test size', value: 'a test size' },
  testCount: { cli: '--test-count', editor: 'test count', value: 'a test count' },
  trainSize: { cli: '--train-size', editor: 'train size', value: 'a train size' },
  trainCount: { cli: '--train-count', editor: 'train count', value: 'a train count' },
  gap: { cli: '--gap', editor: 'gap', value: 'a gap' },
  maxTrainSize: { cli: '--max-train-size', editor: 'maximum train size', value: 'a maximum train size' },
  bins: { cli: '--bins', editor: 'number of bins', value: 'a number of bins' },
  out: { cli: '--out', editor: 'output file', value: 'an output file' },
  input: { cli: '--input', editor: 'input CSV file', value: 'an input CSV file' },
  data: { cli: '--data', editor: 'data file', value: 'a data file' },
  split: { cli: '--split', editor: 'split file', value: 'a split file' },
  features: { cli: '--features', editor: 'the feature list', value: 'a feature list' },
  python: { cli: '--python', editor: 'Python interpreter', value: 'a Python interpreter' },
  cell: { cli: '--cell', editor: 'cell', value: 'a cell' },
  line: { cli: '--line', editor: 'line', value: 'a line' },
  name: { cli: '--name', editor: 'loader name', value: 'a loader name' },
  batches: { cli: '--batches', editor: 'number of batches', value: 'a number of batches' },
  timeBudget: { cli: '--time-budget', editor: 'time budget', value: 'a time budget' },
  workers: { cli: '--workers', editor: 'num_workers list', value: 'a num_workers list' },
  toDevice: { cli: '--to-device', editor: 'moving batches to the GPU', value: 'moving batches to the GPU' },
  batch: { cli: '--batch', editor: 'batch size', value: 'a batch size' },
} as const satisfies Record<string, { cli: `--${string}`; editor: string; value: string }>;

/** An option a message can name; see FIELD_NAMES. */
export type Field = keyof typeof FIELD_NAMES;

/** Where a message is shown. */
export type Audience = 'cli' | 'editor';

/** Names options for one audience inside a message built by a MessageText. */
export interface FieldNamer {
  /** The option itself: `--gap` in the CLI, "gap" in the editor. */
  (field: Field): string;
  /** The option with a value (what follows the flag): `--target COLUMN` in the CLI, "a target column" in the editor. */
  (field: Field, value: string): string;
  /** An aside only the CLI shows: its own way to do what the rest of the message already says for the editor. */
  cliOnly(text: string): string;
}

/** A message that names options through `f`, so each audience reads its own words for them. */
export type MessageText = (f: FieldNamer) => string;

function fieldNamer(audience: Audience): FieldNamer {
  const name = (field: Field, value?: string): string => {
    const n = FIELD_NAMES[field];
    if (audience === 'cli') return value === undefined ? n.cli : `${n.cli} ${value}`;
    return value === undefined ? n.editor : n.value;
  };
  return Object.assign(name, { cliOnly: (text: string) => (audience === 'cli' ? text : '') });
}

const NAMERS: Record<Audience, FieldNamer> = { cli: fieldNamer('cli'), editor: fieldNamer('editor') };

/**
 * An error caused by what the user gave (a bad file, a bad option): shown as is, exit code 2 in the CLI, no stack
 * trace. A message that names options is a MessageText, since the CLI and the editor ask for them differently;
 * `message` keeps the CLI's wording, which the CLI's tests and logs read.
 */
export class UserError extends Error {
  // Rendered now, while what the message quotes is as it was; private, so the own properties stay an Error's.
  readonly #editorText: string;

  constructor(message: string | MessageText) {
    super(typeof message === 'string' ? message : message(NAMERS.cli));
    this.#editorText = typeof message === 'string' ? message : message(NAMERS.editor);
    this.name = 'UserError';
  }

  /** A UserError rendered elsewhere (another thread), from its two texts. */
  static fromTexts(cli: string, editor: string): UserError {
    return new UserError((f) => (f === NAMERS.cli ? cli : editor));
  }

  /** The message in the words of `audience`: the CLI's is `message`, the editor's names options in words. */
  textFor(audience: Audience): string {
    return audience === 'cli' ? this.message : this.#editorText;
  }
}

/** Thrown when the user cancelled long work; callers clean up and report nothing as failed. */
export class CancelledError extends Error {
  constructor(message = 'cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}

/**
 * A cancellation token shared by engines, the CLI (SIGINT) and the editor: VS Code's CancellationToken has this shape,
 * so it is passed as is. Work that waits on something (a child process) listens to the event instead of polling.
 */
export interface Cancellation {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => void): { dispose(): void };
}

export const neverCancelled: Cancellation = {
  isCancellationRequested: false,
  onCancellationRequested: () => ({ dispose: () => undefined }),
};

/** Owns a Cancellation and trips it once (the CLI's SIGINT handler, tests). */
export class CancellationSource {
  readonly token: Cancellation;
  private cancelled = false;
  private readonly listeners = new Set<() => void>();

  constructor() {
    const isCancelled = (): boolean => this.cancelled;
    this.token = {
      get isCancellationRequested() {
        return isCancelled();
      },
      onCancellationRequested: (listener) => {
        // A listener added after the fact still runs, so no caller can miss the request.
        if (this.cancelled) {
          queueMicrotask(listener);
          return { dispose: () => undefined };
        }
        this.listeners.add(listener);
        return { dispose: () => void this.listeners.delete(listener) };
      },
    };
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    for (const l of [...this.listeners]) l();
    this.listeners.clear();
  }
}

/** Runs `listener` when `token` is cancelled (now, if it already is); the returned handle stops listening. */
export function onCancelled(token: Cancellation | undefined, listener: () => void): { dispose(): void } {
  if (!token) return { dispose: () => undefined };
  if (token.isCancellationRequested) {
    listener();
    return { dispose: () => undefined };
  }
  return token.onCancellationRequested(listener);
}

export function throwIfCancelled(token: Cancellation | undefined): void {
  if (token?.isCancellationRequested) throw new CancelledError();
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
