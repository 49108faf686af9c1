import * as vscode from 'vscode';
import { registerCommands } from './editor/commands';
import { stopEngineJobs } from './editor/engineJobs';
import { createLog } from './editor/log';
import type { FeatureServices } from './editor/feature';
import { coreFeature } from './editor/coreCommands';
import { focusFeature, type FocusApi } from './focus/editor/feature';
import { lensesFeature, type LensesApi } from './lenses/editor/feature';
import { timingFeature } from './timing/editor/feature';
import { inferenceFeature } from './inference/editor/feature';
import { splitsFeature } from './splits/editor/feature';

/**
 * Only wiring: each feature builds its own thin VS Code layer; nothing heavy loads here (engines load on first use).
 */
export function activate(context: vscode.ExtensionContext): FlowbenchApi {
  const started = performance.now();
  const log = createLog(context);
  const services: FeatureServices = { context, log };
  // A split or evaluation still running on deactivate stops, with its scan workers and onnxruntime process.
  context.subscriptions.push({ dispose: () => void stopEngineJobs() });
  const timing = timingFeature(services);
  const splits = splitsFeature(services);
  // The lenses show timings and prefill splits through those features' small APIs, never their internals.
  const lenses = lensesFeature(services, { timings: timing.api, splits: splits.api });
  const focus = focusFeature(services);
  const inference = inferenceFeature(services, { splits: splits.api });
  const features = [coreFeature(services), lenses, focus, timing, inference, splits];
  registerCommands(services, Object.assign({}, ...features.map((f) => f.commands)));
  const activationMs = performance.now() - started;
  log.info(`Flowbench activated in ${activationMs.toFixed(1)} ms`);
  return { activationMs, focus: focus.api, lenses: lenses.api };
}

export function deactivate(): void {
  // Every disposable is owned by context.subscriptions; VS Code disposes them.
}

/**
 * Returned from activate(): what scripts, tests and other extensions may use through
 * vscode.extensions.getExtension('flowbench.flowbench').exports, besides the commands.
 */
export interface FlowbenchApi {
  activationMs: number;
  focus: FocusApi;
  lenses: LensesApi;
}
