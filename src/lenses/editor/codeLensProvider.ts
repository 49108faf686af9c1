import * as vscode from 'vscode';
import type { CellMarkerSettings } from '../../python/cells';
import { lensSpecs, type LensContext, type LensSettings, type LensSpec } from '../lensModel';
import { scanPython, type CellSite, type LoaderSite, type ScanResult, type SplitSite } from '../../python/scanner';

export interface LensProviderDeps {
  settings(): LensSettings;
  cellMarkers(): CellMarkerSettings;
  /** For a file: the lens text of each cell's last timing, when the timing history has one (read once, cached). */
  cellTimings(
    file: string,
  ): Promise<(site: CellSite) => { text: string; tooltip?: string; running?: boolean } | undefined>;
  /** For a file: the lens text of each data loader's last timing, by name and the hash of its cell. */
  loaderTimings(
    file: string,
  ): Promise<(site: LoaderSite, cellHash?: string) => { text: string; tooltip?: string } | undefined>;
  splitArgs(site: SplitSite): Record<string, unknown>;
  exists(absolutePath: string): boolean;
  log: vscode.LogOutputChannel;
}

/** How long typing must pause before lenses are recomputed: VS Code asks again after edits; this bounds the rest. */
export const EDIT_DEBOUNCE_MS = 250;

/**
 * Lenses for Python training scripts. The provider owns its change emitter (fired on debounced edits, on settings and
 * trust changes, and when the timing history changes) and caches one scan per document version, so VS Code's own
 * re-queries after an edit cost nothing extra.
 */
export class TrainingScriptLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;
  private readonly scans = new Map<string, { version: number; scan: ScanResult }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: LensProviderDeps) {}

  async provideCodeLenses(document: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.CodeLens[]> {
    const settings = this.deps.settings();
    if (!settings.enabled || token.isCancellationRequested) return [];
    const specs = await this.specsFor(document, settings);
    if (token.isCancellationRequested) return [];
    return specs.map(
      (spec) =>
        new vscode.CodeLens(new vscode.Range(spec.line, spec.character, spec.line, spec.character), {
          title: spec.title,
          tooltip: spec.tooltip,
          command: spec.command,
          arguments: [spec.args],
        }),
    );
  }

  async specsFor(document: vscode.TextDocument, settings: LensSettings = this.deps.settings()): Promise<LensSpec[]> {
    const scan = this.scan(document);
    const file = document.uri.fsPath;
    const hasCells = settings.timeCell && scan.sites.some((s) => s.kind === 'timeCell');
    // A torn or unreadable history must not cost the lenses: they fall back to plain 'Time cell'.
    const timings = hasCells
      ? await this.deps.cellTimings(file).catch((err: unknown) => {
          this.deps.log.warn(`lenses: timing history unavailable for ${file}: ${String(err)}`);
          return undefined;
        })
      : undefined;
    const hasLoaders = settings.loader && scan.sites.some((s) => s.kind === 'loader');
    const loaders = hasLoaders
      ? await this.deps.loaderTimings(file).catch((err: unknown) => {
          this.deps.log.warn(`lenses: loader timings unavailable for ${file}: ${String(err)}`);
          return undefined;
        })
      : undefined;
    const existing = new Map<string, boolean>();
    const ctx: LensContext = {
      file,
      workspaceFolder: vscode.workspace.getWorkspaceFolder(document.uri)?.uri.fsPath,
      settings,
      canRunPython: vscode.workspace.isTrusted,
      cellTiming: timings,
      loaderTiming: loaders,
      splitArgs: (site) => this.deps.splitArgs(site),
      // Many lenses share a path (the data file, a model): one stat per path per refresh.
      exists: (p) => {
        let known = existing.get(p);
        if (known === undefined) existing.set(p, (known = this.deps.exists(p)));
        return known;
      },
    };
    return lensSpecs(scan, ctx);
  }

  private scan(document: vscode.TextDocument): ScanResult {
    const key = document.uri.toString();
    const cached = this.scans.get(key);
    if (cached && cached.version === document.version) return cached.scan;
    const started = performance.now();
    const scan = scanPython(document.getText(), { cellMarkers: this.deps.cellMarkers() });
    const ms = performance.now() - started;
    if (ms > 50)
      this.deps.log.warn(
        `lenses: scanning ${document.uri.fsPath} took ${ms.toFixed(0)} ms (${document.lineCount} lines)`,
      );
    this.scans.set(key, { version: document.version, scan });
    return scan;
  }

  /** Recompute after typing pauses. */
  refreshSoon(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.emitter.fire();
    }, EDIT_DEBOUNCE_MS);
  }

  /** Recompute now, e.g. because a setting, the cell markers or the timing history changed. */
  refresh(options: { rescan?: boolean } = {}): void {
    if (options.rescan) this.scans.clear();
    this.emitter.fire();
  }

  forget(document: vscode.TextDocument): void {
    this.scans.delete(document.uri.toString());
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.scans.clear();
    this.emitter.dispose();
  }
}
