import * as vscode from 'vscode';
import { registerCommands } from './editor/commands';
import { createLog } from './editor/log';
import type { Feature, FeatureServices } from './editor/feature';
import { coreFeature } from './editor/coreCommands';
import { focusFeature } from './focus/feature';
import { lensesFeature } from './lenses/feature';
import { timingFeature } from './timing/feature';
import { inferenceFeature } from './inference/feature';
import { splitsFeature } from './splits/feature';

/** Only wiring: each feature builds its own thin VS Code layer; nothing heavy loads here (engines load on first use). */
export function activate(context: vscode.ExtensionContext): FlowbenchApi {
  const started = performance.now();
  const log = createLog(context);
  const services: FeatureServices = { context, log };
  const features: Feature[] = [coreFeature(services), lensesFeature(services), focusFeature(services), timingFeature(services), inferenceFeature(services), splitsFeature(services)];
  registerCommands(services, Object.assign({}, ...features.map((f) => f.commands)));
  const activationMs = performance.now() - started;
  log.info(`Flowbench activated in ${activationMs.toFixed(1)} ms`);
  return { activationMs };
}

export function deactivate(): void {
  // Every disposable is owned by context.subscriptions; VS Code disposes them.
}

/** Returned from activate(); tests and benchmarks read it through vscode.extensions.getExtension(...).exports. */
export interface FlowbenchApi {
  activationMs: number;
}
