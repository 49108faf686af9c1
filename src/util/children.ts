import { LeftoverSet } from './leftovers';

/**
 * The child processes a command has running (the ONNX Runtime host, the timing harness), so a hard exit (a second
 * Ctrl-C, the cancel deadline, an uncaught error) kills them first instead of leaving them to finish on their own.
 * Each child also dies by itself when its parent goes (the ONNX host on IPC disconnect, the harness when its stdin
 * closes): this registry makes that immediate.
 */

const live = new Set<() => void>();
const pids = new LeftoverSet('process');
const groups = new LeftoverSet('processGroup');

/**
 * Registers how to kill one child, and its pid (`group`: it leads a process group of its own, killed whole) so a
 * supervisor can kill it too; the returned function unregisters it (call it when the child has exited).
 */
export function trackChild(kill: () => void, pid?: { pid: number | undefined; group: boolean }): () => void {
  live.add(kill);
  const id = pid?.pid === undefined ? undefined : String(pid.pid);
  const set = pid?.group ? groups : pids;
  if (id) set.add(id);
  return () => {
    live.delete(kill);
    if (id) set.delete(id);
  };
}

/** Kills every tracked child now (synchronous, safe in an exit handler). */
export function killTrackedChildren(): void {
  for (const kill of [...live]) {
    try {
      kill();
    } catch {
      /* already gone */
    }
  }
  live.clear();
}

/** How many children are tracked (tests). */
export function trackedChildCount(): number {
  return live.size;
}
