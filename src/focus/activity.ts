/**
 * This window's side of idle tracking: whether this one window is idle, and whether the machine slept between two
 * status-bar ticks. What the user's idle time is (every window idle at once, or asleep) is decided in the shared
 * record (idle.ts); this only reports this window's changes.
 */

/** A tick arriving this much later than planned means the machine slept (or the extension host was frozen). */
export const SLEEP_GAP_MS = 5_000;

/**
 * VS Code sets `active` false about 70–100 s after the last input in the window; hosts that predate it only report
 * focus, which is the closest they offer.
 */
export function windowInactive(state: { focused: boolean; active?: boolean }): boolean {
  return state.active === undefined ? !state.focused : !state.active;
}

export interface WindowIdlePorts {
  /** Whether the window counts as inactive right now. */
  inactive(): boolean;
  /** This window's idle flag flipped. */
  changed(idle: boolean): void;
}

/**
 * Idle while the window is inactive and no task or terminal command runs. Editor and terminal activity ends idleness
 * at once; becoming idle again waits for VS Code's next inactive report, since input alone says nothing about it.
 */
export class WindowIdle {
  private idle = false;
  private tasks = 0;
  private commands = 0;

  constructor(private readonly ports: WindowIdlePorts) {}

  get isIdle(): boolean {
    return this.idle;
  }

  activity(): void {
    if (this.idle) this.set(false);
  }

  taskStarted(): void {
    this.tasks++;
    this.activity();
  }

  // Floored at 0: a task or command that started before this window's tracker did still reports its end.
  taskEnded(): void {
    this.tasks = Math.max(0, this.tasks - 1);
    this.update();
  }

  commandStarted(): void {
    this.commands++;
    this.activity();
  }

  commandEnded(): void {
    this.commands = Math.max(0, this.commands - 1);
    this.update();
  }

  /** Re-evaluates after the window's state changed or something that held it busy ended. */
  update(): void {
    this.set(this.ports.inactive() && this.tasks === 0 && this.commands === 0);
  }

  /** Another session's record knows nothing of this window: starting over as active lets the next idle reach it. */
  reset(): void {
    this.idle = false;
  }

  private set(idle: boolean): void {
    if (idle === this.idle) return;
    this.idle = idle;
    this.ports.changed(idle);
  }
}

/**
 * Timers do not run while the machine sleeps, so a render tick that comes much later than it was planned for marks
 * away time. The chain of ticks restarts whenever the timer stops (no running session): the first tick after a pause
 * or a new start has nothing to be late against.
 */
export class SleepDetector {
  private lastTick = 0;

  reset(): void {
    this.lastTick = 0;
  }

  /** A tick at `now`, planned `expectedDelay` after the previous one; returns the gap to count as idle, if any. */
  tick(now: number, expectedDelay: number): { from: number; to: number } | null {
    const last = this.lastTick;
    this.lastTick = now;
    if (last === 0 || now - (last + expectedDelay) <= SLEEP_GAP_MS) return null;
    return { from: last, to: now };
  }
}
