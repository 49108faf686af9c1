/** What the slot needs of a runtime: FocusRuntime in the extension, a fake in the unit tests. */
export interface SlotRuntime {
  init(): Promise<{ action: string }>;
  dispose(): void;
}

/**
 * The window's current focus runtime and the clock it runs on. Commands act only once the runtime's startup
 * reconciliation is done. A simulated reload (the development-host test hook) replaces the runtime as closing and
 * reopening the window would, with the clock optionally moved while the window is "closed".
 */
export class RuntimeSlot<R extends SlotRuntime> {
  private offsetMs = 0;
  readonly clock = (): number => Date.now() + this.offsetMs;
  private runtime: R;
  private ready: Promise<{ action: string }>;

  constructor(
    private readonly create: (clock: () => number) => R,
    onStartupError: (err: unknown) => void,
  ) {
    this.runtime = create(this.clock);
    this.ready = this.runtime.init();
    // Reported here, so never an unhandled rejection; commands awaiting `ready` still see the failure.
    this.ready.catch(onStartupError);
  }

  /** The runtime once started; one that a reload put in place meanwhile, if so. */
  async get(): Promise<R> {
    await this.ready;
    return this.runtime;
  }

  moveClock(offsetMs: number): void {
    this.offsetMs = offsetMs;
  }

  /** Disposes the runtime (the session stays, as a closing window leaves it) and starts a new one; its startup. */
  async reload(offsetMs?: number): Promise<{ action: string }> {
    await this.ready.catch(() => undefined);
    // Dispose before moving the clock, so the old window cannot see the jump (a closed window sees nothing).
    this.runtime.dispose();
    if (offsetMs !== undefined) this.offsetMs = offsetMs;
    this.runtime = this.create(this.clock);
    this.ready = this.runtime.init();
    return this.ready;
  }

  dispose(): void {
    this.runtime.dispose();
  }
}
