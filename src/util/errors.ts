/** An error caused by what the user gave (a bad file, a bad option): shown as is, exit code 2 in the CLI, no stack trace. */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
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
